/*
 * Health events the core detects in the way threads use it, and those it
 * exchanges with the hypervisor's health monitor (tenon/hm.h) in a
 * partition: they are counted, and passed to a handler (by default, a line
 * on the console) so that an application or a health monitor can act on
 * them.
 */
#ifndef TENON_HEALTH_H
#define TENON_HEALTH_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct tn_thread;

enum tn_health_event {
	TN_HEALTH_LOCK_IMBALANCE, /* unlock of a mutex the thread does not own
				   */
	TN_HEALTH_EXIT_HOLDING,	  /* thread ended holding a mutex */
	TN_HEALTH_EXIT_HOLDING_RWLOCK, /* ... or a reader-writer lock */
	TN_HEALTH_DEADLINE_MISS, /* a periodic thread with TN_DEADLINE_ESCALATE
				    missed a release (rate-limited) */
	TN_HEALTH_FAULT,	 /* a thread faulted and, the hypervisor's table
				    saying notify, was ended */
	TN_HEALTH_WATCHDOG,  /* the hypervisor's watchdog expired (notify) */
	TN_HEALTH_HM_NOTICE, /* another event the hypervisor notified */
	TN_HEALTH_NR_EVENTS,
};

/*
 * What the handler's object points to for the four events above (valid
 * for the call only): the event as the hypervisor knows it, its detail
 * and what the hypervisor's table did about it (TN_HM_ACT_IGNORE, _LOG or
 * _NOTIFY, since it returned; -ENODEV alone on the machine, where nothing
 * is forwarded; another negative errno if the hypervisor refused it).
 */
struct tn_health_info {
	unsigned int hm_event; /* enum tn_hm_event */
	int action;
	uint64_t detail;
};

/*
 * Runs in handler context, on the CPU where the event happened, soon
 * after it (once the kernel lock is released): short, and only services
 * that do not block (see docs/api.md). Events that come faster than the
 * handler runs are counted but may not all reach it. thread is NULL for
 * an event that is no thread's (the watchdog, a hypervisor's notice).
 */
typedef void (*tn_health_fn)(enum tn_health_event event,
			     struct tn_thread *thread, const void *object);

/* NULL restores the default handler. */
void tn_health_set_handler(tn_health_fn fn);
uint64_t tn_health_count(enum tn_health_event event);
const char *tn_health_event_name(enum tn_health_event event);

/*
 * Reports a fatal error of the application to the hypervisor's health
 * monitor (TN_HM_EV_FATAL, code in its log), whose table decides: a stop
 * or a restart does not return; else the action taken (TN_HM_ACT_IGNORE,
 * _LOG or _NOTIFY: the application is to act). -ENODEV alone on the
 * machine: nothing to report to, the application decides. Allowed in
 * handler context.
 */
int tn_health_fatal(uint64_t code);

/* The partition the core runs in, as the hypervisor tells it. */
struct tn_partition_info {
	unsigned int index;	 /* its place in the system description */
	unsigned int partitions; /* how many there are */
	unsigned int vcpus;	 /* its vCPUs */
	uint64_t restarts;	 /* 0 in its first incarnation */
};

/* -ENODEV alone on the machine. */
int tn_partition_info(struct tn_partition_info *info);

#ifdef __cplusplus
}
#endif

#endif
