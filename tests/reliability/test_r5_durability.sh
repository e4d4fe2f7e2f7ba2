# R5 durability (issue 7): `kill -9` during a burst of 500 failures. Every failure that had been
# drawn is in the log file; the file has no torn line except possibly the last, which the next
# start reports and skips.
#
# How: 250 orgs spread over 16 keys the sandbox does not know (each key is its own rate budget
# while /marketplace/me fails; 16 orgs a key fit rate_budget = 1000 with refresh = 2), plus a
# status fault answering every /patients with 403: each refresh cycle is a burst of 250 401s
# and 250 403s, 500 failures, all logged.
# Round 0 measures how fast maxdash logs such a burst when every answer comes back at once (no
# kill). Then a latency fault per org (org i answers i * 8 ms late) spreads each burst over 2 s,
# so that the pane is drawn many times during it. In each kill round the dashboard starts on a
# fresh log file; while the burst runs the screen (the Auth-failures pane: 17 rows of whole
# trace_ids in 200x80) is captured as fast as the tmux control client allows, and once the
# pane's count reaches a random-ish target, maxdash gets SIGKILL. Then:
#   - every line but the last parses: `maxdash log --json` (the product's own reader) reports
#     nothing, or exactly one torn record on the last line, and prints lines (- 1) records;
#   - every trace_id that was ever on the screen is in a whole record of the log;
#   - a torn last line: when the kill did not tear one (one write() per record: it practically
#     never does), the test truncates the last record mid-line itself, as a separate, announced
#     step. `maxdash log` must then say "FILE:LINE: torn record skipped" for exactly that line,
#     the next dashboard start must say the same on its status line, and the failures it appends
#     come as whole lines after the torn one (the torn text stays alone on its line, byte for
#     byte; every later line is a record; maxdash log still names only that line).
# Rounds: REL_SHORT=1 two kills, else six, at targets spread over the burst. The failures
# logged per second are printed for round 0 and for each kill round (from the records' times).
# shellcheck shell=bash source-path=SCRIPTDIR source=../e2e/lib.sh disable=SC2119
. "$MAXDASH_SRC/tests/e2e/lib.sh"

if [ "${REL_SHORT:-0}" = 1 ]; then ROUNDS=2; else ROUNDS=6; fi
NORGS=250
NKEYS=16
COLS=200
LINES_=80
UUID_RE='[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'

# write_burst_config LOG_FILE: $T/config.ini for the 250 orgs, logging to LOG_FILE. The keys are
# made up here (never valid anywhere); inline values need the 0600 file umask 077 gives.
write_burst_config() {
    awk -v n="$NORGS" -v nk="$NKEYS" -v base="$BASE/v1" -v logf="$1" 'BEGIN {
        printf "; R5 burst: %d orgs, %d unknown keys\n[maxdash]\nbase_url = %s\nrefresh = 2\n", n, nk, base
        printf "timeout = 10\nrate_budget = 1000\nlog_file = %s\n", logf
        for (k = 1; k <= nk; k++)
            printf "\n[key \"k%02d\"]\nvalue = max_dev_ak_R5burstUnknownKey%04d\n", k, k
        # Every demo key that the wrapper of the pane exports, unused, so that maxdash scrubs all
        # from its environment (the teardown looks for them in /proc/PID/environ).
        printf "\n[key \"demo\"]\nenv = MAXDASH_DEMO_KEY\n[key \"revoked\"]\nenv = MAXDASH_DEMO_REVOKED_KEY\n"
        printf "[key \"scheduler\"]\nenv = MAXDASH_DEMO_APPTS_KEY\n"
        for (i = 1; i <= n; i++)
            printf "\n[org \"o%03d\"]\nid = org_r5_%03d\nkey = k%02d\n", i, i, (i - 1) % nk + 1
    }' >"$T/config.ini"
}

# log_records OUT ERR: `maxdash log --json` of the config's log file.
log_records() {
    env -i PATH="$PATH" LANG=C.UTF-8 TZ=UTC HOME="$T" "$MAXDASH" log -c "$T/config.ini" --json \
        >"$1" 2>"$2"
}
# lines_of FILE: the number of lines, a last line without '\n' included (0: no file).
lines_of() { if [ -f "$1" ]; then awk 'END { print NR }' "$1"; else echo 0; fi; }
ends_in_newline() { [ ! -s "$1" ] || [ "$(tail -c 1 "$1" | od -An -c | tr -d ' ')" = '\n' ]; }
# rate_of JSON_LINES: "N failures in MS ms = R failures/s", from the first and last record's time.
rate_of() {
    local n first last ms
    n=$(grep -c . "$1")
    first=$(head -n 1 "$1" | sed -n 's/^{"time":"\([^"]*\)".*/\1/p')
    last=$(tail -n 1 "$1" | sed -n 's/^{"time":"\([^"]*\)".*/\1/p')
    ms=$(( $(date -u -d "$last" +%s%3N) - $(date -u -d "$first" +%s%3N) ))
    [ "$ms" -gt 0 ] || ms=1
    echo "$n failures in $ms ms = $(( (n - 1) * 1000 / ms )) failures/s"
}

