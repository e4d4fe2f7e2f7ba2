/* Record ids in each API version's form. A record has one 128-bit identity; /v1 shows the id
 * as the data file gives it (prefix_ + 10..64 letters or digits, or a dashed UUID), /v2 as a
 * dashed UUID, /v3 and /v4 as prefix_ + 32 lower-case hex (assets/sandbox/README.md). */
#ifndef SANDBOX_IDS_H
#define SANDBOX_IDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "resources.h"

typedef struct {
    uint64_t hi, lo;
} sb_uid;

/* Longest id any version renders, with its NUL. */
#define SB_ID_MAX 80

/* True when id is a valid /v1 id of a record with prefix_v1: prefix_v1 + "_" + 10..64 ASCII
 * letters or digits, or a dashed UUID (any hex case). */
bool sb_id_v1_valid(const char *prefix_v1, const char *id);

/* The identity of a /v1 id: a dashed UUID's bits; prefix_ + 32 hex: those bits; any other
 * string: a 128-bit hash of it (so ids of the G0 form map to stable UUIDs). */
sb_uid sb_id_uid(const char *v1_id);

/* Writes r's record id in version v's form (1..4) into out (SB_ID_MAX bytes): v1 is v1_id
 * itself; v2 the uid as a dashed UUID; v3/v4 prefix_v3 + "_" + 32 hex. */
void sb_id_render(const resource_desc *r, int v, const char *v1_id, char out[SB_ID_MAX]);

/* Parses text as an id of r in version v's form. False: malformed for that version (the API's
 * 400 `'id' must be a valid ID`). On success *uid is its identity and *v1_exact is true when
 * the record must also have exactly text as its /v1 id (a /v1 prefixed id: the hash is not
 * trusted alone). */
bool sb_id_parse(const resource_desc *r, int v, const char *text, sb_uid *uid, bool *v1_exact);

/* A fresh /v1 id for generated records: prefix_ + 26 Crockford base32 characters from the
 * random state *rng (advanced). */
void sb_id_generate(const char *prefix_v1, uint64_t *rng, char out[SB_ID_MAX]);

/* splitmix64: the sandbox's deterministic generator step. */
uint64_t sb_splitmix64(uint64_t *state);

#endif
