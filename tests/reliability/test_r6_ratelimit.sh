# R6 rate limits (issue 7): the sandbox allows 30 requests per 60 s (sliding window, per app);
# 40 orgs of that one app refresh every 2 s (rate_budget left at its default, 100 a minute, so
# maxdash wants more than the server allows). The dashboard runs for 3 minutes (REL_SHORT=1: 75 s,
# which still holds the first 429, its whole wait and the resumption after it; the window is the
# issue's 30/60, not shrunk). Passes when:
#
#  (a) no request of the app arrives before the Retry-After of a 429 that maxdash had received.
#      The contract (maxcare-v1.md): Retry-After is "seconds to wait" on a 429; DESIGN.md: the
#      engine honours it per app. So for every 429 Q (arrival t_Q at the sandbox, Retry-After
#      R_Q) that maxdash received at W_Q, every request of the app that arrives after W_Q must
#      arrive at or after t_Q + R_Q. Measured as:
#        - t_Q and every arrival: the sandbox's request list (GET /_sandbox/requests, t_ms);
#        - R_Q: the sandbox does not record the Retry-After it sent (if its request list ever
#          has a "retry_after" field, that is used), so it is recomputed as
#          src/sandbox/ratelimit.c and server.c compute it, from the admitted requests (any
#          status but 429) before Q: the window's oldest leaves it at o + 60 s, and
#          R_Q = max(1, ceil((o + 60 s - now) / 1 s)); every doubt (when the sandbox decided,
#          the order its threads decided in, the clocks' rounding) goes to maxdash (r6.awk);
#        - W_Q: maxdash's own record of that 429 in its log file (every failure is logged, with
#          the time the answer was read and the latency since the transfer was started; matched
#          by org, path and start <= t_Q <= read).
#      A request that arrives after W_Q but was started by maxdash before W_Q was already on its
#      way (a burst is written out over ~100 ms, and the sandbox stamps a request when its
#      connection thread reads it): counted and reported, not failed. Its start time is exact
#      for a request maxdash logged (every 429 it read); for any other (a 200 in the last
#      second of a wait, a transfer maxdash cancelled) it counts as already on its way when it
#      arrived within GRACE_MS of W_Q.
#      A 429 that maxdash never read (a transfer it cancelled) obliges nothing and is counted.
#  (b) in every sliding 60 s window at most limit + 1 = 31 requests of the app ARRIVE (any
#      answer, 429s included), from the first request to the end of the run.
#  (c) the Orgs pane shows the rate-limited state ("429 Ns") while maxdash waits, and its
#      countdown runs by itself (down by 3 s or more within 8 s, no key pressed); keys keep
#      answering during the wait: j/k move the selection (timed from send-keys to the screen
#      that shows it, limit KEY_LIMIT_MS), ? and Esc open and close the help; r, R, n and p ask
#      for requests the wait must hold back. After the resumption, once r01 shows its patients,
#      the test starts a wait of its own for the requests outside the refresh schedule: a
#      sandbox fault answers the next request with a 429 and Retry-After 20 s (count 1; the
#      analysis uses that Retry-After for it), Enter opens a patient (maxdash sends its request
#      at once, or holds it when its budget says the window is full), Esc, Enter again: that
#      second patient request falls under (a) like any other.
#  (d) maxdash resumes after the wait: requests of its own are admitted again after the first
#      429's Retry-After, and the Orgs pane shows orgs healthy again.
#
# To make the 429 certain whatever maxdash does (even a client that learnt the limit from the
# first X-RateLimit-* headers and never overran it), other traffic of the same app first uses 29
# of the window's 30 requests (to an org that is not in maxdash's config: "the app's own
# production traffic", which DESIGN.md says shares the limit). maxdash needs more than one
# request, so it meets a 429; a client whose first move is one refresh (2 requests) still keeps
# the first window at 31. Those 29 arrivals count in (b).
# shellcheck source=SCRIPTDIR/../e2e/lib.sh
. "$MAXDASH_SRC/tests/e2e/lib.sh"

