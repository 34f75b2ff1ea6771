/*
 * Event flags: a 32-bit group that threads post bits to and wait on.
 * A plain wait returns as soon as any bit is set, taking every set bit;
 * an exact wait returns once all the bits it names are set, taking just
 * those. Posted bits satisfy waiters in priority order (FIFO among equals),
 * each taking its bits out of the group before the next one looks, and
 * what none of them took stays in the group. A broadcast, as EVL's, adds
 * its bits to the group, then every waiter the whole group satisfies gets
 * its share of it (the same bits may go to several), and only then do the
 * bits taken leave the group; with no waiter it is a post.
 */
#ifndef TENON_FLAGS_H
#define TENON_FLAGS_H

#include <tenon/types.h>
#include <tenon/wait.h>

#ifdef __cplusplus
extern "C" {
#endif

struct tn_flags {
	/* private */
	struct tn_wait_queue waiters;
	uint32_t value;
	struct tn_poll_head poll;
	unsigned int magic;
};

int tn_flags_init(struct tn_flags *flags, uint32_t value);
/* Waiters return -EIDRM; every later call on flags returns -EINVAL. */
int tn_flags_destroy(struct tn_flags *flags);
/* Waits for any bit, until timeout (absolute); *bits gets what was set. */
int tn_flags_wait(struct tn_flags *flags, uint32_t *bits, tn_time_t timeout);
/* Waits until every bit of mask (not 0) is set, and takes those bits. */
int tn_flags_wait_exact(struct tn_flags *flags, uint32_t mask,
			tn_time_t timeout);
/* As tn_flags_wait() without waiting: -EAGAIN when no bit is set. */
int tn_flags_trywait(struct tn_flags *flags, uint32_t *bits);
/* Sets bits (not 0) in the group, releasing the waiters they satisfy. */
int tn_flags_post(struct tn_flags *flags, uint32_t bits);
/* Sets bits, waking every waiter the group satisfies; returns how many. */
int tn_flags_broadcast(struct tn_flags *flags, uint32_t bits);
/* Reads the group without taking anything. */
int tn_flags_peek(struct tn_flags *flags, uint32_t *value);

#ifdef __cplusplus
}
#endif

#endif
