/*
 * Interrupt handlers and the priority threshold, driven by software-raised
 * interrupts so that the same tests run on the simulator and on a machine:
 * attach errors, interrupt-context and threaded handlers, masking while a
 * threaded handler runs, enable and disable, detach, routing to a CPU, and
 * which threads run with device interrupts masked.
 */
#include "simtest.h"

/* SPIs no device of QEMU virt drives, inside the virtual GIC's range. */
#define TEST_SPI 60
/* The one routed to another CPU: the others then never leave CPU 0. */
#define REMOTE_SPI 61

static struct event_log ev;
static struct tn_irq irq;
static struct tn_sem sem;
static volatile int handler_cpu;

static void count_only(struct tn_irq *i)
{
	(void)i;
}

static void put_sem(struct tn_irq *i)
{
	(void)i;
	handler_cpu = tn_cpu_self();
	EXPECT_EQ(tn_sem_put(&sem), 0);
}

static void log_handler(struct tn_irq *i)
{
	(void)i;
	log_add(&ev, "handler");
}

static struct tn_irq_stats stats_of(struct tn_irq *i)
{
	struct tn_irq_stats s;

	EXPECT_EQ(tn_irq_get_stats(i, &s), 0);
	return s;
}

static void attach_intid(struct tn_irq *i, unsigned int intid, int priority,
			 tn_cpumask_t cpu, tn_irq_fn fn)
{
	struct tn_irq_attr attr;

	tn_irq_attr_init(&attr);
	attr.priority = priority;
	attr.affinity = cpu;
	EXPECT_EQ(tn_irq_attach(i, intid, &attr, fn, NULL), 0);
}

static void attach(struct tn_irq *i, int priority, tn_cpumask_t cpu,
		   tn_irq_fn fn)
{
	attach_intid(i, TEST_SPI, priority, cpu, fn);
}

static int core_intids_main(void *arg)
{
	(void)arg;
	/* SGI 0 reschedules, PPI 27 is the core's timer. */
	EXPECT_EQ(tn_irq_attach(&irq, 0, NULL, count_only, NULL), -EINVAL);
	EXPECT_EQ(tn_irq_attach(&irq, 27, NULL, count_only, NULL), -EINVAL);
	return 0;
}

TEST(irq_attach_core_intid_einval)
{
	sim_run_main(1, 1, 50, core_intids_main, NULL);
}

static int out_of_range_main(void *arg)
{
	(void)arg;
	EXPECT_EQ(tn_irq_attach(&irq, TN_IRQ_MAX, NULL, count_only, NULL),
		  -EINVAL);
	EXPECT_EQ(tn_irq_attach(&irq, 1023, NULL, count_only, NULL), -EINVAL);
	return 0;
}

TEST(irq_attach_out_of_range_einval)
{
	sim_run_main(1, 1, 50, out_of_range_main, NULL);
}

static int bad_attr_main(void *arg)
{
	struct tn_irq_attr attr;

	(void)arg;
	tn_irq_attr_init(&attr);
	attr.priority = TN_PRIO_MAX + 1;
	EXPECT_EQ(tn_irq_attach(&irq, TEST_SPI, &attr, count_only, NULL),
		  -EINVAL);
	tn_irq_attr_init(&attr);
	attr.affinity = TN_CPU(0) | TN_CPU(1);
	EXPECT_EQ(tn_irq_attach(&irq, TEST_SPI, &attr, count_only, NULL),
		  -EINVAL);
	EXPECT_EQ(tn_irq_attach(&irq, TEST_SPI, NULL, NULL, NULL), -EINVAL);
	return 0;
}

TEST(irq_attach_bad_attribute_einval)
{
	sim_run_main(2, 1, 50, bad_attr_main, NULL);
}

static int twice_main(void *arg)
{
	struct tn_irq other;

	(void)arg;
	attach(&irq, 0, 0, count_only);
	EXPECT_EQ(tn_irq_attach(&other, TEST_SPI, NULL, count_only, NULL),
		  -EBUSY);
	EXPECT_EQ(tn_irq_attach(&irq, REMOTE_SPI, NULL, count_only, NULL),
		  -EBUSY);
	EXPECT_EQ(tn_irq_detach(&irq), 0);
	return 0;
}

TEST(irq_attach_twice_ebusy)
{
	sim_run_main(1, 1, 50, twice_main, NULL);
}

