/*
 * Poll sets (see tenon/poll.h). Each watched element links the items
 * watching it in its poll head and calls poll_notify() when it may have
 * become ready; the sets' waiters then wake and look again. Nesting is
 * bounded and acyclic, which bounds every walk through sets.
 */
#include <tenon/flags.h>
#include <tenon/observable.h>
#include <tenon/poll.h>
#include <tenon/sem.h>

#include "kernel/internal.h"

#define TN_POLL_MAGIC 0x7e7e740au

static bool is_set(const struct tn_poll_set *set)
{
	return set && set->magic == TN_POLL_MAGIC;
}

void poll_head_init(struct tn_poll_head *head)
{
	tn_list_init(&head->watchers);
}

void poll_notify(struct tn_poll_head *head)
{
	struct tn_list *pos;

	tn_list_for_each (pos, &head->watchers) {
		struct tn_poll_item *item =
		    tn_list_entry(pos, struct tn_poll_item, watching);

		wq_wake_all(&item->set->waiters, 0);
		poll_notify(&item->set->poll);
	}
}

void poll_source_gone(struct tn_poll_head *head)
{
	while (!tn_list_empty(&head->watchers)) {
		struct tn_poll_item *item = tn_list_entry(
		    head->watchers.next, struct tn_poll_item, watching);

		tn_list_del(&item->watching);
		item->source = NULL;
		wq_wake_all(&item->set->waiters, 0);
		poll_notify(&item->set->poll);
	}
}

static bool set_ready(const struct tn_poll_set *set);

/* An item leaves its live source (a channel keeps count of them). */
static void unwatch(struct tn_poll_item *item)
{
	tn_list_del(&item->watching);
	if (item->source && item->type == TN_POLL_CHANNEL)
		channel_poll_watch(item->source, -1);
}

static bool item_ready(const struct tn_poll_item *item)
{
	switch (item->type) {
	case TN_POLL_SEM:
		return ((const struct tn_sem *)item->source)->value > 0;
	case TN_POLL_FLAGS:
		return ((const struct tn_flags *)item->source)->value != 0;
	case TN_POLL_SUBSCRIBER:
		return ((const struct tn_subscriber *)item->source)->count > 0;
	case TN_POLL_SET:
		return set_ready(item->source);
	case TN_POLL_TIMER:
		return ((const struct tn_timer *)item->source)->ticks > 0;
	case TN_POLL_CHANNEL:
		return channel_poll_ready(item->source);
	}
	return false;
}

static bool set_ready(const struct tn_poll_set *set)
{
	const struct tn_list *pos;

	tn_list_for_each (pos, &set->items) {
		const struct tn_poll_item *item =
		    tn_list_entry(pos, struct tn_poll_item, in_set);

		if (!item->source || item_ready(item))
			return true;
	}
	return false;
}

/* The poll head of a live source of the given type, or NULL. */
static struct tn_poll_head *source_head(int type, void *source)
{
	if (!source)
		return NULL;
	switch (type) {
	case TN_POLL_SEM: {
		struct tn_sem *sem = source;

		return sem->magic == TN_SEM_MAGIC ? &sem->poll : NULL;
	}
	case TN_POLL_FLAGS: {
		struct tn_flags *f = source;

		return f->magic == TN_FLAGS_MAGIC ? &f->poll : NULL;
	}
	case TN_POLL_SUBSCRIBER: {
		struct tn_subscriber *sub = source;

		return sub->magic == TN_SUBSCRIBER_MAGIC && sub->observable
			   ? &sub->poll
			   : NULL;
	}
	case TN_POLL_SET:
		return is_set(source) ? &((struct tn_poll_set *)source)->poll
				      : NULL;
	case TN_POLL_TIMER: {
		struct tn_timer *timer = source;

		return timer->magic == TN_TIMER_MAGIC ? &timer->poll : NULL;
	}
	case TN_POLL_CHANNEL:
		return channel_poll_head(source);
	}
	return NULL;
}

/* How many levels of sets hang below set (1: no nested set). */
static int depth_below(const struct tn_poll_set *set)
{
	const struct tn_list *pos;
	int deepest = 0;

	tn_list_for_each (pos, &set->items) {
		const struct tn_poll_item *item =
		    tn_list_entry(pos, struct tn_poll_item, in_set);

		if (item->type == TN_POLL_SET && item->source) {
			int d = depth_below(item->source);

			if (d > deepest)
				deepest = d;
		}
	}
	return deepest + 1;
}

/* How many levels of sets hold set, itself included. */
static int depth_above(const struct tn_poll_set *set)
{
	const struct tn_list *pos;
	int highest = 0;

	tn_list_for_each (pos, &set->poll.watchers) {
		const struct tn_poll_item *item =
		    tn_list_entry(pos, struct tn_poll_item, watching);
		int d = depth_above(item->set);

		if (d > highest)
			highest = d;
	}
	return highest + 1;
}

static bool contains(const struct tn_poll_set *outer,
		     const struct tn_poll_set *inner)
{
	const struct tn_list *pos;

	if (outer == inner)
		return true;
	tn_list_for_each (pos, &outer->items) {
		const struct tn_poll_item *item =
		    tn_list_entry(pos, struct tn_poll_item, in_set);

		if (item->type == TN_POLL_SET && item->source &&
		    contains(item->source, inner))
			return true;
	}
	return false;
}

