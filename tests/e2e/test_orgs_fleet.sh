# The Orgs pane with 500 orgs from two CSV lists (issue 17): the title's counts by state equal
# the sandbox's truth (what it last answered each org); `/` filters as you type by org id,
# display name and #tag; `s` cycles the sort (config order, worst first, name, latency) and the
# selected org stays selected; `f` jumps to the next failing org. The header shows the cycle
# and the oldest check.
#   good.csv (key demo): org_f_0001..0440 — 0001-0400 installed with read:patients (ok),
#            0401-0430 installed without it (403), 0431-0440 unknown to the sandbox (404)
#   bad.csv (key revoked): org_f_0441..0500 (401); listed first in the config
. "$MAXDASH_SRC/tests/e2e/lib.sh"

awk -v good="$DEMO_KEY" -v bad="$DEMO_REVOKED_KEY" 'BEGIN {
    printf "{\"apps\":[{\"id\":\"app_fleet\",\"slug\":\"fleet-app\",\"liveVersionId\":\"ver_1\"}],"
    printf "\"keys\":[{\"value\":\"%s\",\"app\":\"app_fleet\",\"scopes\":[\"read:patients\"]},", good
    printf "{\"value\":\"%s\",\"app\":\"app_fleet\",\"scopes\":[\"read:patients\"],\"state\":\"revoked\"}],\"orgs\":[", bad
    for (i = 1; i <= 500; i++) {
        if (i > 430 && i <= 440) continue
        printf "%s{\"id\":\"org_f_%04d\",\"installs\":[{\"app\":\"app_fleet\",\"scopes\":[%s]}],\"patients\":{\"generate\":3,\"seed\":%d}}",
            (i > 1 ? "," : ""), i, (i > 400 && i <= 430 ? "" : "\"read:patients\""), i
    }
    print "]}" }' >"$T/fleet.json"
KEY_FILES="$T/fleet.json"
start_sandbox "$T/fleet.json" --rate-limit 1000000/60
{
    echo "id,name,tags"
    for i in $(seq 1 440); do
        t=west; [ "$i" -gt 250 ] && t=east
        printf 'org_f_%04d,"Clinic %04d, Inc",%s\r\n' "$i" "$i" "$t"
    done
} >"$T/good.csv"
{
    echo "id,name,tags"
    for i in $(seq 441 500); do printf 'org_f_%04d,Clinic %04d,east\n' "$i" "$i"; done
} >"$T/bad.csv"
ORGS=westla write_config "refresh = 60" "timeout = 4" "rate_budget = 1000"
# Only the lists: the demo org goes.
sed -i '/^\[org "westla"\]/,$d' "$T/config.ini"
printf '[orgs "bad"]\nfile = bad.csv\nkey = revoked\n[orgs "good"]\nfile = good.csv\nkey = demo\n' >>"$T/config.ini"

# The truth: per org, the sandbox's last answer to /marketplace/me, else to /patients.
truth() {
    ctl GET /_sandbox/requests | sed 's/},{/\n/g' | awk '
        { org = $0; sub(/.*"org":"/, "", org); sub(/".*/, "", org)
          st = $0; sub(/.*"status":/, "", st); sub(/[^0-9].*/, "", st)
          if ($0 ~ /"path":"\/v1\/marketplace\/me"/) me[org] = st
          else if ($0 ~ /"path":"\/v1\/patients"/) pt[org] = st }
        END { for (o in me) { s = me[o] != 200 ? me[o] : (o in pt && pt[o] != 200 ? pt[o] : "ok"); n[s]++ }
              printf "%d %d %d %d\n", n["ok"], n["401"], n["403"], n["404"] }'
}

start_maxdash -x 160 -y 50
# 160 columns: the Orgs pane is 30 wide, so the title gives the counts with their marks.
see_re "$(asc_re 'Orgs \(500\) 400●60✗30!10\?')" "$(scaled 20000)" "the counts of all 500 orgs"
read -r ok n401 n403 n404 <<<"$(truth)"
[ "$ok $n401 $n403 $n404" = "400 60 30 10" ] ||
    fail "the sandbox's truth ($ok ok, $n401 401, $n403 403, $n404 404) is not what the title says"
log "title counts = sandbox truth: $ok ok, $n401 401, $n403 403, $n404 404"
# The header: the oldest check (every org checked by now).
see_re 'oldest check (<10 s|[0-9]+ s)' 5000 "the header's oldest check"

# Config order: the bad list first.
see_re "$(asc_re '│✗ org_f_0441 +401│')"
see "Organization $(asc '─') org_f_0441"

