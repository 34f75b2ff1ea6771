#!/usr/bin/env python3
"""The console's cost to the real-time CPU: the default system under
-icount shift=0,sleep=off (one instruction is one nanosecond), latmus on
CPU 0, once with Linux powered off at once (the baseline) and once with
Linux writing to its console at full speed (`yes`) for FLOOD seconds.
At power-off the hypervisor logs, per CPU, how many exits it took and
their time at EL2 (average, longest, how many over 2 us); this prints
those lines, latmus's summary and what the console dropped.

    usage: bench-console.py BUILDDIR [FLOOD_SECONDS]
"""
import os
import re
import subprocess
import sys
import tempfile
import time

import tenon_system

BUILD = sys.argv[1] if len(sys.argv) > 1 else "build"
FLOOD = int(sys.argv[2]) if len(sys.argv) > 2 else 5


def system(tmp, name, linux_test, seconds):
    def edit(text):
        text = re.sub(r'bootargs = "-T [0-9]+"', 'bootargs = "-T %d"' %
                      seconds, text)
        return text.replace('rdinit=/init"', 'rdinit=/init tenon.test=%s '
                            'tenon.flood=%d"' % (linux_test, FLOOD))
    return tenon_system.derive(BUILD, "qemu-virt", tmp, name, edit)


def run(sysdir, limit=1800):
    start = time.time()
    r = subprocess.run(["sh", "tools/system-run.sh", "-i", "-t", str(limit),
                        sysdir], stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, errors="replace")
    return r.stdout.replace("\r", "").splitlines(), time.time() - start


def main():
    with tempfile.TemporaryDirectory() as tmp:
        for name, test, seconds, what in (
                ("idle", "poweroff", 6, "Linux powered off at once"),
                ("flood", "flood", FLOOD + 9,
                 "Linux running `yes` on its console for %d s" % FLOOD)):
            print("== the console's cost to CPU 0 (latmus, %d s), %s"
                  % (seconds, what), flush=True)
            lines, took = run(system(tmp, name, test, seconds))
            shown = sum(len(l) + 1 for l in lines if "tenon-flood" in l)
            for line in lines:
                if re.match(r"^\[tenon\] (CPU \d|partition linux: \d+ bytes)",
                            line) or re.match(r"^\[rt\] RTS\|", line) or \
                        "flooding" in line:
                    print(line, flush=True)
            if test == "flood":
                print("flood lines shown: %d bytes" % shown)
            print("(%.0f s of wall-clock time)" % took, flush=True)
    print("(QEMU virt, 4 CPUs, cortex-a72, -icount shift=0,sleep=off; rt on "
          "CPU 0, Linux on CPUs 1-3, the console on CPU 1; ns at EL2 per "
          "exit, from the saved guest registers to vgic_sync's end)")


if __name__ == "__main__":
    main()
