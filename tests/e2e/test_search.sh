# Search: '/' asks for a string in the footer, Enter searches server-side (the title shows it, the
# rows are the sandbox's matches), Esc clears it; Esc in the prompt cancels; n/p page through the
# matches.
. "$MAXDASH_SRC/tests/e2e/lib.sh"

start_sandbox
write_config "page_size = 50"
page1=$(api org_westla "/patients?page=1&pageSize=50")
p1_id=$(pfield "$(patients_of "$page1" | sed -n 1p)" id)

start_maxdash -x 160 -y 40
see "Patients ─ 1503 · page 1/31"
see "$p1_id"

# Search: '/' opens a prompt in the footer, Enter searches server-side.
found=$(api org_westla "/patients?page=1&pageSize=50&search=john")
total=$(printf '%s' "$found" | json_number totalCount)
pages=$(printf '%s' "$found" | json_number totalPages)
[ "${total:-0}" -gt 0 ] || fail "the sandbox finds no 'john' in westla"
keys Tab   # the Patients pane: there / searches (in the Orgs pane it filters the orgs)
keys /
see " search patients:" 2000 "the search prompt"
type_text john
see " search patients: john" 2000 "the typed text in the prompt"
keys Enter
see "Patients ─ $total · page 1/$pages · search \"john\"" 3000 "the title shows the search"
# The rows are the server's answer, in its order.
n=0
for id in $(pfields "$found" id | head -n 20); do
    see "$id" 2000 "a patient the sandbox matched for 'john'"
    n=$((n + 1))
done
not_seen "$p1_id" "page 1's first patient does not match 'john'"
# Every row shown (an id in the Id column) is one of the matches, and most show john in the name.
shown=$(printf '%s\n' "$SCREEN" | grep -oE 'pat_[0-9A-Z]{20,}' | sort -u)
matches=$(pfields "$found" id | sort -u)
extra=$(comm -23 <(printf '%s\n' "$shown") <(printf '%s\n' "$matches"))
[ -z "$extra" ] || fail "rows that are not matches of 'john': $extra"
rows=$(printf '%s\n' "$SCREEN" | grep -E 'pat_[0-9A-Z]{20,}' | grep -ci john)
[ "$rows" -ge 10 ] || fail "only $rows rows show 'john'"
log "search john: $total matches, $n checked by id"
# Esc clears the search.
keys Escape
see "Patients ─ 1503 · page 1/31" 3000 "Esc clears the search"
not_seen 'search "john"'
see "$p1_id"

# Esc in the prompt cancels it: no search.
keys /
see " search patients:"
type_text zzz
see " search patients: zzz"
keys Escape
gone " search patients:" 2000 "Esc closes the prompt"
see " q quit  ? help"
keys n      # the next key is an action again, not text
see "Patients ─ 1503 · page 2/31" 3000 "n after a cancelled prompt"
not_seen 'search "zzz"'

# A search that matches nothing says so.
keys /
type_text qqqxqqq
keys Enter
see 'search "qqqxqqq"' 3000
see "no patient matches" 3000
keys Escape
see "Patients ─ 1503 · page 1/31" 3000 "Esc clears the search"

# n/p page through the matches, the search kept.
keys /
type_text john
keys Enter
see "Patients ─ $total · page 1/$pages · search \"john\"" 3000
if [ "$pages" -gt 1 ]; then
    keys n
    see "Patients ─ $total · page 2/$pages · search \"john\"" 3000 "n within the search"
    keys p
    see "Patients ─ $total · page 1/$pages · search \"john\"" 3000
fi
log "ok"
