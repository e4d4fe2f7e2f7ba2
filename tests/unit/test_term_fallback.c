#include "testing.h"

#include <string.h>

#include "ui.h"

/* Issue 14 case 4: which terminfo entry stands in for a missing one. */
START_TEST(xterm_like_terminals_fall_back_to_xterm_256color)
{
    const char *xterm_like[] = {"xterm-ghostty", "xterm-kitty", "alacritty", "wezterm", "foot",
                                "foot-extra", "ghostty", "kitty", "xterm-direct", "rxvt-unicode-256color",
                                "contour", "st-256color"};
    for (size_t i = 0; i < sizeof xterm_like / sizeof *xterm_like; i++) {
        const char *f = ui_term_fallback(xterm_like[i]);
        ck_assert_msg(f && strcmp(f, "xterm-256color") == 0, "%s -> %s", xterm_like[i],
                      f ? f : "NULL");
    }
}
END_TEST

START_TEST(tmux_and_screen_fall_back_to_screen)
{
    ck_assert_str_eq(ui_term_fallback("tmux-256color"), "screen-256color");
    ck_assert_str_eq(ui_term_fallback("tmux-direct"), "screen-256color");
    ck_assert_str_eq(ui_term_fallback("screen.xterm-256color"), "screen-256color");
    ck_assert_str_eq(ui_term_fallback("screen-256color"), "screen");
}
END_TEST

START_TEST(nothing_fits_the_unknown_or_the_fallback_itself)
{
    ck_assert_ptr_null(ui_term_fallback(NULL));
    ck_assert_ptr_null(ui_term_fallback(""));
    ck_assert_ptr_null(ui_term_fallback("no-such-terminal-xyz"));
    ck_assert_ptr_null(ui_term_fallback("vt52"));
    ck_assert_ptr_null(ui_term_fallback("stuff")); /* "st" is a stem, not a prefix */
    ck_assert_ptr_null(ui_term_fallback("kittycat"));
    ck_assert_ptr_null(ui_term_fallback("xterm-256color")); /* no loop onto itself */
}
END_TEST

SUITE(term_fallback)
{
    Suite *s = suite_create("term_fallback");
    TCase *tc = tcase_create("term_fallback");
    tcase_add_test(tc, xterm_like_terminals_fall_back_to_xterm_256color);
    tcase_add_test(tc, tmux_and_screen_fall_back_to_screen);
    tcase_add_test(tc, nothing_fits_the_unknown_or_the_fallback_itself);
    suite_add_tcase(s, tc);
    return s;
}
