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

/* A copy of s (NUL-terminated) in which every key-shaped token ("max_prd_ak_" or "max_dev_ak_"
 * followed by letters, digits, '_' or '-') is replaced by its keymask_locale form, wherever it
 * stands: a key pasted into an org id, a name or a URL path is never shown whole (issue 11).
 * A token with three characters or fewer after the prefix (no key; what a masked form shows
 * before its ellipsis) is left as it is, so masking twice changes nothing and the text never
 * grows. NULL gives NULL. The caller frees. */
char *keymask_text(const char *s);

/* True when s[0..len) holds a token keymask_text would look at (a fast pre-check). */
bool keymask_maybe_key(const char *s, size_t len);

#endif
