/* The sandbox's HTTP behaviour: the /v1 API of the contract, the /_sandbox control API,
 * faults, rate limits, statistics and chaos, over libmicrohttpd in thread-per-connection mode
 * (a hanging or slow answer simply blocks its own connection's thread). */
#ifndef SANDBOX_SERVER_H
#define SANDBOX_SERVER_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "data.h"

struct sb_server_opts {
    long latency_ms;     /* added to every /v1 answer */
    size_t rate_limit;   /* requests per window, per app */
    double rate_window;  /* seconds */
    bool quiet;          /* no request log */
};

struct sb_server;

/* Creates the server state over data (borrowed; it must outlive the server). */
struct sb_server *sb_server_new(struct sb_data *data, const struct sb_server_opts *opts);
/* Wakes every sleeping or hanging request so that MHD_stop_daemon can join them. */
void sb_server_stop(struct sb_server *s);
void sb_server_free(struct sb_server *s);

/* libmicrohttpd callbacks; cls is the struct sb_server. */
enum MHD_Result sb_server_handle(void *cls, struct MHD_Connection *c, const char *url,
                                 const char *method, const char *version, const char *upload,
                                 size_t *upload_size, void **con_cls);
void sb_server_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe);

/* One chaos step: undoes the previous step's change and makes a new random one; describes it
 * in desc. */
void sb_server_chaos_step(struct sb_server *s, uint64_t *rng, char *desc, size_t size);

/* Waits up to ms unless the server is stopping; false when it is. */
bool sb_server_nap(struct sb_server *s, long ms);

#endif
