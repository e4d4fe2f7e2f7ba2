/* Issue 16, "Done when": no function in the ui files draws one specific resource, and no ui
 * file is over 800 lines. Every resource, patients too, is drawn from the resource table
 * (src/common/resources.def) by the generic table code; a ui file that names a resource's own
 * typed record (struct api_patient, the typed patients page) is drawing that resource by hand.
 * The sources are read from the repository this file was compiled in (run from its root, as
 * `make check-unit` does). */
#include "testing.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The repository's src/ directory, from this file's own path. */
static void src_dir(char *buf, size_t size)
{
    const char *self = __FILE__; /* "tests/unit/test_ui_generic.c" or absolute */
    const char *cut = strstr(self, "tests/unit/");
    snprintf(buf, size, "%.*ssrc", cut ? (int)(cut - self) : 0, self);
}

START_TEST(ui_files_draw_no_resource_by_hand)
{
    static const char *const typed[] = {"api_patient", "api_page", "->page.", ".page.items",
                                        "detail.patient", "draw_patients", "patient_lines", NULL};
    char dir[512], pattern[600];
    src_dir(dir, sizeof dir);
    snprintf(pattern, sizeof pattern, "%s/ui*.[ch]", dir);
    glob_t g;
    ck_assert_msg(glob(pattern, 0, NULL, &g) == 0, "no ui files at %s", pattern);
    ck_assert_msg(g.gl_pathc >= 8, "only %zu ui files at %s", g.gl_pathc, pattern);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        FILE *f = fopen(g.gl_pathv[i], "r");
        ck_assert_msg(f, "cannot read %s", g.gl_pathv[i]);
        char line[4096];
        int n = 0;
        while (fgets(line, sizeof line, f)) {
            n++;
            for (const char *const *t = typed; *t; t++)
                ck_assert_msg(!strstr(line, *t), "%s:%d names %s: draws patients by hand, not "
                              "by the resource table", g.gl_pathv[i], n, *t);
        }
        fclose(f);
        ck_assert_msg(n <= 800, "%s has %d lines (issue 16: at most 800)", g.gl_pathv[i], n);
    }
    globfree(&g);
}
END_TEST

SUITE(ui_generic)
{
    Suite *s = suite_create("ui_generic");
    TCase *tc = tcase_create("ui_generic");
    tcase_add_test(tc, ui_files_draw_no_resource_by_hand);
    suite_add_tcase(s, tc);
    return s;
}
