/* rawscan: reads the bytes a program wrote to a terminal the way a terminal would (UTF-8 text,
 * C0 and C1 controls, ESC sequences: CSI, OSC, DCS/SOS/PM/APC, nF designations, two-byte ESC
 * forms) and reports every byte or sequence a curses program on the given TERM would not write.
 * Used by tests/reliability/test_r4_injection.sh (issue 7, R4 terminal injection).
 *
 *   rawscan [-T TERM [-c CAPNAMES]] [-a SEQ]... [-t TRACE [-n COUNT]] [-m MARKER]...
 *           [-j JSONFILE]... [-p] [-s] [-l] RAWFILE
 *
 * The allowed set (-T): every string capability of TERM's terminfo entry that a program writes
 * to draw (the standard ones, plus the extended names listed one per line in CAPNAMES, e.g.
 * from `infocmp -1 -x`), expanded by ncurses' own tparm with many parameter vectors, and parsed
 * with the same parser. Left out, because a curses program does not write them while drawing or
 * because this test forbids them: key and mouse input strings (k*), query/response strings
 * (u6-u9), init and reset strings (is1-3, rs1-3: RIS and friends), everything that is an OSC or
 * a DCS (status line / title tsl fsl dsl TS, clipboard Ms, cursor colour Cs Cr), bel, and caps
 * taking a string or character parameter. From what is left:
 *   - a CSI is allowed when its marker/intermediates/final ("?h", "m", " q") come from a
 *     capability with a numeric parameter (then any numeric parameters are allowed), or when
 *     its exact parameter string was produced by the expansions (so "\e[J" is allowed on a TERM
 *     whose ed is \E[J, "\e[2J" is not unless some capability writes it);
 *   - any other ESC sequence must equal one produced by the expansions (\e7, \e(B, \e=...);
 *   - a C0 control outside sequences must be one the expansions write (\r \n \b \t SO SI...).
 * -a SEQ adds one more sequence (C escapes \e \a \n \r \t \\ \xHH), for what ncurses writes
 * without a capability (the xterm mouse mode when the entry has no XM).
 *
 * Always forbidden: invalid UTF-8 (a raw 0x80..0x9F byte is reported as a raw C1 byte), C1 code
 * points U+0080..U+009F, DEL, NUL, BEL outside maxdash's OSC 52, DCS/SOS/PM/APC, any OSC other
 * than "ESC ] 52 ; c ; BASE64 BEL" whose payload decodes to exactly TRACE (-t; without -t no
 * OSC at all), bidi and zero-width format characters (U+061C U+180E U+200B-200F U+202A-202E
 * U+2060-2069 U+FEFF), malformed or truncated sequences.
 * -n COUNT: exactly COUNT such OSC 52 copies. -m MARKER: MARKER must not occur inside any
 * escape sequence (the verified OSC 52 aside). -j JSONFILE: every control character in every
 * string of the JSON file (the hostile data), taken with its escape sequence as the data wrote
 * it and a few characters of the text around it, must not occur anywhere in RAWFILE: that would
 * be the data's own control reaching the terminal, however legal its shape.
 * -p: plain output (a CLI's stdout/stderr): no ESC at all, C0 only \n and \t.
 * -s prints the sequences seen with their counts; -l prints the allowed set and exits.
 *
 * Exit status: 0 clean, 1 violations (each on stdout as "RAWFILE:OFFSET: what: bytes", bytes
 * escaped and cut to 48), 2 usage or I/O error.
 *
 * Build: cc -O2 -o rawscan tests/reliability/rawscan.c $(pkg-config --libs ncursesw) */
#define _GNU_SOURCE
#include <curses.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <unistd.h>

/* --- small sets of byte strings ----------------------------------------------------------- */

struct set {
    char **v;
    size_t *len;
    size_t *count;
    size_t n;
};

static long set_find(const struct set *s, const char *p, size_t len)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->len[i] == len && memcmp(s->v[i], p, len) == 0)
            return (long)i;
    return -1;
}

