/*
 * The virtual GICv3 of each partition: an emulated distributor and one
 * emulated redistributor per vCPU, at the addresses of the real ones, and
 * delivery through the list registers of the CPU interface, which the
 * guest then drives itself (ICV registers) without exits. Only what a
 * partition owns is reachable: its vCPUs' SGIs and PPIs, its SPIs, none of
 * the hypervisor's or another partition's. Interrupts 0..63 exist; LPIs,
 * group 0 and the ITS do not. The CPU's own devices' PPIs (timers, PMU)
 * and passed-through SPIs are hardware-linked, their pending state
 * following the physical line.
 */
#include "hyp.h"
#include "core/mmio.h"
#include "plat/qemu-virt/platform.h"

#define PIDR2_GICV3 0x3b
#define IIDR_TENON 0x0000043b

/* ICH_LR<n>_EL2 */
#define LR_STATE_SHIFT 62
#define LR_STATE_MASK (3ull << LR_STATE_SHIFT)
#define LR_HW (1ull << 61)
#define LR_GROUP1 (1ull << 60)
#define LR_PRIORITY_SHIFT 48
#define LR_PINTID_SHIFT 32
#define ST_PENDING 1u /* LR state bits, and the guest's view of them */
#define ST_ACTIVE 2u

static struct virq *virq_of(struct vcpu *v, uint32_t intid)
{
	if (intid < 32)
		return &v->priv[intid];
	if (intid < VGIC_NR_IRQS)
		return &v->part->spi[intid - 32];
	return NULL;
}

static void reset_virq(struct virq *q)
{
	*q = (struct virq){.priority = 0xa0, .group1 = true};
}

void vgic_init_partition(struct partition *p)
{
	for (int i = 0; i < VGIC_NR_IRQS - 32; i++)
		reset_virq(&p->spi[i]);
	p->spi_waiting = 0;
	p->gicd_ctlr = 0;
	/* A doorbell rung into the old incarnation is not the new one's. */
	__atomic_store_n(&p->posted_changed, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&p->posted_level, 0, __ATOMIC_RELAXED);
}

void vgic_init_vcpu(struct vcpu *v)
{
	for (int i = 0; i < 32; i++)
		reset_virq(&v->priv[i]);
	/* The CPU's own devices, which the guest drives directly. */
	v->priv[PLAT_PPI_VTIMER].hw = true;
	v->priv[PLAT_PPI_PTIMER].hw = true;
	v->priv[PLAT_PPI_PMU].hw = true;
	v->priv_waiting = 0;
	v->waker = 2; /* ProcessorSleep, as out of reset */
	for (int i = 0; i < 16; i++)
		v->lr_irq[i] = -1;
}

/* The vCPU an SPI goes to. */
static struct vcpu *spi_target(struct partition *p, struct virq *q)
{
	return p->vcpus[q->target < p->cfg->ncpus ? q->target : 0];
}

/*
 * Notes that q (v's, or an SPI of v's partition) may now be pending or
 * active outside a list register: vgic_sync() looks only at those, not at
 * every interrupt, and forgets those it finds neither.
 */
static void mark(struct vcpu *v, struct virq *q)
{
	struct partition *p = v->part;

	if (q >= p->spi && q < p->spi + (VGIC_NR_IRQS - 32))
		p->spi_waiting |= 1u << (q - p->spi);
	else
		v->priv_waiting |= 1u << (q - v->priv);
}

/* Makes q pending for v; v looks at it before it next runs. */
static void pend(struct vcpu *v, struct virq *q)
{
	q->pending = true;
	mark(v, q);
	if (v->pcpu != this_vcpu()->pcpu)
		gic_kick(v->pcpu);
}

void vgic_set_level(struct partition *p, uint32_t intid, bool level)
{
	struct virq *q = &p->spi[intid - 32];

	q->level = true;
	if (q->line == level)
		return;
	q->line = level;
	if (level && !q->in_lr)
		pend(spi_target(p, q), q);
	else if (level && p->vcpus[q->lr_vcpu] != this_vcpu())
		/*
		 * Back up while a list register of another vCPU holds it,
		 * maybe ended by now: that vCPU looks at once (an idle one
		 * may take no exit for long), and raises it again.
		 */
		gic_kick(p->vcpus[q->lr_vcpu]->pcpu);
	else if (!level)
		q->pending = false;
}

