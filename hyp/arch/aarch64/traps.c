/*
 * Guest exits: why the guest left (a hypercall, a trapped SMC or system
 * register, an access to memory it does not own, a physical interrupt)
 * and what the hypervisor does about it: a synchronous exit goes to the
 * handler of its exception class (trap_handlers[]), any class without one
 * to the single unexpected-trap path. Nothing a guest does here can stop
 * the hypervisor: an access it cannot emulate becomes an abort in the
 * guest, a trap it should not cause an undefined instruction, each logged
 * with the partition's name (rate-limited).
 */
#include "hyp.h"
#include "core/hm.h"
#include "core/mmio.h"
#include "tenon/hypercall.h"
#include "plat/qemu-virt/platform.h"

#define EC_WFX 0x01
#define EC_HVC64 0x16
#define EC_SMC64 0x17
#define EC_SYSREG 0x18
#define EC_IABT_LOW 0x20
#define EC_DABT_LOW 0x24

void hyp_guest_exit(struct vcpu *v, uint64_t kind);
void hyp_exception(uint64_t kind, uint64_t esr, uint64_t elr, uint64_t far);

/*
 * Enters v's EL1 vector for a synchronous exception of class ec (the
 * lower-EL number; same-EL classes are one more), as the CPU would have.
 */
static bool inject_sync(struct vcpu *v, uint32_t ec, uint64_t iss, uint64_t far)
{
	uint64_t mode = v->spsr & 0xf;

	/*
	 * Faulting again at the vector the last exception was sent to: the
	 * guest has no way to handle it, and would loop.
	 */
	if (v->elr == v->last_vector)
		return false;
	bool from_el0 = mode == 0;
	uint64_t offset = from_el0 ? 0x400 : (mode & 1) ? 0x200 : 0x000;

	if (!from_el0 && ec)
		ec++;
	/* IL: a 32-bit instruction. */
	write_sysreg(esr_el1, (uint64_t)ec << 26 | 1u << 25 | iss);
	write_sysreg(far_el1, far);
	write_sysreg(elr_el1, v->elr);
	write_sysreg(spsr_el1, v->spsr);
	v->elr = read_sysreg(vbar_el1) + offset;
	v->last_vector = v->elr;
	v->spsr = 0x3c5; /* EL1h, exceptions masked, as the CPU would */
	return true;
}

static const char own_vector[] = "faulted in its own exception vector "
				 "(no handler to report to)";

void inject_abort(struct vcpu *v, bool instruction, uint64_t far)
{
	/* A synchronous external abort: DFSC/IFSC 0x10. */
	if (!inject_sync(v, instruction ? 0x20 : 0x24, 0x10, far))
		hm_undeliverable(v->part, v, TN_HM_EV_MEM_FAULT, far,
				 own_vector);
}

/* An undefined instruction (EC 0, "unknown reason"), at the instruction. */
static void inject_undef(struct vcpu *v, uint64_t esr)
{
	if (!inject_sync(v, 0x00, 0, 0))
		hm_undeliverable(v->part, v, TN_HM_EV_TRAP, esr, own_vector);
}

/*
 * A trap or a fault the hypervisor does not take on the guest's behalf:
 * the partition's table says what follows. Ignored or logged, the
 * instruction is skipped (a load reads 0 into its register, when the
 * syndrome says which: rt); notified, it is raised to the guest as the CPU
 * would. An instruction fetch has no instruction to skip: it is raised.
 */
