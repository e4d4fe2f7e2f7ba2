/* The Orgs pane (one row per org: mark, name, latency or state) and the Organization pane
 * (the selected org: id, app, key, scopes, status and its cause). */
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
#include <stdint.h>
#include "text.h"
#include "util.h"

/* --- drawing: panes ----------------------------------------------------------------------- */

void draw_orgs(struct ui *u)
{
    WINDOW *w = u->pane[PANE_ORGS];
    werase(w);
    /* The rows listed: filtered and sorted (ui_orgview.c); the title counts every org. */
    orgview_update(u);
    char title[256];
    orgview_title(u, getmaxx(w) - 4, title, sizeof title);
    frame(u, w, PANE_ORGS, title);
    int h = getmaxy(w) - 2, width = getmaxx(w) - 2;
    if (h <= 0)
        return;
    size_t nrows = u->norg_view;
    size_t sel_row = orgview_row_of(u, u->sel_org);
    /* After a resize the list may fit from a higher row on. */
    if (u->org_top + (size_t)h > nrows)
        u->org_top = nrows > (size_t)h ? nrows - (size_t)h : 0;
    if (sel_row != SIZE_MAX && sel_row < u->org_top)
        u->org_top = sel_row;
    if (sel_row != SIZE_MAX && sel_row >= u->org_top + (size_t)h)
        u->org_top = sel_row - (size_t)h + 1;
    /* What is on screen is refreshed first (issue 17): the selected org and the rows shown. */
    {
        size_t first[256], nf = 0;
        if (u->m.norgs)
            first[nf++] = u->sel_org;
        for (size_t r = u->org_top; r < nrows && r < u->org_top + (size_t)h && nf < 256; r++)
            if (u->org_view[r] != u->sel_org)
                first[nf++] = u->org_view[r];
        engine_refresh_first(u->e, first, nf);
    }
    if (nrows == 0 && u->org_filter)
        put(w, 1, 1, width, "no org matches the filter", role_attr[ROLE_DIM]);
    char outage_text[128];
    bool outage = explain_outage(&u->m, outage_text, sizeof outage_text);
    for (int row = 0; row < h; row++) {
        size_t r = u->org_top + (size_t)row;
        if (r >= nrows)
            break;
        size_t i = u->org_view[r];
        const struct model_org *o = &u->m.orgs[i];
        enum model_health hl = model_org_health(o);
        bool sel = i == u->sel_org;
        attr_t base = !sel ? A_NORMAL : role_attr[u->focus == PANE_ORGS ? ROLE_SELECTED : ROLE_SEL_DIM];
        if (sel)
            mvwhline(w, row + 1, 1, ' ' | base, width);
        char word[32];
        /* In an outage every org is down alike; the header says why, the panes how old. */
        bool stale = org_stale(u, o) && !outage;
        if (hl == HEALTH_OK)
            snprintf(word, sizeof word, "%ld ms", model_org_latest(o)->latency_ms);
        else if (stale)
            snprintf(word, sizeof word, "stale");
        else if (hl == HEALTH_RATE) {
            double left = u->m.budgets[o->budget].blocked_until - mono_now();
            snprintf(word, sizeof word, left > 0 ? "429 %.0fs" : "429", left);
        } else if (hl == HEALTH_CHECKING && !o->in_flight)
            /* Nothing back and nothing on its way: its turn (or the rate budget) has not come. */
            snprintf(word, sizeof word, "waiting");
        else
            snprintf(word, sizeof word, "%s", model_health_word(hl));
        put(w, row + 1, 1, 1, mark_glyph(u, hl), sel ? base : role_attr[health_role(hl)]);
        bool warn = (o->cfg->key && o->cfg->key->warnings) || orgid_warnings(o->cfg->id);
        put(w, row + 1, 2, 1, warn ? "!" : " ", sel ? base : role_attr[ROLE_WARN]);
        int word_w = shown_width(word);
        put_raw(w, row + 1, 3, width - 3 - word_w - 1, o->cfg->name, base);
        put_right(w, row + 1, width + 1, word_w, word,
                  sel ? base : role_attr[hl == HEALTH_OK ? ROLE_NORMAL : health_role(hl)]);
    }
    wnoutrefresh(w);
}

