#!/bin/sh
# B12: requests per org per refresh cycle. The dashboard (120x40 pty) with 10 healthy orgs,
# refresh = 2, rate_budget = 1000 (no stretching), run for 19 s: refreshes at 0, 2, ..., 18 s,
# ten cycles. Counted on the sandbox (GET /_sandbox/stats by_path): every request over the
# refreshes (each refresh sends the probe, /patients by default, once: their count is the
# cycles). 3 runs, a fresh sandbox each.
set -eu
. "$(dirname "$0")/lib.sh"
n=10
for r in $(seq "${B12_RUNS:-3}"); do
    write_data "$bench_tmp/data.json" "$n" 5
    start_sandbox --data "$bench_tmp/data.json" --rate-limit 100000/60
    write_config "$bench_tmp/config.ini" "$n" 2 "rate_budget = 1000"
    ptydrive -s 40x120 -m "Auth failures" -t 19000 -- "${B12_MAXDASH:-$BUILD/maxdash}" \
        -c "$bench_tmp/config.ini" > "$bench_tmp/run" || exit 1
    sandbox_ctl GET stats > "$bench_tmp/stats.json"
    stop_sandbox
    jq -r --argjson n "$n" '(.by_path["/v1/patients"] // 0) as $p | (.total) as $t |
        "\($t / $p) \($p / $n) \(.by_path["/v1/marketplace/me"] // 0)"' "$bench_tmp/stats.json"
done > "$bench_tmp/b12"
set -- $(cut -d' ' -f1 < "$bench_tmp/b12" | stats)
cycles=$(cut -d' ' -f2 < "$bench_tmp/b12" | stats | cut -d' ' -f1)
me=$(cut -d' ' -f3 < "$bench_tmp/b12" | stats | cut -d' ' -f1)
f() { printf %.2f "$1"; }
row B12 "requests per org per cycle" "$(f "$1")" "$(f "$2")" "$(f "$3")" "<= 1.1" \
    "$(verdict "$1" "<=" 1.1)" "$(f "$cycles") cycles/org, $me /marketplace/me for $n orgs (medians)"
