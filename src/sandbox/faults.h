/* Injected faults: what they are, how they are parsed from the control API, which requests
 * they match. Not thread-safe: the server holds its lock around these calls. */
#ifndef SANDBOX_FAULTS_H
#define SANDBOX_FAULTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum sb_fault_kind {
    SB_FAULT_LATENCY,
    SB_FAULT_HANG,
    SB_FAULT_STATUS,
    SB_FAULT_HTML,
    SB_FAULT_TRUNCATE,
    SB_FAULT_INVALID_JSON,
    SB_FAULT_WRONG_TYPES,
    SB_FAULT_OVERSIZE,
    SB_FAULT_RESET,
    SB_FAULT_TRICKLE,
    SB_FAULT_NUL_FIELD,   /* the usual 200, each patient's lastName holding a NUL */
    SB_FAULT_HUGE_NUMBER, /* the usual 200, with an unknown field of 9223372036854775808 */
    SB_FAULT_RATE_HEADERS, /* the usual answer with rewritten X-RateLimit-* headers */
};

struct sb_fault {
    long id;
    enum sb_fault_kind kind;
    char *org;     /* NULL: every org */
    char *path;    /* NULL: every path; without the /v1 prefix */
    int status;
    char *code;    /* NULL: the contract's code for status */
    char *message; /* NULL: the contract's message for status */
    long ms;
    long bytes;
    long retry_after;
    bool wire;
    bool retry_after_date; /* Retry-After as an HTTP-date, retry_after seconds ahead */
    bool reset_ms;         /* X-RateLimit-Reset in Unix milliseconds */
    long remaining;        /* X-RateLimit-Remaining sent instead of the real one; -1 real */
    long count;    /* requests left; -1 unlimited */
};

struct sb_faults {
    struct sb_fault *items;
    size_t len;
    long next_id;
};

/* Parses a control-API body into *f (owned strings; free with sb_fault_clear). On error
 * returns false with a message in err. */
bool sb_fault_parse(json_t *body, struct sb_fault *f, char *err, size_t errsize);
void sb_fault_clear(struct sb_fault *f);
/* Deep copy (owned by dst). */
void sb_fault_copy(struct sb_fault *dst, const struct sb_fault *src);
const char *sb_fault_kind_name(enum sb_fault_kind kind);
json_t *sb_fault_json(const struct sb_fault *f);

/* Adds f (taking its strings) and returns its id. */
long sb_faults_add(struct sb_faults *fs, struct sb_fault *f);
bool sb_faults_remove(struct sb_faults *fs, long id);
void sb_faults_clear(struct sb_faults *fs);
bool sb_faults_has(const struct sb_faults *fs, long id);

/* For a request to path (relative to /v1) on org (may be NULL): sums the matching latency
 * faults into *latency_ms and copies the newest other matching fault into *hit (returns true;
 * free hit with sb_fault_clear). Counts of every fault applied are consumed. */
bool sb_faults_match(struct sb_faults *fs, const char *org, const char *path, long *latency_ms,
                     struct sb_fault *hit);

#endif
