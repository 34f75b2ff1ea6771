/*
 * hyptest: checks, from inside a partition, that the hypervisor answers
 * every call with the right result and every bad argument with an error
 * (Tenon's hypercalls and PSCI), and survives them all; and that the
 * machine is as a guest expects it: the GIC's registers, SGIs and
 * interrupt states, the physical timer and the PMU with their interrupts.
 * Runs only in a partition (alone on the machine, HVC has nobody to go
 * to).
 *
 *   hyptest -m RAM_MIB    the partition's RAM size, to aim just past it
 *   -c IN,SPI,IPA,OUT     also the channels: IN is a channel it reads
 *                         (its doorbell SPI, its region's IPA): its pages'
 *                         permissions, then its doorbell, which Linux
 *                         rings once up (waited for CHANNEL_WAIT_S at
 *                         most); then it rings channel OUT (one it
 *                         writes) back
 *   -D                    the partition has direct interrupt delivery:
 *                         also the checks of it (SGI 15 the hypervisor's,
 *                         the shared registers emulated, others' SPIs out
 *                         of reach)
 *
 * Prints "hyptest: ok NAME" or "hyptest: FAILED NAME: ..." per check and
 * "hyptest: N passed, N failed".
 *
 * The probes of the virtual GIC take their own exceptions: for the time of
 * a probe, with interrupts masked, VBAR_EL1 points at probe_vectors, so an
 * injected abort is counted and stepped over, and an interrupt is taken
 * here. The probe interrupt gets a priority above the mask it opens (and
 * the core's own interrupts stay below it), so the core never sees them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tenon/tenon.h>

#include "plat/qemu-virt/platform.h"
#include "tenon/hm.h"
#include "tenon/hypercall.h"

#define RAM_BASE 0x40000000ul
#define PSCI_VERSION 0x84000000ul
#define PSCI_CPU_ON 0xc4000003ul
#define PSCI_AFFINITY_INFO 0xc4000004ul

struct ret {
	long x0, x1, x2, x3;
};

static int passed, failed;

static struct ret hvc(unsigned long fid, unsigned long a1, unsigned long a2,
		      unsigned long a3)
{
	register unsigned long x0 __asm__("x0") = fid;
	register unsigned long x1 __asm__("x1") = a1;
	register unsigned long x2 __asm__("x2") = a2;
	register unsigned long x3 __asm__("x3") = a3;

	__asm__ volatile("hvc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
			 :
			 : "memory");
	return (struct ret){(long)x0, (long)x1, (long)x2, (long)x3};
}

static void check(const char *name, long got, long want)
{
	if (got == want) {
		printf("hyptest: ok %s\n", name);
		passed++;
	} else {
		printf("hyptest: FAILED %s: got %ld, expected %ld\n", name, got,
		       want);
		failed++;
	}
}

static void check_u64(const char *name, uint64_t got, uint64_t want)
{
	if (got == want) {
		printf("hyptest: ok %s\n", name);
		passed++;
	} else {
		printf("hyptest: FAILED %s: got %#lx, expected %#lx\n", name,
		       (unsigned long)got, (unsigned long)want);
		failed++;
	}
}

static void entry_never_run(void)
{
}

#define sysreg_read(r)                                      \
	({                                                  \
		uint64_t v_;                                \
		__asm__ volatile("mrs %0, " #r : "=r"(v_)); \
		v_;                                         \
	})
#define sysreg_write(r, v) \
	__asm__ volatile("msr " #r ", %0" ::"r"((uint64_t)(v)) : "memory")
#define isb() __asm__ volatile("isb" ::: "memory")

#define ICC_IAR1_EL1 S3_0_C12_C12_0
#define ICC_EOIR1_EL1 S3_0_C12_C12_1
#define ICC_SGI1R_EL1 S3_0_C12_C11_5
#define ICC_PMR_EL1 S3_0_C4_C6_0
#define ICC_CTLR_EL1 S3_0_C12_C12_4
#define ICC_DIR_EL1 S3_0_C12_C11_1
#define ICC_RPR_EL1 S3_0_C12_C11_3

#define GICD_TYPER 0x0004
#define GICD_IPRIORITYR 0x0400
#define GICR_SGI 0x10000
#define GICR_ISENABLER0 0x0100
#define GICR_ICENABLER0 0x0180
#define GICR_ISPENDR0 0x0200
#define GICR_ICPENDR0 0x0280
#define GICR_ISACTIVER0 0x0300
#define GICR_ICACTIVER0 0x0380
#define GICR_IPRIORITYR 0x0400

#define EC_DABT_CUR 0x25
#define EC_UNKNOWN 0x00
#define PROBE_PRIORITY 0x80 /* above PROBE_MASK, the core's are below */
#define PROBE_MASK 0x90
#define PROBE_SGI 9
#define POISON 0x5a5a5a5a5a5a5a5aul
#define GICD_ISENABLER 0x0100
#define GICD_ICENABLER 0x0180
#define GICD_ISPENDR 0x0200
#define GICD_IROUTER 0x6000
/* The hypervisor's UART and Linux's RTC (qemu-virt, the default system). */
#define FOREIGN_UART_SPI 33
#define FOREIGN_RTC_SPI 34
#define CHANNEL_WAIT_S 240 /* Linux boots to user space first */
#define CHANNEL_WRITER_PAGE 0x0000
#define CHANNEL_READER_PAGE 0x1000
#define CHANNEL_RESERVED 12 /* a control page's reserved word */

