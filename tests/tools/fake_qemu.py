#!/usr/bin/env python3
"""QEMU's end of a console socket, for tests/tools/run.py: listens on
SERIAL as QEMU's socket chardev does (server=on,wait=on), writes the
chunks of STREAM (a Python list of bytes literals, one chunk per item,
a short pause between them), then records every key it receives in KEYS
until Ctrl-A x (QEMU's quit) and exits with STATUS, after a line on its
standard error as QEMU says it quits.

    usage: fake_qemu.py SERIAL STREAM KEYS STATUS
"""
import ast
import socket
import sys
import time

serial, stream, keys_path, status = sys.argv[1:5]
with open(stream) as f:
    chunks = ast.literal_eval(f.read())
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(serial)
srv.listen(1)
conn, _ = srv.accept()
for chunk in chunks:
    conn.sendall(chunk)
    time.sleep(0.02)
keys = b""
conn.settimeout(20)
try:
    while not keys.endswith(b"\x01x"):
        data = conn.recv(4096)
        if not data:
            break
        keys += data
except socket.timeout:
    pass
with open(keys_path, "wb") as f:
    f.write(keys)
sys.stderr.write("fake-qemu: terminating on Ctrl-A x\n")
conn.close()
sys.exit(int(status))
