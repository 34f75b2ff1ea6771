/*
 * The kernel's private interface between its elements: per-CPU state, the
 * kernel lock, scheduling, blocking and waking, wait queues and the per-CPU
 * timer queues. Everything here is called with the kernel lock held unless
 * its comment says otherwise.
 */
#ifndef TENON_KERNEL_INTERNAL_H
#define TENON_KERNEL_INTERNAL_H

#include <tenon/health.h>
#include <tenon/hm.h>
#include <tenon/tenon.h>

#include "kernel/arch.h"

/* Run-queue priority levels: 0 is below every real-time thread. */
#define TN_NR_PRIO 128

/* Thread states, as bits. A thread with none of them is ready or running. */
#define TN_T_BLOCKED 0x1 /* waiting: on a wait queue, or sleeping */
#define TN_T_ZOMBIE 0x2	 /* ended, not joined yet */
#define TN_T_DORMANT 0x4 /* joined, or never created */

#define TN_THREAD_MAGIC 0x7e7e7401u
#define TN_TIMER_MAGIC 0x7e7e7402u
#define TN_SEM_MAGIC 0x7e7e7403u
#define TN_FLAGS_MAGIC 0x7e7e7404u
#define TN_MUTEX_MAGIC 0x7e7e7406u
#define TN_SUBSCRIBER_MAGIC 0x7e7e7409u

/* A health event waiting for its handler (see handler.c). */
struct health_call {
	enum tn_health_event event;
	struct tn_thread *thread;
	const void *object;
	bool has_info; /* the handler gets &info as its object */
	bool raise;    /* TN_HC_HM_RAISE it first, as the handler runs */
	struct tn_health_info info;
};

#define TN_HEALTH_CALLS 8

struct tn_runqueue {
	uint64_t map[TN_NR_PRIO / 64]; /* bit p: level[p] is not empty */
	struct tn_list level[TN_NR_PRIO];
};

/* A stretch of the TP cycle: from start to the next slot's (or the end). */
struct tp_slot {
	tn_time_t start;
	int partition; /* or TN_TP_GAP */
	int window;    /* its window's index, -1 for a gap */
};

#define TP_SLOTS (2 * TN_TP_WINDOWS_MAX + 1)

/* The TP schedule of one CPU (tp.c). */
struct tp_state {
	struct tn_runqueue rq[TN_TP_PARTITIONS]; /* ready, by partition */
	struct tn_tp_window windows[TN_TP_WINDOWS_MAX];
	int nr_windows;
	struct tp_slot slots[TP_SLOTS];
	int nr_slots;
	tn_time_t cycle;
	bool installed, running;
	tn_time_t start;	/* of the running schedule */
	tn_time_t cycle_start;	/* of the cycle in progress */
	int slot;		/* in force */
	int active;		/* partition in force; TN_TP_GAP: none */
	struct tn_ktimer timer; /* the next slot's start */
};

struct tn_cpu {
	int id;
	struct tn_thread *curr;
	struct tn_thread idle;
	struct tn_runqueue rq;
	struct tn_rb_root timers;
	tn_time_t programmed; /* date the hardware timer is set to */
	struct tn_ktimer rr_timer;
	/* SCHED_QUOTA (quota.c): ready threads of groups with budget. */
	struct tn_runqueue quota_rq;
	struct tn_list quota_groups;
	tn_time_t quota_period;
	struct tn_ktimer quota_refill; /* every period, while groups exist */
	struct tn_ktimer quota_out;    /* the running group's budget's end */
	struct tn_quota_group *quota_charged; /* the running thread's */
	tn_time_t quota_since; /* date it was last charged up to */
	struct tp_state tp;
	bool need_resched;
	/* Handler context (handler.c): calls due, and whether one runs. */
	bool handlers_due;
	bool in_handler;
	bool in_irq; /* between an interrupt entry point and tn_irq_exit() */
	struct tn_list timer_calls; /* timers whose handler is due */
	struct health_call health_calls[TN_HEALTH_CALLS];
	unsigned int health_head, health_count;
};

