/*
 * Running a test body on a machine: a thread named "main" on CPU 0 at the
 * priority the test asks for. A test asking for more CPUs than the machine
 * has is skipped, saying so. The machine's clock does not start at 0 and
 * code takes time: times are counted from the start of each run and may
 * be late by up to test_time_slack (emulated CPUs are slow and share the
 * host with others).
 */
#include "simtest.h"

tn_time_t test_t0;
const tn_time_t test_time_slack = TN_USEC(800);

struct run {
	int (*body)(void *arg);
	void *arg;
	int ret;
};

static void *run_body(void *p)
{
	struct run *r = p;

	r->ret = r->body(r->arg);
	return NULL;
}

void sim_run_main(int cpus, uint64_t seed, int main_priority,
		  int (*body)(void *), void *arg)
{
	struct run r = {body, arg, -1};
	struct tn_thread main_thread;

	(void)seed; /* one machine, one interleaving: whatever it does */
	if (cpus > tn_cpu_count())
		test_skip("needs %d CPUs, the machine has %d", cpus,
			  tn_cpu_count());
	/* What is queued for the console goes out now, not while timed. */
	EXPECT_EQ(tn_log_flush(), 0);
	test_t0 = tn_clock_read();
	spawn(&main_thread, "main", TN_SCHED_FIFO, main_priority, TN_CPU(0),
	      run_body, &r);
	EXPECT_EQ(tn_thread_join(&main_thread, NULL), 0);
	EXPECT_EQ(r.ret, 0);
}