static void guest_fault(struct vcpu *v, enum tn_hm_event ev, uint64_t detail,
			const char *what, bool instruction_abort, int rt,
			uint64_t far)
{
	enum tn_hm_action a;

	/*
	 * A fault while its memory is being taken (stage2_revoke()) is the
	 * revocation's, not the guest's: the access is tried again once the
	 * memory is back, if the partition runs on.
	 */
	if (__atomic_load_n(&v->part->revoked, __ATOMIC_ACQUIRE))
		return;
	a = hm_event(v->part, v, ev, detail, what);

	if ((a == TN_HM_ACT_IGNORE || a == TN_HM_ACT_LOG) &&
	    !instruction_abort) {
		if (rt >= 0 && rt != 31)
			v->x[rt] = 0;
		v->elr += 4;
	} else if (a == TN_HM_ACT_NOTIFY || a == TN_HM_ACT_IGNORE ||
		   a == TN_HM_ACT_LOG) {
		if (ev == TN_HM_EV_MEM_FAULT)
			inject_abort(v, instruction_abort, far);
		else
			inject_undef(v, detail);
	}
	/* Stopped, restarted, reset: nothing of this exit goes on. */
}

static uint64_t reg_read(struct vcpu *v, unsigned int r)
{
	return r == 31 ? 0 : v->x[r];
}

static void reg_write(struct vcpu *v, unsigned int r, uint64_t value)
{
	if (r != 31)
		v->x[r] = value;
}

/* ESR_EL2.ISS of a data abort with a valid syndrome (ISV). */
#define ISS_ISV (1u << 24)
#define ISS_SAS_SHIFT 22
#define ISS_SSE (1u << 21)
#define ISS_SRT_SHIFT 16
#define ISS_SF (1u << 15)
#define ISS_WNR (1u << 6)
#define ISS_S1PTW (1u << 7)
#define ISS_DFSC_PERMISSION(esr) (((esr)&0x3c) == 0x0c)

/*
 * The IPA a stage-2 abort was for. HPFAR_EL2 gives it, except that on a
 * permission fault outside a stage-1 walk the architecture allows
 * HPFAR_EL2 to be stale: there stage 1 is walked again for FAR_EL2 (the
 * guest's PAR_EL1 kept). False if that walk faults now (the guest changed
 * its tables meanwhile): the access is retried.
 */
static bool fault_ipa(uint64_t esr, uint64_t far, uint64_t *ipa)
{
	uint64_t par, saved;

	if (!ISS_DFSC_PERMISSION(esr) || (esr & ISS_S1PTW)) {
		*ipa = (read_sysreg(hpfar_el2) >> 4 << 12) | (far & 0xfff);
		return true;
	}
	saved = read_sysreg(par_el1);
	__asm__ volatile("at s1e1r, %0" ::"r"(far));
	isb();
	par = read_sysreg(par_el1);
	write_sysreg(par_el1, saved);
	if (par & 1)
		return false;
	*ipa = (par & 0x0000fffffffff000ul) | (far & 0xfff);
	return true;
}

/* What a load of size bytes puts in its register: SSE and SF honoured. */
static uint64_t loaded(uint64_t esr, int size, uint64_t value)
{
	if (size < 8) {
		value &= (1ull << (8 * size)) - 1;
		if (esr & ISS_SSE && value >> (8 * size - 1) & 1)
			value |= ~0ull << (8 * size);
	}
	return esr & ISS_SF ? value : (uint32_t)value;
}

