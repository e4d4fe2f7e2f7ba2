/* The sandbox's request handling. One lock guards the mutable state (keys, installs, faults,
 * rate windows, statistics); patients never change after loading, so paging and searching
 * them runs outside it. */
#include "server.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>

#include "faults.h"
#include "keymask.h"
#include "ratelimit.h"
#include "resources_srv.h"
#include "util.h"

#define REQLOG_CAP 10000
#define MAX_UPLOAD (1 << 20)

struct reqrec {
    long seq;
    double t_ms;
    long long unix_ms;
    char method[8];
    char path[48];
    char org[64];
    char key[KEYMASK_MAX];
    char app[64];
    int status;
    long retry_after;
    const char *outcome;
    char trace_id[37]; /* of an error answer ("" for none): the oracle of the log tests */
};

struct chaos_undo {
    enum { CHAOS_NONE, CHAOS_KEY, CHAOS_SCOPE, CHAOS_FAULT } kind;
    size_t key, org, install;
    char *scope;
    long fault_id;
};

struct sb_server {
    pthread_mutex_t lock;
    pthread_cond_t wake; /* broadcast when stopping and when faults change */
    bool stopping;
    struct sb_data *data;
    struct sb_server_opts opts;
    struct sb_faults faults;
    struct sb_window *windows; /* one per app */
    unsigned long release_gen; /* bumped whenever faults are deleted: hangs re-check theirs */
    double start;              /* monotonic seconds at creation */

    long total;
    json_t *by_key, *by_app, *by_org, *by_path, *by_status;
    struct reqrec *reqlog;
    size_t reqlog_head, reqlog_len;
    long seq;

    struct chaos_undo undo;
};

/* Per-request state kept by MHD between calls of the access handler. */
struct request {
    double arrival;
    char *body;
    size_t len;
    bool too_big;
};

/* What the API decided for a request, before faults that mangle the wire. */
struct answer {
    int status;
    const char *ctype;
    char *body; /* owned */
    size_t len;
    bool rate_known; /* X-RateLimit-* values below are for the key's app */
    size_t limit, remaining;
    long long reset_unix;
    long retry_after; /* > 0: send Retry-After */
    const char *server; /* the Server header; NULL: none */
    bool retry_after_date; /* Retry-After as an HTTP-date */
    bool reset_ms;         /* X-RateLimit-Reset in milliseconds */
    long remaining_sent;   /* >= 0: X-RateLimit-Remaining sent instead of remaining */
    char app[64];
    char trace_id[37]; /* of an error envelope, "" otherwise */
};

/* --- time ------------------------------------------------------------------------------- */


static long long unix_ms_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool sb_server_nap(struct sb_server *s, long ms)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&s->lock);
    while (!s->stopping && pthread_cond_timedwait(&s->wake, &s->lock, &until) != ETIMEDOUT)
        ;
    bool ok = !s->stopping;
    pthread_mutex_unlock(&s->lock);
    return ok;
}

/* --- lifecycle -------------------------------------------------------------------------- */

struct sb_server *sb_server_new(struct sb_data *data, const struct sb_server_opts *opts)
{
    struct sb_server *s = xcalloc(1, sizeof *s);
    pthread_mutex_init(&s->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&s->wake, &attr);
    pthread_condattr_destroy(&attr);
    s->data = data;
    s->opts = *opts;
    s->windows = xcalloc(data->napps, sizeof *s->windows);
    for (size_t i = 0; i < data->napps; i++)
        sb_window_init(&s->windows[i], opts->rate_limit, opts->rate_window);
    s->start = mono_now();
    s->by_key = json_object();
    s->by_app = json_object();
    s->by_org = json_object();
    s->by_path = json_object();
    s->by_status = json_object();
    s->reqlog = xcalloc(REQLOG_CAP, sizeof *s->reqlog);
    return s;
}

void sb_server_stop(struct sb_server *s)
{
    pthread_mutex_lock(&s->lock);
    s->stopping = true;
    pthread_cond_broadcast(&s->wake);
    pthread_mutex_unlock(&s->lock);
}

void sb_server_free(struct sb_server *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->data->napps; i++)
        sb_window_free(&s->windows[i]);
    free(s->windows);
    sb_faults_clear(&s->faults);
    json_decref(s->by_key);
    json_decref(s->by_app);
    json_decref(s->by_org);
    json_decref(s->by_path);
    json_decref(s->by_status);
    free(s->reqlog);
    free(s->undo.scope);
    pthread_cond_destroy(&s->wake);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

/* --- statistics ------------------------------------------------------------------------- */

static void bump(json_t *map, const char *name)
{
    json_t *v = json_object_get(map, name);
    json_object_set_new(map, name, json_integer(v ? json_integer_value(v) + 1 : 1));
}

/* The request's route with ids folded to {id}: the statistics never hold a record id. */
static void fold_path(const char *path, char *out, size_t size)
{
    struct sb_route rt;
    if (sb_route_parse(path, &rt))
        sb_route_fold(&rt, out, size);
    else
        bprintf(out, size, "(other)");
}

static void copy_field(char *dst, size_t size, const char *src)
{
    bprintf(dst, size, "%s", src ? src : "");
}

