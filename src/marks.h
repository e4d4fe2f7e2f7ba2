/* The health marks (●, ✗, !, ?, ◷, ▼ and their ASCII stand-ins) by model_health, with what each
 * means: one table for every place that draws them (the check table, the Orgs pane summary). */
#ifndef MAXDASH_MARKS_H
#define MAXDASH_MARKS_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

/* The mark of h: UTF-8 when utf8, else one ASCII character. Static. */
const char *marks_glyph(enum model_health h, bool utf8);

/* What the mark means, for legends and help ("401 unauthorized: the key is refused"). Static. */
const char *marks_meaning(enum model_health h);

/* The orgs of m counted by health: "412 ok · 3 ✗401 · 7 !403 · 1 ▼down" (ASCII: "412 ok -
 * 3 x401 ..."), states without orgs left out, ok first and checking last, into buf (size bytes,
 * cut at a character). Returns the number of orgs not ok and not checking. */
size_t marks_summary(const struct model *m, bool utf8, char *buf, size_t size);

#endif
