/* `maxdash init`: writes a first, commented config file from flags or, on a terminal, from
 * answers; then has it checked as `maxdash config` would and offers `maxdash check` (issue 19). */
#ifndef MAXDASH_CMD_INIT_H
#define MAXDASH_CMD_INIT_H

#include <stdbool.h>
#include <stddef.h>

struct init_opts {
    const char *config;      /* -c FILE, or NULL for the usual lookup */
    const char *base_url;    /* "production", "staging" or a URL; NULL: ask or production */
    const char *key_source;  /* "env", "file" or "command"; NULL: ask or env MAX_API_KEY */
    const char *key_where;   /* the variable name, file or command of key_source */
    const char **orgs;       /* org ids (not owned) */
    size_t norgs;
    bool run_check;          /* --check: run maxdash check on the new file at once */
};

/* Runs `maxdash init`. Returns the exit status: 0 written and valid, 1 a run-time failure
 * (cannot write), 2 a usage error (an existing file, a key on the command line, no org id
 * without a terminal to ask on) or a written config that does not pass the check. */
int init_run(const struct init_opts *opts);

#endif
