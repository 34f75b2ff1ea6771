#!/usr/bin/env python3
"""The console's cost to the real-time CPU: the default system under
-icount shift=0,sleep=off (one instruction is one nanosecond), latmus on
CPU 0, once with Linux powered off at once (the baseline) and once with
Linux writing to its console at full speed (`yes`) for FLOOD seconds.
Two counts of each exit's cost at EL2, per CPU: the hypervisor's own
(its clock, logged at power-off: "[tenon] CPU n: ..."), which under
load also counts the other vCPUs' round-robin turns, and the el2exits
plugin's (tools/plugins/el2exits.c: the CPU's own instructions, "el2exits:
CPU n: ..."). Prints those lines, latmus's summary and what the console
dropped, and writes CPU 0's figures to BUILDDIR/bench/bench-console.json
(tools/bench-docs.py).

    usage: bench-console.py BUILDDIR PLUGIN.so [FLOOD_SECONDS]
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
PLUGIN = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
    BUILD, "tools", "el2exits.so")
FLOOD = int(sys.argv[3]) if len(sys.argv) > 3 else 5
HYP = os.path.join(BUILD, "sys", "qemu-virt", "tenon.elf")


def hyp_text():
    """The hypervisor's text, from its symbols: _start to __text_end."""
    out = subprocess.run(["aarch64-linux-gnu-nm", HYP], capture_output=True,
                         text=True, check=True).stdout
    syms = {f[2]: f[0] for f in (l.split() for l in out.splitlines())
            if len(f) == 3}
    return "0x" + syms["_start"], "0x" + syms["__text_end"]


def system(tmp, name, linux_test, seconds):
    def edit(text):
        text = re.sub(r'bootargs = "-T [0-9]+"', 'bootargs = "-T %d"' %
                      seconds, text)
        return text.replace('rdinit=/init"', 'rdinit=/init tenon.test=%s '
                            'tenon.flood=%d"' % (linux_test, FLOOD))
    return tenon_system.derive(BUILD, "qemu-virt", tmp, name, edit)


def run(sysdir, limit=1800):
    start = time.time()
    text = hyp_text()
    plugin = "%s,start=%s,end=%s" % (os.path.abspath(PLUGIN), *text)
    r = subprocess.run(["sh", "tools/system-run.sh", "-i", "-t", str(limit),
                        "-P", plugin, sysdir], stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, errors="replace")
    return r.stdout.replace("\r", "").splitlines(), time.time() - start


PLUGIN_CPU0 = re.compile(r"^el2exits: CPU 0: (\d+) exits, instructions at "
                         r"EL2 per exit: average (\d+), longest (\d+), "
                         r"(\d+) over")
HYP_CPU0 = re.compile(r"^\[tenon\] CPU 0: (\d+) exits, time at EL2 per "
                      r"exit: average (\d+) ns, longest (\d+) ns, (\d+) "
                      r"over")


def cpu0_rows(lines, what):
    """The table's two rows of CPU 0 for one run, or None."""
    t = bench_results.thousands
    rows = []
    for pattern, how, unit in ((PLUGIN_CPU0, "el2exits (instructions)", ""),
                               (HYP_CPU0, "hypervisor's clock", " ns")):
        m = next((pattern.match(l) for l in lines if pattern.match(l)), None)
        if not m:
            return None
        n = [int(x) for x in m.groups()]
        rows.append(["%s, %s" % (what, how), t(n[0]), t(n[1]) + unit,
                     t(n[2]) + unit, t(n[3])])
    return rows


def main():
    table, failed = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for name, test, seconds, what in (
                ("idle", "poweroff", 6, "Linux powered off at once"),
                ("flood", "flood", FLOOD + 9,
                 "Linux running `yes` on its console for %d s" % FLOOD)):
            print("== the console's cost to CPU 0 (latmus, %d s), %s"
                  % (seconds, what), flush=True)
            lines, took = run(system(tmp, name, test, seconds))
            rows = cpu0_rows(lines, {"idle": "Linux off", "flood":
                                     "Linux flooding its console"}[name])
            if rows:
                table += rows
            else:
                failed.append(name)
            shown = sum(len(l) + 1 for l in lines if "tenon-flood" in l)
            for line in lines:
                if re.match(r"^\[tenon\] (CPU \d|partition linux: \d+ bytes)",
                            line) or re.match(r"^\[rt\] RTS\|", line) or \
                        "flooding" in line or line.startswith("el2exits:"):
                    print(line, flush=True)
            if test == "flood":
                print("flood lines shown: %d bytes" % shown)
            print("(%.0f s of wall-clock time)" % took, flush=True)
    print("(QEMU virt, 4 CPUs, cortex-a72, -icount shift=0,sleep=off; rt on "
          "CPU 0, Linux on CPUs 1-3, the console on CPU 1; [tenon]: ns at "
          "EL2 per exit on the hypervisor's clock, from the saved guest "
          "registers to the exit handler's end; el2exits: the CPU's own "
          "instructions from the vector to ERET)")
    if failed:
        raise SystemExit("bench-console: no CPU 0 exit counts in the %s "
                         "run; no results written" % ", ".join(failed))
    cmd = "make bench-console" if FLOOD == 5 else \
        "python3 tools/bench-console.py %s %s %d" % (BUILD, PLUGIN, FLOOD)
    print("results: " + bench_results.write(BUILD, "bench-console", cmd, {
        "cpu0": bench_results.table(
            ["CPU 0 (real-time), per exit", "exits", "average", "longest",
             "over 2,000"], table)}))


if __name__ == "__main__":
    main()
