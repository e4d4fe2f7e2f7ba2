/* Test support for `maxdash check` integration tests; see check_support.h. */
#include "check_support.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* The test keys: environment variable, macro name (for messages), value. */
static const struct {
    const char *section, *var, *macro, *value;
} keys[] = {
    {"active", "MAXDASH_TK_ACTIVE", "K_ACTIVE", K_ACTIVE},
    {"revoked", "MAXDASH_TK_REVOKED", "K_REVOKED", K_REVOKED},
    {"expired", "MAXDASH_TK_EXPIRED", "K_EXPIRED", K_EXPIRED},
    {"appts", "MAXDASH_TK_APPTS", "K_APPTS", K_APPTS},
    {"mescope", "MAXDASH_TK_MESCOPE", "K_MESCOPE", K_MESCOPE},
    {"meok", "MAXDASH_TK_MEOK", "K_MEOK", K_MEOK},
    {"other", "MAXDASH_TK_OTHER", "K_OTHER", K_OTHER},
    {"unknown", "MAXDASH_TK_UNKNOWN", "K_UNKNOWN", K_UNKNOWN},
};
#define NKEYS (sizeof keys / sizeof keys[0])
#define KEY_PREFIX_LEN 11 /* max_dev_ak_ */

void chk_init(struct chk *c)
{
    c->dir = test_tmpdir();
    ck_assert_msg(c->dir != NULL, "no temp dir");
    snprintf(c->cfg, sizeof c->cfg, "%s/config.ini", c->dir);
    snprintf(c->log, sizeof c->log, "%s/state/auth.jsonl", c->dir);
    test_program("maxdash", c->maxdash, sizeof c->maxdash);
}

void chk_free(struct chk *c)
{
    if (c->dir) {
        test_rmtree(c->dir);
        free(c->dir);
        c->dir = NULL;
    }
}

const char *chk_key_sections(void)
{
    static char text[2048];
    if (!text[0]) {
        size_t n = 0;
        for (size_t i = 0; i < NKEYS; i++)
            n += (size_t)snprintf(text + n, sizeof text - n, "[key \"%s\"]\nenv = %s\n",
                                  keys[i].section, keys[i].var);
    }
    return text;
}

void chk_config(struct chk *c, const char *base_url, const char *settings, const char *orgs)
{
    size_t size = 4096 + strlen(settings ? settings : "") + strlen(orgs ? orgs : "");
    char *text = malloc(size);
    ck_assert(text != NULL);
    size_t n = (size_t)snprintf(text, size, "[maxdash]\n");
    if (base_url)
        n += (size_t)snprintf(text + n, size - n, "base_url = %s\n", base_url);
    snprintf(text + n, size - n, "log_file = %s\n%s%s%s", c->log, settings ? settings : "",
             chk_key_sections(), orgs ? orgs : "");
    chk_config_raw(c, text);
    free(text);
}

void chk_config_raw(struct chk *c, const char *text)
{
    ck_assert_msg(test_write_file(c->cfg, text, 0600), "cannot write %s", c->cfg);
}

/* ---- invariants --------------------------------------------------------------------------- */

/* The name of the first test key (whole, or its random part) found in s, or NULL. */
static const char *leaked_key(const char *s, size_t n)
{
    if (!s)
        return NULL;
    for (size_t i = 0; i < NKEYS; i++) {
        const char *random = keys[i].value + KEY_PREFIX_LEN;
        if (memmem(s, n, keys[i].value, strlen(keys[i].value)) ||
            memmem(s, n, random, strlen(random)))
            return keys[i].macro;
    }
    return NULL;
}