extern struct tn_cpu tn_cpus[TN_MAX_CPUS];
extern struct tn_list tn_all_threads;

static inline struct tn_cpu *this_cpu(void)
{
	return &tn_cpus[arch_cpu_id()];
}

static inline unsigned long tn_lock(void)
{
	unsigned long flags = arch_irq_save();

	arch_kernel_lock();
	return flags;
}

/* handler.c: runs the handlers due on this CPU; kernel locked. */
void handlers_run(void);

/*
 * Application handlers never run under the kernel lock: they are queued
 * on their CPU while it is held, and run here, as it is released, so that
 * they may call the services that do not block.
 */
static inline void tn_unlock(unsigned long flags)
{
	struct tn_cpu *cpu = this_cpu();

	if (cpu->handlers_due && !cpu->in_handler)
		handlers_run();
	arch_kernel_unlock();
	arch_irq_restore(flags);
}

bool irq_context(void);
/*
 * Whether the caller is a handler (a timer's or health handler, or an
 * interrupt handler in interrupt context): blocking services refuse
 * (-EPERM). No masking needed: a handler runs with interrupts masked, and
 * a thread, which never migrates, always reads false on its own CPU.
 */
static inline bool in_handler(void)
{
	return this_cpu()->in_handler || irq_context();
}

/*
 * date + delay (delay >= 0), saturated at TN_INFINITE: a date past the end
 * of time is one that never comes, never one that wraps into the past.
 */
static inline tn_time_t time_after(tn_time_t date, tn_time_t delay)
{
	tn_time_t sum;

	if (__builtin_add_overflow(date, delay, &sum))
		return TN_INFINITE;
	return sum;
}

/* sched.c */
void sched_init_cpu(struct tn_cpu *cpu);
/* Makes a thread that is not queued ready, preempting if it should. */
void sched_ready(struct tn_thread *thread);
/* Dequeues the best ready thread of cpu, or returns its idle thread. */
struct tn_thread *sched_pick(struct tn_cpu *cpu);
/* Switches away if this CPU was asked to reschedule. */
void sched_run(void);
/* Puts the current thread back (if still ready) and runs the best one. */
void sched_switch(void);
/* Changes a thread's effective priority wherever it is queued. */
/*
 * boosted: it runs in the FIFO class for a lock it holds, whatever its
 * own class (see mutex.c).
 */
void sched_set_prio(struct tn_thread *thread, int prio, bool boosted);
/*
 * t's policy, group or partition changed (its priority aside): it moves
 * to where it belongs now, preempting or being preempted as it should.
 */
void sched_moved(struct tn_thread *t);
void rq_init(struct tn_runqueue *rq);
/* Asks cpu to reschedule (an IPI if it is another CPU). */
void sched_resched(struct tn_cpu *cpu);
/* The run queue a ready thread goes to now; NULL: it is held. */
struct tn_runqueue *sched_queue_of(struct tn_cpu *cpu, struct tn_thread *t);
void rq_add(struct tn_runqueue *rq, struct tn_thread *t, bool head);
void rq_remove(struct tn_thread *t);
/* The best thread of rq without dequeuing it, or NULL. */
struct tn_thread *rq_first(const struct tn_runqueue *rq);
/*
 * Where t ranks on its CPU now: class (FIFO/RR or boosted 3, TP 2,
 * quota 1, idle 0) * 256 + priority.
 */
int sched_rank(const struct tn_thread *t);
/* The same for its own policy and base priority, no boost. */
int sched_base_rank(const struct tn_thread *t);
/* Takes a thread that is not running out of its queue (run or held). */
void sched_dequeue(struct tn_thread *t);
/* Puts a ready thread that is not running back where it belongs now. */
void sched_enqueue(struct tn_thread *t, bool head);
/* Blocks the current thread until woken or until timeout (absolute). */
int thread_block(tn_time_t timeout);
/* Ends a thread's wait with status (0, -ETIMEDOUT, -EIDRM, ...). */
void thread_wake(struct tn_thread *thread, int status);

