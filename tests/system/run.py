#!/usr/bin/env python3
"""The whole system on QEMU: the hypervisor with the real-time partition
(latmus) and Debian's Linux side by side. Each boot is bounded in time;
each check prints "ok system-<name>" or "FAILED system-<name>: why"
(tests/report.py), and the last line is "system: N passed, N failed,
N skipped".

    usage: run.py BUILDDIR [SYSTEM]
"""
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "tools"))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import report  # noqa: E402
import tenon_system  # noqa: E402

BUILD = sys.argv[1] if len(sys.argv) > 1 else "build"
SYSTEM = sys.argv[2] if len(sys.argv) > 2 else "qemu-virt"
SYSDIR = os.path.join(BUILD, "sys", SYSTEM)
# "reset": only the restart checks and stress (make check-reset).
ONLY = sys.argv[3] if len(sys.argv) > 3 else ""
TOOL = os.path.join(BUILD, "tools", "tenon-config")
SOURCE = os.path.join("config", SYSTEM + ".dts")
# Whether the system's real-time partition has direct interrupt delivery.
with open(SOURCE) as f:
    DIRECT_RT = 'interrupt-delivery = "direct";' in f.read()
REPORT = report.Report(prefix="system-")
results = []  # each check's outcome, in order


def check(name, ok, why=""):
    results.append(bool(ok))
    REPORT.check(name, ok, why)


class CannotBoot(Exception):
    """A variant of the system could not be made: its checks fail."""


def variant(tmp, test, rt=None, system=SYSTEM, delivery=None):
    """The default system (or config/<system>.dts, built beside it) with
    the Linux partition told to run a test hook and, if rt is given, the
    real-time partition another (image, args); delivery, if given, is the
    real-time partition's interrupt-delivery instead."""
    def edit(text):
        if delivery:
            text, n = re.subn(r'interrupt-delivery = "[a-z]+";',
                              'interrupt-delivery = "%s";' % delivery, text)
            if n != 1:
                raise SystemExit("run.py: no interrupt-delivery in " +
                                 SOURCE)
        # The tests read the kernel's messages: no quiet boot for them.
        text = text.replace(" quiet rdinit=/init", " rdinit=/init")
        text, n = re.subn(r'(rdinit=/init)"', r'\1 tenon.test=%s"' % test,
                          text)
        if n != 1:
            raise SystemExit("run.py: no 'rdinit=/init' bootargs in " +
                             SOURCE)
        if rt:
            text = re.sub(r'image = "a64/bin/[a-z]+\.bin";',
                          'image = "%s";' % rt[0], text)
            # The first bootargs are the real-time partition's.
            text = re.sub(r'bootargs = "[^"]*";', 'bootargs = "%s";' % rt[1],
                          text, count=1)
        return text
    name = test + ("-" + os.path.basename(rt[0]) if rt else "") + \
        ("-" + delivery if delivery else "")
    try:
        return tenon_system.derive(BUILD, system, tmp, name, edit,
                                   own_hypervisor=bool(delivery))
    except (subprocess.CalledProcessError, SystemExit) as e:
        raise CannotBoot("cannot make the system variant %s: %s" % (name, e))


# How many console lines there were when boot() typed (-1: it did not).
typed_at = -1


