/* The installed documents' places, found relative to the running binary first so that a build
 * tree, `make install PREFIX=...` and a DESTDIR staged copy moved into place all name a file
 * that exists. */
#include "docpaths.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#ifndef MAXDASH_DOCDIR
#define MAXDASH_DOCDIR "/usr/local/share/doc/maxdash"
#endif

const char *docpaths_example_config(void)
{
    static char path[PATH_MAX];
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            static const char *const rel[] = {"/../config.example.ini",
                                              "/../share/doc/maxdash/config.example.ini"};
            for (size_t i = 0; i < ARRAY_LEN(rel); i++)
                if (bprintf(path, sizeof path, "%s%s", exe, rel[i]) && access(path, R_OK) == 0) {
                    char *real = realpath(path, NULL);
                    if (real) {
                        bprintf(path, sizeof path, "%s", real);
                        free(real);
                    }
                    return path;
                }
        }
    }
    bprintf(path, sizeof path, "%s/config.example.ini", MAXDASH_DOCDIR);
    return path;
}

char *docpaths_missing_config_hint(const char *path, bool usual)
{
    const char *example = docpaths_example_config();
    if (usual)
        return xasprintf("run 'maxdash init' to write it, or copy %s there (or pass -c FILE)",
                         example);
    return xasprintf("run 'maxdash init -c %s' to write it, or copy %s there", path, example);
}