/* Counts one /v1 request. Called with the lock held. */
static void record(struct sb_server *s, const struct request *rq, const char *method,
                   const char *path, const char *org, const char *key_mask, const char *app,
                   int status, const char *outcome, long retry_after, const char *trace_id)
{
    char status_name[16];
    if (strcmp(outcome, "answered") == 0)
        snprintf(status_name, sizeof status_name, "%d", status);
    else
        snprintf(status_name, sizeof status_name, "%s", outcome);
    char folded[64];
    fold_path(path, folded, sizeof folded);
    s->total++;
    bump(s->by_key, key_mask);
    if (app && *app)
        bump(s->by_app, app);
    bump(s->by_org, org && *org ? org : "(none)");
    bump(s->by_path, folded);
    bump(s->by_status, status_name);

    struct reqrec *r;
    if (s->reqlog_len < REQLOG_CAP) {
        r = &s->reqlog[(s->reqlog_head + s->reqlog_len++) % REQLOG_CAP];
    } else {
        r = &s->reqlog[s->reqlog_head];
        s->reqlog_head = (s->reqlog_head + 1) % REQLOG_CAP;
    }
    r->seq = ++s->seq;
    r->t_ms = (rq->arrival - s->start) * 1000.0;
    r->unix_ms = unix_ms_now() - (long long)((mono_now() - rq->arrival) * 1000.0);
    copy_field(r->method, sizeof r->method, method);
    copy_field(r->path, sizeof r->path, folded);
    copy_field(r->org, sizeof r->org, org);
    copy_field(r->key, sizeof r->key, key_mask);
    copy_field(r->app, sizeof r->app, app);
    r->status = status;
    r->retry_after = retry_after;
    r->outcome = outcome;
    copy_field(r->trace_id, sizeof r->trace_id, trace_id);
}

static void log_request(struct sb_server *s, struct MHD_Connection *c, const char *method,
                        const char *url, const char *org, const char *key_mask, int status,
                        const char *outcome, double arrival)
{
    if (s->opts.quiet)
        return;
    const char *page = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "page");
    const char *size = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "pageSize");
    const char *search = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "search");
    char query[128] = "";
    /* The search text is not logged: it may be a patient's name. */
    bprintf(query, sizeof query, "%s%s%.16s%s%.16s%s", page || size || search ? "?" : "",
            page ? "page=" : "", page ? page : "", page && size ? "&pageSize=" : size ? "pageSize=" : "",
            size ? size : "", search ? (page || size ? "&search=…" : "search=…") : "");
    char status_text[16];
    if (strcmp(outcome, "answered") == 0)
        snprintf(status_text, sizeof status_text, "%d", status);
    else
        snprintf(status_text, sizeof status_text, "%s", outcome);
    char safe_org[65];
    size_t i = 0;
    for (; org && org[i] && i < 64; i++)
        safe_org[i] = (org[i] > ' ' && org[i] < 0x7f) ? org[i] : '?';
    safe_org[i] = '\0';
    fprintf(stderr, "%s %.80s%s org=%s key=%s %s %.0f ms\n", method, url, query,
            org ? safe_org : "-", key_mask, status_text, (mono_now() - arrival) * 1000.0);
}

/* --- building answers ------------------------------------------------------------------- */

static void uuid4(char out[37])
{
    unsigned char b[16];
    if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b) {
        for (size_t i = 0; i < sizeof b; i++)
            b[i] = (unsigned char)rand();
    }
    b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
             b[13], b[14], b[15]);
}

static void set_json(struct answer *a, int status, json_t *doc)
{
    a->status = status;
    a->ctype = "application/json";
    a->body = json_dumps(doc, JSON_COMPACT);
    if (!a->body)
        die(1, "out of memory");
    a->len = strlen(a->body);
    json_decref(doc);
}

static const char *default_code(int status)
{
    switch (status) {
    case 400: return "bad_request";
    case 401: return "unauthorized";
    case 403: return "forbidden";
    case 404: return "not_found";
    case 405: return "method_not_allowed";
    case 429: return "rate_limit_exceeded";
    case 502: return "bad_gateway";
    case 503: return "service_unavailable";
    case 504: return "gateway_timeout";
    default: return status >= 500 ? "internal_error" : "error";
    }
}

static const char *default_message(int status)
{
    switch (status) {
    case 400: return "Bad request";
    case 401: return "Invalid or missing API key";
    case 403: return "Insufficient scope. Required: read:patients";
    case 404: return "Not found";
    case 429: return "Rate limit exceeded. Maximum 1000 requests per 60 seconds.";
    case 502: return "Bad gateway";
    case 503: return "Service unavailable";
    default: return status >= 500 ? "Internal server error" : "Error";
    }
}

static void set_error(struct answer *a, int status, const char *code, const char *message)
{
    char trace[37];
    uuid4(trace);
    set_json(a, status, json_pack("{s:s, s:s, s:s}", "code", code ? code : default_code(status),
                                  "message", message ? message : default_message(status),
                                  "trace_id", trace));
    memcpy(a->trace_id, trace, sizeof trace);
}

static void set_rate(struct sb_server *s, struct answer *a, struct sb_window *w, double now)
{
    a->limit = s->opts.rate_limit;
    a->remaining = w ? sb_window_remaining(w, now) : s->opts.rate_limit;
    double reset = w ? sb_window_reset_at(w, now) : now;
    a->reset_unix = (long long)ceil((double)unix_ms_now() / 1000.0 + (reset - now));
    a->rate_known = w != NULL;
}

/* The token of "Bearer TOKEN", or NULL. */
static const char *bearer_token(const char *auth)
{
    if (!auth || strncasecmp(auth, "Bearer ", 7) != 0)
        return NULL;
    const char *t = auth + 7;
    while (*t == ' ')
        t++;
    return *t ? t : NULL;
}

