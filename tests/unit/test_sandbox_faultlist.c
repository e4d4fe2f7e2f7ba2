#include "testing.h"

#include "sandbox/faults.h"

static bool parse(const char *text, struct sb_fault *f, char *err, size_t size)
{
    json_t *j = json_loads(text, 0, NULL);
    bool ok = sb_fault_parse(j, f, err, size);
    json_decref(j);
    return ok;
}

START_TEST(parses_defaults_and_fields)
{
    struct sb_fault f;
    char err[256];
    ck_assert(parse("{\"fault\":\"html\"}", &f, err, sizeof err));
    ck_assert_int_eq(f.kind, SB_FAULT_HTML);
    ck_assert_int_eq(f.status, 502);
    ck_assert_int_eq(f.count, -1);
    sb_fault_clear(&f);
    ck_assert(parse("{\"fault\":\"status\",\"status\":503,\"org\":\"o\",\"path\":\"/v1/patients\","
                    "\"count\":2}", &f, err, sizeof err));
    ck_assert_int_eq(f.status, 503);
    ck_assert_str_eq(f.path, "/patients"); /* the /v1 prefix is optional */
    ck_assert_str_eq(f.org, "o");
    ck_assert_int_eq(f.count, 2);
    sb_fault_clear(&f);
}
END_TEST

START_TEST(rejects_bad_bodies)
{
    struct sb_fault f;
    char err[256];
    ck_assert(!parse("{\"fault\":\"explode\"}", &f, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "'fault' must be one of"));
    ck_assert(!parse("{\"fault\":\"status\",\"status\":999}", &f, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "'status'"));
    ck_assert(!parse("{\"fault\":\"hang\",\"path\":\"patients\"}", &f, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "'path'"));
    ck_assert(!parse("{\"fault\":\"hang\",\"count\":0}", &f, err, sizeof err));
    ck_assert(!parse("[1]", &f, err, sizeof err));
}
END_TEST

static long add(struct sb_faults *fs, const char *text)
{
    struct sb_fault f;
    char err[256];
    ck_assert(parse(text, &f, err, sizeof err));
    return sb_faults_add(fs, &f);
}

START_TEST(matching_latency_adds_newest_other_wins)
{
    struct sb_faults fs = {0};
    add(&fs, "{\"fault\":\"latency\",\"ms\":100}");
    add(&fs, "{\"fault\":\"latency\",\"ms\":50,\"org\":\"a\"}");
    add(&fs, "{\"fault\":\"status\",\"status\":500,\"path\":\"/patients\"}");
    long hang = add(&fs, "{\"fault\":\"hang\",\"org\":\"a\",\"path\":\"/patients\"}");
    struct sb_fault hit;
    long ms;
    ck_assert(sb_faults_match(&fs, "a", "/patients/pat_1", &ms, &hit));
    ck_assert_int_eq(ms, 150);
    ck_assert_int_eq(hit.kind, SB_FAULT_HANG);
    ck_assert_int_eq(hit.id, hang);
    sb_fault_clear(&hit);
    ck_assert(sb_faults_match(&fs, "b", "/patients", &ms, &hit));
    ck_assert_int_eq(ms, 100);
    ck_assert_int_eq(hit.kind, SB_FAULT_STATUS);
    sb_fault_clear(&hit);
    /* "/patients" does not match "/patientsX", and me has only the latency. */
    ck_assert(!sb_faults_match(&fs, "b", "/patientsX", &ms, &hit));
    ck_assert(!sb_faults_match(&fs, NULL, "/marketplace/me", &ms, &hit));
    ck_assert_int_eq(ms, 100);
    sb_faults_clear(&fs);
}
END_TEST

START_TEST(counted_faults_run_out)
{
    struct sb_faults fs = {0};
    long id = add(&fs, "{\"fault\":\"reset\",\"count\":2}");
    struct sb_fault hit;
    long ms;
    ck_assert(sb_faults_match(&fs, NULL, "/x", &ms, &hit));
    sb_fault_clear(&hit);
    ck_assert(sb_faults_has(&fs, id));
    ck_assert(sb_faults_match(&fs, NULL, "/x", &ms, &hit));
    sb_fault_clear(&hit);
    ck_assert(!sb_faults_has(&fs, id));
    ck_assert(!sb_faults_match(&fs, NULL, "/x", &ms, &hit));
    ck_assert(!sb_faults_remove(&fs, id));
    sb_faults_clear(&fs);
}
END_TEST

SUITE(sandbox_faultlist)
{
    Suite *s = suite_create("sandbox_faultlist");
    TCase *tc = tcase_create("faults");
    tcase_add_test(tc, parses_defaults_and_fields);
    tcase_add_test(tc, rejects_bad_bodies);
    tcase_add_test(tc, matching_latency_adds_newest_other_wins);
    tcase_add_test(tc, counted_faults_run_out);
    suite_add_tcase(s, tc);
    return s;
}
