/* `maxdash log`: the whole log (FILE.1, then FILE) read with authlog_read, filtered, printed.
 * The file is the user's and may have been edited by hand, so every field is cleaned (and
 * anything like a key masked) before it reaches stdout, in text and in JSON alike. */
#include "cmd_log.h"

#include <errno.h>
#include <jansson.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "authlog.h"
#include "explain.h"
#include "model.h"
#include "cmd_check.h"
#include "config.h"
#include "keymask.h"
#include "logfollow.h"
#include "orgsel.h"
#include "text.h"
#include "util.h"

#define EXIT_USAGE 2

/* The longest run of key characters a masked hint keeps: the prefix and three more
 * ("max_prd_ak_SBA…01S"). */
#define HINT_RUN_MAX (sizeof "max_prd_ak_" - 1 + 3)

/* "2h30m", "90s", "1d12h": whole numbers each followed by s, m, h or d, summed. */
static bool parse_duration(const char *s, double *seconds)
{
    static const struct {
        char unit;
        double seconds;
    } units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};
    double total = 0;
    const char *p = s;
    if (!*p)
        return false;
    while (*p) {
        if (*p < '0' || *p > '9')
            return false;
        long long n = 0;
        for (; *p >= '0' && *p <= '9'; p++) {
            n = n * 10 + (*p - '0');
            if (n > 1000000000LL) /* far beyond any log; also keeps n from overflowing */
                return false;
        }
        size_t u = 0;
        while (u < ARRAY_LEN(units) && units[u].unit != *p)
            u++;
        if (u == ARRAY_LEN(units))
            return false;
        total += (double)n * units[u].seconds;
        p++;
    }
    if (total <= 0 || total > 1e9 * 86400)
        return false;
    *seconds = total;
    return true;
}

/* "2026-11-28", "2026-11-28T14:00", "2026-11-28 14:00:05", with an optional "Z" or "+01:00":
 * UTC unless an offset says otherwise (the log's times are UTC). */
static bool parse_date(const char *s, double *when)
{
    static const char *const formats[] = {"%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M",
                                          "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"};
    for (size_t i = 0; i < ARRAY_LEN(formats); i++) {
        struct tm tm = {0};
        const char *end = strptime(s, formats[i], &tm);
        if (!end)
            continue;
        long offset = 0;
        if (*end == 'Z' || *end == 'z') {
            end++;
        } else if ((*end == '+' || *end == '-') && i < 4) {
            int h, m, used = 0;
            if (sscanf(end + 1, "%2d:%2d%n", &h, &m, &used) != 2 || used != 5 || h > 23 || m > 59)
                continue;
            offset = (*end == '+' ? 1 : -1) * (h * 3600L + m * 60L);
            end += 1 + used;
        }
        if (*end)
            continue;
        int mday = tm.tm_mday, mon = tm.tm_mon;
        time_t t = timegm(&tm);
        if (t == (time_t)-1 || tm.tm_mday != mday || tm.tm_mon != mon) /* 2026-02-31 */
            continue;
        *when = (double)t - (double)offset;
        return true;
    }
    return false;
}

bool cmd_log_parse_since(const char *s, double now, double *cutoff)
{
    double v;
    if (!s)
        return false;
    if (parse_duration(s, &v)) {
        *cutoff = now - v;
        return true;
    }
    if (parse_date(s, &v)) {
        *cutoff = v;
        return true;
    }
    return false;
}

/* The default log_file of the config (DESIGN.md), for when there is no config at all. */
static char *default_log_path(void)
{
    const char *xdg = getenv("XDG_STATE_HOME");
    if (xdg && xdg[0] == '/')
        return xasprintf("%s/maxdash/auth-failures.jsonl", xdg);
    const char *home = getenv("HOME");
    if (!home || !*home) {
        struct passwd *pw = getpwuid(getuid());
        home = pw && pw->pw_dir && *pw->pw_dir ? pw->pw_dir : NULL;
    }
    return home ? xasprintf("%s/.local/state/maxdash/auth-failures.jsonl", home) : NULL;
}

/* The log the config names. Without any config file (and none asked for with -c or
 * $MAXDASH_CONFIG) the default log still may hold failures, so it is read; a config that
 * exists must be valid. NULL after reporting why. */
