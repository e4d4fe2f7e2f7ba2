# R4 terminal injection (issue 7): with the hostile data set, no ESC, C1, BEL or other control
# byte that came from the data reaches the terminal, and no OSC sequence except maxdash's own
# copy. Checked on the raw bytes maxdash writes to its pty (tmux pipe-pane), parsed as a terminal
# parses them by tests/reliability/rawscan.c (built here).
#
# The allowed set is derived, not listed: every string capability of the pane's terminfo entry
# ($E2E_TERM) that a curses program writes while drawing, expanded by ncurses' own tparm (see
# rawscan.c for what is left out and why), plus the xterm mouse modes ncurses writes without a
# capability. A control run on ordinary data (westla, eastside, north: list, detail, failure
# view, y) must pass the same scan: so the set is not too narrow for maxdash's own output.
#
# The hostile run drives the ASan+UBSan dashboard over every patient of the demo's org_hostile
# (escape sequences, OSC 52/0/8, DCS/APC/PM, C1, BEL, BS/CR/LF/TAB, DEL, bidi overrides,
# zero-width characters: the list, and the detail view of each of the 14 patients), and over
# error answers whose code and message the sandbox's status fault fills with hostile bytes (a
# 401 and a 500 on /marketplace/me, a 403 on /patients whose "Required:" scope is hostile too),
# which reach the Orgs and Organization panes, the Patients pane's error, the failures pane
# (with `a`, every failure) and the failure view with its explanation; an org's display name
# from the config is hostile as well. Then `y` once: maxdash's OSC 52 copy of a trace_id.
# The scan passes when
#   - every escape sequence is in the allowed set; no DCS/SOS/PM/APC; no malformed sequence;
#   - the only OSC is one "ESC ] 52 ; c ; BASE64 BEL" whose payload is the trace_id the status
#     line says was copied;
#   - no C1 code point, no raw 0x80-0x9F byte, no invalid UTF-8, no BEL but the OSC 52's,
#     no C0 control the terminfo does not write, no DEL, no bidi/zero-width format character;
#   - no marker of the hostile payloads (title text, clipboard payloads, link targets...)
#     inside any escape sequence;
#   - no control sequence of the data (each one with a few characters of its text around it,
#     taken from demo.json, the faults and the config name) anywhere in the output.
# The effects are checked too: tmux's pane title never took the data's title, and y made exactly
# one paste buffer (set-clipboard on), the trace_id. What is left of the hostile texts must be on
# the screens (the sanitizer drops sequences, not words). REL_SHORT=0 repeats the hostile run at
# 80x24 with --no-color (other clipping, other attribute sequences).
# Beyond the dashboard's own output: the clipboard texts of Y (support note) and c (curl) on the
# hostile failure, decoded from their OSC 52, hold no control character but \n, \t (they reach a
# terminal when pasted); `maxdash log` (text, --json, --explain) and `maxdash check` (text,
# --json) on the same data give plain output (no ESC at all, C0 only \n and \t).
# The scanner itself is shown to fail on crafted inputs, and on the hostile run's own bytes with
# an "ESC ] 0 ; x BEL" and with a raw 0x9b injected.
# shellcheck shell=bash source-path=SCRIPTDIR source=../e2e/lib.sh disable=SC2119
. "$MAXDASH_SRC/tests/e2e/lib.sh"

: "${REL_SAN_BUILD:?REL_SAN_BUILD must be set}"
DEMO_JSON=$MAXDASH_SRC/assets/sandbox/demo.json
UUID_RE='[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
# copied_trace RAW: the trace_id of the last OSC 52 in RAW, checked against the first eight
# characters the status line names (issue 13: the confirmation shows only those).
copied_trace() {
    local t shown
    t=$(LC_ALL=C grep -ao "$(printf '\033')]52;c;[A-Za-z0-9+/=]*" "$1" | tail -n 1 | sed 's/.*;//' |
        base64 -d 2>/dev/null)
    shown=$(printf '%s\n' "$SCREEN" | grep -oE 'copied trace_id: .*trace [0-9a-f]{8}' | head -n 1 |
            sed 's/.*trace //')
    [[ $t =~ ^$UUID_RE$ ]] || fail "the OSC 52 copy is not a trace_id"
    [ "${t:0:8}" = "$shown" ] || fail "the copy (${t:0:8}...) is not the trace_id the status line names ($shown...)"
    printf '%s' "$t"
}

