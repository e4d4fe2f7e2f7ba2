/* The auth-failure log: the record format of DESIGN.md, the time text, how the file is created
 * and refused, appending and reading back, rotation (also by two writers), torn and damaged
 * lines, write errors. Records carry key hints only; no test here holds a whole key. */
#include "testing.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "authlog.h"
#include "proc.h"

#define HINT "max_prd_ak_SBA\xE2\x80\xA6" "01S"
#define TRACE "550e8400-e29b-41d4-a716-446655440000"

static char *dir;
static char log_path[4096];

static void setup(void)
{
    dir = test_tmpdir();
    snprintf(log_path, sizeof log_path, "%s/state/maxdash/auth-failures.jsonl", dir);
}

static void teardown(void)
{
    test_rmtree(dir);
    free(dir);
}

/* The DESIGN.md example; seq goes into latency_ms so that order can be checked. */
static struct authlog_record example(long seq)
{
    return (struct authlog_record){
        .time = 1795832235.123, /* 2026-11-28T02:17:15.123Z */
        .org = "eastside",
        .org_id = "org_def456",
        .key = "production",
        .key_hint = HINT,
        .method = "GET",
        .path = "/v1/marketplace/me",
        .http_status = 401,
        .cls = "unauthorized",
        .auth = true,
        .code = "unauthorized",
        .message = "Invalid or missing API key",
        .trace_id = TRACE,
        .required_scope = NULL,
        .latency_ms = seq,
    };
}

static void open_log(struct authlog *log)
{
    char err[512];
    ck_assert_msg(authlog_open(log, log_path, err, sizeof err), "%s", err);
}

static void append(struct authlog *log, long seq)
{
    char err[512];
    struct authlog_record r = example(seq);
    ck_assert_msg(authlog_append(log, &r, err, sizeof err), "%s", err);
}

struct readback {
    struct authlog_record *v;
    size_t n, skipped;
    long skipped_line;
};

static void read_log(size_t max, struct readback *rb)
{
    char err[512];
    ck_assert_msg(authlog_read(log_path, max, &rb->v, &rb->n, &rb->skipped, &rb->skipped_line,
                               err, sizeof err),
                  "%s", err);
    ck_assert_ptr_nonnull(rb->v);
}

static void assert_seqs(const struct readback *rb, long first, size_t n)
{
    ck_assert_uint_eq(rb->n, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(rb->v[i].latency_ms == first + (long)i, "record %zu is %ld, not %ld", i,
                      rb->v[i].latency_ms, first + (long)i);
}

/* Appends raw text to the log file, as a crash or a hand edit would leave it. */
static void add_raw(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0600);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* --- format ---------------------------------------------------------------------------- */

START_TEST(format_has_every_field_on_one_line)
{
    struct authlog_record r = example(63);
    r.message = "line one\nline two \"quoted\"";
    char *line = authlog_format(&r);
    size_t len = strlen(line);
    ck_assert_uint_gt(len, 2);
    ck_assert_int_eq(line[len - 1], '\n');
    ck_assert_ptr_eq(strchr(line, '\n'), line + len - 1); /* the message's newline is escaped */

    json_error_t jerr;
    json_t *o = json_loads(line, 0, &jerr);
    ck_assert_msg(json_is_object(o), "not JSON: %s", jerr.text);
    ck_assert_str_eq(json_string_value(json_object_get(o, "time")), "2026-11-28T02:17:15.123Z");
    ck_assert_str_eq(json_string_value(json_object_get(o, "org")), "eastside");
    ck_assert_str_eq(json_string_value(json_object_get(o, "org_id")), "org_def456");
    ck_assert_str_eq(json_string_value(json_object_get(o, "key")), "production");
    ck_assert_str_eq(json_string_value(json_object_get(o, "key_hint")), HINT);
    ck_assert_str_eq(json_string_value(json_object_get(o, "method")), "GET");
    ck_assert_str_eq(json_string_value(json_object_get(o, "path")), "/v1/marketplace/me");
    ck_assert_int_eq(json_integer_value(json_object_get(o, "http_status")), 401);
    ck_assert_str_eq(json_string_value(json_object_get(o, "code")), "unauthorized");
    ck_assert_str_eq(json_string_value(json_object_get(o, "message")),
                     "line one\nline two \"quoted\"");
    ck_assert_str_eq(json_string_value(json_object_get(o, "trace_id")), TRACE);
    ck_assert(json_is_null(json_object_get(o, "required_scope")));
    ck_assert_int_eq(json_integer_value(json_object_get(o, "latency_ms")), 63);
    ck_assert_str_eq(json_string_value(json_object_get(o, "class")), "unauthorized");
    ck_assert(json_is_true(json_object_get(o, "auth")));
    json_decref(o);

    /* In the order DESIGN.md shows them. */
    static const char *const order[] = {"\"time\":", "\"org\":", "\"org_id\":", "\"key\":",
                                        "\"key_hint\":", "\"method\":", "\"path\":",
                                        "\"http_status\":", "\"code\":", "\"message\":",
                                        "\"trace_id\":", "\"required_scope\":null",
                                        "\"latency_ms\":63"};
    ck_assert(strncmp(line, "{\"time\":", 8) == 0);
    const char *at = line;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        const char *next = strstr(at, order[i]);
        ck_assert_msg(next, "%s missing or out of order", order[i]);
        at = next;
    }
    free(line);
}
END_TEST

