/* The Max AI API as plain data: request URLs and headers, and responses (status, headers, body,
 * or the transport's failure) turned into one classified result. Pure functions: no network,
 * no curl; json_t never leaves api.c. */
#ifndef MAXDASH_API_H
#define MAXDASH_API_H

#include <stdbool.h>
#include <stddef.h>

/* API_LIST and API_ITEM are any resource of the table (resource.h): api_response.resource
 * says which. Patients keep their own typed endpoints. API_LIST_PROBE: the list of any
 * resource, read only as far as telling that data.<list_key> is an array (the key's probe,
 * issue 20; api_response.list_key). */
enum api_endpoint { API_ME, API_PATIENTS, API_PATIENT, API_LIST, API_ITEM, API_LIST_PROBE };

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
    API_BLOCKED,      /* 401/403/404/429 without the API's JSON error envelope: something in
                         front of the API (proxy, CDN, firewall) answered; not an auth failure */
    API_PROXY,        /* the configured HTTP proxy refused (407) or could not open the tunnel */
    API_LOCAL,        /* this machine's limit, not the API: no descriptor for a socket (EMFILE,
                         ENFILE; issue 14 case 6) */
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
    API_TR_PROXY,     /* the proxy refused the tunnel (CONNECT answered 4xx/5xx) */
    API_TR_LOCAL,     /* no socket could be opened here: out of file descriptors */
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
    long long retry_at; /* Retry-After given as an HTTP-date: Unix seconds */
};

/* The documented window (maxcare-v1.md, Rate limits): an X-RateLimit-Reset further ahead than
 * twice this is not the window's end (milliseconds, a clock gone wrong) and is ignored. */
#define API_RATE_WINDOW_S 60

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


/* One record of a list, as the resource table's columns show it. */
struct api_row {
    char *id;      /* sanitized; NULL when the record has none (stock levels) */
    char **cells;  /* one per column of the resource, never NULL: sanitized text, "" for a
                      missing or null field, "?" for one of a type a cell cannot show */
    size_t ncells;
    char **links;  /* one per link of the resource: the linked record's id, or NULL */
    size_t nlinks;
};

/* A page of any resource. */
struct api_rows {
    struct api_row *items;
    size_t len;
    long page, page_size, total_count, total_pages; /* -1 when absent */
};

/* A page of patients: the typed records (the org's refresh reads them) and the same page as
 * the resource table's rows (what the screen draws). Both are owned. */
struct api_page {
    struct api_patient *items;
    size_t len;
    long page, page_size, total_count, total_pages; /* -1 when absent */
    struct api_rows rows;
};

/* One line of a record's detail: a leaf of its JSON with the path that leads to it; or, for
 * a resource with a form (resources.def, FIELD), one labelled line of the form. */
struct api_field {
    char *path;    /* "patient.lastName", "assignedProviders[0].id" (sanitized); a form's label */
    char *value;   /* sanitized text; "null", "{}" and "[]" for those; "" for a form's missing
                      value */
    bool phi;      /* patient data: masked in privacy mode */
    int link;      /* the resource the line's object links to (an appointment's patient.*), or
                      -1 */
    char *link_id; /* that record's id when link >= 0 */
};

/* A record's detail, every nested object and array flattened in document order. */
struct api_detail {
    char *id;      /* data.id, sanitized, or NULL */
    struct api_field *fields;
    size_t n;
    bool cut;      /* more than API_DETAIL_MAX lines, or nested deeper than shown */
};
#define API_DETAIL_MAX 2000

/* What the engine hands over once a transfer is finished. */
struct api_response {
    enum api_endpoint endpoint;
    int resource;                 /* API_LIST, API_ITEM: index into the resource table */
    enum api_transport transport;
    const char *transport_detail; /* libcurl's message, may be NULL */
    int status;                   /* 0 when no HTTP response arrived */
    const char *body;
    size_t len;
    const struct api_ratelimit *rate; /* may be NULL */
    const char *content_type;         /* the Content-Type header, may be NULL */
    const char *server;               /* the Server header, may be NULL */
    const char *proxy;                /* the proxy in use, as api_proxy_from_env gives it, or
                                         NULL */
    const char *list_key;             /* API_LIST_PROBE: the array's key under data */
};

struct api_result {
    enum api_class cls;
    int status;
    char *summary; /* one short sanitized line: "401 unauthorized: Invalid or missing API key" */
    struct api_error err;
    long retry_after; /* seconds to wait before the app's next request; -1 unknown */
    struct api_me me;           /* API_ME and API_OK */
    struct api_page page;       /* API_PATIENTS and API_OK */
    struct api_patient patient; /* API_PATIENT and API_OK (and its form in `detail`) */
    struct api_rows rows;       /* API_LIST and API_OK */
    struct api_detail detail;   /* API_ITEM (or API_PATIENT: the form) and API_OK */
};