/*
 * Posting (hyp.h). posted_level is the line as its device drives it, so
 * only a change is posted, and a partition ringing in a loop costs the
 * other at most one kick per time the other lowers the line. A raise
 * kicks the vCPU the SPI goes to, unless the poster is one of p's own,
 * whose exit applies it anyway before the guest runs again (and kicks
 * another vCPU of p if the SPI is that one's). A lower line kicks
 * nobody: only p's own registers lower a posted line.
 */
void vgic_post_level(struct partition *p, uint32_t intid, bool level)
{
	uint32_t bit = 1u << (intid - 32), old;
	struct vcpu *self = this_vcpu(), *t;

	if (level)
		old =
		    __atomic_fetch_or(&p->posted_level, bit, __ATOMIC_RELAXED);
	else
		old = __atomic_fetch_and(&p->posted_level, ~bit,
					 __ATOMIC_RELAXED);
	if (!(old & bit) == !level)
		return;
	/*
	 * Release: the level, and what the ringer wrote before it rang (the
	 * channel's data), are seen by whoever sees the change. gic_kick()'s
	 * barrier makes it visible before the kick arrives.
	 */
	__atomic_fetch_or(&p->posted_changed, bit, __ATOMIC_RELEASE);
	t = spi_target(p, &p->spi[intid - 32]);
	if (level && self->part != p && t->pcpu != self->pcpu)
		gic_kick(t->pcpu);
}

/* Under p's lock, from vgic_sync(): the lines other CPUs posted. */
static void apply_posted(struct partition *p)
{
	uint32_t changed =
	    __atomic_exchange_n(&p->posted_changed, 0, __ATOMIC_ACQUIRE);
	/* At least as new as each change taken: a later one posts again. */
	uint32_t level = __atomic_load_n(&p->posted_level, __ATOMIC_ACQUIRE);

	for (; changed; changed &= changed - 1) {
		uint32_t n = (uint32_t)__builtin_ctz(changed);

		vgic_set_level(p, 32 + n, level >> n & 1);
	}
}

/* Physical SPIs and the partition owning each (devices passed through). */
static struct partition *spi_owner[VGIC_NR_IRQS];

void vgic_own_spi(struct partition *p, uint32_t intid)
{
	if (!intid || p->direct)
		return;
	if (intid < 32 || intid >= VGIC_NR_IRQS)
		hyp_panic("partition %s: device interrupt %u is outside the "
			  "virtual GIC's 32..%d",
			  p->cfg->name, intid, VGIC_NR_IRQS - 1);
	spi_owner[intid] = p;
	p->spi[intid - 32].hw = true;
	p->spi[intid - 32].level = true;
}

void vgic_enable_owned_spis(void)
{
	/* vCPU 0 takes each until its guest routes it elsewhere (IROUTER). */
	for (uint32_t intid = 32; intid < VGIC_NR_IRQS; intid++)
		if (spi_owner[intid])
			gic_enable_spi(intid, spi_owner[intid]->vcpus[0]->pcpu);
}

bool vgic_hw_spi(struct vcpu *v, uint32_t intid)
{
	struct partition *p = v->part;

	if (intid >= VGIC_NR_IRQS || spi_owner[intid] != p)
		return false;
	/* Deactivated by the guest's own end of interrupt, through the LR. */
	pend(spi_target(p, &p->spi[intid - 32]), &p->spi[intid - 32]);
	return true;
}

bool vgic_hw_ppi(struct vcpu *v, uint32_t intid)
{
	if (intid >= 32 || !v->priv[intid].hw)
		return false;
	v->priv[intid].pending = true;
	mark(v, &v->priv[intid]);
	return true;
}

void vgic_end_hw_ppis(struct vcpu *v)
{
	for (uint32_t intid = 16; intid < 32; intid++)
		if (v->priv[intid].hw)
			gic_deactivate_ppi(v->pcpu, intid);
}

