/*
 * Bringing the core up on the machine: CPU 0 reads the device tree, sets
 * up translation, the GIC and the kernel, then starts the other CPUs with
 * PSCI; every CPU then becomes its idle thread. Also the console (PL011)
 * and the hooks the C library needs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/aarch64/aarch64.h"
#include "plat/qemu-virt/platform.h"

#define PL011_DR 0x00
#define PL011_FR 0x18
#define PL011_FR_TXFF (1u << 5)
#define MAX_ARGS 32

bool aarch64_native;
/*
 * Whether there is a UART to write to: a partition without the console
 * has none (its device tree has no stdout-path), and runs on silent
 * rather than fault on its first line.
 */
static bool console_present = true;
struct aarch64_plat aarch64_plat = {
    .gicd = PLAT_DEFAULT_GICD_BASE,
    .gicr = PLAT_DEFAULT_GICR_BASE,
    .uart = PLAT_DEFAULT_UART_BASE,
};

static volatile int cpus_online;
static char args_buf[512];
static char *app_argv[MAX_ARGS + 1];
static int app_argc;
static struct {
	uint32_t next, owner;
} console_lock;

extern void (*__init_array_start[])(void);
extern void (*__init_array_end[])(void);
extern char __image_end[];
void aarch64_secondary_entry(void);
void aarch64_cpu_boot(int cpu, bool native, uintptr_t dtb);
int tn_main(int argc, char *argv[]);

static void uart_putc(char c)
{
	volatile uint32_t *fr =
	    (volatile uint32_t *)(PLAT_UART_BASE + PL011_FR);

	while (*fr & PL011_FR_TXFF)
		;
	*(volatile uint32_t *)(PLAT_UART_BASE + PL011_DR) = (uint8_t)c;
}

void aarch64_console_write(const char *s, size_t len)
{
	if (!console_present)
		return;
	unsigned long flags = arch_irq_save();
	uint32_t ticket =
	    __atomic_fetch_add(&console_lock.next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&console_lock.owner, __ATOMIC_ACQUIRE) != ticket)
		__asm__ volatile("yield");
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			uart_putc('\r');
		uart_putc(s[i]);
	}
	__atomic_store_n(&console_lock.owner, console_lock.owner + 1,
			 __ATOMIC_RELEASE);
	arch_irq_restore(flags);
}

void arch_console_write(const char *text, size_t len)
{
	aarch64_console_write(text, len);
}

/* printf: queued, so that no real-time thread waits for the console. */
void tn_libc_write(const char *buf, size_t len)
{
	tn_log_write(buf, len);
}

void abort(void)
{
	arch_panic("abort() called");
}

void exit(int code)
{
	arch_app_exit(code);
	for (;;)
		;
}

void aarch64_power_off(void)
{
	aarch64_console_write("tenon: halted\n", 14);
	psci_system_off();
}

static int app_main(void *arg)
{
	(void)arg;
	return tn_main(app_argc, app_argv);
}

/* argv from the bootargs: words separated by spaces, "tenon" first. */
static void split_args(const char *bootargs)
{
	char *p = args_buf;

	app_argv[app_argc++] = "tenon";
	if (!bootargs)
		return;
	strncpy(args_buf, bootargs, sizeof(args_buf) - 1);
	while (*p && app_argc < MAX_ARGS) {
		while (*p == ' ')
			*p++ = '\0';
		if (!*p)
			break;
		app_argv[app_argc++] = p;
		while (*p && *p != ' ')
			p++;
	}
	app_argv[app_argc] = NULL;
}

/* The boot CPU first, then the others in device-tree order. */
static int order_cpus(struct fdt_info *fdt)
{
	uint64_t self = read_sysreg(mpidr_el1) & 0xff00ffffffull;
	int n = 0;

	gic_set_cpu_affinity(n++, self);
	for (int i = 0; i < fdt->ncpus && n < TN_MAX_CPUS; i++)
		if ((fdt->mpidr[i] & 0xff00ffffffull) != self)
			gic_set_cpu_affinity(n, fdt->mpidr[i]),
			    fdt->mpidr[n++] = fdt->mpidr[i];
	return n;
}

