#include "testing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proc.h"
#include "sandbox/data.h"
#include "sandbox/data_res.h"
#include "sandbox/ids.h"

/* Ids per version (sandbox/ids.c) and generated data of every resource (gen_res.c). */

START_TEST(ids_render_and_parse_in_every_version)
{
    const resource_desc *pat = resource_get(RES_PATIENTS), *apt = resource_get(RES_APPOINTMENTS);
    char out[SB_ID_MAX];
    /* the docs' pair: the v3 hex is the v2 UUID without dashes */
    sb_id_render(pat, 2, "c56103bc-d39c-46d3-9f31-38dd2b5e05f6", out);
    ck_assert_str_eq(out, "c56103bc-d39c-46d3-9f31-38dd2b5e05f6");
    sb_id_render(pat, 4, "c56103bc-d39c-46d3-9f31-38dd2b5e05f6", out);
    ck_assert_str_eq(out, "pat_c56103bcd39c46d39f3138dd2b5e05f6");
    sb_id_render(apt, 1, "appt_01J5K8N2XRQV3M7YGWT4HB6E9C", out);
    ck_assert_str_eq(out, "appt_01J5K8N2XRQV3M7YGWT4HB6E9C");
    /* a G0 id maps to one identity: every version's form parses back to it */
    sb_uid want = sb_id_uid("appt_01J5K8N2XRQV3M7YGWT4HB6E9C");
    for (int v = 1; v <= 4; v++) {
        sb_id_render(apt, v, "appt_01J5K8N2XRQV3M7YGWT4HB6E9C", out);
        sb_uid got;
        bool exact;
        ck_assert_msg(sb_id_parse(apt, v, out, &got, &exact), "v%d: '%s' refused", v, out);
        ck_assert(got.hi == want.hi && got.lo == want.lo);
        ck_assert(exact == (v == 1));
        /* another version's form is malformed (v3 and v4 share theirs; v1 takes UUIDs) */
        for (int w = 1; w <= 4; w++)
            if (w != v && !(v >= 3 && w >= 3) && !(v == 2 && w == 1))
                ck_assert_msg(!sb_id_parse(apt, w, out, &got, &exact),
                              "v%d form '%s' accepted by v%d", v, out, w);
    }
    ck_assert(sb_id_uid("pat_a").hi != sb_id_uid("pat_b").hi);
}
END_TEST

START_TEST(v1_ids_are_what_the_detail_endpoint_accepts)
{
    ck_assert(sb_id_v1_valid("pat", "pat_01J5K8N2XRQV3M7YGWT4HB6E9C"));
    ck_assert(sb_id_v1_valid("pat", "pat_ZZZZZZZZZZ"));
    ck_assert(sb_id_v1_valid("pat", "3f6c1d2e-8a4b-4c5d-9e7f-0a1b2c3d4e5f"));
    ck_assert(!sb_id_v1_valid("pat", "pat_bar0001"));        /* 7 characters */
    ck_assert(!sb_id_v1_valid("pat", "pat_abc-def12345"));
    ck_assert(!sb_id_v1_valid("pat", "appt_01J5K8N2XRQV3M7YGWT4HB6E9C"));
    ck_assert(!sb_id_v1_valid("pat", "pat01J5K8N2XRQV3M7YGWT4HB6E9C"));
    ck_assert(!sb_id_v1_valid("pat", "3f6c1d2e8a4b4c5d9e7f0a1b2c3d4e5f"));
    ck_assert(!sb_id_v1_valid("pat", NULL));
}
END_TEST

static char *dir;

static void setup(void) { dir = test_tmpdir(); }
static void teardown(void)
{
    test_rmtree(dir);
    free(dir);
}

