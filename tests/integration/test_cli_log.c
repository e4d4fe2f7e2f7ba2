/* The real `maxdash log` on log files written here: text and JSON output, the --org and
 * --since filters, usage errors, torn and hostile files, the log found without a config.
 * Outputs are searched, never echoed whole: a failure message must not print a key. */
#include "testing.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "authlog.h"
#include "proc.h"

#define PRD_KEY "max_prd_ak_SBAq7Wn2LpXk9RtYv3Hm01S"
#define HINT "max_prd_ak_SBA\xE2\x80\xA6" "01S"
/* Longer than any column a table would give it: it must come out whole. */
#define TRACE1 "550e8400-e29b-41d4-a716-446655440000-0123456789abcdef0123456789abcdef"
#define TRACE2 "trace-westla-7f3a9c0d2e4b6a8f1c3e5d7b9a0f2e4d6c8b0a1f3e5d7c9b"

static char *dir;
static char cfg_path[4096];
static char log_path[4096];
static char maxdash[4096];

static void setup(void)
{
    dir = test_tmpdir();
    snprintf(cfg_path, sizeof cfg_path, "%s/config.ini", dir);
    snprintf(log_path, sizeof log_path, "%s/state/auth-failures.jsonl", dir);
    test_program("maxdash", maxdash, sizeof maxdash);
    char state[4200], text[8192];
    snprintf(state, sizeof state, "%s/state", dir);
    ck_assert_int_eq(mkdir(state, 0700), 0);
    snprintf(text, sizeof text,
             "[maxdash]\nlog_file = %s\n"
             "[key \"production\"]\nenv = MAX_API_KEY\n"
             "[org \"eastside\"]\nid = org_def456\nkey = production\n"
             "[org \"westla\"]\nid = org_abc123\nkey = production\n",
             log_path);
    ck_assert(test_write_file(cfg_path, text, 0600));
}

static void teardown(void)
{
    test_rmtree(dir);
    free(dir);
}

/* Runs maxdash with args (NULL-terminated), HOME in the test dir, no other config to find. */
static void run_env(struct proc_result *r, const char *const *args, const char *home)
{
    char *argv[16] = {maxdash};
    size_t n = 1;
    for (; args && args[n - 1] && n < 15; n++)
        argv[n] = (char *)args[n - 1];
    argv[n] = NULL;
    char home_env[4200];
    snprintf(home_env, sizeof home_env, "HOME=%s", home ? home : dir);
    char *env[] = {home_env, "MAX_API_KEY=" PRD_KEY, "LC_ALL=C.UTF-8", "XDG_CONFIG_HOME=",
                   "XDG_STATE_HOME=", "MAXDASH_CONFIG=", NULL};
    ck_assert_int_eq(proc_run(argv, env, NULL, 20000, r), 0);
    ck_assert_msg(!r->timed_out, "maxdash did not finish");
}

