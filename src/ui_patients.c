/* The Patients pane (the selected org's page of patients) and the patient view. */
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

const char *mask_text(const struct ui *u)
{
    return u->utf8 ? "\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2" : "***";
}

static void patient_name(const struct ui *u, const struct api_patient *p, char *buf, size_t size)
{
    if (u->privacy) {
        snprintf(buf, size, "%s", mask_text(u));
        return;
    }
    const char *dash = u->utf8 ? "\xE2\x80\x94" : "-";
    if (!p->last && !p->first) {
        snprintf(buf, size, "%s", dash);
        return;
    }
    char middle[16] = "";
    if (p->middle && p->middle[0]) {
        /* The initial is one character, which may be several bytes. */
        size_t n = 1;
        while (p->middle[n] && ((unsigned char)p->middle[n] & 0xC0) == 0x80)
            n++;
        snprintf(middle, sizeof middle, " %.*s.", (int)n, p->middle);
    }
    snprintf(buf, size, "%s%s%s%s", p->last ? p->last : "", p->last && p->first ? ", " : "",
             p->first ? p->first : "", middle);
    utf8_trim_partial(buf);
}

static const char *field(const struct ui *u, const char *v, bool private_field)
{
    if (!v)
        return u->utf8 ? "\xE2\x80\x94" : "-";
    return private_field && u->privacy ? mask_text(u) : v;
}

void draw_patients(struct ui *u)
{
    WINDOW *w = u->pane[PANE_PATIENTS];
    werase(w);
    struct model_org *o = selected_org(u);
    char title[512] = "Patients";
    const char *dot = u->utf8 ? "\xC2\xB7" : "-";
    if (o && o->have_page) {
        long total = o->page.total_count, pages = o->page.total_pages;
        snprintf(title, sizeof title, "Patients %s %ld %s page %ld/%ld%s%s%s%s", u->utf8 ? "\xE2\x94\x80" : "-",
                 total < 0 ? (long)o->page.len : total, dot, o->page_no, pages < 0 ? 1 : pages,
                 o->search ? " \xC2\xB7 search \"" : "",
                 o->search ? (u->privacy ? mask_text(u) : o->search) : "", /* a name, an MRN */
                 o->search ? "\"" : "", o->page_loading ? " \xC2\xB7 loading\xE2\x80\xA6" : "");
        char age[64], wait[64];
        if (o->page_loading && explain_budget_wait(&u->m, (size_t)(o - u->m.orgs), true, wait,
                                                   sizeof wait)) {
            char *at = strstr(title, " \xC2\xB7 loading\xE2\x80\xA6"); /* a wait, not loading */
            if (at)
                snprintf(at, sizeof title - (size_t)(at - title), " %s %s", dot, wait);
        }
        size_t tn = strlen(title);
        if (explain_data_age(&u->m, (size_t)(o - u->m.orgs), age, sizeof age))
            snprintf(title + tn, sizeof title - tn, " %s %s", dot, age);
        utf8_trim_partial(title);
    }
    frame(u, w, PANE_PATIENTS, title);
    int h = getmaxy(w) - 2, width = getmaxx(w) - 2;
    if (!o || h <= 0)
        goto done;
    const struct model_probe *pp = &o->probe_patients;
    if (!o->have_page || (pp->done && pp->cls == API_FORBIDDEN)) {
        if (pp->done && pp->cls != API_OK) {
            if (pp->cls == API_FORBIDDEN && pp->err.required_scope)
                putf(w, 1, 1, width, role_attr[ROLE_SCOPE], "missing scope %s: %s",
                     pp->err.required_scope, pp->summary ? pp->summary : "");
            else
                put(w, 1, 1, width, pp->summary ? pp->summary : "failed",
                    role_attr[health_role(model_org_health(o))]);
            if (pp->err.trace_id)
                putf(w, 2, 1, width, role_attr[ROLE_DIM], "trace_id %s", pp->err.trace_id);
        } else {
            char wait[64];
            if (explain_budget_wait(&u->m, (size_t)(o - u->m.orgs), true, wait, sizeof wait))
                putf(w, 1, 1, width, role_attr[ROLE_DIM], "%s", wait);
            else
                putf(w, 1, 1, width, role_attr[ROLE_DIM], "loading%s", u->utf8 ? "\xE2\x80\xA6" : "...");
        }
        goto done;
    }
    /* Columns: name takes what the others leave. */
    int born_w = 10, sex_w = 6, mrn_w = 11, id_w = width >= 90 ? 32 : 16;
    int name_w = width - born_w - sex_w - mrn_w - id_w - 4;
    if (name_w < 12) {
        id_w = 0;
        name_w = width - born_w - sex_w - mrn_w - 3;
    }
    int x_born = 1 + name_w + 1, x_sex = x_born + born_w + 1, x_mrn = x_sex + sex_w + 1,
        x_id = x_mrn + mrn_w + 1;
    attr_t hdr = role_attr[ROLE_TITLE];
    put(w, 1, 1, name_w, "Name", hdr);
    put(w, 1, x_born, born_w, "Born", hdr);
    put(w, 1, x_sex, sex_w, "Sex", hdr);
    put(w, 1, x_mrn, mrn_w, "MRN", hdr);
    if (id_w)
        put(w, 1, x_id, id_w, "Id", hdr);
    if (o->page.len == 0) {
        put(w, 2, 1, width, o->search ? "no patient matches" : "no patients", role_attr[ROLE_DIM]);
        goto done;
    }
    if (u->sel_patient >= o->page.len)
        u->sel_patient = o->page.len - 1;
    int rows = h - 1;
    size_t top = u->sel_patient >= (size_t)rows ? u->sel_patient - (size_t)rows + 1 : 0;
    for (int r = 0; r < rows; r++) {
        size_t i = top + (size_t)r;
        if (i >= o->page.len)
            break;
        const struct api_patient *p = &o->page.items[i];
        bool sel = i == u->sel_patient;
        attr_t a = !sel ? A_NORMAL : role_attr[u->focus == PANE_PATIENTS ? ROLE_SELECTED : ROLE_SEL_DIM];
        if (sel)
            mvwhline(w, r + 2, 1, ' ' | a, width);
        char name[512];
        patient_name(u, p, name, sizeof name);
        put(w, r + 2, 1, name_w, name, a);
        put(w, r + 2, x_born, born_w, field(u, p->dob, true), a);
        const char *sex = p->gender ? (u->privacy ? mask_text(u) : p->gender) : field(u, NULL, 0);
        char sx[8];
        snprintf(sx, sizeof sx, "%.1s", sex);
        put(w, r + 2, x_sex, sex_w, p->gender && !u->privacy && (unsigned char)sex[0] < 0x80 ? sx : sex, a);
        put(w, r + 2, x_mrn, mrn_w, field(u, p->mrn, true), a);
        if (id_w)
            put(w, r + 2, x_id, id_w, p->id, a);
    }
done:
    wnoutrefresh(w);
}


