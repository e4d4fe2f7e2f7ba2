/* config: parsing, every validation rule and its message, key sources, key hygiene warnings.
 * Keys are compared with strcmp and reported without their value: test output never holds a
 * whole key. */
#include "testing.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "proc.h"

#define TEST_KEY "max_prd_ak_TESTabcdefghijklmnopq9Z"
#define DEV_KEY "max_dev_ak_DEVabcdefghijklmnopqr7Y"
/* The usual end of a test config: one key from the environment, one org using it. */
#define TAIL "[key \"k\"]\nenv = MAXDASH_TEST_KEY\n[org \"o\"]\nid = org_1\nkey = k\n"

static char *dir;
static char path[4096];

static void setup(void)
{
    dir = test_tmpdir();
    snprintf(path, sizeof path, "%s/config.ini", dir);
    setenv("MAXDASH_TEST_KEY", TEST_KEY, 1);
    setenv("MAXDASH_TEST_EMPTY", "", 1);
    unsetenv("MAXDASH_TEST_UNSET");
    setenv("HOME", dir, 1);
    unsetenv("XDG_STATE_HOME");
    unsetenv("XDG_CONFIG_HOME");
    unsetenv("MAXDASH_CONFIG");
    config_set_command_timeout_ms(10000);
}

static void teardown(void)
{
    test_rmtree(dir);
    free(dir);
}

static char *file_in_dir(const char *name)
{
    char *p = NULL;
    ck_assert_int_ge(asprintf(&p, "%s/%s", dir, name), 0);
    return p;
}

static bool load_mode(const char *text, mode_t mode, struct config *cfg, struct config_errors *e)
{
    ck_assert(test_write_file(path, text, mode));
    memset(e, 0, sizeof *e);
    return config_load(path, cfg, e);
}

static bool load(const char *text, struct config *cfg, struct config_errors *e)
{
    return load_mode(text, 0600, cfg, e);
}

/* All error texts on one line each, for assertion messages (they never hold a whole key). */
static const char *dump(const struct config_errors *e)
{
    static char out[8192];
    out[0] = '\0';
    for (size_t i = 0; i < e->count; i++) {
        strncat(out, "\n  ", sizeof out - strlen(out) - 1);
        strncat(out, e->v[i].text, sizeof out - strlen(out) - 1);
    }
    return e->count ? out : " (none)";
}

static bool errors_contain(const struct config_errors *e, const char *needle)
{
    for (size_t i = 0; i < e->count; i++)
        if (strstr(e->v[i].text, needle))
            return true;
    return false;
}

/* The one error expected: at line, containing every needle (NULL-terminated). */
static void expect_one_error(const struct config_errors *e, int line, const char *needle)
{
    ck_assert_msg(e->count == 1, "expected one error, got %zu:%s", e->count, dump(e));
    ck_assert_msg(e->v[0].line == line, "expected line %d:%s", line, dump(e));
    ck_assert_msg(strstr(e->v[0].message, needle), "expected '%s' in:%s", needle, dump(e));
    ck_assert_msg(!errors_contain(e, TEST_KEY) && !errors_contain(e, DEV_KEY),
                  "an error message holds a whole key");
}

static void done(struct config *cfg, struct config_errors *e)
{
    config_free(cfg);
    config_errors_free(e);
}

/* --- a valid file ---------------------------------------------------------------------- */

START_TEST(defaults_apply)
{
    struct config cfg;
    struct config_errors e;
    ck_assert_msg(load(TAIL, &cfg, &e), "errors:%s", dump(&e));
    ck_assert_str_eq(cfg.set.base_url, "https://api.maxcare.ai/v1");
    ck_assert_int_eq(cfg.set.api_env, CONFIG_API_PRODUCTION);
    ck_assert_int_eq(cfg.set.refresh, 30);
    ck_assert_int_eq(cfg.set.timeout, 10);
    ck_assert_int_eq(cfg.set.page_size, 50);
    ck_assert_int_eq(cfg.set.rate_budget, 100);
    ck_assert_ptr_null(cfg.set.ca_bundle);
    ck_assert_ptr_null(cfg.set.copy_command);
    ck_assert(!cfg.set.privacy);
    char *log = file_in_dir(".local/state/maxdash/auth-failures.jsonl");
    ck_assert_str_eq(cfg.set.log_file, log);
    free(log);
    for (int i = 0; i < CONFIG_SETTING_COUNT; i++)
        ck_assert_int_eq(cfg.set.line[i], 0);
    done(&cfg, &e);

    setenv("XDG_STATE_HOME", "/srv/state", 1);
    ck_assert_msg(load(TAIL, &cfg, &e), "errors:%s", dump(&e));
    ck_assert_str_eq(cfg.set.log_file, "/srv/state/maxdash/auth-failures.jsonl");
    done(&cfg, &e);
    /* A relative XDG directory is invalid by the spec and ignored. */
    setenv("XDG_STATE_HOME", "state", 1);
    ck_assert_msg(load(TAIL, &cfg, &e), "errors:%s", dump(&e));
    ck_assert(strncmp(cfg.set.log_file, dir, strlen(dir)) == 0);
    done(&cfg, &e);
}
END_TEST

START_TEST(a_key_names_its_probe_resource)
{
    /* Issue 20: the probe a key's health is judged on; patients when not said. */
    struct config cfg;
    struct config_errors e;
    ck_assert_msg(load("[key \"k\"]\nenv = MAXDASH_TEST_KEY\nprobe = appointments\n"
                       "[key \"j\"]\nenv = MAXDASH_TEST_KEY\n[org \"o\"]\nid = org_1\nkey = k\n",
                       &cfg, &e), "errors:%s", dump(&e));
    ck_assert_str_eq(config_find_key(&cfg, "k")->probe, "appointments");
    ck_assert_int_eq(config_find_key(&cfg, "k")->probe_line, 3);
    ck_assert_ptr_null(config_find_key(&cfg, "j")->probe);
    ck_assert_int_eq(cfg.set.me_every, 10);
    done(&cfg, &e);
}
END_TEST

START_TEST(a_key_may_choose_the_api_version)
{
    /* Issue 16 item 5: an app on /v4 beside the rest on /v1, the same server. */
    struct config cfg;
    struct config_errors e;
    ck_assert_msg(load("[maxdash]\nbase_url = https://api.maxcare.ai/v1\n"
                       "[key \"k\"]\nenv = MAXDASH_TEST_KEY\nbase_url = https://API.maxcare.ai/v4/\n"
                       "[key \"j\"]\nenv = MAXDASH_TEST_KEY\n"
                       "[org \"o\"]\nid = org_1\nkey = k\n[org \"p\"]\nid = org_2\nkey = j\n",
                       &cfg, &e), "errors:%s", dump(&e));
    const struct config_key *k = config_find_key(&cfg, "k");
    ck_assert_str_eq(k->base_url, "https://API.maxcare.ai/v4"); /* the trailing '/' goes */
    ck_assert_int_eq(k->base_url_line, 5);
    ck_assert_ptr_null(config_find_key(&cfg, "j")->base_url);
    ck_assert_str_eq(config_org_base_url(&cfg, config_find_org(&cfg, "o")),
                     "https://API.maxcare.ai/v4");
    ck_assert_str_eq(config_org_base_url(&cfg, config_find_org(&cfg, "p")),
                     "https://api.maxcare.ai/v1");
    ck_assert_str_eq(config_org_base_url(&cfg, NULL), "https://api.maxcare.ai/v1");
    done(&cfg, &e);

    /* Another server is an error naming the line: a key goes only where [maxdash] says. */
    ck_assert(!load("[maxdash]\nbase_url = https://api.maxcare.ai/v1\n"
                    "[key \"k\"]\nenv = MAXDASH_TEST_KEY\nbase_url = https://api.maxcare.dev/v4\n"
                    "[org \"o\"]\nid = org_1\nkey = k\n",
                    &cfg, &e));
    ck_assert_msg(strstr(dump(&e), ":5: base_url: 'https://api.maxcare.dev/v4' is another server"),
                  "%s", dump(&e));
    done(&cfg, &e);
    /* The same for a port, and a second base_url in one key. */
    ck_assert(!load("[maxdash]\nbase_url = http://127.0.0.1:8080/v1\n"
                    "[key \"k\"]\nenv = MAXDASH_TEST_KEY\nbase_url = http://127.0.0.1:8081/v4\n"
                    "base_url = http://127.0.0.1:8080/v4\n[org \"o\"]\nid = org_1\nkey = k\n",
                    &cfg, &e));
    ck_assert_msg(strstr(dump(&e), ":5: base_url:"), "%s", dump(&e));
    ck_assert_msg(strstr(dump(&e), ":6: 'base_url' is set twice (first at line 5)"), "%s", dump(&e));
    done(&cfg, &e);
}
END_TEST

