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

/*
 * A CPU's FP/SIMD registers change hands only when a thread other than
 * their owner runs there: a switch to the idle thread leaves them loaded,
 * a switch back to their owner loads nothing. Per CPU, a low thread fills
 * all 32 vector registers and FPCR with values of its own, spins with no
 * kernel call while a higher one preempts it (an interrupt-driven switch
 * between two FP users), then checks every register; and both sleep in
 * turn, so that the CPU idles between them and the next one to run may
 * or may not own the registers. The higher one checks what a call must
 * keep (d8-d15 and FPCR) across each of its sleeps. Two CPUs at once, so
 * each keeps its own owner.
 */
#define FPREG_CPUS 2
#define FPREG_ROUNDS 300
#define FPREG_SPIN 20000ul

struct fpregs {
	__uint128_t q[32];
	uint64_t fpcr;
};

static volatile unsigned long fpreg_wakes[FPREG_CPUS];
static volatile int fpreg_bad[FPREG_CPUS][2];
static volatile int fpreg_preempted[FPREG_CPUS];

/* A pattern no other thread, round or register shares; FPCR's RMode. */
static void fpreg_fill(struct fpregs *r, unsigned int who, unsigned int round)
{
	for (unsigned int i = 0; i < 32; i++)
		r->q[i] =
		    (__uint128_t)(0xf00d0000ull | who << 12 | i) << 64 |
		    ((uint64_t)round << 32 | (who * 32 + i) * 0x01010101u);
	r->fpcr = (uint64_t)((who + round) % 4) << 22;
}

static bool fpreg_same(const struct fpregs *a, const struct fpregs *b,
		       unsigned int from, unsigned int to)
{
	for (unsigned int i = from; i < to; i++)
		if (a->q[i] != b->q[i])
			return false;
	return a->fpcr == b->fpcr;
}

/*
 * Loads every vector register and FPCR from *in, spins, stores them all
 * to *out: one statement, so the compiler has no FP code in between.
 */
static void fpreg_hold(const struct fpregs *in, struct fpregs *out,
		       unsigned long spin)
{
	uint64_t saved = 0;

	__asm__ volatile(
	    "mrs %[saved], fpcr\n\t"
	    "ldp q0, q1, [%[in], #0]\n\tldp q2, q3, [%[in], #32]\n\t"
	    "ldp q4, q5, [%[in], #64]\n\tldp q6, q7, [%[in], #96]\n\t"
	    "ldp q8, q9, [%[in], #128]\n\tldp q10, q11, [%[in], #160]\n\t"
	    "ldp q12, q13, [%[in], #192]\n\tldp q14, q15, [%[in], #224]\n\t"
	    "ldp q16, q17, [%[in], #256]\n\tldp q18, q19, [%[in], #288]\n\t"
	    "ldp q20, q21, [%[in], #320]\n\tldp q22, q23, [%[in], #352]\n\t"
	    "ldp q24, q25, [%[in], #384]\n\tldp q26, q27, [%[in], #416]\n\t"
	    "ldp q28, q29, [%[in], #448]\n\tldp q30, q31, [%[in], #480]\n\t"
	    "ldr x9, [%[in], #512]\n\tmsr fpcr, x9\n\t"
	    "cbz %[spin], 2f\n"
	    "1:\tsubs %[spin], %[spin], #1\n\tb.ne 1b\n"
	    "2:\tstp q0, q1, [%[out], #0]\n\tstp q2, q3, [%[out], #32]\n\t"
	    "stp q4, q5, [%[out], #64]\n\tstp q6, q7, [%[out], #96]\n\t"
	    "stp q8, q9, [%[out], #128]\n\tstp q10, q11, [%[out], #160]\n\t"
	    "stp q12, q13, [%[out], #192]\n\tstp q14, q15, [%[out], #224]\n\t"
	    "stp q16, q17, [%[out], #256]\n\tstp q18, q19, [%[out], #288]\n\t"
	    "stp q20, q21, [%[out], #320]\n\tstp q22, q23, [%[out], #352]\n\t"
	    "stp q24, q25, [%[out], #384]\n\tstp q26, q27, [%[out], #416]\n\t"
	    "stp q28, q29, [%[out], #448]\n\tstp q30, q31, [%[out], #480]\n\t"
	    "mrs x9, fpcr\n\tstr x9, [%[out], #512]\n\t"
	    "msr fpcr, %[saved]"
	    : [spin] "+r"(spin), [saved] "+r"(saved)
	    : [in] "r"(in), [out] "r"(out)
	    : "x9", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9",
	      "v10", "v11", "v12", "v13", "v14", "v15", "v16", "v17", "v18",
	      "v19", "v20", "v21", "v22", "v23", "v24", "v25", "v26", "v27",
	      "v28", "v29", "v30", "v31", "memory");
}

