#!/bin/sh
# The Linux side of the channels, on the host: libtenon's tests against a
# fake device (ASan, UBSan), the Python module and the tenon command
# (host build, and the partition's build under qemu-aarch64) against fake
# functions, and a bounded run of the protocol fuzzer. The last line
# gives the counts (tests/report.sh).
#   usage: run.sh BUILDDIR
set -u
build=${1:?usage: run.sh BUILDDIR}
here=$(dirname "$0")
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# count LOG: a stage's counts into the totals.
. "$here/../report.sh"

"$build/san/bin/libtenon-tests" >"$log" 2>&1
cat "$log"
count "$log" libtenon-tests
python3 "$here/test_host.py" "$build/san/bin/tenon" \
	"$build/linux/extra/tenon" >"$log" 2>&1
cat "$log"
count "$log" host-module-and-command-tests
"$build/san/bin/chan-fuzz" -n 20000 >"$log" 2>&1
cat "$log"
count "$log" channel-protocol-fuzz
summary linux
