/* Reading the configuration: the file is read and split into lines here, so that line numbers,
 * over-long lines, a BOM, CRLF and section headers are handled exactly; inih splits each
 * setting line into name and value. Then validation, key resolution and key hygiene checks. */
#include "config.h"
#include "resources.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "docpaths.h"
#include "fleet.h"
#include "harden.h"
#include "keymask.h"
#include "text.h"
#include "util.h"

extern char **environ;

#define DEFAULT_BASE_URL "https://api.maxcare.ai/v1"
#define CONFIG_FILE_MAX 1048576 /* 1 MiB: a config is a few KiB */
/* A key is a few dozen bytes; anything near this is a mistake (a whole file, a help text). */
#define KEY_OUTPUT_MAX 4096
/* Longest text from the config or a command quoted in a message. */
#define QUOTE_MAX 80

static int command_timeout_ms = 10000;

void config_set_command_timeout_ms(int ms) { command_timeout_ms = ms > 0 ? ms : 1; }

static bool resolve_secrets = true;
void config_set_resolve_keys(bool on) { resolve_secrets = on; }

/* --- growing strings ------------------------------------------------------------------- */

struct buf {
    char *s;
    size_t len, cap;
};

static void buf_add(struct buf *b, const char *data, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        b->s = xrealloc(b->s, cap);
        b->cap = cap;
    }
    memcpy(b->s + b->len, data, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void buf_adds(struct buf *b, const char *s) { buf_add(b, s, strlen(s)); }

static char *buf_take(struct buf *b)
{
    if (!b->s)
        buf_add(b, "", 0);
    return b->s;
}

/* Overwrites a secret before its memory goes back to the allocator. */
static void wipe_free(char *s)
{
    if (!s)
        return;
    volatile char *v = s;
    while (*v)
        *v++ = '\0';
    free(s);
}

/* The same for a buffer of known length that may hold NUL bytes (a config file's contents,
 * which can hold an inline key). */
static void wipe_free_len(char *s, size_t len)
{
    if (!s)
        return;
    volatile char *v = s;
    for (size_t i = 0; i < len; i++)
        v[i] = '\0';
    free(s);
}

/* --- printable text -------------------------------------------------------------------- */

static bool key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-';
}


char *config_printable(const char *s)
{
    return text_clean(s ? s : ""); /* which masks every key-shaped token */
}

/* Copies s into out for quoting in a message, cut (on a character boundary) with "..." when
 * longer than QUOTE_MAX bytes. */
static const char *clip(const char *s, char out[QUOTE_MAX + 4])
{
    if (!bprintf(out, QUOTE_MAX + 1, "%s", s))
        memcpy(out + strlen(out), "...", 4);
    return out;
}

/* --- errors ---------------------------------------------------------------------------- */

static void add_error(struct config_errors *errs, const char *path, int line, const char *fmt,
                      ...) __attribute__((format(printf, 4, 5)));

static void add_error(struct config_errors *errs, const char *path, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0)
        die(1, "out of memory");
    va_end(ap);
    char *loc = line > 0 ? xasprintf("%s:%d: ", path, line) : xasprintf("%s: ", path);
    char *ploc = config_printable(loc);
    char *pmsg = config_printable(msg);
    struct config_error e = {.line = line, .text = xasprintf("%s%s", ploc, pmsg)};
    e.message = e.text + strlen(ploc);
    free(msg);
    free(loc);
    free(ploc);
    free(pmsg);

    /* Keep the list in file order; problems found later (a missing id) slot in by line. */
    errs->v = xrealloc(errs->v, (errs->count + 1) * sizeof *errs->v);
    size_t at = errs->count;
    while (at > 0 && errs->v[at - 1].line > line)
        at--;
    memmove(errs->v + at + 1, errs->v + at, (errs->count - at) * sizeof *errs->v);
    errs->v[at] = e;
    errs->count++;
}

void config_errors_free(struct config_errors *errs)
{
    for (size_t i = 0; i < errs->count; i++)
        free(errs->v[i].text);
    free(errs->v);
    errs->v = NULL;
    errs->count = 0;
}

/* --- did you mean ---------------------------------------------------------------------- */

/* Optimal string alignment distance, ignoring case: a swapped pair of letters counts once. */
static size_t edit_distance(const char *a, const char *b)
{
    enum { MAXLEN = 64 };
    size_t la = strlen(a), lb = strlen(b);
    if (la > MAXLEN || lb > MAXLEN)
        return SIZE_MAX;
    size_t d[MAXLEN + 1][MAXLEN + 1];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            size_t best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < best)
                best = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == tolower((unsigned char)b[j - 1]) &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[la][lb];
}

/* The candidate closest to name when it is a near miss (one edit for short names, two
 * otherwise), else NULL. */
static const char *suggest(const char *name, const char *const *cands, size_t n)
{
    size_t limit = strlen(name) <= 4 ? 1 : 2;
    const char *best = NULL;
    size_t best_d = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        size_t d = edit_distance(name, cands[i]);
        if (d <= limit && d < best_d) {
            best = cands[i];
            best_d = d;
        }
    }
    return best;
}

/* --- paths ----------------------------------------------------------------------------- */

static const char *home_dir(void)
{
    const char *h = getenv("HOME");
    if (h && *h)
        return h;
    struct passwd *pw = getpwuid(getuid());
    return pw && pw->pw_dir && *pw->pw_dir ? pw->pw_dir : NULL;
}

/* Expands a leading "~" or "~user" and makes a relative path relative to base_dir (when not
 * NULL). Returns a fresh string, or NULL with *why set (static text). */
static char *expand_path(const char *p, const char *base_dir, const char **why)
{
    if (p[0] == '~') {
        const char *slash = strchr(p, '/');
        size_t ulen = slash ? (size_t)(slash - p - 1) : strlen(p + 1);
        const char *rest = slash ? slash : "";
        if (ulen == 0) {
            const char *h = home_dir();
            if (!h) {
                *why = "cannot expand '~': HOME is not set";
                return NULL;
            }
            return xasprintf("%s%s", h, rest);
        }
        char *user = xstrndup(p + 1, ulen);
        struct passwd *pw = getpwnam(user);
        free(user);
        if (!pw || !pw->pw_dir) {
            *why = "cannot expand '~user': no such user";
            return NULL;
        }
        return xasprintf("%s%s", pw->pw_dir, rest);
    }
    if (p[0] != '/' && base_dir)
        return xasprintf("%s/%s", base_dir, p);
    return xstrdup(p);
}

/* An XDG base directory variable counts only when set to an absolute path (the spec says
 * relative ones are invalid and must be ignored). */
static const char *xdg_dir(const char *var)
{
    const char *v = getenv(var);
    return v && v[0] == '/' ? v : NULL;
}

char *config_find_path(const char *cli_path)
{
    if (cli_path)
        return xstrdup(cli_path);
    const char *env = getenv("MAXDASH_CONFIG");
    if (env && *env) {
        const char *why;
        char *p = expand_path(env, NULL, &why);
        return p ? p : xstrdup(env);
    }
    const char *xdg = xdg_dir("XDG_CONFIG_HOME");
    if (xdg)
        return xasprintf("%s/maxdash/config.ini", xdg);
    const char *home = home_dir();
    return home ? xasprintf("%s/.config/maxdash/config.ini", home) : NULL;
}

static char *default_log_file(void)
{
    const char *xdg = xdg_dir("XDG_STATE_HOME");
    if (xdg)
        return xasprintf("%s/maxdash/auth-failures.jsonl", xdg);
    const char *home = home_dir();
    return home ? xasprintf("%s/.local/state/maxdash/auth-failures.jsonl", home) : NULL;
}

/* --- base URL -------------------------------------------------------------------------- */

