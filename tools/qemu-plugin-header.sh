#!/bin/sh
# Puts qemu-plugin.h, the TCG plugin API of the QEMU installed, in DIR,
# for the benchmark plugins (tools/plugins/); make test never needs it.
# Debian ships the header in no binary package, so it comes from QEMU's
# source package, of the installed version, fetched with apt-get source
# through a private list of the system's own sources as deb-src (nothing
# of the system's apt configuration changes).
#   usage: qemu-plugin-header.sh DIR
set -eu
dir=${1:?usage: qemu-plugin-header.sh DIR}
[ -f "$dir/qemu-plugin.h" ] && exit 0
version=$(dpkg-query -W -f '${source:Version}' qemu-system-arm)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/parts" "$work/lists/partial" "$work/src"
for f in /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] && sed 's/^Types:.*/Types: deb-src/' "$f" \
		>"$work/parts/$(basename "$f")"
done
if [ -f /etc/apt/sources.list ]; then
	sed -n 's/^deb /deb-src /p' /etc/apt/sources.list >"$work/parts/main.list"
fi
apt="-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$work/parts \
-o Dir::State::Lists=$work/lists"
# shellcheck disable=SC2086 # apt's options, one word each
apt-get $apt update >"$work/log" 2>&1 ||
	{ cat "$work/log" >&2; exit 1; }
# shellcheck disable=SC2086
(cd "$work/src" && apt-get $apt source --download-only "qemu=$version") \
	>"$work/log" 2>&1 || { cat "$work/log" >&2; exit 1; }
tar -xJf "$work"/src/qemu_*.orig.tar.xz -C "$work/src" --wildcards \
	'*/include/qemu/qemu-plugin.h'
mkdir -p "$dir"
cp "$work"/src/qemu-*/include/qemu/qemu-plugin.h "$dir/"
echo "qemu-plugin-header: $dir/qemu-plugin.h from qemu $version"
