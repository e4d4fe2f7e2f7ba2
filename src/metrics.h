/* The exposition of `maxdash serve` (issue 18): counters fed by every finished request, and a
 * writer that renders them with the model as Prometheus text 0.0.4 or OpenMetrics 1.0.0.
 * No I/O, no curl, no HTTP: the server (cmd_serve.c) hands it a buffer. */
#ifndef MAXDASH_METRICS_H
#define MAXDASH_METRICS_H

#include <stdbool.h>
#include <stddef.h>

#include "api.h"
#include "model.h"

/* A growable byte buffer; {0} is an empty one. p is NUL-terminated once anything was put. */
struct metrics_buf {
    char *p;
    size_t len, cap;
};

void metrics_buf_put(struct metrics_buf *b, const char *s, size_t n);
void metrics_buf_puts(struct metrics_buf *b, const char *s);
/* Frees b->p and empties b. */
void metrics_buf_free(struct metrics_buf *b);

/* Appends s as the inside of a quoted label value: '\' as "\\", '"' as "\"", LF as "\n" (the
 * three escapes of both the Prometheus text format 0.0.4 and OpenMetrics 1.0.0, which allow any
 * other UTF-8 there); invalid UTF-8 bytes become U+FFFD, so the exposition is always valid
 * UTF-8. NULL appends nothing. Does not clean or mask: callers pass text_clean'ed values. */
void metrics_escape(struct metrics_buf *b, const char *s);

enum metrics_format {
    METRICS_TEXT,        /* text/plain; version=0.0.4 */
    METRICS_OPENMETRICS, /* application/openmetrics-text; version=1.0.0 */
};

/* The format an Accept header asks for: OpenMetrics when it lists
 * application/openmetrics-text (version 1.0.0, 0.0.1 or none) with a q above that of
 * text/plain and of any wildcard; else the text format (also for NULL, "" or garbage). */
enum metrics_format metrics_negotiate(const char *accept);
/* The Content-Type header value of format f; static. */
const char *metrics_content_type(enum metrics_format f);

/* Per-org counters since start. */
struct metrics;

/* Counters for the model's norgs orgs, all zero. The caller frees with metrics_free. */
struct metrics *metrics_new(size_t norgs);
void metrics_free(struct metrics *mx);

/* Counts one finished request of org (index into the model) to ep: its duration in the
 * histogram and, when r->cls is not API_OK, one failure in the series of (endpoint, HTTP status
 * or "none", the API's error code or else the class name), keeping its trace_id and wall time
 * (seconds) for the exemplar. Strings are cleaned and masked (text_clean) and cut; at most
 * METRICS_MAX_FAILURE_SERIES series per org, later ones add to code="other" (a server that
 * invents a code per answer must not grow memory or the scrape). */
#define METRICS_MAX_FAILURE_SERIES 16
void metrics_observe(struct metrics *mx, size_t org, enum api_endpoint ep,
                     const struct api_result *r, long latency_ms, double wall);

/* Appends the whole exposition of m and mx in format f to out: per org maxdash_org_up,
 * maxdash_org_state (a series per state), maxdash_last_success_timestamp_seconds (once there was
 * one), maxdash_scope_granted (per documented scope, once /marketplace/me answered),
 * maxdash_request_duration_seconds (histogram per endpoint), maxdash_failures_total (with the
 * latest trace_id as exemplar in OpenMetrics only); per app maxdash_ratelimit_remaining (when
 * known) and maxdash_ratelimit_waiting. Labels org, org_id, key (the key's name, never its
 * value) and app; every label value cleaned, key-masked and escaped. mono is mono_now(). */
void metrics_render(struct metrics *mx, const struct model *m, enum metrics_format f,
                    double mono, struct metrics_buf *out);

/* The same exposition in parts, for a response streamed as the socket takes it (a 5 000-org
 * exposition is some 25 MiB): metrics_cursor_new takes the orgs' labels now; each
 * metrics_cursor_next appends at least min_bytes (fewer only at the end) to out, whole lines,
 * and returns false once nothing is left. m and mx must outlive the cursor; they may change
 * between two parts (a family is always written whole, in order). The caller frees. */
struct metrics_cursor;
struct metrics_cursor *metrics_cursor_new(struct metrics *mx, const struct model *m,
                                          enum metrics_format f, double mono);
bool metrics_cursor_next(struct metrics_cursor *c, size_t min_bytes, struct metrics_buf *out);
void metrics_cursor_free(struct metrics_cursor *c);

/* The documented scopes that maxdash_scope_granted reports (../api/maxcare-v1.md,
 * ../api/resources.md); static, NULL-terminated. */
extern const char *const metrics_scopes[];

#endif
