/* `maxdash check --json --timeout 2` against every fault maxdash-sandbox can inject, and
 * against a refused port, an unresolvable host and a self-signed certificate: each is reported
 * with its class, for the faulty org only, within timeout + 1 s, with exit status 1 and
 * nothing crashing (run this suite under SAN=1 too). */
#include "testing.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_support.h"

#define TIMEOUT_S "2"
/* timeout + 1 s, plus a little for starting the process (and the sanitizers). */
#define FAULT_DEADLINE_MS (3000 + 400)
#define ME_PATH "/v1/marketplace/me"

static const char two_orgs[] =
    CHK_ORG("faulty", "org_a", "active") CHK_ORG("fine", "org_gen", "active");

static long long probe_int(json_t *org, const char *probe, const char *field)
{
    json_t *v = json_object_get(json_object_get(org, probe), field);
    return json_is_integer(v) ? (long long)json_integer_value(v) : LLONG_MIN;
}

/* A failure that is not a 401/403 is logged too, flagged as not an auth failure. */
static void assert_logged(const struct chk *c, const char *org, const char *cls, int http_status)
{
    json_t *log = chk_log(c);
    json_t *rec = chk_log_find(log, org, ME_PATH, NULL);
    ck_assert_msg(rec != NULL, "the %s failure of %s /marketplace/me is not in the log", cls, org);
    json_t *st = json_object_get(rec, "http_status");
    if (http_status > 0)
        ck_assert_msg(json_is_integer(st) && json_integer_value(st) == http_status,
                      "log http_status of the %s failure", cls);
    else if (http_status == 0)
        ck_assert_msg(json_is_null(st), "log http_status of the %s failure is not null", cls);
    json_t *auth = json_object_get(rec, "auth");
    if (auth)
        ck_assert_msg(json_is_false(auth), "a %s failure is flagged as an auth failure", cls);
    const char *logged_cls = json_string_value(json_object_get(rec, "class"));
    if (logged_cls)
        ck_assert_msg(strcmp(logged_cls, cls) == 0, "logged class %s, expected %s", logged_cls,
                      cls);
    json_decref(log);
}

/* The text report of two_orgs when "faulty" fails: a FAIL row, an ok row, the summary. */
static void assert_text_report(struct chk *c, const char *what)
{
    struct chk_out o;
    chk_run(c, (const char *[]){"--timeout", TIMEOUT_S, NULL}, FAULT_DEADLINE_MS, &o);
    ck_assert_int_eq(o.r.status, 1);
    ck_assert_msg(chk_text_rows(o.r.out) == 2, "%s: two rows expected:\n%s", what, o.r.out);
    char *row = chk_text_row(o.r.out, "faulty");
    ck_assert_msg(row && strncmp(row, "FAIL", 4) == 0, "%s: faulty row: %s", what,
                  row ? row : "(no row)");
    free(row);
    row = chk_text_row(o.r.out, "fine");
    ck_assert_msg(row && strncmp(row, "ok", 2) == 0, "%s: fine row: %s", what,
                  row ? row : "(no row)");
    free(row);
    ck_assert_msg(strstr(o.r.out, "\n1 of 2 orgs healthy\n"), "%s: summary: %s", what, o.r.out);
    chk_out_free(&o);
}

/* ---- the sandbox's faults, on org_a only -------------------------------------------------- */