/* What the probe vectors saw; written in exceptions, read after. */
static struct {
	volatile uint64_t syncs, esr;
	volatile uint32_t irqs, last_irq;
	/* Called in the handler of each probe interrupt, before its EOI. */
	void (*volatile on_irq)(uint32_t intid);
} probe;

void probe_exception(uint64_t kind);

/*
 * Two handlers share the vectors: 0 for a synchronous exception, 1 for an
 * IRQ, from EL1 on either stack; anything else stops where it is.
 */
__asm__(".pushsection .text\n"
	".balign 2048\n"
	"probe_vectors:\n"
	".irp kind, 0, 1, 2, 2, 0, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2\n"
	".balign 128\n"
	"stp x29, x30, [sp, #-16]!\n"
	"mov x29, #\\kind\n"
	"b probe_entry\n"
	".endr\n"
	"probe_entry:\n"
	"cmp x29, #2\n"
	"b.eq .\n"
	"stp x0, x1, [sp, #-16]!\n"
	"stp x2, x3, [sp, #-16]!\n"
	"stp x4, x5, [sp, #-16]!\n"
	"stp x6, x7, [sp, #-16]!\n"
	"stp x8, x9, [sp, #-16]!\n"
	"stp x10, x11, [sp, #-16]!\n"
	"stp x12, x13, [sp, #-16]!\n"
	"stp x14, x15, [sp, #-16]!\n"
	"stp x16, x17, [sp, #-16]!\n"
	"stp x18, xzr, [sp, #-16]!\n"
	"mov x0, x29\n"
	"bl probe_exception\n"
	"ldp x18, xzr, [sp], #16\n"
	"ldp x16, x17, [sp], #16\n"
	"ldp x14, x15, [sp], #16\n"
	"ldp x12, x13, [sp], #16\n"
	"ldp x10, x11, [sp], #16\n"
	"ldp x8, x9, [sp], #16\n"
	"ldp x6, x7, [sp], #16\n"
	"ldp x4, x5, [sp], #16\n"
	"ldp x2, x3, [sp], #16\n"
	"ldp x0, x1, [sp], #16\n"
	"ldp x29, x30, [sp], #16\n"
	"eret\n"
	".popsection\n");
extern const char probe_vectors[];

__attribute__((target("general-regs-only"))) void probe_exception(uint64_t kind)
{
	if (kind == 0) {
		/* An injected abort or undefined instruction: step over it. */
		probe.esr = sysreg_read(esr_el1);
		probe.syncs++;
		sysreg_write(elr_el1, sysreg_read(elr_el1) + 4);
		return;
	}
	uint32_t intid = (uint32_t)sysreg_read(ICC_IAR1_EL1) & 0xffffff;

	if (intid >= 1020)
		return;
	probe.irqs++;
	probe.last_irq = intid;
	if (probe.on_irq)
		probe.on_irq(intid);
	sysreg_write(ICC_EOIR1_EL1, intid);
	isb();
}

static uint64_t probe_daif, probe_vbar;

static void probe_begin(void)
{
	probe_daif = sysreg_read(daif);
	__asm__ volatile("msr daifset, #2" ::: "memory");
	probe_vbar = sysreg_read(vbar_el1);
	sysreg_write(vbar_el1, (uint64_t)probe_vectors);
	isb();
	probe.syncs = 0;
	probe.esr = 0;
	probe.irqs = 0;
	probe.last_irq = 1023;
	probe.on_irq = NULL;
}

static void probe_end(void)
{
	sysreg_write(vbar_el1, probe_vbar);
	isb();
	sysreg_write(daif, probe_daif);
	isb();
}

/*
 * Lets interrupts of the probe's priority in for about us microseconds, or
 * until one was taken; returns how many were.
 */
static uint32_t probe_window(unsigned long us)
{
	uint64_t pmr = sysreg_read(ICC_PMR_EL1);
	uint64_t freq = sysreg_read(cntfrq_el0);
	uint64_t end = sysreg_read(cntvct_el0) + freq * us / 1000000;
	uint32_t before = probe.irqs;

	sysreg_write(ICC_PMR_EL1, PROBE_MASK);
	isb();
	__asm__ volatile("msr daifclr, #2" ::: "memory");
	while (probe.irqs == before && sysreg_read(cntvct_el0) < end)
		;
	__asm__ volatile("msr daifset, #2" ::: "memory");
	sysreg_write(ICC_PMR_EL1, pmr);
	isb();
	return probe.irqs - before;
}

