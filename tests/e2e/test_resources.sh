# The resource browser (issue 16) on API v4: ':' with completion switches the table to
# appointments (today by default), pages, filters by date ('[' ']' and a typed day), opens an
# appointment with its nested patient and provider, follows the patient into the patient view;
# privacy mode masks the appointment's patient columns and detail lines; a clinic without
# read:providers shows the 403 explanation (the side that must act) in place of the table.
. "$MAXDASH_SRC/tests/e2e/lib.sh"

start_sandbox
ORGS="westla north" write_config
sed -i "s|^base_url = .*|base_url = $BASE/v4|" "$T/config.ini"

api4() {
    local -; set +x
    printf 'Authorization: Bearer %s\nX-Organization-Id: %s\n' "$DEMO_KEY" "$1" >"$T/api.headers"
    curl -sS --max-time 5 -H @"$T/api.headers" "$BASE/v4$2" || fail "GET /v4$2 failed"
}
# The ids of the appointments of a list body, in order (ids are plain: no escaping to undo).
appt_ids() { printf '%s' "$1" | grep -o '"id":"apt_[0-9a-f]*"' | sed 's/"id":"//; s/"$//'; }

today=$(TZ=UTC date +%F)
tomorrow=$(TZ=UTC date -d tomorrow +%F)
q="page=1&pageSize=50&dateFrom=$today&dateTo=$today"
body=$(api4 org_westla "/appointments?$q")
total=$(printf '%s' "$body" | json_number totalCount)
pages=$(printf '%s' "$body" | json_number totalPages)
first=$(appt_ids "$body" | head -n 1)
[ -n "$first" ] && [ "${total:-0}" -gt 0 ] || fail "the demo has no appointment today ($today)"

start_maxdash -x 160 -y 44
see "Patients ─ 1503"
see " v4 SANDBOX" 2000 "the header shows the API version"

# ':' opens the command line with the switcher; Tab completes the name; Enter switches.
keys :
see " :" 2000 "the command line"
see "appointments       read:appointments    granted" 2000 "the switcher lists the resources"
type_text appoi
keys Tab
see " :appointments" 2000 "Tab completes the resource name"
keys Enter
see "Appointments (API v4) ─ $total · page 1/$pages · dateFrom=$today dateTo=$today" 3000 \
    "today's appointments of the healthy org"
see "$first" 3000 "the first appointment of today"

# Paging.
if [ "$pages" -gt 1 ]; then
    second=$(appt_ids "$(api4 org_westla "/appointments?page=2&pageSize=50&dateFrom=$today&dateTo=$today")" | head -n 1)
    keys n
    see "page 2/$pages" 3000 "n pages the appointments"
    see "$second"
    keys p
    see "page 1/$pages" 3000 "p pages back"
fi

# A day typed on the command line, and ']' '[' moving it.
tb=$(api4 org_westla "/appointments?page=1&pageSize=50&dateFrom=$tomorrow&dateTo=$tomorrow")
ttotal=$(printf '%s' "$tb" | json_number totalCount)
keys :
type_text "appointments $tomorrow"
keys Enter
see "Appointments (API v4) ─ $ttotal · page 1/" 3000 "the typed day's appointments"
see "dateFrom=$tomorrow dateTo=$tomorrow"
keys '['
see "Appointments (API v4) ─ $total · page 1/$pages · dateFrom=$today dateTo=$today" 3000 "[ goes back a day"
keys ']'
see "dateFrom=$tomorrow dateTo=$tomorrow" 3000 "] goes a day on"
keys '['
see "dateFrom=$today dateTo=$today"
see "$first"

# Enter opens the appointment: its nested patient and provider, flattened.
detail=$(api4 org_westla "/appointments/$first")
pid=$(printf '%s' "$detail" | grep -o '"patient":{"id":"pat_[0-9a-f]*"' | sed 's/.*"id":"//; s/"$//')
prv=$(printf '%s' "$detail" | grep -o '"provider":{"id":"prv_[0-9a-f]*"' | sed 's/.*"id":"//; s/"$//')
[ -n "$pid" ] || fail "the appointment $first has no nested patient id"
keys g Enter
see "Appointments $first (Enter follows a link" 3000 "Enter opens the appointment"
see_re "patient\\.id +$pid" 3000 "the nested patient"
[ -z "$prv" ] || see_re "provider\\.id +$prv" 3000 "the nested provider"
see "patient.lastName"
# Tab goes from link to link; on the patient, Enter opens the patient view.
for i in 1 2 3 4; do
    keys Tab
    wait_for "Enter opens patients $pid" 1000 && break
done
see "Enter opens patients $pid" 1 "Tab reaches the patient link"
keys Enter
see "Patient (Esc closes)" 3000 "following the patient opens the patient"
see "Id           $pid" 3000 "the appointment's patient"
keys Escape
gone "Patient (Esc closes)"

# Privacy mode: the appointment's patient columns and detail lines are masked.
keys m
see "privacy mode: patient data masked"
_capture
row=$(screen_line "$first")
case $row in *"$(asc •••)"*) ;; *) fail "privacy mode: the row of $first shows no mask: $row" ;; esac
keys g Enter
see_re "patient\\.lastName +($(asc_re •••))" 3000 "privacy mode masks the patient's name in the record"
see_re "patient\\.dateOfBirth +($(asc_re •••))" 2000 "privacy mode masks the birth date"
see_re "patient\\.id +$pid" 2000 "ids are not patient data"
keys Escape
keys m
see "privacy mode off"

# Server-side search in another resource: / on providers sends search= and shows its count.
name=$(api4 org_westla "/providers?page=1&pageSize=50" | grep -o '"lastName":"[A-Za-z]*"' | head -n 1 |
       sed 's/"lastName":"//; s/"$//' | tr 'A-Z' 'a-z')
[ -n "$name" ] || fail "no provider of westla has a plain ASCII last name to search for"
sb=$(api4 org_westla "/providers?page=1&pageSize=50&search=$name")
stotal=$(printf '%s' "$sb" | json_number totalCount)
sfirst=$(printf '%s' "$sb" | grep -o '"id":"prv_[0-9a-f]*"' | head -n 1 | sed 's/"id":"//; s/"$//')
[ "${stotal:-0}" -gt 0 ] || fail "the search for $name finds no provider"
keys 3
see "Providers (API v4) ─ " 3000 "3 switches to providers"
keys /
see " search providers:" 2000 "the search prompt names the resource"
type_text "$name"
keys Enter
see "Providers (API v4) ─ $stotal · page 1/1 · search \"$name\"" 3000 "the server-side search"
see "$sfirst"

# North has not granted read:providers to this key (westla has: the same key): the clinic acts.
keys BTab j
see "Organization ─ north"
keys :
type_text providers
keys Enter
see "Providers (API v4)" 3000
see "403 missing read:providers: the clinic must grant it in its installation" 3000 \
    "the 403 explanation in place of the table"
see "The same key has read:providers on westla"

# S: north's scope map, each scope probed once: granted by /me or not, the endpoint's answer,
# and for a 403 the side that must act.
keys S
see "Scope map (Esc closes)" 3000 "S opens the scope map"
see_re "read:appointments +granted +answers +appointments" 5000 "a granted scope answers"
see_re "read:providers +not granted +403 +providers" 5000 "a scope the clinic did not grant: 403"
see "$(asc →) missing read:providers: the clinic must grant it in its installation" 3000 \
    "the side that must act"
keys Escape
gone "Scope map (Esc closes)"
log "ok"
