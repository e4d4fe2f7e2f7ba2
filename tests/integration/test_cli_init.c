/* `maxdash init` (issue 19): the real binary writes a config from flags (no terminal here, so it
 * never asks), 0600 in a 0700 directory, never over an existing file, never with a key from the
 * command line; `maxdash config` accepts what it wrote and `--check` probes a real sandbox. */
#include "testing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proc.h"
#include "sandbox_proc.h"

#define PRD_KEY "max_prd_ak_SBAq7Wn2LpXk9RtYv3Hm01S"

static char *dir;
static char maxdash[4096];

static void setup(void)
{
    dir = test_tmpdir();
    test_program("maxdash", maxdash, sizeof maxdash);
}

static void teardown(void)
{
    test_rmtree(dir);
    free(dir);
}

/* maxdash with args (NULL-terminated), HOME in the test dir, MAX_API_KEY = key (NULL unset). */
static void run(struct proc_result *r, const char *key, const char *const *args)
{
    char *argv[24] = {maxdash};
    size_t n = 1;
    for (; args[n - 1] && n < 23; n++)
        argv[n] = (char *)args[n - 1];
    argv[n] = NULL;
    char home[4200], api_key[256];
    snprintf(home, sizeof home, "HOME=%s", dir);
    snprintf(api_key, sizeof api_key, "MAX_API_KEY=%s", key ? key : "");
    char *env[] = {home, api_key, "LC_ALL=C.UTF-8", "XDG_CONFIG_HOME=", "XDG_STATE_HOME=",
                   "MAXDASH_CONFIG=", NULL};
    ck_assert_int_eq(proc_run(argv, env, NULL, 20000, r), 0);
    ck_assert_msg(!r->timed_out, "maxdash did not finish");
}

static bool holds(const struct proc_result *r, const char *needle)
{
    return strstr(r->out, needle) || strstr(r->err, needle);
}

START_TEST(flags_write_a_config_that_config_accepts)
{
    char path[4400], sub[4300];
    snprintf(sub, sizeof sub, "%s/new/maxdash", dir);
    snprintf(path, sizeof path, "%s/config.ini", sub);
    struct proc_result r;
    run(&r, PRD_KEY,
        (const char *[]){"init", "-c", path, "--key-env", "MAX_API_KEY", "--org", "org_abc123",
                         "--org", "org_def456", NULL});
    ck_assert_msg(r.status == 0, "status %d: %s%s", r.status, r.out, r.err);
    ck_assert_msg(strstr(r.out, "valid; 1 key, 2 orgs"), "%s", r.out);
    char next[8900];
    snprintf(next, sizeof next, "Next: maxdash check -c %s", path);
    ck_assert_msg(strstr(r.out, next), "%s", r.out);
    ck_assert(!holds(&r, PRD_KEY));
    proc_result_free(&r);

    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_msg((st.st_mode & 0777) == 0600, "file mode %o", st.st_mode & 0777);
    ck_assert_int_eq(stat(sub, &st), 0);
    ck_assert_msg((st.st_mode & 0777) == 0700, "directory mode %o", st.st_mode & 0777);
    char *text = test_read_file(path, NULL);
    ck_assert(text && strstr(text, "base_url = https://api.maxcare.ai/v1\n"));
    ck_assert(strstr(text, "[key \"production\"]\nenv = MAX_API_KEY\n"));
    ck_assert(strstr(text, "[org \"abc123\"]\nid  = org_abc123\nkey = production\n"));
    ck_assert(strstr(text, "config.example.ini")); /* where every setting is documented */
    free(text);

    run(&r, PRD_KEY, (const char *[]){"config", "-c", path, NULL});
    ck_assert_msg(r.status == 0, "config: %s", r.err);
    proc_result_free(&r);

    /* Never over an existing file: a second init changes nothing. */
    char *before = test_read_file(path, NULL);
    run(&r, PRD_KEY, (const char *[]){"init", "-c", path, "--org", "org_other", NULL});
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "already exists"), "%s", r.err);
    char *after = test_read_file(path, NULL);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    proc_result_free(&r);
}
END_TEST

