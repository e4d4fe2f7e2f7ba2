#include "testing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

static void interpret(enum api_endpoint ep, int status, const char *body, struct api_result *r)
{
    struct api_response resp = {.endpoint = ep, .transport = API_TR_OK, .status = status,
                                .body = body, .len = body ? strlen(body) : 0};
    api_interpret(&resp, r);
}

/* The vendor's documented /marketplace/me example. */
START_TEST(me_documented_example)
{
    struct api_result r;
    interpret(API_ME, 200,
              "{\"code\":\"success\",\"data\":{\"app\":{\"id\":\"app_01J5K8N2XRQV3M7YGWT4HB6E9C\","
              "\"slug\":\"my-healthcare-app\",\"liveVersionId\":null},\"organization\":{\"id\":"
              "\"org_abc123\",\"clerkId\":\"x\"},\"scopes\":[\"read:patients\","
              "\"read:appointments\"],\"future\":{\"x\":1}}}", &r);
    ck_assert_int_eq(r.cls, API_OK);
    ck_assert_str_eq(r.me.app_id, "app_01J5K8N2XRQV3M7YGWT4HB6E9C");
    ck_assert_str_eq(r.me.app_slug, "my-healthcare-app");
    ck_assert_ptr_null(r.me.app_live_version);
    ck_assert_str_eq(r.me.org_id, "org_abc123");
    ck_assert_uint_eq(r.me.nscopes, 2);
    ck_assert_str_eq(r.me.scopes[1], "read:appointments");
    ck_assert(!r.me.scopes_from_app);
    ck_assert_str_eq(r.summary, "200 OK");
    api_result_free(&r);
}
END_TEST

START_TEST(me_older_docs_scopes_under_app)
{
    struct api_result r;
    interpret(API_ME, 200, "{\"code\":\"success\",\"data\":{\"app\":{\"id\":\"a\",\"scopes\":"
                           "[\"read:patients\"]},\"organization\":{\"id\":\"o\"}}}", &r);
    ck_assert_int_eq(r.cls, API_OK);
    ck_assert(r.me.scopes_from_app);
    ck_assert_uint_eq(r.me.nscopes, 1);
    api_result_free(&r);
    interpret(API_ME, 200, "{\"data\":{}}", &r); /* everything missing is still fine */
    ck_assert_int_eq(r.cls, API_OK);
    ck_assert_ptr_null(r.me.scopes);
    api_result_free(&r);
}
END_TEST

START_TEST(me_wrong_types_are_a_bad_response)
{
    static const char *const bodies[] = {
        ("{\"code\":\"success\",\"data\":{\"app\":\"app_demo\",\"organization\":[\"org\"],"
         "\"scopes\":\"read:patients\"}}"),
        "{\"code\":\"success\",\"data\":{\"app\":{\"id\":42}}}",
        "{\"code\":\"success\",\"data\":{\"scopes\":[1,2]}}",
        "{\"code\":42,\"data\":\"success\"}",
        "{\"code\":\"success\",\"data\":[]}",
        "[]", "", "null", "<html><body>502 Bad Gateway</body></html>",
        "{\"code\": \"success\", \"data\": {\"app\": {'id': undefined,, ]}",
        "{\"code\":\"success\",\"data\":{\"app\":{\"id\":\"app_01J5K8N2X",
        "{\"code\":\"success\",\"data\":{\"n\":123456789012345678901234567890}}",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        struct api_result r;
        interpret(API_ME, 200, bodies[i], &r);
        ck_assert_msg(r.cls == API_BAD_RESPONSE, "body %zu classed %s", i, api_class_name(r.cls));
        ck_assert_ptr_nonnull(strstr(r.summary, "200 but"));
        ck_assert_ptr_null(r.me.app_id);
        api_result_free(&r);
    }
}
END_TEST

START_TEST(deep_nesting_is_refused_not_crashed)
{
    size_t depth = 100000;
    char *body = malloc(depth * 2 + 1);
    memset(body, '[', depth);
    memset(body + depth, ']', depth);
    body[depth * 2] = '\0';
    struct api_result r;
    interpret(API_PATIENTS, 200, body, &r);
    ck_assert_int_eq(r.cls, API_BAD_RESPONSE);
    api_result_free(&r);
    free(body);
}
END_TEST

