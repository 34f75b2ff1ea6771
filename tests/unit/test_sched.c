/*
 * Scheduler behaviour: FIFO order, preemption, round-robin slices, yield,
 * priority changes at run time and per-CPU run queues.
 */
#include "simtest.h"

static struct event_log ev;

static void *log_name(void *arg)
{
	(void)arg;
	log_add(&ev, tn_thread_name(tn_thread_self()));
	return NULL;
}

static int fifo_order_main(void *arg)
{
	struct tn_thread t[4];

	(void)arg;
	spawn(&t[0], "A", TN_SCHED_FIFO, 10, 0, log_name, NULL);
	spawn(&t[1], "B", TN_SCHED_FIFO, 20, 0, log_name, NULL);
	spawn(&t[2], "C", TN_SCHED_FIFO, 10, 0, log_name, NULL);
	spawn(&t[3], "D", TN_SCHED_FIFO, 20, 0, log_name, NULL);
	log_add(&ev, "main");
	for (int i = 0; i < 4; i++)
		EXPECT_EQ(tn_thread_join(&t[i], NULL), 0);
	return 0;
}

TEST(sched_fifo_order)
{
	sim_run_main(1, 1, 50, fifo_order_main, NULL);
	EXPECT_STREQ(log_str(&ev), "main B D A C");
}

static int preempt_on_create_main(void *arg)
{
	struct tn_thread t;

	(void)arg;
	log_add(&ev, "before");
	spawn(&t, "high", TN_SCHED_FIFO, 20, 0, log_name, NULL);
	log_add(&ev, "after");
	tn_thread_join(&t, NULL);
	return 0;
}

TEST(sched_preempt_on_create)
{
	sim_run_main(1, 1, 10, preempt_on_create_main, NULL);
	EXPECT_STREQ(log_str(&ev), "before high after");
}

static int equal_prio_main(void *arg)
{
	struct tn_thread t;

	(void)arg;
	spawn(&t, "peer", TN_SCHED_FIFO, 10, 0, log_name, NULL);
	log_add(&ev, "main");
	tn_thread_join(&t, NULL);
	return 0;
}

TEST(sched_equal_priority_does_not_preempt)
{
	sim_run_main(1, 1, 10, equal_prio_main, NULL);
	EXPECT_STREQ(log_str(&ev), "main peer");
}

static void *spin_then_log(void *arg)
{
	tn_spin(*(tn_time_t *)arg);
	log_add_time(&ev, tn_thread_name(tn_thread_self()));
	return NULL;
}

static void *sleep_then_spin(void *arg)
{
	(void)arg;
	tn_sleep_until(AT(TN_MSEC(1)));
	log_add_time(&ev, "high-wakes");
	tn_spin(TN_MSEC(2));
	log_add_time(&ev, "high-done");
	return NULL;
}

static int preempt_on_wake_main(void *arg)
{
	struct tn_thread low, high;
	tn_time_t work = TN_MSEC(10);

	(void)arg;
	spawn(&high, "high", TN_SCHED_FIFO, 20, 0, sleep_then_spin, NULL);
	spawn(&low, "low", TN_SCHED_FIFO, 10, 0, spin_then_log, &work);
	tn_thread_join(&low, NULL);
	tn_thread_join(&high, NULL);
	return 0;
}

TEST(sched_preempt_on_wake)
{
	/* high wakes exactly at 1 ms although low computes; low's 10 ms of
	 * work end 2 ms late, the time high took. */
	sim_run_main(1, 1, 50, preempt_on_wake_main, NULL);
	EXPECT_STREQ(log_str(&ev), "high-wakes@1 high-done@3 low@12");
}

static void *yield_three_times(void *arg)
{
	(void)arg;
	for (int i = 0; i < 3; i++) {
		log_add(&ev, tn_thread_name(tn_thread_self()));
		EXPECT_EQ(tn_thread_yield(), 0);
	}
	return NULL;
}

