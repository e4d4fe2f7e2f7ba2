/* Terminal-safe text. Sanitizing works on code points decoded here (not with mbrtowc) so that
 * it behaves the same in every locale; only measuring asks the locale, through wcwidth. */
#include "text.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "keymask.h"
#include "util.h"

#define REPLACEMENT 0xFFFDu

/* Decodes one UTF-8 sequence from s (len > 0 bytes left); returns the bytes used (>= 1) and the
 * code point, U+FFFD for anything invalid (overlong, surrogate, out of range, truncated). */
static size_t decode(const unsigned char *s, size_t len, uint32_t *cp)
{
    unsigned char b = s[0];
    size_t need;
    uint32_t min, c;
    if (b < 0x80) {
        *cp = b;
        return 1;
    } else if ((b & 0xE0) == 0xC0) {
        need = 1, min = 0x80, c = b & 0x1Fu;
    } else if ((b & 0xF0) == 0xE0) {
        need = 2, min = 0x800, c = b & 0x0Fu;
    } else if ((b & 0xF8) == 0xF0) {
        need = 3, min = 0x10000, c = b & 0x07u;
    } else {
        *cp = REPLACEMENT;
        return 1;
    }
    for (size_t i = 1; i <= need; i++) {
        if (i >= len || (s[i] & 0xC0) != 0x80) {
            *cp = REPLACEMENT;
            return i; /* resynchronise at the first byte that does not continue */
        }
        c = (c << 6) | (s[i] & 0x3Fu);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        c = REPLACEMENT;
    *cp = c;
    return need + 1;
}

static size_t encode(uint32_t c, char *out)
{
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    } else if (c < 0x800) {
        out[0] = (char)(0xC0 | (c >> 6));
        out[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    } else if (c < 0x10000) {
        out[0] = (char)(0xE0 | (c >> 12));
        out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (c >> 18));
    out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    out[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/* Bidi controls reorder what follows them; zero-width format characters (ZWSP, ZWJ, word
 * joiner, BOM...) are measured differently by wcwidth and by terminals, so columns would not
 * line up. Both are dropped. */
static bool is_invisible_control(uint32_t c)
{
    return c == 0x061C || (c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) ||
           (c >= 0x2060 && c <= 0x2069) || c == 0xFEFF || c == 0x180E;
}

enum seq { SEQ_NONE, SEQ_ESC, SEQ_CSI, SEQ_STRING, SEQ_STRING_ESC };

char *text_sanitize(const char *s, size_t len)
{
    /* Output never grows by more than 3 bytes per input byte (one byte → U+FFFD). */
    char *out = xmalloc(len * 3 + 1);
    size_t o = 0;
    enum seq state = SEQ_NONE;
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        uint32_t c;
        i += decode(p + i, len - i, &c);
        switch (state) {
        case SEQ_ESC:
            /* The byte after ESC chooses the kind of sequence; all of it is dropped. */
            state = c == '[' ? SEQ_CSI
                  : (c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_') ? SEQ_STRING
                  : SEQ_NONE;
            continue;
        case SEQ_CSI:
            if (c >= 0x40 && c <= 0x7E)
                state = SEQ_NONE;
            else if (c < 0x20 || c > 0x7E)
                state = SEQ_NONE; /* malformed: end it and keep going */
            continue;
        case SEQ_STRING:
            if (c == 0x07 || c == 0x9C)
                state = SEQ_NONE;
            else if (c == 0x1B)
                state = SEQ_STRING_ESC;
            continue;
        case SEQ_STRING_ESC:
            state = c == '\\' ? SEQ_NONE : c == 0x1B ? SEQ_STRING_ESC : SEQ_STRING;
            continue;
        case SEQ_NONE:
            break;
        }
        if (c == 0x1B) {
            state = SEQ_ESC;
        } else if (c == 0x9B) {
            state = SEQ_CSI;
        } else if (c == 0x9D || c == 0x90 || c == 0x98 || c == 0x9E || c == 0x9F) {
            state = SEQ_STRING;
        } else if (c == '\t' || c == '\n' || c == '\r' || c == 0x2028 || c == 0x2029) {
            out[o++] = ' ';
        } else if (c < 0x20 || (c >= 0x7F && c <= 0x9F) || is_invisible_control(c)) {
            /* dropped */
        } else {
            o += encode(c, out + o);
        }
    }
    out[o] = '\0';
    if (keymask_maybe_key(out, o)) {
        /* Whatever this text is (a name, an org id, a URL), a key in it is shown masked. */
        char *masked = keymask_text(out);
        explicit_bzero(out, o);
        free(out);
        out = masked;
    }
    return out;
}

char *text_clean(const char *s)
{
    return s ? text_sanitize(s, strlen(s)) : NULL;
}

bool text_is_clean(const char *s, size_t len)
{
    char *clean = text_sanitize(s, len);
    bool same = strlen(clean) == len && memcmp(clean, s, len) == 0;
    free(clean);
    return same;
}

static int cp_width(uint32_t c)
{
    int w = wcwidth((wchar_t)c);
    return w < 0 ? 1 : w;
}

int text_width(const char *clean)
{
    const unsigned char *p = (const unsigned char *)clean;
    size_t len = strlen(clean), i = 0;
    int w = 0;
    while (i < len) {
        uint32_t c;
        i += decode(p + i, len - i, &c);
        w += cp_width(c);
    }
    return w;
}

int text_clip(const char *clean, int cols, const char *ellipsis, char *out, size_t size)
{
    if (size == 0)
        return 0;
    out[0] = '\0';
    if (cols <= 0)
        return 0;
    int total = text_width(clean);
    size_t len = strlen(clean);
    if (total <= cols && len < size) {
        memcpy(out, clean, len + 1);
        return total;
    }
    int ew = text_width(ellipsis);
    size_t elen = strlen(ellipsis);
    if (ew > cols || elen + 1 > size)
        ew = 0, elen = 0;
    int budget = cols - ew;
    const unsigned char *p = (const unsigned char *)clean;
    size_t i = 0, cut = 0;
    int used = 0;
    while (i < len) {
        uint32_t c;
        size_t n = decode(p + i, len - i, &c);
        int w = cp_width(c);
        if (used + w > budget || i + n + elen + 1 > size)
            break;
        used += w;
        i += n;
        cut = i;
    }
    memcpy(out, clean, cut);
    memcpy(out + cut, ellipsis, elen);
    out[cut + elen] = '\0';
    return used + (elen ? ew : 0);
}

void text_lines_vadd(char ***v, size_t *n, const char *fmt, va_list ap)
{
    char buf[1024];
    vsnprintf(buf, sizeof buf, fmt, ap);
    utf8_trim_partial(buf);
    *v = xrealloc(*v, (*n + 1) * sizeof **v);
    (*v)[(*n)++] = text_clean(buf);
}
