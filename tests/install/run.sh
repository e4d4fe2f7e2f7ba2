#!/bin/sh
# make install / make uninstall (issue 19), into a DESTDIR and into a PREFIX in a temporary
# directory: every file lands where its tools look for it (man page, docs, example config,
# sandbox data, bash-completion's completions/, zsh's site-functions), the installed maxdash
# with no config names the installed example and the exact next command, the installed bash
# completion completes subcommands and options from the installed binary, and uninstall leaves
# no file behind. Prints "N passed, N failed"; exits non-zero on a failure.
#   sh tests/install/run.sh            (from the source tree; make check runs it)
set -u
src=${MAXDASH_SRC:-$(pwd)}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/maxdash-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM HUP
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
no() { failed=$((failed + 1)); echo "FAIL $1"; }
expect() { # expect NAME COMMAND...: the command succeeds
    name=$1; shift
    if "$@" >/dev/null 2>&1; then ok "$name"; else no "$name"; fi
}

# The programs of the build under test (SAN=1: build-san/), never a rebuild.
mk() { make --no-print-directory -s -C "$src" SAN="${SAN:-}" "$@" >"$tmp/make.log" 2>&1 ||
       { cat "$tmp/make.log"; return 1; }; }

# $1: the tree's root, $2: the prefix inside it, $3: make's variables
check_tree() {
    root=$1 prefix=$2; shift 2
    what="install $*"
    if ! mk install "$@"; then no "$what"; return; fi
    ok "$what"
    for f in bin/maxdash bin/maxdash-sandbox share/man/man1/maxdash.1 \
             share/doc/maxdash/config.example.ini share/doc/maxdash/README.md \
             share/doc/maxdash/sandbox/README.md share/doc/maxdash/sandbox/maxcare-v1.md share/doc/maxdash/sandbox/resources.md \
             share/doc/maxdash/sandbox/demo.json share/maxdash/sandbox/demo.json \
             share/bash-completion/completions/maxdash share/zsh/site-functions/_maxdash; do
        expect "$what: $f" test -f "$root$prefix/$f"
    done
    expect "$what: the config is mode 0644 docs, not executable" \
        test ! -x "$root$prefix/share/doc/maxdash/config.example.ini"

    # The first run: no config anywhere.
    home="$tmp/home"; rm -rf "$home"; mkdir -p "$home"
    out=$(env -i HOME="$home" PATH=/usr/bin:/bin LANG=C.UTF-8 "$root$prefix/bin/maxdash" 2>&1)
    status=$?
    example="$root$prefix/share/doc/maxdash/config.example.ini"
    case $out in
        *"run 'maxdash init' to write it, or copy $example there"*) ok "$what: no config names $example" ;;
        *) no "$what: no config names $example: $out" ;;
    esac
    [ $status = 2 ] && ok "$what: no config exits 2" || no "$what: no config exits $status"
    out=$(env -i HOME="$home" PATH=/usr/bin:/bin "$root$prefix/bin/maxdash" config -c "$tmp/x.ini" 2>&1)
    case $out in
        *"pass -c"*) no "$what: -c given, yet 'pass -c': $out" ;;
        *"run 'maxdash init -c $tmp/x.ini'"*) ok "$what: -c given: init -c named" ;;
        *) no "$what: -c given: $out" ;;
    esac
    # The sandbox finds its installed data.
    out=$(cd / && timeout 10 "$root$prefix/bin/maxdash-sandbox" --port 0 --port-file "$tmp/port" \
          --quiet 2>&1 & pid=$!; i=0
          while [ ! -s "$tmp/port" ] && [ $i -lt 100 ] && kill -0 $pid 2>/dev/null; do sleep 0.05; i=$((i+1)); done
          kill $pid 2>/dev/null; wait $pid 2>/dev/null; cat "$tmp/port" 2>/dev/null)
    [ -n "$out" ] && ok "$what: the installed sandbox starts on its installed data" \
                  || no "$what: the installed sandbox did not start"
    rm -f "$tmp/port"

    # bash completion, as bash-completion loads it.
    if [ -f /usr/share/bash-completion/bash_completion ] && command -v bash >/dev/null; then
        got=$(PATH="$root$prefix/bin:$PATH" bash -c '
            . /usr/share/bash-completion/bash_completion
            . "$1"
            t() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"
                  COMP_POINT=${#COMP_LINE}; COMPREPLY=(); _maxdash; echo "${COMPREPLY[*]}"; }
            t maxdash ""; t maxdash ch; t maxdash log --si; t maxdash init --base-url st' _ \
            "$root$prefix/share/bash-completion/completions/maxdash" 2>&1)
        want="init check config log serve
check
--since
staging"
        [ "$got" = "$want" ] && ok "$what: bash completion" || no "$what: bash completion: $got"
    fi
    # zsh completion: its specs for _arguments, with zsh's completion functions stubbed.
    if command -v zsh >/dev/null; then
        got=$(PATH="$root$prefix/bin:$PATH" F="$root$prefix/share/zsh/site-functions/_maxdash" zsh -f -c '
            _arguments() { print -rl -- "$@" }
            _call_program() { shift; "$@" }
            t() { words=("$@"); CURRENT=$#; source "$F" }
            t maxdash log --si' 2>&1)
        case $got in
            *"-c[the config file"*"]:FILE:_files"*"--since[only failures since"*"]:WHEN:"*)
                ok "$what: zsh completion" ;;
            *) no "$what: zsh completion: $got" ;;
        esac
    fi

    if ! mk uninstall "$@"; then no "un$what"; return; fi
    left=$(find "$root$prefix" ! -type d | head -5)
    [ -z "$left" ] && ok "un$what: nothing left" || no "un$what: left $left"
}

check_tree "$tmp/dest" /usr/local DESTDIR="$tmp/dest"
check_tree "" "$tmp/prefix" PREFIX="$tmp/prefix"

echo "$passed passed, $failed failed"
[ $failed = 0 ]
