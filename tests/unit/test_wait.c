/*
 * The kernel's generic wait queue, which every blocking element reuses:
 * priority order, FIFO among equals, timeouts, waking all, and requeueing
 * a waiter whose priority changes.
 */
#include "kernel/internal.h"
#include "simtest.h"

static struct event_log ev;
static struct tn_wait_queue wq;

static void *waiter(void *arg)
{
	tn_time_t timeout = arg ? AT(*(tn_time_t *)arg) : TN_INFINITE;
	unsigned long flags = tn_lock();
	int ret = wq_wait(&wq, timeout);

	tn_unlock(flags);
	log_add_time(&ev, tn_thread_name(tn_thread_self()));
	if (ret)
		log_add(&ev, ret == -ETIMEDOUT ? "(timeout)" : "(error)");
	return NULL;
}

static void wake(int n, int status)
{
	unsigned long flags = tn_lock();

	for (int i = 0; i < n; i++)
		wq_wake_one(&wq, status);
	sched_run();
	tn_unlock(flags);
}

static int order_main(void *arg)
{
	struct tn_thread t[4];

	(void)arg;
	wq_init(&wq);
	spawn(&t[0], "low1", TN_SCHED_FIFO, 10, 0, waiter, NULL);
	spawn(&t[1], "high", TN_SCHED_FIFO, 30, 0, waiter, NULL);
	spawn(&t[2], "low2", TN_SCHED_FIFO, 10, 0, waiter, NULL);
	spawn(&t[3], "mid", TN_SCHED_FIFO, 20, 0, waiter, NULL);
	tn_sleep(TN_MSEC(1)); /* let them all block */
	/* One at a time, each wake-up runs its thread before the next. */
	for (int i = 0; i < 4; i++)
		wake(1, 0);
	for (int i = 0; i < 4; i++)
		tn_thread_join(&t[i], NULL);
	return 0;
}

TEST(wait_queue_priority_order)
{
	sim_run_main(1, 1, 50, order_main, NULL);
	EXPECT_STREQ(log_str(&ev), "high@1 mid@1 low1@1 low2@1");
}

static int timeout_main(void *arg)
{
	struct tn_thread t[2];
	tn_time_t t3 = TN_MSEC(3), t5 = TN_MSEC(5);

	(void)arg;
	wq_init(&wq);
	spawn(&t[0], "short", TN_SCHED_FIFO, 10, 0, waiter, &t3);
	spawn(&t[1], "long", TN_SCHED_FIFO, 10, 0, waiter, &t5);
	tn_sleep_until(AT(TN_MSEC(4)));
	wake(1, 0);
	for (int i = 0; i < 2; i++)
		tn_thread_join(&t[i], NULL);
	/* A date already past does not block at all. */
	EXPECT_EQ(({
			  unsigned long f = tn_lock();
			  int r = wq_wait(&wq, AT(TN_MSEC(1)));
			  tn_unlock(f);
			  r;
		  }),
		  -ETIMEDOUT);
	return 0;
}

TEST(wait_queue_timeout)
{
	sim_run_main(1, 1, 50, timeout_main, NULL);
	EXPECT_STREQ(log_str(&ev), "short@3 (timeout) long@4");
}

static int wake_all_main(void *arg)
{
	struct tn_thread t[3];
	unsigned long flags;
	int n;

	(void)arg;
	wq_init(&wq);
	spawn(&t[0], "a", TN_SCHED_FIFO, 10, 0, waiter, NULL);
	spawn(&t[1], "b", TN_SCHED_FIFO, 10, TN_CPU(1), waiter, NULL);
	spawn(&t[2], "c", TN_SCHED_FIFO, 10, 0, waiter, NULL);
	tn_sleep(TN_MSEC(1));
	flags = tn_lock();
	n = wq_wake_all(&wq, -EIDRM);
	EXPECT(wq_empty(&wq));
	sched_run();
	tn_unlock(flags);
	EXPECT_EQ(n, 3);
	for (int i = 0; i < 3; i++)
		tn_thread_join(&t[i], NULL);
	return 0;
}

TEST(wait_queue_wake_all)
{
	const char *p;
	int woken = 0;

	/* Waiters on two CPUs: which logs first depends on the seed. */
	sim_run_main(2, 2, 50, wake_all_main, NULL);
	for (p = log_str(&ev); (p = strstr(p, "@1 (error)")) != NULL; p++)
		woken++;
	EXPECT_EQ(woken, 3);
}

static int requeue_main(void *arg)
{
	struct tn_thread t[3];

	(void)arg;
	wq_init(&wq);
	spawn(&t[0], "first", TN_SCHED_FIFO, 20, 0, waiter, NULL);
	spawn(&t[1], "second", TN_SCHED_FIFO, 20, 0, waiter, NULL);
	spawn(&t[2], "third", TN_SCHED_FIFO, 10, 0, waiter, NULL);
	tn_sleep(TN_MSEC(1));
	/* Raised while waiting: it moves ahead of both. */
	EXPECT_EQ(tn_thread_set_priority(&t[2], 25), 0);
	/* Lowered while waiting: it moves behind. */
	EXPECT_EQ(tn_thread_set_priority(&t[0], 15), 0);
	for (int i = 0; i < 3; i++)
		wake(1, 0);
	for (int i = 0; i < 3; i++)
		tn_thread_join(&t[i], NULL);
	return 0;
}

TEST(wait_queue_requeue_on_priority_change)
{
	sim_run_main(1, 1, 50, requeue_main, NULL);
	EXPECT_STREQ(log_str(&ev), "third@1 second@1 first@1");
}
