/*
 * SCHED_TP: the threads of each partition run exactly in their windows,
 * cycle after cycle, with gaps left to the classes below; a thread still
 * running at its window's end resumes in its next window; a stopped
 * schedule holds its threads; bad schedules are refused. Each test
 * removes its schedule: on a machine the next test runs on the same
 * kernel.
 */
#include "sched_classes.h"

static void spawn_tp(struct tn_thread *t, const char *name, int prio,
		     int partition, void *(*fn)(void *), void *arg)
{
	struct tn_sched_param p = {
	    .policy = TN_SCHED_TP, .priority = prio, .tp_partition = partition};

	spawn_in(t, name, &p, fn, arg);
}

/*
 * A (partition 0) 0-2 ms, B (1) 2-5, a gap window 5-6, nothing 6-7, C (2)
 * 7-10: a cycle of 10 ms, from 1 ms after the start of the run.
 */
static const struct tn_tp_window plan[] = {
    {.offset = 0, .duration = TN_MSEC(2), .partition = 0},
    {.offset = TN_MSEC(2), .duration = TN_MSEC(3), .partition = 1},
    {.offset = TN_MSEC(5), .duration = TN_MSEC(1), .partition = TN_TP_GAP},
    {.offset = TN_MSEC(7), .duration = TN_MSEC(3), .partition = 2},
};
static const tn_time_t edges[] = {0, TN_MSEC(2), TN_MSEC(5), TN_MSEC(6),
				  TN_MSEC(7)};
#define CYCLES 3
#define PLAN_START TN_MSEC(1)

static int accuracy_main(void *arg)
{
	static const char *const names[] = {"A", "B", "C", "q"};
	struct tn_thread th[4];
	struct tn_quota_group g;
	struct tn_tp_info info;
	tn_time_t last[4] = {0}, was = 0;
	int cpu = self_cpu();

	(void)arg;
	EXPECT_EQ(tn_tp_install(cpu, plan, 4), 0);
	EXPECT_EQ(tn_quota_group_create(&g, cpu), 0);
	for (int i = 0; i < 3; i++)
		spawn_tp(&th[i], names[i], 10, i, spin_until_stopped, NULL);
	{
		struct tn_thread_attr attr;

		/* Below every TP thread: it gets what they leave. */
		tn_thread_attr_init(&attr);
		attr.name = "q";
		attr.sched.policy = TN_SCHED_QUOTA;
		attr.sched.priority = 90;
		attr.sched.quota_group = &g;
		attr.affinity = TN_CPU(cpu);
		EXPECT_EQ(
		    tn_thread_create(&th[3], &attr, spin_until_stopped, NULL),
		    0);
	}
	EXPECT_EQ(tn_tp_start(cpu, AT(PLAN_START)), 0);
	/* At each edge, who ran since the last one, and for how long. */
	for (int c = 0; c <= CYCLES; c++) {
		for (int e = 0; e < 5; e++) {
			tn_time_t at = PLAN_START + c * TN_MSEC(10) + edges[e];
			const char *who = "-";

			if (c == CYCLES && e > 0)
				break;
			tn_sleep_until(AT(at));
			for (int i = 0; i < 4; i++) {
				tn_time_t now = runtime(&th[i]);
				tn_time_t ran = now - last[i];

				last[i] = now;
				if (ran > TIGHT) {
					EXPECT_NEAR(at - was, ran, TIGHT);
					who = names[i];
				}
			}
			log_add(&ev, who);
			was = at;
		}
	}
	EXPECT_EQ(tn_tp_get(cpu, &info), 0);
	EXPECT(info.running);
	EXPECT_EQ(info.cycle, TN_MSEC(10));
	EXPECT_EQ(info.nr_windows, 4);
	EXPECT_EQ(info.start, AT(PLAN_START));
	stop = true;
	for (int i = 0; i < 4; i++) {
		release(&th[i], 5);
		EXPECT_EQ(tn_thread_join(&th[i], NULL), 0);
	}
	EXPECT_EQ(tn_tp_remove(cpu), 0);
	EXPECT_EQ(tn_quota_group_destroy(&g), 0);
	/*
	 * Before the start, the quota thread; then per cycle A, B, the gap
	 * window and the hole (the quota thread), C.
	 */
	EXPECT_STREQ(log_str(&ev), "q A B q q C A B q q C A B q q C");
	return 0;
}

