/* ptydrive: run a command on a pseudo-terminal of a given size, record every byte it writes
 * with CLOCK_MONOTONIC timestamps, type keys at given times, and report what the benchmarks
 * need (bench/README.md):
 *
 *   first_frame_ms  exec to the end of the first complete frame: the first moment the output
 *                   has been quiet for -Q ms (default 20) after the first bytes, or, with
 *                   -m MARKER, after MARKER has appeared in the output
 *   key_ms          per keypress: from the write() of the key to the end of the burst of output
 *                   it caused (the last byte before -q ms, default 5, of quiet); -1 when nothing
 *                   came within -T ms (default 1000)
 *   window_bytes    bytes written between -w FROM:TO (ms after exec)
 *   window_cpu_s    the child's utime+stime (/proc/PID/stat) over the same window
 *   window_wakeups  the child's main thread's voluntary context switches
 *                   (/proc/PID/status) over the same window: how often it slept and woke
 *   vmhwm_kib       the child's peak RSS (/proc/PID/status VmHWM) at the end, before it is stopped
 *
 *   ptydrive [-s ROWSxCOLS] [-e NAME=VALUE]... [-m MARKER] [-Q MS] [-q MS] [-T MS]
 *            [-k [+]MS:KEYS]... [-r COUNT:GAP_MS:CHARS]... [-w FROM:TO] [-t [+]MS]
 *            [-p PIDFILE] [-o RAWFILE] -- COMMAND [ARG]...
 *
 * Keys are typed in command-line order, starting once the first frame is complete. -k MS:KEYS
 * writes KEYS (one write, one timed keypress) at MS after exec or as soon as the previous
 * keypress's burst has ended; -k +MS:KEYS writes it MS after that. -r COUNT:GAP:CHARS types
 * COUNT keypresses cycling through CHARS, each GAP ms after the previous burst ended. KEYS and
 * CHARS understand \n \r \t \e \b \\. The run ends at -t MS after exec (default: when the last
 * keypress is done, or the first frame when there are none; -t +MS: MS after that); then the
 * command gets SIGTERM
 * (SIGKILL 2 s later). The command inherits the environment (pass secrets that way, never in
 * argv); -e adds to it. Results go to stdout as "name value" lines.
 *
 * Build: cc -O2 -o ptydrive bench/ptydrive.c -lutil */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct action {
    double at;  /* absolute ms after exec, or -1 */
    double gap; /* ms after the previous keypress is done */
    char keys[256];
    size_t len;
};

static struct action *acts;
static size_t nacts, capacts;
static double *lat;
static size_t nlat;

static double t0;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6 - t0;
}

static void die(const char *msg)
{
    fprintf(stderr, "ptydrive: %s\n", msg);
    exit(2);
}

static size_t unescape(const char *in, char *out, size_t size)
{
    size_t n = 0;
    for (; *in && n < size - 1; in++) {
        char c = *in;
        if (c == '\\' && in[1]) {
            in++;
            c = *in == 'n' ? '\n' : *in == 'r' ? '\r' : *in == 't' ? '\t' : *in == 'e' ? 27
              : *in == 'b' ? 8 : *in;
        }
        out[n++] = c;
    }
    out[n] = '\0';
    return n;
}

static struct action *add_action(void)
{
    if (nacts == capacts) {
        capacts = capacts ? capacts * 2 : 64;
        acts = realloc(acts, capacts * sizeof *acts);
        if (!acts)
            die("out of memory");
    }
    memset(&acts[nacts], 0, sizeof *acts);
    return &acts[nacts++];
}

/* utime + stime in seconds, -1 when unreadable */
static long long switches(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    long long n = 0, v;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "voluntary_ctxt_switches: %lld", &v) == 1)
            n += v;
    fclose(f);
    return n;
}

static double cpu_s(pid_t pid)
{
    char path[64], buf[2048];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    if (!p)
        return -1;
    unsigned long long ut, st;
    /* after ") ": state(3) ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
     * utime(14) stime(15) */
    if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
        return -1;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static long status_kib(pid_t pid, const char *field)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    long v = -1;
    size_t fl = strlen(field);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, field, fl) == 0 && line[fl] == ':') {
            v = strtol(line + fl + 1, NULL, 10);
            break;
        }
    fclose(f);
    return v;
}

