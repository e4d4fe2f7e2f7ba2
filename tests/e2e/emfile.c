/* emfile.so: an LD_PRELOAD shim for test_nofile.sh. Every AF_INET/AF_INET6 socket() fails with
 * EMFILE, as when a process has used up its descriptors: how maxdash names that (a local limit,
 * not the API) can be tested without exhausting anything. Other sockets pass through. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <sys/socket.h>

int socket(int domain, int type, int protocol)
{
    if (domain == AF_INET || domain == AF_INET6) {
        errno = EMFILE;
        return -1;
    }
    int (*real)(int, int, int) = (int (*)(int, int, int))dlsym(RTLD_NEXT, "socket");
    return real(domain, type, protocol);
}
