/*
 * The clock, sleeping, and timers: one-shot, periodic, overruns, disarming,
 * destruction, handlers, arming from another CPU, and tickless operation.
 */
#include "simtest.h"

static struct event_log ev;

static int sleep_until_main(void *arg)
{
	(void)arg;
	EXPECT_TIME(0);
	EXPECT_EQ(tn_sleep_until(AT(TN_MSEC(5))), 0);
	EXPECT_TIME(TN_MSEC(5));
	/* A date already past returns at once. */
	EXPECT_EQ(tn_sleep_until(AT(TN_MSEC(1))), 0);
	EXPECT_TIME(TN_MSEC(5));
	tn_spin(TN_USEC(300));
	/* Absolute: the 300 us spent computing do not shift the date. */
	EXPECT_EQ(tn_sleep_until(AT(TN_MSEC(7))), 0);
	EXPECT_TIME(TN_MSEC(7));
	return 0;
}

TEST(sleep_until_absolute)
{
	sim_run_main(1, 1, 10, sleep_until_main, NULL);
}

static int sleep_relative_main(void *arg)
{
	(void)arg;
	tn_spin(TN_USEC(250));
	EXPECT_EQ(tn_sleep(TN_MSEC(2)), 0);
	EXPECT_TIME(TN_USEC(2250));
	EXPECT_EQ(tn_sleep(0), 0);
	EXPECT_EQ(tn_sleep(-1), -EINVAL);
	EXPECT_TIME(TN_USEC(2250));
	return 0;
}

TEST(sleep_relative)
{
	sim_run_main(1, 1, 10, sleep_relative_main, NULL);
}

static int oneshot_main(void *arg)
{
	struct tn_timer tm;
	uint64_t ticks = 0;
	tn_time_t date, interval;

	(void)arg;
	EXPECT_EQ(tn_timer_init(&tm, NULL, NULL), 0);
	EXPECT_EQ(tn_timer_get(&tm, &date, &interval), 0);
	EXPECT_EQ(date, TN_INFINITE);
	EXPECT_EQ(tn_timer_set(&tm, AT(TN_MSEC(3)), 0), 0);
	EXPECT_EQ(tn_timer_get(&tm, &date, &interval), 0);
	EXPECT_EQ(date, AT(TN_MSEC(3)));
	EXPECT_EQ(interval, 0);
	EXPECT_EQ(tn_timer_wait(&tm, &ticks, TN_INFINITE), 0);
	EXPECT_EQ(ticks, 1);
	EXPECT_TIME(TN_MSEC(3));
	/* Fired once only. */
	EXPECT_EQ(tn_timer_wait(&tm, &ticks, AT(TN_MSEC(10))), -ETIMEDOUT);
	EXPECT_TIME(TN_MSEC(10));
	EXPECT_EQ(tn_timer_destroy(&tm), 0);
	return 0;
}

TEST(clock_timer_oneshot)
{
	sim_run_main(1, 1, 10, oneshot_main, NULL);
}

static int periodic_main(void *arg)
{
	struct tn_timer tm;
	uint64_t ticks;

	(void)arg;
	tn_timer_init(&tm, NULL, NULL);
	EXPECT_EQ(tn_timer_set(&tm, AT(TN_MSEC(2)), TN_USEC(500)), 0);
	for (int i = 0; i < 20; i++) {
		EXPECT_EQ(tn_timer_wait(&tm, &ticks, TN_INFINITE), 0);
		EXPECT_EQ(ticks, 1);
		EXPECT_TIME(TN_MSEC(2) + i * TN_USEC(500));
		tn_spin(TN_USEC(100)); /* work shorter than the period */
	}
	tn_timer_destroy(&tm);
	return 0;
}

TEST(clock_timer_periodic)
{
	sim_run_main(1, 1, 10, periodic_main, NULL);
}

