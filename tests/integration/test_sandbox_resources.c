/* maxdash-sandbox serves every resource of src/common/resources.def under /v1../v4 (issue 16):
 * versions (404 where absent), scopes (403), pagination, each filter and its 400s, required
 * filters, ids in each version's form, the same record under every version, links. */
#include "testing.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resources.h"
#include "sandbox_proc.h"

#define K_ALL    "max_dev_ak_RESall0000000000001"  /* every read scope */
#define K_LEGACY "max_dev_ak_RESlegacy000000002"   /* read:encounters only */
#define K_NOSOAP "max_dev_ak_RESnosoap000000003"   /* read:notes without read:soap_notes */

#define ALL_SCOPES "\"read:patients\", \"read:appointments\", \"read:providers\", " \
    "\"read:facilities\", \"read:bills\", \"read:claims\", \"read:notes\", \"read:soap_notes\", " \
    "\"read:tasks\", \"read:inventory\", \"read:products\""

#define FAC_A  "fac_01J5K8N2XRQV3M7YGWT4HB6E9C"
#define FAC_B  "fac_01J5K8N2XRQV3M7YGWT4HB6E9D"
#define PRV_A  "prov_01J5K8N2XRQV3M7YGWT4HB6E9C"
#define PRV_H  "prov_01J5K8N2XRQV3M7YGWT4HB6E9D"
#define PAT_S  "pat_01J5K8N2XRQV3M7YGWT4HB6E9C"
#define PAT_U  "c56103bc-d39c-46d3-9f31-38dd2b5e05f6"
#define APT_1  "appt_01J5K8N2XRQV3M7YGWT4HB6E9C"
#define CHG_A  "chg_01J5K8N2XRQV3M7YGWT4HB6E9C"

static const char data[] =
    "{\"apps\": [{\"id\": \"app_r\"}],"
    " \"keys\": [{\"value\": \"" K_ALL "\", \"app\": \"app_r\", \"scopes\": [" ALL_SCOPES "]},"
    "          {\"value\": \"" K_LEGACY "\", \"app\": \"app_r\", \"scopes\": [\"read:encounters\"]},"
    "          {\"value\": \"" K_NOSOAP "\", \"app\": \"app_r\", \"scopes\": [\"read:notes\"]}],"
    " \"orgs\": [{\"id\": \"org_r\", \"installs\": [{\"app\": \"app_r\", \"scopes\": [" ALL_SCOPES
    ", \"read:encounters\"]}],"
    "  \"patients\": [{\"id\": \"" PAT_S "\", \"firstName\": \"Sarah\", \"lastName\": \"Johnson\"},"
    "               {\"id\": \"" PAT_U "\", \"firstName\": \"Ana\", \"lastName\": null}],"
    "  \"facilities\": [{\"id\": \"" FAC_A "\", \"name\": \"West LA Dermatology\", \"isVisible\": true},"
    "                 {\"id\": \"" FAC_B "\", \"name\": \"Hidden Annex\", \"isVisible\": false}],"
    "  \"providers\": [{\"id\": \"" PRV_A "\", \"firstName\": \"James\", \"lastName\": \"Wilson\","
    "                   \"hidden\": false},"
    "                {\"id\": \"" PRV_H "\", \"firstName\": \"Hidden\", \"lastName\": \"Doc\","
    "                 \"hidden\": true}],"
    "  \"appointments\": ["
    "   {\"id\": \"" APT_1 "\", \"scheduledStartDate\": \"2025-01-20T09:00:00.000Z\","
    "    \"status\": \"confirmed\", \"facilityId\": \"" FAC_A "\","
    "    \"patient\": {\"id\": \"" PAT_S "\", \"lastName\": \"Johnson\"},"
    "    \"provider\": {\"id\": \"" PRV_A "\"}},"
    "   {\"id\": \"appt_01J5K8N2XRQV3M7YGWT4HB6E9D\", \"scheduledStartDate\": \"2025-01-22T10:00:00.000Z\","
    "    \"status\": \"cancelled\", \"facilityId\": \"" FAC_B "\","
    "    \"patient\": {\"id\": \"" PAT_U "\"}, \"provider\": null},"
    "   {\"id\": \"appt_01J5K8N2XRQV3M7YGWT4HB6E9E\", \"scheduledStartDate\": \"2025-01-21T23:30:00.000Z\","
    "    \"status\": \"confirmed\", \"facilityId\": \"" FAC_A "\","
    "    \"patient\": {\"id\": \"" PAT_S "\"}, \"provider\": {\"id\": \"" PRV_H "\"}}],"
    "  \"products\": {\"generate\": 5, \"seed\": 3},"
    "  \"changes\": [{\"id\": \"" CHG_A "\", \"facilityId\": \"" FAC_A "\", \"status\": \"closed\"},"
    "              {\"id\": \"chg_01J5K8N2XRQV3M7YGWT4HB6E9D\", \"facilityId\": \"" FAC_B "\","
    "               \"status\": \"open\"}],"
    "  \"change-products\": {\"generate\": 6, \"seed\": 3},"
    "  \"stock-levels\": {\"generate\": 10, \"seed\": 3},"
    "  \"bills\": {\"generate\": 7, \"seed\": 3}, \"claims\": {\"generate\": 5, \"seed\": 3},"
    "  \"notes\": {\"generate\": 4, \"seed\": 3}, \"tasks\": {\"generate\": 6, \"seed\": 3}}]}";

