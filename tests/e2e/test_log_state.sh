# The log's state on screen (issue 12, Deliver 3 and 7). A log that cannot be opened (its
# directory is a regular file) is named in the Auth-failures pane's title from the first frame
# and stays there, counting the failures not written, past the 6 s of the status line; once the
# obstacle is gone the next failure is written and the mark is gone. A log readable by others is
# made 0600 at start, and the status line says so.
. "$MAXDASH_SRC/tests/e2e/lib.sh"

start_sandbox
: >"$T/blocker"
write_config "refresh = 2" "log_file = $T/blocker/auth.jsonl"
sed -i '/^log_file = .*auth-failures/d' "$T/config.ini"
start_maxdash -s blocked -x 200 -y 40
see "LOG NOT WRITTEN: cannot open: Not a directory" 3000 "an unopenable log is in the pane's title"
# The eastside org's revoked key fails each refresh: the count grows; and it is still there
# after the 6 s a status message lasts.
see_re "LOG NOT WRITTEN: cannot open: Not a directory \\([0-9]+ records? not written\\)" "$(scaled 5000)"
t0=$(now_ms)
first=
shown_after_6s() {
    _capture
    [[ $SCREEN =~ Not\ a\ directory\ \(([0-9]+)\ record ]] || return 1
    [ -n "$first" ] || first=${BASH_REMATCH[1]}
    [ $(($(now_ms) - t0)) -ge 7000 ] && [ "${BASH_REMATCH[1]}" -gt "$first" ]
}
wait_until "$(scaled 12000)" shown_after_6s || fail "the mark left the title or its count did not grow within 12 s"
rm "$T/blocker"
gone "LOG NOT WRITTEN" "$(scaled 5000)" "the mark goes once a failure is written"
[ -s "$T/blocker/auth.jsonl" ] || fail "no record in the log once it could be created"
[ "$(stat -c %a "$T/blocker/auth.jsonl")" = 600 ] || fail "the log was created $(stat -c %a "$T/blocker/auth.jsonl")"
keys q
wait_exit 3000 || fail "q did not quit"
log "an unopenable log: in the title with a growing count for 7 s and more, gone after the first good write"

# A log readable by others: made 0600 at start, said on the status line.
chmod 0644 "$T/blocker/auth.jsonl"
start_maxdash -s mode -x 200 -y 40
see "was mode 0644 (readable by others): made 0600" 3000 "the mode fix is on the status line"
[ "$(stat -c %a "$T/blocker/auth.jsonl")" = 600 ] || fail "the log is still $(stat -c %a "$T/blocker/auth.jsonl")"
log "a 0644 log: made 0600 and said so"
