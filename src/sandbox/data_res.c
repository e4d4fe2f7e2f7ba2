/* Loading, indexing and rendering the records of every resource but patients (data_res.h). */
#include "data_res.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* --- the table of records --------------------------------------------------------------- */

void sb_res_append(struct sb_org *org, resource_id r, json_t *obj)
{
    struct sb_rtable *t = &org->tables[r];
    t->recs = xrealloc(t->recs, (t->n + 1) * sizeof *t->recs);
    struct sb_record *rec = &t->recs[t->n++];
    rec->obj = obj;
    json_t *id = json_object_get(obj, "id");
    rec->id = resource_table[r].prefix_v1 && json_is_string(id) ? json_string_value(id) : NULL;
    rec->uid = rec->id ? sb_id_uid(rec->id) : (sb_uid){0, 0};
}

void sb_res_free_org(struct sb_org *org)
{
    for (int r = 0; r < RES_COUNT; r++) {
        for (size_t i = 0; i < org->tables[r].n; i++)
            json_decref(org->tables[r].recs[i].obj);
        free(org->tables[r].recs);
        org->tables[r].recs = NULL;
        org->tables[r].n = 0;
    }
    free(org->ids);
    org->ids = NULL;
    org->nids = 0;
}

const char *sb_res_v1_id(const struct sb_org *org, resource_id r, size_t idx)
{
    if (r == RES_PATIENTS)
        return org->patients[idx].id;
    return org->tables[r].recs[idx].id;
}

json_t *sb_res_record_json(const struct sb_org *org, resource_id r, size_t idx)
{
    if (r == RES_PATIENTS)
        return sb_patient_json(&org->patients[idx]);
    return json_incref(org->tables[r].recs[idx].obj);
}

/* --- the id index ----------------------------------------------------------------------- */

static int uid_cmp(sb_uid a, sb_uid b)
{
    if (a.hi != b.hi)
        return a.hi < b.hi ? -1 : 1;
    if (a.lo != b.lo)
        return a.lo < b.lo ? -1 : 1;
    return 0;
}

static int idref_cmp(const void *a, const void *b)
{
    return uid_cmp(((const struct sb_idref *)a)->uid, ((const struct sb_idref *)b)->uid);
}

const struct sb_idref *sb_res_find(const struct sb_org *org, sb_uid uid)
{
    size_t lo = 0, hi = org->nids;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = uid_cmp(org->ids[mid].uid, uid);
        if (c == 0)
            return &org->ids[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Adds the ids of r to the index and sorts it; false with msg on a repeated identity. */
static bool index_add(struct sb_org *org, resource_id r, const char *where, char *msg,
                      size_t msgsize)
{
    size_t n = r == RES_PATIENTS ? org->npatients : org->tables[r].n;
    if (!resource_table[r].prefix_v1 || n == 0)
        return true;
    org->ids = xrealloc(org->ids, (org->nids + n) * sizeof *org->ids);
    for (size_t i = 0; i < n; i++) {
        const char *id = sb_res_v1_id(org, r, i);
        org->ids[org->nids + i] = (struct sb_idref){sb_id_uid(id), r, i};
    }
    org->nids += n;
    qsort(org->ids, org->nids, sizeof *org->ids, idref_cmp);
    for (size_t i = 1; i < org->nids; i++) {
        if (uid_cmp(org->ids[i - 1].uid, org->ids[i].uid) == 0) {
            const struct sb_idref *a = &org->ids[i - 1], *b = &org->ids[i];
            bprintf(msg, msgsize, "%s.%s: id '%s' is the same record as %s id '%s' in every "
                    "version (ids must be unique in an org)", where, resource_table[b->res].name,
                    sb_res_v1_id(org, b->res, b->idx), resource_table[a->res].name,
                    sb_res_v1_id(org, a->res, a->idx));
            return false;
        }
    }
    return true;
}

/* --- field paths ------------------------------------------------------------------------ */

static bool walk(json_t *v, const char *path, size_t len, bool (*fn)(json_t *, void *),
                 void *ctx, bool *any)
{
    if (!v || json_is_null(v))
        return false;
    if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
            if (walk(e, path, len, fn, ctx, any))
                return true;
        return false;
    }
    if (len == 0) {
        *any = true;
        return fn(v, ctx);
    }
    if (!json_is_object(v))
        return false;
    const char *dot = memchr(path, '.', len);
    size_t step = dot ? (size_t)(dot - path) : len;
    char key[64];
    if (step >= sizeof key)
        return false;
    memcpy(key, path, step);
    key[step] = '\0';
    json_t *next = json_object_get(v, key);
    return dot ? walk(next, dot + 1, len - step - 1, fn, ctx, any)
               : walk(next, path + len, 0, fn, ctx, any);
}

bool sb_path_any(json_t *obj, const char *path, bool (*fn)(json_t *v, void *ctx), void *ctx)
{
    while (path && *path) {
        const char *bar = strchr(path, '|');
        size_t len = bar ? (size_t)(bar - path) : strlen(path);
        bool any = false;
        if (walk(obj, path, len, fn, ctx, &any))
            return true;
        if (any || !bar)
            return false;
        path = bar + 1;
    }
    return false;
}

/* --- rendering per version -------------------------------------------------------------- */

/* The resource an id belongs to: by its /v1 prefix, else (a UUID) by the index. */
static const resource_desc *owner_of(const struct sb_org *org, const char *id)
{
    const char *us = strchr(id, '_');
    if (us) {
        for (int r = 0; r < RES_COUNT; r++) {
            const char *p = resource_table[r].prefix_v1;
            if (p && strlen(p) == (size_t)(us - id) && strncmp(id, p, (size_t)(us - id)) == 0)
                return sb_id_v1_valid(p, id) ? &resource_table[r] : NULL;
        }
        return NULL;
    }
    if (strlen(id) != 36)
        return NULL;
    const struct sb_idref *ref = sb_res_find(org, sb_id_uid(id));
    return ref ? &resource_table[ref->res] : NULL;
}

static json_t *render_id(const struct sb_org *org, int v, json_t *s)
{
    const resource_desc *r = owner_of(org, json_string_value(s));
    if (!r)
        return json_incref(s);
    char out[SB_ID_MAX];
    sb_id_render(r, v, json_string_value(s), out);
    return json_string(out);
}

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && strcmp(s + n - t, tail) == 0;
}