static int infinite_interval_main(void *arg)
{
	struct tn_timer tm;
	tn_time_t date, interval;
	uint64_t ticks;

	(void)arg;
	tn_timer_init(&tm, NULL, NULL);
	EXPECT_EQ(tn_timer_set(&tm, AT(TN_MSEC(1)), TN_INFINITE), 0);
	EXPECT_EQ(tn_timer_wait(&tm, &ticks, TN_INFINITE), 0);
	EXPECT_EQ(ticks, 1);
	EXPECT_TIME(TN_MSEC(1));
	/* The next period would end past the end of time: there is none. */
	EXPECT_EQ(tn_timer_get(&tm, &date, &interval), 0);
	EXPECT_EQ(date, TN_INFINITE);
	EXPECT_EQ(tn_timer_wait(&tm, &ticks, AT(TN_MSEC(5))), -ETIMEDOUT);
	EXPECT_TIME(TN_MSEC(5));
	tn_timer_destroy(&tm);
	return 0;
}

TEST(timer_periodic_infinite_interval_fires_once)
{
	sim_run_main(1, 1, 10, infinite_interval_main, NULL);
}

static int negative_date_main(void *arg)
{
	struct tn_timer tm;

	(void)arg;
	tn_timer_init(&tm, NULL, NULL);
	/* Counted from before the start, its periods would overflow. */
	EXPECT_EQ(tn_timer_set(&tm, INT64_MIN, TN_MSEC(1)), -EINVAL);
	EXPECT_EQ(tn_timer_set(&tm, -1, 0), -EINVAL);
	tn_timer_destroy(&tm);
	return 0;
}

TEST(timer_set_negative_date_einval)
{
	sim_run_main(1, 1, 10, negative_date_main, NULL);
}

static int overrun_main(void *arg)
{
	struct tn_timer tm;
	uint64_t ticks;

	(void)arg;
	tn_timer_init(&tm, NULL, NULL);
	tn_timer_set(&tm, AT(TN_MSEC(1)), TN_MSEC(1));
	EXPECT_EQ(tn_timer_wait(&tm, &ticks, TN_INFINITE), 0);
	EXPECT_EQ(ticks, 1);
	/* Late by 3.5 periods: the expiries at 2, 3 and 4 ms are waiting. */
	tn_spin(TN_USEC(3500));
	EXPECT_EQ(tn_timer_wait(&tm, &ticks, TN_INFINITE), 0);
	EXPECT_EQ(ticks, 3);
	EXPECT_TIME(TN_USEC(4500));
	/* Back in phase: the next one is at 5 ms. */
	EXPECT_EQ(tn_timer_wait(&tm, &ticks, TN_INFINITE), 0);
	EXPECT_EQ(ticks, 1);
	EXPECT_TIME(TN_MSEC(5));
	tn_timer_destroy(&tm);
	return 0;
}

TEST(clock_timer_overrun)
{
	sim_run_main(1, 1, 10, overrun_main, NULL);
}

static int late_start_main(void *arg)
{
	struct tn_timer tm;
	uint64_t ticks;
	tn_time_t date;

	(void)arg;
	tn_sleep_until(AT(TN_MSEC(10)));
	tn_timer_init(&tm, NULL, NULL);
	/* First date 3.5 periods ago: 4 expiries are due at once. */
	tn_timer_set(&tm, AT(TN_MSEC(10) - TN_USEC(3500)), TN_MSEC(1));
	EXPECT_EQ(tn_timer_wait(&tm, &ticks, TN_INFINITE), 0);
	EXPECT_EQ(ticks, 4);
	EXPECT_TIME(TN_MSEC(10));
	tn_timer_get(&tm, &date, NULL);
	EXPECT_EQ(date, AT(TN_USEC(10500)));
	tn_timer_destroy(&tm);
	return 0;
}

TEST(clock_timer_late_expiries_counted)
{
	sim_run_main(1, 1, 10, late_start_main, NULL);
}

