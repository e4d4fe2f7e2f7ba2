/* `maxdash serve`: the dashboard's engine in the same single loop, with libmicrohttpd's
 * sockets in place of the terminal. MHD runs without threads of its own (external epoll):
 * engine_wait sleeps on the transfers, the signal pipe and MHD's epoll descriptor, and the
 * request handler reads the model in the loop's thread, so nothing needs a lock. */
#include "cmd_serve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "authlog.h"
#include "cmd_check.h"
#include "config.h"
#include "engine.h"
#include "metrics.h"
#include "model.h"
#include "util.h"

struct serve {
    struct config cfg;
    struct model m;
    struct engine *e;
    struct metrics *mx;
    struct authlog log;
    char listen[80];   /* as shown: "127.0.0.1:9464" */
    double started;    /* wall */
};

static int sig_pipe[2] = {-1, -1};

static void on_signal(int sig)
{
    int saved = errno;
    unsigned char b = (unsigned char)sig;
    if (sig_pipe[1] >= 0 && write(sig_pipe[1], &b, 1) < 0) {
        /* the pipe is full: a wake-up is already pending */
    }
    errno = saved;
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

bool serve_parse_listen(const char *text, struct sockaddr_storage *ss, bool *loopback)
{
    memset(ss, 0, sizeof *ss);
    *loopback = false;
    if (!text)
        return false;
    const char *colon = strrchr(text, ':');
    if (!colon || colon == text || !colon[1] || strlen(colon + 1) > 5)
        return false;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535 || colon[1] < '0' || colon[1] > '9')
        return false;
    char host[64];
    size_t hlen = (size_t)(colon - text);
    if (text[0] == '[') {
        if (hlen < 3 || text[hlen - 1] != ']' || hlen - 2 >= sizeof host)
            return false;
        memcpy(host, text + 1, hlen - 2);
        host[hlen - 2] = '\0';
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
        if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1)
            return false;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)port);
        *loopback = IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr);
        return true;
    }
    if (hlen >= sizeof host)
        return false;
    memcpy(host, text, hlen);
    host[hlen] = '\0';
    struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
    if (strcmp(host, "localhost") == 0)
        bprintf(host, sizeof host, "127.0.0.1");
    /* inet_pton, not inet_aton: "127.1" or "0x7f000001" are refused, not guessed at. */
    if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
        return false;
    s4->sin_family = AF_INET;
    s4->sin_port = htons((uint16_t)port);
    *loopback = (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
    return true;
}

/* --- HTTP --------------------------------------------------------------------------------- */

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
                             char *body, size_t len)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

/* A /metrics response streamed in parts as the socket takes them (metrics_cursor). */
struct stream {
    struct metrics_cursor *c;
    struct metrics_buf buf;
    size_t off;
};

static ssize_t stream_read(void *cls, uint64_t pos, char *out, size_t max)
{
    struct stream *st = cls;
    (void)pos;
    if (st->off == st->buf.len) {
        st->buf.len = 0;
        st->off = 0;
        if (!metrics_cursor_next(st->c, max, &st->buf))
            return MHD_CONTENT_READER_END_OF_STREAM;
    }
    size_t n = st->buf.len - st->off < max ? st->buf.len - st->off : max;
    memcpy(out, st->buf.p + st->off, n);
    st->off += n;
    return (ssize_t)n;
}

static void stream_free(void *cls)
{
    struct stream *st = cls;
    metrics_cursor_free(st->c);
    metrics_buf_free(&st->buf);
    free(st);
}

static enum MHD_Result reply_metrics(struct serve *s, struct MHD_Connection *c)
{
    const char *accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept");
    enum metrics_format f = metrics_negotiate(accept);
    struct stream *st = xcalloc(1, sizeof *st);
    st->c = metrics_cursor_new(s->mx, &s->m, f, mono_now());
    struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 256 * 1024,
                                                               stream_read, st, stream_free);
    if (!r) {
        stream_free(st);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, metrics_content_type(f));
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Accept");
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned status, const char *text)
{
    char *body = xstrdup(text);
    return reply(c, status, "text/plain; charset=utf-8", body, strlen(body));
}

