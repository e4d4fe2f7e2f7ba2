/* The JSONL log of failed requests. Appends are whole lines in one write() on an O_APPEND
 * descriptor, so concurrent maxdash processes and crashes never interleave or lose a line
 * already shown; a crash or a full disk can only tear the line being written, readers skip it,
 * and the next append starts on a fresh line so that nothing after it is lost. */
#include "authlog.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "keymask.h"
#include "text.h"
#include "util.h"

/* 9999-12-31T23:59:59.999Z: the last time the format can hold. */
#define TIME_MAX 253402300799.999

void authlog_time_text(double t, char buf[32])
{
    if (!(t >= 0.0)) /* also NaN */
        t = 0.0;
    if (t > TIME_MAX)
        t = TIME_MAX;
    /* Rounded once, in whole milliseconds: splitting the double into seconds and a truncated
     * fraction would turn the .123 that authlog_parse_time read into .122. */
    long long total = (long long)(t * 1000.0 + 0.5);
    time_t secs = (time_t)(total / 1000);
    int ms = (int)(total % 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char base[24];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, 32, "%s.%03dZ", base, ms);
}

/* Exactly n ASCII digits at s into *out. */
static bool take_digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

bool authlog_parse_time(const char *s, double *t)
{
    /* YYYY-MM-DDTHH:MM:SS, then an optional fraction, then Z; nothing sscanf would let in
     * (signs, blanks, short fields). */
    static const char shape[] = "dddd-dd-ddTdd:dd:dd";
    if (!s || strlen(s) < sizeof shape - 1)
        return false;
    for (size_t i = 0; i < sizeof shape - 1; i++)
        if (shape[i] == 'd' ? s[i] < '0' || s[i] > '9' : s[i] != shape[i])
            return false;
    int year = 0, mon = 0, mday = 0, hour = 0, min = 0, sec = 0;
    take_digits(s, 4, &year);
    take_digits(s + 5, 2, &mon);
    take_digits(s + 8, 2, &mday);
    take_digits(s + 11, 2, &hour);
    take_digits(s + 14, 2, &min);
    take_digits(s + 17, 2, &sec);
    if (year < 1970 || mon < 1 || mon > 12 || mday < 1 || mday > 31 || hour > 23 || min > 59 ||
        sec > 59)
        return false;
    const char *rest = s + sizeof shape - 1;
    int ms = 0;
    if (*rest == '.') {
        int digits = 0;
        for (rest++; *rest >= '0' && *rest <= '9'; rest++, digits++)
            if (digits < 3)
                ms = ms * 10 + (*rest - '0');
        if (digits == 0)
            return false;
        for (; digits < 3; digits++)
            ms *= 10;
    }
    if (strcmp(rest, "Z") != 0)
        return false;
    struct tm tm = {.tm_year = year - 1900, .tm_mon = mon - 1, .tm_mday = mday,
                    .tm_hour = hour, .tm_min = min, .tm_sec = sec};
    time_t secs = timegm(&tm);
    /* timegm normalizes: February 30 comes back as March 2, which is not what was written. */
    struct tm back;
    if (secs == (time_t)-1 || !gmtime_r(&secs, &back) || back.tm_mday != mday ||
        back.tm_mon != mon - 1)
        return false;
    *t = (double)secs + ms / 1000.0;
    return true;
}

/* mkdir -p with mode 0700 for the directories it creates. */
static bool make_parents(const char *path, char *err, size_t errsize)
{
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir) {
        free(dir);
        return true;
    }
    *slash = '\0';
    for (char *p = dir + 1; ; p++) {
        if (*p == '/' || *p == '\0') {
            char saved = *p;
            *p = '\0';
            if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
                bprintf(err, errsize, "cannot create directory %s: %s", dir, strerror(errno));
                free(dir);
                return false;
            }
            *p = saved;
            if (saved == '\0')
                break;
        }
    }
    free(dir);
    return true;
}

