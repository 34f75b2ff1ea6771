#!/bin/sh
# The real-time core's on-target test suite inside a partition: the system
# SYSDIR (config/rt-smp.dts: the suite on all four CPUs) in
# instruction-counted time, bounded. Ends with "partition: N passed, N failed".
#   usage: partition-tests.sh SYSDIR
set -u
sys=${1:?usage: partition-tests.sh SYSDIR}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

sh "$(dirname "$0")/system-run.sh" -i -t 600 "$sys" 2>&1 | tr -d '\r' >"$out"
grep -E '^\[rt\] (OK|BROKEN) ' "$out"
counts=$(sed -n 's/^\[rt\] \([0-9]* passed, [0-9]* failed\)$/\1/p' "$out" | tail -n 1)
if [ -z "$counts" ] || ! grep -q '^\[rt\] tenon: application exited with status 0$' "$out"; then
	echo "FAILED partition-test-suite: it did not finish cleanly; its last lines:"
	tail -n 20 "$out" | sed 's/^/    | /'
	passed=${counts%% passed*}
	echo "partition: ${passed:-0} passed, 1 failed"
	exit 1
fi
echo "partition: $counts"
