#!/usr/bin/env python3
"""Wake-up latency of the real-time core inside its partition, beside
Linux, measured by latmus on CPU 0 under -icount shift=0,sleep=off (one
instruction is one nanosecond): once with Linux idle at its shell, once
with Linux running hackbench in a loop on its three CPUs. Prints latmus's
RTD and RTS lines for each.

    usage: bench-partition.py BUILDDIR [SECONDS]
"""
import os
import re
import subprocess
import sys
import tempfile
import time

import tenon_system

BUILD = sys.argv[1] if len(sys.argv) > 1 else "build"
SECONDS = int(sys.argv[2]) if len(sys.argv) > 2 else 10


def system(tmp, name, linux_test):
    def edit(text):
        text = re.sub(r'bootargs = "-T [0-9]+"', 'bootargs = "-T %d"' %
                      SECONDS, text)
        if linux_test:
            text = text.replace('rdinit=/init"',
                                'rdinit=/init tenon.test=%s"' % linux_test)
        return text
    return tenon_system.derive(BUILD, "qemu-virt", tmp, name, edit)


def run(sysdir, limit=1800):
    proc = subprocess.Popen(["sh", "tools/system-run.sh", "-i", sysdir],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True,
                            errors="replace")
    lines, start = [], time.time()
    try:
        for line in proc.stdout:
            line = line.rstrip("\r\n")
            lines.append(line)
            if line.startswith("[rt] RTS|") or time.time() - start > limit:
                break
    finally:
        proc.kill()
        proc.wait()
    return lines


def main():
    with tempfile.TemporaryDirectory() as tmp:
        for name, test, what in (("idle", None, "Linux idle at its shell"),
                                 ("load", "hackbench",
                                  "Linux running hackbench on CPUs 1-3")):
            print("== latmus in the real-time partition, CPU 0, %d s, %s"
                  % (SECONDS, what), flush=True)
            for line in run(system(tmp, name, test)):
                if re.match(r"^\[rt\] (RTD|RTS|# first)", line) or \
                        "hackbench" in line:
                    print(line, flush=True)
    print("(QEMU virt, 4 CPUs, cortex-a72, -icount shift=0,sleep=off; us; "
          "the first RTD line includes Linux's boot)")


if __name__ == "__main__":
    main()