# --- the scanner ---------------------------------------------------------------------------

# shellcheck disable=SC2046 # pkg-config prints several words
cc -O2 -o "$T/rawscan" "$MAXDASH_SRC/tests/reliability/rawscan.c" \
    $(pkg-config --libs ncursesw 2>/dev/null || echo -lncursesw) || fail "cannot build rawscan"
# The extended capability names of the entry (the standard ones rawscan knows).
infocmp -1 -x "$E2E_TERM" | sed -n 's/^\t\([A-Za-z0-9_]*\)=.*/\1/p' >"$T/capnames"
# ncurses turns the mouse on and off with xterm's DECSET modes itself when the entry has kmous
# (\E[M) but no XM (ncurses lib_mouse.c): 1000 for clicks, 1002/1003 for motion, 1006 SGR
# encoding. They are maxdash's (curses') own, and harmless.
MOUSE=()
for m in 1000 1002 1003 1006; do MOUSE+=(-a "\\e[?${m}h" -a "\\e[?${m}l"); done
# Markers of the hostile payloads: text that would be inside a title, clipboard or link
# sequence if one got through (base64 "cm0gLXJmIH4=" is "rm -rf ~", "cHduZWQtY2xpcA==" is
# "pwned-clip").
# shellcheck disable=SC2016 # literal $
MARKERS=(-m pwned -m cm0gLXJmIH4 -m cHduZWQtY2xpcA -m evil.example -m evil-msg.example
         -m c1title -m ned-scope -m '1$r' -m Apc -m Pm -m 'http:')
scan() { "$T/rawscan" -T "$E2E_TERM" -c "$T/capnames" "${MOUSE[@]}" "$@"; }
log "allowed set for $E2E_TERM:"
scan -l | sed 's/^/  /'

# expect_scan OUTCOME WHY FORMAT [rawscan options]: the bytes printf FORMAT makes must pass
# (OUTCOME pass) or fail with a report containing WHY (OUTCOME fail).
selftest=0
expect_scan() {
    local outcome=$1 why=$2 fmt=$3 out rc
    shift 3
    # shellcheck disable=SC2059 # the formats carry the bytes on purpose
    printf "$fmt" >"$T/self.raw"
    out=$(scan "$@" "$T/self.raw"); rc=$?
    selftest=$((selftest + 1))
    if [ "$outcome" = pass ]; then
        [ $rc = 0 ] || fail "rawscan self-test $selftest: '$fmt' should pass: $out"
    else
        [ $rc = 1 ] || fail "rawscan self-test $selftest: '$fmt' should fail ($why), exit $rc: $out"
        case $out in *"$why"*) ;; *) fail "rawscan self-test $selftest: '$fmt' failed for another reason than '$why': $out" ;; esac
    fi
}
T0=123e4567-e89b-42d3-a456-426614174000
T0_B64=$(printf '%s' "$T0" | base64 -w0)
OTHER_B64=$(printf 'rm -rf ~' | base64 -w0)
expect_scan pass "" '\033[?1049h\033[1;1H\033[mhello\r\n\033(B\033)0\033[38;5;123mX\033[K\016q\017\b\t'
expect_scan pass "" "a\\033]52;c;$T0_B64\\007b" -t "$T0" -n 1
expect_scan fail "an OSC sequence" 'a\033]0;x\007b'
expect_scan fail "not the trace_id" "\\033]52;c;$OTHER_B64\\007" -t "$T0"
expect_scan fail "expected 1" 'plain' -t "$T0" -n 1
expect_scan fail "a raw C1 byte" 'ab\233cd'
expect_scan fail "a C1 control (U+0080..U+009F)" 'ab\302\233cd'
# shellcheck disable=SC2016,SC1003 # literal $ and backslash
expect_scan fail "a DCS/SOS/PM/APC string" '\033P1$r\033\\'
# shellcheck disable=SC1003 # a literal backslash
expect_scan fail "a DCS/SOS/PM/APC string" '\033_Apc\033\\'
expect_scan fail "BEL outside an OSC 52" 'x\007y'
expect_scan fail "a C0 control the terminfo never writes" 'x\001y'
expect_scan fail "DEL" 'x\177y'
expect_scan fail "a CSI sequence no terminfo capability writes" '\033[2J'
expect_scan fail "an ESC sequence no terminfo capability writes" '\033c'
expect_scan fail "a marker of the hostile data" '\033]0;pwned title\007' -m pwned
expect_scan fail "a control sequence of the hostile data" 'x\033[31mRed\033[0m' -j "$DEMO_JSON"
expect_scan fail "a bidi or zero-width format character" 'Smith\342\200\256gpj.exe'
expect_scan fail "invalid UTF-8" 'x\377y'
expect_scan fail "CSI cut short" 'x\033[12'
expect_scan fail "plain output" 'x\033[1mbold' -p
log "rawscan: $selftest self-tests (clean bytes pass; OSC, foreign OSC 52, raw and UTF-8 C1, DCS, APC, BEL, C0, DEL, ED 2, RIS, markers, the data's own sequences, bidi, bad UTF-8, cut CSI fail)"

