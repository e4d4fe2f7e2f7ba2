# A key revoked through the sandbox's control API shows in a real Prometheus, through its own
# HTTP query API, as maxdash_org_state{state="auth"} == 1 for every org of that key within two
# scrapes (counted by Prometheus itself: the samples of `up` between the revoke and the answer);
# the OpenMetrics exposition carries the latest 401's trace_id as an exemplar (the one maxdash
# logged), Prometheus stores it, and the text format carries none; promtool accepts the
# exposition and the example rules, which Prometheus loads and whose key-refused alert goes
# pending for the revoked orgs.
. "$MAXDASH_SRC/tests/prometheus/lib.sh"

RULES=$MAXDASH_SRC/assets/prometheus/maxdash.rules.yml
SCRAPE=3   # seconds; more than the refresh, so a refresh always lands between two scrapes
start_sandbox
ORGS="westla hostile big eastside harbor" write_config "refresh = 2" "timeout = 2" "rate_budget = 1000"
start_serve
start_prometheus "${SCRAPE}s" "$RULES"
log "serve on $SERVE, prometheus on $PROM"

# Before: Prometheus scrapes maxdash; the demo key's orgs are up, eastside's revoked key is auth.
up_ok() { [ "$(promq_values 'up{job="maxdash"}')" = 1 ]; }
wait_until "$(scaled 20000)" up_ok || fail "prometheus never scraped maxdash: $(promq 'up')"
three_up() { [ "$(promq_count 'maxdash_org_up{org=~"westla|hostile|big"} == 1')" = 3 ]; }
wait_until "$(scaled 20000)" three_up || fail "westla, hostile, big not up in prometheus: $(promq 'maxdash_org_up')"
[ "$(promq_values 'maxdash_org_state{org="eastside",state="auth"}')" = 1 ] ||
    fail "eastside (revoked key from the start) is not auth: $(promq 'maxdash_org_state{org="eastside"}')"
[ "$(promq_count 'maxdash_org_state{org=~"westla|hostile|big",state="auth"} == 1')" = 0 ] ||
    fail "an org of the demo key is auth before the revoke"
# One series per state, exactly one of them 1.
[ "$(promq_count 'maxdash_org_state{org="westla"}')" = 6 ] || fail "westla has not 6 state series"
[ "$(promq_values 'sum by (org) (maxdash_org_state{org="westla"})')" = 1 ] || fail "westla: not exactly one state is 1"

# The revoke. Scrapes are counted by Prometheus: `up` gets one sample per scrape.
SCRAPES='count_over_time(up{job="maxdash"}[1h])'
n0=$(promq_values "$SCRAPES")
ctl_key revoke DEMO_KEY
t0=$(now_ms)
log "revoked the demo key after $n0 scrapes"
# One query, so the count and the condition are read at the same instant.
seen() {
    n1=$(promq_values "$SCRAPES and on() (count(maxdash_org_state{org=~\"westla|hostile|big\",state=\"auth\"} == 1) == 3)")
    [ -n "$n1" ]
}
wait_until "$(scaled $((SCRAPE * 1000 * 4)))" seen ||
    fail "the revoked orgs are not auth in prometheus within 4 scrape intervals: $(promq 'maxdash_org_state{state="auth"}')"
log "auth in prometheus $(( $(now_ms) - t0 )) ms after the revoke, $((n1 - n0)) scrape(s) later"
[ $((n1 - n0)) -le 2 ] || fail "the revoke took $((n1 - n0)) scrapes to show in prometheus (at most 2)"
[ "$(promq_count 'maxdash_org_up{org=~"westla|hostile|big"} == 0')" = 3 ] || fail "the revoked orgs are still up"
[ "$(promq_values 'maxdash_org_state{org="harbor",state="auth"}')" = 0 ] || fail "harbor (another key) is auth too"
[ "$(promq_count 'maxdash_failures_total{org="westla",status="401",code="unauthorized"}')" -ge 1 ] ||
    fail "no 401 failure counter for westla: $(promq 'maxdash_failures_total')"

