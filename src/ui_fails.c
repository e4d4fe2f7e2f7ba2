/* The failures pane (groups of failures, newest first, filtered) and the failure-group view. */
#include "ui_int.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "explain.h"
#include "keymask.h"
#include "orgid.h"
#include "text.h"
#include "util.h"

/* The failure groups the pane lists, newest first, after the a/filter/org choices. */
size_t visible_failures(struct ui *u, size_t *out, size_t max)
{
    size_t n = 0;
    for (size_t k = u->m.nfailures; k-- > 0 && n < max;) {
        const struct model_failure *f = &u->m.failures[k];
        if (!u->all_failures && !api_class_is_auth(f->cls))
            continue;
        if (u->org_failures && f->org != u->sel_org)
            continue;
        if (!model_failure_matches(&u->m, f, u->fail_filter))
            continue;
        out[n++] = k;
    }
    return n;
}

/* The log's trouble on the top border of the failures pane, right-aligned after the title
 * (clipped, never over it), from the first failed open or write until the next good write
 * (issue 12): a place that stays, unlike the 6 s status line. */
static void draw_log_state(struct ui *u, WINDOW *w, const char *title)
{
    char problem[300];
    authlog_problem(&u->log, problem, sizeof problem);
    if (!problem[0])
        return;
    char text[400];
    snprintf(text, sizeof text, " LOG NOT WRITTEN: %s ", problem);
    utf8_trim_partial(text);
    int width = getmaxx(w) - 2;
    char *clean = text_clean(text);
    int cols = text_width(clean);
    free(clean);
    clean = text_clean(title);
    int after_title = 1 + text_width(clean) + 2; /* frame() draws " title " at x = 1 */
    free(clean);
    int x = 1 + width - cols;
    if (x < after_title)
        x = after_title;
    if (x < width)
        put_raw(w, 0, x, width + 1 - x, text, role_attr[ROLE_WARN] | A_BOLD);
}

void draw_fails(struct ui *u)
{
    WINDOW *w = u->pane[PANE_FAILS];
    werase(w);
    size_t idx[1000];
    size_t n = visible_failures(u, idx, ARRAY_LEN(idx));
    char title[256];
    snprintf(title, sizeof title, "%s (%zu) %s %s%s%s%s%s%s", u->all_failures ? "Failures" : "Auth failures",
             n, u->utf8 ? "\xE2\x94\x80" : "-",
             u->all_failures ? "every failure" : "401/403", u->utf8 ? " \xC2\xB7 newest first" : " - newest first",
             u->fail_filter ? " \xC2\xB7 filter " : "", u->fail_filter ? u->fail_filter : "",
             u->org_failures ? " \xC2\xB7 org " : "",
             u->org_failures && selected_org(u) ? selected_org(u)->cfg->name : "");
    utf8_trim_partial(title);
    frame(u, w, PANE_FAILS, title);
    draw_log_state(u, w, title);
    int h = getmaxy(w) - 2, width = getmaxx(w) - 2;
    if (h <= 0)
        goto done;
    if (n == 0) {
        put(w, 1, 1, width, u->all_failures ? "no failures" : "no auth failures",
            role_attr[ROLE_DIM]);
        goto done;
    }
    if (u->sel_fail >= n)
        u->sel_fail = n - 1;
    if (u->fail_top + (size_t)h > n)
        u->fail_top = n > (size_t)h ? n - (size_t)h : 0;
    if (u->sel_fail < u->fail_top)
        u->fail_top = u->sel_fail;
    if (u->sel_fail >= u->fail_top + (size_t)h)
        u->fail_top = u->sel_fail - (size_t)h + 1;
    for (int r = 0; r < h; r++) {
        size_t vi = u->fail_top + (size_t)r;
        if (vi >= n)
            break;
        const struct model_failure *f = &u->m.failures[idx[vi]];
        bool sel = vi == u->sel_fail;
        attr_t a = !sel ? A_NORMAL : role_attr[u->focus == PANE_FAILS ? ROLE_SELECTED : ROLE_SEL_DIM];
        if (sel)
            mvwhline(w, r + 1, 1, ' ' | a, width);
        char when[16];
        clock_text(f->last_seen, when);
        char status[16];
        if (f->status)
            snprintf(status, sizeof status, "%d", f->status);
        else
            snprintf(status, sizeof status, "%s", api_class_name(f->cls));
        const char *trace = f->ntrace ? f->trace_ids[f->ntrace - 1] : NULL;
        char right[128] = "";
        int tw = 0;
        if (trace) {
            snprintf(right, sizeof right, "%s%ld trace ", f->count > 1 ? "\xC3\x97" : "", f->count);
            if (f->count <= 1)
                snprintf(right, sizeof right, "trace ");
        } else if (f->count > 1) {
            snprintf(right, sizeof right, "\xC3\x97%ld", f->count);
        }
        int x = 1;
        x += put(w, r + 1, x, 9, when, sel ? a : role_attr[f->from_log ? ROLE_DIM : ROLE_NORMAL]) + 1;
        x += put_raw(w, r + 1, x, 12, f->org_name ? f->org_name : "?", a) + 1;
        x += put(w, r + 1, x, 4, status, sel ? a : role_attr[f->cls == API_UNAUTHORIZED ? ROLE_AUTH : f->cls == API_FORBIDDEN ? ROLE_SCOPE : ROLE_DOWN]) + 1;
        int trace_w = trace ? (width >= 100 ? 36 : 14) : 0;
        tw = shown_width(right) + trace_w;
        int msg_w = width - x - tw;
        char msg[512];
        snprintf(msg, sizeof msg, "%s %s %s", f->code ? f->code : api_class_name(f->cls),
                 model_failure_endpoint(f), f->message ? f->message : "");
        utf8_trim_partial(msg);
        put_raw(w, r + 1, x, msg_w, msg, a);
        if (tw > 0 && width - tw > x) {
            int rx = width + 1 - tw;
            rx += put(w, r + 1, rx, shown_width(right), right, sel ? a : role_attr[ROLE_DIM]);
            if (trace)
                put(w, r + 1, rx, trace_w, trace, a);
        }
    }
done:
    wnoutrefresh(w);
}

