/* The right-hand table for any resource, drawn from the resource table alone (issue 16): its
 * columns, its page, its filters in the title, the 403 explanation in place of the rows; the
 * record view (a record's fields, nested ones flattened, links marked) and the form view (the
 * labelled lines of a resource with FIELD lines); the resource switcher under the ':' command
 * line; the scope map. No function here knows one resource from another. */
#include "ui_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "explain.h"
#include "restable.h"
#include "text.h"
#include "util.h"

const char *mask_text(const struct ui *u)
{
    return u->utf8 ? "\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2" : "***";
}

const struct api_rows *shown_rows(struct ui *u)
{
    struct model_org *o = selected_org(u);
    if (!o)
        return NULL;
    struct model_table t;
    model_org_table(o, u->res, &t);
    return t.rows;
}

/* Whether a search of r is patient data (it has patient-data columns): masked in privacy
 * mode, as the columns are. */
static bool search_is_phi(const struct resource *r)
{
    for (size_t c = 0; c < r->ncols; c++)
        if (r->cols[c].phi)
            return true;
    return false;
}

/* One of a resource's records: its name without the plural's "s" ("Patients" -> "Patient"). */
static void singular(const char *plural, char *buf, size_t size)
{
    size_t n = strlen(plural);
    snprintf(buf, size, "%.*s", (int)(n > 1 && plural[n - 1] == 's' ? n - 1 : n), plural);
}

static const char *dash(const struct ui *u)
{
    return u->utf8 ? "\xE2\x80\x94" : "-";
}

/* --- the switcher ------------------------------------------------------------------------- */

/* While the ':' command line is open: every resource, numbered for 1-9, the ones the typed
 * prefix matches first in bold, the ones this API version lacks greyed, with the scope each
 * needs and whether the selected org has it. */
static void draw_switcher(struct ui *u, WINDOW *w, int h, int width)
{
    struct model_org *o = selected_org(u);
    int v = res_version_of(ui_base_url(u));
    size_t n = strcspn(u->prompt, " ");
    attr_t hdr = role_attr[ROLE_TITLE];
    put(w, 1, 1, 4, "Key", hdr);
    put(w, 1, 5, 18, "Resource", hdr);
    put(w, 1, 24, 20, "Scope", hdr);
    put(w, 1, 45, width - 45, "This org", hdr);
    for (int i = 0; i < res_count() && i + 2 <= h; i++) {
        const struct resource *r = res_at(i);
        bool served = res_in_version(r, v);
        bool match = n > 0 && strncasecmp(r->name, u->prompt, n) == 0;
        attr_t a = !served ? role_attr[ROLE_DIM] : match ? A_BOLD : A_NORMAL;
        char key[4] = "";
        if (i < 9)
            snprintf(key, sizeof key, "%d", i + 1);
        put(w, i + 2, 1, 3, key, a);
        put(w, i + 2, 5, 18, r->name, a);
        put(w, i + 2, 24, 20, r->scope ? r->scope : "", a);
        char state[96];
        if (!served)
            snprintf(state, sizeof state, "not in API v%d", v);
        else if (!o || !o->have_me)
            snprintf(state, sizeof state, "scopes not known yet");
        else
            snprintf(state, sizeof state, "%s", model_org_has_scope(o, r->scope) ||
                     (r->alt_scope && model_org_has_scope(o, r->alt_scope)) ? "granted"
                                                                             : "not granted");
        put(w, i + 2, 45, width - 45, state, a);
    }
}

/* --- the table ---------------------------------------------------------------------------- */

