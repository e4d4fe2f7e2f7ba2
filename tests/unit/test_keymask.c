#include "testing.h"
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keymask.h"
#include "text.h"

/* Key failures are reported without the key: test output must never hold one whole. */

START_TEST(masks_long_production_key)
{
    char out[KEYMASK_MAX];
    keymask("max_prd_ak_SBAxxxxxxxxxxxxxxxxxx01S", true, out);
    ck_assert_str_eq(out, "max_prd_ak_SBA\xE2\x80\xA6" "01S");
    keymask("max_prd_ak_SBAxxxxxxxxxxxxxxxxxx01S", false, out);
    ck_assert_str_eq(out, "max_prd_ak_SBA...01S");
}
END_TEST

START_TEST(short_keys_reveal_little)
{
    char out[KEYMASK_MAX];
    keymask("max_dev_ak_DEMOgood01", false, out);
    ck_assert_str_eq(out, "max_dev_ak_D...1");
    keymask("abc", false, out);
    ck_assert_str_eq(out, "...");
    keymask("", false, out);
    ck_assert_str_eq(out, "(none)");
    keymask(NULL, false, out);
    ck_assert_str_eq(out, "(none)");
}
END_TEST

/* A deterministic generator, so a failure names a reproducible key family and length. */
static uint32_t next_rand(uint32_t *state)
{
    *state = *state * 1664525u + 1013904223u;
    return *state >> 8;
}

static void make_key(char *key, size_t len, const char *prefix, const char *alphabet,
                     uint32_t *state)
{
    size_t plen = strlen(prefix) < len ? strlen(prefix) : len;
    memcpy(key, prefix, plen);
    size_t n = strlen(alphabet);
    for (size_t i = plen; i < len; i++)
        key[i] = alphabet[next_rand(state) % n];
    key[len] = '\0';
}

/* Checks one masked key against the rules of keymask.h; returns NULL or what is wrong. */
static const char *check_mask(const char *key, bool utf8, const char *out)
{
    const char *ellipsis = utf8 ? "\xE2\x80\xA6" : "...";
    size_t klen = strlen(key);
    if (klen == 0)
        return strcmp(out, "(none)") == 0 ? NULL : "empty key not shown as (none)";
    if (strlen(out) >= KEYMASK_MAX)
        return "masked form too long";
    if (strstr(out, key))
        return "masked form contains the whole key";
    const char *prefix = "";
    if ((strncmp(key, "max_prd_ak_", 11) == 0 || strncmp(key, "max_dev_ak_", 11) == 0) &&
        klen > 11)
        prefix = strncmp(key, "max_prd_ak_", 11) == 0 ? "max_prd_ak_" : "max_dev_ak_";
    size_t plen = strlen(prefix);
    if (strncmp(out, prefix, plen) != 0)
        return "known prefix not kept";
    const char *dots = strstr(out + plen, ellipsis);
    if (!dots)
        return "no ellipsis";
    const char *rest = key + plen;
    size_t rlen = klen - plen;
    size_t head = (size_t)(dots - (out + plen));
    const char *tail = dots + strlen(ellipsis);
    size_t tlen = strlen(tail);
    size_t allowed = (*prefix && rlen >= 16) ? 6 : 4;
    if (head + tlen > allowed)
        return "reveals more characters than allowed";
    if (head + tlen >= rlen && rlen > 0)
        return "reveals the whole secret part";
    for (size_t i = 0; i < head; i++)
        if (out[plen + i] != rest[i] && out[plen + i] != '?')
            return "head is not the start of the secret part";
    for (size_t i = 0; i < tlen; i++)
        if (tail[i] != rest[rlen - tlen + i] && tail[i] != '?')
            return "tail is not the end of the secret part";
    return NULL;
}