LIMIT=30
WINDOW_S=60
NORGS=40
PREFILL=$LIMIT      # requests of the app's other traffic before maxdash starts (the whole window)
GRACE_MS=500        # an unlogged arrival this soon after maxdash read a 429 was on its way
KEY_LIMIT_MS=1000   # a key must change the screen within this (generous: 2 cores, a fuzzer)
if [ "${REL_SHORT:-0}" = 1 ]; then RUN_S=75; else RUN_S=180; fi

# --- data and config -------------------------------------------------------------------------

# One app, one key (the demo key, a canary for the leak checks), 40 orgs with a few patients,
# and org_prod for the "production traffic" that is not maxdash's.
{
    printf '{"apps": [{"id": "app_demo", "slug": "demo-app", "liveVersionId": "ver_1"}],\n'
    printf ' "keys": [{"value": "%s", "app": "app_demo", "scopes": ["read:patients"]}],\n' "$DEMO_KEY"
    printf ' "orgs": [{"id": "org_prod", "installs": [{"app": "app_demo", "scopes": ["read:patients"]}]}'
    for i in $(seq 1 $NORGS); do
        printf ',\n  {"id": "org_r%02d", "installs": [{"app": "app_demo", "scopes": ["read:patients"]}],' "$i"
        printf ' "patients": {"generate": 60, "seed": %d}}' "$i"
    done
    printf ']}\n'
} >"$T/r6.json"
KEY_FILES="$T/r6.json $T/prod.headers"

start_sandbox "$T/r6.json" --rate-limit "$LIMIT/$WINDOW_S"

# The config: the one key, from its environment variable.
{
    echo "; R6: 40 orgs of one app, refresh 2, default rate_budget"
    echo "[maxdash]"
    echo "base_url = $BASE/v1"
    echo "log_file = $T/auth-failures.jsonl"
    echo "refresh = 2"
    echo "timeout = 10"
    echo
    echo '[key "demo"]'
    echo 'env = MAXDASH_DEMO_KEY'
    for i in $(seq 1 $NORGS); do
        printf '\n[org "r%02d"]\nid = org_r%02d\nkey = demo\n' "$i" "$i"
    done
} >"$T/config.ini"

# --- the app's other traffic uses all but one request of the window ----------------------

prefill() {
    local -; set +x
    printf 'Authorization: Bearer %s\nX-Organization-Id: org_prod\n' "$DEMO_KEY" >"$T/prod.headers"
    local urls=() i
    for i in $(seq 1 $PREFILL); do urls+=(-o /dev/null "$BASE/v1/marketplace/me"); done
    curl -sS --max-time 10 -H @"$T/prod.headers" -w '%{http_code}\n' "${urls[@]}" \
        >"$T/prefill.codes" || fail "the prefill requests failed"
    rm -f "$T/prod.headers"
}
rm -f "$T/r6.verdict"
prefill
[ "$(grep -c '^200$' "$T/prefill.codes")" = $PREFILL ] ||
    fail "the prefill got $(tr '\n' ' ' <"$T/prefill.codes") instead of $PREFILL times 200"

# --- the dashboard ---------------------------------------------------------------------------

start_maxdash -x 120 -y 50
T0=$(now_ms)
END=$((T0 + RUN_S * 1000))

# (c) the rate-limited state: an org row ends in "429 Ns".
ORG_429_RE='r[0-9]{2} +429 [0-9]+s│'
see_re "$ORG_429_RE" "$(scaled 10000)" "an org shown rate limited (429 with its countdown)"
log "rate-limited state on screen $(( $(now_ms) - T0 )) ms after start: $(screen_line '429 ' | sed 's/│[^│]*$//')"
first_countdown=$(printf '%s\n' "$SCREEN" | grep -oE "$ORG_429_RE" | head -n 1 | grep -oE '[0-9]+s' | tr -d s)

