/*
 * The scheduler: one run queue per CPU, a list per priority level and a
 * bitmap of non-empty levels, so picking the best ready thread costs the
 * same whatever the number of threads. The running thread is kept out of
 * its run queue. A preempted thread goes back to the head of its level, a
 * thread that yields, ends its round-robin slice or wakes up to the tail.
 * Round-robin slices are timed by one timer per CPU, armed only while an
 * SCHED_RR thread runs (the core is tickless).
 */
#include "kernel/internal.h"

static void rq_add(struct tn_runqueue *rq, struct tn_thread *t, bool head)
{
	int p = t->prio;

	if (head)
		tn_list_add_head(&t->link, &rq->level[p]);
	else
		tn_list_add_tail(&t->link, &rq->level[p]);
	rq->map[p / 64] |= (uint64_t)1 << (p % 64);
}

static void rq_remove(struct tn_runqueue *rq, struct tn_thread *t)
{
	int p = t->prio;

	tn_list_del(&t->link);
	if (tn_list_empty(&rq->level[p]))
		rq->map[p / 64] &= ~((uint64_t)1 << (p % 64));
}

static int rq_top(const struct tn_runqueue *rq)
{
	for (int w = TN_NR_PRIO / 64 - 1; w >= 0; w--)
		if (rq->map[w])
			return w * 64 + 63 - __builtin_clzll(rq->map[w]);
	return -1;
}

int sched_top_prio(const struct tn_cpu *cpu)
{
	int p = rq_top(&cpu->rq);

	return p < 0 ? 0 : p;
}

struct tn_thread *sched_pick(struct tn_cpu *cpu)
{
	int p = rq_top(&cpu->rq);
	struct tn_thread *t;

	if (p < 0)
		return &cpu->idle;
	t = tn_list_entry(cpu->rq.level[p].next, struct tn_thread, link);
	rq_remove(&cpu->rq, t);
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
	for (int p = 0; p < TN_NR_PRIO; p++)
		tn_list_init(&cpu->rq.level[p]);
	ktimer_init(&cpu->rr_timer, rr_expired, cpu->id);
}

static void resched_cpu(struct tn_cpu *cpu)
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
	rq_add(&cpu->rq, t, false);
	if (t->prio > cpu->curr->prio)
		resched_cpu(cpu);
}

void sched_set_prio(struct tn_thread *t, int prio)
{
	struct tn_cpu *cpu = &tn_cpus[t->cpu];
	int old = t->prio;

	if (prio == old)
		return;
	if (t == cpu->curr) {
		t->prio = prio;
		irq_prio_changed(cpu);
		/* Lowered: goes in front of its new level when preempted. */
		if (sched_top_prio(cpu) > prio)
			resched_cpu(cpu);
	} else if (t->state == 0) {
		rq_remove(&cpu->rq, t);
		t->prio = prio;
		rq_add(&cpu->rq, t, prio < old);
		if (prio > cpu->curr->prio)
			resched_cpu(cpu);
	} else {
		t->prio = prio;
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
		rq_add(&cpu->rq, prev, !prev->requeue_tail);
	prev->requeue_tail = false;
	cpu->need_resched = false;

	next = sched_pick(cpu);
	irq_switch_to(cpu, next);
	next->run_start = now;
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