def boot(sysdir, done, limit=240, typed=None, delay=1, script=(),
         core=None):
    """Boots; returns the console lines once done(lines), QEMU exits, or
    at the limit. typed, if given, is sent to the console delay seconds
    after the prompt is up. script: (pattern, text) pairs, in turn: each
    text is sent once a line after the previous one's matches pattern.
    core: the CPU core QEMU emulates, if not the default."""
    global typed_at
    script, step_from = list(script), 0
    typed_at = -1
    proc = subprocess.Popen(["sh", "tools/system-run.sh"] +
                            (["-c", core] if core else []) + [sysdir],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    os.set_blocking(proc.stdout.fileno(), False)
    lines, partial, start = [], b"", time.time()
    try:
        while time.time() - start < limit and proc.poll() is None:
            chunk = proc.stdout.read() or b""
            partial += chunk
            *full, partial = partial.split(b"\n")
            lines += [l.decode(errors="replace").rstrip("\r") for l in full]
            if typed and b"tenon-linux:/# " in partial + b"".join(
                    l.encode() for l in lines[-3:]):
                deadline = time.time() + delay
                while time.time() < deadline:
                    time.sleep(0.2)
                    partial += proc.stdout.read() or b""
                *full, partial = partial.split(b"\n")
                lines += [l.decode(errors="replace").rstrip("\r")
                          for l in full]
                typed_at = len(lines)
                proc.stdin.write(typed.encode())
                proc.stdin.flush()
                typed = None
            if script:
                at = index_of(lines, script[0][0], step_from)
                if at >= 0:
                    proc.stdin.write(script.pop(0)[1].encode())
                    proc.stdin.flush()
                    step_from = at + 1
            if done(lines):
                break
            if not chunk:
                time.sleep(0.2)
    finally:
        proc.kill()
        proc.wait()
    # What it wrote before it stopped (it may stop between two reads),
    # the last line even if the machine stopped in the middle of it.
    partial += proc.stdout.read() or b""
    lines += [l.decode(errors="replace").rstrip("\r")
              for l in partial.split(b"\n") if l]
    return lines


def index_of(lines, pattern, start=0):
    for i in range(start, len(lines)):
        if re.search(pattern, lines[i]):
            return i
    return -1


def rtd_after(lines, i):
    return sum(1 for l in lines[i + 1:] if l.startswith("[rt] RTD|"))


def after_stop(lines, what, needed=2):
    i = index_of(lines, r"^\[tenon\] partition linux: " + what)
    return i >= 0 and rtd_after(lines, i) >= needed


def show(lines):
    for l in lines[-25:]:
        print("    | " + l)


def isolation_and_poweroff(tmp):
    """Linux writes into the real-time partition, then powers off."""
    lines = boot(variant(tmp, "isolation"),
                 lambda l: after_stop(l, "powered off", 3))
    up_rt = index_of(lines, r"^\[rt\] RTD\|")
    up_linux = index_of(lines, r"^\[linux\] tenon-linux: user space up")
    check("partitions-come-up", up_rt >= 0 and up_linux >= 0,
          "no RTD line from rt or no user space in linux")
    if up_rt < 0 or up_linux < 0:
        show(lines)
    pmu = index_of(lines, r"^\[linux\] .*hw perfevents: enabled with "
                   r"armv8_pmuv3")
    check("linux-finds-the-pmu", pmu >= 0,
          "no 'hw perfevents: enabled' line from Linux")
    rt_time = linux_time = None
    for l in lines:
        m = re.search(r"^\[rt\] # first wake-up at ([0-9.]+) s", l)
        if m and rt_time is None:
            rt_time = float(m.group(1))
        m = re.search(r"^\[linux\] tenon-linux: user space up.*clock "
                      r"([0-9.]+) s", l)
        if m and linux_time is None:
            linux_time = float(m.group(1))
    print("    real-time partition's first periodic wake-up: %s s; "
          "Linux user space up: %s s (machine clock)" % (rt_time, linux_time))
    check("rt-wakes-before-linux-user-space",
          rt_time is not None and linux_time is not None and
          rt_time < linux_time, "times %s and %s" % (rt_time, linux_time))
    fault = index_of(lines, r"^\[tenon\] partition linux: vCPU \d: "
                     r"stage-2 fault: write at IPA 0x60000000")
    sigbus = index_of(lines, r"^\[linux\] tenon-linux: devmem exited "
                      r"with status 135")
    check("linux-write-to-rt-memory-is-stopped", fault >= 0 and
          sigbus > fault, "no stage-2 fault logged, or no bus error")
    check("rt-runs-on-after-linux-fault",
          fault >= 0 and rtd_after(lines, fault) >= 1,
          "no RTD line after the fault")
    check("linux-poweroff-leaves-rt-running",
          after_stop(lines, "powered off", 3),
          "fewer than 3 RTD lines after Linux powered off")
    if not after_stop(lines, "powered off", 3):
        show(lines)


def reboot(tmp):
    """Linux reboots: the hypervisor restarts it alone, the real-time
    partition runs on throughout (the test hook reboots again each time)."""
    def twice(l):
        i = index_of(l, r"^\[tenon\] partition linux: restarted")
        return i >= 0 and index_of(l, r"^\[linux\] tenon-linux: user "
                                   r"space up", i) >= 0
    lines = boot(variant(tmp, "reboot"), twice)
    restart = index_of(lines, r"^\[tenon\] partition linux: restarted")
    again = index_of(lines, r"^\[linux\] tenon-linux: user space up",
                     max(restart, 0))
    check("linux-reboot-restarts-linux-alone", restart >= 0 and again >= 0,
          "no restart of Linux, or no second boot to user space")
    check("rt-runs-on-while-linux-reboots",
          restart >= 0 and again >= 0 and
          sum(1 for l in lines[restart:again]
              if l.startswith("[rt] RTD|")) >= 1,
          "no RTD line between the restart and Linux's second boot")
    if restart < 0 or again < 0:
        show(lines)


def console_input(tmp):
    """What is typed goes to Linux, and comes back. Before typing, the
    shell's prompt (a line without its newline) waits on the screen while
    the real-time partition prints; then the focus goes to rt with a
    terminal's answer to a cursor query between Ctrl-] and n, and back."""
    answer = "\x1b[50;24R"
    lines = boot(SYSDIR, lambda l: after_stop(l, "powered off", 1),
                 typed="\x1d" + answer + "n" + "rt-reads-no-input-" * 5 +
                 "\x1dn"
                 "echo tenon-input-$((6*7))\npoweroff -f\n", delay=3)
    check("console-input-reaches-linux",
          index_of(lines, r"^\[linux\] tenon-input-42$") >= 0,
          "Linux did not answer what was typed")
    before = lines[:typed_at] if typed_at >= 0 else []
    prompts = [l for l in before if "tenon-linux:/# " in l]
    rt_lines = sum(1 for l in before[index_of(before, "tenon-linux:/# "):]
                   if l.startswith("[rt] "))
    check("console-prompt-shown-once-not-reprinted",
          len(prompts) == 1 and prompts[0].startswith("[linux] ") and
          rt_lines >= 1,
          "%d prompt lines, %d rt lines after the first, before typing: %s"
          % (len(prompts), rt_lines, " | ".join(prompts[:3])))
    switched = index_of(lines, r"^\[tenon\] console input goes to rt$",
                        max(typed_at, 0))
    back = index_of(lines, r"^\[tenon\] console input goes to linux$",
                    max(switched, 0))
    check("console-focus-escape-survives-terminal-answer",
          switched >= 0 and back > switched,
          "no switch to rt and back after Ctrl-] ESC[50;24R n")
    # rt's core reads no console input: what was typed to it is said,
    # then counted when the focus moved on (90 characters, 64 of which
    # its emulated UART's FIFO held).
    told = index_of(lines, r"^\[tenon\] partition rt takes no console "
                    r"input \(it reads none\)", max(switched, 0))
    counted = index_of(lines, r"^\[tenon\] partition rt took none of the "
                       r"26 characters typed to it$", max(told, 0))
    check("console-keys-to-partition-reading-none-are-reported",
          told >= 0 and counted >= 0 and (back < 0 or counted < back),
          "no report of the keys typed to rt: %s" % " | ".join(
              l for l in lines if l.startswith("[tenon] partition rt")))
    # What the shell echoes of the command typed after the switch back is
    # the command alone: the answer did not reach it.
    leaked = [l for l in lines if l.startswith("[linux] ") and
              ("50;24R" in l or "^[[50" in l)]
    typed = index_of(lines, r"^\[linux\] .*echo tenon-input-\$\(\(6\*7"
                     r"\)\)$")
    check("console-terminal-answer-does-not-reach-shell",
          not leaked and typed >= 0,
          leaked[0] if leaked else "the shell did not echo the command "
          "typed after the switch back, alone")
    if typed_at < 0 or len(prompts) != 1 or switched < 0:
        show(lines)


def console_abuse(tmp):
    """Linux writes lines that pretend to be the hypervisor's, escape
    sequences and a bell, then floods its console for 6 s."""
    lines = boot(variant(tmp, "console-abuse"), lambda l: index_of(
        l, r"^\[linux\] tenon-linux: test console-abuse (passed|failed)")
        >= 0, limit=240)
    forged = [l for l in lines if re.match(r"^\[tenon\] forged", l)]
    raw = [l for l in lines if "\x1b" in l or "\r" in l or "\x07" in l]
    check("console-partition-cannot-forge-hypervisor-line",
          not forged and
          index_of(lines, r"^\[linux\] \^M\[tenon\] forged by linux$")
          >= 0 and
          index_of(lines, r"^\[linux\] \^\[\[2K\^\[\[G\[tenon\] "
                   r"forged again$") >= 0,
          forged[0] if forged else "the forged lines are not shown "
          "escaped, with linux's prefix")
    check("console-partition-cannot-send-raw-control-characters",
          not raw and index_of(lines, r"^\[linux\] tenon-linux: a bell\^G "
                               r"and a colour \^\[\[31mred$") >= 0,
          repr(raw[0]) if raw else "no escaped bell and colour")
    start = index_of(lines, r"^\[linux\] tenon-linux: flooding the console")
    end = index_of(lines, r"^\[linux\] tenon-linux: flood over$",
                   max(start, 0))
    dropped = [int(m.group(1)) for m in (
        re.match(r"^\[tenon\] partition linux: (\d+) bytes of console "
                 r"output dropped$", l) for l in lines) if m]
    shown = sum(len(l) + 1 for l in lines if "tenon-flood" in l)
    print("    flood: %d bytes shown, %d dropped (%d reports)"
          % (shown, sum(dropped), len(dropped)))
    check("console-flood-is-rate-limited-with-dropped-count",
          start >= 0 and end > start and sum(dropped) > 0 and
          shown < sum(dropped),
          "no flood, no end of it, or no dropped-count line")
    check("console-flood-does-not-stop-other-partition-lines",
          start >= 0 and end > start and
          sum(1 for l in lines[start:end] if l.startswith("[rt] RTD|")) >= 3,
          "fewer than 3 RTD lines from rt during Linux's flood")
    if start < 0 or end < 0:
        show(lines)


def channels_linux(tmp):
    """Linux's ends of the default system's channels, through the stock
    uio_pci_generic and the tenon command (linux/initramfs/init's
    "channels" hook prints each command's exit status)."""
    lines = boot(variant(tmp, "channels"),
                 lambda l: index_of(l, r"^\[linux\] tenon-linux: test "
                                    r"channels (passed|failed)") >= 0)

    def status(what):
        i = index_of(lines, r"^\[linux\] tenon-linux: %s status " % what)
        return lines[i].split(" status ")[1].split()[0] if i >= 0 else None
    ends = {}
    for l in lines:
        f = l.split()
        if len(f) > 4 and f[0] == "[linux]" and f[1] in (
                "setpoint", "state", "log", "tenon-ps"):
            ends[f[1]] = f[2:5]
    check("channels-linux-lists-the-systems-channels",
          ends == {"setpoint": ["queue", "writer", "rt"],
                   "state": ["sample", "reader", "rt"],
                   "log": ["stream", "reader", "rt"],
                   "tenon-ps": ["sample", "reader", "rt"]}
          and status("channels") == "0",
          "tenon channels gave %s (status %s)" % (ends, status("channels")))
    check("channels-linux-binds-uio-pci-generic",
          index_of(lines, r"^\[linux\] /dev/uio0 +/dev/uio1 +/dev/uio2 "
                   r"+/dev/uio3 +/dev/uio4$") >= 0,
          "no /dev/uio0-4 (four channel ends, the manager) after /init "
          "bound the functions")
    check("channels-linux-sends-on-a-queue", status("send") == "0",
          "tenon send setpoint 42: status %s" % status("send"))
    check("channels-linux-reads-sample-and-stream",
          status("sample") in ("0", "1") and
          (status("sample-wait") == "0" or index_of(
              lines, r"tenon sample: no new value of state in time") >= 0)
          and status("cat") == "0",
          "tenon sample/cat: status %s, %s, %s" % (
              status("sample"), status("sample-wait"), status("cat")))
    check("channels-linux-unknown-channel-is-an-error",
          status("unknown") == "1" and
          index_of(lines, r"no channel 'nosuch' in this system") >= 0,
          "tenon send nosuch: status %s" % status("unknown"))
    if len(results) and not all(results[-5:]):
        show(lines)


def control_job(tmp):
    """The default system's real-time job driven from Linux's shell, as
    README shows (linux/initramfs/init's "control" hook): a setpoint sent
    reaches the loop, which heats towards it; a bad one is refused and
    logged; tenon ps lists the real-time threads."""
    lines = boot(variant(tmp, "control"),
                 lambda l: index_of(l, r"^\[linux\] tenon-linux: test "
                                    r"control (passed|failed)") >= 0)

    def status(what):
        i = index_of(lines, r"^\[linux\] tenon-linux: %s status " % what)
        return lines[i].split(" status ")[1].split()[0] if i >= 0 else None
    state = [l for l in lines if "setpoint=" in l and "temp=" in l]
    fields = dict(kv.split("=", 1) for kv in state[-1].split()[1:]
                  if "=" in kv) if state else {}
    check("control-setpoint-sent-from-linux-reaches-the-loop",
          status("send") == "0" and fields.get("setpoint") == "60.00"
          and fields.get("setpoints") == "1",
          "state after tenon send setpoint 60: %s" % (state[-1:] or None))
    check("control-loop-heats-towards-the-setpoint",
          float(fields.get("temp", "0")) > 30.0
          and fields.get("overruns") is not None,
          "temperature %s after 3 s" % fields.get("temp"))
    check("control-refuses-a-bad-setpoint-and-logs-it",
          fields.get("rejected") == "1"
          and index_of(lines, r"setpoint 60\.00 C$") >= 0
          and index_of(lines, r"setpoint refused \(1 so far\)") >= 0
          and status("log") == "0",
          "rejected=%s, log status %s" % (fields.get("rejected"),
                                          status("log")))
    names = set()
    first = index_of(lines, r"CPU +NAME +STATE")
    for l in lines[first + 1:] if first >= 0 else []:
        f = l.split()
        if len(f) > 3 and f[0] == "[linux]" and f[1].isdigit():
            names.add(f[2])
    check("control-tenon-ps-lists-the-real-time-threads",
          status("ps") == "0"
          and {"main", "control", "latmus-sampler", "tenon-ps"} <= names,
          "tenon ps: status %s, threads %s" % (status("ps"), sorted(names)))
    if len(results) and not all(results[-4:]):
        show(lines)


def channel_echo(tmp):
    """Every kind of channel both ways through apps/echo (config/echo.dts,
    linux/initramfs/init's "echo" hook), each answer waited for on
    /dev/uioN; a queue's answer left unread survives Linux's reboot."""
    lines = boot(variant(tmp, "echo", system="echo"),
                 lambda l: index_of(l, r"^\[linux\] tenon-linux: test "
                                    r"echo (passed|failed)") >= 0)

    def said(what):
        i = index_of(lines, r"^\[linux\] tenon-linux: %s" % what)
        return lines[i].split(what, 1)[1].strip() if i >= 0 else None
    check("channel-queue-answer-survives-linux-reboot",
          index_of(lines, r"rebooting with an answer unread") >= 0
          and said("after reboot:") == "before-reboot",
          "after the reboot q-out held %r" % said("after reboot:"))
    check("channel-queue-round-trip-through-rt",
          said("queue back:") == "hello-rt",
          "q-out answered %r" % said("queue back:"))
    check("channel-stream-round-trip-through-rt",
          said("write status") == "0"
          and said("stream back:") == "stream-of-bytes",
          "s-out answered %r" % said("stream back:"))
    check("channel-sample-round-trip-through-rt",
          (said("sample back:") or "").startswith("12345"),
          "v-out answered %r" % said("sample back:"))
    check("channel-bench-300-round-trips-each-intact",
          said("bench status") == "0"
          and index_of(lines, r"bench q: 300 round trips of 256 bytes") >= 0,
          "tenon bench: status %s" % said("bench status"))
    check("channel-full-queues-refuse-one-more-and-deliver-all-in-order",
          said("send when full status") == "1"
          and said("answers") == " ".join("n%d" % i for i in range(1, 34))
          and "is empty" in (said("then:") or "")
          and index_of(lines, r"tenon-linux: n\d+ refused") < 0,
          "full: status %s, answers %s, then %s" % (
              said("send when full status"), said("answers"),
              said("then:")))
    if len(results) and not all(results[-6:]):
        show(lines)


def summary_channels():
    """The default system's channels, from its summary: name -> (index,
    kind, writer, readers, IPA, size, SPI)."""
    chans, on = {}, False
    with open(os.path.join(SYSDIR, "summary.txt")) as f:
        for line in f:
            if line.startswith("Channels"):
                on = True
                continue
            if on and not line.strip():
                break
            m = re.match(r"^  ([a-z0-9_-]+) +(queue|sample|stream) +(\S+) +"
                         r"(\S+) +.* (0x[0-9a-f]+)\+(0x[0-9a-f]+) +0x[0-9a-f]+"
                         r" +SPI (\d+)$", line)
            if on and m:
                chans[m.group(1)] = (len(chans), m.group(2),
                                     re.sub(r"\(.*", "", m.group(3)),
                                     re.sub(r"\([0-9a-f:.]+\)", "",
                                            m.group(4)),
                                     int(m.group(5), 16), int(m.group(6), 16),
                                     int(m.group(7)))
    return chans


KINDS = {"queue": 1, "sample": 2, "stream": 3}


def le_name(words):
    return b"".join(w.to_bytes(4, "little") for w in words).rstrip(
        b"\0").decode(errors="replace")


def check_channel_functions(lines, chans):
    """What Linux read from each channel function (the 'channels' hook)."""
    linux_ends = [(n, c) for n, c in sorted(chans.items(),
                                            key=lambda x: x[1][0])
                  if "linux" in (c[2], c[3])]
    found = [l for l in lines if l.startswith("[linux] tenon-linux: pci ")]
    # The manager's function (docs/health.md) is on device 31, after them.
    mgr = [l for l in found if " 0000:00:1f.0 " in l]
    found = [l for l in found if l not in mgr]
    check_manager_function(lines, mgr)
    ok = len(found) == len(linux_ends) and all(
        " 0x1af4 0x1110 0x050000 " in l for l in found)
    check("linux-enumerates-channel-pci-functions", ok,
          "%d functions of %d: %s" % (len(found), len(linux_ends),
                                      " | ".join(found)))
    bad = []
    for (name, c), l in zip(linux_ends, found):
        m = re.search(r"pci (\S+) .* bar0 (0x[0-9a-f]+) bar2 (0x[0-9a-f]+)$", l)
        regs = index_of(lines, r"tenon-linux: regs %s( 0x[0-9A-F]+){10}$"
                        % re.escape(m.group(1) if m else "?"))
        names = index_of(lines, r"tenon-linux: names %s( 0x[0-9A-F]+){8}$"
                         % re.escape(m.group(1) if m else "?"))
        if not m or regs < 0 or names < 0:
            bad.append("%s: no registers read" % name)
            continue
        r = [int(x, 16) for x in lines[regs].split()[4:]]
        n = [int(x, 16) for x in lines[names].split()[4:]]
        role = 1 if c[2] == "linux" else 2
        peer = c[3] if role == 1 else c[2]
        want = [0x48434e54, 1, c[0], KINDS[c[1]], role]
        if (int(m.group(3), 16) != c[4] or r[:5] != want or r[7] != c[5] or
                r[9] != 1 or le_name(n[:4]) != name or
                le_name(n[4:]) != peer.split(",")[0]):
            bad.append("%s: %s %s" % (name, r, n))
    check("channel-registers-read-back-name-kind-sizes", ok and not bad,
          " | ".join(bad))


def check_manager_function(lines, found):
    """The manager's PCI function as Linux (the manager) reads it: its
    magic, version, this partition's index, the partitions, the right."""
    regs = index_of(lines, r"tenon-linux: regs 0000:00:1f.0( 0x[0-9A-F]+)"
                    r"{10}$")
    r = [int(x, 16) for x in lines[regs].split()[4:]] if regs >= 0 else []
    check("linux-enumerates-manager-pci-function",
          len(found) == 1 and " 0x1af4 0x1110 0x050000 " in found[0],
          " | ".join(found) or "no function on device 31")
    check("manager-function-registers-say-linux-is-manager",
          r[:5] == [0x474d4e54, 1, 1, 2, 1], "registers %s" % r)


def channel_checks(lines, chans):
    """The 'channels' hook's verdicts, and the hypervisor's log of them."""
    def line(prefix):
        i = index_of(lines, r"^\[linux\] tenon-linux: " + prefix)
        return lines[i] if i >= 0 else ""
    check_channel_functions(lines, chans)
    l = line("refused: ")
    check("channel-register-bad-accesses-refused-without-effect",
          l.endswith("byte 135, past-4k 135, write-magic 135, magic after "
                     "0x48434E54") and
          index_of(lines, r"^\[tenon\] partition linux: .*stage-2 fault: "
                   r"read .*channel setpoint's registers: a register that "
                   r"takes no 1-byte access") >= 0 and
          index_of(lines, r"^\[tenon\] partition linux: .*stage-2 fault: "
                   r"write .*channel setpoint's registers: a register that "
                   r"takes no write") >= 0, l or "no result from Linux")
    l = line("pages: ")
    check("channel-page-writable-only-by-its-writer",
          l.endswith("own 0 reads 0x00007E57, reader's 135, "
                     "other-writer's 135") and
          index_of(lines, r"^\[tenon\] partition linux: .*stage-2 fault: "
                   r"write at IPA 0x%x .*a page it may only read"
                   % (chans["setpoint"][4] + 0x100c)) >= 0,
          l or "no result from Linux")
    l = line("uio devices: ")
    check("uio-pci-generic-binds-every-channel-function",
          l.endswith(": %d" % (1 + sum(1 for c in chans.values()
                                       if "linux" in (c[2], c[3])))),
          l or "no result from Linux")
    l = line("doorbell: ")
    m = re.search(r"uio count (\d*), isr (0x[0-9A-F]+), status ([0-9a-f]+),"
                  r" command-high ([0-9a-f]+)$", l)
    check("rt-notify-raises-linux-intx",
          bool(m) and m.group(1) == "1" and int(m.group(2), 16) == 1 and
          int(m.group(3), 16) & 0x08 and int(m.group(4), 16) & 0x04,
          l or "no result from Linux")
    l = line("intx: ")
    m = re.search(r"masked (\d+), unmasked (\d+) \(command-high 04\), "
                  r"again (\d*), isr cleared "
                  r"(0x[0-9A-F]+) status ([0-9a-f]+)$", l)
    check("masked-intx-waits-until-unmasked",
          bool(m) and m.group(1) == "1" and m.group(2) == "2" and
          m.group(3) == "2" and int(m.group(4), 16) == 0 and
          not int(m.group(5), 16) & 0x08, l or "no result from Linux")


def channel_rt_restart(tmp):
    """The real-time end of a channel restarts (apps/echo -r 3) between two
    of Linux's messages: the next incarnation answers the next one."""
    lines = boot(variant(tmp, "echo-restart", ("a64/bin/echo.bin",
                                               "-q -r 3"), system="echo"),
                 lambda l: index_of(l, r"^\[linux\] tenon-linux: test "
                                    r"echo-restart (passed|failed)") >= 0)
    answers = [l.split("answer ", 1)[1] for l in lines
               if l.startswith("[linux] tenon-linux: answer ")]
    check("channel-answers-before-rt-restart",
          answers == ["m1", "m2", "m3"], "answers %s" % answers)
    check("channel-works-on-after-rt-restart",
          index_of(lines, r"^\[tenon\] partition rt: restarted") >= 0
          and index_of(lines, r"after rt restart: after-restart$") >= 0,
          "no answer from the restarted partition")
    if len(results) and not all(results[-2:]):
        show(lines)


def channel_register_fuzz(tmp):
    """A hostile Linux program (tenon-regfuzz) at the registers, config
    space and regions of q-in and q-out, between two benches through
    apps/echo (config/echo.dts, linux/initramfs/init's "regfuzz" hook):
    every access is refused or allowed as the device's rules say, the
    hypervisor and the real-time partition go on, and once the ends are
    re-armed by the library the round trips are intact."""
    lines = boot(variant(tmp, "regfuzz", system="echo"),
                 lambda l: index_of(l, r"^\[linux\] tenon-linux: test "
                                    r"regfuzz (passed|failed)") >= 0,
                 limit=200)

    def said(what):
        i = index_of(lines, r"^\[linux\] tenon-linux: %s" % what)
        return lines[i].split(what, 1)[1].strip() if i >= 0 else None

    def counts(end, kind):
        i = index_of(lines, r"tenon-regfuzz: %s %s: " % (end, kind))
        m = re.search(r": (\d+), refused (\d+), unexpected (\d+)$",
                      lines[i]) if i >= 0 else None
        return tuple(int(g) for g in m.groups()) if m else (0, 0, -1)
    # From here on the real-time partition has nothing to say.
    start = max(index_of(lines, r"tenon-linux: test regfuzz$"), 0)
    check("channel-bench-before-register-fuzz",
          said("bench before status") == "0",
          "tenon bench: status %s" % said("bench before status"))
    summary = index_of(lines, r"tenon-regfuzz: \d+ rounds, seed 1: "
                       r"0 unexpected$")
    check("channel-register-fuzz-outcomes-follow-the-device-rules",
          said("regfuzz status") == "0" and summary >= 0,
          "tenon-regfuzz: status %s" % said("regfuzz status"))
    # Refused accesses of every kind were made and caught, and allowed
    # ones made: a fuzz that never reached the device would pass above.
    refused = {(end, kind): counts(end, kind)
               for end in ("q-in", "q-out")
               for kind in ("bar0-load", "bar0-store", "bar0-pair",
                            "past-bar0", "bar2-peer-page", "config-write")}
    own = [counts(end, "bar2-own-page") for end in ("q-in", "q-out")]
    check("channel-register-fuzz-refusals-caught-and-own-pages-written",
          all(c[1] > 0 for k, c in refused.items()
              if k[1] != "config-write") and all(c[0] > 0 for c in own)
          and all(c[0] > 0 for k, c in refused.items()
                  if k[1] == "config-write"),
          "counts %s, own pages %s" % (refused, own))
    check("channel-register-fuzz-leaves-ends-masked",
          all(index_of(lines, r"tenon-regfuzz: %s left masked: IMR 0, "
                       r"INTx disabled$" % end) >= 0
              for end in ("q-in", "q-out")),
          "an end was not left masked")
    check("hypervisor-no-panic-under-register-fuzz",
          index_of(lines, r"^\[tenon\] panic") < 0,
          "the hypervisor panicked")
    check("rt-partition-runs-through-register-fuzz",
          index_of(lines, r"^\[rt\] tenon: unexpected exception") < 0
          and index_of(lines, r"^\[tenon\] partition rt: ", start) < 0
          and index_of(lines, r"^\[rt\] echo: q: stopped") < 0,
          "the real-time partition faulted, stopped or was restarted")
    trips = [i for i, l in enumerate(lines)
             if "bench q: 50 round trips of" in l]
    check("channel-round-trips-intact-after-register-fuzz",
          said("bench after status") == "0" and len(trips) == 2
          and summary >= 0 and trips[1] > summary,
          "tenon bench after the fuzz: status %s" % said("bench after status"))
    if len(results) and not all(results[-7:]):
        show(lines)


def hypercalls(tmp, delivery=None):
    """Hypercalls and PSCI from the real-time partition, bad ones too, and
    the channels between it and Linux, from both ends; with the real-time
    partition's interrupts delivered as the default system says (direct:
    hyptest checks that too), or through the virtual GIC (delivery
    "virtual": its checks then named hyptest-virtual-gic-NAME)."""
    chans = summary_channels()
    prefix = "hyptest-" if not delivery else "hyptest-%s-gic-" % delivery
    into = next((n for n, c in chans.items() if c[2] == "linux" and
                 c[3] == "rt"), None)
    back = next((n for n, c in chans.items() if c[2] == "rt" and
                 c[3] == "linux"), None)
    args = "-m 64" + (" -D" if not delivery and DIRECT_RT else "")
    if into and back:
        args += " -c %d,%d,0x%x,%d" % (chans[into][0], chans[into][6],
                                       chans[into][4], chans[back][0])

    def done(l):
        return index_of(l, r"^\[rt\] hyptest: \d+ passed") >= 0 and \
            index_of(l, r"tenon-linux: test pci (passed|failed)") >= 0
    lines = boot(variant(tmp, "pci", ("a64/bin/hyptest.bin", args),
                         delivery=delivery), done, limit=400)
    # Each of hyptest's checks is one here, under its own name.
    for l in lines:
        m = re.match(r"^\[rt\] hyptest: (ok|FAILED) ([a-z0-9-]+)(: .*)?$", l)
        if m:
            check(prefix + m.group(2), m.group(1) == "ok",
                  (m.group(3) or "")[2:])
    check(prefix + "runs-to-its-summary",
          index_of(lines, r"^\[rt\] hyptest: \d+ passed, \d+ failed$") >= 0,
          "no hyptest summary: " + " | ".join(lines[-5:]))
    if delivery:
        return
    check("console-hypercall-output-is-prefixed",
          index_of(lines, r"^\[rt\] hyptest: hello through the "
                   r"hypercall$") >= 0, "no line from the hypercall")
    check("default-system-has-channels-both-ways", bool(into and back),
          "no linux->rt and rt->linux channel in %s" % SOURCE)
    if into and back:
        channel_checks(lines, chans)


def hypercalls_virtual_gic(tmp):
    """hyptest again, the real-time partition given the virtual GIC: the
    emulated CPU interface's checks (list registers, hardware-linked
    lines) hold for the partitions that have it."""
    if DIRECT_RT:
        hypercalls(tmp, "virtual")


def device_passthrough(tmp):
    """A device passed through: Linux's RTC, its interrupt included."""
    lines = boot(variant(tmp, "rtc"),
                 lambda l: index_of(l, r"tenon-linux: test rtc (passed|"
                                    r"failed)") >= 0, limit=120)
    check("device-passthrough-rtc-and-its-interrupt",
          index_of(lines, r"^\[linux\] tenon-linux: test rtc passed$") >= 0,
          "; ".join(l for l in lines if "rtc" in l) or "no result from Linux")


def exit_status(tmp):
    """system-run.sh's status is a partition's failing application's."""
    sysdir = variant(tmp, "poweroff", ("a64/bin/demo.bin", "-p 1"))
    r = subprocess.run(["sh", "tools/system-run.sh", "-t", "180", sysdir],
                       stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, errors="replace")
    check("run-exits-with-failing-partition-status", r.returncode == 2,
          "exit status %d, last lines: %s" % (r.returncode, " | ".join(
              r.stdout.replace("\r", "").splitlines()[-4:])))
    lines = r.stdout.replace("\r", "").splitlines()
    # rt's last line is written just before it powers off, after Linux:
    # only the final flush can show it.
    last = index_of(lines, r"^\[rt\] tenon: application exited with "
                    r"status 2$")
    off = index_of(lines, r"^\[tenon\] partition rt: powered off", last)
    check("poweroff-loses-no-line-default-system",
          0 <= last < off and lines[-1].startswith(
              "[tenon] every partition is stopped") and
          index_of(lines, r"^\[tenon\] partition linux: powered off") >= 0,
          "last lines: " + " | ".join(lines[-4:]))


def console_start_after_poweroff(tmp):
    """Linux powers off; Ctrl-] s at the console starts it again, alone,
    while the real-time partition runs on; a second Ctrl-] s while it runs
    is refused with a reason."""
    off = r"^\[tenon\] partition linux: powered off"
    lines = boot(variant(tmp, "poweroff"),
                 lambda l: len([x for x in l if re.search(off, x)]) >= 2,
                 limit=300,
                 script=[(off, "\x1ds")])
    first = index_of(lines, off)
    started = index_of(lines, r"^\[tenon\] partition linux: starting it, "
                       r"as asked at the console$", first)
    booted = index_of(lines, r"^\[linux\] .*tenon-linux", started)
    again = index_of(lines, off, started)
    check("console-escape-s-starts-stopped-partition",
          0 <= first < started < booted, "no start after the power-off: " +
          " | ".join(lines[-6:]))
    check("partition-started-from-console-boots-to-its-init",
          booted > started and again > booted,
          "Linux did not come up (and power off) again")
    check("rt-runs-on-while-linux-is-off-and-restarted",
          rtd_after(lines, first) >= 2, "no latmus line after the power-off")


def health_variant(tmp, name, test, table, rt=None, rt_table=None,
                   rt_extra=""):
    """The default system with Linux's test hook `test`, Linux given the
    health table `table` (the body of its health node), and the real-time
    partition rt = (image, args), its table rt_table, more properties
    rt_extra."""
    def edit(text):
        text = text.replace(" quiet rdinit=/init", " rdinit=/init")
        text = text.replace('rdinit=/init"',
                            'rdinit=/init tenon.test=%s"' % test)
        if table:
            text = text.replace('devices = "rtc";', 'devices = "rtc";\n'
                                '\t\t\thealth {%s};' % table)
        if rt_extra:
            text = text.replace('kind = "rtos";',
                                'kind = "rtos";\n\t\t\t' + rt_extra)
        if rt_table:
            # The real-time partition's node is the first with console;.
            text = text.replace("console;", "console;\n\t\t\thealth {%s};"
                                % rt_table, 1)
        if rt:
            text = re.sub(r'image = "a64/bin/[a-z]+\.bin";',
                          'image = "%s";' % rt[0], text)
            text = re.sub(r'bootargs = "[^"]*";', 'bootargs = "%s";' % rt[1],
                          text, count=1)
        return text
    try:
        return tenon_system.derive(BUILD, SYSTEM, tmp, name, edit,
                                   own_hypervisor=True)
    except (subprocess.CalledProcessError, SystemExit) as e:
        raise CannotBoot("cannot make the system variant %s: %s" % (name, e))


def restart_limit(tmp):
    """Linux reboots at once on every boot; its table allows 2 restarts in
    10 minutes: the third reset stops it, the log says why, and the
    real-time partition runs on."""
    stop = r"^\[tenon\] partition linux: .*restart limit is reached"
    lines = boot(health_variant(tmp, "limit", "reboot",
                                "restart-limit = <2 600000>;"),
                 lambda l: index_of(l, stop) >= 0 and
                 rtd_after(l, index_of(l, stop)) >= 1, limit=400)
    restarts = [l for l in lines
                if re.match(r"^\[tenon\] partition linux: restarted", l)]
    at = index_of(lines, stop)
    check("restart-limit-stops-partition-after-n-restarts",
          at >= 0 and len(restarts) == 2 and "it is stopped" in lines[at],
          "%d restarts; %s" % (len(restarts), " | ".join(lines[-4:])))
    check("rt-runs-on-after-linux-is-stopped-by-its-limit",
          at >= 0 and rtd_after(lines, at) >= 1,
          "no latmus line after the stop")


def fault_actions(tmp):
    """Linux's write into the real-time partition's RAM (the isolation
    hook), under three tables: logged, the store is skipped and devmem goes
    on (status 0); cold-restart, Linux is restarted instead of getting a
    bus error; machine-reset, the whole machine resets (QEMU, run with
    -no-reboot, exits). The real-time partition's RAM is never written."""
    fault = r"^\[tenon\] partition linux: vCPU \d: stage-2 fault: write " \
        r"at IPA 0x60000000"
    done = r"^\[linux\] tenon-linux: devmem exited with status"
    lines = boot(health_variant(tmp, "fault-log", "isolation",
                                'mem-fault = "log";'),
                 lambda l: index_of(l, done) >= 0)
    at = index_of(lines, fault)
    check("mem-fault-log-action-skips-the-access",
          at >= 0 and lines[at].endswith("logged, the instruction skipped")
          and index_of(lines, done + r" 0$", at) > at,
          " | ".join(lines[at:at + 3] if at >= 0 else lines[-3:]))
    lines = boot(health_variant(tmp, "fault-restart", "isolation",
                                'mem-fault = "cold-restart";'),
                 lambda l: index_of(l, r"^\[tenon\] partition linux: "
                                    r"restarted") >= 0 and
                 index_of(l, r"user space up",
                          index_of(l, r"partition linux: restarted")) >= 0,
                 limit=300)
    at = index_of(lines, fault)
    again = index_of(lines, r"^\[tenon\] partition linux: restarted", at)
    check("mem-fault-cold-restart-action-restarts-partition",
          at >= 0 and again > at and index_of(lines, done) < 0 and
          index_of(lines, r"tenon-linux: user space up", again) > again,
          " | ".join(lines[-4:]))
    check("rt-runs-on-while-faulting-linux-restarts",
          again >= 0 and rtd_after(lines, at) >= 1, "no RTD line after")
    lines = boot(health_variant(tmp, "fault-reset", "isolation",
                                'mem-fault = "machine-reset";'),
                 lambda l: False, limit=200)
    at = index_of(lines, r"^\[tenon\] partition linux: .*resetting the "
                  r"machine, as its table says")
    check("mem-fault-machine-reset-action-resets-machine",
          at >= 0 and not [l for l in lines[at + 1:]
                           if l.startswith("[rt]")],
          " | ".join(lines[-3:]))


def manager_lifecycle(tmp):
    """Linux, the default system's manager, restarts the real-time
    partition with the tenon command, lists the partitions and reads the
    HM log (the 'hm-restart' hook); the real-time partition comes back."""
    lines = boot(variant(tmp, "hm-restart"),
                 lambda l: index_of(l, r"tenon-linux: hm status") >= 0 and
                 rtd_after(l, index_of(l, r"tenon-linux: hm status")) >= 1,
                 limit=300)

    def status(what):
        i = index_of(lines, r"^\[linux\] tenon-linux: %s status " % what)
        return lines[i].split(" status ")[1].split()[0] if i >= 0 else None
    restarted = index_of(lines, r"^\[tenon\] partition rt: restarted")
    check("manager-restarts-rt-with-tenon-partition-restart",
          status("restart") == "0" and restarted >= 0,
          "status %s: %s" % (status("restart"), " | ".join(lines[-6:])))
    listed = index_of(lines, r"^\[linux\] 0 +rt +rtos +running")
    check("tenon-partition-list-shows-rt-running-again",
          listed > restarted >= 0, "no 'rt rtos running' row after it")
    check("tenon-hm-shows-the-managers-restart",
          status("hm") == "0" and index_of(
              lines, r"^\[linux\] .* rt .*manager.*cold-restart",
              restarted) >= 0,
          " | ".join(l for l in lines if l.startswith("[linux]"))[-600:])
    check("rt-runs-again-after-the-managers-restart",
          restarted >= 0 and rtd_after(lines, restarted) >= 1,
          "no latmus line after the restart")


def manager_restart_of_deaf_rt(tmp):
    """With direct delivery the real-time partition's CPU can hold off
    even the hypervisor's interrupts (hmtest -A sets every active
    priority): the manager's restart still gets it back, its memory
    revoked so that its next access comes to the hypervisor."""
    if not DIRECT_RT:
        return
    lines = boot(variant(tmp, "hm-restart",
                         ("a64/bin/hmtest.bin", "-t 50 -w 20 -s -M -A")),
                 lambda l: len(hmtest_lines(l)["first"]) >= 2, limit=300)
    spun = index_of(lines, r"^\[rt\] hmtest: spinning")
    asked = index_of(lines, r"^\[tenon\] partition rt: the manager asked "
                     r"for a restart", spun)
    restarted = index_of(lines, r"^\[tenon\] partition rt: restarted",
                         asked)
    h = hmtest_lines(lines)
    check("manager-restarts-rt-that-holds-off-every-interrupt",
          spun >= 0 and asked > spun and restarted > asked and
          len(h["first"]) >= 2, " | ".join(lines[-6:]))


def linux_panic(tmp):
    """Linux panics (echo c > /proc/sysrq-trigger): panic=1 resets it, its
    table (the default: cold-restart) restarts it alone, and it comes up
    again, while the real-time partition runs on."""
    up = r"^\[linux\] tenon-linux: user space up"
    lines = boot(variant(tmp, "panic"),
                 lambda l: len([x for x in l if re.search(up, x)]) >= 2,
                 limit=300)
    panic = index_of(lines, r"^\[linux\] .*Kernel panic")
    reset = index_of(lines, r"^\[tenon\] partition linux: asked for a "
                     r"reset \(PSCI SYSTEM_RESET\); restarting it", panic)
    again = index_of(lines, up, reset)
    check("linux-panic-resets-and-its-table-restarts-it",
          0 <= panic < reset < again, " | ".join(lines[-6:]))
    check("rt-runs-on-while-linux-panics-and-restarts",
          panic >= 0 and rtd_after(lines, panic) >= 2,
          "fewer than 2 latmus lines after the panic")


def hmtest_lines(lines):
    """hmtest's lines, by what they say."""
    out = {"first": [], "fault": [], "data": [], "spin": []}
    for l in lines:
        m = re.match(r"^\[rt\] hmtest: incarnation (\d+) first wake-up at "
                     r"(\d+) ns$", l)
        if m:
            out["first"].append((int(m.group(1)), int(m.group(2))))
        m = re.match(r"^\[rt\] hmtest: (fault \S+|spinning at priority "
                     r"\d+) (at|from) (\d+) ns$", l)
        if m:
            out["fault"].append(int(m.group(3)))
        m = re.match(r"^\[rt\] hmtest: data written by incarnation (\d+)$",
                     l)
        if m:
            out["data"].append(int(m.group(1)))
    return out


def rt_event(tmp, name, args, table=None, want=2):
    """Boots hmtest in the real-time partition (the image of the default
    system swapped), until incarnation `want` wakes up."""
    def done(l):
        # hmtest prints its first wake-up, then the data line: wait for
        # both, they may arrive in separate reads.
        h = hmtest_lines(l)
        return any(f[0] >= want for f in h["first"]) and \
            len(h["data"]) >= want
    return boot(health_variant(tmp, name, "hm-list", None,
                               ("a64/bin/hmtest.bin", args), table),
                done, limit=240)


def rt_health(tmp):
    """The real-time application faults (a bad access, an undefined
    instruction, a stack overflow), reports a fatal error, or starves its
    watchdog: restarted per its table (the defaults, then a warm restart),
    while Linux runs on. Fault-to-first-wake-up times are printed (under
    plain emulation; make bench-health gives the instruction-time figure)."""
    for kind, args, why in (
            ("access", "-t 50 -f access", r"reports exception"),
            ("undefined", "-t 50 -f undefined", r"reports exception"),
            ("stack-overflow", "-t 50 -f overflow",
             r"reports stack-overflow"),
            ("fatal", "-t 50 -f fatal", r"reports fatal"),
            ("watchdog", "-t 50 -w 20 -s", r"its watchdog expired"),
            # Every interrupt it can mask masked: the hypervisor's timer
            # still comes (group 0 above any priority it has).
            ("watchdog-all-masked", "-t 50 -w 20 -s -M",
             r"its watchdog expired")):
        lines = rt_event(tmp, "hm-" + kind, args)
        h = hmtest_lines(lines)
        event = index_of(lines, r"^\[tenon\] partition rt: .*" + why)
        restarted = index_of(lines, r"^\[tenon\] partition rt: restarted",
                             event)
        ok = event >= 0 and restarted > event and len(h["first"]) >= 2 \
            and h["fault"] and h["data"][:2] == [1, 2]
        check("rt-%s-is-cold-restarted-by-default" % kind, ok,
              " | ".join(lines[-5:]))
        if ok:
            print("    %s: fault to the next incarnation's first wake-up: "
                  "%.3f ms (plain emulation)" % (
                      kind, (h["first"][1][1] - h["fault"][0]) / 1e6))
        check("linux-runs-on-while-rt-%s-restarts" % kind,
              index_of(lines, r"^\[tenon\] partition linux: (restart|"
                       r"stopped|powered)") < 0, "Linux was touched")
    lines = rt_event(tmp, "hm-warm", "-t 50 -f fatal",
                     'fatal = "warm-restart";')
    h = hmtest_lines(lines)
    check("rt-warm-restart-keeps-its-ram",
          index_of(lines, r"^\[tenon\] partition rt: warm-restarted") >= 0
          and h["data"][:2] == [1, 1], "data lines %s" % h["data"])
    lines = boot(health_variant(tmp, "hm-notify", "hm-list", None,
                                ("a64/bin/hmtest.bin", "-t 50 -w 20 -s"),
                                'watchdog = "notify";'),
                 lambda l: index_of(l, r"^\[rt\] hmtest: health event "
                                    r"'.*watchdog") >= 0, limit=120)
    check("rt-watchdog-notify-reaches-the-partitions-handler",
          index_of(lines, r"^\[rt\] hmtest: health event '.*watchdog") >= 0
          and index_of(lines, r"^\[tenon\] partition rt: restarted") < 0,
          " | ".join(lines[-4:]))
    lines = boot(health_variant(tmp, "hm-deadline", "hm-list", None,
                                ("a64/bin/hmtest.bin", "-t 50 -d -n 5")),
                 lambda l: index_of(l, r"hmtest: \d+ deadlines missed") >= 0,
                 limit=120)
    check("rt-deadline-overrun-is-logged-by-default",
          index_of(lines, r"^\[tenon\] partition rt: vCPU 0 reports "
                   r"deadline .*; logged$") >= 0 and
          index_of(lines, r"^\[tenon\] partition rt: restarted") < 0,
          " | ".join(l for l in lines if re.match(r"^\[(tenon\] partition "
                                                  r"rt|rt\] hmtest)", l)))


def manager_load(tmp):
    """tenon partition load swaps the real-time application while Linux
    runs: an image without a header is refused by the command, one whose
    header claims more RAM than the partition has room for by the
    hypervisor, each with the running one going on; then hmtest is loaded
    and starts (the 'hm-load' hook)."""
    # No arguments for the running application: the loaded one gets the
    # partition's bootargs too (docs/health.md).
    lines = boot(variant(tmp, "hm-load", ("a64/bin/control.bin", "")),
                 lambda l: index_of(l, r"tenon-linux: hm status") >= 0 and
                 index_of(l, r"hmtest: incarnation") >= 0, limit=300)

    def status(what):
        i = index_of(lines, r"^\[linux\] tenon-linux: %s status " % what)
        return lines[i].split(" status ")[1].split()[0] if i >= 0 else None
    nohdr = index_of(lines, r"tenon-linux: load-no-header status")
    check("load-refuses-file-without-image-header",
          status("load-no-header") == "1" and index_of(
              lines, r"^\[linux\] tenon partition load.*(header|ARM)") >= 0,
          "status %s" % status("load-no-header"))
    refused = index_of(lines, r"^\[tenon\] partition rt: the manager's image "
                       r"of \d+ bytes is refused: it takes more RAM running")
    big = index_of(lines, r"tenon-linux: load-too-big status")
    check("hypervisor-refuses-image-larger-than-partition-room",
          status("load-too-big") == "1" and 0 <= refused < big,
          "status %s; %s" % (status("load-too-big"), " | ".join(
              l for l in lines if l.startswith("[tenon]"))[-400:]))
    loaded = index_of(lines, r"tenon-linux: load status")
    check("refused-loads-leave-the-running-application",
          refused >= 0 and index_of(lines, r"^\[tenon\] partition rt: "
                                    r"restarted", 0) > big and
          nohdr >= 0 and rtd_after(lines, nohdr) >= 0,
          "the real-time partition restarted before the good load")
    restarted = index_of(lines, r"^\[tenon\] partition rt: restarted", big)
    check("manager-loads-new-rt-application-while-linux-runs",
          status("load") == "0" and restarted >= 0 and
          index_of(lines, r"^\[rt\] hmtest: incarnation 2 first wake-up",
                   restarted) >= 0 and loaded >= 0,
          "status %s: %s" % (status("load"), " | ".join(lines[-5:])))
    check("tenon-hm-logs-the-load",
          index_of(lines, r"^\[linux\] .* rt .*manager .*cold-restart",
                   restarted) >= 0, "no manager entry for rt after the load")


def non_manager(tmp):
    """The real-time partition is the manager: Linux's requests are
    refused (-EPERM, said in words), and nothing happens to rt."""
    lines = boot(health_variant(tmp, "rt-manager", "hm-perm", None,
                                rt_extra="manager;"),
                 lambda l: index_of(l, r"tenon-linux: hm status") >= 0 and
                 rtd_after(l, index_of(l, r"tenon-linux: hm status")) >= 1,
                 limit=240)

    def status(what):
        i = index_of(lines, r"^\[linux\] tenon-linux: %s status " % what)
        return lines[i].split(" status ")[1].split()[0] if i >= 0 else None
    check("non-manager-linux-is-refused-every-request",
          status("list") == "1" and status("stop") == "1" and
          status("hm") == "1" and index_of(
              lines, r"^\[linux\] tenon .*not the manager") >= 0,
          "statuses %s %s %s" % (status("list"), status("stop"),
                                 status("hm")))
    check("refused-stop-leaves-rt-running",
          index_of(lines, r"^\[tenon\] partition rt: .*stopped") < 0 and
          rtd_after(lines, index_of(lines, r"tenon-linux: stop status")) >= 1
          if index_of(lines, r"tenon-linux: stop status") >= 0 else False,
          "rt stopped, or no latmus line after the refusal")


def hm_log_rate_limit(tmp):
    """hyptest floods the health monitor with 4 x TN_HM_LOG_BURST deadline
    reports at once, then reports one more a second later:
    Linux's tenon hm shows only the burst of the flood, and the later
    entry says how many were not logged."""
    lines = boot(variant(tmp, "hm-list", ("a64/bin/hyptest.bin", "-m 64")),
                 lambda l: index_of(l, r"tenon-linux: hm status") >= 0,
                 limit=240)
    flood = [l for l in lines if re.match(r"^\[linux\] +\d+ +[0-9.]+ rt +0 "
                                          r"deadline +0x10[0-7][0-9a-f] ", l)]
    last = [l for l in lines if re.match(r"^\[linux\] .* rt +0 deadline +"
                                         r"0x5eed ", l)]
    m = re.search(r"\((\d+) earlier events of it not logged\)",
                  last[0]) if last else None
    # Other events of hyptest's may share the flood's second: at most the
    # burst of the flood is logged, every other one is counted.
    check("hm-log-takes-a-burst-of-a-flood",
          0 < len(flood) <= 32 and len(last) == 1,
          "%d flood rows from rt, %d marked" % (len(flood), len(last)))
    check("hm-log-says-how-many-it-dropped",
          bool(m) and int(m.group(1)) >= 128 - len(flood),
          last[0] if last else "no marked row")


def malformed_description(tmp):
    """A malformed description is refused, saying what is wrong."""
    with open(SOURCE) as f:
        text = f.read()
    bad = os.path.join(tmp, "bad.dts")
    with open(bad, "w") as f:
        f.write(re.sub(r"cpus = <1 2 3>;", "cpus = <0 1 2>;", text))
    dtb = os.path.join(tmp, "bad.dtb")
    subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", dtb, bad],
                   check=True)
    r = subprocess.run([TOOL, "--source", bad, "--build", BUILD, "--out",
                        os.path.join(tmp, "bad"), dtb],
                       capture_output=True, text=True)
    print("    " + (r.stderr.strip().splitlines() or ["(no message)"])[0])
    check("malformed-description-rejected", r.returncode != 0 and
          "already given" in r.stderr, "exit %d, message %r"
          % (r.returncode, r.stderr.strip()))


