# A mistyped org id is named on the dashboard before any answer (issue 15 case 7): a quoted id,
# a capitalised prefix. Every request hangs here, so nothing the API says can be what shows it:
# the Organization pane lists the id's warnings from the start, and the Orgs row carries the
# warning mark. (Before, the dashboard said nothing until a 404 came back, then blamed it.)
. "$MAXDASH_SRC/tests/e2e/lib.sh"

start_sandbox
ctl POST /_sandbox/faults '{"fault": "hang"}' >/dev/null
{
    echo "[maxdash]"
    echo "base_url = $BASE/v1"
    echo "timeout = 30"
    echo "log_file = $T/auth-failures.jsonl"
    printf '[key "demo"]\nenv = MAXDASH_DEMO_KEY\n'
    printf '[org "westla"]\nid = "org_westla"\nkey = demo\n'
    printf '[org "big"]\nid = ORG_BIG\nkey = demo\n'
    printf '[org "north"]\nid = org_north\nkey = demo\n'
} >"$T/config.ini"
start_maxdash -x 100 -y 30
see "Organization ─ westla" 3000
see "! org id holds quotes" 2000 "the quoted id is named before any answer"
keys j
see "Organization ─ big" 2000
see "! org id starts with a capital ORG_" 2000 "the capitalised prefix is named"
keys j
see "Organization ─ north" 2000
not_seen "! org id" "a well-formed id has no warning"
log "ok"
