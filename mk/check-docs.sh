#!/bin/sh
# make check-docs (issue 19): the documents must say what the program does.
#  - options: for the dashboard and every subcommand `maxdash --help` lists, the long options of
#    its --help (made from main.c's option tables), of its SYNOPSIS block in assets/maxdash.1 and
#    of its line in the README's "Command line" block are the same sets;
#  - keys: the keys of src/keys.def (from which the dispatcher and the in-app help screen are
#    generated; tests/e2e/test_help_keys.sh holds the screen to it), of the man page's KEYS
#    section and of the README's keys table are the same sets;
#  - references: relative links of the Markdown documents name files of the repository, and the
#    sandbox README's demo table names orgs and key values that demo.json holds.
# Prints every difference, then "N passed, N failed"; exits 1 on a difference.
#   sh mk/check-docs.sh BUILD/maxdash
set -u
maxdash=${1:?usage: check-docs.sh PATH/TO/maxdash}
src=$(cd "$(dirname "$0")/.." && pwd)
man=${CHECK_DOCS_MAN:-$src/assets/maxdash.1}
readme=${CHECK_DOCS_README:-$src/README.md}
keysdef=$src/src/keys.def
tmp=$(mktemp -d "${TMPDIR:-/tmp}/maxdash-docs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM HUP
passed=0 failed=0

# compare WHAT FILE_A NAME_A FILE_B NAME_B: both files hold one item a line.
compare() {
    sort -u "$2" >"$tmp/a"; sort -u "$4" >"$tmp/b"
    if cmp -s "$tmp/a" "$tmp/b"; then passed=$((passed + 1)); return; fi
    failed=$((failed + 1))
    comm -23 "$tmp/a" "$tmp/b" | while read -r x; do
        echo "check-docs: $1: '$x' is in $3 but not in $5"; done
    comm -13 "$tmp/a" "$tmp/b" | while read -r x; do
        echo "check-docs: $1: '$x' is in $5 but not in $3"; done
}

# --- options -------------------------------------------------------------------------------

if ! "$maxdash" --help >"$tmp/help" 2>&1; then
    echo "check-docs: $maxdash --help failed"; exit 1
fi
subs=$(sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p' "$tmp/help")

# The man page's SYNOPSIS, one line per command: "SUB --opt -c ..." ("-" for the dashboard).
awk '
    /^\.SH / { in_syn = ($2 == "SYNOPSIS"); next }
    !in_syn { next }
    /^\.br/ { if (line != "") print line; line = ""; next }
    /^\.B maxdash/ {
        sub_ = ($3 == "" ? "-" : $3); line = sub_; next
    }
    {
        s = $0; gsub(/\\-/, "-", s)
        while (match(s, /--[a-z][a-z-]*|-[A-Za-z]( |$)/)) {
            t = substr(s, RSTART, RLENGTH); gsub(/ /, "", t)
            line = line " " t; s = substr(s, RSTART + RLENGTH)
        }
    }
    END { if (line != "") print line }
' "$man" >"$tmp/man-synopsis"

# The README's "Command line" block: the fenced block after the "### Command line" heading.
awk '
    /^### Command line/ { want = 1; next }
    want && /^```/ { if (inblock) exit; inblock = 1; next }
    inblock && /^maxdash/ { if (line != "") print line; n = split($0, w, " ")
        sub_ = (w[2] ~ /^[a-z]/ ? w[2] : "-"); line = sub_; rest = $0 }
    inblock && /^ / { rest = $0 }
    inblock {
        s = rest
        while (match(s, /--[a-z][a-z-]*|-[A-Za-z]( |$|\])/)) {
            t = substr(s, RSTART, RLENGTH); gsub(/[] ]/, "", t)
            line = line " " t; s = substr(s, RSTART + RLENGTH)
        }
        rest = ""
    }
    END { if (line != "") print line }
' "$readme" >"$tmp/readme-synopsis"

for sub in - $subs; do
    arg=$sub; [ "$sub" = - ] && arg=
    name="maxdash${arg:+ $arg}"
    # shellcheck disable=SC2086
    "$maxdash" $arg --help >"$tmp/h" 2>&1
    # "-c, --config FILE" lines: the long names, and short -> long for the synopses' -c.
    sed -n '/^Options:/,/^$/s/^  \(-[A-Za-z], \)\{0,1\} *\(--[a-z][a-z-]*\).*/\2/p' "$tmp/h" |
        grep -vx -e --help -e --version >"$tmp/help-opts"
    sed -n '/^Options:/,/^$/s/^  \(-[A-Za-z]\), \(--[a-z][a-z-]*\).*/\1 \2/p' "$tmp/h" >"$tmp/shorts"
    for doc in man readme; do
        awk -v s="$sub" '$1 == s { for (i = 2; i <= NF; i++) print $i }' "$tmp/$doc-synopsis" |
            while read -r o; do
                long=$(awk -v o="$o" '$1 == o { print $2 }' "$tmp/shorts")
                echo "${long:-$o}"
            done | grep -vx -e --help -e --version >"$tmp/$doc-opts"
        if ! grep -q "^$sub\( \|$\)" "$tmp/$doc-synopsis"; then
            echo "check-docs: $name: no synopsis line in the $doc"
            failed=$((failed + 1)); continue
        fi
        where="the man page's SYNOPSIS"; [ $doc = readme ] && where="the README's Command line"
        compare "$name" "$tmp/help-opts" "'$name --help'" "$tmp/$doc-opts" "$where"
    done
done

# --- keys ----------------------------------------------------------------------------------

# keys.def: ACTION(ID, "k1 k2", ...) -> k1, k2
sed -n 's/^ACTION([A-Z_]*, *"\([^"]*\)".*/\1/p' "$keysdef" | tr ' ' '\n' | grep -v '^$' \
    >"$tmp/keys-def"
# man page: the .B line after each ".TP 16" of the KEYS section; "j k, Down Up" -> j k Down Up
awk '
    /^\.SH / { in_keys = ($2 == "KEYS"); next }
    in_keys && /^\.TP/ { want = 1; next }
    in_keys && want && /^\.B / { s = substr($0, 4); gsub(/\\/, "", s); gsub(/,/, " ", s)
        n = split(s, w, " "); for (i = 1; i <= n; i++) if (w[i] != "mouse") print w[i]; want = 0 }
' "$man" >"$tmp/keys-man"
# README: the first column of the table under "### Keys": every `token`
awk '
    /^### Keys/ { in_keys = 1; next }
    in_keys && /^#/ { exit }
    in_keys && /^\| `/ { split($0, col, "|"); s = col[2]
        while (match(s, /`[^`]+`/)) { print substr(s, RSTART + 1, RLENGTH - 2); s = substr(s, RSTART + RLENGTH) } }
' "$readme" >"$tmp/keys-readme"
compare keys "$tmp/keys-def" "src/keys.def" "$tmp/keys-man" "the man page's KEYS"
compare keys "$tmp/keys-def" "src/keys.def" "$tmp/keys-readme" "the README's Keys table"

# --- references ------------------------------------------------------------------------------

# Every relative link of the Markdown documents names a file of the repository (the sandbox's
# README once pointed at a contract outside it).
sandbox_readme=${CHECK_DOCS_SANDBOX_README:-$src/assets/sandbox/README.md}
for pair in "README.md=$readme" "assets/sandbox/README.md=$sandbox_readme" \
            "bench/README.md=$src/bench/README.md"; do
    name=${pair%%=*} md=${pair#*=}
    [ -f "$md" ] || continue
    bad=0
    for link in $(grep -o '](\([^)#: ]*\))' "$md" | sed 's/^](\(.*\))$/\1/'); do
        [ -n "$link" ] || continue
        if [ ! -e "$(dirname "$src/$name")/$link" ]; then
            echo "check-docs: $name links to $link, which is not in the repository"; bad=1
        fi
    done
    if [ $bad = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done

# The sandbox README's demo table lists, per org, the key value a config needs: both must be in
# the demo data the sandbox serves.
demo=$src/assets/sandbox/demo.json
rows=$(grep '^| `org_[a-z0-9_]*` | `' "$sandbox_readme")
if [ -z "$rows" ]; then
    echo "check-docs: no demo table (| \`org_...\` | \`KEY\` | ...) in the sandbox README"
    failed=$((failed + 1))
else
    bad=0
    for word in $(printf '%s\n' "$rows" | awk -F'`' '{ print $2; print $4 }'); do
        grep -q "\"$word\"" "$demo" || {
            echo "check-docs: the sandbox README's demo table names $word, which demo.json does not hold"
            bad=1; }
    done
    if [ $bad = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
fi

echo "check-docs: $passed passed, $failed failed"
[ $failed = 0 ]
