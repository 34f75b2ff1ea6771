#!/usr/bin/env python3
"""The real-time core's on-target suite on every core and CPU count: alone
on QEMU virt on Cortex-A53, A72 and A76 cores with 1, 2, 4 and 8 CPUs, and
in a real-time partition of 1, 2 and 4 vCPUs beside Linux
(config/suite-rt<N>-linux.dts), on a Cortex-A53, A76 and A72 machine,
and alone under the hypervisor on a machine of one CPU
(config/suite-rt1.dts). Each cell is run by tests/suite-run.py, so
a test needing more CPUs than the cell has is skipped with the reason and
a failed test does not hide the ones after it. Two cells run at once (each
QEMU is one host thread under instruction counting).

`make test` runs the short matrix (every core on 1 and 2 CPUs, one core on
8, one partition beside Linux, the one-CPU machine); --all runs every
cell (make check-matrix). The 4-CPU cell of the default core is left
out: the on-target stage of `make test` runs it. Prints each cell's
summary ("CELL: N passed, N failed, N skipped"), its failed tests by
name, its skipped ones grouped by the reason (indented), and last
"matrix: N passed, N failed, N skipped".

    usage: matrix-tests.py [--all] [--cell NAME...] BUILDDIR
"""
import argparse
import concurrent.futures
import os
import subprocess
import sys
import textwrap

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import report  # noqa: E402

CORES = ("cortex-a53", "cortex-a72", "cortex-a76")
SHORT = {"cortex-a53-1cpu", "cortex-a72-1cpu", "cortex-a76-1cpu",
         "cortex-a53-2cpu", "cortex-a72-2cpu", "cortex-a76-2cpu",
         "cortex-a76-8cpu", "partition-2vcpu-beside-linux-cortex-a76",
         "partition-1vcpu-alone-1cpu-machine"}
# Linux takes about one second of emulated time to reach its shell; until
# then its vCPUs' turns in QEMU's round-robin delay the real-time one's
# timer by milliseconds, which the timing tests would measure.
LINUX_BOOT_MS = 3000


def cells(build):
    out = []
    for cpus in (1, 2, 4, 8):
        for core in CORES:
            if (core, cpus) == ("cortex-a72", 4):
                continue
            out.append(("%s-%dcpu" % (core, cpus),
                        ["-c", core, "-n", str(cpus), "--image",
                         os.path.join(build, "a64", "bin", "testsuite.elf")]))
    # The hypervisor too is run on each core, one partition size each.
    for vcpus, core in ((1, "cortex-a53"), (2, "cortex-a76"),
                        (4, "cortex-a72")):
        out.append(("partition-%dvcpu-beside-linux-%s" % (vcpus, core),
                    ["-c", core, "-w", str(LINUX_BOOT_MS), "--system", build,
                     "suite-rt%d-linux" % vcpus]))
    # The smallest machine the hypervisor takes: one CPU, one partition.
    out.append(("partition-1vcpu-alone-1cpu-machine",
                ["--system", build, "suite-rt1"]))
    return out


def run(name, args):
    proc = subprocess.run([sys.executable, os.path.join(HERE, "suite-run.py"),
                           "-t", "600", "-l", name] + args,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return proc.stdout.decode(errors="replace").splitlines()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--all", action="store_true")
    p.add_argument("--cell", action="append", default=[])
    p.add_argument("build")
    args = p.parse_args()
    chosen = [c for c in cells(args.build)
              if (c[0] in args.cell if args.cell else
                  args.all or c[0] in SHORT)]
    if args.cell and len(chosen) != len(args.cell):
        known = ", ".join(c[0] for c in cells(args.build))
        raise SystemExit("matrix-tests.py: no cell %s; the cells: %s" %
                         (", ".join(set(args.cell) -
                                    {c[0] for c in chosen}), known))
    total = report.Report()
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        futures = [(name, pool.submit(run, name, a)) for name, a in chosen]
        for name, future in futures:
            lines = future.result()
            counts = report.counts(lines[-1:])
            if not counts:
                total.fail("matrix-" + name, "the suite runner gave no "
                           "counts; its last lines:", lines[-15:])
                continue
            print("%s: %d passed, %d failed, %d skipped" % (name, *counts))
            # The tests that failed, by name, with the reason; skipped
            # ones grouped by their reason.
            skips = {}
            for line in lines[:-1]:
                r = report.RESULT.match(line)
                if r and r.group(1) == "SKIP":
                    skips.setdefault(r.group(3), []).append(r.group(2))
                elif r and r.group(1) == "FAILED":
                    print("FAILED %s-%s: %s" % (name, r.group(2),
                                                r.group(3)))
                elif not r:
                    print("    " + line.strip())
            for why, names in skips.items():
                print("    skipped, %s: %d tests" % (why, len(names)))
                print(textwrap.fill(" ".join(names), width=78,
                                    initial_indent="        ",
                                    subsequent_indent="        ",
                                    break_on_hyphens=False))
            total.add(counts)
    return total.summary("matrix")


if __name__ == "__main__":
    sys.exit(main())
