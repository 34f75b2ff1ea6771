/*
 * Handler context: the application's timer and health handlers. They
 * never run under the kernel lock, which is not re-entrant: an element
 * queues the call on its CPU while the lock is held, and the CPU runs the
 * calls due as it releases the lock, one by one, with the lock dropped and
 * interrupts still masked. A handler may therefore call every service that
 * does not block (they take the lock as any caller would); those that
 * could block return -EPERM, and nothing switches threads until the last
 * handler has returned. Nothing here depends on there being one kernel
 * lock: with a lock per CPU or per object, the calls are still queued per
 * CPU and run once no lock is held.
 */
#include "kernel/internal.h"

struct timer_call {
	struct tn_timer *timer;
	tn_timer_fn fn;
	uint64_t expiries;
};

static void call_timer(void *arg)
{
	struct timer_call *c = arg;

	c->fn(c->timer, c->expiries);
}

static void call_health(void *arg)
{
	health_call(arg);
}

/*
 * As an interrupt ends, the interrupted thread's FP/SIMD registers are
 * live and the kernel saved none of them: the handler, application code,
 * must not change them.
 */
static void run(struct tn_cpu *cpu, void (*fn)(void *), void *arg)
{
	if (cpu->in_irq)
		arch_app_call(fn, arg);
	else
		fn(arg);
}

void handlers_run(void)
{
	struct tn_cpu *cpu = this_cpu();

	cpu->in_handler = true;
	while (cpu->handlers_due) {
		struct timer_call t;
		struct health_call call;

		if (timer_call_next(cpu, &t.timer, &t.fn, &t.expiries)) {
			arch_kernel_unlock();
			run(cpu, call_timer, &t);
			arch_kernel_lock();
		} else if (cpu->health_count) {
			call = cpu->health_calls[cpu->health_head];
			cpu->health_head =
			    (cpu->health_head + 1) % TN_HEALTH_CALLS;
			cpu->health_count--;
			arch_kernel_unlock();
			run(cpu, call_health, &call);
			arch_kernel_lock();
		} else {
			cpu->handlers_due = false;
		}
	}
	cpu->in_handler = false;
	/*
	 * What the handlers made ready runs now, unless this is an
	 * interrupt: its exit (tn_irq_exit) switches.
	 */
	if (!cpu->in_irq)
		sched_run();
}
