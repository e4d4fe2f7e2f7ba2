# Shared by the benchmark scripts: start/stop the sandbox, medians, table rows.
# Sourced with BUILD (the build directory) and SRC (the source tree) set.

bench_tmp=$(mktemp -d "${TMPDIR:-/tmp}/maxdash-bench.XXXXXX")
sandbox_pid=
front_pid=
bench_cleanup() {
    [ -n "$front_pid" ] && kill "$front_pid" 2>/dev/null && wait "$front_pid" 2>/dev/null
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

# --- the dashboard on a pty (B2–B6, B8) ---------------------------------------------------

# The pty driver, built once into $BUILD (the Makefile does not know it).
ptydrive() {
    if [ ! -x "$BUILD/ptydrive" ] || [ "$SRC/bench/ptydrive.c" -nt "$BUILD/ptydrive" ]; then
        cc -O2 -o "$BUILD/ptydrive" "$SRC/bench/ptydrive.c" -lutil || exit 1
    fi
    "$BUILD/ptydrive" "$@"
}

# The terminal every benchmark uses; the key reaches maxdash through the environment only.
BENCH_KEY=max_dev_ak_BENCHkey00000000000000001
MAXDASH_BENCH_KEY=$BENCH_KEY
TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8
HOME=$bench_tmp XDG_CONFIG_HOME=$bench_tmp/config XDG_STATE_HOME=$bench_tmp/state
export MAXDASH_BENCH_KEY TERM LANG LC_ALL HOME XDG_CONFIG_HOME XDG_STATE_HOME
unset NO_COLOR MAXDASH_CONFIG 2>/dev/null || true

# write_data FILE N PATIENTS: N orgs (org_b_0001..) of one app, PATIENTS generated each.
write_data() {
    awk -v n="$2" -v p="$3" -v key="$BENCH_KEY" 'BEGIN {
        printf "{\"apps\":[{\"id\":\"app_bench\",\"slug\":\"bench-app\",\"liveVersionId\":\"ver_1\"}],"
        printf "\"keys\":[{\"value\":\"%s\",\"app\":\"app_bench\",\"scopes\":[\"read:patients\"]}],\"orgs\":[", key
        for (i = 1; i <= n; i++)
            printf "%s{\"id\":\"org_b_%04d\",\"installs\":[{\"app\":\"app_bench\",\"scopes\":[\"read:patients\"]}],\"patients\":{\"generate\":%d,\"seed\":%d}}", (i > 1 ? "," : ""), i, p, i
        print "]}" }' > "$1"
}

# write_config FILE N REFRESH [EXTRA_SETTINGS_LINE]: the dashboard's config for those orgs
# against the running sandbox.
write_config() {
    awk -v n="$2" -v r="$3" -v port="$SANDBOX_PORT" -v tmp="$bench_tmp" -v extra="${4:-}" 'BEGIN {
        printf "[maxdash]\nbase_url = http://127.0.0.1:%s/v1\nrefresh = %d\ntimeout = 10\nlog_file = %s/auth-failures.jsonl\n%s\n", port, r, tmp, extra
        printf "[key \"bench\"]\nenv = MAXDASH_BENCH_KEY\n"
        for (i = 1; i <= n; i++)
            printf "\n[org \"o%04d\"]\nid = org_b_%04d\nkey = bench\nname = Bench Clinic %04d\n", i, i, i
    }' > "$1"
    chmod 600 "$1"
}

# sandbox_ctl METHOD PATH [JSON]: the sandbox's control API
sandbox_ctl() {
    curl -s -X "$1" ${3:+-d "$3"} "http://127.0.0.1:$SANDBOX_PORT/_sandbox/$2"
}

# field NAME < ptydrive output: the value(s) of NAME
field() { awk -v k="$1" '$1 == k {print $2}'; }

# verdict VALUE OP LIMIT: met or MISS
verdict() { awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
    ok = op == "<=" ? v <= l : v >= l; print (ok && v != "" && v >= 0) ? "met" : "MISS" }'; }

# percentile P < numbers: nearest-rank percentile
percentile() { sort -g | awk -v p="$1" '{v[NR]=$1} END {i = int(p / 100 * NR + 0.999999); if (i < 1) i = 1; print v[i]}'; }

# --- a real TLS + HTTP/2 front (B14) --------------------------------------------------------

# start_front: nginx (Debian's) on two loopback ports in front of the running sandbox, with a
# throwaway certificate for 127.0.0.1 ($bench_tmp/front/cert.pem, to pass as ca_bundle):
# FRONT_H2_PORT speaks HTTP/2 (ALPN h2, 1 000 streams a connection), FRONT_H1_PORT HTTP/1.1
# only. Each request is logged as "$connection $server_port $status" in $FRONT_LOG, so the
# connections a run used can be counted.
start_front() {
    d=$bench_tmp/front
    mkdir -p "$d"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/key.pem" -out "$d/cert.pem" -days 1 \
        -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null || exit 1
    FRONT_LOG=$d/access.log
    tries=0
    while :; do
        tries=$((tries + 1)); [ $tries -gt 20 ] && { echo "bench: nginx did not start" >&2; exit 1; }
        FRONT_H2_PORT=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000 ))
        FRONT_H1_PORT=$((FRONT_H2_PORT + 1))
        cat > "$d/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 8192; }
http {
    log_format conn '\$connection \$server_port \$status \$msec \$request_time \$upstream_response_time';
    access_log $FRONT_LOG conn;
    client_body_temp_path $d/body; proxy_temp_path $d/proxy; fastcgi_temp_path $d/fcgi;
    uwsgi_temp_path $d/uwsgi; scgi_temp_path $d/scgi;
    ssl_certificate $d/cert.pem;
    ssl_certificate_key $d/key.pem;
    http2_max_concurrent_streams ${FRONT_STREAMS:-1000};
    keepalive_requests 100000;
    upstream sandbox { server 127.0.0.1:$SANDBOX_PORT; keepalive 512; }
    server {
        listen 127.0.0.1:$FRONT_H2_PORT ssl http2;
        location / { proxy_pass http://sandbox; proxy_http_version 1.1; proxy_set_header Connection ""; }
    }
    server {
        listen 127.0.0.1:$FRONT_H1_PORT ssl;
        location / { proxy_pass http://sandbox; proxy_http_version 1.1; proxy_set_header Connection ""; }
    }
}
NGINX
        /usr/sbin/nginx -p "$d" -c "$d/nginx.conf" 2>"$d/start.err" &
        front_pid=$!
        i=0
        while [ $i -lt 100 ] && kill -0 "$front_pid" 2>/dev/null &&
              ! curl -s -o /dev/null --cacert "$d/cert.pem" "https://127.0.0.1:$FRONT_H1_PORT/"; do
            i=$((i + 1)); sleep 0.05
        done
        kill -0 "$front_pid" 2>/dev/null && break
        [ $tries -ge 20 ] && cat "$d/start.err" >&2
        wait "$front_pid" 2>/dev/null || true; front_pid=   # a port in use: another pair
    done
    : > "$FRONT_LOG"
}

# front_connections: distinct connections in $FRONT_LOG since it was last emptied
front_connections() { awk '{c[$1]=1} END {n=0; for (k in c) n++; print n}' "$FRONT_LOG"; }
