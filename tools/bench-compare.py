#!/usr/bin/env python3
"""Wake-up latency side by side, on one QEMU virt machine (4 vCPUs,
cortex-a72, GICv3, -icount shift=0,sleep=off: one instruction is one
nanosecond), the measured thread on CPU 0 and a load on CPUs 1-3:

  tenon       Tenon's core alone (latmus; the load is hectic, since no
              Linux is there to run hackbench and stress-ng)
  partition   latmus in Tenon's real-time partition (CPU 0) beside Debian's
              Linux (CPUs 1-3) running hackbench and stress-ng
  preempt-rt  Debian's PREEMPT_RT kernel alone, cyclictest on CPU 0,
              hackbench and stress-ng on CPUs 1-3
  generic     Debian's generic kernel likewise

For each, the p0 plugin (tools/plugins/p0.c) counts P0, CPU 0's own
instructions from the timer interrupt's vector to the woken thread's clock
read, and the other vCPUs' instructions in the same span; the end-to-end
figure is what latmus or cyclictest report. Prints one table, writes
OUTDIR/<case>.p0 (one sample a line: P0, others, and of P0 the
hypervisor's), OUTDIR/<case>.e2e (the benchmark's own histogram, 1 us
buckets) and the PNG histograms.

    usage: bench-compare.py BUILDDIR PLUGIN.so [SAMPLES] [CASE...]
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
PLUGIN = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else
                         os.path.join(BUILD, "tools", "p0.so"))
SAMPLES = sys.argv[3] if len(sys.argv) > 3 else "2000"
if not SAMPLES.isdigit():
    raise SystemExit("bench-compare: SAMPLES %s: give a whole number of "
                     "samples, 100 to 1000000" % SAMPLES)
SAMPLES = int(SAMPLES)
CASES = sys.argv[4:] or ["tenon", "partition", "preempt-rt", "generic"]
PERIOD_US = 1000
LATMUS_LAST = 199.0  # us: latmus's 200 buckets of -B 1000 ns
OUT = os.path.join(BUILD, "bench", "compare")
BENCH_LINUX = os.path.join(BUILD, "bench", "linux")
LIBC = os.path.join("cache", "root", "lib", "aarch64-linux-gnu", "libc.so.6")
NM = "aarch64-linux-gnu-nm"
# Seconds of the partition's run before the load is steady: Linux's boot
# (latmus starts with the machine), then the load's start.
PARTITION_SKIP_S = 4

if SAMPLES < 100 or SAMPLES > 1000000:
    raise SystemExit("bench-compare: SAMPLES must be 100 to 1000000")
for c in CASES:
    if c not in ("tenon", "partition", "preempt-rt", "generic"):
        raise SystemExit("bench-compare: unknown case %s; give tenon, "
                         "partition, preempt-rt or generic" % c)


def symbols(elf):
    out = subprocess.run([NM, elf], capture_output=True, text=True,
                         check=True).stdout
    syms = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3:
            syms.setdefault(f[2], int(f[0], 16))
    return syms


def need(syms, name, where):
    if name not in syms:
        raise SystemExit("bench-compare: no symbol %s in %s" % (name, where))
    return syms[name]


def plugin_arg(out, *args):
    return ",".join([PLUGIN] + list(args) + ["out=" + out])


def run(cmd, limit=3600):
    start = time.time()
    r = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, errors="replace",
                       timeout=limit)
    return r.stdout.replace("\r", "").splitlines(), time.time() - start


def read_p0(path, last=None):
    with open(path) as f:
        rows = [tuple(int(x) for x in l.split()) for l in f if l.strip()]
    return rows[-last:] if last else rows


def latmus_e2e(lines, prefix=""):
    """latmus's RTS (min, avg, max in us) and its histogram."""
    rts, hist = None, {}
    in_hist = False
    for line in lines:
        if not line.startswith(prefix):
            continue
        line = line[len(prefix):]
        if line.startswith("RTS|"):
            f = [x.strip() for x in line.split("|")]
            rts = (float(f[1]), float(f[2]), float(f[3]), int(f[4]))
        elif line.startswith("# histogram"):
            in_hist = True
        elif in_hist and re.match(r"^[0-9.]+ [0-9]+$", line):
            b, n = line.split()
            # latmus's last bucket (199 us with -B 1000) holds all above.
            hist[float(b) if float(b) < LATMUS_LAST else float("inf")] = \
                int(n)
    if not rts:
        raise SystemExit("bench-compare: latmus printed no RTS line")
    return rts, hist


