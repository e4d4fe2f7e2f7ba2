/* The clinic resources as maxdash's browser, parser and `check --scopes` use them: the shared
 * table (src/common/resources.h, the same list the sandbox serves) gathered per resource into
 * one struct with its filters' parameter names, columns and links. No I/O. Indices are the
 * table's resource_id values. */
#ifndef MAXDASH_RESTABLE_H
#define MAXDASH_RESTABLE_H

#include <stdbool.h>
#include <stddef.h>

#define RES_MAX_COLS 12
#define RES_MAX_LINKS 6
#define RES_MAX_FILTERS 12
#define RES_MAX_FIELDS 24

/* How a value becomes text on screen: RES_TEXT as is, RES_NAME "Last, First M." from a path
 * "last+first+middle", RES_INITIAL its first character (resources.def, COLUMN_AS). */
enum res_format { RES_TEXT, RES_NAME, RES_INITIAL };

/* One column of a resource's table. path is a dotted field path ("patient.lastName");
 * alternatives for the other generations' shapes are separated by '|'
 * ("patient.lastName|patientLastName": the first one present wins). */
struct res_column {
    const char *path;
    const char *title;
    int width;  /* columns on screen; the last column takes what is left */
    bool phi;   /* patient data: masked in privacy mode */
    enum res_format format;
};

/* One labelled line of a record's form view (resources.def, FIELD). */
struct res_field {
    const char *path;  /* as res_column.path */
    const char *label; /* "First name" */
    bool phi;
    enum res_format format;
};

/* A field that holds the id of a record of another resource (an appointment's patient). */
struct res_link {
    const char *path;   /* as res_column.path: "patient.id|patientId" */
    int target;         /* index into the table */
};

struct resource {
    const char *name;        /* "appointments": what `:NAME` takes */
    const char *title;       /* "Appointments" */
    const char *path;        /* list path under base_url: "/appointments",
                                "/inventory/changes/{id}/products" (a parent id) */
    const char *list_key;    /* data.<list_key> holds the list */
    const char *scope;       /* "read:appointments" */
    const char *alt_scope;   /* a scope that grants the same (legacy), or NULL */
    const char *scope2;      /* a second scope some of its content needs, or NULL */
    unsigned versions;       /* bit n: served under /vN (n = 1..4) */
    const char *detail_path; /* "/appointments/{id}", or NULL when it has no detail */
    const char *detail_key;  /* NULL: the detail is `data`; else `data.<detail_key>` */
    int parent;              /* the resource whose id fills "{id}" of path, or -1 */
    const char *filters[RES_MAX_FILTERS]; /* query parameters it takes besides page/pageSize */
    size_t nfilters;
    bool paged;              /* takes page/pageSize */
    const char *required;    /* a filter the list cannot do without ("facilityId"), or NULL */
    int required_target;     /* the resource whose id that filter takes, or -1 */
    const char *date_field;  /* what dateFrom/dateTo filter on, or NULL */
    struct res_column cols[RES_MAX_COLS];
    size_t ncols;
    struct res_link links[RES_MAX_LINKS];
    size_t nlinks;
    struct res_field fields[RES_MAX_FIELDS]; /* its form view's lines; none: the record view */
    size_t nfields;
};

/* The table, in the order of resources.def; res_count() entries. Static. */
const struct resource *res_at(int i);
int res_count(void);

/* The index of the resource named name or aliased so (exact, case-insensitive), else of the
 * only one whose name starts with name; -1 when none or several. */
int res_find(const char *name);

/* The index of patients (the resource the Patients pane always showed). */
int res_patients(void);

/* Whether res takes query parameter name as a filter. */
bool res_has_filter(const struct resource *res, const char *name);

/* The API version of a base URL ("https://api.maxcare.ai/v4" → 4), 0 when its path does not
 * end in /v1../v4. */
int res_version_of(const char *base_url);

/* Whether version v (1..4; 0 unknown: yes) serves res. */
bool res_in_version(const struct resource *res, int v);

/* Every distinct scope of the table, in table order, into out (at most max); returns how
 * many. Static strings. */
size_t res_scopes(const char **out, size_t max);

#endif
