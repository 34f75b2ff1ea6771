/*
 * The kernel's architecture hooks on aarch64: interrupt masking, the
 * kernel lock, CPU identity and idling, the generic timer as clock and
 * one-shot event source, thread contexts and stacks.
 */
#include <stdio.h>

#include "arch/aarch64/aarch64.h"

int aarch64_ncpus = 1;
static struct aarch64_ctx idle_ctx[TN_MAX_CPUS];

/* A ticket lock: CPUs get the kernel in the order they asked for it. */
static struct {
	uint32_t next;
	uint32_t owner;
} kernel_lock;
/* CPU n + 1 holds it; 0: none. Read by a CPU about itself only. */
static volatile int kernel_lock_cpu;

unsigned long arch_irq_save(void)
{
	unsigned long flags = read_sysreg(daif);

	__asm__ volatile("msr daifset, #2" ::: "memory");
	return flags;
}

void arch_irq_restore(unsigned long flags)
{
	write_sysreg(daif, flags);
}

void arch_irq_enable(void)
{
	__asm__ volatile("msr daifclr, #2" ::: "memory");
}

void arch_kernel_lock(void)
{
	uint32_t ticket =
	    __atomic_fetch_add(&kernel_lock.next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&kernel_lock.owner, __ATOMIC_ACQUIRE) != ticket)
		__asm__ volatile("yield");
	kernel_lock_cpu = arch_cpu_id() + 1;
}

void arch_kernel_unlock(void)
{
	kernel_lock_cpu = 0;
	__atomic_store_n(&kernel_lock.owner, kernel_lock.owner + 1,
			 __ATOMIC_RELEASE);
}

bool aarch64_holds_kernel_lock(void)
{
	return kernel_lock_cpu == arch_cpu_id() + 1;
}

int arch_cpu_count(void)
{
	return aarch64_ncpus;
}

void arch_cpu_idle(void)
{
	/* Called with interrupts enabled: the one that wakes us runs next. */
	__asm__ volatile("dsb sy\n\twfi" ::: "memory");
}

void arch_send_ipi(int cpu)
{
	gic_send_sgi(cpu, 0);
}

/*
 * Counter ticks to nanoseconds and back by a multiply and a shift (32.32
 * fixed point), not a division: the clock is read on every wake-up path.
 * The factors are worked out once, from CNTFRQ_EL0.
 */
static uint64_t ns_per_tick_32, ticks_per_ns_32;

static void clock_factors(void)
{
	uint64_t f = read_sysreg(cntfrq_el0);

	ns_per_tick_32 = (uint64_t)(((unsigned __int128)1000000000u << 32) / f);
	/* Rounded up, so that a date never turns into an earlier tick. */
	ticks_per_ns_32 =
	    (uint64_t)((((unsigned __int128)f << 32) + 999999999u) /
		       1000000000u);
}

tn_time_t arch_clock_read(void)
{
	uint64_t ticks;

	if (!ns_per_tick_32)
		clock_factors();
	isb();
	ticks = read_sysreg(cntvct_el0);
	return (tn_time_t)((unsigned __int128)ticks * ns_per_tick_32 >> 32);
}

uint64_t arch_counter_read(void)
{
	isb();
	return read_sysreg(cntvct_el0);
}

tn_time_t arch_counter_to_time(uint64_t ticks)
{
	if (!ns_per_tick_32)
		clock_factors();
	return (tn_time_t)((unsigned __int128)ticks * ns_per_tick_32 >> 32);
}

void arch_timer_program(tn_time_t date)
{
	uint64_t ticks;

	if (date == TN_INFINITE) {
		write_sysreg(cntv_ctl_el0, 0);
		isb();
		return;
	}
	if (date < 0)
		date = 0;
	if (!ticks_per_ns_32)
		clock_factors();
	/*
	 * One tick later than the product says: the interrupt must never
	 * come before the date, whatever the rounding of both factors.
	 */
	ticks =
	    (uint64_t)((unsigned __int128)(uint64_t)date * ticks_per_ns_32 >>
		       32) +
	    1;
	write_sysreg(cntv_cval_el0, ticks);
	write_sysreg(cntv_ctl_el0, 1); /* enabled, not masked */
	isb();
}

