/* The real maxdash binary: --help, --version, usage errors, and `maxdash config` on valid and
 * broken files. Nothing here prints a key: outputs are searched, never echoed whole. */
#include "testing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"

#define PRD_KEY "max_prd_ak_SBAq7Wn2LpXk9RtYv3Hm01S"
#define DEV_KEY "max_dev_ak_STGq7Wn2LpXk9RtYv3Hm77Q"
#define ORGS "[org \"westla\"]\nid = org_abc123\nkey = production\nname = West LA Dermatology\n"

static char *dir;
static char cfg_path[4096];
static char maxdash[4096];

static void setup(void)
{
    dir = test_tmpdir();
    snprintf(cfg_path, sizeof cfg_path, "%s/config.ini", dir);
    test_program("maxdash", maxdash, sizeof maxdash);
}

static void teardown(void)
{
    test_rmtree(dir);
    free(dir);
}

/* Runs maxdash with args (NULL-terminated) in a fixed UTF-8 locale, HOME in the test dir and
 * MAX_API_KEY set to key (NULL: unset). */
static void run(struct proc_result *r, const char *key, const char *const *args)
{
    char *argv[16] = {maxdash};
    size_t n = 1;
    for (; args && args[n - 1] && n < 15; n++)
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

static void write_config(const char *text, mode_t mode)
{
    ck_assert(test_write_file(cfg_path, text, mode));
}

static bool holds(const struct proc_result *r, const char *needle)
{
    return strstr(r->out, needle) || strstr(r->err, needle);
}

static void assert_no_whole_key(const struct proc_result *r)
{
    ck_assert_msg(!holds(r, PRD_KEY) && !holds(r, DEV_KEY), "a whole key reached the output");
}

static size_t count_lines_starting(const char *text, const char *prefix)
{
    size_t n = 0;
    for (const char *p = text; p && *p;) {
        if (strncmp(p, prefix, strlen(prefix)) == 0)
            n++;
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
    return n;
}

START_TEST(help_and_version)
{
    struct proc_result r;
    run(&r, NULL, (const char *[]){"--help", NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert(strstr(r.out, "usage: maxdash"));
    ck_assert(strstr(r.out, "\n  config  validate the config"));
    ck_assert(strstr(r.out, "\n  check   probe every org"));
    ck_assert(strstr(r.out, "\n  init    write a first config"));
    ck_assert_str_eq(r.err, "");
    proc_result_free(&r);

    run(&r, NULL, (const char *[]){"--version", NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "maxdash " MAXDASH_VERSION "\n");
    proc_result_free(&r);

    run(&r, NULL, (const char *[]){"config", "--help", NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.out, "\nusage: maxdash config [-c FILE]\n"), "%s", r.out);
    proc_result_free(&r);

    run(&r, NULL, (const char *[]){"-V", NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "maxdash " MAXDASH_VERSION "\n");
    proc_result_free(&r);
}
END_TEST

/* Every subcommand's --help (issue 19 case 2): a one-line purpose, the usage, every option
 * aligned in one column, two or three examples, nothing past 80 columns into a pipe. */
START_TEST(every_help_has_purpose_options_examples)
{
    static const char *const subs[] = {NULL, "init", "check", "config", "log"};
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
        struct proc_result r;
        const char *args[] = {subs[i] ? subs[i] : "--help", subs[i] ? "--help" : NULL, NULL};
        run(&r, NULL, args);
        const char *name = subs[i] ? subs[i] : "(dashboard)";
        ck_assert_msg(r.status == 0, "%s: status %d", name, r.status);
        ck_assert_str_eq(r.err, "");
        /* The purpose: one sentence on the first line, then a blank line. */
        const char *nl = strchr(r.out, '\n');
        ck_assert_msg(nl && nl > r.out && nl[-1] == '.' && nl[1] == '\n', "%s: purpose: %s",
                      name, r.out);
        ck_assert_msg(strstr(r.out, "\nusage: maxdash"), "%s: no usage", name);
        ck_assert_msg(strstr(r.out, "\nOptions:\n"), "%s: no options", name);
        const char *ex = strstr(r.out, "\nExamples:\n");
        ck_assert_msg(ex, "%s: no examples", name);
        size_t nex = 0;
        for (const char *p = strstr(ex, "\n  $ maxdash"); p; p = strstr(p + 1, "\n  $ maxdash"))
            nex++;
        ck_assert_msg(nex >= 2 && nex <= 3, "%s: %zu examples", name, nex);
        /* Lines fit 80 columns (the help is ASCII); the options' text starts in one column. */
        int column = -1;
        bool in_options = false;
        for (const char *p = r.out; *p;) {
            size_t len = strcspn(p, "\n");
            ck_assert_msg(len <= 80, "%s: a line of %zu columns: %.*s", name, len, (int)len, p);
            if (strncmp(p, "Options:", 8) == 0)
                in_options = true;
            else if (len == 0)
                in_options = false;
            else if (in_options &&
                     (strncmp(p, "  -", 3) == 0 || strncmp(p, "      --", 8) == 0)) {
                const char *label_end = p + strspn(p, " ");
                while (label_end < p + len && !(label_end[0] == ' ' && label_end[1] == ' '))
                    label_end++;
                const char *text = label_end;
                while (text < p + len && *text == ' ')
                    text++;
                int col = (int)(text - p);
                if (text < p + len) {
                    ck_assert_msg(column < 0 || col == column, "%s: ragged option column: %.*s",
                                  name, (int)len, p);
                    column = col;
                }
            }
            p += len + (p[len] == '\n');
        }
        ck_assert_msg(column > 0, "%s: no option with its text", name);
        proc_result_free(&r);
    }
}
END_TEST

/* Unknown options and commands get "did you mean" (issue 19 case 2): the closest option of
 * that subcommand, the subcommand an option belongs to, the closest subcommand. */
START_TEST(did_you_mean)
{
    static const char *const cases[][3] = {
        {"check", "--jsn", "Did you mean '--json'?"},
        {"log", "--auth-onyl", "Did you mean '--auth-only'?"},
        {"chek", NULL, "Did you mean 'check'?"},
        {"--json", NULL, "Did you mean 'maxdash check --json'?"},
        {"config", "--conifg", "Did you mean '--config'?"},
        {"--verison", NULL, "Did you mean '--version'?"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct proc_result r;
        run(&r, NULL, (const char *[]){cases[i][0], cases[i][1], NULL});
        ck_assert_msg(r.status == 2, "case %zu: status %d", i, r.status);
        ck_assert_msg(strstr(r.err, cases[i][2]), "case %zu: %s", i, r.err);
        ck_assert_msg(strstr(r.err, "--help' for the options and examples"), "case %zu: %s", i,
                      r.err);
        ck_assert_str_eq(r.out, "");
        proc_result_free(&r);
    }
    /* A subcommand's mistake shows that subcommand's usage, not the dashboard's. */
    struct proc_result u;
    run(&u, NULL, (const char *[]){"log", "--jsno", NULL});
    ck_assert_msg(strstr(u.err, "\nusage: maxdash log [-c FILE]"), "%s", u.err);
    ck_assert_msg(strstr(u.err, "Run 'maxdash log --help'"), "%s", u.err);
    proc_result_free(&u);

    /* Nothing close: no guess. */
    struct proc_result r;
    run(&r, NULL, (const char *[]){"check", "--frobnicate", NULL});
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(!strstr(r.err, "Did you mean"), "%s", r.err);
    proc_result_free(&r);
}
END_TEST

/* Help and version to a full device fail (issue 19 case 2): a script must not believe they
 * were written. */
START_TEST(help_to_a_full_device_fails)
{
    if (access("/dev/full", W_OK) != 0)
        return;
    static const char *const cases[][2] = {{"--help", NULL}, {"-V", NULL}, {"--version", NULL},
                                           {"check", "--help"}, {"log", "-h"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char cmd[8400];
        snprintf(cmd, sizeof cmd, "'%s' %s %s > /dev/full 2>/dev/null", maxdash, cases[i][0],
                 cases[i][1] ? cases[i][1] : "");
        int st = system(cmd);
        ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) != 0, "case %zu (%s) exited 0", i,
                      cases[i][0]);
    }
}
END_TEST

/* No config at all (issue 19 case 1): the path of the example that exists and the exact next
 * command; "or pass -c FILE" only when -c was not given. */
START_TEST(missing_config_names_example_and_next_command)
{
    struct proc_result r;
    run(&r, NULL, (const char *[]){"config", NULL});
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "run 'maxdash init' to write it"), "%s", r.err);
    ck_assert_msg(strstr(r.err, "(or pass -c FILE)"), "%s", r.err);
    char example[4300];
    snprintf(example, sizeof example, "copy %s/config.example.ini there", test_src_dir());
    char *real = realpath(test_src_dir(), NULL);
    if (real) {
        snprintf(example, sizeof example, "copy %s/config.example.ini there", real);
        free(real);
    }
    ck_assert_msg(strstr(r.err, example), "want '%s' in: %s", example, r.err);
    proc_result_free(&r);

    char nowhere[4300];
    snprintf(nowhere, sizeof nowhere, "%s/nowhere.ini", dir);
    static const char *const subs[] = {"config", "check", "log"};
    for (size_t i = 0; i < 3; i++) {
        run(&r, NULL, (const char *[]){subs[i], "-c", nowhere, NULL});
        ck_assert_int_eq(r.status, 2);
        char want[8700];
        snprintf(want, sizeof want, "run 'maxdash init -c %s' to write it", nowhere);
        ck_assert_msg(strstr(r.err, want), "%s: %s", subs[i], r.err);
        ck_assert_msg(strstr(r.err, "config.example.ini there"), "%s: %s", subs[i], r.err);
        ck_assert_msg(!strstr(r.err, "pass -c"), "%s: %s", subs[i], r.err);
        proc_result_free(&r);
    }
}
END_TEST

START_TEST(usage_errors)
{
    static const char *const cases[][4] = {
        {"--bogus", NULL},
        {"-x", NULL},
        {"frobnicate", NULL},
        {"config", "--json", NULL},
        {"config", "extra", NULL},
        {"config", "-c", NULL},
        {"--org", "a", "--org", "b"},
    };
    static const char *const messages[] = {
        "maxdash: unknown option '--bogus'\n", "maxdash: unknown option '-x'\n",
        "maxdash: unknown command 'frobnicate'\n", "maxdash: unknown option '--json'\n",
        "maxdash: unexpected argument 'extra'\n", "maxdash: missing argument for '-c'\n",
        "maxdash: --org may be given once here\n",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct proc_result r;
        const char *args[5] = {cases[i][0], cases[i][1], cases[i][2], cases[i][3], NULL};
        run(&r, NULL, args);
        ck_assert_msg(r.status == 2, "case %zu: status %d", i, r.status);
        ck_assert_msg(strncmp(r.err, messages[i], strlen(messages[i])) == 0, "case %zu: %s", i,
                      r.err);
        ck_assert_msg(strstr(r.err, "usage: maxdash"), "case %zu: no usage", i);
        ck_assert_str_eq(r.out, "");
        proc_result_free(&r);
    }
}
END_TEST

/* The session that implements one of these removes its row. */
START_TEST(dashboard_without_a_terminal_says_so)
{
    write_config("[key \"production\"]\nenv = MAX_API_KEY\n" ORGS, 0644);
    static const char *const cases[][5] = {{"-c", NULL}, {"-c", NULL, "--no-color", "--privacy"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *argv[6] = {0};
        for (size_t k = 0; k < 4 && (k == 1 || cases[i][k]); k++)
            argv[k] = k == 1 ? cfg_path : cases[i][k];
        struct proc_result r;
        run(&r, PRD_KEY, argv);
        /* stdin and stdout are pipes here: a clear message and exit 2, not a broken screen */
        ck_assert_msg(r.status == 2, "case %zu: status %d", i, r.status);
        ck_assert_msg(strstr(r.err, "needs a terminal"), "case %zu: %s", i, r.err);
        ck_assert_str_eq(r.out, "");
        assert_no_whole_key(&r);
        proc_result_free(&r);
    }
}
END_TEST

START_TEST(valid_config_prints_resolved_view)
{
    write_config("[maxdash]\nrefresh = 45\n[key \"production\"]\nenv = MAX_API_KEY\n" ORGS, 0644);
    struct proc_result r;
    run(&r, PRD_KEY, (const char *[]){"config", "-c", cfg_path, NULL});
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
    ck_assert_str_eq(r.err, "");
    assert_no_whole_key(&r);
    ck_assert(strstr(r.out, "max_prd_ak_SBA\xE2\x80\xA6" "01S"));
    ck_assert(strstr(r.out, "env MAX_API_KEY"));
    ck_assert(strstr(r.out, "[org \"westla\"]"));
    ck_assert(strstr(r.out, "West LA Dermatology"));
    ck_assert(strstr(r.out, "org_abc123"));
    /* Every setting with its source. */
    char line2[4200];
    snprintf(line2, sizeof line2, "; %s:2\n", cfg_path);
    ck_assert(strstr(r.out, "refresh      = 45"));
    ck_assert(strstr(r.out, line2));
    static const char *const settings[] = {"base_url", "refresh", "timeout", "page_size",
                                           "rate_budget", "log_file", "ca_bundle",
                                           "copy_command", "privacy"};
    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++)
        ck_assert_msg(strstr(r.out, settings[i]), "%s not printed", settings[i]);
    ck_assert(strstr(r.out, "; default\n"));
    ck_assert(strstr(r.out, "/.local/state/maxdash/auth-failures.jsonl"));
    proc_result_free(&r);

    /* Outside a UTF-8 locale the ellipsis is ASCII. */
    char *argv[] = {maxdash, "config", "-c", cfg_path, NULL};
    char *env[] = {"MAX_API_KEY=" PRD_KEY, "LC_ALL=C", NULL};
    ck_assert_int_eq(proc_run(argv, env, NULL, 20000, &r), 0);
    ck_assert_int_eq(r.status, 0);
    ck_assert(strstr(r.out, "max_prd_ak_SBA...01S"));
    assert_no_whole_key(&r);
    proc_result_free(&r);
}
END_TEST

START_TEST(config_found_without_dash_c)
{
    write_config("[key \"production\"]\nenv = MAX_API_KEY\n" ORGS, 0600);
    char *argv[] = {maxdash, "config", NULL};
    char env1[4200], home[4200];
    snprintf(env1, sizeof env1, "MAXDASH_CONFIG=%s", cfg_path);
    snprintf(home, sizeof home, "HOME=%s", dir);
    char *env[] = {env1, home, "MAX_API_KEY=" PRD_KEY, NULL};
    struct proc_result r;
    ck_assert_int_eq(proc_run(argv, env, NULL, 20000, &r), 0);
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
    proc_result_free(&r);

    /* $XDG_CONFIG_HOME/maxdash/config.ini, then a missing default is reported by path. */
    char xdg[4200], xdg_env[4300], file[4300];
    snprintf(xdg, sizeof xdg, "%s/xdg", dir);
    snprintf(file, sizeof file, "%s/maxdash", xdg);
    ck_assert_int_eq(mkdir(xdg, 0700), 0);
    ck_assert_int_eq(mkdir(file, 0700), 0);
    snprintf(file, sizeof file, "%s/maxdash/config.ini", xdg);
    ck_assert(test_write_file(file, "[key \"production\"]\nenv = MAX_API_KEY\n" ORGS, 0600));
    snprintf(xdg_env, sizeof xdg_env, "XDG_CONFIG_HOME=%s", xdg);
    char *env2[] = {"MAXDASH_CONFIG=", home, xdg_env, "MAX_API_KEY=" PRD_KEY, NULL};
    ck_assert_int_eq(proc_run(argv, env2, NULL, 20000, &r), 0);
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
    proc_result_free(&r);

    char *env3[] = {"MAXDASH_CONFIG=", home, "XDG_CONFIG_HOME=", NULL};
    ck_assert_int_eq(proc_run(argv, env3, NULL, 20000, &r), 0);
    ck_assert_int_eq(r.status, 2);
    char want[4300];
    snprintf(want, sizeof want, "maxdash: %s/.config/maxdash/config.ini: no such file", dir);
    ck_assert_msg(strncmp(r.err, want, strlen(want)) == 0, "%s", r.err);
    proc_result_free(&r);
}
END_TEST

START_TEST(five_mistakes_five_lines)
{
    write_config("[maxdash]\n"              /* 1 */
                 "refresh = 1\n"            /* 2: out of range */
                 "colour = yes\n"           /* 3: unknown setting */
                 "[key \"production\"]\n"   /* 4 */
                 "env = MAX_API_KEY\n"      /* 5 */
                 "value = " PRD_KEY "\n"    /* 6: two sources */
                 "[org \"westla\"]\n"       /* 7: no id */
                 "key = production\n"       /* 8 */
                 "[org \"east\"]\n"         /* 9 */
                 "id = org_2\n"             /* 10 */
                 "key = prod\n",            /* 11: undefined key */
                 0600);
    struct proc_result r;
    run(&r, PRD_KEY, (const char *[]){"config", "-c", cfg_path, NULL});
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.out, "");
    char prefix[4200];
    snprintf(prefix, sizeof prefix, "maxdash: %s:", cfg_path);
    ck_assert_uint_eq(count_lines_starting(r.err, prefix), 5);
    ck_assert_uint_eq(count_lines_starting(r.err, "maxdash: "), 5);
    static const int lines[] = {2, 3, 6, 7, 11};
    for (size_t i = 0; i < 5; i++) {
        char want[4300];
        snprintf(want, sizeof want, "maxdash: %s:%d: ", cfg_path, lines[i]);
        ck_assert_msg(strstr(r.err, want), "no message for line %d", lines[i]);
    }
    assert_no_whole_key(&r);
    proc_result_free(&r);
}
END_TEST

START_TEST(inline_value_needs_mode_0600)
{
    write_config("[key \"production\"]\nvalue = " PRD_KEY "\n" ORGS, 0644);
    struct proc_result r;
    run(&r, NULL, (const char *[]){"config", "-c", cfg_path, NULL});
    ck_assert_int_eq(r.status, 2);
    char want[4300];
    snprintf(want, sizeof want, "maxdash: %s:2: ", cfg_path);
    ck_assert_msg(strncmp(r.err, want, strlen(want)) == 0, "%s", r.err);
    ck_assert(strstr(r.err, "chmod 600"));
    ck_assert(strstr(r.err, "env, file or command"));
    ck_assert_uint_eq(count_lines_starting(r.err, "maxdash: "), 1);
    assert_no_whole_key(&r);
    proc_result_free(&r);

    ck_assert_int_eq(chmod(cfg_path, 0600), 0);
    run(&r, NULL, (const char *[]){"config", "-c", cfg_path, NULL});
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
    ck_assert(strstr(r.out, "value (inline)"));
    ck_assert(strstr(r.out, "max_prd_ak_SBA\xE2\x80\xA6" "01S"));
    assert_no_whole_key(&r);
    proc_result_free(&r);
}
END_TEST

START_TEST(mangled_keys_are_accepted_with_a_warning)
{
    write_config("[key \"production\"]\nenv = MAX_API_KEY\n" ORGS, 0600);
    struct proc_result r;
    run(&r, "Bearer " PRD_KEY, (const char *[]){"config", "-c", cfg_path, NULL});
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
    ck_assert(strstr(r.out, "warning      = starts with \"Bearer \""));
    ck_assert(strstr(r.out, "key \"production\" starts with \"Bearer \"")); /* on the org */
    ck_assert(strstr(r.out, "1 warning"));
    assert_no_whole_key(&r);
    proc_result_free(&r);

    write_config("[maxdash]\nbase_url = https://api.maxcare.ai/v1\n"
                 "[key \"production\"]\nenv = MAX_API_KEY\n" ORGS,
                 0600);
    run(&r, DEV_KEY, (const char *[]){"config", "-c", cfg_path, NULL});
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
    ck_assert(strstr(r.out, "is a staging key (max_dev_ak_) but base_url is production"));
    assert_no_whole_key(&r);
    proc_result_free(&r);
}
END_TEST

START_TEST(key_commands_see_no_key)
{
    /* The command of one key dumps its environment and arguments; the other key must be in
     * neither. */
    char text[8192];
    snprintf(text, sizeof text,
             "[key \"production\"]\nenv = MAX_API_KEY\n"
             "[key \"other\"]\ncommand = env > %s/env.txt; cat /proc/$$/cmdline > %s/argv.txt; "
             "printf 'max_dev_ak_%%s\\n' Q7Wn2LpXk9RtYv3Hm77Q\n" ORGS,
             dir, dir);
    write_config(text, 0600);
    struct proc_result r;
    run(&r, PRD_KEY, (const char *[]){"config", "-c", cfg_path, NULL});
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
    assert_no_whole_key(&r);
    proc_result_free(&r);
    static const char *const files[] = {"env.txt", "argv.txt"};
    for (size_t i = 0; i < 2; i++) {
        char p[4300], buf[65536];
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        FILE *f = fopen(p, "r");
        ck_assert_msg(f != NULL, "%s not written", files[i]);
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        ck_assert_uint_gt(n, 0);
        for (size_t j = 0; j < n; j++)
            buf[j] = buf[j] ? buf[j] : '\n';
        buf[n] = '\0';
        ck_assert_msg(!strstr(buf, PRD_KEY), "the key is in the command's %s", files[i]);
    }
}
END_TEST

START_TEST(example_config_is_valid)
{
    char example[4200];
    snprintf(example, sizeof example, "%s/config.example.ini", test_src_dir());
    struct proc_result r;
    run(&r, PRD_KEY, (const char *[]){"config", "-c", example, NULL});
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
    ck_assert(strstr(r.out, "0 warnings"));
    assert_no_whole_key(&r);
    proc_result_free(&r);

    /* Without its variable it says which one is missing. */
    run(&r, NULL, (const char *[]){"config", "-c", example, NULL});
    ck_assert_int_eq(r.status, 2);
    ck_assert(strstr(r.err, "environment variable MAX_API_KEY is"));
    proc_result_free(&r);
}
END_TEST

SUITE(cli_config)
{
    Suite *s = suite_create("cli_config");
    TCase *tc = tcase_create("cli_config");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, help_and_version);
    tcase_add_test(tc, usage_errors);
    tcase_add_test(tc, every_help_has_purpose_options_examples);
    tcase_add_test(tc, did_you_mean);
    tcase_add_test(tc, help_to_a_full_device_fails);
    tcase_add_test(tc, missing_config_names_example_and_next_command);
    tcase_add_test(tc, dashboard_without_a_terminal_says_so);
    tcase_add_test(tc, valid_config_prints_resolved_view);
    tcase_add_test(tc, config_found_without_dash_c);
    tcase_add_test(tc, five_mistakes_five_lines);
    tcase_add_test(tc, inline_value_needs_mode_0600);
    tcase_add_test(tc, mangled_keys_are_accepted_with_a_warning);
    tcase_add_test(tc, key_commands_see_no_key);
    tcase_add_test(tc, example_config_is_valid);
    suite_add_tcase(s, tc);
    return s;
}
