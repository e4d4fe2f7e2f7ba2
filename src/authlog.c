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
        if (e == ELOOP && lstat(log->path, &lst) == 0 && S_ISLNK(lst.st_mode))
            bprintf(err, errsize, "the log %s is a symbolic link, which maxdash does not follow",
                    log->path);
        else
            bprintf(err, errsize, "cannot open the log %s: %s", log->path, strerror(e));
        return false;
    }
    struct stat st;
    if (fstat(log->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        bprintf(err, errsize, "the log %s is not a regular file", log->path);
        close(log->fd);
        log->fd = -1;
        return false;
    }
    log->size = (long)st.st_size;
    char last = '\n';
    log->torn_tail = st.st_size > 0 && pread(log->fd, &last, 1, st.st_size - 1) == 1 &&
                     last != '\n';
    return true;
}

bool authlog_open(struct authlog *log, const char *path, char *err, size_t errsize)
{
    memset(log, 0, sizeof *log);
    log->fd = -1;
    log->path = xstrdup(path);
    log->rotate_at = AUTHLOG_ROTATE_BYTES;
    if (make_parents(path, err, errsize) && open_fd(log, err, errsize))
        return true;
    authlog_close(log);
    return false;
}

void authlog_close(struct authlog *log)
{
    if (log->fd >= 0)
        close(log->fd);
    free(log->path);
    memset(log, 0, sizeof *log);
    log->fd = -1;
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
    char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!line)
        die(1, "out of memory");
    char *out = xasprintf("%s\n", line);
    free(line);
    return out;
}

/* Moves the full file to FILE.1 and reopens FILE. When the path no longer names the file we
 * hold (another maxdash rotated first), only reopens: renaming again would replace the FILE.1
 * just made with a nearly empty file. */
static bool rotate(struct authlog *log, char *err, size_t errsize)
{
    struct stat ours, named;
    bool same = fstat(log->fd, &ours) == 0 && lstat(log->path, &named) == 0 &&
                ours.st_dev == named.st_dev && ours.st_ino == named.st_ino;
    if (same) {
        char *old = xasprintf("%s.1", log->path);
        int r = rename(log->path, old);
        free(old);
        if (r != 0)
            return true; /* a file past the limit is better than a lost record */
    }
    close(log->fd);
    log->fd = -1;
    if (open_fd(log, err, errsize))
        return true;
    char reason[512];
    bprintf(reason, sizeof reason, "%s", err);
    bprintf(err, errsize, "%s (after moving the full log to .1)", reason);
    return false;
}

bool authlog_append(struct authlog *log, const struct authlog_record *r, char *err,
                    size_t errsize)
{
    if (log->fd < 0) {
        bprintf(err, errsize, "the log %s is not open", log->path ? log->path : "");
        return false;
    }
    char *line = authlog_format(r);
    size_t len = strlen(line);
    if (log->size > 0 && log->size + (long)len > log->rotate_at && !rotate(log, err, errsize)) {
        free(line);
        return false;
    }
    if (log->torn_tail) {
        char *fresh = xasprintf("\n%s", line);
        free(line);
        line = fresh;
        len++;
    }
    ssize_t w;
    do
        w = write(log->fd, line, len);
    while (w < 0 && errno == EINTR);
    int e = errno;
    free(line);
    if (w > 0)
        log->size += (long)w;
    if (w != (ssize_t)len) {
        if (w > 0)
            log->torn_tail = true;
        bprintf(err, errsize, "cannot write to the log %s: %s", log->path,
                w < 0 ? strerror(e) : "short write (disk full?)");
        return false;
    }
    log->torn_tail = false;
    return true;
}

static char *take_string(json_t *o, const char *field)
{
    json_t *v = json_object_get(o, field);
    return json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
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
    r->code = take_string(o, "code");
    r->message = take_string(o, "message");
    r->trace_id = take_string(o, "trace_id");
    r->required_scope = take_string(o, "required_scope");
    r->cls = take_string(o, "class");
    /* A hand-edited file may hold any number; only an HTTP status is one. */
    json_t *st = json_object_get(o, "http_status");
    json_int_t status = json_is_integer(st) ? json_integer_value(st) : 0;
    r->http_status = status >= 100 && status <= 999 ? (int)status : 0;
    json_t *lat = json_object_get(o, "latency_ms");
    json_int_t latency = json_is_integer(lat) ? json_integer_value(lat) : 0;
    r->latency_ms = latency >= 0 && latency <= LONG_MAX ? (long)latency : 0;
    json_t *auth = json_object_get(o, "auth");
    r->auth = auth ? json_is_true(auth) : (r->http_status == 401 || r->http_status == 403);
    json_decref(o);
    return true;
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

/* Appends the records of one file to the ring. */
static bool read_file(const char *path, struct ring *ring, size_t *skipped, long *skipped_line,
                      char *err, size_t errsize)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        if (errno == ENOENT)
            return true;
        bprintf(err, errsize, "cannot read the log %s: %s", path, strerror(errno));
        return false;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        bprintf(err, errsize, "the log %s is not a regular file", path);
        close(fd);
        return false;
    }
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

bool authlog_read(const char *path, size_t max, struct authlog_record **out, size_t *n,
                  size_t *skipped, long *skipped_line, char *err, size_t errsize)
{
    *out = NULL;
    *n = 0;
    *skipped = 0;
    *skipped_line = 0;
    struct ring ring = {.max = max};
    bool ok = true;
    if (max > 0) {
        size_t old_skipped = 0;
        long old_line = 0;
        char *older = xasprintf("%s.1", path);
        /* The rotated file first (older), then the current one. */
        ok = read_file(older, &ring, &old_skipped, &old_line, err, errsize) &&
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
