#!/bin/sh
# The tests of tools/tenon-config, the system-description checker. Every
# tests/config/*.dts, and config/qemu-virt.dts, is compiled with dtc and
# given to the tool, with small fake images in a temporary build directory.
#  - A file with /* expect: TEXT */ lines (its first line is one) must be
#    refused: exit status 1, one message per TEXT, each TEXT in one, every
#    message naming the file and a node, the count last, nothing made.
#  - The others must be accepted, and what they generate must hold up:
#    sysconfig.c compiles with the project's warnings and, linked with
#    dump.c, prints every /* table: LINE */ of the file; each partition's
#    .dtb reads back with dtc, without a warning, with the nodes every
#    partition has (the PL011 only with the console, a node at the
#    address of each of its devices and nothing else with a clock, the
#    apb-pclk clock once if it has either) and every /* NAME.dtb: LINE */;
#    each device tree is where the arm64 boot protocol wants it, every
#    pristine copy (for restarts) is in the table, in whole 2 MiB blocks
#    as it is loaded, in the machine's RAM, outside the hypervisor's and every partition's,
#    overlapping no other (dump.c checks), and qemu-loads loads it there:
#    every file twice, the copy the same file as the original, its size;
#    qemu-loads loads files that exist, with every /* qemu-loads: TEXT */;
#    -v prints summary.txt, with every /* summary: TEXT */; a second run
#    rewrites nothing.
# One line per case, "ok config-NAME" or "FAILED config-NAME: why"
# (tests/report.sh), then "config: N passed, N failed, N skipped"; exit
# status 1 if any failed.
#   usage: run.sh BUILDDIR   (where tools/tenon-config was built)
set -u
build=${1:?usage: run.sh BUILDDIR}
tool=$build/tools/tenon-config
here=$(dirname "$0")
abi=$here/../../abi
CC=${CC:-gcc}
WARN="-std=gnu11 -Wall -Wextra -Werror -Wstrict-prototypes \
-Wmissing-prototypes -Wshadow"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$here/../report.sh"

[ -x "$tool" ] || {
	echo "run.sh: no $tool (make $tool)" >&2
	exit 2
}

ok() { test_ok "config-$1"; }
# fail NAME WHY [LOG]: the reason, then the log's end, indented.
fail() {
	cfg=$1
	shift
	test_failed "config-$cfg" "$@"
}

# The fake build directory, with the images the tests name.
fake=$tmp/build
mkdir -p "$fake/a64/bin" "$fake/linux"
zeros() { head -c "$1" /dev/zero; }
# le64 N: N as 8 little-endian bytes.
le64() {
	n=$1 i=0
	while [ $i -lt 8 ]; do
		# shellcheck disable=SC2059 # the format is the byte
		printf "\\$(printf %03o $((n & 255)))"
		n=$((n >> 8)) i=$((i + 1))
	done
}
# image FILE TEXT_OFFSET IMAGE_SIZE [FILE_SIZE]: an arm64 Image, header
# and zeros, of 1 MiB or FILE_SIZE (Documentation/arch/arm64/booting.rst);
# the real-time images have the same header.
image() {
	{
		zeros 8
		le64 "$2"
		le64 "$3"
		zeros 32
		printf 'ARMd'
		zeros 4
	} >"$1"
	truncate -s "${4:-1M}" "$1"
}
linux_image() { image "$@"; }
image "$fake/a64/bin/small.bin" 0 0 65536
image "$fake/a64/bin/bss.bin" 0 $((6 << 20)) 65536
cp "$fake/a64/bin/small.bin" "$fake/a64/bin/latmus.bin"
# The images the systems in config/ name, for the check of them below.
cp "$fake/a64/bin/small.bin" "$fake/a64/bin/control.bin"
cp "$fake/a64/bin/small.bin" "$fake/a64/bin/echo.bin"
zeros 65536 >"$fake/a64/bin/headerless.bin"
: >"$fake/a64/bin/empty.bin"
image "$fake/a64/bin/big.bin" 0 0 63M
linux_image "$fake/linux/Image" 0 0
linux_image "$fake/linux/Image-bss" 0 $((256 << 20))
linux_image "$fake/linux/Image-old" $((0x80000)) 0
{
	printf '\037\213\010'
	zeros 1000
} >"$fake/linux/Image.gz"
zeros 524288 >"$fake/linux/initramfs.cpio.gz"
truncate -s 200M "$fake/linux/big-initrd"
truncate -s 600M "$fake/linux/huge-initrd"

