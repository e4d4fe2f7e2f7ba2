/* Allocation, fatal errors and bounded formatting shared by both programs. */
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "keymask.h"

static const char *progname = "maxdash";
static void (*cleanup_hook)(void);

void util_set_progname(const char *name) { progname = name; }
const char *util_progname(void) { return progname; }
void util_set_cleanup(void (*fn)(void)) { cleanup_hook = fn; }

static void run_cleanup(void)
{
    void (*fn)(void) = cleanup_hook;
    cleanup_hook = NULL; /* never twice, even if the hook itself fails */
    if (fn)
        fn();
}

/* Prints "PROG: message" with every key-shaped token masked (keymask_text): a message may
 * quote a value of the config, where a key may have been pasted (issue 11). */
static void print_message(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
static void print_message(const char *fmt, va_list ap)
{
    static bool printing; /* keymask_text allocates; out of memory inside it dies plainly */
    char buf[2048];
    vsnprintf(buf, sizeof buf, fmt, ap);
    utf8_trim_partial(buf);
    char *masked = NULL;
    if (!printing && keymask_maybe_key(buf, strlen(buf))) {
        printing = true;
        masked = keymask_text(buf);
        printing = false;
    }
    fprintf(stderr, "%s: %s\n", progname, masked ? masked : buf);
    free(masked);
}

void die(int status, const char *fmt, ...)
{
    run_cleanup();
    va_list ap;
    va_start(ap, fmt);
    print_message(fmt, ap);
    va_end(ap);
    exit(status);
}

void warnmsg(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    print_message(fmt, ap);
    va_end(ap);
}

static void *check_alloc(void *p)
{
    if (!p)
        die(1, "out of memory");
    return p;
}

void *xmalloc(size_t n) { return check_alloc(malloc(n ? n : 1)); }
void *xcalloc(size_t count, size_t size) { return check_alloc(calloc(count ? count : 1, size ? size : 1)); }
void *xrealloc(void *p, size_t n) { return check_alloc(realloc(p, n ? n : 1)); }
char *xstrdup(const char *s) { return check_alloc(strdup(s)); }
char *xstrndup(const char *s, size_t n) { return check_alloc(strndup(s, n)); }

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *out = NULL;
    int n = vasprintf(&out, fmt, ap);
    va_end(ap);
    if (n < 0)
        die(1, "out of memory");
    return out;
}

void utf8_trim_partial(char *s)
{
    size_t len = strlen(s);
    if (len == 0)
        return;
    /* Walk back over continuation bytes to the lead byte of the last sequence. */
    size_t i = len;
    size_t cont = 0;
    while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80 && cont < 4) {
        i--;
        cont++;
    }
    if (i == 0)
        return;
    unsigned char lead = (unsigned char)s[i - 1];
    size_t need = lead < 0x80 ? 0 : (lead & 0xE0) == 0xC0 ? 1 : (lead & 0xF0) == 0xE0 ? 2
                : (lead & 0xF8) == 0xF0 ? 3 : 0;
    if (lead >= 0x80 && cont < need)
        s[i - 1] = '\0';
}

bool bprintf(char *buf, size_t size, const char *fmt, ...)
{
    if (size == 0)
        return false;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    if (n < 0) {
        buf[0] = '\0';
        return false;
    }
    if ((size_t)n >= size) {
        utf8_trim_partial(buf);
        return false;
    }
    return true;
}

double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
