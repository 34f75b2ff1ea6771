/*
 * Reader-writer locks: any number of readers, or one writer. Once a
 * writer waits, new readers queue behind it, so a stream of readers cannot
 * starve writers; queued threads are served in priority order. Not
 * recursive (a thread asking for a lock it holds gets -EDEADLK), and
 * without priority inheritance. A thread holds up to TN_RWLOCK_HELD_MAX
 * locks at once (-EAGAIN past that). Only a holder can release a hold; a
 * thread that ends holding locks releases them, each counted as the
 * health event TN_HEALTH_EXIT_HOLDING_RWLOCK.
 */
#ifndef TENON_RWLOCK_H
#define TENON_RWLOCK_H

#include <tenon/types.h>
#include <tenon/wait.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Locks one thread may hold at once (read or write, one hold each). */
#define TN_RWLOCK_HELD_MAX 8

struct tn_thread;

struct tn_rwlock {
	/* private */
	struct tn_wait_queue waiters;
	struct tn_thread *writer;
	int readers;
	int writers_waiting;
	unsigned int magic;
};

/* -EBUSY: held (re-initialising it would corrupt its holders). */
int tn_rwlock_init(struct tn_rwlock *rw);
/* -EBUSY while held. */
int tn_rwlock_destroy(struct tn_rwlock *rw);
int tn_rwlock_rdlock(struct tn_rwlock *rw);
int tn_rwlock_timedrdlock(struct tn_rwlock *rw, tn_time_t timeout);
/* -EBUSY instead of waiting. */
int tn_rwlock_tryrdlock(struct tn_rwlock *rw);
int tn_rwlock_wrlock(struct tn_rwlock *rw);
int tn_rwlock_timedwrlock(struct tn_rwlock *rw, tn_time_t timeout);
int tn_rwlock_trywrlock(struct tn_rwlock *rw);
/* Releases a read or the write hold; -EPERM if the caller has neither. */
int tn_rwlock_unlock(struct tn_rwlock *rw);

#ifdef __cplusplus
}
#endif

#endif
