#!/bin/sh
# B10: key latency under a silent resolver (issue 14 case 2). As B3, but every name lookup
# hangs: maxdash runs in a private mount namespace whose /etc/resolv.conf names silentdns, a
# loopback name server that never answers; timeout = 2, so transfers time out and are removed
# while the keys are typed (that is when libcurl used to join its resolver threads, for seconds).
# 300 keypresses (j/k across 20 orgs, each selecting an org that starts a lookup). Needs
# unshare -m (root); without it the row says so.
set -eu
. "$(dirname "$0")/lib.sh"
n=20
keys=${B10_KEYS:-300}
if ! unshare -m true 2>/dev/null; then
    row B10 "keys, silent resolver, p99 (ms)" "n/a" "n/a" "n/a" "p99<=20" "n/a" "unshare -m not allowed here"
    exit 0
fi
cc -O2 -o "$bench_tmp/silentdns" "$SRC/tests/e2e/silentdns.c"
ns=127.0.$((($$ % 200) + 20)).53
"$bench_tmp/silentdns" "$ns" >"$bench_tmp/sd.out" 2>&1 &
sd=$!
trap 'kill $sd 2>/dev/null || true; bench_cleanup' EXIT
i=0
until grep -q ready "$bench_tmp/sd.out" 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 100 ] && { echo "B10: silentdns did not start" >&2; exit 1; }
    sleep 0.02
done
printf 'nameserver %s\noptions timeout:5 attempts:2\n' "$ns" >"$bench_tmp/resolv.conf"
awk -v n="$n" -v tmp="$bench_tmp" 'BEGIN {
    printf "[maxdash]\nbase_url = https://api.silent-resolver.test/v1\nrefresh = 2\ntimeout = 2\nlog_file = %s/auth-failures.jsonl\n", tmp
    printf "[key \"bench\"]\nenv = MAXDASH_BENCH_KEY\n"
    for (i = 1; i <= n; i++) printf "\n[org \"o%04d\"]\nid = org_b_%04d\nkey = bench\n", i, i
}' >"$bench_tmp/config.ini"
chmod 600 "$bench_tmp/config.ini"
: > "$bench_tmp/p50"; : > "$bench_tmp/p99"
for r in $(seq "${B10_RUNS:-3}"); do
    ptydrive -s 40x120 -m "Auth failures" -r "$keys:20:jjjjjjjjjjkkkkkkkkkk" -- \
        unshare -m sh -c 'mount --bind "$0" /etc/resolv.conf && exec "$@"' "$bench_tmp/resolv.conf" \
        "$BUILD/maxdash" -c "$bench_tmp/config.ini" > "$bench_tmp/run" || exit 1
    field key_ms < "$bench_tmp/run" > "$bench_tmp/lat"
    got=$(wc -l < "$bench_tmp/lat")
    [ "$got" -eq "$keys" ] || { echo "B10: $got of $keys keys timed" >&2; exit 1; }
    sed 's/^-1.*/1000/' "$bench_tmp/lat" > "$bench_tmp/lat2"
    percentile 50 < "$bench_tmp/lat2" >> "$bench_tmp/p50"
    percentile 99 < "$bench_tmp/lat2" >> "$bench_tmp/p99"
done
set -- $(stats < "$bench_tmp/p99")
set -- "$@" $(stats < "$bench_tmp/p50")
f() { printf %.2f "$1"; }
row B10 "keys, silent resolver, p99 (ms)" "$(f "$1")" "$(f "$2")" "$(f "$3")" "p99<=20" \
    "$(verdict "$1" "<=" 20)" "p50 $(f "$4") ms, $keys keys/run over timeouts of 2 s"
