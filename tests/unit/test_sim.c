/*
 * The simulator itself: determinism by seed, virtual time that moves only
 * when CPUs are idle or busy, and how a run ends (exit code, stall, time
 * limit, bad configuration); and what only the simulator can observe:
 * the absence of a periodic tick, and resources of threads left running.
 */
#include <tenon/sim.h>

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

/* Runs body on the simulator and hands back how the run ended. */
static struct tn_sim_result run(int cpus, uint64_t seed, int prio,
				int (*body)(void *))
{
	struct tn_sim_config c;
	struct tn_sim_result r;

	tn_sim_config_init(&c);
	c.cpus = cpus;
	c.seed = seed;
	c.main_priority = prio;
	c.time_limit = TN_SEC(3600);
	EXPECT_EQ(tn_sim_run(&c, body, NULL, &r), 0);
	return r;
}

static struct tn_sim_result race(uint64_t seed)
{
	struct tn_sim_result r;

	counter = 0;
	r = run(2, seed, 50, race_main);
	EXPECT_EQ(r.status, TN_SIM_DONE);
	return r;
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

static void *sleep_forever(void *arg)
{
	(void)arg;
	tn_sleep(TN_INFINITE);
	return NULL;
}

static int huge_sleep_main(void *arg)
{
	struct tn_thread t;

	(void)arg;
	spawn(&t, "forever", TN_SCHED_FIFO, 10, 0, sleep_forever, NULL);
	/* Had the delay wrapped into the past, the join would return. */
	tn_thread_join(&t, NULL);
	return 0;
}

static int try_huge_sleep(void)
{
	struct tn_sim_config c;
	struct tn_sim_result r;

	tn_sim_config_init(&c);
	c.cpus = 1;
	c.main_priority = 20;
	EXPECT_EQ(tn_sim_run(&c, huge_sleep_main, NULL, &r), 0);
	return r.status;
}

TEST(sleep_huge_delay_does_not_wrap)
{
	/* main joins a thread that never ends: nothing is left to run. */
	EXPECT_EQ(try_huge_sleep(), TN_SIM_STALLED);
}

static int tickless_main(void *arg)
{
	(void)arg;
	tn_sleep(TN_SEC(10));
	return 0;
}

TEST(clock_tickless_idle)
{
	/* Ten seconds asleep cost a handful of events: no periodic tick. */
	struct tn_sim_result r = run(2, 1, 10, tickless_main);

	EXPECT_EQ(r.status, TN_SIM_DONE);

	EXPECT_EQ(r.end_time, TN_SEC(10));
	EXPECT(r.events < 20);
}

static void *forever(void *arg)
{
	(void)arg;
	tn_sleep_until(TN_INFINITE);
	return NULL;
}

static int leave_threads_main(void *arg)
{
	static struct tn_thread t[4];

	(void)arg;
	for (int i = 0; i < 4; i++)
		spawn(&t[i], "left", TN_SCHED_FIFO, 10, TN_CPU(i % 2), forever,
		      NULL);
	return 0;
}

TEST(thread_left_running_are_released)
{
	/* The sanitizer's leak check fails this test if stacks leak. */
	sim_run_main(2, 1, 50, leave_threads_main, NULL);
}

static FILE *console;
static char *console_text;
static size_t console_size;

/* What the console has shown so far. */
static const char *console_now(void)
{
	fflush(console);
	return console_text ? console_text : "";
}

/* Runs body on one simulated CPU with its console captured. */
static void run_captured(int (*body)(void *))
{
	struct tn_sim_config c;
	struct tn_sim_result r;

	console = open_memstream(&console_text, &console_size);
	EXPECT(console != NULL);
	tn_sim_config_init(&c);
	c.cpus = 1;
	c.main_priority = 10;
	c.time_limit = TN_SEC(10);
	c.console = console;
	EXPECT_EQ(tn_sim_run(&c, body, NULL, &r), 0);
	EXPECT_EQ(r.status, TN_SIM_DONE);
	fflush(console);
}

static int log_idle_main(void *arg)
{
	(void)arg;
	EXPECT_EQ(tn_log_write("hello\n", 6), 6);
	/* Queued: the writer never waits for the console. */
	EXPECT_STREQ(console_now(), "");
	tn_sleep(TN_MSEC(1));
	/* The CPU was idle meanwhile: its idle thread wrote it out. */
	EXPECT_STREQ(console_now(), "hello\n");
	return 0;
}

TEST(log_line_reaches_console_when_cpu_idles)
{
	run_captured(log_idle_main);
}

static int log_full_main(void *arg)
{
	char line[65];

	(void)arg;
	/* 64-byte lines, and no idle time to write them out. */
	for (int i = 0; i < 100; i++) {
		snprintf(line, sizeof(line), "%-63d\n", i);
		EXPECT_EQ(tn_log_write(line, 64),
			  i < TN_LOG_SIZE / 64 ? 64 : -ENOSPC);
	}
	tn_sleep(TN_MSEC(1));
	return 0;
}

TEST(log_full_reports_dropped_lines)
{
	const char *out, *marker;

	run_captured(log_full_main);
	out = console_now();
	marker = strstr(out, "[36 lines dropped]\n");
	EXPECT(marker != NULL);
	/* After the 64 lines that fit, once they are out. */
	EXPECT_EQ(marker - out, 64 * 64);
	EXPECT(strncmp(out + 63 * 64, "63 ", 3) == 0);
}

static int log_exit_main(void *arg)
{
	(void)arg;
	EXPECT_EQ(tn_log_write("last words\n", 11), 11);
	return 0; /* at once: the CPU is never idle after the write */
}

TEST(log_flushed_at_exit)
{
	run_captured(log_exit_main);
	EXPECT_STREQ(console_now(), "last words\n");
}

static int log_direct_main(void *arg)
{
	(void)arg;
	EXPECT_EQ(tn_log_flush(), 0);
	EXPECT_EQ(tn_log_write("queued\n", 7), 7);
	EXPECT_EQ(tn_log_flush(), 0);
	/* A flush waits for the console: the text is out when it returns. */
	EXPECT_STREQ(console_now(), "queued\n");
	return 0;
}

TEST(log_flush_writes_out_everything)
{
	run_captured(log_direct_main);
}