/* The mode check of an open log (issue 12, like the config's): a file readable or writable by
 * group or others is made 0600 when it is ours (logrotate's `create 0644` makes such files),
 * else it is named in log->warning. */
static void check_mode(struct authlog *log, const struct stat *st)
{
    if (!(st->st_mode & 077))
        return;
    if (st->st_uid == geteuid() && fchmod(log->fd, 0600) == 0)
        bprintf(log->warning, sizeof log->warning,
                "the log %s was mode %04o (readable by others): made 0600", log->path,
                (unsigned)(st->st_mode & 07777));
    else
        bprintf(log->warning, sizeof log->warning,
                "the log %s is mode %04o (readable by others) and not ours to change", log->path,
                (unsigned)(st->st_mode & 07777));
}

static void set_reason(struct authlog *log, int e)
{
    bprintf(log->reason, sizeof log->reason, "%s", e ? strerror(e) : "short write (disk full?)");
}

static bool open_fd(struct authlog *log, char *err, size_t errsize)
{
    /* O_NONBLOCK so that a FIFO put at the path cannot hang the open (it is refused below; the
     * flag changes nothing for a regular file). Read access only to look at the last byte. */
    int flags = O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK;
    log->fd = open(log->path, O_RDWR | flags, 0600);
    if (log->fd < 0 && errno == EACCES)
        log->fd = open(log->path, O_WRONLY | flags, 0600);
    if (log->fd < 0) {
        int e = errno;
        struct stat lst;
        if (e == ELOOP && lstat(log->path, &lst) == 0 && S_ISLNK(lst.st_mode)) {
            bprintf(err, errsize, "the log %s is a symbolic link, which maxdash does not follow",
                    log->path);
            bprintf(log->reason, sizeof log->reason, "the log is a symbolic link");
        } else {
            bprintf(err, errsize, "cannot open the log %s: %s", log->path, strerror(e));
            bprintf(log->reason, sizeof log->reason, "cannot open: %s", strerror(e));
        }
        return false;
    }
    struct stat st;
    if (fstat(log->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        bprintf(err, errsize, "the log %s is not a regular file", log->path);
        bprintf(log->reason, sizeof log->reason, "the log is not a regular file");
        close(log->fd);
        log->fd = -1;
        return false;
    }
    check_mode(log, &st);
    log->size = (long)st.st_size;
    char last = '\n';
    log->torn_tail = st.st_size > 0 && pread(log->fd, &last, 1, st.st_size - 1) == 1 &&
                     last != '\n';
    return true;
}

bool authlog_open(struct authlog *log, const char *path, char *err, size_t errsize)
{
    /* A file-size limit (ulimit -f) must be a write error (EFBIG) the log reports, not a
     * signal that kills the process without restoring the terminal. */
    signal(SIGXFSZ, SIG_IGN);
    memset(log, 0, sizeof *log);
    log->fd = -1;
    log->end = -1;
    log->path = xstrdup(path);
    log->rotate_at = AUTHLOG_ROTATE_BYTES;
    /* Smaller rotations for tests of sharing and rotation (maxdash.1, ENVIRONMENT). */
    const char *env = getenv("MAXDASH_LOG_ROTATE_BYTES");
    if (env && *env) {
        char *end;
        long v = strtol(env, &end, 10);
        if (*end == '\0' && v >= 4096 && v <= AUTHLOG_ROTATE_BYTES)
            log->rotate_at = v;
    }
    if (make_parents(path, err, errsize)) {
        if (open_fd(log, err, errsize))
            return true;
    } else {
        bprintf(log->reason, sizeof log->reason, "cannot create its directory");
    }
    return false;
}

static void forget_recent(struct authlog *log)
{
    for (size_t i = 0; i < log->nrecent; i++)
        free(log->recent[i]);
    log->nrecent = 0;
    log->end = -1;
}

static void remember(struct authlog *log, const char *line)
{
    if (log->nrecent == AUTHLOG_RECENT) {
        free(log->recent[0]);
        memmove(&log->recent[0], &log->recent[1], (AUTHLOG_RECENT - 1) * sizeof *log->recent);
        log->nrecent--;
    }
    log->recent[log->nrecent++] = xstrdup(line);
}

void authlog_close(struct authlog *log)
{
    forget_recent(log);
    if (log->fd >= 0)
        close(log->fd);
    free(log->path);
    memset(log, 0, sizeof *log);
    log->fd = -1;
}

void authlog_problem(const struct authlog *log, char *buf, size_t size)
{
    if (!log->reason[0])
        bprintf(buf, size, "%s", "");
    else if (log->unwritten == 0)
        bprintf(buf, size, "%s", log->reason);
    else
        bprintf(buf, size, "%s (%ld record%s not written)", log->reason, log->unwritten,
                log->unwritten == 1 ? "" : "s");
}

char *authlog_cut(const char *s, size_t max)
{
    if (!s)
        return NULL;
    size_t len = strlen(s);
    if (len <= max)
        return xstrdup(s);
    size_t keep = max;
    /* Back to the start of a UTF-8 character: never half of one before the mark. */
    while (keep > 0 && ((unsigned char)s[keep] & 0xC0) == 0x80)
        keep--;
    return xasprintf("%.*s%s", (int)keep, s, AUTHLOG_CUT_MARK);
}

bool authlog_is_cut(const char *s)
{
    size_t n = s ? strlen(s) : 0, m = sizeof AUTHLOG_CUT_MARK - 1;
    return n >= m && memcmp(s + n - m, AUTHLOG_CUT_MARK, m) == 0;
}

/* A JSON string, or null. Text jansson refuses (invalid UTF-8) is stored cleaned rather than
 * silently dropped from the record. */
static json_t *str_or_null(const char *s)
{
    if (!s)
        return json_null();
    /* A key pasted into any value (an org id, a name, the base_url path) is logged masked. */
    char *safe = keymask_text(s);
    json_t *v = json_string(safe);
    free(safe);
    if (!v) {
        char *clean = text_clean(s);
        v = json_string(clean);
        free(clean);
    }
    return v ? v : json_null();
}

char *authlog_format(const struct authlog_record *r)
{
    char when[32];
    authlog_time_text(r->time, when);
    json_t *o = json_object();
    if (!o)
        die(1, "out of memory");
    json_object_set_new(o, "time", json_string(when));
    json_object_set_new(o, "org", str_or_null(r->org));
    json_object_set_new(o, "org_id", str_or_null(r->org_id));
    json_object_set_new(o, "key", str_or_null(r->key));
    json_object_set_new(o, "key_hint", str_or_null(r->key_hint));
    json_object_set_new(o, "method", str_or_null(r->method));
    json_object_set_new(o, "path", str_or_null(r->path));
    json_object_set_new(o, "http_status", r->http_status ? json_integer(r->http_status)
                                                         : json_null());
    json_object_set_new(o, "code", str_or_null(r->code));
    json_object_set_new(o, "message", str_or_null(r->message));
    json_object_set_new(o, "trace_id", str_or_null(r->trace_id));
    json_object_set_new(o, "required_scope", str_or_null(r->required_scope));
    json_object_set_new(o, "latency_ms", json_integer(r->latency_ms));
    json_object_set_new(o, "class", str_or_null(r->cls));
    json_object_set_new(o, "auth", json_boolean(r->auth));
    if (r->key_warnings)
        json_object_set_new(o, "key_warnings", json_integer(r->key_warnings));
    char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!line)
        die(1, "out of memory");
    char *out = xasprintf("%s\n", line);
    free(line);
    return out;
}

