/* The dashboard's actions: the key table from keys.def, what each action does, and the
 * selections kept by identity (issue 13). Handlers change state and mark panes dirty; the loop
 * in ui.c draws. */
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

const struct action_def actions[ACT_COUNT] = {
#define ACTION(id, k, h, ...) [ACT_##id] = {k, h, {__VA_ARGS__}},
#include "keys.def"
#undef ACTION
};

enum action action_of(int code)
{
    for (int a = 0; a < ACT_COUNT; a++)
        for (int i = 0; actions[a].codes[i]; i++)
            if (actions[a].codes[i] == code)
                return (enum action)a;
    return ACT_NONE;
}

/* --- actions ------------------------------------------------------------------------------ */

void set_status(struct ui *u, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(u->status, sizeof u->status, fmt, ap);
    va_end(ap);
    utf8_trim_partial(u->status);
    u->status_until = wall_now() + 4;
    u->dirty |= DIRTY_FOOTER;
}

void select_org(struct ui *u, size_t i)
{
    if (u->m.norgs == 0)
        return;
    if (i >= u->m.norgs)
        i = u->m.norgs - 1;
    if (i == u->sel_org)
        return;
    engine_unwant_page(u->e, u->sel_org);
    u->sel_org = i;
    u->sel_patient = 0;
    u->patients_reset = true;
    const char *name = u->m.orgs[i].cfg->name;
    selection_set(&u->org_sel, &name, 1, 0);
    u->org_sel.row = i;
    struct model_org *o = &u->m.orgs[i];
    if (u->res == res_patients() && o->res == u->res)
        engine_want_page(u->e, i, o->page_no, o->search);
    else
        show_resource(u, i, u->res); /* the table keeps its resource across orgs (issue 16) */
    u->dirty |= DIRTY_PANES | DIRTY_HEADER;
}

void move_sel(struct ui *u, long delta, bool absolute)
{
    size_t idx[1000];
    switch (u->focus) {
    case PANE_ORGS:
        orgview_move(u, delta, absolute); /* along the rows listed: filtered, sorted */
        break;
    case PANE_PATIENTS: {
        const struct api_rows *rows = shown_rows(u);
        long n = rows ? (long)rows->len : 0;
        long at = absolute ? delta : (long)u->sel_patient + delta;
        u->sel_patient = (size_t)(at < 0 || n == 0 ? 0 : at >= n ? n - 1 : at);
        if (n > 0) {
            const char *id = rows->items[u->sel_patient].id ? rows->items[u->sel_patient].id : "";
            selection_set(&u->patient_sel, &id, 1, 0);
            u->patient_sel.row = u->sel_patient;
            note_selected_row(u);
        }
        u->dirty |= DIRTY_PATIENTS;
        break;
    }
    case PANE_FAILS: {
        long n = (long)visible_failures(u, idx, ARRAY_LEN(idx));
        long at = absolute ? delta : (long)u->sel_fail + delta;
        u->sel_fail = (size_t)(at < 0 || n == 0 ? 0 : at >= n ? n - 1 : at);
        if (n > 0) {
            char *key = model_failure_key(&u->m.failures[idx[u->sel_fail]]);
            const char *k = key;
            selection_set(&u->fail_sel, &k, 1, 0);
            u->fail_sel.row = u->sel_fail;
            free(key);
        }
        u->dirty |= DIRTY_FAILS;
        break;
    }
    default:
        break;
    }
}

static void change_page(struct ui *u, long delta)
{
    struct model_org *o = selected_org(u);
    if (!o)
        return;
    long pages = shown_rows(u) ? shown_rows(u)->total_pages : -1;
    long next = o->page_no + delta;
    if (next < 1 || (pages >= 0 && next > (pages ? pages : 1)))
        return;
    engine_want_page(u->e, u->sel_org, next, o->search);
    u->sel_patient = 0;
    u->patients_reset = true;
    u->dirty |= DIRTY_PATIENTS;
}

/* Keeps every list's selection on the same item after the model or a filter changed
 * (issue 13): orgs by name, failure groups by their grouping fields, patients by id. When the
 * item is gone the nearest neighbour is selected and the status line says so. */
