/* Org lists from CSV files (`[orgs "NAME"]` with `file = clinics.csv`, DESIGN.md): RFC 4180
 * read with libcsv, a header row naming the columns id, name and tags. Bytes in, rows and
 * problems out; config.c turns the rows into orgs. Also the tag lists of `tags = a, b`. */
#ifndef MAXDASH_FLEET_H
#define MAXDASH_FLEET_H

#include <stdbool.h>
#include <stddef.h>

/* One data row. Strings are owned by the fleet_csv; name and tags NULL when absent or empty. */
struct fleet_row {
    char *id;
    char *name;
    char *tags;
    int line;          /* 1-based line of the file where the row starts */
};

/* One problem: a line of the file (0 when none applies) and the message without location. */
struct fleet_problem {
    int line;
    char *message;
};

struct fleet_csv {
    struct fleet_row *rows;
    size_t nrows;
    struct fleet_problem *problems;
    size_t nproblems;
};

/* Parses the CSV text data[0..len) into *out (zeroed first): an optional UTF-8 BOM, CRLF or LF
 * line ends, RFC 4180 quoting (libcsv in strict mode), a header row that must name an `id`
 * column and may name `name` and `tags` (any order, any case), then one org per row. Blank
 * lines are skipped. Every problem goes to out->problems with its line; parsing stops at a
 * quoting error. Returns true when there was no problem. The caller frees with
 * fleet_csv_free either way. Messages never quote more than a short cleaned excerpt of an
 * id (no patient data lives in an org list). */
bool fleet_parse_csv(const char *data, size_t len, struct fleet_csv *out);

void fleet_csv_free(struct fleet_csv *csv);

/* Splits a tag list ("west, derm", "west;derm", "west derm") into *tags (n of them, each a
 * fresh string, the array the caller's to free with fleet_tags_free). Tags are letters,
 * digits, '-', '_' and '.', at most 32 bytes; duplicates (ignoring case) are dropped. On a bad
 * tag returns false with *bad pointing into s at it (tags then holds those before it). */
bool fleet_split_tags(const char *s, char ***tags, size_t *n, const char **bad);
void fleet_tags_free(char **tags, size_t n);

#endif