/* GET /vN<path> as K_ALL (or key) on org_r. */
static void get(const struct sandbox *sb, int v, const char *path, const char *key,
                struct http_resp *r)
{
    char rel[512], url[700];
    snprintf(rel, sizeof rel, "/v%d%s", v, path);
    sandbox_root(sb, rel, url, sizeof url);
    http_get(url, key ? key : K_ALL, "org_r", r);
}

/* The JSON of a 200 success answer (decref it); fails the test otherwise. */
static json_t *get_ok(const struct sandbox *sb, int v, const char *path)
{
    struct http_resp r;
    get(sb, v, path, NULL, &r);
    json_t *root;
    const char *why = sbt_check_ok(&r, &root);
    ck_assert_msg(why == NULL, "GET /v%d%s: %s", v, path, why);
    http_resp_free(&r);
    return root;
}

static json_t *get_ok_key(const struct sandbox *sb, int v, const char *path, const char *key)
{
    struct http_resp r;
    get(sb, v, path, key, &r);
    json_t *root;
    const char *why = sbt_check_ok(&r, &root);
    ck_assert_msg(why == NULL, "GET /v%d%s: %s", v, path, why);
    http_resp_free(&r);
    return root;
}

static void expect_error(const struct sandbox *sb, int v, const char *path, const char *key,
                         long status, const char *code, const char *message)
{
    struct http_resp r;
    get(sb, v, path, key, &r);
    const char *why = sbt_check_error(&r, status, code, message);
    ck_assert_msg(why == NULL, "GET /v%d%s: %s", v, path, why);
    http_resp_free(&r);
}

static bool lower_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
            return false;
    return true;
}

static bool is_uuid(const char *s)
{
    if (strlen(s) != 36)
        return false;
    for (size_t i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !lower_hex(s + i, 1))
            return false;
    }
    return true;
}

/* Whether id has version v's documented form for r (assets/sandbox/README.md). */
static bool id_form_ok(const resource_desc *r, int v, const char *id)
{
    if (!id)
        return false;
    if (v == 2)
        return is_uuid(id);
    const char *prefix = v == 1 ? r->prefix_v1 : r->prefix_v3;
    size_t n = strlen(prefix);
    if (strncmp(id, prefix, n) != 0 || id[n] != '_')
        return v == 1 && strlen(id) == 36; /* /v1 also shows data-file UUIDs as given */
    const char *tail = id + n + 1;
    if (v == 1) {
        size_t len = strlen(tail);
        bool ok = len >= 10 && len <= 64;
        for (size_t i = 0; ok && i < len; i++)
            ok = isalnum((unsigned char)tail[i]);
        return ok;
    }
    return strlen(tail) == 32 && lower_hex(tail, 32);
}

/* v's form of FAC_A, from the facilities list (its first record). */
static char *fac_a(const struct sandbox *sb, int v)
{
    json_t *root = get_ok(sb, v, "/facilities?search=West");
    const char *id = sbt_jstr(root, "data.facilities.0.id");
    ck_assert_ptr_nonnull(id);
    char *out = strdup(id);
    json_decref(root);
    return out;
}

/* The list path of r in version v, with the facilityId it requires and a parent's id. */
static void list_path(const struct sandbox *sb, const resource_desc *r, int v, char *out,
                      size_t size)
{
    char *fac = fac_a(sb, v);
    char base[256];
    if (r->parent != RES_NONE) {
        char q[300];
        snprintf(q, sizeof q, "/inventory/changes?facilityId=%s", fac);
        json_t *root = get_ok(sb, v, q);
        const char *pid = sbt_jstr(root, "data.changes.0.id");
        ck_assert_ptr_nonnull(pid);
        const char *hole = strstr(r->list_path, "{id}");
        snprintf(base, sizeof base, "%.*s%s%s", (int)(hole - r->list_path), r->list_path, pid,
                 hole + 4);
        json_decref(root);
    } else {
        snprintf(base, sizeof base, "%s", r->list_path);
    }
    if (r->required & RF_FACILITY)
        snprintf(out, size, "%s?facilityId=%s", base, fac);
    else
        snprintf(out, size, "%s", base);
    free(fac);
}

/* ---- every resource in every version ------------------------------------------------------ */

