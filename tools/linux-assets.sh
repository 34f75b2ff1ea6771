#!/bin/sh
# Prepares what the Linux partition boots: Debian's own arm64 kernel,
# unmodified, and a busybox initramfs.
#   usage: linux-assets.sh BUILDDIR CACHEDIR
# Downloads (apt-get download, never installed on this host) the arm64
# packages below into CACHEDIR, extracts them into CACHEDIR/root, and makes
#   BUILDDIR/linux/Image             the kernel as the arm64 boot protocol
#                                    wants it (uncompressed, 64-byte header)
#   BUILDDIR/linux/initramfs.cpio.gz busybox, /init (linux/initramfs/), the
#                                    rt-tests tools below and their libraries,
#                                    the kernel's uio modules (channels),
#                                    the user's packages and overlays (below)
# Idempotent: a package already in CACHEDIR is not fetched again, and when
# everything is there and up to date it does nothing, without the network.
# It prints one line per step it takes.
set -eu

me=linux-assets
die() {
	echo "$me: $*" >&2
	exit 1
}

[ $# -eq 2 ] || {
	echo "usage: $0 BUILDDIR CACHEDIR" >&2
	exit 2
}
mkdir -p "$1/linux" "$2/root/.extracted" || die "cannot create $1/linux or $2/root"
build=$(cd "$1" && pwd)
cache=$(cd "$2" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
out=$build/linux
root=$cache/root
stamps=$root/.extracted
readelf=aarch64-linux-gnu-readelf
command -v $readelf >/dev/null 2>&1 || readelf=readelf

# The packages, besides the kernel (whose versioned name comes from the
# linux-image-arm64 metapackage). hackbench needs libc6 (readelf -d:
# libc.so.6, libpthread.so.0, ld-linux-aarch64.so.1), cyclictest also
# libnuma1 (libnuma.so.1) and librt.so.1 (libc6).
PACKAGES="busybox-static rt-tests libc6 libnuma1"
# The rt-tests programs that go into the initramfs.
RT_TOOLS="hackbench cyclictest"

# The user's own packages: linux/packages (one a line, # comments) and
# $LINUX_PACKAGES; each comes with what it depends on. And the user's own
# files: linux/overlay/ and the directory $LINUX_OVERLAY, copied over the
# initramfs last.
USER_PACKAGES=$({
	sed 's/#.*//' "$top/linux/packages" 2>/dev/null
	echo "${LINUX_PACKAGES:-}"
} | tr ' \t' '\n\n' | sed '/^$/d' | LC_ALL=C sort -u | tr '\n' ' ')
for pkg in $USER_PACKAGES; do
	case $pkg in
	*[!a-z0-9.+-]* | [!a-z0-9]*)
		die "linux package '$pkg' (linux/packages or LINUX_PACKAGES): not a Debian package name" ;;
	esac
done
OVERLAYS="$top/linux/overlay ${LINUX_OVERLAY:-}"
for dir in ${LINUX_OVERLAY:-}; do
	[ -d "$dir" ] || die "LINUX_OVERLAY=$dir: no such directory"
done

# The newest of the cached .deb files of package $1 (empty if none).
cached_deb() {
	# shellcheck disable=SC2012 # the names are Debian's, no odd characters
	ls "$cache/$1"_*_arm64.deb 2>/dev/null | sort -V | tail -n 1
}
kernel_deb() {
	# linux-image-6.1.0-NN-arm64_*.deb, not the metapackage nor -unsigned
	# shellcheck disable=SC2012
	ls "$cache"/linux-image-[0-9]*-arm64_*_arm64.deb 2>/dev/null | sort -V |
		tail -n 1
}

# known PKG: stops unless apt's lists have PKG for arm64.
known() {
	apt-cache show "$1:arm64" >/dev/null 2>&1 ||
		die "linux package '$1' (linux/packages or LINUX_PACKAGES): $1:arm64 is not in Debian's archive"
}

# The packages $USER_PACKAGES need, themselves included, as apt resolves
# their Depends and Pre-Depends (empty if apt does not know one of them).
closure() {
	[ -n "$USER_PACKAGES" ] || return 0
	for pkg in $USER_PACKAGES; do
		apt-cache show "$pkg:arm64" >/dev/null 2>&1 || return 0
	done
	# shellcheck disable=SC2046 # one argument per package
	apt-cache depends --recurse --no-recommends --no-suggests \
		--no-conflicts --no-breaks --no-replaces --no-enhances \
		$(for pkg in $USER_PACKAGES; do echo "$pkg:arm64"; done) 2>/dev/null |
		sed -n 's/^\([a-z0-9][a-z0-9.+-]*\):arm64$/\1/p' | LC_ALL=C sort -u |
		tr '\n' ' '
}

