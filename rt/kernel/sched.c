/*
 * The scheduler: per CPU, one run queue per class, each a list per
 * priority level and a bitmap of non-empty levels, so picking the best
 * ready thread costs the same whatever the number of threads. The classes
 * rank as EVL's do: FIFO/RR first (and any thread boosted by PI/PP), then
 * the TP threads of the partition whose window is in force (one queue per
 * partition, tp.c), then the quota threads of groups with budget left
 * (quota.c; a throttled group holds its ready threads on its own list).
 * The running thread is kept out of its queue. A preempted thread goes
 * back to the head of its level, a thread that yields, ends its
 * round-robin slice or wakes up to the tail. Round-robin slices are timed
 * by one timer per CPU, armed only while an SCHED_RR thread runs (the
 * core is tickless).
 */
#include "kernel/internal.h"

void rq_add(struct tn_runqueue *rq, struct tn_thread *t, bool head)
{
	int p = t->prio;

	if (head)
		tn_list_add_head(&t->link, &rq->level[p]);
	else
		tn_list_add_tail(&t->link, &rq->level[p]);
	rq->map[p / 64] |= (uint64_t)1 << (p % 64);
	t->rq = rq;
}

void rq_remove(struct tn_thread *t)
{
	struct tn_runqueue *rq = t->rq;
	int p = t->prio;

	tn_list_del(&t->link);
	if (tn_list_empty(&rq->level[p]))
		rq->map[p / 64] &= ~((uint64_t)1 << (p % 64));
	t->rq = NULL;
}

static int rq_top(const struct tn_runqueue *rq)
{
	for (int w = TN_NR_PRIO / 64 - 1; w >= 0; w--)
		if (rq->map[w])
			return w * 64 + 63 - __builtin_clzll(rq->map[w]);
	return -1;
}

struct tn_thread *rq_first(const struct tn_runqueue *rq)
{
	int p = rq_top(rq);

	return p < 0 ? NULL
		     : tn_list_entry(rq->level[p].next, struct tn_thread, link);
}

void rq_init(struct tn_runqueue *rq)
{
	for (int p = 0; p < TN_NR_PRIO; p++)
		tn_list_init(&rq->level[p]);
	for (int w = 0; w < TN_NR_PRIO / 64; w++)
		rq->map[w] = 0;
}

enum { CLASS_IDLE, CLASS_QUOTA, CLASS_TP, CLASS_FIFO };

static int thread_class(const struct tn_thread *t)
{
	switch (t->sched.policy) {
	case TN_SCHED_IDLE:
		return CLASS_IDLE;
	case TN_SCHED_QUOTA:
		return t->boosted ? CLASS_FIFO : CLASS_QUOTA;
	case TN_SCHED_TP:
		return t->boosted ? CLASS_FIFO : CLASS_TP;
	default:
		return CLASS_FIFO;
	}
}

int sched_rank(const struct tn_thread *t)
{
	return thread_class(t) * 256 + t->prio;
}

int sched_base_rank(const struct tn_thread *t)
{
	int c = t->sched.policy == TN_SCHED_QUOTA  ? CLASS_QUOTA
		: t->sched.policy == TN_SCHED_TP   ? CLASS_TP
		: t->sched.policy == TN_SCHED_IDLE ? CLASS_IDLE
						   : CLASS_FIFO;

	return c * 256 + t->sched.priority;
}

struct tn_runqueue *sched_queue_of(struct tn_cpu *cpu, struct tn_thread *t)
{
	switch (thread_class(t)) {
	case CLASS_QUOTA:
		return quota_held(t->sched.quota_group) ? NULL : &cpu->quota_rq;
	case CLASS_TP:
		return &cpu->tp.rq[t->sched.tp_partition];
	default:
		return &cpu->rq;
	}
}