/* This vCPU's redistributor, its SGI_base frame. */
static uintptr_t my_gicr_sgi(void)
{
	return PLAT_GICR_BASE +
	       PLAT_GICR_STRIDE * (sysreg_read(mpidr_el1) & 0xff) + GICR_SGI;
}

static uint32_t rd32(uintptr_t a)
{
	return *(volatile uint32_t *)a;
}

static void wr32(uintptr_t a, uint32_t v)
{
	*(volatile uint32_t *)a = v;
}

static void wr8(uintptr_t a, uint8_t v)
{
	*(volatile uint8_t *)a = v;
}

/* Loads of each size and kind, exactly that instruction. */
#define LOAD(name, insn)                                              \
	static uint64_t name(uintptr_t a)                             \
	{                                                             \
		uint64_t v = POISON;                                  \
		__asm__ volatile(insn : "+r"(v) : "r"(a) : "memory"); \
		return v;                                             \
	}
LOAD(ldrb_w, "ldrb %w0, [%1]")
LOAD(ldrh_w, "ldrh %w0, [%1]")
LOAD(ldr_x, "ldr %0, [%1]")
LOAD(ldrsb_x, "ldrsb %0, [%1]")
LOAD(ldrsb_w, "ldrsb %w0, [%1]")
LOAD(ldrsw_x, "ldrsw %0, [%1]")

/* An MMIO load the hypervisor must refuse: an abort, the register untouched. */
static void check_load_aborts(const char *name, uint64_t (*load)(uintptr_t),
			      uintptr_t a)
{
	uint64_t v;

	probe_begin();
	v = load(a);
	probe_end();
	if (probe.syncs == 1 && probe.esr >> 26 == EC_DABT_CUR && v == POISON) {
		printf("hyptest: ok %s\n", name);
		passed++;
	} else {
		printf("hyptest: FAILED %s: %lu exceptions (ESR %#lx), loaded "
		       "%#lx\n",
		       name, (unsigned long)probe.syncs,
		       (unsigned long)probe.esr, (unsigned long)v);
		failed++;
	}
}

/* A load that must be emulated: its value, and no exception. */
static void check_load(const char *name, uint64_t (*load)(uintptr_t),
		       uintptr_t a, uint64_t want)
{
	uint64_t v;

	probe_begin();
	v = load(a);
	probe_end();
	if (probe.syncs) {
		printf("hyptest: FAILED %s: exception, ESR %#lx\n", name,
		       (unsigned long)probe.esr);
		failed++;
		return;
	}
	check_u64(name, v, want);
}

static void mmio_access_sizes(void)
{
	/*
	 * PPI 20's priority, a byte register, set by a byte store first: a
	 * PPI of this vCPU's, which it has whichever way its interrupts are
	 * delivered. 0xc0: its top bit set, and within the priority bits a
	 * GIC may have.
	 */
	uintptr_t prio20 = my_gicr_sgi() + GICD_IPRIORITYR + 20;

	check_load_aborts("gicd-typer-byte-read-aborts", ldrb_w,
			  PLAT_GICD_BASE + GICD_TYPER);
	check_load_aborts("gicd-typer-halfword-read-aborts", ldrh_w,
			  PLAT_GICD_BASE + GICD_TYPER);
	check_load_aborts("gicd-typer-doubleword-read-aborts", ldr_x,
			  PLAT_GICD_BASE + GICD_TYPER);
	wr8(prio20, 0xc0);
	check_load("gicr-ipriorityr-ldrsb-x-sign-extends", ldrsb_x, prio20,
		   0xffffffffffffffc0ul);
	check_load("gicr-ipriorityr-ldrsb-w-sign-extends-to-32-bits", ldrsb_w,
		   prio20, 0xffffffc0ul);
	wr32(prio20, 0xc0a0a0a0u);
	check_load("gicr-ipriorityr-ldrsw-sign-extends", ldrsw_x, prio20,
		   0xffffffffc0a0a0a0ul);
	wr32(prio20, 0xa0a0a0a0u);
}

/* ICC_SGI1R_EL1 naming this vCPU, its Aff0 split as RS and a list bit. */
static uint64_t sgi_to_self(uint32_t intid, uint64_t range_offset)
{
	uint64_t aff0 = sysreg_read(mpidr_el1) & 0xff;

	return 1ul << (aff0 % 16) | (uint64_t)intid << 24 |
	       (aff0 / 16 + range_offset) << 44;
}

static volatile uint32_t active_in_handler;

static void see_active(uint32_t intid)
{
	active_in_handler = rd32(my_gicr_sgi() + GICR_ISACTIVER0) >> intid & 1;
}

/*
 * Within a probe: SGI intid to this vCPU, enabled at the probe's
 * priority, on_irq called in its handler; how many interrupts came.
 */