TEST(sched_tp_accuracy)
{
	sim_run_main(1, 1, 60, accuracy_main, NULL);
}

static tn_time_t b_started = -1;

static void *overrun_a(void *arg)
{
	(void)arg;
	/* 3 ms of work in 2 ms windows: 0-2, then 4-5. */
	tn_spin(TN_MSEC(3));
	log_add_time(&ev, "A");
	return NULL;
}

static void *on_time_b(void *arg)
{
	(void)arg;
	/* Ready from 1 ms, inside A's window: held until its own. */
	tn_sleep_until(AT(TN_MSEC(1)));
	b_started = NOW();
	tn_spin(TN_USEC(500));
	log_add_time(&ev, "B");
	return NULL;
}

static int overrun_main(void *arg)
{
	static const struct tn_tp_window w[] = {
	    {.offset = 0, .duration = TN_MSEC(2), .partition = 0},
	    {.offset = TN_MSEC(2), .duration = TN_MSEC(2), .partition = 1},
	};
	struct tn_thread a, b;
	tn_time_t a_at_4;
	int cpu = self_cpu();

	(void)arg;
	EXPECT_EQ(tn_tp_install(cpu, w, 2), 0);
	spawn_tp(&a, "A", 10, 0, overrun_a, NULL);
	spawn_tp(&b, "B", 10, 1, on_time_b, NULL);
	EXPECT_EQ(tn_tp_start(cpu, AT(0)), 0);
	tn_sleep_until(AT(TN_MSEC(4)));
	/* Stopped at its window's end, not a moment later. */
	a_at_4 = runtime(&a);
	EXPECT_EQ(tn_thread_join(&a, NULL), 0);
	EXPECT_EQ(tn_thread_join(&b, NULL), 0);
	EXPECT_EQ(tn_tp_remove(cpu), 0);
	EXPECT_NEAR(TN_MSEC(2), a_at_4, TIGHT);
	EXPECT_NEAR(TN_MSEC(2), b_started, TIGHT);
	EXPECT_STREQ(log_str(&ev), "B@2 A@5");
	return 0;
}

TEST(sched_tp_overrun)
{
	sim_run_main(1, 1, 60, overrun_main, NULL);
}

static int bad_main(void *arg)
{
	struct tn_tp_window w[TN_TP_WINDOWS_MAX + 1];
	struct tn_sched_param p = {.policy = TN_SCHED_TP, .priority = 10};
	struct tn_thread_attr attr;
	struct tn_tp_info info;
	struct tn_thread t;
	int cpu = self_cpu();

	(void)arg;
	for (int i = 0; i <= TN_TP_WINDOWS_MAX; i++)
		w[i] = (struct tn_tp_window){.offset = i * TN_MSEC(1),
					     .duration = TN_MSEC(1),
					     .partition = i % TN_TP_PARTITIONS};
	EXPECT_EQ(tn_tp_install(cpu, w, TN_TP_WINDOWS_MAX + 1), -EINVAL);
	EXPECT_EQ(tn_tp_install(cpu, w, 0), -EINVAL);
	EXPECT_EQ(tn_tp_install(cpu, NULL, 1), -EINVAL);
	EXPECT_EQ(tn_tp_install(-1, w, 2), -EINVAL);
	EXPECT_EQ(tn_tp_install(tn_cpu_count(), w, 2), -EINVAL);
	EXPECT_EQ(tn_tp_start(cpu, AT(0)), -ENOENT);
	w[1].duration = 0; /* zero-length */
	EXPECT_EQ(tn_tp_install(cpu, w, 2), -EINVAL);
	w[1].duration = -TN_MSEC(1);
	EXPECT_EQ(tn_tp_install(cpu, w, 2), -EINVAL);
	w[1].duration = TN_MSEC(1);
	w[1].offset = TN_USEC(500); /* overlaps the first */
	EXPECT_EQ(tn_tp_install(cpu, w, 2), -EINVAL);
	w[1].offset = 0; /* unordered: before the second */
	w[0].offset = TN_MSEC(3);
	EXPECT_EQ(tn_tp_install(cpu, w, 2), -EINVAL);
	w[0].offset = -1;
	EXPECT_EQ(tn_tp_install(cpu, w, 1), -EINVAL);
	w[0].offset = 0;
	w[0].partition = TN_TP_PARTITIONS;
	EXPECT_EQ(tn_tp_install(cpu, w, 1), -EINVAL);
	w[0].partition = -2;
	EXPECT_EQ(tn_tp_install(cpu, w, 1), -EINVAL);
	w[0].partition = 0;
	w[0].duration = TN_INFINITE;
	EXPECT_EQ(tn_tp_install(cpu, w, 1), -EINVAL);
	EXPECT_EQ(tn_tp_get(cpu, &info), 0);
	EXPECT(!info.installed);
	w[0].duration = TN_MSEC(1);
	EXPECT_EQ(tn_tp_install(cpu, w, 1), 0);
	EXPECT_EQ(tn_tp_start(cpu, -1), -EINVAL);
	EXPECT_EQ(tn_tp_start(-1, AT(0)), -EINVAL);
	EXPECT_EQ(tn_tp_stop(tn_cpu_count()), -EINVAL);
	EXPECT_EQ(tn_tp_get(cpu, NULL), -EINVAL);
	EXPECT_EQ(tn_tp_get(cpu, &info), 0);
	EXPECT(info.installed);
	EXPECT(!info.running);
	EXPECT_EQ(info.nr_windows, 1);

	tn_thread_attr_init(&attr);
	attr.sched.policy = TN_SCHED_TP;
	attr.sched.priority = 10;
	attr.sched.tp_partition = TN_TP_PARTITIONS;
	EXPECT_EQ(tn_thread_create(&t, &attr, spin_until_stopped, NULL),
		  -EINVAL);
	p.tp_partition = TN_TP_GAP;
	EXPECT_EQ(tn_thread_set_sched(tn_thread_self(), &p), -EINVAL);
	EXPECT_EQ(tn_thread_get_priority(tn_thread_self()), 60);
	EXPECT_EQ(tn_tp_remove(cpu), 0);
	return 0;
}

