/* The auth-failure log: one JSON object per line, appended with a single write() before a
 * failure is shown, so nothing on screen is missing from the file after a crash. */
#ifndef MAXDASH_AUTHLOG_H
#define MAXDASH_AUTHLOG_H

#include <stdbool.h>
#include <stddef.h>

/* Rotation threshold: the file moves to FILE.1 (replacing it) past this size. */
#define AUTHLOG_ROTATE_BYTES (10L * 1024 * 1024)

struct authlog_record {
    double time;        /* wall-clock seconds */
    char *org, *org_id, *key, *key_hint;
    char *method, *path;
    int http_status;    /* 0: no HTTP answer */
    char *cls;          /* api_class_name */
    bool auth;          /* a 401/403; false for the other failures */
    char *code, *message, *trace_id, *required_scope; /* NULL when absent */
    long latency_ms;
};

struct authlog {
    int fd;             /* -1 when closed */
    char *path;
    long size;          /* bytes in the current file */
    long rotate_at;
    bool torn_tail;     /* the file does not end in '\n' (a crash, a short write): the next
                           append starts with one, so the torn line does not swallow it */
};

/* Opens (creating directory 0700 and file 0600; never following a symlink at the file)
 * path for appending. On failure returns false with the reason in err and the log closed
 * (authlog_close on it is harmless). */
bool authlog_open(struct authlog *log, const char *path, char *err, size_t errsize);
void authlog_close(struct authlog *log);

/* Appends one record as one line with one write(); rotates first when the file has grown past
 * rotate_at. Returns false (reason in err) on a write error such as a full disk; the caller
 * reports it and carries on. */
bool authlog_append(struct authlog *log, const struct authlog_record *r, char *err,
                    size_t errsize);

/* The record as its JSON line (with '\n'). Caller frees. */
char *authlog_format(const struct authlog_record *r);

/* Reads the last max records (SIZE_MAX: all) of FILE.1 and then FILE (path), oldest first,
 * into *out (never NULL on success; caller frees with authlog_records_free). Lines of FILE
 * that are not records (a line torn by a crash, a hand edit) are skipped and counted in
 * *skipped, the line number of the last one in *skipped_line; blank lines are ignored, and so
 * are damaged lines in FILE.1. A missing file gives 0 records and true; an unreadable one, or
 * one that is not a regular file, false with err. */
bool authlog_read(const char *path, size_t max, struct authlog_record **out, size_t *n,
                  size_t *skipped, long *skipped_line, char *err, size_t errsize);
void authlog_records_free(struct authlog_record *r, size_t n);
/* Frees the strings of one record (not the record itself). */
void authlog_record_free(struct authlog_record *r);

/* "2026-11-28T02:17:15.123Z" for wall-clock seconds t (buf of 32), rounded to the
 * millisecond so that authlog_parse_time gives back the same text; clamped to years 1970..9999. */
void authlog_time_text(double t, char buf[32]);
/* Parses that format back (any number of fraction digits, or none); false when it is not
 * one or names no real date. */
bool authlog_parse_time(const char *s, double *t);

#endif
