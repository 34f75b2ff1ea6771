/*
 * Thread life: creation checks, exit and join, reuse, self and names,
 * caller-provided stacks and per-thread statistics.
 */
#include "simtest.h"

static void *return_arg(void *arg)
{
	return arg;
}

static void *exit_early(void *arg)
{
	tn_thread_exit(arg);
}

static int join_value_main(void *arg)
{
	struct tn_thread t;
	void *ret = NULL;

	(void)arg;
	spawn(&t, "ret", TN_SCHED_FIFO, 10, 0, return_arg, (void *)0x1234);
	EXPECT_EQ(tn_thread_join(&t, &ret), 0);
	EXPECT(ret == (void *)0x1234);
	spawn(&t, "exit", TN_SCHED_FIFO, 10, 0, exit_early, (void *)0x99);
	EXPECT_EQ(tn_thread_join(&t, &ret), 0);
	EXPECT(ret == (void *)0x99);
	return 0;
}

TEST(thread_join_returns_value)
{
	sim_run_main(1, 1, 50, join_value_main, NULL);
}

static void *sleep_3ms(void *arg)
{
	(void)arg;
	tn_sleep(TN_MSEC(3));
	return NULL;
}

static int join_waits_main(void *arg)
{
	struct tn_thread t;

	(void)arg;
	spawn(&t, "sleeper", TN_SCHED_FIFO, 10, TN_CPU(1), sleep_3ms, NULL);
	EXPECT_EQ(tn_thread_join(&t, NULL), 0);
	EXPECT_TIME(TN_MSEC(3));
	return 0;
}

TEST(thread_join_waits_for_exit)
{
	sim_run_main(2, 5, 50, join_waits_main, NULL);
}

static int join_errors_main(void *arg)
{
	struct tn_thread t, never;

	(void)arg;
	memset(&never, 0, sizeof(never));
	EXPECT_EQ(tn_thread_join(tn_thread_self(), NULL), -EDEADLK);
	EXPECT_EQ(tn_thread_join(&never, NULL), -EINVAL);
	EXPECT_EQ(tn_thread_join(NULL, NULL), -EINVAL);
	spawn(&t, "once", TN_SCHED_FIFO, 10, 0, return_arg, NULL);
	EXPECT_EQ(tn_thread_join(&t, NULL), 0);
	EXPECT_EQ(tn_thread_join(&t, NULL), -EINVAL);
	return 0;
}

TEST(thread_join_errors)
{
	sim_run_main(1, 1, 50, join_errors_main, NULL);
}

static struct tn_thread target;

static void *second_joiner(void *arg)
{
	(void)arg;
	EXPECT_EQ(tn_thread_join(&target, NULL), -EBUSY);
	return NULL;
}

static int join_busy_main(void *arg)
{
	struct tn_thread other;

	(void)arg;
	spawn(&target, "target", TN_SCHED_FIFO, 5, 0, sleep_3ms, NULL);
	spawn(&other, "other", TN_SCHED_FIFO, 10, 0, second_joiner, NULL);
	/* main blocks joining target; other then tries too. */
	EXPECT_EQ(tn_thread_join(&target, NULL), 0);
	EXPECT_EQ(tn_thread_join(&other, NULL), 0);
	return 0;
}

TEST(thread_join_by_two_busy)
{
	sim_run_main(1, 1, 20, join_busy_main, NULL);
}

static int create_checks_main(void *arg)
{
	struct tn_thread_attr attr;
	struct tn_thread t;

	(void)arg;
	memset(&t, 0, sizeof(t));
	tn_thread_attr_init(&attr);
	EXPECT_EQ(tn_thread_create(NULL, &attr, return_arg, NULL), -EINVAL);
	EXPECT_EQ(tn_thread_create(&t, &attr, NULL, NULL), -EINVAL);
	attr.sched.priority = 0;
	EXPECT_EQ(tn_thread_create(&t, &attr, return_arg, NULL), -EINVAL);
	attr.sched.priority = 100;
	EXPECT_EQ(tn_thread_create(&t, &attr, return_arg, NULL), -EINVAL);
	attr.sched.priority = 10;
	attr.sched.policy = 77;
	EXPECT_EQ(tn_thread_create(&t, &attr, return_arg, NULL), -EINVAL);
	attr.sched.policy = TN_SCHED_RR;
	attr.sched.rr_quantum = -5;
	EXPECT_EQ(tn_thread_create(&t, &attr, return_arg, NULL), -EINVAL);
	attr.sched.rr_quantum = 0;
	attr.stack_size = TN_STACK_SIZE_MIN - 1;
	EXPECT_EQ(tn_thread_create(&t, &attr, return_arg, NULL), -EINVAL);
	attr.stack_size = 0;
	/* NULL attributes mean the defaults. */
	EXPECT_EQ(tn_thread_create(&t, NULL, return_arg, NULL), 0);
	EXPECT_EQ(tn_thread_get_priority(&t), TN_PRIO_MIN);
	/* Not joined yet: the structure is still in use. */
	EXPECT_EQ(tn_thread_create(&t, &attr, return_arg, NULL), -EBUSY);
	EXPECT_EQ(tn_thread_join(&t, NULL), 0);
	/* Joined: it may hold a new thread. */
	EXPECT_EQ(tn_thread_create(&t, &attr, return_arg, NULL), 0);
	EXPECT_EQ(tn_thread_join(&t, NULL), 0);
	return 0;
}

