#!/usr/bin/env python3
"""The host tools' tests: the console splitter of `make run PANES=1`
(tools/console-panes.py) on synthetic streams, its hub against a fake
QEMU end (tests/tools/fake_qemu.py), with and without tmux, then on the
real system in a detached tmux session (BUILDDIR/sys/qemu-virt, when it
is built), and the test protocol's own helpers and checker
(tests/report.sh, tests/report.py). One result line per test, then
"tools: N passed, N failed, N skipped".

    usage: run.py [BUILDDIR]
"""
import importlib.util
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path.insert(0, os.path.join(HERE, ".."))
import report  # noqa: E402

spec = importlib.util.spec_from_file_location(
    "console_panes", os.path.join(ROOT, "tools", "console-panes.py"))
panes = importlib.util.module_from_spec(spec)
spec.loader.exec_module(panes)
REPORT = report.Report()
BUILD = sys.argv[1] if len(sys.argv) > 1 else "build"


class SkipTest(Exception):
    """Raised with the reason a test cannot run here."""


def test(fn):
    name = fn.__name__.replace("_", "-")
    try:
        fn()
        REPORT.ok(name)
    except SkipTest as e:
        REPORT.skip(name, str(e))
    except AssertionError as e:
        REPORT.fail(name, str(e) or "an assertion failed")
    except Exception as e:  # a test that crashes fails, by name
        REPORT.fail(name, "%s: %s" % (type(e).__name__, e))
    return fn


def split(chunks, names=("linux", "rt"), idle=True):
    """What each pane receives from the chunks, fed one after another."""
    s = panes.Splitter(names)
    got = {}
    for chunk in chunks:
        for pane, data in s.feed(chunk):
            got[pane] = got.get(pane, b"") + data
    for pane, data in s.flush() if idle else ():
        got[pane] = got.get(pane, b"") + data
    return got


# A stream as the hypervisor writes it: Linux's boot and prompt, the
# real-time partition's figures between, the hypervisor's lines, QEMU's.
STREAM = (b"[tenon] hypervisor: 4 CPUs, 2 partitions\n"
          b"[linux] [    0.000000] Booting Linux on physical CPU 0x1\n"
          b"[rt] RTT|  00:00:01  (periodic user-mode task, 1000 us period)\n"
          b"[linux] tenon-linux:/# ^[[6n"
          b"\n[rt] RTD|     10.1|     12.3|     20.0|       0|\n"
          b"[linux] ls\n"
          b"[linux] [rt] RTD| a forged line of the real-time partition\n"
          b"[linux] ^[[2K^[[G[tenon] panic: forged\n"
          b"[ghost] a writer with no pane\n"
          b"qemu-system-aarch64: terminating on signal 15\n")
WANT = {
    "tenon": b"hypervisor: 4 CPUs, 2 partitions\n"
             b"[ghost] a writer with no pane\n"
             b"qemu-system-aarch64: terminating on signal 15\n",
    "linux": b"[    0.000000] Booting Linux on physical CPU 0x1\n"
             b"tenon-linux:/# ^[[6n\nls\n"
             b"[rt] RTD| a forged line of the real-time partition\n"
             b"^[[2K^[[G[tenon] panic: forged\n",
    "rt": b"RTT|  00:00:01  (periodic user-mode task, 1000 us period)\n"
          b"RTD|     10.1|     12.3|     20.0|       0|\n",
}


def diff(got, want):
    return "; ".join("%s pane got %r, not %r" % (p, got.get(p), want.get(p))
                     for p in sorted(set(got) | set(want))
                     if got.get(p) != want.get(p))


@test
def console_split_routes_interleaved_prefixes():
    got = split([STREAM])
    assert got == WANT, diff(got, WANT)


@test
def console_split_gives_the_same_panes_whatever_the_chunks():
    for size in (1, 2, 3, 7, 64):
        chunks = [STREAM[i:i + size] for i in range(0, len(STREAM), size)]
        got = split(chunks)
        assert got == WANT, "in chunks of %d: %s" % (size, diff(got, WANT))


@test
def console_split_passes_a_prompt_on_before_its_newline():
    s = panes.Splitter(["linux", "rt"])
    out = s.feed(b"[linux] tenon-linux:/# ")
    assert out == [("linux", b"tenon-linux:/# ")], out
    # The echo of what is typed goes on the same line, in the same pane.
    out = s.feed(b"l") + s.feed(b"s\n")
    assert out == [("linux", b"l"), ("linux", b"s\n")], out
    out = s.feed(b"[rt] x\n")
    assert out == [("rt", b"x\n")], out


