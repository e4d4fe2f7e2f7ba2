/* The text sanitizer, measure and clip. Input: byte 0 chooses the columns (-8..119), byte 1
 * the size of the clip buffer (0..255), byte 2 the ellipsis; the rest is the raw text. */
#include <locale.h>

#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    /* text_width asks wcwidth, which needs a UTF-8 locale as maxdash runs in. */
    if (!setlocale(LC_ALL, "C.UTF-8"))
        setlocale(LC_ALL, "");
    return 0;
}

/* Decodes strictly (no overlongs, surrogates or values past U+10FFFF); returns the bytes of
 * the sequence at s, 0 when it is not valid UTF-8. */
static size_t utf8_next(const unsigned char *s, size_t len, uint32_t *cp)
{
    unsigned char b = s[0];
    size_t need;
    uint32_t c, min;
    if (b < 0x80) {
        *cp = b;
        return 1;
    } else if (b >= 0xC2 && b <= 0xDF) {
        need = 1, c = b & 0x1F, min = 0x80;
    } else if (b >= 0xE0 && b <= 0xEF) {
        need = 2, c = b & 0x0F, min = 0x800;
    } else if (b >= 0xF0 && b <= 0xF4) {
        need = 3, c = b & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (len < need + 1)
        return 0;
    for (size_t i = 1; i <= need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return need + 1;
}

/* What text_sanitize promises about its output; returns the code points. */
static size_t check_clean_text(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t len = strlen(s), i = 0, count = 0;
    while (i < len) {
        uint32_t c;
        size_t n = utf8_next(p + i, len - i, &c);
        FUZZ_REQUIRE(n > 0);                        /* valid UTF-8 */
        FUZZ_REQUIRE(c >= 0x20 && c != 0x7F);       /* no C0 control, ESC or DEL */
        FUZZ_REQUIRE(c < 0x80 || c > 0x9F);         /* no C1 control */
        FUZZ_REQUIRE(!(c >= 0x202A && c <= 0x202E) && !(c >= 0x2066 && c <= 0x2069) &&
                     c != 0x200E && c != 0x200F && c != 0x061C); /* no bidi control */
        FUZZ_REQUIRE(!(c >= 0x200B && c <= 0x200D) && c != 0x2060 && c != 0xFEFF);
        FUZZ_REQUIRE(c != 0x2028 && c != 0x2029);   /* line and paragraph separators */
        i += n;
        count++;
    }
    return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    static const char *const ellipses[] = {"\xE2\x80\xA6", "...", "", ">", "\xE2\x96\xB6",
                                           "\xE7\x95\xA5" /* wide */};
    int cols = (int)(data[0] % 128) - 8;
    size_t bufsize = data[1];
    const char *ellipsis = ellipses[data[2] % (sizeof ellipses / sizeof ellipses[0])];
    data += 3, size -= 3;

    char *raw = malloc(size ? size : 1); /* exactly size bytes: no NUL to lean on */
    FUZZ_REQUIRE(raw != NULL);
    if (size)
        memcpy(raw, data, size);
    char *clean = text_sanitize(raw, size);
    FUZZ_REQUIRE(clean != NULL);
    size_t clen = strlen(clean);
    FUZZ_REQUIRE(clen <= size * 3);
    size_t chars = check_clean_text(clean);
    FUZZ_REQUIRE(text_is_clean(clean, clen));               /* sanitizing is idempotent */
    FUZZ_REQUIRE(text_is_clean(raw, size) == (clen == size && memcmp(clean, raw, size) == 0));
    free(raw);

    int width = text_width(clean);
    FUZZ_REQUIRE(width >= 0 && (size_t)width <= chars * 2);

    char *out = malloc(bufsize ? bufsize : 1); /* exactly bufsize bytes */
    FUZZ_REQUIRE(out != NULL);
    int used = text_clip(clean, cols, ellipsis, out, bufsize);
    if (bufsize == 0 || cols <= 0) {
        FUZZ_REQUIRE(used == 0);
        FUZZ_REQUIRE(bufsize == 0 || out[0] == '\0');
    } else {
        size_t olen = strnlen(out, bufsize);
        FUZZ_REQUIRE(olen < bufsize);                       /* NUL-terminated inside out */
        check_clean_text(out);
        FUZZ_REQUIRE(used >= 0 && used <= cols);             /* never wider than asked */
        FUZZ_REQUIRE(used == text_width(out));
        if (width <= cols && clen < bufsize) {
            FUZZ_REQUIRE(strcmp(out, clean) == 0);           /* what fits is not touched */
        } else {
            /* a prefix of clean, cut between characters, then the ellipsis or nothing */
            size_t elen = strlen(ellipsis), cut = olen;
            if (elen && olen >= elen && strcmp(out + olen - elen, ellipsis) == 0 &&
                strncmp(out, clean, olen - elen) == 0)
                cut = olen - elen;
            FUZZ_REQUIRE(strncmp(out, clean, cut) == 0);
            FUZZ_REQUIRE(cut < clen);                        /* something was cut */
            FUZZ_REQUIRE(((unsigned char)clean[cut] & 0xC0) != 0x80);
        }
    }
    free(out);
    free(clean);
    return 0;
}
