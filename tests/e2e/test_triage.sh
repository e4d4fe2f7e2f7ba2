# Triage (issue 6): the failures pane filters (/ a o), the failure view explains the cause, and
# y, Y, c copy through OSC 52 what support needs: the trace_id whole, a note, a curl command,
# never the key.
. "$MAXDASH_SRC/tests/e2e/lib.sh"

start_sandbox
write_config
start_maxdash -x 160 -y 40
RAW=$T/md.raw
see_re "north +403" 5000 "north's 403 in the orgs pane"
see_re "[0-9:]{8} north 403 forbidden" 5000 "north's 403 in the failures pane"
see_re "[0-9:]{8} eastside 401 unauthorized" 5000

# The last clipboard write in the raw output, decoded.
last_copy() {
    LC_ALL=C grep -ao "$(printf '\033')]52;c;[A-Za-z0-9+/=]*" "$RAW" | tail -n 1 | sed 's/.*;//' |
        base64 -d 2>/dev/null
}
copies() { LC_ALL=C grep -ao "$(printf '\033')]52;c;" "$RAW" | wc -l; }

# Focus the failures pane and filter it to north.
keys Tab Tab
keys /
type_text north
keys Enter
see "filter north" 2000 "the pane title shows the filter"
wait_gone_re() { wait_for_re "$1" 1 && return 1; return 0; }
_capture
case $SCREEN in *"eastside 401 unauthorized"*) fail "the filter north still lists eastside's 401" ;; esac

# The failure view: cause and remedy, every trace_id whole.
keys Enter
see "Failure group (Esc closes)" 2000
see "missing read:patients: the clinic must grant it in its installation" 2000
see "The same key has read:patients on westla" 1000
trace=$(printf '%s\n' "$SCREEN" | grep -oE '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}' | tail -n 1)
[ -n "$trace" ] || fail "no trace_id in the failure view"
grep -q "$trace" "$T/state/auth-failures.jsonl" 2>/dev/null || grep -rq "$trace" "$T" --include='*.jsonl' ||
    fail "the trace_id on screen is not in maxdash's log"

n0=$(copies)
keys y
see "copied trace_id: north 403 /v1/patients, trace ${trace:0:8}" 2000 "the status line names what was copied"
wait_until 2000 test "$(copies)" -gt "$n0" || fail "y wrote no OSC 52 sequence"
[ "$(last_copy)" = "$trace" ] || fail "y copied '$(last_copy)', not the trace_id $trace"

n0=$(copies)
keys Y
see "copied a support note" 2000
wait_until 2000 test "$(copies)" -gt "$n0" || fail "Y wrote no OSC 52 sequence"
note=$(last_copy)
case $note in *"Organization id: org_north"*) ;; *) fail "the note lacks the org id: $note" ;; esac
case $note in *"$trace"*) ;; *) fail "the note lacks the trace_id" ;; esac
case $note in *"Time (UTC):"*) ;; *) fail "the note lacks the times" ;; esac

n0=$(copies)
keys c
see "copied the request as curl" 2000
wait_until 2000 test "$(copies)" -gt "$n0" || fail "c wrote no OSC 52 sequence"
cmd=$(last_copy)
case $cmd in *'curl '*'$MAX_API_KEY'*"X-Organization-Id: org_north"*'/v1/patients'*) ;;
*) fail "the curl copy is not the request: $cmd" ;; esac

# No key in any copy, nor anywhere in the bytes written to the terminal.
for var in MAXDASH_DEMO_KEY MAXDASH_DEMO_REVOKED_KEY MAXDASH_DEMO_APPTS_KEY; do
    key=$(demo_key "$var")
    [ -n "$key" ] || fail "no demo key $var"
    LC_ALL=C grep -aqF "$key" "$RAW" && fail "the terminal received the whole key $var"
    case "$note$cmd" in *"$key"*) fail "a copy holds the whole key $var" ;; esac
done

keys Escape
gone "Failure group (Esc closes)" 2000
keys Escape
gone "filter north" 2000 "Esc clears the filter"
see_re "[0-9:]{8} eastside 401 unauthorized" 2000

# a: every failure, and back; o: only the selected org (westla, which has none).
keys a
see "Failures (" 2000 "a shows every failure"
see "every failure" 1000
keys a
see "Auth failures (" 2000
keys o
see "org westla" 2000 "o limits the pane to the selected org"
see "no auth failures" 2000
keys o
see_re "[0-9:]{8} north 403 forbidden" 2000
log "ok: trace $trace copied whole; note and curl checked; no key on the wire"
