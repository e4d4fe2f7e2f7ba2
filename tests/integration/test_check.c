/* `maxdash check` (the real build/maxdash) against the real maxdash-sandbox: the JSON and text
 * reports of a healthy org, every status class (401, 403, 404, 429), the auth-failure log,
 * 50 orgs at once, --org, usage and configuration errors, hostile text, and keys never shown.
 * The network faults are in test_check_faults.c. Every run also checks, in chk_run, that no
 * whole key and no terminal control byte reached stdout, stderr or the log file. */
#include "testing.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "check_support.h"

#define DEADLINE_MS 10000
#define ELLIPSIS "\xE2\x80\xA6"
#define HINT(last3) "max_dev_ak_TES" ELLIPSIS last3
#define ME_PATH "/v1/marketplace/me"
#define PATIENTS_PATH "/v1/patients"

static const char *probe_str(json_t *org, const char *probe, const char *field)
{
    return json_string_value(json_object_get(json_object_get(org, probe), field));
}

static long long probe_int(json_t *org, const char *probe, const char *field)
{
    json_t *v = json_object_get(json_object_get(org, probe), field);
    return json_is_integer(v) ? (long long)json_integer_value(v) : LLONG_MIN;
}

static void assert_str(const char *got, const char *want, const char *what)
{
    ck_assert_msg(got && strcmp(got, want) == 0, "%s: \"%s\", expected \"%s\"", what,
                  got ? got : "(missing)", want);
}

/* ---- a healthy org ------------------------------------------------------------------------- */

START_TEST(healthy_org_json_report)
{
    /* With the request log on, to see the exact requests. */
    struct sandbox sb;
    struct sandbox_opts so = {.data = sandbox_test_data, .verbose = true};
    const char *why = NULL;
    ck_assert_msg(sandbox_start_opts(&sb, &so, &why), "sandbox did not start: %s", why);
    struct chk c;
    chk_init(&c);
    chk_config(&c, sb.base_url, NULL,
               CHK_ORG("westla", "org_a", "active") "name = West LA Dermatology\n");
    struct chk_out o;
    chk_run(&c, (const char *[]){"--json", NULL}, DEADLINE_MS, &o);
    ck_assert_msg(o.r.status == 0, "exit status %d, expected 0; stderr: %s", o.r.status, o.r.err);

    ck_assert_uint_eq(json_array_size(json_object_get(o.doc, "orgs")), 1);
    json_t *org = chk_org(o.doc, "westla");
    assert_str(sbt_jstr(org, "org_id"), "org_a", "org_id");
    assert_str(sbt_jstr(org, "key.name"), "active", "key.name");
    assert_str(sbt_jstr(org, "key.hint"), HINT("001"), "key.hint");
    assert_str(sbt_jstr(org, "key.environment"), "staging", "key.environment");
    ck_assert_msg(json_is_true(json_object_get(org, "healthy")), "healthy is not true");
    chk_assert_probe(org, "me", "ok", 200);
    chk_assert_probe(org, "patients", "ok", 200);
    const char *scopes[] = {"read:patients", "read:appointments", NULL};
    ck_assert_msg(sbt_jstrset(org, "me.scopes", scopes), "me.scopes is not the effective scopes");
    assert_str(sbt_jstr(org, "me.app.id"), "app_test", "me.app.id");
    assert_str(sbt_jstr(org, "me.app.slug"), "test-app", "me.app.slug");
    ck_assert_msg(json_is_null(json_object_get(json_object_get(org, "me"), "trace_id")),
                  "a success has no trace_id");
    json_t *warnings = json_object_get(org, "warnings");
    ck_assert_msg(json_is_array(warnings) && json_array_size(warnings) == 0,
                  "a good key has no warnings");
    ck_assert_int_eq(sbt_jint(o.doc, "healthy"), 1);
    ck_assert_int_eq(sbt_jint(o.doc, "failed"), 0);

    /* Exactly the two probes reached the sandbox, with the org's id and key. */
    json_t *st = chk_stats(&sb);
    ck_assert_int_eq(sbt_jint(st, "total"), 2);
    ck_assert_int_eq(sbt_jint(st, "by_org.org_a"), 2);
    ck_assert_int_eq(sbt_jint(st, "by_path./v1/marketplace/me"), 1);
    ck_assert_int_eq(sbt_jint(st, "by_path./v1/patients"), 1);
    ck_assert_int_eq(sbt_jint(st, "by_status.200"), 2);
    json_decref(st);
    ck_assert_msg(sandbox_wait_stderr(&sb, "GET /v1/marketplace/me org=org_a key=" HINT("001")
                                      " 200", 2000),
                  "no GET /v1/marketplace/me in the request log");
    ck_assert_msg(sandbox_wait_stderr(&sb, "GET /v1/patients?page=1&pageSize=1 org=org_a key="
                                      HINT("001") " 200", 2000) ||
                      sandbox_wait_stderr(&sb, "GET /v1/patients?pageSize=1&page=1 org=org_a key="
                                          HINT("001") " 200", 10),
                  "no GET /v1/patients?page=1&pageSize=1 in the request log");

    /* Nothing failed: nothing logged. */
    json_t *log = chk_log(&c);
    ck_assert_msg(json_array_size(log) == 0, "a healthy check logged %zu records",
                  json_array_size(log));
    json_decref(log);
    chk_out_free(&o);
    chk_free(&c);
    sandbox_free(&sb);
}
END_TEST

START_TEST(healthy_org_text_report)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    struct chk c;
    chk_init(&c);
    chk_config(&c, sb.base_url, NULL, CHK_ORG("westla", "org_a", "active"));
    struct chk_out o;
    chk_run(&c, NULL, DEADLINE_MS, &o);
    ck_assert_msg(o.r.status == 0, "exit status %d; stderr: %s", o.r.status, o.r.err);
    ck_assert_str_eq(o.r.err, "");
    ck_assert_msg(chk_text_rows(o.r.out) == 1, "expected one row and a summary:\n%s", o.r.out);
    char *row = chk_text_row(o.r.out, "westla");
    ck_assert_msg(row != NULL, "no row for westla:\n%s", o.r.out);
    ck_assert_msg(strncmp(row, "ok", 2) == 0, "healthy row does not start with ok: %s", row);
    ck_assert_msg(strstr(row, "org_a") && strstr(row, HINT("001")) && strstr(row, "staging"),
                  "row lacks org id, masked key or environment: %s", row);
    ck_assert_msg(strstr(row, "read:patients") && strstr(row, "read:appointments"),
                  "row lacks the effective scopes: %s", row);
    ck_assert_msg(strstr(row, " ms"), "row lacks the latency: %s", row);
    free(row);
    ck_assert_msg(strstr(o.r.out, "\n1 of 1 org healthy\n"), "summary line: %s", o.r.out);
    chk_out_free(&o);
    chk_free(&c);
    sandbox_free(&sb);
}
END_TEST

