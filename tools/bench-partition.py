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

import bench_results
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


def seconds(lines):
    """latmus's per-second RTD lines: (min, avg, max, overruns) in us."""
    out = []
    for line in lines:
        m = re.match(r"^\[rt\] RTD\|([^|]+)\|([^|]+)\|([^|]+)\|([^|]+)\|",
                     line)
        if m:
            out.append((float(m.group(1)), float(m.group(2)),
                        float(m.group(3)), int(m.group(4))))
    return out


def rows_of(what, secs, worst):
    """The table's rows of one run: its first second (Linux's boot), its
    steady seconds (3 on), and with worst, the steady second of the
    longest wake-up. latmus's overruns are a running total."""
    us = "%.3f us"
    t = bench_results.thousands

    def row(name, when, mn, avg, mx, overruns):
        return [what + ", " + name, when, us % mn, avg, us % mx, t(overruns)]
    rows = [row("first second (Linux booting)", "s 1", secs[0][0],
                us % secs[0][1], secs[0][2], secs[0][3])]
    steady = secs[2:]
    if not steady:
        return rows
    lo = min(s[1] for s in steady)
    hi = max(s[1] for s in steady)
    rows.append(row("steady", "s 3-%d" % len(secs),
                    min(s[0] for s in steady),
                    us % lo if lo == hi else "%.3f-%.3f us" % (lo, hi),
                    max(s[2] for s in steady), secs[-1][3] - secs[1][3]))
    if worst:
        i = max(range(2, len(secs)), key=lambda k: secs[k][2])
        rows.append(row("worst second", "s %d" % (i + 1), secs[i][0],
                        us % secs[i][1], secs[i][2],
                        secs[i][3] - secs[i - 1][3]))
    return rows


def main():
    table = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, test, what in (("idle", None, "Linux idle at its shell"),
                                 ("load", "hackbench",
                                  "Linux running hackbench on CPUs 1-3")):
            print("== latmus in the real-time partition, CPU 0, %d s, %s"
                  % (SECONDS, what), flush=True)
            lines = run(system(tmp, name, test))
            for line in lines:
                if re.match(r"^\[rt\] (RTD|RTS|# first)", line) or \
                        "hackbench" in line:
                    print(line, flush=True)
            secs = seconds(lines)
            if not secs:
                raise SystemExit("bench-partition: %s: latmus printed no "
                                 "RTD line; no results written" % name)
            table += rows_of({"idle": "Linux idle",
                              "load": "Linux running hackbench"}[name], secs,
                             name == "load")
    print("(QEMU virt, 4 CPUs, cortex-a72, -icount shift=0,sleep=off; us; "
          "the first RTD line includes Linux's boot)")
    print("results: " + bench_results.write(
        BUILD, "bench-partition", "make bench-partition",
        {"runs": bench_results.table(
            ["case", "seconds", "min", "avg", "max", "overruns"], table)}))


if __name__ == "__main__":
    main()
