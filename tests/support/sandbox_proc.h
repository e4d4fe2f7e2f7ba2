/* Test support: run maxdash-sandbox on a free loopback port for one test.
 *
 * sandbox_start writes the data file into a fresh temporary directory, starts
 * $(BUILD)/maxdash-sandbox --port 0 --port-file DIR/port --quiet --data DIR/data.json plus the
 * extra arguments, and waits (with a deadline, never a fixed sleep) for its
 * "listening on http(s)://HOST:PORT/v1" line on stdout. Its stderr goes to DIR/stderr.log.
 * Every started sandbox is also killed when the test process exits (even after a failed
 * assertion), and it dies with its parent (PR_SET_PDEATHSIG). */
#ifndef MAXDASH_TEST_SANDBOX_PROC_H
#define MAXDASH_TEST_SANDBOX_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct sandbox_opts {
    const char *data;               /* data file text (NULL: no --data at all) */
    const char *const *extra;       /* extra arguments, NULL-terminated (may be NULL) */
    bool verbose;                   /* leave out --quiet (request log on stderr) */
    int start_timeout_ms;           /* 0: 5000 */
};

struct sandbox {
    pid_t pid;                      /* 0 once stopped */
    int out_fd;                     /* read end of its stdout (kept open until stop) */
    char *dir;                      /* private temp dir: data.json, port, stderr.log */
    char *data_path;
    char *port_path;
    char *err_path;
    int port;
    bool tls;
    char listen_line[256];          /* the whole "listening on ..." line, without newline */
    char base_url[160];             /* e.g. http://127.0.0.1:PORT/v1 (as printed) */
    char root_url[160];             /* the same without /v1 */
    long long started_ms;           /* test_now_ms() just before it was started */
};

/* Starts a sandbox. Returns true once it printed its listening line; on failure (it exited,
 * or no line before the deadline) returns false, sb->pid is 0 and *why (if given) holds a short
 * static description; the temp dir is kept for sandbox_stderr(). */
bool sandbox_start_opts(struct sandbox *sb, const struct sandbox_opts *opts, const char **why);
/* Shorthand: data text plus extra args (NULL-terminated list, may be NULL), --quiet. Fails the
 * current test (ck_abort) when it cannot start, printing the sandbox's stderr. */
void sandbox_start(struct sandbox *sb, const char *data, const char *const extra[]);

/* SIGTERM, wait up to timeout_ms (0: 5000), then SIGKILL. Returns the exit status, 128 + the
 * signal for a signalled exit, or -1 when it had to be killed at the deadline. */
int sandbox_stop_sig(struct sandbox *sb, int sig, int timeout_ms);
int sandbox_stop(struct sandbox *sb);
/* Stops it if still running, removes the temp dir, frees everything. */
void sandbox_free(struct sandbox *sb);

/* The sandbox's stderr so far (owned by the caller, NUL-terminated, never NULL). */
char *sandbox_stderr(const struct sandbox *sb);
/* Waits up to timeout_ms until the stderr log contains needle; true when it did. */
bool sandbox_wait_stderr(const struct sandbox *sb, const char *needle, int timeout_ms);

/* Builds "<base_url><path>" / "<root_url><path>" into buf. */
const char *sandbox_url(const struct sandbox *sb, const char *path, char *buf, size_t size);
const char *sandbox_root(const struct sandbox *sb, const char *path, char *buf, size_t size);

/* Unchecked fixtures for a TCase (they run in the runner process, around all its forked
 * tests): setup makes a private directory and points $TMPDIR at it, so that every temp dir of
 * the tests lands there; teardown removes it, even what failed tests (which end with _exit)
 * left behind, and restores $TMPDIR. */
void sandbox_tmp_setup(void);
void sandbox_tmp_teardown(void);

/* Reads a whole file (NULL on error); *len gets its size when len is not NULL. */
char *test_read_file(const char *path, size_t *len);

/* ---- Helpers shared by the sandbox integration tests ------------------------------------ */

#include <check.h>
#include <jansson.h>

#include "http.h"

/* The keys of sandbox_test_data. Their random parts are 19..20 characters, so a masked form
 * shows "max_dev_ak_" + 3 + ellipsis + 3; the last three characters differ between keys. */
