/*
 * Mutexes (see tenon/mutex.h) and the priority boosting they drive.
 *
 * A thread's effective priority is the highest of its base priority, the
 * ceilings of the PP mutexes it holds and the best waiter of each PI mutex
 * it holds. A TP or quota thread is *boosted* into the FIFO class (see
 * sched.c) while its priority is raised, while it holds a PP mutex, or
 * while a waiter of a PI mutex it holds ranks above its own class and
 * priority: otherwise a FIFO waiter could wait for a holder kept out of
 * the CPU by its window or its budget, whatever the priorities.
 * It is recomputed whenever one of those changes, and a change
 * travels along the chain "waits for a PI mutex owned by" until it no
 * longer changes anything. Owner chains are kept free of cycles: a lock
 * that would close one fails with -EDEADLK, so every walk ends.
 */
#include <limits.h>
#include <tenon/mutex.h>

#include "kernel/internal.h"

static bool is_mutex(const struct tn_mutex *m)
{
	return m && m->magic == TN_MUTEX_MAGIC;
}

/* What m asks of its owner t: a priority, and maybe the FIFO class. */
static int boost_of(const struct tn_mutex *m, const struct tn_thread *t,
		    bool *boosted)
{
	const struct tn_thread *best;

	if (m->protocol == TN_MUTEX_PP) {
		*boosted = true;
		return m->ceiling_in_force;
	}
	best = wq_first(&m->waiters);
	if (!best)
		return 0;
	if (sched_rank(best) > sched_base_rank(t))
		*boosted = true;
	return best->prio;
}

static int effective_prio(const struct tn_thread *t, bool *boosted)
{
	const struct tn_list *pos;
	int prio = t->sched.priority;

	*boosted = false;
	tn_list_for_each (pos, &t->mutexes) {
		int boost = boost_of(tn_list_entry(pos, struct tn_mutex, held),
				     t, boosted);

		if (boost > prio)
			prio = boost;
	}
	if (prio > t->sched.priority)
		*boosted = true;
	return prio;
}

void thread_refresh_prio(struct tn_thread *t)
{
	while (t && t->sched.policy != TN_SCHED_IDLE) {
		bool boosted;
		int prio = effective_prio(t, &boosted);

		if (prio == t->prio && boosted == t->boosted)
			return;
		/* Requeues t where it waits, which may change its owner's. */
		sched_set_prio(t, prio, boosted);
		if (!t->wait_mutex || t->wait_mutex->protocol != TN_MUTEX_PI)
			return;
		t = t->wait_mutex->owner;
	}
}

/* Whether self is somewhere on the chain of owners starting at t. */
static bool closes_cycle(const struct tn_thread *t,
			 const struct tn_thread *self)
{
	for (; t; t = t->wait_mutex ? t->wait_mutex->owner : NULL)
		if (t == self)
			return true;
	return false;
}

static void take(struct tn_mutex *m, struct tn_thread *t)
{
	m->owner = t;
	m->depth = 1;
	m->handed = false;
	if (m->protocol == TN_MUTEX_PP)
		m->ceiling_in_force = m->ceiling;
	tn_list_add_tail(&m->held, &t->mutexes);
	thread_refresh_prio(t);
}

static void drop(struct tn_mutex *m)
{
	struct tn_thread *owner = m->owner;

	tn_list_del(&m->held);
	m->owner = NULL;
	thread_refresh_prio(owner);
}

/* Gives an unowned mutex to its best waiter, which has yet to run. */
static void hand_over(struct tn_mutex *m)
{
	struct tn_thread *next = wq_first(&m->waiters);

	if (!next)
		return;
	next->wait_mutex = NULL;
	thread_wake(next, 0);
	take(m, next);
	m->handed = true;
}

/* What a new owner is told: whether the previous one died holding it. */
static int acquired(struct tn_mutex *m)
{
	if (!m->owner_died)
		return 0;
	m->owner_died = false;
	return -EOWNERDEAD;
}

int mutex_lock_locked(struct tn_mutex *m, tn_time_t timeout, bool wait)
{
	struct tn_thread *self = this_cpu()->curr;
	int ret;

	if (!is_mutex(m))
		return -EINVAL;
	for (;;) {
		struct tn_thread *owner = m->owner;

		if (!owner) {
			take(m, self);
			return acquired(m);
		}
		if (owner == self) {
			if (!(m->flags & TN_MUTEX_RECURSIVE))
				return -EDEADLK;
			if (m->depth == UINT_MAX)
				return -EAGAIN;
			m->depth++;
			return 0;
		}
		if (m->handed && self->prio > owner->prio) {
			/* The chosen waiter has not run yet: outrun it. */
			drop(m);
			take(m, self);
			return acquired(m);
		}
		if (!wait)
			return -EBUSY;
		if (closes_cycle(owner, self))
			return -EDEADLK;
		if (timeout != TN_INFINITE && timeout <= arch_clock_read())
			return -ETIMEDOUT;

		self->wait_mutex = m;
		wq_enqueue(&m->waiters, self);
		if (m->protocol == TN_MUTEX_PI)
			thread_refresh_prio(owner);
		ret = thread_block(timeout);
		if (ret)
			return ret;
		if (m->owner == self) {
			m->handed = false;
			return acquired(m);
		}
		/* Robbed before we ran: compete again. */
	}
}

