/* The dashboard. One loop: engine_wait sleeps in curl_multi_poll on the transfers, the terminal
 * and a self-pipe for signals, until the nearest deadline (a refresh, the header's clock).
 * Key handlers and finished requests change the model and mark panes dirty; only the loop
 * draws, once per turn, one wnoutrefresh per dirty pane and one doupdate. */
#include "ui.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "authlog.h"
#include "clip.h"
#include "cmd_check.h"
#include "config.h"
#include "engine.h"
#include "explain.h"
#include "harden.h"
#include "keymask.h"
#include "model.h"
#include "selection.h"
#include "lineedit.h"
#include "orgid.h"
#include "text.h"
#include "util.h"

/* --- actions, generated from keys.def ------------------------------------------------------ */

enum action {
#define ACTION(id, keys, help, ...) ACT_##id,
#include "keys.def"
#undef ACTION
    ACT_COUNT,
    ACT_NONE
};

struct action_def {
    const char *keys;
    const char *help;
    const int codes[6];
};

static const struct action_def actions[ACT_COUNT] = {
#define ACTION(id, k, h, ...) [ACT_##id] = {k, h, {__VA_ARGS__}},
#include "keys.def"
#undef ACTION
};

static enum action action_of(int code)
{
    for (int a = 0; a < ACT_COUNT; a++)
        for (int i = 0; actions[a].codes[i]; i++)
            if (actions[a].codes[i] == code)
                return (enum action)a;
    return ACT_NONE;
}

/* --- colour roles ------------------------------------------------------------------------- */

enum role {
    ROLE_NORMAL,
    ROLE_HEADER,
    ROLE_TITLE,
    ROLE_BORDER,
    ROLE_FOCUS,
    ROLE_SELECTED,
    ROLE_SEL_DIM,   /* the selection of a pane without the focus */
    ROLE_OK,
    ROLE_AUTH,
    ROLE_SCOPE,
    ROLE_RATE,
    ROLE_DOWN,
    ROLE_DIM,
    ROLE_WARN,
    ROLE_PROD,
    ROLE_STAGING,
    ROLE_COUNT
};

static attr_t role_attr[ROLE_COUNT];

static void theme_init(bool color)
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

/* --- state -------------------------------------------------------------------------------- */

enum pane { PANE_ORGS, PANE_ORG, PANE_PATIENTS, PANE_FAILS, PANE_COUNT };

enum {
    DIRTY_HEADER = 1u << 0,
    DIRTY_ORGS = 1u << 1,
    DIRTY_ORG = 1u << 2,
    DIRTY_PATIENTS = 1u << 3,
    DIRTY_FAILS = 1u << 4,
    DIRTY_FOOTER = 1u << 5,
    DIRTY_OVERLAY = 1u << 6,
    DIRTY_LAYOUT = 1u << 7,
    DIRTY_PANES = DIRTY_ORGS | DIRTY_ORG | DIRTY_PATIENTS | DIRTY_FAILS,
    DIRTY_ALL = 0xFFu,
};

enum overlay { OVERLAY_NONE, OVERLAY_HELP, OVERLAY_PATIENT, OVERLAY_FAILURE };

struct rect {
    int y, x, h, w;
    bool shown;
};

struct ui {
    struct config cfg;
    struct model m;
    struct engine *e;
    struct authlog log;
    bool have_log;

    WINDOW *header, *footer, *pane[PANE_COUNT], *overlay_win;
    struct rect r_header, r_footer, r_pane[PANE_COUNT];
    int lines, cols;
    bool too_small;

    enum pane focus;
    size_t sel_org, org_top;
    size_t sel_patient;
    size_t sel_fail, fail_top;
    /* The selections by identity (issue 13); sel_org, sel_patient and sel_fail are their rows
     * as of the last sync_selection. */
    struct selection org_sel, fail_sel, patient_sel;
    bool patients_reset;   /* the user changed page, search or org: the next page starts on top */
    struct clip_job clips[4]; /* copies running in a child (tmux, copy_command) */
    bool all_failures;
    bool org_failures;   /* only the selected org's */
    char *fail_filter;
    bool privacy, utf8;
    const char *copy_command; /* --copy-command, else the config's */

    enum overlay overlay;
    char *overlay_key;     /* the failure group the overlay shows (model_failure_key) */
    int overlay_scroll;
    int overlay_rows;      /* rows of text the overlay showed last (a page for PgDn) */
    bool prompting;
    enum pane prompt_pane;
    char prompt[LINEEDIT_MAX + 1]; /* the prompt's text, kept in step with the editor */
    size_t prompt_len;
    struct lineedit *le;   /* the prompt's editor while prompting and the footer exists */
    WINDOW *le_parent;     /* the footer it was made in (a resize makes a new footer) */
    char *filter_before;   /* the failures filter when the prompt opened (Esc restores it) */

    char status[256];
    double status_until;
    unsigned dirty;
    bool quit;
    size_t shown_in_flight; /* requests in flight when the Orgs pane was last marked dirty */
    int quit_signal;    /* SIGTERM, SIGINT or SIGHUP that ended the loop: exit 128 + it */
    unsigned long model_version;
    long shown_countdown;
    long shown_second; /* monotonic second of the last wait countdown redraw */
};

static int sig_pipe[2] = {-1, -1};
static bool curses_on;

static void sync_selection(struct ui *u);



/* --- terminal lifecycle ------------------------------------------------------------------- */

static void leave_curses(void)
{
    if (curses_on) {
        curses_on = false;
        /* Mouse reporting off and the cursor back, whatever state we died in. */
        mousemask(0, NULL);
        curs_set(1);
        endwin();
        fflush(stdout);
    }
}

static void on_signal(int sig)
{
    int saved = errno;
    unsigned char b = (unsigned char)sig;
    if (sig_pipe[1] >= 0 && write(sig_pipe[1], &b, 1) < 0) {
        /* the pipe is full: a wake-up is already pending */
    }
    errno = saved;
}

static void on_fatal(int sig)
{
    /* Not async-signal-safe, but a terminal left in raw mode is worse; htop does the same. */
    leave_curses();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGWINCH, &sa, NULL);
    /* Back from Ctrl-Z: the window may have changed size while we were stopped (the SIGWINCH
     * went to the shell), and ncurses only repaints at the size it knew. */
    sigaction(SIGCONT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    struct sigaction fa;
    memset(&fa, 0, sizeof fa);
    fa.sa_handler = on_fatal;
    sigemptyset(&fa.sa_mask);
    fa.sa_flags = SA_RESETHAND;
    /* Every signal whose default would end the process with the terminal raw (issue 12):
     * SIGUSR1/2 and SIGALRM too. SIGXFSZ is ignored by authlog_open (a write error). */
    int fatal[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGQUIT, SIGUSR1, SIGUSR2,
                   SIGALRM, SIGTRAP, SIGSYS, SIGVTALRM, SIGPROF};
    for (size_t i = 0; i < ARRAY_LEN(fatal); i++)
        sigaction(fatal[i], &fa, NULL);
}

/* --- text helpers ------------------------------------------------------------------------- */

/* The locale is not UTF-8 (LANG=C, a Latin-1 locale): every piece of text goes to the screen
 * as ASCII (text_ascii), so nothing drawn is outside the locale's charset and one byte is one
 * column. Set once by ui_run. */
static bool ascii_only;