void sched_enqueue(struct tn_thread *t, bool head)
{
	struct tn_cpu *cpu = &tn_cpus[t->cpu];
	struct tn_runqueue *rq = sched_queue_of(cpu, t);
	struct tn_list *held;

	if (rq) {
		rq_add(rq, t, head);
		return;
	}
	held = &t->sched.quota_group->expired;
	if (head)
		tn_list_add_head(&t->link, held);
	else
		tn_list_add_tail(&t->link, held);
}

void sched_dequeue(struct tn_thread *t)
{
	if (t->rq)
		rq_remove(t);
	else
		tn_list_del(&t->link);
}

/* Whether a queued thread may run now (not held by its class). */
static bool eligible(const struct tn_cpu *cpu, const struct tn_thread *t)
{
	if (t->rq == &cpu->rq || t->rq == &cpu->quota_rq)
		return true;
	return t->rq && cpu->tp.running && cpu->tp.active >= 0 &&
	       t->rq == &cpu->tp.rq[cpu->tp.active];
}

/* The best thread that may run on cpu, left queued; NULL: none. */
static struct tn_thread *best_ready(struct tn_cpu *cpu)
{
	struct tn_thread *t = rq_first(&cpu->rq);

	if (t)
		return t;
	if (cpu->tp.running && cpu->tp.active >= 0) {
		t = rq_first(&cpu->tp.rq[cpu->tp.active]);
		if (t)
			return t;
	}
	return rq_first(&cpu->quota_rq);
}

/* The rank of the best thread that may run (0 when none). */
static int top_rank(struct tn_cpu *cpu)
{
	struct tn_thread *t = best_ready(cpu);

	return t ? sched_rank(t) : 0;
}

struct tn_thread *sched_pick(struct tn_cpu *cpu)
{
	struct tn_thread *t = best_ready(cpu);

	if (!t)
		return &cpu->idle;
	rq_remove(t);
	return t;
}

static void rr_expired(struct tn_ktimer *kt, uint64_t expiries)
{
	struct tn_cpu *cpu = tn_container_of(kt, struct tn_cpu, rr_timer);

	(void)expiries;
	/* sched_switch() sees the slice used up and requeues at the tail. */
	cpu->need_resched = true;
}

void sched_init_cpu(struct tn_cpu *cpu)
{
	rq_init(&cpu->rq);
	ktimer_init(&cpu->rr_timer, rr_expired, cpu->id);
	quota_init_cpu(cpu);
	tp_init_cpu(cpu);
}

void sched_resched(struct tn_cpu *cpu)
{
	if (cpu->id == arch_cpu_id()) {
		cpu->need_resched = true;
	} else if (!cpu->need_resched) {
		cpu->need_resched = true;
		arch_send_ipi(cpu->id);
	}
}

void sched_ready(struct tn_thread *t)
{
	struct tn_cpu *cpu = &tn_cpus[t->cpu];

	t->state &= ~TN_T_BLOCKED;
	sched_enqueue(t, false);
	if (eligible(cpu, t) && sched_rank(t) > sched_rank(cpu->curr))
		sched_resched(cpu);
}

/*
 * The running thread of cpu moved to another class, group or partition:
 * its charging follows, and the CPU picks again.
 */
static void curr_moved(struct tn_cpu *cpu, struct tn_thread *t)
{
	tn_time_t now = arch_clock_read();

	quota_charge(cpu, now);
	quota_switch_out(cpu);
	quota_switch_in(cpu, t, now);
	sched_resched(cpu);
}

void sched_moved(struct tn_thread *t)
{
	struct tn_cpu *cpu = &tn_cpus[t->cpu];

	if (t == cpu->curr) {
		curr_moved(cpu, t);
	} else if (t->state == 0) {
		sched_dequeue(t);
		sched_enqueue(t, false);
		if (eligible(cpu, t) && sched_rank(t) > sched_rank(cpu->curr))
			sched_resched(cpu);
	}
}

