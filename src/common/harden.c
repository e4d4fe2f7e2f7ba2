/* Process hardening for a program that holds API keys: see harden.h. */
#include "harden.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

void harden_no_dump(void)
{
    prctl(PR_SET_DUMPABLE, 0L, 0L, 0L, 0L);
}

void harden_cloexec_all(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return;
    int self = dirfd(d);
    struct dirent *ent;
    while ((ent = readdir(d))) {
        char *end;
        long fd = strtol(ent->d_name, &end, 10);
        if (*end || end == ent->d_name || fd <= 2 || fd == self)
            continue;
        int flags = fcntl((int)fd, F_GETFD);
        if (flags >= 0 && !(flags & FD_CLOEXEC))
            fcntl((int)fd, F_SETFD, flags | FD_CLOEXEC);
    }
    closedir(d);
}

void harden_close_from(int lowfd)
{
    if (close_range((unsigned)lowfd, ~0U, 0) == 0)
        return;
    /* Kernels before 5.9: every possible descriptor, the slow way. */
    struct rlimit rl;
    long max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY
                   ? (long)rl.rlim_cur : 65536;
    for (long fd = lowfd; fd < max; fd++)
        close((int)fd);
}
