/* maxdash-sandbox fault injection (POST /_sandbox/faults): every kind of the README's table,
 * the org/path filters, count, removal, and what faults must not touch. */
#include "testing.h"

#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proc.h"
#include "sandbox_proc.h"

#define ME "/marketplace/me"
#define PATIENTS "/patients"

static void get_t(const struct sandbox *sb, const char *path, const char *key, const char *org,
                  long timeout_ms, struct http_resp *r)
{
    char url[512];
    struct http_req q = {.url = sandbox_url(sb, path, url, sizeof url),
                         .key = key, .org = org, .timeout_ms = timeout_ms};
    http_do(&q, r);
}

static long status_of(const struct sandbox *sb, const char *path, const char *org)
{
    struct http_resp r;
    sbt_get(sb, path, K_ACTIVE, org, &r);
    long s = r.curl_code == CURLE_OK ? r.status : -(long)r.curl_code;
    http_resp_free(&r);
    return s;
}

/* The body of GET /marketplace/me for K_ACTIVE on org_a without faults (deterministic). */
static char *normal_me(const struct sandbox *sb)
{
    struct http_resp r;
    sbt_get(sb, ME, K_ACTIVE, "org_a", &r);
    json_t *root;
    ASSERT_API_OK(&r, root);
    json_decref(root);
    char *body = strdup(r.body);
    http_resp_free(&r);
    return body;
}

static size_t fault_count(const struct sandbox *sb)
{
    json_t *j = sbt_ctl_json(sb, "GET", "/_sandbox/faults", NULL, 200);
    json_t *list = json_object_get(j, "faults");
    ck_assert_msg(json_is_array(list), "GET /_sandbox/faults: no faults array");
    size_t n = json_array_size(list);
    json_decref(j);
    return n;
}

START_TEST(faults_are_added_listed_and_removed)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    ck_assert_uint_eq(fault_count(&sb), 0);
    long long a = sbt_add_fault(&sb, "{\"fault\": \"status\", \"status\": 503, \"path\": \"/marketplace\"}");
    long long b = sbt_add_fault(&sb, "{\"fault\": \"status\", \"status\": 502, \"path\": \"/patients\"}");
    ck_assert_msg(a != b, "two faults got the same id");
    ck_assert_uint_eq(fault_count(&sb), 2);
    ck_assert_int_eq(status_of(&sb, ME, "org_a"), 503);
    ck_assert_int_eq(status_of(&sb, PATIENTS, "org_a"), 502);

    char path[64];
    snprintf(path, sizeof path, "/_sandbox/faults/%lld", a);
    struct http_resp r;
    sbt_ctl(&sb, "DELETE", path, NULL, &r);
    ck_assert_msg(r.status >= 200 && r.status < 300, "DELETE %s: HTTP %ld", path, r.status);
    http_resp_free(&r);
    ck_assert_uint_eq(fault_count(&sb), 1);
    ck_assert_int_eq(status_of(&sb, ME, "org_a"), 200);
    ck_assert_int_eq(status_of(&sb, PATIENTS, "org_a"), 502);
    /* Deleting it again: 404 with {"error": ...}. */
    sbt_ctl(&sb, "DELETE", path, NULL, &r);
    ck_assert_int_eq(r.status, 404);
    json_t *j = http_json(&r);
    ck_assert_msg(json_is_string(json_object_get(j, "error")), "not {\"error\": ...}");
    json_decref(j);
    http_resp_free(&r);

    sbt_clear_faults(&sb);
    ck_assert_uint_eq(fault_count(&sb), 0);
    ck_assert_int_eq(status_of(&sb, PATIENTS, "org_a"), 200);
    sandbox_free(&sb);
}
END_TEST

START_TEST(bad_fault_requests_are_400)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    const char *bad[] = {"{\"fault\": \"meteor\"}", "{}", "{\"fault\": 5}", "[]", "{\"fault\": ",
                         "{\"fault\": \"status\", \"status\": \"x\"}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct http_resp r;
        sbt_ctl(&sb, "POST", "/_sandbox/faults", bad[i], &r);
        ck_assert_msg(r.status == 400, "POST faults %s: HTTP %ld", bad[i], r.status);
        json_t *j = http_json(&r);
        ck_assert_msg(json_is_string(json_object_get(j, "error")), "%s: not {\"error\": ...}",
                      bad[i]);
        json_decref(j);
        http_resp_free(&r);
    }
    ck_assert_uint_eq(fault_count(&sb), 0);
    sandbox_free(&sb);
}
END_TEST