static void set_add(struct set *s, const char *p, size_t len)
{
    long at = set_find(s, p, len);
    if (at >= 0) {
        s->count[at]++;
        return;
    }
    s->v = realloc(s->v, (s->n + 1) * sizeof *s->v);
    s->len = realloc(s->len, (s->n + 1) * sizeof *s->len);
    s->count = realloc(s->count, (s->n + 1) * sizeof *s->count);
    if (!s->v || !s->len || !s->count) {
        fprintf(stderr, "rawscan: out of memory\n");
        exit(2);
    }
    s->v[s->n] = malloc(len + 1);
    if (!s->v[s->n]) {
        fprintf(stderr, "rawscan: out of memory\n");
        exit(2);
    }
    memcpy(s->v[s->n], p, len);
    s->v[s->n][len] = '\0';
    s->len[s->n] = len;
    s->count[s->n] = 1;
    s->n++;
}

/* Printable rendering of bytes, at most max input bytes. */
static void show(FILE *f, const unsigned char *p, size_t len, size_t max)
{
    for (size_t i = 0; i < len && i < max; i++) {
        unsigned char c = p[i];
        if (c == 0x1b)
            fputs("\\e", f);
        else if (c == '\\')
            fputs("\\\\", f);
        else if (c < 0x20 || c >= 0x7f)
            fprintf(f, "\\x%02x", c);
        else
            fputc(c, f);
    }
    if (len > max)
        fputs("...", f);
}

/* --- the allowed set ---------------------------------------------------------------------- */

static struct set csi_any;   /* marker+intermediates+final: any numeric parameters */
static struct set csi_exact; /* whole CSI sequences allowed as they are */
static struct set esc_exact; /* other ESC sequences */
static bool c0_ok[32];
static bool plain;

/* --- parsing ------------------------------------------------------------------------------ */

enum tok {
    T_TEXT,      /* one printable character (cp) */
    T_C0,        /* a C0 control, DEL */
    T_C1,        /* a C1 code point in UTF-8 */
    T_BAD,       /* a byte that is not valid UTF-8 */
    T_CSI,       /* ESC [ ... final */
    T_OSC,       /* ESC ] ... BEL or ST */
    T_STR,       /* DCS SOS PM APC: ESC P/X/^/_ ... ST */
    T_ESC,       /* ESC [intermediates] final */
    T_MALFORMED, /* an ESC sequence cut short or with a byte it cannot hold */
};

struct token {
    enum tok kind;
    size_t off, len;
    uint32_t cp;
    /* CSI: */
    size_t pstart, plen; /* parameter bytes 0x30..0x3F */
    char key[16];        /* leading marker (< = > ?), intermediates, final */
    /* OSC: the text between ESC ] and the terminator */
    size_t ostart, olen;
    bool bel_terminated;
    const char *why; /* T_MALFORMED */
};

/* Decodes one UTF-8 character; returns its length, 0 when the bytes at p are not valid UTF-8
 * (overlong, surrogate, out of range, truncated, stray continuation byte). */
static size_t utf8(const unsigned char *p, size_t len, uint32_t *cp)
{
    unsigned char b = p[0];
    size_t need;
    uint32_t c, min;
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
        return 0;
    }
    if (need >= len)
        return 0;
    for (size_t i = 1; i <= need; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (p[i] & 0x3Fu);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return need + 1;
}

/* A string (OSC, DCS...) from p[i] on: up to BEL (OSC only), ESC \, or U+009C. Returns the
 * index after the terminator, 0 when there is none; *end is where the content ends. */
static size_t string_end(const unsigned char *p, size_t len, size_t i, bool bel_ok,
                         size_t *end, bool *bel)
{
    *bel = false;
    while (i < len) {
        if (p[i] == 0x07 && bel_ok) {
            *end = i;
            *bel = true;
            return i + 1;
        }
        if (p[i] == 0x1b && i + 1 < len && p[i + 1] == '\\') {
            *end = i;
            return i + 2;
        }
        if (p[i] == 0xC2 && i + 1 < len && p[i + 1] == 0x9C) {
            *end = i;
            return i + 2;
        }
        i++;
    }
    return 0;
}

