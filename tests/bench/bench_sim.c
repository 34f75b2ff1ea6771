/*
 * Scale benchmark of the real-time core's hot paths on the simulator, run
 * under callgrind by tools/bench-sim.sh: each measured operation is one
 * noinline function, and callgrind counts only the instructions executed
 * inside it (--toggle-collect), so figures are exact and repeatable.
 *
 *   bench-sim wake N   wake a thread and pick the best one, N threads ready
 *   bench-sim arm N    arm and cancel a timer, N timers armed
 *   bench-sim fire N   arm a timer due now, take its interrupt, fire it,
 *                      reprogram the next date, N timers armed
 */
#include <stdlib.h>
#include <string.h>

#include <tenon/sim.h>

#include "kernel/internal.h"

#define ROUNDS 1000
#define MAX_N 10000

static struct tn_thread *threads;
static struct tn_timer *timers;
static int n_items;
static uint32_t rng = 2463534242u;

static uint32_t next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static void *never_runs(void *arg)
{
	(void)arg;
	return NULL;
}

static void nothing(struct tn_timer *timer, uint64_t expiries)
{
	(void)timer;
	(void)expiries;
}

/* n ready threads at priorities 1..96, below the target and main. */
static int fill_run_queue(int n)
{
	struct tn_thread_attr attr;

	threads = calloc((size_t)n + 1, sizeof(*threads));
	if (!threads)
		return -ENOMEM;
	tn_thread_attr_init(&attr);
	attr.stack_size = TN_STACK_SIZE_MIN;
	for (int i = 0; i < n; i++) {
		attr.sched.priority = 1 + (int)(next_random() % 96);
		if (tn_thread_create(&threads[i], &attr, never_runs, NULL))
			return -ENOMEM;
	}
	return 0;
}

/* n timers armed between 1 s and 2 s from now. */
static int fill_timer_queue(int n)
{
	timers = calloc((size_t)n + 1, sizeof(*timers));
	if (!timers)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		tn_timer_init(&timers[i], nothing, NULL);
		tn_timer_set(&timers[i], TN_SEC(1) + next_random() % TN_SEC(1),
			     0);
	}
	return 0;
}

__attribute__((noinline)) static void bench_wake(struct tn_thread *target)
{
	unsigned long flags = tn_lock();

	sched_ready(target);
	if (sched_pick(this_cpu()) != target)
		arch_panic("bench: the woken thread was not picked");
	target->state |= TN_T_BLOCKED;
	tn_unlock(flags);
}

__attribute__((noinline)) static void bench_arm(struct tn_timer *timer,
						tn_time_t date)
{
	unsigned long flags = tn_lock();

	ktimer_start(&timer->kt, date, 0);
	ktimer_stop(&timer->kt);
	tn_unlock(flags);
}

/* The interrupt is taken as the lock is released: all inside. */
__attribute__((noinline)) static void bench_fire(struct tn_timer *timer)
{
	unsigned long flags = tn_lock();

	ktimer_start(&timer->kt, tn_clock_read(), 0);
	tn_unlock(flags);
}

static int bench_main(void *arg)
{
	const char *op = arg;
	struct tn_thread target;
	struct tn_timer probe;

	if (!strcmp(op, "wake")) {
		if (fill_run_queue(n_items))
			return 1;
		/* A thread that sleeps, woken and picked in each round. */
		thread_init_common(&target, "target", tn_cpu_self());
		target.sched.policy = TN_SCHED_FIFO;
		target.prio = 97;
		target.state = TN_T_BLOCKED;
		for (int i = 0; i < ROUNDS; i++)
			bench_wake(&target);
	} else {
		if (fill_timer_queue(n_items))
			return 1;
		tn_timer_init(&probe, nothing, NULL);
		for (int i = 0; i < ROUNDS; i++) {
			if (!strcmp(op, "arm"))
				bench_arm(&probe, TN_SEC(1) + next_random() %
								  TN_SEC(1));
			else
				bench_fire(&probe);
		}
		if (probe.ticks != (!strcmp(op, "fire") ? ROUNDS : 0))
			arch_panic(
			    "bench: the probe timer fired a wrong count");
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct tn_sim_config config;
	struct tn_sim_result result;
	int ret;

	if (argc != 3 || (strcmp(argv[1], "wake") && strcmp(argv[1], "arm") &&
			  strcmp(argv[1], "fire"))) {
		fprintf(stderr, "usage: bench-sim wake|arm|fire N\n");
		return 2;
	}
	n_items = atoi(argv[2]);
	if (n_items < 0 || n_items > MAX_N) {
		fprintf(stderr, "bench-sim: N must be from 0 to %d\n", MAX_N);
		return 2;
	}
	tn_sim_config_init(&config);
	config.cpus = 1;
	config.main_priority = 98;
	config.time_limit = TN_MSEC(500); /* the armed timers never fire */
	ret = tn_sim_run(&config, bench_main, argv[1], &result);
	free(threads);
	free(timers);
	if (ret || result.status != TN_SIM_DONE || result.exit_code) {
		fprintf(stderr, "bench-sim: run failed (%s)\n",
			tn_sim_status_name(result.status));
		return 1;
	}
	printf("%d rounds\n", ROUNDS);
	return 0;
}
