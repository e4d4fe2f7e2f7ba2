# A low descriptor limit (issue 14 case 6): with `ulimit -n 256` (macOS's default) and 300 orgs,
# maxdash used to open up to 256 connections at once, ran out of descriptors and reported most
# orgs as "Couldn't connect ... the API is not connecting". The engine now sizes its connection
# cap to the limit in force (and raises the soft limit to the hard one first): every org is
# healthy. The control run gives the same orgs a normal limit. And when descriptors do run out,
# the failure is named as this machine's, not the API's.
. "$MAXDASH_SRC/tests/e2e/lib.sh"

n=300
# n orgs of the demo app, each with one patient, the demo key installed with read:patients.
awk -v n="$n" -v key="$DEMO_KEY" 'BEGIN {
    printf "{\"apps\":[{\"id\":\"app_nofile\",\"slug\":\"nofile-app\",\"liveVersionId\":\"ver_1\"}],"
    printf "\"keys\":[{\"value\":\"%s\",\"app\":\"app_nofile\",\"scopes\":[\"read:patients\"]}],\"orgs\":[", key
    for (i = 1; i <= n; i++)
        printf "%s{\"id\":\"org_n_%04d\",\"installs\":[{\"app\":\"app_nofile\",\"scopes\":[\"read:patients\"]}],\"patients\":{\"generate\":1,\"seed\":%d}}", (i > 1 ? "," : ""), i, i
    print "]}" }' >"$T/data.json"
KEY_FILES="$T/data.json"
start_sandbox "$T/data.json" --rate-limit 1000000/60
{
    echo "[maxdash]"
    echo "base_url = $BASE/v1"
    echo "timeout = 10"
    echo "rate_budget = 1000"
    echo "log_file = $T/auth-failures.jsonl"
    printf "[key \"demo\"]\nenv = MAXDASH_DEMO_KEY\n"
    for i in $(seq 1 $n); do
        printf '[org "o%04d"]\nid = org_n_%04d\nkey = demo\n' "$i" "$i"
    done
} >"$T/config.ini"

# check under a limit, hard and soft; prints "HEALTHY/TOTAL".
check_under() { # LIMIT OUT
    env -i PATH="$PATH" HOME="$T" LANG=C.UTF-8 MAXDASH_DEMO_KEY="$DEMO_KEY" \
        ASAN_OPTIONS="${ASAN_OPTIONS:-}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" LSAN_OPTIONS="${LSAN_OPTIONS:-}" \
        sh -c 'ulimit -n "$1" && exec timeout 60 "$2" check -c "$3"' _ "$1" "$MAXDASH" "$T/config.ini" \
        >"$2" 2>"$2.err" </dev/null
}

check_under 4096 "$T/control.out"; st=$?
log "control (ulimit -n 4096): exit $st, $(tail -n 1 "$T/control.out")"
[ "$st" = 0 ] || fail "the control run is not all healthy: $(grep -m 3 FAIL "$T/control.out")"

check_under 256 "$T/low.out"; st=$?
log "ulimit -n 256: exit $st, $(tail -n 1 "$T/low.out")"
[ "$st" = 0 ] || fail "under ulimit -n 256, $(grep -c '^FAIL' "$T/low.out") of $n orgs failed: $(grep -m 2 -A1 '^FAIL' "$T/low.out")"
grep -q "^$n of $n orgs healthy" "$T/low.out" || fail "not every org is healthy: $(tail -n 1 "$T/low.out")"

# Out of descriptors all the same (a shim makes every socket() fail with EMFILE): a local
# limit, said so, never "the API is not connecting".
cc -shared -fPIC -o "$T/emfile.so" "$MAXDASH_SRC/tests/e2e/emfile.c" -ldl || fail "cannot build emfile.so"
{
    echo "[maxdash]"; echo "base_url = $BASE/v1"; echo "timeout = 5"
    echo "log_file = $T/auth-failures.jsonl"
    printf '[key "demo"]\nenv = MAXDASH_DEMO_KEY\n[org "o0001"]\nid = org_n_0001\nkey = demo\n'
} >"$T/one.ini"
for fmt in text json; do
    env -i PATH="$PATH" HOME="$T" LANG=C.UTF-8 MAXDASH_DEMO_KEY="$DEMO_KEY" LD_PRELOAD="$T/emfile.so" \
        ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
        UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" LSAN_OPTIONS="${LSAN_OPTIONS:-}" \
        timeout 30 "$MAXDASH" check -c "$T/one.ini" $([ $fmt = json ] && echo --json) \
        >"$T/emfile.$fmt" 2>"$T/emfile.$fmt.err" </dev/null
    st=$?
    [ "$st" = 1 ] || fail "check with no sockets ($fmt): exit $st: $(head -c 300 "$T/emfile.$fmt.err")"
done
grep -q '"class": "local"' "$T/emfile.json" || fail "no sockets: not classed local: $(grep -m1 '"class"' "$T/emfile.json")"
grep -q "this machine ran out of file descriptors: not the API" "$T/emfile.text" ||
    fail "no sockets: the explanation blames something else: $(grep -m1 -- '->' "$T/emfile.text")"
grep -q "not connecting" "$T/emfile.text" && fail "no sockets: still 'the API is not connecting'"
log "no sockets: $(grep -m1 -- '->' "$T/emfile.text")"
log "ok"
