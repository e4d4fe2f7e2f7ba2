/* The one way an API key becomes text for a screen, a log or a message. */
#ifndef MAXDASH_KEYMASK_H
#define MAXDASH_KEYMASK_H

#include <stdbool.h>
#include <stddef.h>

/* Longest masked form, with its terminating NUL. */
#define KEYMASK_MAX 32

/* Writes the masked form of key into out (KEYMASK_MAX bytes): a known prefix (max_prd_ak_,
 * max_dev_ak_) stays, then at most the first three and last three characters of the random
 * part around an ellipsis ("…" when utf8, else "..."). A random part shorter than 16, or a key
 * without a known prefix, reveals at most four characters in all. Revealed characters other
 * than letters, digits, '_' and '-' are shown as '?'. NULL or "" gives "(none)". */
void keymask(const char *key, bool utf8, char out[KEYMASK_MAX]);

/* True when the current locale (LC_CTYPE, as set by setlocale) encodes text as UTF-8. */
bool keymask_locale_is_utf8(void);

/* keymask() with the ellipsis the current locale can show. */
void keymask_locale(const char *key, char out[KEYMASK_MAX]);

#endif
