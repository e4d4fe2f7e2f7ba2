/* Deterministic generated records of every resource but patients: linked to the org's other
 * records, with nulls and hostile text mixed in (assets/sandbox/README.md, "Generated data"). */
#include <stdio.h>
#include <string.h>

#include "data_res.h"
#include "util.h"

struct gen {
    struct sb_org *org;
    uint64_t st;
    unsigned hostile; /* percent */
    long today;       /* days since 1970-01-01, UTC */
    size_t i;         /* index of the record being made */
};

static unsigned pick(struct gen *g, unsigned n)
{
    return n ? (unsigned)(sb_splitmix64(&g->st) % n) : 0;
}

static bool chance(struct gen *g, unsigned pct)
{
    return pick(g, 100) < pct;
}

#define ONE_OF(g, arr) ((arr)[pick((g), (unsigned)ARRAY_LEN(arr))])

/* Text that a client must clean before drawing: escape sequences, C0 and C1 controls, bidi
 * overrides, zero-width and combining characters, wide characters, a 300-character run. */
static const char *const hostile_texts[] = {
    "\x1b[2J\x1b[31mRED ALERT\x1b[0m",
    "Bidi \xe2\x80\xae" "evil\xe2\x80\xac text",
    "zero\xe2\x80\x8bwidth\xe2\x80\x8d joiner",
    "C1 \xc2\x9b" "31m control",
    "tab\there\nnewline\rreturn",
    "e\xcc\x81\xcc\x81\xcc\x81\xcc\x81 combining",
    "\xe5\xae\xbd\xe5\xad\x97\xe7\xac\xa6 wide \xf0\x9f\x98\x80",
    "bell\x07 and DEL\x7f",
    "\x1b]52;c;cHduZWQ=\x07 OSC clipboard",
    "LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL"
    "LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL"
    "LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL"
    "LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL",
};

/* normal, or hostile text for the generator's share of records; record 1 of every 20 always,
 * so that even a small set has some. */
static json_t *text(struct gen *g, const char *normal)
{
    bool h = g->hostile > 0 && (g->i % 20 == 1 || chance(g, g->hostile));
    return json_string(h ? ONE_OF(g, hostile_texts) : normal);
}

static json_t *or_null(struct gen *g, unsigned null_pct, json_t *v)
{
    if (chance(g, null_pct)) {
        json_decref(v);
        return json_null();
    }
    return v;
}

/* Civil date of a day number (Howard Hinnant's days_from_civil inverse). */
static void civil(long z, int *y, unsigned *m, unsigned *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long yy = (long)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yy + (*m <= 2));
}

static json_t *date_of(long day)
{
    int y;
    unsigned m, d;
    civil(day, &y, &m, &d);
    char buf[16];
    snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
    return json_string(buf);
}

/* ISO "YYYY-MM-DDTHH:MM:00.000Z" (sql: "YYYY-MM-DD HH:MM:00+00", the notes/tasks style). */
static json_t *stamp(long day, unsigned minute, bool sql)
{
    int y;
    unsigned m, d;
    civil(day + minute / 1440, &y, &m, &d);
    minute %= 1440;
    char buf[40];
    snprintf(buf, sizeof buf, sql ? "%04d-%02u-%02u %02u:%02u:00+00"
                                  : "%04d-%02u-%02uT%02u:%02u:00.000Z",
             y, m, d, minute / 60, minute % 60);
    return json_string(buf);
}

static json_t *new_id(struct gen *g, resource_id r)
{
    char id[SB_ID_MAX];
    sb_id_generate(resource_table[r].prefix_v1, &g->st, id);
    return json_string(id);
}

/* A random record of r in the org (index into its table or patients). */
static size_t any_of(struct gen *g, resource_id r)
{
    size_t n = r == RES_PATIENTS ? g->org->npatients : g->org->tables[r].n;
    return (size_t)pick(g, (unsigned)n);
}

static json_t *rec(struct gen *g, resource_id r, size_t idx)
{
    return sb_res_record_json(g->org, r, idx);
}

static json_t *field(json_t *obj, const char *name)
{
    json_t *v = json_object_get(obj, name);
    return v ? json_incref(v) : json_null();
}