RESET_CHECKS = (
    "reset-leaves-sctlr-el1-mmu-off-at-reset-value",
    "reset-clears-el1-system-registers", "reset-disables-timers",
    "reset-disables-pmu", "reset-clears-debug-registers",
    "reset-clears-fpcr-fpsr", "reset-clears-fp-simd-registers",
    "reset-clears-gic-cpu-interface", "reset-leaves-vcpu-taking-interrupts",
    "reset-scrubs-partition-ram", "reset-scrubs-ram-written-after-a-restart",
    "restart-scrubs-every-block-written",
    "psci-cpu-suspend-standby-returns-success",
    "psci-cpu-suspend-powerdown-returns-success",
    "psci-features-lists-cpu-suspend", "psci-features-lists-smccc-version",
    "smccc-arch-features-knows-itself",
    "smccc-workaround-1-answer-matches-csv2")


def first_writes(lines):
    """How many first writes to clean RAM blocks each restart of partition
    a says it trapped."""
    return [int(m.group(1)) for m in (
        re.match(r"^\[tenon\] partition a: the scrub zeroed .* \((\d+) "
                 r"first writes trapped\)$", l) for l in lines) if m]


def dirty_bits_by_cpu(tmp):
    """The restart checks on a Cortex-A76, whose FEAT_HAFDBS marks a RAM
    block written in hardware (the default core, a Cortex-A72, has the
    hypervisor note each block's first write in a trap)."""
    lines = boot(os.path.join(BUILD, "sys", "reset-stress"),
                 lambda l: index_of(l, r"^\[a\] resettest: (ok|FAILED) "
                                    r"restart-scrubs-every") >= 0,
                 limit=180, core="cortex-a76")
    traps = first_writes(lines)
    check("cpu-with-hafdbs-marks-written-blocks-itself",
          index_of(lines, r"^\[tenon\] hypervisor: .*which the CPU marks "
                   r"\(FEAT_HAFDBS\)$") >= 0 and len(traps) >= 3 and
          not any(traps), "first writes trapped: %s" % traps)
    for name in ("reset-scrubs-ram-written-after-a-restart",
                 "restart-scrubs-every-block-written"):
        i = index_of(lines, r"resettest: (ok|FAILED) %s(:|$)" % name)
        check(name + "-hafdbs", i >= 0 and " ok " in lines[i],
              lines[i] if i >= 0 else "no verdict from the guest")


