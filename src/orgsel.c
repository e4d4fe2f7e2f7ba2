/* --org and --tag: one rule for every subcommand, so that `check` and `log` can no longer
 * disagree about a name (issue 17). */
#include "orgsel.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "util.h"

static bool is_glob(const char *p)
{
    return strpbrk(p, "*?[") != NULL;
}

bool orgsel_matches(const struct config_org *o, const char *pattern)
{
    if (is_glob(pattern))
        return fnmatch(pattern, o->name, 0) == 0 || (o->id && fnmatch(pattern, o->id, 0) == 0);
    return strcmp(pattern, o->name) == 0 || (o->id && strcmp(pattern, o->id) == 0);
}

/* Optimal string alignment distance ignoring case (a swapped pair of letters counts once, as
 * config.c's did-you-mean counts it), or SIZE_MAX past 64 bytes. */
static size_t distance(const char *a, const char *b)
{
    enum { MAXLEN = 64 };
    size_t la = strlen(a), lb = strlen(b);
    if (la > MAXLEN || lb > MAXLEN)
        return SIZE_MAX;
    static size_t d[MAXLEN + 1][MAXLEN + 1];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            int ai = tolower((unsigned char)a[i - 1]), bj = tolower((unsigned char)b[j - 1]);
            size_t best = d[i - 1][j - 1] + (ai != bj);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && ai == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == bj && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[la][lb];
}

char *orgsel_close_matches(const char *name, const char *const *cands, size_t n)
{
    enum { SHOW = 3 };
    const char *best[SHOW] = {0};
    size_t best_d[SHOW] = {SIZE_MAX, SIZE_MAX, SIZE_MAX};
    size_t limit = strlen(name) <= 4 ? 1 : strlen(name) <= 10 ? 2 : 3;
    for (size_t i = 0; i < n; i++) {
        size_t d = distance(name, cands[i]);
        /* "west" finds "westla" and "org_west": a substring counts as close. */
        if (d > limit && strlen(name) >= 3 && strcasestr(cands[i], name))
            d = limit;
        if (d > limit)
            continue;
        bool dup = false;
        for (size_t k = 0; k < SHOW && !dup; k++)
            dup = best[k] && strcmp(best[k], cands[i]) == 0;
        if (dup)
            continue;
        for (size_t k = 0; k < SHOW; k++) {
            if (d < best_d[k]) {
                memmove(best + k + 1, best + k, (SHOW - 1 - k) * sizeof *best);
                memmove(best_d + k + 1, best_d + k, (SHOW - 1 - k) * sizeof *best_d);
                best[k] = cands[i];
                best_d[k] = d;
                break;
            }
        }
    }
    if (!best[0])
        return NULL;
    if (!best[1])
        return xstrdup(best[0]);
    if (!best[2])
        return xasprintf("%s or %s", best[0], best[1]);
    return xasprintf("%s, %s or %s", best[0], best[1], best[2]);
}

static char *unknown(const struct config *cfg, const char *what, const char *arg, bool tag)
{
    size_t n = 0, cap = cfg->norgs * 2 + 1;
    for (size_t i = 0; tag && i < cfg->norgs; i++)
        cap += cfg->orgs[i].ntags;
    const char **cands = xcalloc(cap, sizeof *cands);
    for (size_t i = 0; i < cfg->norgs; i++) {
        const struct config_org *o = &cfg->orgs[i];
        if (tag) {
            for (size_t t = 0; t < o->ntags; t++)
                cands[n++] = o->tags[t];
            continue;
        }
        cands[n++] = o->name;
        if (o->id && strcmp(o->id, o->name) != 0)
            cands[n++] = o->id;
    }
    char *near = orgsel_close_matches(arg, cands, n);
    free(cands);
    char *raw = xasprintf("%s: %s '%s' in %s%s%s%s", what,
                          tag ? "no org carries the tag" : "no org named", arg, cfg->path,
                          tag ? "" : " (by name, org id or glob)", near ? "; did you mean " : "",
                          near ? near : "");
    char *out = config_printable(raw);
    free(raw);
    free(near);
    char *q = xasprintf("%s%s", out, near ? "?" : "");
    free(out);
    return q;
}

bool orgsel_pick(const struct config *cfg, const char *const *pats, size_t npats,
                 const char *const *tags, size_t ntags, bool *picked, char **err)
{
    *err = NULL;
    for (size_t p = 0; p < npats; p++) {
        bool any = false;
        for (size_t i = 0; i < cfg->norgs && !any; i++)
            any = orgsel_matches(&cfg->orgs[i], pats[p]);
        if (!any) {
            *err = unknown(cfg, "--org", pats[p], false);
            return false;
        }
    }
    for (size_t t = 0; t < ntags; t++) {
        bool any = false;
        for (size_t i = 0; i < cfg->norgs && !any; i++)
            any = config_org_has_tag(&cfg->orgs[i], tags[t]);
        if (!any) {
            *err = unknown(cfg, "--tag", tags[t], true);
            return false;
        }
    }
    for (size_t i = 0; i < cfg->norgs; i++) {
        const struct config_org *o = &cfg->orgs[i];
        bool by_name = npats == 0, by_tag = ntags == 0;
        for (size_t p = 0; p < npats && !by_name; p++)
            by_name = orgsel_matches(o, pats[p]);
        for (size_t t = 0; t < ntags && !by_tag; t++)
            by_tag = config_org_has_tag(o, tags[t]);
        picked[i] = by_name && by_tag;
    }
    return true;
}