start_sandbox
# Every /patients answers 403 (faults come before the key check); /marketplace/me answers 401
# for the unknown keys.
ctl POST /_sandbox/faults '{"fault": "status", "status": 403, "path": "/patients", "message": "Insufficient scope. Required: read:patients"}' >/dev/null

# --- round 0: the unpaced burst ----------------------------------------------------------------
write_burst_config "$T/r0.jsonl"
start_maxdash -s b0 -x $COLS -y $LINES_
burst_logged() { [ "$(lines_of "$T/r0.jsonl")" -ge 500 ]; }
wait_until "$(scaled 15000)" burst_logged || fail "round 0: fewer than 500 failures logged in 15 s ($(lines_of "$T/r0.jsonl"))"
keys q
wait_exit "$(scaled 5000)" || fail "round 0: q did not quit"
[ "$EXIT_STATUS" = 0 ] || fail "round 0: maxdash exited with $EXIT_STATUS"
head -n 500 "$T/r0.jsonl" >"$T/r0.first500"
log "round 0 (every answer at once, no kill): $(rate_of "$T/r0.first500")"

# --- the paced burst -----------------------------------------------------------------------------
# One curl for the 250 latency faults (--next): a curl per fault costs seconds on a busy machine.
args=()
for i in $(seq 1 "$NORGS"); do
    [ "$i" -gt 1 ] && args+=(--next)
    printf -v body '{"fault": "latency", "org": "org_r5_%03d", "ms": %d}' "$i" $((i * 8))
    args+=(-sS -o /dev/null -w '%{http_code}\n' --max-time 10 -X POST -H 'Content-Type: application/json'
           --data-binary "$body" "$BASE/_sandbox/faults")
done
codes=$(curl "${args[@]}") || fail "adding the latency faults failed"
[ "$(printf '%s\n' "$codes" | grep -c '^201$')" = "$NORGS" ] ||
    fail "the sandbox refused latency faults: $(printf '%s\n' "$codes" | sort | uniq -c)"

