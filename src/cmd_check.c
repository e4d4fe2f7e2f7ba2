/* `maxdash check`: the engine in once mode, then a report. Everything printed went through
 * text_sanitize (API strings arrive sanitized from api.c; config strings through
 * config_printable) and keys only ever as keymask renders them. */
#include "cmd_check.h"

#include <jansson.h>
#include <langinfo.h>
#include <unistd.h>
#include <math.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "authlog.h"
#include "check_table.h"
#include "config.h"
#include "engine.h"
#include "explain.h"
#include "model.h"
#include "orgid.h"
#include "orgsel.h"
#include "restable.h"
#include "util.h"

bool check_load_config(const char *cli_path, struct config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    char *path = config_find_path(cli_path);
    if (!path) {
        warnmsg("no config file: HOME is not set; pass -c FILE");
        return false;
    }
    struct config_errors errs = {0};
    bool ok = config_load(path, cfg, &errs);
    free(path);
    config_scrub_environment(cfg);
    for (size_t i = 0; i < errs.count; i++)
        warnmsg("%s", errs.v[i].text);
    for (size_t i = 0; ok && i < cfg->warnings.count; i++)
        warnmsg("%s", cfg->warnings.v[i].text);
    config_errors_free(&errs);
    return ok;
}


static const char *org_key_env(const struct model_org *o)
{
    const char *env = config_key_env(o->cfg->key);
    return env ? env : "unknown";
}

/* Judged on /marketplace/me (unless --quick) and the key's probe (patients by default): a 403
 * on a resource the app does not use is no failure (issue 20). */
static bool org_healthy(const struct model_org *o, bool quick)
{
    const struct model_probe *p = model_org_probe(o);
    return (quick || (o->probe_me.done && o->probe_me.cls == API_OK)) && p->done &&
           p->cls == API_OK;
}

/* --- budget and progress ------------------------------------------------------------------ */

/* Below this the budget's hold is not worth a line of the text report. */
#define STRETCH_SAID_S 1.0

/* The smallest app budget of the run (the one that held the check back longest). */
static int budget_per_minute(const struct model *m)
{
    int pm = 0;
    for (size_t b = 0; b < m->nbudgets; b++)
        if (m->budgets[b].norgs && (pm == 0 || m->budgets[b].per_minute < pm))
            pm = m->budgets[b].per_minute;
    return pm;
}

/* What the budget did to the run, for --json: how long it held orgs back (seconds), the
 * requests sent and per org. */
static json_t *budget_json(const struct model *m, const struct engine_progress *pg)
{
    long sent = 0;
    for (size_t b = 0; b < m->nbudgets; b++)
        sent += m->budgets[b].total_sent;
    return json_pack("{s:f, s:i, s:I, s:f}", "stretched_s", round(pg->stretched_s * 10) / 10,
                     "per_minute", budget_per_minute(m), "requests", (json_int_t)sent,
                     "requests_per_org", m->norgs ? (double)sent / (double)m->norgs : 0.0);
}

/* While the budget makes the check wait (a second or more), one line on stderr, redrawn in
 * place: orgs done, and about how long the rest will take. Only on a terminal. Returns whether
 * a line is on screen. */
static bool show_progress(struct engine *e, bool shown)
{
    struct engine_progress p;
    engine_progress(e, &p);
    if (!shown && p.wait_ms < 1000)
        return false;
    fprintf(stderr, "\r\033[Kcheck: %zu of %zu orgs done", p.finished, p.orgs);
    if (p.started < p.orgs)
        fprintf(stderr, ", %zu waiting for the rate budget: about %.0f s left", p.orgs - p.started,
                ceil(p.estimate_s));
    fflush(stderr);
    return true;
}

static json_t *probe_json(const struct model_probe *p);

/* --- scopes (issue 16) -------------------------------------------------------------------- */

/* What the probe of scope k of org says, in one word: "answers" (the endpoint took the scope:
 * 200, or a 400 for a parameter, which the API checks after the scope), "403", "not served"
 * (the base URL's version lacks the resource: not asked), "not run", or the class. */