static bool host_is_loopback(const char *host)
{
    if (strcasecmp(host, "localhost") == 0 || strcasecmp(host, "localhost.") == 0)
        return true;
    unsigned char a[16];
    if (inet_pton(AF_INET, host, a) == 1)
        return a[0] == 127;
    struct in6_addr a6;
    if (inet_pton(AF_INET6, host, &a6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&a6) || (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
    return false;
}

struct url_info {
    bool https;
    char host[256];
    bool has_path;
};

/* Splits and checks a base URL. Returns NULL when it is usable, else what is wrong (a fresh
 * string, with the URL quoted where that helps). */
static char *parse_base_url(const char *url, struct url_info *u)
{
    char q[QUOTE_MAX + 4];
    memset(u, 0, sizeof *u);
    for (const char *c = url; *c; c++)
        if ((unsigned char)*c <= ' ' || *c == 0x7F)
            return xasprintf("'%s' contains whitespace or control characters", clip(url, q));
    const char *rest;
    if (strncasecmp(url, "https://", 8) == 0) {
        u->https = true;
        rest = url + 8;
    } else if (strncasecmp(url, "http://", 7) == 0) {
        rest = url + 7;
    } else {
        return xasprintf("'%s' must start with https:// (http:// only to a loopback host)",
                         clip(url, q));
    }
    if (strpbrk(url, "?#"))
        return xasprintf("'%s' must not contain '?' or '#'", clip(url, q));
    size_t alen = strcspn(rest, "/");
    const char *path = rest + alen;
    u->has_path = path[0] == '/' && path[strspn(path, "/")] != '\0';
    if (memchr(rest, '@', alen))
        return xstrdup("must not contain a user name or password (keys go in [key] sections)");
    const char *host = rest, *port = NULL;
    size_t hlen;
    if (rest[0] == '[') {
        const char *close = memchr(rest, ']', alen);
        if (!close)
            return xasprintf("'%s' has an IPv6 address without its closing ']'", clip(url, q));
        host = rest + 1;
        hlen = (size_t)(close - host);
        if (close + 1 < rest + alen) {
            if (close[1] != ':')
                return xasprintf("'%s' has text after the IPv6 address", clip(url, q));
            port = close + 2;
        }
    } else {
        const char *colon = memchr(rest, ':', alen);
        hlen = colon ? (size_t)(colon - rest) : alen;
        port = colon ? colon + 1 : NULL;
    }
    if (hlen == 0)
        return xasprintf("'%s' has no host", clip(url, q));
    if (hlen >= sizeof u->host)
        return xstrdup("the host name is too long");
    memcpy(u->host, host, hlen);
    u->host[hlen] = '\0';
    if (port) {
        size_t plen = (size_t)(rest + alen - port);
        long v = 0;
        bool ok = plen > 0 && plen <= 5;
        for (size_t i = 0; ok && i < plen; i++) {
            ok = port[i] >= '0' && port[i] <= '9';
            v = v * 10 + (port[i] - '0');
        }
        if (!ok || v < 1 || v > 65535)
            return xasprintf("'%s' has an invalid port", clip(url, q));
    }
    if (!u->https && !host_is_loopback(u->host))
        return xasprintf("http:// to '%s', which is not a loopback host: keys would travel in "
                         "clear text; use https://",
                         clip(u->host, q));
    if (!u->has_path)
        return xasprintf("'%s' has no API version path: write it like %s", clip(url, q),
                         DEFAULT_BASE_URL);
    return NULL;
}

static enum config_api_env api_env_of_host(const char *host)
{
    size_t n = strlen(host);
    if (n > 0 && host[n - 1] == '.')
        n--;
    if (n == strlen("api.maxcare.ai") && strncasecmp(host, "api.maxcare.ai", n) == 0)
        return CONFIG_API_PRODUCTION;
    if (n == strlen("api.maxcare.dev") && strncasecmp(host, "api.maxcare.dev", n) == 0)
        return CONFIG_API_STAGING;
    if (host_is_loopback(host))
        return CONFIG_API_LOOPBACK;
    return CONFIG_API_OTHER;
}

enum config_api_env config_api_env_of(const char *base_url)
{
    struct url_info u;
    char *why = parse_base_url(base_url, &u);
    if (why && !u.host[0]) {
        free(why);
        return CONFIG_API_OTHER;
    }
    free(why);
    return api_env_of_host(u.host);
}

/* --- the settings table ---------------------------------------------------------------- */

enum setting_type { T_URL, T_INT, T_PATH, T_COMMAND, T_BOOL };

static const struct setting_def {
    const char *name;
    enum setting_type type;
    long min, max;
    const char *unit;
} settings[CONFIG_SETTING_COUNT] = {
    [CONFIG_BASE_URL] = {"base_url", T_URL, 0, 0, NULL},
    [CONFIG_REFRESH] = {"refresh", T_INT, 2, 3600, "seconds"},
    [CONFIG_TIMEOUT] = {"timeout", T_INT, 1, 300, "seconds"},
    [CONFIG_PAGE_SIZE] = {"page_size", T_INT, 1, 100, "patients per page"},
    [CONFIG_RATE_BUDGET] = {"rate_budget", T_INT, 1, 1000, "requests per minute"},
    [CONFIG_LOG_FILE] = {"log_file", T_PATH, 0, 0, NULL},
    [CONFIG_CA_BUNDLE] = {"ca_bundle", T_PATH, 0, 0, NULL},
    [CONFIG_COPY_COMMAND] = {"copy_command", T_COMMAND, 0, 0, NULL},
    [CONFIG_PRIVACY] = {"privacy", T_BOOL, 0, 0, NULL},
    [CONFIG_ME_EVERY] = {"me_every", T_INT, 1, 1000, "refreshes"},
};

static const char *const maxdash_names[] = {"base_url", "refresh", "timeout", "page_size",
                                            "rate_budget", "log_file", "ca_bundle",
                                            "copy_command", "privacy", "me_every"};
static const char *const key_names[] = {"env", "file", "command", "value"};
static const char *const org_names[] = {"id", "key", "name", "tags"};
static const char *const orgs_names[] = {"file", "key", "tags"};
static const char *const section_names[] = {"maxdash", "key", "org", "orgs"};

const char *config_setting_name(enum config_setting s)
{
    return (unsigned)s < CONFIG_SETTING_COUNT ? settings[s].name : "?";
}

static int index_of(const char *name, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(name, names[i]) == 0)
            return (int)i;
    return -1;
}

/* --- parsing --------------------------------------------------------------------------- */

enum section_kind { SECT_NONE, SECT_MAXDASH, SECT_KEY, SECT_ORG, SECT_ORGS, SECT_SKIP };

struct parser {
    struct config *cfg;
    struct config_errors *errs;
    const char *path;
    char *dir;          /* the config's directory: relative paths in it are relative to it */
    mode_t mode;        /* of the config file */
    const char *data;
    size_t size, pos;
    int lineno;
    int max_line;       /* longest line inih reads whole, learned from its reader calls */
    enum section_kind kind;
    size_t index;       /* of the current key or org */
    bool *key_bad;      /* per key: a problem already reported, do not resolve it */
    size_t *org_slots;  /* org names seen: open addressing, index + 1 into cfg->orgs; 0 free */
    size_t slots_cap;   /* a power of two, at least twice norgs */
    size_t orgs_cap;    /* allocated length of cfg->orgs */
};

/* FNV-1a */
static size_t name_hash(const char *s)
{
    uint64_t h = 14695981039346656037u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return (size_t)h;
}

/* The org called name seen so far, in constant time: a config may hold thousands of orgs. */
static struct config_org *seen_org(const struct parser *p, const char *name)
{
    if (!p->slots_cap)
        return NULL;
    for (size_t i = name_hash(name) & (p->slots_cap - 1); p->org_slots[i];
         i = (i + 1) & (p->slots_cap - 1)) {
        struct config_org *o = &p->cfg->orgs[p->org_slots[i] - 1];
        if (strcmp(o->name, name) == 0)
            return o;
    }
    return NULL;
}

static void org_slot_put(size_t *slots, size_t cap, const char *name, size_t index)
{
    size_t i = name_hash(name) & (cap - 1);
    while (slots[i])
        i = (i + 1) & (cap - 1);
    slots[i] = index + 1;
}

/* Call after cfg->orgs[cfg->norgs - 1] was added. */
static void see_org(struct parser *p)
{
    const struct config *cfg = p->cfg;
    if (cfg->norgs * 2 > p->slots_cap) {
        size_t cap = p->slots_cap ? p->slots_cap * 2 : 64;
        size_t *slots = xcalloc(cap, sizeof *slots);
        for (size_t i = 0; i + 1 < cfg->norgs; i++)
            org_slot_put(slots, cap, cfg->orgs[i].name, i);
        free(p->org_slots);
        p->org_slots = slots;
        p->slots_cap = cap;
    }
    org_slot_put(p->org_slots, p->slots_cap, cfg->orgs[cfg->norgs - 1].name, cfg->norgs - 1);
}

#define PERR(p, line, ...) add_error((p)->errs, (p)->path, (line), __VA_ARGS__)

static bool valid_name(const char *s)
{
    if (!*s || strlen(s) > 64)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
            return false;
    return true;
}

/* Handles a "[...]" line (text starts at '['). */
static void section_header(struct parser *p, const char *text, size_t len)
{
    char q[QUOTE_MAX + 4];
    const char *close = memchr(text, ']', len);
    p->kind = SECT_SKIP; /* settings under a broken header are not reported one by one */
    if (!close) {
        PERR(p, p->lineno, "section header without its closing ']'");
        return;
    }
    const char *after = close + 1;
    while (after < text + len && (*after == ' ' || *after == '\t'))
        after++;
    if (after < text + len && *after != ';' && *after != '#') {
        PERR(p, p->lineno, "unexpected text after the section header");
        return;
    }
    char *inner = xstrndup(text + 1, (size_t)(close - text - 1));
    char *s = inner;
    while (*s == ' ' || *s == '\t')
        s++;
    size_t klen = 0;
    while (isalnum((unsigned char)s[klen]) || s[klen] == '_' || s[klen] == '-')
        klen++;
    char *kind = xstrndup(s, klen);
    char *r = s + klen;
    while (*r == ' ' || *r == '\t')
        r++;
    char *name = NULL;
    bool quoted = false;
    if (*r == '"') {
        char *end = strchr(r + 1, '"');
        if (!end) {
            PERR(p, p->lineno, "section name without its closing '\"'");
            goto out;
        }
        name = xstrndup(r + 1, (size_t)(end - r - 1));
        quoted = true;
        r = end + 1;
        while (*r == ' ' || *r == '\t')
            r++;
    } else if (*r) {
        size_t n = strlen(r);
        while (n > 0 && (r[n - 1] == ' ' || r[n - 1] == '\t'))
            n--;
        name = xstrndup(r, n);
        r += strlen(r);
    }

    if (klen == 0) {
        PERR(p, p->lineno, "empty section name: sections are [maxdash], [key \"NAME\"] and "
                           "[org \"NAME\"]");
        goto out;
    }
    int k = index_of(kind, section_names, ARRAY_LEN(section_names));
    if (k < 0) {
        const char *near = suggest(kind, section_names, ARRAY_LEN(section_names));
        if (near)
            PERR(p, p->lineno, "unknown section [%s] (did you mean [%s%s]?)", clip(kind, q), near,
                 strcmp(near, "maxdash") == 0 ? "" : " \"NAME\"");
        else
            PERR(p, p->lineno, "unknown section [%s]: sections are [maxdash], [key \"NAME\"] and "
                               "[org \"NAME\"]",
                 clip(kind, q));
        goto out;
    }
    if (*r) {
        PERR(p, p->lineno, "unexpected text after the section name");
        goto out;
    }
    if (k == 0) {
        if (name)
            PERR(p, p->lineno, "[maxdash] takes no name");
        else
            p->kind = SECT_MAXDASH;
        goto out;
    }
    if (!name) {
        PERR(p, p->lineno, "[%s] needs a name: [%s \"NAME\"]", kind, kind);
        goto out;
    }
    if (!quoted) {
        PERR(p, p->lineno, "write the name in double quotes: [%s \"%s\"]", kind, clip(name, q));
        goto out;
    }
    if (!valid_name(name)) {
        PERR(p, p->lineno, "%s name \"%s\" may hold only letters, digits, '-', '_' and '.' "
                           "(at most 64)",
             kind, clip(name, q));
        goto out;
    }
    struct config *cfg = p->cfg;
    if (k == 1) {
        struct config_key *dup = config_find_key(cfg, name);
        if (dup) {
            PERR(p, p->lineno, "duplicate [key \"%s\"] (first at line %d)", name, dup->line);
            goto out;
        }
        cfg->keys = xrealloc(cfg->keys, (cfg->nkeys + 1) * sizeof *cfg->keys);
        p->key_bad = xrealloc(p->key_bad, (cfg->nkeys + 1) * sizeof *p->key_bad);
        cfg->keys[cfg->nkeys] = (struct config_key){.name = name, .line = p->lineno};
        p->key_bad[cfg->nkeys] = false;
        name = NULL;
        p->index = cfg->nkeys++;
        p->kind = SECT_KEY;
    } else if (k == 3) {
        for (size_t i = 0; i < cfg->nfleets; i++) {
            if (strcmp(cfg->fleets[i].name, name) == 0) {
                PERR(p, p->lineno, "duplicate [orgs \"%s\"] (first at line %d)", name,
                     cfg->fleets[i].line);
                goto out;
            }
        }
        cfg->fleets = xrealloc(cfg->fleets, (cfg->nfleets + 1) * sizeof *cfg->fleets);
        cfg->fleets[cfg->nfleets] = (struct config_fleet){.name = name, .line = p->lineno};
        name = NULL;
        p->index = cfg->nfleets++;
        p->kind = SECT_ORGS;
    } else {
        struct config_org *dup = seen_org(p, name);
        if (dup) {
            PERR(p, p->lineno, "duplicate [org \"%s\"] (first at line %d)", name, dup->line);
            goto out;
        }
        if (cfg->norgs == p->orgs_cap) { /* doubling: configs of thousands of orgs */
            p->orgs_cap = p->orgs_cap ? p->orgs_cap * 2 : 16;
            cfg->orgs = xrealloc(cfg->orgs, p->orgs_cap * sizeof *cfg->orgs);
        }
        cfg->orgs[cfg->norgs] = (struct config_org){.name = name, .line = p->lineno};
        name = NULL;
        p->index = cfg->norgs++;
        see_org(p);
        p->kind = SECT_ORG;
    }
out:
    free(name);
    free(kind);
    free(inner);
}

/* Reports a setting that does not belong in the current section, with the likeliest fix. */
static void unknown_setting(struct parser *p, const char *name, const char *const *names,
                            size_t n, const char *section)
{
    char q[QUOTE_MAX + 4];
    const char *near = suggest(name, names, n);
    if (near) {
        PERR(p, p->lineno, "unknown setting '%s' in %s (did you mean '%s'?)", clip(name, q),
             section, near);
        return;
    }
    const char *home = NULL;
    if (index_of(name, maxdash_names, ARRAY_LEN(maxdash_names)) >= 0)
        home = "[maxdash]";
    else if (index_of(name, key_names, ARRAY_LEN(key_names)) >= 0)
        home = "a [key \"NAME\"] section";
    else if (index_of(name, org_names, ARRAY_LEN(org_names)) >= 0)
        home = "an [org \"NAME\"] section";
    if (home) {
        PERR(p, p->lineno, "'%s' belongs in %s, not in %s", clip(name, q), home, section);
        return;
    }
    struct buf known = {0};
    for (size_t i = 0; i < n; i++) {
        buf_adds(&known, i ? ", " : "");
        buf_adds(&known, names[i]);
    }
    PERR(p, p->lineno, "unknown setting '%s' in %s (known: %s)", clip(name, q), section,
         buf_take(&known));
    free(known.s);
}

/* A hint for values that hold what the writer meant as a comment. */
static const char *comment_hint(const char *value)
{
    return strstr(value, " #") || strstr(value, "\t#")
               ? " (a comment after a value starts with ' ;', not '#')"
               : "";
}

static void set_maxdash(struct parser *p, const char *name, const char *value)
{
    char q[QUOTE_MAX + 4];
    int i = index_of(name, maxdash_names, ARRAY_LEN(maxdash_names));
    if (i < 0) {
        unknown_setting(p, name, maxdash_names, ARRAY_LEN(maxdash_names), "[maxdash]");
        return;
    }
    struct config_settings *set = &p->cfg->set;
    const struct setting_def *def = &settings[i];
    if (set->line[i]) {
        PERR(p, p->lineno, "'%s' is set twice (first at line %d)", name, set->line[i]);
        return;
    }
    set->line[i] = p->lineno;
    if (!*value) {
        PERR(p, p->lineno, "%s: empty value", name);
        return;
    }
    switch (def->type) {
    case T_URL: {
        struct url_info u;
        char *why = parse_base_url(value, &u);
        if (why) {
            PERR(p, p->lineno, "base_url: %s", why);
            free(why);
            return;
        }
        char *url = xstrdup(value);
        size_t n = strlen(url);
        while (n > 0 && url[n - 1] == '/')
            url[--n] = '\0';
        free(set->base_url);
        set->base_url = url;
        return;
    }
    case T_INT: {
        bool digits = true;
        for (const char *c = value; *c; c++)
            digits = digits && *c >= '0' && *c <= '9';
        if (!digits) {
            PERR(p, p->lineno, "%s: '%s' is not a number (%s, %ld..%ld)%s", name, clip(value, q),
                 def->unit, def->min, def->max, comment_hint(value));
            return;
        }
        errno = 0;
        long v = strtol(value, NULL, 10);
        if (errno == ERANGE || v < def->min || v > def->max) {
            PERR(p, p->lineno, "%s: %s is out of range (%ld..%ld %s)", name, clip(value, q),
                 def->min, def->max, def->unit);
            return;
        }
        int *field = i == CONFIG_REFRESH ? &set->refresh
                   : i == CONFIG_TIMEOUT ? &set->timeout
                   : i == CONFIG_PAGE_SIZE ? &set->page_size
                   : i == CONFIG_ME_EVERY ? &set->me_every
                                           : &set->rate_budget;
        *field = (int)v;
        return;
    }
    case T_PATH: {
        const char *why = NULL;
        char *path = expand_path(value, p->dir, &why);
        if (!path) {
            PERR(p, p->lineno, "%s: %s", name, why);
            return;
        }
        char **field = i == CONFIG_LOG_FILE ? &set->log_file : &set->ca_bundle;
        free(*field);
        *field = path;
        return;
    }
    case T_COMMAND:
        free(set->copy_command);
        set->copy_command = xstrdup(value);
        return;
    case T_BOOL: {
        static const char *const yes[] = {"true", "yes", "on", "1"};
        static const char *const no[] = {"false", "no", "off", "0"};
        for (size_t k = 0; k < ARRAY_LEN(yes); k++) {
            if (strcasecmp(value, yes[k]) == 0) {
                set->privacy = true;
                return;
            }
            if (strcasecmp(value, no[k]) == 0) {
                set->privacy = false;
                return;
            }
        }
        PERR(p, p->lineno, "%s: '%s' is not true or false%s", name, clip(value, q),
             comment_hint(value));
        return;
    }
    }
}

bool config_probe_ok(const char *name, const char **why)
{
    const resource_desc *r = resource_by_name(name);
    if (!r) {
        *why = "is not a resource name (such as patients or appointments)";
        return false;
    }
    /* One request must prove the key, the org and the scope: a list reachable without an id
     * or a required filter. */
    if (r->parent != RES_NONE || r->required) {
        *why = "cannot be a probe: its list needs an id or a filter";
        return false;
    }
    return true;
}

static bool valid_env_name(const char *s)
{
    if (!(isalpha((unsigned char)*s) || *s == '_'))
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_')
            return false;
    return true;
}

static void set_key(struct parser *p, const char *name, const char *value)
{
    struct config_key *k = &p->cfg->keys[p->index];
    char section[96];
    bprintf(section, sizeof section, "[key \"%s\"]", k->name);
    if (strcmp(name, "base_url") == 0) { /* not a source: the API version this app targets */
        struct url_info u;
        char *why = parse_base_url(value, &u);
        if (k->base_url) {
            PERR(p, p->lineno, "'base_url' is set twice (first at line %d)", k->base_url_line);
        } else if (why) {
            PERR(p, p->lineno, "base_url: %s", why);
        } else {
            k->base_url = xstrdup(value);
            size_t n = strlen(k->base_url);
            while (n > 0 && k->base_url[n - 1] == '/')
                k->base_url[--n] = '\0';
            k->base_url_line = p->lineno;
        }
        free(why);
        return;
    }
    if (strcmp(name, "probe") == 0) { /* not a source: what the app's health is judged on */
        char q[QUOTE_MAX + 4];
        const char *why = NULL;
        if (k->probe)
            PERR(p, p->lineno, "'probe' is set twice (first at line %d)", k->probe_line);
        else if (!config_probe_ok(value, &why))
            PERR(p, p->lineno, "probe: '%s' %s", clip(value, q), why);
        else {
            k->probe = xstrdup(value);
            k->probe_line = p->lineno;
        }
        return;
    }
    int i = index_of(name, key_names, ARRAY_LEN(key_names));
    if (i < 0) {
        unknown_setting(p, name, key_names, ARRAY_LEN(key_names), section);
        return;
    }
    enum config_key_source src = (enum config_key_source)(i + 1);
    if (k->source == src) {
        PERR(p, p->lineno, "'%s' is set twice (first at line %d)", name, k->source_line);
        p->key_bad[p->index] = true;
        return;
    }
    if (k->source != CONFIG_SRC_NONE) {
        PERR(p, p->lineno, "key \"%s\" has two sources, %s (line %d) and %s: keep exactly one",
             k->name, config_key_source_name(k->source), k->source_line, name);
        p->key_bad[p->index] = true;
        return;
    }
    k->source = src;
    k->source_line = p->lineno;
    if (!*value) {
        PERR(p, p->lineno, "%s: empty value%s", name, src == CONFIG_SRC_VALUE ? " (no key)" : "");
        p->key_bad[p->index] = true;
        return;
    }
    switch (src) {
    case CONFIG_SRC_ENV:
        if (!valid_env_name(value)) {
            char q[QUOTE_MAX + 4];
            PERR(p, p->lineno, "env: '%s' is not an environment variable name (letters, digits "
                               "and '_')",
                 clip(value, q));
            p->key_bad[p->index] = true;
        }
        k->source_text = xstrdup(value);
        break;
    case CONFIG_SRC_FILE: {
        const char *why = NULL;
        k->source_text = expand_path(value, p->dir, &why);
        if (!k->source_text) {
            PERR(p, p->lineno, "file: %s", why);
            p->key_bad[p->index] = true;
        }
        break;
    }
    case CONFIG_SRC_COMMAND:
        k->source_text = xstrdup(value);
        break;
    case CONFIG_SRC_VALUE:
        k->value = xstrdup(value);
        break;
    case CONFIG_SRC_NONE:
        break;
    }
}

static bool valid_org_id(const char *s)
{
    if (strlen(s) > 200)
        return false;
    /* It travels in the X-Organization-Id header: printable ASCII only, no spaces. */
    for (; *s; s++)
        if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7F)
            return false;
    return true;
}

