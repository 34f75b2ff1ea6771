#!/usr/bin/env python3
"""The real-time core's on-target test suite, booted until every test has
had its turn: alone on QEMU virt (--image), or in the real-time partition
of a built system (--system), in instruction-counted time.

A failed test ends its image: its threads may be left in any state, so the
suite stops there (tests/target/harness.c) and says where a fresh start
goes on. This boots the suite again from the test after it, as often as it
takes, so that one failed test does not hide the results of the ones after
it. A boot that gives no result in time (a hang, a crash of the machine)
fails the test that was running, by name, and goes on after it in the same
way.

Prints the suite's result lines (tests/report.py), every fresh start and
why, every test that did not run and why (indented), and last
"LABEL: N passed, N failed, N skipped". Exits 1 if any test failed.

    usage: suite-run.py [-c CORE] [-n CPUS] [-t SECONDS] [-l LABEL] [-w MS]
                        (--image ELF | --system BUILDDIR SYSTEM)
                        [SUBSTRING...]
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOOLS = os.path.join(HERE, "..", "tools")
sys.path.insert(0, TOOLS)
sys.path.insert(0, HERE)
import report  # noqa: E402
import tenon_system  # noqa: E402

BROKE = re.compile(r"^tenon: test (\d+) of (\d+) broke")
EXITED = re.compile(r"^tenon: application exited with status (\d+)$")
COUNTS = re.compile(r"^\d+ passed, \d+ failed, \d+ skipped$")


def parse_args():
    p = argparse.ArgumentParser(
        description="Runs the on-target suite, booting again after a "
        "failed test.")
    p.add_argument("-c", "--core", default="cortex-a72")
    p.add_argument("-n", "--cpus", type=int, default=4)
    p.add_argument("-t", "--limit", type=float, default=600,
                   help="wall-clock seconds one boot may take")
    p.add_argument("-l", "--label", default="suite")
    p.add_argument("-w", "--wait", type=int, default=0, metavar="MS",
                   help="the suite waits that long before its first test "
                   "(in each boot)")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--image", metavar="ELF")
    where.add_argument("--system", nargs=2, metavar=("BUILDDIR", "SYSTEM"))
    p.add_argument("select", nargs="*", metavar="SUBSTRING")
    return p.parse_args()


class Suite:
    def __init__(self, args, tmp):
        self.args, self.tmp, self.variants = args, tmp, 0

    def command(self, suite_args):
        a = self.args
        if a.image:
            return ["sh", os.path.join(TOOLS, "qemu-run.sh"), "-i", "-c",
                    a.core, "-n", str(a.cpus), a.image] + suite_args
        build, system = a.system
        # The partition's arguments are in its device tree: a variant of
        # the system carries them (same hypervisor, same table).
        text_args = " ".join(suite_args)

        def edit(text):
            m = re.search(r"(\n\t\trt \{\n)(.*?)(\n\t\t\};)", text, re.S)
            if not m:
                raise SystemExit("suite-run.py: no rt partition in "
                                 "config/%s.dts" % system)
            body = re.sub(r"\n\t*bootargs = \"[^\"]*\";", "", m.group(2))
            body += '\n\t\t\tbootargs = "%s";' % text_args
            return text[:m.start(2)] + body + text[m.end(2):]
        self.variants += 1
        sysdir = tenon_system.derive(build, system, self.tmp,
                                     "suite-%d" % self.variants, edit)
        return ["sh", os.path.join(TOOLS, "system-run.sh"), "-i", "-c",
                a.core, sysdir]

    def boot(self, suite_args):
        """The suite's console lines ([rt] prefix gone), the other lines,
        and whether the application exited (False: time limit)."""
        proc = subprocess.Popen(self.command(suite_args),
                                stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT,
                                start_new_session=True)
        os.set_blocking(proc.stdout.fileno(), False)
        lines, other, partial = [], [], b""
        start, exited = time.time(), False
        try:
            while time.time() - start < self.args.limit:
                chunk = proc.stdout.read() or b""
                partial += chunk
                *full, partial = partial.split(b"\n")
                for raw in full:
                    line = raw.decode(errors="replace").rstrip("\r")
                    if self.args.system:
                        if not line.startswith("[rt] "):
                            other.append(line)
                            continue
                        line = line[5:]
                    lines.append(line)
                    if EXITED.match(line):
                        exited = True
                if exited or (not chunk and proc.poll() is not None):
                    break
                if not chunk:
                    time.sleep(0.1)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, 9)
            proc.wait()
        return lines, other, exited

    def names(self):
        lines, _, _ = self.boot(["-l"] + self.args.select)
        found = {}
        for line in lines:
            m = re.match(r"^TEST +(\d+) ([a-z0-9-]+)$", line)
            if m:
                found[int(m.group(1))] = m.group(2)
        return found


def main():
    args = parse_args()
    counts = {"ok": 0, "SKIP": 0, "FAILED": 0}
    restarts, start, listing = 0, 1, None
    with tempfile.TemporaryDirectory() as tmp:
        suite = Suite(args, tmp)
        while True:
            lines, other, exited = suite.boot(
                (["-s", str(start)] if start > 1 else []) +
                (["-w", str(args.wait)] if args.wait else []) + args.select)
            results, broke = 0, None
            for line in lines:
                m = report.RESULT.match(line)
                if m:
                    counts[m.group(1)] += 1
                    results += 1
                    print(line)
                elif line.startswith("  "):
                    print(line)  # what the test printed
                elif BROKE.match(line):
                    broke = BROKE.match(line)
            status = next((int(EXITED.match(l).group(1)) for l in lines
                           if EXITED.match(l)), None)
            if broke:
                k, total = int(broke.group(1)), int(broke.group(2))
                if k >= total:
                    break
                print("    restart after the failed test %d of %d: booting "
                      "again from test %d" % (k, total, k + 1))
                start, restarts = k + 1, restarts + 1
                continue
            if status == 0 and any(COUNTS.match(l) for l in lines):
                break
            # No result for the test that was running: name it.
            k = start + results
            booted = any(l.startswith("tenon: on-target tests on")
                         for l in lines)
            if listing is None:
                listing = suite.names()
            total = len(listing)
            why = ("no result within %g s (a hang, or the machine "
                   "stopped)" % args.limit if booted else
                   "the suite did not start")
            print("FAILED %s: %s; the last lines:" %
                  (listing.get(k, "test %d" % k), why))
            for line in (lines or other)[-15:]:
                print("    | " + line)
            counts["FAILED"] += 1
            if not booted or not total:
                for i in range(k + 1, total + 1):
                    print("    not run: %s: the suite did not start" %
                          listing[i])
                break
            if k >= total:
                break
            print("    restart after test %d of %d gave no result: booting "
                  "again from test %d" % (k, total, k + 1))
            start, restarts = k + 1, restarts + 1
    if restarts:
        print("    %s: %d fresh start%s after failed tests" %
              (args.label, restarts, "" if restarts == 1 else "s"))
    print("%s: %d passed, %d failed, %d skipped" %
          (args.label, counts["ok"], counts["FAILED"], counts["SKIP"]))
    return 1 if counts["FAILED"] else 0


if __name__ == "__main__":
    sys.exit(main())
