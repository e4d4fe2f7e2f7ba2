/* Requests to the Max AI API for many orgs at once, without ever blocking the loop.
 *
 * Scheduling: each org refreshes every `effective_refresh` seconds of its app's budget (the
 * configured refresh, stretched so that the app's orgs fit in rate_budget requests a minute).
 * Nothing is sent while it would put more than rate_budget requests of one app into any
 * 60-second window, before a 429's wait is over, or faster than X-RateLimit-Remaining allows
 * when it runs low. Transient failures retry with exponential backoff and jitter, capped at the
 * refresh interval; 401/403/404 wait for the next scheduled refresh. */
#include "engine.h"

#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <sys/resource.h>
#include <unistd.h>

#include "api.h"
#include "harden.h"
#include "keymask.h"
#include "restable.h"
#include "resources.h"
#include "util.h"

#define MAX_BODY (8L * 1024 * 1024)
#define WINDOW_S 60.0
#define SLOW_START_S 1.0

/* XFER_LIST, XFER_ITEM and XFER_SCOPE are any resource of the table (issue 16): a page the UI
 * shows, a record's detail, and one row that tells whether the org's key has a scope.
 * XFER_PROBE: the key's probe resource when it is not patients (1 row of its list, issue 20). */
enum xfer_kind { XFER_ME, XFER_PATIENTS, XFER_DETAIL, XFER_LIST, XFER_ITEM, XFER_SCOPE,
                 XFER_PROBE };

struct xfer {
    struct xfer *prev, *next;   /* engine.xfers: every transfer, queued or handed to libcurl */
    struct xfer *oprev, *onext; /* engine.by_org[org]: the org's transfers (cancel) */
    struct xfer *qprev, *qnext; /* engine.qhead..qtail while queued */
    bool queued;                /* waiting in maxdash's queue for a slot */
    bool handed;                /* added to the multi handle */
    CURL *h;                    /* NULL while queued */
    struct curl_slist *headers;
    size_t org;
    enum xfer_kind kind;
    char *url;
    long page_no, page_size;
    char *search;      /* of a patients request; NULL none */
    bool page_request; /* asked for by the UI (not a 1-row probe) */
    int res;           /* XFER_LIST, XFER_ITEM, XFER_SCOPE: the resource; -1 otherwise */
    char *filter;      /* XFER_LIST, XFER_SCOPE: its filters ("name=value ..."); NULL none */
    size_t scope;      /* XFER_SCOPE: index into the org's scopes */
    size_t budget;     /* the budget it was counted against when sent */
    bool refresh;      /* one of the requests of a scheduled refresh */
    char *body;
    size_t len, cap;
    bool too_big;
    struct api_ratelimit rl;
    char server[64]; /* the Server header, sanitized: names a proxy/CDN that answered */
    double start; /* monotonic */
    char errbuf[CURL_ERROR_SIZE];
    int socket_errno;     /* EMFILE/ENFILE when opening a socket failed: a local limit */
};

/* What base_url's server speaks, learnt from the first answers (CURLINFO_HTTP_VERSION). */
enum engine_proto { PROTO_UNKNOWN, PROTO_H1, PROTO_H2 };

struct engine {
    struct model *m;
    struct engine_opts opts;
    CURLM *multi;
    struct xfer *xfers;
    struct xfer **by_org;        /* norgs heads */
    struct xfer *qhead, *qtail;  /* requests the budget let go, waiting for a libcurl slot */
    size_t nqueued, nhanded;
    CURL **pool;                 /* reset easy handles for reuse (ENGINE_POOL at most) */
    size_t npool;
    bool tls;                    /* base_url is https */
    enum engine_proto proto;
    long max_conns;              /* engine_max_connections() at start */
    bool backlog;                /* finished transfers left in libcurl's queue by a slice */
    size_t step_handed;          /* handed to libcurl in this engine_step (ENGINE_SLICE) */
    int running;
    unsigned changed;
    uint64_t rng;
    size_t rr; /* round-robin start, so no org starves when the budget is short */
    bool *once_started;
    size_t *first;      /* engine_refresh_first: orgs whose due refreshes go before the rest */
    size_t nfirst;
    double once_first, once_last; /* monotonic: when the first and the latest org started */
    struct engine_budget *eb; /* per model budget */
    char *log_problem;
    bool http_allowed;
    char proxy[256]; /* the proxy the environment sets for base_url, "" none (api.h) */
};

/* --- clocks and randomness ---------------------------------------------------------------- */



static double jitter(struct engine *e)
{
    e->rng ^= e->rng << 13;
    e->rng ^= e->rng >> 7;
    e->rng ^= e->rng << 17;
    return (double)(e->rng % 1000) / 1000.0;
}

/* --- budgets ------------------------------------------------------------------------------ *
 *
 * The server counts a request in its window from when it arrives, some time between the
 * engine sending it and the answer coming back. So the engine counts every request from when
 * it is sent until WINDOW_S after its answer: in flight (engine_budget.in_flight), then in the
 * budget's ring, which holds the times the answers came back. Counted from the send alone, a
 * burst sent when the oldest sends leave the window arrives before the oldest arrivals have
 * left the server's window (new connections are slower than reused ones), and the server sees
 * twice the budget in 60 s. */

struct engine_budget {
    bool heard;        /* an answer of the app came back: its X-RateLimit-* are known */
    double first_send; /* monotonic; 0 never */
    size_t in_flight; /* sent, answer not back (or cancelled) yet */
    double last_send; /* monotonic; 0 never */
    /* What the server's window still takes, from the newest X-RateLimit-Remaining: that figure
     * minus the requests in flight when it came and those sent since. When it runs out with
     * nothing in flight, one refresh may go at probe_at (X-RateLimit-Reset: room again) and
     * its answers tell the rest. Without it, after a 429's wait the engine would send all it
     * may by its own budget into a window that has room for one. */
    bool credit_known;
    long credit;
    double probe_at; /* monotonic */
    bool once_sized; /* once mode: the window was sized from the first X-RateLimit-Remaining */
};

static size_t sent_in_window(struct model_budget *b, double now)
{
    while (b->sent_len > 0 && b->sent[b->sent_head] <= now - WINDOW_S) {
        b->sent_head = (b->sent_head + 1) % (size_t)b->per_minute;
        b->sent_len--;
    }
    return b->sent_len;
}

/* The earliest time at which budget bi may send n more requests. */
static double budget_free_at(struct engine *e, size_t bi, double now, size_t n)
{
    struct model_budget *b = &e->m->budgets[bi];
    struct engine_budget *eb = &e->eb[bi];
    double at = now;
    if (b->blocked_until > at)
        at = b->blocked_until;
    size_t done = sent_in_window(b, now);
    size_t ring = (size_t)b->per_minute;
    /* Slow start: until the app's first answer tells its X-RateLimit-Limit (or for a second at
     * most, should it hang), one refresh is out at a time, so a server stricter than rate_budget
     * sees no burst it must refuse. `check` does without: it sends each request once, now. */
    if (!e->opts.once && !eb->heard && eb->in_flight > 0 && eb->first_send + SLOW_START_S > at)
        at = eb->first_send + SLOW_START_S;
    /* The window holds no more than the server allows the app, whatever rate_budget says. */
    size_t cap = ring;
    if (b->limit > 0 && (size_t)b->limit < cap)
        cap = (size_t)b->limit;
    if (n > cap)
        n = cap;
    if (done + eb->in_flight + n > cap) {
        size_t must_leave = done + eb->in_flight + n - cap;
        /* Wait until enough of the oldest answers have left the window; when that is not
         * enough, only answers still to come make room (engine_step runs when they do). */
        double t = must_leave <= done ? b->sent[(b->sent_head + must_leave - 1) % ring] + WINDOW_S
                                      : now + WINDOW_S;
        if (t > at)
            at = t;
    }
    if (eb->credit_known && eb->credit < (long)n) {
        double t = eb->in_flight > 0 ? now + WINDOW_S : eb->probe_at;
        if (t > at)
            at = t;
    }
    /* Spread the requests when the server says the app's window is nearly used up. */
    if (b->remaining >= 0 && b->limit > 0 && b->remaining < (b->limit / 20 > 5 ? b->limit / 20 : 5)
        && b->reset > 0 && eb->last_send > 0) {
        double until_reset = (double)b->reset - wall_now();
        if (until_reset > 0) {
            double gap = until_reset / (double)(b->remaining + 1);
            if (eb->last_send + gap > at)
                at = eb->last_send + gap;
        }
    }
    return at;
}

