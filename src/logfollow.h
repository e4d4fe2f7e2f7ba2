/* `maxdash log --follow`: the records appended to the auth-failure log, by any maxdash process,
 * as they come, across rotation (maxdash's own FILE -> FILE.1, logrotate's create and
 * copytruncate). Waits on inotify (the log's directory), not in a loop. */
#ifndef MAXDASH_LOGFOLLOW_H
#define MAXDASH_LOGFOLLOW_H

#include <stdbool.h>
#include <stddef.h>

struct authlog_record;

/* Called once per appended record (the record is the follower's; copy what is kept); returns
 * false to stop following (e.g. stdout is gone). */
typedef bool (*logfollow_emit)(const struct authlog_record *r, void *ctx);

/* Follows the log at path from its current end (a file that does not exist yet is waited for),
 * calling emit for each complete line that is a record; lines that are not records are
 * skipped. A rotation is noticed within a second at most (by inotify at once); what the old
 * file received before it was renamed is read to its end first. Returns only when emit
 * returns false (true), or on an error it cannot wait out (false, with err). For tests,
 * MAXDASH_FOLLOW_READY names a file created once following has started. */
bool logfollow_run(const char *path, logfollow_emit emit, void *ctx, char *err, size_t errsize);

#endif
