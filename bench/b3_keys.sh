#!/bin/sh
# B3: key latency with every endpoint hanging. 200 keypresses (j and k, moving the selection
# up and down the orgs list, each one fetching the newly selected org's patients, which hang
# too), each timed by the pty driver from the write() of the key to the end of the burst of
# output it caused (output quiet for 5 ms). Runs of 200; p50 and p99 over every keypress of a
# run; the row gives the median, min and max of the runs' p50, and the p99s.
set -eu
. "$(dirname "$0")/lib.sh"
n=20
keys=${B3_KEYS:-200}
write_data "$bench_tmp/data.json" "$n" 100
start_sandbox --data "$bench_tmp/data.json"
sandbox_ctl POST faults '{"fault": "hang"}' >/dev/null
write_config "$bench_tmp/config.ini" "$n" 30
: > "$bench_tmp/p50"; : > "$bench_tmp/p99"
for r in $(seq "${B3_RUNS:-3}"); do
    ptydrive -s 40x120 -m "Auth failures" -r "$keys:20:jjjjjjjjjjkkkkkkkkkk" \
        -- "$BUILD/maxdash" -c "$bench_tmp/config.ini" > "$bench_tmp/run" || exit 1
    field key_ms < "$bench_tmp/run" > "$bench_tmp/lat"
    got=$(wc -l < "$bench_tmp/lat")
    [ "$got" -eq "$keys" ] || { echo "B3: $got of $keys keys timed" >&2; exit 1; }
    # a keypress that drew nothing within 1 s counts as 1000 ms
    sed 's/^-1.*/1000/' "$bench_tmp/lat" > "$bench_tmp/lat2"
    percentile 50 < "$bench_tmp/lat2" >> "$bench_tmp/p50"
    percentile 99 < "$bench_tmp/lat2" >> "$bench_tmp/p99"
done
set -- $(stats < "$bench_tmp/p50")
set -- "$@" $(stats < "$bench_tmp/p99")
ok=$(awk -v a="$1" -v b="$4" 'BEGIN {print (a <= 5 && b <= 20) ? "met" : "MISS"}')
f() { printf %.2f "$1"; }
row B3 "keys under stall, p50 (ms)" "$(f "$1")" "$(f "$2")" "$(f "$3")" "<=5 p99<=20" "$ok" \
    "p99 $(f "$4") ms (runs $(f "$5")–$(f "$6")), $keys keys/run"
