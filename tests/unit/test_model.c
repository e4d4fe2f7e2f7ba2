/* model: the stretched refresh cycle of a rate budget, an org's health from its two probes,
 * grouping of failures (count, first/last seen, trace ids, order), and budgets merging when two
 * keys turn out to belong to the same app. The config is built by hand: no file, no keys. */
#include "testing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

/* ---- a hand-made config -------------------------------------------------------------------- */

#define MAX_ORGS 8

static struct config cfg;
static struct config_key keys[3];
static struct config_org orgs[MAX_ORGS];
static char org_names[MAX_ORGS][16], org_ids[MAX_ORGS][16];

/* norgs orgs named o0.. with ids org_0..; org i uses key key_of[i] (k0, k1, k2). */
static void make_config(int refresh, int rate_budget, size_t norgs, const int *key_of)
{
    memset(&cfg, 0, sizeof cfg);
    memset(keys, 0, sizeof keys);
    memset(orgs, 0, sizeof orgs);
    static char *key_names[] = {"k0", "k1", "k2"};
    for (size_t k = 0; k < 3; k++) {
        keys[k].name = key_names[k];
        keys[k].source = CONFIG_SRC_ENV;
        keys[k].value = NULL; /* the model never needs the secret */
    }
    for (size_t i = 0; i < norgs; i++) {
        snprintf(org_names[i], sizeof org_names[i], "o%zu", i);
        snprintf(org_ids[i], sizeof org_ids[i], "org_%zu", i);
        orgs[i].name = org_names[i];
        orgs[i].id = org_ids[i];
        orgs[i].key = &keys[key_of ? key_of[i] : 0];
        orgs[i].key_name = orgs[i].key->name;
    }
    cfg.set.base_url = "http://127.0.0.1:1/v1";
    cfg.set.refresh = refresh;
    cfg.set.timeout = 10;
    cfg.set.page_size = 50;
    cfg.set.rate_budget = rate_budget;
    cfg.set.api_env = CONFIG_API_LOOPBACK;
    cfg.keys = keys;
    cfg.nkeys = 3;
    cfg.orgs = orgs;
    cfg.norgs = norgs;
}

/* ---- model_effective_refresh --------------------------------------------------------------- */

START_TEST(effective_refresh_stretches_only_when_the_budget_needs_it)
{
    /* Each refresh is two requests: 500 orgs at 100 requests a minute need 10 minutes. */
    ck_assert_int_eq(model_effective_refresh(10, 100, 500), 600);
    ck_assert_int_eq(model_effective_refresh(30, 100, 3), 30);
    ck_assert_int_eq(model_effective_refresh(10, 100, 3), 10);
    /* Exactly at the budget: 50 orgs x 2 requests every 60 s is 100 a minute. */
    ck_assert_int_eq(model_effective_refresh(60, 100, 50), 60);
    ck_assert_int_eq(model_effective_refresh(30, 100, 50), 60);
    /* Rounded up, never down: 7 orgs at 100/min need 8.4 s. */
    ck_assert_int_eq(model_effective_refresh(2, 100, 7), 9);
    ck_assert_int_eq(model_effective_refresh(2, 1000, 30), 4);
    ck_assert_int_eq(model_effective_refresh(2, 1000, 1), 2);
    ck_assert_int_eq(model_effective_refresh(30, 100, 0), 30);
    ck_assert_int_eq(model_effective_refresh(30, 1, 1), 120);
}
END_TEST

