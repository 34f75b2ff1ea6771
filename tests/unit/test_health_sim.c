/*
 * The health monitor on the host simulator (host only): the core's side
 * against the simulator's model of the hypervisor — what it raises, what
 * the table's action does to the core, the watchdog in simulated time,
 * and what the hypervisor notifies back.
 */
#include <tenon/hm.h>
#include <tenon/sim.h>

#include "simtest.h"

#define HM_INTID 60
#define EVENTS_MAX 64

/* What the model saw, and what it answers. */
static struct {
	int answer[TN_HM_NR_EVENTS];
	int count;
	unsigned int event[EVENTS_MAX];
	uint64_t detail[EVENTS_MAX];
	tn_time_t at[EVENTS_MAX];
} model;

static int model_fn(unsigned int event, uint64_t detail, void *arg)
{
	(void)arg;
	if (model.count < EVENTS_MAX) {
		model.event[model.count] = event;
		model.detail[model.count] = detail;
		model.at[model.count] = tn_clock_read();
		model.count++;
	}
	return event < TN_HM_NR_EVENTS ? model.answer[event] : TN_HM_ACT_LOG;
}

static void attach(int answer)
{
	for (int i = 0; i < TN_HM_NR_EVENTS; i++)
		model.answer[i] = answer;
	model.count = 0;
	tn_sim_hm_attach(model_fn, NULL, HM_INTID, 0);
}

/* What the health handler saw. */
static struct {
	int count;
	enum tn_health_event event[EVENTS_MAX];
	struct tn_thread *thread[EVENTS_MAX];
	struct tn_health_info info[EVENTS_MAX];
	tn_time_t at[EVENTS_MAX];
} seen;

static void handler(enum tn_health_event event, struct tn_thread *t,
		    const void *object)
{
	int n = seen.count;

	if (n == EVENTS_MAX)
		return;
	seen.event[n] = event;
	seen.thread[n] = t;
	if (event >= TN_HEALTH_DEADLINE_MISS)
		seen.info[n] = *(const struct tn_health_info *)object;
	seen.at[n] = NOW();
	seen.count++;
}

/* Runs body and returns how the run ended. */
static enum tn_sim_status run(int (*body)(void *), void *arg)
{
	struct tn_sim_config config;
	struct tn_sim_result result;

	tn_sim_config_init(&config);
	config.cpus = 1;
	config.main_priority = 10;
	config.time_limit = TN_SEC(60);
	EXPECT_EQ(tn_sim_run(&config, body, arg, &result), 0);
	return result.status;
}

/* ---- deadline escalation ---- */

static struct tn_thread worker;

static void *miss_many(void *arg)
{
	tn_time_t period = (tn_time_t)(intptr_t)arg;

	tn_thread_set_deadline_policy(tn_thread_self(), TN_DEADLINE_ESCALATE);
	tn_thread_set_periodic(AT(period), period);
	tn_thread_wait_period(NULL);
	/* 1050 periods in one job: one run of 1050 misses. */
	tn_spin(period * 1050 + period / 2);
	tn_thread_wait_period(NULL);
	/* On time again: the run is over; the next miss starts another. */
	tn_thread_wait_period(NULL);
	tn_spin(period + period / 2);
	tn_thread_wait_period(NULL);
	return NULL;
}

static int escalate_main(void *arg)
{
	(void)arg;
	tn_health_set_handler(handler);
	spawn(&worker, "worker", TN_SCHED_FIFO, 20, 0, miss_many,
	      (void *)(intptr_t)TN_USEC(10));
	tn_thread_join(&worker, NULL);
	EXPECT_EQ(tn_health_count(TN_HEALTH_DEADLINE_MISS), 3);
	return 0;
}