uint32_t vgic_sgi_targets(struct vcpu *v, uint64_t sgi1r)
{
	struct partition *p = v->part;
	bool all_others = sgi1r >> 40 & 1;
	uint32_t list = (uint32_t)sgi1r & 0xffff;
	uint32_t range = (uint32_t)(sgi1r >> 44) & 0xf; /* RS: Aff0 16*RS.. */
	uint64_t upper_aff = sgi1r & 0x00ff00ff00ff0000ull;
	uint32_t targets = 0;

	/* vCPUs are Aff0 0..n-1: other affinities name nobody. */
	if (!all_others && upper_aff)
		return 0;
	for (uint32_t i = 0; i < p->cfg->ncpus; i++) {
		struct vcpu *t = p->vcpus[i];

		if (all_others ? t == v
			       : i / 16 != range || !(list >> (i % 16) & 1))
			continue;
		if (t->state == VCPU_RUNNING || t->state == VCPU_ON_PENDING)
			targets |= 1u << i;
	}
	return targets;
}

void vgic_send_sgi(struct vcpu *v, uint64_t sgi1r)
{
	uint32_t intid = (uint32_t)(sgi1r >> 24) & 0xf;

	for (uint32_t t = vgic_sgi_targets(v, sgi1r); t; t &= t - 1) {
		struct vcpu *to = v->part->vcpus[__builtin_ctz(t)];

		pend(to, &to->priv[intid]);
	}
}

/* The list register of v (this CPU's vCPU) that holds intid, or -1. */
static int lr_of(struct vcpu *v, uint32_t intid)
{
	for (int i = 0; i < gic_nr_lrs(); i++)
		if (v->lr_irq[i] == (int)intid)
			return i;
	return -1;
}

/*
 * Ends the physical interrupt behind a hardware-linked one, taken at EL2
 * and left active for the guest to end through its list register.
 */
static void end_physical(struct vcpu *t, uint32_t intid)
{
	if (intid < 32)
		gic_deactivate_ppi(t->pcpu, intid);
	else
		gic_deactivate_spi(intid);
}

/* Frees list register n of v, which held q. */
static void release_lr(struct vcpu *v, int n, struct virq *q)
{
	gic_write_lr(n, 0);
	v->lr_irq[n] = -1;
	q->in_lr = false;
	q->lr_state = 0;
	if (q->level && q->line) {
		q->pending = true;
		mark(v, q);
	}
}

/*
 * The guest cleared pending or active state of q, held in list register n
 * of v (this CPU's). A hardware-linked one leaves the register whole, its
 * physical interrupt ended: a line still high brings it back, really
 * pending.
 */
static void clear_lr(struct vcpu *v, int n, struct virq *q, uint32_t intid,
		     unsigned int clear)
{
	uint64_t lr = gic_read_lr(n);
	unsigned int st = (unsigned int)(lr >> LR_STATE_SHIFT) & 3;

	if (!(st & clear))
		return;
	if (lr & LR_HW || !(st & ~clear)) {
		release_lr(v, n, q);
		if (lr & LR_HW)
			end_physical(v, intid);
		return;
	}
	st &= ~clear;
	gic_write_lr(n, (lr & ~LR_STATE_MASK) | (uint64_t)st << LR_STATE_SHIFT);
	q->lr_state = (uint8_t)st;
}

/* CNTx_CTL_EL0 asserting its interrupt: ENABLE and ISTATUS, not IMASK. */
static bool timer_line(uint64_t ctl)
{
	return (ctl & 7) == 5;
}

/* Whether the physical line behind hardware-linked intid of t is high. */
static bool hw_line(struct vcpu *t, uint32_t intid)
{
	/* This CPU's timers say so themselves, with no GIC latency. */
	if (t == this_vcpu() && intid == PLAT_PPI_VTIMER)
		return timer_line(read_sysreg(cntv_ctl_el0));
	if (t == this_vcpu() && intid == PLAT_PPI_PTIMER)
		return timer_line(read_sysreg(cntp_ctl_el0));
	return gic_line_pending(intid, t->pcpu);
}

