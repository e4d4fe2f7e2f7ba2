#include "testing.h"

#include <stdlib.h>
#include <string.h>

#include "explain.h"

/* A config of three orgs sharing key "shared" and one org with key "solo", built by hand. */
static struct config cfg;
static struct config_key keys[2];
static struct config_org orgs[4];
static struct model m;

static void setup(void)
{
    memset(&cfg, 0, sizeof cfg);
    memset(keys, 0, sizeof keys);
    memset(orgs, 0, sizeof orgs);
    keys[0].name = "shared";
    keys[0].value = "max_dev_ak_TESTsharedkey0000000001";
    keys[1].name = "solo";
    keys[1].value = "max_dev_ak_TESTsolokey000000000001";
    const char *names[] = {"westla", "north", "south", "harbor"};
    const char *ids[] = {"org_westla", "org_north", "org_south", "org_harbor"};
    for (int i = 0; i < 4; i++) {
        orgs[i].name = (char *)names[i];
        orgs[i].id = (char *)ids[i];
        orgs[i].key = &keys[i == 3 ? 1 : 0];
        orgs[i].key_name = orgs[i].key->name;
    }
    cfg.keys = keys;
    cfg.nkeys = 2;
    cfg.orgs = orgs;
    cfg.norgs = 4;
    cfg.set.refresh = 30;
    cfg.set.rate_budget = 100;
    cfg.set.base_url = "https://api.maxcare.ai/v1";
    model_init(&m, &cfg, NULL, 0);
}

static void teardown(void) { model_free(&m); }

/* Gives org i a /marketplace/me result: ok with scopes (NULL-terminated) or a failure. */
static void set_me(size_t i, enum api_class cls, int status, const char *const *scopes)
{
    struct api_result r = {.cls = cls, .status = status};
    model_probe_set(&m.orgs[i].probe_me, &r, 10, 1000.0);
    if (cls == API_OK) {
        struct api_me me = {0};
        size_t n = 0;
        while (scopes && scopes[n])
            n++;
        me.scopes = calloc(n + 1, sizeof *me.scopes);
        for (size_t k = 0; k < n; k++)
            me.scopes[k] = strdup(scopes[k]);
        me.nscopes = n;
        model_org_take_me(&m.orgs[i], &me);
    }
}

static struct model_failure failure(size_t org, enum api_class cls, int status, const char *scope,
                                    const char *path)
{
    struct model_failure f = {.org = org, .org_name = orgs[org].name, .org_id = orgs[org].id,
                              .cls = cls, .status = status, .required_scope = (char *)scope,
                              .path = (char *)path, .count = 1, .last_seen = 1000.0,
                              .first_seen = 1000.0};
    return f;
}

static bool mentions(const struct explain *e, const char *text)
{
    if (e->headline && strstr(e->headline, text))
        return true;
    for (size_t i = 0; i < e->n; i++)
        if (strstr(e->lines[i], text))
            return true;
    return false;
}

START_TEST(scope_granted_elsewhere_means_the_clinic_must_grant_it)
{
    const char *both[] = {"read:patients", "read:appointments", NULL};
    const char *appts[] = {"read:appointments", NULL};
    set_me(0, API_OK, 200, both);
    set_me(1, API_OK, 200, appts);
    struct model_failure f = failure(1, API_FORBIDDEN, 403, "read:patients", "/v1/patients");
    struct explain e;
    explain_failure(&m, &f, &e);
    ck_assert_ptr_nonnull(e.headline);
    ck_assert_ptr_nonnull(strstr(e.headline, "missing read:patients"));
    ck_assert_ptr_nonnull(strstr(e.headline, "clinic must grant"));
    ck_assert(mentions(&e, "westla")); /* where the key has it */
    ck_assert(mentions(&e, "read:appointments")); /* the effective scopes here */
    explain_free(&e);
}
END_TEST

START_TEST(scope_nowhere_means_the_key_lacks_it)
{
    const char *appts[] = {"read:appointments", NULL};
    set_me(3, API_OK, 200, appts);
    struct model_failure f = failure(3, API_FORBIDDEN, 403, "read:patients", "/v1/patients");
    struct explain e;
    explain_failure(&m, &f, &e);
    ck_assert_ptr_nonnull(strstr(e.headline, "the key lacks it"));
    ck_assert(mentions(&e, "create a key with read:patients"));
    explain_free(&e);
}
END_TEST