static json_t *uuid_like(struct gen *g)
{
    char buf[40];
    unsigned long long a = sb_splitmix64(&g->st), b = sb_splitmix64(&g->st);
    snprintf(buf, sizeof buf, "%08llx-%04llx-4%03llx-a%03llx-%012llx", a >> 32, (a >> 16) & 0xffff,
             a & 0xfff, b >> 52, b & 0xffffffffffffULL);
    return json_string(buf);
}

/* --- one generator per resource ----------------------------------------------------------- */

static const char *const facility_names[] = {"West LA Dermatology", "Eastside Family Clinic",
    "North Valley Pediatrics", "Harbor Orthopedics", "Sunset Eye Center", "Mission Skin Care"};
static const char *const specialties[] = {"Dermatology", "Family Medicine", "Pediatrics",
    "Orthopedics", "Ophthalmology"};
static const char *const zones[] = {"America/Los_Angeles", "America/New_York", "America/Chicago",
    "America/Denver", "Pacific/Honolulu"};

static json_t *gen_facility(struct gen *g)
{
    char npi[16];
    snprintf(npi, sizeof npi, "1%09u", pick(g, 1000000000));
    return json_pack("{s:o, s:o, s:o, s:o, s:b, s:o, s:o, s:o}", "id", new_id(g, RES_FACILITIES),
                     "name", text(g, facility_names[g->i % ARRAY_LEN(facility_names)]),
                     "timezone", or_null(g, 5, json_string(ONE_OF(g, zones))),
                     "specialty", or_null(g, 10, json_string(ONE_OF(g, specialties))),
                     "isVisible", g->i % 5 != 4,
                     "organizationNpi", g->i % 3 == 2 ? json_null() : json_string(npi),
                     "createdAt", stamp(g->today - 600, pick(g, 1440), false),
                     "updatedAt", stamp(g->today - 30, pick(g, 1440), false));
}

static const char *const prov_first[] = {"James", "Priya", "Mateo", "Aiko", "Olusegun", "Hannah",
    "Chen", "Sofía", "Dmitri", "Amara"};
static const char *const prov_last[] = {"Wilson", "Raman", "García", "Tanaka", "Adeyemi",
    "Schröder", "Li", "Okonkwo", "Ivanov", "Haddad"};

static json_t *gen_provider(struct gen *g)
{
    const char *first = ONE_OF(g, prov_first), *last = ONE_OF(g, prov_last);
    char dfirst[64], dlast[64], user[64], npi[16];
    snprintf(dfirst, sizeof dfirst, "Dr. %s", first);
    snprintf(dlast, sizeof dlast, "%s, MD", last);
    snprintf(user, sizeof user, "prov%zu", g->i);
    snprintf(npi, sizeof npi, "1%09u", pick(g, 1000000000));
    json_t *roles = json_pack("[s]", g->i % 3 ? "Physician" : "Surgeon");
    return json_pack("{s:o, s:s, s:s, s:o, s:o, s:o, s:s, s:o, s:b, s:b, s:b, s:o, s:o}",
                     "id", new_id(g, RES_PROVIDERS), "firstName", first, "lastName", last,
                     "displayFirstName", json_string(dfirst), "displayLastName", text(g, dlast),
                     "roles", roles, "username", user,
                     "individualNpi", g->i % 5 == 4 ? json_null() : json_string(npi),
                     "canFinalize", g->i % 2 == 0, "canCosign", g->i % 4 == 1,
                     "hidden", g->i % 7 == 6,
                     "createdAt", stamp(g->today - 500, pick(g, 1440), false),
                     "updatedAt", stamp(g->today - 20, pick(g, 1440), false));
}

static const char *const appt_status[] = {"confirmed", "confirmed", "confirmed", "scheduled",
    "checked_in", "completed", "cancelled", "no_show"};

static json_t *gen_appointment(struct gen *g)
{
    /* a third of the appointments are today (the dashboard's default range), the rest spread
     * over a week before and after, 08:00-17:30 UTC */
    long day = g->i % 3 == 0 ? g->today : g->today + (long)(g->i % 15) - 7;
    unsigned start = 8 * 60 + (unsigned)((g->i * 7) % 20) * 30;
    json_t *provider = chance(g, 8) ? json_null() : rec(g, RES_PROVIDERS, any_of(g, RES_PROVIDERS));
    json_t *facility = rec(g, RES_FACILITIES, any_of(g, RES_FACILITIES));
    json_t *a = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
                          "id", new_id(g, RES_APPOINTMENTS),
                          "scheduledStartDate", stamp(day, start, false),
                          "scheduledEndDate", or_null(g, 5, stamp(day, start + 30, false)),
                          "status", text(g, ONE_OF(g, appt_status)),
                          "isNewPatient", or_null(g, 5, json_boolean(g->i % 6 == 0)),
                          "facilityId", field(facility, "id"),
                          "createdAt", stamp(day - 14, pick(g, 1440), false),
                          "lastSyncedAt", stamp(g->today - 1, pick(g, 1440), false),
                          "patient", rec(g, RES_PATIENTS, any_of(g, RES_PATIENTS)),
                          "provider", provider);
    json_decref(facility);
    return a;
}

