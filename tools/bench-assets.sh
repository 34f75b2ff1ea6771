#!/bin/sh
# Prepares what make bench-compare boots besides the default system:
# Debian's PREEMPT_RT and generic arm64 kernels (each with its
# System.map, for the latency plugin's markers) and an initramfs holding
# the default one's files plus stress-ng and the libraries it needs.
#   usage: bench-assets.sh BUILDDIR CACHEDIR
# Needs BUILDDIR/linux/initramfs (tools/linux-assets.sh, run by make
# system). Downloads (apt-get download, nothing installed on this host)
# into CACHEDIR/bench, extracts into CACHEDIR/bench/root, and makes
#   BUILDDIR/bench/linux/{rt,generic}/Image
#   BUILDDIR/bench/linux/initramfs.cpio.gz, with tools/bench/linux-start
#                                    as its /etc/tenon/start
# (Debian's System.map holds no symbols: they are in the -dbg package, of
# 750 MB; the bench reads the markers from /proc/kallsyms instead.)
# Idempotent: what is already there is not fetched or made again.
set -eu

me=bench-assets
die() {
	echo "$me: $*" >&2
	exit 1
}
[ $# -eq 2 ] || {
	echo "usage: $0 BUILDDIR CACHEDIR" >&2
	exit 2
}
build=$(cd "$1" && pwd)
[ -d "$build/linux/initramfs" ] ||
	die "no $1/linux/initramfs: run make system first"
mkdir -p "$2/bench/root/.extracted" "$build/bench/linux"
cache=$(cd "$2/bench" && pwd)
root=$cache/root
out=$build/bench/linux
readelf=aarch64-linux-gnu-readelf
command -v $readelf >/dev/null 2>&1 || readelf=readelf

# The load's program and every package it depends on, as apt resolves it.
LOAD=stress-ng
# The kernels, by metapackage: the first linux-image-* they depend on.
KERNELS="rt:linux-image-rt-arm64 generic:linux-image-arm64"

kernel_of() {
	apt-cache depends "$1:arm64" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^:]*\)\(:arm64\)\{0,1\}$/\1/p' |
		head -n 1
}
cached() {
	# shellcheck disable=SC2012 # Debian's names, no odd characters
	ls "$cache/$1"_*_arm64.deb 2>/dev/null | sort -V | tail -n 1
}

# apt's lists must know arm64 and the packages below: on a fresh machine,
# or lists older than the archive, bring them up to date once (as root).
refresh() {
	[ "$(id -u)" -eq 0 ] || die "apt's lists lack $1: run apt-get update as root"
	dpkg --print-foreign-architectures | grep -qx arm64 ||
		[ "$(dpkg --print-architecture)" = arm64 ] ||
		dpkg --add-architecture arm64
	echo "$me: apt-get update"
	apt-get update -q >"$cache/apt.log" 2>&1 || {
		tail -n 12 "$cache/apt.log" >&2
		die "apt-get update failed (see $cache/apt.log)"
	}
}
apt-cache show libc6:arm64 >/dev/null 2>&1 || refresh arm64
for k in $KERNELS; do
	apt-cache show "${k#*:}:arm64" >/dev/null 2>&1 || refresh "${k#*:}"
done
want=$(apt-cache depends --recurse --no-recommends --no-suggests \
	--no-conflicts --no-breaks --no-replaces --no-enhances "$LOAD:arm64" \
	2>/dev/null | sed -n 's/^\([a-z0-9][a-z0-9.+-]*\):arm64$/\1/p' |
	LC_ALL=C sort -u)
[ -n "$want" ] || die "$LOAD:arm64 is not in apt's lists"
for k in $KERNELS; do
	pkg=$(kernel_of "${k#*:}")
	[ -n "$pkg" ] || die "${k#*:}:arm64 names no kernel in apt's lists"
	want="$want $pkg"
done
missing=""
for pkg in $want; do
	[ -n "$(cached "$pkg")" ] || missing="$missing $pkg:arm64"