/* The usual place, the other key sources, the base URL names. */
START_TEST(default_path_and_key_sources)
{
    char keyfile[4300];
    snprintf(keyfile, sizeof keyfile, "%s/dev.key", dir);
    ck_assert(test_write_file(keyfile, "max_dev_ak_STGq7Wn2LpXk9RtYv3Hm77Q\n", 0600));
    struct proc_result r;
    run(&r, NULL,
        (const char *[]){"init", "--base-url", "staging", "--key-file", keyfile, "--org",
                         "org_westla", NULL});
    ck_assert_msg(r.status == 0, "status %d: %s%s", r.status, r.out, r.err);
    ck_assert_msg(strstr(r.out, "Next: maxdash check   "), "%s", r.out); /* no -c */
    proc_result_free(&r);
    char path[4300];
    snprintf(path, sizeof path, "%s/.config/maxdash/config.ini", dir);
    char *text = test_read_file(path, NULL);
    ck_assert_msg(text, "no %s", path);
    ck_assert(strstr(text, "base_url = https://api.maxcare.dev/v1\n"));
    char want[4400];
    snprintf(want, sizeof want, "[key \"staging\"]\nfile = %s\n", keyfile);
    ck_assert_msg(strstr(text, want), "%s", text);
    free(text);

    char other[4300];
    snprintf(other, sizeof other, "%s/cmd.ini", dir);
    run(&r, NULL,
        (const char *[]){"init", "-c", other, "--key-command", "echo max_dev_ak_STGq7Wn2LpXk9R",
                         "--org", "org_a", NULL});
    /* A command that holds a key is the key on the command line: refused, nothing written. */
    ck_assert_int_eq(r.status, 2);
    ck_assert_int_ne(access(other, F_OK), 0);
    proc_result_free(&r);
}
END_TEST

/* Refusals: a key itself, a bad base URL, no org without a terminal; nothing is written and the
 * key is not echoed. */
START_TEST(refusals_write_nothing)
{
    char path[4300];
    snprintf(path, sizeof path, "%s/c.ini", dir);
    static const char *const cases[][6] = {
        {"--key-env", PRD_KEY, "--org", "org_a", NULL},
        {"--key-file", PRD_KEY, "--org", "org_a", NULL},
        {"--base-url", "http://api.maxcare.ai/v1", "--org", "org_a", NULL},
        {"--base-url", "ftp://x", "--org", "org_a", NULL},
        {"--key-env", "MAX_API_KEY", NULL},
        {"--org", "org a\"", NULL},
        {"--org", PRD_KEY, NULL},
        {"--key-env", "A", "--key-file", "/x", "--org", "org_a"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *args[12] = {"init", "-c", path};
        for (size_t k = 0; k < 6 && cases[i][k]; k++)
            args[3 + k] = cases[i][k];
        struct proc_result r;
        run(&r, NULL, args);
        ck_assert_msg(r.status == 2, "case %zu: status %d", i, r.status);
        ck_assert_msg(access(path, F_OK) != 0, "case %zu wrote the file", i);
        ck_assert_msg(!holds(&r, PRD_KEY), "case %zu echoed the key", i);
        ck_assert_msg(*r.err, "case %zu: no message", i);
        proc_result_free(&r);
    }
}
END_TEST

/* The variable named for the key is not set where init runs: the file is written, the check
 * says what is missing, and the next step is to set the variable, not to edit the file. */
START_TEST(unset_key_variable_says_what_to_do)
{
    char path[4300];
    snprintf(path, sizeof path, "%s/k.ini", dir);
    struct proc_result r;
    run(&r, NULL, (const char *[]){"init", "-c", path, "--org", "org_abc123", NULL});
    ck_assert_int_eq(r.status, 2);
    ck_assert_int_eq(access(path, F_OK), 0);
    ck_assert_msg(strstr(r.err, "environment variable MAX_API_KEY is not set"), "%s", r.err);
    ck_assert_msg(strstr(r.out, "MAX_API_KEY is not set here"), "%s", r.out);
    ck_assert_msg(!strstr(r.out, "Fix what is said above"), "%s", r.out);
    proc_result_free(&r);
}
END_TEST

/* Done-when of issue 19: init with flags, then check on it against a sandbox works. */
START_TEST(init_then_check_against_a_sandbox)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    char path[4300];
    snprintf(path, sizeof path, "%s/sandbox.ini", dir);
    struct proc_result r;
    run(&r, K_ACTIVE,
        (const char *[]){"init", "-c", path, "--base-url", sb.base_url, "--org", "org_a",
                         "--check", NULL});
    ck_assert_msg(r.status == 0, "status %d: %s%s", r.status, r.out, r.err);
    ck_assert_msg(strstr(r.out, "[key \"sandbox\"]"), "%s", r.out); /* maxdash config's view */
    ck_assert_msg(strstr(r.out, "1 of 1 org healthy"), "%s", r.out); /* check's report */
    ck_assert(!holds(&r, K_ACTIVE));
    proc_result_free(&r);

    run(&r, K_ACTIVE, (const char *[]){"check", "-c", path, NULL});
    ck_assert_msg(r.status == 0, "check: %d: %s%s", r.status, r.out, r.err);
    proc_result_free(&r);
    sandbox_free(&sb);
}
END_TEST

SUITE(cli_init)
{
    Suite *s = suite_create("cli_init");
    TCase *tc = tcase_create("cli_init");
    tcase_add_unchecked_fixture(tc, sandbox_tmp_setup, sandbox_tmp_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, flags_write_a_config_that_config_accepts);
    tcase_add_test(tc, default_path_and_key_sources);
    tcase_add_test(tc, refusals_write_nothing);
    tcase_add_test(tc, unset_key_variable_says_what_to_do);
    tcase_add_test(tc, init_then_check_against_a_sandbox);
    suite_add_tcase(s, tc);
    return s;
}
