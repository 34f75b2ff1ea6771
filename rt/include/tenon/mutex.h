/*
 * Mutexes with priority inheritance (PI) or priority ceiling (PP), normal
 * or recursive. A PI owner runs at least at the priority of its best
 * waiter, transitively along chains of owners, and drops back as waiters
 * leave. A PP owner runs at least at the ceiling from the moment it locks;
 * a ceiling changed while the mutex is held applies at the next lock.
 * Waiters queue by priority. Unlocking hands the mutex to the best waiter,
 * but a thread of higher priority than that waiter may take it first if
 * the waiter has not run yet. Locking a normal mutex twice, or closing a
 * cycle of owners waiting on each other, fails with -EDEADLK. If a thread
 * ends holding mutexes, each goes to its next owner with -EOWNERDEAD.
 */
#ifndef TENON_MUTEX_H
#define TENON_MUTEX_H

#include <tenon/list.h>
#include <tenon/types.h>
#include <tenon/wait.h>

#ifdef __cplusplus
extern "C" {
#endif

enum tn_mutex_protocol {
	TN_MUTEX_PI = 1,
	TN_MUTEX_PP = 2,
};

#define TN_MUTEX_RECURSIVE 0x1u

struct tn_thread;

struct tn_mutex {
	/* private */
	struct tn_wait_queue waiters;
	struct tn_thread *owner;
	struct tn_list held; /* in the owner's list of mutexes held */
	int protocol;
	unsigned int flags;
	int ceiling; /* as set, applies at the next lock */
	int ceiling_in_force;
	unsigned int depth; /* recursive locks by the owner */
	bool handed;	    /* given to a waiter that has not run yet */
	bool owner_died;
	unsigned int magic;
};

/* -EINVAL: unknown protocol or flags, or ceiling out of 1..99 for PP. */
int tn_mutex_init(struct tn_mutex *mutex, int protocol, int ceiling,
		  unsigned int flags);
/* -EBUSY while locked; later calls on mutex return -EINVAL. */
int tn_mutex_destroy(struct tn_mutex *mutex);
/*
 * 0 or -EOWNERDEAD (locked, but the previous owner ended holding it);
 * -EDEADLK: relocking a normal mutex, or a cycle of waiting owners;
 * -EAGAIN: recursion too deep.
 */
int tn_mutex_lock(struct tn_mutex *mutex);
/* As tn_mutex_lock(), waiting until timeout at most: -ETIMEDOUT. */
int tn_mutex_timedlock(struct tn_mutex *mutex, tn_time_t timeout);
/* As tn_mutex_lock() without waiting: -EBUSY when owned by another. */
int tn_mutex_trylock(struct tn_mutex *mutex);
/* -EPERM: the caller does not own it (counted as a lock imbalance). */
int tn_mutex_unlock(struct tn_mutex *mutex);
/* PP only: takes effect at the next lock. -EINVAL otherwise. */
int tn_mutex_set_ceiling(struct tn_mutex *mutex, int ceiling);
int tn_mutex_get_ceiling(struct tn_mutex *mutex);

#ifdef __cplusplus
}
#endif

#endif
