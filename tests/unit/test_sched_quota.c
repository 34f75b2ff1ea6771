/*
 * SCHED_QUOTA: a group's share of the CPU over periods, throttling and
 * the refill at the next period, the peak that bounds what unused budget
 * carries over, the period changed at run time, the argument checks, a
 * group that cannot go while threads are in it, and how the classes rank
 * (FIFO/RR over TP over quota). Each test leaves its CPU as it found it:
 * on a machine the next test runs on the same kernel.
 */
#include "sched_classes.h"

static void spawn_quota(struct tn_thread *t, const char *name, int prio,
			struct tn_quota_group *g, void *(*fn)(void *),
			void *arg)
{
	struct tn_sched_param p = {
	    .policy = TN_SCHED_QUOTA, .priority = prio, .quota_group = g};

	spawn_in(t, name, &p, fn, arg);
}

static void *work_then_log(void *arg)
{
	tn_spin(*(tn_time_t *)arg);
	log_add_time(&ev, tn_thread_name(tn_thread_self()));
	return NULL;
}

static int accuracy_main(void *arg)
{
	struct tn_quota_group a, rest;
	struct tn_thread qa, qr;
	tn_time_t span = 10 * TN_QUOTA_PERIOD_DEFAULT, got_a, got_rest;

	(void)arg;
	EXPECT_EQ(tn_quota_get_period(self_cpu()), TN_QUOTA_PERIOD_DEFAULT);
	EXPECT_EQ(tn_quota_group_create(&a, self_cpu()), 0);
	EXPECT_EQ(tn_quota_group_create(&rest, self_cpu()), 0);
	EXPECT_EQ(tn_quota_group_set(&a, 30, 30), 0);
	/* The higher priority: only its quota holds it back. */
	spawn_quota(&qa, "qa", 20, &a, spin_until_stopped, NULL);
	spawn_quota(&qr, "qr", 10, &rest, spin_until_stopped, NULL);
	tn_sleep_until(AT(span));
	got_a = runtime(&qa);
	got_rest = runtime(&qr);
	stop = true;
	release(&qa, 5);
	release(&qr, 5);
	EXPECT_EQ(tn_thread_join(&qa, NULL), 0);
	EXPECT_EQ(tn_thread_join(&qr, NULL), 0);
	EXPECT_EQ(tn_quota_group_destroy(&a), 0);
	EXPECT_EQ(tn_quota_group_destroy(&rest), 0);
	/* 30% and the other 70%, to 1% of the span. */
	EXPECT_NEAR(span * 30 / 100, got_a, span / 100);
	EXPECT_NEAR(span * 70 / 100, got_rest, span / 100);
	return 0;
}

TEST(sched_quota_accuracy)
{
	sim_run_main(1, 1, 50, accuracy_main, NULL);
}

static int refill_main(void *arg)
{
	struct tn_quota_group g;
	struct tn_quota_info info;
	struct tn_thread q;
	tn_time_t work = TN_MSEC(5);

	(void)arg;
	EXPECT_EQ(tn_quota_group_create(&g, self_cpu()), 0);
	EXPECT_EQ(tn_quota_group_set(&g, 20, 20), 0);
	/* 2 ms a period: runs 0-2, 10-12, 20-21 and ends at 21 ms. */
	spawn_quota(&q, "q", 20, &g, work_then_log, &work);
	tn_sleep_until(AT(TN_MSEC(5)));
	EXPECT_EQ(tn_quota_group_get(&g, &info), 0);
	EXPECT(info.throttled);
	EXPECT_EQ(info.nr_threads, 1);
	EXPECT_NEAR(0, info.budget_left, TIGHT);
	EXPECT_NEAR(TN_MSEC(2), runtime(&q), TIGHT);
	tn_sleep_until(AT(TN_MSEC(11)));
	EXPECT_EQ(tn_quota_group_get(&g, &info), 0);
	EXPECT(!info.throttled);
	EXPECT_NEAR(TN_MSEC(3), runtime(&q), TIGHT);
	EXPECT_EQ(tn_thread_join(&q, NULL), 0);
	EXPECT_EQ(tn_quota_group_destroy(&g), 0);
	EXPECT_STREQ(log_str(&ev), "q@21");
	return 0;
}

TEST(sched_quota_throttled_thread_resumes_at_next_period)
{
	sim_run_main(1, 1, 50, refill_main, NULL);
}

static void *sleep_then_work(void *arg)
{
	tn_sleep_until(AT(TN_MSEC(21)));
	return work_then_log(arg);
}

