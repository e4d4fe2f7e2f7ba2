# Failure rows (issue 15, case 10): two 401s of one org on different endpoints read as two
# different rows, and the failures filter (/) matches the org id, the display name and the
# endpoint, not only the org's name and the message.
. "$MAXDASH_SRC/tests/e2e/lib.sh"

start_sandbox
write_config
start_maxdash -x 160 -y 40
# eastside's key is revoked: /marketplace/me and /patients both answer 401.
see_re "[0-9:]{8} eastside 401 unauthorized /marketplace/me Invalid" 5000 "the /me row names it"
see_re "[0-9:]{8} eastside 401 unauthorized /patients Invalid" 5000 "the /patients row names it"
see_re "[0-9:]{8} north 403 forbidden /patients" 5000

keys Tab Tab
# filter TEXT: shows the filter, then checks which rows stay; Esc clears it.
filter() {
    keys /
    type_text "$1"
    keys Enter
    see "filter $1" 2000 "the pane title shows the filter $1"
}

filter org_eastside          # the org id
see_re "eastside 401 unauthorized /marketplace/me" 2000 "the org id matches eastside"
_capture
case $SCREEN in *"north 403"*) fail "the filter org_eastside still lists north" ;; esac
keys Escape
gone "filter org_eastside" 2000

filter "North Valley"        # the display name
see_re "north 403 forbidden /patients" 2000 "the display name matches north"
_capture
case $SCREEN in *"eastside 401"*) fail "the filter 'North Valley' still lists eastside" ;; esac
keys Escape
gone "filter North Valley" 2000

filter /marketplace/me       # the endpoint
see_re "eastside 401 unauthorized /marketplace/me" 2000 "the endpoint matches"
_capture
case $SCREEN in *"unauthorized /patients"*|*"north 403"*)
    fail "the filter /marketplace/me still lists a /patients failure" ;; esac
keys Escape
log "ok: endpoints on the rows; org id, display name and endpoint filter"