static const struct fault_case {
    const char *name;
    const char *fault;  /* POST /_sandbox/faults body; "org": "org_a" is added */
    const char *cls;
    int http_status;    /* > 0: that; 0: null (no response); -1: either */
    long min_latency_ms;
} faults[] = {
    {"hang", "\"fault\": \"hang\"", "timeout", 0, 1900},
    {"reset", "\"fault\": \"reset\"", "connection", 0, 0},
    {"status 500", "\"fault\": \"status\"", "server_error", 500, 0},
    {"status 503", "\"fault\": \"status\", \"status\": 503", "server_error", 503, 0},
    {"status 400", "\"fault\": \"status\", \"status\": 400", "bad_request", 400, 0},
    {"status 429", "\"fault\": \"status\", \"status\": 429, \"retry_after\": 5", "rate_limited",
     429, 0},
    {"html 502", "\"fault\": \"html\"", "server_error", 502, 0},
    {"html 504", "\"fault\": \"html\", \"status\": 504", "server_error", 504, 0},
    {"truncate", "\"fault\": \"truncate\"", "bad_response", 200, 0},
    {"truncate wire", "\"fault\": \"truncate\", \"wire\": true", "bad_response", -1, 0},
    {"invalid_json", "\"fault\": \"invalid_json\"", "bad_response", 200, 0},
    {"wrong_types", "\"fault\": \"wrong_types\"", "bad_response", 200, 0},
    {"oversize 20 MiB", "\"fault\": \"oversize\"", "bad_response", -1, 0},
    {"oversize 9 MiB", "\"fault\": \"oversize\", \"bytes\": 9437184", "bad_response", -1, 0},
    {"trickle past the timeout", "\"fault\": \"trickle\", \"ms\": 500, \"bytes\": 4", "timeout",
     -1, 1900},
    {"latency past the timeout", "\"fault\": \"latency\", \"ms\": 10000", "timeout", 0, 1900},
};

START_TEST(sandbox_fault_is_classified_in_time)
{
    const struct fault_case *f = &faults[_i];
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    char body[512];
    snprintf(body, sizeof body, "{%s, \"org\": \"org_a\"}", f->fault);
    sbt_add_fault(&sb, body);
    struct chk c;
    chk_init(&c);
    chk_config(&c, sb.base_url, NULL, two_orgs);

    struct chk_out o;
    chk_run(&c, (const char *[]){"--json", "--timeout", TIMEOUT_S, NULL}, FAULT_DEADLINE_MS, &o);
    ck_assert_msg(o.r.status == 1, "%s: exit status %d, expected 1", f->name, o.r.status);
    json_t *org = chk_org(o.doc, "faulty");
    chk_assert_probe(org, "me", f->cls, f->http_status);
    chk_assert_probe(org, "patients", f->cls, f->http_status);
    ck_assert_msg(json_is_false(json_object_get(org, "healthy")), "%s: faulty org is healthy",
                  f->name);
    if (f->min_latency_ms)
        ck_assert_msg(probe_int(org, "me", "latency_ms") >= f->min_latency_ms,
                      "%s: gave up after %lld ms, before the 2 s timeout", f->name,
                      probe_int(org, "me", "latency_ms"));
    /* The other org is not affected. */
    json_t *fine = chk_org(o.doc, "fine");
    chk_assert_probe(fine, "me", "ok", 200);
    chk_assert_probe(fine, "patients", "ok", 200);
    ck_assert_int_eq(sbt_jint(o.doc, "healthy"), 1);
    ck_assert_int_eq(sbt_jint(o.doc, "failed"), 1);
    const char *summary = json_string_value(json_object_get(json_object_get(org, "me"), "summary"));
    ck_assert_msg(summary && *summary, "%s: no summary", f->name);
    chk_out_free(&o);
    assert_logged(&c, "faulty", f->cls, f->http_status);

    /* The text report says the same (one slow case is enough: they all wait for the timeout). */
    if (!f->min_latency_ms || _i == 0)
        assert_text_report(&c, f->name);
    chk_free(&c);
    sandbox_free(&sb);
}
END_TEST

/* A fault on /patients only: /me is still reported, with its scopes. */
START_TEST(fault_on_patients_only)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    sbt_add_fault(&sb, "{\"fault\": \"hang\", \"org\": \"org_a\", \"path\": \"/patients\"}");
    struct chk c;
    chk_init(&c);
    chk_config(&c, sb.base_url, NULL, two_orgs);
    struct chk_out o;
    chk_run(&c, (const char *[]){"--json", "--timeout", TIMEOUT_S, NULL}, FAULT_DEADLINE_MS, &o);
    ck_assert_int_eq(o.r.status, 1);
    json_t *org = chk_org(o.doc, "faulty");
    chk_assert_probe(org, "me", "ok", 200);
    const char *scopes[] = {"read:patients", "read:appointments", NULL};
    ck_assert_msg(sbt_jstrset(org, "me.scopes", scopes), "me.scopes");
    chk_assert_probe(org, "patients", "timeout", 0);
    ck_assert_msg(json_is_false(json_object_get(org, "healthy")), "healthy with a hung probe");
    chk_assert_probe(chk_org(o.doc, "fine"), "patients", "ok", 200);
    chk_out_free(&o);
    chk_free(&c);
    sandbox_free(&sb);
}
END_TEST