/*
 * A hardware-linked interrupt is pending only while its physical line is:
 * one the guest has not taken yet, whose line has dropped since (its
 * device was serviced, its timer re-armed or stopped), is forgotten, and
 * the physical interrupt, acknowledged at EL2 when it came, ended. Else a
 * guest enabling it later, or a device's handler, runs for an event long
 * gone. t is the vCPU it belongs or is routed to.
 */
static void follow_line(struct vcpu *t, struct virq *q, uint32_t intid)
{
	struct vcpu *holder;
	int n;

	if (!q->hw)
		return;
	if (!q->in_lr) {
		if (q->pending && !hw_line(t, intid)) {
			q->pending = false;
			end_physical(t, intid);
		}
		return;
	}
	/* Another CPU's list register: that vCPU looks at its next exit. */
	holder = t->part->vcpus[q->lr_vcpu];
	n = holder == this_vcpu() ? lr_of(holder, intid) : -1;
	if (n >= 0 && gic_read_lr(n) >> LR_STATE_SHIFT == ST_PENDING &&
	    !hw_line(holder, intid)) {
		release_lr(holder, n, q);
		end_physical(holder, intid);
	}
}

/*
 * The pending and active state the guest sees: in a list register of this
 * CPU, the register's; of another vCPU, as it was at that vCPU's last exit
 * (the register is that CPU's alone). t: the vCPU q belongs or goes to.
 */
static unsigned int state_of(struct vcpu *t, struct virq *q, uint32_t intid)
{
	struct partition *p = t->part;
	unsigned int st;

	follow_line(t, q, intid);
	st = (q->pending ? ST_PENDING : 0) | (q->active ? ST_ACTIVE : 0);

	if (q->in_lr) {
		struct vcpu *holder = p->vcpus[q->lr_vcpu];
		int n = holder == this_vcpu() ? lr_of(holder, intid) : -1;

		st |= n >= 0
			  ? (unsigned int)(gic_read_lr(n) >> LR_STATE_SHIFT) & 3
			  : q->lr_state;
	}
	return st;
}

/* The guest writes ICPENDR or ICACTIVER: clear is ST_PENDING or ST_ACTIVE. */
static void clear_state(struct partition *p, struct virq *q, uint32_t intid,
			unsigned int clear)
{
	struct vcpu *holder;

	if (clear & ST_PENDING)
		q->pending = false;
	if (clear & ST_ACTIVE)
		q->active = false;
	if (!q->in_lr)
		return;
	holder = p->vcpus[q->lr_vcpu];
	if (holder == this_vcpu()) {
		int n = lr_of(holder, intid);

		if (n >= 0)
			clear_lr(holder, n, q, intid, clear);
	} else {
		q->lr_clear |= (uint8_t)clear;
		gic_kick(holder->pcpu);
	}
}

/* The guest writes ISACTIVER. */
static void set_active(struct vcpu *t, struct virq *q, uint32_t intid)
{
	struct vcpu *holder;
	int n;

	if (!q->in_lr) {
		q->active = true;
		mark(t, q);
		if (t->pcpu != this_vcpu()->pcpu)
			gic_kick(t->pcpu);
		return;
	}
	/* One a hardware-linked register holds stays as the hardware has it. */
	holder = t->part->vcpus[q->lr_vcpu];
	n = holder == this_vcpu() ? lr_of(holder, intid) : -1;
	if (n >= 0 && !(gic_read_lr(n) & LR_HW)) {
		gic_write_lr(n, gic_read_lr(n) | (uint64_t)ST_ACTIVE
						     << LR_STATE_SHIFT);
		q->lr_state |= ST_ACTIVE;
	}
}

/*
 * An edge that came while list register n of v held q (the guest still
 * in its handler, or done with it since): made pending in the register
 * itself, active and pending at once, which the CPU interface signals
 * as soon as the guest ends the last one. Kept out of the register until
 * it is free, it would wait for v's next exit, and a guest that ends its
 * handler and idles with no timer takes none: every later edge found it
 * pending already and was dropped with it, the doorbell lost for good.
 * One still pending in the register absorbs it, as an edge does.
 */