static char *find_log(const char *cli_config, struct config *out_cfg, bool *have_cfg)
{
    *have_cfg = false;
    const char *env = getenv("MAXDASH_CONFIG");
    bool asked = cli_config || (env && *env);
    char *cfg_path = config_find_path(cli_config);
    struct stat st;
    if (!asked && (!cfg_path || (lstat(cfg_path, &st) != 0 && errno == ENOENT))) {
        free(cfg_path);
        char *path = default_log_path();
        if (!path)
            warnmsg("no log file: HOME is not set; pass -c FILE");
        return path;
    }
    free(cfg_path);
    struct config cfg;
    config_set_resolve_keys(false); /* the log needs no key: never read one */
    if (!check_load_config(cli_config, &cfg)) {
        config_free(&cfg);
        return NULL;
    }
    char *path = cfg.set.log_file ? xstrdup(cfg.set.log_file) : NULL;
    if (!path) {
        char *p = config_printable(cfg.path);
        warnmsg("%s: no log_file set", p);
        free(p);
        config_free(&cfg);
        return NULL;
    }
    *out_cfg = cfg;
    *have_cfg = true;
    return path;
}

static bool key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-';
}

/* A stored hint is already masked, and config_printable would mask its prefix again
 * ("max_prd_ak_……01S"); so it is only cleaned, unless it holds a longer run of key characters
 * than a mask leaves: then it may be a whole key put there by hand, and is masked whole. */
static char *printable_hint(const char *s)
{
    char *clean = text_clean(s);
    size_t run = 0, longest = 0;
    for (const char *p = clean; *p; p++) {
        run = key_char(*p) ? run + 1 : 0;
        if (run > longest)
            longest = run;
    }
    if (longest <= HINT_RUN_MAX)
        return clean;
    char masked[KEYMASK_MAX];
    keymask_locale(clean, masked);
    free(clean);
    return xstrdup(masked);
}

/* A printable copy of a field, NULL staying NULL. */
static char *printable_or_null(const char *s)
{
    return s ? config_printable(s) : NULL;
}

/* out: in with every text field a printable copy; free with authlog_record_free. */
static void record_printable(const struct authlog_record *in, struct authlog_record *out)
{
    *out = *in;
    out->org = printable_or_null(in->org);
    out->org_id = printable_or_null(in->org_id);
    out->key = printable_or_null(in->key);
    out->key_hint = in->key_hint ? printable_hint(in->key_hint) : NULL;
    out->method = printable_or_null(in->method);
    out->path = printable_or_null(in->path);
    out->cls = printable_or_null(in->cls);
    out->code = printable_or_null(in->code);
    out->message = printable_or_null(in->message);
    out->trace_id = printable_or_null(in->trace_id);
    out->required_scope = printable_or_null(in->required_scope);
}

/* A field for the text line: "-" when absent or empty after cleaning. */
static const char *or_dash(const char *s)
{
    return s && *s ? s : "-";
}

/* TIME ORG ORG_ID STATUS CODE [scope=S] "MESSAGE" LATENCYms trace=T key=H METHOD PATH, all
 * already printable. STATUS is the HTTP status, or the class when there was no answer. */
static void print_text(const struct authlog_record *r)
{
    char when[32];
    authlog_time_text(r->time, when);
    char status[16];
    if (r->http_status)
        bprintf(status, sizeof status, "%d", r->http_status);
    printf("%s %s %s %s %s", when, or_dash(r->org), or_dash(r->org_id),
           r->http_status ? status : or_dash(r->cls), or_dash(r->code));
    if (r->required_scope && *r->required_scope)
        printf(" scope=%s", r->required_scope);
    if (r->message)
        printf(" \"%s\"", r->message);
    else
        printf(" -");
    printf(" %ldms trace=%s key=%s %s %s\n", r->latency_ms, or_dash(r->trace_id),
           or_dash(r->key_hint), or_dash(r->method), or_dash(r->path));
}


static bool missing(const char *path)
{
    struct stat st;
    return lstat(path, &st) != 0 && errno == ENOENT;
}