static bool parse_positive(const char *text, long max, long *out)
{
    if (!text || !*text || strlen(text) > 9)
        return false;
    for (const char *p = text; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    long v = strtol(text, NULL, 10);
    if (v < 1 || v > max)
        return false;
    *out = v;
    return true;
}

static const char *query_arg(void *ctx, const char *name)
{
    return MHD_lookup_connection_value(ctx, MHD_GET_ARGUMENT_KIND, name);
}

static bool key_has(const struct sb_key *key, const struct sb_install *inst, const char *scope)
{
    return scope && sb_scopes_has(&key->scopes, scope) && sb_scopes_has(&inst->scopes, scope);
}


/* The API's answer to a request that no fault replaced. */
static void answer_api(struct sb_server *s, struct MHD_Connection *c, const char *method,
                       const char *url, const char *org_id, const char *token,
                       struct answer *a)
{
    double now = mono_now();
    struct sb_route rt;
    sb_route_parse(url, &rt);

    pthread_mutex_lock(&s->lock);
    struct sb_key *key = sb_find_key(s->data, token);
    if (!key || key->state != SB_KEY_ACTIVE) {
        set_rate(s, a, NULL, now);
        pthread_mutex_unlock(&s->lock);
        set_error(a, 401, "unauthorized", "Invalid or missing API key");
        return;
    }
    struct sb_app *app = &s->data->apps[key->app];
    struct sb_window *w = &s->windows[key->app];
    copy_field(a->app, sizeof a->app, app->id);
    double wait;
    if (!sb_window_admit(w, now, &wait)) {
        set_rate(s, a, w, now);
        a->retry_after = (long)ceil(wait) < 1 ? 1 : (long)ceil(wait);
        pthread_mutex_unlock(&s->lock);
        char msg[128];
        snprintf(msg, sizeof msg, "Rate limit exceeded. Maximum %zu requests per %.0f seconds.",
                 s->opts.rate_limit, s->opts.rate_window);
        set_error(a, 429, "rate_limit_exceeded", msg);
        return;
    }
    set_rate(s, a, w, now);
    if (!org_id || !*org_id) {
        pthread_mutex_unlock(&s->lock);
        set_error(a, 400, "bad_request", "'X-Organization-Id' is required");
        return;
    }
    struct sb_org *org = sb_find_org(s->data, org_id);
    struct sb_install *inst = org ? sb_find_install(org, key->app) : NULL;
    if (!inst || !inst->installed) {
        pthread_mutex_unlock(&s->lock);
        set_error(a, 404, "not_found", "Organization not found");
        return;
    }
    if (rt.kind == SB_RT_NONE) {
        pthread_mutex_unlock(&s->lock);
        set_error(a, 404, "not_found", "Route not found");
        return;
    }
    if (strcmp(method, "GET") != 0) {
        pthread_mutex_unlock(&s->lock);
        set_error(a, 405, "method_not_allowed", "Method not allowed");
        return;
    }
    const char *needed = rt.kind != SB_RT_ME ? rt.res->scope
                       : key->me_requires_scope ? "read:marketplace" : NULL;
    if (needed && !key_has(key, inst, needed) &&
        !(rt.kind != SB_RT_ME && key_has(key, inst, rt.res->alt_scope))) {
        pthread_mutex_unlock(&s->lock);
        char msg[128];
        snprintf(msg, sizeof msg, "Insufficient scope. Required: %s", needed);
        set_error(a, 403, "forbidden", msg);
        return;
    }
    if (rt.kind == SB_RT_ME) {
        json_t *scopes = json_array();
        for (size_t i = 0; i < key->scopes.len; i++)
            if (sb_scopes_has(&inst->scopes, key->scopes.items[i]))
                json_array_append_new(scopes, json_string(key->scopes.items[i]));
        json_t *doc = json_pack("{s:s, s:{s:{s:s, s:s, s:s?}, s:{s:s}, s:o}}", "code", "success",
                                "data", "app", "id", app->id, "slug", app->slug, "liveVersionId",
                                app->live_version, "organization", "id", org->id, "scopes",
                                scopes);
        pthread_mutex_unlock(&s->lock);
        set_json(a, 200, doc);
        return;
    }
    bool extra = key_has(key, inst, rt.res->extra_scope);
    pthread_mutex_unlock(&s->lock);
    /* Records are immutable after loading: filter and page them without the lock. */
    struct sb_reply reply;
    sb_res_serve(org, &rt, query_arg, c, extra, &reply);
    if (reply.doc)
        set_json(a, reply.status, reply.doc);
    else
        set_error(a, reply.status, reply.code, reply.message);
}

/* --- faults that replace or mangle the answer ------------------------------------------- */

static void answer_wrong_types(struct answer *a, const char *path)
{
    const char *body;
    if (strncmp(path, "/marketplace/me", 15) == 0)
        body = "{\"code\":\"success\",\"data\":{\"app\":\"app_demo\",\"organization\":[\"org\"],"
               "\"scopes\":\"read:patients\"}}";
    else if (strncmp(path, "/patients/", 10) == 0)
        body = "{\"code\":\"success\",\"data\":{\"id\":42,\"firstName\":[\"Sarah\"],"
               "\"lastName\":{\"x\":1},\"dateOfBirth\":19850315,\"mrn\":true}}";
    else if (strncmp(path, "/patients", 9) == 0)
        body = "{\"code\":\"success\",\"data\":{\"patients\":{\"id\":1},\"pagination\":{\"page\":"
               "\"1\",\"pageSize\":null,\"totalCount\":\"many\",\"totalPages\":-1}}}";
    else
        body = "{\"code\":42,\"data\":\"success\"}";
    a->status = 200;
    a->ctype = "application/json";
    a->body = xstrdup(body);
    a->len = strlen(body);
}

static const char html_page[] =
    "<html>\r\n<head><title>%d %s</title></head>\r\n<body>\r\n"
    "<center><h1>%d %s</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n";

/* The reason phrase nginx puts on its own error pages. */
static const char *html_reason(int status)
{
    switch (status) {
    case 401: return "Authorization Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 407: return "Proxy Authentication Required";
    case 429: return "Too Many Requests";
    case 503: return "Service Temporarily Unavailable";
    case 504: return "Gateway Time-out";
    default: return "Bad Gateway";
    }
}

/* The string v (a JSON string or nothing) with a NUL in front ("\u0000Johnson"). */
static json_t *with_nul(json_t *v)
{
    const char *s = json_is_string(v) ? json_string_value(v) : "";
    size_t n = json_is_string(v) ? json_string_length(v) : 0;
    char *buf = xmalloc(n + 2);
    buf[0] = '\0';
    memcpy(buf + 1, s, n);
    json_t *out = json_stringn(buf, n + 1);
    free(buf);
    return out;
}

#define HUGE_MARK "\"@@huge@@\""
#define HUGE_TEXT "9223372036854775808" /* 2^63: no json_int_t holds it */

/* Marks obj for an unknown field holding HUGE_TEXT (put in after dumping). */
static void add_huge(json_t *obj)
{
    if (json_is_object(obj))
        json_object_set_new(obj, "x_unread_count", json_string("@@huge@@"));
}

/* nul_field and huge_number: the API's own 200 answer, still valid JSON, with values maxdash
 * must cope with. Other answers (errors) are left alone. */
static void mangle_values(struct answer *a, enum sb_fault_kind kind)
{
    json_t *root = a->status == 200 ? json_loadb(a->body, a->len, 0, NULL) : NULL;
    json_t *data = json_object_get(root, "data");
    if (!json_is_object(data)) {
        json_decref(root);
        return;
    }
    json_t *list = json_object_get(data, "patients");
    json_t *app = json_object_get(data, "app");
    size_t i;
    json_t *p;
    if (kind == SB_FAULT_NUL_FIELD) {
        if (json_is_array(list))
            json_array_foreach(list, i, p)
                json_object_set_new(p, "lastName", with_nul(json_object_get(p, "lastName")));
        else if (json_is_object(app))
            json_object_set_new(app, "slug", with_nul(json_object_get(app, "slug")));
        else
            json_object_set_new(data, "lastName", with_nul(json_object_get(data, "lastName")));
    } else {
        add_huge(data);
        add_huge(app);
        if (json_is_array(list))
            json_array_foreach(list, i, p)
                add_huge(p);
    }
    char *text = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    if (!text)
        die(1, "out of memory");
    /* Each mark becomes the bare number. */
    size_t cap = strlen(text) + 1, len = 0;
    for (const char *q = text; (q = strstr(q, HUGE_MARK)); q += sizeof HUGE_MARK - 1)
        cap += sizeof HUGE_TEXT;
    char *out = xmalloc(cap);
    const char *from = text, *hit;
    while ((hit = strstr(from, HUGE_MARK))) {
        memcpy(out + len, from, (size_t)(hit - from));
        len += (size_t)(hit - from);
        memcpy(out + len, HUGE_TEXT, sizeof HUGE_TEXT - 1);
        len += sizeof HUGE_TEXT - 1;
        from = hit + sizeof HUGE_MARK - 1;
    }
    memcpy(out + len, from, strlen(from) + 1);
    len += strlen(from);
    free(text);
    free(a->body);
    a->body = out;
    a->len = len;
}

/* Streams a body: a trickle (chunk every ms), a cut (stop half-way with an error) or a
 * generated oversize JSON document. */
struct stream {
    struct sb_server *server;
    char *body; /* NULL for oversize */
    size_t len;
    size_t stop_at; /* wire cut: the connection is closed at this offset */
    size_t chunk;
    long ms;
};

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct stream *st = cls;
    if (st->stop_at && pos >= st->stop_at)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    if (pos >= st->len)
        return MHD_CONTENT_READER_END_OF_STREAM;
    size_t n = st->len - (size_t)pos;
    if (n > max)
        n = max;
    if (st->stop_at && pos + n > st->stop_at)
        n = st->stop_at - (size_t)pos;
    if (st->chunk) {
        if (pos > 0 && !sb_server_nap(st->server, st->ms))
            return MHD_CONTENT_READER_END_WITH_ERROR;
        if (n > st->chunk)
            n = st->chunk;
    }
    if (st->body) {
        memcpy(buf, st->body + pos, n);
        return (ssize_t)n;
    }
    static const char head[] = "{\"code\":\"success\",\"data\":{\"padding\":\"";
    static const char tail[] = "\"}}";
    for (size_t i = 0; i < n; i++) {
        size_t at = (size_t)pos + i;
        if (at < sizeof head - 1)
            buf[i] = head[at];
        else if (at >= st->len - (sizeof tail - 1))
            buf[i] = tail[at - (st->len - (sizeof tail - 1))];
        else
            buf[i] = 'x';
    }
    return (ssize_t)n;
}

