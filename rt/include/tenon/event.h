/*
 * Events: condition variables bound to a mutex. A waiter atomically
 * releases the mutex and waits; it holds the mutex again when the call
 * returns, whatever the outcome, unless taking it back cannot succeed:
 * then the wait returns -EDEADLK (the mutex's new owner waits for a mutex
 * the waiter holds) or -EINVAL (the mutex was destroyed meanwhile), and
 * the caller does not hold it. All waiters of an event must use the same
 * mutex while any waits (else -EINVAL). Signals are not remembered: one
 * sent with nobody waiting is lost, as with POSIX condition variables.
 */
#ifndef TENON_EVENT_H
#define TENON_EVENT_H

#include <tenon/mutex.h>
#include <tenon/types.h>
#include <tenon/wait.h>

#ifdef __cplusplus
extern "C" {
#endif

struct tn_event {
	/* private */
	struct tn_wait_queue waiters;
	struct tn_mutex *mutex; /* the one its waiters use, while any wait */
	unsigned int magic;
};

int tn_event_init(struct tn_event *event);
/* Waiters return -EIDRM (holding their mutex); later calls -EINVAL. */
int tn_event_destroy(struct tn_event *event);
/* -EPERM: the caller does not hold mutex; -EINVAL: not the event's mutex. */
int tn_event_wait(struct tn_event *event, struct tn_mutex *mutex);
int tn_event_timedwait(struct tn_event *event, struct tn_mutex *mutex,
		       tn_time_t timeout);
/* Wakes the best waiter, if any. */
int tn_event_signal(struct tn_event *event);
/* Wakes every waiter. */
int tn_event_broadcast(struct tn_event *event);
/* Wakes thread if it waits on event; -ESRCH otherwise. */
int tn_event_signal_thread(struct tn_event *event, struct tn_thread *thread);

#ifdef __cplusplus
}
#endif

#endif
