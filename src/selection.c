/* Selection by identity (see selection.h). The neighbour rule follows htop and k9s: when the
 * selected row disappears, the row that takes its place is selected, or the last row when it
 * was at the end. */
#include "selection.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void selection_set(struct selection *s, const char *const *keys, size_t n, size_t row)
{
    if (row >= n)
        return;
    if (!s->key || strcmp(s->key, keys[row]) != 0) {
        free(s->key);
        s->key = xstrdup(keys[row]);
    }
    s->row = row;
}

enum selection_outcome selection_resolve(struct selection *s, const char *const *keys, size_t n)
{
    if (n == 0) {
        s->row = 0;
        return SELECTION_EMPTY;
    }
    if (!s->key) {
        /* Nobody chose yet: the selection follows the first row (the newest failure) until
         * the user moves it. */
        s->row = 0;
        return SELECTION_FIRST;
    }
    /* Look near the old row first: in a steady list it is found at once. */
    if (s->row < n && strcmp(keys[s->row], s->key) == 0)
        return SELECTION_SAME;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(keys[i], s->key) == 0) {
            s->row = i;
            return SELECTION_SAME;
        }
    }
    selection_set(s, keys, n, s->row < n ? s->row : n - 1);
    return SELECTION_NEIGHBOUR;
}

void selection_reset(struct selection *s)
{
    free(s->key);
    s->key = NULL;
    s->row = 0;
}

void selection_free(struct selection *s)
{
    selection_reset(s);
}
