/* Org lists from CSV files. The CSV itself is libcsv's job (Debian's libcsv, strict mode):
 * quoting, doubled quotes, separators and line ends inside quoted fields are where hand-written
 * CSV readers go wrong. This file adds what libcsv does not know: line numbers, the BOM, the
 * header row and what a valid row is. */
#include "fleet.h"

#include <csv.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

#define PROBLEMS_MAX 50 /* then one "and N more": a broken file of 5 000 rows is one mistake */
#define QUOTE_MAX 40

enum column { COL_ID, COL_NAME, COL_TAGS, COL_OTHER };

struct reader {
    struct fleet_csv *out;
    int cur_line;          /* line of the chunk being fed to libcsv */
    int rec_line;          /* line where the current record starts */
    bool need_start;       /* the next non-blank line starts a record */
    char **fields;         /* of the current record */
    size_t nfields, cap;
    bool have_header;
    int col[3];            /* field index of id, name, tags; -1 absent */
    size_t ncols;
    size_t more;           /* problems past PROBLEMS_MAX */
};

static void problem(struct reader *r, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void problem(struct reader *r, int line, const char *fmt, ...)
{
    struct fleet_csv *out = r->out;
    if (out->nproblems >= PROBLEMS_MAX) {
        r->more++;
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0)
        die(1, "out of memory");
    va_end(ap);
    out->problems = xrealloc(out->problems, (out->nproblems + 1) * sizeof *out->problems);
    out->problems[out->nproblems++] = (struct fleet_problem){.line = line, .message = msg};
}

/* A short excerpt of s for a message (config.c cleans it of control characters). */
static const char *excerpt(const char *s, char out[QUOTE_MAX + 4])
{
    size_t n = strlen(s);
    if (n <= QUOTE_MAX)
        return s;
    memcpy(out, s, QUOTE_MAX);
    out[QUOTE_MAX] = '\0';
    utf8_trim_partial(out);
    strcat(out, "...");
    return out;
}

static void on_field(void *data, size_t len, void *user)
{
    struct reader *r = user;
    const char *s = data ? data : "";
    if (r->nfields == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 8;
        r->fields = xrealloc(r->fields, r->cap * sizeof *r->fields);
    }
    /* A NUL would cut the value short without a word: keep it, to be reported. */
    char *f = xmalloc(len + 1);
    memcpy(f, s, len);
    f[len] = '\0';
    if (memchr(s, '\0', len))
        f[0] = '\x01';
    r->fields[r->nfields++] = f;
}

static enum column column_of(const char *name)
{
    static const char *const names[] = {"id", "name", "tags"};
    for (size_t i = 0; i < ARRAY_LEN(names); i++)
        if (strcasecmp(name, names[i]) == 0)
            return (enum column)i;
    return COL_OTHER;
}

static void header(struct reader *r)
{
    char q[QUOTE_MAX + 4];
    r->col[COL_ID] = r->col[COL_NAME] = r->col[COL_TAGS] = -1;
    r->ncols = r->nfields;
    bool bad = false;
    for (size_t i = 0; i < r->nfields; i++) {
        const char *f = r->fields[i];
        enum column c = column_of(f);
        if (c == COL_OTHER) {
            problem(r, r->rec_line, "unknown column '%s' in the header row (columns are id, "
                                    "name and tags)",
                    excerpt(f, q));
            bad = true;
        } else if (r->col[c] >= 0) {
            problem(r, r->rec_line, "column '%s' is named twice in the header row", f);
            bad = true;
        } else {
            r->col[c] = (int)i;
        }
    }
    if (r->col[COL_ID] < 0 && !bad)
        problem(r, r->rec_line, "no 'id' column: the first row must name the columns (id, and "
                                "optionally name and tags)");
    r->have_header = true;
}

static bool valid_id(const char *s)
{
    if (!*s || strlen(s) > 200)
        return false;
    /* It travels in the X-Organization-Id header: printable ASCII only, no spaces. */
    for (; *s; s++)
        if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7F)
            return false;
    return true;
}

static void row(struct reader *r)
{
    char q[QUOTE_MAX + 4];
    if (r->col[COL_ID] < 0)
        return; /* the header was reported */
    if (r->nfields != r->ncols) {
        problem(r, r->rec_line, "%zu field%s where the header row has %zu (a value holding a "
                                "comma needs \"double quotes\")",
                r->nfields, r->nfields == 1 ? "" : "s", r->ncols);
        return;
    }
    for (size_t i = 0; i < r->nfields; i++) {
        if (r->fields[i][0] == '\x01' || strchr(r->fields[i], '\x01')) {
            problem(r, r->rec_line, "field %zu holds a NUL or control byte", i + 1);
            return;
        }
    }
    const char *id = r->fields[r->col[COL_ID]];
    if (!*id) {
        problem(r, r->rec_line, "empty id");
        return;
    }
    if (!valid_id(id)) {
        problem(r, r->rec_line, "id '%s' is not an organization id (printable ASCII, no spaces)",
                excerpt(id, q));
        return;
    }
    const char *tags = r->col[COL_TAGS] >= 0 ? r->fields[r->col[COL_TAGS]] : "";
    if (*tags) {
        char **v = NULL;
        size_t n = 0;
        const char *badtag = NULL;
        bool ok = fleet_split_tags(tags, &v, &n, &badtag);
        fleet_tags_free(v, n);
        if (!ok) {
            problem(r, r->rec_line, "tags: '%s' is not a tag (letters, digits, '-', '_' and '.', "
                                    "at most 32)",
                    excerpt(badtag, q));
            return;
        }
    }
    struct fleet_csv *out = r->out;
    out->rows = xrealloc(out->rows, (out->nrows + 1) * sizeof *out->rows);
    const char *name = r->col[COL_NAME] >= 0 ? r->fields[r->col[COL_NAME]] : "";
    out->rows[out->nrows++] = (struct fleet_row){
        .id = xstrdup(id),
        .name = *name ? xstrdup(name) : NULL,
        .tags = *tags ? xstrdup(tags) : NULL,
        .line = r->rec_line,
    };
}