static void pend_in_lr(int n, struct virq *q)
{
	uint64_t lr = gic_read_lr(n);

	q->pending = false;
	if (q->lr_state & ST_PENDING)
		return;
	q->lr_state |= ST_PENDING;
	gic_write_lr(n, lr | (uint64_t)ST_PENDING << LR_STATE_SHIFT);
}

void vgic_sync(struct vcpu *v)
{
	int n = gic_nr_lrs();
	bool left = false;

	if (__atomic_load_n(&v->part->posted_changed, __ATOMIC_RELAXED))
		apply_posted(v->part);

	for (int i = 0; i < n; i++) {
		struct virq *q;
		uint32_t id;

		if (v->lr_irq[i] < 0)
			continue;
		id = (uint32_t)v->lr_irq[i];
		q = virq_of(v, id);
		if (q->lr_clear) {
			clear_lr(v, i, q, id, q->lr_clear);
			q->lr_clear = 0;
			if (v->lr_irq[i] < 0)
				continue;
		}
		q->lr_state = (uint8_t)(gic_read_lr(i) >> LR_STATE_SHIFT & 3);
		if (!q->lr_state)
			release_lr(v, i, q);
		else if (q->hw && q->lr_state == ST_PENDING)
			follow_line(v, q, id);
		else if (q->pending && !q->hw && !q->level)
			pend_in_lr(i, q);
	}
	for (;;) {
		struct virq *best = NULL;
		uint32_t best_id = 0;
		int free_lr = -1;
		uint64_t waiting = v->priv_waiting;

		if (v->part->gicd_ctlr & 2)
			waiting |= (uint64_t)v->part->spi_waiting << 32;
		for (; waiting; waiting &= waiting - 1) {
			uint32_t id = (uint32_t)__builtin_ctzll(waiting);
			struct virq *q = virq_of(v, id);

			if (!q->pending && !q->active) {
				if (id < 32)
					v->priv_waiting &= ~(1u << id);
				else
					v->part->spi_waiting &=
					    ~(1u << (id - 32));
				continue;
			}
			if (q->in_lr || !(q->enabled || q->active))
				continue;
			if (id >= 32 && spi_target(v->part, q) != v)
				continue;
			if (q->hw && !q->active) {
				follow_line(v, q, id);
				if (!q->pending)
					continue;
			}
			if (!best || q->priority < best->priority) {
				best = q;
				best_id = id;
			}
		}
		if (!best)
			break;
		for (int i = 0; i < n && free_lr < 0; i++)
			if (v->lr_irq[i] < 0)
				free_lr = i;
		if (free_lr < 0) {
			left = true;
			break;
		}
		/*
		 * Active and pending at once is not a state a hardware-linked
		 * register may hold: the pending one waits for the next.
		 */
		unsigned int st = (best->active ? ST_ACTIVE : 0) |
				  (best->pending && best->enabled &&
					   !(best->hw && best->active)
				       ? ST_PENDING
				       : 0);
		uint64_t lr = (uint64_t)st << LR_STATE_SHIFT | LR_GROUP1 |
			      (uint64_t)best->priority << LR_PRIORITY_SHIFT |
			      best_id;
		/*
		 * A level line still high once the guest is done with it is
		 * seen again at the vCPU's next exit (its next timer tick at
		 * the latest). (Asking for an EOI maintenance interrupt instead
		 * left the interrupt active for good under QEMU.) Active state
		 * the guest set itself (ISACTIVER) is virtual only: its end
		 * must not deactivate a physical interrupt that is not active.
		 */
		if (best->hw && !best->active)
			lr |= LR_HW | (uint64_t)best_id << LR_PINTID_SHIFT;
		gic_write_lr(free_lr, lr);
		best->in_lr = true;
		best->lr_vcpu = (uint8_t)v->index;
		best->lr_state = (uint8_t)st;
		best->active = false;
		if (st & ST_PENDING)
			best->pending = false;
		v->lr_irq[free_lr] = (int8_t)best_id;
	}
	/* Underflow maintenance interrupt while some wait for a register. */
	write_sysreg(S3_4_C12_C11_0, 1 | (left ? 2 : 0));
	isb();
}

