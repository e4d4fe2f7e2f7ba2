# tests/e2e/lib.sh: helpers for the end-to-end tests (bash; sourced by every tests/e2e/test_*.sh).
#
# run.sh runs each test as `bash test_x.sh` in a fresh environment with:
#   MAXDASH_BUILD  absolute build dir (maxdash, maxdash-sandbox)
#   MAXDASH_SRC    the source tree
#   E2E_TMP        a private temporary directory (removed by run.sh)
#   E2E_SOCKET     the private tmux socket name (tmux -L), never the user's server
#   E2E_SCALE      optional multiplier for the generic deadlines (not for the 100 ms latency)
#
# The real maxdash runs in a detached tmux session of a fixed size, with a fixed environment
# (TERM, LANG, TZ, HOME, NO_COLOR only when asked). Keys go in with send-keys, the screen comes
# back with capture-pane, and every wait polls for a condition with a deadline: no fixed sleeps.
# Every session also records the raw bytes maxdash writes (pipe-pane) and maxdash's stderr.
#
# A failed assertion prints "ASSERTION FAILED: ...", the screen and maxdash's stderr, and exits 1.
# Teardown (on exit) stops maxdash with SIGTERM and waits for it to exit (so a sanitizer's leak
# report is written), stops the sandbox, and fails the test when a sanitizer reported anything or
# a whole API key reached maxdash's output.

set -u
: "${MAXDASH_BUILD:?MAXDASH_BUILD must be set}" "${MAXDASH_SRC:?MAXDASH_SRC must be set}"
: "${E2E_TMP:?E2E_TMP must be set}" "${E2E_SOCKET:?E2E_SOCKET must be set}"

MAXDASH=$MAXDASH_BUILD/maxdash
SANDBOX=$MAXDASH_BUILD/maxdash-sandbox
T=$E2E_TMP
SCALE=${E2E_SCALE:-1}
umask 077
cd "$T" || exit 1

# The terminal type inside the panes: tmux's own, else screen's; E2E_TERM_TYPE (make check runs
# the suite a second time with screen-256color) overrides it.
if [ -n "${E2E_TERM_TYPE:-}" ]; then E2E_TERM=$E2E_TERM_TYPE
elif infocmp tmux-256color >/dev/null 2>&1; then E2E_TERM=tmux-256color; else E2E_TERM=screen-256color; fi

