#include "testing.h"

#include <stdlib.h>

#include "selection.h"

START_TEST(the_selection_follows_its_item_when_rows_move)
{
    struct selection s = {0};
    const char *a[] = {"westla", "eastside", "north"};
    ck_assert_int_eq(selection_resolve(&s, a, 3), SELECTION_FIRST);
    ck_assert_uint_eq(s.row, 0);
    ck_assert_ptr_null(s.key); /* follows the top until chosen */
    selection_set(&s, a, 3, 2);
    /* A new group arrives on top and the others regroup: north is now row 0. */
    const char *b[] = {"north", "harbor", "westla", "eastside"};
    ck_assert_int_eq(selection_resolve(&s, b, 4), SELECTION_SAME);
    ck_assert_uint_eq(s.row, 0);
    ck_assert_str_eq(s.key, "north");
    selection_free(&s);
}
END_TEST

START_TEST(a_vanished_item_gives_way_to_its_nearest_neighbour)
{
    struct selection s = {0};
    const char *a[] = {"a", "b", "c", "d"};
    selection_set(&s, a, 4, 1);
    const char *b[] = {"a", "c", "d"};
    ck_assert_int_eq(selection_resolve(&s, b, 3), SELECTION_NEIGHBOUR);
    ck_assert_str_eq(s.key, "c"); /* the row that took its place */
    selection_set(&s, b, 3, 2);
    const char *c[] = {"a", "c"};
    ck_assert_int_eq(selection_resolve(&s, c, 2), SELECTION_NEIGHBOUR);
    ck_assert_str_eq(s.key, "c"); /* it was last: the new last */
    ck_assert_uint_eq(s.row, 1);
    /* An empty list keeps the key: the item may come back. */
    ck_assert_int_eq(selection_resolve(&s, c, 0), SELECTION_EMPTY);
    ck_assert_str_eq(s.key, "c");
    ck_assert_int_eq(selection_resolve(&s, c, 2), SELECTION_SAME);
    selection_reset(&s);
    ck_assert_int_eq(selection_resolve(&s, c, 2), SELECTION_FIRST);
    ck_assert_uint_eq(s.row, 0);
    selection_free(&s);
}
END_TEST

SUITE(selection)
{
    Suite *s = suite_create("selection");
    TCase *tc = tcase_create("selection");
    tcase_add_test(tc, the_selection_follows_its_item_when_rows_move);
    tcase_add_test(tc, a_vanished_item_gives_way_to_its_nearest_neighbour);
    suite_add_tcase(s, tc);
    return s;
}
