# R8 leak oracle (issue 11): no byte of patient data and no whole API key leaves maxdash, under
# every sandbox fault, through every program path.
#
# The data (leak_data.awk, made here): one org per fault (hang, latency, status, html, truncate,
# truncate on the wire, invalid_json, wrong_types, oversize, reset, trickle), plus a healthy org,
# an org whose key is revoked (401) and one whose install lacks read:patients (403). Every
# patient field of every patient but the ids and timestamps (names, MRN, gender, date of birth,
# email, phone) and every key holds a distinct canary. The keys come from each source a config
# offers (env, file, command, value); the file and the command print more lines after the key,
# one a "recovery-code" canary of its own, which must go nowhere; two keys are also pasted by
# mistake into an org's name and another org's id, where they must be masked like keys. The log
# starts just short of its rotation size, so that it rotates during the run.
#
# The programs: for each endpoint (/marketplace/me, /patients list, search, detail) the fault of
# each org is put on that endpoint of that org, then
#   - `maxdash check` and `check --json` (me and list: the paths check probes);
#   - the dashboard in tmux, once with --privacy and once without (then `m`): it opens every
#     org's patients (r), searches each org for a patient's last name, opens a patient of each
#     org, and at the end opens every failure group (every failure, `a`) and presses y, Y and c
#     in each, with --copy-command writing each copy to a file;
#   - then `maxdash log` (plain, --json, --explain) and `maxdash config`.
# Each step is checked to have reached the sandbox (its request log) on every fault org.
#
# The channels searched, for every canary, whole and as any 4-byte piece (case-insensitive; for
# a key, pieces of the part after max_dev_ak_, since the mask shows its first and last 3):
#   every file maxdash could write (everything under the test's directory but its inputs and the
#   harness's own files: the log and its rotations under $XDG_STATE_HOME, the XDG dirs, $HOME,
#   $TMPDIR, the working directory), every stdout and stderr, every copy (the copy command's
#   files; OSC 52 payloads, decoded, in any terminal recording), /proc/PID/cmdline and environ
#   of maxdash and its children (sampled after each step; the key command and the copy command
#   record their own), new files under /tmp and /dev/shm, and the raw terminal bytes of the
#   privacy-mode dashboard (all of the --privacy session, the search prompt included; the plain
#   session's bytes after `m`). A finding names the canary (org, patient, field, or key),
#   the channel, the fault and the step.
# The oracle checks itself: the plain session's own screen bytes hold the canaries (so the
# scanner sees what is drawn), the truncate fault cuts the probe's body inside a canary (so a
# parser's quote of the body would carry canary bytes), and every step reached the sandbox.
# Shown to fail (issue 11): on the code before the fixes it names case 1 (the truncated body
# quoted by jansson's error text in check, the log, log's three forms, the Y copy and the
# privacy-mode failures pane), case 4 (the key pasted as an org id, whole in check, config,
# the log, the copies) and case 6 (the search text on the privacy-mode screen).
# REL_SHORT=1: 3 patients an org, 40 failure groups at most; else 5 and 120.
# shellcheck shell=bash source-path=SCRIPTDIR source=../e2e/lib.sh disable=SC2119
. "$MAXDASH_SRC/tests/e2e/lib.sh"

if [ "${REL_SHORT:-0}" = 1 ]; then NPAT=3; GMAX=40; else NPAT=5; GMAX=120; fi
# The seed makes org_truncate's probe body (/patients?pageSize=1, what `check` and the background
# refresh ask), cut in half by the truncate fault, end 6 to 19 bytes into a canary (NPAT 3 and 5;
# self-checked below): jansson quotes the token it stopped in when it is at most 20 bytes.
SEED=169
FAULTS="hang latency status html truncate truncwire invalid_json wrong_types oversize reset trickle"
ORGS_ALL="ok $FAULTS revoked noscope"

