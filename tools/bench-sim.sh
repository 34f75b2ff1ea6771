#!/bin/sh
# Counts, with callgrind, the instructions the real-time core spends per
# operation as the number of threads or armed timers grows, prints a
# Markdown table and writes it to BUILDDIR/bench/bench-sim.json, from which
# tools/bench-docs.py rewrites docs/bench.md's.
#   usage: bench-sim.sh path/to/bench-sim [BUILDDIR]
set -eu
bench=${1:?usage: bench-sim.sh path/to/bench-sim [BUILDDIR]}
build=${2:-build}
here=$(dirname "$0")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

measure() { # op n function -> instructions per round
	valgrind --tool=callgrind --collect-atstart=no \
		--toggle-collect="$3" --callgrind-out-file="$out/cg" \
		"$bench" "$1" "$2" >"$out/stdout" 2>"$out/stderr" || {
		cat "$out/stderr" >&2
		exit 1
	}
	rounds=$(sed -n 's/^\([0-9]*\) rounds$/\1/p' "$out/stdout")
	total=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$out/cg")
	echo $((total / rounds))
}

echo "Instructions per operation (x86-64 host, gcc -O2, callgrind):"
echo
echo "| operation | n=10 | n=100 | n=1000 | n=10000 |"
echo "|---|---:|---:|---:|---:|"
for spec in "wake:bench_wake:wake + pick, n threads ready" \
	"arm:bench_arm:timer arm + cancel, n timers armed" \
	"fire:bench_fire:timer arm + interrupt + fire, n timers armed"; do
	op=${spec%%:*}
	rest=${spec#*:}
	fn=${rest%%:*}
	label=${rest#*:}
	row="| $label |"
	for n in 10 100 1000 10000; do
		row="$row $(measure "$op" "$n" "$fn") |"
	done
	echo "$row"
	echo "$row" >>"$out/rows"
done
python3 - "$here" "$build" "$out/rows" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import bench_results
rows = [[c.strip() for c in l.strip().strip("|").split("|")]
        for l in open(sys.argv[3]) if l.strip()]
bench_results.write(sys.argv[2], "bench-sim", "make bench-sim", {
    "scale": bench_results.table(
        ["operation", "n=10", "n=100", "n=1000", "n=10000"], rows)})
PY