START_TEST(every_setting_is_read_with_its_line)
{
    const char *text = "[maxdash]\n"                               /* 1 */
                       "base_url = https://api.maxcare.dev/v2/\n"  /* 2 */
                       "refresh = 2\n"                             /* 3 */
                       "timeout = 300\n"                           /* 4 */
                       "page_size = 100\n"                         /* 5 */
                       "rate_budget = 1000\n"                      /* 6 */
                       "log_file = logs/auth.jsonl\n"              /* 7 */
                       "ca_bundle = /dev/null\n"                   /* 8 */
                       "copy_command = xclip -selection c\n"       /* 9 */
                       "privacy = yes\n"                           /* 10 */
                       "me_every = 3\n"                            /* 11 */
                       "[key \"staging\"]\n"                       /* 12 */
                       "env = MAXDASH_TEST_DEV\n"                  /* 13 */
                       "[org \"westla\"]\n"                        /* 14 */
                       "id   = org_abc123\n"                       /* 15 */
                       "key  = staging\n"                          /* 16 */
                       "name = West LA Dermatology\n"              /* 17 */
                       "[org \"b\"]\n"                             /* 18 */
                       "key = staging\n"                           /* 19 */
                       "id = 550e8400-e29b-41d4-a716-446655440000\n"; /* 20 */
    setenv("MAXDASH_TEST_DEV", DEV_KEY, 1);
    struct config cfg;
    struct config_errors e;
    ck_assert_msg(load(text, &cfg, &e), "errors:%s", dump(&e));
    ck_assert_str_eq(cfg.set.base_url, "https://api.maxcare.dev/v2");
    ck_assert_int_eq(cfg.set.api_env, CONFIG_API_STAGING);
    ck_assert_int_eq(cfg.set.refresh, 2);
    ck_assert_int_eq(cfg.set.timeout, 300);
    ck_assert_int_eq(cfg.set.page_size, 100);
    ck_assert_int_eq(cfg.set.rate_budget, 1000);
    char *log = file_in_dir("logs/auth.jsonl");
    ck_assert_str_eq(cfg.set.log_file, log);
    free(log);
    ck_assert_str_eq(cfg.set.ca_bundle, "/dev/null");
    ck_assert_str_eq(cfg.set.copy_command, "xclip -selection c");
    ck_assert(cfg.set.privacy);
    ck_assert_int_eq(cfg.set.me_every, 3);
    for (int i = 0; i < CONFIG_SETTING_COUNT; i++)
        ck_assert_int_eq(cfg.set.line[i], i + 2);

    ck_assert_uint_eq(cfg.nkeys, 1);
    struct config_key *k = config_find_key(&cfg, "staging");
    ck_assert_ptr_nonnull(k);
    ck_assert_str_eq(k->name, "staging");
    ck_assert_int_eq(k->line, 12);
    ck_assert_int_eq(k->source, CONFIG_SRC_ENV);
    ck_assert_str_eq(k->source_text, "MAXDASH_TEST_DEV");
    ck_assert_int_eq(k->source_line, 13);
    ck_assert_msg(k->value && strcmp(k->value, DEV_KEY) == 0, "key not resolved from env");
    ck_assert_uint_eq(k->warnings, 0);

    ck_assert_uint_eq(cfg.norgs, 2);
    struct config_org *o = config_find_org(&cfg, "westla");
    ck_assert_ptr_eq(o, &cfg.orgs[0]);
    ck_assert_int_eq(o->line, 14);
    ck_assert_str_eq(o->id, "org_abc123");
    ck_assert_int_eq(o->id_line, 15);
    ck_assert_str_eq(o->key_name, "staging");
    ck_assert_int_eq(o->key_line, 16);
    ck_assert_ptr_eq(o->key, k);
    ck_assert_str_eq(o->display_name, "West LA Dermatology");
    ck_assert_int_eq(o->display_name_line, 17);
    ck_assert_str_eq(cfg.orgs[1].id, "550e8400-e29b-41d4-a716-446655440000");
    ck_assert_ptr_null(cfg.orgs[1].display_name);
    ck_assert_ptr_null(config_find_org(&cfg, "nope"));
    ck_assert_ptr_null(config_find_key(&cfg, "nope"));
    done(&cfg, &e);
}
END_TEST

START_TEST(setting_texts_for_printing)
{
    struct config cfg;
    struct config_errors e;
    ck_assert_msg(load("[maxdash]\nrefresh = 45\ncopy_command = a\x1b[2Jb\n" TAIL, &cfg, &e),
                  "errors:%s", dump(&e));
    char *t = config_setting_text(&cfg, CONFIG_REFRESH);
    ck_assert_str_eq(t, "45");
    free(t);
    t = config_setting_text(&cfg, CONFIG_CA_BUNDLE);
    ck_assert_str_eq(t, "(none)");
    free(t);
    t = config_setting_text(&cfg, CONFIG_COPY_COMMAND);
    ck_assert_str_eq(t, "ab"); /* the escape sequence never reaches a terminal */
    free(t);
    t = config_setting_text(&cfg, CONFIG_PRIVACY);
    ck_assert_str_eq(t, "false");
    free(t);
    ck_assert_str_eq(config_setting_name(CONFIG_RATE_BUDGET), "rate_budget");
    done(&cfg, &e);
}
END_TEST

START_TEST(booleans)
{
    static const struct {
        const char *text;
        bool value;
    } cases[] = {{"yes", true}, {"On", true}, {"1", true}, {"TRUE", true},
                 {"no", false}, {"off", false}, {"0", false}, {"False", false}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[256];
        snprintf(text, sizeof text, "[maxdash]\nprivacy = %s\n" TAIL, cases[i].text);
        struct config cfg;
        struct config_errors e;
        ck_assert_msg(load(text, &cfg, &e), "%s:%s", cases[i].text, dump(&e));
        ck_assert_msg(cfg.set.privacy == cases[i].value, "privacy = %s", cases[i].text);
        done(&cfg, &e);
    }
}
END_TEST

START_TEST(loopback_may_use_http)
{
    static const struct {
        const char *url;
        enum config_api_env env;
    } cases[] = {
        {"http://127.0.0.1:8080/v1", CONFIG_API_LOOPBACK},
        {"http://127.200.3.4/v1", CONFIG_API_LOOPBACK},
        {"http://[::1]:9999/v1", CONFIG_API_LOOPBACK},
        {"http://localhost/v1", CONFIG_API_LOOPBACK},
        {"HTTP://LOCALHOST:1/v1", CONFIG_API_LOOPBACK},
        {"https://api.maxcare.ai/v1", CONFIG_API_PRODUCTION},
        {"https://API.MAXCARE.AI./v3", CONFIG_API_PRODUCTION},
        {"https://api.maxcare.dev/v1", CONFIG_API_STAGING},
        {"https://proxy.example.com:8443/maxcare/v1", CONFIG_API_OTHER},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, "[maxdash]\nbase_url = %s\n" TAIL, cases[i].url);
        struct config cfg;
        struct config_errors e;
        ck_assert_msg(load(text, &cfg, &e), "%s:%s", cases[i].url, dump(&e));
        ck_assert_msg(cfg.set.api_env == cases[i].env, "%s: env %d", cases[i].url,
                      cfg.set.api_env);
        ck_assert_int_eq(config_api_env_of(cases[i].url), cases[i].env);
        done(&cfg, &e);
    }
}
END_TEST

/* --- every mistake, one message each --------------------------------------------------- */

