/* Cause analysis. The API says little (401 never says why), so the evidence is maxdash's own:
 * the same key on the other orgs, what /marketplace/me reported, the key's warnings, whether
 * it ever worked in this run. Every sentence is plain text from the model (already sanitized
 * API strings, config names through text_clean). */
#include "explain.h"

#include <math.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "authlog.h"
#include "orgid.h"
#include "resources.h"
#include "text.h"
#include "util.h"

static void add(struct explain *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct explain *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    text_lines_vadd(&e->lines, &e->n, fmt, ap);
    va_end(ap);
}

static void headline(struct explain *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void headline(struct explain *e, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    utf8_trim_partial(buf);
    free(e->headline);
    e->headline = text_clean(buf);
}

void explain_free(struct explain *e)
{
    free(e->headline);
    for (size_t i = 0; i < e->n; i++)
        free(e->lines[i]);
    free(e->lines);
    memset(e, 0, sizeof *e);
}

static void utc_clock(double t, char buf[32])
{
    time_t secs = (time_t)t;
    struct tm tm;
    gmtime_r(&secs, &tm);
    strftime(buf, 32, "%H:%M:%S UTC", &tm);
}

static bool has_scope(const struct api_me *me, const char *scope)
{
    for (size_t i = 0; me->scopes && i < me->nscopes; i++)
        if (strcmp(me->scopes[i], scope) == 0)
            return true;
    return false;
}

static bool probe_ok(const struct model_probe *p)
{
    return p->done && p->cls == API_OK;
}

/* --- per class ----------------------------------------------------------------------------- */

static void explain_403(const struct model *m, const struct model_org *o, const char *scope,
                        bool from_log, struct explain *e)
{
    if (!scope) {
        headline(e, "forbidden: the key or the clinic's installation lacks a scope");
        add(e, "The response did not name the scope (documented: \"Insufficient scope. "
               "Required: <scope>\").");
    } else {
        /* Which side is missing it: if the same key has the scope on another org, the key has
         * it and this clinic has not granted it. */
        const char *granted_on = NULL;
        for (size_t i = 0; o && i < m->norgs && !granted_on; i++) {
            const struct model_org *other = &m->orgs[i];
            if (other != o && other->cfg->key == o->cfg->key && other->have_me &&
                has_scope(&other->me, scope))
                granted_on = other->cfg->name;
        }
        if (o && o->have_me && o->me.scopes) {
            char list[512] = "";
            size_t len = 0;
            for (size_t i = 0; i < o->me.nscopes && len < sizeof list - 1; i++)
                len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "",
                                        o->me.scopes[i]);
            utf8_trim_partial(list);
            add(e, "Required %s; the effective scopes here are: %s.", scope,
                o->me.nscopes ? list : "none");
        } else {
            add(e, "Required %s; /marketplace/me has not reported this org's scopes yet.", scope);
        }
        if (granted_on) {
            headline(e, "missing %s: the clinic must grant it in its installation", scope);
            add(e, "The same key has %s on %s, so the key is fine: this clinic did not approve "
                   "%s when it installed the app.", scope, granted_on, scope);
            add(e, "Next: ask the clinic to approve %s in its installation of the app.", scope);
        } else {
            /* Without an org where the key has the scope, the evidence cannot tell the key
             * from the clinic: say what is known and what decides it, never a guess
             * (issue 15, case 5). */
            size_t users = 0, known = 0;
            const char *other_name = NULL;
            for (size_t i = 0; o && i < m->norgs; i++) {
                const struct model_org *other = &m->orgs[i];
                if (other == o || other->cfg->key != o->cfg->key)
                    continue;
                users++;
                known += other->have_me && !from_log;
                if (!other_name)
                    other_name = other->cfg->name;
            }
            headline(e, "missing %s: the key lacks it, or the clinic has not granted it", scope);
            if (users == 0)
                add(e, "No other org uses this key, so nothing here can tell the key's scopes "
                       "from the clinic's grant.");
            else if (known < users)
                add(e, "What is known: %s; %zu other org%s use%s this key, and %s not "
                       "known here.", from_log ? "this failure from the log (the log holds "
                       "failures only)" : "this org's answer", users, users == 1 ? "" : "s",
                    users == 1 ? "s" : "", users == 1 ? "its scopes are" : "some of their scopes are");
            else
                add(e, "None of the %zu other org%s using this key has %s either: the key may "
                       "lack it, or none of these clinics granted it.", users,
                    users == 1 ? "" : "s", scope);
            if (users > 0)
                add(e, "What decides it: maxdash check --scopes --org %s --org %s: if the key "
                       "has %s on another org, this clinic must grant it; if on none, create a "
                       "key with %s.", o->cfg->name, other_name, scope, scope);
            else
                add(e, "What decides it: the scopes the key was created with: if it lacks %s, "
                       "create a key with %s; if it has it, the clinic must approve it in its "
                       "installation.", scope, scope);
        }
    }
    add(e, "Effective scopes are the key's scopes intersected with those the clinic granted.");
}

