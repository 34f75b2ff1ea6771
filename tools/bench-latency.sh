#!/bin/sh
# Measures wake-up latency with latmus on CPU 0 of QEMU virt under
# -icount shift=0,sleep=off: one instruction is one nanosecond, so the
# figures count the instructions between the timer's expiry and the
# thread's first instruction, the same on any host. First idle, then with
# hectic switching threads as fast as it can on CPUs 1-3.
# Writes the two RTS lines' figures to BUILDDIR/bench/bench-latency.json
# (tools/bench-docs.py rewrites docs/bench.md's table from it).
#   usage: bench-latency.sh LATBENCH_IMAGE [SECONDS [BUILDDIR]]
set -eu
image=${1:?usage: bench-latency.sh LATBENCH_IMAGE [SECONDS [BUILDDIR]]}
seconds=${2:-10}
build=${3:-build}
here=$(dirname "$0")
out=$(mktemp)
trap 'rm -f "$out"' EXIT

for load in "" load; do
	if [ -n "$load" ]; then what="hectic on CPUs 1-3"; else what=idle; fi
	echo "== latmus, 1000 us period, priority 90, CPU 0, ${seconds} s, $what"
	sh "$here/qemu-run.sh" -i -n 4 -t 900 "$image" $load -T "$seconds" -q |
		grep -E '^(RTS|RTH|latbench|hectic)' | tee -a "$out"
done
python3 - "$here" "$build" "$out" "$seconds" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import bench_results
rts = [[c.strip() for c in l.split("|")[1:5]]
       for l in open(sys.argv[3]) if l.startswith("RTS|")]
if len(rts) != 2:
    sys.exit("bench-latency: %d RTS lines, not 2 (idle, hectic); no "
             "results written" % len(rts))
rows = [[what] + ["%s µs" % c for c in r[:3]] + [r[3]] for what, r in
        zip(("idle (nothing else runs)", "hectic on CPUs 1-3"), rts)]
cmd = "make bench-latency" + ("" if sys.argv[4] == "10" else
                              " LATENCY_S=" + sys.argv[4])
bench_results.write(sys.argv[2], "bench-latency", cmd, {
    "loads": bench_results.table(["load", "min", "avg", "max", "overruns"],
                                 rows)})
PY
echo "(QEMU virt, 4 CPUs, cortex-a72, -icount shift=0,sleep=off; us)"