static uint32_t probe_sgi(uint32_t intid, void (*on_irq)(uint32_t))
{
	uintptr_t sgi = my_gicr_sgi();
	uint32_t taken;

	wr8(sgi + GICR_IPRIORITYR + intid, PROBE_PRIORITY);
	wr32(sgi + GICR_ISENABLER0, 1u << intid);
	probe.on_irq = on_irq;
	sysreg_write(ICC_SGI1R_EL1, sgi_to_self(intid, 0));
	isb();
	taken = probe_window(10000);
	probe.on_irq = NULL;
	return taken;
}

/* SGI intid to this vCPU at the probe's priority: whether it came. */
static bool sgi_comes(uint32_t intid)
{
	uintptr_t sgi = my_gicr_sgi();
	uint32_t taken;

	probe_begin();
	taken = probe_sgi(intid, NULL);
	wr32(sgi + GICR_ICENABLER0, 1u << intid);
	wr32(sgi + GICR_ICPENDR0, 1u << intid);
	probe_end();
	return taken == 1 && probe.last_irq == intid;
}

static volatile uint64_t rpr_in_handler;

static void see_rpr(uint32_t intid)
{
	(void)intid;
	rpr_in_handler = sysreg_read(ICC_RPR_EL1);
}

/*
 * Direct delivery (-D): the CPU interface is this partition's, but only
 * for its own interrupts. SGI 15 is the hypervisor's; the registers both
 * groups share are emulated (a priority mask and running priority as the
 * partition sets and sees them, EOImode its choice, DIR for its own); the
 * SPIs of the hypervisor (the UART's) and of Linux (the RTC's) are out
 * of reach whatever it writes.
 */
static void direct_delivery(void)
{
	uintptr_t sgi = my_gicr_sgi();
	uint64_t ctlr, pmr;
	uint32_t taken, active, foreign;

	check("direct-sgi-14-to-self-is-delivered", sgi_comes(14), 1);
	check("direct-sgi-15-is-the-hypervisors-not-delivered", sgi_comes(15),
	      0);
	wr32(sgi + GICR_ISENABLER0, 1u << 15);
	check("direct-sgi-15-cannot-be-enabled",
	      rd32(sgi + GICR_ISENABLER0) >> 15 & 1, 0);

	probe_begin();
	rpr_in_handler = 0;
	taken = probe_sgi(PROBE_SGI, see_rpr);
	check("direct-running-priority-is-the-interrupts-own",
	      taken == 1 ? (long)rpr_in_handler : -1, PROBE_PRIORITY);

	/* A mask at the interrupt's own priority holds it off. */
	pmr = sysreg_read(ICC_PMR_EL1);
	sysreg_write(ICC_PMR_EL1, PROBE_PRIORITY);
	isb();
	check("direct-priority-mask-reads-back-as-written",
	      (long)sysreg_read(ICC_PMR_EL1), PROBE_PRIORITY);
	sysreg_write(ICC_SGI1R_EL1, sgi_to_self(PROBE_SGI, 0));
	isb();
	__asm__ volatile("msr daifclr, #2" ::: "memory");
	for (volatile int i = 0; i < 20000; i++)
		;
	__asm__ volatile("msr daifset, #2" ::: "memory");
	check("direct-priority-mask-holds-off-its-priority", probe.irqs, 1);
	sysreg_write(ICC_PMR_EL1, pmr);
	isb();
	check("direct-masked-interrupt-comes-once-mask-opens",
	      probe_window(10000), 1);

	/* EOImode 1: the end only drops the priority, DIR deactivates. */
	ctlr = sysreg_read(ICC_CTLR_EL1);
	sysreg_write(ICC_CTLR_EL1, ctlr | 2);
	isb();
	sysreg_write(ICC_SGI1R_EL1, sgi_to_self(PROBE_SGI, 0));
	isb();
	taken = probe_window(10000);
	active = rd32(sgi + GICR_ISACTIVER0) >> PROBE_SGI & 1;
	check("direct-eoimode-1-end-leaves-interrupt-active",
	      taken == 1 ? (long)active : -1, 1);
	sysreg_write(ICC_DIR_EL1, PROBE_SGI);
	isb();
	check("direct-dir-deactivates-its-own-interrupt",
	      rd32(sgi + GICR_ISACTIVER0) >> PROBE_SGI & 1, 0);
	sysreg_write(ICC_CTLR_EL1, ctlr);
	isb();
	check("direct-eoimode-reads-back",
	      (long)(sysreg_read(ICC_CTLR_EL1) & 2), (long)(ctlr & 2));

	/*
	 * Another's SPIs: enabled, routed here, made pending, given a
	 * priority the probe lets in. None may come, none may read back.
	 */
	foreign = 1u << (FOREIGN_UART_SPI - 32) | 1u << (FOREIGN_RTC_SPI - 32);
	for (uint32_t id = FOREIGN_UART_SPI; id <= FOREIGN_RTC_SPI; id++) {
		wr8(PLAT_GICD_BASE + GICD_IPRIORITYR + id, PROBE_PRIORITY);
		wr32(PLAT_GICD_BASE + GICD_IROUTER + 8 * id, 0);
	}
	wr32(PLAT_GICD_BASE + GICD_ISENABLER + 4, foreign);
	wr32(PLAT_GICD_BASE + GICD_ISPENDR + 4, foreign);
	taken = probe_window(10000);
	check("direct-foreign-spis-never-come", taken, 0);
	check("direct-foreign-spis-read-as-absent",
	      (rd32(PLAT_GICD_BASE + GICD_ISENABLER + 4) & foreign) |
		  rd32(PLAT_GICD_BASE + GICD_IPRIORITYR + 32),
	      0);
	wr32(sgi + GICR_ICENABLER0, 1u << PROBE_SGI);
	probe_end();
}