/* Every org hangs: the timeouts run side by side, not one after the other. */
START_TEST(hang_on_every_org_ends_in_time)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    sbt_add_fault(&sb, "{\"fault\": \"hang\"}");
    char orgs[2048] = "";
    size_t n = 0;
    for (int i = 0; i < 12; i++)
        n += (size_t)snprintf(orgs + n, sizeof orgs - n, "[org \"h%02d\"]\nid = %s\nkey = active\n",
                              i, i % 2 ? "org_a" : "org_gen");
    struct chk c;
    chk_init(&c);
    chk_config(&c, sb.base_url, NULL, orgs);
    struct chk_out o;
    chk_run(&c, (const char *[]){"--json", "--timeout", TIMEOUT_S, NULL}, FAULT_DEADLINE_MS, &o);
    ck_assert_int_eq(o.r.status, 1);
    for (int i = 0; i < 12; i++) {
        char name[8];
        snprintf(name, sizeof name, "h%02d", i);
        json_t *org = chk_org(o.doc, name);
        chk_assert_probe(org, "me", "timeout", 0);
        chk_assert_probe(org, "patients", "timeout", 0);
    }
    ck_assert_int_eq(sbt_jint(o.doc, "failed"), 12);
    chk_out_free(&o);
    chk_free(&c);
    sandbox_free(&sb);
}
END_TEST

/* The config's timeout applies without --timeout; --timeout overrides it. */
START_TEST(config_timeout_applies_and_the_option_overrides_it)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    sbt_add_fault(&sb, "{\"fault\": \"hang\", \"org\": \"org_a\"}");
    struct chk c;
    chk_init(&c);
    chk_config(&c, sb.base_url, "timeout = 1\n", two_orgs);
    struct chk_out o;
    chk_run(&c, (const char *[]){"--json", NULL}, 2000 + 400, &o);
    ck_assert_int_eq(o.r.status, 1);
    json_t *org = chk_org(o.doc, "faulty");
    chk_assert_probe(org, "me", "timeout", 0);
    ck_assert_msg(probe_int(org, "me", "latency_ms") >= 900, "timed out before 1 s");
    chk_out_free(&o);

    chk_config(&c, sb.base_url, "timeout = 60\n", two_orgs);
    chk_run(&c, (const char *[]){"--json", "--timeout", "1", NULL}, 2000 + 400, &o);
    ck_assert_int_eq(o.r.status, 1);
    chk_assert_probe(chk_org(o.doc, "faulty"), "patients", "timeout", 0);
    chk_assert_probe(chk_org(o.doc, "fine"), "patients", "ok", 200);
    chk_out_free(&o);
    chk_free(&c);
    sandbox_free(&sb);
}
END_TEST

/* ---- the network itself --------------------------------------------------------------------- */

START_TEST(refused_port_is_connection)
{
    struct chk c;
    chk_init(&c);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1", chk_refused_port());
    chk_config(&c, url, NULL, two_orgs);
    struct chk_out o;
    chk_run(&c, (const char *[]){"--json", "--timeout", TIMEOUT_S, NULL}, FAULT_DEADLINE_MS, &o);
    ck_assert_int_eq(o.r.status, 1);
    static const char *const names[] = {"faulty", "fine"};
    for (size_t i = 0; i < 2; i++) {
        json_t *org = chk_org(o.doc, names[i]);
        chk_assert_probe(org, "me", "connection", 0);
        chk_assert_probe(org, "patients", "connection", 0);
    }
    ck_assert_int_eq(sbt_jint(o.doc, "healthy"), 0);
    chk_out_free(&o);
    assert_logged(&c, "faulty", "connection", 0);
    chk_free(&c);
}
END_TEST

