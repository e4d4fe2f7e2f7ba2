#!/bin/sh
# Issue 19's "done when", on a machine where `make install` has just run (as
# ../shared/tools/fresh-machine-check does it: 'make deps' 'make install' 'sh tests/install/first-hour.sh'):
# maxdash without a config names the installed example; `maxdash init` with flags writes a
# config that `maxdash config` accepts; `maxdash check` on it against a sandbox works; every
# subcommand's --help shows examples and fits 80 columns. Uses the installed programs (PATH).
set -eu
prefix=${PREFIX:-/usr/local}
example=$prefix/share/doc/maxdash/config.example.ini
tmp=$(mktemp -d "${TMPDIR:-/tmp}/maxdash-first-hour.XXXXXX")
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
export HOME="$tmp/home" XDG_CONFIG_HOME= XDG_STATE_HOME= MAXDASH_CONFIG=
mkdir -p "$HOME"
fail() { echo "first-hour: FAILED: $*"; exit 1; }

command -v maxdash >/dev/null || fail "maxdash is not on PATH"
[ -f "$example" ] || fail "no $example"
status=0; out=$(maxdash 2>&1) || status=$?
[ $status = 2 ] || fail "maxdash without a config exited $status"
case $out in *"run 'maxdash init' to write it, or copy $example there"*) ;;
    *) fail "maxdash without a config: $out" ;; esac
echo "first-hour: no config: $out"

for sub in "" init check config log; do
    # shellcheck disable=SC2086
    help=$(maxdash $sub --help) || fail "maxdash $sub --help failed"
    printf '%s\n' "$help" | grep -q '^Examples:' || fail "maxdash $sub --help has no examples"
    wide=$(printf '%s\n' "$help" | awk 'length($0) > 80' | head -n 1)
    [ -z "$wide" ] || fail "maxdash $sub --help is wider than 80 columns: $wide"
done
echo "first-hour: every --help has examples and fits 80 columns"

maxdash-sandbox --port 0 --port-file "$tmp/port" --quiet >/dev/null 2>&1 &
pid=$!
i=0
while [ ! -s "$tmp/port" ]; do
    i=$((i + 1)); [ $i -lt 200 ] || fail "the installed sandbox did not start"
    sleep 0.05
done
MAXDASH_DEMO_KEY=max_dev_ak_01DEMOKEYGOOD7Q2M4X8R5T3W9
export MAXDASH_DEMO_KEY
maxdash init --base-url "http://127.0.0.1:$(cat "$tmp/port")/v1" --key-env MAXDASH_DEMO_KEY \
    --org org_westla --org org_big || fail "maxdash init"
[ "$(stat -c %a "$HOME/.config/maxdash/config.ini")" = 600 ] || fail "the config is not 0600"
[ "$(stat -c %a "$HOME/.config/maxdash")" = 700 ] || fail "its directory is not 0700"
maxdash config >/dev/null || fail "maxdash config refuses what init wrote"
maxdash check || fail "maxdash check against the sandbox"
echo "first-hour: init, config and check against the sandbox work"
