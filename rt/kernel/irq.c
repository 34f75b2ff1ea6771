/*
 * Interrupts (see tenon/irq.h): the one entry the ports call for every
 * interrupt they take, which runs the core's timer and inter-CPU handlers
 * and the handlers applications attach to device interrupts, in interrupt
 * context or in a handler thread; and the priority threshold, applied to
 * the CPU interface's priority mask whenever a CPU changes threads.
 *
 * Interrupt-context handlers run with the kernel unlocked, so they may use
 * the non-blocking services; while one runs, a switch those services ask
 * for waits for the end of the interrupt (tn_irq_exit()), so the thread
 * that was interrupted is never switched away in the middle of it.
 */
#include <tenon/irq.h>

#include "kernel/internal.h"

#define TN_IRQ_MAGIC 0x7e7e740bu

static struct tn_irq *irq_table[TN_IRQ_MAX];
static int irq_depth[TN_MAX_CPUS];
static bool cpu_masked[TN_MAX_CPUS]; /* device interrupts masked now */
static int threshold;

void irq_reset(void)
{
	for (int i = 0; i < TN_IRQ_MAX; i++)
		irq_table[i] = NULL;
	for (int i = 0; i < TN_MAX_CPUS; i++) {
		irq_depth[i] = 0;
		cpu_masked[i] = false;
	}
	threshold = TN_IRQ_NO_THRESHOLD;
}

bool irq_context(void)
{
	return irq_depth[arch_cpu_id()] > 0;
}

static void apply_mask(struct tn_cpu *cpu, const struct tn_thread *t)
{
	bool masked = threshold && t->prio >= threshold;

	if (masked != cpu_masked[cpu->id]) {
		cpu_masked[cpu->id] = masked;
		arch_irq_mask_devices(masked);
	}
}

void irq_switch_to(struct tn_cpu *cpu, const struct tn_thread *next)
{
	apply_mask(cpu, next);
}

void irq_prio_changed(struct tn_cpu *cpu)
{
	if (cpu->id == arch_cpu_id())
		apply_mask(cpu, cpu->curr);
	else if (threshold)
		arch_send_ipi(cpu->id); /* its switch path applies the mask */
}

static bool is_attached(const struct tn_irq *irq)
{
	return irq && irq->magic == TN_IRQ_MAGIC && irq->intid < TN_IRQ_MAX &&
	       irq_table[irq->intid] == irq;
}

static void call_handler(void *arg)
{
	struct tn_irq *irq = arg;

	irq->fn(irq);
}

static void device_interrupt(unsigned int intid)
{
	unsigned long flags = tn_lock();
	int self = arch_cpu_id();
	struct tn_irq *irq = intid < TN_IRQ_MAX ? irq_table[intid] : NULL;

	/* Private interrupts are per CPU: another CPU's is not this one. */
	if (!irq || !irq->live || (intid < 32 && irq->cpu != self)) {
		/* Nobody's (or not yet): keep it from coming back. */
		arch_irq_mask(intid, self);
		tn_unlock(flags);
		return;
	}
	irq->stats.taken++;
	if (irq->priority) {
		/* Masked until its thread is done with it, unmasked there. */
		arch_irq_mask(intid, irq->cpu);
		irq->in_handler = true;
		irq->queued = true;
		wq_wake_one(&irq->waiters, 0);
		tn_unlock(flags);
		return;
	}
	irq->running++;
	tn_unlock(flags);
	arch_app_call(call_handler, irq);
	flags = tn_lock();
	irq->running--;
	irq->stats.handled++;
	tn_unlock(flags);
}

void tn_irq_dispatch(unsigned int intid)
{
	int self = arch_cpu_id();

	irq_depth[self]++;
	if (intid == arch_timer_intid)
		tn_timer_interrupt();
	else if (intid == arch_ipi_intid)
		tn_ipi_interrupt();
	else if (intid && intid == arch_hm_intid())
		health_interrupt();
	else
		device_interrupt(intid);
	irq_depth[self]--;
}

