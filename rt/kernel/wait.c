/*
 * Wait queues: threads block on them in priority order, FIFO among equal
 * priorities, each with an optional absolute timeout carried by the
 * thread's own timer. Inserting walks the waiters (they are few); waking
 * the best one is O(1).
 */
#include "kernel/internal.h"

void wq_init(struct tn_wait_queue *wq)
{
	tn_list_init(&wq->waiters);
}

void wq_enqueue(struct tn_wait_queue *wq, struct tn_thread *t)
{
	struct tn_list *pos;

	/* Behind every waiter of the same or a higher priority. */
	for (pos = wq->waiters.prev; pos != &wq->waiters; pos = pos->prev)
		if (tn_list_entry(pos, struct tn_thread, link)->prio >= t->prio)
			break;
	tn_list_insert(&t->link, pos, pos->next);
	t->wq = wq;
}

int wq_wait(struct tn_wait_queue *wq, tn_time_t timeout)
{
	struct tn_thread *curr = this_cpu()->curr;

	if (timeout != TN_INFINITE && timeout <= arch_clock_read())
		return -ETIMEDOUT;
	wq_enqueue(wq, curr);
	return thread_block(timeout);
}

void wq_remove(struct tn_thread *t)
{
	tn_list_del(&t->link);
	t->wq = NULL;
}

struct tn_thread *wq_wake_one(struct tn_wait_queue *wq, int status)
{
	struct tn_thread *t;

	if (wq_empty(wq))
		return NULL;
	t = tn_list_entry(wq->waiters.next, struct tn_thread, link);
	thread_wake(t, status);
	return t;
}

int wq_wake_all(struct tn_wait_queue *wq, int status)
{
	int n = 0;

	while (wq_wake_one(wq, status))
		n++;
	return n;
}

void wq_requeue(struct tn_thread *t)
{
	struct tn_wait_queue *wq = t->wq;

	wq_remove(t);
	wq_enqueue(wq, t);
}
