/* The shared state of maxdash and the rules that are pure bookkeeping: health, grouping of
 * failures, budgets per app. */
#include "model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "restable.h"
#include "util.h"

/* Trace ids kept per failure group: enough to hand a burst to support, bounded in memory.
 * The memory bound of the failure groups (issue 12): the engine and the log reader cut a
 * server's trace_id, code and required_scope to AUTHLOG_ID_MAX (256) bytes and its message to
 * AUTHLOG_TEXT_MAX (1 KiB) (+ the 8-byte cut mark), so one group holds at most
 * 200 x (264 + 16) bytes of trace ids and times + ~1.6 KiB of text ~= 58 KiB, and the 1000
 * groups at most ~58 MiB, whatever a server sends (in practice a UUID is 37 bytes: ~11 KiB a
 * group). */
#define MAX_TRACE_IDS 200
#define MAX_FAILURE_GROUPS 1000

static char *dup_or_null(const char *s) { return s ? xstrdup(s) : NULL; }

static bool str_eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int model_effective_refresh(int refresh, int per_minute, size_t norgs)
{
    /* Each refresh of an org costs two requests (/marketplace/me and /patients). */
    if (per_minute <= 0)
        return refresh;
    double needed = ceil((double)norgs * 2.0 * 60.0 / (double)per_minute);
    return needed > refresh ? (int)needed : refresh;
}

/* What budget from sent and learnt goes into into: the app has one window, whichever key
 * spent it. The send times stay oldest first; the newest per_minute of them are kept. */
static void budget_merge(struct model_budget *into, struct model_budget *from)
{
    size_t cap = (size_t)into->per_minute, fcap = (size_t)from->per_minute;
    double *v = xcalloc(into->sent_len + from->sent_len + 1, sizeof *v);
    size_t n = 0, i = 0, j = 0;
    while (i < into->sent_len || j < from->sent_len) {
        double a = i < into->sent_len ? into->sent[(into->sent_head + i) % cap] : 0;
        double b = j < from->sent_len ? from->sent[(from->sent_head + j) % fcap] : 0;
        if (j >= from->sent_len || (i < into->sent_len && a <= b)) {
            v[n++] = a;
            i++;
        } else {
            v[n++] = b;
            j++;
        }
    }
    size_t skip = n > cap ? n - cap : 0;
    into->sent_head = 0;
    into->sent_len = n - skip;
    memcpy(into->sent, v + skip, into->sent_len * sizeof *v);
    free(v);
    into->total_sent += from->total_sent;
    if (from->blocked_until > into->blocked_until)
        into->blocked_until = from->blocked_until;
    if (from->limit_seen > 0 && (into->limit_seen == 0 || from->limit_seen < into->limit_seen))
        into->limit_seen = from->limit_seen;
    from->sent_head = from->sent_len = 0;
    from->total_sent = 0;
    from->blocked_until = 0;
}

static void recount_budgets(struct model *m)
{
    for (size_t b = 0; b < m->nbudgets; b++)
        m->budgets[b].norgs = 0;
    for (size_t i = 0; i < m->norgs; i++)
        m->budgets[m->orgs[i].budget].norgs++;
    for (size_t b = 0; b < m->nbudgets; b++) {
        struct model_budget *bd = &m->budgets[b];
        bd->effective_refresh = model_effective_refresh(
            m->cfg->set.refresh, bd->limit_seen > 0 ? (int)bd->limit_seen : bd->per_minute,
            bd->norgs);
    }
}

/* Every scope of the resource table once, each probed through the first resource that needs
 * it: the list of that resource, or for a scope needed on top of another (read:soap_notes) the
 * list with the option that needs it. A child resource (a change's products) is never the
 * probe: its path needs a parent's id. */
