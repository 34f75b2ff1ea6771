/*
 * Direct interrupt delivery (docs/hypervisor.md): a partition whose CPUs
 * take their own interrupts at EL1, from the physical CPU interface, with
 * no exit. HCR_EL2.IMO is clear on its CPUs, so group 1 is signalled to
 * EL1; FMO stays set, and the hypervisor's own interrupts there (its kick,
 * its EL2 timer) are group 0 at a priority above any the guest can give
 * its own (gic.c): they still come to EL2, whatever the guest masks.
 *
 * What the guest reaches without an exit is the CPU interface's group 1
 * registers: acknowledge, end, its binary point, its group enable, its
 * active priorities. Everything shared with the hypervisor or another
 * partition is emulated here:
 *   - the distributor and its redistributors (stage 2 leaves them
 *     unmapped): only the partition's own interrupts (its vCPUs' SGIs
 *     and PPIs but the hypervisor's, its devices' SPIs, its doorbells and
 *     its health monitor's SPI) are reachable, each kept in group 1,
 *     routed only to the partition's CPUs, its priority folded into the
 *     lower half of the priority range;
 *   - the registers both groups share (ICH_HCR_EL2.TC traps them): the
 *     SGI registers, which only reach the partition's own CPUs; the
 *     priority mask and running priority, folded the same way; the
 *     control register, whose EOImode the guest chooses; the deactivation
 *     register, for its own interrupts only.
 *
 * The guest sees one priority bit fewer than the GIC has (the top one is
 * the hypervisor's): its priority p is physical 0x80 | p >> 1, so that the
 * order of its priorities and its mask is kept exactly. Its interrupts'
 * enables are as it writes them, ANDed with its distributor's group 1
 * enable. A doorbell or a health notification is an edge on a physical
 * SPI no device drives, set pending by the CPU that rings it.
 *
 * Needs a GIC with one security state (GICD_CTLR.DS): with two, group 0 is
 * the secure side's, the hypervisor would have nothing left to take its
 * CPUs back with, and the partition gets the virtual GIC instead.
 */
#include "hyp.h"
#include "plat/qemu-virt/platform.h"

#define GICD_ISENABLER 0x0100
#define GICD_ICENABLER 0x0180
#define GICD_ISPENDR 0x0200
#define GICD_ICPENDR 0x0280
#define GICD_ISACTIVER 0x0300
#define GICD_ICACTIVER 0x0380
#define GICD_IPRIORITYR 0x0400
#define GICD_IROUTER 0x6000
#define GICR_SGI 0x10000
#define PIDR2_GICV3 0x3b
#define IIDR_TENON 0x0000043b

#define ICC_PMR_EL1 S3_0_C4_C6_0
#define ICC_CTLR_EL1 S3_0_C12_C12_4
#define ICC_DIR_EL1 S3_0_C12_C11_1
#define ICC_RPR_EL1 S3_0_C12_C11_3
#define ICC_BPR1_EL1 S3_0_C12_C12_3
#define ICC_IGRPEN1_EL1 S3_0_C12_C12_7
#define CTLR_EOIMODE 2u

/*
 * The priority bits the guest has: the GIC's less the top one. Read on
 * each CPU once its system registers are on (ICC_SRE_EL2.SRE, which EL2
 * needs before it reads ICC_CTLR_EL1), before any guest runs.
 */
static uint8_t guest_mask;

void direct_init_cpu(void)
{
	/* ICC_CTLR_EL1.PRIbits: the GIC's priority bits, less one. */
	unsigned int bits =
	    (unsigned int)(read_sysreg(ICC_CTLR_EL1) >> 8 & 7) + 1;

	guest_mask = (uint8_t)(0xff00u >> (bits - 1));
}

static uint8_t to_physical(uint8_t prio)
{
	return (uint8_t)(0x80 | (prio & guest_mask) >> 1);
}

/* The SPIs 32..63 p owns, as a mask of bit (intid - 32). */
static uint32_t owned_spis(const struct partition *p)
{
	return p->direct_spis;
}

/* The private INTIDs of p's vCPUs that are the guest's: all but ours. */
static uint32_t owned_private(void)
{
	return ~gic_hyp_private();
}