/* Whether the path still names the file held: false after rm, mv, logrotate's create mode or
 * another maxdash's rotation (and when the path is now a symlink: lstat, not stat). */
static bool path_names_fd(const struct authlog *log)
{
    struct stat ours, named;
    return fstat(log->fd, &ours) == 0 && lstat(log->path, &named) == 0 &&
           ours.st_dev == named.st_dev && ours.st_ino == named.st_ino;
}

static void unlock_close(struct authlog *log)
{
    forget_recent(log); /* another file: what it held is not this one's business */
    if (log->fd >= 0) {
        flock(log->fd, LOCK_UN);
        close(log->fd);
        log->fd = -1;
    }
}

/* Opens the path again when needed and takes the exclusive lock on the file it names. The lock
 * is on the file, so after taking it the path must be checked again: a rotation may have
 * renamed the file while this process waited (the usual lock-then-verify loop). Without
 * flock (a filesystem that refuses it) appends still work, only rotation may race. */
static bool lock_current(struct authlog *log, char *err, size_t errsize)
{
    for (int tries = 0; tries < 100; tries++) {
        if (log->fd < 0 && !(make_parents(log->path, err, errsize) && open_fd(log, err, errsize)))
            return false;
        int r;
        do
            r = flock(log->fd, LOCK_EX);
        while (r != 0 && errno == EINTR);
        if (path_names_fd(log))
            return true;
        unlock_close(log);
    }
    bprintf(err, errsize, "the log %s keeps being replaced", log->path);
    bprintf(log->reason, sizeof log->reason, "the log keeps being replaced");
    return false;
}

