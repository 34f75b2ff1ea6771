"""Where an exit's instructions go: sums the per-instruction counts the
el2exits plugin prints with profile=CPU ("el2exits: profile ADDR COUNT")
per function of the hypervisor's symbols, per exit of that CPU.

    python3 tools/el2profile.py tenon.elf LOG   (or import table())
"""
import bisect
import re
import subprocess
import sys


def functions(elf):
    """The text symbols of elf, sorted: [(address, name)]."""
    out = subprocess.run(["aarch64-linux-gnu-nm", "-n", elf],
                         capture_output=True, text=True, check=True).stdout
    return [(int(f[0], 16), f[2]) for f in (l.split() for l in
                                            out.splitlines())
            if len(f) == 3 and f[1] in "tT"]


def table(lines, elf, top=20):
    """Lines of a table: per function, instructions per exit of the
    profiled CPU, most first."""
    counts = [(int(m.group(1), 16), int(m.group(2))) for m in (
        re.match(r"^el2exits: profile (0x[0-9a-f]+) (\d+)$", l)
        for l in lines) if m]
    exits = [int(m.group(2)) for m in (
        re.match(r"^el2exits: CPU (\d+): (\d+) exits", l) for l in lines)
        if m]
    cpu = next((int(m.group(1)) for m in (
        re.match(r"^el2exits: CPU (\d+): (\d+) exits", l) for l in lines)
        if m), None)
    if not counts or not exits:
        return ["(no profile in the log)"]
    syms = functions(elf)
    addrs = [a for a, _ in syms]
    per = {}
    for addr, n in counts:
        i = bisect.bisect_right(addrs, addr) - 1
        name = syms[i][1] if i >= 0 else "?"
        per[name] = per.get(name, 0) + n
    total = sum(per.values())
    n = exits[0]
    out = ["   %-28s %12s %10s" % ("function (CPU %s)" % cpu,
                                   "instructions", "per exit")]
    for name, c in sorted(per.items(), key=lambda x: -x[1])[:top]:
        out.append("   %-28s %12d %10.1f" % (name, c, c / n))
    out.append("   %-28s %12d %10.1f" % ("all (%d exits)" % n, total,
                                         total / n))
    return out


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: el2profile.py tenon.elf LOG")
    with open(sys.argv[2], errors="replace") as f:
        print("\n".join(table(f.read().splitlines(), sys.argv[1])))
