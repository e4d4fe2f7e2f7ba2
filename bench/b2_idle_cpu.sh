#!/bin/sh
# B2: idle CPU. The dashboard with 20 healthy orgs and refresh = 30 in a 120x40 pty: CPU
# seconds (utime+stime from /proc/PID/stat) over 60 s after a 5 s start-up, as a percentage of
# one core. The comparison: `htop -d 15` on a pty of the same size over the same window, run
# alongside.
set -eu
. "$(dirname "$0")/lib.sh"
n=20
settle=${B2_SETTLE_MS:-5000}
win=$(( ${B2_SECONDS:-60} * 1000 ))
write_data "$bench_tmp/data.json" "$n" 100
start_sandbox --data "$bench_tmp/data.json"
write_config "$bench_tmp/config.ini" "$n" 30
w="-w $settle:$((settle + win)) -t $((settle + win))"
: > "$bench_tmp/b2"; : > "$bench_tmp/htop"
for r in $(seq "${B2_RUNS:-3}"); do
    # shellcheck disable=SC2086
    ptydrive -s 40x120 $w -- htop -d 15 > "$bench_tmp/htop.run" &
    hp=$!
    # shellcheck disable=SC2086
    ptydrive -s 40x120 -m "Auth failures" $w -- "$BUILD/maxdash" -c "$bench_tmp/config.ini" \
        > "$bench_tmp/run" || exit 1
    wait $hp
    for f in run htop.run; do
        c=$(field window_cpu_s < "$bench_tmp/$f")
        case $c in -*|"") echo "B2: no CPU figure ($f)" >&2; cat "$bench_tmp/$f" >&2; exit 1 ;; esac
        awk -v c="$c" -v w="$win" 'BEGIN {printf "%.3f\n", c / (w / 1000) * 100}'
    done | { read -r a; read -r b; echo "$a" >> "$bench_tmp/b2"; echo "$b" >> "$bench_tmp/htop"; }
done
set -- $(stats < "$bench_tmp/htop")
htop_med=$1
set -- $(stats < "$bench_tmp/b2")
ratio=$(awk -v m="$1" -v h="$htop_med" 'BEGIN {
    if (m > 0) printf "%.0fx less", h / m; else printf "below the 10 ms tick"}')
row B2 "idle CPU, 20 orgs, 60 s (% core)" "$1" "$2" "$3" "<= 0.2" "$(verdict "$1" "<=" 0.2)" \
    "htop -d 15: ${htop_med} % ($ratio)"