void mutex_abort_wait(struct tn_thread *t)
{
	struct tn_mutex *m = t->wait_mutex;

	t->wait_mutex = NULL;
	if (m->owner && m->protocol == TN_MUTEX_PI)
		thread_refresh_prio(m->owner);
}

int mutex_unlock_locked(struct tn_mutex *m)
{
	struct tn_thread *self = this_cpu()->curr;

	if (!is_mutex(m))
		return -EINVAL;
	if (m->owner != self) {
		self->stats.lock_imbalances++;
		health_report(TN_HEALTH_LOCK_IMBALANCE, self, m);
		return -EPERM;
	}
	if (m->depth > 1) {
		m->depth--;
		return 0;
	}
	drop(m);
	hand_over(m);
	return 0;
}

void mutex_release_all(struct tn_thread *t)
{
	while (!tn_list_empty(&t->mutexes)) {
		struct tn_mutex *m =
		    tn_list_entry(t->mutexes.next, struct tn_mutex, held);

		health_report(TN_HEALTH_EXIT_HOLDING, t, m);
		drop(m);
		m->owner_died = true;
		hand_over(m);
	}
}

int tn_mutex_init(struct tn_mutex *m, int protocol, int ceiling,
		  unsigned int flags)
{
	if (!m || (flags & ~TN_MUTEX_RECURSIVE))
		return -EINVAL;
	if (protocol == TN_MUTEX_PP) {
		if (ceiling < TN_PRIO_MIN || ceiling > TN_PRIO_MAX)
			return -EINVAL;
	} else if (protocol == TN_MUTEX_PI) {
		ceiling = 0;
	} else {
		return -EINVAL;
	}
	wq_init(&m->waiters);
	tn_list_init(&m->held);
	m->owner = NULL;
	m->protocol = protocol;
	m->flags = flags;
	m->ceiling = ceiling;
	m->ceiling_in_force = ceiling;
	m->depth = 0;
	m->handed = false;
	m->owner_died = false;
	m->magic = TN_MUTEX_MAGIC;
	return 0;
}

int tn_mutex_destroy(struct tn_mutex *m)
{
	unsigned long flags = tn_lock();
	int ret = 0;

	if (!is_mutex(m))
		ret = -EINVAL;
	else if (m->owner)
		ret = -EBUSY;
	else
		m->magic = 0;
	tn_unlock(flags);
	return ret;
}

static int lock(struct tn_mutex *m, tn_time_t timeout, bool wait)
{
	unsigned long flags;
	int ret;

	/* A handler is nobody: it could not own a mutex. */
	if (in_handler())
		return -EPERM;
	flags = tn_lock();
	ret = mutex_lock_locked(m, timeout, wait);

	/* A steal may have lowered the robbed owner below someone. */
	sched_run();
	tn_unlock(flags);
	return ret;
}

int tn_mutex_lock(struct tn_mutex *m)
{
	return lock(m, TN_INFINITE, true);
}

int tn_mutex_timedlock(struct tn_mutex *m, tn_time_t timeout)
{
	return lock(m, timeout, true);
}

int tn_mutex_trylock(struct tn_mutex *m)
{
	return lock(m, 0, false);
}

int tn_mutex_unlock(struct tn_mutex *m)
{
	unsigned long flags;
	int ret;

	if (in_handler())
		return -EPERM;
	flags = tn_lock();
	ret = mutex_unlock_locked(m);

	sched_run();
	tn_unlock(flags);
	return ret;
}

int tn_mutex_set_ceiling(struct tn_mutex *m, int ceiling)
{
	unsigned long flags = tn_lock();
	int ret = 0;

	if (!is_mutex(m) || m->protocol != TN_MUTEX_PP ||
	    ceiling < TN_PRIO_MIN || ceiling > TN_PRIO_MAX)
		ret = -EINVAL;
	else
		m->ceiling = ceiling;
	tn_unlock(flags);
	return ret;
}

int tn_mutex_get_ceiling(struct tn_mutex *m)
{
	unsigned long flags = tn_lock();
	int ret;

	if (!is_mutex(m) || m->protocol != TN_MUTEX_PP)
		ret = -EINVAL;
	else
		ret = m->ceiling;
	tn_unlock(flags);
	return ret;
}
