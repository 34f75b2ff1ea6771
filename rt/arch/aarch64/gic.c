/*
 * GICv3 driver: the distributor set up once, then on each CPU its
 * redistributor (found by affinity) and the system-register CPU interface;
 * the kernel's interrupt controller hooks. The core's own interrupts (SGI
 * 0 asks a CPU to reschedule, PPI 27 is the virtual timer) have a higher
 * priority than every device interrupt, so that the priority mask can hold
 * the devices off and never the core.
 */
#include "arch/aarch64/aarch64.h"
#include "plat/qemu-virt/platform.h"

#define GICD_CTLR 0x0000
#define GICD_CTLR_RWP (1u << 31)
#define GICD_CTLR_ARE (1u << 4)
#define GICD_CTLR_GRP1 (1u << 1)
#define GICD_TYPER 0x0004
#define GICD_IGROUPR 0x0080
#define GICD_ISENABLER 0x0100
#define GICD_ICENABLER 0x0180
#define GICD_ISPENDR 0x0200
#define GICD_IPRIORITYR 0x0400
#define GICD_IROUTER 0x6000

#define GICR_CTLR 0x0000
#define GICR_CTLR_RWP (1u << 3)

#define GICR_TYPER 0x0008
#define GICR_TYPER_LAST (1u << 4)
#define GICR_WAKER 0x0014
#define GICR_WAKER_SLEEP (1u << 1)
#define GICR_WAKER_ASLEEP (1u << 2)
#define GICR_SGI 0x10000 /* the SGI_base frame */
#define GICR_IGROUPR0 0x0080
#define GICR_ISENABLER0 0x0100
#define GICR_ICENABLER0 0x0180
#define GICR_ISPENDR0 0x0200
#define GICR_IPRIORITYR 0x0400

#define ICC_IAR1_EL1 S3_0_C12_C12_0
#define ICC_EOIR1_EL1 S3_0_C12_C12_1
#define ICC_SGI1R_EL1 S3_0_C12_C11_5
#define ICC_PMR_EL1 S3_0_C4_C6_0
#define ICC_BPR1_EL1 S3_0_C12_C12_3
#define ICC_CTLR_EL1 S3_0_C12_C12_4
#define ICC_SRE_EL1 S3_0_C12_C12_5
#define ICC_IGRPEN1_EL1 S3_0_C12_C12_7

#define SYSREG_READ(name) read_sysreg(name)
#define SYSREG_WRITE(name, v) write_sysreg(name, v)

/*
 * Priorities (lower is more urgent) and the two priority masks: an
 * interrupt is signalled only if its priority is below the mask.
 */
#define PRIO_CORE 0x80
#define PRIO_DEVICE 0xa0
#define PMR_OPEN 0xf0
#define PMR_DEVICES_MASKED PRIO_DEVICE

const unsigned int arch_timer_intid = PLAT_TIMER_PPI;
const unsigned int arch_ipi_intid = 0;

static uint64_t cpu_mpidr[TN_MAX_CPUS];
static uintptr_t cpu_rd[TN_MAX_CPUS]; /* each CPU's redistributor */
static unsigned int nr_intids = 32;

static void gicd_wait_rwp(void)
{
	while (mmio_read32(PLAT_GICD_BASE + GICD_CTLR) & GICD_CTLR_RWP)
		;
}

static void gicr_wait_rwp(uintptr_t rd)
{
	while (mmio_read32(rd + GICR_CTLR) & GICR_CTLR_RWP)
		;
}

void gic_init_global(void)
{
	uint32_t lines = mmio_read32(PLAT_GICD_BASE + GICD_TYPER) & 0x1f;

	nr_intids = 32 * (lines + 1);
	if (nr_intids > 1020)
		nr_intids = 1020;
	mmio_write32(PLAT_GICD_BASE + GICD_CTLR, 0);
	gicd_wait_rwp();
	/* No SPI comes before someone attaches a handler to it. */
	for (unsigned int i = 32; i < nr_intids; i += 32)
		mmio_write32(PLAT_GICD_BASE + GICD_ICENABLER + i / 8,
			     0xffffffffu);
	gicd_wait_rwp();
	mmio_write32(PLAT_GICD_BASE + GICD_CTLR, GICD_CTLR_ARE);
	gicd_wait_rwp();
	mmio_write32(PLAT_GICD_BASE + GICD_CTLR,
		     GICD_CTLR_ARE | GICD_CTLR_GRP1);
	gicd_wait_rwp();
}

void gic_set_cpu_affinity(int cpu, uint64_t mpidr)
{
	cpu_mpidr[cpu] = mpidr & 0xff00fffffful;
}

/* The redistributor whose affinity is this CPU's, or 0. */
static uintptr_t find_redistributor(uint64_t mpidr)
{
	uint32_t aff =
	    (uint32_t)((mpidr & 0xffffff) | ((mpidr >> 32 & 0xff) << 24));

	for (uintptr_t rd = PLAT_GICR_BASE;; rd += PLAT_GICR_STRIDE) {
		uint64_t typer = mmio_read64(rd + GICR_TYPER);

		if ((uint32_t)(typer >> 32) == aff)
			return rd;
		if (typer & GICR_TYPER_LAST)
			return 0;
	}
}

