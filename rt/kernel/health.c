/*
 * Health events: counted per kind and passed to the application's handler,
 * or reported on the console by default. Events happen with the kernel
 * locked; the handler runs once it is released (see handler.c), from a
 * small queue per CPU: events past its size are counted, not passed on.
 *
 * In a partition, some events also go to the hypervisor's health monitor
 * (TN_HC_HM_RAISE), whose table decides what is done: a deadline miss
 * under TN_DEADLINE_ESCALATE, a fault, a fatal error. The hypercall is
 * made as the handler's turn comes, never under the kernel lock: a
 * restart or a stop does not return, and the lock would stay taken for
 * the other CPUs meanwhile. What it notifies back by its interrupt (the
 * watchdog) is drained here too.
 */
#include <string.h>
#include <tenon/health.h>
#include <tenon/log.h>

#include "kernel/internal.h"

static tn_health_fn handler;
static uint64_t counts[TN_HEALTH_NR_EVENTS];

const char *tn_health_event_name(enum tn_health_event event)
{
	switch (event) {
	case TN_HEALTH_LOCK_IMBALANCE:
		return "unlock of a mutex the thread does not own";
	case TN_HEALTH_EXIT_HOLDING:
		return "thread ended holding a mutex";
	case TN_HEALTH_EXIT_HOLDING_RWLOCK:
		return "thread ended holding a reader-writer lock";
	case TN_HEALTH_DEADLINE_MISS:
		return "deadline missed";
	case TN_HEALTH_FAULT:
		return "thread ended by a fault";
	case TN_HEALTH_WATCHDOG:
		return "watchdog expired";
	case TN_HEALTH_HM_NOTICE:
		return "health monitor notice";
	case TN_HEALTH_NR_EVENTS:
		break;
	}
	return "unknown health event";
}

void health_reset(void)
{
	handler = NULL;
	memset(counts, 0, sizeof(counts));
}

/* No formatting library in the kernel: lines are assembled by hand. */
static size_t append(char *line, size_t size, size_t n, const char *text)
{
	while (*text && n + 1 < size)
		line[n++] = *text++;
	line[n] = '\0';
	return n;
}

static struct health_call *queue_call(enum tn_health_event event,
				      struct tn_thread *t)
{
	struct tn_cpu *cpu = this_cpu();
	struct health_call *call;

	counts[event]++;
	if (cpu->health_count == TN_HEALTH_CALLS)
		return NULL;
	call = &cpu->health_calls[(cpu->health_head + cpu->health_count) %
				  TN_HEALTH_CALLS];
	memset(call, 0, sizeof(*call));
	call->event = event;
	call->thread = t;
	cpu->health_count++;
	cpu->handlers_due = true;
	return call;
}

void health_report(enum tn_health_event event, struct tn_thread *t,
		   const void *object)
{
	struct health_call *call = queue_call(event, t);

	if (call)
		call->object = object;
}

void health_report_info(enum tn_health_event event, struct tn_thread *t,
			const struct tn_health_info *info, bool raise)
{
	struct health_call *call = queue_call(event, t);

	if (!call)
		return;
	call->has_info = true;
	call->raise = raise;
	call->info = *info;
}

/*
 * Hexadecimal, for the default handler's lines: details are addresses,
 * syndromes and packed fields.
 */