IN=$T/in        # inputs: the data, the keys, the scripts (not searched)
H=$T/h          # the harness's own scratch (not searched as a channel)
OUT=$T/out      # stdout and stderr of the commands without a terminal
mkdir -p "$IN" "$H" "$OUT" "$T/copies" "$T/proc" "$T/home" "$T/tmpd" \
    "$T/xdg/config" "$T/xdg/state" "$T/xdg/cache" "$T/xdg/data" "$T/xdg/runtime"
: >"$IN/start"
XDG_ENV=(HOME="$T/home" XDG_CONFIG_HOME="$T/xdg/config" XDG_STATE_HOME="$T/xdg/state"
         XDG_CACHE_HOME="$T/xdg/cache" XDG_DATA_HOME="$T/xdg/data" XDG_RUNTIME_DIR="$T/xdg/runtime"
         TMPDIR="$T/tmpd")

# --- the data --------------------------------------------------------------------------------

keyname() { # ORG: the key of the org
    case $1 in
    revoked) echo revoked ;;
    *) local i=0 o; for o in $ORGS_ALL; do [ "$o" = "$1" ] && break; i=$((i + 1)); done
       set -- k_env k_file k_cmd k_value; shift $((i % 4)); echo "$1" ;;
    esac
}
spec=
for o in $ORGS_ALL; do spec="$spec org_$o:$(keyname "$o")"; done
awk -v seed="$SEED" -v orgs="${spec# }" -v npat="$NPAT" -v data="$IN/data.json" \
    -v canaries="$IN/canaries.tsv" -v keys="$IN/keys.tsv" -v extra="recovery_file recovery_cmd" \
    -f "$MAXDASH_SRC/tests/reliability/leak_data.awk" </dev/null || fail "leak_data.awk failed"
keyof() { awk -F '\t' -v k="$1" '$1 == k { print $2 }' "$IN/keys.tsv"; }  # a key or secret by name
# The pieces to search for: every 4 bytes of every canary (after max_dev_ak_ for a key), upper
# case, each with the labels of the canaries that hold it. (Two letters and two digits
# alternating: none is in the program's own output, checked by the clean run of the fixed code;
# the key masks show 3 characters a side, fewer than a piece.)
awk -F '\t' '{ c = toupper($1); sub(/^MAX_DEV_AK_/, "", c)
               for (i = 1; i + 3 <= length(c); i++) {
                   p = substr(c, i, 4)
                   if (!(p in lab)) { lab[p] = $2; order[++n] = p }
                   else if (index(lab[p], $2) == 0) lab[p] = lab[p] " or " $2 } }
     END { for (i = 1; i <= n; i++) print order[i] "\t" lab[order[i]] }' "$IN/canaries.tsv" >"$H/pieces.tsv"
cut -f1 "$H/pieces.tsv" >"$H/pieces"
log "data: $(wc -l <"$IN/canaries.tsv") canaries ($(grep -c '	key ' "$IN/canaries.tsv") keys), $(wc -l <"$H/pieces") pieces of 4 bytes"

# patient ORG N: the id / a field of patient N of org ORG.
pid_of() { local i=1 o; for o in $ORGS_ALL; do [ "$o" = "$1" ] && break; i=$((i + 1)); done
           printf 'pat_%02d%02d0000000000' "$i" "$2"; }
canary_of() { awk -F '\t' -v l="org_$1 patient $2 $3" '$2 == l { print $1 }' "$IN/canaries.tsv"; }

