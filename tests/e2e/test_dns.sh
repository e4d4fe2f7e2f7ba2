# A name server that never answers (issue 14 case 2): /etc/resolv.conf, in a private mount
# namespace, names a loopback address where silentdns reads queries and never replies. glibc
# then waits 5 s a try, twice; libcurl used to join its resolver thread for all of that when a
# transfer timed out or was removed, freezing the loop. Now: every key answers at once while
# names hang, q exits at once, and `check` ends within its timeout + 1 s, calling it a DNS
# problem. Without mount namespaces (a container that forbids unshare) the test says so and passes.
. "$MAXDASH_SRC/tests/e2e/lib.sh"

if ! unshare -m true 2>/dev/null; then
    log "SKIPPED: unshare -m is not allowed here (no mount namespaces): nothing was tested"
    exit 0
fi
cc -O2 -o "$T/silentdns" "$MAXDASH_SRC/tests/e2e/silentdns.c" || fail "cannot build silentdns"
# A loopback address of our own, so that a real resolver on 127.0.0.1/127.0.0.53 is untouched.
ns=127.0.$((RANDOM % 200 + 20)).$((RANDOM % 200 + 20))
"$T/silentdns" "$ns" >"$T/silentdns.out" 2>"$T/silentdns.err" &
sdpid=$!
trap 'st=$?; kill $sdpid 2>/dev/null; _teardown $st' EXIT
wait_until 3000 grep -q ready "$T/silentdns.out" || fail "silentdns did not start: $(cat "$T/silentdns.err")"
echo "nameserver $ns" >"$T/resolv.conf"
echo "options timeout:5 attempts:2" >>"$T/resolv.conf"

# maxdash in the namespace: the same process (unshare -m execs, so the pid file stays right).
cat >"$T/nsmaxdash" <<SH
#!/bin/sh
exec unshare -m sh -c 'mount --bind "\$0" /etc/resolv.conf && exec "\$@"' "$T/resolv.conf" "$MAXDASH" "\$@"
SH
chmod +x "$T/nsmaxdash"

# Control: the namespace really has the silent resolver (getent waits, then fails).
t0=$(now_ms)
if unshare -m sh -c 'mount --bind "$0" /etc/resolv.conf && exec timeout 2 getent hosts api.silent-resolver.test' "$T/resolv.conf" >/dev/null 2>&1; then
    fail "the name resolved inside the namespace: the resolver is not the silent one"
fi
[ $(($(now_ms) - t0)) -ge 1500 ] || fail "getent failed at once: the resolver answers (refused?), it is not silent"

cat >"$T/config.ini" <<INI
[maxdash]
base_url = https://api.silent-resolver.test/v1
refresh  = 2
timeout  = 2
log_file = $T/auth-failures.jsonl
$(key_sections)
[org "westla"]
id  = org_westla
key = demo
[org "north"]
id  = org_north
key = demo
INI

# check: ends within timeout (2 s) + 1 s, and names DNS, not the API.
t0=$(now_ms)
MAXDASH=$T/nsmaxdash run_notty "$T/check.out" "$T/check.err" check --json
st=$?
took=$(($(now_ms) - t0))
log "check under a silent resolver: exit $st in $took ms"
[ "$st" = 1 ] || fail "check exit status $st, not 1 (out: $(head -c 300 "$T/check.out"))"
[ "$took" -le 3000 ] || fail "check took $took ms with timeout = 2 (a resolver thread was waited for)"
grep -q '"class": "dns"' "$T/check.out" || fail "check does not call it a DNS problem: $(grep -m1 '"class"' "$T/check.out")"

# The dashboard: keys answer while every name hangs, across the first timeouts (at 2 s, 4 s...).
start_maxdash -s dns -x 100 -y 30 -e MAXDASH="$T/nsmaxdash"
see "Orgs (2)"
t_start=$(now_ms)
worst=0 n=0
while [ $(($(now_ms) - t_start)) -lt 6500 ]; do
    t0=$(now_ms); keys '?'
    wait_for "Help (Esc closes)" 3000 || fail "? did not open the help within 3 s (the loop is blocked)"
    d=$(($(now_ms) - t0)); [ $d -gt $worst ] && worst=$d
    t0=$(now_ms); keys Escape
    wait_gone "Help (Esc closes)" 3000 || fail "Esc did not close the help within 3 s (the loop is blocked)"
    d=$(($(now_ms) - t0)); [ $d -gt $worst ] && worst=$d
    n=$((n + 2))
done
log "$n keys over 6.5 s under a silent resolver: slowest answer $worst ms (harness included)"
[ $worst -le 500 ] || fail "a key took $worst ms while names hung"
t0=$(now_ms); keys q
wait_exit 2000 || fail "q did not end maxdash within 2 s under a silent resolver"
took=$(($(now_ms) - t0))
log "q: exit $EXIT_STATUS in $took ms"
[ "$EXIT_STATUS" = 0 ] || fail "q: exit status $EXIT_STATUS"
[ $took -le 500 ] || fail "q took $took ms to exit (resolver threads joined?)"
log "ok"