START_TEST(every_resource_in_every_version)
{
    struct sandbox sb;
    sandbox_start(&sb, data, NULL);
    for (int i = 0; i < RES_COUNT; i++) {
        const resource_desc *r = &resource_table[i];
        for (int v = 1; v <= 4; v++) {
            char path[512];
            if (!resource_in_version(r, v)) {
                expect_error(&sb, v, r->list_path, NULL, 404, "not_found", "Route not found");
                if (r->detail_path)
                    expect_error(&sb, v, r->detail_path, NULL, 404, "not_found",
                                 "Route not found");
                continue;
            }
            list_path(&sb, r, v, path, sizeof path);
            json_t *root = get_ok(&sb, v, path);
            json_t *list = json_object_get(json_object_get(root, "data"), r->list_key);
            ck_assert_msg(json_array_size(list) > 0, "/v%d%s: no %s", v, path, r->list_key);
            json_t *pag = sbt_jget(root, "data.pagination");
            ck_assert_msg((pag != NULL) == ((r->filters & RF_PAGE) != 0),
                          "/v%d%s: pagination %s", v, path, pag ? "present" : "missing");
            size_t k;
            json_t *rec;
            json_array_foreach(list, k, rec) {
                const char *id = json_string_value(json_object_get(rec, "id"));
                if (r->prefix_v1)
                    ck_assert_msg(id_form_ok(r, v, id), "/v%d%s: id '%s' is not v%d's form", v,
                                  path, id ? id : "(none)", v);
            }
            if (r->detail_path) {
                const char *id = json_string_value(json_object_get(json_array_get(list, 0), "id"));
                char dpath[512];
                const char *hole = strstr(r->detail_path, "{id}");
                snprintf(dpath, sizeof dpath, "%.*s%s%s", (int)(hole - r->detail_path),
                         r->detail_path, id, strchr(path, '?') ? strchr(path, '?') : "");
                json_t *d = get_ok(&sb, v, dpath);
                json_t *obj = json_object_get(d, "data");
                if (r->detail_key)
                    obj = json_object_get(obj, r->detail_key);
                ck_assert_msg(json_equal(obj, json_array_get(list, 0)),
                              "/v%d%s differs from its list item", v, dpath);
                json_decref(d);
            }
            json_decref(root);
        }
    }
    sandbox_free(&sb);
}
END_TEST

/* ---- one record, every version ------------------------------------------------------------ */

/* The appointment starting at start in version v's list (its id, owned). */
static char *appt_id(const struct sandbox *sb, int v, const char *start)
{
    json_t *root = get_ok(sb, v, "/appointments");
    size_t i;
    json_t *a;
    char *out = NULL;
    json_array_foreach(sbt_jget(root, "data.appointments"), i, a)
        if (strcmp(json_string_value(json_object_get(a, "scheduledStartDate")), start) == 0)
            out = strdup(json_string_value(json_object_get(a, "id")));
    json_decref(root);
    ck_assert_msg(out, "/v%d/appointments: none starts at %s", v, start);
    return out;
}

START_TEST(one_record_under_every_version)
{
    struct sandbox sb;
    sandbox_start(&sb, data, NULL);
    const char *start = "2025-01-20T09:00:00.000Z";
    char *v1 = appt_id(&sb, 1, start), *v2 = appt_id(&sb, 2, start);
    char *v3 = appt_id(&sb, 3, start), *v4 = appt_id(&sb, 4, start);
    ck_assert_str_eq(v1, APT_1);
    ck_assert_str_eq(v3, v4);
    /* the v3/v4 hex is the v2 UUID without its dashes */
    char hex[40] = "";
    for (const char *c = v2; *c; c++)
        if (*c != '-')
            strncat(hex, c, 1);
    ck_assert_str_eq(v3 + strlen("apt_"), hex);
    const char *ids[] = {v1, v2, v3, v4};
    for (int v = 1; v <= 4; v++) {
        char path[200];
        snprintf(path, sizeof path, "/appointments/%s", ids[v - 1]);
        json_t *root = get_ok(&sb, v, path);
        ck_assert_str_eq(sbt_jstr(root, "data.scheduledStartDate"), start);
        ck_assert_str_eq(sbt_jstr(root, "data.id"), ids[v - 1]);
        /* follow the links: patient, provider, facility open in the same version */
        static const struct { const char *field, *path, *check, *want; } links[] = {
            {"data.patient.id", "/patients/", "data.firstName", "Sarah"},
            {"data.provider.id", "/providers/", "data.lastName", "Wilson"},
            {"data.facilityId", "/facilities/", "data.name", "West LA Dermatology"}};
        for (size_t k = 0; k < 3; k++) {
            const char *lid = sbt_jstr(root, links[k].field);
            ck_assert_msg(lid, "/v%d%s: no %s", v, path, links[k].field);
            char lpath[200];
            snprintf(lpath, sizeof lpath, "%s%s", links[k].path, lid);
            json_t *t = get_ok(&sb, v, lpath);
            ck_assert_str_eq(sbt_jstr(t, links[k].check), links[k].want);
            json_decref(t);
        }
        json_decref(root);
    }
    /* /v1 also finds the record by its UUID (the versioned v1 pages' form) */
    char path[200];
    snprintf(path, sizeof path, "/appointments/%s", v2);
    json_t *root = get_ok(&sb, 1, path);
    ck_assert_str_eq(sbt_jstr(root, "data.id"), APT_1);
    json_decref(root);
    /* a data-file UUID is rendered as the docs' example: pat_ + the same hex */
    root = get_ok(&sb, 3, "/patients/pat_c56103bcd39c46d39f3138dd2b5e05f6");
    ck_assert_str_eq(sbt_jstr(root, "data.firstName"), "Ana");
    json_decref(root);
    root = get_ok(&sb, 1, "/patients/" PAT_U);
    ck_assert_str_eq(sbt_jstr(root, "data.id"), PAT_U);
    json_decref(root);
    free(v1);
    free(v2);
    free(v3);
    free(v4);
    sandbox_free(&sb);
}
END_TEST

