/* The generic parser (issue 16): any resource of the table, list or detail, into plain rows by
 * the table's columns; a missing, null or wrongly typed field costs one cell, never the row. */
#include "testing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "restable.h"

static void interpret(enum api_endpoint ep, int res, const char *body, struct api_result *r)
{
    struct api_response resp = {.endpoint = ep, .resource = res, .transport = API_TR_OK,
                                .status = 200, .body = body, .len = strlen(body)};
    api_interpret(&resp, r);
}

static int res_of(const char *name)
{
    int i = res_find(name);
    ck_assert_msg(i >= 0, "no resource %s in the table", name);
    return i;
}

/* The column of res whose path has `alt` as one of its '|' alternatives. */
static size_t col_of(int res, const char *alt)
{
    const struct resource *r = res_at(res);
    for (size_t c = 0; c < r->ncols; c++) {
        const char *p = r->cols[c].path;
        size_t n = strlen(alt);
        for (const char *q = p; (q = strstr(q, alt)); q++)
            if ((q == p || q[-1] == '|') && (q[n] == '\0' || q[n] == '|'))
                return c;
    }
    ck_abort_msg("%s has no column %s", r->name, alt);
    return 0;
}

static const char *field(const struct api_detail *d, const char *path)
{
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->fields[i].path, path) == 0)
            return d->fields[i].value;
    return NULL;
}

static const struct api_field *field_line(const struct api_detail *d, const char *path)
{
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->fields[i].path, path) == 0)
            return &d->fields[i];
    return NULL;
}

START_TEST(list_cells_by_nested_path)
{
    int ap = res_of("appointments");
    struct api_result r;
    interpret(API_LIST, ap,
              "{\"code\":\"success\",\"data\":{\"appointments\":[{\"id\":\"apt_1\","
              "\"status\":\"confirmed\",\"patient\":{\"id\":\"pat_9\",\"lastName\":\"Johnson\"},"
              "\"provider\":{\"id\":\"prv_2\",\"lastName\":\"Wilson\"}}],"
              "\"pagination\":{\"page\":1,\"pageSize\":50,\"totalCount\":1,\"totalPages\":1}}}",
              &r);
    ck_assert_int_eq(r.cls, API_OK);
    ck_assert_uint_eq(r.rows.len, 1);
    ck_assert_int_eq(r.rows.total_count, 1);
    const struct api_row *row = &r.rows.items[0];
    ck_assert_str_eq(row->id, "apt_1");
    ck_assert_uint_eq(row->ncells, res_at(ap)->ncols);
    ck_assert_str_eq(row->cells[col_of(ap, "patient.lastName")], "Johnson");
    ck_assert_str_eq(row->cells[col_of(ap, "status")], "confirmed");
    /* The links: the patient and the provider of the appointment. */
    const struct resource *res = res_at(ap);
    bool patient_linked = false;
    for (size_t l = 0; l < res->nlinks; l++)
        if (res->links[l].target == res_patients()) {
            ck_assert_str_eq(row->links[l], "pat_9");
            patient_linked = true;
        }
    ck_assert(patient_linked);
    api_result_free(&r);
}
END_TEST

/* The G0 (flat) shape of the same appointment fills the same cells. */
START_TEST(list_cells_from_flat_shape)
{
    int ap = res_of("appointments");
    struct api_result r;
    interpret(API_LIST, ap,
              "{\"code\":\"success\",\"data\":{\"appointments\":[{\"id\":\"appt_1\","
              "\"patientId\":\"pat_01\",\"patientLastName\":\"Johnson\"}]}}", &r);
    ck_assert_int_eq(r.cls, API_OK);
    ck_assert_str_eq(r.rows.items[0].cells[col_of(ap, "patientLastName")], "Johnson");
    ck_assert_int_eq(r.rows.page, -1);
    api_result_free(&r);
}
END_TEST

/* Per column: missing → "", null → "", an object → "?", a nested path through a string → "?",
 * numbers and booleans as text, an array of strings joined. Never the page. */
