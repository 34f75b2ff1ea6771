/*
 * The monotonic clock and the per-CPU timer queues behind every timeout,
 * sleep, round-robin slice and timer. Each CPU keeps its armed timers in a
 * red-black tree ordered by date (FIFO among equal dates), so arming and
 * cancelling cost O(log n) and the next date is O(1). The core is
 * tickless: the hardware timer is programmed for the earliest date only.
 */
#include "kernel/internal.h"

static int ktimer_before(const struct tn_rb_node *a, const struct tn_rb_node *b)
{
	return tn_rb_entry(a, struct tn_ktimer, node)->date <
	       tn_rb_entry(b, struct tn_ktimer, node)->date;
}

void ktimer_init(struct tn_ktimer *kt, tn_ktimer_fn fn, int cpu)
{
	tn_rb_node_init(&kt->node);
	kt->date = TN_INFINITE;
	kt->interval = 0;
	kt->fn = fn;
	kt->cpu = cpu;
}

static tn_time_t first_date(const struct tn_cpu *cpu)
{
	const struct tn_rb_node *first = tn_rb_first(&cpu->timers);

	return first ? tn_rb_entry(first, struct tn_ktimer, node)->date
		     : TN_INFINITE;
}

/* Called on the timer's own CPU. */
static void reprogram(struct tn_cpu *cpu)
{
	tn_time_t date = first_date(cpu);

	if (date != cpu->programmed) {
		cpu->programmed = date;
		arch_timer_program(date);
	}
}

void ktimer_start(struct tn_ktimer *kt, tn_time_t date, tn_time_t interval)
{
	struct tn_cpu *cpu = &tn_cpus[kt->cpu];

	if (ktimer_armed(kt))
		tn_rb_erase(&cpu->timers, &kt->node);
	kt->date = date;
	kt->interval = interval;
	tn_rb_insert(&cpu->timers, &kt->node, ktimer_before);
	if (date >= cpu->programmed)
		return;
	if (cpu->id == arch_cpu_id())
		reprogram(cpu);
	else
		arch_send_ipi(cpu->id); /* its handler reprograms */
}

void ktimer_stop(struct tn_ktimer *kt)
{
	struct tn_cpu *cpu = &tn_cpus[kt->cpu];

	tn_rb_erase(&cpu->timers, &kt->node);
	kt->date = TN_INFINITE;
	/*
	 * A remote CPU keeps its programmed date: the interrupt then finds
	 * nothing due and programs the next one, cheaper than an IPI now.
	 */
	if (cpu->id == arch_cpu_id())
		reprogram(cpu);
}

/*
 * The date after an expiry due at kt->date and seen at now; *expiries
 * counts the periods that ended meanwhile, so a late timer keeps its
 * phase. A next period that would end past the end of time never ends:
 * the timer is done, as a one-shot is.
 */
static tn_time_t next_date(const struct tn_ktimer *kt, tn_time_t now,
			   uint64_t *expiries)
{
	tn_time_t late, step;

	if (!kt->interval)
		return TN_INFINITE;
	late = (now - kt->date) / kt->interval;
	*expiries += (uint64_t)late;
	if (__builtin_mul_overflow(late + 1, kt->interval, &step))
		return TN_INFINITE;
	return time_after(kt->date, step);
}

void tn_timer_interrupt(void)
{
	unsigned long flags = tn_lock();
	struct tn_cpu *cpu = this_cpu();
	tn_time_t now = arch_clock_read();
	struct tn_rb_node *first;

	cpu->in_irq = true;
	while ((first = tn_rb_first(&cpu->timers)) != NULL) {
		struct tn_ktimer *kt =
		    tn_rb_entry(first, struct tn_ktimer, node);
		uint64_t expiries = 1;
		struct tn_rb_node *after;
		tn_time_t date;

		if (kt->date > now)
			break;
		date = next_date(kt, now, &expiries);
		after = tn_rb_next(first);
		if (date != TN_INFINITE &&
		    (!after ||
		     date < tn_rb_entry(after, struct tn_ktimer, node)->date)) {
			/*
			 * A periodic timer that is still the earliest keeps
			 * its place: a new date below every other one leaves
			 * the tree ordered, and the common case of a single
			 * periodic timer costs no erase and insert.
			 * Equal to the next one's, it must go behind it
			 * (FIFO among equal dates), so it is requeued.
			 */
			kt->date = date;
		} else {
			tn_rb_erase(&cpu->timers, first);
			kt->date = date;
			if (date != TN_INFINITE)
				tn_rb_insert(&cpu->timers, &kt->node,
					     ktimer_before);
		}
		kt->fn(kt, expiries);
	}
	/*
	 * The hardware timer is one-shot and may still be asserting: set it
	 * again (or stop it) even if the next date did not change.
	 */
	cpu->programmed = first_date(cpu);
	arch_timer_program(cpu->programmed);
	tn_unlock(flags);
}

tn_time_t tn_clock_read(void)
{
	return arch_clock_read();
}

int tn_sleep_until(tn_time_t date)
{
	unsigned long flags;
	int ret;

	if (in_handler())
		return -EPERM;
	flags = tn_lock();
	if (date <= arch_clock_read()) {
		ret = 0;
	} else {
		ret = thread_block(date);
		if (ret == -ETIMEDOUT)
			ret = 0;
	}
	tn_unlock(flags);
	return ret;
}

int tn_sleep(tn_time_t delay)
{
	tn_time_t now = tn_clock_read();

	if (delay < 0)
		return -EINVAL;
	/* A delay past the end of time sleeps for ever rather than wrap. */
	return tn_sleep_until(delay > TN_INFINITE - now ? TN_INFINITE
							: now + delay);
}

void tn_spin(tn_time_t ns)
{
	/* Run time is the interrupted thread's: a handler cannot spend it. */
	if (ns > 0 && !in_handler())
		arch_spin(ns);
}
