/*
 * Events (condition variables): wait and signal, timed waits, targeted
 * signals, waiters that leave, broadcast to many, the wrong mutex, and
 * reader-writer locks.
 */
#include "simtest.h"

static struct event_log ev;
static struct tn_mutex mx, other_mx;
static struct tn_event event;
static int ready_count;

static void *consumer(void *arg)
{
	tn_time_t timeout = arg ? AT(*(tn_time_t *)arg) : TN_INFINITE;
	int ret = 0;

	EXPECT_EQ(tn_mutex_lock(&mx), 0);
	while (!ready_count && !ret)
		ret = tn_event_timedwait(&event, &mx, timeout);
	/* Whatever happened, the mutex is ours again. */
	EXPECT(mx.owner == tn_thread_self());
	if (!ret)
		ready_count--;
	log_add_time(&ev, ret == -ETIMEDOUT ? "timeout"
			  : ret		    ? "error"
					    : tn_thread_name(tn_thread_self()));
	tn_mutex_unlock(&mx);
	return NULL;
}

static void produce(int n, bool all)
{
	tn_mutex_lock(&mx);
	ready_count += n;
	if (all)
		tn_event_broadcast(&event);
	else
		tn_event_signal(&event);
	tn_mutex_unlock(&mx);
}

static int event_main(void *arg)
{
	struct tn_thread c;

	(void)arg;
	tn_mutex_init(&mx, TN_MUTEX_PI, 0, 0);
	tn_event_init(&event);
	spawn(&c, "consumer", TN_SCHED_FIFO, 20, TN_CPU(1), consumer, NULL);
	tn_sleep(TN_MSEC(2));
	produce(1, false);
	tn_thread_join(&c, NULL);
	EXPECT_EQ(ready_count, 0);
	EXPECT_EQ(tn_event_destroy(&event), 0);
	return 0;
}

TEST(monitor_event)
{
	sim_run_main(2, 1, 30, event_main, NULL);
	EXPECT_STREQ(log_str(&ev), "consumer@2");
}

static int timed_main(void *arg)
{
	struct tn_thread c;
	tn_time_t timeout = TN_MSEC(3);

	(void)arg;
	tn_mutex_init(&mx, TN_MUTEX_PI, 0, 0);
	tn_event_init(&event);
	spawn(&c, "consumer", TN_SCHED_FIFO, 20, 0, consumer, &timeout);
	tn_sleep(TN_MSEC(2));
	/* Held by main while the timeout passes: the waiter returns only
	 * once it has the mutex again. */
	tn_mutex_lock(&mx);
	tn_spin(TN_MSEC(2));
	tn_mutex_unlock(&mx);
	tn_thread_join(&c, NULL);
	return 0;
}

TEST(monitor_event_timedwait)
{
	sim_run_main(2, 1, 10, timed_main, NULL);
	EXPECT_STREQ(log_str(&ev), "timeout@4");
}

static struct tn_thread waiters[3];

static void *plain_waiter(void *arg)
{
	int ret;

	(void)arg;
	tn_mutex_lock(&mx);
	ret = tn_event_wait(&event, &mx);
	log_add(&ev, ret ? "error" : tn_thread_name(tn_thread_self()));
	tn_mutex_unlock(&mx);
	return NULL;
}

static int targeted_main(void *arg)
{
	(void)arg;
	tn_mutex_init(&mx, TN_MUTEX_PI, 0, 0);
	tn_event_init(&event);
	spawn(&waiters[0], "a", TN_SCHED_FIFO, 30, 0, plain_waiter, NULL);
	spawn(&waiters[1], "b", TN_SCHED_FIFO, 20, 0, plain_waiter, NULL);
	spawn(&waiters[2], "c", TN_SCHED_FIFO, 10, 0, plain_waiter, NULL);
	tn_sleep(TN_MSEC(1));
	/* Not the best waiter: exactly the one named. */
	EXPECT_EQ(tn_event_signal_thread(&event, &waiters[2]), 0);
	tn_thread_join(&waiters[2], NULL);
	EXPECT_EQ(tn_event_signal_thread(&event, &waiters[2]), -EINVAL);
	EXPECT_EQ(tn_event_signal_thread(&event, tn_thread_self()), -ESRCH);
	EXPECT_EQ(tn_event_signal(&event), 0);
	EXPECT_EQ(tn_event_signal(&event), 0);
	tn_thread_join(&waiters[0], NULL);
	tn_thread_join(&waiters[1], NULL);
	return 0;
}