static void data_abort(struct vcpu *v, uint64_t esr)
{
	uint64_t far = read_sysreg(far_el2), ipa;
	bool valid = esr & ISS_ISV, write = esr & ISS_WNR;
	int size = 1 << (esr >> ISS_SAS_SHIFT & 3);
	unsigned int rt = esr >> ISS_SRT_SHIFT & 0x1f;
	uint64_t value = 0;
	enum mmio_result done = MMIO_NOT_MINE;
	/* A permission fault: a channel's page it does not write. */
	const char *why = ISS_DFSC_PERMISSION(esr) ? "a page it may only read"
						   : "not its memory",
		   *what = NULL;
	char reason[96], what_line[200];

	if (!fault_ipa(esr, far, &ipa))
		return;
	/*
	 * The first write to a block scrubbed clean: it is written now. On
	 * a stage-1 walk, a permission fault in RAM can only be the walker's
	 * update of a descriptor (reads are allowed), whatever WnR says.
	 */
	if ((write || (esr & ISS_S1PTW)) && ISS_DFSC_PERMISSION(esr) &&
	    stage2_note_write(v, ipa))
		return;
	if (valid) {
		if (write)
			value = reg_read(v, rt) &
				(size == 8 ? ~0ull : (1ull << (8 * size)) - 1);
		done = mmio_dispatch(v, ipa, write, size, &value, &what);
		if (done == MMIO_BAD_SIZE) {
			if (ipa & (uint64_t)(size - 1))
				hyp_snprintf(reason, sizeof(reason),
					     "%s: an unaligned access", what);
			else
				hyp_snprintf(reason, sizeof(reason),
					     "%s: a register that takes no "
					     "%d-byte access",
					     what, size);
			why = reason;
		} else if (done == MMIO_READ_ONLY) {
			hyp_snprintf(reason, sizeof(reason),
				     "%s: a register that takes no write",
				     what);
			why = reason;
		}
	} else {
		why = "an access the hypervisor cannot emulate (use a single "
		      "load or store)";
	}
	if (done == MMIO_DONE) {
		if (!write)
			reg_write(v, rt, loaded(esr, size, value));
		v->elr += 4;
		return;
	}
	hyp_snprintf(what_line, sizeof(what_line),
		     "vCPU %d: stage-2 fault: %s at IPA %#lx (%d bytes, PC "
		     "%#lx): %s",
		     v->index, write ? "write" : "read", (unsigned long)ipa,
		     size, (unsigned long)v->elr, why);
	guest_fault(v, TN_HM_EV_MEM_FAULT, ipa, what_line, false,
		    valid && !write ? (int)rt : -1, far);
}

static void sysreg_trap(struct vcpu *v, uint64_t esr)
{
	unsigned int op0 = esr >> 20 & 3, op2 = esr >> 17 & 7,
		     op1 = esr >> 14 & 7, crn = esr >> 10 & 0xf,
		     rt = esr >> 5 & 0x1f, crm = esr >> 1 & 0xf;
	bool read = esr & 1;

	if (v->part->direct && op0 == 3 && op1 == 0) {
		uint64_t value = read ? 0 : reg_read(v, rt);

		if (direct_sysreg(v, crn, crm, op2, read, &value)) {
			if (read)
				reg_write(v, rt, value);
			v->elr += 4;
			return;
		}
	}
	/* ICC_SGI1R_EL1 (and the group 0 / alias forms): virtual SGIs. */
	if (op0 == 3 && op1 == 0 && crn == 12 && crm == 11 &&
	    (op2 == 5 || op2 == 6 || op2 == 7) && !read) {
		spin_lock(&v->part->lock);
		vgic_send_sgi(v, reg_read(v, rt));
		spin_unlock(&v->part->lock);
		v->elr += 4;
		return;
	}
	/* Nothing else is trapped on purpose: as the CPU would, refuse it. */
	char what[120];

	hyp_snprintf(what, sizeof(what),
		     "vCPU %d: %s of system register S%u_%u_C%u_C%u_%u "
		     "trapped (PC %#lx)",
		     v->index, read ? "read" : "write", op0, op1, crn, crm, op2,
		     (unsigned long)v->elr);
	guest_fault(v, TN_HM_EV_TRAP, esr, what, false, read ? (int)rt : -1, 0);
}

/* One of the hypervisor's own interrupts, whichever group it came in. */
static bool hyp_irq(uint32_t intid)
{
	/* The console's, on its CPU: any CPU may be that one. */
	if (intid == PLAT_UART_IRQ) {
		console_uart_irq();
	} else if (intid == PLAT_PPI_HYPTIMER) {
		hyptimer_irq();
	} else if (intid == SGI_KICK) {
		console_kicked();
		hm_watchdog_check();
	} else {
		return false;
	}
	return true;
}

