/* maxdash-sandbox's control API (/_sandbox/...): key states, scopes, installs, stats, the
 * request list and health, as assets/sandbox/README.md specifies them. */
#include "testing.h"

#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "proc.h"
#include "sandbox_proc.h"

#define ME "/marketplace/me"
#define PATIENTS "/patients"

static long status_of(const struct sandbox *sb, const char *path, const char *key, const char *org)
{
    struct http_resp r;
    sbt_get(sb, path, key, org, &r);
    ck_assert_msg(r.curl_code == CURLE_OK, "%s: curl error %d", path, (int)r.curl_code);
    long s = r.status;
    http_resp_free(&r);
    return s;
}

static void assert_control_error(const struct sandbox *sb, const char *method, const char *path,
                                 const char *body)
{
    struct http_resp r;
    sbt_ctl(sb, method, path, body, &r);
    ck_assert_msg(r.status == 400 || r.status == 404, "%s %s %s: HTTP %ld, expected 400 or 404",
                  method, path, body ? body : "", r.status);
    json_t *j = http_json(&r);
    ck_assert_msg(json_is_object(j) && json_is_string(json_object_get(j, "error")) &&
                      *json_string_value(json_object_get(j, "error")),
                  "%s %s: not {\"error\": \"...\"}: %.200s", method, path, r.body);
    json_decref(j);
    http_resp_free(&r);
}

START_TEST(keys_revoke_expire_restore)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    ck_assert_int_eq(status_of(&sb, ME, K_ACTIVE, "org_a"), 200);
    json_decref(sbt_ctl_json(&sb, "POST", "/_sandbox/keys/revoke",
                             "{\"value\": \"" K_ACTIVE "\"}", 200));
    struct http_resp r;
    sbt_get(&sb, PATIENTS, K_ACTIVE, "org_a", &r);
    ASSERT_API_ERROR(&r, 401, "unauthorized", "Invalid or missing API key");
    http_resp_free(&r);
    /* Other keys of the same app are not touched. */
    ck_assert_int_eq(status_of(&sb, ME, K_MEOK, "org_a"), 200);

    json_decref(sbt_ctl_json(&sb, "POST", "/_sandbox/keys/restore",
                             "{\"value\": \"" K_ACTIVE "\"}", 200));
    ck_assert_int_eq(status_of(&sb, PATIENTS, K_ACTIVE, "org_a"), 200);

    json_decref(sbt_ctl_json(&sb, "POST", "/_sandbox/keys/expire",
                             "{\"value\": \"" K_ACTIVE "\"}", 200));
    sbt_get(&sb, ME, K_ACTIVE, "org_a", &r);
    ASSERT_API_ERROR(&r, 401, "unauthorized", "Invalid or missing API key");
    http_resp_free(&r);

    json_decref(sbt_ctl_json(&sb, "POST", "/_sandbox/keys/restore",
                             "{\"value\": \"" K_ACTIVE "\"}", 200));
    ck_assert_int_eq(status_of(&sb, ME, K_ACTIVE, "org_a"), 200);

    /* Keys revoked or expired in the data file can be restored too. */
    json_decref(sbt_ctl_json(&sb, "POST", "/_sandbox/keys/restore",
                             "{\"value\": \"" K_REVOKED "\"}", 200));
    json_decref(sbt_ctl_json(&sb, "POST", "/_sandbox/keys/restore",
                             "{\"value\": \"" K_EXPIRED "\"}", 200));
    ck_assert_int_eq(status_of(&sb, ME, K_REVOKED, "org_a"), 200);
    ck_assert_int_eq(status_of(&sb, PATIENTS, K_EXPIRED, "org_gen"), 200);
    sandbox_free(&sb);
}
END_TEST

