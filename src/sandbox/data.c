/* Loading the sandbox data file, with one precise message for the first problem found, and
 * generating deterministic patients. */
#include "data.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "data_res.h"
#include "util.h"

/* --- validation context ----------------------------------------------------------------- */

struct loader {
    const char *path;
    long today; /* UTC day number that generated dates centre on */
    char *err;
    size_t errsize;
    bool failed;
    void (*warn)(const char *msg);
};

static bool fail(struct loader *ld, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail(struct loader *ld, const char *fmt, ...)
{
    if (ld->failed)
        return false;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    bprintf(ld->err, ld->errsize, "%s: %s", ld->path, msg);
    ld->failed = true;
    return false;
}

static void warn_unknown(struct loader *ld, json_t *obj, const char *where,
                         const char *const known[])
{
    const char *name;
    json_t *v;
    json_object_foreach(obj, name, v) {
        bool ok = false;
        for (size_t i = 0; known[i]; i++)
            ok = ok || strcmp(name, known[i]) == 0;
        if (!ok && ld->warn) {
            char msg[512];
            snprintf(msg, sizeof msg, "%s: %s: unknown field '%s' ignored", ld->path, where, name);
            ld->warn(msg);
        }
    }
}

/* A required (or optional) non-empty string field. */
static bool get_string(struct loader *ld, json_t *obj, const char *where, const char *field,
                       bool required, const char **out)
{
    json_t *v = json_object_get(obj, field);
    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required)
            return fail(ld, "%s.%s: missing (a string is required)", where, field);
        return true;
    }
    if (!json_is_string(v))
        return fail(ld, "%s.%s: must be a string", where, field);
    if (json_string_length(v) == 0 || strlen(json_string_value(v)) != json_string_length(v))
        return fail(ld, "%s.%s: must be a non-empty string without NUL", where, field);
    *out = json_string_value(v);
    return true;
}

static bool get_scopes(struct loader *ld, json_t *obj, const char *where, struct sb_scopes *out)
{
    json_t *v = json_object_get(obj, "scopes");
    memset(out, 0, sizeof *out);
    if (!v)
        return true;
    if (!json_is_array(v))
        return fail(ld, "%s.scopes: must be an array of strings", where);
    size_t i;
    json_t *s;
    json_array_foreach(v, i, s) {
        if (!json_is_string(s))
            return fail(ld, "%s.scopes[%zu]: must be a string", where, i);
        sb_scopes_add(out, json_string_value(s));
    }
    return true;
}

/* --- scopes ----------------------------------------------------------------------------- */

bool sb_scopes_has(const struct sb_scopes *s, const char *scope)
{
    for (size_t i = 0; i < s->len; i++)
        if (strcmp(s->items[i], scope) == 0)
            return true;
    return false;
}

void sb_scopes_add(struct sb_scopes *s, const char *scope)
{
    if (sb_scopes_has(s, scope))
        return;
    s->items = xrealloc(s->items, (s->len + 1) * sizeof *s->items);
    s->items[s->len++] = xstrdup(scope);
}

void sb_scopes_remove(struct sb_scopes *s, const char *scope)
{
    for (size_t i = 0; i < s->len; i++) {
        if (strcmp(s->items[i], scope) == 0) {
            free(s->items[i]);
            memmove(&s->items[i], &s->items[i + 1], (s->len - i - 1) * sizeof *s->items);
            s->len--;
            return;
        }
    }
}

void sb_scopes_free(struct sb_scopes *s)
{
    for (size_t i = 0; i < s->len; i++)
        free(s->items[i]);
    free(s->items);
    memset(s, 0, sizeof *s);
}

/* --- lookups ---------------------------------------------------------------------------- */

struct sb_key *sb_find_key(struct sb_data *data, const char *value)
{
    for (size_t i = 0; value && i < data->nkeys; i++)
        if (strcmp(data->keys[i].value, value) == 0)
            return &data->keys[i];
    return NULL;
}

struct sb_org *sb_find_org(struct sb_data *data, const char *id)
{
    for (size_t i = 0; id && i < data->norgs; i++)
        if (strcmp(data->orgs[i].id, id) == 0)
            return &data->orgs[i];
    return NULL;
}

ssize_t sb_find_app(const struct sb_data *data, const char *id)
{
    for (size_t i = 0; id && i < data->napps; i++)
        if (strcmp(data->apps[i].id, id) == 0)
            return (ssize_t)i;
    return -1;
}

