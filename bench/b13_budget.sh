#!/bin/sh
# B13: `maxdash check` within the rate budget. (a) 1 000 orgs of one app, rate_budget = 1000,
# the sandbox's window raised out of the way (100 000 a minute): both probes of every org, 2 000
# requests, twice rate_budget, taken from the share of the server's window a one-shot check may
# use (engine.h ENGINE_ONCE_SHARE). (b) 200 orgs at the default rate_budget (100) against the
# sandbox's default window (1 000 a minute): 400 requests. A fresh sandbox (a fresh window) for
# every run. The comparison: how long the budget held orgs back (check --json budget.stretched_s).
set -eu
. "$(dirname "$0")/lib.sh"
runs=${B13_RUNS:-3}
ms() { date +%s%N | cut -c1-13; }
# one N BUDGET_LINE SANDBOX_ARGS...: a check's wall time (ms) and its budget.stretched_s
one() {
    n=$1 extra=$2; shift 2
    write_data "$bench_tmp/data.json" "$n" 1
    start_sandbox --data "$bench_tmp/data.json" "$@"
    write_config "$bench_tmp/config.ini" "$n" 30 "$extra"
    t0=$(ms)
    "$BUILD/maxdash" check --json -c "$bench_tmp/config.ini" > "$bench_tmp/out.json" ||
        { echo "B13: check of $n orgs failed" >&2; exit 1; }
    t=$(( $(ms) - t0 ))
    stop_sandbox
    cp "$bench_tmp/out.json" /tmp/i20x/b13.json 2>/dev/null || true
    echo "$t $(jq -r '.budget.stretched_s' "$bench_tmp/out.json")"
}
for r in $(seq "$runs"); do one 1000 "rate_budget = 1000" --rate-limit 100000/60; done > "$bench_tmp/a"
for r in $(seq "$runs"); do one 200 ""; done > "$bench_tmp/b"
set -- $(cut -d' ' -f1 < "$bench_tmp/a" | stats)
row B13 "check 1000 orgs, rate_budget 1000 (ms)" "$1" "$2" "$3" "<= 3000" "$(verdict "$1" "<=" 3000)" \
    "budget held orgs back $(cut -d' ' -f2 < "$bench_tmp/a" | stats | cut -d' ' -f1) s (median)"
set -- $(cut -d' ' -f1 < "$bench_tmp/b" | stats)
row B13b "check 200 orgs, default budget (ms)" "$1" "$2" "$3" "<= 1000" "$(verdict "$1" "<=" 1000)" \
    "budget held orgs back $(cut -d' ' -f2 < "$bench_tmp/b" | stats | cut -d' ' -f1) s (median)"