static void budget_spend(struct engine *e, size_t bi, double now)
{
    e->eb[bi].in_flight++;
    e->eb[bi].last_send = now;
    if (e->eb[bi].first_send == 0)
        e->eb[bi].first_send = now;
    if (e->eb[bi].credit_known)
        e->eb[bi].credit--;
    e->m->budgets[bi].total_sent++;
}

/* Once mode: budget bi may send per_minute requests a minute from now on (the ring grows to
 * hold them, keeping its times oldest first). */
static void budget_resize(struct engine *e, size_t bi, int per_minute)
{
    struct model_budget *b = &e->m->budgets[bi];
    if (per_minute <= b->per_minute)
        return;
    double *v = xcalloc((size_t)per_minute, sizeof *v);
    for (size_t k = 0; k < b->sent_len; k++)
        v[k] = b->sent[(b->sent_head + k) % (size_t)b->per_minute];
    free(b->sent);
    b->sent = v;
    b->sent_head = 0;
    b->per_minute = per_minute;
}

/* A request of budget bi is back (or cancelled) at now: it stays in the window a minute. The
 * time goes to the budget its org belongs to by now (budgets merge when /marketplace/me shows
 * two keys to be of one app). */
static void budget_answered(struct engine *e, size_t bi, size_t now_bi, double now)
{
    if (e->eb[bi].in_flight > 0)
        e->eb[bi].in_flight--;
    e->eb[bi].heard = true;
    e->eb[now_bi].heard = true;
    struct model_budget *b = &e->m->budgets[now_bi];
    size_t cap = (size_t)b->per_minute;
    sent_in_window(b, now);
    if (b->sent_len == cap) { /* only unchecked requests (the detail view) get here */
        b->sent_head = (b->sent_head + 1) % cap;
        b->sent_len--;
    }
    b->sent[(b->sent_head + b->sent_len) % cap] = now;
    b->sent_len++;
}

/* --- transfers ---------------------------------------------------------------------------- */

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp)
{
    struct xfer *x = userp;
    size_t n = size * nmemb;
    if (x->len + n > (size_t)MAX_BODY) {
        x->too_big = true;
        return 0; /* aborts the transfer */
    }
    if (x->len + n + 1 > x->cap) {
        size_t cap = x->cap ? x->cap : 16384;
        while (cap < x->len + n + 1)
            cap *= 2;
        x->body = xrealloc(x->body, cap);
        x->cap = cap;
    }
    memcpy(x->body + x->len, data, n);
    x->len += n;
    x->body[x->len] = '\0';
    return n;
}

/* libcurl's sockets are opened close-on-exec: a child (copy_command) must never inherit a
 * connection to the API (issue 11 case 7). */
static curl_socket_t open_socket(void *userp, curlsocktype purpose, struct curl_sockaddr *a)
{
    struct xfer *x = userp;
    (void)purpose;
    curl_socket_t s = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
    if (s == CURL_SOCKET_BAD && (errno == EMFILE || errno == ENFILE))
        x->socket_errno = errno; /* this machine's limit, not the API (issue 14 case 6) */
    return s;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *userp)
{
    struct xfer *x = userp;
    api_ratelimit_header(&x->rl, data, size * nmemb);
    api_header_get(data, size * nmemb, "Server", x->server, sizeof x->server);
    return size * nmemb;
}

static void xfer_free(struct engine *e, struct xfer *x)
{
    for (struct curl_slist *h = x->headers; h; h = h->next)
        explicit_bzero(h->data, strlen(h->data)); /* the Authorization header */
    curl_slist_free_all(x->headers);
    if (x->h) {
        /* Reused rather than made again: curl_easy_init allocates ~20 KiB of buffers, and a
         * burst of thousands of requests would make and free one per request. */
        if (e->npool < ENGINE_POOL) {
            curl_easy_reset(x->h);
            e->pool[e->npool++] = x->h;
        } else {
            curl_easy_cleanup(x->h);
        }
    }
    free(x->url);
    free(x->search);
    free(x->filter);
    free(x->body);
    free(x);
}

/* Takes x out of every list it is on, in constant time (issue 20: the old walk of the whole
 * transfer list made a burst of n answers cost n^2). */
static void unlink_xfer(struct engine *e, struct xfer *x)
{
    if (x->prev)
        x->prev->next = x->next;
    else if (e->xfers == x)
        e->xfers = x->next;
    if (x->next)
        x->next->prev = x->prev;
    if (x->oprev)
        x->oprev->onext = x->onext;
    else if (e->by_org[x->org] == x)
        e->by_org[x->org] = x->onext;
    if (x->onext)
        x->onext->oprev = x->oprev;
    if (x->queued) {
        if (x->qprev)
            x->qprev->qnext = x->qnext;
        else
            e->qhead = x->qnext;
        if (x->qnext)
            x->qnext->qprev = x->qprev;
        else
            e->qtail = x->qprev;
        x->queued = false;
        e->nqueued--;
    }
    x->prev = x->next = x->oprev = x->onext = x->qprev = x->qnext = NULL;
}

static void detach(struct engine *e, struct xfer *x)
{
    bool sent = x->handed;
    unlink_xfer(e, x);
    if (x->handed) {
        curl_multi_remove_handle(e->multi, x->h);
        x->handed = false;
        e->nhanded--;
    }
    if (x->org < e->m->norgs) {
        if (sent) {
            budget_answered(e, x->budget, e->m->orgs[x->org].budget, mono_now());
        } else {
            /* Never left the queue: the server never saw it, the budget gets it back. */
            struct engine_budget *eb = &e->eb[x->budget];
            if (eb->in_flight > 0)
                eb->in_flight--;
            if (eb->credit_known)
                eb->credit++;
        }
        if (x->kind != XFER_DETAIL && x->kind != XFER_ITEM)
            e->m->orgs[x->org].in_flight--;
    }
}

/* start() for any kind: res (-1 for the patients kinds) and filter are those of the
 * resource kinds; patient_id is the record's id of XFER_DETAIL and XFER_ITEM, and the parent's
 * id of a child resource's XFER_LIST. */
static struct xfer *start_res(struct engine *e, size_t org, enum xfer_kind kind, int res,
                              const char *filter, long page_no, long page_size,
                              const char *search, const char *patient_id, bool page_request)
{
    struct model_org *o = &e->m->orgs[org];
    const struct config_key *key = o->cfg->key;
    if (!key || !key->value)
        return NULL;
    /* The config refuses these already; a value that could split a header is never sent. */
    if (!api_header_value_ok(key->value) || !api_header_value_ok(o->cfg->id))
        return NULL;
    struct xfer *x = xcalloc(1, sizeof *x);
    x->org = org;
    x->kind = kind;
    x->page_no = page_no;
    x->page_size = page_size;
    x->search = search ? xstrdup(search) : NULL;
    x->page_request = page_request;
    api_ratelimit_init(&x->rl);
    x->res = res;
    x->filter = filter ? xstrdup(filter) : NULL;
    const char *base = config_org_base_url(e->m->cfg, o->cfg); /* the key's API version */
    if (kind == XFER_PROBE) {
        /* The first row of the resource's list, or the whole list when it has no pages. */
        const resource_desc *r = resource_by_name(o->probe_name);
        x->url = xasprintf("%s%s%s", base, r ? r->list_path : "/patients",
                           !r || (r->filters & RF_PAGE) ? "?page=1&pageSize=1" : "");
    } else if (kind == XFER_LIST || kind == XFER_SCOPE) {
        x->url = api_list_url(base, res, page_no, page_size, search, filter, patient_id);
    } else if (kind == XFER_ITEM) {
        x->url = api_item_url(base, res, patient_id);
    } else {
        enum api_endpoint ep = kind == XFER_ME ? API_ME : kind == XFER_PATIENTS ? API_PATIENTS
                                                                              : API_PATIENT;
        x->url = api_url(base, ep, page_no, page_size, search, patient_id);
    }
    if (!x->url) { /* a resource without a detail endpoint */
        xfer_free(e, x);
        return NULL;
    }
    /* Queued: libcurl gets it when a connection (or an HTTP/2 stream) is free for it (pump). */
    x->queued = true;
    x->qprev = e->qtail;
    if (e->qtail)
        e->qtail->qnext = x;
    else
        e->qhead = x;
    e->qtail = x;
    e->nqueued++;
    x->next = e->xfers;
    if (e->xfers)
        e->xfers->prev = x;
    e->xfers = x;
    x->onext = e->by_org[org];
    if (x->onext)
        x->onext->oprev = x;
    e->by_org[org] = x;
    x->start = mono_now();
    if (kind != XFER_DETAIL && kind != XFER_ITEM)
        o->in_flight++;
    o->requests++;
    x->budget = o->budget;
    budget_spend(e, o->budget, x->start);
    return x;
}

