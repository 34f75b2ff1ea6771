#!/usr/bin/env python3
"""The hypervisor's console split into one tmux pane per partition.

The hypervisor writes one stream, each line prefixed by its writer
("[linux] ", "[rt] ", "[tenon] " for itself). The hub runs QEMU with that
console on a Unix socket, cuts the stream at each line's prefix and sends
each partition's lines, the prefix taken off, to that partition's pane;
the hypervisor's lines, QEMU's own and any line whose prefix names no
partition (kept whole) go to a small "tenon" pane. A line without its
newline (a shell's prompt) is passed on at once, and what the partition
writes next goes on it. The hypervisor shows a partition's control
characters in caret notation, so that no partition can forge another's
line; in a partition's own pane there is nothing to forge, so three of
them are given back (^[ before "[", a terminal's control sequence: ESC;
^H: backspace; ^M: carriage return): the partition's shell can query and
move the cursor in its pane. Keys typed in any pane go to QEMU unchanged:
Ctrl-] n (the hypervisor's focus), Ctrl-A x (quit QEMU) and the rest.
When QEMU exits the session ends, and the hub exits with QEMU's status.

    usage: console-panes.py hub -d DIR [-p PART]... [--attach] [--no-tmux]
                                [--notes FILE] -- QEMU-COMMAND...
           console-panes.py pane SOCKET
  hub     DIR is a fresh directory: the QEMU command's console chardev is
          DIR/serial (socket,server=on); each pane's socket is DIR/NAME.sock
          and the tmux server's DIR/tmux. -p: the partitions with a pane,
          the first one the focused pane. --attach: attach this terminal to
          the session. --no-tmux: start no session (a test connects the
          panes itself). --notes: a file shown first in the tenon pane.
  pane    one pane's end: shows what the hub sends, sends what is typed.
"""
import argparse
import os
import re
import selectors
import signal
import socket
import subprocess
import sys
import termios
import time

HYP = "tenon"
PREFIX = re.compile(rb"\[([A-Za-z0-9_-]{1,32})\] ")
# The start of a line that may still become a prefix.
MAYBE_PREFIX = re.compile(rb"\[[A-Za-z0-9_-]{0,32}\]?")
IDLE_S = 0.3  # a line's start that is not yet a prefix is shown after
BACKLOG = 1 << 20  # bytes kept for a pane whose end is not connected


class Restorer:
    """Gives back, in one partition's pane, the control characters its
    shell needs (see above), across the chunks the stream comes in."""
    CODES = {b"^[[": b"\x1b[", b"^H": b"\b", b"^M": b"\r"}
    PATTERN = re.compile(rb"\^\[\[|\^H|\^M")

    def __init__(self):
        self.carry = b""

    def feed(self, data):
        data, self.carry = self.carry + data, b""
        # A code cut at the chunk's end waits for the rest.
        for tail in (b"^[", b"^"):
            if data.endswith(tail):
                data, self.carry = data[:-len(tail)], tail
                break
        return self.PATTERN.sub(lambda m: self.CODES[m.group(0)], data)

    def flush(self):
        data, self.carry = self.carry, b""
        return data


class Splitter:
    """Cuts the console stream by line prefix: feed() and flush() return
    [(pane, bytes)], pane a partition's name or HYP."""

    def __init__(self, names):
        self.names = set(names)
        self.current = None  # the writer of the line under way; None: at a line's start
        self.pending = b""  # a line's start that may yet be a prefix

    def feed(self, data):
        out = []
        data, self.pending = self.pending + data, b""
        i = 0
        while i < len(data):
            if self.current is None:
                m = PREFIX.match(data, i)
                if m:
                    name = m.group(1).decode()
                    if name in self.names or name == HYP:
                        self.current = name
                        i = m.end()
                    else:
                        self.current = HYP  # the line is kept whole
                    continue
                if MAYBE_PREFIX.fullmatch(data, i):
                    self.pending = data[i:]
                    break
                self.current = HYP
                continue
            j = data.find(b"\n", i)
            end = len(data) if j < 0 else j + 1
            self._emit(out, self.current, data[i:end])
            if j >= 0:
                self.current = None
            i = end
        return out

    def flush(self):
        """After IDLE_S without data: a line's start held as a possible
        prefix is no prefix (a "[" and nothing after it)."""
        out = []
        if self.pending:
            self.current = HYP
            self._emit(out, HYP, self.pending)
            self.pending = b""
        return out

    @staticmethod
    def _emit(out, pane, data):
        if out and out[-1][0] == pane:
            out[-1] = (pane, out[-1][1] + data)
        elif data:
            out.append((pane, data))