/* The key warning that best explains a 401, most specific first; 0 when none. */
static unsigned key_flaw(unsigned warnings)
{
    static const unsigned order[] = {CONFIG_KEYWARN_BEARER, CONFIG_KEYWARN_QUOTED,
                                     CONFIG_KEYWARN_DEV_ON_PROD, CONFIG_KEYWARN_PRD_ON_STAGING,
                                     CONFIG_KEYWARN_SPACE, CONFIG_KEYWARN_FORMAT};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (warnings & order[i])
            return order[i];
    return 0;
}

static void explain_401(const struct model *m, const struct model_org *o, bool from_log,
                        struct explain *e)
{
    if (!o) {
        headline(e, "the key was refused (401)");
        add(e, "Documented causes: no Authorization header, no \"Bearer \" prefix, or a key that "
               "is revoked, expired or unknown (the API does not say which).");
        return;
    }
    const struct config_key *k = o->cfg->key;
    size_t users = 0, working = 0, refused = 0;
    const char *works_on = NULL;
    for (size_t i = 0; i < m->norgs; i++) {
        const struct model_org *other = &m->orgs[i];
        if (other->cfg->key != k)
            continue;
        users++;
        if (probe_ok(&other->probe_me)) {
            working++;
            works_on = other->cfg->name;
        } else if (other->probe_me.done && other->probe_me.cls == API_UNAUTHORIZED) {
            refused++;
        }
    }
    /* A key with a known flaw (a "Bearer " prefix, quotes, a staging key on production) is
     * refused everywhere for that reason: the flaw is the headline, unless the same key works
     * on another org right now (issue 15, case 6). */
    unsigned flaw = k && working == 0 ? key_flaw(k->warnings) : 0;
    if (flaw) {
        add(e, "The API refuses a key like that (401 on every org): fix it in the config, then "
               "press r to refresh.");
    }
    if (users > 1 && refused == users) {
        headline(e, "fails on every org using this key (%zu of %zu): revoked, expired or wrong key",
                 refused, users);
        add(e, "Key \"%s\" is refused on all %zu orgs that use it: the key itself is the problem.",
            k ? k->name : "?", users);
    } else if (working > 0) {
        headline(e, "key works on %s but not here: check this org's id and installation",
                 works_on);
        add(e, "Key \"%s\" is accepted on %zu of %zu orgs right now, so it is valid.",
            k ? k->name : "?", working, users);
    } else if (users == 1) {
        headline(e, "the key was refused (401): revoked, expired or wrong key");
        add(e, "No other org uses key \"%s\" to compare with.", k ? k->name : "?");
    } else {
        headline(e, "the key was refused (401)");
    }
    if (flaw)
        headline(e, "key \"%s\" %s", k->name, config_key_warning_text(flaw));
    if (o->last_success > 0) {
        char when[32];
        utc_clock(o->last_success, when);
        add(e, "It worked here at %s in this run: the key was revoked or expired since.", when);
    } else if (!from_log) {
        add(e, "It has not worked here once in this run.");
    }
    for (unsigned bit = 1; k && bit <= CONFIG_KEYWARN_ALL; bit <<= 1)
        if (k->warnings & bit)
            add(e, "The key itself: %s", config_key_warning_text(bit));
    add(e, "Documented causes: no Authorization header, no \"Bearer \" prefix, or a key that is "
           "revoked, expired or unknown (the API does not say which).");
}

