/*
 * Real-time threads. Each runs on one CPU chosen at creation from its
 * affinity mask (threads never migrate on their own), under SCHED_FIFO,
 * SCHED_RR, SCHED_TP or SCHED_QUOTA (tenon/sched.h) with a priority from
 * TN_PRIO_MIN to TN_PRIO_MAX, higher first.
 * The thread structure is the caller's memory; the stack may be too.
 */
#ifndef TENON_THREAD_H
#define TENON_THREAD_H

#include <tenon/list.h>
#include <tenon/rwlock.h>
#include <tenon/sched.h>
#include <tenon/timer.h>
#include <tenon/types.h>
#include <tenon/wait.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TN_PRIO_MIN 1
#define TN_PRIO_MAX 99

enum tn_policy {
	TN_SCHED_FIFO = 1,
	TN_SCHED_RR = 2,
	TN_SCHED_IDLE = 3,  /* the per-CPU idle threads only */
	TN_SCHED_QUOTA = 4, /* in a quota group (tenon/sched.h) */
	TN_SCHED_TP = 5,    /* in a partition of the TP schedule */
};

#define TN_THREAD_NAME_MAX 32
#define TN_STACK_SIZE_DEFAULT (64 * 1024)
#define TN_STACK_SIZE_MIN (16 * 1024)
#define TN_RR_QUANTUM_DEFAULT TN_MSEC(10)

struct tn_sched_param {
	int policy;   /* enum tn_policy */
	int priority; /* TN_PRIO_MIN .. TN_PRIO_MAX */
	tn_time_t
	    rr_quantum; /* SCHED_RR slice; 0: default, TN_INFINITE: none */
	/* SCHED_QUOTA: its group, on the thread's CPU. */
	struct tn_quota_group *quota_group;
	int tp_partition; /* SCHED_TP: 0..TN_TP_PARTITIONS-1 */
};

struct tn_thread_attr {
	const char *name;
	struct tn_sched_param sched;
	tn_cpumask_t affinity; /* 0: the creator's CPU */
	void *stack;	       /* NULL: allocated now, freed at join */
	size_t stack_size;     /* 0: TN_STACK_SIZE_DEFAULT */
};

struct tn_thread_stats {
	uint64_t switches; /* times switched in */
	uint64_t wakeups;  /* times made ready after blocking */
	uint64_t timeouts; /* waits that ended by timeout */
	tn_time_t runtime; /* ns spent running, up to its last switch out */
	uint64_t lock_imbalances; /* unlocks of mutexes it did not own */
	uint64_t deadline_misses; /* releases of its period it missed */
};

/* Deadline policy flags (tn_thread_set_deadline_policy()). */
#define TN_DEADLINE_NOTIFY 0x1 /* tn_thread_wait_period: -ETIMEDOUT */
#define TN_DEADLINE_ESCALATE                                         \
	0x2 /* TN_HEALTH_DEADLINE_MISS, and TN_HM_EV_DEADLINE to the \
	       hypervisor */
/*
 * Escalation is rate-limited: the first miss of a run of misses (periods
 * that end with the thread not back in tn_thread_wait_period), then every
 * TN_DEADLINE_ESCALATE_EVERY-th miss of the same run.
 */
#define TN_DEADLINE_ESCALATE_EVERY 1000
#define TN_PERIOD_MIN TN_USEC(1)

/* A joined thread that a fault ended returns this. */
#define TN_THREAD_FAULTED ((void *)(intptr_t)-14) /* -EFAULT */

/* The periodic release of a thread; private to the kernel. */
struct tn_periodic {
	struct tn_ktimer timer;
	uint64_t pending;  /* releases not yet waited for */
	uint64_t overruns; /* missed since its last wait */
	uint64_t run;	   /* misses in the current run of misses */
	unsigned int policy;
	bool waiting;  /* in tn_thread_wait_period() */
	bool released; /* its first release came */
};

struct tn_mutex;
struct tn_runqueue;

/* All fields are private to the kernel. */
struct tn_thread {
	struct tn_list link;	/* in a run queue or a wait queue */
	struct tn_runqueue *rq; /* the run queue it is in, or NULL */
	struct tn_wait_queue *wq;
	struct tn_ktimer timeout;
	unsigned int state;
	int prio;
	struct tn_sched_param sched;
	tn_time_t rr_left;
	tn_time_t run_start;
	int cpu;
	tn_cpumask_t affinity;
	int wait_status;
	uintptr_t wait_arg;	     /* what the waiter asks of the element */
	uintptr_t wait_result;	     /* what the element hands it on wake-up */
	struct tn_mutex *wait_mutex; /* the mutex it waits for, if any */
	struct tn_list mutexes;	     /* mutexes it holds */
	struct tn_rwlock *rwlocks[TN_RWLOCK_HELD_MAX]; /* held, NULL: free */
	bool requeue_tail;
	bool boosted; /* runs in the FIFO class for a lock it holds */
	void *(*entry)(void *arg);
	void *arg;
	void *retval;
	struct tn_wait_queue joiners;
	struct tn_thread *joiner;
	void *stack;
	size_t stack_size;
	bool stack_owned;
	void *arch;
	struct tn_list all;
	struct tn_thread_stats stats;
	struct tn_periodic periodic;
	uint32_t id; /* 1, 2, ... in creation order; 0: an idle thread */
	unsigned int magic;
	char name[TN_THREAD_NAME_MAX];
};

