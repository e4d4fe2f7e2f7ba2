#include "testing.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

static void expect_clean(const char *in, const char *want)
{
    char *got = text_clean(in);
    ck_assert_msg(strcmp(got, want) == 0, "sanitize gave '%s', want '%s'", got, want);
    free(got);
}

START_TEST(drops_escape_sequences_whole)
{
    expect_clean("\x1b[31mRed\x1b[0m", "Red");
    expect_clean("\x1b]52;c;cm0gLXJmIH4=\x07" "Clip", "Clip");
    expect_clean("\x1b]0;title\x1b\\Title", "Title");
    expect_clean("\x1bP1$r\x1b\\Dcs", "Dcs");
    expect_clean("\x1b_apc\x1b\\A\x1b^pm\x1b\\B", "AB");
    expect_clean("\x1b" "cReset", "Reset");
    expect_clean("\xc2\x9b" "31mCsi", "Csi");          /* C1 CSI as UTF-8 */
    expect_clean("\xc2\x9d" "0;t\xc2\x9cOsc", "Osc");  /* C1 OSC ... ST */
    expect_clean("trailing\x1b", "trailing");
}
END_TEST

START_TEST(drops_controls_and_bidi)
{
    expect_clean("Bell\x07\x07", "Bell");
    expect_clean("Tab\there\r\nx", "Tab here  x");
    expect_clean("Del\x7f" "ete\x01\x02", "Delete");
    expect_clean("\xc2\x85Nel", "Nel");
    expect_clean("\xe2\x80\xae" "evil\xe2\x80\xac", "evil");
    expect_clean("\xe2\x81\xa6" "iso\xe2\x81\xa9", "iso");
    /* combining marks are text; zero-width format characters are dropped (terminals and
     * wcwidth disagree on them) */
    expect_clean("a\xe2\x80\x8d" "b\xcc\x81", "ab\xcc\x81");
    expect_clean("\xef\xbb\xbf" "Bom\xe2\x81\xa0" "J\xe2\x80\x8b", "BomJ");
}
END_TEST

START_TEST(replaces_invalid_utf8)
{
    expect_clean("a\xff" "b", "a\xef\xbf\xbd" "b");
    expect_clean("\xc0\xaf", "\xef\xbf\xbd");               /* overlong '/' */
    expect_clean("\xed\xa0\x80", "\xef\xbf\xbd");           /* surrogate */
    expect_clean("\xe2\x82", "\xef\xbf\xbd");               /* truncated */
    expect_clean("\xe2\x82" "A", "\xef\xbf\xbd" "A");       /* resynchronises */
    char with_nul[] = {'a', 0, 'b'};
    char *got = text_sanitize(with_nul, 3);
    ck_assert_str_eq(got, "ab");
    free(got);
    ck_assert(text_is_clean("plain", 5));
    ck_assert(!text_is_clean("\x1b[m", 3));
}
END_TEST

START_TEST(measures_and_clips_by_columns)
{
    ck_assert_ptr_nonnull(setlocale(LC_CTYPE, "C.UTF-8"));
    ck_assert_int_eq(text_width("abc"), 3);
    ck_assert_int_eq(text_width("\xe5\x85\xa8\xe8\xa7\x92"), 4);  /* 全角: two wide */
    ck_assert_int_eq(text_width("e\xcc\x81"), 1);                 /* e + combining acute */
    char out[64];
    ck_assert_int_eq(text_clip("abcdef", 4, "\xe2\x80\xa6", out, sizeof out), 4);
    ck_assert_str_eq(out, "abc\xe2\x80\xa6");
    ck_assert_int_eq(text_clip("abc", 4, "\xe2\x80\xa6", out, sizeof out), 3);
    ck_assert_str_eq(out, "abc");
    /* a wide character never straddles the edge */
    ck_assert_int_eq(text_clip("\xe5\x85\xa8\xe8\xa7\x92x", 4, "", out, sizeof out), 4);
    ck_assert_str_eq(out, "\xe5\x85\xa8\xe8\xa7\x92");
    ck_assert_int_eq(text_clip("\xe5\x85\xa8\xe8\xa7\x92x", 3, "", out, sizeof out), 2);
    ck_assert_str_eq(out, "\xe5\x85\xa8");
    /* a tiny buffer cuts at a character boundary */
    ck_assert_int_eq(text_clip("\xe5\x85\xa8\xe8\xa7\x92", 10, "", out, 5), 2);
    ck_assert_str_eq(out, "\xe5\x85\xa8");
    ck_assert_int_eq(text_clip("abc", 0, "", out, sizeof out), 0);
    ck_assert_str_eq(out, "");
}
END_TEST

/* Issue 14 case 3: what a non-UTF-8 terminal is sent. */
static void ascii_is(const char *in, const char *want)
{
    char *got = text_ascii(in);
    ck_assert_msg(strcmp(got, want) == 0, "text_ascii(%s) = [%s], not [%s]", in, got, want);
    for (const char *p = got; *p; p++)
        ck_assert_msg((unsigned char)*p < 0x80, "a byte above 0x7F in [%s]", got);
    free(got);
}

START_TEST(ascii_rendering_for_other_locales)
{
    ascii_is("Hern\xC3\xA1ndez-L\xC3\xB3pez, \xC3\x96mer", "Hernandez-Lopez, Omer");
    ascii_is("S\xC3\xB8ren \xC3\x93lafsd\xC3\xB3ttir Nguy\xE1\xBB\x85n", "Soren Olafsdottir Nguyen");
    ascii_is("\xE2\x80\xA6 \xC3\x97" "3 \xE2\x86\x92", "... x3 ->");
    ascii_is("e\xCC\x81x", "ex");                 /* a combining acute is dropped */
    ascii_is("\xE4\xBD\x90\xE8\x97\xA4, \xE4\xBC\x9F", "??, ?"); /* one ? per character */
    ascii_is("\xE2\x97\x8F ok", "? ok");
    ascii_is("", "");
    ascii_is("plain ASCII stays", "plain ASCII stays");
}
END_TEST

SUITE(text)
{
    Suite *s = suite_create("text");
    TCase *tc = tcase_create("text");
    tcase_add_test(tc, drops_escape_sequences_whole);
    tcase_add_test(tc, drops_controls_and_bidi);
    tcase_add_test(tc, replaces_invalid_utf8);
    tcase_add_test(tc, measures_and_clips_by_columns);
    tcase_add_test(tc, ascii_rendering_for_other_locales);
    suite_add_tcase(s, tc);
    return s;
}
