#!/bin/sh
# tests/e2e/run.sh: runs every tests/e2e/test_*.sh (or the ones named as arguments), each in a
# fresh environment with its own temporary directory, against the real maxdash in tmux.
#
#   MAXDASH_BUILD=$PWD/build MAXDASH_SRC=$PWD sh tests/e2e/run.sh [test_name...]
#
# The reliability suite (tests/reliability/run.sh) runs its own tests with this runner:
# E2E_TESTS_DIR names the directory of the tests, E2E_TIMEOUT the seconds one test may take
# (default 90), and E2E_ENV extra VAR=VALUE words passed to every test.
#
# Prints PASS/FAIL per test (with the failing assertion, the screen and maxdash's stderr), and
# ends with the line "N passed, N failed" that CI reads; exits 1 when any test failed.
# Every tmux command uses a private server (tmux -L maxdash-e2e-PID), killed at the end, so a
# user's own tmux sessions are never touched. E2E_VERBOSE=1 prints the output of passing tests
# too; E2E_KEEP=1 keeps the temporary directories; E2E_SCALE=N stretches the generic deadlines.
set -u

e2e_dir=$(cd "$(dirname "$0")" && pwd)
here=${E2E_TESTS_DIR:-$e2e_dir}
here=$(cd "$here" && pwd) || exit 1
suite=$(basename "$here")
tlimit=${E2E_TIMEOUT:-90}
: "${MAXDASH_SRC:=$(cd "$e2e_dir/../.." && pwd)}"
: "${MAXDASH_BUILD:=$MAXDASH_SRC/build}"
case $MAXDASH_BUILD in /*) ;; *) MAXDASH_BUILD=$(pwd)/$MAXDASH_BUILD ;; esac
case $MAXDASH_SRC in /*) ;; *) MAXDASH_SRC=$(pwd)/$MAXDASH_SRC ;; esac

if [ $# -gt 0 ]; then
    tests=
    for n in "$@"; do
        n=${n%.sh}; n=${n##*/}
        [ -f "$here/$n.sh" ] || { echo "$suite: no test $here/$n.sh" >&2; echo "0 passed, 1 failed"; exit 1; }
        tests="$tests $here/$n.sh"
    done
else
    tests=$(ls "$here"/test_*.sh 2>/dev/null)
fi
# shellcheck disable=SC2086 # one word per test file
ntests=$(printf '%s\n' $tests | grep -c .)

# Prerequisites: a missing one fails every test rather than passing silently.
problem=
for bin in "$MAXDASH_BUILD/maxdash" "$MAXDASH_BUILD/maxdash-sandbox"; do
    [ -x "$bin" ] || problem="$problem; $bin is missing (build first)"
done
for cmd in tmux curl bash timeout infocmp; do
    command -v "$cmd" >/dev/null 2>&1 || problem="$problem; '$cmd' is not installed (make deps)"
done
if [ -n "$problem" ]; then
    echo "$suite: cannot run:${problem#;}" >&2
    echo "0 passed, $ntests failed"
    exit 1
fi

sock=maxdash-e2e-$$
root=$(mktemp -d "${TMPDIR:-/tmp}/maxdash-$suite.XXXXXX") || exit 1
sockpath=${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock
cleanup() {
    tmux -L "$sock" -f /dev/null kill-server >/dev/null 2>&1
    rm -f "$sockpath"     # tmux leaves its socket file behind
    if [ "${E2E_KEEP:-}" = 1 ]; then echo "$suite: kept $root"; else rm -rf "$root"; fi
}
trap cleanup EXIT
# Interrupted: stop the running test (its own teardown stops maxdash and the sandbox), then leave.
tpid='' interrupted=''
trap 'interrupted=1; [ -n "$tpid" ] && kill -TERM "$tpid" 2>/dev/null' INT TERM HUP

# The demo keys: a test's output must never hold one whole.
keyvals=$(sed -n 's/^MAXDASH_DEMO_[A-Z_]*KEY=//p' "$MAXDASH_SRC/mk/demo.sh")
redact() {
    f=$1
    for k in $keyvals; do sed -i "s/$k/[KEY REDACTED]/g" "$f"; done
}

now_ms() { date +%s%3N; }

passed=0 failed=0 failures=
echo "$suite: $ntests tests, build $MAXDASH_BUILD, tmux -L $sock"
for t in $tests; do
    name=$(basename "$t" .sh)
    dir=$root/$name
    mkdir -p "$dir/home"
    start=$(now_ms)
    env -i PATH="$PATH" HOME="$dir/home" LANG=C.UTF-8 TZ=UTC TMPDIR="$dir" \
        MAXDASH_BUILD="$MAXDASH_BUILD" MAXDASH_SRC="$MAXDASH_SRC" \
        E2E_TMP="$dir" E2E_SOCKET="$sock" E2E_SCALE="${E2E_SCALE:-1}" E2E_TRACE="${E2E_TRACE:-}" \
        E2E_TERM_TYPE="${E2E_TERM_TYPE:-}" E2E_LANG="${E2E_LANG:-}" \
        ASAN_OPTIONS="${ASAN_OPTIONS:-}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" LSAN_OPTIONS="${LSAN_OPTIONS:-}" \
        E2E_LIB="$e2e_dir/lib.sh" ${E2E_ENV:-} \
        timeout -k 20 "$tlimit" bash "$t" >"$root/$name.log" 2>&1 </dev/null &
    tpid=$!
    wait "$tpid"; rc=$?
    while kill -0 "$tpid" 2>/dev/null; do wait "$tpid"; rc=$?; done
    tpid=
    if [ -n "$interrupted" ]; then
        echo "INTERRUPTED $name"
        sed 's/^/    /' "$root/$name.log"
        echo "$passed passed, $((failed + 1)) failed"
        exit 130
    fi
    secs=$(( ($(now_ms) - start) / 100 ))
    secs="$((secs / 10)).$((secs % 10)) s"
    leaked=0
    for k in $keyvals; do grep -qF "$k" "$root/$name.log" && leaked=1; done
    if [ $leaked = 1 ]; then
        redact "$root/$name.log"
        echo "ASSERTION FAILED: a whole API key appeared in the test's output" >>"$root/$name.log"
        [ $rc = 0 ] && rc=1
    fi
    if [ $rc = 0 ]; then
        passed=$((passed + 1))
        echo "PASS $name ($secs)"
        [ "${E2E_VERBOSE:-}" = 1 ] && sed 's/^/    /' "$root/$name.log"
    else
        failed=$((failed + 1))
        failures="$failures $name"
        why=$(grep -m 1 -E '^(ASSERTION FAILED|SANITIZER REPORT|TEARDOWN):' "$root/$name.log")
        [ $rc = 124 ] && why="timed out after $tlimit s${why:+; $why}"
        [ -n "$why" ] || why="exit status $rc"
        echo "FAIL $name ($secs): $why"
        sed 's/^/    /' "$root/$name.log"
    fi
    # A test must leave no session behind.
    if tmux -L "$sock" -f /dev/null list-sessions >/dev/null 2>&1; then
        tmux -L "$sock" -f /dev/null kill-server >/dev/null 2>&1
    fi
done

[ $failed -gt 0 ] && echo "failed:$failures"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