def tmux_session(tmux, names, d, notes):
    """A session of one window: the first partition's pane on the left,
    the others in a column on the right, the tenon pane along the bottom."""
    me = [sys.executable, os.path.abspath(__file__), "pane"]

    def pane_cmd(name):
        return " ".join(me + [os.path.join(d, name + ".sock")])

    def t(*args):
        subprocess.run(tmux + list(args), check=True,
                       stdout=subprocess.DEVNULL)

    first, others = names[0], names[1:]
    t("-f", "/dev/null", "new-session", "-d", "-s", "tenon", "-x", "160",
      "-y", "48", pane_cmd(first))
    t("set-option", "-g", "remain-on-exit", "off")
    t("set-option", "-g", "mouse", "on")
    t("set-option", "-g", "pane-border-status", "top")
    t("set-option", "-g", "pane-border-format", " #{pane_title} ")
    t("set-option", "-g", "status-right",
      "Ctrl-B o: next pane  Ctrl-A x: quit ")
    t("select-pane", "-t", "tenon:0.0", "-T", first)
    for k, name in enumerate(others):
        if k == 0:
            t("split-window", "-h", "-l", "45%", "-t", "tenon:0.0",
              pane_cmd(name))
        else:
            t("split-window", "-v", "-t", "tenon:0.%d" % k, pane_cmd(name))
        t("select-pane", "-T", name)
    t("split-window", "-v", "-f", "-l", "8", "-t", "tenon:0", pane_cmd(HYP))
    t("select-pane", "-T", "tenon (hypervisor, QEMU)")
    t("select-pane", "-t", "tenon:0.0")


