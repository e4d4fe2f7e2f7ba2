/* The engine in-process against a real maxdash-sandbox: the 429/Retry-After pause, the per-app
 * rate budget with many orgs, retries of transient failures (and none for 401), pages with
 * search and their cancellation, the patient detail view, and the auth-failure log written
 * before the model shows a failure.
 *
 * Every test drives the engine the way the program does: engine_step, then engine_wait with a
 * short timeout, until a deadline; no fixed sleeps. What was sent is read back from the
 * sandbox's request log (GET /_sandbox/requests, arrival times in t_ms). Keys never appear in
 * the output: the sandbox masks them and the asserts compare orgs and paths only. */
#include "testing.h"

#include <limits.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "authlog.h"
#include "config.h"
#include "engine.h"
#include "http.h"
#include "model.h"
#include "proc.h"
#include "sandbox_proc.h"

#define KEY1 "max_dev_ak_ENGINEtest000000000001"
#define KEY2 "max_dev_ak_ENGINEtest000000000002"
#define ENV1 "MAXDASH_ENGINE_TEST_KEY"
#define ENV2 "MAXDASH_ENGINE_TEST_KEY2"
#define APP "app_engine"
#define ME "/v1/marketplace/me"
#define PT "/v1/patients"

/* ---- fixture ------------------------------------------------------------------------------- */

struct fx {
    struct sandbox sb;
    char *dir;             /* config, auth log */
    char cfg_path[4096];
    char log_path[4096];
    struct config cfg;
    struct model m;
    struct engine *e;
    struct authlog log;
    bool have_log;
};

struct fx_opts {
    size_t norgs;            /* org_000.. (all with KEY1's app installed) */
    long patients_org0;      /* generated patients of org_000 (0: none) */
    int refresh, rate_budget, page_size;
    long revoked_key_org;    /* this org uses KEY2 (same app); -1: none */
    const char *const *sandbox_args;
    bool authlog;            /* open DIR/state/auth.jsonl and hand it to the engine */
    const char *settings;    /* more [maxdash] lines, or NULL */
    const char *k1_extra;    /* more [key "k1"] lines (probe = ...), or NULL */
};

static char *appendf(char *s, size_t *len, size_t *cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static char *appendf(char *s, size_t *len, size_t *cap, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(s ? s + *len : NULL, s ? *cap - *len : 0, fmt, ap);
        va_end(ap);
        ck_assert_int_ge(n, 0);
        if (s && *len + (size_t)n < *cap) {
            *len += (size_t)n;
            return s;
        }
        size_t ncap = *cap ? *cap * 2 : 4096;
        while (ncap < *len + (size_t)n + 1)
            ncap *= 2;
        s = realloc(s, ncap);
        ck_assert_ptr_nonnull(s);
        *cap = ncap;
        if (*len == 0)
            s[0] = '\0';
    }
}

static char *data_text(const struct fx_opts *o)
{
    char *s = NULL;
    size_t len = 0, cap = 0;
    s = appendf(s, &len, &cap,
                "{\"apps\": [{\"id\": \"" APP "\", \"slug\": \"engine-app\"}],\n"
                " \"keys\": [{\"value\": \"" KEY1 "\", \"app\": \"" APP "\", "
                "\"scopes\": [\"read:patients\", \"read:appointments\"]},\n"
                "          {\"value\": \"" KEY2 "\", \"app\": \"" APP "\", "
                "\"scopes\": [\"read:patients\", \"read:appointments\"]}],\n"
                " \"orgs\": [");
    for (size_t i = 0; i < o->norgs; i++) {
        s = appendf(s, &len, &cap,
                    "%s\n  {\"id\": \"org_%03zu\", \"installs\": [{\"app\": \"" APP "\", "
                    "\"scopes\": [\"read:patients\"]}]",
                    i ? "," : "", i);
        if (i == 0 && o->patients_org0 > 0)
            s = appendf(s, &len, &cap, ", \"patients\": {\"generate\": %ld, \"seed\": 7}",
                        o->patients_org0);
        s = appendf(s, &len, &cap, "}");
    }
    s = appendf(s, &len, &cap, "]}\n");
    return s;
}

static char *config_text(const struct fx *f, const struct fx_opts *o)
{
    char *s = NULL;
    size_t len = 0, cap = 0;
    s = appendf(s, &len, &cap,
                "[maxdash]\nbase_url = %s\nrefresh = %d\ntimeout = 10\npage_size = %d\n"
                "rate_budget = %d\nlog_file = %s\n\n"
                "%s\n[key \"k1\"]\nenv = " ENV1 "\n%s[key \"k2\"]\nenv = " ENV2 "\n",
                f->sb.base_url, o->refresh, o->page_size ? o->page_size : 10, o->rate_budget,
                f->log_path, o->settings ? o->settings : "", o->k1_extra ? o->k1_extra : "");
    for (size_t i = 0; i < o->norgs; i++)
        s = appendf(s, &len, &cap, "[org \"o%03zu\"]\nid = org_%03zu\nkey = %s\n", i, i,
                    (long)i == o->revoked_key_org ? "k2" : "k1");
    return s;
}

static void fx_start(struct fx *f, const struct fx_opts *o)
{
    memset(f, 0, sizeof *f);
    char *data = data_text(o);
    sandbox_start(&f->sb, data, o->sandbox_args);
    free(data);
    f->dir = test_tmpdir();
    snprintf(f->cfg_path, sizeof f->cfg_path, "%s/config.ini", f->dir);
    snprintf(f->log_path, sizeof f->log_path, "%s/state/auth.jsonl", f->dir);
    setenv(ENV1, KEY1, 1);
    setenv(ENV2, KEY2, 1);
    char *ini = config_text(f, o);
    ck_assert(test_write_file(f->cfg_path, ini, 0600));
    free(ini);
    struct config_errors errs = {0};
    bool ok = config_load(f->cfg_path, &f->cfg, &errs);
    ck_assert_msg(ok, "config_load: %s", errs.count ? errs.v[0].text : "?");
    config_errors_free(&errs);
    ck_assert_uint_eq(f->cfg.norgs, o->norgs);

    char err[512] = "";
    if (o->authlog) {
        f->have_log = authlog_open(&f->log, f->log_path, err, sizeof err);
        ck_assert_msg(f->have_log, "authlog_open: %s", err);
    }
    model_init(&f->m, &f->cfg, NULL, 0);
    struct engine_opts eo = {.once = false, .timeout_s = 0, .log = o->authlog ? &f->log : NULL};
    f->e = engine_new(&f->m, &eo, err, sizeof err);
    ck_assert_msg(f->e != NULL, "engine_new: %s", err);
}

