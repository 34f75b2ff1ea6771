/*
 * Event flags: any-bit and exact waits, posting to waiters in priority
 * order, broadcast, try and peek, destruction (named after libevl's tests).
 */
#include "simtest.h"

static struct event_log ev;
static struct tn_flags fl;

static void *any_waiter(void *arg)
{
	uint32_t bits = 0;
	int ret = tn_flags_wait(&fl, &bits, TN_INFINITE);
	char buf[48];

	(void)arg;
	snprintf(buf, sizeof(buf), "%s:%x", tn_thread_name(tn_thread_self()),
		 ret ? 0xdead : bits);
	log_add_time(&ev, buf);
	return NULL;
}

static void *exact_waiter(void *arg)
{
	uint32_t mask = (uint32_t)(uintptr_t)arg;
	int ret = tn_flags_wait_exact(&fl, mask, TN_INFINITE);
	char buf[48];

	snprintf(buf, sizeof(buf), "%s:%s", tn_thread_name(tn_thread_self()),
		 ret == -EIDRM ? "removed"
		 : ret	       ? "error"
			       : "ok");
	log_add_time(&ev, buf);
	return NULL;
}

static int flags_main(void *arg)
{
	struct tn_thread t[3];
	uint32_t v;

	(void)arg;
	EXPECT_EQ(tn_flags_init(&fl, 0), 0);
	spawn(&t[0], "any-low", TN_SCHED_FIFO, 10, 0, any_waiter, NULL);
	spawn(&t[1], "exact-high", TN_SCHED_FIFO, 30, 0, exact_waiter,
	      (void *)(uintptr_t)0x6);
	spawn(&t[2], "any-mid", TN_SCHED_FIFO, 20, 0, any_waiter, NULL);
	tn_sleep(TN_MSEC(1));
	/* 0x2 alone: exact-high (0x6) not satisfied, any-mid takes 0x2. */
	EXPECT_EQ(tn_flags_post(&fl, 0x2), 0);
	tn_sleep(TN_MSEC(1));
	/* 0x6|0x1: exact-high takes 0x6 first, any-low gets what is left. */
	EXPECT_EQ(tn_flags_post(&fl, 0x7), 0);
	tn_sleep(TN_MSEC(1));
	EXPECT_EQ(tn_flags_peek(&fl, &v), 0);
	EXPECT_EQ(v, 0);
	/* No waiter: the bits stay. */
	EXPECT_EQ(tn_flags_post(&fl, 0x30), 0);
	EXPECT_EQ(tn_flags_peek(&fl, &v), 0);
	EXPECT_EQ(v, 0x30);
	EXPECT_EQ(tn_flags_wait_exact(&fl, 0x10, TN_INFINITE), 0);
	EXPECT_EQ(tn_flags_trywait(&fl, &v), 0);
	EXPECT_EQ(v, 0x20);
	EXPECT_EQ(tn_flags_trywait(&fl, &v), -EAGAIN);
	EXPECT_EQ(tn_flags_wait(&fl, &v, AT(TN_MSEC(5))), -ETIMEDOUT);
	EXPECT_TIME(TN_MSEC(5));
	for (int i = 0; i < 3; i++)
		tn_thread_join(&t[i], NULL);
	return 0;
}

TEST(monitor_flags)
{
	sim_run_main(1, 1, 50, flags_main, NULL);
	EXPECT_STREQ(log_str(&ev), "any-mid:2@1 exact-high:ok@2 any-low:1@2");
}

static int broadcast_main(void *arg)
{
	struct tn_thread t[4];
	uint32_t v;

	(void)arg;
	tn_flags_init(&fl, 0x100);
	/* Already set: returns at once. */
	EXPECT_EQ(tn_flags_wait(&fl, &v, TN_INFINITE), 0);
	EXPECT_EQ(v, 0x100);
	spawn(&t[0], "a", TN_SCHED_FIFO, 10, 0, any_waiter, NULL);
	spawn(&t[1], "b", TN_SCHED_FIFO, 10, 0, any_waiter, NULL);
	spawn(&t[2], "c", TN_SCHED_FIFO, 10, 0, exact_waiter,
	      (void *)(uintptr_t)0x3);
	spawn(&t[3], "d", TN_SCHED_FIFO, 10, 0, exact_waiter,
	      (void *)(uintptr_t)0x8);
	tn_sleep(TN_MSEC(1));
	/* Everybody 0x3 satisfies gets it; the group stays empty. */
	EXPECT_EQ(tn_flags_broadcast(&fl, 0x3), 3);
	EXPECT_EQ(tn_flags_peek(&fl, &v), 0);
	EXPECT_EQ(v, 0);
	tn_sleep(TN_MSEC(1));
	EXPECT_EQ(tn_flags_destroy(&fl), 0);
	for (int i = 0; i < 4; i++)
		tn_thread_join(&t[i], NULL);
	EXPECT_EQ(tn_flags_post(&fl, 1), -EINVAL);
	return 0;
}