/* The title: "Appointments ─ 12 · page 1/1 · dateFrom=… · loading…". */
static void table_title(struct ui *u, const struct model_org *o, const struct resource *r,
                        char *title, size_t size)
{
    const char *dot = u->utf8 ? " \xC2\xB7 " : " - ";
    struct model_table t;
    model_org_table(o, u->res, &t);
    size_t n = (size_t)snprintf(title, size, "%s", r->title);
    /* A table fetched on demand says which API version it was asked under; the refreshed
     * one (the org's own page) says how old it is, at the end. */
    int v = t.refreshed ? 0 : res_version_of(ui_base_url(u));
    if (v)
        n += (size_t)snprintf(title + n, size - n, " (API v%d)", v);
    if (t.rows) {
        long total = t.rows->total_count, pages = t.rows->total_pages;
        n += (size_t)snprintf(title + n, size - n, " %s %ld", u->utf8 ? "\xE2\x94\x80" : "-",
                              total < 0 ? (long)t.rows->len : total);
        if (r->paged && n < size)
            n += (size_t)snprintf(title + n, size - n, "%spage %ld/%ld", dot, o->page_no,
                                  pages < 0 ? 1 : pages);
    }
    if (o->search && n < size)
        n += (size_t)snprintf(title + n, size - n, "%ssearch \"%s\"", dot,
                              u->privacy && search_is_phi(r) ? mask_text(u) : o->search);
    if (o->filter && *o->filter && strcmp(o->filter, " ") != 0 && n < size)
        n += (size_t)snprintf(title + n, size - n, "%s%s", dot, o->filter);
    if (o->page_loading && n < size) {
        char wait[64];
        if (explain_budget_wait(&u->m, (size_t)(o - u->m.orgs), true, wait, sizeof wait))
            n += (size_t)snprintf(title + n, size - n, "%s%s", dot, wait);
        else
            n += (size_t)snprintf(title + n, size - n, "%sloading%s", dot,
                                  u->utf8 ? "\xE2\x80\xA6" : "...");
    }
    char age[64];
    if (t.refreshed && t.rows && n < size &&
        explain_data_age(&u->m, (size_t)(o - u->m.orgs), age, sizeof age))
        snprintf(title + n, size - n, "%s%s", dot, age);
    utf8_trim_partial(title);
}

/* Why the table is empty: a 403 explained as the failure view does (which side must act), a
 * required filter or parent that is missing, another failure, or loading. */
static void draw_no_rows(struct ui *u, WINDOW *w, const struct model_org *o,
                         const struct resource *r, int width)
{
    struct model_table t;
    model_org_table(o, u->res, &t);
    const struct model_probe *p = t.probe;
    int y = 1;
    if (r->required && (!o->filter || !strstr(o->filter, r->required))) {
        putf(w, y++, 1, width, role_attr[ROLE_WARN], "%s need %s: select one in :%s, then :%s "
             "(or :%s %s=ID)", r->title, r->required,
             r->required_target >= 0 ? res_at(r->required_target)->name : "?", r->name, r->name,
             r->required);
        return;
    }
    if (r->parent >= 0 && !o->parent_id) {
        putf(w, y++, 1, width, role_attr[ROLE_WARN], "%s belong to one of the %s: select one in "
             ":%s, then :%s", r->title, res_at(r->parent)->name, res_at(r->parent)->name, r->name);
        return;
    }
    if (p && p->done && p->cls != API_OK && !o->page_loading) {
        if (p->cls == API_FORBIDDEN) {
            const char *scope = p->err.required_scope ? p->err.required_scope : r->scope;
            struct explain ex;
            explain_scope(&u->m, (size_t)(o - u->m.orgs), scope, &ex);
            putf(w, y++, 1, width, role_attr[ROLE_SCOPE], "403 %s", ex.headline ? ex.headline : "");
            for (size_t i = 0; i < ex.n && y < getmaxy(w) - 1; i++)
                put(w, y++, 1, width, ex.lines[i], A_NORMAL);
            explain_free(&ex);
        } else {
            put(w, y++, 1, width, p->summary ? p->summary : "failed",
                role_attr[ROLE_DOWN]);
        }
        if (p->err.trace_id && y < getmaxy(w) - 1)
            putf(w, y++, 1, width, role_attr[ROLE_DIM], "trace_id %s", p->err.trace_id);
        return;
    }
    char wait[64];
    if (explain_budget_wait(&u->m, (size_t)(o - u->m.orgs), true, wait, sizeof wait))
        put(w, y, 1, width, wait, role_attr[ROLE_DIM]);
    else
        putf(w, y, 1, width, role_attr[ROLE_DIM], "loading %s%s", r->name,
             u->utf8 ? "\xE2\x80\xA6" : "...");
}