START_TEST(format_nulls_and_bad_text)
{
    struct authlog_record r = {.time = 0, .http_status = 0, .cls = "timeout",
                               .message = "bad \xC3 byte", .required_scope = "patients:read"};
    char *line = authlog_format(&r);
    json_t *o = json_loads(line, 0, NULL);
    ck_assert(json_is_object(o));
    ck_assert_str_eq(json_string_value(json_object_get(o, "time")), "1970-01-01T00:00:00.000Z");
    ck_assert(json_is_null(json_object_get(o, "http_status")));
    ck_assert(json_is_null(json_object_get(o, "org")));
    ck_assert(json_is_null(json_object_get(o, "trace_id")));
    ck_assert_str_eq(json_string_value(json_object_get(o, "required_scope")), "patients:read");
    ck_assert(json_is_false(json_object_get(o, "auth")));
    /* Invalid UTF-8 is kept as a (cleaned) message, not silently dropped from the record. */
    const char *msg = json_string_value(json_object_get(o, "message"));
    ck_assert_ptr_nonnull(msg);
    ck_assert(strncmp(msg, "bad ", 4) == 0 && strstr(msg, "byte"));
    json_decref(o);
    free(line);
}
END_TEST

/* --- time text ------------------------------------------------------------------------- */

START_TEST(time_text_round_trips)
{
    char buf[32], text[32];
    /* Every millisecond: truncating the double's fraction turns some .xyz into .xy(z-1). */
    for (int ms = 0; ms < 1000; ms++) {
        snprintf(text, sizeof text, "2026-11-28T02:17:15.%03dZ", ms);
        double t;
        ck_assert_msg(authlog_parse_time(text, &t), "%s", text);
        authlog_time_text(t, buf);
        ck_assert_str_eq(buf, text);
    }
    double t;
    ck_assert(authlog_parse_time("2026-11-28T02:17:15.123Z", &t));
    ck_assert(t > 1795832235.122 && t < 1795832235.124);
    authlog_time_text(1795832235.9996, buf); /* rounds into the next second */
    ck_assert_str_eq(buf, "2026-11-28T02:17:16.000Z");
    ck_assert(authlog_parse_time("2026-11-28T02:17:15Z", &t));
    ck_assert(t == 1795832235.0);
    ck_assert(authlog_parse_time("2024-02-29T00:00:00.123456Z", &t));
    authlog_time_text(t, buf);
    ck_assert_str_eq(buf, "2024-02-29T00:00:00.123Z");
    authlog_time_text(-5, buf);
    ck_assert_str_eq(buf, "1970-01-01T00:00:00.000Z");
    authlog_time_text(1e300, buf);
    ck_assert_str_eq(buf, "9999-12-31T23:59:59.999Z");

    static const char *const bad[] = {
        "", "2026-11-28", "2026-11-28T02:17:15", "2026-11-28T02:17:15.123",
        "2026-11-28 02:17:15Z", " 2026-11-28T02:17:15Z", "2026-11-28T02:17:15.Z",
        "2026-11-28T02:17:15.123Z ", "2026-11-28T02:17:15+01:00", "+026-11-28T02:17:15Z",
        "2026-1-28T02:17:15Z", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
        "2025-02-29T00:00:00Z", "2026-11-28T24:00:00Z", "2026-11-28T02:60:00Z",
        "1969-12-31T23:59:59Z",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(!authlog_parse_time(bad[i], &t), "accepted '%s'", bad[i]);
    ck_assert(!authlog_parse_time(NULL, &t));
}
END_TEST

/* --- files ----------------------------------------------------------------------------- */

START_TEST(creates_directory_0700_and_file_0600)
{
    mode_t old = umask(0); /* so that the modes seen are the ones maxdash asked for */
    struct authlog log;
    open_log(&log);
    umask(old);
    char state[4200], parent[4200];
    snprintf(state, sizeof state, "%s/state", dir);
    snprintf(parent, sizeof parent, "%s/state/maxdash", dir);
    struct stat st;
    ck_assert_int_eq(stat(state, &st), 0);
    ck_assert(S_ISDIR(st.st_mode));
    ck_assert_uint_eq(st.st_mode & 07777, 0700);
    ck_assert_int_eq(stat(parent, &st), 0);
    ck_assert_uint_eq(st.st_mode & 07777, 0700);
    ck_assert_int_eq(stat(log_path, &st), 0);
    ck_assert(S_ISREG(st.st_mode));
    ck_assert_uint_eq(st.st_mode & 07777, 0600);
    ck_assert_int_eq(st.st_size, 0);
    authlog_close(&log);
    ck_assert_int_eq(log.fd, -1);
    authlog_close(&log); /* twice is harmless */
}
END_TEST

START_TEST(refuses_symlink_and_other_files)
{
    char target[4200], state[4200];
    snprintf(state, sizeof state, "%s/state", dir);
    ck_assert_int_eq(mkdir(state, 0700), 0);
    snprintf(log_path, sizeof log_path, "%s/state/log.jsonl", dir);
    snprintf(target, sizeof target, "%s/elsewhere", dir);
    ck_assert(test_write_file(target, "precious\n", 0600));
    ck_assert_int_eq(symlink(target, log_path), 0);

    struct authlog log;
    char err[512];
    ck_assert(!authlog_open(&log, log_path, err, sizeof err));
    ck_assert_msg(strstr(err, "symbolic link"), "%s", err);
    ck_assert_int_eq(log.fd, -1);
    struct authlog_record r = example(1);
    ck_assert(!authlog_append(&log, &r, err, sizeof err));
    authlog_close(&log);
    ck_assert_int_eq(file_size(target), 9); /* untouched */

    /* A FIFO is refused at once rather than hanging the open (Check's timeout would fail). */
    ck_assert_int_eq(unlink(log_path), 0);
    ck_assert_int_eq(mkfifo(log_path, 0600), 0);
    ck_assert(!authlog_open(&log, log_path, err, sizeof err));
    authlog_close(&log);

    /* Reading refuses a directory where the log should be. */
    ck_assert_int_eq(unlink(log_path), 0);
    ck_assert_int_eq(mkdir(log_path, 0700), 0);
    struct authlog_record *v;
    size_t n, skipped;
    long line;
    ck_assert(!authlog_read(log_path, 10, &v, &n, &skipped, &line, err, sizeof err));
    ck_assert_msg(strstr(err, "not a regular file"), "%s", err);
}
END_TEST

START_TEST(append_and_read_back)
{
    struct authlog log;
    open_log(&log);
    for (long i = 0; i < 3; i++)
        append(&log, i);
    authlog_close(&log);

    struct readback rb;
    read_log(10, &rb);
    assert_seqs(&rb, 0, 3);
    ck_assert_uint_eq(rb.skipped, 0);
    const struct authlog_record *r = &rb.v[2];
    ck_assert(r->time > 1795832235.122 && r->time < 1795832235.124);
    ck_assert_str_eq(r->org, "eastside");
    ck_assert_str_eq(r->org_id, "org_def456");
    ck_assert_str_eq(r->key, "production");
    ck_assert_str_eq(r->key_hint, HINT);
    ck_assert_str_eq(r->method, "GET");
    ck_assert_str_eq(r->path, "/v1/marketplace/me");
    ck_assert_int_eq(r->http_status, 401);
    ck_assert_str_eq(r->cls, "unauthorized");
    ck_assert(r->auth);
    ck_assert_str_eq(r->code, "unauthorized");
    ck_assert_str_eq(r->message, "Invalid or missing API key");
    ck_assert_str_eq(r->trace_id, TRACE);
    ck_assert_ptr_null(r->required_scope);

    /* The record read back formats to the very line that was written. */
    struct authlog_record w = example(2);
    char *written = authlog_format(&w), *again = authlog_format(r);
    ck_assert_str_eq(again, written);
    free(written);
    free(again);
    authlog_records_free(rb.v, rb.n);

    /* Reopening appends after what is there. */
    open_log(&log);
    ck_assert_int_eq(log.size, file_size(log_path));
    append(&log, 3);
    authlog_close(&log);
    read_log(SIZE_MAX, &rb);
    assert_seqs(&rb, 0, 4);
    authlog_records_free(rb.v, rb.n);
}
END_TEST

START_TEST(reads_the_last_n)
{
    struct authlog log;
    open_log(&log);
    for (long i = 0; i < 100; i++)
        append(&log, i);
    authlog_close(&log);
    struct readback rb;
    read_log(3, &rb);
    assert_seqs(&rb, 97, 3);
    authlog_records_free(rb.v, rb.n);
    read_log(99, &rb);
    assert_seqs(&rb, 1, 99);
    authlog_records_free(rb.v, rb.n);
    read_log(SIZE_MAX, &rb);
    assert_seqs(&rb, 0, 100);
    authlog_records_free(rb.v, rb.n);
    read_log(0, &rb);
    ck_assert_uint_eq(rb.n, 0);
    authlog_records_free(rb.v, rb.n);
}
END_TEST

START_TEST(rotation_keeps_one_old_file)
{
    struct authlog log;
    open_log(&log);
    struct authlog_record r = example(0);
    char *line = authlog_format(&r);
    long len = (long)strlen(line);
    free(line);
    log.rotate_at = 3 * len; /* three records per file */
    for (long i = 0; i < 10; i++)
        append(&log, i);
    authlog_close(&log);

    char older[4200], oldest[4200];
    snprintf(older, sizeof older, "%s.1", log_path);
    snprintf(oldest, sizeof oldest, "%s.2", log_path);
    ck_assert_int_eq(file_size(log_path), len);     /* record 9 */
    ck_assert_int_eq(file_size(older), 3 * len);    /* records 6..8 */
    ck_assert_int_eq(file_size(oldest), -1);
    struct stat st;
    ck_assert_int_eq(stat(log_path, &st), 0);
    ck_assert_uint_eq(st.st_mode & 077, 0);

    struct readback rb;
    read_log(SIZE_MAX, &rb);
    assert_seqs(&rb, 6, 4);
    authlog_records_free(rb.v, rb.n);
    read_log(2, &rb); /* one from .1, one from the current file */
    assert_seqs(&rb, 8, 2);
    authlog_records_free(rb.v, rb.n);
}
END_TEST

/* Two maxdash processes on one log: when one has rotated, the other must not rotate again on
 * its stale size and replace the fresh FILE.1 with a nearly empty file. */
/* Two writers decide from the file's real size (issue 12), not from what each wrote: the
 * rotation happens when the shared file is full, whoever writes, and no record is lost to a
 * second rotation of a nearly empty file. */
START_TEST(second_writer_does_not_rotate_again)
{
    struct authlog a, b;
    open_log(&a);
    open_log(&b);
    struct authlog_record r = example(0);
    char *line = authlog_format(&r);
    long len = (long)strlen(line);
    free(line);
    a.rotate_at = b.rotate_at = 7 * len / 2; /* three records per file */
    for (long seq = 0; seq < 7; seq++)
        append(seq % 2 ? &b : &a, seq);
    /* b's fourth record (3) rotated 0..2 away; a's (6) rotated 3..5. */
    authlog_close(&a);
    authlog_close(&b);
    char old[4200];
    snprintf(old, sizeof old, "%s.1", log_path);
    ck_assert_int_eq(file_size(old), 3 * len);
    ck_assert_int_eq(file_size(log_path), len);
    struct readback rb;
    read_log(SIZE_MAX, &rb);
    assert_seqs(&rb, 3, 4);
    authlog_records_free(rb.v, rb.n);
}
END_TEST

/* --- damaged files --------------------------------------------------------------------- */

START_TEST(torn_last_line_is_skipped_and_the_next_append_survives)
{
    struct authlog log;
    open_log(&log);
    append(&log, 0);
    append(&log, 1);
    authlog_close(&log);
    add_raw(log_path, "{\"time\":\"2026-11-28T02:17:15.123Z\",\"org\":\"eas");

    struct readback rb;
    read_log(SIZE_MAX, &rb);
    assert_seqs(&rb, 0, 2);
    ck_assert_uint_eq(rb.skipped, 1);
    ck_assert_int_eq(rb.skipped_line, 3);
    authlog_records_free(rb.v, rb.n);

    /* The next run appends on a fresh line: the torn one must not swallow its record. */
    open_log(&log);
    ck_assert(log.torn_tail);
    append(&log, 2);
    ck_assert(!log.torn_tail);
    append(&log, 3);
    authlog_close(&log);
    read_log(SIZE_MAX, &rb);
    ck_assert_uint_eq(rb.n, 4);
    ck_assert_int_eq(rb.v[2].latency_ms, 2);
    ck_assert_int_eq(rb.v[3].latency_ms, 3);
    ck_assert_uint_eq(rb.skipped, 1);
    ck_assert_int_eq(rb.skipped_line, 3);
    authlog_records_free(rb.v, rb.n);
}
END_TEST

START_TEST(whole_record_without_newline_is_kept)
{
    struct authlog log;
    open_log(&log);
    append(&log, 0);
    authlog_close(&log);
    add_raw(log_path, "{\"time\":\"2026-11-28T02:17:16Z\",\"latency_ms\":1}");
    struct readback rb;
    read_log(SIZE_MAX, &rb);
    assert_seqs(&rb, 0, 2);
    ck_assert_uint_eq(rb.skipped, 0);
    authlog_records_free(rb.v, rb.n);
}
END_TEST

START_TEST(garbage_lines_are_skipped)
{
    struct authlog log;
    open_log(&log);
    append(&log, 0);
    authlog_close(&log);
    add_raw(log_path, "this is not json\n"                                    /* line 2 */
                      "\n   \n"                                               /* 3, 4: blank */
                      "{\"org\":\"no time\"}\n"                               /* 5 */
                      "[1,2,3]\n"                                             /* 6 */
                      "{\"time\":5}\n"                                        /* 7 */
                      "{\"time\":\"2026-11-28T02:17:15Z\",\"org\":5,\"http_status\":\"401\","
                      "\"latency_ms\":-3,\"trace_id\":[1],\"auth\":true}\n"  /* 8: kept */
                      "{\"time\":\"2026-11-28T02:17:15Z\",\"http_status\":99999999999}\n");
    open_log(&log);
    ck_assert(!log.torn_tail);
    append(&log, 10);
    authlog_close(&log);

    struct readback rb;
    read_log(SIZE_MAX, &rb);
    ck_assert_uint_eq(rb.n, 4);
    ck_assert_int_eq(rb.v[0].latency_ms, 0);
    ck_assert_ptr_null(rb.v[1].org);      /* wrong types become absent */
    ck_assert_int_eq(rb.v[1].http_status, 0);
    ck_assert_int_eq(rb.v[1].latency_ms, 0);
    ck_assert_ptr_null(rb.v[1].trace_id);
    ck_assert(rb.v[1].auth);
    ck_assert_int_eq(rb.v[2].http_status, 0); /* not an HTTP status */
    ck_assert_int_eq(rb.v[3].latency_ms, 10);
    ck_assert_uint_eq(rb.skipped, 4);
    ck_assert_int_eq(rb.skipped_line, 7);
    authlog_records_free(rb.v, rb.n);
}
END_TEST

START_TEST(missing_file_is_empty)
{
    struct readback rb;
    read_log(10, &rb);
    ck_assert_uint_eq(rb.n, 0);
    ck_assert_uint_eq(rb.skipped, 0);
    authlog_records_free(rb.v, rb.n);

    /* Only the rotated file left: it is read. */
    struct authlog log;
    open_log(&log);
    append(&log, 7);
    authlog_close(&log);
    char older[4200];
    snprintf(older, sizeof older, "%s.1", log_path);
    ck_assert_int_eq(rename(log_path, older), 0);
    read_log(10, &rb);
    assert_seqs(&rb, 7, 1);
    authlog_records_free(rb.v, rb.n);
}
END_TEST

/* --- write errors ---------------------------------------------------------------------- */

START_TEST(append_to_a_closed_log_fails_with_a_message)
{
    struct authlog log;
    open_log(&log);
    authlog_close(&log);
    char err[512] = "";
    struct authlog_record r = example(0);
    ck_assert(!authlog_append(&log, &r, err, sizeof err));
    ck_assert_msg(strstr(err, "not open"), "%s", err);

    /* A directory that cannot be created is a message too. */
    char blocker[4200];
    snprintf(blocker, sizeof blocker, "%s/blocker", dir);
    ck_assert(test_write_file(blocker, "", 0600));
    snprintf(log_path, sizeof log_path, "%s/blocker/maxdash/log.jsonl", dir);
    ck_assert(!authlog_open(&log, log_path, err, sizeof err));
    ck_assert_msg(strstr(err, "cannot create directory"), "%s", err);
    authlog_close(&log);
}
END_TEST

/* A full disk, as far as one process can make one: a file size limit cuts the write short.
 * The append reports it; the next one, with room again, starts on a fresh line. */
START_TEST(short_write_is_reported_not_fatal)
{
    struct authlog log;
    open_log(&log);
    append(&log, 0);
    struct rlimit old, lim;
    ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, SIG_IGN);
    lim = old;
    lim.rlim_cur = (rlim_t)log.size + 20;
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
    char err[512] = "";
    struct authlog_record r = example(1);
    bool ok = authlog_append(&log, &r, err, sizeof err);
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &old), 0);
    ck_assert(!ok);
    ck_assert_msg(strstr(err, "cannot write to the log"), "%s", err);
    ck_assert(log.torn_tail);
    append(&log, 2);
    authlog_close(&log);

    struct readback rb;
    read_log(SIZE_MAX, &rb);
    ck_assert_uint_eq(rb.n, 2);
    ck_assert_int_eq(rb.v[0].latency_ms, 0);
    ck_assert_int_eq(rb.v[1].latency_ms, 2);
    ck_assert_uint_eq(rb.skipped, 1);
    ck_assert_int_eq(rb.skipped_line, 2);
    authlog_records_free(rb.v, rb.n);
}
END_TEST

