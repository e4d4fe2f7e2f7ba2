/* The one-line editor of the dashboard's prompt (search, filter): ncurses' own form library
 * (libformw) does the editing, cursor movement and horizontal scrolling; this file maps a
 * shell's keys onto its requests and keeps the text clean. */
#include "lineedit.h"

#include <form.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "util.h"

#define CTRL(c) ((c) & 0x1f)

struct lineedit {
    WINDOW *sub;      /* derived from the caller's window: the field's cells */
    FIELD *field[2];
    FORM *form;
    char text[LINEEDIT_MAX + 1];
};

struct lineedit *lineedit_open(WINDOW *parent, int y, int x, int cols, const char *initial,
                               bool secret)
{
    if (cols < 2)
        return NULL;
    struct lineedit *le = xcalloc(1, sizeof *le);
    le->sub = derwin(parent, 1, cols, y, x);
    le->field[0] = new_field(1, cols, 0, 0, 0, 0);
    if (!le->sub || !le->field[0]) {
        lineedit_close(le);
        return NULL;
    }
    /* A dynamic field grows past its width and scrolls sideways, up to LINEEDIT_MAX. */
    field_opts_off(le->field[0], O_STATIC | O_AUTOSKIP | O_BLANK);
    if (secret)
        field_opts_off(le->field[0], O_PUBLIC); /* privacy mode: typed, never shown */
    set_max_field(le->field[0], LINEEDIT_MAX);
    set_field_back(le->field[0], A_UNDERLINE);
    if (initial && *initial)
        set_field_buffer(le->field[0], 0, initial);
    le->form = new_form(le->field);
    if (!le->form) {
        lineedit_close(le);
        return NULL;
    }
    set_form_win(le->form, parent);
    set_form_sub(le->form, le->sub);
    if (post_form(le->form) != E_OK) {
        free_form(le->form);
        le->form = NULL;
        lineedit_close(le);
        return NULL;
    }
    form_driver(le->form, REQ_END_FIELD);
    return le;
}

void lineedit_close(struct lineedit *le)
{
    if (!le)
        return;
    if (le->form) {
        unpost_form(le->form);
        free_form(le->form);
    }
    if (le->field[0])
        free_field(le->field[0]);
    if (le->sub)
        delwin(le->sub);
    explicit_bzero(le->text, sizeof le->text);
    free(le);
}

enum lineedit_result lineedit_key(struct lineedit *le, wint_t ch, bool is_key)
{
    int req = 0;
    if (is_key) {
        switch (ch) {
        case KEY_ENTER: return LINEEDIT_ACCEPT;
        case KEY_LEFT: req = REQ_PREV_CHAR; break;
        case KEY_RIGHT: req = REQ_NEXT_CHAR; break;
        case KEY_HOME: req = REQ_BEG_FIELD; break;
        case KEY_END: req = REQ_END_FIELD; break;
        case KEY_BACKSPACE: req = REQ_DEL_PREV; break;
        case KEY_DC: req = REQ_DEL_CHAR; break;
        default: return LINEEDIT_IGNORED;
        }
    } else {
        switch (ch) {
        case '\n':
        case '\r': return LINEEDIT_ACCEPT;
        case 27: return LINEEDIT_CANCEL;
        case 127:
        case CTRL('H'): req = REQ_DEL_PREV; break;
        case CTRL('A'): req = REQ_BEG_FIELD; break;
        case CTRL('E'): req = REQ_END_FIELD; break;
        case CTRL('B'): req = REQ_PREV_CHAR; break;
        case CTRL('F'): req = REQ_NEXT_CHAR; break;
        case CTRL('D'): req = REQ_DEL_CHAR; break;
        case CTRL('K'): req = REQ_CLR_EOF; break;
        case CTRL('U'):
            /* zsh's kill-whole-line: the form library has no "clear to the start". */
            req = REQ_CLR_FIELD;
            break;
        case CTRL('W'):
            /* Back over the blanks before the cursor, then delete the word it lands in
             * (REQ_DEL_WORD removes the word under the cursor and the blanks after it). */
            if (form_driver(le->form, REQ_PREV_CHAR) != E_OK)
                return LINEEDIT_IGNORED;
            req = REQ_DEL_WORD;
            break;
        default:
            if (ch < 0x20 || ch == 0x7f || (ch >= 0x80 && ch < 0xa0))
                return LINEEDIT_IGNORED; /* no control character enters the text */
            if (form_driver_w(le->form, OK, (wchar_t)ch) != E_OK)
                return LINEEDIT_IGNORED; /* full: LINEEDIT_MAX */
            return LINEEDIT_EDITED;
        }
    }
    int rc = form_driver(le->form, req);
    if (req == REQ_DEL_WORD && rc != E_OK) {
        /* The cursor was on a blank between words: take the word before it. */
        form_driver(le->form, REQ_PREV_WORD);
        rc = form_driver(le->form, REQ_DEL_WORD);
    }
    return rc == E_OK ? LINEEDIT_EDITED : LINEEDIT_IGNORED;
}

const char *lineedit_text(struct lineedit *le)
{
    form_driver(le->form, REQ_VALIDATION); /* the field's buffer catches up with the editing */
    const char *buf = field_buffer(le->field[0], 0);
    char *clean = text_clean(buf ? buf : "");
    size_t n = strlen(clean);
    while (n > 0 && clean[n - 1] == ' ')
        n--; /* the field pads with blanks */
    clean[n] = '\0';
    bprintf(le->text, sizeof le->text, "%s", clean);
    utf8_trim_partial(le->text);
    free(clean);
    return le->text;
}

void lineedit_cursor(struct lineedit *le)
{
    pos_form_cursor(le->form);
}
