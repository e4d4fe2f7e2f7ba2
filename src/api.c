/* Building requests and reading responses of the Max AI API. Tolerant exactly as the contract
 * asks: only a patient's id is certain, nulls and unknown fields are fine, scopes may sit at
 * data.app.scopes; anything of the wrong JSON type makes the response a bad one. Every string
 * that leaves this file has been through text_sanitize. */
#include "api.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "restable.h"
#include "text.h"
#include "util.h"

static const char *const class_names[API_CLASS_COUNT] = {
    [API_OK] = "ok",
    [API_UNAUTHORIZED] = "unauthorized",
    [API_FORBIDDEN] = "forbidden",
    [API_NOT_FOUND] = "not_found",
    [API_BAD_REQUEST] = "bad_request",
    [API_RATE_LIMITED] = "rate_limited",
    [API_SERVER_ERROR] = "server_error",
    [API_BAD_RESPONSE] = "bad_response",
    [API_TIMEOUT] = "timeout",
    [API_CONNECT] = "connection",
    [API_DNS] = "dns",
    [API_TLS] = "tls",
    [API_BLOCKED] = "blocked",
    [API_PROXY] = "proxy",
    [API_LOCAL] = "local",
};

const char *api_class_name(enum api_class cls)
{
    return cls < API_CLASS_COUNT ? class_names[cls] : "unknown";
}

enum api_class api_class_from_name(const char *name)
{
    for (int c = 0; name && c < API_CLASS_COUNT; c++)
        if (strcmp(name, class_names[c]) == 0)
            return (enum api_class)c;
    return API_CLASS_COUNT;
}

static enum api_class class_of_status(int status);

enum api_class api_class_of_logged(const char *name, int status)
{
    enum api_class cls = api_class_from_name(name);
    if (cls < API_CLASS_COUNT)
        return cls; /* the logged class first: a 403 from a proxy is "blocked" */
    if (status == 0)
        return API_CONNECT;
    return class_of_status(status);
}

bool api_class_is_auth(enum api_class cls)
{
    return cls == API_UNAUTHORIZED || cls == API_FORBIDDEN;
}

bool api_class_is_transient(enum api_class cls)
{
    return cls == API_TIMEOUT || cls == API_CONNECT || cls == API_DNS ||
           cls == API_SERVER_ERROR || cls == API_BAD_RESPONSE;
}

/* --- requests --------------------------------------------------------------------------- */

static void append_encoded(char **buf, size_t *len, size_t *cap, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        if (*len + 4 > *cap) {
            *cap = *cap * 2 + 16;
            *buf = xrealloc(*buf, *cap);
        }
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            (*buf)[(*len)++] = (char)c;
        } else {
            (*buf)[(*len)++] = '%';
            (*buf)[(*len)++] = hex[c >> 4];
            (*buf)[(*len)++] = hex[c & 15];
        }
    }
    (*buf)[*len] = '\0';
}

char *api_url(const char *base_url, enum api_endpoint ep, long page, long page_size,
              const char *search, const char *id)
{
    size_t cap = strlen(base_url) + 64, len;
    char *buf = xmalloc(cap);
    len = (size_t)snprintf(buf, cap, "%s%s", base_url,
                           ep == API_ME ? "/marketplace/me" : ep == API_PATIENTS ? "/patients"
                                                                               : "/patients/");
    if (ep == API_PATIENT) {
        append_encoded(&buf, &len, &cap, id ? id : "");
        return buf;
    }
    if (ep == API_PATIENTS) {
        char q[64];
        int n = 0;
        if (page > 0 && page_size > 0)
            n = snprintf(q, sizeof q, "?page=%ld&pageSize=%ld", page, page_size);
        else if (page > 0)
            n = snprintf(q, sizeof q, "?page=%ld", page);
        else if (page_size > 0)
            n = snprintf(q, sizeof q, "?pageSize=%ld", page_size);
        if (len + (size_t)n + 1 > cap) {
            cap = len + (size_t)n + 16;
            buf = xrealloc(buf, cap);
        }
        memcpy(buf + len, q, (size_t)n + 1);
        len += (size_t)n;
        if (search && *search) {
            if (len + 16 > cap) {
                cap = len + 16;
                buf = xrealloc(buf, cap);
            }
            len += (size_t)snprintf(buf + len, cap - len, "%s", n ? "&search=" : "?search=");
            append_encoded(&buf, &len, &cap, search);
        }
    }
    return buf;
}

/* Appends "?" or "&", then name=value with value percent-encoded. */
static void append_param(char **buf, size_t *len, size_t *cap, const char *name,
                         const char *value)
{
    size_t need = *len + strlen(name) + 4;
    if (need > *cap) {
        *cap = need * 2;
        *buf = xrealloc(*buf, *cap);
    }
    *len += (size_t)snprintf(*buf + *len, *cap - *len, "%c%s=", strchr(*buf, '?') ? '&' : '?',
                             name);
    append_encoded(buf, len, cap, value);
}

/* base_url + path with "{id}" replaced by id, percent-encoded. */
static char *path_url(const char *base_url, const char *path, const char *id, size_t *len,
                      size_t *cap)
{
    *cap = strlen(base_url) + strlen(path) + 64;
    char *buf = xmalloc(*cap);
    const char *hole = strstr(path, "{id}");
    *len = (size_t)snprintf(buf, *cap, "%s%.*s", base_url,
                            (int)(hole ? (size_t)(hole - path) : strlen(path)), path);
    if (hole) {
        append_encoded(&buf, len, cap, id ? id : "");
        const char *rest = hole + 4;
        if (*len + strlen(rest) + 1 > *cap) {
            *cap = *len + strlen(rest) + 64;
            buf = xrealloc(buf, *cap);
        }
        *len += (size_t)snprintf(buf + *len, *cap - *len, "%s", rest);
    }
    return buf;
}

char *api_list_url(const char *base_url, int res, long page, long page_size, const char *search,
                   const char *filters, const char *parent_id)
{
    const struct resource *r = res_at(res);
    size_t len, cap;
    char *buf = path_url(base_url, r ? r->path : "/", parent_id, &len, &cap);
    if (!r)
        return buf;
    char num[32];
    if (r->paged && page > 0) {
        snprintf(num, sizeof num, "%ld", page);
        append_param(&buf, &len, &cap, "page", num);
    }
    if (r->paged && page_size > 0) {
        snprintf(num, sizeof num, "%ld", page_size);
        append_param(&buf, &len, &cap, "pageSize", num);
    }
    if (search && *search && res_has_filter(r, "search"))
        append_param(&buf, &len, &cap, "search", search);
    /* "name=value name=value": a value runs to the next blank. */
    for (const char *f = filters ? filters : ""; *f;) {
        f += strspn(f, " ");
        size_t n = strcspn(f, " ");
        const char *eq = memchr(f, '=', n);
        if (eq && eq > f) {
            char *name = xstrndup(f, (size_t)(eq - f));
            char *value = xstrndup(eq + 1, n - (size_t)(eq - f) - 1);
            if (*value && strcmp(name, "search") != 0 && res_has_filter(r, name))
                append_param(&buf, &len, &cap, name, value);
            free(name);
            free(value);
        }
        f += n;
    }
    return buf;
}

