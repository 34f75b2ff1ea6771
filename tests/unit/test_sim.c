/*
 * The simulator itself: determinism by seed, virtual time that moves only
 * when CPUs are idle or busy, and how a run ends (exit code, stall, time
 * limit, bad configuration).
 */
#include "simtest.h"

static unsigned long counter;

static void *racer(void *arg)
{
	(void)arg;
	for (int i = 0; i < 50; i++) {
		counter = counter * 3 + tn_cpu_self() + 1;
		tn_thread_yield();
	}
	return NULL;
}

static int race_main(void *arg)
{
	struct tn_thread t[4];

	(void)arg;
	for (int i = 0; i < 4; i++)
		spawn(&t[i], "racer", TN_SCHED_FIFO, 10, TN_CPU(i % 2), racer,
		      NULL);
	for (int i = 0; i < 4; i++)
		tn_thread_join(&t[i], NULL);
	return 0;
}

static struct tn_sim_result race(uint64_t seed)
{
	counter = 0;
	return sim_run_main(2, seed, 50, race_main, NULL);
}

TEST(sim_same_seed_same_trace)
{
	struct tn_sim_result a = race(7), b;
	unsigned long ca = counter;

	b = race(7);
	EXPECT_EQ(a.trace_hash, b.trace_hash);
	EXPECT_EQ(a.events, b.events);
	EXPECT_EQ(ca, counter);
}

TEST(sim_seeds_change_interleaving)
{
	uint64_t first = race(1).trace_hash;
	int differ = 0;

	for (uint64_t seed = 2; seed <= 8; seed++)
		differ += race(seed).trace_hash != first;
	EXPECT(differ > 0);
}

static int busy_kernel_main(void *arg)
{
	(void)arg;
	for (int i = 0; i < 1000; i++)
		tn_thread_yield();
	EXPECT_EQ(tn_clock_read(), 0);
	tn_spin(TN_USEC(7));
	EXPECT_EQ(tn_clock_read(), TN_USEC(7));
	return 0;
}

TEST(sim_time_moves_only_when_cpus_wait)
{
	sim_run_main(2, 1, 10, busy_kernel_main, NULL);
}

static int exit_code_main(void *arg)
{
	(void)arg;
	return 42;
}

TEST(sim_returns_main_exit_code)
{
	struct tn_sim_config c;
	struct tn_sim_result r;

	tn_sim_config_init(&c);
	EXPECT_EQ(tn_sim_run(&c, exit_code_main, NULL, &r), 0);
	EXPECT_EQ(r.status, TN_SIM_DONE);
	EXPECT_EQ(r.exit_code, 42);
}

static int stall_main(void *arg)
{
	(void)arg;
	tn_sleep_until(TN_INFINITE);
	return 0;
}

TEST(sim_reports_stall)
{
	struct tn_sim_config c;
	struct tn_sim_result r;

	tn_sim_config_init(&c);
	EXPECT_EQ(tn_sim_run(&c, stall_main, NULL, &r), 0);
	EXPECT_EQ(r.status, TN_SIM_STALLED);
}

static int periodic_forever_main(void *arg)
{
	(void)arg;
	for (;;)
		tn_sleep(TN_MSEC(1));
	return 0;
}

TEST(sim_stops_at_time_limit)
{
	struct tn_sim_config c;
	struct tn_sim_result r;

	tn_sim_config_init(&c);
	c.time_limit = TN_MSEC(50) + 1;
	EXPECT_EQ(tn_sim_run(&c, periodic_forever_main, NULL, &r), 0);
	EXPECT_EQ(r.status, TN_SIM_TIME_LIMIT);
	EXPECT_EQ(r.end_time, TN_MSEC(50) + 1);
}

TEST(sim_rejects_bad_config)
{
	struct tn_sim_config c;
	struct tn_sim_result r;

	tn_sim_config_init(&c);
	c.cpus = 0;
	EXPECT_EQ(tn_sim_run(&c, exit_code_main, NULL, &r), -EINVAL);
	c.cpus = TN_MAX_CPUS + 1;
	EXPECT_EQ(tn_sim_run(&c, exit_code_main, NULL, &r), -EINVAL);
	c.cpus = 2;
	c.main_priority = 0;
	EXPECT_EQ(tn_sim_run(&c, exit_code_main, NULL, &r), -EINVAL);
	c.main_priority = 1;
	EXPECT_EQ(tn_sim_run(&c, NULL, NULL, &r), -EINVAL);
}