/* Bit-per-interrupt registers: 32 interrupts from first, of vCPU v. */
static uint32_t read_bits(struct vcpu *v, uint32_t first, enum bitreg what)
{
	uint32_t bits = 0;

	for (uint32_t i = 0; i < 32; i++) {
		struct virq *q = virq_of(v, first + i);
		struct vcpu *t;
		bool on;

		if (!q)
			continue;
		t = first + i < 32 ? v : spi_target(v->part, q);
		switch (what) {
		case GROUP:
			on = q->group1;
			break;
		case SET_ENABLE:
		case CLEAR_ENABLE:
			on = q->enabled;
			break;
		case SET_PENDING:
		case CLEAR_PENDING:
			on = state_of(t, q, first + i) & ST_PENDING;
			break;
		default:
			on = state_of(t, q, first + i) & ST_ACTIVE;
			break;
		}
		bits |= (uint32_t)on << i;
	}
	return bits;
}

static void write_bits(struct vcpu *v, uint32_t first, enum bitreg what,
		       uint32_t bits)
{
	for (uint32_t i = 0; i < 32; i++) {
		uint32_t intid = first + i;
		struct virq *q = virq_of(v, intid);
		struct vcpu *t = intid < 32 ? v : NULL;
		bool on = bits >> i & 1;

		if (!q || (what != GROUP && !on))
			continue;
		if (!t)
			t = spi_target(v->part, q);
		switch (what) {
		case SET_ENABLE:
			q->enabled = true;
			follow_line(t, q, intid);
			if (q->pending)
				pend(t, q);
			break;
		case CLEAR_ENABLE:
			q->enabled = false;
			break;
		case SET_PENDING:
			if (!(state_of(t, q, intid) & ST_PENDING))
				pend(t, q);
			break;
		case CLEAR_PENDING:
			clear_state(v->part, q, intid, ST_PENDING);
			break;
		case SET_ACTIVE:
			set_active(t, q, intid);
			break;
		case CLEAR_ACTIVE:
			clear_state(v->part, q, intid, ST_ACTIVE);
			break;
		case GROUP:
			q->group1 = on;
			break;
		}
	}
}

/*
 * IPRIORITYR: one byte per interrupt, by bytes or words, for interrupts
 * first.. below end (a redistributor's stop at 32, the distributor's at
 * VGIC_NR_IRQS).
 */
static uint64_t priorities(struct vcpu *v, uint32_t first, uint32_t end,
			   int size, bool write, uint64_t value)
{
	uint64_t out = 0;

	for (int b = 0; b < size; b++) {
		struct virq *q = first + (uint32_t)b < end
				     ? virq_of(v, first + (uint32_t)b)
				     : NULL;

		if (!q)
			continue;
		if (write)
			q->priority = (uint8_t)(value >> (8 * b));
		else
			out |= (uint64_t)q->priority << (8 * b);
	}
	return out;
}

/* ICFGR: two bits per interrupt, 16 interrupts from first. */
static uint64_t configs(struct vcpu *v, uint32_t first, bool write,
			uint64_t value)
{
	uint64_t out = 0;

	for (uint32_t i = 0; i < 16; i++) {
		struct virq *q = virq_of(v, first + i);

		if (!q || first + i < 16)
			continue; /* SGIs are edge-triggered, read-only */
		if (write)
			q->edge_cfg = (uint8_t)(value >> (2 * i) & 3);
		else
			out |= (uint64_t)q->edge_cfg << (2 * i);
	}
	return out;
}

/* Registers that take an interrupt range: group, enables, pending. */
/* Registers that take an interrupt range: group, enables, pending, active. */
static bool bit_register(struct vcpu *v, uint64_t off, uint32_t first,
			 bool write, uint64_t *value)
{
	static const enum bitreg regs[] = {
	    GROUP,	   SET_ENABLE, CLEAR_ENABLE, SET_PENDING,
	    CLEAR_PENDING, SET_ACTIVE, CLEAR_ACTIVE,
	};
	/* IGROUPR at 0x080, then one register each 0x080. */
	uint64_t r = off / 0x80 - 1;

	if (off < 0x080 || off >= 0x400 || off % 0x80)
		return false;
	if (write)
		write_bits(v, first, regs[r], (uint32_t)*value);
	else
		*value = read_bits(v, first, regs[r]);
	return true;
}

