/*
 * Threads: creation with validated attributes, exit and join, scheduling
 * parameters at run time, and the statistics the kernel keeps per thread.
 * A thread is bound to one CPU for its life. The stack, when the kernel
 * allocated it, is freed by the join, once the thread can no longer run.
 */
#include <string.h>

#include "kernel/internal.h"

struct tn_list tn_all_threads;
static uint32_t next_id;

static void period_released(struct tn_ktimer *kt, uint64_t expiries);

static void thread_timed_out(struct tn_ktimer *kt, uint64_t expiries)
{
	(void)expiries;
	thread_wake(tn_container_of(kt, struct tn_thread, timeout), -ETIMEDOUT);
}

/* A new thread's first switch-in lands here, with the kernel locked. */
static void thread_trampoline(void)
{
	struct tn_thread *self = this_cpu()->curr;

	arch_kernel_unlock();
	arch_irq_enable();
	tn_thread_exit(self->entry(self->arg));
}

void tn_thread_attr_init(struct tn_thread_attr *attr)
{
	memset(attr, 0, sizeof(*attr));
	attr->sched.policy = TN_SCHED_FIFO;
	attr->sched.priority = TN_PRIO_MIN;
}

/* What can be checked without the kernel lock (see quota_check()). */
static int check_sched(const struct tn_sched_param *p)
{
	if (p->policy != TN_SCHED_FIFO && p->policy != TN_SCHED_RR &&
	    p->policy != TN_SCHED_QUOTA && p->policy != TN_SCHED_TP)
		return -EINVAL;
	if (p->policy == TN_SCHED_TP &&
	    (p->tp_partition < 0 || p->tp_partition >= TN_TP_PARTITIONS))
		return -EINVAL;
	if (p->priority < TN_PRIO_MIN || p->priority > TN_PRIO_MAX)
		return -EINVAL;
	if (p->rr_quantum < 0)
		return -EINVAL;
	return 0;
}

/* Kernel locked; a quota group was checked (quota_check()). */
static void set_sched_param(struct tn_thread *t, const struct tn_sched_param *p)
{
	if (t->sched.policy == TN_SCHED_QUOTA)
		quota_count(t->sched.quota_group, -1);
	t->sched = *p;
	if (p->policy == TN_SCHED_QUOTA)
		quota_count(p->quota_group, 1);
	else
		t->sched.quota_group = NULL;
	if (p->policy != TN_SCHED_TP)
		t->sched.tp_partition = 0;
	if (!t->sched.rr_quantum)
		t->sched.rr_quantum = TN_RR_QUANTUM_DEFAULT;
	t->rr_left = t->sched.rr_quantum;
}

static int pick_cpu(tn_cpumask_t affinity)
{
	tn_cpumask_t online = (tn_cpumask_t)((1ull << arch_cpu_count()) - 1);
	int self = arch_cpu_id();

	if (!affinity)
		return self;
	if (affinity & ~online)
		return -EINVAL;
	if (affinity & TN_CPU(self))
		return self;
	return __builtin_ctz(affinity);
}

void thread_init_common(struct tn_thread *t, const char *name, int cpu)
{
	memset(t, 0, sizeof(*t));
	tn_list_init(&t->link);
	tn_list_init(&t->all);
	tn_list_init(&t->mutexes);
	wq_init(&t->joiners);
	ktimer_init(&t->timeout, thread_timed_out, cpu);
	ktimer_init(&t->periodic.timer, period_released, cpu);
	t->cpu = cpu;
	t->affinity = TN_CPU(cpu);
	strncpy(t->name, name ? name : "", sizeof(t->name) - 1);
	t->magic = TN_THREAD_MAGIC;
}