START_TEST(text_report_has_one_row_per_org_and_a_summary)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    struct chk c;
    chk_init(&c);
    chk_config(&c, sb.base_url, NULL,
               CHK_ORG("westla", "org_a", "active") CHK_ORG("eastside", "org_a", "revoked")
               CHK_ORG("north", "org_noscope", "active") CHK_ORG("south", "org_none", "active"));
    struct chk_out o;
    chk_run(&c, NULL, DEADLINE_MS, &o);
    ck_assert_msg(o.r.status == 1, "exit status %d, expected 1", o.r.status);
    ck_assert_msg(chk_text_rows(o.r.out) == 4, "expected 4 rows and a summary:\n%s", o.r.out);
    json_t *log = chk_log(&c);

    char *row = chk_text_row(o.r.out, "westla");
    ck_assert_msg(row && strncmp(row, "ok", 2) == 0, "westla: %s", row ? row : "(no row)");
    free(row);

    row = chk_text_row(o.r.out, "eastside");
    ck_assert_msg(row && strncmp(row, "FAIL", 4) == 0, "eastside: %s", row ? row : "(no row)");
    ck_assert_msg(strstr(row, HINT("002")) && strstr(row, "401") && strstr(row, "unauthorized"),
                  "eastside row lacks key, status or class: %s", row);
    /* The trace_id the log recorded for this org's /marketplace/me is on its row. */
    json_t *rec = chk_log_find(log, "eastside", ME_PATH, NULL);
    ck_assert_msg(rec != NULL, "no log record for eastside /marketplace/me");
    const char *trace = sbt_jstr(rec, "trace_id");
    ck_assert_msg(trace && strstr(row, trace), "eastside row lacks trace %s: %s",
                  trace ? trace : "(none)", row);
    free(row);

    row = chk_text_row(o.r.out, "north");
    ck_assert_msg(row && strncmp(row, "FAIL", 4) == 0, "north: %s", row ? row : "(no row)");
    ck_assert_msg(strstr(row, "403") && strstr(row, "read:patients"),
                  "north row lacks 403 or the required scope: %s", row);
    free(row);

    row = chk_text_row(o.r.out, "south");
    ck_assert_msg(row && strncmp(row, "FAIL", 4) == 0, "south: %s", row ? row : "(no row)");
    ck_assert_msg(strstr(row, "404") && strstr(row, "Organization not found"), "south: %s", row);
    free(row);

    ck_assert_msg(strstr(o.r.out, "\n1 of 4 orgs healthy\n"), "summary line: %s", o.r.out);
    json_decref(log);
    chk_out_free(&o);
    chk_free(&c);
    sandbox_free(&sb);
}
END_TEST

/* ---- the status classes ---------------------------------------------------------------------- */

START_TEST(revoked_key_is_401_and_logged_with_its_trace_id)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    struct chk c;
    chk_init(&c);
    chk_config(&c, sb.base_url, NULL,
               CHK_ORG("eastside", "org_a", "revoked") CHK_ORG("late", "org_gen", "expired"));
    struct chk_out o;
    chk_run(&c, (const char *[]){"--json", NULL}, DEADLINE_MS, &o);
    ck_assert_msg(o.r.status == 1, "exit status %d, expected 1", o.r.status);
    json_t *log = chk_log(&c);

    static const struct {
        const char *org, *org_id, *key, *hint;
    } cases[] = {{"eastside", "org_a", "revoked", HINT("002")},
                 {"late", "org_gen", "expired", HINT("003")}};
    for (size_t i = 0; i < 2; i++) {
        json_t *org = chk_org(o.doc, cases[i].org);
        ck_assert_msg(json_is_false(json_object_get(org, "healthy")), "%s healthy", cases[i].org);
        assert_str(sbt_jstr(org, "key.hint"), cases[i].hint, "key.hint");
        static const char *const probes[] = {"me", "patients"};
        static const char *const paths[] = {ME_PATH, PATIENTS_PATH};
        for (size_t p = 0; p < 2; p++) {
            chk_assert_probe(org, probes[p], "unauthorized", 401);
            assert_str(probe_str(org, probes[p], "code"), "unauthorized", "code");
            assert_str(probe_str(org, probes[p], "message"), "Invalid or missing API key",
                       "message");
            const char *trace = probe_str(org, probes[p], "trace_id");
            ck_assert_msg(sbt_is_uuid_v4(trace), "%s.%s: trace_id %s is not the sandbox's UUID",
                          cases[i].org, probes[p], trace ? trace : "(none)");
            /* The same trace_id is in the log, with everything support needs. */
            json_t *rec = chk_log_find(log, cases[i].org, paths[p], trace);
            ck_assert_msg(rec != NULL, "no log record for %s %s with trace_id %s", cases[i].org,
                          paths[p], trace);
            assert_str(sbt_jstr(rec, "org_id"), cases[i].org_id, "log org_id");
            assert_str(sbt_jstr(rec, "key"), cases[i].key, "log key");
            assert_str(sbt_jstr(rec, "key_hint"), cases[i].hint, "log key_hint");
            assert_str(sbt_jstr(rec, "method"), "GET", "log method");
            if (p == 0)
                assert_str(sbt_jstr(rec, "path"), ME_PATH, "log path");
            ck_assert_int_eq(sbt_jint(rec, "http_status"), 401);
            assert_str(sbt_jstr(rec, "code"), "unauthorized", "log code");
            assert_str(sbt_jstr(rec, "message"), "Invalid or missing API key", "log message");
            const char *time = sbt_jstr(rec, "time");
            ck_assert_msg(time && strlen(time) >= 20 && time[strlen(time) - 1] == 'Z',
                          "log time is not ISO-8601 UTC: %s", time ? time : "(none)");
            ck_assert_msg(json_is_integer(json_object_get(rec, "latency_ms")), "no latency_ms");
        }
    }
    ck_assert_int_eq(sbt_jint(o.doc, "healthy"), 0);
    ck_assert_int_eq(sbt_jint(o.doc, "failed"), 2);

    /* The log is private: directory 0700, file 0600. */
    struct stat fst, dst;
    ck_assert_int_eq(stat(c.log, &fst), 0);
    ck_assert_msg((fst.st_mode & 0777) == 0600, "log file mode %o", fst.st_mode & 0777);
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/state", c.dir);
    ck_assert_int_eq(stat(dir, &dst), 0);
    ck_assert_msg((dst.st_mode & 0777) == 0700, "log directory mode %o", dst.st_mode & 0777);

    /* A second check appends. */
    size_t before = json_array_size(log);
    json_decref(log);
    chk_out_free(&o);
    chk_run(&c, NULL, DEADLINE_MS, &o);
    ck_assert_int_eq(o.r.status, 1);
    log = chk_log(&c);
    ck_assert_msg(json_array_size(log) >= before + 4, "second run: %zu records after %zu",
                  json_array_size(log), before);
    json_decref(log);
    chk_out_free(&o);
    chk_free(&c);
    sandbox_free(&sb);
}
END_TEST