# press KEY TITLE_ORG: the key, then the Organization pane's title must name TITLE_ORG within
# KEY_LIMIT_MS (polled, timed from before send-keys to the capture that shows it).
KEY_MAX=0 KEY_N=0
press() {
    local key=$1 want="Organization ─ $2 " t0 ms
    _now; t0=$NOW_MS
    keys "$key"
    wait_for "$want" $((KEY_LIMIT_MS * 4)) || fail "after '$key' the screen did not show '$want' within $((KEY_LIMIT_MS * 4)) ms"
    _now; ms=$((NOW_MS - t0))
    [ "$ms" -le $KEY_LIMIT_MS ] || fail "key '$key' took $ms ms to move the selection (limit $KEY_LIMIT_MS ms)"
    [ "$ms" -gt $KEY_MAX ] && KEY_MAX=$ms
    KEY_N=$((KEY_N + 1))
}
# timed_overlay KEY TEXT on|off: the key opens (on) or closes (off) an overlay showing TEXT.
timed_overlay() {
    local key=$1 text=$2 how=$3 t0 ms
    _now; t0=$NOW_MS
    keys "$key"
    if [ "$how" = on ]; then
        wait_for "$text" $((KEY_LIMIT_MS * 4)) || fail "'$key' did not show \"$text\""
    else
        wait_gone "$text" $((KEY_LIMIT_MS * 4)) || fail "'$key' did not close \"$text\""
    fi
    _now; ms=$((NOW_MS - t0))
    [ "$ms" -le $KEY_LIMIT_MS ] || fail "key '$key' took $ms ms (limit $KEY_LIMIT_MS ms)"
    [ "$ms" -gt $KEY_MAX ] && KEY_MAX=$ms
    KEY_N=$((KEY_N + 1))
}

# During the first wait: the keys that ask for requests, the help, and the selection.
press j r02
press k r01
timed_overlay '?' "Help (Esc closes)" on
timed_overlay Escape "Help (Esc closes)" off
keys r; keys R; keys n; keys p
press j r02
press k r01
_capture
case $SCREEN in *"429 "*) ;; *) fail "the rate-limited state left the screen while the keys were typed" ;; esac

# The countdown runs by itself: with no key pressed, the first row's "429 Ns" goes down by 3 s
# or more within 8 s (polled). Not fatal at once: the run goes on so (a) and (b) are measured.
PROBLEMS=''
shown_countdown() {
    printf '%s\n' "$SCREEN" | grep -oE "$ORG_429_RE" | head -n 1 | grep -oE '[0-9]+s' | tr -d s
}
countdown_lower() {
    _capture
    local n
    n=$(shown_countdown)
    [ -n "$n" ] && [ "$n" -le $((first_countdown - 3)) ]
}
t_cd=$(now_ms)
if wait_until "$(scaled 8000)" countdown_lower; then
    log "the 429 countdown runs by itself: ${first_countdown}s -> $(shown_countdown)s in $(( $(now_ms) - t_cd )) ms"
else
    log "the 429 countdown did not run by itself: ${first_countdown}s -> $(shown_countdown)s in $(( $(now_ms) - t_cd )) ms"
    PROBLEMS="$PROBLEMS; (c) the Orgs pane's 429 countdown stood still (${first_countdown}s -> $(shown_countdown)s in 8 s without a key)"
fi
# The header's "next Ns" counts the wait too (not "next 0s" while nothing may be sent).
_capture
hdr=$(printf '%s\n' "$SCREEN" | head -n 1)
case $hdr in
*"next 0s"* | *"refreshing"*)
    PROBLEMS="$PROBLEMS; (c) the header shows no wait during the 429's wait: $hdr" ;;
*"next "[1-9]*) log "the header counts the wait: $(printf '%s' "$hdr" | grep -oE 'next [0-9]+s')" ;;
*) PROBLEMS="$PROBLEMS; (c) no countdown in the header: $hdr" ;;
esac