int tn_thread_create(struct tn_thread *t, const struct tn_thread_attr *attr,
		     void *(*entry)(void *arg), void *arg)
{
	struct tn_thread_attr defaults;
	size_t stack_size;
	unsigned long flags;
	void *stack;
	int cpu, ret;

	if (!t || !entry)
		return -EINVAL;
	/* Stacks are allocated at creation, which is no handler's job. */
	if (in_handler())
		return -EPERM;
	if (!attr) {
		tn_thread_attr_init(&defaults);
		attr = &defaults;
	}
	ret = check_sched(&attr->sched);
	if (ret)
		return ret;
	cpu = pick_cpu(attr->affinity);
	if (cpu < 0)
		return cpu;
	stack_size =
	    attr->stack_size ? attr->stack_size : TN_STACK_SIZE_DEFAULT;
	if (stack_size < TN_STACK_SIZE_MIN)
		return -EINVAL;
	if (t->magic == TN_THREAD_MAGIC && !(t->state & TN_T_DORMANT))
		return -EBUSY;

	stack = attr->stack;
	if (!stack) {
		stack = arch_stack_alloc(stack_size);
		if (!stack)
			return -ENOMEM;
	}
	thread_init_common(t, attr->name, cpu);
	if (attr->affinity)
		t->affinity = attr->affinity;
	t->prio = attr->sched.priority;
	t->entry = entry;
	t->arg = arg;
	t->stack = stack;
	t->stack_size = stack_size;
	t->stack_owned = !attr->stack;
	t->arch = arch_thread_setup(t, stack, stack_size, thread_trampoline);

	flags = tn_lock();
	if (attr->sched.policy == TN_SCHED_QUOTA &&
	    quota_check(&attr->sched, cpu)) {
		tn_unlock(flags);
		t->magic = 0;
		if (t->stack_owned)
			arch_stack_free(stack, stack_size);
		return -EINVAL;
	}
	set_sched_param(t, &attr->sched);
	/* Wraps after 4 billion creations; 0 stays the idle threads'. */
	if (!++next_id)
		next_id = 1;
	t->id = next_id;
	tn_list_add_tail(&t->all, &tn_all_threads);
	sched_ready(t);
	sched_run();
	tn_unlock(flags);
	return 0;
}

void tn_thread_exit(void *retval)
{
	struct tn_thread *self;
	unsigned long flags;

	if (in_handler())
		arch_panic("tn_thread_exit() called from a handler");
	flags = tn_lock();
	self = this_cpu()->curr;
	/* It stops counting in its group: the group may go. */
	if (self->sched.policy == TN_SCHED_QUOTA) {
		quota_count(self->sched.quota_group, -1);
		self->sched.policy = TN_SCHED_FIFO;
		self->sched.quota_group = NULL;
	}
	/* No release may come for a thread that is gone. */
	if (ktimer_armed(&self->periodic.timer))
		ktimer_stop(&self->periodic.timer);
	mutex_release_all(self);
	rwlock_release_all(self);
	/* Health handlers hear of what it held while it is still alive. */
	tn_unlock(flags);
	tn_lock();
	self->retval = retval;
	self->state = TN_T_ZOMBIE;
	wq_wake_all(&self->joiners, 0);
	sched_switch();
	arch_panic("an ended thread was switched in again");
}

bool thread_is_live(const struct tn_thread *t)
{
	return t && t->magic == TN_THREAD_MAGIC && !(t->state & TN_T_DORMANT) &&
	       t->sched.policy != TN_SCHED_IDLE;
}

int tn_thread_join(struct tn_thread *t, void **retval)
{
	unsigned long flags;
	struct tn_thread *self;
	int ret = 0;

	if (in_handler())
		return -EPERM;
	flags = tn_lock();
	self = this_cpu()->curr;
	if (!thread_is_live(t)) {
		ret = -EINVAL;
	} else if (t == self) {
		ret = -EDEADLK;
	} else if (t->joiner) {
		ret = -EBUSY;
	} else if (!(t->state & TN_T_ZOMBIE)) {
		t->joiner = self;
		ret = wq_wait(&t->joiners, TN_INFINITE);
		t->joiner = NULL;
	}
	if (!ret) {
		/*
		 * The zombie switched away for good before its CPU released
		 * the lock we hold, so nothing runs on its stack any more.
		 */
		if (retval)
			*retval = t->retval;
		t->state = TN_T_DORMANT;
		tn_list_del(&t->all);
		if (t->stack_owned)
			arch_stack_free(t->stack, t->stack_size);
		t->stack = NULL;
	}
	tn_unlock(flags);
	return ret;
}

struct tn_thread *tn_thread_self(void)
{
	return this_cpu()->curr;
}

int tn_thread_yield(void)
{
	unsigned long flags;

	if (in_handler())
		return -EPERM;
	flags = tn_lock();
	this_cpu()->curr->requeue_tail = true;
	sched_switch();
	tn_unlock(flags);
	return 0;
}

int tn_thread_set_sched(struct tn_thread *t, const struct tn_sched_param *param)
{
	struct tn_sched_param old;
	unsigned long flags;
	int ret;

	if (!param)
		return -EINVAL;
	ret = check_sched(param);
	if (ret)
		return ret;
	flags = tn_lock();
	if (!thread_is_live(t) || (t->state & TN_T_ZOMBIE) ||
	    (param->policy == TN_SCHED_QUOTA && quota_check(param, t->cpu))) {
		tn_unlock(flags);
		return -EINVAL;
	}
	old = t->sched;
	set_sched_param(t, param);
	if (old.policy != t->sched.policy ||
	    old.quota_group != t->sched.quota_group ||
	    old.tp_partition != t->sched.tp_partition)
		sched_moved(t);
	thread_refresh_prio(t);
	sched_run();
	tn_unlock(flags);
	return 0;
}

