/*
 * Reader-writer locks (see tenon/rwlock.h). Each waiter records whether it
 * wants to read or write; releases grant the lock from the head of the
 * queue: a writer alone, or every reader up to the first writer. Each
 * thread notes the locks it holds in a few slots of its own, so that only
 * a holder can release a hold and a thread that ends gives its holds back.
 */
#include <tenon/rwlock.h>

#include "kernel/internal.h"

#define TN_RWLOCK_MAGIC 0x7e7e7408u

enum { WANT_READ = 1, WANT_WRITE = 2 };

static bool is_rwlock(const struct tn_rwlock *rw)
{
	return rw && rw->magic == TN_RWLOCK_MAGIC;
}

/* The slot of t that notes its hold on rw; rw NULL: a free slot. */
static struct tn_rwlock **held_slot(struct tn_thread *t,
				    const struct tn_rwlock *rw)
{
	for (int i = 0; i < TN_RWLOCK_HELD_MAX; i++)
		if (t->rwlocks[i] == rw)
			return &t->rwlocks[i];
	return NULL;
}

int tn_rwlock_init(struct tn_rwlock *rw)
{
	if (!rw)
		return -EINVAL;
	/* Its holders note it: resetting it under them would corrupt it. */
	if (is_rwlock(rw) && (rw->writer || rw->readers))
		return -EBUSY;
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

/* A waiter found a free slot before it blocked, and has it still. */
static void grant(struct tn_rwlock *rw)
{
	struct tn_thread *t;

	while ((t = wq_first(&rw->waiters)) != NULL) {
		if (t->wait_arg == WANT_WRITE) {
			if (!rw->writer && !rw->readers) {
				rw->writer = t;
				rw->writers_waiting--;
				*held_slot(t, NULL) = rw;
				thread_wake(t, 0);
			}
			return;
		}
		if (rw->writer)
			return;
		rw->readers++;
		*held_slot(t, NULL) = rw;
		thread_wake(t, 0);
	}
}

static int acquire(struct tn_rwlock *rw, int want, tn_time_t timeout, bool wait)
{
	unsigned long flags;
	struct tn_thread *self;
	struct tn_rwlock **slot;
	int ret = 0;

	/* A handler is nobody: it could not hold a lock. */
	if (in_handler())
		return -EPERM;
	flags = tn_lock();
	self = this_cpu()->curr;
	if (!is_rwlock(rw)) {
		ret = -EINVAL;
	} else if (held_slot(self, rw)) {
		/* Not recursive: a second read hold could wait for ever
		 * behind a writer that waits for the first. */
		ret = -EDEADLK;
	} else if (!(slot = held_slot(self, NULL))) {
		ret = -EAGAIN;
	} else if (want == WANT_READ && !rw->writer && !rw->writers_waiting) {
		rw->readers++;
		*slot = rw;
	} else if (want == WANT_WRITE && !rw->writer && !rw->readers) {
		rw->writer = self;
		*slot = rw;
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

/* Gives back the hold slot notes, and lets the next holders in. */
static void release(struct tn_thread *t, struct tn_rwlock **slot)
{
	struct tn_rwlock *rw = *slot;

	*slot = NULL;
	if (rw->writer == t)
		rw->writer = NULL;
	else
		rw->readers--;
	grant(rw);
}

int tn_rwlock_unlock(struct tn_rwlock *rw)
{
	unsigned long flags;
	struct tn_thread *self;
	struct tn_rwlock **slot;
	int ret = 0;

	if (in_handler())
		return -EPERM;
	flags = tn_lock();
	self = this_cpu()->curr;
	if (!is_rwlock(rw)) {
		ret = -EINVAL;
	} else if (!(slot = held_slot(self, rw))) {
		ret = -EPERM;
	} else {
		release(self, slot);
		sched_run();
	}
	tn_unlock(flags);
	return ret;
}

void rwlock_release_all(struct tn_thread *t)
{
	for (int i = 0; i < TN_RWLOCK_HELD_MAX; i++) {
		if (!t->rwlocks[i])
			continue;
		health_report(TN_HEALTH_EXIT_HOLDING_RWLOCK, t, t->rwlocks[i]);
		release(t, &t->rwlocks[i]);
	}
}