/* Column positions: each its table width, the width-0 column (or else the last) the rest. */
static int layout_columns(const struct resource *r, int width, int *x, int *cw)
{
    int used = 0, flex = -1;
    size_t n = 0;
    for (; n < r->ncols; n++) {
        if (r->cols[n].width == 0 && flex < 0) {
            flex = (int)n;
            cw[n] = 0;
            continue;
        }
        int cwn = r->cols[n].width;
        bool last = n + 1 == r->ncols;
        if (last && flex >= 0 && used + cwn + 1 > width - 28) {
            /* A fixed last column after the flexible one (a name, then the id) leaves it 28
             * cells: cut down to 16, else left out. */
            cwn = width - 28 - used - 1;
            if (cwn < 16)
                break;
        } else if (used + cwn + 1 > width - (flex >= 0 || !last ? 8 : 0)) {
            break;
        }
        cw[n] = cwn;
        used += cw[n] + 1;
    }
    if (flex >= 0)
        cw[flex] = width - used - 1;
    else if (n > 0)
        cw[n - 1] += width - used - 1;
    int at = 1;
    for (size_t c = 0; c < n; c++) {
        x[c] = at;
        at += cw[c] + 1;
    }
    return (int)n;
}

static void draw_table(struct ui *u, WINDOW *w)
{
    struct model_org *o = selected_org(u);
    const struct resource *r = res_at(u->res);
    char title[512] = "";
    if (o && r)
        table_title(u, o, r, title, sizeof title);
    frame(u, w, PANE_PATIENTS, title);
    int h = getmaxy(w) - 2, width = getmaxx(w) - 2;
    if (!o || !r || h <= 0)
        return;
    if (u->prompting && u->prompt_cmd) {
        draw_switcher(u, w, h, width);
        return;
    }
    struct model_table t;
    model_org_table(o, u->res, &t);
    if (!t.rows || (t.probe && t.probe->done && t.probe->cls == API_FORBIDDEN &&
                    !o->page_loading)) {
        draw_no_rows(u, w, o, r, width);
        return;
    }
    int x[RES_MAX_COLS], cw[RES_MAX_COLS];
    int ncols = layout_columns(r, width, x, cw);
    for (int c = 0; c < ncols; c++)
        put(w, 1, x[c], cw[c], r->cols[c].title, role_attr[ROLE_TITLE]);
    const struct api_rows *rows = t.rows;
    if (rows->len == 0) {
        char one[64];
        singular(r->name, one, sizeof one);
        if (o->search)
            putf(w, 2, 1, width, role_attr[ROLE_DIM], "no %s matches", one);
        else
            putf(w, 2, 1, width, role_attr[ROLE_DIM], "no %s", r->name);
        return;
    }
    if (u->sel_patient >= rows->len)
        u->sel_patient = rows->len - 1;
    int shown = h - 1;
    size_t top = u->sel_patient >= (size_t)shown ? u->sel_patient - (size_t)shown + 1 : 0;
    for (int y = 0; y < shown && top + (size_t)y < rows->len; y++) {
        size_t i = top + (size_t)y;
        const struct api_row *row = &rows->items[i];
        bool sel = i == u->sel_patient;
        attr_t a = !sel ? A_NORMAL
                        : role_attr[u->focus == PANE_PATIENTS ? ROLE_SELECTED : ROLE_SEL_DIM];
        if (sel)
            mvwhline(w, y + 2, 1, ' ' | a, width);
        for (int c = 0; c < ncols && (size_t)c < row->ncells; c++) {
            const char *cell = row->cells[c];
            if (r->cols[c].phi && u->privacy)
                cell = mask_text(u);
            else if (!cell[0])
                cell = dash(u);
            put(w, y + 2, x[c], cw[c], cell, a);
        }
    }
}

void draw_resource_pane(struct ui *u)
{
    WINDOW *w = u->pane[PANE_PATIENTS];
    werase(w);
    draw_table(u, w);
    wnoutrefresh(w);
}

