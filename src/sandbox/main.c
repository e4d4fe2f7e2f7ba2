/* maxdash-sandbox: command line, listening socket, signals and the chaos thread around the
 * request handling of server.c. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "data.h"
#include "server.h"
#include "util.h"

struct options {
    const char *data;
    const char *bind;
    long port;
    const char *port_file;
    long latency_ms;
    long rate_n;
    long rate_seconds;
    const char *tls_cert, *tls_key;
    long chaos;
    long long seed;
    bool have_seed;
    bool quiet;
};

static const char usage_text[] =
    "usage: maxdash-sandbox [--data FILE] [--bind ADDR] [--port N] [--port-file FILE]\n"
    "                       [--latency MS] [--rate-limit N/SECONDS]\n"
    "                       [--tls-cert FILE --tls-key FILE] [--chaos SECONDS] [--seed N]\n"
    "                       [--quiet] | --help | --version\n"
    "A local stand-in for api.maxcare.ai (see assets/sandbox/README.md).\n";

static bool parse_long(const char *text, long lo, long hi, long *out)
{
    if (!text || !*text)
        return false;
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

static void parse_args(int argc, char **argv, struct options *o)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            fputs(usage_text, stdout);
            exit(0);
        }
        if (strcmp(arg, "--version") == 0) {
            printf("maxdash-sandbox %s\n", MAXDASH_VERSION);
            exit(0);
        }
        if (strcmp(arg, "--quiet") == 0) {
            o->quiet = true;
            continue;
        }
        /* Every other option takes a value: "--opt VALUE" or "--opt=VALUE". */
        char name[32];
        const char *value;
        const char *eq = strchr(arg, '=');
        if (strncmp(arg, "--", 2) == 0 && eq && (size_t)(eq - arg) < sizeof name) {
            memcpy(name, arg, (size_t)(eq - arg));
            name[eq - arg] = '\0';
            value = eq + 1;
        } else {
            bprintf(name, sizeof name, "%s", arg);
            value = i + 1 < argc ? argv[i + 1] : NULL;
            i++;
        }
        static const char *const valued[] = {"--data", "--bind", "--port", "--port-file",
            "--latency", "--rate-limit", "--tls-cert", "--tls-key", "--chaos", "--seed"};
        bool known = false;
        for (size_t k = 0; k < ARRAY_LEN(valued); k++)
            known = known || strcmp(name, valued[k]) == 0;
        if (!known)
            die(2, "unknown option '%.40s' (try --help)", arg);
        if (!value)
            die(2, "%s needs a value (try --help)", name);
        if (strcmp(name, "--data") == 0) {
            o->data = value;
        } else if (strcmp(name, "--bind") == 0) {
            o->bind = value;
        } else if (strcmp(name, "--port") == 0) {
            if (!parse_long(value, 0, 65535, &o->port))
                die(2, "--port: '%.40s' is not a port number (0 to 65535; 0 picks a free one)",
                    value);
        } else if (strcmp(name, "--port-file") == 0) {
            o->port_file = value;
        } else if (strcmp(name, "--latency") == 0) {
            if (!parse_long(value, 0, 600000, &o->latency_ms))
                die(2, "--latency: '%.40s' is not a number of milliseconds (0 to 600000)", value);
        } else if (strcmp(name, "--rate-limit") == 0) {
            char n[32], sec[32];
            const char *slash = strchr(value, '/');
            if (!slash || (size_t)(slash - value) >= sizeof n || strlen(slash + 1) >= sizeof sec)
                die(2, "--rate-limit: '%.40s' is not N/SECONDS (e.g. 1000/60)", value);
            memcpy(n, value, (size_t)(slash - value));
            n[slash - value] = '\0';
            strcpy(sec, slash + 1);
            if (!parse_long(n, 1, 1000000, &o->rate_n) ||
                !parse_long(sec, 1, 86400, &o->rate_seconds))
                die(2, "--rate-limit: '%.40s' is not N/SECONDS with N 1..1000000 and SECONDS "
                       "1..86400", value);
        } else if (strcmp(name, "--tls-cert") == 0) {
            o->tls_cert = value;
        } else if (strcmp(name, "--tls-key") == 0) {
            o->tls_key = value;
        } else if (strcmp(name, "--chaos") == 0) {
            if (!parse_long(value, 1, 86400, &o->chaos))
                die(2, "--chaos: '%.40s' is not a number of seconds (1 to 86400)", value);
        } else if (strcmp(name, "--seed") == 0) {
            long v;
            if (!parse_long(value, 0, LONG_MAX, &v))
                die(2, "--seed: '%.40s' is not a non-negative number", value);
            o->seed = v;
            o->have_seed = true;
        }
    }
    if (!o->tls_cert != !o->tls_key)
        die(2, "--tls-cert and --tls-key go together");
}

/* The demo data: beside the binary's source tree (build/ or build-san/ next to assets/), else
 * the installed copy (relative to the binary, then the configured DATADIR). */
static const char *default_data(void)
{
    static char path[PATH_MAX];
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            if (bprintf(path, sizeof path, "%s/../assets/sandbox/demo.json", exe) &&
                access(path, R_OK) == 0)
                return path;
            /* Installed under any prefix: PREFIX/bin/maxdash-sandbox next to PREFIX/share. */
            if (bprintf(path, sizeof path, "%s/../share/maxdash/sandbox/demo.json", exe) &&
                access(path, R_OK) == 0)
                return path;
        }
    }
    bprintf(path, sizeof path, "%s/sandbox/demo.json", MAXDASH_DATADIR);
    return path;
}

static char *read_pem(const char *path, const char *what)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die(2, "%s %s: %s", what, path, strerror(errno));
    char *buf = xmalloc(1 << 20);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    fclose(f);
    buf[n] = '\0';
    if (n == 0 || !strstr(buf, "-----BEGIN"))
        die(2, "%s %s: not a PEM file", what, path);
    return buf;
}