/* Gives x an easy handle with its options and adds it to the multi handle. False when libcurl
 * cannot (out of memory): x is left for the caller to finish as a local failure. */
static bool hand_off(struct engine *e, struct xfer *x)
{
    struct model_org *o = &e->m->orgs[x->org];
    const struct config_key *key = o->cfg->key;
    x->h = e->npool > 0 ? e->pool[--e->npool] : curl_easy_init();
    if (!x->h)
        return false;
    char *auth = api_auth_header(key->value);
    x->headers = curl_slist_append(x->headers, auth);
    explicit_bzero(auth, strlen(auth));
    free(auth);
    char *org_hdr = xasprintf("X-Organization-Id: %s", o->cfg->id);
    x->headers = curl_slist_append(x->headers, org_hdr);
    free(org_hdr);
    x->headers = curl_slist_append(x->headers, "Accept: application/json");

    int timeout = e->opts.timeout_s > 0 ? e->opts.timeout_s : e->m->cfg->set.timeout;
    CURL *h = x->h;
    curl_easy_setopt(h, CURLOPT_URL, x->url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, x->headers);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "maxdash/" MAXDASH_VERSION);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, e->http_allowed ? "http,https" : "https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L); /* a key never follows a redirect */
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    /* A resolver that never answers must not hold the loop: without this, libcurl joins its
     * resolver thread when a transfer times out or is removed, for as long as getaddrinfo()
     * takes (glibc: 5 s x 2 tries). With it the thread is left to finish on its own.
     * (CURLOPT_QUICK_EXIT, libcurl >= 7.87.0; issue 14 case 2.) */
    curl_easy_setopt(h, CURLOPT_QUICK_EXIT, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)timeout * 1000L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)(timeout < 10 ? timeout : 10) * 1000L);
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    /* Over TLS, wait for the first connection's ALPN rather than open one per transfer while
     * it is unknown whether the server multiplexes (bench/README.md, B14). Not over plain
     * http, where nothing multiplexes and waiting would serialise the transfers. */
    if (e->tls)
        curl_easy_setopt(h, CURLOPT_PIPEWAIT, 1L);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)MAX_BODY);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, x->errbuf);
    curl_easy_setopt(h, CURLOPT_PRIVATE, x);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, x);
    if (e->http_allowed || strncasecmp(x->url, "http://", 7) == 0) {
        /* Loopback is never proxied, and a key never goes to a proxy over plain HTTP (a proxy
         * from *_proxy would see the Authorization header in clear text): connect directly
         * (issue 11). https elsewhere may use a proxy, through a CONNECT tunnel. */
        curl_easy_setopt(h, CURLOPT_PROXY, "");
        curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
    }
    if (e->m->cfg->set.ca_bundle)
        curl_easy_setopt(h, CURLOPT_CAINFO, e->m->cfg->set.ca_bundle);
    if (curl_multi_add_handle(e->multi, h) != CURLM_OK)
        return false;
    x->handed = true;
    e->nhanded++;
    x->start = mono_now(); /* latency and timeout count from here, not from the queue */
    return true;
}

static struct xfer *start(struct engine *e, size_t org, enum xfer_kind kind, long page_no,
                          long page_size, const char *search, const char *patient_id,
                          bool page_request)
{
    return start_res(e, org, kind, -1, NULL, page_no, page_size, search, patient_id,
                     page_request);
}

/* The page the UI wants of org's resource: patients as before, any other resource as rows. */
static struct xfer *start_wanted_page(struct engine *e, size_t org)
{
    struct model_org *o = &e->m->orgs[org];
    if (o->res == res_patients())
        return start(e, org, XFER_PATIENTS, o->page_no, e->m->cfg->set.page_size, o->search,
                     NULL, true);
    return start_res(e, org, XFER_LIST, o->res, o->filter, o->page_no, e->m->cfg->set.page_size,
                     o->search, o->parent_id, true);
}

/* The detail view's record: a patient as before, any other resource as lines. */
static bool start_detail(struct engine *e, const struct model_detail *d)
{
    if (d->res == res_patients())
        return start(e, d->org, XFER_DETAIL, 0, 0, NULL, d->id, false) != NULL;
    return start_res(e, d->org, XFER_ITEM, d->res, NULL, 0, 0, NULL, d->id, false) != NULL;
}

static void schedule_next(struct engine *e, size_t org, double now, double wall);

/* Cancels org's transfers of one kind (a page nobody wants any more). */
static void cancel(struct engine *e, size_t org, enum xfer_kind kind, bool page_only)
{
    struct xfer *x = e->by_org[org];
    while (x) {
        struct xfer *next = x->onext;
        if (x->org == org && x->kind == kind && (!page_only || x->page_request)) {
            bool refresh_done = x->refresh && --e->m->orgs[org].refresh_left == 0;
            /* next may be the org's other transfer of this refresh: schedule_next() below
             * starts nothing, so it stays valid. */
            detach(e, x);
            xfer_free(e, x);
            if (refresh_done)
                schedule_next(e, org, mono_now(), wall_now());
        }
        x = next;
    }
}

static enum api_transport transport_of(CURLcode rc, const struct xfer *x)
{
    if (rc != CURLE_OK && x->socket_errno)
        return API_TR_LOCAL;
    switch (rc) {
    case CURLE_OK:
        return API_TR_OK;
    case CURLE_OPERATION_TIMEDOUT:
        /* A resolver that never answered is a DNS problem here, not a slow API. */
        return strncmp(x->errbuf, "Resolving timed out", 19) == 0 ? API_TR_DNS : API_TR_TIMEOUT;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return API_TR_DNS;
    case CURLE_COULDNT_CONNECT:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
        return API_TR_CONNECT;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_USE_SSL_FAILED:
        return API_TR_TLS;
    case CURLE_FILESIZE_EXCEEDED:
        return API_TR_TOO_LARGE;
    case CURLE_WRITE_ERROR:
        return x->too_big ? API_TR_TOO_LARGE : API_TR_OTHER;
    case CURLE_PARTIAL_FILE:
        return API_TR_PARTIAL;
    default:
        return API_TR_OTHER;
    }
}

/* --- results ------------------------------------------------------------------------------ */

