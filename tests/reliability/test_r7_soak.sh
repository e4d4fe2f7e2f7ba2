# R7 soak (issue 7): two dashboards, the normal build and the ASan+UBSan build side by side,
# watch 20 orgs (the 7 demo orgs: healthy, revoked key, missing scope, not installed, hostile
# data, 100 000 patients, appointments-only key; plus 13 generated healthy orgs) with
# `refresh = 2` for 10 minutes (REL_SHORT=1: 1 minute) while the sandbox's chaos mode changes
# something every 2 s (revokes a key, withdraws a scope, fails an org with 500/503 or slows it
# by 1.5 s, undoing the previous change), and keys are typed into both now and then (moving,
# paging, searching, opening patients and failure groups, help, privacy, refresh, a resize).
# Passes when:
#  - RSS growth of the normal build <= 1 MiB: VmRSS (/proc/PID/status) sampled every second;
#    the baseline is the first sample after a warm-up of at least 15 s (five refresh rounds at
#    the 3 s the rate budget allows: the connection cache, the failure groups of the steady
#    failures) during which every key step below has run once, a step every 0.5 s (the first
#    resize alone costs ncurses ~370 kB, the first patient overlay and failure-group overlay
#    ~100 kB more: first-use costs, not growth); after it a step every 3 s. Growth = the
#    largest sample after the baseline minus the baseline;
#  - open descriptors of the normal build back to the start count: at the end the chaos stops
#    (the sandbox is restarted on the same port without --chaos: the control API cannot turn
#    chaos off), then the count in /proc/PID/fd must come back to <= its value at the baseline
#    moment (polled, 30 s deadline: the dead connections are dropped as they are reused);
#  - no sanitizer report from the SAN dashboard (lib.sh's teardown stops it with SIGTERM, so the
#    leak check runs, and fails the test on any report in its stderr);
#  - both dashboards run to the end and still answer keys (? opens and Esc closes the help).
# rate_budget = 1000 (at the default 100 a minute, 20 orgs would refresh every 24 s, not every
# 2 s: 20 orgs x 2 requests every 3 s is the most the maximum budget allows); the sandbox
# allows 3000 a minute, so the two dashboards share the app without 429s.
# shellcheck source=SCRIPTDIR/../e2e/lib.sh
. "$MAXDASH_SRC/tests/e2e/lib.sh"

if [ "${REL_SHORT:-0}" = 1 ]; then RUN_S=60; else RUN_S=600; fi
WARMUP_S=15
CHAOS_S=2
SEED=${REL_SEED:-7}
RSS_LIMIT_KB=1024
SETTLE_MS=30000
KEY_EVERY_MS=3000    # a key step to both dashboards this often after the warm-up
WARMUP_KEY_MS=500    # and this often during it, so that every step has run once
SAN_MAXDASH=${REL_SAN_BUILD:?REL_SAN_BUILD must be set}/maxdash
[ -x "$SAN_MAXDASH" ] || fail "no SAN build at $SAN_MAXDASH"

# --- data and config -------------------------------------------------------------------------

# demo.json with 13 generated orgs of the demo key's app appended to its "orgs" array (the file
# ends with the array's " ]" and the object's "}").
DEMO_DATA=$MAXDASH_SRC/assets/sandbox/demo.json
[ "$(tail -n 2 "$DEMO_DATA" | tr '\n' '|')" = " ]|}|" ] || fail "demo.json does not end as expected"
APP=$(sed -n '/"id": "org_westla"/,/"app"/s/.*"app": "\([^"]*\)".*/\1/p' "$DEMO_DATA" | head -n 1)
[ -n "$APP" ] || fail "no app for org_westla in demo.json"
GEN=$(seq -w 1 13)
{
    head -n -2 "$DEMO_DATA"
    for i in $GEN; do
        printf '  ,{"id": "org_s%s", "installs": [{"app": "%s", "scopes": ["read:patients", "read:appointments"]}],' "$i" "$APP"
        printf ' "patients": {"generate": 400, "seed": %d}}\n' "$((10#$i))"
    done
    printf ' ]\n}\n'
} >"$T/r7.json"
KEY_FILES="$T/r7.json"

start_sandbox "$T/r7.json" --chaos $CHAOS_S --seed "$SEED" --rate-limit 3000/60 --quiet

write_config "refresh = 2" "timeout = 4" "rate_budget = 1000"
for i in $GEN; do
    printf '\n[org "s%s"]\nid = org_s%s\nkey = demo\nname = Soak Clinic %s\n' "$i" "$i" "$i" >>"$T/config.ini"
done
[ "$(grep -c '^\[org ' "$T/config.ini")" = 20 ] || fail "the config does not have 20 orgs"

# --- the two dashboards ----------------------------------------------------------------------

# ready: an org row with a latency (some org answered) on the current session's screen.
ready() { see_re '│[^│]* [0-9]+ ms│' "$(scaled 20000)" "session $S: an org answered"; }