char *api_item_url(const char *base_url, int res, const char *id)
{
    const struct resource *r = res_at(res);
    if (!r || !r->detail_path)
        return NULL;
    size_t len, cap;
    return path_url(base_url, r->detail_path, id, &len, &cap);
}

char *api_path_of_url(const char *url)
{
    const char *p = strstr(url, "://");
    p = p ? strchr(p + 3, '/') : url;
    if (!p)
        return xstrdup("/");
    size_t n = strcspn(p, "?#");
    return xstrndup(p, n);
}

char *api_auth_header(const char *key)
{
    return xasprintf("Authorization: Bearer %s", key);
}

bool api_header_value_ok(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return false;
    return true;
}

/* --- rate-limit headers ------------------------------------------------------------------ */

void api_ratelimit_init(struct api_ratelimit *rl)
{
    rl->limit = rl->remaining = rl->retry_after = -1;
    rl->reset = rl->retry_at = -1;
}

static bool header_is(const char *line, size_t len, const char *name, const char **value,
                      size_t *vlen)
{
    size_t n = strlen(name);
    if (len <= n || strncasecmp(line, name, n) != 0 || line[n] != ':')
        return false;
    const char *v = line + n + 1, *end = line + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
        end--;
    *value = v;
    *vlen = (size_t)(end - v);
    return true;
}

/* A non-negative decimal number of at most 18 digits, else -1. */
static long long header_number(const char *v, size_t n)
{
    if (n == 0 || n > 18)
        return -1;
    long long x = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return -1;
        x = x * 10 + (v[i] - '0');
    }
    return x;
}

/* A count no larger than a billion, else -1. */
static long header_count(const char *v, size_t n)
{
    long long x = header_number(v, n);
    return x <= 1000000000LL ? (long)x : -1;
}

void api_ratelimit_header(struct api_ratelimit *rl, const char *line, size_t len)
{
    const char *v;
    size_t n;
    if (header_is(line, len, "X-RateLimit-Limit", &v, &n))
        rl->limit = header_count(v, n);
    else if (header_is(line, len, "X-RateLimit-Remaining", &v, &n))
        rl->remaining = header_count(v, n);
    else if (header_is(line, len, "X-RateLimit-Reset", &v, &n))
        rl->reset = header_number(v, n);
    else if (header_is(line, len, "Retry-After", &v, &n)) {
        rl->retry_after = header_count(v, n);
        long long at;
        if (rl->retry_after < 0 && api_parse_http_date(v, n, &at))
            rl->retry_at = at;
    }
}

static int month_of(const char *m)
{
    static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    for (int i = 0; i < 12; i++)
        if (strncmp(names + 3 * i, m, 3) == 0)
            return i;
    return -1;
}

bool api_parse_http_date(const char *s, size_t n, long long *t)
{
    char buf[64], mon[4] = "", zone[4] = "";
    if (n == 0 || n >= sizeof buf)
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    int day, year, hh, mm, ss;
    const char *comma = strchr(buf, ',');
    /* Day names are not checked: only the date says when. */
    if (comma && sscanf(comma + 1, " %2d %3s %4d %2d:%2d:%2d %3s", &day, mon, &year, &hh, &mm,
                        &ss, zone) == 7) {
        /* IMF-fixdate */
    } else if (comma && sscanf(comma + 1, " %2d-%3s-%2d %2d:%2d:%2d %3s", &day, mon, &year, &hh,
                               &mm, &ss, zone) == 7) {
        year += year < 70 ? 2000 : 1900; /* RFC 850 */
    } else if (!comma && sscanf(buf, "%*3s %3s %2d %2d:%2d:%2d %4d", mon, &day, &hh, &mm, &ss,
                                &year) == 6) {
        strcpy(zone, "GMT"); /* asctime: always UTC */
    } else {
        return false;
    }
    int m = month_of(mon);
    if (m < 0 || strcmp(zone, "GMT") != 0 || day < 1 || day > 31 || hh > 23 || mm > 59 ||
        ss > 60 || year < 1970 || year > 9999)
        return false;
    struct tm tm = {.tm_year = year - 1900, .tm_mon = m, .tm_mday = day, .tm_hour = hh,
                    .tm_min = mm, .tm_sec = ss};
    time_t at = timegm(&tm);
    if (at == (time_t)-1)
        return false;
    *t = (long long)at;
    return true;
}

bool api_reset_plausible(long long reset, double now)
{
    return reset >= 0 && (double)reset <= now + 2.0 * API_RATE_WINDOW_S;
}

double api_rate_wait(const struct api_ratelimit *rl, double now)
{
    if (rl->retry_after >= 0)
        return (double)rl->retry_after;
    if (rl->retry_at >= 0)
        return (double)rl->retry_at > now ? (double)rl->retry_at - now : 0.0;
    if (rl->reset >= 0 && api_reset_plausible(rl->reset, now))
        return (double)rl->reset > now ? (double)rl->reset - now : 0.0;
    return -1;
}

bool api_header_get(const char *line, size_t len, const char *name, char *out, size_t outsize)
{
    const char *v;
    size_t n;
    if (outsize == 0 || !header_is(line, len, name, &v, &n))
        return false;
    char *clean = text_sanitize(v, n);
    bprintf(out, outsize, "%s", clean);
    utf8_trim_partial(out);
    free(clean);
    return true;
}

/* --- parsing helpers --------------------------------------------------------------------- */

struct parse {
    char why[160]; /* the first type problem found */
};

static bool bad(struct parse *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool bad(struct parse *ps, const char *fmt, ...)
{
    if (!ps->why[0]) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ps->why, sizeof ps->why, fmt, ap);
        va_end(ap);
    }
    return false;
}

static char *clean_json_string(json_t *v)
{
    return text_sanitize(json_string_value(v), json_string_length(v));
}

/* An optional string: absent or null gives NULL; another type is a problem when strict. */
static bool opt_string(struct parse *ps, json_t *obj, const char *field, const char *where,
                       bool strict, char **out)
{
    json_t *v = json_object_get(obj, field);
    *out = NULL;
    if (!v || json_is_null(v))
        return true;
    if (!json_is_string(v))
        return strict ? bad(ps, "%s.%s is not a string", where, field) : true;
    *out = clean_json_string(v);
    return true;
}

