/*
 * Timers on the monotonic clock: one-shot or periodic, armed with an
 * absolute first date. A thread waits for expiries with tn_timer_wait(),
 * which returns how many expiries happened since its last wait: more than
 * one means the waiter overran (missed periods), as EVL's timerfd counts
 * them. An optional handler runs in handler context at each expiry (once
 * for several expiries that came while it could not run). A poll set can
 * watch a timer: it is ready while it has expiries not yet collected.
 */
#ifndef TENON_TIMER_H
#define TENON_TIMER_H

#include <tenon/rbtree.h>
#include <tenon/types.h>
#include <tenon/wait.h>

#ifdef __cplusplus
extern "C" {
#endif

struct tn_ktimer;
/* expiries: how many periods elapsed (more than 1 when the expiry was late). */
typedef void (*tn_ktimer_fn)(struct tn_ktimer *kt, uint64_t expiries);

/* The kernel timer the clock queues per CPU; private to the kernel. */
struct tn_ktimer {
	struct tn_rb_node node;
	tn_time_t date;
	tn_time_t interval; /* 0: one-shot */
	tn_ktimer_fn fn;
	int cpu;
};

struct tn_timer;
/*
 * Runs in handler context, on the timer's CPU with interrupts masked:
 * short, and only services that do not block (see docs/api.md).
 */
typedef void (*tn_timer_fn)(struct tn_timer *timer, uint64_t ticks);

struct tn_timer {
	/* private */
	struct tn_ktimer kt;
	struct tn_wait_queue waiters;
	uint64_t ticks; /* expiries not yet collected by a waiter */
	tn_timer_fn fn;
	void *data;
	struct tn_list call;	/* on its CPU's list while fn is due */
	uint64_t call_expiries; /* what fn is told when it runs */
	struct tn_poll_head poll;
	unsigned int magic;
};

/* Readies a timer bound to the caller's CPU; fn may be NULL. -EBUSY: armed. */
int tn_timer_init(struct tn_timer *timer, tn_timer_fn fn, void *data);
/*
 * Arms the timer to expire at date, then every interval ns if interval is
 * not zero. A date already past expires at once. date TN_INFINITE disarms.
 * An interval that would put the next expiry past the end of time
 * (TN_INFINITE, for one) leaves none: the timer expires once, then is
 * disarmed. -EINVAL: a negative date or interval.
 * Re-arming discards expiries not yet collected.
 */
int tn_timer_set(struct tn_timer *timer, tn_time_t date, tn_time_t interval);
/* Reads the next expiry date (TN_INFINITE when disarmed) and interval. */
int tn_timer_get(struct tn_timer *timer, tn_time_t *date, tn_time_t *interval);
/*
 * Waits until the timer has expired at least once or timeout (absolute)
 * passes; *ticks (if not NULL) receives the expiries since the last wait.
 * -ETIMEDOUT on timeout, -EIDRM if the timer is destroyed meanwhile.
 */
int tn_timer_wait(struct tn_timer *timer, uint64_t *ticks, tn_time_t timeout);
/*
 * Disarms the timer and cancels a handler call not yet made; waiters
 * return -EIDRM, later calls -EINVAL. A handler already running on the
 * timer's CPU finishes: called from another CPU, destroy does not wait
 * for it, so the timer's memory must outlive its handler.
 */
int tn_timer_destroy(struct tn_timer *timer);
void *tn_timer_data(struct tn_timer *timer);

#ifdef __cplusplus
}
#endif

#endif