# --- control run: ordinary data --------------------------------------------------------------

start_sandbox
ORGS="westla eastside north" write_config "refresh = 5"
start_maxdash -s ctl -x 160 -y 50
see "Patients ─ 1503 · page 1/31"
see_re '[0-9:]{8} eastside 401 '
keys Tab Enter
see "Patient (Esc closes)" 3000
keys Escape
gone "Patient (Esc closes)"
keys Tab Enter
see "Failure group (Esc closes)"
keys Escape
gone "Failure group (Esc closes)"
keys y
see_re "copied trace_id: .*trace [0-9a-f]{8}" 2000
wait_until 2000 grep -aq "$(printf '\033')]52;c;" "$T/ctl.raw" || fail "no OSC 52 in the control run's bytes"
ctl_trace=$(copied_trace "$T/ctl.raw") && [ -n "$ctl_trace" ] || fail "the control run's copy: $ctl_trace"
keys q
wait_exit || fail "the control run did not quit"
out=$(scan -s -t "$ctl_trace" -n 1 "$T/ctl.raw") ||
    fail "maxdash's output on ordinary data does not pass the scan (maxdash writes what no curses program on $E2E_TERM writes, or the allowed set misses it):
$out"
log "control run: ${out##*: }"

# --- hostile run -----------------------------------------------------------------------------

# The config's display name of the third org (org_south: 404, "not installed"), written once in
# a form that is both a JSON string and a bash printf format (\uXXXX).
EVIL_NAME='Evil \u001b]0;pwned-config\u0007Clinic \u009b31m \u001b[5mBlink\u202e txt'
printf '{"name": "%s"}\n' "$EVIL_NAME" >"$T/names.json"
# shellcheck disable=SC2059
printf -v evil_name "$EVIL_NAME"
{
    echo "; R4: the hostile org, westla and a hostile display name"
    echo "[maxdash]"
    echo "base_url = $BASE/v1"
    echo "log_file = $T/hostile-failures.jsonl"
    echo "refresh = 3"
    echo "timeout = 4"
    echo
    key_sections
    echo
    echo '[org "hostile"]'
    echo 'id = org_hostile'
    echo 'key = demo'
    echo 'name = Hostile Data Clinic'
    echo
    echo '[org "westla"]'
    echo 'id = org_westla'
    echo 'key = demo'
    echo 'name = West LA Dermatology'
    echo
    echo '[org "evil"]'
    echo 'id = org_south'
    echo 'key = demo'
    echo "name = $evil_name"
} >"$T/config.ini"

# Error answers with hostile codes and messages (one fault a line; the file is also a source of
# needles for the scan).
cat >"$T/faults.json" <<'FAULTS'
{"fault": "status", "status": 401, "org": "org_hostile", "path": "/marketplace/me", "code": "unauthorized\u001b]0;pwned-code\u0007", "message": "Invalid \u001b[2J\u001b[Hkey \u001b]52;c;cHduZWQtY2xpcA==\u0007clip \u001b]8;;http://evil-msg.example\u0007link\u001b]8;;\u0007 \u009b31mcsi \u009d0;pwned-c1\u009c bell\u0007\u0007 nul\u0001\u0002\u0003 del\u007f tab\there nl\nline cr\rret \u202eevil\u202c \u001bP1$r\u001b\\dcs"}
{"fault": "status", "status": 403, "org": "org_westla", "path": "/patients", "message": "Insufficient scope. Required: read:\u001b[2Jpw\u009dned-scope\u0007\u001b[31mpatients"}
{"fault": "status", "status": 500, "org": "org_westla", "path": "/marketplace/me", "code": "internal_error\u001b[5m", "message": "Server \u001b]0;pwned-500\u0007error \u001b_Apc\u001b\\ \u001b^Pm\u001b\\ \u0090dcs\u009c \u0085nel"}
FAULTS
while IFS= read -r fault; do ctl POST /_sandbox/faults "$fault" >/dev/null; done <"$T/faults.json"