START_TEST(model_init_gives_each_budget_its_stretched_cycle)
{
    make_config(10, 100, 3, NULL);
    struct model m;
    model_init(&m, &cfg, NULL, 0);
    ck_assert_uint_eq(m.norgs, 3);
    ck_assert_uint_eq(m.nbudgets, 3); /* one per key until /marketplace/me names the apps */
    ck_assert_uint_eq(m.budgets[0].norgs, 3);
    ck_assert_uint_eq(m.budgets[1].norgs, 0);
    ck_assert_int_eq(m.budgets[0].per_minute, 100);
    ck_assert_int_eq(m.budgets[0].effective_refresh, 10);
    ck_assert_int_eq(m.budgets[0].limit, -1);
    ck_assert_int_eq(m.budgets[0].remaining, -1);
    ck_assert_ptr_null(m.budgets[0].app_id);
    for (size_t i = 0; i < m.norgs; i++) {
        ck_assert_uint_eq(m.orgs[i].budget, 0);
        ck_assert_ptr_eq(m.orgs[i].cfg, &orgs[i]);
        ck_assert_int_eq(model_org_health(&m.orgs[i]), HEALTH_CHECKING);
    }
    model_free(&m);

    /* Only the orgs named. */
    const char *only[] = {"o2", "o0"};
    model_init(&m, &cfg, only, 2);
    ck_assert_uint_eq(m.norgs, 2);
    ck_assert_str_eq(m.orgs[0].cfg->name, "o0");
    ck_assert_str_eq(m.orgs[1].cfg->name, "o2");
    ck_assert_uint_eq(m.budgets[0].norgs, 2);
    model_free(&m);

    /* A budget too small for the orgs: 3 orgs x 2 requests at 6 a minute is one a minute. */
    make_config(10, 6, 3, NULL);
    model_init(&m, &cfg, NULL, 0);
    ck_assert_int_eq(m.budgets[0].effective_refresh, 60);
    model_free(&m);
}
END_TEST

/* ---- health -------------------------------------------------------------------------------- */

static void set_probe(struct model_probe *p, enum api_class cls, int status)
{
    struct api_result r;
    memset(&r, 0, sizeof r);
    r.cls = cls;
    r.status = status;
    r.summary = "summary";
    r.retry_after = -1;
    model_probe_set(p, &r, 12, 1000.0);
}

static enum model_health health(int me_cls, int me_status, int pt_cls, int pt_status)
{
    struct model_org o;
    memset(&o, 0, sizeof o);
    if (me_cls >= 0)
        set_probe(&o.probe_me, (enum api_class)me_cls, me_status);
    if (pt_cls >= 0)
        set_probe(&o.probe_patients, (enum api_class)pt_cls, pt_status);
    enum model_health h = model_org_health(&o);
    model_probe_clear(&o.probe_me);
    model_probe_clear(&o.probe_patients);
    return h;
}

#define NONE (-1)

START_TEST(health_combines_the_two_probes)
{
    ck_assert_int_eq(health(NONE, 0, NONE, 0), HEALTH_CHECKING);
    ck_assert_int_eq(health(API_OK, 200, NONE, 0), HEALTH_CHECKING);
    ck_assert_int_eq(health(NONE, 0, API_OK, 200), HEALTH_CHECKING);
    ck_assert_int_eq(health(API_OK, 200, API_OK, 200), HEALTH_OK);
    /* /marketplace/me speaks for the key: a 401 there is the org's state, whatever else. */
    ck_assert_int_eq(health(API_UNAUTHORIZED, 401, NONE, 0), HEALTH_AUTH);
    ck_assert_int_eq(health(API_UNAUTHORIZED, 401, API_UNAUTHORIZED, 401), HEALTH_AUTH);
    ck_assert_int_eq(health(API_UNAUTHORIZED, 401, API_OK, 200), HEALTH_AUTH);
    /* A key that works but lacks read:patients on this org. */
    ck_assert_int_eq(health(API_OK, 200, API_FORBIDDEN, 403), HEALTH_SCOPE);
    ck_assert_int_eq(health(NONE, 0, API_FORBIDDEN, 403), HEALTH_SCOPE);
    ck_assert_int_eq(health(API_NOT_FOUND, 404, API_NOT_FOUND, 404), HEALTH_NOT_FOUND);
    ck_assert_int_eq(health(API_RATE_LIMITED, 429, API_OK, 200), HEALTH_RATE);
    ck_assert_int_eq(health(API_OK, 200, API_RATE_LIMITED, 429), HEALTH_RATE);
    ck_assert_int_eq(health(API_SERVER_ERROR, 503, API_OK, 200), HEALTH_DOWN);
    ck_assert_int_eq(health(API_OK, 200, API_TIMEOUT, 0), HEALTH_DOWN);
    ck_assert_int_eq(health(API_CONNECT, 0, API_CONNECT, 0), HEALTH_DOWN);
    ck_assert_int_eq(health(API_DNS, 0, NONE, 0), HEALTH_DOWN);
    ck_assert_int_eq(health(API_TLS, 0, NONE, 0), HEALTH_DOWN);
    ck_assert_int_eq(health(API_BAD_RESPONSE, 200, API_OK, 200), HEALTH_DOWN);

    ck_assert_str_eq(model_health_word(HEALTH_CHECKING), "checking");
    ck_assert_str_eq(model_health_word(HEALTH_OK), "ok");
    ck_assert_str_eq(model_health_word(HEALTH_AUTH), "401");
    ck_assert_str_eq(model_health_word(HEALTH_SCOPE), "403");
    ck_assert_str_eq(model_health_word(HEALTH_NOT_FOUND), "404");
    ck_assert_str_eq(model_health_word(HEALTH_RATE), "429");
    ck_assert_str_eq(model_health_word(HEALTH_DOWN), "down");
}
END_TEST

