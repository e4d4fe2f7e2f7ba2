/* The exposition writer of `maxdash serve`. Formats: the Prometheus text format 0.0.4 and
 * OpenMetrics 1.0.0 (prometheus.io/docs/instrumenting/exposition_formats, openmetrics.io).
 * One scrape of 5 000 orgs is some 170 000 lines: each org's labels are escaped once and kept,
 * and numbers are written without printf where it counts (bench B15). */
#include "metrics.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "text.h"
#include "util.h"

/* Bucket bounds in milliseconds (the engine measures whole ms) and as `le` writes them. */
static const long bucket_ms[] = {50, 100, 250, 500, 1000, 2500, 5000, 10000};
static const char *const bucket_le[] = {"0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10"};
#define NBUCKETS (sizeof bucket_ms / sizeof bucket_ms[0])
#define NENDPOINTS 3
#define CODE_MAX 64
/* OpenMetrics: label names and values of an exemplar together at most 128 characters. */
#define EXEMPLAR_CHARS 128

const char *const metrics_scopes[] = {
    "read:appointments", "read:bills",     "read:claims",    "read:encounters",
    "read:facilities",   "read:inventory", "read:marketplace", "read:notes",
    "read:patients",     "read:products",  "read:providers", "read:soap_notes",
    "read:tasks",        NULL};

static const char *const endpoint_label[NENDPOINTS] = {"/marketplace/me", "/patients",
                                                      "/patients/{id}"};

struct hist {
    uint64_t bucket[NBUCKETS]; /* not cumulative; summed when written */
    uint64_t count;
    uint64_t sum_ms;
};

struct failure_series {
    enum api_endpoint ep;
    int status;           /* 0: no HTTP answer ("none"); -1: the overflow series ("other") */
    char *code;           /* cleaned, cut */
    uint64_t count;
    char *trace_id;       /* the latest, cleaned; NULL none */
    double trace_at;      /* wall seconds */
};

struct org_metrics {
    struct hist hist[NENDPOINTS];
    struct failure_series *fails;
    size_t nfails;
    char *labels;         /* org="…",org_id="…",key="…",app="…" escaped; NULL until first render */
    size_t labels_len;
    char *labels_app;     /* the app id labels was made with; NULL: none */
};

struct metrics {
    struct org_metrics *orgs;
    size_t norgs;
};

/* --- buffer ------------------------------------------------------------------------------- */

static void reserve(struct metrics_buf *b, size_t n)
{
    if (b->len + n + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n + 1)
        cap *= 2;
    b->p = xrealloc(b->p, cap);
    b->cap = cap;
}

