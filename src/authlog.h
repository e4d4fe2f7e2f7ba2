/* The auth-failure log: one JSON object per line, appended with a single write() before a
 * failure is shown, so nothing on screen is missing from the file after a crash. */
#ifndef MAXDASH_AUTHLOG_H
#define MAXDASH_AUTHLOG_H

#include <stdbool.h>
#include <stddef.h>

/* Rotation threshold: the file moves to FILE.1 (replacing it) past this size; the environment
 * variable MAXDASH_LOG_ROTATE_BYTES (4096 up to this) lowers it, for tests. */
#define AUTHLOG_ROTATE_BYTES (10L * 1024 * 1024)

/* Bounds on what a server can make maxdash keep (issue 12): a longer trace_id, code or
 * required_scope is stored cut to AUTHLOG_ID_MAX bytes, a longer message to AUTHLOG_TEXT_MAX
 * bytes, each followed by AUTHLOG_CUT_MARK (see authlog_cut). */
#define AUTHLOG_ID_MAX 256
#define AUTHLOG_TEXT_MAX 1024
#define AUTHLOG_CUT_MARK "\xE2\x80\xA6[cut]"

/* Lines a process remembers of its own, to append again those a copytruncate lost. */
#define AUTHLOG_RECENT 32

struct authlog_record {
    double time;        /* wall-clock seconds */
    char *org, *org_id, *key, *key_hint;
    char *method, *path;
    int http_status;    /* 0: no HTTP answer */
    char *cls;          /* api_class_name */
    bool auth;          /* a 401/403; false for the other failures */
    char *code, *message, *trace_id, *required_scope; /* NULL when absent */
    long latency_ms;
    unsigned key_warnings; /* the key's CONFIG_KEYWARN_* bits when it failed ("Bearer ", quotes,
                              a staging key on production...): what `log --explain` needs of
                              the key, which it never reads (issue 15 case 6); 0: none */
};

struct authlog {
    int fd;             /* -1 when closed */
    char *path;
    long size;          /* bytes in the current file */
    long rotate_at;
    bool torn_tail;     /* the file does not end in '\n' (a crash, a short write): the next
                           append starts with one, so the torn line does not swallow it */
    long unwritten;     /* records not written since the last good append (or since open) */
    char reason[128];   /* why the last open or append failed, short ("No space left on
                           device"); empty when the log works */
    char warning[512];  /* a problem found with the file that is not an error (its mode, a
                           symlink at FILE.1); empty when none; set by open and reopen */
    long end;           /* the file's size after this process's last append; -1: unknown */
    char *recent[AUTHLOG_RECENT];  /* the last lines this process appended to this file,
                                      oldest first (owned), for copytruncate's window */
    size_t nrecent;
    long repaired;      /* lines appended again after a copytruncate (see authlog_append) */
};

/* Opens (creating directory 0700 and file 0600; never following a symlink at the file)
 * path for appending. An existing file readable by group or others is made 0600 when it is
 * ours, else left and named in log->warning (like the config's mode check). On failure
 * returns false with the reason in err and log->reason; the log keeps its path, and every
 * append tries to open it again (authlog_close on it is harmless). Also ignores SIGXFSZ for the
 * process, so that a file-size limit is a write error (EFBIG), not a crash. */
bool authlog_open(struct authlog *log, const char *path, char *err, size_t errsize);
void authlog_close(struct authlog *log);

/* Appends one record as one line with one write() on an O_APPEND descriptor. Under an
 * exclusive flock() on the file: first, when the path no longer names the file held (rm, mv,
 * logrotate's create mode, another maxdash's rotation) the path is opened again (created 0600);
 * then, when the file's real size (fstat) plus the line passes rotate_at, it moves to FILE.1.
 * So any number of processes may share one log, and logrotate's copytruncate leaves no hole.
 * A copytruncate loses what was appended between its copy and its truncation: when the file
 * is found shorter than this process left it and FILE.1 (the copy) exists, this process's
 * recent lines (AUTHLOG_RECENT) that are in neither file are appended again first.
 * Returns false (reason in err, log->reason; log->unwritten counts the lost records) on an
 * open or write error such as a full disk; the caller reports it and carries on. A good append
 * clears reason and unwritten. */
bool authlog_append(struct authlog *log, const struct authlog_record *r, char *err,
                    size_t errsize);

/* The log's trouble as one line for the screen or stderr, into buf: "" when the last open or
 * append worked, else "REASON (N records not written)". */
void authlog_problem(const struct authlog *log, char *buf, size_t size);

/* A copy of s cut to at most max bytes (at a UTF-8 character boundary) followed by
 * AUTHLOG_CUT_MARK when longer; NULL for NULL. Caller frees. */
char *authlog_cut(const char *s, size_t max);
/* Whether a stored text was cut by authlog_cut. */
bool authlog_is_cut(const char *s);

/* The record as its JSON line (with '\n'). Caller frees. */
char *authlog_format(const struct authlog_record *r);

/* Reads the last max records (SIZE_MAX: all) of FILE.1 and then FILE (path), oldest first,
 * with a finite max reading the files from their end, so the cost depends on max, not on the
 * size of the log; a FILE.1 that is a symbolic link is not followed (skipped; see
 * authlog_check_files),
 * into *out (never NULL on success; caller frees with authlog_records_free). Lines of FILE
 * that are not records (a line torn by a crash, a hand edit) are skipped and counted in
 * *skipped, the line number of the last one in *skipped_line; blank lines are ignored, and so
 * are damaged lines in FILE.1. A missing file gives 0 records and true; an unreadable one, or
 * one that is not a regular file, false with err. */
bool authlog_read(const char *path, size_t max, struct authlog_record **out, size_t *n,
                  size_t *skipped, long *skipped_line, char *err, size_t errsize);
void authlog_records_free(struct authlog_record *r, size_t n);
/* What is wrong with the log's files that a reader should be told (FILE or FILE.1 readable
 * by others, FILE.1 a symbolic link), into buf; false and "" when nothing. */
bool authlog_check_files(const char *path, char *buf, size_t size);
/* One line of the log (without its '\n') into *r, as authlog_read reads it; false when it is
 * not a record (*r then holds nothing to free). For `log --follow`. */
bool authlog_parse_line(const char *line, size_t len, struct authlog_record *r);
/* Frees the strings of one record (not the record itself). */
void authlog_record_free(struct authlog_record *r);

/* "2026-11-28T02:17:15.123Z" for wall-clock seconds t (buf of 32), rounded to the
 * millisecond so that authlog_parse_time gives back the same text; clamped to years 1970..9999. */
void authlog_time_text(double t, char buf[32]);
/* Parses that format back (any number of fraction digits, or none); false when it is not
 * one or names no real date. */
bool authlog_parse_time(const char *s, double *t);

#endif
