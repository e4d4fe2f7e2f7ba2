/* The resource routes of every API version, driven by resources.def (resources_srv.h). */
#include "resources_srv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "data_res.h"
#include "ids.h"
#include "util.h"

/* --- routes ----------------------------------------------------------------------------- */

/* Matches path against pattern with at most one "{id}" (one non-empty path segment). */
static bool match(const char *pattern, const char *path, const char **id, size_t *id_len)
{
    const char *hole = strstr(pattern, "{id}");
    if (!hole)
        return strcmp(pattern, path) == 0;
    size_t head = (size_t)(hole - pattern);
    if (strncmp(pattern, path, head) != 0)
        return false;
    const char *start = path + head, *end = strchr(start, '/');
    size_t n = end ? (size_t)(end - start) : strlen(start);
    if (n == 0 || strcmp(hole + 4, start + n) != 0)
        return false;
    *id = start;
    *id_len = n;
    return true;
}

bool sb_route_parse(const char *url, struct sb_route *rt)
{
    memset(rt, 0, sizeof *rt);
    if (url[0] != '/' || url[1] != 'v' || url[2] < '1' || url[2] > '4' || url[3] != '/')
        return false;
    rt->version = url[2] - '0';
    const char *path = url + 3;
    if (strcmp(path, "/marketplace/me") == 0) {
        rt->kind = SB_RT_ME;
        return true;
    }
    for (int r = 0; r < RES_COUNT; r++) {
        const resource_desc *d = &resource_table[r];
        enum sb_route_kind kind = SB_RT_NONE;
        if (match(d->list_path, path, &rt->id, &rt->id_len))
            kind = SB_RT_LIST;
        else if (d->detail_path && match(d->detail_path, path, &rt->id, &rt->id_len))
            kind = SB_RT_DETAIL;
        if (kind == SB_RT_NONE)
            continue;
        rt->res = d;
        rt->kind = resource_in_version(d, rt->version) ? kind : SB_RT_NONE;
        return true;
    }
    return true;
}

void sb_route_fold(const struct sb_route *rt, char *out, size_t size)
{
    if (rt->kind == SB_RT_ME)
        bprintf(out, size, "/v%d/marketplace/me", rt->version);
    else if (rt->kind == SB_RT_LIST)
        bprintf(out, size, "/v%d%s", rt->version, rt->res->list_path);
    else if (rt->kind == SB_RT_DETAIL)
        bprintf(out, size, "/v%d%s", rt->version, rt->res->detail_path);
    else
        bprintf(out, size, "(other)");
}

/* --- replies ---------------------------------------------------------------------------- */

static void fail_with(struct sb_reply *out, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void fail_with(struct sb_reply *out, int status, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->message, sizeof out->message, fmt, ap);
    va_end(ap);
    out->status = status;
    out->code = code;
    out->doc = NULL;
}

/* "Patient not found", "Facility not found", "Inventory change not found". */
static void not_found(struct sb_reply *out, const resource_desc *r)
{
    char one[64];
    bprintf(one, sizeof one, "%s", r->title);
    size_t n = strlen(one);
    if (n > 3 && strcmp(one + n - 3, "ies") == 0)
        strcpy(one + n - 3, "y");
    else if (n > 1 && one[n - 1] == 's')
        one[n - 1] = '\0';
    fail_with(out, 404, "not_found", "%s not found", one);
}

/* --- parameters ------------------------------------------------------------------------- */

static bool parse_positive(const char *text, long max, long *v)
{
    if (!text || !*text || strlen(text) > 9 || strspn(text, "0123456789") != strlen(text))
        return false;
    *v = strtol(text, NULL, 10);
    return *v >= 1 && *v <= max;
}

static bool parse_bool(const char *text, int *v)
{
    if (strcmp(text, "true") == 0)
        *v = 1;
    else if (strcmp(text, "false") == 0)
        *v = 0;
    else
        return false;
    return true;
}