def reset_stress(tmp):
    """config/reset-stress.dts, no Linux: partition a (tests/guests/resettest)
    plants state, resets, checks nothing survived, then resets thousands
    of times against CPU_ON/CPU_OFF of its second vCPU; b checks PSCI,
    beats beside it and powers off while a still restarts."""
    sysdir = os.path.join(BUILD, "sys", "reset-stress")
    start = time.time()
    # Read until QEMU exits: the lines before power-off come out last.
    lines = boot(sysdir, lambda l: False, limit=180)
    print("    %s (%.0f s)" % (next((l for l in lines if "stress done" in l),
                                  "no end of the stress"),
                             time.time() - start))
    for name in RESET_CHECKS:
        # The two partitions print at once: a verdict may share its line
        # with the other's partial line, so it is looked for anywhere.
        i = index_of(lines, r"resettest: (ok|FAILED) %s(:|$)" % name)
        check(name, i >= 0 and " ok " in lines[i],
              lines[i] if i >= 0 else "no verdict from the guest")
    done = index_of(lines, r"^\[a\] resettest: a: stress done: \d+ resets, "
                    r"alive$")
    check("restart-stress-leaves-partition-alive",
          done >= 0 and index_of(lines, r"^\[a\] resettest: a: vCPU 1 up "
                                 r"after the stress$", done) >= 0,
          "no end of the stress, or vCPU 1 did not start after it")
    scrubs = [(int(m.group(1)), int(m.group(2))) for m in (
        re.match(r"^\[tenon\] partition a: the scrub zeroed (\d+) KiB of "
                 r"(\d+)", l) for l in lines) if m]
    check("restart-scrubs-only-blocks-written",
          len(scrubs) >= 3 and any(z < of for z, of in scrubs) and
          any(z == of for z, of in scrubs), "scrubs: %s" % scrubs[:10])
    # Block 0, written every third incarnation, is written first by a trap.
    traps = first_writes(lines)
    check("first-write-to-a-clean-block-is-trapped-and-noted",
          len(traps) >= 3 and any(traps), "first writes trapped: %s" % traps)
    beats = [l for l in lines if l.startswith("[b] resettest: b: beat ")]
    check("restart-stress-leaves-other-partition-untouched",
          len(beats) == 10 and all(l.endswith(", untouched") for l in beats),
          "%d beats of 10, %d untouched" % (
              len(beats), sum(l.endswith(", untouched") for l in beats)))
    off = index_of(lines, r"^\[tenon\] partition b: powered off")
    check("system-off-while-other-restarts-leaves-machine-running",
          0 <= off < done, "b did not power off, or a did not go on after")
    check("machine-powers-off-once-every-partition-is-off",
          index_of(lines, r"^\[tenon\] every partition is stopped",
                   max(done, 0)) > done >= 0,
          "the machine was not powered off after a's SYSTEM_OFF")
    if done < 0:
        show(lines)