static void explain_404(const struct model_org *o, const char *path, struct explain *e)
{
    bool patient = path && strstr(path, "/patients/") != NULL;
    if (patient) {
        headline(e, "record not visible to this app: no such patient in this org");
        add(e, "The patient id is unknown, or the record belongs to another organization.");
        return;
    }
    /* The config is the cheaper thing to check, and the usual culprit when the id has an odd
     * shape: it comes first (issue 15, case 7). */
    unsigned w = o ? orgid_warnings(o->cfg->id) : 0;
    char *id = o ? text_clean(o->cfg->id) : NULL;
    if (w) {
        unsigned first = w & -w;
        headline(e, "check the org id in your config: \"%s\" %s", id, orgid_warning_text(first));
        for (unsigned bit = first << 1; bit <= ORGID_WARN_ALL; bit <<= 1)
            if (w & bit)
                add(e, "The org id %s.", orgid_warning_text(bit));
    } else {
        headline(e, "%s is not visible to this app: check the org id in your config, then the "
                    "clinic", id ? id : "the org");
    }
    free(id);
    add(e, "Either the org id in the config is wrong, or the clinic has not installed the app "
           "(or uninstalled it).");
    add(e, "Next: check the org id in your config (documented: org_..., a UUID, org_<32 hex>), "
           "then ask the clinic whether the app is installed there.");
}


bool explain_rate_until(const struct model *m, size_t b, char *buf, size_t size)
{
    if (b >= m->nbudgets)
        return false;
    const struct model_budget *bd = &m->budgets[b];
    double wait = bd->blocked_until - mono_now();
    if (wait <= 0 || wait <= bd->effective_refresh)
        return false;
    char when[32];
    utc_clock(wall_now() + wait, when);
    bprintf(buf, size, "rate limited until %s", when);
    return true;
}

static bool unreachable(enum api_class cls)
{
    return cls == API_TIMEOUT || cls == API_CONNECT || cls == API_DNS || cls == API_TLS ||
           cls == API_PROXY;
}

bool explain_outage(const struct model *m, char *buf, size_t size)
{
    double since = 0;
    enum api_class cls = API_CONNECT;
    for (size_t i = 0; i < m->norgs; i++) {
        const struct model_probe *p = model_org_latest(&m->orgs[i]);
        if (!p->done || !unreachable(p->cls))
            return false;
        double first = m->orgs[i].first_failure > 0 ? m->orgs[i].first_failure : p->at;
        if (since == 0 || first < since) {
            since = first;
            cls = p->cls;
        }
    }
    if (m->norgs == 0)
        return false;
    const char *what = cls == API_TIMEOUT ? "timing out" : cls == API_DNS ? "host not resolved"
                     : cls == API_TLS ? "TLS failing" : cls == API_PROXY ? "the proxy refuses"
                     : "not connecting";
    char when[32];
    utc_clock(since, when);
    bprintf(buf, size, "API unreachable since %s (%s)", when, what);
    return true;
}

bool explain_data_age(const struct model *m, size_t org, char *buf, size_t size)
{
    if (org >= m->norgs)
        return false;
    const struct model_org *o = &m->orgs[org];
    if (o->last_success <= 0 || o->first_failure <= 0)
        return false;
    double age = wall_now() - o->last_success;
    if (age < 0)
        age = 0;
    if (age < 120)
        bprintf(buf, size, "data %.0f s old", age);
    else if (age < 7200)
        bprintf(buf, size, "data %.0f min old", floor(age / 60));
    else
        bprintf(buf, size, "data %.1f h old", age / 3600);
    return true;
}

bool explain_budget_wait(const struct model *m, size_t org, bool page, char *buf, size_t size)
{
    if (org >= m->norgs)
        return false;
    double until = page ? (m->orgs[org].page_dirty ? m->orgs[org].page_wait_until : 0)
                        : (m->detail.active && m->detail.pending && m->detail.org == org
                               ? m->detail.wait_until : 0);
    double left = until - mono_now();
    if (until <= 0 || left <= 0)
        return false;
    bprintf(buf, size, "waiting for rate budget (~%.0f s)", ceil(left));
    return true;
}

