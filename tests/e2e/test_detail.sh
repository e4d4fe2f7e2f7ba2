# Detail view: Enter on a patient (Patients pane focused with Tab) opens GET /patients/{id} with
# every field; Esc closes it and the panes underneath are whole again.
. "$MAXDASH_SRC/tests/e2e/lib.sh"

start_sandbox
write_config
page=$(api org_westla "/patients?page=1&pageSize=50")
one=$(patients_of "$page" | sed -n 1p)
two=$(patients_of "$page" | sed -n 2p)
id2=$(pfield "$two" id)
detail=$(api org_westla "/patients/$id2")

start_maxdash -x 120 -y 40
see "$(display_name "$one")"

keys Tab j Enter
see "Patient (Esc closes)" 3000 "Enter opens the detail view"
see "Id           $id2" 3000 "the detail view shows the second patient's id"
see "Name         $(display_name "$two")"
for f in mrn:MRN firstName:"First name" lastName:"Last name" dateOfBirth:Born email:Email phone:Phone createdAt:Created updatedAt:Updated; do
    field=${f%%:*} label=${f#*:}
    v=$(pfield "$detail" "$field")
    [ "$v" = null ] && v="—"
    see "$(printf '%-13s%s' "$label" "$v")" 2000 "the detail field $field"
done
middle=$(pfield "$detail" middleName); [ "$middle" = null ] && middle="—"
see "Middle name  $middle"
sex=$(pfield "$detail" gender); [ "$sex" = null ] && sex="—"
see "Sex          $sex"

keys Escape
gone "Patient (Esc closes)" 2000 "Esc closes the detail view"
gone "Email        " 2000
# Underneath, everything is drawn again.
see "Patients ─ 1503 · page 1/31"
see "$(display_name "$one")"
see "$(display_name "$two")"
see "Organization ─ westla · West LA Dermatology"
see_re '│✗ eastside +401│'

# From the Orgs pane, Enter moves to the patients (the selection is kept: the second row); g
# selects the first row and Enter opens it; its nulls show as "—".
keys BTab        # back to Orgs (the Organization pane takes no focus)
keys Enter g Enter
id1=$(pfield "$one" id)
see "Id           $id1" 3000 "Enter, Enter from the Orgs pane opens the first patient"
if [ "$(pfield "$one" gender)" = null ]; then see "Sex          —" 2000 "a null field shows as —"; fi
if [ "$(pfield "$one" email)" = null ]; then see "Email        —" 2000 "a null field shows as —"; fi
keys Enter       # Enter closes it too
gone "Patient (Esc closes)"

# A slow fetch: "loading" first, then the patient; the loading box leaves nothing behind.
corners() { local c=$1 n; n=${SCREEN//[!$c]/}; echo ${#n}; }
# The screen after the view closed, once two captures agree and the Orgs pane's frame is there:
# a capture taken while the redraw was still reaching the terminal counted no corners at all.
settled() { local prev=$SCREEN; _capture; [ "$SCREEN" = "$prev" ] && [[ $SCREEN == *"$(asc "Orgs (")"* ]]; }
_capture
wait_until 3000 settled || fail "the screen did not settle after the view closed"
# (In the C locale every corner is '+': one count, which the box raises by 4.)
if [ "$E2E_ASCII" = 1 ]; then before=$(corners +); else before="$(corners ┌) $(corners ┐) $(corners └) $(corners ┘)"; fi
ctl POST /_sandbox/faults '{"fault": "latency", "ms": 600, "path": "/patients/"}' >/dev/null
keys j Enter
see "loading patient $id2" 1000 "the detail view says it is loading"
see "Id           $id2" 3000
see "Updated      "
if [ "$E2E_ASCII" = 1 ]; then
    after=$(corners +); expect="$((before + 4)) "
else
    after="$(corners ┌) $(corners ┐) $(corners └) $(corners ┘)"
    expect=$(for n in $before; do printf '%s ' $((n + 1)); done)
fi
[ "$after " = "$expect" ] ||
    fail "box corners ┌┐└┘ before the detail view: $before, with it: $after (expected $expect): the loading box left pieces behind"
ctl DELETE /_sandbox/faults >/dev/null
keys Escape
gone "Patient (Esc closes)"
keys k

# A patient whose fetch fails: the view says so, with the trace id.
ctl POST /_sandbox/faults '{"fault": "status", "status": 500, "path": "/patients/", "count": 5}' >/dev/null
keys Enter
see "Patient (Esc closes)"
see_re 'trace_id [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}' 5000 "a failed detail fetch shows its trace id"
keys Escape
gone "Patient (Esc closes)"
log "ok"