static int sem_put_main(void *arg)
{
	(void)arg;
	EXPECT_EQ(tn_sem_init(&sem, 0), 0);
	attach(&irq, 0, 0, put_sem);
	EXPECT_EQ(tn_irq_raise(&irq), 0);
	EXPECT_EQ(tn_sem_timedget(&sem, AT(TN_MSEC(5))), 0);
	EXPECT_EQ(stats_of(&irq).taken, 1);
	EXPECT_EQ(tn_irq_detach(&irq), 0);
	return 0;
}

TEST(irq_handler_sem_put_wakes_waiter)
{
	sim_run_main(1, 1, 50, sem_put_main, NULL);
}

static void put_then_log(struct tn_irq *i)
{
	(void)i;
	EXPECT_EQ(tn_sem_put(&sem), 0);
	log_add(&ev, "handler-end");
}

static void *woken(void *arg)
{
	(void)arg;
	EXPECT_EQ(tn_sem_get(&sem), 0);
	log_add(&ev, "woken");
	return NULL;
}

static int switch_after_main(void *arg)
{
	struct tn_thread t;

	(void)arg;
	EXPECT_EQ(tn_sem_init(&sem, 0), 0);
	spawn(&t, "woken", TN_SCHED_FIFO, 60, TN_CPU(0), woken, NULL);
	attach(&irq, 0, 0, put_then_log);
	EXPECT_EQ(tn_irq_raise(&irq), 0);
	EXPECT_EQ(tn_thread_join(&t, NULL), 0);
	/* The woken thread preempts once the interrupt is over, not in it. */
	EXPECT_STREQ(log_str(&ev), "handler-end woken");
	EXPECT_EQ(tn_irq_detach(&irq), 0);
	return 0;
}

TEST(irq_handler_switch_waits_for_interrupt_end)
{
	sim_run_main(1, 1, 50, switch_after_main, NULL);
}

static int routed_main(void *arg)
{
	(void)arg;
	EXPECT_EQ(tn_sem_init(&sem, 0), 0);
	handler_cpu = -1;
	attach_intid(&irq, REMOTE_SPI, 0, TN_CPU(1), put_sem);
	EXPECT_EQ(tn_irq_raise(&irq), 0);
	EXPECT_EQ(tn_sem_timedget(&sem, AT(TN_MSEC(5))), 0);
	EXPECT_EQ(handler_cpu, 1);
	EXPECT_EQ(tn_irq_detach(&irq), 0);
	return 0;
}

TEST(irq_spi_taken_by_attached_cpu)
{
	sim_run_main(2, 1, 50, routed_main, NULL);
}

static int threaded_above_main(void *arg)
{
	(void)arg;
	attach(&irq, 60, 0, log_handler);
	EXPECT_EQ(tn_irq_raise(&irq), 0);
	/* Waits for the interrupt without blocking: never lets a thread in. */
	while (!stats_of(&irq).taken)
		;
	log_add(&ev, "main");
	EXPECT_STREQ(log_str(&ev), "handler main");
	EXPECT_EQ(tn_irq_detach(&irq), 0);
	return 0;
}

TEST(irq_threaded_handler_preempts_lower_thread)
{
	sim_run_main(1, 1, 50, threaded_above_main, NULL);
}

static int threaded_below_main(void *arg)
{
	(void)arg;
	attach(&irq, 10, 0, log_handler);
	EXPECT_EQ(tn_irq_raise(&irq), 0);
	while (!stats_of(&irq).taken)
		;
	log_add(&ev, "main");
	tn_sleep(TN_MSEC(1));
	EXPECT_STREQ(log_str(&ev), "main handler");
	EXPECT_EQ(stats_of(&irq).handled, 1);
	EXPECT_EQ(tn_irq_detach(&irq), 0);
	return 0;
}

TEST(irq_threaded_handler_waits_for_higher_thread)
{
	sim_run_main(1, 1, 50, threaded_below_main, NULL);
}

static int masked_main(void *arg)
{
	(void)arg;
	attach(&irq, 10, 0, count_only);
	EXPECT_EQ(tn_irq_raise(&irq), 0);
	while (!stats_of(&irq).taken)
		;
	/* Its thread has not run: the interrupt stays masked meanwhile. */
	EXPECT_EQ(tn_irq_raise(&irq), 0);
	tn_spin(TN_USEC(200));
	EXPECT_EQ(stats_of(&irq).taken, 1);
	tn_sleep(TN_MSEC(1));
	EXPECT_EQ(stats_of(&irq).taken, 2);
	EXPECT_EQ(stats_of(&irq).handled, 2);
	EXPECT_EQ(tn_irq_detach(&irq), 0);
	return 0;
}