static void log_and_record(struct engine *e, const struct xfer *x, const struct api_result *r,
                           long latency_ms, double wall)
{
    struct model *m = e->m;
    struct model_org *o = &m->orgs[x->org];
    char hint[KEYMASK_MAX];
    config_key_mask(o->cfg->key, hint);
    char *path = api_path_of_url(x->url);
    const char *q = strchr(x->url, '?');
    char *query = q && q[1] ? xstrndup(q + 1, strcspn(q + 1, "#")) : NULL;
    if (x->kind == XFER_DETAIL || x->kind == XFER_ITEM) {
        /* A patient id is the patient's: the log and the groups keep only the route. */
        char *slash = strrchr(path, '/');
        if (slash) {
            slash[1] = '\0';
            char *folded = xasprintf("%s{id}", path);
            free(path);
            path = folded;
        }
    }
    /* What a server sent is kept cut to the bounds of authlog.h, in the log and in the
     * failure groups alike (issue 12: a hostile server must not grow memory or flush the log). */
    char *code = authlog_cut(r->err.code, AUTHLOG_ID_MAX);
    char *message = authlog_cut(r->err.message ? r->err.message : r->summary, AUTHLOG_TEXT_MAX);
    char *trace_id = authlog_cut(r->err.trace_id, AUTHLOG_ID_MAX);
    char *scope = authlog_cut(r->err.required_scope, AUTHLOG_ID_MAX);
    struct authlog_record rec = {
        .time = wall,
        .org = o->cfg->name,
        .org_id = o->cfg->id,
        .key = o->cfg->key->name,
        .key_hint = hint,
        .method = "GET",
        .path = path,
        .http_status = r->status,
        .cls = (char *)api_class_name(r->cls),
        .auth = api_class_is_auth(r->cls),
        .code = code,
        .message = message,
        .trace_id = trace_id,
        .required_scope = scope,
        .latency_ms = latency_ms,
        .key_warnings = o->cfg->key->warnings,
    };
    if (e->opts.log) {
        char err[512];
        bool ok = authlog_append(e->opts.log, &rec, err, sizeof err);
        /* Said until the next good write clears it, with the count of records lost. */
        free(e->log_problem);
        e->log_problem = ok ? NULL
                            : xasprintf("%s (%ld record%s not written)", err,
                                        e->opts.log->unwritten,
                                        e->opts.log->unwritten == 1 ? "" : "s");
    }
    struct model_failure f = {
        .org = x->org,
        .org_name = o->cfg->name,
        .org_id = o->cfg->id,
        .key_name = o->cfg->key->name,
        .key_hint = hint,
        .method = "GET",
        .path = path,
        /* The query (page, pageSize, search) lets `c` repeat the very request; it stays in
         * memory, never in the log: a search may be a patient's name. */
        .query = x->kind == XFER_DETAIL || x->kind == XFER_ITEM ? NULL : query,
        .cls = r->cls,
        .status = r->status,
        .code = code,
        .message = message,
        .required_scope = scope,
        .latency_ms = latency_ms,
        .first_seen = wall,
        .last_seen = wall,
    };
    model_add_failure(m, &f, trace_id);
    free(path);
    free(query);
    free(code);
    free(message);
    free(trace_id);
    free(scope);
    e->changed |= ENGINE_CHANGED_FAILURES;
}

/* After a refresh's requests are all back: the next refresh, or a retry with backoff. */
static void schedule_next(struct engine *e, size_t org, double now, double wall)
{
    struct model_org *o = &e->m->orgs[org];
    struct model_budget *b = &e->m->budgets[o->budget];
    double interval = b->effective_refresh;
    const struct model_probe *me = &o->probe_me, *pt = model_org_probe(o);
    bool ok = me->done && me->cls == API_OK && pt->done && pt->cls == API_OK;
    bool transient = (me->done && (api_class_is_transient(me->cls) || me->cls == API_RATE_LIMITED))
                     || (pt->done && (api_class_is_transient(pt->cls) ||
                                      pt->cls == API_RATE_LIMITED));
    if (o->me_again) { /* the probe's answer changed: /marketplace/me now (me_again) */
        o->me_again = false;
        interval = 0;
    }
    if (ok) {
        o->last_success = wall;
        o->first_failure = 0;
        o->retry_attempt = 0;
        o->retrying = false;
        o->next_refresh = now + interval;
        return;
    }
    if (o->first_failure == 0)
        o->first_failure = wall;
    if (transient && !e->opts.once) {
        o->retry_attempt++;
        double backoff = pow(2.0, o->retry_attempt < 16 ? o->retry_attempt : 16) + jitter(e);
        if (backoff > interval)
            backoff = interval;
        if (backoff < 1.0)
            backoff = 1.0;
        o->retrying = true;
        o->next_refresh = now + backoff;
    } else {
        o->retrying = false;
        o->next_refresh = now + interval;
    }
}

/* --- the queue ---------------------------------------------------------------------------- *
 *
 * Requests the budget lets go wait in maxdash's queue until libcurl has a connection (or an
 * HTTP/2 stream) for them. Handed all at once, thousands of transfers sit in libcurl's own
 * pending list, each retrying to connect at every perform (issue 20 case 4: 5 000 orgs took
 * 2.8 s of CPU and 141 MiB); and before libcurl 8.0, the transfers beyond the first HTTP/2
 * connection's streams each opened a connection of their own (bench/README.md, B14). */

/* How many transfers libcurl gets at once: one per connection over plain http or HTTP/1.1;
 * over TLS, until an answer says otherwise, ENGINE_H2_CONNECTIONS connections of
 * ENGINE_H2_STREAMS streams (CURLMOPT_MAX_HOST_CONNECTIONS caps the connections, and
 * CURLOPT_PIPEWAIT makes the first wave wait for the first connection's ALPN rather than open
 * one each). A server that turns out to speak HTTP/1.1 only costs one round trip on two
 * connections before the first answer says so (learn_proto). */
static size_t slots(const struct engine *e)
{
    if (!e->tls || e->proto == PROTO_H1)
        return (size_t)e->max_conns;
    if (e->proto == PROTO_H2)
        return (size_t)(ENGINE_H2_CONNECTIONS * ENGINE_H2_STREAMS);
    return (size_t)(ENGINE_H2_CONNECTIONS * ENGINE_H2_STREAMS);
}

/* The server's protocol from an answer: HTTP/2 keeps the connections to the host capped,
 * HTTP/1.1 lifts the cap, and what libcurl holds waiting for one of the two connections and
 * has not sent yet is handed again, so it gets a connection of its own. */
static void learn_proto(struct engine *e, struct xfer *x)
{
    long v = 0;
    if (!e->tls || curl_easy_getinfo(x->h, CURLINFO_HTTP_VERSION, &v) != CURLE_OK || v == 0)
        return;
    enum engine_proto p = v >= CURL_HTTP_VERSION_2_0 ? PROTO_H2 : PROTO_H1;
    if (p == e->proto)
        return;
    e->proto = p;
    curl_multi_setopt(e->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                      p == PROTO_H2 ? ENGINE_H2_CONNECTIONS : 0L);
    if (p != PROTO_H1)
        return;

    for (struct xfer *y = e->xfers; y; y = y->next) {
        /* Not yet sending its request (on a new or a reused connection): nothing of it has
         * reached the server, and nothing of an answer has come back. */
        curl_off_t pretransfer = 1;
        if (y != x && y->handed && y->len == 0 &&
            curl_easy_getinfo(y->h, CURLINFO_PRETRANSFER_TIME_T, &pretransfer) == CURLE_OK &&
            pretransfer == 0) {
            curl_multi_remove_handle(e->multi, y->h);
            curl_multi_add_handle(e->multi, y->h);
        }
    }
}

static void finish(struct engine *e, struct xfer *x, CURLcode rc);

/* An answer that tells something about the key, the org or the scope. */
static bool says_about_key(enum api_class c)
{
    return c == API_OK || c == API_UNAUTHORIZED || c == API_FORBIDDEN || c == API_NOT_FOUND;
}

/* The probe's answer changed (a key revoked, a scope withdrawn or granted, an org gone): the
 * org refreshes again at once with /marketplace/me, which tells the app and the scopes. */
static void me_again(struct engine *e, struct model_org *o, enum api_class was,
                     enum api_class is)
{
    /* Only between answers about the key, the org or the scope (not a 503 going away), and
     * not when this refresh asked /me already. */
    if (o->me_due || e->opts.once || o->me_in_refresh || !says_about_key(was) ||
        !says_about_key(is))
        return;
    o->me_due = true;
    o->me_again = true; /* schedule_next makes the next refresh due at once */
}

