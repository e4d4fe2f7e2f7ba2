#!/bin/sh
# The docs check can fail (issue 19): mk/check-docs.sh passes on the real documents and fails on
# copies with one option taken out of the man page's synopsis, one out of the README's Command
# line block, a key out of the man page's and into the README's key lists, a variable name in
# place of a key in the sandbox README's demo table and a link out of the repository.
# Prints "N passed, N failed".   sh tests/docs/run.sh BUILD/maxdash
set -u
maxdash=${1:?usage: run.sh PATH/TO/maxdash}
src=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/maxdash-docs-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM HUP
passed=0 failed=0
docs() { sh "$src/mk/check-docs.sh" "$maxdash" >"$tmp/out" 2>&1; }

if docs; then passed=$((passed + 1)); echo "ok   the real documents agree"
else failed=$((failed + 1)); echo "FAIL the real documents disagree:"; cat "$tmp/out"; fi

# mutant NAME FILE SED-SCRIPT EXPECTED-MESSAGE
mutant() {
    name=$1 file=$2 script=$3 want=$4
    sed "$script" "$file" >"$tmp/mutant"
    if cmp -s "$file" "$tmp/mutant"; then
        failed=$((failed + 1)); echo "FAIL $name: the edit changed nothing"; return
    fi
    case $file in
        *.1) CHECK_DOCS_MAN=$tmp/mutant docs ;;
        */sandbox/README.md) CHECK_DOCS_SANDBOX_README=$tmp/mutant docs ;;
        *) CHECK_DOCS_README=$tmp/mutant docs ;;
    esac
    status=$?
    if [ $status != 0 ] && grep -qF -- "$want" "$tmp/out"; then
        passed=$((passed + 1)); echo "ok   $name: fails, saying $want"
    else
        failed=$((failed + 1)); echo "FAIL $name: status $status:"; cat "$tmp/out"
    fi
}
mutant "--explain gone from the man page" "$src/assets/maxdash.1" '/^\.RB \[ \\-\\-explain \]$/d' \
    "'--explain' is in 'maxdash log --help' but not in the man page's SYNOPSIS"
mutant "--json of check gone from the README" "$src/README.md" \
    's/^\(maxdash check  .*\) \[--json\]/\1/' \
    "'--json' is in 'maxdash check --help' but not in the README's Command line"
mutant "Ctrl-L gone from the man page" "$src/assets/maxdash.1" '/^\.B Ctrl\\-L$/d' \
    "'Ctrl-L' is in src/keys.def but not in the man page's KEYS"
mutant "an extra key in the README" "$src/README.md" 's/^| `m` |/| `m` `M` |/' \
    "'M' is in the README's Keys table but not in src/keys.def"
mutant "a variable name in the sandbox's demo table" "$src/assets/sandbox/README.md" \
    's/^| `org_eastside` | `[^`]*`/| `org_eastside` | `MAXDASH_DEMO_REVOKED_KEY`/' \
    "demo table names MAXDASH_DEMO_REVOKED_KEY, which demo.json does not hold"
mutant "a link to a file outside the repository" "$src/assets/sandbox/README.md" \
    's|\[maxcare-v1.md\](maxcare-v1.md)|[maxcare-v1.md](../../shared/api/maxcare-v1.md)|' \
    "assets/sandbox/README.md links to ../../shared/api/maxcare-v1.md, which is not in the repository"

echo "$passed passed, $failed failed"
[ $failed = 0 ]