/* Under the lock, with the path naming our file of real size size: moves it to FILE.1 and
 * locks the new FILE. A rename that fails leaves the file past the limit: better than a lost
 * record. */
static bool rotate(struct authlog *log, char *err, size_t errsize)
{
    char *old = xasprintf("%s.1", log->path);
    /* rename() replaces a symlink at FILE.1 itself; it never writes through one. */
    int r = rename(log->path, old);
    free(old);
    if (r != 0)
        return true;
    unlock_close(log);
    if (lock_current(log, err, errsize))
        return true;
    char reason[512];
    bprintf(reason, sizeof reason, "%s", err);
    bprintf(err, errsize, "%s (after moving the full log to .1)", reason);
    return false;
}

/* Whether the last MiB of the open file of size bytes holds needle. */
static bool memmem_fd(int fd, off_t size, const char *needle)
{
    off_t from = size > (1 << 20) ? size - (1 << 20) : 0;
    size_t len = (size_t)(size - from);
    char *buf = xmalloc(len ? len : 1);
    ssize_t got = pread(fd, buf, len, from);
    bool found = got > 0 && memmem(buf, (size_t)got, needle, strlen(needle)) != NULL;
    free(buf);
    return found;
}

/* Whether the file (fd, size bytes) holds needle (a whole line) near its end. */
static bool tail_holds(int fd, off_t size, const char *needle)
{
    return fd >= 0 && size > 0 && needle && memmem_fd(fd, size, needle);
}

/* After a copytruncate (the file shorter than this process left it, its copy at FILE.1): the
 * recent lines of this process in neither file were appended between the copy and the
 * truncation, and are appended again (before the new line, so the order stays). */