static void fx_free(struct fx *f)
{
    engine_free(f->e);
    model_free(&f->m);
    config_free(&f->cfg);
    if (f->have_log)
        authlog_close(&f->log);
    sandbox_free(&f->sb);
    test_rmtree(f->dir);
    free(f->dir);
}

/* CLOCK_MONOTONIC in milliseconds with the nanoseconds (the engine's clock). */
static double mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* One turn of the program's loop. */
static void step(struct fx *f)
{
    engine_wait(f->e, NULL, 0, 100);
    engine_step(f->e);
}

typedef bool (*until_fn)(struct fx *f, void *arg);

/* Runs the loop for at most ms, or until until() holds; returns whether it did. */
static bool run(struct fx *f, long long ms, until_fn until, void *arg)
{
    long long deadline = test_now_ms() + ms;
    engine_step(f->e);
    for (;;) {
        if (until && until(f, arg))
            return true;
        if (test_now_ms() >= deadline)
            return false;
        step(f);
    }
}

static bool org_probes_done(struct fx *f, void *arg)
{
    const struct model_org *o = &f->m.orgs[(size_t)arg];
    return o->probe_me.done && o->probe_patients.done && o->in_flight == 0;
}

/* ---- the sandbox's request log ------------------------------------------------------------- */

struct rq {
    double t;          /* ms since the sandbox started, at arrival */
    char path[48];
    char org[32];
    int status;        /* 0 when not answered (hang, reset) */
};

struct rqlog {
    struct rq *v;
    size_t n;
};

static int rq_cmp(const void *a, const void *b)
{
    double x = ((const struct rq *)a)->t, y = ((const struct rq *)b)->t;
    return x < y ? -1 : x > y;
}

/* Every /v1 request so far, sorted by arrival. */
static void requests(const struct fx *f, struct rqlog *log)
{
    json_t *j = sbt_ctl_json(&f->sb, "GET", "/_sandbox/requests", NULL, 200);
    json_t *list = json_object_get(j, "requests");
    ck_assert_msg(json_is_array(list), "GET /_sandbox/requests: no requests array");
    log->n = json_array_size(list);
    log->v = calloc(log->n + 1, sizeof *log->v);
    for (size_t i = 0; i < log->n; i++) {
        json_t *r = json_array_get(list, i);
        struct rq *q = &log->v[i];
        q->t = json_number_value(json_object_get(r, "t_ms"));
        snprintf(q->path, sizeof q->path, "%s", json_string_value(json_object_get(r, "path")) ?: "");
        snprintf(q->org, sizeof q->org, "%s", json_string_value(json_object_get(r, "org")) ?: "");
        const char *outcome = json_string_value(json_object_get(r, "outcome"));
        q->status = outcome && strcmp(outcome, "answered") == 0
                        ? (int)json_integer_value(json_object_get(r, "status")) : 0;
    }
    json_decref(j);
    qsort(log->v, log->n, sizeof *log->v, rq_cmp);
}

static void rqlog_free(struct rqlog *log)
{
    free(log->v);
    log->v = NULL;
    log->n = 0;
}

/* The most requests (with status want, or any when want < 0) in any window (t - w, t]. */
static size_t max_in_window(const struct rqlog *log, double w, int want, double *at)
{
    size_t best = 0, lo = 0, count = 0;
    /* two pointers over the matching requests */
    double *t = calloc(log->n + 1, sizeof *t);
    size_t n = 0;
    for (size_t i = 0; i < log->n; i++)
        if (want < 0 || log->v[i].status == want)
            t[n++] = log->v[i].t;
    for (size_t hi = 0; hi < n; hi++) {
        count++;
        while (t[lo] <= t[hi] - w) {
            lo++;
            count--;
        }
        if (count > best) {
            best = count;
            if (at)
                *at = t[hi];
        }
    }
    free(t);
    return best;
}

static size_t count_org_path(const struct rqlog *log, const char *org, const char *path)
{
    size_t n = 0;
    for (size_t i = 0; i < log->n; i++)
        if (strcmp(log->v[i].org, org) == 0 && (!path || strcmp(log->v[i].path, path) == 0))
            n++;
    return n;
}

/* ---- a. 429 and Retry-After ---------------------------------------------------------------- */