@test
def console_split_keeps_a_forged_prefix_in_the_writers_pane():
    got = split([b"[rt] [linux] root login\n[rt] [tenon] every partition "
                 b"is stopped\n"])
    want = {"rt": b"[linux] root login\n[tenon] every partition is stopped\n"}
    assert got == want, diff(got, want)


@test
def console_split_shows_a_lone_bracket_once_idle():
    got = split([b"["], idle=False)
    assert got == {}, "a '[' that may start a prefix was passed on: %r" % got
    got = split([b"["])
    assert got == {"tenon": b"["}, diff(got, {"tenon": b"["})


@test
def console_pane_restores_the_shells_control_characters():
    r = panes.Restorer()
    out = r.feed(b"# ^[[6n^") + r.feed(b"H^[") + r.feed(b"[K ^M x ^G")
    out += r.flush()
    want = b"# \x1b[6n\b\x1b[K \r x ^G"
    assert out == want, "%r, not %r" % (out, want)


def wait_for(fn, seconds, what):
    end = time.time() + seconds
    while time.time() < end:
        v = fn()
        if v:
            return v
        time.sleep(0.1)
    raise AssertionError("no %s within %g s" % (what, seconds))


class FakeRun:
    """The hub (tools/console-panes.py) running fake_qemu.py."""

    def __init__(self, tmux, status=3):
        self.tmp = tempfile.mkdtemp()
        self.dir = os.path.join(self.tmp, "run")
        os.mkdir(self.dir)
        stream = os.path.join(self.tmp, "stream")
        with open(stream, "w") as f:
            f.write(repr([STREAM[:100], STREAM[100:101], STREAM[101:]]))
        self.keys = os.path.join(self.tmp, "keys")
        self.tmux = ["tmux", "-S", os.path.join(self.dir, "tmux")]
        cmd = [sys.executable, os.path.join(ROOT, "tools", "console-panes.py"),
               "hub", "-d", self.dir, "-p", "linux", "-p", "rt"]
        if not tmux:
            cmd.append("--no-tmux")
        cmd += ["--", sys.executable, os.path.join(HERE, "fake_qemu.py"),
                os.path.join(self.dir, "serial"), stream, self.keys,
                str(status)]
        self.hub = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT)

    def pane(self, name):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        path = os.path.join(self.dir, name + ".sock")
        wait_for(lambda: os.path.exists(path), 10, path)
        s.connect(path)
        s.settimeout(10)
        return s

    def close(self):
        if self.hub.poll() is None:
            self.hub.kill()
        self.hub.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)


def read_until_eof(s):
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            return data
        data += chunk


KEYS = b"ls\r\x1dn\x1d\x1d\x03\x1b[A\x01x"  # Ctrl-] n, Ctrl-] twice, Ctrl-C, Up, Ctrl-A x


@test
def console_panes_forward_keys_unchanged_and_exit_with_qemus_status():
    run = FakeRun(tmux=False)
    try:
        ends = {n: run.pane(n) for n in ("linux", "rt", "tenon")}
        # Keys from any pane go to QEMU (the hypervisor's focus decides
        # where); two panes' keys are in the order they were typed.
        ends["rt"].sendall(KEYS[:5])
        time.sleep(0.5)
        ends["linux"].sendall(KEYS[5:])
        got = {n: read_until_eof(s) for n, s in ends.items()}
        rc = run.hub.wait(20)
        want = dict(WANT)
        want["linux"] = want["linux"].replace(b"^[[", b"\x1b[")
        want["tenon"] += b"fake-qemu: terminating on Ctrl-A x\n"
        assert got == want, diff(got, want)
        with open(run.keys, "rb") as f:
            keys = f.read()
        assert keys == KEYS, "QEMU got the keys %r, not %r" % (keys, KEYS)
        assert rc == 3, "the hub exited %d, not QEMU's 3" % rc
    finally:
        run.close()


