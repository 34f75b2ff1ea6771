/*
 * The timer element: a kernel timer plus a count of expiries not yet
 * collected and the threads waiting to collect them. The count is what
 * makes overruns visible: a waiter that comes back late for a periodic
 * timer reads every period it missed.
 */
#include "kernel/internal.h"

static void timer_fired(struct tn_ktimer *kt, uint64_t expiries)
{
	struct tn_timer *timer = tn_container_of(kt, struct tn_timer, kt);

	timer->ticks += expiries;
	if (timer->fn) {
		/* Run once the lock is dropped (handler.c). */
		if (tn_list_empty(&timer->call))
			tn_list_add_tail(&timer->call,
					 &tn_cpus[kt->cpu].timer_calls);
		timer->call_expiries += expiries;
		tn_cpus[kt->cpu].handlers_due = true;
	}
	wq_wake_all(&timer->waiters, 0);
	poll_notify(&timer->poll);
}

bool timer_call_next(struct tn_cpu *cpu, struct tn_timer **timer,
		     tn_timer_fn *fn, uint64_t *expiries)
{
	struct tn_timer *t;

	if (tn_list_empty(&cpu->timer_calls))
		return false;
	t = tn_list_entry(cpu->timer_calls.next, struct tn_timer, call);
	tn_list_del(&t->call);
	*timer = t;
	*fn = t->fn;
	*expiries = t->call_expiries;
	t->call_expiries = 0;
	return true;
}

static bool is_timer(const struct tn_timer *timer)
{
	return timer && timer->magic == TN_TIMER_MAGIC;
}

int tn_timer_init(struct tn_timer *timer, tn_timer_fn fn, void *data)
{
	unsigned long flags;
	bool busy;

	if (!timer)
		return -EINVAL;
	/*
	 * Re-initialising a timer that is armed, or whose handler is due,
	 * would corrupt its CPU's queues.
	 */
	flags = tn_lock();
	busy = is_timer(timer) &&
	       (ktimer_armed(&timer->kt) || !tn_list_empty(&timer->call));
	tn_unlock(flags);
	if (busy)
		return -EBUSY;
	ktimer_init(&timer->kt, timer_fired, arch_cpu_id());
	wq_init(&timer->waiters);
	tn_list_init(&timer->call);
	timer->call_expiries = 0;
	poll_head_init(&timer->poll);
	timer->ticks = 0;
	timer->fn = fn;
	timer->data = data;
	timer->magic = TN_TIMER_MAGIC;
	return 0;
}

int tn_timer_set(struct tn_timer *timer, tn_time_t date, tn_time_t interval)
{
	unsigned long flags;

	/* Dates count from the core's start: a negative one is a mistake. */
	if (interval < 0 || date < 0)
		return -EINVAL;
	flags = tn_lock();
	if (!is_timer(timer)) {
		tn_unlock(flags);
		return -EINVAL;
	}
	timer->ticks = 0;
	if (date == TN_INFINITE) {
		if (ktimer_armed(&timer->kt))
			ktimer_stop(&timer->kt);
	} else {
		ktimer_start(&timer->kt, date, interval);
	}
	tn_unlock(flags);
	return 0;
}

int tn_timer_get(struct tn_timer *timer, tn_time_t *date, tn_time_t *interval)
{
	unsigned long flags = tn_lock();
	int ret = 0;

	if (is_timer(timer)) {
		if (date)
			*date = timer->kt.date;
		if (interval)
			*interval = timer->kt.interval;
	} else {
		ret = -EINVAL;
	}
	tn_unlock(flags);
	return ret;
}

int tn_timer_wait(struct tn_timer *timer, uint64_t *ticks, tn_time_t timeout)
{
	unsigned long flags;
	int ret = 0;

	if (in_handler())
		return -EPERM;
	flags = tn_lock();
	if (!is_timer(timer)) {
		tn_unlock(flags);
		return -EINVAL;
	}
	/* Several waiters may wake for one expiry: the first takes it. */
	while (is_timer(timer) && !timer->ticks && !ret)
		ret = wq_wait(&timer->waiters, timeout);
	if (!is_timer(timer)) {
		ret = -EIDRM;
	} else if (!ret) {
		if (ticks)
			*ticks = timer->ticks;
		timer->ticks = 0;
	}
	tn_unlock(flags);
	return ret;
}

int tn_timer_destroy(struct tn_timer *timer)
{
	unsigned long flags = tn_lock();

	if (!is_timer(timer)) {
		tn_unlock(flags);
		return -EINVAL;
	}
	if (ktimer_armed(&timer->kt))
		ktimer_stop(&timer->kt);
	tn_list_del(&timer->call);
	timer->magic = 0;
	wq_wake_all(&timer->waiters, -EIDRM);
	poll_source_gone(&timer->poll);
	sched_run();
	tn_unlock(flags);
	return 0;
}

void *tn_timer_data(struct tn_timer *timer)
{
	return timer->data;
}
