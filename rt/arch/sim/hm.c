/*
 * The hypervisor's health monitor on the host simulator: a model the
 * test plays (tenon/sim.h). The test's hook says what the partition's
 * table does with each event; the watchdog expires in simulated time;
 * events notified back wait in a small queue for TN_HC_HM_PENDING.
 */
#include <tenon/hm.h>
#include <tenon/sim.h>

#include "arch/sim/sim_hm.h"
#include "kernel/internal.h"

#define PENDING_MAX 16

static struct {
	tn_sim_hm_fn fn;
	void *arg;
	unsigned int intid;
	uint64_t restarts;
	/* The run's state. */
	uint64_t period_us;
	tn_time_t expires;
	uint64_t kicks;
	struct {
		unsigned int event;
		uint64_t detail;
	} pending[PENDING_MAX];
	unsigned int head, count;
} hm;

void tn_sim_hm_attach(tn_sim_hm_fn fn, void *arg, unsigned int intid,
		      uint64_t restarts)
{
	if (intid < 32 || intid >= TN_IRQ_MAX)
		arch_panic("tn_sim_hm_attach: the HM interrupt is not an SPI");
	hm.fn = fn;
	hm.arg = arg;
	hm.intid = intid;
	hm.restarts = restarts;
}

void tn_sim_hm_clear(void)
{
	hm.fn = NULL;
	hm.arg = NULL;
	hm.intid = 0;
	hm.restarts = 0;
	sim_hm_run_start();
}

void sim_hm_run_start(void)
{
	hm.period_us = 0;
	hm.expires = TN_INFINITE;
	hm.kicks = 0;
	hm.head = hm.count = 0;
}

static int queue(unsigned int event, uint64_t detail)
{
	if (hm.count == PENDING_MAX)
		return -ENOSPC;
	hm.pending[(hm.head + hm.count) % PENDING_MAX].event = event;
	hm.pending[(hm.head + hm.count) % PENDING_MAX].detail = detail;
	hm.count++;
	return 0;
}

int tn_sim_hm_notify(unsigned int event, uint64_t detail)
{
	int ret;

	if (!hm.fn)
		return -ENODEV;
	ret = queue(event, detail);
	if (!ret)
		tn_sim_irq_raise(hm.intid);
	return ret;
}

uint64_t tn_sim_watchdog_period_us(void)
{
	return hm.period_us;
}

uint64_t tn_sim_watchdog_kicks(void)
{
	return hm.kicks;
}

tn_time_t sim_hm_next(void)
{
	return hm.expires;
}

void sim_hm_clock(tn_time_t now)
{
	int action;

	if (!hm.fn || hm.expires > now)
		return;
	action = hm.fn(TN_HM_EV_WATCHDOG, 0, hm.arg);
	hm.expires = time_after(hm.expires, TN_USEC(hm.period_us));
	if (action == TN_HM_ACT_NOTIFY) {
		/* A full queue loses the notice, as the hypervisor's would. */
		if (!queue(TN_HM_EV_WATCHDOG, 0))
			sim_spi_pend(hm.intid);
	} else if (action >= TN_HM_ACT_STOP) {
		hm.expires = TN_INFINITE;
		sim_hm_stop_run(true);
	}
}

/* The hypercalls, checked as the hypervisor checks them. */
int arch_hm_raise(unsigned int event, uint64_t detail)
{
	int action;

	if (!hm.fn)
		return -ENODEV;
	if (event != TN_HM_EV_FATAL && event != TN_HM_EV_DEADLINE &&
	    event != TN_HM_EV_STACK && event != TN_HM_EV_EXCEPTION)
		return -EINVAL;
	action = hm.fn(event, detail, hm.arg);
	if (action >= TN_HM_ACT_STOP)
		sim_hm_stop_run(false);
	/* A default is the hypervisor's to resolve: the model says log. */
	return action == TN_HM_ACT_DEFAULT ? TN_HM_ACT_LOG : action;
}

int arch_watchdog_set(uint64_t period_us)
{
	if (!hm.fn)
		return -ENODEV;
	if (period_us && (period_us < TN_HM_WATCHDOG_MIN_US ||
			  period_us > TN_HM_WATCHDOG_MAX_US))
		return -EINVAL;
	hm.period_us = period_us;
	hm.expires = period_us
			 ? time_after(arch_clock_read(), TN_USEC(period_us))
			 : TN_INFINITE;
	return 0;
}

int arch_watchdog_kick(void)
{
	if (!hm.fn || !hm.period_us)
		return -ENODEV;
	hm.kicks++;
	hm.expires = time_after(arch_clock_read(), TN_USEC(hm.period_us));
	return 0;
}

int arch_hm_pending(unsigned int *event, uint64_t *detail)
{
	if (!hm.fn)
		return -ENODEV;
	if (!hm.count)
		return -ENOENT;
	*event = hm.pending[hm.head].event;
	*detail = hm.pending[hm.head].detail;
	hm.head = (hm.head + 1) % PENDING_MAX;
	hm.count--;
	return 0;
}

unsigned int arch_hm_intid(void)
{
	return hm.fn ? hm.intid : 0;
}

int arch_partition_info(struct tn_partition_info *info)
{
	if (!hm.fn)
		return -ENODEV;
	info->index = 0;
	info->partitions = 1;
	info->vcpus = (unsigned int)arch_cpu_count();
	info->restarts = hm.restarts;
	return 0;
}

void tn_sim_fault(unsigned int event, uint64_t detail)
{
	int action;

	if (in_handler())
		arch_panic("tn_sim_fault: a fault in a handler");
	action = arch_hm_raise(event, detail);
	if (action < 0)
		arch_panic(event == TN_HM_EV_STACK ? "stack overflow"
						   : "unexpected exception");
	health_fault_end(event, detail, action);
}
