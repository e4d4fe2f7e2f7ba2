# An org whose request has not been sent says so: "waiting", not "checking" (issue 15 case 8:
# any wait says so). At start the engine sends one refresh until the API first answers (slow
# start); with every request hanging, the first org is checking and the others wait their turn.
. "$MAXDASH_SRC/tests/e2e/lib.sh"

start_sandbox
ctl POST /_sandbox/faults '{"fault": "hang"}' >/dev/null
ORGS="westla north big" write_config "timeout = 30"
start_maxdash -x 100 -y 30
see_re ' westla +checking│' 3000 "the first org's request is on its way"
see_re ' (north|big) +waiting│' 3000 "the others have not been sent: waiting"
not_seen "north     checking" "north is not being checked: nothing was sent for it"
log "ok"
