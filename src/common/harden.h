/* What keeps the keys in this process's memory and descriptors away from other processes:
 * no ptrace or /proc/PID/mem for other processes of the user, no descriptor into a child. */
#ifndef MAXDASH_HARDEN_H
#define MAXDASH_HARDEN_H

/* Makes the process non-dumpable (prctl PR_SET_DUMPABLE 0): other processes of the same user
 * can no longer read /proc/PID/mem or ptrace it, and no core file is written. Reset by
 * execve, so children are unaffected. Rule: issue 11 case 7. */
void harden_no_dump(void);

/* Sets FD_CLOEXEC on every open descriptor above 2 (listed from /proc/self/fd): for
 * descriptors a library opened without it (libcurl's wake-up socket pair). Rule: issue 11
 * case 7, every descriptor the program opens is close-on-exec. */
void harden_cloexec_all(void);

/* Closes every descriptor from lowfd up: in a child between fork and exec, so that it
 * inherits nothing but what was set up on purpose. Async-signal-safe. */
void harden_close_from(int lowfd);

#endif