static void set_tags(struct parser *p, const char *value, char ***tags, size_t *ntags)
{
    const char *bad = NULL;
    if (!fleet_split_tags(value, tags, ntags, &bad)) {
        char q[QUOTE_MAX + 4];
        PERR(p, p->lineno, "tags: '%s' is not a tag (letters, digits, '-', '_' and '.', at most "
                           "32; separated by commas)",
             clip(bad, q));
    }
}

static void set_org(struct parser *p, const char *name, const char *value)
{
    struct config_org *o = &p->cfg->orgs[p->index];
    char section[96];
    bprintf(section, sizeof section, "[org \"%s\"]", o->name);
    int i = index_of(name, org_names, ARRAY_LEN(org_names));
    if (i < 0) {
        unknown_setting(p, name, org_names, ARRAY_LEN(org_names), section);
        return;
    }
    int *line = i == 0   ? &o->id_line
                : i == 1 ? &o->key_line
                : i == 2 ? &o->display_name_line
                         : &o->tags_line;
    if (*line) {
        PERR(p, p->lineno, "'%s' is set twice (first at line %d)", name, *line);
        return;
    }
    *line = p->lineno;
    if (!*value) {
        PERR(p, p->lineno, "%s: empty value", name);
        return;
    }
    if (i == 0) {
        if (!valid_org_id(value)) {
            char q[QUOTE_MAX + 4];
            PERR(p, p->lineno, "id: '%s' is not an organization id (printable ASCII, no spaces)",
                 clip(value, q));
            return;
        }
        o->id = xstrdup(value);
    } else if (i == 1) {
        o->key_name = xstrdup(value);
    } else if (i == 2) {
        o->display_name = xstrdup(value);
    } else {
        set_tags(p, value, &o->tags, &o->ntags);
    }
}

