/*
 * What the tests of the SCHED_QUOTA and SCHED_TP classes share
 * (test_sched_quota.c, test_sched_tp.c): a tolerance, a thread made in
 * a class on the caller's CPU, the way back to FIFO, a thread's run time,
 * and a thread that spins until told to stop.
 */
#ifndef TENON_TEST_SCHED_CLASSES_H
#define TENON_TEST_SCHED_CLASSES_H

#include "simtest.h"

/* Times that must be exact on the simulator, and near on a machine. */
#define TIGHT (test_time_slack / 8)

static struct event_log ev;
static volatile bool stop;

static inline void expect_near(const char *file, int line, tn_time_t expected,
			       tn_time_t actual, tn_time_t tol)
{
	if (actual < expected - tol || actual > expected + tol)
		test_fail(
		    file, line, "expected %lld ns (+-%lld ns), got %lld ns",
		    (long long)expected, (long long)tol, (long long)actual);
}

#define EXPECT_NEAR(e, a, tol) expect_near(__FILE__, __LINE__, (e), (a), (tol))

static inline int self_cpu(void)
{
	return tn_thread_cpu(tn_thread_self());
}

/* A thread under sched (policy, priority, group or partition) here. */
static inline void spawn_in(struct tn_thread *t, const char *name,
			    const struct tn_sched_param *sched,
			    void *(*fn)(void *), void *arg)
{
	struct tn_thread_attr attr;

	tn_thread_attr_init(&attr);
	attr.name = name;
	attr.sched = *sched;
	attr.affinity = TN_CPU(self_cpu());
	EXPECT_EQ(tn_thread_create(t, &attr, fn, arg), 0);
}

/* Back to FIFO, so that a held thread can see stop and end. */
static inline void release(struct tn_thread *t, int prio)
{
	struct tn_sched_param p = {.policy = TN_SCHED_FIFO, .priority = prio};

	EXPECT_EQ(tn_thread_set_sched(t, &p), 0);
}

static inline tn_time_t runtime(struct tn_thread *t)
{
	struct tn_thread_stats st;

	EXPECT_EQ(tn_thread_get_stats(t, &st), 0);
	return st.runtime;
}

static inline void *spin_until_stopped(void *arg)
{
	(void)arg;
	while (!stop)
		tn_spin(TN_USEC(50));
	return NULL;
}

#endif
