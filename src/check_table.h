/* `maxdash check` on a terminal (issue 17): an aligned table — state mark, org, status,
 * latency, one-line cause — that fits the terminal's width, identical failures grouped
 * ("17 orgs: 401 — key production: ..."), and a summary line. Colour by role, only when asked. */
#ifndef MAXDASH_CHECK_TABLE_H
#define MAXDASH_CHECK_TABLE_H

#include <stdbool.h>
#include <stdio.h>

struct model;

struct check_table_opts {
    int width;   /* columns of the terminal; no line printed is wider than width - 1 */
    bool color;  /* SGR colours by role (check_table_color decides) */
    bool utf8;   /* marks and separators in UTF-8, else ASCII */
};

/* Prints the report of m (its probes done) to out. */
void check_table_print(const struct model *m, const struct check_table_opts *o, FILE *out);

/* The width of the terminal on fd: $COLUMNS when a positive number, else the terminal's
 * (TIOCGWINSZ), else 80. Clamped to 20..1000. */
int check_table_width(int fd);

/* Whether to colour output to fd: a terminal, NO_COLOR unset or empty (no-color.org), and
 * TERM not "dumb". */
bool check_table_color(int fd);

#endif