/* An optional object: absent or null gives NULL. */
static bool opt_object(struct parse *ps, json_t *obj, const char *field, const char *where,
                       json_t **out)
{
    json_t *v = json_object_get(obj, field);
    *out = NULL;
    if (!v || json_is_null(v))
        return true;
    if (!json_is_object(v))
        return bad(ps, "%s.%s is not an object", where, field);
    *out = v;
    return true;
}

static bool opt_count(struct parse *ps, json_t *obj, const char *field, long *out)
{
    json_t *v = json_object_get(obj, field);
    *out = -1;
    if (!v || json_is_null(v))
        return true;
    double x = json_number_value(v);
    if (!json_is_number(v) || x < 0 || x > 1000000000 || x != (double)(long)x)
        return bad(ps, "data.pagination.%s is not a count", field);
    *out = (long)x;
    return true;
}

/* The success envelope: {"code": "success", "data": ...}; code may be missing. */
static json_t *success_data(struct parse *ps, json_t *root)
{
    if (!json_is_object(root))
        return bad(ps, "the body is not a JSON object"), NULL;
    json_t *code = json_object_get(root, "code");
    if (code && !(json_is_string(code) && strcmp(json_string_value(code), "success") == 0))
        return bad(ps, "\"code\" is not \"success\""), NULL;
    json_t *data = json_object_get(root, "data");
    if (!json_is_object(data))
        return bad(ps, "\"data\" is %s", data ? "not an object" : "missing"), NULL;
    return data;
}

static bool parse_scopes(struct parse *ps, json_t *arr, const char *where, struct api_me *me)
{
    if (!json_is_array(arr))
        return bad(ps, "%s is not an array", where);
    me->scopes = xcalloc(json_array_size(arr) + 1, sizeof *me->scopes);
    size_t i;
    json_t *s;
    json_array_foreach(arr, i, s) {
        if (!json_is_string(s))
            return bad(ps, "%s[%zu] is not a string", where, i);
        me->scopes[me->nscopes++] = clean_json_string(s);
    }
    return true;
}

static bool parse_me(struct parse *ps, json_t *data, struct api_me *me)
{
    json_t *app, *org;
    if (!opt_object(ps, data, "app", "data", &app) ||
        !opt_object(ps, data, "organization", "data", &org))
        return false;
    if (app && (!opt_string(ps, app, "id", "data.app", true, &me->app_id) ||
                !opt_string(ps, app, "slug", "data.app", true, &me->app_slug) ||
                !opt_string(ps, app, "liveVersionId", "data.app", true, &me->app_live_version)))
        return false;
    if (org && !opt_string(ps, org, "id", "data.organization", true, &me->org_id))
        return false;
    json_t *scopes = json_object_get(data, "scopes");
    if (scopes && !json_is_null(scopes))
        return parse_scopes(ps, scopes, "data.scopes", me);
    json_t *app_scopes = app ? json_object_get(app, "scopes") : NULL;
    if (app_scopes && !json_is_null(app_scopes)) {
        me->scopes_from_app = true;
        return parse_scopes(ps, app_scopes, "data.app.scopes", me);
    }
    return true;
}

static bool parse_patient(struct parse *ps, json_t *obj, const char *where, struct api_patient *p)
{
    if (!json_is_object(obj))
        return bad(ps, "%s is not an object", where);
    json_t *id = json_object_get(obj, "id");
    if (!json_is_string(id) || json_string_length(id) == 0)
        return bad(ps, "%s.id is %s", where, id ? "not a string" : "missing");
    /* Checked after cleaning: an id of control characters alone would become "" and turn the
     * detail request into GET /patients. */
    char *clean_id = clean_json_string(id);
    if (!*clean_id) {
        free(clean_id);
        return bad(ps, "%s.id has no printable character", where);
    }
    p->id = clean_id;
    /* Beyond the id, a field of an unexpected type is shown as missing rather than failing
     * the whole page: the contract promises nothing about them. */
    opt_string(ps, obj, "mrn", where, false, &p->mrn);
    opt_string(ps, obj, "firstName", where, false, &p->first);
    opt_string(ps, obj, "middleName", where, false, &p->middle);
    opt_string(ps, obj, "lastName", where, false, &p->last);
    opt_string(ps, obj, "gender", where, false, &p->gender);
    opt_string(ps, obj, "dateOfBirth", where, false, &p->dob);
    opt_string(ps, obj, "email", where, false, &p->email);
    opt_string(ps, obj, "phone", where, false, &p->phone);
    opt_string(ps, obj, "createdAt", where, false, &p->created);
    opt_string(ps, obj, "updatedAt", where, false, &p->updated);
    return true;
}

static void parse_row(const struct resource *r, json_t *obj, struct api_row *row);

static bool parse_page(struct parse *ps, json_t *data, struct api_page *pg)
{
    json_t *list = json_object_get(data, "patients");
    if (!json_is_array(list))
        return bad(ps, "data.patients is %s", list ? "not an array" : "missing");
    json_t *pag;
    if (!opt_object(ps, data, "pagination", "data", &pag))
        return false;
    pg->page = pg->page_size = pg->total_count = pg->total_pages = -1;
    if (pag && (!opt_count(ps, pag, "page", &pg->page) ||
                !opt_count(ps, pag, "pageSize", &pg->page_size) ||
                !opt_count(ps, pag, "totalCount", &pg->total_count) ||
                !opt_count(ps, pag, "totalPages", &pg->total_pages)))
        return false;
    pg->items = xcalloc(json_array_size(list) + 1, sizeof *pg->items);
    /* The same page as the resource table's rows, which the screen draws. */
    const struct resource *r = res_at(res_patients());
    pg->rows = (struct api_rows){.page = pg->page, .page_size = pg->page_size,
                                 .total_count = pg->total_count, .total_pages = pg->total_pages};
    pg->rows.items = xcalloc(json_array_size(list) + 1, sizeof *pg->rows.items);
    size_t i;
    json_t *p;
    json_array_foreach(list, i, p) {
        char where[48];
        snprintf(where, sizeof where, "data.patients[%zu]", i);
        if (!parse_patient(ps, p, where, &pg->items[pg->len]))
            return false;
        pg->len++;
        parse_row(r, p, &pg->rows.items[pg->rows.len++]);
    }
    return true;
}

/* --- any resource, by the table ---------------------------------------------------------- *
 *
 * The table (resource.h) names each column by a dotted path, with '|' between the shapes of
 * the API's generations. Nothing beyond the list itself is promised by the contract, so a
 * field that is missing, null or of a type a cell cannot show costs one cell, never the row
 * or the page. */

