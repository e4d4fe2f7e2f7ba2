/* The command line's help, usage and suggestions, all made from the tables of cli.h so that
 * an option's getopt entry, synopsis and help line cannot disagree. Wrapping is by words, to
 * the terminal's width (80 columns into a pipe or file), as gh and the Stripe CLI do. */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "text.h"
#include "util.h"

enum { OPT_COLUMN_MAX = 26, WIDTH_MIN = 40, WIDTH_MAX = 120 };

static size_t count_opts(const struct cli_option *o)
{
    size_t n = 0;
    while (o && o[n].name)
        n++;
    return n;
}

void cli_getopt(const struct cli_command *cmd, struct option **longopts, char **optstring)
{
    size_t n = count_opts(cmd->opts);
    struct option *lo = xcalloc(n + 3, sizeof *lo);
    /* ':' first: a missing argument is reported as ':' rather than '?'. */
    char *s = xmalloc(3 * n + 4), *p = s;
    *p++ = ':';
    for (size_t i = 0; i < n; i++) {
        const struct cli_option *o = &cmd->opts[i];
        lo[i] = (struct option){o->name, o->arg ? required_argument : no_argument, NULL, o->id};
        if (o->short_name) {
            *p++ = o->short_name;
            if (o->arg)
                *p++ = ':';
        }
    }
    lo[n] = (struct option){"help", no_argument, NULL, CLI_OPT_HELP};
    *p++ = 'h';
    if (!cmd->name) {
        lo[n + 1] = (struct option){"version", no_argument, NULL, CLI_OPT_VERSION};
        *p++ = 'V';
    }
    *p = '\0';
    *longopts = lo;
    *optstring = s;
}

int cli_width(void)
{
    struct winsize ws;
    if (!isatty(STDOUT_FILENO) || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0)
        return 80;
    int w = ws.ws_col;
    return w < WIDTH_MIN ? WIDTH_MIN : w > WIDTH_MAX ? WIDTH_MAX : w;
}

/* Prints text from column col (already reached on the current line), breaking between words so
 * that no line passes width; continuation lines start at column indent. Ends the line. */
static void wrap(FILE *to, const char *text, int col, int indent, int width)
{
    const char *p = text;
    bool first = true;
    while (*p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        size_t len = strcspn(p, " ");
        char *word = xstrndup(p, len);
        int w = text_width(word);
        if (!first && col + 1 + w > width) {
            fprintf(to, "\n%*s", indent, "");
            col = indent;
            first = true;
        }
        /* A word wider than the line (a long path on a narrow terminal) is cut where the line
         * ends, ASCII being all the help holds. */
        while (col + (first ? 0 : 1) + w > width && width - col - (first ? 0 : 1) > 0 &&
               w == (int)strlen(word)) {
            int room = width - col - (first ? 0 : 1);
            fprintf(to, "%s%.*s\n%*s", first ? "" : " ", room, word, indent, "");
            memmove(word, word + room, strlen(word + room) + 1);
            w -= room;
            col = indent;
            first = true;
        }
        fprintf(to, "%s%s", first ? "" : " ", word);
        col += (first ? 0 : 1) + w;
        first = false;
        free(word);
        p += len;
    }
    fputc('\n', to);
}

/* "[-c FILE]" for one option; caller frees. */
static char *synopsis_item(const struct cli_option *o)
{
    char name[64];
    if (o->short_name)
        bprintf(name, sizeof name, "-%c", o->short_name);
    else
        bprintf(name, sizeof name, "--%s", o->name);
    return xasprintf("[%s%s%s]%s", name, o->arg ? " " : "", o->arg ? o->arg : "",
                     o->repeat ? "..." : "");
}

static char *command_words(const struct cli_command *cmd)
{
    return xasprintf("maxdash%s%s", cmd->name ? " " : "", cmd->name ? cmd->name : "");
}

static void synopsis(FILE *to, const char *lead, const struct cli_command *cmd, int width)
{
    char *words = command_words(cmd);
    fprintf(to, "%s%s", lead, words);
    int indent = text_width(lead) + text_width(words) + 1, col = indent - 1;
    for (const struct cli_option *o = cmd->opts; o && o->name; o++) {
        char *item = synopsis_item(o);
        int w = text_width(item);
        if (col + 1 + w > width && col > indent) {
            fprintf(to, "\n%*s", indent - 1, "");
            col = indent - 1;
        }
        fprintf(to, " %s", item);
        col += 1 + w;
        free(item);
    }
    fputc('\n', to);
    free(words);
}

void cli_usage(FILE *to, const struct cli_command *cmd, int width)
{
    synopsis(to, "usage: ", cmd, width);
}

/* "-c, --config FILE" or "    --json". Caller frees. */
static char *option_label(const struct cli_option *o)
{
    char s[8] = "    ";
    if (o->short_name)
        bprintf(s, sizeof s, "-%c, ", o->short_name);
    return xasprintf("%s--%s%s%s", s, o->name, o->arg ? " " : "", o->arg ? o->arg : "");
}

static void option_line(FILE *to, const char *label, const char *help, int column, int width)
{
    enum { TEXT_MIN = 30, NARROW_INDENT = 8 };
    fprintf(to, "  %s", label);
    int col = 2 + text_width(label);
    if (width - column < TEXT_MIN) { /* a narrow terminal: the text under its option */
        fprintf(to, "\n%*s", NARROW_INDENT, "");
        wrap(to, help, NARROW_INDENT, NARROW_INDENT, width);
        return;
    }
    if (col + 2 > column) { /* too long to share a line with its help */
        fprintf(to, "\n%*s", column, "");
    } else {
        fprintf(to, "%*s", column - col, "");
    }
    wrap(to, help, column, column, width);
}