static const struct bad_case {
    const char *text;
    int line;
    const char *message;
} bad_cases[] = {
    {"[maxdahs]\n" TAIL, 1, "unknown section [maxdahs] (did you mean [maxdash]?)"},
    {"[keys \"a\"]\n" TAIL, 1, "unknown section [keys] (did you mean [key \"NAME\"]?)"},
    {"[frobnicate]\nx = 1\n" TAIL, 1,
     "unknown section [frobnicate]: sections are [maxdash], [key \"NAME\"] and [org \"NAME\"]"},
    {"[maxdash]\nrefesh = 30\n" TAIL, 2,
     "unknown setting 'refesh' in [maxdash] (did you mean 'refresh'?)"},
    {"[maxdash]\nRefresh = 30\n" TAIL, 2,
     "unknown setting 'Refresh' in [maxdash] (did you mean 'refresh'?)"},
    {"[maxdash]\ncolour = 1\n" TAIL, 2,
     "unknown setting 'colour' in [maxdash] (known: base_url, refresh, timeout, page_size, "
     "rate_budget, log_file, ca_bundle, copy_command, privacy, me_every)"},
    {"[key \"k\"]\nenv = MAXDASH_TEST_KEY\nprobe = bogus\n[org \"o\"]\nid = org_1\nkey = k\n", 3,
     "probe: 'bogus' is not a resource name (such as patients or appointments)"},
    {"[key \"k\"]\nenv = MAXDASH_TEST_KEY\nprobe = stock-levels\n[org \"o\"]\nid = org_1\nkey = k\n",
     3, "probe: 'stock-levels' cannot be a probe: its list needs an id or a filter"},
    {"[key \"k\"]\nenv = MAXDASH_TEST_KEY\nprobe = tasks\nprobe = bills\n[org \"o\"]\nid = org_1\n"
     "key = k\n", 4, "'probe' is set twice (first at line 3)"},
    {"[maxdash]\nid = org_1\n" TAIL, 2,
     "'id' belongs in an [org \"NAME\"] section, not in [maxdash]"},
    {"[key \"k\"]\nenv = MAXDASH_TEST_KEY\nvalu = x\n[org \"o\"]\nid = org_1\nkey = k\n", 3,
     "unknown setting 'valu' in [key \"k\"] (did you mean 'value'?)"},
    {TAIL "[org \"p\"]\nkey = k\n", 6,
     "org \"p\" has no id (the clinic's organization id, e.g. id = org_abc123)"},
    {TAIL "[org \"p\"]\nid = org_2\n", 6,
     "org \"p\" has no key: add key = NAME of a [key \"NAME\"] section"},
    {TAIL "[org \"p\"]\nid = org_2\nkey = kk\n", 8,
     "key 'kk' is not defined: no [key \"kk\"] section (did you mean 'k'?)"},
    {TAIL "[org \"p\"]\nid = org_2\nkey = production\n", 8,
     "key 'production' is not defined: no [key \"production\"] section"},
    {"[key \"k\"]\nenv = MAXDASH_TEST_KEY\nfile = /x\n[org \"o\"]\nid = org_1\nkey = k\n", 3,
     "key \"k\" has two sources, env (line 2) and file: keep exactly one"},
    {"[key \"k\"]\nenv = MAXDASH_TEST_KEY\nenv = OTHER\n[org \"o\"]\nid = org_1\nkey = k\n", 3,
     "'env' is set twice (first at line 2)"},
    {"[key \"k\"]\n[org \"o\"]\nid = org_1\nkey = k\n", 1,
     "key \"k\" has no source: set one of env, file, command or value"},
    {"[maxdash]\nrefresh = abc\n" TAIL, 2, "refresh: 'abc' is not a number (seconds, 2..3600)"},
    {"[maxdash]\nrefresh = -5\n" TAIL, 2, "refresh: '-5' is not a number (seconds, 2..3600)"},
    {"[maxdash]\nrefresh = 30 # seconds\n" TAIL, 2,
     "refresh: '30 # seconds' is not a number (seconds, 2..3600) (a comment after a value "
     "starts with ' ;', not '#')"},
    {"[maxdash]\nrefresh = 1\n" TAIL, 2, "refresh: 1 is out of range (2..3600 seconds)"},
    {"[maxdash]\ntimeout = 301\n" TAIL, 2, "timeout: 301 is out of range (1..300 seconds)"},
    {"[maxdash]\npage_size = 101\n" TAIL, 2,
     "page_size: 101 is out of range (1..100 patients per page)"},
    {"[maxdash]\npage_size = 99999999999999999999999\n" TAIL, 2,
     "page_size: 99999999999999999999999 is out of range (1..100 patients per page)"},
    {"[maxdash]\nrate_budget = 0\n" TAIL, 2,
     "rate_budget: 0 is out of range (1..1000 requests per minute)"},
    {"[maxdash]\nbase_url = http://api.maxcare.ai/v1\n" TAIL, 2,
     "base_url: http:// to 'api.maxcare.ai', which is not a loopback host: keys would travel "
     "in clear text; use https://"},
    {"[maxdash]\nbase_url = http://10.0.0.1:8080/v1\n" TAIL, 2,
     "base_url: http:// to '10.0.0.1', which is not a loopback host"},
    {"[maxdash]\nbase_url = ftp://x/v1\n" TAIL, 2,
     "base_url: 'ftp://x/v1' must start with https:// (http:// only to a loopback host)"},
    {"[maxdash]\nbase_url = https://api.maxcare.ai\n" TAIL, 2,
     "base_url: 'https://api.maxcare.ai' has no API version path: write it like "
     "https://api.maxcare.ai/v1"},
    {"[maxdash]\nbase_url = https://u:pw@api.maxcare.ai/v1\n" TAIL, 2,
     "base_url: must not contain a user name or password (keys go in [key] sections)"},
    {"[maxdash]\nbase_url = https://api.maxcare.ai:99999/v1\n" TAIL, 2,
     "base_url: 'https://api.maxcare.ai:99999/v1' has an invalid port"},
    {"[maxdash]\nbase_url = https:///v1\n" TAIL, 2, "base_url: 'https:///v1' has no host"},
    {"[maxdash]\nbase_url = https://api.maxcare.ai/v1?x=1\n" TAIL, 2,
     "base_url: 'https://api.maxcare.ai/v1?x=1' must not contain '?' or '#'"},
    {"[key \"k\"]\nenv = MAXDASH_TEST_UNSET\n[org \"o\"]\nid = org_1\nkey = k\n", 2,
     "key \"k\": environment variable MAXDASH_TEST_UNSET is not set"},
    {"[key \"k\"]\nenv = MAXDASH_TEST_EMPTY\n[org \"o\"]\nid = org_1\nkey = k\n", 2,
     "key \"k\": environment variable MAXDASH_TEST_EMPTY is empty"},
    {"[key \"k\"]\nenv = MY-KEY\n[org \"o\"]\nid = org_1\nkey = k\n", 2,
     "env: 'MY-KEY' is not an environment variable name (letters, digits and '_')"},
    {"[key \"k\"]\nvalue =\n[org \"o\"]\nid = org_1\nkey = k\n", 2, "value: empty value (no key)"},
    {"[key \"k\"]\nenv = MAXDASH_TEST_KEY\n[org \"o\"]\nid =\nkey = k\n", 4, "id: empty value"},
    {"[key \"k\"]\nenv = MAXDASH_TEST_KEY\n[org \"o\"]\nid = org 1\nkey = k\n", 4,
     "id: 'org 1' is not an organization id (printable ASCII, no spaces)"},
    {TAIL "[key \"k\"]\nenv = OTHER\n", 6, "duplicate [key \"k\"] (first at line 1)"},
    {TAIL "[org \"o\"]\nid = org_2\nkey = k\n", 6, "duplicate [org \"o\"] (first at line 3)"},
    {"[maxdash]\nrefresh = 30\nrefresh = 40\n" TAIL, 3,
     "'refresh' is set twice (first at line 2)"},
    {TAIL "[org \"p\"]\nid = org_2\nkey = k\nid = org_3\n", 9, "'id' is set twice (first at line 7)"},
    {"refresh = 30\n" TAIL, 1,
     "'refresh' is outside any section (settings go under [maxdash], [key \"NAME\"] or [org "
     "\"NAME\"])"},
    {"[maxdash]\njust some words\n" TAIL, 2, "expected NAME = VALUE, a [section], or a comment"},
    {"[maxdash]\n= 5\n" TAIL, 2, "a setting without a name before '='"},
    {"[maxdash\n" TAIL, 1, "section header without its closing ']'"},
    {"[maxdash] x\n" TAIL, 1, "unexpected text after the section header"},
    {"[key \"k\" x]\n" TAIL, 1, "unexpected text after the section name"},
    {"[]\n" TAIL, 1,
     "empty section name: sections are [maxdash], [key \"NAME\"] and [org \"NAME\"]"},
    {"[key]\n" TAIL, 1, "[key] needs a name: [key \"NAME\"]"},
    {"[key production]\n" TAIL, 1, "write the name in double quotes: [key \"production\"]"},
    {"[key \"prod]\n" TAIL, 1, "section name without its closing '\"'"},
    {"[org \"a b\"]\n" TAIL, 1,
     "org name \"a b\" may hold only letters, digits, '-', '_' and '.' (at most 64)"},
    {"[maxdash \"x\"]\n" TAIL, 1, "[maxdash] takes no name"},
    {"[maxdash]\nprivacy = maybe\n" TAIL, 2, "privacy: 'maybe' is not true or false"},
    {"[maxdash]\nca_bundle = /nonexistent/ca.pem\n" TAIL, 2,
     "ca_bundle: cannot read '/nonexistent/ca.pem': No such file or directory"},
    {"[maxdash]\nlog_file =\n" TAIL, 2, "log_file: empty value"},
    {"[key \"k\"]\nenv = MAXDASH_TEST_KEY\n", 0,
     "no [org \"NAME\"] section: add one per clinic organization to watch (see "
     "config.example.ini)"},
    {"", 0,
     "no [org \"NAME\"] section: add one per clinic organization to watch (see "
     "config.example.ini)"},
};

