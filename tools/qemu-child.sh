# Sourced by qemu-run.sh and system-run.sh: runs QEMU as a child, so that
# the script can read its console log afterwards, yet dies with the script.
#   qemu_child LIMIT COMMAND...   sets $rc to QEMU's exit status (124:
#                                 stopped after LIMIT seconds; "" for none)
# QEMU (and timeout) get SIGKILL if the script is killed, even by SIGKILL:
# a test runner that kills the script leaves no emulator behind.
qemu_child() {
	limit=$1
	shift
	rc=0
	if [ -n "$limit" ]; then
		setpriv --pdeathsig KILL timeout --foreground -k 5 "$limit" \
			setpriv --pdeathsig KILL "$@" || rc=$?
	else
		setpriv --pdeathsig KILL "$@" || rc=$?
	fi
	[ "$rc" -ne 137 ] || [ -z "$limit" ] || rc=124
}

# gdb_port: sets $port to GDB_PORT, or else to a TCP port free on the
# loopback now, for QEMU's gdb server (-gdb tcp:127.0.0.1:$port).
gdb_port() {
	port=${GDB_PORT:-$(python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')}
}

# plain_note VCPUS: without instruction counting, says what timing figures
# printed on the console mean (docs/measuring.md).
plain_note() {
	echo "note: plain emulation: $1 virtual CPUs share $(nproc) host cores and time is the host's," >&2
	echo "      so the latencies and rates printed below measure this host, not Tenon;" >&2
	echo "      ICOUNT=1 (-i: instruction-counted time) gives figures that do (docs/measuring.md)." >&2
}