def latmus_rtd(lines, prefix, first_s):
    """min, avg, max (us) over the RTD lines from second first_s on."""
    rows = [[float(x) for x in l[len(prefix):].split("|")[1:4]]
            for l in lines if l.startswith(prefix + "RTD|")]
    rows = rows[first_s - 1:]
    if not rows:
        raise SystemExit("bench-compare: latmus printed no RTD line past "
                         "second %d" % first_s)
    # avg: of the seconds' averages (each second has the same samples).
    return (min(r[0] for r in rows), sum(r[1] for r in rows) / len(rows),
            max(r[2] for r in rows), len(rows))


def cyclictest_e2e(lines):
    prefix = "bench-cyclictest: "
    hist, mins = {}, {}
    for line in lines:
        if not line.startswith(prefix):
            continue
        line = line[len(prefix):].strip()
        m = re.match(r"^([0-9]+) +([0-9]+)$", line)
        if m:
            if int(m.group(2)):
                hist[float(int(m.group(1)))] = int(m.group(2))
            continue
        m = re.match(r"^# (Min|Avg|Max) Latencies: *([0-9]+)", line)
        if m:
            mins[m.group(1)] = float(m.group(2))
        m = re.match(r"^# Histogram Overflows: *([0-9]+)", line)
        if m:
            mins["over"] = int(m.group(1))
    if "Max" not in mins:
        raise SystemExit("bench-compare: cyclictest printed no summary")
    if mins.get("over"):
        # Past the histogram's last bucket: only the maximum bounds them.
        hist[float("inf")] = mins["over"]
    return (mins["Min"], mins["Avg"], mins["Max"], 0), hist