/* --- the record view ---------------------------------------------------------------------- */

void draw_record(struct ui *u)
{
    const struct model_detail *d = &u->m.detail;
    const struct resource *r = res_at(d->res);
    int h = u->lines - 2, w = u->cols - 4 < 100 ? u->cols - 4 : 100;
    if (u->overlay_win)
        delwin(u->overlay_win);
    u->overlay_win = newwin(h, w, 1, (u->cols - w) / 2);
    WINDOW *ow = u->overlay_win;
    werase(ow);
    wattrset(ow, role_attr[ROLE_FOCUS]);
    if (u->utf8)
        box(ow, 0, 0);
    else
        wborder(ow, '|', '|', '-', '-', '+', '+', '+', '+');
    char t[160];
    snprintf(t, sizeof t, " %s %s (Enter follows a link, Esc closes) ",
             r ? r->title : "Record", d->id ? d->id : "");
    put_raw(ow, 0, 2, w - 4, t, role_attr[ROLE_FOCUS]);
    int rows = h - 2, width = w - 4;
    u->overlay_rows = rows;
    if (d->loading || !d->probe.done) {
        char wait[64];
        if (explain_budget_wait(&u->m, d->org, false, wait, sizeof wait))
            put(ow, 1, 2, width, wait, role_attr[ROLE_DIM]);
        else
            put(ow, 1, 2, width, "loading...", role_attr[ROLE_DIM]);
        wnoutrefresh(ow);
        return;
    }
    if (d->probe.cls != API_OK) {
        int y = 1;
        if (d->probe.cls == API_FORBIDDEN && r) {
            struct explain ex;
            explain_scope(&u->m, d->org, d->probe.err.required_scope ? d->probe.err.required_scope
                                                                      : r->scope, &ex);
            putf(ow, y++, 2, width, role_attr[ROLE_SCOPE], "403 %s", ex.headline ? ex.headline : "");
            explain_free(&ex);
        } else {
            put(ow, y++, 2, width, d->probe.summary ? d->probe.summary : "failed",
                role_attr[ROLE_DOWN]);
        }
        if (d->probe.err.trace_id)
            putf(ow, y, 2, width, role_attr[ROLE_DIM], "trace_id %s", d->probe.err.trace_id);
        wnoutrefresh(ow);
        return;
    }
    const struct api_detail *f = &d->fields;
    int n = (int)f->n;
    if (u->overlay_sel >= n)
        u->overlay_sel = n - 1;
    if (u->overlay_sel < 0)
        u->overlay_sel = 0;
    /* The selection stays on screen: the scroll follows it. */
    if (u->overlay_sel < u->overlay_scroll)
        u->overlay_scroll = u->overlay_sel;
    if (u->overlay_sel >= u->overlay_scroll + rows)
        u->overlay_scroll = u->overlay_sel - rows + 1;
    int kw = 12;
    for (int i = 0; i < n; i++) {
        int pw = shown_width(f->fields[i].path);
        if (pw > kw)
            kw = pw;
    }
    if (kw > width / 2)
        kw = width / 2;
    for (int y = 0; y < rows && y + u->overlay_scroll < n; y++) {
        int i = y + u->overlay_scroll;
        const struct api_field *fl = &f->fields[i];
        attr_t a = i == u->overlay_sel ? role_attr[ROLE_SELECTED] : A_NORMAL;
        if (i == u->overlay_sel)
            mvwhline(ow, y + 1, 2, ' ' | a, width);
        put(ow, y + 1, 2, kw, fl->path, a | (i == u->overlay_sel ? 0 : role_attr[ROLE_TITLE]));
        char link[64] = "";
        if (fl->link >= 0)
            snprintf(link, sizeof link, " %s %s", u->utf8 ? "\xE2\x86\x92" : "->",
                     res_at(fl->link)->name);
        int lw = shown_width(link);
        const char *value = fl->phi && u->privacy ? mask_text(u) : fl->value;
        put(ow, y + 1, 2 + kw + 1, width - kw - 1 - lw, value, a);
        if (lw)
            put(ow, y + 1, 2 + width - lw, lw, link, a | role_attr[ROLE_DIM]);
    }
    char foot[200] = "";
    if (u->overlay_sel < n && f->fields[u->overlay_sel].link >= 0)
        snprintf(foot, sizeof foot, " Enter opens %s %s; Tab the next link ",
                 res_at(f->fields[u->overlay_sel].link)->name, f->fields[u->overlay_sel].link_id);
    else if (f->cut)
        snprintf(foot, sizeof foot, " cut: more fields or deeper nesting than shown ");
    else
        snprintf(foot, sizeof foot, " Tab goes to a link ");
    utf8_trim_partial(foot);
    put(ow, h - 1, 2, width, foot, role_attr[ROLE_FOCUS]);
    wnoutrefresh(ow);
}

