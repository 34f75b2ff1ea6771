#!/bin/sh
# The real-time core's on-target test suite inside a partition, in
# instruction-counted time, bounded: each SYSDIR is a built system whose
# real-time partition boots the suite (config/rt-smp.dts: alone on all four
# CPUs; config/suite-rt*-linux.dts: beside Linux). The suite is booted
# again after a failed test (tests/suite-run.py). Ends with
# "partition: N passed, N failed, N skipped".
#   usage: partition-tests.sh SYSDIR...
set -u
[ $# -ge 1 ] || { echo "usage: partition-tests.sh SYSDIR..." >&2; exit 2; }
here=$(dirname "$0")
out=$(mktemp)
trap 'rm -f "$out"' EXIT
. "$here/report.sh"

for sys in "$@"; do
	system=$(basename "$sys")
	python3 "$here/suite-run.py" -t 600 -l "$system" \
		--system "$(dirname "$(dirname "$sys")")" "$system" >"$out" 2>&1
	cat "$out"
	count "$out" "partition-test-suite-$system"
done
summary partition