/* A date bound: YYYY-MM-DD, or YYYY-MM-DDTHH:MM[:SS[.fff]][Z]. *cmp_len: the characters of a
 * normalised timestamp it compares (10 for a date, 16 or 19 for a time). */
static bool parse_bound(const char *t, size_t *cmp_len)
{
    static const char date[] = "dddd-dd-dd", time[] = "Tdd:dd";
    size_t n = strlen(t);
    for (size_t i = 0; i < 10; i++)
        if (i >= n || (date[i] == 'd' ? (t[i] < '0' || t[i] > '9') : t[i] != date[i]))
            return false;
    if (n == 10) {
        *cmp_len = 10;
        return true;
    }
    for (size_t i = 0; i < 6; i++)
        if (10 + i >= n || (time[i] == 'd' ? (t[10 + i] < '0' || t[10 + i] > '9')
                                           : t[10 + i] != time[i]))
            return false;
    *cmp_len = 16;
    const char *rest = t + 16;
    if (rest[0] == ':' && rest[1] >= '0' && rest[1] <= '9' && rest[2] >= '0' && rest[2] <= '9') {
        *cmp_len = 19;
        rest += 3;
        if (*rest == '.')
            for (rest++; *rest >= '0' && *rest <= '9'; rest++)
                ;
    }
    return *rest == '\0' || strcmp(rest, "Z") == 0;
}

struct idf {      /* an id filter */
    unsigned bit; /* RF_FACILITY... */
    const char *param;
    resource_id target;
    const char *text; /* as given (NULL: not filtering) */
    sb_uid uid;
    bool exact; /* compare the /v1 string, not only the identity */
};

struct query {
    const struct sb_org *org;
    const resource_desc *r;
    int version;
    long page, size;
    const char *from, *to;
    size_t from_len, to_len;
    const char *statuses; /* comma-separated, for statuses or status */
    struct idf ids[4];
    const char *search;
    int visible, hidden; /* -1: not filtering */
    const char *sort_by;
    bool desc;
    bool soap;
    const struct sb_record *parent; /* of a child list */
};

/* Whether the value of a required or filtering parameter is present. */
static const char *param(sb_arg_fn arg, void *ctx, const char *name)
{
    const char *v = arg(ctx, name);
    return v && *v ? v : NULL;
}

static bool in_csv(const char *csv, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = csv; p && *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == n && strncmp(p, word, n) == 0)
            return true;
        p = comma ? comma + 1 : NULL;
    }
    return false;
}

