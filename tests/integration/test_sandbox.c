/* maxdash-sandbox against the API contract (shared/api/maxcare-v1.md) and its own
 * specification (assets/sandbox/README.md): authentication, envelopes, scopes,
 * /marketplace/me, pagination, search, detail lookups, order of checks, rate limits. */
#include "testing.h"

#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proc.h"
#include "sandbox_proc.h"

#define ME "/marketplace/me"
#define PATIENTS "/patients"

/* ---- /marketplace/me ------------------------------------------------------------------ */

START_TEST(me_returns_app_org_and_effective_scopes)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    struct http_resp r;
    sbt_get(&sb, ME, K_ACTIVE, "org_a", &r);
    json_t *root;
    ASSERT_API_OK(&r, root);
    ASSERT_RATELIMIT(&r);
    ck_assert_str_eq(sbt_jstr(root, "data.app.id"), "app_test");
    ck_assert_str_eq(sbt_jstr(root, "data.app.slug"), "test-app");
    ck_assert_str_eq(sbt_jstr(root, "data.app.liveVersionId"), "ver_1");
    ck_assert_str_eq(sbt_jstr(root, "data.organization.id"), "org_a");
    /* key {patients, appointments} ∩ install {patients, appointments, marketplace} */
    const char *want[] = {"read:patients", "read:appointments", NULL};
    ck_assert_msg(sbt_jstrset(root, "data.scopes", want), "scopes: %s", r.body);
    json_decref(root);
    http_resp_free(&r);
    sandbox_free(&sb);
}
END_TEST

START_TEST(me_scopes_are_the_intersection)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    struct http_resp r;
    /* key {patients, appointments} ∩ install {appointments, marketplace} */
    sbt_get(&sb, ME, K_ACTIVE, "org_noscope", &r);
    json_t *root;
    ASSERT_API_OK(&r, root);
    const char *want[] = {"read:appointments", NULL};
    ck_assert_msg(sbt_jstrset(root, "data.scopes", want), "scopes: %s", r.body);
    ck_assert_str_eq(sbt_jstr(root, "data.organization.id"), "org_noscope");
    json_decref(root);
    http_resp_free(&r);
    sandbox_free(&sb);
}
END_TEST

START_TEST(me_defaults_for_an_app_without_slug_or_version)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    struct http_resp r;
    sbt_get(&sb, ME, K_OTHER, "org_a", &r);
    json_t *root;
    ASSERT_API_OK(&r, root);
    ck_assert_str_eq(sbt_jstr(root, "data.app.id"), "app_other");
    ck_assert_str_eq(sbt_jstr(root, "data.app.slug"), "app_other");
    json_t *live = sbt_jget(root, "data.app.liveVersionId");
    ck_assert_msg(live && json_is_null(live), "liveVersionId must be present and null: %s",
                  r.body);
    const char *want[] = {"read:patients", NULL};
    ck_assert_msg(sbt_jstrset(root, "data.scopes", want), "scopes: %s", r.body);
    json_decref(root);
    http_resp_free(&r);
    sandbox_free(&sb);
}
END_TEST

START_TEST(me_requires_scope_when_the_key_says_so)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    struct http_resp r;
    json_t *root;
    sbt_get(&sb, ME, K_MESCOPE, "org_a", &r);
    ASSERT_API_ERROR(&r, 403, "forbidden", "Insufficient scope. Required: read:marketplace");
    ASSERT_RATELIMIT(&r);
    http_resp_free(&r);

    sbt_get(&sb, ME, K_MEOK, "org_a", &r);
    ASSERT_API_OK(&r, root);
    const char *want[] = {"read:patients", "read:marketplace", NULL};
    ck_assert_msg(sbt_jstrset(root, "data.scopes", want), "scopes: %s", r.body);
    json_decref(root);
    http_resp_free(&r);

    /* The key has read:marketplace but org_gen's install does not grant it. */
    sbt_get(&sb, ME, K_MEOK, "org_gen", &r);
    ASSERT_API_ERROR(&r, 403, "forbidden", "Insufficient scope. Required: read:marketplace");
    http_resp_free(&r);

    /* Without the flag, a key lacking read:marketplace still gets 200. */
    sbt_get(&sb, ME, K_ACTIVE, "org_gen", &r);
    ASSERT_API_OK(&r, root);
    json_decref(root);
    http_resp_free(&r);
    sandbox_free(&sb);
}
END_TEST

/* ---- 401 / 400 / 404 / 403 ------------------------------------------------------------ */

START_TEST(unauthorized_for_every_bad_authorization)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    static const struct {
        const char *what, *authorization, *key;
    } cases[] = {
        {"no header", NULL, NULL},
        {"Basic scheme", "Basic dXNlcjpwYXNz", NULL},
        {"Bearer without token", "Bearer", NULL},
        {"Bearer and a space only", "Bearer ", NULL},
        {"key without Bearer prefix", K_ACTIVE, NULL},
        {"Token scheme", "Token " K_ACTIVE, NULL},
        {"unknown key", NULL, K_UNKNOWN},
        {"revoked key", NULL, K_REVOKED},
        {"expired key", NULL, K_EXPIRED},
        {"key with a suffix", NULL, K_ACTIVE "x"},
        {"prefix of a key", NULL, "max_dev_ak_TESTactive000000000"},
    };
    const char *paths[] = {ME, PATIENTS, PATIENTS "/" PAT_SARAH};
    for (size_t p = 0; p < 3; p++) {
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            char url[512];
            struct http_req q = {.url = sandbox_url(&sb, paths[p], url, sizeof url),
                                 .authorization = cases[i].authorization,
                                 .key = cases[i].key,
                                 .org = "org_a"};
            struct http_resp r;
            http_do(&q, &r);
            const char *why = sbt_check_error(&r, 401, "unauthorized", "Invalid or missing API key");
            ck_assert_msg(why == NULL, "%s on %s: %s", cases[i].what, paths[p], why);
            why = sbt_check_ratelimit(&r);
            ck_assert_msg(why == NULL, "%s on %s: %s", cases[i].what, paths[p], why);
            http_resp_free(&r);
        }
    }
    sandbox_free(&sb);
}
END_TEST