static void stream_free(void *cls)
{
    struct stream *st = cls;
    free(st->body);
    free(st);
}

/* --- sending ---------------------------------------------------------------------------- */

static void add_headers(struct MHD_Response *r, const struct answer *a)
{
    char num[32];
    MHD_add_response_header(r, "Content-Type", a->ctype ? a->ctype : "application/json");
    if (a->server)
        MHD_add_response_header(r, "Server", a->server);
    snprintf(num, sizeof num, "%zu", a->limit);
    MHD_add_response_header(r, "X-RateLimit-Limit", num);
    if (a->remaining_sent >= 0)
        snprintf(num, sizeof num, "%ld", a->remaining_sent);
    else
        snprintf(num, sizeof num, "%zu", a->remaining);
    MHD_add_response_header(r, "X-RateLimit-Remaining", num);
    snprintf(num, sizeof num, "%lld", a->reset_ms ? a->reset_unix * 1000 : a->reset_unix);
    MHD_add_response_header(r, "X-RateLimit-Reset", num);
    if (a->retry_after > 0 && a->retry_after_date) {
        /* IMF-fixdate, RFC 9110 5.6.7; written by hand so no locale can change it. */
        static const char days[] = "SunMonTueWedThuFriSat", months[] =
            "JanFebMarAprMayJunJulAugSepOctNovDec";
        time_t at = (time_t)(unix_ms_now() / 1000) + a->retry_after;
        struct tm tm;
        gmtime_r(&at, &tm);
        char date[40];
        snprintf(date, sizeof date, "%.3s, %02d %.3s %04d %02d:%02d:%02d GMT",
                 days + 3 * tm.tm_wday, tm.tm_mday, months + 3 * tm.tm_mon, tm.tm_year + 1900,
                 tm.tm_hour, tm.tm_min, tm.tm_sec);
        MHD_add_response_header(r, "Retry-After", date);
    } else if (a->retry_after > 0) {
        snprintf(num, sizeof num, "%ld", a->retry_after);
        MHD_add_response_header(r, "Retry-After", num);
    }
}