START_TEST(after_a_429_nothing_is_sent_before_retry_after)
{
    static const char *const args[] = {"--rate-limit", "20/10", NULL};
    struct fx f;
    struct fx_opts o = {.norgs = 30, .refresh = 2, .rate_budget = 1000, .revoked_key_org = -1,
                        .sandbox_args = args};
    fx_start(&f, &o);
    ck_assert_int_eq(f.m.budgets[0].effective_refresh, 4); /* 30 orgs x 2 at 1000/min */
    /* The app's other traffic fills the window first: the engine, which learns the limit from
     * its first answers and keeps under it, meets a 429 all the same. */
    char url[256];
    snprintf(url, sizeof url, "%s/marketplace/me", f.sb.base_url);
    for (int i = 0; i < 20; i++) {
        struct http_resp r;
        struct http_req q = {.url = url, .key = KEY1, .org = "org_000"};
        http_do(&q, &r);
        ck_assert_int_eq(r.status, 200);
        http_resp_free(&r);
    }

    /* The first Retry-After as the engine took it: blocked_until right after the step that
     * processed the first 429, against the monotonic clock (both CLOCK_MONOTONIC). */
    long long deadline = test_now_ms() + 14000;
    long ra_engine = -1;
    long saw_429_orgs = 0;
    engine_step(f.e);
    while (test_now_ms() < deadline) {
        step(&f);
        struct model_budget *b = &f.m.budgets[0];
        if (ra_engine < 0 && b->blocked_until > 0) {
            double left_ms = b->blocked_until * 1000.0 - mono_ms();
            ra_engine = (long)ceil(left_ms / 1000.0);
            for (size_t i = 0; i < f.m.norgs; i++)
                if (model_org_health(&f.m.orgs[i]) == HEALTH_RATE)
                    saw_429_orgs++;
        }
    }
    ck_assert_msg(ra_engine > 0, "the engine never recorded a 429 wait (blocked_until)");
    ck_assert_msg(saw_429_orgs > 0, "no org showed 429 after the first rate limit");

    struct rqlog log;
    requests(&f, &log);
    ck_assert_msg(log.n > 0, "no requests at all");
    size_t first = SIZE_MAX;
    for (size_t i = 0; i < log.n && first == SIZE_MAX; i++)
        if (log.v[i].status == 429)
            first = i;
    ck_assert_msg(first != SIZE_MAX, "no request was answered 429 (%zu requests)", log.n);
    double t0 = log.v[first].t;
    /* Retry-After recomputed as the sandbox does: until the oldest admitted request of the
     * 10 s window leaves it. */
    double oldest = t0;
    for (size_t i = 0; i < first; i++)
        if (log.v[i].status != 429 && log.v[i].t > t0 - 10000.0) {
            oldest = log.v[i].t;
            break;
        }
    long ra_sandbox = (long)ceil((oldest + 10000.0 - t0) / 1000.0);
    if (ra_sandbox < 1)
        ra_sandbox = 1;
    ck_assert_msg(ra_engine >= 1 && ra_engine <= 10, "Retry-After taken as %ld s", ra_engine);
    ck_assert_msg(labs(ra_engine - ra_sandbox) <= 1,
                  "the engine waits %ld s, the sandbox's window says %ld s", ra_engine,
                  ra_sandbox);

    /* Requests already in flight when the first 429 came back arrive within half a second;
     * after that nothing before Retry-After has passed. */
    size_t inflight = 0, in_gap = 0, after = 0, after_ok = 0;
    double next_after_gap = -1;
    double gap_end = t0 + (double)ra_engine * 1000.0 - 250.0;
    for (size_t i = first; i < log.n; i++) {
        double t = log.v[i].t;
        if (t <= t0 + 500.0) {
            inflight++;
        } else if (t < gap_end) {
            if (in_gap++ == 0)
                fprintf(stderr, "engine: request %s %s at t0+%.0f ms, inside the wait\n",
                        log.v[i].org, log.v[i].path, t - t0);
        } else {
            after++;
            if (log.v[i].status == 200)
                after_ok++;
        }
        if (t > t0 + 500.0 && next_after_gap < 0)
            next_after_gap = t;
    }
    double max_at = 0;
    size_t max_all = max_in_window(&log, 10000.0, -1, &max_at);
    size_t max_ok = max_in_window(&log, 10000.0, 200, NULL);
    size_t n429 = 0;
    for (size_t i = 0; i < log.n; i++)
        n429 += log.v[i].status == 429;
    fprintf(stderr,
            "engine 429: %zu requests in %.1f s, %zu answered 429; first 429 at %.0f ms; "
            "Retry-After %ld s (sandbox window: %ld s); %zu in flight at the 429 (<= 0.5 s); "
            "%zu inside the wait; next request %.0f ms after the first 429; %zu after the wait "
            "(%zu answered 200); max per 10 s window: %zu (at %.0f ms), answered 200: %zu\n",
            log.n, (log.v[log.n - 1].t - log.v[0].t) / 1000.0, n429, t0, ra_engine, ra_sandbox,
            inflight, in_gap, next_after_gap < 0 ? -1.0 : next_after_gap - t0, after, after_ok,
            max_all, max_at, max_ok);
    ck_assert_msg(in_gap == 0, "%zu requests arrived during the Retry-After wait", in_gap);
    ck_assert_msg(after > 0, "no request after the wait: the engine is stuck");
    ck_assert_msg(after_ok > 0, "no request answered 200 after the wait");
    /* After the wait the engine sends what the server's answers say its window takes: at most
     * the first refresh after the wait can meet a window that is still full. */
    ck_assert_msg(after - after_ok <= 2, "%zu of %zu requests after the wait answered 429",
                  after - after_ok, after);
    ck_assert_msg(max_ok <= 20, "the sandbox admitted %zu requests in 10 s", max_ok);
    ck_assert_msg(max_all <= 20 + inflight,
                  "%zu requests in one 10 s window: more than the limit 20 + %zu in flight",
                  max_all, inflight);
    rqlog_free(&log);
    fx_free(&f);
}
END_TEST

/* A patient opened during a 429's wait is held until the wait is over, then sent. */
static bool budget_blocked(struct fx *f, void *arg)
{
    (void)arg;
    return f->m.budgets[0].blocked_until > mono_ms() / 1000.0;
}

static bool detail_done(struct fx *f, void *arg)
{
    (void)arg;
    return f->m.detail.active && !f->m.detail.loading && f->m.detail.probe.done;
}