START_TEST(control_errors_are_json)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    assert_control_error(&sb, "POST", "/_sandbox/keys/revoke", "{\"value\": \"" K_UNKNOWN "\"}");
    assert_control_error(&sb, "POST", "/_sandbox/keys/revoke", "{\"value\": ");
    assert_control_error(&sb, "POST", "/_sandbox/keys/revoke", "{}");
    assert_control_error(&sb, "POST", "/_sandbox/keys/restore", "[1, 2]");
    assert_control_error(&sb, "POST", "/_sandbox/scopes",
                         "{\"org\": \"org_nowhere\", \"app\": \"app_test\", \"add\": []}");
    assert_control_error(&sb, "POST", "/_sandbox/installs",
                         "{\"org\": \"org_a\", \"app\": \"app_nowhere\", \"installed\": true}");
    assert_control_error(&sb, "POST", "/_sandbox/faults", "{\"fault\": \"meteor\"}");
    assert_control_error(&sb, "POST", "/_sandbox/faults", "not json");
    assert_control_error(&sb, "DELETE", "/_sandbox/faults/987654", NULL);
    assert_control_error(&sb, "GET", "/_sandbox/nothing-here", NULL);
    /* The key stayed as it was after the failed calls. */
    ck_assert_int_eq(status_of(&sb, ME, K_ACTIVE, "org_a"), 200);
    sandbox_free(&sb);
}
END_TEST

/* The array of scopes in a /_sandbox/scopes answer: the root or its "scopes" member. */
static json_t *scopes_in(json_t *j)
{
    if (json_is_array(j))
        return j;
    json_t *s = json_object_get(j, "scopes");
    ck_assert_msg(json_is_array(s), "the scopes answer holds no list of scopes");
    return s;
}

static bool has_scope(json_t *arr, const char *scope)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) {
        if (json_is_string(v) && strcmp(json_string_value(v), scope) == 0)
            return true;
    }
    return false;
}

START_TEST(scopes_add_and_remove_on_an_install)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    json_t *j = sbt_ctl_json(&sb, "POST", "/_sandbox/scopes",
                             "{\"org\": \"org_a\", \"app\": \"app_test\", \"remove\": [\"read:patients\"]}",
                             200);
    json_t *list = scopes_in(j);
    ck_assert_uint_eq(json_array_size(list), 2);
    ck_assert(!has_scope(list, "read:patients"));
    ck_assert(has_scope(list, "read:appointments"));
    ck_assert(has_scope(list, "read:marketplace"));
    json_decref(j);

    struct http_resp r;
    sbt_get(&sb, PATIENTS, K_ACTIVE, "org_a", &r);
    ASSERT_API_ERROR(&r, 403, "forbidden", "Insufficient scope. Required: read:patients");
    http_resp_free(&r);
    sbt_get(&sb, ME, K_ACTIVE, "org_a", &r);
    json_t *root;
    ASSERT_API_OK(&r, root);
    const char *want1[] = {"read:appointments", NULL};
    ck_assert_msg(sbt_jstrset(root, "data.scopes", want1), "scopes: %s", r.body);
    json_decref(root);
    http_resp_free(&r);
    /* app_other's install on the same org is not changed. */
    ck_assert_int_eq(status_of(&sb, PATIENTS, K_OTHER, "org_a"), 200);

    j = sbt_ctl_json(&sb, "POST", "/_sandbox/scopes",
                     "{\"org\": \"org_a\", \"app\": \"app_test\", \"add\": [\"read:patients\"],"
                     " \"remove\": [\"read:marketplace\"]}",
                     200);
    list = scopes_in(j);
    ck_assert_uint_eq(json_array_size(list), 2);
    ck_assert(has_scope(list, "read:patients"));
    ck_assert(!has_scope(list, "read:marketplace"));
    json_decref(j);
    ck_assert_int_eq(status_of(&sb, PATIENTS, K_ACTIVE, "org_a"), 200);
    /* K_MEOK needs read:marketplace on /marketplace/me: now gone from the install. */
    sbt_get(&sb, ME, K_MEOK, "org_a", &r);
    ASSERT_API_ERROR(&r, 403, "forbidden", "Insufficient scope. Required: read:marketplace");
    http_resp_free(&r);

    /* Adding read:patients to org_noscope's install fixes its 403. */
    ck_assert_int_eq(status_of(&sb, PATIENTS, K_ACTIVE, "org_noscope"), 403);
    json_decref(sbt_ctl_json(&sb, "POST", "/_sandbox/scopes",
                             "{\"org\": \"org_noscope\", \"app\": \"app_test\","
                             " \"add\": [\"read:patients\"]}",
                             200));
    ck_assert_int_eq(status_of(&sb, PATIENTS, K_ACTIVE, "org_noscope"), 200);
    sandbox_free(&sb);
}
END_TEST

