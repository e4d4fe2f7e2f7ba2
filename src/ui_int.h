/* Private to the dashboard's files (ui*.c): the state of the screen, the actions from
 * keys.def, colour roles, and the drawing helpers every pane uses. Nothing else includes it:
 * ui.h is the dashboard's public face. */
#ifndef MAXDASH_UI_INT_H
#define MAXDASH_UI_INT_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "authlog.h"
#include "clip.h"
#include "config.h"
#include "engine.h"
#include "lineedit.h"
#include "model.h"
#include "selection.h"

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
    const int codes[12];
};


extern const struct action_def actions[ACT_COUNT];

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

enum overlay { OVERLAY_NONE, OVERLAY_HELP, OVERLAY_FORM, OVERLAY_FAILURE, OVERLAY_RECORD,
               OVERLAY_SCOPES };

/* The Orgs pane's order (issue 17), cycled by the sort key. */
enum org_sort { ORG_SORT_CONFIG, ORG_SORT_WORST, ORG_SORT_NAME, ORG_SORT_LATENCY, ORG_SORT_COUNT };

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
    /* The Orgs pane at scale (issue 17): the orgs listed, as indexes into m.orgs, in order
     * (ui_orgview.c); org_top is a row of this list. */
    size_t *org_view;
    size_t norg_view, org_view_cap;
    char *org_filter;      /* `/` in the Orgs pane: name, display name, org id or #tag */
    char *org_filter_before;
    enum org_sort org_sort;

    /* The resource browser (issue 16; ui_resources.c, ui_table.c). The Patients pane shows
     * u->res of the selected org; its rows use sel_patient and patient_sel like patients. */
    int res;               /* index into the resource table (restable.h) */
    bool prompt_cmd;       /* the prompt is the ':' command line */
    char **res_filter;     /* per resource: its filters ("name=value ..."), NULL none */
    char **res_last_id;    /* per resource: the record last selected or opened (it fills a
                              required filter or a parent's {id} of another resource) */
    int overlay_sel;       /* the record view's selected line */
    int last_code;         /* the key of the action being done (1-9 pick a resource) */

    char status[256];
    double status_until;
    unsigned dirty;
    bool quit;
    size_t shown_in_flight; /* requests in flight when the Orgs pane was last marked dirty */
    int quit_signal;    /* SIGTERM, SIGINT or SIGHUP that ended the loop: exit 128 + it */
    unsigned long model_version;
    long shown_countdown;
    long shown_second; /* monotonic second of the last wait countdown redraw */
    bool reap;         /* a SIGCHLD came: a copy's child may have ended (poll_clips) */
    bool keyed;        /* input came since the last frame: the next one is drawn at once */
    double drawn_at;   /* monotonic: the last frame */
};

/* Lines of a view's text (owned strings). */
struct lines {
    char **v;
    size_t n;
};

/* --- functions shared between the ui files ------------------------------------------------- */