/* The token at p[off]. */
static void next_token(const unsigned char *p, size_t len, size_t off, struct token *t)
{
    memset(t, 0, sizeof *t);
    t->off = off;
    unsigned char b = p[off];
    if (b != 0x1b) {
        uint32_t cp;
        size_t n = utf8(p + off, len - off, &cp);
        if (n == 0) {
            t->kind = T_BAD;
            t->len = 1;
            t->cp = b;
            return;
        }
        t->cp = cp;
        t->len = n;
        t->kind = cp < 0x20 || cp == 0x7f ? T_C0 : (cp >= 0x80 && cp <= 0x9f) ? T_C1 : T_TEXT;
        return;
    }
    size_t i = off + 1;
    if (i >= len) {
        t->kind = T_MALFORMED;
        t->why = "ESC at the end of the output";
        t->len = 1;
        return;
    }
    unsigned char c = p[i];
    if (c == '[') {
        i++;
        t->pstart = i;
        size_t k = 0;
        while (i < len && p[i] >= 0x3C && p[i] <= 0x3F && i == t->pstart) {
            t->key[k++] = (char)p[i]; /* a private marker leads the parameters */
            i++;
        }
        size_t params_from = i;
        while (i < len && p[i] >= 0x30 && p[i] <= 0x3F) {
            if (p[i] >= 0x3C) {
                t->kind = T_MALFORMED;
                t->why = "CSI with a marker byte inside its parameters";
                t->len = i + 1 - off;
                return;
            }
            i++;
        }
        t->pstart = params_from;
        t->plen = i - params_from;
        while (i < len && p[i] >= 0x20 && p[i] <= 0x2F) {
            if (k < sizeof t->key - 2)
                t->key[k++] = (char)p[i];
            i++;
        }
        if (i >= len) {
            t->kind = T_MALFORMED;
            t->why = "CSI cut short at the end of the output";
            t->len = i - off;
            return;
        }
        if (p[i] < 0x40 || p[i] > 0x7E) {
            t->kind = T_MALFORMED;
            t->why = "CSI with a byte that is neither parameter, intermediate nor final";
            t->len = i + 1 - off;
            return;
        }
        t->key[k++] = (char)p[i];
        t->key[k] = '\0';
        t->kind = T_CSI;
        t->len = i + 1 - off;
        return;
    }
    if (c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_') {
        size_t end;
        bool bel;
        size_t after = string_end(p, len, i + 1, c == ']', &end, &bel);
        if (!after) {
            t->kind = T_MALFORMED;
            t->why = c == ']' ? "OSC never terminated" : "DCS/SOS/PM/APC never terminated";
            t->len = len - off;
            return;
        }
        t->kind = c == ']' ? T_OSC : T_STR;
        t->ostart = i + 1;
        t->olen = end - (i + 1);
        t->bel_terminated = bel;
        t->len = after - off;
        return;
    }
    /* nF (intermediates, then a final) or a two-byte form. */
    while (i < len && p[i] >= 0x20 && p[i] <= 0x2F)
        i++;
    if (i >= len) {
        t->kind = T_MALFORMED;
        t->why = "ESC sequence cut short at the end of the output";
        t->len = i - off;
        return;
    }
    if (p[i] < 0x30 || p[i] > 0x7E) {
        t->kind = T_MALFORMED;
        t->why = "ESC followed by a byte that ends no escape sequence";
        t->len = i + 1 - off;
        return;
    }
    t->kind = T_ESC;
    t->len = i + 1 - off;
}

/* --- deriving the allowed set from terminfo ----------------------------------------------- */

