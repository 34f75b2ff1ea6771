/*
 * The vCPU lifecycle: the one place where a vCPU's state changes.
 *
 *   OFF         not started yet, or turned off (PSCI CPU_OFF); its CPU
 *               waits for it, cleared of it (no list register, no timer)
 *   ON_PENDING  to be started at entry with context in x0 (CPU_ON, or its
 *               partition's reset for vCPU 0); its CPU resets the EL1
 *               context and enters it
 *   RUNNING     in the guest, or in the hypervisor on the guest's behalf
 *   STOPPING    its partition is being stopped or reset: it must leave its
 *               CPU, which it does at its next exit (it is kicked)
 *   HALTED      it left its CPU clean: its partition may be reset
 *
 *   OFF -> ON_PENDING -> RUNNING -> OFF   (CPU_ON, its CPU, CPU_OFF)
 *   any -> STOPPING -> HALTED             (partition stop or reset)
 *   HALTED -> OFF or ON_PENDING           (the reset, once all are HALTED)
 *
 * The rule: a state changes only under its partition's lock (p->lock),
 * and only the vCPU's own CPU moves it out of ON_PENDING and STOPPING, so
 * that what is left on a CPU is cleared by that CPU. Reading a state
 * without the lock is only ever a hint (to sleep or to look again).
 * Every wait for another CPU is bounded: a vCPU that does not halt in time
 * gets its partition parked, never a CPU spinning in EL2.
 *
 * Nothing here assumes a vCPU has its CPU for good: what it leaves on the
 * CPU (EL1 registers, list registers, timers) is cleared when it stops,
 * and set from reset values when it starts, on the CPU it runs on.
 */
#include "hyp.h"
#include "plat/qemu-virt/platform.h"

/* v's CPU no longer holds anything of it that could reach the guest. */
static void clear_cpu(struct vcpu *v)
{
	/* Timers and PMU counters would fire into a restarted guest. */
	arch_cpu_stop_guest_devices();
	if (v->part->direct) {
		direct_clear_cpu(v);
		return;
	}
	vgic_drop_lrs(v);
	/* Their last interrupts may be active still, linked to an LR. */
	vgic_end_hw_ppis(v);
}

void vcpu_halt(struct vcpu *v)
{
	struct partition *p = v->part;

	spin_lock(&p->lock);
	if (v->state == VCPU_STOPPING) {
		clear_cpu(v);
		v->state = VCPU_HALTED;
	}
	spin_unlock(&p->lock);
}

void vcpu_stop_all(struct partition *p)
{
	struct vcpu *self = this_vcpu();

	for (uint32_t i = 0; i < p->cfg->ncpus; i++) {
		struct vcpu *v = p->vcpus[i];

		if (v->state == VCPU_HALTED)
			continue;
		v->state = VCPU_STOPPING;
		if (v != self)
			gic_kick(v->pcpu);
	}
}

bool vcpu_wait_halted(struct partition *p, uint64_t timeout_ms)
{
	uint64_t start = arch_counter();
	uint64_t limit = arch_counter_freq() / 1000 * timeout_ms;

	for (;;) {
		bool all = true;

		for (uint32_t i = 0; i < p->cfg->ncpus && all; i++)
			all = __atomic_load_n(&p->vcpus[i]->state,
					      __ATOMIC_ACQUIRE) == VCPU_HALTED;
		if (all)
			return true;
		if (arch_counter() - start > limit)
			return false;
		/* The CPUs being waited for may kick this one. */
		trap_irqs(this_vcpu());
		__asm__ volatile("yield"); /* lets an emulator run them */
	}
}

int64_t vcpu_cpu_on(struct vcpu *t, uint64_t entry, uint64_t context)
{
	struct partition *p = t->part;
	int64_t ret = 0;

	spin_lock(&p->lock);
	switch (t->state) {
	case VCPU_RUNNING:
		ret = -4; /* ALREADY_ON */
		break;
	case VCPU_ON_PENDING:
		ret = -5; /* ON_PENDING */
		break;
	case VCPU_OFF:
		if (p->state != PARTITION_RUNNING) {
			ret = -6; /* INTERNAL_FAILURE: it is going down */
			break;
		}
		t->entry = entry;
		t->context = context;
		t->state = VCPU_ON_PENDING;
		gic_kick(t->pcpu);
		break;
	default:
		ret = -6; /* stopping with its partition */
		break;
	}
	spin_unlock(&p->lock);
	return ret;
}

void vcpu_cpu_off(struct vcpu *v)
{
	spin_lock(&v->part->lock);
	if (v->state == VCPU_RUNNING)
		v->state = VCPU_OFF;
	spin_unlock(&v->part->lock);
}

int64_t vcpu_affinity(struct vcpu *t)
{
	int s = t->state;

	return s == VCPU_RUNNING ? 0 : s == VCPU_ON_PENDING ? 2 : 1;
}

void vcpu_suspend(struct vcpu *v)
{
	/* Direct delivery: its interrupts are not ours to wait for. */
	if (v->part->direct)
		return;
	uint64_t empty = read_sysreg(S3_4_C12_C11_5); /* ICH_ELRSR_EL2 */
	uint64_t all = (1ull << gic_nr_lrs()) - 1;

	/*
	 * Anything in a list register may wake the guest at once: return
	 * (PSCI lets a standby end early). Otherwise a physical interrupt
	 * for this CPU ends the wait, a kick included, and is taken as soon
	 * as the guest is entered again.
	 */
	if ((empty & all) == all && v->state == VCPU_RUNNING) {
		exit_stats_idle(v->pcpu);
		dsb(sy);
		__asm__ volatile("wfi");
	}
}

/*
 * v's CPU, while v is not RUNNING: halts it when it is to stop, starts it
 * when it is to start, otherwise sleeps until kicked.
 */
void vcpu_wait(struct vcpu *v)
{
	struct partition *p = v->part;
	bool cleared = false;

	for (;;) {
		/* A stopped partition's vCPU 0 is the one to start it. */
		if (v->index == 0 && hm_due(p, &p->hm))
			hm_service(v);
		spin_lock(&p->lock);
		switch (v->state) {
		case VCPU_RUNNING:
			spin_unlock(&p->lock);
			return;
		case VCPU_ON_PENDING:
			v->state = VCPU_RUNNING;
			for (int i = 0; i < 31; i++)
				v->x[i] = 0;
			v->x[0] = v->context;
			v->elr = v->entry;
			v->spsr = 0x3c5; /* EL1h, DAIF masked */
			v->last_vector = ~0ull;
			if (p->direct)
				direct_clear_cpu(v);
			else
				vgic_drop_lrs(v);
			spin_unlock(&p->lock);
			arch_vcpu_reset(v);
			return;
		case VCPU_STOPPING:
			clear_cpu(v);
			cleared = true;
			__atomic_store_n(&v->state, VCPU_HALTED,
					 __ATOMIC_RELEASE);
			break;
		case VCPU_OFF:
			if (!cleared)
				clear_cpu(v);
			cleared = true;
			break;
		default:
			break;
		}
		spin_unlock(&p->lock);
		__asm__ volatile("wfi");
		trap_irqs(v);
	}
}

void vcpu_run(struct vcpu *v)
{
	vcpu_wait(v);
	if (!v->part->direct) {
		spin_lock(&v->part->lock);
		vgic_sync(v);
		spin_unlock(&v->part->lock);
	}
	guest_enter(v);
}
