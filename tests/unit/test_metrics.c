/* metrics: label-value escaping (quotes, backslashes, newlines, UTF-8, invalid bytes), Accept
 * negotiation, and whole expositions of a hand-made model with hostile config values and
 * hostile API text, read back by a strict parser of the exposition grammar written here (not
 * the writer's code): every value unescapes to the cleaned input, no key is ever whole, the
 * exemplar is there in OpenMetrics only, counters and histograms add up. */
#include "testing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "model.h"
#include "util.h"

#define KEY "max_prd_ak_S3CRETS3CRETS3CRETS3CRET01"
/* An org name with a quote, a backslash, a newline and UTF-8, and what it is once cleaned. */
#define ODD_RAW "\xc3\xb6" "dd\"n\\x\ny \xe6\x9d\xb1"
#define ODD "\xc3\xb6" "dd\"n\\x y \xe6\x9d\xb1"

static char *esc(const char *s)
{
    struct metrics_buf b = {0};
    metrics_buf_puts(&b, "");
    metrics_escape(&b, s);
    return b.p;
}

START_TEST(escape_backslash_quote_and_newline)
{
    char *e = esc("a\"b\\c\nd");
    ck_assert_str_eq(e, "a\\\"b\\\\c\\nd");
    free(e);
    /* Each of the three alone, at either end, doubled. */
    e = esc("\\\\\"\"\n\n");
    ck_assert_str_eq(e, "\\\\\\\\\\\"\\\"\\n\\n");
    free(e);
    /* A value that tries to close the label and open another stays one value. */
    e = esc("x\",evil=\"1");
    ck_assert_str_eq(e, "x\\\",evil=\\\"1");
    free(e);
    e = esc("");
    ck_assert_str_eq(e, "");
    free(e);
    /* Other controls are legal in a label value and left to the caller's cleaning. */
    e = esc("tab\there");
    ck_assert_str_eq(e, "tab\there");
    free(e);
}
END_TEST

START_TEST(escape_keeps_utf8_and_replaces_invalid_bytes)
{
    char *e = esc("Clínica São José · 東京 🦷");
    ck_assert_str_eq(e, "Clínica São José · 東京 🦷");
    free(e);
    /* A lone continuation byte, a truncated sequence, an overlong '/', a surrogate, beyond
     * U+10FFFF: each bad byte becomes U+FFFD, and what follows survives. */
    e = esc("a\x80" "b\xC3" "c\xC0\xAF" "d\xED\xA0\x80" "e\xF4\x90\x80\x80" "f");
    ck_assert_str_eq(e, "a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c\xEF\xBF\xBD\xEF\xBF\xBD"
                        "d\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
                        "e\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" "f");
    free(e);
    /* A quote after a truncated sequence is still escaped (not swallowed into it). */
    e = esc("\xE6\x9D\"");
    ck_assert_str_eq(e, "\xEF\xBF\xBD\xEF\xBF\xBD\\\"");
    free(e);
}
END_TEST

START_TEST(negotiation_follows_the_accept_header)
{
    /* What Prometheus 2.x sends. */
    ck_assert_int_eq(metrics_negotiate("application/openmetrics-text;version=1.0.0,"
                                       "application/openmetrics-text;version=0.0.1;q=0.75,"
                                       "text/plain;version=0.0.4;q=0.5,*/*;q=0.1"),
                     METRICS_OPENMETRICS);
    ck_assert_int_eq(metrics_negotiate("application/openmetrics-text"), METRICS_OPENMETRICS);
    ck_assert_int_eq(metrics_negotiate("Application/OpenMetrics-Text ; Version=1.0.0"),
                     METRICS_OPENMETRICS);
    ck_assert_int_eq(metrics_negotiate("text/plain;version=0.0.4"), METRICS_TEXT);
    ck_assert_int_eq(metrics_negotiate(NULL), METRICS_TEXT);
    ck_assert_int_eq(metrics_negotiate(""), METRICS_TEXT);
    ck_assert_int_eq(metrics_negotiate("*/*"), METRICS_TEXT);
    ck_assert_int_eq(metrics_negotiate(",,;;=q=,"), METRICS_TEXT);
    /* A version we do not write, a lower q, q=0 and a malformed q: not OpenMetrics. */
    ck_assert_int_eq(metrics_negotiate("application/openmetrics-text;version=2.0.0"), METRICS_TEXT);
    ck_assert_int_eq(metrics_negotiate("application/openmetrics-text;q=0.2,text/plain;q=0.5"),
                     METRICS_TEXT);
    ck_assert_int_eq(metrics_negotiate("application/openmetrics-text;q=0"), METRICS_TEXT);
    ck_assert_int_eq(metrics_negotiate("application/openmetrics-text;q=x"), METRICS_TEXT);
    ck_assert_str_eq(metrics_content_type(METRICS_TEXT), "text/plain; version=0.0.4; charset=utf-8");
    ck_assert_str_eq(metrics_content_type(METRICS_OPENMETRICS),
                     "application/openmetrics-text; version=1.0.0; charset=utf-8");
}
END_TEST

