/* fleet: org lists from CSV files (issue 17) — RFC 4180 quoting through libcsv, BOM, CRLF,
 * the header row, line numbers of problems, tags; and through config_load: [orgs "NAME"],
 * duplicate ids across the config and the files (warnings naming both places), origins. */
#include "testing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fleet.h"
#include "proc.h"

#define TEST_KEY "max_prd_ak_TESTabcdefghijklmnopq9Z"

static char *dir;

static void setup(void)
{
    dir = test_tmpdir();
    setenv("MAXDASH_TEST_KEY", TEST_KEY, 1);
    setenv("HOME", dir, 1);
    unsetenv("XDG_STATE_HOME");
}

static void teardown(void)
{
    test_rmtree(dir);
    free(dir);
}

static bool parse(const char *text, struct fleet_csv *csv)
{
    return fleet_parse_csv(text, strlen(text), csv);
}

static const char *problems(const struct fleet_csv *csv)
{
    static char out[4096];
    out[0] = '\0';
    for (size_t i = 0; i < csv->nproblems; i++) {
        char line[600];
        snprintf(line, sizeof line, "\n  %d: %s", csv->problems[i].line, csv->problems[i].message);
        strncat(out, line, sizeof out - strlen(out) - 1);
    }
    return csv->nproblems ? out : " (none)";
}

/* --- the CSV alone ------------------------------------------------------------------------ */

START_TEST(quoting_per_rfc_4180)
{
    struct fleet_csv c;
    ck_assert_msg(parse("id,name,tags\n"
                        "org_1,\"Smith, Jones & Co\",west\n"
                        "org_2,\"He said \"\"hi\"\"\",\n"
                        "\"org_3\",\"Two\nlines\",\"west, derm\"\n"
                        "org_4,  spaced  ,east\n",
                        &c),
                  "problems:%s", problems(&c));
    ck_assert_uint_eq(c.nrows, 4);
    ck_assert_str_eq(c.rows[0].name, "Smith, Jones & Co");
    ck_assert_int_eq(c.rows[0].line, 2);
    ck_assert_str_eq(c.rows[1].name, "He said \"hi\"");
    ck_assert_ptr_null(c.rows[1].tags);
    ck_assert_str_eq(c.rows[2].id, "org_3");
    ck_assert_str_eq(c.rows[2].name, "Two\nlines");
    ck_assert_str_eq(c.rows[2].tags, "west, derm");
    ck_assert_int_eq(c.rows[2].line, 4);
    /* The row after a field spanning two lines starts on line 6. */
    ck_assert_int_eq(c.rows[3].line, 6);
    ck_assert_str_eq(c.rows[3].name, "spaced");
    fleet_csv_free(&c);
}
END_TEST

START_TEST(bom_crlf_blank_lines_and_column_order)
{
    struct fleet_csv c;
    ck_assert_msg(parse("\xEF\xBB\xBFTags,ID\r\nwest,org_1\r\n\r\n,org_2\r\n\"a\r\nb\",org_3",
                        &c) == false,
                  "a tag holding a line break must be refused");
    fleet_csv_free(&c);
    ck_assert_msg(parse("\xEF\xBB\xBFTags,ID\r\nwest,org_1\r\n\r\n,org_2\r\neast,org_3", &c),
                  "problems:%s", problems(&c));
    ck_assert_uint_eq(c.nrows, 3);
    ck_assert_str_eq(c.rows[0].id, "org_1"); /* no BOM glued to the first column's name */
    ck_assert_str_eq(c.rows[0].tags, "west");
    ck_assert_ptr_null(c.rows[0].name);
    ck_assert_str_eq(c.rows[1].id, "org_2");
    ck_assert_int_eq(c.rows[1].line, 4);
    ck_assert_str_eq(c.rows[2].id, "org_3"); /* the last row has no line end */
    ck_assert_int_eq(c.rows[2].line, 5);
    fleet_csv_free(&c);
}
END_TEST