# E2E_LANG: the locale maxdash runs in (default C.UTF-8; make check runs the suite again with C).
# In a locale that is not UTF-8 maxdash draws ASCII only (issue 14 case 3), so every text a test
# looks for on the screen passes through asc (fixed strings) or asc_re (EREs) first: the
# dashboard's glyphs become their ASCII forms, letters lose their accents, combining marks go,
# anything else becomes '?'. wait_for, wait_for_re, wait_gone, not_seen and screen_line do it
# themselves. Written here, apart from maxdash's text_ascii, so that the oracle is not the code.
E2E_LANG=${E2E_LANG:-C.UTF-8}
case $E2E_LANG in *[Uu][Tt][Ff]-8*|*[Uu][Tt][Ff]8*) E2E_ASCII=0 ;; *) E2E_ASCII=1 ;; esac
declare -A _ASC_CACHE=()
_asc_escape() { printf '%s' "$1" | sed 's/[][|+.?*(){}^$\\]/\\&/g'; }
_asc() { # RE(0|1) TEXT
    local re=$1 in=$2 out='' ch a i
    for ((i = 0; i < ${#in}; i++)); do
        ch=${in:i:1}
        case $ch in
        [[:ascii:]]) out+=$ch; continue ;;
        '│') a='|' ;; '─') a='-' ;; '┌'|'┐'|'└'|'┘'|'├'|'┤'|'┬'|'┴'|'┼') a='+' ;;
        '●') a='+' ;; '✗') a='x' ;; '◷') a='~' ;; '▼') a='v' ;; '↓') a='v' ;;
        '…') a='...' ;; '·') a='-' ;; '—') a='-' ;; '→') a='->' ;; '×') a='x' ;; '•') a='*' ;;
        *)
            if [ -z "${_ASC_CACHE[$ch]+x}" ]; then
                if [ "$(printf '%s' "$ch" | LC_ALL=C.UTF-8 wc -L)" = 0 ]; then
                    _ASC_CACHE[$ch]=''          # a combining mark: dropped
                else
                    a=$(printf '%s' "$ch" | LC_ALL=C.UTF-8 iconv -f UTF-8 -t ASCII//TRANSLIT 2>/dev/null)
                    case $a in ''|*[!A-Za-z0-9\ \'\"\`,.-]*) a='?' ;; esac
                    _ASC_CACHE[$ch]=$a
                fi
            fi
            a=${_ASC_CACHE[$ch]} ;;
        esac
        [ "$re" = 1 ] && a=$(_asc_escape "$a")
        out+=$a
    done
    printf '%s' "$out"
}
asc() { if [ "$E2E_ASCII" = 1 ]; then _asc 0 "$1"; else printf '%s' "$1"; fi; }
asc_re() { if [ "$E2E_ASCII" = 1 ]; then _asc 1 "$1"; else printf '%s' "$1"; fi; }

S=                 # the current session (tmux target)
SESSIONS=          # every session this test started
SANDBOX_PID=
PORT=
BASE=              # http://127.0.0.1:PORT
SCREEN=            # the last screen captured by wait_for & co.
KEY_FILES=         # files of the test that hold a whole key by design (absolute paths)

# The demo keys, from the one place that defines them (mk/demo.sh). They go to maxdash through
# environment variables read from a 0600 file, never through argv, and are never printed.
demo_key() { sed -n "s/^$1=//p" "$MAXDASH_SRC/mk/demo.sh" | head -n 1; }
DEMO_KEY=$(demo_key MAXDASH_DEMO_KEY)
DEMO_REVOKED_KEY=$(demo_key MAXDASH_DEMO_REVOKED_KEY)
DEMO_APPTS_KEY=$(demo_key MAXDASH_DEMO_APPTS_KEY)
{
    echo "MAXDASH_DEMO_KEY=$DEMO_KEY"
    echo "MAXDASH_DEMO_REVOKED_KEY=$DEMO_REVOKED_KEY"
    echo "MAXDASH_DEMO_APPTS_KEY=$DEMO_APPTS_KEY"
} >"$T/keys.env"

# E2E_TRACE=1: trace every command of the test with a timestamp (to find slow steps); the
# functions that handle a key turn the trace off for themselves (local -).
if [ "${E2E_TRACE:-}" = 1 ]; then PS4='+ ${EPOCHREALTIME} '; set -x; fi

tm() { tmux -L "$E2E_SOCKET" -f /dev/null "$@"; }

# --- time ------------------------------------------------------------------------------------

# No forks: EPOCHREALTIME for the clock, a read with a timeout on an idle FIFO for short naps.
now_us() { local t=${EPOCHREALTIME//[.,]/}; echo "$t"; }
now_ms() { local t=${EPOCHREALTIME//[.,]/}; echo $((t / 1000)); }
_now() { NOW_US=${EPOCHREALTIME//[.,]/}; NOW_MS=$((NOW_US / 1000)); }
scaled() { echo $(($1 * SCALE)); }
mkfifo "$T/.nap"
exec {NAP_FD}<>"$T/.nap"
nap() { read -r -t "$1" -u "$NAP_FD" _ || :; }

# --- failing ---------------------------------------------------------------------------------

log() { printf '%s\n' "$*"; }

dump_screen() { # [session]
    local s=${1:-$S}
    [ -n "$s" ] || return 0
    local size
    size=$(tm display -p -t "$s" '#{window_width}x#{window_height}' 2>/dev/null) || return 0
    echo "---- screen of session $s ($size) ----"
    tm capture-pane -p -t "$s" 2>/dev/null | sed 's/^/| /'
    echo "---- end of screen ----"
    if [ -s "$T/$s.err" ]; then
        echo "---- maxdash stderr ($s), last lines ----"
        tail -n 20 "$T/$s.err" | sed 's/^/! /'
    fi
}

fail() {
    echo "ASSERTION FAILED: $*"
    dump_screen
    exit 1
}

# --- the sandbox -----------------------------------------------------------------------------

# start_sandbox [DATA_FILE] [extra sandbox options...]: listens on a free port; sets PORT, BASE.
start_sandbox() {
    local data=$MAXDASH_SRC/assets/sandbox/demo.json
    if [ $# -gt 0 ]; then data=$1; shift; fi
    rm -f "$T/sandbox.port"
    "$SANDBOX" --data "$data" --port 0 --port-file "$T/sandbox.port" "$@" \
        >"$T/sandbox.out" 2>"$T/sandbox.err" &
    SANDBOX_PID=$!
    local deadline=$(($(now_ms) + $(scaled 5000)))
    while [ ! -s "$T/sandbox.port" ]; do
        if ! kill -0 "$SANDBOX_PID" 2>/dev/null; then
            cat "$T/sandbox.err"
            SANDBOX_PID=
            fail "the sandbox exited at start"
        fi
        [ "$(now_ms)" -lt "$deadline" ] || fail "the sandbox wrote no port file within 5 s"
        nap 0.01
    done
    PORT=$(cat "$T/sandbox.port")
    BASE=http://127.0.0.1:$PORT
    # The port file is written once listening; the health check proves it.
    ctl GET /_sandbox/health >/dev/null
}

# ctl METHOD PATH [JSON]: the sandbox's control API; prints the body, fails on a non-2xx answer.
ctl() {
    local method=$1 path=$2 body=${3:-}
    local out code
    if [ -n "$body" ]; then
        printf '%s' "$body" >"$T/ctl.body"
        out=$(curl -sS --max-time 5 -X "$method" -H 'Content-Type: application/json' \
            --data-binary @"$T/ctl.body" -w '\n%{http_code}' "$BASE$path") ||
            fail "control API $method $path: curl failed"
    else
        out=$(curl -sS --max-time 5 -X "$method" -w '\n%{http_code}' "$BASE$path") ||
            fail "control API $method $path: curl failed"
    fi
    code=${out##*$'\n'}
    out=${out%$'\n'*}
    case $code in 2??) ;; *) fail "control API $method $path answered $code: $out" ;; esac
    printf '%s\n' "$out"
}

# ctl_key ACTION KEY_VARIABLE: revoke/expire/restore the key held by KEY_VARIABLE (e.g. DEMO_KEY);
# the key goes through a file, never argv, and is never printed.
ctl_key() {
    local -; set +x
    printf '{"value": "%s"}' "${!2}" >"$T/ctl.key"
    local code
    code=$(curl -sS --max-time 5 -o "$T/ctl.out" -w '%{http_code}' -X POST \
        -H 'Content-Type: application/json' --data-binary @"$T/ctl.key" "$BASE/_sandbox/keys/$1") ||
        fail "control API keys/$1: curl failed"
    rm -f "$T/ctl.key"
    case $code in 2??) ;; *) fail "control API keys/$1 answered $code: $(cat "$T/ctl.out")" ;; esac
}

# api ORG_ID PATH_AND_QUERY: GET /v1 with the demo key (header from a 0600 file), prints the body.
api() {
    local -; set +x
    printf 'Authorization: Bearer %s\nX-Organization-Id: %s\n' "$DEMO_KEY" "$1" >"$T/api.headers"
    curl -sS --max-time 5 -H @"$T/api.headers" "$BASE/v1$2" || fail "GET /v1$2 failed"
}

# json_number FIELD < JSON: the first number value of "FIELD".
json_number() { grep -o "\"$1\":[0-9]*" | head -n 1 | sed 's/.*://'; }

# patients_of JSON: the patient objects of a /v1/patients answer, one per line.
patients_of() {
    printf '%s\n' "$1" | sed 's/.*"patients":\[{//; s/}\],"pagination".*//; s/},{/\n/g'
}
# pfield OBJECT_LINE FIELD: a string field of one patient object, or "null".
pfield() {
    local v
    v=$(printf '%s\n' "$1" | sed -n "s/.*\"$2\":\"\([^\"]*\)\".*/\1/p")
    if [ -n "$v" ]; then printf '%s\n' "$v"; else echo null; fi
}
# pfields JSON FIELD: FIELD of every patient of a /v1/patients answer, one a line ("null" for null).
pfields() {
    patients_of "$1" | sed -E "s/.*\"$2\":(null|\"([^\"]*)\").*/\\1/; s/^\"(.*)\"\$/\\1/"
}
# display_name OBJECT_LINE: the name as the Patients pane writes it, "Last, First M.".
display_name() {
    local last first middle out
    last=$(pfield "$1" lastName); first=$(pfield "$1" firstName); middle=$(pfield "$1" middleName)
    [ "$last" = null ] && last=
    [ "$first" = null ] && first=
    out=$last
    [ -n "$last" ] && [ -n "$first" ] && out="$out, "
    out="$out$first"
    [ "$middle" != null ] && [ -n "$middle" ] && out="$out ${middle:0:1}."
    printf '%s\n' "$out"
}

# --- the config ------------------------------------------------------------------------------

# key_sections: the config sections of the three demo keys (demo, revoked, scheduler), each from
# its environment variable.
key_sections() {
    echo '[key "demo"]'
    echo 'env = MAXDASH_DEMO_KEY'
    echo '[key "revoked"]'
    echo 'env = MAXDASH_DEMO_REVOKED_KEY'
    echo '[key "scheduler"]'
    echo 'env = MAXDASH_DEMO_APPTS_KEY'
}

# write_config [NAME = VALUE]...: like mk/demo.sh; extra lines go to [maxdash]. ORGS (a space
# separated subset of the demo orgs, default all) picks the orgs. Writes $T/config.ini.
write_config() {
    local orgs=${ORGS:-westla eastside north south hostile big harbor} o line
    {
        echo "; written by tests/e2e/lib.sh"
        echo "[maxdash]"
        echo "base_url = $BASE/v1"
        echo "log_file = $T/auth-failures.jsonl"
        local have_refresh=0 have_timeout=0
        for line in "$@"; do
            case $line in refresh*) have_refresh=1 ;; timeout*) have_timeout=1 ;; esac
            echo "$line"
        done
        [ $have_refresh = 1 ] || echo "refresh = 10"
        [ $have_timeout = 1 ] || echo "timeout = 4"
        echo
        key_sections
        for o in $orgs; do
            echo
            echo "[org \"$o\"]"
            echo "id = org_$o"
            case $o in
            westla)   echo "key = demo";      echo "name = West LA Dermatology" ;;
            eastside) echo "key = revoked";   echo "name = Eastside Family Clinic" ;;
            north)    echo "key = demo";      echo "name = North Valley Pediatrics" ;;
            south)    echo "key = demo";      echo "name = South Bay Orthopedics" ;;
            hostile)  echo "key = demo";      echo "name = Hostile Data Clinic" ;;
            big)      echo "key = demo";      echo "name = Big County Hospital" ;;
            harbor)   echo "key = scheduler"; echo "name = Harbor Scheduling" ;;
            *) fail "write_config: unknown demo org $o" ;;
            esac
        done
    } >"$T/config.ini"
}