START_TEST(latency_faults_add_up)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    char *normal = normal_me(&sb);
    sbt_add_fault(&sb, "{\"fault\": \"latency\", \"ms\": 300}");
    struct http_resp r;
    sbt_get(&sb, ME, K_ACTIVE, "org_a", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, normal);
    ck_assert_msg(r.elapsed_ms >= 300, "latency 300 ms took only %lld ms", r.elapsed_ms);
    ck_assert_msg(r.elapsed_ms < 2000, "latency 300 ms took %lld ms", r.elapsed_ms);
    http_resp_free(&r);

    sbt_add_fault(&sb, "{\"fault\": \"latency\", \"ms\": 250}");
    sbt_get(&sb, ME, K_ACTIVE, "org_a", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_msg(r.elapsed_ms >= 550, "latency 300 + 250 ms took only %lld ms", r.elapsed_ms);
    http_resp_free(&r);

    /* Errors are delayed too; the control API is not. */
    sbt_get(&sb, ME, NULL, "org_a", &r);
    ck_assert_int_eq(r.status, 401);
    ck_assert_msg(r.elapsed_ms >= 550, "a 401 took only %lld ms", r.elapsed_ms);
    http_resp_free(&r);
    sbt_ctl(&sb, "GET", "/_sandbox/health", NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_msg(r.elapsed_ms < 250, "the control API is delayed (%lld ms)", r.elapsed_ms);
    http_resp_free(&r);
    free(normal);
    sandbox_free(&sb);
}
END_TEST

START_TEST(latency_default_is_one_second)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    sbt_add_fault(&sb, "{\"fault\": \"latency\", \"path\": \"/marketplace/me\"}");
    struct http_resp r;
    sbt_get(&sb, ME, K_ACTIVE, "org_a", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_msg(r.elapsed_ms >= 1000, "default latency took only %lld ms", r.elapsed_ms);
    http_resp_free(&r);
    sandbox_free(&sb);
}
END_TEST

START_TEST(hang_holds_the_connection_until_cleared)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    sbt_add_fault(&sb, "{\"fault\": \"hang\", \"org\": \"org_a\", \"path\": \"/patients\"}");
    struct http_resp r;
    get_t(&sb, PATIENTS, K_ACTIVE, "org_a", 1000, &r);
    ck_assert_msg(r.curl_code == CURLE_OPERATION_TIMEDOUT, "curl %d (%s), HTTP %ld",
                  (int)r.curl_code, r.error, r.status);
    ck_assert_msg(r.elapsed_ms >= 950, "gave up after %lld ms", r.elapsed_ms);
    ck_assert_int_eq(r.status, 0);
    http_resp_free(&r);
    /* Hang comes before the key check. */
    get_t(&sb, PATIENTS, NULL, "org_a", 500, &r);
    ck_assert_int_eq(r.curl_code, CURLE_OPERATION_TIMEDOUT);
    http_resp_free(&r);
    /* Not matching requests are answered. */
    ck_assert_int_eq(status_of(&sb, ME, "org_a"), 200);
    ck_assert_int_eq(status_of(&sb, PATIENTS, "org_gen"), 200);
    sbt_clear_faults(&sb);
    get_t(&sb, PATIENTS, K_ACTIVE, "org_a", 2000, &r);
    ck_assert_int_eq(r.curl_code, CURLE_OK);
    ck_assert_int_eq(r.status, 200);
    http_resp_free(&r);
    ck_assert_int_eq(sbt_wait_stat(&sb, "by_status.hang", 2, 3000), 2);
    sandbox_free(&sb);
}
END_TEST