/* --- issue 12: the file changes under the writer ---------------------------------------- */

/* The whole file as a string (NULL: none); *len its size. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(1 << 20);
    ck_assert_ptr_nonnull(buf);
    *len = fread(buf, 1, (1 << 20) - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

/* rm and mv of the log: the next append makes a new file at the path (0600), and the moved
 * file keeps what it held. */
START_TEST(removed_or_moved_log_is_created_again)
{
    mode_t old_umask = umask(0);
    struct authlog log;
    open_log(&log);
    append(&log, 0);
    ck_assert_int_eq(unlink(log_path), 0);
    append(&log, 1);
    struct stat st;
    ck_assert_int_eq(stat(log_path, &st), 0);
    ck_assert_int_eq(st.st_mode & 07777, 0600);
    char moved[4200];
    snprintf(moved, sizeof moved, "%.4000s.moved", log_path);
    ck_assert_int_eq(rename(log_path, moved), 0);
    append(&log, 2);
    authlog_close(&log);
    umask(old_umask);
    struct readback rb;
    read_log(SIZE_MAX, &rb);
    assert_seqs(&rb, 2, 1);
    authlog_records_free(rb.v, rb.n);
    snprintf(log_path, sizeof log_path, "%.4000s", moved);
    read_log(SIZE_MAX, &rb);
    assert_seqs(&rb, 1, 1);
    authlog_records_free(rb.v, rb.n);
}
END_TEST

