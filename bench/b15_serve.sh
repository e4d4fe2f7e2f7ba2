#!/bin/sh
# B15: `maxdash serve` with 5 000 orgs (issue 18): /metrics scrapes (curl's time_total, connect to
# last byte; 20 in each format: Prometheus's Accept for OpenMetrics, none for text 0.0.4) and
# serve's peak RSS (VmHWM) after them. Every 10th org lacks the install (404s: failure series,
# exemplars). Two cases:
#   B15   one app (one key, as most teams have), rate_budget = 1000 (the most one app may use,
#         so the largest burst: 1 000 requests at once): scraped once the first window's 500
#         orgs have answered (the rest take 9 more minutes), verdict on scrapes and RSS;
#   B15b  10 apps of 500 orgs each (10 keys, rate_budget = 1000): every org answers within the
#         first window, so the exposition is the largest (every series): verdict on scrapes; its
#         RSS is reported, not judged: 10 000 requests in flight at once are the engine's cost.
set -eu
. "$(dirname "$0")/lib.sh"
n=${B15_ORGS:-5000}
scrapes=${B15_SCRAPES:-20}
accept='application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'

# run_case ID APPS ANSWERED: prints one table row
run_case() {
    id=$1 apps=$2 answered=$3
    awk -v n="$n" -v a="$apps" -v key="$BENCH_KEY" 'BEGIN {
        printf "{\"apps\":["
        for (k = 1; k <= a; k++) printf "%s{\"id\":\"app_bench_%02d\",\"slug\":\"bench-%02d\",\"liveVersionId\":null}", (k > 1 ? "," : ""), k, k
        printf "],\"keys\":["
        for (k = 1; k <= a; k++) printf "%s{\"value\":\"%s%02d\",\"app\":\"app_bench_%02d\",\"scopes\":[\"read:patients\",\"read:appointments\"]}", (k > 1 ? "," : ""), key, k, k
        printf "],\"orgs\":["
        for (i = 1; i <= n; i++) {
            k = (i - 1) % a + 1
            inst = i % 10 ? sprintf("{\"app\":\"app_bench_%02d\",\"scopes\":[\"read:patients\",\"read:appointments\"]}", k) : ""
            printf "%s{\"id\":\"org_b_%05d\",\"installs\":[%s],\"patients\":{\"generate\":1,\"seed\":%d}}", (i > 1 ? "," : ""), i, inst, i
        }
        print "]}" }' > "$bench_tmp/data.json"
    start_sandbox --data "$bench_tmp/data.json" --rate-limit 1000000/60
    awk -v n="$n" -v a="$apps" -v port="$SANDBOX_PORT" -v tmp="$bench_tmp" 'BEGIN {
        printf "[maxdash]\nbase_url = http://127.0.0.1:%s/v1\nrefresh = 30\ntimeout = 10\nrate_budget = 1000\nlog_file = %s/auth-failures.jsonl\n", port, tmp
        for (k = 1; k <= a; k++) printf "[key \"bench%02d\"]\nenv = MAXDASH_BENCH_KEY_%02d\n", k, k
        for (i = 1; i <= n; i++)
            printf "[org \"o%05d\"]\nid = org_b_%05d\nkey = bench%02d\n", i, i, (i - 1) % a + 1
    }' > "$bench_tmp/config.ini"
    chmod 600 "$bench_tmp/config.ini"
    for k in $(seq 1 "$apps"); do k=$(printf %02d "$k"); export "MAXDASH_BENCH_KEY_$k=$BENCH_KEY$k"; done

    "$BUILD/maxdash" serve -c "$bench_tmp/config.ini" --listen 127.0.0.1:0 \
        > "$bench_tmp/serve.out" 2> "$bench_tmp/serve.err" &
    serve_pid=$!
    i=0
    until grep -q 'serving http://' "$bench_tmp/serve.out"; do
        kill -0 "$serve_pid" 2>/dev/null || { cat "$bench_tmp/serve.err" >&2; exit 1; }
        i=$((i + 1)); [ $i -gt 200 ] && { echo "$id: serve did not start" >&2; exit 1; }
        sleep 0.05
    done
    url=$(sed -n 's|^maxdash: serving \(http://[^ ]*\) .*|\1|p' "$bench_tmp/serve.out")
    base=${url%/metrics}
    # Wait (deadline 3 minutes) until at least ANSWERED orgs answered: the summary page counts
    # those still checking.
    i=0
    while :; do
        checking=$(curl -s "$base/" | sed -n 's/.*, \([0-9]*\) checking$/\1/p')
        [ -n "$checking" ] && [ $((n - checking)) -ge "$answered" ] && break
        i=$((i + 1)); [ $i -gt 360 ] && { echo "$id: only $((n - ${checking:-n})) orgs answered within 3 min" >&2; exit 1; }
        sleep 0.5
    done
    rss0=$(awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$serve_pid/status")
    curl -s -o "$bench_tmp/om.txt" -H "Accept: $accept" "$url"
    curl -s -o "$bench_tmp/text.txt" "$url"
    for r in $(seq "$scrapes"); do
        curl -s -o /dev/null -w '%{time_total}\n' -H "Accept: $accept" "$url"
        curl -s -o /dev/null -w '%{time_total}\n' "$url"
    done | awk '{printf "%.2f\n", $1 * 1000}' > "$bench_tmp/ms"
    rss=$(awk '/^VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$serve_pid/status")
    rss1=$(awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$serve_pid/status")
    kill "$serve_pid"; wait "$serve_pid" || true
    stop_sandbox
    lines=$(grep -vc '^#' "$bench_tmp/text.txt")
    size=$(wc -c < "$bench_tmp/om.txt" | awk '{printf "%.1f", $1 / 1048576}')
    ex=$(grep -c ' # {trace_id=' "$bench_tmp/om.txt" || true)
    p90=$(percentile 90 < "$bench_tmp/ms")
    set -- $(stats < "$bench_tmp/ms")
    if [ "$id" = B15 ]; then
        ok=$(awk -v p="$p90" -v r="$rss" 'BEGIN { print (p <= 50 && r <= 64 && p > 0) ? "met" : "MISS" }')
        target="p90<=50 RSS<=64"
    else
        ok=$(awk -v p="$p90" 'BEGIN { print (p <= 50 && p > 0) ? "met" : "MISS" }')
        target="p90<=50"
    fi
    row "$id" "serve $n orgs/$apps app: scrape ms" "$1" "$2" "$3" "$target" "$ok" \
        "p90 $p90 ms; peak RSS $rss MiB (before scrapes $rss0, after $rss1); $((n - checking)) orgs answered; $lines samples, $size MiB, $ex exemplars"
}
run_case B15 1 500
run_case B15b 10 "$n"