static void explain_429(const struct model *m, const struct model_org *o, struct explain *e)
{
    const struct model_budget *b = o ? &m->budgets[o->budget] : NULL;
    const char *app = b && b->app_id ? b->app_id : o && o->have_me ? o->me.app_id : NULL;
    double wait = b ? b->blocked_until - mono_now() : -1;
    char limit[32] = "its";
    if (b && b->limit >= 0)
        snprintf(limit, sizeof limit, "%ld", b->limit);
    char until[64];
    if (o && explain_rate_until(m, o->budget, until, sizeof until))
        headline(e, "%s: the app's %s requests per window are used up", until, limit);
    else if (wait > 0)
        headline(e, "rate limited: the app's %s requests per window are used up; retry in %.0f s",
                 limit, ceil(wait));
    else
        headline(e, "rate limited: the app's %s requests per window are used up", limit);
    add(e, "The limit is per app: every key and org of app %s shares it, production traffic "
           "included.", app ? app : "(not known yet)");
    if (wait > 0) {
        char when[32];
        time_t now = time(NULL);
        utc_clock((double)now + wait, when);
        add(e, "maxdash sends nothing for this app until %s (%.0f s: the server's Retry-After, "
               "else its X-RateLimit-Reset, else a backoff).", when, ceil(wait));
    } else if (b && b->reset > 0) {
        char when[32];
        utc_clock((double)b->reset, when);
        add(e, "The server's window resets at %s.", when);
    }
    add(e, "maxdash itself stays under rate_budget = %d requests a minute.",
        m->cfg ? m->cfg->set.rate_budget : 0);
    if (b && b->reset_ignored > 0)
        add(e, "The server's X-RateLimit-Reset (%lld) is more than %d s ahead (milliseconds, or a "
               "wrong clock?): it is ignored as if absent.", b->reset_ignored,
            2 * API_RATE_WINDOW_S);
    if (o && o->last_success > 0 && wait > 0) {
        char when[32];
        utc_clock(o->last_success, when);
        add(e, "The data shown is from %s (%.0f s old) and is not refreshed before then.", when,
            wall_now() - o->last_success);
    }
}

static void explain_down(const struct model_org *o, const struct model_failure *f,
                         struct explain *e)
{
    if (f->cls == API_LOCAL) {
        headline(e, "this machine ran out of file descriptors: not the API");
        add(e, "maxdash could not open a socket (too many open files). It already raises its soft "
               "limit to the hard one and keeps connections below it; raise the hard limit "
               "(ulimit -Hn, LimitNOFILE=) or close what else holds descriptors.");
        return;
    }
    const char *what = f->cls == API_TIMEOUT ? "timing out"
                     : f->cls == API_SERVER_ERROR ? "failing on the server (5xx)"
                     : f->cls == API_BAD_RESPONSE ? "answering with bodies that are not the API's JSON"
                     : f->cls == API_TLS ? "failing TLS"
                     : f->cls == API_DNS ? "not resolving"
                     : "not connecting";
    headline(e, "the API is %s", what);
    if (o && o->first_failure > 0) {
        char when[32];
        utc_clock(o->first_failure, when);
        add(e, "Refreshes of this org fail since %s (%ld time%s in this group).", when, f->count,
            f->count == 1 ? "" : "s");
    }
    if (o && o->retrying)
        add(e, "maxdash retries with backoff (attempt %d).", o->retry_attempt);
    if (f->cls == API_BAD_RESPONSE)
        add(e, "A proxy or a truncated transfer is the usual cause.");
    else if (f->cls == API_TLS)
        add(e, "Check ca_bundle and any TLS-intercepting proxy.");
    else if (f->cls == API_SERVER_ERROR)
        add(e, "Quote the trace_ids to Max AI support.");
}

/* Something in front of the API answered (issue 15, case 1): the key and the clinic are not
 * in question, so nothing here names them. f->message is api.c's summary: status, server,
 * content type, size. */
static void explain_blocked(const struct model_failure *f, struct explain *e)
{
    bool html = f->message && strstr(f->message, "html");
    headline(e, "blocked before the API (%s)", html ? "HTML from a proxy/CDN?"
                                                    : "not the API's JSON: a proxy/CDN?");
    add(e, "%s", f->message ? f->message : "(no details)");
    add(e, "The API's own %d errors are JSON with a code and a trace_id; this one is not, so a "
           "proxy, CDN or firewall between maxdash and the API answered. It says nothing about "
           "the key or the clinic, and is not counted as an auth failure.", f->status);
    add(e, "Next: try the base URL from this machine with curl (see the *_proxy variables and "
           "any TLS-inspecting firewall), or ask the network's administrators.");
}

/* The "HOST (VARIABLE)" that api.c's proxy summaries name ("407 from the proxy H (V): ...",
 * "the proxy H (V) refused ..."), into buf; "" when the message names none. */
static void proxy_named(const char *msg, char *buf, size_t size)
{
    buf[0] = '\0';
    const char *p = msg ? strstr(msg, "the proxy ") : NULL;
    if (!p)
        return;
    p += sizeof "the proxy " - 1;
    size_t n = strlen(p);
    const char *colon = strstr(p, ": "), *refused = strstr(p, " refused");
    if (colon && (size_t)(colon - p) < n)
        n = (size_t)(colon - p);
    if (refused && (size_t)(refused - p) < n)
        n = (size_t)(refused - p);
    bprintf(buf, size, "%.*s", (int)n, p);
    utf8_trim_partial(buf);
}

