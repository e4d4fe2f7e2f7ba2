/* The dashboard. One loop: engine_wait sleeps in curl_multi_poll on the transfers, the terminal
 * and a self-pipe for signals, until the nearest deadline (a refresh, the header's clock).
 * Key handlers and finished requests change the model and mark panes dirty; only the loop
 * draws, once per turn, one wnoutrefresh per dirty pane and one doupdate. */
#include "ui.h"
#include "ui_int.h"

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
#include "orgsel.h"
#include "text.h"
#include "util.h"

static int sig_pipe[2] = {-1, -1};
static bool curses_on;

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
    /* A copy's child ended: reaped then, not by a waitpid() at every turn of the loop. */
    struct sigaction ca = sa;
    ca.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    sigaction(SIGCHLD, &ca, NULL);
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
        draw_resource_pane(u);
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
    if (p == PANE_ORGS && row >= 0) {
        orgview_update(u);
        if (u->org_top + (size_t)row < u->norg_view)
            select_org(u, u->org_view[u->org_top + (size_t)row]);
    }
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
        u->last_code = (int)ch;
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
            } else if (buf[i] == SIGCHLD) {
                u->reap = true;
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

#define DRAW_BUSY_GAP_S 0.1

/* Milliseconds until some text on screen changes by the clock alone, -1 none: the countdown's
 * next step, the selected org's data age ("<10 s ago", "10 s ago"...), the status line's end,
 * and every second while a wait or an age counts down by the second (a 429, a retry, a page or
 * a patient waiting for the budget, a failing org's "data N s old"). The loop sleeps until then
 * (or until input, a signal or the engine): an idle dashboard wakes only when its text changes
 * (issue 20 case 6: it woke every second for the countdown). */
static long next_text_change_ms(struct ui *u)
{
    double next = -1, mono = mono_now(), wall = wall_now();
#define SOONER(s) do { double s_ = (s); if (s_ < 0.001) s_ = 0.001; \
                       if (next < 0 || s_ < next) next = s_; } while (0)
    const struct model_org *sel = selected_org(u);
    bool by_second = u->m.detail.active && u->m.detail.pending;
    for (size_t b = 0; !by_second && b < u->m.nbudgets; b++)
        by_second = u->m.budgets[b].blocked_until > mono;
    for (size_t i = 0; !by_second && i < u->m.norgs; i++) {
        const struct model_org *o = &u->m.orgs[i];
        by_second = o->page_dirty || (o->last_success > 0 && o->first_failure > 0);
    }
    if (sel && sel->retrying)
        by_second = true;
    if (by_second)
        SOONER(1.0 - (mono - floor(mono)));
    if (u->shown_countdown > 0 && sel) {
        double at = sel->next_refresh;
        if (u->m.budgets[sel->budget].blocked_until > at)
            at = u->m.budgets[sel->budget].blocked_until;
        double left = at - mono;
        /* The text shows COUNTDOWN_STEP * ceil(left / step): it changes when left reaches the
         * step below. */
        if (left > 0)
            SOONER(left - (double)COUNTDOWN_STEP * (ceil(left / (double)COUNTDOWN_STEP) - 1));
    }
    if (sel && (sel->probe_me.done || sel->probe_patients.done)) {
        const struct model_probe *p = &sel->probe_me;
        double age = wall - (sel->last_success ? sel->last_success : p->at);
        if (age < 0)
            age = 0;
        if (age < 90) /* ago_text: "<10 s", then 10 s steps */
            SOONER(10.0 - fmod(age, 10.0));
        else
            SOONER(60.0 - fmod(age, 60.0)); /* minutes and hours: once a minute is enough */
    }
    if (u->status[0])
        SOONER(u->status_until - wall);
#undef SOONER
    return next < 0 ? -1 : (long)ceil(next * 1000.0);
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
        /* While the engine takes in a burst of answers slice by slice, the screen follows at
         * DRAW_BUSY_GAP_S: a frame per slice would keep the terminal busy for the whole burst
         * (issue 20 case 4). A key is drawn at once. */
        bool busy = engine_next_ms(u->e) == 0;
        if (!busy || u->keyed || mono_now() - u->drawn_at >= DRAW_BUSY_GAP_S) {
            draw(u);
            u->drawn_at = mono_now();
            u->keyed = false;
        }
        long until_change = busy ? 0 : next_text_change_ms(u);
        /* A running copy's stderr reaches its end when the child exits: that wakes us. */
        struct engine_fd fds[2 + ARRAY_LEN(u->clips)] = {{STDIN_FILENO, false}, {sig_pipe[0], false}};
        size_t nfds = 2;
        for (size_t i = 0; i < ARRAY_LEN(u->clips); i++)
            if (u->clips[i].pid && u->clips[i].err_fd >= 0)
                fds[nfds++] = (struct engine_fd){u->clips[i].err_fd, false};
        engine_wait(u->e, fds, nfds, until_change);
        if (fds[1].ready)
            read_signals(u);
        bool clip_io = false;
        for (size_t i = 2; i < nfds; i++)
            clip_io |= fds[i].ready;
        if (u->reap || clip_io) {
            u->reap = false;
            poll_clips(u);
        }
        u->keyed |= fds[0].ready || fds[1].ready; /* a key, a resize: drawn at once */
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
    /* --org: a name, an org id or a glob, as for check (issue 17); the first org it picks. */
    const char *org_name = opts->org;
    if (org_name && !config_find_org(&u->cfg, org_name)) {
        bool *picked = xcalloc(u->cfg.norgs + 1, sizeof *picked);
        char *why = NULL;
        const char *pats[1] = {org_name};
        bool ok = orgsel_pick(&u->cfg, pats, 1, NULL, 0, picked, &why);
        org_name = NULL;
        for (size_t i = 0; ok && i < u->cfg.norgs && !org_name; i++)
            if (picked[i])
                org_name = u->cfg.orgs[i].name;
        free(picked);
        if (!ok) {
            warnmsg("%s", why);
            free(why);
            config_free(&u->cfg);
            free(u);
            return 2;
        }
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
    if (!u->status[0] && u->cfg.warnings.count) /* a duplicate org id in a list (issue 17) */
        bprintf(u->status, sizeof u->status, " %s%s", u->cfg.warnings.v[0].text,
                u->cfg.warnings.count > 1 ? " (and more: maxdash config lists them)" : "");
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
    resources_init(u); /* after every early return above: freed below */

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
    free(u->org_filter);
    free(u->org_filter_before);
    free(u->org_view);
    free(u->overlay_key);
    resources_free(u);
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