static void *irq_thread(void *arg)
{
	struct tn_irq *irq = arg;
	unsigned long flags = tn_lock();

	while (!irq->stopping) {
		if (!irq->queued) {
			wq_wait(&irq->waiters, TN_INFINITE);
			continue;
		}
		irq->queued = false;
		tn_unlock(flags);
		irq->fn(irq);
		flags = tn_lock();
		irq->stats.handled++;
		irq->in_handler = false;
		if (irq->enabled && !irq->stopping)
			arch_irq_unmask(irq->intid, irq->cpu);
	}
	tn_unlock(flags);
	return NULL;
}

void tn_irq_attr_init(struct tn_irq_attr *attr)
{
	attr->name = NULL;
	attr->priority = 0;
	attr->affinity = 0;
	attr->stack_size = 0;
}

static bool intid_allowed(unsigned int intid)
{
	return intid < TN_IRQ_MAX && intid < arch_irq_count() &&
	       intid != arch_timer_intid && intid != arch_ipi_intid &&
	       (!arch_hm_intid() || intid != arch_hm_intid());
}

static int pick_cpu(tn_cpumask_t affinity)
{
	tn_cpumask_t online = (tn_cpumask_t)((1ull << arch_cpu_count()) - 1);

	if (!affinity)
		return arch_cpu_id();
	if ((affinity & (affinity - 1)) || (affinity & ~online))
		return -EINVAL;
	return __builtin_ctz(affinity);
}

/* "irq" and the number: the handler thread's name when none is given. */
static void default_name(char *buf, unsigned int intid)
{
	char digits[8];
	int n = 0;

	do {
		digits[n++] = (char)('0' + intid % 10);
		intid /= 10;
	} while (intid && n < (int)sizeof(digits));
	buf[0] = 'i', buf[1] = 'r', buf[2] = 'q';
	for (int i = 0; i < n; i++)
		buf[3 + i] = digits[n - 1 - i];
	buf[3 + n] = '\0';
}

static int start_thread(struct tn_irq *irq, const struct tn_irq_attr *attr)
{
	struct tn_thread_attr ta;
	char name[16];

	tn_thread_attr_init(&ta);
	default_name(name, irq->intid);
	ta.name = attr->name ? attr->name : name;
	ta.sched.priority = attr->priority;
	ta.affinity = TN_CPU(irq->cpu);
	ta.stack_size = attr->stack_size;
	return tn_thread_create(&irq->thread, &ta, irq_thread, irq);
}

int tn_irq_attach(struct tn_irq *irq, unsigned int intid,
		  const struct tn_irq_attr *attr, tn_irq_fn fn, void *data)
{
	struct tn_irq_attr defaults;
	unsigned long flags;
	int cpu, ret;

	if (!irq || !fn || !intid_allowed(intid))
		return -EINVAL;
	if (!attr) {
		tn_irq_attr_init(&defaults);
		attr = &defaults;
	}
	if (attr->priority &&
	    (attr->priority < TN_PRIO_MIN || attr->priority > TN_PRIO_MAX))
		return -EINVAL;
	if (attr->stack_size && attr->stack_size < TN_STACK_SIZE_MIN)
		return -EINVAL;
	cpu = pick_cpu(attr->affinity);
	if (cpu < 0)
		return cpu;
	if (irq_context())
		return -EPERM;

	flags = tn_lock();
	if (is_attached(irq) || irq_table[intid]) {
		tn_unlock(flags);
		return -EBUSY;
	}
	irq->intid = intid;
	irq->cpu = cpu;
	irq->priority = attr->priority;
	irq->fn = fn;
	irq->data = data;
	irq->enabled = true;
	irq->in_handler = false;
	irq->queued = false;
	irq->running = 0;
	irq->stopping = false;
	/* Claimed, but taken for nobody's until set up. */
	irq->live = false;
	wq_init(&irq->waiters);
	irq->stats = (struct tn_irq_stats){0};
	irq->magic = TN_IRQ_MAGIC;
	irq_table[intid] = irq;
	tn_unlock(flags);

	if (irq->priority) {
		ret = start_thread(irq, attr);
		if (ret) {
			flags = tn_lock();
			irq_table[intid] = NULL;
			irq->magic = 0;
			tn_unlock(flags);
			return ret;
		}
	}
	flags = tn_lock();
	irq->live = true;
	arch_irq_route(intid, cpu);
	arch_irq_unmask(intid, cpu);
	tn_unlock(flags);
	return 0;
}