# --- 1. Download what is missing --------------------------------------------
# With arm64 lists already there, a package they lack is a wrong name: say
# so at once (apt-get update would not help).
if apt-cache show libc6:arm64 >/dev/null 2>&1; then
	for pkg in $USER_PACKAGES; do
		known "$pkg"
	done
fi
EXTRA=$(closure)
missing=""
for pkg in $PACKAGES $EXTRA; do
	[ -n "$(cached_deb "$pkg")" ] || missing="$missing $pkg"
done
if [ -z "$(kernel_deb)" ] || [ -n "$missing" ] ||
	{ [ -n "$USER_PACKAGES" ] && [ -z "$EXTRA" ]; }; then
	# dpkg --add-architecture and apt-get update need root (or sudo);
	# apt-get download does not.
	if [ "$(id -u)" -eq 0 ]; then
		as_root=""
	elif command -v sudo >/dev/null 2>&1; then
		as_root="sudo"
	else
		as_root="none"
	fi
	log=$cache/apt.log
	: >"$log"
	# Runs "$@" with its output in $log; on failure shows apt's errors
	# (all of $log is kept) and stops.
	quiet() {
		"$@" >>"$log" 2>&1 || {
			{ grep -E '^(E|W): ' "$log" || tail -n 20 "$log"; } |
				uniq | head -n 12 | sed 's/^/    /' >&2
			die "failed: $* (no network, or no Debian mirror? see $log)"
		}
	}
	native=$(dpkg --print-architecture)
	if [ "$native" != arm64 ] &&
		! dpkg --print-foreign-architectures | grep -qx arm64; then
		[ "$as_root" != none ] ||
			die "dpkg does not know arm64; run this as root once (or sudo)"
		echo "$me: dpkg --add-architecture arm64"
		quiet $as_root dpkg --add-architecture arm64
	fi
	if [ "$as_root" != none ]; then
		echo "$me: apt-get update"
		quiet $as_root apt-get update -q
	fi
	if [ -n "$USER_PACKAGES" ]; then
		for pkg in $USER_PACKAGES; do
			known "$pkg"
		done
		EXTRA=$(closure)
		for pkg in $EXTRA; do
			[ -n "$(cached_deb "$pkg")" ] || missing="$missing $pkg"
		done
	fi
	if [ -z "$(kernel_deb)" ]; then
		kpkg=$(apt-cache depends linux-image-arm64:arm64 2>>"$log" |
			sed -n 's/^ *Depends: \(linux-image-[0-9][^:]*-arm64\)\(:arm64\)\{0,1\}$/\1/p' |
			head -n 1)
		[ -n "$kpkg" ] || die "package linux-image-arm64:arm64 not found" \
			"(or it names no kernel) in the apt lists; see $log"
		missing="$kpkg$missing"
	fi
	list=""
	# shellcheck disable=SC2086 # one package a word
	missing=$(printf '%s\n' $missing | LC_ALL=C sort -u | tr '\n' ' ')
	for pkg in $missing; do
		apt-cache show "$pkg:arm64" >/dev/null 2>&1 ||
			die "package $pkg:arm64 not found in the apt lists"
		list="$list $pkg:arm64"
	done
	echo "$me: apt-get download$list"
	# apt-get writes into the current directory. As root, its _apt user
	# may not write there: it downloads as root, as it falls back to anyway.
	sandbox=""
	[ "$(id -u)" -ne 0 ] || sandbox="-o APT::Sandbox::User=root"
	# shellcheck disable=SC2086 # word splitting of the lists is wanted
	(cd "$cache" && quiet apt-get download -q $sandbox $list)
	rm -f "$log"
fi

kdeb=$(kernel_deb)
[ -n "$kdeb" ] || die "no kernel package in $cache after downloading"

# --- 2. Extract every package not extracted yet -----------------------------
# A stamp per .deb file, written only once dpkg-deb has finished.
debs=$kdeb
for pkg in $PACKAGES; do
	debs="$debs $(cached_deb "$pkg")"