static bool owns(const struct partition *p, uint32_t intid)
{
	if (intid < 32)
		return owned_private() >> intid & 1;
	return intid < VGIC_NR_IRQS && owned_spis(p) >> (intid - 32) & 1;
}

static void own(struct partition *p, uint32_t intid, bool edge)
{
	if (intid < 32 || intid >= VGIC_NR_IRQS)
		return;
	p->direct_spis |= 1u << (intid - 32);
	gic_set_spi_group(intid, true);
	if (edge)
		gic_set_spi_edge(intid, true);
}

void direct_init_partition(struct partition *p)
{
	const struct tn_cfg_partition *c = p->cfg;

	if (c->irq_delivery != TN_CFG_IRQ_DIRECT)
		return;
	if (!gic_group0) {
		hyp_log("partition %s: direct interrupt delivery needs a GIC "
			"with one security state (GICD_CTLR.DS): it gets the "
			"virtual GIC",
			c->name);
		return;
	}
	p->direct = true;
	/* Its devices' lines are as they are wired; doorbells are edges. */
	for (uint32_t d = 0; d < c->ndevices; d++)
		own(p, c->devices[d].irq, false);
	for (uint32_t i = 0; i < tn_sysconfig.nchannels; i++) {
		const struct tn_cfg_channel *ch = &tn_sysconfig.channels[i];

		for (uint32_t e = 0; e < ch->nends; e++)
			if (ch->ends[e].partition == (uint32_t)p->index)
				own(p, ch->ends[e].intid, true);
	}
	own(p, tn_sysconfig.platform.hm_intid, true);
	/*
	 * The channels' SPIs no channel has (no device drives them) are the
	 * first direct partition's, for interrupts it raises itself.
	 */
	for (uint32_t i = 0; i < (uint32_t)p->index; i++)
		if (tn_sysconfig.partitions[i].irq_delivery ==
		    TN_CFG_IRQ_DIRECT)
			return;
	for (uint32_t n = tn_sysconfig.nchannels;
	     n < tn_sysconfig.platform.chan_intids; n++)
		own(p, tn_sysconfig.platform.chan_intid_base + n, true);
}

static uintptr_t sgi_frame(const struct vcpu *t)
{
	return gic_cpu_redistributor(t->pcpu) + GICR_SGI;
}

/* The physical enable of an interrupt: the guest's, and its group's. */
static bool live(const struct partition *p, const struct virq *q)
{
	return q->enabled && (p->gicd_ctlr & 2);
}

static void apply_private(struct vcpu *t, uint32_t intid)
{
	uintptr_t sgi = sgi_frame(t);
	bool on = live(t->part, &t->priv[intid]);

	mmio_write32(sgi + (on ? GICD_ISENABLER : GICD_ICENABLER), 1u << intid);
}

/* The CPU an SPI of p goes to: its router's vCPU (vCPU 0 if none). */
static int spi_cpu(const struct partition *p, const struct virq *q)
{
	return p->vcpus[q->target < p->cfg->ncpus ? q->target : 0]->pcpu;
}

static void apply_spi(struct partition *p, uint32_t intid)
{
	struct virq *q = &p->spi[intid - 32];
	uintptr_t word = intid / 32 * 4, bit = 1u << (intid % 32);

	if (live(p, q)) {
		mmio_write64(PLAT_GICD_BASE + GICD_IROUTER + intid * 8,
			     gic_cpu_mpidr(spi_cpu(p, q)));
		mmio_write32(PLAT_GICD_BASE + GICD_ISENABLER + word,
			     (uint32_t)bit);
	} else {
		mmio_write32(PLAT_GICD_BASE + GICD_ICENABLER + word,
			     (uint32_t)bit);
	}
}

/* Every enable of p again: its distributor's group enable changed. */
static void apply_all(struct partition *p)
{
	for (uint32_t i = 0; i < p->cfg->ncpus; i++)
		for (uint32_t intid = 0; intid < 32; intid++)
			if (owns(p, intid))
				apply_private(p->vcpus[i], intid);
	for (uint32_t intid = 32; intid < VGIC_NR_IRQS; intid++)
		if (owns(p, intid))
			apply_spi(p, intid);
}

