/*
 * The hypervisor's watchdog for this partition (TN_HC_WATCHDOG_SET and
 * _KICK): it expires, and the partition's health table acts (by default
 * a cold restart; notify: TN_HEALTH_WATCHDOG to the health handler),
 * unless kicked within each period. The kicker thread this starts runs
 * at a priority of the application's choice, meant to be low: a thread
 * of higher priority that runs away starves it, and the watchdog fires.
 */
#ifndef TENON_WATCHDOG_H
#define TENON_WATCHDOG_H

#include <tenon/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Arms the watchdog with period (TN_HM_WATCHDOG_MIN_US to _MAX_US of
 * <tenon/hm.h>, in ns here) and starts a thread "watchdog" on the caller's CPU
 * at kick_priority that kicks it every period / 4; kick_priority 0: no thread,
 * the application kicks (tn_watchdog_kick()). -EINVAL: a period or priority out
 * of range; -EBUSY: already started; -ENODEV: alone on the machine; -EPERM: in
 * a handler; what the hypervisor returns else.
 */
int tn_watchdog_start(tn_time_t period, int kick_priority);
/* Disarms it and ends the kicker. -EINVAL: not started; -EPERM: handler. */
int tn_watchdog_stop(void);
/*
 * One kick: 0, -ENODEV alone on the machine or when not armed. Allowed in
 * handler context.
 */
int tn_watchdog_kick(void);

#ifdef __cplusplus
}
#endif

#endif