# The exemplar: the OpenMetrics exposition (as Prometheus asks for it) carries westla's latest
# 401 trace_id, one maxdash logged for westla; the text format has no exemplar.
http_get "$SERVE/metrics" -H "Accept: $PROM_ACCEPT" -D "$T/om.headers" >"$T/om.txt"
grep -qi '^content-type: application/openmetrics-text; version=1.0.0' "$T/om.headers" ||
    fail "no OpenMetrics content type: $(cat "$T/om.headers")"
[ "$(tail -n 1 "$T/om.txt")" = "# EOF" ] || fail "the OpenMetrics exposition does not end with # EOF"
line=$(grep '^maxdash_failures_total{org="westla",.*endpoint="/marketplace/me",status="401",code="unauthorized"}' "$T/om.txt")
[ -n "$line" ] || fail "no westla 401 failure line in the OpenMetrics exposition"
trace=$(printf '%s\n' "$line" | sed -n 's/.* # {trace_id="\([^"]*\)"} 1 [0-9.]*$/\1/p')
[ -n "$trace" ] || fail "no trace_id exemplar on westla's failure line: $line"
log "exemplar: $trace"
grep '"org":"westla"' "$T/auth-failures.jsonl" | grep -q "\"trace_id\":\"$trace\"" ||
    fail "the exemplar's trace_id ($trace) is not one maxdash logged for westla"
http_get "$SERVE/metrics" -D "$T/text.headers" >"$T/text.txt"
grep -qi '^content-type: text/plain; version=0.0.4' "$T/text.headers" || fail "no text format by default"
grep -q ' # {' "$T/text.txt" && fail "an exemplar in the text format"
grep -q '^# EOF' "$T/text.txt" && fail "# EOF in the text format"
# Prometheus stored an exemplar with a trace_id maxdash logged for westla.
has_exemplar() {
    promx=$(curl -sS --max-time 5 -G --data-urlencode 'query=maxdash_failures_total{org="westla"}' \
        --data-urlencode "start=$(( t0 / 1000 - 60 ))" --data-urlencode "end=$(( $(now_ms) / 1000 + 60 ))" \
        "$PROM/api/v1/query_exemplars")
    ptrace=$(printf '%s' "$promx" | grep -o '"trace_id":"[^"]*"' | tail -n 1 | sed 's/.*:"\(.*\)"/\1/')
    [ -n "$ptrace" ]
}
wait_until "$(scaled $((SCRAPE * 1000 * 3)))" has_exemplar || fail "prometheus stored no exemplar: $promx"
grep '"org":"westla"' "$T/auth-failures.jsonl" | grep -q "\"trace_id\":\"$ptrace\"" ||
    fail "prometheus's exemplar trace_id ($ptrace) is not one maxdash logged for westla"

# promtool: the exposition and the example rules.
promtool check metrics <"$T/text.txt" >"$T/promtool.out" 2>&1 || fail "promtool check metrics: $(cat "$T/promtool.out")"
promtool check rules "$RULES" >"$T/promtool.out" 2>&1 || fail "promtool check rules: $(cat "$T/promtool.out")"
# Prometheus loaded them too, and the key-refused alert is pending (for: 2m) for westla.
alerting() { curl -sS --max-time 5 "$PROM/api/v1/alerts" | grep -q '"alertname":"MaxdashKeyRefused"[^}]*"org":"westla"'; }
wait_until "$(scaled 10000)" alerting || fail "MaxdashKeyRefused is not pending for westla: $(curl -sS "$PROM/api/v1/alerts")"

# No key in any label or answer: the metrics, the summary page, what Prometheus stored (the
# teardown scans every file of the test, Prometheus's database included).
http_get "$SERVE/" >"$T/summary.txt"
grep -q '^401 *westla' "$T/summary.txt" || fail "the summary page does not say westla is 401: $(cat "$T/summary.txt")"
[ "$(http_get "$SERVE/healthz")" = ok ] || fail "/healthz is not ok"
log "ok"