static int disarm_main(void *arg)
{
	struct tn_timer tm;
	uint64_t ticks;

	(void)arg;
	tn_timer_init(&tm, NULL, NULL);
	tn_timer_set(&tm, AT(TN_MSEC(1)), TN_MSEC(1));
	EXPECT_EQ(tn_timer_set(&tm, TN_INFINITE, 0), 0);
	EXPECT_EQ(tn_timer_wait(&tm, &ticks, AT(TN_MSEC(5))), -ETIMEDOUT);
	EXPECT_EQ(tn_timer_set(&tm, AT(TN_MSEC(6)), -1), -EINVAL);
	EXPECT_EQ(tn_timer_set(&tm, AT(TN_MSEC(9)), 0), 0);
	EXPECT_EQ(tn_timer_init(&tm, NULL, NULL), -EBUSY);
	tn_timer_destroy(&tm);
	EXPECT_EQ(tn_timer_set(&tm, AT(TN_MSEC(6)), 0), -EINVAL);
	EXPECT_EQ(tn_timer_wait(&tm, &ticks, TN_INFINITE), -EINVAL);
	EXPECT_EQ(tn_timer_destroy(&tm), -EINVAL);
	return 0;
}

TEST(clock_timer_disarm_and_misuse)
{
	sim_run_main(1, 1, 10, disarm_main, NULL);
}

static struct tn_timer shared_timer;

static void *timer_waiter(void *arg)
{
	uint64_t ticks;

	(void)arg;
	EXPECT_EQ(tn_timer_wait(&shared_timer, &ticks, TN_INFINITE), -EIDRM);
	log_add_time(&ev, "unblocked");
	return NULL;
}

static int destroy_main(void *arg)
{
	struct tn_thread t[2];

	(void)arg;
	tn_timer_init(&shared_timer, NULL, NULL);
	tn_timer_set(&shared_timer, AT(TN_SEC(1)), 0);
	spawn(&t[0], "w0", TN_SCHED_FIFO, 10, 0, timer_waiter, NULL);
	spawn(&t[1], "w1", TN_SCHED_FIFO, 10, TN_CPU(1), timer_waiter, NULL);
	tn_sleep(TN_MSEC(2));
	EXPECT_EQ(tn_timer_destroy(&shared_timer), 0);
	tn_thread_join(&t[0], NULL);
	tn_thread_join(&t[1], NULL);
	return 0;
}

TEST(clock_timer_destroy_unblocks_waiters)
{
	sim_run_main(2, 1, 20, destroy_main, NULL);
	EXPECT_STREQ(log_str(&ev), "unblocked@2 unblocked@2");
}

static uint64_t handler_calls, handler_expiries;

static void count_expiries(struct tn_timer *tm, uint64_t expiries)
{
	EXPECT(tn_timer_data(tm) == &handler_calls);
	handler_calls++;
	handler_expiries += expiries;
}

static int handler_main(void *arg)
{
	struct tn_timer tm;

	(void)arg;
	tn_timer_init(&tm, count_expiries, &handler_calls);
	tn_timer_set(&tm, AT(TN_MSEC(1)), TN_MSEC(1));
	tn_sleep_until(AT(TN_USEC(5500)));
	tn_timer_destroy(&tm);
	EXPECT_EQ(handler_calls, 5);
	EXPECT_EQ(handler_expiries, 5);
	return 0;
}

TEST(clock_timer_handler_runs_each_expiry)
{
	sim_run_main(1, 1, 10, handler_main, NULL);
}

static struct tn_timer remote_timer;

static void *remote_owner(void *arg)
{
	uint64_t ticks;

	(void)arg;
	tn_timer_init(&remote_timer, NULL, NULL); /* bound to CPU 1 */
	EXPECT_EQ(tn_timer_wait(&remote_timer, &ticks, TN_INFINITE), 0);
	log_add_time(&ev, "fired");
	return NULL;
}