static void scopes_init(struct model_org *o)
{
    const char *names[32];
    size_t n = res_scopes(names, 32);
    o->scopes = xcalloc(n + 1, sizeof *o->scopes);
    for (size_t k = 0; k < n; k++) {
        struct model_scope *sc = &o->scopes[o->nscopes];
        sc->scope = names[k];
        sc->res = -1;
        for (int i = 0; i < res_count() && sc->res < 0; i++) {
            const struct resource *r = res_at(i);
            if (r->parent >= 0)
                continue;
            if (r->scope && strcmp(r->scope, names[k]) == 0)
                sc->res = i;
            else if (r->scope2 && strcmp(r->scope2, names[k]) == 0) {
                sc->res = i;
                /* The option that needs it (resources.def: extra_scope). */
                if (res_has_filter(r, "includeSoapNote"))
                    sc->filter = "includeSoapNote=true";
            }
        }
        if (sc->res >= 0)
            o->nscopes++;
    }
}

void model_init(struct model *m, const struct config *cfg, const char *const *only, size_t nonly)
{
    memset(m, 0, sizeof *m);
    m->cfg = cfg;
    m->orgs = xcalloc(cfg->norgs, sizeof *m->orgs);
    m->budgets = xcalloc(cfg->nkeys + 1, sizeof *m->budgets);
    m->nbudgets = cfg->nkeys ? cfg->nkeys : 1;
    for (size_t b = 0; b < m->nbudgets; b++) {
        struct model_budget *bd = &m->budgets[b];
        bd->per_minute = cfg->set.rate_budget;
        bd->limit = bd->remaining = -1;
        bd->reset = -1;
        bd->sent = xcalloc((size_t)bd->per_minute, sizeof *bd->sent);
    }
    for (size_t i = 0; i < cfg->norgs; i++) {
        const struct config_org *co = &cfg->orgs[i];
        bool wanted = nonly == 0;
        for (size_t j = 0; j < nonly; j++)
            wanted = wanted || strcmp(only[j], co->name) == 0;
        if (!wanted)
            continue;
        struct model_org *o = &m->orgs[m->norgs++];
        o->cfg = co;
        o->budget = co->key ? (size_t)(co->key - cfg->keys) : 0;
        o->page_no = 1;
        o->page.page = o->page.page_size = o->page.total_count = o->page.total_pages = -1;
        o->res = res_patients();
        o->rows_res = o->probe_rows_res = -1;
        scopes_init(o);
        o->probe_name = co->key && co->key->probe ? co->key->probe : "patients";
        o->probe_other = strcmp(o->probe_name, "patients") != 0;
        o->me_due = true; /* the first refresh proves the key with /marketplace/me */
    }
    recount_budgets(m);
}

void model_probe_clear(struct model_probe *p)
{
    free(p->summary);
    api_error_free(&p->err);
    memset(p, 0, sizeof *p);
}

void model_detail_clear(struct model_detail *d)
{
    free(d->id);
    model_probe_clear(&d->probe);
    api_patient_free(&d->patient);
    api_detail_free(&d->fields);
    memset(d, 0, sizeof *d);
}

static void page_free(struct api_page *pg)
{
    for (size_t i = 0; i < pg->len; i++)
        api_patient_free(&pg->items[i]);
    free(pg->items);
    api_rows_free(&pg->rows);
    memset(pg, 0, sizeof *pg);
}

void model_org_take_page(struct model_org *o, struct api_page *pg)
{
    page_free(&o->page);
    o->page = *pg;
    o->have_page = true;
    memset(pg, 0, sizeof *pg);
}

void model_org_table(const struct model_org *o, int res, struct model_table *t)
{
    if (res == res_patients()) {
        t->rows = o->have_page ? &o->page.rows : NULL;
        t->probe = &o->probe_patients;
        t->refreshed = true;
        return;
    }
    t->rows = o->rows_res == res ? &o->rows : NULL;
    t->probe = o->probe_rows_res == res ? &o->probe_rows : NULL;
    t->refreshed = false;
}

void model_org_take_rows(struct model_org *o, struct api_rows *rows, int res)
{
    api_rows_free(&o->rows);
    o->rows = *rows;
    o->rows_res = res;
    memset(rows, 0, sizeof *rows);
}

bool model_org_has_scope(const struct model_org *o, const char *scope)
{
    for (size_t i = 0; o->have_me && i < o->me.nscopes; i++)
        if (strcmp(o->me.scopes[i], scope) == 0)
            return true;
    return false;
}