START_TEST(a_key_refused_everywhere_is_the_problem)
{
    for (size_t i = 0; i < 3; i++)
        set_me(i, API_UNAUTHORIZED, 401, NULL);
    m.orgs[0].last_success = 900.0;
    struct model_failure f = failure(0, API_UNAUTHORIZED, 401, NULL, "/v1/marketplace/me");
    struct explain e;
    explain_failure(&m, &f, &e);
    ck_assert_ptr_nonnull(strstr(e.headline, "fails on every org using this key (3 of 3)"));
    ck_assert(mentions(&e, "It worked here at")); /* ever succeeded in this run */
    ck_assert(mentions(&e, "Bearer"));            /* the documented causes */
    explain_free(&e);
}
END_TEST

START_TEST(a_key_that_works_elsewhere_points_at_the_org)
{
    set_me(0, API_OK, 200, NULL);
    set_me(1, API_UNAUTHORIZED, 401, NULL);
    struct model_failure f = failure(1, API_UNAUTHORIZED, 401, NULL, "/v1/marketplace/me");
    struct explain e;
    explain_failure(&m, &f, &e);
    ck_assert_ptr_nonnull(strstr(e.headline, "works on westla"));
    ck_assert(mentions(&e, "not worked here once"));
    explain_free(&e);
}
END_TEST

START_TEST(key_warnings_are_part_of_a_401)
{
    keys[1].warnings = CONFIG_KEYWARN_BEARER;
    set_me(3, API_UNAUTHORIZED, 401, NULL);
    struct model_failure f = failure(3, API_UNAUTHORIZED, 401, NULL, "/v1/marketplace/me");
    struct explain e;
    explain_failure(&m, &f, &e);
    ck_assert(mentions(&e, config_key_warning_text(CONFIG_KEYWARN_BEARER)));
    ck_assert(mentions(&e, "No other org uses key"));
    explain_free(&e);
}
END_TEST

START_TEST(not_found_and_rate_limits_and_outages)
{
    struct model_failure f = failure(2, API_NOT_FOUND, 404, NULL, "/v1/marketplace/me");
    struct explain e;
    explain_failure(&m, &f, &e);
    ck_assert_ptr_nonnull(strstr(e.headline, "org_south is not visible to this app"));
    explain_free(&e);
    f = failure(2, API_NOT_FOUND, 404, NULL, "/v1/patients/{id}");
    explain_failure(&m, &f, &e);
    ck_assert_ptr_nonnull(strstr(e.headline, "record not visible"));
    explain_free(&e);
    m.budgets[0].app_id = strdup("app_x");
    m.budgets[0].reset = 1795834057;
    f = failure(0, API_RATE_LIMITED, 429, NULL, "/v1/patients");
    explain_failure(&m, &f, &e);
    ck_assert(mentions(&e, "app_x"));
    ck_assert(mentions(&e, "resets at"));
    explain_free(&e);
    m.orgs[0].first_failure = 1000.0;
    m.orgs[0].retrying = true;
    m.orgs[0].retry_attempt = 3;
    f = failure(0, API_TIMEOUT, 0, NULL, "/v1/patients");
    explain_failure(&m, &f, &e);
    ck_assert(mentions(&e, "since"));
    ck_assert(mentions(&e, "attempt 3"));
    explain_free(&e);
}
END_TEST