@test
def console_panes_tmux_session_shows_each_partition_in_its_pane():
    if not shutil.which("tmux"):
        raise SkipTest("no tmux (apt-get install tmux)")
    run = FakeRun(tmux=True, status=0)
    try:
        def capture(i):
            r = subprocess.run(run.tmux + ["capture-pane", "-p", "-t",
                                           "tenon:0.%d" % i],
                               stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL)
            return r.stdout.decode(errors="replace")
        wait_for(lambda: "[tenon] panic: forged" in capture(0), 10,
                 "Linux's last line in pane 0")
        wait_for(lambda: "RTD|     10.1" in capture(1), 10,
                 "the real-time partition's line in pane 1")
        wait_for(lambda: "hypervisor: 4 CPUs" in capture(2), 10,
                 "the hypervisor's line in pane 2")
        linux, rt, hyp = capture(0), capture(1), capture(2)
        assert "RTD|     10.1" not in linux, "an rt line in Linux's pane"
        assert "Booting Linux" not in rt, "a Linux line in rt's pane"
        assert "[linux]" not in linux.replace("[linux] root", ""), \
            "a prefix left in Linux's pane: " + linux
        subprocess.run(run.tmux + ["send-keys", "-t", "tenon:0.0", "-H"] +
                       ["%02x" % b for b in KEYS], check=True)
        rc = run.hub.wait(20)
        with open(run.keys, "rb") as f:
            keys = f.read()
        # Linux's pane got the shell's cursor query (^[[6n) as ESC [ 6 n,
        # so the pane's terminal answered it, as a terminal does.
        assert re.fullmatch(rb"\x1b\[\d+;\d+R" + re.escape(KEYS), keys), \
            "QEMU got the keys %r, not the answer to the cursor query " \
            "and %r" % (keys, KEYS)
        assert rc == 0, "the hub exited %d, not QEMU's 0" % rc
        gone = subprocess.run(run.tmux + ["has-session"],
                              stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
        assert gone.returncode != 0, "the session outlived QEMU"
    finally:
        run.close()


@test
def console_panes_without_tmux_says_how_to_install_it():
    tmp = tempfile.mkdtemp()
    try:
        sysdir, bindir = os.path.join(tmp, "sys"), os.path.join(tmp, "bin")
        os.mkdir(sysdir)
        os.mkdir(bindir)
        for f in ("tenon.elf", "qemu-loads", "machine"):
            open(os.path.join(sysdir, f), "w").close()
        # Every command of the PATH but tmux.
        for d in os.environ["PATH"].split(":"):
            if not os.path.isdir(d):
                continue
            for name in os.listdir(d):
                link = os.path.join(bindir, name)
                if name != "tmux" and not os.path.lexists(link):
                    os.symlink(os.path.join(d, name), link)
        r = subprocess.run(["sh", os.path.join(ROOT, "tools", "system-run.sh"),
                            "-p", sysdir], env=dict(os.environ, PATH=bindir),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           stdin=subprocess.DEVNULL)
        err = r.stderr.decode()
        assert r.returncode == 2 and "apt-get install tmux" in err, \
            "exit %d, message %r" % (r.returncode, err)
    finally:
        shutil.rmtree(tmp)


def capture(tmux, i):
    r = subprocess.run(tmux + ["capture-pane", "-p", "-J", "-S", "-200",
                               "-t", "tenon:0.%d" % i],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    return r.stdout.decode(errors="replace")


@test
def make_run_panes_gives_linux_a_shell_and_rt_its_own_pane():
    sysdir = os.path.join(BUILD, "sys", "qemu-virt")
    if not shutil.which("tmux"):
        raise SkipTest("no tmux (apt-get install tmux)")
    if not os.path.exists(os.path.join(sysdir, "tenon.elf")):
        raise SkipTest("no %s (make system)" % sysdir)
    tmp = tempfile.mkdtemp()
    tmux = ["tmux", "-S", os.path.join(tmp, "tmux")]
    proc = subprocess.Popen(["sh", os.path.join(ROOT, "tools",
                                                "system-run.sh"),
                             "-p", "-t", "90", sysdir],
                            env=dict(os.environ, TENON_PANES_DIR=tmp),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for(lambda: "tenon-linux:/#" in capture(tmux, 0), 50,
                 "Linux's prompt in its pane")
        subprocess.run(tmux + ["send-keys", "-t", "tenon:0.0", "-l",
                               "echo pane-$((6 * 7))"], check=True)
        subprocess.run(tmux + ["send-keys", "-t", "tenon:0.0", "Enter"],
                       check=True)
        wait_for(lambda: "\npane-42" in capture(tmux, 0), 20,
                 "the answer of Linux's shell in its pane")
        wait_for(lambda: "RTD|" in capture(tmux, 1), 20,
                 "latmus's figures in rt's pane")
        linux, rt, hyp = (capture(tmux, i) for i in range(3))
        assert "[linux]" not in linux and "RTD|" not in linux, \
            "Linux's pane holds a prefix or an rt line: " + linux[-300:]
        assert "pane-42" not in rt and "[rt]" not in rt, \
            "rt's pane holds Linux's output or a prefix: " + rt[-300:]
        assert "hypervisor:" in hyp, "no hypervisor line in its pane"
        # Ctrl-A x, typed in a pane, quits QEMU; that is a quit by hand.
        subprocess.run(tmux + ["send-keys", "-t", "tenon:0.0", "C-a", "x"],
                       check=True)
        rc = proc.wait(30)
        assert rc == 130, "system-run.sh exited %d after Ctrl-A x, not " \
            "130 (quit by hand)" % rc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 9)
            proc.wait()
        subprocess.run(tmux + ["kill-server"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        shutil.rmtree(tmp, ignore_errors=True)


# ---- the protocol ----
GOOD = """== a section
ok sem-close-unblock
FAILED sem-timeout: expected 2, got 3
    | the test's own output, indented
SKIP smp-four-cpus: needs 4 CPUs, the machine has 1
\tdetail, indented

stage: 1 passed, 1 failed, 1 skipped
"""
DRIFTED = ["OK     sem-close-unblock", "BROKEN sem-timeout",
           "ok    sem-close-unblock", "skip  smp-four-cpus",
           "FAILED sem-timeout", "SKIP smp-four-cpus", "ok sem-close: fine",
           "PASS sem-close-unblock", "NOTRUN sem-x: the suite did not start",
           "RESTART after test 3 of 9", "ok Sem_Close", "fuzz: 20000 cases"]


def check_text(text):
    with tempfile.NamedTemporaryFile("w", suffix=".log") as f:
        f.write(text)
        f.flush()
        return subprocess.run([sys.executable,
                               os.path.join(HERE, "..", "report.py"),
                               "check", f.name],
                              stdout=subprocess.PIPE).returncode


@test
def protocol_check_accepts_the_protocol():
    assert check_text(GOOD) == 0, "a log that keeps to it was refused"


@test
def protocol_check_refuses_drifted_spellings():
    for line in DRIFTED:
        text = GOOD.replace("ok sem-close-unblock", line)
        assert check_text(text) == 1, "%r was accepted" % line


@test
def protocol_check_refuses_a_log_without_its_counts():
    text = GOOD.replace("stage: 1 passed, 1 failed, 1 skipped\n", "")
    assert check_text(text) == 1, "a log without counts was accepted"


@test
def protocol_shell_helper_prints_results_and_sums_stages():
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "stage")
        with open(log, "w") as f:
            f.write("ok a\n    x\nunit: 3 passed, 1 failed, 2 skipped\n")
        script = ('. "%s"; count "%s"; count /dev/null empty-stage; '
                  'test_ok one; test_failed two "it broke" "%s"; '
                  'test_skip three "no tmux"; summary stages' %
                  (os.path.join(HERE, "..", "report.sh"), log, log))
        r = subprocess.run(["sh", "-c", script], stdout=subprocess.PIPE)
    out = r.stdout.decode()
    want = ("FAILED empty-stage: it ended without its counts\n"
            "ok one\nFAILED two: it broke\n    | ok a\n    |     x\n"
            "    | unit: 3 passed, 1 failed, 2 skipped\n"
            "SKIP three: no tmux\nstages: 4 passed, 3 failed, 3 skipped\n")
    assert out == want, "printed %r, not %r" % (out, want)
    assert r.returncode == 1, "status %d with failures" % r.returncode


@test
def protocol_python_helper_prints_results_and_counts():
    code = ("import sys; sys.path.insert(0, %r); import report\n"
            "r = report.Report('x-')\nr.ok('one'); r.fail('two', 'why', "
            "['l'])\nr.skip('three', 'no')\nr.add((2, 0, 1))\n"
            "sys.exit(r.summary('py'))" % os.path.join(HERE, ".."))
    r = subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE)
    out = r.stdout.decode()
    want = ("ok x-one\nFAILED x-two: why\n    | l\nSKIP x-three: no\n"
            "py: 3 passed, 1 failed, 2 skipped\n")
    assert out == want, "printed %r, not %r" % (out, want)
    assert r.returncode == 1, "status %d with failures" % r.returncode
    assert report.counts(out.splitlines()) == (3, 1, 2)


# docs/bench.md's generated tables (tools/bench-docs.py), on a page and
# results of its own in a temporary directory.
spec = importlib.util.spec_from_file_location(
    "bench_docs", os.path.join(ROOT, "tools", "bench-docs.py"))
bench_docs = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench_docs)
sys.path.insert(0, os.path.join(ROOT, "tools"))
import bench_results  # noqa: E402

PAGE = ("# Benchmarks\n\nProse before.\n\n"
        "<!-- bench-a/one: begin -->\nold table a\n<!-- bench-a/one: end -->"
        "\n\nProse between.\n\n"
        "<!-- bench-b/two: begin -->\nold table b\n<!-- bench-b/two: end -->"
        "\n\nProse after.\n")


def bench_page(tmp, text=PAGE):
    path = os.path.join(tmp, "bench.md")
    with open(path, "w") as f:
        f.write(text)
    return path


def read(path):
    with open(path) as f:
        return f.read()


@test
def bench_docs_replaces_a_block_and_leaves_the_others():
    with tempfile.TemporaryDirectory() as tmp:
        page = bench_page(tmp)
        bench_results.write(tmp, "bench-a", "make bench-a", {
            "one": bench_results.table(["case", "n"], [["x", 1], ["y", 22]])},
            date="2026-12-02")
        said = bench_docs.rewrite(page, tmp)
        want = PAGE.replace(
            "old table a\n", "Measured 2026-12-02 with `make bench-a`:\n\n"
            "| case | n |\n|---|---:|\n| x | 1 |\n| y | 22 |\n")
        got = read(page)
        assert got == want, "the page became %r, not %r" % (got, want)
        assert any("bench-b: no results" in l for l in said), said
        # Run again on its own output: nothing changes.
        bench_docs.rewrite(page, tmp)
        assert read(page) == want, "a second rewrite changed the page"


@test
def bench_docs_refuses_malformed_results_and_leaves_the_page():
    with tempfile.TemporaryDirectory() as tmp:
        page = bench_page(tmp)
        bench_results.write(tmp, "bench-a", "make bench-a", {
            "one": bench_results.table(["case"], [["x"]])})
        bad = os.path.join(tmp, "bench", "bench-b.json")
        with open(bad, "w") as f:
            f.write('{"bench": "bench-b", "date": "2026-12-02", "command": '
                    '"make bench-b", "tables": {"two": {"header": ["a", "b"],'
                    ' "align": ["l", "r"], "rows": [["only one cell"]]}}}')
        try:
            bench_docs.rewrite(page, tmp)
            raise AssertionError("a row of one cell under two headings "
                                 "was taken")
        except bench_docs.Error as e:
            assert bad in str(e), "the error does not name %s: %s" % (bad, e)
        assert read(page) == PAGE, "the page changed: %r" % read(page)
        with open(bad, "w") as f:
            f.write('{"bench": "bench-b", ')
        try:
            bench_docs.rewrite(page, tmp)
            raise AssertionError("truncated JSON was taken")
        except bench_docs.Error as e:
            assert bad in str(e), "the error does not name %s: %s" % (bad, e)
        assert read(page) == PAGE, "the page changed: %r" % read(page)


@test
def bench_docs_reports_a_missing_begin_or_end_marker():
    for text, what in (
            (PAGE.replace("<!-- bench-b/two: end -->\n", ""),
             "bench-b/two has no end marker"),
            (PAGE.replace("<!-- bench-a/one: begin -->\n", ""),
             "bench-a/one ends with no begin marker"),
            (PAGE.replace("<!-- bench-a/one: end -->\n", ""),
             "bench-b/two begins inside bench-a/one")):
        with tempfile.TemporaryDirectory() as tmp:
            page = bench_page(tmp, text)
            bench_results.write(tmp, "bench-a", "make bench-a", {
                "one": bench_results.table(["case"], [["x"]])})
            try:
                bench_docs.rewrite(page, tmp)
                raise AssertionError("no error for: " + what)
            except bench_docs.Error as e:
                assert what in str(e), "%r does not say %r" % (str(e), what)
            assert read(page) == text, "the page changed"


@test
def bench_docs_refuses_results_for_a_table_with_no_block():
    with tempfile.TemporaryDirectory() as tmp:
        page = bench_page(tmp)
        bench_results.write(tmp, "bench-a", "make bench-a", {
            "one": bench_results.table(["case"], [["x"]]),
            "three": bench_results.table(["case"], [["y"]])})
        try:
            bench_docs.rewrite(page, tmp)
            raise AssertionError("a table with no block was taken")
        except bench_docs.Error as e:
            assert "three has no block" in str(e), str(e)
        assert read(page) == PAGE, "the page changed"


sys.exit(REPORT.summary("tools"))
