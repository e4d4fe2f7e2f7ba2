# R3 secret leaks (issue 7). The three demo keys are the canaries: every e2e and reliability test
# runs with them, and lib.sh's teardown fails a test when a whole one is in any file the test
# produced (raw pty bytes, screen captures, stderr, stdout captures, the auth log) or in
# /proc/PID/cmdline or environ of maxdash or a child it started, or when core dumps are on.
#
# This test puts the keys through every path that touches them, each key from a different
# source (file, environment, command, inline value), and records what the children maxdash
# starts can see of themselves:
#   - the dashboard: failures (revoked keys, 401 and 403), the failure view, y Y c through a
#     copy_command that saves its stdin, its cmdline and its environ;
#   - the key command saves its own cmdline and environ (it must not see the other keys);
#   - check (text, --json), config, log (text, --json, --explain), a config error and key
#     warnings, each with stdout and stderr saved;
#   - a crash: maxdash killed with SIGSEGV under `ulimit -c unlimited` writes no core file, while
#     a process without maxdash's protection does (so the check can fail).
# Everything saved lands under $T, which the teardown scans.
. "$MAXDASH_SRC/tests/e2e/lib.sh"

start_sandbox

# Only the key the config names by environment variable is in maxdash's environment: an unused
# variable holding a key is the user's business, not a key maxdash manages.
{
    echo "MAXDASH_DEMO_REVOKED_KEY=$DEMO_REVOKED_KEY"
    echo "export MAXDASH_DEMO_REVOKED_KEY"
} >"$T/keys.env"
mkdir -p "$T/keys" "$T/copies" "$T/proc"
printf '%s\n' "$DEMO_KEY" >"$T/keys/demo.key"
printf '%s\n' "$DEMO_APPTS_KEY" >"$T/keys/appts.key"
chmod 600 "$T/keys/demo.key" "$T/keys/appts.key"
KEY_FILES="$T/keys/demo.key $T/keys/appts.key"

# The key command: records what it can see of itself, then prints the key.
cat >"$T/keycmd.sh" <<EOF
tr '\\0' '\\n' </proc/\$\$/cmdline >"$T/proc/keycmd.cmdline"
tr '\\0' '\\n' </proc/\$\$/environ >"$T/proc/keycmd.environ"
cat "$T/keys/appts.key"
EOF
# The copy command: saves the text it is given, and what it can see of itself.
cat >"$T/copy.sh" <<EOF
n=\$(find "$T/copies" -type f | wc -l)
cat >"$T/copies/\$n.txt"
tr '\\0' '\\n' </proc/\$\$/cmdline >"$T/proc/copy\$n.cmdline"
tr '\\0' '\\n' </proc/\$\$/environ >"$T/proc/copy\$n.environ"
EOF

# write_keys_config FILE: westla/north/south on the file key, eastside on the revoked key from
# the environment, harbor on the command key.
write_keys_config() {
    {
        echo "[maxdash]"
        echo "base_url = $BASE/v1"
        echo "log_file = $T/auth-failures.jsonl"
        echo "refresh = 2"
        echo "timeout = 4"
        echo "copy_command = sh $T/copy.sh"
        echo '[key "demo"]'
        echo "file = $T/keys/demo.key"
        echo '[key "revoked"]'
        echo 'env = MAXDASH_DEMO_REVOKED_KEY'
        echo '[key "scheduler"]'
        echo "command = sh $T/keycmd.sh"
        printf '[org "westla"]\nid = org_westla\nkey = demo\n'
        printf '[org "north"]\nid = org_north\nkey = demo\n'
        printf '[org "south"]\nid = org_south\nkey = demo\n'
        printf '[org "eastside"]\nid = org_eastside\nkey = revoked\n'
        printf '[org "harbor"]\nid = org_harbor\nkey = scheduler\n'
    } >"$1"
}
write_keys_config "$T/config.ini"

# --- the dashboard --------------------------------------------------------------------------
start_maxdash -x 160 -y 40
see_re "eastside +401" 10000 "the revoked key's 401"
see_re "north +403" 10000 "north's 403"
[ -s "$T/proc/keycmd.environ" ] || fail "the key command did not run (or saved nothing)"
grep -q '^MAXDASH_DEMO_REVOKED_KEY=' "$T/proc/keycmd.environ" &&
    fail "the key command's environment holds the variable of another key"

# A key revoked while running: new 401s on the file key, logged and drawn.
ctl_key revoke DEMO_KEY
see_re "westla +401" 10000 "westla's 401 after the revoke"
check_proc "$(maxdash_pid)" || fail "a key is visible in /proc:$PROC_LEAKS"

# The failure view of a 401 and every copy, through the copy command.
keys Tab Tab
see_re "[0-9:]{8} (westla|eastside) 401 unauthorized" 5000
keys Enter
see "Failure group (Esc closes)" 3000
ncopies() { find "$T/copies" -type f | wc -l; }
more_copies() { [ "$(ncopies)" -gt "$1" ]; }
for k in y Y c; do
    n=$(ncopies)
    keys "$k"
    see "via copy_command" 3000 "the status line reports the copy"
    wait_until 3000 more_copies "$n" || fail "$k: the copy command saved nothing"
    # The copy command may still be running: look at it while it exists.
    check_proc "$(maxdash_pid)" || fail "a key is visible in /proc:$PROC_LEAKS"
