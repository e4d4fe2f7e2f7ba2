/* The resource browser's actions (issue 16): switching the right-hand table to any resource of
 * the table, its filters (a date range for resources with scheduled dates, today by default),
 * the ':' command line and its completion, opening a record and following its links. Nothing
 * here knows one resource from another: all of it comes from the resource table. */
#include "ui_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "restable.h"
#include "util.h"

void resources_init(struct ui *u)
{
    u->res = res_patients();
    u->res_filter = xcalloc((size_t)res_count() + 1, sizeof *u->res_filter);
    u->res_last_id = xcalloc((size_t)res_count() + 1, sizeof *u->res_last_id);
}

void resources_free(struct ui *u)
{
    for (int i = 0; u->res_filter && i < res_count(); i++) {
        free(u->res_filter[i]);
        free(u->res_last_id[i]);
    }
    free(u->res_filter);
    free(u->res_last_id);
    u->res_filter = u->res_last_id = NULL;
}

/* Whether a resource's dates are scheduled ones (the table's date field): those open on today,
 * as a day planner does; other dated lists (bills, tasks) open unfiltered. */
static bool dated_today(const struct resource *r)
{
    return r->date_field && strncmp(r->date_field, "scheduled", 9) == 0 &&
           res_has_filter(r, "dateFrom");
}

static void local_day(time_t t, char buf[16])
{
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, 16, "%Y-%m-%d", &tm);
}

/* The value of name in filter ("a=1 b=2"), copied into out; false when absent. */
static bool filter_get(const char *filter, const char *name, char *out, size_t size)
{
    size_t n = strlen(name);
    for (const char *f = filter ? filter : ""; *f;) {
        f += strspn(f, " ");
        size_t k = strcspn(f, " ");
        if (k > n && strncmp(f, name, n) == 0 && f[n] == '=') {
            bprintf(out, size, "%.*s", (int)(k - n - 1), f + n + 1);
            return true;
        }
        f += k;
    }
    return false;
}

/* filter with name set to value (value NULL or "": removed). Caller frees; NULL when empty. */
static char *filter_set(const char *filter, const char *name, const char *value)
{
    size_t n = strlen(name);
    char *out = xstrdup("");
    for (const char *f = filter ? filter : ""; *f;) {
        f += strspn(f, " ");
        size_t k = strcspn(f, " ");
        if (k && !(k > n && strncmp(f, name, n) == 0 && f[n] == '=')) {
            char *next = xasprintf("%s%s%.*s", out, *out ? " " : "", (int)k, f);
            free(out);
            out = next;
        }
        f += k;
    }
    if (value && *value) {
        char *next = xasprintf("%s%s%s=%s", out, *out ? " " : "", name, value);
        free(out);
        out = next;
    }
    if (!*out) {
        free(out);
        return NULL;
    }
    return out;
}

void show_resource(struct ui *u, size_t org, int res)
{
    const struct resource *r = res_at(res);
    if (!r || org >= u->m.norgs)
        return;
    if (!u->res_filter[res] && dated_today(r)) {
        char today[16];
        local_day(time(NULL), today);
        char *f = filter_set(NULL, "dateFrom", today);
        u->res_filter[res] = filter_set(f, "dateTo", today);
        free(f);
    }
    /* A filter the list cannot do without (a facility) or a parent (a change's products): the
     * record of that resource the user last selected or opened, else the table says how. */
    if (r->required && r->required_target >= 0 && u->res_last_id[r->required_target]) {
        char have[8];
        if (!filter_get(u->res_filter[res], r->required, have, sizeof have)) {
            char *f = filter_set(u->res_filter[res], r->required,
                                 u->res_last_id[r->required_target]);
            free(u->res_filter[res]);
            u->res_filter[res] = f;
        }
    }
    const char *parent = r->parent >= 0 ? u->res_last_id[r->parent] : NULL;
    struct model_org *o = &u->m.orgs[org];
    engine_want_resource(u->e, org, res, 1, res == o->res ? o->search : NULL, u->res_filter[res],
                         parent);
    u->sel_patient = 0;
    u->patients_reset = true;
    u->dirty |= DIRTY_PATIENTS;
}

static void switch_to(struct ui *u, int res)
{
    if (res != u->res)
        selection_reset(&u->patient_sel);
    u->res = res;
    u->focus = PANE_PATIENTS;
    show_resource(u, u->sel_org, res);
    u->dirty |= DIRTY_PANES;
}