START_TEST(missing_scope_is_403_with_the_required_scope)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    struct chk c;
    chk_init(&c);
    chk_config(&c, sb.base_url, NULL,
               CHK_ORG("harbor", "org_a", "appts") CHK_ORG("north", "org_noscope", "active")
               CHK_ORG("mescope", "org_a", "mescope"));
    struct chk_out o;
    chk_run(&c, (const char *[]){"--json", NULL}, DEADLINE_MS, &o);
    ck_assert_msg(o.r.status == 1, "exit status %d, expected 1", o.r.status);
    json_t *log = chk_log(&c);

    /* The key lacks read:patients / the install lacks it: /me works, /patients is 403. */
    static const char *const names[] = {"harbor", "north"};
    for (size_t i = 0; i < 2; i++) {
        json_t *org = chk_org(o.doc, names[i]);
        chk_assert_probe(org, "me", "ok", 200);
        const char *scopes[] = {"read:appointments", NULL};
        ck_assert_msg(sbt_jstrset(org, "me.scopes", scopes), "%s: me.scopes", names[i]);
        chk_assert_probe(org, "patients", "forbidden", 403);
        assert_str(probe_str(org, "patients", "code"), "forbidden", "code");
        assert_str(probe_str(org, "patients", "required_scope"), "read:patients",
                   "required_scope");
        const char *trace = probe_str(org, "patients", "trace_id");
        ck_assert_msg(sbt_is_uuid_v4(trace), "%s: 403 without the sandbox's trace_id", names[i]);
        ck_assert_msg(json_is_false(json_object_get(org, "healthy")), "%s healthy", names[i]);
        json_t *rec = chk_log_find(log, names[i], PATIENTS_PATH, trace);
        ck_assert_msg(rec != NULL, "no log record of %s's 403 with its trace_id", names[i]);
        ck_assert_int_eq(sbt_jint(rec, "http_status"), 403);
        assert_str(sbt_jstr(rec, "required_scope"), "read:patients", "log required_scope");
    }
    /* A key that needs read:marketplace for /me: 403 there, and patients still works. */
    json_t *org = chk_org(o.doc, "mescope");
    chk_assert_probe(org, "me", "forbidden", 403);
    assert_str(probe_str(org, "me", "required_scope"), "read:marketplace", "required_scope");
    chk_assert_probe(org, "patients", "ok", 200);
    ck_assert_int_eq(sbt_jint(o.doc, "failed"), 3);
    json_decref(log);
    chk_out_free(&o);
    chk_free(&c);
    sandbox_free(&sb);
}
END_TEST

START_TEST(app_not_installed_is_404)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    struct chk c;
    chk_init(&c);
    chk_config(&c, sb.base_url, NULL,
               CHK_ORG("south", "org_none", "active") CHK_ORG("ghost", "org_nowhere", "active")
               CHK_ORG("westla", "org_a", "active"));
    struct chk_out o;
    chk_run(&c, (const char *[]){"--json", NULL}, DEADLINE_MS, &o);
    ck_assert_msg(o.r.status == 1, "exit status %d, expected 1", o.r.status);
    static const char *const names[] = {"south", "ghost"};
    for (size_t i = 0; i < 2; i++) {
        json_t *org = chk_org(o.doc, names[i]);
        for (int p = 0; p < 2; p++) {
            const char *probe = p ? "patients" : "me";
            chk_assert_probe(org, probe, "not_found", 404);
            assert_str(probe_str(org, probe, "code"), "not_found", "code");
            assert_str(probe_str(org, probe, "message"), "Organization not found", "message");
            ck_assert_msg(sbt_is_uuid_v4(probe_str(org, probe, "trace_id")), "%s.%s trace_id",
                          names[i], probe);
        }
    }
    json_t *org = chk_org(o.doc, "westla");
    ck_assert_msg(json_is_true(json_object_get(org, "healthy")), "westla not healthy");
    ck_assert_int_eq(sbt_jint(o.doc, "healthy"), 1);
    ck_assert_int_eq(sbt_jint(o.doc, "failed"), 2);
    chk_out_free(&o);
    chk_free(&c);
    sandbox_free(&sb);
}
END_TEST

/* The app may send 1 request per minute: of the 4 probes of two orgs one gets through, the
 * rest are rate limited; check reports that at once instead of waiting a minute. */
START_TEST(rate_limit_is_reported_as_rate_limited)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, (const char *[]){"--rate-limit", "1/60", NULL});
    struct chk c;
    chk_init(&c);
    chk_config(&c, sb.base_url, NULL,
               CHK_ORG("one", "org_a", "active") CHK_ORG("two", "org_gen", "active"));
    struct chk_out o;
    chk_run(&c, (const char *[]){"--json", "--timeout", "2", NULL}, 5000, &o);
    ck_assert_msg(o.r.status == 1, "exit status %d, expected 1", o.r.status);
    int ok = 0, limited = 0;
    static const char *const names[] = {"one", "two"};
    for (size_t i = 0; i < 2; i++) {
        json_t *org = chk_org(o.doc, names[i]);
        ck_assert_msg(json_is_false(json_object_get(org, "healthy")), "%s is healthy", names[i]);
        for (int p = 0; p < 2; p++) {
            const char *probe = p ? "patients" : "me";
            const char *cls = probe_str(org, probe, "class");
            if (cls && strcmp(cls, "ok") == 0) {
                ok++;
                continue;
            }
            /* Sent and answered 429, or held back by the engine after the first 429. */
            chk_assert_probe(org, probe, "rate_limited", -1);
            if (probe_int(org, probe, "http_status") == 429)
                assert_str(probe_str(org, probe, "code"), "rate_limit_exceeded", "code");
            limited++;
        }
    }
    ck_assert_msg(ok == 1 && limited == 3, "%d ok and %d rate limited, expected 1 and 3", ok,
                  limited);
    json_t *st = chk_stats(&sb);
    ck_assert_int_eq(sbt_jint(st, "by_status.200"), 1);
    json_decref(st);
    chk_out_free(&o);
    chk_free(&c);
    sandbox_free(&sb);
}
END_TEST

/* ---- when to retry after a 429 ----------------------------------------------------------- */

/* The window a retry time must fall in: the sandbox's wait (seconds) counted from the start
 * and the end of the run, +-3 s. */
struct retry_want {
    long wait_s;
    time_t t0, t1;
};

static bool seconds_ok(long v, const struct retry_want *w)
{
    return v >= w->wait_s - 3 && v <= w->wait_s + 3 + (long)(w->t1 - w->t0);
}

/* A time of day HH:MM:SS (UTC) in the window. */
static bool clock_ok(int h, int m, int sec, const struct retry_want *w)
{
    long sod = h * 3600L + m * 60L + sec;
    for (time_t t = w->t0 + w->wait_s - 3; t <= w->t1 + w->wait_s + 3; t++) {
        struct tm tm;
        gmtime_r(&t, &tm);
        if (tm.tm_hour * 3600L + tm.tm_min * 60L + tm.tm_sec == sod)
            return true;
    }
    return false;
}

/* Whether text that speaks of retrying ("retry", "reset", "wait", "until") gives a time in the
 * window: "N s" / "Ns" / "N seconds" or a UTC clock time "HH:MM:SS". */
static bool text_says_when(const char *text, const struct retry_want *w)
{
    if (!text || !(strcasestr(text, "retry") || strcasestr(text, "reset") ||
                   strcasestr(text, "wait") || strcasestr(text, "until")))
        return false;
    for (const char *p = text; *p; p++) {
        if (!isdigit((unsigned char)*p) || (p > text && isdigit((unsigned char)p[-1])))
            continue;
        int h, m, sec, used = 0;
        if (sscanf(p, "%2d:%2d:%2d%n", &h, &m, &sec, &used) == 3 && used == 8 &&
            clock_ok(h, m, sec, w))
            return true;
        /* "per 60 seconds" is the limit's window, not a wait. */
        if (p - text >= 4 && strncasecmp(p - 4, "per ", 4) == 0)
            continue;
        char *end;
        long v = strtol(p, &end, 10);
        while (*end == ' ')
            end++;
        if (*end == 's' && !isalpha((unsigned char)end[1]) && seconds_ok(v, w))
            return true;
        if (strncmp(end, "second", 6) == 0 && seconds_ok(v, w))
            return true;
    }
    return false;
}