START_TEST(installs_and_uninstalls)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    struct http_resp r;
    json_decref(sbt_ctl_json(&sb, "POST", "/_sandbox/installs",
                             "{\"org\": \"org_a\", \"app\": \"app_test\", \"installed\": false}",
                             200));
    sbt_get(&sb, ME, K_ACTIVE, "org_a", &r);
    ASSERT_API_ERROR(&r, 404, "not_found", "Organization not found");
    http_resp_free(&r);
    ck_assert_int_eq(status_of(&sb, ME, K_OTHER, "org_a"), 200);

    json_decref(sbt_ctl_json(&sb, "POST", "/_sandbox/installs",
                             "{\"org\": \"org_a\", \"app\": \"app_test\", \"installed\": true,"
                             " \"scopes\": [\"read:patients\", \"write:patients\"]}",
                             200));
    sbt_get(&sb, ME, K_ACTIVE, "org_a", &r);
    json_t *root;
    ASSERT_API_OK(&r, root);
    const char *want[] = {"read:patients", NULL}; /* key ∩ the new install */
    ck_assert_msg(sbt_jstrset(root, "data.scopes", want), "scopes: %s", r.body);
    json_decref(root);
    http_resp_free(&r);

    /* Installing on the org that had nothing: its 3 generated patients appear. */
    json_decref(sbt_ctl_json(&sb, "POST", "/_sandbox/installs",
                             "{\"org\": \"org_none\", \"app\": \"app_test\", \"installed\": true,"
                             " \"scopes\": [\"read:patients\"]}",
                             200));
    sbt_get(&sb, PATIENTS, K_ACTIVE, "org_none", &r);
    ASSERT_API_OK(&r, root);
    ck_assert_int_eq(sbt_jint(root, "data.pagination.totalCount"), 3);
    json_decref(root);
    http_resp_free(&r);
    sandbox_free(&sb);
}
END_TEST

START_TEST(health_answers_ok)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    struct http_resp r;
    sbt_ctl(&sb, "GET", "/_sandbox/health", NULL, &r);
    ck_assert_int_eq(r.status, 200);
    const char *ct = http_header(&r, "Content-Type");
    ck_assert_msg(ct && strncmp(ct, "application/json", 16) == 0, "health Content-Type");
    json_t *j = http_json(&r);
    ck_assert_msg(json_is_true(json_object_get(j, "ok")), "health: %s", r.body);
    json_decref(j);
    http_resp_free(&r);
    /* The control API is not under /v1: there it is an API route that does not exist. */
    sbt_get(&sb, "/_sandbox/health", K_ACTIVE, "org_a", &r);
    ASSERT_API_ERROR(&r, 404, "not_found", "Route not found");
    http_resp_free(&r);
    sbt_get(&sb, "/_sandbox/health", NULL, NULL, &r);
    ASSERT_API_ERROR(&r, 401, "unauthorized", "Invalid or missing API key");
    http_resp_free(&r);
    sandbox_free(&sb);
}
END_TEST

/* by_key entry for key: the one masked name that starts like the key's prefix + 3 and ends
 * like its last 3 characters. Asserts it is not the whole key. */