static json_t *gen_bill(struct gen *g)
{
    json_t *p = rec(g, RES_PATIENTS, any_of(g, RES_PATIENTS));
    json_t *f = rec(g, RES_FACILITIES, any_of(g, RES_FACILITIES));
    json_t *pr = rec(g, RES_PROVIDERS, any_of(g, RES_PROVIDERS));
    char prov[128];
    snprintf(prov, sizeof prov, "Dr. %s %s", json_string_value(json_object_get(pr, "firstName")),
             json_string_value(json_object_get(pr, "lastName")));
    long day = g->today - (long)(g->i % 30);
    json_t *dx = json_pack("[{s:o, s:s, s:s, s:i, s:s}]", "id", uuid_like(g), "code", "L70.0",
                           "description", "Acne vulgaris", "position", 1,
                           "codeRevision", "ICD-10-CM");
    json_t *items = json_pack("[{s:o, s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:[{s:s, s:s}], s:i, "
                              "s:[{s:s}]}]", "id", uuid_like(g), "code", "99213",
                              "codeType", "CPT",
                              "description", text(g, "Office visit, established patient"),
                              "units", "1", "charge", "150.00", "totalCharge", "150.00",
                              "balance", g->i % 2 ? "30.00" : "0.00", "modifiers", "code", "25",
                              "name", "Separately identifiable E/M service", "position", 1,
                              "linkedDiagnoses", "code", "L70.0");
    json_t *groups = json_pack("[{s:o, s:s, s:o, s:o, s:o, s:o}]", "id", uuid_like(g),
                               "status", "finalized", "createdAt", stamp(day, 600, false),
                               "updatedAt", stamp(day, 700, false), "diagnoses", dx,
                               "lineItems", items);
    json_t *b = json_pack("{s:o, s:o, s:s, s:b, s:b, s:b, s:b, s:o, s:o, s:o, s:o, s:s, s:s, "
                          "s:o, s:o, s:o, s:o}",
                          "id", new_id(g, RES_BILLS), "dateOfService", date_of(day),
                          "billingType", "professional", "isCosmetic", g->i % 9 == 0,
                          "isBillable", g->i % 11 != 0, "virtualEncounter", g->i % 5 == 0,
                          "isEmCodingEnabled", true, "patientId", field(p, "id"),
                          "patientFirstName", field(p, "firstName"),
                          "patientLastName", field(p, "lastName"),
                          "patientDob", field(p, "dateOfBirth"), "primaryProviderName", prov,
                          "billUnderName", prov, "facilityId", field(f, "id"),
                          "facilityName", field(f, "name"),
                          "specialty", or_null(g, 10, field(f, "specialty")),
                          "codingGroups", groups);
    json_decref(p);
    json_decref(f);
    json_decref(pr);
    return b;
}