/* The one-page summary of GET /: what runs, and each org's state, as text. */
static char *summary(const struct serve *s)
{
    const struct model *m = &s->m;
    size_t count[7] = {0};
    for (size_t i = 0; i < m->norgs; i++)
        count[model_org_health(&m->orgs[i])]++;
    struct metrics_buf b = {0};
    char *path = config_printable(s->cfg.path);
    char *base = config_printable(s->cfg.set.base_url);
    char *line = xasprintf("maxdash %s serve, up %.0f s\nconfig   %s\napi      %s\norgs     %zu: %zu ok, "
                           "%zu auth (401), %zu scope (403), %zu not found, %zu rate limited, "
                           "%zu down, %zu checking\nmetrics  /metrics (Prometheus text 0.0.4, "
                           "OpenMetrics 1.0.0)\nhealth   /healthz\n\n",
                           MAXDASH_VERSION, wall_now() - s->started, path, base, m->norgs, count[HEALTH_OK],
                           count[HEALTH_AUTH], count[HEALTH_SCOPE], count[HEALTH_NOT_FOUND],
                           count[HEALTH_RATE], count[HEALTH_DOWN], count[HEALTH_CHECKING]);
    metrics_buf_puts(&b, line);
    free(line);
    free(path);
    free(base);
    double now = wall_now();
    for (size_t i = 0; i < m->norgs; i++) {
        const struct model_org *o = &m->orgs[i];
        char *name = config_printable(o->cfg->name);
        char *id = config_printable(o->cfg->id);
        char *key = config_printable(o->cfg->key_name);
        char ago[48] = "never";
        if (o->last_success > 0)
            bprintf(ago, sizeof ago, "%.0f s ago", now - o->last_success);
        line = xasprintf("%-8s %s  %s  key %s  last good refresh %s\n",
                         model_health_word(model_org_health(o)), name, id, key, ago);
        metrics_buf_puts(&b, line);
        free(line);
        free(name);
        free(id);
        free(key);
    }
    return b.p;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **con_cls)
{
    struct serve *s = cls;
    (void)version;
    (void)upload_data;
    (void)con_cls;
    if (*upload_size) {
        *upload_size = 0; /* a body is never read */
        return MHD_YES;
    }
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "GET or HEAD only\n");
    if (strcmp(url, "/metrics") == 0)
        return reply_metrics(s, c);
    if (strcmp(url, "/healthz") == 0) {
        /* The process runs and its config loaded; a log that cannot be written is not fine:
         * failures would be lost (engine_log_problem). */
        const char *problem = engine_log_problem(s->e);
        if (problem) {
            char *text = xasprintf("log: %s\n", problem);
            char *clean = config_printable(text);
            free(text);
            char *body = xasprintf("%s\n", clean);
            free(clean);
            return reply(c, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain; charset=utf-8", body,
                         strlen(body));
        }
        return reply_text(c, MHD_HTTP_OK, "ok\n");
    }
    if (strcmp(url, "/") == 0) {
        char *body = summary(s);
        return reply(c, MHD_HTTP_OK, "text/plain; charset=utf-8", body, strlen(body));
    }
    return reply_text(c, MHD_HTTP_NOT_FOUND, "not found: try /, /metrics or /healthz\n");
}

static void observe(void *ctx, size_t org, enum api_endpoint ep, const struct api_result *r,
                    long latency_ms, double wall)
{
    metrics_observe(ctx, org, ep, r, latency_ms, wall);
}

/* --- the loop ----------------------------------------------------------------------------- */

/* MHD's turn: while it has work ready (a scrape of many MiB being written: its sockets are
 * readable or writable, or it keeps connections it knows are ready), for at most 10 ms before
 * the engine's turn. One engine_step per block written cost more than the writing itself with
 * 5 000 orgs (each step looks at every org). */
static void run_http(struct MHD_Daemon *d, int epoll_fd)
{
    double until = mono_now() + 0.010;
    struct pollfd p = {.fd = epoll_fd, .events = POLLIN};
    for (;;) {
        MHD_run(d);
        if (mono_now() >= until)
            break;
        MHD_UNSIGNED_LONG_LONG ms;
        bool ready = MHD_get_timeout(d, &ms) == MHD_YES && ms == 0;
        if (!ready && poll(&p, 1, 0) != 1)
            break;
    }
}

static void loop(struct serve *s, struct MHD_Daemon *d, int epoll_fd)
{
    bool quit = false;
    while (!quit) {
        engine_step(s->e);
        MHD_run(d);
        MHD_UNSIGNED_LONG_LONG mhd_ms;
        long timeout = -1;
        if (MHD_get_timeout(d, &mhd_ms) == MHD_YES)
            timeout = mhd_ms > 3600000ULL ? 3600000L : (long)mhd_ms;
        struct engine_fd fds[2] = {{sig_pipe[0], false}, {epoll_fd, false}};
        engine_wait(s->e, fds, 2, timeout);
        if (fds[0].ready) {
            unsigned char buf[32];
            while (read(sig_pipe[0], buf, sizeof buf) > 0)
                quit = true;
        }
        if (fds[1].ready || timeout == 0)
            run_http(d, epoll_fd);
    }
}

