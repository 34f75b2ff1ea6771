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
#   -g           wait for gdb before the first instruction, on the port
#                GDB_PORT names or else a free one; the port is printed
#   -1           enter the image at EL1, as a hypervisor would, instead of
#                EL2 (the machine then has no virtualization extensions)
#   -q SOCKET    QEMU's monitor on that Unix socket, for a test to drive
#   -P PLUGIN    load a QEMU TCG plugin (FILE.so,ARG=VALUE,...), as the
#                benchmarks do
# ARGUMENTS reach the application's tn_main() (through /chosen/bootargs).
# Ctrl-A x quits QEMU. The exit status is the application's (from its
# "tenon: application exited with status N" line); 1 when the core halted
# on a fault or a panic, 124 when -t stopped it, 130 when it was quit
# before the application ended.
set -eu
cpus=4 core=cortex-a72 mem=256M limit= icount= gdb= qmon= plugin= machine=virt,virtualization=on,gic-version=3
while getopts "n:c:m:t:ig1q:P:h" opt; do
	case $opt in
	n) cpus=$OPTARG ;;
	c) core=$OPTARG ;;
	m) mem=$OPTARG ;;
	t) limit=$OPTARG ;;
	i) icount="-icount shift=0,sleep=off" ;;
	g) gdb=yes ;;
	1) machine=virt,gic-version=3 ;;
	q) qmon="-monitor unix:$OPTARG,server=on,wait=off" ;;
	P) plugin="-plugin $OPTARG -d plugin" ;;
	h) sed -n '2,22s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) sed -n '2,22s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
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

. "$(dirname "$0")/qemu-child.sh"
if [ -n "$gdb" ]; then
	gdb_port
	gdb="-gdb tcp:127.0.0.1:$port -S"
	echo "qemu-run.sh: QEMU waits for gdb on port $port; in another terminal:" >&2
	echo "  gdb-multiarch ${image%.*}.elf -ex 'target remote :$port'" >&2
fi

[ -n "$icount" ] || plain_note "$cpus"

# The console goes to the terminal and, for the exit status, to a log.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set -- qemu-system-aarch64 -M "$machine" \
	-cpu "$core" -smp "$cpus" -m "$mem" -display none \
	-chardev "stdio,id=con,mux=on,logfile=$log" -serial chardev:con \
	-mon chardev=con $qmon -net none -no-reboot $icount $gdb $plugin \
	-kernel "$image" \
	-append "$*"
qemu_child "$limit" "$@"
status=$(tr -d '\r' <"$log" |
	sed -n 's/^tenon: application exited with status \(-\{0,1\}[0-9]*\)$/\1/p' |
	tail -n 1)
if [ -n "$status" ]; then
	exit $((status & 255))
elif [ "$rc" -eq 124 ]; then
	echo "qemu-run.sh: stopped after $limit s, before the application ended" >&2
	exit 124
elif [ "$rc" -ne 0 ]; then
	exit "$rc"
elif grep -qE '^tenon: (halted|panic)' "$log"; then
	exit 1
fi
echo "qemu-run.sh: QEMU was quit before the application ended" >&2
exit 130
