/* Shared helpers of the libFuzzer targets (issue 7, R2). Each target defines
 * LLVMFuzzerTestOneInput and abort()s when an invariant breaks, so that libFuzzer records the
 * input as a crash; sanitizer reports (ASan, UBSan, leaks) are crashes too. */
#ifndef MAXDASH_FUZZ_H
#define MAXDASH_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Reports a broken invariant (never the data itself: it may hold a key) and aborts. */
#define FUZZ_REQUIRE(cond)                                                                     \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
            abort();                                                                           \
        }                                                                                      \
    } while (0)

/* NULL, or text that text_sanitize leaves unchanged. */
static inline bool fuzz_clean_or_null(const char *s)
{
    return !s || text_is_clean(s, strlen(s));
}

static inline void fuzz_check_patient(const struct api_patient *p)
{
    FUZZ_REQUIRE(p->id != NULL);
    const char *const f[] = {p->id,  p->mrn,   p->first, p->middle,  p->last,   p->gender,
                             p->dob, p->email, p->phone, p->created, p->updated};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        FUZZ_REQUIRE(fuzz_clean_or_null(f[i]));
}

static inline bool fuzz_patient_is_empty(const struct api_patient *p)
{
    static const struct api_patient zero;
    return memcmp(p, &zero, sizeof zero) == 0;
}

static inline bool fuzz_me_is_empty(const struct api_me *me)
{
    return !me->app_id && !me->app_slug && !me->app_live_version && !me->org_id && !me->scopes &&
           me->nscopes == 0;
}

static inline bool fuzz_error_is_empty(const struct api_error *e)
{
    return !e->code && !e->message && !e->trace_id && !e->required_scope;
}

/* What holds for every result of api_interpret. */
static inline void fuzz_check_result(const struct api_result *r, int status)
{
    FUZZ_REQUIRE((unsigned)r->cls < API_CLASS_COUNT);
    FUZZ_REQUIRE(r->status == status);
    FUZZ_REQUIRE(r->summary != NULL);
    FUZZ_REQUIRE(fuzz_clean_or_null(r->summary));
    FUZZ_REQUIRE(strlen(r->summary) < 320);
    FUZZ_REQUIRE(fuzz_clean_or_null(r->err.code));
    FUZZ_REQUIRE(fuzz_clean_or_null(r->err.message));
    FUZZ_REQUIRE(fuzz_clean_or_null(r->err.trace_id));
    FUZZ_REQUIRE(fuzz_clean_or_null(r->err.required_scope));
    FUZZ_REQUIRE(r->retry_after >= -1);
    if (r->cls != API_OK) {
        FUZZ_REQUIRE(fuzz_me_is_empty(&r->me));
        FUZZ_REQUIRE(r->page.items == NULL && r->page.len == 0);
        FUZZ_REQUIRE(fuzz_patient_is_empty(&r->patient));
    }
}

/* A 2xx response of one endpoint with data as its body: the body is copied into a buffer of
 * exactly size bytes (no NUL after it), so a read past the end is an ASan report. */
static inline void fuzz_interpret_success(enum api_endpoint ep, const uint8_t *data, size_t size,
                                          struct api_result *r)
{
    char *body = malloc(size ? size : 1);
    FUZZ_REQUIRE(body != NULL);
    if (size)
        memcpy(body, data, size);
    struct api_response resp = {.endpoint = ep, .transport = API_TR_OK, .status = 200,
                                .body = body, .len = size};
    api_interpret(&resp, r);
    free(body);
    fuzz_check_result(r, 200);
    FUZZ_REQUIRE(r->cls == API_OK || r->cls == API_BAD_RESPONSE);
    FUZZ_REQUIRE(r->retry_after == -1);
    FUZZ_REQUIRE(fuzz_error_is_empty(&r->err));
}

#endif