int serve_run(const struct serve_opts *opts)
{
    const char *listen_text = opts->listen ? opts->listen : SERVE_DEFAULT_LISTEN;
    struct sockaddr_storage ss;
    bool loopback;
    if (!serve_parse_listen(listen_text, &ss, &loopback)) {
        char *shown = config_printable(listen_text);
        warnmsg("--listen takes ADDR:PORT (127.0.0.1:9464, [::1]:9464), not '%s'", shown);
        free(shown);
        return 2;
    }
    /* The default is loopback; anything wider must have been asked for by name. */
    if (!loopback && !opts->listen) {
        warnmsg("the default address must be loopback; give --listen to serve beyond it");
        return 2;
    }

    struct serve *s = xcalloc(1, sizeof *s);
    if (!check_load_config(opts->config, &s->cfg)) {
        config_free(&s->cfg);
        free(s);
        return 2;
    }
    if (s->cfg.norgs == 0) {
        warnmsg("%s: no [org \"NAME\"] sections: nothing to serve", s->cfg.path);
        config_free(&s->cfg);
        free(s);
        return 2;
    }
    char err[512];
    bool have_log = authlog_open(&s->log, s->cfg.set.log_file, err, sizeof err);
    if (!have_log)
        warnmsg("%s (tried again at each failure)", err);
    else if (s->log.warning[0])
        warnmsg("%s", s->log.warning);
    model_init(&s->m, &s->cfg, NULL, 0);
    s->mx = metrics_new(s->m.norgs);
    /* The dashboard's engine and options: schedule, budget, retries, the failure log. */
    struct engine_opts eo = {.log = &s->log, .observe = observe, .observe_ctx = s->mx};
    s->e = engine_new(&s->m, &eo, err, sizeof err);
    int status = 1;
    struct MHD_Daemon *d = NULL;
    if (!s->e) {
        warnmsg("%s", err);
        goto out;
    }
    if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
        warnmsg("pipe: %s", strerror(errno));
        goto out;
    }
    install_signals();
    unsigned flags = MHD_USE_EPOLL | (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0);
    errno = 0;
    d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR,
                         (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_LIMIT, (unsigned)32,
                         MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
                         MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1, MHD_OPTION_END);
    if (!d) {
        char *shown = config_printable(listen_text);
        warnmsg("cannot listen on %s%s%s", shown, errno ? ": " : "",
                errno ? strerror(errno) : "");
        free(shown);
        goto out;
    }
    const union MHD_DaemonInfo *pi = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    const union MHD_DaemonInfo *ei = MHD_get_daemon_info(d, MHD_DAEMON_INFO_EPOLL_FD);
    if (!pi || !ei) {
        warnmsg("libmicrohttpd gives no port or epoll descriptor");
        goto out;
    }
    char host[INET6_ADDRSTRLEN] = "";
    if (ss.ss_family == AF_INET6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, host, sizeof host);
    else
        inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, host, sizeof host);
    bprintf(s->listen, sizeof s->listen, ss.ss_family == AF_INET6 ? "[%s]:%u" : "%s:%u", host,
            (unsigned)pi->port);
    if (!loopback)
        warnmsg("warning: serving on %s, beyond this machine: whoever reaches it reads the orgs' "
                "names, ids, key names and failures (never a key or patient data); put a "
                "firewall or an authenticating proxy in front", s->listen);
    printf("maxdash: serving http://%s/metrics (%zu org%s)\n", s->listen, s->m.norgs,
           s->m.norgs == 1 ? "" : "s");
    fflush(stdout);
    s->started = wall_now();
    loop(s, d, ei->epoll_fd);
    status = 0;
out:
    if (d)
        MHD_stop_daemon(d);
    engine_free(s->e);
    metrics_free(s->mx);
    model_free(&s->m);
    authlog_close(&s->log);
    config_free(&s->cfg);
    free(s);
    if (sig_pipe[0] >= 0) {
        close(sig_pipe[0]);
        close(sig_pipe[1]);
        sig_pipe[0] = sig_pipe[1] = -1;
    }
    return status;
}