# lines FILE TAG: the TEXT of every /* TAG: TEXT */ line of FILE.
lines() {
	sed -n "s|^/\\* $2: \\(.*\\) \\*/\$|\\1|p" "$1"
}

# refused NAME DTS LOG OUT: the checks of a case the tool must refuse.
refused() {
	name=$1 dts=$2 log=$3 out=$4
	if [ "$rc" -ne 1 ]; then
		fail "$name" "exit status $rc, not 1" "$log"
		return
	fi
	if ! lines "$dts" expect >"$tmp/expect"; then
		fail "$name" "cannot read $dts"
		return
	fi
	while IFS= read -r text; do
		if ! grep -q -F -- "$text" "$log"; then
			fail "$name" "no message says: $text" "$log"
			return
		fi
	done <"$tmp/expect"
	count=$(($(wc -l <"$log") - 1))
	if [ "$count" -ne "$(wc -l <"$tmp/expect")" ]; then
		fail "$name" "$count messages, not one per expect line" "$log"
		return
	fi
	if
		! tail -n 1 "$log" | grep -q -x -F \
			"$dts: $count error$([ "$count" -gt 1 ] && echo s); see docs/system-description.md"; then
		fail "$name" "the last line does not count the $count errors" "$log"
		return
	fi
	if sed '$d' "$log" | grep -q -v "^$dts: /"; then
		fail "$name" "a message names no file and node" "$log"
		return
	fi
	if [ -e "$out" ]; then
		fail "$name" "$out was made despite the errors" "$log"
		return
	fi
	ok "$name"
}