/* logrotate's copytruncate: the file is cut to 0 under the writer; the next record lands at
 * offset 0 (O_APPEND), not at the old offset after a hole of NULs. */
START_TEST(copytruncate_leaves_no_hole)
{
    struct authlog log;
    open_log(&log);
    for (long i = 0; i < 3; i++)
        append(&log, i);
    ck_assert_int_eq(truncate(log_path, 0), 0);
    append(&log, 3);
    authlog_close(&log);
    size_t len;
    char *text = slurp(log_path, &len);
    ck_assert_ptr_nonnull(text);
    ck_assert_uint_eq(strlen(text), len); /* no NUL */
    ck_assert(strncmp(text, "{\"time\":", 8) == 0);
    free(text);
    struct readback rb;
    read_log(SIZE_MAX, &rb);
    assert_seqs(&rb, 3, 1);
    authlog_records_free(rb.v, rb.n);
}
END_TEST

/* copytruncate's window: the copy (FILE.1) was taken before record 2 was appended and the
 * truncation came after it. The next append puts record 2 back before record 3; an emptied
 * file without a copy (a user's `: > FILE`) gets nothing back. */
START_TEST(copytruncate_window_is_repaired)
{
    struct authlog log;
    open_log(&log);
    for (long i = 0; i < 3; i++)
        append(&log, i);
    size_t len;
    char *text = slurp(log_path, &len);
    char *third = strchr(strchr(text, '\n') + 1, '\n') + 1; /* record 2 starts here */
    char old[4200];
    snprintf(old, sizeof old, "%.4000s.1", log_path);
    FILE *f = fopen(old, "w");
    ck_assert_ptr_nonnull(f);
    fwrite(text, 1, (size_t)(third - text), f);
    fclose(f);
    free(text);
    ck_assert_int_eq(truncate(log_path, 0), 0);
    append(&log, 3);
    ck_assert_int_eq(log.repaired, 1);
    struct readback rb;
    read_log(SIZE_MAX, &rb);
    assert_seqs(&rb, 0, 4);
    authlog_records_free(rb.v, rb.n);

    /* Emptied on purpose, no copy: nothing comes back. */
    ck_assert_int_eq(unlink(old), 0);
    ck_assert_int_eq(truncate(log_path, 0), 0);
    append(&log, 4);
    ck_assert_int_eq(log.repaired, 1);
    authlog_close(&log);
    read_log(SIZE_MAX, &rb);
    assert_seqs(&rb, 4, 1);
    authlog_records_free(rb.v, rb.n);
}
END_TEST

