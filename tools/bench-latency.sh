#!/bin/sh
# Measures wake-up latency with latmus on CPU 0 of QEMU virt under
# -icount shift=0,sleep=off: one instruction is one nanosecond, so the
# figures count the instructions between the timer's expiry and the
# thread's first instruction, the same on any host. First idle, then with
# hectic switching threads as fast as it can on CPUs 1-3.
#   usage: bench-latency.sh LATBENCH_IMAGE [SECONDS]
set -eu
image=${1:?usage: bench-latency.sh LATBENCH_IMAGE [SECONDS]}
seconds=${2:-10}
here=$(dirname "$0")

for load in "" load; do
	if [ -n "$load" ]; then what="hectic on CPUs 1-3"; else what=idle; fi
	echo "== latmus, 1000 us period, priority 90, CPU 0, ${seconds} s, $what"
	sh "$here/qemu-run.sh" -i -n 4 -t 900 "$image" $load -T "$seconds" -q |
		grep -E '^(RTS|RTH|latbench|hectic)'
done
echo "(QEMU virt, 4 CPUs, cortex-a72, -icount shift=0,sleep=off; us)"
