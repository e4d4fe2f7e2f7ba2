/* GET /patients/{id}: a 200 with the input as its body. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct api_result r;
    fuzz_interpret_success(API_PATIENT, data, size, &r);
    FUZZ_REQUIRE(fuzz_me_is_empty(&r.me) && r.page.items == NULL && r.page.len == 0);
    if (r.cls == API_OK)
        fuzz_check_patient(&r.patient);
    api_result_free(&r);
    return 0;
}
