/*
 * The monotonic clock, in nanoseconds since the real-time core started, and
 * sleeping until a date on it.
 */
#ifndef TENON_CLOCK_H
#define TENON_CLOCK_H

#include <tenon/types.h>

#ifdef __cplusplus
extern "C" {
#endif

tn_time_t tn_clock_read(void);
/* Sleeps until the absolute date; returns 0 at once if it has passed. */
int tn_sleep_until(tn_time_t date);
/* Sleeps for a relative delay: tn_sleep_until(tn_clock_read() + delay). */
int tn_sleep(tn_time_t delay);
/*
 * Keeps the CPU busy for ns of the caller's own run time, as a computation
 * would: it can be preempted, and time spent preempted does not count.
 * For load generators and tests.
 */
void tn_spin(tn_time_t ns);

#ifdef __cplusplus
}
#endif

#endif