void direct_reset(struct partition *p)
{
	uint32_t spis = owned_spis(p);

	p->gicd_ctlr = 0;
	for (uint32_t i = 0; i < p->cfg->ncpus; i++) {
		struct vcpu *t = p->vcpus[i];
		uintptr_t sgi = sgi_frame(t);

		if (!gic_cpu_redistributor(t->pcpu))
			continue; /* at boot, before its CPU is up: gic.c */
		mmio_write32(sgi + GICD_ICENABLER, owned_private());
		mmio_write32(sgi + GICD_ICPENDR, owned_private());
		mmio_write32(sgi + GICD_ICACTIVER, owned_private());
		for (uint32_t intid = 0; intid < 32; intid++) {
			t->priv[intid].priority = 0;
			t->priv[intid].enabled = false;
			if (owns(p, intid))
				*(volatile uint8_t *)(sgi + GICD_IPRIORITYR +
						      intid) =
				    GIC_DIRECT_RESET_PRIORITY;
		}
	}
	for (uint32_t intid = 32; intid < VGIC_NR_IRQS; intid++) {
		struct virq *q = &p->spi[intid - 32];
		uintptr_t word = intid / 32 * 4, bit = 1u << (intid % 32);

		if (!(spis >> (intid - 32) & 1))
			continue;
		mmio_write32(PLAT_GICD_BASE + GICD_ICENABLER + word,
			     (uint32_t)bit);
		mmio_write32(PLAT_GICD_BASE + GICD_ICPENDR + word,
			     (uint32_t)bit);
		mmio_write32(PLAT_GICD_BASE + GICD_ICACTIVER + word,
			     (uint32_t)bit);
		*(volatile uint8_t *)(PLAT_GICD_BASE + GICD_IPRIORITYR +
				      intid) = GIC_DIRECT_RESET_PRIORITY;
		q->priority = 0;
		q->enabled = false;
		q->router = 0;
		q->target = 0;
	}
}

/*
 * This CPU's interface as out of reset, for v coming or going: nothing
 * active (an interrupt its last incarnation took and never ended would
 * hold off every one below it), group 1 off, the mask closed.
 */
void direct_clear_cpu(struct vcpu *v)
{
	unsigned int bits =
	    (unsigned int)(read_sysreg(ICC_CTLR_EL1) >> 8 & 7) + 1;

	write_sysreg(ICC_IGRPEN1_EL1, 0);
	isb();
	/* ICC_AP1R<n>_EL1: as many as the priority bits need (5: one). */
	write_sysreg(S3_0_C12_C9_0, 0);
	if (bits >= 6)
		write_sysreg(S3_0_C12_C9_1, 0);
	if (bits >= 7) {
		write_sysreg(S3_0_C12_C9_2, 0);
		write_sysreg(S3_0_C12_C9_3, 0);
	}
	write_sysreg(ICC_PMR_EL1, GIC_DIRECT_RESET_PRIORITY);
	write_sysreg(ICC_CTLR_EL1, 0);
	write_sysreg(ICC_BPR1_EL1, 0);
	isb();
	v->direct_pmr = 0;
}

void direct_raise(struct partition *p, uint32_t intid)
{
	if (!owns(p, intid) || intid < 32)
		return;
	/* What the ringer wrote must be seen before the interrupt is. */
	dsb(ishst);
	mmio_write32(PLAT_GICD_BASE + GICD_ISPENDR + intid / 32 * 4,
		     1u << (intid % 32));
}

/* ---- The emulated distributor and redistributors ---- */

/*
 * A bit register (IGROUPR .. ICACTIVER, one each 0x80 from 0x080) for 32
 * interrupts from first: t's private ones (first 0) or SPIs. Pending and
 * active state is the physical one; the rest the guest's.
 */
static void bits(struct vcpu *t, uint32_t first, enum bitreg what, bool write,
		 uint64_t *value)
{
	struct partition *p = t->part;
	uint32_t mask = first ? owned_spis(p) : owned_private();
	uintptr_t base = first ? PLAT_GICD_BASE + 4 : sgi_frame(t);
	uint32_t in = write ? (uint32_t)*value & mask : 0, out = 0;

	for (uint32_t i = 0; i < 32; i++) {
		struct virq *q = first ? &p->spi[i] : &t->priv[i];

		if (!(mask >> i & 1))
			continue;
		if (what == GROUP) {
			out |= 1u << i; /* group 1, and only group 1 */
		} else if (what == SET_ENABLE || what == CLEAR_ENABLE) {
			if (write && in >> i & 1) {
				q->enabled = what == SET_ENABLE;
				if (first)
					apply_spi(p, first + i);
				else
					apply_private(t, i);
			}
			out |= (uint32_t)q->enabled << i;
		}
	}
	if (what == GROUP || what == SET_ENABLE || what == CLEAR_ENABLE) {
		if (!write)
			*value = out;
		return;
	}
	/* ISPENDR 0x200 .. ICACTIVER 0x380: the physical registers. */
	uintptr_t reg = base + 0x080 * (uintptr_t)(what + 1);

	if (write) {
		if (in)
			mmio_write32(reg, in);
	} else {
		*value = mmio_read32(reg) & mask;
	}
}

