/* y, Y and c: what they act on (issue 13) and the copy transports (tmux, copy_command,
 * OSC 52), reported truthfully. */
#include "ui_int.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "explain.h"
#include "keymask.h"
#include "orgid.h"
#include "text.h"
#include "util.h"

/* --- copying ------------------------------------------------------------------------------ */

/* What y, Y and c act on: the failure shown in an open overlay, else the selected failure
 * group when the failures pane has the focus, else the selected org's latest failure. Never
 * anything else (issue 13: a wrong copy is worse than none). */
struct target {
    const char *org;                 /* for "nothing to copy for ORG" */
    const struct model_failure *f;   /* NULL: nothing to copy */
    const char *trace;               /* the trace_id y copies; NULL when f has none */
    struct model_failure one;        /* a patient detail's failure, f points here */
    char *one_trace[1];
    double one_time[1];
};

static bool ends_with(const char *s, const char *tail)
{
    size_t a = s ? strlen(s) : 0, b = strlen(tail);
    return a >= b && strcmp(s + a - b, tail) == 0;
}

static bool detail_target(struct ui *u, struct target *t)
{
    const struct model_detail *d = &u->m.detail;
    t->org = d->org < u->m.norgs ? u->m.orgs[d->org].cfg->name : "?";
    if (!d->probe.done || d->probe.cls == API_OK)
        return false;
    const char *trace = d->probe.err.trace_id;
    /* The group the engine put this failure in: the one holding its trace_id. */
    const struct model_failure *g = NULL;
    for (size_t k = u->m.nfailures; !g && k-- > 0;) {
        const struct model_failure *f = &u->m.failures[k];
        if (f->org != d->org || !ends_with(f->path, "/{id}") || f->status != d->probe.status ||
            f->cls != d->probe.cls)
            continue;
        if (!trace)
            g = f;
        for (size_t i = 0; trace && i < f->ntrace && !g; i++)
            if (strcmp(f->trace_ids[i], trace) == 0)
                g = f;
    }
    if (!g)
        return false;
    /* Only this occurrence: the note and the curl speak of the failure on screen. */
    t->one = *g;
    t->one.count = 1;
    t->one.first_seen = t->one.last_seen = d->probe.at;
    t->one.query = NULL;
    t->one_trace[0] = (char *)trace;
    t->one_time[0] = d->probe.at;
    t->one.trace_ids = trace ? t->one_trace : NULL;
    t->one.trace_times = trace ? t->one_time : NULL;
    t->one.ntrace = trace ? 1 : 0;
    t->f = &t->one;
    t->trace = trace;
    return true;
}

static bool find_target(struct ui *u, struct target *t)
{
    memset(t, 0, sizeof *t);
    size_t idx[1000];
    if (u->overlay == OVERLAY_FORM || u->overlay == OVERLAY_RECORD)
        return detail_target(u, t);
    if (u->overlay == OVERLAY_FAILURE) {
        t->f = group_by_key(u, u->overlay_key);
    } else if (u->focus == PANE_FAILS) {
        size_t n = visible_failures(u, idx, ARRAY_LEN(idx));
        t->f = u->sel_fail < n ? &u->m.failures[idx[u->sel_fail]] : NULL;
    } else {
        struct model_org *o = selected_org(u);
        t->org = o ? o->cfg->name : "?";
        size_t k = o ? model_org_latest_failure(&u->m, u->sel_org) : (size_t)-1;
        t->f = k != (size_t)-1 ? &u->m.failures[k] : NULL;
    }
    if (!t->f)
        return false;
    t->org = t->f->org_name ? t->f->org_name : "?";
    t->trace = t->f->ntrace ? t->f->trace_ids[t->f->ntrace - 1] : NULL;
    return true;
}

/* "eastside 401 /v1/marketplace/me, trace 550e8400…": org, status, endpoint, trace_id's start. */
static void target_text(const struct target *t, char *buf, size_t size)
{
    const struct model_failure *f = t->f;
    char status[16];
    if (f->status)
        snprintf(status, sizeof status, "%d", f->status);
    else
        snprintf(status, sizeof status, "%s", api_class_name(f->cls));
    bprintf(buf, size, "%s %s %s, %s%.8s%s", t->org, status, f->path ? f->path : "?",
            t->trace ? "trace " : "no trace_id", t->trace ? t->trace : "",
            t->trace ? "\xE2\x80\xA6" : "");
    utf8_trim_partial(buf);
}