/* Decodes one UTF-8 sequence at s[i..n); returns its length (0: invalid) and the code point. */
static size_t utf8_decode(const unsigned char *s, size_t i, size_t n, unsigned *cp)
{
    unsigned char b = s[i];
    size_t len;
    unsigned min;
    if (b < 0x80) {
        *cp = b;
        return 1;
    } else if (b >= 0xC2 && b <= 0xDF) {
        len = 2, *cp = b & 0x1F, min = 0x80;
    } else if (b >= 0xE0 && b <= 0xEF) {
        len = 3, *cp = b & 0x0F, min = 0x800;
    } else if (b >= 0xF0 && b <= 0xF4) {
        len = 4, *cp = b & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (i + len > n)
        return 0;
    for (size_t k = 1; k < len; k++) {
        if ((s[i + k] & 0xC0) != 0x80)
            return 0;
        *cp = (*cp << 6) | (s[i + k] & 0x3F);
    }
    if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF))
        return 0;
    return len;
}

long chk_bad_byte(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    for (size_t i = 0; i < n;) {
        unsigned cp;
        size_t len = utf8_decode(s, i, n, &cp);
        if (len == 0)
            return (long)i;
        if ((cp < 0x20 && cp != '\n' && cp != '\t') || cp == 0x7F ||
            (cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
            (cp >= 0x2066 && cp <= 0x2069))
            return (long)i;
        i += len;
    }
    return -1;
}

const char *chk_bad_string(json_t *v)
{
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        return chk_bad_byte(s, json_string_length(v)) >= 0 ? s : NULL;
    }
    if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) {
            const char *bad = chk_bad_string(e);
            if (bad)
                return bad;
        }
    } else if (json_is_object(v)) {
        const char *k;
        json_t *e;
        json_object_foreach(v, k, e) {
            if (chk_bad_byte(k, strlen(k)) >= 0)
                return k;
            const char *bad = chk_bad_string(e);
            if (bad)
                return bad;
        }
    }
    return NULL;
}

bool chk_json_contains(json_t *v, const char *needle)
{
    if (json_is_string(v))
        return strstr(json_string_value(v), needle) != NULL;
    size_t i;
    json_t *e;
    const char *k;
    if (json_is_array(v)) {
        json_array_foreach(v, i, e) {
            if (chk_json_contains(e, needle))
                return true;
        }
    } else if (json_is_object(v)) {
        json_object_foreach(v, k, e) {
            if (chk_json_contains(e, needle))
                return true;
        }
    }
    return false;
}

static void describe_args(const char *const *args, char *buf, size_t size)
{
    size_t n = (size_t)snprintf(buf, size, "maxdash check");
    for (size_t i = 0; args && args[i] && n < size; i++) {
        /* Arguments are test-chosen; show controls as '?' so messages stay printable. */
        n += (size_t)snprintf(buf + n, size - n, " ");
        for (const char *p = args[i]; *p && n + 1 < size; p++)
            buf[n++] = (unsigned char)*p < 0x20 || *p == 0x7F ? '?' : *p;
        buf[n < size ? n : size - 1] = '\0';
    }
}

void chk_run_env(struct chk *c, const char *const *args, const char *const *env, int deadline_ms,
                 struct chk_out *o)
{
    memset(o, 0, sizeof *o);
    char *argv[64];
    size_t na = 0;
    argv[na++] = c->maxdash;
    argv[na++] = "check";
    argv[na++] = "-c";
    argv[na++] = c->cfg;
    bool json = false;
    for (size_t i = 0; args && args[i]; i++) {
        ck_assert(na < 63);
        argv[na++] = (char *)args[i];
        json |= strcmp(args[i], "--json") == 0;
    }
    argv[na] = NULL;

