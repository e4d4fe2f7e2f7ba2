/* The header line (base URL, orgs, refresh and rate budget, the environment badge) and the
 * footer (key hints, the status line, the / prompt's editor). */
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
#include "restable.h"
#include "text.h"
#include "util.h"

static const char *badge(const struct ui *u, enum role *role)
{
    switch (u->cfg.set.api_env) {
    case CONFIG_API_PRODUCTION: *role = ROLE_PROD; return " PROD ";
    case CONFIG_API_STAGING: *role = ROLE_STAGING; return " STAGING ";
    case CONFIG_API_LOOPBACK: *role = ROLE_STAGING; return " SANDBOX ";
    default: *role = ROLE_STAGING; return " OTHER ";
    }
}

const char *ui_base_url(const struct ui *u)
{
    return config_org_base_url(&u->cfg, u->m.norgs ? u->m.orgs[u->sel_org].cfg : NULL);
}

struct model_org *selected_org(struct ui *u)
{
    return u->m.norgs ? &u->m.orgs[u->sel_org] : NULL;
}

long countdown(const struct ui *u)
{
    const struct model_org *o = u->m.norgs ? &u->m.orgs[u->sel_org] : NULL;
    if (!o || o->in_flight)
        return -1;
    double at = o->next_refresh;
    const struct model_budget *b = &u->m.budgets[o->budget];
    if (b->blocked_until > at)
        at = b->blocked_until; /* a 429's wait comes first */
    double left = at - mono_now();
    /* In COUNTDOWN_STEP steps, rounded up: an idle screen then changes (and the loop wakes)
     * once per step, not every second (issue 20 case 6). */
    return left <= 0 ? 0 : COUNTDOWN_STEP * (long)ceil(left / COUNTDOWN_STEP);
}

void draw_header(struct ui *u)
{
    WINDOW *w = u->header;
    wbkgdset(w, ' ' | role_attr[ROLE_HEADER]);
    werase(w);
    const struct model_org *o = u->m.norgs ? &u->m.orgs[u->sel_org] : NULL;
    char refresh[192];
    int configured = u->cfg.set.refresh;
    int eff = o ? u->m.budgets[o->budget].effective_refresh : configured;
    long left = countdown(u);
    u->shown_countdown = left;
    char next[64];
    if (left < 0)
        snprintf(next, sizeof next, "refreshing");
    else if (!o || !explain_rate_until(&u->m, o->budget, next, sizeof next))
        snprintf(next, sizeof next, "next %lds", left);
    long limit = o ? u->m.budgets[o->budget].limit_seen : 0;
    if (eff > configured && limit > 0)
        snprintf(refresh, sizeof refresh, "refresh %ds %s %ds: rate limit %ld/min (%s)",
                 configured, u->utf8 ? "\xE2\x86\x92" : "->", eff, limit, next);
    else if (eff > configured)
        snprintf(refresh, sizeof refresh, "refresh %ds %s %ds: rate budget (%s)", configured,
                 u->utf8 ? "\xE2\x86\x92" : "->", eff, next);
    else
        snprintf(refresh, sizeof refresh, "refresh %ds (%s)", configured, next);
    char outage[128];
    if (explain_outage(&u->m, outage, sizeof outage)) { /* one outage, said once (issue 15) */
        size_t n = strlen(refresh);
        snprintf(refresh + n, sizeof refresh - n, "%s%s", u->utf8 ? " \xC2\xB7 " : " - ", outage);
        utf8_trim_partial(refresh);
    }
    /* A fleet (issue 17): the cycle as it really is, and the oldest check, when the budget
     * stretches it or there are many orgs. */
    if (eff > configured || u->m.norgs >= 50) {
        double now = wall_now(), oldest = 0, cycle = 0;
        bool all = true;
        for (size_t i = 0; i < u->m.norgs; i++) {
            const struct model_probe *p = &u->m.orgs[i].probe_me;
            if (!p->done) {
                all = false;
                continue;
            }
            if (!oldest || p->at < oldest)
                oldest = p->at;
            if (p->prev_at && p->at - p->prev_at > cycle)
                cycle = p->at - p->prev_at;
        }
        size_t n = strlen(refresh);
        char ago[32];
        if (cycle > 0)
            snprintf(refresh + n, sizeof refresh - n, "%scycle %.0fs", u->utf8 ? " \xC2\xB7 " : " - ",
                     cycle);
        n = strlen(refresh);
        if (!all)
            snprintf(refresh + n, sizeof refresh - n, "%ssome orgs not checked yet",
                     u->utf8 ? " \xC2\xB7 " : " - ");
        else if (oldest > 0) {
            ago_text(now - oldest, ago, sizeof ago);
            snprintf(refresh + n, sizeof refresh - n, "%soldest check %s",
                     u->utf8 ? " \xC2\xB7 " : " - ", ago);
        }
        utf8_trim_partial(refresh);
    }
    const char *dot = u->utf8 ? " \xC2\xB7 " : " - ";
    /* What a refresh costs (issue 20): requests per org per cycle, 1.0 at steady state. */
    double per_cycle = model_requests_per_cycle(&u->m);
    if (per_cycle > 0) {
        size_t n = strlen(refresh);
        snprintf(refresh + n, sizeof refresh - n, "%s%.1f req/org/cycle", dot, per_cycle);
        utf8_trim_partial(refresh);
    }
    char line[1024];
    snprintf(line, sizeof line, " maxdash%s%s%s%zu org%s%s%s%s", dot, ui_base_url(u), dot,
             u->m.norgs, u->m.norgs == 1 ? "" : "s", dot, refresh, u->privacy ? " \xC2\xB7 privacy" : "");
    if (!u->utf8)
        snprintf(line, sizeof line, " maxdash - %s - %zu orgs - %s%s", ui_base_url(u),
                 u->m.norgs, refresh, u->privacy ? " - privacy" : "");
    enum role br;
    char b[48];
    /* The API version beside the environment, where a cut line still shows it (issue 16). */
    int v = res_version_of(ui_base_url(u));
    snprintf(b, sizeof b, v ? " v%d%s" : "%.0d%s", v, badge(u, &br));
    int bw = (int)strlen(b);
    put_raw(w, 0, 0, u->cols - bw - 1, line, role_attr[ROLE_HEADER]);
    put(w, 0, u->cols - bw, bw, b, role_attr[br]);
    wnoutrefresh(w);
}