struct sb_install *sb_find_install(struct sb_org *org, size_t app)
{
    for (size_t i = 0; i < org->ninstalls; i++)
        if (org->installs[i].app == app)
            return &org->installs[i];
    return NULL;
}

/* --- patients --------------------------------------------------------------------------- */

static const char *opt_str(json_t *obj, const char *field)
{
    json_t *v = json_object_get(obj, field);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool load_patients(struct loader *ld, json_t *v, const char *where, struct sb_org *org)
{
    if (!v || json_is_null(v))
        return true;
    if (json_is_array(v)) {
        size_t n = json_array_size(v);
        org->patients = xcalloc(n, sizeof *org->patients);
        size_t i;
        json_t *p;
        json_array_foreach(v, i, p) {
            char at[160];
            snprintf(at, sizeof at, "%s.patients[%zu]", where, i);
            if (!json_is_object(p))
                return fail(ld, "%s: must be an object", at);
            const char *id;
            if (!get_string(ld, p, at, "id", true, &id))
                return false;
            /* an id the detail endpoint would call malformed would list, then answer 400 */
            if (!sb_id_v1_valid("pat", id))
                return fail(ld, "%s.id: '%.80s' is malformed: GET /v1/patients/{id} would answer "
                            "400 ('pat_' + 10..64 letters or digits, or a dashed UUID)", at, id);
            for (size_t j = 0; j < i; j++)
                if (strcmp(org->patients[j].id, id) == 0)
                    return fail(ld, "%s.id: duplicate patient id '%s'", at, id);
            struct sb_patient *pt = &org->patients[i];
            pt->raw = json_incref(p);
            pt->id = id;
            pt->mrn = opt_str(p, "mrn");
            pt->first = opt_str(p, "firstName");
            pt->middle = opt_str(p, "middleName");
            pt->last = opt_str(p, "lastName");
            org->npatients = i + 1;
        }
        return true;
    }
    if (!json_is_object(v))
        return fail(ld, "%s.patients: must be an array of patients or {\"generate\": N, \"seed\": S}",
                    where);
    static const char *const known[] = {"generate", "seed", NULL};
    char at[160];
    snprintf(at, sizeof at, "%s.patients", where);
    warn_unknown(ld, v, at, known);
    json_t *gen = json_object_get(v, "generate");
    json_t *seed = json_object_get(v, "seed");
    if (!json_is_integer(gen) || json_integer_value(gen) < 0 ||
        json_integer_value(gen) > 1000000)
        return fail(ld, "%s.generate: must be an integer from 0 to 1000000", at);
    if (seed && !json_is_integer(seed))
        return fail(ld, "%s.seed: must be an integer", at);
    size_t n = (size_t)json_integer_value(gen);
    uint64_t s = seed ? (uint64_t)json_integer_value(seed) : 0;
    org->patients = xcalloc(n, sizeof *org->patients);
    for (size_t i = 0; i < n; i++)
        sb_patient_generate(s, i, &org->patients[i]);
    org->npatients = n;
    return true;
}

/* --- the file --------------------------------------------------------------------------- */

static bool load_apps(struct loader *ld, json_t *root, struct sb_data *d)
{
    json_t *apps = json_object_get(root, "apps");
    if (!json_is_array(apps))
        return fail(ld, "apps: missing or not an array");
    d->apps = xcalloc(json_array_size(apps), sizeof *d->apps);
    static const char *const known[] = {"id", "slug", "liveVersionId", NULL};
    size_t i;
    json_t *a;
    json_array_foreach(apps, i, a) {
        char at[64];
        snprintf(at, sizeof at, "apps[%zu]", i);
        if (!json_is_object(a))
            return fail(ld, "%s: must be an object", at);
        warn_unknown(ld, a, at, known);
        const char *id, *slug, *ver;
        if (!get_string(ld, a, at, "id", true, &id) || !get_string(ld, a, at, "slug", false, &slug) ||
            !get_string(ld, a, at, "liveVersionId", false, &ver))
            return false;
        if (sb_find_app(d, id) >= 0)
            return fail(ld, "%s.id: duplicate app id '%s'", at, id);
        d->apps[i].id = xstrdup(id);
        d->apps[i].slug = xstrdup(slug ? slug : id);
        d->apps[i].live_version = ver ? xstrdup(ver) : NULL;
        d->napps = i + 1;
    }
    return true;
}

static bool load_keys(struct loader *ld, json_t *root, struct sb_data *d)
{
    json_t *keys = json_object_get(root, "keys");
    if (!json_is_array(keys))
        return fail(ld, "keys: missing or not an array");
    d->keys = xcalloc(json_array_size(keys), sizeof *d->keys);
    static const char *const known[] = {"value", "app", "scopes", "state", "me_requires_scope",
                                        NULL};
    size_t i;
    json_t *k;
    json_array_foreach(keys, i, k) {
        char at[64];
        snprintf(at, sizeof at, "keys[%zu]", i);
        if (!json_is_object(k))
            return fail(ld, "%s: must be an object", at);
        warn_unknown(ld, k, at, known);
        const char *value, *app, *state;
        if (!get_string(ld, k, at, "value", true, &value) ||
            !get_string(ld, k, at, "app", true, &app) ||
            !get_string(ld, k, at, "state", false, &state))
            return false;
        struct sb_key *key = &d->keys[i];
        if (sb_find_key(d, value))
            return fail(ld, "%s.value: the same key value appears twice", at);
        ssize_t ai = sb_find_app(d, app);
        if (ai < 0)
            return fail(ld, "%s.app: unknown app '%s' (not in apps)", at, app);
        key->state = SB_KEY_ACTIVE;
        if (state && strcmp(state, "revoked") == 0)
            key->state = SB_KEY_REVOKED;
        else if (state && strcmp(state, "expired") == 0)
            key->state = SB_KEY_EXPIRED;
        else if (state && strcmp(state, "active") != 0)
            return fail(ld, "%s.state: '%s' is not active, revoked or expired", at, state);
        json_t *mr = json_object_get(k, "me_requires_scope");
        if (mr && !json_is_boolean(mr))
            return fail(ld, "%s.me_requires_scope: must be true or false", at);
        key->me_requires_scope = json_is_true(mr);
        key->app = (size_t)ai;
        key->value = xstrdup(value);
        keymask(value, true, key->mask);
        d->nkeys = i + 1; /* from here on sb_data_free owns the key */
        if (!get_scopes(ld, k, at, &key->scopes))
            return false;
    }
    return true;
}

static bool load_orgs(struct loader *ld, json_t *root, struct sb_data *d)
{
    json_t *orgs = json_object_get(root, "orgs");
    if (!json_is_array(orgs))
        return fail(ld, "orgs: missing or not an array");
    d->orgs = xcalloc(json_array_size(orgs), sizeof *d->orgs);
    const char *known[RES_COUNT + 8] = {"id", "installs", "name", "comment"};
    for (size_t k = 0; sb_res_member_names()[k]; k++)
        known[4 + k] = sb_res_member_names()[k];
    static const char *const known_inst[] = {"app", "scopes", NULL};
    size_t i;
    json_t *o;
    json_array_foreach(orgs, i, o) {
        char at[64];
        snprintf(at, sizeof at, "orgs[%zu]", i);
        if (!json_is_object(o))
            return fail(ld, "%s: must be an object", at);
        warn_unknown(ld, o, at, known);
        const char *id;
        if (!get_string(ld, o, at, "id", true, &id))
            return false;
        if (sb_find_org(d, id))
            return fail(ld, "%s.id: duplicate org id '%s'", at, id);
        struct sb_org *org = &d->orgs[i];
        org->id = xstrdup(id);
        d->norgs = i + 1;
        json_t *inst = json_object_get(o, "installs");
        if (inst && !json_is_array(inst))
            return fail(ld, "%s.installs: must be an array", at);
        org->installs = xcalloc(json_array_size(inst), sizeof *org->installs);
        size_t j;
        json_t *in;
        json_array_foreach(inst, j, in) {
            char iat[96];
            snprintf(iat, sizeof iat, "%s.installs[%zu]", at, j);
            if (!json_is_object(in))
                return fail(ld, "%s: must be an object", iat);
            warn_unknown(ld, in, iat, known_inst);
            const char *app;
            if (!get_string(ld, in, iat, "app", true, &app))
                return false;
            ssize_t ai = sb_find_app(d, app);
            if (ai < 0)
                return fail(ld, "%s.app: unknown app '%s' (not in apps)", iat, app);
            if (sb_find_install(org, (size_t)ai))
                return fail(ld, "%s.app: '%s' is installed twice", iat, app);
            struct sb_install *ins = &org->installs[org->ninstalls++];
            ins->app = (size_t)ai;
            ins->installed = true;
            if (!get_scopes(ld, in, iat, &ins->scopes))
                return false;
        }
        if (!load_patients(ld, json_object_get(o, "patients"), at, org))
            return false;
        char msg[400];
        if (!sb_res_load_org(o, at, org, ld->today, msg, sizeof msg))
            return fail(ld, "%s", msg);
    }
    return true;
}

bool sb_data_load(const char *path, struct sb_data *data, char *err, size_t errsize,
                  void (*warn)(const char *msg))
{
    memset(data, 0, sizeof *data);
    struct loader ld = {path, (long)(time(NULL) / 86400), err, errsize, false, warn};
    json_error_t jerr;
    FILE *f = fopen(path, "rb");
    if (!f) {
        bprintf(err, errsize, "%s: cannot read: %s", path, strerror(errno));
        return false;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        bprintf(err, errsize, "%s: is a directory, not a data file", path);
        return false;
    }
    json_t *root = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
    fclose(f);
    if (!root) {
        if (jerr.line < 0 || jerr.position == 0)
            bprintf(err, errsize, "%s: %s", path, jerr.text);
        else
            bprintf(err, errsize, "%s:%d:%d: invalid JSON: %s", path, jerr.line, jerr.column,
                    jerr.text);
        return false;
    }
    bool ok = json_is_object(root) ? true : fail(&ld, "the top level must be a JSON object");
    if (ok) {
        static const char *const known[] = {"apps", "keys", "orgs", "comment", NULL};
        warn_unknown(&ld, root, "top level", known);
        ok = load_apps(&ld, root, data) && load_keys(&ld, root, data) &&
             load_orgs(&ld, root, data);
    }
    json_decref(root); /* given patients keep their own references */
    if (!ok)
        sb_data_free(data);
    return ok;
}

void sb_data_free(struct sb_data *d)
{
    for (size_t i = 0; i < d->napps; i++) {
        free(d->apps[i].id);
        free(d->apps[i].slug);
        free(d->apps[i].live_version);
    }
    for (size_t i = 0; i < d->nkeys; i++) {
        free(d->keys[i].value);
        sb_scopes_free(&d->keys[i].scopes);
    }
    for (size_t i = 0; i < d->norgs; i++) {
        struct sb_org *o = &d->orgs[i];
        free(o->id);
        for (size_t j = 0; j < o->ninstalls; j++)
            sb_scopes_free(&o->installs[j].scopes);
        free(o->installs);
        for (size_t j = 0; j < o->npatients; j++) {
            if (o->patients[j].raw)
                json_decref(o->patients[j].raw);
            free(o->patients[j].block);
        }
        free(o->patients);
        sb_res_free_org(o);
    }
    free(d->apps);
    free(d->keys);
    free(d->orgs);
    memset(d, 0, sizeof *d);
}

/* --- serving patients ------------------------------------------------------------------- */

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

json_t *sb_patient_json(const struct sb_patient *p)
{
    if (p->raw)
        return json_incref(p->raw);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(p->id));
    json_object_set_new(o, "mrn", str_or_null(p->mrn));
    json_object_set_new(o, "firstName", str_or_null(p->first));
    json_object_set_new(o, "middleName", str_or_null(p->middle));
    json_object_set_new(o, "lastName", str_or_null(p->last));
    json_object_set_new(o, "gender", str_or_null(p->gender));
    json_object_set_new(o, "dateOfBirth", str_or_null(p->dob));
    json_object_set_new(o, "email", str_or_null(p->email));
    json_object_set_new(o, "phone", str_or_null(p->phone));
    json_object_set_new(o, "createdAt", str_or_null(p->created));
    json_object_set_new(o, "updatedAt", str_or_null(p->updated));
    return o;
}