/* Reads and checks every parameter r accepts; false with a 400 (or 403) in out. */
static bool read_query(struct query *q, sb_arg_fn arg, void *ctx, bool extra_granted,
                       struct sb_reply *out)
{
    const resource_desc *r = q->r;
    for (int b = 0; b < RF_BIT_COUNT; b++) {
        unsigned bit = 1u << b;
        if (!(r->required & bit))
            continue;
        char names[64];
        bprintf(names, sizeof names, "%s", resource_filter_params(bit));
        for (char *save = NULL, *p = strtok_r(names, ",", &save); p; p = strtok_r(NULL, ",", &save))
            if (!param(arg, ctx, p)) {
                fail_with(out, 400, "bad_request", "'%s' is required", p);
                return false;
            }
    }
    q->page = 1;
    q->size = 100;
    q->visible = q->hidden = -1;
    const char *v;
    if (r->filters & RF_PAGE) {
        if ((v = arg(ctx, "page")) && !parse_positive(v, 100000000, &q->page)) {
            fail_with(out, 400, "bad_request", "'page' must be a positive integer");
            return false;
        }
        if ((v = arg(ctx, "pageSize")) && !parse_positive(v, 100, &q->size)) {
            fail_with(out, 400, "bad_request", "'pageSize' must be between 1 and 100");
            return false;
        }
    }
    if (r->filters & RF_DATE) {
        q->from = param(arg, ctx, "dateFrom");
        q->to = param(arg, ctx, "dateTo");
        if ((q->from && !parse_bound(q->from, &q->from_len)) ||
            (q->to && !parse_bound(q->to, &q->to_len))) {
            fail_with(out, 400, "bad_request", "'%s' must be a date (YYYY-MM-DD) or an ISO 8601 "
                      "timestamp", q->from && !parse_bound(q->from, &q->from_len) ? "dateFrom"
                                                                              : "dateTo");
            return false;
        }
    }
    if (r->filters & RF_STATUSES)
        q->statuses = param(arg, ctx, "statuses");
    if (r->filters & RF_STATUS)
        q->statuses = param(arg, ctx, "status");
    static const struct { unsigned bit; const char *param; resource_id target; } id_filters[] = {
        {RF_FACILITY, "facilityId", RES_FACILITIES}, {RF_PROVIDER, "providerId", RES_PROVIDERS},
        {RF_PATIENT, "patientId", RES_PATIENTS}, {RF_NOTE, "noteId", RES_NOTES}};
    for (size_t k = 0; k < ARRAY_LEN(id_filters); k++) {
        struct idf *f = &q->ids[k];
        f->bit = id_filters[k].bit;
        f->param = id_filters[k].param;
        f->target = id_filters[k].target;
        if (!(r->filters & f->bit) || !(f->text = param(arg, ctx, f->param)))
            continue;
        if (!sb_id_parse(&resource_table[f->target], q->version, f->text, &f->uid, &f->exact)) {
            fail_with(out, 400, "bad_request", "'%s' must be a valid ID", f->param);
            return false;
        }
    }
    if (r->filters & RF_SEARCH)
        q->search = param(arg, ctx, "search");
    static const struct { unsigned bit; const char *name; } flags[] = {
        {RF_VISIBLE, "isVisible"}, {RF_HIDDEN, "hidden"}, {RF_SOAP, "includeSoapNote"}};
    int *slots[] = {&q->visible, &q->hidden, NULL};
    for (size_t k = 0; k < ARRAY_LEN(flags); k++) {
        int b = -1;
        if (!(r->filters & flags[k].bit) || !(v = param(arg, ctx, flags[k].name)))
            continue;
        if (!parse_bool(v, &b)) {
            fail_with(out, 400, "bad_request", "'%s' must be true or false", flags[k].name);
            return false;
        }
        if (slots[k])
            *slots[k] = b;
        else
            q->soap = b == 1;
    }
    if (q->soap && !extra_granted) {
        fail_with(out, 403, "forbidden", "Insufficient scope. Required: %s", r->extra_scope);
        return false;
    }
    if (r->filters & RF_SORT) {
        q->sort_by = param(arg, ctx, "sortBy");
        if (q->sort_by && !in_csv(r->sort_keys, q->sort_by)) {
            fail_with(out, 400, "bad_request", "'sortBy' must be one of %s", r->sort_keys);
            return false;
        }
        const char *order = param(arg, ctx, "sortOrder");
        if (order && strcmp(order, "asc") != 0 && strcmp(order, "desc") != 0) {
            fail_with(out, 400, "bad_request", "'sortOrder' must be asc or desc");
            return false;
        }
        q->desc = order && strcmp(order, "desc") == 0;
    }
    return true;
}

/* --- matching --------------------------------------------------------------------------- */

struct id_match {
    const struct idf *f;
};

static bool id_is(json_t *v, void *ctx)
{
    const struct idf *f = ctx;
    const char *s = json_string_value(v);
    if (!s)
        return false;
    if (f->exact)
        return strcmp(s, f->text) == 0;
    sb_uid u = sb_id_uid(s);
    return u.hi == f->uid.hi && u.lo == f->uid.lo;
}

static bool text_has(json_t *v, void *ctx)
{
    return json_is_string(v) && strcasestr(json_string_value(v), ctx) != NULL;
}

/* The field at a simple path (first alternative), or NULL. */
static json_t *get_path(json_t *obj, const char *path)
{
    char buf[128];
    bprintf(buf, sizeof buf, "%s", path);
    char *bar = strchr(buf, '|');
    if (bar)
        *bar = '\0';
    json_t *v = obj;
    for (char *save = NULL, *step = strtok_r(buf, ".", &save); step && v;
         step = strtok_r(NULL, ".", &save))
        v = json_object_get(v, step);
    return v;
}

