/* Fault parsing and matching for the sandbox's control API. */
#include "faults.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *const kind_names[] = {
    [SB_FAULT_LATENCY] = "latency",           [SB_FAULT_HANG] = "hang",
    [SB_FAULT_STATUS] = "status",             [SB_FAULT_HTML] = "html",
    [SB_FAULT_TRUNCATE] = "truncate",         [SB_FAULT_INVALID_JSON] = "invalid_json",
    [SB_FAULT_WRONG_TYPES] = "wrong_types",   [SB_FAULT_OVERSIZE] = "oversize",
    [SB_FAULT_RESET] = "reset",               [SB_FAULT_TRICKLE] = "trickle",
    [SB_FAULT_NUL_FIELD] = "nul_field",       [SB_FAULT_HUGE_NUMBER] = "huge_number",
    [SB_FAULT_RATE_HEADERS] = "rate_headers",
};

const char *sb_fault_kind_name(enum sb_fault_kind kind) { return kind_names[kind]; }

static bool opt_string(json_t *body, const char *field, char **out, char *err, size_t errsize)
{
    json_t *v = json_object_get(body, field);
    *out = NULL;
    if (!v || json_is_null(v))
        return true;
    if (!json_is_string(v) || json_string_length(v) == 0) {
        bprintf(err, errsize, "'%s' must be a non-empty string", field);
        return false;
    }
    *out = xstrdup(json_string_value(v));
    return true;
}

static bool opt_int(json_t *body, const char *field, long lo, long hi, long *out, char *err,
                    size_t errsize)
{
    json_t *v = json_object_get(body, field);
    if (!v || json_is_null(v))
        return true;
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
        bprintf(err, errsize, "'%s' must be an integer from %ld to %ld", field, lo, hi);
        return false;
    }
    *out = (long)json_integer_value(v);
    return true;
}

bool sb_fault_parse(json_t *body, struct sb_fault *f, char *err, size_t errsize)
{
    memset(f, 0, sizeof *f);
    f->count = -1;
    if (!json_is_object(body)) {
        bprintf(err, errsize, "the body must be a JSON object");
        return false;
    }
    const char *kind = json_string_value(json_object_get(body, "fault"));
    size_t k;
    for (k = 0; kind && k < ARRAY_LEN(kind_names); k++)
        if (strcmp(kind, kind_names[k]) == 0)
            break;
    if (!kind || k == ARRAY_LEN(kind_names)) {
        bprintf(err, errsize, "'fault' must be one of latency, hang, status, html, truncate, "
                              "invalid_json, wrong_types, oversize, reset, trickle, nul_field, "
                              "huge_number, rate_headers");
        return false;
    }
    f->kind = (enum sb_fault_kind)k;
    f->status = f->kind == SB_FAULT_HTML ? 502 : f->kind == SB_FAULT_STATUS ? 500 : 200;
    f->ms = f->kind == SB_FAULT_TRICKLE ? 200 : 1000;
    f->bytes = f->kind == SB_FAULT_TRICKLE ? 16 : 20L * 1024 * 1024;
    json_t *wire = json_object_get(body, "wire");
    if (wire && !json_is_boolean(wire)) {
        bprintf(err, errsize, "'wire' must be true or false");
        return false;
    }
    f->wire = json_is_true(wire);
    static const char *const flags[] = {"retry_after_date", "reset_ms"};
    bool *flag_of[] = {&f->retry_after_date, &f->reset_ms};
    for (size_t i = 0; i < ARRAY_LEN(flags); i++) {
        json_t *v = json_object_get(body, flags[i]);
        if (v && !json_is_boolean(v)) {
            bprintf(err, errsize, "'%s' must be true or false", flags[i]);
            return false;
        }
        *flag_of[i] = json_is_true(v);
    }
    f->remaining = -1;
    long status = f->status;
    bool ok = opt_string(body, "org", &f->org, err, errsize) &&
              opt_string(body, "path", &f->path, err, errsize) &&
              opt_string(body, "code", &f->code, err, errsize) &&
              opt_string(body, "message", &f->message, err, errsize) &&
              opt_int(body, "status", 100, 599, &status, err, errsize) &&
              opt_int(body, "ms", 0, 3600000, &f->ms, err, errsize) &&
              opt_int(body, "bytes", 1, 1L << 30, &f->bytes, err, errsize) &&
              opt_int(body, "retry_after", 0, 86400, &f->retry_after, err, errsize) &&
              opt_int(body, "remaining", 0, 1000000000, &f->remaining, err, errsize) &&
              opt_int(body, "count", 1, 1000000000, &f->count, err, errsize);
    f->status = (int)status;
    /* the API version is not part of the match: a fault applies to the path in every version */
    if (ok && f->path && f->path[0] == '/' && f->path[1] == 'v' && f->path[2] >= '1' &&
        f->path[2] <= '4' && f->path[3] == '/')
        memmove(f->path, f->path + 3, strlen(f->path + 3) + 1);
    if (ok && f->path && f->path[0] != '/') {
        bprintf(err, errsize, "'path' must start with '/'");
        ok = false;
    }
    if (!ok)
        sb_fault_clear(f);
    return ok;
}