static const char generated[] =
    "{\"apps\": [{\"id\": \"a\"}], \"keys\": [], \"orgs\": [{\"id\": \"o\","
    " \"patients\": {\"generate\": 40, \"seed\": 1},"
    " \"facilities\": {\"generate\": 3, \"seed\": 1}, \"providers\": {\"generate\": 6, \"seed\": 1},"
    " \"appointments\": {\"generate\": 90, \"seed\": 1}, \"bills\": {\"generate\": 40, \"seed\": 1},"
    " \"claims\": {\"generate\": 40, \"seed\": 1}, \"notes\": {\"generate\": 40, \"seed\": 1},"
    " \"tasks\": {\"generate\": 40, \"seed\": 1}, \"products\": {\"generate\": 20, \"seed\": 1},"
    " \"changes\": {\"generate\": 20, \"seed\": 1},"
    " \"change-products\": {\"generate\": 60, \"seed\": 1},"
    " \"stock-levels\": {\"generate\": 60, \"seed\": 1}}]}";

static bool load(const char *text, struct sb_data *d, char *err, size_t size)
{
    char path[512];
    snprintf(path, sizeof path, "%s/data.json", dir);
    ck_assert(test_write_file(path, text, 0600));
    return sb_data_load(path, d, err, size, NULL);
}

/* What a client must clean: a control character, DEL, C1, a bidi override or 200+ bytes. */
static bool hostile(const char *s)
{
    if (strlen(s) >= 200 || strstr(s, "\xe2\x80\xae") || strstr(s, "\xc2\x9b"))
        return true;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++)
        if (*c < 0x20 || *c == 0x7f)
            return true;
    return false;
}

struct seen {
    bool null, hostile;
};

static void scan(json_t *v, struct seen *s)
{
    if (json_is_null(v))
        s->null = true;
    else if (json_is_string(v))
        s->hostile |= hostile(json_string_value(v));
    size_t i;
    const char *k;
    json_t *e;
    if (json_is_array(v))
        json_array_foreach(v, i, e)
            scan(e, s);
    else if (json_is_object(v))
        json_object_foreach(v, k, e)
            scan(e, s);
}

struct link_ctx {
    const struct sb_org *org;
    resource_id target;
    size_t checked;
    const char *broken;
};

static bool check_link(json_t *v, void *ctx)
{
    struct link_ctx *lc = ctx;
    const char *id = json_string_value(v);
    const struct sb_idref *ref = id ? sb_res_find(lc->org, sb_id_uid(id)) : NULL;
    if (!ref || ref->res != lc->target) {
        lc->broken = id ? id : "(not a string)";
        return true;
    }
    lc->checked++;
    return false;
}

START_TEST(generated_records_are_linked_with_nulls_and_hostile_text)
{
    struct sb_data d;
    char err[512];
    ck_assert_msg(load(generated, &d, err, sizeof err), "%s", err);
    const struct sb_org *org = &d.orgs[0];
    for (int r = 0; r < RES_COUNT; r++) {
        if (r == RES_PATIENTS)
            continue;
        const struct sb_rtable *t = &org->tables[r];
        ck_assert_msg(t->n > 0, "no %s", resource_table[r].name);
        struct seen s = {false, false};
        size_t nl, links = 0;
        const resource_link *l = resource_links((resource_id)r, &nl);
        for (size_t i = 0; i < t->n; i++) {
            scan(t->recs[i].obj, &s);
            for (size_t k = 0; k < nl; k++) {
                struct link_ctx lc = {org, l[k].target, 0, NULL};
                sb_path_any(t->recs[i].obj, l[k].path, check_link, &lc);
                ck_assert_msg(!lc.broken, "%s[%zu]: %s '%s' is not a record of %s",
                              resource_table[r].name, i, l[k].path, lc.broken,
                              resource_table[l[k].target].name);
                links += lc.checked;
            }
        }
        ck_assert_msg(s.null, "no null in any of the %s", resource_table[r].name);
        ck_assert_msg(s.hostile, "no hostile text in any of the %s", resource_table[r].name);
        ck_assert_msg(nl == 0 || links > 0, "%s link to nothing", resource_table[r].name);
    }
    /* appointments exist today (UTC), the dashboard's default date range */
    char today[16];
    time_t now = time(NULL);
    strftime(today, sizeof today, "%Y-%m-%d", gmtime(&now));
    size_t n_today = 0;
    for (size_t i = 0; i < org->tables[RES_APPOINTMENTS].n; i++) {
        const char *start = json_string_value(
            json_object_get(org->tables[RES_APPOINTMENTS].recs[i].obj, "scheduledStartDate"));
        n_today += start && strncmp(start, today, 10) == 0;
    }
    ck_assert_uint_ge(n_today, 20);
    /* the same seeds give the same records */
    struct sb_data again;
    ck_assert(load(generated, &again, err, sizeof err));
    ck_assert(json_equal(org->tables[RES_CLAIMS].recs[7].obj,
                         again.orgs[0].tables[RES_CLAIMS].recs[7].obj));
    sb_data_free(&again);
    sb_data_free(&d);
}
END_TEST

