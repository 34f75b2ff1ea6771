#!/bin/sh
# A developer's own application, from the template to QEMU: the build
# needs no edit to find it (APP_DIR=), it runs on the simulator and alone
# on the machine, an edited source is rebuilt, the application's exit
# status comes out of the run scripts, and bad names are refused with the
# list of valid ones. One result line per check (tests/report.sh); ends
# with "workflow: N passed, N failed, N skipped".
#   usage: run.sh BUILDDIR
set -u
build=${1:?usage: run.sh BUILDDIR}
tmp=$(mktemp -d)
sysname=.workflow-test-$$
trap 'rm -rf "$tmp" "config/$sysname.dts"' EXIT
out=$tmp/out
. "$(dirname "$0")/../report.sh"
mk() { make --no-print-directory BUILD="$build" "$@" >"$out" 2>&1; }

ok() { test_ok "$1"; }
fail() { test_failed "$1" "$2" "$out"; }
# check NAME STATUS WANT PATTERN: the status is WANT and $out has PATTERN.
check() {
	if [ "$2" -ne "$3" ]; then
		fail "$1" "exit status $2, not $3"
	elif ! grep -q -- "$4" "$out"; then
		fail "$1" "no line matches '$4'"
	else
		ok "$1"
	fi
}

app=$tmp/wfapp
mk new-app NAME=wfapp DIR="$app"
check new-app-writes-template $? 0 "wrote $app/wfapp.c"
mk new-app NAME=wfapp DIR="$app"
check new-app-refuses-existing-dir $? 2 "exists and is not empty"
mk new-app NAME=Bad DIR="$tmp/Bad"
check new-app-refuses-bad-name $? 2 "NAME=Bad: use lower-case"

mk run-sim APP_DIR="$app" ARGS="-n 20"
check own-app-runs-on-simulator $? 0 '^wfapp: 20 periods of 1000 us'

mk "$build/a64/bin/wfapp.elf" APP_DIR="$app"
rc=$?
if [ $rc -eq 0 ]; then
	sh tools/qemu-run.sh -i "$build/a64/bin/wfapp.elf" -n 20 \
		</dev/null >"$out" 2>&1
	rc=$?
fi
check own-app-runs-on-machine $rc 0 '^wfapp: 20 periods of 1000 us'

# An edit must reach the image, and its status the caller.
# (the last "return 0;" is tn_main's)
awk '{ l[NR] = $0 } /^\treturn 0;$/ { last = NR }
	END { for (i = 1; i <= NR; i++) print (i == last ? "\treturn 3;" : l[i]) }' \
	"$app/wfapp.c" >"$app/x" && mv "$app/x" "$app/wfapp.c"
mk "$build/a64/bin/wfapp.elf" APP_DIR="$app"
sh tools/qemu-run.sh -i "$build/a64/bin/wfapp.elf" -n 5 </dev/null >"$out" 2>&1
check edited-app-rebuilt-and-status-propagates $? 3 \
	'^tenon: application exited with status 3'
mk run-rt APP_DIR="$app" ARGS="-n 5"
rc=$?
[ $rc -ne 0 ] && rc=0 || rc=1
check make-run-rt-fails-when-app-fails $rc 0 'Error 3'
mk run-sim APP_DIR="$app" ARGS="-n 5"
rc=$?
[ $rc -ne 0 ] && rc=0 || rc=1
check make-run-sim-fails-when-app-fails $rc 0 'Error 3'
"$build/sim/bin/wfapp" -n 5 >"$out" 2>&1
check sim-app-status-propagates $? 3 '^wfapp: 5 periods'
sh tools/qemu-run.sh -i "$build/a64/bin/wfapp.elf" -p 1 </dev/null >"$out" 2>&1
check bad-argument-status-propagates $? 2 '^usage: wfapp'

mk run-sim APP=nosuchapp
check unknown-app-lists-valid-ones $? 2 'APP=nosuchapp: no such application; there are: .*demo'
mk run-sim APP=faults
check machine-only-app-says-why-not-on-simulator $? 2 \
	'faults runs only on the machine: it provokes Arm64 exceptions'

# A system naming an image nobody builds: the system compiler says so.
sed 's|"a64/bin/[a-z]*\.bin"|"a64/bin/nosuchimage.bin"|' config/qemu-virt.dts \
	>"config/$sysname.dts"
mk config SYSTEM="$sysname"
check missing-image-named-by-system-compiler $? 2 \
	'image "a64/bin/nosuchimage.bin" not found'

sh tools/qemu-run.sh -t 3 "$build/a64/bin/wfapp.elf" -n 100000 </dev/null >"$out" 2>&1
check run-stopped-by-limit-says-so $? 124 'stopped after 3 s'