TEST(escalation_raises_first_miss_of_run_then_every_thousandth)
{
	attach(TN_HM_ACT_LOG);
	EXPECT_EQ(run(escalate_main, NULL), TN_SIM_DONE);
	EXPECT_EQ(model.count, 3);
	for (int i = 0; i < 3; i++)
		EXPECT_EQ(model.event[i], TN_HM_EV_DEADLINE);
	/* Detail: the thread's id above, the run's misses so far below. */
	EXPECT_EQ(model.detail[0] & 0xffffffffu, 1);
	EXPECT_EQ(model.detail[1] & 0xffffffffu, 1000);
	EXPECT_EQ(model.detail[2] & 0xffffffffu, 1);
	EXPECT_EQ(model.detail[0] >> 32, model.detail[2] >> 32);
	EXPECT(model.detail[0] >> 32 != 0);
	EXPECT_EQ(seen.count, 3);
	EXPECT_EQ(seen.event[0], TN_HEALTH_DEADLINE_MISS);
	EXPECT(seen.thread[0] == &worker);
	EXPECT_EQ(seen.info[0].action, TN_HM_ACT_LOG);
	EXPECT_EQ(seen.info[0].hm_event, TN_HM_EV_DEADLINE);
}

/*
 * Misses only counted, then escalation turned on in the middle of the
 * run: the next miss is escalated at once, not at the run's thousandth.
 */
static void *escalate_midrun(void *arg)
{
	(void)arg;
	tn_thread_set_periodic(AT(TN_MSEC(1)), TN_MSEC(1));
	tn_thread_wait_period(NULL);
	tn_spin(TN_USEC(3500)); /* three misses, counted only */
	tn_thread_set_deadline_policy(tn_thread_self(), TN_DEADLINE_ESCALATE);
	tn_spin(TN_USEC(1000)); /* one more, under escalation */
	tn_thread_wait_period(NULL);
	return NULL;
}

static int escalate_midrun_main(void *arg)
{
	(void)arg;
	tn_health_set_handler(handler);
	spawn(&worker, "worker", TN_SCHED_FIFO, 20, 0, escalate_midrun, NULL);
	tn_thread_join(&worker, NULL);
	return 0;
}

TEST(escalation_turned_on_midrun_raises_the_next_miss)
{
	attach(TN_HM_ACT_LOG);
	EXPECT_EQ(run(escalate_midrun_main, NULL), TN_SIM_DONE);
	EXPECT_EQ(model.count, 1);
	EXPECT_EQ(model.event[0], TN_HM_EV_DEADLINE);
	EXPECT_EQ(model.detail[0] & 0xffffffffu, 1);
}

static void *miss_once(void *arg)
{
	(void)arg;
	tn_thread_set_deadline_policy(tn_thread_self(), TN_DEADLINE_ESCALATE);
	tn_thread_set_periodic(AT(TN_MSEC(1)), TN_MSEC(1));
	tn_thread_wait_period(NULL);
	tn_spin(TN_USEC(1500));
	tn_thread_wait_period(NULL);
	return NULL;
}

static int miss_once_main(void *arg)
{
	(void)arg;
	tn_health_set_handler(handler);
	spawn(&worker, "worker", TN_SCHED_FIFO, 20, 0, miss_once, NULL);
	tn_thread_join(&worker, NULL);
	return 0;
}

TEST(escalation_alone_on_machine_tells_handler_enodev)
{
	tn_sim_hm_clear();
	seen.count = 0;
	EXPECT_EQ(run(miss_once_main, NULL), TN_SIM_DONE);
	EXPECT_EQ(seen.count, 1);
	EXPECT_EQ(seen.event[0], TN_HEALTH_DEADLINE_MISS);
	EXPECT_EQ(seen.info[0].action, -ENODEV);
	EXPECT_EQ(seen.at[0], TN_MSEC(2));
}

static int default_line_main(void *arg)
{
	(void)arg;
	spawn(&worker, "worker", TN_SCHED_FIFO, 20, 0, miss_once, NULL);
	tn_thread_join(&worker, NULL);
	return 0;
}

