/* Small helpers shared by maxdash and maxdash-sandbox: allocation that never returns NULL,
 * die() that restores the terminal first, bounded formatting. */
#ifndef MAXDASH_UTIL_H
#define MAXDASH_UTIL_H

#include <stdbool.h>
#include <stddef.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Name used as the prefix of every message ("maxdash", "maxdash-sandbox"). */
void util_set_progname(const char *name);
const char *util_progname(void);

/* Registers a function that die() and allocation failures call before exiting
 * (the UI uses it to leave curses mode). */
void util_set_cleanup(void (*fn)(void));

/* Prints "PROG: message" on stderr, runs the cleanup hook and exits with status. */
void die(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

/* Prints "PROG: message" on stderr. */
void warnmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Allocators that die on failure; the caller owns the result. */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a fresh string; the caller frees it. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* snprintf that reports truncation: true when the whole text fit in buf. A truncated result
 * never ends in the middle of a UTF-8 sequence. */
bool bprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Seconds on CLOCK_MONOTONIC (for deadlines and intervals) and CLOCK_REALTIME (for what is
 * shown or logged), as doubles. */
double mono_now(void);
double wall_now(void);

/* Cuts s (in place) back so that it does not end inside a UTF-8 sequence. */
void utf8_trim_partial(char *s);

#endif
