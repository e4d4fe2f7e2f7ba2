#!/bin/sh
# B6: from exec to the first complete frame on a 120x40 pty, every endpoint hanging (so
# nothing the network does can help or hurt): the frame is complete once the failures pane's
# title ("Auth failures") has been drawn and the output has then been quiet for 20 ms; the
# figure is the time of the frame's last byte.
set -eu
. "$(dirname "$0")/lib.sh"
n=${B6_ORGS:-20}
write_data "$bench_tmp/data.json" "$n" 100
start_sandbox --data "$bench_tmp/data.json"
sandbox_ctl POST faults '{"fault": "hang"}' >/dev/null
write_config "$bench_tmp/config.ini" "$n" 30
for r in $(seq "${B6_RUNS:-10}"); do
    ptydrive -s 40x120 -m "Auth failures" -- "$BUILD/maxdash" -c "$bench_tmp/config.ini" \
        > "$bench_tmp/run" || exit 1
    v=$(field first_frame_ms < "$bench_tmp/run")
    case $v in -*|"") echo "B6: no frame" >&2; cat "$bench_tmp/run" >&2; exit 1 ;; esac
    echo "$v"
done > "$bench_tmp/b6"
set -- $(stats < "$bench_tmp/b6")
row B6 "first paint, all hanging (ms)" "$(printf %.1f "$1")" "$(printf %.1f "$2")" \
    "$(printf %.1f "$3")" "<= 50" "$(verdict "$1" "<=" 50)"