START_TEST(probe_set_copies_and_replaces)
{
    struct model_probe p;
    memset(&p, 0, sizeof p);
    char code[] = "unauthorized", msg[] = "Invalid or missing API key", trace[] = "t-1";
    char summary[] = "401 unauthorized: Invalid or missing API key";
    struct api_result r;
    memset(&r, 0, sizeof r);
    r.cls = API_UNAUTHORIZED;
    r.status = 401;
    r.summary = summary;
    r.err.code = code;
    r.err.message = msg;
    r.err.trace_id = trace;
    model_probe_set(&p, &r, 63, 1234.5);
    summary[0] = code[0] = msg[0] = trace[0] = 'X'; /* the probe holds copies */
    ck_assert(p.done);
    ck_assert_int_eq(p.cls, API_UNAUTHORIZED);
    ck_assert_int_eq(p.status, 401);
    ck_assert_int_eq(p.latency_ms, 63);
    ck_assert(p.at == 1234.5);
    ck_assert_str_eq(p.summary, "401 unauthorized: Invalid or missing API key");
    ck_assert_str_eq(p.err.code, "unauthorized");
    ck_assert_str_eq(p.err.trace_id, "t-1");
    set_probe(&p, API_OK, 200);
    ck_assert_int_eq(p.cls, API_OK);
    ck_assert_ptr_null(p.err.code);
    ck_assert_ptr_null(p.err.trace_id);
    model_probe_clear(&p);
    ck_assert(!p.done);
    ck_assert_ptr_null(p.summary);
}
END_TEST

/* ---- failure groups ------------------------------------------------------------------------ */

static struct model_failure failure(size_t org, enum api_class cls, int status, const char *code,
                                    const char *message, const char *path, double t)
{
    struct model_failure f;
    memset(&f, 0, sizeof f);
    f.org = org;
    f.org_name = (char *)(org == 0 ? "o0" : "o1");
    f.org_id = (char *)(org == 0 ? "org_0" : "org_1");
    f.key_name = "k0";
    f.key_hint = "max_dev_ak_ABC…xyz";
    f.method = "GET";
    f.path = (char *)path;
    f.cls = cls;
    f.status = status;
    f.code = (char *)code;
    f.message = (char *)message;
    f.latency_ms = (long)t;
    f.first_seen = f.last_seen = t;
    return f;
}

#define ME "/v1/marketplace/me"
#define PT "/v1/patients"
#define BADKEY "Invalid or missing API key"

START_TEST(same_failures_form_one_group_with_every_trace_id)
{
    make_config(30, 100, 2, NULL);
    struct model m;
    model_init(&m, &cfg, NULL, 0);
    unsigned long v0 = m.version;

    struct model_failure f = failure(0, API_UNAUTHORIZED, 401, "unauthorized", BADKEY, ME, 100);
    model_add_failure(&m, &f, "trace-1");
    ck_assert_uint_gt(m.version, v0);
    f = failure(0, API_UNAUTHORIZED, 401, "unauthorized", BADKEY, ME, 130);
    model_add_failure(&m, &f, "trace-2");
    f = failure(0, API_UNAUTHORIZED, 401, "unauthorized", BADKEY, ME, 160);
    model_add_failure(&m, &f, NULL); /* no trace id: counted, nothing kept */
    f = failure(0, API_UNAUTHORIZED, 401, "unauthorized", BADKEY, ME, 190);
    model_add_failure(&m, &f, "trace-4");

    ck_assert_uint_eq(m.nfailures, 1);
    struct model_failure *g = &m.failures[0];
    ck_assert_int_eq(g->count, 4);
    ck_assert(g->first_seen == 100);
    ck_assert(g->last_seen == 190);
    ck_assert_int_eq(g->latency_ms, 190); /* of the latest */
    ck_assert_uint_eq(g->ntrace, 3);
    ck_assert_str_eq(g->trace_ids[0], "trace-1");
    ck_assert_str_eq(g->trace_ids[1], "trace-2");
    ck_assert_str_eq(g->trace_ids[2], "trace-4");
    ck_assert_str_eq(g->org_name, "o0");
    ck_assert_str_eq(g->org_id, "org_0");
    ck_assert_str_eq(g->key_hint, "max_dev_ak_ABC…xyz");
    ck_assert_str_eq(g->path, ME);
    ck_assert_str_eq(g->code, "unauthorized");
    ck_assert_str_eq(g->message, BADKEY);
    ck_assert_int_eq(g->status, 401);
    model_free(&m);
}
END_TEST

