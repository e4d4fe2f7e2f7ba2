/* Test support: one HTTP request with libcurl, everything about the answer kept for asserts. */
#ifndef MAXDASH_TEST_HTTP_H
#define MAXDASH_TEST_HTTP_H

#include <curl/curl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct http_req {
    const char *method;              /* NULL: GET */
    const char *url;
    const char *key;                 /* sends "Authorization: Bearer <key>" when not NULL */
    const char *authorization;       /* sends "Authorization: <this>" verbatim when not NULL */
    const char *org;                 /* sends "X-Organization-Id: <org>" when not NULL */
    const char *body;                /* request body (sent with Content-Type: application/json) */
    const char *const *headers;      /* more "Name: value" lines, NULL-terminated */
    long timeout_ms;                 /* 0: 10000 */
    const char *cainfo;              /* CA file for https (NULL: the system's) */
};

struct http_header {
    char *name;
    char *value;
};

struct http_resp {
    CURLcode curl_code;
    char error[CURL_ERROR_SIZE];
    long status;                     /* 0 when no response came */
    char *body;                      /* NUL-terminated (never NULL after http_do) */
    size_t body_len;
    size_t body_cap;                 /* allocated size of body */
    struct http_header *headers;     /* of the last response (no interim 1xx) */
    size_t n_headers;
    long long elapsed_ms;
};

/* Performs the request; returns the curl code (also in r->curl_code). */
CURLcode http_do(const struct http_req *q, struct http_resp *r);
void http_resp_free(struct http_resp *r);

/* The value of the last header called name (case-insensitive), or NULL. */
const char *http_header(const struct http_resp *r, const char *name);
/* The body parsed as JSON (a new reference the caller decrefs), or NULL when it is not JSON. */
json_t *http_json(const struct http_resp *r);

/* Shorthands: GET url with key and org (either may be NULL). */
CURLcode http_get(const char *url, const char *key, const char *org, struct http_resp *r);
/* method (POST/DELETE/GET) on url with an optional JSON body. */
CURLcode http_send(const char *method, const char *url, const char *body, struct http_resp *r);

#endif
