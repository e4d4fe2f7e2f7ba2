# Issue 13, cases 1-3: every copy acts on what the user sees. (1) y/Y/c with a healthy org
# selected copy nothing ("nothing to copy for westla: no failure"), not another org's failure,
# and every confirmation names org, status, endpoint and the trace_id's start; the unfocused
# failures pane shows its selection dimmed. (2) The failures pane keeps its selection on the
# same group when a new group arrives on top, and Enter opens that group; a group filtered away
# hands the selection to its neighbour and the status line says so. (3) In a patient detail
# that failed, y copies that failure's trace_id, not a later failure of the list.
. "$MAXDASH_SRC/tests/e2e/lib.sh"

start_sandbox
write_config "refresh = 60"
page=$(api org_westla "/patients?page=1&pageSize=50")
id1=$(pfield "$(patients_of "$page" | sed -n 1p)" id)
[ -n "$id1" ] && [ "$id1" != null ] || fail "no first patient of westla in the sandbox"
start_maxdash -x 160 -y 40 -e NO_COLOR=1
RAW=$T/md.raw
LOGF=$T/auth-failures.jsonl
see_re "[0-9:]{8} eastside 401 unauthorized" 5000
see_re "[0-9:]{8} north +403 forbidden" 5000
see_re "[0-9:]{8} harbor +403 forbidden" 5000

copies() { LC_ALL=C grep -ao $'\e]52;c;' "$RAW" | wc -l; }
copied_since() { [ "$(copies)" -gt "$1" ]; }   # a new clipboard write since there were $1
last_copy() {
    LC_ALL=C grep -ao $'\e]52;c;[A-Za-z0-9+/=]*' "$RAW" | tail -n 1 | sed 's/.*;//' | base64 -d 2>/dev/null
}
# record_of TRACE: the log line of the failure with that trace_id.
record_of() { grep -F "\"trace_id\":\"$1\"" "$LOGF" | tail -n 1; }
jfield() { printf '%s\n' "$1" | sed -n "s/.*\"$2\":\"\{0,1\}\([^\",]*\)\"\{0,1\}[,}].*/\1/p" | head -n 1; }
# refresh_until TEXT: R (refresh every org, within the rate budget) until TEXT is on the screen.
refresh_until() {
    local i
    for i in 1 2 3 4 5; do
        keys R
        wait_for "$1" 2000 && return 0
    done
    fail "expected \"$1\" on the screen after refreshing"
}
TRACE_RE='[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'

# --- case 1: the Orgs pane has the focus, westla (healthy) is selected --------------------------
see "Organization ─ westla"
n0=$(copies)
for k in y Y c; do
    keys "$k"
    see "nothing to copy for westla: no failure" 2000 "$k with a healthy org selected"
    keys Escape
done
[ "$(copies)" = "$n0" ] || fail "y/Y/c with westla selected copied something: $(last_copy | head -c 80)"
# The failures pane is not focused: its selection (the first row) is shown dimmed.
row=$(screen_e | sed -n '/Auth failures (/{n;p;q}')
sgr_has_any "$row" 2 || fail "the unfocused failures pane does not show its selection dimmed: $(printf '%s' "$row" | cat -v)"
sgr_has_any "$row" 7 || fail "the unfocused failures pane shows no selection at all"

# eastside: y copies eastside's latest failure, and the status line says so.
keys j
see "Organization ─ eastside"
n0=$(copies)
keys y
see_re "copied trace_id: eastside 401 /v1/[a-z/]+, trace [0-9a-f]{8}… via OSC 52" 2000
wait_until 2000 copied_since "$n0" || fail "y wrote no OSC 52"
t=$(last_copy)
rec=$(record_of "$t")
[ "$(jfield "$rec" org)" = eastside ] || fail "y on eastside copied $t, a failure of '$(jfield "$rec" org)'"
see "trace ${t:0:8}" 1000 "the confirmation names the trace_id's first characters"
keys Y
see_re "copied a support note: eastside 401 /v1/" 2000
note=$(last_copy)
case $note in *"Organization id: org_eastside"*) ;; *) fail "Y on eastside: the note is about another org" ;; esac

