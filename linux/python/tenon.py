"""Tenon channels from Python: the same ends, kinds and semantics as
libtenon, in pure Python (mmap, memoryview, os, select).

    import tenon
    ch = tenon.open("setpoint")
    ch.send(b"42")
    value, meta = tenon.open("state").sample_get()

The region's 64-bit indices are read and written as single aligned
64-bit accesses (a memoryview cast to 'Q'), its 32-bit words likewise
('I'); the registers only with 32-bit accesses. Python has no barrier
instruction: reading the FENCE register (the hypervisor completes it with
a DSB SY) orders the accesses before it against those after it, where
<tenon/channel_abi.h> has a barrier.

Failures raise OSError with the errno libtenon returns: ENOENT
(FileNotFoundError) for a channel the system does not have, EBUSY for an
end another process holds, EIO for a corrupt peer (counted in errors),
ETIMEDOUT (TimeoutError) at a deadline, EAGAIN (BlockingIOError) when
block=False would have waited. Deadlines are absolute time.monotonic()
values (CLOCK_MONOTONIC), None for ever.

The manager function (<tenon/hm.h>) too: tenon.partitions() lists the
partitions, tenon.Manager() runs commands (stop, start, restart,
warm_restart) and reads the health monitor's log; a refused command
raises OSError with the hypervisor's errno (EPERM: not the manager).

TENON_SYSFS and TENON_DEV, when set, replace /sys and /dev (tests).
"""
import errno
import fcntl
import mmap
import os
import select
import time

__all__ = ["open", "channels", "Channel", "Info", "Meta", "QUEUE", "SAMPLE",
           "STREAM", "WRITER", "READER", "Manager", "partitions",
           "Partition", "HMEntry"]

QUEUE, SAMPLE, STREAM = 1, 2, 3
WRITER, READER = 1, 2
KINDS = {QUEUE: "queue", SAMPLE: "sample", STREAM: "stream"}

# <tenon/channel_abi.h>
ABI_VERSION = 1
PCI_IDS = (0x1af4, 0x1110, 0x1af4, 0x5443)
MAGIC = 0x48434e54
PAGE = 4096
DATA = 0x2000
HEAD, WWAIT, TAIL, RWAIT = 0x0000, 0x0008, 0x1000, 0x1008
MSG_MAX, DEPTH_MAX, STREAM_MAX, REGION_MAX = 65536, 65536, 16 << 20, 32 << 20
BAR0_SIZE = 0x1000
REG = dict(MAGIC=0x00, VERSION=0x04, ID=0x08, KIND=0x0c, ROLE=0x10,
           MSG_SIZE=0x14, DEPTH=0x18, REGION=0x1c, VALIDITY=0x20,
           PEER_STATE=0x24, PEER_RESTARTS=0x28, DOORBELL=0x40, ISR=0x44,
           IMR=0x48, FENCE=0x4c, COUNTER_LO=0x50, COUNTER_HI=0x54,
           FREQ=0x58, RANG=0x60, RUNG=0x64, NAME=0x80, PEER_NAME=0x90)
SAMPLE_TRIES = 4
PCI_COMMAND, INTX_DISABLE = 0x04, 0x400
M64 = (1 << 64) - 1


def _align8(n):
    return (n + 7) & ~7


def slot_size(kind, msg_size):
    if kind == QUEUE:
        return 8 + _align8(msg_size)
    if kind == SAMPLE:
        return 32 + _align8(msg_size)
    return 1


def data_size(kind, msg_size, depth):
    if kind == QUEUE:
        if not 0 < msg_size <= MSG_MAX or not 0 < depth <= DEPTH_MAX:
            return 0
        return depth * slot_size(kind, msg_size)
    if kind == SAMPLE:
        return 2 * slot_size(kind, msg_size) if 0 < msg_size <= MSG_MAX else 0
    if kind == STREAM:
        return depth if 0 < depth <= STREAM_MAX else 0
    return 0


def region_size(kind, msg_size, depth):
    need = data_size(kind, msg_size, depth)
    if not need:
        return 0
    need += DATA
    size = PAGE
    while size < need:
        size <<= 1
    return size if size <= REGION_MAX else 0


def _err(code, what):
    return OSError(code, what)