START_TEST(a_patient_opened_during_a_wait_is_sent_after_it)
{
    struct fx f;
    struct fx_opts o = {.norgs = 1, .refresh = 30, .rate_budget = 100, .revoked_key_org = -1};
    fx_start(&f, &o);
    sbt_add_fault(&f.sb, "{\"fault\": \"status\", \"status\": 429, \"retry_after\": 3, "
                         "\"path\": \"/marketplace/me\", \"count\": 1}");
    ck_assert_msg(run(&f, 5000, budget_blocked, NULL), "the 429 did not block the budget");
    double opened = mono_ms();
    engine_fetch_patient(f.e, 0, "pat_WAITING");
    ck_assert_msg(f.m.detail.pending && f.m.detail.loading, "the patient was not held");
    ck_assert_msg(run(&f, 8000, detail_done, NULL), "the held patient was never fetched");
    double fetched = mono_ms();
    double wait_ms = f.m.budgets[0].blocked_until * 1000.0 - opened;

    struct rqlog log;
    requests(&f, &log);
    double t429 = -1, tdetail = -1;
    for (size_t i = 0; i < log.n; i++) {
        if (log.v[i].status == 429 && t429 < 0)
            t429 = log.v[i].t;
        if (strcmp(log.v[i].path, "/v1/patients/{id}") == 0) /* the sandbox folds the id */
            tdetail = log.v[i].t;
    }
    fprintf(stderr, "engine held patient: 429 at %.0f ms, patient request at %.0f ms (%.0f ms "
                    "after), fetched %.0f ms after opening\n",
            t429, tdetail, tdetail - t429, fetched - opened);
    ck_assert_msg(t429 >= 0 && tdetail >= 0, "no 429 or no patient request in the sandbox's log");
    ck_assert_msg(tdetail - t429 >= 3000.0 - 250.0,
                  "the patient request came %.0f ms after the 429 with Retry-After 3 s",
                  tdetail - t429);
    ck_assert_msg(wait_ms <= 0 || fetched - opened >= wait_ms - 50.0,
                  "fetched %.0f ms after opening, before the wait's end", fetched - opened);
    rqlog_free(&log);
    fx_free(&f);
}
END_TEST

/* ---- b. the rate budget with 500 orgs ------------------------------------------------------ */

START_TEST(five_hundred_orgs_keep_to_the_rate_budget)
{
    static const char *const args[] = {"--rate-limit", "100000/60", NULL};
    struct fx f;
    struct fx_opts o = {.norgs = 500, .refresh = 10, .rate_budget = 100,
                        .revoked_key_org = -1, .sandbox_args = args};
    fx_start(&f, &o);
    /* The model says by how much the cycle stretches before anything is sent... */
    ck_assert_int_eq(f.m.budgets[0].norgs, 500);
    ck_assert_int_eq(f.m.budgets[0].effective_refresh, 600);

    run(&f, 65000, NULL, NULL);
    /* ...and still after /marketplace/me named the app. */
    ck_assert_str_eq(f.m.budgets[0].app_id ? f.m.budgets[0].app_id : "(null)", APP);
    ck_assert_int_eq(f.m.budgets[0].effective_refresh, 600);

    struct rqlog log;
    requests(&f, &log);
    ck_assert_msg(log.n > 0, "no requests at all");
    double at = 0;
    size_t max60 = max_in_window(&log, 60000.0, -1, &at);
    /* Orgs refreshed, in the order of their first request. */
    static char seen[500];
    memset(seen, 0, sizeof seen);
    size_t distinct = 0, distinct60 = 0, twice = 0;
    double t_first = log.v[0].t;
    for (size_t i = 0; i < log.n; i++) {
        int k = atoi(log.v[i].org + 4);
        ck_assert_msg(strncmp(log.v[i].org, "org_", 4) == 0 && k >= 0 && k < 500,
                      "request for org '%s'", log.v[i].org);
        if (strcmp(log.v[i].path, ME) != 0)
            continue;
        if (seen[k]++) {
            twice++;
            continue;
        }
        distinct++;
        if (log.v[i].t < t_first + 60000.0)
            distinct60++;
    }
    size_t not200 = 0;
    for (size_t i = 0; i < log.n; i++)
        not200 += log.v[i].status != 200;
    size_t refreshed_ok = 0;
    for (size_t i = 0; i < f.m.norgs; i++)
        refreshed_ok += model_org_health(&f.m.orgs[i]) == HEALTH_OK;
    fprintf(stderr,
            "engine budget: %zu requests in %.1f s (%zu not 200); max in any 60 s window %zu "
            "(ending at %.0f ms); distinct orgs %zu (%zu in the first 60 s), %zu refreshed "
            "twice; %zu orgs ok in the model; budget total_sent %ld, effective_refresh %d s\n",
            log.n, (log.v[log.n - 1].t - t_first) / 1000.0, not200, max60, at, distinct,
            distinct60, twice, refreshed_ok, f.m.budgets[0].total_sent,
            f.m.budgets[0].effective_refresh);
    ck_assert_msg(max60 <= 100, "%zu requests in one 60 s window (budget 100)", max60);
    ck_assert_msg(not200 == 0, "%zu requests not answered 200", not200);
    /* 100 requests a minute are 50 refreshes: the first minute refreshes 50 orgs, the next
     * minute 50 others; none twice while others wait their turn. */
    ck_assert_msg(distinct60 >= 45, "only %zu orgs refreshed in the first 60 s", distinct60);
    ck_assert_msg(distinct >= 90, "only %zu orgs refreshed in 65 s", distinct);
    ck_assert_msg(twice == 0, "%zu orgs refreshed twice while others waited", twice);
    ck_assert_uint_eq(refreshed_ok, distinct);
    rqlog_free(&log);
    fx_free(&f);
}
END_TEST

/* The orgs on screen go first (issue 17): with 200 orgs and a budget of 10 refreshes a minute,
 * the first turn refreshes the orgs the UI named (engine_refresh_first), not org_000.. in
 * round-robin order; the rest of the turn goes on from there. */
START_TEST(the_orgs_on_screen_are_refreshed_first)
{
    struct fx f;
    struct fx_opts o = {.norgs = 200, .refresh = 10, .rate_budget = 20, .revoked_key_org = -1};
    fx_start(&f, &o);
    static const size_t first[] = {150, 151, 152};
    engine_refresh_first(f.e, first, 3);
    run(&f, 1500, NULL, NULL);
    struct rqlog log;
    requests(&f, &log);
    ck_assert_msg(log.n >= 6 && log.n <= 20, "%zu requests in the first turn", log.n);
    for (size_t k = 0; k < 3; k++) {
        char org[16];
        snprintf(org, sizeof org, "org_%03zu", first[k]);
        ck_assert_msg(count_org_path(&log, org, ME) == 1, "%s not refreshed in the first turn", org);
    }
    rqlog_free(&log);
    fx_free(&f);
}
END_TEST

/* ---- c. retries ---------------------------------------------------------------------------- */

struct retry_watch {
    bool saw_failure, saw_retrying;
    long long failed_at, ok_at;
};

