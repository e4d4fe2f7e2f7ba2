# `maxdash check` on a terminal (issue 17): an aligned table whose lines never wrap, at 80 and
# at 200 columns; identical failures grouped; a summary line whose counts are the sandbox's
# truth; colour by role on a terminal, none with NO_COLOR; piped, the one-line-per-org report
# without any escape sequence. The demo's 7 orgs plus 3 more from a CSV list on the revoked key
# (so that 4 orgs fail the same way: one group).
. "$MAXDASH_SRC/tests/e2e/lib.sh"

start_sandbox
write_config
printf 'id,name,tags\r\norg_e1,"East One, Inc",east\r\norg_e2,East Two,east\r\norg_e3,,east\r\n' \
    >"$T/clinics.csv"
printf '\n[orgs "more"]\nfile = clinics.csv\nkey = revoked\n' >>"$T/config.ini"

cat >"$T/check.sh" <<'SH'
. "$E2E_DIR/keys.env"
export MAXDASH_DEMO_KEY MAXDASH_DEMO_REVOKED_KEY MAXDASH_DEMO_APPTS_KEY
"$MAXDASH" check -c "$E2E_DIR/config.ini" 2>"$E2E_DIR/$1.err"
echo "exit=$?"
exec sleep 100000
SH

# run_check NAME COLS [VAR=VALUE...]: check in a tmux pane of COLS x 40; waits for its exit.
run_check() {
    local name=$1 cols=$2; shift 2
    _cm_start
    tmq new-session -d -s "$name" -x "$cols" -y 40 \
        env -i PATH="$PATH" TERM="$E2E_TERM" LANG="$E2E_LANG" TZ=UTC HOME="$T" E2E_DIR="$T" \
        MAXDASH="$MAXDASH" "$@" \
        sh "$T/check.sh" "$name" || fail "tmux new-session failed: $TMQ_OUT"
    SESSIONS="$SESSIONS $name"
    use_session "$name"
    wait_exit "$(scaled 10000)" || fail "$name: check did not finish"
    [ "$EXIT_STATUS" = 1 ] || fail "$name: exit status $EXIT_STATUS, expected 1 (orgs failed)"
}

