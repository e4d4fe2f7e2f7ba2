# `maxdash log -f --auth-only --org westla` (issue 17): a key revoked through the sandbox's
# control API shows in the follower within one refresh of the dashboard that saw it, with the
# trace_id the dashboard logged; other orgs' failures (north's 403) and non-auth failures stay
# out. Then the real logrotate rotates the file, in create mode and in copytruncate mode, and
# the follower keeps printing the records written after each rotation. It never spins: its CPU
# time over the whole test stays small.
. "$MAXDASH_SRC/tests/e2e/lib.sh"

LOGROTATE=$(command -v logrotate || echo /usr/sbin/logrotate)
[ -x "$LOGROTATE" ] || fail "logrotate is not installed (make deps installs it)"
REFRESH=2
LOGF=$T/auth-failures.jsonl
start_sandbox
ORGS="westla north" write_config "refresh = $REFRESH" "timeout = 2" "rate_budget = 1000"

start_maxdash -s dash -x 160 -y 40
see_re '│● westla +[0-9]+ ms│'
see_re '│! north +403│'

# The follower: no terminal, its output to a file; MAXDASH_FOLLOW_READY says it is following.
env -i PATH="$PATH" LANG=C.UTF-8 TZ=UTC HOME="$T" MAXDASH_FOLLOW_READY="$T/follow.ready" \
    "$MAXDASH" log -c "$T/config.ini" -f --auth-only --org westla >"$T/follow.out" 2>"$T/follow.err" &
FOLLOW_PID=$!
trap 'st=$?; kill "$FOLLOW_PID" 2>/dev/null; _teardown $st' EXIT
wait_until "$(scaled 5000)" test -e "$T/follow.ready" || fail "log -f did not start following"
[ ! -s "$T/follow.out" ] || fail "log -f printed old records: $(head -c 300 "$T/follow.out")"

ctl_key revoke DEMO_KEY
t0=$(now_ms)
deadline=$(scaled $((REFRESH * 1000 + 1000)))
see_re '│✗ westla +401│' "$deadline" "the dashboard marks westla 401 within one refresh"
t_dash=$(now_ms)
followed() { grep -q '^[0-9T:.-]*Z westla org_westla 401 unauthorized' "$T/follow.out"; }
# Within one refresh of the dashboard seeing it.
wait_until $(scaled $((REFRESH * 1000))) followed ||
    fail "log -f showed no westla 401 within one refresh of the dashboard: $(cat "$T/follow.out" "$T/follow.err")"
log "log -f showed westla's 401 $(($(now_ms) - t0)) ms after the revoke, $(($(now_ms) - t_dash)) ms after the dashboard"
trace=$(grep -m 1 'westla org_westla 401' "$T/follow.out" | grep -oE 'trace=[0-9a-f-]{36}' | sed 's/trace=//')
[ ${#trace} = 36 ] || fail "no trace id in the followed line: $(head -n 1 "$T/follow.out")"
grep -q "\"trace_id\":\"$trace\"" "$LOGF" || fail "the followed trace $trace is not in the log"
! grep -q 'north' "$T/follow.out" || fail "--org westla let north through"

# logrotate_run MODE: one forced rotation, rotate 1.
logrotate_run() {
    {
        echo "$LOGF {"
        echo "    rotate 1"
        echo "    missingok"
        echo "    nocompress"
        case $1 in create) echo "    create 0600" ;; copytruncate) echo "    copytruncate" ;; esac
        echo "}"
    } >"$T/lr-$1.conf"
    "$LOGROTATE" -f -s "$T/lr.state" "$T/lr-$1.conf" >"$T/lr-$1.out" 2>&1 ||
        fail "logrotate ($1) failed: $(cat "$T/lr-$1.out")"
}

# after_rotation MODE: a westla 401 written to the live file after the rotation is followed.
after_rotation() {
    local mode=$1 before
    before=$(grep -c . "$T/follow.out")
    logrotate_run "$mode"
    local t=$(now_ms)
    newest_live() { grep '"org":"westla"' "$LOGF" 2>/dev/null | tail -n 1 | sed -n 's/.*"trace_id":"\([^"]*\)".*/\1/p'; }
    has_new() { [ -n "$(newest_live)" ]; }
    wait_until "$(scaled $((REFRESH * 2000 + 2000)))" has_new || fail "$mode: nothing logged after the rotation"
    local tr
    tr=$(newest_live)
    in_follow() { grep -q "trace=$tr" "$T/follow.out"; }
    wait_until "$(scaled 3000)" in_follow ||
        fail "$mode: the record written after the rotation ($tr) was not followed: $(tail -n 2 "$T/follow.out" | cut -c1-120)"
    log "$mode: followed a record written after the rotation, $(($(now_ms) - t)) ms after it; $(($(grep -c . "$T/follow.out") - before)) new lines"
}
after_rotation create
[ -f "$LOGF.1" ] || fail "logrotate (create) made no $LOGF.1"
after_rotation copytruncate

# Every followed line is one whole westla 401 or 403 (auth only), none twice.
n=$(grep -c . "$T/follow.out")
bad=$(grep -vcE '^[0-9T:.-]*Z westla org_westla 40[13] ' "$T/follow.out")
[ "$bad" = 0 ] || fail "$bad followed lines are not westla auth failures: $(grep -vE 'westla org_westla 40[13]' "$T/follow.out" | head -n 2)"
dups=$(grep -oE 'trace=[0-9a-f-]{36}' "$T/follow.out" | sort | uniq -d | wc -l)
[ "$dups" = 0 ] || fail "$dups records followed twice"
# No busy loop: a few hundredths of a second of CPU over the whole test.
ticks=$(awk '{print $14 + $15}' "/proc/$FOLLOW_PID/stat")
hz=$(getconf CLK_TCK)
[ "$ticks" -le $((hz / 4)) ] || fail "log -f used $ticks CPU ticks (of $hz a second): it spins"
log "ok: $n lines followed, log -f used $ticks CPU ticks"