static bool excluded_cap(const char *name, const char *value)
{
    static const char *const names[] = {"u6", "u7", "u8", "u9", "is1", "is2", "is3", "rs1",
                                        "rs2", "rs3", "iprog", "if", "rf", "tsl", "fsl", "dsl",
                                        "TS", "Ms", "Cs", "Cr", "bel", "acsc", "pfkey", "pfloc",
                                        "pfx", "pln", "pfxl", "mc0", "mc4", "mc5", "mc5p",
                                        "xm", "XM", "RQM", "XR", "xr", "Sync", NULL};
    if (name[0] == 'k')
        return true; /* input: keys, kmous */
    for (int i = 0; names[i]; i++)
        if (strcmp(name, names[i]) == 0)
            return true;
    if (strstr(value, "%s") || strstr(value, "%c") || strstr(value, "%l"))
        return true;
    for (const char *q = value; (q = strchr(q, 0x1b)); q++)
        if (q[1] == ']' || q[1] == 'P' || q[1] == 'X' || q[1] == '^' || q[1] == '_')
            return true; /* an OSC or DCS: never allowed from the terminfo */
    return false;
}

/* Does the capability write a number from a parameter (%d, %2d, %x...)? */
static bool numeric_param(const char *value)
{
    for (const char *q = value; (q = strchr(q, '%')); q++) {
        if (q[1] == '%') {
            q++;
            continue;
        }
        const char *r = q + 1;
        while (*r && strchr(":+# -.0123456789", *r))
            r++;
        if (*r == 'd' || *r == 'o' || *r == 'x' || *r == 'X')
            return true;
    }
    return false;
}

static void learn(const char *s, bool any)
{
    /* Padding ($<5>, $<100/>) is for tputs: not bytes on the wire. */
    char buf[4096];
    size_t n = 0;
    for (const char *q = s; *q && n < sizeof buf - 1; q++) {
        if (q[0] == '$' && q[1] == '<') {
            const char *e = strchr(q, '>');
            if (e) {
                q = e;
                continue;
            }
        }
        buf[n++] = *q;
    }
    const unsigned char *p = (const unsigned char *)buf;
    size_t off = 0;
    while (off < n) {
        struct token t;
        next_token(p, n, off, &t);
        switch (t.kind) {
        case T_C0:
            if (t.cp < 0x20 && t.cp != 0x07)
                c0_ok[t.cp] = true;
            break;
        case T_CSI:
            if (any)
                set_add(&csi_any, t.key, strlen(t.key));
            else
                set_add(&csi_exact, buf + off, t.len);
            break;
        case T_ESC:
            set_add(&esc_exact, buf + off, t.len);
            break;
        default:
            break;
        }
        off += t.len;
    }
}

static void learn_cap(const char *name)
{
    char *value = tigetstr(name);
    if (value == NULL || value == (char *)-1 || excluded_cap(name, value))
        return;
    if (!strchr(value, '%')) {
        learn(value, false);
        return;
    }
    bool any = numeric_param(value);
    static const long vals[] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 15, 16, 17, 80, 100, 255, 1000};
    size_t nv = sizeof vals / sizeof *vals;
    long a[9];
    /* Every true/false vector (conditionals such as sgr's), then equal values, then pairs. */
    for (unsigned m = 0; m < 512; m++) {
        for (int k = 0; k < 9; k++)
            a[k] = (m >> k) & 1;
        char *r = tparm(value, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8]);
        if (r)
            learn(r, any);
    }
    for (size_t i = 0; i < nv; i++) {
        for (size_t j = 0; j < nv; j++) {
            for (int k = 0; k < 9; k++)
                a[k] = k == 0 ? vals[i] : vals[j];
            char *r = tparm(value, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8]);
            if (r)
                learn(r, any);
        }
    }
}

