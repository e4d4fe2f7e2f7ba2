/* Drawing shared by every pane and view: colour roles and themes, the only ways text reaches
 * the screen (put and friends: clean, measure, clip), health marks, times, the pane frame. */
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

attr_t role_attr[ROLE_COUNT];

void theme_init(bool color)
{
    /* Monochrome: meaning is also carried by marks and words, so attributes suffice. */
    attr_t mono[ROLE_COUNT] = {
        [ROLE_NORMAL] = A_NORMAL,   [ROLE_HEADER] = A_REVERSE, [ROLE_TITLE] = A_BOLD,
        [ROLE_BORDER] = A_NORMAL,   [ROLE_FOCUS] = A_BOLD,     [ROLE_SELECTED] = A_REVERSE,
        [ROLE_SEL_DIM] = A_REVERSE | A_DIM, [ROLE_OK] = A_NORMAL,       [ROLE_AUTH] = A_BOLD,      [ROLE_SCOPE] = A_BOLD,
        [ROLE_RATE] = A_BOLD,       [ROLE_DOWN] = A_BOLD,      [ROLE_DIM] = A_DIM,
        [ROLE_WARN] = A_BOLD,       [ROLE_PROD] = A_REVERSE | A_BOLD,
        [ROLE_STAGING] = A_REVERSE,
    };
    memcpy(role_attr, mono, sizeof mono);
    if (!color || !has_colors() || start_color() == ERR)
        return;
    use_default_colors();
    static const short fg[ROLE_COUNT] = {
        [ROLE_HEADER] = COLOR_BLACK, [ROLE_TITLE] = COLOR_CYAN,  [ROLE_BORDER] = COLOR_BLUE,
        [ROLE_FOCUS] = COLOR_CYAN,   [ROLE_SELECTED] = COLOR_BLACK, [ROLE_OK] = COLOR_GREEN,
        [ROLE_AUTH] = COLOR_RED,     [ROLE_SCOPE] = COLOR_MAGENTA, [ROLE_RATE] = COLOR_YELLOW,
        [ROLE_DOWN] = COLOR_RED,     [ROLE_DIM] = -1,           [ROLE_WARN] = COLOR_YELLOW,
        [ROLE_PROD] = COLOR_WHITE,   [ROLE_STAGING] = COLOR_BLACK,
    };
    static const short bg[ROLE_COUNT] = {
        [ROLE_HEADER] = COLOR_CYAN, [ROLE_SELECTED] = COLOR_CYAN, [ROLE_PROD] = COLOR_RED,
        [ROLE_STAGING] = COLOR_YELLOW,
    };
    for (int r = 1; r < ROLE_COUNT; r++) {
        init_pair((short)r, fg[r] ? fg[r] : -1, bg[r] ? bg[r] : -1);
        role_attr[r] = COLOR_PAIR(r) | (r == ROLE_TITLE || r == ROLE_FOCUS || r == ROLE_AUTH ||
                                                r == ROLE_PROD ? A_BOLD : 0);
    }
    role_attr[ROLE_DIM] = A_DIM;
    role_attr[ROLE_SEL_DIM] = A_REVERSE | A_DIM;
}

/* --- text helpers ------------------------------------------------------------------------- */

/* The locale is not UTF-8 (LANG=C, a Latin-1 locale): every piece of text goes to the screen
 * as ASCII (text_ascii), so nothing drawn is outside the locale's charset and one byte is one
 * column. Set once by ui_run. */
bool ascii_only;

/* Columns clean text takes as put() draws it. */
int shown_width(const char *clean)
{
    if (!ascii_only)
        return text_width(clean);
    char *ascii = text_ascii(clean);
    int width = (int)strlen(ascii);
    free(ascii);
    return width;
}