static bool contains_ci(const char *hay, const char *needle)
{
    return hay && strcasestr(hay, needle) != NULL;
}

bool sb_patient_matches(const struct sb_patient *p, const char *search)
{
    if (!search || !*search)
        return true;
    if (contains_ci(p->first, search) || contains_ci(p->middle, search) ||
        contains_ci(p->last, search) || contains_ci(p->mrn, search))
        return true;
    if (p->first && p->last && strchr(search, ' ')) {
        char full[512];
        snprintf(full, sizeof full, "%s %s", p->first, p->last);
        return contains_ci(full, search);
    }
    return false;
}

/* --- generation ------------------------------------------------------------------------- */

struct name_pool {
    const char *const *female, *const *male, *const *last;
    size_t nfemale, nmale, nlast;
    const char *email_domain; /* NULL: email from the index, the names are not Latin */
    unsigned weight;
};

#define POOL(f, m, l, dom, w) {f, m, l, ARRAY_LEN(f), ARRAY_LEN(m), ARRAY_LEN(l), dom, w}

static const char *const latin_f[] = {"Sarah", "Maria", "Emily", "Zoë", "Chloé", "Siobhán", "Ana",
    "Ngozi", "Aiyana", "Ingrid", "Małgorzata", "Léa", "Olivia", "Jessica", "Fatoumata", "Renée",
    "Joanna", "Åsa", "Dolores", "Mary-Kate"};