static void repair_truncation(struct authlog *log, const struct stat *st)
{
    char *older = xasprintf("%s.1", log->path);
    int ofd = open(older, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
    free(older);
    struct stat ost;
    if (ofd < 0 || fstat(ofd, &ost) != 0 || !S_ISREG(ost.st_mode)) {
        /* No copy: someone emptied the file on purpose; nothing to put back. */
        if (ofd >= 0)
            close(ofd);
        forget_recent(log);
        return;
    }
    for (size_t i = 0; i < log->nrecent; i++) {
        const char *line = log->recent[i];
        if (tail_holds(ofd, ost.st_size, line) || tail_holds(log->fd, st->st_size, line))
            continue;
        size_t len = strlen(line);
        if (write(log->fd, line, len) == (ssize_t)len)
            log->repaired++;
    }
    close(ofd);
}

static bool append_locked(struct authlog *log, const char *line, size_t len, char *err,
                          size_t errsize)
{
    struct stat st;
    if (fstat(log->fd, &st) == 0 && log->end >= 0 && (long)st.st_size < log->end) {
        repair_truncation(log, &st);
        fstat(log->fd, &st);
    }
    if (fstat(log->fd, &st) == 0) {
        log->size = (long)st.st_size;
        if (log->size > 0 && log->size + (long)len > log->rotate_at) {
            if (!rotate(log, err, errsize))
                return false;
            if (fstat(log->fd, &st) == 0)
                log->size = (long)st.st_size;
        }
    }
    /* The file's own last byte decides (another process may have torn or mended it); the
     * flag when this descriptor cannot read. */
    char last = '\n';
    if (log->size > 0 && pread(log->fd, &last, 1, log->size - 1) == 1)
        log->torn_tail = last != '\n';
    else if (log->size == 0)
        log->torn_tail = false;
    const char *record = line; /* without the fresh-line '\n' */
    char *buf = NULL;
    if (log->torn_tail) {
        buf = xasprintf("\n%s", line);
        line = buf;
        len++;
    }
    ssize_t w;
    do
        w = write(log->fd, line, len);
    while (w < 0 && errno == EINTR);
    int e = errno;
    free(buf);
    if (fstat(log->fd, &st) == 0)
        log->size = (long)st.st_size;
    else if (w > 0)
        log->size += (long)w;
    if (w != (ssize_t)len) {
        if (w > 0)
            log->torn_tail = true;
        bprintf(err, errsize, "cannot write to the log %s: %s", log->path,
                w < 0 ? strerror(e) : "short write (disk full?)");
        set_reason(log, w < 0 ? e : 0);
        log->end = -1;
        return false;
    }
    log->torn_tail = false;
    log->end = log->size;
    remember(log, record);
    return true;
}

bool authlog_append(struct authlog *log, const struct authlog_record *r, char *err,
                    size_t errsize)
{
    if (!log->path) {
        bprintf(err, errsize, "the log is not open");
        return false;
    }
    bool ok = false;
    if (lock_current(log, err, errsize)) {
        char *line = authlog_format(r);
        ok = append_locked(log, line, strlen(line), err, errsize);
        free(line);
        if (log->fd >= 0)
            flock(log->fd, LOCK_UN);
    }
    if (ok) {
        log->reason[0] = '\0';
        log->unwritten = 0;
    } else {
        log->unwritten++;
    }
    return ok;
}

static char *take_string(json_t *o, const char *field)
{
    json_t *v = json_object_get(o, field);
    return json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
}

/* A server's text, cut to the bounds also when an older maxdash or a hand wrote it. */
static char *take_cut(json_t *o, const char *field, size_t max)
{
    json_t *v = json_object_get(o, field);
    return json_is_string(v) ? authlog_cut(json_string_value(v), max) : NULL;
}

/* One line into r; false when it is not a record. */
static bool parse_record(const char *line, size_t len, struct authlog_record *r)
{
    memset(r, 0, sizeof *r);
    json_t *o = json_loadb(line, len, 0, NULL);
    double t;
    if (!json_is_object(o) || !authlog_parse_time(json_string_value(json_object_get(o, "time")),
                                                  &t)) {
        json_decref(o);
        return false;
    }
    r->time = t;
    r->org = take_string(o, "org");
    r->org_id = take_string(o, "org_id");
    r->key = take_string(o, "key");
    r->key_hint = take_string(o, "key_hint");
    r->method = take_string(o, "method");
    r->path = take_string(o, "path");
    r->code = take_cut(o, "code", AUTHLOG_ID_MAX);
    r->message = take_cut(o, "message", AUTHLOG_TEXT_MAX);
    r->trace_id = take_cut(o, "trace_id", AUTHLOG_ID_MAX);
    r->required_scope = take_cut(o, "required_scope", AUTHLOG_ID_MAX);
    r->cls = take_string(o, "class");
    /* A hand-edited file may hold any number; only an HTTP status is one. */
    json_t *st = json_object_get(o, "http_status");
    json_int_t status = json_is_integer(st) ? json_integer_value(st) : 0;
    r->http_status = status >= 100 && status <= 999 ? (int)status : 0;
    json_t *lat = json_object_get(o, "latency_ms");
    json_int_t latency = json_is_integer(lat) ? json_integer_value(lat) : 0;
    r->latency_ms = latency >= 0 && latency <= LONG_MAX ? (long)latency : 0;
    json_t *kw = json_object_get(o, "key_warnings");
    json_int_t kwv = json_is_integer(kw) ? json_integer_value(kw) : 0;
    r->key_warnings = kwv > 0 && kwv <= 0xFFFF ? (unsigned)kwv : 0;
    json_t *auth = json_object_get(o, "auth");
    r->auth = auth ? json_is_true(auth) : (r->http_status == 401 || r->http_status == 403);
    json_decref(o);
    return true;
}

bool authlog_parse_line(const char *line, size_t len, struct authlog_record *r)
{
    return parse_record(line, len, r);
}

void authlog_record_free(struct authlog_record *r)
{
    free(r->org);
    free(r->org_id);
    free(r->key);
    free(r->key_hint);
    free(r->method);
    free(r->path);
    free(r->cls);
    free(r->code);
    free(r->message);
    free(r->trace_id);
    free(r->required_scope);
}

void authlog_records_free(struct authlog_record *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        authlog_record_free(&r[i]);
    free(r);
}

/* The last max records seen: an array that grows while fewer than max were seen (so that
 * max may be SIZE_MAX), then a ring that overwrites the oldest. */
struct ring {
    struct authlog_record *v;
    size_t cap, max, count;
};

static void ring_push(struct ring *ring, const struct authlog_record *r)
{
    if (ring->count < ring->max) {
        if (ring->count == ring->cap) {
            size_t cap = ring->cap ? ring->cap * 2 : 64;
            if (cap > ring->max || cap < ring->cap)
                cap = ring->max;
            if (cap > SIZE_MAX / sizeof *ring->v)
                die(1, "out of memory");
            ring->v = xrealloc(ring->v, cap * sizeof *ring->v);
            ring->cap = cap;
        }
        ring->v[ring->count] = *r;
    } else {
        struct authlog_record *slot = &ring->v[ring->count % ring->max];
        authlog_record_free(slot);
        *slot = *r;
    }
    ring->count++;
}

static bool blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return false;
    return true;
}