static bool recovered(struct fx *f, void *arg)
{
    struct retry_watch *w = arg;
    const struct model_org *o = &f->m.orgs[0];
    if (!w->saw_failure && o->probe_me.done && o->probe_me.cls == API_SERVER_ERROR) {
        w->saw_failure = true;
        w->failed_at = test_now_ms();
    }
    if (o->retrying)
        w->saw_retrying = true;
    if (o->probe_me.done && o->probe_me.cls == API_OK && o->probe_patients.done &&
        o->probe_patients.cls == API_OK) {
        w->ok_at = test_now_ms();
        return true;
    }
    return false;
}

START_TEST(transient_failures_are_retried_with_backoff)
{
    struct fx f;
    struct fx_opts o = {.norgs = 2, .refresh = 30, .rate_budget = 100, .revoked_key_org = -1};
    fx_start(&f, &o);
    sbt_add_fault(&f.sb, "{\"fault\": \"status\", \"status\": 503, \"count\": 2, "
                         "\"org\": \"org_000\"}");
    struct retry_watch w = {0};
    bool ok = run(&f, 10000, recovered, &w);
    const struct model_org *o0 = &f.m.orgs[0];
    ck_assert_msg(w.saw_failure, "the 503 never showed in the model");
    ck_assert_msg(w.saw_retrying, "the model never said the org is retrying");
    ck_assert_msg(ok, "org_000 did not recover within 10 s (refresh is 30 s): me %s, "
                      "patients %s", api_class_name(o0->probe_me.cls),
                  api_class_name(o0->probe_patients.cls));
    ck_assert(!o0->retrying);
    ck_assert_int_eq(o0->retry_attempt, 0);
    ck_assert(o0->first_failure == 0);
    ck_assert(o0->last_success > 0);

    struct rqlog log;
    requests(&f, &log);
    size_t n = 0, n503 = 0;
    double t_fail = -1, t_retry = -1;
    for (size_t i = 0; i < log.n; i++) {
        if (strcmp(log.v[i].org, "org_000") != 0)
            continue;
        n++;
        if (log.v[i].status == 503) {
            n503++;
            t_fail = log.v[i].t;
        } else if (t_retry < 0 && t_fail >= 0) {
            t_retry = log.v[i].t;
        }
    }
    fprintf(stderr, "engine retry: %zu requests of org_000 (%zu answered 503); retry %.0f ms "
                    "after the failure; recovered in the model %lld ms after it showed\n",
            n, n503, t_retry - t_fail, w.ok_at - w.failed_at);
    ck_assert_uint_eq(n503, 2);
    ck_assert_uint_eq(n, 4); /* the failed refresh and one retry: me and patients each */
    /* The first backoff is 2 s plus up to 1 s of jitter. */
    ck_assert_msg(t_retry - t_fail >= 1500 && t_retry - t_fail <= 4500,
                  "retry %.0f ms after the failure", t_retry - t_fail);
    /* The failures stay in the groups. */
    size_t groups503 = 0;
    for (size_t i = 0; i < f.m.nfailures; i++)
        if (f.m.failures[i].status == 503 && f.m.failures[i].org == 0)
            groups503 += (size_t)f.m.failures[i].count;
    ck_assert_uint_eq(groups503, 2);
    /* The other org was untouched: one refresh. */
    ck_assert_uint_eq(count_org_path(&log, "org_001", NULL), 2);
    rqlog_free(&log);
    fx_free(&f);
}
END_TEST

START_TEST(unauthorized_is_not_retried_before_the_next_refresh)
{
    struct fx f;
    struct fx_opts o = {.norgs = 2, .refresh = 30, .rate_budget = 100, .revoked_key_org = 1};
    fx_start(&f, &o);
    json_decref(sbt_ctl_json(&f.sb, "POST", "/_sandbox/keys/revoke",
                             "{\"value\": \"" KEY2 "\"}", 200));
    run(&f, 4000, NULL, NULL);
    const struct model_org *o1 = &f.m.orgs[1];
    ck_assert_msg(o1->probe_me.done && o1->probe_me.cls == API_UNAUTHORIZED,
                  "o001's /marketplace/me: %s", o1->probe_me.done
                                                     ? api_class_name(o1->probe_me.cls)
                                                     : "not done");
    ck_assert_int_eq(model_org_health(o1), HEALTH_AUTH);
    ck_assert(!o1->retrying);
    ck_assert_int_eq(model_org_health(&f.m.orgs[0]), HEALTH_OK);
    struct rqlog log;
    requests(&f, &log);
    size_t me = count_org_path(&log, "org_001", ME), pt = count_org_path(&log, "org_001", PT);
    fprintf(stderr, "engine 401: org_001 sent /marketplace/me %zu times, /patients %zu times "
                    "in 4 s\n", me, pt);
    ck_assert_uint_eq(me, 1);
    ck_assert_uint_eq(pt, 1);
    rqlog_free(&log);
    fx_free(&f);
}
END_TEST

/* ---- d. pages and cancellation ------------------------------------------------------------- */

#define SEARCH "an"

struct page_want {
    long page_no;
    bool saw_page3;
};

static bool page_arrived(struct fx *f, void *arg)
{
    struct page_want *w = arg;
    const struct model_org *o = &f->m.orgs[0];
    if (o->have_page && o->page.page == 3)
        w->saw_page3 = true;
    return !o->page_loading && o->have_page && o->page.page == w->page_no &&
           o->probe_me.done;
}

/* The ids of a page as the sandbox serves it directly. */
static json_t *direct_page(const struct fx *f, long page, long size, const char *search,
                           long long *total)
{
    char path[256];
    snprintf(path, sizeof path, "/patients?page=%ld&pageSize=%ld&search=%s", page, size, search);
    struct http_resp r;
    sbt_get(&f->sb, path, KEY1, "org_000", &r);
    json_t *root;
    ASSERT_API_OK(&r, root);
    http_resp_free(&r);
    *total = sbt_jint(root, "data.pagination.totalCount");
    return root;
}

