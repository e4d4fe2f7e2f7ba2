/* The prompt's line editor: a one-line field of ncurses' form library, keyed like a shell line.
 * UI-side (curses); the rest of the dashboard sees only the text. */
#ifndef MAXDASH_LINEEDIT_H
#define MAXDASH_LINEEDIT_H

#include <curses.h>
#include <stdbool.h>

/* Bytes of text at most (UTF-8). */
#define LINEEDIT_MAX 255

struct lineedit;

enum lineedit_result {
    LINEEDIT_IGNORED, /* nothing changed (a key it does not use, or nothing to do) */
    LINEEDIT_EDITED,  /* the text or the cursor changed */
    LINEEDIT_ACCEPT,  /* Enter */
    LINEEDIT_CANCEL,  /* Esc */
};

/* An editor in cols columns at (y, x) of parent (which must outlive it), holding initial (may
 * be NULL) with the cursor at its end; secret hides what is typed (privacy mode). NULL when
 * cols < 2 or curses cannot make the field. The caller closes it. */
struct lineedit *lineedit_open(WINDOW *parent, int y, int x, int cols, const char *initial,
                               bool secret);

/* Frees the editor and wipes its copy of the text; NULL is a no-op. The cells it drew stay. */
void lineedit_close(struct lineedit *le);

/* One key (as wget_wch gave it): Left/Right, Ctrl-B/F move; Home/End, Ctrl-A/E go to the ends;
 * Backspace and Delete/Ctrl-D delete a character; Ctrl-W the word before the cursor; Ctrl-K to
 * the end; Ctrl-U the whole line (as zsh); printable characters are inserted, control
 * characters never. Enter accepts, Esc cancels. */
enum lineedit_result lineedit_key(struct lineedit *le, wint_t ch, bool is_key);

/* The text now, sanitized (text_clean) without the field's trailing blanks; owned by the
 * editor, valid until the next call. */
const char *lineedit_text(struct lineedit *le);

/* Puts the terminal's cursor where the editor's is (before the final refresh). */
void lineedit_cursor(struct lineedit *le);

#endif
