#!/bin/sh
# make demo: maxdash-sandbox on a free port with the demo data and chaos every 20 s, a config
# pointing at it (the demo keys come through environment variables, never argv), the dashboard;
# the sandbox stops when the dashboard exits. MAXDASH_DEMO_CHAOS=N changes every N s, 0 never.
# Ctrl-C (the dashboard exits 130) ends it with status 0; a hang-up or SIGTERM ends it too, and
# either way the sandbox is stopped and the temporary directory removed.
#   sh mk/demo.sh BUILD_DIR [--print-config]
set -eu
build=$1
src=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/maxdash-demo.XXXXXX")
sandbox_pid=
cleanup() {
    # Closing the terminal sends SIGHUP more than once (the kernel, then the shell to its jobs):
    # a second one must not cut the cleanup short and leave the directory behind.
    # And under set -e a failing kill (the hang-up already ended the sandbox) would end this
    # shell before the rm: the cleanup runs without it.
    trap '' HUP INT TERM
    set +e
    if [ -n "$sandbox_pid" ]; then kill "$sandbox_pid" 2>/dev/null; wait "$sandbox_pid" 2>/dev/null; fi
    rm -rf "$tmp"
}
trap cleanup EXIT
# Ctrl-C reaches the whole foreground process group (make, this script, the dashboard): the
# dashboard restores the terminal and exits 130, and that is how a demo ends, not an error.
trap 'interrupted=1' INT
trap 'exit 129' HUP
trap 'exit 143' TERM
interrupted=0

chaos="--chaos ${MAXDASH_DEMO_CHAOS:-20}"
[ "${MAXDASH_DEMO_CHAOS:-20}" = 0 ] && chaos=
# shellcheck disable=SC2086
"$build/maxdash-sandbox" --data "$src/assets/sandbox/demo.json" --port 0 \
    --port-file "$tmp/port" $chaos --quiet >"$tmp/out" 2>"$tmp/err" &
sandbox_pid=$!
i=0
while [ ! -s "$tmp/port" ]; do
    if ! kill -0 "$sandbox_pid" 2>/dev/null; then cat "$tmp/err" >&2; exit 1; fi
    i=$((i + 1)); [ $i -gt 200 ] && { echo "demo: the sandbox did not start" >&2; exit 1; }
    sleep 0.05
done
port=$(cat "$tmp/port")

umask 077
cat >"$tmp/config.ini" <<INI
; written by make demo: the bundled sandbox on this machine
[maxdash]
base_url = http://127.0.0.1:$port/v1
refresh  = 10
timeout  = 4
log_file = $tmp/auth-failures.jsonl

[key "demo"]
env = MAXDASH_DEMO_KEY
[key "revoked"]
env = MAXDASH_DEMO_REVOKED_KEY
; The harbor app only reads appointments, on API v4 (same sandbox): its health is judged on
; its appointments, and the rest of the demo stays on v1.
[key "scheduler"]
env = MAXDASH_DEMO_APPTS_KEY
probe = appointments
base_url = http://127.0.0.1:$port/v4

[org "westla"]
id   = org_westla
key  = demo
name = West LA Dermatology
[org "eastside"]
id   = org_eastside
key  = revoked
name = Eastside Family Clinic
[org "north"]
id   = org_north
key  = demo
name = North Valley Pediatrics
[org "south"]
id   = org_south
key  = demo
name = South Bay Orthopedics
[org "hostile"]
id   = org_hostile
key  = demo
name = Hostile Data Clinic
[org "big"]
id   = org_big
key  = demo
name = Big County Hospital
[org "harbor"]
id   = org_harbor
key  = scheduler
name = Harbor Scheduling
INI

MAXDASH_DEMO_KEY=max_dev_ak_01DEMOKEYGOOD7Q2M4X8R5T3W9
MAXDASH_DEMO_REVOKED_KEY=max_dev_ak_01DEMOKEYREVOKED4P6N8B2C5V
MAXDASH_DEMO_APPTS_KEY=max_dev_ak_01DEMOKEYAPPTS9F3H5J7K2L4
export MAXDASH_DEMO_KEY MAXDASH_DEMO_REVOKED_KEY MAXDASH_DEMO_APPTS_KEY

if [ "${2:-}" = "--print-config" ]; then cat "$tmp/config.ini"; exit 0; fi
status=0
"$build/maxdash" -c "$tmp/config.ini" || status=$?
# Ended by Ctrl-C (the dashboard's 130, or this script's own SIGINT): quietly, status 0.
if [ "$status" = 130 ] || [ "$interrupted" = 1 ]; then status=0; fi
exit "$status"