static long long by_key_count(json_t *stats, const char *key)
{
    json_t *by_key = json_object_get(stats, "by_key");
    ck_assert_msg(json_is_object(by_key), "stats without a by_key object");
    size_t klen = strlen(key);
    const char *name;
    json_t *v;
    long long found = LLONG_MIN;
    json_object_foreach(by_key, name, v) {
        size_t n = strlen(name);
        ck_assert_msg(strstr(name, "TESTactive") == NULL && strstr(name, "0000") == NULL,
                      "by_key shows too much of a key");
        if (n < klen && strncmp(name, key, 14) == 0 && strcmp(name + n - 3, key + klen - 3) == 0) {
            ck_assert_msg(found == LLONG_MIN, "two by_key entries match one key");
            found = json_is_integer(v) ? (long long)json_integer_value(v) : LLONG_MAX;
        }
    }
    return found;
}

/* Sum of the by_path entries whose name contains needle and not "?". */
static long long by_path_count(json_t *stats, const char *suffix)
{
    json_t *by_path = json_object_get(stats, "by_path");
    ck_assert_msg(json_is_object(by_path), "stats without a by_path object");
    const char *name;
    json_t *v;
    long long n = LLONG_MIN;
    json_object_foreach(by_path, name, v) {
        ck_assert_msg(strstr(name, "pat_") == NULL && strchr(name, '?') == NULL,
                      "by_path holds an unfolded path or a query: %s", name);
        size_t ln = strlen(name), ls = strlen(suffix);
        if (ln >= ls && strcmp(name + ln - ls, suffix) == 0) {
            ck_assert_msg(n == LLONG_MIN, "two by_path entries end in %s", suffix);
            n = json_is_integer(v) ? (long long)json_integer_value(v) : LLONG_MAX;
        }
    }
    return n;
}