# Until the end, every 2 s or so, timed: j then k (the selection goes to r02 and back to r01), or
# ? then Esc; only the latter once an org is healthy again after the wait (noted), so that r01
# stays selected and its Patients page is fetched as soon as the budget allows. Once r01 shows
# its patients, a wait started by the test for the requests outside the refresh schedule (the
# patient detail view): the next request gets a 429 with Retry-After FAULT_RA_S (a sandbox
# fault, count 1; the analysis knows it), Enter opens a patient (its request is the one that
# meets the fault when maxdash sends it at once), then Esc and Enter again: that second patient
# request must wait for the Retry-After.
FAULT_RA_S=20
RESUMED_AT='' FAULT_MS=0
healthy_re='│● r[0-9]{2} +[0-9]+ ms│'
open_patient() {
    local t0 ms
    keys Enter
    _now; t0=$NOW_MS
    keys Enter
    wait_for "Patient (Esc closes)" $((KEY_LIMIT_MS * 4)) || fail "Enter did not open a patient"
    _now; ms=$((NOW_MS - t0))
    [ "$ms" -le $KEY_LIMIT_MS ] || fail "Enter took $ms ms to open the patient (limit $KEY_LIMIT_MS ms)"
    timed_overlay Escape "Patient (Esc closes)" off
    keys BTab   # back to the Orgs pane
    wait_for "Organization ─ r01 " || fail "the Organization pane left r01"
}
fault_used() { ! ctl GET /_sandbox/faults | grep -q '"status"'; }
round=0
while :; do
    _now; [ "$NOW_MS" -lt "$END" ] || break
    round=$((round + 1))
    if [ $((round % 2)) = 1 ] && [ -z "$RESUMED_AT" ]; then
        press j r02; press k r01
    else
        timed_overlay '?' "Help (Esc closes)" on; timed_overlay Escape "Help (Esc closes)" off
    fi
    if [ -z "$RESUMED_AT" ] && printf '%s\n' "$SCREEN" | grep -Eq "$healthy_re"; then
        RESUMED_AT=$(( $(now_ms) - T0 ))
        log "an org is healthy again on screen at +$RESUMED_AT ms"
    fi
    if [ -n "$RESUMED_AT" ] && [ "$FAULT_MS" = 0 ] &&
        printf '%s\n' "$SCREEN" | grep -q "Organization ─ r01 " &&
        printf '%s\n' "$SCREEN" | grep -q "Patients ─ 60 "; then
        FAULT_MS=$(now_ms)
        ctl POST /_sandbox/faults "{\"fault\": \"status\", \"status\": 429, \"retry_after\": $FAULT_RA_S, \"count\": 1}" >/dev/null
        open_patient
        if wait_until 3000 fault_used; then
            open_patient
            log "at +$((FAULT_MS - T0)) ms: a 429 with Retry-After ${FAULT_RA_S}s for the next request; a patient opened, closed, opened again"
        else
            log "at +$((FAULT_MS - T0)) ms: a 429 with Retry-After ${FAULT_RA_S}s for the next request; a patient opened: no request met it within 3 s"
        fi
    fi
    # Two seconds between rounds, in short naps so the end is not overshot.
    _now; next=$((NOW_MS + 2000))
    while _now && [ "$NOW_MS" -lt "$next" ] && [ "$NOW_MS" -lt "$END" ]; do nap 0.1; done
done
[ "$FAULT_MS" != 0 ] || log "r01 never showed its patients: the detail view was not tried"
log "keys answered during the run: $KEY_N, slowest $KEY_MAX ms (limit $KEY_LIMIT_MS ms)"
[ -n "$RESUMED_AT" ] || PROBLEMS="$PROBLEMS; (d) no org was shown healthy again within ${RUN_S}s"

# --- the analysis ----------------------------------------------------------------------------

