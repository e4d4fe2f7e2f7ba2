# maxdash init on a terminal (issue 19): with no flags it asks for the base URL, where the key
# is (refusing a key typed in place of its source, without echoing it back) and the org ids;
# writes the file, shows `maxdash config`'s view of it and offers `maxdash check`, which runs on
# Enter. The same command without a terminal (stdin not a tty) asks nothing and fails without
# --org. A narrow terminal gets its --help wrapped to its width.
. "$MAXDASH_SRC/tests/e2e/lib.sh"

start_sandbox
_cm_start
tmq new-session -d -s init -x 100 -y 40 env -i PATH="$PATH" TERM="$E2E_TERM" LANG="$E2E_LANG" \
    TZ=UTC HOME="$T" MAXDASH_DEMO_KEY="$DEMO_KEY" PS1='$ ' \
    ASAN_OPTIONS="${ASAN_OPTIONS:-}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" \
    LSAN_OPTIONS="${LSAN_OPTIONS:-}" bash --norc --noprofile -i ||
    fail "tmux new-session failed: $TMQ_OUT"
SESSIONS="$SESSIONS init"
S=init
keys "clear; '$MAXDASH' init -c '$T/new/config.ini'; echo \"init-exit=\$?\"" Enter
see "API base URL"
type_text "$BASE/v1"; keys Enter
see "Where is the API key?"
# A key typed in place of its source: refused, and not shown again by maxdash. (Not a demo key:
# the harness holds every demo key out of the tmux stream.)
type_text "max_prd_ak_TYPEDinPLACEofITSsource42"; keys Enter
see "never takes a key on the command line"
type_text "env MAXDASH_DEMO_KEY"; keys Enter
see "Organization ids"
type_text "org_westla org_north"; keys Enter
see "valid; 1 key, 2 orgs"
see "Run 'maxdash check' now"
keys Enter
# On a terminal check prints its table (issue 17): a mark, the org, its status.
see_re "$(asc_re '● westla +ok ')"
see_re "$(asc_re '! north +403 ')"
see "init-exit=1" 5000 "check's status: north fails on purpose"
[ "$(stat -c %a "$T/new/config.ini")" = 600 ] || fail "config mode $(stat -c %a "$T/new/config.ini")"
[ "$(stat -c %a "$T/new")" = 700 ] || fail "directory mode $(stat -c %a "$T/new")"
grep -q "^env = MAXDASH_DEMO_KEY$" "$T/new/config.ini" || fail "no env source in the config"
grep -qF "$DEMO_KEY" "$T/new/config.ini" && fail "the key itself is in the config"

# Without a terminal: no question, a clear error, nothing written.
keys "clear; '$MAXDASH' init -c '$T/other.ini' </dev/null; echo \"notty-exit=\$?\"" Enter
see "notty-exit=2"
see "--org ID is needed (no terminal to ask on)"
[ ! -e "$T/other.ini" ] || fail "init wrote a config without org ids"

# --help on a 50-column terminal: wrapped to 50 columns.
resize 50 40
keys "clear; '$MAXDASH' init --help; echo help-done" Enter
see "help-done"
wide=$(tm capture-pane -p -J -t "$S" | awk 'length($0) > 50' | head -n 3)
[ -z "$wide" ] || fail "help lines wider than the 50-column terminal: $wide"
log "ok"
