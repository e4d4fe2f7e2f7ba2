/* Test support for `maxdash check` against maxdash-sandbox: a private directory with a config,
 * the real build/maxdash run with a deadline, and the invariants every run must keep checked
 * on the spot (no crash, no sanitizer report, no whole key in stdout/stderr/the log file, no
 * terminal control byte in stdout/stderr).
 *
 * The config always defines one [key] per key of sandbox_test_data (sandbox_proc.h), each read
 * from an environment variable that chk_run sets; orgs refer to them by these names:
 *   active, revoked, expired, appts, mescope, meok, other, unknown
 * Nothing here ever prints a whole key: leaks are reported by the key's macro name. */
#ifndef MAXDASH_TEST_CHECK_SUPPORT_H
#define MAXDASH_TEST_CHECK_SUPPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "proc.h"
#include "sandbox_proc.h"

/* One [org] section. */
#define CHK_ORG(name, id, key) "[org \"" name "\"]\nid = " id "\nkey = " key "\n"

struct chk {
    char *dir;            /* private temp dir */
    char cfg[4096];       /* DIR/config.ini */
    char log[4096];       /* DIR/state/auth.jsonl (log_file of every config written here) */
    char maxdash[4096];   /* build/maxdash */
};

struct chk_out {
    struct proc_result r;
    long long elapsed_ms; /* wall time of the whole run */
    json_t *doc;          /* stdout parsed, when --json was given and the status is not 2 */
};

void chk_init(struct chk *c);
void chk_free(struct chk *c);

/* Writes c->cfg (mode 0600): [maxdash] with base_url (omitted when NULL), log_file = c->log,
 * then `settings` (more [maxdash] lines, may be NULL), every test key, then `orgs`. */
void chk_config(struct chk *c, const char *base_url, const char *settings, const char *orgs);
/* Writes text as c->cfg verbatim (mode 0600). */
void chk_config_raw(struct chk *c, const char *text);
/* The [key] sections chk_config writes (static). */
const char *chk_key_sections(void);

/* Runs `maxdash check -c CFG ARGS...` (args NULL-terminated, may be NULL) with the test keys
 * in the environment plus env (NULL-terminated "NAME=value", may be NULL), HOME in the test
 * dir, LC_ALL=C.UTF-8 and no proxy variables, killed after deadline_ms. Asserts that it
 * finished in time, was not killed by a signal, left no sanitizer report, that no whole key
 * is in its stdout, stderr or the log file, and that stdout and stderr hold no control byte
 * (see chk_bad_byte). With "--json" among args and an exit status other than 2, asserts that
 * stdout is one JSON object with an "orgs" array and keeps it in o->doc. */
void chk_run_env(struct chk *c, const char *const *args, const char *const *env, int deadline_ms,
                 struct chk_out *o);
void chk_run(struct chk *c, const char *const *args, int deadline_ms, struct chk_out *o);
void chk_out_free(struct chk_out *o);

/* The offset of the first byte of s[0..n) that must never reach a terminal, or -1: invalid
 * UTF-8, C0 controls but '\n' and '\t', DEL, C1 controls (U+0080..U+009F), bidi embeddings,
 * overrides and isolates (U+202A..U+202E, U+2066..U+2069). */
long chk_bad_byte(const char *s, size_t n);
/* A string anywhere inside v (values and object keys) that holds such a character, or NULL. */
const char *chk_bad_string(json_t *v);
/* Whether some string anywhere inside v contains needle. */
bool chk_json_contains(json_t *v, const char *needle);

/* The org object named name in doc.orgs (asserts it is there exactly once). */
json_t *chk_org(json_t *doc, const char *name);
/* Asserts org.<probe> ("me" or "patients") has class cls and ok == (cls is "ok"); http_status
 * > 0: that status; 0: null; -1: not checked. */
void chk_assert_probe(json_t *org, const char *probe, const char *cls, int http_status);

/* The log file as an array of records; asserts every line is one JSON object ending in '\n'.
 * An absent file is an empty array. Caller decrefs. */
json_t *chk_log(const struct chk *c);
/* The first record with this org, a path starting with path_prefix and (when not NULL) this
 * trace_id; NULL when there is none. Borrowed from log. */
json_t *chk_log_find(json_t *log, const char *org, const char *path_prefix, const char *trace_id);

/* The text report's row of org `name` (a copy without the newline; caller frees), or NULL. */
char *chk_text_row(const char *out, const char *name);
/* Number of lines of text (a last line without '\n' counts). */
size_t chk_count_lines(const char *text);
/* Asserts the text report's shape: org rows (starting "ok " or "FAIL "), each possibly
 * followed by indented lines (details of that org), then exactly one last line, the summary;
 * returns the number of org rows. */
size_t chk_text_rows(const char *out);

/* A loopback TCP port that nothing listens on (bound, then closed). */
int chk_refused_port(void);
/* A self-signed certificate for 127.0.0.1 made with the openssl CLI into dir/cert.pem and
 * dir/key.pem; the paths are written to cert and key. */
void chk_make_cert(const char *dir, char cert[], size_t cert_size, char key[], size_t key_size);

/* DELETE /_sandbox/stats, and the stats as JSON (caller decrefs). */
void chk_reset_stats(const struct sandbox *sb);
json_t *chk_stats(const struct sandbox *sb);

#endif