# --- filter ---
keys /
type_text "#we"
see_re "$(asc_re 'Orgs \(250/500\)')" 3000 "#we: the 250 orgs tagged west"
see "filter orgs (name, id, #tag): #we"
# The selection was filtered out: the first listed (org_f_0001) takes its place.
see "Organization $(asc '─') org_f_0001"
keys BSpace BSpace BSpace
type_text "Clinic 0437"
see_re "$(asc_re 'Orgs \(1/500\)')" 3000 "by display name"
see_re "$(asc_re '│\? org_f_0437 +404│')"
keys Enter
see "Organization $(asc '─') org_f_0437"
keys /
keys C-u
type_text "f_049"
see_re "$(asc_re 'Orgs \(10/500\)')" 3000 "by org id"
keys Escape
# Esc in the prompt restores the filter it opened with.
see_re "$(asc_re 'Orgs \(1/500\)')" 3000 "Esc restores the filter before the prompt"
keys Escape
see_re "$(asc_re 'Orgs \(500\) 400●')" 3000 "Esc in the pane clears the filter"
see "Organization $(asc '─') org_f_0437"

# --- sort: the selected org stays selected through every order ---
keys s
see_re "$(asc_re 'Orgs \(500\).*worst first|orgs sorted by worst first')" 3000
see "orgs sorted by worst first"
see "Organization $(asc '─') org_f_0437"
# The list scrolled to keep org_f_0437 in sight: the 403s, then the 404s, then the healthy.
see_re "$(asc_re '│\? org_f_0437 +404│')"
bar=$(asc '│')
states() { screen | grep -oE "$(asc_re '^│. org_f_[0-9]{4} +([0-9]+ ms|[a-z0-9]+)│')" |
           sed -E "s/ ms[$bar]\$/ ok/; s/[$bar]\$//; s/.* //" | uniq | tr '\n' ' '; }
order=$(states)
case $order in "403 404 ok "|"403 404 "|"404 ok "|"401 403 404 "*) ;; *) fail "worst first, around org_f_0437: $order" ;; esac
keys g
see "Organization $(asc '─') org_f_0441"
order=$(states)
case $order in "401 403 "*|"401 ") ;; *) fail "worst first does not start with the 401s, then the 403s: $order" ;; esac
keys /
type_text "f_040"
see "filter orgs (name, id, #tag): f_040"
keys Enter
see_re "$(asc_re 'Orgs \(10/500\)')"
# org_f_0400 (ok) comes first in the config, after the nine 403s when worst first.
order=$(states)
[ "$order" = "403 ok " ] || fail "worst first, filtered to org_f_040x: $order"
keys Escape
see_re "$(asc_re 'Orgs \(500\) ')"
keys /
type_text "org_f_0437"
keys Enter
see "Organization $(asc '─') org_f_0437"
keys Escape
keys s
see "orgs sorted by name"
# By name the ids are in order (the config lists 0441-0500 first), org_f_0437 among them.
ids() { screen | grep -oE "$(asc_re '^│. org_f_[0-9]{4}')" | grep -oE '[0-9]{4}$' | tr '\n' ' '; }
got=$(ids)
[ "$got" = "$(printf '%s\n' $got | sort -n | tr '\n' ' ')" ] && case $got in *0437*) true ;; *) false ;; esac ||
    fail "by name: the rows shown are not in order around org_f_0437: $got"
# j moves along the rows as listed: from 0437 five down is 0442, the bad list's second.
keys j j j j j
see "Organization $(asc '─') org_f_0442"
got=$(ids)
case $got in *"0440 0441 0442 "*) ;; *) fail "by name: org_f_0441 does not follow org_f_0440: $got" ;; esac
keys k k k k k
see "Organization $(asc '─') org_f_0437"
see "Organization $(asc '─') org_f_0437"
keys s
see "orgs sorted by latency"
see "Organization $(asc '─') org_f_0437"
keys s
see "orgs sorted by config order"
see "Organization $(asc '─') org_f_0437"
keys g
see "Organization $(asc '─') org_f_0441"
see_re "$(asc_re '│✗ org_f_0441 +401│')"

# --- jump to the next failing org ---
keys s s   # name order
see "orgs sorted by name"
keys g
see "Organization $(asc '─') org_f_0001"
keys f
see "Organization $(asc '─') org_f_0401" 3000 "f skips the 400 healthy orgs"
keys f
see "Organization $(asc '─') org_f_0402"
# From the last failing org it wraps round to the first.
keys G
see "Organization $(asc '─') org_f_0500"
keys f
see "Organization $(asc '─') org_f_0401" 3000 "f wraps round"
log "ok"
