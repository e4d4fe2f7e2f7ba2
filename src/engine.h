/* The engine: every request to the API, on one libcurl multi handle driven by the program's
 * single event loop. It schedules refreshes per org within each app's rate budget, retries
 * transient failures with backoff, honours 429s, logs failures, and writes results into the
 * model. The only module that includes curl. */
#ifndef MAXDASH_ENGINE_H
#define MAXDASH_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include "authlog.h"
#include "model.h"

struct engine;

struct engine_opts {
    bool once;            /* `check`: one /marketplace/me and one probe (the key's probe
                             resource, patients by default) per org */
    int timeout_s;        /* per request; 0: the config's */
    bool quick;           /* once: the key's probe alone, no /marketplace/me (check --quick) */
    int budget;           /* once: requests a minute for each app (check --budget); 0: the
                             config's rate_budget, stretched by ENGINE_ONCE_SHARE */
    struct authlog *log;  /* failures are appended here before the model shows them; may be NULL */
    /* Called with every finished request, after the log and before the model take it (serve's
     * metrics, issue 18); may be NULL. r and its strings are only borrowed for the call. */
    void (*observe)(void *ctx, size_t org, enum api_endpoint ep, const struct api_result *r,
                    long latency_ms, double wall);
    void *observe_ctx;
};

/* What engine_step changed, for the loop to redraw. */
enum {
    ENGINE_CHANGED_ORGS = 1u << 0,
    ENGINE_CHANGED_PATIENTS = 1u << 1,
    ENGINE_CHANGED_FAILURES = 1u << 2,
    ENGINE_CHANGED_DETAIL = 1u << 3,
};

/* An extra descriptor for engine_wait to watch (the terminal, a signal pipe). */
struct engine_fd {
    int fd;
    bool ready; /* set by engine_wait: readable */
};

/* At most this many connections at once, and fewer under a low RLIMIT_NOFILE. */
#define ENGINE_MAX_CONNECTIONS 256L
/* Over TLS (issue 20, B14): at most this many connections to the API, each carrying up to
 * ENGINE_H2_STREAMS requests at once (CURLMOPT_MAX_CONCURRENT_STREAMS; a server allowing
 * fewer streams makes the rest wait in libcurl for a free one). The cap is lifted when the
 * first answer shows the server speaks HTTP/1.1 only. */
#define ENGINE_H2_CONNECTIONS 2L
#define ENGINE_H2_STREAMS 1000L
/* Answers engine_step takes in, and requests it hands to libcurl, at most per call, so the
 * loop reads the terminal between slices of a burst (issue 20: key latency <= 20 ms during
 * 1 000 answers). */
#define ENGINE_SLICE 32
/* Easy handles kept for reuse after their transfer. */
#define ENGINE_POOL 512
/* A one-shot `check` (once, no --budget) may use this share of what the server says is left in
 * an app's window (X-RateLimit-Remaining, at the app's first answer, less the requests still in
 * flight) when that is more than rate_budget; the rest stays for the app's own traffic. Never
 * more than the server's X-RateLimit-Limit. (Issue 20 case 3.) */
#define ENGINE_ONCE_SHARE 0.5
/* Descriptors left to the rest of the program (terminal, log, pipes, the copy command). */
#define ENGINE_FD_RESERVE 32L

/* The connection cap for the current RLIMIT_NOFILE soft limit: (limit - ENGINE_FD_RESERVE) / 3
 * (a socket plus the threaded resolver's socket pair per transfer), at most
 * ENGINE_MAX_CONNECTIONS, at least 1. Issue 14 case 6: 256 connections under `ulimit -n 256`
 * failed 176 of 300 orgs with EMFILE, blamed on the API. */
long engine_max_connections(void);

/* NULL when TLS to base_url can find CA certificates; else a static one-line reason (no CA
 * bundle configured and libcurl's built-in CA file and directory unreadable or empty: a minimal
 * Debian without ca-certificates). Plain http and a configured ca_bundle are never a problem. */
