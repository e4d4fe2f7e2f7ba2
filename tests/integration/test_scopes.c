/* `maxdash check --scopes` (issue 16) against the real sandbox: per org every scope of the
 * resource table, whether /marketplace/me grants it, what one page-size-1 request to its
 * endpoint answers, and for a 403 the side that must act (the clinic when the same key has the
 * scope on another org); a resource the API version lacks is not asked. */
#include "testing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_support.h"
#include "restable.h"

#define DEADLINE_MS 15000

static json_t *scope_of(json_t *org, const char *scope)
{
    json_t *arr = json_object_get(org, "scopes");
    size_t i;
    json_t *s;
    json_array_foreach(arr, i, s)
        if (strcmp(json_string_value(json_object_get(s, "scope")), scope) == 0)
            return s;
    return NULL;
}

static const char *str(json_t *s, const char *field)
{
    const char *v = json_string_value(json_object_get(s, field));
    return v ? v : "(null)";
}

START_TEST(every_scope_granted_answers_or_403_with_the_side)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    char v4[200];
    snprintf(v4, sizeof v4, "%s/v4", sb.root_url);
    struct chk c;
    chk_init(&c);
    /* The same key on two clinics: org_a granted patients and appointments, org_noscope only
     * appointments. */
    chk_config(&c, v4, NULL,
               CHK_ORG("a", "org_a", "active") CHK_ORG("noscope", "org_noscope", "active"));
    struct chk_out o;
    chk_run(&c, (const char *[]){"--scopes", "--json", NULL}, DEADLINE_MS, &o);
    ck_assert_msg(o.doc, "no JSON; status %d, stderr: %s", o.r.status, o.r.err);

    const char *names[32];
    size_t n = res_scopes(names, 32);
    json_t *a = chk_org(o.doc, "a"), *ns = chk_org(o.doc, "noscope");
    ck_assert_uint_eq(json_array_size(json_object_get(a, "scopes")), n);
    for (size_t k = 0; k < n; k++) {
        ck_assert_msg(scope_of(a, names[k]), "org a lacks scope %s in the report", names[k]);
        ck_assert_msg(scope_of(ns, names[k]), "org noscope lacks scope %s", names[k]);
    }
    /* Granted and answering. */
    json_t *s = scope_of(a, "read:patients");
    ck_assert(json_is_true(json_object_get(s, "granted")));
    ck_assert_str_eq(str(s, "state"), "answers");
    ck_assert_int_eq(sbt_jint(s, "probe.http_status"), 200);
    ck_assert(json_is_null(json_object_get(s, "must_act")));
    /* Not granted anywhere for this key: 403, and the report cannot tell the key from the
     * clinic, so it says both. */
    s = scope_of(a, "read:providers");
    ck_assert(json_is_false(json_object_get(s, "granted")));
    ck_assert_str_eq(str(s, "state"), "403");
    ck_assert_int_eq(sbt_jint(s, "probe.http_status"), 403);
    ck_assert_msg(strstr(str(s, "must_act"), "the key lacks it, or the clinic has not granted it"),
                  "must_act: %s", str(s, "must_act"));
    /* The same key has read:patients on org_a: the clinic must act on org_noscope. */
    s = scope_of(ns, "read:patients");
    ck_assert(json_is_false(json_object_get(s, "granted")));
    ck_assert_str_eq(str(s, "state"), "403");
    ck_assert_msg(strstr(str(s, "must_act"), "the clinic must grant it"), "must_act: %s",
                  str(s, "must_act"));
    chk_out_free(&o);

    /* The text report: one line per scope under each org, the side after "->". */
    chk_run(&c, (const char *[]){"--scopes", NULL}, DEADLINE_MS, &o);
    ck_assert_msg(strstr(o.r.out, "scopes (API v4):"), "text: %s", o.r.out);
    ck_assert_msg(strstr(o.r.out, "read:patients        not granted  403        patients -> "
                                  "missing read:patients: the clinic must grant it"),
                  "text: %s", o.r.out);
    chk_out_free(&o);

    /* Under /v1 notes are not served (resources.def): not asked, said so. */
    chk_config(&c, sb.base_url, NULL, CHK_ORG("a", "org_a", "active"));
    chk_run(&c, (const char *[]){"--scopes", "--json", NULL}, DEADLINE_MS, &o);
    ck_assert_msg(o.doc, "no JSON; stderr: %s", o.r.err);
    s = scope_of(chk_org(o.doc, "a"), "read:notes");
    ck_assert_str_eq(str(s, "state"), "not served");
    ck_assert(json_is_null(json_object_get(s, "probe")));
    chk_out_free(&o);

    /* A key the API refuses (401 on /marketplace/me): the scopes are not asked, since each
     * request would only repeat the 401 (and log it). */
    chk_config(&c, v4, NULL, CHK_ORG("gone", "org_a", "revoked"));
    chk_run(&c, (const char *[]){"--scopes", "--json", NULL}, DEADLINE_MS, &o);
    ck_assert_msg(o.doc, "no JSON; stderr: %s", o.r.err);
    json_t *gone = chk_org(o.doc, "gone");
    chk_assert_probe(gone, "me", "unauthorized", 401);
    for (size_t k = 0; k < n; k++) {
        s = scope_of(gone, names[k]);
        ck_assert_msg(strcmp(str(s, "state"), "not asked") == 0 &&
                          json_is_null(json_object_get(s, "probe")),
                      "%s after a 401 on /me: %s", names[k], str(s, "state"));
    }
    chk_out_free(&o);
    chk_free(&c);
    sandbox_free(&sb);
}
END_TEST

/* Without --scopes nothing changes: no scopes in the report, the two probes per org only. */
START_TEST(without_the_option_no_scope_probes)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    struct chk c;
    chk_init(&c);
    chk_config(&c, sb.base_url, NULL, CHK_ORG("a", "org_a", "active"));
    struct chk_out o;
    chk_run(&c, (const char *[]){"--json", NULL}, DEADLINE_MS, &o);
    ck_assert_msg(o.doc, "no JSON; stderr: %s", o.r.err);
    ck_assert_ptr_null(json_object_get(chk_org(o.doc, "a"), "scopes"));
    chk_out_free(&o);
    chk_free(&c);
    sandbox_free(&sb);
}
END_TEST

SUITE(scopes)
{
    Suite *s = suite_create("scopes");
    TCase *tc = tcase_create("scopes");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, every_scope_granted_answers_or_403_with_the_side);
    tcase_add_test(tc, without_the_option_no_scope_probes);
    suite_add_tcase(s, tc);
    return s;
}
