/* Test support: spawning programs with captured output and a deadline. */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

long long test_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct sink {
    char *buf;
    size_t len, cap;
};

static void sink_add(struct sink *s, const char *data, size_t n)
{
    if (s->len + n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 4096;
        while (cap < s->len + n + 1)
            cap *= 2;
        char *p = realloc(s->buf, cap);
        if (!p)
            abort();
        s->buf = p;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, data, n);
    s->len += n;
    s->buf[s->len] = '\0';
}

static void apply_env(char *const env_extra[])
{
    for (size_t i = 0; env_extra && env_extra[i]; i++) {
        const char *eq = strchr(env_extra[i], '=');
        if (!eq)
            continue;
        char name[256];
        size_t n = (size_t)(eq - env_extra[i]);
        if (n >= sizeof name)
            continue;
        memcpy(name, env_extra[i], n);
        name[n] = '\0';
        if (eq[1] == '\0')
            unsetenv(name);
        else
            setenv(name, eq + 1, 1);
    }
}

int proc_run(char *const argv[], char *const env_extra[], const char *stdin_data, int timeout_ms,
             struct proc_result *r)
{
    memset(r, 0, sizeof *r);
    int outp[2], errp[2], inp[2];
    if (pipe2(outp, O_CLOEXEC) < 0)
        return -1;
    if (pipe2(errp, O_CLOEXEC) < 0) {
        close(outp[0]), close(outp[1]);
        return -1;
    }
    if (pipe2(inp, O_CLOEXEC) < 0) {
        close(outp[0]), close(outp[1]), close(errp[0]), close(errp[1]);
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        setpgid(0, 0);
        dup2(inp[0], 0);
        dup2(outp[1], 1);
        dup2(errp[1], 2);
        apply_env(env_extra);
        execv(argv[0], argv);
        fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(inp[0]);
    close(outp[1]);
    close(errp[1]);
    /* The child may not read its stdin at all: feed it without blocking. */
    signal(SIGPIPE, SIG_IGN);
    size_t in_left = stdin_data ? strlen(stdin_data) : 0;
    const char *in_p = stdin_data;
    if (in_left == 0) {
        close(inp[1]);
        inp[1] = -1;
    } else {
        fcntl(inp[1], F_SETFL, O_NONBLOCK);
    }

    struct sink out = {0}, err = {0};
    sink_add(&out, "", 0);
    sink_add(&err, "", 0);
    long long deadline = test_now_ms() + timeout_ms;
    int open_fds = 2;
    while (open_fds > 0) {
        struct pollfd pfd[3] = {{outp[0], POLLIN, 0}, {errp[0], POLLIN, 0}, {inp[1], POLLOUT, 0}};
        long long left = deadline - test_now_ms();
        if (left <= 0) {
            r->timed_out = true;
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            break;
        }
        int n = poll(pfd, inp[1] >= 0 ? 3 : 2, (int)left);
        if (n < 0 && errno == EINTR)
            continue;
        for (int i = 0; i < 2; i++) {
            if (pfd[i].fd < 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char buf[8192];
            ssize_t got = read(pfd[i].fd, buf, sizeof buf);
            if (got > 0) {
                sink_add(i == 0 ? &out : &err, buf, (size_t)got);
            } else if (got == 0 || errno != EINTR) {
                close(pfd[i].fd);
                if (i == 0)
                    outp[0] = -1;
                else
                    errp[0] = -1;
                open_fds--;
            }
        }
        if (inp[1] >= 0 && (pfd[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t w = write(inp[1], in_p, in_left);
            if (w > 0) {
                in_p += w;
                in_left -= (size_t)w;
            }
            if (w < 0 || in_left == 0) {
                close(inp[1]);
                inp[1] = -1;
            }
        }
    }
    if (outp[0] >= 0)
        close(outp[0]);
    if (errp[0] >= 0)
        close(errp[0]);
    if (inp[1] >= 0)
        close(inp[1]);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    r->out = out.buf;
    r->out_len = out.len;
    r->err = err.buf;
    r->err_len = err.len;
    return 0;
}

void proc_result_free(struct proc_result *r)
{
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof *r);
}

const char *test_build_dir(void)
{
    const char *b = getenv("MAXDASH_BUILD");
    return b && *b ? b : "build";
}

const char *test_src_dir(void)
{
    const char *s = getenv("MAXDASH_SRC");
    return s && *s ? s : ".";
}

const char *test_program(const char *name, char buf[], size_t size)
{
    snprintf(buf, size, "%s/%s", test_build_dir(), name);
    return buf;
}

char *test_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char *path = NULL;
    if (asprintf(&path, "%s/maxdash-test.XXXXXX", base && *base ? base : "/tmp") < 0)
        abort();
    if (!mkdtemp(path))
        abort();
    return path;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

void test_rmtree(const char *path)
{
    if (path)
        nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

bool test_write_file(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return false;
    size_t len = strlen(text);
    bool ok = write(fd, text, len) == (ssize_t)len;
    ok = fchmod(fd, mode) == 0 && ok;
    return close(fd) == 0 && ok;
}