static const char *scope_word(const struct model_scope *sc)
{
    const struct model_probe *p = &sc->probe;
    if (!p->done)
        return sc->not_served ? "not served" : sc->me_failed ? "not asked" : "not run";
    if (p->cls == API_OK || p->cls == API_BAD_REQUEST)
        return "answers";
    if (p->cls == API_FORBIDDEN)
        return "403";
    return api_class_name(p->cls);
}

static const char *granted_word(const struct model_org *o, const char *scope)
{
    if (!o->have_me)
        return "unknown";
    return model_org_has_scope(o, scope) ? "granted" : "not granted";
}

static json_t *scopes_json(const struct model *m, size_t org)
{
    const struct model_org *o = &m->orgs[org];
    json_t *arr = json_array();
    for (size_t k = 0; k < o->nscopes; k++) {
        const struct model_scope *sc = &o->scopes[k];
        json_t *j = json_object();
        json_object_set_new(j, "scope", json_string(sc->scope));
        json_object_set_new(j, "granted", o->have_me ? json_boolean(model_org_has_scope(o, sc->scope))
                                                     : json_null());
        json_object_set_new(j, "resource", json_string(res_at(sc->res)->name));
        json_object_set_new(j, "state", json_string(scope_word(sc)));
        json_object_set_new(j, "probe", sc->probe.done ? probe_json(&sc->probe) : json_null());
        json_t *side = json_null();
        if (sc->probe.done && sc->probe.cls == API_FORBIDDEN) {
            struct explain ex;
            explain_scope(m, org, sc->scope, &ex);
            if (ex.headline)
                side = json_string(ex.headline);
            explain_free(&ex);
        }
        json_object_set_new(j, "must_act", side);
        json_array_append_new(arr, j);
    }
    return arr;
}

static void print_scopes(const struct model *m, size_t org)
{
    const struct model_org *o = &m->orgs[org];
    int v = res_version_of(config_org_base_url(m->cfg, o->cfg));
    if (v)
        printf("     scopes (API v%d):\n", v);
    else
        printf("     scopes:\n");
    for (size_t k = 0; k < o->nscopes; k++) {
        const struct model_scope *sc = &o->scopes[k];
        printf("       %-20s %-12s %-10s %s", sc->scope, granted_word(o, sc->scope),
               scope_word(sc), res_at(sc->res)->name);
        if (sc->probe.done && sc->probe.cls == API_FORBIDDEN) {
            struct explain ex;
            explain_scope(m, org, sc->scope, &ex);
            if (ex.headline)
                printf(" -> %s", ex.headline);
            explain_free(&ex);
        } else if (sc->probe.done && sc->probe.cls == API_BAD_REQUEST) {
            printf(" (400 for a parameter: the scope passed)");
        } else if (sc->probe.done && strcmp(scope_word(sc), "answers") != 0 && sc->probe.summary) {
            printf(" (%s)", sc->probe.summary);
        }
        if (!sc->probe.done && sc->me_failed)
            printf(" (/marketplace/me failed: that comes first)");
        if (sc->probe.err.trace_id)
            printf(" trace %s", sc->probe.err.trace_id);
        putchar('\n');
    }
}

/* --- JSON report -------------------------------------------------------------------------- */

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *probe_json(const struct model_probe *p)
{
    json_t *o = json_object();
    json_object_set_new(o, "class", json_string(p->done ? api_class_name(p->cls) : "not_run"));
    json_object_set_new(o, "ok", json_boolean(p->done && p->cls == API_OK));
    json_object_set_new(o, "http_status", p->status ? json_integer(p->status) : json_null());
    json_object_set_new(o, "latency_ms", p->done ? json_integer(p->latency_ms) : json_null());
    json_object_set_new(o, "summary", str_or_null(p->summary));
    json_object_set_new(o, "code", str_or_null(p->err.code));
    json_object_set_new(o, "message", str_or_null(p->err.message));
    json_object_set_new(o, "trace_id", str_or_null(p->err.trace_id));
    json_object_set_new(o, "required_scope", str_or_null(p->err.required_scope));
    return o;
}

static json_t *warnings_json(unsigned warnings)
{
    json_t *arr = json_array();
    for (unsigned bit = 1; bit <= CONFIG_KEYWARN_ALL; bit <<= 1)
        if (warnings & bit)
            json_array_append_new(arr, json_string(config_key_warning_text(bit)));
    return arr;
}

