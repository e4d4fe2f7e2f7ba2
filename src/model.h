/* The state the screen and the reports show: per org its key, warnings, last /marketplace/me,
 * probes, patients page and schedule; the failure groups. The only thing both the engine and
 * the UI touch. No I/O, no curl, no curses. */
#ifndef MAXDASH_MODEL_H
#define MAXDASH_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "api.h"
#include "authlog.h"
#include "config.h"

/* What the orgs pane shows for an org, worst first when combining. */
enum model_health {
    HEALTH_CHECKING, /* nothing has come back yet */
    HEALTH_OK,
    HEALTH_AUTH,     /* 401 */
    HEALTH_SCOPE,    /* 403 */
    HEALTH_NOT_FOUND,
    HEALTH_RATE,     /* 429 */
    HEALTH_DOWN,     /* timeout, connection, DNS, TLS, 5xx, bad response */
};

/* The outcome of the latest request of one kind. */
struct model_probe {
    bool done;              /* a result has arrived */
    enum api_class cls;
    int status;
    long latency_ms;
    char *summary;          /* sanitized; owned */
    struct api_error err;   /* owned */
    double at;              /* wall-clock seconds when it finished */
    double prev_at;         /* wall-clock of the result before; 0 none (the real cycle, issue 17) */
};

struct model_org {
    const struct config_org *cfg;  /* borrowed from the config */
    size_t budget;                 /* index into model.budgets */

    struct api_me me;              /* the last good /marketplace/me */
    bool have_me;
    struct model_probe probe_me;
    struct model_probe probe_patients;
    /* The key's probe when it is not patients (`probe = appointments`, issue 20): with it the
     * org's health is judged on probe_me and probe_res, and probe_patients only tells how the
     * patients pane's requests went. */
    struct model_probe probe_res;
    const char *probe_name;        /* the key's probe resource, "patients" by default; the
                                      config's (or static) string */
    bool probe_other;              /* probe_name is not patients */
    bool me_due;                   /* the next refresh asks /marketplace/me as well */
    bool me_again;                 /* ... and comes at once: the probe's answer changed */
    bool me_in_refresh;            /* the refresh under way asked /marketplace/me */
    long cycles;                   /* refreshes started */
    long cycle_requests;           /* the requests those refreshes sent */

    /* The patients page the UI asked for (page 1 of 1 row when nobody looks at it). */
    struct api_page page;          /* the last page received; kept while the next loads */
    bool have_page;
    long page_no;                  /* the page wanted */
    char *search;                  /* wanted; NULL for none */
    bool page_wanted;              /* the UI shows this org's patients */
    bool page_loading;             /* a request for the wanted page is under way */
    bool page_dirty;               /* the wanted page changed: fetch it now */
    double page_wait_until;        /* monotonic: when the rate budget has room for the wanted
                                      page that waits for it; 0 when it does not wait */

    /* The resource the right-hand table shows (issue 16). page_no, search, page_wanted,
     * page_dirty, page_loading and page_wait_until above are the wanted page of this resource;
     * patients land in `page`, any other resource in `rows`. */
    int res;                       /* index into the resource table (restable.h) */
    char *filter;                  /* "name=value ..." filters of the wanted page; NULL none */
    char *parent_id;               /* the parent record of a child resource ({id}); NULL */
    struct api_rows rows;          /* the last page of rows_res received */
    int rows_res;                  /* the resource rows holds; -1 none */
    struct model_probe probe_rows; /* the latest request for a page of probe_rows_res */
    int probe_rows_res;
    /* The scope map: one probe per documented scope, on demand (check --scopes, the view). */
    struct model_scope *scopes;
    size_t nscopes;

    double last_success;           /* wall-clock of the last fully good refresh; 0 never */
    double first_failure;          /* wall-clock since when refreshes fail; 0 when fine */
    int retry_attempt;             /* consecutive transient failures */
    double next_refresh;           /* monotonic seconds */
    bool retrying;                 /* next_refresh is a backoff retry, not the schedule */
    int in_flight;                 /* requests of this org under way */
    int refresh_left;              /* requests of the current refresh not back yet */
    long requests;                 /* sent in total */
};