static int peak_main(void *arg)
{
	bool with_peak = arg != NULL;
	struct tn_quota_group g;
	struct tn_quota_info info;
	struct tn_thread q;
	tn_time_t work = TN_USEC(5500);

	EXPECT_EQ(tn_quota_group_create(&g, self_cpu()), 0);
	EXPECT_EQ(tn_quota_group_set(&g, 20, with_peak ? 50 : 20), 0);
	spawn_quota(&q, "q", 20, &g, sleep_then_work, &work);
	/* Unused, 2 ms a period carries over up to the peak: 4, then 5. */
	tn_sleep_until(AT(TN_MSEC(15)));
	EXPECT_EQ(tn_quota_group_get(&g, &info), 0);
	/* Less what the thread took to go to sleep, on a machine. */
	EXPECT_NEAR(with_peak ? TN_MSEC(4) : TN_MSEC(2), info.budget_left,
		    TIGHT);
	EXPECT_EQ(info.peak_percent, with_peak ? 50 : 20);
	EXPECT_EQ(info.quota_percent, 20);
	tn_sleep_until(AT(TN_MSEC(20) + TN_USEC(500)));
	EXPECT_EQ(tn_quota_group_get(&g, &info), 0);
	EXPECT_NEAR(with_peak ? TN_MSEC(5) : TN_MSEC(2), info.budget_left,
		    TIGHT);
	EXPECT_EQ(tn_thread_join(&q, NULL), 0);
	EXPECT_EQ(tn_quota_group_destroy(&g), 0);
	/*
	 * From 21 ms, 5.5 ms of work: with the peak, 5 ms at once, then
	 * 0.5 ms of the next period (30-30.5); without, 2 ms a period
	 * (21-23, 30-32, 40-41.5).
	 */
	EXPECT_STREQ(log_str(&ev), with_peak ? "q@30" : "q@41");
	return 0;
}

TEST(sched_quota_peak)
{
	sim_run_main(1, 1, 50, peak_main, (void *)1);
}

TEST(sched_quota_without_peak_carries_nothing_over)
{
	sim_run_main(1, 1, 50, peak_main, NULL);
}

static int period_main(void *arg)
{
	struct tn_quota_group g;
	struct tn_quota_info info;
	struct tn_thread q;
	tn_time_t work = TN_MSEC(3);

	(void)arg;
	EXPECT_EQ(tn_quota_group_create(&g, self_cpu()), 0);
	EXPECT_EQ(tn_quota_group_set(&g, 50, 50), 0);
	EXPECT_EQ(tn_quota_set_period(self_cpu(), TN_MSEC(4)), 0);
	EXPECT_EQ(tn_quota_get_period(self_cpu()), TN_MSEC(4));
	EXPECT_EQ(tn_quota_group_get(&g, &info), 0);
	EXPECT_EQ(info.period, TN_MSEC(4));
	EXPECT_EQ(info.budget_left, TN_MSEC(2));
	/* 2 ms of each 4 ms period: 0-2, 4-5. */
	spawn_quota(&q, "q", 20, &g, work_then_log, &work);
	EXPECT_EQ(tn_thread_join(&q, NULL), 0);
	EXPECT_EQ(tn_quota_set_period(self_cpu(), TN_QUOTA_PERIOD_DEFAULT), 0);
	EXPECT_EQ(tn_quota_group_destroy(&g), 0);
	EXPECT_STREQ(log_str(&ev), "q@5");
	return 0;
}

TEST(sched_quota_period_set_at_run_time)
{
	sim_run_main(1, 1, 50, period_main, NULL);
}