# --- case 2: the failures pane keeps its group when a new group arrives on top ------------------
# south selected in the Orgs pane (r will refresh only it); then the failures pane, focused,
# holds on to the group highlighted (the newest, the first row).
keys j j
see "Organization ─ south"
keys Tab Tab
see "Auth failures ("
# The highlighted row (reverse video, not dim) and its trace_id.
selected_row() { screen_e | grep -aE $'\e\\[(0;)?7m' | grep -aE "$TRACE_RE" | tail -n 1 | sed $'s/\e\\[[0-9;]*m//g'; }
wait_until 2000 test -n "$(selected_row)" || fail "no highlighted failure row"
before=$(selected_row)
before_trace=$(printf '%s' "$before" | grep -oE "$TRACE_RE")
before_org=$(jfield "$(record_of "$before_trace")" org)
[ -n "$before_org" ] || fail "the highlighted row's trace_id $before_trace is not in the log"
# A new auth failure group: south's /marketplace/me answers 403 from now on.
ctl POST /_sandbox/faults '{"fault": "status", "status": 403, "org": "org_south", "path": "/marketplace/me", "message": "Storm of south"}' >/dev/null
keys r
see "Storm of south" 5000 "the new group is listed"
wait_until 2000 test -n "$(selected_row)" || fail "no highlighted failure row after the new group"
after=$(selected_row)
after_trace=$(printf '%s' "$after" | grep -oE "$TRACE_RE")
after_org=$(jfield "$(record_of "$after_trace")" org)
[ "$after_org" = "$before_org" ] && [ "$(jfield "$(record_of "$after_trace")" path)" = "$(jfield "$(record_of "$before_trace")" path)" ] ||
    fail "a new group moved the highlight from $before_org to $after_org ($after)"
# It arrived on top: the highlighted group is now the second row.
srow=$(screen_e | sed -n '/Auth failures (/,$p' | grep -anE $'\e\\[(0;)?7m' | grep -aE "$TRACE_RE" | head -n 1 | cut -d: -f1)
[ "$srow" = 3 ] || fail "the new group did not arrive above the highlighted one (highlight on line $srow of the pane)"
keys Enter
see "Failure group (Esc closes)" 2000
see "Org          $before_org (org_$before_org)" 2000 "Enter opens the highlighted group"
keys y
see "copied trace_id: $before_org" 2000 "y in the open group copies that group"
keys Escape
gone "Failure group (Esc closes)"
# The selected group filtered away: the neighbour is selected and the status line says so.
keys /
type_text "Storm of south"
keys Enter
see "the selected failure group is no longer listed: selected south 403" 3000
keys Escape

# --- case 3: y in a failed patient detail copies that failure ----------------------------------
# A second maxdash refreshing every 2 s, so that westla fails again while the detail is open.
ctl POST /_sandbox/faults "{\"fault\": \"status\", \"status\": 500, \"org\": \"org_westla\", \"path\": \"/patients/$id1\"}" >/dev/null
write_config "refresh = 2" "me_every = 1"  # /marketplace/me at every refresh (issue 20)
start_maxdash -s detail -x 160 -y 40 -e NO_COLOR=1
RAW=$T/detail.raw
see "Organization ─ westla"
see_re "Patients ─ [0-9]+ · page 1/" 5000
keys Tab g Enter    # Patients, first row, open it
see "Patient (Esc closes)" 3000
see_re "trace_id $TRACE_RE" 3000 "the failed detail shows its trace_id"
dtrace=$(printf '%s\n' "$SCREEN" | grep -oE "trace_id $TRACE_RE" | head -n 1 | sed 's/trace_id //')
# A later failure of westla's, so that "the org's or the list's newest failure" is another one.
ctl POST /_sandbox/faults '{"fault": "status", "status": 403, "org": "org_westla", "path": "/marketplace/me"}' >/dev/null
later() { grep -q '"org":"westla".*"path":"/v1/marketplace/me".*"http_status":403' "$LOGF"; }
wait_until 8000 later || fail "westla's /marketplace/me did not fail while the detail was open"
n0=$(copies)
keys y
see "copied trace_id: westla 500 /v1/patients/{id}, trace ${dtrace:0:8}" 2000
wait_until 2000 copied_since "$n0" || fail "y in the detail wrote no OSC 52"
[ "$(last_copy)" = "$dtrace" ] || fail "y in the detail copied $(last_copy), not its failure $dtrace"
keys Y
see "copied a support note: westla 500 /v1/patients/{id}" 2000
note=$(last_copy)
case $note in *"$dtrace"*) ;; *) fail "Y in the detail: the note lacks the detail's trace_id" ;; esac
case $note in *"$id1"*) fail "Y in the detail: the note holds the patient id" ;; esac
keys Escape
log "ok: westla copies nothing; eastside's trace $t; group $before_org kept; detail trace $dtrace"