/* Tells about lines that were not records, once, with the line of the last. */
static void report_skipped(const char *shown, size_t skipped, long line)
{
    if (skipped == 1)
        warnmsg("%s:%ld: torn record skipped (written during a crash?)", shown, line);
    else if (skipped > 1)
        warnmsg("%s:%ld: %zu damaged records skipped, the last on this line (written during a "
                "crash, or edited by hand?)",
                shown, line, skipped);
}

/* --explain: the cause analysis needs a model. It is built from the config (keys and orgs,
 * no secret read) and the log itself: each org's latest logged /marketplace/me failure stands
 * in for its probe, so "fails on every org using this key" can be told from the log alone. */
struct log_explainer {
    struct config cfg;
    bool have_cfg;
    struct model m;
};

static void explainer_init(struct log_explainer *x, const char *cli_config,
                           const struct authlog_record *recs, size_t n)
{
    memset(x, 0, sizeof *x);
    config_set_resolve_keys(false);
    char *path = config_find_path(cli_config);
    struct stat st;
    if (path && stat(path, &st) == 0) {
        struct config_errors errs = {0};
        x->have_cfg = config_load(path, &x->cfg, &errs);
        config_errors_free(&errs);
        if (!x->have_cfg)
            config_free(&x->cfg);
    }
    free(path);
    if (!x->have_cfg) {
        memset(&x->cfg, 0, sizeof x->cfg);
        x->cfg.set.refresh = 30;
        x->cfg.set.rate_budget = 100;
    }
    /* No key is read here: the warnings each record kept of its key (a "Bearer " prefix,
     * quotes, a staging key on production) stand in for those the dashboard and check get
     * from the key itself (issue 15 case 6); the newest record of the key decides. */
    for (size_t k = 0; k < x->cfg.nkeys; k++) {
        struct config_key *key = &x->cfg.keys[k];
        for (size_t i = n; i-- > 0;)
            if (recs[i].key && strcmp(recs[i].key, key->name) == 0) {
                if (!key->value)
                    key->warnings = recs[i].key_warnings;
                break;
            }
    }
    model_init(&x->m, &x->cfg, NULL, 0);
    for (size_t i = 0; i < n; i++) {
        const struct authlog_record *r = &recs[i];
        if (!r->path || !strstr(r->path, "/marketplace/me"))
            continue;
        size_t j = model_org_named(&x->m, r->org);
        if (j != (size_t)-1) {
            struct api_result res = {.status = r->http_status};
            res.cls = api_class_of_logged(r->cls, r->http_status);
            model_probe_set(&x->m.orgs[j].probe_me, &res, r->latency_ms, r->time);
        }
    }
}

static void explainer_free(struct log_explainer *x)
{
    model_free(&x->m);
    if (x->have_cfg)
        config_free(&x->cfg);
}

static void explain_record(struct log_explainer *x, const struct authlog_record *r,
                           struct explain *out)
{
    size_t org = model_org_named(&x->m, r->org);
    enum api_class cls = api_class_of_logged(r->cls, r->http_status);
    struct model_failure f = {
        .org = org, .org_name = r->org, .org_id = r->org_id, .key_name = r->key,
        .path = r->path, .cls = cls, .status = r->http_status, .code = r->code,
        .message = r->message, .required_scope = r->required_scope, .count = 1,
        .first_seen = r->time, .last_seen = r->time, .from_log = true,
    };
    explain_failure(&x->m, &f, out);
}

/* Whether --org PATTERN (a name, an org id or a glob) picks the record. */
static bool record_matches_org(const struct authlog_record *r, const char *pat)
{
    struct config_org o = {.name = r->org ? r->org : "", .id = r->org_id};
    return orgsel_matches(&o, pat);
}

bool cmd_log_parse_status(const char *s, int *codes, size_t max, size_t *n)
{
    *n = 0;
    const char *p = s;
    while (*p) {
        int v = 0, digits = 0, wild = 0;
        for (; *p >= '0' && *p <= '9' && digits < 3; p++, digits++)
            v = v * 10 + (*p - '0');
        for (; (*p == 'x' || *p == 'X') && digits + wild < 3; p++, wild++)
            v *= 10;
        if (digits == 0 || digits + wild != 3 || v < 100 || *n == max)
            return false;
        /* "4xx" is stored as -4: any status of that hundred. */
        codes[(*n)++] = wild == 2 ? -(v / 100) : wild == 0 ? v : 0;
        if (wild == 1)
            return false;
        if (*p == ',')
            p++;
        else if (*p)
            return false;
    }
    return *n > 0;
}

