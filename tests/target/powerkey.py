#!/usr/bin/env python3
"""The power key of QEMU virt as a real-time device, tested from outside:
boots powerkey.elf alone on the machine, presses the key through QEMU's
monitor (system_powerdown raises PL061 line 3, SPI 7) each time the
application waits for it, and checks that every press was handled where
it should be: in interrupt context, then by a handler thread. Prints one
result line per check (tests/report.py) and ends with "powerkey: N passed,
N failed, N skipped".
  usage: powerkey.py BINDIR"""
import os
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
RUN = os.path.join(HERE, "..", "..", "tools", "qemu-run.sh")
sys.path.insert(0, os.path.join(HERE, ".."))
import report  # noqa: E402

REPORT = report.Report()


class Monitor:
    """QEMU's human monitor on a Unix socket: one command at a time, each
    done once the monitor prompts again."""

    def __init__(self, path):
        # QEMU has just been started: the socket may not be there yet.
        for _ in range(50):
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                time.sleep(0.2)
        else:
            raise OSError("no QEMU monitor at " + path)
        self.sock.settimeout(10)
        self.read_prompt()

    def read_prompt(self):
        seen = b""
        while not seen.endswith(b"(qemu) "):
            data = self.sock.recv(4096)
            if not data:
                raise OSError("the QEMU monitor went away")
            seen += data

    def command(self, text):
        self.sock.sendall((text + "\n").encode())
        self.read_prompt()

    def close(self):
        self.sock.close()


def run(image, args, presses, expect, limit=60):
    """Boots image with args, presses the key `presses` times; returns the
    console lines and whether the application ended normally."""
    sock = os.path.join(tempfile.mkdtemp(), "monitor")
    proc = subprocess.Popen(
        ["sh", RUN, "-n", "2", "-t", str(limit), "-q", sock, image] + args,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines, pressed, monitor = [], 0, None
    deadline = time.time() + limit
    for raw in proc.stdout:
        line = raw.rstrip("\r\n")
        lines.append(line)
        waiting = line.startswith("powerkey: waiting for")
        handled = line.startswith("powerkey: press ")
        if (waiting or handled) and pressed < presses:
            pressed += 1
            # QEMU holds the key down for 100 ms: a press must come after
            # the last one's release to make a new edge.
            time.sleep(0.3)
            try:
                monitor = monitor or Monitor(sock)
                monitor.command("system_powerdown")
            except OSError as e:
                lines.append("(%s)" % e)
                break
        if line.startswith("tenon: halted") or time.time() > deadline:
            break
    if monitor:
        monitor.close()
    # timeout(1), which qemu-run.sh runs QEMU under, passes TERM on.
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    clean = "tenon: application exited with status 0" in lines
    ok = clean and all(any(e in l for l in lines) for e in expect)
    return ok, lines


def check(name, image, args, presses, expect):
    ok, lines = run(image, args, presses, expect)
    REPORT.check(name, ok, "expected %s; the console said:" % expect,
                 lines[-15:])


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    image = os.path.join(sys.argv[1], "powerkey.elf")
    check("powerkey-press-handled-in-interrupt-context", image, ["-n", "2"],
          2, ["press 1 handled on cpu0 in interrupt context",
              "press 2 handled on cpu0 in interrupt context"])
    check("powerkey-press-handled-by-handler-thread", image,
          ["-n", "2", "-p", "80"], 2,
          ["press 1 handled on cpu0 by its thread",
           "press 2 handled on cpu0 by its thread"])
    return REPORT.summary("powerkey")


if __name__ == "__main__":
    sys.exit(main())