/* Anywhere in a JSON org: an integer member named *retry* (seconds) or a string that says when. */
static bool json_says_when(json_t *v, const struct retry_want *w)
{
    if (json_is_string(v))
        return text_says_when(json_string_value(v), w);
    size_t i;
    const char *k;
    json_t *e;
    if (json_is_array(v)) {
        json_array_foreach(v, i, e) {
            if (json_says_when(e, w))
                return true;
        }
    } else if (json_is_object(v)) {
        json_object_foreach(v, k, e) {
            if (strstr(k, "retry") && json_is_integer(e) &&
                seconds_ok((long)json_integer_value(e), w))
                return true;
            if (json_says_when(e, w))
                return true;
        }
    }
    return false;
}

/* The text report's lines of one org: its row and the indented lines after it (caller frees). */
static char *text_block(const char *out, const char *name)
{
    char *row = chk_text_row(out, name);
    if (!row)
        return NULL;
    const char *p = strstr(out, row);
    const char *end = strchr(p, '\n');
    while (end && end[1] == ' ')
        end = strchr(end + 1, '\n');
    free(row);
    return strndup(p, end ? (size_t)(end - p) : strlen(p));
}

/* Runs check on the one org "limited" and asserts both reports say when it may retry. */
static void assert_reports_say_when(struct chk *c, long wait_s, const char *what)
{
    struct chk_out o;
    struct retry_want w = {.wait_s = wait_s, .t0 = time(NULL)};
    chk_run(c, (const char *[]){"--json", "--timeout", "2", NULL}, 5000, &o);
    w.t1 = time(NULL);
    ck_assert_int_eq(o.r.status, 1);
    json_t *org = chk_org(o.doc, "limited");
    const char *cls = probe_str(org, "patients", "class");
    chk_assert_probe(org, cls && strcmp(cls, "ok") == 0 ? "me" : "patients", "rate_limited", -1);
    ck_assert_msg(json_says_when(org, &w),
                  "%s: the JSON report does not say when to retry (%ld s from now): no *retry* "
                  "integer, no text giving that wait or its UTC time; summary \"%s\"", what,
                  wait_s, probe_str(org, "patients", "summary"));
    chk_out_free(&o);

    w.t0 = time(NULL);
    chk_run(c, (const char *[]){"--timeout", "2", NULL}, 5000, &o);
    w.t1 = time(NULL);
    ck_assert_int_eq(o.r.status, 1);
    char *block = text_block(o.r.out, "limited");
    ck_assert_msg(block && text_says_when(block, &w),
                  "%s: the text report does not say when to retry (%ld s from now):\n%s", what,
                  wait_s, block ? block : o.r.out);
    free(block);
    chk_out_free(&o);
}

/* The sandbox's own limit: Retry-After is the rest of the 60 s window. */
START_TEST(rate_limited_report_says_when_to_retry)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, (const char *[]){"--rate-limit", "1/60", NULL});
    struct chk c;
    chk_init(&c);
    chk_config(&c, sb.base_url, NULL, CHK_ORG("limited", "org_gen", "active"));
    assert_reports_say_when(&c, 60, "--rate-limit 1/60");
    chk_free(&c);
    sandbox_free(&sb);
}
END_TEST

/* Retry-After: 7 while the X-RateLimit window resets much later: Retry-After is the wait. */
START_TEST(rate_limited_report_honours_retry_after)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    sbt_add_fault(&sb, "{\"fault\": \"status\", \"status\": 429, \"retry_after\": 7,"
                       " \"org\": \"org_gen\"}");
    struct chk c;
    chk_init(&c);
    chk_config(&c, sb.base_url, NULL, CHK_ORG("limited", "org_gen", "active"));
    assert_reports_say_when(&c, 7, "429 with Retry-After: 7");
    chk_free(&c);
    sandbox_free(&sb);
}
END_TEST

/* ---- many orgs --------------------------------------------------------------------------- */

/* ---- the budget of a one-shot check (issue 20 case 3) --------------------------------------- */

/* 80 orgs of one app: 160 requests, beyond rate_budget (100). The sandbox's window (1 000 a
 * minute) has room: the check takes ENGINE_ONCE_SHARE of it and is done in one go, not after
 * a minute's wait; the report says the budget it used. */
/* The demo's appointments-only org (harbor: its app has read:appointments and nothing else)
 * is healthy when its key says `probe = appointments`; with the default probe, the 403 on
 * /patients fails it. --quick sends the probe alone. (Issue 20 case 1.) */
START_TEST(demo_harbor_is_healthy_probing_appointments)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/assets/sandbox/demo.json", test_src_dir());
    size_t len = 0;
    char *demo = test_read_file(path, &len);
    ck_assert_msg(demo != NULL, "cannot read %s", path);
    struct sandbox sb;
    sandbox_start(&sb, demo, NULL);
    free(demo);
    struct chk c;
    chk_init(&c);
    char text[8192];
    snprintf(text, sizeof text,
             "[maxdash]\nbase_url = %s\nlog_file = %s\n"
             "[key \"scheduler\"]\nenv = I20_APPTS_KEY\nprobe = appointments\n"
             "base_url = %.*s/v4\n"
             "[key \"plain\"]\nenv = I20_APPTS_KEY\n"
             "[org \"harbor\"]\nid = org_harbor\nkey = scheduler\n"
             "[org \"harbor-patients\"]\nid = org_harbor\nkey = plain\n", sb.base_url, c.log,
             (int)(strlen(sb.base_url) - 3), sb.base_url); /* the same sandbox on v4 (issue 16) */
    chk_config_raw(&c, text);
    const char *env[] = {"I20_APPTS_KEY=max_dev_ak_01DEMOKEYAPPTS9F3H5J7K2L4", NULL};
    struct chk_out o;
    chk_run_env(&c, (const char *[]){"--json", NULL}, env, DEADLINE_MS, &o);
    ck_assert_int_eq(o.r.status, 1);
    json_t *org = chk_org(o.doc, "harbor");
    ck_assert_msg(json_is_true(json_object_get(org, "healthy")), "harbor is not healthy");
    chk_assert_probe(org, "me", "ok", 200);
    chk_assert_probe(org, "probe", "ok", 200);
    assert_str(sbt_jstr(org, "probe.resource"), "appointments", "probe.resource");
    assert_str(sbt_jstr(org, "patients.class"), "not_run", "patients.class");
    json_t *other = chk_org(o.doc, "harbor-patients");
    ck_assert_msg(json_is_false(json_object_get(other, "healthy")), "/patients 403 is healthy");
    chk_assert_probe(other, "probe", "forbidden", 403);
    assert_str(sbt_jstr(other, "probe.resource"), "patients", "probe.resource");
    chk_out_free(&o);
    /* The scheduler key's requests went to /v4, the plain key's to /v1 (its base_url). */
    json_t *paths = chk_stats(&sb);
    ck_assert_msg(sbt_jint(paths, "by_path./v4/appointments") >= 1 &&
                      sbt_jint(paths, "by_path./v4/marketplace/me") >= 1,
                  "the key's base_url (/v4) was not used");
    ck_assert_msg(sbt_jint(paths, "by_path./v1/patients") >= 1 &&
                      sbt_jint(paths, "by_path./v4/patients") <= 0 &&
                      sbt_jint(paths, "by_path./v1/appointments") <= 0,
                  "the plain key did not stay on [maxdash] base_url (/v1)");
    json_decref(paths);

    /* --quick: the probe alone, one request per org. */
    json_t *st0 = chk_stats(&sb);
    long long before = sbt_jint(st0, "total");
    json_decref(st0);
    chk_run_env(&c, (const char *[]){"--json", "--quick", "--org", "harbor", NULL}, env,
                DEADLINE_MS, &o);
    ck_assert_msg(o.r.status == 0, "--quick: exit status %d", o.r.status);
    chk_assert_probe(chk_org(o.doc, "harbor"), "me", "not_run", 0);
    json_t *st = chk_stats(&sb);
    ck_assert_int_eq(sbt_jint(st, "total") - before, 1);
    json_decref(st);
    chk_out_free(&o);
    chk_free(&c);
    sandbox_free(&sb);
}
END_TEST