static void set_orgs(struct parser *p, const char *name, const char *value)
{
    struct config_fleet *f = &p->cfg->fleets[p->index];
    char section[96];
    bprintf(section, sizeof section, "[orgs \"%s\"]", f->name);
    int i = index_of(name, orgs_names, ARRAY_LEN(orgs_names));
    if (i < 0) {
        unknown_setting(p, name, orgs_names, ARRAY_LEN(orgs_names), section);
        return;
    }
    int *line = i == 0 ? &f->file_line : i == 1 ? &f->key_line : &f->tags_line;
    if (*line) {
        PERR(p, p->lineno, "'%s' is set twice (first at line %d)", name, *line);
        return;
    }
    *line = p->lineno;
    if (!*value) {
        PERR(p, p->lineno, "%s: empty value", name);
        return;
    }
    if (i == 0) {
        const char *why = NULL;
        f->path = expand_path(value, p->dir, &why);
        if (!f->path) {
            PERR(p, p->lineno, "file: %s", why);
            return;
        }
        f->file = xstrdup(value);
    } else if (i == 1) {
        f->key_name = xstrdup(value);
    } else {
        set_tags(p, value, &f->tags, &f->ntags);
    }
}

static int on_setting(void *user, const char *section, const char *name, const char *value)
{
    struct parser *p = user;
    (void)section; /* sections are tracked by the reader: inih cuts long ones at 50 bytes */
    if (!*name) {
        PERR(p, p->lineno, "a setting without a name before '='");
        return 1;
    }
    switch (p->kind) {
    case SECT_NONE: {
        char q[QUOTE_MAX + 4];
        PERR(p, p->lineno, "'%s' is outside any section (settings go under [maxdash], [key "
                           "\"NAME\"] or [org \"NAME\"])",
             clip(name, q));
        break;
    }
    case SECT_MAXDASH:
        set_maxdash(p, name, value);
        break;
    case SECT_KEY:
        set_key(p, name, value);
        break;
    case SECT_ORG:
        set_org(p, name, value);
        break;
    case SECT_ORGS:
        set_orgs(p, name, value);
        break;
    case SECT_SKIP:
        break;
    }
    return 1; /* problems are collected here, not by inih */
}

/* inih's line reader. It hands inih one line of the file per call, so p->lineno is the line
 * of every handler call. Lines that inih would cut (it reads at most num - 1 bytes and takes
 * the rest as a new line), NUL bytes and section headers are dealt with here, and leading
 * blanks are dropped so that inih's multi-line continuation never joins two settings. */
static char *read_line(char *str, int num, void *stream)
{
    struct parser *p = stream;
    if (p->pos >= p->size)
        return NULL;
    const char *raw = p->data + p->pos;
    const char *nl = memchr(raw, '\n', p->size - p->pos);
    size_t len = nl ? (size_t)(nl - raw) : p->size - p->pos;
    p->pos += nl ? len + 1 : len;
    p->lineno++;
    if (len > 0 && raw[len - 1] == '\r')
        len--;
    if (p->lineno == 1 && len >= 3 && memcmp(raw, "\xEF\xBB\xBF", 3) == 0)
        raw += 3, len -= 3;
    /* inih needs room for "\r\n\0" after a line (ini.h, INI_MAX_LINE). */
    p->max_line = num - 3;
    str[0] = '\n'; /* what inih gets for a line it must not see */
    str[1] = '\0';
    if (memchr(raw, '\0', len)) {
        PERR(p, p->lineno, "the line holds a NUL byte (is this a text file?)");
        return str;
    }
    if (num < 4 || len > (size_t)p->max_line) {
        PERR(p, p->lineno, "the line is longer than %d characters, the most the INI parser "
                           "reads: shorten it",
             p->max_line);
        return str;
    }
    while (len > 0 && (*raw == ' ' || *raw == '\t' || *raw == '\f' || *raw == '\v'))
        raw++, len--;
    if (len == 0 || *raw == ';' || *raw == '#')
        return str;
    if (*raw == '[') {
        section_header(p, raw, len);
        return str;
    }
    /* inih splits at the first '=' or ':' before an inline comment (" ;"); without one it is a
     * syntax error. Report that here, once, without quoting the line: it may hold a key. */
    bool has_sep = false;
    for (size_t i = 0; i < len; i++) {
        if (raw[i] == '=' || raw[i] == ':') {
            has_sep = true;
            break;
        }
        if (raw[i] == ';' && i > 0 && (raw[i - 1] == ' ' || raw[i - 1] == '\t'))
            break;
    }
    if (!has_sep) {
        PERR(p, p->lineno, "expected NAME = VALUE, a [section], or a comment");
        return str;
    }
    memcpy(str, raw, len);
    str[len] = '\n';
    str[len + 1] = '\0';
    return str;
}