TEST(irq_threaded_masked_until_handler_returns)
{
	sim_run_main(1, 1, 50, masked_main, NULL);
}

static int disabled_main(void *arg)
{
	(void)arg;
	attach(&irq, 0, 0, count_only);
	EXPECT_EQ(tn_irq_disable(&irq), 0);
	EXPECT_EQ(tn_irq_raise(&irq), 0);
	tn_sleep(TN_USEC(200));
	EXPECT_EQ(stats_of(&irq).taken, 0);
	EXPECT_EQ(tn_irq_enable(&irq), 0);
	tn_sleep(TN_USEC(200));
	EXPECT_EQ(stats_of(&irq).taken, 1);
	EXPECT_EQ(tn_irq_detach(&irq), 0);
	return 0;
}

TEST(irq_disabled_stays_pending_until_enabled)
{
	sim_run_main(1, 1, 50, disabled_main, NULL);
}

static int detach_main(void *arg)
{
	struct tn_irq other;

	(void)arg;
	attach(&irq, 20, 0, count_only);
	EXPECT_EQ(tn_irq_detach(&irq), 0);
	EXPECT_EQ(tn_irq_detach(&irq), -EINVAL);
	EXPECT_EQ(tn_irq_raise(&irq), -EINVAL);
	EXPECT_EQ(tn_irq_enable(&irq), -EINVAL);
	/* The number is free again. */
	attach(&other, 0, 0, count_only);
	EXPECT_EQ(tn_irq_detach(&other), 0);
	return 0;
}

TEST(irq_detach_releases_intid)
{
	sim_run_main(1, 1, 50, detach_main, NULL);
}

static volatile int self_detach;

static void detach_self(struct tn_irq *i)
{
	self_detach = tn_irq_detach(i);
}

static int self_detach_main(void *arg)
{
	(void)arg;
	self_detach = 1;
	attach(&irq, 60, 0, detach_self);
	EXPECT_EQ(tn_irq_raise(&irq), 0);
	while (stats_of(&irq).handled < 1)
		tn_sleep(TN_USEC(100));
	EXPECT_EQ(self_detach, -EDEADLK);
	EXPECT_EQ(tn_irq_detach(&irq), 0);
	return 0;
}

TEST(irq_detach_from_its_thread_edeadlk)
{
	sim_run_main(1, 1, 50, self_detach_main, NULL);
}

static void detach_in_irq(struct tn_irq *i)
{
	self_detach = tn_irq_detach(i);
}

static int irq_detach_main(void *arg)
{
	(void)arg;
	self_detach = 1;
	attach(&irq, 0, 0, detach_in_irq);
	EXPECT_EQ(tn_irq_raise(&irq), 0);
	while (!stats_of(&irq).handled)
		tn_sleep(TN_USEC(100));
	EXPECT_EQ(self_detach, -EPERM);
	EXPECT_EQ(tn_irq_detach(&irq), 0);
	return 0;
}

TEST(irq_detach_in_interrupt_context_eperm)
{
	sim_run_main(1, 1, 50, irq_detach_main, NULL);
}

static int threshold_value_main(void *arg)
{
	(void)arg;
	EXPECT_EQ(tn_irq_get_threshold(), TN_IRQ_NO_THRESHOLD);
	EXPECT_EQ(tn_irq_set_threshold(TN_PRIO_MAX + 1), -EINVAL);
	EXPECT_EQ(tn_irq_set_threshold(-1), -EINVAL);
	EXPECT_EQ(tn_irq_set_threshold(40), 0);
	EXPECT_EQ(tn_irq_get_threshold(), 40);
	EXPECT_EQ(tn_irq_set_threshold(TN_IRQ_NO_THRESHOLD), 0);
	return 0;
}

TEST(irq_threshold_bad_value_einval)
{
	sim_run_main(1, 1, 50, threshold_value_main, NULL);
}