void model_org_take_me(struct model_org *o, struct api_me *me)
{
    api_me_free(&o->me);
    o->me = *me;
    o->have_me = true;
    memset(me, 0, sizeof *me);
}

static void failure_free(struct model_failure *f)
{
    free(f->org_name);
    free(f->org_id);
    free(f->key_name);
    free(f->key_hint);
    free(f->method);
    free(f->path);
    free(f->query);
    free(f->code);
    free(f->message);
    free(f->required_scope);
    for (size_t i = 0; i < f->ntrace; i++)
        free(f->trace_ids[i]);
    free(f->trace_ids);
    free(f->trace_times);
}

void model_free(struct model *m)
{
    for (size_t i = 0; i < m->norgs; i++) {
        struct model_org *o = &m->orgs[i];
        api_me_free(&o->me);
        model_probe_clear(&o->probe_me);
        model_probe_clear(&o->probe_patients);
        model_probe_clear(&o->probe_res);
        page_free(&o->page);
        free(o->search);
        free(o->filter);
        free(o->parent_id);
        api_rows_free(&o->rows);
        model_probe_clear(&o->probe_rows);
        for (size_t k = 0; k < o->nscopes; k++)
            model_probe_clear(&o->scopes[k].probe);
        free(o->scopes);
    }
    for (size_t b = 0; b < m->nbudgets; b++) {
        free(m->budgets[b].app_id);
        free(m->budgets[b].sent);
    }
    model_detail_clear(&m->detail);
    for (size_t i = 0; i < m->nfailures; i++)
        failure_free(&m->failures[i]);
    free(m->failures);
    free(m->orgs);
    free(m->budgets);
    memset(m, 0, sizeof *m);
}

static enum model_health health_of(const struct model_probe *p)
{
    if (!p->done)
        return HEALTH_CHECKING;
    switch (p->cls) {
    case API_OK: return HEALTH_OK;
    case API_UNAUTHORIZED: return HEALTH_AUTH;
    case API_FORBIDDEN: return HEALTH_SCOPE;
    case API_NOT_FOUND: return HEALTH_NOT_FOUND;
    case API_RATE_LIMITED: return HEALTH_RATE;
    default: return HEALTH_DOWN;
    }
}

const struct model_probe *model_org_probe(const struct model_org *o)
{
    return o->probe_other ? &o->probe_res : &o->probe_patients;
}

const struct model_probe *model_org_latest(const struct model_org *o)
{
    const struct model_probe *p = model_org_probe(o);
    return p->done && (!o->probe_me.done || p->at > o->probe_me.at) ? p : &o->probe_me;
}

double model_requests_per_cycle(const struct model *m)
{
    long cycles = 0, requests = 0;
    for (size_t i = 0; i < m->norgs; i++) {
        cycles += m->orgs[i].cycles;
        requests += m->orgs[i].cycle_requests;
    }
    return cycles ? (double)requests / (double)cycles : 0;
}

enum model_health model_org_health(const struct model_org *o)
{
    /* The latest answer saying nothing about the key (the API down, a 429) speaks for the
     * org: /marketplace/me is not asked at every refresh (issue 20), and its older answer
     * must not hide an outage. */
    enum model_health latest = health_of(model_org_latest(o));
    if (latest == HEALTH_DOWN || latest == HEALTH_RATE)
        return latest;
    enum model_health me = health_of(&o->probe_me);
    enum model_health pt = health_of(model_org_probe(o));
    if (me == HEALTH_CHECKING && pt == HEALTH_CHECKING)
        return HEALTH_CHECKING;
    /* /marketplace/me speaks for the key and the org; /patients adds the scope. */
    if (me != HEALTH_OK && me != HEALTH_CHECKING)
        return me;
    if (pt != HEALTH_OK && pt != HEALTH_CHECKING)
        return pt;
    return me == HEALTH_OK && pt == HEALTH_OK ? HEALTH_OK : HEALTH_CHECKING;
}

