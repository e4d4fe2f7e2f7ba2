/* Issue 11 against the real programs: no byte of a broken response body reaches `check`'s
 * reports or the failure log (case 1). */
#include "testing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_support.h"
#include "http.h"

#define DEADLINE_MS 10000

static const char one_org[] = CHK_ORG("faulty", "org_a", "active");

/* Whether some 4-byte window of value is both in the truncated body and in text. */
static const char *leaked_window(const char *value, const char *body, const char *text)
{
    static char w[5];
    size_t n = strlen(value);
    for (size_t i = 0; i + 4 <= n; i++) {
        memcpy(w, value + i, 4);
        w[4] = '\0';
        if (strstr(body, w) && strstr(text, w))
            return w;
    }
    return NULL;
}

/* Case 1: a truncated 2xx page was summarised with jansson's error text, which quotes the
 * body near the cut ("near '\"raph'"): a patient's data in check's output and the log. */
START_TEST(truncated_body_reaches_no_output)
{
    static const char *const fields[] = {"mrn", "firstName", "middleName", "lastName", "email",
                                         "phone"};
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    /* The body check gets, cut where the sandbox cuts it (half its length). */
    struct http_resp clean;
    sbt_get(&sb, "/patients?page=1&pageSize=1", K_ACTIVE, "org_a", &clean);
    ck_assert_int_eq(clean.status, 200);
    json_t *doc = http_json(&clean);
    json_t *patient = sbt_jget(doc, "data.patients.0");
    ck_assert_ptr_nonnull(patient);
    char *cut = strndup(clean.body, clean.body_len / 2);

    sbt_add_fault(&sb, "{\"fault\": \"truncate\", \"org\": \"org_a\", \"path\": \"/patients\"}");
    struct chk c;
    chk_init(&c);
    chk_config(&c, sb.base_url, NULL, one_org);
    for (int json = 0; json <= 1; json++) {
        struct chk_out o;
        chk_run(&c, json ? (const char *[]){"--json", NULL} : NULL, DEADLINE_MS, &o);
        ck_assert_int_eq(o.r.status, 1);
        size_t loglen = 0;
        char *log = test_read_file(c.log, &loglen);
        ck_assert_ptr_nonnull(log);
        const char *channels[][2] = {{"stdout", o.r.out}, {"stderr", o.r.err}, {"log", log}};
        for (size_t ch = 0; ch < 3; ch++) {
            for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
                const char *v = json_string_value(json_object_get(patient, fields[f]));
                const char *w = v ? leaked_window(v, cut, channels[ch][1]) : NULL;
                ck_assert_msg(!w, "%s: 4 bytes '%s' of the patient's %s in %s",
                              json ? "--json" : "text", w, fields[f], channels[ch][0]);
            }
        }
        ck_assert_msg(strstr(log, "not JSON"), "the log does not describe the body: %s", log);
        free(log);
        chk_out_free(&o);
    }
    free(cut);
    json_decref(doc);
    http_resp_free(&clean);
    chk_free(&c);
    sandbox_free(&sb);
}
END_TEST

SUITE(i11_secrets)
{
    Suite *s = suite_create("i11_secrets");
    TCase *tc = tcase_create("i11_secrets");
    tcase_set_timeout(tc, 60);
    tcase_add_unchecked_fixture(tc, sandbox_tmp_setup, sandbox_tmp_teardown);
    tcase_add_test(tc, truncated_body_reaches_no_output);
    suite_add_tcase(s, tc);
    return s;
}