static void sgi_states(void)
{
	uintptr_t sgi = my_gicr_sgi();
	uint32_t taken, pending, after_clear;

	probe_begin();
	active_in_handler = 0;
	taken = probe_sgi(PROBE_SGI, see_active);
	check("sgi-to-self-is-delivered",
	      taken == 1 && probe.last_irq == PROBE_SGI, 1);

	/* RS 1: Aff0 16 onwards, which this partition has not. */
	sysreg_write(ICC_SGI1R_EL1, sgi_to_self(PROBE_SGI, 1));
	isb();
	taken = probe_window(10000);

	sysreg_write(ICC_SGI1R_EL1, sgi_to_self(PROBE_SGI, 0));
	isb();
	pending = rd32(sgi + GICR_ISPENDR0) >> PROBE_SGI & 1;
	wr32(sgi + GICR_ICPENDR0, 1u << PROBE_SGI);
	after_clear = probe_window(10000);

	wr32(sgi + GICR_ICENABLER0, 1u << PROBE_SGI);
	wr8(sgi + GICR_IPRIORITYR + PROBE_SGI, 0xa0);
	probe_end();
	check("gicr-isactiver-shows-interrupt-being-handled",
	      (long)active_in_handler, 1);
	check("sgi-range-selector-beyond-vcpus-reaches-nobody", (long)taken, 0);
	check("gicr-ispendr-shows-pending-sgi", (long)pending, 1);
	check("gicr-icpendr-withdraws-pending-sgi", (long)after_clear, 0);

	/* Active state the guest sets and clears itself, never taken. */
	probe_begin();
	wr32(sgi + GICR_ISACTIVER0, 1u << PROBE_SGI);
	pending = rd32(sgi + GICR_ISACTIVER0) >> PROBE_SGI & 1;
	wr32(sgi + GICR_ICACTIVER0, 1u << PROBE_SGI);
	after_clear = rd32(sgi + GICR_ISACTIVER0) >> PROBE_SGI & 1;
	probe_end();
	check("gicr-isactiver-write-sets-active", (long)pending, 1);
	check("gicr-icactiver-write-clears-active", (long)after_clear, 0);
}

#define PPI_PTIMER 30
#define PPI_PMU 23
#define PMCR_N(pmcr) ((pmcr) >> 11 & 0x1f)
#define PMU_EVENT_CPU_CYCLES 0x11

static void probe_ppi_enable(uint32_t intid, bool on)
{
	uintptr_t sgi = my_gicr_sgi();

	wr8(sgi + GICR_IPRIORITYR + intid, on ? PROBE_PRIORITY : 0xa0);
	wr32(sgi + (on ? GICR_ISENABLER0 : GICR_ICENABLER0), 1u << intid);
}

/* The handler's part: the line drops before the end of interrupt. */
static void ptimer_off(uint32_t intid)
{
	(void)intid;
	sysreg_write(cntp_ctl_el0, 0);
	isb();
}

/* Arms the EL1 physical timer to fire at once. */
static void ptimer_fire(void)
{
	sysreg_write(cntp_cval_el0, sysreg_read(cntpct_el0));
	sysreg_write(cntp_ctl_el0, 1); /* ENABLE, not masked */
	isb();
}

static void physical_timer(void)
{
	uint32_t taken;

	probe_begin();
	probe_ppi_enable(PPI_PTIMER, true);
	probe.on_irq = ptimer_off;
	ptimer_fire();
	taken = probe_window(100000);
	ptimer_off(0);
	probe_ppi_enable(PPI_PTIMER, false);
	probe_end();
	check("physical-timer-interrupt-is-delivered",
	      taken == 1 && probe.last_irq == PPI_PTIMER, 1);
}

/* Waits, boundedly, for PPI intid to show pending in this redistributor. */
static bool ppi_shows_pending(uint32_t intid)
{
	for (int i = 0; i < 10000; i++)
		if (rd32(my_gicr_sgi() + GICR_ISPENDR0) >> intid & 1)
			return true;
	return false;
}

/*
 * The physical timer fires while its interrupt is disabled in the virtual
 * GIC (or masked by priority), then is stopped: nothing must be left
 * pending for the guest, and the timer must still interrupt afterwards.
 */