TEST(thread_create_checks_attributes)
{
	sim_run_main(1, 1, 50, create_checks_main, NULL);
}

static void *check_self(void *arg)
{
	EXPECT(tn_thread_self() == arg);
	EXPECT_STREQ(tn_thread_name(tn_thread_self()),
		     "a-rather-long-name-that-is-cut-");
	return NULL;
}

static int self_main(void *arg)
{
	struct tn_thread t;
	struct tn_thread_attr attr;

	(void)arg;
	EXPECT_STREQ(tn_thread_name(tn_thread_self()), "main");
	tn_thread_attr_init(&attr);
	attr.name = "a-rather-long-name-that-is-cut-here-and-here";
	attr.sched.priority = 10;
	EXPECT_EQ(tn_thread_create(&t, &attr, check_self, &t), 0);
	EXPECT_EQ(tn_thread_join(&t, NULL), 0);
	return 0;
}

TEST(thread_self_and_name)
{
	sim_run_main(1, 1, 50, self_main, NULL);
}

static char own_stack[32 * 1024] __attribute__((aligned(64)));

static void *deep_enough(void *arg)
{
	volatile char buf[8 * 1024];

	buf[0] = 1;
	buf[sizeof(buf) - 1] = 2;
	*(int *)arg = buf[0] + buf[sizeof(buf) - 1];
	return NULL;
}

static int own_stack_main(void *arg)
{
	struct tn_thread_attr attr;
	struct tn_thread t;
	int sum = 0;

	(void)arg;
	tn_thread_attr_init(&attr);
	attr.stack = own_stack;
	attr.stack_size = sizeof(own_stack);
	attr.sched.priority = 10;
	EXPECT_EQ(tn_thread_create(&t, &attr, deep_enough, &sum), 0);
	EXPECT_EQ(tn_thread_join(&t, NULL), 0);
	EXPECT_EQ(sum, 3);
	return 0;
}

TEST(thread_runs_on_caller_stack)
{
	sim_run_main(1, 1, 50, own_stack_main, NULL);
}

static void *stats_worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < 3; i++)
		tn_sleep(TN_MSEC(1));
	tn_spin(TN_MSEC(2));
	return NULL;
}

static int stats_main(void *arg)
{
	struct tn_thread t;
	struct tn_thread_stats st;

	(void)arg;
	spawn(&t, "worker", TN_SCHED_FIFO, 10, 0, stats_worker, NULL);
	tn_sleep(TN_MSEC(10));
	EXPECT_EQ(tn_thread_get_stats(&t, &st), 0);
	EXPECT_EQ(st.switches, 4); /* first run, then one per sleep */
	EXPECT_EQ(st.wakeups, 3);
	EXPECT_EQ(st.timeouts, 3);
	EXPECT_DURATION(st.runtime, TN_MSEC(2));
	EXPECT_EQ(tn_thread_get_stats(&t, NULL), -EINVAL);
	EXPECT_EQ(tn_thread_join(&t, NULL), 0);
	EXPECT_EQ(tn_thread_get_stats(&t, &st), -EINVAL);
	return 0;
}

TEST(thread_stats_count)
{
	sim_run_main(1, 1, 50, stats_main, NULL);
}

static struct tn_mutex info_mx;
static struct tn_sem info_sem;

static void *hold_and_sleep(void *arg)
{
	(void)arg;
	EXPECT_EQ(tn_mutex_lock(&info_mx), 0);
	tn_sleep(TN_MSEC(10));
	EXPECT_EQ(tn_mutex_unlock(&info_mx), 0);
	return NULL;
}

