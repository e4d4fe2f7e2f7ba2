/* Test support: run a program with captured output and a deadline; locate the build. */
#ifndef MAXDASH_TEST_PROC_H
#define MAXDASH_TEST_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct proc_result {
    int status;      /* exit status, or 128 + signal number */
    bool timed_out;  /* killed at the deadline */
    char *out;       /* NUL-terminated stdout (owned; may hold NULs before the end) */
    size_t out_len;
    char *err;       /* NUL-terminated stderr (owned) */
    size_t err_len;
};

/* Runs argv[0] (a path) with argv, the current environment plus env_extra ("NAME=value"
 * entries, NULL-terminated, may be NULL; "NAME=" with nothing after unsets NAME), stdin fed
 * from stdin_data (NULL: /dev/null), and kills it after timeout_ms. Returns 0, or -1 when it
 * could not be started. Free the result with proc_result_free. */
int proc_run(char *const argv[], char *const env_extra[], const char *stdin_data, int timeout_ms,
             struct proc_result *r);
void proc_result_free(struct proc_result *r);

/* $MAXDASH_BUILD (absolute build dir set by make), else "build". */
const char *test_build_dir(void);
/* $MAXDASH_SRC (the source tree), else ".". */
const char *test_src_dir(void);
/* Path of a built program, e.g. test_program("maxdash"); static storage, one per call site. */
const char *test_program(const char *name, char buf[], size_t size);
/* A fresh private temporary directory (mode 0700); the caller frees the string and may remove
 * it with test_rmtree. */
char *test_tmpdir(void);
void test_rmtree(const char *path);
/* Writes text to path with the given mode (created or truncated); false on failure. */
bool test_write_file(const char *path, const char *text, mode_t mode);
/* Milliseconds on CLOCK_MONOTONIC. */
long long test_now_ms(void);

#endif
