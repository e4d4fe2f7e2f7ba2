/* A sliding-window request counter: at most `limit` requests in any `window` seconds. */
#ifndef SANDBOX_RATELIMIT_H
#define SANDBOX_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>

struct sb_window {
    double *times; /* ring buffer of admission times, seconds on a monotonic clock */
    size_t limit, head, count;
    double window;
};

/* Prepares w for limit requests per window seconds; sb_window_free releases it. */
void sb_window_init(struct sb_window *w, size_t limit, double window);
void sb_window_free(struct sb_window *w);

/* Admits a request at time now when the window has room (and counts it). Otherwise returns
 * false and sets *retry_after to the seconds until the oldest request leaves the window. */
bool sb_window_admit(struct sb_window *w, double now, double *retry_after);

/* Requests left in the window at now, and the time when the oldest one leaves it (now when
 * the window is empty). */
size_t sb_window_remaining(struct sb_window *w, double now);
double sb_window_reset_at(struct sb_window *w, double now);

#endif
