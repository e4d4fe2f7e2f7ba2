#!/bin/sh
# B7: maxdash-sandbox throughput, wrk with 50 connections against /v1/marketplace/me.
# The rate limit is raised so that every answer is a real 200, not a cheap 429.
set -eu
. "$(dirname "$0")/lib.sh"
start_sandbox --rate-limit 1000000/60
runs=${B7_RUNS:-5}
for i in $(seq "$runs"); do
    wrk -t2 -c50 -d"${B7_SECONDS:-5}"s -H 'Authorization: Bearer max_dev_ak_DEMOgood01' \
        -H 'X-Organization-Id: org_westla' "http://127.0.0.1:$SANDBOX_PORT/v1/marketplace/me" |
        awk '/^Requests\/sec:/ {printf "%d\n", $2}'
done > "$bench_tmp/b7"
set -- $(stats < "$bench_tmp/b7")
verdict=$(awk -v m="$1" 'BEGIN {print (m >= 5000) ? "met" : "MISS"}')
row B7 "sandbox req/s (wrk, 50 conns, /me)" "$1" "$2" "$3" ">= 5000" "$verdict"