/* Unescapes \e \a \n \r \t \\ \xHH in place; returns the length. */
static size_t unescape(char *s)
{
    char *o = s;
    for (char *q = s; *q; q++) {
        if (*q != '\\' || !q[1]) {
            *o++ = *q;
            continue;
        }
        q++;
        switch (*q) {
        case 'e': *o++ = 0x1b; break;
        case 'a': *o++ = 0x07; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'x': {
            unsigned v = 0;
            int k = 0;
            while (k < 2 && q[1] && strchr("0123456789abcdefABCDEF", q[1])) {
                q++;
                v = v * 16 + (unsigned)(*q <= '9' ? *q - '0' : (*q | 0x20) - 'a' + 10);
                k++;
            }
            *o++ = (char)v;
            break;
        }
        default: *o++ = *q; break;
        }
    }
    *o = '\0';
    return (size_t)(o - s);
}

/* --- the hostile data's needles ----------------------------------------------------------- */

static struct set needles;

static bool is_format_char(uint32_t c)
{
    return c == 0x061C || c == 0x180E || (c >= 0x200B && c <= 0x200F) ||
           (c >= 0x202A && c <= 0x202E) || (c >= 0x2060 && c <= 0x2069) || c == 0xFEFF;
}

static bool is_control_cp(uint32_t c)
{
    return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || is_format_char(c);
}

static size_t put_utf8(uint32_t c, char *out)
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

/* The code points of one decoded JSON string. */
struct cps {
    uint32_t *v;
    size_t n;
};

/* The data-side extent of the control at i: the escape sequence it starts (ESC or C1 forms),
 * then any controls right after it. Returns the index after the run. */
static size_t control_run(const struct cps *s, size_t i)
{
    while (i < s->n && is_control_cp(s->v[i])) {
        uint32_t c = s->v[i++];
        if (c == 0x1b && i < s->n) {
            uint32_t d = s->v[i++];
            if (d == '[')
                c = 0x9b;
            else if (d == ']' || d == 'P' || d == 'X' || d == '^' || d == '_')
                c = 0x9d;
            else
                continue;
        }
        if (c == 0x9b) {
            while (i < s->n && !(s->v[i] >= 0x40 && s->v[i] <= 0x7e))
                i++;
            if (i < s->n)
                i++;
        } else if (c == 0x9d || c == 0x90 || c == 0x98 || c == 0x9e || c == 0x9f) {
            while (i < s->n && s->v[i] != 0x07 && s->v[i] != 0x9c &&
                   !(s->v[i] == 0x1b && i + 1 < s->n && s->v[i + 1] == '\\'))
                i++;
            if (i < s->n)
                i += s->v[i] == 0x1b ? 2 : 1;
        }
    }
    return i;
}

static void needles_of(const struct cps *s)
{
    for (size_t i = 0; i < s->n;) {
        if (!is_control_cp(s->v[i])) {
            i++;
            continue;
        }
        size_t end = control_run(s, i);
        size_t from = i, to = end, ctx = 0;
        while (from > 0 && i - from < 4 && !is_control_cp(s->v[from - 1]))
            from--;
        while (to < s->n && to - end < 4 && !is_control_cp(s->v[to]))
            to++;
        ctx = (i - from) + (to - end);
        if (ctx >= 2) {
            char buf[4096];
            size_t n = 0;
            for (size_t k = from; k < to && n < sizeof buf - 4; k++)
                n += put_utf8(s->v[k], buf + n);
            set_add(&needles, buf, n);
        }
        i = end;
    }
}