static void run(struct proc_result *r, const char *const *args)
{
    run_env(r, args, NULL);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One record as the dashboard writes it. */
static char *record(double t, const char *org, int status, const char *trace, long latency)
{
    struct authlog_record r = {
        .time = t,
        .org = (char *)org,
        .org_id = strcmp(org, "westla") == 0 ? "org_abc123" : "org_def456",
        .key = "production",
        .key_hint = HINT,
        .method = "GET",
        .path = "/v1/marketplace/me",
        .http_status = status,
        .cls = status == 403 ? "forbidden" : "unauthorized",
        .auth = true,
        .code = status == 403 ? "forbidden" : "unauthorized",
        .message = status == 403 ? "Missing required scope" : "Invalid or missing API key",
        .trace_id = (char *)trace,
        .required_scope = status == 403 ? "patients:read" : NULL,
        .latency_ms = latency,
    };
    return authlog_format(&r);
}

static void write_log(const char *path, const char *text)
{
    ck_assert(test_write_file(path, text, 0600));
}

/* Two records: eastside's 401, then westla's 403. */
static char *two_records(void)
{
    char *a = record(1795832235.123, "eastside", 401, TRACE1, 63);
    char *b = record(1795832299.5, "westla", 403, TRACE2, 1250);
    char *both = malloc(strlen(a) + strlen(b) + 1);
    ck_assert_ptr_nonnull(both);
    strcpy(both, a);
    strcat(both, b);
    free(a);
    free(b);
    return both;
}

static size_t count_lines(const char *text)
{
    size_t n = 0;
    for (const char *p = text; *p; p++)
        n += *p == '\n';
    return n;
}

/* The n-th line (from 0) of text, copied into buf. */
static const char *nth_line(const char *text, size_t n, char *buf, size_t size)
{
    const char *p = text;
    for (size_t i = 0; i < n && p; i++) {
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
    ck_assert_ptr_nonnull(p);
    const char *end = strchr(p, '\n');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    ck_assert_uint_lt(len, size);
    memcpy(buf, p, len);
    buf[len] = '\0';
    return buf;
}

/* No byte a terminal would act on: C0 but '\n', DEL, C1 (raw or UTF-8 encoded), bidi
 * controls. */
static void assert_terminal_safe(const char *what, const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < len; i++) {
        ck_assert_msg(u[i] >= 0x20 || u[i] == '\n', "%s: control byte 0x%02x at %zu", what,
                      u[i], i);
        ck_assert_msg(u[i] != 0x7f, "%s: DEL at %zu", what, i);
        if (u[i] == 0xC2 && i + 1 < len)
            ck_assert_msg(u[i + 1] < 0x80 || u[i + 1] > 0x9F, "%s: C1 control at %zu", what, i);
        if (u[i] == 0xE2 && i + 2 < len) {
            bool bidi = (u[i + 1] == 0x80 && u[i + 2] >= 0xAA && u[i + 2] <= 0xAE) ||
                        (u[i + 1] == 0x81 && u[i + 2] >= 0xA6 && u[i + 2] <= 0xA9) ||
                        (u[i + 1] == 0x80 && (u[i + 2] == 0x8E || u[i + 2] == 0x8F));
            ck_assert_msg(!bidi, "%s: bidi control at %zu", what, i);
        }
    }
}

static void assert_no_whole_key(const struct proc_result *r)
{
    ck_assert_msg(!strstr(r->out, PRD_KEY) && !strstr(r->err, PRD_KEY),
                  "a whole key reached the output");
    ck_assert_msg(!strstr(r->out, "max_dev_ak_HANDq7Wn2LpXk9RtYv3Hm99Z") &&
                      !strstr(r->err, "max_dev_ak_HANDq7Wn2LpXk9RtYv3Hm99Z"),
                  "a whole key from the file reached the output");
}

START_TEST(text_lists_records_oldest_first_with_whole_trace_ids)
{
    char *text = two_records();
    write_log(log_path, text);
    free(text);
    struct proc_result r;
    run(&r, (const char *[]){"log", "-c", cfg_path, NULL});
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
    ck_assert_str_eq(r.err, "");
    ck_assert_uint_eq(count_lines(r.out), 2);
    assert_no_whole_key(&r);

    char line[4096];
    nth_line(r.out, 0, line, sizeof line);
    ck_assert_msg(strncmp(line, "2026-11-28T02:17:15.123Z ", 25) == 0, "%s", line);
    static const char *const first[] = {"eastside", "org_def456", " 401 ", "unauthorized",
                                        "Invalid or missing API key", "63ms", TRACE1, HINT,
                                        "/v1/marketplace/me"};
    for (size_t i = 0; i < sizeof first / sizeof first[0]; i++)
        ck_assert_msg(strstr(line, first[i]), "'%s' missing from: %s", first[i], line);
    ck_assert(!strstr(line, "westla"));

    nth_line(r.out, 1, line, sizeof line);
    ck_assert_msg(strncmp(line, "2026-11-28T02:18:19.500Z ", 25) == 0, "%s", line);
    static const char *const second[] = {"westla", " 403 ", "forbidden", "patients:read",
                                         "Missing required scope", "1250ms", TRACE2};
    for (size_t i = 0; i < sizeof second / sizeof second[0]; i++)
        ck_assert_msg(strstr(line, second[i]), "'%s' missing from: %s", second[i], line);
    proc_result_free(&r);

    /* A failure without an HTTP answer shows its class. */
    struct authlog_record t = {.time = 1795832300, .org = "eastside", .cls = "timeout",
                               .message = "no answer within 10 s", .latency_ms = 10000};
    char *l = authlog_format(&t);
    write_log(log_path, l);
    free(l);
    run(&r, (const char *[]){"log", "-c", cfg_path, NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.out, " eastside - timeout - \"no answer within 10 s\" 10000ms"), "%s",
                  r.out);
    proc_result_free(&r);
}
END_TEST

START_TEST(json_round_trips)
{
    char *text = two_records();
    write_log(log_path, text);
    struct proc_result r;
    run(&r, (const char *[]){"log", "--json", "-c", cfg_path, NULL});
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
    ck_assert_str_eq(r.err, "");
    /* Re-serialized records of maxdash's own come out as the very lines of the file. */
    ck_assert_str_eq(r.out, text);
    for (size_t i = 0; i < 2; i++) {
        char line[4096];
        json_t *o = json_loads(nth_line(r.out, i, line, sizeof line), 0, NULL);
        ck_assert(json_is_object(o));
        ck_assert_str_eq(json_string_value(json_object_get(o, "trace_id")), i ? TRACE2 : TRACE1);
        json_decref(o);
    }
    free(text);
    proc_result_free(&r);
}
END_TEST

START_TEST(org_filters)
{
    char *text = two_records();
    write_log(log_path, text);
    free(text);
    struct proc_result r;
    run(&r, (const char *[]){"log", "-c", cfg_path, "--org", "westla", NULL});
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
    ck_assert_uint_eq(count_lines(r.out), 1);
    ck_assert(strstr(r.out, TRACE2));
    ck_assert(!strstr(r.out, TRACE1));
    proc_result_free(&r);

    run(&r, (const char *[]){"log", "-c", cfg_path, "--json", "--org", "eastside", NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert_uint_eq(count_lines(r.out), 1);
    ck_assert(strstr(r.out, "\"org\":\"eastside\""));
    proc_result_free(&r);

    /* An org neither configured nor logged is a mistake, as it is for check (issue 17). */
    run(&r, (const char *[]){"log", "-c", cfg_path, "--org", "nobody", NULL});
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.out, "");
    ck_assert_msg(strstr(r.err, "no org named 'nobody'"), "%s", r.err);
    proc_result_free(&r);
    run(&r, (const char *[]){"log", "-c", cfg_path, "--org", "westl", NULL});
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "did you mean westla"), "%s", r.err);
    proc_result_free(&r);

    /* By org id and by glob. */
    run(&r, (const char *[]){"log", "-c", cfg_path, "--org", "org_abc123", NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert_uint_eq(count_lines(r.out), 1);
    ck_assert(strstr(r.out, TRACE2));
    proc_result_free(&r);
    run(&r, (const char *[]){"log", "-c", cfg_path, "--org", "*st*", NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert_uint_eq(count_lines(r.out), 2);
    proc_result_free(&r);

    run(&r, (const char *[]){"log", "-c", cfg_path, "--org", "a", "--org", "b", NULL});
    ck_assert_int_eq(r.status, 2);
    proc_result_free(&r);
}
END_TEST

START_TEST(since_filters)
{
    double t = now();
    char *old = record(t - 3 * 86400, "eastside", 401, "trace-three-days-ago", 1);
    char *recent = record(t - 3600, "eastside", 401, "trace-an-hour-ago", 2);
    char both[8192];
    snprintf(both, sizeof both, "%s%s", old, recent);
    free(old);
    free(recent);
    write_log(log_path, both);

    /* Compound durations and dates (issue 19 case 4): UTC, as the log prints its times, or
     * with the offset given. */
    char two_days_ago[32], four_days_ago[32], two_hours_ago[32], two_hours_ago_plus1[40];
    time_t ts = (time_t)t - 2 * 86400;
    struct tm tm;
    strftime(two_days_ago, sizeof two_days_ago, "%Y-%m-%d", gmtime_r(&ts, &tm));
    ts = (time_t)t - 4 * 86400;
    strftime(four_days_ago, sizeof four_days_ago, "%Y-%m-%d", gmtime_r(&ts, &tm));
    ts = (time_t)t - 7200;
    strftime(two_hours_ago, sizeof two_hours_ago, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&ts, &tm));
    ts = (time_t)t - 7200 + 3600; /* the same instant as seen at +01:00 */
    strftime(two_hours_ago_plus1, sizeof two_hours_ago_plus1, "%Y-%m-%d %H:%M+01:00",
             gmtime_r(&ts, &tm));
    const struct {
        const char *since;
        bool hour, days;
    } cases[] = {{"2h", true, false},     {"120m", true, false},   {"7200s", true, false},
                 {"4d", true, true},      {"30m", false, false},   {"1d", true, false},
                 {"1h30m", true, false},  {"59m30s", false, false}, {"2d12h", true, false},
                 {"3d1h", true, true},    {two_days_ago, true, false},
                 {four_days_ago, true, true}, {two_hours_ago, true, false},
                 {two_hours_ago_plus1, true, false}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct proc_result r;
        run(&r, (const char *[]){"log", "-c", cfg_path, "--since", cases[i].since, NULL});
        ck_assert_msg(r.status == 0, "--since %s: status %d: %s", cases[i].since, r.status,
                      r.err);
        ck_assert_msg(!!strstr(r.out, "trace-an-hour-ago") == cases[i].hour, "--since %s",
                      cases[i].since);
        ck_assert_msg(!!strstr(r.out, "trace-three-days-ago") == cases[i].days, "--since %s",
                      cases[i].since);
        ck_assert_uint_eq(count_lines(r.out), cases[i].hour + cases[i].days);
        proc_result_free(&r);
    }
}
END_TEST

START_TEST(bad_since_is_one_usage_line)
{
    static const char *const bad[] = {"2",  "2w",  "-2h", "2h30", "",  "h",
                                      "0h", " 2h", "2H",  "1.5h",  "2 h", "99999999999d",
                                      "\x1b[31m2h", "2026-13-01", "2026-02-31",
                                      "2026-11-28T25:00", "2026-11-28T14:00+1", "yesterday",
                                      "2h 30m"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct proc_result r;
        run(&r, (const char *[]){"log", "-c", cfg_path, "--since", bad[i], NULL});
        ck_assert_msg(r.status == 2, "case %zu: status %d", i, r.status);
        ck_assert_str_eq(r.out, "");
        static const char want[] = "maxdash: --since takes a duration like 30m, 2h30m or 7d";
        ck_assert_msg(strncmp(r.err, want, sizeof want - 1) == 0, "case %zu: %s", i, r.err);
        ck_assert_msg(count_lines(r.err) == 1, "case %zu: %s", i, r.err);
        assert_terminal_safe("stderr", r.err, r.err_len);
        proc_result_free(&r);
    }
}
END_TEST

START_TEST(torn_last_line_is_reported_not_fatal)
{
    char *text = two_records();
    char torn[8192];
    snprintf(torn, sizeof torn, "%s{\"time\":\"2026-11-28T02:19:00.000Z\",\"org\":\"eas", text);
    free(text);
    write_log(log_path, torn);
    struct proc_result r;
    run(&r, (const char *[]){"log", "-c", cfg_path, NULL});
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
    ck_assert_uint_eq(count_lines(r.out), 2);
    char want[4300];
    snprintf(want, sizeof want,
             "maxdash: %s:3: torn record skipped (written during a crash?)\n", log_path);
    ck_assert_str_eq(r.err, want);
    proc_result_free(&r);

    /* The same with --json: reported on stderr, stdout stays JSON lines. */
    run(&r, (const char *[]){"log", "-c", cfg_path, "--json", NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.err, want);
    ck_assert_uint_eq(count_lines(r.out), 2);
    proc_result_free(&r);
}
END_TEST

START_TEST(rotated_file_is_read_first)
{
    char older[4200];
    snprintf(older, sizeof older, "%s.1", log_path);
    char *a = record(1795832000, "eastside", 401, "trace-in-the-old-file", 1);
    char *b = record(1795832100, "eastside", 401, "trace-in-the-new-file", 2);
    write_log(older, a);
    write_log(log_path, b);
    free(a);
    free(b);
    struct proc_result r;
    run(&r, (const char *[]){"log", "-c", cfg_path, NULL});
    ck_assert_int_eq(r.status, 0);
    const char *first = strstr(r.out, "trace-in-the-old-file");
    const char *second = strstr(r.out, "trace-in-the-new-file");
    ck_assert(first && second && first < second);
    proc_result_free(&r);
}
END_TEST

/* A hand-edited file: escape sequences, C1 controls and bidi overrides in every field, as
 * JSON escapes and as raw UTF-8. None reaches stdout as a control; the words around do. */
START_TEST(hostile_text_never_reaches_the_terminal)
{
    static const char *const hostile =
        "{\"time\":\"2026-11-28T02:17:15.123Z\","
        "\"org\":\"east\\u001b]0;pwned\\u0007side\","
        "\"org_id\":\"org\\u009b2Jx\","
        "\"key\":\"prod\\u202euction\","
        "\"key_hint\":\"max_prd_ak_SBA\\u2026\\u001b[8m01S\","
        "\"method\":\"GET\\r\\n\","
        "\"path\":\"/v1/\\u001bPdcs\\u001b\\\\me\","
        "\"http_status\":401,"
        "\"code\":\"unauth\\u007forized\","
        "\"message\":\"Invalid \\u001b[31mkey\\u001b[0m \\u0085\\u2066isolated\\u2069 "
        "\xc2\x9b" "1;31m raw C1 \xe2\x80\xae raw bidi\\ttab\\nnewline\","
        "\"trace_id\":\"trace\\u001b[2Jtail\","
        "\"required_scope\":\"scope\\u009d8;;http://evil\\u009c\","
        "\"latency_ms\":5,\"class\":\"unauthorized\",\"auth\":true}\n";
    write_log(log_path, hostile);
    static const char *const modes[] = {NULL, "--json"};
    for (size_t m = 0; m < 2; m++) {
        struct proc_result r;
        run(&r, (const char *[]){"log", "-c", cfg_path, modes[m], NULL});
        ck_assert_msg(r.status == 0, "%s: status %d: %s", modes[m] ? modes[m] : "text",
                      r.status, r.err);
        ck_assert_uint_eq(count_lines(r.out), 1);
        assert_terminal_safe("stdout", r.out, r.out_len);
        assert_terminal_safe("stderr", r.err, r.err_len);
        ck_assert_msg(!strstr(r.out, "\\u001b") && !strstr(r.out, "\\u009b"), "%s", r.out);
        ck_assert(strstr(r.out, "Invalid key"));
        ck_assert(strstr(r.out, "isolated"));
        ck_assert(strstr(r.out, "raw bidi tab newline"));
        ck_assert(strstr(r.out, "tracetail"));
        ck_assert(strstr(r.out, HINT));
        if (modes[m]) {
            json_t *o = json_loads(r.out, 0, NULL);
            ck_assert_msg(json_is_object(o), "not JSON: %s", r.out);
            json_decref(o);
        }
        proc_result_free(&r);
    }
}
END_TEST

/* Records carry key hints only; one with a whole key put there by hand is shown masked. */
START_TEST(no_whole_key_ever)
{
    static const char *const leaky =
        "{\"time\":\"2026-11-28T02:17:15.123Z\",\"org\":\"eastside\","
        "\"key_hint\":\"max_dev_ak_HANDq7Wn2LpXk9RtYv3Hm99Z\","
        "\"message\":\"key max_dev_ak_HANDq7Wn2LpXk9RtYv3Hm99Z was refused\","
        "\"trace_id\":\"" PRD_KEY "\",\"path\":\"/v1/x?k=" PRD_KEY "\"}\n";
    write_log(log_path, leaky);
    static const char *const modes[] = {NULL, "--json"};
    for (size_t m = 0; m < 2; m++) {
        struct proc_result r;
        run(&r, (const char *[]){"log", "-c", cfg_path, modes[m], NULL});
        ck_assert_msg(r.status == 0, "status %d", r.status);
        ck_assert_uint_eq(count_lines(r.out), 1);
        assert_no_whole_key(&r);
        ck_assert(strstr(r.out, "max_dev_ak_HAN\xE2\x80\xA6" "99Z")); /* the hint, masked */
        ck_assert(strstr(r.out, "was refused"));
        proc_result_free(&r);
    }
}
END_TEST

START_TEST(missing_log_is_not_an_error)
{
    struct proc_result r;
    run(&r, (const char *[]){"log", "-c", cfg_path, NULL});
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
    ck_assert_str_eq(r.out, "");
    ck_assert_uint_le(count_lines(r.err), 1);
    proc_result_free(&r);

    run(&r, (const char *[]){"log", "-c", cfg_path, "--json", NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "");
    proc_result_free(&r);
}
END_TEST

/* Without any config file the default log is read; a config that exists must be valid. */
START_TEST(explain_works_from_the_log_alone)
{
    /* Both orgs of key "production" refused: the log alone shows the key is the problem. */
    char *c = record(now() - 70, "westla", 403, TRACE2, 70);
    char *a = record(now() - 60, "eastside", 401, TRACE1, 63);
    char *b = record(now() - 50, "westla", 401, TRACE2, 70);
    char *all = malloc(strlen(a) + strlen(b) + strlen(c) + 1);
    ck_assert_ptr_nonnull(all);
    strcat(strcat(strcpy(all, c), a), b);
    write_log(log_path, all);
    free(a);
    free(b);
    free(c);
    free(all);
    struct proc_result r;
    /* No key in the environment: --explain must not need one either. */
    char *argv[] = {maxdash, "log", "-c", cfg_path, "--explain", NULL};
    char home_env[4200];
    snprintf(home_env, sizeof home_env, "HOME=%s", dir);
    char *env[] = {home_env, "MAX_API_KEY=", "LC_ALL=C.UTF-8", NULL};
    ck_assert_int_eq(proc_run(argv, env, NULL, 20000, &r), 0);
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
    ck_assert_msg(strstr(r.out, "fails on every org using this key (2 of 2)"), "%s", r.out);
    ck_assert_msg(strstr(r.out, "missing patients:read"), "%s", r.out);
    ck_assert_msg(strstr(r.out, TRACE2), "%s", r.out);
    proc_result_free(&r);
    char *jargv[] = {maxdash, "log", "-c", cfg_path, "--explain", "--json", NULL};
    ck_assert_int_eq(proc_run(jargv, env, NULL, 20000, &r), 0);
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.out, "\"explanation\":{\"headline\":\"fails on every org"), "%s", r.out);
    proc_result_free(&r);
}
END_TEST

START_TEST(log_found_without_a_config)
{
    char state[4200], path[4300];
    snprintf(state, sizeof state, "%s/home/.local/state/maxdash", dir);
    char home[4200];
    snprintf(home, sizeof home, "%s/home", dir);
    const char *parts[] = {"/home", "/home/.local", "/home/.local/state",
                           "/home/.local/state/maxdash"};
    for (size_t i = 0; i < 4; i++) {
        char p[4300];
        snprintf(p, sizeof p, "%s%s", dir, parts[i]);
        ck_assert_int_eq(mkdir(p, 0700), 0);
    }
    snprintf(path, sizeof path, "%s/auth-failures.jsonl", state);
    char *rec = record(1795832235.123, "eastside", 401, TRACE1, 63);
    write_log(path, rec);
    free(rec);

    struct proc_result r;
    run_env(&r, (const char *[]){"log", NULL}, home);
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
    ck_assert(strstr(r.out, TRACE1));
    proc_result_free(&r);

    /* A broken config in the usual place is an error, not a reason to guess. */
    char cfg_dir[4300], cfg[4400];
    snprintf(cfg_dir, sizeof cfg_dir, "%s/.config", home);
    ck_assert_int_eq(mkdir(cfg_dir, 0700), 0);
    snprintf(cfg_dir, sizeof cfg_dir, "%s/.config/maxdash", home);
    ck_assert_int_eq(mkdir(cfg_dir, 0700), 0);
    snprintf(cfg, sizeof cfg, "%s/config.ini", cfg_dir);
    ck_assert(test_write_file(cfg, "[maxdash]\ncolour = yes\n", 0600));
    run_env(&r, (const char *[]){"log", NULL}, home);
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.out, "");
    ck_assert(strstr(r.err, "config.ini:2: "));
    proc_result_free(&r);

    /* So is a config named with -c that does not exist. */
    char nowhere[4300];
    snprintf(nowhere, sizeof nowhere, "%s/nowhere.ini", dir);
    run(&r, (const char *[]){"log", "-c", nowhere, NULL});
    ck_assert_int_eq(r.status, 2);
    ck_assert(strstr(r.err, "no such file"));
    proc_result_free(&r);
}
END_TEST

SUITE(cli_log)
{
    Suite *s = suite_create("cli_log");
    TCase *tc = tcase_create("cli_log");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, text_lists_records_oldest_first_with_whole_trace_ids);
    tcase_add_test(tc, json_round_trips);
    tcase_add_test(tc, org_filters);
    tcase_add_test(tc, since_filters);
    tcase_add_test(tc, bad_since_is_one_usage_line);
    tcase_add_test(tc, torn_last_line_is_reported_not_fatal);
    tcase_add_test(tc, rotated_file_is_read_first);
    tcase_add_test(tc, hostile_text_never_reaches_the_terminal);
    tcase_add_test(tc, no_whole_key_ever);
    tcase_add_test(tc, missing_log_is_not_an_error);
    tcase_add_test(tc, log_found_without_a_config);
    tcase_add_test(tc, explain_works_from_the_log_alone);
    suite_add_tcase(s, tc);
    return s;
}