/* A proxy answered instead of the API (issue 15, case 2). */
static void explain_proxy(const struct model_failure *f, struct explain *e)
{
    char name[256];
    proxy_named(f->message, name, sizeof name);
    bool none = !name[0] || strncmp(name, "none set", 8) == 0;
    if (f->status == 407)
        headline(e, "the proxy%s%s asks for credentials (407)", none ? "" : " ", none ? "" : name);
    else
        headline(e, "the proxy%s%s refused the tunnel to the API", none ? "" : " ",
                 none ? "" : name);
    add(e, "%s", f->message ? f->message : "(no details)");
    add(e, "The API did not answer: the key and the clinic are not in question, and this is "
           "not counted as an auth failure.");
    if (none)
        add(e, "No *_proxy variable is set in maxdash's environment: a transparent proxy or a "
               "firewall on the way answered.");
    add(e, "Next: put the proxy's credentials in its URL (http://USER:PASSWORD@HOST:PORT in "
           "https_proxy or http_proxy), or add the API's host to no_proxy when it can be "
           "reached directly.");
}

void explain_failure(const struct model *m, const struct model_failure *f, struct explain *out)
{
    memset(out, 0, sizeof *out);
    const struct model_org *o = f->org < m->norgs ? &m->orgs[f->org] : NULL;
    switch (f->cls) {
    case API_FORBIDDEN: explain_403(m, o, f->required_scope, f->from_log, out); break;
    case API_UNAUTHORIZED: explain_401(m, o, f->from_log, out); break;
    case API_NOT_FOUND: explain_404(o, f->path, out); break;
    case API_RATE_LIMITED: explain_429(m, o, out); break;
    case API_BAD_REQUEST:
        headline(out, "the API refused the request's parameters (%d)", f->status);
        add(out, "%s", f->message ? f->message : "");
        break;
    case API_BLOCKED: explain_blocked(f, out); break;
    case API_PROXY: explain_proxy(f, out); break;
    case API_OK:
        break;
    default: explain_down(o, f, out); break;
    }
    if (f->from_log)
        add(out, "(From an earlier run's log: the orgs' current state may differ.)");
}

void explain_scope(const struct model *m, size_t org, const char *scope, struct explain *out)
{
    memset(out, 0, sizeof *out);
    if (org < m->norgs)
        explain_403(m, &m->orgs[org], scope, false, out);
}

void explain_org(const struct model *m, size_t org, struct explain *out)
{
    memset(out, 0, sizeof *out);
    if (org >= m->norgs)
        return;
    const struct model_org *o = &m->orgs[org];
    const struct model_probe *p = NULL;
    if (o->probe_me.done && o->probe_me.cls != API_OK)
        p = &o->probe_me;
    else if (model_org_probe(o)->done && model_org_probe(o)->cls != API_OK)
        p = model_org_probe(o);
    if (!p)
        return;
    const resource_desc *pr = resource_by_name(o->probe_name);
    const char *probe_path = pr ? pr->list_path : "/patients";
    struct model_failure f = {
        .org = org,
        .cls = p->cls,
        .status = p->status,
        .code = p->err.code,
        .message = p->err.message ? p->err.message : p->summary,
        .required_scope = p->err.required_scope,
        .path = p == &o->probe_me ? "/marketplace/me" : o->probe_other ? (char *)probe_path
                                                                        : "/patients",
        .count = 1,
    };
    explain_failure(m, &f, out);
}

/* --- for support ---------------------------------------------------------------------------- */

struct buf {
    char *s;
    size_t len;
};