/* Hands queued requests to libcurl while it has slots for them, oldest first, ENGINE_SLICE
 * at most per engine_step (the perform that sends them must not hold the terminal either). */
static void pump(struct engine *e)
{
    size_t cap = slots(e);
    while (e->qhead && e->nhanded < cap && e->step_handed < ENGINE_SLICE) {
        e->step_handed++;
        struct xfer *x = e->qhead;
        x->queued = false;
        e->qhead = x->qnext;
        if (e->qhead)
            e->qhead->qprev = NULL;
        else
            e->qtail = NULL;
        x->qnext = x->qprev = NULL;
        e->nqueued--;
        if (!hand_off(e, x))
            finish(e, x, CURLE_OUT_OF_MEMORY); /* a local failure, recorded as one */
    }
}

static bool same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void finish(struct engine *e, struct xfer *x, CURLcode rc)
{
    struct model *m = e->m;
    struct model_org *o = &m->orgs[x->org];
    struct model_budget *b = &m->budgets[o->budget];
    double now = mono_now(), wall = wall_now();
    long latency_ms = (long)((now - x->start) * 1000.0 + 0.5);
    long status = 0;
    char *ctype = NULL; /* owned by the handle */
    if (rc == CURLE_OK) {
        curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_getinfo(x->h, CURLINFO_CONTENT_TYPE, &ctype);
        learn_proto(e, x);
    }
    /* A proxy that refused the CONNECT: its status, not a connection failure. */
    long connect_code = 0;
    bool proxy_refused = rc == CURLE_PROXY ||
                         (rc != CURLE_OK && x->h &&
                          curl_easy_getinfo(x->h, CURLINFO_HTTP_CONNECTCODE, &connect_code) ==
                              CURLE_OK && connect_code >= 300);
    if (proxy_refused && connect_code > 0)
        status = connect_code;

    char local[160] = "";
    if (x->socket_errno) {
        struct rlimit rl;
        long lim = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY
                       ? (long)rl.rlim_cur : -1;
        bprintf(local, sizeof local, "%s (open files limit %ld): this machine's limit, not the API",
                strerror(x->socket_errno), lim);
    }
    struct api_response resp = {
        .endpoint = x->kind == XFER_ME ? API_ME : x->kind == XFER_PATIENTS ? API_PATIENTS
                  : x->kind == XFER_DETAIL ? API_PATIENT : x->kind == XFER_ITEM ? API_ITEM
                  : x->kind == XFER_PROBE ? API_LIST_PROBE : API_LIST,
        .resource = x->res,
        .list_key = x->kind == XFER_PROBE && resource_by_name(o->probe_name)
                        ? resource_by_name(o->probe_name)->list_key : NULL,
        .transport = proxy_refused ? API_TR_PROXY : transport_of(rc, x),
        .transport_detail = rc == CURLE_OK ? NULL : x->socket_errno ? local : (x->errbuf[0] ? x->errbuf
                                                                  : curl_easy_strerror(rc)),
        .status = (int)status,
        .body = x->body,
        .len = x->len,
        .rate = &x->rl,
        .content_type = ctype,
        .server = x->server,
        .proxy = e->proxy,
    };
    struct api_result r;
    api_interpret(&resp, &r);

    /* What the server says about the app's window applies to every org of the app. */
    if (x->rl.limit >= 0)
        b->limit = x->rl.limit;
    if (x->rl.remaining >= 0)
        b->remaining = x->rl.remaining;
    /* A reset beyond two windows (milliseconds, a wrong clock) would stop the app's requests
     * for good: treated as absent, and kept to be told (explain_429). */
    bool reset_ok = x->rl.reset >= 0 && api_reset_plausible(x->rl.reset, wall);
    if (reset_ok) {
        b->reset = x->rl.reset;
        b->reset_ignored = 0;
    } else if (x->rl.reset >= 0) {
        b->reset = -1;
        b->reset_ignored = x->rl.reset;
    }
    if (x->rl.remaining >= 0) {
        /* This answer's request is still counted in flight (detach() comes later). */
        struct engine_budget *eb = &e->eb[o->budget];
        long others = eb->in_flight > 0 ? (long)eb->in_flight - 1 : 0;
        eb->credit_known = true;
        eb->credit = x->rl.remaining - others;
        if (e->opts.once && !e->opts.budget && !eb->once_sized) {
            /* A one-shot check may take a share of what the window has left (engine.h). */
            eb->once_sized = true;
            long used = (long)sent_in_window(b, now) + (long)eb->in_flight;
            long share = (long)((double)(eb->credit > 0 ? eb->credit : 0) * ENGINE_ONCE_SHARE);
            if (used + share > b->per_minute)
                budget_resize(e, o->budget, (int)(used + share < INT_MAX ? used + share : INT_MAX));
        }
        eb->probe_at = now + (reset_ok && (double)x->rl.reset > wall
                                  ? (double)x->rl.reset - wall : 1.0);
    }
    if (x->rl.limit > 0 && x->rl.limit < b->per_minute && x->rl.limit != b->limit_seen) {
        /* The server allows the app less than rate_budget: the refresh stretches to it. */
        b->limit_seen = x->rl.limit;
        b->effective_refresh = model_effective_refresh(m->cfg->set.refresh, (int)x->rl.limit,
                                                       b->norgs);
        e->changed |= ENGINE_CHANGED_ORGS;
    }
    if (r.cls == API_RATE_LIMITED) {
        /* Retry-After (seconds or an HTTP-date), else a plausible reset, else backoff. */
        double told = api_rate_wait(&x->rl, wall);
        double wait = told > 0 ? told
                    : pow(2.0, o->retry_attempt + 1 < 16 ? o->retry_attempt + 1 : 16) + jitter(e);
        if (wait < 1.0)
            wait = 1.0;
        if (now + wait > b->blocked_until)
            b->blocked_until = now + wait;
    }

    if (r.cls != API_OK)
        log_and_record(e, x, &r, latency_ms, wall);
    if (e->opts.observe)
        e->opts.observe(e->opts.observe_ctx, x->org, resp.endpoint, &r, latency_ms, wall);

    switch (x->kind) {
    case XFER_ME:
        /* An answer that says nothing about the key (a timeout, a 5xx, a 429) is asked
         * again with the retry; a 401/403/404 waits for its turn (me_wanted). */
        if (api_class_is_transient(r.cls) || r.cls == API_RATE_LIMITED)
            o->me_due = true;
        model_probe_set(&o->probe_me, &r, latency_ms, wall);
        if (r.cls == API_OK) {
            model_note_app(m, x->org, r.me.app_id);
            model_org_take_me(o, &r.me);
        }
        e->changed |= ENGINE_CHANGED_ORGS;
        break;
    case XFER_PROBE:
        /* The probe alone proves the key, the org and the scope (401, 404, 403 say which): a
         * change of its answer asks /marketplace/me again, at once (issue 20 case 2). */
        if (o->probe_res.done && o->probe_res.cls != r.cls)
            me_again(e, o, o->probe_res.cls, r.cls);
        model_probe_set(&o->probe_res, &r, latency_ms, wall);
        e->changed |= ENGINE_CHANGED_ORGS;
        break;
    case XFER_PATIENTS:
        if (!o->probe_other && x->refresh && o->probe_patients.done &&
            o->probe_patients.cls != r.cls)
            me_again(e, o, o->probe_patients.cls, r.cls);
        model_probe_set(&o->probe_patients, &r, latency_ms, wall);
        if (x->page_request && o->page_wanted && o->res == res_patients() &&
            x->page_no == o->page_no &&
            ((!x->search && !o->search) || (x->search && o->search &&
                                             strcmp(x->search, o->search) == 0))) {
            o->page_loading = false;
            o->page_wait_until = 0;
            if (r.cls == API_OK)
                model_org_take_page(o, &r.page);
            e->changed |= ENGINE_CHANGED_PATIENTS;
        }
        e->changed |= ENGINE_CHANGED_ORGS;
        break;
    case XFER_DETAIL:
        if (m->detail.active && m->detail.org == x->org) {
            m->detail.loading = false;
            model_probe_set(&m->detail.probe, &r, latency_ms, wall);
            api_patient_free(&m->detail.patient);
            api_detail_free(&m->detail.fields);
            if (r.cls == API_OK) {
                m->detail.patient = r.patient;
                memset(&r.patient, 0, sizeof r.patient);
                m->detail.fields = r.detail; /* its form, which the screen draws */
                memset(&r.detail, 0, sizeof r.detail);
            }
            e->changed |= ENGINE_CHANGED_DETAIL;
        }
        break;
    case XFER_LIST:
        model_probe_set(&o->probe_rows, &r, latency_ms, wall);
        o->probe_rows_res = x->res;
        if (x->page_request && o->page_wanted && o->res == x->res && x->page_no == o->page_no &&
            same_text(x->search, o->search) && same_text(x->filter, o->filter)) {
            o->page_loading = false;
            o->page_wait_until = 0;
            if (r.cls == API_OK)
                model_org_take_rows(o, &r.rows, x->res);
            e->changed |= ENGINE_CHANGED_PATIENTS;
        }
        e->changed |= ENGINE_CHANGED_ORGS;
        break;
    case XFER_ITEM:
        if (m->detail.active && m->detail.org == x->org && m->detail.res == x->res) {
            m->detail.loading = false;
            model_probe_set(&m->detail.probe, &r, latency_ms, wall);
            api_detail_free(&m->detail.fields);
            if (r.cls == API_OK) {
                m->detail.fields = r.detail;
                memset(&r.detail, 0, sizeof r.detail);
            }
            e->changed |= ENGINE_CHANGED_DETAIL;
        }
        break;
    case XFER_SCOPE:
        if (x->scope < o->nscopes) {
            o->scopes[x->scope].loading = false;
            model_probe_set(&o->scopes[x->scope].probe, &r, latency_ms, wall);
        }
        e->changed |= ENGINE_CHANGED_ORGS;
        break;
    }
    api_result_free(&r);
    bool refresh_done = x->refresh && --o->refresh_left == 0;
    detach(e, x);
    xfer_free(e, x);
    if (refresh_done)
        schedule_next(e, (size_t)(o - m->orgs), now, wall);
    m->version++;
}