START_TEST(unknown_key_counts_against_no_app)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    struct http_resp r;
    for (int i = 0; i < 3; i++) {
        sbt_get(&sb, ME, K_UNKNOWN, "org_a", &r);
        ASSERT_API_ERROR(&r, 401, "unauthorized", "Invalid or missing API key");
        ck_assert_str_eq(http_header(&r, "X-RateLimit-Limit"), "1000");
        ck_assert_str_eq(http_header(&r, "X-RateLimit-Remaining"), "1000");
        http_resp_free(&r);
    }
    /* ... and those requests did not use up app_test's window either. */
    sbt_get(&sb, ME, K_ACTIVE, "org_a", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(http_header(&r, "X-RateLimit-Remaining"), "999");
    http_resp_free(&r);
    sandbox_free(&sb);
}
END_TEST

START_TEST(missing_organization_header_is_400)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    const char *paths[] = {ME, PATIENTS, PATIENTS "?pageSize=5", PATIENTS "/" PAT_SARAH};
    for (size_t i = 0; i < 4; i++) {
        struct http_resp r;
        sbt_get(&sb, paths[i], K_ACTIVE, NULL, &r);
        const char *why =
            sbt_check_error(&r, 400, "bad_request", "'X-Organization-Id' is required");
        ck_assert_msg(why == NULL, "%s: %s", paths[i], why);
        ASSERT_RATELIMIT(&r);
        http_resp_free(&r);
    }
    sandbox_free(&sb);
}
END_TEST

START_TEST(organization_without_install_is_404)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    const char *orgs[] = {"org_none", "org_doesnotexist", "ORG_A", "org_a "};
    const char *paths[] = {ME, PATIENTS, PATIENTS "/" PAT_SARAH};
    for (size_t o = 0; o < 4; o++) {
        for (size_t p = 0; p < 3; p++) {
            struct http_resp r;
            sbt_get(&sb, paths[p], K_ACTIVE, orgs[o], &r);
            /* "org_a " may reach the server trimmed: that is org_a, so skip it for 200s. */
            if (o == 3 && r.status == 200) {
                http_resp_free(&r);
                continue;
            }
            const char *why = sbt_check_error(&r, 404, "not_found", "Organization not found");
            ck_assert_msg(why == NULL, "org '%s' %s: %s", orgs[o], paths[p], why);
            ASSERT_RATELIMIT(&r);
            http_resp_free(&r);
        }
    }
    /* app_other is installed on org_a only. */
    struct http_resp r;
    sbt_get(&sb, ME, K_OTHER, "org_gen", &r);
    ASSERT_API_ERROR(&r, 404, "not_found", "Organization not found");
    http_resp_free(&r);
    sandbox_free(&sb);
}
END_TEST

START_TEST(key_without_read_patients_is_403)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    const char *paths[] = {PATIENTS, PATIENTS "?page=1&pageSize=10&search=john",
                           PATIENTS "/" PAT_SARAH};
    for (size_t i = 0; i < 3; i++) {
        struct http_resp r;
        sbt_get(&sb, paths[i], K_APPTS, "org_a", &r);
        const char *why =
            sbt_check_error(&r, 403, "forbidden", "Insufficient scope. Required: read:patients");
        ck_assert_msg(why == NULL, "%s: %s", paths[i], why);
        ASSERT_RATELIMIT(&r);
        http_resp_free(&r);
    }
    sandbox_free(&sb);
}
END_TEST

START_TEST(install_without_read_patients_is_403)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    const char *paths[] = {PATIENTS, PATIENTS "/" PAT_SARAH};
    for (size_t i = 0; i < 2; i++) {
        struct http_resp r;
        /* The key has read:patients; org_noscope's install does not grant it. */
        sbt_get(&sb, paths[i], K_ACTIVE, "org_noscope", &r);
        const char *why =
            sbt_check_error(&r, 403, "forbidden", "Insufficient scope. Required: read:patients");
        ck_assert_msg(why == NULL, "%s: %s", paths[i], why);
        http_resp_free(&r);
    }
    sandbox_free(&sb);
}
END_TEST