START_TEST(wanted_page_with_search_and_cancellation)
{
    struct fx f;
    struct fx_opts o = {.norgs = 2, .patients_org0 = 250, .refresh = 30, .rate_budget = 1000,
                        .page_size = 10, .revoked_key_org = -1};
    fx_start(&f, &o);
    ck_assert(run(&f, 5000, org_probes_done, (void *)0));
    ck_assert_int_eq(model_org_health(&f.m.orgs[0]), HEALTH_OK);

    long long total = 0;
    json_t *want = direct_page(&f, 2, 10, SEARCH, &total);
    ck_assert_msg(total >= 30, "search '%s' matches only %lld patients", SEARCH, total);

    struct page_want w = {.page_no = 2};
    engine_want_page(f.e, 0, 2, SEARCH);
    ck_assert(f.m.orgs[0].page_loading);
    ck_assert_msg(run(&f, 5000, page_arrived, &w), "page 2 did not arrive");
    const struct model_org *o0 = &f.m.orgs[0];
    ck_assert_int_eq(o0->page_no, 2);
    ck_assert_str_eq(o0->search, SEARCH);
    ck_assert_int_eq(o0->page.page, 2);
    ck_assert_uint_eq(o0->page.len, 10);
    ck_assert_int_eq(o0->page.page_size, 10);
    ck_assert_int_eq(o0->page.total_count, total);
    json_t *items = sbt_jget(want, "data.patients");
    ck_assert_msg(json_is_array(items), "the direct answer has no list of patients");
    ck_assert_uint_eq(json_array_size(items), 10);
    for (size_t i = 0; i < 10; i++)
        ck_assert_str_eq(o0->page.items[i].id,
                         json_string_value(json_object_get(json_array_get(items, i), "id")));
    json_decref(want);

    /* Page 3 while /patients is slow, then page 4 at once: page 3 is cancelled and never
     * shows. */
    sbt_add_fault(&f.sb, "{\"fault\": \"latency\", \"ms\": 1500, \"org\": \"org_000\", "
                         "\"path\": \"/patients\"}");
    engine_want_page(f.e, 0, 3, SEARCH);
    long long until = test_now_ms() + 300;
    engine_step(f.e);
    while (test_now_ms() < until) {
        step(&f);
        ck_assert_msg(f.m.orgs[0].page.page != 3, "page 3 showed before it was cancelled");
    }
    ck_assert_msg(f.m.orgs[0].in_flight > 0, "the page 3 request is not under way");
    engine_want_page(f.e, 0, 4, SEARCH);
    w.page_no = 4;
    w.saw_page3 = false;
    ck_assert_msg(run(&f, 6000, page_arrived, &w), "page 4 did not arrive");
    ck_assert_msg(!w.saw_page3, "the model showed page 3");
    ck_assert_int_eq(o0->page.page, 4);
    ck_assert_int_eq(o0->page_no, 4);
    ck_assert_uint_eq(o0->page.len, 10);
    /* A little longer: nothing late overwrites page 4. */
    long long more = test_now_ms() + 2000;
    while (test_now_ms() < more) {
        step(&f);
        ck_assert_int_eq(o0->page.page, 4);
    }
    struct rqlog log;
    requests(&f, &log);
    /* The 1-row probe of the first refresh, the test's own direct request, pages 2, 3 (sent,
     * then cancelled) and 4; no refresh in between (refresh is 30 s). */
    size_t npt = count_org_path(&log, "org_000", PT);
    fprintf(stderr, "engine pages: org_000 sent %zu /patients requests\n", npt);
    ck_assert_uint_le(npt, 5);
    ck_assert_uint_eq(count_org_path(&log, "org_000", ME), 1);
    rqlog_free(&log);
    fx_free(&f);
}
END_TEST

START_TEST(a_page_wanted_before_the_first_refresh_does_not_delay_it)
{
    /* The dashboard selects an org and shows its patients as soon as it starts. */
    struct fx f;
    struct fx_opts o = {.norgs = 2, .patients_org0 = 250, .refresh = 30, .rate_budget = 1000,
                        .page_size = 10, .revoked_key_org = -1};
    fx_start(&f, &o);
    engine_want_page(f.e, 0, 1, NULL);
    struct page_want w = {.page_no = 1};
    ck_assert_msg(run(&f, 5000, page_arrived, &w),
                  "page 1 and /marketplace/me of org_000 did not both arrive in 5 s: me %s",
                  f.m.orgs[0].probe_me.done ? api_class_name(f.m.orgs[0].probe_me.cls)
                                            : "not done");
    ck_assert_int_eq(model_org_health(&f.m.orgs[0]), HEALTH_OK);
    ck_assert(f.m.orgs[0].first_failure == 0);
    ck_assert_uint_eq(f.m.orgs[0].page.len, 10);
    struct rqlog log;
    requests(&f, &log);
    ck_assert_uint_eq(count_org_path(&log, "org_000", ME), 1);
    rqlog_free(&log);
    fx_free(&f);
}
END_TEST

/* ---- e. the patient detail view ------------------------------------------------------------ */

START_TEST(fetch_patient_fills_the_detail_view)
{
    struct fx f;
    struct fx_opts o = {.norgs = 1, .patients_org0 = 250, .refresh = 30, .rate_budget = 1000,
                        .page_size = 10, .revoked_key_org = -1};
    fx_start(&f, &o);
    engine_want_page(f.e, 0, 2, NULL);
    struct page_want w = {.page_no = 2};
    ck_assert(run(&f, 5000, page_arrived, &w));
    const struct model_org *o0 = &f.m.orgs[0];
    ck_assert_uint_ge(o0->page.len, 1);
    char *id = strdup(o0->page.items[3].id);
    char *last = o0->page.items[3].last ? strdup(o0->page.items[3].last) : NULL;

    engine_fetch_patient(f.e, 0, id);
    ck_assert(f.m.detail.active);
    ck_assert(f.m.detail.loading);
    ck_assert_str_eq(f.m.detail.id, id);
    ck_assert_msg(run(&f, 5000, detail_done, NULL), "the patient did not arrive");
    ck_assert_int_eq(f.m.detail.probe.cls, API_OK);
    ck_assert_int_eq(f.m.detail.probe.status, 200);
    ck_assert_str_eq(f.m.detail.patient.id, id);
    if (last)
        ck_assert_str_eq(f.m.detail.patient.last, last);

    static const char missing[] = "pat_0000000000NOTHERE";
    engine_fetch_patient(f.e, 0, missing);
    ck_assert(f.m.detail.loading);
    ck_assert_ptr_null(f.m.detail.patient.id);
    ck_assert_msg(run(&f, 5000, detail_done, NULL), "the 404 did not arrive");
    ck_assert_int_eq(f.m.detail.probe.cls, API_NOT_FOUND);
    ck_assert_int_eq(f.m.detail.probe.status, 404);
    ck_assert_str_eq(f.m.detail.probe.err.code ? f.m.detail.probe.err.code : "(null)",
                     "not_found");
    ck_assert_ptr_null(f.m.detail.patient.id);
    /* The failure is grouped under the route, never the patient's id. */
    bool found = false;
    for (size_t i = 0; i < f.m.nfailures; i++)
        if (f.m.failures[i].status == 404) {
            found = true;
            ck_assert_str_eq(f.m.failures[i].path, "/v1/patients/{id}");
        }
    ck_assert(found);

    engine_close_patient(f.e);
    ck_assert(!f.m.detail.active);
    free(id);
    free(last);
    fx_free(&f);
}
END_TEST