static void start_clip(struct ui *u, enum clip_via via, const char *const *argv,
                       const char *text, const char *what)
{
    struct clip_job *job = NULL;
    for (size_t i = 0; i < ARRAY_LEN(u->clips) && !job; i++)
        if (!u->clips[i].pid)
            job = &u->clips[i];
    if (!job) {
        set_status(u, " not copied: %zu copies are still running (%s)", ARRAY_LEN(u->clips),
                   clip_via_name(via));
        return;
    }
    char err[256];
    if (clip_start(job, via, argv, text, what, err, sizeof err))
        set_status(u, " copying %s via %s", what, clip_via_name(via));
    else
        set_status(u, " not copied: %s could not start: %s", clip_via_name(via), err);
}

/* Copies text; what names it with its target for the status line. Inside tmux the copy goes
 * through tmux (load-buffer -w); the user's copy_command wins over both. */
static void copy_text(struct ui *u, const char *raw, const char *what)
{
    char *text = keymask_text(raw); /* a key in an org id or the base_url path (issue 11) */
    const char *cmd = u->copy_command ? u->copy_command : u->cfg.set.copy_command;
    const char *tmux = getenv("TMUX");
    if (cmd) {
        const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
        start_clip(u, CLIP_COMMAND, argv, text, what);
    } else if (tmux && *tmux) {
        const char *argv[] = {"tmux", "load-buffer", "-w", "-", NULL};
        start_clip(u, CLIP_TMUX, argv, text, what);
    } else {
        fflush(stdout);
        if (clip_osc52(STDOUT_FILENO, text, false))
            set_status(u, " copied %s via OSC 52", what);
        else
            set_status(u, " not copied: writing OSC 52 to the terminal failed: %s", strerror(errno));
    }
    free(text);
}

/* The loop's turn for running copies: reports each that ended, truthfully. */
void poll_clips(struct ui *u)
{
    for (size_t i = 0; i < ARRAY_LEN(u->clips); i++) {
        struct clip_job *job = &u->clips[i];
        int status;
        if (!clip_poll(job, &status))
            continue;
        char why[320];
        clip_failure_text(job, status, why, sizeof why);
        if (!why[0]) {
            set_status(u, " copied %s via %s", job->what, clip_via_name(job->via));
        } else if (job->via == CLIP_TMUX) {
            /* An older tmux (no load-buffer -w) or none reachable: its passthrough. */
            fflush(stdout);
            clip_osc52(STDOUT_FILENO, job->text, true);
            set_status(u, " copied %s via %s (tmux load-buffer -w: %s)", job->what,
                       clip_via_name(CLIP_OSC52_TMUX), why);
        } else {
            set_status(u, " NOT COPIED %s: copy_command failed: %s", job->what, why);
        }
        clip_job_free(job);
    }
}

void copy_action(struct ui *u, enum action a)
{
    struct target t;
    if (!find_target(u, &t)) {
        if (t.org)
            set_status(u, " nothing to copy for %s: no failure", t.org);
        else
            set_status(u, " nothing to copy: no failure %s",
                       u->overlay == OVERLAY_FAILURE ? "(the group is no longer listed)" : "selected");
        return;
    }
    char about[256], what[320];
    target_text(&t, about, sizeof about);
    if (a == ACT_COPY_TRACE) {
        if (!t.trace) {
            set_status(u, " nothing to copy for %s: its failure has no trace_id (%s)", t.org, about);
            return;
        }
        bprintf(what, sizeof what, "trace_id: %s", about);
        copy_text(u, t.trace, what);
        return;
    }
    char *text = a == ACT_COPY_NOTE ? explain_support_note(&u->m, t.f) : explain_curl(&u->m, t.f);
    bprintf(what, sizeof what, "%s: %s", a == ACT_COPY_NOTE ? "a support note" : "the request as curl",
            about);
    copy_text(u, text, what);
    free(text);
}

