/*
 * Counting semaphores. A unit put while threads wait goes straight to the
 * highest-priority waiter (FIFO among equals), so no later caller can take
 * it first. Flushing releases every waiter with -EAGAIN; destroying
 * releases them with -EIDRM.
 */
#ifndef TENON_SEM_H
#define TENON_SEM_H

#include <tenon/types.h>
#include <tenon/wait.h>

#ifdef __cplusplus
extern "C" {
#endif

struct tn_sem {
	/* private */
	struct tn_wait_queue waiters;
	int value;
	struct tn_poll_head poll;
	unsigned int magic;
};

/* -EINVAL: initial value negative. */
int tn_sem_init(struct tn_sem *sem, int value);
/* Waiters return -EIDRM; every later call on sem returns -EINVAL. */
int tn_sem_destroy(struct tn_sem *sem);
/* Takes a unit, waiting as long as it takes. */
int tn_sem_get(struct tn_sem *sem);
/* Takes a unit, waiting until timeout (absolute) at most: -ETIMEDOUT. */
int tn_sem_timedget(struct tn_sem *sem, tn_time_t timeout);
/* Takes a unit if one is there at once, else -EAGAIN. */
int tn_sem_tryget(struct tn_sem *sem);
/* Gives a unit: to the best waiter, else to the count (-EOVERFLOW). */
int tn_sem_put(struct tn_sem *sem);
/* Releases every waiter with -EAGAIN; returns how many there were. */
int tn_sem_flush(struct tn_sem *sem);
/* Reads the count (0 while threads wait). */
int tn_sem_peek(struct tn_sem *sem, int *value);

#ifdef __cplusplus
}
#endif

#endif
