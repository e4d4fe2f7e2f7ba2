#!/bin/sh
# Makes assets/screenshot.png: the demo dashboard (make demo, chaos off) in a 120x36 tmux
# session, captured with its colours, turned into SVG by ansi2svg.py and into PNG by
# rsvg-convert.   make screenshot   (installs tmux, python3, librsvg2-bin, fonts as needed)
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build}
sock=maxdash-shot-$$
tmp=$(mktemp -d "${TMPDIR:-/tmp}/maxdash-shot.XXXXXX")
trap 'tmux -L "$sock" kill-server 2>/dev/null; rm -rf "$tmp"' EXIT

tmux -L "$sock" -f /dev/null new-session -d -s shot -x 120 -y 36 \
    "env TERM=tmux-256color LANG=C.UTF-8 TZ=UTC MAXDASH_DEMO_CHAOS=0 sh '$src/mk/demo.sh' '$build'"
wait_for() { # wait_for TEXT: poll the screen, 10 s at most
    i=0
    until tmux -L "$sock" capture-pane -p -t shot | grep -q -- "$1"; do
        i=$((i + 1)); [ $i -gt 200 ] && { echo "screenshot: '$1' never appeared" >&2; exit 1; }
        sleep 0.05
    done
}
wait_for "Auth failures"
wait_for "trace"
wait_for "page 1/"
# A search shows the server-side filter; then the failures pane gets the focus.
tmux -L "$sock" send-keys -t shot / j o h n Enter
wait_for 'search "john"'
wait_for '2 ms\|1 ms\|[0-9] ms'
tmux -L "$sock" send-keys -t shot Tab Tab
sleep 0.3 # let the focus redraw land; the picture is not a test
tmux -L "$sock" capture-pane -e -p -t shot > "$tmp/screen.ansi"
python3 "$src/assets/ansi2svg.py" 120 < "$tmp/screen.ansi" > "$tmp/screen.svg"
rsvg-convert -o "$src/assets/screenshot.png" "$tmp/screen.svg"
echo "wrote assets/screenshot.png"
