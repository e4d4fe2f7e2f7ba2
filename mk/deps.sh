#!/bin/sh
# Check maxdash's dependencies; on a Debian-like system as root, install exactly the missing
# packages, otherwise print the command that would and fail.
#   sh mk/deps.sh build test bench     (any of the groups)
set -u

missing=""
need() { # need PACKAGE KIND PROBE: kind is pc (pkg-config module), cmd (program), file, terminfo
         # or fuzzer (PROBE, a C compiler, links a libFuzzer program)
    pkg=$1 kind=$2 probe=$3
    case $kind in
        pc)   command -v pkg-config >/dev/null 2>&1 && pkg-config --exists "$probe" && return ;;
        cmd)  command -v "$probe" >/dev/null 2>&1 && return ;;
        file) [ -e "$probe" ] && return ;;
        terminfo) infocmp "$probe" >/dev/null 2>&1 && return ;;
        fuzzer) fuzzer_links "$probe" && return ;;
    esac
    case " $missing " in *" $pkg "*) ;; *) missing="$missing $pkg" ;; esac
}

# clang links -fsanitize=fuzzer programs only with compiler-rt's libFuzzer, a package of its own
# on Debian (libclang-rt-dev, which clang merely recommends).
fuzzer_links() {
    command -v "$1" >/dev/null 2>&1 || return 1
    d=$(mktemp -d 2>/dev/null) || return 1
    printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
        'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
        'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
        > "$d/t.c"
    "$1" -fsanitize=fuzzer,address,undefined -o "$d/t" "$d/t.c" >/dev/null 2>&1
    r=$?
    rm -rf "$d"
    return $r
}

for group in "$@"; do
    case $group in
    build)
        need pkg-config            cmd pkg-config
        need make                  cmd make
        need gcc                   cmd cc
        need libncurses-dev        pc  ncursesw
        need libcurl4-openssl-dev  pc  libcurl
        need libjansson-dev        pc  jansson
        need libinih-dev           pc  inih
        need libmicrohttpd-dev     pc  libmicrohttpd
        need libcsv-dev            file /usr/include/csv.h   # no .pc file in Debian
        # What maxdash needs at run time that --no-install-recommends leaves out: the CA
        # store, without which no https API can be verified (libcurl recommends it only).
        need ca-certificates       file /etc/ssl/certs/ca-certificates.crt
        ;;
    test)
        need check                 pc  check
        need tmux                  cmd tmux
        need curl                  cmd curl
        need openssl               cmd openssl
        need ncurses-term          terminfo tmux-256color
        need procps                cmd ps
        need logrotate             file /usr/sbin/logrotate
        # The shell completions that make install installs are run by tests/install.
        need bash-completion       file /usr/share/bash-completion/bash_completion
        need zsh                   cmd zsh
        # `maxdash serve` is tested against a real Prometheus server, and its exposition and
        # example rules with promtool (issue 18); both come in Debian's package prometheus.
        need prometheus            cmd prometheus
        need prometheus            cmd promtool
        ;;
    screenshot)
        need tmux                  cmd tmux
        need python3               cmd python3
        need librsvg2-bin          cmd rsvg-convert
        need fonts-dejavu-core     file /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf
        ;;
    bench)
        need wrk                   cmd wrk
        need htop                  cmd htop
        need procps                cmd ps
        # B14: a real TLS + HTTP/2 front (Debian's nginx, with http_v2), a throwaway cert
        need nginx-light           file /usr/sbin/nginx
        need openssl               cmd openssl
        need curl                  cmd curl
        need jq                    cmd jq
        ;;
    fuzz)
        need clang                 cmd clang
        need libclang-rt-dev       fuzzer clang
        ;;
    *) echo "deps.sh: unknown group '$group'" >&2; exit 2 ;;
    esac
done

[ -z "$missing" ] && { echo "deps: all present ($*)"; exit 0; }
missing=${missing# }

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "deps: installing: $missing"
    export DEBIAN_FRONTEND=noninteractive
    # shellcheck disable=SC2086
    if ! apt-get install -y --no-install-recommends $missing >/tmp/maxdash-deps.$$ 2>&1; then
        echo "deps: package lists may be stale, running apt-get update"
        apt-get update >/tmp/maxdash-deps.$$ 2>&1 || { cat /tmp/maxdash-deps.$$ >&2; exit 1; }
        # shellcheck disable=SC2086
        apt-get install -y --no-install-recommends $missing >/tmp/maxdash-deps.$$ 2>&1 ||
            { tail -n 20 /tmp/maxdash-deps.$$ >&2; rm -f /tmp/maxdash-deps.$$; exit 1; }
    fi
    rm -f /tmp/maxdash-deps.$$
    echo "deps: installed: $missing"
    exit 0
fi

echo "deps: missing: $missing" >&2
echo "deps: install them with:  sudo apt-get install -y $missing" >&2
exit 1
