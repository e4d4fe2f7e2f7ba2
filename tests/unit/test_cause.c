/* Issue 15, "name the true cause": the pure parts — api.c's classification of what answered,
 * its tolerance of JSON it does not read, and explain.c's first lines. */
#include "testing.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "explain.h"
#include "orgid.h"
#include "util.h"

static void interpret_ct(enum api_endpoint ep, int status, const char *body, size_t len,
                         const char *ctype, const char *server, struct api_result *r)
{
    struct api_response resp = {.endpoint = ep, .transport = API_TR_OK, .status = status,
                                .body = body, .len = len, .content_type = ctype,
                                .server = server};
    api_interpret(&resp, r);
}

static void interpret(enum api_endpoint ep, int status, const char *body, struct api_result *r)
{
    interpret_ct(ep, status, body, body ? strlen(body) : 0, NULL, NULL, r);
}

/* ---- case 1 ------------------------------------------------------------------------------ */

START_TEST(non_api_auth_statuses_are_blocked)
{
    static const int statuses[] = {401, 403, 404, 429};
    static const char *const bodies[] = {
        "<html><head><title>403 Forbidden</title></head></html>", "", "{\"message\":\"Forbidden\"}",
        "[]", "{\"code\": 403}", "{\"error\": {\"code\": \"AccessDenied\"}}"};
    for (size_t s = 0; s < sizeof statuses / sizeof *statuses; s++) {
        for (size_t b = 0; b < sizeof bodies / sizeof *bodies; b++) {
            struct api_result r;
            interpret_ct(API_ME, statuses[s], bodies[b], strlen(bodies[b]), "text/html",
                         "cloudflare", &r);
            ck_assert_msg(r.cls == API_BLOCKED, "%d body %zu classed %s", statuses[s], b,
                          api_class_name(r.cls));
            ck_assert(!api_class_is_auth(r.cls));
            ck_assert_msg(strstr(r.summary, "server cloudflare") &&
                              strstr(r.summary, "content type text/html"),
                          "summary: %s", r.summary);
            /* Never a byte of the body. */
            ck_assert(!strstr(r.summary, "Forbidden") && !strstr(r.summary, "AccessDenied"));
            api_result_free(&r);
        }
    }
}
END_TEST

START_TEST(the_apis_envelope_keeps_its_class)
{
    struct api_result r;
    interpret(API_PATIENTS, 403, "{\"code\":\"forbidden\",\"message\":\"Insufficient scope. "
                                 "Required: read:patients\",\"trace_id\":\"t\"}", &r);
    ck_assert_int_eq(r.cls, API_FORBIDDEN);
    ck_assert_str_eq(r.err.required_scope, "read:patients");
    api_result_free(&r);
    interpret(API_ME, 401, "{\"code\":\"unauthorized\",\"message\":\"Invalid or missing API "
                           "key\"}", &r);
    ck_assert_int_eq(r.cls, API_UNAUTHORIZED);
    api_result_free(&r);
    /* A gateway's 5xx page stays a server error; a 400 page a bad request. */
    interpret(API_ME, 502, "<html>502 Bad Gateway</html>", &r);
    ck_assert_int_eq(r.cls, API_SERVER_ERROR);
    api_result_free(&r);
    interpret(API_ME, 400, "<html>400</html>", &r);
    ck_assert_int_eq(r.cls, API_BAD_REQUEST);
    api_result_free(&r);
}
END_TEST

START_TEST(server_header_is_read_and_cleaned)
{
    char out[16] = "unchanged";
    ck_assert(!api_header_get("Content-Type: x\r\n", 17, "Server", out, sizeof out));
    ck_assert_str_eq(out, "unchanged");
    const char line[] = "server:  nginx/1.25 \x1b[31m\r\n";
    ck_assert(api_header_get(line, sizeof line - 1, "Server", out, sizeof out));
    ck_assert_msg(!strchr(out, '\x1b'), "an escape reached the value");
    ck_assert(strncmp(out, "nginx/1.25", 10) == 0);
    const char longer[] = "Server: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
    ck_assert(api_header_get(longer, sizeof longer - 1, "Server", out, sizeof out));
    ck_assert_uint_eq(strlen(out), sizeof out - 1);
}
END_TEST