/* "ok", "unauthorized", "forbidden", "not_found", "bad_request", "rate_limited",
 * "server_error", "bad_response", "timeout", "connection", "dns", "tls", "blocked", "proxy";
 * static. */
const char *api_class_name(enum api_class cls);
/* The class named name (as api_class_name gives it), or API_CLASS_COUNT when none is. */
enum api_class api_class_from_name(const char *name);
/* The class of a logged failure: its "class" field when it names one, else (a record written
 * before the field existed) the class of its HTTP status, or "connection" without one. */
enum api_class api_class_of_logged(const char *name, int status);
/* True for 401 and 403: the failures the auth log is for. */
bool api_class_is_auth(enum api_class cls);
/* True for failures worth retrying soon: timeouts, connection, DNS, 5xx, bad responses. */
bool api_class_is_transient(enum api_class cls);

/* The URL of an endpoint under base_url (no trailing '/'): page/page_size (> 0 to send),
 * search (NULL or "" for none) and id (API_PATIENT) are percent-encoded. Caller frees. */
char *api_url(const char *base_url, enum api_endpoint ep, long page, long page_size,
              const char *search, const char *id);

/* The URL of page `page` (page_size rows; either <= 0: not sent) of resource res (index into
 * the resource table) under base_url. search (NULL or "": none) goes as `search` when the
 * resource takes it; filters is "name=value name=value ..." (NULL: none), of which only the
 * parameters the resource takes are sent; parent_id fills a "{id}" in the resource's path.
 * Every value percent-encoded. Caller frees. */
char *api_list_url(const char *base_url, int res, long page, long page_size, const char *search,
                   const char *filters, const char *parent_id);
/* The URL of one record of resource res: its detail path with id percent-encoded. Caller
 * frees; NULL when the resource has no detail. */
char *api_item_url(const char *base_url, int res, const char *id);

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

/* The value of header `name` (case-insensitive) when the raw header line (len bytes) is that
 * header: copied into out (outsize bytes, cut at a character boundary, sanitized for the
 * terminal) and true; false otherwise (out untouched). */
bool api_header_get(const char *line, size_t len, const char *name, char *out, size_t outsize);

/* True when body (len bytes) is the API's own error envelope: a JSON object whose "code" is a
 * string (maxcare-v1.md, Envelopes). A 401/403/404/429 without it came from something in front
 * of the API (issue 15, case 1). */
bool api_is_error_envelope(const char *body, size_t len);

/* The host[:port] of a proxy URL ("http://user:pw@proxy.corp:3128/" → "proxy.corp:3128"):
 * never its credentials, path or scheme; sanitized and cut to outsize bytes. */
void api_proxy_host(const char *proxy_url, char *out, size_t outsize);

/* The proxy libcurl will use for url, from the environment as libcurl reads it (http_proxy for
 * http; https_proxy, HTTPS_PROXY for https; then all_proxy, ALL_PROXY): "HOST:PORT (VARIABLE)"
 * into out, credentials left out, and true; false (out "") when none is set or no_proxy/NO_PROXY
 * is "*". Reads getenv; no I/O. */
bool api_proxy_from_env(const char *url, char *out, size_t outsize);

/* An HTTP-date (RFC 9110 5.6.7: IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", or the obsolete
 * RFC 850 and asctime forms) of n bytes as Unix seconds into *t; false when it is not one. */
bool api_parse_http_date(const char *s, size_t n, long long *t);

/* Whether X-RateLimit-Reset `reset` (Unix seconds) can be the end of the window at wall-clock
 * now: no more than 2 x API_RATE_WINDOW_S ahead (issue 15, case 4). */
bool api_reset_plausible(long long reset, double now);

/* Seconds the server asks the app to wait, at wall-clock now: Retry-After in seconds, else its
 * HTTP-date, else a plausible X-RateLimit-Reset; -1 when none of them says. Never negative
 * otherwise. */
double api_rate_wait(const struct api_ratelimit *rl, double now);

/* Classifies a finished request and parses its payload into *out (zeroed first); free with
 * api_result_free. A body that is not the documented JSON is described by status, length,
 * content type and the byte offset of the problem only: no byte of it reaches the summary or
 * any other string of *out (it may be patient data; issue 11). Only a 4xx/5xx error
 * envelope's code, message and trace_id are kept, sanitized. */
void api_interpret(const struct api_response *resp, struct api_result *out);
void api_result_free(struct api_result *r);
void api_patient_free(struct api_patient *p);
void api_rows_free(struct api_rows *rows);
void api_detail_free(struct api_detail *d);
/* Deep copies (owned by dst). */
void api_patient_copy(struct api_patient *dst, const struct api_patient *src);
void api_me_copy(struct api_me *dst, const struct api_me *src);
void api_me_free(struct api_me *me);
void api_error_copy(struct api_error *dst, const struct api_error *src);
void api_error_free(struct api_error *e);

#endif
