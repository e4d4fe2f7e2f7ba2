/* Where the installed documents are (PREFIX/share/doc/maxdash), so that messages can name a
 * file that exists: the example config in a build tree or where `make install` put it. */
#ifndef MAXDASH_DOCPATHS_H
#define MAXDASH_DOCPATHS_H

#include <stdbool.h>

/* The example config: beside the binary's source tree (build/maxdash next to
 * config.example.ini), else the installed copy relative to the binary
 * (BIN/../share/doc/maxdash), else under the configured MAXDASH_DOCDIR. Static storage. */
const char *docpaths_example_config(void);

/* What follows "PATH: no such file" for a missing config: the exact command that writes it
 * ("maxdash init", with "-c PATH" when path is not the usual one) and the example to copy;
 * "or pass -c FILE" only when path is the usual one (issue 19). Caller frees. */
char *docpaths_missing_config_hint(const char *path, bool usual);

#endif