void sync_selection(struct ui *u)
{
    size_t idx[1000];
    if (u->m.norgs) {
        const char **keys = xmalloc(u->m.norgs * sizeof *keys);
        for (size_t i = 0; i < u->m.norgs; i++)
            keys[i] = u->m.orgs[i].cfg->name;
        if (!u->org_sel.key) /* the org of --org, or the first */
            selection_set(&u->org_sel, keys, u->m.norgs, u->sel_org);
        selection_resolve(&u->org_sel, keys, u->m.norgs);
        free(keys);
        if (u->org_sel.row != u->sel_org)
            select_org(u, u->org_sel.row);
    }
    size_t n = visible_failures(u, idx, ARRAY_LEN(idx));
    char **fkeys = xmalloc((n ? n : 1) * sizeof *fkeys);
    for (size_t i = 0; i < n; i++)
        fkeys[i] = model_failure_key(&u->m.failures[idx[i]]);
    /* Unfocused and never moved, the selection follows the newest group; once the pane has the
     * focus it holds on to its group, so that y then Enter act on the same one. */
    if (!u->fail_sel.key && u->focus == PANE_FAILS && n)
        selection_set(&u->fail_sel, (const char *const *)fkeys, n, u->sel_fail < n ? u->sel_fail : 0);
    enum selection_outcome out = selection_resolve(&u->fail_sel, (const char *const *)fkeys, n);
    if (out != SELECTION_EMPTY && u->sel_fail != u->fail_sel.row) {
        u->sel_fail = u->fail_sel.row;
        u->dirty |= DIRTY_FAILS;
    }
    if (out == SELECTION_NEIGHBOUR) {
        const struct model_failure *f = &u->m.failures[idx[u->sel_fail]];
        set_status(u, " the selected failure group is no longer listed: selected %s %d %s",
                   f->org_name ? f->org_name : "?", f->status,
                   f->code ? f->code : api_class_name(f->cls));
    }
    for (size_t i = 0; i < n; i++)
        free(fkeys[i]);
    free(fkeys);
    /* Patients: a page the user asked for starts on top once it has arrived; a refresh of the
     * same page keeps the patient. */
    struct model_org *o = selected_org(u);
    const struct api_rows *rows = shown_rows(u);
    if (!o || o->page_loading || !rows)
        return;
    if (u->patients_reset) {
        selection_reset(&u->patient_sel);
        u->patients_reset = false;
    }
    size_t len = rows->len;
    const char **ids = xmalloc((len ? len : 1) * sizeof *ids);
    for (size_t i = 0; i < len; i++) {
        const char *id = rows->items[i].id;
        ids[i] = id ? id : "";
    }
    if (!u->patient_sel.key && u->focus == PANE_PATIENTS && len)
        selection_set(&u->patient_sel, ids, len, u->sel_patient < len ? u->sel_patient : 0);
    out = selection_resolve(&u->patient_sel, ids, len);
    free(ids);
    if (out != SELECTION_EMPTY && u->sel_patient != u->patient_sel.row) {
        u->sel_patient = u->patient_sel.row;
        u->dirty |= DIRTY_PATIENTS;
    }
    if (out == SELECTION_NEIGHBOUR)
        set_status(u, " the selected patient is no longer on this page: selected row %zu",
                   u->sel_patient + 1);
    note_selected_row(u); /* it fills another resource's required filter (issue 16) */
}

static void open_selected(struct ui *u)
{
    size_t idx[1000];
    if (u->focus == PANE_PATIENTS) {
        open_record(u);
    } else if (u->focus == PANE_FAILS) {
        if (u->sel_fail < visible_failures(u, idx, ARRAY_LEN(idx))) {
            /* The highlighted row's group (the selection may still be following the top). */
            u->overlay = OVERLAY_FAILURE;
            free(u->overlay_key);
            u->overlay_key = model_failure_key(&u->m.failures[idx[u->sel_fail]]);
            u->overlay_scroll = 0;
            u->dirty |= DIRTY_OVERLAY;
        }
    } else if (u->focus == PANE_ORGS) {
        u->focus = PANE_PATIENTS;
        u->dirty |= DIRTY_PANES;
    }
}