const char *engine_ca_problem(const char *base_url, const char *ca_bundle);

/* Creates the engine over the model (borrowed). NULL with the reason in err when libcurl
 * cannot be set up, or when https has no CA certificates to verify with (engine_ca_problem). */
struct engine *engine_new(struct model *m, const struct engine_opts *opts, char *err,
                          size_t errsize);
/* Cancels every transfer and frees the engine. */
void engine_free(struct engine *e);

/* Milliseconds until the engine needs engine_step again without any I/O; -1 when nothing is
 * scheduled. */
long engine_next_ms(struct engine *e);

/* Sleeps in curl_multi_poll until a transfer or one of fds has something, or timeout_ms
 * passes (-1: no limit but the engine's own next deadline). */
void engine_wait(struct engine *e, struct engine_fd *fds, size_t nfds, long timeout_ms);

/* Moves transfers on, takes in the finished ones and starts what is due. Returns
 * ENGINE_CHANGED_* flags. */
unsigned engine_step(struct engine *e);

/* True in once mode when every probe has finished. */
bool engine_done(const struct engine *e);

/* Once mode: how far the check is. */
struct engine_progress {
    size_t orgs;          /* to check */
    size_t started;       /* whose requests the budget let go */
    size_t finished;      /* whose requests are all back */
    long wait_ms;         /* until the budget lets the next org go; 0: none waiting */
    double estimate_s;    /* until the last org can start, at the budgets' pace; 0 none */
    double stretched_s;   /* from the first org's start to the last one's, so far: how long
                             the budgets held orgs back */
};
void engine_progress(struct engine *e, struct engine_progress *p);

/* Asks for a refresh of one org (or all) now, within the budget. */
void engine_refresh_org(struct engine *e, size_t org);
void engine_refresh_all(struct engine *e);

/* The orgs (indexes into the model, n of them, copied) whose due refreshes are sent before any
 * other's: the selected org and those on screen (issue 17). Each keeps its own schedule; only
 * the order within a turn changes. An empty list restores plain round-robin. */
void engine_refresh_first(struct engine *e, const size_t *orgs, size_t n);

/* The UI shows org's patients at page (1-based) with search (NULL: none); page_size from the
 * config. Fetches it now, cancelling an older page request of that org. */
void engine_want_page(struct engine *e, size_t org, long page, const char *search);
/* The UI no longer shows org's patients: its refreshes go back to a 1-row probe. */
void engine_unwant_page(struct engine *e, size_t org);

/* The UI shows org's resource res (index into the resource table, restable.h) at page with
 * search and filters ("name=value ...", NULL: none; parent_id fills a child resource's {id}).
 * Patients land in the org's page, others in its rows. Fetches it now (within the budget),
 * cancelling an older page request of that org; other resources than patients are fetched
 * when asked for, not with each refresh. engine_want_page pages within the current resource. */
void engine_want_resource(struct engine *e, size_t org, int res, long page, const char *search,
                          const char *filter, const char *parent_id);

/* Opens the detail view on record id of resource res: patients into model.detail.patient,
 * others into model.detail.fields. */
void engine_fetch_item(struct engine *e, size_t org, int res, const char *id);

/* Asks for one page-size-1 request per documented scope of org (its model_scope probes),
 * sent as the rate budget allows; resources the base URL's version lacks are not asked. In
 * once mode engine_done waits for them. */
void engine_probe_scopes(struct engine *e, size_t org);

/* engine_fetch_item for a patient: GET /patients/{id} into model.detail. */
void engine_fetch_patient(struct engine *e, size_t org, const char *id);
void engine_close_patient(struct engine *e);

/* The latest problem with the log file (cannot open, write error, disk full) with the count of
 * records not written, or NULL; cleared by the next good write. Owned by e. */
const char *engine_log_problem(const struct engine *e);

#endif
