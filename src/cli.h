/* The command line's tables and what is made from them: getopt's option arrays, each
 * subcommand's --help (purpose, aligned options wrapped to the terminal, examples), the usage
 * line, and "did you mean" for a mistyped option or subcommand (issue 19). */
#ifndef MAXDASH_CLI_H
#define MAXDASH_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

/* One option of a subcommand: its getopt entry and its line in --help. Adding an option to a
 * subcommand is one row in its table (and a case in main.c's switch). */
struct cli_option {
    const char *name;   /* long name without "--" */
    char short_name;    /* 0: none */
    int id;             /* what getopt_long returns for it */
    const char *arg;    /* NULL: takes no argument; else its placeholder ("FILE") */
    bool repeat;        /* may be given more than once ("[--org NAME]..." in the synopsis) */
    const char *help;   /* one or more sentences for --help, wrapped there */
};

/* One subcommand: its name (NULL: the dashboard), purpose, options and examples. The tables
 * end with a row whose name is NULL. --help (-h) is added to every subcommand by cli_getopt. */
struct cli_command {
    const char *name;
    const char *purpose;            /* one line, no final period */
    const struct cli_option *opts;  /* ends with {NULL} */
    const char *const *examples;    /* "command  # comment" lines, ends with NULL */
    const char *notes;              /* paragraph printed after the examples, or NULL */
};

#define CLI_OPT_HELP 'h'
#define CLI_OPT_VERSION 'V'

/* getopt_long's tables for cmd (with -h/--help added, and -V/--version for the dashboard, the
 * row without a name): *longopts and *optstring are allocated
 * and owned by the caller (free both). */
void cli_getopt(const struct cli_command *cmd, struct option **longopts, char **optstring);

/* The columns help is wrapped to: the terminal's width when stdout is one (at least 40, at
 * most 120), else 80. */
int cli_width(void);

/* Prints cmd's full --help to `to`, wrapped to width columns. cmds (may be NULL) lists the
 * subcommands, for the dashboard's help (ncmds of them; a row without a name is skipped). */
void cli_help(FILE *to, const struct cli_command *cmd, const struct cli_command *const *cmds,
              size_t ncmds, int width);

/* "usage: maxdash check [-c FILE] [--org NAME]... ..." wrapped to width columns. */
void cli_usage(FILE *to, const struct cli_command *cmd, int width);

/* The closest of candidates (NULL-terminated) to word, when close enough to be a typo
 * (a small edit distance, or a unique prefix); NULL otherwise. Static or from candidates. */
const char *cli_suggest(const char *word, const char *const *candidates);

/* The closest long option of cmd to arg ("--jsn" -> "--json"), as "--name", or NULL. Writes
 * into buf (size bytes). */
const char *cli_suggest_option(const struct cli_command *cmd, const char *arg, char *buf,
                               size_t size);

/* Flushes stdout and reports when it could not be written (a full disk, a closed pipe):
 * returns status unchanged when all is well, else 1 after saying so (help and version must
 * not claim success on > /dev/full). */
int cli_finish_stdout(int status);

#endif