START_TEST(check_takes_a_share_of_the_servers_window)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    char orgs[80 * 48] = "";
    size_t n = 0;
    for (int i = 0; i < 80; i++)
        n += (size_t)snprintf(orgs + n, sizeof orgs - n, "[org \"o%02d\"]\nid = org_gen\nkey = active\n",
                              i);
    struct chk c;
    chk_init(&c);
    chk_config(&c, sb.base_url, "rate_budget = 100\n", orgs);
    struct chk_out o;
    chk_run(&c, (const char *[]){"--json", NULL}, DEADLINE_MS, &o);
    ck_assert_msg(o.r.status == 0, "exit status %d, expected 0; stderr: %s", o.r.status, o.r.err);
    ck_assert_int_eq(sbt_jint(o.doc, "healthy"), 80);
    json_t *budget = json_object_get(o.doc, "budget");
    ck_assert_int_eq(sbt_jint(budget, "requests"), 160);
    ck_assert_msg(sbt_jint(budget, "per_minute") > 100 && sbt_jint(budget, "per_minute") <= 1000,
                  "budget.per_minute %lld: not stretched to the server's window",
                  (long long)sbt_jint(budget, "per_minute"));
    json_t *st = chk_stats(&sb);
    ck_assert_int_eq(sbt_jint(st, "total"), 160);
    ck_assert_msg(sbt_jint(st, "by_status.429") == LLONG_MIN, "the server answered 429");
    json_decref(st);
    chk_out_free(&o);

    /* --budget N is the budget for that run, whatever the server's window says. */
    chk_run(&c, (const char *[]){"--json", "--budget", "500", NULL}, DEADLINE_MS, &o);
    ck_assert_msg(o.r.status == 0, "exit status %d, expected 0; stderr: %s", o.r.status, o.r.err);
    ck_assert_int_eq(sbt_jint(json_object_get(o.doc, "budget"), "per_minute"), 500);
    chk_out_free(&o);
    chk_free(&c);
    sandbox_free(&sb);
}
END_TEST

START_TEST(fifty_orgs_are_all_reported)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, (const char *[]){"--latency", "200", NULL});
    static const struct {
        const char *id, *key, *me, *patients;
        int me_status, patients_status;
    } kinds[] = {
        {"org_a", "active", "ok", "ok", 200, 200},
        {"org_gen", "active", "ok", "ok", 200, 200},
        {"org_a", "revoked", "unauthorized", "unauthorized", 401, 401},
        {"org_noscope", "active", "ok", "forbidden", 200, 403},
        {"org_none", "active", "not_found", "not_found", 404, 404},
    };
    char orgs[50 * 64] = "";
    size_t n = 0;
    for (int i = 0; i < 50; i++)
        n += (size_t)snprintf(orgs + n, sizeof orgs - n, "[org \"o%02d\"]\nid = %s\nkey = %s\n",
                              i, kinds[i % 5].id, kinds[i % 5].key);
    struct chk c;
    chk_init(&c);
    chk_config(&c, sb.base_url, NULL, orgs);
    struct chk_out o;
    chk_run(&c, (const char *[]){"--json", NULL}, DEADLINE_MS, &o);
    ck_assert_msg(o.r.status == 1, "exit status %d, expected 1", o.r.status);
    ck_assert_uint_eq(json_array_size(json_object_get(o.doc, "orgs")), 50);
    for (int i = 0; i < 50; i++) {
        char name[8];
        snprintf(name, sizeof name, "o%02d", i);
        json_t *org = chk_org(o.doc, name);
        assert_str(sbt_jstr(org, "org_id"), kinds[i % 5].id, "org_id");
        chk_assert_probe(org, "me", kinds[i % 5].me, kinds[i % 5].me_status);
        chk_assert_probe(org, "patients", kinds[i % 5].patients, kinds[i % 5].patients_status);
        /* Every probe took the sandbox's 200 ms: it was really answered. */
        ck_assert_msg(probe_int(org, "me", "latency_ms") >= 190, "%s: me latency %lld ms", name,
                      probe_int(org, "me", "latency_ms"));
        ck_assert_msg(json_is_boolean(json_object_get(org, "healthy")) &&
                          json_is_true(json_object_get(org, "healthy")) == (i % 5 < 2),
                      "%s: healthy is wrong", name);
    }
    ck_assert_int_eq(sbt_jint(o.doc, "healthy"), 20);
    ck_assert_int_eq(sbt_jint(o.doc, "failed"), 30);
    /* Each org was probed exactly twice. */
    json_t *st = chk_stats(&sb);
    ck_assert_int_eq(sbt_jint(st, "total"), 100);
    json_decref(st);
    chk_out_free(&o);

    /* The text report: one row each and the summary. */
    chk_run(&c, NULL, DEADLINE_MS, &o);
    ck_assert_int_eq(o.r.status, 1);
    ck_assert_uint_eq(chk_text_rows(o.r.out), 50);
    ck_assert_msg(strstr(o.r.out, "\n20 of 50 orgs healthy\n"), "summary line missing");
    chk_out_free(&o);
    chk_free(&c);
    sandbox_free(&sb);
}
END_TEST

/* ---- --org ---------------------------------------------------------------------------------- */

static const char orgs4[] = CHK_ORG("a", "org_a", "active") CHK_ORG("gen", "org_gen", "active")
    CHK_ORG("empty", "org_empty", "active") CHK_ORG("none", "org_none", "active");