static void assert_status_fault(const struct sandbox *sb, const char *fault, long status,
                                const char *code, const char *message_prefix)
{
    sbt_clear_faults(sb);
    sbt_add_fault(sb, fault);
    struct http_resp r;
    /* No key at all: the fault answers before authentication. */
    sbt_get(sb, PATIENTS, NULL, NULL, &r);
    const char *why = sbt_check_error(&r, status, code, NULL);
    ck_assert_msg(why == NULL, "%s: %s", fault, why);
    json_t *j = http_json(&r);
    const char *msg = sbt_jstr(j, "message");
    if (message_prefix)
        ck_assert_msg(strncmp(msg, message_prefix, strlen(message_prefix)) == 0,
                      "%s: message '%s'", fault, msg);
    json_decref(j);
    http_resp_free(&r);
}

START_TEST(status_faults_answer_with_the_api_envelope)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    assert_status_fault(&sb, "{\"fault\": \"status\"}", 500, "internal_error", NULL);
    assert_status_fault(&sb, "{\"fault\": \"status\", \"status\": 500}", 500, "internal_error",
                        NULL);
    assert_status_fault(&sb, "{\"fault\": \"status\", \"status\": 400}", 400, "bad_request", NULL);
    assert_status_fault(&sb, "{\"fault\": \"status\", \"status\": 401}", 401, "unauthorized",
                        "Invalid or missing API key");
    assert_status_fault(&sb, "{\"fault\": \"status\", \"status\": 403}", 403, "forbidden",
                        "Insufficient scope. Required: ");
    assert_status_fault(&sb, "{\"fault\": \"status\", \"status\": 404}", 404, "not_found", NULL);
    assert_status_fault(&sb, "{\"fault\": \"status\", \"status\": 429}", 429,
                        "rate_limit_exceeded", "Rate limit exceeded. Maximum ");
    assert_status_fault(&sb, "{\"fault\": \"status\", \"status\": 503}", 503, NULL, NULL);
    assert_status_fault(&sb,
                        "{\"fault\": \"status\", \"status\": 503, \"code\": \"unavailable\","
                        " \"message\": \"Down for maintenance\"}",
                        503, "unavailable", "Down for maintenance");

    /* retry_after gives a Retry-After header. */
    sbt_clear_faults(&sb);
    sbt_add_fault(&sb, "{\"fault\": \"status\", \"status\": 429, \"retry_after\": 7}");
    struct http_resp r;
    sbt_get(&sb, ME, K_ACTIVE, "org_a", &r);
    ASSERT_API_ERROR(&r, 429, "rate_limit_exceeded", NULL);
    ck_assert_str_eq(http_header(&r, "Retry-After"), "7");
    http_resp_free(&r);

    /* Each answer has its own trace_id. */
    sbt_clear_faults(&sb);
    sbt_add_fault(&sb, "{\"fault\": \"status\", \"status\": 502}");
    char *first = NULL;
    for (int i = 0; i < 3; i++) {
        sbt_get(&sb, ME, K_ACTIVE, "org_a", &r);
        ASSERT_API_ERROR(&r, 502, NULL, NULL);
        json_t *j = http_json(&r);
        const char *t = sbt_jstr(j, "trace_id");
        if (first)
            ck_assert_str_ne(first, t);
        else
            first = strdup(t);
        json_decref(j);
        http_resp_free(&r);
    }
    free(first);
    sandbox_free(&sb);
}
END_TEST

START_TEST(html_fault_sends_a_proxy_page)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    sbt_add_fault(&sb, "{\"fault\": \"html\"}");
    struct http_resp r;
    sbt_get(&sb, PATIENTS, K_ACTIVE, "org_a", &r);
    ck_assert_int_eq(r.curl_code, CURLE_OK);
    ck_assert_int_eq(r.status, 502);
    const char *ct = http_header(&r, "Content-Type");
    ck_assert_msg(ct && strncasecmp(ct, "text/html", 9) == 0, "Content-Type %s", ct ? ct : "-");
    ck_assert_msg(strcasestr(r.body, "<html") != NULL, "no <html> in the body");
    ck_assert_msg(strstr(r.body, "502") != NULL, "the page does not show the status");
    json_t *j = http_json(&r);
    ck_assert_msg(j == NULL, "an HTML page that parses as JSON");
    http_resp_free(&r);

    sbt_clear_faults(&sb);
    sbt_add_fault(&sb, "{\"fault\": \"html\", \"status\": 504}");
    sbt_get(&sb, ME, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 504);
    ct = http_header(&r, "Content-Type");
    ck_assert_msg(ct && strncasecmp(ct, "text/html", 9) == 0, "Content-Type %s", ct ? ct : "-");
    ck_assert_msg(strstr(r.body, "504") != NULL, "the page does not show the status");
    http_resp_free(&r);
    sandbox_free(&sb);
}
END_TEST