done
if [ -n "$missing" ]; then
	echo "$me: apt-get download$missing"
	sandbox=""
	[ "$(id -u)" -ne 0 ] || sandbox="-o APT::Sandbox::User=root"
	# shellcheck disable=SC2086 # one package a word
	(cd "$cache" && apt-get download -q $sandbox $missing) \
		>"$cache/apt.log" 2>&1 || {
		tail -n 12 "$cache/apt.log" >&2
		die "apt-get download failed (see $cache/apt.log)"
	}
fi
for pkg in $want; do
	deb=$(cached "$pkg")
	[ -n "$deb" ] || die "$pkg:arm64 was not downloaded"
	stamp=$root/.extracted/$(basename "$deb")
	[ -e "$stamp" ] && continue
	echo "$me: extracting $(basename "$deb")"
	dpkg-deb -x "$deb" "$root" || die "dpkg-deb -x $deb failed"
	touch "$stamp"
done

# The kernels: an uncompressed Image each.
for k in $KERNELS; do
	name=${k%%:*}
	pkg=$(kernel_of "${k#*:}")
	rel=${pkg#linux-image-}
	mkdir -p "$out/$name"
	if ! [ -s "$out/$name/Image" ]; then
		vmlinuz=$root/boot/vmlinuz-$rel
		# Already an Image (with the EFI stub: "ARMd" at 0x38), or gzip.
		if [ "$(od -An -c -j 56 -N 4 "$vmlinuz" | tr -d ' ')" = ARMd ]; then
			cp "$vmlinuz" "$out/$name/Image.tmp"
		else
			gzip -dc "$vmlinuz" >"$out/$name/Image.tmp" ||
				die "vmlinuz-$rel: neither an Image nor gzip"
		fi
		mv "$out/$name/Image.tmp" "$out/$name/Image"
		echo "$me: $1/bench/linux/$name/Image: Linux $rel"
	fi
	echo "$rel" >"$out/$name/release"
done

# The initramfs: the default one's tree, then stress-ng with its
# libraries (as readelf -d names them, recursively).
cpio_gz=$out/initramfs.cpio.gz
[ -s "$cpio_gz" ] && [ -z "$(find "$build/linux/initramfs.cpio.gz" "$0" \
	"$(dirname "$0")/bench/linux-start" -newer "$cpio_gz")" ] && exit 0
tree=$out/initramfs
rm -rf "$tree"
cp -a "$build/linux/initramfs" "$tree"
put() {
	[ -e "$tree$1" ] || [ -L "$tree$1" ] && return 0
	[ -e "$root$1" ] || die "$1 is not in $root"
	mkdir -p "$(dirname "$tree$1")"
	if [ -L "$root$1" ]; then
		link=$(readlink "$root$1")
		ln -s "$link" "$tree$1"
		case $link in
		/*) put "$link" ;;
		*) put "$(dirname "$1")/$link" ;;
		esac
	else
		cp -p "$root$1" "$tree$1"
	fi
}
libpath() {
	for dir in /lib/aarch64-linux-gnu /usr/lib/aarch64-linux-gnu /lib /usr/lib; do
		[ -e "$root$dir/$1" ] && {
			echo "$dir/$1"
			return 0
		}
	done
	die "library $1 is not in $root"
}
put_elf() {
	put "$1"
	for lib in $($readelf -d "$root$1" |
		sed -n 's/.*(NEEDED).*Shared library: \[\(.*\)\]$/\1/p'); do
		p=$(libpath "$lib") || exit 1
		[ -e "$tree$p" ] || put_elf "$p"
	done
}
put_elf /usr/bin/stress-ng
mkdir -p "$tree/etc/tenon"
cp "$(dirname "$0")/bench/linux-start" "$tree/etc/tenon/start"
chmod 755 "$tree/etc/tenon/start"
(cd "$tree" && find . | LC_ALL=C sort |
	cpio -o -H newc --owner=0:0 --quiet --reproducible) |
	gzip -6 -n >"$cpio_gz.tmp" || die "cpio or gzip failed"
mv "$cpio_gz.tmp" "$cpio_gz"
echo "$me: $1/bench/linux/initramfs.cpio.gz: $(wc -c <"$cpio_gz") bytes"