    static char key_env[NKEYS][128];
    char home[4200];
    char *envp[64];
    size_t ne = 0;
    for (size_t i = 0; i < NKEYS; i++) {
        snprintf(key_env[i], sizeof key_env[i], "%s=%s", keys[i].var, keys[i].value);
        envp[ne++] = key_env[i];
    }
    snprintf(home, sizeof home, "HOME=%s", c->dir);
    static const char *const fixed[] = {
        "LC_ALL=C.UTF-8", "XDG_CONFIG_HOME=", "XDG_STATE_HOME=", "MAXDASH_CONFIG=", "NO_COLOR=",
        "http_proxy=", "https_proxy=", "HTTP_PROXY=", "HTTPS_PROXY=", "ALL_PROXY=",
        "all_proxy=", "no_proxy=", "NO_PROXY=", "CURL_CA_BUNDLE=", "SSL_CERT_FILE=",
        "SSL_CERT_DIR=", NULL};
    envp[ne++] = home;
    for (size_t i = 0; fixed[i]; i++)
        envp[ne++] = (char *)fixed[i];
    for (size_t i = 0; env && env[i]; i++) {
        ck_assert(ne < 63);
        envp[ne++] = (char *)env[i];
    }
    envp[ne] = NULL;

    char what[512];
    describe_args(args, what, sizeof what);
    long long t0 = test_now_ms();
    ck_assert_msg(proc_run(argv, envp, NULL, deadline_ms, &o->r) == 0, "cannot start %s",
                  c->maxdash);
    o->elapsed_ms = test_now_ms() - t0;
    ck_assert_msg(!o->r.timed_out, "%s did not finish within %d ms (killed)", what, deadline_ms);

    /* Keys first: nothing below may print output that holds one. */
    const char *k;
    k = leaked_key(o->r.out, o->r.out_len);
    ck_assert_msg(k == NULL, "%s: the whole key %s is in stdout", what, k);
    k = leaked_key(o->r.err, o->r.err_len);
    ck_assert_msg(k == NULL, "%s: the whole key %s is in stderr", what, k);
    size_t log_len = 0;
    char *log = test_read_file(c->log, &log_len);
    k = leaked_key(log, log_len);
    free(log);
    ck_assert_msg(k == NULL, "%s: the whole key %s is in the log file", what, k);

    ck_assert_msg(!strstr(o->r.err, "Sanitizer") && !strstr(o->r.err, "runtime error:"),
                  "%s: sanitizer report:\n%.3000s", what, o->r.err);
    ck_assert_msg(o->r.status < 128, "%s: killed by signal %d; stderr: %.1000s", what,
                  o->r.status - 128, o->r.err);

    long bad = chk_bad_byte(o->r.out, o->r.out_len);
    ck_assert_msg(bad < 0, "%s: stdout has a terminal control or invalid byte 0x%02x at offset %ld",
                  what, bad >= 0 ? (unsigned char)o->r.out[bad] : 0, bad);
    bad = chk_bad_byte(o->r.err, o->r.err_len);
    ck_assert_msg(bad < 0, "%s: stderr has a terminal control or invalid byte 0x%02x at offset %ld",
                  what, bad >= 0 ? (unsigned char)o->r.err[bad] : 0, bad);

    if (json && o->r.status != 2) {
        json_error_t jerr;
        o->doc = json_loadb(o->r.out, o->r.out_len, 0, &jerr);
        ck_assert_msg(o->doc != NULL, "%s: stdout is not one JSON document (%s at %d): %.500s",
                      what, jerr.text, jerr.position, o->r.out);
        ck_assert_msg(json_is_array(json_object_get(o->doc, "orgs")),
                      "%s: no \"orgs\" array in the JSON report", what);
    }
}

void chk_run(struct chk *c, const char *const *args, int deadline_ms, struct chk_out *o)
{
    chk_run_env(c, args, NULL, deadline_ms, o);
}

void chk_out_free(struct chk_out *o)
{
    proc_result_free(&o->r);
    json_decref(o->doc);
    o->doc = NULL;
}

/* ---- the report --------------------------------------------------------------------------- */