START_TEST(truncate_fault_cuts_the_body_in_half)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    char *normal = normal_me(&sb);
    size_t full = strlen(normal);
    sbt_add_fault(&sb, "{\"fault\": \"truncate\"}");
    struct http_resp r;
    sbt_get(&sb, ME, K_ACTIVE, "org_a", &r);
    ck_assert_msg(r.curl_code == CURLE_OK, "a complete HTTP response expected, curl %d",
                  (int)r.curl_code);
    ck_assert_int_eq(r.status, 200);
    ck_assert_msg(r.body_len > 0 && r.body_len < full, "%zu of %zu bytes", r.body_len, full);
    ck_assert_msg(r.body_len >= full / 2 - 2 && r.body_len <= full / 2 + 2,
                  "not cut in half: %zu of %zu bytes", r.body_len, full);
    ck_assert_msg(memcmp(r.body, normal, r.body_len) == 0, "not a prefix of the usual answer");
    json_t *j = http_json(&r);
    ck_assert_msg(j == NULL, "a truncated body that parses as JSON");
    http_resp_free(&r);
    free(normal);
    sandbox_free(&sb);
}
END_TEST

START_TEST(truncate_on_the_wire_is_a_partial_transfer)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    char *normal = normal_me(&sb);
    size_t full = strlen(normal);
    sbt_add_fault(&sb, "{\"fault\": \"truncate\", \"wire\": true}");
    struct http_resp r;
    get_t(&sb, ME, K_ACTIVE, "org_a", 3000, &r);
    ck_assert_msg(r.curl_code == CURLE_PARTIAL_FILE, "curl %d (%s), expected a partial file",
                  (int)r.curl_code, r.error);
    ck_assert_int_eq(r.status, 200);
    const char *cl = http_header(&r, "Content-Length");
    ck_assert_msg(cl && (size_t)atol(cl) == full, "Content-Length %s, the whole body is %zu",
                  cl ? cl : "-", full);
    ck_assert_msg(r.body_len < full, "got %zu of %zu bytes", r.body_len, full);
    ck_assert_msg(memcmp(r.body, normal, r.body_len) == 0, "not a prefix of the usual answer");
    http_resp_free(&r);
    free(normal);
    sandbox_free(&sb);
}
END_TEST

START_TEST(invalid_json_fault)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    sbt_add_fault(&sb, "{\"fault\": \"invalid_json\"}");
    const char *paths[] = {ME, PATIENTS};
    for (int i = 0; i < 2; i++) {
        struct http_resp r;
        sbt_get(&sb, paths[i], K_ACTIVE, "org_a", &r);
        ck_assert_int_eq(r.curl_code, CURLE_OK);
        ck_assert_int_eq(r.status, 200);
        const char *ct = http_header(&r, "Content-Type");
        ck_assert_msg(ct && strncmp(ct, "application/json", 16) == 0, "Content-Type %s",
                      ct ? ct : "-");
        ck_assert_msg(r.body_len > 0, "empty body");
        json_t *j = http_json(&r);
        ck_assert_msg(j == NULL, "%s: the body parses as JSON", paths[i]);
        http_resp_free(&r);
    }
    sandbox_free(&sb);
}
END_TEST