static bool bit_register(struct vcpu *t, uint64_t off, uint32_t first,
			 bool write, uint64_t *value)
{
	if (off < 0x080 || off >= 0x400 || off % 0x80)
		return false;
	bits(t, first, (enum bitreg)(off / 0x80 - 1), write, value);
	return true;
}

/* IPRIORITYR bytes first.. (size of them), of t's or p's interrupts. */
static uint64_t priorities(struct vcpu *t, uint32_t first, int size, bool write,
			   uint64_t value)
{
	struct partition *p = t->part;
	uint64_t out = 0;

	for (int b = 0; b < size; b++) {
		uint32_t intid = first + (uint32_t)b;
		struct virq *q;
		uintptr_t reg;

		if (!owns(p, intid))
			continue;
		q = intid < 32 ? &t->priv[intid] : &p->spi[intid - 32];
		reg = (intid < 32 ? sgi_frame(t) : PLAT_GICD_BASE) +
		      GICD_IPRIORITYR + intid;
		if (write) {
			q->priority = (uint8_t)(value >> (8 * b)) & guest_mask;
			*(volatile uint8_t *)reg = to_physical(q->priority);
		} else {
			out |= (uint64_t)q->priority << (8 * b);
		}
	}
	return out;
}

/* ICFGR: the physical configuration, read only (SGIs edge, as wired). */
static uint64_t configs(struct vcpu *t, uint32_t first)
{
	uint32_t word = first < 32
			    ? mmio_read32(sgi_frame(t) + 0x0c00 + first / 4)
			    : mmio_read32(PLAT_GICD_BASE + 0x0c00 + first / 4);
	uint64_t out = 0;

	for (uint32_t i = 0; i < 16; i++)
		if (owns(t->part, first + i))
			out |= (uint64_t)(word >> (2 * i) & 3) << (2 * i);
	return out;
}

static void router(struct partition *p, uint32_t intid, bool write, int size,
		   uint64_t off, uint64_t *value)
{
	struct virq *q = &p->spi[intid - 32];
	int shift = (off & 4) ? 32 : 0;

	if (!owns(p, intid)) {
		if (!write)
			*value = 0;
		return;
	}
	if (!write) {
		*value = q->router >> shift;
		return;
	}
	uint64_t mask = size == 8 ? ~0ull : 0xffffffffull << shift;

	/* Aff0 and IRM only: its vCPUs are Aff0 0..n-1 of one cluster. */
	q->router = (q->router & ~mask) | (*value << shift & mask);
	q->router &= 1ull << 31 | 0xff;
	q->target = (q->router >> 31 & 1) ? 0 : (uint8_t)(q->router & 0xff);
	apply_spi(p, intid);
}

void direct_distributor(struct vcpu *v, uint64_t off, bool write, int size,
			uint64_t *value)
{
	struct partition *p = v->part;

	if (off == 0x0000) {
		if (write) {
			uint32_t old = p->gicd_ctlr;

			p->gicd_ctlr = (uint32_t)*value & 0x12;
			if ((old ^ p->gicd_ctlr) & 2)
				apply_all(p);
		} else {
			*value = p->gicd_ctlr | 1u << 6; /* DS */
		}
	} else if (off == 0x0004 && !write) {
		*value = 9u << 19 | (VGIC_NR_IRQS / 32 - 1);
	} else if (off == 0x0008 && !write) {
		*value = IIDR_TENON;
	} else if (off >= 0x0080 && off < 0x0400 && (off & 0x7f) == 4) {
		bit_register(v, off & ~0x7full, 32, write, value);
	} else if (off >= 0x0420 && off < 0x0440) {
		uint64_t r =
		    priorities(v, (uint32_t)(off - 0x400), size, write, *value);
		if (!write)
			*value = r;
	} else if ((off == 0x0c08 || off == 0x0c0c) && !write) {
		*value = configs(v, (uint32_t)(off - 0xc00) * 4);
	} else if (off >= 0x6100 && off < 0x6200) {
		router(p, (uint32_t)(off - 0x6000) / 8, write, size, off,
		       value);
	} else if (off == 0xffe8 && !write) {
		*value = PIDR2_GICV3;
	} else if (!write) {
		*value = 0;
	}
}