TEST(monitor_flags_broadcast)
{
	sim_run_main(1, 1, 50, broadcast_main, NULL);
	EXPECT_STREQ(log_str(&ev), "a:3@1 b:3@1 c:ok@1 d:removed@2");
}

static int flags_bad_main(void *arg)
{
	struct tn_flags f;
	uint32_t v;

	(void)arg;
	EXPECT_EQ(tn_flags_init(NULL, 0), -EINVAL);
	EXPECT_EQ(tn_flags_init(&f, 0), 0);
	EXPECT_EQ(tn_flags_post(&f, 0), -EINVAL);
	EXPECT_EQ(tn_flags_broadcast(&f, 0), -EINVAL);
	EXPECT_EQ(tn_flags_wait_exact(&f, 0, TN_INFINITE), -EINVAL);
	EXPECT_EQ(tn_flags_peek(&f, NULL), -EINVAL);
	EXPECT_EQ(tn_flags_destroy(&f), 0);
	EXPECT_EQ(tn_flags_trywait(&f, &v), -EINVAL);
	return 0;
}

TEST(flags_bad_arguments)
{
	sim_run_main(1, 1, 50, flags_bad_main, NULL);
}

static int broadcast_no_waiter_main(void *arg)
{
	uint32_t v;

	(void)arg;
	tn_flags_init(&fl, 0);
	/* Nobody waits: the bits stay for the next waiter, as a post's do. */
	EXPECT_EQ(tn_flags_broadcast(&fl, 0x5), 0);
	EXPECT_EQ(tn_flags_peek(&fl, &v), 0);
	EXPECT_EQ(v, 0x5);
	EXPECT_EQ(tn_flags_trywait(&fl, &v), 0);
	EXPECT_EQ(v, 0x5);
	return 0;
}

TEST(flags_broadcast_without_waiter_keeps_bits)
{
	sim_run_main(1, 1, 50, broadcast_no_waiter_main, NULL);
}

static int broadcast_group_main(void *arg)
{
	struct tn_thread t[2];
	uint32_t v;

	(void)arg;
	tn_flags_init(&fl, 0x1);
	spawn(&t[0], "x", TN_SCHED_FIFO, 10, 0, exact_waiter,
	      (void *)(uintptr_t)0x3);
	spawn(&t[1], "y", TN_SCHED_FIFO, 10, 0, exact_waiter,
	      (void *)(uintptr_t)0x3);
	tn_sleep(TN_MSEC(1));
	/* 0x1 already set and 0x2 given: 0x3 satisfies both waiters. */
	EXPECT_EQ(tn_flags_broadcast(&fl, 0x2), 2);
	tn_sleep(TN_MSEC(1));
	/* What they took left the group. */
	EXPECT_EQ(tn_flags_peek(&fl, &v), 0);
	EXPECT_EQ(v, 0);
	for (int i = 0; i < 2; i++)
		tn_thread_join(&t[i], NULL);
	return 0;
}

TEST(flags_broadcast_satisfies_with_group_bits)
{
	sim_run_main(1, 1, 50, broadcast_group_main, NULL);
	EXPECT_STREQ(log_str(&ev), "x:ok@1 y:ok@1");
}

static int broadcast_leftover_main(void *arg)
{
	struct tn_thread t;
	uint32_t v;

	(void)arg;
	tn_flags_init(&fl, 0);
	spawn(&t, "x", TN_SCHED_FIFO, 10, 0, exact_waiter,
	      (void *)(uintptr_t)0x2);
	tn_sleep(TN_MSEC(1));
	EXPECT_EQ(tn_flags_broadcast(&fl, 0x6), 1);
	/* 0x4 was nobody's: it stays. */
	EXPECT_EQ(tn_flags_peek(&fl, &v), 0);
	EXPECT_EQ(v, 0x4);
	tn_thread_join(&t, NULL);
	return 0;
}

TEST(flags_broadcast_leaves_untaken_bits)
{
	sim_run_main(1, 1, 50, broadcast_leftover_main, NULL);
	EXPECT_STREQ(log_str(&ev), "x:ok@1");
}
