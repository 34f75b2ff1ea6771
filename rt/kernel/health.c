/*
 * Health events: counted per kind and passed to the application's handler,
 * or reported on the console by default.
 */
#include <string.h>
#include <tenon/health.h>

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
	char line[128];
	size_t n;

	counts[event]++;
	if (handler) {
		handler(event, t, object);
		return;
	}
	n = append(line, sizeof(line), 0, "tenon: health: thread '");
	n = append(line, sizeof(line), n, t->name);
	n = append(line, sizeof(line), n, "': ");
	append(line, sizeof(line), n, tn_health_event_name(event));
	arch_report(line);
}

void tn_health_set_handler(tn_health_fn fn)
{
	unsigned long flags = tn_lock();

	handler = fn;
	tn_unlock(flags);
}

uint64_t tn_health_count(enum tn_health_event event)
{
	return event < TN_HEALTH_NR_EVENTS ? counts[event] : 0;
}
