/*
 * SCHED_QUOTA: groups of threads on one CPU sharing a budget of CPU time
 * per period of that CPU. Quota threads run by priority, FIFO among
 * equals, whatever their group, while their group has budget; the time a
 * quota thread runs is charged to its group, exactly: a one-shot timer
 * ends the budget while one of them runs, so the core stays tickless.
 * A group whose budget runs out is throttled: its ready threads leave the
 * run queue for the group's own list until the refill at the next period,
 * which gives every group its quota again, plus what it left unused, up
 * to its peak. A period timer runs while the CPU has groups.
 */
#include "kernel/internal.h"

#define TN_QUOTA_MAGIC 0x7e7e740du

static bool cpu_ok(int cpu)
{
	return cpu >= 0 && cpu < arch_cpu_count();
}

static bool group_ok(const struct tn_quota_group *g)
{
	return g && g->magic == TN_QUOTA_MAGIC;
}

/* percent of the CPU's period, in ns. */
static tn_time_t share(const struct tn_cpu *cpu, int percent)
{
	return cpu->quota_period * percent / 100;
}

/* The group's ready threads leave the run queue, in their order. */
static void throttle(struct tn_cpu *cpu, struct tn_quota_group *g)
{
	g->throttled = true;
	for (int p = TN_NR_PRIO - 1; p > 0; p--) {
		struct tn_list *pos = cpu->quota_rq.level[p].next, *next;

		for (; pos != &cpu->quota_rq.level[p]; pos = next) {
			struct tn_thread *t =
			    tn_list_entry(pos, struct tn_thread, link);

			next = pos->next;
			if (t->sched.quota_group != g)
				continue;
			rq_remove(t);
			tn_list_add_tail(&t->link, &g->expired);
		}
	}
	if (cpu->quota_charged == g)
		sched_resched(cpu);
}

/* The group's held threads are ready again, behind their levels. */
static void unthrottle(struct tn_cpu *cpu, struct tn_quota_group *g)
{
	g->throttled = false;
	while (!tn_list_empty(&g->expired)) {
		struct tn_thread *t =
		    tn_list_entry(g->expired.next, struct tn_thread, link);

		tn_list_del(&t->link);
		rq_add(&cpu->quota_rq, t, false);
		if (sched_rank(t) > sched_rank(cpu->curr))
			sched_resched(cpu);
	}
}

/* The running group's budget ends at now + budget: time it. */
static void arm_out(struct tn_cpu *cpu, tn_time_t now)
{
	struct tn_quota_group *g = cpu->quota_charged;

	if (g && g->budget > 0)
		ktimer_start(&cpu->quota_out, time_after(now, g->budget), 0);
	else if (ktimer_armed(&cpu->quota_out))
		ktimer_stop(&cpu->quota_out);
}

void quota_charge(struct tn_cpu *cpu, tn_time_t now)
{
	struct tn_quota_group *g = cpu->quota_charged;

	if (!g)
		return;
	g->budget -= now - cpu->quota_since;
	cpu->quota_since = now;
	if (g->budget <= 0 && !g->throttled)
		throttle(cpu, g);
}

void quota_switch_out(struct tn_cpu *cpu)
{
	cpu->quota_charged = NULL;
	if (ktimer_armed(&cpu->quota_out))
		ktimer_stop(&cpu->quota_out);
}

void quota_switch_in(struct tn_cpu *cpu, struct tn_thread *next, tn_time_t now)
{
	/* Boosted by PI/PP, it runs in the FIFO class, uncharged. */
	if (next->sched.policy != TN_SCHED_QUOTA || next->boosted)
		return;
	cpu->quota_charged = next->sched.quota_group;
	cpu->quota_since = now;
	arm_out(cpu, now);
}

/* The budget of the running thread's group ran out. */
static void budget_out(struct tn_ktimer *kt, uint64_t expiries)
{
	struct tn_cpu *cpu = tn_container_of(kt, struct tn_cpu, quota_out);
	tn_time_t now = arch_clock_read();

	(void)expiries;
	quota_charge(cpu, now);
	if (cpu->quota_charged && cpu->quota_charged->budget > 0)
		arm_out(cpu, now);
}

/* Gives a group its quota for the periods that began, up to its peak. */
static void refill_group(struct tn_cpu *cpu, struct tn_quota_group *g,
			 uint64_t periods)
{
	tn_time_t peak = share(cpu, g->peak), add = share(cpu, g->quota);

	/* A debt (a budget overdrawn by a late timer) is paid first. */
	while (periods-- && g->budget < peak)
		g->budget += add;
	if (g->budget > peak)
		g->budget = peak;
	if (g->throttled && g->budget > 0)
		unthrottle(cpu, g);
}

static void refill(struct tn_ktimer *kt, uint64_t expiries)
{
	struct tn_cpu *cpu = tn_container_of(kt, struct tn_cpu, quota_refill);
	tn_time_t now = arch_clock_read();
	struct tn_list *pos;

	quota_charge(cpu, now);
	tn_list_for_each (pos, &cpu->quota_groups)
		refill_group(cpu,
			     tn_list_entry(pos, struct tn_quota_group, link),
			     expiries);
	arm_out(cpu, now);
}