START_TEST(checks_run_in_the_documented_order)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    static const struct {
        const char *what, *method, *path, *key, *org;
        long status;
        const char *code, *message;
    } cases[] = {
        {"revoked key + no org header", NULL, PATIENTS, K_REVOKED, NULL, 401, "unauthorized",
         "Invalid or missing API key"},
        {"no key + org not installed", NULL, PATIENTS, NULL, "org_none", 401, "unauthorized",
         "Invalid or missing API key"},
        {"unknown key + bad pageSize", NULL, PATIENTS "?pageSize=0", K_UNKNOWN, "org_a", 401,
         "unauthorized", "Invalid or missing API key"},
        {"no key + unknown route", NULL, "/nope", NULL, "org_a", 401, "unauthorized",
         "Invalid or missing API key"},
        {"no key + POST", "POST", PATIENTS, NULL, "org_a", 401, "unauthorized",
         "Invalid or missing API key"},
        {"no org header + unknown route", NULL, "/nope", K_ACTIVE, NULL, 400, "bad_request",
         "'X-Organization-Id' is required"},
        {"no org header + bad page", NULL, PATIENTS "?page=0", K_APPTS, NULL, 400, "bad_request",
         "'X-Organization-Id' is required"},
        {"not installed + missing scope + bad pageSize", NULL, PATIENTS "?pageSize=0", K_APPTS,
         "org_none", 404, "not_found", "Organization not found"},
        {"not installed + unknown route", NULL, "/nope", K_ACTIVE, "org_none", 404, "not_found",
         "Organization not found"},
        {"missing scope + bad pageSize", NULL, PATIENTS "?pageSize=0", K_APPTS, "org_a", 403,
         "forbidden", "Insufficient scope. Required: read:patients"},
        {"missing scope (install) + bad page", NULL, PATIENTS "?page=abc", K_ACTIVE, "org_noscope",
         403, "forbidden", "Insufficient scope. Required: read:patients"},
        {"missing scope + malformed id", NULL, PATIENTS "/not-an-id", K_APPTS, "org_a", 403,
         "forbidden", "Insufficient scope. Required: read:patients"},
        {"missing scope + unknown patient", NULL, PATIENTS "/pat_ZZZZZZZZZZZZ", K_APPTS, "org_a",
         403, "forbidden", "Insufficient scope. Required: read:patients"},
        {"malformed id", NULL, PATIENTS "/not-an-id", K_ACTIVE, "org_a", 400, "bad_request",
         "'id' must be a valid ID"},
        {"unknown route", NULL, "/nope", K_ACTIVE, "org_a", 404, "not_found", "Route not found"},
        {"unknown route under /patients", NULL, PATIENTS "/" PAT_SARAH "/visits", K_ACTIVE,
         "org_a", 404, "not_found", "Route not found"},
        {"POST on /patients", "POST", PATIENTS, K_ACTIVE, "org_a", 405, "method_not_allowed",
         NULL},
        {"DELETE on /marketplace/me", "DELETE", ME, K_ACTIVE, "org_a", 405, "method_not_allowed",
         NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char url[512];
        struct http_req q = {.method = cases[i].method,
                             .url = sandbox_url(&sb, cases[i].path, url, sizeof url),
                             .key = cases[i].key,
                             .org = cases[i].org};
        struct http_resp r;
        http_do(&q, &r);
        const char *why = sbt_check_error(&r, cases[i].status, cases[i].code, cases[i].message);
        ck_assert_msg(why == NULL, "%s: %s", cases[i].what, why);
        why = sbt_check_ratelimit(&r);
        ck_assert_msg(why == NULL, "%s: %s", cases[i].what, why);
        http_resp_free(&r);
    }
    sandbox_free(&sb);
}
END_TEST

START_TEST(error_envelope_is_exact_and_trace_ids_are_fresh)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    char *seen[40];
    size_t n = 0;
    for (int round = 0; round < 5; round++) {
        static const struct {
            const char *path, *key, *org;
            long status;
        } cases[] = {
            {ME, NULL, "org_a", 401},
            {PATIENTS, K_ACTIVE, NULL, 400},
            {PATIENTS, K_ACTIVE, "org_none", 404},
            {PATIENTS, K_APPTS, "org_a", 403},
            {PATIENTS "?pageSize=101", K_ACTIVE, "org_a", 400},
            {PATIENTS "/pat_ZZZZZZZZZZZZ", K_ACTIVE, "org_a", 404},
        };
        for (size_t i = 0; i < 6; i++) {
            struct http_resp r;
            sbt_get(&sb, cases[i].path, cases[i].key, cases[i].org, &r);
            ASSERT_API_ERROR(&r, cases[i].status, NULL, NULL);
            json_t *j = http_json(&r);
            const char *t = sbt_jstr(j, "trace_id");
            for (size_t k = 0; k < n; k++)
                ck_assert_msg(strcmp(seen[k], t) != 0, "trace_id %s repeated", t);
            if (n < 40)
                seen[n++] = strdup(t);
            json_decref(j);
            http_resp_free(&r);
        }
    }
    ck_assert_uint_eq(n, 30);
    for (size_t k = 0; k < n; k++)
        free(seen[k]);
    sandbox_free(&sb);
}
END_TEST

START_TEST(ratelimit_headers_on_every_response)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    static const struct {
        const char *path, *key, *org;
        long status;
    } cases[] = {
        {ME, K_ACTIVE, "org_a", 200},
        {PATIENTS, K_ACTIVE, "org_a", 200},
        {PATIENTS "/" PAT_SARAH, K_ACTIVE, "org_a", 200},
        {PATIENTS "?page=9", K_ACTIVE, "org_a", 200},
        {ME, NULL, "org_a", 401},
        {ME, K_REVOKED, "org_a", 401},
        {PATIENTS, K_ACTIVE, NULL, 400},
        {PATIENTS "?pageSize=0", K_ACTIVE, "org_a", 400},
        {PATIENTS, K_ACTIVE, "org_none", 404},
        {PATIENTS "/pat_ZZZZZZZZZZZZ", K_ACTIVE, "org_a", 404},
        {"/nope", K_ACTIVE, "org_a", 404},
        {PATIENTS, K_APPTS, "org_a", 403},
    };
    long long prev_remaining = -1;
    long long before = (long long)time(NULL);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct http_resp r;
        sbt_get(&sb, cases[i].path, cases[i].key, cases[i].org, &r);
        ck_assert_msg(r.status == cases[i].status, "%s: HTTP %ld, expected %ld", cases[i].path,
                      r.status, cases[i].status);
        const char *why = sbt_check_ratelimit(&r);
        ck_assert_msg(why == NULL, "%s (%ld): %s", cases[i].path, r.status, why);
        ck_assert_str_eq(http_header(&r, "X-RateLimit-Limit"), "1000");
        long long reset = atoll(http_header(&r, "X-RateLimit-Reset"));
        ck_assert_msg(reset >= before && reset <= (long long)time(NULL) + 61,
                      "X-RateLimit-Reset %lld not within the 60 s window", reset);
        ck_assert_msg(http_header(&r, "Retry-After") == NULL, "Retry-After on a non-429");
        if (cases[i].key && strcmp(cases[i].key, K_REVOKED) != 0) {
            /* A valid key of app_test: each request uses one more of the window. */
            long long rem = atoll(http_header(&r, "X-RateLimit-Remaining"));
            if (prev_remaining >= 0)
                ck_assert_msg(rem == prev_remaining - 1, "%s: Remaining %lld after %lld",
                              cases[i].path, rem, prev_remaining);
            else
                ck_assert_int_eq(rem, 999);
            prev_remaining = rem;
        }
        http_resp_free(&r);
    }
    sandbox_free(&sb);
}
END_TEST