static int above_threshold_main(void *arg)
{
	(void)arg;
	attach(&irq, 0, 0, count_only);
	EXPECT_EQ(tn_irq_set_threshold(40), 0);
	EXPECT_EQ(tn_irq_raise(&irq), 0);
	tn_spin(TN_USEC(200));
	EXPECT_EQ(stats_of(&irq).taken, 0);
	/* Below the threshold now: the interrupt comes in at once. */
	EXPECT_EQ(tn_thread_set_priority(tn_thread_self(), 30), 0);
	tn_spin(TN_USEC(200));
	EXPECT_EQ(stats_of(&irq).taken, 1);
	EXPECT_EQ(tn_irq_set_threshold(TN_IRQ_NO_THRESHOLD), 0);
	EXPECT_EQ(tn_irq_detach(&irq), 0);
	return 0;
}

TEST(irq_threshold_masks_devices_above_it)
{
	sim_run_main(1, 1, 50, above_threshold_main, NULL);
}

static void *low_spinner(void *arg)
{
	(void)arg;
	log_add(&ev, "low");
	tn_spin(TN_USEC(200));
	return NULL;
}

static int blocks_main(void *arg)
{
	struct tn_thread low;

	(void)arg;
	attach(&irq, 0, 0, log_handler);
	EXPECT_EQ(tn_irq_set_threshold(40), 0);
	spawn(&low, "low", TN_SCHED_FIFO, 20, TN_CPU(0), low_spinner, NULL);
	EXPECT_EQ(tn_irq_raise(&irq), 0);
	tn_spin(TN_USEC(200));
	log_add(&ev, "high");
	/* Switching to a thread below the threshold unmasks. */
	EXPECT_EQ(tn_thread_join(&low, NULL), 0);
	EXPECT_STREQ(log_str(&ev), "high handler low");
	EXPECT_EQ(tn_irq_set_threshold(TN_IRQ_NO_THRESHOLD), 0);
	EXPECT_EQ(tn_irq_detach(&irq), 0);
	return 0;
}

TEST(irq_threshold_unmasks_when_switching_below)
{
	sim_run_main(1, 1, 50, blocks_main, NULL);
}

static void *timed_sleeper(void *arg)
{
	(void)arg;
	EXPECT_EQ(tn_sleep_until(AT(TN_MSEC(1))), 0);
	log_add(&ev, "woken");
	return NULL;
}

static void *sem_waiter(void *arg)
{
	(void)arg;
	EXPECT_EQ(tn_sem_get(&sem), 0);
	log_add(&ev, "woken");
	return NULL;
}

static void *busy_above_threshold(void *arg)
{
	(void)arg;
	tn_spin(TN_MSEC(3));
	log_add(&ev, "busy-end");
	return NULL;
}

static int timer_above_main(void *arg)
{
	struct tn_thread high;

	(void)arg;
	EXPECT_EQ(tn_irq_set_threshold(10), 0);
	spawn(&high, "high", TN_SCHED_FIFO, 60, TN_CPU(0), timed_sleeper, NULL);
	/* Masked, yet the timer must preempt it to wake the sleeper. */
	busy_above_threshold(NULL);
	EXPECT_EQ(tn_thread_join(&high, NULL), 0);
	EXPECT_STREQ(log_str(&ev), "woken busy-end");
	EXPECT_EQ(tn_irq_set_threshold(TN_IRQ_NO_THRESHOLD), 0);
	return 0;
}

TEST(irq_threshold_keeps_core_timer)
{
	sim_run_main(1, 1, 50, timer_above_main, NULL);
}

static int ipi_above_main(void *arg)
{
	struct tn_thread waiter, busy;

	(void)arg;
	EXPECT_EQ(tn_sem_init(&sem, 0), 0);
	EXPECT_EQ(tn_irq_set_threshold(10), 0);
	spawn(&waiter, "waiter", TN_SCHED_FIFO, 60, TN_CPU(1), sem_waiter,
	      NULL);
	spawn(&busy, "busy", TN_SCHED_FIFO, 50, TN_CPU(1), busy_above_threshold,
	      NULL);
	tn_sleep(TN_MSEC(1));
	/* CPU 1 runs "busy", masked: the wake-up's IPI must still get in. */
	EXPECT_EQ(tn_sem_put(&sem), 0);
	EXPECT_EQ(tn_thread_join(&waiter, NULL), 0);
	EXPECT_EQ(tn_thread_join(&busy, NULL), 0);
	EXPECT_STREQ(log_str(&ev), "woken busy-end");
	EXPECT_EQ(tn_irq_set_threshold(TN_IRQ_NO_THRESHOLD), 0);
	return 0;
}

TEST(irq_threshold_keeps_ipi)
{
	sim_run_main(2, 1, 50, ipi_above_main, NULL);
}
