#!/bin/sh
# Starts a real-time application from tools/app-template.c.
#   usage: new-app.sh NAME DIR   (make new-app NAME=x [DIR=path])
# DIR/NAME.c is written; DIR must not exist yet or be empty.
set -eu
name=${1:-} dir=${2:-}
case $name in
"") echo "new-app: give the name: make new-app NAME=myapp" >&2; exit 2 ;;
*[!a-z0-9_-]* | [!a-z]*)
	echo "new-app: NAME=$name: use lower-case letters, digits, - and _, starting with a letter" >&2
	exit 2 ;;
esac
[ "$name" != latbench ] || { echo "new-app: latbench is taken" >&2; exit 2; }
if [ -e "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
	echo "new-app: $dir exists and is not empty; choose another NAME or DIR" >&2
	exit 2
fi
if [ "$dir" != "apps/$name" ] && [ "$(basename "$dir")" != "$name" ]; then
	echo "new-app: DIR=$dir: the directory's name must be the application's ($name)" >&2
	exit 2
fi
mkdir -p "$dir"
sed "s/APPNAME/$name/g" "$(dirname "$0")/app-template.c" >"$dir/$name.c"
echo "new-app: wrote $dir/$name.c"
case $dir in
apps/*) how="APP=$name" ;;
*) how="APP_DIR=$dir" ;;
esac
echo "  make run-sim $how     runs it on the host simulator"
echo "  make run-rt $how      runs it alone on QEMU virt"
