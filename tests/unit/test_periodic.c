/*
 * Periodic threads and deadline monitoring: releases on the period, a
 * missed deadline counted at the release itself, the late wait's
 * overruns and the notify policy, and the watchdog's argument checks
 * (which come before any hypercall, so they hold alone or in a
 * partition).
 */
#include <tenon/hm.h>

#include "simtest.h"

static struct tn_sem never;

static int period_main(void *arg)
{
	uint64_t over = 99;

	(void)arg;
	EXPECT_EQ(tn_thread_set_periodic(AT(TN_MSEC(1)), TN_MSEC(1)), 0);
	for (int i = 1; i <= 3; i++) {
		EXPECT_EQ(tn_thread_wait_period(&over), 0);
		EXPECT_TIME(TN_MSEC(i));
		EXPECT_EQ(over, 0);
	}
	EXPECT_EQ(tn_thread_set_periodic(0, 0), 0);
	EXPECT_EQ(tn_thread_wait_period(NULL), -EINVAL);
	return 0;
}

TEST(periodic_thread_is_released_every_period)
{
	sim_run_main(1, 1, 10, period_main, NULL);
}

static int refuse_main(void *arg)
{
	(void)arg;
	EXPECT_EQ(tn_thread_wait_period(NULL), -EINVAL);
	EXPECT_EQ(tn_thread_set_periodic(-1, TN_MSEC(1)), -EINVAL);
	EXPECT_EQ(tn_thread_set_periodic(AT(0), -1), -EINVAL);
	EXPECT_EQ(tn_thread_set_periodic(AT(0), TN_PERIOD_MIN - 1), -EINVAL);
	EXPECT_EQ(tn_thread_set_deadline_policy(tn_thread_self(), 0x4),
		  -EINVAL);
	EXPECT_EQ(tn_thread_set_deadline_policy(NULL, 0), -EINVAL);
	EXPECT_EQ(
	    tn_thread_set_deadline_policy(tn_thread_self(), TN_DEADLINE_NOTIFY),
	    0);
	return 0;
}

TEST(periodic_calls_refuse_bad_arguments)
{
	sim_run_main(1, 1, 10, refuse_main, NULL);
}

static struct tn_thread stuck;

static void *wait_once_then_block(void *arg)
{
	(void)arg;
	tn_thread_set_periodic(AT(TN_MSEC(1)), TN_MSEC(1));
	tn_thread_wait_period(NULL);
	/* Never back in wait_period: only the releases can see it. */
	tn_sem_get(&never);
	return NULL;
}

static int never_back_main(void *arg)
{
	struct tn_thread_info info;

	(void)arg;
	tn_sem_init(&never, 0);
	spawn(&stuck, "stuck", TN_SCHED_FIFO, 20, 0, wait_once_then_block,
	      NULL);
	tn_sleep_until(AT(TN_USEC(4500)));
	/* Released at 1 ms, then missed 2, 3 and 4 ms. */
	EXPECT_EQ(tn_thread_get_info(&stuck, &info), 0);
	EXPECT_EQ(info.stats.deadline_misses, 3);
	EXPECT_EQ(info.period, TN_MSEC(1));
	EXPECT(info.id != 0);
	tn_sem_put(&never);
	tn_thread_join(&stuck, NULL);
	tn_sem_destroy(&never);
	return 0;
}

TEST(deadline_miss_is_counted_at_release_for_thread_that_never_returns)
{
	sim_run_main(1, 1, 10, never_back_main, NULL);
}

static int late_main(void *arg)
{
	bool notify = arg != NULL;
	struct tn_thread_stats st;
	uint64_t over = 0;

	if (notify)
		EXPECT_EQ(tn_thread_set_deadline_policy(tn_thread_self(),
							TN_DEADLINE_NOTIFY),
			  0);
	EXPECT_EQ(tn_thread_set_periodic(AT(TN_MSEC(1)), TN_MSEC(1)), 0);
	EXPECT_EQ(tn_thread_wait_period(&over), 0);
	EXPECT_TIME(TN_MSEC(1));
	/* The job takes 2.5 periods: the releases at 2 and 3 ms are missed. */
	tn_spin(TN_USEC(2500));
	EXPECT_EQ(tn_thread_wait_period(&over), notify ? -ETIMEDOUT : 0);
	EXPECT_EQ(over, 2);
	EXPECT_TIME(TN_USEC(3500)); /* late: at once */
	EXPECT_EQ(tn_thread_wait_period(&over), 0);
	EXPECT_TIME(TN_MSEC(4));
	EXPECT_EQ(over, 0);
	EXPECT_EQ(tn_thread_get_stats(tn_thread_self(), &st), 0);
	EXPECT_EQ(st.deadline_misses, 2);
	return 0;
}

TEST(late_wait_period_returns_at_once_with_overruns)
{
	sim_run_main(1, 1, 10, late_main, NULL);
}

TEST(notify_policy_makes_late_wait_period_time_out)
{
	sim_run_main(1, 1, 10, late_main, (void *)1);
}

static int first_late_main(void *arg)
{
	uint64_t over = 9;

	(void)arg;
	EXPECT_EQ(tn_thread_set_periodic(AT(TN_MSEC(1)), TN_MSEC(2)), 0);
	/* Still setting up when the first release comes: no job was late. */
	tn_spin(TN_USEC(1500));
	EXPECT_EQ(tn_thread_wait_period(&over), 0);
	EXPECT_EQ(over, 0);
	EXPECT_TIME(TN_USEC(1500));
	EXPECT_EQ(tn_thread_wait_period(&over), 0);
	EXPECT_TIME(TN_MSEC(3));
	return 0;
}

TEST(first_release_before_first_wait_is_no_miss)
{
	sim_run_main(1, 1, 10, first_late_main, NULL);
}

static struct tn_timer tm;
static int handler_ret;

static void wait_in_handler(struct tn_timer *timer, uint64_t ticks)
{
	(void)timer;
	(void)ticks;
	handler_ret = tn_thread_wait_period(NULL);
}

static int handler_main(void *arg)
{
	(void)arg;
	handler_ret = 1;
	tn_timer_init(&tm, wait_in_handler, NULL);
	tn_timer_set(&tm, AT(TN_MSEC(1)), 0);
	tn_sleep_until(AT(TN_MSEC(2)));
	EXPECT_EQ(handler_ret, -EPERM);
	tn_timer_destroy(&tm);
	return 0;
}

TEST(wait_period_is_refused_in_handler)
{
	sim_run_main(1, 1, 10, handler_main, NULL);
}

static int watchdog_args_main(void *arg)
{
	(void)arg;
	EXPECT_EQ(tn_watchdog_start(TN_USEC(TN_HM_WATCHDOG_MIN_US) - 1, 1),
		  -EINVAL);
	EXPECT_EQ(tn_watchdog_start(TN_USEC(TN_HM_WATCHDOG_MAX_US) + 1, 1),
		  -EINVAL);
	EXPECT_EQ(tn_watchdog_start(TN_MSEC(10), TN_PRIO_MAX + 1), -EINVAL);
	EXPECT_EQ(tn_watchdog_stop(), -EINVAL);
	return 0;
}

TEST(watchdog_start_refuses_out_of_range_arguments)
{
	sim_run_main(1, 1, 10, watchdog_args_main, NULL);
}