/* The value at a dotted path ("patient.lastName") of obj: NULL when a step is missing or
 * null; *wrong when a step is not an object. */
static json_t *at_path(json_t *obj, const char *path, size_t n, bool *wrong)
{
    *wrong = false;
    json_t *v = obj;
    while (n > 0) {
        size_t seg = 0;
        while (seg < n && path[seg] != '.')
            seg++;
        if (json_is_array(v) && v != obj)
            v = json_array_get(v, 0); /* a link or column through an array: its first */
        if (!json_is_object(v)) {
            *wrong = v && !json_is_null(v);
            return NULL;
        }
        char key[64];
        if (seg >= sizeof key)
            return NULL;
        memcpy(key, path, seg);
        key[seg] = '\0';
        v = json_object_get(v, key);
        if (!v || json_is_null(v))
            return NULL;
        path += seg;
        n -= seg;
        if (n > 0) {
            path++;
            n--;
        }
    }
    return v;
}

/* The first alternative of path ("a.b|c") present in obj. */
static json_t *at_paths(json_t *obj, const char *path, bool *wrong)
{
    bool any_wrong = false;
    for (const char *p = path; p && *p;) {
        size_t n = strcspn(p, "|");
        bool w;
        json_t *v = at_path(obj, p, n, &w);
        if (v)
            return *wrong = false, v;
        any_wrong |= w;
        p += n + (p[n] == '|');
    }
    *wrong = any_wrong;
    return NULL;
}

/* A number as a cell: whole numbers without a fraction. */
static void number_text(double x, char *buf, size_t size)
{
    if (x > -1e15 && x < 1e15 && x == (double)(long long)x) /* range first: UB outside */
        snprintf(buf, size, "%lld", (long long)x);
    else
        snprintf(buf, size, "%g", x);
}

/* The text of a scalar: sanitized string, number, yes/no; NULL for an object or array. */
static char *scalar_text(json_t *v)
{
    char num[48];
    if (json_is_string(v))
        return clean_json_string(v);
    if (json_is_number(v)) {
        number_text(json_number_value(v), num, sizeof num);
        return xstrdup(num);
    }
    if (json_is_boolean(v))
        return xstrdup(json_is_true(v) ? "yes" : "no");
    if (!v || json_is_null(v))
        return xstrdup("");
    return NULL;
}

/* A cell: a scalar; an array of scalars joined by ", " ("Physician, Surgeon"); "?" for
 * anything else. */
static char *cell_text(json_t *v, bool wrong)
{
    if (wrong)
        return xstrdup("?");
    char *s = scalar_text(v);
    if (s)
        return s;
    if (!json_is_array(v))
        return xstrdup("?");
    size_t len = 0, cap = 64;
    char *out = xmalloc(cap);
    out[0] = '\0';
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item) {
        char *t = scalar_text(item);
        if (!t) {
            free(out);
            return xasprintf("[%zu]", json_array_size(v));
        }
        size_t need = len + strlen(t) + 3;
        if (need > cap) {
            cap = need * 2;
            out = xrealloc(out, cap);
        }
        len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? ", " : "", t);
        free(t);
    }
    return out;
}

/* The sanitized string at path ('|' alternatives) of obj; NULL when missing, null, empty or
 * not a string. */
static char *string_at(json_t *obj, const char *path, size_t n)
{
    char alts[256];
    if (n >= sizeof alts)
        return NULL;
    memcpy(alts, path, n);
    alts[n] = '\0';
    bool wrong;
    json_t *v = at_paths(obj, alts, &wrong);
    if (!json_is_string(v))
        return NULL;
    char *s = clean_json_string(v);
    if (!*s) {
        free(s);
        return NULL;
    }
    return s;
}

/* Bytes of the first UTF-8 character of s (s not empty). */
static size_t first_char_len(const char *s)
{
    size_t n = 1;
    while (s[n] && ((unsigned char)s[n] & 0xC0) == 0x80)
        n++;
    return n;
}

/* "Last, First M." from path "last+first+middle"; "" when neither last nor first is there. */
static char *name_text(json_t *obj, const char *path)
{
    char *part[3] = {NULL, NULL, NULL};
    const char *p = path;
    for (int i = 0; i < 3 && *p; i++) {
        size_t n = strcspn(p, "+");
        part[i] = string_at(obj, p, n);
        p += n + (p[n] == '+');
    }
    char *out;
    if (!part[0] && !part[1])
        out = xstrdup("");
    else
        out = xasprintf("%s%s%s%s%.*s%s", part[0] ? part[0] : "", part[0] && part[1] ? ", " : "",
                        part[1] ? part[1] : "", part[2] ? " " : "",
                        part[2] ? (int)first_char_len(part[2]) : 0, part[2] ? part[2] : "",
                        part[2] ? "." : "");
    for (int i = 0; i < 3; i++)
        free(part[i]);
    return out;
}

/* The text of path in obj as format wants it (resources.def, COLUMN_AS): never NULL, "" for
 * a missing or null value; "?" for a TEXT value of a type a cell cannot show. */
static char *formatted(json_t *obj, const char *path, enum res_format format)
{
    if (format == RES_NAME)
        return name_text(obj, path);
    if (format == RES_INITIAL) {
        char *s = string_at(obj, path, strlen(path));
        if (!s)
            return xstrdup("");
        s[first_char_len(s)] = '\0';
        return s;
    }
    bool wrong;
    json_t *v = at_paths(obj, path, &wrong);
    return cell_text(v, wrong);
}

static void parse_row(const struct resource *r, json_t *obj, struct api_row *row)
{
    row->ncells = r->ncols;
    row->cells = xcalloc(r->ncols + 1, sizeof *row->cells);
    row->nlinks = r->nlinks;
    row->links = xcalloc(r->nlinks + 1, sizeof *row->links);
    json_t *id = json_object_get(obj, "id");
    if (json_is_string(id)) {
        char *clean = clean_json_string(id);
        if (*clean)
            row->id = clean;
        else
            free(clean); /* no printable character: no detail to open */
    }
    for (size_t c = 0; c < r->ncols; c++)
        row->cells[c] = formatted(obj, r->cols[c].path, r->cols[c].format);
    for (size_t l = 0; l < r->nlinks; l++) {
        bool wrong;
        json_t *v = at_paths(obj, r->links[l].path, &wrong);
        if (json_is_string(v) && json_string_length(v) > 0) {
            char *clean = clean_json_string(v);
            if (*clean)
                row->links[l] = clean;
            else
                free(clean);
        }
    }
}

