/*
 * The real-time API in one include, and the entry point every real-time
 * application provides: tn_main() runs as the first thread, named "main",
 * once the core is up on every CPU it was given. When it returns, the
 * application ends (the simulator stops; a machine powers off).
 */
#ifndef TENON_TENON_H
#define TENON_TENON_H

#include <tenon/clock.h>
#include <tenon/event.h>
#include <tenon/flags.h>
#include <tenon/health.h>
#include <tenon/heap.h>
#include <tenon/irq.h>
#include <tenon/log.h>
#include <tenon/mutex.h>
#include <tenon/observable.h>
#include <tenon/poll.h>
#include <tenon/rwlock.h>
#include <tenon/sched.h>
#include <tenon/sem.h>
#include <tenon/thread.h>
#include <tenon/timer.h>
#include <tenon/types.h>
#include <tenon/watchdog.h>

#ifdef __cplusplus
extern "C" {
#endif

int tn_main(int argc, char *argv[]);
/* The number of CPUs the core runs on. */
int tn_cpu_count(void);
/* The CPU the caller runs on. */
int tn_cpu_self(void);
/*
 * Restarts the partition (alone on the machine: the machine) from its
 * image, its log written out first: does not return. -ENOSYS where there
 * is nothing to restart (the host simulator); -EPERM in a handler.
 */
int tn_restart(void);

#ifdef __cplusplus
}
#endif

#endif