void gic_init_cpu(int cpu)
{
	uintptr_t rd = find_redistributor(read_sysreg(mpidr_el1));
	uintptr_t sgi;

	if (!rd)
		arch_panic("no GIC redistributor for this CPU");
	cpu_rd[cpu] = rd;
	sgi = rd + GICR_SGI;
	mmio_write32(rd + GICR_WAKER,
		     mmio_read32(rd + GICR_WAKER) & ~GICR_WAKER_SLEEP);
	while (mmio_read32(rd + GICR_WAKER) & GICR_WAKER_ASLEEP)
		;
	mmio_write32(sgi + GICR_IGROUPR0, 0xffffffffu);
	mmio_write32(sgi + GICR_ICENABLER0, 0xffffffffu);
	gicr_wait_rwp(rd);
	for (unsigned int i = 0; i < 32; i += 4) {
		uint32_t word = PRIO_DEVICE * 0x01010101u;

		for (unsigned int b = 0; b < 4; b++)
			if (i + b == arch_ipi_intid ||
			    i + b == arch_timer_intid)
				word = (word & ~(0xffu << 8 * b)) |
				       PRIO_CORE << 8 * b;
		mmio_write32(sgi + GICR_IPRIORITYR + i, word);
	}
	mmio_write32(sgi + GICR_ISENABLER0,
		     (1u << arch_ipi_intid) | (1u << arch_timer_intid));

	SYSREG_WRITE(ICC_SRE_EL1, SYSREG_READ(ICC_SRE_EL1) | 1);
	isb();
	SYSREG_WRITE(ICC_PMR_EL1, PMR_OPEN);
	SYSREG_WRITE(ICC_BPR1_EL1, 0);
	SYSREG_WRITE(ICC_CTLR_EL1, 0);
	SYSREG_WRITE(ICC_IGRPEN1_EL1, 1);
	isb();
}

uint32_t gic_ack(void)
{
	uint32_t intid = (uint32_t)SYSREG_READ(ICC_IAR1_EL1) & 0xffffff;

	dsb(sy);
	return intid;
}

void gic_eoi(uint32_t intid)
{
	SYSREG_WRITE(ICC_EOIR1_EL1, intid);
	isb();
}

void gic_send_sgi(int cpu, unsigned int sgi)
{
	uint64_t mpidr = cpu_mpidr[cpu];
	uint64_t v = (1ul << (mpidr & 0xf)) | ((mpidr >> 8 & 0xff) << 16) |
		     ((uint64_t)sgi << 24) | ((mpidr >> 16 & 0xff) << 32) |
		     ((mpidr >> 32 & 0xff) << 48);

	/* The state the target will read must be visible before it wakes. */
	dsb(ishst);
	SYSREG_WRITE(ICC_SGI1R_EL1, v);
	isb();
}

unsigned int arch_irq_count(void)
{
	return nr_intids;
}

void arch_irq_route(unsigned int intid, int cpu)
{
	uintptr_t word = (uintptr_t)(intid / 4) * 4;
	unsigned int shift = 8 * (intid % 4);
	uint64_t mpidr = cpu_mpidr[cpu];
	uint32_t prio;

	if (intid < 32) {
		/* Private: the CPU's own redistributor holds it. */
		uintptr_t sgi = cpu_rd[cpu] + GICR_SGI;

		prio = mmio_read32(sgi + GICR_IPRIORITYR + word);
		prio = (prio & ~(0xffu << shift)) | PRIO_DEVICE << shift;
		mmio_write32(sgi + GICR_IPRIORITYR + word, prio);
		return;
	}
	/* Read-modify-write of words shared with others: the kernel lock. */
	mmio_write32(
	    PLAT_GICD_BASE + GICD_IGROUPR + intid / 32 * 4,
	    mmio_read32(PLAT_GICD_BASE + GICD_IGROUPR + intid / 32 * 4) |
		1u << intid % 32);
	prio = mmio_read32(PLAT_GICD_BASE + GICD_IPRIORITYR + word);
	prio = (prio & ~(0xffu << shift)) | PRIO_DEVICE << shift;
	mmio_write32(PLAT_GICD_BASE + GICD_IPRIORITYR + word, prio);
	mmio_write64(PLAT_GICD_BASE + GICD_IROUTER + (uintptr_t)intid * 8,
		     (mpidr & 0xffffff) | (mpidr >> 32 & 0xff) << 32);
}

void arch_irq_mask(unsigned int intid, int cpu)
{
	if (intid < 32) {
		mmio_write32(cpu_rd[cpu] + GICR_SGI + GICR_ICENABLER0,
			     1u << intid);
		gicr_wait_rwp(cpu_rd[cpu]);
	} else {
		mmio_write32(PLAT_GICD_BASE + GICD_ICENABLER + intid / 32 * 4,
			     1u << intid % 32);
		gicd_wait_rwp();
	}
}

void arch_irq_unmask(unsigned int intid, int cpu)
{
	/* What the handler did to its device must be seen first. */
	dsb(sy);
	if (intid < 32)
		mmio_write32(cpu_rd[cpu] + GICR_SGI + GICR_ISENABLER0,
			     1u << intid);
	else
		mmio_write32(PLAT_GICD_BASE + GICD_ISENABLER + intid / 32 * 4,
			     1u << intid % 32);
}

void arch_irq_raise(unsigned int intid, int cpu)
{
	if (intid < 16)
		gic_send_sgi(cpu, intid);
	else if (intid < 32)
		mmio_write32(cpu_rd[cpu] + GICR_SGI + GICR_ISPENDR0,
			     1u << intid);
	else
		mmio_write32(PLAT_GICD_BASE + GICD_ISPENDR + intid / 32 * 4,
			     1u << intid % 32);
}

void arch_irq_mask_devices(bool masked)
{
	SYSREG_WRITE(ICC_PMR_EL1, masked ? PMR_DEVICES_MASKED : PMR_OPEN);
	/* Unmasking: let the redistributor see it and signal what waits. */
	if (!masked)
		dsb(sy);
	isb();
}
