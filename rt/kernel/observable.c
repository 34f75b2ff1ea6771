/*
 * Observables (see tenon/observable.h). Each subscriber owns a ring of
 * notifications in its own memory; publishing writes into the rings and
 * wakes their readers, never waiting for anyone.
 */
#include <tenon/observable.h>

#include "kernel/internal.h"

#define TN_OBSERVABLE_MAGIC 0x7e7e740bu

static bool is_observable(const struct tn_observable *obs)
{
	return obs && obs->magic == TN_OBSERVABLE_MAGIC;
}

static bool is_subscriber(const struct tn_subscriber *sub)
{
	return sub && sub->magic == TN_SUBSCRIBER_MAGIC;
}

int tn_observable_init(struct tn_observable *obs, unsigned int flags)
{
	if (!obs || (flags & ~TN_OBSERVABLE_UNICAST))
		return -EINVAL;
	tn_list_init(&obs->subscribers);
	obs->next_turn = &obs->subscribers;
	obs->flags = flags;
	obs->serial = 0;
	obs->magic = TN_OBSERVABLE_MAGIC;
	return 0;
}

static void detach(struct tn_subscriber *sub)
{
	struct tn_observable *obs = sub->observable;

	if (obs->next_turn == &sub->link)
		obs->next_turn = sub->link.next;
	tn_list_del(&sub->link);
	sub->observable = NULL;
}

int tn_observable_destroy(struct tn_observable *obs)
{
	unsigned long flags = tn_lock();

	if (!is_observable(obs)) {
		tn_unlock(flags);
		return -EINVAL;
	}
	obs->magic = 0;
	while (!tn_list_empty(&obs->subscribers)) {
		struct tn_subscriber *sub = tn_list_entry(
		    obs->subscribers.next, struct tn_subscriber, link);

		detach(sub);
		wq_wake_all(&sub->readers, 0); /* they find it gone */
		poll_source_gone(&sub->poll);
	}
	sched_run();
	tn_unlock(flags);
	return 0;
}

int tn_observable_subscribe(struct tn_observable *obs,
			    struct tn_subscriber *sub,
			    struct tn_notification *backlog, unsigned int nr,
			    unsigned int flags)
{
	unsigned long lflags;

	if (!sub || !backlog || !nr || (flags & ~TN_NOTIFY_ONCHANGE))
		return -EINVAL;
	lflags = tn_lock();
	if (!is_observable(obs) || (is_subscriber(sub) && sub->observable)) {
		tn_unlock(lflags);
		return is_observable(obs) ? -EBUSY : -EINVAL;
	}
	sub->observable = obs;
	sub->backlog = backlog;
	sub->size = nr;
	sub->head = 0;
	sub->count = 0;
	sub->flags = flags;
	sub->has_last = false;
	sub->lost = 0;
	wq_init(&sub->readers);
	poll_head_init(&sub->poll);
	sub->magic = TN_SUBSCRIBER_MAGIC;
	tn_list_add_tail(&sub->link, &obs->subscribers);
	tn_unlock(lflags);
	return 0;
}

int tn_observable_unsubscribe(struct tn_subscriber *sub)
{
	unsigned long flags = tn_lock();

	if (!is_subscriber(sub)) {
		tn_unlock(flags);
		return -EINVAL;
	}
	if (sub->observable)
		detach(sub);
	sub->magic = 0;
	wq_wake_all(&sub->readers, -EIDRM);
	poll_source_gone(&sub->poll);
	sched_run();
	tn_unlock(flags);
	return 0;
}

static bool wants(const struct tn_subscriber *sub, const struct tn_notice *n)
{
	return !(sub->flags & TN_NOTIFY_ONCHANGE) || !sub->has_last ||
	       sub->last.tag != n->tag || sub->last.value != n->value;
}