/* ---- a strict reader of one sample line ---------------------------------------------------- */

struct sample {
    char name[128];
    char lname[8][32];
    char lval[8][512];  /* unescaped */
    int nlabels;
    char value[64];
    bool exemplar;
    char ex_trace[512]; /* unescaped */
    char ex_rest[64];
};

/* Reads a quoted label value at *p (after the opening quote) up to its closing quote; only the
 * three escapes are allowed; a raw newline is not. */
static bool read_value(const char **p, char *out, size_t size)
{
    size_t n = 0;
    const char *s = *p;
    for (;;) {
        char c = *s++;
        if (c == '\0' || c == '\n')
            return false;
        if (c == '"')
            break;
        if (c == '\\') {
            char d = *s++;
            if (d == 'n')
                c = '\n';
            else if (d == '\\' || d == '"')
                c = d;
            else
                return false;
        }
        if (n + 1 >= size)
            return false;
        out[n++] = c;
    }
    out[n] = '\0';
    *p = s;
    return true;
}

static bool read_labels(const char **p, char names[][32], char vals[][512], int max, int *count)
{
    const char *s = *p;
    int n = 0;
    if (*s++ != '{')
        return false;
    while (*s != '}') {
        if (n == max)
            return false;
        size_t k = 0;
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
            return false;
        while ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_' ||
               (*s >= '0' && *s <= '9')) {
            if (k + 1 >= 32)
                return false;
            names[n][k++] = *s++;
        }
        names[n][k] = '\0';
        if (*s++ != '=' || *s++ != '"' || !read_value(&s, vals[n], 512))
            return false;
        n++;
        if (*s == ',')
            s++;
        else if (*s != '}')
            return false;
    }
    *p = s + 1;
    *count = n;
    return true;
}

static bool parse_sample(const char *line, struct sample *out)
{
    memset(out, 0, sizeof *out);
    const char *s = line;
    size_t k = 0;
    while ((*s >= 'a' && *s <= 'z') || *s == '_') {
        if (k + 1 >= sizeof out->name)
            return false;
        out->name[k++] = *s++;
    }
    if (!k || !read_labels(&s, out->lname, out->lval, 8, &out->nlabels) || *s++ != ' ')
        return false;
    k = 0;
    while (*s && *s != ' ' && *s != '\n' && k + 1 < sizeof out->value)
        out->value[k++] = *s++;
    if (!k)
        return false;
    if (*s == '\n' || *s == '\0')
        return true;
    if (strncmp(s, " # ", 3) != 0)
        return false;
    s += 3;
    char names[1][32], vals[1][512];
    int n;
    if (!read_labels(&s, names, vals, 1, &n) || n != 1 || strcmp(names[0], "trace_id") != 0)
        return false;
    out->exemplar = true;
    snprintf(out->ex_trace, sizeof out->ex_trace, "%s", vals[0]);
    snprintf(out->ex_rest, sizeof out->ex_rest, "%.*s", (int)strcspn(s, "\n"), s);
    return true;
}

static const char *label(const struct sample *sm, const char *name)
{
    for (int i = 0; i < sm->nlabels; i++)
        if (strcmp(sm->lname[i], name) == 0)
            return sm->lval[i];
    return NULL;
}

