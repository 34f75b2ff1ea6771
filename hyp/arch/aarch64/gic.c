/*
 * The physical GICv3 as the hypervisor drives it. On a CPU of a partition
 * with the virtual GIC every interrupt comes to EL2 (HCR_EL2.IMO); the
 * hypervisor acknowledges it, and for the guest's own devices (its
 * timers, its PMU, devices passed through) only drops its priority,
 * leaving the deactivation to the guest through a hardware-linked list
 * register (EOImode 1). On a CPU of a partition with direct delivery
 * (direct.c) group 1 is the guest's, taken at EL1 with no exit.
 *
 * The hypervisor's own interrupts (SGI 15, its "look at your vCPU" kick
 * between CPUs; its EL2 timer; the UART's) are group 0 wherever the GIC
 * has one security state (GICD_CTLR.DS): they come as FIQs, which
 * HCR_EL2.FMO takes to EL2 on every CPU, at a priority above any a guest
 * can give its own, so that no guest holds them off. A GIC with two
 * security states keeps group 0 for the secure side: there they are group
 * 1, and direct delivery is not available (direct.c falls back).
 */
#include "hyp.h"
#include "plat/qemu-virt/platform.h"

#define GICD_CTLR 0x0000
#define GICD_IGROUPR 0x0080
#define GICD_ISENABLER 0x0100
#define GICD_ISPENDR 0x0200
#define GICD_ICACTIVER 0x0380
#define GICD_IPRIORITYR 0x0400
#define GICD_IROUTER 0x6000
#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014
#define GICR_SGI 0x10000
#define GICR_IGROUPR0 0x0080
#define GICR_ISENABLER0 0x0100
#define GICR_IPRIORITYR 0x0400

#define GICD_CTLR_DS (1u << 6)
#define GICD_CTLR_ARE (1u << 4)
#define GICD_CTLR_GRP1 (1u << 1)
#define GICD_CTLR_GRP0 (1u << 0)

static uint64_t cpu_mpidr[HYP_MAX_CPUS];
/* Each CPU's kick, as ICC_SGI0R/1R_EL1 take it: set once it is up. */
static uint64_t cpu_kick[HYP_MAX_CPUS];
static uintptr_t cpu_redistributor[HYP_MAX_CPUS];
static int nr_lrs;
bool gic_group0;

/* ICC_SGI1R_EL1's (and ICC_SGI0R_EL1's) value: intid to CPU pcpu. */
static uint64_t sgi_value(int pcpu, uint32_t intid)
{
	uint64_t m = cpu_mpidr[pcpu];

	return (1ul << (m & 0xf)) | ((m >> 8 & 0xff) << 16) |
	       ((uint64_t)intid << 24) | ((m >> 16 & 0xff) << 32) |
	       ((m >> 32 & 0xff) << 48);
}

static void gicd_wait(void)
{
	while (mmio_read32(PLAT_GICD_BASE + GICD_CTLR) & (1u << 31))
		;
}

void gic_init_global(void)
{
	mmio_write32(PLAT_GICD_BASE + GICD_CTLR, 0);
	gicd_wait();
	gic_group0 = mmio_read32(PLAT_GICD_BASE + GICD_CTLR) & GICD_CTLR_DS;
	mmio_write32(PLAT_GICD_BASE + GICD_CTLR,
		     GICD_CTLR_ARE | GICD_CTLR_GRP1 |
			 (gic_group0 ? GICD_CTLR_GRP0 : 0));
	gicd_wait();
}

uint64_t gic_cpu_mpidr(int pcpu)
{
	return cpu_mpidr[pcpu];
}

uintptr_t gic_cpu_redistributor(int pcpu)
{
	return cpu_redistributor[pcpu];
}

static uintptr_t redistributor(uint64_t mpidr)
{
	uint32_t aff =
	    (uint32_t)((mpidr & 0xffffff) | ((mpidr >> 32 & 0xff) << 24));

	for (uintptr_t rd = PLAT_GICR_BASE;; rd += PLAT_GICR_STRIDE) {
		uint64_t typer = mmio_read64(rd + GICR_TYPER);

		if ((uint32_t)(typer >> 32) == aff)
			return rd;
		if (typer & (1u << 4))
			hyp_panic("no GIC redistributor for MPIDR %#lx",
				  (unsigned long)mpidr);
	}
}

/* The hypervisor's own private interrupts, on every CPU. */
uint32_t gic_hyp_private(void)
{
	return 1u << SGI_KICK | 1u << PLAT_PPI_HYPTIMER |
	       1u << PLAT_PPI_MAINTENANCE;
}