static void rewrite(const struct sb_org *org, int v, json_t *node)
{
    if (json_is_array(node)) {
        size_t i;
        json_t *e;
        json_array_foreach(node, i, e)
            rewrite(org, v, e);
        return;
    }
    if (!json_is_object(node))
        return;
    const char *key;
    json_t *val;
    void *tmp;
    json_object_foreach_safe(node, tmp, key, val) {
        if (json_is_string(val) && (strcmp(key, "id") == 0 || ends_with(key, "Id"))) {
            json_object_set_new(node, key, render_id(org, v, val));
        } else if (json_is_array(val) && ends_with(key, "Ids")) {
            size_t i;
            json_t *e;
            json_array_foreach(val, i, e)
                if (json_is_string(e))
                    json_array_set_new(val, i, render_id(org, v, e));
        } else {
            rewrite(org, v, val);
        }
    }
}

json_t *sb_res_render(const struct sb_org *org, int v, json_t *obj, bool keep_soap)
{
    bool strip = !keep_soap && json_object_get(obj, "soapNote");
    if (v <= 1 && !strip)
        return json_incref(obj);
    json_t *copy = json_deep_copy(obj);
    if (strip)
        json_object_del(copy, "soapNote");
    if (v > 1)
        rewrite(org, v, copy);
    return copy;
}

/* --- loading ---------------------------------------------------------------------------- */

const char *const *sb_res_member_names(void)
{
    static const char *names[RES_COUNT + 1];
    for (int r = 0; r < RES_COUNT; r++)
        names[r] = resource_table[r].name;
    names[RES_COUNT] = NULL;
    return names;
}

struct link_check {
    const struct sb_org *org;
    resource_id target;
    const char *bad; /* the first value that names no record of target */
};

static bool link_broken(json_t *v, void *ctx)
{
    struct link_check *lc = ctx;
    const char *id = json_string_value(v);
    const resource_desc *t = &resource_table[lc->target];
    const struct sb_idref *ref = id && sb_id_v1_valid(t->prefix_v1, id)
                                     ? sb_res_find(lc->org, sb_id_uid(id)) : NULL;
    if (ref && ref->res == lc->target && strcmp(sb_res_v1_id(lc->org, ref->res, ref->idx), id) == 0)
        return false;
    lc->bad = id ? id : "(not a string)";
    return true;
}

