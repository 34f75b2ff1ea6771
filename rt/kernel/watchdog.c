/*
 * The hypervisor's watchdog (tenon/watchdog.h): armed by hypercall, kept
 * from expiring by a kicker thread at the application's priority. The
 * kicker sleeps on a semaphore with a timeout, so that stopping it is a
 * post, not a wait for its next turn.
 */
#include <tenon/watchdog.h>

#include "kernel/internal.h"

static struct {
	bool started;
	bool kicker;
	tn_time_t interval;
	struct tn_sem stop;
	struct tn_thread thread;
} wd;

static void *kicker(void *arg)
{
	tn_time_t next = tn_clock_read();

	(void)arg;
	for (;;) {
		next = time_after(next, wd.interval);
		if (tn_sem_timedget(&wd.stop, next) != -ETIMEDOUT)
			return NULL;
		arch_watchdog_kick();
	}
}

int tn_watchdog_start(tn_time_t period, int kick_priority)
{
	struct tn_thread_attr attr;
	int ret;

	if (in_handler())
		return -EPERM;
	if (period < TN_USEC(TN_HM_WATCHDOG_MIN_US) ||
	    period > TN_USEC(TN_HM_WATCHDOG_MAX_US) ||
	    (kick_priority &&
	     (kick_priority < TN_PRIO_MIN || kick_priority > TN_PRIO_MAX)))
		return -EINVAL;
	/* One caller at a time: the watchdog is the application's, once. */
	if (__atomic_exchange_n(&wd.started, true, __ATOMIC_ACQ_REL))
		return -EBUSY;
	ret = arch_watchdog_set((uint64_t)(period / 1000));
	if (ret < 0)
		goto fail;
	wd.kicker = kick_priority != 0;
	if (!wd.kicker)
		return 0;
	wd.interval = period / 4;
	tn_sem_init(&wd.stop, 0);
	tn_thread_attr_init(&attr);
	attr.name = "watchdog";
	attr.sched.priority = kick_priority;
	attr.affinity = TN_CPU(arch_cpu_id());
	ret = tn_thread_create(&wd.thread, &attr, kicker, NULL);
	if (!ret)
		return 0;
	arch_watchdog_set(0);
	tn_sem_destroy(&wd.stop);
fail:
	__atomic_store_n(&wd.started, false, __ATOMIC_RELEASE);
	return ret;
}

int tn_watchdog_stop(void)
{
	int ret;

	if (in_handler())
		return -EPERM;
	if (!__atomic_load_n(&wd.started, __ATOMIC_ACQUIRE))
		return -EINVAL;
	ret = arch_watchdog_set(0);
	if (wd.kicker) {
		tn_sem_put(&wd.stop);
		tn_thread_join(&wd.thread, NULL);
		tn_sem_destroy(&wd.stop);
	}
	__atomic_store_n(&wd.started, false, __ATOMIC_RELEASE);
	return ret < 0 ? ret : 0;
}

int tn_watchdog_kick(void)
{
	return arch_watchdog_kick();
}

void watchdog_reset(void)
{
	wd.started = false;
	wd.kicker = false;
}
