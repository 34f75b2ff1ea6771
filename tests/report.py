#!/usr/bin/env python3
"""The one way a test's result and a runner's counts are printed, for the
Python test runners (tests/report.sh is the same for the shell ones):

    ok NAME
    FAILED NAME: why
    SKIP NAME: why
    [LABEL: ]N passed, N failed, N skipped      (a runner's last line)

Anything else a runner prints is indented (details, a failure's log
lines "    | ...") or a "== " section header. NAME is kebab-case.

Run as a program, it checks that every line of the logs it is given keeps
to that protocol:

    usage: report.py check LOG...
"""
import re
import sys

NAME = r"[a-z0-9][a-z0-9._-]*"
RESULT = re.compile(r"^(ok|FAILED|SKIP) (%s)(?:: (.*))?$" % NAME)
SUMMARY = re.compile(r"^(?:([a-z0-9][a-z0-9 ._-]*): )?(\d+) passed, "
                     r"(\d+) failed(?:, (\d+) skipped)?$")


class Report:
    """Prints results as they come and counts them."""

    def __init__(self, prefix=""):
        self.prefix = prefix
        self.passed = self.failed = self.skipped = 0

    def ok(self, name):
        self.passed += 1
        print("ok " + self.prefix + name, flush=True)

    def fail(self, name, why, lines=()):
        self.failed += 1
        print("FAILED %s%s: %s" % (self.prefix, name, why), flush=True)
        for line in lines:
            print("    | " + line, flush=True)

    def skip(self, name, why):
        self.skipped += 1
        print("SKIP %s%s: %s" % (self.prefix, name, why), flush=True)

    def check(self, name, ok, why="", lines=()):
        if ok:
            self.ok(name)
        else:
            self.fail(name, why or "the check failed", lines)
        return ok

    def add(self, counts):
        """Adds a stage's (passed, failed, skipped)."""
        self.passed += counts[0]
        self.failed += counts[1]
        self.skipped += counts[2]

    def summary(self, label):
        """Prints the closing line; the exit status the runner returns."""
        print("%s: %d passed, %d failed, %d skipped" %
              (label, self.passed, self.failed, self.skipped), flush=True)
        return 1 if self.failed else 0


def counts(lines):
    """The (passed, failed, skipped) of the last summary line, or None."""
    for line in reversed(lines):
        m = SUMMARY.match(line)
        if m:
            return tuple(int(g or 0) for g in m.groups()[1:])
    return None


def offence(line):
    """Why a line of a runner's output breaks the protocol, or None."""
    if not line or line[0] in " \t" or line.startswith("== "):
        return None
    if SUMMARY.match(line):
        return None
    m = RESULT.match(line)
    if not m:
        return "neither a result, a count, a header nor indented"
    if m.group(1) == "ok" and m.group(3) is not None:
        return "an ok line carries no reason"
    if m.group(1) != "ok" and not m.group(3):
        return "a %s line gives the reason" % m.group(1)
    return None


def check(paths):
    bad = 0
    for path in paths:
        with open(path, errors="replace") as f:
            lines = f.read().splitlines()
        for number, line in enumerate(lines, 1):
            why = offence(line)
            if why:
                bad += 1
                if bad <= 10:
                    print("%s:%d: %s: %r" % (path, number, why, line))
        if not counts(lines):
            bad += 1
            print("%s: no closing 'N passed, N failed' line" % path)
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] != "check":
        sys.exit("usage: report.py check LOG...")
    sys.exit(check(sys.argv[2:]))