START_TEST(org_filter_selects_one_or_two_orgs)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    struct chk c;
    chk_init(&c);
    chk_config(&c, sb.base_url, NULL, orgs4);
    struct chk_out o;

    chk_run(&c, (const char *[]){"--json", "--org", "gen", NULL}, DEADLINE_MS, &o);
    ck_assert_msg(o.r.status == 0, "--org gen: exit status %d (the failing org was probed?)",
                  o.r.status);
    ck_assert_uint_eq(json_array_size(json_object_get(o.doc, "orgs")), 1);
    chk_assert_probe(chk_org(o.doc, "gen"), "me", "ok", 200);
    json_t *st = chk_stats(&sb);
    ck_assert_int_eq(sbt_jint(st, "total"), 2);
    ck_assert_int_eq(sbt_jint(st, "by_org.org_gen"), 2);
    json_decref(st);
    chk_out_free(&o);

    chk_reset_stats(&sb);
    chk_run(&c, (const char *[]){"--org", "gen", "--json", "--org", "a", NULL}, DEADLINE_MS, &o);
    ck_assert_int_eq(o.r.status, 0);
    ck_assert_uint_eq(json_array_size(json_object_get(o.doc, "orgs")), 2);
    chk_assert_probe(chk_org(o.doc, "gen"), "patients", "ok", 200);
    chk_assert_probe(chk_org(o.doc, "a"), "patients", "ok", 200);
    st = chk_stats(&sb);
    ck_assert_int_eq(sbt_jint(st, "total"), 4);
    ck_assert_int_eq(sbt_jint(st, "by_org.org_gen"), 2);
    ck_assert_int_eq(sbt_jint(st, "by_org.org_a"), 2);
    json_decref(st);
    chk_out_free(&o);

    /* Naming an org twice probes it once. */
    chk_reset_stats(&sb);
    chk_run(&c, (const char *[]){"--org", "gen", "--org", "gen", "--json", NULL}, DEADLINE_MS, &o);
    ck_assert_int_eq(o.r.status, 0);
    ck_assert_uint_eq(json_array_size(json_object_get(o.doc, "orgs")), 1);
    st = chk_stats(&sb);
    ck_assert_int_eq(sbt_jint(st, "total"), 2);
    json_decref(st);
    chk_out_free(&o);

    /* A named failing org makes the exit status 1; text mode shows only the named rows. */
    chk_run(&c, (const char *[]){"--org", "none", "--org", "empty", NULL}, DEADLINE_MS, &o);
    ck_assert_int_eq(o.r.status, 1);
    ck_assert_msg(chk_text_rows(o.r.out) == 2, "two rows and a summary expected:\n%s", o.r.out);
    char *row = chk_text_row(o.r.out, "empty");
    ck_assert_msg(row && strncmp(row, "ok", 2) == 0, "empty: %s", row ? row : "(no row)");
    free(row);
    row = chk_text_row(o.r.out, "none");
    ck_assert_msg(row && strncmp(row, "FAIL", 4) == 0, "none: %s", row ? row : "(no row)");
    free(row);
    ck_assert_msg(!chk_text_row(o.r.out, "gen") && !chk_text_row(o.r.out, "a"),
                  "an org that was not named is in the report");
    chk_out_free(&o);
    chk_free(&c);
    sandbox_free(&sb);
}
END_TEST

START_TEST(unknown_org_is_exit_2_with_one_line)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    struct chk c;
    chk_init(&c);
    chk_config(&c, sb.base_url, NULL, orgs4);
    static const char *const cases[][6] = {
        {"--org", "nope", NULL},
        {"--org", "a", "--org", "nope", NULL},
        {"--json", "--org", "nope", "--org", "gen", NULL},
        {"--org", "A", NULL}, /* names are exact */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct chk_out o;
        chk_run(&c, cases[i], DEADLINE_MS, &o);
        ck_assert_msg(o.r.status == 2, "case %zu: exit status %d, expected 2", i, o.r.status);
        ck_assert_msg(o.r.out_len == 0, "case %zu: stdout not empty: %s", i, o.r.out);
        ck_assert_msg(chk_count_lines(o.r.err) == 1 && o.r.err[o.r.err_len - 1] == '\n',
                      "case %zu: not exactly one line on stderr: %s", i, o.r.err);
        ck_assert_msg(strncmp(o.r.err, "maxdash: ", 9) == 0, "case %zu: %s", i, o.r.err);
        const char *unknown = i == 3 ? "'A'" : "'nope'";
        ck_assert_msg(strstr(o.r.err, unknown), "case %zu: the line does not name %s: %s", i,
                      unknown, o.r.err);
        chk_out_free(&o);
    }
    /* Nothing was probed. */
    json_t *st = chk_stats(&sb);
    ck_assert_int_eq(sbt_jint(st, "total"), 0);
    json_decref(st);
    chk_free(&c);
    sandbox_free(&sb);
}
END_TEST

/* ---- usage and configuration errors -------------------------------------------------------- */

static void assert_exit_2(struct chk *c, const char *const *args, const char *const *env,
                          const char *want_in_err, const char *what)
{
    struct chk_out o;
    chk_run_env(c, args, env, DEADLINE_MS, &o);
    ck_assert_msg(o.r.status == 2, "%s: exit status %d, expected 2; stderr: %s", what,
                  o.r.status, o.r.err);
    ck_assert_msg(o.r.out_len == 0, "%s: stdout not empty: %.300s", what, o.r.out);
    ck_assert_msg(strncmp(o.r.err, "maxdash: ", 9) == 0, "%s: stderr: %s", what, o.r.err);
    if (want_in_err)
        ck_assert_msg(strstr(o.r.err, want_in_err), "%s: stderr lacks \"%s\": %s", what,
                      want_in_err, o.r.err);
    chk_out_free(&o);
}

START_TEST(config_errors_are_exit_2)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    struct chk c;
    chk_init(&c);
    char text[8192], where[4200];
    static const struct {
        const char *settings, *orgs;
        int line; /* the line named in the message; 0: none */
        const char *what;
    } cases[] = {
        {"bogus = 1\n", CHK_ORG("a", "org_a", "active"), 4, "unknown setting"},
        {"timeout = 0\n", CHK_ORG("a", "org_a", "active"), 4, "timeout out of range"},
        {"refresh = soon\n", CHK_ORG("a", "org_a", "active"), 4, "non-numeric refresh"},
        {NULL, "[org \"a\"]\nkey = active\n", 0, "org without id"},
        {NULL, CHK_ORG("a", "org_a", "missing"), 0, "undefined key"},
        {NULL, "", 0, "no org sections"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        chk_config(&c, sb.base_url, cases[i].settings, cases[i].orgs);
        snprintf(where, sizeof where, "%s:%d:", c.cfg, cases[i].line);
        assert_exit_2(&c, NULL, NULL, cases[i].line ? where : c.cfg, cases[i].what);
        assert_exit_2(&c, (const char *[]){"--json", NULL}, NULL, c.cfg, cases[i].what);
    }

    /* http:// to a host that is not loopback. */
    chk_config(&c, "http://api.example.com/v1", NULL, CHK_ORG("a", "org_a", "active"));
    snprintf(where, sizeof where, "%s:2:", c.cfg);
    assert_exit_2(&c, NULL, NULL, where, "http:// base_url");

    /* The key's environment variable is not set. */
    chk_config(&c, sb.base_url, NULL, CHK_ORG("a", "org_a", "active"));
    assert_exit_2(&c, NULL, (const char *[]){"MAXDASH_TK_ACTIVE=", NULL}, "MAXDASH_TK_ACTIVE",
                  "unset key variable");

    /* An inline key in a file others can read. */
    snprintf(text, sizeof text,
             "[maxdash]\nbase_url = %s\nlog_file = %s\n[key \"inline\"]\nvalue = " K_ACTIVE
             "\n" CHK_ORG("a", "org_a", "inline"),
             sb.base_url, c.log);
    ck_assert(test_write_file(c.cfg, text, 0644));
    assert_exit_2(&c, NULL, NULL, c.cfg, "inline key in a 0644 file");

    /* A file that is not there. */
    snprintf(text, sizeof text, "%s/absent.ini", c.dir);
    char *argv_cfg = strdup(text);
    snprintf(c.cfg, sizeof c.cfg, "%s", argv_cfg);
    assert_exit_2(&c, NULL, NULL, argv_cfg, "missing config file");
    free(argv_cfg);

    /* Nothing reached the sandbox. */
    json_t *st = chk_stats(&sb);
    ck_assert_int_eq(sbt_jint(st, "total"), 0);
    json_decref(st);
    chk_free(&c);
    sandbox_free(&sb);
}
END_TEST

