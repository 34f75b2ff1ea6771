/*
 * Poll sets: semaphores, flags and subscribers as sources, many sources,
 * several waiters, nesting with cycle and depth checks, and sources
 * destroyed while watched (named after libevl's poll tests).
 */
#include "simtest.h"

static struct event_log ev;
static struct tn_poll_set set;
static struct tn_sem sem;
static struct tn_flags fl;

static void *post_sem_at_2ms(void *arg)
{
	(void)arg;
	tn_sleep_until(AT(TN_MSEC(2)));
	tn_sem_put(&sem);
	return NULL;
}

static int poll_sem_main(void *arg)
{
	struct tn_poll_item item;
	struct tn_poll_event out[2];
	struct tn_thread t;

	(void)arg;
	tn_sem_init(&sem, 0);
	tn_poll_init(&set);
	EXPECT_EQ(tn_poll_add(&set, &item, TN_POLL_SEM, &sem, &sem), 0);
	EXPECT_EQ(tn_poll_wait(&set, out, 2, AT(TN_MSEC(1))), -ETIMEDOUT);
	spawn(&t, "poster", TN_SCHED_FIFO, 10, TN_CPU(1), post_sem_at_2ms,
	      NULL);
	EXPECT_EQ(tn_poll_wait(&set, out, 2, TN_INFINITE), 1);
	EXPECT_TIME(TN_MSEC(2));
	EXPECT(out[0].data == &sem);
	EXPECT_EQ(out[0].type, TN_POLL_SEM);
	EXPECT_EQ(out[0].events, TN_POLLIN);
	/* Ready is not taken: the unit is still there to get. */
	EXPECT_EQ(tn_poll_wait(&set, out, 2, TN_INFINITE), 1);
	EXPECT_EQ(tn_sem_tryget(&sem), 0);
	EXPECT_EQ(tn_poll_wait(&set, out, 2, AT(TN_MSEC(3))), -ETIMEDOUT);
	tn_thread_join(&t, NULL);
	EXPECT_EQ(tn_poll_add(&set, &item, TN_POLL_SEM, &sem, NULL), -EEXIST);
	EXPECT_EQ(tn_poll_del(&set, &item), 0);
	EXPECT_EQ(tn_poll_del(&set, &item), -EINVAL);
	EXPECT_EQ(tn_poll_destroy(&set), 0);
	return 0;
}

TEST(poll_sem)
{
	sim_run_main(2, 1, 20, poll_sem_main, NULL);
}

static void *post_flags(void *arg)
{
	(void)arg;
	tn_sleep_until(AT(TN_MSEC(1)));
	tn_flags_post(&fl, 0x10);
	return NULL;
}

static int poll_flags_main(void *arg)
{
	struct tn_poll_item item;
	struct tn_poll_event out[1];
	struct tn_thread t;
	uint32_t bits;

	(void)arg;
	tn_flags_init(&fl, 0);
	tn_poll_init(&set);
	tn_poll_add(&set, &item, TN_POLL_FLAGS, &fl, &fl);
	spawn(&t, "poster", TN_SCHED_FIFO, 10, 0, post_flags, NULL);
	EXPECT_EQ(tn_poll_wait(&set, out, 1, TN_INFINITE), 1);
	EXPECT_TIME(TN_MSEC(1));
	EXPECT_EQ(tn_flags_trywait(&fl, &bits), 0);
	EXPECT_EQ(bits, 0x10);
	tn_thread_join(&t, NULL);
	tn_poll_destroy(&set);
	return 0;
}

TEST(poll_flags)
{
	sim_run_main(1, 1, 20, poll_flags_main, NULL);
}

#define MANY 40
static struct tn_sem sems[MANY];
static struct tn_poll_item items[MANY];

static void *post_some(void *arg)
{
	(void)arg;
	tn_sleep_until(AT(TN_MSEC(1)));
	tn_sem_put(&sems[7]);
	tn_sem_put(&sems[31]);
	tn_sem_put(&sems[12]);
	return NULL;
}

