# Issue 13: a refresh storm. Failures arrive at least every 200 ms on average (sandbox faults
# make every request of the seven orgs fail, each org refreshed every 2 s, their answers
# staggered) and keep regrouping the
# failures pane, while the test moves the selection and copies: each of 100 consecutive copies
# must be a trace_id of the group highlighted when y was pressed (checked through maxdash's own
# log: the highlighted row's trace_id and the copied one belong to the same org, path and status).
. "$MAXDASH_SRC/tests/e2e/lib.sh"

start_sandbox
# me_every = 1: /marketplace/me at every refresh too (issue 20 sends it every 10th), so that
# both paths of every org fail each cycle.
write_config "refresh = 2" "rate_budget = 1000" "me_every = 1"
# Each org answers a little later than the one before, so that the failures of a refresh cycle
# arrive one after another rather than together.
ms=0
for o in westla eastside north south hostile big harbor; do
    ctl POST /_sandbox/faults "{\"fault\": \"latency\", \"org\": \"org_$o\", \"ms\": $ms}" >/dev/null
    ms=$((ms + 150))
done
# Every request of every org fails: fourteen groups (two paths of seven orgs).
for f in '"org": "org_westla", "status": 401' '"org": "org_south", "status": 403' \
         '"org": "org_hostile", "status": 401' '"org": "org_big", "status": 403' \
         '"org": "org_north", "path": "/marketplace/me", "status": 401' \
         '"org": "org_harbor", "path": "/marketplace/me", "status": 401'; do
    ctl POST /_sandbox/faults "{\"fault\": \"status\", $f}" >/dev/null
done
start_maxdash -x 160 -y 72 -e NO_COLOR=1
RAW=$T/md.raw
LOGF=$T/auth-failures.jsonl
TRACE_RE='[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
see "Auth failures (14)" 15000 "the fourteen storm groups are listed"

copies() { LC_ALL=C grep -ao $'\e]52;c;' "$RAW" | wc -l; }
copied_since() { [ "$(copies)" -gt "$1" ]; }   # a new clipboard write since there were $1
last_copy() {
    LC_ALL=C grep -ao $'\e]52;c;[A-Za-z0-9+/=]*' "$RAW" | tail -n 1 | sed 's/.*;//' | base64 -d 2>/dev/null
}
# group_of TRACE: "org path status" of the logged failure with that trace_id.
group_of() {
    grep -F "\"trace_id\":\"$1\"" "$LOGF" | tail -n 1 |
        sed -n 's/.*"org":"\([^"]*\)".*"path":"\([^"]*\)".*"http_status":\([0-9]*\).*/\1 \2 \3/p'
}
# The highlighted row's trace_id (the focused pane draws its selection in reverse video).
selected_trace() {
    screen_e | grep -aE $'\e\\[(0;)?7m' | grep -aoE "$TRACE_RE" | tail -n 1
}

# hl: one capture of the failures pane; HL_ROW the highlighted row's place (1 for the first),
# HL_TRACE its trace_id, HL_GROUP its group ("org path status" from the log).
hl() {
    local line
    line=$(screen_e | sed -n '/Auth failures (/,$p' | grep -anE $'\e\\[(0;)?7m' | grep -aE "$TRACE_RE" | head -n 1)
    HL_ROW=$(( ${line%%:*} - 1 ))
    HL_TRACE=$(printf '%s' "$line" | grep -aoE "$TRACE_RE" | tail -n 1)
    HL_GROUP=''
    [ -n "$HL_TRACE" ] && HL_GROUP=$(group_of "$HL_TRACE")
    return 0
}

keys Tab Tab
see "Auth failures ("
lines0=$(wc -l <"$LOGF")
start_ms=$(now_ms)
for i in $(seq 1 100); do
    # j or k at random, never off the ends of the list: every move selects another group. (A
    # group that fails again jumps to the top, so its row changes all the time: when the row
    # changed between the look and the key, k on the first row does nothing; look again.)
    moved=0
    for attempt in 1 2 3 4 5; do
        hl
        [ -n "$HL_GROUP" ] || fail "copy $i: no highlighted failure row (or its trace_id is not in the log)"
        prev=$HL_GROUP
        if [ "$HL_ROW" -le 1 ]; then keys j
        elif [ "$HL_ROW" -ge 14 ]; then keys k
        elif [ $((RANDOM % 2)) = 0 ]; then keys j
        else keys k; fi
        # The screen after the move: the highlight is on another group.
        deadline=$(($(now_ms) + 1000))
        while [ "$(now_ms)" -lt "$deadline" ]; do
            hl
            if [ -n "$HL_GROUP" ] && [ "$HL_GROUP" != "$prev" ]; then moved=1; break; fi
            nap 0.01
        done
        [ $moved = 1 ] && break
    done
    [ $moved = 1 ] || fail "copy $i: five moves did not move the highlight to another group (still $HL_TRACE: '$HL_GROUP')"
    shown=$HL_TRACE shown_group=$HL_GROUP
    # The user's reaction time: failures keep arriving meanwhile.
    nap "$(printf "0.%03d" $((RANDOM % 150)))"   # 0 to 149 ms
    n0=$(copies)
    keys y
    wait_until 2000 copied_since "$n0" || fail "copy $i: y wrote no OSC 52"
    got=$(last_copy)
    got_group=$(group_of "$got")
    [ "$got_group" = "$shown_group" ] ||
        fail "copy $i: y copied $got ($got_group) while the highlighted row was $shown ($shown_group)"
done
secs=$((($(now_ms) - start_ms) / 1000))
arrived=$(($(wc -l <"$LOGF") - lines0))
log "ok: 100 copies matched the highlighted group; $arrived failures arrived in ${secs} s"
[ "$arrived" -ge $((secs * 5)) ] || fail "only $arrived failures in $secs s: not a storm (want one per 200 ms)"