/* ---- pagination ----------------------------------------------------------------------- */

static json_t *get_ok(const struct sandbox *sb, const char *path, const char *org)
{
    struct http_resp r;
    sbt_get(sb, path, K_ACTIVE, org, &r);
    json_t *root;
    const char *why = sbt_check_ok(&r, &root);
    ck_assert_msg(why == NULL, "%s: %s", path, why);
    http_resp_free(&r);
    return root;
}

static void assert_page(json_t *root, long long page, long long size, long long total,
                        long long pages, size_t n)
{
    ck_assert_msg(json_is_array(sbt_jget(root, "data.patients")), "data.patients not an array");
    ck_assert_uint_eq(json_array_size(sbt_jget(root, "data.patients")), n);
    ck_assert_int_eq(sbt_jint(root, "data.pagination.page"), page);
    ck_assert_int_eq(sbt_jint(root, "data.pagination.pageSize"), size);
    ck_assert_int_eq(sbt_jint(root, "data.pagination.totalCount"), total);
    ck_assert_int_eq(sbt_jint(root, "data.pagination.totalPages"), pages);
}

START_TEST(pagination_defaults_to_page_1_of_100)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    json_t *root = get_ok(&sb, PATIENTS, "org_gen");
    ck_assert_uint_eq(json_object_size(sbt_jget(root, "data")), 2);
    ck_assert_uint_eq(json_object_size(sbt_jget(root, "data.pagination")), 4);
    assert_page(root, 1, 100, 250, 3, 100);
    json_decref(root);
    root = get_ok(&sb, PATIENTS "?page=2", "org_gen");
    assert_page(root, 2, 100, 250, 3, 100);
    json_decref(root);
    root = get_ok(&sb, PATIENTS "?pageSize=7", "org_gen");
    assert_page(root, 1, 7, 250, 36, 7);
    json_decref(root);
    sandbox_free(&sb);
}
END_TEST

static size_t collect_ids(json_t *root, char **ids, size_t n, size_t cap)
{
    size_t i;
    json_t *p;
    json_array_foreach(sbt_jget(root, "data.patients"), i, p) {
        const char *id = json_string_value(json_object_get(p, "id"));
        ck_assert_msg(id != NULL, "patient without a string id");
        for (size_t k = 0; k < n; k++)
            ck_assert_msg(strcmp(ids[k], id) != 0, "patient %s on two pages", id);
        ck_assert_uint_lt(n, cap);
        ids[n++] = strdup(id);
    }
    return n;
}

START_TEST(pages_add_up_to_the_total)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    char *ids[300];
    size_t n = 0;
    const size_t sizes[] = {100, 100, 50};
    for (int page = 1; page <= 3; page++) {
        char path[128];
        snprintf(path, sizeof path, PATIENTS "?page=%d&pageSize=100", page);
        json_t *root = get_ok(&sb, path, "org_gen");
        assert_page(root, page, 100, 250, 3, sizes[page - 1]);
        n = collect_ids(root, ids, n, 300);
        json_decref(root);
    }
    ck_assert_uint_eq(n, 250);
    /* The same patients, 7 at a time: 35 full pages and one of 5, in the same order. */
    size_t m = 0;
    for (int page = 1; page <= 36; page++) {
        char path[128];
        snprintf(path, sizeof path, PATIENTS "?pageSize=7&page=%d", page);
        json_t *root = get_ok(&sb, path, "org_gen");
        assert_page(root, page, 7, 250, 36, page < 36 ? 7 : 5);
        size_t i;
        json_t *p;
        json_array_foreach(sbt_jget(root, "data.patients"), i, p) {
            ck_assert_str_eq(json_string_value(json_object_get(p, "id")), ids[m]);
            m++;
        }
        json_decref(root);
    }
    ck_assert_uint_eq(m, 250);
    for (size_t k = 0; k < n; k++)
        free(ids[k]);
    sandbox_free(&sb);
}
END_TEST

START_TEST(page_past_the_end_is_empty_with_true_totals)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    json_t *root = get_ok(&sb, PATIENTS "?page=4", "org_gen");
    assert_page(root, 4, 100, 250, 3, 0);
    json_decref(root);
    root = get_ok(&sb, PATIENTS "?page=99999&pageSize=10", "org_gen");
    assert_page(root, 99999, 10, 250, 25, 0);
    json_decref(root);
    root = get_ok(&sb, PATIENTS "?page=2&pageSize=5", "org_a");
    assert_page(root, 2, 5, 5, 1, 0);
    json_decref(root);
    sandbox_free(&sb);
}
END_TEST

