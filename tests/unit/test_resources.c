#include "testing.h"
#include <string.h>

#include "resources.h"

/* The resource table is data both programs trust: these checks catch an entry that the
 * generic code would misread (a broken path, an unknown link target, interleaved columns). */

START_TEST(names_are_unique_and_found)
{
    for (int i = 0; i < RES_COUNT; i++) {
        const resource_desc *r = &resource_table[i];
        ck_assert_int_eq(r->id, i);
        ck_assert_ptr_eq(resource_by_name(r->name), r);
        if (r->alias)
            ck_assert_ptr_eq(resource_by_name(r->alias), r);
        for (int j = 0; j < i; j++)
            ck_assert_str_ne(resource_table[j].name, r->name);
    }
    ck_assert_ptr_null(resource_by_name("pods"));
    ck_assert_ptr_null(resource_by_name(NULL));
    ck_assert_ptr_eq(resource_by_name("inventory-changes"), resource_get(RES_CHANGES));
    ck_assert_ptr_null(resource_get(RES_NONE));
    ck_assert_ptr_null(resource_get(RES_COUNT));
}
END_TEST

START_TEST(paths_keys_and_versions_are_well_formed)
{
    for (int i = 0; i < RES_COUNT; i++) {
        const resource_desc *r = &resource_table[i];
        ck_assert_msg(r->list_path[0] == '/', "%s: list path", r->name);
        ck_assert_msg((strstr(r->list_path, "{id}") != NULL) == (r->parent != RES_NONE),
                      "%s: {id} in the list path iff a child resource", r->name);
        ck_assert_msg(!r->detail_path || strstr(r->detail_path, "{id}"), "%s: detail", r->name);
        ck_assert_msg(r->list_key && *r->list_key, "%s: list key", r->name);
        ck_assert_msg(r->versions != 0 && (r->versions & ~0xFu) == 0, "%s: versions", r->name);
        ck_assert_msg((r->required & ~r->filters) == 0, "%s: required not a filter", r->name);
        ck_assert_msg((r->sort_keys != NULL) == ((r->filters & RF_SORT) != 0), "%s: sort", r->name);
        ck_assert_msg(strncmp(r->scope, "read:", 5) == 0, "%s: scope", r->name);
        ck_assert_msg((r->extra_scope != NULL) == ((r->filters & RF_SOAP) != 0), "%s", r->name);
        ck_assert_msg(!r->detail_path || (r->prefix_v1 && r->prefix_v3), "%s: ids", r->name);
        ck_assert_msg((r->date_field != NULL) == ((r->filters & RF_DATE) != 0), "%s", r->name);
        ck_assert_msg((r->search_fields != NULL) == ((r->filters & RF_SEARCH) != 0), "%s",
                      r->name);
        /* the id filters work through links: each needs a link to its resource */
        static const struct { unsigned bit; resource_id target; } by_link[] = {
            {RF_FACILITY, RES_FACILITIES}, {RF_PROVIDER, RES_PROVIDERS},
            {RF_PATIENT, RES_PATIENTS}, {RF_NOTE, RES_NOTES}};
        for (size_t k = 0; k < sizeof by_link / sizeof by_link[0]; k++)
            ck_assert_msg(!(r->filters & by_link[k].bit) ||
                          resource_link_to(r->id, by_link[k].target),
                          "%s: filter without a link", r->name);
        ck_assert_msg(r->parent == RES_NONE || resource_link_to(r->id, r->parent),
                      "%s: no link to its parent", r->name);
    }
    ck_assert(resource_in_version(resource_get(RES_NOTES), 2));
    ck_assert(!resource_in_version(resource_get(RES_NOTES), 1));
    ck_assert(!resource_in_version(resource_get(RES_PATIENTS), 5));
    ck_assert(!resource_in_version(resource_get(RES_PATIENTS), 0));
}
END_TEST

START_TEST(columns_and_links_are_contiguous_and_resolve)
{
    size_t total = 0;
    for (int i = 0; i < RES_COUNT; i++) {
        size_t n, nl;
        const resource_column *c = resource_columns((resource_id)i, &n);
        ck_assert_msg(n > 0, "%s has no columns", resource_table[i].name);
        for (size_t k = 0; k < n; k++) {
            ck_assert_int_eq(c[k].resource, i); /* a run broken by another resource's column */
            ck_assert(c[k].width >= 0 && c[k].path[0] && c[k].title[0]);
        }
        total += n;
        const resource_link *l = resource_links((resource_id)i, &nl);
        for (size_t k = 0; k < nl; k++) {
            ck_assert_int_eq(l[k].resource, i);
            const resource_desc *t = resource_get(l[k].target);
            ck_assert_msg(t && t->detail_path, "%s link %s: target has no detail",
                          resource_table[i].name, l[k].path);
        }
    }
    ck_assert_uint_gt(total, (size_t)RES_COUNT * 4);
    size_t n;
    const resource_column *c = resource_columns(RES_APPOINTMENTS, &n);
    bool phi = false;
    for (size_t k = 0; k < n; k++)
        phi |= strstr(c[k].path, "patient.lastName") && c[k].phi;
    ck_assert(phi);
}
END_TEST

static bool has_scope(const char *scope, void *ctx)
{
    return strcmp(scope, (const char *)ctx) == 0;
}

START_TEST(filters_and_scopes)
{
    ck_assert_str_eq(resource_filter_params(RF_DATE), "dateFrom,dateTo");
    ck_assert_str_eq(resource_filter_params(RF_FACILITY), "facilityId");
    ck_assert_ptr_null(resource_filter_params(RF_DATE | RF_PAGE));
    ck_assert_ptr_null(resource_filter_params(0));
    const resource_desc *bills = resource_get(RES_BILLS);
    ck_assert(resource_scope_granted(bills, has_scope, "read:encounters"));
    ck_assert(resource_scope_granted(bills, has_scope, "read:bills"));
    ck_assert(!resource_scope_granted(bills, has_scope, "read:claims"));
    ck_assert(!resource_scope_granted(resource_get(RES_NOTES), has_scope, "read:soap_notes"));
}
END_TEST

SUITE(resources)
{
    Suite *s = suite_create("resources");
    TCase *tc = tcase_create("resources");
    tcase_add_test(tc, names_are_unique_and_found);
    tcase_add_test(tc, paths_keys_and_versions_are_well_formed);
    tcase_add_test(tc, columns_and_links_are_contiguous_and_resolve);
    tcase_add_test(tc, filters_and_scopes);
    suite_add_tcase(s, tc);
    return s;
}
