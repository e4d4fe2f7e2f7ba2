#include "testing.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clip.h"

/* Polls the job until it ends, with a 5 s deadline (the child's stderr wakes us up). */
static int wait_job(struct clip_job *job)
{
    int status = -1;
    for (int i = 0; i < 500; i++) {
        if (clip_poll(job, &status))
            return status;
        struct pollfd p = {.fd = job->err_fd, .events = POLLIN};
        poll(&p, job->err_fd >= 0 ? 1 : 0, 10);
    }
    ck_abort_msg("the copy child did not end within 5 s");
    return status;
}

START_TEST(a_copy_command_gets_the_text_and_its_failures_are_told)
{
    char dir[] = "/tmp/maxdash-clip-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char *cmd = NULL, *out = NULL;
    ck_assert_int_ge(asprintf(&out, "%s/out", dir), 0);
    ck_assert_int_ge(asprintf(&cmd, "cat >'%s'", out), 0);
    const char *ok[] = {"/bin/sh", "-c", cmd, NULL};
    struct clip_job job;
    char err[256], why[320];
    ck_assert(clip_start(&job, CLIP_COMMAND, ok, "550e8400-trace", "trace_id", err, sizeof err));
    int st = wait_job(&job);
    clip_failure_text(&job, st, why, sizeof why);
    ck_assert_str_eq(why, "");
    FILE *f = fopen(out, "r");
    ck_assert_ptr_nonnull(f);
    char got[64] = "";
    ck_assert_ptr_nonnull(fgets(got, sizeof got, f));
    fclose(f);
    ck_assert_str_eq(got, "550e8400-trace");
    clip_job_free(&job);

    const char *bad[] = {"/bin/sh", "-c", "echo 'no display' >&2; exit 3", NULL};
    ck_assert(clip_start(&job, CLIP_COMMAND, bad, "x", "trace_id", err, sizeof err));
    st = wait_job(&job);
    clip_failure_text(&job, st, why, sizeof why);
    ck_assert_str_eq(why, "exit status 3: no display");
    clip_job_free(&job);

    const char *missing[] = {"maxdash-no-such-program", NULL};
    ck_assert(clip_start(&job, CLIP_TMUX, missing, "x", "trace_id", err, sizeof err));
    st = wait_job(&job);
    clip_failure_text(&job, st, why, sizeof why);
    ck_assert_ptr_nonnull(strstr(why, "exit status 127: maxdash-no-such-program: "));
    clip_job_free(&job);

    /* Control characters in the child's stderr never reach the status line. */
    const char *esc[] = {"/bin/sh", "-c", "printf 'a\\033]0;pwned\\007b' >&2; exit 1", NULL};
    ck_assert(clip_start(&job, CLIP_COMMAND, esc, "x", "trace_id", err, sizeof err));
    st = wait_job(&job);
    clip_failure_text(&job, st, why, sizeof why);
    ck_assert_ptr_null(strchr(why, '\033'));
    ck_assert_ptr_null(strchr(why, '\007'));
    clip_job_free(&job);
    unlink(out);
    rmdir(dir);
    free(out);
    free(cmd);
}
END_TEST

START_TEST(osc52_plain_and_wrapped_for_tmux)
{
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    ck_assert(clip_osc52(p[1], "hi!", false));
    ck_assert(clip_osc52(p[1], "hi!", true));
    close(p[1]);
    char buf[128] = "";
    ssize_t n = read(p[0], buf, sizeof buf - 1);
    close(p[0]);
    ck_assert_int_gt(n, 0);
    ck_assert_str_eq(buf, "\033]52;c;aGkh\a\033Ptmux;\033\033]52;c;aGkh\a\033\\");
}
END_TEST

SUITE(clip)
{
    Suite *s = suite_create("clip");
    TCase *tc = tcase_create("clip");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, a_copy_command_gets_the_text_and_its_failures_are_told);
    tcase_add_test(tc, osc52_plain_and_wrapped_for_tmux);
    suite_add_tcase(s, tc);
    return s;
}