_cm_start
tmq set-option -s set-clipboard on   # an OSC 52 from the pane now makes a tmux paste buffer
MAXDASH=$REL_SAN_BUILD/maxdash
NEEDLES=(-j "$DEMO_JSON" -j "$T/faults.json" -j "$T/names.json")
nbuffers() { tmq list-buffers; printf '%s' "$TMQ_OUT" | grep -c .; }

# hostile_pass NAME COLS LINES [maxdash options]: the whole walk in session NAME, then the
# checks of its bytes ($T/NAME.raw) and of its effects on tmux. Sets PASS_TRACE.
hostile_pass() {
    local name=$1 cols=$2 lines=$3 i id filter g ngroups st k=0 seen_status='' out title buffers0
    shift 3
    buffers0=$(nbuffers)
    start_maxdash -s "$name" -x "$cols" -y "$lines" -- --org hostile "$@"
    see "Organization ─ hostile · Hostile Data Clinic" "$(scaled 10000)"
    see "Patients ─ 14 · page 1/1"
    see_re '[0-9:]{8} hostile +401 unauthorized' "$(scaled 8000)" "the hostile 401 in the failures pane"
    see_re '[0-9:]{8} westla +403 forbidden' "$(scaled 8000)" "westla's hostile 403 in the failures pane"
    # (What is left of the hostile texts on the screens is checked at the end, after the bytes.)
    printf '%s\n' "$SCREEN" >>"$T/$name.views"

    # The Orgs pane: each org's Organization pane (westla: the 500, and the 403 in the Patients
    # pane; evil: the hostile display name, 404), then back.
    keys j
    see "Organization ─ westla · West LA Dermatology"
    see_re 'Status +[^│]*500' "$(scaled 8000)" "westla's 500 in the Organization pane"
    keys j
    see "Organization ─ evil · Evil"
    see_re 'Status +[^│]*404' "$(scaled 8000)" "evil's 404 in the Organization pane"
    keys k k
    see "Organization ─ hostile · Hostile Data Clinic"
    see "Patients ─ 14 · page 1/1"

    # Every patient's detail view, in list order.
    keys Tab
    local -A opened=()
    for i in $(seq 1 14); do
        keys Enter
        see "Patient (Esc closes)" 3000 "patient $i's detail view"
        see_re 'Id +pat_HOSTILE[0-9]{13}' 3000
        id=$(printf '%s\n' "$SCREEN" | grep -oE 'Id +pat_HOSTILE[0-9]{13}' | head -n 1 | sed 's/.* //')
        opened[$id]=1
        keys Escape
        gone "Patient (Esc closes)"
        keys j
    done
    [ ${#opened[@]} = 14 ] || fail "$name: opened ${#opened[@]} distinct patients, not 14: ${!opened[*]}"

    # Every failure group (a: every failure, not only 401/403) in the failure view. Each group
    # is opened through the pane's filter (/), by words no trace_id can hold: the list reorders
    # itself as failures come in, so walking it with j could skip a group. not_found has two
    # groups (evil's /marketplace/me and /patients).
    keys Tab a
    see_re 'Failures \([0-9]+\)' 2000 "a shows every failure"
    see_re '[0-9:]{8} westla +500 ' "$(scaled 8000)" "westla's 500 in the list of every failure"
    for filter in hostile forbidden internal_error not_found; do
        keys /
        type_text "$filter"
        keys Enter
        see "filter $filter" 2000
        keys g
        ngroups=1
        [ "$filter" = not_found ] && ngroups=2
        for ((g = 0; g < ngroups; g++)); do
            keys Enter
            see "Failure group (Esc closes)" 2000
            see "Response " 2000
            # The whole view (its last line) when the terminal is tall enough to hold it.
            [ "$lines" -lt 40 ] || see "Occurrences with a trace_id" 2000
            printf '%s\n' "$SCREEN" >>"$T/$name.views"
            st=$(printf '%s\n' "$SCREEN" | grep -oE 'Response +[0-9]{3}' | head -n 1 | tr -dc 0-9)
            seen_status="$seen_status $st"
            k=$((k + 1))
            keys Escape
            gone "Failure group (Esc closes)"
            keys j
        done
        keys Escape
        gone "filter $filter" 2000 "Esc clears the filter"
    done
    [ "$seen_status" = " 401 403 500 404 404" ] ||
        fail "$name: the failure views opened were not 401 403 500 404 404 but$seen_status"

    # y once: maxdash's own OSC 52, the trace_id of the newest failure.
    keys g y
    see_re "copied trace_id: .*trace [0-9a-f]{8}" 2000
    wait_until 2000 grep -aq "$(printf '\033')]52;c;" "$T/$S.raw" || fail "$name: no OSC 52 in the bytes"
    PASS_TRACE=$(copied_trace "$T/$S.raw") && [ -n "$PASS_TRACE" ] || fail "$name: the copy: $PASS_TRACE"
    got_buffer() { [ "$(nbuffers)" -gt "$buffers0" ]; }
    wait_until 2000 got_buffer || fail "$name: y made no tmux paste buffer: OSC 52 did not reach tmux"
    keys q
    wait_exit "$(scaled 5000)" || fail "$name: maxdash did not quit"
    [ "$EXIT_STATUS" = 0 ] || fail "$name: maxdash exited with $EXIT_STATUS"

    # The effects: one more paste buffer, the trace_id; the pane title untouched.
    [ "$(nbuffers)" = $((buffers0 + 1)) ] ||
        fail "$name: tmux has $(nbuffers) paste buffers, $buffers0 before: something besides y set the clipboard: $TMQ_OUT"
    tmq show-buffer
    [ "${TMQ_OUT%$'\n'}" = "$PASS_TRACE" ] || fail "$name: the clipboard holds '${TMQ_OUT%$'\n'}', not the trace_id $PASS_TRACE"
    title=$(tmux_format '#{pane_title}')
    case $title in *pwned*) fail "$name: the pane title was set from the data: '$title'" ;; esac

    # The bytes.
    out=$(scan -s -t "$PASS_TRACE" -n 1 "${MARKERS[@]}" "${NEEDLES[@]}" "$T/$name.raw") ||
        fail "$name: the hostile run's output to the terminal:
$out"
    log "$name (${cols}x$lines${*:+ $*}): 14 patient views, $k failure views (statuses:$seen_status), y; ${out##*: }"
}

hostile_pass md 160 50
RAW=$T/md.raw
trace=$PASS_TRACE
# The full form again on the smallest full layout, without colours (other clipping, other
# attribute sequences).
if [ "${REL_SHORT:-0}" != 1 ]; then
    hostile_pass small 80 24 --no-color
fi

# The scanner sees an injection into these very bytes: an OSC 0 and a raw 0x9b, each put just
# before an escape sequence past the middle (a point between two sequences).
size=$(wc -c <"$RAW")
at=$(LC_ALL=C grep -abo $'\033' "$RAW" | awk -F: -v h=$((size / 2)) '$1 >= h { print $1; exit }')
[ -n "$at" ] || fail "no ESC in the second half of the raw output"
inject() { # BYTES(printf format) OUT
    head -c "$at" "$RAW" >"$2"
    # shellcheck disable=SC2059
    printf "$1" >>"$2"
    tail -c +$((at + 1)) "$RAW" >>"$2"
}
inject '\033]0;x\007' "$T/inj-osc.raw"
out=$(scan -t "$trace" -n 1 "$T/inj-osc.raw") && fail "rawscan passed the output with an injected ESC ] 0 ; x BEL"
case $out in *"inj-osc.raw:$at: an OSC that is not maxdash's"*) ;; *) fail "rawscan did not report the injected OSC at $at: $out" ;; esac
inject '\233' "$T/inj-c1.raw"
out=$(scan -t "$trace" -n 1 "$T/inj-c1.raw") && fail "rawscan passed the output with an injected raw 0x9b"
case $out in *"inj-c1.raw:$at: a raw C1 byte"*) ;; *) fail "rawscan did not report the injected 0x9b at $at: $out" ;; esac
log "rawscan reports an ESC ] 0 ; x BEL and a raw 0x9b injected at byte $at of the hostile run's output"