/* Columns clean text takes as put() draws it. */
static int shown_width(const char *clean)
{
    if (!ascii_only)
        return text_width(clean);
    char *ascii = text_ascii(clean);
    int width = (int)strlen(ascii);
    free(ascii);
    return width;
}

/* Draws clean text at (y, x) clipped to cols columns; returns the columns used. */
static int put(WINDOW *w, int y, int x, int cols, const char *clean, attr_t attr)
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
static int put_raw(WINDOW *w, int y, int x, int cols, const char *raw, attr_t attr)
{
    if (!raw)
        return 0;
    char *clean = text_clean(raw);
    int used = put(w, y, x, cols, clean, attr);
    free(clean);
    return used;
}

static int putf(WINDOW *w, int y, int x, int cols, attr_t attr, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
static int putf(WINDOW *w, int y, int x, int cols, attr_t attr, const char *fmt, ...)
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
static void put_right(WINDOW *w, int y, int right, int cols, const char *clean, attr_t attr)
{
    int width = shown_width(clean);
    if (width > cols)
        width = cols;
    put(w, y, right - width, cols, clean, attr);
}

/* The marks of the Orgs pane, by health: what is drawn and what the help says of it, from one
 * table so that the legend can never disagree with the screen. */
static const struct {
    const char *utf, *ascii, *meaning;
} marks[] = {
    [HEALTH_CHECKING] = {"\xE2\x80\xA6", ".", "checking (nothing back yet; waiting: not sent yet)"},
    [HEALTH_OK] = {"\xE2\x97\x8F", "+", "ok, with the latency"},
    [HEALTH_AUTH] = {"\xE2\x9C\x97", "x", "401 unauthorized: the key is refused"},
    [HEALTH_SCOPE] = {"!", "!", "403 forbidden: a scope is missing"},
    [HEALTH_NOT_FOUND] = {"?", "?", "404: the org is not visible to this app"},
    [HEALTH_RATE] = {"\xE2\x97\xB7", "~", "429 rate limited"},
    [HEALTH_DOWN] = {"\xE2\x96\xBC", "v", "down: timeout, connection, DNS, TLS, 5xx, bad response"},
};

static const char *mark_glyph(const struct ui *u, enum model_health h)
{
    return u->utf8 ? marks[h].utf : marks[h].ascii;
}

static enum role health_role(enum model_health h)
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
static void ago_text(double seconds, char *buf, size_t size)
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

static void clock_text(double t, char buf[16])
{
    time_t secs = (time_t)t;
    struct tm tm;
    localtime_r(&secs, &tm);
    strftime(buf, 16, "%H:%M:%S", &tm);
}

/* An org is stale when it has good data but refreshing has failed for three intervals. */
static bool org_stale(const struct ui *u, const struct model_org *o)
{
    const struct model_budget *b = &u->m.budgets[o->budget];
    return o->last_success > 0 && o->first_failure > 0 &&
           wall_now() - o->last_success > 3.0 * b->effective_refresh;
}

/* --- layout ------------------------------------------------------------------------------- */

static void set_rect(struct rect *r, int y, int x, int h, int w)
{
    *r = (struct rect){y, x, h, w, h > 0 && w > 0};
}

/* Decides where the panes go. 80x24 and larger shows all four; smaller sizes stack the panes
 * and drop the failures, then the organization pane; below 40x10 a notice only. */
/* Rows (frame included) the panes want, in the order they get them when the window is short
 * (issue 14 case 7): the selected org's Status and cause, a few failure rows, every org, then
 * patients with what is left (hidden below PAT_MIN_H: a header and one row are the least that
 * is worth a pane). */
enum { ORG_H = 7, FAILS_MIN_H = 4, PAT_MIN_H = 4 };

static void layout(struct ui *u)
{
    int L = u->lines, C = u->cols;
    for (int p = 0; p < PANE_COUNT; p++)
        u->r_pane[p].shown = false;
    u->too_small = L < 10 || C < 40;
    if (u->too_small)
        return;
    set_rect(&u->r_header, 0, 0, 1, C);
    set_rect(&u->r_footer, L - 1, 0, 1, C);
    int top = 1, avail = L - 2;
    int orgs_want = (int)u->m.norgs + 2 < 3 ? 3 : (int)u->m.norgs + 2;
    if (C >= 70) {
        /* Orgs on the left, the selected org over its patients on the right, failures below. */
        int fails_h = avail >= 40 ? avail / 4 : avail >= 22 ? 6 : avail >= 14 ? FAILS_MIN_H : 3;
        int main_h = avail - fails_h;
        int orgs_w = C >= 120 ? 30 : 22;
        set_rect(&u->r_pane[PANE_ORGS], top, 0, main_h, orgs_w);
        int org_h = main_h < ORG_H ? main_h : ORG_H;
        if (main_h - org_h < PAT_MIN_H) {
            set_rect(&u->r_pane[PANE_ORG], top, orgs_w, main_h, C - orgs_w);
        } else {
            set_rect(&u->r_pane[PANE_ORG], top, orgs_w, org_h, C - orgs_w);
            set_rect(&u->r_pane[PANE_PATIENTS], top + org_h, orgs_w, main_h - org_h, C - orgs_w);
        }
        set_rect(&u->r_pane[PANE_FAILS], top + main_h, 0, fails_h, C);
    } else {
        /* Narrow: one column, in the order of what matters when rows run out. */
        int org_h = avail >= ORG_H + 3 + FAILS_MIN_H ? ORG_H : avail - 3 - 3;
        if (org_h < 3)
            org_h = 0; /* below 40x10 the notice takes over; this is 12 rows or fewer */
        int fails_h = avail - org_h - 3 >= FAILS_MIN_H ? FAILS_MIN_H : 3;
        int orgs_h = avail - org_h - fails_h;
        if (orgs_h > orgs_want)
            orgs_h = orgs_want;
        int pat_h = avail - orgs_h - org_h - fails_h;
        if (pat_h < PAT_MIN_H) {
            fails_h += pat_h; /* too few for patients: more failure rows instead */
            pat_h = 0;
        } else if (pat_h > 2 * FAILS_MIN_H + 8) {
            /* Plenty: failures grow too, up to a quarter of the window. */
            int more = avail / 4 - fails_h;
            if (more > 0) {
                fails_h += more;
                pat_h -= more;
            }
        }
        int y = top;
        set_rect(&u->r_pane[PANE_ORGS], y, 0, orgs_h, C);
        y += orgs_h;
        if (org_h) {
            set_rect(&u->r_pane[PANE_ORG], y, 0, org_h, C);
            y += org_h;
        }
        if (pat_h) {
            set_rect(&u->r_pane[PANE_PATIENTS], y, 0, pat_h, C);
            y += pat_h;
        }
        set_rect(&u->r_pane[PANE_FAILS], y, 0, fails_h, C);
    }
    if (!u->r_pane[u->focus].shown)
        u->focus = PANE_ORGS;
}

static void free_windows(struct ui *u)
{
    /* The editor's window is derived from the footer: it goes first (its text is in
     * u->prompt, and draw_footer makes a new one in the new footer). */
    lineedit_close(u->le);
    u->le = NULL;
    u->le_parent = NULL;
    WINDOW **all[] = {&u->header, &u->footer, &u->pane[0], &u->pane[1], &u->pane[2],
                      &u->pane[3], &u->overlay_win};
    for (size_t i = 0; i < ARRAY_LEN(all); i++) {
        if (*all[i])
            delwin(*all[i]);
        *all[i] = NULL;
    }
}

static void make_windows(struct ui *u)
{
    free_windows(u);
    getmaxyx(stdscr, u->lines, u->cols);
    layout(u);
    werase(stdscr);
    wnoutrefresh(stdscr);
    if (u->too_small)
        return;
    u->header = newwin(1, u->cols, 0, 0);
    u->footer = newwin(1, u->cols, u->lines - 1, 0);
    /* The cursor is hidden: leave it where drawing ends rather than paying bytes to park it. */
    leaveok(u->header, TRUE);
    for (int p = 0; p < PANE_COUNT; p++) {
        struct rect *r = &u->r_pane[p];
        if (r->shown) {
            u->pane[p] = newwin(r->h, r->w, r->y, r->x);
            leaveok(u->pane[p], TRUE);
        }
    }
}

/* --- drawing: frame ----------------------------------------------------------------------- */

static void frame(struct ui *u, WINDOW *w, enum pane p, const char *title)
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

static const char *badge(const struct ui *u, enum role *role)
{
    switch (u->cfg.set.api_env) {
    case CONFIG_API_PRODUCTION: *role = ROLE_PROD; return " PROD ";
    case CONFIG_API_STAGING: *role = ROLE_STAGING; return " STAGING ";
    case CONFIG_API_LOOPBACK: *role = ROLE_STAGING; return " SANDBOX ";
    default: *role = ROLE_STAGING; return " OTHER ";
    }
}

static struct model_org *selected_org(struct ui *u)
{
    return u->m.norgs ? &u->m.orgs[u->sel_org] : NULL;
}

static long countdown(const struct ui *u)
{
    const struct model_org *o = u->m.norgs ? &u->m.orgs[u->sel_org] : NULL;
    if (!o || o->in_flight)
        return -1;
    double at = o->next_refresh;
    const struct model_budget *b = &u->m.budgets[o->budget];
    if (b->blocked_until > at)
        at = b->blocked_until; /* a 429's wait comes first */
    double left = at - mono_now();
    return left < 0 ? 0 : (long)ceil(left);
}

static void draw_header(struct ui *u)
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
    const char *dot = u->utf8 ? " \xC2\xB7 " : " - ";
    char line[1024];
    snprintf(line, sizeof line, " maxdash%s%s%s%zu org%s%s%s%s", dot, u->cfg.set.base_url, dot,
             u->m.norgs, u->m.norgs == 1 ? "" : "s", dot, refresh, u->privacy ? " \xC2\xB7 privacy" : "");
    if (!u->utf8)
        snprintf(line, sizeof line, " maxdash - %s - %zu orgs - %s%s", u->cfg.set.base_url,
                 u->m.norgs, refresh, u->privacy ? " - privacy" : "");
    enum role br;
    const char *b = badge(u, &br);
    int bw = (int)strlen(b);
    put_raw(w, 0, 0, u->cols - bw - 1, line, role_attr[ROLE_HEADER]);
    put(w, 0, u->cols - bw, bw, b, role_attr[br]);
    wnoutrefresh(w);
}