void patient_lines(struct ui *u, struct lines *l)
{
    const struct model_detail *d = &u->m.detail;
    if (d->loading || !d->probe.done) {
        char wait[64];
        if (explain_budget_wait(&u->m, d->org, false, wait, sizeof wait))
            add_line(l, "%s: patient %s", wait, d->id ? d->id : "");
        else
            add_line(l, "loading patient %s...", d->id ? d->id : "");
        return;
    }
    if (d->probe.cls != API_OK) {
        add_line(l, "%s", d->probe.summary ? d->probe.summary : "failed");
        if (d->probe.err.trace_id)
            add_line(l, "trace_id %s", d->probe.err.trace_id);
        return;
    }
    const struct api_patient *p = &d->patient;
    char name[512];
    patient_name(u, p, name, sizeof name);
    add_line(l, "Name         %s", name);
    add_line(l, "Id           %s", p->id);
    add_line(l, "MRN          %s", field(u, p->mrn, true));
    add_line(l, "First name   %s", field(u, p->first, true));
    add_line(l, "Middle name  %s", field(u, p->middle, true));
    add_line(l, "Last name    %s", field(u, p->last, true));
    add_line(l, "Sex          %s", field(u, p->gender, true));
    add_line(l, "Born         %s", field(u, p->dob, true));
    add_line(l, "Email        %s", field(u, p->email, true));
    add_line(l, "Phone        %s", field(u, p->phone, true));
    add_line(l, "Created      %s", field(u, p->created, false));
    add_line(l, "Updated      %s", field(u, p->updated, false));
}