START_TEST(wrong_types_fault)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    sbt_add_fault(&sb, "{\"fault\": \"wrong_types\"}");
    struct http_resp r;
    sbt_get(&sb, ME, K_ACTIVE, "org_a", &r);
    ck_assert_int_eq(r.status, 200);
    json_t *j = http_json(&r);
    ck_assert_msg(json_is_object(j), "wrong_types must still be JSON: %.200s", r.body);
    ck_assert_msg(json_object_get(j, "data") != NULL, "no data member");
    json_t *app_id = sbt_jget(j, "data.app.id");
    json_t *org_id = sbt_jget(j, "data.organization.id");
    json_t *scopes = sbt_jget(j, "data.scopes");
    ck_assert_msg(!json_is_string(app_id), "data.app.id is still a string");
    ck_assert_msg(!json_is_string(org_id), "data.organization.id is still a string");
    ck_assert_msg(!json_is_array(scopes), "data.scopes is still an array");
    json_decref(j);
    http_resp_free(&r);

    sbt_get(&sb, PATIENTS "?pageSize=3", K_ACTIVE, "org_a", &r);
    ck_assert_int_eq(r.status, 200);
    j = http_json(&r);
    ck_assert_msg(json_is_object(j), "wrong_types must still be JSON");
    json_t *list = sbt_jget(j, "data.patients");
    bool right = false; /* some patient with a string id */
    size_t i;
    json_t *p;
    if (json_is_array(list)) {
        json_array_foreach(list, i, p) {
            if (json_is_string(json_object_get(p, "id")))
                right = true;
        }
    }
    ck_assert_msg(!right, "data.patients keeps its right types: %.200s", r.body);
    ck_assert_msg(!json_is_integer(sbt_jget(j, "data.pagination.totalCount")),
                  "data.pagination.totalCount is still an integer");
    json_decref(j);
    http_resp_free(&r);
    sandbox_free(&sb);
}
END_TEST

START_TEST(oversize_fault_with_a_size)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    sbt_add_fault(&sb, "{\"fault\": \"oversize\", \"bytes\": 100000}");
    struct http_resp r;
    sbt_get(&sb, PATIENTS, K_ACTIVE, "org_a", &r);
    ck_assert_int_eq(r.curl_code, CURLE_OK);
    ck_assert_int_eq(r.status, 200);
    ck_assert_uint_eq(r.body_len, 100000);
    json_t *j = http_json(&r);
    ck_assert_msg(j != NULL, "the oversize body is not valid JSON");
    json_decref(j);
    http_resp_free(&r);
    sandbox_free(&sb);
}
END_TEST

START_TEST(oversize_fault_defaults_to_20_mib)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    sbt_add_fault(&sb, "{\"fault\": \"oversize\", \"path\": \"/marketplace/me\"}");
    struct http_resp r;
    get_t(&sb, ME, K_ACTIVE, "org_a", 20000, &r);
    ck_assert_msg(r.curl_code == CURLE_OK, "curl %d (%s)", (int)r.curl_code, r.error);
    ck_assert_int_eq(r.status, 200);
    ck_assert_uint_eq(r.body_len, 20u * 1024 * 1024);
    const char *cl = http_header(&r, "Content-Length");
    if (cl)
        ck_assert_int_eq(atoll(cl), 20LL * 1024 * 1024);
    json_t *j = http_json(&r);
    ck_assert_msg(j != NULL, "the 20 MiB body is not valid JSON");
    json_decref(j);
    http_resp_free(&r);
    sandbox_free(&sb);
}
END_TEST

START_TEST(reset_fault_drops_the_connection)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    sbt_add_fault(&sb, "{\"fault\": \"reset\"}");
    for (int i = 0; i < 2; i++) {
        struct http_resp r;
        get_t(&sb, i ? ME : PATIENTS, i ? NULL : K_ACTIVE, "org_a", 3000, &r);
        ck_assert_msg(r.curl_code == CURLE_RECV_ERROR || r.curl_code == CURLE_GOT_NOTHING ||
                          r.curl_code == CURLE_SEND_ERROR,
                      "curl %d (%s), expected a receive error or nothing", (int)r.curl_code,
                      r.error);
        ck_assert_int_eq(r.status, 0);
        ck_assert_msg(r.elapsed_ms < 2000, "the reset took %lld ms", r.elapsed_ms);
        http_resp_free(&r);
    }
    sbt_clear_faults(&sb);
    ck_assert_int_eq(status_of(&sb, PATIENTS, "org_a"), 200);
    ck_assert_int_eq(sbt_wait_stat(&sb, "by_status.reset", 2, 3000), 2);
    sandbox_free(&sb);
}
END_TEST

