#!/bin/sh
# B5: bytes written to the terminal while idle. 30 healthy orgs, refresh = 30, nothing
# changing but the sandbox's latency figures; the bytes the dashboard writes to its 120x40 pty
# over 60 s after a 5 s start-up, per minute.
set -eu
. "$(dirname "$0")/lib.sh"
n=30
settle=${B5_SETTLE_MS:-5000}
win=$(( ${B5_SECONDS:-60} * 1000 ))
write_data "$bench_tmp/data.json" "$n" 100
start_sandbox --data "$bench_tmp/data.json"
write_config "$bench_tmp/config.ini" "$n" 30
for r in $(seq "${B5_RUNS:-3}"); do
    ptydrive -s 40x120 -m "Auth failures" -w "$settle:$((settle + win))" -t "$((settle + win))" \
        ${B5_RAW:+-o "$B5_RAW"} -- "$BUILD/maxdash" -c "$bench_tmp/config.ini" > "$bench_tmp/run" || exit 1
    b=$(field window_bytes < "$bench_tmp/run")
    awk -v b="$b" -v w="$win" 'BEGIN {printf "%.0f\n", b * 60000 / w}'
done > "$bench_tmp/b5"
set -- $(stats < "$bench_tmp/b5")
row B5 "idle bytes, 30 orgs (bytes/min)" "$1" "$2" "$3" "<= 2048" "$(verdict "$1" "<=" 2048)"