static void close_overlay(struct ui *u)
{
    if (u->overlay == OVERLAY_FORM || u->overlay == OVERLAY_RECORD)
        engine_close_patient(u->e);
    u->overlay = OVERLAY_NONE;
    if (u->overlay_win) {
        delwin(u->overlay_win);
        u->overlay_win = NULL;
    }
    /* Everything under the overlay must be drawn again. */
    touchwin(stdscr);
    for (int p = 0; p < PANE_COUNT; p++)
        if (u->pane[p])
            touchwin(u->pane[p]);
    u->dirty |= DIRTY_ALL & ~DIRTY_LAYOUT;
}

static void finish_prompt(struct ui *u, bool accept)
{
    u->prompting = false;
    lineedit_close(u->le);
    u->le = NULL;
    u->le_parent = NULL;
    curs_set(0);
    u->dirty |= DIRTY_FOOTER;
    if (u->prompt_cmd) {
        u->prompt_cmd = false;
        u->dirty |= DIRTY_PATIENTS; /* the switcher goes */
        if (accept)
            run_command(u, u->prompt);
        return;
    }
    if (!accept) {
        if (u->prompt_pane == PANE_ORGS) {
            free(u->org_filter);
            u->org_filter = u->org_filter_before;
            u->org_filter_before = NULL;
            orgview_after_filter(u);
        } else if (u->prompt_pane == PANE_FAILS) {
            /* Esc undoes what filtering as you typed did. */
            free(u->fail_filter);
            u->fail_filter = u->filter_before;
            u->filter_before = NULL;
            u->dirty |= DIRTY_FAILS;
        }
        return;
    }
    free(u->filter_before);
    u->filter_before = NULL;
    const char *text = u->prompt_len ? u->prompt : NULL;
    if (u->prompt_pane == PANE_ORGS) {
        free(u->org_filter_before);
        u->org_filter_before = NULL;
        free(u->org_filter);
        u->org_filter = text ? xstrdup(text) : NULL;
        orgview_after_filter(u);
    } else if (u->prompt_pane == PANE_FAILS) {
        free(u->fail_filter);
        u->fail_filter = text ? xstrdup(text) : NULL;
        u->dirty |= DIRTY_FAILS; /* the selection stays on its group if the filter keeps it */
    } else {
        engine_want_page(u->e, u->sel_org, 1, text);
        u->sel_patient = 0;
        u->patients_reset = true;
        u->dirty |= DIRTY_PATIENTS;
    }
}

void prompt_key(struct ui *u, wint_t ch, bool is_key)
{
    enum lineedit_result r;
    if (u->prompt_cmd && !is_key && ch == '\t') {
        complete_command(u);
        return;
    }
    if (u->le) {
        r = lineedit_key(u->le, ch, is_key);
    } else {
        /* No editor (the window is too small for the footer): Enter and Esc still work. */
        bool enter = (!is_key && (ch == '\n' || ch == '\r')) || (is_key && ch == KEY_ENTER);
        r = enter ? LINEEDIT_ACCEPT : !is_key && ch == 27 ? LINEEDIT_CANCEL : LINEEDIT_IGNORED;
    }
    if (u->le && r != LINEEDIT_IGNORED) {
        snprintf(u->prompt, sizeof u->prompt, "%s", lineedit_text(u->le));
        u->prompt_len = strlen(u->prompt);
    }
    switch (r) {
    case LINEEDIT_ACCEPT: finish_prompt(u, true); return;
    case LINEEDIT_CANCEL: finish_prompt(u, false); return;
    case LINEEDIT_IGNORED: return;
    case LINEEDIT_EDITED: break;
    }
    if (u->prompt_pane == PANE_ORGS) {
        /* So is the orgs filter. */
        free(u->org_filter);
        u->org_filter = u->prompt_len ? xstrdup(u->prompt) : NULL;
        orgview_after_filter(u);
    } else if (u->prompt_pane == PANE_FAILS) {
        /* The failures filter is local: it applies as you type. */
        free(u->fail_filter);
        u->fail_filter = u->prompt_len ? xstrdup(u->prompt) : NULL;
        u->dirty |= DIRTY_FAILS;
    }
    if (u->prompt_cmd)
        u->dirty |= DIRTY_PATIENTS; /* the switcher follows what is typed */
    u->dirty |= DIRTY_FOOTER;
}