static bool parse_rows(struct parse *ps, const struct resource *r, json_t *data,
                       struct api_rows *pg)
{
    json_t *list = json_object_get(data, r->list_key);
    if (!json_is_array(list))
        return bad(ps, "data.%s is %s", r->list_key, list ? "not an array" : "missing");
    json_t *pag;
    if (!opt_object(ps, data, "pagination", "data", &pag))
        return false;
    if (pag && (!opt_count(ps, pag, "page", &pg->page) ||
                !opt_count(ps, pag, "pageSize", &pg->page_size) ||
                !opt_count(ps, pag, "totalCount", &pg->total_count) ||
                !opt_count(ps, pag, "totalPages", &pg->total_pages)))
        return false;
    pg->items = xcalloc(json_array_size(list) + 1, sizeof *pg->items);
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item) {
        if (!json_is_object(item))
            return bad(ps, "data.%s[%zu] is not an object", r->list_key, i);
        parse_row(r, item, &pg->items[pg->len++]);
    }
    return true;
}

/* Field names that are a patient's wherever they appear under a patient (or are the patient
 * resource): the privacy mode's rule for detail lines, beyond the table's own columns. */
static bool phi_name(const char *leaf)
{
    static const char *const names[] = {
        "firstName", "middleName", "lastName", "dateOfBirth", "dob", "email", "phone", "mrn",
        "gender", "avatar", "address", "subscriberName", "memberId", "policyNumber",
        "groupNumber", "patientFirstName", "patientLastName", "patientDob", "patientMrn",
        "patientName", "notes", NULL};
    for (const char *const *n = names; *n; n++)
        if (strcasecmp(leaf, *n) == 0)
            return true;
    return false;
}

/* path without its [n] indices, for comparing with the table's paths. */
static void strip_indices(const char *path, char *out, size_t size)
{
    size_t o = 0;
    for (const char *p = path; *p && o + 1 < size; p++) {
        if (*p == '[') {
            const char *end = strchr(p, ']');
            if (end) {
                p = end;
                continue;
            }
        }
        out[o++] = *p;
    }
    out[o] = '\0';
}

/* Whether plain (no indices) is one of the '|' alternatives of paths. */
static bool path_is_one_of(const char *plain, const char *paths)
{
    size_t n = strlen(plain);
    for (const char *p = paths; p && *p;) {
        size_t k = strcspn(p, "|");
        if (k == n && strncmp(p, plain, n) == 0)
            return true;
        p += k + (p[k] == '|');
    }
    return false;
}

static bool field_phi(const struct resource *r, const char *path)
{
    char plain[256];
    strip_indices(path, plain, sizeof plain);
    for (size_t c = 0; c < r->ncols; c++)
        if (r->cols[c].phi && path_is_one_of(plain, r->cols[c].path))
            return true;
    const char *leaf = strrchr(plain, '.');
    leaf = leaf ? leaf + 1 : plain;
    if (strcasestr(plain, "soap"))
        return true; /* a note's clinical content */
    bool under_patient = r == res_at(res_patients()) ||
                         strncasecmp(plain, "patient", 7) == 0 || strstr(plain, ".patient") ||
                         strcasestr(plain, "insurance");
    return under_patient && phi_name(leaf);
}

struct flat {
    const struct resource *r;
    struct api_detail *d;
    size_t cap;
};

static void flat_add(struct flat *f, const char *path, char *value)
{
    if (f->d->n >= API_DETAIL_MAX) {
        f->d->cut = true;
        free(value);
        return;
    }
    if (f->d->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 32;
        f->d->fields = xrealloc(f->d->fields, f->cap * sizeof *f->d->fields);
    }
    struct api_field *fl = &f->d->fields[f->d->n++];
    fl->path = text_clean(path);
    fl->value = value;
    fl->phi = field_phi(f->r, path);
    fl->link = -1;
    fl->link_id = NULL;
}

#define API_DETAIL_DEPTH 12

static void flatten(struct flat *f, json_t *v, const char *path, int depth)
{
    char sub[320];
    if (json_is_object(v)) {
        if (json_object_size(v) == 0) {
            flat_add(f, path, xstrdup("{}"));
            return;
        }
        if (depth >= API_DETAIL_DEPTH) {
            f->d->cut = true;
            flat_add(f, path, xstrdup("{…}"));
            return;
        }
        const char *key;
        json_t *item;
        json_object_foreach(v, key, item) {
            /* Keys come from the body: cleaned with the path (text_clean in flat_add). */
            if (!bprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", key)) {
                f->d->cut = true;
                continue;
            }
            flatten(f, item, sub, depth + 1);
        }
        return;
    }
    if (json_is_array(v)) {
        if (json_array_size(v) == 0) {
            flat_add(f, path, xstrdup("[]"));
            return;
        }
        if (depth >= API_DETAIL_DEPTH) {
            f->d->cut = true;
            flat_add(f, path, xstrdup("[…]"));
            return;
        }
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item) {
            if (!bprintf(sub, sizeof sub, "%s[%zu]", path, i)) {
                f->d->cut = true;
                continue;
            }
            flatten(f, item, sub, depth + 1);
        }
        return;
    }
    char *s = scalar_text(v);
    flat_add(f, path, json_is_null(v) ? (free(s), xstrdup("null")) : s);
}

/* Marks the lines of each linked object: with link path "patient.id", every "patient.*" line
 * opens that patient; with "assignedProviders.id", every "assignedProviders[i].*" line opens
 * provider i; a flat link ("patientId") marks its own line. Works on the flattened lines, so
 * arrays need nothing special: the id is the line "<concrete parent>.id". */
static void mark_links(const struct resource *r, struct api_detail *d)
{
    char plain[256];
    for (size_t i = 0; i < d->n; i++) {
        struct api_field *fl = &d->fields[i];
        strip_indices(fl->path, plain, sizeof plain);
        for (size_t l = 0; l < r->nlinks && fl->link < 0; l++) {
            for (const char *p = r->links[l].path; p && *p && fl->link < 0;) {
                size_t k = strcspn(p, "|");
                size_t parent = k;
                while (parent > 0 && p[parent - 1] != '.')
                    parent--;
                if (strlen(plain) == k && strncmp(plain, p, k) == 0 && parent == 0) {
                    if (fl->value[0] && strcmp(fl->value, "null") != 0) {
                        fl->link = r->links[l].target;
                        fl->link_id = xstrdup(fl->value);
                    }
                } else if (parent > 0 && strncmp(plain, p, parent) == 0) {
                    /* The concrete parent: as many '.'-steps of fl->path as p's parent has. */
                    size_t dots = 0, cut = 0;
                    for (size_t c = 0; c < parent; c++)
                        dots += p[c] == '.';
                    for (const char *q = fl->path; *q; q++) {
                        if (*q == '.' && --dots == 0) {
                            cut = (size_t)(q - fl->path) + 1;
                            break;
                        }
                    }
                    if (cut) {
                        char idpath[320];
                        bprintf(idpath, sizeof idpath, "%.*s%.*s", (int)cut, fl->path,
                                (int)(k - parent), p + parent);
                        for (size_t j = 0; j < d->n; j++) {
                            if (strcmp(d->fields[j].path, idpath) == 0 &&
                                d->fields[j].value[0] && strcmp(d->fields[j].value, "null")) {
                                fl->link = r->links[l].target;
                                fl->link_id = xstrdup(d->fields[j].value);
                                break;
                            }
                        }
                    }
                }
                p += k + (p[k] == '|');
            }
        }
    }
}

