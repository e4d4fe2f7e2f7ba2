# Every sandbox endpoint hangs: requests are in flight and never answered, and still every
# keypress changes the screen within 100 ms (measured around send-keys with a 100 ms deadline);
# q then quits at once with status 0.
. "$MAXDASH_SRC/tests/e2e/lib.sh"

LIMIT_MS=100
start_sandbox
write_config "refresh = 10" "timeout = 20"
start_maxdash -x 100 -y 30
see_re '│● westla +[0-9]+ ms│'
see "Patients ─ 1503 · page 1/31"

ctl POST /_sandbox/faults '{"fault": "hang"}' >/dev/null
keys R      # refresh every org now: all of them hang
hanging() { ctl GET /_sandbox/requests | grep -q '"outcome":"hang"'; }
wait_until "$(scaled 3000)" hanging || fail "no request is hanging in the sandbox"
see "refreshing" 2000 "the header shows the refresh in flight"

# press KEY EXPECTED_ORG: send the key, then poll the screen (through the control client, no
# sleeping) until the Organization pane's title names EXPECTED_ORG; the time from before
# send-keys to the capture that shows it must be <= 100 ms.
LATENCIES=
press() {
    local key=$1 want t0 t1 ms
    want=$(asc "Organization ─ $2 ·")
    _now; t0=$NOW_US
    keys "$key"
    while :; do
        _capture
        _now; t1=$NOW_US
        case $SCREEN in *"$want"*) break ;; esac
        [ $((t1 - t0)) -lt 2000000 ] || fail "after '$key' the screen did not show '$want' within 2 s"
    done
    ms=$(( (t1 - t0) / 1000 ))
    LATENCIES="$LATENCIES $ms"
    log "key $key -> $2: $ms ms"
    [ "$ms" -le $LIMIT_MS ] || fail "key '$key' took $ms ms to change the screen (limit $LIMIT_MS ms) while every request hangs"
}
press j eastside
press j north
press j south
press j hostile
press j big
press j harbor
press k big
press k hostile
press k south
press k north
max=0; for l in $LATENCIES; do [ "$l" -gt "$max" ] && max=$l; done
log "latencies under the hang fault (ms):$LATENCIES; max $max"
# The requests are still hanging (the screen did not just wait for them to finish).
ctl GET /_sandbox/faults | grep -q '"hang"' || fail "the hang fault is gone"

# The help overlay opens and closes as fast.
t0=$(now_us); keys '?'
wait_for "Help (Esc closes)" $LIMIT_MS || fail "? did not open the help within $LIMIT_MS ms under the hang fault"
log "? -> help: $(( ($(now_us) - t0) / 1000 )) ms"
t0=$(now_us); keys Escape
wait_gone "Help (Esc closes)" $LIMIT_MS || fail "Esc did not close the help within $LIMIT_MS ms under the hang fault"
log "Esc -> help closed: $(( ($(now_us) - t0) / 1000 )) ms"

# q quits at once although requests hang, with status 0, the terminal restored.
t0=$(now_ms); keys q
wait_exit 2000 || fail "q did not quit within 2 s while requests hang"
log "q -> exit: $(( $(now_ms) - t0 )) ms"
[ "$EXIT_STATUS" = 0 ] || fail "maxdash exited with $EXIT_STATUS after q"
[ "$(tmux_format '#{alternate_on}')" = 0 ] || fail "the alternate screen is still on after q"
log "ok"