START_TEST(ids_of_another_version_are_malformed)
{
    struct sandbox sb;
    sandbox_start(&sb, data, NULL);
    static const struct {
        int v;
        const char *path;
        long status;
        const char *message;
    } cases[] = {
        {2, "/patients/" PAT_S, 400, "'id' must be a valid ID"},
        {3, "/patients/" PAT_U, 400, "'id' must be a valid ID"},
        {4, "/patients/prv_c56103bcd39c46d39f3138dd2b5e05f6", 400, "'id' must be a valid ID"},
        {4, "/patients/pat_C56103BCD39C46D39F3138DD2B5E05F6", 400, "'id' must be a valid ID"},
        {4, "/patients/pat_c56103bcd39c46d39f3138dd2b5e05f", 400, "'id' must be a valid ID"},
        {1, "/appointments/apt_e5f6a7b8c9d04e1f2a3b4c5d6e7f8a9b", 400, "'id' must be a valid ID"},
        {1, "/appointments/appt_bar0001", 400, "'id' must be a valid ID"},
        {2, "/facilities/b2c3d4e5-f6a7-4b8c-9d0e", 400, "'id' must be a valid ID"},
        {3, "/patients/pat_00000000000000000000000000000000", 404, "Patient not found"},
        {2, "/appointments/00000000-0000-4000-8000-000000000000", 404, "Appointment not found"},
        {4, "/facilities/fac_00000000000000000000000000000000", 404, "Facility not found"},
        {1, "/providers/prov_NOSUCHPROVIDER", 404, "Provider not found"},
        {4, "/inventory/products/prd_00000000000000000000000000000000", 404, "Product not found"},
        /* an id of another resource is not found, even when well formed */
        {1, "/facilities/" PAT_U, 404, "Facility not found"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *code = cases[i].status == 400 ? "bad_request" : "not_found";
        expect_error(&sb, cases[i].v, cases[i].path, NULL, cases[i].status, code,
                     cases[i].message);
    }
    sandbox_free(&sb);
}
END_TEST

/* ---- scopes ------------------------------------------------------------------------------- */

static void set_scope(const struct sandbox *sb, const char *verb, const char *scope)
{
    char body[200];
    snprintf(body, sizeof body, "{\"org\": \"org_r\", \"app\": \"app_r\", \"%s\": [\"%s\"]}", verb,
             scope);
    json_decref(sbt_ctl_json(sb, "POST", "/_sandbox/scopes", body, 200));
}

START_TEST(each_resource_needs_its_scope)
{
    struct sandbox sb;
    sandbox_start(&sb, data, NULL);
    for (int i = 0; i < RES_COUNT; i++) {
        const resource_desc *r = &resource_table[i];
        char want[128];
        snprintf(want, sizeof want, "Insufficient scope. Required: %s", r->scope);
        set_scope(&sb, "remove", r->scope);
        for (int v = 1; v <= 4; v++) {
            if (!resource_in_version(r, v))
                continue;
            /* the scope is checked before parameters: no facilityId needed for the 403 */
            expect_error(&sb, v, r->list_path, NULL, 403, "forbidden", want);
            if (r->detail_path)
                expect_error(&sb, v, r->detail_path, NULL, 403, "forbidden", want);
        }
        set_scope(&sb, "add", r->scope);
    }
    /* bills accept the legacy read:encounters; claims do not */
    json_decref(get_ok_key(&sb, 1, "/bills", K_LEGACY));
    expect_error(&sb, 1, "/claims", K_LEGACY, 403, "forbidden",
                 "Insufficient scope. Required: read:claims");
    /* includeSoapNote needs read:soap_notes as well; without it no SOAP content */
    json_t *root = get_ok_key(&sb, 2, "/notes", K_NOSOAP);
    ck_assert_ptr_null(sbt_jget(root, "data.notes.0.soapNote"));
    json_decref(root);
    expect_error(&sb, 2, "/notes?includeSoapNote=true", K_NOSOAP, 403, "forbidden",
                 "Insufficient scope. Required: read:soap_notes");
    root = get_ok(&sb, 4, "/notes?includeSoapNote=true");
    ck_assert_ptr_nonnull(sbt_jget(root, "data.notes.0.soapNote"));
    json_decref(root);
    expect_error(&sb, 4, "/notes?includeSoapNote=yes", NULL, 400, "bad_request",
                 "'includeSoapNote' must be true or false");
    sandbox_free(&sb);
}
END_TEST

/* ---- pagination --------------------------------------------------------------------------- */

START_TEST(paginated_resources_page_and_others_do_not)
{
    struct sandbox sb;
    sandbox_start(&sb, data, NULL);
    for (int v = 1; v <= 4; v++) {
        json_t *root = get_ok(&sb, v, "/appointments?pageSize=2");
        ck_assert_uint_eq(json_array_size(sbt_jget(root, "data.appointments")), 2);
        ck_assert_int_eq(sbt_jint(root, "data.pagination.totalCount"), 3);
        ck_assert_int_eq(sbt_jint(root, "data.pagination.totalPages"), 2);
        json_decref(root);
        root = get_ok(&sb, v, "/appointments?pageSize=2&page=2");
        ck_assert_uint_eq(json_array_size(sbt_jget(root, "data.appointments")), 1);
        ck_assert_int_eq(sbt_jint(root, "data.pagination.page"), 2);
        json_decref(root);
        root = get_ok(&sb, v, "/appointments?pageSize=2&page=3");
        ck_assert_uint_eq(json_array_size(sbt_jget(root, "data.appointments")), 0);
        ck_assert_int_eq(sbt_jint(root, "data.pagination.totalCount"), 3);
        json_decref(root);
        expect_error(&sb, v, "/providers?pageSize=0", NULL, 400, "bad_request",
                     "'pageSize' must be between 1 and 100");
        expect_error(&sb, v, "/facilities?pageSize=101", NULL, 400, "bad_request",
                     "'pageSize' must be between 1 and 100");
        expect_error(&sb, v, "/bills?page=0", NULL, 400, "bad_request",
                     "'page' must be a positive integer");
    }
    /* every paginated resource pages; the others ignore page and pageSize */
    int unpaged_many = 0; /* unpaginated lists that pageSize=1 would have cut */
    for (int i = 0; i < RES_COUNT; i++) {
        const resource_desc *r = &resource_table[i];
        for (int v = 1; v <= 4; v++) {
            if (!resource_in_version(r, v))
                continue;
            char path[512], paged[600];
            list_path(&sb, r, v, path, sizeof path);
            snprintf(paged, sizeof paged, "%s%cpageSize=1", path, strchr(path, '?') ? '&' : '?');
            json_t *all = get_ok(&sb, v, path), *one = get_ok(&sb, v, paged);
            size_t n_all = json_array_size(sbt_jget(all, "data") ?
                                           json_object_get(sbt_jget(all, "data"), r->list_key) : NULL);
            size_t n_one = json_array_size(json_object_get(sbt_jget(one, "data"), r->list_key));
            if (r->filters & RF_PAGE) {
                ck_assert_msg(n_one == 1, "/v%d%s: %zu items", v, paged, n_one);
                ck_assert_int_eq(sbt_jint(one, "data.pagination.totalPages"),
                                 sbt_jint(one, "data.pagination.totalCount"));
            } else {
                ck_assert_msg(n_one == n_all && n_all >= 1, "/v%d%s: %zu of %zu items", v,
                              paged, n_one, n_all);
                ck_assert_ptr_null(sbt_jget(one, "data.pagination"));
                unpaged_many += n_all > 1;
            }
            json_decref(all);
            json_decref(one);
        }
    }
    ck_assert_int_ge(unpaged_many, 8);
    sandbox_free(&sb);
}
END_TEST

/* ---- filters ------------------------------------------------------------------------------ */

/* The starts (their hours, "09" "23" "10") of the appointments version v lists for query. */
static void expect_appts(const struct sandbox *sb, int v, const char *query, const char *want)
{
    char path[600], got[64] = "";
    snprintf(path, sizeof path, "/appointments?%s", query);
    json_t *root = get_ok(sb, v, path);
    size_t i;
    json_t *a;
    json_array_foreach(sbt_jget(root, "data.appointments"), i, a) {
        const char *s = json_string_value(json_object_get(a, "scheduledStartDate"));
        size_t len = strlen(got);
        snprintf(got + len, sizeof got - len, "%s%.2s", len ? " " : "", s ? s + 11 : "--");
    }
    ck_assert_msg(strcmp(got, want) == 0, "/v%d%s: got [%s], want [%s]", v, path, got, want);
    json_decref(root);
}

/* v's form of a v1 id: the id of the same record in v's list at the same position. */
static char *id_in(const struct sandbox *sb, int v, const char *list, const char *key,
                   const char *v1_id)
{
    json_t *one = get_ok(sb, 1, list), *other = get_ok(sb, v, list);
    json_t *a = json_object_get(sbt_jget(one, "data"), key);
    json_t *b = json_object_get(sbt_jget(other, "data"), key);
    char *out = NULL;
    for (size_t i = 0; i < json_array_size(a) && !out; i++)
        if (strcmp(json_string_value(json_object_get(json_array_get(a, i), "id")), v1_id) == 0)
            out = strdup(json_string_value(json_object_get(json_array_get(b, i), "id")));
    json_decref(one);
    json_decref(other);
    ck_assert_msg(out, "%s: no %s", list, v1_id);
    return out;
}

START_TEST(appointment_filters_and_their_400s)
{
    struct sandbox sb;
    sandbox_start(&sb, data, NULL);
    for (int v = 1; v <= 4; v++) {
        expect_appts(&sb, v, "", "09 23 10"); /* default: scheduledStartDate ascending */
        expect_appts(&sb, v, "dateFrom=2025-01-21&dateTo=2025-01-21", "23");
        expect_appts(&sb, v, "dateFrom=2025-01-21T12:00:00Z", "23 10");
        expect_appts(&sb, v, "dateTo=2025-01-20", "09");
        expect_appts(&sb, v, "dateTo=2025-01-21T23:30:00.000Z", "09 23");
        expect_appts(&sb, v, "statuses=cancelled", "10");
        expect_appts(&sb, v, "statuses=confirmed,cancelled", "09 23 10");
        expect_appts(&sb, v, "sortBy=scheduledStartDate&sortOrder=desc", "10 23 09");
        expect_appts(&sb, v, "sortBy=status", "10 09 23");
        char *fac = id_in(&sb, v, "/facilities", "facilities", FAC_B);
        char *prv = id_in(&sb, v, "/providers", "providers", PRV_H);
        char *pat = id_in(&sb, v, "/patients", "patients", PAT_S);
        char q[200];
        snprintf(q, sizeof q, "facilityId=%s", fac);
        expect_appts(&sb, v, q, "10");
        snprintf(q, sizeof q, "providerId=%s", prv);
        expect_appts(&sb, v, q, "23");
        snprintf(q, sizeof q, "patientId=%s&sortOrder=desc", pat);
        expect_appts(&sb, v, q, "23 09");
        free(fac);
        free(prv);
        free(pat);
        expect_error(&sb, v, "/appointments?dateFrom=20/01/2025", NULL, 400, "bad_request",
                     "'dateFrom' must be a date (YYYY-MM-DD) or an ISO 8601 timestamp");
        expect_error(&sb, v, "/appointments?dateTo=2025-01-2", NULL, 400, "bad_request",
                     "'dateTo' must be a date (YYYY-MM-DD) or an ISO 8601 timestamp");
        expect_error(&sb, v, "/appointments?sortBy=createdAt", NULL, 400, "bad_request",
                     "'sortBy' must be one of scheduledStartDate,lastSyncedAt,status");
        expect_error(&sb, v, "/appointments?sortOrder=up", NULL, 400, "bad_request",
                     "'sortOrder' must be asc or desc");
        expect_error(&sb, v, "/appointments?facilityId=not-an-id", NULL, 400, "bad_request",
                     "'facilityId' must be a valid ID");
    }
    /* an id filter takes the version's form only */
    expect_error(&sb, 4, "/appointments?patientId=" PAT_S, NULL, 400, "bad_request",
                 "'patientId' must be a valid ID");
    expect_error(&sb, 2, "/appointments?providerId=" PRV_A, NULL, 400, "bad_request",
                 "'providerId' must be a valid ID");
    sandbox_free(&sb);
}
END_TEST

/* How many records of list (a /v1 array) have value at field (a plain top-level field, or
 * "a.b", or a "x.id" inside an array "x"). */
static size_t count_where(json_t *list, const char *field, const char *value)
{
    size_t n = 0, i;
    json_t *rec;
    char head[64];
    const char *dot = strchr(field, '.');
    snprintf(head, sizeof head, "%.*s", dot ? (int)(dot - field) : (int)strlen(field), field);
    json_array_foreach(list, i, rec) {
        json_t *v = json_object_get(rec, head);
        bool hit = false;
        if (dot && json_is_array(v)) {
            size_t k;
            json_t *e;
            json_array_foreach(v, k, e)
                hit |= json_is_string(json_object_get(e, dot + 1)) &&
                       strcmp(json_string_value(json_object_get(e, dot + 1)), value) == 0;
        } else {
            if (dot)
                v = json_object_get(v, dot + 1);
            hit = json_is_string(v) && strcmp(json_string_value(v), value) == 0;
        }
        n += hit;
    }
    return n;
}

START_TEST(other_resources_filter_by_their_links_flags_and_search)
{
    struct sandbox sb;
    sandbox_start(&sb, data, NULL);
    /* each id filter against a count made here from the whole /v1 list */
    static const struct { const char *res, *param, *field; } by_id[] = {
        {"/bills", "patientId", "patientId"},     {"/bills", "facilityId", "facilityId"},
        {"/claims", "patientId", "patientId"},    {"/claims", "facilityId", "facilityId"},
        {"/notes", "patientId", "patient.id"},    {"/notes", "facilityId", "facility.id"},
        {"/notes", "providerId", "assignedProviders.id"},
        {"/tasks", "noteId", "noteId"},           {"/tasks", "patientId", "patientId"},
        {"/tasks", "providerId", "assignedProviders.id"},
    };
    for (size_t i = 0; i < sizeof by_id / sizeof by_id[0]; i++) {
        int v = strcmp(by_id[i].res, "/notes") == 0 ? 2 : 1; /* notes start at v2 */
        json_t *all = get_ok(&sb, v, by_id[i].res);
        json_t *list = json_object_get(sbt_jget(all, "data"), by_id[i].res + 1);
        /* the value of the first record that has one */
        const char *value = NULL;
        for (size_t k = 0; k < json_array_size(list) && !value; k++) {
            json_t *one = json_array_get(list, k);
            json_t *w = json_object_get(one, by_id[i].field);
            if (!w && strchr(by_id[i].field, '.')) {
                char head[64];
                snprintf(head, sizeof head, "%.*s",
                         (int)(strchr(by_id[i].field, '.') - by_id[i].field), by_id[i].field);
                w = json_object_get(one, head);
                w = json_is_array(w) ? json_array_get(w, 0) : w;
                w = json_object_get(w, strchr(by_id[i].field, '.') + 1);
            }
            value = json_string_value(w);
        }
        ck_assert_msg(value, "%s: no record has %s", by_id[i].res, by_id[i].field);
        size_t want = count_where(list, by_id[i].field, value);
        char q[300];
        snprintf(q, sizeof q, "%s?%s=%s", by_id[i].res, by_id[i].param, value);
        json_t *f = get_ok(&sb, v, q);
        ck_assert_msg((size_t)sbt_jint(f, "data.pagination.totalCount") == want &&
                      want < json_array_size(list) + 1,
                      "%s: %lld, want %zu", q, sbt_jint(f, "data.pagination.totalCount"), want);
        json_decref(f);
        json_decref(all);
    }
    /* dates on bills (dateOfService) */
    json_t *all = get_ok(&sb, 1, "/bills");
    const char *day = sbt_jstr(all, "data.bills.0.dateOfService");
    char q[200];
    snprintf(q, sizeof q, "/bills?dateFrom=%s&dateTo=%s", day, day);
    json_t *f = get_ok(&sb, 1, q);
    ck_assert_int_eq(sbt_jint(f, "data.pagination.totalCount"),
                     (long long)count_where(sbt_jget(all, "data.bills"), "dateOfService", day));
    json_decref(f);
    json_decref(all);
    /* flags and search */
    struct { int v; const char *path, *key; long long want; } counts[] = {
        {1, "/facilities?isVisible=false", "facilities", 1},
        {4, "/facilities?isVisible=true", "facilities", 1},
        {2, "/providers?hidden=true", "providers", 1},
        {3, "/providers?search=WIL", "providers", 1},
        {1, "/facilities?search=annex", "facilities", 1},
        {4, "/patients?search=johnson", "patients", 1},
    };
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        f = get_ok(&sb, counts[i].v, counts[i].path);
        ck_assert_msg(sbt_jint(f, "data.pagination.totalCount") == counts[i].want,
                      "/v%d%s: %lld", counts[i].v, counts[i].path,
                      sbt_jint(f, "data.pagination.totalCount"));
        json_decref(f);
    }
    f = get_ok(&sb, 3, "/inventory/products?search=9915");
    ck_assert_uint_eq(json_array_size(sbt_jget(f, "data.products")), 1);
    json_decref(f);
    expect_error(&sb, 1, "/facilities?isVisible=maybe", NULL, 400, "bad_request",
                 "'isVisible' must be true or false");
    expect_error(&sb, 2, "/providers?hidden=1", NULL, 400, "bad_request",
                 "'hidden' must be true or false");
    sandbox_free(&sb);
}
END_TEST

