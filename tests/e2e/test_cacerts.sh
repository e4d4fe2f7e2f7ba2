# No CA certificates (issue 14 case 9): a minimal Debian without ca-certificates has an empty
# /etc/ssl/certs, and every https org used to fail TLS on its own ("TLS failure ... the API is
# failing TLS"). maxdash now says it once, plainly, before any request. Here a private mount
# namespace hides /etc/ssl/certs behind an empty directory; the control sets ca_bundle, which
# needs no system store. Without mount namespaces the test says so and passes.
. "$MAXDASH_SRC/tests/e2e/lib.sh"

if ! unshare -m true 2>/dev/null; then
    log "SKIPPED: unshare -m is not allowed here (no mount namespaces): nothing was tested"
    exit 0
fi
mkdir -p "$T/empty"
want="maxdash: no CA certificates: install ca-certificates or set ca_bundle"

# https to a loopback port where nothing listens: no request can succeed, and none is needed.
write_cfg() { # [EXTRA LINE]
    {
        echo "[maxdash]"
        echo "base_url = https://127.0.0.1:9/v1"
        echo "timeout = 2"
        echo "log_file = $T/auth-failures.jsonl"
        [ $# -gt 0 ] && echo "$1"
        printf '[key "demo"]\nenv = MAXDASH_DEMO_KEY\n[org "westla"]\nid = org_westla\nkey = demo\n'
    } >"$T/config.ini"
}
run_nocerts() { # OUT ERR ARGS...: maxdash with /etc/ssl/certs empty
    local out=$1 err=$2; shift 2
    env -i PATH="$PATH" HOME="$T" LANG=C.UTF-8 MAXDASH_DEMO_KEY="$DEMO_KEY" \
        ASAN_OPTIONS="${ASAN_OPTIONS:-}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" LSAN_OPTIONS="${LSAN_OPTIONS:-}" \
        unshare -m sh -c 'mount --bind "$0" /etc/ssl/certs && exec timeout 10 "$@"' "$T/empty" \
        "$MAXDASH" "$@" -c "$T/config.ini" </dev/null >"$out" 2>"$err"
}

write_cfg
for mode in "check" "check --json"; do
    # shellcheck disable=SC2086 # the mode's words
    run_nocerts "$T/out" "$T/err" $mode; st=$?
    log "$mode without CA certificates: exit $st; stderr: $(head -c 200 "$T/err")"
    [ "$st" = 1 ] || fail "$mode: exit status $st, not 1"
    [ "$(cat "$T/err")" = "$want" ] || fail "$mode: stderr is not the one plain line '$want': $(head -c 300 "$T/err")"
    [ ! -s "$T/out" ] || [ "$mode" != check ] || fail "$mode printed a report as if it had probed: $(head -c 200 "$T/out")"
done
# The dashboard refuses the same way, before the screen opens.
cat >"$T/nsmaxdash" <<SH
#!/bin/sh
exec unshare -m sh -c 'mount --bind "\$0" /etc/ssl/certs && exec "\$@"' "$T/empty" "$MAXDASH" "\$@"
SH
chmod +x "$T/nsmaxdash"
start_maxdash -s dash -e MAXDASH="$T/nsmaxdash"
wait_exit 5000 || fail "the dashboard did not exit without CA certificates"
[ "$EXIT_STATUS" = 1 ] && [ "$(cat "$T/dash.err")" = "$want" ] ||
    fail "dashboard: exit $EXIT_STATUS, stderr: $(head -c 300 "$T/dash.err")"

# Control: ca_bundle needs no system store; the probe then runs and fails on the connection.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/ca.key" -out "$T/ca.pem" -days 1 \
    -subj /CN=maxdash-test >/dev/null 2>&1 || fail "openssl could not make a certificate"
write_cfg "ca_bundle = $T/ca.pem"
run_nocerts "$T/out" "$T/err" check; st=$?
log "control with ca_bundle: exit $st; $(head -n 1 "$T/out" | cut -c1-160)"
grep -q "no CA certificates" "$T/err" && fail "ca_bundle is set, yet: $(cat "$T/err")"
grep -q "connection failed" "$T/out" || fail "the control did not probe: $(head -c 300 "$T/out") $(head -c 200 "$T/err")"
log "ok"