START_TEST(every_length_reveals_little)
{
    static const struct {
        const char *prefix, *alphabet;
    } families[] = {
        {"max_prd_ak_", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"},
        {"max_dev_ak_", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"},
        {"", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"},
        {"Bearer max_prd_ak_", "abcdefghijklmnopqrstuvwxyz0123456789"},
        {"max_prd_ak_", "ab cd\t\"'!@#"},
        /* No '.': a key of dots "appears" in "..." without a character being revealed. */
        {"", "xyz_-~ \x01\x1b"},
    };
    uint32_t state = 12345;
    for (size_t f = 0; f < sizeof families / sizeof families[0]; f++) {
        for (size_t len = 0; len <= 80; len++) {
            for (int round = 0; round < 4; round++) {
                char key[81], out[KEYMASK_MAX];
                make_key(key, len, families[f].prefix, families[f].alphabet, &state);
                for (int utf8 = 0; utf8 <= 1; utf8++) {
                    memset(out, 'Z', sizeof out);
                    keymask(key, utf8, out);
                    const char *why = check_mask(key, utf8, out);
                    ck_assert_msg(why == NULL, "family %zu, length %zu, utf8 %d: %s", f, len,
                                  utf8, why ? why : "");
                }
            }
        }
    }
}
END_TEST

START_TEST(bare_prefix_is_not_shown_whole)
{
    char out[KEYMASK_MAX];
    keymask("max_prd_ak_", false, out);
    ck_assert_msg(strstr(out, "max_prd_ak_") == NULL, "a bare prefix came out whole");
    keymask("max_prd_ak_Q", false, out);
    ck_assert_str_eq(out, "max_prd_ak_...");
}
END_TEST

START_TEST(ellipsis_follows_the_locale)
{
    char out[KEYMASK_MAX];
    if (setlocale(LC_CTYPE, "C.UTF-8")) {
        ck_assert(keymask_locale_is_utf8());
        keymask_locale("max_prd_ak_SBAxxxxxxxxxxxxxxxxxx01S", out);
        ck_assert_str_eq(out, "max_prd_ak_SBA\xE2\x80\xA6" "01S");
    }
    ck_assert_ptr_nonnull(setlocale(LC_CTYPE, "C"));
    ck_assert(!keymask_locale_is_utf8());
    keymask_locale("max_prd_ak_SBAxxxxxxxxxxxxxxxxxx01S", out);
    ck_assert_str_eq(out, "max_prd_ak_SBA...01S");
}
END_TEST

/* Issue 11 case 4: a key anywhere in a value is masked, by keymask_text and by text_sanitize
 * (every output cleans through it); a masked form stays as it is. */
START_TEST(key_in_any_text_is_masked)
{
    setlocale(LC_ALL, "C.UTF-8");
    static const struct { const char *in, *out; } cases[] = {
        {"org max_prd_ak_ABCdefghijklmnopXYZ!", "org max_prd_ak_ABC\xE2\x80\xA6XYZ!"},
        {"/v1/max_dev_ak_01DEMOKEYGOOD7Q2M4X8R5T3W9/patients",
         "/v1/max_dev_ak_01D\xE2\x80\xA6" "3W9/patients"},
        {"a max_prd_ak_ABCdefghijklmnopXYZ b max_dev_ak_abcdefghijklmnopqr c",
         "a max_prd_ak_ABC\xE2\x80\xA6XYZ b max_dev_ak_abc\xE2\x80\xA6pqr c"},
        {"max_prd_ak_ABC\xE2\x80\xA6XYZ", "max_prd_ak_ABC\xE2\x80\xA6XYZ"}, /* already masked */
        {"max_prd_ak_ABC...XYZ", "max_prd_ak_ABC...XYZ"},
        {"max_prd_ak_", "max_prd_ak_"}, {"no key here_ak_", "no key here_ak_"}, {"", ""},
        {"max_prd_ak_ab", "max_prd_ak_ab"}, {"max_prd_ak_abcd", "max_prd_ak_\xE2\x80\xA6"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *m = keymask_text(cases[i].in);
        ck_assert_msg(strcmp(m, cases[i].out) == 0, "case %zu: %s", i, m);
        ck_assert_uint_le(strlen(m), strlen(cases[i].in)); /* never grows */
        char *again = keymask_text(m);
        ck_assert_msg(strcmp(again, m) == 0, "case %zu: masking twice gave %s", i, again);
        char *clean = text_clean(cases[i].in);
        ck_assert_msg(strcmp(clean, cases[i].out) == 0, "case %zu: text_clean gave %s", i, clean);
        free(m);
        free(again);
        free(clean);
    }
    ck_assert_ptr_null(keymask_text(NULL));
    setlocale(LC_ALL, "C");
}
END_TEST

SUITE(keymask)
{
    Suite *s = suite_create("keymask");
    TCase *tc = tcase_create("keymask");
    tcase_add_test(tc, masks_long_production_key);
    tcase_add_test(tc, short_keys_reveal_little);
    tcase_add_test(tc, every_length_reveals_little);
    tcase_add_test(tc, bare_prefix_is_not_shown_whole);
    tcase_add_test(tc, ellipsis_follows_the_locale);
    tcase_add_test(tc, key_in_any_text_is_masked);
    suite_add_tcase(s, tc);
    return s;
}
