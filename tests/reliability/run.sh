#!/bin/sh
# tests/reliability/run.sh: the reliability suite (issue 7: R1, R3-R7; R2 is `make fuzz`; issue 11:
# R8, the leak oracle; issue 12: test_log_rotate, test_log_share, test_log_full).
# Every tests/reliability/test_*.sh runs like an end-to-end test (same runner, same lib.sh, the
# same teardown checks: sanitizer reports, whole keys in any file or in /proc), each with its own
# temporary directory, and the run ends with "N passed, N failed".
#
#   make reliability            the full durations (R1 2 min, R6 3 min, R7 10 min, R8 1.5 min; ~21 min)
#   make reliability SHORT=1    what CI runs (~5 min; R8 1 min)
#   MAXDASH_BUILD=... REL_SAN_BUILD=... REL_SHORT=1 sh tests/reliability/run.sh [test_name...]
#
# MAXDASH_BUILD is the normal build, REL_SAN_BUILD an ASan+UBSan build of the same tree (R1 and
# R7 run the dashboard from it). REL_SHORT=1 selects the short durations.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${MAXDASH_SRC:=$(cd "$here/../.." && pwd)}"
: "${MAXDASH_BUILD:=$MAXDASH_SRC/build}"
: "${REL_SAN_BUILD:=$MAXDASH_SRC/build-san}"
case $REL_SAN_BUILD in /*) ;; *) REL_SAN_BUILD=$(pwd)/$REL_SAN_BUILD ;; esac
short=${REL_SHORT:-0}
if [ "$short" = 1 ]; then limit=300; else limit=1200; fi
for bin in "$REL_SAN_BUILD/maxdash" "$REL_SAN_BUILD/maxdash-sandbox"; do
    if [ ! -x "$bin" ]; then
        echo "reliability: cannot run: $bin is missing (make SAN=1 all)" >&2
        echo "0 passed, 1 failed"
        exit 1
    fi
done
export MAXDASH_SRC MAXDASH_BUILD
E2E_TESTS_DIR=$here E2E_TIMEOUT=$limit \
E2E_ENV="REL_SHORT=$short REL_SAN_BUILD=$REL_SAN_BUILD" \
    exec sh "$here/../e2e/run.sh" "$@"
