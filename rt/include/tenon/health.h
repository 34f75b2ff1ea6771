/*
 * Health events the core detects in the way threads use it: they are
 * counted, and passed to a handler (by default, a line on the console) so
 * that an application or a health monitor can act on them.
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
	TN_HEALTH_NR_EVENTS,
};

/*
 * Runs in handler context, on the CPU where the event happened, soon
 * after it (once the kernel lock is released): short, and only services
 * that do not block (see docs/api.md). Events that come faster than the
 * handler runs are counted but may not all reach it.
 */
typedef void (*tn_health_fn)(enum tn_health_event event,
			     struct tn_thread *thread, const void *object);

/* NULL restores the default handler. */
void tn_health_set_handler(tn_health_fn fn);
uint64_t tn_health_count(enum tn_health_event event);
const char *tn_health_event_name(enum tn_health_event event);

#ifdef __cplusplus
}
#endif

#endif