int tn_poll_init(struct tn_poll_set *set)
{
	if (!set)
		return -EINVAL;
	tn_list_init(&set->items);
	wq_init(&set->waiters);
	poll_head_init(&set->poll);
	set->magic = TN_POLL_MAGIC;
	return 0;
}

int tn_poll_destroy(struct tn_poll_set *set)
{
	unsigned long flags = tn_lock();

	if (!is_set(set)) {
		tn_unlock(flags);
		return -EINVAL;
	}
	set->magic = 0;
	while (!tn_list_empty(&set->items)) {
		struct tn_poll_item *item =
		    tn_list_entry(set->items.next, struct tn_poll_item, in_set);

		tn_list_del(&item->in_set);
		unwatch(item);
		item->set = NULL;
		item->key = 0;
	}
	poll_source_gone(&set->poll);
	wq_wake_all(&set->waiters, -EIDRM);
	sched_run();
	tn_unlock(flags);
	return 0;
}

static int check_add(struct tn_poll_set *set, int type, void *source)
{
	struct tn_list *pos;

	if (!source_head(type, source))
		return -EINVAL;
	tn_list_for_each (pos, &set->items)
		if (tn_list_entry(pos, struct tn_poll_item, in_set)->source ==
		    source)
			return -EEXIST;
	if (type == TN_POLL_SET) {
		if (contains(source, set))
			return -ELOOP;
		if (depth_above(set) + depth_below(source) > TN_POLL_MAX_DEPTH)
			return -ELOOP;
	}
	return 0;
}

/* What an item in a set holds in its key: garbage hardly matches it. */
static uintptr_t item_key(const struct tn_poll_item *item,
			  const struct tn_poll_set *set)
{
	return (uintptr_t)item ^ (uintptr_t)set ^
	       (uintptr_t)0x7e7e740c5a5a3c3cull;
}

/*
 * Whether item is linked in a live set. The item is the caller's memory,
 * never initialised before its first add, so its fields are trusted only
 * once its key matches them, and even then the set must list it.
 */
static bool item_linked(const struct tn_poll_item *item)
{
	const struct tn_list *pos;

	if (item->key != item_key(item, item->set) || !is_set(item->set))
		return false;
	tn_list_for_each (pos, &item->set->items)
		if (pos == &item->in_set)
			return true;
	return false;
}

int tn_poll_add(struct tn_poll_set *set, struct tn_poll_item *item, int type,
		void *source, void *data)
{
	unsigned long flags = tn_lock();
	int ret;

	if (!is_set(set) || !item) {
		ret = -EINVAL;
	} else {
		ret = check_add(set, type, source);
	}
	if (!ret && item_linked(item))
		ret = -EBUSY;
	if (!ret) {
		item->set = set;
		item->key = item_key(item, set);
		item->type = type;
		item->source = source;
		item->data = data;
		tn_list_add_tail(&item->in_set, &set->items);
		tn_list_add_tail(&item->watching,
				 &source_head(type, source)->watchers);
		if (type == TN_POLL_CHANNEL)
			channel_poll_watch(source, 1);
		/* Already ready: waiters must look again. */
		wq_wake_all(&set->waiters, 0);
		poll_notify(&set->poll);
		sched_run();
	}
	tn_unlock(flags);
	return ret;
}

int tn_poll_del(struct tn_poll_set *set, struct tn_poll_item *item)
{
	unsigned long flags = tn_lock();
	int ret = 0;

	if (!is_set(set) || !item || item->set != set ||
	    tn_list_empty(&item->in_set)) {
		ret = -EINVAL;
	} else {
		tn_list_del(&item->in_set);
		unwatch(item);
		item->set = NULL;
		item->key = 0;
		/* Emptied: its waiters could only wait for ever. */
		if (tn_list_empty(&set->items)) {
			wq_wake_all(&set->waiters, -EINVAL);
			sched_run();
		}
	}
	tn_unlock(flags);
	return ret;
}

static int collect(struct tn_poll_set *set, struct tn_poll_event *events,
		   int nr)
{
	struct tn_list *pos;
	int n = 0;

	tn_list_for_each (pos, &set->items) {
		struct tn_poll_item *item =
		    tn_list_entry(pos, struct tn_poll_item, in_set);
		uint32_t what = !item->source	   ? TN_POLLNVAL
				: item_ready(item) ? TN_POLLIN
						   : 0;

		if (!what)
			continue;
		events[n].data = item->data;
		events[n].type = item->type;
		events[n].events = what;
		if (++n == nr)
			break;
	}
	return n;
}

int tn_poll_wait(struct tn_poll_set *set, struct tn_poll_event *events, int nr,
		 tn_time_t timeout)
{
	unsigned long flags;
	int ret;

	if (in_handler())
		return -EPERM;
	flags = tn_lock();
	/* An empty set has nothing that could ever wake its waiter. */
	if (!is_set(set) || !events || nr < 1 || tn_list_empty(&set->items)) {
		tn_unlock(flags);
		return -EINVAL;
	}
	/* Wake-ups say "look again": the sources are checked each time. */
	while (!(ret = collect(set, events, nr))) {
		ret = wq_wait(&set->waiters, timeout);
		if (ret)
			break;
	}
	tn_unlock(flags);
	return ret;
}
