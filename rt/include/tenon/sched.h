/*
 * The temporal scheduling classes, as EVL's: SCHED_QUOTA (thread groups of
 * a CPU share a budget of CPU time per period) and SCHED_TP (a cyclic
 * schedule of time windows per CPU, each window running the threads of
 * one partition). On a CPU, FIFO/RR threads rank above TP threads, which
 * rank above quota threads, whatever their priorities; within a class,
 * threads run by priority, FIFO among equals. A TP or quota thread runs
 * in the FIFO class while boosted: raised by PI/PP, holding a PP mutex, or
 * holding a PI mutex that a thread of a higher rank waits for.
 */
#ifndef TENON_SCHED_H
#define TENON_SCHED_H

#include <tenon/list.h>
#include <tenon/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* SCHED_QUOTA */

#define TN_QUOTA_PERIOD_DEFAULT TN_MSEC(10)
#define TN_QUOTA_PERIOD_MIN TN_USEC(100)
#define TN_QUOTA_PERIOD_MAX TN_SEC(10)

/* A group of quota threads on one CPU; all fields private to the kernel. */
struct tn_quota_group {
	struct tn_list link;	/* in its CPU's groups */
	struct tn_list expired; /* its ready threads, while throttled */
	tn_time_t budget;	/* left in this period; <= 0: throttled */
	int cpu;
	int quota; /* percent of the period */
	int peak;  /* percent: the most one period may hold */
	int nr_threads;
	bool throttled;
	unsigned int magic;
};

struct tn_quota_info {
	int cpu;
	int quota_percent;
	int peak_percent;
	int quota_sum;	       /* of every group on the CPU, in percent */
	int nr_threads;	       /* threads in the group now */
	bool throttled;	       /* its threads wait for the next period */
	tn_time_t budget_left; /* ns left in this period (< 0: overdrawn) */
	tn_time_t period;      /* the CPU's period */
};

/*
 * Creates an empty group on cpu with quota and peak 100% and a full
 * budget. -EINVAL: a bad CPU or a NULL group; -EBUSY: the structure
 * holds a group not destroyed.
 */
int tn_quota_group_create(struct tn_quota_group *group, int cpu);
/* -EBUSY: threads are in the group; -EINVAL: not a group. */
int tn_quota_group_destroy(struct tn_quota_group *group);
/*
 * quota: percent of the period its threads may run for (1..100); peak:
 * percent one period may hold with what earlier periods left unused
 * (quota..100). The budget left in the current period is cut to the new
 * quota if it is above. -EINVAL otherwise.
 */
int tn_quota_group_set(struct tn_quota_group *group, int quota_percent,
		       int peak_percent);
int tn_quota_group_get(struct tn_quota_group *group,
		       struct tn_quota_info *info);
/*
 * The CPU's quota period (TN_QUOTA_PERIOD_MIN..MAX; TN_QUOTA_PERIOD_DEFAULT
 * at start). A new period starts now: every group of the CPU gets its full
 * quota at once. -EINVAL: a bad CPU or period.
 */
int tn_quota_set_period(int cpu, tn_time_t period);
/* The CPU's period, or -EINVAL for a bad CPU. */
tn_time_t tn_quota_get_period(int cpu);

/* SCHED_TP */

#define TN_TP_PARTITIONS 4 /* partition ids 0..3 */
#define TN_TP_GAP (-1)	   /* a window that runs no TP thread */
#define TN_TP_WINDOWS_MAX 16

struct tn_tp_window {
	tn_time_t offset;   /* from the start of the cycle */
	tn_time_t duration; /* > 0 */
	int partition;	    /* 0..TN_TP_PARTITIONS-1, or TN_TP_GAP */
};

struct tn_tp_info {
	bool installed;
	bool running;
	int nr_windows;
	tn_time_t cycle; /* the end of the last window */
	tn_time_t start; /* the date the running schedule started */
	int window;	 /* the window in force, running; -1: a gap */
	int partition;	 /* its partition; TN_TP_GAP between windows */
	struct tn_tp_window windows[TN_TP_WINDOWS_MAX];
};

/*
 * Installs the schedule of cpu, stopped (replacing any other): nr windows
 * in increasing, non-overlapping offsets; the cycle ends with the last
 * window and repeats; time no window covers is a gap. -EINVAL: a bad CPU,
 * nr outside 1..TN_TP_WINDOWS_MAX, a negative offset, a duration <= 0,
 * offsets unordered or overlapping, a bad partition id, a cycle past
 * TN_SEC(100).
 */
int tn_tp_install(int cpu, const struct tn_tp_window *windows, int nr);
/* Stops and forgets the schedule of cpu. -EINVAL: a bad CPU. */
int tn_tp_remove(int cpu);
/*
 * Runs the installed schedule, its cycles counted from the absolute date
 * start (a date already past joins the cycle in progress): every window
 * begins exactly at start + k * cycle + offset. -EINVAL: a bad CPU or a
 * negative date; -ENOENT: no schedule installed.
 */
int tn_tp_start(int cpu, tn_time_t start);
/* No TP thread of cpu runs until the next start. -EINVAL: a bad CPU. */
int tn_tp_stop(int cpu);
int tn_tp_get(int cpu, struct tn_tp_info *info);

#ifdef __cplusplus
}
#endif

#endif