/* Draws clean text at (y, x) clipped to cols columns; returns the columns used. */
int put(WINDOW *w, int y, int x, int cols, const char *clean, attr_t attr)
{
    if (cols <= 0 || !clean)
        return 0;
    char buf[1024];
    int used;
    if (ascii_only) {
        char *ascii = text_ascii(clean);
        used = text_clip(ascii, cols, "...", buf, sizeof buf);
        free(ascii);
    } else {
        used = text_clip(clean, cols, "\xE2\x80\xA6", buf, sizeof buf);
    }
    if (!buf[0])
        return 0;
    wattrset(w, attr);
    mvwaddstr(w, y, x, buf);
    wattrset(w, A_NORMAL);
    return used;
}

/* Same for text from the config or the network that was not sanitized yet. */
int put_raw(WINDOW *w, int y, int x, int cols, const char *raw, attr_t attr)
{
    if (!raw)
        return 0;
    char *clean = text_clean(raw);
    int used = put(w, y, x, cols, clean, attr);
    free(clean);
    return used;
}

int putf(WINDOW *w, int y, int x, int cols, attr_t attr, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    utf8_trim_partial(buf);
    return put_raw(w, y, x, cols, buf, attr);
}

/* Right-aligned. */
void put_right(WINDOW *w, int y, int right, int cols, const char *clean, attr_t attr)
{
    int width = shown_width(clean);
    if (width > cols)
        width = cols;
    put(w, y, right - width, cols, clean, attr);
}

const char *mark_glyph(const struct ui *u, enum model_health h)
{
    return marks_glyph(h, u->utf8); /* the one table of marks.c: the legend cannot disagree */
}

enum role health_role(enum model_health h)
{
    switch (h) {
    case HEALTH_OK: return ROLE_OK;
    case HEALTH_AUTH: return ROLE_AUTH;
    case HEALTH_SCOPE: return ROLE_SCOPE;
    case HEALTH_NOT_FOUND: return ROLE_SCOPE;
    case HEALTH_RATE: return ROLE_RATE;
    case HEALTH_DOWN: return ROLE_DOWN;
    default: return ROLE_DIM;
    }
}

/* The age of data in steps coarse enough that an idle screen changes rarely. */
void ago_text(double seconds, char *buf, size_t size)
{
    if (seconds < 0)
        seconds = 0;
    if (seconds < 10)
        snprintf(buf, size, "<10 s");
    else if (seconds < 90)
        snprintf(buf, size, "%.0f s", floor(seconds / 10) * 10);
    else if (seconds < 5400)
        snprintf(buf, size, "%.0f min", seconds / 60);
    else if (seconds < 172800)
        snprintf(buf, size, "%.0f h", seconds / 3600);
    else
        snprintf(buf, size, "%.0f d", seconds / 86400);
}

void clock_text(double t, char buf[16])
{
    time_t secs = (time_t)t;
    struct tm tm;
    localtime_r(&secs, &tm);
    strftime(buf, 16, "%H:%M:%S", &tm);
}

/* An org is stale when it has good data but refreshing has failed for three intervals. */
bool org_stale(const struct ui *u, const struct model_org *o)
{
    const struct model_budget *b = &u->m.budgets[o->budget];
    return o->last_success > 0 && o->first_failure > 0 &&
           wall_now() - o->last_success > 3.0 * b->effective_refresh;
}

/* --- drawing: frame ----------------------------------------------------------------------- */

void frame(struct ui *u, WINDOW *w, enum pane p, const char *title)
{
    attr_t a = role_attr[u->focus == p ? ROLE_FOCUS : ROLE_BORDER];
    wattrset(w, a);
    if (u->utf8)
        box(w, 0, 0);
    else
        wborder(w, '|', '|', '-', '-', '+', '+', '+', '+');
    wattrset(w, A_NORMAL);
    int width = getmaxx(w);
    char t[512];
    snprintf(t, sizeof t, " %s ", title);
    utf8_trim_partial(t);
    put_raw(w, 0, 1, width - 2, t, role_attr[u->focus == p ? ROLE_FOCUS : ROLE_TITLE]);
}

