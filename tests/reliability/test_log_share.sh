# Log sharing (issue 12, Deliver 2): three maxdash processes append to one log and rotate
# it: a dashboard of 1 org, a dashboard of 20 orgs, and a `maxdash check` loop, for 60 s
# (REL_SHORT=1: 20 s). Every answer is a 403 with a 40 kB message (cut to 1 KiB in the log) and
# the log rotates at 128 KiB (MAXDASH_LOG_ROTATE_BYTES; rate_budget 1000 so that the 20 orgs
# are not slowed down), so it rotates every few seconds, by whichever process finds it full.
# Passes when, after the writers stop:
#   - every line of the log and of its rotation is a whole record (none torn or interleaved),
#     and `maxdash log` reads them all without a complaint;
#   - every trace_id the sandbox sent for a request that arrived after the first record of the
#     rotation (+ 1 s: a request in flight across it) is in what `maxdash log` reads: older
#     ones were rotated out by design (one old file is kept), newer ones have nowhere else to
#     go. The bug of issue 12 (each process rotating by its own count, the quiet one appending
#     to a file the busy one had rotated and deleted) loses the 1-org dashboard's records;
#   - at least 2 rotations happened and at least 30 trace_ids are in the checked window, 2 of
#     them the quiet dashboard's (its org, westla, is no one else's: the check loop probes
#     north).
# shellcheck shell=bash source-path=SCRIPTDIR source=../e2e/lib.sh
. "$MAXDASH_SRC/tests/e2e/lib.sh"
# shellcheck source=loglib.sh
. "$MAXDASH_SRC/tests/reliability/loglib.sh"

if [ "${REL_SHORT:-0}" = 1 ]; then RUN_S=20; else RUN_S=60; fi
LOGF=$T/shared.jsonl
export MAXDASH_LOG_ROTATE_BYTES=131072

start_sandbox
msg=$(head -c 40000 /dev/zero | tr '\0' 'x')
ctl POST /_sandbox/faults "{\"fault\": \"status\", \"status\": 403, \"message\": \"Insufficient scope. $msg\"}" >/dev/null

# Two configs on one log: 1 org, and 20 (made-up ids: the fault answers before the org check).
ORGS=westla write_config "refresh = 2" "timeout = 3" "rate_budget = 1000" "log_file = $LOGF"
sed -i '/^log_file = .*auth-failures/d' "$T/config.ini"
cp "$T/config.ini" "$T/one.ini"
{
    sed '/^\[org /,$d' "$T/one.ini"
    for i in $(seq -w 1 20); do printf '\n[org "c%s"]\nid = org_share_%s\nkey = demo\n' "$i" "$i"; done
} >"$T/twenty.ini"
grep -c '^log_file' "$T/one.ini" | grep -qx 1 || fail "the config names the log twice"
sed 's/^\[org "westla"\]/[org "north"]/; s/^id = org_westla/id = org_north/' "$T/one.ini" >"$T/check.ini"

cp "$T/one.ini" "$T/config.ini"
start_maxdash -s one -x 120 -y 30 -e MAXDASH_LOG_ROTATE_BYTES=$MAXDASH_LOG_ROTATE_BYTES
see "Orgs (1)" # it has read config.ini, which the next one's replaces
cp "$T/twenty.ini" "$T/config.ini"
start_maxdash -s twenty -x 120 -y 30 -e MAXDASH_LOG_ROTATE_BYTES=$MAXDASH_LOG_ROTATE_BYTES
see "Orgs (20)"
check_loop_start "$T/check.ini"

# Rotations, counted by the inode of FILE.1 changing, while the three write.
rotations=0 last_ino=
t_end=$(($(now_ms) + RUN_S * 1000))
while [ "$(now_ms)" -lt "$t_end" ]; do
    ino=$(stat -c %i "$LOGF.1" 2>/dev/null || :)
    if [ -n "$ino" ] && [ "$ino" != "$last_ino" ]; then rotations=$((rotations + 1)); last_ino=$ino; fi
    nap 0.05
done
check_loop_stop
# Stop the answers (every request now hangs), then let what was answered be logged.
ctl POST /_sandbox/faults '{"fault": "hang"}' >/dev/null
t_stop=$(now_ms)
use_session one; keys q; wait_exit "$(scaled 5000)" || fail "the 1-org dashboard did not quit"
[ "$EXIT_STATUS" = 0 ] || fail "the 1-org dashboard exited with $EXIT_STATUS"
use_session twenty; keys q; wait_exit "$(scaled 5000)" || fail "the 20-org dashboard did not quit"
[ "$EXIT_STATUS" = 0 ] || fail "the 20-org dashboard exited with $EXIT_STATUS"

bad=$(whole_lines "$LOGF.1" "$LOGF") || fail "a line of the log is not a whole record: $bad"
log_read "$T/one.ini" "$T/log.json" "$T/log.err"
# Its only word on stderr: the 40 kB messages were cut (nothing torn, nothing skipped).
grep -v "records\? hold text cut at maxdash's limits" "$T/log.err" >"$T/log.err.other" || :
[ ! -s "$T/log.err.other" ] || fail "maxdash log complained: $(cat "$T/log.err.other")"
grep -q "hold text cut at maxdash's limits" "$T/log.err" || fail "maxdash log did not say that the 40 kB messages were cut"
nlines=$(( $(wc -l <"$LOGF.1") + $(wc -l <"$LOGF") ))
[ "$(wc -l <"$T/log.json")" = "$nlines" ] || fail "maxdash log read $(wc -l <"$T/log.json") records of $nlines lines"
[ "$rotations" -ge 2 ] || fail "only $rotations rotations in $RUN_S s: the test proves little"

req_traces "$T/req.tsv"
traces_of "$T/log.json" >"$T/logged.txt"
t0=$(first_ms "$T/log.json") || fail "no first record"
from=$((t0 + 1000))
n=$(count_after "$from" "$t_stop")
quiet=$(count_after "$from" "$t_stop" org_westla)
[ "$n" -ge 30 ] && [ "$quiet" -ge 2 ] ||
    fail "only $n trace_ids ($quiet of the quiet dashboard) in the checked window: the test proves little"
missing=$(missing_after "$from" "$t_stop" "$T/logged.txt")
[ -z "$missing" ] || fail "$(printf '%s\n' "$missing" | wc -l) of $n trace_ids sent after the rotation's first record are not in the log: $(printf '%s\n' "$missing" | head -n 3 | tr '\n' ' ')"
log "ok: $RUN_S s, $rotations rotations seen, $(cat "$T/check.runs") check runs, $nlines whole lines in the log and its rotation; all $n trace_ids sent since the rotation's first record ($quiet of the 1-org dashboard) are in it"
