/* The Max AI API as plain data: request URLs and headers, and responses (status, headers, body,
 * or the transport's failure) turned into one classified result. Pure functions: no network,
 * no curl; json_t never leaves api.c. */
#ifndef MAXDASH_API_H
#define MAXDASH_API_H

#include <stdbool.h>
#include <stddef.h>

enum api_endpoint { API_ME, API_PATIENTS, API_PATIENT };

/* Every outcome of a request falls in exactly one class. */
enum api_class {
    API_OK,
    API_UNAUTHORIZED, /* 401 */
    API_FORBIDDEN,    /* 403; api_error.required_scope when the message names it */
    API_NOT_FOUND,    /* 404 */
    API_BAD_REQUEST,  /* 400 and the other 4xx */
    API_RATE_LIMITED, /* 429; api_result.retry_after */
    API_SERVER_ERROR, /* 5xx */
    API_BAD_RESPONSE, /* not the documented JSON: not JSON, truncated, wrong types, too large */
    API_TIMEOUT,
    API_CONNECT,      /* refused, reset, closed without an answer */
    API_DNS,
    API_TLS,
    API_CLASS_COUNT
};

/* How the transfer itself ended, as the engine saw it. */
enum api_transport {
    API_TR_OK,        /* a complete HTTP response */
    API_TR_TIMEOUT,
    API_TR_CONNECT,
    API_TR_DNS,
    API_TR_TLS,
    API_TR_TOO_LARGE, /* the body passed the size cap */
    API_TR_PARTIAL,   /* the connection closed before the whole body arrived */
    API_TR_OTHER,
};

/* The error envelope; every string sanitized for the terminal, NULL when absent. */
struct api_error {
    char *code;
    char *message;
    char *trace_id;       /* kept whole: never validated or shortened */
    char *required_scope; /* 403: the text after "Required: " */
};

/* X-RateLimit-* and Retry-After; -1 where the header was absent or unreadable. */
struct api_ratelimit {
    long limit;
    long remaining;
    long long reset; /* Unix seconds */
    long retry_after;
};

struct api_me {
    char *app_id, *app_slug, *app_live_version;
    char *org_id;
    char **scopes; /* NULL when the response had none */
    size_t nscopes;
    bool scopes_from_app; /* found at data.app.scopes (older docs) */
};

/* A patient; only id is certain, every other field may be NULL. Strings are sanitized. */
struct api_patient {
    char *id, *mrn, *first, *middle, *last, *gender, *dob, *email, *phone;
    char *created, *updated;
};

struct api_page {
    struct api_patient *items;
    size_t len;
    long page, page_size, total_count, total_pages; /* -1 when absent */
};

/* What the engine hands over once a transfer is finished. */
struct api_response {
    enum api_endpoint endpoint;
    enum api_transport transport;
    const char *transport_detail; /* libcurl's message, may be NULL */
    int status;                   /* 0 when no HTTP response arrived */
    const char *body;
    size_t len;
    const struct api_ratelimit *rate; /* may be NULL */
    const char *content_type;         /* the Content-Type header, may be NULL */
};

struct api_result {
    enum api_class cls;
    int status;
    char *summary; /* one short sanitized line: "401 unauthorized: Invalid or missing API key" */
    struct api_error err;
    long retry_after; /* seconds to wait before the app's next request; -1 unknown */
    struct api_me me;           /* API_ME and API_OK */
    struct api_page page;       /* API_PATIENTS and API_OK */
    struct api_patient patient; /* API_PATIENT and API_OK */
};

/* "ok", "unauthorized", "forbidden", "not_found", "bad_request", "rate_limited",
 * "server_error", "bad_response", "timeout", "connection", "dns", "tls"; static. */
const char *api_class_name(enum api_class cls);
/* True for 401 and 403: the failures the auth log is for. */
bool api_class_is_auth(enum api_class cls);
/* True for failures worth retrying soon: timeouts, connection, DNS, 5xx, bad responses. */
bool api_class_is_transient(enum api_class cls);

/* The URL of an endpoint under base_url (no trailing '/'): page/page_size (> 0 to send),
 * search (NULL or "" for none) and id (API_PATIENT) are percent-encoded. Caller frees. */
char *api_url(const char *base_url, enum api_endpoint ep, long page, long page_size,
              const char *search, const char *id);

/* The path part of an endpoint's URL for logs ("/v1/patients/{id}" keeps the id). Caller
 * frees. */
char *api_path_of_url(const char *url);

/* "Authorization: Bearer KEY": a secret; the caller wipes (explicit_bzero) and frees it. */
char *api_auth_header(const char *key);

/* False when s cannot go into an HTTP header value (CR, LF, NUL or other controls). */
bool api_header_value_ok(const char *s);

/* Sets every field of rl to -1. */
void api_ratelimit_init(struct api_ratelimit *rl);
/* Reads one raw response header line ("Name: value\r\n", len bytes) into rl when it is one of
 * X-RateLimit-Limit/-Remaining/-Reset or Retry-After (names case-insensitive). */
void api_ratelimit_header(struct api_ratelimit *rl, const char *line, size_t len);

/* Classifies a finished request and parses its payload into *out (zeroed first); free with
 * api_result_free. A body that is not the documented JSON is described by status, length,
 * content type and the byte offset of the problem only: no byte of it reaches the summary or
 * any other string of *out (it may be patient data; issue 11). Only a 4xx/5xx error
 * envelope's code, message and trace_id are kept, sanitized. */
void api_interpret(const struct api_response *resp, struct api_result *out);
void api_result_free(struct api_result *r);
void api_patient_free(struct api_patient *p);
/* Deep copies (owned by dst). */
void api_patient_copy(struct api_patient *dst, const struct api_patient *src);
void api_me_copy(struct api_me *dst, const struct api_me *src);
void api_me_free(struct api_me *me);
void api_error_copy(struct api_error *dst, const struct api_error *src);
void api_error_free(struct api_error *e);

#endif