int tn_irq_detach(struct tn_irq *irq)
{
	unsigned long flags;
	int running;

	if (irq_context())
		return -EPERM;
	flags = tn_lock();
	if (!is_attached(irq) || !irq->live) {
		tn_unlock(flags);
		return -EINVAL;
	}
	if (irq->priority && this_cpu()->curr == &irq->thread) {
		tn_unlock(flags);
		return -EDEADLK;
	}
	irq->live = false;
	irq->stopping = true;
	irq->enabled = false;
	arch_irq_mask(irq->intid, irq->cpu);
	wq_wake_all(&irq->waiters, 0);
	sched_run();
	tn_unlock(flags);

	if (irq->priority) {
		tn_thread_join(&irq->thread, NULL);
	} else {
		/* A handler another CPU runs now is short: wait for it. */
		do {
			flags = tn_lock();
			running = irq->running;
			tn_unlock(flags);
		} while (running);
	}
	flags = tn_lock();
	irq_table[irq->intid] = NULL;
	irq->magic = 0;
	tn_unlock(flags);
	return 0;
}

static int set_enabled(struct tn_irq *irq, bool on)
{
	unsigned long flags = tn_lock();

	if (!is_attached(irq) || !irq->live) {
		tn_unlock(flags);
		return -EINVAL;
	}
	irq->enabled = on;
	if (!on)
		arch_irq_mask(irq->intid, irq->cpu);
	else if (!irq->in_handler)
		arch_irq_unmask(irq->intid, irq->cpu);
	tn_unlock(flags);
	return 0;
}

int tn_irq_enable(struct tn_irq *irq)
{
	return set_enabled(irq, true);
}

int tn_irq_disable(struct tn_irq *irq)
{
	return set_enabled(irq, false);
}

int tn_irq_raise(struct tn_irq *irq)
{
	/*
	 * Without the kernel lock, so that timer handlers (which hold it)
	 * may raise too. Racing a detach at worst raises an interrupt nobody
	 * owns any more, which its first occurrence masks.
	 */
	if (!irq || irq->magic != TN_IRQ_MAGIC || irq->intid >= TN_IRQ_MAX ||
	    !irq->live)
		return -EINVAL;
	arch_irq_raise(irq->intid, irq->cpu);
	return 0;
}

void *tn_irq_data(struct tn_irq *irq)
{
	return irq->data;
}

int tn_irq_get_stats(struct tn_irq *irq, struct tn_irq_stats *stats)
{
	unsigned long flags;
	int ret = 0;

	if (!stats)
		return -EINVAL;
	flags = tn_lock();
	if (is_attached(irq))
		*stats = irq->stats;
	else
		ret = -EINVAL;
	tn_unlock(flags);
	return ret;
}

int tn_irq_set_threshold(int priority)
{
	unsigned long flags;

	if (priority != TN_IRQ_NO_THRESHOLD &&
	    (priority < TN_PRIO_MIN || priority > TN_PRIO_MAX))
		return -EINVAL;
	flags = tn_lock();
	threshold = priority;
	for (int i = 0; i < arch_cpu_count(); i++) {
		if (i == arch_cpu_id())
			apply_mask(&tn_cpus[i], tn_cpus[i].curr);
		else
			arch_send_ipi(i);
	}
	tn_unlock(flags);
	return 0;
}

int tn_irq_get_threshold(void)
{
	unsigned long flags = tn_lock();
	int ret = threshold;

	tn_unlock(flags);
	return ret;
}