json_t *chk_org(json_t *doc, const char *name)
{
    json_t *found = NULL, *org;
    size_t i, n = 0;
    json_array_foreach(json_object_get(doc, "orgs"), i, org) {
        const char *nm = json_string_value(json_object_get(org, "name"));
        if (nm && strcmp(nm, name) == 0) {
            found = org;
            n++;
        }
    }
    ck_assert_msg(n == 1, "org \"%s\" is in the JSON report %zu times", name, n);
    return found;
}

void chk_assert_probe(json_t *org, const char *probe, const char *cls, int http_status)
{
    const char *name = json_string_value(json_object_get(org, "name"));
    json_t *p = json_object_get(org, probe);
    ck_assert_msg(json_is_object(p), "%s: no \"%s\" object", name, probe);
    const char *got = json_string_value(json_object_get(p, "class"));
    const char *summary = json_string_value(json_object_get(p, "summary"));
    ck_assert_msg(got && strcmp(got, cls) == 0, "%s.%s: class %s, expected %s (summary: %s)",
                  name, probe, got ? got : "(none)", cls, summary ? summary : "(none)");
    json_t *ok = json_object_get(p, "ok");
    ck_assert_msg(json_is_boolean(ok) && json_is_true(ok) == (strcmp(cls, "ok") == 0),
                  "%s.%s: \"ok\" is not %s", name, probe,
                  strcmp(cls, "ok") == 0 ? "true" : "false");
    json_t *st = json_object_get(p, "http_status");
    if (http_status > 0)
        ck_assert_msg(json_is_integer(st) && json_integer_value(st) == http_status,
                      "%s.%s: http_status %lld, expected %d (summary: %s)", name, probe,
                      json_is_integer(st) ? (long long)json_integer_value(st) : -1LL, http_status,
                      summary ? summary : "(none)");
    else if (http_status == 0)
        ck_assert_msg(json_is_null(st), "%s.%s: http_status %lld, expected null (no response)",
                      name, probe, json_is_integer(st) ? (long long)json_integer_value(st) : -1LL);
    json_t *lat = json_object_get(p, "latency_ms");
    if (strcmp(cls, "not_run") == 0) /* never sent: unknown, and --json says null (issue 17) */
        ck_assert_msg(json_is_null(lat), "%s.%s: not run, yet latency_ms is not null", name,
                      probe);
    else
        ck_assert_msg(json_is_integer(lat) && json_integer_value(lat) >= 0,
                      "%s.%s: latency_ms missing or negative", name, probe);
}

/* ---- the log ------------------------------------------------------------------------------ */

json_t *chk_log(const struct chk *c)
{
    json_t *arr = json_array();
    size_t len = 0;
    char *text = test_read_file(c->log, &len);
    if (!text)
        return arr;
    ck_assert_msg(len == 0 || text[len - 1] == '\n', "the log file does not end with a newline");
    size_t line = 0;
    for (char *p = text; p < text + len;) {
        char *nl = memchr(p, '\n', (size_t)(text + len - p));
        size_t n = (size_t)(nl - p);
        line++;
        json_error_t jerr;
        json_t *rec = json_loadb(p, n, 0, &jerr);
        ck_assert_msg(json_is_object(rec), "log line %zu is not one JSON object (%s)", line,
                      jerr.text);
        json_array_append_new(arr, rec);
        p = nl + 1;
    }
    free(text);
    return arr;
}

json_t *chk_log_find(json_t *log, const char *org, const char *path_prefix, const char *trace_id)
{
    size_t i;
    json_t *rec;
    json_array_foreach(log, i, rec) {
        const char *o = json_string_value(json_object_get(rec, "org"));
        const char *p = json_string_value(json_object_get(rec, "path"));
        const char *t = json_string_value(json_object_get(rec, "trace_id"));
        if (o && strcmp(o, org) == 0 && p && strncmp(p, path_prefix, strlen(path_prefix)) == 0 &&
            (!trace_id || (t && strcmp(t, trace_id) == 0)))
            return rec;
    }
    return NULL;
}