static int hexval(int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static unsigned char *slurp(const char *path, size_t *len);

/* Every string literal of a JSON file, decoded; the needles of those with controls. */
static void load_needles(const char *path)
{
    size_t len;
    unsigned char *p = slurp(path, &len);
    struct cps s = {malloc((len + 1) * sizeof(uint32_t)), 0};
    if (!s.v) {
        fprintf(stderr, "rawscan: out of memory\n");
        exit(2);
    }
    size_t i = 0;
    while (i < len) {
        if (p[i] != '"') {
            i++;
            continue;
        }
        i++;
        s.n = 0;
        while (i < len && p[i] != '"') {
            uint32_t c;
            if (p[i] == '\\' && i + 1 < len) {
                char e = (char)p[i + 1];
                i += 2;
                if (e == 'u' && i + 4 <= len) {
                    c = 0;
                    for (int k = 0; k < 4; k++)
                        c = c * 16 + (uint32_t)(hexval(p[i + k]) < 0 ? 0 : hexval(p[i + k]));
                    i += 4;
                    if (c >= 0xD800 && c <= 0xDBFF && i + 6 <= len && p[i] == '\\' &&
                        p[i + 1] == 'u') {
                        uint32_t lo = 0;
                        for (int k = 0; k < 4; k++)
                            lo = lo * 16 + (uint32_t)(hexval(p[i + 2 + k]) < 0 ? 0
                                                                             : hexval(p[i + 2 + k]));
                        if (lo >= 0xDC00 && lo <= 0xDFFF) {
                            c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
                            i += 6;
                        }
                    }
                } else {
                    c = e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e == 'b' ? '\b'
                      : e == 'f' ? '\f' : (unsigned char)e;
                }
            } else {
                size_t n = utf8(p + i, len - i, &c);
                if (n == 0) {
                    c = p[i];
                    n = 1;
                }
                i += n;
            }
            s.v[s.n++] = c;
        }
        i++;
        needles_of(&s);
    }
    free(s.v);
    free(p);
}

/* --- base64 ------------------------------------------------------------------------------- */

/* Strict decoding (the standard alphabet, '=' padding only at the end); -1 when invalid. */
static long b64decode(const unsigned char *in, size_t len, unsigned char *out)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if (len % 4 != 0)
        return -1;
    size_t o = 0;
    for (size_t i = 0; i < len; i += 4) {
        unsigned v = 0;
        int pad = 0;
        for (int k = 0; k < 4; k++) {
            unsigned char c = in[i + k];
            const char *at = c ? strchr(tbl, c) : NULL;
            if (c == '=' && i + 4 == len && k >= 2) {
                pad++;
                v <<= 6;
                continue;
            }
            if (!at || pad)
                return -1;
            v = (v << 6) | (unsigned)(at - tbl);
        }
        out[o++] = (unsigned char)(v >> 16);
        if (pad < 2)
            out[o++] = (unsigned char)(v >> 8);
        if (pad < 1)
            out[o++] = (unsigned char)v;
    }
    return (long)o;
}

/* --- main --------------------------------------------------------------------------------- */

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "rawscan: cannot open %s\n", path);
        exit(2);
    }
    size_t cap = 1 << 16, n = 0;
    unsigned char *p = malloc(cap + 1);
    size_t r;
    while (p && (r = fread(p + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            cap *= 2;
            p = realloc(p, cap + 1);
        }
    }
    if (!p || ferror(f)) {
        fprintf(stderr, "rawscan: cannot read %s\n", path);
        exit(2);
    }
    fclose(f);
    p[n] = '\0';
    *len = n;
    return p;
}

static const char *raw_path;
static long violations;
static struct set kinds; /* violations by kind, for the last line */

static void violation(const unsigned char *p, size_t off, size_t len, const char *what)
{
    violations++;
    set_add(&kinds, what, strlen(what));
    if (violations > 30)
        return;
    printf("%s:%zu: %s: ", raw_path, off, what);
    show(stdout, p + off, len, 48);
    putchar('\n');
}

