/*
 * Observables: publishers post notices {tag, value}; each subscriber gets
 * them as notifications stamped with a serial number (per observable, from
 * 1), the issuing thread and the date, in a backlog of its own. By default
 * every subscriber gets every notice (broadcast); a unicast observable
 * gives each notice to one subscriber, taking them in turn. A subscriber
 * may ask to be told only of changes (a notice equal to the last one it
 * got is skipped). A full backlog drops the notice for that subscriber;
 * its next notification says how many it lost. Publishing never blocks.
 */
#ifndef TENON_OBSERVABLE_H
#define TENON_OBSERVABLE_H

#include <tenon/list.h>
#include <tenon/types.h>
#include <tenon/wait.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TN_OBSERVABLE_UNICAST 0x1u /* tn_observable_init() */
#define TN_NOTIFY_ONCHANGE 0x1u	   /* tn_observable_subscribe() */

struct tn_thread;

struct tn_notice {
	uint32_t tag;
	uint64_t value;
};

struct tn_notification {
	uint32_t tag;
	uint32_t serial;
	uint64_t value;
	tn_time_t date;
	struct tn_thread *issuer;
	uint32_t lost; /* notices dropped for this subscriber just before */
};

struct tn_observable {
	/* private */
	struct tn_list subscribers;
	struct tn_list *next_turn; /* unicast: who gets the next notice */
	unsigned int flags;
	uint32_t serial;
	unsigned int magic;
};

struct tn_subscriber {
	/* private */
	struct tn_list link;
	struct tn_observable *observable; /* NULL once it is gone */
	struct tn_notification *backlog;
	unsigned int size, head, count;
	unsigned int flags;
	bool has_last;
	struct tn_notice last;
	uint32_t lost;
	struct tn_wait_queue readers;
	struct tn_poll_head poll;
	unsigned int magic;
};

int tn_observable_init(struct tn_observable *obs, unsigned int flags);
/* Subscribers are detached: once their backlog is read, -EIDRM. */
int tn_observable_destroy(struct tn_observable *obs);
/* backlog: nr (>= 1) notifications of the caller's memory. */
int tn_observable_subscribe(struct tn_observable *obs,
			    struct tn_subscriber *sub,
			    struct tn_notification *backlog, unsigned int nr,
			    unsigned int flags);
int tn_observable_unsubscribe(struct tn_subscriber *sub);
/* Posts nr notices in order; returns nr. */
int tn_observable_publish(struct tn_observable *obs,
			  const struct tn_notice *notices, int nr);
/*
 * Reads up to nr notifications, oldest first, waiting until timeout for
 * the first one: returns how many were read, -ETIMEDOUT, or -EIDRM once
 * the observable is gone and the backlog empty.
 */
int tn_observable_read(struct tn_subscriber *sub, struct tn_notification *out,
		       int nr, tn_time_t timeout);

#ifdef __cplusplus
}
#endif

#endif