void draw_org(struct ui *u)
{
    WINDOW *w = u->pane[PANE_ORG];
    werase(w);
    struct model_org *o = selected_org(u);
    char title[256] = "Organization";
    if (o) {
        char *name = text_clean(o->cfg->name);
        char *display = text_clean(o->cfg->display_name);
        snprintf(title, sizeof title, "Organization %s %s%s%s", u->utf8 ? "\xE2\x94\x80" : "-",
                 name, display ? (u->utf8 ? " \xC2\xB7 " : " - ") : "", display ? display : "");
        utf8_trim_partial(title);
        free(name);
        free(display);
    }
    frame(u, w, PANE_ORG, title);
    int h = getmaxy(w) - 2, width = getmaxx(w) - 2;
    if (!o || h <= 0)
        goto done;
    int y = 1;
    int half = width / 2;
    put(w, y, 1, 9, "Org id", role_attr[ROLE_DIM]);
    put_raw(w, y, 10, half - 10, o->cfg->id, A_NORMAL);
    if (width > 50) {
        put(w, y, half, 5, "App", role_attr[ROLE_DIM]);
        if (o->have_me)
            putf(w, y, half + 5, width - half - 5, A_NORMAL, "%s (%s)%s%s",
                 o->me.app_slug ? o->me.app_slug : "?", o->me.app_id ? o->me.app_id : "?",
                 o->me.app_live_version ? " live " : "",
                 o->me.app_live_version ? o->me.app_live_version : "");
        else
            put(w, y, half + 5, width - half - 5, "\xE2\x80\x94", role_attr[ROLE_DIM]);
    }
    if (++y > h)
        goto done;
    char hint[KEYMASK_MAX];
    config_key_mask(o->cfg->key, hint);
    const char *env = config_key_env(o->cfg->key);
    put(w, y, 1, 9, "Key", role_attr[ROLE_DIM]);
    putf(w, y, 10, width - 10, A_NORMAL, "%s  %s  %s", o->cfg->key_name, hint,
         env ? env : "unknown environment");
    if (++y > h)
        goto done;
    put(w, y, 1, 9, "Scopes", role_attr[ROLE_DIM]);
    if (o->have_me && o->me.scopes) {
        char scopes[512] = "";
        size_t len = 0;
        for (size_t i = 0; i < o->me.nscopes && len < sizeof scopes - 1; i++)
            len += (size_t)snprintf(scopes + len, sizeof scopes - len, "%s%s", i ? "  " : "",
                                    o->me.scopes[i]);
        utf8_trim_partial(scopes);
        put(w, y, 10, width - 10, o->me.nscopes ? scopes : "(none)", A_NORMAL);
    } else {
        put(w, y, 10, width - 10, o->have_me ? "(not reported)" : "\xE2\x80\x94",
            role_attr[ROLE_DIM]);
    }
    if (++y > h)
        goto done;
    put(w, y, 1, 9, "Status", role_attr[ROLE_DIM]);
    /* A failure first (/marketplace/me's, then the probe's), else the latest answer. */
    const struct model_probe *p = model_org_latest(o);
    if (o->probe_me.done && o->probe_me.cls != API_OK)
        p = &o->probe_me;
    else if (model_org_probe(o)->done && model_org_probe(o)->cls != API_OK)
        p = model_org_probe(o);
    char line[512];
    if (!p->done) {
        snprintf(line, sizeof line, "checking%s", u->utf8 ? "\xE2\x80\xA6" : "...");
    } else {
        char when[16], ago[32];
        clock_text(o->last_success ? o->last_success : p->at, when);
        ago_text(wall_now() - (o->last_success ? o->last_success : p->at), ago, sizeof ago);
        if (p->cls == API_OK)
            snprintf(line, sizeof line, "%d %s %ld ms %s %s (%s ago)", p->status,
                     u->utf8 ? "\xC2\xB7" : "-", p->latency_ms, u->utf8 ? "\xC2\xB7" : "-", when,
                     ago);
        else
            snprintf(line, sizeof line, "%s %s %ld ms%s%s%s", p->summary ? p->summary : "",
                     u->utf8 ? "\xC2\xB7" : "-", p->latency_ms,
                     o->last_success ? " \xC2\xB7 last good " : "",
                     o->last_success ? when : "", o->last_success ? "" : "");
        utf8_trim_partial(line);
    }
    enum model_health hl = model_org_health(o);
    int used = put_raw(w, y, 10, width - 10, line, role_attr[hl == HEALTH_OK ? ROLE_NORMAL
                                                                            : health_role(hl)]);
    char extra[128] = "";
    char age[64];
    if (explain_data_age(&u->m, (size_t)(o - u->m.orgs), age, sizeof age))
        snprintf(extra, sizeof extra, "  %s%s", org_stale(u, o) ? "stale: " : "", age);
    if (o->retrying) {
        double left = o->next_refresh - mono_now();
        size_t n = strlen(extra);
        snprintf(extra + n, sizeof extra - n, "  retry in %.0f s (attempt %d)",
                 left > 0 ? left : 0, o->retry_attempt);
    }
    if (extra[0])
        put(w, y, 10 + used, width - 10 - used, extra, role_attr[ROLE_WARN]);
    struct explain ex;
    explain_org(&u->m, (size_t)(o - u->m.orgs), &ex);
    if (ex.headline && y < h) {
        y++;
        /* The age goes with the cause: the status line above may be cut at the pane's edge. */
        bool aged = explain_data_age(&u->m, (size_t)(o - u->m.orgs), age, sizeof age);
        putf(w, y, 1, width - 1, role_attr[health_role(hl)], "%s %s%s%s",
             u->utf8 ? "\xE2\x86\x92" : "->", ex.headline, aged ? " \xC2\xB7 " : "",
             aged ? age : "");
    }
    explain_free(&ex);
    /* The key's warnings: the usual causes of a 401, known before the first request. */
    for (unsigned bit = 1; bit <= CONFIG_KEYWARN_ALL && y < h; bit <<= 1) {
        if (o->cfg->key && (o->cfg->key->warnings & bit)) {
            y++;
            putf(w, y, 1, width - 1, role_attr[ROLE_WARN], "! %s",
                 config_key_warning_text(bit));
        }
    }
    /* The org id's: a mistyped id answers 404 and looks like the clinic's doing (issue 15). */
    unsigned idw = orgid_warnings(o->cfg->id);
    for (unsigned bit = 1; bit <= ORGID_WARN_ALL && y < h; bit <<= 1) {
        if (idw & bit) {
            y++;
            putf(w, y, 1, width - 1, role_attr[ROLE_WARN], "! org id %s", orgid_warning_text(bit));
        }
    }
done:
    wnoutrefresh(w);
}

