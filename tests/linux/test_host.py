#!/usr/bin/env python3
"""The Python module (linux/python/tenon.py) and the tenon command, on the
host, against fake channel functions: a sysfs tree whose resource0,
resource2_wc and config are plain files and a /dev whose uioN is a FIFO
(the same shape tests/linux/fake.c makes for libtenon's tests). The
test plays the peer with the module's own Ring on the region file.
Prints "ok NAME" or "FAILED NAME: why" (tests/report.py), then
"host: N passed, N failed, N skipped".

    usage: test_host.py TENON-COMMAND [AARCH64-TENON-COMMAND]
The second, the command built for the Linux partition, runs the command
tests again under qemu-aarch64 (user-mode emulation), when there is one.
"""
import errno
import mmap
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "linux", "python"))
sys.path.insert(0, os.path.join(HERE, ".."))
import report  # noqa: E402
import tenon  # noqa: E402

TENON = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else None
TENONS = [("", [TENON])] if TENON else []
if len(sys.argv) > 2 and shutil.which("qemu-aarch64"):
    TENONS.append(("a64-", ["qemu-aarch64", os.path.abspath(sys.argv[2])]))
TENON_CMD = None
REPORT = report.Report()


class Fake:
    """A fake sysfs and /dev with channel functions in it."""

    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="tenon-fake-py-")
        self.sys = os.path.join(self.root, "sys")
        self.dev = os.path.join(self.root, "dev")
        os.makedirs(os.path.join(self.sys, "bus/pci/devices"))
        drv = os.path.join(self.sys, "bus/pci/drivers/uio_pci_generic")
        os.makedirs(drv)
        for f in ("new_id", "bind"):
            open(os.path.join(drv, f), "w").close()
        os.makedirs(self.dev)
        os.environ["TENON_SYSFS"] = self.sys
        os.environ["TENON_DEV"] = self.dev
        self.n = 0
        self.keep = []

    def add(self, name, kind, role, msg_size=0, depth=0, validity=0):
        """Linux's end (role) of a channel; returns the peer's Ring, the
        registers (a memoryview of 32-bit words) and the FIFO's fd."""
        n = self.n
        self.n += 1
        dev = "0000:00:%02x.0" % (n + 1)
        d = os.path.join(self.sys, "bus/pci/devices", dev)
        os.makedirs(os.path.join(d, "uio", "uio%d" % n))
        for f, v in (("vendor", "0x1af4"), ("device", "0x1110"),
                     ("subsystem_vendor", "0x1af4"),
                     ("subsystem_device", "0x5443")):
            with open(os.path.join(d, f), "w") as fh:
                fh.write(v + "\n")
        os.symlink("../../drivers/uio_pci_generic", os.path.join(d, "driver"))
        size = tenon.region_size(kind, msg_size, depth)
        regs = self._file(os.path.join(d, "resource0"), tenon.BAR0_SIZE)
        region = self._file(os.path.join(d, "resource2_wc"), size)
        r = memoryview(regs).cast("I")
        R = tenon.REG
        for k, v in (("MAGIC", tenon.MAGIC), ("VERSION", tenon.ABI_VERSION),
                     ("ID", n), ("KIND", kind), ("ROLE", role),
                     ("MSG_SIZE", msg_size), ("DEPTH", depth),
                     ("REGION", size), ("VALIDITY", validity),
                     ("PEER_STATE", 1), ("FREQ", 1000)):
            r[R[k] >> 2] = v
        regs[R["NAME"]:R["NAME"] + len(name)] = name.encode()
        regs[R["PEER_NAME"]:R["PEER_NAME"] + 2] = b"rt"
        with open(os.path.join(d, "config"), "wb") as fh:
            fh.write(bytes([0, 0, 0, 0, 2, 4]) + bytes(250))
        fifo = os.path.join(self.dev, "uio%d" % n)
        os.mkfifo(fifo)
        wfd = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)
        self.keep.append(wfd)
        peer = tenon.Ring(region, size, kind,
                          tenon.READER if role == tenon.WRITER
                          else tenon.WRITER, msg_size, depth)
        self.keep.append(peer)
        return peer, r, wfd, d

    def add_manager(self, name="linux", npartitions=1, self_index=0,
                    permitted=1, depth=8):
        """The manager function, its registers plain words of a file (so
        a select latches nothing: the test sets what it reads)."""
        d = os.path.join(self.sys, "bus/pci/devices", "0000:00:1f.0")
        os.makedirs(d)
        for f, v in (("vendor", "0x1af4"), ("device", "0x1110"),
                     ("subsystem_vendor", "0x1af4"),
                     ("subsystem_device", "0x544d")):
            with open(os.path.join(d, f), "w") as fh:
                fh.write(v + "\n")
        os.symlink("../../drivers/uio_pci_generic", os.path.join(d, "driver"))
        regs = self._file(os.path.join(d, "resource0"), 4096)
        window = self._file(os.path.join(d, "resource2_wc"), 1 << 20)
        r = memoryview(regs).cast("I")
        R = tenon.MGR_REG
        for k, v in (("MAGIC", tenon.MGR_MAGIC),
                     ("VERSION", tenon.HM_ABI_VERSION), ("SELF", self_index),
                     ("NPARTITIONS", npartitions), ("PERMITTED", permitted),
                     ("FREQ", 62500000), ("LOG_DEPTH", depth),
                     ("LOAD_MAX", 1 << 20 if permitted else 0)):
            r[R[k] >> 2] = v
        regs[R["PART_NAME"]:R["PART_NAME"] + len(name)] = name.encode()
        first = R["PART_STATE"] >> 2
        # running, linux, 3 vCPUs on CPUs 1-3, 2 restarts, 1 fault, 512 MiB,
        # watchdog 250 ms, 1 MiB image, 4 events, at most 512 KiB a load
        for i, v in enumerate((1, 2, 3, 0xe, 2, 1, 524288, 250000, 1 << 20,
                               4, 512 << 10)):
            r[first + i] = v
        self.keep.append(r)
        return r, regs, window

    def _file(self, path, size):
        with open(path, "wb") as fh:
            fh.truncate(size)
        fd = os.open(path, os.O_RDWR)
        m = mmap.mmap(fd, size)
        os.close(fd)
        self.keep.append(m)
        return m

    def close(self):
        for k in self.keep:
            if isinstance(k, int):
                os.close(k)
            elif isinstance(k, memoryview):
                k.release()
        shutil.rmtree(self.root)


