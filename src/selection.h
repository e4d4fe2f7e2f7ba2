/* A list's selection kept by identity: the selected item is named by a key (an org's name, a
 * failure group's identity, a patient's id), not by its row, so refreshes, regrouping, filters
 * and sorting never move the highlight to another item. Pure: no curses, no I/O. */
#ifndef MAXDASH_SELECTION_H
#define MAXDASH_SELECTION_H

#include <stdbool.h>
#include <stddef.h>

struct selection {
    char *key;     /* identity of the selected item; owned; NULL: nothing chosen yet, the
                      selection follows the first row */
    size_t row;    /* where it was when last resolved: the place of its nearest neighbour */
};

/* What selection_resolve found. */
enum selection_outcome {
    SELECTION_SAME,     /* the selected item is still listed (maybe at another row) */
    SELECTION_NEIGHBOUR,/* it is gone: the nearest neighbour (its old row, else the last) is selected */
    SELECTION_EMPTY,    /* the list is empty: the key is kept, in case the item comes back */
    SELECTION_FIRST,    /* nothing was chosen yet: the first item is selected (key stays NULL) */
};

/* Finds the selected item among keys[0..n) (each a NUL-terminated identity, none NULL) and
 * sets s->row to its row; when it is gone, selects the nearest neighbour and takes its key.
 * O(n) strcmp. */
enum selection_outcome selection_resolve(struct selection *s, const char *const *keys, size_t n);

/* Selects keys[row] (row < n), e.g. after a move; copies the key. */
void selection_set(struct selection *s, const char *const *keys, size_t n, size_t row);

/* Forgets the selection: the next resolve selects the first item (a new search or page). */
void selection_reset(struct selection *s);

/* Frees the key. */
void selection_free(struct selection *s);

#endif