static int yield_main(void *arg)
{
	struct tn_thread t[3];

	(void)arg;
	spawn(&t[0], "A", TN_SCHED_FIFO, 10, 0, yield_three_times, NULL);
	spawn(&t[1], "B", TN_SCHED_FIFO, 10, 0, yield_three_times, NULL);
	spawn(&t[2], "C", TN_SCHED_FIFO, 10, 0, yield_three_times, NULL);
	for (int i = 0; i < 3; i++)
		tn_thread_join(&t[i], NULL);
	return 0;
}

TEST(sched_yield_rotates)
{
	sim_run_main(1, 1, 50, yield_main, NULL);
	EXPECT_STREQ(log_str(&ev), "A B C A B C A B C");
}

static int yield_alone_main(void *arg)
{
	struct tn_thread t;

	(void)arg;
	spawn(&t, "lower", TN_SCHED_FIFO, 10, 0, log_name, NULL);
	EXPECT_EQ(tn_thread_yield(), 0);
	log_add(&ev, "main");
	tn_thread_join(&t, NULL);
	return 0;
}

TEST(sched_yield_alone_keeps_cpu)
{
	/* No peer at the caller's priority: a lower thread does not run. */
	sim_run_main(1, 1, 20, yield_alone_main, NULL);
	EXPECT_STREQ(log_str(&ev), "main lower");
}

static int policy_pair_main(void *arg)
{
	int policy = *(int *)arg;
	struct tn_thread_attr attr;
	struct tn_thread a, b;
	tn_time_t work = TN_MSEC(9);

	tn_thread_attr_init(&attr);
	attr.sched.policy = policy;
	attr.sched.priority = 10;
	attr.sched.rr_quantum = TN_MSEC(2);
	attr.name = "A";
	EXPECT_EQ(tn_thread_create(&a, &attr, spin_then_log, &work), 0);
	attr.name = "B";
	EXPECT_EQ(tn_thread_create(&b, &attr, spin_then_log, &work), 0);
	tn_thread_join(&a, NULL);
	tn_thread_join(&b, NULL);
	return 0;
}

TEST(sched_rr_quantum)
{
	/* 2 ms slices: A runs 0-2, 4-6, 8-10, 12-14, 16-17 and ends at 17;
	 * B has 1 ms left then and ends at 18. */
	int policy = TN_SCHED_RR;

	sim_run_main(1, 1, 50, policy_pair_main, &policy);
	EXPECT_STREQ(log_str(&ev), "A@17 B@18");
}

TEST(sched_fifo_no_time_slice)
{
	int policy = TN_SCHED_FIFO;

	sim_run_main(1, 1, 50, policy_pair_main, &policy);
	EXPECT_STREQ(log_str(&ev), "A@9 B@18");
}

static int rr_endless_main(void *arg)
{
	struct tn_thread_attr attr;
	struct tn_thread a, b;
	tn_time_t work = TN_MSEC(3);

	(void)arg;
	tn_thread_attr_init(&attr);
	attr.sched.policy = TN_SCHED_RR;
	attr.sched.priority = 10;
	attr.sched.rr_quantum = TN_INFINITE;
	attr.name = "A";
	EXPECT_EQ(tn_thread_create(&a, &attr, spin_then_log, &work), 0);
	attr.name = "B";
	EXPECT_EQ(tn_thread_create(&b, &attr, spin_then_log, &work), 0);
	tn_thread_join(&a, NULL);
	tn_thread_join(&b, NULL);
	return 0;
}

TEST(sched_rr_infinite_quantum_never_slices)
{
	/* A slice that ends past the end of time: A runs to its end. */
	sim_run_main(1, 1, 50, rr_endless_main, NULL);
	EXPECT_STREQ(log_str(&ev), "A@3 B@6");
}

static struct tn_thread rr_a, rr_b, rr_hi;

static void *short_high(void *arg)
{
	(void)arg;
	tn_sleep_until(AT(TN_MSEC(1)));
	tn_spin(TN_MSEC(5));
	return NULL;
}