TEST(sched_tp_bad_schedule)
{
	sim_run_main(1, 1, 60, bad_main, NULL);
}

static int stop_main(void *arg)
{
	static const struct tn_tp_window w = {
	    .offset = 0, .duration = TN_MSEC(5), .partition = 0};
	struct tn_tp_info info;
	struct tn_thread a;
	int cpu = self_cpu();

	(void)arg;
	EXPECT_EQ(tn_tp_install(cpu, &w, 1), 0);
	spawn_tp(&a, "A", 10, 0, spin_until_stopped, NULL);
	/* Installed, not started: held. */
	tn_sleep_until(AT(TN_MSEC(1)));
	EXPECT_NEAR(0, runtime(&a), TIGHT);
	EXPECT_EQ(tn_tp_start(cpu, AT(TN_MSEC(1))), 0);
	tn_sleep_until(AT(TN_MSEC(3)));
	EXPECT_EQ(tn_tp_stop(cpu), 0);
	EXPECT_EQ(tn_tp_get(cpu, &info), 0);
	EXPECT(!info.running);
	EXPECT_EQ(info.partition, TN_TP_GAP);
	EXPECT_NEAR(TN_MSEC(2), runtime(&a), TIGHT);
	/* Stopped: held however long. */
	tn_sleep_until(AT(TN_MSEC(8)));
	EXPECT_NEAR(TN_MSEC(2), runtime(&a), TIGHT);
	/* Started again, the cycle counted from 6 ms: in its window at 8. */
	EXPECT_EQ(tn_tp_start(cpu, AT(TN_MSEC(6))), 0);
	EXPECT_EQ(tn_tp_get(cpu, &info), 0);
	EXPECT(info.running);
	EXPECT_EQ(info.window, 0);
	EXPECT_EQ(info.partition, 0);
	tn_sleep_until(AT(TN_MSEC(10)));
	EXPECT_NEAR(TN_MSEC(4), runtime(&a), TIGHT);
	/* A new schedule replaces the old one, stopped. */
	EXPECT_EQ(tn_tp_install(cpu, &w, 1), 0);
	EXPECT_EQ(tn_tp_get(cpu, &info), 0);
	EXPECT(!info.running);
	tn_sleep_until(AT(TN_MSEC(12)));
	EXPECT_NEAR(TN_MSEC(4), runtime(&a), TIGHT);
	stop = true;
	release(&a, 5);
	EXPECT_EQ(tn_thread_join(&a, NULL), 0);
	EXPECT_EQ(tn_tp_remove(cpu), 0);
	return 0;
}

