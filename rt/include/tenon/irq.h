/*
 * Interrupts of the devices a partition owns. A handler is attached to an
 * interrupt number (the GIC's INTID: SGIs 0-15, PPIs 16-31, SPIs from 32)
 * and runs either in interrupt context, or in a thread of its own at a
 * priority the application picks: then the interrupt stays masked at the
 * interrupt controller from the moment it is taken until the handler
 * returns, as Linux's threaded interrupts and EVL's do, so a level line
 * the handler has not cleared yet cannot storm the CPU.
 *
 * A priority threshold lets the application say which threads are more
 * important than every device interrupt: a thread whose effective
 * priority is at or above it runs with device interrupts masked at the
 * CPU interface. The core's own timer and inter-CPU interrupts stay above
 * the mask, since the threads above it need them.
 */
#ifndef TENON_IRQ_H
#define TENON_IRQ_H

#include <tenon/thread.h>
#include <tenon/types.h>
#include <tenon/wait.h>

/* INTIDs 0 .. TN_IRQ_MAX - 1 may exist (fewer on a given machine). */
#define TN_IRQ_MAX 1020
/* tn_irq_set_threshold(): no thread masks device interrupts. */
#define TN_IRQ_NO_THRESHOLD 0

struct tn_irq;
/*
 * In interrupt context: interrupts masked, may call only non-blocking
 * services (tn_sem_put, tn_flags_post, tn_event_signal, tn_*_trywait,
 * ...); a switch it causes happens once the interrupt is over. Threaded:
 * an ordinary thread, blocking allowed, the interrupt masked meanwhile.
 */
typedef void (*tn_irq_fn)(struct tn_irq *irq);

struct tn_irq_attr {
	const char *name;
	/* 0: the handler runs in interrupt context; else its thread's. */
	int priority;
	tn_cpumask_t affinity; /* one CPU takes it; 0: the caller's */
	size_t stack_size;     /* of the handler thread; 0: the default */
};

struct tn_irq_stats {
	uint64_t taken;	  /* times the interrupt was taken */
	uint64_t handled; /* times the handler returned */
};

/* All fields are private to the kernel. */
struct tn_irq {
	unsigned int intid;
	int cpu;
	int priority;
	tn_irq_fn fn;
	void *data;
	bool enabled;	 /* as the application asked */
	bool in_handler; /* handler running or queued: line masked */
	bool queued;	 /* taken, its thread has not started on it */
	bool live;	 /* set up, not being detached */
	bool stopping;	 /* its thread is to end */
	int running;	 /* interrupt-context handler calls under way */
	struct tn_wait_queue waiters;
	struct tn_thread thread;
	struct tn_irq_stats stats;
	unsigned int magic;
};

/* Fills attr with defaults: interrupt context, the caller's CPU. */
void tn_irq_attr_init(struct tn_irq_attr *attr);
/*
 * Attaches fn (called with the irq: see tn_irq_data()) to interrupt intid,
 * routed to the attribute's CPU, and enables it. -EINVAL: a NULL irq or
 * fn, a bad attribute (priority, affinity, stack size), or an intid the
 * core does not give out (its own SGI and timer PPI, the machine's
 * numbers past the last); -EBUSY: intid or irq already attached; -ENOMEM:
 * no stack for the handler thread; -EPERM: called in interrupt context.
 */
int tn_irq_attach(struct tn_irq *irq, unsigned int intid,
		  const struct tn_irq_attr *attr, tn_irq_fn fn, void *data);
/*
 * Stops delivery and releases intid; returns once no handler runs any
 * more and the handler thread has ended. -EINVAL: not attached; -EDEADLK:
 * called by the handler thread itself; -EPERM: in interrupt context.
 */
int tn_irq_detach(struct tn_irq *irq);
/*
 * Unmasks or masks the interrupt at the interrupt controller; one taken
 * while disabled stays pending there until enabled. A handler already
 * running finishes. -EINVAL: not attached.
 */
int tn_irq_enable(struct tn_irq *irq);
int tn_irq_disable(struct tn_irq *irq);
/*
 * Makes the interrupt pending at the controller, as its device would (an
 * SGI is sent to the attached CPU): for software-raised events and tests.
 * Safe in any handler, timer handlers included. -EINVAL: not attached.
 */
int tn_irq_raise(struct tn_irq *irq);
void *tn_irq_data(struct tn_irq *irq);
int tn_irq_get_stats(struct tn_irq *irq, struct tn_irq_stats *stats);
/*
 * Threads whose effective priority is priority or above run with device
 * interrupts masked (TN_IRQ_NO_THRESHOLD: none do, the default). It
 * takes effect on the caller's CPU at once, on the others as soon as they
 * take the inter-CPU interrupt the call sends them. -EINVAL: neither 0
 * nor a thread priority.
 */
int tn_irq_set_threshold(int priority);
int tn_irq_get_threshold(void);

#endif
