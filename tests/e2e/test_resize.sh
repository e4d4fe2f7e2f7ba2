# Resize at any time re-lays out at once: 120x40 (all panes) -> 60x20 (stacked, in the order of
# what matters when rows run out: the selected org's Status and cause, a few failure rows, the
# orgs; no patients) -> 60x30 (patients back) -> 30x8 (a one-line notice) -> 200x60 (all panes
# back) -> 80x24 (all panes). (Issue 14 case 7: 60x20 used to drop the Status line, the cause
# and the failures pane, and show 4 of 7 orgs, while keeping 8 patient rows.)
. "$MAXDASH_SRC/tests/e2e/lib.sh"

start_sandbox
write_config
start_maxdash -x 120 -y 40

# fits COLS LINES: the screen is exactly COLSxLINES and no line is wider.
fits() {
    [ "$(tmux_format '#{window_width}x#{window_height}')" = "$1x$2" ] || return 1
    _capture
    [ "$(width_of "$SCREEN")" -le "$1" ]     # wc -L: the widest line
}
# all_panes COLS: the four panes and the header are there, the borders span the width.
all_panes() {
    local cols=$1 top
    on_screen "┌ Orgs (7) " || return 1
    on_screen "Organization ─ westla · West LA Dermatology" || return 1
    on_screen "Patients ─ 1503 · page 1/31" || return 1
    on_screen "┌ Auth failures (" || return 1
    on_screen " q quit  ? help" || return 1
    printf '%s\n' "$SCREEN" | grep -Eq "$(asc_re '│✗ eastside +401│')" || return 1
    top=$(printf '%s\n' "$SCREEN" | grep -F -m 1 "$(asc '┌ Auth failures (')")
    [ "$(width_of "$top")" = "$cols" ]
}
layout_is() { # COLS LINES CHECK...
    local cols=$1 lines=$2; shift 2
    fits "$cols" "$lines" && "$@"
}

see "Patients ─ 1503 · page 1/31"
see_re '│● westla +[0-9]+ ms│'
wait_until 3000 layout_is 120 40 all_panes 120 || fail "120x40 does not show all four panes"

# 60x20: one column; the selected org's Status and cause line, failure rows, the orgs.
narrow() {
    on_screen "┌ Orgs (7) " || return 1
    on_screen "Organization ─ westla" || return 1
    printf '%s\n' "$SCREEN" | grep -Eq "$(asc_re '^│Status +200')" || return 1
    on_screen "┌ Auth failures (" || return 1
    [ "$(printf '%s\n' "$SCREEN" | grep -c 'trace ')" -ge 2 ] || return 1
    ! on_screen "Patients ─" || return 1
    local top; top=$(printf '%s\n' "$SCREEN" | grep -F -m 1 "$(asc '┌ Orgs (7)')")
    [ "$(width_of "$top")" = 60 ]
}
t0=$(now_ms)
resize 60 20
wait_until 1000 layout_is 60 20 narrow || fail "60x20: expected Organization with its Status, two failure rows and the orgs, no patients, within 1 s"
log "60x20 laid out in $(( $(now_ms) - t0 )) ms"
# 60x24: every org too (7 of 7), the cause line under Status.
all_orgs() {
    narrow_orgs=$(printf '%s\n' "$SCREEN" | grep -cE "$(asc_re '^│[●✗!?◷▼…] ')")
    [ "$narrow_orgs" = 7 ] && printf '%s\n' "$SCREEN" | grep -qE "$(asc_re '^│→ ')"
}
resize 60 24
keys j
see "Organization ─ eastside"
wait_until 1000 layout_is 60 24 all_orgs || fail "60x24: expected all 7 orgs and the cause line (got $narrow_orgs orgs)"
keys k
# 60x30: room for patients again; a patient's name is there.
resize 60 30
see "Patients ─ 1503" 1000
see "佐藤, 伟" 1000

# 30x8: below 40x10, one line says so and nothing else is drawn.
notice() {
    local first rest
    first=$(printf '%s\n' "$SCREEN" | head -n 1)
    rest=$(printf '%s\n' "$SCREEN" | tail -n +2 | tr -d ' \n')
    case $first in *"needs at least 40x10"*) ;; *) return 1 ;; esac
    [ -z "$rest" ]
}
t0=$(now_ms)
resize 30 8
wait_until 1000 layout_is 30 8 notice || fail "30x8: expected only the one-line 'needs at least 40x10' notice within 1 s"
log "30x8 notice in $(( $(now_ms) - t0 )) ms: $(printf '%s\n' "$SCREEN" | head -n 1)"

# 200x60: everything back, the failures with whole trace ids.
all_wide() {
    all_panes 200 || return 1
    printf '%s\n' "$SCREEN" | grep -Eq "$(asc_re 'trace [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}│')"
}
t0=$(now_ms)
resize 200 60
wait_until 1000 layout_is 200 60 all_wide || fail "200x60: expected all panes back within 1 s"
log "200x60 laid out in $(( $(now_ms) - t0 )) ms"
# Keys work after the round trip.
keys j
see "Organization ─ eastside · Eastside Family Clinic" 1000 "j after the resizes: maxdash must still take keys"
keys k
see "Organization ─ westla · West LA Dermatology" 1000 "k after the resizes"
see "Patients ─ 1503 · page 1/31"

# 80x24: still all four panes.
t0=$(now_ms)
resize 80 24
wait_until 1000 layout_is 80 24 all_panes 80 || fail "80x24: expected all four panes within 1 s"
log "80x24 laid out in $(( $(now_ms) - t0 )) ms"
log "ok"
