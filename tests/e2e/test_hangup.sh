# The terminal goes away under a parent that catches SIGHUP (issue 14 case 1). A dropped SSH
# session or a killed tmux pane sends SIGHUP to the session leader only; a wrapper that traps
# it (`trap 'exit 130' INT TERM HUP`, as make demo's script does) waits for its child, and
# maxdash, never signalled, used to spin at 50-90 % CPU on a terminal that reads EOF for ever,
# still spending the app's rate budget. Now maxdash exits (status 129) within 1 s, and make
# demo's script then stops its sandbox and removes its temporary directory.
. "$MAXDASH_SRC/tests/e2e/lib.sh"

start_sandbox
write_config "refresh = 2"

# pid_gone PID: true once PID no longer exists (or is a zombie nobody reaped).
pid_gone() { [ ! -d "/proc/$1" ] || grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null; }

# 1. A SIGHUP-catching wrapper: maxdash is its child, in the same process group.
cat >"$T/hupwrap.sh" <<'SH'
# The trap runs once the child is gone (the shell defers it): $? is then maxdash's status.
trap 'echo "exit=$?" >"$E2E_DIR/hup.exit"; exit 130' INT TERM HUP
. "$E2E_DIR/keys.env"
export MAXDASH_DEMO_KEY MAXDASH_DEMO_REVOKED_KEY MAXDASH_DEMO_APPTS_KEY
sh -c 'echo $$ >"$0"; exec "$@"' "$E2E_DIR/hup.pid" "$MAXDASH" -c "$E2E_DIR/config.ini" 2>"$E2E_DIR/hup.err"
echo "exit=$?" >"$E2E_DIR/hup.exit"
SH
_cm_start
tmq new-session -d -s hup -x 80 -y 24 env -i PATH="$PATH" TERM="$E2E_TERM" LANG="$E2E_LANG" TZ=UTC \
    HOME="$T" E2E_DIR="$T" MAXDASH="$MAXDASH" ASAN_OPTIONS="${ASAN_OPTIONS:-}" \
    UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" LSAN_OPTIONS="${LSAN_OPTIONS:-}" sh "$T/hupwrap.sh" ||
    fail "tmux new-session failed: $TMQ_OUT"
S=hup
see_re '│● westla +[0-9]+ ms│'
pid=$(cat "$T/hup.pid")
[ -n "$pid" ] || fail "no pid for maxdash"
tmq kill-session -t hup || fail "kill-session failed"
t0=$(now_ms)
if ! wait_until 1000 pid_gone "$pid"; then
    c0=$(cpu_ticks "$pid"); nap 1; c1=$(cpu_ticks "$pid")
    state=$(sed -n 's/^State:[[:space:]]*//p' "/proc/$pid/status" 2>/dev/null)
    kill -KILL "$pid" 2>/dev/null
    fail "maxdash still runs 1 s after its terminal was closed (state $state, $((c1 - c0)) CPU ticks in the next second)"
fi
log "maxdash gone $(($(now_ms) - t0)) ms after its terminal closed"
wait_until 3000 test -s "$T/hup.exit" || fail "the wrapper never saw maxdash exit"
[ "$(cat "$T/hup.exit")" = "exit=129" ] || fail "maxdash's exit status: $(cat "$T/hup.exit"), not 129"

# 2. make demo's own script as the pane's program: nothing of it may outlive the pane.
mkdir -p "$T/demotmp"
tmq new-session -d -s demo -x 100 -y 30 env -i PATH="$PATH" TERM="$E2E_TERM" LANG="$E2E_LANG" TZ=UTC \
    HOME="$T" TMPDIR="$T/demotmp" MAXDASH_DEMO_CHAOS=0 ASAN_OPTIONS="${ASAN_OPTIONS:-}" \
    UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" LSAN_OPTIONS="${LSAN_OPTIONS:-}" \
    sh "$MAXDASH_SRC/mk/demo.sh" "$MAXDASH_BUILD" || fail "tmux new-session (demo) failed: $TMQ_OUT"
S=demo
see_re '│● westla +[0-9]+ ms│' "$(scaled 10000)"
demo_pid=$(tmux_format '#{pane_pid}')
kids=$(ps -o pid= --ppid "$demo_pid" | tr -s ' \n' '  ')
[ -n "${kids// /}" ] || fail "make demo's script has no children (sandbox, maxdash)"
ls -d "$T"/demotmp/maxdash-demo.* >/dev/null 2>&1 || fail "no demo temporary directory to watch"
tmq kill-session -t demo || fail "kill-session (demo) failed"
t0=$(now_ms)
all_gone() { local p; for p in $demo_pid $kids; do pid_gone "$p" || return 1; done; }
wait_until 3000 all_gone || fail "3 s after the demo's terminal closed, still running: $(for p in $demo_pid $kids; do pid_gone "$p" || ps -o pid=,stat=,comm= -p "$p"; done | tr '\n' ';')"
log "make demo's script, sandbox and maxdash gone $(($(now_ms) - t0)) ms after the terminal closed"
wait_until 1000 sh -c "! ls -d '$T'/demotmp/maxdash-demo.* >/dev/null 2>&1" ||
    fail "make demo left its temporary directory: $(ls "$T/demotmp")"
log "ok"
