# Paging: n/p and PgDn/PgUp change the page of westla's patients (1503 at 50 a page: 31 pages);
# the previous page stays visible while the next one loads.
. "$MAXDASH_SRC/tests/e2e/lib.sh"

start_sandbox
write_config "page_size = 50"
page1=$(api org_westla "/patients?page=1&pageSize=50")
page2=$(api org_westla "/patients?page=2&pageSize=50")
p1_id=$(pfield "$(patients_of "$page1" | sed -n 1p)" id)
p2_id=$(pfield "$(patients_of "$page2" | sed -n 1p)" id)
p2_name=$(display_name "$(patients_of "$page2" | sed -n 1p)")
[ "$(printf '%s' "$page1" | json_number totalPages)" = 31 ] || fail "the sandbox does not report 31 pages for westla"

# 160 columns: the Id column shows whole ids.
start_maxdash -x 160 -y 40
see "Patients ─ 1503 · page 1/31"
see "$p1_id"

keys n
see "Patients ─ 1503 · page 2/31" 3000 "n: next page"
see "$p2_id" 3000 "page 2's first patient"
see "$p2_name"
not_seen "$p1_id" "page 1's rows are gone on page 2"
keys p
see "Patients ─ 1503 · page 1/31" 3000 "p: previous page"
see "$p1_id"
not_seen "$p2_id"
keys p      # no page 0: p on page 1 stays there
keys NPage
see "Patients ─ 1503 · page 2/31" 3000 "PgDn after p on page 1"
see "$p2_id"
keys PPage
see "Patients ─ 1503 · page 1/31" 3000 "PgUp"
see "$p1_id"

# While the next page loads, the previous one stays on the screen.
ctl POST /_sandbox/faults '{"fault": "latency", "ms": 1500, "path": "/patients", "org": "org_westla"}' >/dev/null
keys n
see "page 2/31 · loading…" 1000 "the title says the next page is loading"
case $SCREEN in *"$p1_id"*) ;; *) fail "page 1's rows left the screen while page 2 was loading" ;; esac
see "$p2_id" 4000 "page 2 after the delay"
gone "loading…"
ctl DELETE /_sandbox/faults >/dev/null
keys p
see "Patients ─ 1503 · page 1/31"
see "$p1_id"

log "ok"
