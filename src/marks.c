/* The health marks, as the Orgs pane has drawn them since issue 3 (DESIGN.md "The screen"). */
#include "marks.h"

#include <string.h>

#include "util.h"

static const struct {
    const char *utf, *ascii, *meaning;
} marks[] = {
    [HEALTH_CHECKING] = {"\xE2\x80\xA6", ".", "checking (nothing back yet; waiting: not sent yet)"},
    [HEALTH_OK] = {"\xE2\x97\x8F", "+", "ok, with the latency"},
    [HEALTH_AUTH] = {"\xE2\x9C\x97", "x", "401 unauthorized: the key is refused"},
    [HEALTH_SCOPE] = {"!", "!", "403 forbidden: a scope is missing"},
    [HEALTH_NOT_FOUND] = {"?", "?", "404: the org is not visible to this app"},
    [HEALTH_RATE] = {"\xE2\x97\xB7", "~", "429 rate limited"},
    [HEALTH_DOWN] = {"\xE2\x96\xBC", "v", "down: timeout, connection, DNS, TLS, 5xx, bad response"},
};

const char *marks_glyph(enum model_health h, bool utf8)
{
    return utf8 ? marks[h].utf : marks[h].ascii;
}

const char *marks_meaning(enum model_health h)
{
    return marks[h].meaning;
}

size_t marks_summary(const struct model *m, bool utf8, char *buf, size_t size)
{
    static const enum model_health order[] = {HEALTH_OK,   HEALTH_AUTH, HEALTH_SCOPE,
                                              HEALTH_NOT_FOUND, HEALTH_RATE, HEALTH_DOWN,
                                              HEALTH_CHECKING};
    size_t count[HEALTH_DOWN + 1] = {0};
    for (size_t i = 0; i < m->norgs; i++)
        count[model_org_health(&m->orgs[i])]++;
    buf[0] = '\0';
    size_t used = 0;
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        enum model_health h = order[k];
        if (!count[h])
            continue;
        const char *sep = used ? (utf8 ? " \xC2\xB7 " : " - ") : "";
        bool fit;
        if (h == HEALTH_OK || h == HEALTH_CHECKING)
            fit = bprintf(buf + used, size - used, "%s%zu %s", sep, count[h],
                          model_health_word(h));
        else
            fit = bprintf(buf + used, size - used, "%s%zu %s%s", sep, count[h],
                          marks_glyph(h, utf8), model_health_word(h));
        used += strlen(buf + used);
        if (!fit)
            break;
    }
    return m->norgs - count[HEALTH_OK] - count[HEALTH_CHECKING];
}