static void boot_cpu0(bool native, uintptr_t dtb)
{
	struct tn_boot boot = {
	    .main = app_main,
	    .main_priority = TN_PRIO_MIN,
	};
	static struct fdt_info fdt; /* too large for the boot stack */
	int ncpus;

	aarch64_native = native;
	for (void (**ctor)(void) = __init_array_start; ctor < __init_array_end;
	     ctor++)
		(*ctor)();
	/*
	 * x0 at entry, by the arm64 boot protocol; a loader that passes
	 * none (QEMU, for an ELF file) leaves it at the start of RAM.
	 */
	if ((!dtb || fdt_read((const void *)dtb, &fdt)) &&
	    fdt_read((const void *)PLAT_DTB_BASE, &fdt)) {
		printf("tenon: no device tree at %#lx: 1 CPU, 64 MiB\n",
		       PLAT_DTB_BASE);
		fdt.ram_base = PLAT_RAM_BASE;
		fdt.ram_size = 64ul << 20;
		fdt.ncpus = 0;
		fdt.bootargs = NULL;
		fdt.console = true;
		fdt.nchannels = 0;
		fdt.hm_intid = 0;
	}
	console_present = fdt.console;
	if (fdt.gicd)
		aarch64_plat.gicd = fdt.gicd, aarch64_plat.gicr = fdt.gicr;
	if (fdt.uart)
		aarch64_plat.uart = fdt.uart;
	if ((uintptr_t)__image_end + (4ul << 20) > fdt.ram_base + fdt.ram_size)
		arch_panic("RAM too small for the image");
	aarch64_channels_init(&fdt);
	aarch64_hm_init(&fdt);
	mmu_init(fdt.ram_base, fdt.ram_size);
	ncpus = order_cpus(&fdt);
	gic_init_global();
	split_args(fdt.bootargs);

	aarch64_ncpus = ncpus;
	tn_kernel_init(&boot);
	for (int i = 0; i < ncpus; i++)
		aarch64_set_idle_context(i);
	for (int i = 1; i < ncpus; i++) {
		int ret = psci_cpu_on(fdt.mpidr[i],
				      (uintptr_t)aarch64_secondary_entry,
				      (uint64_t)i);

		if (ret) {
			printf("tenon: cpu%d did not start (PSCI %d)\n", i,
			       ret);
			aarch64_ncpus = i;
			break;
		}
	}
	printf("tenon: real-time core on %d CPU%s at EL1 (%s), %lu MiB RAM\n",
	       aarch64_ncpus, aarch64_ncpus > 1 ? "s" : "",
	       native ? "alone on the machine" : "in a partition",
	       (unsigned long)(fdt.ram_size >> 20));
}

void aarch64_cpu_boot(int cpu, bool native, uintptr_t dtb)
{
	if (cpu == 0)
		boot_cpu0(native, dtb);
	gic_init_cpu(cpu);
	__atomic_add_fetch(&cpus_online, 1, __ATOMIC_RELEASE);
	/* Nobody is sent an IPI before its GIC is ready. */
	if (cpu == 0)
		while (__atomic_load_n(&cpus_online, __ATOMIC_ACQUIRE) <
		       aarch64_ncpus)
			__asm__ volatile(
			    "yield"); /* lets an emulator run them */
	arch_irq_enable();
	tn_cpu_main();
}

void aarch64_irq(struct aarch64_frame *frame);

void aarch64_irq(struct aarch64_frame *frame)
{
	(void)frame;
	for (;;) {
		uint32_t intid = gic_ack();

		if (intid >= 1020)
			break;
		tn_irq_dispatch(intid);
		gic_eoi(intid);
	}
	tn_irq_exit();
}