/* ---- inventory: required facilityId, a change's products ---------------------------------- */

START_TEST(inventory_requires_facility_and_nests_products)
{
    struct sandbox sb;
    sandbox_start(&sb, data, NULL);
    for (int v = 1; v <= 4; v++) {
        expect_error(&sb, v, "/inventory/changes", NULL, 400, "bad_request",
                     "'facilityId' is required");
        expect_error(&sb, v, "/inventory/stock-levels?facilityId=", NULL, 400, "bad_request",
                     "'facilityId' is required");
        char *fa = id_in(&sb, v, "/facilities", "facilities", FAC_A);
        char *fb = id_in(&sb, v, "/facilities", "facilities", FAC_B);
        char q[300];
        snprintf(q, sizeof q, "/inventory/changes?facilityId=%s", fa);
        json_t *root = get_ok(&sb, v, q);
        ck_assert_uint_eq(json_array_size(sbt_jget(root, "data.changes")), 1);
        const char *chg = sbt_jstr(root, "data.changes.0.id");
        snprintf(q, sizeof q, "/inventory/changes?facilityId=%s&status=open", fa);
        json_t *none = get_ok(&sb, v, q);
        ck_assert_uint_eq(json_array_size(sbt_jget(none, "data.changes")), 0);
        json_decref(none);
        snprintf(q, sizeof q, "/inventory/changes/%s", chg);
        expect_error(&sb, v, q, NULL, 400, "bad_request", "'facilityId' is required");
        snprintf(q, sizeof q, "/inventory/changes/%s?facilityId=%s", chg, fb);
        expect_error(&sb, v, q, NULL, 404, "not_found", "Inventory change not found");
        snprintf(q, sizeof q, "/inventory/changes/%s?facilityId=%s", chg, fa);
        json_t *d = get_ok(&sb, v, q);
        ck_assert_str_eq(sbt_jstr(d, "data.change.id"), chg);
        json_decref(d);
        /* the change's products: only its own, itemCount aside (the change is given) */
        snprintf(q, sizeof q, "/inventory/changes/%s/products", chg);
        d = get_ok(&sb, v, q);
        size_t i;
        json_t *it;
        ck_assert_uint_eq(json_array_size(sbt_jget(d, "data.items")), 3); /* 6 over 2 changes */
        json_array_foreach(sbt_jget(d, "data.items"), i, it)
            ck_assert_str_eq(json_string_value(json_object_get(it, "changeId")), chg);
        json_decref(d);
        json_decref(root);
        /* stock levels of one facility only: 5 products each */
        snprintf(q, sizeof q, "/inventory/stock-levels?facilityId=%s", fb);
        d = get_ok(&sb, v, q);
        ck_assert_uint_eq(json_array_size(sbt_jget(d, "data.stockLevels")), 5);
        json_array_foreach(sbt_jget(d, "data.stockLevels"), i, it)
            ck_assert_str_eq(json_string_value(json_object_get(it, "facilityId")), fb);
        json_decref(d);
        free(fa);
        free(fb);
    }
    expect_error(&sb, 4, "/inventory/changes/chg_00000000000000000000000000000000/products", NULL,
                 404, "not_found", "Inventory change not found");
    expect_error(&sb, 4, "/inventory/changes/" CHG_A "/products", NULL, 400, "bad_request",
                 "'id' must be a valid ID");
    sandbox_free(&sb);
}
END_TEST