/* --- scheduling --------------------------------------------------------------------------- */

/* Whether org's wanted page is on its way (sent on its own, ahead of the refreshes). */
static bool page_in_flight(const struct engine *e, size_t org)
{
    for (const struct xfer *x = e->by_org[org]; x; x = x->onext)
        if (x->kind == XFER_PATIENTS && x->page_request)
            return true;
    return false;
}

/* Whether org's next refresh asks /marketplace/me: on the first refresh, after `r`, when the
 * probe's answer changed, and every me_every-th refresh; in once mode unless --quick. At
 * steady state a refresh is the probe alone: one request (issue 20 case 2). */
static bool me_wanted(const struct engine *e, const struct model_org *o)
{
    if (e->opts.once)
        return !e->opts.quick;
    int every = e->m->cfg->set.me_every > 0 ? e->m->cfg->set.me_every : 1;
    return o->me_due || o->cycles % every == 0;
}

/* The requests org's next refresh sends. */
static size_t refresh_size(struct engine *e, size_t i)
{
    const struct model_org *o = &e->m->orgs[i];
    bool want = o->page_wanted && o->res == res_patients();
    bool page_going = want && !o->page_dirty && page_in_flight(e, i);
    return (size_t)me_wanted(e, o) + (size_t)o->probe_other +
           (size_t)((!o->probe_other || want) && !page_going);
}

static bool start_refresh(struct engine *e, size_t i, double now)
{
    struct model_org *o = &e->m->orgs[i];
    struct model_budget *b = &e->m->budgets[o->budget];
    /* A wanted page already under way answers for /patients: the refresh does not send it
     * again, rather than cancelling the page the user waits for. Only a wanted patients page
     * rides with the refresh; another resource's page is fetched when asked for (issue 16). */
    bool want = o->page_wanted && o->res == res_patients();
    bool page_going = want && !o->page_dirty && page_in_flight(e, i);
    size_t n = refresh_size(e, i);
    if (n == 0)
        n = 1;
    if (budget_free_at(e, o->budget, now, n) > now)
        return false;
    bool me = me_wanted(e, o);
    /* /patients: the probe when the key's probe is patients, else only the page on screen. */
    bool patients = (!o->probe_other || want) && !page_going;
    long size = want ? e->m->cfg->set.page_size : 1;
    long page = want ? o->page_no : 1;
    const char *search = want ? o->search : NULL;
    if (want && !page_going)
        cancel(e, i, XFER_PATIENTS, true); /* this refresh fetches the wanted page itself */
    struct xfer *parts[3] = {me ? start(e, i, XFER_ME, 0, 0, NULL, NULL, false) : NULL,
                             patients ? start(e, i, XFER_PATIENTS, page, size, search, NULL,
                                              want)
                                      : NULL,
                             o->probe_other ? start(e, i, XFER_PROBE, 0, 0, NULL, NULL, false)
                                            : NULL};
    o->refresh_left = 0;
    for (int k = 0; k < 3; k++) {
        if (parts[k]) {
            parts[k]->refresh = true;
            o->refresh_left++;
        }
    }
    bool ok = (!me || parts[0]) && (!patients || parts[1]) && (!o->probe_other || parts[2]);
    if (me && parts[0])
        o->me_due = false;
    o->me_in_refresh = me && parts[0];
    o->cycles++;
    o->cycle_requests += o->refresh_left;
    if (want && o->page_dirty) {
        /* Only a page the user asked for shows "loading": a background refresh of the page on
         * screen changes nothing visible until it lands. */
        o->page_loading = true;
        o->page_dirty = false;
    }
    if (!ok && o->in_flight == 0)
        o->next_refresh = now + b->effective_refresh; /* could not start: try later */
    return true;
}

static void schedule(struct engine *e)
{
    struct model *m = e->m;
    double now = mono_now();
    /* A patient asked for while the budget was spent goes first once it has room. */
    struct model_detail *dd = &m->detail;
    if (dd->active && dd->pending && dd->org < m->norgs) {
        double at = budget_free_at(e, m->orgs[dd->org].budget, now, 1);
        dd->wait_until = at > now ? at : 0;
        if (at <= now) {
            dd->pending = false;
            dd->loading = start_detail(e, dd);
        }
    }
    /* Then the pages the user asked for, each on its own as soon as the budget has room for
     * one request: before any background refresh (which needs two), and without waiting for
     * the org's own refresh to carry it (issue 15, case 8). One that must wait says until
     * when. */
    for (size_t i = 0; !e->opts.once && i < m->norgs; i++) {
        struct model_org *o = &m->orgs[i];
        if (!o->page_dirty)
            continue;
        double at = budget_free_at(e, o->budget, now, 1);
        o->page_wait_until = at > now ? at : 0;
        if (at > now)
            continue;
        o->page_dirty = false;
        o->page_loading = true;
        start_wanted_page(e, i);
    }
    /* Then the scope probes asked for (check --scopes, the scope map), one request each as the
     * budget has room: after what the user waits for, before background refreshes. */
    for (size_t i = 0; i < m->norgs; i++) {
        struct model_org *o = &m->orgs[i];
        for (size_t k = 0; k < o->nscopes; k++) {
            struct model_scope *sc = &o->scopes[k];
            if (!sc->pending || !o->probe_me.done) /* /me first: the key is known to work */
                continue;
            if (o->probe_me.cls != API_OK) {
                sc->pending = false;
                sc->me_failed = true;
                continue;
            }
            if (budget_free_at(e, o->budget, now, 1) > now)
                continue;
            sc->pending = false;
            struct xfer *x = start_res(e, i, XFER_SCOPE, sc->res, sc->filter, 1, 1, NULL, NULL,
                                       false);
            sc->loading = x != NULL;
            if (x)
                x->scope = k;
        }
    }
    /* The orgs on screen first (issue 17): with thousands of orgs the cycle stretches, and
     * what the user looks at should be the freshest. */
    for (size_t k = 0; !e->opts.once && k < e->nfirst; k++) {
        struct model_org *o = &m->orgs[e->first[k]];
        if (o->refresh_left == 0 && o->next_refresh <= now)
            start_refresh(e, e->first[k], now);
    }
    size_t first_waiting = SIZE_MAX;
    for (size_t k = 0; k < m->norgs; k++) {
        size_t i = (e->rr + k) % m->norgs;
        struct model_org *o = &m->orgs[i];
        if (e->opts.once) {
            if (!e->once_started[i] && start_refresh(e, i, now)) {
                e->once_started[i] = true;
                if (e->once_first == 0)
                    e->once_first = now;
                e->once_last = now;
            }
            continue;
        }
        if (o->page_dirty && !(o->refresh_left == 0 && o->next_refresh <= now) &&
            budget_free_at(e, o->budget, now, 1) <= now) {
            o->page_dirty = false;
            o->page_loading = true;
            start_wanted_page(e, i);
            continue;
        }
        if (o->refresh_left == 0 && o->next_refresh <= now && !start_refresh(e, i, now) &&
            first_waiting == SIZE_MAX)
            first_waiting = i;
    }
    /* The next turn starts at the first org the budget made wait, so orgs refresh in turn. */
    if (first_waiting != SIZE_MAX)
        e->rr = first_waiting;
}