# The keys: env (two variables), a 0600 file, a command, inline in the 0600 config.
{
    echo "MAXDASH_LEAK_KEY=$(keyof k_env)"
    echo "MAXDASH_LEAK_REVOKED=$(keyof revoked)"
} >>"$T/keys.env"
# The file and the command give what `pass show` prints: the key, then more lines, one of them
# another secret (issue 11 case 2: only the first line is the key).
printf '%s\nlogin: leak-oracle\nrecovery-code: %s\n' "$(keyof k_file)" "$(keyof recovery_file)" >"$IN/k_file.key"
printf '%s\nlogin: leak-oracle\nrecovery-code: %s\n' "$(keyof k_cmd)" "$(keyof recovery_cmd)" >"$IN/k_cmd.key"
chmod 600 "$IN/k_file.key" "$IN/k_cmd.key"
cat >"$IN/keycmd.sh" <<EOF
n=\$\$
tr '\\0' '\\n' </proc/\$\$/cmdline >"$T/proc/keycmd.\$n.cmdline"
tr '\\0' '\\n' </proc/\$\$/environ >"$T/proc/keycmd.\$n.environ"
cat "$IN/k_cmd.key"
EOF
cat >"$IN/copy.sh" <<EOF
n=\$(date +%s%N).\$\$
cat >"$T/copies/\$n.txt"
tr '\\0' '\\n' </proc/\$\$/cmdline >"$T/proc/copy.\$n.cmdline"
tr '\\0' '\\n' </proc/\$\$/environ >"$T/proc/copy.\$n.environ"
EOF
ncopies() { find "$T/copies" -type f | wc -l; }
more_copies() { [ "$(ncopies)" -gt "$1" ]; }

# --- the sandbox and the config --------------------------------------------------------------

start_sandbox "$IN/data.json" --rate-limit 100000/60 --quiet
{
    echo "[maxdash]"
    echo "base_url = $BASE/v1"
    echo "refresh = 5"
    echo "timeout = 1"
    echo "page_size = 50"
    echo "rate_budget = 1000"
    echo '[key "k_env"]'
    echo 'env = MAXDASH_LEAK_KEY'
    echo '[key "revoked"]'
    echo 'env = MAXDASH_LEAK_REVOKED'
    echo '[key "k_file"]'
    echo "file = $IN/k_file.key"
    echo '[key "k_cmd"]'
    echo "command = sh $IN/keycmd.sh"
    echo '[key "k_value"]'
    echo "value = $(keyof k_value)"
    for o in $ORGS_ALL; do
        echo "[org \"$o\"]"
        echo "id = org_$o"
        echo "key = $(keyname "$o")"
    done
    # Keys pasted by mistake into other values (issue 11 case 4): a whole key as an org's name,
    # and as an org's id (the API answers 404 for it).
    echo '[org "pasted_name"]'
    echo "id = org_ok"
    echo "key = k_env"
    echo "name = $(keyof k_file)"
    echo '[org "pasted_id"]'
    echo "id = $(keyof k_cmd)"
    echo "key = k_cmd"
} >"$T/config.ini"
chmod 600 "$T/config.ini"
KEY_FILES="$T/config.ini"

# The log (default place, under $XDG_STATE_HOME) starts 8 KiB short of its rotation size
# (src/authlog.h: 10 MiB) with old records of no canary, so that it rotates during the run and
# its rotation is searched too.
mkdir -p "$T/xdg/state/maxdash"
awk -v size=$((10 * 1024 * 1024 - 8192)) 'BEGIN {
    r = "{\"time\":\"2026-01-01T00:00:00.000Z\",\"org\":\"ok\",\"org_id\":\"org_ok\",\"key\":\"k_env\",\"key_hint\":null,\"method\":\"GET\",\"path\":\"/v1/marketplace/me\",\"http_status\":500,\"code\":\"internal_error\",\"message\":\"Internal server error\",\"trace_id\":\"00000000-0000-4000-8000-000000000000\",\"required_scope\":null,\"latency_ms\":5,\"class\":\"server_error\",\"auth\":false}"
    for (n = 0; n + length(r) + 1 <= size; n += length(r) + 1) print r }' >"$T/xdg/state/maxdash/auth-failures.jsonl"

# --- faults and coverage ---------------------------------------------------------------------