/* quota.c */
void quota_init_cpu(struct tn_cpu *cpu);
/* Charges the running thread's group up to now; may throttle it. */
void quota_charge(struct tn_cpu *cpu, tn_time_t now);
/* The running thread stops being charged (after quota_charge()). */
void quota_switch_out(struct tn_cpu *cpu);
/* next starts running at now: charge its group from now on. */
void quota_switch_in(struct tn_cpu *cpu, struct tn_thread *next, tn_time_t now);
/* Checks a SCHED_QUOTA parameter for a thread of cpu. */
int quota_check(const struct tn_sched_param *p, int cpu);
/* A thread joins (+1) or leaves (-1) a group. */
void quota_count(struct tn_quota_group *g, int delta);
/* The group's threads wait for the next period (or not). */
static inline bool quota_held(const struct tn_quota_group *g)
{
	return g->throttled;
}

/* tp.c */
void tp_init_cpu(struct tn_cpu *cpu);
/* Whether partition p of cpu runs now. */
static inline bool tp_active(const struct tn_cpu *cpu, int p)
{
	return cpu->tp.running && cpu->tp.active == p;
}

/* thread.c */
/* A live application thread: created, not joined, not an idle thread. */
bool thread_is_live(const struct tn_thread *t);
/* Numbers threads from 1 again (a new run of the core). */
void thread_ids_reset(void);
/* Resets a thread structure for the given CPU, stack aside. */
void thread_init_common(struct tn_thread *t, const char *name, int cpu);

/* mutex.c */
/*
 * Recomputes a thread's effective priority from its base priority and the
 * mutexes it holds, and carries the change along the chain of owners it
 * waits for.
 */
void thread_refresh_prio(struct tn_thread *t);
/* Lock and unlock with the kernel lock held (for events). */
int mutex_lock_locked(struct tn_mutex *m, tn_time_t timeout, bool wait);
int mutex_unlock_locked(struct tn_mutex *m);
/* A mutex waiter left without the mutex (timeout, unblock). */
void mutex_abort_wait(struct tn_thread *t);
/* The current thread ends: release what it holds. */
void mutex_release_all(struct tn_thread *t);

/* rwlock.c: the current thread ends: release what it holds. */
void rwlock_release_all(struct tn_thread *t);

/* poll.c: what pollable elements call */
void poll_head_init(struct tn_poll_head *head);
/* The element may have become ready: its watchers look again. */
void poll_notify(struct tn_poll_head *head);
/* The element is being destroyed: its watchers see it gone. */
void poll_source_gone(struct tn_poll_head *head);

/* health.c */
void health_reset(void);
/* Counts the event and queues it for the handler, run once unlocked. */
void health_report(enum tn_health_event event, struct tn_thread *t,
		   const void *object);
/*
 * The same with a tn_health_info for the handler; raise: the event goes
 * to the hypervisor first (unlocked, when the handler's turn comes), and
 * info.action becomes what its table did.
 */
void health_report_info(enum tn_health_event event, struct tn_thread *t,
			const struct tn_health_info *info, bool raise);
/* Passes one queued event to the handler (or the console); unlocked. */
void health_call(struct health_call *call);
/* Routes and unmasks the HM interrupt, if there is one; unlocked. */
void health_start(void);
/* The HM interrupt (tn_irq_dispatch()). */
void health_interrupt(void);
/*
 * Ends the current thread after a fault the hypervisor's table let it
 * survive (action: what it did): the others run on; for a notify, the
 * health handler hears of it first. Unlocked, in the thread's context.
 */
__attribute__((noreturn)) void health_fault_end(unsigned int hm_event,
						uint64_t detail, int action);