static const struct bad_csv {
    const char *text;
    int line;
    const char *needle;
} bad_csvs[] = {
    {"name,tags\nWest,a\n", 1, "no 'id' column"},
    {"", 0, "empty"},
    {"\xEF\xBB\xBF", 0, "empty"},
    {"id,nmae\norg_1,x\n", 1, "unknown column 'nmae'"},
    {"id,id\norg_1,x\n", 1, "named twice"},
    {"id,name\norg_1\n", 2, "1 field where the header row has 2"},
    {"id,name\norg_1,a,b\n", 2, "3 fields where the header row has 2"},
    {"id,name\norg_1,\"unterminated\n", 2, "bad quoting"},
    {"id,name\norg_1,ab\"c\n", 2, "bad quoting"},
    {"id,name\norg_1,\"ab\"c\n", 2, "bad quoting"},
    {"id,name\n,West\n", 2, "empty id"},
    {"id,name\n\"org 1\",West\n", 2, "is not an organization id"},
    {"id,tags\norg_1,we$t\n", 2, "tags: 'we$t"},
    {"id\norg_1\norg_2\n\"org\n3\"\n", 4, "is not an organization id"},
};

START_TEST(each_mistake_has_its_line)
{
    const struct bad_csv *b = &bad_csvs[_i];
    struct fleet_csv c;
    ck_assert_msg(!parse(b->text, &c), "case %d parsed", _i);
    ck_assert_msg(c.nproblems == 1, "case %d: %zu problems:%s", _i, c.nproblems, problems(&c));
    ck_assert_msg(c.problems[0].line == b->line, "case %d: line:%s", _i, problems(&c));
    ck_assert_msg(strstr(c.problems[0].message, b->needle), "case %d: '%s' not in:%s", _i,
                  b->needle, problems(&c));
    fleet_csv_free(&c);
}
END_TEST

START_TEST(a_nul_byte_is_reported)
{
    struct fleet_csv c;
    static const char text[] = "id,name\norg_1,a\0b\n";
    ck_assert(!fleet_parse_csv(text, sizeof text - 1, &c));
    ck_assert_msg(c.nproblems == 1 && c.problems[0].line == 2, "%s", problems(&c));
    fleet_csv_free(&c);
}
END_TEST

START_TEST(many_problems_are_capped)
{
    char *text = strdup("id\n");
    for (int i = 0; i < 200; i++) {
        char *next = NULL;
        ck_assert_int_ge(asprintf(&next, "%s\"bad id %d\"\n", text, i), 0);
        free(text);
        text = next;
    }
    struct fleet_csv c;
    ck_assert(!parse(text, &c));
    ck_assert_uint_eq(c.nproblems, 51);
    ck_assert_str_eq(c.problems[50].message, "and 150 more problems");
    fleet_csv_free(&c);
    free(text);
}
END_TEST

START_TEST(tags_split)
{
    char **t;
    size_t n;
    const char *bad;
    ck_assert(fleet_split_tags(" west, derm;peds  West ", &t, &n, &bad));
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(t[0], "west");
    ck_assert_str_eq(t[1], "derm");
    ck_assert_str_eq(t[2], "peds");
    fleet_tags_free(t, n);
    ck_assert(!fleet_split_tags("ok, b@d", &t, &n, &bad));
    ck_assert_str_eq(bad, "b@d");
    fleet_tags_free(t, n);
}
END_TEST

/* --- through config_load ------------------------------------------------------------------- */

static char *write_in_dir(const char *name, const char *text)
{
    char *p = NULL;
    ck_assert_int_ge(asprintf(&p, "%s/%s", dir, name), 0);
    ck_assert(test_write_file(p, text, 0600));
    return p;
}

static const char *errs_dump(const struct config_errors *e)
{
    static char out[8192];
    out[0] = '\0';
    for (size_t i = 0; i < e->count; i++) {
        strncat(out, "\n  ", sizeof out - strlen(out) - 1);
        strncat(out, e->v[i].text, sizeof out - strlen(out) - 1);
    }
    return e->count ? out : " (none)";
}