static enum MHD_Result queue(struct MHD_Connection *c, struct MHD_Response *r, int status)
{
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    return ret;
}

/* Sends a->body (taking it) with a's status and headers. */
static enum MHD_Result send_answer(struct MHD_Connection *c, struct answer *a)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(a->len, a->body, MHD_RESPMEM_MUST_FREE);
    a->body = NULL;
    add_headers(r, a);
    return queue(c, r, a->status);
}

static enum MHD_Result send_stream(struct MHD_Connection *c, struct answer *a,
                                   struct stream *st)
{
    struct MHD_Response *r =
        MHD_create_response_from_callback(st->len, 64 * 1024, stream_read, st, stream_free);
    add_headers(r, a);
    return queue(c, r, a->status);
}

static int connection_fd(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    return info ? info->connect_fd : -1;
}

/* Holds a hanging request until the client leaves, the fault is deleted or the server stops.
 * (A counted fault is gone from the list once used up; that alone does not release it.) */
static void hang(struct sb_server *s, struct MHD_Connection *c, long fault_id)
{
    int fd = connection_fd(c);
    pthread_mutex_lock(&s->lock);
    unsigned long gen = s->release_gen;
    pthread_mutex_unlock(&s->lock);
    for (;;) {
        pthread_mutex_lock(&s->lock);
        bool over = s->stopping ||
                    (s->release_gen != gen && !sb_faults_has(&s->faults, fault_id));
        pthread_mutex_unlock(&s->lock);
        if (over)
            return;
        if (fd >= 0) {
            struct pollfd p = {fd, POLLRDHUP, 0};
            if (poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)))
                return;
        }
        sb_server_nap(s, 100);
    }
}

/* --- the /v1 API ------------------------------------------------------------------------ */

static enum MHD_Result handle_api(struct sb_server *s, struct MHD_Connection *c,
                                  const char *url, const char *method, struct request *rq)
{
    const char *path = url + 3; /* after "/v1" */
    const char *org = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Organization-Id");
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    const char *token = bearer_token(auth);
    char key_mask[KEYMASK_MAX];
    keymask(token ? token : auth, true, key_mask);

    struct sb_fault hit;
    long latency = 0;
    pthread_mutex_lock(&s->lock);
    bool faulted = sb_faults_match(&s->faults, org, path, &latency, &hit);
    pthread_mutex_unlock(&s->lock);
    latency += s->opts.latency_ms;
    if (latency > 0 && !sb_server_nap(s, latency)) {
        if (faulted)
            sb_fault_clear(&hit); /* stopping during a latency fault: the hit was copied */
        return MHD_NO;
    }

    struct answer a = {0};
    if (faulted && (hit.kind == SB_FAULT_HANG || hit.kind == SB_FAULT_RESET)) {
        const char *outcome = hit.kind == SB_FAULT_HANG ? "hang" : "reset";
        pthread_mutex_lock(&s->lock);
        record(s, rq, method, url, org, key_mask, NULL, 0, outcome, 0, NULL);
        pthread_mutex_unlock(&s->lock);
        if (hit.kind == SB_FAULT_HANG) {
            hang(s, c, hit.id);
            log_request(s, c, method, url, org, key_mask, 0, outcome, rq->arrival);
        } else {
            log_request(s, c, method, url, org, key_mask, 0, outcome, rq->arrival);
            /* Linux resets an established TCP connection that is connect()ed to AF_UNSPEC:
             * the client sees a real RST, not the FIN that MHD's orderly close would send. */
            int fd = connection_fd(c);
            struct linger lg = {1, 0};
            struct sockaddr unspec = {.sa_family = AF_UNSPEC};
            if (fd >= 0) {
                setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
                if (connect(fd, &unspec, sizeof unspec) != 0) { /* falls back to linger 0 */ }
            }
        }
        sb_fault_clear(&hit);
        return MHD_NO;
    }

    bool mangles = faulted && (hit.kind == SB_FAULT_TRUNCATE || hit.kind == SB_FAULT_TRICKLE ||
                               hit.kind == SB_FAULT_NUL_FIELD ||
                               hit.kind == SB_FAULT_HUGE_NUMBER ||
                               hit.kind == SB_FAULT_RATE_HEADERS);
    a.remaining_sent = -1;
    if (faulted && !mangles) {
        /* The fault answers in place of the API; rate-limit headers as the API would. */
        pthread_mutex_lock(&s->lock);
        struct sb_key *key = sb_find_key(s->data, token);
        set_rate(s, &a, key ? &s->windows[key->app] : NULL, mono_now());
        if (key)
            copy_field(a.app, sizeof a.app, s->data->apps[key->app].id);
        pthread_mutex_unlock(&s->lock);
        switch (hit.kind) {
        case SB_FAULT_STATUS:
            set_error(&a, hit.status, hit.code, hit.message);
            if (hit.status == 429 || hit.retry_after > 0)
                a.retry_after = hit.retry_after > 0 ? hit.retry_after : 1;
            break;
        case SB_FAULT_HTML:
            a.status = hit.status;
            a.ctype = "text/html";
            a.server = "nginx";
            a.body = xasprintf(html_page, hit.status, html_reason(hit.status), hit.status,
                               html_reason(hit.status));
            a.len = strlen(a.body);
            break;
        case SB_FAULT_INVALID_JSON:
            a.status = 200;
            a.ctype = "application/json";
            a.body = xstrdup("{\"code\": \"success\", \"data\": {\"app\": {'id': undefined,, ]}");
            a.len = strlen(a.body);
            break;
        case SB_FAULT_WRONG_TYPES:
            answer_wrong_types(&a, path);
            break;
        default: /* oversize */
            a.status = 200;
            a.ctype = "application/json";
            break;
        }
    } else {
        answer_api(s, c, method, url, org, token, &a);
        if (faulted && (hit.kind == SB_FAULT_NUL_FIELD || hit.kind == SB_FAULT_HUGE_NUMBER))
            mangle_values(&a, hit.kind);
    }
    if (faulted) { /* any fault may rewrite the rate-limit headers */
        a.retry_after_date = hit.retry_after_date;
        a.reset_ms = hit.reset_ms;
        a.remaining_sent = hit.remaining;
    }

    pthread_mutex_lock(&s->lock);
    record(s, rq, method, url, org, key_mask, a.app, a.status, "answered", a.retry_after,
           a.trace_id);
    pthread_mutex_unlock(&s->lock);
    log_request(s, c, method, url, org, key_mask, a.status, "answered", rq->arrival);

    enum MHD_Result ret;
    if (faulted && (hit.kind == SB_FAULT_OVERSIZE || hit.kind == SB_FAULT_TRICKLE ||
                    (hit.kind == SB_FAULT_TRUNCATE && hit.wire))) {
        struct stream *st = xcalloc(1, sizeof *st);
        st->server = s;
        if (hit.kind == SB_FAULT_OVERSIZE) {
            st->len = (size_t)hit.bytes;
        } else {
            st->body = a.body;
            st->len = a.len;
            a.body = NULL;
        }
        if (hit.kind == SB_FAULT_TRUNCATE)
            st->stop_at = st->len / 2 ? st->len / 2 : 1;
        if (hit.kind == SB_FAULT_TRICKLE) {
            st->chunk = (size_t)hit.bytes;
            st->ms = hit.ms;
        }
        ret = send_stream(c, &a, st);
    } else {
        if (faulted && hit.kind == SB_FAULT_TRUNCATE)
            a.len /= 2;
        ret = send_answer(c, &a);
    }
    if (faulted)
        sb_fault_clear(&hit);
    return ret;
}