/* --- key sources ----------------------------------------------------------------------- */

/* Keeps the first line of a key file or a key command's output, without the spaces and tabs
 * around it, and wipes the rest: `pass show` prints the key, then "login: ..." and
 * "recovery-code: ..." lines, which are secrets too and must never become HTTP headers
 * (issue 11). A line ends at "\n" or "\r". */
static void keep_first_line(char *s, size_t *len)
{
    size_t end = strcspn(s, "\r\n");
    size_t start = 0;
    while (start < end && (s[start] == ' ' || s[start] == '\t'))
        start++;
    while (end > start && (s[end - 1] == ' ' || s[end - 1] == '\t'))
        end--;
    memmove(s, s + start, end - start);
    explicit_bzero(s + (end - start), *len - (end - start));
    *len = end - start;
}

/* The offset of the first control character (C0 or DEL) of a key, or -1: such a key would
 * split or end the Authorization header (issue 11). */
static long control_at(const char *s)
{
    for (const char *c = s; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7F)
            return (long)(c - s);
    return -1;
}

static char *read_key_file(const char *path, char **why)
{
    /* The path is quoted whole: the advice is to chmod exactly this file. */
    const char *q = path;
    /* O_NONBLOCK: a FIFO must not hang start-up; it is refused below anyway. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        *why = xasprintf("cannot open key file '%s': %s", q, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        *why = xasprintf("cannot read key file '%s': %s", q, strerror(errno));
        close(fd);
        return NULL;
    }
    if (S_ISDIR(st.st_mode) || !S_ISREG(st.st_mode)) {
        *why = xasprintf("key file '%s' is %s", q,
                         S_ISDIR(st.st_mode) ? "a directory" : "not a regular file");
        close(fd);
        return NULL;
    }
    if (st.st_mode & (S_IRWXG | S_IRWXO)) {
        *why = xasprintf("key file '%s' is open to group or others (mode %04o): run "
                         "'chmod 600 %s'",
                         q, (unsigned)(st.st_mode & 07777), q);
        close(fd);
        return NULL;
    }
    if (st.st_uid != geteuid() && st.st_uid != 0) {
        *why = xasprintf("key file '%s' is owned by another user (uid %u), who could replace "
                         "the key: it must be yours (uid %u) or root's",
                         q, (unsigned)st.st_uid, (unsigned)geteuid());
        close(fd);
        return NULL;
    }
    char *data = xmalloc(KEY_OUTPUT_MAX + 2);
    size_t len = 0;
    for (;;) {
        ssize_t n = read(fd, data + len, KEY_OUTPUT_MAX + 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            *why = xasprintf("cannot read key file '%s': %s", q, strerror(errno));
            close(fd);
            wipe_free(data);
            return NULL;
        }
        if (n == 0 || (len += (size_t)n) > KEY_OUTPUT_MAX)
            break;
    }
    close(fd);
    data[len] = '\0';
    if (len > KEY_OUTPUT_MAX) {
        *why = xasprintf("key file '%s' is larger than %d bytes: that is not a key", q,
                         KEY_OUTPUT_MAX);
        wipe_free(data);
        return NULL;
    }
    if (memchr(data, '\0', len)) {
        *why = xasprintf("key file '%s' holds a NUL byte: that is not a key", q);
        memset(data, 0, len);
        wipe_free(data);
        return NULL;
    }
    keep_first_line(data, &len);
    if (len == 0) {
        *why = xasprintf("key file '%s' is empty on its first line, where maxdash reads the key", q);
        wipe_free(data);
        return NULL;
    }
    return data;
}

/* The environment for a key command: ours without the variables that hold keys. The strings
 * stay owned by environ; only the array is fresh. */
static char **command_environment(const struct config *cfg)
{
    size_t n = 0;
    while (environ && environ[n])
        n++;
    char **env = xcalloc(n + 1, sizeof *env);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        const char *eq = strchr(environ[i], '=');
        size_t nlen = eq ? (size_t)(eq - environ[i]) : strlen(environ[i]);
        bool holds_key = false;
        for (size_t k = 0; k < cfg->nkeys && !holds_key; k++) {
            const struct config_key *key = &cfg->keys[k];
            holds_key = key->source == CONFIG_SRC_ENV && key->source_text &&
                        strlen(key->source_text) == nlen &&
                        strncmp(key->source_text, environ[i], nlen) == 0;
        }
        if (!holds_key)
            env[o++] = environ[i];
    }
    env[o] = NULL;
    return env;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The first line of a command's stderr, printable, for quoting in an error. */
static char *first_line(const char *err, size_t len)
{
    size_t n = 0;
    while (n < len && err[n] != '\n' && err[n] != '\r')
        n++;
    char *line = xstrndup(err, n);
    char q[QUOTE_MAX + 4];
    clip(line, q);
    free(line);
    return xstrdup(q);
}

static char *format_seconds(int ms)
{
    return ms % 1000 == 0 ? xasprintf("%d s", ms / 1000) : xasprintf("%.1f s", ms / 1000.0);
}

/* Runs a key command: /bin/sh -c, stdin from /dev/null, its own process group (so a time-out
 * kills whatever it started), stdout captured up to KEY_OUTPUT_MAX. Returns stdout, or NULL
 * with *why set; *why never quotes stdout. */
static char *run_key_command(const char *command, char **envp, char **why)
{
    int outp[2] = {-1, -1}, errp[2] = {-1, -1};
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (devnull < 0 || pipe2(outp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
        *why = xasprintf("cannot run the command: %s", strerror(errno));
        if (devnull >= 0)
            close(devnull);
        for (int i = 0; i < 2; i++) {
            if (outp[i] >= 0)
                close(outp[i]);
            if (errp[i] >= 0)
                close(errp[i]);
        }
        return NULL;
    }
    char *argv[] = {"sh", "-c", (char *)command, NULL};
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        dup2(devnull, 0);
        dup2(outp[1], 1);
        dup2(errp[1], 2);
        harden_close_from(3); /* nothing of ours reaches the command (issue 11 case 7) */
        /* Dispositions and the mask survive exec: give the shell the defaults. */
        signal(SIGPIPE, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execve("/bin/sh", argv, envp);
        _exit(127);
    }
    int fork_errno = errno;
    close(devnull);
    close(outp[1]);
    close(errp[1]);
    if (pid < 0) {
        close(outp[0]);
        close(errp[0]);
        *why = xasprintf("cannot run the command: %s", strerror(fork_errno));
        return NULL;
    }
    setpgid(pid, pid); /* also here, so that the kill below cannot race the child's own */

    int pidfd = -1;
#ifdef SYS_pidfd_open
    pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
#endif
    char *out = xmalloc(KEY_OUTPUT_MAX + 2);
    size_t out_len = 0;
    char err[512];
    size_t err_len = 0;
    bool too_big = false, timed_out = false, reaped = false;
    int status = 0;
    int fds[2] = {outp[0], errp[0]};
    long long deadline = now_ms() + command_timeout_ms;

    while (fds[0] >= 0 || fds[1] >= 0 || !reaped) {
        if (!reaped && waitpid(pid, &status, WNOHANG) == pid)
            reaped = true;
        if (reaped && fds[0] < 0 && fds[1] < 0)
            break;
        long long left = deadline - now_ms();
        if (left <= 0) {
            timed_out = true;
            break;
        }
        struct pollfd pfd[3];
        nfds_t n = 0;
        for (int i = 0; i < 2; i++)
            if (fds[i] >= 0)
                pfd[n++] = (struct pollfd){.fd = fds[i], .events = POLLIN};
        if (!reaped && pidfd >= 0)
            pfd[n++] = (struct pollfd){.fd = pidfd, .events = POLLIN};
        /* Without a pidfd, an exited child whose pipes are closed is noticed by ticking. */
        int wait_ms = (int)left;
        if (!reaped && pidfd < 0 && wait_ms > 10)
            wait_ms = 10;
        int r = poll(pfd, n, wait_ms);
        if (r < 0 && errno != EINTR) {
            timed_out = true; /* cannot watch it any more: kill it rather than wait blind */
            break;
        }
        for (nfds_t i = 0; r > 0 && i < n; i++) {
            if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)) || pfd[i].fd == pidfd)
                continue;
            bool is_out = pfd[i].fd == fds[0];
            char tmp[1024];
            char *dst = is_out ? out + out_len : tmp;
            size_t room = is_out ? KEY_OUTPUT_MAX + 1 - out_len : sizeof tmp;
            ssize_t got = read(pfd[i].fd, dst, room);
            if (got < 0 && errno == EINTR)
                continue;
            if (got <= 0) {
                close(pfd[i].fd);
                fds[is_out ? 0 : 1] = -1;
                continue;
            }
            if (is_out) {
                out_len += (size_t)got;
                if (out_len > KEY_OUTPUT_MAX)
                    too_big = true;
            } else if (err_len < sizeof err) {
                size_t take = (size_t)got < sizeof err - err_len ? (size_t)got
                                                                 : sizeof err - err_len;
                memcpy(err + err_len, tmp, take);
                err_len += take;
            }
        }
        if (too_big)
            break;
    }
    if (!reaped) {
        if (timed_out || too_big) {
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
        }
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    } else if (timed_out) {
        kill(-pid, SIGKILL); /* what it left behind still holds the pipes */
    }
    for (int i = 0; i < 2; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    if (pidfd >= 0)
        close(pidfd);

    char *line = first_line(err, err_len);
    char *result = NULL;
    if (too_big) {
        *why = xasprintf("the command printed more than %d bytes: that is not a key",
                         KEY_OUTPUT_MAX);
    } else if (timed_out) {
        char *secs = format_seconds(command_timeout_ms);
        *why = xasprintf("the command did not finish within %s%s%s", secs, *line ? ": " : "",
                         line);
        free(secs);
    } else if (WIFSIGNALED(status)) {
        *why = xasprintf("the command was killed by signal %d (%s)%s%s", WTERMSIG(status),
                         strsignal(WTERMSIG(status)), *line ? ": " : "", line);
    } else if (WEXITSTATUS(status) != 0) {
        *why = xasprintf("the command failed with exit status %d: %s", WEXITSTATUS(status),
                         *line ? line : "(nothing on stderr)");
    } else if (memchr(out, '\0', out_len)) {
        *why = xstrdup("the command printed a NUL byte: that is not a key");
    } else {
        out[out_len] = '\0';
        keep_first_line(out, &out_len);
        if (out_len == 0)
            *why = xstrdup("the command printed no key on its first line");
        else
            result = out;
    }
    free(line);
    if (!result) {
        memset(out, 0, KEY_OUTPUT_MAX + 2);
        free(out);
    }
    return result;
}