# --- the tmux control client -----------------------------------------------------------------

# Every tmux command of a test goes through one control-mode client (tmux -C), so that a poll
# costs a message instead of starting a tmux client, and a measured latency is the program's,
# not the harness's. Its answers go to a regular file, which bash reads in blocks (from a pipe it
# would read byte by byte: 25 ms for one screen). The client sits in its own idle session; the
# sessions under test are never attached, so nothing resizes them.
# (Control mode drops ESC from answers: captures with -e use a plain tmux client, screen_e.)
CMPID=
_cm_start() {
    [ -n "$CMPID" ] && return 0
    tm new-session -d -s _e2e_ctl -x 80 -y 24 "exec sleep 100000" || fail "tmux new-session (control) failed"
    mkfifo "$T/.cm.in"
    : >"$T/.cm.out"
    tmux -L "$E2E_SOCKET" -f /dev/null -C attach -t _e2e_ctl <"$T/.cm.in" >>"$T/.cm.out" 2>&1 &
    CMPID=$!
    exec {CM_IN}>"$T/.cm.in"
    exec {CM_OUT}<"$T/.cm.out"
    _cm_read "attach" || true    # the answer to the attach itself comes first
    tmq refresh-client -f no-output || true
}
_cm_stop() {
    [ -n "$CMPID" ] || return 0
    tm kill-session -t _e2e_ctl 2>/dev/null
    exec {CM_IN}>&- {CM_OUT}<&-
    kill "$CMPID" 2>/dev/null
    wait "$CMPID" 2>/dev/null
    CMPID=
}
# tmq ARG...: one tmux command through the control client; its output in TMQ_OUT; 1 on error.
tmq() {
    local cmd='' a q
    for a in "$@"; do q=${a//\'/\'\\\'\'}; cmd+=" '$q'"; done
    printf '%s\n' "${cmd# }" >&"$CM_IN" || fail "the tmux control client is gone"
    _cm_read "$cmd"
}
# _cm_read WHAT: reads the next %begin...%end block into TMQ_OUT.
_cm_read() {
    local cmd=$1 line partial='' inblock=0
    TMQ_OUT=
    _now; local deadline=$((NOW_MS + 10000))
    while :; do
        if ! IFS= read -r line <&"$CM_OUT"; then
            # At the end of the file for now: keep the partial line, wait for more.
            partial+=$line
            _now; [ "$NOW_MS" -lt "$deadline" ] ||
                fail "no answer from the tmux control client within 10 s (command: $cmd)"
            nap 0.001
            continue
        fi
        line=$partial$line partial=
        if [ $inblock = 0 ]; then
            case $line in "%begin "*) inblock=1 ;; "%exit"*) fail "the tmux control client exited: $line" ;; esac
        else
            case $line in
            "%end "*) return 0 ;;
            "%error "*) return 1 ;;
            esac
            TMQ_OUT+=$line$'\n'
        fi
    done
}

