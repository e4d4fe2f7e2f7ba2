# A non-UTF-8 locale (issue 14 case 3): under LANG=C LC_ALL=C the frame already switched to
# ASCII, but names, the × count, … and the marks were still written as UTF-8 bytes: right
# borders became ~ or @, rows wrapped, names were garbage. Now every piece of text is drawn as
# ASCII (accents transliterated, ... for the ellipsis, ? for the rest): the raw bytes maxdash
# writes hold no byte above 0x7F, every row of every pane is exactly as wide as the window, and
# the demo's multilingual and hostile names, the failures and the overlays stay aligned.
. "$MAXDASH_SRC/tests/e2e/lib.sh"

start_sandbox
write_config

# Every framed row (it starts with a border) is exactly COLS wide; the window never scrolled.
aligned() { # COLS WHAT
    local line n=0 w
    _capture
    while IFS= read -r line; do
        case $line in [\|+]*)
            w=$(width_of "$line")
            [ "$w" = "$1" ] || fail "$2: a framed row is $w columns wide, not $1: '$line'"
            n=$((n + 1)) ;;
        esac
    done <<<"$SCREEN"
    [ $n -ge 5 ] || fail "$2: only $n framed rows on the screen"
}
ascii_bytes() { # WHAT
    local raw=$T/$S.raw
    if LC_ALL=C grep -aq $'[\x80-\xff]' "$raw"; then
        fail "$2$1: maxdash wrote bytes outside ASCII in the C locale: $(LC_ALL=C grep -ao $'[\x80-\xff]\+' "$raw" | head -n 3 | od -An -tx1 | head -n 2)"
    fi
}

start_maxdash -s c -x 100 -y 30 -e LANG=C -e LC_ALL=C
see_re '\|\+ westla +[0-9]+ ms\|'
see "Patients - 1503"
# The multilingual page: transliterated where ASCII can, '?' where it cannot.
see "Hernandez-Lopez, Omer E."
see "Nguyen, Soren"
# Clipped text ends in "...", drawn as three ASCII dots, not as what C makes of U+2026.
see "(app_01J5K8N..."
aligned 100 "the first page"
# The hostile org: names full of escapes, bidi controls and wide characters.
keys j j j j
see "Organization - hostile - Hostile Data Clinic"
see_re 'Patients - [0-9]+ - page'
screen >"$T/hostile.txt"
aligned 100 "the hostile org"
# Failures: every failure, the × count.
keys a
see "every failure"
aligned 100 "every failure"
# An overlay: the help, then a failure group.
keys '?'
see "Help"
aligned 100 "the help"
keys Escape
gone "Help (Esc closes)"
keys Tab Tab
keys Enter
see_re 'Esc closes'
screen >"$T/group.txt"
aligned 100 "a failure group"
keys Escape
# Narrower: clipping uses '...', not '…'.
resize 80 24
see_re '\|\+ westla +[0-9]+ ms\|'
aligned 80 "80x24"
ascii_bytes " (raw bytes of the whole session)"
log "C locale: every framed row aligned, no byte above 0x7F"
keys q
wait_exit 2000 || fail "q did not quit"
log "ok"
