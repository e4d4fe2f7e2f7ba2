# Resize while suspended (issue 14 case 5): Ctrl-Z, the window changes size, `fg`. While
# maxdash is stopped the SIGWINCH goes to the shell; on `fg` it gets only SIGCONT, and used to
# draw at the old size until the next key press. Now SIGCONT re-reads the size: the frame fits
# the new window at once, with no key pressed.
. "$MAXDASH_SRC/tests/e2e/lib.sh"

start_sandbox
write_config
# An interactive shell (job control) runs maxdash; the keys come from the 0600 file.
cat >"$T/rc.sh" <<'SH'
PS1='$ '
. "$E2E_DIR/keys.env"
export MAXDASH_DEMO_KEY MAXDASH_DEMO_REVOKED_KEY MAXDASH_DEMO_APPTS_KEY
SH
_cm_start
tmq new-session -d -s sus -x 80 -y 24 env -i PATH="$PATH" TERM="$E2E_TERM" LANG="$E2E_LANG" TZ=UTC \
    HOME="$T" E2E_DIR="$T" ASAN_OPTIONS="${ASAN_OPTIONS:-}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" \
    LSAN_OPTIONS="${LSAN_OPTIONS:-}" bash --noprofile --rcfile "$T/rc.sh" -i ||
    fail "tmux new-session failed: $TMQ_OUT"
S=sus
tmq set-option -w -t sus window-size manual || true
see_re '^\$'
type_text "$MAXDASH -c $T/config.ini 2>$T/sus.err"; keys Enter
see_re '│● westla +[0-9]+ ms│'
# The frame's right edge is in the last column.
right_edge_at() { # COLS: the Orgs pane's top line ends at column COLS
    _capture
    local top; top=$(printf '%s\n' "$SCREEN" | grep -m 1 "$(asc '┌ Orgs')") || return 1
    [ "$(width_of "$top")" = "$1" ]
}
wait_until 3000 right_edge_at 80 || fail "the dashboard is not 80 columns wide to begin with"
keys C-z
see "Stopped"
resize 120 32
see_re '^\$'
type_text "fg"; keys Enter
# No key after fg: the redraw must come from SIGCONT alone.
if ! wait_until "$(scaled 3000)" right_edge_at 120; then
    _capture
    fail "after fg the dashboard is still drawn at the old size (top line: $(printf '%s\n' "$SCREEN" | grep -m 1 "$(asc '┌ Orgs')" | cut -c1-40)..., $(width_of "$(printf '%s\n' "$SCREEN" | grep -m 1 "$(asc '┌ Orgs')")") columns)"
fi
log "after Ctrl-Z, a resize to 120x32 and fg: drawn at 120 columns without a key"
keys q
see_re '^\$'
log "ok"