void gic_init_cpu(int cpu, bool direct)
{
	uint64_t mpidr = read_sysreg(mpidr_el1);
	uintptr_t rd = redistributor(mpidr), sgi = rd + GICR_SGI;
	uint32_t own = 1u << SGI_KICK | 1u << PLAT_PPI_HYPTIMER;

	cpu_mpidr[cpu] = mpidr & 0xff00ffffffull;
	cpu_redistributor[cpu] = rd;
	cpu_kick[cpu] = sgi_value(cpu, SGI_KICK);
	mmio_write32(rd + GICR_WAKER, mmio_read32(rd + GICR_WAKER) & ~2u);
	while (mmio_read32(rd + GICR_WAKER) & 4u)
		;
	mmio_write32(sgi + 0x0180, 0xffffffffu); /* GICR_ICENABLER0 */
	while (mmio_read32(rd) & (1u << 3))	 /* GICR_CTLR.RWP */
		;
	mmio_write32(sgi + GICR_IGROUPR0, gic_group0 ? ~own : 0xffffffffu);
	for (int i = 0; i < 32; i += 4)
		mmio_write32(sgi + GICR_IPRIORITYR + (uintptr_t)i,
			     direct ? GIC_DIRECT_RESET_PRIORITY * 0x01010101u
				    : 0xa0a0a0a0u);
	for (uint32_t i = 0; i < 32; i++)
		if (own >> i & 1)
			*(volatile uint8_t *)(sgi + GICR_IPRIORITYR + i) =
			    GIC_HYP_PRIORITY;
	/* A direct CPU's guest enables its own, through direct.c. */
	mmio_write32(
	    sgi + GICR_ISENABLER0,
	    own | (direct ? 0
			  : 1u << PLAT_PPI_MAINTENANCE | 1u << PLAT_PPI_VTIMER |
				1u << PLAT_PPI_PTIMER | 1u << PLAT_PPI_PMU));

	/* The CPU interface, and the virtual one the guest will use. */
	write_sysreg(S3_4_C12_C9_5, 0xf); /* ICC_SRE_EL2: SRE, Enable */
	isb();
	/* EOImode 1, but EOImode 0 as a direct guest finds it at reset. */
	write_sysreg(S3_0_C12_C12_4, direct ? 0 : 2); /* ICC_CTLR_EL1 */
	write_sysreg(S3_0_C4_C6_0, 0xff);	      /* ICC_PMR_EL1 */
	write_sysreg(S3_0_C12_C8_3, 0);		      /* ICC_BPR0_EL1 */
	write_sysreg(S3_0_C12_C12_3, 0);	      /* ICC_BPR1_EL1 */
	if (gic_group0)
		write_sysreg(S3_0_C12_C12_6, 1); /* ICC_IGRPEN0_EL1 */
	write_sysreg(S3_0_C12_C12_7, 1);	 /* ICC_IGRPEN1_EL1 */
	/*
	 * A direct CPU: no list register in use (En clear), and TC, so that
	 * the guest's accesses to the registers both groups share (PMR,
	 * CTLR, DIR, RPR, the SGI registers) trap, and direct.c keeps them
	 * to the guest's own interrupts and priorities.
	 */
	write_sysreg(S3_4_C12_C11_0, direct ? ICH_HCR_TC : 1); /* ICH_HCR_EL2 */
	write_sysreg(S3_4_C12_C11_7, 0); /* ICH_VMCR_EL2 */
	isb();
	direct_init_cpu();
	nr_lrs = (int)(read_sysreg(S3_4_C12_C11_1) & 0x1f) + 1; /* ICH_VTR */
	if (nr_lrs > 16)
		nr_lrs = 16;
	for (int i = 0; i < nr_lrs; i++)
		gic_write_lr(i, 0);
}

static struct spinlock gicd_lock; /* read-modify-writes of shared words */

/* Sets the group of SPI intid: 1 the guests', 0 the hypervisor's. */
void gic_set_spi_group(uint32_t intid, bool group1)
{
	uintptr_t r = PLAT_GICD_BASE + GICD_IGROUPR + intid / 32 * 4;

	spin_lock(&gicd_lock);
	if (group1)
		mmio_write32(r, mmio_read32(r) | 1u << (intid % 32));
	else
		mmio_write32(r, mmio_read32(r) & ~(1u << (intid % 32)));
	spin_unlock(&gicd_lock);
}

/* Sets SPI intid edge-triggered (true) or level-sensitive. */
void gic_set_spi_edge(uint32_t intid, bool edge)
{
	uintptr_t r = PLAT_GICD_BASE + 0x0c00 + intid / 16 * 4;
	uint32_t bit = 2u << (intid % 16 * 2);

	spin_lock(&gicd_lock);
	mmio_write32(r, edge ? mmio_read32(r) | bit : mmio_read32(r) & ~bit);
	spin_unlock(&gicd_lock);
}

void gic_enable_hyp_spi(uint32_t intid, int pcpu)
{
	uintptr_t d = PLAT_GICD_BASE;

	gic_set_spi_group(intid, !gic_group0);
	*(volatile uint8_t *)(d + GICD_IPRIORITYR + intid) = GIC_HYP_PRIORITY;
	mmio_write64(d + GICD_IROUTER + intid * 8, cpu_mpidr[pcpu]);
	mmio_write32(d + GICD_ISENABLER + intid / 32 * 4, 1u << (intid % 32));
}

