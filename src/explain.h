/* Why a request failed and what to do about it, worked out from the model alone (the failure,
 * the org's last /marketplace/me, how the same key fares on the other orgs, the key's
 * warnings). Shown by the failure view, the Organization pane, `check` and `log --explain`. */
#ifndef MAXDASH_EXPLAIN_H
#define MAXDASH_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

struct explain {
    char *headline; /* one short line: "missing read:patients: the clinic must grant it" */
    char **lines;   /* the reasoning and the next steps, one sentence a line */
    size_t n;
};

/* Explains failure group f (of model m). The caller frees out with explain_free. */
void explain_failure(const struct model *m, const struct model_failure *f, struct explain *out);

/* Explains what is wrong with org (index into m->orgs) right now; out->headline is NULL when
 * nothing is. */
void explain_org(const struct model *m, size_t org, struct explain *out);

/* Explains a 403 for scope on org (index into m->orgs) as a failure would be explained: which
 * side must act, the key or the clinic, as far as the other orgs of the same key tell (the
 * scope map and check --scopes, issue 16). The caller frees out with explain_free. */
void explain_scope(const struct model *m, size_t org, const char *scope, struct explain *out);

void explain_free(struct explain *e);

/* When budget b (index into m->budgets) waits out a 429 for longer than its refresh interval:
 * "rate limited until HH:MM:SS UTC" into buf (size bytes) and true; else false. For the
 * header and the Organization pane alike (issue 15, case 4). */
bool explain_rate_until(const struct model *m, size_t b, char *buf, size_t size);

/* When every org's latest /marketplace/me failed to reach the API (timeout, connection, DNS,
 * TLS, proxy): "API unreachable since HH:MM:SS UTC (not connecting)" into buf and true, for
 * the header to say once (issue 15, case 9); else false. */
bool explain_outage(const struct model *m, char *buf, size_t size);

/* When org's refreshes are failing and it still shows older data: "data 3 min old" into buf
 * and true, for every pane that shows that data; else false. */
bool explain_data_age(const struct model *m, size_t org, char *buf, size_t size);

/* When org's wanted patients page (page: true) or the detail view's patient (page: false)
 * waits for the rate budget: "waiting for rate budget (~N s)" into buf and true, so that a
 * wait never looks like loading (issue 15, case 8); else false. */
bool explain_budget_wait(const struct model *m, size_t org, bool page, char *buf, size_t size);

/* A note for Max AI support about f: org id, app id, times in UTC, endpoint, status, code,
 * message, every trace_id; never a key or patient data. Caller frees. */
char *explain_support_note(const struct model *m, const struct model_failure *f);

/* The request of f as a curl command that repeats it exactly: path, the latest occurrence's
 * query (page, pageSize, search) and headers, the key replaced by $MAX_API_KEY. A patient
 * detail's id (logged as {id}) becomes $PATIENT_ID and a search's text $SEARCH, each with a
 * comment line saying so: patient identifiers and search texts (names, MRNs) never go to the
 * clipboard (issues 11 and 13). Caller frees. */
char *explain_curl(const struct model *m, const struct model_failure *f);

#endif