/* ---- f. the auth-failure log --------------------------------------------------------------- */

START_TEST(failures_reach_the_log_before_the_model)
{
    struct fx f;
    struct fx_opts o = {.norgs = 2, .refresh = 30, .rate_budget = 100, .revoked_key_org = 1,
                        .authlog = true};
    fx_start(&f, &o);
    json_decref(sbt_ctl_json(&f.sb, "POST", "/_sandbox/keys/revoke",
                             "{\"value\": \"" KEY2 "\"}", 200));
    long long deadline = test_now_ms() + 5000;
    size_t checked = 0;
    engine_step(f.e);
    while (test_now_ms() < deadline && checked < 2) {
        if (f.m.nfailures > 0) {
            /* Every trace id the model shows is already in the file. */
            char *text = test_read_file(f.log_path, NULL);
            ck_assert_msg(text != NULL, "the model shows a failure but the log is missing");
            checked = 0;
            for (size_t g = 0; g < f.m.nfailures; g++) {
                const struct model_failure *mf = &f.m.failures[g];
                for (size_t t = 0; t < mf->ntrace; t++) {
                    ck_assert_msg(sbt_is_uuid_v4(mf->trace_ids[t]), "trace_id '%s'",
                                  mf->trace_ids[t]);
                    char needle[128];
                    snprintf(needle, sizeof needle, "\"trace_id\":\"%s\"", mf->trace_ids[t]);
                    char *line = strstr(text, needle);
                    ck_assert_msg(line != NULL, "trace_id %s shown, not in the log",
                                  mf->trace_ids[t]);
                    while (line > text && line[-1] != '\n')
                        line--;
                    char *end = strchr(line, '\n');
                    ck_assert_ptr_nonnull(end);
                    *end = '\0';
                    ck_assert_ptr_nonnull(strstr(line, "\"org\":\"o001\""));
                    ck_assert_ptr_nonnull(strstr(line, "\"org_id\":\"org_001\""));
                    ck_assert_ptr_nonnull(strstr(line, "\"key\":\"k2\""));
                    ck_assert_ptr_nonnull(strstr(line, "\"http_status\":401"));
                    ck_assert_ptr_nonnull(strstr(line, "\"code\":\"unauthorized\""));
                    ck_assert_ptr_nonnull(strstr(line, "\"key_hint\":\"max_dev_ak_"));
                    ck_assert_msg(strstr(line, KEY2) == NULL && strstr(line, KEY1) == NULL,
                                  "a whole key in the log");
                    ck_assert(strstr(line, "\"path\":\"" ME "\"") ||
                              strstr(line, "\"path\":\"" PT "\""));
                    *end = '\n';
                    checked++;
                }
            }
            free(text);
        }
        step(&f);
    }
    ck_assert_msg(checked == 2, "%zu of the 2 failures (me, patients) checked in the log",
                  checked);
    /* Nothing else failed, so nothing else was logged. */
    size_t len = 0;
    char *text = test_read_file(f.log_path, &len);
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    ck_assert_uint_eq(lines, 2);
    ck_assert_ptr_null(strstr(text, KEY2));
    free(text);
    ck_assert_ptr_null(engine_log_problem(f.e));
    fx_free(&f);
}
END_TEST

/* ---- i. the probe's cost (issue 20) -------------------------------------------------------- */

static bool cycles_at_least(struct fx *f, void *arg)
{
    for (size_t i = 0; i < f->m.norgs; i++)
        if (f->m.orgs[i].cycles < (long)(size_t)arg || f->m.orgs[i].in_flight)
            return false;
    return true;
}

/* Steady state: one request per org per cycle, /marketplace/me on the first refresh and every
 * me_every-th (3 here) after it. */
START_TEST(steady_state_is_one_request_per_org_per_cycle)
{
    struct fx f;
    struct fx_opts o = {.norgs = 3, .refresh = 2, .rate_budget = 1000, .revoked_key_org = -1,
                        .settings = "me_every = 3\n"};
    fx_start(&f, &o);
    ck_assert_msg(run(&f, 20000, cycles_at_least, (void *)(size_t)7), "7 refreshes in 20 s");
    struct rqlog log;
    requests(&f, &log);
    for (size_t i = 0; i < f.m.norgs; i++) {
        char org[32];
        snprintf(org, sizeof org, "org_%03zu", i);
        long cycles = f.m.orgs[i].cycles;
        size_t me = count_org_path(&log, org, ME), pt = count_org_path(&log, org, PT);
        /* Refreshes 0, 3, 6 (and 9 if one more started meanwhile) asked /me. */
        ck_assert_msg(me == (size_t)((cycles + 2) / 3), "%s: %zu /me in %ld refreshes", org, me,
                      cycles);
        ck_assert_msg(pt == (size_t)cycles, "%s: %zu /patients in %ld refreshes", org, pt, cycles);
    }
    rqlog_free(&log);
    double per = model_requests_per_cycle(&f.m);
    ck_assert_msg(per > 1.0 && per < 1.5, "%.2f requests per org per cycle", per);
    fx_free(&f);
}
END_TEST

