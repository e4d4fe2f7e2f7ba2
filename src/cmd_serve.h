/* `maxdash serve`: the engine without a screen, on the dashboard's schedule, rate budget,
 * retries and failure log, serving /metrics for Prometheus, /healthz and / (issue 18). */
#ifndef MAXDASH_CMD_SERVE_H
#define MAXDASH_CMD_SERVE_H

#include <stdbool.h>

/* Where serve listens when --listen is not given: loopback only. */
#define SERVE_DEFAULT_LISTEN "127.0.0.1:9464"

struct serve_opts {
    const char *config;  /* -c FILE; NULL: the usual lookup */
    const char *listen;  /* --listen ADDR:PORT; NULL: SERVE_DEFAULT_LISTEN */
};

/* Runs until SIGTERM, SIGINT or SIGHUP (then 0). 2: usage or configuration error (a bad
 * --listen, no orgs); 1: cannot listen or start the engine. Says "maxdash: serving
 * http://ADDR:PORT/metrics" on stdout once listening (the port actually bound, for port 0), and
 * warns on stderr when ADDR is not loopback. */
int serve_run(const struct serve_opts *opts);

/* Parses "IPV4:PORT", "[IPV6]:PORT" or "localhost:PORT" (PORT 0..65535, 0: any free one) into
 * ss (a sockaddr_in or sockaddr_in6) and *loopback (127.0.0.0/8, ::1). False when malformed. */
struct sockaddr_storage;
bool serve_parse_listen(const char *text, struct sockaddr_storage *ss, bool *loopback);

#endif
