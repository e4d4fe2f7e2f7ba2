/* The check table. Each cell is cleaned (config_printable / text from api.c, then text_ascii
 * in a non-UTF-8 locale), measured with text_width and clipped to its column with text_clip,
 * so that a line never wraps, whatever the names and messages hold. Colours are roles mapped
 * to SGR codes, and the meaning stays in the mark and the words without them. */
#include "check_table.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "config.h"
#include "explain.h"
#include "marks.h"
#include "model.h"
#include "orgid.h"
#include "text.h"
#include "util.h"

#define CELL_MAX 1024
#define GROUP_MIN 2 /* identical failures from this many orgs print as one group */

enum role { ROLE_NONE, ROLE_OK, ROLE_AUTH, ROLE_SCOPE, ROLE_RATE, ROLE_DOWN, ROLE_DIM,
            ROLE_BOLD };

static const char *const sgr[] = {
    [ROLE_NONE] = "", [ROLE_OK] = "32", [ROLE_AUTH] = "1;31", [ROLE_SCOPE] = "33",
    [ROLE_RATE] = "35", [ROLE_DOWN] = "31", [ROLE_DIM] = "2", [ROLE_BOLD] = "1",
};

static enum role role_of(enum model_health h)
{
    switch (h) {
    case HEALTH_OK: return ROLE_OK;
    case HEALTH_AUTH: return ROLE_AUTH;
    case HEALTH_SCOPE:
    case HEALTH_NOT_FOUND: return ROLE_SCOPE;
    case HEALTH_RATE: return ROLE_RATE;
    case HEALTH_DOWN: return ROLE_DOWN;
    default: return ROLE_DIM;
    }
}