static bool me_is_401(struct fx *f, void *arg)
{
    (void)arg;
    return f->m.orgs[0].probe_me.status == 401;
}

static bool org_health_is(struct fx *f, void *arg)
{
    return model_org_health(&f->m.orgs[0]) == (enum model_health)(size_t)arg;
}

/* /marketplace/me left out of steady state changes nothing for detection: a revoked key, then
 * a withdrawn scope, show within one refresh from the probe alone; each change asks /me again
 * at once. */
START_TEST(revoked_key_and_withdrawn_scope_within_one_cycle)
{
    struct fx f;
    struct fx_opts o = {.norgs = 1, .refresh = 2, .rate_budget = 1000, .revoked_key_org = -1};
    fx_start(&f, &o);
    ck_assert_msg(run(&f, 10000, cycles_at_least, (void *)(size_t)2), "2 refreshes");
    ck_assert_int_eq(model_org_health(&f.m.orgs[0]), HEALTH_OK);

    /* The key is revoked: 401 within one refresh interval (2 s) and the answer's latency. */
    json_decref(sbt_ctl_json(&f.sb, "POST", "/_sandbox/keys/revoke",
                             "{\"value\": \"" KEY1 "\"}", 200));
    long long t0 = test_now_ms();
    ck_assert_msg(run(&f, 3500, org_health_is, (void *)(size_t)HEALTH_AUTH),
                  "401 not shown within one cycle (health %d)", model_org_health(&f.m.orgs[0]));
    long long took = test_now_ms() - t0;
    /* The change asked /me again at once (not at the 10th refresh): it says 401 too. */
    ck_assert_msg(run(&f, 1500, me_is_401, NULL), "/me not asked again after the probe's 401");

    /* Active again, then the clinic withdraws read:patients: 403 within one cycle. */
    json_decref(sbt_ctl_json(&f.sb, "POST", "/_sandbox/keys/restore",
                             "{\"value\": \"" KEY1 "\"}", 200));
    ck_assert_msg(run(&f, 5000, org_health_is, (void *)(size_t)HEALTH_OK), "healthy again");
    json_decref(sbt_ctl_json(&f.sb, "POST", "/_sandbox/scopes",
                 "{\"org\": \"org_000\", \"app\": \"" APP "\", \"remove\": [\"read:patients\"]}",
                 200));
    ck_assert_msg(run(&f, 3500, org_health_is, (void *)(size_t)HEALTH_SCOPE),
                  "403 not shown within one cycle (health %d)", model_org_health(&f.m.orgs[0]));
    fprintf(stderr, "engine probe: revoked key shown after %lld ms (refresh 2 s)\n", took);
    fx_free(&f);
}
END_TEST

/* A key whose app reads appointments only is judged on appointments: healthy, and its
 * refreshes never ask /patients. */
START_TEST(a_key_probing_appointments_never_asks_patients)
{
    struct fx f;
    struct fx_opts o = {.norgs = 2, .refresh = 2, .rate_budget = 1000, .revoked_key_org = -1,
                        .k1_extra = "probe = appointments\n"};
    fx_start(&f, &o);
    /* The clinics grant read:appointments only. */
    for (int i = 0; i < 2; i++) {
        char body[256];
        snprintf(body, sizeof body, "{\"org\": \"org_%03d\", \"app\": \"" APP "\", "
                 "\"add\": [\"read:appointments\"], \"remove\": [\"read:patients\"]}", i);
        json_decref(sbt_ctl_json(&f.sb, "POST", "/_sandbox/scopes", body, 200));
    }
    ck_assert_msg(run(&f, 10000, cycles_at_least, (void *)(size_t)2), "2 refreshes");
    for (size_t i = 0; i < 2; i++) {
        const struct model_org *org = &f.m.orgs[i];
        ck_assert_msg(model_org_health(org) == HEALTH_OK, "o%03zu: health %d", i,
                      model_org_health(org));
        ck_assert_int_eq(org->probe_res.status, 200);
        ck_assert(!org->probe_patients.done);
    }
    struct rqlog log;
    requests(&f, &log);
    ck_assert_uint_eq(count_org_path(&log, "org_000", PT), 0);
    ck_assert_uint_ge(count_org_path(&log, "org_000", "/v1/appointments"), 2);
    rqlog_free(&log);
    fx_free(&f);
}
END_TEST

SUITE(engine)
{
    Suite *s = suite_create("engine");
    TCase *tc = tcase_create("engine");
    tcase_set_timeout(tc, 40);
    tcase_add_unchecked_fixture(tc, sandbox_tmp_setup, sandbox_tmp_teardown);
    tcase_add_test(tc, after_a_429_nothing_is_sent_before_retry_after);
    tcase_add_test(tc, steady_state_is_one_request_per_org_per_cycle);
    tcase_add_test(tc, revoked_key_and_withdrawn_scope_within_one_cycle);
    tcase_add_test(tc, a_key_probing_appointments_never_asks_patients);
    tcase_add_test(tc, a_patient_opened_during_a_wait_is_sent_after_it);
    tcase_add_test(tc, transient_failures_are_retried_with_backoff);
    tcase_add_test(tc, unauthorized_is_not_retried_before_the_next_refresh);
    tcase_add_test(tc, wanted_page_with_search_and_cancellation);
    tcase_add_test(tc, a_page_wanted_before_the_first_refresh_does_not_delay_it);
    tcase_add_test(tc, fetch_patient_fills_the_detail_view);
    tcase_add_test(tc, failures_reach_the_log_before_the_model);
    tcase_add_test(tc, the_orgs_on_screen_are_refreshed_first);
    suite_add_tcase(s, tc);
    tc = tcase_create("budget");
    tcase_set_timeout(tc, 120);
    tcase_add_unchecked_fixture(tc, sandbox_tmp_setup, sandbox_tmp_teardown);
    tcase_add_test(tc, five_hundred_orgs_keep_to_the_rate_budget);
    suite_add_tcase(s, tc);
    return s;
}