START_TEST(huge_string_is_kept_and_sanitized)
{
    size_t n = 10 * 1024 * 1024;
    const char *head = "{\"data\":{\"id\":\"pat_1\",\"firstName\":\"";
    char *body = malloc(strlen(head) + n + 8);
    strcpy(body, head);
    memset(body + strlen(head), 'a', n);
    body[strlen(head) + 5] = '\x1b'; /* invalid raw control in a JSON string */
    strcpy(body + strlen(head) + n, "\"}}");
    struct api_result r;
    interpret(API_PATIENT, 200, body, &r);
    ck_assert_int_eq(r.cls, API_BAD_RESPONSE); /* a raw control byte is not valid JSON */
    api_result_free(&r);
    body[strlen(head) + 5] = 'a';
    interpret(API_PATIENT, 200, body, &r);
    ck_assert_int_eq(r.cls, API_OK);
    ck_assert_uint_eq(strlen(r.patient.first), n);
    api_result_free(&r);
    free(body);
}
END_TEST

START_TEST(patients_page_tolerates_nulls_and_unknowns)
{
    struct api_result r;
    interpret(API_PATIENTS, 200,
              "{\"code\":\"success\",\"data\":{\"patients\":[{\"id\":\"pat_01J5K8N2XRQV3M7YGWT4HB6E9C\","
              "\"mrn\":\"MRN-10042\",\"firstName\":\"Sarah\",\"middleName\":\"Marie\",\"lastName\":"
              "\"Johnson\",\"gender\":\"Female\",\"dateOfBirth\":\"1985-03-15\",\"email\":"
              "\"sarah.johnson@email.com\",\"phone\":\"(555) 123-4567\",\"createdAt\":"
              "\"2024-08-15T09:30:00.000Z\",\"updatedAt\":\"2024-08-15T09:30:00.000Z\"},"
              "{\"id\":\"pat_2\",\"mrn\":null,\"gender\":null,\"dateOfBirth\":null,\"extra\":[1]},"
              "{\"id\":\"pat_3\",\"firstName\":\"\\u001b[31mRed\\u001b[0m\",\"lastName\":7}],"
              "\"pagination\":{\"page\":2,\"pageSize\":3,\"totalCount\":1503,\"totalPages\":501}}}",
              &r);
    ck_assert_int_eq(r.cls, API_OK);
    ck_assert_uint_eq(r.page.len, 3);
    ck_assert_str_eq(r.page.items[0].last, "Johnson");
    ck_assert_str_eq(r.page.items[0].dob, "1985-03-15");
    ck_assert_ptr_null(r.page.items[1].mrn);
    ck_assert_ptr_null(r.page.items[1].first);
    ck_assert_str_eq(r.page.items[2].first, "Red"); /* escape sequences never survive */
    ck_assert_ptr_null(r.page.items[2].last);
    ck_assert_int_eq(r.page.page, 2);
    ck_assert_int_eq(r.page.total_count, 1503);
    ck_assert_int_eq(r.page.total_pages, 501);
    api_result_free(&r);

    interpret(API_PATIENTS, 200, "{\"data\":{\"patients\":[]}}", &r);
    ck_assert_int_eq(r.cls, API_OK);
    ck_assert_int_eq(r.page.total_count, -1);
    api_result_free(&r);
}
END_TEST