START_TEST(no_patients_means_zero_pages)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    json_t *root = get_ok(&sb, PATIENTS, "org_empty");
    assert_page(root, 1, 100, 0, 0, 0);
    json_decref(root);
    root = get_ok(&sb, PATIENTS "?search=nobody-at-all", "org_a");
    assert_page(root, 1, 100, 0, 0, 0);
    json_decref(root);
    root = get_ok(&sb, PATIENTS "?page=3&pageSize=1", "org_empty");
    assert_page(root, 3, 1, 0, 0, 0);
    json_decref(root);
    sandbox_free(&sb);
}
END_TEST

START_TEST(bad_pagination_parameters_are_400)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    const char *bad_size[] = {"0", "101", "abc", "-1", "1.5", "1e2", "100000000000000000000",
                              "5x", "%2B5"};
    for (size_t i = 0; i < sizeof bad_size / sizeof bad_size[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, PATIENTS "?pageSize=%s", bad_size[i]);
        struct http_resp r;
        sbt_get(&sb, path, K_ACTIVE, "org_gen", &r);
        const char *why =
            sbt_check_error(&r, 400, "bad_request", "'pageSize' must be between 1 and 100");
        ck_assert_msg(why == NULL, "pageSize=%s: %s", bad_size[i], why);
        ASSERT_RATELIMIT(&r);
        http_resp_free(&r);
    }
    const char *bad_page[] = {"0", "-1", "abc", "1.0", "", "2x"};
    for (size_t i = 0; i < sizeof bad_page / sizeof bad_page[0]; i++) {
        if (bad_page[i][0] == '\0')
            continue; /* an empty value may be read as absent */
        char path[128];
        snprintf(path, sizeof path, PATIENTS "?page=%s&pageSize=10", bad_page[i]);
        struct http_resp r;
        sbt_get(&sb, path, K_ACTIVE, "org_gen", &r);
        const char *why =
            sbt_check_error(&r, 400, "bad_request", "'page' must be a positive integer");
        ck_assert_msg(why == NULL, "page=%s: %s", bad_page[i], why);
        http_resp_free(&r);
    }
    /* The limits themselves are fine. */
    json_t *root = get_ok(&sb, PATIENTS "?pageSize=1", "org_gen");
    assert_page(root, 1, 1, 250, 250, 1);
    json_decref(root);
    root = get_ok(&sb, PATIENTS "?pageSize=100&page=1", "org_gen");
    assert_page(root, 1, 100, 250, 3, 100);
    json_decref(root);
    sandbox_free(&sb);
}
END_TEST

/* ---- search --------------------------------------------------------------------------- */

static void assert_search(const struct sandbox *sb, const char *query, const char *const ids[])
{
    char path[256];
    snprintf(path, sizeof path, PATIENTS "?search=%s", query);
    json_t *root = get_ok(sb, path, "org_a");
    size_t want = 0;
    while (ids[want])
        want++;
    json_t *list = sbt_jget(root, "data.patients");
    ck_assert_msg(json_array_size(list) == want, "search=%s: %zu results, expected %zu", query,
                  json_array_size(list), want);
    ck_assert_int_eq(sbt_jint(root, "data.pagination.totalCount"), (long long)want);
    ck_assert_int_eq(sbt_jint(root, "data.pagination.totalPages"), want ? 1 : 0);
    for (size_t k = 0; k < want; k++) {
        bool found = false;
        size_t i;
        json_t *p;
        json_array_foreach(list, i, p) {
            if (strcmp(json_string_value(json_object_get(p, "id")), ids[k]) == 0)
                found = true;
        }
        ck_assert_msg(found, "search=%s: %s missing", query, ids[k]);
    }
    json_decref(root);
}

START_TEST(search_is_case_insensitive_on_names_and_mrn)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    const char *john[] = {PAT_SARAH, PAT_JOHN, PAT_ANA, NULL}; /* Johnson, John, Johnston */
    assert_search(&sb, "john", john);
    assert_search(&sb, "JOHN", john);
    assert_search(&sb, "jOhN", john);
    const char *sarah[] = {PAT_SARAH, NULL};
    assert_search(&sb, "marie", sarah);               /* middle name */
    assert_search(&sb, "SARAH%20JOHNSON", sarah);     /* "first last" */
    assert_search(&sb, "mrn-1004", sarah);            /* MRN-10042 */
    assert_search(&sb, "10042", sarah);
    const char *ana[] = {PAT_ANA, NULL};
    assert_search(&sb, "MRN-3000", ana);              /* mrn-30001 */
    const char *jose[] = {PAT_JOSE, NULL};
    assert_search(&sb, "garc", jose);                 /* García */
    const char *wei[] = {PAT_WEI, NULL};
    assert_search(&sb, "zHaNg", wei);
    const char *none[] = {NULL};
    assert_search(&sb, "nobody", none);
    assert_search(&sb, "sarah.johnson", none);        /* email is not searched */
    assert_search(&sb, "555", none);                  /* phone is not searched */
    sandbox_free(&sb);
}
END_TEST

START_TEST(search_results_paginate)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    json_t *root = get_ok(&sb, PATIENTS "?search=JoHn&pageSize=2", "org_a");
    assert_page(root, 1, 2, 3, 2, 2);
    json_decref(root);
    root = get_ok(&sb, PATIENTS "?search=john&pageSize=2&page=2", "org_a");
    assert_page(root, 2, 2, 3, 2, 1);
    json_decref(root);
    root = get_ok(&sb, PATIENTS "?search=john&pageSize=2&page=3", "org_a");
    assert_page(root, 3, 2, 3, 2, 0);
    json_decref(root);
    sandbox_free(&sb);
}
END_TEST

/* ---- /patients/{id} ------------------------------------------------------------------- */

