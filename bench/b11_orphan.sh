#!/bin/sh
# B11: orphaned CPU (issue 14 case 1). The dashboard (20 orgs) runs in a tmux pane under a
# wrapper that traps SIGHUP, as make demo's script does; the pane is killed. The figure is the
# CPU the orphan spent in the second after its terminal closed (0 when it is gone at once), and
# the time it took to exit. Target: gone within 1 s, so 0 % CPU. (Before the fix: 51-88 % for
# as long as it ran.) Needs tmux (make deps installs it for the tests).
set -eu
. "$(dirname "$0")/lib.sh"
n=20
write_data "$bench_tmp/data.json" "$n" 100
start_sandbox --data "$bench_tmp/data.json"
write_config "$bench_tmp/config.ini" "$n" 30
sock=maxdash-b11-$$
tm() { tmux -L "$sock" -f /dev/null "$@"; }
trap 'tm kill-server 2>/dev/null || true; bench_cleanup' EXIT
cat >"$bench_tmp/wrap.sh" <<SH
trap 'exit 130' INT TERM HUP
sh -c 'echo \$\$ >"\$0"; exec "\$@"' "$bench_tmp/pid" "$BUILD/maxdash" -c "$bench_tmp/config.ini"
SH
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo gone; }
alive() { [ -d "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }
ms() { date +%s%3N; }
hz=$(getconf CLK_TCK)
: >"$bench_tmp/cpu"; : >"$bench_tmp/exit"
for r in $(seq "${B11_RUNS:-5}"); do
    rm -f "$bench_tmp/pid"
    tm new-session -d -s "r$r" -x 120 -y 40 sh "$bench_tmp/wrap.sh"
    i=0; until [ -s "$bench_tmp/pid" ]; do i=$((i + 1)); [ $i -gt 250 ] && { echo "B11: no pid" >&2; exit 1; }; sleep 0.02; done
    pid=$(cat "$bench_tmp/pid")
    sleep 1 # the dashboard settles (first frame, first refresh)
    c0=$(ticks "$pid"); t0=$(ms)
    tm kill-session -t "r$r"
    gone_ms=-1
    while [ $(($(ms) - t0)) -lt 1000 ]; do
        alive "$pid" || { gone_ms=$(($(ms) - t0)); break; }
        sleep 0.005
    done
    if [ "$gone_ms" -lt 0 ]; then
        c1=$(ticks "$pid"); kill -KILL "$pid" 2>/dev/null || true
        echo "$c0 $c1 $hz" | awk '{printf "%.1f\n", ($2 - $1) * 100 / $3}' >>"$bench_tmp/cpu"
        echo 1000 >>"$bench_tmp/exit"
    else
        echo 0 >>"$bench_tmp/cpu"; echo "$gone_ms" >>"$bench_tmp/exit"
    fi
done
set -- $(stats < "$bench_tmp/cpu")
set -- "$@" $(stats < "$bench_tmp/exit")
row B11 "orphaned CPU, 1 s after hang-up (%)" "$1" "$2" "$3" "0 (gone <=1 s)" \
    "$(verdict "$6" "<=" 999)" "gone after $4 ms (runs $5–$6 ms; 1000 = still running)"