/* --- public ------------------------------------------------------------------------------- */

long engine_max_connections(void)
{
    struct rlimit rl;
    long cap = ENGINE_MAX_CONNECTIONS;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
        /* A transfer may hold its socket plus the threaded resolver's socket pair, and the
         * program keeps a few of its own (terminal, log, pipes): stay well below the limit. */
        long fit = ((long)rl.rlim_cur - ENGINE_FD_RESERVE) / 3;
        if (fit < cap)
            cap = fit < 1 ? 1 : fit;
    }
    return cap;
}

const char *engine_ca_problem(const char *base_url, const char *ca_bundle)
{
    if (strncmp(base_url, "https://", 8) != 0 || (ca_bundle && *ca_bundle))
        return NULL; /* plain http (the sandbox), or the config names its own bundle */
    const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
    bool have_file = v->cainfo && access(v->cainfo, R_OK) == 0;
    bool have_dir = false;
    if (v->capath) {
        DIR *d = opendir(v->capath);
        if (d) {
            struct dirent *de;
            while (!have_dir && (de = readdir(d)))
                have_dir = de->d_name[0] != '.';
            closedir(d);
        }
    }
    if (have_file || have_dir || (!v->cainfo && !v->capath))
        return NULL; /* found, or a TLS backend with its own store (nothing to check) */
    return "no CA certificates: install ca-certificates or set ca_bundle";
}

struct engine *engine_new(struct model *m, const struct engine_opts *opts, char *err,
                          size_t errsize)
{
    static bool global_init;
    if (!global_init) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
            bprintf(err, errsize, "libcurl could not be initialised");
            return NULL;
        }
        global_init = true;
    }
    const char *ca = engine_ca_problem(m->cfg->set.base_url, m->cfg->set.ca_bundle);
    if (ca) {
        bprintf(err, errsize, "%s", ca);
        return NULL;
    }
    struct engine *e = xcalloc(1, sizeof *e);
    e->m = m;
    e->opts = *opts;
    e->multi = curl_multi_init();
    if (!e->multi) {
        free(e);
        bprintf(err, errsize, "libcurl could not create a multi handle");
        return NULL;
    }
    e->max_conns = engine_max_connections();
    curl_multi_setopt(e->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, e->max_conns);
    curl_multi_setopt(e->multi, CURLMOPT_MAX_CONCURRENT_STREAMS, (long)ENGINE_H2_STREAMS);
    e->tls = strncasecmp(m->cfg->set.base_url, "https://", 8) == 0;
    if (e->tls) /* until the first answer tells HTTP/1.1 (learn_proto) */
        curl_multi_setopt(e->multi, CURLMOPT_MAX_HOST_CONNECTIONS, ENGINE_H2_CONNECTIONS);
    e->pool = xcalloc(ENGINE_POOL, sizeof *e->pool);
    e->by_org = xcalloc(m->norgs + 1, sizeof *e->by_org);
    harden_cloexec_all(); /* the multi handle's wake-up socket pair is not close-on-exec */
    e->http_allowed = m->cfg->set.api_env == CONFIG_API_LOOPBACK;
    api_proxy_from_env(m->cfg->set.base_url, e->proxy, sizeof e->proxy);
    e->rng = (uint64_t)(wall_now() * 1e6) | 1;
    e->once_started = xcalloc(m->norgs + 1, sizeof *e->once_started);
    e->eb = xcalloc(m->nbudgets + 1, sizeof *e->eb);
    for (size_t bi = 0; opts->once && opts->budget > 0 && bi < m->nbudgets; bi++) {
        /* --budget N replaces rate_budget for this run (the server's limit still caps it). */
        struct model_budget *b = &m->budgets[bi];
        if (opts->budget > b->per_minute) {
            budget_resize(e, bi, opts->budget);
        } else {
            b->per_minute = opts->budget;
            b->sent_len = b->sent_head = 0;
        }
    }
    /* The first refresh of every org is due now. */
    double now = mono_now();
    for (size_t i = 0; i < m->norgs; i++)
        m->orgs[i].next_refresh = now;
    return e;
}

void engine_free(struct engine *e)
{
    if (!e)
        return;
    while (e->xfers) {
        struct xfer *x = e->xfers;
        detach(e, x);
        xfer_free(e, x);
    }
    while (e->npool > 0)
        curl_easy_cleanup(e->pool[--e->npool]);
    free(e->pool);
    free(e->by_org);
    curl_multi_cleanup(e->multi);
    free(e->once_started);
    free(e->first);
    free(e->eb);
    free(e->log_problem);
    free(e);
}

long engine_next_ms(struct engine *e)
{
    struct model *m = e->m;
    double now = mono_now(), next = -1;
    if (e->backlog || (e->qhead && e->nhanded < slots(e)))
        return 0; /* answers taken in part, or requests waiting for slots that are free */
    for (size_t i = 0; i < m->norgs; i++) {
        struct model_org *o = &m->orgs[i];
        if ((o->refresh_left > 0 && !o->page_dirty) || (e->opts.once && e->once_started[i]))
            continue;
        double due = o->page_dirty ? now : o->next_refresh;
        double free_at = budget_free_at(e, o->budget, now,
                                        o->page_dirty ? 1 : refresh_size(e, i));
        if (free_at > due)
            due = free_at;
        if (next < 0 || due < next)
            next = due;
    }
    for (size_t i = 0; i < m->norgs; i++)
        for (size_t k = 0; k < m->orgs[i].nscopes; k++)
            if (m->orgs[i].scopes[k].pending && m->orgs[i].probe_me.done) {
                double due = budget_free_at(e, m->orgs[i].budget, now, 1);
                if (next < 0 || due < next)
                    next = due;
                break;
            }
    const struct model_detail *d = &m->detail;
    if (d->active && d->pending && d->org < m->norgs) {
        double due = budget_free_at(e, m->orgs[d->org].budget, now, 1);
        if (next < 0 || due < next)
            next = due;
    }
    if (next < 0)
        return -1;
    double ms = (next - now) * 1000.0;
    return ms <= 0 ? 0 : (long)ceil(ms);
}