void metrics_buf_put(struct metrics_buf *b, const char *s, size_t n)
{
    reserve(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void metrics_buf_puts(struct metrics_buf *b, const char *s)
{
    metrics_buf_put(b, s, strlen(s));
}

void metrics_buf_free(struct metrics_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

static void put_u64(struct metrics_buf *b, uint64_t v)
{
    char tmp[24];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    metrics_buf_put(b, tmp + i, sizeof tmp - i);
}

/* Seconds with millisecond precision, as the engine measures. */
static void put_ms_as_seconds(struct metrics_buf *b, uint64_t ms)
{
    put_u64(b, ms / 1000);
    char frac[5] = {'.', (char)('0' + ms % 1000 / 100), (char)('0' + ms % 100 / 10),
                    (char)('0' + ms % 10), '\0'};
    metrics_buf_put(b, frac, 4);
}

static void put_wall(struct metrics_buf *b, double wall)
{
    put_ms_as_seconds(b, wall > 0 ? (uint64_t)(wall * 1000.0 + 0.5) : 0);
}

/* --- escaping ----------------------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when s does not start one. */
static size_t utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    size_t n;
    unsigned min;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    unsigned cp = c & (0x7F >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

void metrics_escape(struct metrics_buf *b, const char *s)
{
    if (!s)
        return;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t run = 0;
        /* Copy the longest run that needs nothing, then handle one byte. */
        while (p[run] && p[run] != '\\' && p[run] != '"' && p[run] != '\n' && p[run] < 0x80)
            run++;
        if (run) {
            metrics_buf_put(b, (const char *)p, run);
            p += run;
            continue;
        }
        if (*p == '\\') {
            metrics_buf_put(b, "\\\\", 2);
            p++;
        } else if (*p == '"') {
            metrics_buf_put(b, "\\\"", 2);
            p++;
        } else if (*p == '\n') {
            metrics_buf_put(b, "\\n", 2);
            p++;
        } else {
            size_t n = utf8_len(p);
            if (n) {
                metrics_buf_put(b, (const char *)p, n);
                p += n;
            } else {
                metrics_buf_put(b, "\xEF\xBF\xBD", 3); /* U+FFFD */
                p++;
            }
        }
    }
}

/* Characters (code points) of valid UTF-8 s. */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        n += (*p & 0xC0) != 0x80;
    return n;
}

/* --- Accept negotiation ------------------------------------------------------------------- */

static const char *skip_ws(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* q of one media range's parameters (s up to end); 1 when absent, 0 when malformed. Sets
 * *version_ok when no version is given or it is one of ok_versions (NULL: any). */
static double range_params(const char *s, const char *end, const char *const *ok_versions,
                           bool *version_ok)
{
    double q = 1.0;
    *version_ok = true;
    while (s < end) {
        s = skip_ws(s);
        const char *semi = memchr(s, ';', (size_t)(end - s));
        const char *pend = semi ? semi : end;
        const char *eq = memchr(s, '=', (size_t)(pend - s));
        if (eq) {
            size_t nlen = (size_t)(eq - s);
            while (nlen && (s[nlen - 1] == ' ' || s[nlen - 1] == '\t'))
                nlen--;
            const char *v = skip_ws(eq + 1);
            size_t vlen = (size_t)(pend - v);
            while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
                vlen--;
            char val[32];
            if (vlen >= sizeof val)
                vlen = sizeof val - 1;
            memcpy(val, v, vlen);
            val[vlen] = '\0';
            if (nlen == 1 && (s[0] == 'q' || s[0] == 'Q')) {
                char *e;
                q = strtod(val, &e);
                if (e == val || *e || q < 0 || q > 1)
                    q = 0;
            } else if (nlen == 7 && strncasecmp(s, "version", 7) == 0 && ok_versions) {
                *version_ok = false;
                for (size_t i = 0; ok_versions[i]; i++)
                    if (strcmp(val, ok_versions[i]) == 0)
                        *version_ok = true;
            }
        }
        s = semi ? semi + 1 : end;
    }
    return q;
}

enum metrics_format metrics_negotiate(const char *accept)
{
    static const char *const om_versions[] = {"1.0.0", "0.0.1", NULL};
    double om = 0, text = 0, any = 0;
    const char *s = accept ? accept : "";
    while (*s) {
        const char *comma = strchr(s, ',');
        const char *end = comma ? comma : s + strlen(s);
        s = skip_ws(s);
        const char *semi = memchr(s, ';', (size_t)(end - s));
        const char *tend = semi ? semi : end;
        size_t tlen = (size_t)(tend - s);
        while (tlen && (s[tlen - 1] == ' ' || s[tlen - 1] == '\t'))
            tlen--;
        bool vok;
        if (tlen == 28 && strncasecmp(s, "application/openmetrics-text", 28) == 0) {
            double q = range_params(tend, end, om_versions, &vok);
            if (vok && q > om)
                om = q;
        } else if (tlen == 10 && strncasecmp(s, "text/plain", 10) == 0) {
            double q = range_params(tend, end, NULL, &vok);
            if (q > text)
                text = q;
        } else if ((tlen == 3 && strncmp(s, "*/*", 3) == 0) ||
                   (tlen == 6 && strncasecmp(s, "text/*", 6) == 0)) {
            double q = range_params(tend, end, NULL, &vok);
            if (q > any)
                any = q;
        }
        s = comma ? comma + 1 : end;
    }
    return om > 0 && om > text && om > any ? METRICS_OPENMETRICS : METRICS_TEXT;
}

const char *metrics_content_type(enum metrics_format f)
{
    return f == METRICS_OPENMETRICS ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
                                    : "text/plain; version=0.0.4; charset=utf-8";
}

/* --- counters ----------------------------------------------------------------------------- */

struct metrics *metrics_new(size_t norgs)
{
    struct metrics *mx = xcalloc(1, sizeof *mx);
    mx->orgs = xcalloc(norgs ? norgs : 1, sizeof *mx->orgs);
    mx->norgs = norgs;
    return mx;
}

void metrics_free(struct metrics *mx)
{
    if (!mx)
        return;
    for (size_t i = 0; i < mx->norgs; i++) {
        struct org_metrics *om = &mx->orgs[i];
        for (size_t k = 0; k < om->nfails; k++) {
            free(om->fails[k].code);
            free(om->fails[k].trace_id);
        }
        free(om->fails);
        free(om->labels);
        free(om->labels_app);
    }
    free(mx->orgs);
    free(mx);
}

/* A cleaned, key-masked copy of s cut to at most max bytes (never inside a character). */
static char *clean_cut(const char *s, size_t max)
{
    char *c = text_clean(s);
    if (c && strlen(c) > max) {
        c[max] = '\0';
        utf8_trim_partial(c);
    }
    return c;
}

static struct failure_series *find_series(struct org_metrics *om, enum api_endpoint ep,
                                          int status, const char *code)
{
    for (size_t k = 0; k < om->nfails; k++)
        if (om->fails[k].ep == ep && om->fails[k].status == status &&
            strcmp(om->fails[k].code, code) == 0)
            return &om->fails[k];
    return NULL;
}

static struct failure_series *add_series(struct org_metrics *om, enum api_endpoint ep,
                                         int status, const char *code)
{
    om->fails = xrealloc(om->fails, (om->nfails + 1) * sizeof *om->fails);
    struct failure_series *fs = &om->fails[om->nfails++];
    memset(fs, 0, sizeof *fs);
    fs->ep = ep;
    fs->status = status;
    fs->code = xstrdup(code);
    return fs;
}

void metrics_observe(struct metrics *mx, size_t org, enum api_endpoint ep,
                     const struct api_result *r, long latency_ms, double wall)
{
    if (!mx || org >= mx->norgs || (unsigned)ep >= NENDPOINTS)
        return;
    struct org_metrics *om = &mx->orgs[org];
    struct hist *h = &om->hist[ep];
    uint64_t ms = latency_ms > 0 ? (uint64_t)latency_ms : 0;
    for (size_t i = 0; i < NBUCKETS; i++) {
        if (ms <= (uint64_t)bucket_ms[i]) {
            h->bucket[i]++;
            break;
        }
    }
    h->count++;
    h->sum_ms += ms;
    if (r->cls == API_OK)
        return;

    int status = r->status > 0 && r->status < 1000 ? r->status : 0;
    char *code = r->err.code && *r->err.code ? clean_cut(r->err.code, CODE_MAX) : NULL;
    if (!code || !*code) {
        free(code);
        code = xstrdup(api_class_name(r->cls));
    }
    struct failure_series *fs = find_series(om, ep, status, code);
    if (!fs) {
        size_t named = 0;
        for (size_t k = 0; k < om->nfails; k++)
            named += om->fails[k].status != -1;
        if (named < METRICS_MAX_FAILURE_SERIES) {
            fs = add_series(om, ep, status, code);
        } else {
            fs = find_series(om, ep, -1, "other");
            if (!fs)
                fs = add_series(om, ep, -1, "other");
        }
    }
    free(code);
    fs->count++;
    free(fs->trace_id);
    fs->trace_id = NULL;
    if (r->err.trace_id && *r->err.trace_id) {
        char *t = text_clean(r->err.trace_id);
        /* A trace_id that does not fit an exemplar whole is left out, never cut: a cut one
         * would send support looking for a request that does not exist. */
        if (t && utf8_chars(t) + strlen("trace_id") <= EXEMPLAR_CHARS)
            fs->trace_id = t;
        else
            free(t);
    }
    fs->trace_at = wall;
}

/* --- rendering ---------------------------------------------------------------------------- */

static void put_label(struct metrics_buf *b, const char *name, const char *raw)
{
    char *clean = text_clean(raw ? raw : "");
    metrics_buf_puts(b, name);
    metrics_buf_put(b, "=\"", 2);
    metrics_escape(b, clean);
    metrics_buf_put(b, "\"", 1);
    free(clean);
}

static const char *org_labels(struct org_metrics *om, const struct model_org *o)
{
    const char *app = o->have_me ? o->me.app_id : NULL;
    bool same = om->labels && ((!app && !om->labels_app) ||
                               (app && om->labels_app && strcmp(app, om->labels_app) == 0));
    if (same)
        return om->labels;
    struct metrics_buf b = {0};
    put_label(&b, "org", o->cfg->name);
    metrics_buf_put(&b, ",", 1);
    put_label(&b, "org_id", o->cfg->id);
    metrics_buf_put(&b, ",", 1);
    put_label(&b, "key", o->cfg->key_name);
    metrics_buf_put(&b, ",", 1);
    put_label(&b, "app", app);
    free(om->labels);
    free(om->labels_app);
    /* Kept for the process's life, one per org: its own size, not the buffer's 4 KiB (5 000
     * of those were 12 MiB of RSS). */
    om->labels = xrealloc(b.p, b.len + 1);
    om->labels_len = b.len;
    om->labels_app = app ? xstrdup(app) : NULL;
    return om->labels;
}

static void family(struct metrics_buf *b, enum metrics_format f, const char *name,
                   const char *type, const char *help)
{
    /* The text format names a counter by its sample (_total); OpenMetrics by its family. */
    size_t n = strlen(name);
    if (f == METRICS_OPENMETRICS && strcmp(type, "counter") == 0 && n > 6 &&
        strcmp(name + n - 6, "_total") == 0)
        n -= 6;
    metrics_buf_put(b, "# HELP ", 7);
    metrics_buf_put(b, name, n);
    metrics_buf_put(b, " ", 1);
    metrics_buf_puts(b, help);
    metrics_buf_put(b, "\n# TYPE ", 8);
    metrics_buf_put(b, name, n);
    metrics_buf_put(b, " ", 1);
    metrics_buf_puts(b, type);
    metrics_buf_put(b, "\n", 1);
}

/* name{LABELS[,extra]} */
static void sample_start(struct metrics_buf *b, const char *name, const struct org_metrics *om,
                         const char *extra)
{
    metrics_buf_puts(b, name);
    metrics_buf_put(b, "{", 1);
    metrics_buf_put(b, om->labels, om->labels_len);
    if (extra) {
        metrics_buf_put(b, ",", 1);
        metrics_buf_puts(b, extra);
    }
    metrics_buf_put(b, "} ", 2);
}

static const char *const state_names[] = {"ok", "auth", "scope", "not_found", "rate_limited",
                                          "down"};

static int state_of(enum model_health h)
{
    switch (h) {
    case HEALTH_OK: return 0;
    case HEALTH_AUTH: return 1;
    case HEALTH_SCOPE: return 2;
    case HEALTH_NOT_FOUND: return 3;
    case HEALTH_RATE: return 4;
    case HEALTH_DOWN: return 5;
    default: return -1; /* checking: no state is 1 yet */
    }
}

static bool has_scope(const struct model_org *o, const char *scope)
{
    for (size_t s = 0; s < o->me.nscopes; s++)
        if (o->me.scopes[s] && strcmp(o->me.scopes[s], scope) == 0)
            return true;
    return false;
}

/* Whether budget b is the first with its app id (merged budgets may leave twins). */
static bool first_of_app(const struct model *m, size_t b)
{
    for (size_t k = 0; k < b; k++)
        if (m->budgets[k].app_id && m->budgets[k].norgs &&
            strcmp(m->budgets[k].app_id, m->budgets[b].app_id) == 0)
            return false;
    return true;
}

static void render_histograms(struct metrics *mx, size_t i, struct metrics_buf *b)
{
    static const char *const ep_extra[NENDPOINTS] = {
        "endpoint=\"/marketplace/me\"", "endpoint=\"/patients\"", "endpoint=\"/patients/{id}\""};
    const struct org_metrics *om = &mx->orgs[i];
    for (size_t ep = 0; ep < NENDPOINTS; ep++) {
        const struct hist *h = &mx->orgs[i].hist[ep];
        /* serve asks for /marketplace/me and /patients: those always, others once used. */
        if (ep == API_PATIENT && h->count == 0)
            continue;
        uint64_t cum = 0;
        for (size_t k = 0; k <= NBUCKETS; k++) {
            cum += k < NBUCKETS ? h->bucket[k] : 0;
            metrics_buf_puts(b, "maxdash_request_duration_seconds_bucket{");
            metrics_buf_put(b, om->labels, om->labels_len);
            metrics_buf_put(b, ",", 1);
            metrics_buf_puts(b, ep_extra[ep]);
            metrics_buf_put(b, ",le=\"", 5);
            metrics_buf_puts(b, k < NBUCKETS ? bucket_le[k] : "+Inf");
            metrics_buf_put(b, "\"} ", 3);
            put_u64(b, k < NBUCKETS ? cum : h->count);
            metrics_buf_put(b, "\n", 1);
        }
        sample_start(b, "maxdash_request_duration_seconds_sum", om, ep_extra[ep]);
        put_ms_as_seconds(b, h->sum_ms);
        metrics_buf_put(b, "\n", 1);
        sample_start(b, "maxdash_request_duration_seconds_count", om, ep_extra[ep]);
        put_u64(b, h->count);
        metrics_buf_put(b, "\n", 1);
    }
}

static void render_failures(struct metrics *mx, size_t i, enum metrics_format f,
                            struct metrics_buf *b)
{
    const struct org_metrics *om = &mx->orgs[i];
    for (size_t k = 0; k < om->nfails; k++) {
        const struct failure_series *fs = &om->fails[k];
        metrics_buf_puts(b, "maxdash_failures_total{");
        metrics_buf_put(b, om->labels, om->labels_len);
        metrics_buf_put(b, ",endpoint=\"", 11);
        metrics_buf_puts(b, endpoint_label[fs->ep]);
        metrics_buf_put(b, "\",status=\"", 10);
        if (fs->status > 0)
            put_u64(b, (uint64_t)fs->status);
        else
            metrics_buf_puts(b, fs->status == 0 ? "none" : "other");
        metrics_buf_put(b, "\",code=\"", 8);
        metrics_escape(b, fs->code);
        metrics_buf_put(b, "\"} ", 3);
        put_u64(b, fs->count);
        if (f == METRICS_OPENMETRICS && fs->trace_id) {
            /* The latest failure: its trace_id, one occurrence, when it happened. */
            metrics_buf_puts(b, " # {trace_id=\"");
            metrics_escape(b, fs->trace_id);
            metrics_buf_puts(b, "\"} 1 ");
            put_wall(b, fs->trace_at);
        }
        metrics_buf_put(b, "\n", 1);
    }
}

/* The families in the order they are written; each is written whole before the next
 * (OpenMetrics: a family's samples are contiguous). */
enum family_id { FAM_UP, FAM_STATE, FAM_LAST, FAM_SCOPE, FAM_HIST, FAM_FAIL, FAM_RL_REMAINING,
                 FAM_RL_WAITING, FAM_EOF, FAM_DONE };

static const struct {
    const char *name, *type, *help;
    bool per_app; /* one item per budget, else per org */
} families[] = {
    [FAM_UP] = {"maxdash_org_up", "gauge",
                "1 when the org's last refresh was fully good (/marketplace/me and /patients).",
                false},
    [FAM_STATE] = {"maxdash_org_state", "gauge",
                   "1 for the org's current state, 0 for the others; all 0 until the first answer.",
                   false},
    [FAM_LAST] = {"maxdash_last_success_timestamp_seconds", "gauge",
                  "Unix time of the org's last fully good refresh; absent before the first.",
                  false},
    [FAM_SCOPE] = {"maxdash_scope_granted", "gauge",
                   "1 when /marketplace/me lists the documented scope for the org's key, else 0.",
                   false},
    [FAM_HIST] = {"maxdash_request_duration_seconds", "histogram",
                  "Duration of maxdash's requests to the API, by endpoint.", false},
    [FAM_FAIL] = {"maxdash_failures_total", "counter",
                  "Failed requests since start, by endpoint, HTTP status and error code.", false},
    [FAM_RL_REMAINING] = {"maxdash_ratelimit_remaining", "gauge",
                          "The app's last X-RateLimit-Remaining; absent until the API sent one.",
                          true},
    [FAM_RL_WAITING] = {"maxdash_ratelimit_waiting", "gauge",
                        "1 while maxdash holds the app's requests back after a 429, else 0.", true},
};

struct metrics_cursor {
    struct metrics *mx;
    const struct model *m;
    enum metrics_format f;
    double mono;
    enum family_id fam;
    size_t item; /* the next org or budget of fam */
};

/* One org's (or budget's) samples of family fam. */
static void render_item(struct metrics_cursor *c, size_t i, struct metrics_buf *b)
{
    struct metrics *mx = c->mx;
    const struct model *m = c->m;
    switch (c->fam) {
    case FAM_UP: {
        const struct model_org *o = &m->orgs[i];
        bool up = o->probe_me.done && o->probe_me.cls == API_OK && o->probe_patients.done &&
                  o->probe_patients.cls == API_OK;
        sample_start(b, "maxdash_org_up", &mx->orgs[i], NULL);
        metrics_buf_put(b, up ? "1\n" : "0\n", 2);
        break;
    }
    case FAM_STATE: {
        int st = state_of(model_org_health(&m->orgs[i]));
        for (int s = 0; s < (int)ARRAY_LEN(state_names); s++) {
            char extra[32];
            bprintf(extra, sizeof extra, "state=\"%s\"", state_names[s]);
            sample_start(b, "maxdash_org_state", &mx->orgs[i], extra);
            metrics_buf_put(b, s == st ? "1\n" : "0\n", 2);
        }
        break;
    }
    case FAM_LAST:
        if (m->orgs[i].last_success > 0) {
            sample_start(b, "maxdash_last_success_timestamp_seconds", &mx->orgs[i], NULL);
            put_wall(b, m->orgs[i].last_success);
            metrics_buf_put(b, "\n", 1);
        }
        break;
    case FAM_SCOPE: {
        const struct model_org *o = &m->orgs[i];
        if (!o->have_me)
            break;
        for (size_t s = 0; metrics_scopes[s]; s++) {
            char extra[64];
            bprintf(extra, sizeof extra, "scope=\"%s\"", metrics_scopes[s]);
            sample_start(b, "maxdash_scope_granted", &mx->orgs[i], extra);
            metrics_buf_put(b, has_scope(o, metrics_scopes[s]) ? "1\n" : "0\n", 2);
        }
        break;
    }
    case FAM_HIST:
        render_histograms(mx, i, b);
        break;
    case FAM_FAIL:
        render_failures(mx, i, c->f, b);
        break;
    case FAM_RL_REMAINING: {
        const struct model_budget *bu = &m->budgets[i];
        if (!bu->app_id || !bu->norgs || bu->remaining < 0 || !first_of_app(m, i))
            break;
        metrics_buf_puts(b, "maxdash_ratelimit_remaining{");
        put_label(b, "app", bu->app_id);
        metrics_buf_put(b, "} ", 2);
        put_u64(b, (uint64_t)bu->remaining);
        metrics_buf_put(b, "\n", 1);
        break;
    }
    case FAM_RL_WAITING: {
        const struct model_budget *bu = &m->budgets[i];
        if (!bu->app_id || !bu->norgs || !first_of_app(m, i))
            break;
        metrics_buf_puts(b, "maxdash_ratelimit_waiting{");
        put_label(b, "app", bu->app_id);
        metrics_buf_put(b, bu->blocked_until > c->mono ? "} 1\n" : "} 0\n", 4);
        break;
    }
    default:
        break;
    }
}

struct metrics_cursor *metrics_cursor_new(struct metrics *mx, const struct model *m,
                                          enum metrics_format f, double mono)
{
    struct metrics_cursor *c = xcalloc(1, sizeof *c);
    c->mx = mx;
    c->m = m;
    c->f = f;
    c->mono = mono;
    size_t n = m->norgs < mx->norgs ? m->norgs : mx->norgs;
    for (size_t i = 0; i < n; i++)
        org_labels(&mx->orgs[i], &m->orgs[i]);
    return c;
}

bool metrics_cursor_next(struct metrics_cursor *c, size_t min_bytes, struct metrics_buf *b)
{
    size_t start = b->len;
    while (c->fam != FAM_DONE && b->len - start < min_bytes) {
        if (c->fam == FAM_EOF) {
            if (c->f == METRICS_OPENMETRICS)
                metrics_buf_put(b, "# EOF\n", 6);
            c->fam = FAM_DONE;
            break;
        }
        /* Counted again at each step: the model may have changed between two parts. */
        size_t count = families[c->fam].per_app
                           ? c->m->nbudgets
                           : (c->m->norgs < c->mx->norgs ? c->m->norgs : c->mx->norgs);
        if (c->item == 0)
            family(b, c->f, families[c->fam].name, families[c->fam].type,
                   families[c->fam].help);
        if (c->item < count)
            render_item(c, c->item++, b);
        if (c->item >= count) {
            c->fam++;
            c->item = 0;
        }
    }
    return b->len > start;
}

void metrics_cursor_free(struct metrics_cursor *c)
{
    free(c);
}

void metrics_render(struct metrics *mx, const struct model *m, enum metrics_format f,
                    double mono, struct metrics_buf *b)
{
    struct metrics_cursor *c = metrics_cursor_new(mx, m, f, mono);
    while (metrics_cursor_next(c, SIZE_MAX, b)) {
    }
    metrics_cursor_free(c);
}
