/* Issue 11: no byte of a response body reaches what a failed parse keeps. Arbitrary bodies go
 * through api_interpret; when the result is a failed parse (a bad response, or an error status
 * without the API's error envelope), its summary and every string it stores may share a 4-byte
 * substring with the body only where that substring is part of the program's own words (the
 * allow-list below, built from api.c's messages). The body may be a patient's data: jansson's
 * error text, which quotes it ("near '\"raph'"), is exactly what this catches.
 *
 * Input: byte 0 chooses the status and the endpoint, byte 1 the Content-Type; the rest is the
 * body. Numbers are measurements (status, length, offset, index), not body bytes: runs of
 * digits compare as one '#' on both sides. A message added to api.c joins the list here. */
#include "fuzz.h"

#include "restable.h"

/* The program's own words: every sentence a summary of a failed parse can be made of, with
 * each number written '#'. */
static const char *const whys[] = {
    "the body is not a JSON object",
    "\"code\" is not \"success\"",
    "\"data\" is not an object",
    "\"data\" is missing",
    "data.app is not an object",
    "data.organization is not an object",
    "data.pagination is not an object",
    "data.app.id is not a string",
    "data.app.slug is not a string",
    "data.app.liveVersionId is not a string",
    "data.organization.id is not a string",
    "data.scopes is not an array",
    "data.app.scopes is not an array",
    "data.scopes[#] is not a string",
    "data.app.scopes[#] is not a string",
    "data.patients is not an array",
    "data.patients is missing",
    "data.pagination.page is not a count",
    "data.pagination.pageSize is not a count",
    "data.pagination.totalCount is not a count",
    "data.pagination.totalPages is not a count",
    "data.patients[#] is not an object",
    "data.patients[#].id is not a string",
    "data.patients[#].id is missing",
    "data.patients[#].id has no printable character",
    "data is not an object",
    "data.id is not a string",
    "data.id is missing",
    "data.id has no printable character",
};
static const char *const problems[] = {
    "it ends early",     "text after the JSON value", "invalid UTF-#",
    "a NUL byte",        "nested too deeply",         "a number too large",
    "a NUL byte in a key", "a duplicate key",         "out of memory",
    "invalid syntax",
};
/* What the Content-Type of byte 1 gives in a summary. */
static const char *const content_types[] = {NULL, "application/json",
                                            "text/html; charset=utf-8", "text/\x1b]52;x"};
static const char *const ctype_words[] = {"no content type", "application/json", "text/html",
                                          "an unreadable content type"};

static char **allow;
static size_t nallow;

static void allow_add(char *s)
{
    char **grown = realloc(allow, (nallow + 1) * sizeof *allow);
    FUZZ_REQUIRE(grown != NULL && s != NULL);
    allow = grown;
    allow[nallow++] = s;
}

static char *join(const char *a, const char *b, const char *c, const char *d, const char *e)
{
    size_t n = strlen(a) + strlen(b) + strlen(c) + strlen(d) + strlen(e) + 1;
    char *s = malloc(n);
    FUZZ_REQUIRE(s != NULL);
    snprintf(s, n, "%s%s%s%s%s", a, b, c, d, e);
    return s;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    allow_add(join("# OK", "", "", "", ""));
    allow_add(join("# (the body is not the API's error JSON)", "", "", "", ""));
    for (size_t i = 0; i < sizeof whys / sizeof whys[0]; i++)
        allow_add(join("# but ", whys[i], "", "", ""));
    /* Issue 16: the generic parser names the list key of the resource table. */
    for (int i = 0; i < res_count(); i++) {
        const char *key = res_at(i)->list_key;
        allow_add(join("# but data.", key, " is not an array", "", ""));
        allow_add(join("# but data.", key, " is missing", "", ""));
        allow_add(join("# but data.", key, "[#] is not an object", "", ""));
        if (res_at(i)->detail_key)
            allow_add(join("# but data.", res_at(i)->detail_key, " is not an object", "", ""));
    }
    for (size_t p = 0; p < sizeof problems / sizeof problems[0]; p++)
        for (size_t c = 0; c < sizeof ctype_words / sizeof ctype_words[0]; c++)
            allow_add(join("# but the body is not JSON (", problems[p], " at byte # of #, ",
                           ctype_words[c], ")"));
    /* Issue 15: a 401/403/404/429 that is not the API's JSON (no Server header here). */
    for (size_t c = 0; c < sizeof ctype_words / sizeof ctype_words[0]; c++)
        allow_add(join("# blocked before the API: server not named, ",
                       c == 1 || c == 2 ? "content type " : "", ctype_words[c],
                       ", # bytes (not the API's JSON error)", ""));
    return 0;
}