/* --- key hygiene ----------------------------------------------------------------------- */

static unsigned key_warnings(const char *key, enum config_api_env env)
{
    unsigned w = 0;
    if (strncmp(key, "Bearer ", 7) == 0 || strncasecmp(key, "bearer ", 7) == 0) {
        w |= CONFIG_KEYWARN_BEARER;
        key += 7; /* judge the rest on its own, not as "no known prefix" */
        while (*key == ' ')
            key++;
    }
    size_t len = strlen(key);
    if (len >= 2 && ((key[0] == '"' && key[len - 1] == '"') ||
                     (key[0] == '\'' && key[len - 1] == '\''))) {
        w |= CONFIG_KEYWARN_QUOTED;
        key++;
    }
    for (const char *c = key; *c; c++)
        if (isspace((unsigned char)*c) || (unsigned char)*c < 0x20 || *c == 0x7F)
            w |= CONFIG_KEYWARN_SPACE;
    while (isspace((unsigned char)*key)) /* already said; the rest may still look right */
        key++;
    bool prd = strncmp(key, "max_prd_ak_", 11) == 0, dev = strncmp(key, "max_dev_ak_", 11) == 0;
    if ((!prd && !dev) || !key_char(key[11]))
        w |= CONFIG_KEYWARN_FORMAT;
    if (dev && env == CONFIG_API_PRODUCTION)
        w |= CONFIG_KEYWARN_DEV_ON_PROD;
    if (prd && env == CONFIG_API_STAGING)
        w |= CONFIG_KEYWARN_PRD_ON_STAGING;
    return w;
}

const char *config_key_warning_text(unsigned warning)
{
    switch (warning) {
    case CONFIG_KEYWARN_FORMAT:
        return "does not look like a Max AI key (max_prd_ak_... or max_dev_ak_...)";
    case CONFIG_KEYWARN_SPACE:
        return "contains whitespace or control characters (a stray space or line break from "
               "copying?)";
    case CONFIG_KEYWARN_BEARER:
        return "starts with \"Bearer \": maxdash adds that itself; store the key alone";
    case CONFIG_KEYWARN_QUOTED:
        return "is wrapped in quotes, which are taken as part of the key: remove them";
    case CONFIG_KEYWARN_DEV_ON_PROD:
        return "is a staging key (max_dev_ak_) but base_url is production (api.maxcare.ai)";
    case CONFIG_KEYWARN_PRD_ON_STAGING:
        return "is a production key (max_prd_ak_) but base_url is staging (api.maxcare.dev)";
    default:
        return "unknown warning";
    }
}

/* --- loading --------------------------------------------------------------------------- */

/* A config that does not exist: the message names the command that writes it and the example
 * that `make install` installed (issue 19 case 1). */
static void missing_config(struct parser *p)
{
    char *usual = config_find_path(NULL);
    char *hint = docpaths_missing_config_hint(p->path, usual && strcmp(usual, p->path) == 0);
    PERR(p, 0, "no such file: %s", hint);
    free(hint);
    free(usual);
}

/* Opens and reads the config file, refusing what is not a plain file. Returns the contents
 * (NUL-terminated, *size bytes) or NULL after reporting why. */
static char *read_config(struct parser *p, size_t *size)
{
    int fd = open(p->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        int e = errno;
        struct stat lst;
        if (e == ELOOP && lstat(p->path, &lst) == 0 && S_ISLNK(lst.st_mode))
            PERR(p, 0, "is a symbolic link, which maxdash does not follow: pass the file "
                       "itself with -c");
        else if (e == ENOENT)
            missing_config(p);
        else
            PERR(p, 0, "cannot open: %s", strerror(e));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        PERR(p, 0, "cannot read: %s", strerror(errno));
        close(fd);
        return NULL;
    }
    if (S_ISDIR(st.st_mode) || !S_ISREG(st.st_mode)) {
        PERR(p, 0, "is %s, not a config file", S_ISDIR(st.st_mode) ? "a directory"
                                                                  : "not a regular file");
        close(fd);
        return NULL;
    }
    /* Like ssh with its config: every setting can redirect keys (base_url) or run programs
     * (command, copy_command), so only its owner may write it, and the owner is you or root
     * (issue 11 case 5). */
    if (st.st_uid != geteuid() && st.st_uid != 0) {
        PERR(p, 0, "is owned by another user (uid %u), who could change any setting: maxdash "
                   "reads only a config of yours (uid %u) or root's",
             (unsigned)st.st_uid, (unsigned)geteuid());
        close(fd);
        return NULL;
    }
    if (st.st_mode & (S_IWGRP | S_IWOTH)) {
        PERR(p, 0, "can be written by group or others (mode %04o), who could redirect keys "
                   "or run programs through it: run 'chmod go-w %s'",
             (unsigned)(st.st_mode & 07777), p->path);
        close(fd);
        return NULL;
    }
    if (st.st_size > CONFIG_FILE_MAX) {
        PERR(p, 0, "is larger than %d bytes: not a maxdash config", CONFIG_FILE_MAX);
        close(fd);
        return NULL;
    }
    p->mode = st.st_mode;
    /* Sized from fstat, grown if the file grows while it is read, never past the cap. */
    size_t cap = (size_t)st.st_size + 1, len = 0;
    char *data = xmalloc(cap + 1);
    for (;;) {
        if (len == cap) {
            cap = cap * 2 > CONFIG_FILE_MAX + 1 ? CONFIG_FILE_MAX + 1 : cap * 2;
            data = xrealloc(data, cap + 1);
        }
        ssize_t n = read(fd, data + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            PERR(p, 0, "cannot read: %s", strerror(errno));
            close(fd);
            wipe_free_len(data, len);
            return NULL;
        }
        if (n == 0 || (len += (size_t)n) > CONFIG_FILE_MAX)
            break;
    }
    close(fd);
    if (len > CONFIG_FILE_MAX) {
        PERR(p, 0, "is larger than %d bytes: not a maxdash config", CONFIG_FILE_MAX);
        wipe_free_len(data, len);
        return NULL;
    }
    data[len] = '\0';
    if (len >= 2 && ((unsigned char)data[0] == 0xFF || (unsigned char)data[0] == 0xFE) &&
        ((unsigned char)data[1] == 0xFF || (unsigned char)data[1] == 0xFE)) {
        PERR(p, 0, "is UTF-16 encoded: save it as UTF-8");
        wipe_free_len(data, len);
        return NULL;
    }
    *size = len;
    return data;
}

/* --- org lists from CSV files ------------------------------------------------------------ */

#define FLEET_FILE_MAX (64u << 20) /* 64 MiB: 5 000 clinics are a few hundred KiB */

/* The whole file at path, or NULL with *why (caller frees both). */
static char *read_fleet_file(const char *path, size_t *len, char **why)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        *why = xasprintf("cannot read '%s': %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        *why = xasprintf("'%s' is not a regular file", path);
        close(fd);
        return NULL;
    }
    if ((unsigned long long)st.st_size > FLEET_FILE_MAX) {
        *why = xasprintf("'%s' is larger than %u MiB", path, FLEET_FILE_MAX >> 20);
        close(fd);
        return NULL;
    }
    size_t cap = (size_t)st.st_size + 1, n = 0;
    char *data = xmalloc(cap);
    for (;;) {
        if (n == cap - 1) {
            if (cap > FLEET_FILE_MAX) {
                *why = xasprintf("'%s' is larger than %u MiB", path, FLEET_FILE_MAX >> 20);
                break;
            }
            cap *= 2;
            data = xrealloc(data, cap);
        }
        ssize_t r = read(fd, data + n, cap - 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            *why = xasprintf("cannot read '%s': %s", path, strerror(errno));
            break;
        }
        if (r == 0) {
            close(fd);
            data[n] = '\0';
            *len = n;
            return data;
        }
        n += (size_t)r;
    }
    close(fd);
    free(data);
    return NULL;
}