/* A record as its form (resources.def, FIELD): one line per field, labelled, in the table's
 * order; "" for a missing value. */
static bool parse_form(const struct resource *r, json_t *data, struct api_detail *d)
{
    json_t *id = json_object_get(data, "id");
    if (json_is_string(id))
        d->id = clean_json_string(id);
    d->fields = xcalloc(r->nfields + 1, sizeof *d->fields);
    for (size_t f = 0; f < r->nfields; f++) {
        struct api_field *fl = &d->fields[d->n++];
        fl->path = xstrdup(r->fields[f].label);
        fl->value = formatted(data, r->fields[f].path, r->fields[f].format);
        fl->phi = r->fields[f].phi;
        fl->link = -1;
    }
    return true;
}

static bool parse_detail(struct parse *ps, const struct resource *r, json_t *data,
                         struct api_detail *d)
{
    if (r->detail_key) {
        /* data.<detail_key> (G0 wraps a change and a product so); a detail that is data
         * itself is taken too: the versions differ and the contract promises neither. */
        json_t *inner = json_object_get(data, r->detail_key);
        if (inner && !json_is_null(inner)) {
            if (!json_is_object(inner))
                return bad(ps, "data.%s is not an object", r->detail_key);
            data = inner;
        }
    }
    json_t *id = json_object_get(data, "id");
    if (json_is_string(id)) {
        char *clean = clean_json_string(id);
        if (*clean)
            d->id = clean;
        else
            free(clean);
    }
    struct flat f = {r, d, 0};
    flatten(&f, data, "", 0);
    mark_links(r, d);
    return true;
}

/* --- classification ---------------------------------------------------------------------- */

/* jansson's flags for every body of the API: NUL is a control character like any other
 * (text_sanitize drops it), and integers go in as reals so that a number too large for a
 * json_int_t in a field maxdash never reads does not make the whole body unreadable (issue 15,
 * case 3). The counts maxdash does read are checked to be whole numbers in range. */
#define API_JSON_FLAGS (JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL)

bool api_is_error_envelope(const char *body, size_t len)
{
    json_t *root = json_loadb(body ? body : "", len, API_JSON_FLAGS, NULL);
    bool ok = json_is_object(root) && json_is_string(json_object_get(root, "code"));
    json_decref(root);
    return ok;
}

static void parse_error_envelope(const char *body, size_t len, struct api_error *e)
{
    json_t *root = json_loadb(body, len, API_JSON_FLAGS, NULL);
    if (json_is_object(root)) {
        struct parse ps = {{0}};
        opt_string(&ps, root, "code", "", false, &e->code);
        opt_string(&ps, root, "message", "", false, &e->message);
        opt_string(&ps, root, "trace_id", "", false, &e->trace_id);
    }
    json_decref(root);
    static const char marker[] = "Required: ";
    const char *at = e->message ? strstr(e->message, marker) : NULL;
    if (at) {
        at += sizeof marker - 1;
        size_t n = strcspn(at, " ,;");
        if (n > 0)
            e->required_scope = xstrndup(at, n);
    }
}

void api_proxy_host(const char *proxy_url, char *out, size_t outsize)
{
    const char *p = proxy_url ? proxy_url : "";
    const char *scheme = strstr(p, "://");
    if (scheme)
        p = scheme + 3;
    size_t n = strcspn(p, "/?#");
    /* The last '@' before the path ends the credentials (a password may hold '@'). */
    for (size_t i = n; i-- > 0;) {
        if (p[i] == '@') {
            p += i + 1;
            n -= i + 1;
            break;
        }
    }
    char *clean = text_sanitize(p, n);
    bprintf(out, outsize, "%s", clean);
    utf8_trim_partial(out);
    free(clean);
}

bool api_proxy_from_env(const char *url, char *out, size_t outsize)
{
    bool https = url && strncasecmp(url, "https:", 6) == 0;
    static const char *const for_http[] = {"http_proxy", "all_proxy", "ALL_PROXY", NULL};
    static const char *const for_https[] = {"https_proxy", "HTTPS_PROXY", "all_proxy",
                                            "ALL_PROXY", NULL};
    const char *no = getenv("no_proxy");
    if (!no || !*no)
        no = getenv("NO_PROXY");
    if (outsize)
        out[0] = '\0';
    if (no && strcmp(no, "*") == 0)
        return false;
    for (const char *const *v = https ? for_https : for_http; *v; v++) {
        const char *val = getenv(*v);
        if (val && *val) {
            char host[200];
            api_proxy_host(val, host, sizeof host);
            bprintf(out, outsize, "%s (%s)", host, *v);
            return true;
        }
    }
    return false;
}

static enum api_class class_of_status(int status)
{
    if (status == 401)
        return API_UNAUTHORIZED;
    if (status == 403)
        return API_FORBIDDEN;
    if (status == 404)
        return API_NOT_FOUND;
    if (status == 429)
        return API_RATE_LIMITED;
    if (status == 407)
        return API_PROXY;
    if (status >= 500)
        return API_SERVER_ERROR;
    if (status >= 400)
        return API_BAD_REQUEST;
    return API_BAD_RESPONSE; /* 1xx or 3xx: nothing the API documents */
}

static const char *transport_text(enum api_transport tr)
{
    switch (tr) {
    case API_TR_TIMEOUT: return "timed out";
    case API_TR_CONNECT: return "connection failed";
    case API_TR_DNS: return "host name not resolved";
    case API_TR_TLS: return "TLS failure";
    case API_TR_TOO_LARGE: return "response larger than the size cap";
    case API_TR_PARTIAL: return "connection closed mid-response (truncated)";
    case API_TR_LOCAL: return "no socket could be opened on this machine";
    case API_TR_PROXY: return "the proxy refused to open a tunnel to the API";
    default: return "transfer failed";
    }
}

