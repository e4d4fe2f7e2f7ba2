/* The dashboard: an ncursesw screen over the model, one event loop shared with the engine.
 * The only module that includes curses. */
#ifndef MAXDASH_UI_H
#define MAXDASH_UI_H

#include <stdbool.h>

struct ui_opts {
    const char *config;   /* -c FILE or NULL */
    const char *org;      /* --org NAME: preselected, or NULL */
    bool no_color;        /* --no-color (NO_COLOR in the environment does the same) */
    bool privacy;         /* --privacy */
    const char *copy_command; /* --copy-command CMD: overrides the config's copy_command */
};

/* Runs the dashboard until the user quits; returns the exit status (2 for a configuration
 * error or an unusable terminal). */
int ui_run(const struct ui_opts *opts);

/* The terminfo entry to try when $TERM's own is missing (issue 14 case 4): xterm-256color for
 * xterm-* and for terminals known to emulate xterm (alacritty, ghostty, kitty, wezterm, foot...),
 * screen-256color for tmux* and screen*; NULL when nothing fits. A static string. */
const char *ui_term_fallback(const char *term);

#endif