START_TEST(patient_detail_is_served_as_given)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    json_t *root = get_ok(&sb, PATIENTS "/" PAT_SARAH, "org_a");
    json_error_t e;
    json_t *want = json_loads(sandbox_test_sarah, 0, &e);
    ck_assert_ptr_nonnull(want);
    ck_assert_msg(json_equal(sbt_jget(root, "data"), want), "detail differs from the data file");
    json_decref(want);
    json_decref(root);

    root = get_ok(&sb, PATIENTS "/" PAT_ANA, "org_a");
    ck_assert_str_eq(sbt_jstr(root, "data.id"), PAT_ANA);
    ck_assert_str_eq(sbt_jstr(root, "data.lastName"), "Johnston");
    json_decref(root);
    root = get_ok(&sb, PATIENTS "/" PAT_WEI, "org_a");
    ck_assert_str_eq(sbt_jstr(root, "data.firstName"), "Wei");
    json_decref(root);
    root = get_ok(&sb, PATIENTS "/" PAT_JOSE, "org_a");
    ck_assert_str_eq(sbt_jstr(root, "data.firstName"), "Jos\xc3\xa9");
    ck_assert_msg(json_is_null(sbt_jget(root, "data.dateOfBirth")), "dateOfBirth not null");
    json_decref(root);

    /* The list shows the same object. */
    root = get_ok(&sb, PATIENTS "?search=sarah", "org_a");
    want = json_loads(sandbox_test_sarah, 0, &e);
    ck_assert_msg(json_equal(sbt_jget(root, "data.patients.0"), want), "list entry differs");
    json_decref(want);
    json_decref(root);
    sandbox_free(&sb);
}
END_TEST

START_TEST(patient_detail_errors)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    static const struct {
        const char *id;
        long status;
        const char *message;
    } cases[] = {
        {"pat_ZZZZZZZZZZ", 404, "Patient not found"},                 /* 10 characters */
        {"pat_01J5K8N2XRQV3M7YGWT4HB6E9X", 404, "Patient not found"},
        {"00000000-0000-4000-8000-000000000000", 404, "Patient not found"},
        {"not-an-id", 400, "'id' must be a valid ID"},
        {"pat_123", 400, "'id' must be a valid ID"},                  /* too short */
        {"pat_123456789", 400, "'id' must be a valid ID"},            /* 9 characters */
        {"pat_0123456789012345678901234567890123456789012345678901234567890123456789", 400,
         "'id' must be a valid ID"},                                   /* 70 characters */
        {"pat_abc%24def12345", 400, "'id' must be a valid ID"},       /* '$' */
        {"pat_abc-def12345", 400, "'id' must be a valid ID"},
        {"12345", 400, "'id' must be a valid ID"},
        {"3f6c1d2e8a4b4c5d9e7f0a1b2c3d4e5f", 400, "'id' must be a valid ID"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[256];
        snprintf(path, sizeof path, PATIENTS "/%s", cases[i].id);
        struct http_resp r;
        sbt_get(&sb, path, K_ACTIVE, "org_a", &r);
        const char *why = sbt_check_error(&r, cases[i].status,
                                          cases[i].status == 404 ? "not_found" : "bad_request",
                                          cases[i].message);
        ck_assert_msg(why == NULL, "id %s: %s", cases[i].id, why);
        ASSERT_RATELIMIT(&r);
        http_resp_free(&r);
    }
    /* Sarah belongs to org_a: not visible to org_gen. */
    struct http_resp r;
    sbt_get(&sb, PATIENTS "/" PAT_SARAH, K_ACTIVE, "org_gen", &r);
    ASSERT_API_ERROR(&r, 404, "not_found", "Patient not found");
    http_resp_free(&r);
    sandbox_free(&sb);
}
END_TEST

/* ---- generated patients --------------------------------------------------------------- */

/* Bit set of the scripts used in s: 1 Latin accents, 2 Greek, 4 Cyrillic, 8 Hebrew,
 * 16 Arabic, 32 Devanagari, 64 CJK. */