void trap_irqs(struct vcpu *v)
{
	/* Group 0 first: only the hypervisor's own are there. */
	for (uint32_t intid; gic_group0 && (intid = gic_ack0()) < 1020;) {
		if (!hyp_irq(intid))
			hyp_log("group 0 interrupt %u on CPU %d is not the "
				"hypervisor's: dropped",
				intid, v ? v->pcpu : -1);
		gic_eoi0(intid);
	}
	/* A direct partition's CPU: group 1 is its guest's, not taken here. */
	if (v && v->part->direct)
		return;
	for (;;) {
		uint32_t intid = gic_ack();

		if (intid >= 1020)
			return;
		if (!gic_group0 && hyp_irq(intid)) {
			gic_eoi(intid, true);
			continue;
		}
		if (!v) {
			/* A CPU without a partition has nothing else. */
			gic_eoi(intid, true);
			continue;
		}
		if (intid < 32) {
			bool mine;

			/* The guest deactivates it, through the list register.
			 */
			spin_lock(&v->part->lock);
			mine = vgic_hw_ppi(v, intid);
			spin_unlock(&v->part->lock);
			if (mine) {
				gic_eoi(intid, false);
				continue;
			}
		}
		if (intid >= 32) {
			bool mine;

			spin_lock(&v->part->lock);
			mine = vgic_hw_spi(v, intid);
			spin_unlock(&v->part->lock);
			if (mine) {
				gic_eoi(intid, false);
				continue;
			}
			hyp_log(
			    "interrupt %u arrived on CPU %d, whose partition "
			    "does not own it: dropped",
			    intid, v->pcpu);
		}
		/* Kicks and maintenance: vgic_sync() does the work. */
		gic_eoi(intid, true);
	}
}

/*
 * Time spent at EL2 per exit, per CPU, from the saved registers to the
 * guest's registers being restored (the counter's ticks; under
 * instruction counting, one nanosecond is one instruction). Exits that
 * wait (a vCPU not running, a standby) are not counted: that is idle
 * time, not cost. Logged at power-off.
 */
struct exit_stats {
	uint64_t exits, ticks, longest, over_2us;
	bool idle; /* this exit waited */
};
static struct exit_stats exit_stats[HYP_MAX_CPUS];
/* 2 us in counter ticks (the frequency is the same on every CPU). */
static uint64_t ticks_2us;

void exit_stats_init(void)
{
	ticks_2us = arch_counter_freq() * 2 / 1000000;
}

void exit_stats_idle(int cpu)
{
	exit_stats[cpu].idle = true;
}

static void exit_stats_add(int cpu, uint64_t ticks)
{
	struct exit_stats *s = &exit_stats[cpu];

	if (s->idle) {
		s->idle = false;
		return;
	}
	s->exits++;
	s->ticks += ticks;
	if (ticks > s->longest)
		s->longest = ticks;
	if (ticks > ticks_2us)
		s->over_2us++;
}

void exit_stats_log(void)
{
	uint64_t f = arch_counter_freq();

	for (int c = 0; c < hyp_ncpus; c++) {
		const struct exit_stats *s = &exit_stats[c];

		if (!s->exits)
			continue;
		hyp_log("CPU %d: %lu exits, time at EL2 per exit: average %lu "
			"ns, longest %lu ns, %lu over 2 us",
			c, (unsigned long)s->exits,
			(unsigned long)(s->ticks * 1000000000 / f / s->exits),
			(unsigned long)(s->longest * 1000000000 / f),
			(unsigned long)s->over_2us);
	}
}

/*
 * A synchronous exit, by exception class: the classes the hypervisor
 * traps on purpose (or that a guest can cause: stage-2 faults) each have
 * a handler; every other class is one a guest should never be able to
 * raise here, and goes to unexpected_trap().
 */
typedef void (*trap_handler)(struct vcpu *v, uint64_t esr);

static void trap_hvc64(struct vcpu *v, uint64_t esr)
{
	(void)esr;
	if (TN_HC_IS_TENON((uint32_t)v->x[0]))
		hypercall(v);
	else
		psci_guest_call(v);
}

static void trap_smc64(struct vcpu *v, uint64_t esr)
{
	(void)esr;
	psci_guest_call(v);
	v->elr += 4; /* a trapped SMC returns to itself */
}