# The Linux side is the user's too: a Debian package named on the command
# line comes into the initramfs with what it needs to run (it runs there,
# under user-mode emulation with the initramfs as its root), an overlay
# directory's files too, and bad names are refused.
ov=$tmp/overlay
mkdir -p "$ov/etc/tenon" "$ov/usr/bin"
printf '#!/bin/sh\necho started\n' >"$ov/etc/tenon/start"
chmod 755 "$ov/etc/tenon/start"
echo mine >"$ov/usr/bin/my-data"
LINUX_PACKAGES=hello LINUX_OVERLAY=$ov sh tools/linux-assets.sh "$tmp/lb" cache \
	>"$out" 2>&1
rc=$?
tree=$tmp/lb/tree
mkdir -p "$tree"
[ $rc -ne 0 ] || (cd "$tree" && gzip -dc ../linux/initramfs.cpio.gz |
	cpio -id --quiet 2>/dev/null)
if [ $rc -ne 0 ]; then
	fail linux-package-runs-in-initramfs "linux-assets.sh exited $rc"
elif ! qemu-aarch64 -L "$tree" "$tree/usr/bin/hello" >"$out" 2>&1; then
	fail linux-package-runs-in-initramfs "hello did not run from the initramfs"
else
	check linux-package-runs-in-initramfs 0 0 '^Hello, world!$'
fi
if [ -x "$tree/etc/tenon/start" ] && [ "$(cat "$tree/usr/bin/my-data" 2>/dev/null)" = mine ] &&
	[ -x "$tree/bin/busybox" ] && [ -x "$tree/usr/bin/cyclictest" ] &&
	! [ -e "$tree/usr/share/doc/hello" ]; then
	ok linux-overlay-and-defaults-in-initramfs
else
	fail linux-overlay-and-defaults-in-initramfs \
		"overlay files, busybox or cyclictest missing, or documentation kept"
fi
LINUX_PACKAGES='hello Bad!' sh tools/linux-assets.sh "$tmp/lb" cache >"$out" 2>&1
check linux-package-bad-name-refused $? 1 "linux package 'Bad!'.*not a Debian package name"
LINUX_PACKAGES=no-such-package-anywhere sh tools/linux-assets.sh "$tmp/lb" cache \
	>"$out" 2>&1
check linux-package-unknown-refused $? 1 "no-such-package-anywhere:arm64 is not in Debian's archive"
LINUX_OVERLAY=$tmp/nowhere sh tools/linux-assets.sh "$tmp/lb" cache >"$out" 2>&1
check linux-overlay-missing-refused $? 1 "LINUX_OVERLAY=$tmp/nowhere: no such directory"

free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}
# wait_listen PORT: until something listens on the loopback TCP port (a
# probe connection would make QEMU's gdb server start the machine).
wait_listen() {
	hex=$(printf '%04X' "$1")
	for _ in $(seq 1 120); do
		grep -q "^ *[0-9]*: 0100007F:$hex 00000000:0000 0A" /proc/net/tcp && return 0
		sleep 0.5
	done
	return 1
}
# debug_session NAME HINTFILE: runs the gdb command the run script printed
# in HINTFILE, in batch mode, with the commands in $tmp/gdb.cmd.
debug_session() {
	cmd=$(sed -n 's/^  \(gdb-multiarch .*\)$/\1/p' "$2" | head -n 1)
	if [ -z "$cmd" ]; then
		cp "$2" "$out"
		fail "$1" "the run script printed no gdb command"
		return 1
	fi
	# What gdb prints is checked, not its status: a command after the
	# machine stopped (the application ended) fails, harmlessly.
	eval "timeout 300 $cmd -batch -nx -x $tmp/gdb.cmd" >"$out" 2>&1
	if [ $? -eq 124 ]; then
		fail "$1" "gdb did not finish its commands in 300 s"
		return 1
	fi
}
# gdb on the real-time partition of the running system, with its symbols:
# the command make debug PART=rt prints, as it prints it. A backtrace taken
# in the interrupt handler goes on through the exception frame into the
# interrupted code, down to its first frame.
cat >"$tmp/gdb.cmd" <<'GDB'
break aarch64_irq thread 1
continue
continue
bt
kill
GDB
port=$(free_port)
GDB_PORT=$port sh tools/system-run.sh -g rt -t 300 "$build/sys/qemu-virt" \
	</dev/null >"$tmp/sys.out" 2>&1 &
qemu=$!
wait_listen "$port"
if debug_session gdb-on-partition-with-its-symbols "$tmp/sys.out"; then
	if ! grep -q 'control\.elf' "$tmp/sys.out"; then
		cp "$tmp/sys.out" "$out"
		fail gdb-on-partition-with-its-symbols "the hint names no control.elf (the default real-time image)"
	elif grep -q 'corrupt stack' "$out" ||
		! grep -q '<signal handler called>' "$out" ||
		! grep -qE 'in (aarch64_thread_start|mmu_on) \(\)' "$out"; then
		fail gdb-on-partition-with-its-symbols \
			"no whole backtrace from the partition's interrupt handler"
	else
		ok gdb-on-partition-with-its-symbols
	fi
fi
kill $qemu 2>/dev/null
wait $qemu 2>/dev/null

summary workflow