START_TEST(any_difference_makes_a_new_group)
{
    make_config(30, 100, 2, NULL);
    struct model m;
    model_init(&m, &cfg, NULL, 0);
    struct model_failure base = failure(0, API_FORBIDDEN, 403, "forbidden",
                                        "Insufficient scope. Required: read:patients", PT, 10);
    model_add_failure(&m, &base, "a");
    struct model_failure f = base;
    f.message = "Insufficient scope. Required: read:appointments";
    f.last_seen = f.first_seen = 11;
    model_add_failure(&m, &f, "b");
    ck_assert_uint_eq(m.nfailures, 2);
    f = base;
    f.path = "/v1/patients/{id}";
    f.last_seen = f.first_seen = 12;
    model_add_failure(&m, &f, "c");
    ck_assert_uint_eq(m.nfailures, 3);
    f = failure(1, API_FORBIDDEN, 403, "forbidden",
                "Insufficient scope. Required: read:patients", PT, 13); /* other org */
    model_add_failure(&m, &f, "d");
    ck_assert_uint_eq(m.nfailures, 4);
    f = base;
    f.code = "scope_missing";
    f.last_seen = f.first_seen = 14;
    model_add_failure(&m, &f, "e");
    ck_assert_uint_eq(m.nfailures, 5);
    f = base;
    f.status = 401; /* same class and text, other status */
    f.last_seen = f.first_seen = 15;
    model_add_failure(&m, &f, "f");
    ck_assert_uint_eq(m.nfailures, 6);
    f = base;
    f.cls = API_BAD_REQUEST;
    f.last_seen = f.first_seen = 16;
    model_add_failure(&m, &f, "g");
    ck_assert_uint_eq(m.nfailures, 7);
    /* A NULL code is a value of its own: NULL groups with NULL. */
    f = base;
    f.code = NULL;
    f.last_seen = f.first_seen = 17;
    model_add_failure(&m, &f, "h");
    ck_assert_uint_eq(m.nfailures, 8);
    f.last_seen = f.first_seen = 18;
    model_add_failure(&m, &f, "i");
    ck_assert_uint_eq(m.nfailures, 8);
    ck_assert_int_eq(m.failures[7].count, 2);
    ck_assert_ptr_null(m.failures[7].code);
    /* The same as the first one again: joins it, it becomes the newest. */
    f = base;
    f.last_seen = f.first_seen = 19;
    model_add_failure(&m, &f, "j");
    ck_assert_uint_eq(m.nfailures, 8);
    struct model_failure *g = &m.failures[7];
    ck_assert_int_eq(g->count, 2);
    ck_assert_str_eq(g->message, "Insufficient scope. Required: read:patients");
    ck_assert_str_eq(g->path, PT);
    ck_assert_uint_eq(g->org, 0);
    ck_assert(g->first_seen == 10 && g->last_seen == 19);
    ck_assert_uint_eq(g->ntrace, 2);
    ck_assert_str_eq(g->trace_ids[0], "a");
    ck_assert_str_eq(g->trace_ids[1], "j");
    model_free(&m);
}
END_TEST

static void assert_ordered(const struct model *m)
{
    for (size_t i = 1; i < m->nfailures; i++)
        ck_assert_msg(m->failures[i - 1].last_seen <= m->failures[i].last_seen,
                      "groups out of order at %zu: last_seen %.0f before %.0f", i,
                      m->failures[i - 1].last_seen, m->failures[i].last_seen);
}