static int poll_many_main(void *arg)
{
	struct tn_poll_event out[MANY];
	struct tn_thread t;
	bool seen[MANY] = {false};
	int n;

	(void)arg;
	tn_poll_init(&set);
	for (int i = 0; i < MANY; i++) {
		tn_sem_init(&sems[i], 0);
		EXPECT_EQ(tn_poll_add(&set, &items[i], TN_POLL_SEM, &sems[i],
				      (void *)(uintptr_t)i),
			  0);
	}
	/* Lower priority: all three posts land before main looks. */
	spawn(&t, "poster", TN_SCHED_FIFO, 30, 0, post_some, NULL);
	tn_sleep_until(AT(TN_MSEC(1)));
	n = tn_poll_wait(&set, out, MANY, TN_INFINITE);
	EXPECT_EQ(n, 3);
	for (int i = 0; i < n; i++)
		seen[(uintptr_t)out[i].data] = true;
	EXPECT(seen[7] && seen[12] && seen[31]);
	/* Fewer slots than ready sources: the first ones. */
	EXPECT_EQ(tn_poll_wait(&set, out, 2, TN_INFINITE), 2);
	tn_thread_join(&t, NULL);
	tn_poll_destroy(&set);
	return 0;
}

TEST(poll_many)
{
	sim_run_main(1, 1, 20, poll_many_main, NULL);
}

static void *poll_waiter(void *arg)
{
	struct tn_poll_event out[1];

	(void)arg;
	EXPECT_EQ(tn_poll_wait(&set, out, 1, TN_INFINITE), 1);
	log_add_time(&ev, tn_thread_name(tn_thread_self()));
	return NULL;
}

static int poll_multiple_main(void *arg)
{
	struct tn_poll_item item;
	struct tn_thread w[3];

	(void)arg;
	tn_sem_init(&sem, 0);
	tn_poll_init(&set);
	tn_poll_add(&set, &item, TN_POLL_SEM, &sem, NULL);
	spawn(&w[0], "w0", TN_SCHED_FIFO, 10, 0, poll_waiter, NULL);
	spawn(&w[1], "w1", TN_SCHED_FIFO, 10, TN_CPU(1), poll_waiter, NULL);
	spawn(&w[2], "w2", TN_SCHED_FIFO, 10, 0, poll_waiter, NULL);
	tn_sleep(TN_MSEC(3));
	tn_sem_put(&sem); /* every waiter of the set is told */
	for (int i = 0; i < 3; i++)
		tn_thread_join(&w[i], NULL);
	tn_poll_destroy(&set);
	return 0;
}

TEST(poll_many_waiters)
{
	const char *p;
	int woken = 0;

	sim_run_main(2, 1, 20, poll_multiple_main, NULL);
	for (p = log_str(&ev); (p = strstr(p, "@3")) != NULL; p++)
		woken++;
	EXPECT_EQ(woken, 3);
}

