#!/bin/sh
# B19: a fleet (issue 17). One clinics.csv of 5 000 rows ([orgs "fleet"], one key); every 10th
# of the first 500 ids is unknown to the sandbox (404). Four measurements:
#   load    `maxdash config` over it (process start, CSV read with libcsv, 5 000 orgs printed),
#           wall time, 10 runs: <= 100 ms
#   paint   the dashboard on a 40x120 pty, exec to the first complete frame (as B8), 5 runs:
#           <= 100 ms
#   keys    after the first frame: 60 presses of s (sort: config, worst first, name, latency),
#           then / and 52 keys of filtering as you type (#west, erased, "clinic 4", erased; twice),
#           then Enter and 40 presses of f (next failing org), each timed as B3; p99 over the
#           run, 3 runs: <= 20 ms
#   counts  the dashboard in tmux (160x50): once the first turn of the rate budget (1000 a
#           minute: 500 orgs) has been answered, the Orgs pane's title must equal the
#           sandbox's truth from its request log: orgs answered 200 twice, orgs answered 404,
#           and the rest not checked yet
set -eu
. "$(dirname "$0")/lib.sh"
n=5000
write_data "$bench_tmp/data.json" "$n" 3
# every 10th of the first 500 orgs goes from the data: 404
sed -E 's/\{"id":"org_b_(0[0-4][0-9]0)"/{"id":"org_gone_\1"/g' "$bench_tmp/data.json" >"$bench_tmp/d2.json"
gone=$(grep -o '"org_gone_' "$bench_tmp/d2.json" | wc -l)
[ "$gone" = 49 ] || { echo "B19: $gone orgs taken out of the data, not 49" >&2; exit 1; }
start_sandbox --data "$bench_tmp/d2.json" --rate-limit 1000000/60
awk -v n="$n" 'BEGIN { print "id,name,tags"
    for (i = 1; i <= n; i++) printf "org_b_%04d,\"Bench Clinic %04d, Inc\",%s\r\n", i, i, (i % 2 ? "west" : "east") }' \
    >"$bench_tmp/clinics.csv"
cat >"$bench_tmp/config.ini" <<EOF
[maxdash]
base_url = http://127.0.0.1:$SANDBOX_PORT/v1
refresh = 30
timeout = 10
rate_budget = 1000
log_file = $bench_tmp/auth-failures.jsonl
[key "bench"]
env = MAXDASH_BENCH_KEY
[orgs "fleet"]
file = clinics.csv
key = bench
EOF
chmod 600 "$bench_tmp/config.ini"
ms() { date +%s%N | awk '{printf "%d\n", $1 / 1000000}'; }

# load
: >"$bench_tmp/load"
for r in $(seq "${B19_RUNS:-10}"); do
    t0=$(date +%s%N)
    "$BUILD/maxdash" config -c "$bench_tmp/config.ini" >"$bench_tmp/config.out"
    t1=$(date +%s%N)
    echo "$t0 $t1" | awk '{printf "%.1f\n", ($2 - $1) / 1e6}' >>"$bench_tmp/load"
done
orgs=$(grep -c '^\[org "' "$bench_tmp/config.out")
[ "$orgs" = "$n" ] || { echo "B19: maxdash config listed $orgs orgs, not $n" >&2; exit 1; }

# paint
: >"$bench_tmp/paint"
for r in $(seq "${B19_PAINT_RUNS:-5}"); do
    ptydrive -s 40x120 -m "Auth failures" -- "$BUILD/maxdash" -c "$bench_tmp/config.ini" \
        >"$bench_tmp/run" || exit 1
    field first_frame_ms <"$bench_tmp/run" >>"$bench_tmp/paint"
    sleep 1
done