START_TEST(patients_page_wrong_types)
{
    static const char *const bodies[] = {
        ("{\"code\":\"success\",\"data\":{\"patients\":{\"id\":1},\"pagination\":{\"page\":\"1\","
         "\"pageSize\":null,\"totalCount\":\"many\",\"totalPages\":-1}}}"),
        "{\"data\":{\"patients\":[{\"id\":42}]}}",
        "{\"data\":{\"patients\":[{\"firstName\":\"no id\"}]}}",
        "{\"data\":{\"patients\":[\"pat_1\"]}}",
        "{\"data\":{\"patients\":[],\"pagination\":{\"totalCount\":-5}}}",
        "{\"data\":{\"patients\":[],\"pagination\":[]}}",
        "{\"data\":{}}",
        "{\"data\":{\"patients\":[{\"id\":\"\\u001b\\u200b\"}]}}",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        struct api_result r;
        interpret(API_PATIENTS, 200, bodies[i], &r);
        ck_assert_msg(r.cls == API_BAD_RESPONSE, "body %zu classed %s", i, api_class_name(r.cls));
        ck_assert_uint_eq(r.page.len, 0);
        api_result_free(&r);
    }
}
END_TEST

START_TEST(errors_by_status_with_envelope)
{
    struct api_result r;
    interpret(API_ME, 401, "{\"code\":\"unauthorized\",\"message\":\"Invalid or missing API key\","
                           "\"trace_id\":\"550e8400-e29b-41d4-a716-44665544zzzz\"}", &r);
    ck_assert_int_eq(r.cls, API_UNAUTHORIZED);
    ck_assert_str_eq(r.err.trace_id, "550e8400-e29b-41d4-a716-44665544zzzz"); /* kept whole */
    ck_assert_str_eq(r.summary, "401 unauthorized: Invalid or missing API key");
    api_result_free(&r);

    interpret(API_PATIENTS, 403, "{\"code\":\"forbidden\",\"message\":\"Insufficient scope. "
                                 "Required: read:patients\",\"trace_id\":\"t\"}", &r);
    ck_assert_int_eq(r.cls, API_FORBIDDEN);
    ck_assert_str_eq(r.err.required_scope, "read:patients");
    api_result_free(&r);

    interpret(API_PATIENT, 404, "{\"code\":\"not_found\",\"message\":\"Patient not found\"}", &r);
    ck_assert_int_eq(r.cls, API_NOT_FOUND);
    ck_assert_ptr_null(r.err.trace_id);
    api_result_free(&r);

    interpret(API_PATIENTS, 400, "{\"code\":\"bad_request\",\"message\":\"'pageSize' must be "
                                 "between 1 and 100\"}", &r);
    ck_assert_int_eq(r.cls, API_BAD_REQUEST);
    api_result_free(&r);

    struct api_ratelimit rl;
    api_ratelimit_init(&rl);
    const char *h = "Retry-After: 17\r\n";
    api_ratelimit_header(&rl, h, strlen(h));
    struct api_response resp = {.endpoint = API_ME, .status = 429, .rate = &rl,
                                .body = "{\"code\":\"rate_limit_exceeded\"}", .len = 30};
    api_interpret(&resp, &r);
    ck_assert_int_eq(r.cls, API_RATE_LIMITED);
    ck_assert_int_eq(r.retry_after, 17);
    api_result_free(&r);
}
END_TEST

START_TEST(errors_without_json_are_classified_by_status)
{
    struct api_result r;
    interpret(API_ME, 502, "<html><head><title>502 Bad Gateway</title></head></html>", &r);
    ck_assert_int_eq(r.cls, API_SERVER_ERROR);
    ck_assert_ptr_null(r.err.code);
    ck_assert_ptr_nonnull(strstr(r.summary, "502"));
    api_result_free(&r);
    interpret(API_ME, 401, "", &r);
    ck_assert_int_eq(r.cls, API_UNAUTHORIZED);
    api_result_free(&r);
    interpret(API_ME, 403, "{\"code\":\"forbidden\",\"message\":\"Nope\"}", &r);
    ck_assert_int_eq(r.cls, API_FORBIDDEN);
    ck_assert_ptr_null(r.err.required_scope);
    api_result_free(&r);
    interpret(API_ME, 503, "{\"code\":5,\"message\":[\"x\"],\"trace_id\":{}}", &r);
    ck_assert_int_eq(r.cls, API_SERVER_ERROR);
    ck_assert_ptr_null(r.err.trace_id);
    api_result_free(&r);
    interpret(API_ME, 301, "", &r);
    ck_assert_int_eq(r.cls, API_BAD_RESPONSE);
    api_result_free(&r);
    interpret(API_ME, 405, "{}", &r);
    ck_assert_int_eq(r.cls, API_BAD_REQUEST);
    api_result_free(&r);
}
END_TEST