static int rr_preempted_main(void *arg)
{
	struct tn_thread_attr attr;
	tn_time_t work = TN_MSEC(3);

	(void)arg;
	tn_thread_attr_init(&attr);
	attr.sched.policy = TN_SCHED_RR;
	attr.sched.priority = 10;
	attr.sched.rr_quantum = TN_MSEC(2);
	attr.name = "A";
	tn_thread_create(&rr_a, &attr, spin_then_log, &work);
	attr.name = "B";
	tn_thread_create(&rr_b, &attr, spin_then_log, &work);
	spawn(&rr_hi, "hi", TN_SCHED_FIFO, 30, 0, short_high, NULL);
	tn_thread_join(&rr_a, NULL);
	tn_thread_join(&rr_b, NULL);
	tn_thread_join(&rr_hi, NULL);
	return 0;
}

TEST(sched_rr_preempted_keeps_slice_and_place)
{
	/* A runs 0-1, hi 1-6, A (at the head, 1 ms of slice left) 6-7,
	 * B 7-9, A 9-10 ends, B 10-11 ends. */
	sim_run_main(1, 1, 50, rr_preempted_main, NULL);
	EXPECT_STREQ(log_str(&ev), "A@10 B@11");
}

static struct tn_thread prio_t;

static int setprio_raise_main(void *arg)
{
	(void)arg;
	spawn(&prio_t, "raised", TN_SCHED_FIFO, 10, 0, log_name, NULL);
	log_add(&ev, "main");
	EXPECT_EQ(tn_thread_set_priority(&prio_t, 30), 0);
	log_add(&ev, "main-again");
	tn_thread_join(&prio_t, NULL);
	return 0;
}

TEST(sched_setprio_raise_preempts)
{
	sim_run_main(1, 1, 20, setprio_raise_main, NULL);
	EXPECT_STREQ(log_str(&ev), "main raised main-again");
}

static int setprio_lower_main(void *arg)
{
	(void)arg;
	spawn(&prio_t, "other", TN_SCHED_FIFO, 15, 0, log_name, NULL);
	log_add(&ev, "main");
	EXPECT_EQ(tn_thread_set_priority(tn_thread_self(), 10), 0);
	log_add(&ev, "main-lowered");
	EXPECT_EQ(tn_thread_get_priority(tn_thread_self()), 10);
	tn_thread_join(&prio_t, NULL);
	return 0;
}

TEST(sched_setprio_lower_yields)
{
	sim_run_main(1, 1, 20, setprio_lower_main, NULL);
	EXPECT_STREQ(log_str(&ev), "main other main-lowered");
}

static struct tn_thread lower_t[3];

static int setprio_lowered_first_main(void *arg)
{
	(void)arg;
	spawn(&lower_t[0], "A", TN_SCHED_FIFO, 10, 0, log_name, NULL);
	spawn(&lower_t[1], "B", TN_SCHED_FIFO, 10, 0, log_name, NULL);
	spawn(&lower_t[2], "C", TN_SCHED_FIFO, 20, 0, log_name, NULL);
	/* C, ready, lowered to 10: in front of A and B (POSIX). */
	EXPECT_EQ(tn_thread_set_priority(&lower_t[2], 10), 0);
	/* A, ready, raised to 10 from 10: no change; B raised then lowered
	 * back goes in front too. */
	EXPECT_EQ(tn_thread_set_priority(&lower_t[1], 12), 0);
	EXPECT_EQ(tn_thread_set_priority(&lower_t[1], 10), 0);
	for (int i = 0; i < 3; i++)
		tn_thread_join(&lower_t[i], NULL);
	return 0;
}

TEST(sched_setprio_lowered_goes_first)
{
	sim_run_main(1, 1, 50, setprio_lowered_first_main, NULL);
	EXPECT_STREQ(log_str(&ev), "B C A");
}

