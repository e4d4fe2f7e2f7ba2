# The help and the views at 80x24 and narrower (issue 14 cases 7 and 8): the help's legend is
# made from the same table as the marks on screen (it used to say "~ 429 ... v down" beside a
# screen of ◷ and ▼); a view longer than the window says so on its border and scrolls with j/k,
# PgDn/PgUp and g/G; long explanations wrap instead of being cut; F1 opens the help, Ctrl-L is
# in it and repaints; q and Esc close a view.
. "$MAXDASH_SRC/tests/e2e/lib.sh"

start_sandbox
write_config
start_maxdash -s help -x 80 -y 24
see_re '│● westla +[0-9]+ ms│'
see_re '│✗ eastside +401│'
keys F1
see "Help (Esc closes)" 2000 "F1 should open the help"
see "? F1"
# 80x24 cannot hold it all: the border says where we are and how to move.
see_re 'more 1-[0-9]+ of [0-9]+'
keys G
see_re ' [0-9]+-([0-9]+) of \1'
# The legend uses the glyphs the Orgs pane uses.
for m in '●  *ok' '✗  *401' '!  *403' '?  *404' '◷  *429' '▼  *down'; do
    see_re "│ +${m//\?/\\?}" 2000 "legend line for $m"
done
# Ctrl-L is among the keys, which run longer than the window since the resource and fleet
# keys: one line at a time from the top until it shows.
keys g
see_re 'more 1-'
n=1
until { _capture; on_screen "Ctrl-L"; }; do
    [ $n -le 40 ] || fail "Ctrl-L is not in the help"
    keys j
    n=$((n + 1))
    see_re "more $n-" 2000 "j scrolls the help one line"
done
keys g
see_re 'more 1-'
keys q
gone "Help (Esc closes)" 2000 "q should close the help"
see_re '│● westla +[0-9]+ ms│'
# Ctrl-L repaints: scribble on the terminal behind maxdash's back, then Ctrl-L.
tmq send-keys -t "$S" C-l || fail "send-keys C-l"
see_re '│● westla +[0-9]+ ms│'

# A narrow window: a failure group's explanation wraps; no line of the view is cut with "…".
resize 60 24
keys Tab
see_re 'Auth failures'
keys G Enter
see "Failure group (Esc closes)"
_capture
view=$(printf '%s\n' "$SCREEN" | sed -n "/Failure group (Esc closes)/,/^[$(asc '│') ]*$(asc '└')/p")
[ -n "$view" ] || fail "no failure group view on the screen"
# (A masked key, max_dev_ak_01D…C5V, has an ellipsis inside; a cut line ends in one.)
cut_re=$(asc_re '… *│*$')
if printf '%s\n' "$view" | grep -qE "$cut_re"; then
    fail "a line of the failure group is cut instead of wrapped: $(printf '%s\n' "$view" | grep -m 1 -E "$cut_re")"
fi
printf '%s\n' "$view" | grep -qE "$(asc_re '^││   ')" || fail "no wrapped (indented) continuation line in the failure group"
keys Escape
gone "Failure group (Esc closes)"
log "ok"
