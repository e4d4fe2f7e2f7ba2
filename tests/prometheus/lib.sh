# tests/prometheus/lib.sh: `maxdash serve` and a real Prometheus server for the tests of this
# directory, on top of tests/e2e/lib.sh (sourced first: the sandbox, the config, the deadlines,
# the teardown). Both run as background processes of the test; prom_teardown stops them (and
# checks that serve exits 0 on SIGTERM) before lib.sh's teardown scans every file for keys.
. "$E2E_LIB"

SERVE_PID= SERVE_PORT= PROM_PID= PROM_PORT= PROM=

# start_serve [serve options...]: maxdash serve -c $T/config.ini --listen 127.0.0.1:0 with the
# demo keys in its environment; waits for its "serving http://ADDR:PORT/metrics" line and sets
# SERVE_PORT and SERVE (the base URL).
start_serve() {
    local -; set +x
    : >"$T/serve.out"
    : >"$T/serve.err"
    env -i PATH="$PATH" LANG=C.UTF-8 TZ=UTC HOME="$T" \
        MAXDASH_DEMO_KEY="$DEMO_KEY" MAXDASH_DEMO_REVOKED_KEY="$DEMO_REVOKED_KEY" \
        MAXDASH_DEMO_APPTS_KEY="$DEMO_APPTS_KEY" \
        ASAN_OPTIONS="${ASAN_OPTIONS:-}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" LSAN_OPTIONS="${LSAN_OPTIONS:-}" \
        "$MAXDASH" serve -c "$T/config.ini" --listen 127.0.0.1:0 "$@" \
        >"$T/serve.out" 2>"$T/serve.err" </dev/null &
    SERVE_PID=$!
    local deadline=$(($(now_ms) + $(scaled 5000)))
    while ! grep -q '^maxdash: serving http://[0-9.]*:[0-9]*/metrics' "$T/serve.out"; do
        kill -0 "$SERVE_PID" 2>/dev/null || { cat "$T/serve.err"; SERVE_PID=; fail "maxdash serve exited at start"; }
        [ "$(now_ms)" -lt "$deadline" ] || fail "maxdash serve said nothing on stdout within 5 s"
        nap 0.01
    done
    SERVE_PORT=$(sed -n 's|^maxdash: serving http://[0-9.]*:\([0-9]*\)/metrics.*|\1|p' "$T/serve.out")
    SERVE=http://127.0.0.1:$SERVE_PORT
}

# http_get URL [curl options]: the body; fails on a transport error.
http_get() { local u=$1; shift; curl -sS --max-time 5 "$@" "$u" || fail "GET $u failed"; }

# What Prometheus 2.x sends when it scrapes.
PROM_ACCEPT='application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'

# start_prometheus SCRAPE_INTERVAL [RULE_FILE]: a real Prometheus on a free loopback port with a
# temporary data directory, scraping serve every SCRAPE_INTERVAL, evaluating RULE_FILE every
# second; exemplar storage on. Waits for /-/ready; sets PROM_PORT and PROM (the base URL).
start_prometheus() {
    local interval=$1 rules=${2:-} try port
    {
        echo "global:"
        echo "  scrape_interval: $interval"
        echo "  evaluation_interval: 1s"
        [ -n "$rules" ] && printf 'rule_files:\n  - %s\n' "$rules"
        echo "scrape_configs:"
        echo "  - job_name: maxdash"
        echo "    static_configs:"
        echo "      - targets: ['127.0.0.1:$SERVE_PORT']"
    } >"$T/prometheus.yml"
    for try in 1 2 3 4 5; do
        # A port nobody listens on now; should another take it first, the next try picks again.
        port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue
        rm -rf "$T/promdata"
        : >"$T/prometheus.err"
        prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/promdata" \
            --web.listen-address="127.0.0.1:$port" --enable-feature=exemplar-storage \
            --log.level=warn >"$T/prometheus.out" 2>"$T/prometheus.err" </dev/null &
        PROM_PID=$!
        PROM_PORT=$port
        PROM=http://127.0.0.1:$port
        local deadline=$(($(now_ms) + $(scaled 30000)))
        while :; do
            if ! kill -0 "$PROM_PID" 2>/dev/null; then
                wait "$PROM_PID" 2>/dev/null
                PROM_PID=
                grep -q 'address already in use' "$T/prometheus.err" && continue 2
                cat "$T/prometheus.err"
                fail "prometheus exited at start"
            fi
            [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$PROM/-/ready")" = 200 ] && return 0
            [ "$(now_ms)" -lt "$deadline" ] || fail "prometheus not ready within 30 s: $(tail -n 5 "$T/prometheus.err")"
            nap 0.1
        done
    done
    fail "no free port for prometheus after 5 tries"
}

# promq EXPR: Prometheus's HTTP query API at this instant; prints the JSON answer.
promq() {
    curl -sS --max-time 5 -G --data-urlencode "query=$1" "$PROM/api/v1/query" ||
        fail "query $1: curl failed"
}
# promq_values EXPR: the value of every series of an instant vector, one per line, sorted by
# the series' org label (the JSON answer parsed with jq-free sed: values are numbers).
promq_values() {
    promq "$1" | grep -o '"value":\[[0-9.e+]*,"[^"]*"\]' | sed 's/.*,"\(.*\)"\]/\1/'
}
# promq_count EXPR: how many series the instant vector has.
promq_count() { promq "$1" | grep -o '"value":\[' | wc -l; }

prom_teardown() {
    local status=$1 st
    set +e
    if [ -n "$PROM_PID" ]; then
        kill -TERM "$PROM_PID" 2>/dev/null
        local deadline=$(($(now_ms) + 10000))
        while kill -0 "$PROM_PID" 2>/dev/null && [ "$(now_ms)" -lt "$deadline" ]; do nap 0.05; done
        kill -KILL "$PROM_PID" 2>/dev/null
        wait "$PROM_PID" 2>/dev/null
    fi
    if [ -n "$SERVE_PID" ]; then
        check_proc "$SERVE_PID"
        kill -TERM "$SERVE_PID" 2>/dev/null
        local deadline=$(($(now_ms) + $(scaled 5000)))
        while kill -0 "$SERVE_PID" 2>/dev/null && [ "$(now_ms)" -lt "$deadline" ]; do nap 0.01; done
        if kill -0 "$SERVE_PID" 2>/dev/null; then
            echo "TEARDOWN: maxdash serve did not exit within 5 s of SIGTERM (killed)"
            kill -KILL "$SERVE_PID" 2>/dev/null
            [ "$status" = 0 ] && status=1
        fi
        wait "$SERVE_PID"; st=$?
        if [ "$st" != 0 ] && [ "$status" = 0 ]; then
            echo "TEARDOWN: maxdash serve exited with status $st on SIGTERM"
            tail -n 20 "$T/serve.err"
            status=1
        fi
    fi
    _teardown "$status"
}
trap 'prom_teardown $?' EXIT