START_TEST(trickle_fault_sends_slowly)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    char *normal = normal_me(&sb);
    size_t full = strlen(normal);
    sbt_add_fault(&sb, "{\"fault\": \"trickle\", \"ms\": 60, \"bytes\": 32}");
    struct http_resp r;
    get_t(&sb, ME, K_ACTIVE, "org_a", 15000, &r);
    ck_assert_int_eq(r.curl_code, CURLE_OK);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, normal);
    long long chunks = (long long)((full + 31) / 32);
    ck_assert_msg(r.elapsed_ms >= (chunks - 1) * 60 - 30,
                  "%zu bytes in 32-byte pieces every 60 ms took only %lld ms", full, r.elapsed_ms);
    http_resp_free(&r);
    free(normal);
    sandbox_free(&sb);
}
END_TEST

START_TEST(org_filter_is_exact)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    sbt_add_fault(&sb, "{\"fault\": \"status\", \"status\": 503, \"org\": \"org_gen\"}");
    ck_assert_int_eq(status_of(&sb, PATIENTS, "org_gen"), 503);
    ck_assert_int_eq(status_of(&sb, ME, "org_gen"), 503);
    ck_assert_int_eq(status_of(&sb, PATIENTS, "org_a"), 200);
    ck_assert_int_eq(status_of(&sb, PATIENTS, "org_ge"), 404);
    ck_assert_int_eq(status_of(&sb, PATIENTS, NULL), 400);
    sandbox_free(&sb);
}
END_TEST

START_TEST(path_filter_matches_with_or_without_v1)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    long long id = sbt_add_fault(&sb, "{\"fault\": \"status\", \"status\": 503, \"path\": \"/patients\"}");
    ck_assert_int_eq(status_of(&sb, PATIENTS, "org_a"), 503);
    ck_assert_int_eq(status_of(&sb, PATIENTS "?page=2&search=x", "org_a"), 503);
    ck_assert_int_eq(status_of(&sb, PATIENTS "/" PAT_SARAH, "org_a"), 503);
    ck_assert_int_eq(status_of(&sb, ME, "org_a"), 200);
    char path[64];
    snprintf(path, sizeof path, "/_sandbox/faults/%lld", id);
    struct http_resp r;
    sbt_ctl(&sb, "DELETE", path, NULL, &r);
    http_resp_free(&r);
    sbt_add_fault(&sb, "{\"fault\": \"status\", \"status\": 503, \"path\": \"/v1/marketplace/me\","
                       " \"org\": \"org_a\"}");
    ck_assert_int_eq(status_of(&sb, ME, "org_a"), 503);
    ck_assert_int_eq(status_of(&sb, ME, "org_gen"), 200);
    ck_assert_int_eq(status_of(&sb, PATIENTS, "org_a"), 200);
    sandbox_free(&sb);
}
END_TEST

START_TEST(count_limits_a_fault_to_the_next_requests)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    sbt_add_fault(&sb, "{\"fault\": \"status\", \"status\": 503, \"count\": 2, \"org\": \"org_a\"}");
    /* A request that does not match does not use the count up. */
    ck_assert_int_eq(status_of(&sb, PATIENTS, "org_gen"), 200);
    ck_assert_int_eq(status_of(&sb, PATIENTS, "org_a"), 503);
    ck_assert_int_eq(status_of(&sb, ME, "org_a"), 503);
    ck_assert_int_eq(status_of(&sb, PATIENTS, "org_a"), 200);
    ck_assert_int_eq(status_of(&sb, PATIENTS, "org_a"), 200);
    sbt_add_fault(&sb, "{\"fault\": \"hang\", \"count\": 1}");
    struct http_resp r;
    get_t(&sb, ME, K_ACTIVE, "org_a", 500, &r);
    ck_assert_int_eq(r.curl_code, CURLE_OPERATION_TIMEDOUT);
    http_resp_free(&r);
    ck_assert_int_eq(status_of(&sb, ME, "org_a"), 200);
    sandbox_free(&sb);
}
END_TEST