void engine_wait(struct engine *e, struct engine_fd *fds, size_t nfds, long timeout_ms)
{
    struct curl_waitfd w[8];
    size_t n = nfds < 8 ? nfds : 8;
    for (size_t i = 0; i < n; i++) {
        w[i].fd = fds[i].fd;
        w[i].events = CURL_WAIT_POLLIN;
        w[i].revents = 0;
    }
    long next = engine_next_ms(e);
    long curl_ms = -1;
    curl_multi_timeout(e->multi, &curl_ms);
    long wait = timeout_ms;
    if (next >= 0 && (wait < 0 || next < wait))
        wait = next;
    if (curl_ms >= 0 && (wait < 0 || curl_ms < wait))
        wait = curl_ms;
    if (wait < 0 || wait > 3600000)
        wait = 3600000;
    int numfds = 0;
    curl_multi_poll(e->multi, w, (unsigned)n, (int)wait, &numfds);
    for (size_t i = 0; i < n; i++)
        fds[i].ready = (w[i].revents & CURL_WAIT_POLLIN) != 0;
}

unsigned engine_step(struct engine *e)
{
    e->changed = 0;
    e->step_handed = 0;
    schedule(e);
    pump(e);
    /* Until a perform finishes nothing more: a completion left in curl's message queue would
     * otherwise wait for the next wake-up, which may never come when nothing is running. But
     * at most ENGINE_SLICE answers a call: the loop reads the terminal between slices, so a
     * key pressed during a burst of answers waits for one slice, not the burst (issue 20). */
    size_t taken = 0;
    e->backlog = false;
    for (;;) {
        curl_multi_perform(e->multi, &e->running);
        bool finished = false;
        CURLMsg *msg;
        int left = 0;
        while (taken < ENGINE_SLICE && (msg = curl_multi_info_read(e->multi, &left))) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            struct xfer *x = NULL;
            CURLcode rc = msg->data.result;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
            if (x) {
                finish(e, x, rc);
                finished = true;
                taken++;
            }
        }
        if (!finished)
            break;
        schedule(e); /* what the results made due: a retry, a page asked for meanwhile */
        pump(e);
        if (taken >= ENGINE_SLICE) {
            e->backlog = left > 0;
            break;
        }
    }
    return e->changed;
}

bool engine_done(const struct engine *e)
{
    if (!e->opts.once || e->xfers || e->backlog)
        return false;
    for (size_t i = 0; i < e->m->norgs; i++) {
        if (!e->once_started[i])
            return false;
        for (size_t k = 0; k < e->m->orgs[i].nscopes; k++)
            if (e->m->orgs[i].scopes[k].pending)
                return false;
    }
    return true;
}

void engine_progress(struct engine *e, struct engine_progress *p)
{
    memset(p, 0, sizeof *p);
    const struct model *m = e->m;
    p->orgs = m->norgs;
    size_t *waiting = xcalloc(m->nbudgets + 1, sizeof *waiting); /* orgs not started, per budget */
    for (size_t i = 0; i < m->norgs; i++) {
        const struct model_org *o = &m->orgs[i];
        if (!e->once_started[i]) {
            waiting[o->budget]++;
            continue;
        }
        p->started++;
        if (o->refresh_left == 0)
            p->finished++;
    }
    /* The budgets run side by side: the slowest one sets the estimate. */
    double left_s = 0;
    for (size_t bi = 0; bi < m->nbudgets; bi++) {
        const struct model_budget *b = &m->budgets[bi];
        long cap = b->limit > 0 && b->limit < b->per_minute ? b->limit : b->per_minute;
        double per_org = (e->opts.quick ? 0.0 : 1.0) + 1.0;
        double s = (double)waiting[bi] * per_org * WINDOW_S / (double)(cap > 0 ? cap : 1);
        if (s > left_s)
            left_s = s;
    }
    free(waiting);
    p->stretched_s = e->once_last > e->once_first ? e->once_last - e->once_first : 0;
    if (p->started < p->orgs) {
        long ms = e->backlog ? 0 : engine_next_ms(e);
        p->wait_ms = ms > 0 ? ms : 0;
        double wait_s = (double)p->wait_ms / 1000.0;
        p->estimate_s = left_s > wait_s ? left_s : wait_s;
    }
}

void engine_refresh_org(struct engine *e, size_t org)
{
    if (org < e->m->norgs) {
        e->m->orgs[org].next_refresh = mono_now();
        e->m->orgs[org].me_due = true; /* `r` asks /marketplace/me too */
    }
}

void engine_refresh_first(struct engine *e, const size_t *orgs, size_t n)
{
    e->first = xrealloc(e->first, (n ? n : 1) * sizeof *e->first);
    e->nfirst = 0;
    for (size_t i = 0; i < n; i++)
        if (orgs[i] < e->m->norgs)
            e->first[e->nfirst++] = orgs[i];
}

void engine_refresh_all(struct engine *e)
{
    for (size_t i = 0; i < e->m->norgs; i++)
        engine_refresh_org(e, i);
}

void engine_want_page(struct engine *e, size_t org, long page, const char *search)
{
    if (org >= e->m->norgs)
        return;
    struct model_org *o = &e->m->orgs[org];
    cancel(e, org, XFER_PATIENTS, true);
    cancel(e, org, XFER_LIST, true);
    o->page_wanted = true;
    o->page_no = page < 1 ? 1 : page;
    /* search may be o->search itself (the UI pages within the current search): copy first. */
    char *wanted = search && *search ? xstrdup(search) : NULL;
    free(o->search);
    o->search = wanted;
    o->page_dirty = true;
    o->page_loading = true;
}

void engine_unwant_page(struct engine *e, size_t org)
{
    if (org >= e->m->norgs)
        return;
    struct model_org *o = &e->m->orgs[org];
    cancel(e, org, XFER_PATIENTS, true);
    cancel(e, org, XFER_LIST, true);
    o->page_wanted = false;
    o->page_dirty = false;
    o->page_loading = false;
    o->page_wait_until = 0;
}

void engine_fetch_patient(struct engine *e, size_t org, const char *id)
{
    engine_fetch_item(e, org, res_patients(), id);
}

void engine_close_patient(struct engine *e)
{
    struct model_detail *d = &e->m->detail;
    if (d->active) {
        cancel(e, d->org, XFER_DETAIL, false);
        cancel(e, d->org, XFER_ITEM, false);
    }
    model_detail_clear(d);
}

const char *engine_log_problem(const struct engine *e)
{
    return e->log_problem;
}

void engine_want_resource(struct engine *e, size_t org, int res, long page, const char *search,
                          const char *filter, const char *parent_id)
{
    if (org >= e->m->norgs || !res_at(res))
        return;
    struct model_org *o = &e->m->orgs[org];
    char *f = filter && *filter ? xstrdup(filter) : NULL;
    char *p = parent_id && *parent_id ? xstrdup(parent_id) : NULL;
    free(o->filter);
    free(o->parent_id);
    o->filter = f;
    o->parent_id = p;
    o->res = res;
    engine_want_page(e, org, page, search);
}

void engine_fetch_item(struct engine *e, size_t org, int res, const char *id)
{
    if (!res_at(res) || !id)
        return;
    engine_close_patient(e);
    if (org >= e->m->norgs)
        return;
    struct model_detail *d = &e->m->detail;
    d->active = true;
    d->org = org;
    d->res = res;
    d->id = xstrdup(id);
    /* Even a request the user asked for waits out a 429 and the budget (schedule() sends it). */
    double at = budget_free_at(e, e->m->orgs[org].budget, mono_now(), 1);
    if (at > mono_now()) {
        d->pending = true;
        d->loading = true;
        d->wait_until = at;
        return;
    }
    d->loading = start_detail(e, d);
}

void engine_probe_scopes(struct engine *e, size_t org)
{
    if (org >= e->m->norgs)
        return;
    struct model_org *o = &e->m->orgs[org];
    int version = res_version_of(config_org_base_url(e->m->cfg, o->cfg));
    for (size_t k = 0; k < o->nscopes; k++) {
        struct model_scope *sc = &o->scopes[k];
        if (sc->pending || sc->loading)
            continue;
        /* A version that lacks the resource answers 404 whatever the scope: not asked. */
        sc->not_served = !res_in_version(res_at(sc->res), version);
        sc->me_failed = false;
        sc->pending = !sc->not_served;
    }
}
