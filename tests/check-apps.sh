#!/bin/sh
# Runs the real-time applications latmus and hectic on the simulator and
# checks their exit status and what they print: one line per check
# (tests/report.sh), the counts last, and a non-zero exit status if any
# check failed.
#   usage: check-apps.sh BINDIR   (where latmus and hectic were built)
set -u
bin=${1:?usage: check-apps.sh BINDIR}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
. "$(dirname "$0")/report.sh"

ok() { test_ok "$1"; }
fail() { test_failed "$1" "$2" "$out"; }

# run NAME EXPECTED_STATUS COMMAND...: runs it into $out, checks the status.
run() {
	name=$1 want=$2
	shift 2
	"$@" >"$out" 2>&1
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		fail "$name" "'$*' exited $rc, not $want"
		return 1
	fi
}

# expect NAME REGEXP: $out has a line matching it.
expect() {
	if grep -q -- "$2" "$out"; then
		ok "$1"
	else
		fail "$1" "no line matches '$2'"
	fi
}

if run latmus-prints-summary 0 "$bin/latmus" -T 2 --sim-cpus=2; then
	expect latmus-prints-summary \
		'^RTS|  *-*[0-9.]*|  *-*[0-9.]*|  *-*[0-9.]*|  *0|  *0|    00:00:02/00:00:02$'
	if [ "$(grep -c '^RTD|' "$out")" -eq 2 ]; then
		ok latmus-reports-every-second
	else
		fail latmus-reports-every-second "not 2 RTD lines"
	fi
fi
# -T 0 has no end: it reports every second until stopped (here by the
# simulator's time limit) and never prints its summary.
if run latmus-runs-until-stopped 0 "$bin/latmus" -T 0 --sim-cpus=2 \
	--sim-time=3; then
	if [ "$(grep -c '^RTD|' "$out")" -eq 3 ] && ! grep -q '^RTS|' "$out"; then
		ok latmus-runs-until-stopped
	else
		fail latmus-runs-until-stopped "not 3 RTD lines and no RTS line"
	fi
fi
if run latmus-prints-histogram 0 "$bin/latmus" -T 1 -q -H -c 1 \
	--sim-cpus=2; then
	expect latmus-prints-histogram '^0 1000$'
fi
if run latmus-rejects-bad-period 2 "$bin/latmus" -p 5; then
	expect latmus-rejects-bad-period '^latmus: -p 5:'
fi
if run latmus-rejects-bad-cpu 2 "$bin/latmus" -c 2 --sim-cpus=2; then
	expect latmus-rejects-bad-cpu '^latmus: -c 2:'
fi
if run hectic-runs-clean 0 "$bin/hectic" -T 2 --sim-cpus=2; then
	expect hectic-runs-clean '^hectic: [1-9][0-9]* FPU checks, 0 corruptions$'
	expect hectic-switches '^hectic: [1-9][0-9]* context switches in 2 s'
	if [ "$(grep -c '^RTD|' "$out")" -eq 2 ]; then
		ok hectic-reports-every-second
	else
		fail hectic-reports-every-second "not 2 RTD lines"
	fi
fi
if run hectic-rejects-bad-duration 2 "$bin/hectic" -T abc; then
	expect hectic-rejects-bad-duration '^hectic: -T abc:'
fi
summary apps