# --- maxdash in tmux -------------------------------------------------------------------------

# The pane runs this: it waits until pipe-pane is set up, runs maxdash (its pid in NAME.pid, its
# stderr in NAME.err), then prints "exit=STATUS" and stays, so the pane can be inspected.
cat >"$T/wrap.sh" <<'WRAP'
name=$1; shift
# Ctrl-C and Ctrl-\ in the pane signal the whole foreground group: the wrapper survives them
# (a trap, not an ignore, so that maxdash starts with the default dispositions).
trap : INT QUIT
# The keys go to maxdash's environment only when the config names their variable (env = VAR):
# maxdash scrubs those, and a key it does not manage would be the test's leak, not maxdash's.
. "$E2E_DIR/keys.env"
cfg=; prev=
for a in "$@"; do [ "$prev" = -c ] && cfg=$a; prev=$a; done
if [ -n "$cfg" ] && [ -f "$cfg" ]; then
    for v in $(sed -n 's/^[[:space:]]*env[[:space:]]*=[[:space:]]*\([A-Za-z_][A-Za-z0-9_]*\).*/\1/p' "$cfg"); do
        export "$v"
    done
fi
i=0
while [ ! -e "$E2E_DIR/$name.go" ]; do
    i=$((i + 1)); [ $i -gt 500 ] && { echo "wrap: never started"; exit 1; }
    sleep 0.01