START_TEST(bad_timeout_values_are_exit_2)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    struct chk c;
    chk_init(&c);
    chk_config(&c, sb.base_url, NULL, CHK_ORG("a", "org_a", "active"));
    static const char *const bad[] = {"0", "-1", "abc", "301", "2x", "", "1e3", "0x10",
                                      "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char what[64];
        snprintf(what, sizeof what, "--timeout '%s'", bad[i]);
        assert_exit_2(&c, (const char *[]){"--timeout", bad[i], NULL}, NULL, "--timeout", what);
    }
    assert_exit_2(&c, (const char *[]){"--timeout", NULL}, NULL, "--timeout", "--timeout alone");
    json_t *st = chk_stats(&sb);
    ck_assert_int_eq(sbt_jint(st, "total"), 0);
    json_decref(st);

    /* The limits themselves are fine. */
    static const char *const good[] = {"1", "300"};
    for (size_t i = 0; i < 2; i++) {
        struct chk_out o;
        chk_run(&c, (const char *[]){"--timeout", good[i], NULL}, DEADLINE_MS, &o);
        ck_assert_msg(o.r.status == 0, "--timeout %s: exit status %d; %s", good[i], o.r.status,
                      o.r.err);
        chk_out_free(&o);
    }
    chk_free(&c);
    sandbox_free(&sb);
}
END_TEST

START_TEST(usage_errors_are_exit_2)
{
    struct chk c;
    chk_init(&c);
    chk_config(&c, "http://127.0.0.1:9/v1", NULL, CHK_ORG("a", "org_a", "active"));
    assert_exit_2(&c, (const char *[]){"--bogus", NULL}, NULL, "'--bogus'", "unknown option");
    assert_exit_2(&c, (const char *[]){"extra", NULL}, NULL, "'extra'", "extra argument");
    assert_exit_2(&c, (const char *[]){"--org", NULL}, NULL, "--org", "--org alone");
    assert_exit_2(&c, (const char *[]){"-c", NULL}, NULL, "-c", "-c alone");
    chk_free(&c);
}
END_TEST

/* ---- hostile text ---------------------------------------------------------------------------- */

/* A display name full of escape sequences: the report shows its text, never the sequences. */
START_TEST(hostile_display_name_is_shown_sanitized)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    struct chk c;
    chk_init(&c);
    chk_config(&c, sb.base_url, NULL,
               CHK_ORG("westla", "org_a", "active")
               "name = West\033[31m LA\033[0m Derm\033]0;pwned\007atology\xC2\x9B" "0m Clinic"
               "\xE2\x80\xAE \033P1;2q\033\\end\a\b\x7F\n");
    struct chk_out o;
    chk_run(&c, NULL, DEADLINE_MS, &o); /* chk_run checked every byte */
    ck_assert_int_eq(o.r.status, 0);
    ck_assert_msg(!strstr(o.r.out, "pwned"), "the OSC payload was printed");
    ck_assert_msg(strstr(o.r.out, "West LA Derm"),
                  "the text report does not show the org's display name (sanitized: "
                  "\"West LA Dermatology Clinic end\"):\n%s", o.r.out);
    chk_out_free(&o);

    chk_run(&c, (const char *[]){"--json", NULL}, DEADLINE_MS, &o);
    ck_assert_int_eq(o.r.status, 0);
    const char *bad = chk_bad_string(o.doc);
    ck_assert_msg(bad == NULL, "a JSON string holds a control character");
    json_t *org = chk_org(o.doc, "westla");
    ck_assert_msg(chk_json_contains(org, "West LA Dermatology Clinic end"),
                  "the JSON report does not show the org's display name (sanitized: "
                  "\"West LA Dermatology Clinic end\")");
    ck_assert_msg(!chk_json_contains(org, "pwned"), "the OSC payload is in the JSON report");
    chk_out_free(&o);
    chk_free(&c);
    sandbox_free(&sb);
}
END_TEST

/* Org names and ids are restricted: escape sequences there are a config error, printed clean. */
START_TEST(hostile_org_name_or_id_is_a_sanitized_config_error)
{
    struct chk c;
    chk_init(&c);
    chk_config(&c, "http://127.0.0.1:9/v1", NULL,
               "[org \"ev\033[31mil\xC2\x9B" "2J\"]\nid = org_a\nkey = active\n");
    assert_exit_2(&c, NULL, NULL, ":", "hostile org name");
    assert_exit_2(&c, (const char *[]){"--json", NULL}, NULL, ":", "hostile org name, --json");
    chk_config(&c, "http://127.0.0.1:9/v1", NULL,
               "[org \"ok\"]\nid = org_\033]0;pwned\007x\nkey = active\n");
    assert_exit_2(&c, NULL, NULL, ":", "hostile org id");
    /* --org with escape sequences: one clean line. */
    chk_config(&c, "http://127.0.0.1:9/v1", NULL, CHK_ORG("a", "org_a", "active"));
    assert_exit_2(&c, (const char *[]){"--org", "x\033[2Jy\xC2\x9B" "31m", NULL}, NULL, "--org",
                  "hostile --org");
    chk_free(&c);
}
END_TEST

#define HOSTILE_CODE "evil\\u001b[31m_code\\u0007\\u009b2J"
#define HOSTILE_MESSAGE                                                                        \
    "Server \\u001b]0;pwned\\u0007says \\u009b2J\\u001b[2Jhi\\u202e there\\r\\b\\u007f "     \
    "\\u001bP1;2q\\u001b\\\\end"