# fault_json FAULT: the sandbox fault of that name (truncwire: truncate on the wire).
fault_json() {
    case $1 in
    latency) echo '"fault": "latency", "ms": 1500' ;;
    status) echo '"fault": "status", "status": 500' ;;
    truncwire) echo '"fault": "truncate", "wire": true' ;;
    *) echo "\"fault\": \"$1\"" ;;
    esac
}
# put_faults ENDPOINT: each fault org gets its fault on ENDPOINT (me, list: /patients, which
# search and detail share; detail: its first patient's path only).
put_faults() {
    local o path
    ctl DELETE /_sandbox/faults >/dev/null
    for o in $FAULTS; do
        case $1 in
        me) path=/marketplace/me ;;
        list | search) path=/patients ;;
        detail) path=/patients/$(pid_of "$o" 1) ;;
        esac
        ctl POST /_sandbox/faults "{$(fault_json "$o"), \"org\": \"org_$o\", \"path\": \"$path\"}" >/dev/null
    done
}
# The sandbox's request log, one "seq org path outcome status" a line.
requests() {
    curl -sS --max-time 5 "$BASE/_sandbox/requests" | sed 's/},{/}\n{/g' |
        sed -n 's/.*"seq":\([0-9]*\).*"path":"\([^"]*\)".*"org":"\([^"]*\)".*"status":\([^,]*\),.*"outcome":"\([a-z]*\)".*/\1 \3 \2 \5 \4/p'
}
last_seq() { requests | tail -n 1 | cut -d' ' -f1; }
# covered SINCE ENDPOINT ORG: the sandbox got a request of ENDPOINT for ORG after seq SINCE (a
# search is a /patients request made after the search was typed).
covered() {
    local re
    case $2 in
    me) re='/v1/marketplace/me' ;;
    list | search) re='/v1/patients$' ;;   # the sandbox logs no query string
    detail) re="/v1/patients/" ;;          # the ids are folded to {id}
    esac
    requests | awk -v s="$1" -v o="org_$3" -v re="^$re" '$1 > s && $2 == o && $3 ~ re { f = 1 } END { exit !f }'
}
# need_covered SINCE ENDPOINT WHAT ORG...: each ORG's request reached the sandbox within 6 s.
need_covered() {
    local since=$1 ep=$2 what=$3 o; shift 3
    for o in "$@"; do
        wait_until "$(scaled 6000)" covered "$since" "$ep" "$o" ||
            fail "$what: no $ep request of org_$o (fault $o) reached the sandbox after seq $since; its last requests: $(requests | grep " org_$o " | tail -n 4 | tr '\n' ';')"
    done
}

# --- the scanner -----------------------------------------------------------------------------