static const char *const latin_m[] = {"John", "José", "Michael", "Björn", "Jean-Luc", "Mateo",
    "Łukasz", "François", "Oluwaseun", "Søren", "David", "Jonathan", "Raphaël", "Çağan", "Tomás",
    "Johann", "Ethan", "Kwame", "Dương", "Ömer"};
static const char *const latin_l[] = {"Johnson", "Smith", "García", "Müller", "O'Brien", "Nguyễn",
    "Kowalski", "Dubois", "Søndergaard", "Hernández-López", "Johnston", "Okafor", "Ólafsdóttir",
    "Williams", "Brown", "Rodríguez", "Çelik", "van der Berg", "Ferreira", "Dvořák", "Łęcki",
    "MacDonald", "Papadakis", "Jones", "Martínez", "Nakamura", "Kim", "Patel", "Ivanova", "Lee"};
static const char *const greek_f[] = {"Ελένη", "Μαρία", "Αικατερίνη"};
static const char *const greek_m[] = {"Γιώργος", "Νίκος", "Δημήτρης"};
static const char *const greek_l[] = {"Παπαδόπουλος", "Οικονόμου", "Γεωργίου"};
static const char *const cyr_f[] = {"Анна", "Ольга", "Наталья"};
static const char *const cyr_m[] = {"Иван", "Дмитрий", "Сергей"};
static const char *const cyr_l[] = {"Петров", "Смирнова", "Кузнецов", "Соколова"};
static const char *const cjk_f[] = {"花子", "美咲", "秀英", "서연"};
static const char *const cjk_m[] = {"伟", "太郎", "俊杰", "민준"};
static const char *const cjk_l[] = {"王", "佐藤", "李", "김", "張", "鈴木"};
static const char *const arabic_f[] = {"فاطمة", "مريم", "ليلى"};
static const char *const arabic_m[] = {"محمد", "أحمد", "يوسف"};
static const char *const arabic_l[] = {"العلي", "حسن", "الحسيني"};
static const char *const hebrew_f[] = {"נועה", "שרה", "מיכל"};
static const char *const hebrew_m[] = {"דוד", "יוסף", "אברהם"};
static const char *const hebrew_l[] = {"כהן", "לוי", "מזרחי"};
static const char *const deva_f[] = {"प्रिया", "अनन्या", "दीपिका"};
static const char *const deva_m[] = {"अर्जुन", "राहुल", "विक्रम"};
static const char *const deva_l[] = {"शर्मा", "पटेल", "वर्मा"};