/* Checks every line of an exposition; returns the samples (caller frees) and their count. */
static struct sample *parse_all(const char *text, enum metrics_format f, size_t *n)
{
    struct sample *v = NULL;
    *n = 0;
    bool eof = false;
    for (const char *line = text; *line;) {
        const char *nl = strchr(line, '\n');
        ck_assert_msg(nl != NULL, "the exposition does not end with a newline");
        ck_assert_msg(!eof, "something after # EOF");
        if (strncmp(line, "# EOF\n", 6) == 0) {
            eof = true;
        } else if (line[0] == '#') {
            ck_assert_msg(strncmp(line, "# HELP ", 7) == 0 || strncmp(line, "# TYPE ", 7) == 0,
                          "unknown comment line");
        } else {
            struct sample sm;
            char copy[4096];
            snprintf(copy, sizeof copy, "%.*s", (int)(nl - line + 1), line);
            ck_assert_msg(parse_sample(copy, &sm), "malformed sample line: %s", copy);
            ck_assert_msg(f == METRICS_OPENMETRICS || !sm.exemplar,
                          "an exemplar in the text format: %s", copy);
            v = realloc(v, (*n + 1) * sizeof *v);
            v[(*n)++] = sm;
        }
        line = nl + 1;
    }
    ck_assert_msg(eof == (f == METRICS_OPENMETRICS), "# EOF %s",
                  f == METRICS_OPENMETRICS ? "missing" : "in the text format");
    return v;
}

static const struct sample *find(const struct sample *v, size_t n, const char *name,
                                 const char *lname, const char *lval)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].name, name) == 0 && (!lname || (label(&v[i], lname) &&
                                                        strcmp(label(&v[i], lname), lval) == 0)))
            return &v[i];
    return NULL;
}

/* ---- a hand-made model with hostile values ------------------------------------------------- */

static struct config cfg;
static struct config_key keys[1];
static struct config_org orgs[2];
static struct model m;

static void make_model(const char *org1_id)
{
    memset(&cfg, 0, sizeof cfg);
    memset(keys, 0, sizeof keys);
    memset(orgs, 0, sizeof orgs);
    keys[0].name = "prod\"uction";
    keys[0].source = CONFIG_SRC_ENV;
    keys[0].value = KEY;
    orgs[0].name = "westla";
    orgs[0].id = "org_westla";
    /* The config refuses such names; the writer must not rely on it. */
    orgs[1].name = ODD_RAW;
    orgs[1].id = (char *)org1_id;
    for (int i = 0; i < 2; i++) {
        orgs[i].key = &keys[0];
        orgs[i].key_name = keys[0].name;
    }
    cfg.set.base_url = "http://127.0.0.1:1/v1";
    cfg.set.refresh = 30;
    cfg.set.timeout = 10;
    cfg.set.page_size = 50;
    cfg.set.rate_budget = 100;
    cfg.set.api_env = CONFIG_API_LOOPBACK;
    cfg.keys = keys;
    cfg.nkeys = 1;
    cfg.orgs = orgs;
    cfg.norgs = 2;
    model_init(&m, &cfg, NULL, 0);
}

static struct api_result result(enum api_class cls, int status, const char *code,
                                const char *trace)
{
    struct api_result r;
    memset(&r, 0, sizeof r);
    r.cls = cls;
    r.status = status;
    r.err.code = (char *)code;
    r.err.trace_id = (char *)trace;
    return r;
}

static void set_probe(struct model_probe *p, enum api_class cls, int status)
{
    struct api_result r = result(cls, status, NULL, NULL);
    model_probe_set(p, &r, 10, 1000.0);
}

static char *render(struct metrics *mx, enum metrics_format f)
{
    struct metrics_buf b = {0};
    metrics_render(mx, &m, f, mono_now(), &b);
    return b.p;
}