FINDINGS=$H/findings   # "channel<TAB>file<TAB>label<TAB>piece<TAB>step" lines
: >"$FINDINGS"
# fault_of LABEL: the fault (or state) of the org a canary belongs to.
fault_of() {
    case $1 in
    "key "*) echo "any (key ${1#key })" ;;
    "secret "*) echo "any (${1#secret })" ;;
    org_ok*) echo "none (healthy org)" ;;
    org_revoked*) echo "401 (revoked key)" ;;
    org_noscope*) echo "403 (no read:patients)" ;;
    org_*) local o=${1#org_}; echo "${o%% *}" ;;
    esac
}
# scan CHANNEL STEP FILE...: records every canary found in the FILEs. A run of letters, digits
# and '@' holding a piece of a canary is a finding; it is named after the canary that shares
# the most pieces with it ("whole" when the run holds all of it). Only the first 6 bytes of a
# run are reported (a run could be a whole key).
# SCAN_LABELS=ERE: only findings whose canary's label matches (e.g. '^key ': the keys only).
# SCAN_MIN=8: only runs holding 8 bytes of a canary count (for other programs' files in /tmp,
# where any short letter-digit mix, such as the demo keys, could hold a 4-byte piece).
scan() {
    local channel=$1 step=$2 f; shift 2
    for f in "$@"; do
        [ -s "$f" ] || continue
        LC_ALL=C grep -aiF -f "$H/pieces" -- "$f" 2>/dev/null | LC_ALL=C grep -aoE '[A-Za-z0-9@]{4,}' |
            LC_ALL=C grep -iF -f "$H/pieces" |
            sort -u | awk -F '\t' -v ch="$channel" -v file="${f#"$T"/}" -v step="$step" -v min="${SCAN_MIN:-4}" -v only="${SCAN_LABELS:-}" '
                FILENAME == ARGV[1] { value[$2] = toupper($1); sub(/^MAX_DEV_AK_/, "", value[$2]); next }
                FILENAME == ARGV[2] { label[$1] = $2; next }
                {
                    u = toupper($0); delete votes; best = ""; top = 0
                    for (i = 1; i + 3 <= length(u); i++) {
                        p = substr(u, i, 4)
                        if (!(p in label)) continue
                        n = split(label[p], ls, " or ")
                        for (k = 1; k <= n; k++) if (++votes[ls[k]] > top) { top = votes[ls[k]]; best = ls[k] }
                    }
                    if (best == "" || top + 3 < min || (only != "" && best !~ only)) next
                    how = index(u, value[best]) ? "whole" : (top + 3) " bytes"
                    print ch "\t" file "\t" best "\t" how ", run " substr($0, 1, 6) "... (" length($0) " bytes)\t" step
                }' "$IN/canaries.tsv" "$H/pieces.tsv" - >>"$FINDINGS"
    done
}
# The files maxdash could have written: everything under $T but the inputs, the harness's own
# files and the terminal recordings (searched on their own: only privacy-mode bytes count).
written_files() {
    find "$T" -mindepth 2 -type f ! -path "$IN/*" ! -path "$H/*" ! -path "$T/proc/*" \
        ! -path "$T/copies/*" ! -path "$OUT/*"
    # In the working directory ($T), all but the harness's files (lib.sh's and the sessions').
    find "$T" -maxdepth 1 -type f ! -name '*.raw' ! -name '*.err' ! -name keys.env \
        ! -name config.ini ! -name 'ctl.*' ! -name api.headers ! -name wrap.sh ! -name '.cm.*' \
        ! -name .nap ! -name '*.go' ! -name '*.pid' ! -name 'sandbox.*'
}
# scan_files STEP [final]: every written file, stdout/stderr, copy and recorded /proc of a child
# (final: new files under /tmp and /dev/shm too).
scan_files() {
    local step=$1 f
    mapfile -t files < <(written_files)
    scan "file written" "$step" "${files[@]}"
    scan "stdout/stderr" "$step" "$OUT"/* "$T/priv.err" "$T/plain.err"
    scan "copy (copy_command)" "$step" "$T"/copies/*
    for f in "$T"/proc/*; do
        [ -f "$f" ] || continue
        case ${f##*/} in
        copy.*) scan "/proc/PID/${f##*.} of the copy command (its own record)" "$step" "$f" ;;
        *) scan "/proc/PID/${f##*.} of the key command (its own record)" "$step" "$f" ;;
        esac
    done
    [ "${2:-}" = final ] || return 0
    # Outside the test's directory: /tmp and /dev/shm (maxdash must honour TMPDIR); not the
    # directories of another run of this test (same seed, same canaries) on the machine.
    mapfile -t files < <(find /tmp /dev/shm -xdev -maxdepth 3 -type f -newer "$IN/start" -user "$(id -u)" \
        -size -8M ! -path "$T/*" ! -path "*/${T##*/}/*" ! -name "${T##*/}.log" 2>/dev/null)
    SCAN_MIN=8 scan "file outside \$TMPDIR" "$step" "${files[@]}"
}
# proc_sample STEP SESSION: cmdline and environ of maxdash and every descendant, now.
proc_sample() {
    local step=$1 pid p f arr
    pid=$(maxdash_pid "$2")
    [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 0
    local all=$pid frontier=$pid next
    while [ -n "$frontier" ]; do
        next=
        for p in $frontier; do next="$next $(ps -o pid= --ppid "$p" 2>/dev/null)"; done
        read -r -a arr <<<"$next"
        frontier=${arr[*]:-}
        all="$all $frontier"
    done
    for p in $all; do
        for f in cmdline environ; do
            tr '\0' '\n' <"/proc/$p/$f" >"$H/proc.$p.$f" 2>/dev/null || continue
            scan "/proc/PID/$f of $([ "$p" = "$pid" ] && echo maxdash || echo "a child of maxdash")" "$step" "$H/proc.$p.$f"
        done
    done
}
# osc52 RAW OUT: every OSC 52 payload of a terminal recording, decoded, one file each (OUT.N).
osc52() {
    local n=0 b
    while IFS= read -r b; do
        n=$((n + 1))
        printf '%s' "${b##*;}" | base64 -d >"$2.$n" 2>/dev/null
    done < <(LC_ALL=C grep -ao "$(printf '\033')]52;c;[A-Za-z0-9+/=]*" "$1")
}
# slice FILE FROM TO OUT: bytes [FROM, TO) of FILE (TO empty: to the end).
slice() {
    if [ -n "$3" ]; then tail -c +"$(($2 + 1))" "$1" | head -c "$(($3 - $2))" >"$4"
    else tail -c +"$(($2 + 1))" "$1" >"$4"; fi
}
rawsize() { stat -c %s "$T/$1.raw"; }

# --- the commands without a terminal ---------------------------------------------------------

# md TAG ARG...: maxdash with the fixed environment, no terminal; stdout and stderr in $OUT.
md() {
    local tag=$1; shift
    env -i PATH="$PATH" TERM=xterm-256color LANG=C.UTF-8 TZ=UTC "${XDG_ENV[@]}" \
        MAXDASH_LEAK_KEY="$(keyof k_env)" MAXDASH_LEAK_REVOKED="$(keyof revoked)" \
        timeout 30 "$MAXDASH" "$@" -c "$T/config.ini" </dev/null >"$OUT/$tag.out" 2>"$OUT/$tag.err"
}

# The oracle's own check: the truncate fault cuts the probe's body 6 to 19 bytes into a canary,
# so a parser error quoting the token at the cut (jansson does up to 20 bytes) carries canary
# bytes: the oracle would see the leak of issue 11 case 1.
put_faults list
printf 'Authorization: Bearer %s\nX-Organization-Id: org_truncate\n' "$(keyof k_file)" >"$T/api.headers"
curl -sS --max-time 5 -H @"$T/api.headers" "$BASE/v1/patients?pageSize=1" >"$H/truncated" 2>/dev/null
rm -f "$T/api.headers"
tailtok=$(sed 's/.*"//' "$H/truncated")
{ [ "${#tailtok}" -ge 6 ] && [ "${#tailtok}" -le 19 ] && LC_ALL=C grep -qiF -f "$H/pieces" <<<"$tailtok"; } ||
    fail "self-check: the truncated probe body of org_truncate does not end 6..19 bytes into a canary (${#tailtok} bytes after the last quote): change SEED"
log "self-check: the truncated /patients?pageSize=1 body ends ${#tailtok} bytes into a canary"

for ep in me list; do
    put_faults "$ep"
    since=$(last_seq)
    md "check-$ep" check
    md "check-json-$ep" check --json
    # shellcheck disable=SC2086
    need_covered "$since" "$ep" "check ($ep)" $FAULTS
    scan_files "check, faults on $ep"
    log "${SECONDS}s: check and check --json with faults on $ep"
done
ctl DELETE /_sandbox/faults >/dev/null

# --- the dashboard ---------------------------------------------------------------------------

# The offset of the plain session's recording once `m` took effect.
PLAIN_ON=

# goto_org I: the I-th org (0-based) selected in the Orgs pane (focused).
goto_org() { local i; keys g; for ((i = 0; i < $1; i++)); do keys j; done; }

# session NAME PRIVACY: the whole walk through one dashboard.
session() {
    local name=$1 privacy=$2 o i since n
    local args=(--copy-command "sh $IN/copy.sh")
    [ "$privacy" = 1 ] && args+=(--privacy)
    local envs=() e
    for e in "${XDG_ENV[@]}"; do envs+=(-e "$e"); done
    start_maxdash -s "$name" -x 160 -y 50 "${envs[@]}" -- "${args[@]}"
    see "Patients ─ $NPAT · page 1/1" "$(scaled 8000)" "org_ok's patients ($name)"
    if [ "$privacy" = 0 ]; then
        see "$(canary_of ok 1 lastName)" 3000 "a canary on the plain screen"
    fi
    proc_sample "dashboard $name start" "$name"

    # me: every org refreshed (R).
    put_faults me; since=$(last_seq)
    keys R
    # shellcheck disable=SC2086
    need_covered "$since" me "dashboard $name, R" $FAULTS
    proc_sample "dashboard $name, faults on me" "$name"

    # list: each org selected and refreshed (r).
    put_faults list; since=$(last_seq)
    i=0
    for o in $ORGS_ALL; do
        goto_org "$i"; keys r
        i=$((i + 1))
    done
    # shellcheck disable=SC2086
    need_covered "$since" list "dashboard $name, list" $FAULTS
    proc_sample "dashboard $name, faults on list" "$name"

    # search: each org searched for its patient 2's last name.
    i=0
    for o in $ORGS_ALL; do
        goto_org "$i"; i=$((i + 1))
        local text
        text=$(canary_of "$o" 2 lastName)
        since=$(last_seq)
        keys Tab /   # the Patients pane: in the Orgs pane / filters the orgs
        see " search patients:" 2000 "the search prompt"
        type_text "$text"
        # The prompt shows the text, or in privacy mode a mask (issue 11 case 6).
        see_re "search patients: (•••|\\*\\*\\*|$text)" 2000 "the typed search"
        keys Enter
        case " $FAULTS " in
        *" $o "*) need_covered "$since" search "dashboard $name, search" "$o" ;;
        esac
        keys Escape BTab
    done
    proc_sample "dashboard $name, faults on search" "$name"

    # detail: each org's first patient opened (its own path faulted, the list answers).
    put_faults detail
    i=0
    for o in $ORGS_ALL; do
        goto_org "$i"; i=$((i + 1))
        since=$(last_seq)
        keys r
        case $o in noscope | revoked) continue ;; esac
        wait_until "$(scaled 4000)" covered "$since" list "$o" || fail "org_$o's list was not asked ($name)"
        keys Tab g Enter
        see "Patient (Esc closes)" 2000 "the detail view of org_$o's patient ($name)"
        case " $FAULTS " in
        *" $o "*) need_covered "$since" detail "dashboard $name, detail" "$o" ;;
        esac
        keys Escape BTab
    done
    proc_sample "dashboard $name, faults on detail" "$name"
    ctl DELETE /_sandbox/faults >/dev/null

    # Privacy turned on in the plain session: from here its bytes are a channel.
    if [ "$privacy" = 0 ]; then
        keys m
        see "privacy mode: patient data masked" 2000
        PLAIN_ON=$(rawsize "$name")
        goto_org 0
        keys Tab g Enter
        see "Patient (Esc closes)" 2000 "the detail view after m"
        keys Escape BTab
    fi

    # Every failure group: opened, y, Y, c.
    keys Tab Tab a
    see "Failures (" 2000 "every failure ($name)"
    n=$(printf '%s\n' "$SCREEN" | sed -n 's/.*Failures (\([0-9]*\)).*/\1/p' | head -n 1)
    [ "${n:-0}" -gt 0 ] || fail "no failure listed ($name)"
    [ "$n" -le "$GMAX" ] || n=$GMAX
    keys g
    for ((i = 0; i < n; i++)); do
        keys Enter
        see "Failure group (Esc closes)" 2000 "failure group $i ($name)"
        keys y
        see_re "cop(ied|ying) trace_id|has no trace_id" 2000 "y on group $i"
        local c0
        c0=$(ncopies); keys Y
        wait_until 2000 more_copies "$c0" || fail "Y on group $i copied nothing ($name)"
        c0=$(ncopies); keys c
        wait_until 2000 more_copies "$c0" || fail "c on group $i copied nothing ($name)"
        keys Escape
        gone "Failure group (Esc closes)" 2000
        keys j
    done
    log "dashboard $name: $n failure groups opened, y Y c in each; $(ncopies) copies so far"
    proc_sample "dashboard $name, failure groups" "$name"
    keys q
    wait_exit "$(scaled 5000)" || fail "maxdash ($name) did not exit on q"
    [ "$EXIT_STATUS" = 0 ] || fail "maxdash ($name) exited $EXIT_STATUS"
    scan_files "dashboard $name"
    log "${SECONDS}s: dashboard $name done"
}