static char *summarize(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *summarize(const char *fmt, ...)
{
    char buf[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    utf8_trim_partial(buf);
    return text_clean(buf);
}

/* A 401/403/404/429 that is not the API's error JSON: a proxy, CDN or firewall answered (an
 * HTML page, a gateway's own JSON, an empty body). It says nothing about the key or the
 * clinic, so it is not an auth failure; the summary names what did answer (issue 15, case 1).
 * Other statuses keep their class: a 5xx page from a gateway is a server error either way. */
static const char *content_type_of(const char *ct, char *out, size_t size);

/* json_loadb, except that a number too large for a double (1e400, a 400-digit integer) does
 * not cost the whole body: jansson refuses it, so its token is replaced by -1 in a copy and the
 * body read again (issue 15, case 3: a value maxdash may not even read). At most 64 such
 * numbers; jerr as json_loadb leaves it. */
static json_t *load_body(const char *body, size_t len, json_error_t *jerr)
{
    json_t *root = json_loadb(body, len, API_JSON_FLAGS, jerr);
    char *copy = NULL;
    for (int tries = 0; !root && tries < 64 && json_error_code(jerr) == json_error_numeric_overflow;
         tries++) {
        /* jansson stops right after the number it could not hold. */
        size_t end = jerr->position > 0 ? (size_t)jerr->position : 0;
        if (end > len)
            break;
        if (!copy) {
            copy = xmalloc(len ? len : 1);
            memcpy(copy, body, len);
        }
        size_t start = end;
        while (start > 0 && strchr("0123456789+-.eE", copy[start - 1]) && copy[start - 1])
            start--;
        if (end - start < 2)
            break;
        /* -1, not 0: a count maxdash reads must not silently become zero ("is not a count"). */
        memset(copy + start, ' ', end - start);
        copy[start] = '-';
        copy[start + 1] = '1';
        root = json_loadb(copy, len, API_JSON_FLAGS, jerr);
    }
    free(copy);
    return root;
}

static bool blocked_before_api(const struct api_response *resp, struct api_result *out)
{
    int st = resp->status;
    if ((st != 401 && st != 403 && st != 404 && st != 429) ||
        api_is_error_envelope(resp->body, resp->len))
        return false;
    out->cls = API_BLOCKED;
    char ct[96];
    const char *type = content_type_of(resp->content_type, ct, sizeof ct);
    out->summary = summarize("%d blocked before the API: server %.60s, %s%s, %zu bytes (not the "
                             "API's JSON error)",
                             st, resp->server && *resp->server ? resp->server : "not named",
                             type == ct ? "content type " : "", type, resp->len);
    return true;
}

/* The proxy answered instead of the API (issue 15, case 2): a 407, or a CONNECT it refused.
 * The summary names the proxy from the environment (never its credentials); the status is
 * the proxy's (407 when it asked for credentials), or 0 when only libcurl's message tells. */
static void proxy_refused(const struct api_response *resp, struct api_result *out)
{
    out->cls = API_PROXY;
    char who[256];
    if (resp->proxy && *resp->proxy)
        bprintf(who, sizeof who, "the proxy %.200s", resp->proxy);
    else
        bprintf(who, sizeof who, "a proxy (none set in the environment)");
    if (resp->status == 407)
        out->summary = summarize("407 from %s: proxy authentication required", who);
    else if (resp->status > 0)
        out->summary = summarize("%d from %s: it refused to open a tunnel to the API",
                                 resp->status, who);
    else
        out->summary = summarize("%s refused to open a tunnel to the API", who);
}

/* What is wrong with a body jansson refused, in the program's own words: jansson's text
 * quotes up to 20 bytes of the body, which may be a patient's. */
static const char *json_problem(const json_error_t *jerr)
{
    switch (json_error_code(jerr)) {
    case json_error_premature_end_of_input: return "it ends early";
    case json_error_end_of_input_expected: return "text after the JSON value";
    case json_error_invalid_utf8: return "invalid UTF-8";
    case json_error_null_character: return "a NUL byte";
    case json_error_stack_overflow: return "nested too deeply";
    case json_error_numeric_overflow: return "a number too large";
    case json_error_null_byte_in_key: return "a NUL byte in a key";
    case json_error_duplicate_key: return "a duplicate key";
    case json_error_out_of_memory: return "out of memory";
    default: return "invalid syntax";
    }
}

/* The media type of a Content-Type header ("text/html" of "text/html; charset=utf-8"), kept
 * only when it is made of token characters and fits out; else "no content type" or "an
 * unreadable content type". */
static const char *content_type_of(const char *ct, char *out, size_t size)
{
    if (!ct || !*ct)
        return "no content type";
    size_t n = strcspn(ct, ";");
    while (n > 0 && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
        n--;
    if (n == 0 || n >= size)
        return "an unreadable content type";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)ct[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              strchr("/!#$&^_.+-", c)))
            return "an unreadable content type";
    }
    memcpy(out, ct, n);
    out[n] = '\0';
    return out;
}