TEST(monitor_event_targeted)
{
	sim_run_main(1, 1, 50, targeted_main, NULL);
	EXPECT_STREQ(log_str(&ev), "c a b");
}

static int untrack_main(void *arg)
{
	struct tn_thread c;
	tn_time_t timeout = TN_MSEC(1);

	(void)arg;
	tn_mutex_init(&mx, TN_MUTEX_PI, 0, 0);
	tn_mutex_init(&other_mx, TN_MUTEX_PI, 0, 0);
	tn_event_init(&event);
	spawn(&c, "leaver", TN_SCHED_FIFO, 20, 0, consumer, &timeout);
	tn_thread_join(&c, NULL);
	/* The timed-out waiter left the event: a signal finds nobody and
	 * is lost, and the event is free to pair with another mutex. */
	EXPECT_EQ(tn_event_signal(&event), 0);
	tn_mutex_lock(&other_mx);
	EXPECT_EQ(tn_event_timedwait(&event, &other_mx, AT(TN_MSEC(2))),
		  -ETIMEDOUT);
	tn_mutex_unlock(&other_mx);
	return 0;
}

TEST(monitor_event_untrack)
{
	sim_run_main(1, 1, 50, untrack_main, NULL);
	EXPECT_STREQ(log_str(&ev), "timeout@1");
}

static void *wrong_mutex_waiter(void *arg)
{
	(void)arg;
	tn_mutex_lock(&other_mx);
	EXPECT_EQ(tn_event_wait(&event, &other_mx), -EINVAL);
	tn_mutex_unlock(&other_mx);
	/* Not holding the mutex at all. */
	EXPECT_EQ(tn_event_wait(&event, &mx), -EPERM);
	return NULL;
}

static int wrong_mutex_main(void *arg)
{
	struct tn_thread c, w;

	(void)arg;
	tn_mutex_init(&mx, TN_MUTEX_PI, 0, 0);
	tn_mutex_init(&other_mx, TN_MUTEX_PI, 0, 0);
	tn_event_init(&event);
	spawn(&c, "consumer", TN_SCHED_FIFO, 20, 0, consumer, NULL);
	spawn(&w, "wrong", TN_SCHED_FIFO, 20, 0, wrong_mutex_waiter, NULL);
	tn_thread_join(&w, NULL);
	produce(1, false);
	tn_thread_join(&c, NULL);
	return 0;
}

TEST(monitor_event_wrong_mutex)
{
	sim_run_main(1, 1, 10, wrong_mutex_main, NULL);
	EXPECT_STREQ(log_str(&ev), "consumer@0");
}

static int multiple_main(void *arg)
{
	struct tn_thread c[4];
	static const char *names[] = {"c10", "c40", "c20", "c30"};
	static const int prios[] = {10, 40, 20, 30};

	(void)arg;
	tn_mutex_init(&mx, TN_MUTEX_PI, 0, 0);
	tn_event_init(&event);
	for (int i = 0; i < 4; i++)
		spawn(&c[i], names[i], TN_SCHED_FIFO, prios[i], 0, consumer,
		      NULL);
	tn_sleep(TN_MSEC(1));
	/* All wake; they take the mutex back one by one, best first. */
	produce(4, true);
	for (int i = 0; i < 4; i++)
		tn_thread_join(&c[i], NULL);
	EXPECT_EQ(ready_count, 0);
	return 0;
}

TEST(monitor_wait_multiple)
{
	sim_run_main(1, 1, 50, multiple_main, NULL);
	EXPECT_STREQ(log_str(&ev), "c40@1 c30@1 c20@1 c10@1");
}