START_TEST(hostile_config_and_api_text_stay_inside_their_labels)
{
    /* An org id with a quote, a backslash, a newline, an ESC sequence, invalid UTF-8, and a key
     * pasted in; an API code and trace_id that try to break out of the line. */
    make_model("org_\"x\\y\nz\x1b[31m\xff" KEY);
    struct api_me me = {0};
    me.app_id = xstrdup("app_\"evil\\");
    me.scopes = xcalloc(2, sizeof *me.scopes);
    me.scopes[0] = xstrdup("read:patients");
    me.scopes[1] = xstrdup("read:\"injected\"} 1\nx{y=\"");
    me.nscopes = 2;
    model_org_take_me(&m.orgs[1], &me);
    m.orgs[1].have_me = true;
    set_probe(&m.orgs[1].probe_me, API_UNAUTHORIZED, 401);
    set_probe(&m.orgs[1].probe_patients, API_UNAUTHORIZED, 401);
    set_probe(&m.orgs[0].probe_me, API_OK, 200);
    set_probe(&m.orgs[0].probe_patients, API_OK, 200);
    m.orgs[0].last_success = 1700000000.25;

    struct metrics *mx = metrics_new(m.norgs);
    struct api_result r = result(API_UNAUTHORIZED, 401, "unauth\"orized\"} 99\n# EOF\n" KEY,
                                 "tr\"ace\\1\n" KEY);
    metrics_observe(mx, 1, API_ME, &r, 63, 1700000001.5);
    r.err.trace_id = "550e8400-e29b-41d4-a716-446655440000";
    metrics_observe(mx, 1, API_ME, &r, 70, 1700000002.0);

    for (int fi = 0; fi < 2; fi++) {
        enum metrics_format f = fi ? METRICS_OPENMETRICS : METRICS_TEXT;
        char *text = render(mx, f);
        ck_assert_msg(strstr(text, KEY) == NULL, "a whole key in the exposition");
        ck_assert_msg(strstr(text, "S3CRETS3CRET") == NULL, "most of a key in the exposition");
        size_t n;
        struct sample *v = parse_all(text, f, &n);
        /* The odd org's labels unescape to its cleaned values: one sample line each. */
        const struct sample *up = find(v, n, "maxdash_org_up", "org", ODD);
        ck_assert_ptr_nonnull(up);
        ck_assert_str_eq(up->value, "0");
        const char *id = label(up, "org_id");
        ck_assert_ptr_nonnull(id);
        ck_assert_msg(strncmp(id, "org_\"x\\y z", 10) == 0, "org_id label: %s", id);
        ck_assert_msg(strchr(id, '\x1b') == NULL && strchr(id, '\n') == NULL, "a control character in org_id");
        ck_assert_msg(strstr(id, "max_prd_ak_") != NULL, "the masked key's prefix stays");
        ck_assert_str_eq(label(up, "key"), "prod\"uction");
        ck_assert_str_eq(label(up, "app"), "app_\"evil\\");
        ck_assert_str_eq(find(v, n, "maxdash_org_up", "org", "westla")->value, "1");
        /* States: auth is 1 for odd, ok for westla. */
        int ones = 0;
        for (size_t i = 0; i < n; i++) {
            if (strcmp(v[i].name, "maxdash_org_state") != 0)
                continue;
            if (strcmp(v[i].value, "1") == 0) {
                ones++;
                ck_assert_str_eq(label(&v[i], "state"),
                                 strcmp(label(&v[i], "org"), ODD) == 0 ? "auth" : "ok");
            }
        }
        ck_assert_int_eq(ones, 2);
        /* Only documented scopes: the injected one is not a series. */
        const struct sample *sc = find(v, n, "maxdash_scope_granted", "scope", "read:patients");
        ck_assert_ptr_nonnull(sc);
        ck_assert_str_eq(sc->value, "1");
        for (size_t i = 0; i < n; i++)
            if (strcmp(v[i].name, "maxdash_scope_granted") == 0)
                ck_assert_msg(strstr(label(&v[i], "scope"), "injected") == NULL, "an undocumented scope is a series");
        ck_assert_str_eq(find(v, n, "maxdash_last_success_timestamp_seconds", "org", "westla")
                             ->value, "1700000000.250");
        ck_assert_ptr_null(find(v, n, "maxdash_last_success_timestamp_seconds", "org", ODD));
        /* One failure series with both failures; the hostile code is one value. */
        const struct sample *fs = find(v, n, "maxdash_failures_total", "org", ODD);
        ck_assert_ptr_nonnull(fs);
        ck_assert_str_eq(fs->value, "2");
        ck_assert_str_eq(label(fs, "endpoint"), "/marketplace/me");
        ck_assert_str_eq(label(fs, "status"), "401");
        ck_assert_msg(strncmp(label(fs, "code"), "unauth\"orized\"} 99 # EOF max_prd_ak_", 36) == 0,
                      "code label: %s", label(fs, "code"));
        if (f == METRICS_OPENMETRICS) {
            ck_assert(fs->exemplar);
            ck_assert_str_eq(fs->ex_trace, "550e8400-e29b-41d4-a716-446655440000");
            ck_assert_str_eq(fs->ex_rest, " 1 1700000002.000");
            ck_assert_msg(strstr(text, "# TYPE maxdash_failures counter\n") != NULL, "OpenMetrics names the counter family without _total");
        } else {
            ck_assert(!fs->exemplar);
            ck_assert_msg(strstr(text, "# TYPE maxdash_failures_total counter\n") != NULL, "the text format names the counter by its sample");
        }
        free(v);
        free(text);
    }
    metrics_free(mx);
    model_free(&m);
}
END_TEST