static bool date_in(const struct query *q, json_t *obj)
{
    if (!q->from && !q->to)
        return true;
    const char *s = json_string_value(get_path(obj, q->r->date_field));
    if (!s || strlen(s) < 10)
        return false;
    char norm[20];
    bprintf(norm, sizeof norm, "%.19s", s);
    if (norm[10] == ' ')
        norm[10] = 'T';
    if (q->from && strncmp(norm, q->from, q->from_len) < 0)
        return false;
    return !q->to || strncmp(norm, q->to, q->to_len) <= 0;
}

static bool bool_is(json_t *obj, const char *field, int want)
{
    json_t *v = json_object_get(obj, field);
    return want < 0 || (json_is_boolean(v) && json_is_true(v) == (want == 1));
}

static bool matches(const struct query *q, json_t *obj)
{
    if (!date_in(q, obj))
        return false;
    if (q->statuses) {
        const char *st = json_string_value(json_object_get(obj, "status"));
        if (!st || !in_csv(q->statuses, st))
            return false;
    }
    for (size_t k = 0; k < ARRAY_LEN(q->ids); k++) {
        const struct idf *f = &q->ids[k];
        if (!f->text)
            continue;
        const resource_link *l = resource_link_to(q->r->id, f->target);
        if (!l || !sb_path_any(obj, l->path, id_is, (void *)f))
            return false;
    }
    if (!bool_is(obj, "isVisible", q->visible) || !bool_is(obj, "hidden", q->hidden))
        return false;
    if (q->parent) {
        const resource_link *l = resource_link_to(q->r->id, q->r->parent);
        struct idf pf = {.text = q->parent->id, .exact = true};
        if (!l || !sb_path_any(obj, l->path, id_is, &pf))
            return false;
    }
    if (q->search) {
        char fields[160];
        bprintf(fields, sizeof fields, "%s", q->r->search_fields);
        bool hit = false;
        for (char *save = NULL, *f = strtok_r(fields, ",", &save); f && !hit;
             f = strtok_r(NULL, ",", &save))
            hit = sb_path_any(obj, f, text_has, (void *)q->search);
        if (!hit)
            return false;
    }
    return true;
}

/* --- sorting ---------------------------------------------------------------------------- */

struct sort_ctx {
    const struct sb_rtable *t;
    const char *field;
    bool desc;
};

static int by_field(const void *a, const void *b, void *ctx)
{
    const struct sort_ctx *sc = ctx;
    size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
    const char *sa = json_string_value(json_object_get(sc->t->recs[ia].obj, sc->field));
    const char *sb = json_string_value(json_object_get(sc->t->recs[ib].obj, sc->field));
    int c = 0;
    if (sa && sb)
        c = sc->desc ? strcmp(sb, sa) : strcmp(sa, sb);
    else if (sa || sb)
        c = sa ? -1 : 1; /* nulls last either way */
    return c ? c : (ia < ib ? -1 : ia > ib);
}

/* --- answers ---------------------------------------------------------------------------- */

static json_t *success(json_t *data)
{
    return json_pack("{s:s, s:o}", "code", "success", "data", data);
}

