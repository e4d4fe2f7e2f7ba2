#!/bin/sh
# Runs the libFuzzer targets built by `make fuzz-build`, one after another, each for SECONDS
# seconds on a fresh copy of its seed corpus (the repository's corpus is never written), and
# prints one line per target: runs, corpus size, crashes. Exits 1 when any target crashed.
#   sh mk/fuzz.sh BUILD_DIR SECONDS NAME...
set -u
build=$1 secs=$2
shift 2
case $secs in ''|*[!0-9]*) echo "fuzz: SECONDS must be a whole number, not '$secs'" >&2; exit 2 ;; esac
src=$(cd "$(dirname "$0")/.." && pwd)
work=$build/run
failed=""
: > "$build/summary.txt"
for name in "$@"; do
    bin=$build/fuzz_$name
    seeds=$src/tests/fuzz/corpus/$name
    corpus=$work/$name/corpus
    crashes=$work/$name/crashes
    rm -rf "${work:?}/$name"
    mkdir -p "$corpus" "$crashes"
    [ -d "$seeds" ] && cp "$seeds"/* "$corpus"/ 2>/dev/null
    dict=$src/tests/fuzz/$name.dict
    case $name in me|patients|patient|error|leak) dict=$src/tests/fuzz/api.dict ;; esac
    if [ -f "$dict" ]; then dict="-dict=$dict"; else dict=""; fi
    log=$work/$name/fuzz.log
    echo "fuzz: $name for ${secs}s (log: $log)"
    # shellcheck disable=SC2086
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
        "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$crashes/" $dict "$corpus" >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -n 1)
    [ -n "$runs" ] || runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    units=$(find "$corpus" -type f | wc -l)
    ncrash=$(find "$crashes" -type f | wc -l)
    line=$(printf '%-10s runs %-10s corpus %-6s crashes %s' "$name" "${runs:-?}" "$units" "$ncrash")
    echo "$line" | tee -a "$build/summary.txt"
    if [ "$rc" -ne 0 ] || [ "$ncrash" -ne 0 ]; then
        failed="$failed $name"
        grep -m 1 -E 'ERROR: |runtime error|fuzz invariant failed' "$log" | sed 's/^/    /'
        for f in "$crashes"/*; do [ -e "$f" ] && echo "    reproduce: $bin $f"; done
    fi
done
if [ -n "$failed" ]; then
    echo "fuzz: FAILED:$failed" >&2
    exit 1
fi
echo "fuzz: all $# targets ran ${secs}s each without a crash"