static const struct name_pool pools[] = {
    POOL(latin_f, latin_m, latin_l, "example.com", 70),
    POOL(greek_f, greek_m, greek_l, NULL, 4),
    POOL(cyr_f, cyr_m, cyr_l, NULL, 5),
    POOL(cjk_f, cjk_m, cjk_l, NULL, 9),
    POOL(arabic_f, arabic_m, arabic_l, NULL, 4),
    POOL(hebrew_f, hebrew_m, hebrew_l, NULL, 4),
    POOL(deva_f, deva_m, deva_l, NULL, 4),
};

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static unsigned pick(uint64_t *st, unsigned n)
{
    return (unsigned)(splitmix64(st) % n);
}

/* Appends s to the block, returning where it starts. */
static const char *put(char **cursor, const char *s)
{
    if (!s)
        return NULL;
    char *start = *cursor;
    size_t n = strlen(s) + 1;
    memcpy(start, s, n);
    *cursor += n;
    return start;
}

static void ascii_lower(char *out, size_t size, const char *in)
{
    size_t o = 0;
    for (; *in && o + 1 < size; in++) {
        char c = *in;
        if (c >= 'A' && c <= 'Z')
            out[o++] = (char)(c - 'A' + 'a');
        else if (c >= 'a' && c <= 'z')
            out[o++] = c;
    }
    out[o] = '\0';
}

