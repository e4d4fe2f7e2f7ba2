/* The resource table compiled from resources.def, and its lookups. */
#include "resources.h"

#include <string.h>

const resource_desc resource_table[RES_COUNT] = {
#define RESOURCE(id_, name_, alias_, title_, versions_, scope_, alt_, extra_, lpath_, lkey_,  \
                 filters_, required_, sort_, date_, search_, dpath_, dkey_, p1_, p3_, parent_) \
    [RES_##id_] = {.id = RES_##id_, .name = name_, .alias = alias_, .title = title_,        \
                   .versions = versions_, .scope = scope_, .alt_scope = alt_,               \
                   .extra_scope = extra_, .list_path = lpath_, .list_key = lkey_,           \
                   .filters = filters_, .required = required_, .sort_keys = sort_,          \
                   .date_field = date_, .search_fields = search_,                           \
                   .detail_path = dpath_, .detail_key = dkey_, .prefix_v1 = p1_,            \
                   .prefix_v3 = p3_, .parent = RES_##parent_},
#include "resources.def"
};

static const resource_column columns[] = {
#define COLUMN(res, path_, title_, width_, phi_) \
    {.resource = RES_##res, .path = path_, .title = title_, .width = width_, .phi = phi_},
#define COLUMN_AS(res, path_, title_, width_, phi_, format_) \
    {.resource = RES_##res, .path = path_, .title = title_, .width = width_, .phi = phi_, \
     .format = CF_##format_},
#include "resources.def"
};

static const resource_field fields[] = {
#define FIELD(res, path_, label_, phi_, format_) \
    {.resource = RES_##res, .path = path_, .label = label_, .phi = phi_, .format = CF_##format_},
#include "resources.def"
};

static const resource_link links[] = {
#define LINK(res, path_, target_) {.resource = RES_##res, .path = path_, .target = RES_##target_},
#include "resources.def"
};

static const char *const filter_params[RF_BIT_COUNT] = {
#define FILTER(id, params) [RF_BIT_##id] = params,
#include "resources.def"
};

const resource_desc *resource_get(resource_id id)
{
    if (id < 0 || id >= RES_COUNT)
        return NULL;
    return &resource_table[id];
}

const resource_desc *resource_by_name(const char *name)
{
    if (!name)
        return NULL;
    for (int i = 0; i < RES_COUNT; i++) {
        const resource_desc *r = &resource_table[i];
        if (strcmp(r->name, name) == 0 || (r->alias && strcmp(r->alias, name) == 0))
            return r;
    }
    return NULL;
}

bool resource_in_version(const resource_desc *r, int v)
{
    return r && v >= RV_MIN && v <= RV_MAX && (r->versions & RV(v));
}

/* Entries of one resource are contiguous in the .def file, so a run is found by one scan. */
#define FIND_RUN(array, r, n)                                                                 \
    do {                                                                                      \
        size_t first_ = 0, count_ = 0;                                                        \
        for (size_t i_ = 0; i_ < sizeof(array) / sizeof((array)[0]); i_++) {                  \
            if ((array)[i_].resource != (r))                                                  \
                continue;                                                                     \
            if (count_ == 0)                                                                  \
                first_ = i_;                                                                  \
            count_++;                                                                         \
        }                                                                                     \
        *(n) = count_;                                                                        \
        return count_ ? &(array)[first_] : NULL;                                              \
    } while (0)

const resource_column *resource_columns(resource_id r, size_t *n)
{
    FIND_RUN(columns, r, n);
}

const resource_link *resource_links(resource_id r, size_t *n)
{
    FIND_RUN(links, r, n);
}

const resource_field *resource_fields(resource_id r, size_t *n)
{
    FIND_RUN(fields, r, n);
}

const char *resource_filter_params(unsigned bit)
{
    for (int i = 0; i < RF_BIT_COUNT; i++)
        if (bit == (1u << i))
            return filter_params[i];
    return NULL;
}

const resource_link *resource_link_to(resource_id r, resource_id target)
{
    size_t n;
    const resource_link *l = resource_links(r, &n);
    for (size_t i = 0; i < n; i++)
        if (l[i].target == target)
            return &l[i];
    return NULL;
}

bool resource_scope_granted(const resource_desc *r, bool (*has)(const char *scope, void *ctx),
                            void *ctx)
{
    if (!r || !has)
        return false;
    return has(r->scope, ctx) || (r->alt_scope && has(r->alt_scope, ctx));
}
