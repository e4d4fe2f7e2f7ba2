/* The error envelope of a non-2xx answer. The first input byte chooses the status (400..599)
 * and the endpoint, the second the Retry-After the engine read; the rest is the body. */
#include "fuzz.h"

/* The class of status st with this body: a 401/403/404/429 without the API's error envelope
 * was answered by something in front of the API (issue 15, case 1). */
static enum api_class expected_class(int st, const char *body, size_t len)
{
    if ((st == 401 || st == 403 || st == 404 || st == 429) && !api_is_error_envelope(body, len))
        return API_BLOCKED;
    switch (st) {
    case 407: return API_PROXY; /* a proxy asked for credentials (issue 15, case 2) */
    case 401: return API_UNAUTHORIZED;
    case 403: return API_FORBIDDEN;
    case 404: return API_NOT_FOUND;
    case 429: return API_RATE_LIMITED;
    default: return st >= 500 ? API_SERVER_ERROR : API_BAD_REQUEST;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    /* The statuses the API documents come up far more often than the rest of the range. */
    static const int documented[] = {400, 401, 403, 404, 429, 500, 502, 503};
    int st = data[0] < 64 ? documented[data[0] % 8] : 400 + (data[0] - 64) % 200;
    enum api_endpoint ep = (enum api_endpoint)(data[0] % 3);
    struct api_ratelimit rl;
    api_ratelimit_init(&rl);
    rl.retry_after = data[1] == 255 ? -1 : data[1];
    data += 2, size -= 2;

    char *body = malloc(size ? size : 1);
    FUZZ_REQUIRE(body != NULL);
    if (size)
        memcpy(body, data, size);
    struct api_response resp = {.endpoint = ep, .transport = API_TR_OK, .status = st,
                                .body = body, .len = size, .rate = &rl};
    struct api_result r;
    api_interpret(&resp, &r);
    enum api_class want = expected_class(st, body, size);
    free(body);

    fuzz_check_result(&r, st);
    FUZZ_REQUIRE(r.cls == want);
    FUZZ_REQUIRE(r.retry_after == (want == API_RATE_LIMITED ? rl.retry_after : -1));
    char head[8];
    snprintf(head, sizeof head, "%d ", st);
    FUZZ_REQUIRE(strncmp(r.summary, head, strlen(head)) == 0);
    if (r.err.required_scope) {
        FUZZ_REQUIRE(r.err.message && strstr(r.err.message, "Required: "));
        FUZZ_REQUIRE(*r.err.required_scope && !strpbrk(r.err.required_scope, " ,;"));
    }

    struct api_error copy;
    api_error_copy(&copy, &r.err);
    FUZZ_REQUIRE(!copy.trace_id == !r.err.trace_id);
    FUZZ_REQUIRE(!copy.trace_id || strcmp(copy.trace_id, r.err.trace_id) == 0);
    api_error_free(&copy);
    api_result_free(&r);
    return 0;
}