static json_t *gen_claim(struct gen *g)
{
    json_t *bill = rec(g, RES_BILLS, g->i % g->org->tables[RES_BILLS].n);
    json_t *pr = rec(g, RES_PROVIDERS, any_of(g, RES_PROVIDERS));
    char human[32], clia[16];
    snprintf(human, sizeof human, "BILL-%05zu", 70000 + g->i);
    snprintf(clia, sizeof clia, "05D%07u", pick(g, 10000000));
    json_t *ins = json_pack("[{s:o, s:s, s:s, s:b, s:s, s:s, s:s, s:o, s:s, s:s}]",
                            "payerName", text(g, "Blue Cross Blue Shield"), "planName", "PPO Gold",
                            "policyType", "PPO", "isPrimary", true, "memberId", "XYZ123456789",
                            "groupNumber", "GRP-98765", "policyNumber", "POL-2025-001234",
                            "subscriberName", field(bill, "patientLastName"),
                            "copayAmount", "30.00", "deductibleRemaining", "1500.00");
    json_t *c = json_pack("{s:o, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:s, s:o, s:o, s:o, s:o, "
                          "s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:s, s:o, s:s, s:o, s:o, s:o}",
                          "id", new_id(g, RES_CLAIMS), "claimAmount", "450.00",
                          "balance", g->i % 3 ? "120.00" : "0.00",
                          "claimStatus", g->i % 4 ? "accepted" : "submitted",
                          "submittedDate", or_null(g, 10, field(bill, "dateOfService")),
                          "claimCreatedDate", field(bill, "dateOfService"),
                          "dateOfService", field(bill, "dateOfService"),
                          "billId", field(bill, "id"), "billHumanId", human,
                          "patientId", field(bill, "patientId"),
                          "patientFirstName", field(bill, "patientFirstName"),
                          "patientLastName", field(bill, "patientLastName"),
                          "patientDob", field(bill, "patientDob"),
                          "primaryProviderName", field(bill, "primaryProviderName"),
                          "billUnderName", field(bill, "billUnderName"),
                          "primaryProviderId", field(pr, "id"), "billUnderId", field(pr, "id"),
                          "facilityId", field(bill, "facilityId"),
                          "facilityName", field(bill, "facilityName"),
                          "specialty", field(bill, "specialty"),
                          "primaryInsurance", "Blue Cross Blue Shield",
                          "secondaryInsurance", json_null(), "cliaNumber", clia,
                          "createdAt", stamp(g->today - 3, pick(g, 1440), false),
                          "updatedAt", stamp(g->today - 1, pick(g, 1440), false),
                          "insurance", ins);
    json_decref(bill);
    json_decref(pr);
    return c;
}

/* A provider as notes and tasks nest it (no timestamps; notes add hidden and roleType). */
static json_t *assigned(struct gen *g, bool note)
{
    json_t *p = rec(g, RES_PROVIDERS, any_of(g, RES_PROVIDERS));
    json_t *a = json_deep_copy(p);
    json_decref(p);
    json_object_del(a, "createdAt");
    json_object_del(a, "updatedAt");
    if (note)
        json_object_set_new(a, "roleType", json_string("PRIMARY_PROVIDER"));
    else
        json_object_del(a, "hidden");
    return json_pack("[o]", a);
}

static const char *const note_status[] = {"awaiting_sign", "signed", "in_progress"};

static json_t *gen_note(struct gen *g)
{
    json_t *src = rec(g, RES_PATIENTS, any_of(g, RES_PATIENTS));
    json_t *p = json_deep_copy(src);
    json_decref(src);
    json_object_set_new(p, "avatar", json_string("https://example.invalid/avatar.png"));
    long day = g->today - (long)(g->i % 20);
    json_t *soap = json_pack("{s:o, s:s, s:s, s:s}", "subjective",
                             text(g, "Patient reports itching for two weeks."),
                             "objective", "Erythematous papules on both forearms.",
                             "assessment", "Contact dermatitis.",
                             "plan", "Topical steroid, follow up in 2 weeks.");
    return json_pack("{s:o, s:i, s:o, s:s, s:s, s:i, s:o, s:o, s:s, s:o, s:o}",
                     "id", new_id(g, RES_NOTES), "version", 1 + (int)(g->i % 4),
                     "visitDate", stamp(day, 9 * 60 + pick(g, 480), true),
                     "status", ONE_OF(g, note_status),
                     "aiStatus", g->i % 3 ? "no_issues" : "issues_found",
                     "aiIssueCount", g->i % 3 ? 0 : 2, "patient", p,
                     "facility", rec(g, RES_FACILITIES, any_of(g, RES_FACILITIES)),
                     "ehrType", "modmed", "assignedProviders", assigned(g, true),
                     "soapNote", soap);
}

static const char *const task_status[] = {"not_started", "in_progress", "completed"};

