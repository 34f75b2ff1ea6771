#!/bin/sh
# Every test of `make test`: the applications on the simulator, the
# on-target tests on QEMU (with a short matrix of cores and CPU counts),
# the system description checker, the whole system on QEMU, and the host
# unit tests; then the total.
#   usage: run-tests.sh BUILDDIR
set -u
build=${1:?usage: run-tests.sh BUILDDIR}
here=$(dirname "$0")
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
# count LOG: a stage's counts into the totals.
. "$here/summary.sh"

echo "== applications on the simulator"
sh "$here/check-apps.sh" "$build/sim/bin" >"$log" 2>&1 || status=1
cat "$log"
passed=$((passed + $(grep -c '^ok' "$log")))
failed=$((failed + $(grep -c '^FAILED' "$log")))

echo "== on-target tests (QEMU virt, 4 CPUs)"
sh "$here/target-tests.sh" "$build/a64/bin" >"$log" 2>&1 || status=1
cat "$log"
count "$log"

echo "== on-target suite on other cores and CPU counts, and beside Linux"
python3 "$here/matrix-tests.py" "$build" >"$log" 2>&1 || status=1
cat "$log"
count "$log"

echo "== on-target tests inside a partition (hypervisor, 4 vCPUs)"
sh "$here/partition-tests.sh" "$build/sys/rt-smp" >"$log" 2>&1 || status=1
grep -v '^OK' "$log"
count "$log"

echo "== system description checker"
sh tests/config/run.sh "$build" >"$log" 2>&1 || status=1
grep -v '^ok' "$log"
count "$log"

echo "== whole system on QEMU (hypervisor, real-time partition, Linux)"
python3 tests/system/run.py "$build" >"$log" 2>&1 || status=1
cat "$log"
count "$log"

echo "== a developer's own application (template, build, run, exit status)"
sh tests/workflow/run.sh "$build" >"$log" 2>&1 || status=1
cat "$log"
count "$log"

echo "== Linux channel library, Python module and command on the host (fake devices), fuzz"
sh tests/linux/run.sh "$build" >"$log" 2>&1 || status=1
grep -v '^ok' "$log"
count "$log"

echo "== host unit tests (simulator, ASan and UBSan)"
"$build/san/bin/unit-tests" >"$log" 2>&1 || status=1
cat "$log"
count "$log"

# Skipped tests are named, with the reason, in their stage's output.
echo "skipped: $skipped (tests needing what their machine does not have)"
echo "total: $passed passed, $failed failed"
[ "$failed" -eq 0 ] || status=1
exit $status