TEST(sched_tp_stop)
{
	sim_run_main(1, 1, 60, stop_main, NULL);
}

static int remote_main(void *arg)
{
	static const struct tn_tp_window w[] = {
	    {.offset = 0, .duration = TN_MSEC(1), .partition = 0},
	    {.offset = TN_MSEC(1),
	     .duration = TN_MSEC(3),
	     .partition = TN_TP_GAP},
	};
	int other = self_cpu() == 0 ? 1 : 0;
	struct tn_thread_attr attr;
	struct tn_tp_info info;
	struct tn_thread a;

	(void)arg;
	/* The schedule of another CPU, installed and started from here. */
	EXPECT_EQ(tn_tp_install(other, w, 2), 0);
	tn_thread_attr_init(&attr);
	attr.name = "A";
	attr.sched.policy = TN_SCHED_TP;
	attr.sched.priority = 10;
	attr.sched.tp_partition = 0;
	attr.affinity = TN_CPU(other);
	EXPECT_EQ(tn_thread_create(&a, &attr, spin_until_stopped, NULL), 0);
	EXPECT_EQ(tn_tp_start(other, AT(TN_MSEC(1))), 0);
	tn_sleep_until(AT(TN_MSEC(21) + TN_USEC(500)));
	/* Five cycles of 1 ms in 4, and half a window. */
	EXPECT_NEAR(TN_USEC(5500), runtime(&a), 6 * TIGHT);
	EXPECT_EQ(tn_tp_get(other, &info), 0);
	EXPECT_EQ(info.window, 0);
	EXPECT_EQ(tn_tp_stop(other), 0);
	stop = true;
	release(&a, 5);
	EXPECT_EQ(tn_thread_join(&a, NULL), 0);
	EXPECT_EQ(tn_tp_remove(other), 0);
	return 0;
}

TEST(sched_tp_schedule_driven_from_another_cpu)
{
	sim_run_main(2, 1, 60, remote_main, NULL);
}

static struct tn_mutex lock;

static void *hold_lock(void *arg)
{
	(void)arg;
	tn_mutex_lock(&lock);
	tn_spin(TN_MSEC(3));
	tn_mutex_unlock(&lock);
	log_add_time(&ev, "H");
	return NULL;
}

static void *take_lock(void *arg)
{
	(void)arg;
	tn_mutex_lock(&lock);
	log_add_time(&ev, "F");
	tn_mutex_unlock(&lock);
	return NULL;
}

static int holder_main(void *arg)
{
	static const struct tn_tp_window w[] = {
	    {.offset = 0, .duration = TN_MSEC(2), .partition = 0},
	    {.offset = TN_MSEC(2),
	     .duration = TN_MSEC(8),
	     .partition = TN_TP_GAP},
	};
	struct tn_thread h, f;
	int cpu = self_cpu();

	(void)arg;
	EXPECT_EQ(tn_mutex_init(&lock, TN_MUTEX_PI, 0, 0), 0);
	EXPECT_EQ(tn_tp_install(cpu, w, 2), 0);
	spawn_tp(&h, "H", 80, 0, hold_lock, NULL);
	EXPECT_EQ(tn_tp_start(cpu, AT(0)), 0);
	tn_sleep_until(AT(TN_MSEC(1)));
	/*
	 * A FIFO thread of a lower priority waits for the lock: the holder
	 * runs in the FIFO class past its window's end, to 3 ms, then waits
	 * for its next window to go on.
	 */
	spawn(&f, "F", TN_SCHED_FIFO, 10, TN_CPU(cpu), take_lock, NULL);
	EXPECT_EQ(tn_thread_join(&f, NULL), 0);
	EXPECT_EQ(tn_thread_join(&h, NULL), 0);
	EXPECT_EQ(tn_tp_remove(cpu), 0);
	EXPECT_EQ(tn_mutex_destroy(&lock), 0);
	EXPECT_STREQ(log_str(&ev), "F@3 H@10");
	return 0;
}

TEST(sched_tp_holder_runs_outside_window_for_fifo_waiter)
{
	sim_run_main(1, 1, 90, holder_main, NULL);
}