/* ---- text --------------------------------------------------------------------------------- */

char *chk_text_row(const char *out, const char *name)
{
    size_t nlen = strlen(name);
    for (const char *p = out; p && *p;) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        /* "<mark> <name> <org id> ...": the mark is one word, then spaces, then the name. */
        const char *q = p;
        while (q < p + len && *q != ' ')
            q++;
        while (q < p + len && *q == ' ')
            q++;
        if (q > p && (size_t)(p + len - q) > nlen && strncmp(q, name, nlen) == 0 && q[nlen] == ' ')
            return strndup(p, len);
        p = end ? end + 1 : NULL;
    }
    return NULL;
}

size_t chk_count_lines(const char *text)
{
    size_t n = 0;
    for (const char *p = text; p && *p; p++)
        if (*p == '\n' || p[1] == '\0')
            n++;
    return n;
}

size_t chk_text_rows(const char *out)
{
    size_t rows = 0, lines = chk_count_lines(out), line = 0;
    ck_assert_msg(lines >= 1 && out[strlen(out) - 1] == '\n', "text report: empty or unterminated");
    for (const char *p = out; *p; p = strchr(p, '\n') + 1) {
        line++;
        if (line == lines) /* the summary */
            ck_assert_msg(*p != ' ' && strncmp(p, "ok ", 3) != 0 && strncmp(p, "FAIL ", 5) != 0,
                          "text report: the last line is not a summary:\n%s", out);
        else if (strncmp(p, "ok ", 3) == 0 || strncmp(p, "FAIL ", 5) == 0)
            rows++;
        else
            ck_assert_msg(*p == ' ' && rows > 0,
                          "text report: line %zu is neither an org row nor one of its details:\n%s",
                          line, out);
    }
    return rows;
}

/* ---- network fixtures --------------------------------------------------------------------- */

int chk_refused_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    ck_assert(bind(fd, (struct sockaddr *)&a, sizeof a) == 0);
    socklen_t al = sizeof a;
    ck_assert(getsockname(fd, (struct sockaddr *)&a, &al) == 0);
    close(fd);
    return ntohs(a.sin_port);
}

static const char *find_program(const char *name, char *buf, size_t size)
{
    const char *path = getenv("PATH");
    char copy[4096];
    snprintf(copy, sizeof copy, "%s", path ? path : "/usr/bin:/bin");
    char *save = NULL;
    for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        snprintf(buf, size, "%s/%s", d, name);
        if (access(buf, X_OK) == 0)
            return buf;
    }
    return NULL;
}

void chk_make_cert(const char *dir, char cert[], size_t cert_size, char key[], size_t key_size)
{
    char openssl[1024];
    ck_assert_msg(find_program("openssl", openssl, sizeof openssl), "openssl CLI not found");
    snprintf(cert, cert_size, "%s/cert.pem", dir);
    snprintf(key, key_size, "%s/key.pem", dir);
    const char *argv[] = {openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                          "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert,
                          "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
                          "subjectAltName=IP:127.0.0.1", NULL};
    struct proc_result pr;
    ck_assert_int_eq(proc_run((char *const *)argv, NULL, NULL, 20000, &pr), 0);
    ck_assert_msg(pr.status == 0, "openssl failed: %.300s", pr.err);
    proc_result_free(&pr);
}

void chk_reset_stats(const struct sandbox *sb)
{
    struct http_resp r;
    sbt_ctl(sb, "DELETE", "/_sandbox/stats", NULL, &r);
    ck_assert_msg(r.curl_code == CURLE_OK && r.status >= 200 && r.status < 300,
                  "DELETE /_sandbox/stats: curl %d HTTP %ld", (int)r.curl_code, r.status);
    http_resp_free(&r);
}

json_t *chk_stats(const struct sandbox *sb)
{
    return sbt_ctl_json(sb, "GET", "/_sandbox/stats", NULL, 200);
}