/* A log that cannot be opened is tried again at each append; the problem and the count of
 * records not written stay until a good write clears them. */
START_TEST(unopenable_log_recovers_and_counts)
{
    char blocker[4200];
    snprintf(blocker, sizeof blocker, "%s/blocker", dir);
    ck_assert(test_write_file(blocker, "", 0600));
    snprintf(log_path, sizeof log_path, "%s/blocker/log.jsonl", dir);
    struct authlog log;
    char err[512], problem[600];
    ck_assert(!authlog_open(&log, log_path, err, sizeof err));
    struct authlog_record r = example(0);
    ck_assert(!authlog_append(&log, &r, err, sizeof err));
    ck_assert(!authlog_append(&log, &r, err, sizeof err));
    authlog_problem(&log, problem, sizeof problem);
    ck_assert_msg(strstr(problem, "(2 records not written)"), "%s", problem);
    ck_assert_int_eq(unlink(blocker), 0);
    append(&log, 1);
    authlog_problem(&log, problem, sizeof problem);
    ck_assert_str_eq(problem, "");
    ck_assert_int_eq(log.unwritten, 0);
    authlog_close(&log);
    struct readback rb;
    read_log(SIZE_MAX, &rb);
    assert_seqs(&rb, 1, 1);
    authlog_records_free(rb.v, rb.n);
}
END_TEST

