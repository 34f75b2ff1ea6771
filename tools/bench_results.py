"""The one form a benchmark's results take on disk, for tools/bench-docs.py
to rewrite docs/bench.md's tables from: BUILDDIR/bench/NAME.json,

    {"bench": "bench-direct", "date": "2026-12-02",
     "command": "make bench-direct DIRECT_WALL=15",
     "tables": {"TABLE": {"header": [...], "align": [...],
                          "rows": [[...], ...]}}}

TABLE names a table of docs/bench.md (its markers are
<!-- bench-direct/TABLE: begin --> and <!-- ...: end -->); align is "l"
or "r" per column. The file is written whole or not at all.
"""
import datetime
import json
import os
import re
import tempfile

NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def table(header, rows, align=None):
    """A table's entry: every row as long as the header, cells as text."""
    align = align or ["l"] + ["r"] * (len(header) - 1)
    rows = [[str(c) for c in r] for r in rows]
    for r in rows:
        if len(r) != len(header):
            raise ValueError("a row of %d cells under %d headings: %r"
                             % (len(r), len(header), r))
    return {"header": list(header), "align": list(align), "rows": rows}


def write(build, bench, command, tables, date=None):
    """Writes BUILD/bench/BENCH.json atomically; returns its path."""
    for name in tables:
        if not NAME.match(name):
            raise ValueError("table name %r: lower case, digits, -" % name)
    doc = {"bench": bench,
           "date": date or datetime.date.today().isoformat(),
           "command": command, "tables": tables}
    out = os.path.join(build, "bench")
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, bench + ".json")
    fd, tmp = tempfile.mkstemp(dir=out, prefix="." + bench)
    with os.fdopen(fd, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    os.replace(tmp, path)
    return path


def thousands(n):
    return "{:,}".format(n)
