/* Which orgs `--org` and `--tag` pick (issue 17), the same for check, log and the dashboard:
 * --org takes an org's name, its org id or a glob (fnmatch) over both; --tag a tag. An
 * argument that picks nothing is an error listing the close matches. */
#ifndef MAXDASH_ORGSEL_H
#define MAXDASH_ORGSEL_H

#include <stdbool.h>
#include <stddef.h>

struct config;
struct config_org;

/* Whether pattern (a name, an org id, or a glob holding * ? or [) picks o. */
bool orgsel_matches(const struct config_org *o, const char *pattern);

/* Sets picked[i] (cfg->norgs entries) for each org that matches one of pats (any, when npats
 * is 0) and carries one of tags (any, when ntags is 0). Returns true when every pattern and
 * every tag picks at least one org; else false with *err a printable message naming the first
 * that picks none and up to three close matches ("--org: no org named 'westl' (by name, org id
 * or glob) in config.ini; did you mean westla?"). The caller frees *err. */
bool orgsel_pick(const struct config *cfg, const char *const *pats, size_t npats,
                 const char *const *tags, size_t ntags, bool *picked, char **err);

/* Up to three names among cands (n of them) close to name (edit distance or a substring,
 * ignoring case), as "a, b or c"; NULL when none. Caller frees. */
char *orgsel_close_matches(const char *name, const char *const *cands, size_t n);

#endif