/* wait.c */
void wq_init(struct tn_wait_queue *wq);
/* The waiting thread at the head (highest priority), or NULL. */
static inline struct tn_thread *wq_first(const struct tn_wait_queue *wq)
{
	return tn_list_empty(&wq->waiters)
		   ? NULL
		   : tn_list_entry(wq->waiters.next, struct tn_thread, link);
}

/* Queues t by priority without blocking it (see thread_block()). */
void wq_enqueue(struct tn_wait_queue *wq, struct tn_thread *t);
/* Queues the caller by priority and blocks; returns the wake status. */
int wq_wait(struct tn_wait_queue *wq, tn_time_t timeout);
struct tn_thread *wq_wake_one(struct tn_wait_queue *wq, int status);
int wq_wake_all(struct tn_wait_queue *wq, int status);
void wq_remove(struct tn_thread *thread);
/* Moves a waiter to its place after its priority changed. */
void wq_requeue(struct tn_thread *thread);

static inline bool wq_empty(const struct tn_wait_queue *wq)
{
	return tn_list_empty(&wq->waiters);
}

/* timer.c: takes the next timer handler due on cpu, if any. */
bool timer_call_next(struct tn_cpu *cpu, struct tn_timer **timer,
		     tn_timer_fn *fn, uint64_t *expiries);

/* clock.c: per-CPU timer queues */
void ktimer_init(struct tn_ktimer *kt, tn_ktimer_fn fn, int cpu);
void ktimer_start(struct tn_ktimer *kt, tn_time_t date, tn_time_t interval);
void ktimer_stop(struct tn_ktimer *kt);

static inline bool ktimer_armed(const struct tn_ktimer *kt)
{
	return tn_rb_linked(&kt->node);
}

/* log.c */
void log_reset(void);
/* From now on text is queued, and written out by the idle threads. */
void log_start(void);
/* The idle thread's share: writes out what its CPU queued. */
void log_drain_cpu(int cpu);
/*
 * Writes out every queue and makes later text go out at once: for the
 * end of the application (fault false) and fault reports (fault true:
 * waits for other consumers a bounded time only).
 */
void log_go_direct(bool fault);
/* channel.c */
struct tn_channel;
void channel_reset(void);
/* A poll item starts (+1) or stops (-1) watching ch. */
void channel_poll_watch(struct tn_channel *ch, int delta);
bool channel_poll_ready(const struct tn_channel *ch);
struct tn_poll_head *channel_poll_head(struct tn_channel *ch);
/* watchdog.c: forgets a watchdog of an earlier run. */
void watchdog_reset(void);
/* ps.c: publishes the thread table, if the system asks for it. */
void ps_start(void);
/* The thread table's name (enum tn_ps_policy) of a policy. */
uint32_t ps_policy(int policy);
/* irq.c */
void irq_reset(void);
/* Whether the caller runs in interrupt context. */
bool irq_context(void);
/* cpu is about to run next: the threshold's mask follows it. */
void irq_switch_to(struct tn_cpu *cpu, const struct tn_thread *next);
/* The running thread of cpu changed priority. */
void irq_prio_changed(struct tn_cpu *cpu);
/* The one interrupt entry of the ports, interrupts masked, before EOI. */
void tn_irq_dispatch(unsigned int intid);

/* init.c: what the port calls */
struct tn_boot {
	int (*main)(void *arg);
	void *arg;
	int main_priority;
};
/* Resets every kernel structure; called once before any CPU starts. */
void tn_kernel_init(const struct tn_boot *boot);
/* The idle thread's body on each CPU; CPU 0 first starts "main". */
__attribute__((noreturn)) void tn_cpu_main(void);
struct tn_thread *tn_cpu_idle_thread(int cpu);
/* The core's interrupt handlers, called by tn_irq_dispatch(). */
void tn_timer_interrupt(void);
void tn_ipi_interrupt(void);
/* Called as an interrupt returns, interrupts enabled: may switch away. */
void tn_irq_exit(void);
/* Frees what live threads hold; for a port that stops (the simulator). */
void tn_kernel_release(void);

#endif