/* Validates record i of r as given in the data file. */
static bool check_record(struct sb_org *org, resource_id r, size_t i, const char *at, char *msg,
                         size_t msgsize)
{
    const resource_desc *d = &resource_table[r];
    json_t *obj = org->tables[r].recs[i].obj;
    if (d->prefix_v1) {
        json_t *id = json_object_get(obj, "id");
        if (!json_is_string(id)) {
            bprintf(msg, msgsize, "%s.id: missing (a string is required)", at);
            return false;
        }
        if (!sb_id_v1_valid(d->prefix_v1, json_string_value(id))) {
            bprintf(msg, msgsize, "%s.id: '%.80s' is malformed: GET /v1%s would answer 400 "
                    "('%s_' + 10..64 letters or digits, or a dashed UUID)", at,
                    json_string_value(id), d->detail_path ? d->detail_path : d->list_path,
                    d->prefix_v1);
            return false;
        }
    }
    size_t nl;
    const resource_link *l = resource_links(r, &nl);
    for (size_t k = 0; k < nl; k++) {
        struct link_check lc = {org, l[k].target, NULL};
        if (sb_path_any(obj, l[k].path, link_broken, &lc)) {
            bprintf(msg, msgsize, "%s: %s '%.80s' is not one of this org's %s", at, l[k].path,
                    lc.bad, resource_table[l[k].target].name);
            return false;
        }
    }
    return true;
}

static bool load_member(json_t *o, const char *where, struct sb_org *org, resource_id r,
                        long today, char *msg, size_t msgsize)
{
    const resource_desc *d = &resource_table[r];
    json_t *v = json_object_get(o, d->name);
    char at[160];
    bprintf(at, sizeof at, "%s.%s", where, d->name);
    if (!v || json_is_null(v))
        return index_add(org, r, where, msg, msgsize);
    if (json_is_array(v)) {
        size_t i;
        json_t *rec;
        json_array_foreach(v, i, rec) {
            char rat[192];
            bprintf(rat, sizeof rat, "%s[%zu]", at, i);
            if (!json_is_object(rec)) {
                bprintf(msg, msgsize, "%s: must be an object", rat);
                return false;
            }
            sb_res_append(org, r, json_incref(rec));
            if (!check_record(org, r, i, rat, msg, msgsize))
                return false;
        }
        return index_add(org, r, where, msg, msgsize);
    }
    json_t *gen = json_object_get(v, "generate"), *seed = json_object_get(v, "seed");
    json_t *hostile = json_object_get(v, "hostile");
    if (!json_is_object(v) || !json_is_integer(gen) || json_integer_value(gen) < 0 ||
        json_integer_value(gen) > 100000 || (seed && !json_is_integer(seed)) ||
        (hostile && (!json_is_integer(hostile) || json_integer_value(hostile) < 0 ||
                     json_integer_value(hostile) > 100))) {
        bprintf(msg, msgsize, "%s: must be an array of records or {\"generate\": N (0..100000), "
                "\"seed\": S, \"hostile\": PERCENT (0..100)}", at);
        return false;
    }
    if (!sb_res_generate(org, r, (size_t)json_integer_value(gen),
                         seed ? (uint64_t)json_integer_value(seed) : 0,
                         hostile ? (unsigned)json_integer_value(hostile) : 5, today, msg,
                         msgsize)) {
        char inner[256];
        bprintf(inner, sizeof inner, "%s", msg);
        bprintf(msg, msgsize, "%s: %s", at, inner);
        return false;
    }
    return index_add(org, r, where, msg, msgsize);
}

bool sb_res_load_org(json_t *o, const char *where, struct sb_org *org, long today, char *msg,
                     size_t msgsize)
{
    if (!index_add(org, RES_PATIENTS, where, msg, msgsize))
        return false;
    /* Load in link order: a resource after every resource it links to. */
    bool done[RES_COUNT] = {[RES_PATIENTS] = true};
    for (int pass = 0; pass < RES_COUNT; pass++) {
        for (int r = 0; r < RES_COUNT; r++) {
            if (done[r])
                continue;
            size_t nl;
            const resource_link *l = resource_links((resource_id)r, &nl);
            bool ready = true;
            for (size_t k = 0; k < nl; k++)
                ready = ready && (l[k].target == r || done[l[k].target]);
            if (!ready)
                continue;
            if (!load_member(o, where, org, (resource_id)r, today, msg, msgsize))
                return false;
            done[r] = true;
        }
    }
    return true;
}
