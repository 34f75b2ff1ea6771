#!/bin/sh
# Runs a real-time image on QEMU's virt machine (GICv3, entered at EL2 as
# on a board without firmware), console on standard output.
#   usage: qemu-run.sh [options] IMAGE [ARGUMENTS...]
#   -n CPUS      CPUs (default 4)
#   -c CORE      the CPU core: cortex-a53, cortex-a72 (default), cortex-a76
#   -m SIZE      RAM (default 256M)
#   -t SECONDS   stop QEMU after that much wall-clock time (default: none)
#   -i           instruction-counted time (-icount shift=0,sleep=off): one
#                instruction is one nanosecond, deterministic figures
#   -g           wait for gdb on localhost:1234 before the first instruction
#   -1           enter the image at EL1, as a hypervisor would, instead of
#                EL2 (the machine then has no virtualization extensions)
# ARGUMENTS reach the application's tn_main() (through /chosen/bootargs).
set -eu
cpus=4 core=cortex-a72 mem=256M limit= icount= gdb= machine=virt,virtualization=on,gic-version=3
while getopts "n:c:m:t:ig1h" opt; do
	case $opt in
	n) cpus=$OPTARG ;;
	c) core=$OPTARG ;;
	m) mem=$OPTARG ;;
	t) limit=$OPTARG ;;
	i) icount="-icount shift=0,sleep=off" ;;
	g) gdb="-s -S" ;;
	1) machine=virt,gic-version=3 ;;
	h) sed -n '2,15s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) sed -n '2,15s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
case $core in
cortex-a53 | cortex-a72 | cortex-a76) ;;
*) echo "qemu-run.sh: -c $core: the image runs on cortex-a53, cortex-a72 or cortex-a76" >&2; exit 2 ;;
esac
case $cpus in
'' | 0* | *[!0-9]*) echo "qemu-run.sh: -n $cpus: give a number of CPUs, 1 or more" >&2; exit 2 ;;
esac
[ $# -ge 1 ] || { echo "qemu-run.sh: no image given" >&2; exit 2; }
image=$1
shift
[ -f "$image" ] || { echo "qemu-run.sh: no image at $image (build it first)" >&2; exit 2; }

set -- qemu-system-aarch64 -M "$machine" \
	-cpu "$core" -smp "$cpus" -m "$mem" -display none -monitor none \
	-serial stdio -net none -no-reboot $icount $gdb -kernel "$image" \
	-append "$*"
if [ -n "$limit" ]; then
	exec timeout --foreground -k 5 "$limit" "$@"
fi
exec "$@"
