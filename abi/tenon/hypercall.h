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
#define TN_HC_ABI_VERSION 3

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

#endif
