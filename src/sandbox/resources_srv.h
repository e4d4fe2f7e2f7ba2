/* Serving the resource table under /v1../v4: routes, filters, pagination, ids per version.
 * No HTTP here: server.c passes the query through a callback and sends the reply. */
#ifndef SANDBOX_RESOURCES_SRV_H
#define SANDBOX_RESOURCES_SRV_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "data.h"
#include "resources.h"

enum sb_route_kind { SB_RT_NONE, SB_RT_ME, SB_RT_LIST, SB_RT_DETAIL };

struct sb_route {
    int version;             /* 1..4 */
    enum sb_route_kind kind; /* NONE: no such route in this version (404 Route not found) */
    const resource_desc *res;
    const char *id;          /* the {id} of a detail or child list: points into the url */
    size_t id_len;
};

/* Parses url ("/v3/appointments/apt_..."). False when it is not under /v1../v4 at all. */
bool sb_route_parse(const char *url, struct sb_route *rt);

/* The route with ids folded ("/v2/appointments/{id}"), "(other)" for NONE, for statistics. */
void sb_route_fold(const struct sb_route *rt, char *out, size_t size);

/* A reply: a success document (doc, owned) or an error (code and message). */
struct sb_reply {
    int status;
    json_t *doc;
    const char *code;
    char message[160];
};

/* The value of query parameter name, or NULL. */
typedef const char *(*sb_arg_fn)(void *ctx, const char *name);

/* Answers a LIST or DETAIL route of org, after the scope check (server.c): parameters (400),
 * lookup (404), then the data. extra_granted: the key has rt->res->extra_scope (else
 * includeSoapNote=true answers 403). Thread-safe: records never change after loading. */
void sb_res_serve(const struct sb_org *org, const struct sb_route *rt, sb_arg_fn arg, void *ctx,
                  bool extra_granted, struct sb_reply *out);

#endif