void direct_redistributor(struct vcpu *t, uint64_t off, bool write, int size,
			  uint64_t *value)
{
	if (vgic_rd_frame(t, off, write, size, value)) {
		return;
	} else if (off >= GICR_SGI) {
		uint64_t o = off - GICR_SGI;

		if (bit_register(t, o, 0, write, value))
			return;
		if (o >= 0x400 && o < 0x420) {
			uint64_t r = priorities(t, (uint32_t)(o - 0x400), size,
						write, *value);
			if (!write)
				*value = r;
		} else if ((o == 0xc00 || o == 0xc04) && !write) {
			*value = configs(t, (uint32_t)(o - 0xc00) * 4);
		} else if (!write) {
			*value = 0;
		}
	} else if (!write) {
		*value = 0;
	}
}

/* ---- The CPU interface registers both groups share (trapped) ---- */

/* ICC_SGI0R/SGI1R/ASGI1R_EL1: an SGI to vCPUs of its own, never ours. */
static void send_sgi(struct vcpu *v, uint64_t sgi1r)
{
	uint32_t intid = (uint32_t)(sgi1r >> 24) & 0xf;

	if (!owns(v->part, intid))
		return;
	for (uint32_t t = vgic_sgi_targets(v, sgi1r); t; t &= t - 1)
		gic_send_sgi(v->part->vcpus[__builtin_ctz(t)]->pcpu, intid);
}

static void deactivate(struct vcpu *v, uint32_t intid)
{
	/* Without EOImode the end of interrupt deactivated it already. */
	if (owns(v->part, intid) && read_sysreg(ICC_CTLR_EL1) & CTLR_EOIMODE)
		write_sysreg(ICC_DIR_EL1, intid);
}

bool direct_sysreg(struct vcpu *v, unsigned int crn, unsigned int crm,
		   unsigned int op2, bool read, uint64_t *value)
{
	if (crn == 4 && crm == 6 && op2 == 0) { /* ICC_PMR_EL1 */
		if (read) {
			*value = v->direct_pmr;
		} else {
			v->direct_pmr = (uint8_t)*value & guest_mask;
			write_sysreg(ICC_PMR_EL1, to_physical(v->direct_pmr));
			isb();
		}
		return true;
	}
	if (crn != 12)
		return false;
	if (crm == 11 && (op2 == 5 || op2 == 6 || op2 == 7)) {
		if (!read) {
			spin_lock(&v->part->lock);
			send_sgi(v, *value);
			spin_unlock(&v->part->lock);
		}
		return !read;
	}
	if (crm == 11 && op2 == 1 && !read) { /* ICC_DIR_EL1 */
		deactivate(v, (uint32_t)*value & 0xffffff);
		return true;
	}
	if (crm == 11 && op2 == 3 && read) { /* ICC_RPR_EL1 */
		uint64_t rpr = read_sysreg(ICC_RPR_EL1) & 0xff;

		*value = rpr == 0xff ? 0xff : (rpr & 0x7f) << 1 & guest_mask;
		return true;
	}
	if (crm == 12 && op2 == 4) { /* ICC_CTLR_EL1 */
		uint64_t ctlr = read_sysreg(ICC_CTLR_EL1);

		if (read) {
			/* One priority bit fewer; CBPR and PMHE not its own. */
			*value = (ctlr & ~0x741ull) | ((ctlr >> 8 & 7) - 1)
							  << 8;
		} else {
			write_sysreg(ICC_CTLR_EL1,
				     (ctlr & ~(uint64_t)CTLR_EOIMODE) |
					 (*value & CTLR_EOIMODE));
			isb();
		}
		return true;
	}
	return false;
}
