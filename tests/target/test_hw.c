/*
 * What only a machine can show: a timer interrupt preempting a thread that
 * never calls the kernel, a wake-up crossing CPUs by IPI, FP/SIMD registers
 * kept intact across interrupt-driven switches.
 */
#include "simtest.h"

static volatile tn_time_t high_woke, low_done;

static void *busy_until_5ms(void *arg)
{
	(void)arg;
	/* No kernel call in this loop: only an interrupt can take the CPU. */
	while (NOW() < TN_MSEC(5))
		;
	low_done = NOW();
	return NULL;
}

static void *sleep_until_1ms(void *arg)
{
	(void)arg;
	tn_sleep_until(AT(TN_MSEC(1)));
	high_woke = NOW();
	return NULL;
}

static int preempt_main(void *arg)
{
	struct tn_thread low, high;

	(void)arg;
	spawn(&high, "high", TN_SCHED_FIFO, 20, 0, sleep_until_1ms, NULL);
	spawn(&low, "low", TN_SCHED_FIFO, 10, 0, busy_until_5ms, NULL);
	tn_thread_join(&low, NULL);
	tn_thread_join(&high, NULL);
	EXPECT_DURATION(high_woke, TN_MSEC(1));
	EXPECT(low_done >= TN_MSEC(5));
	return 0;
}

TEST(hw_timer_preempts_busy_thread)
{
	sim_run_main(1, 1, 50, preempt_main, NULL);
}

static struct tn_sem sem;
static volatile int woke_on;
static volatile tn_time_t woke_at;

static void *remote_waiter(void *arg)
{
	(void)arg;
	EXPECT_EQ(tn_sem_get(&sem), 0);
	woke_at = NOW();
	woke_on = tn_cpu_self();
	return NULL;
}

static int cross_cpu_main(void *arg)
{
	int last = tn_cpu_count() - 1;
	struct tn_thread t;

	(void)arg;
	tn_sem_init(&sem, 0);
	spawn(&t, "remote", TN_SCHED_FIFO, 30, TN_CPU(last), remote_waiter,
	      NULL);
	tn_sleep_until(AT(TN_MSEC(1)));
	EXPECT_EQ(tn_sem_put(&sem), 0);
	tn_thread_join(&t, NULL);
	EXPECT_EQ(woke_on, last);
	EXPECT_DURATION(woke_at, TN_MSEC(1));
	tn_sem_destroy(&sem);
	return 0;
}

TEST(hw_cross_cpu_wakeup)
{
	sim_run_main(2, 1, 50, cross_cpu_main, NULL);
}

#define FPU_THREADS 6
#define FPU_ROUNDS 200000

/* A long dependent chain of FP operations whose result depends on seed. */
static double fp_work(double seed, long rounds)
{
	double a = seed, b = 1.0 / seed, c = 0.0;

	for (long i = 0; i < rounds; i++) {
		a = a * 1.0000001 + b;
		b = b * 0.9999999 - 1e-9 * a;
		c += a * b;
	}
	return a + b + c;
}

static double expected[FPU_THREADS];
static volatile double got[FPU_THREADS];
static volatile bool stop_disturber;

static void *fpu_worker(void *arg)
{
	int i = (int)(intptr_t)arg;

	got[i] = fp_work(1.5 + i, FPU_ROUNDS);
	return NULL;
}

/* Preempts the workers every 100 us with FP work of its own. */
static void *fpu_disturber(void *arg)
{
	volatile double sink = 0;

	(void)arg;
	while (!stop_disturber) {
		sink += fp_work(7.25, 50);
		tn_sleep(TN_USEC(100));
	}
	return NULL;
}

static int fpu_main(void *arg)
{
	struct tn_thread w[FPU_THREADS], d[2];

	(void)arg;
	for (int i = 0; i < FPU_THREADS; i++)
		expected[i] = fp_work(1.5 + i, FPU_ROUNDS);
	for (int c = 0; c < 2; c++)
		spawn(&d[c], "disturber", TN_SCHED_FIFO, 40, TN_CPU(c),
		      fpu_disturber, NULL);
	/* Round-robin workers, two CPUs: switched by timer interrupts. */
	for (int i = 0; i < FPU_THREADS; i++) {
		struct tn_thread_attr attr;

		tn_thread_attr_init(&attr);
		attr.name = "fpu";
		attr.sched.policy = TN_SCHED_RR;
		attr.sched.priority = 10;
		attr.sched.rr_quantum = TN_USEC(300);
		attr.affinity = TN_CPU(i % 2);
		EXPECT_EQ(tn_thread_create(&w[i], &attr, fpu_worker,
					   (void *)(intptr_t)i),
			  0);
	}
	for (int i = 0; i < FPU_THREADS; i++)
		tn_thread_join(&w[i], NULL);
	stop_disturber = true;
	for (int c = 0; c < 2; c++)
		tn_thread_join(&d[c], NULL);
	for (int i = 0; i < FPU_THREADS; i++)
		EXPECT(got[i] == expected[i]);
	return 0;
}

TEST(hw_fpu_stress)
{
	sim_run_main(2, 1, 50, fpu_main, NULL);
}

/*
 * A timer handler runs as the timer's interrupt ends, on the interrupted
 * thread: its FP work must leave that thread's FP/SIMD registers as they
 * were. The thread computes without ever blocking while a periodic
 * timer's handler computes with FP of its own every 20 us.
 */
static volatile double handler_sink;

static void fp_handler(struct tn_timer *timer, uint64_t ticks)
{
	(void)timer;
	(void)ticks;
	handler_sink += fp_work(3.75, 20);
}

static int handler_fp_main(void *arg)
{
	struct tn_timer timer;
	volatile double seed = 2.5; /* computed again, not reused */
	double want = fp_work(seed, FPU_ROUNDS), have;

	(void)arg;
	EXPECT_EQ(tn_timer_init(&timer, fp_handler, NULL), 0);
	EXPECT_EQ(
	    tn_timer_set(&timer, tn_clock_read() + TN_USEC(20), TN_USEC(20)),
	    0);
	have = fp_work(seed, FPU_ROUNDS);
	tn_timer_destroy(&timer);
	EXPECT(handler_sink != 0);
	EXPECT(have == want);
	return 0;
}

TEST(hw_timer_handler_keeps_interrupted_fp_registers)
{
	sim_run_main(1, 1, 50, handler_fp_main, NULL);
}