static int destroy_main(void *arg)
{
	struct tn_thread c;

	(void)arg;
	tn_mutex_init(&mx, TN_MUTEX_PI, 0, 0);
	tn_event_init(&event);
	spawn(&c, "consumer", TN_SCHED_FIFO, 20, 0, consumer, NULL);
	tn_sleep(TN_MSEC(1));
	EXPECT_EQ(tn_event_destroy(&event), 0);
	tn_thread_join(&c, NULL);
	EXPECT_EQ(tn_event_signal(&event), -EINVAL);
	return 0;
}

TEST(monitor_event_destroy_unblocks)
{
	sim_run_main(1, 1, 50, destroy_main, NULL);
	EXPECT_STREQ(log_str(&ev), "error@1");
}

static struct tn_mutex held_mx;

static void *abba_event_waiter(void *arg)
{
	(void)arg;
	EXPECT_EQ(tn_mutex_lock(&held_mx), 0);
	EXPECT_EQ(tn_mutex_lock(&mx), 0);
	/*
	 * By the timeout, "blocker" holds mx and waits for held_mx: taking
	 * mx back would close a cycle of owners.
	 */
	EXPECT_EQ(tn_event_timedwait(&event, &mx, AT(TN_MSEC(2))), -EDEADLK);
	EXPECT(mx.owner != tn_thread_self());
	log_add_time(&ev, "waiter-edeadlk");
	EXPECT_EQ(tn_mutex_unlock(&held_mx), 0);
	return NULL;
}

static void *abba_event_blocker(void *arg)
{
	(void)arg;
	EXPECT_EQ(tn_mutex_lock(&mx), 0);
	EXPECT_EQ(tn_mutex_lock(&held_mx), 0);
	log_add_time(&ev, "blocker-in");
	tn_mutex_unlock(&held_mx);
	tn_mutex_unlock(&mx);
	return NULL;
}

static int relock_deadlock_main(void *arg)
{
	struct tn_thread w, b;

	(void)arg;
	tn_mutex_init(&mx, TN_MUTEX_PI, 0, 0);
	tn_mutex_init(&held_mx, TN_MUTEX_PI, 0, 0);
	tn_event_init(&event);
	spawn(&w, "waiter", TN_SCHED_FIFO, 20, 0, abba_event_waiter, NULL);
	tn_sleep(TN_MSEC(1));
	spawn(&b, "blocker", TN_SCHED_FIFO, 20, 0, abba_event_blocker, NULL);
	tn_thread_join(&w, NULL);
	tn_thread_join(&b, NULL);
	return 0;
}

TEST(event_wait_relock_deadlock_returns_edeadlk)
{
	sim_run_main(1, 1, 50, relock_deadlock_main, NULL);
	EXPECT_STREQ(log_str(&ev), "waiter-edeadlk@2 blocker-in@2");
}

static void *destroyed_mutex_waiter(void *arg)
{
	(void)arg;
	EXPECT_EQ(tn_mutex_lock(&mx), 0);
	EXPECT_EQ(tn_event_wait(&event, &mx), -EINVAL);
	log_add_time(&ev, "waiter-einval");
	return NULL;
}

static int relock_destroyed_main(void *arg)
{
	struct tn_thread w;

	(void)arg;
	tn_mutex_init(&mx, TN_MUTEX_PI, 0, 0);
	tn_event_init(&event);
	spawn(&w, "waiter", TN_SCHED_FIFO, 20, 0, destroyed_mutex_waiter, NULL);
	tn_sleep(TN_MSEC(1));
	/* Unlocked while its waiter waits on the event: destroy succeeds. */
	EXPECT_EQ(tn_mutex_destroy(&mx), 0);
	EXPECT_EQ(tn_event_signal(&event), 0);
	tn_thread_join(&w, NULL);
	return 0;
}

TEST(event_wait_mutex_destroyed_returns_einval)
{
	sim_run_main(1, 1, 50, relock_destroyed_main, NULL);
	EXPECT_STREQ(log_str(&ev), "waiter-einval@1");
}

static struct tn_rwlock rw;
static int readers_inside, max_readers_inside;

