#!/bin/sh
# B6b: B6 (exec to the first complete frame, every endpoint hanging, 20 orgs) with a failure log
# of 100 000 records and its rotation (FILE.1, 20 000 more) present: the start-up history (the
# last 500 records) is read from the end of the file, so the figure must not depend on the log's
# size (issue 12; 0.6-1.2 s when the whole file was read).
set -eu
. "$(dirname "$0")/lib.sh"
n=${B6_ORGS:-20}
write_data "$bench_tmp/data.json" "$n" 100
start_sandbox --data "$bench_tmp/data.json"
sandbox_ctl POST faults '{"fault": "hang"}' >/dev/null
write_config "$bench_tmp/config.ini" "$n" 30
# gen_log COUNT FIRST_SECOND: COUNT records of the DESIGN.md shape, one second apart.
gen_log() {
    awk -v n="$1" -v t0="$2" 'BEGIN {
        for (i = 0; i < n; i++) {
            t = t0 + i; o = sprintf("o%04d", i % 20 + 1)
            printf "{\"time\":\"%s.123Z\",\"org\":\"%s\",\"org_id\":\"org_b_%04d\",\"key\":\"bench\",\"key_hint\":\"max_dev_ak_BEN\\u2026001\",\"method\":\"GET\",\"path\":\"/v1/marketplace/me\",\"http_status\":401,\"code\":\"unauthorized\",\"message\":\"Invalid or missing API key\",\"trace_id\":\"%08x-e29b-41d4-a716-%012d\",\"required_scope\":null,\"latency_ms\":63,\"class\":\"unauthorized\",\"auth\":true}\n", strftime("%Y-%m-%dT%H:%M:%S", t, 1), o, i % 20 + 1, i, i
        }
    }'
}
LOGF=$bench_tmp/auth-failures.jsonl
if awk 'BEGIN { exit !(strftime("%Y", 0, 1) == "1970") }' 2>/dev/null; then
    gen_log 20000 1700000000 > "$LOGF.1"
    gen_log 100000 1700020000 > "$LOGF"
else
    # mawk has no strftime: one fixed date, the records still distinct by trace_id.
    gen_log() {
        awk -v n="$1" -v base="$2" 'BEGIN { for (i = 0; i < n; i++) printf "{\"time\":\"2026-11-28T02:17:15.123Z\",\"org\":\"o%04d\",\"org_id\":\"org_b_%04d\",\"key\":\"bench\",\"key_hint\":\"max_dev_ak_BEN\\u2026001\",\"method\":\"GET\",\"path\":\"/v1/marketplace/me\",\"http_status\":401,\"code\":\"unauthorized\",\"message\":\"Invalid or missing API key\",\"trace_id\":\"%08x-e29b-41d4-a716-%012d\",\"required_scope\":null,\"latency_ms\":63,\"class\":\"unauthorized\",\"auth\":true}\n", i % 20 + 1, i % 20 + 1, base + i, base + i }'
    }
    gen_log 20000 0 > "$LOGF.1"
    gen_log 100000 20000 > "$LOGF"
fi
chmod 600 "$LOGF" "$LOGF.1"
for r in $(seq "${B6_RUNS:-10}"); do
    ptydrive -s 40x120 -m "Auth failures" -- "$BUILD/maxdash" -c "$bench_tmp/config.ini" \
        > "$bench_tmp/run" || exit 1
    v=$(field first_frame_ms < "$bench_tmp/run")
    case $v in -*|"") echo "B6b: no frame" >&2; cat "$bench_tmp/run" >&2; exit 1 ;; esac
    echo "$v"
done > "$bench_tmp/b6b"
[ "$(wc -l < "$LOGF")" -ge 100000 ] || { echo "B6b: the log lost records" >&2; exit 1; }
set -- $(stats < "$bench_tmp/b6b")
row B6b "first paint, 100k-record log (ms)" "$(printf %.1f "$1")" "$(printf %.1f "$2")" \
    "$(printf %.1f "$3")" "<= 50" "$(verdict "$1" "<=" 50)"
