# The in-app help lists every key of src/keys.def with its help text (issue 19): the same table
# the dispatcher is generated from, and the one make check-docs compares with the man page and
# the README. A tall window shows the whole help at once.
. "$MAXDASH_SRC/tests/e2e/lib.sh"

start_sandbox
write_config
start_maxdash -s keys -x 100 -y 60
see_re '│● westla +[0-9]+ ms│'
keys '?'
see "Help (Esc closes)"
n=0
while IFS='|' read -r k h; do
    line=$(printf '  %-12s %s' "$k" "$h")
    see "$line" 2000 "the help's line for '$k'"
    n=$((n + 1))
done <<EOF_KEYS
$(sed -n 's/^ACTION([A-Z_]*, *"\([^"]*\)", *"\([^"]*\)".*/\1|\2/p' "$MAXDASH_SRC/src/keys.def")
EOF_KEYS
[ "$n" -ge 20 ] || fail "only $n keys read from keys.def"
log "ok: $n keys of keys.def on the help screen"