/* The prompt's label (" search patients: "); returns its width in columns. */
static int prompt_label(const struct ui *u, char *buf, size_t size)
{
    if (u->prompt_cmd)
        snprintf(buf, size, " :");
    else if (u->prompt_pane == PANE_FAILS)
        snprintf(buf, size, " filter failures: ");
    else if (u->prompt_pane == PANE_ORGS)
        snprintf(buf, size, " filter orgs (name, id, #tag): ");
    else
        snprintf(buf, size, " search %s: ", res_at(u->res)->name);
    return shown_width(buf);
}

/* (Re)makes the prompt's editor in the footer, holding u->prompt. Done when the prompt opens,
 * so that keys typed in the same burst as '/' reach it, and after a resize. */
void open_editor(struct ui *u)
{
    lineedit_close(u->le);
    u->le = NULL;
    u->le_parent = NULL;
    if (!u->footer)
        return;
    char label[64];
    int lw = prompt_label(u, label, sizeof label);
    werase(u->footer);
    u->le = lineedit_open(u->footer, 0, lw, u->cols - lw, u->prompt,
                          u->privacy && u->prompt_pane == PANE_PATIENTS && !u->prompt_cmd);
    u->le_parent = u->le ? u->footer : NULL;
}


void draw_footer(struct ui *u)
{
    WINDOW *w = u->footer;
    leaveok(w, u->prompting ? FALSE : TRUE);
    if (u->prompting) {
        /* The label, then the editor in the rest of the line; the editor's cells are the
         * footer's own (a derived window), so they are not erased while it lives. */
        char label[64];
        int lw = prompt_label(u, label, sizeof label);
        if (!u->le || u->le_parent != w)
            open_editor(u);
        put(w, 0, 0, lw, label, A_BOLD);
        /* In privacy mode a patient search is typed blind (the editor shows nothing of it: it
         * is a name or an MRN); the mask says that something is there. */
        if (u->privacy && u->prompt_pane == PANE_PATIENTS && !u->prompt_cmd && u->prompt_len > 0)
            put(w, 0, lw, u->cols - lw, mask_text(u), A_BOLD);
        curs_set(1);
        if (u->le)
            lineedit_cursor(u->le);
        wnoutrefresh(w);
        return;
    }
    werase(w);
    if (u->status[0] && wall_now() < u->status_until) {
        put_raw(w, 0, 0, u->cols, u->status, A_BOLD);
    } else {
        /* A log problem is in the Auth-failures pane's title (draw_log_state). */
        put(w, 0, 0, u->cols,
            " q quit  ? help  Tab pane  / search  Enter open  n/p page  r refresh  "
            "y copy trace  m mask  a all  : resource",
            role_attr[ROLE_DIM]);
    }
    wnoutrefresh(w);
}