/* Org ids seen so far (open addressing, index + 1 into cfg->orgs), to find duplicates among
 * thousands of rows in linear time. */
struct id_set {
    size_t *slots;
    size_t cap;
};

static struct config_org *id_set_find(const struct config *cfg, const struct id_set *ids,
                                      const char *id)
{
    for (size_t i = name_hash(id) & (ids->cap - 1); ids->slots[i]; i = (i + 1) & (ids->cap - 1))
        if (cfg->orgs[ids->slots[i] - 1].id && strcmp(cfg->orgs[ids->slots[i] - 1].id, id) == 0)
            return &cfg->orgs[ids->slots[i] - 1];
    return NULL;
}

static void id_set_put(const struct config *cfg, struct id_set *ids, size_t index)
{
    if ((cfg->norgs + 1) * 2 > ids->cap) {
        size_t cap = ids->cap ? ids->cap * 2 : 64;
        while ((cfg->norgs + 1) * 2 > cap)
            cap *= 2;
        free(ids->slots);
        ids->slots = xcalloc(cap, sizeof *ids->slots);
        ids->cap = cap;
        for (size_t i = 0; i < cfg->norgs; i++)
            if (cfg->orgs[i].id && i != index)
                org_slot_put(ids->slots, cap, cfg->orgs[i].id, i);
    }
    org_slot_put(ids->slots, ids->cap, cfg->orgs[index].id, index);
}

static void merge_tags(char ***tags, size_t *n, char *const *more, size_t nmore)
{
    for (size_t i = 0; i < nmore; i++) {
        bool have = false;
        for (size_t j = 0; j < *n && !have; j++)
            have = strcasecmp((*tags)[j], more[i]) == 0;
        if (!have) {
            *tags = xrealloc(*tags, (*n + 1) * sizeof **tags);
            (*tags)[(*n)++] = xstrdup(more[i]);
        }
    }
}

static void load_fleet(struct parser *p, size_t fi, struct id_set *ids)
{
    struct config *cfg = p->cfg;
    struct config_fleet *f = &cfg->fleets[fi];
    bool ok = true;
    if (!f->file_line) {
        PERR(p, f->line, "[orgs \"%s\"] has no file: add file = clinics.csv (columns id, name, "
                         "tags)",
             f->name);
        ok = false;
    }
    struct config_key *key = NULL;
    if (!f->key_line) {
        PERR(p, f->line, "[orgs \"%s\"] has no key: add key = NAME of a [key \"NAME\"] section",
             f->name);
        ok = false;
    } else if (f->key_name && !(key = config_find_key(cfg, f->key_name))) {
        char q[QUOTE_MAX + 4];
        PERR(p, f->key_line, "key '%s' is not defined: no [key \"%s\"] section",
             clip(f->key_name, q), q);
        ok = false;
    }
    if (!ok || !f->path)
        return;
    char *why = NULL;
    size_t len = 0;
    char *data = read_fleet_file(f->path, &len, &why);
    if (!data) {
        PERR(p, f->file_line, "file: %s", why);
        free(why);
        return;
    }
    struct fleet_csv csv;
    bool good = fleet_parse_csv(data, len, &csv);
    free(data);
    for (size_t i = 0; i < csv.nproblems; i++)
        add_error(p->errs, f->file, csv.problems[i].line, "%s", csv.problems[i].message);
    if (good) {
        for (size_t r = 0; r < csv.nrows; r++) {
            struct fleet_row *row = &csv.rows[r];
            struct config_org *dup = id_set_find(cfg, ids, row->id);
            if (!dup)
                dup = seen_org(p, row->id);
            if (dup) {
                char *there = config_org_origin(cfg, dup);
                add_error(&cfg->warnings, f->file, row->line,
                          "warning: org id %s is already org \"%s\" (%s): this row is skipped",
                          row->id, dup->name, there);
                free(there);
                continue;
            }
            if (cfg->norgs == p->orgs_cap) {
                p->orgs_cap = p->orgs_cap ? p->orgs_cap * 2 : 16;
                cfg->orgs = xrealloc(cfg->orgs, p->orgs_cap * sizeof *cfg->orgs);
            }
            struct config_org *o = &cfg->orgs[cfg->norgs];
            *o = (struct config_org){
                .name = xstrdup(row->id),
                .line = row->line,
                .id = xstrdup(row->id),
                .id_line = row->line,
                .key_name = xstrdup(f->key_name),
                .key_line = f->key_line,
                .display_name = row->name ? xstrdup(row->name) : NULL,
                .display_name_line = row->name ? row->line : 0,
                .key = key,
                .fleet = fi + 1,
            };
            if (row->tags) {
                const char *bad;
                fleet_split_tags(row->tags, &o->tags, &o->ntags, &bad);
                o->tags_line = row->line;
            }
            merge_tags(&o->tags, &o->ntags, f->tags, f->ntags);
            cfg->norgs++;
            see_org(p);
            id_set_put(cfg, ids, cfg->norgs - 1);
            f->norgs++;
        }
    }
    fleet_csv_free(&csv);
}

static void load_fleets(struct parser *p)
{
    struct config *cfg = p->cfg;
    if (!cfg->nfleets)
        return;
    struct id_set ids = {0};
    size_t cap = 64;
    while (cfg->norgs * 2 >= cap)
        cap *= 2;
    ids.slots = xcalloc(cap, sizeof *ids.slots);
    ids.cap = cap;
    for (size_t i = 0; i < cfg->norgs; i++)
        if (cfg->orgs[i].id)
            org_slot_put(ids.slots, cap, cfg->orgs[i].id, i);
    for (size_t i = 0; i < cfg->nfleets; i++)
        load_fleet(p, i, &ids);
    free(ids.slots);
}

char *config_org_origin(const struct config *cfg, const struct config_org *o)
{
    char *raw;
    if (o->fleet) {
        const struct config_fleet *f = &cfg->fleets[o->fleet - 1];
        raw = xasprintf("%s:%d ([orgs \"%s\"])", f->file, o->line, f->name);
    } else {
        raw = xasprintf("%s:%d", cfg->path, o->line);
    }
    char *out = config_printable(raw);
    free(raw);
    return out;
}

bool config_org_has_tag(const struct config_org *o, const char *tag)
{
    for (size_t i = 0; i < o->ntags; i++)
        if (strcasecmp(o->tags[i], tag) == 0)
            return true;
    return false;
}

static void check_orgs(struct parser *p)
{
    struct config *cfg = p->cfg;
    if (cfg->norgs == 0 && cfg->nfleets == 0)
        PERR(p, 0, "no [org \"NAME\"] section: add one per clinic organization to watch (see "
                   "config.example.ini)");
    const char **names = xcalloc(cfg->nkeys + 1, sizeof *names);
    for (size_t i = 0; i < cfg->nkeys; i++)
        names[i] = cfg->keys[i].name;
    for (size_t i = 0; i < cfg->norgs; i++) {
        struct config_org *o = &cfg->orgs[i];
        if (o->fleet)
            continue; /* its list's key was checked once, in load_fleet */
        if (!o->id_line)
            PERR(p, o->line, "org \"%s\" has no id (the clinic's organization id, e.g. "
                             "id = org_abc123)",
                 o->name);
        if (!o->key_line) {
            PERR(p, o->line, "org \"%s\" has no key: add key = NAME of a [key \"NAME\"] section",
                 o->name);
        } else if (o->key_name) {
            o->key = config_find_key(cfg, o->key_name);
            if (!o->key) {
                char q[QUOTE_MAX + 4];
                const char *near = suggest(o->key_name, names, cfg->nkeys);
                PERR(p, o->key_line, "key '%s' is not defined: no [key \"%s\"] section%s%s%s",
                     clip(o->key_name, q), q, near ? " (did you mean '" : "", near ? near : "",
                     near ? "'?)" : "");
            }
        }
    }
    free(names);
}

static void resolve_keys(struct parser *p)
{
    struct config *cfg = p->cfg;
    char **envp = NULL;
    for (size_t i = 0; i < cfg->nkeys; i++) {
        struct config_key *k = &cfg->keys[i];
        if (p->key_bad[i]) {
            wipe_free(k->value);
            k->value = NULL;
            continue;
        }
        char *why = NULL;
        switch (k->source) {
        case CONFIG_SRC_NONE:
            PERR(p, k->line, "key \"%s\" has no source: set one of env, file, command or value",
                 k->name);
            break;
        case CONFIG_SRC_ENV: {
            const char *v = getenv(k->source_text);
            if (!v)
                why = xasprintf("environment variable %s is not set", k->source_text);
            else if (!*v)
                why = xasprintf("environment variable %s is empty", k->source_text);
            else
                k->value = xstrdup(v);
            break;
        }
        case CONFIG_SRC_FILE:
            k->value = read_key_file(k->source_text, &why);
            break;
        case CONFIG_SRC_COMMAND:
            if (p->mode & (S_IWGRP | S_IWOTH)) {
                why = xasprintf("a command in a config file that group or others can write "
                                "(mode %04o) runs whatever they put there: run 'chmod go-w %s'",
                                (unsigned)(p->mode & 07777), p->path);
                break;
            }
            if (!envp)
                envp = command_environment(cfg);
            k->value = run_key_command(k->source_text, envp, &why);
            if (k->value && strlen(k->value) >= 8 && strstr(k->source_text, k->value)) {
                /* It was on sh's command line, where any local user can read it. */
                why = xstrdup("the command holds the key itself, visible to every local user in "
                              "the process list: read it from a file or a password manager");
                wipe_free(k->value);
                k->value = NULL;
            }
            break;
        case CONFIG_SRC_VALUE:
            if (p->mode & (S_IRWXG | S_IRWXO)) {
                why = xasprintf("an inline key value in a config file that group or others can "
                                "read (mode %04o): run 'chmod 600 %s', or keep the key elsewhere "
                                "with env, file or command",
                                (unsigned)(p->mode & 07777), p->path);
                wipe_free(k->value);
                k->value = NULL;
            }
            break;
        }
        long ctl = k->value && !why ? control_at(k->value) : -1;
        if (ctl >= 0) {
            why = xasprintf("the key holds a control character (at character %ld), which "
                            "cannot go into an HTTP header: store the key alone on one line",
                            ctl + 1);
            wipe_free(k->value);
            k->value = NULL;
        }
        if (why) {
            PERR(p, k->source_line, "key \"%s\": %s", k->name, why);
            free(why);
        }
        if (k->value)
            k->warnings = key_warnings(k->value, cfg->set.api_env);
    }
    free(envp);
}

