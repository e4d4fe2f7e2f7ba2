#!/bin/sh
# B14: `maxdash check` of 1 000 orgs through a real TLS + HTTP/2 front (nginx from Debian on
# loopback, a throwaway certificate as ca_bundle) to the sandbox adding 200 ms to every
# response. The orgs belong to two apps of 500 each, so their 2 000 requests fit their budgets
# (rate_budget = 1000 each) and all may go at once. Counted on the front: the TCP connections
# (distinct $connection in nginx's log). Timed against one request made by curl through the
# same front (a TLS handshake plus one round trip), measured in the same run. The same check
# through the front's HTTP/1.1-only port, for the record. B14_KEEP=PREFIX keeps nginx's log of
# each run (with the run's start, ms) as PREFIX.h2.N and PREFIX.h1.N.
set -eu
. "$(dirname "$0")/lib.sh"
n=1000
runs=${B14_RUNS:-3}
data="$bench_tmp/data.json"
awk -v n="$n" 'BEGIN {
    printf "{\"apps\":[{\"id\":\"app_b14a\"},{\"id\":\"app_b14b\"}],\"keys\":["
    printf "{\"value\":\"max_dev_ak_BENCHb14keyA00000000001\",\"app\":\"app_b14a\",\"scopes\":[\"read:patients\"]},"
    printf "{\"value\":\"max_dev_ak_BENCHb14keyB00000000001\",\"app\":\"app_b14b\",\"scopes\":[\"read:patients\"]}],\"orgs\":["
    for (i = 1; i <= n; i++)
        printf "%s{\"id\":\"org_b14_%04d\",\"installs\":[{\"app\":\"app_b14%s\",\"scopes\":[\"read:patients\"]}],\"patients\":{\"generate\":2,\"seed\":%d}}", (i > 1 ? "," : ""), i, (i % 2 ? "a" : "b"), i
    print "]}" }' > "$data"
start_sandbox --data "$data" --latency "${B14_LATENCY:-200}" --rate-limit 1000000/60
start_front
config() { # config FILE PORT
    awk -v n="$n" -v port="$2" -v tmp="$bench_tmp" 'BEGIN {
        printf "[maxdash]\nbase_url = https://127.0.0.1:%s/v1\nca_bundle = %s/front/cert.pem\nrate_budget = 1000\ntimeout = 20\nlog_file = %s/log.jsonl\n", port, tmp, tmp
        printf "\n[key \"a\"]\nenv = MAXDASH_B14_KEY_A\n[key \"b\"]\nenv = MAXDASH_B14_KEY_B\n"
        for (i = 1; i <= n; i++)
            printf "\n[org \"o%04d\"]\nid = org_b14_%04d\nkey = %s\n", i, i, (i % 2 ? "a" : "b")
    }' > "$1"
    chmod 600 "$1"
}
config "$bench_tmp/h2.ini" "$FRONT_H2_PORT"
config "$bench_tmp/h1.ini" "$FRONT_H1_PORT"
MAXDASH_B14_KEY_A=max_dev_ak_BENCHb14keyA00000000001
MAXDASH_B14_KEY_B=max_dev_ak_BENCHb14keyB00000000001
export MAXDASH_B14_KEY_A MAXDASH_B14_KEY_B
printf 'header = "Authorization: Bearer %s"\n' "$MAXDASH_B14_KEY_A" > "$bench_tmp/curlrc"
ms() { date +%s%N | cut -c1-13; }
# run PROTO: one check per run, its wall time (ms) and the connections it used
run() {
    for r in $(seq "$runs"); do
        : > "$FRONT_LOG"
        t0=$(ms)
        ${B14_MAXDASH:-$BUILD/maxdash} check -c "$bench_tmp/$1.ini" > "$bench_tmp/out" ||
            { echo "B14: check over $1 failed" >&2; grep -v '^ok' "$bench_tmp/out" | head -3 >&2; exit 1; }
        echo "$(( $(ms) - t0 )) $(front_connections) $(wc -l < "$FRONT_LOG")"
        if [ -n "${B14_KEEP:-}" ]; then { echo "t0 $t0"; cat "$FRONT_LOG"; } > "$B14_KEEP.$1.$r"; fi
    done
}
# The yardstick: one request, TLS handshake included, through the HTTP/2 port.
for r in $(seq "$runs"); do
    curl -s -o /dev/null -w '%{time_total}\n' --http2 --cacert "$bench_tmp/front/cert.pem" \
        -K "$bench_tmp/curlrc" -H 'X-Organization-Id: org_b14_0001' \
        "https://127.0.0.1:$FRONT_H2_PORT/v1/marketplace/me"
done | awk '{printf "%d\n", $1 * 1000}' > "$bench_tmp/one"
one=$(stats < "$bench_tmp/one" | cut -d' ' -f1)
run h2 > "$bench_tmp/h2"
run h1 > "$bench_tmp/h1"
set -- $(cut -d' ' -f1 < "$bench_tmp/h2" | stats)
conns=$(cut -d' ' -f2 < "$bench_tmp/h2" | sort -n | tail -1)
reqs=$(cut -d' ' -f3 < "$bench_tmp/h2" | sort -n | tail -1)
limit=$(awk -v o="$one" 'BEGIN {printf "%d", o * 1.3}')
verdict=$(awk -v m="$1" -v l="$limit" -v c="$conns" 'BEGIN {print (m <= l && c <= 2) ? "met" : "MISS"}')
row B14 "check 1000 orgs, TLS+h2, +200 ms (ms)" "$1" "$2" "$3" "<=2 conn, <=1.3x" "$verdict" \
    "$conns connections (max of runs), $reqs requests; one curl request ${one} ms, x1.3 = $limit ms"
set -- $(cut -d' ' -f1 < "$bench_tmp/h1" | stats)
conns=$(cut -d' ' -f2 < "$bench_tmp/h1" | sort -n | tail -1)
row B14b "same, HTTP/1.1 only (ms)" "$1" "$2" "$3" "record" "-" "$conns connections (max of runs)"