static int poll_nested_main(void *arg)
{
	struct tn_poll_set level[TN_POLL_MAX_DEPTH + 1];
	struct tn_poll_item link[TN_POLL_MAX_DEPTH + 1], item, back;
	struct tn_poll_event out[2];

	(void)arg;
	tn_sem_init(&sem, 0);
	for (int i = 0; i <= TN_POLL_MAX_DEPTH; i++)
		tn_poll_init(&level[i]);
	/* level[0] holds level[1] holds ... level[3] holds the sem. */
	for (int i = 0; i < TN_POLL_MAX_DEPTH - 1; i++)
		EXPECT_EQ(tn_poll_add(&level[i], &link[i], TN_POLL_SET,
				      &level[i + 1], &level[i + 1]),
			  0);
	EXPECT_EQ(tn_poll_add(&level[TN_POLL_MAX_DEPTH - 1], &item, TN_POLL_SEM,
			      &sem, &sem),
		  0);
	/* One level more is too deep; a set in itself or a loop: refused. */
	EXPECT_EQ(tn_poll_add(&level[TN_POLL_MAX_DEPTH - 1], &link[3],
			      TN_POLL_SET, &level[TN_POLL_MAX_DEPTH], NULL),
		  -ELOOP);
	EXPECT_EQ(tn_poll_add(&level[2], &back, TN_POLL_SET, &level[2], NULL),
		  -ELOOP);
	EXPECT_EQ(tn_poll_add(&level[2], &back, TN_POLL_SET, &level[0], NULL),
		  -ELOOP);
	EXPECT_EQ(tn_poll_wait(&level[0], out, 2, AT(TN_MSEC(1))), -ETIMEDOUT);
	tn_sem_put(&sem);
	EXPECT_EQ(tn_poll_wait(&level[0], out, 2, TN_INFINITE), 1);
	EXPECT(out[0].data == &level[1]);
	EXPECT_EQ(out[0].type, TN_POLL_SET);
	EXPECT_EQ(tn_poll_wait(&level[3], out, 2, TN_INFINITE), 1);
	EXPECT(out[0].data == &sem);
	for (int i = 0; i <= TN_POLL_MAX_DEPTH; i++)
		tn_poll_destroy(&level[i]);
	return 0;
}

TEST(poll_nested)
{
	sim_run_main(1, 1, 20, poll_nested_main, NULL);
}

static void *destroy_sem_at_1ms(void *arg)
{
	(void)arg;
	tn_sleep_until(AT(TN_MSEC(1)));
	tn_sem_destroy(&sem);
	return NULL;
}

static int poll_close_main(void *arg)
{
	struct tn_poll_item a, b;
	struct tn_poll_event out[2];
	struct tn_thread t;

	(void)arg;
	tn_sem_init(&sem, 0);
	tn_flags_init(&fl, 0);
	tn_poll_init(&set);
	tn_poll_add(&set, &a, TN_POLL_SEM, &sem, &sem);
	tn_poll_add(&set, &b, TN_POLL_FLAGS, &fl, &fl);
	spawn(&t, "closer", TN_SCHED_FIFO, 10, TN_CPU(1), destroy_sem_at_1ms,
	      NULL);
	EXPECT_EQ(tn_poll_wait(&set, out, 2, TN_INFINITE), 1);
	EXPECT(out[0].data == &sem);
	EXPECT_EQ(out[0].events, TN_POLLNVAL);
	/* Reported until removed. */
	EXPECT_EQ(tn_poll_wait(&set, out, 2, TN_INFINITE), 1);
	EXPECT_EQ(tn_poll_del(&set, &a), 0);
	EXPECT_EQ(tn_poll_wait(&set, out, 2, AT(TN_MSEC(3))), -ETIMEDOUT);
	EXPECT_EQ(tn_poll_add(&set, &a, TN_POLL_SEM, &sem, NULL), -EINVAL);
	tn_thread_join(&t, NULL);
	tn_poll_destroy(&set);
	EXPECT_EQ(tn_poll_wait(&set, out, 2, TN_INFINITE), -EINVAL);
	return 0;
}

TEST(poll_close)
{
	sim_run_main(2, 1, 20, poll_close_main, NULL);
}

static struct tn_observable obs;

static void *publish_at_2ms(void *arg)
{
	struct tn_notice n = {3, 33};

	(void)arg;
	tn_sleep_until(AT(TN_MSEC(2)));
	tn_observable_publish(&obs, &n, 1);
	tn_sleep_until(AT(TN_MSEC(4)));
	tn_observable_destroy(&obs);
	return NULL;
}