int tn_thread_get_sched(struct tn_thread *t, struct tn_sched_param *param)
{
	unsigned long flags;
	int ret = 0;

	if (!param)
		return -EINVAL;
	flags = tn_lock();
	if (thread_is_live(t))
		*param = t->sched;
	else
		ret = -EINVAL;
	tn_unlock(flags);
	return ret;
}

int tn_thread_set_priority(struct tn_thread *t, int priority)
{
	struct tn_sched_param param;
	int ret = tn_thread_get_sched(t, &param);

	if (ret)
		return ret;
	param.priority = priority;
	return tn_thread_set_sched(t, &param);
}

int tn_thread_get_priority(struct tn_thread *t)
{
	struct tn_sched_param param;
	int ret = tn_thread_get_sched(t, &param);

	return ret ? ret : param.priority;
}

int tn_thread_get_effective_priority(struct tn_thread *t)
{
	unsigned long flags = tn_lock();
	int ret = thread_is_live(t) ? t->prio : -EINVAL;

	tn_unlock(flags);
	return ret;
}

const char *tn_thread_name(const struct tn_thread *t)
{
	return t->name;
}

int tn_thread_cpu(const struct tn_thread *t)
{
	return t->cpu;
}

int tn_thread_get_stats(struct tn_thread *t, struct tn_thread_stats *stats)
{
	unsigned long flags;
	int ret = 0;

	if (!stats)
		return -EINVAL;
	flags = tn_lock();
	if (thread_is_live(t)) {
		*stats = t->stats;
		/* Count the running thread's current stretch too. */
		if (t == tn_cpus[t->cpu].curr)
			stats->runtime += arch_clock_read() - t->run_start;
	} else {
		ret = -EINVAL;
	}
	tn_unlock(flags);
	return ret;
}

/* Kernel locked: the thread cannot change while it is read. */
static void fill_info(struct tn_thread *t, struct tn_thread_info *info,
		      tn_time_t now)
{
	memset(info, 0, sizeof(*info));
	info->thread = t;
	memcpy(info->name, t->name, sizeof(info->name));
	if (t->state & TN_T_ZOMBIE)
		info->state = TN_THREAD_ENDED;
	else if (t->state & TN_T_BLOCKED)
		info->state = t->wq ? TN_THREAD_WAITING : TN_THREAD_SLEEPING;
	else if (t == tn_cpus[t->cpu].curr)
		info->state = TN_THREAD_RUNNING;
	else
		info->state = TN_THREAD_READY;
	info->cpu = t->cpu;
	info->policy = t->sched.policy;
	info->base_priority = t->sched.priority;
	info->priority = t->prio;
	info->waits_on = t->wq;
	info->waits_for_mutex = t->wait_mutex;
	info->timeout_left =
	    ktimer_armed(&t->timeout)
		? (t->timeout.date > now ? t->timeout.date - now : 0)
		: TN_INFINITE;
	info->stats = t->stats;
	info->id = t->id;
	info->period =
	    ktimer_armed(&t->periodic.timer) ? t->periodic.timer.interval : 0;
	info->deadline_policy = t->periodic.policy;
	if (info->state == TN_THREAD_RUNNING)
		info->stats.runtime += now - t->run_start;
}

int tn_thread_get_info(struct tn_thread *t, struct tn_thread_info *info)
{
	unsigned long flags;
	int ret = 0;

	if (!info)
		return -EINVAL;
	flags = tn_lock();
	if (thread_is_live(t))
		fill_info(t, info, arch_clock_read());
	else
		ret = -EINVAL;
	tn_unlock(flags);
	return ret;
}

int tn_thread_list(struct tn_thread_info *infos, int nr)
{
	unsigned long flags;
	struct tn_list *pos;
	tn_time_t now;
	int n = 0;

	if (nr < 0 || (nr && !infos))
		return -EINVAL;
	flags = tn_lock();
	now = arch_clock_read();
	tn_list_for_each (pos, &tn_all_threads) {
		if (n < nr)
			fill_info(tn_list_entry(pos, struct tn_thread, all),
				  &infos[n], now);
		n++;
	}
	tn_unlock(flags);
	return n;
}