total_logged=0
for round in $(seq 1 "$ROUNDS"); do
    LOGF=$T/r$round.jsonl
    write_burst_config "$LOGF"
    # The kill point: the pane's count of failures, spread over the 500 of the burst.
    span=$((400 / ROUNDS))
    target=$((60 + (round - 1) * span + RANDOM % span))
    caps=$T/r$round.screens
    : >"$caps"

    t0=$(now_ms)
    start_maxdash -s "b$round" -x $COLS -y $LINES_
    pid=$(maxdash_pid)
    # Capture the screen as fast as possible; kill when the pane counts target failures.
    deadline=$((t0 + $(scaled 30000)))
    n=0 captures=0
    while :; do
        _capture
        captures=$((captures + 1))
        printf '%s\n' "$SCREEN" >>"$caps"
        if [[ $SCREEN =~ Auth\ failures\ \(([0-9]+)\) ]]; then
            n=${BASH_REMATCH[1]}
            [ "$n" -ge "$target" ] && break
        fi
        _now; [ "$NOW_MS" -lt "$deadline" ] || fail "round $round: the pane never counted $target failures (last count $n)"
    done
    kill -KILL "$pid" || fail "round $round: maxdash was gone before the kill"
    t_kill=$(now_ms)
    # The wrapper prints "exit=137" once maxdash is gone; when those bytes are in the pane's raw
    # output, tmux has read everything maxdash wrote before it died. (Not wait_exit: the line
    # lands wherever the dead dashboard left the cursor.)
    reported() { LC_ALL=C grep -aq 'exit=137' "$T/b$round.raw"; }
    wait_until "$(scaled 5000)" reported || fail "round $round: the wrapper did not report exit status 137 within 5 s of SIGKILL"
    # The last frame maxdash drew before it died.
    _capture
    printf '%s\n' "$SCREEN" >>"$caps"
    captures=$((captures + 1))

    # --- no torn line but the last --------------------------------------------------------
    log_records "$T/r$round.json" "$T/r$round.err"
    nlines=$(lines_of "$LOGF")
    nrec=$(grep -c . "$T/r$round.json")
    torn_by_kill=0
    ends_in_newline "$LOGF" || torn_by_kill=1
    if [ $torn_by_kill = 1 ]; then
        want_err="maxdash: $LOGF:$nlines: torn record skipped (written during a crash?)"
        [ "$(cat "$T/r$round.err")" = "$want_err" ] ||
            fail "round $round: the kill tore the last line; maxdash log said '$(cat "$T/r$round.err")', not '$want_err'"
        [ "$nrec" = $((nlines - 1)) ] || fail "round $round: $nrec records in $nlines lines (last torn): a line before the last does not parse"
    else
        [ ! -s "$T/r$round.err" ] || fail "round $round: maxdash log complained about a log of whole lines: $(cat "$T/r$round.err")"
        [ "$nrec" = "$nlines" ] || fail "round $round: $nrec records in $nlines lines: some line does not parse"
    fi

    # --- what was drawn is in the log ---------------------------------------------------
    grep -oE "$UUID_RE" "$caps" | sort -u >"$T/r$round.drawn"
    ndrawn=$(grep -c . "$T/r$round.drawn")
    [ "$ndrawn" -ge 10 ] || fail "round $round: only $ndrawn trace_ids seen on screen in $captures captures: the check would prove little"
    grep -o '"trace_id":"[^"]*"' "$T/r$round.json" | sed 's/.*:"//; s/"$//' | sort -u >"$T/r$round.logged"
    missing=$(comm -23 "$T/r$round.drawn" "$T/r$round.logged")
    [ -z "$missing" ] || fail "round $round: trace_ids drawn but not in a whole record of the log: $(printf '%s\n' "$missing" | head -n 5 | tr '\n' ' ')"

    # No whole key in the log (the made-up keys are the config's only secrets).
    ! grep -q 'R5burstUnknownKey' "$LOGF" || fail "round $round: a whole key is in the log"

    total_logged=$((total_logged + nrec))
    log "round $round: killed at pane count $n (target $target), $((t_kill - t0)) ms after start;" \
        "$nrec records in $nlines lines (torn by the kill: $torn_by_kill); $ndrawn trace_ids drawn in" \
        "$captures captures, all in the log; $(rate_of "$T/r$round.json")"

    # --- a torn last line, reported and skipped by the next start -------------------------
    if [ $torn_by_kill = 0 ]; then
        # The kill left whole lines (each record is one write()): tear the last one ourselves.
        size=$(wc -c <"$LOGF")
        lastlen=$(tail -n 1 "$LOGF" | wc -c)
        truncate -s $((size - lastlen / 2)) "$LOGF" || fail "truncate failed"
        log "round $round: the kill tore no line; truncated the last record mid-line (kept $((lastlen - lastlen / 2)) of $lastlen bytes) to test the torn tail"
    fi
    L=$(lines_of "$LOGF")
    ! ends_in_newline "$LOGF" || fail "round $round: the log still ends in a newline after tearing it"
    torn_text=$(tail -n 1 "$LOGF")
    log_records "$T/r$round.t.json" "$T/r$round.t.err"
    want_err="maxdash: $LOGF:$L: torn record skipped (written during a crash?)"
    [ "$(cat "$T/r$round.t.err")" = "$want_err" ] ||
        fail "round $round: with a torn last line maxdash log said '$(cat "$T/r$round.t.err")', not '$want_err'"
    [ "$(grep -c . "$T/r$round.t.json")" = $((L - 1)) ] || fail "round $round: maxdash log did not print the $((L - 1)) whole records"

    # The next start: the status line names the file and the line, and new failures follow
    # the torn line on lines of their own.
    start_maxdash -s "n$round" -x $COLS -y $LINES_
    see "$LOGF:$L: torn record skipped (written during a crash?)" "$(scaled 5000)" \
        "the next start reports the torn record"
    grown() { [ "$(lines_of "$LOGF")" -ge $((L + 50)) ]; }
    wait_until "$(scaled 10000)" grown || fail "round $round: the restarted dashboard appended fewer than 50 failures in 10 s"
    keys q
    wait_exit "$(scaled 5000)" || fail "round $round: q did not quit the restarted dashboard"
    [ "$EXIT_STATUS" = 0 ] || fail "round $round: the restarted dashboard exited with $EXIT_STATUS"
    [ "$(sed -n "${L}p" "$LOGF")" = "$torn_text" ] ||
        fail "round $round: line $L is no longer the torn text alone: the next record was glued onto it"
    ends_in_newline "$LOGF" || fail "round $round: the log ends in a torn line after a clean quit"
    L2=$(lines_of "$LOGF")
    log_records "$T/r$round.n.json" "$T/r$round.n.err"
    [ "$(cat "$T/r$round.n.err")" = "$want_err" ] ||
        fail "round $round: after the restart maxdash log said '$(cat "$T/r$round.n.err")', not '$want_err' (only line $L is torn)"
    [ "$(grep -c . "$T/r$round.n.json")" = $((L2 - 1)) ] ||
        fail "round $round: $(grep -c . "$T/r$round.n.json") records in $L2 lines with one torn: a record appended after the torn line does not parse"
    sed -n "$((L + 1))p" "$LOGF" | grep -q '^{"time":"' ||
        fail "round $round: the line after the torn one does not start a record"
    log "round $round: torn line $L reported by maxdash log and by the next start; $((L2 - L)) whole records appended after it"
done
log "ok: $ROUNDS kills, $total_logged failures logged before the kills, every drawn trace_id in the log"
