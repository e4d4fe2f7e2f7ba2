#include "testing.h"

#include "sandbox/ratelimit.h"

START_TEST(admits_up_to_the_limit_then_refuses)
{
    struct sb_window w;
    sb_window_init(&w, 3, 60);
    double wait = -1;
    ck_assert(sb_window_admit(&w, 100.0, &wait));
    ck_assert(sb_window_admit(&w, 110.0, &wait));
    ck_assert(sb_window_admit(&w, 120.0, &wait));
    ck_assert_uint_eq(sb_window_remaining(&w, 120.0), 0);
    ck_assert(!sb_window_admit(&w, 130.0, &wait));
    /* The oldest (100) leaves the window at 160: 30 s after 130. */
    ck_assert_double_eq_tol(wait, 30.0, 1e-9);
    ck_assert_double_eq_tol(sb_window_reset_at(&w, 130.0), 160.0, 1e-9);
    sb_window_free(&w);
}
END_TEST

START_TEST(slides_rather_than_resetting)
{
    struct sb_window w;
    sb_window_init(&w, 2, 10);
    double wait;
    ck_assert(sb_window_admit(&w, 0.0, &wait));
    ck_assert(sb_window_admit(&w, 5.0, &wait));
    ck_assert(!sb_window_admit(&w, 9.9, &wait));
    ck_assert(sb_window_admit(&w, 10.0, &wait)); /* the request at 0 has left */
    ck_assert(!sb_window_admit(&w, 14.9, &wait)); /* 5 and 10 still inside */
    ck_assert_double_eq_tol(wait, 0.1, 1e-9);
    ck_assert(sb_window_admit(&w, 15.0, &wait));
    ck_assert_uint_eq(sb_window_remaining(&w, 15.0), 0);
    ck_assert_uint_eq(sb_window_remaining(&w, 30.0), 2);
    ck_assert_double_eq_tol(sb_window_reset_at(&w, 30.0), 30.0, 1e-9);
    sb_window_free(&w);
}
END_TEST

START_TEST(refused_requests_do_not_count)
{
    struct sb_window w;
    sb_window_init(&w, 1, 60);
    double wait;
    ck_assert(sb_window_admit(&w, 0.0, &wait));
    for (int i = 1; i < 50; i++)
        ck_assert(!sb_window_admit(&w, (double)i, &wait));
    ck_assert(sb_window_admit(&w, 60.0, &wait));
    sb_window_free(&w);
}
END_TEST

SUITE(sandbox_ratelimit)
{
    Suite *s = suite_create("sandbox_ratelimit");
    TCase *tc = tcase_create("window");
    tcase_add_test(tc, admits_up_to_the_limit_then_refuses);
    tcase_add_test(tc, slides_rather_than_resetting);
    tcase_add_test(tc, refused_requests_do_not_count);
    suite_add_tcase(s, tc);
    return s;
}
