#!/usr/bin/env python3
"""What the hypervisor adds to the real-time interrupt path, under
-icount shift=0,sleep=off (one instruction is one nanosecond): latmus
(apps/latbench, no load) at a 1 ms period, each release's P0 counted by
the p0 plugin (tools/plugins/p0.c, CPU 0's own instructions from the
timer interrupt's vector to the woken thread's clock read), three ways:

  bare metal   the core alone on a machine of one CPU, entered at EL1
  direct       the default system's real-time partition with direct
               interrupt delivery (the default), Linux idle at its shell
  virtual      the same partition given the virtual GIC instead

Bare metal and direct start P0 at the core's own EL1 vector; virtual at
the hypervisor's EL2 vector, the first instruction CPU 0 runs for the
interrupt there. The difference of each partition row to bare metal is
the hypervisor's share; EL2 is how many of P0's instructions the
hypervisor itself ran (the median, and the most in one release).

The figures are over the releases of one pass: those in which the timer's
handler ran once before the thread. A release in which the timer expired
again first (the emulator ran the other vCPUs for about a period
meanwhile, docs/measuring.md, "P0 and how the p0 plugin counts it") is
counted apart, with the largest P0 among them.

    usage: bench-direct.py BUILDDIR PLUGIN.so [WALL_SECONDS]
"""
import os
import subprocess
import sys
import tempfile

import bench_results
import tenon_system

BUILD = sys.argv[1] if len(sys.argv) > 1 else "build"
PLUGIN = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else
                         os.path.join(BUILD, "tools", "p0.so"))
WALL = sys.argv[3] if len(sys.argv) > 3 else "30"
if not WALL.isdigit() or not 5 <= int(WALL) <= 3600:
    raise SystemExit("bench-direct: WALL_SECONDS %s: give 5 to 3600" % WALL)
ELF = os.path.join(BUILD, "a64", "bin", "latbench.elf")


def symbol(elf, name):
    out = subprocess.run(["aarch64-linux-gnu-nm", elf], capture_output=True,
                         text=True, check=True).stdout
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3 and f[2] == name:
            return int(f[0], 16)
    raise SystemExit("bench-direct: no symbol %s in %s" % (name, elf))


def core_markers():
    vectors = symbol(ELF, "aarch64_vectors")
    # IRQ from EL1 on SP_EL0 (threads) and on SP_EL1 (the kernel).
    return ["irq=0x%x" % (vectors + 0x80), "irq=0x%x" % (vectors + 0x280),
            "timer=0x%x" % symbol(ELF, "tn_timer_interrupt"),
            "end=0x%x" % symbol(ELF, "latmus_woken")]


def samples(path):
    """(P0, of it the hypervisor's, passes of the timer's handler) per
    release."""
    rows = []
    try:
        with open(path) as f:
            for l in f:
                v = l.split()
                if v:
                    rows.append((int(v[0]), int(v[2]), int(v[3])))
    except OSError:
        pass
    return rows


def bare(tmp):
    out = os.path.join(tmp, "bare.p0")
    arg = ",".join([PLUGIN] + core_markers() + ["out=" + out])
    subprocess.run(["timeout", str(int(WALL) + 60), "sh", "tools/qemu-run.sh",
                    "-i", "-n", "1", "-P", arg, ELF, "-T", WALL, "-q"],
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return samples(out)


def partition(tmp, delivery):
    def edit(text):
        text = text.replace('interrupt-delivery = "direct";',
                            'interrupt-delivery = "%s";' % delivery)
        text = text.replace('image = "a64/bin/control.bin";',
                            'image = "a64/bin/latbench.bin";')
        return text.replace('bootargs = "-T 0";', 'bootargs = "-T 0 -q";')
    sysdir = tenon_system.derive(BUILD, "qemu-virt", tmp, delivery, edit,
                                 own_hypervisor=True)
    hyp = os.path.join(sysdir, "tenon.elf")
    out = os.path.join(tmp, delivery + ".p0")
    markers = core_markers()
    if not tenon_system.rt_direct(sysdir):
        markers = ["irq=hyp:0x%x" % (symbol(hyp, "hyp_vectors") + 0x480)] + \
            markers[2:]
    arg = ",".join([PLUGIN, "hyp=0x%x" % symbol(hyp, "_start")] + markers +
                   ["out=" + out])
    subprocess.run(["sh", "tools/system-run.sh", "-i", "-t", WALL, "-P", arg,
                    sysdir], stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return samples(out)


def main():
    print("== P0 per release of latmus (1 ms period, no load), %s s of "
          "host time each" % WALL)
    print("   %-12s %9s %7s %7s %7s %7s %9s %11s %17s" % (
        "case", "releases", "min", "median", "99.9 %", "max",
        "added", "EL2 (max)", "more passes (max)"))
    table, failed = [], []
    with tempfile.TemporaryDirectory() as tmp:
        base = None
        for name, run in (("bare metal", bare),
                          ("direct", lambda t: partition(t, "direct")),
                          ("virtual", lambda t: partition(t, "virtual"))):
            every = run(tmp)
            rows = [r for r in every if r[2] == 1]
            again = sorted(r[0] for r in every if r[2] > 1)
            if not rows:
                print("   %-12s no samples (the plugin wrote none)" % name)
                failed.append(name)
                continue
            p = sorted(r[0] for r in rows)
            el2 = sorted(r[1] for r in rows)
            n = len(p)
            median = p[n // 2]
            if base is None:
                base = median
            print("   %-12s %9d %7d %7d %7d %7d %9d %5d (%d) %9d (%d)" % (
                name, n, p[0], median, p[min(n - 1, n * 999 // 1000)],
                p[-1], median - base, el2[n // 2], el2[-1], len(again),
                again[-1] if again else 0), flush=True)
            t = bench_results.thousands
            table.append([{"direct": "direct delivery",
                           "virtual": "virtual GIC"}.get(name, name),
                          t(n), t(p[0]), t(median),
                          t(p[min(n - 1, n * 999 // 1000)]), t(p[-1]),
                          t(median - base),
                          "%s / %s" % (t(el2[n // 2]), t(el2[-1])),
                          "%s (%s)" % (t(len(again)),
                                       t(again[-1] if again else 0))])
    print("(QEMU virt, cortex-a72, -icount shift=0,sleep=off; bare metal on "
          "1 CPU; the partitions on CPU 0 beside Linux on CPUs 1-3; added: "
          "the median less bare metal's; EL2: of P0, the hypervisor's "
          "instructions, median (max); releases: those of one pass of the "
          "timer's handler; more passes: the releases in which the timer "
          "expired again before the thread ran (their largest P0)")
    if failed:
        raise SystemExit("bench-direct: no samples for %s; no results "
                         "written" % ", ".join(failed))
    print("results: " + bench_results.write(
        BUILD, "bench-direct", "make bench-direct DIRECT_WALL=%s" % WALL,
        {"cases": bench_results.table(
            ["case", "releases", "P0 min", "P0 median", "P0 99.9 %",
             "P0 max", "median less bare metal's",
             "of P0, the hypervisor's (median / max)",
             "more passes (largest P0)"], table)}))


if __name__ == "__main__":
    main()