/* The log's state for --json (issue 12): the file, whether every failure was written, why
 * not and how many records were lost, and any warning about its files. */
static json_t *log_json(const struct config *cfg, const struct authlog *log)
{
    char problem[700], warn[600];
    authlog_problem(log, problem, sizeof problem);
    if (log->warning[0])
        bprintf(warn, sizeof warn, "%s", log->warning);
    else
        authlog_check_files(cfg->set.log_file, warn, sizeof warn);
    return json_pack("{s:s, s:b, s:s?, s:I, s:s?}", "file", cfg->set.log_file, "ok",
                     !problem[0], "problem", problem[0] ? problem : NULL, "unwritten",
                     (json_int_t)log->unwritten, "warning", warn[0] ? warn : NULL);
}

static void print_json(const struct model *m, size_t healthy, json_t *logj,
                       const struct engine_progress *pg, bool quick, bool with_scopes)
{
    json_t *orgs = json_array();
    for (size_t i = 0; i < m->norgs; i++) {
        const struct model_org *o = &m->orgs[i];
        char hint[KEYMASK_MAX];
        config_key_mask(o->cfg->key, hint);
        char *name = config_printable(o->cfg->name);
        char *id = config_printable(o->cfg->id);
        char *key = config_printable(o->cfg->key_name);
        json_t *org = json_object();
        json_object_set_new(org, "name", json_string(name));
        char *display = o->cfg->display_name ? config_printable(o->cfg->display_name) : NULL;
        json_object_set_new(org, "display_name", str_or_null(display));
        free(display);
        json_object_set_new(org, "org_id", json_string(id));
        json_object_set_new(org, "key", json_pack("{s:s, s:s, s:s}", "name", key, "hint", hint,
                                                  "environment", org_key_env(o)));
        json_object_set_new(org, "healthy", json_boolean(org_healthy(o, quick)));
        json_object_set_new(org, "health", json_string(model_health_word(model_org_health(o))));
        json_t *tags = json_array();
        for (size_t t = 0; t < o->cfg->ntags; t++)
            json_array_append_new(tags, json_string(o->cfg->tags[t]));
        json_object_set_new(org, "tags", tags);
        char *origin = config_org_origin(m->cfg, o->cfg);
        json_object_set_new(org, "origin", json_string(origin));
        free(origin);
        json_t *me = probe_json(&o->probe_me);
        if (o->have_me) {
            json_object_set_new(me, "app", json_pack("{s:s?, s:s?, s:s?}", "id", o->me.app_id,
                                                      "slug", o->me.app_slug, "liveVersionId",
                                                      o->me.app_live_version));
            json_t *scopes = json_array();
            for (size_t s = 0; s < o->me.nscopes; s++)
                json_array_append_new(scopes, json_string(o->me.scopes[s]));
            json_object_set_new(me, "scopes", scopes);
        } else {
            /* Every field, null when unknown (issue 17): no /marketplace/me yet. */
            json_object_set_new(me, "app", json_null());
            json_object_set_new(me, "scopes", json_null());
        }
        json_object_set_new(org, "me", me);
        json_t *pt = probe_json(&o->probe_patients);
        json_object_set_new(org, "patients", pt);
        /* The probe the health is judged on (issue 20): patients, or the key's `probe`. */
        json_t *probe = probe_json(model_org_probe(o));
        json_object_set_new(probe, "resource", json_string(o->probe_name));
        json_object_set_new(org, "probe", probe);
        if (with_scopes)
            json_object_set_new(org, "scopes", scopes_json(m, i));
        /* After a 429: how long maxdash would wait before the app's next request. */
        double wait = m->budgets[o->budget].blocked_until - mono_now();
        json_object_set_new(org, "retry_after_s", wait > 0 ? json_integer((json_int_t)ceil(wait))
                                                           : json_null());
        json_object_set_new(org, "warnings", warnings_json(o->cfg->key->warnings));
        json_t *idw = json_array();
        for (unsigned bit = 1; bit <= ORGID_WARN_ALL; bit <<= 1)
            if (orgid_warnings(o->cfg->id) & bit)
                json_array_append_new(idw, json_string(orgid_warning_text(bit)));
        json_object_set_new(org, "org_id_warnings", idw);
        struct explain ex;
        explain_org(m, i, &ex);
        if (ex.headline) {
            json_t *lines = json_array();
            for (size_t k = 0; k < ex.n; k++)
                json_array_append_new(lines, json_string(ex.lines[k]));
            json_object_set_new(org, "explanation", json_pack("{s:s, s:o}", "headline",
                                                              ex.headline, "details", lines));
        } else {
            json_object_set_new(org, "explanation", json_null());
        }
        explain_free(&ex);
        json_array_append_new(orgs, org);
        free(name);
        free(id);
        free(key);
    }
    json_t *doc = json_pack("{s:o, s:I, s:I, s:o, s:o}", "orgs", orgs, "healthy",
                            (json_int_t)healthy, "failed", (json_int_t)(m->norgs - healthy),
                            "log", logj, "budget", budget_json(m, pg));
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(doc);
    if (text)
        puts(text);
    free(text);
}