static json_t *gen_task(struct gen *g)
{
    json_t *note = rec(g, RES_NOTES, g->i % g->org->tables[RES_NOTES].n);
    long day = g->today - (long)(g->i % 10);
    json_t *t = json_pack("{s:o, s:s, s:s, s:o, s:o, s:o, s:s, s:o, s:o, s:o}",
                          "id", new_id(g, RES_TASKS), "status", ONE_OF(g, task_status),
                          "syncStatus", g->i % 5 ? "synced" : "pending",
                          "notes", text(g, "Review missing plan for Impression #3"),
                          "noteId", field(note, "id"),
                          "patientId", or_null(g, 5, field(json_object_get(note, "patient"), "id")),
                          "ehrType", "modmed", "assignedProviders", assigned(g, false),
                          "createdAt", stamp(day, 600 + pick(g, 400), true),
                          "updatedAt", stamp(day, 1100, true));
    json_decref(note);
    return t;
}

static json_t *gen_change(struct gen *g)
{
    json_t *f = rec(g, RES_FACILITIES, any_of(g, RES_FACILITIES));
    long day = g->today - 7 * (long)(g->i % 8);
    bool open = g->i % 4 == 0;
    char name[64];
    int y;
    unsigned m, d;
    civil(day, &y, &m, &d);
    snprintf(name, sizeof name, "Weekly Receiving - %04d-%02u-%02u", y, m, d);
    json_t *c = json_pack("{s:o, s:o, s:o, s:s, s:s, s:o, s:o, s:o, s:o, s:i}",
                          "id", new_id(g, RES_CHANGES), "facilityId", field(f, "id"),
                          "name", text(g, name), "type", g->i % 3 ? "receiving" : "adjustment",
                          "status", open ? "open" : "closed",
                          "notes", or_null(g, 30, json_string("Delivered by courier")),
                          "closedAt", open ? json_null() : stamp(day, 17 * 60, false),
                          "createdAt", stamp(day, 9 * 60, false),
                          "updatedAt", stamp(day, 17 * 60, false), "itemCount", 0);
    json_decref(f);
    return c;
}

static const char *const product_names[] = {"Botox 100 Units", "Juvederm Ultra XC",
    "Dysport 300 Units", "Restylane Lyft", "Kenalog-10", "Lidocaine 1% 20 mL"};
static const char *const makers[] = {"Allergan", "Galderma", "Ipsen", "BMS", "Hospira"};

static json_t *gen_product(struct gen *g)
{
    char gtin[16], ndc[16];
    snprintf(gtin, sizeof gtin, "0081426%07zu", 9915 + g->i);
    snprintf(ndc, sizeof ndc, "0002-%04zu-01", 1365 + g->i % 9000);
    return json_pack("{s:o, s:s, s:[], s:o, s:s, s:o, s:s, s:s, s:o, s:s, s:i, s:n, s:o, s:o, "
                     "s:o}", "id", new_id(g, RES_PRODUCTS), "gtin", gtin, "additionalGtins",
                     "customBarcode", json_null(), "ndc", ndc,
                     "name", text(g, product_names[g->i % ARRAY_LEN(product_names)]),
                     "manufacturer", ONE_OF(g, makers), "type", g->i % 4 ? "drug" : "device",
                     "description", or_null(g, 15, json_string("One vial, store refrigerated")),
                     "unitOfMeasure", "each", "quantityPerUnit", 1, "metadata",
                     "archivedAt", g->i % 10 == 9 ? stamp(g->today - 5, 0, false) : json_null(),
                     "createdAt", stamp(g->today - 400, pick(g, 1440), false),
                     "updatedAt", stamp(g->today - 40, pick(g, 1440), false));
}

static json_t *gen_change_product(struct gen *g)
{
    size_t ci = g->i % g->org->tables[RES_CHANGES].n;
    json_t *change = g->org->tables[RES_CHANGES].recs[ci].obj;
    json_t *prod = rec(g, RES_PRODUCTS, any_of(g, RES_PRODUCTS));
    /* keep the change's itemCount true for the changes generated here (given ones stay) */
    json_t *count = json_object_get(change, "itemCount");
    if (json_is_integer(count))
        json_integer_set(count, json_integer_value(count) + 1);
    const char *gtin = json_string_value(json_object_get(prod, "gtin"));
    char lot[16], raw[64], exp[16], yymmdd[8];
    snprintf(lot, sizeof lot, "A%05u", pick(g, 100000));
    unsigned ey = 26 + pick(g, 3), em = 1 + pick(g, 12);
    snprintf(exp, sizeof exp, "20%02u-%02u-28", ey, em);
    snprintf(yymmdd, sizeof yymmdd, "%02u%02u28", ey, em);
    snprintf(raw, sizeof raw, "01%s17%s10%s", gtin ? gtin : "", yymmdd, lot);
    json_t *it = json_pack("{s:o, s:o, s:s, s:s, s:o, s:s, s:s, s:n, s:i, s:{s:o, s:s, s:s}, "
                           "s:o, s:o, s:o}", "id", new_id(g, RES_CHANGE_PRODUCTS),
                           "changeId", field(change, "id"), "scanSourceType", "product_packaging",
                           "rawBarcode", raw, "gtin", field(prod, "gtin"), "lotNumber", lot,
                           "expirationDate", exp, "serialNumber", "quantity", 1 + (int)pick(g, 4),
                           "parsedFields", "01", field(prod, "gtin"), "17", yymmdd, "10", lot,
                           "notes", or_null(g, 70, text(g, "Box slightly damaged")),
                           "createdAt", stamp(g->today - 7, 9 * 60 + pick(g, 300), false),
                           "product", prod);
    return it;
}

