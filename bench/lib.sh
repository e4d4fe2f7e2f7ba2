# Shared by the benchmark scripts: start/stop the sandbox, medians, table rows.
# Sourced with BUILD (the build directory) and SRC (the source tree) set.

bench_tmp=$(mktemp -d "${TMPDIR:-/tmp}/maxdash-bench.XXXXXX")
sandbox_pid=
bench_cleanup() {
    [ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null && wait "$sandbox_pid" 2>/dev/null
    rm -rf "$bench_tmp"
}
trap bench_cleanup EXIT

# start_sandbox ARGS...: starts maxdash-sandbox on a free port; sets SANDBOX_PORT.
start_sandbox() {
    rm -f "$bench_tmp/port"
    "$BUILD/maxdash-sandbox" --port 0 --port-file "$bench_tmp/port" --quiet "$@" \
        >/dev/null 2>"$bench_tmp/sandbox.err" &
    sandbox_pid=$!
    i=0
    while [ ! -s "$bench_tmp/port" ]; do
        kill -0 "$sandbox_pid" 2>/dev/null || { cat "$bench_tmp/sandbox.err" >&2; exit 1; }
        i=$((i + 1)); [ $i -gt 200 ] && { echo "bench: sandbox did not start" >&2; exit 1; }
        sleep 0.05
    done
    SANDBOX_PORT=$(cat "$bench_tmp/port")
}

stop_sandbox() {
    [ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null && wait "$sandbox_pid" 2>/dev/null
    sandbox_pid=
}

# median / min / max of the numbers on stdin, one per line
stats() { sort -g | awk '{v[NR]=$1} END {m = NR % 2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2;
                                       printf "%s %s %s\n", m, v[1], v[NR]}'; }

# row ID METRIC MEDIAN MIN MAX TARGET VERDICT [COMPARISON]
row() { printf '| %-4s | %-34s | %12s | %-21s | %-12s | %-4s | %s\n' "$1" "$2" "$3" "$4–$5" "$6" "$7" "${8:-}"; }