START_TEST(groups_are_ordered_newest_last)
{
    make_config(30, 100, 2, NULL);
    struct model m;
    model_init(&m, &cfg, NULL, 0);
    struct model_failure a = failure(0, API_UNAUTHORIZED, 401, "unauthorized", BADKEY, ME, 1);
    struct model_failure b = failure(1, API_UNAUTHORIZED, 401, "unauthorized", BADKEY, ME, 2);
    struct model_failure c = failure(0, API_SERVER_ERROR, 503, "service_unavailable",
                                     "Service unavailable", PT, 3);
    model_add_failure(&m, &a, "a1");
    model_add_failure(&m, &b, "b1");
    model_add_failure(&m, &c, "c1");
    ck_assert_uint_eq(m.nfailures, 3);
    ck_assert_str_eq(m.failures[0].trace_ids[0], "a1");
    ck_assert_str_eq(m.failures[2].trace_ids[0], "c1");
    /* a again, newest: a moves to the end. */
    a.first_seen = a.last_seen = 4;
    model_add_failure(&m, &a, "a2");
    ck_assert_str_eq(m.failures[0].trace_ids[0], "b1");
    ck_assert_str_eq(m.failures[1].trace_ids[0], "c1");
    ck_assert_str_eq(m.failures[2].trace_ids[0], "a1");
    ck_assert_int_eq(m.failures[2].count, 2);
    assert_ordered(&m);
    /* b again: b moves to the end. */
    b.first_seen = b.last_seen = 5;
    model_add_failure(&m, &b, "b2");
    ck_assert_str_eq(m.failures[0].trace_ids[0], "c1");
    ck_assert_str_eq(m.failures[1].trace_ids[0], "a1");
    ck_assert_str_eq(m.failures[2].trace_ids[0], "b1");
    assert_ordered(&m);
    /* A new group that is older than the others (a record from the log, a clock step back)
     * still goes where its last_seen puts it. */
    struct model_failure old = failure(1, API_FORBIDDEN, 403, "forbidden", "x", PT, 2.5);
    model_add_failure(&m, &old, "old");
    ck_assert_uint_eq(m.nfailures, 4);
    assert_ordered(&m);
    ck_assert_str_eq(m.failures[0].trace_ids[0], "old");
    model_free(&m);
}
END_TEST

START_TEST(an_older_occurrence_widens_the_group_without_moving_last_seen_back)
{
    make_config(30, 100, 2, NULL);
    struct model m;
    model_init(&m, &cfg, NULL, 0);
    struct model_failure a = failure(0, API_UNAUTHORIZED, 401, "unauthorized", BADKEY, ME, 50);
    model_add_failure(&m, &a, "t50");
    struct model_failure b = failure(1, API_UNAUTHORIZED, 401, "unauthorized", BADKEY, ME, 60);
    model_add_failure(&m, &b, "u60");
    a.first_seen = a.last_seen = 40;
    model_add_failure(&m, &a, "t40");
    struct model_failure *g = &m.failures[0];
    ck_assert_str_eq(g->org_name, "o0");
    ck_assert_int_eq(g->count, 2);
    ck_assert_msg(g->first_seen == 40, "first_seen %.0f, want 40", g->first_seen);
    ck_assert_msg(g->last_seen == 50, "last_seen %.0f, want 50 (it must not go back)",
                  g->last_seen);
    assert_ordered(&m);
    model_free(&m);
}
END_TEST

START_TEST(trace_ids_are_capped_keeping_the_newest_in_order)
{
    make_config(30, 100, 2, NULL);
    struct model m;
    model_init(&m, &cfg, NULL, 0);
    enum { N = 205, CAP = 200 };
    for (int i = 0; i < N; i++) {
        struct model_failure f = failure(0, API_UNAUTHORIZED, 401, "unauthorized", BADKEY, ME,
                                         1000 + i);
        char t[32];
        snprintf(t, sizeof t, "trace-%03d", i);
        model_add_failure(&m, &f, t);
    }
    ck_assert_uint_eq(m.nfailures, 1);
    struct model_failure *g = &m.failures[0];
    ck_assert_int_eq(g->count, N);
    ck_assert(g->first_seen == 1000 && g->last_seen == 1000 + N - 1);
    ck_assert_uint_eq(g->ntrace, CAP);
    for (size_t i = 0; i < g->ntrace; i++) {
        char want[32];
        snprintf(want, sizeof want, "trace-%03zu", i + (N - CAP));
        ck_assert_str_eq(g->trace_ids[i], want);
    }
    model_free(&m);
}
END_TEST