START_TEST(hostile_server_messages_are_sanitized)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    sbt_add_fault(&sb, "{\"fault\": \"status\", \"status\": 500, \"org\": \"org_a\", \"code\": \""
                       HOSTILE_CODE "\", \"message\": \"" HOSTILE_MESSAGE "\"}");
    sbt_add_fault(&sb, "{\"fault\": \"status\", \"status\": 403, \"org\": \"org_gen\","
                       " \"path\": \"/patients\", \"message\": \"Insufficient scope. Required: "
                       "read:\\u001b[1mpatients\\u009b0m\\u0007\"}");
    sbt_add_fault(&sb, "{\"fault\": \"status\", \"status\": 401, \"org\": \"org_empty\","
                       " \"code\": \"" HOSTILE_CODE "\", \"message\": \"" HOSTILE_MESSAGE "\"}");
    struct chk c;
    chk_init(&c);
    chk_config(&c, sb.base_url, NULL,
               CHK_ORG("evil", "org_a", "active") CHK_ORG("scope", "org_gen", "active")
               CHK_ORG("auth", "org_empty", "active"));
    struct chk_out o;
    chk_run(&c, NULL, DEADLINE_MS, &o); /* every byte of stdout and stderr checked */
    ck_assert_int_eq(o.r.status, 1);
    ck_assert_msg(!strstr(o.r.out, "pwned"), "the OSC payload was printed");
    char *row = chk_text_row(o.r.out, "evil");
    ck_assert_msg(row && strstr(row, "500") && strstr(row, "Server"), "evil row: %s",
                  row ? row : "(no row)");
    free(row);
    chk_out_free(&o);

    chk_run(&c, (const char *[]){"--json", NULL}, DEADLINE_MS, &o);
    ck_assert_int_eq(o.r.status, 1);
    ck_assert_msg(chk_bad_string(o.doc) == NULL,
                  "a string of the JSON report holds a terminal control character");
    ck_assert_msg(!chk_json_contains(o.doc, "pwned"), "the OSC payload is in the JSON report");
    json_t *org = chk_org(o.doc, "evil");
    chk_assert_probe(org, "me", "server_error", 500);
    const char *code = probe_str(org, "me", "code"), *msg = probe_str(org, "me", "message");
    ck_assert_msg(code && strstr(code, "evil"), "the code's text is lost: %s", code ? code : "");
    ck_assert_msg(msg && strstr(msg, "Server") && strstr(msg, "end"),
                  "the message's text is lost: %s", msg ? msg : "");
    org = chk_org(o.doc, "scope");
    chk_assert_probe(org, "me", "ok", 200);
    chk_assert_probe(org, "patients", "forbidden", 403);
    const char *scope = probe_str(org, "patients", "required_scope");
    ck_assert_msg(scope && strncmp(scope, "read:", 5) == 0, "required_scope: %s",
                  scope ? scope : "(none)");
    chk_assert_probe(chk_org(o.doc, "auth"), "me", "unauthorized", 401);
    chk_out_free(&o);

    /* The log holds the same clean text: `maxdash log` prints it later. */
    json_t *log = chk_log(&c);
    ck_assert_msg(chk_log_find(log, "auth", ME_PATH, NULL), "the hostile 401 was not logged");
    ck_assert_msg(chk_bad_string(log) == NULL, "a log record holds a terminal control character");
    ck_assert_msg(!chk_json_contains(log, "pwned"), "the OSC payload is in the log");
    json_decref(log);
    chk_free(&c);
    sandbox_free(&sb);
}
END_TEST

/* ---- keys ------------------------------------------------------------------------------------ */

/* Every key of the config, good, bad and malformed, through both reports and the log: chk_run
 * fails on a whole key (or its random part) in stdout, stderr or the log file. */
START_TEST(no_whole_key_anywhere)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    struct chk c;
    chk_init(&c);
    chk_config(&c, sb.base_url, NULL,
               "[key \"bearer\"]\nenv = MAXDASH_TK_BEARER\n"
               "[key \"quoted\"]\nenv = MAXDASH_TK_QUOTED\n"
               CHK_ORG("a", "org_a", "active") CHK_ORG("revoked", "org_a", "revoked")
               CHK_ORG("expired", "org_a", "expired") CHK_ORG("appts", "org_a", "appts")
               CHK_ORG("mescope", "org_a", "mescope") CHK_ORG("meok", "org_a", "meok")
               CHK_ORG("other", "org_a", "other") CHK_ORG("unknown", "org_a", "unknown")
               CHK_ORG("bearer", "org_a", "bearer") CHK_ORG("quoted", "org_a", "quoted"));
    const char *env[] = {"MAXDASH_TK_BEARER=Bearer " K_ACTIVE, "MAXDASH_TK_QUOTED=\"" K_OTHER "\"",
                         NULL};
    struct chk_out o;
    chk_run_env(&c, NULL, env, DEADLINE_MS, &o);
    ck_assert_int_eq(o.r.status, 1);
    char *row = chk_text_row(o.r.out, "bearer");
    ck_assert_msg(row && strstr(row, "warning"), "the Bearer key's row has no warning: %s",
                  row ? row : "(no row)");
    free(row);
    chk_out_free(&o);

    chk_run_env(&c, (const char *[]){"--json", NULL}, env, DEADLINE_MS, &o);
    ck_assert_int_eq(o.r.status, 1);
    static const char *const warned[] = {"bearer", "quoted"};
    for (size_t i = 0; i < 2; i++) {
        json_t *org = chk_org(o.doc, warned[i]);
        ck_assert_msg(json_array_size(json_object_get(org, "warnings")) >= 1,
                      "%s: no key warning", warned[i]);
        chk_assert_probe(org, "me", "unauthorized", 401);
    }
    chk_assert_probe(chk_org(o.doc, "unknown"), "me", "unauthorized", 401);
    chk_assert_probe(chk_org(o.doc, "other"), "me", "ok", 200);
    chk_assert_probe(chk_org(o.doc, "meok"), "me", "ok", 200);
    /* Masks are the prefix and 3 + 3 characters. */
    assert_str(sbt_jstr(chk_org(o.doc, "unknown"), "key.hint"), HINT("008"), "unknown key.hint");
    chk_out_free(&o);

    json_t *log = chk_log(&c);
    ck_assert_msg(json_array_size(log) >= 8, "only %zu log records", json_array_size(log));
    json_decref(log);
    chk_free(&c);
    sandbox_free(&sb);
}
END_TEST

SUITE(check)
{
    Suite *s = suite_create("check");
    TCase *tc = tcase_create("check");
    tcase_set_timeout(tc, 60);
    tcase_add_unchecked_fixture(tc, sandbox_tmp_setup, sandbox_tmp_teardown);
    tcase_add_test(tc, healthy_org_json_report);
    tcase_add_test(tc, healthy_org_text_report);
    tcase_add_test(tc, text_report_has_one_row_per_org_and_a_summary);
    tcase_add_test(tc, revoked_key_is_401_and_logged_with_its_trace_id);
    tcase_add_test(tc, missing_scope_is_403_with_the_required_scope);
    tcase_add_test(tc, app_not_installed_is_404);
    tcase_add_test(tc, rate_limit_is_reported_as_rate_limited);
    tcase_add_test(tc, rate_limited_report_says_when_to_retry);
    tcase_add_test(tc, rate_limited_report_honours_retry_after);
    tcase_add_test(tc, fifty_orgs_are_all_reported);
    tcase_add_test(tc, check_takes_a_share_of_the_servers_window);
    tcase_add_test(tc, demo_harbor_is_healthy_probing_appointments);
    tcase_add_test(tc, org_filter_selects_one_or_two_orgs);
    tcase_add_test(tc, unknown_org_is_exit_2_with_one_line);
    tcase_add_test(tc, config_errors_are_exit_2);
    tcase_add_test(tc, bad_timeout_values_are_exit_2);
    tcase_add_test(tc, usage_errors_are_exit_2);
    tcase_add_test(tc, hostile_display_name_is_shown_sanitized);
    tcase_add_test(tc, hostile_org_name_or_id_is_a_sanitized_config_error);
    tcase_add_test(tc, hostile_server_messages_are_sanitized);
    tcase_add_test(tc, no_whole_key_anywhere);
    suite_add_tcase(s, tc);
    return s;
}
