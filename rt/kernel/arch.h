/*
 * What the generic kernel asks of an architecture port. Each port (the
 * host simulator, aarch64) implements every function here; the build picks
 * the port by the files it links, never by #ifdef.
 */
#ifndef TENON_KERNEL_ARCH_H
#define TENON_KERNEL_ARCH_H

#include <tenon/irq.h>
#include <tenon/types.h>

struct tn_thread;

/* Interrupt masking on the calling CPU. */
unsigned long arch_irq_save(void);
void arch_irq_restore(unsigned long flags);
/* Unmasks interrupts: a new thread's first step. */
void arch_irq_enable(void);

/* The kernel lock; taken with interrupts masked. */
void arch_kernel_lock(void);
void arch_kernel_unlock(void);

/*
 * arch_cpu_id(), the calling CPU's number: pure, since a thread never
 * migrates, so the compiler may reuse one call's answer for the next ones
 * in the same function. Each port's include directory gives it in
 * port/cpu.h, as a function or inline.
 */
#include <port/cpu.h>
int arch_cpu_count(void);
/* Waits for an interrupt with interrupts enabled, returns after it ran. */
void arch_cpu_idle(void);
/* Asks cpu to run tn_ipi_handler(). */
void arch_send_ipi(int cpu);

/*
 * The interrupt controller. INTIDs number every interrupt as the GIC does;
 * the port's timer and the IPI arch_send_ipi() sends are two of them. The
 * port calls tn_irq_dispatch() for each interrupt it takes.
 */
extern const unsigned int arch_timer_intid, arch_ipi_intid;
/* INTIDs 0 .. count - 1 exist. */
unsigned int arch_irq_count(void);
/* Sends a device interrupt to cpu (an SPI; a private one is cpu's own). */
void arch_irq_route(unsigned int intid, int cpu);
/* Masking returns once the interrupt can no longer be signalled. */
void arch_irq_mask(unsigned int intid, int cpu);
void arch_irq_unmask(unsigned int intid, int cpu);
/* Makes it pending (an SGI: sent to cpu). */
void arch_irq_raise(unsigned int intid, int cpu);
/* Masks every device interrupt on the calling CPU, or none of them. */
void arch_irq_mask_devices(bool masked);
/*
 * Runs fn(arg), application code, in interrupt context, keeping from it
 * the interrupted thread's state the kernel itself never touches
 * (FP/SIMD): for interrupt handlers, and timer and health handlers run as
 * an interrupt ends.
 */
void arch_app_call(void (*fn)(void *), void *arg);

tn_time_t arch_clock_read(void);
/*
 * The system counter every partition shares (CNTVCT on aarch64), for
 * stamps another partition reads, and a count of it as a date on the
 * monotonic clock.
 */
uint64_t arch_counter_read(void);
tn_time_t arch_counter_to_time(uint64_t ticks);

struct tn_channel_desc;
/* The channel ends the partition's description gives: *count of them. */
const struct tn_channel_desc *arch_channels(unsigned int *count);
/* Rings the doorbell of channel id's other ends. */
void arch_channel_notify(uint32_t id);
/*
 * The hypervisor's health monitor (tenon/hm.h, tenon/hypercall.h). Alone
 * on the machine, where there is none, every call returns -ENODEV.
 * arch_hm_raise: TN_HC_HM_RAISE: the action taken, or does not return.
 * arch_watchdog_set: period in us, 0 disarms. arch_hm_pending: the oldest
 * event notified by the HM interrupt, -ENOENT when none is left.
 * arch_hm_intid: that interrupt's INTID, 0 if there is none.
 */
int arch_hm_raise(unsigned int event, uint64_t detail);
int arch_watchdog_set(uint64_t period_us);
int arch_watchdog_kick(void);
int arch_hm_pending(unsigned int *event, uint64_t *detail);
unsigned int arch_hm_intid(void);
struct tn_partition_info;
int arch_partition_info(struct tn_partition_info *info);

/* One-shot interrupt on the calling CPU at date; TN_INFINITE: none. */
void arch_timer_program(tn_time_t date);

/*
 * Prepares the thread's first switch-in to run entry() on the given stack;
 * returns the context that arch_switch() takes (may live on the stack).
 */
void *arch_thread_setup(struct tn_thread *thread, void *stack, size_t size,
			void (*entry)(void));
/*
 * Saves prev, resumes next; returns when prev is switched in again. When
 * prev_ends, prev is never resumed and its context may be discarded.
 */
void arch_switch(struct tn_thread *prev, struct tn_thread *next,
		 bool prev_ends);
void *arch_stack_alloc(size_t size);
void arch_stack_free(void *stack, size_t size);

/* Busies the CPU for ns of the caller's run time (see tn_spin()). */
void arch_spin(tn_time_t ns);
/* The application's main thread returned code. */
void arch_app_exit(int code);
/* Restarts the partition or machine; -ENOSYS if the port cannot. */
int arch_restart(void);
/* Writes a line (no newline in it) where the system logs. */
void arch_report(const char *line);
/* Writes text to the console, waiting for it (see log.c for the rest). */
void arch_console_write(const char *text, size_t len);
/* Unrecoverable kernel error: report and stop. */
__attribute__((noreturn)) void arch_panic(const char *why);

#endif
