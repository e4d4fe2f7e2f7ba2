# Startup: all four panes are filled from the sandbox's demo data within 2 s, at 80x24.
. "$MAXDASH_SRC/tests/e2e/lib.sh"

start_sandbox
write_config
page=$(api org_westla "/patients?page=1&pageSize=50")
first=$(patients_of "$page" | head -n 1)
first_name=$(display_name "$first")
first_mrn=$(pfield "$first" mrn)
[ -n "$first_name" ] || fail "could not read westla's first patient from the sandbox"

t0=$(now_ms)
start_maxdash -x 80 -y 24

# Orgs pane: every org, with its mark and its word.
see_re '│● westla +[0-9]+ ms│' "$(scaled 2000)" "westla healthy with its latency"
see_re '│✗ eastside +401│' "$(scaled 2000)" "eastside's revoked key"
see_re '│! north +403│' "$(scaled 2000)" "north's install lacks read:patients"
see_re '│\? south +404│' "$(scaled 2000)" "south: app not installed"
see_re '│● hostile +[0-9]+ ms│' "$(scaled 2000)"
see_re '│● big +[0-9]+ ms│' "$(scaled 2000)"
see_re '│! harbor +403│' "$(scaled 2000)" "harbor's key lacks read:patients"
# Patients pane: westla's first page, its first patient as "Last, First M.".
see "Patients ─ 1503 · page 1/31" "$(scaled 2000)"
see "$first_name" "$(scaled 2000)" "westla's first patient"
see "$first_mrn" "$(scaled 2000)"
# Auth-failures pane: eastside's 401 with a trace id, north's 403.
see_re '│[0-9]{2}:[0-9]{2}:[0-9]{2} eastside 401 unauthorized .*trace [0-9a-f]{8}-[0-9a-f]{2}' "$(scaled 2000)"  # {2}: in the C locale "..." takes two columns more than "…"
see_re '│[0-9]{2}:[0-9]{2}:[0-9]{2} north 403 forbidden' "$(scaled 2000)"
filled=$(( $(now_ms) - t0 ))
log "all four panes filled after $filled ms"
[ "$filled" -le "$(scaled 2000)" ] || fail "the panes took $filled ms to fill (more than 2 s)"

# Header: base URL, org count, refresh, the environment badge.
see " maxdash · $BASE/v1 · 7 orgs · refresh 10s ("
header=$(printf '%s\n' "$SCREEN" | head -n 1)
case $header in *SANDBOX) ;; *) fail "the header does not end with the SANDBOX badge: '$header'" ;; esac
# Organization pane: westla's /marketplace/me, the key masked, scopes, status.
see "Organization ─ westla · West LA Dermatology"
see "Org id   org_westla"
see "App  my-healthcare-app (a"  # (a…: in the C locale "..." leaves two columns fewer
rest=${DEMO_KEY#max_dev_ak_}
see "Key      demo  max_dev_ak_${rest:0:3}…${rest: -3}  staging"
see "Scopes   read:patients  read:appointments"
see_re 'Status   200 · [0-9]+ ms · [0-9]{2}:[0-9]{2}:[0-9]{2}'
# The key hint line.
see " q quit  ? help  Tab pane  / search  Enter open"
# Exactly 80 columns: the right borders are in the last column.
bad=$(printf '%s\n' "$SCREEN" | while IFS= read -r l; do w=$(width_of "$l"); [ "$w" -le 80 ] || echo "$w: $l"; done)
[ -z "$bad" ] || fail "lines wider than 80 columns: $bad"
line=$(screen_line "┌ Orgs (7)")
[ "$(width_of "$line")" = 80 ] || fail "the top border line is not 80 columns wide: '$line'"

# The shortened trace id on screen is one that maxdash logged for eastside.
trace=$(printf '%s\n' "$SCREEN" | grep -E 'eastside 401' | grep -oE 'trace [0-9a-f]{8}-[0-9a-f]{2}' | head -n 1)
trace=${trace#trace }
grep -q "\"org\":\"eastside\".*\"trace_id\":\"$trace" "$T/auth-failures.jsonl" ||
    fail "the trace id $trace… shown for eastside is not in maxdash's log $(cat "$T/auth-failures.jsonl")"
# The log holds failures, never a whole key.
if grep -qF -e "$DEMO_KEY" -e "$DEMO_REVOKED_KEY" -e "$DEMO_APPTS_KEY" "$T/auth-failures.jsonl"; then
    fail "the auth-failure log holds a whole API key"
fi
log "ok"