def high_ram(tmp):
    """A partition whose RAM is above 4 GiB (config/high-ram.dts): stage 2
    maps it, and the hypervisor reads it for the console hypercall."""
    # Read until QEMU exits: what follows the last line is the flush.
    lines = boot(os.path.join(BUILD, "sys", "high-ram"),
                 lambda l: index_of(l, r"panic") >= 0, limit=60)
    check("console-hypercall-from-ram-above-4gib",
          index_of(lines, r"^\[rt\] hyptest: hello through the "
                   r"hypercall$") >= 0 and
          index_of(lines, r"^\[rt\] hyptest: \d+ passed, 0 failed$") >= 0,
          "; ".join(l for l in lines if "FAILED" in l or "panic" in l) or
          "no hyptest summary")
    # hyptest provokes faults of its own on purpose; the defect was a
    # fault at the UART, which a partition without the console must not
    # touch.
    faults = [l for l in lines if l.startswith("[tenon] partition quiet:")
              and "fault" in l and "IPA 0x9000" in l]
    check("rt-without-console-runs-silent",
          index_of(lines, r"^\[quiet\] hyptest: hello through the "
                   r"hypercall$") >= 0 and
          index_of(lines, r"^\[tenon\] partition quiet: powered off") >= 0
          and not faults and index_of(lines, r"^\[quiet\] tenon:") < 0,
          faults[0] if faults else "it did not run to its end silent")
    tail = [l for l in lines if l.startswith("[tenon] partition ") and
            l.endswith("powered off (PSCI SYSTEM_OFF); it is stopped, the "
                       "others run on")]
    check("poweroff-loses-no-line-rt-only-system",
          len(tail) == 2 and lines and lines[-1].startswith(
              "[tenon] every partition is stopped") and
          index_of(lines, r"^\[rt\] hyptest: \d+ passed, 0 failed$") >= 0,
          "last lines: " + " | ".join(lines[-3:]))
    if index_of(lines, r"^\[rt\] hyptest: \d+ passed, 0 failed$") < 0 or \
            faults:
        show(lines)