done
for deb in $debs; do
	stamp=$stamps/$(basename "$deb")
	[ -e "$stamp" ] && continue
	echo "$me: extracting $(basename "$deb")"
	dpkg-deb -x "$deb" "$root" || {
		rm -f "$deb"
		die "dpkg-deb -x $deb failed; removed it (damaged?): run again"
	}
	touch "$stamp"
done

# The user's packages, each extracted on its own (so that exactly its
# files go into the initramfs), under CACHEDIR/packages/<deb name>/.
pkgdirs=""
for pkg in $EXTRA; do
	deb=$(cached_deb "$pkg")
	[ -n "$deb" ] || die "$pkg:arm64 was not downloaded"
	dir=$cache/packages/$(basename "$deb" .deb)
	if ! [ -e "$dir/.extracted" ]; then
		echo "$me: extracting $(basename "$deb") for the initramfs"
		rm -rf "$dir"
		mkdir -p "$dir"
		dpkg-deb -x "$deb" "$dir" || {
			rm -rf "$dir" "$deb"
			die "dpkg-deb -x $deb failed; removed it (damaged?): run again"
		}
		touch "$dir/.extracted"
	fi
	pkgdirs="$pkgdirs $dir"
done

# --- 3. The kernel Image ------------------------------------------------------
# linux-image-6.1.0-NN-arm64_VERSION_arm64.deb holds boot/vmlinuz-6.1.0-NN-arm64.
kname=$(basename "$kdeb")
krel=${kname%%_*}
krel=${krel#linux-image-}
vmlinuz=$root/boot/vmlinuz-$krel
kstamp=$stamps/$kname
[ -f "$vmlinuz" ] || die "$kname holds no boot/vmlinuz-$krel"

# The 4 bytes of file $1 at offset $2, as hex.
bytes() {
	od -An -tx1 -j "$2" -N 4 "$1" | tr -d ' \n'
}
# The little-endian 32-bit number at offset $2 of file $1.
le32() {
	od -An -tu4 --endian=little -j "$2" -N 4 "$1" | tr -d ' \n'
}
arm64_magic=41524d64 # "ARM\x64" at 0x38

if ! [ -s "$out/Image" ] ||
	[ -n "$(find "$kstamp" "$0" -newer "$out/Image")" ]; then
	tmp=$out/Image.tmp
	if [ "$(bytes "$vmlinuz" 56)" = $arm64_magic ]; then
		# Already an Image; with the EFI stub it begins with "MZ", a PE
		# header the boot protocol ignores (and Debian's signature after it).
		how="uncompressed already"
		cp "$vmlinuz" "$tmp"
	elif [ "$(bytes "$vmlinuz" 0 | cut -c1-4)" = 1f8b ]; then
		how="gunzip"
		gzip -dc "$vmlinuz" >"$tmp" || die "gunzip of $vmlinuz failed"
	elif [ "$(bytes "$vmlinuz" 0 | cut -c1-4)" = 4d5a ] &&
		[ "$(bytes "$vmlinuz" 4)" = 7a696d67 ]; then
		# EFI zboot: "MZ", "zimg", payload offset and size, then the
		# compression's name at 0x18.
		poff=$(le32 "$vmlinuz" 8)
		psize=$(le32 "$vmlinuz" 12)
		comp=$(dd if="$vmlinuz" bs=1 skip=24 count=8 2>/dev/null | tr -d '\0')
		case $comp in
		gzip) unz="gzip -dc" ;;
		lzma | xz) unz="xz -dc" ;;
		zstd) unz="zstd -dc" ;;
		lz4) unz="lz4 -dc" ;;
		*) die "$vmlinuz: EFI zboot with unknown compression '$comp'" ;;
		esac
		how="EFI zboot, $comp"
		tail -c +$((poff + 1)) "$vmlinuz" | head -c "$psize" | $unz >"$tmp" ||
			die "$vmlinuz: EFI zboot payload ($comp) would not decompress"
	else
		die "$vmlinuz: neither an arm64 Image, gzip nor EFI zboot"
	fi
	[ "$(bytes "$tmp" 56)" = $arm64_magic ] ||
		die "$tmp: no arm64 Image magic at 0x38"
	mv "$tmp" "$out/Image"
	echo "$me: $1/linux/Image: Linux $krel ($how)"
fi

