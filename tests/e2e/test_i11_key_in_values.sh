# Issue 11 case 4: a key pasted by mistake into an org's id, its name and the base_url path is
# masked in every output: the dashboard (screen and raw terminal bytes), the copies (Y, c), the
# failure log, and `check` (text, --json), `config`, `log` (plain, --json, --explain).
. "$MAXDASH_SRC/tests/e2e/lib.sh"

start_sandbox
{
    echo "[maxdash]"
    echo "base_url = $BASE/v1/$DEMO_KEY"
    echo "log_file = $T/auth-failures.jsonl"
    echo "refresh = 10"
    echo "timeout = 4"
    echo "copy_command = cat >>$T/copies.txt"
    key_sections
    printf '[org "westla"]\nid = %s\nkey = demo\nname = West %s LA\n' "$DEMO_KEY" "$DEMO_KEY"
} >"$T/config.ini"
# The config holds it by the test's design; the sandbox logs the paths it is asked for.
KEY_FILES="$T/config.ini $T/sandbox.err"
# Ten characters from the middle of the secret part: in no masked form.
secret=${DEMO_KEY#max_dev_ak_}
mid=${secret:4:10}
leaks_in() { grep -alF -e "$mid" "$@" 2>/dev/null; }

start_maxdash -x 160 -y 40
see_re "westla +404" 8000 "the org's 404 (the key in the base_url path is no route)"
keys a
see_re "[0-9:]{8} westla +404" 5000 "the 404 in the failures pane (every failure)"
_capture
case $SCREEN in *"$mid"*) fail "the key is on the screen" ;; esac
see "max_dev_ak_01D" 1000 "the masked form is shown"
keys Tab Tab Enter
see "(Esc closes)" 3000 "the failure group"
keys Y
wait_until 3000 test -s "$T/copies.txt" || fail "Y copied nothing"
keys c
wait_until 3000 grep -q MAX_API_KEY "$T/copies.txt" || fail "c copied nothing"
keys Escape
[ -z "$(leaks_in "$T/md.raw")" ] || fail "the key was written to the terminal"
[ -z "$(leaks_in "$T/copies.txt")" ] || fail "the key is in a copy: $(cat "$T/copies.txt")"
[ -z "$(leaks_in "$T/auth-failures.jsonl")" ] || fail "the key is in the failure log"

for sub in "check" "check --json" "config" "log" "log --json" "log --explain"; do
    name=$(printf '%s' "$sub" | tr ' -' '__')
    # shellcheck disable=SC2086 # one word per argument
    run_notty "$T/$name.out" "$T/$name.err" $sub
    [ -s "$T/$name.out" ] || fail "maxdash $sub printed nothing: $(cat "$T/$name.err")"
    [ -z "$(leaks_in "$T/$name.out" "$T/$name.err")" ] || fail "maxdash $sub shows the key"
done
grep -q 'max_dev_ak_01D' "$T/config.out" || fail "config does not show the masked form"
log "ok"
