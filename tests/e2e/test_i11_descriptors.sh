# Issue 11 case 7: a child started by copy_command inherits no descriptor of maxdash (libcurl's
# sockets to the API, the log, the signal pipe): only its stdin, stdout and stderr.
. "$MAXDASH_SRC/tests/e2e/lib.sh"

start_sandbox
# The copy command lists the descriptors it was started with: exec'd at once, so the list
# holds nothing of the shell's own, only what it inherited (and ls's own directory handle).
ORGS="westla eastside" write_config "copy_command = exec ls -l /proc/self/fd >$T/fds.txt"
start_maxdash -x 160 -y 40
see_re "[0-9:]{8} eastside 401 unauthorized" 5000 "eastside's 401 in the failures pane"
see_re "westla +[0-9]+ ms" 5000 "westla answered (its connection stays open for reuse)"
keys Tab Tab
keys y
see "(copy_command)" 3000 "the status line reports the copy"
wait_until 3000 test -s "$T/fds.txt" || fail "the copy command listed nothing"
# 0: the pipe with the text; 1: the list; 2: /dev/null; ls's own handle on /proc/N/fd.
extra=$(grep -- '->' "$T/fds.txt" | sed 's/.* \([0-9]*\) -> /\1 /' |
        awk '$1 > 2 && $2 !~ /^\/proc\/[0-9]+\/fd$/')
[ -z "$extra" ] || fail "the copy command inherited descriptors of maxdash: $(printf '%s' "$extra" | tr '\n' ';')"
log "copy command's descriptors: $(grep -- '->' "$T/fds.txt" | sed 's/.* \([0-9]*\) -> /\1 /' | awk '{print $1}' | tr '\n' ' ')"
log "ok"