/* --- text report -------------------------------------------------------------------------- */

static void print_probe(const char *label, const struct model_probe *p)
{
    if (!p->done) {
        printf("  %s not run", label);
        return;
    }
    printf("  %s %s %ld ms", label, p->summary ? p->summary : api_class_name(p->cls),
           p->latency_ms);
    if (p->err.trace_id)
        printf(" trace %s", p->err.trace_id);
}

/* How long the rate budget stretched the run, when it is worth saying (issue 20). */
static void print_stretch(const struct model *m, const struct engine_progress *pg)
{
    if (pg->stretched_s >= STRETCH_SAID_S)
        printf("the rate budget stretched this check by %.1f s (%d requests a minute per app; "
               "--budget N to change it for one run)\n", pg->stretched_s, budget_per_minute(m));
}

static void print_text(const struct model *m, size_t healthy, const struct engine_progress *pg,
                       bool quick, bool scopes)
{
    int name_w = 4, id_w = 6;
    for (size_t i = 0; i < m->norgs; i++) {
        int n = (int)strlen(m->orgs[i].cfg->name), d = (int)strlen(m->orgs[i].cfg->id);
        name_w = n > name_w ? (n < 24 ? n : 24) : name_w;
        id_w = d > id_w ? (d < 40 ? d : 40) : id_w;
    }
    for (size_t i = 0; i < m->norgs; i++) {
        const struct model_org *o = &m->orgs[i];
        char hint[KEYMASK_MAX];
        config_key_mask(o->cfg->key, hint);
        char *name = config_printable(o->cfg->name);
        char *id = config_printable(o->cfg->id);
        char *key = config_printable(o->cfg->key_name);
        printf("%s %-*s %-*s key %s %s (%s)", org_healthy(o, quick) ? "ok  " : "FAIL", name_w, name,
               id_w, id, key, hint, org_key_env(o));
        if (o->cfg->display_name) {
            char *display = config_printable(o->cfg->display_name);
            printf(" \"%s\"", display);
            free(display);
        }
        print_probe("me", &o->probe_me);
        if (o->have_me && o->me.scopes) {
            printf(" scopes ");
            for (size_t s = 0; s < o->me.nscopes; s++)
                printf("%s%s", s ? "," : "", o->me.scopes[s]);
        }
        if (o->probe_other)
            print_probe(o->probe_name, model_org_probe(o));
        else
            print_probe("patients", &o->probe_patients);
        for (unsigned bit = 1; bit <= CONFIG_KEYWARN_ALL; bit <<= 1)
            if (o->cfg->key->warnings & bit)
                printf("  warning: %s", config_key_warning_text(bit));
        for (unsigned bit = 1; bit <= ORGID_WARN_ALL; bit <<= 1)
            if (orgid_warnings(o->cfg->id) & bit)
                printf("  warning: org id %s", orgid_warning_text(bit));
        putchar('\n');
        struct explain ex;
        explain_org(m, i, &ex);
        if (ex.headline)
            printf("     -> %s\n", ex.headline);
        explain_free(&ex);
        if (scopes)
            print_scopes(m, i);
        free(name);
        free(id);
        free(key);
    }
    printf("%zu of %zu org%s healthy\n", healthy, m->norgs, m->norgs == 1 ? "" : "s");
    print_stretch(m, pg);
}