int main(int argc, char **argv)
{
    int rows = 40, cols = 120;
    const char *marker = NULL, *pidfile = NULL, *rawfile = NULL;
    double quiet_frame = 20, quiet_key = 5, key_timeout = 1000, end_at = -1;
    double wfrom = -1, wto = -1, end_after = 0;
    int opt;
    while ((opt = getopt(argc, argv, "s:e:m:Q:q:T:k:r:w:t:p:o:")) != -1) {
        switch (opt) {
        case 's':
            if (sscanf(optarg, "%dx%d", &rows, &cols) != 2 || rows < 1 || cols < 1)
                die("-s ROWSxCOLS");
            break;
        case 'e':
            if (!strchr(optarg, '=') || putenv(optarg) != 0)
                die("-e NAME=VALUE");
            break;
        case 'm': marker = optarg; break;
        case 'Q': quiet_frame = atof(optarg); break;
        case 'q': quiet_key = atof(optarg); break;
        case 'T': key_timeout = atof(optarg); break;
        case 'k': {
            const char *colon = strchr(optarg, ':');
            if (!colon)
                die("-k [+]MS:KEYS");
            struct action *a = add_action();
            if (optarg[0] == '+') {
                a->at = -1;
                a->gap = atof(optarg + 1);
            } else {
                a->at = atof(optarg);
            }
            a->len = unescape(colon + 1, a->keys, sizeof a->keys);
            break;
        }
        case 'r': {
            int count;
            double gap;
            int off = 0;
            if (sscanf(optarg, "%d:%lf:%n", &count, &gap, &off) != 2 || off == 0 || count < 0)
                die("-r COUNT:GAP_MS:CHARS");
            char chars[256];
            size_t nc = unescape(optarg + off, chars, sizeof chars);
            if (nc == 0)
                die("-r: no CHARS");
            for (int i = 0; i < count; i++) {
                struct action *a = add_action();
                a->at = -1;
                a->gap = gap;
                a->keys[0] = chars[i % nc];
                a->len = 1;
            }
            break;
        }
        case 'w':
            if (sscanf(optarg, "%lf:%lf", &wfrom, &wto) != 2 || wto < wfrom)
                die("-w FROM:TO");
            break;
        case 't':
            if (optarg[0] == '+')
                end_after = atof(optarg + 1);
            else
                end_at = atof(optarg);
            break;
        case 'p': pidfile = optarg; break;
        case 'o': rawfile = optarg; break;
        default: die("bad option (see the comment at the top of bench/ptydrive.c)");
        }
    }
    if (optind >= argc)
        die("no command");
    lat = calloc(nacts + 1, sizeof *lat);

    FILE *raw = rawfile ? fopen(rawfile, "w") : NULL;
    if (rawfile && !raw)
        die("cannot write the raw file");
    size_t cap = 1 << 16, len = 0;
    char *out = malloc(cap);
    if (!out)
        die("out of memory");

    struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
    int master;
    t0 = 0;
    t0 = now_ms();
    pid_t pid = forkpty(&master, NULL, NULL, &ws);
    if (pid < 0)
        die("forkpty failed");
    if (pid == 0) {
        execvp(argv[optind], argv + optind);
        _exit(127);
    }
    if (pidfile) {
        FILE *f = fopen(pidfile, "w");
        if (f) {
            fprintf(f, "%d\n", (int)pid);
            fclose(f);
        }
    }
    fcntl(master, F_SETFL, O_NONBLOCK);

    double first_byte = -1, marker_at = -1, last_byte = -1, first_frame = -1;
    size_t marker_len = marker ? strlen(marker) : 0;
    long long total = 0, wbytes = 0;
    double cpu_from = -1, cpu_to = -1;
    long long sw_from = -1, sw_to = -1;
    size_t next_act = 0;
    double prev_done = -1;          /* when the previous keypress was done */
    double key_written = -1;        /* the pending keypress, -1 none */
    double key_first = -1;
    int exited = 0, status = 0;
    long hwm = -1, rss = -1;
    double stop_sent = -1;

    for (;;) {
        double t = now_ms();
        /* the first frame */
        if (first_frame < 0 && first_byte >= 0 && (!marker || marker_at >= 0) &&
            t - last_byte >= quiet_frame) {
            first_frame = last_byte;
            prev_done = t;
        }
        /* the pending keypress */
        if (key_written >= 0) {
            if (key_first >= 0 && t - last_byte >= quiet_key) {
                lat[nlat++] = last_byte - key_written;
                key_written = -1;
                prev_done = t;
            } else if (key_first < 0 && t - key_written >= key_timeout) {
                lat[nlat++] = -1;
                key_written = -1;
                prev_done = t;
            }
        }
        /* the window */
        if (wfrom >= 0 && cpu_from < 0 && t >= wfrom) {
            cpu_from = cpu_s(pid);
            sw_from = switches(pid);
        }
        if (wto >= 0 && cpu_to < 0 && t >= wto) {
            cpu_to = cpu_s(pid);
            sw_to = switches(pid);
        }
        /* the next keypress */
        double due = -1;
        if (!exited && stop_sent < 0 && key_written < 0 && first_frame >= 0 && next_act < nacts) {
            struct action *a = &acts[next_act];
            due = a->at >= 0 ? (a->at > prev_done ? a->at : prev_done) : prev_done + a->gap;
            if (t >= due) {
                key_written = now_ms();
                key_first = -1;
                if (write(master, a->keys, a->len) != (ssize_t)a->len)
                    die("write to the pty failed");
                next_act++;
                continue;
            }
        }
        /* the end */
        bool done = end_at >= 0 ? t >= end_at
                                : first_frame >= 0 && next_act == nacts && key_written < 0 &&
                                      t >= prev_done + end_after;
        if (first_frame < 0 && end_at < 0 && t > 30000)
            done = true; /* never painted: give up */
        if (!exited && done && stop_sent < 0) {
            hwm = status_kib(pid, "VmHWM");
            rss = status_kib(pid, "VmRSS");
            if (wto >= 0 && cpu_to < 0) {
                cpu_to = cpu_s(pid);
                sw_to = switches(pid);
            }
            kill(pid, SIGTERM);
            stop_sent = t;
        }
        if (stop_sent >= 0 && !exited && t - stop_sent > 2000) {
            kill(pid, SIGKILL);
            stop_sent = t; /* and wait for it */
        }
        if (!exited && waitpid(pid, &status, WNOHANG) == pid)
            exited = 1;
        if (exited) {
            /* drain what is left (to the raw file), then stop */
            char buf[65536];
            ssize_t n;
            while (master >= 0 && (n = read(master, buf, sizeof buf)) > 0) {
                total += n;
                if (raw)
                    fwrite(buf, 1, (size_t)n, raw);
            }
            break;
        }

        /* sleep until the next thing to do */
        double wake = t + 100;
        if (first_frame < 0 && first_byte >= 0)
            wake = last_byte + quiet_frame;
        if (key_written >= 0)
            wake = key_first >= 0 ? last_byte + quiet_key : key_written + key_timeout;
        if (due >= 0 && due < wake)
            wake = due;
        if (wfrom >= 0 && cpu_from < 0 && wfrom < wake)
            wake = wfrom;
        if (wto >= 0 && cpu_to < 0 && wto < wake)
            wake = wto;
        if (end_at >= 0 && stop_sent < 0 && end_at < wake)
            wake = end_at;
        if (end_at < 0 && stop_sent < 0 && first_frame >= 0 && next_act == nacts &&
            key_written < 0 && prev_done + end_after < wake)
            wake = prev_done + end_after;
        int timeout = (int)(wake - t + 0.999);
        if (timeout < 0)
            timeout = 0;
        if (exited)
            timeout = 0;
        struct pollfd pfd = {.fd = master, .events = POLLIN};
        int pr = master >= 0 ? poll(&pfd, 1, timeout) : (usleep(timeout * 1000), 0);
        if (pr > 0) {
            char buf[65536];
            ssize_t n = read(master, buf, sizeof buf);
            double tr = now_ms();
            if (n > 0) {
                if (raw)
                    fwrite(buf, 1, (size_t)n, raw);
                if (first_byte < 0)
                    first_byte = tr;
                last_byte = tr;
                total += n;
                if (wfrom >= 0 && tr >= wfrom && tr < wto)
                    wbytes += n;
                if (key_written >= 0 && key_first < 0)
                    key_first = tr;
                if (marker && marker_at < 0) {
                    if (len + (size_t)n > cap) {
                        while (len + (size_t)n > cap)
                            cap *= 2;
                        out = realloc(out, cap);
                        if (!out)
                            die("out of memory");
                    }
                    memcpy(out + len, buf, (size_t)n);
                    size_t from = len >= marker_len ? len - marker_len : 0;
                    len += (size_t)n;
                    if (memmem(out + from, len - from, marker, marker_len))
                        marker_at = tr;
                }
            } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
                close(master); /* EIO: the child has gone */
                master = -1;
                if (exited)
                    break;
            }
        } else if (pr == 0 && exited) {
            break;
        }
    }
    if (!exited)
        waitpid(pid, &status, 0);
    if (raw)
        fclose(raw);

    printf("pid %d\n", (int)pid);
    printf("first_bytes_ms %.3f\n", first_byte);
    printf("marker_ms %.3f\n", marker_at);
    printf("first_frame_ms %.3f\n", first_frame);
    for (size_t i = 0; i < nlat; i++)
        printf("key_ms %.3f\n", lat[i]);
    printf("keys_sent %zu\n", next_act);
    printf("total_bytes %lld\n", total);
    if (wfrom >= 0) {
        printf("window_bytes %lld\n", wbytes);
        printf("window_cpu_s %.3f\n", cpu_from >= 0 && cpu_to >= 0 ? cpu_to - cpu_from : -1.0);
        printf("window_wakeups %lld\n", sw_from >= 0 && sw_to >= 0 ? sw_to - sw_from : -1LL);
    }
    printf("vmhwm_kib %ld\n", hwm);
    printf("vmrss_kib %ld\n", rss);
    if (WIFEXITED(status))
        printf("exit %d\n", WEXITSTATUS(status));
    else
        printf("signal %d\n", WTERMSIG(status));
    return 0;
}