TEST(default_health_line_names_thread_detail_and_action)
{
	struct tn_sim_config config;
	struct tn_sim_result result;
	char text[512] = "";
	FILE *console = tmpfile();
	size_t n;

	EXPECT(console != NULL);
	attach(TN_HM_ACT_LOG);
	tn_sim_config_init(&config);
	config.cpus = 1;
	config.main_priority = 10;
	config.console = console;
	EXPECT_EQ(tn_sim_run(&config, default_line_main, NULL, &result), 0);
	EXPECT_EQ(result.status, TN_SIM_DONE);
	rewind(console);
	n = fread(text, 1, sizeof(text) - 1, console);
	text[n] = '\0';
	fclose(console);
	/* The worker is the second thread created (after main): id 2. */
	EXPECT(strstr(text, "tenon: health: thread 'worker': deadline missed "
			    "(detail 0x200000001, hypervisor: log)\n") != NULL);
}

TEST(escalation_to_restart_action_ends_partition)
{
	attach(TN_HM_ACT_COLD_RESTART);
	seen.count = 0;
	EXPECT_EQ(run(miss_once_main, NULL), TN_SIM_HM_STOPPED);
	EXPECT_EQ(model.count, 1);
	EXPECT_EQ(model.at[0], TN_MSEC(2));
	/* It did not return: the handler never heard of it. */
	EXPECT_EQ(seen.count, 0);
}

/* ---- fatal errors ---- */

static int fatal_main(void *arg)
{
	int expect = (int)(intptr_t)arg;

	EXPECT_EQ(tn_health_fatal(42), expect);
	return 0;
}

TEST(fatal_returns_the_tables_action)
{
	attach(TN_HM_ACT_NOTIFY);
	EXPECT_EQ(run(fatal_main, (void *)(intptr_t)TN_HM_ACT_NOTIFY),
		  TN_SIM_DONE);
	EXPECT_EQ(model.count, 1);
	EXPECT_EQ(model.event[0], TN_HM_EV_FATAL);
	EXPECT_EQ(model.detail[0], 42);
}

TEST(fatal_alone_on_machine_is_enodev)
{
	tn_sim_hm_clear();
	EXPECT_EQ(run(fatal_main, (void *)(intptr_t)-ENODEV), TN_SIM_DONE);
}

static int fatal_stop_main(void *arg)
{
	(void)arg;
	tn_health_fatal(7);
	printf("fatal returned\n");
	return 1;
}

TEST(fatal_with_stop_action_does_not_return)
{
	attach(TN_HM_ACT_STOP);
	EXPECT_EQ(run(fatal_stop_main, NULL), TN_SIM_HM_STOPPED);
	EXPECT_EQ(model.count, 1);
}

/* ---- faults ---- */

static struct tn_mutex held;
static struct tn_thread bystander;
static volatile int bystander_runs;

static void *fault_holding(void *arg)
{
	(void)arg;
	tn_mutex_lock(&held);
	tn_sim_fault(TN_HM_EV_EXCEPTION, 0x96000045);
}

static void *run_on(void *arg)
{
	(void)arg;
	for (int i = 0; i < 5; i++) {
		tn_sleep(TN_MSEC(1));
		bystander_runs++;
	}
	return NULL;
}

static int fault_main(void *arg)
{
	void *ret = NULL;

	(void)arg;
	tn_health_set_handler(handler);
	tn_mutex_init(&held, TN_MUTEX_PI, 0, 0);
	bystander_runs = 0;
	spawn(&bystander, "bystander", TN_SCHED_FIFO, 5, 0, run_on, NULL);
	spawn(&worker, "worker", TN_SCHED_FIFO, 20, 0, fault_holding, NULL);
	EXPECT_EQ(tn_thread_join(&worker, &ret), 0);
	EXPECT(ret == TN_THREAD_FAULTED);
	/* Its end released what it held, as any thread's end does. */
	EXPECT_EQ(tn_mutex_trylock(&held), -EOWNERDEAD);
	EXPECT_EQ(tn_mutex_unlock(&held), 0);
	EXPECT_EQ(tn_thread_join(&bystander, NULL), 0);
	EXPECT_EQ(bystander_runs, 5);
	EXPECT_EQ(tn_health_count(TN_HEALTH_FAULT), 1);
	EXPECT_EQ(tn_health_count(TN_HEALTH_EXIT_HOLDING), 1);
	return 0;
}