void quota_init_cpu(struct tn_cpu *cpu)
{
	rq_init(&cpu->quota_rq);
	tn_list_init(&cpu->quota_groups);
	cpu->quota_period = TN_QUOTA_PERIOD_DEFAULT;
	cpu->quota_charged = NULL;
	ktimer_init(&cpu->quota_refill, refill, cpu->id);
	ktimer_init(&cpu->quota_out, budget_out, cpu->id);
}

int quota_check(const struct tn_sched_param *p, int cpu)
{
	return group_ok(p->quota_group) && p->quota_group->cpu == cpu ? 0
								      : -EINVAL;
}

void quota_count(struct tn_quota_group *g, int delta)
{
	g->nr_threads += delta;
}

int tn_quota_group_create(struct tn_quota_group *g, int cpu)
{
	struct tn_cpu *c;
	unsigned long flags;

	if (!g || !cpu_ok(cpu))
		return -EINVAL;
	flags = tn_lock();
	if (g->magic == TN_QUOTA_MAGIC) {
		tn_unlock(flags);
		return -EBUSY;
	}
	c = &tn_cpus[cpu];
	tn_list_init(&g->expired);
	g->cpu = cpu;
	g->quota = 100;
	g->peak = 100;
	g->budget = share(c, 100);
	g->nr_threads = 0;
	g->throttled = false;
	g->magic = TN_QUOTA_MAGIC;
	if (tn_list_empty(&c->quota_groups))
		ktimer_start(&c->quota_refill,
			     arch_clock_read() + c->quota_period,
			     c->quota_period);
	tn_list_add_tail(&g->link, &c->quota_groups);
	tn_unlock(flags);
	return 0;
}

int tn_quota_group_destroy(struct tn_quota_group *g)
{
	unsigned long flags = tn_lock();
	struct tn_cpu *c;
	int ret = 0;

	if (!group_ok(g)) {
		ret = -EINVAL;
	} else if (g->nr_threads) {
		ret = -EBUSY;
	} else {
		c = &tn_cpus[g->cpu];
		tn_list_del(&g->link);
		g->magic = 0;
		if (tn_list_empty(&c->quota_groups))
			ktimer_stop(&c->quota_refill);
	}
	tn_unlock(flags);
	return ret;
}

int tn_quota_group_set(struct tn_quota_group *g, int quota, int peak)
{
	unsigned long flags;
	struct tn_cpu *c;
	tn_time_t now;

	if (quota < 1 || quota > 100 || peak < quota || peak > 100)
		return -EINVAL;
	flags = tn_lock();
	if (!group_ok(g)) {
		tn_unlock(flags);
		return -EINVAL;
	}
	c = &tn_cpus[g->cpu];
	now = arch_clock_read();
	quota_charge(c, now);
	g->quota = quota;
	g->peak = peak;
	if (g->budget > share(c, quota))
		g->budget = share(c, quota);
	if (c->quota_charged == g)
		arm_out(c, now);
	sched_run();
	tn_unlock(flags);
	return 0;
}

int tn_quota_group_get(struct tn_quota_group *g, struct tn_quota_info *info)
{
	unsigned long flags;
	struct tn_list *pos;
	struct tn_cpu *c;

	if (!info)
		return -EINVAL;
	flags = tn_lock();
	if (!group_ok(g)) {
		tn_unlock(flags);
		return -EINVAL;
	}
	c = &tn_cpus[g->cpu];
	/* The running thread's time so far counts. */
	quota_charge(c, arch_clock_read());
	info->cpu = g->cpu;
	info->quota_percent = g->quota;
	info->peak_percent = g->peak;
	info->quota_sum = 0;
	tn_list_for_each (pos, &c->quota_groups)
		info->quota_sum +=
		    tn_list_entry(pos, struct tn_quota_group, link)->quota;
	info->nr_threads = g->nr_threads;
	info->throttled = g->throttled;
	info->budget_left = g->budget;
	info->period = c->quota_period;
	tn_unlock(flags);
	return 0;
}

int tn_quota_set_period(int cpu, tn_time_t period)
{
	unsigned long flags;
	struct tn_list *pos;
	struct tn_cpu *c;
	tn_time_t now;

	if (!cpu_ok(cpu) || period < TN_QUOTA_PERIOD_MIN ||
	    period > TN_QUOTA_PERIOD_MAX)
		return -EINVAL;
	flags = tn_lock();
	c = &tn_cpus[cpu];
	now = arch_clock_read();
	quota_charge(c, now);
	c->quota_period = period;
	tn_list_for_each (pos, &c->quota_groups) {
		struct tn_quota_group *g =
		    tn_list_entry(pos, struct tn_quota_group, link);

		g->budget = share(c, g->quota);
		if (g->throttled)
			unthrottle(c, g);
	}
	if (!tn_list_empty(&c->quota_groups))
		ktimer_start(&c->quota_refill, now + period, period);
	arm_out(c, now);
	sched_run();
	tn_unlock(flags);
	return 0;
}

tn_time_t tn_quota_get_period(int cpu)
{
	unsigned long flags;
	tn_time_t period;

	if (!cpu_ok(cpu))
		return -EINVAL;
	flags = tn_lock();
	period = tn_cpus[cpu].quota_period;
	tn_unlock(flags);
	return period;
}