void thread_ids_reset(void)
{
	next_id = 0;
}

uint32_t tn_thread_id(const struct tn_thread *t)
{
	return t ? t->id : 0;
}

/* Misses in a run are escalated at the first, then every EVERY-th. */
static bool escalate_now(uint64_t run_before, uint64_t missed)
{
	uint64_t every = TN_DEADLINE_ESCALATE_EVERY;

	return !run_before ||
	       run_before / every != (run_before + missed) / every;
}

static void deadline_missed(struct tn_thread *t, uint64_t missed)
{
	struct tn_periodic *p = &t->periodic;
	uint64_t before = p->run;

	t->stats.deadline_misses += missed;
	p->overruns += missed;
	p->run += missed;
	if ((p->policy & TN_DEADLINE_ESCALATE) &&
	    escalate_now(before, missed)) {
		struct tn_health_info info = {
		    .hm_event = TN_HM_EV_DEADLINE,
		    .action = 0,
		    /* Who, and how bad: the run's misses so far. */
		    .detail = (uint64_t)t->id << 32 |
			      (p->run > 0xffffffffu ? 0xffffffffu : p->run),
		};

		/* The hypercall is made as the handler is, lock released. */
		health_report_info(TN_HEALTH_DEADLINE_MISS, t, &info, true);
	}
}

/*
 * A release, in the timer interrupt of the thread's CPU: a thread not
 * waiting for it missed its deadline, caught here whether or not it
 * ever comes back. expiries beyond one are releases the interrupt came
 * too late for: missed too, the thread could not have run for them.
 */
static void period_released(struct tn_ktimer *kt, uint64_t expiries)
{
	struct tn_thread *t =
	    tn_container_of(kt, struct tn_thread, periodic.timer);
	struct tn_periodic *p = &t->periodic;
	uint64_t missed = expiries;

	if (p->waiting) {
		p->waiting = false;
		missed--;
		p->run = 0;
		thread_wake(t, 0);
	} else {
		if (!p->released)
			missed--; /* the first: it had no job to be late with */
		p->pending += expiries;
	}
	p->released = true;
	if (missed)
		deadline_missed(t, missed);
}

int tn_thread_set_periodic(tn_time_t first, tn_time_t period)
{
	struct tn_thread *self;
	struct tn_periodic *p;
	unsigned long flags;

	if (in_handler())
		return -EPERM;
	if (first < 0 || period < 0 || (period && period < TN_PERIOD_MIN))
		return -EINVAL;
	flags = tn_lock();
	self = this_cpu()->curr;
	p = &self->periodic;
	if (ktimer_armed(&p->timer))
		ktimer_stop(&p->timer);
	p->pending = 0;
	p->overruns = 0;
	p->run = 0;
	p->waiting = false;
	p->released = false;
	if (period)
		ktimer_start(&p->timer, first, period);
	tn_unlock(flags);
	return 0;
}

int tn_thread_wait_period(uint64_t *overruns)
{
	struct tn_thread *self;
	struct tn_periodic *p;
	unsigned long flags;
	uint64_t n;
	int ret = 0;

	if (in_handler())
		return -EPERM;
	flags = tn_lock();
	self = this_cpu()->curr;
	p = &self->periodic;
	if (!ktimer_armed(&p->timer) && !p->pending) {
		tn_unlock(flags);
		return -EINVAL;
	}
	if (p->pending) {
		/* Late: this job starts now, for the latest release. */
		p->pending = 0;
	} else {
		p->waiting = true;
		thread_block(TN_INFINITE);
		p->waiting = false;
	}
	n = p->overruns;
	p->overruns = 0;
	if (n && (p->policy & TN_DEADLINE_NOTIFY))
		ret = -ETIMEDOUT;
	tn_unlock(flags);
	if (overruns)
		*overruns = n;
	return ret;
}

int tn_thread_set_deadline_policy(struct tn_thread *t, unsigned int flags)
{
	unsigned long irq;

	if (flags & ~(unsigned int)(TN_DEADLINE_NOTIFY | TN_DEADLINE_ESCALATE))
		return -EINVAL;
	irq = tn_lock();
	if (!thread_is_live(t) || (t->state & TN_T_ZOMBIE)) {
		tn_unlock(irq);
		return -EINVAL;
	}
	/*
	 * Escalating from now: the next miss is the first of its run, even
	 * in a run of misses that were only counted before.
	 */
	if (flags & ~t->periodic.policy & TN_DEADLINE_ESCALATE)
		t->periodic.run = 0;
	t->periodic.policy = flags;
	tn_unlock(irq);
	return 0;
}