session priv 1
session plain 0

# The terminal bytes: all of the privacy session's, the plain one's after m.
scan "terminal bytes, privacy mode (--privacy)" "dashboard priv" "$T/priv.raw"
slice "$T/plain.raw" "$PLAIN_ON" "" "$H/plain.raw.after-m"
scan "terminal bytes, privacy mode (after m)" "dashboard plain" "$H/plain.raw.after-m"
for s in priv plain; do
    osc52 "$T/$s.raw" "$H/$s.osc52"
    scan "copy (OSC 52)" "dashboard $s" "$H/$s".osc52.*
done
# The oracle sees what is drawn: the plain session's own bytes (before m) hold canaries.
slice "$T/plain.raw" 0 "$PLAIN_ON" "$H/plain.raw.before-m"
LC_ALL=C grep -aqiF -f "$H/pieces" "$H/plain.raw.before-m" ||
    fail "self-check: no canary in the plain session's screen bytes: the scanner is blind"
# No key on the screen at all: the plain session's bytes before m, for the keys' pieces.
SCAN_LABELS='^key ' scan "terminal bytes (keys only, privacy off)" "dashboard plain" "$H/plain.raw.before-m"

# --- the stored log, the config --------------------------------------------------------------

md log log
md log-json log --json
md log-explain log --explain
md config config
[ -s "$OUT/log.out" ] || fail "maxdash log printed nothing"
[ -s "$OUT/config.out" ] || fail "maxdash config printed nothing"
scan_files "log, config" final
logs=$(find "$T/xdg/state" -type f | wc -l)
[ -f "$T/xdg/state/maxdash/auth-failures.jsonl.1" ] || fail "the log did not rotate during the run"
log "files maxdash wrote: $(written_files | sed "s|^$T/||" | tr '\n' ' ')($logs under \$XDG_STATE_HOME)"