static void trap_iabt_low(struct vcpu *v, uint64_t esr)
{
	uint64_t ipa = read_sysreg(hpfar_el2) >> 4 << 12;
	char what[80];

	(void)esr;
	hyp_snprintf(what, sizeof(what),
		     "vCPU %d: stage-2 fault: instruction fetch at IPA %#lx",
		     v->index, (unsigned long)ipa);
	guest_fault(v, TN_HM_EV_MEM_FAULT, ipa, what, true, -1,
		    read_sysreg(far_el2));
}

/*
 * HCR_EL2.TWI/TWE are clear, so WFI/WFE do not trap today; should they
 * ever, the guest goes on after the instruction, as after a wake-up.
 */
static void trap_wfx(struct vcpu *v, uint64_t esr)
{
	(void)esr;
	v->elr += 4;
}

static void unexpected_trap(struct vcpu *v, uint64_t esr)
{
	char what[80];

	hyp_snprintf(what, sizeof(what),
		     "vCPU %d: unexpected trap, ESR %#lx at PC %#lx", v->index,
		     (unsigned long)esr, (unsigned long)v->elr);
	guest_fault(v, TN_HM_EV_TRAP, esr, what, false, -1, 0);
}

/* ESR_EL2.EC: six bits, the index of this table. */
#define ESR_EC_SHIFT 26
#define ESR_EC_MASK 0x3f

static const trap_handler trap_handlers[ESR_EC_MASK + 1] = {
    [EC_WFX] = trap_wfx,	   [EC_HVC64] = trap_hvc64,
    [EC_SMC64] = trap_smc64,	   [EC_SYSREG] = sysreg_trap,
    [EC_IABT_LOW] = trap_iabt_low, [EC_DABT_LOW] = data_abort,
};

static void trap_sync(struct vcpu *v, uint64_t esr)
{
	trap_handler handler = trap_handlers[esr >> ESR_EC_SHIFT & ESR_EC_MASK];

	(handler ? handler : unexpected_trap)(v, esr);
}

void hyp_guest_exit(struct vcpu *v, uint64_t kind)
{
	uint64_t start = arch_counter();

	if (kind == 0 && __atomic_load_n(&v->part->revoked, __ATOMIC_ACQUIRE)) {
		/* Its memory was taken to get it here: it is to halt. */
	} else if (kind == 0) {
		trap_sync(v, read_sysreg(esr_el2));
	} else if (kind == 1 || kind == 2) {
		/* An IRQ, or an FIQ: the hypervisor's own (group 0). */
		trap_irqs(v);
	} else {
		char what[64];

		hyp_snprintf(what, sizeof(what),
			     "vCPU %d: SError from the guest", v->index);
		if (hm_event(v->part, v, TN_HM_EV_ASYNC_ABORT, kind, what) ==
		    TN_HM_ACT_NOTIFY)
			/* A virtual SError, taken when the guest unmasks. */
			write_sysreg(hcr_el2, read_sysreg(hcr_el2) | HCR_VSE);
	}
	if (v->index == 0 && hm_due(v->part, &v->part->hm))
		hm_service(v);
	if (v->state != VCPU_RUNNING) {
		exit_stats_idle(v->pcpu);
		vcpu_wait(v);
	}
	if (__atomic_load_n(&v->part->revoked, __ATOMIC_ACQUIRE))
		partition_give_back_memory(v->part);
	if (!v->part->direct) {
		spin_lock(&v->part->lock);
		vgic_sync(v);
		spin_unlock(&v->part->lock);
	}
	exit_stats_add(v->pcpu, arch_counter() - start);
}

void hyp_exception(uint64_t kind, uint64_t esr, uint64_t elr, uint64_t far)
{
	hyp_panic("exception in the hypervisor: vector %lu, ESR %#lx, "
		  "ELR %#lx, FAR %#lx",
		  (unsigned long)kind, (unsigned long)esr, (unsigned long)elr,
		  (unsigned long)far);
}
