/* The sandbox's world: apps, keys, organizations with their installs and patients, loaded and
 * validated from the data file; deterministic patient generation. */
#ifndef SANDBOX_DATA_H
#define SANDBOX_DATA_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ids.h"
#include "keymask.h"
#include "resources.h"

enum sb_key_state { SB_KEY_ACTIVE, SB_KEY_REVOKED, SB_KEY_EXPIRED };

struct sb_scopes {
    char **items;
    size_t len;
};

struct sb_app {
    char *id;
    char *slug;
    char *live_version; /* NULL when null */
};

struct sb_key {
    char *value;
    size_t app; /* index into sb_data.apps */
    struct sb_scopes scopes;
    enum sb_key_state state;
    bool me_requires_scope;
    char mask[KEYMASK_MAX];
};

struct sb_install {
    size_t app;
    struct sb_scopes scopes;
    bool installed;
};

/* One patient. Given ones keep their JSON object (served as is) and borrow their strings from
 * it; generated ones own one block holding all their strings. Any field may be NULL but id. */
struct sb_patient {
    json_t *raw;
    char *block;
    const char *id, *mrn, *first, *middle, *last, *gender, *dob, *email, *phone;
    const char *created, *updated;
};

/* One record of a resource other than patients: its /v1 JSON object (owned reference; ids in
 * the /v1 form, rendered per version when served) and its identity. */
struct sb_record {
    json_t *obj;
    const char *id; /* borrowed from obj; NULL for resources without ids (stock levels) */
    sb_uid uid;
};

struct sb_rtable {
    struct sb_record *recs;
    size_t n;
};

/* The org's id index entry: identity -> (resource, index in its table or in patients). */
struct sb_idref {
    sb_uid uid;
    resource_id res;
    size_t idx;
};

struct sb_org {
    char *id;
    struct sb_install *installs;
    size_t ninstalls;
    struct sb_patient *patients;
    size_t npatients;
    struct sb_rtable tables[RES_COUNT]; /* tables[RES_PATIENTS] unused: see patients */
    struct sb_idref *ids;               /* sorted by uid */
    size_t nids;
};

struct sb_data {
    struct sb_app *apps;
    size_t napps;
    struct sb_key *keys;
    size_t nkeys;
    struct sb_org *orgs;
    size_t norgs;
};

/* Loads and validates path into *data. On failure returns false and writes one line naming the
 * file, the place and the problem into err. Unknown fields are reported through warn (may be
 * NULL). The caller frees data with sb_data_free. */
bool sb_data_load(const char *path, struct sb_data *data, char *err, size_t errsize,
                  void (*warn)(const char *msg));
void sb_data_free(struct sb_data *data);

/* Fills p with the index-th patient of the generated set for seed (owned block inside p). */
void sb_patient_generate(uint64_t seed, size_t index, struct sb_patient *p);

/* Lookups; NULL when absent. */
struct sb_key *sb_find_key(struct sb_data *data, const char *value);
struct sb_org *sb_find_org(struct sb_data *data, const char *id);
ssize_t sb_find_app(const struct sb_data *data, const char *id);
struct sb_install *sb_find_install(struct sb_org *org, size_t app);

bool sb_scopes_has(const struct sb_scopes *s, const char *scope);
/* Adds scope when missing / removes it when present. */
void sb_scopes_add(struct sb_scopes *s, const char *scope);
void sb_scopes_remove(struct sb_scopes *s, const char *scope);
void sb_scopes_free(struct sb_scopes *s);

/* The patient as a JSON object (new reference). */
json_t *sb_patient_json(const struct sb_patient *p);

/* True when p matches the search text (ASCII case-insensitive substring of first, middle or
 * last name, of "first last", or of the MRN). */
bool sb_patient_matches(const struct sb_patient *p, const char *search);

#endif