void sched_set_prio(struct tn_thread *t, int prio, bool boosted)
{
	struct tn_cpu *cpu = &tn_cpus[t->cpu];
	int old = t->prio, old_class = thread_class(t);

	if (prio == old && boosted == t->boosted)
		return;
	if (t == cpu->curr) {
		t->prio = prio;
		t->boosted = boosted;
		irq_prio_changed(cpu);
		/* Lowered: goes in front of its new level when preempted. */
		if (thread_class(t) != old_class)
			curr_moved(cpu, t);
		else if (top_rank(cpu) > sched_rank(t))
			sched_resched(cpu);
	} else if (t->state == 0) {
		sched_dequeue(t);
		t->prio = prio;
		t->boosted = boosted;
		sched_enqueue(t, prio < old);
		if (eligible(cpu, t) && sched_rank(t) > sched_rank(cpu->curr))
			sched_resched(cpu);
	} else {
		t->prio = prio;
		t->boosted = boosted;
		if (t->wq)
			wq_requeue(t);
	}
}

/* Charges the outgoing thread for the time it ran. */
static void account_out(struct tn_cpu *cpu, struct tn_thread *prev,
			tn_time_t now)
{
	tn_time_t ran = now - prev->run_start;

	prev->stats.runtime += ran;
	quota_charge(cpu, now);
	quota_switch_out(cpu);
	if (ktimer_armed(&cpu->rr_timer))
		ktimer_stop(&cpu->rr_timer);
	if (prev->sched.policy == TN_SCHED_RR) {
		prev->rr_left -= ran;
		if (prev->rr_left <= 0) {
			prev->rr_left = prev->sched.rr_quantum;
			prev->requeue_tail = true;
		}
	}
}

void sched_switch(void)
{
	struct tn_cpu *cpu = this_cpu();
	struct tn_thread *prev = cpu->curr, *next;
	tn_time_t now = arch_clock_read();

	account_out(cpu, prev, now);
	if (prev->state == 0 && prev != &cpu->idle)
		sched_enqueue(prev, !prev->requeue_tail);
	prev->requeue_tail = false;
	cpu->need_resched = false;

	next = sched_pick(cpu);
	irq_switch_to(cpu, next);
	next->run_start = now;
	quota_switch_in(cpu, next, now);
	/* A slice that would end past the end of time needs no timer. */
	if (next->sched.policy == TN_SCHED_RR &&
	    time_after(now, next->rr_left) != TN_INFINITE)
		ktimer_start(&cpu->rr_timer, now + next->rr_left, 0);
	if (next == prev)
		return;
	cpu->curr = next;
	next->stats.switches++;
	arch_switch(prev, next, prev->state & TN_T_ZOMBIE);
}

void sched_run(void)
{
	/*
	 * A handler runs on the interrupted thread, and interrupt context
	 * ends in tn_irq_exit(): either switches once it is over.
	 */
	if (this_cpu()->need_resched && !in_handler())
		sched_switch();
}

int thread_block(tn_time_t timeout)
{
	struct tn_thread *curr = this_cpu()->curr;

	/* The services refuse to block in a handler; this is the backstop. */
	if (in_handler())
		arch_panic("a blocking call in a handler or interrupt context");
	curr->state |= TN_T_BLOCKED;
	curr->wait_status = 0;
	if (timeout != TN_INFINITE)
		ktimer_start(&curr->timeout, timeout, 0);
	sched_switch();
	return curr->wait_status;
}

void thread_wake(struct tn_thread *t, int status)
{
	if (!(t->state & TN_T_BLOCKED))
		return;
	if (ktimer_armed(&t->timeout))
		ktimer_stop(&t->timeout);
	if (t->wq)
		wq_remove(t);
	if (t->wait_mutex && status)
		mutex_abort_wait(t);
	t->wait_status = status;
	t->stats.wakeups++;
	if (status == -ETIMEDOUT)
		t->stats.timeouts++;
	sched_ready(t);
}
