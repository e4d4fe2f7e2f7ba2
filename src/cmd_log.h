/* `maxdash log`: print the stored auth-failure log, newest last, as text or JSON lines,
 * optionally only one org's records or only the recent ones. */
#ifndef MAXDASH_CMD_LOG_H
#define MAXDASH_CMD_LOG_H

#include <stdbool.h>
#include <stddef.h>

struct cmd_log_opts {
    const char *config;  /* -c FILE, or NULL for the usual lookup */
    const char *org;     /* --org NAME|ID|GLOB, or NULL: every org */
    const char *since;   /* --since WHEN as given, or NULL: everything */
    bool json;
    bool explain;        /* --explain: the likely cause under each record */
    bool auth_only;      /* --auth-only: only the records flagged auth (401/403 from the API),
                            as the dashboard's `a` shows them */
    const char *status;  /* --status LIST ("401,403", "5xx"), or NULL: any */
    bool follow;         /* -f/--follow: then the records appended from now on, as they come */
};

/* Parses a --status LIST: HTTP statuses or hundreds ("4xx") separated by commas, into codes
 * (at most max; a hundred as -4); false when s is not one. */
bool cmd_log_parse_status(const char *s, int *codes, size_t max, size_t *n);

/* Prints the log; returns the exit status: 0 (also for a log that does not exist yet), 1 when
 * the log cannot be read or the output written, 2 for a usage or configuration error. */
int cmd_log_run(const struct cmd_log_opts *opts);

/* Parses --since WHEN into *cutoff (Unix seconds): a duration before now (seconds since the
 * epoch) of whole numbers each followed by s, m, h or d ("30m", "2h30m", "1d12h"), or a date or
 * time ("2026-11-28", "2026-11-28T14:00[:05]", a space for the T), UTC unless it ends with an
 * offset ("+01:00"; "Z" is UTC), as the log's times are. False when s is neither (issue 19). */
bool cmd_log_parse_since(const char *s, double now, double *cutoff);

#endif