# --- 4. The initramfs -----------------------------------------------------------
cpio_gz=$out/initramfs.cpio.gz
# What went into it besides the files: the packages and overlay directories
# (when they change, it is made again).
contents="packages: $EXTRA
overlays: $OVERLAYS"
newer=""
if [ -s "$cpio_gz" ]; then
	# shellcheck disable=SC2086 # the overlay directories, one a word
	newer=$(find "$0" "$top/linux/initramfs" "$stamps" $OVERLAYS \
		-newer "$cpio_gz" 2>/dev/null | head -n 1)
	[ "$(cat "$out/initramfs.contents" 2>/dev/null)" = "$contents" ] ||
		newer=contents
fi
if ! [ -s "$cpio_gz" ] || [ -n "$newer" ]; then
	tree=$out/initramfs
	rm -rf "$tree"
	mkdir -p "$tree"
	for d in bin sbin usr/bin usr/sbin lib proc sys dev tmp root etc; do
		mkdir -p "$tree/$d"
	done
	chmod 1777 "$tree/tmp"
	# Copies CACHEDIR/root/$1 to the same path in the tree; a symbolic
	# link stays one and its target comes along.
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
	# Finds library $1 where the arm64 dynamic loader looks for it.
	libpath() {
		for dir in /lib/aarch64-linux-gnu /usr/lib/aarch64-linux-gnu /lib /usr/lib; do
			[ -e "$root$dir/$1" ] && {
				echo "$dir/$1"
				return 0
			}
		done
		die "library $1 is not in $root (add its package to PACKAGES)"
	}
	# Puts an ELF file, its interpreter, and the libraries it needs.
	put_elf() {
		put "$1"
		interp=$($readelf -l "$root$1" |
			sed -n 's/.*Requesting program interpreter: \(.*\)]$/\1/p')
		if [ -n "$interp" ]; then
			put "$interp"
		fi
		for lib in $($readelf -d "$root$1" |
			sed -n 's/.*(NEEDED).*Shared library: \[\(.*\)\]$/\1/p'); do
			p=$(libpath "$lib") || exit 1
			if ! [ -e "$tree$p" ]; then
				put_elf "$p"
			fi
		done
	}
	put /bin/busybox
	ln -s busybox "$tree/bin/sh" # the applets' links: busybox --install in /init
	for t in $RT_TOOLS; do
		put_elf "/usr/bin/$t"
	done
	# The kernel's own modules a channel's end needs: uio_pci_generic
	# binds its PCI function (insmod uio.ko first).
	for mod in uio uio_pci_generic; do
		put "/lib/modules/$krel/kernel/drivers/uio/$mod.ko"
	done
	# The project's own programs for Linux (BUILDDIR/linux/extra).
	if [ -d "$out/extra" ]; then
		cp -p "$out/extra/." "$tree/usr/bin/" 2>/dev/null ||
			cp -p "$out"/extra/* "$tree/usr/bin/"
	fi
	# The user's packages, without their documentation.
	for dir in $pkgdirs; do
		(cd "$dir" && find . ! -name .extracted ! -path './usr/share/doc*' \
			! -path './usr/share/man*' ! -path './usr/share/info*' \
			! -path './usr/share/lintian*' ! -path './usr/share/locale*' \
			-print | cpio -pdmu --quiet "$tree") ||
			die "copying $(basename "$dir") into the initramfs failed"
	done
	[ -f "$top/linux/initramfs/init" ] || die "there is no linux/initramfs/init"
	cp -R "$top/linux/initramfs/." "$tree/"
	chmod 755 "$tree/init"
	for dir in $OVERLAYS; do
		[ -d "$dir" ] || continue
		cp -R "$dir/." "$tree/" || die "copying overlay $dir failed"
	done
	# The console the kernel opens for /init before it mounts devtmpfs.
	if [ "$(id -u)" -eq 0 ]; then
		mknod -m 600 "$tree/dev/console" c 5 1
		mknod -m 666 "$tree/dev/null" c 1 3
	fi
	(cd "$tree" && find . | LC_ALL=C sort |
		cpio -o -H newc --owner=0:0 --quiet --reproducible) |
		gzip -9 -n >"$cpio_gz.tmp" || die "cpio or gzip failed"
	mv "$cpio_gz.tmp" "$cpio_gz"
	echo "$contents" >"$out/initramfs.contents"
	echo "$me: $1/linux/initramfs.cpio.gz: $(wc -c <"$cpio_gz") bytes"
fi