void sb_fault_clear(struct sb_fault *f)
{
    free(f->org);
    free(f->path);
    free(f->code);
    free(f->message);
    memset(f, 0, sizeof *f);
}

static char *dup_or_null(const char *s) { return s ? xstrdup(s) : NULL; }

void sb_fault_copy(struct sb_fault *dst, const struct sb_fault *src)
{
    *dst = *src;
    dst->org = dup_or_null(src->org);
    dst->path = dup_or_null(src->path);
    dst->code = dup_or_null(src->code);
    dst->message = dup_or_null(src->message);
}

json_t *sb_fault_json(const struct sb_fault *f)
{
    json_t *o = json_pack("{s:I, s:s, s:s?, s:s?, s:i, s:I, s:I, s:b}", "id", (json_int_t)f->id,
                          "fault", kind_names[f->kind], "org", f->org, "path", f->path,
                          "status", f->status, "ms", (json_int_t)f->ms, "bytes",
                          (json_int_t)f->bytes, "wire", f->wire);
    if (f->count >= 0)
        json_object_set_new(o, "count", json_integer(f->count));
    if (f->code)
        json_object_set_new(o, "code", json_string(f->code));
    if (f->message)
        json_object_set_new(o, "message", json_string(f->message));
    return o;
}

long sb_faults_add(struct sb_faults *fs, struct sb_fault *f)
{
    fs->items = xrealloc(fs->items, (fs->len + 1) * sizeof *fs->items);
    f->id = ++fs->next_id;
    fs->items[fs->len++] = *f;
    memset(f, 0, sizeof *f);
    return fs->items[fs->len - 1].id;
}

static void remove_at(struct sb_faults *fs, size_t i)
{
    sb_fault_clear(&fs->items[i]);
    memmove(&fs->items[i], &fs->items[i + 1], (fs->len - i - 1) * sizeof *fs->items);
    fs->len--;
}

bool sb_faults_remove(struct sb_faults *fs, long id)
{
    for (size_t i = 0; i < fs->len; i++) {
        if (fs->items[i].id == id) {
            remove_at(fs, i);
            return true;
        }
    }
    return false;
}

void sb_faults_clear(struct sb_faults *fs)
{
    while (fs->len)
        remove_at(fs, fs->len - 1);
    free(fs->items);
    fs->items = NULL;
}

bool sb_faults_has(const struct sb_faults *fs, long id)
{
    for (size_t i = 0; i < fs->len; i++)
        if (fs->items[i].id == id)
            return true;
    return false;
}

static bool path_matches(const char *pattern, const char *path)
{
    if (!pattern)
        return true;
    size_t n = strlen(pattern);
    while (n > 1 && pattern[n - 1] == '/')
        n--;
    return strncmp(pattern, path, n) == 0 && (path[n] == '\0' || path[n] == '/' ||
                                              path[n] == '?');
}

bool sb_faults_match(struct sb_faults *fs, const char *org, const char *path, long *latency_ms,
                     struct sb_fault *hit)
{
    *latency_ms = 0;
    ssize_t newest = -1;
    for (size_t i = 0; i < fs->len; i++) {
        struct sb_fault *f = &fs->items[i];
        if (f->org && (!org || strcmp(f->org, org) != 0))
            continue;
        if (!path_matches(f->path, path))
            continue;
        if (f->kind == SB_FAULT_LATENCY) {
            *latency_ms += f->ms;
            if (f->count > 0)
                f->count--;
        } else {
            newest = (ssize_t)i;
        }
    }
    if (newest >= 0) {
        sb_fault_copy(hit, &fs->items[newest]);
        if (fs->items[newest].count > 0)
            fs->items[newest].count--;
    }
    /* Drop the faults whose count ran out. */
    for (size_t i = fs->len; i-- > 0;)
        if (fs->items[i].count == 0)
            remove_at(fs, i);
    return newest >= 0;
}
