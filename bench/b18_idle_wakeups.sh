#!/bin/sh
# B18: idle wake-ups. The dashboard with 20 healthy orgs on a 120x40 pty: the voluntary context
# switches of its main thread (/proc/PID/status; each sleep in curl_multi_poll that ends is
# one) over B18_SECONDS (default 60) after a 5 s start-up, per second. Idle: refresh = 120, so
# no refresh falls in the window and what wakes it is the screen's clock (the countdown, the
# data's age). For the record, B18b: the same with refresh = 30 (B2's setup), where two
# refreshes of 20 orgs' answers fall in the window. Alongside each, `htop -d 15` on a pty of
# the same size over the same window.
set -eu
. "$(dirname "$0")/lib.sh"
n=20
settle=5000
win=$(( ${B18_SECONDS:-60} * 1000 ))
write_data "$bench_tmp/data.json" "$n" 100
start_sandbox --data "$bench_tmp/data.json"
w="-w $settle:$((settle + win)) -t $((settle + win))"
measure() { # measure REFRESH: wake-ups a second of maxdash and of htop, one line per run
    write_config "$bench_tmp/config.ini" "$n" "$1"
    for r in $(seq "${B18_RUNS:-3}"); do
        # shellcheck disable=SC2086
        ptydrive -s 40x120 $w -- htop -d 15 > "$bench_tmp/htop.run" &
        hp=$!
        # shellcheck disable=SC2086
        ptydrive -s 40x120 -m "Auth failures" $w -- "${B18_MAXDASH:-$BUILD/maxdash}" \
            -c "$bench_tmp/config.ini" > "$bench_tmp/run" || exit 1
        wait $hp
        for f in run htop.run; do
            c=$(field window_wakeups < "$bench_tmp/$f")
            case $c in -*|"") echo "B18: no wake-up figure ($f)" >&2; cat "$bench_tmp/$f" >&2; exit 1 ;; esac
            awk -v c="$c" -v w="$win" 'BEGIN {printf "%.2f ", c / (w / 1000)}'
        done
        echo
    done
}
measure 120 > "$bench_tmp/idle"
measure 30 > "$bench_tmp/busy"
htop_med=$(cut -d' ' -f2 < "$bench_tmp/idle" | stats | cut -d' ' -f1)
set -- $(cut -d' ' -f1 < "$bench_tmp/idle" | stats)
row B18 "idle wake-ups, 20 orgs (per s)" "$1" "$2" "$3" "<= 0.5" "$(verdict "$1" "<=" 0.5)" \
    "htop -d 15: ${htop_med}/s"
htop_med=$(cut -d' ' -f2 < "$bench_tmp/busy" | stats | cut -d' ' -f1)
set -- $(cut -d' ' -f1 < "$bench_tmp/busy" | stats)
row B18b "wake-ups, refresh 30 (per s)" "$1" "$2" "$3" "record" "-" \
    "2 refreshes of 20 orgs in the window; htop -d 15: ${htop_med}/s"