void api_interpret(const struct api_response *resp, struct api_result *out)
{
    memset(out, 0, sizeof *out);
    out->status = resp->status;
    out->retry_after = -1;
    out->page.page = out->page.page_size = out->page.total_count = out->page.total_pages = -1;
    out->rows.page = out->rows.page_size = out->rows.total_count = out->rows.total_pages = -1;

    switch (resp->transport) {
    case API_TR_OK:
        break;
    case API_TR_TOO_LARGE:
    case API_TR_PARTIAL:
        out->cls = API_BAD_RESPONSE;
        break;
    case API_TR_TIMEOUT:
        out->cls = API_TIMEOUT;
        break;
    case API_TR_DNS:
        out->cls = API_DNS;
        break;
    case API_TR_TLS:
        out->cls = API_TLS;
        break;
    case API_TR_PROXY:
        out->cls = API_PROXY;
        break;
    case API_TR_LOCAL:
        out->cls = API_LOCAL;
        break;
    default:
        out->cls = API_CONNECT;
        break;
    }
    if (out->cls == API_PROXY || (resp->transport == API_TR_OK && resp->status == 407)) {
        proxy_refused(resp, out);
        return;
    }
    if (resp->transport != API_TR_OK) {
        const char *what = transport_text(resp->transport);
        if (resp->transport_detail && *resp->transport_detail)
            out->summary = summarize("%s: %.200s", what, resp->transport_detail);
        else
            out->summary = summarize("%s", what);
        return;
    }

    int st = resp->status;
    if (st < 200 || st > 299) {
        out->cls = class_of_status(st);
        if (blocked_before_api(resp, out))
            return;
        /* The API documents its error envelope for 4xx and 5xx only: the body of anything
         * else is described, never read into strings. */
        if (st >= 400)
            parse_error_envelope(resp->body ? resp->body : "", resp->len, &out->err);
        if (out->cls == API_RATE_LIMITED && resp->rate)
            out->retry_after = resp->rate->retry_after;
        if (out->err.code || out->err.message)
            out->summary = summarize("%d %s: %s", st, out->err.code ? out->err.code : "error",
                                     out->err.message ? out->err.message : "(no message)");
        else
            out->summary = summarize("%d (the body is not the API's error JSON)", st);
        return;
    }

    struct parse ps = {{0}};
    json_error_t jerr;
    json_t *root = load_body(resp->body ? resp->body : "", resp->len, &jerr);
    bool ok = false;
    if (!root) {
        /* jerr.text quotes the body ("near '\"raph'"): only its code and offset are used. */
        char ctype[64];
        bad(&ps, "the body is not JSON (%s at byte %d of %zu, %s)", json_problem(&jerr),
            jerr.position, resp->len, content_type_of(resp->content_type, ctype, sizeof ctype));
    } else {
        json_t *data = success_data(&ps, root);
        if (data) {
            if (resp->endpoint == API_ME)
                ok = parse_me(&ps, data, &out->me);
            else if (resp->endpoint == API_PATIENTS)
                ok = parse_page(&ps, data, &out->page);
            else if (resp->endpoint == API_LIST || resp->endpoint == API_ITEM) {
                const struct resource *res = res_at(resp->resource);
                if (!res)
                    ok = bad(&ps, "no such resource");
                else if (resp->endpoint == API_LIST)
                    ok = parse_rows(&ps, res, data, &out->rows);
                else
                    ok = parse_detail(&ps, res, data, &out->detail);
            } else if (resp->endpoint == API_LIST_PROBE)
                ok = json_is_array(json_object_get(data, resp->list_key ? resp->list_key : "")) ||
                     bad(&ps, "data.%s is not an array", resp->list_key ? resp->list_key : "?");
            else
                ok = parse_patient(&ps, data, "data", &out->patient) &&
                     parse_form(res_at(res_patients()), data, &out->detail);
        }
    }
    json_decref(root);
    if (ok) {
        out->cls = API_OK;
        out->summary = summarize("%d OK", st);
        return;
    }
    out->cls = API_BAD_RESPONSE;
    out->summary = summarize("%d but %s", st, ps.why);
    api_me_free(&out->me);
    for (size_t i = 0; i < out->page.len; i++)
        api_patient_free(&out->page.items[i]);
    free(out->page.items);
    out->page.items = NULL;
    out->page.len = 0;
    api_rows_free(&out->page.rows);
    api_patient_free(&out->patient);
    api_rows_free(&out->rows);
    api_detail_free(&out->detail);
}

/* --- ownership --------------------------------------------------------------------------- */

static char *dup_or_null(const char *s) { return s ? xstrdup(s) : NULL; }

void api_patient_free(struct api_patient *p)
{
    free(p->id);
    free(p->mrn);
    free(p->first);
    free(p->middle);
    free(p->last);
    free(p->gender);
    free(p->dob);
    free(p->email);
    free(p->phone);
    free(p->created);
    free(p->updated);
    memset(p, 0, sizeof *p);
}

void api_patient_copy(struct api_patient *dst, const struct api_patient *src)
{
    dst->id = dup_or_null(src->id);
    dst->mrn = dup_or_null(src->mrn);
    dst->first = dup_or_null(src->first);
    dst->middle = dup_or_null(src->middle);
    dst->last = dup_or_null(src->last);
    dst->gender = dup_or_null(src->gender);
    dst->dob = dup_or_null(src->dob);
    dst->email = dup_or_null(src->email);
    dst->phone = dup_or_null(src->phone);
    dst->created = dup_or_null(src->created);
    dst->updated = dup_or_null(src->updated);
}

void api_me_free(struct api_me *me)
{
    free(me->app_id);
    free(me->app_slug);
    free(me->app_live_version);
    free(me->org_id);
    for (size_t i = 0; i < me->nscopes; i++)
        free(me->scopes[i]);
    free(me->scopes);
    memset(me, 0, sizeof *me);
}

void api_me_copy(struct api_me *dst, const struct api_me *src)
{
    dst->app_id = dup_or_null(src->app_id);
    dst->app_slug = dup_or_null(src->app_slug);
    dst->app_live_version = dup_or_null(src->app_live_version);
    dst->org_id = dup_or_null(src->org_id);
    dst->nscopes = src->nscopes;
    dst->scopes_from_app = src->scopes_from_app;
    dst->scopes = NULL;
    if (src->scopes) {
        dst->scopes = xcalloc(src->nscopes + 1, sizeof *dst->scopes);
        for (size_t i = 0; i < src->nscopes; i++)
            dst->scopes[i] = xstrdup(src->scopes[i]);
    }
}

void api_error_free(struct api_error *e)
{
    free(e->code);
    free(e->message);
    free(e->trace_id);
    free(e->required_scope);
    memset(e, 0, sizeof *e);
}

void api_error_copy(struct api_error *dst, const struct api_error *src)
{
    dst->code = dup_or_null(src->code);
    dst->message = dup_or_null(src->message);
    dst->trace_id = dup_or_null(src->trace_id);
    dst->required_scope = dup_or_null(src->required_scope);
}

void api_result_free(struct api_result *r)
{
    free(r->summary);
    api_error_free(&r->err);
    api_me_free(&r->me);
    for (size_t i = 0; i < r->page.len; i++)
        api_patient_free(&r->page.items[i]);
    free(r->page.items);
    api_rows_free(&r->page.rows);
    api_patient_free(&r->patient);
    api_rows_free(&r->rows);
    api_detail_free(&r->detail);
    memset(r, 0, sizeof *r);
}

void api_rows_free(struct api_rows *rows)
{
    for (size_t i = 0; i < rows->len; i++) {
        struct api_row *row = &rows->items[i];
        free(row->id);
        for (size_t c = 0; c < row->ncells; c++)
            free(row->cells[c]);
        free(row->cells);
        for (size_t l = 0; l < row->nlinks; l++)
            free(row->links[l]);
        free(row->links);
    }
    free(rows->items);
    rows->items = NULL;
    rows->len = 0;
}

void api_detail_free(struct api_detail *d)
{
    free(d->id);
    for (size_t i = 0; i < d->n; i++) {
        free(d->fields[i].path);
        free(d->fields[i].value);
        free(d->fields[i].link_id);
    }
    free(d->fields);
    memset(d, 0, sizeof *d);
}
