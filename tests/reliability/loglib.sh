# tests/reliability/loglib.sh: helpers of the failure-log tests (issue 12), sourced after
# tests/e2e/lib.sh. The oracle is the sandbox's own request list: every error answer it sent has
# its trace_id there (GET /_sandbox/requests, "trace_id"), with the time the request arrived.
# shellcheck shell=bash

# req_traces OUT: "unix_ms trace_id org" of every error answer the sandbox sent, by arrival.
req_traces() {
    ctl GET /_sandbox/requests | sed 's/},[[:space:]]*{/}\n{/g' | awk '
        function str(k,   m) { if (match($0, "\"" k "\": *\"[^\"]*\"")) { m = substr($0, RSTART, RLENGTH); sub(/^[^:]*: *"/, "", m); sub(/"$/, "", m); return m } return "" }
        function num(k,   m) { if (match($0, "\"" k "\": *[0-9.eE+-]+")) { m = substr($0, RSTART, RLENGTH); sub(/^[^:]*: */, "", m); return m + 0 } return -1 }
        /"seq"/ { t = str("trace_id"); if (t != "") printf "%.0f %s %s\n", num("unix_ms"), t, str("org") }' |
        sort -n >"$1"
}

# log_read CONFIG OUT ERR: `maxdash log --json` of CONFIG's log (FILE.1, then FILE).
log_read() {
    env -i PATH="$PATH" LANG=C.UTF-8 TZ=UTC HOME="$T" "$MAXDASH" log -c "$1" --json >"$2" 2>"$3"
}

# traces_of JSONL: the trace_ids of the records, sorted, unique.
traces_of() { grep -o '"trace_id":"[^"]*"' "$1" | sed 's/.*:"//; s/"$//' | sort -u; }

# first_ms JSONL: the time of the first record, in unix milliseconds.
first_ms() {
    local t
    t=$(head -n 1 "$1" | sed -n 's/^{"time":"\([^"]*\)".*/\1/p')
    [ -n "$t" ] && date -u -d "$t" +%s%3N
}

# whole_lines FILE...: every line of every file is a whole record ('{"time":"' ... '}').
whole_lines() {
    local f bad
    for f in "$@"; do
        [ -f "$f" ] || continue
        bad=$(LC_ALL=C awk '!/^\{"time":"/ || !/\}$/ { print FILENAME ":" NR; exit }' "$f")
        [ -z "$bad" ] || { echo "$bad"; return 1; }
        [ ! -s "$f" ] || [ "$(tail -c 1 "$f" | od -An -c | tr -d ' ')" = '\n' ] ||
            { echo "$f: no newline at the end"; return 1; }
    done
    return 0
}

# missing_after FROM_MS UNTIL_MS TRACES_FILE: the trace_ids the sandbox sent for requests that
# arrived in (FROM_MS, UNTIL_MS) and that are not in TRACES_FILE (sorted); prints them.
missing_after() {
    awk -v a="$1" -v b="$2" '$1 > a && $1 < b { print $2 }' "$T/req.tsv" | sort -u >"$T/want.txt"
    comm -23 "$T/want.txt" "$3"
}
# count_after FROM_MS UNTIL_MS [ORG_ID]: how many trace_ids that window holds (of that org).
count_after() { awk -v a="$1" -v b="$2" -v o="${3:-}" '$1 > a && $1 < b && (o == "" || $3 == o)' "$T/req.tsv" | wc -l; }

# check_loop_start CONFIG: `maxdash check` again and again (a cron job beside the dashboard)
# until check_loop_stop; each run's exit status is 0 or 1 (unhealthy orgs), never more.
CHECK_LOOP_PID=
check_loop_start() {
    rm -f "$T/check.stop"
    (
        i=0
        while [ ! -e "$T/check.stop" ]; do
            env -i PATH="$PATH" LANG=C.UTF-8 TZ=UTC HOME="$T" MAXDASH_DEMO_KEY="$DEMO_KEY" \
                MAXDASH_DEMO_REVOKED_KEY="$DEMO_REVOKED_KEY" MAXDASH_DEMO_APPTS_KEY="$DEMO_APPTS_KEY" \
                ${MAXDASH_LOG_ROTATE_BYTES:+MAXDASH_LOG_ROTATE_BYTES=$MAXDASH_LOG_ROTATE_BYTES} \
                timeout 20 "$MAXDASH" check -c "$1" </dev/null >/dev/null 2>>"$T/check.err"
            st=$?
            [ $st -le 1 ] || echo "check run $i exited with $st" >>"$T/check.bad"
            i=$((i + 1))
            echo "$i" >"$T/check.runs"
            nap 0.3
        done
    ) &
    CHECK_LOOP_PID=$!
}
check_loop_stop() {
    [ -n "$CHECK_LOOP_PID" ] || return 0
    : >"$T/check.stop"
    wait "$CHECK_LOOP_PID"
    CHECK_LOOP_PID=
    [ ! -s "$T/check.bad" ] || fail "a check run failed: $(head -n 3 "$T/check.bad")"
}