static void on_record(int c, void *user)
{
    struct reader *r = user;
    (void)c;
    if (!r->have_header)
        header(r);
    else
        row(r);
    for (size_t i = 0; i < r->nfields; i++)
        free(r->fields[i]);
    r->nfields = 0;
    r->need_start = true;
}

bool fleet_parse_csv(const char *data, size_t len, struct fleet_csv *out)
{
    memset(out, 0, sizeof *out);
    struct reader r = {.out = out, .cur_line = 1, .need_start = true};
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        data += 3;
        len -= 3;
    }
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0)
        die(1, "out of memory");
    /* Line by line, so that each callback knows the line it is on. */
    size_t pos = 0;
    bool broken = false;
    while (pos < len) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (data + pos)) + 1 : len - pos;
        /* libcsv skips blank lines; a record ends at a line end, so the next starts on the
         * next line that holds anything. */
        if (r.need_start && !(n == 1 || (n == 2 && data[pos] == '\r'))) {
            r.rec_line = r.cur_line;
            r.need_start = false;
        }
        if (csv_parse(&p, data + pos, n, on_field, on_record, &r) != n) {
            broken = true;
            break;
        }
        pos += n;
        if (nl)
            r.cur_line++;
    }
    bool at_end = false;
    if (!broken && csv_fini(&p, on_field, on_record, &r) != 0)
        broken = at_end = true;
    if (broken) {
        /* An unterminated quote shows only at the end: name the line where its record began. */
        int line = at_end ? r.rec_line : r.cur_line;
        int err = csv_error(&p);
        if (err == CSV_EPARSE)
            problem(&r, line, "bad quoting (RFC 4180: a field with quotes is enclosed in "
                                    "\"double quotes\" and a quote inside it is doubled: \"\")");
        else
            problem(&r, line, "cannot parse: %s", csv_strerror(err));
    } else if (!r.have_header) {
        problem(&r, 0, "empty: the first row must name the columns (id, and optionally name and "
                       "tags)");
    }
    for (size_t i = 0; i < r.nfields; i++)
        free(r.fields[i]);
    free(r.fields);
    csv_free(&p);
    if (r.more) {
        out->problems = xrealloc(out->problems, (out->nproblems + 1) * sizeof *out->problems);
        out->problems[out->nproblems++] = (struct fleet_problem){
            .line = 0, .message = xasprintf("and %zu more problems", r.more)};
    }
    return out->nproblems == 0;
}

void fleet_csv_free(struct fleet_csv *csv)
{
    for (size_t i = 0; i < csv->nrows; i++) {
        free(csv->rows[i].id);
        free(csv->rows[i].name);
        free(csv->rows[i].tags);
    }
    free(csv->rows);
    for (size_t i = 0; i < csv->nproblems; i++)
        free(csv->problems[i].message);
    free(csv->problems);
    memset(csv, 0, sizeof *csv);
}

static bool tag_char(char c)
{
    return isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.';
}

bool fleet_split_tags(const char *s, char ***tags, size_t *n, const char **bad)
{
    *tags = NULL;
    *n = 0;
    *bad = NULL;
    const char *p = s;
    for (;;) {
        while (*p == ',' || *p == ';' || *p == ' ' || *p == '\t')
            p++;
        if (!*p)
            return true;
        const char *start = p;
        while (*p && *p != ',' && *p != ';' && *p != ' ' && *p != '\t')
            p++;
        size_t len = (size_t)(p - start);
        bool ok = len <= 32;
        for (size_t i = 0; ok && i < len; i++)
            ok = tag_char(start[i]);
        if (!ok) {
            *bad = start;
            return false;
        }
        bool dup = false;
        for (size_t i = 0; i < *n && !dup; i++)
            dup = strlen((*tags)[i]) == len && strncasecmp((*tags)[i], start, len) == 0;
        if (dup)
            continue;
        *tags = xrealloc(*tags, (*n + 1) * sizeof **tags);
        (*tags)[(*n)++] = xstrndup(start, len);
    }
}

void fleet_tags_free(char **tags, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(tags[i]);
    free(tags);
}