void gic_enable_spi(uint32_t intid, int pcpu)
{
	uintptr_t d = PLAT_GICD_BASE;

	gic_set_spi_group(intid, true);
	*(volatile uint8_t *)(d + GICD_IPRIORITYR + intid) = 0xa0;
	mmio_write64(d + GICD_IROUTER + intid * 8, cpu_mpidr[pcpu]);
	mmio_write32(d + GICD_ISENABLER + intid / 32 * 4, 1u << (intid % 32));
}

void gic_route_spi(uint32_t intid, int pcpu)
{
	mmio_write64(PLAT_GICD_BASE + GICD_IROUTER + intid * 8,
		     cpu_mpidr[pcpu]);
}

/* Ends a private interrupt of cpu left active by a guest gone. */
void gic_deactivate_ppi(int cpu, uint32_t intid)
{
	mmio_write32(cpu_redistributor[cpu] + GICR_SGI + 0x0380, 1u << intid);
}

/*
 * Whether intid (a PPI of cpu, or an SPI) is pending at the GIC: for a
 * level-sensitive one, whether its line is high, acknowledged or not.
 */
bool gic_line_pending(uint32_t intid, int cpu)
{
	if (intid < 32)
		return mmio_read32(cpu_redistributor[cpu] + GICR_SGI +
				   GICD_ISPENDR) >>
			   intid &
		       1;
	return mmio_read32(PLAT_GICD_BASE + GICD_ISPENDR + intid / 32 * 4) >>
		   (intid % 32) &
	       1;
}

/* Ends an SPI left active by a guest that will not end it any more. */
void gic_deactivate_spi(uint32_t intid)
{
	mmio_write32(PLAT_GICD_BASE + GICD_ICACTIVER + intid / 32 * 4,
		     1u << (intid % 32));
}

uint32_t gic_ack(void)
{
	uint32_t intid = (uint32_t)read_sysreg(S3_0_C12_C12_0) & 0xffffff;

	dsb(sy);
	return intid;
}

void gic_eoi(uint32_t intid, bool deactivate)
{
	write_sysreg(S3_0_C12_C12_1, intid); /* ICC_EOIR1_EL1: drop */
	if (deactivate)
		write_sysreg(S3_0_C12_C11_1, intid); /* ICC_DIR_EL1 */
	isb();
}

/* The hypervisor's own interrupts, group 0: acknowledged and ended. */
uint32_t gic_ack0(void)
{
	uint32_t intid = (uint32_t)read_sysreg(S3_0_C12_C8_0) & 0xffffff;

	dsb(sy);
	return intid;
}

void gic_eoi0(uint32_t intid)
{
	write_sysreg(S3_0_C12_C8_1, intid); /* ICC_EOIR0_EL1 */
	/* EOImode is a direct guest's choice on its CPUs (direct.c). */
	if (read_sysreg(S3_0_C12_C12_4) & 2)
		write_sysreg(S3_0_C12_C11_1, intid); /* ICC_DIR_EL1 */
	isb();
}

void gic_send_sgi(int pcpu, uint32_t intid)
{
	dsb(ishst);
	write_sysreg(S3_0_C12_C11_5, sgi_value(pcpu, intid));
	isb();
}

void gic_kick(int pcpu)
{
	dsb(ishst);
	if (gic_group0)
		write_sysreg(S3_0_C12_C11_7, cpu_kick[pcpu]);
	else
		write_sysreg(S3_0_C12_C11_5, cpu_kick[pcpu]);
	isb();
}

int gic_nr_lrs(void)
{
	return nr_lrs;
}

#define LR_CASE(n, crm, op2)                                     \
	case n:                                                  \
		if (write)                                       \
			write_sysreg(S3_4_C12_##crm##_##op2, v); \
		else                                             \
			v = read_sysreg(S3_4_C12_##crm##_##op2); \
		break

static uint64_t lr_access(int n, bool write, uint64_t v)
{
	switch (n) {
		LR_CASE(0, C12, 0);
		LR_CASE(1, C12, 1);
		LR_CASE(2, C12, 2);
		LR_CASE(3, C12, 3);
		LR_CASE(4, C12, 4);
		LR_CASE(5, C12, 5);
		LR_CASE(6, C12, 6);
		LR_CASE(7, C12, 7);
		LR_CASE(8, C13, 0);
		LR_CASE(9, C13, 1);
		LR_CASE(10, C13, 2);
		LR_CASE(11, C13, 3);
		LR_CASE(12, C13, 4);
		LR_CASE(13, C13, 5);
		LR_CASE(14, C13, 6);
		LR_CASE(15, C13, 7);
	}
	return v;
}

uint64_t gic_read_lr(int n)
{
	return lr_access(n, false, 0);
}

void gic_write_lr(int n, uint64_t v)
{
	lr_access(n, true, v);
}
