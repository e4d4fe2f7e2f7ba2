#!/bin/sh
# make bench: every benchmark in bench/b*.sh, one table row each (see bench/README.md).
set -u
BUILD=$1
SRC=$(cd "$(dirname "$0")/.." && pwd)
export BUILD SRC
echo "maxdash bench — $(uname -m), $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
printf '| %-4s | %-34s | %12s | %-21s | %-12s | %-4s | %s\n' id metric median "min–max" target ok comparison
status=0
for b in "$SRC"/bench/b[0-9]*.sh; do
    out=$(sh "$b") || status=1
    echo "$out"
    case $out in *"| MISS |"*) status=1 ;; esac
done
exit $status
