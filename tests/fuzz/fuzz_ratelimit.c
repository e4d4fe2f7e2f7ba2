/* Response header lines as libcurl's header callback hands them over: the input is split
 * after each '\n', every line goes to api_ratelimit_header in a buffer of exactly its length,
 * and the fields are checked against a plain reading of the same line. */
#include <strings.h>

#include "fuzz.h"

static const char *const names[] = {"X-RateLimit-Limit", "X-RateLimit-Remaining",
                                    "X-RateLimit-Reset", "Retry-After"};

/* Which of names[] the line is ("Name:" with the name in any case), or -1; *v and *n get the
 * value without surrounding blanks and line ending. */
static int model(const char *line, size_t len, const char **v, size_t *n)
{
    for (int i = 0; i < 4; i++) {
        size_t k = strlen(names[i]);
        if (len > k && strncasecmp(line, names[i], k) == 0 && line[k] == ':') {
            const char *b = line + k + 1, *e = line + len;
            while (b < e && (*b == ' ' || *b == '\t'))
                b++;
            while (e > b && strchr(" \t\r\n", e[-1]) && e[-1])
                e--;
            *v = b;
            *n = (size_t)(e - b);
            return i;
        }
    }
    return -1;
}

/* Plain decimal digits, at most 18 of them; else -1. */
static long long model_number(const char *v, size_t n)
{
    if (n == 0 || n > 18)
        return -1;
    long long x = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return -1;
        x = x * 10 + (v[i] - '0');
    }
    return x;
}

static long model_count(const char *v, size_t n)
{
    long long x = model_number(v, n);
    return x > 1000000000LL ? -1 : (long)x;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct api_ratelimit rl;
    api_ratelimit_init(&rl);
    FUZZ_REQUIRE(rl.limit == -1 && rl.remaining == -1 && rl.reset == -1 && rl.retry_after == -1);
    size_t pos = 0;
    while (pos < size) {
        const uint8_t *nl = memchr(data + pos, '\n', size - pos);
        size_t len = nl ? (size_t)(nl - (data + pos)) + 1 : size - pos;
        char *line = malloc(len);
        FUZZ_REQUIRE(line != NULL);
        memcpy(line, data + pos, len);
        pos += len;

        struct api_ratelimit before = rl;
        api_ratelimit_header(&rl, line, len);
        const char *v;
        size_t n;
        int which = model(line, len, &v, &n);
        struct api_ratelimit want = before;
        if (which == 0)
            want.limit = model_count(v, n);
        else if (which == 1)
            want.remaining = model_count(v, n);
        else if (which == 2)
            want.reset = model_number(v, n);
        else if (which == 3)
            want.retry_after = model_count(v, n);
        free(line);
        FUZZ_REQUIRE(rl.limit == want.limit && rl.remaining == want.remaining &&
                     rl.reset == want.reset && rl.retry_after == want.retry_after);
        FUZZ_REQUIRE(rl.limit >= -1 && rl.limit <= 1000000000L);
        FUZZ_REQUIRE(rl.remaining >= -1 && rl.remaining <= 1000000000L);
        FUZZ_REQUIRE(rl.retry_after >= -1 && rl.retry_after <= 1000000000L);
        FUZZ_REQUIRE(rl.reset >= -1);
    }
    return 0;
}
