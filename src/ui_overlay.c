/* Views over the panes: the help, a record's form, a failure group; their text is wrapped to the
 * window and scrolled. */
#include "ui_int.h"
#include "marks.h"

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

void add_line(struct lines *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    text_lines_vadd(&l->v, &l->n, fmt, ap);
    va_end(ap);
}

static void free_lines(struct lines *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
}

static void help_lines(const struct ui *u, struct lines *l)
{
    add_line(l, "Keys");
    for (int a = 0; a < ACT_COUNT; a++)
        add_line(l, "  %-12s %s", actions[a].keys, actions[a].help);
    add_line(l, "  %-12s %s", "mouse", "click selects and focuses, the wheel scrolls");
    add_line(l, "  %-12s %s", "in a view", "j k move, PgDn PgUp a page, g G ends; q Esc close");
    add_line(l, "  %-12s %s", "in : line", "Tab completes a resource; then a day (2026-12-01), a "
                                           "range (A..B), all, or name=value filters");
    add_line(l, "  %-12s %s", "in / prompt", "Left Right Home End (Ctrl-A Ctrl-E) move, Backspace "
                                             "Ctrl-D delete, Ctrl-W a word, Ctrl-U the line; "
                                             "the failures filter applies as you type");
    add_line(l, " ");
    add_line(l, "Marks in the Orgs pane");
    for (int h = HEALTH_CHECKING; h <= HEALTH_DOWN; h++)
        add_line(l, "  %-12s %s", mark_glyph(u, (enum model_health)h),
                 marks_meaning((enum model_health)h));
    add_line(l, "  %-12s %s", "stale", "refreshing has failed for a while: the data is old");
    add_line(l, "  %-12s %s", "! after it", "the key or the org id has warnings (Organization pane)");
}

/* Breaks every line wider than cols columns (as put() draws it) at spaces, the rest of a
 * line indented like its start plus two, so that long explanations are read whole instead of
 * cut. A word wider than cols is cut where it must be. */
static void wrap_lines(struct lines *l, int cols)
{
    if (cols < 8)
        return;
    struct lines out = {0};
    for (size_t i = 0; i < l->n; i++) {
        char *line = ascii_only ? text_ascii(l->v[i]) : xstrdup(l->v[i]);
        const char *rest = line;
        int indent = (int)strspn(line, " ");
        bool first = true;
        while (*rest) {
            int lead = first ? 0 : indent + 2;
            char piece[1024];
            text_clip(rest, cols - lead, "", piece, sizeof piece);
            size_t n = strlen(piece);
            if (n < strlen(rest)) {
                char *sp = strrchr(piece, ' ');
                if (sp && sp - piece > (first ? indent : 0))
                    n = (size_t)(sp - piece);
            }
            if (n == 0)
                n = 1; /* no room at all: make progress */
            add_line(&out, "%*s%.*s", lead, "", (int)n, rest);
            rest += n;
            while (*rest == ' ')
                rest++;
            first = false;
        }
        if (first)
            add_line(&out, " ");
        free(line);
    }
    free_lines(l);
    *l = out;
}

void draw_overlay(struct ui *u)
{
    if (u->overlay == OVERLAY_NONE || u->too_small)
        return;
    if (u->overlay == OVERLAY_RECORD) {
        draw_record(u);
        return;
    }
    struct lines l = {0};
    const char *title = "Help";
    char form[64];
    if (u->overlay == OVERLAY_HELP)
        help_lines(u, &l);
    else if (u->overlay == OVERLAY_SCOPES) {
        title = "Scope map";
        scope_lines(u, &l);
    }
    else if (u->overlay == OVERLAY_FORM) {
        form_title(u, form, sizeof form);
        title = form;
        form_lines(u, &l);
    } else {
        title = "Failure group";
        failure_lines(u, &l);
    }
    int w = 10;
    for (size_t i = 0; i < l.n; i++)
        if (shown_width(l.v[i]) + 4 > w)
            w = shown_width(l.v[i]) + 4;
    if (w > u->cols - 2)
        w = u->cols - 2;
    wrap_lines(&l, w - 4);
    int h = (int)l.n + 2;
    if (h > u->lines - 2)
        h = u->lines - 2;
    if (u->overlay_win)
        delwin(u->overlay_win);
    u->overlay_win = newwin(h, w, (u->lines - h) / 2, (u->cols - w) / 2);
    WINDOW *ow = u->overlay_win;
    werase(ow);
    wattrset(ow, role_attr[ROLE_FOCUS]);
    if (u->utf8)
        box(ow, 0, 0);
    else
        wborder(ow, '|', '|', '-', '-', '+', '+', '+', '+');
    char t[96];
    snprintf(t, sizeof t, " %s (Esc closes) ", title);
    put(ow, 0, 2, w - 4, t, role_attr[ROLE_FOCUS]);
    int rows = h - 2;
    u->overlay_rows = rows;
    if (u->overlay_scroll > (int)l.n - rows)
        u->overlay_scroll = (int)l.n - rows > 0 ? (int)l.n - rows : 0;
    for (int r = 0; r < rows && (size_t)(r + u->overlay_scroll) < l.n; r++)
        put(ow, r + 1, 2, w - 4, l.v[r + u->overlay_scroll], A_NORMAL);
    if ((int)l.n > rows) {
        /* More than fits: where we are and how to move, on the bottom border. */
        char more[96];
        int first = u->overlay_scroll + 1, last = u->overlay_scroll + rows;
        snprintf(more, sizeof more, " %s%d-%d of %zu, j/k PgDn PgUp ", 
                 last < (int)l.n ? (u->utf8 ? "\xE2\x86\x93 more " : "v more ") : "", first,
                 last, l.n);
        int mw = shown_width(more);
        if (mw < w - 4)
            put(ow, h - 1, w - 2 - mw, mw, more, role_attr[ROLE_FOCUS]);
    }
    wnoutrefresh(ow);
    free_lines(&l);
}

