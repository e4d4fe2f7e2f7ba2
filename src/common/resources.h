/* The resource table (resources.def) as plain data: ids, descriptors, columns and links, and
 * lookups by name. Shared by maxdash and maxdash-sandbox; no curses, no JSON here. */
#ifndef MAXDASH_RESOURCES_H
#define MAXDASH_RESOURCES_H

#include <stdbool.h>
#include <stddef.h>

/* Bit of API version n (1..4) in a versions mask. */
#define RV(n) (1u << ((n) - 1))
#define RV_MIN 1
#define RV_MAX 4

typedef enum {
#define RESOURCE(id, ...) RES_##id,
#include "resources.def"
    RES_COUNT,
    RES_NONE = -1
} resource_id;

/* The list filters, one bit each (RF_PAGE, RF_DATE, ...: see resources.def). */
enum {
#define FILTER(id, params) RF_BIT_##id,
#include "resources.def"
    RF_BIT_COUNT
};
enum {
#define FILTER(id, params) RF_##id = 1u << RF_BIT_##id,
#include "resources.def"
};

typedef struct {
    const char *params; /* comma-separated query parameter names, e.g. "dateFrom,dateTo" */
} resource_filter;

typedef struct {
    resource_id id;
    const char *name, *alias, *title;
    unsigned versions;
    const char *scope, *alt_scope, *extra_scope;
    const char *list_path, *list_key;
    unsigned filters, required;
    const char *sort_keys, *date_field, *search_fields;
    const char *detail_path, *detail_key;
    const char *prefix_v1, *prefix_v3;
    resource_id parent;
} resource_desc;

/* How a column's value becomes its cell (COLUMN_AS in resources.def). */
typedef enum {
    CF_TEXT,    /* the value as text */
    CF_NAME,    /* path "last+first+middle": "Last, First M." (the middle name's initial) */
    CF_INITIAL  /* the value's first character ("female" -> "f") */
} resource_format;

typedef struct {
    resource_id resource;
    const char *path, *title;
    int width;
    bool phi;
    resource_format format;
} resource_column;

/* One labelled line of a record's form view (FIELD in resources.def). */
typedef struct {
    resource_id resource;
    const char *path, *label;
    bool phi;
    resource_format format;
} resource_field;

typedef struct {
    resource_id resource;
    const char *path;
    resource_id target;
} resource_link;

/* All resources, indexed by resource_id (RES_COUNT entries); static, never freed. */
extern const resource_desc resource_table[RES_COUNT];

/* The descriptor of id, or NULL for RES_NONE or out of range. */
const resource_desc *resource_get(resource_id id);

/* The resource whose name or alias is exactly name (case-sensitive); NULL when none. */
const resource_desc *resource_by_name(const char *name);

/* True when API version v (1..4) serves r (its versions mask). */
bool resource_in_version(const resource_desc *r, int v);

/* The columns / links of r in table order; *n receives their count (0: none, then the result
 * may be NULL). Static storage, never freed. */
const resource_column *resource_columns(resource_id r, size_t *n);
const resource_link *resource_links(resource_id r, size_t *n);
/* The form lines of r (none: its detail view shows every field of the record). */
const resource_field *resource_fields(resource_id r, size_t *n);

/* r's first link to target (the one the id filters use), or NULL. */
const resource_link *resource_link_to(resource_id r, resource_id target);

/* The query parameter names of filter bit RF_X (e.g. "dateFrom,dateTo"); NULL for a bit that
 * is not exactly one known filter. */
const char *resource_filter_params(unsigned bit);

/* True when the key's scopes satisfy r's scope (scope or alt_scope); has(scope, ctx) answers
 * whether one scope is granted. */
bool resource_scope_granted(const resource_desc *r, bool (*has)(const char *scope, void *ctx),
                            void *ctx);

#endif
