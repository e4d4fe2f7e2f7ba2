# Hostile data (the demo's org_hostile: escape sequences, C0/C1 controls, OSC 52/0/8, DCS/APC/PM,
# bidi overrides, zero-width and combining characters, wide characters, 300-character names):
# nothing from the data reaches the terminal as a control sequence (checked on the raw bytes maxdash
# writes, recorded with pipe-pane), the window title and the clipboard are untouched, and the
# patients table stays aligned (every column at the same x on every row). Also westla's
# multi-script names. The OSC 52 check is shown to work with maxdash's own 'y' at the end.
. "$MAXDASH_SRC/tests/e2e/lib.sh"

start_sandbox
write_config
_cm_start
tmq set-option -s set-clipboard on   # an OSC 52 from the pane would now create a tmux buffer
start_maxdash -x 160 -y 50 -- --org hostile
RAW=$T/md.raw

see "Organization ─ hostile · Hostile Data Clinic"
see "Patients ─ 14 · page 1/1"
for i in 01 02 03 04 05 06 07 08 09 10 11 12 13 14; do see "pat_HOSTILE00000000000$i" 3000; done
# The readable parts of the hostile names are shown.
for w in Clearscreen Title Clip Carriage Csi Smith Joiner Family Bytes Dcs "Johnson, Sarah M."; do see "$w"; done
see_re 'Xochitl-Ñúñez-[^│]*…' 1000 "the 300-character name is clipped with …"

# raw_clean WHEN: the bytes written so far hold none of the data's control sequences.
raw_clean() {
    local when=$1 what pat
    iconv -f UTF-8 -t UTF-8 "$RAW" >/dev/null 2>&1 || fail "$when: maxdash wrote invalid UTF-8"
    [ "$(tr -cd '\000' <"$RAW" | wc -c)" = 0 ] || fail "$when: maxdash wrote a NUL byte"
    # shellcheck disable=SC2059 # the patterns are printf formats (octal escapes) on purpose
    while IFS='|' read -r what pat; do
        [ -n "$what" ] || continue
        if LC_ALL=C grep -aq -- "$(printf "$pat")" "$RAW"; then
            fail "$when: maxdash wrote $what ($(LC_ALL=C grep -ao -- "$(printf "$pat")" "$RAW" | head -n 3 | od -An -c | head -n 3 | tr -s ' '))"
        fi
    done <<'PATTERNS'
an OSC sequence (ESC ]: title, clipboard, hyperlink)|\033]
a BEL|\007
a DCS (ESC P)|\033P
an APC (ESC _)|\033_
a PM (ESC ^)|\033^
an SOS (ESC X)|\033X
a string terminator (ESC \\)|\033\\\\
a clear screen from the data (ESC [2J)|\033\\[2J
blink (ESC [5m)|\033\\[5m
the data's colour sequence (ESC [31mRed)|\033\\[31mRed
a C1 control encoded in UTF-8 (U+0080..U+009F)|\302[\200-\237]
a bidi override or isolate (U+202A..U+202E)|\342\200[\252-\256]
a bidi isolate (U+2066..U+2069)|\342\201[\246-\251]
DEL|\177
the data's SOH STX ETX|\001\002\003
PATTERNS
}
raw_clean "the hostile org's table"
log "raw output: $(wc -c <"$RAW") bytes, no control sequence from the data"

title=$(tmux_format '#{pane_title}')
case $title in *pwned*) fail "the pane title was set from the data: '$title'" ;; esac
tmq list-buffers
[ -z "$TMQ_OUT" ] || fail "a tmux paste buffer exists: the data set the clipboard (OSC 52): $TMQ_OUT"

# Alignment: every column starts at the same x on every row (widths as the terminal counts them:
# wcwidth, through wc -L; one wc for all the prefixes of a table, each prefix in its own file).
check_aligned() { # WHEN ID_PREFIX
    local when=$1 idp=$2 header row n=0 i=0 pre
    local -a files=() what=() rows=()
    header=$(printf '%s\n' "$SCREEN" | grep -m 1 -E "$(asc_re '│Name +Born +Sex +MRN +Id')")
    [ -n "$header" ] || fail "$when: no table header"
    # measure NAME LINE TEXT: the width of LINE before TEXT goes to a file.
    measure() {
        local pre=${2%%"$3"*}
        printf '%s' "$pre" >"$T/.w.$i"
        files+=("$T/.w.$i"); what+=("$1"); rows+=("$2"); i=$((i + 1))
    }
    measure hdr-id "$header" " Id "
    measure hdr-born "$header" "Born"
    measure hdr-mrn "$header" "MRN"
    while IFS= read -r row; do
        n=$((n + 1))
        measure id "$row" "$idp"
        [[ $row =~ [0-9]{4}-[0-9]{2}-[0-9]{2} ]] && measure born "$row" "${BASH_REMATCH[0]}"
        [[ $row =~ MRN-[A-Z0-9]+ ]] && measure mrn "$row" "${BASH_REMATCH[0]}"
        printf '%s' "$row" >"$T/.w.$i"; files+=("$T/.w.$i"); what+=(row); rows+=("$row"); i=$((i + 1))
    done < <(printf '%s\n' "$SCREEN" | grep -F -- "$idp")
    [ "$n" -ge 2 ] || fail "$when: only $n rows to check"
    local -a widths
    mapfile -t widths < <(LC_ALL=C.UTF-8 wc -L "${files[@]}" | awk '{print $1}')
    local want_id=$((widths[0] + 1)) want_born=${widths[1]} want_mrn=${widths[2]} k w
    for ((k = 3; k < i; k++)); do
        w=${widths[k]}
        case ${what[k]} in
        id) [ "$w" = "$want_id" ] || fail "$when: the Id column is at x=$w, not $want_id, on: ${rows[k]}" ;;
        born) [ "$w" = "$want_born" ] || fail "$when: the Born column is at x=$w, not $want_born, on: ${rows[k]}" ;;
        mrn) [ "$w" = "$want_mrn" ] || fail "$when: the MRN column is at x=$w, not $want_mrn, on: ${rows[k]}" ;;
        row) [ "$w" = 160 ] || fail "$when: a row is $w columns wide, not 160 (its right border moved): ${rows[k]}"
             case ${rows[k]} in *"$(asc '│')") ;; *) fail "$when: a row does not end with the pane's border: ${rows[k]}" ;; esac ;;
        esac
    done
    rm -f "${files[@]}"
    log "$when: $n rows aligned (Born at x=$want_born, MRN at x=$want_mrn, Id at x=$want_id)"
}
_capture
check_aligned "hostile" "pat_HOSTILE"

