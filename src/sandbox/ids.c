/* Id forms per API version, and the one identity behind them. */
#include "ids.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

uint64_t sb_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool is_alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* 32 hex digits (lower case only when strict_lower) into *u. */
static bool parse_hex32(const char *s, bool strict_lower, sb_uid *u)
{
    uint64_t w[2] = {0, 0};
    for (int i = 0; i < 32; i++) {
        int v = hexval(s[i]);
        if (v < 0 || (strict_lower && s[i] >= 'A' && s[i] <= 'F'))
            return false;
        w[i / 16] = (w[i / 16] << 4) | (uint64_t)v;
    }
    if (s[32] != '\0')
        return false;
    u->hi = w[0];
    u->lo = w[1];
    return true;
}

/* A dashed UUID (8-4-4-4-12 hex, any case) into *u. */
static bool parse_uuid(const char *s, sb_uid *u)
{
    if (strlen(s) != 36)
        return false;
    char hex[33];
    size_t o = 0;
    for (size_t i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash) {
            if (s[i] != '-')
                return false;
        } else {
            hex[o++] = s[i];
        }
    }
    hex[o] = '\0';
    return parse_hex32(hex, false, u);
}

/* "prefix_" at the start of id: the length of it, else 0. */
static size_t prefix_len(const char *prefix, const char *id)
{
    size_t n = strlen(prefix);
    return strncmp(id, prefix, n) == 0 && id[n] == '_' ? n + 1 : 0;
}

bool sb_id_v1_valid(const char *prefix_v1, const char *id)
{
    sb_uid u;
    if (!id)
        return false;
    if (parse_uuid(id, &u))
        return true;
    size_t p = prefix_v1 ? prefix_len(prefix_v1, id) : 0;
    if (p == 0)
        return false;
    size_t n = strlen(id + p);
    if (n < 10 || n > 64)
        return false;
    for (const char *c = id + p; *c; c++)
        if (!is_alnum(*c))
            return false;
    return true;
}

sb_uid sb_id_uid(const char *v1_id)
{
    sb_uid u;
    if (parse_uuid(v1_id, &u))
        return u;
    const char *us = strchr(v1_id, '_');
    if (us && strlen(us + 1) == 32 && parse_hex32(us + 1, false, &u))
        return u;
    /* FNV-1a, then two splitmix steps so that similar ids spread over all 128 bits */
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char *c = (const unsigned char *)v1_id; *c; c++)
        h = (h ^ *c) * 0x100000001b3ULL;
    uint64_t st = h;
    u.hi = sb_splitmix64(&st);
    u.lo = sb_splitmix64(&st);
    return u;
}

void sb_id_render(const resource_desc *r, int v, const char *v1_id, char out[SB_ID_MAX])
{
    if (v <= 1 || !r->prefix_v3) {
        bprintf(out, SB_ID_MAX, "%s", v1_id);
        return;
    }
    sb_uid u = sb_id_uid(v1_id);
    char hex[33];
    snprintf(hex, sizeof hex, "%016llx%016llx", (unsigned long long)u.hi,
             (unsigned long long)u.lo);
    if (v == 2)
        snprintf(out, SB_ID_MAX, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16,
                 hex + 20);
    else
        bprintf(out, SB_ID_MAX, "%s_%s", r->prefix_v3, hex);
}

bool sb_id_parse(const resource_desc *r, int v, const char *text, sb_uid *uid, bool *v1_exact)
{
    *v1_exact = false;
    if (!text || !r->prefix_v1)
        return false;
    if (v <= 1) {
        if (!sb_id_v1_valid(r->prefix_v1, text))
            return false;
        *uid = sb_id_uid(text);
        *v1_exact = !parse_uuid(text, uid);
        return true;
    }
    if (v == 2)
        return parse_uuid(text, uid);
    size_t p = prefix_len(r->prefix_v3, text);
    return p > 0 && parse_hex32(text + p, true, uid);
}

void sb_id_generate(const char *prefix_v1, uint64_t *rng, char out[SB_ID_MAX])
{
    static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    char tail[27];
    uint64_t a = sb_splitmix64(rng), b = sb_splitmix64(rng);
    for (int i = 0; i < 26; i++) {
        uint64_t *src = i < 13 ? &a : &b;
        tail[i] = crockford[*src & 31];
        *src >>= 5;
    }
    tail[26] = '\0';
    bprintf(out, SB_ID_MAX, "%s_%s", prefix_v1, tail);
}