/* --- the control API -------------------------------------------------------------------- */

static enum MHD_Result send_doc(struct MHD_Connection *c, int status, json_t *doc)
{
    struct answer a = {0};
    set_json(&a, status, doc);
    struct MHD_Response *r =
        MHD_create_response_from_buffer(a.len, a.body, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(r, "Content-Type", "application/json");
    return queue(c, r, status);
}

static enum MHD_Result control_error(struct MHD_Connection *c, int status, const char *msg)
{
    return send_doc(c, status, json_pack("{s:s}", "error", msg));
}

static json_t *scopes_json(const struct sb_scopes *sc)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < sc->len; i++)
        json_array_append_new(arr, json_string(sc->items[i]));
    return arr;
}

static enum MHD_Result control_key(struct sb_server *s, struct MHD_Connection *c, json_t *body,
                                   enum sb_key_state state)
{
    const char *value = json_string_value(json_object_get(body, "value"));
    if (!value)
        return control_error(c, 400, "'value' (the key) is required");
    pthread_mutex_lock(&s->lock);
    struct sb_key *key = sb_find_key(s->data, value);
    if (key)
        key->state = state;
    char mask[KEYMASK_MAX];
    keymask(value, true, mask);
    pthread_mutex_unlock(&s->lock);
    if (!key)
        return control_error(c, 404, "no such key");
    static const char *const names[] = {"active", "revoked", "expired"};
    return send_doc(c, 200, json_pack("{s:s, s:s}", "key", mask, "state", names[state]));
}

static bool string_list(json_t *v)
{
    if (v && !json_is_array(v))
        return false;
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) if (!json_is_string(e)) return false;
    return true;
}

static enum MHD_Result control_scopes(struct sb_server *s, struct MHD_Connection *c, json_t *body,
                                      bool installs)
{
    const char *org_id = json_string_value(json_object_get(body, "org"));
    const char *app_id = json_string_value(json_object_get(body, "app"));
    json_t *add = json_object_get(body, installs ? "scopes" : "add");
    json_t *remove = installs ? NULL : json_object_get(body, "remove");
    json_t *installed = json_object_get(body, "installed");
    if (!org_id || !app_id)
        return control_error(c, 400, "'org' and 'app' are required");
    if (!string_list(add) || !string_list(remove))
        return control_error(c, 400, "scopes must be arrays of strings");
    if (installs && !json_is_boolean(installed))
        return control_error(c, 400, "'installed' must be true or false");
    pthread_mutex_lock(&s->lock);
    struct sb_org *org = sb_find_org(s->data, org_id);
    ssize_t app = sb_find_app(s->data, app_id);
    if (!org || app < 0) {
        pthread_mutex_unlock(&s->lock);
        return control_error(c, 404, !org ? "no such org" : "no such app");
    }
    struct sb_install *inst = sb_find_install(org, (size_t)app);
    if (!inst && installs) {
        org->installs = xrealloc(org->installs, (org->ninstalls + 1) * sizeof *org->installs);
        inst = &org->installs[org->ninstalls++];
        memset(inst, 0, sizeof *inst);
        inst->app = (size_t)app;
    }
    if (!inst || (!installs && !inst->installed)) {
        pthread_mutex_unlock(&s->lock);
        return control_error(c, 404, "the app is not installed in that org");
    }
    size_t i;
    json_t *e;
    if (installs) {
        inst->installed = json_is_true(installed);
        if (add)
            sb_scopes_free(&inst->scopes);
    }
    json_array_foreach(add, i, e) sb_scopes_add(&inst->scopes, json_string_value(e));
    json_array_foreach(remove, i, e) sb_scopes_remove(&inst->scopes, json_string_value(e));
    json_t *doc = json_pack("{s:s, s:s, s:b, s:o}", "org", org->id, "app", app_id, "installed",
                            inst->installed, "scopes", scopes_json(&inst->scopes));
    pthread_mutex_unlock(&s->lock);
    return send_doc(c, 200, doc);
}