#define CONFIG_HEAD "[key \"production\"]\nenv = MAXDASH_TEST_KEY\n"

START_TEST(orgs_from_a_list_with_tags_and_origin)
{
    char *cfgp = write_in_dir("config.ini", CONFIG_HEAD
                              "[org \"westla\"]\n"           /* line 3 */
                              "id = org_abc123\nkey = production\ntags = west, derm\n"
                              "[orgs \"fleet\"]\n"           /* line 7 */
                              "file = clinics.csv\nkey = production\ntags = fleet\n");
    free(write_in_dir("clinics.csv", "id,name,tags\r\n"
                                     "org_1,\"One, Clinic\",east\r\n"
                                     "org_abc123,Duplicate,\r\n"
                                     "org_2,,\r\n"
                                     "org_1,Again,\r\n"));
    struct config cfg;
    struct config_errors e = {0};
    ck_assert_msg(config_load(cfgp, &cfg, &e), "errors:%s", errs_dump(&e));
    ck_assert_uint_eq(cfg.norgs, 3);
    ck_assert_uint_eq(cfg.nfleets, 1);
    ck_assert_uint_eq(cfg.fleets[0].norgs, 2);
    const struct config_org *o = config_find_org(&cfg, "org_1");
    ck_assert_ptr_nonnull(o);
    ck_assert_str_eq(o->display_name, "One, Clinic");
    ck_assert_ptr_eq(o->key, config_find_key(&cfg, "production"));
    ck_assert(config_org_has_tag(o, "EAST") && config_org_has_tag(o, "fleet"));
    ck_assert(!config_org_has_tag(o, "west"));
    char *from = config_org_origin(&cfg, o);
    ck_assert_str_eq(from, "clinics.csv:2 ([orgs \"fleet\"])");
    free(from);
    o = config_find_org(&cfg, "westla");
    ck_assert(config_org_has_tag(o, "derm"));
    from = config_org_origin(&cfg, o);
    ck_assert_msg(strstr(from, "config.ini:3"), "%s", from);
    free(from);
    /* Two duplicates: each a warning naming both places; the first definition wins. */
    ck_assert_msg(cfg.warnings.count == 2, "warnings:%s", errs_dump(&cfg.warnings));
    ck_assert_msg(strstr(cfg.warnings.v[0].text, "clinics.csv:3: warning: org id org_abc123") &&
                      strstr(cfg.warnings.v[0].text, "config.ini:3"),
                  "%s", cfg.warnings.v[0].text);
    ck_assert_msg(strstr(cfg.warnings.v[1].text, "clinics.csv:5:") &&
                      strstr(cfg.warnings.v[1].text, "clinics.csv:2"),
                  "%s", cfg.warnings.v[1].text);
    ck_assert_str_eq(config_find_org(&cfg, "org_1")->display_name, "One, Clinic");
    config_free(&cfg);
    config_errors_free(&e);
    free(cfgp);
}
END_TEST

START_TEST(list_problems_name_the_csv_file_and_line)
{
    char *cfgp = write_in_dir("config.ini", CONFIG_HEAD "[orgs \"fleet\"]\n"
                                                       "file = clinics.csv\nkey = production\n");
    free(write_in_dir("clinics.csv", "id,name\norg_1,ok\norg_2,\"bad\"x\n"));
    struct config cfg;
    struct config_errors e = {0};
    ck_assert(!config_load(cfgp, &cfg, &e));
    ck_assert_msg(e.count == 1 && strncmp(e.v[0].text, "clinics.csv:3: bad quoting", 26) == 0,
                  "errors:%s", errs_dump(&e));
    config_free(&cfg);
    config_errors_free(&e);
    free(cfgp);
}
END_TEST