static void *reader(void *arg)
{
	(void)arg;
	EXPECT_EQ(tn_rwlock_rdlock(&rw), 0);
	readers_inside++;
	if (readers_inside > max_readers_inside)
		max_readers_inside = readers_inside;
	tn_spin(TN_MSEC(2));
	readers_inside--;
	log_add_time(&ev, tn_thread_name(tn_thread_self()));
	EXPECT_EQ(tn_rwlock_unlock(&rw), 0);
	return NULL;
}

static void *writer(void *arg)
{
	(void)arg;
	EXPECT_EQ(tn_rwlock_wrlock(&rw), 0);
	EXPECT_EQ(readers_inside, 0);
	log_add_time(&ev, tn_thread_name(tn_thread_self()));
	tn_spin(TN_MSEC(1));
	EXPECT_EQ(tn_rwlock_unlock(&rw), 0);
	return NULL;
}

static int rwlock_read_main(void *arg)
{
	struct tn_thread r[3], w;

	(void)arg;
	tn_rwlock_init(&rw);
	spawn(&r[0], "r0", TN_SCHED_FIFO, 10, TN_CPU(0), reader, NULL);
	spawn(&r[1], "r1", TN_SCHED_FIFO, 10, TN_CPU(1), reader, NULL);
	tn_sleep(TN_USEC(500));
	EXPECT_EQ(tn_rwlock_trywrlock(&rw), -EBUSY);
	EXPECT_EQ(tn_rwlock_tryrdlock(&rw), 0); /* a third reader: fine */
	EXPECT_EQ(tn_rwlock_unlock(&rw), 0);
	spawn(&w, "w", TN_SCHED_FIFO, 10, TN_CPU(1), writer, NULL);
	tn_thread_join(&r[0], NULL);
	tn_thread_join(&r[1], NULL);
	tn_thread_join(&w, NULL);
	EXPECT_EQ(max_readers_inside, 2);
	(void)r[2];
	EXPECT_EQ(tn_rwlock_destroy(&rw), 0);
	return 0;
}

TEST(rwlock_read)
{
	/* Both readers inside at once on two CPUs; the writer after them. */
	sim_run_main(2, 1, 50, rwlock_read_main, NULL);
	EXPECT(strstr(log_str(&ev), "r0@2") && strstr(log_str(&ev), "r1@2"));
	EXPECT(strstr(log_str(&ev), "w@2") != NULL);
}

static int rwlock_write_main(void *arg)
{
	struct tn_thread r[2], w;

	(void)arg;
	tn_rwlock_init(&rw);
	spawn(&r[0], "r0", TN_SCHED_FIFO, 10, TN_CPU(1), reader, NULL);
	tn_sleep(TN_MSEC(1));
	/* A writer waits for r0: from now on readers queue behind it. */
	spawn(&w, "w", TN_SCHED_FIFO, 10, TN_CPU(0), writer, NULL);
	tn_sleep(TN_USEC(100));
	EXPECT_EQ(tn_rwlock_tryrdlock(&rw), -EBUSY);
	spawn(&r[1], "r1", TN_SCHED_FIFO, 10, TN_CPU(1), reader, NULL);
	tn_thread_join(&r[0], NULL);
	tn_thread_join(&w, NULL);
	tn_thread_join(&r[1], NULL);
	EXPECT_EQ(tn_rwlock_unlock(&rw), -EPERM);
	return 0;
}

TEST(rwlock_write)
{
	/* r0 2 ms, then w alone (1 ms), then r1: the writer is not starved. */
	sim_run_main(2, 1, 50, rwlock_write_main, NULL);
	EXPECT_STREQ(log_str(&ev), "r0@2 w@2 r1@5");
}

static void *read_and_sleep(void *arg)
{
	(void)arg;
	EXPECT_EQ(tn_rwlock_rdlock(&rw), 0);
	tn_sleep(TN_MSEC(2));
	EXPECT_EQ(tn_rwlock_unlock(&rw), 0);
	return NULL;
}

