/* The Orgs pane at scale (issue 17): which orgs it lists and in what order — a filter typed
 * after `/` (name, display name, org id, or #tag), a sort cycling config order, worst first,
 * name and latency — the jump to the next failing org, and the counts by state for its title.
 * The selection stays an org (u->sel_org, an index into m.orgs) whatever the order: rows are
 * looked up in u->org_view, never the other way round. Each rebuild is O(n log n): 5 000 orgs
 * take well under a millisecond to list again, so it is done on every draw and every key. */
#include "ui_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "marks.h"
#include "text.h"
#include "util.h"

static const char *const sort_names[ORG_SORT_COUNT] = {"config order", "worst first", "name",
                                                       "latency"};

const char *orgview_sort_name(enum org_sort s)
{
    return sort_names[s];
}

bool orgview_matches(const struct config_org *o, const char *filter)
{
    if (!filter || !*filter)
        return true;
    if (filter[0] == '#') {
        /* #tag: a tag starting with what is typed, so it narrows as you type. */
        size_t n = strlen(filter + 1);
        for (size_t t = 0; t < o->ntags; t++)
            if (strncasecmp(o->tags[t], filter + 1, n) == 0)
                return true;
        return n == 0;
    }
    return strcasestr(o->name, filter) || (o->display_name && strcasestr(o->display_name, filter)) ||
           (o->id && strcasestr(o->id, filter));
}

/* Worst first: what needs a person most comes first (a refused key, then a missing scope, then
 * an outage...), healthy orgs last. */
static int severity(enum model_health h)
{
    switch (h) {
    case HEALTH_AUTH: return 0;
    case HEALTH_SCOPE: return 1;
    case HEALTH_DOWN: return 2;
    case HEALTH_NOT_FOUND: return 3;
    case HEALTH_RATE: return 4;
    case HEALTH_CHECKING: return 5;
    case HEALTH_OK: return 6;
    }
    return 7;
}

static long latency_of(const struct model_org *o)
{
    return o->probe_me.done ? o->probe_me.latency_ms : -1;
}

/* qsort has no context argument in C11: the model being sorted, for the comparators. */
static const struct ui *sorting;

static int by_config(size_t a, size_t b)
{
    return a < b ? -1 : a > b;
}

static int compare(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    const struct model_org *oa = &sorting->m.orgs[a], *ob = &sorting->m.orgs[b];
    int c = 0;
    switch (sorting->org_sort) {
    case ORG_SORT_WORST:
        c = severity(model_org_health(oa)) - severity(model_org_health(ob));
        break;
    case ORG_SORT_NAME:
        c = strcasecmp(oa->cfg->name, ob->cfg->name);
        break;
    case ORG_SORT_LATENCY: {
        /* Slowest first; not measured yet last. */
        long la = latency_of(oa), lb = latency_of(ob);
        c = la == lb ? 0 : la < 0 ? 1 : lb < 0 ? -1 : la > lb ? -1 : 1;
        break;
    }
    default:
        break;
    }
    return c ? c : by_config(a, b);
}

