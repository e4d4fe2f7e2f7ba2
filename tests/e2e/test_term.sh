# No usable terminal: TERM=dumb, TERM unset, an unknown TERM, no tty at all: a clear message on
# stderr and exit 2, and the screen is never touched. A terminal whose terminfo entry is missing
# but which emulates xterm (ghostty, kitty, alacritty, wezterm...) runs on xterm-256color and
# says so once after exit (issue 14 case 4); $TERM is never echoed raw.
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
in_pane unknown TERM=no-such-terminal-xyz "TERM=no-such-terminal-xyz has no terminfo entry here: install its terminfo"
grep -qF "run with TERM=xterm-256color" "$T/unknown.err" || fail "unknown TERM: no suggested fix: $(cat "$T/unknown.err")"

# Missing entries of xterm-like terminals: the dashboard runs on xterm-256color.
fallback() { # NAME TERM
    infocmp "$2" >/dev/null 2>&1 && { log "$2 has a terminfo entry here: not a fallback case"; return; }
    start_maxdash -s "$1" -x 80 -y 24 -e "TERM=$2"
    see_re '● westla +[0-9]+ ms' "$(scaled 5000)" "TERM=$2 should fall back to xterm-256color"
    [ ! -s "$T/$1.err" ] || fail "TERM=$2: said something while the screen was up: $(cat -v "$T/$1.err")"
    keys q
    wait_exit 2000 || fail "TERM=$2: q did not quit"
    [ "$EXIT_STATUS" = 0 ] || fail "TERM=$2: exit status $EXIT_STATUS"
    [ "$(wc -l <"$T/$1.err")" = 1 ] || fail "TERM=$2: not one line on stderr: $(cat -v "$T/$1.err")"
    log "TERM=$(printf %q "$2"): $(cat "$T/$1.err")"
}
fallback ghostty xterm-ghostty
grep -qF "TERM=xterm-ghostty has no terminfo entry here; used xterm-256color" "$T/ghostty.err" ||
    fail "TERM=xterm-ghostty: the fallback is not said: $(cat -v "$T/ghostty.err")"
fallback kitty xterm-kitty
fallback alacritty alacritty
fallback wezterm wezterm
# A TERM holding escape sequences (a title change, a colour) is shown cleaned, never raw.
fallback hostile $'xterm-\e]0;PWNED\a\e[31m'
LC_ALL=C grep -q $'[\x01-\x1f\x7f]' "$T/hostile.err" && fail "a control byte of \$TERM reached stderr: $(cat -v "$T/hostile.err")"
grep -q "used xterm-256color" "$T/hostile.err" || fail "hostile TERM: $(cat -v "$T/hostile.err")"

# Not a terminal at all: stdin and stdout redirected.
rc=0
run_notty "$T/notty.out" "$T/notty.err" || rc=$?
[ "$rc" = 2 ] || fail "without a tty: exit status $rc, not 2 ($(cat "$T/notty.err"))"
grep -q "needs a terminal" "$T/notty.err" || fail "without a tty: no clear message: $(cat "$T/notty.err")"
[ ! -s "$T/notty.out" ] || fail "without a tty: maxdash wrote to stdout: $(od -c "$T/notty.out" | head -n 3)"
log "no tty: exit 2: $(head -n 1 "$T/notty.err")"
log "ok"