# accepted NAME DTS LOG OUT: the checks of a case the tool must accept.
accepted() {
	name=$1 dts=$2 log=$3 out=$4
	if [ "$rc" -ne 0 ]; then
		fail "$name" "exit status $rc, not 0" "$log"
		return
	fi
	for f in sysconfig.c qemu-loads machine summary.txt; do
		if [ ! -s "$out/$f" ]; then
			fail "$name" "no $out/$f"
			return
		fi
	done
	if ! cmp -s "$log.stdout" "$out/summary.txt"; then
		fail "$name" "-v did not print summary.txt" "$log.stdout"
		return
	fi
	# shellcheck disable=SC2086 # WARN is a list of options
	if ! $CC $WARN -I"$abi" -c "$out/sysconfig.c" -o "$tmp/sysconfig.o" \
		>"$log" 2>&1 ||
		! $CC $WARN -I"$abi" "$here/dump.c" "$tmp/sysconfig.o" \
			-o "$tmp/dump" >"$log" 2>&1; then
		fail "$name" "sysconfig.c does not compile" "$log"
		return
	fi
	lines "$dts" summary >"$tmp/expect"
	while IFS= read -r text; do
		if ! grep -q -F -- "$text" "$out/summary.txt"; then
			fail "$name" "summary.txt has no: $text" "$out/summary.txt"
			return
		fi
	done <"$tmp/expect"
	# The machine's RAM ends where -m says, from the RAM base.
	mib=$(sed -n 's/^-m \([0-9][0-9]*\)M$/\1/p' "$out/machine")
	if [ -z "$mib" ]; then
		fail "$name" "machine has no -m" "$out/machine"
		return
	fi
	if ! "$tmp/dump" $((0x40000000 + (mib << 20))) >"$tmp/table" 2>&1; then
		fail "$name" "the table is wrong" "$tmp/table"
		return
	fi
	lines "$dts" table >"$tmp/expect"
	while IFS= read -r text; do
		if ! grep -q -x -F -- "$text" "$tmp/table"; then
			fail "$name" "the table has no line: $text" "$tmp/table"
			return
		fi
	done <"$tmp/expect"

	# Every partition's device tree.
	grep '^partition ' "$tmp/table" >"$tmp/parts"
	while read -r _ part _ _ rest; do
		dtb=$out/$part.dtb
		vcpus=$(echo "${rest%% ram *}" | wc -w)
		console=${rest##* console }
		console=${console%% *}
		ndevices=${rest##* devices }
		grep "^device $part " "$tmp/table" >"$tmp/$part.devices"
		if ! dtc -I dtb -O dts -o "$tmp/$part.dts" "$dtb" \
			>"$log" 2>&1 || [ -s "$log" ]; then
			fail "$name" "dtc does not read $dtb cleanly" "$log"
			return
		fi
		sed 's/^[[:space:]]*//' "$tmp/$part.dts" >"$tmp/$part.lines"
		{
			echo "/ {"
			echo "chosen {"
			echo "memory@40000000 {"
			echo "cpus {"
			i=0
			while [ $i -lt "$vcpus" ]; do
				echo "cpu@$i {"
				i=$((i + 1))
			done
			echo "psci {"
			echo "intc@8000000 {"
			echo "timer {"
			[ "$console" = 0 ] || echo "pl011@9000000 {"
			[ "$console" = 0 ] && [ "$ndevices" = 0 ] ||
				echo "apb-pclk {"
			lines "$dts" "$part.dtb"
		} >"$tmp/expect"
		while IFS= read -r text; do
			if ! grep -q -x -F -- "$text" "$tmp/$part.lines"; then
				fail "$name" "$part.dtb has no line: $text" \
					"$tmp/$part.dts"
				return
			fi
		done <"$tmp/expect"
		while read -r _ _ dev region _; do
			base=${region%%+*}
			if ! grep -q -x -- "[a-z0-9,-]*@${base#0x} {" \
				"$tmp/$part.lines"; then
				fail "$name" "$part.dtb has no node for $dev" \
					"$tmp/$part.dts"
				return
			fi
		done <"$tmp/$part.devices"
		clocked=$((console + $(wc -l <"$tmp/$part.devices")))
		if [ "$(grep -c '^cpu@' "$tmp/$part.lines")" -ne "$vcpus" ] ||
			{ [ "$console" = 0 ] &&
				grep -q '^pl011@' "$tmp/$part.lines"; } ||
			[ "$(grep -c '^clock-names = ' "$tmp/$part.lines")" \
				-ne "$clocked" ] ||
			[ "$(grep -c '^apb-pclk {$' "$tmp/$part.lines")" \
				-ne "$((clocked > 0))" ]; then
			fail "$name" "$part.dtb has other CPUs or devices" \
				"$tmp/$part.dts"
			return
		fi
	done <"$tmp/parts"

	# qemu-loads: one loader per line, of a file that exists.
	while IFS= read -r line; do
		file=${line#-device loader,file=}
		file=${file%%,addr=0x*,force-raw=on}
		case $line in
		"-device loader,file=$file,addr=0x"*",force-raw=on") ;;
		*)
			fail "$name" "qemu-loads has: $line"
			return
			;;
		esac
		if [ ! -f "$file" ]; then
			fail "$name" "qemu-loads loads $file, which is not there"
			return
		fi
	done <"$out/qemu-loads"
	lines "$dts" qemu-loads >"$tmp/expect"
	while IFS= read -r text; do
		if ! grep -q -F -- "$text" "$out/qemu-loads"; then
			fail "$name" "qemu-loads has no: $text" "$out/qemu-loads"
			return
		fi
	done <"$tmp/expect"

	# Every load twice: where the partition finds it, and its copy (two
	# partitions may load the same file, so a file an even number of
	# times), at addresses all different.
	sed 's/^-device loader,file=//; s/,addr=0x[0-9a-f]*,force-raw=on$//' \
		"$out/qemu-loads" | sort | uniq -c >"$tmp/loaded"
	if awk '$1 % 2 { bad = 1 } END { exit !bad }' "$tmp/loaded"; then
		fail "$name" "qemu-loads does not load each file twice" \
			"$tmp/loaded"
		return
	fi
	if [ -n "$(sed 's/.*,addr=//' "$out/qemu-loads" | sort | uniq -d)" ]
	then
		fail "$name" "qemu-loads loads twice at one address" \
			"$out/qemu-loads"
		return
	fi
	# loaded_at ADDR: the file qemu-loads loads at ADDR (0x..., no zeros).
	loaded_at() {
		sed -n "s/^-device loader,file=\(.*\),addr=$1,force-raw=on\$/\1/p" \
			"$out/qemu-loads"
	}
	grep '^copy ' "$tmp/table" | grep -v ' none$' >"$tmp/copies"
	if [ "$(($(wc -l <"$tmp/copies") * 2))" -ne \
		"$(wc -l <"$out/qemu-loads")" ]; then
		fail "$name" "not one copy per file loaded" "$tmp/table"
		return
	fi
	while read -r _ part what _ pa _ ipa _ size; do
		line=$(grep "^partition $part " "$tmp/table")
		ram=${line##* ram } rip=${line##* ipa }
		orig=$(printf 0x%x $((${ram%%+*} + ipa - ${rip%% *})))
		copy_file=$(loaded_at "$pa") orig_file=$(loaded_at "$orig")
		if [ -z "$copy_file" ] || [ "$copy_file" != "$orig_file" ]; then
			fail "$name" "the copy of $part's $what at $pa is not \
loaded with what is at $orig" "$out/qemu-loads"
			return
		fi
		bytes=$(($(wc -c <"$copy_file") + pa % (2 << 20)))
		block=$((2 * 1024 * 1024))
		if [ $(((bytes + block - 1) / block * block - pa % block)) -ne \
			$((size)) ]; then
			fail "$name" "the copy of $part's $what is not \
$copy_file's size in whole 2 MiB blocks" "$tmp/table"
			return
		fi
	done <"$tmp/copies"

	# Nothing changes, nothing is rewritten.
	touch "$tmp/stamp"
	sleep 0.01 2>/dev/null || sleep 1
	"$tool" --source "$dts" --build "$fake" --out "$out" "$tmp/$name.dtb" \
		>"$log" 2>&1
	if [ -n "$(find "$out" -newer "$tmp/stamp")" ]; then
		fail "$name" "a second run rewrote $(find "$out" -newer "$tmp/stamp")"
		return
	fi
	ok "$name"
}

# check NAME DTS: compiles DTS, runs the tool on it, checks the outcome.
check() {
	name=$1 dts=$2
	log=$tmp/$name.log out=$tmp/out/$name
	if ! dtc -I dts -O dtb -o "$tmp/$name.dtb" "$dts" >"$log" 2>&1; then
		fail "$name" "dtc refuses $dts" "$log"
		return
	fi
	"$tool" -v --source "$dts" --build "$fake" --out "$out" \
		"$tmp/$name.dtb" >"$log.stdout" 2>"$log"
	rc=$?
	if grep -q '^/\* expect: ' "$dts"; then
		refused "$name" "$dts" "$log" "$out"
	else
		accepted "$name" "$dts" "$log" "$out"
	fi
}

for dts in "$here"/*.dts; do
	name=${dts##*/}
	check "${name%.dts}" "$dts"
done
check qemu-virt "$here/../../config/qemu-virt.dts"
check echo "$here/../../config/echo.dts"

# Usage and unreadable input.
"$tool" >"$tmp/log" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -q '^usage: tenon-config' "$tmp/log"; then
	ok usage
else
	fail usage "no usage, exit status $rc" "$tmp/log"
fi
"$tool" --build "$fake" "$here/valid-minimal.dts" >"$tmp/log" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -q 'not a valid device tree blob' "$tmp/log"; then
	ok not-a-blob
else
	fail not-a-blob "exit status $rc" "$tmp/log"
fi

summary config