def test(fn, prefix=""):
    name = prefix + fn.__name__.replace("_", "-")
    fake = Fake()
    try:
        fn(fake)
        REPORT.ok(name)
    except Exception:
        why = traceback.format_exc().strip().splitlines()
        REPORT.fail(name, " | ".join(why[-3:]))
    finally:
        fake.close()
    return fn


def expect_errno(code, fn, *args, **kw):
    try:
        fn(*args, **kw)
    except OSError as e:
        assert e.errno == code, "errno %s, not %s: %s" % (
            errno.errorcode.get(e.errno), errno.errorcode[code], e)
        return e
    raise AssertionError("no %s" % errno.errorcode[code])


def later(seconds, fn):
    t = threading.Timer(seconds, fn)
    t.start()
    return t


# ---- the Python module ----

@test
def py_open_unknown_channel_gives_enoent(fake):
    fake.add("setpoint", tenon.QUEUE, tenon.WRITER, 64, 16)
    e = expect_errno(errno.ENOENT, tenon.open, "nosuch")
    assert isinstance(e, FileNotFoundError) and "nosuch" in str(e)
    expect_errno(errno.EINVAL, tenon.open, "Bad/Name")


@test
def py_channels_lists_every_end(fake):
    fake.add("setpoint", tenon.QUEUE, tenon.WRITER, 64, 16)
    fake.add("state", tenon.SAMPLE, tenon.READER, 256, 0, 100000)
    infos = tenon.channels()
    assert [i.name for i in infos] == ["setpoint", "state"]
    assert infos[0].kind == tenon.QUEUE and infos[0].depth == 16
    assert infos[1].validity_us == 100000 and infos[1].peer == "rt"