/* "2026-12-01" or "2026-12-01..2026-12-07" into a date range; "all" clears it. */
static bool date_words(const char *w, char *from, char *to)
{
    if (strcmp(w, "all") == 0) {
        from[0] = to[0] = '\0';
        return true;
    }
    if (strcmp(w, "today") == 0) {
        local_day(time(NULL), from);
        strcpy(to, from);
        return true;
    }
    int y, mo, d, y2, mo2, d2, n = 0;
    if (sscanf(w, "%4d-%2d-%2d%n", &y, &mo, &d, &n) == 3 && (size_t)n == strlen(w)) {
        snprintf(from, 16, "%04d-%02d-%02d", y, mo, d);
        strcpy(to, from);
        return true;
    }
    if (sscanf(w, "%4d-%2d-%2d..%4d-%2d-%2d%n", &y, &mo, &d, &y2, &mo2, &d2, &n) == 6 &&
        (size_t)n == strlen(w)) {
        snprintf(from, 16, "%04d-%02d-%02d", y, mo, d);
        snprintf(to, 16, "%04d-%02d-%02d", y2, mo2, d2);
        return true;
    }
    return false;
}

void run_command(struct ui *u, const char *text)
{
    char buf[LINEEDIT_MAX + 1];
    bprintf(buf, sizeof buf, "%s", text ? text : "");
    char *save = NULL, *word = strtok_r(buf, " ", &save);
    if (!word)
        return;
    if (strcmp(word, "scopes") == 0 || strcmp(word, "scope") == 0) {
        engine_probe_scopes(u->e, u->sel_org);
        u->overlay = OVERLAY_SCOPES;
        u->overlay_scroll = 0;
        u->dirty |= DIRTY_OVERLAY;
        return;
    }
    if (strcmp(word, "q") == 0 || strcmp(word, "quit") == 0) {
        u->quit = true;
        return;
    }
    int res = res_find(word);
    if (res < 0) {
        set_status(u, " no resource '%.40s': Tab completes; :scopes shows the scope map", word);
        return;
    }
    const struct resource *r = res_at(res);
    int v = res_version_of(ui_base_url(u));
    if (!res_in_version(r, v)) {
        set_status(u, " %s are not served by API v%d (resources.def)", r->name, v);
        return;
    }
    /* The rest: a day or a range for a dated resource, name=value filters (empty: removed). */
    for (char *w = strtok_r(NULL, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        char from[16], to[16];
        char *eq = strchr(w, '=');
        if (eq) {
            *eq = '\0';
            if (!res_has_filter(r, w)) {
                set_status(u, " %s take no filter '%.40s'", r->name, w);
                return;
            }
            char *f = filter_set(u->res_filter[res], w, eq + 1);
            free(u->res_filter[res]);
            u->res_filter[res] = f;
        } else if (res_has_filter(r, "dateFrom") && date_words(w, from, to)) {
            char *f = filter_set(u->res_filter[res], "dateFrom", from);
            char *g = filter_set(f, "dateTo", to);
            free(f);
            free(u->res_filter[res]);
            /* "all" leaves no date: kept as an explicit empty filter so today is not put back. */
            u->res_filter[res] = g ? g : xstrdup(" ");
        } else {
            set_status(u, " '%.40s': give name=value (%s) or a date", w,
                       r->nfilters ? "see the help" : "no filters");
            return;
        }
    }
    switch_to(u, res);
}

void complete_command(struct ui *u)
{
    size_t n = strcspn(u->prompt, " ");
    if (u->prompt[n]) /* the name is typed: nothing to complete */
        return;
    int match = -1, count = 0;
    for (int i = 0; i < res_count(); i++) {
        if (strncasecmp(res_at(i)->name, u->prompt, n) == 0) {
            match = i;
            count++;
        }
    }
    if (count == 0)
        return;
    if (count == 1) {
        bprintf(u->prompt, sizeof u->prompt, "%s ", res_at(match)->name);
    } else {
        /* The longest common prefix of the matches. */
        char common[64];
        bprintf(common, sizeof common, "%s", res_at(match)->name);
        for (int i = 0; i < res_count(); i++) {
            const char *name = res_at(i)->name;
            if (strncasecmp(name, u->prompt, n) != 0)
                continue;
            size_t k = 0;
            while (common[k] && common[k] == name[k])
                k++;
            common[k] = '\0';
        }
        if (strlen(common) > n)
            bprintf(u->prompt, sizeof u->prompt, "%s", common);
    }
    u->prompt_len = strlen(u->prompt);
    open_editor(u);
    u->dirty |= DIRTY_FOOTER | DIRTY_PATIENTS;
}

void note_selected_row(struct ui *u)
{
    const struct api_rows *rows = shown_rows(u);
    if (!rows || u->sel_patient >= rows->len || !rows->items[u->sel_patient].id)
        return;
    free(u->res_last_id[u->res]);
    u->res_last_id[u->res] = xstrdup(rows->items[u->sel_patient].id);
}

static void open_item(struct ui *u, int res, const char *id)
{
    free(u->res_last_id[res]);
    u->res_last_id[res] = xstrdup(id);
    engine_fetch_item(u->e, u->sel_org, res, id);
    u->overlay = res_at(res)->nfields ? OVERLAY_FORM : OVERLAY_RECORD;
    u->overlay_scroll = 0;
    u->overlay_sel = 0;
    u->dirty |= DIRTY_OVERLAY;
}

void open_record(struct ui *u)
{
    const struct api_rows *rows = shown_rows(u);
    if (!rows || u->sel_patient >= rows->len)
        return;
    const struct api_row *row = &rows->items[u->sel_patient];
    const struct resource *r = res_at(u->res);
    if (row->id && r->detail_path) {
        open_item(u, u->res, row->id);
        return;
    }
    /* No detail of its own (stock levels, a change's products): its first link opens. */
    for (size_t l = 0; l < row->nlinks; l++) {
        if (row->links[l] && res_at(r->links[l].target)->detail_path) {
            open_item(u, r->links[l].target, row->links[l]);
            return;
        }
    }
    set_status(u, " %s have no detail view", r->name);
}

void next_link(struct ui *u)
{
    const struct model_detail *d = &u->m.detail;
    if (!d->probe.done || d->probe.cls != API_OK || d->fields.n == 0)
        return;
    size_t n = d->fields.n, at = u->overlay_sel >= 0 ? (size_t)u->overlay_sel : 0;
    const struct api_field *cur = at < n ? &d->fields.fields[at] : NULL;
    for (size_t k = 1; k <= n; k++) {
        const struct api_field *f = &d->fields.fields[(at + k) % n];
        bool same = cur && cur->link == f->link && cur->link_id && f->link_id &&
                    strcmp(cur->link_id, f->link_id) == 0;
        if (f->link >= 0 && !same) {
            u->overlay_sel = (int)((at + k) % n);
            u->dirty |= DIRTY_OVERLAY;
            return;
        }
    }
}

bool follow_link(struct ui *u)
{
    const struct model_detail *d = &u->m.detail;
    if (u->overlay != OVERLAY_RECORD || !d->probe.done || d->probe.cls != API_OK ||
        u->overlay_sel < 0 || (size_t)u->overlay_sel >= d->fields.n)
        return false;
    const struct api_field *f = &d->fields.fields[u->overlay_sel];
    if (f->link < 0 || !f->link_id || !res_at(f->link)->detail_path)
        return false;
    char *id = xstrdup(f->link_id);
    int target = f->link;
    open_item(u, target, id);
    free(id);
    return true;
}

void shift_dates(struct ui *u, int days)
{
    const struct resource *r = res_at(u->res);
    char from[16], to[16];
    if (!r || !res_has_filter(r, "dateFrom") ||
        !filter_get(u->res_filter[u->res], "dateFrom", from, sizeof from)) {
        set_status(u, " the table has no date range ([ ] move it)");
        return;
    }
    if (!filter_get(u->res_filter[u->res], "dateTo", to, sizeof to))
        bprintf(to, sizeof to, "%s", from);
    char *dates[2] = {from, to};
    for (int i = 0; i < 2; i++) {
        struct tm tm = {0};
        if (sscanf(dates[i], "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3)
            return;
        tm.tm_year -= 1900;
        tm.tm_mon -= 1;
        tm.tm_mday += days;
        tm.tm_hour = 12; /* away from a daylight-saving change */
        local_day(mktime(&tm), dates[i]);
    }
    char *f = filter_set(u->res_filter[u->res], "dateFrom", from);
    char *g = filter_set(f, "dateTo", to);
    free(f);
    free(u->res_filter[u->res]);
    u->res_filter[u->res] = g;
    show_resource(u, u->sel_org, u->res);
}