#define K_ACTIVE  "max_dev_ak_TESTactive0000000001"   /* app_test: read:patients, read:appointments */
#define K_REVOKED "max_dev_ak_TESTrevoked000000002"   /* app_test, state revoked */
#define K_EXPIRED "max_dev_ak_TESTexpired000000003"   /* app_test, state expired */
#define K_APPTS   "max_dev_ak_TESTappts00000000004"   /* app_test: read:appointments only */
#define K_MESCOPE "max_dev_ak_TESTmescope00000005"    /* app_test: read:patients, me_requires_scope */
#define K_MEOK    "max_dev_ak_TESTmeok00000000006"    /* app_test: + read:marketplace, me_requires */
#define K_OTHER   "max_dev_ak_TESTother000000007"     /* app_other: read:patients */
#define K_UNKNOWN "max_dev_ak_TESTunknown0000008"     /* not in the file */

#define PAT_SARAH "pat_01J5K8N2XRQV3M7YGWT4HB6E9C"
#define PAT_JOSE  "pat_01J5K8N2XRQV3M7YGWT4HB6E9D"
#define PAT_JOHN  "pat_01J5K8N2XRQV3M7YGWT4HB6E9E"
#define PAT_ANA   "3f6c1d2e-8a4b-4c5d-9e7f-0a1b2c3d4e5f"
#define PAT_WEI   "pat_0123456789abcdef0123456789abcdef"

/* Orgs: org_a (app_test with read:patients, read:appointments, read:marketplace; app_other
 * with read:patients, read:appointments; the 5 patients above), org_noscope (app_test with
 * read:appointments, read:marketplace), org_none (nothing installed), org_gen (app_test with
 * read:patients; 250 generated patients, seed 7), org_empty (app_test with read:patients; no
 * patients). Apps: app_test (slug test-app, liveVersionId ver_1), app_other (defaults). */
extern const char sandbox_test_data[];
/* The org_a patient PAT_SARAH exactly as in the data file. */
extern const char sandbox_test_sarah[];

/* Each returns NULL when the answer is as expected, else a description (static storage). */
const char *sbt_check_error(const struct http_resp *r, long status, const char *code,
                            const char *message);
const char *sbt_check_ok(const struct http_resp *r, json_t **root);
const char *sbt_check_ratelimit(const struct http_resp *r);
bool sbt_is_uuid_v4(const char *s);

#define ASSERT_API_ERROR(r, status, code, message)                             \
    do {                                                                       \
        const char *why_ = sbt_check_error((r), (status), (code), (message));  \
        ck_assert_msg(why_ == NULL, "%s", why_);                               \
    } while (0)
/* Asserts a 200 success envelope {"code":"success","data":...}; sets root (decref it). */
#define ASSERT_API_OK(r, root)                                                 \
    do {                                                                       \
        const char *why_ = sbt_check_ok((r), &(root));                         \
        ck_assert_msg(why_ == NULL, "%s", why_);                               \
    } while (0)
#define ASSERT_RATELIMIT(r)                                                    \
    do {                                                                       \
        const char *why_ = sbt_check_ratelimit(r);                             \
        ck_assert_msg(why_ == NULL, "%s", why_);                               \
    } while (0)

/* json value at a dotted path ("data.pagination.totalCount"; "a.0" indexes arrays), or NULL. */
json_t *sbt_jget(json_t *root, const char *path);
/* Integer at path, or LLONG_MIN when absent or not an integer. */
long long sbt_jint(json_t *root, const char *path);
/* String at path, or NULL. */
const char *sbt_jstr(json_t *root, const char *path);
/* Whether the JSON array at path holds exactly these strings in any order (NULL-terminated). */
bool sbt_jstrset(json_t *root, const char *path, const char *const want[]);

/* GET base_url + path with key/org (either NULL); the answer in r (free it). */
void sbt_get(const struct sandbox *sb, const char *path, const char *key, const char *org,
             struct http_resp *r);
/* method on root_url + path (e.g. "/_sandbox/faults") with an optional JSON body. */
void sbt_ctl(const struct sandbox *sb, const char *method, const char *path, const char *body,
             struct http_resp *r);
/* The JSON answer of a control request that must answer `status`; caller decrefs. */
json_t *sbt_ctl_json(const struct sandbox *sb, const char *method, const char *path,
                     const char *body, long status);
/* Adds a fault (asserts 201 {"id": N}) and returns its id. */
long long sbt_add_fault(const struct sandbox *sb, const char *json_text);
/* DELETE /_sandbox/faults, asserting a 2xx. */
void sbt_clear_faults(const struct sandbox *sb);
/* Polls GET /_sandbox/stats until the integer at path equals want or timeout_ms passes;
 * returns the last value seen. */
long long sbt_wait_stat(const struct sandbox *sb, const char *path, long long want,
                        int timeout_ms);

#endif
