# Waiting is not loading (issue 15, case 8): paging through the demo's 7 orgs with a small rate
# budget, every page asked for either arrives within a round trip or says it waits for the
# rate budget, with a time; it never sits on "loading…" without saying why.
. "$MAXDASH_SRC/tests/e2e/lib.sh"

start_sandbox
write_config "refresh = 10" "rate_budget = 30"
start_maxdash -x 160 -y 40
see "Patients ─ 1503 · page 1/31" 5000
waited=0
for n in $(seq 2 24); do
    keys n
    # Loaded (no "loading…" after the page), or waiting with the time, within a round trip.
    wait_for_re "page $n/31( · waiting for rate budget \(~[0-9]+ s\))? ─" "$(scaled 1500)" ||
        fail "page $n: still 'loading…' after 1.5 s without saying why"
    case $SCREEN in *"waiting for rate budget"*) waited=$((waited + 1)) ;; esac
done
[ "$waited" -gt 0 ] || fail "the budget of 30 a minute never made a page wait: the test proves nothing"
log "ok: 23 pages; $waited said they wait for the rate budget, none loaded silently"
