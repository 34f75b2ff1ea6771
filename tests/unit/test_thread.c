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