done
echo "wrap: starting maxdash"
sh -c 'echo $$ >"$0"; exec "$@"' "$E2E_DIR/$name.pid" "$MAXDASH" "$@" 2>>"$E2E_DIR/$name.err"
st=$?
# After a kill -9 the terminal is still in maxdash's alternate screen: leave it, so "exit=N"
# starts a line of the normal screen.
printf '\033[?1049l\r\n'
echo "exit=$st"
exec sleep 100000
WRAP

# start_maxdash [-s NAME] [-x COLS] [-y LINES] [-e VAR=VALUE]... [-- maxdash options]
# Starts maxdash -c $T/config.ini (a test with its own config writes it there) in a new detached session of COLSxLINES (default 80x24) with
# the fixed environment (TERM, LANG=C.UTF-8, TZ=UTC, HOME=$T, plus each -e); the session becomes
# the current one ($S). Its output is recorded in $T/NAME.raw, its stderr in $T/NAME.err.
start_maxdash() {
    local name=md cols=80 lines=24 envs=()
    while [ $# -gt 0 ]; do
        case $1 in
        -s) name=$2; shift 2 ;;
        -x) cols=$2; shift 2 ;;
        -y) lines=$2; shift 2 ;;
        -e) envs+=("$2"); shift 2 ;;
        --) shift; break ;;
        *) break ;;
        esac
    done
    _cm_start
    rm -f "$T/$name.go" "$T/$name.pid" "$T/$name.raw" "$T/$name.err"
    : >"$T/$name.raw"
    : >"$T/$name.err"
    tmq new-session -d -s "$name" -x "$cols" -y "$lines" \
        env -i PATH="$PATH" TERM="$E2E_TERM" LANG="$E2E_LANG" TZ=UTC HOME="$T" \
        E2E_DIR="$T" MAXDASH="$MAXDASH" \
        ASAN_OPTIONS="${ASAN_OPTIONS:-}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" LSAN_OPTIONS="${LSAN_OPTIONS:-}" \
        "${envs[@]}" sh "$T/wrap.sh" "$name" -c "$T/config.ini" "$@" ||
        fail "tmux new-session failed: $TMQ_OUT"
    SESSIONS="$SESSIONS $name"
    S=$name
    # A fixed size whatever clients come and go; tmux 3.3 makes it a window option.
    tmq set-option -w -t "$name" window-size manual || tmq set-option -t "$name" window-size manual || true
    tmq pipe-pane -o -t "$name" "cat >>'$T/$name.raw'" || fail "tmux pipe-pane failed: $TMQ_OUT"
    : >"$T/$name.go"
    _now; local deadline=$((NOW_MS + $(scaled 5000)))
    while [ ! -s "$T/$name.pid" ]; do
        _now; [ "$NOW_MS" -lt "$deadline" ] || fail "maxdash did not start within 5 s"
        nap 0.01
    done
}

