#!/bin/sh
# The real-time core's on-target test suite inside a partition, in
# instruction-counted time, bounded: each SYSDIR is a built system whose
# real-time partition boots the suite (config/rt-smp.dts: alone on all four
# CPUs; config/suite-rt*-linux.dts: beside Linux). The suite is booted
# again after a broken test (tools/suite-run.py). Ends with
# "partition: N passed, N failed, N skipped".
#   usage: partition-tests.sh SYSDIR...
set -u
[ $# -ge 1 ] || { echo "usage: partition-tests.sh SYSDIR..." >&2; exit 2; }
here=$(dirname "$0")
out=$(mktemp)
trap 'rm -f "$out"' EXIT
passed=0 failed=0 skipped=0

for sys in "$@"; do
	system=$(basename "$sys")
	python3 "$here/suite-run.py" -t 600 -l "$system" \
		--system "$(dirname "$(dirname "$sys")")" "$system" >"$out" 2>&1
	cat "$out"
	counts=$(sed -n "s/^$system: \([0-9]* passed, [0-9]* failed, [0-9]* skipped\)\$/\1/p" "$out")
	if [ -z "$counts" ]; then
		echo "FAILED partition-test-suite-$system: the suite runner gave no counts"
		failed=$((failed + 1))
		continue
	fi
	passed=$((passed + ${counts%% passed*}))
	rest=${counts#*passed, }
	failed=$((failed + ${rest%% failed*}))
	rest=${rest#*failed, }
	skipped=$((skipped + ${rest%% skipped*}))
done
echo "partition: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