TEST(fault_with_log_action_ends_only_the_faulting_thread)
{
	attach(TN_HM_ACT_LOG);
	seen.count = 0;
	EXPECT_EQ(run(fault_main, NULL), TN_SIM_DONE);
	EXPECT_EQ(model.count, 1);
	EXPECT_EQ(model.event[0], TN_HM_EV_EXCEPTION);
	EXPECT_EQ(model.detail[0], 0x96000045);
	/* Log: the handler hears only that the thread ended holding. */
	EXPECT_EQ(seen.count, 1);
	EXPECT_EQ(seen.event[0], TN_HEALTH_EXIT_HOLDING);
}

TEST(fault_with_notify_action_tells_handler_before_the_end)
{
	attach(TN_HM_ACT_NOTIFY);
	seen.count = 0;
	EXPECT_EQ(run(fault_main, NULL), TN_SIM_DONE);
	EXPECT_EQ(seen.count, 2);
	EXPECT_EQ(seen.event[0], TN_HEALTH_FAULT);
	EXPECT(seen.thread[0] == &worker);
	EXPECT_EQ(seen.info[0].hm_event, TN_HM_EV_EXCEPTION);
	EXPECT_EQ(seen.info[0].detail, 0x96000045);
	EXPECT_EQ(seen.info[0].action, TN_HM_ACT_NOTIFY);
	EXPECT_EQ(seen.event[1], TN_HEALTH_EXIT_HOLDING);
}

static void *overflow_fault(void *arg)
{
	(void)arg;
	tn_sim_fault(TN_HM_EV_STACK, 0x40123ff8);
}

static int stack_main(void *arg)
{
	(void)arg;
	spawn(&worker, "worker", TN_SCHED_FIFO, 20, 0, overflow_fault, NULL);
	tn_thread_join(&worker, NULL);
	return 1; /* not reached: the restart ends the run */
}

TEST(stack_overflow_with_restart_action_ends_partition)
{
	attach(TN_HM_ACT_COLD_RESTART);
	EXPECT_EQ(run(stack_main, NULL), TN_SIM_HM_STOPPED);
	EXPECT_EQ(model.count, 1);
	EXPECT_EQ(model.event[0], TN_HM_EV_STACK);
	EXPECT_EQ(model.detail[0], 0x40123ff8);
}

/* ---- the watchdog ---- */

static int kicked_main(void *arg)
{
	(void)arg;
	EXPECT_EQ(tn_watchdog_start(TN_MSEC(4), 1), 0);
	EXPECT_EQ(tn_sim_watchdog_period_us(), 4000);
	EXPECT_EQ(tn_watchdog_start(TN_MSEC(4), 1), -EBUSY);
	/* main blocks: the kicker, at priority 1, gets its turns. */
	tn_sleep_until(AT(TN_MSEC(50)));
	EXPECT(tn_sim_watchdog_kicks() >= 49);
	EXPECT_EQ(tn_watchdog_stop(), 0);
	EXPECT_EQ(tn_sim_watchdog_period_us(), 0);
	EXPECT_EQ(tn_watchdog_kick(), -ENODEV); /* not armed */
	return 0;
}

TEST(watchdog_kicker_keeps_it_from_expiring)
{
	attach(TN_HM_ACT_COLD_RESTART);
	EXPECT_EQ(run(kicked_main, NULL), TN_SIM_DONE);
	EXPECT_EQ(model.count, 0);
}

static struct tn_thread spinner;

static void *spin_20ms(void *arg)
{
	(void)arg;
	tn_spin(TN_MSEC(20));
	return NULL;
}

static int starved_main(void *arg)
{
	(void)arg;
	tn_health_set_handler(handler);
	EXPECT_EQ(tn_watchdog_start(TN_MSEC(4), 1), 0);
	spawn(&spinner, "spinner", TN_SCHED_FIFO, 50, 0, spin_20ms, NULL);
	tn_thread_join(&spinner, NULL);
	EXPECT_EQ(tn_watchdog_stop(), 0);
	return 0;
}