void orgview_update(struct ui *u)
{
    size_t n = u->m.norgs;
    if (u->org_view_cap < n + 1) {
        u->org_view_cap = n + 1;
        u->org_view = xrealloc(u->org_view, u->org_view_cap * sizeof *u->org_view);
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (orgview_matches(u->m.orgs[i].cfg, u->org_filter))
            u->org_view[k++] = i;
    u->norg_view = k;
    if (u->org_sort != ORG_SORT_CONFIG && k > 1) {
        sorting = u;
        qsort(u->org_view, k, sizeof *u->org_view, compare);
        sorting = NULL;
    }
}

size_t orgview_row_of(const struct ui *u, size_t org)
{
    for (size_t r = 0; r < u->norg_view; r++)
        if (u->org_view[r] == org)
            return r;
    return SIZE_MAX;
}

void orgview_move(struct ui *u, long delta, bool absolute)
{
    orgview_update(u);
    if (!u->norg_view)
        return;
    size_t row = orgview_row_of(u, u->sel_org);
    long n = (long)u->norg_view;
    long at = absolute ? delta : row == SIZE_MAX ? 0 : (long)row + delta;
    select_org(u, u->org_view[at < 0 ? 0 : at >= n ? n - 1 : at]);
    u->dirty |= DIRTY_ORGS;
}

void orgview_after_filter(struct ui *u)
{
    orgview_update(u);
    /* The selected org filtered out: the first one listed takes its place. */
    if (u->norg_view && orgview_row_of(u, u->sel_org) == SIZE_MAX)
        select_org(u, u->org_view[0]);
    u->org_top = 0;
    u->dirty |= DIRTY_ORGS | DIRTY_HEADER;
}

void orgview_next_sort(struct ui *u)
{
    u->org_sort = (enum org_sort)((u->org_sort + 1) % ORG_SORT_COUNT);
    orgview_update(u);
    set_status(u, " orgs sorted by %s", sort_names[u->org_sort]);
    u->dirty |= DIRTY_ORGS;
}

static bool failing(const struct model_org *o)
{
    enum model_health h = model_org_health(o);
    return h != HEALTH_OK && h != HEALTH_CHECKING;
}

void orgview_next_failing(struct ui *u)
{
    orgview_update(u);
    size_t n = u->norg_view;
    size_t row = orgview_row_of(u, u->sel_org);
    size_t start = row == SIZE_MAX ? n - 1 : row;
    for (size_t step = 1; step <= n; step++) {
        size_t r = (start + step) % n;
        if (failing(&u->m.orgs[u->org_view[r]])) {
            select_org(u, u->org_view[r]);
            u->dirty |= DIRTY_ORGS;
            return;
        }
    }
    set_status(u, " no failing org%s", u->org_filter ? " among those listed" : "");
}

void orgview_title(const struct ui *u, int cols, char *out, size_t size)
{
    /* The counts are of the orgs listed: all of them without a filter. */
    static const enum model_health order[] = {HEALTH_OK,        HEALTH_AUTH, HEALTH_SCOPE,
                                              HEALTH_NOT_FOUND, HEALTH_RATE, HEALTH_DOWN,
                                              HEALTH_CHECKING};
    size_t count[HEALTH_DOWN + 1] = {0};
    for (size_t r = 0; r < u->norg_view; r++)
        count[model_org_health(&u->m.orgs[u->org_view[r]])]++;
    const char *dot = u->utf8 ? " \xC2\xB7 " : " - ";
    char shown[64], words[256] = "", glyphs[256] = "", tight[256] = "";
    if (u->org_filter)
        snprintf(shown, sizeof shown, "%zu/%zu", u->norg_view, u->m.norgs);
    else
        snprintf(shown, sizeof shown, "%zu", u->m.norgs);
    size_t wl = 0, ml = 0, tl = 0;
    for (size_t k = 0; k < ARRAY_LEN(order); k++) {
        enum model_health h = order[k];
        if (!count[h] || wl >= sizeof words || ml >= sizeof glyphs || tl >= sizeof tight)
            continue;
        bool plain = h == HEALTH_OK || h == HEALTH_CHECKING;
        wl += (size_t)snprintf(words + wl, sizeof words - wl, "%s%zu %s%s", wl ? dot : " ",
                               count[h], plain ? "" : marks_glyph(h, u->utf8),
                               model_health_word(h));
        ml += (size_t)snprintf(glyphs + ml, sizeof glyphs - ml, " %zu%s", count[h],
                               marks_glyph(h, u->utf8));
        tl += (size_t)snprintf(tight + tl, sizeof tight - tl, "%s%zu%s", tl ? "" : " ", count[h],
                               marks_glyph(h, u->utf8));
    }
    const char *sort = u->org_sort == ORG_SORT_CONFIG ? "" : sort_names[u->org_sort];
    /* The first that fits, always after "Orgs (N)": words ("412 ok · 3 ✗401"), marks
     * ("412● 3✗"), marks without spaces ("412●3✗"); else the marks, cut at the border. */
    snprintf(out, size, "Orgs (%s)%s%s%s", shown, words, *sort ? dot : "", sort);
    if (text_width(out) > cols)
        snprintf(out, size, "Orgs (%s)%s%s%s", shown, glyphs, *sort ? dot : "", sort);
    if (text_width(out) > cols)
        snprintf(out, size, "Orgs (%s)%s", shown, glyphs);
    if (text_width(out) > cols)
        snprintf(out, size, "Orgs (%s)%s", shown, tight);
    if (text_width(out) > cols)
        snprintf(out, size, "Orgs (%s)%s", shown, glyphs);
    utf8_trim_partial(out);
}