/* Opens a log file to read it (never through a symbolic link, never a FIFO or device):
 * the descriptor with *st filled in; -1 when there is no such file; -2 with the reason in err. */
static int open_for_reading(const char *path, struct stat *st, char *err, size_t errsize)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        if (errno == ENOENT)
            return -1;
        bprintf(err, errsize, "cannot read the log %s: %s", path, strerror(errno));
        return -2;
    }
    if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
        bprintf(err, errsize, "the log %s is not a regular file", path);
        close(fd);
        return -2;
    }
    return fd;
}

/* Appends the records of one file to the ring. */
static bool read_file(const char *path, struct ring *ring, size_t *skipped, long *skipped_line,
                      char *err, size_t errsize)
{
    struct stat st;
    int fd = open_for_reading(path, &st, err, errsize);
    if (fd < 0)
        return fd == -1; /* -1: no such file, nothing to read */
    FILE *f = fdopen(fd, "r");
    if (!f) {
        bprintf(err, errsize, "cannot read the log %s: %s", path, strerror(errno));
        close(fd);
        return false;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long lineno = 0;
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (blank(line, (size_t)len))
            continue;
        /* A torn line (no '\n': only the last can lack one) never parses, since no proper
         * prefix of a JSON object is one; a whole record whose '\n' was lost, or that an
         * editor saved without one, does and is kept. */
        struct authlog_record r;
        if (!parse_record(line, (size_t)len, &r)) {
            (*skipped)++;
            *skipped_line = lineno;
            continue;
        }
        ring_push(ring, &r);
    }
    bool ok = !ferror(f);
    if (!ok)
        bprintf(err, errsize, "cannot read the log %s: %s", path, strerror(errno));
    free(line);
    fclose(f);
    return ok;
}