START_TEST(each_mistake_has_its_message)
{
    const struct bad_case *c = &bad_cases[_i];
    struct config cfg;
    struct config_errors e;
    ck_assert_msg(!load(c->text, &cfg, &e), "case %d accepted", _i);
    ck_assert_msg(e.count == 1, "case %d: expected one error, got:%s", _i, dump(&e));
    ck_assert_msg(e.v[0].line == c->line, "case %d: expected line %d:%s", _i, c->line, dump(&e));
    ck_assert_msg(strncmp(e.v[0].message, c->message, strlen(c->message)) == 0,
                  "case %d: expected '%s', got:%s", _i, c->message, dump(&e));
    /* Exact text for the messages that are complete in the table. */
    if (strcmp(c->message, "base_url: http:// to '10.0.0.1', which is not a loopback host") != 0)
        ck_assert_msg(strcmp(e.v[0].message, c->message) == 0, "case %d: got:%s", _i, dump(&e));
    ck_assert_msg(!errors_contain(&e, TEST_KEY), "case %d: an error holds the key", _i);
    done(&cfg, &e);
}
END_TEST

START_TEST(messages_name_path_and_line)
{
    struct config cfg;
    struct config_errors e;
    ck_assert(!load("[maxdash]\nrefresh = 1\n" TAIL, &cfg, &e));
    char want[4200];
    snprintf(want, sizeof want, "%s:2: refresh: 1 is out of range (2..3600 seconds)", path);
    ck_assert_uint_eq(e.count, 1);
    ck_assert_str_eq(e.v[0].text, want);
    done(&cfg, &e);

    ck_assert(!load("", &cfg, &e));
    snprintf(want, sizeof want, "%s: no [org \"NAME\"]", path);
    ck_assert_msg(strncmp(e.v[0].text, want, strlen(want)) == 0, "got:%s", dump(&e));
    done(&cfg, &e);
}
END_TEST

/* Thousands of orgs: each name is checked against all earlier ones through an index that grows
 * as they come, so a duplicate is found whichever growth step the first one went in. */
START_TEST(duplicate_orgs_among_thousands)
{
    size_t cap = 1 << 20, len = 0;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    len += (size_t)snprintf(text + len, cap - len, "[key \"k\"]\nenv = MAXDASH_TEST_KEY\n");
    for (int i = 0; i < 3000; i++)
        len += (size_t)snprintf(text + len, cap - len, "[org \"o%d\"]\nid = org_%d\nkey = k\n",
                                i, i);
    const int dups[] = {0, 31, 32, 33, 63, 64, 65, 1999, 2999};
    for (size_t d = 0; d < sizeof dups / sizeof *dups; d++) {
        size_t at = len;
        snprintf(text + at, cap - at, "[org \"o%d\"]\nid = x\nkey = k\n", dups[d]);
        struct config cfg;
        struct config_errors e;
        ck_assert(!load(text, &cfg, &e));
        char want[64];
        snprintf(want, sizeof want, "duplicate [org \"o%d\"] (first at line %d)", dups[d],
                 3 + 3 * dups[d]);
        expect_one_error(&e, 3 + 3 * 3000, want);
        done(&cfg, &e);
        text[at] = '\0';
    }
    struct config cfg;
    struct config_errors e;
    ck_assert_msg(load(text, &cfg, &e), "3000 distinct orgs refused:%s", dump(&e));
    ck_assert_uint_eq(cfg.norgs, 3000);
    done(&cfg, &e);
    free(text);
}
END_TEST

START_TEST(five_mistakes_five_messages_in_file_order)
{
    const char *text = "[maxdash]\n"                          /* 1 */
                       "refresh = 1\n"                        /* 2: out of range */
                       "colour = yes\n"                       /* 3: unknown setting */
                       "[key \"prod\"]\n"                     /* 4 */
                       "env = MAXDASH_TEST_KEY\n"             /* 5 */
                       "file = ~/prod.key\n"                  /* 6: two sources */
                       "[org \"a\"]\n"                        /* 7: no id */
                       "key = prod\n"                         /* 8 */
                       "[org \"b\"]\n"                        /* 9 */
                       "id = org_2\n"                         /* 10 */
                       "key = production\n";                  /* 11: undefined key */
    struct config cfg;
    struct config_errors e;
    ck_assert(!load(text, &cfg, &e));
    ck_assert_msg(e.count == 5, "got:%s", dump(&e));
    static const int lines[] = {2, 3, 6, 7, 11};
    for (size_t i = 0; i < 5; i++)
        ck_assert_msg(e.v[i].line == lines[i], "error %zu:%s", i, dump(&e));
    done(&cfg, &e);
}
END_TEST

START_TEST(keys_in_bad_lines_are_not_quoted)
{
    struct config cfg;
    struct config_errors e;
    /* A key pasted on a line of its own, or as a setting name. */
    ck_assert(!load("[key \"k\"]\n" TEST_KEY "\nenv = MAXDASH_TEST_KEY\n" TEST_KEY
                    " = 1\n[org \"o\"]\nid = org_1\nkey = k\n",
                    &cfg, &e));
    ck_assert_msg(e.count == 2, "got:%s", dump(&e));
    ck_assert(!errors_contain(&e, TEST_KEY));
    ck_assert_msg(errors_contain(&e, "max_prd_ak_TES"), "the masked key should show");
    done(&cfg, &e);
}
END_TEST

/* --- file format ----------------------------------------------------------------------- */

START_TEST(crlf_bom_and_comments)
{
    const char *text = "\xEF\xBB\xBF; a comment\r\n"             /* 1 */
                       "# another\r\n"                           /* 2 */
                       "   ; indented comment\r\n"               /* 3 */
                       "[maxdash] ; trailing comment\r\n"        /* 4 */
                       "refresh = 45 ; seconds\r\n"              /* 5 */
                       "\r\n"                                    /* 6 */
                       "  timeout = 7\r\n"                       /* 7: indented, not a continuation */
                       "[key \"k\"]\r\n"                         /* 8 */
                       "env = MAXDASH_TEST_KEY\r\n"              /* 9 */
                       "[org \"o\"]\r\n"                         /* 10 */
                       "id = org_1\r\n"                          /* 11 */
                       "key = k\r\n"                             /* 12 */
                       "name = Caf\xC3\xA9 #1\r\n";              /* 13: '#' inside a value */
    struct config cfg;
    struct config_errors e;
    ck_assert_msg(load(text, &cfg, &e), "errors:%s", dump(&e));
    ck_assert_int_eq(cfg.set.refresh, 45);
    ck_assert_int_eq(cfg.set.line[CONFIG_REFRESH], 5);
    ck_assert_int_eq(cfg.set.timeout, 7);
    ck_assert_int_eq(cfg.set.line[CONFIG_TIMEOUT], 7);
    ck_assert_int_eq(cfg.keys[0].line, 8);
    ck_assert_str_eq(cfg.orgs[0].id, "org_1");
    ck_assert_str_eq(cfg.orgs[0].display_name, "Caf\xC3\xA9 #1");
    ck_assert_int_eq(cfg.orgs[0].display_name_line, 13);
    done(&cfg, &e);

    /* Without a BOM and without a final newline. */
    ck_assert_msg(load("[maxdash]\nrefresh = 9\n" TAIL "name = x", &cfg, &e), "errors:%s",
                  dump(&e));
    ck_assert_str_eq(cfg.orgs[0].display_name, "x");
    done(&cfg, &e);
}
END_TEST