static void usage(void)
{
    fprintf(stderr, "usage: rawscan [-T TERM [-c CAPNAMES]] [-a SEQ]... [-t TRACE [-n COUNT]] "
                    "[-m MARKER]... [-j JSONFILE]... [-p] [-s] [-l] RAWFILE\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *term = NULL, *capfile = NULL, *trace = NULL;
    long want_copies = -1;
    bool summary = false, list = false;
    char **markers = calloc((size_t)argc, sizeof *markers);
    char **extra = calloc((size_t)argc, sizeof *extra);
    char **jsons = calloc((size_t)argc, sizeof *jsons);
    int nmarkers = 0, nextra = 0, njsons = 0;
    int opt;
    while ((opt = getopt(argc, argv, "T:c:a:t:n:m:j:psl")) != -1) {
        switch (opt) {
        case 'T': term = optarg; break;
        case 'c': capfile = optarg; break;
        case 'a': extra[nextra++] = optarg; break;
        case 't': trace = optarg; break;
        case 'n': want_copies = atol(optarg); break;
        case 'm': markers[nmarkers++] = optarg; break;
        case 'j': jsons[njsons++] = optarg; break;
        case 'p': plain = true; break;
        case 's': summary = true; break;
        case 'l': list = true; break;
        default: usage();
        }
    }
    if (optind + 1 != argc && !list)
        usage();
    if (!plain && !term) {
        fprintf(stderr, "rawscan: -T TERM is needed (or -p)\n");
        return 2;
    }

    if (plain) {
        c0_ok['\n'] = c0_ok['\t'] = true;
    } else {
        int err = 0;
        if (setupterm((char *)term, -1, &err) != OK) {
            fprintf(stderr, "rawscan: no terminfo entry for %s\n", term);
            return 2;
        }
        for (int i = 0; strnames[i]; i++)
            learn_cap(strnames[i]);
        if (capfile) {
            size_t len;
            char *names = (char *)slurp(capfile, &len);
            for (char *line = strtok(names, "\n"); line; line = strtok(NULL, "\n"))
                learn_cap(line);
            free(names);
        }
        for (int i = 0; i < nextra; i++) {
            char *s = strdup(extra[i]);
            size_t n = unescape(s);
            struct token t;
            next_token((unsigned char *)s, n, 0, &t);
            if (t.len != n || (t.kind != T_CSI && t.kind != T_ESC)) {
                fprintf(stderr, "rawscan: -a takes one CSI or ESC sequence\n");
                return 2;
            }
            set_add(t.kind == T_CSI ? &csi_exact : &esc_exact, s, n);
            free(s);
        }
    }
    if (list) {
        printf("C0:");
        for (int c = 0; c < 32; c++)
            if (c0_ok[c])
                printf(" \\x%02x", c);
        printf("\nCSI with any parameters:");
        for (size_t i = 0; i < csi_any.n; i++)
            printf(" [%s]", csi_any.v[i]);
        printf("\nexact CSI:");
        for (size_t i = 0; i < csi_exact.n; i++) {
            putchar(' ');
            show(stdout, (unsigned char *)csi_exact.v[i], csi_exact.len[i], 48);
        }
        printf("\nother ESC:");
        for (size_t i = 0; i < esc_exact.n; i++) {
            putchar(' ');
            show(stdout, (unsigned char *)esc_exact.v[i], esc_exact.len[i], 48);
        }
        putchar('\n');
        return 0;
    }
    for (int i = 0; i < njsons; i++)
        load_needles(jsons[i]);

    raw_path = argv[optind];
    size_t len;
    unsigned char *p = slurp(raw_path, &len);
    struct set seen = {0};
    long copies = 0, osc = 0;
    size_t off = 0;
    while (off < len) {
        struct token t;
        next_token(p, len, off, &t);
        bool verified_copy = false;
        switch (t.kind) {
        case T_TEXT:
            if (is_format_char(t.cp))
                violation(p, off, t.len, "a bidi or zero-width format character");
            break;
        case T_C0:
            if (t.cp == 0x07)
                violation(p, off, t.len, "BEL outside an OSC 52");
            else if (t.cp == 0x7f)
                violation(p, off, t.len, "DEL");
            else if (!c0_ok[t.cp])
                violation(p, off, t.len, "a C0 control the terminfo never writes");
            break;
        case T_C1:
            violation(p, off, t.len, "a C1 control (U+0080..U+009F)");
            break;
        case T_BAD:
            violation(p, off, t.len, t.cp >= 0x80 && t.cp <= 0x9f ? "a raw C1 byte (not UTF-8)"
                                                                 : "invalid UTF-8");
            break;
        case T_MALFORMED:
            violation(p, off, t.len, t.why);
            break;
        case T_STR:
            violation(p, off, t.len, "a DCS/SOS/PM/APC string");
            break;
        case T_OSC: {
            osc++;
            const unsigned char *o = p + t.ostart;
            static const char head[] = "52;c;";
            unsigned char dec[4096];
            long dn = -1;
            if (plain || !trace) {
                violation(p, off, t.len, "an OSC sequence");
            } else if (t.olen < sizeof head - 1 || memcmp(o, head, sizeof head - 1) != 0 ||
                       !t.bel_terminated) {
                violation(p, off, t.len, "an OSC that is not maxdash's ESC ] 52 ; c ; ... BEL");
            } else if (t.olen - (sizeof head - 1) > sizeof dec ||
                       (dn = b64decode(o + sizeof head - 1, t.olen - (sizeof head - 1), dec)) < 0) {
                violation(p, off, t.len, "an OSC 52 whose payload is not base64");
            } else if ((size_t)dn != strlen(trace) || memcmp(dec, trace, (size_t)dn) != 0) {
                violation(p, off, t.len, "an OSC 52 whose payload is not the trace_id");
            } else {
                copies++;
                verified_copy = true;
            }
            break;
        }
        case T_CSI:
            if (plain)
                violation(p, off, t.len, "an escape sequence in plain output");
            else if (set_find(&csi_any, t.key, strlen(t.key)) < 0 &&
                     set_find(&csi_exact, (char *)p + off, t.len) < 0)
                violation(p, off, t.len, "a CSI sequence no terminfo capability writes");
            break;
        case T_ESC:
            if (plain)
                violation(p, off, t.len, "an escape sequence in plain output");
            else if (set_find(&esc_exact, (char *)p + off, t.len) < 0)
                violation(p, off, t.len, "an ESC sequence no terminfo capability writes");
            break;
        }
        if (t.kind >= T_CSI && !verified_copy) {
            for (int m = 0; m < nmarkers; m++) {
                size_t ml = strlen(markers[m]);
                if (ml && memmem(p + off, t.len, markers[m], ml))
                    violation(p, off, t.len, "a marker of the hostile data inside an escape sequence");
            }
        }
        if (summary && t.kind >= T_CSI) {
            char key[32];
            if (t.kind == T_CSI)
                snprintf(key, sizeof key, "CSI %s", t.key);
            else if (t.kind == T_OSC)
                snprintf(key, sizeof key, "OSC");
            else if (t.kind == T_ESC)
                snprintf(key, sizeof key, "ESC %.*s", (int)(t.len - 1), (char *)p + off + 1);
            else
                snprintf(key, sizeof key, "%s", t.kind == T_STR ? "DCS/SOS/PM/APC" : "malformed");
            set_add(&seen, key, strlen(key));
        }
        off += t.len;
    }
    for (size_t i = 0; i < needles.n; i++) {
        const unsigned char *q = p;
        while ((q = memmem(q, len - (size_t)(q - p), needles.v[i], needles.len[i]))) {
            violation(p, (size_t)(q - p), needles.len[i],
                      "a control sequence of the hostile data, with its text");
            q += needles.len[i];
        }
    }
    if (want_copies >= 0 && copies != want_copies) {
        violations++;
        printf("%s: %ld verified OSC 52 copies of the trace_id, expected %ld\n", raw_path, copies,
               want_copies);
    }
    if (summary) {
        printf("%s: %zu bytes, %ld OSC (%ld verified copies), %zu needles checked; sequences:",
               raw_path, len, osc, copies, needles.n);
        for (size_t i = 0; i < seen.n; i++)
            printf(" [%s]x%zu", seen.v[i], seen.count[i]);
        putchar('\n');
    }
    if (violations > 30)
        printf("%s: ... %ld violations in all\n", raw_path, violations);
    if (kinds.n) {
        printf("%s: violations by kind:", raw_path);
        for (size_t i = 0; i < kinds.n; i++)
            printf("%s %zu x %s", i ? ";" : "", kinds.count[i], kinds.v[i]);
        putchar('\n');
    }
    free(p);
    return violations ? 1 : 0;
}