START_TEST(groups_from_the_log_stay_apart_from_live_ones)
{
    make_config(30, 100, 2, NULL);
    struct model m;
    model_init(&m, &cfg, NULL, 0);
    struct model_failure f = failure(0, API_UNAUTHORIZED, 401, "unauthorized", BADKEY, ME, 1);
    f.from_log = true;
    model_add_failure(&m, &f, "old");
    f.from_log = false;
    f.first_seen = f.last_seen = 2;
    model_add_failure(&m, &f, "new");
    ck_assert_uint_eq(m.nfailures, 2);
    ck_assert(m.failures[0].from_log);
    ck_assert(!m.failures[1].from_log);
    model_free(&m);
}
END_TEST

/* ---- budgets per app ----------------------------------------------------------------------- */

START_TEST(two_keys_of_one_app_share_one_budget)
{
    /* o0 uses k0; o1, o2 use k1; o3 uses k2 (another app). refresh 10, 12 requests a minute. */
    static const int key_of[] = {0, 1, 1, 2};
    make_config(10, 12, 4, key_of);
    struct model m;
    model_init(&m, &cfg, NULL, 0);
    ck_assert_uint_eq(m.nbudgets, 3);
    ck_assert_uint_eq(m.budgets[0].norgs, 1);
    ck_assert_uint_eq(m.budgets[1].norgs, 2);
    ck_assert_uint_eq(m.budgets[2].norgs, 1);
    ck_assert_int_eq(m.budgets[0].effective_refresh, 10);
    ck_assert_int_eq(m.budgets[1].effective_refresh, 20); /* 2 orgs x 2 requests at 12/min */
    ck_assert_int_eq(m.budgets[2].effective_refresh, 10);

    unsigned long v = m.version;
    model_note_app(&m, 0, "app_x");
    ck_assert_str_eq(m.budgets[0].app_id, "app_x");
    ck_assert_uint_gt(m.version, v);
    model_note_app(&m, 3, "app_y");
    ck_assert_str_eq(m.budgets[2].app_id, "app_y");
    model_note_app(&m, 0, "app_x"); /* nothing new */
    model_note_app(&m, 0, NULL);
    ck_assert_uint_eq(m.budgets[0].norgs, 1);

    /* k1 turns out to be a key of app_x too: o1 and o2 move to k0's budget. */
    v = m.version;
    model_note_app(&m, 1, "app_x");
    ck_assert_uint_gt(m.version, v);
    ck_assert_uint_eq(m.orgs[0].budget, 0);
    ck_assert_uint_eq(m.orgs[1].budget, 0);
    ck_assert_uint_eq(m.orgs[2].budget, 0);
    ck_assert_uint_eq(m.orgs[3].budget, 2);
    ck_assert_uint_eq(m.budgets[0].norgs, 3);
    ck_assert_uint_eq(m.budgets[1].norgs, 0);
    ck_assert_uint_eq(m.budgets[2].norgs, 1);
    ck_assert_int_eq(m.budgets[0].effective_refresh, 30); /* 3 orgs x 2 at 12/min */
    ck_assert_int_eq(m.budgets[2].effective_refresh, 10);
    /* o2's /marketplace/me says the same later: nothing changes. */
    model_note_app(&m, 2, "app_x");
    ck_assert_uint_eq(m.budgets[0].norgs, 3);
    ck_assert_uint_eq(m.orgs[2].budget, 0);
    model_free(&m);
}
END_TEST

START_TEST(a_merged_budget_keeps_the_sends_of_both_keys)
{
    /* What k1's orgs already sent this minute still counts against the app once k1's budget
     * is merged into k0's: the app's window is one. */
    static const int key_of[] = {0, 1};
    make_config(10, 10, 2, key_of);
    struct model m;
    model_init(&m, &cfg, NULL, 0);
    struct model_budget *b0 = &m.budgets[0], *b1 = &m.budgets[1];
    for (int i = 0; i < 3; i++) {
        b0->sent[b0->sent_len++] = 100.0 + i;
        b0->total_sent++;
    }
    for (int i = 0; i < 4; i++) {
        b1->sent[b1->sent_len++] = 100.5 + i;
        b1->total_sent++;
    }
    b1->blocked_until = 500.0;
    model_note_app(&m, 0, "app_x");
    model_note_app(&m, 1, "app_x");
    ck_assert_uint_eq(m.orgs[1].budget, 0);
    ck_assert_uint_eq(b0->sent_len, 7);
    /* oldest first in the ring */
    double prev = 0;
    for (size_t i = 0; i < b0->sent_len; i++) {
        double t = b0->sent[(b0->sent_head + i) % (size_t)b0->per_minute];
        ck_assert_msg(t >= prev, "send times out of order at %zu", i);
        prev = t;
    }
    ck_assert(b0->blocked_until == 500.0);
    ck_assert_int_eq(b0->total_sent, 7);
    model_free(&m);
}
END_TEST