static void serve_list(struct query *q, struct sb_reply *out)
{
    const struct sb_org *org = q->org;
    const resource_desc *r = q->r;
    bool paged = r->filters & RF_PAGE;
    size_t first = paged ? (size_t)(q->page - 1) * (size_t)q->size : 0;
    size_t limit = paged ? (size_t)q->size : (size_t)-1;
    json_t *list = json_array();
    size_t matched = 0;
    if (r->id == RES_PATIENTS) {
        for (size_t i = 0; i < org->npatients; i++) {
            if (!sb_patient_matches(&org->patients[i], q->search))
                continue;
            if (matched >= first && matched - first < limit) {
                json_t *p = sb_patient_json(&org->patients[i]);
                json_array_append_new(list, sb_res_render(org, q->version, p, false));
                json_decref(p);
            }
            matched++;
        }
    } else {
        const struct sb_rtable *t = &org->tables[r->id];
        size_t *keep = xmalloc((t->n ? t->n : 1) * sizeof *keep);
        for (size_t i = 0; i < t->n; i++)
            if (matches(q, t->recs[i].obj))
                keep[matched++] = i;
        if (r->filters & RF_SORT) {
            char field[64];
            bprintf(field, sizeof field, "%s", q->sort_by ? q->sort_by : r->sort_keys);
            char *comma = strchr(field, ',');
            if (comma)
                *comma = '\0';
            struct sort_ctx sc = {t, field, q->desc};
            qsort_r(keep, matched, sizeof *keep, by_field, &sc);
        }
        for (size_t k = first; k < matched && k - first < limit; k++)
            json_array_append_new(list, sb_res_render(org, q->version, t->recs[keep[k]].obj,
                                                      q->soap));
        free(keep);
    }
    json_t *data = json_object();
    json_object_set_new(data, r->list_key, list);
    if (paged) {
        size_t pages = (matched + (size_t)q->size - 1) / (size_t)q->size;
        json_object_set_new(data, "pagination",
                            json_pack("{s:I, s:I, s:I, s:I}", "page", (json_int_t)q->page,
                                      "pageSize", (json_int_t)q->size, "totalCount",
                                      (json_int_t)matched, "totalPages", (json_int_t)pages));
    }
    out->status = 200;
    out->doc = success(data);
}

/* The record of resource r whose id in q's version is text: its index entry, or NULL with a
 * 400 or 404 in out. */
static const struct sb_idref *lookup(const struct query *q, const resource_desc *r,
                                     const char *text, struct sb_reply *out)
{
    sb_uid uid;
    bool exact;
    if (!sb_id_parse(r, q->version, text, &uid, &exact)) {
        fail_with(out, 400, "bad_request", "'id' must be a valid ID");
        return NULL;
    }
    const struct sb_idref *ref = sb_res_find(q->org, uid);
    if (!ref || ref->res != r->id ||
        (exact && strcmp(sb_res_v1_id(q->org, ref->res, ref->idx), text) != 0)) {
        not_found(out, r);
        return NULL;
    }
    return ref;
}

void sb_res_serve(const struct sb_org *org, const struct sb_route *rt, sb_arg_fn arg, void *ctx,
                  bool extra_granted, struct sb_reply *out)
{
    memset(out, 0, sizeof *out);
    struct query q = {.org = org, .r = rt->res, .version = rt->version};
    if (!read_query(&q, arg, ctx, extra_granted, out))
        return;
    char id[256];
    if (rt->id && !bprintf(id, sizeof id, "%.*s", (int)rt->id_len, rt->id)) {
        fail_with(out, 400, "bad_request", "'id' must be a valid ID");
        return;
    }
    if (rt->kind == SB_RT_LIST) {
        if (rt->res->parent != RES_NONE) {
            const resource_desc *pr = &resource_table[rt->res->parent];
            const struct sb_idref *ref = lookup(&q, pr, id, out);
            if (!ref)
                return;
            q.parent = &org->tables[pr->id].recs[ref->idx];
        }
        serve_list(&q, out);
        return;
    }
    const struct sb_idref *ref = lookup(&q, rt->res, id, out);
    if (!ref)
        return;
    json_t *obj = sb_res_record_json(org, rt->res->id, ref->idx);
    /* a detail that requires facilityId finds only that facility's records */
    if ((rt->res->required & RF_FACILITY) && !matches(&q, obj)) {
        json_decref(obj);
        not_found(out, rt->res);
        return;
    }
    json_t *shown = sb_res_render(org, q.version, obj, q.soap);
    json_decref(obj);
    if (rt->res->detail_key)
        shown = json_pack("{s:o}", rt->res->detail_key, shown);
    out->status = 200;
    out->doc = success(shown);
}
