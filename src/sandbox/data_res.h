/* The sandbox's records of every resource other than patients, per org: loading them from the
 * data file (given lists or generated), the id index, field paths, and rendering a record in
 * an API version's id form. Patients keep their own compact store (data.h). */
#ifndef SANDBOX_DATA_RES_H
#define SANDBOX_DATA_RES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "data.h"

/* Loads the resources of one org from its data-file object o (where: "orgs[2]"), in link
 * order, after its patients: each resource's member (named as the table names it) is either
 * an array of records or {"generate": N, "seed": S, "hostile": PCT}. Every id must be one its
 * own /v1 detail endpoint accepts, unique in the org, and every link must name a record of the
 * org. today: the UTC day (days since 1970-01-01) generated dates centre on. On failure writes
 * one line ("orgs[2].appointments[3].id: ...") into msg and returns false; the caller frees
 * the org with sb_res_free_org either way. */
bool sb_res_load_org(json_t *o, const char *where, struct sb_org *org, long today, char *msg,
                     size_t msgsize);
void sb_res_free_org(struct sb_org *org);

/* The member names sb_res_load_org reads (NULL-terminated, static). */
const char *const *sb_res_member_names(void);

/* The index entry of identity uid in org, or NULL. */
const struct sb_idref *sb_res_find(const struct sb_org *org, sb_uid uid);

/* The /v1 id of record idx of r (a patient's for RES_PATIENTS). */
const char *sb_res_v1_id(const struct sb_org *org, resource_id r, size_t idx);

/* The record (a new reference) of r at idx as /v1 JSON (a patient is built when generated). */
json_t *sb_res_record_json(const struct sb_org *org, resource_id r, size_t idx);

/* A copy of obj for version v (a new reference): every string under a key "id" or "...Id", and
 * in an array under "...Ids", that is a record id is rewritten in v's form; a "soapNote"
 * member is dropped unless keep_soap. */
json_t *sb_res_render(const struct sb_org *org, int v, json_t *obj, bool keep_soap);

/* Calls fn for each value at path in obj (resources.def syntax: '.' steps, '|' alternatives,
 * arrays apply to each element; the first alternative that yields a non-null value is used).
 * fn returns true to stop; the result is true when fn stopped. */
bool sb_path_any(json_t *obj, const char *path, bool (*fn)(json_t *v, void *ctx), void *ctx);

/* Appends n generated records of r to org (gen_res.c); links pick among the org's records of
 * the target resources, which must exist. hostile_pct: share of records with hostile text.
 * False with msg when a target resource is empty. */
bool sb_res_generate(struct sb_org *org, resource_id r, size_t n, uint64_t seed,
                     unsigned hostile_pct, long today, char *msg, size_t msgsize);

/* Adds a record to org's table of r (takes the reference to obj). */
void sb_res_append(struct sb_org *org, resource_id r, json_t *obj);

#endif