/* ---- statistics fold every route's ids ---------------------------------------------------- */

START_TEST(stats_fold_ids_of_every_route)
{
    struct sandbox sb;
    sandbox_start(&sb, data, NULL);
    struct http_resp r;
    get(&sb, 4, "/appointments/apt_00000000000000000000000000000000", NULL, &r);
    http_resp_free(&r);
    get(&sb, 2, "/inventory/changes/00000000-0000-4000-8000-000000000000/products", NULL, &r);
    http_resp_free(&r);
    ck_assert_int_eq(sbt_wait_stat(&sb, "by_path./v4/appointments/{id}", 1, 2000), 1);
    ck_assert_int_eq(sbt_wait_stat(&sb, "by_path./v2/inventory/changes/{id}/products", 1, 2000),
                     1);
    sandbox_free(&sb);
}
END_TEST

SUITE(sandbox_resources)
{
    Suite *s = suite_create("sandbox_resources");
    TCase *tc = tcase_create("sandbox_resources");
    tcase_add_unchecked_fixture(tc, sandbox_tmp_setup, sandbox_tmp_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, every_resource_in_every_version);
    tcase_add_test(tc, one_record_under_every_version);
    tcase_add_test(tc, ids_of_another_version_are_malformed);
    tcase_add_test(tc, each_resource_needs_its_scope);
    tcase_add_test(tc, paginated_resources_page_and_others_do_not);
    tcase_add_test(tc, appointment_filters_and_their_400s);
    tcase_add_test(tc, other_resources_filter_by_their_links_flags_and_search);
    tcase_add_test(tc, inventory_requires_facility_and_nests_products);
    tcase_add_test(tc, stats_fold_ids_of_every_route);
    suite_add_tcase(s, tc);
    return s;
}