int check_table_width(int fd)
{
    int w = 0;
    const char *cols = getenv("COLUMNS");
    if (cols && *cols) {
        char *end;
        long v = strtol(cols, &end, 10);
        if (!*end && v > 0 && v < 100000)
            w = (int)v;
    }
    struct winsize ws;
    if (!w && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        w = ws.ws_col;
    if (!w)
        w = 80;
    return w < 20 ? 20 : w > 1000 ? 1000 : w;
}

bool check_table_color(int fd)
{
    const char *nc = getenv("NO_COLOR");
    const char *term = getenv("TERM");
    return isatty(fd) && !(nc && *nc) && !(term && strcmp(term, "dumb") == 0);
}

/* A cell: s cleaned for this terminal, clipped to cols columns ("…" when cut), padded to cols
 * on the left or right (pad 0: no padding). */
static void cell(const struct check_table_opts *o, const char *s, int cols, int pad,
                 char out[CELL_MAX])
{
    char *clean = config_printable(s ? s : "");
    if (!o->utf8) {
        char *a = text_ascii(clean);
        free(clean);
        clean = a;
    }
    char clipped[CELL_MAX];
    int w = cols > 0 ? text_clip(clean, cols, o->utf8 ? "\xE2\x80\xA6" : "~", clipped,
                                 sizeof clipped)
                     : 0;
    if (cols <= 0)
        clipped[0] = '\0';
    free(clean);
    int fill = pad && w < cols ? cols - w : 0;
    if (pad < 0)
        snprintf(out, CELL_MAX, "%*s%s", fill, "", clipped);
    else
        snprintf(out, CELL_MAX, "%s%*s", clipped, fill, "");
}

static void put(FILE *out, const struct check_table_opts *o, enum role r, const char *text)
{
    if (o->color && r != ROLE_NONE && *text)
        fprintf(out, "\033[%sm%s\033[0m", sgr[r], text);
    else
        fputs(text, out);
}

/* The one-line cause of org i: the explanation's headline, else its first warning. Caller
 * frees; NULL when there is nothing to say. */
static char *cause_of(const struct model *m, size_t i)
{
    const struct model_org *org = &m->orgs[i];
    struct explain ex;
    explain_org(m, i, &ex);
    char *c = ex.headline ? xstrdup(ex.headline) : NULL;
    explain_free(&ex);
    if (c)
        return c;
    if (!org->probe_me.done && !org->probe_patients.done)
        return xstrdup("not checked");
    unsigned kw = org->cfg->key ? org->cfg->key->warnings : 0;
    for (unsigned bit = 1; bit <= CONFIG_KEYWARN_ALL; bit <<= 1)
        if (kw & bit)
            return xasprintf("warning: %s", config_key_warning_text(bit));
    for (unsigned bit = 1; bit <= ORGID_WARN_ALL; bit <<= 1)
        if (orgid_warnings(org->cfg->id) & bit)
            return xasprintf("warning: org id %s", orgid_warning_text(bit));
    return NULL;
}

static long latency_of(const struct model_org *org)
{
    long l = -1;
    if (org->probe_me.done)
        l = org->probe_me.latency_ms;
    if (org->probe_patients.done && org->probe_patients.latency_ms > l)
        l = org->probe_patients.latency_ms;
    return l;
}

struct row {
    enum model_health h;
    char *cause;
    size_t group;      /* index of the first org of its group + 1; 0: printed alone */
};

void check_table_print(const struct model *m, const struct check_table_opts *o, FILE *out)
{
    int width = o->width - 1; /* the last column left free: no terminal wraps early */
    struct row *rows = xcalloc(m->norgs + 1, sizeof *rows);
    int name_w = 3;
    for (size_t i = 0; i < m->norgs; i++) {
        rows[i].h = model_org_health(&m->orgs[i]);
        rows[i].cause = cause_of(m, i);
        char *n = config_printable(m->orgs[i].cfg->name);
        int w = text_width(n);
        free(n);
        if (w > name_w)
            name_w = w;
    }
    /* Identical failures: same state, same key, same cause. Quadratic only over the failing
     * orgs that have not found their group yet, few in practice. */
    size_t *members = xcalloc(m->norgs + 1, sizeof *members);
    for (size_t i = 0; i < m->norgs; i++) {
        if (rows[i].h == HEALTH_OK || rows[i].h == HEALTH_CHECKING || rows[i].group)
            continue;
        for (size_t j = i + 1; j < m->norgs; j++) {
            if (rows[j].group || rows[j].h != rows[i].h)
                continue;
            const char *ki = m->orgs[i].cfg->key_name, *kj = m->orgs[j].cfg->key_name;
            const char *ci = rows[i].cause ? rows[i].cause : "";
            const char *cj = rows[j].cause ? rows[j].cause : "";
            if (strcmp(ki ? ki : "", kj ? kj : "") == 0 && strcmp(ci, cj) == 0) {
                rows[j].group = i + 1;
                rows[i].group = i + 1;
                members[i]++;
            }
        }
    }

    /* mark(1) sp org sp status(6) sp latency(7) sp sp cause */
    enum { STATUS_W = 6, LAT_W = 7 };
    int fixed = 1 + 1 + 1 + STATUS_W + 1 + LAT_W + 2;
    int cap = width - fixed - 12; /* at least 12 columns of cause when there is room */
    if (cap > width / 3)
        cap = width / 3;
    if (cap < 8)
        cap = 8;
    if (name_w > cap)
        name_w = cap;
    int cause_w = width - fixed - name_w;

    char a[CELL_MAX], b[CELL_MAX], c[CELL_MAX], d[CELL_MAX];
    cell(o, "ORG", name_w, 1, a);
    cell(o, "STATUS", STATUS_W, 1, b);
    cell(o, "LATENCY", LAT_W, -1, c);
    char head[4 * CELL_MAX];
    snprintf(head, sizeof head, "  %s %s %s  %s", a, b, c, cause_w >= 5 ? "CAUSE" : "");
    cell(o, head, width, 0, d);
    put(out, o, ROLE_DIM, d);
    fputc('\n', out);

    size_t ngroups = 0;
    for (size_t i = 0; i < m->norgs; i++) {
        if (rows[i].group) {
            ngroups += rows[i].group == i + 1;
            continue;
        }
        const struct model_org *org = &m->orgs[i];
        put(out, o, role_of(rows[i].h), marks_glyph(rows[i].h, o->utf8));
        fputc(' ', out);
        cell(o, org->cfg->name, name_w, 1, a);
        fputs(a, out);
        fputc(' ', out);
        cell(o, model_health_word(rows[i].h), STATUS_W, 1, b);
        put(out, o, role_of(rows[i].h), b);
        fputc(' ', out);
        long lat = latency_of(org);
        char lt[32];
        if (lat >= 0)
            snprintf(lt, sizeof lt, "%ld ms", lat);
        else
            snprintf(lt, sizeof lt, "%s", o->utf8 ? "\xE2\x80\x94" : "-");
        cell(o, lt, LAT_W, -1, c);
        fputs(c, out);
        if (rows[i].cause && cause_w > 0) {
            fputs("  ", out);
            cell(o, rows[i].cause, cause_w, 0, d);
            fputs(d, out);
        }
        fputc('\n', out);
    }

    /* The groups, after the single rows: the failures end up next to the summary. */
    const char *dash = o->utf8 ? " \xE2\x80\x94 " : " - ";
    for (size_t i = 0; i < m->norgs; i++) {
        if (rows[i].group != i + 1)
            continue;
        size_t n = members[i] + 1;
        const struct config_org *co = m->orgs[i].cfg;
        char *text = xasprintf("%zu orgs: %s%skey %s: %s", n, model_health_word(rows[i].h), dash,
                               co->key_name ? co->key_name : "?",
                               rows[i].cause ? rows[i].cause : "");
        put(out, o, role_of(rows[i].h), marks_glyph(rows[i].h, o->utf8));
        fputc(' ', out);
        cell(o, text, width - 2, 0, d);
        put(out, o, ROLE_BOLD, d);
        fputc('\n', out);
        free(text);
        /* Who: as many names as fit, then how many more. */
        int room = width - 4;
        char names[CELL_MAX] = "";
        size_t shown = 0;
        for (size_t j = i; j < m->norgs; j++) {
            if (rows[j].group != i + 1)
                continue;
            char more[48];
            snprintf(more, sizeof more, ", +%zu more", n - shown - 1);
            char nm[CELL_MAX];
            cell(o, m->orgs[j].cfg->name, 64, 0, nm);
            int need = text_width(names) + (shown ? 2 : 0) + text_width(nm) +
                       (shown + 1 < n ? (int)strlen(more) : 0);
            if (need > room || strlen(names) + strlen(nm) + 3 >= sizeof names)
                break;
            if (shown)
                strcat(names, ", ");
            strcat(names, nm);
            shown++;
        }
        char line[CELL_MAX + 64];
        if (shown < n)
            snprintf(line, sizeof line, "%s%s+%zu more", names, shown ? ", " : "", n - shown);
        else
            snprintf(line, sizeof line, "%s", names);
        fputs("    ", out);
        cell(o, line, width - 4, 0, d);
        put(out, o, ROLE_DIM, d);
        fputc('\n', out);
    }

    char sum[512];
    size_t failing = marks_summary(m, o->utf8, sum, sizeof sum);
    char *text = xasprintf("%s%s%zu org%s, %zu failing", sum, dash, m->norgs,
                           m->norgs == 1 ? "" : "s", failing);
    cell(o, text, width, 0, d);
    put(out, o, ROLE_BOLD, d);
    fputc('\n', out);
    free(text);
    (void)ngroups;

    for (size_t i = 0; i < m->norgs; i++)
        free(rows[i].cause);
    free(rows);
    free(members);
}