static void options_section(FILE *to, const struct cli_command *cmd, bool version, int width)
{
    int column = 0;
    for (const struct cli_option *o = cmd->opts; o && o->name; o++) {
        char *label = option_label(o);
        int w = 2 + text_width(label) + 2;
        if (w > column && w <= OPT_COLUMN_MAX)
            column = w;
        free(label);
    }
    if (column < 18)
        column = 18;
    for (const struct cli_option *o = cmd->opts; o && o->name; o++) {
        char *label = option_label(o);
        option_line(to, label, o->help, column, width);
        free(label);
    }
    option_line(to, "-h, --help", "show this help", column, width);
    if (version)
        option_line(to, "-V, --version", "print the version", column, width);
}

/* "  $ command   # comment": the comment lined up at a column when it fits, else on the next
 * line. */
static void example_line(FILE *to, const char *example, int width)
{
    enum { COMMENT_COLUMN = 36 };
    const char *hash = strstr(example, " #");
    size_t len = hash ? (size_t)(hash - example) : strlen(example);
    while (len && example[len - 1] == ' ')
        len--;
    char *command = xstrndup(example, len);
    fputs("  $ ", to);
    if (!hash) {
        wrap(to, command, 4, 6, width);
        free(command);
        return;
    }
    const char *comment = hash + 1;
    int cw = text_width(command), mw = text_width(comment);
    int at = 4 + cw + 2 > COMMENT_COLUMN ? 4 + cw + 2 : COMMENT_COLUMN;
    if (at + mw <= width) {
        fprintf(to, "%s%*s%s\n", command, at - 4 - cw, "", comment);
    } else {
        wrap(to, command, 4, 6, width);
        fputs("    ", to);
        wrap(to, comment, 4, 6, width);
    }
    free(command);
}

void cli_help(FILE *to, const struct cli_command *cmd, const struct cli_command *const *cmds,
              size_t ncmds, int width)
{
    char *purpose = xasprintf("%s.", cmd->purpose);
    purpose[0] = (char)toupper((unsigned char)purpose[0]);
    wrap(to, purpose, 0, 0, width);
    free(purpose);
    fputc('\n', to);
    synopsis(to, "usage: ", cmd, width);
    if (cmds) {
        fputs("       maxdash COMMAND [options]\n", to);
        fputs("\nCommands:\n", to);
        int column = 0;
        for (size_t i = 0; i < ncmds; i++) {
            int w = 2 + (cmds[i]->name ? text_width(cmds[i]->name) : 0) + 2;
            column = w > column ? w : column;
        }
        for (size_t i = 0; i < ncmds; i++) {
            if (!cmds[i]->name)
                continue;
            fprintf(to, "  %s%*s", cmds[i]->name, column - 2 - text_width(cmds[i]->name), "");
            wrap(to, cmds[i]->purpose, column, column, width);
        }
    }
    fputs("\nOptions:\n", to);
    options_section(to, cmd, !cmd->name, width);
    if (cmd->examples && cmd->examples[0]) {
        fputs("\nExamples:\n", to);
        for (const char *const *e = cmd->examples; *e; e++)
            example_line(to, *e, width);
    }
    if (cmd->notes) {
        fputc('\n', to);
        /* Paragraphs of the notes are separated by '\n'. */
        const char *p = cmd->notes;
        while (*p) {
            size_t len = strcspn(p, "\n");
            char *para = xstrndup(p, len);
            wrap(to, para, 0, 0, width);
            free(para);
            p += len;
            if (*p)
                p++;
        }
    }
}

/* Edit distance with adjacent transpositions (optimal string alignment), bounded at 16
 * characters a side: beyond that nothing is a typo of anything here. */
static int distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 16 || lb > 16)
        return 99;
    int d[17][17];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    }
    return d[la][lb];
}

const char *cli_suggest(const char *word, const char *const *candidates)
{
    const char *best = NULL;
    int best_d = 99;
    size_t wl = strlen(word), prefixed = 0;
    const char *prefix_of = NULL;
    for (const char *const *c = candidates; *c; c++) {
        int d = distance(word, *c);
        if (d < best_d) {
            best_d = d;
            best = *c;
        }
        if (wl >= 2 && strncmp(*c, word, wl) == 0) {
            prefixed++;
            prefix_of = *c;
        }
    }
    /* A typo is at most two edits, and fewer than the word has letters ("x" is not "-c"). */
    int limit = wl <= 3 ? 1 : 2;
    if (best && best_d <= limit && (size_t)best_d < wl)
        return best;
    return prefixed == 1 ? prefix_of : NULL;
}

const char *cli_suggest_option(const struct cli_command *cmd, const char *arg, char *buf,
                               size_t size)
{
    if (strncmp(arg, "--", 2) != 0)
        return NULL;
    char *word = xstrndup(arg + 2, strcspn(arg + 2, "="));
    size_t n = count_opts(cmd->opts);
    const char **names = xcalloc(n + 3, sizeof *names);
    for (size_t i = 0; i < n; i++)
        names[i] = cmd->opts[i].name;
    names[n] = "help";
    if (!cmd->name)
        names[n + 1] = "version";
    const char *best = cli_suggest(word, names);
    const char *out = best && bprintf(buf, size, "--%s", best) ? buf : NULL;
    free(names);
    free(word);
    return out;
}

int cli_finish_stdout(int status)
{
    errno = 0;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        warnmsg("cannot write to standard output%s%s", errno ? ": " : "",
                errno ? strerror(errno) : "");
        return status ? status : 1;
    }
    return status;
}