static void stale_hardware_interrupts(void)
{
	bool seen, after;
	uint32_t taken;

	probe_begin();
	ptimer_fire();
	seen = ppi_shows_pending(PPI_PTIMER);
	ptimer_off(0);
	after = rd32(my_gicr_sgi() + GICR_ISPENDR0) >> PPI_PTIMER & 1;
	probe_ppi_enable(PPI_PTIMER, true);
	taken = probe_window(10000);
	probe_ppi_enable(PPI_PTIMER, false);
	probe_end();
	check("disabled-physical-timer-shows-pending", seen, 1);
	check("hw-interrupt-pending-drops-with-its-line", after, 0);
	check("hw-interrupt-enabled-after-line-dropped-is-not-delivered",
	      (long)taken, 0);

	/* Enabled, but below the priority mask: it waits in a list register. */
	probe_begin();
	probe_ppi_enable(PPI_PTIMER, true);
	ptimer_fire();
	seen = ppi_shows_pending(PPI_PTIMER);
	ptimer_off(0);
	after = rd32(my_gicr_sgi() + GICR_ISPENDR0) >> PPI_PTIMER & 1;
	taken = probe_window(10000);
	probe.on_irq = ptimer_off;
	ptimer_fire();
	probe_window(100000);
	ptimer_off(0);
	probe_ppi_enable(PPI_PTIMER, false);
	probe_end();
	check("hw-interrupt-in-list-register-drops-with-its-line",
	      seen && !after, 1);
	check("hw-interrupt-in-list-register-after-line-dropped-is-not-"
	      "delivered",
	      (long)taken, 0);
	check("physical-timer-interrupts-again-after-stale-one-dropped",
	      probe.irqs == 1 && probe.last_irq == PPI_PTIMER, 1);
}

/*
 * The health monitor's hypercalls from a partition that is not the
 * manager (the default system's manager is Linux): its own watchdog and
 * events are its to use, the others' lifecycle and the log are not.
 */
static void health_monitor(void)
{
	struct ret r;

	check("hm-raise-unknown-event", hvc(TN_HC_HM_RAISE, 99, 0, 0).x0,
	      -EINVAL);
	check("hm-raise-event-only-the-hypervisor-sees",
	      hvc(TN_HC_HM_RAISE, TN_HM_EV_MEM_FAULT, 0, 0).x0, -EINVAL);
	/* The default for a deadline overrun: logged, and back here. */
	check("hm-raise-deadline-is-logged-by-default",
	      hvc(TN_HC_HM_RAISE, TN_HM_EV_DEADLINE, 42, 0).x0, TN_HM_ACT_LOG);
	check("hm-watchdog-kick-unarmed", hvc(TN_HC_WATCHDOG_KICK, 0, 0, 0).x0,
	      -ENODEV);
	check("hm-watchdog-period-too-short",
	      hvc(TN_HC_WATCHDOG_SET, TN_HM_WATCHDOG_MIN_US - 1, 0, 0).x0,
	      -EINVAL);
	check("hm-watchdog-period-too-long",
	      hvc(TN_HC_WATCHDOG_SET, TN_HM_WATCHDOG_MAX_US + 1, 0, 0).x0,
	      -EINVAL);
	check("hm-watchdog-arm", hvc(TN_HC_WATCHDOG_SET, 5000000, 0, 0).x0, 0);
	check("hm-watchdog-kick-armed", hvc(TN_HC_WATCHDOG_KICK, 0, 0, 0).x0,
	      0);
	check("hm-watchdog-disarm", hvc(TN_HC_WATCHDOG_SET, 0, 0, 0).x0, 0);
	check("hm-watchdog-kick-after-disarm",
	      hvc(TN_HC_WATCHDOG_KICK, 0, 0, 0).x0, -ENODEV);
	check("hm-pending-none", hvc(TN_HC_HM_PENDING, 0, 0, 0).x0, -ENOENT);
	r = hvc(TN_HC_PARTITION_CTL, 1, TN_MGR_OP_RESTART, 0);
	check("hm-non-manager-restart-refused", r.x0, -EPERM);
	check("hm-non-manager-stop-refused",
	      hvc(TN_HC_PARTITION_CTL, 1, TN_MGR_OP_STOP, 0).x0, -EPERM);
	check("hm-non-manager-state-refused",
	      hvc(TN_HC_PARTITION_STATE, 1, 0, 0).x0, -EPERM);
	check("hm-non-manager-log-refused", hvc(TN_HC_HM_LOG_READ, 0, 0, 0).x0,
	      -EPERM);
}

/*
 * A flood of events, last (it spins for a second): each is still decided
 * (logged, returned), but the log takes TN_HM_LOG_BURST a second of them;
 * the next one after a second says how many it dropped (the system test
 * reads the log from Linux: details 0x1000.. mark the flood, 0x5eed the
 * one after).
 */