def hist_quantile(hist, q, lo, hi):
    """The q-quantile of a histogram of 1 us buckets, as the bucket's upper
    bound, kept within the exact min and max."""
    n = sum(hist.values())
    rank, seen = max(1, -(-n * q // 1)), 0
    for b in sorted(hist):
        seen += hist[b]
        if seen >= rank:
            return min(max(b + 1.0, lo), hi)
    return hi


def quantile(values, q):
    v = sorted(values)
    rank = max(1, int(-(-len(v) * q // 1)))
    return v[rank - 1]


def write_e2e(name, hist):
    with open(os.path.join(OUT, name + ".e2e"), "w") as f:
        for b in sorted(hist):
            if b == float("inf"):
                f.write("# past the histogram: %d\n" % hist[b])
            else:
                f.write("%g %d\n" % (b, hist[b]))


def case_tenon():
    elf = os.path.join(BUILD, "a64", "bin", "latbench.elf")
    s = symbols(elf)
    p0 = os.path.join(OUT, "tenon.p0")
    arg = plugin_arg(p0, "irq=0x%x" % (need(s, "aarch64_vectors", elf) + 0x80),
                     "timer=0x%x" % need(s, "tn_timer_interrupt", elf),
                     "end=0x%x" % need(s, "latmus_woken", elf))
    seconds = -(-SAMPLES * PERIOD_US // 1000000)
    lines, took = run(["sh", "tools/qemu-run.sh", "-i", "-n", "4", "-P", arg,
                       elf, "load", "-T", str(seconds), "-H", "-B", "1000",
                       "-q"])
    rts, hist = latmus_e2e(lines)
    return read_p0(p0), rts, hist, None, lines, took


def own_system(tmp, name, edit):
    """config/qemu-virt.dts changed by edit(), compiled into tmp/name with a
    hypervisor of its own (another initramfs changes the hypervisor's
    table: what it loads where)."""
    return tenon_system.derive(BUILD, "qemu-virt", tmp, name, edit,
                               own_hypervisor=True)


def case_partition(tmp):
    rt = os.path.join(BUILD, "a64", "bin", "control.elf")
    s = symbols(rt)
    seconds = PARTITION_SKIP_S + -(-SAMPLES * PERIOD_US // 1000000)

    def edit(text):
        text = re.sub(r'bootargs = "-T [0-9]+"',
                      'bootargs = "-T %d -H -B 1000"' % seconds, text)
        text = text.replace('initrd = "linux/initramfs.cpio.gz"',
                            'initrd = "bench/linux/initramfs.cpio.gz"')
        # Linux outlives latmus (its user space starts after latmus), then
        # powers off: the machine stops, and the plugin writes its file.
        return text.replace('rdinit=/init"', 'rdinit=/init bench.mode=load '
                            'bench.seconds=%d"' % seconds)
    sysdir = own_system(tmp, "partition", edit)
    hyp = os.path.join(sysdir, "tenon.elf")
    h = symbols(hyp)
    p0 = os.path.join(OUT, "partition.p0")
    # The start is the first instruction CPU 0 runs for the timer's
    # interrupt: with the virtual GIC, the EL2 vector's IRQ from a lower EL
    # (the 10th entry, 0x480); with direct delivery (the default system),
    # the core's own EL1 vector, as on bare metal.
    if tenon_system.rt_direct(sysdir):
        start = "irq=0x%x" % (need(s, "aarch64_vectors", rt) + 0x80)
    else:
        start = "irq=hyp:0x%x" % (need(h, "hyp_vectors", hyp) + 0x480)
    arg = plugin_arg(p0, "hyp=0x%x" % need(h, "_start", hyp), start,
                     "timer=0x%x" % need(s, "tn_timer_interrupt", rt),
                     "end=0x%x" % need(s, "latmus_woken", rt))
    lines, took = run(["sh", "tools/system-run.sh", "-i", "-t", "3000", "-P",
                       arg, sysdir])
    if not any("bench: load" in l for l in lines):
        raise SystemExit("bench-compare: Linux did not start the load:\n" +
                         "\n".join(lines[-20:]))
    rts, hist = latmus_e2e(lines, "[rt] ")
    steady = latmus_rtd(lines, "[rt] ", PARTITION_SKIP_S + 1)
    return read_p0(p0, SAMPLES), rts, hist, steady, lines, took


def linux_qemu(kernel, append, plugin=None):
    cmd = ["qemu-system-aarch64", "-M", "virt,gic-version=3", "-cpu",
           "cortex-a72", "-smp", "4", "-m", "1G", "-display", "none",
           "-serial", "stdio", "-monitor", "none", "-net", "none",
           "-no-reboot", "-icount", "shift=0,sleep=off", "-kernel",
           os.path.join(BENCH_LINUX, kernel, "Image"), "-initrd",
           os.path.join(BENCH_LINUX, "initramfs.cpio.gz"), "-append",
           "console=ttyAMA0 nokaslr quiet rdinit=/init " + append]
    if plugin:
        cmd += ["-plugin", plugin, "-d", "plugin"]
    return cmd


def kernel_markers(kernel):
    """vectors and arch_timer_handler_virt, from /proc/kallsyms of a first
    boot (Debian's System.map is empty; under nokaslr they hold), kept."""
    path = os.path.join(BENCH_LINUX, kernel, "markers")
    if not os.path.exists(path):
        lines, _ = run(linux_qemu(kernel, "bench.mode=kallsyms"), 600)
        found = {}
        for l in lines:
            m = re.search(r"bench-kallsyms: ([0-9a-f]+) [tT] (\S+)$",
                         l.strip())
            if m:
                found[m.group(2)] = int(m.group(1), 16)
        if len(found) != 2 or not all(found.values()):
            raise SystemExit("bench-compare: %s's /proc/kallsyms gave %s"
                             % (kernel, found))
        with open(path, "w") as f:
            for k, v in sorted(found.items()):
                f.write("%s 0x%x\n" % (k, v))
    with open(path) as f:
        return {k: int(v, 16) for k, v in (l.split() for l in f)}


def libc_signature():
    """clock_gettime's page offset in libc and its first 16 bytes: the
    woken cyclictest's clock read, found in whichever process maps libc."""
    out = subprocess.run([NM, "-D", LIBC], capture_output=True, text=True,
                         check=True).stdout
    m = re.search(r"^([0-9a-f]+) T clock_gettime@@GLIBC", out, re.M)
    if not m:
        raise SystemExit("bench-compare: no clock_gettime in " + LIBC)
    addr = int(m.group(1), 16)
    # libc's text is its first segment, loaded at offset 0: file offset ==
    # address (checked with readelf -l when this was written).
    with open(LIBC, "rb") as f:
        f.seek(addr)
        data = f.read(16)
    return "endsig=0x%x:%s" % (addr & 0xfff, data.hex())


def case_linux(name, kernel):
    k = kernel_markers(kernel)
    p0 = os.path.join(OUT, name + ".p0")
    # EL1h IRQ (the idle kernel interrupted, 0x280) and 64-bit EL0 IRQ
    # (user space interrupted, 0x480).
    arg = plugin_arg(p0, "irq=0x%x" % (k["vectors"] + 0x280),
                     "irq=0x%x" % (k["vectors"] + 0x480),
                     "timer=0x%x" % k["arch_timer_handler_virt"],
                     libc_signature())
    lines, took = run(linux_qemu(kernel, "bench.mode=cyclictest bench.loops="
                                 "%d bench.period=%d" % (SAMPLES, PERIOD_US),
                                 arg))
    rts, hist = cyclictest_e2e(lines)
    # The last SAMPLES: cyclictest's clock read before its first sleep may
    # follow some timer interrupt and make one sample more.
    return read_p0(p0, SAMPLES), rts, hist, None, lines, took


def plot(names):
    """Two PNGs: the P0 histograms and the end-to-end ones."""
    for what, col, xlabel in (("p0", "P0 (instructions of CPU 0)",
                               "instructions, 100 a bucket"),
                              ("e2e", "end to end",
                               "us, 1 us buckets (each at its upper bound)")):
        series = []
        for n in names:
            data = os.path.join(OUT, "%s.%s.hist" % (n, what))
            if what == "p0":
                counts = {}
                for p, *_ in read_p0(os.path.join(OUT, n + ".p0"), SAMPLES):
                    counts[p // 100 * 100] = counts.get(p // 100 * 100, 0) + 1
                with open(data, "w") as f:
                    for b in sorted(counts):
                        f.write("%d %d\n" % (b, counts[b]))
            else:
                data = os.path.join(OUT, n + ".e2e")
            # An e2e bucket [b, b + 1) is drawn at b + 1: 0 has no log.
            series.append("'%s' using ($1%s):2 with linespoints title '%s'"
                          % (data, "+1" if what == "e2e" else "", n))
        script = ("set terminal png size 1000,600\nset output '%s'\n"
                  "set logscale xy\nset xlabel '%s'\nset ylabel 'samples'\n"
                  "set title 'Wake-up latency, %s, %d samples a case "
                  "(QEMU virt, icount)'\nplot %s\n"
                  % (os.path.join(OUT, what + "-histogram.png"), xlabel, col,
                     SAMPLES, ", ".join(series)))
        subprocess.run(["gnuplot"], input=script, text=True, check=True)


def main():
    os.makedirs(OUT, exist_ok=True)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for c in CASES:
            print("== %s" % c, flush=True)
            if c == "tenon":
                r = case_tenon()
            elif c == "partition":
                r = case_partition(tmp)
            elif c == "preempt-rt":
                r = case_linux(c, "rt")
            else:
                r = case_linux(c, "generic")
            samples, rts, hist, steady, lines, took = r
            if not samples:
                print("\n".join(lines[-30:]))
                raise SystemExit("bench-compare: %s: the plugin recorded "
                                 "no sample" % c)
            write_e2e(c, hist)
            results[c] = (samples, rts, hist, steady)
            for l in lines:
                if l.startswith("p0:") or "RTS|" in l or \
                        l.startswith("bench-cyclictest: # "):
                    print("  " + l)
            print("  (%.0f s of wall-clock time)" % took, flush=True)
    print()
    print("| case | samples | P0 min | P0 median | P0 99.9% | P0 max "
          "| e2e min (us) | e2e median | e2e 99.9% | e2e max "
          "| emulator's share: e2e avg - P0 avg (ns) "
          "| others' instructions, median / max "
          "| P0 median, 99.9% / preempt-rt "
          "| e2e median, 99.9% / preempt-rt "
          "| more passes (largest P0) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:"
          "|---:|---:|")
    rows = {}
    for c in CASES:
        every, rts, hist, steady = results[c]
        # A sample whose timer expired again before its thread ran (the
        # emulator gave the other vCPUs about a period meanwhile) is
        # counted apart (docs/measuring.md, the passes).
        samples = [s for s in every if len(s) < 4 or s[3] == 1]
        again = [s[0] for s in every if len(s) > 3 and s[3] > 1]
        p0 = [p for p, *_ in samples]
        oth = [o for _, o, *_ in samples]
        e2e = (rts[0], hist_quantile(hist, 0.5, rts[0], rts[2]),
               hist_quantile(hist, 0.999, rts[0], rts[2]), rts[2])
        rows[c] = (len(p0), min(p0), quantile(p0, 0.5), quantile(p0, 0.999),
                   max(p0), e2e, rts[1] * 1000 - sum(p0) / len(p0),
                   quantile(oth, 0.5), max(oth), len(again),
                   max(again) if again else 0)
    ref = rows.get("preempt-rt")
    generated = []
    for c in CASES:
        n, mn, med, q, mx, e2e, share, omed, omax, nagain, xagain = rows[c]
        ratio = ratio_e = "-"
        if ref:
            ratio = "%.2f, %.2f" % (med / ref[2], q / ref[3])
            ratio_e = "%.2f, %.2f" % (e2e[1] / ref[5][1], e2e[2] / ref[5][2])
        print("| %s | %d | %d | %d | %d | %d | %.3f | %.3f | %.3f | %.3f "
              "| %.0f | %d / %d | %s | %s | %d (%d) |"
              % (c, n, mn, med, q, mx, *e2e, share, omed, omax, ratio,
                 ratio_e, nagain, xagain))
        t = bench_results.thousands
        generated.append(
            [c, t(mn), t(med), t(q), t(mx)] +
            ["%.3f" % v for v in e2e] +
            ["%.2f us" % (share / 1000), "%s / %s" % (t(omed), t(omax)),
             "%s (%s)" % (t(nagain), t(xagain))])
    if "partition" in results:
        st = results["partition"][3]
        print("(partition: e2e over latmus's whole run, Linux's boot "
              "included (latmus starts with the machine); over its seconds "
              "%d-%d alone, the load running: min %.3f, avg %.3f, max %.3f "
              "us; P0 over the last %d samples)"
              % (PARTITION_SKIP_S + 1, PARTITION_SKIP_S + st[3], st[0], st[1],
                 st[2], SAMPLES))
    print("(P0 over the samples in which the timer's handler ran once; "
          "more passes: the samples in which the timer expired again before "
          "the thread ran, and their largest P0)")
    print("(P0 in instructions of CPU 0, e2e in us: 1 instruction = 1 ns; "
          "e2e median and 99.9%% are upper bounds of 1 us buckets (the maximum past the histogram); QEMU virt, "
          "4 vCPUs, cortex-a72, -icount shift=0,sleep=off, %d us period)"
          % PERIOD_US)
    plot(CASES)
    # Only a run of every case stands for the page's table.
    if CASES == ["tenon", "partition", "preempt-rt", "generic"]:
        print("results: " + bench_results.write(
            BUILD, "bench-compare", "make bench-compare BENCH_SAMPLES=%d"
            % SAMPLES, {"cases": bench_results.table(
                ["case", "P0 min", "P0 median", "P0 99.9 %", "P0 max",
                 "e2e min", "e2e median", "e2e 99.9 %", "e2e max",
                 "emulator's share (avg)", "others, median / max",
                 "more passes (largest P0)"], generated)}))
    print("histograms: %s/p0-histogram.png, %s/e2e-histogram.png"
          % (OUT, OUT))


if __name__ == "__main__":
    main()