use_session() { S=$1; }

# run_notty OUT ERR [maxdash arguments]: maxdash with the fixed environment but no terminal at
# all (stdin /dev/null, stdout and stderr files); the arguments come before -c, so they may name
# a subcommand (run_notty out err check --json); returns its exit status.
run_notty() {
    local -; set +x
    local out=$1 err=$2; shift 2
    env -i PATH="$PATH" TERM=xterm-256color LANG=C.UTF-8 TZ=UTC HOME="$T" \
        MAXDASH_DEMO_KEY="$DEMO_KEY" MAXDASH_DEMO_REVOKED_KEY="$DEMO_REVOKED_KEY" \
        MAXDASH_DEMO_APPTS_KEY="$DEMO_APPTS_KEY" \
        ASAN_OPTIONS="${ASAN_OPTIONS:-}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" LSAN_OPTIONS="${LSAN_OPTIONS:-}" \
        timeout 10 "$MAXDASH" "$@" -c "$T/config.ini" </dev/null >"$out" 2>"$err"
}
maxdash_pid() { cat "$T/${1:-$S}.pid" 2>/dev/null; }

# The screen as text ($SCREEN too), with attributes and colours as SGR sequences (screen_e).
_capture() { tmq capture-pane -p -t "$S" || fail "capture-pane failed: $TMQ_OUT"; SCREEN=$TMQ_OUT; }
screen() { _capture; printf '%s' "$SCREEN"; }
screen_e() { tm capture-pane -p -e -t "$S" || fail "capture-pane -e failed"; }
keys() { tmq send-keys -t "$S" "$@" || fail "send-keys $* failed: $TMQ_OUT"; }
type_text() { tmq send-keys -t "$S" -l -- "$1" || fail "send-keys -l failed: $TMQ_OUT"; }
# resize COLS LINES: the window (and the pane's terminal) changes size; maxdash gets SIGWINCH.
resize() { tmq resize-window -t "$S" -x "$1" -y "$2" || fail "resize-window failed: $TMQ_OUT"; }
# tmux_format FORMAT: a tmux format of the current pane (#{alternate_on}, #{pane_title}...).
tmux_format() { tmq display-message -p -t "$S" "$1" || fail "display-message failed"; printf '%s' "${TMQ_OUT%$'\n'}"; }

# wait_for TEXT [DEADLINE_MS]: polls the screen until TEXT (fixed string) is on it; 1 at the
# deadline. The last screen is in $SCREEN.
wait_for() {
    local text ms=${2:-$((5000 * SCALE))}
    text=$(asc "$1")
    _now; local deadline=$((NOW_MS + ms))
    while :; do
        _capture
        case $SCREEN in *"$text"*) return 0 ;; esac
        _now; [ "$NOW_MS" -lt "$deadline" ] || return 1
        nap 0.01
    done
}

# wait_for_re ERE [DEADLINE_MS]
wait_for_re() {
    local re ms=${2:-$((5000 * SCALE))}
    re=$(asc_re "$1")
    _now; local deadline=$((NOW_MS + ms))
    while :; do
        _capture
        printf '%s\n' "$SCREEN" | grep -Eq -- "$re" && return 0
        _now; [ "$NOW_MS" -lt "$deadline" ] || return 1
        nap 0.01
    done
}

# wait_gone TEXT [DEADLINE_MS]: until TEXT is no longer on the screen.
wait_gone() {
    local text ms=${2:-$((5000 * SCALE))}
    text=$(asc "$1")
    _now; local deadline=$((NOW_MS + ms))
    while :; do
        _capture
        case $SCREEN in *"$text"*) ;; *) return 0 ;; esac
        _now; [ "$NOW_MS" -lt "$deadline" ] || return 1
        nap 0.01
    done
}