# The detail view of the OSC 52/OSC 0/OSC 8 patient, and of the DCS/APC/PM one.
keys Tab j Enter
see "Id           pat_HOSTILE0000000000002" 3000
see "Email        "
see "Title"
raw_clean "the detail view of patient 2"
keys Escape
gone "Patient (Esc closes)"
keys G k Enter
see "Id           pat_HOSTILE0000000000013" 3000
see_re 'Born         1985-03-15 *│' 1000 "the birth date without the data's ESC [K"
raw_clean "the detail view of patient 13"
keys Escape
gone "Patient (Esc closes)"
title=$(tmux_format '#{pane_title}')
case $title in *pwned*) fail "the pane title was set from the data: '$title'" ;; esac
tmq list-buffers
[ -z "$TMQ_OUT" ] || fail "a tmux paste buffer exists: the data set the clipboard (OSC 52): $TMQ_OUT"

# westla's names in many scripts (CJK, Devanagari, Arabic, Greek, accents) are aligned too.
keys Tab Tab g
see "Organization ─ westla · West LA Dermatology"
see "Patients ─ 1503 · page 1/31"
see "pat_ES7P55S6CJKV6B25GN3PYFMVFB"
_capture
check_aligned "westla" "pat_"

# The control: maxdash's own OSC 52 ('y' copies a trace id) does reach tmux as a paste buffer.
# (y copies the selected org's latest failure: eastside's 401; westla has none.)
keys j
see "Organization ─ eastside"
keys y
see "copied trace_id: eastside 401" 2000
got_buffer() { tmq list-buffers; [ -n "$TMQ_OUT" ]; }
wait_until 2000 got_buffer || fail "y: no paste buffer, so the OSC 52 check above proves nothing"
tmq show-buffer
printf '%s' "$TMQ_OUT" | grep -Eq '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' ||
    fail "y put '$TMQ_OUT' on the clipboard, not a trace id"
log "y: OSC 52 put trace id ${TMQ_OUT%$'\n'} on the clipboard"
# ... and the raw-byte check sees it: the checks above could have failed.
LC_ALL=C grep -aq "$(printf '\033]52;c;')" "$RAW" || fail "the raw output holds no OSC 52 after y: the raw-byte check is blind"
log "ok"
