# No usable terminal: TERM=dumb, TERM unset, an unknown TERM, no tty at all: a clear message on
# stderr and exit 2, and the screen is never touched.
. "$MAXDASH_SRC/tests/e2e/lib.sh"

start_sandbox
write_config

# in_pane NAME TERM_ASSIGNMENT EXPECTED_MESSAGE
in_pane() {
    start_maxdash -s "$1" -x 80 -y 24 -e "$2"
    wait_exit 3000 || fail "$2: maxdash did not exit"
    [ "$EXIT_STATUS" = 2 ] || fail "$2: exit status $EXIT_STATUS, not 2 ($(cat "$T/$1.err"))"
    grep -qF -- "$3" "$T/$1.err" || fail "$2: stderr does not say \"$3\": $(cat "$T/$1.err")"
    [ "$(wc -l <"$T/$1.err")" -le 2 ] || fail "$2: more than a short message on stderr: $(cat "$T/$1.err")"
    LC_ALL=C grep -aq $'\e\[?1049h' "$T/$1.raw" && fail "$2: maxdash switched to the alternate screen"
    log "$2: exit 2: $(head -n 1 "$T/$1.err")"
}
in_pane dumb TERM=dumb "TERM is dumb: the dashboard needs a real terminal"
in_pane unset TERM= "TERM is not set"
in_pane unknown TERM=no-such-terminal-xyz "no-such-terminal-xyz"

# Not a terminal at all: stdin and stdout redirected.
rc=0
run_notty "$T/notty.out" "$T/notty.err" || rc=$?
[ "$rc" = 2 ] || fail "without a tty: exit status $rc, not 2 ($(cat "$T/notty.err"))"
grep -q "needs a terminal" "$T/notty.err" || fail "without a tty: no clear message: $(cat "$T/notty.err")"
[ ! -s "$T/notty.out" ] || fail "without a tty: maxdash wrote to stdout: $(od -c "$T/notty.out" | head -n 3)"
log "no tty: exit 2: $(head -n 1 "$T/notty.err")"
log "ok"
