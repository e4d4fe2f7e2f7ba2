/* The shared resource table (src/common/resources.h) gathered per resource for maxdash: its
 * filter bits become parameter names, its COLUMN and LINK runs become arrays. Built once. */
#include "restable.h"

#include <string.h>
#include <strings.h>

#include "resources.h"

_Static_assert((int)RES_TEXT == (int)CF_TEXT && (int)RES_NAME == (int)CF_NAME &&
                   (int)RES_INITIAL == (int)CF_INITIAL,
               "restable.h's formats are resources.h's");

static struct resource table[RES_COUNT];
static char filter_names[RES_COUNT][RES_MAX_FILTERS][32];
static bool built;

/* Adds the parameters of every bit of mask to names[] (at most RES_MAX_FILTERS). */
static size_t add_params(unsigned mask, char names[][32], const char **out, size_t n)
{
    for (unsigned bit = 0; bit < RF_BIT_COUNT; bit++) {
        if (!(mask & (1u << bit)) || (1u << bit) == RF_PAGE)
            continue;
        const char *params = resource_filter_params(1u << bit);
        for (const char *p = params ? params : ""; *p && n < RES_MAX_FILTERS;) {
            size_t k = strcspn(p, ",");
            if (k < 32) {
                memcpy(names[n], p, k);
                names[n][k] = '\0';
                out[n] = names[n];
                n++;
            }
            p += k + (p[k] == ',');
        }
    }
    return n;
}

static void build(void)
{
    if (built)
        return;
    built = true;
    for (int i = 0; i < RES_COUNT; i++) {
        const resource_desc *d = &resource_table[i];
        struct resource *r = &table[i];
        r->name = d->name;
        r->title = d->title;
        r->path = d->list_path;
        r->list_key = d->list_key;
        r->scope = d->scope;
        r->alt_scope = d->alt_scope;
        r->scope2 = d->extra_scope;
        r->versions = d->versions;
        r->detail_path = d->detail_path;
        r->detail_key = d->detail_key;
        r->parent = d->parent;
        r->date_field = d->date_field;
        r->paged = (d->filters & RF_PAGE) != 0;
        r->nfilters = add_params(d->filters, filter_names[i], r->filters, 0);
        r->required = NULL;
        r->required_target = -1;
        size_t ncols, nlinks;
        const resource_column *cols = resource_columns(d->id, &ncols);
        for (size_t c = 0; c < ncols && r->ncols < RES_MAX_COLS; c++)
            r->cols[r->ncols++] = (struct res_column){cols[c].path, cols[c].title, cols[c].width,
                                                      cols[c].phi, (enum res_format)cols[c].format};
        size_t nfields;
        const resource_field *fields = resource_fields(d->id, &nfields);
        for (size_t f = 0; f < nfields && r->nfields < RES_MAX_FIELDS; f++)
            r->fields[r->nfields++] = (struct res_field){fields[f].path, fields[f].label,
                                                         fields[f].phi,
                                                         (enum res_format)fields[f].format};
        const resource_link *links = resource_links(d->id, &nlinks);
        for (size_t l = 0; l < nlinks && r->nlinks < RES_MAX_LINKS; l++)
            r->links[r->nlinks++] = (struct res_link){links[l].path, (int)links[l].target};
        if (d->required) {
            const char *names[RES_MAX_FILTERS];
            char buf[RES_MAX_FILTERS][32];
            if (add_params(d->required, buf, names, 0) > 0) {
                /* The same parameter name among the filters: a static string. */
                for (size_t f = 0; f < r->nfilters; f++)
                    if (strcmp(r->filters[f], names[0]) == 0)
                        r->required = r->filters[f];
                /* Which resource's id it takes: the link of that very path. */
                for (size_t l = 0; r->required && l < r->nlinks; l++)
                    if (strcmp(r->links[l].path, r->required) == 0)
                        r->required_target = r->links[l].target;
            }
        }
    }
}

const struct resource *res_at(int i)
{
    build();
    return i >= 0 && i < RES_COUNT ? &table[i] : NULL;
}

int res_count(void)
{
    return RES_COUNT;
}

int res_patients(void)
{
    return RES_PATIENTS;
}

int res_find(const char *name)
{
    build();
    if (!name || !*name)
        return -1;
    int found = -1;
    size_t n = strlen(name);
    for (int i = 0; i < RES_COUNT; i++) {
        const char *alias = resource_table[i].alias;
        if (strcasecmp(table[i].name, name) == 0 || (alias && strcasecmp(alias, name) == 0))
            return i;
        if (strncasecmp(table[i].name, name, n) == 0)
            found = found == -1 ? i : -2;
    }
    return found >= 0 ? found : -1;
}

bool res_has_filter(const struct resource *res, const char *name)
{
    for (size_t i = 0; i < res->nfilters; i++)
        if (strcmp(res->filters[i], name) == 0)
            return true;
    return false;
}

int res_version_of(const char *base_url)
{
    if (!base_url)
        return 0;
    size_t n = strlen(base_url);
    while (n > 0 && base_url[n - 1] == '/')
        n--;
    if (n >= 3 && base_url[n - 3] == '/' && base_url[n - 2] == 'v' && base_url[n - 1] >= '1' &&
        base_url[n - 1] <= '4')
        return base_url[n - 1] - '0';
    return 0;
}

bool res_in_version(const struct resource *res, int v)
{
    return v < RV_MIN || v > RV_MAX || (res->versions & RV(v));
}

size_t res_scopes(const char **out, size_t max)
{
    build();
    size_t n = 0;
    for (int i = 0; i < RES_COUNT; i++) {
        const char *s[2] = {table[i].scope, table[i].scope2};
        for (int k = 0; k < 2; k++) {
            if (!s[k])
                continue;
            bool seen = false;
            for (size_t j = 0; j < n && !seen; j++)
                seen = strcmp(out[j], s[k]) == 0;
            if (!seen && n < max)
                out[n++] = s[k];
        }
    }
    return n;
}