struct log_printer {
    const struct cmd_log_opts *opts;
    struct log_explainer *ex; /* NULL without --explain */
    int status[16];
    size_t nstatus;
    double cutoff;            /* --since: records before are left out; 0: none */
    size_t ncut;
    bool write_failed;
};

static bool wanted(const struct log_printer *lp, const struct authlog_record *r)
{
    const struct cmd_log_opts *opts = lp->opts;
    if (opts->org && !record_matches_org(r, opts->org))
        return false;
    if (lp->cutoff && r->time < lp->cutoff)
        return false;
    if (opts->auth_only && !r->auth)
        return false;
    if (lp->nstatus) {
        bool any = false;
        for (size_t i = 0; i < lp->nstatus && !any; i++)
            any = lp->status[i] < 0 ? r->http_status / 100 == -lp->status[i]
                                    : r->http_status == lp->status[i];
        if (!any)
            return false;
    }
    return true;
}

static void print_record(struct log_printer *lp, const struct authlog_record *r)
{
    const struct cmd_log_opts *opts = lp->opts;
    lp->ncut += authlog_is_cut(r->trace_id) || authlog_is_cut(r->message) ||
                authlog_is_cut(r->code) || authlog_is_cut(r->required_scope);
    struct authlog_record p;
    record_printable(r, &p);
    struct explain why = {0};
    if (lp->ex)
        explain_record(lp->ex, r, &why);
    if (opts->json) {
        char *line = authlog_format(&p);
        if (lp->ex) {
            /* The record's own fields, then the explanation. */
            json_t *o = json_loads(line, 0, NULL);
            json_t *details = json_array();
            for (size_t k = 0; k < why.n; k++)
                json_array_append_new(details, json_string(why.lines[k]));
            json_object_set_new(o, "explanation",
                                why.headline ? json_pack("{s:s, s:o}", "headline",
                                                         why.headline, "details", details)
                                             : (json_decref(details), json_null()));
            free(line);
            char *dumped = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
            line = xasprintf("%s\n", dumped ? dumped : "{}");
            free(dumped);
            json_decref(o);
        }
        fputs(line, stdout);
        free(line);
    } else {
        print_text(&p);
        if (why.headline) {
            printf("    -> %s\n", why.headline);
            for (size_t k = 0; k < why.n; k++)
                printf("       %s\n", why.lines[k]);
        }
    }
    explain_free(&why);
    authlog_record_free(&p);
}

/* log --follow: each new record as it comes, flushed at once; stops when stdout is gone. */
static bool follow_emit(const struct authlog_record *r, void *ctx)
{
    struct log_printer *lp = ctx;
    if (!wanted(lp, r))
        return true;
    print_record(lp, r);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        lp->write_failed = true;
        return false;
    }
    return true;
}

/* --org: a pattern that names no configured org and no logged one is a mistake (the same rule
 * as check's, issue 17), reported with the close matches. */
static bool org_known(const struct config *cfg, bool have_cfg, const char *pat,
                      const struct authlog_record *recs, size_t n)
{
    if (have_cfg)
        for (size_t i = 0; i < cfg->norgs; i++)
            if (orgsel_matches(&cfg->orgs[i], pat))
                return true;
    for (size_t i = 0; i < n; i++)
        if (record_matches_org(&recs[i], pat))
            return true;
    size_t cap = (have_cfg ? cfg->norgs * 2 : 0) + 2 * n + 1, nc = 0;
    const char **cands = xcalloc(cap, sizeof *cands);
    for (size_t i = 0; have_cfg && i < cfg->norgs; i++) {
        cands[nc++] = cfg->orgs[i].name;
        cands[nc++] = cfg->orgs[i].id ? cfg->orgs[i].id : cfg->orgs[i].name;
    }
    for (size_t i = 0; i < n; i++) {
        if (recs[i].org)
            cands[nc++] = recs[i].org;
        if (recs[i].org_id)
            cands[nc++] = recs[i].org_id;
    }
    char *near = orgsel_close_matches(pat, cands, nc);
    free(cands);
    char *raw = xasprintf("--org: no org named '%s' (by name, org id or glob) in %s or its log%s%s%s",
                          pat, have_cfg ? cfg->path : "the config", near ? "; did you mean " : "",
                          near ? near : "", near ? "?" : "");
    char *msg = config_printable(raw);
    warnmsg("%s", msg);
    free(msg);
    free(raw);
    free(near);
    return false;
}