START_TEST(list_section_mistakes)
{
    static const struct {
        const char *text;
        const char *needle;
    } cases[] = {
        {"[orgs \"f\"]\nkey = production\n", "[orgs \"f\"] has no file"},
        {"[orgs \"f\"]\nfile = clinics.csv\n", "[orgs \"f\"] has no key"},
        {"[orgs \"f\"]\nfile = clinics.csv\nkey = prod\n", "key 'prod' is not defined"},
        {"[orgs \"f\"]\nfile = nowhere.csv\nkey = production\n", "file: cannot read"},
        {"[orgs \"f\"]\nfile = clinics.csv\nkey = production\nid = x\n", "'id' belongs in an [org"},
        {"[orgs \"f\"]\nfile = clinics.csv\nkey = production\ntags = a b!\n", "tags: 'b!'"},
        {"[org \"o\"]\nid = org_1\nkey = production\ntags = ok, no way!\n", "tags: 'way!'"},
    };
    free(write_in_dir("clinics.csv", "id\norg_1\n"));
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *text = NULL;
        ck_assert_int_ge(asprintf(&text, CONFIG_HEAD "%s", cases[i].text), 0);
        char *cfgp = write_in_dir("config.ini", text);
        struct config cfg;
        struct config_errors e = {0};
        ck_assert_msg(!config_load(cfgp, &cfg, &e), "case %zu loaded", i);
        ck_assert_msg(e.count >= 1 && strstr(e.v[0].text, cases[i].needle), "case %zu:%s", i,
                      errs_dump(&e));
        config_free(&cfg);
        config_errors_free(&e);
        free(cfgp);
        free(text);
    }
}
END_TEST

START_TEST(five_thousand_rows)
{
    size_t cap = 5001 * 64, len = 0;
    char *csv = malloc(cap);
    len += (size_t)snprintf(csv + len, cap - len, "id,name,tags\n");
    for (int i = 0; i < 5000; i++)
        len += (size_t)snprintf(csv + len, cap - len, "org_%05d,\"Clinic %d, Inc\",%s\n", i, i,
                                i % 3 ? "west" : "east");
    free(write_in_dir("clinics.csv", csv));
    free(csv);
    char *cfgp = write_in_dir("config.ini", CONFIG_HEAD "[orgs \"fleet\"]\n"
                                                       "file = clinics.csv\nkey = production\n");
    struct config cfg;
    struct config_errors e = {0};
    ck_assert_msg(config_load(cfgp, &cfg, &e), "errors:%s", errs_dump(&e));
    ck_assert_uint_eq(cfg.norgs, 5000);
    ck_assert_uint_eq(cfg.warnings.count, 0);
    ck_assert_str_eq(cfg.orgs[4999].id, "org_04999");
    ck_assert_int_eq(cfg.orgs[4999].line, 5001);
    ck_assert_str_eq(cfg.orgs[4999].display_name, "Clinic 4999, Inc");
    ck_assert(config_org_has_tag(&cfg.orgs[3], "east"));
    config_free(&cfg);
    config_errors_free(&e);
    free(cfgp);
}
END_TEST

SUITE(fleet)
{
    Suite *s = suite_create("fleet");
    TCase *tc = tcase_create("csv");
    tcase_add_test(tc, quoting_per_rfc_4180);
    tcase_add_test(tc, bom_crlf_blank_lines_and_column_order);
    tcase_add_loop_test(tc, each_mistake_has_its_line, 0,
                        (int)(sizeof bad_csvs / sizeof bad_csvs[0]));
    tcase_add_test(tc, a_nul_byte_is_reported);
    tcase_add_test(tc, many_problems_are_capped);
    tcase_add_test(tc, tags_split);
    suite_add_tcase(s, tc);
    TCase *cf = tcase_create("config");
    tcase_add_checked_fixture(cf, setup, teardown);
    tcase_set_timeout(cf, 20);
    tcase_add_test(cf, orgs_from_a_list_with_tags_and_origin);
    tcase_add_test(cf, list_problems_name_the_csv_file_and_line);
    tcase_add_test(cf, list_section_mistakes);
    tcase_add_test(cf, five_thousand_rows);
    suite_add_tcase(s, cf);
    return s;
}
