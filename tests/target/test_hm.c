/*
 * The health monitor's calls alone on the machine, where there is no
 * hypervisor: each says so (-ENODEV) and makes no hypercall, which on a
 * machine without EL2 would be an undefined instruction. In a partition
 * they reach the hypervisor, whose side the system tests check.
 */
#include "simtest.h"

static void skip_in_partition(void)
{
	struct tn_partition_info info;

	if (!tn_partition_info(&info))
		test_skip("in a partition: the hypervisor answers");
}

static int alone_main(void *arg)
{
	struct tn_partition_info info;

	(void)arg;
	EXPECT_EQ(tn_partition_info(&info), -ENODEV);
	EXPECT_EQ(tn_watchdog_start(TN_MSEC(10), 1), -ENODEV);
	EXPECT_EQ(tn_watchdog_kick(), -ENODEV);
	EXPECT_EQ(tn_watchdog_stop(), -EINVAL);
	EXPECT_EQ(tn_health_fatal(1), -ENODEV);
	return 0;
}

TEST(hw_health_monitor_calls_alone_on_machine_are_enodev)
{
	skip_in_partition();
	sim_run_main(1, 1, 10, alone_main, NULL);
}

static struct tn_thread late;
static volatile uint64_t seen_misses;

static void *miss_escalated(void *arg)
{
	(void)arg;
	tn_thread_set_deadline_policy(tn_thread_self(), TN_DEADLINE_ESCALATE);
	tn_thread_set_periodic(tn_clock_read() + TN_MSEC(1), TN_MSEC(1));
	tn_thread_wait_period(NULL);
	tn_spin(TN_USEC(1500));
	tn_thread_wait_period(NULL);
	return NULL;
}

static int escalate_main(void *arg)
{
	uint64_t before = tn_health_count(TN_HEALTH_DEADLINE_MISS);

	(void)arg;
	spawn(&late, "late", TN_SCHED_FIFO, 20, 0, miss_escalated, NULL);
	tn_thread_join(&late, NULL);
	/* Escalated to the handler alone too; the hypercall is left out. */
	EXPECT_EQ(tn_health_count(TN_HEALTH_DEADLINE_MISS) - before, 1);
	return 0;
}

TEST(hw_escalated_deadline_miss_alone_reaches_only_the_handler)
{
	skip_in_partition();
	sim_run_main(1, 1, 10, escalate_main, NULL);
}
