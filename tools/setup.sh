#!/bin/sh
# Installs, with apt-get, the Debian packages that building, running and
# testing Tenon need. Idempotent: when every package is already installed it
# only asks dpkg and returns, so `make test` starts at once the second time.
set -eu

PACKAGES="make gcc g++ libc6-dev python3 cpio valgrind clang-format \
gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu qemu-system-arm \
device-tree-compiler libfdt-dev gdb-multiarch qemu-user libc6-dev-arm64-cross tmux"

missing=""
for pkg in $PACKAGES; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	case "$status" in
	*"install ok installed"*) ;;
	*) missing="$missing $pkg" ;;
	esac
done

[ -z "$missing" ] && exit 0

echo "setup: installing:$missing"
if [ "$(id -u)" -eq 0 ]; then
	as_root=""
elif command -v sudo >/dev/null 2>&1; then
	as_root="sudo"
else
	echo "setup: these Debian packages are missing:$missing" >&2
	echo "setup: run 'make setup' as root, or install them with apt-get" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
$as_root apt-get update -q
# shellcheck disable=SC2086 # word splitting of the package list is wanted
$as_root apt-get install -y -q --no-install-recommends $missing