def broken_table(tmp, name, what, pattern, value, message):
    """The hypervisor built with the default system's table changed as the
    compiler never would: it must refuse to start, saying why."""
    with open(os.path.join(SYSDIR, "sysconfig.c")) as f:
        text = f.read()
    text, n = re.subn(pattern, r"\g<1>" + value, text, count=1, flags=re.S)
    if n != 1:
        raise SystemExit("run.py: no %s in %s/sysconfig.c" % (what, SYSDIR))
    sysdir = os.path.join(tmp, name)
    os.mkdir(sysdir)
    table = os.path.join(sysdir, "sysconfig.c")
    with open(table, "w") as f:
        f.write(text)
    for file in ("qemu-loads", "machine"):
        os.symlink(os.path.abspath(os.path.join(SYSDIR, file)),
                   os.path.join(sysdir, file))
    subprocess.run(["make", "--no-print-directory", "-s", "hyp-with-table",
                    "BUILD=" + BUILD, "TABLE=" + table], check=True)
    lines = boot(sysdir, lambda l: index_of(l, r"panic") >= 0, limit=20)
    refused = index_of(lines, r"^\[tenon\] panic: the built-in system table "
                       r"is wrong: " + message + r"; not starting$")
    ran = [l for l in lines if re.match(r"^\[(rt|linux)\]", l)]
    check(name, refused >= 0 and not ran,
          "a partition ran: " + ran[0] if ran else "no refusal")
    if refused < 0 or ran:
        show(lines)