# keys
: >"$bench_tmp/p99"
: >"$bench_tmp/allkeys"
for r in $(seq "${B19_KEY_RUNS:-3}"); do
    ptydrive -s 40x120 -m "Auth failures" -r 60:20:s -k +20:/ \
        -r 52:20:'#west\b\b\b\b\bclinic 4\b\b\b\b\b\b\b\b' -k +20:'\r' -r 40:20:f \
        -- "$BUILD/maxdash" -c "$bench_tmp/config.ini" >"$bench_tmp/run" || exit 1
    field key_ms <"$bench_tmp/run" | sed 's/^-1.*/1000/' >"$bench_tmp/lat"
    got=$(wc -l <"$bench_tmp/lat")
    [ "$got" -eq 154 ] || { echo "B19: $got of 154 keys timed" >&2; exit 1; }
    cat "$bench_tmp/lat" >>"$bench_tmp/allkeys"
    percentile 99 <"$bench_tmp/lat" >>"$bench_tmp/p99"
    sleep 1
done

# counts: the title against the sandbox's truth
command -v tmux >/dev/null || { echo "B19: tmux is needed" >&2; exit 1; }
sock=maxdash-b12-$$
sandbox_ctl DELETE stats >/dev/null
tmux -L "$sock" -f /dev/null new-session -d -s b12 -x 160 -y 50 \
    "$BUILD/maxdash" -c "$bench_tmp/config.ini" || exit 1
trap 'tmux -L "$sock" kill-server 2>/dev/null || true; bench_cleanup' EXIT
# wait until the sandbox has answered 500 orgs' both requests and nothing came for 2 s
prev=-1 same=0 i=0
while :; do
    cur=$(sandbox_ctl GET stats | sed -n 's/.*"total": *\([0-9]*\).*/\1/p')
    if [ "$cur" = "$prev" ] && [ "${cur:-0}" -ge 100 ]; then same=$((same + 1)); else same=0; fi
    [ $same -ge 4 ] && break
    prev=$cur; i=$((i + 1))
    [ $i -gt 60 ] && { echo "B19: the first turn did not settle (${cur:-0} requests)" >&2; exit 1; }
    sleep 0.5
done
# the counts with their marks, whichever form of the title fits ("Orgs (5000) 451● 49? 4500…")
title=$(tmux -L "$sock" capture-pane -p -t b12 | sed -n 2p | sed 's/^┌ Orgs [^ ]* //; s/ ─*┐.*//; s/ *┐.*//')
truth=$(sandbox_ctl GET requests | sed 's/},{/\n/g' | awk -v n="$n" '
    { org = $0; sub(/.*"org":"/, "", org); sub(/".*/, "", org)
      st = $0; sub(/.*"status":/, "", st); sub(/[^0-9].*/, "", st)
      if ($0 ~ /"path":"\/v1\/marketplace\/me"/) me[org] = st
      else if ($0 ~ /"path":"\/v1\/patients"/) pt[org] = st }
    END { for (o in me) { if (!(o in pt)) continue; s = me[o] != 200 ? me[o] : (pt[o] != 200 ? pt[o] : "ok"); c[s]++; seen++ }
          out = ""
          if (c["ok"]) out = out " " c["ok"] "●"
          if (c["404"]) out = out " " c["404"] "?"
          if (n - seen) out = out " " n - seen "…"
          print substr(out, 2) }')
tmux -L "$sock" kill-server 2>/dev/null || true
# the title may leave out the spaces between the counts when the pane is narrow
counts=$([ "$(printf %s "$title" | tr -d ' ')" = "$(printf %s "$truth" | tr -d ' ')" ] && echo met || echo MISS)

set -- $(stats <"$bench_tmp/load")
load="$1 ms (load $2–$3)"
lv=$1
set -- $(stats <"$bench_tmp/paint")
pv=$1 pmin=$2 pmax=$3
set -- $(stats <"$bench_tmp/p99")
kv=$1 kmax=$3
p50=$(percentile 50 <"$bench_tmp/allkeys")
ok=$(awk -v l="$lv" -v p="$pv" -v k="$kmax" -v c="$counts" 'BEGIN {
    print (l <= 100 && p <= 100 && p >= 0 && k <= 20 && c == "met") ? "met" : "MISS"}')
f() { printf %.1f "$1"; }
row B19 "5000-row CSV: first paint (ms)" "$(f "$pv")" "$(f "$pmin")" "$(f "$pmax")" "<=100 ms" "$ok" \
    "config load $(f "$lv") ms (<= 100); keys p99 $(f "$kv") ms, worst run $(f "$kmax") (<= 20), p50 $(f "$p50"); title '$title' vs truth '$truth': $counts"