static void *want_mutex(void *arg)
{
	(void)arg;
	EXPECT_EQ(tn_mutex_lock(&info_mx), 0);
	EXPECT_EQ(tn_mutex_unlock(&info_mx), 0);
	return NULL;
}

static void *wait_sem(void *arg)
{
	(void)arg;
	EXPECT_EQ(tn_sem_timedget(&info_sem, AT(TN_MSEC(5))), -ETIMEDOUT);
	return NULL;
}

static void *spin_ready(void *arg)
{
	(void)arg;
	tn_spin(TN_MSEC(1));
	return NULL;
}

/* Time left is counted from now: on a machine, now is a little late. */
static bool left_about(tn_time_t left, tn_time_t expected)
{
	return left <= expected && left >= expected - test_time_slack;
}

static const struct tn_thread_info *find_info(const struct tn_thread_info *info,
					      int n, const struct tn_thread *t)
{
	for (int i = 0; i < n; i++)
		if (info[i].thread == t)
			return &info[i];
	test_fail(__FILE__, __LINE__, "a live thread is not listed");
}

static int info_main(void *arg)
{
	struct tn_thread t[4];
	struct tn_thread_info info[16], one;
	const struct tn_thread_info *p;
	int before, n;

	(void)arg;
	/* On a machine, the test runner's own threads are listed too. */
	before = tn_thread_list(NULL, 0);
	EXPECT(before >= 1);
	tn_mutex_init(&info_mx, TN_MUTEX_PI, 0, 0);
	tn_sem_init(&info_sem, 0);
	spawn(&t[0], "holder", TN_SCHED_FIFO, 10, 0, hold_and_sleep, NULL);
	tn_sleep(TN_MSEC(1)); /* it holds the mutex first */
	spawn(&t[1], "locker", TN_SCHED_RR, 30, 0, want_mutex, NULL);
	spawn(&t[2], "waiter", TN_SCHED_FIFO, 20, 0, wait_sem, NULL);
	spawn(&t[3], "ready", TN_SCHED_FIFO, 5, 0, spin_ready, NULL);
	tn_sleep(TN_MSEC(1));
	EXPECT_EQ(tn_thread_list(info, 2), before + 4);
	n = tn_thread_list(info, 16);
	EXPECT_EQ(n, before + 4);
	/* In creation order: the four come last. */
	EXPECT(info[n - 4].thread == &t[0] && info[n - 1].thread == &t[3]);
	p = find_info(info, n, tn_thread_self());
	EXPECT_EQ(p->state, TN_THREAD_RUNNING);
	p = find_info(info, n, &t[0]);
	EXPECT_STREQ(p->name, "holder");
	EXPECT_EQ(p->state, TN_THREAD_SLEEPING);
	EXPECT_EQ(p->base_priority, 10);
	EXPECT_EQ(p->priority, 30); /* boosted by "locker" */
	EXPECT(left_about(p->timeout_left, TN_MSEC(8)));
	p = find_info(info, n, &t[1]);
	EXPECT_EQ(p->state, TN_THREAD_WAITING);
	EXPECT_EQ(p->policy, TN_SCHED_RR);
	EXPECT(p->waits_for_mutex == &info_mx);
	EXPECT(p->waits_on == &info_mx);
	EXPECT_EQ(p->timeout_left, TN_INFINITE);
	p = find_info(info, n, &t[2]);
	EXPECT(p->waits_on == &info_sem);
	EXPECT(p->waits_for_mutex == NULL);
	EXPECT(left_about(p->timeout_left, TN_MSEC(3)));
	p = find_info(info, n, &t[3]);
	EXPECT_EQ(p->state, TN_THREAD_READY);
	EXPECT_EQ(p->cpu, tn_cpu_self());
	/* It ran while main slept, and was preempted when main woke. */
	EXPECT(p->stats.switches >= 1 && p->stats.runtime > 0);
	EXPECT_EQ(tn_thread_get_info(&t[2], &one), 0);
	EXPECT_STREQ(one.name, "waiter");
	for (int i = 0; i < 4; i++)
		tn_thread_join(&t[i], NULL);
	EXPECT_EQ(tn_thread_get_info(&t[0], &one), -EINVAL);
	EXPECT_EQ(tn_thread_list(info, 16), before);
	return 0;
}

TEST(thread_list_shows_state_of_each_thread)
{
	sim_run_main(1, 1, 50, info_main, NULL);
}