/* The prompt's label (" search patients: "); returns its width in columns. */
static int prompt_label(const struct ui *u, char *buf, size_t size)
{
    snprintf(buf, size, " %s: ", u->prompt_pane == PANE_FAILS ? "filter failures"
                                                               : "search patients");
    return shown_width(buf);
}

/* (Re)makes the prompt's editor in the footer, holding u->prompt. Done when the prompt opens,
 * so that keys typed in the same burst as '/' reach it, and after a resize. */
static void open_editor(struct ui *u)
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
                          u->privacy && u->prompt_pane == PANE_PATIENTS);
    u->le_parent = u->le ? u->footer : NULL;
}

static const char *mask_text(const struct ui *u);

static void draw_footer(struct ui *u)
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
        if (u->privacy && u->prompt_pane != PANE_FAILS && u->prompt_len > 0)
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
            "y copy trace  m mask  a all",
            role_attr[ROLE_DIM]);
    }
    wnoutrefresh(w);
}

/* --- drawing: panes ----------------------------------------------------------------------- */

static void draw_orgs(struct ui *u)
{
    WINDOW *w = u->pane[PANE_ORGS];
    werase(w);
    char title[64];
    snprintf(title, sizeof title, "Orgs (%zu)", u->m.norgs);
    frame(u, w, PANE_ORGS, title);
    int h = getmaxy(w) - 2, width = getmaxx(w) - 2;
    if (h <= 0)
        return;
    /* After a resize the list may fit from a higher row on. */
    if (u->org_top + (size_t)h > u->m.norgs)
        u->org_top = u->m.norgs > (size_t)h ? u->m.norgs - (size_t)h : 0;
    if (u->sel_org < u->org_top)
        u->org_top = u->sel_org;
    if (u->sel_org >= u->org_top + (size_t)h)
        u->org_top = u->sel_org - (size_t)h + 1;
    char outage_text[128];
    bool outage = explain_outage(&u->m, outage_text, sizeof outage_text);
    for (int row = 0; row < h; row++) {
        size_t i = u->org_top + (size_t)row;
        if (i >= u->m.norgs)
            break;
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
            snprintf(word, sizeof word, "%ld ms", o->probe_me.latency_ms);
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

static void draw_org(struct ui *u)
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
    const struct model_probe *p = &o->probe_me;
    if (o->probe_me.done && o->probe_me.cls == API_OK && o->probe_patients.done &&
        o->probe_patients.cls != API_OK)
        p = &o->probe_patients;
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

static const char *mask_text(const struct ui *u)
{
    return u->utf8 ? "\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2" : "***";
}

static void patient_name(const struct ui *u, const struct api_patient *p, char *buf, size_t size)
{
    if (u->privacy) {
        snprintf(buf, size, "%s", mask_text(u));
        return;
    }
    const char *dash = u->utf8 ? "\xE2\x80\x94" : "-";
    if (!p->last && !p->first) {
        snprintf(buf, size, "%s", dash);
        return;
    }
    char middle[16] = "";
    if (p->middle && p->middle[0]) {
        /* The initial is one character, which may be several bytes. */
        size_t n = 1;
        while (p->middle[n] && ((unsigned char)p->middle[n] & 0xC0) == 0x80)
            n++;
        snprintf(middle, sizeof middle, " %.*s.", (int)n, p->middle);
    }
    snprintf(buf, size, "%s%s%s%s", p->last ? p->last : "", p->last && p->first ? ", " : "",
             p->first ? p->first : "", middle);
    utf8_trim_partial(buf);
}

static const char *field(const struct ui *u, const char *v, bool private_field)
{
    if (!v)
        return u->utf8 ? "\xE2\x80\x94" : "-";
    return private_field && u->privacy ? mask_text(u) : v;
}

static void draw_patients(struct ui *u)
{
    WINDOW *w = u->pane[PANE_PATIENTS];
    werase(w);
    struct model_org *o = selected_org(u);
    char title[512] = "Patients";
    const char *dot = u->utf8 ? "\xC2\xB7" : "-";
    if (o && o->have_page) {
        long total = o->page.total_count, pages = o->page.total_pages;
        snprintf(title, sizeof title, "Patients %s %ld %s page %ld/%ld%s%s%s%s", u->utf8 ? "\xE2\x94\x80" : "-",
                 total < 0 ? (long)o->page.len : total, dot, o->page_no, pages < 0 ? 1 : pages,
                 o->search ? " \xC2\xB7 search \"" : "",
                 o->search ? (u->privacy ? mask_text(u) : o->search) : "", /* a name, an MRN */
                 o->search ? "\"" : "", o->page_loading ? " \xC2\xB7 loading\xE2\x80\xA6" : "");
        char age[64], wait[64];
        if (o->page_loading && explain_budget_wait(&u->m, (size_t)(o - u->m.orgs), true, wait,
                                                   sizeof wait)) {
            char *at = strstr(title, " \xC2\xB7 loading\xE2\x80\xA6"); /* a wait, not loading */
            if (at)
                snprintf(at, sizeof title - (size_t)(at - title), " %s %s", dot, wait);
        }
        size_t tn = strlen(title);
        if (explain_data_age(&u->m, (size_t)(o - u->m.orgs), age, sizeof age))
            snprintf(title + tn, sizeof title - tn, " %s %s", dot, age);
        utf8_trim_partial(title);
    }
    frame(u, w, PANE_PATIENTS, title);
    int h = getmaxy(w) - 2, width = getmaxx(w) - 2;
    if (!o || h <= 0)
        goto done;
    const struct model_probe *pp = &o->probe_patients;
    if (!o->have_page || (pp->done && pp->cls == API_FORBIDDEN)) {
        if (pp->done && pp->cls != API_OK) {
            if (pp->cls == API_FORBIDDEN && pp->err.required_scope)
                putf(w, 1, 1, width, role_attr[ROLE_SCOPE], "missing scope %s: %s",
                     pp->err.required_scope, pp->summary ? pp->summary : "");
            else
                put(w, 1, 1, width, pp->summary ? pp->summary : "failed",
                    role_attr[health_role(model_org_health(o))]);
            if (pp->err.trace_id)
                putf(w, 2, 1, width, role_attr[ROLE_DIM], "trace_id %s", pp->err.trace_id);
        } else {
            char wait[64];
            if (explain_budget_wait(&u->m, (size_t)(o - u->m.orgs), true, wait, sizeof wait))
                putf(w, 1, 1, width, role_attr[ROLE_DIM], "%s", wait);
            else
                putf(w, 1, 1, width, role_attr[ROLE_DIM], "loading%s", u->utf8 ? "\xE2\x80\xA6" : "...");
        }
        goto done;
    }
    /* Columns: name takes what the others leave. */
    int born_w = 10, sex_w = 6, mrn_w = 11, id_w = width >= 90 ? 32 : 16;
    int name_w = width - born_w - sex_w - mrn_w - id_w - 4;
    if (name_w < 12) {
        id_w = 0;
        name_w = width - born_w - sex_w - mrn_w - 3;
    }
    int x_born = 1 + name_w + 1, x_sex = x_born + born_w + 1, x_mrn = x_sex + sex_w + 1,
        x_id = x_mrn + mrn_w + 1;
    attr_t hdr = role_attr[ROLE_TITLE];
    put(w, 1, 1, name_w, "Name", hdr);
    put(w, 1, x_born, born_w, "Born", hdr);
    put(w, 1, x_sex, sex_w, "Sex", hdr);
    put(w, 1, x_mrn, mrn_w, "MRN", hdr);
    if (id_w)
        put(w, 1, x_id, id_w, "Id", hdr);
    if (o->page.len == 0) {
        put(w, 2, 1, width, o->search ? "no patient matches" : "no patients", role_attr[ROLE_DIM]);
        goto done;
    }
    if (u->sel_patient >= o->page.len)
        u->sel_patient = o->page.len - 1;
    int rows = h - 1;
    size_t top = u->sel_patient >= (size_t)rows ? u->sel_patient - (size_t)rows + 1 : 0;
    for (int r = 0; r < rows; r++) {
        size_t i = top + (size_t)r;
        if (i >= o->page.len)
            break;
        const struct api_patient *p = &o->page.items[i];
        bool sel = i == u->sel_patient;
        attr_t a = !sel ? A_NORMAL : role_attr[u->focus == PANE_PATIENTS ? ROLE_SELECTED : ROLE_SEL_DIM];
        if (sel)
            mvwhline(w, r + 2, 1, ' ' | a, width);
        char name[512];
        patient_name(u, p, name, sizeof name);
        put(w, r + 2, 1, name_w, name, a);
        put(w, r + 2, x_born, born_w, field(u, p->dob, true), a);
        const char *sex = p->gender ? (u->privacy ? mask_text(u) : p->gender) : field(u, NULL, 0);
        char sx[8];
        snprintf(sx, sizeof sx, "%.1s", sex);
        put(w, r + 2, x_sex, sex_w, p->gender && !u->privacy && (unsigned char)sex[0] < 0x80 ? sx : sex, a);
        put(w, r + 2, x_mrn, mrn_w, field(u, p->mrn, true), a);
        if (id_w)
            put(w, r + 2, x_id, id_w, p->id, a);
    }
done:
    wnoutrefresh(w);
}

/* The failure groups the pane lists, newest first, after the a/filter/org choices. */
static size_t visible_failures(struct ui *u, size_t *out, size_t max)
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

static void draw_fails(struct ui *u)
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

/* --- overlays ----------------------------------------------------------------------------- */

struct lines {
    char **v;
    size_t n;
};

static void add_line(struct lines *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_line(struct lines *l, const char *fmt, ...)
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
    add_line(l, "  %-12s %s", "in / prompt", "Left Right Home End (Ctrl-A Ctrl-E) move, Backspace "
                                             "Ctrl-D delete, Ctrl-W a word, Ctrl-U the line; "
                                             "the failures filter applies as you type");
    add_line(l, " ");
    add_line(l, "Marks in the Orgs pane");
    for (size_t h = 0; h < ARRAY_LEN(marks); h++)
        add_line(l, "  %-12s %s", mark_glyph(u, (enum model_health)h), marks[h].meaning);
    add_line(l, "  %-12s %s", "stale", "refreshing has failed for a while: the data is old");
    add_line(l, "  %-12s %s", "! after it", "the key or the org id has warnings (Organization pane)");
}

static void patient_lines(struct ui *u, struct lines *l)
{
    const struct model_detail *d = &u->m.detail;
    if (d->loading || !d->probe.done) {
        char wait[64];
        if (explain_budget_wait(&u->m, d->org, false, wait, sizeof wait))
            add_line(l, "%s: patient %s", wait, d->id ? d->id : "");
        else
            add_line(l, "loading patient %s...", d->id ? d->id : "");
        return;
    }
    if (d->probe.cls != API_OK) {
        add_line(l, "%s", d->probe.summary ? d->probe.summary : "failed");
        if (d->probe.err.trace_id)
            add_line(l, "trace_id %s", d->probe.err.trace_id);
        return;
    }
    const struct api_patient *p = &d->patient;
    char name[512];
    patient_name(u, p, name, sizeof name);
    add_line(l, "Name         %s", name);
    add_line(l, "Id           %s", p->id);
    add_line(l, "MRN          %s", field(u, p->mrn, true));
    add_line(l, "First name   %s", field(u, p->first, true));
    add_line(l, "Middle name  %s", field(u, p->middle, true));
    add_line(l, "Last name    %s", field(u, p->last, true));
    add_line(l, "Sex          %s", field(u, p->gender, true));
    add_line(l, "Born         %s", field(u, p->dob, true));
    add_line(l, "Email        %s", field(u, p->email, true));
    add_line(l, "Phone        %s", field(u, p->phone, true));
    add_line(l, "Created      %s", field(u, p->created, false));
    add_line(l, "Updated      %s", field(u, p->updated, false));
}

/* The failure group whose model_failure_key is key, or NULL when it is gone. */
static const struct model_failure *group_by_key(const struct ui *u, const char *key)
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

static void failure_lines(struct ui *u, struct lines *l)
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

static void draw_overlay(struct ui *u)
{
    if (u->overlay == OVERLAY_NONE || u->too_small)
        return;
    struct lines l = {0};
    const char *title = "Help";
    if (u->overlay == OVERLAY_HELP)
        help_lines(u, &l);
    else if (u->overlay == OVERLAY_PATIENT) {
        title = "Patient";
        patient_lines(u, &l);
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
    char t[64];
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

static void draw(struct ui *u)
{
    if (u->dirty & DIRTY_LAYOUT)
        make_windows(u);
    if (u->too_small) {
        if (u->dirty) {
            werase(stdscr);
            put(stdscr, 0, 0, u->cols, "maxdash needs at least 40x10", A_BOLD);
            wnoutrefresh(stdscr);
            doupdate();
        }
        u->dirty = 0;
        return;
    }
    if (!u->dirty)
        return;
    if (u->dirty & DIRTY_PANES)
        sync_selection(u);
    curs_set(0);
    if (u->dirty & DIRTY_HEADER)
        draw_header(u);
    if ((u->dirty & DIRTY_ORGS) && u->pane[PANE_ORGS])
        draw_orgs(u);
    if ((u->dirty & DIRTY_ORG) && u->pane[PANE_ORG])
        draw_org(u);
    if ((u->dirty & DIRTY_PATIENTS) && u->pane[PANE_PATIENTS])
        draw_patients(u);
    if ((u->dirty & DIRTY_FAILS) && u->pane[PANE_FAILS])
        draw_fails(u);
    if (u->overlay != OVERLAY_NONE && (u->dirty & (DIRTY_PANES | DIRTY_OVERLAY))) {
        /* The overlay may shrink or move (loading → loaded): repaint what lies under it from
         * the panes' own buffers first, so no piece of the old box stays behind. */
        for (int p = 0; p < PANE_COUNT; p++) {
            if (u->pane[p] && !(u->dirty & (DIRTY_ORGS << p))) {
                touchwin(u->pane[p]);
                wnoutrefresh(u->pane[p]);
            }
        }
        draw_overlay(u);
    }
    if (u->dirty & DIRTY_FOOTER)
        draw_footer(u);
    doupdate();
    u->dirty = 0;
}

/* --- actions ------------------------------------------------------------------------------ */

static void set_status(struct ui *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void set_status(struct ui *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_status(struct ui *u, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(u->status, sizeof u->status, fmt, ap);
    va_end(ap);
    utf8_trim_partial(u->status);
    u->status_until = wall_now() + 4;
    u->dirty |= DIRTY_FOOTER;
}

static void select_org(struct ui *u, size_t i)
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
    engine_want_page(u->e, i, o->page_no, o->search);
    u->dirty |= DIRTY_PANES | DIRTY_HEADER;
}

static void move_sel(struct ui *u, long delta, bool absolute)
{
    size_t idx[1000];
    switch (u->focus) {
    case PANE_ORGS: {
        long n = (long)u->m.norgs, at = absolute ? delta : (long)u->sel_org + delta;
        select_org(u, (size_t)(at < 0 ? 0 : at >= n ? n - 1 : at));
        break;
    }
    case PANE_PATIENTS: {
        struct model_org *o = selected_org(u);
        long n = o && o->have_page ? (long)o->page.len : 0;
        long at = absolute ? delta : (long)u->sel_patient + delta;
        u->sel_patient = (size_t)(at < 0 || n == 0 ? 0 : at >= n ? n - 1 : at);
        if (n > 0) {
            const char *id = o->page.items[u->sel_patient].id ? o->page.items[u->sel_patient].id : "";
            selection_set(&u->patient_sel, &id, 1, 0);
            u->patient_sel.row = u->sel_patient;
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
    long pages = o->page.total_pages;
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
static void sync_selection(struct ui *u)
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
    if (!o || !o->have_page || o->page_loading)
        return;
    if (u->patients_reset) {
        selection_reset(&u->patient_sel);
        u->patients_reset = false;
    }
    const char **ids = xmalloc((o->page.len ? o->page.len : 1) * sizeof *ids);
    for (size_t i = 0; i < o->page.len; i++)
        ids[i] = o->page.items[i].id ? o->page.items[i].id : "";
    if (!u->patient_sel.key && u->focus == PANE_PATIENTS && o->page.len)
        selection_set(&u->patient_sel, ids, o->page.len,
                      u->sel_patient < o->page.len ? u->sel_patient : 0);
    out = selection_resolve(&u->patient_sel, ids, o->page.len);
    free(ids);
    if (out != SELECTION_EMPTY && u->sel_patient != u->patient_sel.row) {
        u->sel_patient = u->patient_sel.row;
        u->dirty |= DIRTY_PATIENTS;
    }
    if (out == SELECTION_NEIGHBOUR)
        set_status(u, " the selected patient is no longer on this page: selected row %zu",
                   u->sel_patient + 1);
}

/* --- copying ------------------------------------------------------------------------------ */

/* What y, Y and c act on: the failure shown in an open overlay, else the selected failure
 * group when the failures pane has the focus, else the selected org's latest failure. Never
 * anything else (issue 13: a wrong copy is worse than none). */
struct target {
    const char *org;                 /* for "nothing to copy for ORG" */
    const struct model_failure *f;   /* NULL: nothing to copy */
    const char *trace;               /* the trace_id y copies; NULL when f has none */
    struct model_failure one;        /* a patient detail's failure, f points here */
    char *one_trace[1];
    double one_time[1];
};

static bool ends_with(const char *s, const char *tail)
{
    size_t a = s ? strlen(s) : 0, b = strlen(tail);
    return a >= b && strcmp(s + a - b, tail) == 0;
}

static bool detail_target(struct ui *u, struct target *t)
{
    const struct model_detail *d = &u->m.detail;
    t->org = d->org < u->m.norgs ? u->m.orgs[d->org].cfg->name : "?";
    if (!d->probe.done || d->probe.cls == API_OK)
        return false;
    const char *trace = d->probe.err.trace_id;
    /* The group the engine put this failure in: the one holding its trace_id. */
    const struct model_failure *g = NULL;
    for (size_t k = u->m.nfailures; !g && k-- > 0;) {
        const struct model_failure *f = &u->m.failures[k];
        if (f->org != d->org || !ends_with(f->path, "/{id}") || f->status != d->probe.status ||
            f->cls != d->probe.cls)
            continue;
        if (!trace)
            g = f;
        for (size_t i = 0; trace && i < f->ntrace && !g; i++)
            if (strcmp(f->trace_ids[i], trace) == 0)
                g = f;
    }
    if (!g)
        return false;
    /* Only this occurrence: the note and the curl speak of the failure on screen. */
    t->one = *g;
    t->one.count = 1;
    t->one.first_seen = t->one.last_seen = d->probe.at;
    t->one.query = NULL;
    t->one_trace[0] = (char *)trace;
    t->one_time[0] = d->probe.at;
    t->one.trace_ids = trace ? t->one_trace : NULL;
    t->one.trace_times = trace ? t->one_time : NULL;
    t->one.ntrace = trace ? 1 : 0;
    t->f = &t->one;
    t->trace = trace;
    return true;
}

static bool find_target(struct ui *u, struct target *t)
{
    memset(t, 0, sizeof *t);
    size_t idx[1000];
    if (u->overlay == OVERLAY_PATIENT)
        return detail_target(u, t);
    if (u->overlay == OVERLAY_FAILURE) {
        t->f = group_by_key(u, u->overlay_key);
    } else if (u->focus == PANE_FAILS) {
        size_t n = visible_failures(u, idx, ARRAY_LEN(idx));
        t->f = u->sel_fail < n ? &u->m.failures[idx[u->sel_fail]] : NULL;
    } else {
        struct model_org *o = selected_org(u);
        t->org = o ? o->cfg->name : "?";
        size_t k = o ? model_org_latest_failure(&u->m, u->sel_org) : (size_t)-1;
        t->f = k != (size_t)-1 ? &u->m.failures[k] : NULL;
    }
    if (!t->f)
        return false;
    t->org = t->f->org_name ? t->f->org_name : "?";
    t->trace = t->f->ntrace ? t->f->trace_ids[t->f->ntrace - 1] : NULL;
    return true;
}

/* "eastside 401 /v1/marketplace/me, trace 550e8400…": org, status, endpoint, trace_id's start. */
static void target_text(const struct target *t, char *buf, size_t size)
{
    const struct model_failure *f = t->f;
    char status[16];
    if (f->status)
        snprintf(status, sizeof status, "%d", f->status);
    else
        snprintf(status, sizeof status, "%s", api_class_name(f->cls));
    bprintf(buf, size, "%s %s %s, %s%.8s%s", t->org, status, f->path ? f->path : "?",
            t->trace ? "trace " : "no trace_id", t->trace ? t->trace : "",
            t->trace ? "\xE2\x80\xA6" : "");
    utf8_trim_partial(buf);
}

static void start_clip(struct ui *u, enum clip_via via, const char *const *argv,
                       const char *text, const char *what)
{
    struct clip_job *job = NULL;
    for (size_t i = 0; i < ARRAY_LEN(u->clips) && !job; i++)
        if (!u->clips[i].pid)
            job = &u->clips[i];
    if (!job) {
        set_status(u, " not copied: %zu copies are still running (%s)", ARRAY_LEN(u->clips),
                   clip_via_name(via));
        return;
    }
    char err[256];
    if (clip_start(job, via, argv, text, what, err, sizeof err))
        set_status(u, " copying %s via %s", what, clip_via_name(via));
    else
        set_status(u, " not copied: %s could not start: %s", clip_via_name(via), err);
}

/* Copies text; what names it with its target for the status line. Inside tmux the copy goes
 * through tmux (load-buffer -w); the user's copy_command wins over both. */
static void copy_text(struct ui *u, const char *raw, const char *what)
{
    char *text = keymask_text(raw); /* a key in an org id or the base_url path (issue 11) */
    const char *cmd = u->copy_command ? u->copy_command : u->cfg.set.copy_command;
    const char *tmux = getenv("TMUX");
    if (cmd) {
        const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
        start_clip(u, CLIP_COMMAND, argv, text, what);
    } else if (tmux && *tmux) {
        const char *argv[] = {"tmux", "load-buffer", "-w", "-", NULL};
        start_clip(u, CLIP_TMUX, argv, text, what);
    } else {
        fflush(stdout);
        if (clip_osc52(STDOUT_FILENO, text, false))
            set_status(u, " copied %s via OSC 52", what);
        else
            set_status(u, " not copied: writing OSC 52 to the terminal failed: %s", strerror(errno));
    }
    free(text);
}

/* The loop's turn for running copies: reports each that ended, truthfully. */
static void poll_clips(struct ui *u)
{
    for (size_t i = 0; i < ARRAY_LEN(u->clips); i++) {
        struct clip_job *job = &u->clips[i];
        int status;
        if (!clip_poll(job, &status))
            continue;
        char why[320];
        clip_failure_text(job, status, why, sizeof why);
        if (!why[0]) {
            set_status(u, " copied %s via %s", job->what, clip_via_name(job->via));
        } else if (job->via == CLIP_TMUX) {
            /* An older tmux (no load-buffer -w) or none reachable: its passthrough. */
            fflush(stdout);
            clip_osc52(STDOUT_FILENO, job->text, true);
            set_status(u, " copied %s via %s (tmux load-buffer -w: %s)", job->what,
                       clip_via_name(CLIP_OSC52_TMUX), why);
        } else {
            set_status(u, " NOT COPIED %s: copy_command failed: %s", job->what, why);
        }
        clip_job_free(job);
    }
}

static void copy_action(struct ui *u, enum action a)
{
    struct target t;
    if (!find_target(u, &t)) {
        if (t.org)
            set_status(u, " nothing to copy for %s: no failure", t.org);
        else
            set_status(u, " nothing to copy: no failure %s",
                       u->overlay == OVERLAY_FAILURE ? "(the group is no longer listed)" : "selected");
        return;
    }
    char about[256], what[320];
    target_text(&t, about, sizeof about);
    if (a == ACT_COPY_TRACE) {
        if (!t.trace) {
            set_status(u, " nothing to copy for %s: its failure has no trace_id (%s)", t.org, about);
            return;
        }
        bprintf(what, sizeof what, "trace_id: %s", about);
        copy_text(u, t.trace, what);
        return;
    }
    char *text = a == ACT_COPY_NOTE ? explain_support_note(&u->m, t.f) : explain_curl(&u->m, t.f);
    bprintf(what, sizeof what, "%s: %s", a == ACT_COPY_NOTE ? "a support note" : "the request as curl",
            about);
    copy_text(u, text, what);
    free(text);
}

static void open_selected(struct ui *u)
{
    size_t idx[1000];
    if (u->focus == PANE_PATIENTS) {
        struct model_org *o = selected_org(u);
        if (o && o->have_page && u->sel_patient < o->page.len) {
            engine_fetch_patient(u->e, u->sel_org, o->page.items[u->sel_patient].id);
            u->overlay = OVERLAY_PATIENT;
            u->overlay_scroll = 0;
            u->dirty |= DIRTY_OVERLAY;
        }
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
    if (u->overlay == OVERLAY_PATIENT)
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
    if (!accept) {
        if (u->prompt_pane == PANE_FAILS) {
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
    if (u->prompt_pane == PANE_FAILS) {
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

static void prompt_key(struct ui *u, wint_t ch, bool is_key)
{
    enum lineedit_result r;
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
    if (u->prompt_pane == PANE_FAILS) {
        /* The failures filter is local: it applies as you type. */
        free(u->fail_filter);
        u->fail_filter = u->prompt_len ? xstrdup(u->prompt) : NULL;
        u->dirty |= DIRTY_FAILS;
    }
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

static void do_action(struct ui *u, enum action a)
{
    /* A key acts on what the screen shows: an earlier key of the same burst may have changed
     * a filter, so the rows are found again first. */
    sync_selection(u);
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
    case ACT_SEARCH:
        u->prompting = true;
        u->prompt_pane = u->focus == PANE_FAILS ? PANE_FAILS : PANE_PATIENTS;
        u->prompt[0] = '\0';
        u->prompt_len = 0;
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
        if (u->focus == PANE_FAILS && u->fail_filter) {
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
    case ACT_ALL_FAILS:
        u->all_failures = !u->all_failures;
        u->dirty |= DIRTY_FAILS;
        break;
    default:
        break;
    }
}

static int pane_at(const struct ui *u, int y, int x)
{
    for (int p = 0; p < PANE_COUNT; p++) {
        const struct rect *r = &u->r_pane[p];
        if (r->shown && y >= r->y && y < r->y + r->h && x >= r->x && x < r->x + r->w)
            return p;
    }
    return -1;
}

static void on_mouse(struct ui *u)
{
    MEVENT ev;
    if (getmouse(&ev) != OK || u->too_small)
        return;
    int p = pane_at(u, ev.y, ev.x);
    if (p < 0)
        return;
    if (ev.bstate & (BUTTON4_PRESSED)) {
        u->focus = (enum pane)p;
        move_sel(u, -1, false);
        return;
    }
#ifdef BUTTON5_PRESSED
    if (ev.bstate & BUTTON5_PRESSED) {
        u->focus = (enum pane)p;
        move_sel(u, 1, false);
        return;
    }
#endif
    if (!(ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_RELEASED)))
        return;
    u->focus = (enum pane)p;
    int row = ev.y - u->r_pane[p].y - 1;
    if (p == PANE_ORGS && row >= 0)
        select_org(u, u->org_top + (size_t)row);
    else if (p == PANE_PATIENTS && row >= 1)
        move_sel(u, row - 1, true);
    else if (p == PANE_FAILS && row >= 0)
        move_sel(u, (long)(u->fail_top + (size_t)row), true);
    u->dirty |= DIRTY_PANES;
}

static void on_resize(struct ui *u)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
        resizeterm(ws.ws_row, ws.ws_col);
    u->dirty = DIRTY_ALL;
}

/* Reads every pending key; returns how many were read. */
static int read_input(struct ui *u)
{
    wint_t ch;
    int rc, n = 0;
    while ((rc = wget_wch(stdscr, &ch)) != ERR) {
        n++;
        bool is_key = rc == KEY_CODE_YES;
        if (is_key && ch == KEY_RESIZE) {
            /* ncurses has resized already (resizeterm queues this key): calling resizeterm
             * again would queue another, for ever. */
            u->dirty = DIRTY_ALL;
            continue;
        }
        if (is_key && ch == KEY_MOUSE) {
            on_mouse(u);
            continue;
        }
        if (u->prompting) {
            prompt_key(u, ch, is_key);
            continue;
        }
        enum action a = action_of((int)ch);
        if (!is_key && ch >= KEY_MIN)
            a = ACT_NONE;
        if (a != ACT_NONE)
            do_action(u, a);
        if (u->quit)
            return n;
    }
    return n;
}

/* The terminal is gone (the SSH session dropped, the tmux pane was killed) when stdin polls
 * as hung up, or reads fail with EIO. A parent that catches SIGHUP (make demo's script, any
 * `trap ... HUP` wrapper) keeps it from reaching us, and every read then returns at once:
 * without this the loop spun at full CPU and kept spending the app's rate budget. */
static bool terminal_gone(void)
{
    struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
    if (poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR | POLLNVAL)))
        return true;
    char c;
    return read(STDIN_FILENO, &c, 0) < 0 && errno == EIO;
}

static void read_signals(struct ui *u)
{
    unsigned char buf[32];
    ssize_t n;
    while ((n = read(sig_pipe[0], buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] == SIGWINCH || buf[i] == SIGCONT) {
                on_resize(u);
            } else {
                u->quit = true;
                if (!u->quit_signal)
                    u->quit_signal = buf[i];
            }
        }
    }
}

/* --- the loop ----------------------------------------------------------------------------- */

static unsigned dirty_of(unsigned changed)
{
    unsigned d = 0;
    if (changed & ENGINE_CHANGED_ORGS)
        d |= DIRTY_ORGS | DIRTY_ORG | DIRTY_HEADER | DIRTY_PATIENTS;
    if (changed & ENGINE_CHANGED_PATIENTS)
        d |= DIRTY_PATIENTS;
    if (changed & ENGINE_CHANGED_FAILURES)
        d |= DIRTY_FAILS | DIRTY_ORGS;
    if (changed & ENGINE_CHANGED_DETAIL)
        d |= DIRTY_OVERLAY;
    return d;
}

static void loop(struct ui *u)
{
    /* The first frame before the first requests: opening a minute's budget of connections
     * takes longer than drawing, and the screen should be there at once. */
    draw(u);
    while (!u->quit) {
        unsigned changed = engine_step(u->e);
        u->dirty |= dirty_of(changed);
        /* A request going out turns an org's "waiting" into "checking": the engine reports
         * answers, not departures, so the Orgs pane watches the count in flight. */
        size_t in_flight = 0;
        for (size_t i = 0; i < u->m.norgs; i++)
            in_flight += (size_t)u->m.orgs[i].in_flight;
        if (in_flight != u->shown_in_flight) {
            u->shown_in_flight = in_flight;
            u->dirty |= DIRTY_ORGS;
        }
        /* The header's countdown and the footer's status age by the second. */
        long left = countdown(u);
        if (left != u->shown_countdown)
            u->dirty |= DIRTY_HEADER | DIRTY_ORG; /* the countdown and the data's age */
        /* A 429's wait counts down in the Orgs and Organization panes: redraw them each second
         * while a budget waits. */
        long second = (long)mono_now();
        if (second != u->shown_second) {
            u->shown_second = second;
            for (size_t b = 0; b < u->m.nbudgets; b++)
                if (u->m.budgets[b].blocked_until > mono_now())
                    u->dirty |= DIRTY_ORGS | DIRTY_ORG;
        }
        if (u->status[0] && wall_now() >= u->status_until) {
            u->status[0] = '\0';
            u->dirty |= DIRTY_FOOTER;
        }
        draw(u);
        double now = wall_now();
        long to_second = (long)((1.0 - (now - floor(now))) * 1000.0) + 1;
        /* A running copy's stderr reaches its end when the child exits: that wakes us. */
        struct engine_fd fds[2 + ARRAY_LEN(u->clips)] = {{STDIN_FILENO, false}, {sig_pipe[0], false}};
        size_t nfds = 2;
        for (size_t i = 0; i < ARRAY_LEN(u->clips); i++)
            if (u->clips[i].pid && u->clips[i].err_fd >= 0)
                fds[nfds++] = (struct engine_fd){u->clips[i].err_fd, false};
        engine_wait(u->e, fds, nfds, to_second);
        poll_clips(u);
        if (fds[1].ready)
            read_signals(u);
        if (fds[0].ready && read_input(u) == 0 && terminal_gone()) {
            u->quit = true;
            u->quit_signal = SIGHUP; /* exit 129, as if the hang-up had reached us, like htop */
        }
    }
}

static bool terminal_usable(void)
{
    const char *term = getenv("TERM");
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        warnmsg("the dashboard needs a terminal (try 'maxdash check' for a report)");
        return false;
    }
    if (!term || !*term || strcmp(term, "dumb") == 0) {
        warnmsg("TERM is %s: the dashboard needs a real terminal (try 'maxdash check')",
                term && *term ? "dumb" : "not set");
        return false;
    }
    return true;
}

const char *ui_term_fallback(const char *term)
{
    /* Terminals whose own entry is often missing on the far side of an SSH session (ncurses-term
     * lacks the newest) but which emulate xterm: alacritty, ghostty, kitty, wezterm, foot... */
    static const char *const xterm_like[] = {"alacritty", "contour", "foot", "ghostty", "kitty",
                                             "rio", "wezterm", "konsole", "gnome", "vte",
                                             "iterm", "iterm2", "st", "termite"};
    if (!term || !*term)
        return NULL;
    if (strncmp(term, "tmux", 4) == 0 || strncmp(term, "screen", 6) == 0)
        return strcmp(term, "screen-256color") == 0 ? "screen" : "screen-256color";
    if (strncmp(term, "xterm-", 6) == 0 || strncmp(term, "rxvt", 4) == 0)
        return strcmp(term, "xterm-256color") == 0 ? NULL : "xterm-256color";
    size_t stem = strcspn(term, "-.");
    for (size_t i = 0; i < ARRAY_LEN(xterm_like); i++)
        if (strlen(xterm_like[i]) == stem && strncmp(term, xterm_like[i], stem) == 0)
            return "xterm-256color";
    return NULL;
}

/* newterm() on $TERM, else on its fallback (ui_term_fallback) when terminfo lacks it. *note
 * gets the one line to say after exit when a fallback was used (caller frees); on failure the
 * reason has been said already. $TERM is never echoed raw: it may hold escape sequences. */
static SCREEN *open_screen(char **note)
{
    const char *term = getenv("TERM");
    SCREEN *screen = newterm(NULL, stdout, stdin);
    if (screen)
        return screen;
    char *shown = config_printable(term ? term : "");
    const char *alt = ui_term_fallback(term);
    if (alt && (screen = newterm(alt, stdout, stdin))) {
        *note = xasprintf("TERM=%s has no terminfo entry here; used %s (install the terminal's "
                          "terminfo, e.g. infocmp -x | ssh HOST tic -x -, to silence this)",
                          shown, alt);
    } else if (alt) {
        warnmsg("TERM=%s has no terminfo entry here, nor has %s: install ncurses-term or run "
                "with TERM=xterm-256color", shown, alt);
    } else {
        warnmsg("TERM=%s has no terminfo entry here: install its terminfo (infocmp -x | ssh "
                "HOST tic -x -) or run with TERM=xterm-256color", shown);
    }
    free(shown);
    return screen;
}

int ui_run(const struct ui_opts *opts)
{
    struct ui *u = xcalloc(1, sizeof *u);
    if (!check_load_config(opts->config, &u->cfg)) {
        config_free(&u->cfg);
        free(u);
        return 2;
    }
    const char *org_name = opts->org;
    if (org_name && !config_find_org(&u->cfg, org_name)) {
        char *name = config_printable(org_name);
        warnmsg("--org: no org named '%s' in %s", name, u->cfg.path);
        free(name);
        config_free(&u->cfg);
        free(u);
        return 2;
    }
    if (!terminal_usable()) {
        config_free(&u->cfg);
        free(u);
        return 2;
    }
    char err[512];
    u->have_log = authlog_open(&u->log, u->cfg.set.log_file, err, sizeof err);
    model_init(&u->m, &u->cfg, NULL, 0);
    /* Also a log that could not be opened: each append tries again and says why it failed. */
    struct engine_opts eo = {.log = &u->log};
    u->e = engine_new(&u->m, &eo, err, sizeof err);
    if (!u->e) {
        warnmsg("%s", err);
        model_free(&u->m);
        authlog_close(&u->log);
        config_free(&u->cfg);
        free(u);
        return 1;
    }
    /* The recent history first, so the pane is never empty of what happened before. */
    struct authlog_record *recs;
    size_t nrec, skipped;
    long skipped_line;
    char rerr[512]; /* err still holds why the log could not be opened */
    if (authlog_read(u->cfg.set.log_file, 500, &recs, &nrec, &skipped, &skipped_line, rerr,
                     sizeof rerr)) {
        model_add_history(&u->m, recs, nrec);
        authlog_records_free(recs, nrec);
        if (skipped)
            bprintf(u->status, sizeof u->status, " %s:%ld: torn record skipped (written during a crash?)",
                     u->cfg.set.log_file, skipped_line);
    }
    char warn[600];
    if (!u->have_log)
        bprintf(u->status, sizeof u->status, " %s (tried again at each failure)", err);
    else if (u->log.warning[0])
        bprintf(u->status, sizeof u->status, " %s", u->log.warning);
    else if (authlog_check_files(u->cfg.set.log_file, warn, sizeof warn))
        bprintf(u->status, sizeof u->status, " %s", warn);
    u->status_until = wall_now() + 6;

    size_t preselected = model_org_named(&u->m, org_name);
    if (preselected != (size_t)-1)
        u->sel_org = preselected;
    if (u->m.norgs)
        engine_want_page(u->e, u->sel_org, 1, NULL);

    const char *codeset = nl_langinfo(CODESET);
    u->utf8 = codeset && strcmp(codeset, "UTF-8") == 0;
    ascii_only = !u->utf8;
    u->privacy = opts->privacy || u->cfg.set.privacy;
    u->copy_command = opts->copy_command && *opts->copy_command ? opts->copy_command : NULL;
    bool color = !opts->no_color && !(getenv("NO_COLOR") && *getenv("NO_COLOR"));

    if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        die(1, "pipe: %s", strerror(errno));
    char *term_note = NULL;
    SCREEN *screen = open_screen(&term_note);
    if (!screen) {
        engine_free(u->e);
        model_free(&u->m);
        authlog_close(&u->log);
        config_free(&u->cfg);
        free(u);
        return 2;
    }
    curses_on = true;
    util_set_cleanup(leave_curses);
    install_signals();
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED
#ifdef BUTTON5_PRESSED
                  | BUTTON5_PRESSED
#endif
              , NULL);
    mouseinterval(0);
    theme_init(color);
    u->dirty = DIRTY_ALL;
    u->shown_countdown = -2;

    loop(u);

    free_windows(u);
    leave_curses();
    util_set_cleanup(NULL);
    delscreen(screen);
    engine_free(u->e);
    model_free(&u->m);
    authlog_close(&u->log);
    config_free(&u->cfg);
    free(u->fail_filter);
    free(u->filter_before);
    free(u->overlay_key);
    selection_free(&u->org_sel);
    selection_free(&u->fail_sel);
    selection_free(&u->patient_sel);
    for (size_t i = 0; i < ARRAY_LEN(u->clips); i++)
        clip_job_free(&u->clips[i]); /* a child still running is left to finish on its own */
    if (term_note) {
        warnmsg("%s", term_note); /* said once, after the screen is gone */
        free(term_note);
    }
    int quit_signal = u->quit_signal;
    free(u);
    close(sig_pipe[0]);
    close(sig_pipe[1]);
    sig_pipe[0] = sig_pipe[1] = -1;
    /* As shells expect of a program ended by SIGTERM, SIGINT or SIGHUP (issue 12). */
    return quit_signal ? 128 + quit_signal : 0;
}