const char *model_health_word(enum model_health h)
{
    static const char *const words[] = {"checking", "ok", "401", "403", "404", "429", "down"};
    return words[h];
}

void model_probe_set(struct model_probe *p, const struct api_result *r, long latency_ms,
                     double wall)
{
    double prev = p->at;
    model_probe_clear(p);
    p->prev_at = prev;
    p->done = true;
    p->cls = r->cls;
    p->status = r->status;
    p->latency_ms = latency_ms;
    p->summary = dup_or_null(r->summary);
    api_error_copy(&p->err, &r->err);
    p->at = wall;
}

static bool same_group(const struct model_failure *g, const struct model_failure *f)
{
    return g->org == f->org && str_eq(g->org_name, f->org_name) && g->cls == f->cls &&
           g->status == f->status && str_eq(g->code, f->code) &&
           str_eq(g->message, f->message) && str_eq(g->path, f->path) &&
           g->from_log == f->from_log;
}

void model_add_failure(struct model *m, const struct model_failure *f, const char *trace_id)
{
    struct model_failure *g = NULL;
    for (size_t i = m->nfailures; i-- > 0;) {
        if (same_group(&m->failures[i], f)) {
            g = &m->failures[i];
            break;
        }
    }
    if (!g) {
        if (m->nfailures == MAX_FAILURE_GROUPS) {
            /* Forget the group seen least recently (the first: they are kept in order). */
            failure_free(&m->failures[0]);
            memmove(&m->failures[0], &m->failures[1], (m->nfailures - 1) * sizeof *m->failures);
            m->nfailures--;
        }
        m->failures = xrealloc(m->failures, (m->nfailures + 1) * sizeof *m->failures);
        g = &m->failures[m->nfailures++];
        memset(g, 0, sizeof *g);
        g->org = f->org;
        g->org_name = dup_or_null(f->org_name);
        g->org_id = dup_or_null(f->org_id);
        g->key_name = dup_or_null(f->key_name);
        g->key_hint = dup_or_null(f->key_hint);
        g->method = dup_or_null(f->method);
        g->path = dup_or_null(f->path);
        g->cls = f->cls;
        g->status = f->status;
        g->code = dup_or_null(f->code);
        g->message = dup_or_null(f->message);
        g->required_scope = dup_or_null(f->required_scope);
        g->first_seen = f->last_seen;
        g->from_log = f->from_log;
    }
    g->count++;
    /* An occurrence older than the group's latest (a log record, a clock stepped back) widens
     * the group but never moves last_seen back. */
    if (g->count == 1 || f->last_seen >= g->last_seen) {
        g->last_seen = f->last_seen;
        g->latency_ms = f->latency_ms;
        free(g->query);
        g->query = dup_or_null(f->query);
    }
    if (f->first_seen && (f->first_seen < g->first_seen || g->count == 1))
        g->first_seen = f->first_seen;
    if (trace_id) {
        if (g->ntrace == MAX_TRACE_IDS) {
            free(g->trace_ids[0]);
            memmove(&g->trace_ids[0], &g->trace_ids[1], (g->ntrace - 1) * sizeof *g->trace_ids);
            memmove(&g->trace_times[0], &g->trace_times[1],
                    (g->ntrace - 1) * sizeof *g->trace_times);
            g->ntrace--;
        }
        g->trace_ids = xrealloc(g->trace_ids, (g->ntrace + 1) * sizeof *g->trace_ids);
        g->trace_times = xrealloc(g->trace_times, (g->ntrace + 1) * sizeof *g->trace_times);
        g->trace_times[g->ntrace] = f->last_seen;
        g->trace_ids[g->ntrace++] = xstrdup(trace_id);
    }
    /* Keep the groups ordered by last_seen, the newest last (a new group may be older than
     * the others). */
    size_t at = (size_t)(g - m->failures);
    while (at > 0 && m->failures[at - 1].last_seen > g->last_seen) {
        struct model_failure tmp = m->failures[at];
        m->failures[at] = m->failures[at - 1];
        m->failures[at - 1] = tmp;
        at--;
        g = &m->failures[at];
    }
    while (at + 1 < m->nfailures && m->failures[at + 1].last_seen <= g->last_seen) {
        struct model_failure tmp = m->failures[at];
        m->failures[at] = m->failures[at + 1];
        m->failures[at + 1] = tmp;
        at++;
        g = &m->failures[at];
    }
    m->version++;
}