static void distributor(struct vcpu *v, uint64_t off, bool write, int size,
			uint64_t *value)
{
	struct partition *p = v->part;

	if (off == 0x0000) {
		if (write)
			p->gicd_ctlr = (uint32_t)*value & 0x13;
		else
			*value =
			    p->gicd_ctlr | 1u << 6; /* DS: one security state */
	} else if (off == 0x0004 && !write) {
		*value = 9u << 19 | (VGIC_NR_IRQS / 32 - 1);
	} else if (off == 0x0008 && !write) {
		*value = IIDR_TENON;
	} else if (off >= 0x0080 && off < 0x0400 && (off & 0x7f) == 4) {
		/* The second word of each bit register: SPIs 32..63. */
		bit_register(v, off & ~0x7full, 32, write, value);
	} else if (off >= 0x0420 && off < 0x0440) {
		uint64_t r = priorities(v, (uint32_t)(off - 0x400),
					VGIC_NR_IRQS, size, write, *value);
		if (!write)
			*value = r;
	} else if (off == 0x0c08 || off == 0x0c0c) {
		uint64_t r =
		    configs(v, (uint32_t)(off - 0xc00) * 4, write, *value);
		if (!write)
			*value = r;
	} else if (off >= 0x6100 && off < 0x6200) {
		struct virq *q = &p->spi[(off - 0x6100) / 8];
		int shift = (off & 4) ? 32 : 0;

		if (write) {
			uint64_t mask =
			    size == 8 ? ~0ull : 0xffffffffull << shift;

			q->router =
			    (q->router & ~mask) | (*value << shift & mask);
			q->target = (q->router >> 31 & 1)
					? 0
					: (uint8_t)(q->router & 0xff);
			if (q->hw)
				gic_route_spi((uint32_t)(off - 0x6000) / 8,
					      spi_target(p, q)->pcpu);
		} else {
			*value = q->router >> shift;
		}
	} else if (off == 0xffe8 && !write) {
		*value = PIDR2_GICV3;
	} else if (!write) {
		*value = 0; /* everything else: reads as zero */
	}
}

/*
 * A redistributor's RD_base frame, the same whichever way interrupts are
 * delivered: its identity (TYPER: vCPU t, Aff0 its index, Last on the
 * last), IIDR, the WAKER handshake, PIDR2. False: not one of these.
 */
bool vgic_rd_frame(struct vcpu *t, uint64_t off, bool write, int size,
		   uint64_t *value)
{
	bool last = t->index == (int)t->part->cfg->ncpus - 1;

	if (off == 0x0008 || off == 0x000c) {
		uint64_t typer = (uint64_t)t->index << 32 |
				 (uint64_t)t->index << 8 | (last ? 1u << 4 : 0);

		if (!write)
			*value = off == 0x8
				     ? (size == 8 ? typer : (uint32_t)typer)
				     : typer >> 32;
	} else if (off == 0x0004 && !write) {
		*value = IIDR_TENON;
	} else if (off == 0x0014) {
		if (write)
			t->waker = (uint32_t)*value & 2;
		else
			*value = t->waker | (t->waker & 2) << 1;
	} else if (off == 0xffe8 && !write) {
		*value = PIDR2_GICV3;
	} else {
		return false;
	}
	return true;
}

static void redistributor(struct vcpu *t, uint64_t off, bool write, int size,
			  uint64_t *value)
{
	if (vgic_rd_frame(t, off, write, size, value)) {
		return;
	} else if (off >= 0x10000) {
		uint64_t o = off - 0x10000;

		if (bit_register(t, o, 0, write, value))
			return;
		if (o >= 0x400 && o < 0x420) {
			uint64_t r = priorities(t, (uint32_t)(o - 0x400), 32,
						size, write, *value);
			if (!write)
				*value = r;
		} else if (o == 0xc00 || o == 0xc04) {
			uint64_t r = configs(t, (uint32_t)(o - 0xc00) * 4,
					     write, *value);
			if (!write)
				*value = r;
		} else if (!write) {
			*value = 0;
		}
	} else if (!write) {
		*value = 0;
	}
}

