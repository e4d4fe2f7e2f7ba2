/* Clipboard transports (see clip.h). A copy_command or tmux child is never waited for in the
 * loop: the loop polls clip_poll each turn and the stderr pipe wakes it when the child ends. */
#include "clip.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "text.h"
#include "util.h"

const char *clip_via_name(enum clip_via via)
{
    switch (via) {
    case CLIP_OSC52: return "OSC 52";
    case CLIP_OSC52_TMUX: return "OSC 52 in tmux passthrough";
    case CLIP_TMUX: return "tmux load-buffer -w";
    default: return "copy_command";
    }
}

static void base64(const char *in, size_t len, char *out)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned char)in[i] << 16;
        if (i + 1 < len)
            v |= (unsigned char)in[i + 1] << 8;
        if (i + 2 < len)
            v |= (unsigned char)in[i + 2];
        out[o++] = tbl[(v >> 18) & 63];
        out[o++] = tbl[(v >> 12) & 63];
        out[o++] = i + 1 < len ? tbl[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < len ? tbl[v & 63] : '=';
    }
    out[o] = '\0';
}

bool clip_osc52(int fd, const char *text, bool tmux)
{
    size_t len = strlen(text);
    char *enc = xmalloc(len * 4 / 3 + 8);
    base64(text, len, enc);
    /* tmux passes a DCS "tmux;" sequence to the outer terminal with every ESC doubled. */
    char *seq = tmux ? xasprintf("\033Ptmux;\033\033]52;c;%s\a\033\\", enc)
                     : xasprintf("\033]52;c;%s\a", enc);
    size_t n = strlen(seq), off = 0;
    bool ok = true;
    while (off < n) {
        ssize_t w = write(fd, seq + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            ok = false;
            break;
        }
        off += (size_t)w;
    }
    free(seq);
    free(enc);
    return ok;
}

bool clip_start(struct clip_job *job, enum clip_via via, const char *const *argv,
                const char *text, const char *what, char *err, size_t errsize)
{
    memset(job, 0, sizeof *job);
    job->err_fd = -1;
    int in[2], errp[2];
    if (pipe2(in, O_CLOEXEC) != 0) {
        bprintf(err, errsize, "pipe: %s", strerror(errno));
        return false;
    }
    if (pipe2(errp, O_CLOEXEC) != 0) {
        bprintf(err, errsize, "pipe: %s", strerror(errno));
        close(in[0]);
        close(in[1]);
        return false;
    }
    pid_t pid = fork();
    if (pid < 0) {
        bprintf(err, errsize, "fork: %s", strerror(errno));
        close(in[0]);
        close(in[1]);
        close(errp[0]);
        close(errp[1]);
        return false;
    }
    if (pid == 0) {
        /* Only the three descriptors survive: no socket, log or terminal of ours leaks in. */
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        dup2(in[0], STDIN_FILENO);
        dup2(null >= 0 ? null : errp[1], STDOUT_FILENO);
        dup2(errp[1], STDERR_FILENO);
        closefrom(3);
        setsid(); /* off the terminal: it must not read keys or draw */
        signal(SIGPIPE, SIG_DFL);
        execvp(argv[0], (char *const *)argv);
        dprintf(STDERR_FILENO, "%s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(in[0]);
    close(errp[1]);
    fcntl(errp[0], F_SETFL, fcntl(errp[0], F_GETFL) | O_NONBLOCK);
    /* The text is small (a trace_id, a note of at most 200 trace_ids, a command): it fits the
     * pipe's buffer. Non-blocking all the same, so that a child that does not read can never
     * freeze the loop; a child that exits without reading gives EPIPE (SIGPIPE is ignored),
     * which its exit status reports. */
    fcntl(in[1], F_SETFL, fcntl(in[1], F_GETFL) | O_NONBLOCK);
    size_t len = strlen(text), off = 0;
    while (off < len) {
        ssize_t w = write(in[1], text + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    close(in[1]);
    job->truncated = off < len;
    job->pid = pid;
    job->err_fd = errp[0];
    job->via = via;
    job->what = xstrdup(what);
    job->text = xstrdup(text);
    return true;
}

static void read_err(struct clip_job *job)
{
    while (job->err_fd >= 0) {
        char buf[256];
        ssize_t n = read(job->err_fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return; /* EAGAIN: nothing more for now */
        if (n == 0) {
            close(job->err_fd);
            job->err_fd = -1;
            return;
        }
        size_t room = sizeof job->err - 1 - job->err_len;
        size_t take = (size_t)n < room ? (size_t)n : room;
        memcpy(job->err + job->err_len, buf, take);
        job->err_len += take;
        job->err[job->err_len] = '\0';
    }
}

bool clip_poll(struct clip_job *job, int *status)
{
    if (!job->pid)
        return false;
    read_err(job);
    pid_t r = waitpid(job->pid, status, WNOHANG);
    if (r != job->pid)
        return false;
    read_err(job); /* what it wrote just before exiting */
    job->pid = 0;
    return true;
}

void clip_failure_text(const struct clip_job *job, int status, char *buf, size_t size)
{
    buf[0] = '\0';
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        /* Success only if the text got there: a child that ends without reading it (EPIPE)
         * or one that would not take it at once did not copy it. */
        if (job->truncated)
            bprintf(buf, size, "exit status 0 without reading the whole text");
        return;
    }
    char first[sizeof job->err];
    size_t n = strcspn(job->err, "\n");
    memcpy(first, job->err, n);
    first[n] = '\0';
    /* The user's own program's words, cleaned: no control character reaches the screen. */
    char *clean = text_clean(first);
    if (WIFEXITED(status))
        bprintf(buf, size, "exit status %d%s%s", WEXITSTATUS(status), clean[0] ? ": " : "",
                clean);
    else
        bprintf(buf, size, "killed by signal %d%s%s", WIFSIGNALED(status) ? WTERMSIG(status) : 0,
                clean[0] ? ": " : "", clean);
    free(clean);
}

void clip_job_free(struct clip_job *job)
{
    if (job->err_fd >= 0)
        close(job->err_fd);
    free(job->what);
    free(job->text);
    memset(job, 0, sizeof *job);
    job->err_fd = -1;
}