/* s[0..n) with every run of digits written as one '#', NUL-terminated; caller frees. */
static char *numbers_as_hash(const char *s, size_t n, size_t *out_len)
{
    char *out = malloc(n + 1);
    FUZZ_REQUIRE(out != NULL);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] >= '0' && s[i] <= '9') {
            if (i == 0 || s[i - 1] < '0' || s[i - 1] > '9')
                out[o++] = '#';
            continue;
        }
        out[o++] = s[i];
    }
    out[o] = '\0';
    *out_len = o;
    return out;
}

static bool allowed(const char *w)
{
    for (size_t i = 0; i < nallow; i++)
        if (strstr(allow[i], w))
            return true;
    return false;
}

/* Aborts when s shares a 4-byte substring with the body outside the allow-list. The report
 * names the string, never its bytes (they may be a patient's). */
static void check_string(const char *what, const char *s, const char *body, size_t blen)
{
    if (!s)
        return;
    size_t n;
    char *norm = numbers_as_hash(s, strlen(s), &n);
    for (size_t i = 0; i + 4 <= n; i++) {
        char w[5];
        memcpy(w, norm + i, 4);
        w[4] = '\0';
        if (memchr(w, '\0', 4) || !memmem(body, blen, w, 4) || allowed(w))
            continue;
        fprintf(stderr, "fuzz invariant failed: the %s of a failed parse holds 4 bytes of the "
                        "body (at %zu) that are not the program's own words\n", what, i);
        abort();
    }
    free(norm);
}

static void check_patient(const struct api_patient *p, const char *body, size_t blen)
{
    const char *const f[] = {p->id,  p->mrn,   p->first, p->middle,  p->last,   p->gender,
                             p->dob, p->email, p->phone, p->created, p->updated};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        check_string("patient field", f[i], body, blen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    static const int statuses[] = {200, 200, 200, 200, 201, 204, 301, 302,
                                   304, 401, 403, 404, 429, 500, 502, 503};
    int st = statuses[data[0] % 16];
    enum api_endpoint ep = (enum api_endpoint)((data[0] >> 4) % 5);
    const char *ctype = content_types[data[1] % 4];
    int res = (data[1] >> 2) % res_count(); /* API_LIST, API_ITEM (issue 16) */
    data += 2, size -= 2;

    char *body = malloc(size ? size : 1);
    FUZZ_REQUIRE(body != NULL);
    if (size)
        memcpy(body, data, size);
    struct api_response resp = {.endpoint = ep, .resource = res, .transport = API_TR_OK, .status = st,
                                .body = body, .len = size, .content_type = ctype};
    struct api_result r;
    api_interpret(&resp, &r);
    fuzz_check_result(&r, st);

    bool failed_parse = r.cls == API_BAD_RESPONSE ||
                        (r.cls != API_OK && fuzz_error_is_empty(&r.err));
    if (failed_parse) {
        size_t blen;
        char *nbody = numbers_as_hash(body, size, &blen);
        check_string("summary", r.summary, nbody, blen);
        check_string("error code", r.err.code, nbody, blen);
        check_string("error message", r.err.message, nbody, blen);
        check_string("trace_id", r.err.trace_id, nbody, blen);
        check_string("required scope", r.err.required_scope, nbody, blen);
        check_string("app id", r.me.app_id, nbody, blen);
        check_string("app slug", r.me.app_slug, nbody, blen);
        check_string("app version", r.me.app_live_version, nbody, blen);
        check_string("org id", r.me.org_id, nbody, blen);
        for (size_t i = 0; i < r.me.nscopes; i++)
            check_string("scope", r.me.scopes[i], nbody, blen);
        for (size_t i = 0; i < r.page.len; i++)
            check_patient(&r.page.items[i], nbody, blen);
        check_patient(&r.patient, nbody, blen);
        for (size_t i = 0; i < r.rows.len; i++)
            check_string("row id", r.rows.items[i].id, nbody, blen);
        for (size_t i = 0; i < r.detail.n; i++)
            check_string("detail line", r.detail.fields[i].value, nbody, blen);
        free(nbody);
    }
    free(body);
    api_result_free(&r);
    return 0;
}
