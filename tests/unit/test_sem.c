/*
 * Semaphores: waiting and taking, timeouts, hand-over to the best waiter,
 * flushing, and destruction with waiters (named after libevl's tests).
 */
#include "simtest.h"

static struct event_log ev;
static struct tn_sem sem;

static void *getter(void *arg)
{
	tn_time_t timeout = arg ? AT(*(tn_time_t *)arg) : TN_INFINITE;
	int ret = tn_sem_timedget(&sem, timeout);

	log_add_time(&ev, tn_thread_name(tn_thread_self()));
	if (ret == -ETIMEDOUT)
		log_add(&ev, "(timeout)");
	else if (ret == -EAGAIN)
		log_add(&ev, "(flushed)");
	else if (ret == -EIDRM)
		log_add(&ev, "(removed)");
	else if (ret)
		log_add(&ev, "(error)");
	return NULL;
}

static int wait_main(void *arg)
{
	struct tn_thread t;
	int v;

	(void)arg;
	EXPECT_EQ(tn_sem_init(&sem, 2), 0);
	EXPECT_EQ(tn_sem_get(&sem), 0);
	EXPECT_EQ(tn_sem_tryget(&sem), 0);
	EXPECT_EQ(tn_sem_tryget(&sem), -EAGAIN);
	spawn(&t, "waiter", TN_SCHED_FIFO, 10, TN_CPU(1), getter, NULL);
	tn_sleep(TN_MSEC(2));
	EXPECT_EQ(tn_sem_peek(&sem, &v), 0);
	EXPECT_EQ(v, 0);
	EXPECT_EQ(tn_sem_put(&sem), 0);
	tn_thread_join(&t, NULL);
	/* The unit went to the waiter, not to the count. */
	EXPECT_EQ(tn_sem_peek(&sem, &v), 0);
	EXPECT_EQ(v, 0);
	EXPECT_EQ(tn_sem_put(&sem), 0);
	EXPECT_EQ(tn_sem_peek(&sem, &v), 0);
	EXPECT_EQ(v, 1);
	EXPECT_EQ(tn_sem_destroy(&sem), 0);
	return 0;
}

TEST(sem_wait)
{
	sim_run_main(2, 4, 50, wait_main, NULL);
	EXPECT_STREQ(log_str(&ev), "waiter@2");
}

static int timedwait_main(void *arg)
{
	struct tn_thread t;
	tn_time_t t3 = TN_MSEC(3);

	(void)arg;
	tn_sem_init(&sem, 0);
	spawn(&t, "waiter", TN_SCHED_FIFO, 10, 0, getter, &t3);
	tn_thread_join(&t, NULL);
	/* A date already past fails at once with no unit there... */
	EXPECT_EQ(tn_sem_timedget(&sem, AT(TN_MSEC(1))), -ETIMEDOUT);
	/* ...and succeeds at once with one. */
	tn_sem_put(&sem);
	EXPECT_EQ(tn_sem_timedget(&sem, AT(TN_MSEC(1))), 0);
	EXPECT_TIME(TN_MSEC(3));
	return 0;
}

TEST(sem_timedwait)
{
	sim_run_main(1, 1, 50, timedwait_main, NULL);
	EXPECT_STREQ(log_str(&ev), "waiter@3 (timeout)");
}

static int handover_main(void *arg)
{
	struct tn_thread t[3];

	(void)arg;
	tn_sem_init(&sem, 0);
	spawn(&t[0], "low", TN_SCHED_FIFO, 10, 0, getter, NULL);
	spawn(&t[1], "high", TN_SCHED_FIFO, 30, 0, getter, NULL);
	spawn(&t[2], "mid", TN_SCHED_FIFO, 20, 0, getter, NULL);
	tn_sleep(TN_MSEC(1));
	for (int i = 0; i < 3; i++)
		EXPECT_EQ(tn_sem_put(&sem), 0);
	/* main (50) kept the CPU: a try now must not steal a given unit. */
	EXPECT_EQ(tn_sem_tryget(&sem), -EAGAIN);
	for (int i = 0; i < 3; i++)
		tn_thread_join(&t[i], NULL);
	return 0;
}

TEST(sem_put_hands_unit_to_best_waiter)
{
	sim_run_main(1, 1, 50, handover_main, NULL);
	EXPECT_STREQ(log_str(&ev), "high@1 mid@1 low@1");
}

static int flush_main(void *arg)
{
	struct tn_thread t[3];

	(void)arg;
	tn_sem_init(&sem, 0);
	for (int i = 0; i < 3; i++)
		spawn(&t[i], i ? "b" : "a", TN_SCHED_FIFO, 10, TN_CPU(i % 2),
		      getter, NULL);
	tn_sleep(TN_MSEC(1));
	EXPECT_EQ(tn_sem_flush(&sem), 3);
	for (int i = 0; i < 3; i++)
		tn_thread_join(&t[i], NULL);
	EXPECT_EQ(tn_sem_flush(&sem), 0);
	EXPECT_EQ(tn_sem_tryget(&sem), -EAGAIN);
	return 0;
}

TEST(sem_flush)
{
	const char *p;
	int flushed = 0;

	/* Waiters on two CPUs: which logs first depends on the seed. */
	sim_run_main(2, 3, 50, flush_main, NULL);
	for (p = log_str(&ev); (p = strstr(p, "@1 (flushed)")) != NULL; p++)
		flushed++;
	EXPECT_EQ(flushed, 3);
}

static int close_main(void *arg)
{
	struct tn_thread t[2];
	int v;

	(void)arg;
	tn_sem_init(&sem, 0);
	spawn(&t[0], "w0", TN_SCHED_FIFO, 10, 0, getter, NULL);
	spawn(&t[1], "w1", TN_SCHED_FIFO, 10, TN_CPU(1), getter, NULL);
	tn_sleep(TN_MSEC(1));
	EXPECT_EQ(tn_sem_destroy(&sem), 0);
	for (int i = 0; i < 2; i++)
		tn_thread_join(&t[i], NULL);
	EXPECT_EQ(tn_sem_get(&sem), -EINVAL);
	EXPECT_EQ(tn_sem_put(&sem), -EINVAL);
	EXPECT_EQ(tn_sem_peek(&sem, &v), -EINVAL);
	EXPECT_EQ(tn_sem_destroy(&sem), -EINVAL);
	return 0;
}

TEST(sem_close_unblock)
{
	sim_run_main(2, 1, 50, close_main, NULL);
	EXPECT(strstr(log_str(&ev), "w0@1 (removed)"));
	EXPECT(strstr(log_str(&ev), "w1@1 (removed)"));
}

static int bad_args_main(void *arg)
{
	struct tn_sem s;

	(void)arg;
	EXPECT_EQ(tn_sem_init(NULL, 0), -EINVAL);
	EXPECT_EQ(tn_sem_init(&s, -1), -EINVAL);
	EXPECT_EQ(tn_sem_init(&s, 0x7fffffff), 0);
	EXPECT_EQ(tn_sem_put(&s), -EOVERFLOW);
	EXPECT_EQ(tn_sem_peek(&s, NULL), -EINVAL);
	EXPECT_EQ(tn_sem_put(NULL), -EINVAL);
	return 0;
}

TEST(sem_bad_arguments)
{
	sim_run_main(1, 1, 50, bad_args_main, NULL);
}
