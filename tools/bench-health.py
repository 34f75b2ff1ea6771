#!/usr/bin/env python3
"""What the health monitor costs and keeps, under -icount shift=0,sleep=off
(one instruction is one nanosecond of the machine's clock):

1. Recovery: the real-time application (apps/hmtest) faults (a bad
   access, an undefined instruction, a stack overflow) or starves its
   watchdog; its table's default restarts it cold. Printed: the time from
   the fault (hmtest's own clock read just before it) to the new
   incarnation's first periodic wake-up, and the hypervisor's own share
   (halt, scrub of the partition's RAM, images put back), with Linux idle
   at its shell.
2. Isolation soak: hmtest's 1 kHz periodic thread counts the periods it
   missed while Linux panics and is restarted in a loop, reboots in a
   loop, or floods its console, for SECONDS of machine time each.

    usage: bench-health.py BUILDDIR [SECONDS [recovery|soak]]

The goal for 1 is 5 ms; for 2, no missed period. Under instruction
counting QEMU runs the vCPUs in turn (docs/measuring.md): a figure read
on CPU 0's clock includes the other CPUs' turns, so both figures here
are upper bounds of what CPU 0's own path takes.
"""
import os
import re
import subprocess
import sys
import tempfile
import time

import tenon_system

BUILD = sys.argv[1] if len(sys.argv) > 1 else "build"
SECONDS = int(sys.argv[2]) if len(sys.argv) > 2 else 30
ONLY = sys.argv[3] if len(sys.argv) > 3 else ""
# Linux is at its shell well before this (machine time, instructions).
ACT_MS = 12000


def system(tmp, name, rt_args, linux_test=None):
    def edit(text):
        text = re.sub(r'image = "a64/bin/[a-z]+\.bin";',
                      'image = "a64/bin/hmtest.bin";', text)
        text = re.sub(r'bootargs = "[^"]*";', 'bootargs = "%s";' % rt_args,
                      text, count=1)
        if linux_test:
            text = text.replace('rdinit=/init"',
                                'rdinit=/init tenon.test=%s"' % linux_test)
        return text
    return tenon_system.derive(BUILD, "qemu-virt", tmp, name, edit)


def run(sysdir, done, limit):
    proc = subprocess.Popen(["sh", "tools/system-run.sh", "-i", sysdir],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True,
                            errors="replace")
    lines, start = [], time.time()
    try:
        for line in proc.stdout:
            lines.append(line.rstrip("\r\n"))
            if done(lines) or time.time() - start > limit:
                break
    finally:
        proc.kill()
        proc.wait()
    return lines


def firsts(lines):
    return [(int(m.group(1)), int(m.group(2))) for m in (
        re.match(r"^\[rt\] hmtest: incarnation (\d+) first wake-up at "
                 r"(\d+) ns$", l) for l in lines) if m]


def recovery(tmp):
    print("== recovery: fault to the next incarnation's first wake-up "
          "(Linux idle at its shell)")
    print("   %-16s %12s %12s" % ("fault", "total ms", "reset ms"))
    for kind, args in (("access", "-f access"), ("undefined", "-f undefined"),
                       ("stack-overflow", "-f overflow"),
                       ("watchdog", "-w 20 -s")):
        lines = run(system(tmp, "rec-" + kind, "-t %d %s" % (ACT_MS, args)),
                    lambda l: any(f[0] >= 2 for f in firsts(l)), 900)
        fault = next((int(m.group(3)) for m in (
            re.match(r"^\[rt\] hmtest: (fault \S+|spinning at priority \d+) "
                     r"(at|from) (\d+) ns$", l) for l in lines) if m), None)
        wake = [f[1] for f in firsts(lines) if f[0] == 2]
        reset = next((int(m.group(1)) for m in (
            re.search(r"partition rt: restarted .* in (\d+) us\)$", l)
            for l in lines) if m), None)
        if not wake or reset is None:
            print("   %-16s no restart seen: %s" % (kind,
                                                   " | ".join(lines[-3:])))
            continue
        # A spinning thread may starve the line saying when it began.
        print("   %-16s %12s %12.3f" % (
            kind, "%.3f" % ((wake[0] - fault) / 1e6) if fault else "-",
            reset / 1000))
        sys.stdout.flush()


def soak(tmp):
    print("== soak: hmtest's 1 kHz thread, %d s of machine time from Linux's "
          "user space up, periods missed" % SECONDS)
    pattern = re.compile(r"^\[rt\] hmtest: (\d+) periods, (\d+) missed$")
    up = re.compile(r"^\[linux\] tenon-linux: user space up")
    for name, test, what in (("idle", None, "Linux idle at its shell"),
                             ("panic", "panic", "Linux panics, restarted "
                              "by its table, in a loop"),
                             ("reboot", "reboot", "Linux reboots in a loop"),
                             ("flood", "flood", "Linux floods its console")):
        def base(lines):
            """The first report once Linux's user space is up: what Linux's
            boot costs the emulated machine is not counted."""
            seen = False
            for l in lines:
                seen = seen or bool(up.match(l))
                m = pattern.match(l) if seen else None
                if m:
                    return (int(m.group(1)), int(m.group(2)))
            return None

        def done(lines):
            m = pattern.match(lines[-1])
            b = base(lines)
            return bool(m) and b is not None and \
                int(m.group(1)) >= b[0] + SECONDS * 1000
        lines = run(system(tmp, "soak-" + name, "-t 3600000 -r 1", test),
                    done, 3600)
        last = [pattern.match(l) for l in lines if pattern.match(l)]
        b = base(lines)
        restarts = len([l for l in lines if re.match(
            r"^\[tenon\] partition linux: restarted", l)])
        if not last or b is None:
            print("   %-45s no report: %s" % (what, " | ".join(lines[-3:])))
            continue
        print("   %-45s %9d periods, %d missed (Linux restarted %d times)"
              % (what, int(last[-1].group(1)) - b[0],
                 int(last[-1].group(2)) - b[1], restarts))
        sys.stdout.flush()


def main():
    with tempfile.TemporaryDirectory() as tmp:
        if ONLY != "soak":
            recovery(tmp)
        if ONLY != "recovery":
            soak(tmp)


if __name__ == "__main__":
    main()