static void health_monitor_flood(void)
{
	long bad = 0;

	for (int i = 0; i < 4 * TN_HM_LOG_BURST; i++)
		bad +=
		    hvc(TN_HC_HM_RAISE, TN_HM_EV_DEADLINE, 0x1000 + i, 0).x0 !=
		    TN_HM_ACT_LOG;
	check("hm-raise-flood-is-decided-every-time", bad, 0);
	for (tn_time_t end = tn_clock_read() + TN_MSEC(1100);
	     tn_clock_read() < end;)
		__asm__ volatile("yield");
	check("hm-raise-after-flood",
	      hvc(TN_HC_HM_RAISE, TN_HM_EV_DEADLINE, 0x5eed, 0).x0,
	      TN_HM_ACT_LOG);
}

static void pmu_stop(uint32_t intid)
{
	(void)intid;
	sysreg_write(pmcntenclr_el0, 1);
	sysreg_write(pmintenclr_el1, 1);
	sysreg_write(pmovsclr_el0, 1);
	isb();
}

static void pmu(void)
{
	uint64_t n = PMCR_N(sysreg_read(pmcr_el0)), counted;
	uint32_t taken;

	check("pmu-event-counters-visible", n > 0, 1);
	if (!n) {
		check("pmu-event-counter-counts", 0, 1);
		check("pmu-overflow-interrupt-is-delivered", 0, 1);
		return;
	}
	probe_begin();
	sysreg_write(pmselr_el0, 0);
	sysreg_write(pmevtyper0_el0, PMU_EVENT_CPU_CYCLES);
	sysreg_write(pmevcntr0_el0, 0);
	sysreg_write(pmcr_el0, sysreg_read(pmcr_el0) | 1); /* E */
	sysreg_write(pmcntenset_el0, 1);
	isb();
	for (volatile int i = 0; i < 10000; i++)
		;
	counted = sysreg_read(pmevcntr0_el0);
	sysreg_write(pmcntenclr_el0, 1);

	/* Overflow a few cycles from now, with its interrupt enabled. */
	probe_ppi_enable(PPI_PMU, true);
	probe.on_irq = pmu_stop;
	sysreg_write(pmovsclr_el0, 1);
	sysreg_write(pmevcntr0_el0, 0xffffff00u);
	sysreg_write(pmintenset_el1, 1);
	sysreg_write(pmcntenset_el0, 1);
	isb();
	taken = probe_window(100000);
	pmu_stop(0);
	probe_ppi_enable(PPI_PMU, false);
	probe_end();
	check("pmu-event-counter-counts", counted > 0, 1);
	check("pmu-overflow-interrupt-is-delivered",
	      taken == 1 && probe.last_irq == PPI_PMU, 1);
}

/* A store the hypervisor must refuse: an abort, memory untouched. */
static void check_store_aborts(const char *name, uintptr_t a)
{
	uint32_t before = rd32(a);

	probe_begin();
	wr32(a, ~before);
	probe_end();
	if (probe.syncs == 1 && probe.esr >> 26 == EC_DABT_CUR &&
	    rd32(a) == before) {
		printf("hyptest: ok %s\n", name);
		passed++;
	} else {
		printf("hyptest: FAILED %s: %lu exceptions (ESR %#lx), word "
		       "%#x, was %#x\n",
		       name, (unsigned long)probe.syncs,
		       (unsigned long)probe.esr, rd32(a), before);
		failed++;
	}
}

/*
 * The channel `in` (this partition its reader, Linux its writer): its
 * pages as mapped for a reader, and its doorbell, which Linux rings once
 * it is up; then a doorbell rung back on channel `out`.
 */
static void channels(unsigned long in, unsigned long spi, uintptr_t ipa,
		     unsigned long out)
{
	uintptr_t own = ipa + CHANNEL_READER_PAGE + CHANNEL_RESERVED;
	uint32_t intid = 32 + (uint32_t)spi, taken = 0;

	check("channel-notify-unknown-channel",
	      hvc(TN_HC_CHANNEL_NOTIFY, 999, 0, 0).x0, -EINVAL);
	check("channel-notify-id-wraps",
	      hvc(TN_HC_CHANNEL_NOTIFY, ~0ul, 0, 0).x0, -EINVAL);
	check_store_aborts("channel-reader-cannot-write-writer-page",
			   ipa + CHANNEL_WRITER_PAGE + CHANNEL_RESERVED);
	wr32(own, 0x7e57);
	check("channel-reader-writes-its-own-page", rd32(own), 0x7e57);
	wr32(own, 0);

	probe_begin();
	wr8(PLAT_GICD_BASE + GICD_IPRIORITYR + intid, PROBE_PRIORITY);
	wr32(PLAT_GICD_BASE + GICD_ISENABLER + 4 * (intid / 32),
	     1u << intid % 32);
	for (int s = 0; s < CHANNEL_WAIT_S && !taken; s++)
		taken = probe_window(1000000);
	wr32(PLAT_GICD_BASE + GICD_ICENABLER + 4 * (intid / 32),
	     1u << intid % 32);
	probe_end();
	check("doorbell-from-linux-raises-rt-spi",
	      taken ? (long)probe.last_irq : -1, (long)intid);
	check("channel-notify-rings-linux",
	      hvc(TN_HC_CHANNEL_NOTIFY, out, 0, 0).x0, 0);
	check("channel-notify-of-channel-read",
	      hvc(TN_HC_CHANNEL_NOTIFY, in, 0, 0).x0, 0);
}

