#!/usr/bin/env python3
"""Rewrites the generated tables of docs/bench.md from the benchmarks'
results (BUILDDIR/bench/NAME.json, tools/bench_results.py). Each generated
table sits between two markers,

    <!-- bench-direct/cases: begin -->
    ...
    <!-- bench-direct/cases: end -->

and what is between them is replaced by the date and command of the
measurement and the table; the prose around is kept. A benchmark with no
results file leaves its tables as they are, and is named. Any error (a
malformed results file, a marker without its pair, results for a table
the page has no block for) is reported with the file it is in, and the
page is not written; when all is well it is written in one rename.

    usage: bench-docs.py [-b BUILDDIR] [-d DOC] [BENCH...]
"""
import argparse
import json
import os
import re
import sys
import tempfile

MARK = re.compile(r"^<!-- ([a-z0-9-]+)/([a-z0-9-]+): (begin|end) -->$")


class Error(Exception):
    """An input that cannot be used; the page is left untouched."""


def blocks(lines, doc):
    """{(bench, table): (begin line index, end line index)}."""
    found, open_ = {}, None
    for i, line in enumerate(lines):
        m = MARK.match(line.rstrip("\n"))
        if not m:
            if line.startswith("<!-- ") and (": begin -->" in line or
                                             ": end -->" in line):
                raise Error("%s:%d: a marker not of the form <!-- "
                            "BENCH/TABLE: begin|end -->" % (doc, i + 1))
            continue
        key = (m.group(1), m.group(2))
        if m.group(3) == "begin":
            if open_:
                raise Error("%s:%d: %s/%s begins inside %s/%s (line %d), "
                            "which has no end marker" % (
                                doc, i + 1, key[0], key[1], open_[0][0],
                                open_[0][1], open_[1] + 1))
            if key in found:
                raise Error("%s:%d: a second block %s/%s" % (doc, i + 1,
                                                             *key))
            open_ = (key, i)
        else:
            if not open_ or open_[0] != key:
                raise Error("%s:%d: %s/%s ends with no begin marker before "
                            "it" % (doc, i + 1, *key))
            found[key] = (open_[1], i)
            open_ = None
    if open_:
        raise Error("%s:%d: %s/%s has no end marker" % (
            doc, open_[1] + 1, *open_[0]))
    return found


def load(path, bench):
    """The results in path, checked; Error naming path if malformed."""
    try:
        with open(path) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        raise Error("%s: not readable as JSON: %s" % (path, e))

    def need(cond, what):
        if not cond:
            raise Error("%s: %s" % (path, what))
    need(isinstance(doc, dict), "not an object")
    need(doc.get("bench") == bench, "bench is %r, not %r" %
         (doc.get("bench"), bench))
    need(isinstance(doc.get("date"), str) and
         re.match(r"^\d{4}-\d\d-\d\d$", doc["date"]),
         "date %r is not YYYY-MM-DD" % doc.get("date"))
    need(isinstance(doc.get("command"), str) and doc["command"] and
         "\n" not in doc["command"], "no command (one line)")
    tables = doc.get("tables")
    need(isinstance(tables, dict) and tables, "no tables")
    for name, t in tables.items():
        need(isinstance(t, dict), "table %s is not an object" % name)
        head, align, rows = t.get("header"), t.get("align"), t.get("rows")
        need(isinstance(head, list) and head and
             all(isinstance(h, str) for h in head),
             "table %s: no header" % name)
        need(isinstance(align, list) and len(align) == len(head) and
             all(a in ("l", "r") for a in align),
             "table %s: align must give l or r for each of %d columns"
             % (name, len(head)))
        need(isinstance(rows, list) and rows, "table %s: no rows" % name)
        for n, r in enumerate(rows):
            need(isinstance(r, list) and len(r) == len(head) and
                 all(isinstance(c, str) and "|" not in c and "\n" not in c
                     for c in r),
                 "table %s, row %d: not %d cells of text without | or a "
                 "newline" % (name, n + 1, len(head)))
    return doc


def render(doc, name):
    t = doc["tables"][name]
    out = ["Measured %s with `%s`:" % (doc["date"], doc["command"]), "",
           "| " + " | ".join(t["header"]) + " |",
           "|" + "|".join("---:" if a == "r" else "---"
                          for a in t["align"]) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in t["rows"]]
    return [l + "\n" for l in out]


def rewrite(doc_path, build, only=()):
    """Rewrites doc_path; returns the lines to tell the user."""
    with open(doc_path) as f:
        lines = f.readlines()
    found = blocks(lines, doc_path)
    benches = sorted({b for b, _ in found})
    for b in only:
        if b not in benches:
            raise Error("%s: no table of %s is marked" % (doc_path, b))
    said, new = [], {}
    for bench in only or benches:
        path = os.path.join(build, "bench", bench + ".json")
        if not os.path.exists(path):
            said.append("%s: no results (%s: not run, or it failed); its "
                        "tables are left as they are" % (bench, path))
            continue
        res = load(path, bench)
        for name in res["tables"]:
            if (bench, name) not in found:
                raise Error("%s: table %s has no block in %s (<!-- %s/%s: "
                            "begin --> and end)" % (path, name, doc_path,
                                                    bench, name))
        for key in found:
            if key[0] == bench and key[1] not in res["tables"]:
                said.append("%s/%s: not in %s; left as it is" % (
                    bench, key[1], path))
        for name in res["tables"]:
            new[(bench, name)] = render(res, name)
            said.append("%s/%s: measured %s" % (bench, name, res["date"]))
    out, i = [], 0
    for key, (begin, end) in sorted(found.items(), key=lambda kv: kv[1]):
        out += lines[i:begin + 1]
        out += new.get(key, lines[begin + 1:end])
        i = end
    out += lines[i:]
    if out != lines:
        d = os.path.dirname(os.path.abspath(doc_path))
        fd, tmp = tempfile.mkstemp(dir=d, prefix=".bench-docs")
        try:
            with os.fdopen(fd, "w") as f:
                f.writelines(out)
            os.chmod(tmp, os.stat(doc_path).st_mode & 0o777)
            os.replace(tmp, doc_path)
        except BaseException:
            os.unlink(tmp)
            raise
    return said


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-b", "--build", default="build")
    ap.add_argument("-d", "--doc", default=os.path.join("docs", "bench.md"))
    ap.add_argument("bench", nargs="*")
    a = ap.parse_args()
    try:
        for line in rewrite(a.doc, a.build, a.bench):
            print("bench-docs: " + line)
    except Error as e:
        print("bench-docs: %s; %s is unchanged" % (e, a.doc),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