START_TEST(stats_count_everything_with_keys_masked)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    struct http_resp r;
    /* Control requests are not /v1 requests: they do not count. */
    sbt_ctl(&sb, "GET", "/_sandbox/health", NULL, &r);
    http_resp_free(&r);
    ck_assert_int_eq(status_of(&sb, ME, K_ACTIVE, "org_a"), 200);                  /* a */
    ck_assert_int_eq(status_of(&sb, ME, K_ACTIVE, "org_a"), 200);                  /* b */
    ck_assert_int_eq(status_of(&sb, PATIENTS "/" PAT_SARAH, K_ACTIVE, "org_a"), 200);
    ck_assert_int_eq(status_of(&sb, PATIENTS "/pat_ZZZZZZZZZZZZ", K_ACTIVE, "org_a"), 404);
    ck_assert_int_eq(status_of(&sb, PATIENTS, K_REVOKED, "org_a"), 401);
    ck_assert_int_eq(status_of(&sb, ME, K_OTHER, "org_gen"), 404);
    ck_assert_int_eq(status_of(&sb, PATIENTS "?page=2", K_ACTIVE, "org_gen"), 200);
    /* One request that gets no answer. */
    sbt_add_fault(&sb, "{\"fault\": \"hang\", \"org\": \"org_noscope\"}");
    char url[512];
    struct http_req q = {.url = sandbox_url(&sb, PATIENTS, url, sizeof url),
                         .key = K_ACTIVE, .org = "org_noscope", .timeout_ms = 400};
    http_do(&q, &r);
    ck_assert_int_eq(r.curl_code, CURLE_OPERATION_TIMEDOUT);
    http_resp_free(&r);
    sbt_clear_faults(&sb);

    ck_assert_int_eq(sbt_wait_stat(&sb, "by_status.hang", 1, 3000), 1);
    sbt_ctl(&sb, "GET", "/_sandbox/stats", NULL, &r);
    ck_assert_int_eq(r.status, 200);
    const char *keys[] = {K_ACTIVE, K_REVOKED, K_OTHER, "TESTactive0000000001",
                          "TESTrevoked000000002", "TESTother000000007"};
    for (size_t i = 0; i < 6; i++)
        ck_assert_msg(strstr(r.body, keys[i]) == NULL, "stats show a whole key (#%zu)", i);
    json_t *st = http_json(&r);
    ck_assert_ptr_nonnull(st);
    ck_assert_int_eq(sbt_jint(st, "total"), 8);
    ck_assert_int_eq(sbt_jint(st, "by_status.200"), 4);
    ck_assert_int_eq(sbt_jint(st, "by_status.404"), 2);
    ck_assert_int_eq(sbt_jint(st, "by_status.401"), 1);
    ck_assert_int_eq(sbt_jint(st, "by_status.hang"), 1);
    ck_assert_uint_eq(json_object_size(json_object_get(st, "by_status")), 4);
    ck_assert_int_eq(sbt_jint(st, "by_org.org_a"), 5);
    ck_assert_int_eq(sbt_jint(st, "by_org.org_gen"), 2);
    ck_assert_int_eq(sbt_jint(st, "by_org.org_noscope"), 1);
    ck_assert_int_eq(by_key_count(st, K_ACTIVE), 6);
    ck_assert_int_eq(by_key_count(st, K_REVOKED), 1);
    ck_assert_int_eq(by_key_count(st, K_OTHER), 1);
    ck_assert_int_eq(sbt_jint(st, "by_app.app_other"), 1);
    long long app_test = sbt_jint(st, "by_app.app_test");
    /* The hanging request was stopped by a fault before its key was checked, and the revoked
     * key's request is not valid: either may or may not be put down to app_test. */
    ck_assert_msg(app_test >= 5 && app_test <= 7, "by_app.app_test %lld", app_test);
    ck_assert_int_eq(by_path_count(st, "/marketplace/me"), 3);
    ck_assert_int_eq(by_path_count(st, "/patients/{id}"), 2);
    ck_assert_int_eq(by_path_count(st, "/patients"), 3);
    json_decref(st);
    http_resp_free(&r);

    /* DELETE zeroes the counts and the request list. */
    sbt_ctl(&sb, "DELETE", "/_sandbox/stats", NULL, &r);
    ck_assert_msg(r.status >= 200 && r.status < 300, "DELETE stats: HTTP %ld", r.status);
    http_resp_free(&r);
    st = sbt_ctl_json(&sb, "GET", "/_sandbox/stats", NULL, 200);
    ck_assert_int_eq(sbt_jint(st, "total"), 0);
    json_decref(st);
    st = sbt_ctl_json(&sb, "GET", "/_sandbox/requests", NULL, 200);
    ck_assert_uint_eq(json_array_size(json_object_get(st, "requests")), 0);
    json_decref(st);
    ck_assert_int_eq(status_of(&sb, ME, K_ACTIVE, "org_a"), 200);
    st = sbt_ctl_json(&sb, "GET", "/_sandbox/stats", NULL, 200);
    ck_assert_int_eq(sbt_jint(st, "total"), 1);
    json_decref(st);
    sandbox_free(&sb);
}
END_TEST

static long long wall_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

