/*
 * Each CPU's EL2 timer (CNTHP), shared: the console's drain on the
 * console CPU, the watchdog of the partition whose vCPU 0 runs on the
 * CPU. Each user says when it is next due; the timer is set to the
 * earliest, and at its interrupt the users due are called (each sets its
 * next date again, if it has one). Only a CPU's own code touches its
 * dates: no lock.
 */
#include "hyp.h"
#include "core/hm.h"

static uint64_t due[HYP_MAX_CPUS][HT_USERS];

static int cpu(void)
{
	return (int)(read_sysreg(mpidr_el1) & 0xff);
}

static void program(int c)
{
	uint64_t when = 0;

	for (int u = 0; u < HT_USERS; u++)
		if (due[c][u] && (!when || due[c][u] < when))
			when = due[c][u];
	if (!when) {
		write_sysreg(cnthp_ctl_el2, 0);
	} else {
		write_sysreg(cnthp_cval_el2, when);
		write_sysreg(cnthp_ctl_el2, 1); /* ENABLE, not masked */
	}
	isb();
}

void hyptimer_set(enum hyptimer_user u, uint64_t when)
{
	int c = cpu();

	if (due[c][u] == when)
		return;
	due[c][u] = when;
	program(c);
}

void hyptimer_set_earliest(enum hyptimer_user u, uint64_t when)
{
	int c = cpu();

	if (due[c][u] && due[c][u] <= when)
		return;
	due[c][u] = when;
	program(c);
}

void hyptimer_irq(void)
{
	int c = cpu();
	uint64_t now = arch_counter();

	write_sysreg(cnthp_ctl_el2, 0);
	isb();
	for (int u = 0; u < HT_USERS; u++) {
		if (!due[c][u] || due[c][u] > now)
			continue;
		due[c][u] = 0;
		if (u == HT_CONSOLE)
			console_timer_irq();
		else
			hm_watchdog_check();
	}
	program(c);
}