static enum MHD_Result control_faults(struct sb_server *s, struct MHD_Connection *c,
                                      const char *method, const char *rest, json_t *body)
{
    if (strcmp(method, "GET") == 0 && !*rest) {
        json_t *list = json_array();
        pthread_mutex_lock(&s->lock);
        for (size_t i = 0; i < s->faults.len; i++)
            json_array_append_new(list, sb_fault_json(&s->faults.items[i]));
        pthread_mutex_unlock(&s->lock);
        return send_doc(c, 200, json_pack("{s:o}", "faults", list));
    }
    if (strcmp(method, "POST") == 0 && !*rest) {
        struct sb_fault f;
        char err[256];
        if (!sb_fault_parse(body, &f, err, sizeof err))
            return control_error(c, 400, err);
        pthread_mutex_lock(&s->lock);
        long id = sb_faults_add(&s->faults, &f);
        pthread_mutex_unlock(&s->lock);
        return send_doc(c, 201, json_pack("{s:I}", "id", (json_int_t)id));
    }
    if (strcmp(method, "DELETE") == 0) {
        long id = 0;
        if (*rest && !parse_positive(rest + 1, 1000000000, &id))
            return control_error(c, 404, "no such fault");
        pthread_mutex_lock(&s->lock);
        bool found = true;
        if (*rest)
            found = sb_faults_remove(&s->faults, id);
        else
            sb_faults_clear(&s->faults);
        s->release_gen++;
        pthread_cond_broadcast(&s->wake); /* release the hanging requests */
        pthread_mutex_unlock(&s->lock);
        if (!found)
            return control_error(c, 404, "no such fault");
        return send_doc(c, 200, json_pack("{s:b}", "ok", 1));
    }
    return control_error(c, 405, "method not allowed");
}

static enum MHD_Result control_stats(struct sb_server *s, struct MHD_Connection *c,
                                     const char *method)
{
    pthread_mutex_lock(&s->lock);
    if (strcmp(method, "DELETE") == 0) {
        s->total = 0;
        json_object_clear(s->by_key);
        json_object_clear(s->by_app);
        json_object_clear(s->by_org);
        json_object_clear(s->by_path);
        json_object_clear(s->by_status);
        s->reqlog_head = s->reqlog_len = 0;
        pthread_mutex_unlock(&s->lock);
        return send_doc(c, 200, json_pack("{s:b}", "ok", 1));
    }
    json_t *doc = json_pack("{s:I, s:O, s:O, s:O, s:O, s:O}", "total", (json_int_t)s->total,
                            "by_key", s->by_key, "by_app", s->by_app, "by_org", s->by_org,
                            "by_path", s->by_path, "by_status", s->by_status);
    /* Deep copies, so the document does not share the counters while it is serialised. */
    json_t *copy = json_deep_copy(doc);
    json_decref(doc);
    pthread_mutex_unlock(&s->lock);
    return send_doc(c, 200, copy);
}

static enum MHD_Result control_requests(struct sb_server *s, struct MHD_Connection *c)
{
    json_t *list = json_array();
    pthread_mutex_lock(&s->lock);
    for (size_t i = 0; i < s->reqlog_len; i++) {
        const struct reqrec *r = &s->reqlog[(s->reqlog_head + i) % REQLOG_CAP];
        json_array_append_new(
            list, json_pack("{s:I, s:f, s:I, s:s, s:s, s:s, s:s, s:s, s:i, s:I, s:s, s:s?}",
                            "seq", (json_int_t)r->seq, "t_ms", r->t_ms, "unix_ms",
                            (json_int_t)r->unix_ms, "method", r->method, "path", r->path, "org",
                            r->org, "key", r->key, "app", r->app, "status", r->status,
                            "retry_after", (json_int_t)r->retry_after, "outcome", r->outcome,
                            "trace_id", r->trace_id[0] ? r->trace_id : NULL));
    }
    pthread_mutex_unlock(&s->lock);
    return send_doc(c, 200, json_pack("{s:o}", "requests", list));
}

static enum MHD_Result handle_control(struct sb_server *s, struct MHD_Connection *c,
                                      const char *url, const char *method, struct request *rq)
{
    const char *what = url + strlen("/_sandbox/");
    json_t *body = NULL;
    if (rq->too_big)
        return control_error(c, 413, "the body is too large");
    if (strcmp(method, "POST") == 0) {
        json_error_t jerr;
        body = json_loadb(rq->body ? rq->body : "", rq->len, 0, &jerr);
        if (!json_is_object(body)) {
            json_decref(body);
            char msg[256];
            snprintf(msg, sizeof msg, "the body must be a JSON object (%s)", jerr.text);
            return control_error(c, 400, msg);
        }
    }
    enum MHD_Result ret;
    bool get = strcmp(method, "GET") == 0, post = body != NULL;
    if (strcmp(what, "health") == 0 && get)
        ret = send_doc(c, 200, json_pack("{s:b}", "ok", 1));
    else if (strncmp(what, "faults", 6) == 0 && (what[6] == '\0' || what[6] == '/'))
        ret = control_faults(s, c, method, what + 6, body);
    else if (strcmp(what, "keys/revoke") == 0 && post)
        ret = control_key(s, c, body, SB_KEY_REVOKED);
    else if (strcmp(what, "keys/expire") == 0 && post)
        ret = control_key(s, c, body, SB_KEY_EXPIRED);
    else if (strcmp(what, "keys/restore") == 0 && post)
        ret = control_key(s, c, body, SB_KEY_ACTIVE);
    else if (strcmp(what, "scopes") == 0 && post)
        ret = control_scopes(s, c, body, false);
    else if (strcmp(what, "installs") == 0 && post)
        ret = control_scopes(s, c, body, true);
    else if (strcmp(what, "stats") == 0 && (get || strcmp(method, "DELETE") == 0))
        ret = control_stats(s, c, method);
    else if (strcmp(what, "requests") == 0 && get)
        ret = control_requests(s, c);
    else
        ret = control_error(c, 404, "no such control endpoint (see assets/sandbox/README.md)");
    json_decref(body);
    return ret;
}