/* The length of url's scheme://host:port, up to the path. */
static size_t origin_len(const char *url)
{
    const char *after = strstr(url, "://");
    const char *slash = after ? strchr(after + 3, '/') : NULL;
    return slash ? (size_t)(slash - url) : strlen(url);
}

/* A key's base_url may choose another API version (/v1../v4) of the same server, never another
 * server: the engine keeps one TLS, HTTP/2, proxy and CA setting per run, made for [maxdash]
 * base_url, and a key sent to another host is a key sent where the config does not say. */
static void check_key_base_urls(struct parser *p)
{
    const char *base = p->cfg->set.base_url;
    for (size_t i = 0; i < p->cfg->nkeys; i++) {
        const struct config_key *k = &p->cfg->keys[i];
        if (!k->base_url)
            continue;
        size_t n = origin_len(k->base_url);
        if (n != origin_len(base) || strncasecmp(k->base_url, base, n) != 0) {
            char q1[QUOTE_MAX + 4], q2[QUOTE_MAX + 4];
            PERR(p, k->base_url_line,
                 "base_url: '%s' is another server than [maxdash] base_url '%s': a key's "
                 "base_url may only choose the API version (the path, such as /v4)",
                 clip(k->base_url, q1), clip(base, q2));
        }
    }
}

const char *config_org_base_url(const struct config *cfg, const struct config_org *org)
{
    return org && org->key && org->key->base_url ? org->key->base_url : cfg->set.base_url;
}

bool config_load(const char *path, struct config *cfg, struct config_errors *errs)
{
    memset(cfg, 0, sizeof *cfg);
    size_t before = errs->count;
    cfg->path = xstrdup(path);
    struct parser p = {.cfg = cfg, .errs = errs, .path = cfg->path, .kind = SECT_NONE};
    struct config_settings *set = &cfg->set;
    set->refresh = 30;
    set->timeout = 10;
    set->page_size = 50;
    set->rate_budget = 100;
    set->me_every = 10;

    size_t size = 0;
    char *data = read_config(&p, &size);
    if (!data)
        return false;
    const char *slash = strrchr(path, '/');
    p.dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : NULL;
    p.data = data;
    p.size = size;
    int r = ini_parse_stream(read_line, &p, on_setting, &p);
    if (r == -2)
        die(1, "out of memory");
    if (r > 0 && errs->count == before) /* inih saw a problem the reader did not */
        PERR(&p, r, "cannot parse this line");
    wipe_free_len(data, size);

    if (!set->base_url)
        set->base_url = xstrdup(DEFAULT_BASE_URL);
    set->api_env = config_api_env_of(set->base_url);
    check_key_base_urls(&p);
    if (!set->log_file && !set->line[CONFIG_LOG_FILE]) {
        set->log_file = default_log_file();
        if (!set->log_file)
            PERR(&p, 0, "no default for log_file: HOME is not set; set log_file");
    }
    if (set->ca_bundle && access(set->ca_bundle, R_OK) < 0) {
        PERR(&p, set->line[CONFIG_CA_BUNDLE], "ca_bundle: cannot read '%s': %s", set->ca_bundle,
             strerror(errno));
    }
    load_fleets(&p);
    check_orgs(&p);
    if (resolve_secrets)
        resolve_keys(&p);
    free(p.key_bad);
    free(p.org_slots);
    free(p.dir);
    return errs->count == before;
}

void config_free(struct config *cfg)
{
    free(cfg->path);
    free(cfg->set.base_url);
    free(cfg->set.log_file);
    free(cfg->set.ca_bundle);
    free(cfg->set.copy_command);
    for (size_t i = 0; i < cfg->nkeys; i++) {
        struct config_key *k = &cfg->keys[i];
        free(k->name);
        free(k->source_text);
        free(k->probe);
        free(k->base_url);
        wipe_free(k->value);
    }
    free(cfg->keys);
    for (size_t i = 0; i < cfg->norgs; i++) {
        struct config_org *o = &cfg->orgs[i];
        free(o->name);
        free(o->id);
        free(o->key_name);
        free(o->display_name);
        fleet_tags_free(o->tags, o->ntags);
    }
    free(cfg->orgs);
    for (size_t i = 0; i < cfg->nfleets; i++) {
        struct config_fleet *f = &cfg->fleets[i];
        free(f->name);
        free(f->file);
        free(f->path);
        free(f->key_name);
        fleet_tags_free(f->tags, f->ntags);
    }
    free(cfg->fleets);
    config_errors_free(&cfg->warnings);
    memset(cfg, 0, sizeof *cfg);
}

/* --- accessors ------------------------------------------------------------------------- */

char *config_setting_text(const struct config *cfg, enum config_setting s)
{
    const struct config_settings *set = &cfg->set;
    char *raw;
    switch (s) {
    case CONFIG_BASE_URL:
        raw = xstrdup(set->base_url ? set->base_url : "(none)");
        break;
    case CONFIG_REFRESH:
        return xasprintf("%d", set->refresh);
    case CONFIG_TIMEOUT:
        return xasprintf("%d", set->timeout);
    case CONFIG_PAGE_SIZE:
        return xasprintf("%d", set->page_size);
    case CONFIG_RATE_BUDGET:
        return xasprintf("%d", set->rate_budget);
    case CONFIG_LOG_FILE:
        raw = xstrdup(set->log_file ? set->log_file : "(none)");
        break;
    case CONFIG_CA_BUNDLE:
        raw = xstrdup(set->ca_bundle ? set->ca_bundle : "(none)");
        break;
    case CONFIG_COPY_COMMAND:
        raw = xstrdup(set->copy_command ? set->copy_command : "(none)");
        break;
    case CONFIG_PRIVACY:
        return xstrdup(set->privacy ? "true" : "false");
    case CONFIG_ME_EVERY:
        return xasprintf("%d", set->me_every);
    default:
        return xstrdup("?");
    }
    char *out = config_printable(raw);
    free(raw);
    return out;
}

const char *config_key_source_name(enum config_key_source src)
{
    switch (src) {
    case CONFIG_SRC_ENV:
        return "env";
    case CONFIG_SRC_FILE:
        return "file";
    case CONFIG_SRC_COMMAND:
        return "command";
    case CONFIG_SRC_VALUE:
        return "value";
    case CONFIG_SRC_NONE:
        break;
    }
    return "none";
}

char *config_key_source_text(const struct config_key *key)
{
    char *raw = key->source == CONFIG_SRC_VALUE
                    ? xstrdup("value (inline)")
                    : xasprintf("%s %s", config_key_source_name(key->source),
                                key->source_text ? key->source_text : "");
    char *out = config_printable(raw);
    free(raw);
    return out;
}

void config_key_mask(const struct config_key *key, char out[KEYMASK_MAX])
{
    keymask_locale(key->value, out);
}

struct config_key *config_find_key(const struct config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->nkeys; i++)
        if (strcmp(cfg->keys[i].name, name) == 0)
            return &cfg->keys[i];
    return NULL;
}

struct config_org *config_find_org(const struct config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->norgs; i++)
        if (strcmp(cfg->orgs[i].name, name) == 0)
            return &cfg->orgs[i];
    return NULL;
}

/* unsetenv() only drops the pointer: the value stays in the process's original environment
 * block, which /proc/PID/environ shows to every process of the same user. So the value's bytes
 * are overwritten first (the config holds its own copy). */
void config_scrub_environment(const struct config *cfg)
{
    for (size_t i = 0; i < cfg->nkeys; i++) {
        const struct config_key *k = &cfg->keys[i];
        if (k->source != CONFIG_SRC_ENV || !k->source_text)
            continue;
        char *value = getenv(k->source_text);
        if (value)
            explicit_bzero(value, strlen(value));
        unsetenv(k->source_text);
    }
}

const char *config_key_env(const struct config_key *key)
{
    if (!key || !key->value)
        return NULL;
    if (strncmp(key->value, "max_prd_ak_", 11) == 0)
        return "production";
    if (strncmp(key->value, "max_dev_ak_", 11) == 0)
        return "staging";
    return NULL;
}
