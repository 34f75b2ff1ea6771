/*
 * Events (see tenon/event.h). Releasing the mutex and queueing on the
 * event happen in one kernel-locked step, so no signal can fall between
 * them. A waiter takes its mutex back with the depth it had, or returns
 * without it when that can never succeed.
 */
#include <tenon/event.h>

#include "kernel/internal.h"

#define TN_EVENT_MAGIC 0x7e7e7407u

static bool is_event(const struct tn_event *ev)
{
	return ev && ev->magic == TN_EVENT_MAGIC;
}

int tn_event_init(struct tn_event *ev)
{
	if (!ev)
		return -EINVAL;
	wq_init(&ev->waiters);
	ev->mutex = NULL;
	ev->magic = TN_EVENT_MAGIC;
	return 0;
}

int tn_event_destroy(struct tn_event *ev)
{
	unsigned long flags = tn_lock();

	if (!is_event(ev)) {
		tn_unlock(flags);
		return -EINVAL;
	}
	ev->magic = 0;
	wq_wake_all(&ev->waiters, -EIDRM);
	sched_run();
	tn_unlock(flags);
	return 0;
}

int tn_event_timedwait(struct tn_event *ev, struct tn_mutex *m,
		       tn_time_t timeout)
{
	unsigned long flags;
	struct tn_thread *self;
	unsigned int depth;
	int ret, relock;

	if (in_handler())
		return -EPERM;
	flags = tn_lock();
	self = this_cpu()->curr;
	if (!is_event(ev) || !m) {
		ret = -EINVAL;
		goto out;
	}
	if (m->owner != self || m->magic != TN_MUTEX_MAGIC) {
		ret = -EPERM;
		goto out;
	}
	if (ev->mutex && ev->mutex != m) {
		ret = -EINVAL;
		goto out;
	}
	ev->mutex = m;
	depth = m->depth;
	m->depth = 1;
	mutex_unlock_locked(m);
	ret = wq_wait(&ev->waiters, timeout);
	if (wq_empty(&ev->waiters))
		ev->mutex = NULL;
	/*
	 * Waiting without a timeout, taking the mutex back fails only for
	 * good: it was destroyed meanwhile (-EINVAL), or its owner waits for
	 * a mutex the caller holds (-EDEADLK). Retrying would spin for ever
	 * with the kernel locked, so the caller is told instead.
	 */
	relock = mutex_lock_locked(m, TN_INFINITE, true);
	if (relock && relock != -EOWNERDEAD) {
		ret = relock;
		goto out;
	}
	m->depth = depth;
	if (!ret)
		ret = relock;
out:
	sched_run();
	tn_unlock(flags);
	return ret;
}

int tn_event_wait(struct tn_event *ev, struct tn_mutex *m)
{
	return tn_event_timedwait(ev, m, TN_INFINITE);
}

static int wake(struct tn_event *ev, bool all)
{
	unsigned long flags = tn_lock();

	if (!is_event(ev)) {
		tn_unlock(flags);
		return -EINVAL;
	}
	if (all)
		wq_wake_all(&ev->waiters, 0);
	else
		wq_wake_one(&ev->waiters, 0);
	sched_run();
	tn_unlock(flags);
	return 0;
}

int tn_event_signal(struct tn_event *ev)
{
	return wake(ev, false);
}

int tn_event_broadcast(struct tn_event *ev)
{
	return wake(ev, true);
}

int tn_event_signal_thread(struct tn_event *ev, struct tn_thread *t)
{
	unsigned long flags = tn_lock();
	int ret = 0;

	if (!is_event(ev) || !thread_is_live(t))
		ret = -EINVAL;
	else if (t->wq != &ev->waiters)
		ret = -ESRCH;
	else
		thread_wake(t, 0);
	sched_run();
	tn_unlock(flags);
	return ret;
}
