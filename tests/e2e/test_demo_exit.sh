# make demo ends quietly (issue 19 case 3): Ctrl-C in the dashboard ends the demo without
# "make: *** [Makefile:NNN: demo] Error 130", and closing the terminal of an interactive shell
# running `make demo` (bash -> make -> sh mk/demo.sh -> sandbox, maxdash) leaves no
# maxdash-demo.XXXXXX directory: the hang-up had already ended the sandbox, and the cleanup's
# failing `kill` under `set -e` used to end the script before its `rm`.
. "$MAXDASH_SRC/tests/e2e/lib.sh"

# The Makefile's demo recipe, without the deps and build steps (the build is the one tested).
printf 'demo:\n\t@sh %s/mk/demo.sh %s\n' "$MAXDASH_SRC" "$MAXDASH_BUILD" >"$T/Makefile"
mkdir -p "$T/demotmp"

# start_demo NAME: an interactive bash in a new session types `make demo`.
start_demo() {
    _cm_start
    tmq new-session -d -s "$1" -x 100 -y 30 env -i PATH="$PATH" TERM="$E2E_TERM" \
        LANG="$E2E_LANG" TZ=UTC HOME="$T" TMPDIR="$T/demotmp" PS1='$ ' \
        ASAN_OPTIONS="${ASAN_OPTIONS:-}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" \
        LSAN_OPTIONS="${LSAN_OPTIONS:-}" bash --norc --noprofile -i ||
        fail "tmux new-session failed: $TMQ_OUT"
    SESSIONS="$SESSIONS $1"
    S=$1
    keys "make -s -f '$T/Makefile' demo; echo \"demo-exit=\$?\"" Enter
    see_re '│● westla +[0-9]+ ms│' "$(scaled 10000)"
    ls -d "$T"/demotmp/maxdash-demo.* >/dev/null 2>&1 || fail "no demo temporary directory to watch"
}
no_demo_dir() { ! ls -d "$T"/demotmp/maxdash-demo.* >/dev/null 2>&1; }
sandbox_gone() { ! pgrep -f "maxdash-sandbox --data $MAXDASH_SRC/assets/sandbox/demo.json.*$T/demotmp" >/dev/null; }

# 1. Ctrl-C: the shell's prompt comes back with no make error, and nothing is left.
start_demo ctrlc
keys C-c
see_re '^\$ *$' "$(scaled 5000)" "the prompt after Ctrl-C"
_capture
case $SCREEN in *"make: ***"*|*"Error 130"*) fail "make reported an error after Ctrl-C" ;; esac
wait_until 2000 no_demo_dir || fail "Ctrl-C left the demo's temporary directory: $(ls "$T/demotmp")"
wait_until 2000 sandbox_gone || fail "Ctrl-C left the demo's sandbox running"

# 2. The terminal closes under the interactive shell.
start_demo closed
tmq kill-session -t closed || fail "kill-session failed"
SESSIONS=${SESSIONS/ closed/}
S=
wait_until 3000 no_demo_dir || fail "closing the terminal left the demo's temporary directory: $(ls "$T/demotmp")"
wait_until 3000 sandbox_gone || fail "closing the terminal left the demo's sandbox running"
log "ok"