void sb_patient_generate(uint64_t seed, size_t index, struct sb_patient *p)
{
    static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    uint64_t st = seed * 0x2545F4914F6CDD1DULL + index * 0x9E3779B97F4A7C15ULL + 1;
    memset(p, 0, sizeof *p);

    char id[32] = "pat_";
    uint64_t a = splitmix64(&st), b = splitmix64(&st);
    for (int i = 0; i < 26; i++) {
        uint64_t *src = i < 13 ? &a : &b;
        id[4 + i] = crockford[*src & 31];
        *src >>= 5;
    }
    id[30] = '\0';

    unsigned total = 0, roll;
    for (size_t i = 0; i < ARRAY_LEN(pools); i++)
        total += pools[i].weight;
    roll = pick(&st, total);
    const struct name_pool *pool = &pools[0];
    for (size_t i = 0; i < ARRAY_LEN(pools); i++) {
        if (roll < pools[i].weight) {
            pool = &pools[i];
            break;
        }
        roll -= pools[i].weight;
    }
    unsigned g = pick(&st, 100);
    bool female = g < 49;
    const char *gender = g < 47 ? "Female" : g < 49 ? "Female" : g < 95 ? "Male"
                       : g < 97 ? "Other" : NULL;
    const char *first = female ? pool->female[pick(&st, (unsigned)pool->nfemale)]
                               : pool->male[pick(&st, (unsigned)pool->nmale)];
    const char *last = pool->last[pick(&st, (unsigned)pool->nlast)];
    const char *middle = NULL;
    if (pool->email_domain && pick(&st, 100) < 40)
        middle = female ? pool->female[pick(&st, (unsigned)pool->nfemale)]
                        : pool->male[pick(&st, (unsigned)pool->nmale)];

    char mrn[24], dob[16], email[96], phone[24], created[32], updated[32];
    bool has_mrn = pick(&st, 100) >= 3;
    snprintf(mrn, sizeof mrn, "MRN-%05zu", 10000 + index);
    bool has_dob = pick(&st, 100) >= 4;
    snprintf(dob, sizeof dob, "%04u-%02u-%02u", 1930 + pick(&st, 94), 1 + pick(&st, 12),
             1 + pick(&st, 28));
    bool has_email = pick(&st, 100) >= 10;
    if (pool->email_domain) {
        char f[32], l[32];
        ascii_lower(f, sizeof f, first);
        ascii_lower(l, sizeof l, last);
        snprintf(email, sizeof email, "%s.%s%zu@%s", f, l, index, pool->email_domain);
    } else {
        snprintf(email, sizeof email, "patient%zu@example.org", index);
    }
    bool has_phone = pick(&st, 100) >= 10;
    snprintf(phone, sizeof phone, "(555) %03u-%04u", 100 + pick(&st, 900), pick(&st, 10000));
    unsigned cy = 2020 + pick(&st, 5), cm = 1 + pick(&st, 12), cd = 1 + pick(&st, 28);
    snprintf(created, sizeof created, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ", cy, cm, cd,
             pick(&st, 24), pick(&st, 60), pick(&st, 60), pick(&st, 1000));
    snprintf(updated, sizeof updated, "%04u-%02u-%02uT%02u:%02u:%02u.000Z", cy + 1, cm, cd,
             pick(&st, 24), pick(&st, 60), pick(&st, 60));

    size_t need = strlen(id) + strlen(first) + strlen(last) + (middle ? strlen(middle) : 0) +
                  sizeof mrn + sizeof dob + sizeof email + sizeof phone + sizeof created +
                  sizeof updated + 16 + 16;
    p->block = xmalloc(need);
    char *cur = p->block;
    p->id = put(&cur, id);
    p->first = put(&cur, first);
    p->middle = put(&cur, middle);
    p->last = put(&cur, last);
    p->gender = gender; /* static strings */
    p->mrn = has_mrn ? put(&cur, mrn) : NULL;
    p->dob = has_dob ? put(&cur, dob) : NULL;
    p->email = has_email ? put(&cur, email) : NULL;
    p->phone = has_phone ? put(&cur, phone) : NULL;
    p->created = put(&cur, created);
    p->updated = put(&cur, updated);
}