class Ring:
    """An end's view of a region: the protocol of <tenon/channel_abi.h>,
    line for line. fence() is called where the header has a barrier."""

    def __init__(self, buf, size, kind, role, msg_size, depth,
                 fence=lambda: None):
        need = data_size(kind, msg_size, depth)
        if not need or need + DATA > size or role not in (WRITER, READER):
            raise _err(errno.EINVAL, "sizes the region cannot hold")
        self.mem = memoryview(buf)
        self.q = self.mem[:size].cast("Q")
        self.w = self.mem[:size].cast("I")
        self.kind, self.role = kind, role
        self.msg_size = 0 if kind == STREAM else msg_size
        self.depth = 0 if kind == SAMPLE else depth
        self.slot = slot_size(kind, msg_size)
        self.fence = fence
        self.errors = 0
        self.index = self.q[(HEAD if role == WRITER else TAIL) // 8]

    def _corrupt(self):
        self.errors += 1
        raise _err(errno.EIO, "the peer left a corrupt index or length "
                   "(%d so far)" % self.errors)

    def _slot(self, n):
        return DATA + n * self.slot

    def in_flight(self):
        if self.role == WRITER:
            head, tail = self.index, self.q[TAIL // 8]
        else:
            head, tail = self.q[HEAD // 8], self.index
        n = (head - tail) & M64
        if n > self.depth:
            self._corrupt()
        return n

    def set_waiting(self, on):
        off = WWAIT if self.role == WRITER else RWAIT
        self.w[off // 4] = 1 if on else 0
        self.fence()

    def waiting(self):
        off = WWAIT if self.role == WRITER else RWAIT
        return self.w[off // 4] != 0

    def peer_waiting(self):
        if self.kind == SAMPLE:
            return True
        self.fence()
        off = RWAIT if self.role == WRITER else WWAIT
        return self.w[off // 4] != 0

    def _publish(self, index):
        self.index = index & M64
        self.q[(HEAD if self.role == WRITER else TAIL) // 8] = self.index

    def queue_send(self, msg):
        """True sent, False full."""
        msg = bytes(msg)
        if len(msg) > self.msg_size:
            raise _err(errno.EMSGSIZE, "a message of %d bytes, msg-size is "
                       "%d" % (len(msg), self.msg_size))
        if self.in_flight() == self.depth:
            return False
        self.fence()
        at = self._slot(self.index % self.depth)
        self.w[at // 4] = len(msg)
        self.mem[at + 8:at + 8 + len(msg)] = msg
        self.fence()
        self._publish(self.index + 1)
        return True

    def queue_receive(self, size=None):
        """The message's bytes, or None if empty."""
        if self.in_flight() == 0:
            return None
        self.fence()
        at = self._slot(self.index % self.depth)
        n = self.w[at // 4]
        if n > self.msg_size:
            self.fence()
            self._publish(self.index + 1)
            self._corrupt()
        if size is not None and n > size:
            raise _err(errno.EMSGSIZE, "the next message has %d bytes, the "
                       "buffer %d" % (n, size))
        msg = bytes(self.mem[at + 8:at + 8 + n])
        self.fence()
        self._publish(self.index + 1)
        return msg

    def stream_write(self, data):
        """Bytes taken (0: full)."""
        data = bytes(data)
        room = self.depth - self.in_flight()
        n = min(len(data), room)
        if not n:
            return 0
        self.fence()
        off = self.index % self.depth
        first = min(n, self.depth - off)
        self.mem[DATA + off:DATA + off + first] = data[:first]
        self.mem[DATA:DATA + n - first] = data[first:n]
        self.fence()
        self._publish(self.index + n)
        return n

    def stream_read(self, size):
        """Up to size bytes (b"": empty)."""
        n = min(self.in_flight(), size)
        if not n:
            return b""
        self.fence()
        off = self.index % self.depth
        first = min(n, self.depth - off)
        out = bytes(self.mem[DATA + off:DATA + off + first]) + \
            bytes(self.mem[DATA:DATA + n - first])
        self.fence()
        self._publish(self.index + n)
        return out

    def sample_write(self, value, stamp):
        value = bytes(value)
        if len(value) > self.msg_size:
            raise _err(errno.EMSGSIZE, "a value of %d bytes, msg-size is "
                       "%d" % (len(value), self.msg_size))
        seq = (self.index + 1) & M64
        at = self._slot(seq & 1)
        self.q[at // 8] = seq
        self.fence()
        self.w[(at + 24) // 4] = len(value)
        self.q[(at + 8) // 8] = stamp & M64
        self.mem[at + 32:at + 32 + len(value)] = value
        self.fence()
        self.q[(at + 16) // 8] = seq
        self.fence()
        self._publish(seq)

    def sample_read(self):
        """(value, seq, stamp); None if never written, raises EAGAIN if
        the writer kept rewriting it."""
        for _ in range(SAMPLE_TRIES):
            seq = self.q[HEAD // 8]
            if not seq:
                return None
            at = self._slot(seq & 1)
            self.fence()
            end = self.q[(at + 16) // 8]
            self.fence()
            n = self.w[(at + 24) // 4]
            stamp = self.q[(at + 8) // 8]
            value = bytes(self.mem[at + 32:at + 32 + n]) \
                if end == seq and n <= self.msg_size else b""
            self.fence()
            begin = self.q[at // 8]
            if end != seq or begin != seq:
                continue
            if n > self.msg_size:
                self._corrupt()
            self.index = seq
            return value, seq, stamp
        raise _err(errno.EAGAIN, "the writer rewrote the value during "
                   "every read")

    def sample_new(self):
        seq = self.q[HEAD // 8]
        return seq != 0 and seq != self.index

    def ready(self):
        if self.kind == SAMPLE:
            return True if self.role == WRITER else self.sample_new()
        n = self.in_flight()
        return n > 0 if self.role == READER else n < self.depth


class Info:
    """A channel end, as the registers describe it."""

    def __init__(self, regs, device, uio):
        def name(off):
            raw = b"".join(regs[(off >> 2) + i].to_bytes(4, "little")
                           for i in range(4))
            return raw.split(b"\0")[0].decode("ascii", "replace")
        self.name = name(REG["NAME"])
        self.peer = name(REG["PEER_NAME"])
        self.device, self.uio = device, uio
        for key in ("ID", "KIND", "ROLE", "MSG_SIZE", "DEPTH", "REGION",
                    "VALIDITY", "PEER_STATE", "PEER_RESTARTS", "RANG",
                    "RUNG"):
            setattr(self, key.lower(), regs[REG[key] >> 2])
        self.validity_us = self.validity

    def __repr__(self):
        return "<tenon channel %s: %s %s of %s>" % (
            self.name, KINDS.get(self.kind, "?"),
            "writer" if self.role == WRITER else "reader", self.peer)


class Meta:
    """A sample's sequence number, stamp, age (seconds) and freshness."""

    def __init__(self, seq, stamp, age, fresh):
        self.seq, self.stamp, self.age, self.fresh = seq, stamp, age, fresh

    def __repr__(self):
        return "<sample seq %d, age %.6f s, %s>" % (
            self.seq, self.age, "fresh" if self.fresh else "stale")


def _sysfs():
    return os.environ.get("TENON_SYSFS") or "/sys"


def _dev():
    return os.environ.get("TENON_DEV") or "/dev"


def _read(path):
    with builtins_open(path) as f:
        return f.read().strip()


builtins_open = open


def _pci_functions(want):
    """(sysfs dir, PCI address) of every function with the IDs want."""
    base = os.path.join(_sysfs(), "bus", "pci", "devices")
    try:
        names = sorted(os.listdir(base))
    except OSError:
        return
    for dev in names:
        d = os.path.join(base, dev)
        try:
            ids = tuple(int(_read(os.path.join(d, f)), 16) for f in (
                "vendor", "device", "subsystem_vendor", "subsystem_device"))
        except (OSError, ValueError):
            continue
        if ids == want:
            yield d, dev


def _functions():
    """(sysfs dir, PCI address) of every channel function."""
    return _pci_functions(PCI_IDS)


def _driver(d):
    try:
        return os.path.basename(os.readlink(os.path.join(d, "driver")))
    except OSError:
        return ""


def _bind(d, dev, name):
    uio = "uio_pci_generic"
    drv = _driver(d)
    if drv == uio:
        return
    if drv:
        raise _err(errno.EBUSY, "channel %s (%s): driver %s has it, not %s"
                   % (name, dev, drv, uio))
    ddir = os.path.join(_sysfs(), "bus", "pci", "drivers", uio)
    if not os.path.exists(ddir):
        raise _err(errno.ENODEV, "channel %s (%s): %s is not loaded "
                   "(modprobe %s)" % (name, dev, uio, uio))
    denied = False
    for what, text in (("new_id", "1af4 1110"), ("bind", dev)):
        try:
            with builtins_open(os.path.join(ddir, what), "w") as f:
                f.write(text)
        except PermissionError:
            denied = True
        except OSError:
            pass
        if _driver(d) == uio:
            return
    if denied:
        raise _err(errno.EACCES, "channel %s (%s): not bound to %s, and "
                   "binding it needs root (or the udev rule of "
                   "docs/channels.md)" % (name, dev, uio))
    raise _err(errno.ENODEV, "channel %s (%s): cannot bind %s"
               % (name, dev, uio))


def _uio(d):
    try:
        for e in sorted(os.listdir(os.path.join(d, "uio"))):
            if e.startswith("uio") and e[3:].isdigit():
                return int(e[3:])
    except OSError:
        pass
    return -1


def _map(path, size, write):
    fd = os.open(path, (os.O_RDWR if write else os.O_RDONLY) | os.O_CLOEXEC)
    try:
        if os.fstat(fd).st_size and os.fstat(fd).st_size < size:
            raise _err(errno.EIO, "%s is smaller than %d bytes" % (path, size))
        m = mmap.mmap(fd, size, mmap.MAP_SHARED,
                      mmap.PROT_READ | (mmap.PROT_WRITE if write else 0))
    except BaseException:
        os.close(fd)
        raise
    return fd, m


def _infos():
    for d, dev in _functions():
        try:
            _bind(d, dev, "?")
        except OSError:
            pass
        try:
            fd, m = _map(os.path.join(d, "resource0"), BAR0_SIZE, False)
        except OSError:
            continue
        os.close(fd)
        regs = memoryview(m).cast("I")
        ok = regs[0] == MAGIC and regs[1] == ABI_VERSION
        info = Info(regs, dev, _uio(d)) if ok else None
        regs.release()
        m.close()
        if info:
            yield d, info


def channels():
    """The channel ends this Linux has, as Info objects."""
    return [info for _, info in _infos()]


def open(name):
    """Opens this Linux's end of channel name (see Channel)."""
    return Channel(name)


class Channel:
    """One end, held exclusively by this process until close()."""

    def __init__(self, name):
        if not (0 < len(name) < 16 and all(
                c in "abcdefghijklmnopqrstuvwxyz0123456789_-" for c in name)):
            raise _err(errno.EINVAL, "'%s' is not a channel name (1 to 15 of "
                       "a-z 0-9 _ -)" % name)
        self.name = name
        self._fds = []
        self._maps = []
        for d, info in _infos():
            if info.name == name:
                break
        else:
            raise _err(errno.ENOENT, "no channel '%s' in this system (tenon "
                       "channels lists them)" % name)
        try:
            self._open(d, info)
        except BaseException:
            self.close()
            raise

    def _open(self, d, info):
        _bind(d, info.device, self.name)
        fd, bar0 = _map(os.path.join(d, "resource0"), BAR0_SIZE, True)
        self._fds.append(fd)
        self._maps.append(bar0)
        self._regs = memoryview(bar0).cast("I")
        self.info = Info(self._regs, info.device, _uio(d))
        if self._regs[0] != MAGIC or self._regs[1] != ABI_VERSION:
            raise _err(errno.EPROTO, "channel %s: registers of version %d, "
                       "this module knows %d" % (self.name, self._regs[1],
                                                 ABI_VERSION))
        i = self.info
        size = region_size(i.kind, i.msg_size, i.depth)
        if not size or size != i.region or i.role not in (WRITER, READER):
            raise _err(errno.EPROTO, "channel %s: its registers say kind %d, "
                       "role %d, msg-size %d, depth %d in a region of %d "
                       "bytes, which do not agree" % (
                           self.name, i.kind, i.role, i.msg_size, i.depth,
                           i.region))
        write = not (i.kind == SAMPLE and i.role == READER)
        fd, region = _map(os.path.join(d, "resource2_wc"), size, write)
        self._fds.append(fd)
        self._maps.append(region)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise _err(errno.EBUSY, "channel %s: another process holds this "
                       "end" % self.name) from None
        self._config = os.open(os.path.join(d, "config"),
                               os.O_RDWR | os.O_CLOEXEC)
        self._fds.append(self._config)
        cmd = int.from_bytes(os.pread(self._config, 2, PCI_COMMAND), "little")
        self._command = (cmd & ~INTX_DISABLE).to_bytes(2, "little")
        if i.uio < 0:
            raise _err(errno.ENODEV, "channel %s: bound, but no uio device"
                       % self.name)
        self._uio = os.open(os.path.join(_dev(), "uio%d" % i.uio),
                            os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        self._fds.append(self._uio)
        self.ring = Ring(region, size, i.kind, i.role, i.msg_size, i.depth,
                         self.fence)
        self._regs[REG["IMR"] >> 2] = 1

    def close(self):
        if getattr(self, "_regs", None) is not None:
            self._regs[REG["IMR"] >> 2] = 0
        ring = getattr(self, "ring", None)
        if ring:
            ring.q.release()
            ring.w.release()
            ring.mem.release()
            self.ring = None
        if getattr(self, "_regs", None) is not None:
            self._regs.release()
            self._regs = None
        for m in self._maps:
            m.close()
        for fd in self._fds:
            os.close(fd)
        self._maps, self._fds = [], []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- the device --
    def fence(self):
        """Orders the region's accesses before against those after."""
        return self._regs[REG["FENCE"] >> 2]

    def counter(self):
        """The system counter (the sample stamps' clock) and its Hz."""
        lo = self._regs[REG["COUNTER_LO"] >> 2]
        hi = self._regs[REG["COUNTER_HI"] >> 2]
        return (hi << 32) | lo, self._regs[REG["FREQ"] >> 2] or 1

    def fileno(self):
        """For select()/poll(): readable when a doorbell came (arm first)."""
        return self._uio

    def ready(self):
        return self.ring.ready()

    def _kick(self):
        if self.ring.peer_waiting():
            self._regs[REG["DOORBELL"] >> 2] = 1

    def arm(self):
        """Prepares a wait, in libtenon's order (docs/channels.md): True if
        ready now, False once armed (then wait for fileno())."""
        try:
            while len(os.read(self._uio, 4)) == 4:
                pass
        except BlockingIOError:
            pass
        if self.ring.kind != SAMPLE:
            self.ring.set_waiting(True)
        if self.ring.ready():
            return True
        self._regs[REG["ISR"] >> 2] = 1
        os.pwrite(self._config, self._command, PCI_COMMAND)
        return self.ring.ready()

    def _settle(self):
        if self.ring.kind != SAMPLE and self.ring.waiting():
            self.ring.set_waiting(False)

    def wait(self, deadline=None, block=True):
        """Until ready; raises ETIMEDOUT at deadline, EAGAIN unblocked."""
        if self.ring.ready():
            return
        if not block:
            raise _err(errno.EAGAIN, "channel %s would wait" % self.name)
        try:
            while not self.arm():
                left = None
                if deadline is not None:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise _err(errno.ETIMEDOUT, "channel %s: deadline "
                                   "passed" % self.name)
                r, _, x = select.select([self._uio], [], [self._uio], left)
                if x:
                    raise _err(errno.ENODEV, "channel %s: its uio device is "
                               "gone" % self.name)
        finally:
            if self.ring.kind != SAMPLE:
                self.ring.set_waiting(False)

    # -- the kinds --
    def _check(self, kind, role):
        if self.ring.kind != kind:
            raise _err(errno.EINVAL, "channel %s is a %s, not a %s" % (
                self.name, KINDS.get(self.ring.kind, "?"), KINDS[kind]))
        if self.ring.role != role:
            raise _err(errno.EINVAL, "channel %s: this end is its %s" % (
                self.name, "writer" if self.ring.role == WRITER
                else "reader"))

    def send(self, msg, deadline=None, block=True):
        self._check(QUEUE, WRITER)
        while not self.ring.queue_send(msg):
            self.wait(deadline, block)
        self._kick()
        self._settle()

    def receive(self, deadline=None, block=True, size=None):
        self._check(QUEUE, READER)
        while True:
            try:
                msg = self.ring.queue_receive(size)
            except OSError as e:
                if e.errno == errno.EIO:
                    self._kick()
                raise
            if msg is not None:
                self._kick()
                self._settle()
                return msg
            self.wait(deadline, block)

    def sample_write(self, value):
        self._check(SAMPLE, WRITER)
        self.ring.sample_write(value, self.counter()[0])
        self._kick()

    def sample_get(self):
        """(value, Meta) of the latest value; raises ENODATA if none."""
        self._check(SAMPLE, READER)
        for _ in range(64):
            try:
                got = self.ring.sample_read()
                break
            except BlockingIOError:
                continue
        else:
            raise _err(errno.EAGAIN, "channel %s: the writer rewrote the "
                       "value during every read" % self.name)
        if got is None:
            raise _err(errno.ENODATA, "channel %s: no value written yet"
                       % self.name)
        value, seq, stamp = got
        now, freq = self.counter()
        ticks = now - stamp
        age = ticks / freq
        validity = self.info.validity_us
        fresh = ticks >= 0 and (not validity or age * 1e6 <= validity)
        return value, Meta(seq, stamp, age, fresh)

    def sample_wait(self, deadline=None, block=True):
        self._check(SAMPLE, READER)
        self.wait(deadline, block)
        return self.sample_get()

    def stream_write(self, data, deadline=None, block=True):
        """Writes all of data, waiting for room; returns the bytes taken
        (fewer only if the deadline passed after some went in)."""
        self._check(STREAM, WRITER)
        data, done = memoryview(bytes(data)), 0
        try:
            while done < len(data):
                n = self.ring.stream_write(data[done:])
                if n:
                    done += n
                    self._kick()
                    continue
                try:
                    self.wait(deadline, block)
                except OSError as e:
                    if done and e.errno in (errno.ETIMEDOUT, errno.EAGAIN):
                        return done
                    raise
        finally:
            self._settle()
        return done

    def stream_read(self, size=65536, deadline=None, block=True):
        """At least one byte, up to size."""
        self._check(STREAM, READER)
        while True:
            out = self.ring.stream_read(size)
            if out:
                self._kick()
                self._settle()
                return out
            self.wait(deadline, block)


# ---- the manager function, <tenon/hm.h> ----

HM_ABI_VERSION = 1
MGR_PCI_IDS = (0x1af4, 0x1110, 0x1af4, 0x544d)
MGR_MAGIC = 0x474d4e54
MGR_BAR0_SIZE = 0x1000
MGR_REG = dict(MAGIC=0x000, VERSION=0x004, SELF=0x008, NPARTITIONS=0x00c,
               PERMITTED=0x010, FREQ=0x014, CMD=0x020, RESULT=0x024,
               LOAD_SIZE=0x028, LOAD_MAX=0x02c, LOG_NEXT_LO=0x030,
               LOG_NEXT_HI=0x034, LOG_DEPTH=0x038, LOG_SELECT_LO=0x040,
               LOG_SELECT_HI=0x044, ENTRY=0x080, PART_SELECT=0x100,
               PART_NAME=0x110, PART_STATE=0x120)
PART_FIELDS = ("state", "kind", "ncpus", "cpus", "restarts", "faults",
               "ram_kib", "watchdog_us", "image_size", "events", "image_max")
EVENTS = {1: "mem-fault", 2: "trap", 3: "fatal", 4: "watchdog",
          5: "stop-failed", 6: "deadline", 7: "stack-overflow",
          8: "exception", 9: "reset", 10: "power-off", 11: "manager",
          12: "async-abort"}
ACTIONS = {1: "ignore", 2: "log", 3: "notify", 4: "stop",
           5: "cold-restart", 6: "warm-restart", 7: "machine-reset"}
STATES = {1: "running", 2: "resetting", 3: "off", 4: "parked"}
OP_STOP, OP_START, OP_RESTART, OP_LOAD, OP_WARM_RESTART = 1, 2, 3, 4, 5
F_LIMIT, F_FAILED = 1, 2
MAX_PARTITIONS, MAX_CPUS = 4, 8
_MGR_WORDS = {
    errno.EPERM: "this partition is not the manager",
    errno.EINVAL: "the hypervisor refused it: a bad operation or partition, "
                  "or one a partition cannot ask of itself",
    errno.EBUSY: "another command or a reset is in progress",
    errno.ENOEXEC: "the image has no arm64 Image header, or another text "
                   "offset than the partition's",
    errno.EFBIG: "the image is larger than the partition can take",
    errno.EALREADY: "nothing to do: it is already so",
}
_NAME_CHARS = set(b"abcdefghijklmnopqrstuvwxyz0123456789_-")


class Partition:
    """One partition as the manager function shows it now."""

    def __init__(self, index, name, values):
        self.index, self.name = index, name
        for f, v in zip(PART_FIELDS, values):
            setattr(self, f, v)

    def __repr__(self):
        return "<partition %d %s, %s>" % (self.index, self.name,
                                           STATES.get(self.state, "?"))


class HMEntry:
    """One event of the health monitor's log."""

    def __init__(self, raw):
        (self.seq, self.time_ns, self.detail) = (
            int.from_bytes(raw[i:i + 8], "little") for i in (0, 8, 16))
        self.partition, self.vcpu, self.event, self.action = raw[24:28]
        self.flags = int.from_bytes(raw[28:32], "little")

    def __repr__(self):
        return "<hm %d: partition %d %s: %s>" % (
            self.seq, self.partition, EVENTS.get(self.event, "?"),
            ACTIONS.get(self.action, "?"))


def _manager_function():
    for found in _pci_functions(MGR_PCI_IDS):
        return found
    raise _err(errno.ENOENT, "no manager function on the PCI bus (this is "
               "not a Tenon partition, or its hypervisor has no health "
               "monitor)")


class Manager:
    """The manager function: partitions, commands, the HM log."""

    def __init__(self):
        d, self.device = _manager_function()
        _bind(d, self.device, "the manager function")
        self._fd, self._map = _map(os.path.join(d, "resource0"),
                                   MGR_BAR0_SIZE, True)
        self._r = memoryview(self._map).cast("I")
        try:
            self._check()
        except BaseException:
            self.close()
            raise

    def _reg(self, name):
        return self._r[MGR_REG[name] >> 2]

    def _set(self, name, v):
        self._r[MGR_REG[name] >> 2] = v & 0xffffffff

    def _check(self):
        if self._reg("MAGIC") != MGR_MAGIC or \
                self._reg("VERSION") != HM_ABI_VERSION:
            raise _err(errno.EPROTO, "the manager function: magic 0x%08x "
                       "version %d; this module knows 0x%08x version %d" % (
                           self._reg("MAGIC"), self._reg("VERSION"),
                           MGR_MAGIC, HM_ABI_VERSION))
        self.self = self._reg("SELF")
        self.npartitions = self._reg("NPARTITIONS")
        self.permitted = self._reg("PERMITTED")
        self.log_depth = self._reg("LOG_DEPTH")
        if not 0 < self.npartitions <= MAX_PARTITIONS or \
                self.self >= self.npartitions or not self.log_depth:
            raise _err(errno.EPROTO, "the manager function: partition %d of "
                       "%d, a log of %d entries, which cannot be" % (
                           self.self, self.npartitions, self.log_depth))

    def close(self):
        if getattr(self, "_r", None) is not None:
            self._r.release()
            self._r = None
            self._map.close()
            os.close(self._fd)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def partition(self, index):
        """Partition index as it is now (a Partition)."""
        if not 0 <= index < self.npartitions:
            raise _err(errno.EINVAL, "partition %d: the system has "
                       "partitions 0 to %d" % (index, self.npartitions - 1))
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            self._set("PART_SELECT", index)
            base = MGR_REG["PART_NAME"]
            raw = bytes(self._map[base:base + 16])
            first = MGR_REG["PART_STATE"] >> 2
            values = [self._r[first + i] for i in range(len(PART_FIELDS))]
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        name = raw.split(b"\0", 1)[0]
        if b"\0" not in raw or not name or not set(name) <= _NAME_CHARS:
            raise _err(errno.EPROTO, "partition %d: its name register holds "
                       "no partition name" % index)
        p = Partition(index, name.decode(), values)
        if p.state not in STATES or p.kind not in (1, 2) or \
                not 0 < p.ncpus <= MAX_CPUS or \
                bin(p.cpus).count("1") != p.ncpus or p.cpus >> MAX_CPUS:
            raise _err(errno.EPROTO, "partition %d (%s): its registers say "
                       "state %d, kind %d, %d vCPUs on CPUs 0x%x, which "
                       "cannot be" % (index, p.name, p.state, p.kind,
                                      p.ncpus, p.cpus))
        return p

    def partitions(self):
        return [self.partition(i) for i in range(self.npartitions)]

    def find(self, what):
        """The index of a partition given by name or index."""
        if isinstance(what, int) or str(what).isdigit():
            i = int(what)
            if i < self.npartitions:
                return i
        else:
            for p in self.partitions():
                if p.name == what:
                    return p.index
        raise _err(errno.ENOENT, "no partition '%s' in this system" % what)

    def command(self, op, target, timeout=10.0):
        """Runs op on partition target (a name or an index); raises
        OSError with the hypervisor's errno if it refuses."""
        if op not in (OP_STOP, OP_START, OP_RESTART, OP_LOAD,
                      OP_WARM_RESTART):
            raise _err(errno.EINVAL, "operation %r is not one of "
                       "tenon/hm.h" % op)
        i = self.find(target)
        end = time.monotonic() + timeout
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            self._set("CMD", op | i << 8)
            while True:
                r = self._reg("RESULT")
                r = r - (1 << 32) if r & 0x80000000 else r
                if r != -errno.EINPROGRESS:
                    break
                if time.monotonic() >= end:
                    raise _err(errno.ETIMEDOUT, "partition %d: still in "
                               "progress after %.1f s" % (i, timeout))
                time.sleep(0.005)
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        if r > 0 or r < -4095:
            raise _err(errno.EPROTO, "the hypervisor's result %d is no "
                       "errno" % r)
        if r:
            raise _err(-r, _MGR_WORDS.get(-r, os.strerror(-r)))

    def stop(self, target):
        self.command(OP_STOP, target)

    def start(self, target):
        self.command(OP_START, target)

    def restart(self, target):
        self.command(OP_RESTART, target)

    def warm_restart(self, target):
        self.command(OP_WARM_RESTART, target)

    def log_next(self):
        while True:
            hi = self._reg("LOG_NEXT_HI")
            lo = self._reg("LOG_NEXT_LO")
            if self._reg("LOG_NEXT_HI") == hi:
                return hi << 32 | lo

    def log(self, cursor=0, max=64):
        """(entries, lost, cursor): the log's entries from cursor on,
        oldest first; lost counts those overwritten before they were read.
        Give the returned cursor back to follow it."""
        nxt, out, lost = self.log_next(), [], 0
        if nxt > self.log_depth and cursor < nxt - self.log_depth:
            lost += nxt - self.log_depth - cursor
            cursor = nxt - self.log_depth
        while len(out) < max:
            if cursor >= nxt:
                nxt = self.log_next()
                if cursor >= nxt:
                    break
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                self._set("LOG_SELECT_LO", cursor)
                self._set("LOG_SELECT_HI", cursor >> 32)
                base = MGR_REG["ENTRY"]
                e = HMEntry(bytes(self._map[base:base + 32]))
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            if e.seq == M64:
                break
            if e.seq < cursor or e.partition >= self.npartitions or \
                    e.event not in EVENTS or e.action not in ACTIONS:
                raise _err(errno.EPROTO, "HM log: event %d says partition "
                           "%d, event %d, action %d, which cannot be" % (
                               e.seq, e.partition, e.event, e.action))
            lost += e.seq - cursor
            cursor = e.seq + 1
            out.append(e)
        return out, lost, cursor


def partitions():
    """Every partition as the manager function shows it now."""
    with Manager() as m:
        return m.partitions()