/* One documented scope of an org: the resource whose list (one row) tells whether the key
 * may use it here, and that request's outcome. */
struct model_scope {
    const char *scope;     /* static, from the resource table */
    int res;               /* the resource probed for it */
    const char *filter;    /* extra query for the probe ("includeSoapNote=true"), or NULL */
    bool pending;          /* asked for, not sent yet (waits for /marketplace/me) */
    bool loading;          /* sent, not back yet */
    bool not_served;       /* the base URL's version lacks the resource: not asked */
    bool me_failed;        /* /marketplace/me failed (401, 404...): not asked, it would only
                              repeat that failure once per scope */
    struct model_probe probe;
};

/* One app's share of the rate limit: all the keys that resolve to the same app. */
struct model_budget {
    char *app_id;          /* NULL until a /marketplace/me names it */
    size_t norgs;
    int per_minute;        /* rate_budget */
    int effective_refresh; /* seconds: refresh, stretched when the budget needs it */
    double blocked_until;  /* monotonic: after a 429, nothing is sent before */
    long limit, remaining; /* last X-RateLimit-* seen; -1 unknown */
    long limit_seen;       /* the server's X-RateLimit-Limit when below per_minute; 0 none:
                              the refresh stretches to it */
    long long reset;       /* the last plausible X-RateLimit-Reset (Unix seconds); -1 none */
    long long reset_ignored; /* the last X-RateLimit-Reset ignored as implausible (more than
                                2 windows ahead: milliseconds?); 0 none (issue 15, case 4) */
    double *sent;          /* ring of the answer times of the last minute (monotonic): a request
                              counts from its send until a minute after its answer (engine.c) */
    size_t sent_head, sent_len;
    long total_sent;
};

/* Failures with the same org, class, status, code, message and path form a group. */
struct model_failure {
    size_t org;            /* index into model.orgs; (size_t)-1 when the org is not configured */
    char *org_name;
    char *org_id;
    char *key_name;
    char *key_hint;
    char *method, *path;
    char *query;           /* the latest occurrence's query ("page=2&pageSize=50&search=jo"),
                              NULL when it had none or came from the log: only in memory */
    enum api_class cls;
    int status;
    char *code, *message;
    char *required_scope;
    long latency_ms;       /* of the latest */
    long count;
    double first_seen, last_seen;
    char **trace_ids;      /* oldest first; every one kept (capped, see model.c) */
    double *trace_times;   /* when each of trace_ids was seen (wall-clock) */
    size_t ntrace;
    bool from_log;         /* loaded from an earlier run's log */
};

/* The patient opened in the detail view. */
struct model_detail {
    bool active;
    size_t org;
    char *id;
    bool loading;
    bool pending;                  /* asked for, waiting for the rate budget */
    double wait_until;             /* monotonic: when the budget has room for it (pending) */
    struct model_probe probe;
    struct api_patient patient;    /* valid when probe.done and probe.cls == API_OK */
    int res;                       /* the record's resource (restable.h); patients fill
                                      `patient`, every other resource `fields` */
    struct api_detail fields;      /* valid when probe.done and probe.cls == API_OK */
};

struct model {
    const struct config *cfg;
    struct model_detail detail;
    struct model_org *orgs;
    size_t norgs;
    struct model_budget *budgets;
    size_t nbudgets;
    struct model_failure *failures; /* newest last_seen last */
    size_t nfailures;
    unsigned long version;          /* bumped on every change the screen may show */
};

/* Sets up one model_org per configured org (all of them, or only those named in only[],
 * nonly entries) and one budget per key. The config must outlive the model. */
void model_init(struct model *m, const struct config *cfg, const char *const *only, size_t nonly);
void model_free(struct model *m);