START_TEST(unresolvable_host_is_dns)
{
    struct chk c;
    chk_init(&c);
    chk_config(&c, "https://nonexistent.invalid/v1", NULL, two_orgs);
    struct chk_out o;
    chk_run(&c, (const char *[]){"--json", "--timeout", TIMEOUT_S, NULL}, FAULT_DEADLINE_MS, &o);
    ck_assert_int_eq(o.r.status, 1);
    json_t *org = chk_org(o.doc, "faulty");
    chk_assert_probe(org, "me", "dns", 0);
    chk_assert_probe(org, "patients", "dns", 0);
    chk_assert_probe(chk_org(o.doc, "fine"), "me", "dns", 0);
    chk_out_free(&o);
    assert_logged(&c, "faulty", "dns", 0);
    chk_free(&c);
}
END_TEST

START_TEST(self_signed_certificate_is_tls_unless_trusted)
{
    char *certdir = test_tmpdir();
    char cert[4200], key[4200];
    chk_make_cert(certdir, cert, sizeof cert, key, sizeof key);
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, (const char *[]){"--tls-cert", cert, "--tls-key", key,
                                                           NULL});
    ck_assert(sb.tls);
    char url[160];
    snprintf(url, sizeof url, "https://127.0.0.1:%d/v1", sb.port);
    struct chk c;
    chk_init(&c);

    chk_config(&c, url, NULL, two_orgs);
    struct chk_out o;
    chk_run(&c, (const char *[]){"--json", "--timeout", TIMEOUT_S, NULL}, FAULT_DEADLINE_MS, &o);
    ck_assert_int_eq(o.r.status, 1);
    json_t *org = chk_org(o.doc, "faulty");
    chk_assert_probe(org, "me", "tls", 0);
    chk_assert_probe(org, "patients", "tls", 0);
    chk_out_free(&o);
    assert_logged(&c, "faulty", "tls", 0);
    /* Not one request was answered: the handshake failed first. */
    char stats_url[256];
    struct http_req q = {.url = sandbox_root(&sb, "/_sandbox/stats", stats_url, sizeof stats_url),
                         .cainfo = cert};
    struct http_resp r;
    http_do(&q, &r);
    ck_assert_msg(r.curl_code == CURLE_OK && r.status == 200, "GET /_sandbox/stats: curl %d %s",
                  (int)r.curl_code, r.error);
    json_t *st = http_json(&r);
    ck_assert_int_eq(sbt_jint(st, "total"), 0);
    json_decref(st);
    http_resp_free(&r);

    /* Trusting exactly that certificate makes it work. */
    char settings[4300];
    snprintf(settings, sizeof settings, "ca_bundle = %s\n", cert);
    chk_config(&c, url, settings, two_orgs);
    chk_run(&c, (const char *[]){"--json", "--timeout", TIMEOUT_S, NULL}, FAULT_DEADLINE_MS, &o);
    ck_assert_msg(o.r.status == 0, "with ca_bundle: exit status %d", o.r.status);
    org = chk_org(o.doc, "faulty");
    chk_assert_probe(org, "me", "ok", 200);
    chk_assert_probe(org, "patients", "ok", 200);
    chk_out_free(&o);

    chk_free(&c);
    sandbox_free(&sb);
    test_rmtree(certdir);
    free(certdir);
}
END_TEST

SUITE(check_faults)
{
    Suite *s = suite_create("check_faults");
    TCase *tc = tcase_create("faults");
    tcase_set_timeout(tc, 60);
    tcase_add_unchecked_fixture(tc, sandbox_tmp_setup, sandbox_tmp_teardown);
    tcase_add_loop_test(tc, sandbox_fault_is_classified_in_time, 0,
                        (int)(sizeof faults / sizeof faults[0]));
    tcase_add_test(tc, fault_on_patients_only);
    tcase_add_test(tc, hang_on_every_org_ends_in_time);
    tcase_add_test(tc, config_timeout_applies_and_the_option_overrides_it);
    tcase_add_test(tc, refused_port_is_connection);
    tcase_add_test(tc, unresolvable_host_is_dns);
    tcase_add_test(tc, self_signed_certificate_is_tls_unless_trusted);
    suite_add_tcase(s, tc);
    return s;
}