@test
def py_second_open_gives_ebusy(fake):
    fake.add("setpoint", tenon.QUEUE, tenon.WRITER, 64, 16)
    a = tenon.open("setpoint")
    expect_errno(errno.EBUSY, tenon.open, "setpoint")
    a.close()
    tenon.open("setpoint").close()


@test
def py_queue_messages_arrive_in_order(fake):
    peer, _, _, _ = fake.add("setpoint", tenon.QUEUE, tenon.WRITER, 16, 4)
    with tenon.open("setpoint") as ch:
        for i in range(10):
            ch.send(b"m%d" % i, block=False)
            assert peer.queue_receive() == b"m%d" % i
        for i in range(4):
            ch.send(b"x", block=False)
        expect_errno(errno.EAGAIN, ch.send, b"x", block=False)
        t0 = time.monotonic()
        expect_errno(errno.ETIMEDOUT, ch.send, b"x",
                     deadline=time.monotonic() + 0.05)
        assert time.monotonic() - t0 >= 0.05
        expect_errno(errno.EMSGSIZE, peer.queue_send, b"y" * 17)


@test
def py_queue_receive_wakes_on_the_doorbell(fake):
    peer, regs, wfd, d = fake.add("cmd", tenon.QUEUE, tenon.READER, 16, 4)
    with tenon.open("cmd") as ch:
        def ring():
            peer.queue_send(b"late")
            if peer.peer_waiting():
                os.write(wfd, (1).to_bytes(4, "little"))
        t = later(0.05, ring)
        assert ch.receive(deadline=time.monotonic() + 5) == b"late"
        t.join()
        # It acked ISR and unmasked INTx as it armed, and its flag is down.
        assert regs[tenon.REG["ISR"] >> 2] == 1  # the write of the ack
        with open(os.path.join(d, "config"), "rb") as fh:
            assert fh.read(6)[5] & 4 == 0
        assert not peer.peer_waiting()


