# Quitting restores the terminal: q exits with status 0, Ctrl-C (SIGINT) with 130 (128 + 2, as
# shells expect: issue 12), the alternate screen is left
# (the shell's output is back), the cursor is visible, mouse reporting and keypad mode are off.
# SIGTERM quits cleanly too, and a fatal signal (SIGQUIT from Ctrl-\) still restores the terminal.
. "$MAXDASH_SRC/tests/e2e/lib.sh"

start_sandbox
write_config

# restored WHY: the pane is back to the shell's normal screen.
restored() {
    local why=$1 f v
    [ "$(tmux_format '#{alternate_on}')" = 0 ] || fail "$why: the alternate screen is still on"
    _capture
    case $SCREEN in *"wrap: starting maxdash"*) ;; *) fail "$why: the shell's output before maxdash is not back on the screen" ;; esac
    case $SCREEN in *"Orgs (7)"*|*"Patients ─"*) fail "$why: the dashboard is still on the screen" ;; esac
    for f in cursor_flag:1 mouse_any_flag:0 mouse_standard_flag:0 mouse_button_flag:0 mouse_all_flag:0 mouse_sgr_flag:0 keypad_cursor_flag:0 keypad_flag:0 insert_flag:0; do
        v=$(tmux_format "#{${f%%:*}}")
        [ "$v" = "${f#*:}" ] || fail "$why: #{${f%%:*}} is $v after exit, not ${f#*:}"
    done
    # The last thing written leaves the alternate screen (rmcup) and nothing is drawn after it.
    local raw=$T/$S.raw tail
    LC_ALL=C grep -aq $'\e\[?1049l' "$raw" || fail "$why: maxdash never wrote rmcup (ESC [?1049l)"
    tail=$(LC_ALL=C sed 's/.*\x1b\[?1049l//' <(tr '\n' ' ' <"$raw"))
    case $tail in *"Orgs ("*|*"Patients"*) fail "$why: maxdash drew after leaving the alternate screen" ;; esac
}

start_maxdash -s q -x 80 -y 24
see_re '│● westla +[0-9]+ ms│'
[ "$(tmux_format '#{alternate_on}')" = 1 ] || fail "maxdash does not use the alternate screen"
[ "$(tmux_format '#{mouse_any_flag}#{mouse_standard_flag}#{mouse_button_flag}')" != 000 ] ||
    fail "maxdash did not turn mouse reporting on (so the check that it is off afterwards proves nothing)"
keys q
wait_exit 2000 || fail "q did not quit within 2 s"
[ "$EXIT_STATUS" = 0 ] || fail "q: exit status $EXIT_STATUS, not 0"
restored "q"
log "q: exit 0, terminal restored"

start_maxdash -s ctrlc -x 80 -y 24
see_re '│● westla +[0-9]+ ms│'
keys C-c
wait_exit 2000 || fail "Ctrl-C did not quit within 2 s"
[ "$EXIT_STATUS" = 130 ] || fail "Ctrl-C: exit status $EXIT_STATUS, not 130"
restored "Ctrl-C"
log "Ctrl-C: exit 130, terminal restored"

# q with an overlay open closes the overlay, as in less and k9s (issue 14 case 8); the next q
# quits. In the search prompt q is text.
start_maxdash -s overlay -x 80 -y 24
see "Patients ─ 1503"
keys '?'
see "Help (Esc closes)"
keys q
gone "Help (Esc closes)" 2000 "q should close the help"
see "Patients ─ 1503"
not_seen "exit=" "q with the help open quit the program"
keys Tab Enter
see "Patient (Esc closes)"
keys q
gone "Patient (Esc closes)" 2000 "q should close the patient"
keys '/'
type_text "q"
see "search patients: q"
keys Escape
keys q
wait_exit 2000 || fail "q with no overlay did not quit"
[ "$EXIT_STATUS" = 0 ] || fail "q: exit status $EXIT_STATUS"
restored "q after closing the help"

start_maxdash -s term -x 80 -y 24
see_re '│● westla +[0-9]+ ms│'
kill -TERM "$(maxdash_pid)"
wait_exit 2000 || fail "SIGTERM did not end maxdash within 2 s"
[ "$EXIT_STATUS" = 143 ] || fail "SIGTERM: exit status $EXIT_STATUS, not 143"
restored "SIGTERM"
log "SIGTERM: exit 143, terminal restored"

# SIGHUP (the terminal went away): 129; SIGUSR1, SIGUSR2, SIGALRM (default: fatal) and SIGXFSZ
# (a file-size limit; the log reports it as a write error) restore the terminal too.
start_maxdash -s hup -x 80 -y 24
see_re '│● westla +[0-9]+ ms│'
kill -HUP "$(maxdash_pid)"
wait_exit 2000 || fail "SIGHUP did not end maxdash within 2 s"
[ "$EXIT_STATUS" = 129 ] || fail "SIGHUP: exit status $EXIT_STATUS, not 129"
restored "SIGHUP"
log "SIGHUP: exit 129, terminal restored"
for sig in USR1:138 USR2:140 ALRM:142; do
    start_maxdash -s "s${sig%%:*}" -x 80 -y 24
    see_re '│● westla +[0-9]+ ms│'
    kill -"${sig%%:*}" "$(maxdash_pid)"
    wait_exit 2000 || fail "SIG${sig%%:*} did not end maxdash within 2 s"
    [ "$EXIT_STATUS" = "${sig#*:}" ] || fail "SIG${sig%%:*}: exit status $EXIT_STATUS, not ${sig#*:}"
    restored "SIG${sig%%:*}"
    log "SIG${sig%%:*}: exit ${sig#*:}, terminal restored"
done
start_maxdash -s xfsz -x 80 -y 24
see_re '│● westla +[0-9]+ ms│'
kill -XFSZ "$(maxdash_pid)"
keys q
wait_exit 2000 || fail "after SIGXFSZ, q did not quit within 2 s"
[ "$EXIT_STATUS" = 0 ] || fail "SIGXFSZ killed maxdash (exit status $EXIT_STATUS): it must be ignored"
restored "q after SIGXFSZ"
log "SIGXFSZ: ignored (q then quits with 0)"

# A fatal signal: the terminal is restored before the default action (exit 128+3).
start_maxdash -s fatal -x 80 -y 24
see_re '│● westla +[0-9]+ ms│'
# shellcheck disable=SC1003 # the tmux key name C-\ (Ctrl-backslash: SIGQUIT)
keys 'C-\'
wait_exit 2000 || fail "Ctrl-\\ (SIGQUIT) did not end maxdash"
[ "$EXIT_STATUS" = 131 ] || fail "SIGQUIT: exit status $EXIT_STATUS, not 131"
restored "SIGQUIT"
log "SIGQUIT: exit 131, terminal restored"
log "ok"
