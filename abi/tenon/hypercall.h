/*
 * Tenon's hypercalls: SMCCC calls by HVC, in the vendor-specific
 * hypervisor service range (owner 6). Arguments in x1.., the result in x0:
 * 0 or a positive value on success, a negative errno on bad arguments
 * (-ENOSYS for a function the hypervisor does not know). The hypervisor
 * never trusts an argument: addresses are checked against the caller's
 * own memory, lengths against the stated limits.
 */
#ifndef TENON_ABI_HYPERCALL_H
#define TENON_ABI_HYPERCALL_H

#define TN_HC_BASE 0xc6000000u /* SMC64, vendor-specific hypervisor */
#define TN_HC_IS_TENON(fid) (((fid)&0xffff0000u) == TN_HC_BASE)

/* x0 = TN_HC_ABI_VERSION. */
#define TN_HC_VERSION (TN_HC_BASE + 0)
#define TN_HC_ABI_VERSION 4

/*
 * x0 = 0, x1 = the caller's partition index, x2 = number of partitions,
 * x3 = the caller's vCPU count, x4 = how many times the caller's partition
 * was restarted (0 in its first incarnation; since ABI version 2).
 */
#define TN_HC_PARTITION_INFO (TN_HC_BASE + 1)

/*
 * x1 = IPA of a buffer in the caller's RAM, x2 = its length (1..256):
 * written to the console as the caller's output. x0 = bytes written.
 */
#define TN_HC_CONSOLE_WRITE (TN_HC_BASE + 2)
#define TN_HC_CONSOLE_MAX 256

/*
 * x1 = a channel's index (its tenon,id): rings the doorbell of the
 * channel's other end(s), the writer's readers or a reader's writer
 * (since ABI version 3). x0 = 0, or -EINVAL if the caller has no end of
 * that channel. A doorbell already pending at the other end is not rung
 * again: ringing in a loop costs the other end nothing more.
 */
#define TN_HC_CHANNEL_NOTIFY (TN_HC_BASE + 3)

/*
 * The health monitor (since ABI version 4; tenon/hm.h, docs/health.md).
 *
 * TN_HC_HM_RAISE: x1 = an event a partition may raise (TN_HM_EV_FATAL,
 * _DEADLINE, _STACK, _EXCEPTION), x2 = a detail for the log. The caller's
 * table decides: for a stop or a restart the call does not return; else
 * x0 = the action taken (TN_HM_ACT_IGNORE, _LOG or _NOTIFY: the caller's
 * own handler is to act). -EINVAL for another event.
 */
#define TN_HC_HM_RAISE (TN_HC_BASE + 4)
/*
 * TN_HC_WATCHDOG_SET: x1 = period in microseconds, TN_HM_WATCHDOG_MIN_US
 * to _MAX_US, or 0 to disarm: arms the caller's watchdog, which expires
 * (event TN_HM_EV_WATCHDOG, the action the caller's table gives: a
 * partition cannot choose it) unless kicked within each period. x0 = 0
 * or -EINVAL. TN_HC_WATCHDOG_KICK: x0 = 0, or -ENODEV when not armed.
 */
#define TN_HC_WATCHDOG_SET (TN_HC_BASE + 5)
#define TN_HC_WATCHDOG_KICK (TN_HC_BASE + 6)
/*
 * TN_HC_HM_PENDING: the caller's oldest event notified to it by a
 * virtual interrupt (a watchdog expiry with action notify) and not yet
 * taken: x0 = 0, x1 = the event, x2 = its detail; -ENOENT if none. The
 * interrupt is SPI INTID platform.hm_intid of the caller's virtual GIC.
 */
#define TN_HC_HM_PENDING (TN_HC_BASE + 7)
/*
 * The manager's calls (a real-time manager; a Linux one uses the PCI
 * function of tenon/hm.h). -EPERM for any other caller.
 * TN_HC_PARTITION_CTL: x1 = a partition's index, x2 = TN_MGR_OP_STOP,
 *   _START, _RESTART or _WARM_RESTART: x0 = 0 (started: the state shows
 *   when it is done) or an errno as for TN_MGR_REG_RESULT.
 * TN_HC_PARTITION_STATE: x1 = a partition's index: x0 = 0, x1 = its
 *   state (enum tn_part_state), x2 = its restarts, x3 = its HM events.
 * TN_HC_HM_LOG_READ: x1 = a sequence number: x0 = 0 and the entry with
 *   that number, or the oldest kept if it was overwritten: x1 = its seq,
 *   x2 = time_ns, x3 = detail, x4 = partition | vcpu << 8 | event << 16 |
 *   action << 24 | (uint64_t)flags << 32; -ENOENT if none has it yet.
 */
#define TN_HC_PARTITION_CTL (TN_HC_BASE + 8)
#define TN_HC_PARTITION_STATE (TN_HC_BASE + 9)
#define TN_HC_HM_LOG_READ (TN_HC_BASE + 10)

#endif