/* The org's health from its probes. */
enum model_health model_org_health(const struct model_org *o);
/* The probe the org's health is judged on besides /marketplace/me: probe_res when the key's
 * probe is another resource than patients, else probe_patients. */
const struct model_probe *model_org_probe(const struct model_org *o);
/* The org's latest answer: the later of probe_me and model_org_probe (/marketplace/me is not
 * asked at every refresh, issue 20), or probe_me when neither came. */
const struct model_probe *model_org_latest(const struct model_org *o);
/* Requests per org per refresh cycle so far (issue 20: 2.0 when every refresh asked
 * /marketplace/me too); 0 before the first refresh. */
double model_requests_per_cycle(const struct model *m);
/* "ok", "401", "403", "404", "429", "down", "checking"; static. */
const char *model_health_word(enum model_health h);

/* Records a finished probe into p (replacing what it held). */
void model_probe_set(struct model_probe *p, const struct api_result *r, long latency_ms,
                     double wall);
void model_probe_clear(struct model_probe *p);

/* Move a received page or /marketplace/me into the org (the source is left empty). */
void model_org_take_page(struct model_org *o, struct api_page *pg);
void model_org_take_me(struct model_org *o, struct api_me *me);
/* Move a received page of resource res into the org's rows (the source is left empty). */
void model_org_take_rows(struct model_org *o, struct api_rows *rows, int res);

/* What the right-hand table has of resource res for org o, whichever way it came: patients
 * are the page the org's refresh keeps up (their rows, probe_patients), any other resource
 * the rows fetched on demand (probe_rows). Pointers into o, valid until the next change. */
struct model_table {
    const struct api_rows *rows;     /* NULL while there is no page of res */
    const struct model_probe *probe; /* the latest request for a page of res; NULL none */
    bool refreshed;                  /* fetched again on each refresh: the org's data age is
                                        the rows' age */
};
void model_org_table(const struct model_org *o, int res, struct model_table *t);

/* Whether the org's last /marketplace/me lists scope (false before one came). */
bool model_org_has_scope(const struct model_org *o, const char *scope);

/* Closes the detail view's patient (frees it). */
void model_detail_clear(struct model_detail *d);

/* Adds one failure occurrence (grouping it); strings are copied. */
void model_add_failure(struct model *m, const struct model_failure *f, const char *trace_id);

/* The identity of a failure group (its grouping fields), for keeping it selected while the
 * groups regroup; the caller frees. */
char *model_failure_key(const struct model_failure *f);

/* The index into m->failures of org's most recent failure group (any class), or (size_t)-1. */
size_t model_org_latest_failure(const struct model *m, size_t org);

/* The index of the org configured as name (names are unique), or (size_t)-1: none, or NULL. */
size_t model_org_named(const struct model *m, const char *name);

/* Adds the records of an earlier run's log as failure groups marked from_log; records of orgs
 * not in the model keep their names with org (size_t)-1. */
void model_add_history(struct model *m, const struct authlog_record *r, size_t n);

/* The endpoint of f without the version segment ("/v1/patients/{id}" → "/patients/{id}"):
 * a pointer into f->path, or "?" when it has none. For the failure rows (issue 15, case 10). */
const char *model_failure_endpoint(const struct model_failure *f);

/* Whether the failure filter `needle` (case-insensitive substring; NULL or "" matches all)
 * matches f: its org name, org id, the org's display name, the endpoint, code, message,
 * latest trace_id, class and status. */
bool model_failure_matches(const struct model *m, const struct model_failure *f,
                           const char *needle);

/* Whether an org's key belongs to budget b's app by now; merges budgets when a /me names an
 * app that another key's budget already has. */
void model_note_app(struct model *m, size_t org, const char *app_id);

/* The refresh interval the budget allows for n orgs of budget b, in seconds. */
int model_effective_refresh(int refresh, int per_minute, size_t norgs);

#endif