START_TEST(a_group_keeps_its_latest_query_its_key_and_the_org_finds_its_latest)
{
    make_config(30, 100, 2, NULL);
    struct model m;
    model_init(&m, &cfg, NULL, 0);
    ck_assert_uint_eq(model_org_latest_failure(&m, 0), (size_t)-1);
    struct model_failure f = failure(0, API_SERVER_ERROR, 500, "internal_error", "boom", PT, 100);
    f.query = "page=2&pageSize=50";
    model_add_failure(&m, &f, "t1");
    char *k1 = model_failure_key(&m.failures[0]);
    f = failure(0, API_SERVER_ERROR, 500, "internal_error", "boom", PT, 90);
    f.query = "page=9&pageSize=50"; /* older: does not replace the latest's query */
    model_add_failure(&m, &f, "t0");
    ck_assert_str_eq(m.failures[0].query, "page=2&pageSize=50");
    f = failure(0, API_SERVER_ERROR, 500, "internal_error", "boom", PT, 120);
    f.query = "page=1&pageSize=50&search=jo";
    model_add_failure(&m, &f, "t2");
    ck_assert_str_eq(m.failures[0].query, "page=1&pageSize=50&search=jo");
    /* Another org's newer group, and org 0's own other group. */
    f = failure(1, API_UNAUTHORIZED, 401, "unauthorized", BADKEY, ME, 130);
    model_add_failure(&m, &f, "u1");
    f = failure(0, API_UNAUTHORIZED, 401, "unauthorized", BADKEY, ME, 125);
    model_add_failure(&m, &f, "u0");
    size_t k = model_org_latest_failure(&m, 0);
    ck_assert_uint_ne(k, (size_t)-1);
    ck_assert_str_eq(m.failures[k].path, ME);
    ck_assert_str_eq(m.failures[model_org_latest_failure(&m, 1)].trace_ids[0], "u1");
    /* The key follows the group, whatever its place. */
    char *k2 = model_failure_key(&m.failures[0]);
    ck_assert_str_eq(k1, k2);
    char *k3 = model_failure_key(&m.failures[k]);
    ck_assert_str_ne(k1, k3);
    free(k1);
    free(k2);
    free(k3);
    model_free(&m);
}
END_TEST

SUITE(model)
{
    Suite *s = suite_create("model");
    TCase *tc = tcase_create("budget");
    tcase_add_test(tc, effective_refresh_stretches_only_when_the_budget_needs_it);
    tcase_add_test(tc, model_init_gives_each_budget_its_stretched_cycle);
    tcase_add_test(tc, two_keys_of_one_app_share_one_budget);
    tcase_add_test(tc, a_merged_budget_keeps_the_sends_of_both_keys);
    suite_add_tcase(s, tc);
    tc = tcase_create("health");
    tcase_add_test(tc, health_combines_the_two_probes);
    tcase_add_test(tc, probe_set_copies_and_replaces);
    suite_add_tcase(s, tc);
    tc = tcase_create("failures");
    tcase_add_test(tc, same_failures_form_one_group_with_every_trace_id);
    tcase_add_test(tc, any_difference_makes_a_new_group);
    tcase_add_test(tc, groups_are_ordered_newest_last);
    tcase_add_test(tc, an_older_occurrence_widens_the_group_without_moving_last_seen_back);
    tcase_add_test(tc, trace_ids_are_capped_keeping_the_newest_in_order);
    tcase_add_test(tc, groups_from_the_log_stay_apart_from_live_ones);
    tcase_add_test(tc, a_group_keeps_its_latest_query_its_key_and_the_org_finds_its_latest);
    suite_add_tcase(s, tc);
    return s;
}
