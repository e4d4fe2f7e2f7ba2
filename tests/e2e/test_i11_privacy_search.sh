# Issue 11 case 6: in privacy mode the Patients pane title (and the search prompt) never show
# the search text: it is a patient's name or MRN. With --privacy, no byte of it reaches the
# terminal at all.
. "$MAXDASH_SRC/tests/e2e/lib.sh"

start_sandbox
write_config "page_size = 50"
found=$(api org_westla "/patients?page=1&pageSize=50&search=Johnston")
total=$(printf '%s' "$found" | json_number totalCount)
[ "${total:-0}" -gt 0 ] || fail "the sandbox finds no 'Johnston' in westla"

start_maxdash -s priv -x 160 -y 40 -- --privacy
see "privacy" 5000 "the header says privacy mode is on"
see "Patients ─ 1503" 5000
keys Tab   # the Patients pane: there / searches (in the Orgs pane it filters the orgs)
keys /
see " search patients:" 2000 "the search prompt"
type_text Johnston
see " search patients: •••" 2000 "the prompt masks what is typed"
keys Enter
see "Patients ─ $total · page 1/" 3000 "the search was made"
see "search \"•••\"" 2000 "the title masks the search text"
not_seen "Johnston" "the search text on the screen in privacy mode"
grep -aq 'Johnston' "$T/priv.raw" && fail "--privacy: the search text was written to the terminal"

# Privacy off: the title shows it again (the search itself is unchanged).
keys m
see "search \"Johnston\"" 2000 "m shows the search text again"
log "ok"
