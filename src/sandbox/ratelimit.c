/* Sliding window over a ring buffer of admission times: exact, O(1) amortised per request. */
#include "ratelimit.h"

#include <stdlib.h>

#include "util.h"

void sb_window_init(struct sb_window *w, size_t limit, double window)
{
    w->times = xcalloc(limit ? limit : 1, sizeof *w->times);
    w->limit = limit;
    w->head = w->count = 0;
    w->window = window;
}

void sb_window_free(struct sb_window *w)
{
    free(w->times);
    w->times = NULL;
}

static void expire(struct sb_window *w, double now)
{
    while (w->count > 0 && w->times[w->head] <= now - w->window) {
        w->head = (w->head + 1) % w->limit;
        w->count--;
    }
}

bool sb_window_admit(struct sb_window *w, double now, double *retry_after)
{
    expire(w, now);
    if (w->limit == 0 || w->count >= w->limit) {
        double wait = w->count ? w->times[w->head] + w->window - now : w->window;
        *retry_after = wait > 0 ? wait : 0;
        return false;
    }
    w->times[(w->head + w->count) % w->limit] = now;
    w->count++;
    return true;
}

size_t sb_window_remaining(struct sb_window *w, double now)
{
    expire(w, now);
    return w->limit - w->count;
}

double sb_window_reset_at(struct sb_window *w, double now)
{
    expire(w, now);
    return w->count ? w->times[w->head] + w->window : now;
}
