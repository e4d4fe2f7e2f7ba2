#!/bin/sh
# tests/prometheus/run.sh: `maxdash serve` against a real Prometheus server (issue 18). Every
# tests/prometheus/test_*.sh runs like an end-to-end test (same runner, same lib.sh, the same
# teardown checks: sanitizer reports, a whole key in any file of the test, which here includes
# Prometheus's own database), and the run ends with "N passed, N failed".
#
#   MAXDASH_BUILD=$PWD/build MAXDASH_SRC=$PWD sh tests/prometheus/run.sh [test_name...]
#
# prometheus and promtool come from Debian's package prometheus, which `make deps` installs:
# without them every test fails (nothing is skipped).
set -u
here=$(cd "$(dirname "$0")" && pwd)
for cmd in prometheus promtool; do
    if ! command -v "$cmd" >/dev/null 2>&1; then
        echo "prometheus: cannot run: '$cmd' is not installed (make deps installs the package prometheus)" >&2
        echo "0 passed, $(ls "$here"/test_*.sh | wc -l) failed"
        exit 1
    fi
done
E2E_TESTS_DIR=$here E2E_TIMEOUT=${E2E_TIMEOUT:-120} exec sh "$here/../e2e/run.sh" "$@"
