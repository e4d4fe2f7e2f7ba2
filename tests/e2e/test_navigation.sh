# Navigation: j/k/arrows/g/G/Home/End move the org selection and the Organization pane follows;
# Tab/Shift-Tab move the focus (the Organization pane is skipped); --org preselects.
. "$MAXDASH_SRC/tests/e2e/lib.sh"

start_sandbox
write_config
page=$(api org_westla "/patients?page=1&pageSize=50")
p1=$(display_name "$(patients_of "$page" | sed -n 1p)")
p2=$(display_name "$(patients_of "$page" | sed -n 2p)")

start_maxdash -x 100 -y 30
see "Organization ─ westla · West LA Dermatology"
see "$p1"

# expect_org NAME "Display Name": the Organization pane's title shows the selected org.
expect_org() { see "Organization ─ $1 · $2" 2000 "the Organization pane follows the selection"; }

keys j;     expect_org eastside "Eastside Family Clinic"
keys j;     expect_org north "North Valley Pediatrics"
keys k;     expect_org eastside "Eastside Family Clinic"
keys Down;  expect_org north "North Valley Pediatrics"
keys Up;    expect_org eastside "Eastside Family Clinic"
keys G;     expect_org harbor "Harbor Scheduling"
keys j;     keys k; expect_org big "Big County Hospital"        # j at the bottom stays on harbor
keys g;     expect_org westla "West LA Dermatology"
keys k;     keys j; expect_org eastside "Eastside Family Clinic"  # k at the top stays on westla
keys End;   expect_org harbor "Harbor Scheduling"
keys Home;  expect_org westla "West LA Dermatology"
# The selected org's row is highlighted in the Orgs pane (reverse video or a background).
SCREEN=$(screen_e)
row=$(printf '%s\n' "$SCREEN" | grep -F -m 1 "$(asc '● westla')")
sgr_has_any "$row" 7 46 || fail "the selected org's row is not highlighted: $(printf '%s' "$row" | cat -v)"
see "Patients ─ 1503 · page 1/31"

# line_selected TEXT: the screen line holding TEXT is drawn highlighted.
line_selected() {
    local row
    row=$(screen_e | grep -F -m 1 -- "$(asc "$1")")
    sgr_has_any "$row" 7 46
}

# Tab: the Patients pane (the Organization pane takes no focus); its first row is selected.
keys Tab
wait_until 2000 line_selected "$p1" || fail "after Tab, the first patient row is not selected"
line_selected "$p2" && fail "after Tab, the second patient row is selected too"
keys j
wait_until 2000 line_selected "$p2" || fail "j in the Patients pane did not select the second patient"
line_selected "$p1" && fail "j in the Patients pane left the first patient selected"
see "Organization ─ westla ·"   # the org did not change
# Tab: the Auth-failures pane; j there does not change the org either.
keys Tab
first_fail_selected() {
    local row
    row=$(screen_e | sed -n '/Auth failures (/{n;p;q}')
    sgr_has_any "$row" 7 46
}
wait_until 2000 first_fail_selected || fail "after a second Tab, the first failure row is not selected"
# Issue 13: an unfocused pane still shows its selection, dimmed.
row=$(screen_e | grep -F -m 1 -- "$(asc "$p2")")
sgr_has_any "$row" 2 || fail "the unfocused Patients pane does not show its selection dimmed: $(printf '%s' "$row" | cat -v)"
# Tab: back to the Orgs pane; j moves the org again.
keys Tab
keys j;     expect_org eastside "Eastside Family Clinic"
# Shift-Tab goes backwards: Auth failures, then Patients.
keys BTab BTab
keys j
see "Organization ─ eastside ·"
keys BTab   # Orgs
keys k;     expect_org westla "West LA Dermatology"
# Selecting an org shows its patients: hostile has 14.
keys j j j j; expect_org hostile "Hostile Data Clinic"
see "Patients ─ 14 · page 1/1"
gone "$p1"

# --org preselects.
start_maxdash -s preselect -x 100 -y 30 -- --org big
see "Organization ─ big · Big County Hospital"
see "Patients ─ 100000 · page 1/2000"
see_re '│● big +[0-9]+ ms│'
keys k; expect_org hostile "Hostile Data Clinic"

# --org with an unknown name: exit 2 and a message naming it.
start_maxdash -s unknown -x 100 -y 30 -- --org nosuch
wait_exit || fail "maxdash --org nosuch did not exit"
[ "$EXIT_STATUS" = 2 ] || fail "maxdash --org nosuch exited with $EXIT_STATUS, not 2"
grep -q "no org named 'nosuch'" "$T/unknown.err" || fail "no clear message for --org nosuch: $(cat "$T/unknown.err")"
log "ok"