/* --- the form view ------------------------------------------------------------------------ */

void form_title(struct ui *u, char *buf, size_t size)
{
    const struct resource *r = res_at(u->m.detail.res);
    singular(r ? r->title : "Record", buf, size);
}

void form_lines(struct ui *u, struct lines *l)
{
    const struct model_detail *d = &u->m.detail;
    const struct resource *r = res_at(d->res);
    char one[64];
    singular(r ? r->name : "record", one, sizeof one);
    if (d->loading || !d->probe.done) {
        char wait[64];
        if (explain_budget_wait(&u->m, d->org, false, wait, sizeof wait))
            add_line(l, "%s: %s %s", wait, one, d->id ? d->id : "");
        else
            add_line(l, "loading %s %s...", one, d->id ? d->id : "");
        return;
    }
    if (d->probe.cls != API_OK) {
        add_line(l, "%s", d->probe.summary ? d->probe.summary : "failed");
        if (d->probe.err.trace_id)
            add_line(l, "trace_id %s", d->probe.err.trace_id);
        return;
    }
    for (size_t i = 0; i < d->fields.n; i++) {
        const struct api_field *f = &d->fields.fields[i];
        const char *value = !f->value[0] ? dash(u) : f->phi && u->privacy ? mask_text(u)
                                                                           : f->value;
        add_line(l, "%-12s %s", f->path, value);
    }
}

/* --- the scope map ------------------------------------------------------------------------ */

void scope_lines(struct ui *u, struct lines *l)
{
    struct model_org *o = selected_org(u);
    if (!o)
        return;
    int v = res_version_of(ui_base_url(u));
    add_line(l, "%s %s API v%d", o->cfg->name, u->utf8 ? "\xC2\xB7" : "-", v);
    add_line(l, "%-20s %-12s %-10s %s", "Scope", "/me", "Endpoint", "Resource");
    for (size_t k = 0; k < o->nscopes; k++) {
        const struct model_scope *sc = &o->scopes[k];
        const struct model_probe *p = &sc->probe;
        const char *granted = !o->have_me ? "unknown"
                              : model_org_has_scope(o, sc->scope) ? "granted" : "not granted";
        const char *state = p->done ? (p->cls == API_OK || p->cls == API_BAD_REQUEST ? "answers"
                                       : p->cls == API_FORBIDDEN ? "403" : api_class_name(p->cls))
                          : sc->pending || sc->loading ? "asking..."
                          : sc->me_failed ? "not asked" : sc->not_served ? "not served"
                                                                          : "not asked";
        add_line(l, "%-20s %-12s %-10s %s", sc->scope, granted, state, res_at(sc->res)->name);
        if (p->done && p->cls == API_FORBIDDEN) {
            struct explain ex;
            explain_scope(&u->m, (size_t)(o - u->m.orgs), sc->scope, &ex);
            if (ex.headline)
                add_line(l, "    %s %s", u->utf8 ? "\xE2\x86\x92" : "->", ex.headline);
            explain_free(&ex);
        }
    }
    add_line(l, " ");
    add_line(l, "answers: the endpoint took the key (200, or 400 for a missing parameter, "
                "which the API checks after the scope); one page-size-1 request per scope.");
}
