/*
 * Event flags (see tenon/flags.h). A waiter records in its thread what it
 * waits for: 0 for any bit, else the exact mask; the element hands it the
 * bits it takes in wait_result before waking it.
 */
#include <tenon/flags.h>

#include "kernel/internal.h"

static bool is_flags(const struct tn_flags *f)
{
	return f && f->magic == TN_FLAGS_MAGIC;
}

/* The bits a waiter asking for mask would take from value, or 0. */
static uint32_t takes(uint32_t mask, uint32_t value)
{
	if (!mask)
		return value;
	return (value & mask) == mask ? mask : 0;
}

int tn_flags_init(struct tn_flags *f, uint32_t value)
{
	if (!f)
		return -EINVAL;
	wq_init(&f->waiters);
	f->value = value;
	poll_head_init(&f->poll);
	f->magic = TN_FLAGS_MAGIC;
	return 0;
}

int tn_flags_destroy(struct tn_flags *f)
{
	unsigned long flags = tn_lock();

	if (!is_flags(f)) {
		tn_unlock(flags);
		return -EINVAL;
	}
	f->magic = 0;
	wq_wake_all(&f->waiters, -EIDRM);
	poll_source_gone(&f->poll);
	sched_run();
	tn_unlock(flags);
	return 0;
}

static int flags_wait(struct tn_flags *f, uint32_t mask, uint32_t *bits,
		      tn_time_t timeout, bool wait)
{
	unsigned long flags;
	struct tn_thread *self;
	uint32_t got;
	int ret = 0;

	if (wait && in_handler())
		return -EPERM;
	flags = tn_lock();
	self = this_cpu()->curr;
	if (!is_flags(f)) {
		ret = -EINVAL;
	} else if ((got = takes(mask, f->value)) != 0) {
		f->value &= ~got;
	} else if (!wait) {
		ret = -EAGAIN;
	} else {
		self->wait_arg = mask;
		ret = wq_wait(&f->waiters, timeout);
		got = (uint32_t)self->wait_result;
	}
	if (!ret && bits)
		*bits = got;
	tn_unlock(flags);
	return ret;
}

int tn_flags_wait(struct tn_flags *f, uint32_t *bits, tn_time_t timeout)
{
	return flags_wait(f, 0, bits, timeout, true);
}

int tn_flags_wait_exact(struct tn_flags *f, uint32_t mask, tn_time_t timeout)
{
	if (!mask)
		return -EINVAL;
	return flags_wait(f, mask, NULL, timeout, true);
}

int tn_flags_trywait(struct tn_flags *f, uint32_t *bits)
{
	return flags_wait(f, 0, bits, 0, false);
}

/*
 * Walks the waiters in priority order, handing each what it takes from
 * *pool; consume says whether taken bits leave the pool at once (a post)
 * or stay there for the waiters after it (a broadcast). Returns how many
 * woke; *taken collects every bit handed out.
 */
static int release_waiters(struct tn_flags *f, uint32_t *pool, bool consume,
			   uint32_t *taken)
{
	struct tn_list *pos, *next;
	int woken = 0;

	for (pos = f->waiters.waiters.next; pos != &f->waiters.waiters;
	     pos = next) {
		struct tn_thread *t =
		    tn_list_entry(pos, struct tn_thread, link);
		uint32_t got = takes((uint32_t)t->wait_arg, *pool);

		next = pos->next;
		if (!got)
			continue;
		if (consume)
			*pool &= ~got;
		*taken |= got;
		t->wait_result = got;
		thread_wake(t, 0);
		woken++;
	}
	return woken;
}

int tn_flags_post(struct tn_flags *f, uint32_t bits)
{
	unsigned long flags = tn_lock();
	uint32_t taken = 0;
	int ret = 0;

	if (!is_flags(f) || !bits) {
		ret = -EINVAL;
	} else {
		f->value |= bits;
		release_waiters(f, &f->value, true, &taken);
		if (f->value)
			poll_notify(&f->poll);
		sched_run();
	}
	tn_unlock(flags);
	return ret;
}

int tn_flags_broadcast(struct tn_flags *f, uint32_t bits)
{
	unsigned long flags = tn_lock();
	uint32_t pool, taken = 0;
	int ret;

	if (!is_flags(f) || !bits) {
		ret = -EINVAL;
	} else {
		/*
		 * As EVL's broadcast: the bits join the group, every waiter
		 * the whole group satisfies takes its share of it, and only
		 * then does what was taken leave the group.
		 */
		f->value |= bits;
		pool = f->value;
		ret = release_waiters(f, &pool, false, &taken);
		f->value &= ~taken;
		if (f->value)
			poll_notify(&f->poll);
		sched_run();
	}
	tn_unlock(flags);
	return ret;
}

int tn_flags_peek(struct tn_flags *f, uint32_t *value)
{
	unsigned long flags = tn_lock();
	int ret = 0;

	if (!is_flags(f) || !value)
		ret = -EINVAL;
	else
		*value = f->value;
	tn_unlock(flags);
	return ret;
}