# The asserting forms.
see() { wait_for "$1" "${2:-$(scaled 5000)}" || fail "expected \"$1\" on the screen within ${2:-$(scaled 5000)} ms${3:+ ($3)}"; }
see_re() { wait_for_re "$1" "${2:-$(scaled 5000)}" || fail "expected /$1/ on the screen within ${2:-$(scaled 5000)} ms${3:+ ($3)}"; }
gone() { wait_gone "$1" "${2:-$(scaled 5000)}" || fail "expected \"$1\" to leave the screen within ${2:-$(scaled 5000)} ms${3:+ ($3)}"; }
# not_seen TEXT [why]: TEXT is not on the screen now.
not_seen() {
    _capture
    local text; text=$(asc "$1")
    case $SCREEN in *"$text"*) fail "\"$text\" is on the screen${2:+ ($2)}" ;; esac
}

# on_screen TEXT: the last screen captured holds TEXT (through asc).
on_screen() { case $SCREEN in *"$(asc "$1")"*) return 0 ;; esac; return 1; }

# A line of the current screen that holds TEXT (first match).
screen_line() { printf '%s\n' "$SCREEN" | grep -F -m 1 -- "$(asc "$1")"; }

# Display width of a string (wcwidth, as the terminal counts it).
width_of() { printf '%s' "$1" | LC_ALL=C.UTF-8 wc -L; }

# sgr_params TEXT: every SGR parameter in TEXT (as from capture-pane -e), one per line, with
# extended colours folded: "38;5;123" gives "38", "48;2;1;2;3" gives "48".
sgr_params() {
    printf '%s' "$1" | grep -ao $'\e\[[0-9;:]*m' | sed $'s/^\e\\[//; s/m$//' | awk -F'[;:]' '
        { if ($0 == "") { print 0; next }
          for (i = 1; i <= NF; i++) {
              p = $i == "" ? 0 : $i + 0; print p
              if (p == 38 || p == 48 || p == 58) { i += ($(i + 1) == 5 ? 2 : 4) }
          } }'
}
# sgr_has_any TEXT PARAM...: TEXT holds an SGR sequence with one of the PARAMs.
sgr_has_any() {
    local text=$1 p q; shift
    for p in $(sgr_params "$text"); do for q in "$@"; do [ "$p" = "$q" ] && return 0; done; done
    return 1
}
# sgr_colours TEXT: the colour parameters in TEXT (30-38, 40-48, 90-97, 100-107; not the
# defaults 39/49), one per line.
sgr_colours() {
    sgr_params "$1" | awk '($1 >= 30 && $1 <= 38) || ($1 >= 40 && $1 <= 48) ||
                           ($1 >= 90 && $1 <= 97) || ($1 >= 100 && $1 <= 107)'
}

# wait_exit [DEADLINE_MS]: until the wrapper printed "exit=N"; sets EXIT_STATUS.
# shellcheck disable=SC2034 # EXIT_STATUS is for the tests
wait_exit() {
    wait_for_re '^exit=[0-9]+' "${1:-$(scaled 5000)}" || return 1
    EXIT_STATUS=$(printf '%s\n' "$SCREEN" | sed -n 's/^exit=\([0-9]*\).*/\1/p' | head -n 1)
}

# Polls a shell condition (a command) with a deadline.
wait_until() { # DEADLINE_MS COMMAND...
    local ms=$1; shift
    local deadline=$(($(now_ms) + ms))
    while ! "$@"; do
        [ "$(now_ms)" -lt "$deadline" ] || return 1
        nap 0.01
    done
}

# --- teardown --------------------------------------------------------------------------------

# Teardown uses plain tmux clients: it must work whatever state the control client is in.
_td_exit_status() { # SESSION DEADLINE_MS: prints N once the pane shows exit=N; 1 at the deadline
    local deadline=$(($(now_ms) + $2)) st
    while :; do
        st=$(tm capture-pane -p -t "$1" 2>/dev/null | sed -n 's/^exit=\([0-9]*\).*/\1/p' | head -n 1)
        [ -n "$st" ] && { echo "$st"; return 0; }
        [ "$(now_ms)" -lt "$deadline" ] || return 1
        nap 0.02
    done
}

