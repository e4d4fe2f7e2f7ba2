#!/bin/sh
# B4: peak memory. The demo data's org_big (100 000 patients), 120x40: page through 100 pages
# with n (one every 60 ms), then run 10 searches (/ text Enter); peak RSS is VmHWM from /proc/PID/status just
# before the dashboard is stopped.
set -eu
. "$(dirname "$0")/lib.sh"
start_sandbox --data "$SRC/assets/sandbox/demo.json" --rate-limit 100000/60
cat > "$bench_tmp/config.ini" <<INI
[maxdash]
base_url = http://127.0.0.1:$SANDBOX_PORT/v1
refresh = 30
; the paging and searching alone are 112 requests in a few seconds
rate_budget = 1000
log_file = $bench_tmp/auth-failures.jsonl

[key "demo"]
env = MAXDASH_DEMO_KEY

[org "big"]
id   = org_big
key  = demo
name = Big County Hospital
INI
chmod 600 "$bench_tmp/config.ini"
MAXDASH_DEMO_KEY=max_dev_ak_01DEMOKEYGOOD7Q2M4X8R5T3W9 # the public demo key, as mk/demo.sh
export MAXDASH_DEMO_KEY
pages=${B4_PAGES:-100}
set -- -k +500:n -r "$((pages - 1)):60:n"
for s in maria li son chen ez an mar el ko 12; do
    # / opens the prompt holding the current search: Ctrl-H (\b) erases it first
    set -- "$@" -k +200:/ -k +20:'\b\b\b\b\b\b\b\b' -k +20:"$s" -k +20:'\r'
done
for r in $(seq "${B4_RUNS:-3}"); do
    ptydrive -s 40x120 -m "Auth failures" -t +1000 ${B4_RAW:+-o "$B4_RAW"} "$@" \
        -- "$BUILD/maxdash" -c "$bench_tmp/config.ini" > "$bench_tmp/run" || exit 1
    v=$(field vmhwm_kib < "$bench_tmp/run")
    [ "${v:--1}" -gt 0 ] || { echo "B4: no VmHWM" >&2; cat "$bench_tmp/run" >&2; exit 1; }
    awk -v k="$v" 'BEGIN {printf "%.1f\n", k / 1024}'
done > "$bench_tmp/b4"
requests=$(sandbox_ctl GET stats); [ -n "${B4_STATS:-}" ] && echo "$requests" > "$B4_STATS"; requests=$(echo "$requests" | sed -n 's/.*"total": *\([0-9]*\).*/\1/p')
set -- $(stats < "$bench_tmp/b4")
row B4 "peak RSS, 100k patients (MiB)" "$1" "$2" "$3" "<= 16" "$(verdict "$1" "<=" 16)" \
    "$pages pages + 10 searches/run; ${requests:-?} requests in all"
