/*
 * Reader-writer locks (see tenon/rwlock.h). Each waiter records whether it
 * wants to read or write; releases grant the lock from the head of the
 * queue: a writer alone, or every reader up to the first writer.
 */
#include <tenon/rwlock.h>

#include "kernel/internal.h"

#define TN_RWLOCK_MAGIC 0x7e7e7408u

enum { WANT_READ = 1, WANT_WRITE = 2 };

static bool is_rwlock(const struct tn_rwlock *rw)
{
	return rw && rw->magic == TN_RWLOCK_MAGIC;
}

int tn_rwlock_init(struct tn_rwlock *rw)
{
	if (!rw)
		return -EINVAL;
	wq_init(&rw->waiters);
	rw->writer = NULL;
	rw->readers = 0;
	rw->writers_waiting = 0;
	rw->magic = TN_RWLOCK_MAGIC;
	return 0;
}

int tn_rwlock_destroy(struct tn_rwlock *rw)
{
	unsigned long flags = tn_lock();
	int ret = 0;

	if (!is_rwlock(rw))
		ret = -EINVAL;
	else if (rw->writer || rw->readers || !wq_empty(&rw->waiters))
		ret = -EBUSY;
	else
		rw->magic = 0;
	tn_unlock(flags);
	return ret;
}

static void grant(struct tn_rwlock *rw)
{
	struct tn_thread *t;

	while ((t = wq_first(&rw->waiters)) != NULL) {
		if (t->wait_arg == WANT_WRITE) {
			if (!rw->writer && !rw->readers) {
				rw->writer = t;
				rw->writers_waiting--;
				thread_wake(t, 0);
			}
			return;
		}
		if (rw->writer)
			return;
		rw->readers++;
		thread_wake(t, 0);
	}
}

static int acquire(struct tn_rwlock *rw, int want, tn_time_t timeout, bool wait)
{
	unsigned long flags = tn_lock();
	struct tn_thread *self = this_cpu()->curr;
	int ret = 0;

	if (!is_rwlock(rw)) {
		ret = -EINVAL;
	} else if (rw->writer == self) {
		ret = -EDEADLK;
	} else if (want == WANT_READ && !rw->writer && !rw->writers_waiting) {
		rw->readers++;
	} else if (want == WANT_WRITE && !rw->writer && !rw->readers) {
		rw->writer = self;
	} else if (!wait) {
		ret = -EBUSY;
	} else {
		self->wait_arg = (uintptr_t)want;
		if (want == WANT_WRITE)
			rw->writers_waiting++;
		ret = wq_wait(&rw->waiters, timeout);
		if (ret && want == WANT_WRITE) {
			/* Readers held back for this writer may go now. */
			rw->writers_waiting--;
			grant(rw);
			sched_run();
		}
	}
	tn_unlock(flags);
	return ret;
}

int tn_rwlock_rdlock(struct tn_rwlock *rw)
{
	return acquire(rw, WANT_READ, TN_INFINITE, true);
}

int tn_rwlock_timedrdlock(struct tn_rwlock *rw, tn_time_t timeout)
{
	return acquire(rw, WANT_READ, timeout, true);
}

int tn_rwlock_tryrdlock(struct tn_rwlock *rw)
{
	return acquire(rw, WANT_READ, 0, false);
}

int tn_rwlock_wrlock(struct tn_rwlock *rw)
{
	return acquire(rw, WANT_WRITE, TN_INFINITE, true);
}

int tn_rwlock_timedwrlock(struct tn_rwlock *rw, tn_time_t timeout)
{
	return acquire(rw, WANT_WRITE, timeout, true);
}

int tn_rwlock_trywrlock(struct tn_rwlock *rw)
{
	return acquire(rw, WANT_WRITE, 0, false);
}

int tn_rwlock_unlock(struct tn_rwlock *rw)
{
	unsigned long flags = tn_lock();
	struct tn_thread *self = this_cpu()->curr;
	int ret = 0;

	if (!is_rwlock(rw))
		ret = -EINVAL;
	else if (rw->writer == self)
		rw->writer = NULL;
	else if (rw->readers > 0 && !rw->writer)
		rw->readers--;
	else
		ret = -EPERM;
	if (!ret) {
		grant(rw);
		sched_run();
	}
	tn_unlock(flags);
	return ret;
}
