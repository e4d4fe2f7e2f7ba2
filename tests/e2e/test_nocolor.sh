# NO_COLOR=1 and --no-color give a monochrome screen (no colour in the cells, no colour sequence
# written at all) whose meaning is still carried by marks and words; attributes remain.
# Controls: the same screen without NO_COLOR (and with NO_COLOR set but empty) has colours.
. "$MAXDASH_SRC/tests/e2e/lib.sh"

start_sandbox
write_config
start_maxdash -s nocolor -x 100 -y 30 -e NO_COLOR=1
start_maxdash -s flag -x 100 -y 30 -- --no-color
start_maxdash -s color -x 100 -y 30
start_maxdash -s empty -x 100 -y 30 -e NO_COLOR=

# The org states in marks and words, as text.
states() {
    see_re '│● westla +[0-9]+ ms│' 5000 "$S: westla ok by its mark and latency"
    see_re '│✗ eastside +401│' 5000 "$S: eastside 401 by its mark and word"
    see_re '│! north +403│' 5000 "$S: north 403"
    see_re '│\? south +404│' 5000 "$S: south 404"
    see_re '│! harbor +403│' 5000 "$S: harbor 403"
    see "Patients ─ 1503 · page 1/31"
    see_re 'eastside 401 unauthorized .*trace [0-9a-f]{8}'
}
raw_colours() { sgr_colours "$(cat "$T/$1.raw")"; }

for s in nocolor flag; do
    use_session "$s"
    states
    cells=$(screen_e)
    colours=$(sgr_colours "$cells" | sort -u | tr '\n' ' ')
    [ -z "$colours" ] || fail "$s: the screen has colours (SGR $colours): $(printf '%s\n' "$cells" | head -n 3 | cat -v)"
    # Monochrome, not plain: the header is in reverse video, titles bold.
    sgr_has_any "$cells" 7 || fail "$s: no reverse video on the screen (the header, the selection)"
    sgr_has_any "$cells" 1 || fail "$s: no bold on the screen"
    colours=$(raw_colours "$s" | sort -u | tr '\n' ' ')
    [ -z "$colours" ] || fail "$s: maxdash wrote colour sequences (SGR $colours)"
    log "$s: monochrome, marks and words present"
done

# The controls: with colours available and not disabled, colour is used.
for s in color empty; do
    use_session "$s"
    states
    cells=$(screen_e)
    [ -n "$(sgr_colours "$cells")" ] || fail "$s: no colours on the screen (the control for the NO_COLOR check)"
    [ -n "$(raw_colours "$s")" ] || fail "$s: maxdash wrote no colour sequence"
    log "$s: colours used ($(sgr_colours "$cells" | sort -un | tr '\n' ' '))"
done
log "ok"