TEST(watchdog_expires_when_runaway_thread_starves_kicker)
{
	attach(TN_HM_ACT_NOTIFY);
	seen.count = 0;
	EXPECT_EQ(run(starved_main, NULL), TN_SIM_DONE);
	/* Armed at 0, never kicked: 4, 8, 12, 16 and 20 ms. */
	EXPECT(model.count >= 4);
	EXPECT_EQ(model.event[0], TN_HM_EV_WATCHDOG);
	EXPECT_EQ(model.at[0], TN_MSEC(4));
	EXPECT_EQ(model.at[1], TN_MSEC(8));
	/* Notify: the HM interrupt, drained to the handler at once. */
	EXPECT(seen.count >= 4);
	EXPECT_EQ(seen.event[0], TN_HEALTH_WATCHDOG);
	EXPECT(seen.thread[0] == NULL);
	EXPECT_EQ(seen.at[0], TN_MSEC(4));
	EXPECT_EQ(seen.info[0].hm_event, TN_HM_EV_WATCHDOG);
}

TEST(watchdog_expiry_with_restart_action_ends_partition)
{
	attach(TN_HM_ACT_COLD_RESTART);
	EXPECT_EQ(run(starved_main, NULL), TN_SIM_HM_STOPPED);
	EXPECT_EQ(model.count, 1);
	EXPECT_EQ(model.at[0], TN_MSEC(4));
}

static int alone_main(void *arg)
{
	struct tn_partition_info info;

	(void)arg;
	EXPECT_EQ(tn_watchdog_start(TN_MSEC(10), 1), -ENODEV);
	EXPECT_EQ(tn_watchdog_kick(), -ENODEV);
	EXPECT_EQ(tn_watchdog_stop(), -EINVAL);
	EXPECT_EQ(tn_partition_info(&info), -ENODEV);
	return 0;
}

TEST(watchdog_alone_on_machine_is_enodev)
{
	tn_sim_hm_clear();
	EXPECT_EQ(run(alone_main, NULL), TN_SIM_DONE);
}

/* ---- what the hypervisor notifies, and the rest ---- */

static int notice_main(void *arg)
{
	(void)arg;
	tn_health_set_handler(handler);
	EXPECT_EQ(tn_sim_hm_notify(TN_HM_EV_WATCHDOG, 7), 0);
	EXPECT_EQ(tn_sim_hm_notify(TN_HM_EV_MEM_FAULT, 0x1000), 0);
	tn_sleep(TN_MSEC(1));
	return 0;
}

TEST(hm_interrupt_drains_every_pending_event_to_handler)
{
	attach(TN_HM_ACT_LOG);
	seen.count = 0;
	EXPECT_EQ(run(notice_main, NULL), TN_SIM_DONE);
	EXPECT_EQ(seen.count, 2);
	EXPECT_EQ(seen.event[0], TN_HEALTH_WATCHDOG);
	EXPECT_EQ(seen.info[0].detail, 7);
	EXPECT_EQ(seen.event[1], TN_HEALTH_HM_NOTICE);
	EXPECT_EQ(seen.info[1].hm_event, TN_HM_EV_MEM_FAULT);
	EXPECT_EQ(seen.info[1].detail, 0x1000);
}

static struct tn_irq irq;

static void nothing(struct tn_irq *i)
{
	(void)i;
}

static int reserved_main(void *arg)
{
	struct tn_partition_info info;

	(void)arg;
	EXPECT_EQ(tn_irq_attach(&irq, HM_INTID, NULL, nothing, NULL), -EINVAL);
	EXPECT_EQ(tn_partition_info(&info), 0);
	EXPECT_EQ(info.restarts, 3);
	EXPECT_EQ(info.vcpus, 1);
	return 0;
}

TEST(hm_interrupt_is_not_given_to_applications)
{
	tn_sim_hm_attach(model_fn, NULL, HM_INTID, 3);
	EXPECT_EQ(run(reserved_main, NULL), TN_SIM_DONE);
}