int check_run(const struct check_opts *opts)
{
    struct config cfg;
    if (!check_load_config(opts->config, &cfg)) {
        config_free(&cfg);
        return 2;
    }
    /* --org NAME|ID|GLOB and --tag TAG (issue 17): the names of the orgs picked. */
    bool *picked = xcalloc(cfg.norgs + 1, sizeof *picked);
    char *why = NULL;
    if (!orgsel_pick(&cfg, opts->orgs, opts->norgs, opts->tags, opts->ntags, picked, &why)) {
        warnmsg("%s", why);
        free(why);
        free(picked);
        config_free(&cfg);
        return 2;
    }
    const char **only = xcalloc(cfg.norgs + 1, sizeof *only);
    size_t nonly = 0;
    for (size_t i = 0; i < cfg.norgs; i++)
        if (picked[i])
            only[nonly++] = cfg.orgs[i].name;
    free(picked);
    bool all = nonly == cfg.norgs;
    if (cfg.norgs == 0 || nonly == 0) {
        free(only);
        if (cfg.norgs == 0)
            warnmsg("%s: no [org \"NAME\"] sections: nothing to check", cfg.path);
        else
            warnmsg("--org and --tag together pick no org: nothing to check");
        config_free(&cfg);
        return 2;
    }

    struct authlog log;
    char err[512];
    bool have_log = authlog_open(&log, cfg.set.log_file, err, sizeof err);
    if (!have_log)
        warnmsg("%s (tried again at each failure)", err);
    else if (log.warning[0])
        warnmsg("%s", log.warning);

    struct model m;
    model_init(&m, &cfg, all ? NULL : only, all ? 0 : nonly);
    free(only);
    /* Also a log that could not be opened: each append tries again (issue 12). */
    struct engine_opts eo = {.once = true, .timeout_s = opts->timeout_s, .log = &log,
                             .budget = opts->budget, .quick = opts->quick};
    struct engine *e = engine_new(&m, &eo, err, sizeof err);
    if (!e) {
        warnmsg("%s", err);
        model_free(&m);
        authlog_close(&log);
        config_free(&cfg);
        return 1;
    }
    for (size_t i = 0; opts->scopes && i < m.norgs; i++)
        engine_probe_scopes(e, i);
    engine_step(e);
    bool progress = isatty(STDERR_FILENO), shown = false;
    while (!engine_done(e)) {
        engine_wait(e, NULL, 0, progress ? 1000 : -1);
        engine_step(e);
        if (progress)
            shown |= show_progress(e, shown);
    }
    if (shown)
        fputs("\r\033[K", stderr); /* the progress line goes before the report */
    struct engine_progress pg;
    engine_progress(e, &pg);
    if (engine_log_problem(e))
        warnmsg("%s", engine_log_problem(e));

    size_t healthy = 0;
    for (size_t i = 0; i < m.norgs; i++)
        healthy += org_healthy(&m.orgs[i], opts->quick);
    char warn[600];
    if (!log.warning[0] && authlog_check_files(cfg.set.log_file, warn, sizeof warn))
        warnmsg("%s", warn);
    if (opts->json) {
        print_json(&m, healthy, log_json(&cfg, &log), &pg, opts->quick, opts->scopes);
    } else if (isatty(STDOUT_FILENO) && !opts->scopes) {
        /* For people: the table (issue 17). Piped, the one line per org scripts read; the
         * scope map (issue 16) keeps its own lines under each org. */
        const char *codeset = nl_langinfo(CODESET);
        struct check_table_opts to = {.width = check_table_width(STDOUT_FILENO),
                                      .color = check_table_color(STDOUT_FILENO),
                                      .utf8 = codeset && strcmp(codeset, "UTF-8") == 0};
        check_table_print(&m, &to, stdout);
        print_stretch(&m, &pg);
    } else {
        print_text(&m, healthy, &pg, opts->quick, opts->scopes);
    }
    int status = healthy == m.norgs ? 0 : 1;
    if (fflush(stdout) != 0) {
        warnmsg("cannot write the report");
        status = 1;
    }

    engine_free(e);
    model_free(&m);
    authlog_close(&log);
    config_free(&cfg);
    return status;
}