START_TEST(the_loader_names_the_record_it_refuses)
{
    static const struct { const char *org, *needle; } cases[] = {
        {"\"patients\": [{\"id\": \"pat_bar0001\"}]",
         "orgs[0].patients[0].id: 'pat_bar0001' is malformed: GET /v1/patients/{id} would answer 400"},
        {"\"providers\": [{\"id\": \"prov_0123456789\"}, {\"id\": \"prv_0123456789\"}]",
         "orgs[0].providers[1].id: 'prv_0123456789' is malformed: GET /v1/providers/{id}"},
        {"\"facilities\": [{\"id\": \"fac_0123456789\"}, {\"id\": \"fac_0123456789\"}]",
         "orgs[0].facilities: id 'fac_0123456789' is the same record as facilities id"},
        {"\"patients\": [{\"id\": \"c56103bc-d39c-46d3-9f31-38dd2b5e05f6\"}],"
         " \"facilities\": [{\"id\": \"C56103BC-D39C-46D3-9F31-38DD2B5E05F6\"}]",
         "is the same record as patients id 'c56103bc-d39c-46d3-9f31-38dd2b5e05f6'"},
        {"\"facilities\": [{\"id\": \"fac_0123456789\"}],"
         " \"changes\": [{\"id\": \"chg_0123456789\", \"facilityId\": \"fac_9999999999\"}]",
         "orgs[0].changes[0]: facilityId 'fac_9999999999' is not one of this org's facilities"},
        {"\"bills\": {\"generate\": 1, \"seed\": 1}",
         "orgs[0].bills: cannot generate bills without patients"},
        {"\"tasks\": {\"generate\": 1, \"hostile\": 101}", "orgs[0].tasks: must be an array"},
        {"\"notes\": [42]", "orgs[0].notes[0]: must be an object"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[1024], err[512];
        snprintf(text, sizeof text, "{\"apps\": [{\"id\": \"a\"}], \"keys\": [], \"orgs\": "
                 "[{\"id\": \"o\", %s}]}", cases[i].org);
        struct sb_data d;
        ck_assert_msg(!load(text, &d, err, sizeof err), "accepted: %s", cases[i].org);
        ck_assert_msg(strstr(err, cases[i].needle) && strstr(err, "data.json"),
                      "'%s' lacks '%s'", err, cases[i].needle);
    }
}
END_TEST

SUITE(sandbox_res)
{
    Suite *s = suite_create("sandbox_res");
    TCase *tc = tcase_create("ids");
    tcase_add_test(tc, ids_render_and_parse_in_every_version);
    tcase_add_test(tc, v1_ids_are_what_the_detail_endpoint_accepts);
    suite_add_tcase(s, tc);
    tc = tcase_create("data");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, generated_records_are_linked_with_nulls_and_hostile_text);
    tcase_add_test(tc, the_loader_names_the_record_it_refuses);
    suite_add_tcase(s, tc);
    return s;
}