/* ---- case 3 ------------------------------------------------------------------------------ */

START_TEST(nul_in_a_field_is_a_control_character)
{
    static const char body[] =
        "{\"code\":\"success\",\"data\":{\"patients\":["
        "{\"id\":\"pat_1\",\"lastName\":\"John\\u0000son\",\"firstName\":\"Sarah\"},"
        "{\"id\":\"pat_2\",\"lastName\":[\"x\"],\"mrn\":{\"a\":1},\"firstName\":\"Ana\"},"
        "{\"id\":\"pat_3\",\"x_count\":9223372036854775808,\"x_real\":1e300,"
        "\"x_deep\":{\"a\":[[[[-99999999999999999999999]]]]},\"lastName\":\"Wei\"}],"
        "\"pagination\":{\"page\":1,\"pageSize\":3,\"totalCount\":3,\"totalPages\":1},"
        "\"x_total\":18446744073709551616}}";
    struct api_result r;
    interpret(API_PATIENTS, 200, body, &r);
    ck_assert_msg(r.cls == API_OK, "classed %s: %s", api_class_name(r.cls), r.summary);
    ck_assert_uint_eq(r.page.len, 3);
    ck_assert_str_eq(r.page.items[0].last, "Johnson"); /* NUL dropped like any control */
    ck_assert_str_eq(r.page.items[0].first, "Sarah");
    ck_assert_ptr_null(r.page.items[1].last); /* the bad value costs the field */
    ck_assert_ptr_null(r.page.items[1].mrn);
    ck_assert_str_eq(r.page.items[1].first, "Ana");
    ck_assert_str_eq(r.page.items[2].last, "Wei");
    ck_assert_int_eq(r.page.total_count, 3);
    api_result_free(&r);
}
END_TEST

START_TEST(huge_numbers_in_unread_fields_are_ignored)
{
    struct api_result r;
    interpret(API_ME, 200, "{\"code\":\"success\",\"data\":{\"app\":{\"id\":\"app_1\","
                           "\"x\":9223372036854775808},\"organization\":{\"id\":\"org_\\u0000a\"},"
                           "\"scopes\":[\"read:patients\"],\"n\":123456789012345678901234567890}}",
              &r);
    ck_assert_msg(r.cls == API_OK, "classed %s: %s", api_class_name(r.cls), r.summary);
    ck_assert_str_eq(r.me.app_id, "app_1");
    ck_assert_str_eq(r.me.org_id, "org_a");
    api_result_free(&r);
    /* Numbers too large for a double: jansson refuses them, the page must not care. */
    char digits[420] = "1";
    memset(digits + 1, '7', 400);
    char *body = xasprintf("{\"data\":{\"patients\":[{\"id\":\"pat_1\",\"x\":1e400,"
                           "\"lastName\":\"Ok\",\"y\":[-1E+999,%s]}],\"pagination\":"
                           "{\"page\":1,\"pageSize\":1,\"totalCount\":1,\"totalPages\":1}}}",
                           digits);
    interpret(API_PATIENTS, 200, body, &r);
    ck_assert_msg(r.cls == API_OK, "classed %s: %s", api_class_name(r.cls), r.summary);
    ck_assert_int_eq((long)r.page.len, 1);
    ck_assert_str_eq(r.page.items[0].last, "Ok");
    api_result_free(&r);
    free(body);
    /* ... and a count maxdash reads does not become a number it can use. */
    interpret(API_PATIENTS, 200, "{\"data\":{\"patients\":[],\"pagination\":{\"totalCount\":"
                                 "1e400}}}", &r);
    ck_assert_int_eq(r.cls, API_BAD_RESPONSE);
    api_result_free(&r);
    /* The counts maxdash does read must still be whole numbers in range. */
    interpret(API_PATIENTS, 200, "{\"data\":{\"patients\":[],\"pagination\":{\"totalCount\":"
                                 "2.5}}}", &r);
    ck_assert_int_eq(r.cls, API_BAD_RESPONSE);
    api_result_free(&r);
    interpret(API_PATIENTS, 200, "{\"data\":{\"patients\":[],\"pagination\":{\"totalCount\":"
                                 "9223372036854775808}}}", &r);
    ck_assert_int_eq(r.cls, API_BAD_RESPONSE);
    api_result_free(&r);
    /* An error envelope with a NUL in its message is still the API's. */
    interpret(API_ME, 401, "{\"code\":\"unauthorized\",\"message\":\"Invalid\\u0000 key\"}", &r);
    ck_assert_int_eq(r.cls, API_UNAUTHORIZED);
    ck_assert_str_eq(r.err.message, "Invalid key");
    api_result_free(&r);
}
END_TEST

