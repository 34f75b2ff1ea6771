"""Helpers for scripts that boot variants of a Tenon system (the system
tests, the partition benchmark): a variant is the system description with
some text changed, compiled by tools/tenon-config into its own directory
beside the built hypervisor."""
import os
import re
import subprocess


def derive(build, system, tmp, name, edit, own_hypervisor=False):
    """Compiles config/<system>.dts changed by edit(text) -> text into
    tmp/<name>/, sharing build/sys/<system>/tenon.elf; returns that
    directory, ready for tools/system-run.sh. With own_hypervisor, a
    variant whose table differs (a health table, say) gets the hypervisor
    linked with its own table instead (make hyp-with-table)."""
    source = os.path.join("config", system + ".dts")
    with open(source) as f:
        text = edit(f.read())
    dts, dtb, out = (os.path.join(tmp, name + e) for e in (".dts", ".dtb", ""))
    with open(dts, "w") as f:
        f.write(text)
    subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", dtb, dts],
                   check=True)
    subprocess.run([os.path.join(build, "tools", "tenon-config"), "--source",
                    dts, "--build", build, "--out", out, dtb], check=True,
                   stdout=subprocess.DEVNULL)
    # The hypervisor is shared: the variant may change what partitions
    # load (images, arguments), not the table built into it.
    def table(path):
        with open(path) as f:
            text = re.sub(r"/\*.*?\*/", "", f.read(), flags=re.S)
        return text.split()
    if table(os.path.join(out, "sysconfig.c")) != table(
            os.path.join(build, "sys", system, "sysconfig.c")):
        if own_hypervisor:
            subprocess.run(["make", "--no-print-directory", "-s",
                            "hyp-with-table", "BUILD=" + build,
                            "TABLE=" + os.path.join(out, "sysconfig.c")],
                           check=True)
            return out
        raise SystemExit("tenon_system: variant %s changes the hypervisor's "
                         "table (CPUs, memory, devices): build it as a system "
                         "of its own (config/NAME.dts, make system "
                         "SYSTEM=NAME)" % name)
    os.symlink(os.path.abspath(os.path.join(build, "sys", system,
                                            "tenon.elf")),
               os.path.join(out, "tenon.elf"))
    return out


def rt_direct(sysdir):
    """Whether the real-time partition of the system built in sysdir has
    direct interrupt delivery (its table, sysconfig.c, says so)."""
    with open(os.path.join(sysdir, "sysconfig.c")) as f:
        text = f.read()
    rt = text.find(".kind = TN_CFG_KIND_RTOS")
    m = re.search(r"\.irq_delivery = (\d+),", text[rt:]) if rt >= 0 else None
    return m is not None and m.group(1) == "1"
