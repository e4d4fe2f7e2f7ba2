#!/bin/sh
# B16: `maxdash check` of 5 000 orgs over 10 apps (500 orgs and one key each, rate_budget =
# 1000, the sandbox's window raised out of the way): 10 000 requests waiting at once. CPU
# seconds (user + system) and peak RSS of maxdash (GNU time), 3 runs.
set -eu
. "$(dirname "$0")/lib.sh"
n=5000 apps=10
awk -v n="$n" -v a="$apps" 'BEGIN {
    printf "{\"apps\":["
    for (k = 0; k < a; k++) printf "%s{\"id\":\"app_b16_%d\"}", (k ? "," : ""), k
    printf "],\"keys\":["
    for (k = 0; k < a; k++)
        printf "%s{\"value\":\"max_dev_ak_BENCHb16key%d00000000000\",\"app\":\"app_b16_%d\",\"scopes\":[\"read:patients\"]}", (k ? "," : ""), k, k
    printf "],\"orgs\":["
    for (i = 0; i < n; i++)
        printf "%s{\"id\":\"org_b16_%04d\",\"installs\":[{\"app\":\"app_b16_%d\",\"scopes\":[\"read:patients\"]}],\"patients\":{\"generate\":1,\"seed\":%d}}", (i ? "," : ""), i, i % a, i
    print "]}" }' > "$bench_tmp/data.json"
start_sandbox --data "$bench_tmp/data.json" --rate-limit 1000000/60
awk -v n="$n" -v a="$apps" -v port="$SANDBOX_PORT" -v tmp="$bench_tmp" 'BEGIN {
    printf "[maxdash]\nbase_url = http://127.0.0.1:%s/v1\nrate_budget = 1000\ntimeout = 30\nlog_file = %s/log.jsonl\n", port, tmp
    for (k = 0; k < a; k++) printf "\n[key \"k%d\"]\nenv = MAXDASH_B16_KEY%d\n", k, k
    for (i = 0; i < n; i++) printf "\n[org \"o%04d\"]\nid = org_b16_%04d\nkey = k%d\n", i, i, i % a
}' > "$bench_tmp/config.ini"
chmod 600 "$bench_tmp/config.ini"
for k in $(seq 0 $((apps - 1))); do export "MAXDASH_B16_KEY$k=max_dev_ak_BENCHb16key${k}00000000000"; done
for r in $(seq "${B16_RUNS:-3}"); do
    /usr/bin/time -f "%e %U %S %M" -o "$bench_tmp/time" \
        "${B16_MAXDASH:-$BUILD/maxdash}" check -c "$bench_tmp/config.ini" > "$bench_tmp/out" ||
        { echo "B16: check failed" >&2; tail -3 "$bench_tmp/out" >&2; exit 1; }
    awk '{printf "%.2f %.2f %.1f\n", $2 + $3, $1, $4 / 1024}' "$bench_tmp/time"
done > "$bench_tmp/b16"
set -- $(cut -d' ' -f1 < "$bench_tmp/b16" | stats)
cpu=$1 cpu_lo=$2 cpu_hi=$3
rss=$(cut -d' ' -f3 < "$bench_tmp/b16" | sort -g | tail -1)
wall=$(cut -d' ' -f2 < "$bench_tmp/b16" | stats | cut -d' ' -f1)
ok=$(awk -v c="$cpu" -v m="$rss" 'BEGIN {print (c <= 0.5 && m <= 40) ? "met" : "MISS"}')
row B16 "5000 orgs/10 apps: CPU (s)" "$cpu" "$cpu_lo" "$cpu_hi" "<=0.5s <=40MiB" "$ok" \
    "peak RSS ${rss} MiB (max of runs); wall ${wall} s (median)"
