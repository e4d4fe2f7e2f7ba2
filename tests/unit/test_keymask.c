#include "testing.h"
#include <string.h>

#include "keymask.h"

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

SUITE(keymask)
{
    Suite *s = suite_create("keymask");
    TCase *tc = tcase_create("keymask");
    tcase_add_test(tc, masks_long_production_key);
    tcase_add_test(tc, short_keys_reveal_little);
    suite_add_tcase(s, tc);
    return s;
}
