#!/bin/sh
# B17: key latency while 1 000 answers arrive at once. The dashboard (120x40 pty) with 500
# orgs of one app (rate_budget = 1000) through the TLS + HTTP/2 front of B14 to the sandbox
# adding 1 s to every response: the first refresh goes alone (slow start), and when its answer
# is back the other 998 requests leave together and their answers come back together, about
# 2 s after the start. Meanwhile B17_KEYS (default 300) keypresses (j and k), each 10 ms after
# the previous one's output ended, from the first frame on (about 4 s, over the burst), each
# timed as in B3. The row: the max over the keys of a run (median, min, max of the runs).
set -eu
. "$(dirname "$0")/lib.sh"
n=500
keys=${B17_KEYS:-300}
write_data "$bench_tmp/data.json" "$n" 5
start_sandbox --data "$bench_tmp/data.json" --latency 1000 --rate-limit 1000000/60
start_front
awk -v n="$n" -v port="$FRONT_H2_PORT" -v tmp="$bench_tmp" 'BEGIN {
    printf "[maxdash]\nbase_url = https://127.0.0.1:%s/v1\nca_bundle = %s/front/cert.pem\nrate_budget = 1000\nrefresh = 600\ntimeout = 20\nlog_file = %s/log.jsonl\n", port, tmp, tmp
    printf "\n[key \"bench\"]\nenv = MAXDASH_BENCH_KEY\n"
    for (i = 1; i <= n; i++) printf "\n[org \"o%04d\"]\nid = org_b_%04d\nkey = bench\n", i, i
}' > "$bench_tmp/config.ini"
chmod 600 "$bench_tmp/config.ini"
: > "$bench_tmp/max"; : > "$bench_tmp/p99"
for r in $(seq "${B17_RUNS:-3}"); do
    : > "$FRONT_LOG"
    ptydrive -s 40x120 -m "Auth failures" -r "$keys:10:jjjjjjjjjjkkkkkkkkkk" \
        -- "${B17_MAXDASH:-$BUILD/maxdash}" -c "$bench_tmp/config.ini" > "$bench_tmp/run" || exit 1
    answered=$(awk '$3 == 200' "$FRONT_LOG" | wc -l)
    [ "$answered" -ge 900 ] || { echo "B17: only $answered answers during the run" >&2; exit 1; }
    field key_ms < "$bench_tmp/run" | sed 's/^-1.*/1000/' > "$bench_tmp/lat"
    sort -g "$bench_tmp/lat" | tail -1 >> "$bench_tmp/max"
    percentile 99 < "$bench_tmp/lat" >> "$bench_tmp/p99"
done
set -- $(stats < "$bench_tmp/max")
p99=$(stats < "$bench_tmp/p99" | cut -d' ' -f1)
f() { printf %.2f "$1"; }
row B17 "keys in a 1000-answer burst, max (ms)" "$(f "$1")" "$(f "$2")" "$(f "$3")" "max <= 20" \
    "$(verdict "$1" "<=" 20)" "p99 $(f "$p99") ms (median of runs), $keys keys/run"