int tn_main(int argc, char *argv[])
{
	unsigned long chan_in = 0, chan_spi = 0, chan_ipa = 0, chan_out = 0;
	bool chans = false;
	static const char hello[] = "hyptest: hello through the hypercall\n";
	unsigned long ram_end;
	long ram_mib = 0;
	bool direct = false;
	struct ret r;
	int opt;

	while ((opt = getopt(argc, argv, "m:c:D")) != -1) {
		char *end = optarg;

		if (opt == 'D') {
			direct = true;
		} else if (opt == 'm') {
			ram_mib = strtol(optarg, NULL, 0);
		} else if (opt == 'c') {
			chan_in = strtoul(end, &end, 0);
			chan_spi = *end == ',' ? strtoul(end + 1, &end, 0) : 0;
			chan_ipa = *end == ',' ? strtoul(end + 1, &end, 0) : 0;
			chan_out = *end == ',' ? strtoul(end + 1, &end, 0) : 0;
			chans = !*end && chan_spi && chan_ipa;
			if (!chans)
				ram_mib = 0;
		}
	}
	if (ram_mib <= 0) {
		fprintf(stderr,
			"usage: hyptest -m RAM_MIB [-c IN,SPI,IPA,OUT] [-D]\n");
		return 2;
	}
	ram_end = RAM_BASE + ((unsigned long)ram_mib << 20);

	check("version", hvc(TN_HC_VERSION, 0, 0, 0).x0, TN_HC_ABI_VERSION);
	r = hvc(TN_HC_PARTITION_INFO, 0, 0, 0);
	check("partition-info-result", r.x0, 0);
	check("partition-info-vcpus", r.x3, tn_cpu_count());
	check(
	    "console-write",
	    hvc(TN_HC_CONSOLE_WRITE, (unsigned long)hello, strlen(hello), 0).x0,
	    (long)strlen(hello));
	check("console-write-empty",
	      hvc(TN_HC_CONSOLE_WRITE, (unsigned long)hello, 0, 0).x0, -EINVAL);
	check("console-write-too-long",
	      hvc(TN_HC_CONSOLE_WRITE, (unsigned long)hello,
		  TN_HC_CONSOLE_MAX + 1, 0)
		  .x0,
	      -EINVAL);
	check("console-write-outside-ram",
	      hvc(TN_HC_CONSOLE_WRITE, 0x10000000ul, 16, 0).x0, -EFAULT);
	check("console-write-across-ram-end",
	      hvc(TN_HC_CONSOLE_WRITE, ram_end - 8, 16, 0).x0, -EFAULT);
	check("console-write-address-wraps",
	      hvc(TN_HC_CONSOLE_WRITE, ~0ul - 7, 16, 0).x0, -EFAULT);
	check("unknown-hypercall", hvc(TN_HC_BASE + 0x99, 1, 2, 3).x0, -ENOSYS);
	check("psci-version", hvc(PSCI_VERSION, 0, 0, 0).x0, 0x10000);
	check("psci-cpu-on-no-such-vcpu",
	      hvc(PSCI_CPU_ON, 7, (unsigned long)entry_never_run, 0).x0, -2);
	check("psci-cpu-on-other-cluster",
	      hvc(PSCI_CPU_ON, 0x100, (unsigned long)entry_never_run, 0).x0,
	      -2);
	check("psci-cpu-on-entry-outside-ram",
	      hvc(PSCI_CPU_ON, (unsigned long)tn_cpu_count() - 1, 0x1000, 0).x0,
	      -2);
	check("psci-cpu-on-self",
	      hvc(PSCI_CPU_ON, 0, (unsigned long)entry_never_run, 0).x0, -4);
	check("psci-affinity-info-self", hvc(PSCI_AFFINITY_INFO, 0, 0, 0).x0,
	      0);
	check("psci-affinity-info-bad-level",
	      hvc(PSCI_AFFINITY_INFO, 0, 3, 0).x0, -2);
	check("psci-unknown-function", hvc(0x8400001ful, 0, 0, 0).x0, -1);
	check("smccc-unknown-owner", hvc(0xc3000000ul, 0, 0, 0).x0, -1);
	health_monitor();
	mmio_access_sizes();
	sgi_states();
	if (direct)
		direct_delivery();
	physical_timer();
	stale_hardware_interrupts();
	pmu();
	if (chans)
		channels(chan_in, chan_spi, (uintptr_t)chan_ipa, chan_out);
	health_monitor_flood();
	printf("hyptest: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