START_TEST(request_list_records_each_request)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    long long wall0 = wall_ms();
    /* A: delayed 300 ms; B arrives after A's answer, so B.t_ms - A.t_ms >= 300. */
    sbt_add_fault(&sb, "{\"fault\": \"latency\", \"ms\": 300, \"org\": \"org_gen\"}");
    ck_assert_int_eq(status_of(&sb, PATIENTS "?page=2", K_ACTIVE, "org_gen"), 200);
    ck_assert_int_eq(status_of(&sb, ME, K_UNKNOWN, "org_a"), 401);
    sbt_clear_faults(&sb);
    sbt_add_fault(&sb, "{\"fault\": \"reset\", \"org\": \"org_a\", \"path\": \"/patients\"}");
    struct http_resp r;
    sbt_get(&sb, PATIENTS "/" PAT_SARAH, K_ACTIVE, "org_a", &r);
    ck_assert_int_eq(r.status, 0);
    http_resp_free(&r);
    sbt_clear_faults(&sb);
    long long uptime = test_now_ms() - sb.started_ms;
    long long wall1 = wall_ms();

    json_t *j = NULL;
    json_t *list = NULL;
    long long deadline = test_now_ms() + 3000;
    do { /* the reset request may be recorded a moment after the connection closed */
        json_decref(j);
        j = sbt_ctl_json(&sb, "GET", "/_sandbox/requests", NULL, 200);
        list = json_object_get(j, "requests");
        ck_assert_msg(json_is_array(list), "no requests array");
    } while (json_array_size(list) < 3 && test_now_ms() < deadline && poll(NULL, 0, 25) == 0);
    ck_assert_uint_eq(json_array_size(list), 3);
    char *text = json_dumps(j, 0);
    ck_assert_msg(strstr(text, K_ACTIVE) == NULL && strstr(text, K_UNKNOWN) == NULL,
                  "the request list shows a whole key");
    free(text);

    json_t *a = json_array_get(list, 0), *b = json_array_get(list, 1),
           *c = json_array_get(list, 2);
    ck_assert_str_eq(sbt_jstr(a, "method"), "GET");
    ck_assert_msg(strstr(sbt_jstr(a, "path"), "/patients") != NULL, "path %s", sbt_jstr(a, "path"));
    ck_assert_str_eq(sbt_jstr(a, "org"), "org_gen");
    ck_assert_str_eq(sbt_jstr(a, "app"), "app_test");
    ck_assert_int_eq(sbt_jint(a, "status"), 200);
    ck_assert_str_eq(sbt_jstr(a, "outcome"), "answered");
    const char *ka = sbt_jstr(a, "key");
    ck_assert_msg(ka && strncmp(ka, "max_dev_ak_TES", 14) == 0 &&
                      strcmp(ka + strlen(ka) - 3, "001") == 0,
                  "key not masked as prefix+3 ... last 3");
    ck_assert_str_eq(sbt_jstr(b, "org"), "org_a");
    ck_assert_int_eq(sbt_jint(b, "status"), 401);
    ck_assert_str_eq(sbt_jstr(b, "outcome"), "answered");
    ck_assert_str_eq(sbt_jstr(c, "outcome"), "reset");

    long long seq_a = sbt_jint(a, "seq"), seq_b = sbt_jint(b, "seq"), seq_c = sbt_jint(c, "seq");
    ck_assert_msg(seq_a != LLONG_MIN && seq_a < seq_b && seq_b < seq_c, "seq not increasing");
    /* t_ms: a JSON number of milliseconds (a fraction is fine). */
    ck_assert_msg(json_is_number(sbt_jget(a, "t_ms")) && json_is_number(sbt_jget(b, "t_ms")) &&
                      json_is_number(sbt_jget(c, "t_ms")),
                  "t_ms is not a number");
    double ta = json_number_value(sbt_jget(a, "t_ms")), tb = json_number_value(sbt_jget(b, "t_ms")),
           tc = json_number_value(sbt_jget(c, "t_ms"));
    ck_assert_msg(ta >= 0 && ta <= uptime + 50, "t_ms %.1f (uptime %lld)", ta,
                  uptime);
    ck_assert_msg(tb - ta >= 290, "t_ms not taken at arrival: %.1f then %.1f", ta, tb);
    ck_assert_msg(tc >= tb && tc <= uptime + 50, "t_ms %.1f then %.1f", tb, tc);
    long long ua = sbt_jint(a, "unix_ms"), uc = sbt_jint(c, "unix_ms");
    ck_assert_msg(ua >= wall0 - 50 && uc <= wall1 + 50 && ua <= uc,
                  "unix_ms %lld..%lld not within %lld..%lld", ua, uc, wall0, wall1);
    json_decref(j);
    sandbox_free(&sb);
}
END_TEST