START_TEST(an_exemplar_too_long_to_keep_whole_is_left_out)
{
    make_model("org_odd");
    struct metrics *mx = metrics_new(m.norgs);
    char trace[200];
    memset(trace, 'a', 121);
    trace[121] = '\0'; /* "trace_id" + 121 characters: 129 > 128 */
    struct api_result r = result(API_FORBIDDEN, 403, "forbidden", trace);
    metrics_observe(mx, 0, API_PATIENTS, &r, 5, 1.0);
    char *text = render(mx, METRICS_OPENMETRICS);
    size_t n;
    struct sample *v = parse_all(text, METRICS_OPENMETRICS, &n);
    const struct sample *fs = find(v, n, "maxdash_failures_total", "org", "westla");
    ck_assert_ptr_nonnull(fs);
    ck_assert(!fs->exemplar);
    free(v);
    free(text);
    trace[120] = '\0'; /* exactly 128: kept */
    metrics_observe(mx, 0, API_PATIENTS, &r, 5, 2.0);
    text = render(mx, METRICS_OPENMETRICS);
    v = parse_all(text, METRICS_OPENMETRICS, &n);
    fs = find(v, n, "maxdash_failures_total", "org", "westla");
    ck_assert(fs->exemplar);
    ck_assert_str_eq(fs->value, "2");
    ck_assert_uint_eq(strlen(fs->ex_trace), 120);
    free(v);
    free(text);
    metrics_free(mx);
    model_free(&m);
}
END_TEST

START_TEST(invented_codes_do_not_grow_the_series_without_bound)
{
    make_model("org_odd");
    struct metrics *mx = metrics_new(m.norgs);
    for (int i = 0; i < 100; i++) {
        char code[32];
        snprintf(code, sizeof code, "code_%d", i);
        struct api_result r = result(API_SERVER_ERROR, 500, code, NULL);
        metrics_observe(mx, 1, API_ME, &r, 5, 1.0);
    }
    /* A failure without a code is named by its class; one without an answer has status none. */
    struct api_result r = result(API_TIMEOUT, 0, NULL, NULL);
    metrics_observe(mx, 0, API_PATIENTS, &r, 10000, 1.0);
    char *text = render(mx, METRICS_TEXT);
    size_t n;
    struct sample *v = parse_all(text, METRICS_TEXT, &n);
    size_t series = 0;
    long total = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(v[i].name, "maxdash_failures_total") != 0 || strcmp(label(&v[i], "org"), ODD))
            continue;
        series++;
        total += atol(v[i].value);
    }
    ck_assert_uint_eq(series, METRICS_MAX_FAILURE_SERIES + 1);
    ck_assert_int_eq(total, 100);
    const struct sample *other = find(v, n, "maxdash_failures_total", "code", "other");
    ck_assert_ptr_nonnull(other);
    ck_assert_str_eq(other->value, "84");
    const struct sample *to = find(v, n, "maxdash_failures_total", "code", "timeout");
    ck_assert_ptr_nonnull(to);
    ck_assert_str_eq(label(to, "status"), "none");
    free(v);
    free(text);
    metrics_free(mx);
    model_free(&m);
}
END_TEST

