/* `maxdash check`: probe every (or the named) org once, concurrently, print a report and exit
 * 0 (all healthy), 1 (some org failed) or 2 (usage or configuration error). */
#ifndef MAXDASH_CMD_CHECK_H
#define MAXDASH_CMD_CHECK_H

#include <stdbool.h>
#include <stddef.h>

struct check_opts {
    const char *config;      /* -c FILE, or NULL for the usual lookup */
    const char *const *orgs; /* --org NAME|ID|GLOB..., norgs of them; none: every org */
    size_t norgs;
    const char *const *tags; /* --tag TAG..., ntags of them; an org must carry one */
    size_t ntags;
    bool json;
    int timeout_s;           /* --timeout; 0: the config's */
    bool scopes;             /* --scopes: every documented scope per org, granted and probed */
    int budget;              /* --budget N: requests a minute for each app, this run only;
                                0: rate_budget, stretched to the server's window (engine.h) */
    bool quick;              /* --quick: the probe alone, no /marketplace/me */
};

/* Runs the check; returns the exit status. */
int check_run(const struct check_opts *opts);

/* Loads the config found from cli_path; on problems prints each on stderr and returns false
 * (config left for config_free). Shared by the subcommands that read the config. */
struct config;
bool check_load_config(const char *cli_path, struct config *cfg);

#endif
