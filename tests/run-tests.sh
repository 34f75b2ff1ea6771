#!/bin/sh
# Every test of `make test`: the applications on the simulator, the
# on-target tests on QEMU (with a short matrix of cores and CPU counts),
# the system description checker, the whole system on QEMU, a developer's
# workflow, the Linux side on the host, the host unit tests and the host
# tools; then the total. Each stage is a runner that keeps to the protocol
# of tests/report.sh; that it does is itself a test ("protocol-STAGE").
#   usage: run-tests.sh BUILDDIR
set -u
build=${1:?usage: run-tests.sh BUILDDIR}
here=$(dirname "$0")
log=$(mktemp)
trap 'rm -f "$log" "$log.protocol"' EXIT
status=0
. "$here/report.sh"

# stage NAME SHOW TITLE COMMAND...: runs one runner, shows its output (SHOW
# "all", or "failures": its ok lines left out), adds its counts to the
# totals and checks that its output keeps to the protocol.
stage() {
	stage=$1 show=$2
	echo "== $3"
	shift 3
	"$@" >"$log" 2>&1 || status=1
	if [ "$show" = all ]; then
		cat "$log"
	else
		grep -v '^ok ' "$log"
	fi
	count "$log" "$stage"
	if python3 "$here/report.py" check "$log" >"$log.protocol" 2>&1; then
		test_ok "protocol-$stage"
	else
		test_failed "protocol-$stage" "its output strays from the protocol" \
			"$log.protocol"
	fi
}

stage apps all "applications on the simulator" \
	sh "$here/check-apps.sh" "$build/sim/bin"
stage target all "on-target tests (QEMU virt, 4 CPUs)" \
	sh "$here/target-tests.sh" "$build/a64/bin"
stage matrix all "on-target suite on other cores and CPU counts, and beside Linux" \
	python3 "$here/matrix-tests.py" "$build"
stage partition failures "on-target tests inside a partition (hypervisor, 4 vCPUs)" \
	sh "$here/partition-tests.sh" "$build/sys/rt-smp"
stage config failures "system description checker" \
	sh "$here/config/run.sh" "$build"
stage system all "whole system on QEMU (hypervisor, real-time partition, Linux)" \
	python3 "$here/system/run.py" "$build"
stage workflow all "a developer's own application (template, build, run, exit status)" \
	sh "$here/workflow/run.sh" "$build"
stage linux failures "Linux channel library, Python module and command on the host (fake devices), fuzz" \
	sh "$here/linux/run.sh" "$build"
stage unit all "host unit tests (simulator, ASan and UBSan)" \
	"$build/san/bin/unit-tests"
stage tools all "host tools: the console splitter, the test protocol" \
	python3 "$here/tools/run.py" "$build"

# Skipped tests are named, with the reason, in their stage's output.
echo "    $skipped skipped (tests needing what their machine does not have)"
echo "total: $passed passed, $failed failed"
[ "$failed" -eq 0 ] || status=1
exit $status