static int bad_main(void *arg)
{
	struct tn_quota_group g, never;
	struct tn_quota_info info;
	struct tn_thread_attr attr;
	struct tn_sched_param p = {.policy = TN_SCHED_QUOTA, .priority = 10};
	struct tn_thread t;
	int cpu = self_cpu();

	(void)arg;
	memset(&never, 0, sizeof(never));
	EXPECT_EQ(tn_quota_group_create(NULL, cpu), -EINVAL);
	EXPECT_EQ(tn_quota_group_create(&g, -1), -EINVAL);
	EXPECT_EQ(tn_quota_group_create(&g, tn_cpu_count()), -EINVAL);
	EXPECT_EQ(tn_quota_group_create(&g, cpu), 0);
	EXPECT_EQ(tn_quota_group_create(&g, cpu), -EBUSY);
	EXPECT_EQ(tn_quota_group_set(&g, 0, 10), -EINVAL);
	EXPECT_EQ(tn_quota_group_set(&g, 101, 101), -EINVAL);
	EXPECT_EQ(tn_quota_group_set(&g, 30, 20), -EINVAL);
	EXPECT_EQ(tn_quota_group_set(&g, 30, 101), -EINVAL);
	EXPECT_EQ(tn_quota_group_set(&never, 30, 30), -EINVAL);
	EXPECT_EQ(tn_quota_group_set(NULL, 30, 30), -EINVAL);
	EXPECT_EQ(tn_quota_group_get(&never, &info), -EINVAL);
	EXPECT_EQ(tn_quota_group_get(&g, NULL), -EINVAL);
	EXPECT_EQ(tn_quota_group_destroy(&never), -EINVAL);
	EXPECT_EQ(tn_quota_set_period(cpu, TN_QUOTA_PERIOD_MIN - 1), -EINVAL);
	EXPECT_EQ(tn_quota_set_period(cpu, TN_QUOTA_PERIOD_MAX + 1), -EINVAL);
	EXPECT_EQ(tn_quota_set_period(-1, TN_MSEC(10)), -EINVAL);
	EXPECT_EQ(tn_quota_get_period(tn_cpu_count()), -EINVAL);
	/* The defaults, untouched by the refused calls. */
	EXPECT_EQ(tn_quota_group_get(&g, &info), 0);
	EXPECT_EQ(info.quota_percent, 100);
	EXPECT_EQ(info.peak_percent, 100);
	EXPECT_EQ(info.budget_left, TN_QUOTA_PERIOD_DEFAULT);

	/* A thread needs a live group of its own CPU. */
	tn_thread_attr_init(&attr);
	attr.sched.policy = TN_SCHED_QUOTA;
	attr.sched.priority = 10;
	EXPECT_EQ(tn_thread_create(&t, &attr, NULL, NULL), -EINVAL);
	attr.sched.quota_group = &never;
	EXPECT_EQ(tn_thread_create(&t, &attr, spin_until_stopped, NULL),
		  -EINVAL);
	EXPECT_EQ(tn_thread_set_sched(tn_thread_self(), &p), -EINVAL);
	p.quota_group = &never;
	EXPECT_EQ(tn_thread_set_sched(tn_thread_self(), &p), -EINVAL);
	if (tn_cpu_count() > 1) {
		attr.sched.quota_group = &g;
		attr.affinity = TN_CPU(cpu == 0 ? 1 : 0);
		EXPECT_EQ(tn_thread_create(&t, &attr, spin_until_stopped, NULL),
			  -EINVAL);
	}
	EXPECT_EQ(tn_thread_get_priority(tn_thread_self()), 50);
	EXPECT_EQ(tn_quota_group_destroy(&g), 0);
	EXPECT_EQ(tn_quota_group_destroy(&g), -EINVAL);
	return 0;
}

TEST(sched_quota_bad_arguments)
{
	sim_run_main(1, 1, 50, bad_main, NULL);
}

static struct tn_sem gate;

static void *wait_gate(void *arg)
{
	(void)arg;
	tn_sem_get(&gate);
	return NULL;
}

static int busy_main(void *arg)
{
	struct tn_quota_group g;
	struct tn_quota_info info;
	struct tn_thread a, b;

	(void)arg;
	tn_sem_init(&gate, 0);
	EXPECT_EQ(tn_quota_group_create(&g, self_cpu()), 0);
	spawn_quota(&a, "a", 20, &g, wait_gate, NULL);
	spawn_quota(&b, "b", 20, &g, wait_gate, NULL);
	EXPECT_EQ(tn_quota_group_get(&g, &info), 0);
	EXPECT_EQ(info.nr_threads, 2);
	EXPECT_EQ(tn_quota_group_destroy(&g), -EBUSY);
	/* One leaves the group, the other ends. */
	release(&a, 20);
	EXPECT_EQ(tn_quota_group_destroy(&g), -EBUSY);
	tn_sem_put(&gate);
	tn_sem_put(&gate);
	EXPECT_EQ(tn_thread_join(&a, NULL), 0);
	EXPECT_EQ(tn_thread_join(&b, NULL), 0);
	EXPECT_EQ(tn_quota_group_get(&g, &info), 0);
	EXPECT_EQ(info.nr_threads, 0);
	EXPECT_EQ(tn_quota_group_destroy(&g), 0);
	tn_sem_destroy(&gate);
	return 0;
}

TEST(sched_quota_group_busy_on_destroy)
{
	sim_run_main(1, 1, 50, busy_main, NULL);
}

static int rank_main(void *arg)
{
	struct tn_tp_window w = {
	    .offset = 0, .duration = TN_MSEC(100), .partition = 0};
	struct tn_thread_attr attr;
	struct tn_quota_group g;
	struct tn_thread q, tp, f;
	tn_time_t work = TN_MSEC(1);
	int cpu = self_cpu();

	(void)arg;
	EXPECT_EQ(tn_quota_group_create(&g, cpu), 0);
	EXPECT_EQ(tn_tp_install(cpu, &w, 1), 0);
	EXPECT_EQ(tn_tp_start(cpu, tn_clock_read()), 0);
	/* Highest priority, lowest class: it runs last. */
	spawn_quota(&q, "quota", 90, &g, work_then_log, &work);
	tn_thread_attr_init(&attr);
	attr.name = "tp";
	attr.sched.policy = TN_SCHED_TP;
	attr.sched.priority = 80;
	attr.sched.tp_partition = 0;
	attr.affinity = TN_CPU(cpu);
	EXPECT_EQ(tn_thread_create(&tp, &attr, work_then_log, &work), 0);
	spawn(&f, "fifo", TN_SCHED_FIFO, 2, TN_CPU(cpu), work_then_log, &work);
	EXPECT_EQ(tn_thread_join(&q, NULL), 0);
	EXPECT_EQ(tn_thread_join(&tp, NULL), 0);
	EXPECT_EQ(tn_thread_join(&f, NULL), 0);
	EXPECT_EQ(tn_tp_remove(cpu), 0);
	EXPECT_EQ(tn_quota_group_destroy(&g), 0);
	EXPECT_STREQ(log_str(&ev), "fifo@1 tp@2 quota@3");
	return 0;
}

