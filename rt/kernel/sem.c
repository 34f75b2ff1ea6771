/*
 * Counting semaphores (see tenon/sem.h): a count and a priority-ordered
 * wait queue. The count is never positive while threads wait, since a put
 * hands its unit over directly.
 */
#include <limits.h>
#include <tenon/sem.h>

#include "kernel/internal.h"

static bool is_sem(const struct tn_sem *sem)
{
	return sem && sem->magic == TN_SEM_MAGIC;
}

int tn_sem_init(struct tn_sem *sem, int value)
{
	if (!sem || value < 0)
		return -EINVAL;
	wq_init(&sem->waiters);
	sem->value = value;
	poll_head_init(&sem->poll);
	sem->magic = TN_SEM_MAGIC;
	return 0;
}

int tn_sem_destroy(struct tn_sem *sem)
{
	unsigned long flags = tn_lock();

	if (!is_sem(sem)) {
		tn_unlock(flags);
		return -EINVAL;
	}
	sem->magic = 0;
	wq_wake_all(&sem->waiters, -EIDRM);
	poll_source_gone(&sem->poll);
	sched_run();
	tn_unlock(flags);
	return 0;
}

static int sem_get(struct tn_sem *sem, tn_time_t timeout, bool wait)
{
	unsigned long flags;
	int ret = 0;

	if (wait && in_handler())
		return -EPERM;
	flags = tn_lock();
	if (!is_sem(sem))
		ret = -EINVAL;
	else if (sem->value > 0)
		sem->value--;
	else if (!wait)
		ret = -EAGAIN;
	else
		ret = wq_wait(&sem->waiters, timeout);
	tn_unlock(flags);
	return ret;
}

int tn_sem_get(struct tn_sem *sem)
{
	return sem_get(sem, TN_INFINITE, true);
}

int tn_sem_timedget(struct tn_sem *sem, tn_time_t timeout)
{
	return sem_get(sem, timeout, true);
}

int tn_sem_tryget(struct tn_sem *sem)
{
	return sem_get(sem, 0, false);
}

int tn_sem_put(struct tn_sem *sem)
{
	unsigned long flags = tn_lock();
	int ret = 0;

	if (!is_sem(sem)) {
		ret = -EINVAL;
	} else if (wq_wake_one(&sem->waiters, 0)) {
		sched_run();
	} else if (sem->value == INT_MAX) {
		ret = -EOVERFLOW;
	} else {
		sem->value++;
		poll_notify(&sem->poll);
		sched_run();
	}
	tn_unlock(flags);
	return ret;
}

int tn_sem_flush(struct tn_sem *sem)
{
	unsigned long flags = tn_lock();
	int ret;

	if (!is_sem(sem)) {
		ret = -EINVAL;
	} else {
		ret = wq_wake_all(&sem->waiters, -EAGAIN);
		sched_run();
	}
	tn_unlock(flags);
	return ret;
}

int tn_sem_peek(struct tn_sem *sem, int *value)
{
	unsigned long flags = tn_lock();
	int ret = 0;

	if (!is_sem(sem) || !value)
		ret = -EINVAL;
	else
		*value = sem->value;
	tn_unlock(flags);
	return ret;
}