static int remote_arm_main(void *arg)
{
	struct tn_thread t;

	(void)arg;
	spawn(&t, "owner", TN_SCHED_FIFO, 10, TN_CPU(1), remote_owner, NULL);
	tn_sleep(TN_MSEC(1));
	/* Armed from CPU 0 on CPU 1's queue, earlier than anything there. */
	EXPECT_EQ(tn_timer_set(&remote_timer, AT(TN_MSEC(4)), 0), 0);
	tn_thread_join(&t, NULL);
	tn_timer_destroy(&remote_timer);
	return 0;
}

TEST(clock_timer_armed_from_other_cpu)
{
	for (uint64_t seed = 1; seed <= 4; seed++) {
		ev.len = 0;
		sim_run_main(2, seed, 20, remote_arm_main, NULL);
		EXPECT_STREQ(log_str(&ev), "fired@4");
	}
}

#define NTIMERS 500
static struct tn_timer many[NTIMERS];
static int fired_order[NTIMERS], nfired;

static void note_fired(struct tn_timer *tm, uint64_t expiries)
{
	(void)expiries;
	fired_order[nfired++] = (int)(tm - many);
}

static int order_main(void *arg)
{
	uint32_t x = 12345;

	(void)arg;
	for (int i = 0; i < NTIMERS; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		tn_timer_init(&many[i], note_fired, NULL);
		/* Dates collide often: equal dates fire in arming order. */
		tn_timer_set(&many[i], AT(TN_MSEC(10) + TN_USEC(x % 200)), 0);
	}
	tn_sleep_until(AT(TN_MSEC(11)));
	EXPECT_EQ(nfired, NTIMERS);
	return 0;
}

static tn_time_t expected_date(int i)
{
	uint32_t x = 12345;

	for (int k = 0; k <= i; k++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
	}
	return TN_USEC(x % 200);
}

TEST(clock_timers_fire_in_date_order)
{
	sim_run_main(1, 1, 10, order_main, NULL);
	for (int i = 1; i < NTIMERS; i++) {
		int a = fired_order[i - 1], b = fired_order[i];
		tn_time_t da = expected_date(a), db = expected_date(b);

		EXPECT(da < db || (da == db && a < b));
	}
}

/*
 * A periodic timer that stays the earliest keeps its place in the queue;
 * one whose next date equals or passes another timer's goes behind it.
 * A fires every 1 ms from 1 ms, B once at 2 ms, C every 3 ms from 3 ms,
 * armed in that order: at 2 ms A's new date equals B's (B first), at 3 ms
 * C's is A's (C first), at 4 ms A stays first, at 6 ms C is again first.
 */
static struct tn_timer order_a, order_b, order_c;

static void log_timer(struct tn_timer *tm, uint64_t expiries)
{
	EXPECT_EQ(expiries, 1);
	log_add_time(&ev, tn_timer_data(tm));
}

static int requeue_main(void *arg)
{
	(void)arg;
	tn_timer_init(&order_a, log_timer, "A");
	tn_timer_init(&order_b, log_timer, "B");
	tn_timer_init(&order_c, log_timer, "C");
	tn_timer_set(&order_a, AT(TN_MSEC(1)), TN_MSEC(1));
	tn_timer_set(&order_b, AT(TN_MSEC(2)), 0);
	tn_timer_set(&order_c, AT(TN_MSEC(3)), TN_MSEC(3));
	tn_sleep_until(AT(TN_USEC(6500)));
	tn_timer_destroy(&order_a);
	tn_timer_destroy(&order_b);
	tn_timer_destroy(&order_c);
	return 0;
}

TEST(clock_periodic_timer_requeued_behind_equal_dates)
{
	ev.len = 0;
	sim_run_main(1, 1, 10, requeue_main, NULL);
	EXPECT_STREQ(log_str(&ev), "A@1 B@2 A@2 C@3 A@3 A@4 A@5 C@6 A@6");
}
