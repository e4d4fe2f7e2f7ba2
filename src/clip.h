/* Putting text on the user's clipboard, and saying truthfully whether it got there: OSC 52
 * written to the terminal, OSC 52 wrapped for tmux's passthrough, `tmux load-buffer -w -`, or
 * the user's copy_command. Children run off the terminal, with only stdin (the text), stdout
 * (/dev/null) and stderr (a pipe we read) open, and the environment maxdash has after it
 * dropped the key variables (config_scrub_environment). No curses. */
#ifndef MAXDASH_CLIP_H
#define MAXDASH_CLIP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum clip_via {
    CLIP_OSC52,        /* ESC ] 52 ; c ; BASE64 BEL to the terminal */
    CLIP_OSC52_TMUX,   /* the same inside tmux's DCS passthrough (needs allow-passthrough on) */
    CLIP_TMUX,         /* tmux load-buffer -w -: the tmux buffer, and the outer clipboard when
                          tmux's set-clipboard is on or external */
    CLIP_COMMAND,      /* copy_command, run by /bin/sh -c */
};

/* A copy running in a child. */
struct clip_job {
    pid_t pid;         /* 0: none */
    int err_fd;        /* the child's stderr, non-blocking; -1 once at its end */
    enum clip_via via;
    char err[256];     /* what the child wrote to stderr, first bytes */
    size_t err_len;
    char *what;        /* the status line's description of what is copied; owned */
    char *text;        /* kept for a fallback to OSC 52 (tmux); owned */
    bool truncated;    /* the child did not take the whole text at once (it exited first, or
                          the text outgrew the pipe: never waited for): reported as failed */
};

/* "OSC 52", "OSC 52 in tmux passthrough", "tmux load-buffer -w", "copy_command"; static. */
const char *clip_via_name(enum clip_via via);

/* Writes text to fd as OSC 52 (wrapped for tmux when tmux is true). False when the write
 * failed; errno tells why. */
bool clip_osc52(int fd, const char *text, bool tmux);

/* Starts argv[0] (searched in PATH) with text on its stdin; fills job (what and text are
 * copied). False with the reason in err when it could not be started. */
bool clip_start(struct clip_job *job, enum clip_via via, const char *const *argv,
                const char *text, const char *what, char *err, size_t errsize);

/* Reads the child's stderr and reaps it without blocking. Returns true when it has ended:
 * *status is its wait status. */
bool clip_poll(struct clip_job *job, int *status);

/* Describes how a job ended, for the status line: "" when it succeeded (exit status 0 and the
 * whole text taken), else e.g. "exit status 127: sh: 1: xclip: not found" (stderr's first
 * line, sanitized). */
void clip_failure_text(const struct clip_job *job, int status, char *buf, size_t size);

/* Frees what job owns and closes its descriptor (it must have ended). */
void clip_job_free(struct clip_job *job);

#endif
