#!/bin/sh
# B8: scale. 2 000 orgs of one app (rate_budget = 100 requests a minute) in a 120x40 pty:
# first paint (exec to the first complete frame, as B6, endpoints answering), peak RSS, and the
# requests the sandbox saw over B8_MINUTES (default 3) of one run, which must never exceed the
# budget in any 60-second window. The sandbox's own limit is raised out of the way, so any
# excess would be maxdash's.
set -eu
. "$(dirname "$0")/lib.sh"
n=2000
minutes=${B8_MINUTES:-3}
write_data "$bench_tmp/data.json" "$n" 10
start_sandbox --data "$bench_tmp/data.json" --rate-limit 1000000/60
write_config "$bench_tmp/config.ini" "$n" 30 "rate_budget = 100"
# short runs for the first paint
for r in $(seq "${B8_RUNS:-4}"); do
    ptydrive -s 40x120 -m "Auth failures" -- "$BUILD/maxdash" -c "$bench_tmp/config.ini" \
        > "$bench_tmp/run" || exit 1
    field first_frame_ms < "$bench_tmp/run"
done > "$bench_tmp/paint"
sleep 1
sandbox_ctl DELETE stats >/dev/null
# the long run: first paint again, peak RSS, the requests
ptydrive -s 40x120 -m "Auth failures" -t "$((minutes * 60000))" \
    -- "$BUILD/maxdash" -c "$bench_tmp/config.ini" > "$bench_tmp/run" || exit 1
field first_frame_ms < "$bench_tmp/run" >> "$bench_tmp/paint"
rss=$(field vmhwm_kib < "$bench_tmp/run" | awk '{printf "%.1f", $1 / 1024}')
sandbox_ctl GET requests | tr '{' '\n' | sed -n 's/.*"t_ms": *\([0-9]*\).*/\1/p' | sort -n \
    > "$bench_tmp/t"
# the most requests in any 60 s window [t, t + 60 s) starting at a request
maxwin=$(awk '{t[NR] = $1} END {j = 1; m = 0; for (i = 1; i <= NR; i++) {
    while (j <= NR && t[j] < t[i] + 60000) j++; if (j - i > m) m = j - i }; print m}' "$bench_tmp/t")
total=$(wc -l < "$bench_tmp/t")
set -- $(stats < "$bench_tmp/paint")
ok=$(awk -v p="$1" -v r="$rss" -v w="$maxwin" 'BEGIN {
    print (p <= 100 && r <= 32 && w <= 100 && p >= 0) ? "met" : "MISS"}')
f() { printf %.1f "$1"; }
row B8 "2000 orgs: first paint (ms)" "$(f "$1")" "$(f "$2")" "$(f "$3")" "<=100 ms" "$ok" \
    "peak RSS $rss MiB (<= 32); max $maxwin req in any 60 s (<= 100); $total req in $minutes min"