static char *repeat(char c, size_t n)
{
    char *s = malloc(n + 1);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

START_TEST(long_lines_are_errors_never_truncated)
{
    struct config cfg;
    struct config_errors e;
    /* 197 characters is the most inih reads whole (INI_MAX_LINE 200 minus "\r\n\0"). */
    char *pad = repeat('x', 197 - strlen("copy_command = "));
    char *text = NULL;
    ck_assert_int_ge(asprintf(&text, "[maxdash]\ncopy_command = %s\n" TAIL, pad), 0);
    ck_assert_msg(load(text, &cfg, &e), "errors:%s", dump(&e));
    ck_assert_str_eq(cfg.set.copy_command, pad);
    done(&cfg, &e);
    free(text);
    free(pad);

    pad = repeat('x', 198 - strlen("copy_command = "));
    ck_assert_int_ge(asprintf(&text, "[maxdash]\ncopy_command = %s\nrefresh = 7\n" TAIL, pad), 0);
    ck_assert(!load(text, &cfg, &e));
    expect_one_error(&e, 2, "the line is longer than 197 characters, the most the INI parser "
                            "reads: shorten it");
    ck_assert_ptr_null(cfg.set.copy_command);
    ck_assert_int_eq(cfg.set.refresh, 7); /* the next line is still line 3 and still read */
    ck_assert_int_eq(cfg.set.line[CONFIG_REFRESH], 3);
    done(&cfg, &e);
    free(text);
    free(pad);

    /* Very long, even in a comment: inih would take its tail as a line of its own. */
    pad = repeat('y', 5000);
    ck_assert_int_ge(asprintf(&text, "; %s = 1\n" TAIL, pad), 0);
    ck_assert(!load(text, &cfg, &e));
    expect_one_error(&e, 1, "the line is longer than 197 characters");
    done(&cfg, &e);
    free(text);
    free(pad);
}
END_TEST

START_TEST(nul_bytes_and_utf16_are_refused)
{
    struct config cfg;
    struct config_errors e = {0};
    static const char nul[] = "[maxdash]\nrefresh = 3\0 0\n" TAIL;
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fwrite(nul, 1, sizeof nul - 1, f);
    fclose(f);
    ck_assert(!config_load(path, &cfg, &e));
    expect_one_error(&e, 2, "the line holds a NUL byte (is this a text file?)");
    done(&cfg, &e);

    static const char utf16[] = "\xFF\xFE[\0m\0";
    f = fopen(path, "w");
    fwrite(utf16, 1, sizeof utf16 - 1, f);
    fclose(f);
    ck_assert(!config_load(path, &cfg, &e));
    expect_one_error(&e, 0, "is UTF-16 encoded: save it as UTF-8");
    done(&cfg, &e);
}
END_TEST

/* --- the file itself ------------------------------------------------------------------- */

START_TEST(missing_directory_symlink_fifo)
{
    struct config cfg;
    struct config_errors e = {0};
    ck_assert(!config_load(path, &cfg, &e)); /* not written yet */
    /* Named with -c (not the usual place): the command that writes it, the example, and no
     * "pass -c FILE" (issue 19 case 1). */
    expect_one_error(&e, 0, "no such file: run 'maxdash init -c ");
    ck_assert_msg(strstr(e.v[0].message, "config.example.ini there"), "%s", e.v[0].message);
    ck_assert_msg(!strstr(e.v[0].message, "pass -c"), "%s", e.v[0].message);
    done(&cfg, &e);

    ck_assert(!config_load(dir, &cfg, &e));
    expect_one_error(&e, 0, "is a directory, not a config file");
    done(&cfg, &e);

    ck_assert(test_write_file(path, TAIL, 0600));
    char *link = file_in_dir("link.ini");
    ck_assert_int_eq(symlink(path, link), 0);
    ck_assert(!config_load(link, &cfg, &e));
    expect_one_error(&e, 0, "is a symbolic link, which maxdash does not follow");
    done(&cfg, &e);
    free(link);

    char *fifo = file_in_dir("fifo.ini");
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    ck_assert(!config_load(fifo, &cfg, &e));
    expect_one_error(&e, 0, "is not a regular file, not a config file");
    done(&cfg, &e);
    free(fifo);

    char *under = NULL;
    ck_assert_int_ge(asprintf(&under, "%s/x.ini", path), 0);
    ck_assert(!config_load(under, &cfg, &e));
    expect_one_error(&e, 0, "cannot open: Not a directory");
    done(&cfg, &e);
    free(under);
}
END_TEST

START_TEST(unreadable_file)
{
    if (geteuid() == 0)
        return; /* root reads any file: the case cannot arise */
    struct config cfg;
    struct config_errors e;
    ck_assert(!load_mode(TAIL, 0000, &cfg, &e));
    expect_one_error(&e, 0, "cannot open: Permission denied");
    done(&cfg, &e);
}
END_TEST

START_TEST(lookup_order)
{
    char *p = config_find_path("given.ini");
    ck_assert_str_eq(p, "given.ini");
    free(p);
    p = config_find_path(NULL);
    char *want = file_in_dir(".config/maxdash/config.ini");
    ck_assert_str_eq(p, want);
    free(p);
    free(want);
    setenv("XDG_CONFIG_HOME", "relative/dir", 1); /* ignored: XDG wants absolute paths */
    p = config_find_path(NULL);
    ck_assert(strstr(p, "/.config/maxdash/config.ini"));
    free(p);
    setenv("XDG_CONFIG_HOME", "/etc/xdg-test", 1);
    p = config_find_path(NULL);
    ck_assert_str_eq(p, "/etc/xdg-test/maxdash/config.ini");
    free(p);
    setenv("MAXDASH_CONFIG", "", 1); /* empty: as if unset */
    p = config_find_path(NULL);
    ck_assert_str_eq(p, "/etc/xdg-test/maxdash/config.ini");
    free(p);
    setenv("MAXDASH_CONFIG", "~/mine.ini", 1);
    p = config_find_path(NULL);
    want = file_in_dir("mine.ini");
    ck_assert_str_eq(p, want);
    free(p);
    free(want);
    p = config_find_path("given.ini");
    ck_assert_str_eq(p, "given.ini");
    free(p);
}
END_TEST

START_TEST(paths_expand_tilde_and_follow_the_config)
{
    char *keyfile = file_in_dir("prod.key");
    ck_assert(test_write_file(keyfile, TEST_KEY "\n", 0600));
    struct config cfg;
    struct config_errors e;
    ck_assert_msg(load("[maxdash]\nlog_file = ~/logs/a.jsonl\n"
                       "[key \"k\"]\nfile = prod.key\n[key \"t\"]\nfile = ~/prod.key\n"
                       "[key \"r\"]\nfile = ~root/nonexistent.key\n"
                       "[org \"o\"]\nid = org_1\nkey = k\n",
                       &cfg, &e) == false,
                  "~root/nonexistent.key should not exist");
    ck_assert_msg(e.count == 1, "got:%s", dump(&e));
    char *log = file_in_dir("logs/a.jsonl");
    ck_assert_str_eq(cfg.set.log_file, log);
    ck_assert_str_eq(cfg.keys[0].source_text, keyfile);
    ck_assert_str_eq(cfg.keys[1].source_text, keyfile);
    ck_assert_msg(cfg.keys[0].value && strcmp(cfg.keys[0].value, TEST_KEY) == 0,
                  "relative key file not read");
    ck_assert_msg(cfg.keys[1].value && strcmp(cfg.keys[1].value, TEST_KEY) == 0,
                  "~ key file not read");
    ck_assert_msg(strncmp(cfg.keys[2].source_text, "/", 1) == 0 &&
                      strstr(cfg.keys[2].source_text, "/nonexistent.key"),
                  "~root not expanded: %s", cfg.keys[2].source_text);
    done(&cfg, &e);
    free(log);
    free(keyfile);

    ck_assert(!load("[key \"k\"]\nfile = ~no-such-user-here/k\n[org \"o\"]\nid = org_1\nkey = k\n",
                    &cfg, &e));
    expect_one_error(&e, 2, "file: cannot expand '~user': no such user");
    done(&cfg, &e);
}
END_TEST

/* --- permissions ----------------------------------------------------------------------- */

#define INLINE "[key \"k\"]\nvalue = " TEST_KEY "\n[org \"o\"]\nid = org_1\nkey = k\n"

START_TEST(inline_value_needs_a_private_file)
{
    struct config cfg;
    struct config_errors e;
    ck_assert(!load_mode(INLINE, 0644, &cfg, &e));
    expect_one_error(&e, 2, "key \"k\": an inline key value in a config file that group or "
                            "others can read (mode 0644): run 'chmod 600 ");
    ck_assert(errors_contain(&e, "or keep the key elsewhere with env, file or command"));
    ck_assert_ptr_null(cfg.keys[0].value);
    done(&cfg, &e);

    ck_assert(!load_mode(INLINE, 0640, &cfg, &e));
    expect_one_error(&e, 2, "(mode 0640)");
    done(&cfg, &e);

    ck_assert(!load_mode(INLINE, 0604, &cfg, &e));
    expect_one_error(&e, 2, "(mode 0604)");
    done(&cfg, &e);

    static const mode_t ok[] = {0600, 0400};
    for (size_t i = 0; i < 2; i++) {
        ck_assert_msg(load_mode(INLINE, ok[i], &cfg, &e), "mode %o:%s", (unsigned)ok[i],
                      dump(&e));
        ck_assert_int_eq(cfg.keys[0].source, CONFIG_SRC_VALUE);
        ck_assert_ptr_null(cfg.keys[0].source_text);
        ck_assert_msg(strcmp(cfg.keys[0].value, TEST_KEY) == 0, "inline key not kept");
        char *src = config_key_source_text(&cfg.keys[0]);
        ck_assert_str_eq(src, "value (inline)");
        free(src);
        done(&cfg, &e);
    }
}
END_TEST

static bool load_key_file(const char *content, mode_t mode, struct config *cfg,
                          struct config_errors *e)
{
    char *keyfile = file_in_dir("k.key");
    FILE *f = fopen(keyfile, "w");
    ck_assert_ptr_nonnull(f);
    fwrite(content, 1, strlen(content), f);
    fclose(f);
    ck_assert_int_eq(chmod(keyfile, mode), 0);
    free(keyfile);
    return load("[key \"k\"]\nfile = k.key\n[org \"o\"]\nid = org_1\nkey = k\n", cfg, e);
}

START_TEST(key_file_must_be_private)
{
    struct config cfg;
    struct config_errors e;
    ck_assert(!load_key_file(TEST_KEY "\n", 0640, &cfg, &e));
    expect_one_error(&e, 2, "key \"k\": key file '");
    ck_assert(errors_contain(&e, "k.key' is open to group or others (mode 0640): run 'chmod 600 "));
    done(&cfg, &e);

    ck_assert(!load_key_file(TEST_KEY "\n", 0644, &cfg, &e));
    expect_one_error(&e, 2, "(mode 0644)");
    done(&cfg, &e);

    ck_assert_msg(load_key_file(TEST_KEY "\n", 0600, &cfg, &e), "errors:%s", dump(&e));
    ck_assert_msg(strcmp(cfg.keys[0].value, TEST_KEY) == 0, "key file not read");
    ck_assert_uint_eq(cfg.keys[0].warnings, 0);
    done(&cfg, &e);
}
END_TEST

START_TEST(key_file_contents)
{
    static const struct {
        const char *content;
        const char *value;
        unsigned warnings;
    } cases[] = {
        {TEST_KEY, TEST_KEY, 0},
        {TEST_KEY "\n", TEST_KEY, 0},
        {TEST_KEY "\r\n", TEST_KEY, 0},
        /* Issue 11: the first line, without the spaces and tabs around it. */
        {TEST_KEY "\n\n", TEST_KEY, 0},
        {TEST_KEY " \n", TEST_KEY, 0},
        {" \t" TEST_KEY "\t\r\n", TEST_KEY, 0},
        {TEST_KEY "\nlogin: jane\nrecovery-code: ABCD-EFGH-1234\n", TEST_KEY, 0},
        {TEST_KEY "\r\nX-Injected: 1\r\n", TEST_KEY, 0},
        {TEST_KEY "\rX-Injected: 1", TEST_KEY, 0},
        {"max_prd_ak_abc def\n", "max_prd_ak_abc def", CONFIG_KEYWARN_SPACE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct config cfg;
        struct config_errors e;
        ck_assert_msg(load_key_file(cases[i].content, 0600, &cfg, &e), "case %zu:%s", i,
                      dump(&e));
        ck_assert_msg(strcmp(cfg.keys[0].value, cases[i].value) == 0, "case %zu: wrong key", i);
        ck_assert_msg(cfg.keys[0].warnings == cases[i].warnings, "case %zu: warnings %#x", i,
                      cfg.keys[0].warnings);
        done(&cfg, &e);
    }
}
END_TEST

START_TEST(key_file_problems)
{
    struct config cfg;
    struct config_errors e;
    ck_assert(!load_key_file("", 0600, &cfg, &e));
    expect_one_error(&e, 2, "k.key' is empty");
    done(&cfg, &e);
    ck_assert(!load_key_file("\n", 0600, &cfg, &e));
    expect_one_error(&e, 2, "k.key' is empty");
    done(&cfg, &e);
    char *big = repeat('a', 5000);
    ck_assert(!load_key_file(big, 0600, &cfg, &e));
    expect_one_error(&e, 2, "k.key' is larger than 4096 bytes: that is not a key");
    done(&cfg, &e);
    free(big);

    ck_assert(!load("[key \"k\"]\nfile = missing.key\n[org \"o\"]\nid = org_1\nkey = k\n", &cfg,
                    &e));
    expect_one_error(&e, 2, "missing.key': No such file or directory");
    ck_assert(errors_contain(&e, "cannot open key file '"));
    done(&cfg, &e);

    ck_assert(!load("[key \"k\"]\nfile = .\n[org \"o\"]\nid = org_1\nkey = k\n", &cfg, &e));
    expect_one_error(&e, 2, "' is a directory");
    done(&cfg, &e);
}
END_TEST

/* --- the command source ---------------------------------------------------------------- */

static bool load_command(const char *command, mode_t mode, struct config *cfg,
                         struct config_errors *e)
{
    char text[2048];
    snprintf(text, sizeof text,
             "[key \"k\"]\ncommand = %s\n[org \"o\"]\nid = org_1\nkey = k\n", command);
    return load_mode(text, mode, cfg, e);
}

START_TEST(command_prints_the_key)
{
    struct config cfg;
    struct config_errors e;
    /* The key is assembled by the shell so that it is not on the command line. */
    ck_assert_msg(load_command("k=max_dev_ak_DEVabcdefghijkl; printf '%s\\n' \"${k}mnopqr7Y\"",
                               0600, &cfg, &e),
                  "errors:%s", dump(&e));
    ck_assert_msg(strcmp(cfg.keys[0].value, DEV_KEY) == 0, "command output not taken");
    ck_assert_int_eq(cfg.keys[0].source, CONFIG_SRC_COMMAND);
    ck_assert_uint_eq(cfg.keys[0].warnings, CONFIG_KEYWARN_DEV_ON_PROD);
    done(&cfg, &e);

    ck_assert_msg(load_command("printf 'abc\\r\\n'", 0600, &cfg, &e), "errors:%s", dump(&e));
    ck_assert_str_eq(cfg.keys[0].value, "abc");
    done(&cfg, &e);

    /* Just under the cap is fine. */
    ck_assert_msg(load_command("head -c 4000 /dev/zero | tr '\\0' a", 0600, &cfg, &e),
                  "errors:%s", dump(&e));
    ck_assert_uint_eq(strlen(cfg.keys[0].value), 4000);
    done(&cfg, &e);
}
END_TEST

START_TEST(command_failure_quotes_stderr_not_stdout)
{
    struct config cfg;
    struct config_errors e;
    ck_assert(!load_command("echo STDOUT-SECRET; echo 'vault: permission denied' >&2; "
                            "echo second line >&2; exit 3",
                            0600, &cfg, &e));
    expect_one_error(&e, 2, "key \"k\": the command failed with exit status 3: vault: "
                            "permission denied");
    ck_assert_str_eq(e.v[0].message,
                     "key \"k\": the command failed with exit status 3: vault: permission denied");
    ck_assert(!errors_contain(&e, "STDOUT-SECRET"));
    ck_assert_ptr_null(cfg.keys[0].value);
    done(&cfg, &e);

    ck_assert(!load_command("printf '" TEST_KEY "' | cat; exit 1", 0600, &cfg, &e));
    expect_one_error(&e, 2, "the command failed with exit status 1: (nothing on stderr)");
    done(&cfg, &e);

    ck_assert(!load_command("printf '\\033[31mred\\n' >&2; exit 1", 0600, &cfg, &e));
    expect_one_error(&e, 2, "exit status 1: red");
    done(&cfg, &e);

    ck_assert(!load_command("no-such-command-for-maxdash", 0600, &cfg, &e));
    expect_one_error(&e, 2, "the command failed with exit status 127: ");
    ck_assert(errors_contain(&e, "not found"));
    done(&cfg, &e);

    ck_assert(!load_command("kill -9 $$", 0600, &cfg, &e));
    expect_one_error(&e, 2, "the command was killed by signal 9");
    done(&cfg, &e);

    ck_assert(!load_command("true", 0600, &cfg, &e));
    expect_one_error(&e, 2, "key \"k\": the command printed no key");
    done(&cfg, &e);

    /* stdin is /dev/null: a command that reads it ends at once instead of waiting. */
    long long t0 = test_now_ms();
    ck_assert(!load_command("cat", 0600, &cfg, &e));
    expect_one_error(&e, 2, "the command printed no key");
    ck_assert_int_lt(test_now_ms() - t0, 5000);
    done(&cfg, &e);

    ck_assert(!load_command("printf 'a\\000b'", 0600, &cfg, &e));
    expect_one_error(&e, 2, "the command printed a NUL byte: that is not a key");
    done(&cfg, &e);
}
END_TEST

static bool process_gone(pid_t pid)
{
    char p[64], state = '?';
    snprintf(p, sizeof p, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(p, "r");
    if (!f)
        return true;
    int r = fscanf(f, "%*d %*s %c", &state);
    fclose(f);
    return r == 1 && (state == 'Z' || state == 'X');
}

START_TEST(command_time_out_kills_its_process_group)
{
    config_set_command_timeout_ms(300);
    char *pidfile = file_in_dir("pid");
    char command[1024];
    snprintf(command, sizeof command,
             "echo 'waiting for the agent' >&2; sh -c 'echo $$ > %s; exec sleep 30' & wait",
             pidfile);
    struct config cfg;
    struct config_errors e;
    long long t0 = test_now_ms();
    ck_assert(!load_command(command, 0600, &cfg, &e));
    long long took = test_now_ms() - t0;
    expect_one_error(&e, 2, "key \"k\": the command did not finish within 0.3 s: waiting for "
                            "the agent");
    ck_assert_int_lt(took, 3000);
    done(&cfg, &e);

    FILE *f = fopen(pidfile, "r");
    ck_assert_ptr_nonnull(f);
    int pid = 0;
    ck_assert_int_eq(fscanf(f, "%d", &pid), 1);
    fclose(f);
    long long deadline = test_now_ms() + 3000;
    while (!process_gone(pid) && test_now_ms() < deadline)
        usleep(10000);
    ck_assert_msg(process_gone(pid), "the command's child survived the time-out");
    free(pidfile);

    config_set_command_timeout_ms(1000);
    ck_assert(!load_command("sleep 30", 0600, &cfg, &e));
    expect_one_error(&e, 2, "the command did not finish within 1 s");
    done(&cfg, &e);
}
END_TEST

START_TEST(command_with_huge_output)
{
    struct config cfg;
    struct config_errors e;
    long long t0 = test_now_ms();
    ck_assert(!load_command("yes max_prd_ak_abcdefghijklmnopqrstuvwxyz", 0600, &cfg, &e));
    expect_one_error(&e, 2, "key \"k\": the command printed more than 4096 bytes: that is not "
                            "a key");
    ck_assert_int_lt(test_now_ms() - t0, 5000);
    done(&cfg, &e);

    ck_assert(!load_command("head -c 4097 /dev/zero | tr '\\0' a", 0600, &cfg, &e));
    expect_one_error(&e, 2, "more than 4096 bytes");
    done(&cfg, &e);
}
END_TEST

START_TEST(command_environment_holds_no_key)
{
    /* Key "k" comes from MAXDASH_TEST_KEY; the command of key "c" must not inherit it. */
    const char *text =
        "[key \"k\"]\nenv = MAXDASH_TEST_KEY\n"
        "[key \"c\"]\ncommand = printf '%s' \"${MAXDASH_TEST_KEY:-not}inherited\"\n"
        "[org \"o\"]\nid = org_1\nkey = c\n";
    setenv("MAXDASH_OTHER_VAR", "kept", 1);
    struct config cfg;
    struct config_errors e;
    ck_assert_msg(load(text, &cfg, &e), "errors:%s", dump(&e));
    ck_assert_msg(strcmp(cfg.keys[1].value, "notinherited") == 0,
                  "the key's variable reached the command");
    done(&cfg, &e);

    ck_assert_msg(load("[key \"c\"]\ncommand = printf '%s' \"$MAXDASH_OTHER_VAR\"\n"
                       "[org \"o\"]\nid = org_1\nkey = c\n",
                       &cfg, &e),
                  "errors:%s", dump(&e));
    ck_assert_str_eq(cfg.keys[0].value, "kept");
    done(&cfg, &e);

    /* After start-up the variable leaves maxdash's own environment too. */
    ck_assert_msg(load(TAIL, &cfg, &e), "errors:%s", dump(&e));
    config_scrub_environment(&cfg);
    ck_assert_ptr_null(getenv("MAXDASH_TEST_KEY"));
    ck_assert_str_eq(getenv("MAXDASH_OTHER_VAR"), "kept");
    done(&cfg, &e);
}
END_TEST

START_TEST(command_holding_the_key_is_refused)
{
    struct config cfg;
    struct config_errors e;
    ck_assert(!load_command("echo " TEST_KEY, 0600, &cfg, &e));
    expect_one_error(&e, 2, "key \"k\": the command holds the key itself, visible to every "
                            "local user in the process list");
    ck_assert_ptr_null(cfg.keys[0].value);
    done(&cfg, &e);
}
END_TEST

/* Issue 11 case 5: a config or key file that another user can write, or that another user
 * owns, is refused before anything in it is used (its key command never runs). */
START_TEST(config_and_key_file_of_others_are_refused)
{
    static const mode_t modes[] = {0666, 0620, 0602, 0660};
    char *marker = file_in_dir("ran");
    char command[1024];
    snprintf(command, sizeof command, "touch %s; echo " DEV_KEY, marker);
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        struct config cfg;
        struct config_errors e;
        ck_assert(!load_command(command, modes[i], &cfg, &e));
        char want[64];
        snprintf(want, sizeof want, "(mode %04o)", (unsigned)modes[i]);
        expect_one_error(&e, 0, want);
        ck_assert(errors_contain(&e, "can be written by group or others"));
        ck_assert_int_ne(access(marker, F_OK), 0);
        done(&cfg, &e);
    }
    free(marker);
    if (geteuid() != 0)
        return; /* giving a file away needs root */
    struct config cfg;
    struct config_errors e;
    ck_assert(test_write_file(path, "[key \"k\"]\nenv = MAXDASH_TEST_KEY\n[org \"o\"]\n"
                                    "id = org_1\nkey = k\n", 0644));
    ck_assert(chown(path, 65534, 65534) == 0);
    memset(&e, 0, sizeof e);
    ck_assert(!config_load(path, &cfg, &e));
    expect_one_error(&e, 0, "is owned by another user (uid 65534), who could change any setting");
    done(&cfg, &e);
    /* Root's own is fine (a system-wide config). */
    ck_assert(chown(path, 0, 0) == 0);
    setenv("MAXDASH_TEST_KEY", TEST_KEY, 1);
    memset(&e, 0, sizeof e);
    ck_assert_msg(config_load(path, &cfg, &e), "errors:%s", dump(&e));
    done(&cfg, &e);

    ck_assert(load_key_file(TEST_KEY "\n", 0600, &cfg, &e));
    done(&cfg, &e);
    char *key = file_in_dir("k.key");
    ck_assert(chown(key, 65534, 65534) == 0);
    ck_assert(!load("[key \"k\"]\nfile = k.key\n[org \"o\"]\nid = org_1\nkey = k\n", &cfg, &e));
    expect_one_error(&e, 2, "k.key' is owned by another user (uid 65534), who could replace");
    done(&cfg, &e);
    ck_assert(chown(key, 0, 0) == 0);
    free(key);
}
END_TEST

START_TEST(command_in_a_writable_config_is_refused)
{
    struct config cfg;
    struct config_errors e;
    char *marker = file_in_dir("ran");
    char command[1024];
    snprintf(command, sizeof command, "touch %s; echo " DEV_KEY, marker);
    ck_assert(!load_command(command, 0664, &cfg, &e));
    expect_one_error(&e, 0, "can be written by group or others (mode 0664), who could redirect "
                            "keys or run programs through it: run 'chmod go-w ");
    ck_assert_int_ne(access(marker, F_OK), 0);
    done(&cfg, &e);
    free(marker);

    /* Readable by others is fine for a command: it holds no secret. */
    ck_assert_msg(load_command("printf x", 0644, &cfg, &e), "errors:%s", dump(&e));
    done(&cfg, &e);
}
END_TEST

/* --- key hygiene ----------------------------------------------------------------------- */

START_TEST(warnings)
{
    static const struct {
        const char *key, *base_url;
        unsigned warnings;
    } cases[] = {
        {TEST_KEY, "https://api.maxcare.ai/v1", 0},
        {DEV_KEY, "https://api.maxcare.dev/v1", 0},
        {DEV_KEY, "https://api.maxcare.ai/v1", CONFIG_KEYWARN_DEV_ON_PROD},
        {TEST_KEY, "https://api.maxcare.dev/v1", CONFIG_KEYWARN_PRD_ON_STAGING},
        {TEST_KEY, "http://127.0.0.1:9/v1", 0},
        {DEV_KEY, "http://localhost:9/v1", 0},
        {DEV_KEY, "https://proxy.example/v1", 0},
        {"Bearer " TEST_KEY, "https://api.maxcare.ai/v1", CONFIG_KEYWARN_BEARER},
        {"bearer " DEV_KEY, "https://api.maxcare.ai/v1",
         CONFIG_KEYWARN_BEARER | CONFIG_KEYWARN_DEV_ON_PROD},
        {"sk_live_abcdefghijklmnop", "https://api.maxcare.ai/v1", CONFIG_KEYWARN_FORMAT},
        {"max_prd_ak_", "https://api.maxcare.ai/v1", CONFIG_KEYWARN_FORMAT},
        {"max_prd_ak_abc def", "https://api.maxcare.ai/v1", CONFIG_KEYWARN_SPACE},
        {" max_prd_ak_abcdef", "https://api.maxcare.ai/v1", CONFIG_KEYWARN_SPACE},
        {"\"" TEST_KEY "\"", "https://api.maxcare.ai/v1", CONFIG_KEYWARN_QUOTED},
        {"'" DEV_KEY "'", "https://api.maxcare.ai/v1",
         CONFIG_KEYWARN_QUOTED | CONFIG_KEYWARN_DEV_ON_PROD},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        setenv("MAXDASH_TEST_KEY", cases[i].key, 1);
        char text[512];
        snprintf(text, sizeof text, "[maxdash]\nbase_url = %s\n" TAIL, cases[i].base_url);
        struct config cfg;
        struct config_errors e;
        ck_assert_msg(load(text, &cfg, &e), "case %zu:%s", i, dump(&e));
        ck_assert_msg(cfg.keys[0].warnings == cases[i].warnings,
                      "case %zu: warnings %#x, expected %#x", i, cfg.keys[0].warnings,
                      cases[i].warnings);
        ck_assert_ptr_eq(cfg.orgs[0].key, &cfg.keys[0]); /* and so every org using it */
        done(&cfg, &e);
    }
}
END_TEST

/* Issue 11 case 2: a key with a control character would split the Authorization header (an
 * injected header, a mask showing the end of a recovery code): a config error, whatever the
 * source, at the line of its source. A key file's or command's first line only is the key. */
START_TEST(key_with_control_character_is_an_error)
{
    static const char *const keys[] = {"max_prd_ak_abcdef\t", "max_prd_ak_abc\x01" "def",
                                       "max_prd_ak_abc\r\nX-Injected: 1", "max_prd_ak_abc\x7f"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        setenv("MAXDASH_TEST_KEY", keys[i], 1);
        struct config cfg;
        struct config_errors e;
        ck_assert_msg(!load("[maxdash]\nbase_url = https://api.maxcare.ai/v1\n" TAIL, &cfg, &e),
                      "case %zu accepted", i);
        ck_assert_msg(errors_contain(&e, "holds a control character"), "case %zu:%s", i,
                      dump(&e));
        ck_assert_ptr_null(cfg.keys[0].value);
        done(&cfg, &e);
    }
    struct config cfg;
    struct config_errors e;
    ck_assert(!load("[key \"k\"]\nvalue = max_prd_ak_abc\x01" "defghijklmnop\n[org \"o\"]\n"
                    "id = org_1\nkey = k\n", &cfg, &e));
    expect_one_error(&e, 2, "key \"k\": the key holds a control character (at character 15)");
    done(&cfg, &e);
    /* The command's first line is the key; the rest is never read as part of it. */
    ck_assert_msg(load_command("printf 'max_dev_ak_DEVabcdefghijkl''mnopqr7Y\\nlogin: jane\\n"
                               "recovery-code: ABCD-EFGH-1234\\n'", 0600, &cfg, &e),
                  "errors:%s", dump(&e));
    ck_assert_str_eq(cfg.keys[0].value, DEV_KEY);
    done(&cfg, &e);
    ck_assert(!load_command("printf '\\nmax_dev_ak_DEVabcdefghijkl''mnopqr7Y\\n'", 0600, &cfg,
                            &e));
    expect_one_error(&e, 2, "the command printed no key on its first line");
    done(&cfg, &e);
    ck_assert(!load_key_file("\n" TEST_KEY "\n", 0600, &cfg, &e));
    expect_one_error(&e, 2, "k.key' is empty on its first line");
    done(&cfg, &e);
}
END_TEST

START_TEST(warning_sentences)
{
    static const struct {
        unsigned bit;
        const char *needle;
    } cases[] = {
        {CONFIG_KEYWARN_FORMAT, "does not look like a Max AI key"},
        {CONFIG_KEYWARN_SPACE, "whitespace or control characters"},
        {CONFIG_KEYWARN_BEARER, "starts with \"Bearer \""},
        {CONFIG_KEYWARN_QUOTED, "wrapped in quotes"},
        {CONFIG_KEYWARN_DEV_ON_PROD, "staging key (max_dev_ak_) but base_url is production"},
        {CONFIG_KEYWARN_PRD_ON_STAGING, "production key (max_prd_ak_) but base_url is staging"},
    };
    unsigned all = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *t = config_key_warning_text(cases[i].bit);
        ck_assert_msg(strstr(t, cases[i].needle), "bit %#x: %s", cases[i].bit, t);
        all |= cases[i].bit;
    }
    ck_assert_uint_eq(all, CONFIG_KEYWARN_ALL);
    ck_assert_str_eq(config_key_warning_text(1u << 20), "unknown warning");
}
END_TEST

/* --- display --------------------------------------------------------------------------- */

START_TEST(printable_text)
{
    /* Cleaning is text_clean's (tested there); what matters here is that it is applied. */
    char *p = config_printable("a\x1b[31mb\x07" "c\xff" "d\xe2\x80\xae" "e\xc2\x9b" "1mf\xc3\xa9");
    ck_assert_str_eq(p, "abc\xEF\xBF\xBD" "def\xc3\xa9");
    free(p);
    p = config_printable("key " TEST_KEY " and " DEV_KEY ".");
    ck_assert_msg(!strstr(p, TEST_KEY) && !strstr(p, DEV_KEY), "a key survived");
    ck_assert_str_eq(p, "key max_prd_ak_TES...q9Z and max_dev_ak_DEV...r7Y.");
    free(p);
    p = config_printable(NULL);
    ck_assert_str_eq(p, "");
    free(p);
}
END_TEST

START_TEST(source_texts_and_masks)
{
    struct config cfg;
    struct config_errors e;
    ck_assert_msg(load(TAIL, &cfg, &e), "errors:%s", dump(&e));
    char *s = config_key_source_text(&cfg.keys[0]);
    ck_assert_str_eq(s, "env MAXDASH_TEST_KEY");
    free(s);
    char m[KEYMASK_MAX];
    config_key_mask(&cfg.keys[0], m);
    ck_assert_str_eq(m, "max_prd_ak_TES...q9Z");
    ck_assert_str_eq(config_key_source_name(CONFIG_SRC_COMMAND), "command");
    ck_assert_str_eq(config_key_source_name(CONFIG_SRC_NONE), "none");
    done(&cfg, &e);
}
END_TEST

SUITE(config)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("parse");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, defaults_apply);
    tcase_add_test(tc, every_setting_is_read_with_its_line);
    tcase_add_test(tc, setting_texts_for_printing);
    tcase_add_test(tc, booleans);
    tcase_add_test(tc, loopback_may_use_http);
    tcase_add_loop_test(tc, each_mistake_has_its_message, 0,
                        (int)(sizeof bad_cases / sizeof bad_cases[0]));
    tcase_add_test(tc, messages_name_path_and_line);
    tcase_add_test(tc, a_key_names_its_probe_resource);
    tcase_add_test(tc, a_key_may_choose_the_api_version);
    tcase_add_test(tc, duplicate_orgs_among_thousands);
    tcase_add_test(tc, five_mistakes_five_messages_in_file_order);
    tcase_add_test(tc, keys_in_bad_lines_are_not_quoted);
    tcase_add_test(tc, crlf_bom_and_comments);
    tcase_add_test(tc, long_lines_are_errors_never_truncated);
    tcase_add_test(tc, nul_bytes_and_utf16_are_refused);
    tcase_add_test(tc, missing_directory_symlink_fifo);
    tcase_add_test(tc, unreadable_file);
    tcase_add_test(tc, lookup_order);
    tcase_add_test(tc, paths_expand_tilde_and_follow_the_config);
    suite_add_tcase(s, tc);

    TCase *keys = tcase_create("keys");
    tcase_add_checked_fixture(keys, setup, teardown);
    tcase_set_timeout(keys, 20);
    tcase_add_test(keys, inline_value_needs_a_private_file);
    tcase_add_test(keys, key_file_must_be_private);
    tcase_add_test(keys, key_file_contents);
    tcase_add_test(keys, key_file_problems);
    tcase_add_test(keys, command_prints_the_key);
    tcase_add_test(keys, command_failure_quotes_stderr_not_stdout);
    tcase_add_test(keys, command_time_out_kills_its_process_group);
    tcase_add_test(keys, command_with_huge_output);
    tcase_add_test(keys, command_environment_holds_no_key);
    tcase_add_test(keys, command_holding_the_key_is_refused);
    tcase_add_test(keys, command_in_a_writable_config_is_refused);
    tcase_add_test(keys, config_and_key_file_of_others_are_refused);
    tcase_add_test(keys, warnings);
    tcase_add_test(keys, key_with_control_character_is_an_error);
    tcase_add_test(keys, warning_sentences);
    tcase_add_test(keys, printable_text);
    tcase_add_test(keys, source_texts_and_masks);
    suite_add_tcase(s, keys);
    return s;
}