ctl GET /_sandbox/requests >"$T/requests.json"
# One request per line: t_ms unix_ms org path status app outcome retry_after (-1: not recorded;
# the sandbox does not record it yet), by arrival.
sed 's/},{/}\n{/g' "$T/requests.json" | awk '
    function str(k,   m) { if (match($0, "\"" k "\": *\"[^\"]*\"")) { m = substr($0, RSTART, RLENGTH); sub(/^[^:]*: *"/, "", m); sub(/"$/, "", m); return m } return "-" }
    function num(k,   m) { if (match($0, "\"" k "\": *[0-9.eE+-]+")) { m = substr($0, RSTART, RLENGTH); sub(/^[^:]*: */, "", m); return m + 0 } return -1 }
    /"seq"/ { printf "%.3f %.0f %s %s %d %s %s %d\n", num("t_ms"), num("unix_ms"), str("org"), str("path"), num("status"), str("app"), str("outcome"), num("retry_after") }' |
    sort -g -k1,1 >"$T/requests.tsv"
[ -s "$T/requests.tsv" ] || fail "the sandbox recorded no requests"

# maxdash's 429s from its log: answer time (unix ms), org id, path, latency.
grep '"http_status":429' "$T/auth-failures.jsonl" 2>/dev/null >"$T/log429.jsonl"
sed -n 's/.*"time":"\([^"]*\)".*/\1/p' "$T/log429.jsonl" >"$T/log429.times"
if [ -s "$T/log429.times" ]; then
    date -u -f "$T/log429.times" +%s%3N >"$T/log429.ms" || fail "could not read the log's times"
else
    : >"$T/log429.ms"
fi
sed 's/.*"org_id":"\([^"]*\)".*"path":"\([^"]*\)".*"latency_ms":\([0-9]*\).*/\1 \2 \3/' "$T/log429.jsonl" |
    paste -d ' ' "$T/log429.ms" - >"$T/log429.tsv"

