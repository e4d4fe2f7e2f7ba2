# Issue 13, cases 5 and 6: copy transports tell the truth. copy_command's exit status and stderr
# are checked and reported (false; a program that is not installed; one that works gets the
# text, with no key in its environment and no descriptor of maxdash's but stdin, stdout and
# stderr). Inside tmux ($TMUX set, tmux's default set-clipboard external) the copy goes through
# `tmux load-buffer -w -` and reaches tmux's buffer; a tmux without -w falls back to OSC 52 in
# tmux's passthrough, and the status line says which.
. "$MAXDASH_SRC/tests/e2e/lib.sh"

start_sandbox
write_config "refresh = 60"
TRACE_RE='[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
# eastside (revoked key) has a 401 with a trace_id: select it and press y.
copy_eastside() {
    see_re "eastside +401" 5000
    keys j
    see "Organization ─ eastside"
    keys y
}

# --- case 5: copy_command failing ---------------------------------------------------------------
start_maxdash -s cmdfalse -x 160 -y 30 -- --copy-command false
copy_eastside
see "NOT COPIED trace_id: eastside 401" 3000 "a failing copy_command is reported"
see "copy_command failed: exit status 1" 2000
not_seen "copied trace_id" "a failed copy must not claim success"

start_maxdash -s cmdmissing -x 160 -y 30 -- --copy-command maxdash-no-such-clipboard-tool
copy_eastside
see "NOT COPIED trace_id: eastside 401" 3000 "a copy_command that is not installed is reported"
see "exit status 127" 2000
see "maxdash-no-such-clipboard-tool: not found" 2000 "its stderr is shown"

# A working one gets the text; only fds 0-2; no key in its environment.
# (ls lists its own descriptors: 0-2 and the directory it reads, 3.)
start_maxdash -s cmdok -x 160 -y 30 -- --copy-command \
    "ls /proc/self/fd >'$T/clip.fds'; tr '\\0' '\\n' </proc/self/environ >'$T/clip.env'; cat >'$T/clip.out'"
copy_eastside
see_re "copied trace_id: eastside 401 /v1/[a-z/]+, trace [0-9a-f]{8}… via copy_command" 3000
grep -qE "^$TRACE_RE\$" "$T/clip.out" || fail "copy_command got '$(cat "$T/clip.out")', not a trace_id"
fds=$(sort -n "$T/clip.fds" | tr '\n' ' ')
[ "$fds" = "0 1 2 3 " ] || fail "copy_command inherited descriptors beyond 0-2: $fds"
for k in "$DEMO_KEY" "$DEMO_REVOKED_KEY" "$DEMO_APPTS_KEY"; do
    grep -qF "$k" "$T/clip.env" && fail "copy_command's environment holds a whole API key"
done
grep -q '^MAXDASH_DEMO' "$T/clip.env" && fail "copy_command's environment holds a key variable"

# --- case 6: inside tmux ------------------------------------------------------------------------
_cm_start
tmq display-message -p '#{socket_path},#{pid},0'
tmux_env=${TMQ_OUT%$'\n'}
tmq show-options -s set-clipboard
log "tmux server: $tmux_env, ${TMQ_OUT%$'\n'}"
start_maxdash -s intmux -x 160 -y 30 -e "TMUX=$tmux_env" -e "TMUX_TMPDIR=${TMUX_TMPDIR:-/tmp}"
copy_eastside
see_re "copied trace_id: eastside 401 /v1/[a-z/]+, trace [0-9a-f]{8}… via tmux load-buffer -w" 3000 \
    "inside tmux the copy goes through tmux load-buffer"
tmq show-buffer || fail "no tmux buffer after y inside tmux"
buf=${TMQ_OUT%$'\n'}
printf '%s' "$buf" | grep -qE "^$TRACE_RE\$" || fail "the tmux buffer holds '$buf', not a trace_id"
see "trace ${buf:0:8}" 1000 "the buffer holds the trace_id the status line names"

# A tmux without load-buffer -w: the passthrough, and the status line says so.
mkdir -p "$T/oldtmux"
cat >"$T/oldtmux/tmux" <<'OLD'
#!/bin/sh
echo "command load-buffer: unknown flag -w" >&2
exit 1
OLD
chmod +x "$T/oldtmux/tmux"
start_maxdash -s oldtmux -x 220 -y 30 -e "TMUX=$tmux_env" -e "PATH=$T/oldtmux:$PATH"
copy_eastside
see "via OSC 52 in tmux passthrough (tmux load-buffer -w: exit status 1: command load-buffer: unknown flag -w)" 3000
wait_until 2000 grep -qa $'\ePtmux;\e\e]52;c;' "$T/oldtmux.raw" || fail "no OSC 52 in tmux's passthrough after the fallback"