/* Queues one notification for sub; false when its backlog is full. */
static bool deliver(struct tn_subscriber *sub, const struct tn_notice *n,
		    uint32_t serial, tn_time_t date, struct tn_thread *issuer)
{
	struct tn_notification *slot;

	if (sub->count == sub->size) {
		sub->lost++;
		return false;
	}
	slot = &sub->backlog[(sub->head + sub->count) % sub->size];
	slot->tag = n->tag;
	slot->serial = serial;
	slot->value = n->value;
	slot->date = date;
	slot->issuer = issuer;
	slot->lost = sub->lost;
	sub->lost = 0;
	sub->count++;
	sub->last = *n;
	sub->has_last = true;
	wq_wake_all(&sub->readers, 0);
	poll_notify(&sub->poll);
	return true;
}

/* Unicast: the next subscriber in turn that wants it and has room. */
static void deliver_unicast(struct tn_observable *obs,
			    const struct tn_notice *n, uint32_t serial,
			    tn_time_t date, struct tn_thread *issuer)
{
	struct tn_list *start, *pos;
	struct tn_subscriber *first = NULL;

	if (tn_list_empty(&obs->subscribers))
		return;
	if (obs->next_turn == &obs->subscribers)
		obs->next_turn = obs->subscribers.next;
	start = obs->next_turn;
	pos = start;
	do {
		struct tn_subscriber *sub =
		    tn_list_entry(pos, struct tn_subscriber, link);

		pos = pos->next == &obs->subscribers ? obs->subscribers.next
						     : pos->next;
		if (!wants(sub, n))
			continue;
		if (!first)
			first = sub;
		if (sub->count < sub->size) {
			deliver(sub, n, serial, date, issuer);
			obs->next_turn = pos;
			return;
		}
	} while (pos != start);
	/* Everyone who wanted it was full: the one whose turn it was lost it.
	 */
	if (first)
		first->lost++;
}

int tn_observable_publish(struct tn_observable *obs,
			  const struct tn_notice *notices, int nr)
{
	unsigned long flags;
	struct tn_thread *issuer;
	tn_time_t date;

	if (!notices || nr < 1)
		return -EINVAL;
	flags = tn_lock();
	if (!is_observable(obs)) {
		tn_unlock(flags);
		return -EINVAL;
	}
	issuer = this_cpu()->curr;
	date = arch_clock_read();
	for (int i = 0; i < nr; i++) {
		uint32_t serial = ++obs->serial;
		struct tn_list *pos;

		if (obs->flags & TN_OBSERVABLE_UNICAST) {
			deliver_unicast(obs, &notices[i], serial, date, issuer);
			continue;
		}
		tn_list_for_each (pos, &obs->subscribers) {
			struct tn_subscriber *sub =
			    tn_list_entry(pos, struct tn_subscriber, link);

			if (wants(sub, &notices[i]))
				deliver(sub, &notices[i], serial, date, issuer);
		}
	}
	sched_run();
	tn_unlock(flags);
	return nr;
}

int tn_observable_read(struct tn_subscriber *sub, struct tn_notification *out,
		       int nr, tn_time_t timeout)
{
	unsigned long flags;
	int ret = 0, n = 0;

	if (!out || nr < 1)
		return -EINVAL;
	if (in_handler())
		return -EPERM;
	flags = tn_lock();
	if (!is_subscriber(sub)) {
		tn_unlock(flags);
		return -EINVAL;
	}
	/* Notifications left when the observable went are still read. */
	while (!sub->count && !ret) {
		if (!sub->observable)
			ret = -EIDRM;
		else
			ret = wq_wait(&sub->readers, timeout);
		if (!is_subscriber(sub))
			ret = -EIDRM;
	}
	if (!ret) {
		while (n < nr && sub->count) {
			out[n++] = sub->backlog[sub->head];
			sub->head = (sub->head + 1) % sub->size;
			sub->count--;
		}
		ret = n;
	}
	tn_unlock(flags);
	return ret;
}