# The report's lines: everything above exit=N, trailing blank lines dropped.
report() { printf '%s\n' "$SCREEN" | sed '/^exit=/,$d' | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'; }

# check_table COLS: the assertions at one width.
check_table() {
    local cols=$1 lines n line w col prev=
    lines=$(report)
    n=$(printf '%s\n' "$lines" | grep -c .)
    # header, 6 single rows (3 ok, north, south, harbor), a group of 4 in two lines, the summary
    [ "$n" = 10 ] || fail "$cols columns: $n lines, expected 10 (a line wrapped, or rows are missing): $lines"
    while IFS= read -r line; do
        w=$(width_of "$line")
        [ "$w" -lt "$cols" ] || fail "$cols columns: a line $w columns wide: '$line'"
    done <<<"$lines"
    printf '%s\n' "$lines" | head -n 1 | grep -Eq '^  ORG +STATUS +LATENCY  CAUSE$' ||
        fail "$cols columns: no header: $(printf '%s\n' "$lines" | head -n 1)"
    # Aligned: the status word starts in the same column on every single row.
    for org in westla north south hostile big harbor; do
        line=$(printf '%s\n' "$lines" | grep -E -m 1 "^.{1,3} $org ") || fail "$cols columns: no row for $org"
        col=$(printf '%s' "$line" | sed -E 's/^(.{1,3} [a-z]+ +)(ok|403|404) .*/\1/' | LC_ALL=C.UTF-8 wc -m)
        [ -z "$prev" ] || [ "$col" = "$prev" ] || fail "$cols columns: $org's status starts at $col, the row before's at $prev"
        prev=$col
    done
    printf '%s\n' "$lines" | grep -Eq "$(asc_re '^● westla +ok +[0-9]+ ms$')" || fail "$cols columns: westla's row"
    printf '%s\n' "$lines" | grep -Eq "$(asc_re '^! north +403 +[0-9]+ ms  missing read:patients')" || fail "$cols columns: north's row"
    printf '%s\n' "$lines" | grep -Eq "$(asc_re '^✗ 4 orgs: 401 — key revoked: fails on every org using this key')" ||
        fail "$cols columns: no group of the four 401s: $lines"
    printf '%s\n' "$lines" | grep -Eq '^    eastside, org_e1, org_e2, org_e3$' || fail "$cols columns: the group's names"
    # Nobody of the group has a row of its own.
    ! printf '%s\n' "$lines" | grep -Eq '^.{1,3} (eastside|org_e1) ' || fail "$cols columns: a grouped org has its own row"
    printf '%s\n' "$lines" | tail -n 1 | grep -Eq "$(asc_re '^3 ok · 4 ✗401 · 2 !403 · 1 \?404 — 10 orgs, 7 failing$')" ||
        fail "$cols columns: summary: $(printf '%s\n' "$lines" | tail -n 1)"
}

# The sandbox's truth for the summary: what it answered /marketplace/me and /patients per org.
run_notty "$T/truth.json" "$T/truth.err" check --json
for h in ok 401 403 404; do
    c=$(grep -c "\"health\": \"$h\"" "$T/truth.json")
    log "json: $c orgs $h"
done
[ "$(grep -c '"health": "401"' "$T/truth.json")" = 4 ] || fail "the JSON report does not have 4 orgs at 401"
# Every field, null when unknown: the four 401s and south's 404 have no /marketplace/me, so
# no app and no scopes.
[ "$(grep -c '"app": null' "$T/truth.json")" = 5 ] && [ "$(grep -c '"scopes": null' "$T/truth.json")" = 5 ] ||
    fail "--json leaves out app/scopes where they are unknown instead of null"
ctl GET /_sandbox/requests >"$T/requests.json"
for id in org_eastside org_e1 org_e2 org_e3; do
    grep -q "\"org\":\"$id\",\"key\":\"[^\"]*\",\"app\":[^}]*\"status\":401" "$T/requests.json" ||
        fail "the sandbox answered $id no 401"
done

run_check c80 80
check_table 80
cells=$(screen_e)
[ -n "$(sgr_colours "$cells")" ] || fail "80 columns on a terminal: no colour at all"
# The 80-column causes are clipped with an ellipsis, never wrapped.
printf '%s\n' "$(report)" | grep -q "$(asc '…')$" || fail "80 columns: no clipped cause"

run_check c200 200
check_table 200
# At 200 columns north's cause is whole.
report | grep -Eq 'missing read:patients: the clinic must grant it in its installation$' ||
    fail "200 columns: north's cause was clipped: $(report | grep north)"

run_check nocolor 80 NO_COLOR=1
check_table 80
cells=$(screen_e)
colours=$(sgr_colours "$cells" | sort -u | tr '\n' ' ')
[ -z "$colours" ] || fail "NO_COLOR=1: colours (SGR $colours)"
! grep -q $'\e' "$T/nocolor.err" || fail "NO_COLOR=1: escape sequences on stderr"

# Piped: the line-per-org report, no escape sequence, no table.
run_notty "$T/piped.out" "$T/piped.err" check; st=$?
[ "$st" = 1 ] || fail "piped: exit status $st"
! grep -q $'\e' "$T/piped.out" || fail "piped: escape sequences in the output"
grep -q '^ok   westla ' "$T/piped.out" || fail "piped: not the line-per-org report: $(head -n 2 "$T/piped.out")"
grep -q '^FAIL org_e2 ' "$T/piped.out" || fail "piped: no row for org_e2"
grep -q '^3 of 10 orgs healthy$' "$T/piped.out" || fail "piped: summary: $(tail -n 1 "$T/piped.out")"
! grep -q 'ORG  *STATUS' "$T/piped.out" || fail "piped: a table header"

# maxdash config: where each org came from; a duplicate id is a warning naming both places.
run_notty "$T/cfg.out" "$T/cfg.err" config; st=$?
[ "$st" = 0 ] || fail "config: status $st: $(cat "$T/cfg.err")"
grep -q '^from *= config.ini:[0-9]*$' "$T/cfg.out" || grep -q "^from *= $T/config.ini:[0-9]*\$" "$T/cfg.out" ||
    fail "config: no origin for the [org] sections: $(grep -m 2 '^from' "$T/cfg.out")"
grep -q '^from *= clinics.csv:3 (\[orgs "more"\])$' "$T/cfg.out" || fail "config: org_e2's origin: $(grep -m 5 '^from' "$T/cfg.out")"
cp "$T/config.ini" "$T/config.keep"
printf 'id\norg_westla\n' >"$T/dup.csv"
printf '\n[orgs "dup"]\nfile = dup.csv\nkey = demo\n' >>"$T/config.ini"
run_notty "$T/cfg.out" "$T/cfg.err" config; st=$?
[ "$st" = 0 ] || fail "config with a duplicate: status $st (a warning, not an error): $(cat "$T/cfg.err")"
grep -q '# dup.csv:2: warning: org id org_westla is already org "westla" (.*config.ini:[0-9]*): this row is skipped' "$T/cfg.out" ||
    fail "config: the duplicate's warning: $(grep -m 3 warning "$T/cfg.out")"
run_notty "$T/o.out" "$T/o.err" check --org westla; st=$?
grep -q 'dup.csv:2: warning: org id org_westla' "$T/o.err" || fail "check does not say the warning on stderr: $(cat "$T/o.err")"
mv "$T/config.keep" "$T/config.ini"

# --org by org id and by glob, --tag; an unknown name is an error with the close matches.
run_notty "$T/o.out" "$T/o.err" check --org org_westla; st=$?
[ "$st" = 0 ] && [ "$(grep -c '^ok ' "$T/o.out")" = 1 ] || fail "--org ORG_ID: status $st: $(cat "$T/o.out" "$T/o.err")"
run_notty "$T/o.out" "$T/o.err" check --org 'org_e[0-9]' --json; st=$?
[ "$st" = 1 ] && [ "$(grep -c '"health": "401"' "$T/o.out")" = 3 ] && [ "$(grep -c '"org_id":' "$T/o.out")" = 3 ] ||
    fail "--org GLOB: status $st, $(grep -c '"org_id":' "$T/o.out") orgs"
run_notty "$T/o.out" "$T/o.err" check --tag east --org '*2'; st=$?
[ "$st" = 1 ] && [ "$(grep -c '^FAIL ' "$T/o.out")" = 1 ] && grep -q '^FAIL org_e2 ' "$T/o.out" ||
    fail "--tag with --org: status $st: $(cat "$T/o.out")"
run_notty "$T/o.out" "$T/o.err" check --org westl; st=$?
[ "$st" = 2 ] || fail "--org westl: status $st, expected 2"
grep -q "no org named 'westl'.*did you mean westla" "$T/o.err" || fail "--org westl: $(cat "$T/o.err")"
run_notty "$T/o.out" "$T/o.err" check --tag eats; st=$?
[ "$st" = 2 ] && grep -q "did you mean east" "$T/o.err" || fail "--tag eats: status $st: $(cat "$T/o.err")"
log "ok"
