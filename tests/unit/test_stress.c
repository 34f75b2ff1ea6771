/*
 * monitor-pi-stress: threads of random priorities on two CPUs lock nested
 * PI mutexes (in a fixed order), sometimes with timeouts, compute and
 * sleep, under many seeds. After every step the invariants are checked:
 * one owner at a time, an owner never runs below its best waiter, a
 * thread holding nothing is back at its own priority; at the end every
 * thread finished (no lost wake-up) and every queue is empty (no waiter
 * left behind).
 */
#include "kernel/internal.h"
#include "simtest.h"

#define NMUTEX 3
#define NTHREADS 6
#define ROUNDS 150
#define SEEDS 24

static struct tn_mutex mx[NMUTEX];
static struct tn_thread *holder[NMUTEX];
static long acquisitions, timeouts;

static uint32_t rnd(uint32_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state;
}

static void check_boost(void)
{
	unsigned long flags = tn_lock();

	for (int i = 0; i < NMUTEX; i++) {
		struct tn_thread *best = wq_first(&mx[i].waiters);

		if (mx[i].owner && best)
			EXPECT(mx[i].owner->prio >= best->prio);
		if (!mx[i].owner)
			EXPECT(!best || mx[i].handed);
	}
	tn_unlock(flags);
}

static void *worker(void *arg)
{
	uint32_t state = (uint32_t)(uintptr_t)arg * 2654435761u + 1;
	struct tn_thread *self = tn_thread_self();
	int base = tn_thread_get_priority(self);

	for (int r = 0; r < ROUNDS; r++) {
		int first = (int)(rnd(&state) % NMUTEX);
		int last = first + (int)(rnd(&state) % (NMUTEX - first));
		int held = first;

		for (; held <= last; held++) {
			int ret;

			if (rnd(&state) % 4 == 0)
				ret = tn_mutex_timedlock(
				    &mx[held], tn_clock_read() +
						   TN_USEC(rnd(&state) % 300));
			else
				ret = tn_mutex_lock(&mx[held]);
			if (ret == -ETIMEDOUT) {
				timeouts++;
				break;
			}
			EXPECT_EQ(ret, 0);
			EXPECT(holder[held] == NULL);
			holder[held] = self;
			acquisitions++;
			check_boost();
			tn_spin(TN_USEC(rnd(&state) % 100));
		}
		while (--held >= first) {
			EXPECT(holder[held] == self);
			holder[held] = NULL;
			EXPECT_EQ(tn_mutex_unlock(&mx[held]), 0);
		}
		EXPECT_EQ(tn_thread_get_effective_priority(self), base);
		if (rnd(&state) % 3 == 0)
			tn_sleep(TN_USEC(rnd(&state) % 500));
	}
	return NULL;
}

static int stress_main(void *arg)
{
	struct tn_thread t[NTHREADS];
	uint32_t state = (uint32_t)(uintptr_t)arg;

	for (int i = 0; i < NMUTEX; i++)
		EXPECT_EQ(tn_mutex_init(&mx[i], TN_MUTEX_PI, 0, 0), 0);
	for (int i = 0; i < NTHREADS; i++)
		spawn(&t[i], "worker", TN_SCHED_FIFO,
		      10 + (int)(rnd(&state) % 40), TN_CPU(i % 2), worker,
		      (void *)(uintptr_t)(i + 1));
	for (int i = 0; i < NTHREADS; i++)
		EXPECT_EQ(tn_thread_join(&t[i], NULL), 0);
	for (int i = 0; i < NMUTEX; i++) {
		EXPECT(mx[i].owner == NULL);
		EXPECT(wq_empty(&mx[i].waiters));
		EXPECT_EQ(tn_mutex_destroy(&mx[i]), 0);
	}
	return 0;
}

TEST(monitor_pi_stress)
{
	long total_timeouts = 0;

	for (uint64_t seed = 1; seed <= SEEDS; seed++) {
		acquisitions = timeouts = 0;
		sim_run_main(2, seed, 60, stress_main,
			     (void *)(uintptr_t)(seed * 7919));
		EXPECT(acquisitions >= NTHREADS * ROUNDS - timeouts);
		total_timeouts += timeouts;
	}
	/* The timed paths were exercised, not only the plain ones. */
	EXPECT(total_timeouts > 0);
}