/* The last want records of one file, read from its end: the last chunk of the file, doubled
 * until it holds want + 1 line ends or the whole file, then parsed forward into the ring (whose
 * max is want, so only the last want stay). Damaged lines are counted in *skipped and the
 * number of the last one, counted only then, goes to *skipped_line. */
static bool read_tail(const char *path, size_t want, struct ring *ring, size_t *skipped,
                      long *skipped_line, char *err, size_t errsize)
{
    struct stat st;
    int fd = open_for_reading(path, &st, err, errsize);
    if (fd < 0)
        return fd == -1; /* -1: no such file, nothing to read */
    off_t size = st.st_size, chunk = 64 * 1024, from = 0;
    char *buf = NULL;
    size_t len = 0;
    for (;;) {
        from = size > chunk ? size - chunk : 0;
        len = (size_t)(size - from);
        buf = xrealloc(buf, len + 1);
        size_t got = 0;
        while (got < len) {
            ssize_t r = pread(fd, buf + got, len - got, from + (off_t)got);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                break;
            got += (size_t)r;
        }
        len = got;
        size_t lines = 0;
        for (const char *p = buf; (p = memchr(p, '\n', (size_t)(buf + len - p))); p++)
            lines++;
        if (from == 0 || lines > want)
            break;
        chunk *= 2;
    }
    /* Past the first (maybe partial) line unless the chunk starts the file. */
    size_t at = 0;
    if (from > 0) {
        const char *nl = memchr(buf, '\n', len);
        at = nl ? (size_t)(nl - buf) + 1 : len;
    }
    off_t last_bad = -1;
    while (at < len) {
        const char *nl = memchr(buf + at, '\n', len - at);
        size_t end = nl ? (size_t)(nl - buf) + 1 : len;
        if (!blank(buf + at, end - at)) {
            struct authlog_record r;
            if (parse_record(buf + at, end - at, &r)) {
                ring_push(ring, &r);
            } else {
                (*skipped)++;
                last_bad = from + (off_t)at;
            }
        }
        at = end;
    }
    if (last_bad >= 0) {
        /* Its line number: the line ends before it, counted from the start of the file. */
        long lineno = 1;
        char block[65536];
        for (off_t pos = 0; pos < last_bad;) {
            size_t n = (size_t)(last_bad - pos) < sizeof block ? (size_t)(last_bad - pos)
                                                                 : sizeof block;
            ssize_t r = pread(fd, block, n, pos);
            if (r <= 0)
                break;
            for (const char *p = block; (p = memchr(p, '\n', (size_t)(block + r - p))); p++)
                lineno++;
            pos += r;
        }
        *skipped_line = lineno;
    }
    free(buf);
    close(fd);
    return true;
}

/* Moves the records of ring (max want) into a fresh array, oldest first. */
static struct authlog_record *ring_take(struct ring *ring, size_t *n)
{
    size_t have = ring->count < ring->max ? ring->count : ring->max;
    struct authlog_record *res = xcalloc(have + 1, sizeof *res);
    size_t first = ring->count - have;
    for (size_t i = 0; i < have; i++)
        res[i] = ring->v[(first + i) % ring->max];
    free(ring->v);
    ring->v = NULL;
    *n = have;
    return res;
}