START_TEST(support_note_and_curl_hold_trace_ids_and_no_key)
{
    struct model_failure f = failure(1, API_FORBIDDEN, 403, "read:patients", "/v1/patients");
    f.code = "forbidden";
    f.message = "Insufficient scope. Required: read:patients";
    f.method = "GET";
    f.query = "page=3&pageSize=20&search=jo";
    char *ids[] = {"trace-one-550e8400", "trace-two-e29b"};
    double times[] = {999.0, 1000.0};
    f.trace_ids = ids;
    f.trace_times = times;
    f.ntrace = 2;
    char *note = explain_support_note(&m, &f);
    ck_assert_ptr_nonnull(strstr(note, "trace-one-550e8400"));
    ck_assert_ptr_nonnull(strstr(note, "trace-two-e29b"));
    ck_assert_ptr_nonnull(strstr(note, "org_north"));
    ck_assert_ptr_nonnull(strstr(note, "GET /v1/patients"));
    ck_assert_ptr_null(strstr(note, keys[0].value));
    ck_assert_ptr_null(strstr(note, "max_dev_ak_"));
    free(note);
    char *curl = explain_curl(&m, &f);
    ck_assert_ptr_nonnull(strstr(curl, "$MAX_API_KEY"));
    /* The failed request's own query, not the probe's; the search text (patient data) is
     * $SEARCH, with a comment line, and "jo" is not in the copy. */
    ck_assert_ptr_nonnull(
        strstr(curl, "'https://api.maxcare.ai/v1/patients?page=3&pageSize=20&search='\"$SEARCH\""));
    ck_assert_ptr_nonnull(strstr(curl, "# set SEARCH to the search text"));
    ck_assert_ptr_null(strstr(curl, "search=jo"));
    ck_assert_ptr_nonnull(strstr(curl, "'X-Organization-Id: org_north'"));
    ck_assert_ptr_null(strstr(curl, "max_dev_ak_"));
    free(curl);
    orgs[1].id = "org_'evil";
    f.org_id = orgs[1].id;
    curl = explain_curl(&m, &f);
    ck_assert_ptr_nonnull(strstr(curl, "'X-Organization-Id: org_'\\''evil'"));
    free(curl);
    /* A patient detail: the id is the caller's $PATIENT_ID, never the literal {id}. */
    f.path = "/v1/patients/{id}";
    f.query = NULL;
    curl = explain_curl(&m, &f);
    ck_assert_ptr_nonnull(strstr(curl, "# set PATIENT_ID"));
    ck_assert_ptr_nonnull(strstr(curl, "'https://api.maxcare.ai/v1/patients/'\"$PATIENT_ID\""));
    ck_assert_ptr_null(strstr(curl, "{id}"));
    free(curl);
    /* Another resource's record (issue 16): $RECORD_ID, not a patient's id. */
    f.path = "/v1/appointments/{id}";
    curl = explain_curl(&m, &f);
    ck_assert_ptr_nonnull(strstr(curl, "# set RECORD_ID"));
    ck_assert_ptr_nonnull(strstr(curl, "'https://api.maxcare.ai/v1/appointments/'\"$RECORD_ID\""));
    ck_assert_ptr_null(strstr(curl, "PATIENT_ID"));
    free(curl);
}
END_TEST

START_TEST(a_healthy_org_needs_no_explanation)
{
    set_me(0, API_OK, 200, NULL);
    struct explain e;
    explain_org(&m, 0, &e);
    ck_assert_ptr_null(e.headline);
    explain_free(&e);
    const char *appts[] = {"read:appointments", NULL};
    set_me(3, API_OK, 200, appts);
    struct api_result r = {.cls = API_FORBIDDEN, .status = 403,
                           .err = {.required_scope = "read:patients"}};
    model_probe_set(&m.orgs[3].probe_patients, &r, 5, 1000.0);
    explain_org(&m, 3, &e);
    ck_assert_ptr_nonnull(e.headline);
    ck_assert_ptr_nonnull(strstr(e.headline, "missing read:patients"));
    explain_free(&e);
}
END_TEST

SUITE(explain)
{
    Suite *s = suite_create("explain");
    TCase *tc = tcase_create("explain");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, scope_granted_elsewhere_means_the_clinic_must_grant_it);
    tcase_add_test(tc, scope_nowhere_means_the_key_lacks_it);
    tcase_add_test(tc, a_key_refused_everywhere_is_the_problem);
    tcase_add_test(tc, a_key_that_works_elsewhere_points_at_the_org);
    tcase_add_test(tc, key_warnings_are_part_of_a_401);
    tcase_add_test(tc, not_found_and_rate_limits_and_outages);
    tcase_add_test(tc, support_note_and_curl_hold_trace_ids_and_no_key);
    tcase_add_test(tc, a_healthy_org_needs_no_explanation);
    suite_add_tcase(s, tc);
    return s;
}