/* What tn_thread_info.state holds: one of the first five. */
#define TN_THREAD_RUNNING 0x1  /* on its CPU now */
#define TN_THREAD_READY 0x2    /* waits for its CPU */
#define TN_THREAD_WAITING 0x4  /* on an element: see waits_on */
#define TN_THREAD_SLEEPING 0x8 /* tn_sleep() and the like */
#define TN_THREAD_ENDED 0x10   /* ended, not joined yet */

/* A thread as a ps tool shows it, read in one step. */
struct tn_thread_info {
	struct tn_thread *thread;
	char name[TN_THREAD_NAME_MAX];
	unsigned int state; /* TN_THREAD_* */
	int cpu;
	int policy;	   /* enum tn_policy */
	int base_priority; /* as set */
	int priority;	   /* in force, PI/PP boosts included */
	/*
	 * The wait queue it is on (the element's own address for
	 * semaphores, flags, events, mutexes and reader-writer locks),
	 * or NULL; the mutex it waits for, or NULL.
	 */
	const void *waits_on;
	const struct tn_mutex *waits_for_mutex;
	tn_time_t timeout_left; /* until its wait times out; TN_INFINITE */
	struct tn_thread_stats stats;
	uint32_t id;		      /* as tn_thread_id() gives it */
	tn_time_t period;	      /* 0: not periodic */
	unsigned int deadline_policy; /* TN_DEADLINE_* */
};

/* Fills attr with defaults: FIFO, TN_PRIO_MIN, caller's CPU, own stack. */
void tn_thread_attr_init(struct tn_thread_attr *attr);
/*
 * Creates and starts a thread running entry(arg); it preempts the caller
 * at once if its priority is higher. -EINVAL: a bad attribute (policy,
 * priority, quantum, affinity, stack size, a quota group not live or not
 * on the thread's CPU, a TP partition out of range); -ENOMEM: no stack could be
 * allocated; -EBUSY: the structure holds a thread not yet joined.
 */
int tn_thread_create(struct tn_thread *thread,
		     const struct tn_thread_attr *attr,
		     void *(*entry)(void *arg), void *arg);
/* Ends the calling thread; returning from entry does the same. */
__attribute__((noreturn)) void tn_thread_exit(void *retval);
/*
 * Waits for thread to end and releases it (its stack, if the kernel
 * allocated it). -EDEADLK: joining oneself; -EBUSY: another thread joins
 * it already; -EINVAL: not a thread, or already joined.
 */
int tn_thread_join(struct tn_thread *thread, void **retval);
struct tn_thread *tn_thread_self(void);
/*
 * Moves the caller behind the other ready threads of its priority, so they
 * run first; returns at once if there are none.
 */
int tn_thread_yield(void);
/*
 * Changes policy, priority and round-robin quantum at run time. A raised
 * thread goes behind its new priority's ready threads, a lowered one in
 * front of them (as POSIX does); it may preempt or be preempted at once.
 */
int tn_thread_set_sched(struct tn_thread *thread,
			const struct tn_sched_param *param);
int tn_thread_get_sched(struct tn_thread *thread, struct tn_sched_param *param);
/* Shorthand for tn_thread_set_sched() keeping policy and quantum. */
int tn_thread_set_priority(struct tn_thread *thread, int priority);
int tn_thread_get_priority(struct tn_thread *thread);
/* The priority it runs at now: its own, or higher while boosted by PI/PP. */
int tn_thread_get_effective_priority(struct tn_thread *thread);
const char *tn_thread_name(const struct tn_thread *thread);
/* The CPU the thread runs on. */
int tn_thread_cpu(const struct tn_thread *thread);
int tn_thread_get_stats(struct tn_thread *thread,
			struct tn_thread_stats *stats);
/* The state of one live thread; -EINVAL if it is not one. */
int tn_thread_get_info(struct tn_thread *thread, struct tn_thread_info *info);
/*
 * Every live thread (created, not joined) in creation order, read in one
 * step: fills up to nr entries and returns how many threads there are
 * (more than nr: the list was cut).
 */
int tn_thread_list(struct tn_thread_info *infos, int nr);
/* A number for the thread, 1, 2, ... in creation order (0: idle). */
uint32_t tn_thread_id(const struct tn_thread *thread);

/*
 * Periodic threads (as Xenomai's rt_task_set_periodic/wait_period). The
 * caller is released at first (an absolute date; one already past
 * releases at once), then every period ns. period 0 ends periodic mode.
 * Resets the count of releases not yet waited for. -EINVAL: a negative
 * date, a period below TN_PERIOD_MIN; -EPERM: in a handler.
 */
int tn_thread_set_periodic(tn_time_t first, tn_time_t period);
/*
 * Waits for the caller's next release. A release that came while the
 * thread had not come back here (past its first) is a missed deadline:
 * counted at the release (stats.deadline_misses), so a thread that never
 * comes back is caught too. Late, the call returns at once, *overruns
 * (if not NULL) saying how many releases were missed since the last
 * wait; 0 else. -ETIMEDOUT instead of 0 when late under
 * TN_DEADLINE_NOTIFY. -EINVAL: the caller is not periodic; -EPERM: in a
 * handler.
 */
int tn_thread_wait_period(uint64_t *overruns);
/*
 * TN_DEADLINE_NOTIFY and/or TN_DEADLINE_ESCALATE, or 0 (only counted).
 * -EINVAL: other bits, or not a live thread. Allowed in handler context.
 */
int tn_thread_set_deadline_policy(struct tn_thread *thread, unsigned int flags);

#ifdef __cplusplus
}
#endif

#endif
