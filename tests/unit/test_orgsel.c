/* orgsel: --org NAME|ID|GLOB and --tag, and the close matches an unknown name is answered with
 * (issue 17), the same for check, log and the dashboard. */
#include "testing.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "orgsel.h"

static char *tags_a[] = {"west", "derm"};
static char *tags_b[] = {"east"};

static struct config_org orgs[] = {
    {.name = "westla", .id = "org_westla", .tags = tags_a, .ntags = 2},
    {.name = "eastside", .id = "org_eastside", .tags = tags_b, .ntags = 1},
    {.name = "org_f_0001", .id = "org_f_0001"},
};
static struct config cfg = {.path = "config.ini", .orgs = orgs, .norgs = 3};

START_TEST(name_id_and_glob)
{
    ck_assert(orgsel_matches(&orgs[0], "westla"));
    ck_assert(orgsel_matches(&orgs[0], "org_westla"));
    ck_assert(orgsel_matches(&orgs[0], "west*"));
    ck_assert(orgsel_matches(&orgs[0], "org_w?stla"));
    ck_assert(orgsel_matches(&orgs[1], "*side"));
    ck_assert(!orgsel_matches(&orgs[0], "west"));   /* a name is whole, not a prefix */
    ck_assert(!orgsel_matches(&orgs[0], "WESTLA")); /* and exact */
    ck_assert(!orgsel_matches(&orgs[2], "org_f_[1-9]*"));
}
END_TEST

START_TEST(pick_by_patterns_and_tags)
{
    bool picked[3];
    char *err = NULL;
    const char *pats[] = {"org_*"};
    ck_assert(orgsel_pick(&cfg, pats, 1, NULL, 0, picked, &err));
    ck_assert(picked[0] && picked[1] && picked[2]);
    const char *tags[] = {"EAST"};
    ck_assert(orgsel_pick(&cfg, pats, 1, tags, 1, picked, &err));
    ck_assert(!picked[0] && picked[1] && !picked[2]);
    ck_assert(orgsel_pick(&cfg, NULL, 0, NULL, 0, picked, &err));
    ck_assert(picked[0] && picked[1] && picked[2]);
}
END_TEST

START_TEST(unknown_names_get_close_matches)
{
    bool picked[3];
    char *err = NULL;
    const char *pats[] = {"westl"};
    ck_assert(!orgsel_pick(&cfg, pats, 1, NULL, 0, picked, &err));
    ck_assert_msg(strstr(err, "--org: no org named 'westl'") && strstr(err, "did you mean westla"),
                  "%s", err);
    free(err);
    const char *tags[] = {"eats"};
    ck_assert(!orgsel_pick(&cfg, NULL, 0, tags, 1, picked, &err));
    ck_assert_msg(strstr(err, "no org carries the tag 'eats'") && strstr(err, "did you mean east"),
                  "%s", err);
    free(err);
    const char *far[] = {"zzzzzz"};
    ck_assert(!orgsel_pick(&cfg, far, 1, NULL, 0, picked, &err));
    ck_assert_msg(!strstr(err, "did you mean"), "%s", err);
    free(err);
}
END_TEST

START_TEST(close_matches_order_and_limit)
{
    const char *cands[] = {"westla", "westlb", "westlc", "westld", "north"};
    char *m = orgsel_close_matches("westl", cands, 5);
    ck_assert_str_eq(m, "westla, westlb or westlc");
    free(m);
    m = orgsel_close_matches("nrth", cands, 5);
    ck_assert_str_eq(m, "north");
    free(m);
    m = orgsel_close_matches("side", (const char *[]){"eastside", "westla"}, 2);
    ck_assert_str_eq(m, "eastside"); /* a substring counts */
    free(m);
    ck_assert_ptr_null(orgsel_close_matches("qqqq", cands, 5));
}
END_TEST

SUITE(orgsel)
{
    Suite *s = suite_create("orgsel");
    TCase *tc = tcase_create("orgsel");
    tcase_add_test(tc, name_id_and_glob);
    tcase_add_test(tc, pick_by_patterns_and_tags);
    tcase_add_test(tc, unknown_names_get_close_matches);
    tcase_add_test(tc, close_matches_order_and_limit);
    suite_add_tcase(s, tc);
    return s;
}
