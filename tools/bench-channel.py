#!/usr/bin/env python3
"""make bench-channel: what channels cost, under -icount shift=0,sleep=off
(one instruction is one nanosecond; docs/measuring.md).

1. config/echo.dts: round trips from Linux user space through apps/echo
   on the real-time CPU and back (tenon bench: 1 and 256 bytes, blocking
   on /dev/uioN and spinning), then a stream's rate; with the el2exits
   plugin counting CPU 0's own instructions at EL2 per exit, which in this
   run are the doorbells' (a kick that injects Linux's ring, a hypercall
   that rings Linux) and nothing else the echo does.
2. The default system: latmus's summary on CPU 0 beside the heater loop,
   with Linux idle and with Linux writing the setpoint queue at full
   speed.

    usage: bench-channel.py BUILDDIR PLUGIN.so [TRIPS [FLOOD_SECONDS]]
"""
import os
import re
import subprocess
import sys
import tempfile
import time

import bench_results
import el2profile
import tenon_system

BUILD = sys.argv[1] if len(sys.argv) > 1 else "build"
PLUGIN = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
    BUILD, "tools", "el2exits.so")
TRIPS = int(sys.argv[3]) if len(sys.argv) > 3 else 10000
FLOOD = int(sys.argv[4]) if len(sys.argv) > 4 else 10


def hyp_text(system):
    """The hypervisor's text, from its symbols: _start to __text_end."""
    hyp = os.path.join(BUILD, "sys", system, "tenon.elf")
    out = subprocess.run(["aarch64-linux-gnu-nm", hyp], capture_output=True,
                         text=True, check=True).stdout
    syms = {f[2]: f[0] for f in (l.split() for l in out.splitlines())
            if len(f) == 3}
    return "0x" + syms["_start"], "0x" + syms["__text_end"]


def derive(tmp, system, name, test, rt_args=None):
    def edit(text):
        if rt_args:  # the first bootargs are the real-time partition's
            text = re.sub(r'bootargs = "[^"]*"', 'bootargs = "%s"' % rt_args,
                          text, count=1)
        return text.replace(' quiet rdinit=/init"',
                            ' rdinit=/init tenon.test=%s tenon.flood=%d '
                            'bench_trips=%d"' % (test, FLOOD, TRIPS))
    return tenon_system.derive(BUILD, system, tmp, name, edit)


def run(sysdir, system, plugin=True, limit=3600):
    start = time.time()
    cmd = ["sh", "tools/system-run.sh", "-i", "-t", str(limit)]
    if plugin:  # CPU 0's exits, and where their instructions go
        cmd += ["-P", "%s,start=%s,end=%s,profile=0" % (
            os.path.abspath(PLUGIN), *hyp_text(system))]
    r = subprocess.run(cmd + [sysdir], stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, errors="replace")
    return r.stdout.replace("\r", "").splitlines(), time.time() - start


def show(lines, patterns):
    for line in lines:
        if any(re.search(p, line) for p in patterns):
            print(line, flush=True)


TRIP = re.compile(r"bench q: (\d+) round trips of (\d+) bytes, (blocking on "
                  r"/dev/uio|spinning): min ([0-9.]+) avg ([0-9.]+) max "
                  r"([0-9.]+) us")
EXITS = re.compile(r"^el2exits: CPU 0: (\d+) exits, instructions at EL2 per "
                   r"exit: average (\d+), longest (\d+), (\d+) over")


def results(lines):
    """The round trips' and CPU 0's doorbell tables of the echo run, or
    None when the run printed either incompletely."""
    trips = []
    for line in lines:
        m = TRIP.search(line)
        if m:
            size = "1 byte" if m.group(2) == "1" else m.group(2) + " bytes"
            how = ("blocking on `/dev/uioN`" if m.group(3).startswith("b")
                   else "Linux spinning on the queue")
            trips.append(["%s, %s" % (size, how)] +
                         ["%s us" % m.group(i) for i in (4, 5, 6)])
    exits = [m for m in (EXITS.match(l) for l in lines) if m]
    if len(trips) != 4 or not exits:
        return None
    t = bench_results.thousands
    m = exits[-1]
    door = [["%s trips of each kind and 4 MiB of stream, el2exits "
             "(instructions)" % t(TRIPS), t(int(m.group(1))),
             t(int(m.group(2))), t(int(m.group(3))), t(int(m.group(4)))]]
    return {"trips": bench_results.table(
        ["Linux user space -> real-time thread -> Linux user space", "min",
         "avg", "max"], trips),
        "doorbells": bench_results.table(
            ["CPU 0", "exits", "average", "longest", "over 2,000"], door)}


def main():
    tables = None
    with tempfile.TemporaryDirectory() as tmp:
        print("== round trips Linux user space -> real-time thread -> Linux "
              "user space (%d each), and a stream" % TRIPS, flush=True)
        lines, took = run(derive(tmp, "echo", "bench", "bench",
                                 "-q -x quit"), "echo")
        show(lines, [r"bench q|bench s", r"^el2exits: CPU 0",
                     r"^el2exits:  ", r"tenon bench"])
        print("\n".join(el2profile.table(
            lines, os.path.join(BUILD, "sys", "echo", "tenon.elf"))))
        tables = results(lines)
        print("(%.0f s of wall-clock time)" % took, flush=True)
        for name, test, what in (
                ("idle", "poweroff", "Linux powered off at once"),
                ("flood", "chanflood",
                 "Linux writing the setpoint queue at full speed")):
            print("== latmus on CPU 0 beside the heater loop, %s (%d s)"
                  % (what, FLOOD + 8), flush=True)
            lines, took = run(derive(tmp, "qemu-virt", name, test,
                                     "-T %d" % (FLOOD + 8)), "qemu-virt",
                              plugin=False)
            # Each second's line: the first seconds are Linux's boot,
            # when the emulator's round-robin delays CPU 0 most.
            show(lines, [r"^\[rt\] RT[DS]\|", r"bench setpoint",
                         r"setpoint=", r"flooding", r"linux: powered off"])
            print("(%.0f s of wall-clock time)" % took, flush=True)
    print("(QEMU virt, 4 CPUs, cortex-a72, -icount shift=0,sleep=off; rt on "
          "CPU 0, Linux on CPUs 1-3; round trips timed by Linux with the "
          "system counter, end to end, so they include the other vCPUs' "
          "round-robin turns; el2exits: CPU 0's own instructions from the "
          "vector to ERET)")
    if tables is None:
        raise SystemExit("bench-channel: the round trips or CPU 0's exits "
                         "were not all printed; no results written")
    print("results: " + bench_results.write(
        BUILD, "bench-channel", "make bench-channel", tables))


if __name__ == "__main__":
    main()
