# One outage, one story (issue 15, case 9): when the API stops answering for every org, the
# header says so once, every org is "down" alike (none "stale" beside them for the same
# failure), and the panes that still show older data say how old it is.
. "$MAXDASH_SRC/tests/e2e/lib.sh"

start_sandbox
ORGS="westla north south" write_config "refresh = 2" "timeout = 2"
start_maxdash -x 160 -y 40
see_re "● westla +[0-9]+ ms" 5000 "westla ok first"
see "Patients ─ 1503" 5000
not_seen "API unreachable"

# The API goes away: every request now fails to connect.
kill "$SANDBOX_PID"
wait "$SANDBOX_PID" 2>/dev/null
SANDBOX_PID=
see "API unreachable since" "$(scaled 30000)" "the header says the API is unreachable"
see "(not connecting)" 1000
# Once, in the header: not a sentence per pane.
_capture
n=$(printf '%s\n' "$SCREEN" | grep -c "API unreachable")
[ "$n" -eq 1 ] || fail "'API unreachable' is said $n times"
for o in westla north south; do
    see_re "$o +down│" "$(scaled 15000)" "$o down like the others"
done
_capture
case $SCREEN in *" stale│"*) fail "an org is 'stale' beside others 'down' for the same outage" ;; esac
# westla's patients are the old ones: the pane says how old.
see_re "Patients ─ 1503 · page 1/[0-9]+ · data [0-9]+ (s|min) old" 5000 "the Patients pane shows its age"
# The Organization pane too, beside the cause.
see_re "→ the API is not connecting · data [0-9]+ (s|min) old" 3000 "the Organization pane shows the age"
log "ok: one outage line in the header; every org down; the data's age shown"