class Hub:
    def __init__(self, args):
        self.args, self.d = args, args.dir
        self.names = list(args.part)
        self.splitter = Splitter(self.names)
        self.sel = selectors.DefaultSelector()
        self.clients = {}  # pane -> socket
        self.backlog = {n: b"" for n in self.names + [HYP]}
        self.restorers = {n: Restorer() for n in self.names}
        self.tmux = ["tmux", "-S", os.path.join(self.d, "tmux")]
        self.session = False

    def route(self, parts, idle=False):
        """Sends the splitter's [(pane, bytes)] on; when idle, what the
        restorers held back too."""
        for pane, data in parts:
            if pane in self.restorers:
                data = self.restorers[pane].feed(data)
            self.send(pane, data)
        if idle:
            for pane, r in self.restorers.items():
                self.send(pane, r.flush())

    def send(self, pane, data):
        if not data:
            return
        c = self.clients.get(pane)
        if c:
            try:
                c.sendall(data)
                return
            except OSError:
                self.drop(pane)
        self.backlog[pane] = (self.backlog[pane] + data)[-BACKLOG:]

    def drop(self, pane):
        c = self.clients.pop(pane, None)
        if c:
            self.sel.unregister(c)
            c.close()

    def listen(self):
        for name in self.backlog:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.bind(os.path.join(self.d, name + ".sock"))
            s.listen(2)
            self.sel.register(s, selectors.EVENT_READ, ("listen", name))

    def connect_serial(self, qemu):
        path = os.path.join(self.d, "serial")
        for _ in range(300):
            if qemu.poll() is not None:
                return None
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(path)
                return s
            except OSError:
                s.close()
                time.sleep(0.05)
        return None

    def run(self):
        self.listen()
        if self.args.notes:
            with open(self.args.notes, "rb") as f:
                self.send(HYP, f.read())
        qemu = subprocess.Popen(["setpriv", "--pdeathsig", "KILL"] +
                                self.args.command,
                                stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
        attach = None
        try:
            serial = self.connect_serial(qemu)
            if serial is None:
                out = qemu.stdout.read() if qemu.poll() is not None else b""
                sys.stderr.write("console-panes.py: QEMU's console socket "
                                 "never opened\n" + out.decode(errors="replace"))
                return qemu.wait() or 1
            self.sel.register(serial, selectors.EVENT_READ, ("serial", None))
            self.sel.register(qemu.stdout, selectors.EVENT_READ,
                              ("qemu", None))
            if not self.args.no_tmux:
                tmux_session(self.tmux, self.names, self.d, self.args.notes)
                self.session = True
            if self.args.attach:
                env = dict(os.environ)
                env.pop("TMUX", None)  # also from inside another tmux
                attach = subprocess.Popen(self.tmux + ["attach", "-t", "tenon"],
                                          env=env)
            self.loop(serial, qemu, attach)
            return qemu.wait()
        finally:
            if qemu.poll() is None:
                qemu.terminate()
                try:
                    qemu.wait(5)
                except subprocess.TimeoutExpired:
                    qemu.kill()
            for pane in list(self.clients):
                self.drop(pane)
            if self.session:
                subprocess.run(self.tmux + ["kill-server"],
                               stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
            if attach:
                attach.wait()

    def loop(self, serial, qemu, attach):
        last = time.time()
        while True:
            if attach and attach.poll() is not None:
                attach = None
                alive = subprocess.run(self.tmux + ["has-session", "-t",
                                                    "tenon"],
                                       stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)
                if alive.returncode != 0:
                    return  # the session was closed: QEMU goes too
                sys.stderr.write("console-panes.py: detached; QEMU runs on: "
                                 "%s attach -t tenon\n" % " ".join(self.tmux))
            events = self.sel.select(IDLE_S)
            if not events and time.time() - last >= IDLE_S:
                self.route(self.splitter.flush(), idle=True)
            for key, _ in events:
                kind, name = key.data
                if kind == "serial":
                    data = serial.recv(65536)
                    if not data:
                        self.route(self.splitter.flush(), idle=True)
                        return
                    last = time.time()
                    self.route(self.splitter.feed(data))
                elif kind == "qemu":
                    data = os.read(qemu.stdout.fileno(), 65536)
                    if not data:
                        self.sel.unregister(qemu.stdout)
                        continue
                    lines = [l for l in data.splitlines(True)
                             if b"QEMU waiting for connection" not in l]
                    self.send(HYP, b"".join(lines))
                elif kind == "listen":
                    c, _ = key.fileobj.accept()
                    self.drop(name)
                    self.clients[name] = c
                    self.sel.register(c, selectors.EVENT_READ,
                                      ("pane", name))
                    backlog, self.backlog[name] = self.backlog[name], b""
                    self.send(name, backlog)
                else:
                    try:
                        keys = key.fileobj.recv(4096)
                    except OSError:
                        keys = b""
                    if not keys:
                        self.drop(name)
                        continue
                    serial.sendall(keys)


def pane(path):
    """Shows what the hub sends; what is typed goes to the hub byte for
    byte (the terminal is raw on input: no echo, no line editing, no
    signal keys; output keeps its newline handling)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    for _ in range(100):
        try:
            s.connect(path)
            break
        except OSError:
            time.sleep(0.05)
    else:
        sys.exit("console-panes.py: cannot connect to %s" % path)
    saved = None
    if os.isatty(0):
        saved = termios.tcgetattr(0)
        mode = termios.tcgetattr(0)
        mode[0] &= ~(termios.IXON | termios.ICRNL | termios.INLCR |
                     termios.ISTRIP | termios.BRKINT)
        mode[3] &= ~(termios.ECHO | termios.ICANON | termios.ISIG |
                     termios.IEXTEN)
        mode[6][termios.VMIN], mode[6][termios.VTIME] = 1, 0
        termios.tcsetattr(0, termios.TCSANOW, mode)
    sel = selectors.DefaultSelector()
    sel.register(s, selectors.EVENT_READ)
    sel.register(0, selectors.EVENT_READ)
    try:
        while True:
            for key, _ in sel.select():
                if key.fileobj is s:
                    data = s.recv(65536)
                    if not data:
                        return
                    os.write(1, data)
                else:
                    keys = os.read(0, 4096)
                    if not keys:
                        sel.unregister(0)
                        continue
                    s.sendall(keys)
    finally:
        if saved:
            termios.tcsetattr(0, termios.TCSANOW, saved)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="mode", required=True)
    h = sub.add_parser("hub")
    h.add_argument("-d", "--dir", required=True)
    h.add_argument("-p", "--part", action="append", default=[])
    h.add_argument("--attach", action="store_true")
    h.add_argument("--no-tmux", action="store_true")
    h.add_argument("--notes")
    h.add_argument("command", nargs="+")
    c = sub.add_parser("pane")
    c.add_argument("socket")
    args = p.parse_args()
    if args.mode == "pane":
        pane(args.socket)
        return 0
    if not args.part:
        p.error("hub: name the partitions with -p")
    if HYP in args.part:
        p.error("hub: -p %s: that is the hypervisor's pane" % HYP)
    # timeout(1) and a test runner stop the hub with TERM: QEMU and the
    # session go with it (the finally of Hub.run).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    signal.signal(signal.SIGHUP, lambda *_: sys.exit(128 + signal.SIGHUP))
    return Hub(args).run()


if __name__ == "__main__":
    sys.exit(main())
