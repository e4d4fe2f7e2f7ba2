# The log under logrotate, mv and rm (issue 12, Deliver 1 and 7): a dashboard (7 orgs,
# refresh 2 s) and a `maxdash check` loop write one log, while the test, one after the other:
#   1. runs the real logrotate in create mode (`create 0644`, rotate 1),
#   2. runs it in copytruncate mode,
#   3. moves the log away (mv),
#   4. removes it (rm; a hard link made first keeps what it held, as the oracle's only).
# Every answer is a 403 (a status fault) whose trace_id the sandbox lists. After each step,
# once the writers had PHASE_S seconds, every trace_id sent for a request that arrived after the
# step (up to 1.5 s ago: what is still on its way) must be in what `maxdash log` reads (the log
# and FILE.1), and every one sent since the step before (+1 s) in that or in the moved/removed
# file. Also: the file logrotate created 0644 is 0600 after maxdash's next append (ours: made
# private, like the config's mode check); copytruncate leaves no NUL bytes; every line of every
# file is a whole record. Without the identity check the writers keep appending to the
# rotated, moved or removed file, and nothing after step 1 reaches what `maxdash log` reads.
# shellcheck shell=bash source-path=SCRIPTDIR source=../e2e/lib.sh
. "$MAXDASH_SRC/tests/e2e/lib.sh"
# shellcheck source=loglib.sh
. "$MAXDASH_SRC/tests/reliability/loglib.sh"

LOGROTATE=$(command -v logrotate || echo /usr/sbin/logrotate)
[ -x "$LOGROTATE" ] || fail "logrotate is not installed (make deps installs it)"
if [ "${REL_SHORT:-0}" = 1 ]; then PHASE_S=5; else PHASE_S=15; fi
LOGF=$T/state/auth.jsonl

start_sandbox
ctl POST /_sandbox/faults '{"fault": "status", "status": 403}' >/dev/null
write_config "refresh = 2" "timeout = 3" "rate_budget = 1000" "log_file = $LOGF"
sed -i '/^log_file = .*auth-failures/d' "$T/config.ini"
cp "$T/config.ini" "$T/check.ini"

# logrotate_run MODE: one forced rotation, rotate 1, with MODE's directives.
logrotate_run() {
    {
        echo "$LOGF {"
        echo "    rotate 1"
        echo "    missingok"
        echo "    nocompress"
        case $1 in
        create) echo "    create 0644" ;;
        copytruncate) echo "    copytruncate" ;;
        esac
        echo "}"
    } >"$T/lr-$1.conf"
    "$LOGROTATE" -f -s "$T/lr.state" "$T/lr-$1.conf" >"$T/lr-$1.out" 2>&1 ||
        fail "logrotate ($1) failed: $(cat "$T/lr-$1.out")"
}

# verify STEP FROM_LIVE FROM_ANY EXTRA_FILE: the oracle after a step (see the top).
verify() {
    local step=$1 live=$2 any=$3 extra=${4:-} until n missing
    until=$(($(now_ms) - 1500))
    req_traces "$T/req.tsv"
    log_read "$T/config.ini" "$T/log.json" "$T/log.err"
    [ ! -s "$T/log.err" ] || fail "$step: maxdash log complained: $(cat "$T/log.err")"
    traces_of "$T/log.json" >"$T/live.txt"
    n=$(count_after "$live" "$until")
    [ "$n" -ge 5 ] || fail "$step: only $n trace_ids sent since the step: the check proves little"
    missing=$(missing_after "$live" "$until" "$T/live.txt")
    [ -z "$missing" ] || fail "$step: $(printf '%s\n' "$missing" | wc -l) of $n trace_ids sent after the step are not in what maxdash log reads: $(printf '%s\n' "$missing" | head -n 3 | tr '\n' ' ')"
    if [ -n "$extra" ]; then
        { cat "$T/live.txt"; traces_of "$extra"; } | sort -u >"$T/any.txt"
    else
        cp "$T/live.txt" "$T/any.txt"
    fi
    missing=$(missing_after "$any" "$until" "$T/any.txt")
    [ -z "$missing" ] || fail "$step: trace_ids sent since the step before are lost: $(printf '%s\n' "$missing" | head -n 3 | tr '\n' ' ')"
    log "$step: all $n trace_ids sent since the step are in what maxdash log reads ($(wc -l <"$T/log.json") records), none lost since the step before"
}

start_maxdash -s dash -x 160 -y 40
see "Orgs (7)"
check_loop_start "$T/check.ini"
wait_until "$(scaled 10000)" test -s "$LOGF" || fail "nothing logged in 10 s"
t_start=$(now_ms)
nap "$PHASE_S"

# 1. logrotate, create mode (0644: maxdash makes it 0600 at its next append)
e1=$(now_ms); logrotate_run create
[ -f "$LOGF.1" ] || fail "logrotate (create) made no $LOGF.1"
nap "$PHASE_S"
[ "$(stat -c %a "$LOGF")" = 600 ] || fail "the log logrotate created 0644 is $(stat -c %a "$LOGF") after maxdash appended to it, not 600"
verify "logrotate create" "$e1" "$((t_start + 1000))"

# 2. logrotate, copytruncate mode
e2=$(now_ms); logrotate_run copytruncate
nap "$PHASE_S"
[ "$(tr -cd '\000' <"$LOGF" | wc -c)" = 0 ] || fail "copytruncate: the log holds NUL bytes (appends past the truncation)"
verify "logrotate copytruncate" "$e2" "$((e1 + 1000))"

# 3. mv
e3=$(now_ms); mv "$LOGF" "$T/moved.jsonl"
nap "$PHASE_S"
verify "mv" "$e3" "$((e2 + 1000))" "$T/moved.jsonl"

# 4. rm (the hard link is the oracle's copy of what the user threw away)
ln "$LOGF" "$T/removed.jsonl"
e4=$(now_ms); rm "$LOGF"
nap "$PHASE_S"
verify "rm" "$e4" "$((e3 + 1000))" "$T/removed.jsonl"

check_loop_stop
keys q
wait_exit "$(scaled 5000)" || fail "q did not quit the dashboard"
[ "$EXIT_STATUS" = 0 ] || fail "the dashboard exited with $EXIT_STATUS"
bad=$(whole_lines "$LOGF" "$LOGF.1" "$T/moved.jsonl" "$T/removed.jsonl") || fail "a line is not a whole record: $bad"
[ "$(stat -c %a "$LOGF")" = 600 ] || fail "the log maxdash created again is mode $(stat -c %a "$LOGF")"
log "ok: logrotate create and copytruncate, mv and rm while a dashboard and $(cat "$T/check.runs") check runs wrote"
