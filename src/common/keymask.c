/* Key masking: how many characters a masked key may reveal depends on how long the secret
 * part is, so that a short key is never mostly revealed. */
#include "keymask.h"

#include <langinfo.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

static const char *const known_prefixes[] = {"max_prd_ak_", "max_dev_ak_"};

static char shown(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
        c == '-')
        return c;
    return '?';
}

void keymask(const char *key, bool utf8, char out[KEYMASK_MAX])
{
    const char *ellipsis = utf8 ? "\xE2\x80\xA6" : "...";
    if (!key || !*key) {
        memcpy(out, "(none)", sizeof "(none)");
        return;
    }
    const char *prefix = "";
    const char *rest = key;
    for (size_t i = 0; i < sizeof(known_prefixes) / sizeof(known_prefixes[0]); i++) {
        size_t n = strlen(known_prefixes[i]);
        /* A bare prefix has nothing secret after it; masking it as "no known prefix" keeps
         * the rule that the output never holds the whole key. */
        if (strncmp(key, known_prefixes[i], n) == 0 && key[n] != '\0') {
            prefix = known_prefixes[i];
            rest = key + n;
            break;
        }
    }
    size_t len = strlen(rest);
    size_t head, tail;
    if (*prefix && len >= 16)
        head = tail = 3;
    else if (len >= 12)
        head = tail = 2;
    else if (len >= 6)
        head = tail = 1;
    else
        head = tail = 0;

    size_t o = 0;
    memcpy(out + o, prefix, strlen(prefix));
    o += strlen(prefix);
    for (size_t i = 0; i < head; i++)
        out[o++] = shown(rest[i]);
    memcpy(out + o, ellipsis, strlen(ellipsis));
    o += strlen(ellipsis);
    for (size_t i = 0; i < tail; i++)
        out[o++] = shown(rest[len - tail + i]);
    out[o] = '\0';
}

bool keymask_locale_is_utf8(void)
{
    const char *cs = nl_langinfo(CODESET);
    return cs && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "UTF8") == 0);
}

void keymask_locale(const char *key, char out[KEYMASK_MAX])
{
    keymask(key, keymask_locale_is_utf8(), out);
}

static bool key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-';
}

bool keymask_maybe_key(const char *s, size_t len)
{
    return memmem(s, len, "_ak_", 4) != NULL;
}

/* The length of the key-shaped token at p (prefix included), or 0. */
static size_t token_at(const char *p)
{
    for (size_t i = 0; i < sizeof(known_prefixes) / sizeof(known_prefixes[0]); i++) {
        size_t n = strlen(known_prefixes[i]);
        if (strncmp(p, known_prefixes[i], n) != 0 || !key_char(p[n]))
            continue;
        size_t len = n;
        while (key_char(p[len]))
            len++;
        /* Three characters or fewer are no key, and are what a masked form shows before its
         * ellipsis: left alone, so masking twice changes nothing and text never grows (the
         * masked form of four or more is never longer than the token). */
        return len - n >= 4 ? len : 0;
    }
    return 0;
}

char *keymask_text(const char *s)
{
    if (!s)
        return NULL;
    size_t len = strlen(s), cap = len + 1, o = 0;
    char *out = xmalloc(cap);
    const char *p = s;
    while (*p) {
        size_t n = strncmp(p, "max_", 4) == 0 ? token_at(p) : 0;
        if (!n) {
            out[o++] = *p++;
            continue;
        }
        char *token = xstrndup(p, n);
        char masked[KEYMASK_MAX];
        keymask_locale(token, masked);
        explicit_bzero(token, n);
        free(token);
        size_t m = strlen(masked);
        if (o + m + (len - (size_t)(p + n - s)) + 1 > cap) {
            cap = o + m + (len - (size_t)(p + n - s)) + 1;
            out = xrealloc(out, cap);
        }
        memcpy(out + o, masked, m);
        o += m;
        p += n;
    }
    out[o] = '\0';
    return out;
}
