#!/bin/sh
# make demo: start maxdash-sandbox on a free port with the demo data and (once the dashboard
# exists) open it; the sandbox stops when the demo ends.
set -eu
build=$1
src=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/maxdash-demo.XXXXXX")
sandbox_pid=
cleanup() {
    [ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null && wait "$sandbox_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$build/maxdash-sandbox" --data "$src/assets/sandbox/demo.json" --port 0 \
    --port-file "$tmp/port" --chaos 20 --quiet >"$tmp/out" 2>"$tmp/err" &
sandbox_pid=$!
i=0
while [ ! -s "$tmp/port" ]; do
    if ! kill -0 "$sandbox_pid" 2>/dev/null; then cat "$tmp/err" >&2; exit 1; fi
    i=$((i + 1)); [ $i -gt 100 ] && { echo "demo: sandbox did not start" >&2; exit 1; }
    sleep 0.05
done
port=$(cat "$tmp/port")
echo "maxdash-sandbox is serving the demo data at http://127.0.0.1:$port/v1 (chaos every 20 s)."
echo "The dashboard is not built yet; try:"
echo "  curl -H 'Authorization: Bearer max_dev_ak_DEMOgood01' -H 'X-Organization-Id: org_westla' http://127.0.0.1:$port/v1/marketplace/me"
echo "Press Ctrl-C to stop the sandbox."
wait "$sandbox_pid"