/*
 * The access sizes a register allows (GICv3 architecture, "GIC register
 * access"): a word for every register; a byte for IPRIORITYR and
 * ITARGETSR; a doubleword for the 64-bit ones (GICD_IROUTER, GICR_TYPER
 * and the LPI registers). Never a halfword, never unaligned.
 */
static bool size_allowed(bool dist, uint64_t off, int size)
{
	if (off & (uint64_t)(size - 1))
		return false;
	switch (size) {
	case 4:
		return true;
	case 1:
		return dist ? off >= 0x0400 && off < 0x0c00
			    : off >= 0x10400 && off < 0x10420;
	case 8:
		if (dist)
			return off >= 0x6000 && off < 0x8000;
		return off == 0x08 || off == 0x30 || off == 0x38 ||
		       off == 0x70 || off == 0x78 || off == 0xa0 || off == 0xb0;
	}
	return false;
}

static enum mmio_result distributor_mmio(struct vcpu *v, void *arg,
					 uint64_t off, bool write, int size,
					 uint64_t *value)
{
	(void)arg;
	if (!size_allowed(true, off, size))
		return MMIO_BAD_SIZE;
	if (v->part->direct)
		direct_distributor(v, off, write, size, value);
	else
		distributor(v, off, write, size, value);
	return MMIO_DONE;
}

static enum mmio_result redistributors_mmio(struct vcpu *v, void *arg,
					    uint64_t rel, bool write, int size,
					    uint64_t *value)
{
	(void)arg;
	if (!size_allowed(false, rel % PLAT_GICR_STRIDE, size))
		return MMIO_BAD_SIZE;
	struct vcpu *t = v->part->vcpus[rel / PLAT_GICR_STRIDE];

	if (v->part->direct)
		direct_redistributor(t, rel % PLAT_GICR_STRIDE, write, size,
				     value);
	else
		redistributor(t, rel % PLAT_GICR_STRIDE, write, size, value);
	return MMIO_DONE;
}

void vgic_register_mmio(struct partition *p)
{
	mmio_region_register(p, PLAT_GICD_BASE, PLAT_GICD_SIZE,
			     distributor_mmio, NULL, &p->lock,
			     "the GIC distributor");
	mmio_region_register(
	    p, PLAT_GICR_BASE, PLAT_GICR_STRIDE * p->cfg->ncpus,
	    redistributors_mmio, NULL, &p->lock, "the GIC redistributors");
}

void vgic_raise_edge(struct partition *p, uint32_t intid)
{
	struct virq *q = &p->spi[intid - 32];
	struct vcpu *t = spi_target(p, q);

	if (p->direct) {
		direct_raise(p, intid);
		return;
	}
	/*
	 * Pending already: one edge is all it takes, and its kick went when
	 * it became so. One a list register holds (maybe ended by the guest
	 * since, which the holder learns at its next exit) is pending again:
	 * delivered once the register is free, never lost.
	 */
	if (q->pending)
		return;
	q->pending = true;
	mark(t, q);
	if (q->enabled && p->gicd_ctlr & 2 && t->state == VCPU_RUNNING &&
	    t != this_vcpu())
		gic_kick(t->pcpu);
}

/*
 * For a vCPU leaving its CPU (CPU_OFF, a stop or a reset), on that CPU and
 * under the partition's lock: empties the list registers, and what they
 * held is no longer handed out, so that a later start does not find an
 * interrupt stuck "in a list register" that nothing holds.
 */
void vgic_drop_lrs(struct vcpu *v)
{
	for (int i = 0; i < gic_nr_lrs(); i++) {
		gic_write_lr(i, 0);
		if (v->lr_irq[i] >= 0) {
			struct virq *q = virq_of(v, (uint32_t)v->lr_irq[i]);

			q->in_lr = false;
			q->lr_state = 0;
		}
		v->lr_irq[i] = -1;
	}
	for (int i = gic_nr_lrs(); i < 16; i++)
		v->lr_irq[i] = -1;
}
