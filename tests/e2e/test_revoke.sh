# A key revoked through the sandbox's control API: within one refresh the Auth-failures pane shows
# westla's new 401 with its trace_id, the same trace_id maxdash logged for it; the Orgs pane marks
# westla 401; restoring the key brings it back.
. "$MAXDASH_SRC/tests/e2e/lib.sh"

REFRESH=2
start_sandbox
ORGS="westla eastside" write_config "refresh = $REFRESH" "timeout = 2" "rate_budget = 1000"
# 160 columns: the pane shows whole trace ids.
start_maxdash -x 160 -y 40
see_re '│● westla +[0-9]+ ms│'
see_re 'eastside 401 unauthorized'
not_seen "westla 401" "no westla failure before the revoke"

ctl_key revoke DEMO_KEY
t0=$(now_ms)
# One refresh interval, plus a second for the request and the drawing.
deadline=$(scaled $((REFRESH * 1000 + 1000)))
see_re '│[0-9]{2}:[0-9]{2}:[0-9]{2} westla 401 unauthorized /[a-z/{}]+ Invalid or missing API key .*trace [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}│' \
    "$deadline" "westla's 401 in the Auth-failures pane within one refresh"
log "westla's 401 appeared $(( $(now_ms) - t0 )) ms after the revoke (refresh ${REFRESH}s)"
row=$(printf '%s\n' "$SCREEN" | grep -E "$(asc_re '│[0-9:]{8} westla 401')" | head -n 1)
trace=$(printf '%s\n' "$row" | grep -oE 'trace [0-9a-f-]{36}' | sed 's/^trace //')
[ ${#trace} = 36 ] || fail "no whole trace id on westla's row: '$row'"
log "trace id on screen: $trace"
# Newest first: the rows' times never increase downwards.
times=$(printf '%s\n' "$SCREEN" | sed -n "/Auth failures (/,/$(asc '└')/p" | grep -oE "$(asc_re '^│[0-9]{2}:[0-9]{2}:[0-9]{2}')" | tr -d "$(asc '│'):")
[ "$times" = "$(printf '%s\n' "$times" | sort -r)" ] || fail "the failures are not newest first: $times"
see_re '│✗ westla +401│' 2000 "the Orgs pane marks westla 401"

# The trace id is the one maxdash received and logged for westla: its newest westla record.
logged_trace() { grep '"org":"westla"' "$T/auth-failures.jsonl" 2>/dev/null | grep '"http_status":401' |
                 tail -n 1 | sed -n 's/.*"trace_id":"\([^"]*\)".*/\1/p'; }
has_logged() { [ -n "$(logged_trace)" ]; }
wait_until 3000 has_logged || fail "maxdash logged no westla 401: $(cat "$T/auth-failures.jsonl")"
# The pane may already show a newer one than the first logged: compare against every westla trace.
grep '"org":"westla"' "$T/auth-failures.jsonl" | grep -q "\"trace_id\":\"$trace\"" ||
    fail "the trace id on screen ($trace) is not among westla's logged trace ids: $(grep westla "$T/auth-failures.jsonl")"
# The log records the failure without the key.
rec=$(grep "\"trace_id\":\"$trace\"" "$T/auth-failures.jsonl")
case $rec in *'"code":"unauthorized"'*'"message":"Invalid or missing API key"'*) ;;
    *) fail "the logged record lacks the API's code/message: $rec" ;; esac
# The sandbox did answer westla with 401s after the revoke.
ctl GET /_sandbox/requests | grep -q '"org":"org_westla","key":"[^"]*","app":[^}]*"status":401' ||
    fail "the sandbox recorded no 401 for org_westla"

# Restored: westla is ok again within a refresh.
ctl_key restore DEMO_KEY
see_re '│● westla +[0-9]+ ms│' "$(scaled $((REFRESH * 1000 + 1000)))" "westla ok again after the key is restored"
# The failure stays listed (history), westla's row in the Orgs pane no longer says 401.
see_re 'westla 401 unauthorized'
log "ok"