int cmd_log_run(const struct cmd_log_opts *opts)
{
    double cutoff = 0;
    if (opts->since && !cmd_log_parse_since(opts->since, wall_now(), &cutoff)) {
        char *p = config_printable(opts->since);
        warnmsg("--since takes a duration like 30m, 2h30m or 7d (whole numbers of s, m, h, d) or "
                "a UTC date or time like 2026-11-28 or 2026-11-28T14:00, not '%s'",
                p);
        free(p);
        return EXIT_USAGE;
    }
    struct log_printer lp = {.opts = opts};
    if (opts->status &&
        !cmd_log_parse_status(opts->status, lp.status, ARRAY_LEN(lp.status), &lp.nstatus)) {
        char *p = config_printable(opts->status);
        warnmsg("--status takes HTTP statuses separated by commas, like 401,403 or 5xx, not "
                "'%s'",
                p);
        free(p);
        return EXIT_USAGE;
    }
    struct config cfg;
    bool have_cfg;
    char *path = find_log(opts->config, &cfg, &have_cfg);
    if (!path)
        return EXIT_USAGE;
    char *shown = config_printable(path);

    struct authlog_record *recs;
    size_t n, skipped;
    long skipped_line;
    char err[1024];
    if (!authlog_read(path, SIZE_MAX, &recs, &n, &skipped, &skipped_line, err, sizeof err)) {
        char *e = config_printable(err);
        warnmsg("%s", e);
        free(e);
        free(shown);
        free(path);
        if (have_cfg)
            config_free(&cfg);
        return 1;
    }
    bool known = !opts->org || org_known(&cfg, have_cfg, opts->org, recs, n);
    if (have_cfg)
        config_free(&cfg);
    if (!known) {
        authlog_records_free(recs, n);
        free(shown);
        free(path);
        return EXIT_USAGE;
    }
    report_skipped(shown, skipped, skipped_line);
    char warn[600];
    if (authlog_check_files(path, warn, sizeof warn)) {
        char *w = config_printable(warn);
        warnmsg("%s", w);
        free(w);
    }
    if (n == 0 && skipped == 0 && missing(path) && !opts->follow) {
        char *older = xasprintf("%s.1", path);
        if (missing(older))
            warnmsg("%s: no such file: no failure has been logged yet", shown);
        free(older);
    }

    struct log_explainer ex;
    if (opts->explain)
        explainer_init(&ex, opts->config, recs, n);
    lp.ex = opts->explain ? &ex : NULL;
    lp.cutoff = opts->since ? cutoff : 0;
    /* --follow prints what comes from now on; with --since, first what came since then. */
    for (size_t i = 0; i < n && (!opts->follow || opts->since); i++)
        if (wanted(&lp, &recs[i]))
            print_record(&lp, &recs[i]);
    authlog_records_free(recs, n);
    bool follow_ok = true;
    if (opts->follow) {
        if (fflush(stdout) == 0)
            follow_ok = logfollow_run(path, follow_emit, &lp, err, sizeof err);
        if (!follow_ok) {
            char *e = config_printable(err);
            warnmsg("%s", e);
            free(e);
        }
    }
    if (opts->explain)
        explainer_free(&ex);
    size_t ncut = lp.ncut;
    if (ncut)
        warnmsg("%zu record%s hold text cut at maxdash's limits (trace_id and code %d bytes, "
                "message %d bytes), marked \xE2\x80\xA6[cut]",
                ncut, ncut == 1 ? "" : "s", AUTHLOG_ID_MAX, AUTHLOG_TEXT_MAX);

    int status = follow_ok ? 0 : 1;
    if (fflush(stdout) != 0 || ferror(stdout) || lp.write_failed) {
        warnmsg("cannot write the output");
        status = 1;
    }
    free(shown);
    free(path);
    return status;
}