# --- what the other copies put on the clipboard ----------------------------------------------

# Y (support note) and c (curl command) on the hostile 401 put text built from the failure on the
# clipboard: it reaches a terminal when pasted, so it must hold no control character (but \n).
start_maxdash -s cp -x 160 -y 50 -- --org hostile
see_re '[0-9:]{8} hostile +401 unauthorized' "$(scaled 8000)"
keys Tab Tab /
type_text hostile
keys Enter
see "filter hostile" 2000
keys Enter
see "Response     401 unauthorized" 2000 "the hostile 401's failure view"
keys Y
see "copied a support note" 2000
keys c
see "copied the request as curl" 2000
keys Escape q
wait_exit "$(scaled 5000)" || fail "maxdash did not quit"
k=0
while IFS= read -r b64; do
    k=$((k + 1))
    printf '%s' "${b64##*;}" | base64 -d >"$T/copy$k.txt" 2>/dev/null || fail "copy $k is not base64"
    out=$("$T/rawscan" -p "${MARKERS[@]}" "${NEEDLES[@]}" "$T/copy$k.txt") ||
        fail "copy $k (Y or c) put control characters from the data on the clipboard:
$out"
done < <(LC_ALL=C grep -ao $'\033'']52;c;[A-Za-z0-9+/=]*' "$T/cp.raw")
[ $k = 2 ] || fail "$k OSC 52 copies in the Y/c session, not 2"
grep -qF "Organization id: org_hostile" "$T/copy1.txt" || fail "the support note is not the hostile failure's: $(head -c 300 "$T/copy1.txt")"
log "Y and c on the hostile failure: the note and the curl command are plain text"

