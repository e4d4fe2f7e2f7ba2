# maxdash serve's command line and HTTP surface: a malformed --listen is a usage error (2);
# anything but loopback needs --listen and says so on stderr; /healthz, / and /metrics answer
# GET and HEAD, refuse other methods (405) and unknown paths (404); SIGTERM ends it with 0.
. "$MAXDASH_SRC/tests/prometheus/lib.sh"

start_sandbox
ORGS="westla eastside" write_config "refresh = 2" "timeout = 2"
for bad in nonsense 127.0.0.1 127.0.0.1:99999 '[::1' 127.1:9464 ':9464' 'example.com:9464'; do
    st=0
    run_notty "$T/bad.out" "$T/bad.err" serve --listen "$bad" || st=$?
    [ "$st" = 2 ] || fail "--listen '$bad' exited $st, not 2: $(cat "$T/bad.err")"
    grep -q -- '--listen takes ADDR:PORT' "$T/bad.err" || fail "--listen '$bad': no explanation: $(cat "$T/bad.err")"
done
run_notty "$T/help.out" "$T/help.err" serve --help || fail "serve --help failed"
grep -q 'usage: maxdash serve \[-c FILE\] \[--listen ADDR:PORT\]' "$T/help.out" || fail "serve --help: $(cat "$T/help.out")"
run_notty "$T/help.out" "$T/help.err" --help || fail "--help failed"
grep -Eq '^  serve +the engine without a screen' "$T/help.out" || fail "--help does not list serve"

# Beyond loopback: asked for by name, and warned about.
start_serve --listen 0.0.0.0:0
grep -q 'warning: serving on 0\.0\.0\.0:[0-9]*, beyond this machine' "$T/serve.err" ||
    fail "no warning for 0.0.0.0: $(cat "$T/serve.err")"
kill -TERM "$SERVE_PID"; wait "$SERVE_PID"; st=$?; SERVE_PID=
[ "$st" = 0 ] || fail "serve exited $st on SIGTERM"

start_serve
grep -q warning "$T/serve.err" && fail "a warning on loopback: $(cat "$T/serve.err")"
code() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@"; }
[ "$(code "$SERVE/healthz")" = 200 ] || fail "/healthz not 200"
[ "$(code -I "$SERVE/metrics")" = 200 ] || fail "HEAD /metrics not 200"
[ "$(code -X POST "$SERVE/metrics")" = 405 ] || fail "POST /metrics not 405"
[ "$(code -X DELETE "$SERVE/")" = 405 ] || fail "DELETE / not 405"
[ "$(code "$SERVE/nope")" = 404 ] || fail "/nope not 404"
[ "$(code "$SERVE/metrics/../healthz")" != 500 ] || fail "a dotted path gave 500"
eastside_auth() { http_get "$SERVE/metrics" | grep -q '^maxdash_org_state{org="eastside",.*state="auth"} 1$'; }
wait_until "$(scaled 5000)" eastside_auth || fail "eastside never auth in /metrics"
http_get "$SERVE/metrics" -H 'Accept: text/plain;version=0.0.4' -D "$T/h" >"$T/m.txt"
grep -qi '^vary: accept' "$T/h" || fail "/metrics does not say it varies by Accept"
promtool check metrics <"$T/m.txt" >"$T/promtool.out" 2>&1 || fail "promtool check metrics: $(cat "$T/promtool.out")"
log "ok"