/* authlog_read for a finite max: FILE's tail, then when it holds fewer, FILE.1's. */
static bool read_last(const char *path, size_t max, struct authlog_record **out, size_t *n,
                      size_t *skipped, long *skipped_line, char *err, size_t errsize)
{
    struct ring cur = {.max = max};
    if (!read_tail(path, max, &cur, skipped, skipped_line, err, errsize)) {
        size_t k = 0;
        struct authlog_record *v = ring_take(&cur, &k);
        authlog_records_free(v, k);
        return false;
    }
    size_t ncur;
    struct authlog_record *recs = ring_take(&cur, &ncur);
    if (ncur < max) {
        struct ring old = {.max = max - ncur};
        size_t old_skipped = 0;
        long old_line = 0;
        char *older = xasprintf("%s.1", path);
        struct stat lst;
        bool ok = true;
        if (lstat(older, &lst) == 0 && S_ISREG(lst.st_mode)) /* never through a symlink */
            ok = read_tail(older, max - ncur, &old, &old_skipped, &old_line, err, errsize);
        free(older);
        size_t nold;
        struct authlog_record *olds = ring_take(&old, &nold);
        if (!ok) {
            authlog_records_free(olds, nold);
            authlog_records_free(recs, ncur);
            return false;
        }
        if (nold) {
            olds = xrealloc(olds, (nold + ncur + 1) * sizeof *olds);
            memcpy(olds + nold, recs, ncur * sizeof *recs);
            memset(olds + nold + ncur, 0, sizeof *olds);
            free(recs);
            recs = olds;
            ncur += nold;
        } else {
            free(olds);
        }
    }
    *out = recs;
    *n = ncur;
    return true;
}

bool authlog_check_files(const char *path, char *buf, size_t size)
{
    buf[0] = '\0';
    char *older = xasprintf("%s.1", path);
    struct stat st;
    if (lstat(older, &st) == 0 && S_ISLNK(st.st_mode))
        bprintf(buf, size, "the rotated log %s is a symbolic link: not followed, not read",
                older);
    else if (lstat(older, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077))
        bprintf(buf, size, "the rotated log %s is mode %04o (readable by others)", older,
                (unsigned)(st.st_mode & 07777));
    else if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077))
        bprintf(buf, size, "the log %s is mode %04o (readable by others)", path,
                (unsigned)(st.st_mode & 07777));
    free(older);
    return buf[0] != '\0';
}

bool authlog_read(const char *path, size_t max, struct authlog_record **out, size_t *n,
                  size_t *skipped, long *skipped_line, char *err, size_t errsize)
{
    *out = NULL;
    *n = 0;
    *skipped = 0;
    *skipped_line = 0;
    if (max > 0 && max != SIZE_MAX)
        return read_last(path, max, out, n, skipped, skipped_line, err, errsize);
    struct ring ring = {.max = max};
    bool ok = true;
    if (max > 0) {
        size_t old_skipped = 0;
        long old_line = 0;
        char *older = xasprintf("%s.1", path);
        struct stat lst;
        /* The rotated file first (older), then the current one; never through a symlink at
         * FILE.1 (authlog_check_files reports it). */
        ok = (lstat(older, &lst) == 0 && S_ISLNK(lst.st_mode)
                  ? true
                  : read_file(older, &ring, &old_skipped, &old_line, err, errsize)) &&
             read_file(path, &ring, skipped, skipped_line, err, errsize);
        free(older);
    }
    size_t have = ring.count < max ? ring.count : max;
    if (!ok) {
        authlog_records_free(ring.v, have);
        return false;
    }
    struct authlog_record *res = xcalloc(have + 1, sizeof *res);
    size_t first = ring.count - have;
    for (size_t i = 0; i < have; i++)
        res[i] = ring.v[(first + i) % max];
    free(ring.v);
    *out = res;
    *n = have;
    return true;
}