/* ui_draw.c: roles, the only ways text reaches the screen, marks and times. */
extern attr_t role_attr[ROLE_COUNT];
/* The locale is not UTF-8: every piece of text is drawn as ASCII (text_ascii). Set by ui_run. */
extern bool ascii_only;
void theme_init(bool color);
/* Columns clean text takes as put() draws it. */
int shown_width(const char *clean);
/* Draws clean text at (y, x) clipped to cols columns; returns the columns used. */
int put(WINDOW *w, int y, int x, int cols, const char *clean, attr_t attr);
/* The same for raw text (from the config or the network): cleaned first. */
int put_raw(WINDOW *w, int y, int x, int cols, const char *raw, attr_t attr);
int putf(WINDOW *w, int y, int x, int cols, attr_t attr, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* Right-aligned, its last column at right - 1. */
void put_right(WINDOW *w, int y, int right, int cols, const char *clean, attr_t attr);
const char *mark_glyph(const struct ui *u, enum model_health h);
enum role health_role(enum model_health h);
/* The age of data in coarse steps ("<10 s", "40 s", "3 min"): an idle screen changes rarely. */
void ago_text(double seconds, char *buf, size_t size);
/* Local wall-clock time of t (seconds since the epoch) as HH:MM:SS. */
void clock_text(double t, char buf[16]);
bool org_stale(const struct ui *u, const struct model_org *o);
/* The pane's border and its title, in the focus colour when p has the focus. */
void frame(struct ui *u, WINDOW *w, enum pane p, const char *title);

/* ui_bars.c */
void draw_header(struct ui *u);
void draw_footer(struct ui *u);
void open_editor(struct ui *u);
/* Seconds until the selected org's next refresh, rounded up to COUNTDOWN_STEP; -1 while it is
 * in flight. */
#define COUNTDOWN_STEP 5L
long countdown(const struct ui *u);

/* ui_orgs.c */
void draw_orgs(struct ui *u);
void draw_org(struct ui *u);

/* ui_table.c: any resource, drawn from the resource table alone. */
/* The right-hand table of u->res (the generic table); while the ':' command line is open,
 * the resource switcher. */
void draw_resource_pane(struct ui *u);
/* The record view (OVERLAY_RECORD): a record's fields, the selected line highlighted. */
void draw_record(struct ui *u);
/* The form view (OVERLAY_FORM) of a resource with FIELD lines (resources.def): its title
 * ("Patient") and its labelled lines, "—" for a missing value, patient data masked in privacy
 * mode. */
void form_title(struct ui *u, char *buf, size_t size);
void form_lines(struct ui *u, struct lines *l);
/* The scope map of the selected org (OVERLAY_SCOPES). */
void scope_lines(struct ui *u, struct lines *l);
/* "•••" or "***": what privacy mode shows for patient data. */
const char *mask_text(const struct ui *u);
/* The rows the table shows now (NULL while none), whichever resource it shows. */
const struct api_rows *shown_rows(struct ui *u);

/* ui_resources.c: switching, filters, the command line and following links. */
void resources_init(struct ui *u);
void resources_free(struct ui *u);
/* Shows resource res for org (index) with the UI's filters for it. */
void show_resource(struct ui *u, size_t org, int res);
/* Runs a ':' command ("appointments 2026-12-01", "scopes"); status line on a mistake. */
void run_command(struct ui *u, const char *text);
/* Tab on the command line: completes the resource name. */
void complete_command(struct ui *u);
/* Enter in the table of a resource: opens the selected record. */
void open_record(struct ui *u);
/* Enter in the record view: follows the selected line's link; false when it has none. */
bool follow_link(struct ui *u);
/* Tab in the record view: the selection to the next linked object (an appointment's patient,
 * its provider...). */
void next_link(struct ui *u);
/* [ and ]: the date filter of a resource with dates one day earlier or later. */
void shift_dates(struct ui *u, int days);
/* The selected row's id of the table (records it for required filters). */
void note_selected_row(struct ui *u);

/* ui_fails.c */
void draw_fails(struct ui *u);
void failure_lines(struct ui *u, struct lines *l);
/* The failure groups the pane lists (indexes into m.failures), newest first. */
size_t visible_failures(struct ui *u, size_t *out, size_t max);
/* The failure group whose model_failure_key is key, or NULL when it is gone. */
const struct model_failure *group_by_key(const struct ui *u, const char *key);

/* ui_overlay.c */
void add_line(struct lines *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void draw_overlay(struct ui *u);

/* ui_copy.c */
void copy_action(struct ui *u, enum action a);
/* The loop's turn for running copies: reports each that ended. */
void poll_clips(struct ui *u);

/* ui_orgview.c: the Orgs pane's filter, sort, jump and title. */
const char *orgview_sort_name(enum org_sort s);
/* Whether o passes the Orgs filter (NULL or "": every org). */
bool orgview_matches(const struct config_org *o, const char *filter);
/* Lists the orgs again (filter, then sort) into u->org_view. */
void orgview_update(struct ui *u);
/* The row of org (an index into m.orgs) in u->org_view; SIZE_MAX when filtered out. */
size_t orgview_row_of(const struct ui *u, size_t org);
/* Moves the selection along the listed orgs (as move_sel does for the other panes). */
void orgview_move(struct ui *u, long delta, bool absolute);
/* After the filter changed: the selection goes to the first listed org when it is hidden. */
void orgview_after_filter(struct ui *u);
void orgview_next_sort(struct ui *u);
/* Selects the next failing org after the selected one (wrapping), or says there is none. */
void orgview_next_failing(struct ui *u);
/* The pane's title: "Orgs (500) 412 ok · 3 ✗401 ..." in cols columns, else the counts with
 * their marks only. */
void orgview_title(const struct ui *u, int cols, char *out, size_t size);

/* ui_actions.c */
enum action action_of(int code);
void do_action(struct ui *u, enum action a);
void prompt_key(struct ui *u, wint_t ch, bool is_key);
void move_sel(struct ui *u, long delta, bool absolute);
void select_org(struct ui *u, size_t i);
struct model_org *selected_org(struct ui *u);
/* The selected org's base URL (its key's, else [maxdash] base_url): the header and the
 * resource switcher show its API version. Borrowed from u->cfg. */
const char *ui_base_url(const struct ui *u);
void sync_selection(struct ui *u);
void set_status(struct ui *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
