/* log --follow. The file is identified by device and inode: when the name points at another
 * file (a rotation renamed ours away), the old one is read to its end, then the new one from
 * its start. A file that shrinks under us was truncated (copytruncate): read again from 0.
 * inotify on the directory wakes us when anything there changes; a 1 s timeout covers
 * filesystems without inotify events (NFS) without spinning. */
#include "logfollow.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "authlog.h"
#include "util.h"

#define LINE_MAX_BYTES (64 * 1024) /* a record is at most a few KiB (authlog's limits) */
#define WAKE_MS 1000

struct follower {
    const char *path;
    int fd;              /* -1: the file does not exist (yet) */
    dev_t dev;
    ino_t ino;
    off_t off;           /* next byte to read */
    char *part;          /* an incomplete last line */
    size_t npart;
    bool skipping;       /* inside an over-long line: dropped up to its '\n' */
    logfollow_emit emit;
    void *ctx;
};

static void open_current(struct follower *f, bool at_end)
{
    int fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return;
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return;
    }
    f->fd = fd;
    f->dev = st.st_dev;
    f->ino = st.st_ino;
    f->off = at_end ? st.st_size : 0;
    f->npart = 0;
    f->skipping = false;
}

/* Emits each complete line of data; false when emit asked to stop. */
static bool take(struct follower *f, const char *data, size_t n)
{
    while (n > 0) {
        const char *nl = memchr(data, '\n', n);
        size_t len = nl ? (size_t)(nl - data) : n;
        if (!f->skipping) {
            if (f->npart + len > LINE_MAX_BYTES) {
                f->skipping = true;
                f->npart = 0;
            } else {
                f->part = xrealloc(f->part, f->npart + len + 1);
                memcpy(f->part + f->npart, data, len);
                f->npart += len;
            }
        }
        if (!nl)
            return true;
        if (!f->skipping && f->npart) {
            struct authlog_record r;
            if (authlog_parse_line(f->part, f->npart, &r)) {
                bool go = f->emit(&r, f->ctx);
                authlog_record_free(&r);
                if (!go)
                    return false;
            }
        }
        f->npart = 0;
        f->skipping = false;
        data = nl + 1;
        n -= len + 1;
    }
    return true;
}

/* Reads what was appended since f->off; false when emit asked to stop. */
static bool drain(struct follower *f)
{
    if (f->fd < 0)
        return true;
    struct stat st;
    if (fstat(f->fd, &st) == 0 && st.st_size < f->off) {
        f->off = 0; /* truncated (copytruncate): what is there now is new */
        f->npart = 0;
    }
    char buf[16384];
    for (;;) {
        ssize_t r = pread(f->fd, buf, sizeof buf, f->off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return true;
        f->off += r;
        if (!take(f, buf, (size_t)r))
            return false;
    }
}

/* After draining: does the name now point at another file? Then switch to it. */
static void follow_name(struct follower *f)
{
    struct stat st;
    if (stat(f->path, &st) < 0)
        return; /* renamed away, not recreated yet: keep reading the old one */
    if (f->fd >= 0 && st.st_dev == f->dev && st.st_ino == f->ino)
        return;
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
    open_current(f, false);
}

static int watch_dir(const char *path)
{
    int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (in < 0)
        return -1;
    const char *slash = strrchr(path, '/');
    char *dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
    int wd = inotify_add_watch(in, dir, IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM |
                                            IN_DELETE | IN_CLOSE_WRITE | IN_ATTRIB);
    free(dir);
    if (wd < 0) {
        close(in);
        return -1;
    }
    return in;
}

bool logfollow_run(const char *path, logfollow_emit emit, void *ctx, char *err, size_t errsize)
{
    struct follower f = {.path = path, .fd = -1, .emit = emit, .ctx = ctx};
    open_current(&f, true);
    int in = watch_dir(path);
    const char *ready = getenv("MAXDASH_FOLLOW_READY");
    if (ready && *ready) {
        int fd = open(ready, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        if (fd >= 0)
            close(fd);
    }
    bool ok = true;
    for (;;) {
        if (!drain(&f))
            break;
        follow_name(&f);
        if (!drain(&f))
            break;
        if (in < 0) {
            poll(NULL, 0, WAKE_MS);
            continue;
        }
        struct pollfd p = {.fd = in, .events = POLLIN};
        int r = poll(&p, 1, WAKE_MS);
        if (r < 0 && errno != EINTR) {
            bprintf(err, errsize, "cannot wait for the log: %s", strerror(errno));
            ok = false;
            break;
        }
        char ev[4096];
        while (read(in, ev, sizeof ev) > 0) {
        }
    }
    if (f.fd >= 0)
        close(f.fd);
    if (in >= 0)
        close(in);
    free(f.part);
    return ok;
}