/* --- entry points ----------------------------------------------------------------------- */

enum MHD_Result sb_server_handle(void *cls, struct MHD_Connection *c, const char *url,
                                 const char *method, const char *version, const char *upload,
                                 size_t *upload_size, void **con_cls)
{
    (void)version;
    struct sb_server *s = cls;
    struct request *rq = *con_cls;
    if (!rq) {
        rq = xcalloc(1, sizeof *rq);
        rq->arrival = mono_now();
        *con_cls = rq;
        return MHD_YES;
    }
    if (*upload_size) {
        if (rq->len + *upload_size > MAX_UPLOAD) {
            rq->too_big = true;
        } else {
            rq->body = xrealloc(rq->body, rq->len + *upload_size + 1);
            memcpy(rq->body + rq->len, upload, *upload_size);
            rq->len += *upload_size;
            rq->body[rq->len] = '\0';
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (strncmp(url, "/_sandbox/", 10) == 0)
        return handle_control(s, c, url, method, rq);
    if (url[0] == '/' && url[1] == 'v' && url[2] >= '1' && url[2] <= '4' && url[3] == '/')
        return handle_api(s, c, url, method, rq);
    char trace[37];
    uuid4(trace);
    return send_doc(c, 404, json_pack("{s:s, s:s, s:s}", "code", "not_found", "message",
                                      "Route not found (the API is under /v1 ... /v4)", "trace_id",
                                      trace));
}

void sb_server_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)c, (void)toe;
    struct request *rq = *con_cls;
    if (rq) {
        free(rq->body);
        free(rq);
        *con_cls = NULL;
    }
}

/* --- chaos ------------------------------------------------------------------------------ */

static void chaos_undo(struct sb_server *s, char *desc, size_t size)
{
    struct chaos_undo *u = &s->undo;
    switch (u->kind) {
    case CHAOS_KEY:
        s->data->keys[u->key].state = SB_KEY_ACTIVE;
        bprintf(desc, size, "restored key %s; ", s->data->keys[u->key].mask);
        break;
    case CHAOS_SCOPE:
        sb_scopes_add(&s->data->orgs[u->org].installs[u->install].scopes, u->scope);
        bprintf(desc, size, "granted %s again on %s; ", u->scope, s->data->orgs[u->org].id);
        break;
    case CHAOS_FAULT:
        sb_faults_remove(&s->faults, u->fault_id);
        s->release_gen++;
        pthread_cond_broadcast(&s->wake);
        bprintf(desc, size, "cleared the fault on %s; ", s->data->orgs[u->org].id);
        break;
    case CHAOS_NONE:
        desc[0] = '\0';
        break;
    }
    free(u->scope);
    memset(u, 0, sizeof *u);
}

static uint64_t chaos_rand(uint64_t *rng)
{
    *rng ^= *rng << 13;
    *rng ^= *rng >> 7;
    *rng ^= *rng << 17;
    return *rng;
}

void sb_server_chaos_step(struct sb_server *s, uint64_t *rng, char *desc, size_t size)
{
    char undone[256];
    pthread_mutex_lock(&s->lock);
    chaos_undo(s, undone, sizeof undone);
    struct sb_data *d = s->data;
    char what[256] = "all quiet";
    unsigned pick = (unsigned)(chaos_rand(rng) % 6);
    size_t org = d->norgs ? (size_t)(chaos_rand(rng) % d->norgs) : 0;
    if (pick == 0 && d->nkeys) {
        size_t k = (size_t)(chaos_rand(rng) % d->nkeys);
        if (d->keys[k].state == SB_KEY_ACTIVE) {
            d->keys[k].state = SB_KEY_REVOKED;
            s->undo = (struct chaos_undo){.kind = CHAOS_KEY, .key = k};
            bprintf(what, sizeof what, "revoked key %s", d->keys[k].mask);
        }
    } else if (pick == 1 && d->norgs && d->orgs[org].ninstalls) {
        size_t i = (size_t)(chaos_rand(rng) % d->orgs[org].ninstalls);
        struct sb_scopes *sc = &d->orgs[org].installs[i].scopes;
        if (sc->len) {
            char *scope = xstrdup(sc->items[chaos_rand(rng) % sc->len]);
            sb_scopes_remove(sc, scope);
            s->undo = (struct chaos_undo){.kind = CHAOS_SCOPE, .org = org, .install = i,
                                          .scope = scope};
            bprintf(what, sizeof what, "withdrew %s on %s", scope, d->orgs[org].id);
        }
    } else if (pick >= 2 && pick <= 4 && d->norgs) {
        struct sb_fault f = {.count = -1, .org = xstrdup(d->orgs[org].id)};
        if (pick == 2) {
            f.kind = SB_FAULT_STATUS;
            f.status = 500;
        } else if (pick == 3) {
            f.kind = SB_FAULT_LATENCY;
            f.ms = 1500;
        } else {
            f.kind = SB_FAULT_STATUS;
            f.status = 503;
        }
        bprintf(what, sizeof what, "%s on %s", pick == 3 ? "1500 ms latency"
                                               : pick == 2 ? "500 internal_error"
                                                           : "503 service_unavailable",
                d->orgs[org].id);
        s->undo = (struct chaos_undo){.kind = CHAOS_FAULT, .org = org,
                                      .fault_id = sb_faults_add(&s->faults, &f)};
    }
    pthread_mutex_unlock(&s->lock);
    bprintf(desc, size, "%s%s", undone, what);
}