TEST(sched_classes_rank_fifo_then_tp_then_quota)
{
	sim_run_main(1, 1, 95, rank_main, NULL);
}

static struct tn_mutex lock;

static void *hold_lock(void *arg)
{
	tn_mutex_lock(&lock);
	work_then_log(arg);
	tn_mutex_unlock(&lock);
	return NULL;
}

static void *take_lock(void *arg)
{
	(void)arg;
	tn_mutex_lock(&lock);
	log_add_time(&ev, "fifo");
	tn_mutex_unlock(&lock);
	return NULL;
}

static int boost_main(void *arg)
{
	struct tn_quota_group g;
	struct tn_quota_info info;
	struct tn_thread q, f;
	tn_time_t work = TN_MSEC(3);

	(void)arg;
	EXPECT_EQ(tn_mutex_init(&lock, TN_MUTEX_PI, 0, 0), 0);
	EXPECT_EQ(tn_quota_group_create(&g, self_cpu()), 0);
	EXPECT_EQ(tn_quota_group_set(&g, 10, 10), 0);
	/* 1 ms a period; at 2 ms, throttled, it holds what a FIFO wants. */
	spawn_quota(&q, "quota", 10, &g, hold_lock, &work);
	tn_sleep_until(AT(TN_MSEC(2)));
	EXPECT_EQ(tn_quota_group_get(&g, &info), 0);
	EXPECT(info.throttled);
	spawn(&f, "fifo", TN_SCHED_FIFO, 30, TN_CPU(self_cpu()), take_lock,
	      NULL);
	/* Boosted, it runs in the FIFO class: its 2 ms left, uncharged. */
	EXPECT_EQ(tn_thread_join(&f, NULL), 0);
	EXPECT_EQ(tn_quota_group_get(&g, &info), 0);
	EXPECT_NEAR(0, info.budget_left, TIGHT);
	EXPECT_EQ(tn_thread_join(&q, NULL), 0);
	EXPECT_EQ(tn_quota_group_destroy(&g), 0);
	EXPECT_EQ(tn_mutex_destroy(&lock), 0);
	EXPECT_STREQ(log_str(&ev), "quota@4 fifo@4");
	return 0;
}

TEST(sched_quota_throttled_holder_runs_boosted)
{
	sim_run_main(1, 1, 50, boost_main, NULL);
}

static int remote_main(void *arg)
{
	int other = self_cpu() == 0 ? 1 : 0;
	tn_time_t span = 5 * TN_QUOTA_PERIOD_DEFAULT, first;
	struct tn_thread_attr attr;
	struct tn_quota_group g;
	struct tn_thread q;

	(void)arg;
	/* The group, its thread and its changes, all from another CPU. */
	EXPECT_EQ(tn_quota_group_create(&g, other), 0);
	EXPECT_EQ(tn_quota_group_set(&g, 40, 40), 0);
	tn_thread_attr_init(&attr);
	attr.name = "q";
	attr.sched.policy = TN_SCHED_QUOTA;
	attr.sched.priority = 10;
	attr.sched.quota_group = &g;
	attr.affinity = TN_CPU(other);
	EXPECT_EQ(tn_thread_create(&q, &attr, spin_until_stopped, NULL), 0);
	tn_sleep_until(AT(span));
	first = runtime(&q);
	/* Cut while it runs: 20% from now on. */
	EXPECT_EQ(tn_quota_group_set(&g, 20, 20), 0);
	tn_sleep_until(AT(2 * span));
	EXPECT_NEAR(span * 40 / 100, first, span / 100);
	EXPECT_NEAR(span * 20 / 100, runtime(&q) - first, span / 100);
	stop = true;
	release(&q, 5);
	EXPECT_EQ(tn_thread_join(&q, NULL), 0);
	EXPECT_EQ(tn_quota_group_destroy(&g), 0);
	return 0;
}

TEST(sched_quota_group_driven_from_another_cpu)
{
	sim_run_main(2, 1, 50, remote_main, NULL);
}