# --- the verdict -----------------------------------------------------------------------------

# One line per (channel, canary), in the order found: the first file, step and evidence, and
# how many files of the channel hold it.
awk -F '\t' '{ k = $1 SUBSEP $3
               if (!(k in n)) { order[++m] = k; first[k] = $0 }
               if (!((k, $2) in seen)) { seen[k, $2] = 1; n[k]++ } }
     END { for (i = 1; i <= m; i++) print first[order[i]] "\t" n[order[i]] }' "$FINDINGS" >"$H/report"
if [ -s "$H/report" ]; then
    echo "LEAKS: $(wc -l <"$H/report") (canary, channel) pairs, $(wc -l <"$FINDINGS") findings in all:"
    awk -F '\t' '{ f = $3; sub(/^org_/, "", f); sub(/ .*/, "", f)
                   if ($3 ~ /^(key|secret) /) f = "any"; else if (f == "ok") f = "none"
                   else if (f == "revoked") f = "401"; else if (f == "noscope") f = "403"
                   printf "  LEAK %s (fault %s) in %s: %s%s (%s), step: %s\n", $3, f, $1, $2,
                          ($6 > 1 ? " and " ($6 - 1) " more files" : ""), $4, $5 }' \
        "$H/report" | head -n 80
    while IFS="$(printf '\t')" read -r _ _ label _ _ _; do
        printf '%s\n' "$(fault_of "$label")"
    done <"$H/report" | sort | uniq -c | sed 's/^/  by fault: /'
    fail "canary data or key bytes left maxdash (above)"
fi
log "no canary in any channel: $(wc -l <"$IN/canaries.tsv") canaries, 11 faults x 4 endpoints"