START_TEST(hostile_error_text_is_sanitized)
{
    struct api_result r;
    interpret(API_ME, 401, "{\"code\":\"unauth\\u001b]52;c;eA==\\u0007orized\",\"message\":"
                           "\"bad\\r\\nkey\\u202e\",\"trace_id\":\"t\\u009b2J\"}", &r);
    ck_assert_str_eq(r.err.code, "unauthorized");
    ck_assert_str_eq(r.err.message, "bad  key");
    ck_assert_str_eq(r.err.trace_id, "t");
    for (const char *p = r.summary; *p; p++)
        ck_assert((unsigned char)*p >= 0x20 && *p != 0x7f);
    api_result_free(&r);
}
END_TEST

START_TEST(transport_failures)
{
    struct { enum api_transport tr; enum api_class cls; } cases[] = {
        {API_TR_TIMEOUT, API_TIMEOUT}, {API_TR_CONNECT, API_CONNECT}, {API_TR_DNS, API_DNS},
        {API_TR_TLS, API_TLS}, {API_TR_TOO_LARGE, API_BAD_RESPONSE},
        {API_TR_PARTIAL, API_BAD_RESPONSE}, {API_TR_OTHER, API_CONNECT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct api_response resp = {.endpoint = API_ME, .transport = cases[i].tr,
                                    .transport_detail = "Failed\x1b[2J to connect"};
        struct api_result r;
        api_interpret(&resp, &r);
        ck_assert_int_eq(r.cls, cases[i].cls);
        ck_assert_ptr_nonnull(strstr(r.summary, "Failed to connect"));
        api_result_free(&r);
    }
    ck_assert(api_class_is_transient(API_TIMEOUT));
    ck_assert(!api_class_is_transient(API_UNAUTHORIZED));
    ck_assert(api_class_is_auth(API_FORBIDDEN));
    ck_assert(!api_class_is_auth(API_RATE_LIMITED));
}
END_TEST

START_TEST(rate_limit_headers)
{
    struct api_ratelimit rl;
    api_ratelimit_init(&rl);
    const char *lines[] = {"x-ratelimit-limit: 1000\r\n", "X-RateLimit-Remaining:  998 \r\n",
                           "X-RateLimit-Reset: 1795834057\r\n", "Content-Type: text/html\r\n",
                           "Retry-After: Wed, 21 Oct 2015 07:28:00 GMT\r\n",
                           "X-RateLimit-Limitless: 5\r\n"};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        api_ratelimit_header(&rl, lines[i], strlen(lines[i]));
    ck_assert_int_eq(rl.limit, 1000);
    ck_assert_int_eq(rl.remaining, 998);
    ck_assert_int_eq(rl.reset, 1795834057LL);
    ck_assert_int_eq(rl.retry_after, -1);
    const char *huge = "X-RateLimit-Remaining: 99999999999999999999999\r\n";
    api_ratelimit_header(&rl, huge, strlen(huge));
    ck_assert_int_eq(rl.remaining, -1);
}
END_TEST

START_TEST(urls_and_headers)
{
    char *u = api_url("https://api.maxcare.ai/v1", API_PATIENTS, 2, 50, "José O'Brien&x=1", NULL);
    ck_assert_str_eq(u, "https://api.maxcare.ai/v1/patients?page=2&pageSize=50&search="
                        "Jos%C3%A9%20O%27Brien%26x%3D1");
    free(u);
    u = api_url("http://127.0.0.1:8080/v1", API_ME, 0, 0, NULL, NULL);
    ck_assert_str_eq(u, "http://127.0.0.1:8080/v1/marketplace/me");
    char *path = api_path_of_url(u);
    ck_assert_str_eq(path, "/v1/marketplace/me");
    free(path);
    free(u);
    u = api_url("http://h/v1", API_PATIENT, 0, 0, NULL, "pat_1/../x");
    ck_assert_str_eq(u, "http://h/v1/patients/pat_1%2F..%2Fx");
    free(u);
    u = api_url("http://h/v1", API_PATIENTS, 0, 0, "a", NULL);
    ck_assert_str_eq(u, "http://h/v1/patients?search=a");
    free(u);
    ck_assert(api_header_value_ok("org_abc123"));
    ck_assert(!api_header_value_ok("org\r\nX-Evil: 1"));
}
END_TEST

/* Issue 11 case 1: jansson's error text quotes the body ("near '"raph'"); a broken body is
 * described by status, length, content type and offset, never by its bytes. */
START_TEST(broken_body_is_described_never_quoted)
{
    static const char *const bodies[] = {
        "{\"code\":\"success\",\"data\":{\"patients\":[{\"id\":\"pat_1\",\"email\":\"raphael.w",
        "{\"data\":{\"patients\":[{\"id\":\"pat_1\",\"lastName\":\"Johnston\"}]}}Johnston",
        "Johnston, Raphael <raphael.johnston@example.com>",
        "{\"data\":{\"id\":\"pat_1\",\"firstName\":Johnston}}",
        "<html><body>Johnston</body></html>",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        for (int st = 200; st <= 302; st += 102) { /* 200 and 302 */
            struct api_response resp = {.endpoint = API_PATIENTS, .transport = API_TR_OK,
                                        .status = st, .body = bodies[i],
                                        .len = strlen(bodies[i]),
                                        .content_type = "text/html; charset=utf-8"};
            struct api_result r;
            api_interpret(&resp, &r);
            ck_assert_int_eq(r.cls, API_BAD_RESPONSE);
            ck_assert_msg(!strstr(r.summary, "raph") && !strstr(r.summary, "John") &&
                              !strstr(r.summary, "near"),
                          "body %zu quoted: %s", i, r.summary);
            ck_assert_ptr_null(r.err.message);
            ck_assert_ptr_null(r.err.code);
            if (st == 200) {
                char len[32];
                snprintf(len, sizeof len, "of %zu", strlen(bodies[i]));
                ck_assert_msg(strstr(r.summary, len) || i == 1 || i == 3,
                              "no length: %s", r.summary);
            }
            api_result_free(&r);
        }
    }
    struct api_response resp = {.endpoint = API_ME, .transport = API_TR_OK, .status = 200,
                                .body = "{\"a\":\"raph", .len = 10,
                                .content_type = "application/json"};
    struct api_result r;
    api_interpret(&resp, &r);
    ck_assert_str_eq(r.summary, "200 but the body is not JSON (it ends early at byte 10 of 10, "
                                "application/json)");
    api_result_free(&r);
    resp.content_type = "text/\x1b]52;raph";
    api_interpret(&resp, &r);
    ck_assert_ptr_nonnull(strstr(r.summary, "an unreadable content type"));
    api_result_free(&r);
}
END_TEST

SUITE(api)
{
    Suite *s = suite_create("api");
    TCase *tc = tcase_create("api");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, me_documented_example);
    tcase_add_test(tc, me_older_docs_scopes_under_app);
    tcase_add_test(tc, me_wrong_types_are_a_bad_response);
    tcase_add_test(tc, deep_nesting_is_refused_not_crashed);
    tcase_add_test(tc, huge_string_is_kept_and_sanitized);
    tcase_add_test(tc, patients_page_tolerates_nulls_and_unknowns);
    tcase_add_test(tc, patients_page_wrong_types);
    tcase_add_test(tc, errors_by_status_with_envelope);
    tcase_add_test(tc, errors_without_json_are_classified_by_status);
    tcase_add_test(tc, hostile_error_text_is_sanitized);
    tcase_add_test(tc, transport_failures);
    tcase_add_test(tc, rate_limit_headers);
    tcase_add_test(tc, urls_and_headers);
    tcase_add_test(tc, broken_body_is_described_never_quoted);
    suite_add_tcase(s, tc);
    return s;
}