static int getset_main(void *arg)
{
	struct tn_sched_param p = {.policy = TN_SCHED_RR,
				   .priority = 42,
				   .rr_quantum = TN_MSEC(3)},
			      q;
	struct tn_thread *self = tn_thread_self();

	(void)arg;
	EXPECT_EQ(tn_thread_set_sched(self, &p), 0);
	EXPECT_EQ(tn_thread_get_sched(self, &q), 0);
	EXPECT_EQ(q.policy, TN_SCHED_RR);
	EXPECT_EQ(q.priority, 42);
	EXPECT_EQ(q.rr_quantum, TN_MSEC(3));
	p.rr_quantum = 0;
	EXPECT_EQ(tn_thread_set_sched(self, &p), 0);
	EXPECT_EQ(tn_thread_get_sched(self, &q), 0);
	EXPECT_EQ(q.rr_quantum, TN_RR_QUANTUM_DEFAULT);
	p.priority = 0;
	EXPECT_EQ(tn_thread_set_sched(self, &p), -EINVAL);
	p.priority = 100;
	EXPECT_EQ(tn_thread_set_sched(self, &p), -EINVAL);
	p.priority = 5;
	p.policy = TN_SCHED_IDLE;
	EXPECT_EQ(tn_thread_set_sched(self, &p), -EINVAL);
	p.policy = TN_SCHED_FIFO;
	p.rr_quantum = -1;
	EXPECT_EQ(tn_thread_set_sched(self, &p), -EINVAL);
	EXPECT_EQ(tn_thread_set_sched(self, NULL), -EINVAL);
	EXPECT_EQ(tn_thread_get_priority(self), 42);
	return 0;
}

TEST(sched_set_get_params)
{
	sim_run_main(1, 1, 50, getset_main, NULL);
}

static void *record_cpu(void *arg)
{
	*(int *)arg = tn_cpu_self();
	tn_spin(TN_MSEC(5));
	return NULL;
}

static int parallel_main(void *arg)
{
	struct tn_thread t;
	int cpu = -1;

	(void)arg;
	spawn(&t, "on-cpu1", TN_SCHED_FIFO, 10, TN_CPU(1), record_cpu, &cpu);
	EXPECT_EQ(tn_thread_cpu(&t), 1);
	tn_spin(TN_MSEC(5));
	EXPECT_EQ(tn_thread_join(&t, NULL), 0);
	EXPECT_EQ(cpu, 1);
	/* Both computed 5 ms at once, on two CPUs. */
	EXPECT_TIME(TN_MSEC(5));
	return 0;
}

TEST(sched_cpus_run_in_parallel)
{
	for (uint64_t seed = 1; seed <= 8; seed++)
		sim_run_main(2, seed, 50, parallel_main, NULL);
}

static void *remote_high(void *arg)
{
	(void)arg;
	log_add_time(&ev, "remote-runs");
	return NULL;
}

static void *remote_low(void *arg)
{
	(void)arg;
	tn_spin(TN_MSEC(4));
	log_add_time(&ev, "low-done");
	return NULL;
}

static int cross_cpu_main(void *arg)
{
	struct tn_thread low, high;

	(void)arg;
	spawn(&low, "low", TN_SCHED_FIFO, 10, TN_CPU(1), remote_low, NULL);
	tn_sleep_until(AT(TN_MSEC(2)));
	/* Created from CPU 0 onto busy CPU 1: an IPI preempts low. */
	spawn(&high, "high", TN_SCHED_FIFO, 20, TN_CPU(1), remote_high, NULL);
	tn_thread_join(&high, NULL);
	tn_thread_join(&low, NULL);
	return 0;
}

TEST(sched_cross_cpu_preempt)
{
	sim_run_main(2, 3, 50, cross_cpu_main, NULL);
	EXPECT_STREQ(log_str(&ev), "remote-runs@2 low-done@4");
}

static int bad_affinity_main(void *arg)
{
	struct tn_thread_attr attr;
	struct tn_thread t;

	(void)arg;
	tn_thread_attr_init(&attr);
	attr.affinity = TN_CPU(tn_cpu_count()); /* past the last CPU */
	EXPECT_EQ(tn_thread_create(&t, &attr, log_name, NULL), -EINVAL);
	attr.affinity = TN_CPU(0) | TN_CPU(1);
	EXPECT_EQ(tn_thread_create(&t, &attr, log_name, NULL), 0);
	/* The creator's CPU is preferred when the mask allows it. */
	EXPECT_EQ(tn_thread_cpu(&t), tn_cpu_self());
	tn_thread_join(&t, NULL);
	return 0;
}

TEST(sched_affinity_checked)
{
	sim_run_main(2, 1, 50, bad_affinity_main, NULL);
}
