/*
 * GICv3 driver: the distributor set up once, then on each CPU its
 * redistributor (found by affinity) and the system-register CPU interface.
 * Only private interrupts are used: SGI 0 asks a CPU to reschedule, PPI 27
 * is the virtual timer.
 */
#include "arch/aarch64/aarch64.h"
#include "plat/qemu-virt/platform.h"

#define GICD_CTLR 0x0000
#define GICD_CTLR_RWP (1u << 31)
#define GICD_CTLR_ARE (1u << 4)
#define GICD_CTLR_GRP1 (1u << 1)

#define GICR_TYPER 0x0008
#define GICR_TYPER_LAST (1u << 4)
#define GICR_WAKER 0x0014
#define GICR_WAKER_SLEEP (1u << 1)
#define GICR_WAKER_ASLEEP (1u << 2)
#define GICR_SGI 0x10000 /* the SGI_base frame */
#define GICR_IGROUPR0 0x0080
#define GICR_ISENABLER0 0x0100
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

static uint64_t cpu_mpidr[TN_MAX_CPUS];

static void gicd_wait_rwp(void)
{
	while (mmio_read32(PLAT_GICD_BASE + GICD_CTLR) & GICD_CTLR_RWP)
		;
}

void gic_init_global(void)
{
	mmio_write32(PLAT_GICD_BASE + GICD_CTLR, 0);
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

	(void)cpu;
	if (!rd)
		arch_panic("no GIC redistributor for this CPU");
	sgi = rd + GICR_SGI;
	mmio_write32(rd + GICR_WAKER,
		     mmio_read32(rd + GICR_WAKER) & ~GICR_WAKER_SLEEP);
	while (mmio_read32(rd + GICR_WAKER) & GICR_WAKER_ASLEEP)
		;
	mmio_write32(sgi + GICR_IGROUPR0, 0xffffffffu);
	for (int i = 0; i < 32; i += 4)
		mmio_write32(sgi + GICR_IPRIORITYR + (uintptr_t)i, 0xa0a0a0a0u);
	mmio_write32(sgi + GICR_ISENABLER0, (1u << 0) | (1u << PLAT_TIMER_PPI));

	SYSREG_WRITE(ICC_SRE_EL1, SYSREG_READ(ICC_SRE_EL1) | 1);
	isb();
	SYSREG_WRITE(ICC_PMR_EL1, 0xf0);
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