static void bput(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bput(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *piece = NULL;
    int n = vasprintf(&piece, fmt, ap);
    va_end(ap);
    if (n < 0)
        die(1, "out of memory");
    b->s = xrealloc(b->s, b->len + (size_t)n + 1);
    memcpy(b->s + b->len, piece, (size_t)n + 1);
    b->len += (size_t)n;
    free(piece);
}

char *explain_support_note(const struct model *m, const struct model_failure *f)
{
    const struct model_org *o = f->org < m->norgs ? &m->orgs[f->org] : NULL;
    const char *app = o && o->have_me && o->me.app_id ? o->me.app_id
                    : o && m->budgets[o->budget].app_id ? m->budgets[o->budget].app_id
                                                         : "(unknown)";
    char first[32], last[32];
    authlog_time_text(f->first_seen, first);
    authlog_time_text(f->last_seen, last);
    struct buf b = {0};
    bput(&b, "Max AI API: %d %s on %s %s\n", f->status, f->code ? f->code : api_class_name(f->cls),
         f->method ? f->method : "GET", f->path ? f->path : "?");
    bput(&b, "Organization id: %s\n", f->org_id ? f->org_id : "(unknown)");
    bput(&b, "App id: %s\n", app);
    bput(&b, "Base URL: %s\n", m->cfg ? m->cfg->set.base_url : "?");
    bput(&b, "Time (UTC): first %s, last %s, %ld occurrence%s\n", first, last, f->count,
         f->count == 1 ? "" : "s");
    bput(&b, "Response: %d %s: %s\n", f->status, f->code ? f->code : api_class_name(f->cls),
         f->message ? f->message : "");
    bput(&b, "trace_ids:\n");
    for (size_t i = 0; i < f->ntrace; i++) {
        char when[32];
        authlog_time_text(f->trace_times ? f->trace_times[i] : f->last_seen, when);
        bput(&b, "  %s  %s\n", when, f->trace_ids[i]);
    }
    bput(&b, "(reported with maxdash %s; no key or patient data included)\n", MAXDASH_VERSION);
    return b.s;
}

/* s in single quotes for a POSIX shell. Caller frees. */
static char *shell_quote(const char *s)
{
    struct buf b = {0};
    bput(&b, "'");
    for (; *s; s++) {
        if (*s == '\'')
            bput(&b, "'\\''");
        else
            bput(&b, "%c", *s);
    }
    bput(&b, "'");
    return b.s;
}

char *explain_curl(const struct model *m, const struct model_failure *f)
{
    const char *base = m->cfg ? m->cfg->set.base_url : "";
    /* The base URL holds the version path, and so does the logged path: keep the origin. */
    const char *path = f->path ? f->path : "/";
    const char *slash = strstr(base, "://");
    slash = slash ? strchr(slash + 3, '/') : NULL;
    size_t origin = slash ? (size_t)(slash - base) : strlen(base);
    size_t plen = strlen(path);
    bool detail = plen >= 5 && strcmp(path + plen - 5, "/{id}") == 0;
    /* Another resource's record (issue 16): its id is not a patient's, but is left out alike. */
    bool record = detail && !(plen >= 14 && strcmp(path + plen - 14, "/patients/{id}") == 0);
    bool patients = plen >= 9 && strcmp(path + plen - 9, "/patients") == 0;
    /* A group from an earlier run's log has no query: the probe's is the best guess. */
    const char *query = f->query ? f->query : patients && f->from_log ? "page=1&pageSize=1" : NULL;
    /* A search is a name or an MRN: patient data, which never goes to the clipboard. The query
     * keeps its other parameters, and the search text comes from $SEARCH (URL-encoded). */
    struct buf q = {0};
    bool search = false;
    for (const char *p = query && !detail ? query : ""; *p;) {
        size_t n = strcspn(p, "&");
        if (n >= 7 && strncmp(p, "search=", 7) == 0)
            search = true;
        else
            bput(&q, "%s%.*s", q.s && *q.s ? "&" : "", (int)n, p);
        p += n + (p[n] == '&');
    }
    if (search)
        bput(&q, "%ssearch=", q.s && *q.s ? "&" : "");
    char *url = xasprintf("%.*s%.*s%s%s", (int)origin, base, (int)(detail ? plen - 4 : plen), path,
                          q.s ? "?" : "", q.s ? q.s : "");
    free(q.s);
    char *qurl = shell_quote(url);
    char *org = xasprintf("X-Organization-Id: %s", f->org_id ? f->org_id : "");
    char *qorg = shell_quote(org);
    /* The variables in double quotes so the shell expands them; the rest stays single-quoted. */
    char *cmd = xasprintf("%s%scurl -sS -H \"Authorization: Bearer $MAX_API_KEY\" -H %s %s%s",
                          record ? "# set RECORD_ID to the record's id: record identifiers are "
                                   "not copied\n"
                          : detail ? "# set PATIENT_ID to the patient's id: patient identifiers are "
                                   "not copied\n"
                                 : "",
                          search ? "# set SEARCH to the search text, URL-encoded: a search is "
                                   "patient data and is not copied\n"
                                 : "",
                          qorg, qurl, record ? "\"$RECORD_ID\"" : detail ? "\"$PATIENT_ID\""
                                      : search ? "\"$SEARCH\"" : "");
    free(url);
    free(qurl);
    free(org);
    free(qorg);
    return cmd;
}
