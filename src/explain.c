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
                        struct explain *e)
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
            headline(e, "missing %s: the key lacks it, or the clinic has not granted it", scope);
            add(e, "No org using this key has %s, so most likely the key was created without "
                   "it.", scope);
            add(e, "Next: create a key with %s; if the key has it, the clinic must approve %s "
                   "in its installation.", scope, scope);
        }
    }
    add(e, "Effective scopes are the key's scopes intersected with those the clinic granted.");
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
    headline(e, "%s is not visible to this app", o ? o->cfg->id : "the org");
    add(e, "The clinic has not installed the app (or uninstalled it), or the org id in the "
           "config is wrong.");
    add(e, "Next: check the id with the clinic, and that the app is installed there.");
}


static void explain_429(const struct model *m, const struct model_org *o, struct explain *e)
{
    const struct model_budget *b = o ? &m->budgets[o->budget] : NULL;
    const char *app = b && b->app_id ? b->app_id : o && o->have_me ? o->me.app_id : NULL;
    double wait = b ? b->blocked_until - mono_now() : -1;
    char limit[32] = "its";
    if (b && b->limit >= 0)
        snprintf(limit, sizeof limit, "%ld", b->limit);
    if (wait > 0)
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
}

static void explain_down(const struct model_org *o, const struct model_failure *f,
                         struct explain *e)
{
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

void explain_failure(const struct model *m, const struct model_failure *f, struct explain *out)
{
    memset(out, 0, sizeof *out);
    const struct model_org *o = f->org < m->norgs ? &m->orgs[f->org] : NULL;
    switch (f->cls) {
    case API_FORBIDDEN: explain_403(m, o, f->required_scope, out); break;
    case API_UNAUTHORIZED: explain_401(m, o, f->from_log, out); break;
    case API_NOT_FOUND: explain_404(o, f->path, out); break;
    case API_RATE_LIMITED: explain_429(m, o, out); break;
    case API_BAD_REQUEST:
        headline(out, "the API refused the request's parameters (%d)", f->status);
        add(out, "%s", f->message ? f->message : "");
        break;
    case API_OK:
        break;
    default: explain_down(o, f, out); break;
    }
    if (f->from_log)
        add(out, "(From an earlier run's log: the orgs' current state may differ.)");
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
    else if (o->probe_patients.done && o->probe_patients.cls != API_OK)
        p = &o->probe_patients;
    if (!p)
        return;
    struct model_failure f = {
        .org = org,
        .cls = p->cls,
        .status = p->status,
        .code = p->err.code,
        .message = p->err.message,
        .required_scope = p->err.required_scope,
        .path = p == &o->probe_me ? "/marketplace/me" : "/patients",
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
    bool patients = plen >= 9 && strcmp(path + plen - 9, "/patients") == 0;
    /* A group from an earlier run's log has no query: the probe's is the best guess. */
    const char *query = f->query ? f->query : patients && f->from_log ? "page=1&pageSize=1" : NULL;
    char *url = xasprintf("%.*s%.*s%s%s", (int)origin, base, (int)(detail ? plen - 4 : plen), path,
                          query && !detail ? "?" : "", query && !detail ? query : "");
    char *qurl = shell_quote(url);
    char *org = xasprintf("X-Organization-Id: %s", f->org_id ? f->org_id : "");
    char *qorg = shell_quote(org);
    /* The id in double quotes so the shell expands it; the rest stays single-quoted. */
    char *cmd = xasprintf("%scurl -sS -H \"Authorization: Bearer $MAX_API_KEY\" -H %s %s%s",
                          detail ? "# set PATIENT_ID to the patient's id: patient identifiers are "
                                   "not copied\n"
                                 : "",
                          qorg, qurl, detail ? "\"$PATIENT_ID\"" : "");
    free(url);
    free(qurl);
    free(org);
    free(qorg);
    return cmd;
}