static void *fpreg_low(void *arg)
{
	int c = (int)(intptr_t)arg;
	struct fpregs want, have;

	for (unsigned int k = 0; k < FPREG_ROUNDS; k++) {
		unsigned long wakes = fpreg_wakes[c];

		fpreg_fill(&want, (unsigned int)c * 2, k);
		fpreg_hold(&want, &have, FPREG_SPIN);
		if (fpreg_wakes[c] != wakes)
			fpreg_preempted[c]++;
		if (!fpreg_same(&want, &have, 0, 32))
			fpreg_bad[c][0]++;
		tn_sleep(TN_USEC(30));
	}
	return NULL;
}

/* d8-d15 and FPCR loaded, a sleep, then read back: what a call keeps. */
static void *fpreg_high(void *arg)
{
	int c = (int)(intptr_t)arg;
	struct fpregs want, have;
	uint64_t saved;

	for (unsigned int k = 0; k < FPREG_ROUNDS; k++) {
		fpreg_fill(&want, (unsigned int)c * 2 + 1, k);
		__asm__ volatile(
		    "mrs %0, fpcr\n\t"
		    "ldp d8, d9, [%1, #0]\n\t"
		    "ldp d10, d11, [%1, #16]\n\t"
		    "ldp d12, d13, [%1, #32]\n\t"
		    "ldp d14, d15, [%1, #48]\n\t"
		    "ldr x9, [%1, #64]\n\tmsr fpcr, x9"
		    : "=&r"(saved)
		    : "r"((uint64_t[9]){
			(uint64_t)want.q[8], (uint64_t)want.q[9],
			(uint64_t)want.q[10], (uint64_t)want.q[11],
			(uint64_t)want.q[12], (uint64_t)want.q[13],
			(uint64_t)want.q[14], (uint64_t)want.q[15], want.fpcr})
		    : "x9", "v8", "v9", "v10", "v11", "v12", "v13", "v14",
		      "v15", "memory");
		tn_sleep(TN_USEC(50));
		fpreg_wakes[c]++;
		{
			uint64_t got_d[9];

			__asm__ volatile("stp d8, d9, [%1, #0]\n\t"
					 "stp d10, d11, [%1, #16]\n\t"
					 "stp d12, d13, [%1, #32]\n\t"
					 "stp d14, d15, [%1, #48]\n\t"
					 "mrs x9, fpcr\n\tstr x9, [%1, #64]\n\t"
					 "msr fpcr, %0"
					 :
					 : "r"(saved), "r"(got_d)
					 : "x9", "memory");
			for (int i = 0; i < 8; i++)
				have.q[8 + i] =
				    want.q[8 + i] >> 64 << 64 | got_d[i];
			have.fpcr = got_d[8];
		}
		if (!fpreg_same(&want, &have, 8, 16))
			fpreg_bad[c][1]++;
	}
	return NULL;
}

static int fpreg_main(void *arg)
{
	struct tn_thread low[FPREG_CPUS], high[FPREG_CPUS];

	(void)arg;
	for (int c = 0; c < FPREG_CPUS; c++) {
		spawn(&high[c], "fp-high", TN_SCHED_FIFO, 20, TN_CPU(c),
		      fpreg_high, (void *)(intptr_t)c);
		spawn(&low[c], "fp-low", TN_SCHED_FIFO, 10, TN_CPU(c),
		      fpreg_low, (void *)(intptr_t)c);
	}
	for (int c = 0; c < FPREG_CPUS; c++) {
		tn_thread_join(&low[c], NULL);
		tn_thread_join(&high[c], NULL);
	}
	for (int c = 0; c < FPREG_CPUS; c++) {
		EXPECT_EQ(fpreg_bad[c][0], 0);
		EXPECT_EQ(fpreg_bad[c][1], 0);
		/* Otherwise the test did not test preemption. */
		EXPECT(fpreg_preempted[c] > 0);
	}
	return 0;
}

TEST(hw_fp_registers_follow_their_thread_across_idle_and_preemption)
{
	sim_run_main(FPREG_CPUS, 1, 50, fpreg_main, NULL);
}