# --- the command-line outputs of the same data -----------------------------------------------

# cli OUT ERR ARGS...: maxdash ARGS -c config with the keys in the environment, no terminal.
cli() {
    local -; set +x
    local out=$1 err=$2; shift 2
    env -i PATH="$PATH" TERM="$E2E_TERM" LANG=C.UTF-8 TZ=UTC HOME="$T" MAXDASH_DEMO_KEY="$DEMO_KEY" \
        MAXDASH_DEMO_REVOKED_KEY="$DEMO_REVOKED_KEY" MAXDASH_DEMO_APPTS_KEY="$DEMO_APPTS_KEY" \
        timeout 30 "$MAXDASH_BUILD/maxdash" "$@" -c "$T/config.ini" </dev/null >"$out" 2>"$err"
}
grep -q '"trace_id"' "$T/hostile-failures.jsonl" || fail "nothing was logged"
for cmd in "log" "log --json" "log --explain" "check" "check --json"; do
    name=${cmd// /}; name=${name//-/}
    # shellcheck disable=SC2086 # the words of cmd
    cli "$T/cli-$name.out" "$T/cli-$name.err" $cmd
    rc=$?
    case $cmd in log*) [ $rc = 0 ] || fail "maxdash $cmd exited with $rc: $(head -c 300 "$T/cli-$name.err")" ;;
                 check*) [ $rc = 1 ] || fail "maxdash $cmd exited with $rc, not 1 (orgs fail)" ;; esac
    [ -s "$T/cli-$name.out" ] || fail "maxdash $cmd printed nothing"
    for f in out err; do
        out=$("$T/rawscan" -p "${MARKERS[@]}" "${NEEDLES[@]}" "$T/cli-$name.$f") ||
            fail "maxdash $cmd (std$f) wrote control characters from the data:
$out"
    done
done
log "maxdash log (text, --json, --explain) and check (text, --json): plain output"
# What is left of the hostile texts was shown (the failures pane, the failure views with their
# explanations): the sanitizer dropped the sequences, not the words.
for want in "hostile 401 unauthorized /marketplace/me Invalid key clip link csi  bell nul del tab here nl line cr ret" \
            "westla 403 forbidden /patients Insufficient scope. Required: read:pwpatients " \
            "Response     401 unauthorized: Invalid key clip link csi  bell nul del tab here nl line cr ret evil dcs" \
            "missing read:pwpatients: " "create a key with read:pwpatients" \
            "Response     403 forbidden: Insufficient scope. Required: read:pwpatients" \
            "Response     500 internal_error: Server error"; do
    grep -qF -- "$want" "$T/md.views" || fail "no screen showed '$want'"
done
log "ok"
