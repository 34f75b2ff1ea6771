#!/bin/sh
# The on-target tests, on QEMU virt: the element test suite (the host's
# tests plus those only a machine can answer) in instruction-counted time,
# so that it runs the same way every time, then the fault reports, each of
# which stops the machine, then a device interrupt driven from outside.
# Ends with "target: N passed, N failed, N skipped".
#   usage: target-tests.sh BINDIR   (where testsuite.elf, faults.elf and
#          powerkey.elf are)
set -u
bin=${1:?usage: target-tests.sh BINDIR}
here=$(dirname "$0")
tools=$here/../tools
out=$(mktemp)
trap 'rm -f "$out"' EXIT
. "$here/report.sh"

# The suite prints one result line per test; after a failed or hung test
# it is booted again from the next one (tests/suite-run.py).
python3 "$here/suite-run.py" -n 4 -t 600 -l suite --image "$bin/testsuite.elf" \
	>"$out" 2>&1
cat "$out"
count "$out" testsuite

# The same image entered at EL1, as the hypervisor will enter it: a few
# tests that need every CPU, interrupts and PSCI, and the health
# monitor's calls with no Tenon hypervisor to answer them.
sh "$tools/qemu-run.sh" -1 -i -n 4 -t 300 "$bin/testsuite.elf" hw- \
	sched-cross 2>&1 | tr -d '\r' >"$out"
if grep -q "at EL1 (in a partition)" "$out" &&
	grep -q '^8 passed, 0 failed, 0 skipped$' "$out"; then
	test_ok boots-entered-at-el1
else
	test_failed boots-entered-at-el1 "no 'at EL1' line and 8 passed tests" "$out"
fi

# fault NAME ARGUMENT PATTERN...: the report must hold every pattern and
# the machine must stop.
fault() {
	name=$1 arg=$2
	shift 2
	sh "$tools/qemu-run.sh" -n 2 -t 120 "$bin/faults.elf" "$arg" 2>&1 |
		tr -d '\r' >"$out"
	for pattern in "$@" "tenon: halted"; do
		if ! grep -qF "$pattern" "$out"; then
			test_failed "$name" "no '$pattern' in the report" "$out"
			return
		fi
	done
	test_ok "$name"
}

fault faults-stack-overflow-reported overflow \
	"tenon: stack overflow in thread 'deep'" "in its guard page"
fault faults-bad-access-reported access \
	"unexpected exception on cpu0 in thread 'main': data abort" \
	"FAR 0xf0000000"
fault faults-undefined-instruction-reported undefined \
	"in thread 'main': undefined instruction" "ELR 0x"

# A device's interrupt: QEMU virt's power key (PL061 GPIO line 3, SPI 7),
# pressed through QEMU's monitor, handled in interrupt context and by a
# handler thread.
python3 "$here/target/powerkey.py" "$bin" >"$out" 2>&1
grep -vE '^powerkey: [0-9]+ passed' "$out"
count "$out" powerkey

summary target
