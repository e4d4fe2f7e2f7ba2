/* Clean, then measure, then clip: the only way text from the network or the config reaches a
 * terminal. Sanitizing is locale-independent; measuring uses wcwidth (UTF-8 locale). */
#ifndef MAXDASH_TEXT_H
#define MAXDASH_TEXT_H

#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>

/* A clean copy of s[0..len): valid UTF-8 (invalid bytes become U+FFFD), without C0 and C1
 * controls, DEL, escape sequences (CSI, OSC, DCS, APC, PM, SOS and two-byte ESC forms, also in
 * their C1 spellings), bidi controls or zero-width format characters (ZWSP, ZWJ, BOM...);
 * TAB, CR and LF become one space each; every key-shaped token masked (keymask_text: the
 * shared place that keeps a key pasted into any value off the screen and out of messages,
 * issue 11). The caller frees. */
char *text_sanitize(const char *s, size_t len);

/* Same as text_sanitize on a NUL-terminated string; NULL gives NULL. */
char *text_clean(const char *s);

/* True when s (len bytes) would come out of text_sanitize unchanged. */
bool text_is_clean(const char *s, size_t len);

/* Columns that clean text takes on a terminal (wcwidth per character; characters wcwidth
 * cannot measure count as one column, combining marks as zero). */
int text_width(const char *clean);

/* Copies the longest prefix of clean that fits in cols columns into out (size bytes), never
 * splitting a character, and appends ellipsis (e.g. "…", may be "") when something was cut and
 * the ellipsis fits. Returns the columns used. */
int text_clip(const char *clean, int cols, const char *ellipsis, char *out, size_t size);

/* Formats a line (at most 1 KiB, never cut inside a character), sanitizes it and appends it
 * to the array *v of *n lines (grown with xrealloc; the caller frees each line and *v). */
void text_lines_vadd(char ***v, size_t *n, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

#endif