START_TEST(newest_matching_fault_answers_after_latency)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    sbt_add_fault(&sb, "{\"fault\": \"status\", \"status\": 500}");
    long long newer = sbt_add_fault(&sb, "{\"fault\": \"status\", \"status\": 503}");
    sbt_add_fault(&sb, "{\"fault\": \"status\", \"status\": 502, \"org\": \"org_gen\"}");
    sbt_add_fault(&sb, "{\"fault\": \"latency\", \"ms\": 200}");
    struct http_resp r;
    sbt_get(&sb, ME, K_ACTIVE, "org_a", &r);
    ASSERT_API_ERROR(&r, 503, NULL, NULL);
    ck_assert_msg(r.elapsed_ms >= 200, "latency not applied before the status (%lld ms)",
                  r.elapsed_ms);
    http_resp_free(&r);
    ck_assert_int_eq(status_of(&sb, ME, "org_gen"), 502);
    char path[64];
    snprintf(path, sizeof path, "/_sandbox/faults/%lld", newer);
    sbt_ctl(&sb, "DELETE", path, NULL, &r);
    ck_assert_msg(r.status >= 200 && r.status < 300, "DELETE: HTTP %ld", r.status);
    http_resp_free(&r);
    ck_assert_int_eq(status_of(&sb, ME, "org_a"), 500);
    sandbox_free(&sb);
}
END_TEST

START_TEST(faults_never_touch_the_control_api)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    const char *kinds[] = {"{\"fault\": \"hang\"}", "{\"fault\": \"reset\"}",
                           "{\"fault\": \"status\"}", "{\"fault\": \"html\"}",
                           "{\"fault\": \"invalid_json\"}", "{\"fault\": \"truncate\", \"wire\": true}",
                           "{\"fault\": \"latency\", \"ms\": 2000}"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        sbt_add_fault(&sb, kinds[i]);
    struct http_resp r;
    char url[256];
    struct http_req q = {.url = sandbox_root(&sb, "/_sandbox/health", url, sizeof url),
                         .timeout_ms = 1500};
    http_do(&q, &r);
    ck_assert_int_eq(r.curl_code, CURLE_OK);
    ck_assert_int_eq(r.status, 200);
    http_resp_free(&r);
    json_decref(sbt_ctl_json(&sb, "GET", "/_sandbox/stats", NULL, 200));
    ck_assert_uint_eq(fault_count(&sb), sizeof kinds / sizeof kinds[0]);
    sbt_clear_faults(&sb);
    ck_assert_int_eq(status_of(&sb, ME, "org_a"), 200);
    sandbox_free(&sb);
}
END_TEST

SUITE(sandbox_faults)
{
    Suite *s = suite_create("sandbox_faults");
    TCase *tc = tcase_create("faults");
    tcase_set_timeout(tc, 40);
    tcase_add_unchecked_fixture(tc, sandbox_tmp_setup, sandbox_tmp_teardown);
    tcase_add_test(tc, faults_are_added_listed_and_removed);
    tcase_add_test(tc, bad_fault_requests_are_400);
    tcase_add_test(tc, latency_faults_add_up);
    tcase_add_test(tc, latency_default_is_one_second);
    tcase_add_test(tc, hang_holds_the_connection_until_cleared);
    tcase_add_test(tc, status_faults_answer_with_the_api_envelope);
    tcase_add_test(tc, html_fault_sends_a_proxy_page);
    tcase_add_test(tc, truncate_fault_cuts_the_body_in_half);
    tcase_add_test(tc, truncate_on_the_wire_is_a_partial_transfer);
    tcase_add_test(tc, invalid_json_fault);
    tcase_add_test(tc, wrong_types_fault);
    tcase_add_test(tc, oversize_fault_with_a_size);
    tcase_add_test(tc, oversize_fault_defaults_to_20_mib);
    tcase_add_test(tc, reset_fault_drops_the_connection);
    tcase_add_test(tc, trickle_fault_sends_slowly);
    tcase_add_test(tc, org_filter_is_exact);
    tcase_add_test(tc, path_filter_matches_with_or_without_v1);
    tcase_add_test(tc, count_limits_a_fault_to_the_next_requests);
    tcase_add_test(tc, newest_matching_fault_answers_after_latency);
    tcase_add_test(tc, faults_never_touch_the_control_api);
    suite_add_tcase(s, tc);
    return s;
}