start_maxdash -s md -x 120 -y 40
ready
# The SAN dashboard logs to its own file: the config is read at start-up only, so it can be
# changed once the first dashboard shows its screen.
sed -i "s|^log_file = .*|log_file = $T/auth-failures-san.jsonl|" "$T/config.ini"
SAVED_MAXDASH=$MAXDASH
MAXDASH=$SAN_MAXDASH
start_maxdash -s san -x 120 -y 40
MAXDASH=$SAVED_MAXDASH
ready
MD_PID=$(maxdash_pid md)
SAN_PID=$(maxdash_pid san)
T0=$(now_ms)
log "normal build pid $MD_PID, SAN build pid $SAN_PID, run ${RUN_S}s, warm-up ${WARMUP_S}s or more, chaos every ${CHAOS_S}s (seed $SEED)"

# --- measuring -------------------------------------------------------------------------------

# rss_kb PID and fd_count PID, with shell builtins only (a sample every second for ten minutes).
rss_kb() {
    local k v _
    while read -r k v _; do
        [ "$k" = VmRSS: ] && { echo "$v"; return 0; }
    done <"/proc/$1/status"
    echo -1
}
fd_count() {
    local f=(/proc/"$1"/fd/*)
    [ "${f[0]}" != "/proc/$1/fd/*" ] || { echo -1; return; }   # no such process
    echo ${#f[@]}
}
alive() {
    local s pid
    for s in md san; do
        pid=$(maxdash_pid $s)
        kill -0 "$pid" 2>/dev/null || { use_session $s; fail "maxdash ($s) is gone after $(( ($(now_ms) - T0) / 1000 )) s"; }
    done
}

# The keys, one step per turn, to both dashboards; stateful but harmless wherever they land.
# "answer" steps check that ? opens and Esc closes the help (5 s: the SAN build is slower).
STEPS=(j j Enter Enter Escape n p "/an" Enter Escape BTab a "Tab Tab" Enter Escape Tab
       m m answer G g k r R "resize 100 30" "resize 120 40" o o y)
step_n=0
answer() {
    keys '?'
    wait_for "Help (Esc closes)" "$(scaled 5000)" || fail "session $S: ? did not open the help"
    keys Escape
    wait_gone "Help (Esc closes)" "$(scaled 5000)" || fail "session $S: Esc did not close the help"
}
do_step() {
    local step=${STEPS[$((step_n % ${#STEPS[@]}))]} s k c l
    step_n=$((step_n + 1))
    for s in md san; do
        use_session $s
        case $step in
        answer) answer ;;
        resize*) read -r _ c l <<<"$step"; resize "$c" "$l" ;;
        /*) keys /; type_text "${step#/}" ;;
        *) for k in $step; do keys "$k"; done ;;
        esac
    done
}

: >"$T/r7.samples"   # t_s md_rss_kb md_fds san_rss_kb san_fds
BASE_RSS='' BASE_FD='' BASE_AT=''
MAX_RSS=0 MAX_AT=0 MIN_FD=999999 MAX_FD=0
sample() {
    local t rss fd srss sfd
    t=$(( ($(now_ms) - T0) / 1000 ))
    rss=$(rss_kb "$MD_PID"); fd=$(fd_count "$MD_PID")
    srss=$(rss_kb "$SAN_PID"); sfd=$(fd_count "$SAN_PID")
    echo "$t $rss $fd $srss $sfd" >>"$T/r7.samples"
    if [ -z "$BASE_RSS" ]; then
        # The descriptors' baseline: the fewest in the last 5 samples of the warm-up (requests in
        # flight at the baseline moment would hold connections open for a moment).
        if [ "$t" -ge $((WARMUP_S - 4)) ] && [ "$fd" -ge 0 ] && { [ -z "$BASE_FD" ] || [ "$fd" -lt "$BASE_FD" ]; }; then
            BASE_FD=$fd
        fi
        if [ "$t" -ge $WARMUP_S ] && [ $step_n -ge ${#STEPS[@]} ]; then
            BASE_RSS=$rss BASE_AT=$t
            log "baseline at ${t}s: normal RSS $rss kB, $BASE_FD descriptors ($fd now); SAN RSS $srss kB, $sfd descriptors"
        fi
        return 0
    fi
    [ "$rss" -gt "$MAX_RSS" ] && { MAX_RSS=$rss; MAX_AT=$t; }
    [ "$fd" -lt "$MIN_FD" ] && MIN_FD=$fd
    [ "$fd" -gt "$MAX_FD" ] && MAX_FD=$fd
    return 0
}

# --- the run ---------------------------------------------------------------------------------

END=$((T0 + RUN_S * 1000))
next_sample=$T0 next_key=$T0
while :; do
    _now
    [ "$NOW_MS" -lt "$END" ] || break
    if [ "$NOW_MS" -ge "$next_sample" ]; then
        alive
        sample
        next_sample=$((next_sample + 1000))
    fi
    if [ "$NOW_MS" -ge "$next_key" ]; then
        do_step
        _now
        if [ -n "$BASE_RSS" ]; then next_key=$((NOW_MS + KEY_EVERY_MS)); else next_key=$((NOW_MS + WARMUP_KEY_MS)); fi
    fi
    nap 0.05
done
[ -n "$BASE_RSS" ] || fail "no baseline sample (the run is shorter than the warm-up)"
alive
# Both still answer at the end of the chaos.
use_session md; answer
use_session san; answer
grep -c 'chaos:' "$T/sandbox.err" >"$T/chaos.count" || true
log "chaos changes made: $(cat "$T/chaos.count"); key steps typed: $step_n (to each dashboard)"

# --- chaos off: the sandbox again on the same port, without --chaos --------------------------

kill -TERM "$SANDBOX_PID"
sandbox_gone() { ! kill -0 "$SANDBOX_PID" 2>/dev/null; }
wait_until "$(scaled 5000)" sandbox_gone || fail "the chaos sandbox did not stop"
wait "$SANDBOX_PID" 2>/dev/null
mv "$T/sandbox.err" "$T/sandbox-chaos.err"
OLD_PORT=$PORT
start_sandbox "$T/r7.json" --port "$OLD_PORT" --rate-limit 3000/60 --quiet
[ "$PORT" = "$OLD_PORT" ] || fail "the sandbox came back on port $PORT, not $OLD_PORT"
t_off=$(now_ms)
# Both dashboards are back at work on the new sandbox: at least two refresh rounds of both
# (20 orgs x 2 requests x 2 rounds x 2 dashboards) served.
served() { [ "$(ctl GET /_sandbox/stats | json_number total)" -ge 160 ]; }
wait_until "$(scaled 20000)" served || fail "the dashboards did not come back to the restarted sandbox: $(ctl GET /_sandbox/stats)"
log "the dashboards are back at work $(( $(now_ms) - t_off )) ms after the chaos stopped"

# Settle: the descriptors come back to the baseline count (polled every 10 ms, sampled).
END_FD=''
settled() {
    local fd
    fd=$(fd_count "$MD_PID")
    if [ "$(now_ms)" -ge "$next_sample" ]; then sample; next_sample=$(( $(now_ms) + 1000 )); fi
    END_FD=$fd
    [ "$fd" -ge 0 ] && [ "$fd" -le "$BASE_FD" ]
}
next_sample=$(now_ms)
if wait_until "$(scaled $SETTLE_MS)" settled; then
    log "descriptors back to $END_FD (baseline $BASE_FD) $(( $(now_ms) - t_off )) ms after the chaos stopped"
    FD_OK=1
else
    log "descriptors still $END_FD (baseline $BASE_FD) $SETTLE_MS ms after the chaos stopped; by target:"
    find "/proc/$MD_PID/fd" -mindepth 1 -printf '%l\n' | sed 's/:\[[0-9]*\]$//' | sort | uniq -c | sed 's/^/    /'
    FD_OK=0
fi
alive
sample
END_RSS=$(rss_kb "$MD_PID")
use_session md; answer
use_session san; answer

# --- the verdict -----------------------------------------------------------------------------

GROWTH=$((MAX_RSS - BASE_RSS))
awk -v from="$BASE_AT" '$1 >= from { n++; s += $2 } END { if (n) printf "normal RSS mean after the baseline: %d kB over %d samples\n", s / n, n }' "$T/r7.samples"
log "normal build: RSS baseline $BASE_RSS kB (at ${BASE_AT}s), max $MAX_RSS kB (at ${MAX_AT}s), end $END_RSS kB: growth $GROWTH kB (limit $RSS_LIMIT_KB kB)"
log "normal build: descriptors baseline $BASE_FD, min $MIN_FD, max $MAX_FD during the run, end $END_FD"
awk -v from="$BASE_AT" '$1 >= from { if (!n++) { b = $4; bf = $5 } if ($4 > m) m = $4; if ($5 > mf) mf = $5; e = $4; ef = $5 }
    END { printf "SAN build (not judged): RSS baseline %d kB, max %d kB, end %d kB; descriptors baseline %d, max %d, end %d\n", b, m, e, bf, mf, ef }' "$T/r7.samples"
# The RSS curve: the largest sample of each tenth of the run.
awk -v n="$RUN_S" '{ b = int($1 * 10 / (n + 1)); if ($2 > m[b]) m[b] = $2 } END { line = "normal RSS by tenth of the run (max kB):"; for (i = 0; i < 10; i++) line = line " " m[i]; print line }' "$T/r7.samples"

[ "$GROWTH" -le $RSS_LIMIT_KB ] || fail "RSS grew by $GROWTH kB after the warm-up (limit $RSS_LIMIT_KB kB)"
[ "$FD_OK" = 1 ] || fail "the descriptors did not come back to the baseline $BASE_FD within $SETTLE_MS ms of the chaos stopping (still $END_FD)"
log "ok"