# check_proc PID: no whole key in the command line or environment of maxdash (PID) or of any
# process it started (key commands, the copy command), and core dumps off (RLIMIT_CORE 0); a
# finding goes to PROC_LEAKS (reported by the teardown) and returns 1.
PROC_LEAKS=
check_proc() {
    local -; set +x
    local pid=$1 p f found=0
    [ -d "/proc/$pid" ] || return 0
    for p in "$pid" $(ps -o pid= --ppid "$pid" 2>/dev/null); do
        for f in cmdline environ; do
            if grep -aqF -e "$DEMO_KEY" -e "$DEMO_REVOKED_KEY" -e "$DEMO_APPTS_KEY" "/proc/$p/$f" 2>/dev/null; then
                PROC_LEAKS="$PROC_LEAKS /proc/$p/$f"
                found=1
            fi
        done
    done
    if ! grep -Eq '^Max core file size +0 +0 ' "/proc/$pid/limits" 2>/dev/null && [ -d "/proc/$pid" ]; then
        PROC_LEAKS="$PROC_LEAKS /proc/$pid/limits(core dumps on)"
        found=1
    fi
    return $found
}

_teardown() {
    local status=$1 s pid st problems=0
    set +x +u +e
    trap - EXIT
    for s in $SESSIONS; do
        pid=$(cat "$T/$s.pid" 2>/dev/null)
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
            check_proc "$pid"
            kill -TERM "$pid" 2>/dev/null
            if ! st=$(_td_exit_status "$s" "$(scaled 5000)"); then
                echo "TEARDOWN: maxdash (session $s) did not exit within 5 s of SIGTERM (killed)"
                dump_screen "$s"
                kill -KILL "$pid" 2>/dev/null
                problems=1
            elif [ "$st" != 0 ] && [ "$st" != 143 ]; then
                # 143 = 128 + SIGTERM, what the dashboard exits with (issue 12); 0 for the rest
                echo "TEARDOWN: maxdash (session $s) exited with status $st on SIGTERM"
                dump_screen "$s"
                problems=1
            fi
        fi
        tm kill-session -t "$s" 2>/dev/null
    done
    _cm_stop
    if [ -n "$SANDBOX_PID" ]; then
        kill -TERM "$SANDBOX_PID" 2>/dev/null
        local i=0
        while kill -0 "$SANDBOX_PID" 2>/dev/null && [ $i -lt 300 ]; do nap 0.01; i=$((i + 1)); done
        if kill -0 "$SANDBOX_PID" 2>/dev/null; then
            echo "TEARDOWN: the sandbox did not stop within 3 s of SIGTERM (killed)"
            kill -KILL "$SANDBOX_PID" 2>/dev/null
            problems=1
        fi
        wait "$SANDBOX_PID" 2>/dev/null
    fi
    # Anything a sanitizer said, from maxdash or from the sandbox.
    local f
    for f in "$T"/*.err; do
        [ -f "$f" ] || continue
        if grep -Eq 'ERROR: (Address|Leak|Thread)Sanitizer|runtime error:|SUMMARY: [A-Za-z]+Sanitizer' "$f"; then
            echo "SANITIZER REPORT in $(basename "$f"):"
            grep -v -F -e "$DEMO_KEY" -e "$DEMO_REVOKED_KEY" -e "$DEMO_APPTS_KEY" "$f" | head -n 60 | sed 's/^/! /'
            problems=1
        fi
    done
    # The demo keys are canaries: a whole one must be in no file the test produced (the raw
    # terminal bytes, stderr, the auth log, stdout captures, copies...), except the harness's own
    # files that hold a key by design (KEY_FILES). /proc was checked while maxdash ran.
    local leaked
    leaked=$(find "$T" -type f ! -name keys.env ! -name api.headers ! -name ctl.key \
        -exec grep -alF -e "$DEMO_KEY" -e "$DEMO_REVOKED_KEY" -e "$DEMO_APPTS_KEY" {} + 2>/dev/null)
    for f in $leaked; do
        case " $KEY_FILES " in *" $f "*) continue ;; esac
        echo "ASSERTION FAILED: a whole API key is in ${f#"$T"/}"
        problems=1
    done
    if [ -n "$PROC_LEAKS" ]; then
        echo "ASSERTION FAILED: a whole API key was visible in /proc:$PROC_LEAKS"
        problems=1
    fi
    if [ "$status" = 0 ] && [ $problems = 1 ]; then
        echo "ASSERTION FAILED: teardown found problems (above)"
        status=1
    fi
    exit "$status"
}
trap '_teardown $?' EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
trap 'exit 129' HUP
