# Issue 13, case 4: `c` copies the exact request that failed - path, query (page, pageSize,
# search) and headers - with $MAX_API_KEY, and for a patient detail $PATIENT_ID with a comment
# line instead of the id (which never reaches the clipboard). Each copied command, run with curl
# against the sandbox with those variables set, answers the original status: a failed list, a
# search, a page and a detail.
. "$MAXDASH_SRC/tests/e2e/lib.sh"

start_sandbox
write_config "refresh = 60"
start_maxdash -x 160 -y 40 -- --org big
RAW=$T/md.raw
see "Organization ─ big"
see_re "Patients ─ [0-9]+ · page 1/[0-9]+" 5000

copies() { LC_ALL=C grep -ao $'\e]52;c;' "$RAW" | wc -l; }
copied_since() { [ "$(copies)" -gt "$1" ]; }   # a new clipboard write since there were $1
last_copy() {
    LC_ALL=C grep -ao $'\e]52;c;[A-Za-z0-9+/=]*' "$RAW" | tail -n 1 | sed 's/.*;//' | base64 -d 2>/dev/null
}
# copy_curl WHAT: presses c, waits for the confirmation naming WHAT and for the clipboard write;
# the command in CMD.
copy_curl() {
    local n0
    n0=$(copies)
    keys c
    see "copied the request as curl: $1" 3000 "c names what it copied"
    wait_until 2000 copied_since "$n0" || fail "c wrote no OSC 52"
    CMD=$(last_copy)
    case $CMD in *'$MAX_API_KEY'*) ;; *) fail "the curl copy does not use \$MAX_API_KEY: $CMD" ;; esac
    case $CMD in *"X-Organization-Id: org_big"*) ;; *) fail "the curl copy lacks the org header: $CMD" ;; esac
    case $CMD in *"{id}"*) fail "the curl copy holds the literal {id}: $CMD" ;; esac
}
# status_of_copy [PATIENT_ID]: runs CMD as the user would (variables set) and prints the status.
status_of_copy() {
    local -; set +x
    ( export MAX_API_KEY="$DEMO_KEY" PATIENT_ID="${1:-}" SEARCH="${2:-}"; eval "$CMD -o /dev/null -w '%{http_code}'" )
}
# fail_big_patients: from now on big's /patients (list and detail) answers 500.
fail_big_patients() {
    ctl POST /_sandbox/faults '{"fault": "status", "status": 500, "org": "org_big", "path": "/patients"}' >/dev/null
}

# A failed list (the refresh's page 1 of 50).
fail_big_patients
keys r
see_re "big +down" 5000 "the failed list shows in the orgs pane"
copy_curl "big 500 /v1/patients"
case $CMD in *"/v1/patients?page=1&pageSize=50'"*) ;; *) fail "list: not the failed page 1 of 50: $CMD" ;; esac
st=$(status_of_copy); [ "$st" = 500 ] || fail "list: the copied command answered $st, not 500"
log "list: $CMD -> $st"

# A page: page 1 loads, page 2 fails.
ctl DELETE /_sandbox/faults >/dev/null
keys r
see_re "big +[0-9]+ ms" 5000
see_re "Patients ─ [0-9]+ · page 1/[0-9]+" 5000
fail_big_patients
keys n
see_re "page 2/[0-9]+" 3000
wait_for_re "big +down" 5000 || fail "page 2 did not fail"
copy_curl "big 500 /v1/patients"
case $CMD in *"/v1/patients?page=2&pageSize=50'"*) ;; *) fail "page: not the failed page 2: $CMD" ;; esac
st=$(status_of_copy); [ "$st" = 500 ] || fail "page: the copied command answered $st, not 500"
log "page: $CMD -> $st"

# A search (from the Patients pane: in the Orgs pane / filters the orgs).
keys Tab /
type_text "an"
keys Enter
keys BTab
see 'search "an"' 3000
n_tries=0
while :; do
    copy_curl "big 500 /v1/patients"
    case $CMD in *"search='\"\$SEARCH\""*) break ;; esac
    n_tries=$((n_tries + 1)); [ $n_tries -lt 20 ] || fail "search: the copied command is not the search: $CMD"
    nap 0.1
done
# The search text is patient data (a name, an MRN): $SEARCH stands for it, with a comment line.
case $CMD in *"/v1/patients?page=1&pageSize=50&search='\"\$SEARCH\""*) ;; *) fail "search: not the failed search: $CMD" ;; esac
case $CMD in "# "*SEARCH*$'\n'*) ;; *) fail "search: no comment line about \$SEARCH: $CMD" ;; esac
case $CMD in *"search=an"*) fail "search: the search text is in the copy: $CMD" ;; esac
st=$(status_of_copy "" an); [ "$st" = 500 ] || fail "search: the copied command answered $st, not 500"
log "search: $CMD -> $st"

# A detail: $PATIENT_ID stands for the id, which is nowhere in the copy.
ctl DELETE /_sandbox/faults >/dev/null
keys Escape         # clears the search
gone 'search "an"' 3000
keys r
see_re "big +[0-9]+ ms" 5000
page=$(api org_big "/patients?page=1&pageSize=50")
id1=$(pfield "$(patients_of "$page" | sed -n 1p)" id)
id2=$(pfield "$(patients_of "$page" | sed -n 2p)" id)
ctl POST /_sandbox/faults "{\"fault\": \"status\", \"status\": 500, \"org\": \"org_big\", \"path\": \"/patients/$id1\"}" >/dev/null
keys Tab g Enter
see "Patient (Esc closes)" 3000
see "internal_error" 3000 "the detail failed"
copy_curl "big 500 /v1/patients/{id}"
case $CMD in "# "*PATIENT_ID*$'\n'*) ;; *) fail "detail: no comment line about \$PATIENT_ID: $CMD" ;; esac
case $CMD in *"/v1/patients/'\"\$PATIENT_ID\""*) ;; *) fail "detail: the path does not end in \$PATIENT_ID: $CMD" ;; esac
case $CMD in *"$id1"*) fail "detail: the patient id reached the clipboard" ;; esac
LC_ALL=C grep -ao $'\e]52;c;[A-Za-z0-9+/=]*' "$RAW" | sed 's/.*;//' | while read -r b; do
    printf '%s' "$b" | base64 -d 2>/dev/null | grep -qF "$id1" && echo leak
done | grep -q leak && fail "a copy held the patient id"
st=$(status_of_copy "$id1"); [ "$st" = 500 ] || fail "detail: the copied command answered $st, not 500"
st2=$(status_of_copy "$id2"); [ "$st2" = 200 ] || fail "detail: with another patient's id it answered $st2, not 200"
log "detail: $CMD -> $st (another id: $st2)"
keys Escape