static json_t *gen_stock_level(struct gen *g)
{
    size_t nf = g->org->tables[RES_FACILITIES].n, np = g->org->tables[RES_PRODUCTS].n;
    json_t *f = rec(g, RES_FACILITIES, g->i % nf);
    json_t *p = rec(g, RES_PRODUCTS, (g->i / nf) % np);
    const char *name = json_string_value(json_object_get(p, "name"));
    json_t *s = json_pack("{s:o, s:o, s:o, s:o, s:i, s:o, s:o}", "productId", field(p, "id"),
                          "productName", name ? text(g, name) : json_null(),
                          "productGtin", field(p, "gtin"),
                          "productType", g->i % 7 == 2 ? json_null() : field(p, "type"),
                          "quantity", (int)pick(g, 60),
                          "updatedAt", stamp(g->today - (long)pick(g, 5), pick(g, 1440), false),
                          "facilityId", field(f, "id"));
    json_decref(f);
    json_decref(p);
    return s;
}

/* --- dispatch ----------------------------------------------------------------------------- */

static json_t *(*const generators[RES_COUNT])(struct gen *) = {
    [RES_FACILITIES] = gen_facility,       [RES_PROVIDERS] = gen_provider,
    [RES_APPOINTMENTS] = gen_appointment,  [RES_BILLS] = gen_bill,
    [RES_CLAIMS] = gen_claim,              [RES_NOTES] = gen_note,
    [RES_TASKS] = gen_task,                [RES_CHANGES] = gen_change,
    [RES_CHANGE_PRODUCTS] = gen_change_product, [RES_STOCK_LEVELS] = gen_stock_level,
    [RES_PRODUCTS] = gen_product,
};

/* Resources a generator reads beyond its links (claims copy bills, tasks read notes). */
static bool needs(const struct sb_org *org, resource_id r, char *msg, size_t msgsize)
{
    size_t nl;
    const resource_link *l = resource_links(r, &nl);
    for (size_t k = 0; k < nl; k++) {
        resource_id t = l[k].target;
        size_t n = t == RES_PATIENTS ? org->npatients : org->tables[t].n;
        if (n == 0) {
            bprintf(msg, msgsize, "cannot generate %s without %s in the org (their links)",
                    resource_table[r].name, resource_table[t].name);
            return false;
        }
    }
    return true;
}

bool sb_res_generate(struct sb_org *org, resource_id r, size_t n, uint64_t seed,
                     unsigned hostile_pct, long today, char *msg, size_t msgsize)
{
    if (r == RES_PATIENTS || !generators[r]) {
        bprintf(msg, msgsize, "%s cannot be generated here", resource_table[r].name);
        return false;
    }
    if (n == 0)
        return true;
    if (!needs(org, r, msg, msgsize))
        return false;
    if (r == RES_STOCK_LEVELS) { /* one row per facility and product at most */
        size_t cap = org->tables[RES_FACILITIES].n * org->tables[RES_PRODUCTS].n;
        n = n < cap ? n : cap;
    }
    struct gen g = {org, seed * 0x2545F4914F6CDD1DULL + (uint64_t)r * 0x9E3779B97F4A7C15ULL + 1,
                    hostile_pct, today, 0};
    size_t base = org->tables[r].n;
    for (size_t i = 0; i < n; i++) {
        g.i = base + i;
        sb_res_append(org, r, generators[r](&g));
    }
    return true;
}