done
wait_until 3000 test -s "$T/proc/copy2.environ" || fail "the third copy saved no environment"
grep -q 'MAX_API_KEY' "$T/copies/2.txt" || fail "c did not copy the curl command"
keys Escape
ctl_key restore DEMO_KEY

# --- the subcommands, stdout and stderr saved ------------------------------------------------
sub() { # NAME ARGS...: maxdash ARGS with the test's environment, output in $T/sub.NAME.{out,err}
    local name=$1; shift
    env -i PATH="$PATH" TERM=xterm-256color LANG=C.UTF-8 TZ=UTC HOME="$T" \
        MAXDASH_DEMO_REVOKED_KEY="$DEMO_REVOKED_KEY" \
        ASAN_OPTIONS="${ASAN_OPTIONS:-}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" \
        LSAN_OPTIONS="${LSAN_OPTIONS:-}" \
        timeout 20 "$MAXDASH" "$@" </dev/null >"$T/sub.$name.out" 2>"$T/sub.$name.err"
}
sub check check -c "$T/config.ini"
grep -q eastside "$T/sub.check.out" || fail "check printed no report"
sub check_json check --json -c "$T/config.ini"
sub config config -c "$T/config.ini"
sub log log -c "$T/config.ini"
grep -q unauthorized "$T/sub.log.out" || fail "log printed no failure"
sub log_json log --json -c "$T/config.ini"
sub log_explain log --explain -c "$T/config.ini"

# An inline value (the config must then be 0600: it holds the key by design).
sed "s|^file = .*|value = $DEMO_KEY|" "$T/config.ini" >"$T/config-value.ini"
chmod 600 "$T/config-value.ini"
KEY_FILES="$KEY_FILES $T/config-value.ini"
sub value_config config -c "$T/config-value.ini"
sub value_check check -c "$T/config-value.ini"
# The same file readable by others: an error that names the line, not the value.
chmod 644 "$T/config-value.ini"
sub value_open check -c "$T/config-value.ini"
[ $? = 2 ] || fail "an inline value in a 0644 config was not a configuration error"
grep -q 'config-value.ini:[0-9]' "$T/sub.value_open.err" || fail "the error names no line: $(cat "$T/sub.value_open.err")"
chmod 600 "$T/config-value.ini"

# Keys pasted where they do not belong, and keys with the usual mistakes: the messages quote a
# masked key.
sed "s|^refresh = .*|refresh = $DEMO_KEY|" "$T/config.ini" >"$T/config-bad.ini"
KEY_FILES="$KEY_FILES $T/config-bad.ini"
sub bad_refresh config -c "$T/config-bad.ini"
[ $? = 2 ] || fail "a key as refresh was not a configuration error"
grep -q 'refresh' "$T/sub.bad_refresh.err" || fail "no message about refresh"
printf 'Bearer %s\n' "$DEMO_KEY" >"$T/keys/demo.key"
sub bearer config -c "$T/config.ini"
grep -qi 'bearer' "$T/sub.bearer.out" "$T/sub.bearer.err" || fail "no warning about 'Bearer '"
printf '%s\n' "$DEMO_KEY" >"$T/keys/demo.key"

# --- core dumps ------------------------------------------------------------------------------
# With core_pattern a plain file name, a crash writes a core file in the working directory. The
# control: a shell's child with the same limit dumps core, so the check below can fail.
pattern=$(cat /proc/sys/kernel/core_pattern 2>/dev/null)
case $pattern in
'|'*) log "core_pattern is a pipe ($pattern): only RLIMIT_CORE is checked" ;;
*)
    mkdir -p "$T/cores"
    (cd "$T/cores" && ulimit -c unlimited 2>/dev/null && exec sleep 30) &
    ctrl=$!
    wait_until 2000 test -d "/proc/$ctrl" || fail "no control process"
    nap 0.1   # let the subshell reach exec
    kill -SEGV "$ctrl"; wait "$ctrl" 2>/dev/null
    ncores=$(find "$T/cores" -type f | wc -l)
    if [ "$ncores" -eq 0 ]; then
        log "no core from the control process (core dumps are off on this machine): only RLIMIT_CORE is checked"
    else
        rm -f "$T/cores"/*
        ctl POST /_sandbox/faults '{"fault": "hang"}' >/dev/null
        (cd "$T/cores" && ulimit -c unlimited &&
            exec env -i PATH="$PATH" HOME="$T" MAXDASH_DEMO_REVOKED_KEY="$DEMO_REVOKED_KEY" \
                "$MAXDASH" check --timeout 30 -c "$T/config.ini" >/dev/null 2>&1) &
        victim=$!
        # Once it waits on the hanging requests its keys are in memory.
        wait_until 5000 grep -Eq '^Max core file size +0 +0 ' "/proc/$victim/limits" ||
            fail "maxdash check did not set RLIMIT_CORE to 0"
        check_proc "$victim" || fail "a key is visible in /proc:$PROC_LEAKS"
        wait_until 5000 test "$(ctl GET /_sandbox/stats | json_number total)" -gt 0 ||
            fail "maxdash check sent no request"
        kill -SEGV "$victim"; wait "$victim" 2>/dev/null
        ctl DELETE /_sandbox/faults >/dev/null
        [ "$(find "$T/cores" -type f | wc -l)" -eq 0 ] || fail "maxdash left a core file: $(ls "$T/cores")"
        log "SIGSEGV: the control process dumped core, maxdash did not"
    fi
    ;;
esac

log "keys went through file, env, command and value sources, the dashboard, 3 copies, 9 subcommand runs"