static void focus_pane(struct ui *u, int step)
{
    for (int i = 0; i < PANE_COUNT; i++) {
        int p = ((int)u->focus + step + PANE_COUNT) % PANE_COUNT;
        u->focus = (enum pane)p;
        if (u->r_pane[p].shown && p != PANE_ORG)
            break;
    }
    u->dirty |= DIRTY_PANES;
}

void do_action(struct ui *u, enum action a)
{
    /* A key acts on what the screen shows: an earlier key of the same burst may have changed
     * a filter, so the rows are found again first. */
    sync_selection(u);
    if (u->overlay == OVERLAY_RECORD) {
        /* The record view moves a selection (links are followed from it). */
        int page = u->overlay_rows > 1 ? u->overlay_rows - 1 : 1;
        switch (a) {
        case ACT_OPEN:
            if (follow_link(u))
                return;
            break;
        case ACT_NEXT_PANE:
            next_link(u);
            return;
        case ACT_DOWN: case ACT_UP: case ACT_NEXT_PAGE: case ACT_PREV_PAGE: case ACT_FIRST:
        case ACT_LAST:
            u->overlay_sel += a == ACT_DOWN ? 1 : a == ACT_UP ? -1 : a == ACT_NEXT_PAGE ? page
                            : a == ACT_PREV_PAGE ? -page : a == ACT_FIRST ? -1000000 : 1000000;
            if (u->overlay_sel < 0)
                u->overlay_sel = 0; /* draw_record stops it at the last line */
            u->dirty |= DIRTY_OVERLAY;
            return;
        default:
            break;
        }
    }
    if (u->overlay != OVERLAY_NONE) {
        switch (a) {
        case ACT_CANCEL:
        case ACT_OPEN:
        case ACT_HELP:
        case ACT_QUIT: /* q closes what it is looking at, as in less and k9s; q again quits */
            close_overlay(u);
            return;
        case ACT_DOWN:
        case ACT_UP:
        case ACT_NEXT_PAGE:
        case ACT_PREV_PAGE:
        case ACT_FIRST:
        case ACT_LAST: {
            int page = u->overlay_rows > 1 ? u->overlay_rows - 1 : 1;
            u->overlay_scroll += a == ACT_DOWN ? 1 : a == ACT_UP ? -1 : a == ACT_NEXT_PAGE ? page
                               : a == ACT_PREV_PAGE ? -page : a == ACT_FIRST ? -1000000 : 1000000;
            if (u->overlay_scroll < 0)
                u->overlay_scroll = 0; /* the top; draw_overlay stops it at the bottom */
            u->dirty |= DIRTY_OVERLAY;
            return;
        }
        case ACT_REDRAW:
            break;
        case ACT_COPY_TRACE:
        case ACT_COPY_NOTE:
        case ACT_COPY_CURL:
        case ACT_PRIVACY:
            break;
        default:
            return;
        }
    }
    switch (a) {
    case ACT_QUIT: u->quit = true; break;
    case ACT_REDRAW:
        clearok(curscr, TRUE); /* the terminal was written over: repaint every cell */
        u->dirty = DIRTY_ALL;
        break;
    case ACT_HELP:
        u->overlay = OVERLAY_HELP;
        u->overlay_scroll = 0;
        u->dirty |= DIRTY_OVERLAY;
        break;
    case ACT_NEXT_PANE: focus_pane(u, 1); break;
    case ACT_PREV_PANE: focus_pane(u, -1); break;
    case ACT_DOWN: move_sel(u, 1, false); break;
    case ACT_UP: move_sel(u, -1, false); break;
    case ACT_FIRST: move_sel(u, 0, true); break;
    case ACT_LAST: move_sel(u, 1L << 30, true); break;
    case ACT_COMMAND:
        u->prompting = true;
        u->prompt_cmd = true;
        u->prompt_pane = PANE_PATIENTS;
        u->prompt[0] = '\0';
        u->prompt_len = 0;
        open_editor(u);
        u->dirty |= DIRTY_FOOTER | DIRTY_PATIENTS;
        break;
    case ACT_RESOURCE:
        if (u->last_code >= '1' && u->last_code <= '9' && u->last_code - '1' < res_count()) {
            char name[64];
            bprintf(name, sizeof name, "%s", res_at(u->last_code - '1')->name);
            run_command(u, name);
        }
        break;
    case ACT_PREV_DAY: shift_dates(u, -1); break;
    case ACT_NEXT_DAY: shift_dates(u, 1); break;
    case ACT_SCOPES: run_command(u, "scopes"); break;
    case ACT_SEARCH:
        if (u->focus == PANE_PATIENTS && !res_has_filter(res_at(u->res), "search")) {
            set_status(u, " %s have no server-side search; : takes their filters",
                       res_at(u->res)->name);
            break;
        }
        u->prompt_cmd = false;
        u->prompting = true;
        u->prompt_pane = u->focus == PANE_FAILS ? PANE_FAILS
                         : u->focus == PANE_ORGS ? PANE_ORGS
                                                 : PANE_PATIENTS;
        u->prompt[0] = '\0';
        u->prompt_len = 0;
        if (u->prompt_pane == PANE_ORGS) {
            free(u->org_filter_before);
            u->org_filter_before = u->org_filter ? xstrdup(u->org_filter) : NULL;
            if (u->org_filter) {
                snprintf(u->prompt, sizeof u->prompt, "%s", u->org_filter);
                u->prompt_len = strlen(u->prompt);
            }
            open_editor(u);
            u->dirty |= DIRTY_FOOTER;
            break;
        }
        if (u->prompt_pane == PANE_PATIENTS && selected_org(u) && selected_org(u)->search) {
            snprintf(u->prompt, sizeof u->prompt, "%s", selected_org(u)->search);
            u->prompt_len = strlen(u->prompt);
        }
        if (u->prompt_pane == PANE_FAILS) {
            free(u->filter_before);
            u->filter_before = u->fail_filter ? xstrdup(u->fail_filter) : NULL;
            if (u->fail_filter) {
                snprintf(u->prompt, sizeof u->prompt, "%s", u->fail_filter);
                u->prompt_len = strlen(u->prompt);
            }
        }
        open_editor(u);
        u->dirty |= DIRTY_FOOTER;
        break;
    case ACT_CANCEL:
        if (u->focus == PANE_ORGS && u->org_filter) {
            free(u->org_filter);
            u->org_filter = NULL;
            orgview_after_filter(u);
        } else if (u->focus == PANE_FAILS && u->fail_filter) {
            free(u->fail_filter);
            u->fail_filter = NULL;
            u->dirty |= DIRTY_FAILS;
        } else if (selected_org(u) && selected_org(u)->search) {
            engine_want_page(u->e, u->sel_org, 1, NULL);
            u->patients_reset = true;
            u->dirty |= DIRTY_PATIENTS;
        }
        break;
    case ACT_OPEN: open_selected(u); break;
    case ACT_NEXT_PAGE: change_page(u, 1); break;
    case ACT_PREV_PAGE: change_page(u, -1); break;
    case ACT_REFRESH:
        engine_refresh_org(u->e, u->sel_org);
        if (u->res != res_patients() && selected_org(u)) /* the table's page too (issue 16) */
            engine_want_page(u->e, u->sel_org, selected_org(u)->page_no, selected_org(u)->search);
        set_status(u, " refreshing %s", selected_org(u) ? selected_org(u)->cfg->name : "");
        break;
    case ACT_REFRESH_ALL:
        engine_refresh_all(u->e);
        set_status(u, " refreshing every org (within the rate budget)");
        break;
    case ACT_COPY_TRACE:
    case ACT_COPY_NOTE:
    case ACT_COPY_CURL:
        copy_action(u, a);
        break;
    case ACT_ORG_FAILS:
        u->org_failures = !u->org_failures;
        u->dirty |= DIRTY_FAILS;
        break;
    case ACT_PRIVACY:
        u->privacy = !u->privacy;
        set_status(u, u->privacy ? " privacy mode: patient data masked" : " privacy mode off");
        u->dirty |= DIRTY_ALL & ~DIRTY_LAYOUT;
        break;
    case ACT_SORT_ORGS: orgview_next_sort(u); break;
    case ACT_NEXT_FAILING: orgview_next_failing(u); break;
    case ACT_ALL_FAILS:
        u->all_failures = !u->all_failures;
        u->dirty |= DIRTY_FAILS;
        break;
    default:
        break;
    }
}

