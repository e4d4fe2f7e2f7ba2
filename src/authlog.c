/* The JSONL log of failed requests. Appends are whole lines in one write() on an O_APPEND
 * descriptor, so concurrent maxdash processes and crashes never interleave or lose a line
 * already shown; only the very last line can be torn, and readers skip it. */
#include "authlog.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

void authlog_time_text(double t, char buf[32])
{
    time_t secs = (time_t)t;
    int ms = (int)((t - (double)secs) * 1000.0);
    if (ms < 0)
        ms = 0;
    if (ms > 999)
        ms = 999;
    struct tm tm;
    gmtime_r(&secs, &tm);
    char base[24];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, 32, "%s.%03dZ", base, ms);
}

bool authlog_parse_time(const char *s, double *t)
{
    struct tm tm = {0};
    int ms = 0, used = 0;
    if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                     &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &used) != 6)
        return false;
    const char *rest = s + used;
    if (*rest == '.') {
        int digits = 0;
        for (rest++; *rest >= '0' && *rest <= '9'; rest++, digits++)
            if (digits < 3)
                ms = ms * 10 + (*rest - '0');
        for (; digits < 3; digits++)
            ms *= 10;
    }
    if (strcmp(rest, "Z") != 0)
        return false;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t secs = timegm(&tm);
    if (secs == (time_t)-1)
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
    log->fd = open(log->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (log->fd < 0) {
        bprintf(err, errsize, "cannot open the log %s: %s", log->path, strerror(errno));
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
    return true;
}

bool authlog_open(struct authlog *log, const char *path, char *err, size_t errsize)
{
    memset(log, 0, sizeof *log);
    log->fd = -1;
    log->path = xstrdup(path);
    log->rotate_at = AUTHLOG_ROTATE_BYTES;
    if (!make_parents(path, err, errsize))
        return false;
    return open_fd(log, err, errsize);
}

void authlog_close(struct authlog *log)
{
    if (log->fd >= 0)
        close(log->fd);
    free(log->path);
    memset(log, 0, sizeof *log);
    log->fd = -1;
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

char *authlog_format(const struct authlog_record *r)
{
    char when[32];
    authlog_time_text(r->time, when);
    json_t *o = json_object();
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

static void rotate(struct authlog *log)
{
    char *old = xasprintf("%s.1", log->path);
    /* Whoever renames first wins; a second process then writes to the new file. */
    rename(log->path, old);
    free(old);
    close(log->fd);
    char err[8];
    open_fd(log, err, sizeof err);
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
    if (log->size > 0 && log->size + (long)len > log->rotate_at)
        rotate(log);
    if (log->fd < 0) {
        free(line);
        bprintf(err, errsize, "cannot reopen the log %s after rotating it", log->path);
        return false;
    }
    ssize_t w;
    do
        w = write(log->fd, line, len);
    while (w < 0 && errno == EINTR);
    free(line);
    if (w != (ssize_t)len) {
        bprintf(err, errsize, "cannot write to the log %s: %s", log->path,
                w < 0 ? strerror(errno) : "short write (disk full?)");
        return false;
    }
    log->size += (long)len;
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
    json_t *st = json_object_get(o, "http_status");
    r->http_status = json_is_integer(st) ? (int)json_integer_value(st) : 0;
    json_t *lat = json_object_get(o, "latency_ms");
    r->latency_ms = json_is_integer(lat) ? (long)json_integer_value(lat) : 0;
    json_t *auth = json_object_get(o, "auth");
    r->auth = auth ? json_is_true(auth) : (r->http_status == 401 || r->http_status == 403);
    json_decref(o);
    return true;
}

static void record_free(struct authlog_record *r)
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
        record_free(&r[i]);
    free(r);
}

/* Appends the records of one file to a ring of the last max. */
static bool read_file(const char *path, size_t max, struct authlog_record *ring, size_t *count,
                      size_t *skipped, long *skipped_line, char *err, size_t errsize)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT)
            return true;
        bprintf(err, errsize, "cannot read the log %s: %s", path, strerror(errno));
        return false;
    }
    FILE *f = fdopen(fd, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long lineno = 0;
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        bool complete = len > 0 && line[len - 1] == '\n';
        struct authlog_record r;
        if (!complete || !parse_record(line, (size_t)len, &r)) {
            (*skipped)++;
            *skipped_line = lineno;
            continue;
        }
        struct authlog_record *slot = &ring[*count % max];
        if (*count >= max)
            record_free(slot);
        *slot = r;
        (*count)++;
    }
    free(line);
    fclose(f);
    return true;
}

bool authlog_read(const char *path, size_t max, struct authlog_record **out, size_t *n,
                  size_t *skipped, long *skipped_line, char *err, size_t errsize)
{
    *out = NULL;
    *n = 0;
    *skipped = 0;
    *skipped_line = 0;
    if (max == 0)
        return true;
    struct authlog_record *ring = xcalloc(max, sizeof *ring);
    size_t count = 0, old_skipped = 0;
    long old_line = 0;
    char *older = xasprintf("%s.1", path);
    /* The rotated file first (older), then the current one; torn lines only matter in the
     * current file. */
    bool ok = read_file(older, max, ring, &count, &old_skipped, &old_line, err, errsize) &&
              read_file(path, max, ring, &count, skipped, skipped_line, err, errsize);
    free(older);
    if (!ok) {
        authlog_records_free(ring, count < max ? count : max);
        return false;
    }
    size_t have = count < max ? count : max;
    struct authlog_record *res = xcalloc(have + 1, sizeof *res);
    for (size_t i = 0; i < have; i++)
        res[i] = ring[(count - have + i) % max];
    free(ring);
    *out = res;
    *n = have;
    return true;
}