void *arch_thread_setup(struct tn_thread *thread, void *stack, size_t size,
			void (*entry)(void))
{
	uintptr_t top = ((uintptr_t)stack + size - sizeof(struct aarch64_ctx)) &
			~(uintptr_t)15;
	struct aarch64_ctx *ctx = (struct aarch64_ctx *)top;

	(void)thread;
	__builtin_memset(ctx, 0, sizeof(*ctx));
	ctx->x19_x30[0] = (uint64_t)entry;
	ctx->x19_x30[11] = (uint64_t)aarch64_thread_start;
	ctx->sp = top;
	return ctx;
}

void aarch64_set_idle_context(int cpu)
{
	tn_cpu_idle_thread(cpu)->arch = &idle_ctx[cpu];
}

/*
 * Whose FP/SIMD state each CPU's registers hold: the thread that last ran
 * there with its own loaded, or none. The idle thread runs kernel code
 * only, built without FP/SIMD registers (the handlers it may run in
 * interrupt context are saved around, arch_app_call), so a switch to it
 * leaves them as they are, and a switch back to their owner (the common
 * case: a thread blocks, the CPU idles, an interrupt wakes the thread)
 * neither saves nor loads them. A thread never migrates, so the state of
 * one that is not running is either in its context or live on its own
 * CPU, never on another's; read and written by that CPU only, with
 * interrupts masked.
 */
static struct aarch64_ctx *fp_owner[TN_MAX_CPUS];

void arch_switch(struct tn_thread *prev, struct tn_thread *next, bool prev_ends)
{
	int cpu = arch_cpu_id();
	struct aarch64_ctx *to = next->arch, **owner = &fp_owner[cpu];

	/* Its context goes with its stack once joined: nothing to keep. */
	if (__builtin_expect(prev_ends, 0) && *owner == prev->arch)
		*owner = NULL;
	/* A tail call either way: the switch makes no frame here. */
	aarch64_context_switch(prev->arch, to,
			       *owner != to && to != &idle_ctx[cpu] ? owner
								    : NULL);
}

void arch_app_call(void (*fn)(void *), void *arg)
{
	/*
	 * Interrupt entry saves general registers only (the kernel uses no
	 * others), but the handler is application code, free to use FP/SIMD.
	 */
	struct aarch64_fpu fpu __attribute__((aligned(16)));

	aarch64_fpu_save(&fpu);
	fn(arg);
	aarch64_fpu_restore(&fpu);
}

void *arch_stack_alloc(size_t size)
{
	return mmu_stack_alloc(size);
}

void arch_stack_free(void *stack, size_t size)
{
	mmu_stack_free(stack, size);
}

/* The caller's run time so far, its current stretch included. */
static tn_time_t own_runtime(void)
{
	unsigned long flags = arch_irq_save();
	struct tn_thread *self = this_cpu()->curr;
	tn_time_t t = self->stats.runtime + arch_clock_read() - self->run_start;

	arch_irq_restore(flags);
	return t;
}

void arch_spin(tn_time_t ns)
{
	tn_time_t end = own_runtime() + ns;

	while (own_runtime() < end)
		__asm__ volatile("yield");
}

void arch_app_exit(int code)
{
	log_go_direct(false);
	printf("tenon: application exited with status %d\n", code);
	aarch64_power_off();
}

void arch_report(const char *line)
{
	size_t n = 0;

	while (line[n])
		n++;
	aarch64_console_write(line, n);
	aarch64_console_write("\n", 1);
}

void arch_panic(const char *why)
{
	arch_irq_save();
	log_go_direct(true);
	printf("tenon: panic on cpu%d: %s\n", arch_cpu_id(), why);
	/*
	 * The hypervisor's table decides what a panic leads to (by default
	 * a restart); whatever it says, the core stops here.
	 */
	arch_hm_raise(TN_HM_EV_FATAL, 0);
	aarch64_power_off();
}
