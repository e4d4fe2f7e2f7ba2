#!/bin/sh
# B1: `maxdash check` on 50 orgs with the sandbox adding 200 ms to every response, against the
# vendor docs' approach: a sequential loop of curl doing the same 100 requests.
set -eu
. "$(dirname "$0")/lib.sh"
n=50
data="$bench_tmp/data.json"
{
    printf '{"apps":[{"id":"app_b1"}],"keys":[{"value":"max_dev_ak_BENCHb1key0000000000001","app":"app_b1","scopes":["read:patients"]}],"orgs":['
    i=1; while [ $i -le $n ]; do
        [ $i -gt 1 ] && printf ','
        printf '{"id":"org_b1_%03d","installs":[{"app":"app_b1","scopes":["read:patients"]}],"patients":{"generate":10,"seed":%d}}' $i $i
        i=$((i + 1)); done
    printf ']}\n'
} > "$data"
start_sandbox --data "$data" --latency 200 --rate-limit 100000/60
cfg="$bench_tmp/config.ini"
{
    printf '[maxdash]\nbase_url = http://127.0.0.1:%s/v1\nlog_file = %s/log.jsonl\n\n[key "b1"]\nenv = MAXDASH_B1_KEY\n' "$SANDBOX_PORT" "$bench_tmp"
    i=1; while [ $i -le $n ]; do printf '\n[org "o%03d"]\nid = org_b1_%03d\nkey = b1\n' $i $i; i=$((i + 1)); done
} > "$cfg"
MAXDASH_B1_KEY=max_dev_ak_BENCHb1key0000000000001
export MAXDASH_B1_KEY
ms() { date +%s%N | cut -c1-13; }
for r in 1 2 3 4 5; do
    t0=$(ms); "$BUILD/maxdash" check -c "$cfg" >/dev/null || { echo "B1: check failed" >&2; exit 1; }
    echo $(( $(ms) - t0 ))
done > "$bench_tmp/check"
# The comparison: the same 100 requests one after another with curl (key from a file, not argv).
printf 'header = "Authorization: Bearer %s"\n' "$MAXDASH_B1_KEY" > "$bench_tmp/curlrc"
t0=$(ms)
i=1; while [ $i -le $n ]; do
    org=$(printf 'org_b1_%03d' $i)
    for path in marketplace/me 'patients?page=1&pageSize=1'; do
        curl -s -o /dev/null -K "$bench_tmp/curlrc" -H "X-Organization-Id: $org" \
            "http://127.0.0.1:$SANDBOX_PORT/v1/$path"
    done
    i=$((i + 1))
done
curl_ms=$(( $(ms) - t0 ))
set -- $(stats < "$bench_tmp/check")
verdict=$(awk -v m="$1" 'BEGIN {print (m <= 600) ? "met" : "MISS"}')
ratio=$(awk -v c="$curl_ms" -v m="$1" 'BEGIN {printf "%.0fx", c / m}')
row B1 "check, 50 orgs, +200 ms each (ms)" "$1" "$2" "$3" "<= 600" "$verdict" "curl loop ${curl_ms} ms, $ratio faster"