static int poll_subscriber_main(void *arg)
{
	struct tn_subscriber sub;
	struct tn_notification backlog[4], note;
	struct tn_poll_item item;
	struct tn_poll_event out[1];
	struct tn_thread t;

	(void)arg;
	tn_observable_init(&obs, 0);
	tn_observable_subscribe(&obs, &sub, backlog, 4, 0);
	tn_poll_init(&set);
	EXPECT_EQ(tn_poll_add(&set, &item, TN_POLL_SUBSCRIBER, &sub, &sub), 0);
	spawn(&t, "publisher", TN_SCHED_FIFO, 10, 0, publish_at_2ms, NULL);
	EXPECT_EQ(tn_poll_wait(&set, out, 1, TN_INFINITE), 1);
	EXPECT_EQ(out[0].events, TN_POLLIN);
	EXPECT_EQ(tn_observable_read(&sub, &note, 1, TN_INFINITE), 1);
	EXPECT_EQ(note.value, 33);
	EXPECT_EQ(tn_poll_wait(&set, out, 1, TN_INFINITE), 1);
	EXPECT_EQ(out[0].events, TN_POLLNVAL);
	EXPECT_TIME(TN_MSEC(4));
	tn_thread_join(&t, NULL);
	tn_poll_destroy(&set);
	return 0;
}

TEST(poll_observable)
{
	sim_run_main(1, 1, 20, poll_subscriber_main, NULL);
}

static struct tn_poll_set other_set;

static int item_in_two_sets_main(void *arg)
{
	struct tn_poll_item item;
	struct tn_poll_event out[1];

	(void)arg;
	tn_sem_init(&sem, 0);
	tn_poll_init(&set);
	tn_poll_init(&other_set);
	EXPECT_EQ(tn_poll_add(&set, &item, TN_POLL_SEM, &sem, NULL), 0);
	/* One item links one source into one set. */
	EXPECT_EQ(tn_poll_add(&other_set, &item, TN_POLL_SEM, &sem, NULL),
		  -EBUSY);
	EXPECT_EQ(tn_poll_wait(&set, out, 1, AT(TN_MSEC(1))), -ETIMEDOUT);
	EXPECT_EQ(tn_sem_put(&sem), 0);
	EXPECT_EQ(tn_poll_wait(&set, out, 1, TN_INFINITE), 1);
	EXPECT_EQ(tn_poll_del(&set, &item), 0);
	/* Once removed, it may go elsewhere. */
	EXPECT_EQ(tn_poll_add(&other_set, &item, TN_POLL_SEM, &sem, NULL), 0);
	EXPECT_EQ(tn_poll_wait(&other_set, out, 1, TN_INFINITE), 1);
	EXPECT_EQ(tn_poll_destroy(&other_set), 0);
	EXPECT_EQ(tn_poll_destroy(&set), 0);
	return 0;
}

TEST(poll_item_in_two_sets_ebusy)
{
	sim_run_main(1, 1, 20, item_in_two_sets_main, NULL);
}

static int empty_set_main(void *arg)
{
	struct tn_poll_item item;
	struct tn_poll_event out[1];

	(void)arg;
	tn_sem_init(&sem, 0);
	tn_poll_init(&set);
	/* Nothing could ever make it ready. */
	EXPECT_EQ(tn_poll_wait(&set, out, 1, TN_INFINITE), -EINVAL);
	EXPECT_EQ(tn_poll_add(&set, &item, TN_POLL_SEM, &sem, NULL), 0);
	EXPECT_EQ(tn_poll_del(&set, &item), 0);
	EXPECT_EQ(tn_poll_wait(&set, out, 1, TN_INFINITE), -EINVAL);
	EXPECT_EQ(tn_poll_destroy(&set), 0);
	return 0;
}

TEST(poll_wait_empty_set_einval)
{
	sim_run_main(1, 1, 20, empty_set_main, NULL);
}

static struct tn_poll_item shared_item;

static void *empty_the_set(void *arg)
{
	(void)arg;
	tn_sleep_until(AT(TN_MSEC(1)));
	EXPECT_EQ(tn_poll_del(&set, &shared_item), 0);
	return NULL;
}

