/*
 * Health events: counted per kind and passed to the application's handler,
 * or reported on the console by default. Events happen with the kernel
 * locked; the handler runs once it is released (see handler.c), from a
 * small queue per CPU: events past its size are counted, not passed on.
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

void health_report(enum tn_health_event event, struct tn_thread *t,
		   const void *object)
{
	struct tn_cpu *cpu = this_cpu();
	struct health_call *call;

	counts[event]++;
	if (cpu->health_count == TN_HEALTH_CALLS)
		return;
	call = &cpu->health_calls[(cpu->health_head + cpu->health_count) %
				  TN_HEALTH_CALLS];
	call->event = event;
	call->thread = t;
	call->object = object;
	cpu->health_count++;
	cpu->handlers_due = true;
}

void health_call(const struct health_call *call)
{
	tn_health_fn fn = __atomic_load_n(&handler, __ATOMIC_ACQUIRE);
	char line[128];
	size_t n;

	if (fn) {
		fn(call->event, call->thread, call->object);
		return;
	}
	n = append(line, sizeof(line), 0, "tenon: health: thread '");
	n = append(line, sizeof(line), n, call->thread->name);
	n = append(line, sizeof(line), n, "': ");
	n = append(line, sizeof(line), n, tn_health_event_name(call->event));
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
