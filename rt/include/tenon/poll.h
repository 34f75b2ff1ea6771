/*
 * Poll sets: one thread waits for any of several sources to become ready:
 * a semaphore with units, flags with bits set, a subscriber with
 * notifications, a timer with expiries to collect, a channel a call on
 * which would not wait (a queue or stream to read with something in it,
 * one to write with room, a sample newer than the last read, or one the
 * peer left corrupt, whose call fails at once), or another poll set with a
 * ready source (sets nest up to TN_POLL_MAX_DEPTH deep; a cycle is refused). A
 * source destroyed while watched is reported as TN_POLLNVAL until its item is
 * removed.
 */
#ifndef TENON_POLL_H
#define TENON_POLL_H

#include <tenon/list.h>
#include <tenon/types.h>
#include <tenon/wait.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TN_POLL_MAX_DEPTH 4

enum tn_poll_type {
	TN_POLL_SEM = 1,
	TN_POLL_FLAGS,
	TN_POLL_SUBSCRIBER,
	TN_POLL_SET,
	TN_POLL_TIMER,	 /* ready with expiries not yet collected */
	TN_POLL_CHANNEL, /* a receive, read or send would not wait */
};

#define TN_POLLIN 0x1u	 /* something to take */
#define TN_POLLNVAL 0x8u /* the source is gone */

struct tn_poll_set;

struct tn_poll_item {
	/* private */
	struct tn_list in_set;
	struct tn_list watching; /* in the source's poll head */
	struct tn_poll_set *set;
	int type;
	void *source; /* NULL once gone */
	void *data;
	uintptr_t key; /* says, without a dereference, that set is valid */
};

struct tn_poll_set {
	/* private */
	struct tn_list items;
	struct tn_wait_queue waiters;
	struct tn_poll_head poll; /* sets watching this one */
	unsigned int magic;
};

struct tn_poll_event {
	void *data; /* as given to tn_poll_add() */
	int type;
	uint32_t events; /* TN_POLLIN or TN_POLLNVAL */
};

int tn_poll_init(struct tn_poll_set *set);
/* Waiters return -EIDRM; sets watching this one see TN_POLLNVAL. */
int tn_poll_destroy(struct tn_poll_set *set);
/*
 * Watches source (of the given type) with item, the caller's memory.
 * -EEXIST: source already in set; -EBUSY: item is in a set already
 * (remove it first); -ELOOP: a set would contain itself or nest deeper
 * than TN_POLL_MAX_DEPTH; -EINVAL: not a live source.
 */
int tn_poll_add(struct tn_poll_set *set, struct tn_poll_item *item, int type,
		void *source, void *data);
int tn_poll_del(struct tn_poll_set *set, struct tn_poll_item *item);
/*
 * Waits until timeout for a source of set to be ready; fills up to nr
 * events and returns how many, or -ETIMEDOUT / -EIDRM; -EINVAL at once
 * for a set with no item, which nothing could make ready (also when its
 * last item is removed during the wait).
 */
int tn_poll_wait(struct tn_poll_set *set, struct tn_poll_event *events, int nr,
		 tn_time_t timeout);

#ifdef __cplusplus
}
#endif

#endif