static int unlock_unowned_main(void *arg)
{
	struct tn_thread r;

	(void)arg;
	tn_rwlock_init(&rw);
	spawn(&r, "reader", TN_SCHED_FIFO, 20, 0, read_and_sleep, NULL);
	/* The reader is inside; main holds nothing. */
	EXPECT_EQ(tn_rwlock_unlock(&rw), -EPERM);
	/* Its hold is intact: no writer may enter yet. */
	EXPECT_EQ(tn_rwlock_trywrlock(&rw), -EBUSY);
	tn_thread_join(&r, NULL);
	EXPECT_EQ(tn_rwlock_trywrlock(&rw), 0);
	EXPECT_EQ(tn_rwlock_unlock(&rw), 0);
	return 0;
}

TEST(rwlock_unlock_unowned_eperm)
{
	sim_run_main(1, 1, 10, unlock_unowned_main, NULL);
}

static void *read_and_exit(void *arg)
{
	(void)arg;
	EXPECT_EQ(tn_rwlock_rdlock(&rw), 0);
	return NULL;
}

static void *write_and_exit(void *arg)
{
	(void)arg;
	EXPECT_EQ(tn_rwlock_wrlock(&rw), 0);
	return NULL;
}

static int exit_holding_main(void *arg)
{
	struct tn_thread t;
	uint64_t before = tn_health_count(TN_HEALTH_EXIT_HOLDING_RWLOCK);

	tn_rwlock_init(&rw);
	spawn(&t, "holder", TN_SCHED_FIFO, 20, 0,
	      arg ? write_and_exit : read_and_exit, NULL);
	tn_thread_join(&t, NULL);
	/* The hold went with the thread. */
	EXPECT_EQ(tn_rwlock_trywrlock(&rw), 0);
	EXPECT_EQ(tn_rwlock_unlock(&rw), 0);
	EXPECT_EQ(tn_rwlock_destroy(&rw), 0);
	EXPECT_EQ(tn_health_count(TN_HEALTH_EXIT_HOLDING_RWLOCK), before + 1);
	return 0;
}

TEST(rwlock_exit_holding_read_releases)
{
	sim_run_main(1, 1, 10, exit_holding_main, NULL);
}

TEST(rwlock_exit_holding_write_releases)
{
	sim_run_main(1, 1, 10, exit_holding_main, &rw);
}

static int read_twice_main(void *arg)
{
	(void)arg;
	tn_rwlock_init(&rw);
	EXPECT_EQ(tn_rwlock_rdlock(&rw), 0);
	/* Not recursive: a second read hold would block behind a writer. */
	EXPECT_EQ(tn_rwlock_rdlock(&rw), -EDEADLK);
	EXPECT_EQ(tn_rwlock_unlock(&rw), 0);
	EXPECT_EQ(tn_rwlock_unlock(&rw), -EPERM);
	EXPECT_EQ(tn_rwlock_destroy(&rw), 0);
	return 0;
}

TEST(rwlock_read_twice_edeadlk)
{
	sim_run_main(1, 1, 10, read_twice_main, NULL);
}

static struct tn_rwlock many[TN_RWLOCK_HELD_MAX + 1];

static int hold_many_main(void *arg)
{
	(void)arg;
	for (int i = 0; i <= TN_RWLOCK_HELD_MAX; i++)
		tn_rwlock_init(&many[i]);
	for (int i = 0; i < TN_RWLOCK_HELD_MAX; i++)
		EXPECT_EQ(i % 2 ? tn_rwlock_rdlock(&many[i])
				: tn_rwlock_wrlock(&many[i]),
			  0);
	EXPECT_EQ(tn_rwlock_rdlock(&many[TN_RWLOCK_HELD_MAX]), -EAGAIN);
	EXPECT_EQ(tn_rwlock_wrlock(&many[TN_RWLOCK_HELD_MAX]), -EAGAIN);
	for (int i = 0; i < TN_RWLOCK_HELD_MAX; i++)
		EXPECT_EQ(tn_rwlock_unlock(&many[i]), 0);
	EXPECT_EQ(tn_rwlock_rdlock(&many[TN_RWLOCK_HELD_MAX]), 0);
	EXPECT_EQ(tn_rwlock_unlock(&many[TN_RWLOCK_HELD_MAX]), 0);
	return 0;
}

TEST(rwlock_holds_past_limit_eagain)
{
	sim_run_main(1, 1, 10, hold_many_main, NULL);
}