@test
def py_queue_corrupt_head_gives_eio_and_counts(fake):
    peer, _, _, _ = fake.add("cmd", tenon.QUEUE, tenon.READER, 16, 4)
    with tenon.open("cmd") as ch:
        peer.q[tenon.HEAD // 8] = 999
        expect_errno(errno.EIO, ch.receive, block=False)
        expect_errno(errno.EIO, ch.receive)
        assert ch.ring.errors == 2
        peer.q[tenon.HEAD // 8] = 0
        peer.index = 0
        peer.queue_send(b"ok")
        assert ch.receive(block=False) == b"ok"


@test
def py_queue_corrupt_length_skips_one_message(fake):
    peer, _, _, _ = fake.add("cmd", tenon.QUEUE, tenon.READER, 16, 4)
    with tenon.open("cmd") as ch:
        peer.queue_send(b"first")
        peer.queue_send(b"second")
        peer.w[tenon.DATA // 4] = 0xffffffff
        expect_errno(errno.EIO, ch.receive, block=False)
        assert ch.receive(block=False) == b"second"


@test
def py_sample_latest_value_sequence_and_freshness(fake):
    peer, regs, _, _ = fake.add("state", tenon.SAMPLE, tenon.READER, 32, 0,
                                1000)
    with tenon.open("state") as ch:
        expect_errno(errno.ENODATA, ch.sample_get)
        regs[tenon.REG["COUNTER_LO"] >> 2] = 5000  # 5 s at 1 kHz
        peer.sample_write(b"one", 4999)
        peer.sample_write(b"two", 4999)
        value, meta = ch.sample_get()
        assert value == b"two" and meta.seq == 2 and meta.fresh, meta
        peer.sample_write(b"old", 3000)
        value, meta = ch.sample_get()
        assert value == b"old" and not meta.fresh and meta.age == 2.0
        expect_errno(errno.ETIMEDOUT, ch.sample_wait,
                     deadline=time.monotonic() + 0.02)


@test
def py_sample_corrupt_length_gives_eio(fake):
    peer, _, _, _ = fake.add("state", tenon.SAMPLE, tenon.READER, 32, 0)
    with tenon.open("state") as ch:
        peer.sample_write(b"v", 1)
        at = tenon.DATA + tenon.slot_size(tenon.SAMPLE, 32)
        peer.w[(at + 24) // 4] = 1 << 30
        expect_errno(errno.EIO, ch.sample_get)


@test
def py_stream_bytes_in_order_across_the_wrap(fake):
    peer, _, _, _ = fake.add("log", tenon.STREAM, tenon.READER, 0, 256)
    with tenon.open("log") as ch:
        data = bytes((i * 7) & 0xff for i in range(700))
        sent, got = 0, b""
        while len(got) < 700:
            sent += peer.stream_write(data[sent:sent + 100])
            got += ch.stream_read(700 - len(got), block=False)
        assert got == data
        expect_errno(errno.EAGAIN, ch.stream_read, block=False)


@test
def py_stream_write_fills_then_times_out(fake):
    peer, _, _, _ = fake.add("up", tenon.STREAM, tenon.WRITER, 0, 256)
    with tenon.open("up") as ch:
        assert ch.stream_write(b"a" * 300,
                               deadline=time.monotonic() + 0.02) == 256
        expect_errno(errno.EAGAIN, ch.stream_write, b"b", block=False)
        assert peer.stream_read(1000) == b"a" * 256


@test
def py_wrong_kind_gives_einval(fake):
    fake.add("state", tenon.SAMPLE, tenon.READER, 32, 0)
    with tenon.open("state") as ch:
        e = expect_errno(errno.EINVAL, ch.send, b"x")
        assert "is a sample, not a queue" in str(e)


def set_entry(regs, seq, partition, vcpu, event, action, flags, detail,
              time_ns):
    """Puts an HM log entry in the ENTRY registers."""
    b = tenon.MGR_REG["ENTRY"]
    raw = (seq.to_bytes(8, "little") + time_ns.to_bytes(8, "little") +
           detail.to_bytes(8, "little") +
           bytes([partition, vcpu, event, action]) +
           flags.to_bytes(4, "little"))
    regs[b:b + 32] = raw


def set_next(r, n):
    r[tenon.MGR_REG["LOG_NEXT_HI"] >> 2] = n >> 32
    r[tenon.MGR_REG["LOG_NEXT_LO"] >> 2] = n & 0xffffffff


def set_result(r, v):
    r[tenon.MGR_REG["RESULT"] >> 2] = v & 0xffffffff


@test
def py_partitions_read_the_manager_function_and_channels_ignore_it(fake):
    fake.add("setpoint", tenon.QUEUE, tenon.WRITER, 64, 16)
    fake.add_manager("linux")
    assert [c.name for c in tenon.channels()] == ["setpoint"]
    (p,) = tenon.partitions()
    assert p.name == "linux" and p.state == 1 and p.cpus == 0xe, p
    assert p.restarts == 2 and p.watchdog_us == 250000, vars(p)


@test
def py_manager_without_function_gives_enoent(fake):
    fake.add("setpoint", tenon.QUEUE, tenon.WRITER, 64, 16)
    expect_errno(errno.ENOENT, tenon.Manager)


@test
def py_partition_with_bad_name_gives_eproto(fake):
    _, regs, _ = fake.add_manager("linux")
    b = tenon.MGR_REG["PART_NAME"]
    regs[b:b + 16] = b"x" * 16
    with tenon.Manager() as m:
        expect_errno(errno.EPROTO, m.partition, 0)
        expect_errno(errno.EINVAL, m.partition, 1)


@test
def py_command_writes_op_and_raises_the_hypervisors_errno(fake):
    r, _, _ = fake.add_manager("linux", npartitions=2, self_index=1)
    with tenon.Manager() as m:
        set_result(r, 0)
        m.restart(0)
        assert r[tenon.MGR_REG["CMD"] >> 2] == tenon.OP_RESTART, r[8]
        set_result(r, -errno.EPERM)
        e = expect_errno(errno.EPERM, m.stop, 0)
        assert "not the manager" in str(e), e
        set_result(r, -errno.EINPROGRESS)
        expect_errno(errno.ETIMEDOUT, m.command, tenon.OP_START, 0, 0.05)


@test
def py_log_reads_entries_and_counts_the_lost(fake):
    r, regs, _ = fake.add_manager("linux", depth=8)
    with tenon.Manager() as m:
        assert m.log(0) == ([], 0, 0)
        set_entry(regs, 10, 0, 1, 4, 5, 0, 0, 1000)
        set_next(r, 11)
        entries, lost, cursor = m.log(0)
        assert [e.seq for e in entries] == [10] and cursor == 11, entries
        assert lost == 10, lost
        assert entries[0].event == 4 and entries[0].vcpu == 1


# ---- the tenon command (the host build, on libtenon) ----

def run(*args, stdin=b""):
    p = subprocess.run(TENON_CMD + list(args), input=stdin,
                       capture_output=True, timeout=20)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def command(fn):
    global TENON_CMD
    for prefix, cmd in TENONS:
        TENON_CMD = cmd
        test(fn, prefix)
    return fn


@command
def cmd_channels_lists_the_ends(fake):
    fake.add("setpoint", tenon.QUEUE, tenon.WRITER, 64, 16)
    fake.add("log", tenon.STREAM, tenon.READER, 0, 65536)
    rc, out, err = run("channels")
    assert rc == 0, err
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["NAME", "KIND", "ROLE", "PEER"], out
    assert lines[1].split()[:4] == ["setpoint", "queue", "writer", "rt"], out
    assert lines[2].split()[:3] == ["log", "stream", "reader"], out


@command
def cmd_send_puts_the_message_in_the_queue(fake):
    peer, _, _, _ = fake.add("setpoint", tenon.QUEUE, tenon.WRITER, 64, 2)
    assert run("send", "setpoint", "42")[0] == 0
    assert peer.queue_receive() == b"42"
    assert run("send", "setpoint", "a")[0] == 0
    assert run("send", "setpoint", "b")[0] == 0
    rc, _, err = run("send", "-n", "setpoint", "c")
    assert rc == 1 and "full" in err, err
    rc, _, err = run("send", "-t", "30", "setpoint", "c")
    assert rc == 1 and "full" in err, err


@command
def cmd_recv_prints_messages_and_says_empty(fake):
    peer, _, _, _ = fake.add("cmd", tenon.QUEUE, tenon.READER, 64, 4)
    peer.queue_send(b"hello")
    rc, out, _ = run("recv", "cmd")
    assert rc == 0 and out == "hello\n", out
    rc, _, err = run("recv", "-n", "cmd")
    assert rc == 1 and "empty" in err, err


@command
def cmd_sample_prints_value_sequence_age_freshness(fake):
    peer, _, _, _ = fake.add("state", tenon.SAMPLE, tenon.READER, 64, 0,
                             100000)
    rc, _, err = run("sample", "state")
    assert rc == 1 and "no value" in err, err
    # The host's counter is CLOCK_MONOTONIC in ns: a stamp of 0 is stale.
    peer.sample_write(b"temp=21.5", 0)
    rc, out, _ = run("sample", "state")
    assert rc == 0, out
    value, meta = out.splitlines()
    assert value == "temp=21.5" and meta.startswith("seq 1, age "), out
    assert meta.endswith("stale"), out
    rc, _, err = run("sample", "state", "x")
    assert rc == 1 and "reader" in err, err


def ps_table(policies):
    """A thread table (tenon/ps.h) with one thread per policy number."""
    head = struct.pack("<IIIIQII", 0x53505354, 1, len(policies),
                       len(policies), 5 * 10**9, 1, 1000)
    rows = b"".join(struct.pack("<24sIiIiiIQQQ", b"t%d" % p, 1, 0, p, 10,
                                10, 0, 1, 0, 0) for p in policies)
    return head + rows


@command
def cmd_ps_names_every_scheduling_class(fake):
    peer, _, _, _ = fake.add("tenon-ps", tenon.SAMPLE, tenon.READER, 512,
                             0, 10**9)
    peer.sample_write(ps_table([1, 2, 3, 4, 5, 9]), 0)
    rc, out, err = run("ps")
    assert rc == 0, err
    sched = {l.split()[1]: l.split()[3] for l in out.splitlines()[2:]}
    assert sched == {"t1": "fifo", "t2": "rr", "t3": "idle", "t4": "quota",
                     "t5": "tp", "t9": "?"}, out


@command
def cmd_write_and_cat_carry_a_stream(fake):
    wpeer, _, _, _ = fake.add("up", tenon.STREAM, tenon.WRITER, 0, 4096)
    rpeer, _, _, _ = fake.add("log", tenon.STREAM, tenon.READER, 0, 4096)
    data = bytes(range(256)) * 8
    assert run("write", "up", stdin=data)[0] == 0
    assert wpeer.stream_read(65536) == data
    rpeer.stream_write(b"line one\nline two\n")
    rc, out, _ = run("cat", "log")
    assert rc == 0 and out == "line one\nline two\n", out


@command
def cmd_unknown_channel_and_bad_usage_are_errors(fake):
    fake.add("setpoint", tenon.QUEUE, tenon.WRITER, 64, 16)
    rc, _, err = run("send", "nosuch", "1")
    assert rc == 1 and "no channel 'nosuch'" in err, err
    rc, _, err = run("frobnicate")
    assert rc == 2 and "unknown command 'frobnicate'" in err, err
    rc, _, err = run("recv", "-z", "setpoint")
    assert rc == 2 and "recv -h" in err, err
    rc, _, err = run("send", "setpoint")
    assert rc == 2 and "needs NAME and MSG" in err, err
    rc, out, _ = run("-h")
    assert rc == 0 and "channels" in out and "ps" in out, out
    rc, out, _ = run("send", "-h")
    assert rc == 0 and out.startswith("usage: tenon send"), out
    rc, _, err = run("recv", "setpoint")
    assert rc == 1 and "is its writer" in err, err


@command
def cmd_partition_list_prints_the_table(fake):
    fake.add_manager("linux")
    rc, out, err = run("partition", "list")
    assert rc == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["INDEX", "NAME", "KIND", "STATE", "CPUS",
                                "RESTARTS", "FAULTS", "EVENTS", "WATCHDOG",
                                "IMAGE"], out
    assert lines[1].split() == ["0", "linux", "linux", "running", "1-3",
                                "2", "1", "4", "250", "ms", "1048576",
                                "(this", "one)"], out
    assert lines[2] == "this partition is the manager", out


@command
def cmd_partition_commands_report_the_errno_in_words(fake):
    r, _, _ = fake.add_manager("linux", npartitions=2, self_index=1)
    set_result(r, 0)
    rc, out, err = run("partition", "warm-restart", "0")
    assert rc == 0 and out == "0: warm-restart done\n", (out, err)
    assert r[tenon.MGR_REG["CMD"] >> 2] == tenon.OP_WARM_RESTART
    rc, out, err = run("partition", "stop", "linux")
    assert rc == 0, err
    assert r[tenon.MGR_REG["CMD"] >> 2] == tenon.OP_STOP
    for code, words in ((errno.EPERM, "this partition is not the manager"),
                        (errno.EBUSY, "another command or a reset"),
                        (errno.EALREADY, "nothing to do")):
        set_result(r, -code)
        rc, _, err = run("partition", "start", "0")
        assert rc == 1 and err.startswith(
            "tenon partition start 0: " + words), err
    rc, _, err = run("partition", "restart", "nosuch")
    assert rc == 1 and "no partition 'nosuch'" in err, err


@command
def cmd_partition_load_checks_the_file_first(fake):
    r, regs, window = fake.add_manager("linux", npartitions=2, self_index=1)
    set_result(r, 0)
    image = os.path.join(fake.root, "Image")
    rc, _, err = run("partition", "load", "0", image)
    assert rc == 1 and "No such file" in err, err
    with open(image, "wb") as f:
        f.write(bytes(4096))
    rc, _, err = run("partition", "load", "0", image)
    assert rc == 1 and "not an arm64 Image" in err, err
    data = bytes(0x38) + b"ARM\x64" + bytes(range(256)) * 4000
    with open(image, "wb") as f:
        f.write(data)
    rc, _, err = run("partition", "load", "0", image)
    assert rc == 1 and "more than the 524288" in err, err
    assert r[tenon.MGR_REG["CMD"] >> 2] == 0
    data = data[:300000]
    with open(image, "wb") as f:
        f.write(data)
    set_result(r, -errno.ENOEXEC)
    rc, _, err = run("partition", "load", "0", image)
    assert rc == 1 and "no arm64 Image header" in err, err
    assert r[tenon.MGR_REG["CMD"] >> 2] == tenon.OP_LOAD
    assert r[tenon.MGR_REG["LOAD_SIZE"] >> 2] == len(data)
    assert window[:len(data)] == data
    set_result(r, 0)
    rc, out, err = run("partition", "load", "0", image)
    assert rc == 0 and out == "0: load done\n", (out, err)


@command
def cmd_hm_prints_the_log(fake):
    r, regs, _ = fake.add_manager("linux", depth=8)
    rc, out, err = run("hm")
    assert rc == 0 and out == "", (out, err)
    set_entry(regs, 0, 0, 2, 4, 4, tenon.F_LIMIT, 0x1f, 12345678901)
    set_next(r, 1)
    rc, out, err = run("hm")
    assert rc == 0, err
    assert out.split() == ["0", "12.345678", "linux", "2", "watchdog",
                           "0x1f", "stop", "(restart", "limit",
                           "reached)"], out
    set_entry(regs, 0, 0, 0xff, 1, 3, tenon.F_FAILED, 0x8000, 0)
    rc, out, err = run("hm")
    assert out.split()[2:5] == ["linux", "-", "mem-fault"], out
    assert out.rstrip().endswith("notify (no handler: fatal action)"), out
    rc, out, err = run("hm", "-n", "0")
    assert rc == 0 and out == "", out


@command
def cmd_hm_follow_says_how_many_events_were_lost(fake):
    r, regs, _ = fake.add_manager("linux", depth=8)
    set_entry(regs, 0, 0, 0, 2, 2, 0, 0, 0)
    set_next(r, 1)
    p = subprocess.Popen(TENON_CMD + ["hm", "-f"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    try:
        time.sleep(1.0)
        # Nine overwritten before it looked again: it sees 10 next.
        set_entry(regs, 10, 0, 0, 3, 5, 0, 0, 2000000000)
        set_next(r, 11)
        time.sleep(1.0)
    finally:
        p.terminate()
        out, err = p.communicate(timeout=10)
    lines = out.decode().splitlines()
    assert len(lines) == 3, (lines, err)
    assert lines[0].split()[:5] == ["0", "0.000000", "linux", "0", "trap"]
    assert lines[1] == "9 events lost", lines
    assert lines[2].split()[:5] == ["10", "2.000000", "linux", "0",
                                    "fatal"], lines


@command
def cmd_partition_and_hm_bad_usage_are_errors(fake):
    fake.add_manager("linux")
    rc, _, err = run("hm", "-x")
    assert rc == 2 and "hm -h" in err, err
    rc, _, err = run("hm", "-n", "many")
    assert rc == 2 and "-n 'many'" in err, err
    rc, _, err = run("hm", "extra")
    assert rc == 2 and "unexpected argument 'extra'" in err, err
    rc, _, err = run("partition")
    assert rc == 2 and "needs list" in err, err
    rc, _, err = run("partition", "load", "0")
    assert rc == 2 and "load needs NAME and FILE" in err, err
    rc, _, err = run("partition", "-t", "soon", "list")
    assert rc == 2 and "-t 'soon'" in err, err
    rc, out, _ = run("partition", "-h")
    assert rc == 0 and out.startswith("usage: tenon partition list"), out
    rc, out, _ = run("help")
    assert rc == 0 and "partition" in out and "hm" in out, out


sys.exit(REPORT.summary("host"))
