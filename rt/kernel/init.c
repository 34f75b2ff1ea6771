/*
 * Bringing the kernel up: resetting its state, turning each CPU's boot
 * context into that CPU's idle thread, starting the application's "main"
 * thread on CPU 0, and the interrupt entry points a port calls.
 */
#include <string.h>
#include <tenon/log.h>

#include "kernel/internal.h"

struct tn_cpu tn_cpus[TN_MAX_CPUS];

static struct tn_boot boot;
static struct tn_thread main_thread;

void tn_kernel_init(const struct tn_boot *b)
{
	int ncpus = arch_cpu_count();

	boot = *b;
	health_reset();
	watchdog_reset();
	thread_ids_reset();
	log_reset();
	irq_reset();
	channel_reset();
	memset(&main_thread, 0, sizeof(main_thread));
	tn_list_init(&tn_all_threads);
	for (int i = 0; i < ncpus; i++) {
		struct tn_cpu *cpu = &tn_cpus[i];

		memset(cpu, 0, sizeof(*cpu));
		cpu->id = i;
		cpu->programmed = TN_INFINITE;
		tn_rb_init(&cpu->timers);
		tn_list_init(&cpu->timer_calls);
		sched_init_cpu(cpu);
		thread_init_common(&cpu->idle, "idle", i);
		cpu->idle.sched.policy = TN_SCHED_IDLE;
		cpu->idle.prio = 0;
		cpu->curr = &cpu->idle;
	}
}

struct tn_thread *tn_cpu_idle_thread(int cpu)
{
	return &tn_cpus[cpu].idle;
}

static void *main_entry(void *arg)
{
	int code = boot.main(arg);

	arch_app_exit(code);
	return (void *)(intptr_t)code;
}

static void start_main(void)
{
	struct tn_thread_attr attr;
	int ret;

	/* Before main runs: what it arms may be notified at once. */
	health_start();
	tn_thread_attr_init(&attr);
	attr.name = "main";
	attr.sched.priority = boot.main_priority;
	ret = tn_thread_create(&main_thread, &attr, main_entry, boot.arg);
	if (ret)
		arch_panic("cannot start the main thread");
	ps_start();
}

void tn_cpu_main(void)
{
	struct tn_cpu *cpu = this_cpu();

	cpu->idle.run_start = arch_clock_read();
	if (cpu->id == 0) {
		log_start();
		start_main();
	}
	/*
	 * Wake-ups for this CPU come by interrupt (timer or IPI), and the
	 * interrupt's exit switches to whatever it made ready. The console
	 * gets the time nothing else wants: the CPU's log goes out here.
	 */
	for (;;) {
		log_drain_cpu(cpu->id);
		arch_cpu_idle();
	}
}

void tn_ipi_interrupt(void)
{
	unsigned long flags = tn_lock();
	struct tn_cpu *cpu = this_cpu();

	cpu->in_irq = true;
	/* A remote CPU queued a thread here, or armed an earlier timer. */
	cpu->need_resched = true;
	cpu->programmed = TN_INFINITE;
	tn_unlock(flags);
	tn_timer_interrupt();
}

void tn_irq_exit(void)
{
	unsigned long flags = arch_irq_save();
	struct tn_cpu *cpu = this_cpu();

	cpu->in_irq = false;
	if (!cpu->need_resched) {
		arch_irq_restore(flags);
		return;
	}
	/*
	 * Interrupts stay masked into the lock: tn_lock() would only mask
	 * them again, and the unlock restores what the port had.
	 */
	arch_kernel_lock();
	sched_run();
	tn_unlock(flags);
}

void tn_kernel_release(void)
{
	struct tn_list *pos;
	void **stacks = NULL;

	/*
	 * Thread structures may live on other threads' stacks: note every
	 * stack first, in the stacks themselves (nothing runs any more),
	 * and free them only once the list has been walked.
	 */
	tn_list_for_each (pos, &tn_all_threads) {
		struct tn_thread *t = tn_list_entry(pos, struct tn_thread, all);

		if (t->stack_owned && t->stack) {
			void **note = t->stack;

			note[0] = stacks;
			note[1] = (void *)t->stack_size;
			stacks = note;
		}
	}
	tn_list_init(&tn_all_threads);
	while (stacks) {
		void **note = stacks;

		stacks = note[0];
		arch_stack_free(note, (size_t)note[1]);
	}
}

int tn_cpu_count(void)
{
	return arch_cpu_count();
}

int tn_cpu_self(void)
{
	return arch_cpu_id();
}

int tn_restart(void)
{
	if (in_handler())
		return -EPERM;
	tn_log_flush();
	return arch_restart();
}