static unsigned scripts_of(const char *s)
{
    unsigned set = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned cp;
        if (*p < 0x80) {
            p++;
            continue;
        } else if ((*p & 0xE0) == 0xC0 && p[1]) {
            cp = ((unsigned)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
            p += 2;
        } else if ((*p & 0xF0) == 0xE0 && p[1] && p[2]) {
            cp = ((unsigned)(p[0] & 0x0F) << 12) | ((unsigned)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
            p += 3;
        } else {
            p++;
            continue;
        }
        if (cp >= 0xC0 && cp <= 0x24F)
            set |= 1;
        else if (cp >= 0x370 && cp <= 0x3FF)
            set |= 2;
        else if (cp >= 0x400 && cp <= 0x4FF)
            set |= 4;
        else if (cp >= 0x590 && cp <= 0x5FF)
            set |= 8;
        else if (cp >= 0x600 && cp <= 0x6FF)
            set |= 16;
        else if (cp >= 0x900 && cp <= 0x97F)
            set |= 32;
        else if (cp >= 0x4E00 && cp <= 0x9FFF)
            set |= 64;
    }
    return set;
}

static bool is_date(const char *s)
{
    int y, m, d;
    char tail;
    return s && strlen(s) == 10 && sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 &&
           y >= 1900 && y <= 2030 && m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

START_TEST(generated_patients_are_varied_and_realistic)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    static const char *nullable[] = {"mrn", "middleName", "gender", "dateOfBirth", "email",
                                     "phone"};
    int nulls[6] = {0}, values[6] = {0};
    unsigned scripts = 0;
    int ascii_names = 0;
    json_t *first = NULL;
    for (int page = 1; page <= 3; page++) {
        char path[64];
        snprintf(path, sizeof path, PATIENTS "?page=%d", page);
        json_t *root = get_ok(&sb, path, "org_gen");
        size_t i;
        json_t *p;
        json_array_foreach(sbt_jget(root, "data.patients"), i, p) {
            const char *id = json_string_value(json_object_get(p, "id"));
            ck_assert_ptr_nonnull(id);
            ck_assert_msg(strncmp(id, "pat_", 4) == 0 || strlen(id) == 36,
                          "generated id %s has no documented form", id);
            const char *fn = json_string_value(json_object_get(p, "firstName"));
            const char *ln = json_string_value(json_object_get(p, "lastName"));
            ck_assert_msg(fn && *fn && ln && *ln, "generated patient %s lacks a name", id);
            unsigned s = scripts_of(fn) | scripts_of(ln);
            scripts |= s;
            if (s == 0)
                ascii_names++;
            for (int k = 0; k < 6; k++) {
                json_t *v = json_object_get(p, nullable[k]);
                if (!v || json_is_null(v))
                    nulls[k]++;
                else if (json_is_string(v) && *json_string_value(v))
                    values[k]++;
            }
            const char *dob = json_string_value(json_object_get(p, "dateOfBirth"));
            ck_assert_msg(!dob || is_date(dob), "dateOfBirth %s is not YYYY-MM-DD", dob);
            const char *created = json_string_value(json_object_get(p, "createdAt"));
            ck_assert_msg(!created || (strlen(created) >= 20 && created[4] == '-' &&
                              created[10] == 'T' && created[strlen(created) - 1] == 'Z'),
                          "createdAt %s is not ISO-8601 UTC", created ? created : "(null)");
            const char *email = json_string_value(json_object_get(p, "email"));
            ck_assert_msg(!email || strchr(email, '@'), "email without @");
            if (!first && page == 2)
                first = json_incref(p);
        }
        json_decref(root);
    }
    for (int k = 0; k < 6; k++) {
        ck_assert_msg(nulls[k] > 0, "no generated patient has a null %s", nullable[k]);
        ck_assert_msg(values[k] > 0, "no generated patient has a %s", nullable[k]);
    }
    int n_scripts = __builtin_popcount(scripts);
    ck_assert_msg(n_scripts >= 4, "only %d non-ASCII scripts among 250 names (set 0x%x)",
                  n_scripts, scripts);
    ck_assert_msg(scripts & 64, "no CJK names");
    ck_assert_msg(scripts & (8 | 16), "no Arabic or Hebrew names");
    ck_assert_msg(ascii_names > 0, "no plain ASCII names at all");
    /* A generated patient can be looked up by its id. */
    char path[256];
    snprintf(path, sizeof path, PATIENTS "/%s", json_string_value(json_object_get(first, "id")));
    json_t *root = get_ok(&sb, path, "org_gen");
    ck_assert_msg(json_equal(sbt_jget(root, "data"), first), "detail differs from the list");
    json_decref(root);
    json_decref(first);
    sandbox_free(&sb);
}
END_TEST

static json_t *page_of(const char *data, const char *path)
{
    struct sandbox sb;
    sandbox_start(&sb, data, NULL);
    json_t *root = get_ok(&sb, path, "org_gen");
    json_t *list = json_incref(sbt_jget(root, "data.patients"));
    json_decref(root);
    sandbox_free(&sb);
    return list;
}

START_TEST(generated_patients_are_deterministic)
{
    json_t *a = page_of(sandbox_test_data, PATIENTS "?page=2&pageSize=50");
    json_t *b = page_of(sandbox_test_data, PATIENTS "?page=2&pageSize=50");
    ck_assert_uint_eq(json_array_size(a), 50);
    ck_assert_msg(json_equal(a, b), "same N and seed gave different patients in two runs");
    /* Another seed gives other patients. */
    char *other = strdup(sandbox_test_data);
    char *at = strstr(other, "\"generate\": 250, \"seed\": 7");
    ck_assert_ptr_nonnull(at);
    at[strlen("\"generate\": 250, \"seed\": ")] = '8';
    json_t *c = page_of(other, PATIENTS "?page=2&pageSize=50");
    ck_assert_msg(!json_equal(a, c), "seeds 7 and 8 gave the same patients");
    free(other);
    json_decref(a);
    json_decref(b);
    json_decref(c);
}
END_TEST

/* ---- rate limit ------------------------------------------------------------------------ */

START_TEST(rate_limit_per_app_answers_429)
{
    struct sandbox sb;
    const char *extra[] = {"--rate-limit", "5/60", NULL};
    sandbox_start(&sb, sandbox_test_data, extra);
    long long t0 = (long long)time(NULL);
    struct http_resp r;
    /* Five requests of app_test, over two keys and two orgs (the window is per app). */
    static const struct {
        const char *key, *org;
    } use[] = {{K_ACTIVE, "org_a"}, {K_ACTIVE, "org_gen"}, {K_MEOK, "org_a"},
               {K_ACTIVE, "org_a"}, {K_APPTS, "org_a"}};
    for (int i = 0; i < 5; i++) {
        sbt_get(&sb, ME, use[i].key, use[i].org, &r);
        ck_assert_msg(r.status == 200, "request %d: HTTP %ld", i + 1, r.status);
        ck_assert_str_eq(http_header(&r, "X-RateLimit-Limit"), "5");
        char want[8];
        snprintf(want, sizeof want, "%d", 4 - i);
        ck_assert_str_eq(http_header(&r, "X-RateLimit-Remaining"), want);
        if (i == 0) {
            long long reset = atoll(http_header(&r, "X-RateLimit-Reset"));
            ck_assert_msg(reset >= t0 + 59 && reset <= (long long)time(NULL) + 61,
                          "X-RateLimit-Reset %lld is not about 60 s from now (%lld)", reset, t0);
        }
        http_resp_free(&r);
    }
    /* The sixth, with any key of the app, on any org, on any path: 429. */
    const char *paths[] = {ME, PATIENTS, PATIENTS "/" PAT_SARAH};
    for (int i = 0; i < 3; i++) {
        sbt_get(&sb, paths[i], i == 1 ? K_MEOK : K_ACTIVE, i == 2 ? "org_gen" : "org_a", &r);
        ASSERT_API_ERROR(&r, 429, "rate_limit_exceeded",
                         "Rate limit exceeded. Maximum 5 requests per 60 seconds.");
        ASSERT_RATELIMIT(&r);
        ck_assert_str_eq(http_header(&r, "X-RateLimit-Remaining"), "0");
        const char *ra = http_header(&r, "Retry-After");
        ck_assert_msg(ra != NULL, "429 without Retry-After");
        char *end;
        long secs = strtol(ra, &end, 10);
        ck_assert_msg(*end == '\0' && secs >= 1 && secs <= 61, "Retry-After '%s'", ra);
        http_resp_free(&r);
    }
    /* The rate limit comes before the organization header check... */
    sbt_get(&sb, PATIENTS, K_ACTIVE, NULL, &r);
    ASSERT_API_ERROR(&r, 429, "rate_limit_exceeded", NULL);
    http_resp_free(&r);
    /* ... and after the key check. */
    sbt_get(&sb, PATIENTS, K_REVOKED, "org_a", &r);
    ASSERT_API_ERROR(&r, 401, "unauthorized", "Invalid or missing API key");
    http_resp_free(&r);
    /* Another app is not affected. */
    sbt_get(&sb, ME, K_OTHER, "org_a", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(http_header(&r, "X-RateLimit-Remaining"), "4");
    http_resp_free(&r);
    sandbox_free(&sb);
}
END_TEST

START_TEST(rate_limit_window_slides)
{
    struct sandbox sb;
    const char *extra[] = {"--rate-limit", "2/1", NULL};
    sandbox_start(&sb, sandbox_test_data, extra);
    struct http_resp r;
    for (int i = 0; i < 2; i++) {
        sbt_get(&sb, ME, K_ACTIVE, "org_a", &r);
        ck_assert_int_eq(r.status, 200);
        http_resp_free(&r);
    }
    long long t_full = test_now_ms();
    sbt_get(&sb, ME, K_ACTIVE, "org_a", &r);
    ASSERT_API_ERROR(&r, 429, "rate_limit_exceeded",
                     "Rate limit exceeded. Maximum 2 requests per 1 seconds.");
    ck_assert_str_eq(http_header(&r, "Retry-After"), "1");
    http_resp_free(&r);
    /* Within about a second the oldest request leaves the window. */
    long long deadline = test_now_ms() + 3000;
    long status = 0;
    while (test_now_ms() < deadline) {
        sbt_get(&sb, ME, K_ACTIVE, "org_a", &r);
        status = r.status;
        http_resp_free(&r);
        if (status == 200)
            break;
        ck_assert_int_eq(status, 429);
        poll(NULL, 0, 50);
    }
    ck_assert_msg(status == 200, "still limited 3 s after a 1 s window");
    ck_assert_msg(test_now_ms() - t_full >= 100, "the window emptied at once");
    sandbox_free(&sb);
}
END_TEST

SUITE(sandbox)
{
    Suite *s = suite_create("sandbox");
    TCase *tc = tcase_create("api");
    tcase_set_timeout(tc, 30);
    tcase_add_unchecked_fixture(tc, sandbox_tmp_setup, sandbox_tmp_teardown);
    tcase_add_test(tc, me_returns_app_org_and_effective_scopes);
    tcase_add_test(tc, me_scopes_are_the_intersection);
    tcase_add_test(tc, me_defaults_for_an_app_without_slug_or_version);
    tcase_add_test(tc, me_requires_scope_when_the_key_says_so);
    tcase_add_test(tc, unauthorized_for_every_bad_authorization);
    tcase_add_test(tc, unknown_key_counts_against_no_app);
    tcase_add_test(tc, missing_organization_header_is_400);
    tcase_add_test(tc, organization_without_install_is_404);
    tcase_add_test(tc, key_without_read_patients_is_403);
    tcase_add_test(tc, install_without_read_patients_is_403);
    tcase_add_test(tc, checks_run_in_the_documented_order);
    tcase_add_test(tc, error_envelope_is_exact_and_trace_ids_are_fresh);
    tcase_add_test(tc, ratelimit_headers_on_every_response);
    tcase_add_test(tc, pagination_defaults_to_page_1_of_100);
    tcase_add_test(tc, pages_add_up_to_the_total);
    tcase_add_test(tc, page_past_the_end_is_empty_with_true_totals);
    tcase_add_test(tc, no_patients_means_zero_pages);
    tcase_add_test(tc, bad_pagination_parameters_are_400);
    tcase_add_test(tc, search_is_case_insensitive_on_names_and_mrn);
    tcase_add_test(tc, search_results_paginate);
    tcase_add_test(tc, patient_detail_is_served_as_given);
    tcase_add_test(tc, patient_detail_errors);
    tcase_add_test(tc, generated_patients_are_varied_and_realistic);
    tcase_add_test(tc, generated_patients_are_deterministic);
    tcase_add_test(tc, rate_limit_per_app_answers_429);
    tcase_add_test(tc, rate_limit_window_slides);
    suite_add_tcase(s, tc);
    return s;
}