/* Binds the listening socket ourselves: errors then name the real cause, and port 0 works. */
static int listen_on(const char *addr, long port, int *family, int *bound_port)
{
    struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_PASSIVE, .ai_socktype = SOCK_STREAM};
    struct addrinfo *ai;
    char portstr[16];
    snprintf(portstr, sizeof portstr, "%ld", port);
    int rc = getaddrinfo(addr, portstr, &hints, &ai);
    if (rc != 0)
        die(2, "--bind: '%.60s' is not a numeric IPv4 or IPv6 address", addr);
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        die(1, "socket: %s", strerror(errno));
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (ai->ai_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 512) < 0)
        die(2, "cannot listen on %s port %ld: %s", addr, port, strerror(errno));
    *family = ai->ai_family;
    freeaddrinfo(ai);
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &len);
    *bound_port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                 : ((struct sockaddr_in *)&ss)->sin_port);
    return fd;
}

static void write_port_file(const char *path, int port)
{
    char tmp[PATH_MAX];
    if (!bprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid()))
        die(2, "--port-file: path too long");
    FILE *f = fopen(tmp, "w");
    if (!f)
        die(2, "--port-file %s: %s", path, strerror(errno));
    fprintf(f, "%d\n", port);
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        unlink(tmp);
        die(2, "--port-file %s: %s", path, strerror(errno));
    }
}

static void mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    /* A hang or reset fault ends its request with MHD_NO on purpose: not worth a line. */
    if (*(const bool *)cls)
        return;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (strncmp(msg, "Application reported internal error", 35) == 0)
        return;
    fprintf(stderr, "maxdash-sandbox: %s%s", msg, strchr(msg, '\n') ? "" : "\n");
}

static void print_warning(const char *msg)
{
    fprintf(stderr, "maxdash-sandbox: warning: %s\n", msg);
}

struct chaos_ctx {
    struct sb_server *server;
    long seconds;
    uint64_t rng;
};

static void *chaos_thread(void *arg)
{
    struct chaos_ctx *ctx = arg;
    while (sb_server_nap(ctx->server, ctx->seconds * 1000)) {
        char desc[512];
        sb_server_chaos_step(ctx->server, &ctx->rng, desc, sizeof desc);
        fprintf(stderr, "maxdash-sandbox: chaos: %s\n", desc);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    util_set_progname("maxdash-sandbox");
    struct options o = {.bind = "127.0.0.1", .port = 8080, .rate_n = 1000, .rate_seconds = 60};
    parse_args(argc, argv, &o);
    if (!o.data)
        o.data = default_data();

    /* Signals are taken by sigwait in this thread; every other thread inherits the mask. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct sb_data data;
    char err[1024];
    if (!sb_data_load(o.data, &data, err, sizeof err, print_warning))
        die(2, "%s", err);
    char *cert = o.tls_cert ? read_pem(o.tls_cert, "--tls-cert") : NULL;
    char *key = o.tls_key ? read_pem(o.tls_key, "--tls-key") : NULL;

    int family, port;
    int fd = listen_on(o.bind, o.port, &family, &port);

    struct sb_server_opts sopts = {.latency_ms = o.latency_ms, .rate_limit = (size_t)o.rate_n,
                                   .rate_window = (double)o.rate_seconds, .quiet = o.quiet};
    struct sb_server *server = sb_server_new(&data, &sopts);
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                     MHD_USE_POLL | MHD_USE_ERROR_LOG;
    if (cert)
        flags |= MHD_USE_TLS;
    if (family == AF_INET6)
        flags |= MHD_USE_IPv6;
    struct MHD_OptionItem tls_opts[] = {
        {cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, cert},
        {cert ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, key},
        {MHD_OPTION_END, 0, NULL},
    };
    struct MHD_Daemon *daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, sb_server_handle, server,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, &o.quiet,
        MHD_OPTION_LISTEN_SOCKET, fd,
        MHD_OPTION_NOTIFY_COMPLETED, sb_server_completed, server,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)4000,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)300,
        MHD_OPTION_ARRAY, tls_opts,
        MHD_OPTION_END);
    if (!daemon)
        die(1, "could not start the HTTP server%s", cert ? " (check the TLS certificate and key)"
                                                         : "");

    char host[INET6_ADDRSTRLEN + 2];
    bprintf(host, sizeof host, family == AF_INET6 ? "[%s]" : "%s", o.bind);
    printf("listening on %s://%s:%d/v1\n", cert ? "https" : "http", host, port);
    fflush(stdout);
    if (o.port_file)
        write_port_file(o.port_file, port);

    pthread_t chaos;
    struct chaos_ctx ctx = {server, o.chaos,
                            (o.have_seed ? (uint64_t)o.seed : (uint64_t)time(NULL)) |
                                0x9E3779B97F4A7C15ULL};
    if (o.chaos > 0)
        pthread_create(&chaos, NULL, chaos_thread, &ctx);

    int sig;
    while (sigwait(&stop, &sig) != 0)
        ;
    sb_server_stop(server);
    if (o.chaos > 0)
        pthread_join(chaos, NULL);
    MHD_stop_daemon(daemon);
    sb_server_free(server);
    sb_data_free(&data);
    free(cert);
    free(key);
    if (o.port_file) {
        /* Only our own: another sandbox may have written the same path since. */
        FILE *f = fopen(o.port_file, "r");
        int written = -1;
        if (f) {
            if (fscanf(f, "%d", &written) != 1)
                written = -1;
            fclose(f);
        }
        if (written == port)
            unlink(o.port_file);
    }
    return 0;
}
