#include "testing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/data.h"
#include "proc.h"

static char *dir;

static void setup(void) { dir = test_tmpdir(); }
static void teardown(void)
{
    test_rmtree(dir);
    free(dir);
}

/* Loads text as a data file; on failure leaves the message in err. */
static bool load(const char *text, struct sb_data *d, char *err, size_t size)
{
    char path[512];
    snprintf(path, sizeof path, "%s/data.json", dir);
    ck_assert(test_write_file(path, text, 0600));
    return sb_data_load(path, d, err, size, NULL);
}

static const char good[] =
    "{\"apps\": [{\"id\": \"app_demo\", \"slug\": \"demo-app\", \"liveVersionId\": \"ver_1\"}],"
    " \"keys\": [{\"value\": \"max_dev_ak_DEMOgood01\", \"app\": \"app_demo\","
    "            \"scopes\": [\"read:patients\", \"read:appointments\"], \"state\": \"active\"}],"
    " \"orgs\": [{\"id\": \"org_abc123\","
    "            \"installs\": [{\"app\": \"app_demo\", \"scopes\": [\"read:patients\"]}],"
    "            \"patients\": {\"generate\": 1503, \"seed\": 7}}]}";

START_TEST(loads_the_documented_shape)
{
    struct sb_data d;
    char err[512];
    ck_assert_msg(load(good, &d, err, sizeof err), "%s", err);
    ck_assert_uint_eq(d.napps, 1);
    ck_assert_uint_eq(d.nkeys, 1);
    ck_assert_uint_eq(d.norgs, 1);
    ck_assert_uint_eq(d.orgs[0].npatients, 1503);
    ck_assert(sb_scopes_has(&d.orgs[0].installs[0].scopes, "read:patients"));
    ck_assert(!sb_scopes_has(&d.orgs[0].installs[0].scopes, "read:appointments"));
    ck_assert_int_eq(d.keys[0].state, SB_KEY_ACTIVE);
    sb_data_free(&d);
}
END_TEST

static void expect_error(const char *text, const char *needle)
{
    struct sb_data d;
    char err[512];
    ck_assert_msg(!load(text, &d, err, sizeof err), "accepted: %s", text);
    ck_assert_msg(strstr(err, needle) != NULL, "message '%s' lacks '%s'", err, needle);
    ck_assert_msg(strstr(err, "data.json") != NULL, "message '%s' lacks the file", err);
}

START_TEST(rejects_bad_files_with_the_place)
{
    expect_error("{\"apps\": [", "invalid JSON");
    expect_error("[]", "top level");
    expect_error("{\"apps\": [], \"keys\": [{\"value\": \"k\"}], \"orgs\": []}", "keys[0].app");
    expect_error("{\"apps\": [{\"id\": \"a\"}], \"keys\": [{\"value\": \"k\", \"app\": \"b\"}],"
                 " \"orgs\": []}", "unknown app 'b'");
    expect_error("{\"apps\": [{\"id\": \"a\"}], \"keys\": [{\"value\": \"k\", \"app\": \"a\"},"
                 " {\"value\": \"k\", \"app\": \"a\"}], \"orgs\": []}", "keys[1].value");
    expect_error("{\"apps\": [{\"id\": \"a\"}], \"keys\": [{\"value\": \"k\", \"app\": \"a\","
                 " \"state\": \"paused\"}], \"orgs\": []}", "keys[0].state");
    expect_error("{\"apps\": [{\"id\": \"a\"}], \"keys\": [], \"orgs\": [{\"id\": \"o\","
                 " \"patients\": {\"generate\": -1}}]}", "orgs[0].patients.generate");
    expect_error("{\"apps\": [{\"id\": \"a\"}], \"keys\": [], \"orgs\": [{\"id\": \"o\","
                 " \"patients\": [{\"firstName\": \"x\"}]}]}", "orgs[0].patients[0].id");
    expect_error("{\"apps\": [{\"id\": \"a\"}], \"keys\": [], \"orgs\": [{\"id\": \"o\"},"
                 " {\"id\": \"o\"}]}", "duplicate org id");
    expect_error("{\"apps\": [{\"id\": 5}], \"keys\": [], \"orgs\": []}", "apps[0].id");
}
END_TEST

START_TEST(generation_is_deterministic_and_varied)
{
    struct sb_patient a, b;
    sb_patient_generate(7, 42, &a);
    sb_patient_generate(7, 42, &b);
    ck_assert_str_eq(a.id, b.id);
    ck_assert_str_eq(a.last, b.last);
    ck_assert_uint_eq(strlen(a.id), 30);
    free(b.block);
    sb_patient_generate(8, 42, &b);
    ck_assert_str_ne(a.id, b.id);
    free(a.block);
    free(b.block);

    size_t null_mrn = 0, null_dob = 0, null_gender = 0, non_ascii = 0, cjk = 0;
    for (size_t i = 0; i < 2000; i++) {
        struct sb_patient p;
        sb_patient_generate(1, i, &p);
        null_mrn += !p.mrn;
        null_dob += !p.dob;
        null_gender += !p.gender;
        for (const char *c = p.last; *c; c++)
            if ((unsigned char)*c >= 0x80) {
                non_ascii++;
                break;
            }
        cjk += (unsigned char)p.last[0] >= 0xE3 && (unsigned char)p.last[0] <= 0xED;
        free(p.block);
    }
    ck_assert_uint_gt(null_mrn, 10);
    ck_assert_uint_gt(null_dob, 10);
    ck_assert_uint_gt(null_gender, 10);
    ck_assert_uint_gt(non_ascii, 300);
    ck_assert_uint_gt(cjk, 50);
}
END_TEST

START_TEST(search_matches_names_and_mrn)
{
    struct sb_patient p = {.id = "pat_1", .first = "Sarah", .middle = "Marie",
                           .last = "Johnson", .mrn = "MRN-10042"};
    ck_assert(sb_patient_matches(&p, "john"));
    ck_assert(sb_patient_matches(&p, "MARIE"));
    ck_assert(sb_patient_matches(&p, "mrn-1004"));
    ck_assert(sb_patient_matches(&p, "sarah john"));
    ck_assert(sb_patient_matches(&p, ""));
    ck_assert(!sb_patient_matches(&p, "smith"));
    struct sb_patient nulls = {.id = "pat_2"};
    ck_assert(!sb_patient_matches(&nulls, "x"));
}
END_TEST

SUITE(sandbox_data)
{
    Suite *s = suite_create("sandbox_data");
    TCase *tc = tcase_create("data");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, loads_the_documented_shape);
    tcase_add_test(tc, rejects_bad_files_with_the_place);
    tcase_add_test(tc, generation_is_deterministic_and_varied);
    tcase_add_test(tc, search_matches_names_and_mrn);
    suite_add_tcase(s, tc);
    return s;
}
