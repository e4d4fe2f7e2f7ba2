/* GET /marketplace/me: a 200 with the input as its body. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct api_result r;
    fuzz_interpret_success(API_ME, data, size, &r);
    FUZZ_REQUIRE(r.page.items == NULL && fuzz_patient_is_empty(&r.patient));
    const struct api_me *me = &r.me;
    FUZZ_REQUIRE(fuzz_clean_or_null(me->app_id));
    FUZZ_REQUIRE(fuzz_clean_or_null(me->app_slug));
    FUZZ_REQUIRE(fuzz_clean_or_null(me->app_live_version));
    FUZZ_REQUIRE(fuzz_clean_or_null(me->org_id));
    FUZZ_REQUIRE(me->nscopes == 0 || me->scopes != NULL);
    FUZZ_REQUIRE(!me->scopes_from_app || me->scopes != NULL);
    for (size_t i = 0; i < me->nscopes; i++)
        FUZZ_REQUIRE(me->scopes[i] && fuzz_clean_or_null(me->scopes[i]));
    if (me->scopes)
        FUZZ_REQUIRE(me->scopes[me->nscopes] == NULL);

    /* The copy the model keeps must be equal and independently owned. */
    struct api_me copy;
    api_me_copy(&copy, me);
    FUZZ_REQUIRE(copy.nscopes == me->nscopes);
    for (size_t i = 0; i < copy.nscopes; i++)
        FUZZ_REQUIRE(strcmp(copy.scopes[i], me->scopes[i]) == 0);
    api_me_free(&copy);
    api_result_free(&r);
    return 0;
}
