# Keys pressed while the terminal is too small (below 40x10) are taken, and growing it again
# brings the dashboard back with their effect: "resize at any time", "recovery when it grows".
. "$MAXDASH_SRC/tests/e2e/lib.sh"

start_sandbox
write_config
start_maxdash -x 100 -y 30
see "Patients ─ 1503 · page 1/31"
see "Organization ─ westla · West LA Dermatology"

resize 30 8
see "needs at least 40x10" 1000
keys j      # move to eastside while only the notice is shown
# Still the notice, nothing else (the key must not draw the dashboard into 30x8).
see "needs at least 40x10" 1000

t0=$(now_ms)
resize 100 30
see "Organization ─ eastside · Eastside Family Clinic" 2000 "the dashboard back at 100x30, with the j pressed while too small"
log "back after $(( $(now_ms) - t0 )) ms"
see "┌ Auth failures ("
keys k
see "Organization ─ westla · West LA Dermatology" 1000
# It did not get busy: maxdash is sleeping, not spinning, once idle.
idle() { [ "$(ps -o stat= -p "$(maxdash_pid)" | cut -c1)" = S ]; }
wait_until 2000 idle || fail "maxdash is not idle (state $(ps -o stat=,pcpu= -p "$(maxdash_pid)"))"
log "ok"
