# The prompt edits like a shell line (issue 14 case 8): Left/Right, Home/End, Ctrl-A/E move;
# Backspace deletes before the cursor, Ctrl-W the word before it, Ctrl-U the line; text goes in
# where the cursor is. The failures filter is local, so it applies as you type, and Esc puts
# the previous filter back. (Before, the prompt only appended and erased at its end.)
. "$MAXDASH_SRC/tests/e2e/lib.sh"

start_sandbox
write_config
start_maxdash -x 100 -y 30
see "Patients ─ 1503"
keys Tab
keys /
see "search patients:"
# Typed with a letter missing, mended in the middle: "jhnston" -> Home, Right, "o".
type_text "jhnston"
see "search patients: jhnston"
keys Home Right
type_text "o"
see "search patients: johnston"
# Ctrl-A, then Ctrl-E and a word to rub out with Ctrl-W.
keys C-a C-e
type_text " smith"
see "search patients: johnston smith"
keys C-w
wait_for_re 'search patients: johnston *$' 2000 || fail "Ctrl-W did not rub out the last word: $(screen_line 'search patients:')"
# As in bash, Ctrl-W left the blank: the cursor is after "johnston ".
keys Left Left BSpace
see "search patients: johnstn"
keys C-u
wait_for_re 'search patients: *$' 2000 || fail "Ctrl-U did not clear the line: $(screen_line 'search patients:')"
type_text "johnston"
keys Enter
see 'search "johnston"' 5000 "the search ran with the edited text"
gone "search patients:"

# The failures filter applies while typing; Esc restores the one before.
keys Tab
see_re 'eastside +401'
keys /
see "filter failures:"
type_text "nort"
wait_gone_east() { _capture; case $SCREEN in *"eastside 401"*) return 1 ;; esac; return 0; }
wait_until 2000 wait_gone_east || fail "the filter did not apply while typing ('nort'): eastside's 401 is still listed"
see_re 'north +403'
keys Escape
see_re 'eastside +401' 2000 "Esc should put the unfiltered list back"
log "ok"