static int emptied_set_main(void *arg)
{
	struct tn_poll_event out[1];
	struct tn_thread t;

	(void)arg;
	tn_sem_init(&sem, 0);
	tn_poll_init(&set);
	EXPECT_EQ(tn_poll_add(&set, &shared_item, TN_POLL_SEM, &sem, NULL), 0);
	spawn(&t, "emptier", TN_SCHED_FIFO, 10, 0, empty_the_set, NULL);
	EXPECT_EQ(tn_poll_wait(&set, out, 1, TN_INFINITE), -EINVAL);
	EXPECT_TIME(TN_MSEC(1));
	tn_thread_join(&t, NULL);
	EXPECT_EQ(tn_poll_destroy(&set), 0);
	return 0;
}

TEST(poll_wait_set_emptied_einval)
{
	sim_run_main(1, 1, 20, emptied_set_main, NULL);
}

static struct tn_timer poll_tm;

static void *post_both(void *arg)
{
	(void)arg;
	tn_sleep_until(AT(TN_USEC(2500)));
	tn_sem_put(&sem);
	tn_sleep_until(AT(TN_USEC(3500)));
	tn_flags_post(&fl, 0x8);
	return NULL;
}

/* A semaphore, flags and a periodic timer in one set, as EVL's test. */
static int poll_sources_main(void *arg)
{
	struct tn_poll_item watch[3];
	struct tn_poll_event out[3];
	struct tn_thread t;
	uint64_t ticks;
	uint32_t bits;
	int n;

	(void)arg;
	tn_sem_init(&sem, 0);
	tn_flags_init(&fl, 0);
	tn_timer_init(&poll_tm, NULL, NULL);
	tn_poll_init(&set);
	EXPECT_EQ(tn_poll_add(&set, &watch[0], TN_POLL_SEM, &sem, &sem), 0);
	EXPECT_EQ(tn_poll_add(&set, &watch[1], TN_POLL_FLAGS, &fl, &fl), 0);
	EXPECT_EQ(
	    tn_poll_add(&set, &watch[2], TN_POLL_TIMER, &poll_tm, &poll_tm), 0);
	EXPECT_EQ(tn_timer_set(&poll_tm, AT(TN_MSEC(1)), TN_MSEC(1)), 0);
	spawn(&t, "poster", TN_SCHED_FIFO, 10, 0, post_both, NULL);
	for (int round = 0; round < 5; round++) {
		n = tn_poll_wait(&set, out, 3, TN_INFINITE);
		EXPECT_EQ(n, 1);
		if (out[0].data == &poll_tm) {
			EXPECT_EQ(tn_timer_wait(&poll_tm, &ticks, TN_INFINITE),
				  0);
			EXPECT_EQ(ticks, 1);
			log_add_time(&ev, "timer");
		} else if (out[0].data == &sem) {
			EXPECT_EQ(tn_sem_tryget(&sem), 0);
			log_add(&ev, "sem");
		} else {
			EXPECT_EQ(tn_flags_trywait(&fl, &bits), 0);
			EXPECT_EQ(bits, 0x8);
			log_add(&ev, "flags");
		}
	}
	tn_thread_join(&t, NULL);
	/* A destroyed timer shows as gone. */
	EXPECT_EQ(tn_timer_destroy(&poll_tm), 0);
	EXPECT_EQ(tn_poll_wait(&set, out, 3, TN_INFINITE), 1);
	EXPECT_EQ(out[0].events, TN_POLLNVAL);
	EXPECT_EQ(tn_poll_destroy(&set), 0);
	return 0;
}

TEST(poll_multiple)
{
	sim_run_main(1, 1, 20, poll_sources_main, NULL);
	EXPECT_STREQ(log_str(&ev), "timer@1 timer@2 sem timer@3 flags");
}