char *model_failure_key(const struct model_failure *f)
{
    /* The unit separator cannot occur in sanitized text, so two groups never share a key. */
    return xasprintf("%zu\x1f%s\x1f%d\x1f%d\x1f%s\x1f%s\x1f%s\x1f%d", f->org,
                     f->org_name ? f->org_name : "", (int)f->cls, f->status, f->code ? f->code : "",
                     f->message ? f->message : "", f->path ? f->path : "", f->from_log);
}

size_t model_org_latest_failure(const struct model *m, size_t org)
{
    /* The groups are ordered by last_seen, the newest last. */
    for (size_t i = m->nfailures; i-- > 0;)
        if (m->failures[i].org == org)
            return i;
    return (size_t)-1;
}

void model_note_app(struct model *m, size_t org, const char *app_id)
{
    if (!app_id)
        return;
    struct model_budget *mine = &m->budgets[m->orgs[org].budget];
    if (mine->app_id && strcmp(mine->app_id, app_id) == 0)
        return;
    for (size_t b = 0; b < m->nbudgets; b++) {
        if (b != m->orgs[org].budget && m->budgets[b].app_id &&
            strcmp(m->budgets[b].app_id, app_id) == 0) {
            /* Another key of the same app: its orgs share that budget from now on. */
            size_t from = m->orgs[org].budget;
            for (size_t i = 0; i < m->norgs; i++)
                if (m->orgs[i].budget == from)
                    m->orgs[i].budget = b;
            budget_merge(&m->budgets[b], mine);
            recount_budgets(m);
            m->version++;
            return;
        }
    }
    free(mine->app_id);
    mine->app_id = xstrdup(app_id);
    m->version++;
}

const char *model_failure_endpoint(const struct model_failure *f)
{
    const char *p = f->path;
    if (!p || !*p)
        return "?";
    /* "/v1/..." (any version): the API's routes start after it. */
    if (p[0] == '/' && p[1] == 'v' && p[2] >= '0' && p[2] <= '9') {
        const char *next = strchr(p + 1, '/');
        if (next)
            return next;
    }
    return p;
}

bool model_failure_matches(const struct model *m, const struct model_failure *f,
                           const char *needle)
{
    if (!needle || !*needle)
        return true;
    const char *display = f->org < m->norgs ? m->orgs[f->org].cfg->display_name : NULL;
    char status[16];
    snprintf(status, sizeof status, "%d", f->status);
    const char *fields[] = {f->org_name, f->org_id, display, model_failure_endpoint(f), f->path,
                            f->code, f->message, f->ntrace ? f->trace_ids[f->ntrace - 1] : NULL,
                            api_class_name(f->cls), status};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (fields[i] && strcasestr(fields[i], needle))
            return true;
    return false;
}

size_t model_org_named(const struct model *m, const char *name)
{
    for (size_t j = 0; name && j < m->norgs; j++)
        if (strcmp(m->orgs[j].cfg->name, name) == 0)
            return j;
    return (size_t)-1;
}

void model_add_history(struct model *m, const struct authlog_record *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t org = model_org_named(m, r[i].org);
        struct model_failure f = {
            .org = org,
            .org_name = r[i].org,
            .org_id = r[i].org_id,
            .key_name = r[i].key,
            .key_hint = r[i].key_hint,
            .method = r[i].method,
            .path = r[i].path,
            .cls = api_class_of_logged(r[i].cls, r[i].http_status),
            .status = r[i].http_status,
            .code = r[i].code,
            .message = r[i].message,
            .required_scope = r[i].required_scope,
            .latency_ms = r[i].latency_ms,
            .first_seen = r[i].time,
            .last_seen = r[i].time,
            .from_log = true,
        };
        model_add_failure(m, &f, r[i].trace_id);
    }
}