static size_t append_hex(char *line, size_t size, size_t n, uint64_t v)
{
	char digits[16];
	int k = 0;

	do {
		digits[k++] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	n = append(line, size, n, "0x");
	while (k && n + 1 < size)
		line[n++] = digits[--k];
	line[n] = '\0';
	return n;
}

void health_call(struct health_call *call)
{
	tn_health_fn fn = __atomic_load_n(&handler, __ATOMIC_ACQUIRE);
	const void *object = call->has_info ? &call->info : call->object;
	char line[160];
	size_t n;

	if (call->raise)
		call->info.action =
		    arch_hm_raise(call->info.hm_event, call->info.detail);
	if (fn) {
		fn(call->event, call->thread, object);
		return;
	}
	n = append(line, sizeof(line), 0, "tenon: health: ");
	if (call->thread) {
		n = append(line, sizeof(line), n, "thread '");
		n = append(line, sizeof(line), n, call->thread->name);
		n = append(line, sizeof(line), n, "': ");
	}
	n = append(line, sizeof(line), n, tn_health_event_name(call->event));
	if (call->has_info) {
		const char *act =
		    tn_hm_action_name((unsigned int)call->info.action);

		n = append(line, sizeof(line), n, " (detail ");
		n = append_hex(line, sizeof(line), n, call->info.detail);
		if (call->info.action >= 0 && act) {
			n = append(line, sizeof(line), n, ", hypervisor: ");
			n = append(line, sizeof(line), n, act);
		}
		n = append(line, sizeof(line), n, ")");
	}
	n = append(line, sizeof(line), n, "\n");
	tn_log_write(line, n);
}

void tn_health_set_handler(tn_health_fn fn)
{
	/* Read unlocked by health_call(), on any CPU. */
	__atomic_store_n(&handler, fn, __ATOMIC_RELEASE);
}

uint64_t tn_health_count(enum tn_health_event event)
{
	unsigned long flags;
	uint64_t n;

	if (event >= TN_HEALTH_NR_EVENTS)
		return 0;
	flags = tn_lock();
	n = counts[event];
	tn_unlock(flags);
	return n;
}

int tn_health_fatal(uint64_t code)
{
	/* Written out first: a restart that follows would lose it. */
	if (!in_handler())
		tn_log_flush();
	return arch_hm_raise(TN_HM_EV_FATAL, code);
}

int tn_partition_info(struct tn_partition_info *info)
{
	if (!info)
		return -EINVAL;
	return arch_partition_info(info);
}

void health_start(void)
{
	unsigned int intid = arch_hm_intid();
	unsigned long flags;

	if (!intid || intid >= arch_irq_count())
		return;
	flags = tn_lock();
	arch_irq_route(intid, 0);
	arch_irq_unmask(intid, 0);
	tn_unlock(flags);
}

void health_interrupt(void)
{
	unsigned long flags = tn_lock();
	struct tn_cpu *cpu = this_cpu();
	struct tn_health_info info;
	uint64_t detail;
	unsigned int event;
	/*
	 * Bounded: a hypervisor that always has one more must not keep the
	 * CPU here. What is left is taken at the next HM interrupt.
	 */
	int budget = 4 * TN_HEALTH_CALLS;

	cpu->in_irq = true;
	while (budget-- > 0) {
		tn_unlock(flags);
		if (arch_hm_pending(&event, &detail))
			return;
		flags = tn_lock();
		cpu->in_irq = true;
		info.hm_event = event;
		info.action = TN_HM_ACT_NOTIFY;
		info.detail = detail;
		health_report_info(event == TN_HM_EV_WATCHDOG
				       ? TN_HEALTH_WATCHDOG
				       : TN_HEALTH_HM_NOTICE,
				   NULL, &info, false);
	}
	tn_unlock(flags);
}

void health_fault_end(unsigned int hm_event, uint64_t detail, int action)
{
	struct tn_health_info info = {
	    .hm_event = hm_event,
	    .action = action,
	    .detail = detail,
	};
	unsigned long flags = tn_lock();

	/* Counted whatever the action; only a notify is the handler's. */
	if (action == TN_HM_ACT_NOTIFY)
		health_report_info(TN_HEALTH_FAULT, this_cpu()->curr, &info,
				   false);
	else
		counts[TN_HEALTH_FAULT]++;
	/* The handler runs here, as the lock is released. */
	tn_unlock(flags);
	tn_thread_exit(TN_THREAD_FAULTED);
}
