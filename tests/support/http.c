/* Test support: one HTTP request with libcurl. */
#include "http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proc.h"

static void global_init(void)
{
    static bool done;
    if (!done) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        done = true;
    }
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp)
{
    struct http_resp *r = userp;
    size_t n = size * nmemb;
    if (r->body_len + n + 1 > r->body_cap) { /* grow geometrically: 20 MiB bodies happen */
        size_t cap = r->body_cap ? r->body_cap : 4096;
        while (cap < r->body_len + n + 1)
            cap *= 2;
        char *p = realloc(r->body, cap);
        if (!p)
            abort();
        r->body = p;
        r->body_cap = cap;
    }
    memcpy(r->body + r->body_len, data, n);
    r->body_len += n;
    r->body[r->body_len] = '\0';
    return n;
}

static void headers_clear(struct http_resp *r)
{
    for (size_t i = 0; i < r->n_headers; i++) {
        free(r->headers[i].name);
        free(r->headers[i].value);
    }
    free(r->headers);
    r->headers = NULL;
    r->n_headers = 0;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *userp)
{
    struct http_resp *r = userp;
    size_t n = size * nmemb;
    if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
        headers_clear(r); /* a new response (after a 1xx) starts */
        return n;
    }
    const char *colon = memchr(data, ':', n);
    if (!colon)
        return n;
    size_t nlen = (size_t)(colon - data);
    const char *v = colon + 1;
    const char *end = data + n;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
        end--;
    struct http_header *h = realloc(r->headers, (r->n_headers + 1) * sizeof *h);
    if (!h)
        abort();
    r->headers = h;
    h[r->n_headers].name = strndup(data, nlen);
    h[r->n_headers].value = strndup(v, (size_t)(end - v));
    r->n_headers++;
    return n;
}

CURLcode http_do(const struct http_req *q, struct http_resp *r)
{
    global_init();
    memset(r, 0, sizeof *r);
    r->body = calloc(1, 1);
    r->body_cap = 1;
    CURL *c = curl_easy_init();
    if (!c || !r->body)
        abort();
    struct curl_slist *hl = NULL;
    char line[4096];
    if (q->authorization) {
        snprintf(line, sizeof line, "Authorization: %s", q->authorization);
        hl = curl_slist_append(hl, line);
    } else if (q->key) {
        snprintf(line, sizeof line, "Authorization: Bearer %s", q->key);
        hl = curl_slist_append(hl, line);
    }
    if (q->org) {
        snprintf(line, sizeof line, "X-Organization-Id: %s", q->org);
        hl = curl_slist_append(hl, line);
    }
    if (q->body)
        hl = curl_slist_append(hl, "Content-Type: application/json");
    for (size_t i = 0; q->headers && q->headers[i]; i++)
        hl = curl_slist_append(hl, q->headers[i]);
    hl = curl_slist_append(hl, "Expect:");

    curl_easy_setopt(c, CURLOPT_URL, q->url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, q->timeout_ms > 0 ? q->timeout_ms : 10000L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 3000L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, r->error);
    curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
    if (q->cainfo)
        curl_easy_setopt(c, CURLOPT_CAINFO, q->cainfo);
    const char *method = q->method ? q->method : "GET";
    if (q->body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, q->body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(q->body));
    }
    if (strcmp(method, "GET") == 0 && !q->body)
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    else if (strcmp(method, "POST") == 0 && !q->body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
    } else if (strcmp(method, "POST") != 0)
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);

    long long t0 = test_now_ms();
    r->curl_code = curl_easy_perform(c);
    r->elapsed_ms = test_now_ms() - t0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_easy_cleanup(c);
    curl_slist_free_all(hl);
    return r->curl_code;
}

void http_resp_free(struct http_resp *r)
{
    headers_clear(r);
    free(r->body);
    memset(r, 0, sizeof *r);
}

const char *http_header(const struct http_resp *r, const char *name)
{
    const char *v = NULL;
    for (size_t i = 0; i < r->n_headers; i++)
        if (strcasecmp(r->headers[i].name, name) == 0)
            v = r->headers[i].value;
    return v;
}

json_t *http_json(const struct http_resp *r)
{
    if (!r->body)
        return NULL;
    json_error_t e;
    return json_loadb(r->body, r->body_len, JSON_DECODE_ANY, &e);
}

CURLcode http_get(const char *url, const char *key, const char *org, struct http_resp *r)
{
    struct http_req q = {.url = url, .key = key, .org = org};
    return http_do(&q, r);
}

CURLcode http_send(const char *method, const char *url, const char *body, struct http_resp *r)
{
    struct http_req q = {.method = method, .url = url, .body = body};
    return http_do(&q, r);
}