/* A file-size limit: SIGXFSZ does not kill (authlog_open ignores it), the write fails with
 * "File too large", counted, and cleared by the next good append. */
START_TEST(file_too_large_is_a_counted_write_error)
{
    signal(SIGXFSZ, SIG_DFL);
    struct authlog log;
    open_log(&log);
    append(&log, 0);
    struct rlimit old, lim;
    ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
    lim = old;
    lim.rlim_cur = (rlim_t)log.size;
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
    char err[512] = "", problem[600];
    struct authlog_record r = example(1);
    bool ok = authlog_append(&log, &r, err, sizeof err);
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &old), 0);
    ck_assert(!ok);
    authlog_problem(&log, problem, sizeof problem);
    ck_assert_str_eq(problem, "File too large (1 record not written)");
    append(&log, 2);
    ck_assert_int_eq(log.unwritten, 0);
    ck_assert_str_eq(log.reason, "");
    authlog_close(&log);
}
END_TEST

START_TEST(cut_marks_long_text)
{
    char *s = authlog_cut("short", 256);
    ck_assert_str_eq(s, "short");
    ck_assert(!authlog_is_cut(s));
    free(s);
    ck_assert_ptr_null(authlog_cut(NULL, 5));
    /* "aé" cut at 2 bytes: the é (2 bytes) would be halved, so only "a" stays. */
    s = authlog_cut("a\xC3\xA9xyz", 2);
    ck_assert_str_eq(s, "a" AUTHLOG_CUT_MARK);
    ck_assert(authlog_is_cut(s));
    free(s);
    char big[5000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    s = authlog_cut(big, AUTHLOG_ID_MAX);
    ck_assert_uint_eq(strlen(s), AUTHLOG_ID_MAX + strlen(AUTHLOG_CUT_MARK));
    free(s);
}
END_TEST

/* The last n from the end of the files give what reading everything gives, across the
 * rotation, and a torn line in the tail is named by its line number. */
START_TEST(tail_read_matches_whole_read)
{
    struct authlog log;
    open_log(&log);
    struct authlog_record r = example(0);
    char *line = authlog_format(&r);
    long len = (long)strlen(line);
    free(line);
    log.rotate_at = 2000 * len + 10;
    for (long i = 0; i < 3000; i++)
        append(&log, i); /* about 2000 in .1, the rest in the file */
    authlog_close(&log);
    size_t wants[] = {1, 10, 999, 1000, 1001, 2500, 3000, 5000};
    for (size_t k = 0; k < sizeof wants / sizeof wants[0]; k++) {
        struct readback rb;
        read_log(wants[k], &rb);
        size_t n = wants[k] < 3000 ? wants[k] : 3000;
        assert_seqs(&rb, 3000 - (long)n, n);
        authlog_records_free(rb.v, rb.n);
    }
    size_t size;
    char *text = slurp(log_path, &size);
    long lines = 0;
    for (size_t i = 0; i < size; i++)
        lines += text[i] == '\n';
    free(text);
    ck_assert_int_gt(lines, 100);
    add_raw(log_path, "{\"time\":\"2026-11-28T02:17:15.123Z\",\"or");
    struct readback rb;
    read_log(10, &rb);
    assert_seqs(&rb, 2990, 10);
    ck_assert_uint_eq(rb.skipped, 1);
    ck_assert_int_eq(rb.skipped_line, lines + 1);
    authlog_records_free(rb.v, rb.n);
}
END_TEST

/* The mode check: an existing log readable by others is made 0600 (ours) with a warning; a
 * symlink at FILE.1 is reported and not read. */
START_TEST(mode_fixed_and_rotation_symlink_reported)
{
    struct authlog log;
    open_log(&log);
    append(&log, 0);
    authlog_close(&log);
    ck_assert_int_eq(chmod(log_path, 0644), 0);
    char warn[600];
    ck_assert(authlog_check_files(log_path, warn, sizeof warn));
    ck_assert_msg(strstr(warn, "readable by others"), "%s", warn);
    open_log(&log);
    ck_assert_msg(strstr(log.warning, "made 0600"), "%s", log.warning);
    struct stat st;
    ck_assert_int_eq(stat(log_path, &st), 0);
    ck_assert_int_eq(st.st_mode & 07777, 0600);
    authlog_close(&log);

    char target[3000], old[4200];
    snprintf(target, sizeof target, "%.2900s/elsewhere.jsonl", dir);
    snprintf(old, sizeof old, "%s.1", log_path);
    struct authlog other;
    snprintf(log_path, sizeof log_path, "%s", target);
    open_log(&other);
    append(&other, 7);
    authlog_close(&other);
    snprintf(log_path, sizeof log_path, "%s/state/maxdash/auth-failures.jsonl", dir);
    ck_assert_int_eq(symlink(target, old), 0);
    ck_assert(authlog_check_files(log_path, warn, sizeof warn));
    ck_assert_msg(strstr(warn, "symbolic link"), "%s", warn);
    struct readback rb;
    read_log(SIZE_MAX, &rb);
    assert_seqs(&rb, 0, 1); /* not 7 */
    authlog_records_free(rb.v, rb.n);
    read_log(10, &rb);
    assert_seqs(&rb, 0, 1);
    authlog_records_free(rb.v, rb.n);
}
END_TEST

SUITE(authlog)
{
    Suite *s = suite_create("authlog");
    TCase *tc = tcase_create("authlog");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, format_has_every_field_on_one_line);
    tcase_add_test(tc, format_nulls_and_bad_text);
    tcase_add_test(tc, time_text_round_trips);
    tcase_add_test(tc, creates_directory_0700_and_file_0600);
    tcase_add_test(tc, refuses_symlink_and_other_files);
    tcase_add_test(tc, append_and_read_back);
    tcase_add_test(tc, reads_the_last_n);
    tcase_add_test(tc, rotation_keeps_one_old_file);
    tcase_add_test(tc, second_writer_does_not_rotate_again);
    tcase_add_test(tc, torn_last_line_is_skipped_and_the_next_append_survives);
    tcase_add_test(tc, whole_record_without_newline_is_kept);
    tcase_add_test(tc, removed_or_moved_log_is_created_again);
    tcase_add_test(tc, copytruncate_leaves_no_hole);
    tcase_add_test(tc, copytruncate_window_is_repaired);
    tcase_add_test(tc, unopenable_log_recovers_and_counts);
    tcase_add_test(tc, file_too_large_is_a_counted_write_error);
    tcase_add_test(tc, cut_marks_long_text);
    tcase_add_test(tc, tail_read_matches_whole_read);
    tcase_add_test(tc, mode_fixed_and_rotation_symlink_reported);
    tcase_add_test(tc, garbage_lines_are_skipped);
    tcase_add_test(tc, missing_file_is_empty);
    tcase_add_test(tc, append_to_a_closed_log_fails_with_a_message);
    tcase_add_test(tc, short_write_is_reported_not_fatal);
    suite_add_tcase(s, tc);
    return s;
}