START_TEST(missing_null_and_wrong_typed_cells)
{
    int ap = res_of("appointments");
    size_t pc = col_of(ap, "patient.lastName"), st = col_of(ap, "status");
    static const struct {
        const char *item;
        const char *patient, *status;
    } cases[] = {
        {"{\"id\":\"a\"}", "", ""},
        {"{\"id\":\"a\",\"patient\":null,\"status\":null}", "", ""},
        {"{\"id\":\"a\",\"patient\":{\"lastName\":null},\"status\":{\"x\":1}}", "", "?"},
        {"{\"id\":\"a\",\"patient\":\"Johnson\",\"status\":[\"a\",\"b\"]}", "?", "a, b"},
        {"{\"id\":\"a\",\"patient\":{\"lastName\":42},\"status\":true}", "42", "yes"},
        {"{\"id\":\"a\",\"patient\":{\"lastName\":[{}]},\"status\":1.5}", "[1]", "1.5"},
        {"{\"id\":7,\"patient\":[1,2],\"status\":\"\\u001b[31mred\"}", "?", "red"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char body[512];
        snprintf(body, sizeof body,
                 "{\"code\":\"success\",\"data\":{\"appointments\":[%s]}}", cases[i].item);
        struct api_result r;
        interpret(API_LIST, ap, body, &r);
        ck_assert_msg(r.cls == API_OK, "case %zu: %s", i, r.summary);
        ck_assert_uint_eq(r.rows.len, 1);
        const struct api_row *row = &r.rows.items[0];
        ck_assert_msg(strcmp(row->cells[pc], cases[i].patient) == 0, "case %zu patient '%s'", i,
                      row->cells[pc]);
        ck_assert_msg(strstr(row->cells[st], cases[i].status) != NULL &&
                          (cases[i].status[0] || !row->cells[st][0]),
                      "case %zu status '%s'", i, row->cells[st]);
        for (size_t c = 0; c < row->ncells; c++)
            ck_assert_ptr_nonnull(row->cells[c]);
        if (i == 6)
            ck_assert_ptr_null(row->id); /* an id that is not a string: no detail to open */
        api_result_free(&r);
    }
}
END_TEST

/* The list itself is what the contract promises: without it the response is a bad one, and
 * the summary names the field, never the body. */
START_TEST(list_missing_or_wrong_is_bad_response)
{
    int ap = res_of("appointments");
    static const char *const bodies[] = {
        "{\"code\":\"success\",\"data\":{}}",
        "{\"code\":\"success\",\"data\":{\"appointments\":{\"id\":\"Johnson\"}}}",
        "{\"code\":\"success\",\"data\":{\"appointments\":[\"Johnson\"]}}",
        "{\"code\":\"success\",\"data\":{\"appointments\":[],\"pagination\":\"Johnson\"}}",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        struct api_result r;
        interpret(API_LIST, ap, bodies[i], &r);
        ck_assert_msg(r.cls == API_BAD_RESPONSE, "body %zu: %s", i, api_class_name(r.cls));
        ck_assert_ptr_null(strstr(r.summary, "Johnson"));
        ck_assert_ptr_nonnull(strstr(r.summary, "data."));
        ck_assert_uint_eq(r.rows.len, 0);
        api_result_free(&r);
    }
}
END_TEST

START_TEST(detail_flattens_nested_objects_and_arrays)
{
    int ap = res_of("appointments");
    struct api_result r;
    interpret(API_ITEM, ap,
              "{\"code\":\"success\",\"data\":{\"id\":\"apt_1\",\"status\":\"confirmed\","
              "\"isNewPatient\":false,\"facilityId\":null,"
              "\"patient\":{\"id\":\"pat_9\",\"lastName\":\"Johnson\",\"dateOfBirth\":\"1985-03-15\"},"
              "\"provider\":{\"id\":\"prv_2\",\"roles\":[\"Physician\",\"Surgeon\"],\"x\":{}},"
              "\"tags\":[]}}", &r);
    ck_assert_int_eq(r.cls, API_OK);
    const struct api_detail *d = &r.detail;
    ck_assert_str_eq(d->id, "apt_1");
    ck_assert_str_eq(field(d, "status"), "confirmed");
    ck_assert_str_eq(field(d, "isNewPatient"), "no");
    ck_assert_str_eq(field(d, "facilityId"), "null");
    ck_assert_str_eq(field(d, "patient.lastName"), "Johnson");
    ck_assert_str_eq(field(d, "provider.roles[1]"), "Surgeon");
    ck_assert_str_eq(field(d, "provider.x"), "{}");
    ck_assert_str_eq(field(d, "tags"), "[]");
    /* Patient data is marked for privacy mode; the provider's roles are not. */
    ck_assert(field_line(d, "patient.lastName")->phi);
    ck_assert(field_line(d, "patient.dateOfBirth")->phi);
    ck_assert(!field_line(d, "provider.roles[0]")->phi);
    ck_assert(!field_line(d, "status")->phi);
    /* Every line of the nested patient opens the patient. */
    const struct api_field *pl = field_line(d, "patient.lastName");
    ck_assert_int_eq(pl->link, res_patients());
    ck_assert_str_eq(pl->link_id, "pat_9");
    ck_assert_int_eq(field_line(d, "status")->link, -1);
    ck_assert(!d->cut);
    api_result_free(&r);
}
END_TEST

/* A link through an array: each assigned provider's lines open that provider; a detail that
 * the table says is wrapped (data.product) is unwrapped. */
START_TEST(detail_links_through_arrays_and_wrapped_details)
{
    int nt = res_of("notes"), pr = res_of("products");
    struct api_result r;
    interpret(API_ITEM, nt,
              "{\"data\":{\"id\":\"nte_1\",\"assignedProviders\":[{\"id\":\"prv_a\","
              "\"lastName\":\"Wilson\"},{\"id\":\"prv_b\",\"lastName\":\"Chen\"},"
              "{\"id\":null,\"lastName\":\"Nobody\"}]}}", &r);
    ck_assert_int_eq(r.cls, API_OK);
    const struct api_field *a = field_line(&r.detail, "assignedProviders[0].lastName");
    const struct api_field *b = field_line(&r.detail, "assignedProviders[1].lastName");
    const struct api_field *c = field_line(&r.detail, "assignedProviders[2].lastName");
    ck_assert_int_eq(a->link, res_of("providers"));
    ck_assert_str_eq(a->link_id, "prv_a");
    ck_assert_str_eq(b->link_id, "prv_b");
    ck_assert_int_eq(c->link, -1); /* a null id opens nothing */
    ck_assert(!a->phi);            /* a provider's name is not patient data */
    api_result_free(&r);
    interpret(API_ITEM, pr, "{\"data\":{\"product\":{\"id\":\"prd_1\",\"name\":\"Botox\"}}}", &r);
    ck_assert_int_eq(r.cls, API_OK);
    ck_assert_str_eq(r.detail.id, "prd_1");
    ck_assert_str_eq(field(&r.detail, "name"), "Botox");
    api_result_free(&r);
    interpret(API_ITEM, pr, "{\"data\":{\"product\":\"Botox\"}}", &r);
    ck_assert_int_eq(r.cls, API_BAD_RESPONSE);
    ck_assert_ptr_null(strstr(r.summary, "Botox"));
    api_result_free(&r);
}
END_TEST

START_TEST(detail_deep_or_huge_is_cut_not_crashed)
{
    int ap = res_of("appointments");
    char body[4096];
    size_t n = (size_t)snprintf(body, sizeof body, "{\"data\":{\"id\":\"a\",\"x\":");
    for (int i = 0; i < 40; i++)
        n += (size_t)snprintf(body + n, sizeof body - n, "{\"k\":");
    n += (size_t)snprintf(body + n, sizeof body - n, "1");
    for (int i = 0; i < 40; i++)
        n += (size_t)snprintf(body + n, sizeof body - n, "}");
    snprintf(body + n, sizeof body - n, "}}");
    struct api_result r;
    interpret(API_ITEM, ap, body, &r);
    ck_assert_int_eq(r.cls, API_OK);
    ck_assert(r.detail.cut);
    api_result_free(&r);

    size_t cap = 200000, len = 0;
    char *big = malloc(cap);
    len += (size_t)snprintf(big + len, cap - len, "{\"data\":{\"a\":[");
    for (int i = 0; i < 5000; i++)
        len += (size_t)snprintf(big + len, cap - len, "%s%d", i ? "," : "", i);
    snprintf(big + len, cap - len, "]}}");
    interpret(API_ITEM, ap, big, &r);
    ck_assert_int_eq(r.cls, API_OK);
    ck_assert(r.detail.cut);
    ck_assert_uint_eq(r.detail.n, API_DETAIL_MAX);
    api_result_free(&r);
    free(big);
}
END_TEST

START_TEST(list_and_item_urls)
{
    int ap = res_of("appointments"), pt = res_patients();
    char *u = api_list_url("http://127.0.0.1:1/v4", ap, 2, 50, "jo",
                           "dateFrom=2026-12-01 dateTo=2026-12-01 bogus=1 statuses=a,b", NULL);
    ck_assert_str_eq(u, "http://127.0.0.1:1/v4/appointments?page=2&pageSize=50"
                        "&dateFrom=2026-12-01&dateTo=2026-12-01&statuses=a%2Cb");
    free(u);
    u = api_list_url("https://h/v1", pt, 1, 1, "o'b r", NULL, NULL);
    ck_assert_str_eq(u, "https://h/v1/patients?page=1&pageSize=1&search=o%27b%20r");
    free(u);
    u = api_item_url("https://h/v1", ap, "a/b?c");
    ck_assert_str_eq(u, "https://h/v1/appointments/a%2Fb%3Fc");
    free(u);
    ck_assert_int_eq(res_version_of("https://api.maxcare.ai/v4"), 4);
    ck_assert_int_eq(res_version_of("http://127.0.0.1:8080/v2/"), 2);
    ck_assert_int_eq(res_version_of("https://api.maxcare.ai/v9"), 0);
    ck_assert_int_eq(res_find("appoint"), ap);
    ck_assert_int_eq(res_find("nosuch"), -1);
}
END_TEST

/* Formats (resources.def, COLUMN_AS): a name from three fields with the middle name's initial
 * (one character, several bytes here), a first letter; missing or non-string parts left out. */
START_TEST(patients_columns_are_formatted)
{
    int pt = res_patients();
    const char *body =
        "{\"code\":\"success\",\"data\":{\"patients\":["
        "{\"id\":\"pat_1\",\"lastName\":\"Doe\",\"firstName\":\"Jane\",\"middleName\":\"\xC3\x89mile\","
        "\"gender\":\"female\",\"dateOfBirth\":\"1980-01-02\",\"mrn\":\"MRN-1\"},"
        "{\"id\":\"pat_2\",\"firstName\":\"Cher\",\"lastName\":null,\"gender\":7},"
        "{\"id\":\"pat_3\",\"lastName\":5}],"
        "\"pagination\":{\"page\":2,\"pageSize\":3,\"totalCount\":9,\"totalPages\":3}}}";
    for (int pass = 0; pass < 2; pass++) {
        /* The typed page (the refresh's probe) carries the same rows as the generic list. */
        struct api_result r;
        interpret(pass ? API_LIST : API_PATIENTS, pt, body, &r);
        ck_assert_int_eq(r.cls, API_OK);
        const struct api_rows *rows = pass ? &r.rows : &r.page.rows;
        ck_assert_uint_eq(rows->len, 3);
        ck_assert_int_eq(rows->total_pages, 3);
        ck_assert_int_eq(rows->page, 2);
        size_t name = col_of(pt, "lastName+firstName+middleName"), sex = col_of(pt, "gender");
        ck_assert_str_eq(rows->items[0].cells[name], "Doe, Jane \xC3\x89.");
        ck_assert_str_eq(rows->items[0].cells[sex], "f");
        ck_assert_str_eq(rows->items[0].cells[col_of(pt, "dateOfBirth")], "1980-01-02");
        ck_assert_str_eq(rows->items[0].id, "pat_1");
        ck_assert_str_eq(rows->items[1].cells[name], "Cher");
        ck_assert_str_eq(rows->items[1].cells[sex], "");
        ck_assert_str_eq(rows->items[2].cells[name], "");
        ck_assert_str_eq(rows->items[2].cells[col_of(pt, "mrn")], "");
        api_result_free(&r);
    }
}
END_TEST

/* A patient's detail comes with its form (resources.def, FIELD): the patient view's labels in
 * its order, "" for what the record lacks. */
START_TEST(patient_detail_has_its_form)
{
    struct api_result r;
    interpret(API_PATIENT, res_patients(),
              "{\"code\":\"success\",\"data\":{\"id\":\"pat_1\",\"lastName\":\"Doe\","
              "\"firstName\":\"Jane\",\"middleName\":\"Ann\",\"mrn\":\"MRN-1\",\"gender\":\"female\","
              "\"email\":null,\"createdAt\":\"2026-01-01\"}}", &r);
    ck_assert_int_eq(r.cls, API_OK);
    ck_assert_str_eq(r.patient.id, "pat_1");
    static const char *const labels[] = {"Name", "Id", "MRN", "First name", "Middle name",
                                         "Last name", "Sex", "Born", "Email", "Phone",
                                         "Created", "Updated"};
    ck_assert_uint_eq(r.detail.n, sizeof labels / sizeof *labels);
    for (size_t i = 0; i < r.detail.n; i++)
        ck_assert_str_eq(r.detail.fields[i].path, labels[i]);
    ck_assert_str_eq(field(&r.detail, "Name"), "Doe, Jane A.");
    ck_assert_str_eq(field(&r.detail, "Sex"), "female");
    ck_assert_str_eq(field(&r.detail, "Email"), "");
    ck_assert_str_eq(field(&r.detail, "Born"), "");
    ck_assert(field_line(&r.detail, "MRN")->phi);
    ck_assert(!field_line(&r.detail, "Id")->phi);
    ck_assert(!field_line(&r.detail, "Created")->phi);
    api_result_free(&r);
}
END_TEST

SUITE(resources_api)
{
    Suite *s = suite_create("resources_api");
    TCase *tc = tcase_create("resources_api");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, list_cells_by_nested_path);
    tcase_add_test(tc, list_cells_from_flat_shape);
    tcase_add_test(tc, missing_null_and_wrong_typed_cells);
    tcase_add_test(tc, list_missing_or_wrong_is_bad_response);
    tcase_add_test(tc, detail_flattens_nested_objects_and_arrays);
    tcase_add_test(tc, detail_links_through_arrays_and_wrapped_details);
    tcase_add_test(tc, detail_deep_or_huge_is_cut_not_crashed);
    tcase_add_test(tc, list_and_item_urls);
    tcase_add_test(tc, patients_columns_are_formatted);
    tcase_add_test(tc, patient_detail_has_its_form);
    suite_add_tcase(s, tc);
    return s;
}