START_TEST(the_histogram_is_cumulative_with_sum_and_count)
{
    make_model("org_odd");
    struct metrics *mx = metrics_new(m.norgs);
    static const long ms[] = {10, 50, 60, 3000, 20000};
    for (size_t i = 0; i < 5; i++) {
        struct api_result r = result(API_OK, 200, NULL, NULL);
        metrics_observe(mx, 0, API_ME, &r, ms[i], 1.0);
    }
    char *text = render(mx, METRICS_TEXT);
    size_t n;
    struct sample *v = parse_all(text, METRICS_TEXT, &n);
    static const char *const le[] = {"0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"};
    static const char *const want[] = {"2", "3", "3", "3", "3", "3", "4", "4", "5"};
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(v[i].name, "maxdash_request_duration_seconds_bucket") ||
            strcmp(label(&v[i], "org"), "westla") || strcmp(label(&v[i], "endpoint"),
                                                             "/marketplace/me"))
            continue;
        ck_assert_int_lt(k, 9);
        ck_assert_str_eq(label(&v[i], "le"), le[k]);
        ck_assert_msg(strcmp(v[i].value, want[k]) == 0, "le=%s: %s, want %s", le[k], v[i].value,
                      want[k]);
        k++;
    }
    ck_assert_uint_eq(k, 9);
    const struct sample *sum = find(v, n, "maxdash_request_duration_seconds_sum", "org", "westla");
    ck_assert_str_eq(label(sum, "endpoint"), "/marketplace/me");
    ck_assert_str_eq(sum->value, "23.120");
    const struct sample *cnt = find(v, n, "maxdash_request_duration_seconds_count", "org", "westla");
    ck_assert_str_eq(cnt->value, "5");
    /* No /patients/{id} series until such a request was made. */
    ck_assert_ptr_null(find(v, n, "maxdash_request_duration_seconds_count", "endpoint",
                            "/patients/{id}"));
    free(v);
    free(text);
    metrics_free(mx);
    model_free(&m);
}
END_TEST

START_TEST(the_exposition_in_parts_is_the_whole_one)
{
    make_model("org_odd");
    struct metrics *mx = metrics_new(m.norgs);
    struct api_result r = result(API_UNAUTHORIZED, 401, "unauthorized", "t-1");
    metrics_observe(mx, 1, API_ME, &r, 63, 5.0);
    for (int fi = 0; fi < 2; fi++) {
        enum metrics_format f = fi ? METRICS_OPENMETRICS : METRICS_TEXT;
        char *whole = render(mx, f);
        static const size_t sizes[] = {1, 100, 4096};
        for (size_t k = 0; k < 3; k++) {
            struct metrics_buf parts = {0};
            struct metrics_cursor *c = metrics_cursor_new(mx, &m, f, mono_now());
            size_t nparts = 0;
            for (;;) {
                if (!metrics_cursor_next(c, sizes[k], &parts))
                    break;
                nparts++;
                /* Whole lines. */
                ck_assert_int_eq(parts.p[parts.len - 1], '\n');
            }
            metrics_cursor_free(c);
            ck_assert_msg(strcmp(parts.p, whole) == 0,
                          "parts of %zu bytes differ from the whole: %zu vs %zu bytes", sizes[k],
                          parts.len, strlen(whole));
            ck_assert_msg(sizes[k] > 1000 || nparts > 10, "%zu parts of %zu bytes", nparts, sizes[k]);
            metrics_buf_free(&parts);
        }
        free(whole);
    }
    metrics_free(mx);
    model_free(&m);
}
END_TEST

SUITE(metrics)
{
    Suite *s = suite_create("metrics");
    TCase *tc = tcase_create("escape");
    tcase_add_test(tc, escape_backslash_quote_and_newline);
    tcase_add_test(tc, escape_keeps_utf8_and_replaces_invalid_bytes);
    tcase_add_test(tc, negotiation_follows_the_accept_header);
    suite_add_tcase(s, tc);
    tc = tcase_create("render");
    tcase_add_test(tc, hostile_config_and_api_text_stay_inside_their_labels);
    tcase_add_test(tc, an_exemplar_too_long_to_keep_whole_is_left_out);
    tcase_add_test(tc, invented_codes_do_not_grow_the_series_without_bound);
    tcase_add_test(tc, the_histogram_is_cumulative_with_sum_and_count);
    tcase_add_test(tc, the_exposition_in_parts_is_the_whole_one);
    suite_add_tcase(s, tc);
    return s;
}
