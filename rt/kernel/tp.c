/*
 * SCHED_TP: a cyclic schedule of time windows per CPU, each giving the CPU
 * to the TP threads of one partition (or to none, in a gap). The ready TP
 * threads of a CPU wait in one run queue per partition; only the queue of
 * the partition in force is looked at. One timer per CPU is armed for the
 * start of the next stretch of the cycle, and each date is computed from
 * the schedule's start date, so lateness never accumulates: every window
 * begins at start + k * cycle + offset.
 */
#include <string.h>

#include "kernel/internal.h"

#define TP_CYCLE_MAX TN_SEC(100)

static bool cpu_ok(int cpu)
{
	return cpu >= 0 && cpu < arch_cpu_count();
}

/* Puts the running schedule where it is at now and times the next step. */
static void tp_place(struct tn_cpu *cpu, tn_time_t now)
{
	struct tp_state *tp = &cpu->tp;
	tn_time_t pos, next;
	int s;

	if (now < tp->start) {
		tp->slot = -1;
		tp->active = TN_TP_GAP;
		next = tp->start;
	} else {
		tp->cycle_start =
		    tp->start + (now - tp->start) / tp->cycle * tp->cycle;
		pos = now - tp->cycle_start;
		for (s = tp->nr_slots - 1; s > 0 && tp->slots[s].start > pos;
		     s--)
			;
		tp->slot = s;
		tp->active = tp->slots[s].partition;
		next =
		    tp->cycle_start +
		    (s + 1 < tp->nr_slots ? tp->slots[s + 1].start : tp->cycle);
	}
	ktimer_start(&tp->timer, next, 0);
	/* The partition in force changed: the CPU picks again. */
	sched_resched(cpu);
}

static void tp_step(struct tn_ktimer *kt, uint64_t expiries)
{
	struct tn_cpu *cpu = tn_container_of(kt, struct tn_cpu, tp.timer);

	(void)expiries;
	tp_place(cpu, arch_clock_read());
}

static void tp_halt(struct tn_cpu *cpu)
{
	struct tp_state *tp = &cpu->tp;

	if (!tp->running)
		return;
	tp->running = false;
	tp->active = TN_TP_GAP;
	tp->slot = -1;
	if (ktimer_armed(&tp->timer))
		ktimer_stop(&tp->timer);
	sched_resched(cpu);
}

void tp_init_cpu(struct tn_cpu *cpu)
{
	struct tp_state *tp = &cpu->tp;

	for (int p = 0; p < TN_TP_PARTITIONS; p++)
		rq_init(&tp->rq[p]);
	tp->nr_windows = 0;
	tp->nr_slots = 0;
	tp->installed = false;
	tp->running = false;
	tp->active = TN_TP_GAP;
	tp->slot = -1;
	ktimer_init(&tp->timer, tp_step, cpu->id);
}

/* Checks the windows and cuts the cycle into slots (gaps included). */
static int tp_plan(const struct tn_tp_window *w, int nr, struct tp_slot *slots,
		   int *nr_slots, tn_time_t *cycle)
{
	tn_time_t end = 0;
	int n = 0;

	if (!w || nr < 1 || nr > TN_TP_WINDOWS_MAX)
		return -EINVAL;
	for (int i = 0; i < nr; i++) {
		if (w[i].offset < end || w[i].duration <= 0 ||
		    w[i].duration > TP_CYCLE_MAX ||
		    w[i].offset > TP_CYCLE_MAX - w[i].duration)
			return -EINVAL;
		if (w[i].partition != TN_TP_GAP &&
		    (w[i].partition < 0 || w[i].partition >= TN_TP_PARTITIONS))
			return -EINVAL;
		if (w[i].offset > end)
			slots[n++] = (struct tp_slot){end, TN_TP_GAP, -1};
		slots[n++] = (struct tp_slot){w[i].offset, w[i].partition, i};
		end = w[i].offset + w[i].duration;
	}
	*nr_slots = n;
	*cycle = end;
	return 0;
}

int tn_tp_install(int cpu, const struct tn_tp_window *windows, int nr)
{
	struct tp_slot slots[TP_SLOTS];
	unsigned long flags;
	struct tp_state *tp;
	tn_time_t cycle;
	int n, ret;

	if (!cpu_ok(cpu))
		return -EINVAL;
	ret = tp_plan(windows, nr, slots, &n, &cycle);
	if (ret)
		return ret;
	flags = tn_lock();
	tp = &tn_cpus[cpu].tp;
	tp_halt(&tn_cpus[cpu]);
	memcpy(tp->windows, windows, sizeof(*windows) * (size_t)nr);
	tp->nr_windows = nr;
	memcpy(tp->slots, slots, sizeof(*slots) * (size_t)n);
	tp->nr_slots = n;
	tp->cycle = cycle;
	tp->installed = true;
	tn_unlock(flags);
	return 0;
}

int tn_tp_remove(int cpu)
{
	unsigned long flags;

	if (!cpu_ok(cpu))
		return -EINVAL;
	flags = tn_lock();
	tp_halt(&tn_cpus[cpu]);
	tn_cpus[cpu].tp.installed = false;
	tn_cpus[cpu].tp.nr_windows = 0;
	tn_unlock(flags);
	return 0;
}

int tn_tp_start(int cpu, tn_time_t start)
{
	unsigned long flags;
	struct tp_state *tp;
	int ret = 0;

	if (!cpu_ok(cpu) || start < 0)
		return -EINVAL;
	flags = tn_lock();
	tp = &tn_cpus[cpu].tp;
	if (!tp->installed) {
		ret = -ENOENT;
	} else {
		tp->running = true;
		tp->start = start;
		tp_place(&tn_cpus[cpu], arch_clock_read());
	}
	sched_run();
	tn_unlock(flags);
	return ret;
}

int tn_tp_stop(int cpu)
{
	unsigned long flags;

	if (!cpu_ok(cpu))
		return -EINVAL;
	flags = tn_lock();
	tp_halt(&tn_cpus[cpu]);
	sched_run();
	tn_unlock(flags);
	return 0;
}

int tn_tp_get(int cpu, struct tn_tp_info *info)
{
	unsigned long flags;
	struct tp_state *tp;

	if (!cpu_ok(cpu) || !info)
		return -EINVAL;
	flags = tn_lock();
	tp = &tn_cpus[cpu].tp;
	memset(info, 0, sizeof(*info));
	info->installed = tp->installed;
	info->running = tp->running;
	info->nr_windows = tp->nr_windows;
	info->cycle = tp->installed ? tp->cycle : 0;
	info->start = tp->running ? tp->start : 0;
	info->window = tp->slot >= 0 ? tp->slots[tp->slot].window : -1;
	info->partition = tp->active;
	memcpy(info->windows, tp->windows,
	       sizeof(*tp->windows) * (size_t)tp->nr_windows);
	tn_unlock(flags);
	return 0;
}