struct hang_call {
    const struct sandbox *sb;
    const char *org;
    struct http_resp r;
    long long done_ms;
};

static void *hang_thread(void *arg)
{
    struct hang_call *h = arg;
    char url[512];
    struct http_req q = {.url = sandbox_url(h->sb, PATIENTS, url, sizeof url),
                         .key = K_ACTIVE, .org = h->org, .timeout_ms = 9000};
    http_do(&q, &h->r);
    h->done_ms = test_now_ms();
    return NULL;
}

START_TEST(serves_others_while_requests_hang_and_closes_them_on_clear)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    sbt_add_fault(&sb, "{\"fault\": \"hang\", \"org\": \"org_gen\"}");
    enum { N = 4 };
    struct hang_call calls[N];
    pthread_t th[N];
    for (int i = 0; i < N; i++) {
        calls[i] = (struct hang_call){.sb = &sb, .org = "org_gen"};
        ck_assert_int_eq(pthread_create(&th[i], NULL, hang_thread, &calls[i]), 0);
    }
    /* Wait until the sandbox holds all four (they show up in the request list or stats),
     * or at most 2 s. */
    long long deadline = test_now_ms() + 2000;
    long long t0 = test_now_ms();
    /* Meanwhile other requests are answered promptly. */
    for (int i = 0; i < 5; i++) {
        struct http_resp r;
        sbt_get(&sb, ME, K_ACTIVE, "org_a", &r);
        ck_assert_int_eq(r.status, 200);
        ck_assert_msg(r.elapsed_ms < 1500, "a request took %lld ms while others hang",
                      r.elapsed_ms);
        http_resp_free(&r);
    }
    while (test_now_ms() < deadline) {
        bool any_done = false;
        for (int i = 0; i < N; i++)
            any_done |= calls[i].done_ms != 0;
        ck_assert_msg(!any_done, "a hanging request ended before the fault was cleared");
        if (test_now_ms() - t0 > 500)
            break;
        poll(NULL, 0, 25);
    }
    long long cleared = test_now_ms();
    sbt_clear_faults(&sb);
    for (int i = 0; i < N; i++) {
        pthread_join(th[i], NULL);
        ck_assert_msg(calls[i].done_ms - cleared < 2000,
                      "hanging request %d not closed %lld ms after the faults were cleared", i,
                      calls[i].done_ms - cleared);
        ck_assert_msg(calls[i].r.curl_code != CURLE_OPERATION_TIMEDOUT,
                      "hanging request %d ran into its own timeout", i);
        ck_assert_msg(calls[i].r.status != 200, "hanging request %d was answered", i);
        http_resp_free(&calls[i].r);
    }
    ck_assert_int_eq(sbt_wait_stat(&sb, "by_status.hang", N, 3000), N);
    sandbox_free(&sb);
}
END_TEST

SUITE(sandbox_control)
{
    Suite *s = suite_create("sandbox_control");
    TCase *tc = tcase_create("control");
    tcase_set_timeout(tc, 30);
    tcase_add_unchecked_fixture(tc, sandbox_tmp_setup, sandbox_tmp_teardown);
    tcase_add_test(tc, keys_revoke_expire_restore);
    tcase_add_test(tc, control_errors_are_json);
    tcase_add_test(tc, scopes_add_and_remove_on_an_install);
    tcase_add_test(tc, installs_and_uninstalls);
    tcase_add_test(tc, health_answers_ok);
    tcase_add_test(tc, stats_count_everything_with_keys_masked);
    tcase_add_test(tc, request_list_records_each_request);
    tcase_add_test(tc, serves_others_while_requests_hang_and_closes_them_on_clear);
    suite_add_tcase(s, tc);
    return s;
}