/* ---- case 2 ------------------------------------------------------------------------------ */

START_TEST(proxy_host_never_has_credentials)
{
    char out[64];
    api_proxy_host("http://user:p@ss@proxy.corp:3128/path?x", out, sizeof out);
    ck_assert_str_eq(out, "proxy.corp:3128");
    api_proxy_host("proxy.corp:8080", out, sizeof out);
    ck_assert_str_eq(out, "proxy.corp:8080");
    api_proxy_host("socks5h://[::1]:1080", out, sizeof out);
    ck_assert_str_eq(out, "[::1]:1080");
    api_proxy_host("http://u:pw@", out, sizeof out);
    ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(proxy_from_env_follows_curls_variables)
{
    char out[128];
    unsetenv("http_proxy");
    unsetenv("https_proxy");
    unsetenv("HTTPS_PROXY");
    unsetenv("all_proxy");
    unsetenv("ALL_PROXY");
    unsetenv("no_proxy");
    unsetenv("NO_PROXY");
    ck_assert(!api_proxy_from_env("https://api.maxcare.ai/v1", out, sizeof out));
    setenv("HTTPS_PROXY", "http://a:b@corp:3128", 1);
    ck_assert(api_proxy_from_env("https://api.maxcare.ai/v1", out, sizeof out));
    ck_assert_str_eq(out, "corp:3128 (HTTPS_PROXY)");
    ck_assert(!api_proxy_from_env("http://127.0.0.1:8080/v1", out, sizeof out));
    setenv("ALL_PROXY", "http://all:1", 1);
    ck_assert(api_proxy_from_env("http://127.0.0.1:8080/v1", out, sizeof out));
    ck_assert_str_eq(out, "all:1 (ALL_PROXY)");
    setenv("NO_PROXY", "*", 1);
    ck_assert(!api_proxy_from_env("https://api.maxcare.ai/v1", out, sizeof out));
}
END_TEST

START_TEST(status_407_and_refused_tunnel_are_the_proxy)
{
    struct api_response resp = {.endpoint = API_ME, .transport = API_TR_OK, .status = 407,
                                .body = "<html></html>", .len = 13,
                                .proxy = "corp:3128 (https_proxy)"};
    struct api_result r;
    api_interpret(&resp, &r);
    ck_assert_int_eq(r.cls, API_PROXY);
    ck_assert(!api_class_is_auth(r.cls));
    ck_assert_str_eq(r.summary, "407 from the proxy corp:3128 (https_proxy): proxy authentication "
                                "required");
    api_result_free(&r);
    resp.transport = API_TR_PROXY;
    resp.status = 0;
    resp.proxy = NULL;
    api_interpret(&resp, &r);
    ck_assert_int_eq(r.cls, API_PROXY);
    ck_assert_str_eq(r.summary, "a proxy (none set in the environment) refused to open a tunnel "
                                "to the API");
    api_result_free(&r);
}
END_TEST

/* ---- case 4 ------------------------------------------------------------------------------ */

START_TEST(retry_after_as_http_date)
{
    long long t;
    ck_assert(api_parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT", 29, &t));
    ck_assert_int_eq(t, 784111777);
    ck_assert(api_parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT", 30, &t));
    ck_assert_int_eq(t, 784111777);
    ck_assert(api_parse_http_date("Sun Nov  6 08:49:37 1994", 24, &t));
    ck_assert_int_eq(t, 784111777);
    ck_assert(!api_parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT", 29, &t));
    ck_assert(!api_parse_http_date("Sun, 06 Nov 1994 08:49:37 PST", 29, &t));
    ck_assert(!api_parse_http_date("tomorrow", 8, &t));
    ck_assert(!api_parse_http_date("", 0, &t));

    struct api_ratelimit rl;
    api_ratelimit_init(&rl);
    const char h[] = "Retry-After: Sun, 06 Nov 1994 08:50:07 GMT\r\n";
    api_ratelimit_header(&rl, h, sizeof h - 1);
    ck_assert_int_eq(rl.retry_after, -1);
    ck_assert_int_eq(rl.retry_at, 784111807);
    ck_assert(api_rate_wait(&rl, 784111777.0) == 30.0);
    ck_assert(api_rate_wait(&rl, 784111900.0) == 0.0); /* a date gone by: no wait */
}
END_TEST

START_TEST(implausible_reset_is_absent)
{
    double now = 1764550000.0;
    struct api_ratelimit rl;
    api_ratelimit_init(&rl);
    ck_assert(api_rate_wait(&rl, now) < 0);
    rl.reset = (long long)now + 45;
    ck_assert(api_reset_plausible(rl.reset, now));
    ck_assert(api_rate_wait(&rl, now) == 45.0);
    rl.reset = (long long)now * 1000; /* milliseconds */
    ck_assert(!api_reset_plausible(rl.reset, now));
    ck_assert(api_rate_wait(&rl, now) < 0);
    rl.reset = (long long)now + 2 * API_RATE_WINDOW_S + 1;
    ck_assert(!api_reset_plausible(rl.reset, now));
    rl.retry_after = 7; /* Retry-After says first */
    ck_assert(api_rate_wait(&rl, now) == 7.0);
}
END_TEST

/* ---- case 7 ------------------------------------------------------------------------------ */

START_TEST(org_id_shapes)
{
    static const struct {
        const char *id;
        unsigned warnings;
    } cases[] = {
        {"org_abc123", 0},
        {"org_0123456789abcdef0123456789abcdef", 0},
        {"3f6c1d2e-8a4b-4c5d-9e7f-0a1b2c3d4e5f", 0},
        {"org_01J5K8N2XRQV3M7YGWT4HB6E9C", 0},
        {"\"org_westla\"", ORGID_WARN_QUOTED},
        {"'org_westla'", ORGID_WARN_QUOTED},
        {"westla", ORGID_WARN_SHAPE},
        {"ORG_WESTLA", ORGID_WARN_CASE},
        {"org_", ORGID_WARN_SHAPE},
        {"org west", ORGID_WARN_SPACE},
        {"3f6c1d2e-8a4b-4c5d-9e7f-0a1b2c3d4e5", ORGID_WARN_SHAPE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        ck_assert_msg(orgid_warnings(cases[i].id) == cases[i].warnings, "%s: %#x", cases[i].id,
                      orgid_warnings(cases[i].id));
}
END_TEST

/* ---- explanations -------------------------------------------------------------------------- */

static struct config cfg;
static struct config_key keys[1];
static struct config_org orgs[2];
static struct model m;

static void setup(void)
{
    memset(&cfg, 0, sizeof cfg);
    memset(keys, 0, sizeof keys);
    memset(orgs, 0, sizeof orgs);
    keys[0].name = "shared";
    keys[0].value = "max_dev_ak_TESTsharedkey0000000001";
    const char *names[] = {"westla", "north"};
    const char *ids[] = {"org_westla", "org_north"};
    for (int i = 0; i < 2; i++) {
        orgs[i].name = (char *)names[i];
        orgs[i].id = (char *)ids[i];
        orgs[i].key = &keys[0];
        orgs[i].key_name = keys[0].name;
    }
    cfg.keys = keys;
    cfg.nkeys = 1;
    cfg.orgs = orgs;
    cfg.norgs = 2;
    cfg.set.refresh = 30;
    cfg.set.rate_budget = 100;
    cfg.set.base_url = "https://api.maxcare.ai/v1";
    model_init(&m, &cfg, NULL, 0);
}

static void teardown(void) { model_free(&m); }

/* Org i's /marketplace/me probe from an answer of the network. */
static void probe_me(size_t i, int status, const char *body, const char *ctype)
{
    struct api_result r;
    interpret_ct(API_ME, status, body, strlen(body), ctype, "nginx", &r);
    model_probe_set(&m.orgs[i].probe_me, &r, 10, 1000.0);
    api_result_free(&r);
}

START_TEST(blocked_is_explained_without_blaming_key_or_clinic)
{
    probe_me(1, 403, "<html>403 Forbidden</html>", "text/html; charset=utf-8");
    struct explain ex;
    explain_org(&m, 1, &ex);
    ck_assert_str_eq(ex.headline, "blocked before the API (HTML from a proxy/CDN?)");
    ck_assert_msg(ex.n > 0 && strstr(ex.lines[0], "403") && strstr(ex.lines[0], "nginx") &&
                      strstr(ex.lines[0], "text/html"),
                  "first line: %s", ex.n ? ex.lines[0] : "-");
    for (size_t i = 0; i < ex.n; i++)
        ck_assert_msg(!strstr(ex.lines[i], "grant") && !strstr(ex.lines[i], "revoked"),
                      "line %zu blames the key or clinic: %s", i, ex.lines[i]);
    explain_free(&ex);

    probe_me(0, 401, "", NULL);
    explain_org(&m, 0, &ex);
    ck_assert_str_eq(ex.headline, "blocked before the API (not the API's JSON: a proxy/CDN?)");
    explain_free(&ex);
}
END_TEST

START_TEST(a_long_429_wait_says_until_when)
{
    m.budgets[0].effective_refresh = 30;
    m.budgets[0].blocked_until = mono_now() + 3600;
    m.budgets[0].reset_ignored = 1764550000000LL;
    m.orgs[0].last_success = wall_now() - 90;
    struct api_result r = {.cls = API_RATE_LIMITED, .status = 429};
    model_probe_set(&m.orgs[0].probe_me, &r, 10, wall_now());
    char buf[64];
    ck_assert(explain_rate_until(&m, 0, buf, sizeof buf));
    ck_assert_msg(strncmp(buf, "rate limited until ", 19) == 0 && strlen(buf) == 19 + 12, "%s",
                  buf);
    struct explain ex;
    explain_org(&m, 0, &ex);
    ck_assert_msg(strncmp(ex.headline, buf, strlen(buf)) == 0, "headline: %s", ex.headline);
    bool said_reset = false, said_age = false;
    for (size_t i = 0; i < ex.n; i++) {
        said_reset |= strstr(ex.lines[i], "1764550000000") && strstr(ex.lines[i], "ignored");
        said_age |= strstr(ex.lines[i], "s old") != NULL;
    }
    ck_assert_msg(said_reset, "the ignored reset is not said");
    ck_assert_msg(said_age, "the data's age is not said");
    explain_free(&ex);
    /* A wait shorter than the refresh is a countdown, not a time. */
    m.budgets[0].blocked_until = mono_now() + 10;
    ck_assert(!explain_rate_until(&m, 0, buf, sizeof buf));
}
END_TEST

/* ---- case 6 ------------------------------------------------------------------------------ */

START_TEST(a_key_flaw_heads_a_401)
{
    keys[0].warnings = CONFIG_KEYWARN_SPACE | CONFIG_KEYWARN_BEARER;
    struct api_result r = {.cls = API_UNAUTHORIZED, .status = 401};
    model_probe_set(&m.orgs[0].probe_me, &r, 10, 1000.0);
    model_probe_set(&m.orgs[1].probe_me, &r, 10, 1000.0);
    struct explain ex;
    explain_org(&m, 0, &ex);
    char want[256];
    snprintf(want, sizeof want, "key \"shared\" %s", config_key_warning_text(CONFIG_KEYWARN_BEARER));
    ck_assert_str_eq(ex.headline, want);
    explain_free(&ex);
    /* The failure view says the same. */
    struct model_failure f = {.org = 0, .cls = API_UNAUTHORIZED, .status = 401,
                              .path = "/v1/patients", .count = 1};
    explain_failure(&m, &f, &ex);
    ck_assert_str_eq(ex.headline, want);
    explain_free(&ex);
    /* Works on another org right now: the flaw cannot be why. */
    struct api_result ok = {.cls = API_OK, .status = 200};
    model_probe_set(&m.orgs[1].probe_me, &ok, 10, 1000.0);
    explain_org(&m, 0, &ex);
    ck_assert_msg(strstr(ex.headline, "works on north"), "%s", ex.headline);
    explain_free(&ex);
}
END_TEST

START_TEST(a_404_names_the_config_before_the_clinic)
{
    struct api_result r = {.cls = API_NOT_FOUND, .status = 404};
    model_probe_set(&m.orgs[0].probe_me, &r, 10, 1000.0);
    orgs[0].id = "ORG_WESTLA";
    struct explain ex;
    explain_org(&m, 0, &ex);
    ck_assert_msg(strncmp(ex.headline, "check the org id in your config: \"ORG_WESTLA\" starts "
                                       "with a capital", 52) == 0, "%s", ex.headline);
    explain_free(&ex);
    orgs[0].id = "org_westla"; /* a fine shape: the config still comes before the clinic */
    explain_org(&m, 0, &ex);
    const char *cfg_at = strstr(ex.headline, "check the org id in your config");
    const char *clinic_at = strstr(ex.headline, "clinic");
    ck_assert_msg(cfg_at && clinic_at && cfg_at < clinic_at, "%s", ex.headline);
    explain_free(&ex);
}
END_TEST

/* ---- case 5 ------------------------------------------------------------------------------ */

static bool mentions(const struct explain *e, const char *needle)
{
    if (e->headline && strstr(e->headline, needle))
        return true;
    for (size_t i = 0; i < e->n; i++)
        if (strstr(e->lines[i], needle))
            return true;
    return false;
}

START_TEST(a_403_from_partial_evidence_is_no_guess)
{
    struct model_failure f = {.org = 1, .cls = API_FORBIDDEN, .status = 403,
                              .required_scope = "read:patients", .path = "/v1/patients",
                              .count = 1, .from_log = true};
    struct explain ex;
    explain_failure(&m, &f, &ex);
    ck_assert_msg(!mentions(&ex, "most likely") && !mentions(&ex, "probably"), "a guess");
    ck_assert(mentions(&ex, "maxdash check --scopes --org north --org westla"));
    ck_assert(mentions(&ex, "failures only"));
    explain_free(&ex);
    /* Live, with the other org's scopes known and lacking it: still no guess. */
    const char *appts[] = {"read:appointments"};
    struct api_me me = {.scopes = calloc(2, sizeof(char *)), .nscopes = 1};
    me.scopes[0] = strdup(appts[0]);
    model_org_take_me(&m.orgs[0], &me);
    f.from_log = false;
    explain_failure(&m, &f, &ex);
    ck_assert(!mentions(&ex, "most likely"));
    ck_assert(mentions(&ex, "None of the 1 other org"));
    explain_free(&ex);
}
END_TEST

/* ---- case 10 ----------------------------------------------------------------------------- */

START_TEST(failure_rows_and_filter_know_the_endpoint)
{
    orgs[1].display_name = "North Valley Clinic";
    struct model_failure f = {.org = 1, .org_name = "north", .org_id = "org_north",
                              .cls = API_UNAUTHORIZED, .status = 401,
                              .path = "/v1/marketplace/me", .code = "unauthorized",
                              .message = "Invalid or missing API key", .count = 1};
    ck_assert_str_eq(model_failure_endpoint(&f), "/marketplace/me");
    ck_assert(model_failure_matches(&m, &f, "org_north"));
    ck_assert(model_failure_matches(&m, &f, "valley"));
    ck_assert(model_failure_matches(&m, &f, "/marketplace"));
    ck_assert(model_failure_matches(&m, &f, "401"));
    ck_assert(model_failure_matches(&m, &f, NULL));
    ck_assert(!model_failure_matches(&m, &f, "/patients"));
    f.path = "/v1/patients/{id}";
    ck_assert_str_eq(model_failure_endpoint(&f), "/patients/{id}");
    f.path = "/custom";
    ck_assert_str_eq(model_failure_endpoint(&f), "/custom");
    f.path = NULL;
    ck_assert_str_eq(model_failure_endpoint(&f), "?");
    f.org = (size_t)-1; /* from the log, org no longer configured */
    ck_assert(!model_failure_matches(&m, &f, "valley"));
    orgs[1].display_name = NULL;
}
END_TEST

/* ---- case 9 ------------------------------------------------------------------------------ */

START_TEST(one_outage_one_story)
{
    char buf[128];
    struct api_result down = {.cls = API_CONNECT, .status = 0};
    struct api_result ok = {.cls = API_OK, .status = 200};
    model_probe_set(&m.orgs[0].probe_me, &down, 1, wall_now());
    model_probe_set(&m.orgs[1].probe_me, &ok, 1, wall_now());
    ck_assert(!explain_outage(&m, buf, sizeof buf)); /* one org still answers */
    model_probe_set(&m.orgs[1].probe_me, &down, 1, wall_now());
    m.orgs[0].first_failure = wall_now() - 30;
    m.orgs[1].first_failure = wall_now() - 10;
    ck_assert(explain_outage(&m, buf, sizeof buf));
    ck_assert_msg(strncmp(buf, "API unreachable since ", 22) == 0 &&
                      strstr(buf, "(not connecting)"), "%s", buf);
    /* A 401 somewhere is the API answering: no outage. */
    struct api_result refused = {.cls = API_UNAUTHORIZED, .status = 401};
    model_probe_set(&m.orgs[1].probe_me, &refused, 1, wall_now());
    ck_assert(!explain_outage(&m, buf, sizeof buf));

    ck_assert(!explain_data_age(&m, 0, buf, sizeof buf)); /* never had data */
    m.orgs[0].last_success = wall_now() - 95;
    ck_assert(explain_data_age(&m, 0, buf, sizeof buf));
    ck_assert_msg(strcmp(buf, "data 95 s old") == 0 || strcmp(buf, "data 96 s old") == 0, "%s",
                  buf);
    m.orgs[0].last_success = wall_now() - 600;
    ck_assert(explain_data_age(&m, 0, buf, sizeof buf));
    ck_assert_str_eq(buf, "data 10 min old");
    m.orgs[0].first_failure = 0; /* refreshing fine again: nothing to say */
    ck_assert(!explain_data_age(&m, 0, buf, sizeof buf));
}
END_TEST

SUITE(cause)
{
    Suite *s = suite_create("cause");
    TCase *tc = tcase_create("api");
    tcase_add_test(tc, non_api_auth_statuses_are_blocked);
    tcase_add_test(tc, the_apis_envelope_keeps_its_class);
    tcase_add_test(tc, server_header_is_read_and_cleaned);
    tcase_add_test(tc, nul_in_a_field_is_a_control_character);
    tcase_add_test(tc, proxy_host_never_has_credentials);
    tcase_add_test(tc, retry_after_as_http_date);
    tcase_add_test(tc, implausible_reset_is_absent);
    tcase_add_test(tc, org_id_shapes);
    tcase_add_test(tc, proxy_from_env_follows_curls_variables);
    tcase_add_test(tc, status_407_and_refused_tunnel_are_the_proxy);
    tcase_add_test(tc, huge_numbers_in_unread_fields_are_ignored);
    suite_add_tcase(s, tc);
    tc = tcase_create("explain");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, blocked_is_explained_without_blaming_key_or_clinic);
    tcase_add_test(tc, a_long_429_wait_says_until_when);
    tcase_add_test(tc, a_key_flaw_heads_a_401);
    tcase_add_test(tc, a_404_names_the_config_before_the_clinic);
    tcase_add_test(tc, a_403_from_partial_evidence_is_no_guess);
    tcase_add_test(tc, failure_rows_and_filter_know_the_endpoint);
    tcase_add_test(tc, one_outage_one_story);
    suite_add_tcase(s, tc);
    return s;
}