/* The failure group whose model_failure_key is key, or NULL when it is gone. */
const struct model_failure *group_by_key(const struct ui *u, const char *key)
{
    for (size_t k = u->m.nfailures; key && k-- > 0;) {
        char *fk = model_failure_key(&u->m.failures[k]);
        bool same = strcmp(fk, key) == 0;
        free(fk);
        if (same)
            return &u->m.failures[k];
    }
    return NULL;
}

void failure_lines(struct ui *u, struct lines *l)
{
    /* The group that was opened, wherever regrouping moved it. */
    const struct model_failure *f = group_by_key(u, u->overlay_key);
    if (!f) {
        add_line(l, "(this group is no longer listed)");
        return;
    }
    struct explain ex;
    explain_failure(&u->m, f, &ex);
    if (ex.headline)
        add_line(l, "%s", ex.headline);
    add_line(l, " ");
    add_line(l, "Org          %s (%s)%s", f->org_name ? f->org_name : "?",
             f->org_id ? f->org_id : "?", f->from_log ? "  [earlier run]" : "");
    add_line(l, "Request      %s %s", f->method ? f->method : "GET", f->path ? f->path : "?");
    add_line(l, "Key          %s %s", f->key_name ? f->key_name : "?",
             f->key_hint ? f->key_hint : "");
    if (f->status)
        add_line(l, "Response     %d %s: %s (%ld ms)", f->status,
                 f->code ? f->code : api_class_name(f->cls), f->message ? f->message : "",
                 f->latency_ms);
    else
        add_line(l, "Response     none: %s (%ld ms)", f->message ? f->message : "",
                 f->latency_ms);
    add_line(l, "Seen         %ld time%s", f->count, f->count == 1 ? "" : "s");
    add_line(l, " ");
    for (size_t i = 0; i < ex.n; i++)
        add_line(l, "%s", ex.lines[i]);
    explain_free(&ex);
    add_line(l, " ");
    add_line(l, "Occurrences with a trace_id (newest last; y copies the latest, Y a support note):");
    for (size_t i = 0; i < f->ntrace; i++) {
        char when[32];
        authlog_time_text(f->trace_times ? f->trace_times[i] : f->last_seen, when);
        add_line(l, "  %s  %s", when, f->trace_ids[i]);
    }
}
