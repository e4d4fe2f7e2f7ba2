/* GET /patients: a 200 with the input as its body (one page of the list). */
#include "fuzz.h"

static bool count_ok(long v) { return v == -1 || (v >= 0 && v <= 1000000000L); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct api_result r;
    fuzz_interpret_success(API_PATIENTS, data, size, &r);
    FUZZ_REQUIRE(fuzz_me_is_empty(&r.me) && fuzz_patient_is_empty(&r.patient));
    const struct api_page *pg = &r.page;
    FUZZ_REQUIRE(count_ok(pg->page) && count_ok(pg->page_size) && count_ok(pg->total_count) &&
                 count_ok(pg->total_pages));
    if (r.cls == API_OK)
        FUZZ_REQUIRE(pg->items != NULL); /* an empty list still gets its array */
    FUZZ_REQUIRE(pg->len == 0 || pg->items != NULL);
    for (size_t i = 0; i < pg->len; i++)
        fuzz_check_patient(&pg->items[i]);
    /* The detail view keeps copies. */
    if (pg->len) {
        struct api_patient copy;
        api_patient_copy(&copy, &pg->items[pg->len - 1]);
        FUZZ_REQUIRE(strcmp(copy.id, pg->items[pg->len - 1].id) == 0);
        api_patient_free(&copy);
    }
    api_result_free(&r);
    return 0;
}