# The analysis (awk, the two files above): prints the report, writes the verdict words.
cat >"$T/r6.awk" <<'AWK'
FILENAME == ARGV[1] { lw[++nl] = $1; lorg[nl] = $2; lpath[nl] = $3; llat[nl] = $4; next }
$6 != "app_demo" { next }
{ n++; t[n] = $1; u[n] = $2; org[n] = $3; path[n] = $4; st[n] = $5; rec[n] = $8 }
# The fault's 429: the first request after it was set (it answers before the rate limit, so it
# takes no room in the window either); its Retry-After is known.
fault_ms > 0 && !fault_seen && $2 >= fault_ms { fault_seen = n; if (st[n] == 429) { rec[n] = fault_ra; faulted = n } }
function ceil(x,   i) { i = int(x); return (x > i) ? i + 1 : i }
END {
    # W_Q and S_Q: when maxdash read each 429 and when it had started that request, from its
    # log record of it (same org and path, started before the arrival, read after it; 2 ms
    # for the ms rounding of both clocks), on the sandbox's t_ms scale.
    unread = 0; n429 = 0; nmd = 0
    for (i = 1; i <= n; i++) {
        if (org[i] != "org_prod") nmd++
        if (st[i] != 429) continue
        n429++
        if (!first429) first429 = i
        w[i] = -1
        if (org[i] == "org_prod") continue
        for (k = 1; k <= nl; k++) {
            if (used[k] || lorg[k] != org[i] || lpath[k] != path[i]) continue
            if (lw[k] - llat[k] - 2 <= u[i] && u[i] <= lw[k] + 2) {
                w[i] = lw[k] - (u[i] - t[i]); s[i] = w[i] - llat[k]; used[k] = 1; break
            }
        }
        if (w[i] < 0) unread++
    }
    # R_Q: the Retry-After the sandbox sent, when its request list records it; else recomputed
    # as src/sandbox/ratelimit.c and server.c compute it: when the sandbox decided Q (at some d
    # between t_Q and W_Q) its window held 30 admitted requests (any status but 429) and the
    # oldest, o, leaves it at o + 60 s: R = max(1, ceil((o + 60 s - d) / 1 s)). The sandbox's
    # threads may decide in another order than they arrived (an admitted request that arrived
    # after Q may have been decided before it), so o is the 30th newest admitted arrival up to
    # W_Q: none arriving after d can have been admitted before W_Q unless the window freed in
    # between, i.e. unless an admitted request's 60 s ran out between t_Q - 50 ms and W_Q; then
    # the smaller of that and the 30th newest up to t_Q is taken. d is taken as W_Q, less
    # W_Q - t_Q and 2 ms more for the clocks: every doubt goes to maxdash.
    na = 0; nrec = 0; ndiff = 0
    for (i = 1; i <= n; i++) if (st[i] != 429) adm[++na] = t[i]
    for (i = 1; i <= n; i++) {
        if (st[i] != 429) continue
        wq = w[i] >= 0 ? w[i] : t[i]
        ct = 0; cw = 0; amb = 0
        for (k = 1; k <= na; k++) {
            if (adm[k] <= t[i]) ct = k
            if (adm[k] <= wq) cw = k
            if (adm[k] + window >= t[i] - 50 && adm[k] + window <= wq + 2) amb = 1
        }
        if (cw < limit && rec[i] < 0) { printf "the 429 at %.0f ms came with only %d admitted requests before it\n", t[i], cw; bad = 1; ra[i] = 1; continue }
        calc = cw >= limit ? ceil((adm[cw - limit + 1] + window - wq - (wq - t[i]) - 2) / 1000) : 1
        if (amb) {
            alt = ct >= limit ? ceil((adm[ct - limit + 1] + window - wq - 2) / 1000) : 1
            if (alt < calc) calc = alt
        }
        if (calc < 1) calc = 1
        if (rec[i] >= 0) { if (i != faulted) { nrec++; if (rec[i] != calc) ndiff++ } ra[i] = rec[i] } else ra[i] = calc
    }
    # (a) every arrival after maxdash read a 429 Q and before Q's Retry-After instant must have
    # been started by maxdash before it read Q. Known exactly for a request maxdash logged
    # (every 429 it read); for any other (a 200 in the last second of the wait, a transfer it
    # cancelled) it counts as started before when it arrived within GRACE_MS of W_Q.
    viol = 0; inflight = 0; latest = 0
    for (i = 1; i <= n; i++) {
        if (st[i] != 429 || org[i] == "org_prod" || w[i] < 0) continue
        until = t[i] + ra[i] * 1000
        for (j = 1; j <= n; j++) {
            if (t[j] <= w[i] || t[j] >= until || org[j] == "org_prod") continue
            if (st[j] == 429 && w[j] >= 0) before = s[j] < w[i] + 2
            else before = t[j] < w[i] + grace
            if (before) {
                if (!seenif[j]++) inflight++
                if (t[j] - w[i] > latest) latest = t[j] - w[i]
                continue
            }
            if (!seenv[j]++) {
                viol++
                if (viol <= 10)
                    printf "VIOLATION (a): %s %s arrived at %.0f ms (status %d, %s), %.0f ms after maxdash read the 429 of %s %s (arrived %.0f ms, Retry-After %d s: not before %.0f ms)\n", org[j], path[j], t[j], st[j], (st[j] == 429 && w[j] >= 0) ? sprintf("started %.0f ms after that", s[j] - w[i]) : "not in the log of maxdash", t[j] - w[i], org[i], path[i], t[i], ra[i], until
            }
        }
    }
    # (b) the most arrivals in any sliding window [t, t + 60 s).
    maxw = 0; lo = 1
    for (i = 1; i <= n; i++) {
        while (t[i] - t[lo] >= window) lo++
        if (i - lo + 1 > maxw) { maxw = i - lo + 1; maxat = t[lo] }
    }
    # The same for the windows that begin after the first Retry-After instant (steady state).
    steady = 0; resumed = 0
    if (first429) {
        from = t[first429] + ra[first429] * 1000; lo = 0
        for (i = 1; i <= n; i++) {
            if (t[i] < from) continue
            if (!lo) lo = i
            while (t[i] - t[lo] >= window) lo++
            if (i - lo + 1 > steady) { steady = i - lo + 1; steadyat = t[lo] }
        }
        # (d) resumption: maxdash requests admitted after that instant.
        for (i = 1; i <= n; i++) if (t[i] >= from && st[i] != 429 && org[i] != "org_prod") { if (!resumed) resumedat = t[i]; resumed++ }
    }
    printf "requests of the app: %d (maxdash %d, other traffic %d), 429s: %d (%d not read by maxdash)\n", n, nmd, n - nmd, n429, unread
    if (nrec) printf "Retry-After recorded by the sandbox for %d 429s; the recomputation differs for %d\n", nrec, ndiff
    if (faulted) printf "the fault 429 (Retry-After %d s): %s %s arrived at %.0f ms, maxdash read it %s\n", fault_ra, org[faulted], path[faulted], t[faulted], (w[faulted] >= 0 ? sprintf("at %.0f ms", w[faulted]) : "never")
    if (first429) printf "first 429 at %.0f ms, Retry-After %d s: nothing before %.0f ms; maxdash resumed at %.0f ms (%d admitted after it)\n", t[first429], ra[first429], t[first429] + ra[first429] * 1000, resumedat, resumed
    printf "most arrivals in a 60 s window: %d (from %.0f ms); after the first wait: %d (from %.0f ms); allowed %d\n", maxw, maxat, steady, steadyat, limit + 1
    printf "arrivals after maxdash read a 429 of requests it had started before (in flight): %d, the latest %.0f ms after; violations of (a): %d\n", inflight, latest, viol
    verdict = ""
    if (!first429) verdict = verdict " no-429"
    if (viol) verdict = verdict " retry-after"
    if (maxw > limit + 1) verdict = verdict " window"
    if (!resumed) verdict = verdict " no-resume"
    if (bad) verdict = verdict " reconstruction"
    print verdict > out
}
AWK
awk -v limit=$LIMIT -v window=$((WINDOW_S * 1000)) -v grace=$GRACE_MS -v out="$T/r6.verdict" \
    -v fault_ms="$FAULT_MS" -v fault_ra=$FAULT_RA_S \
    -f "$T/r6.awk" "$T/log429.tsv" "$T/requests.tsv" >"$T/r6.report" || { cat "$T/r6.report"; fail "the analysis failed"; }