def broken_tables(tmp):
    broken_table(tmp, "boot-refuses-overlapping-partitions",
                 "linux's RAM", r"(\[1\] = \{.*?\.ram_pa = )0x[0-9a-f]+",
                 "0x62000000",
                 r"partition rt: RAM 0x60000000\+0x4000000 overlaps "
                 r"linux's")
    broken_table(tmp, "boot-refuses-cpu-out-of-range",
                 "rt's CPUs", r"(\[0\] = \{.*?\.cpus = \{)0", "7",
                 r"partition rt: CPU 7, the machine has 4")
    broken_table(tmp, "boot-refuses-image-outside-its-ram",
                 "the hypervisor's size", r"(\.hyp_size = )0x[0-9a-f]+",
                 "0x00200000",
                 r"the hypervisor's image 0x40200000-0x[0-9a-f]+ is not "
                 r"inside its RAM 0x40000000\+0x200000")
    broken_table(tmp, "boot-refuses-channel-region-in-partition-ram",
                 "a channel's region", r"(\.region_pa = )0x[0-9a-f]+",
                 "0x60000000",
                 r"channel setpoint: region 0x60000000\+0x4000 at IPA "
                 r"0x20000000 is not a power of two in RAM nobody has, "
                 r"aligned in the window")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        everything = (isolation_and_poweroff, reboot, console_input,
                      console_abuse, reset_stress, dirty_bits_by_cpu,
                      channels_linux,
                      control_job, channel_echo, channel_rt_restart,
                      channel_register_fuzz, hypercalls,
                      hypercalls_virtual_gic,
                      device_passthrough, exit_status,
                      console_start_after_poweroff, restart_limit,
                      fault_actions, manager_lifecycle,
                      manager_restart_of_deaf_rt, linux_panic,
                      rt_health, manager_load, non_manager,
                      hm_log_rate_limit,
                      malformed_description,
                      high_ram, broken_tables)
        # ONLY: "reset", or the name of one scenario of everything.
        named = [f for f in everything if f.__name__ == ONLY]
        for scenario in ((reset_stress,) if ONLY == "reset" else
                         named if named else everything):
            try:
                scenario(tmp)
            except CannotBoot as e:
                check(scenario.__name__.replace("_", "-"), False, str(e))
    sys.exit(REPORT.summary("system"))


if __name__ == "__main__":
    main()
