#!/bin/sh
# Runs a real-time image on QEMU's virt machine (Cortex-A72, GICv3, entered
# at EL2 as on a board without firmware), console on standard output.
#   usage: qemu-run.sh [options] IMAGE [ARGUMENTS...]
#   -n CPUS      CPUs (default 4)
#   -m SIZE      RAM (default 256M)
#   -t SECONDS   stop QEMU after that much wall-clock time (default: none)
#   -i           instruction-counted time (-icount shift=0,sleep=off): one
#                instruction is one nanosecond, deterministic figures
#   -g           wait for gdb on localhost:1234 before the first instruction
#   -1           enter the image at EL1, as a hypervisor would, instead of
#                EL2 (the machine then has no virtualization extensions)
#   -q SOCKET    QEMU's monitor on that Unix socket, for a test to drive
# ARGUMENTS reach the application's tn_main() (through /chosen/bootargs).
set -eu
cpus=4 mem=256M limit= icount= gdb= machine=virt,virtualization=on,gic-version=3
monitor=none
while getopts "n:m:t:ig1q:h" opt; do
	case $opt in
	n) cpus=$OPTARG ;;
	m) mem=$OPTARG ;;
	t) limit=$OPTARG ;;
	i) icount="-icount shift=0,sleep=off" ;;
	g) gdb="-s -S" ;;
	1) machine=virt,gic-version=3 ;;
	q) monitor=unix:$OPTARG,server=on,wait=off ;;
	h) sed -n '2,15s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) sed -n '2,15s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { echo "qemu-run.sh: no image given" >&2; exit 2; }
image=$1
shift
[ -f "$image" ] || { echo "qemu-run.sh: no image at $image (build it first)" >&2; exit 2; }

set -- qemu-system-aarch64 -M "$machine" \
	-cpu cortex-a72 -smp "$cpus" -m "$mem" -display none -monitor "$monitor" \
	-serial stdio -net none -no-reboot $icount $gdb -kernel "$image" \
	-append "$*"
if [ -n "$limit" ]; then
	exec timeout --foreground -k 5 "$limit" "$@"
fi
exec "$@"