cat "$T/r6.report"
[ -f "$T/r6.verdict" ] || fail "the analysis wrote no verdict"

# Per 10 s: arrivals by status (the shape of the run).
awk '$6 == "app_demo" { b = int($1 / 10000) * 10; k = b " " ($5 == 429 ? "429" : "ok"); c[k]++; if (!(b in seen)) { seen[b] = 1; order[++nb] = b } }
     END { line = "arrivals per 10 s (ok/429):"; for (i = 1; i <= nb; i++) line = line sprintf(" %ds:%d/%d", order[i], c[order[i] " ok"], c[order[i] " 429"]); print line }' \
    "$T/requests.tsv"

verdict=$(cat "$T/r6.verdict")
case " $verdict " in *" no-429 "*) fail "no 429 at all: the prefilled window did not limit maxdash" ;; esac
case " $verdict " in *" reconstruction "*) fail "the sandbox's window could not be reconstructed from its request list" ;; esac
case " $verdict " in *" retry-after "*) PROBLEMS="$PROBLEMS; (a) requests arrived before a Retry-After that maxdash had read (above)" ;; esac
case " $verdict " in *" no-resume "*) PROBLEMS="$PROBLEMS; (d) maxdash never had a request admitted after the first Retry-After" ;; esac
case " $verdict " in *" window "*) PROBLEMS="$PROBLEMS; (b) more than $((LIMIT + 1)) requests of the app arrived within one 60 s window (above)" ;; esac
[ -z "$PROBLEMS" ] || fail "${PROBLEMS#; }"
log "ok"
