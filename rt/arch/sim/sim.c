/*
 * The simulator port: simulated CPUs, their timers and an interrupt
 * controller shaped like the GIC (SGI 0 is the IPI, PPI 27 the timer,
 * SPIs from 32 are device lines with a target CPU, an enable, a pending
 * latch and a level; the core's two above a per-CPU device mask), the
 * virtual clock, and the loop that decides which CPU runs. Threads are
 * ucontext coroutines; one host thread runs everything, so a simulated CPU
 * runs only between two of the points where it hands control back to the
 * loop: kernel entry and exit (lock, interrupt unmasking), idle, tn_spin()
 * and context switches.
 */
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

#include <tenon/sim.h>

#include "arch/sim/sim_hm.h"
#include "kernel/internal.h"

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/common_interface_defs.h>
#define fiber_start(save, lo, size) \
	__sanitizer_start_switch_fiber(save, lo, size)
#define fiber_finish(save, lo, size) \
	__sanitizer_finish_switch_fiber(save, lo, size)
#else
#define fiber_start(save, lo, size) ((void)(save), (void)(lo), (void)(size))
#define fiber_finish(save, lo, size) ((void)(save), (void)(lo), (void)(size))
#endif

#define IRQ_IPI 0
#define IRQ_TIMER 27
#define CORE_IRQS (1u << IRQ_IPI | 1u << IRQ_TIMER)
#define IDLE_STACK_SIZE (64 * 1024)

struct sim_ctx {
	ucontext_t uc;
	const void *stack_lo;
	size_t stack_size;
	void *fake_stack; /* AddressSanitizer's, while switched out */
	void (*entry)(void);
};

enum cpu_state {
	CPU_RUN,  /* can go on at once */
	CPU_WFI,  /* idle until an interrupt */
	CPU_BUSY, /* in tn_spin() until busy_until or an interrupt */
};

struct sim_cpu {
	enum cpu_state state;
	tn_time_t busy_until;
	tn_time_t timer_at;
	uint32_t pending; /* private interrupts raised, not yet taken */
	uint32_t enabled; /* private interrupts unmasked */
	bool devices_masked;
	bool irq_off;
	bool in_irq;
	struct sim_ctx *ctx; /* the context running on this CPU */
	void *idle_stack;
};

static struct {
	int ncpus;
	int cur;
	tn_time_t now;
	tn_time_t time_limit;
	uint64_t rng;
	bool done;
	bool hm_stopped; /* done because the health monitor model said so */
	int exit_code;
	int lock_owner; /* CPU + 1 */
	struct sim_ctx loop;
	struct sim_ctx *running;
	struct sim_cpu cpu[TN_MAX_CPUS];
	struct {
		bool pending, enabled, line;
		int target;
	} spi[TN_IRQ_MAX];
	int spis_enabled; /* so that most polls look at no SPI */
	FILE *trace;
	FILE *console;
	uint64_t events;
	uint64_t hash;
} sim;

static uint64_t rng_next(void)
{
	/* xorshift64*: small, good enough, and the same everywhere. */
	sim.rng ^= sim.rng >> 12;
	sim.rng ^= sim.rng << 25;
	sim.rng ^= sim.rng >> 27;
	return sim.rng * 0x2545f4914f6cdd1dull;
}

static void hash_bytes(const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		sim.hash ^= b[i];
		sim.hash *= 0x100000001b3ull;
	}
}

/* Only names, times and CPUs go in: no address, so runs compare. */
static void trace_event(const char *what, const char *a, const char *b)
{
	sim.events++;
	hash_bytes(what, strlen(what));
	hash_bytes(&sim.now, sizeof(sim.now));
	hash_bytes(&sim.cur, sizeof(sim.cur));
	if (a)
		hash_bytes(a, strlen(a) + 1);
	if (b)
		hash_bytes(b, strlen(b) + 1);
	if (sim.trace)
		fprintf(sim.trace, "%12lld cpu%d %s%s%s%s%s\n",
			(long long)sim.now, sim.cur, what, a ? " " : "",
			a ? a : "", b ? " -> " : "", b ? b : "");
}

static struct sim_cpu *this_sim_cpu(void)
{
	return &sim.cpu[sim.cur];
}

static void ctx_switch(struct sim_ctx *from, struct sim_ctx *to, bool from_ends)
{
	sim.running = to;
	fiber_start(from_ends ? NULL : &from->fake_stack, to->stack_lo,
		    to->stack_size);
	if (swapcontext(&from->uc, &to->uc))
		arch_panic("swapcontext failed");
	fiber_finish(from->fake_stack, NULL, NULL);
}

static void ctx_entry(void)
{
	struct sim_ctx *self = sim.running;

	/* The first switch in always comes from the loop: learn its stack. */
	fiber_finish(NULL, &sim.loop.stack_lo, &sim.loop.stack_size);
	self->entry();
	arch_panic("a context's entry returned");
}

static struct sim_ctx *ctx_make(void *stack, size_t size, void (*entry)(void))
{
	uintptr_t top =
	    ((uintptr_t)stack + size - sizeof(struct sim_ctx)) & ~(uintptr_t)63;
	struct sim_ctx *ctx = (struct sim_ctx *)top;

	memset(ctx, 0, sizeof(*ctx));
	ctx->stack_lo = stack;
	ctx->stack_size = top - (uintptr_t)stack;
	ctx->entry = entry;
	if (getcontext(&ctx->uc))
		arch_panic("getcontext failed");
	ctx->uc.uc_stack.ss_sp = stack;
	ctx->uc.uc_stack.ss_size = ctx->stack_size;
	ctx->uc.uc_link = NULL;
	makecontext(&ctx->uc, ctx_entry, 0);
	return ctx;
}

/* Hands the host back to the loop; returns when the loop picks us again. */
static void yield_to_loop(void)
{
	ctx_switch(sim.running, &sim.loop, false);
}

/* The interrupt cpu takes next, as its GIC would signal it, or -1. */
static int next_irq(int cpu)
{
	struct sim_cpu *c = &sim.cpu[cpu];
	uint32_t ready = c->pending & c->enabled;

	/* The IPI first: its handler runs the timer queue too. */
	if (ready & CORE_IRQS)
		return ready & 1u << IRQ_IPI ? IRQ_IPI : IRQ_TIMER;
	if (c->devices_masked)
		return -1;
	if (ready)
		return __builtin_ctz(ready);
	for (int i = 32; sim.spis_enabled && i < TN_IRQ_MAX; i++)
		if (sim.spi[i].enabled && sim.spi[i].target == cpu &&
		    (sim.spi[i].pending || sim.spi[i].line))
			return i;
	return -1;
}

static void take_irq(int intid)
{
	struct sim_cpu *c = this_sim_cpu();
	char number[12];

	if (intid == IRQ_IPI) {
		c->pending &= ~CORE_IRQS;
		trace_event("irq ipi", NULL, NULL);
	} else if (intid == IRQ_TIMER) {
		c->pending &= ~(1u << IRQ_TIMER);
		trace_event("irq timer", NULL, NULL);
	} else {
		if (intid < 32)
			c->pending &= ~(1u << intid);
		else
			sim.spi[intid].pending = false;
		snprintf(number, sizeof(number), "%d", intid);
		trace_event("irq", number, NULL);
	}
	tn_irq_dispatch((unsigned int)intid);
}

static void poll_irq(void)
{
	struct sim_cpu *c = this_sim_cpu();
	int intid;

	while (!c->irq_off && !c->in_irq && (intid = next_irq(sim.cur)) >= 0) {
		c->irq_off = true;
		c->in_irq = true;
		take_irq(intid);
		c->in_irq = false;
		c->irq_off = false;
		tn_irq_exit();
	}
}

/* Where another CPU may run first, as it could on a machine. */
static void maybe_yield(void)
{
	if (sim.ncpus > 1 && (rng_next() >> 32) % 4 == 0)
		yield_to_loop();
}

unsigned long arch_irq_save(void)
{
	struct sim_cpu *c = this_sim_cpu();
	unsigned long flags = c->irq_off;

	c->irq_off = true;
	return flags;
}

void arch_irq_restore(unsigned long flags)
{
	this_sim_cpu()->irq_off = flags;
	if (!flags) {
		maybe_yield();
		poll_irq();
	}
}

void arch_irq_enable(void)
{
	arch_irq_restore(0);
}

void arch_kernel_lock(void)
{
	maybe_yield();
	/*
	 * The loop never leaves a CPU inside the lock, so finding it taken
	 * means the kernel locked twice on one path.
	 */
	if (sim.lock_owner)
		arch_panic("kernel lock taken while held");
	sim.lock_owner = sim.cur + 1;
}

void arch_kernel_unlock(void)
{
	if (sim.lock_owner != sim.cur + 1)
		arch_panic(
		    "kernel lock released by a CPU that does not hold it");
	sim.lock_owner = 0;
}

int arch_cpu_id(void)
{
	return sim.cur;
}

int arch_cpu_count(void)
{
	return sim.ncpus;
}

void arch_cpu_idle(void)
{
	struct sim_cpu *c = this_sim_cpu();

	c->state = CPU_WFI;
	yield_to_loop();
	c->state = CPU_RUN;
	poll_irq();
}

void arch_send_ipi(int cpu)
{
	sim.cpu[cpu].pending |= 1u << IRQ_IPI;
}

const unsigned int arch_timer_intid = IRQ_TIMER;
const unsigned int arch_ipi_intid = IRQ_IPI;

unsigned int arch_irq_count(void)
{
	return TN_IRQ_MAX;
}

void arch_irq_route(unsigned int intid, int cpu)
{
	if (intid >= 32)
		sim.spi[intid].target = cpu;
}

void arch_irq_mask(unsigned int intid, int cpu)
{
	if (intid < 32) {
		sim.cpu[cpu].enabled &= ~(1u << intid);
	} else if (sim.spi[intid].enabled) {
		sim.spi[intid].enabled = false;
		sim.spis_enabled--;
	}
}

void arch_irq_unmask(unsigned int intid, int cpu)
{
	if (intid < 32) {
		sim.cpu[cpu].enabled |= 1u << intid;
	} else if (!sim.spi[intid].enabled) {
		sim.spi[intid].enabled = true;
		sim.spis_enabled++;
	}
}

void arch_irq_raise(unsigned int intid, int cpu)
{
	if (intid < 32)
		sim.cpu[cpu].pending |= 1u << intid;
	else
		sim.spi[intid].pending = true;
	/* Taken at once by the caller's CPU, as a machine's would. */
	poll_irq();
}

void arch_irq_mask_devices(bool masked)
{
	this_sim_cpu()->devices_masked = masked;
}

void arch_app_call(void (*fn)(void *), void *arg)
{
	fn(arg);
}

void tn_sim_irq_set_line(unsigned int intid, bool high)
{
	if (intid < 32 || intid >= TN_IRQ_MAX)
		arch_panic("tn_sim_irq_set_line: not an SPI");
	sim.spi[intid].line = high;
	if (high)
		poll_irq();
}

void tn_sim_irq_raise(unsigned int intid)
{
	if (intid < 32 || intid >= TN_IRQ_MAX)
		arch_panic("tn_sim_irq_raise: not an SPI");
	arch_irq_raise(intid, sim.spi[intid].target);
}

tn_time_t arch_clock_read(void)
{
	return sim.now;
}

void arch_timer_program(tn_time_t date)
{
	struct sim_cpu *c = this_sim_cpu();

	if (date <= sim.now) {
		c->pending |= 1u << IRQ_TIMER;
		c->timer_at = TN_INFINITE;
	} else {
		c->timer_at = date;
	}
}

void *arch_thread_setup(struct tn_thread *thread, void *stack, size_t size,
			void (*entry)(void))
{
	(void)thread;
	return ctx_make(stack, size, entry);
}

void arch_switch(struct tn_thread *prev, struct tn_thread *next, bool prev_ends)
{
	struct sim_ctx *to = next->arch;

	trace_event("switch", prev->name, next->name);
	this_sim_cpu()->ctx = to;
	ctx_switch(prev->arch, to, prev_ends);
}

void *arch_stack_alloc(size_t size)
{
	return aligned_alloc(64, (size + 63) & ~(size_t)63);
}

void arch_stack_free(void *stack, size_t size)
{
	(void)size;
	free(stack);
}

void arch_spin(tn_time_t ns)
{
	struct sim_cpu *c = this_sim_cpu();
	tn_time_t left = ns;

	if (c->irq_off)
		arch_panic("tn_spin() called with interrupts masked");
	while (left > 0) {
		tn_time_t start = sim.now;

		c->busy_until = start + left;
		c->state = CPU_BUSY;
		yield_to_loop();
		c->state = CPU_RUN;
		left -= sim.now - start;
		/* May switch away: time spent preempted is not counted. */
		poll_irq();
	}
}

void arch_app_exit(int code)
{
	log_go_direct(false);
	trace_event("exit", NULL, NULL);
	sim.exit_code = code;
	sim.done = true;
	yield_to_loop();
	arch_panic("the simulation went on after main returned");
}

void sim_hm_stop_run(bool from_loop)
{
	trace_event("hm stop", NULL, NULL);
	sim.done = true;
	sim.hm_stopped = true;
	if (from_loop)
		return;
	log_go_direct(false);
	yield_to_loop();
	arch_panic(
	    "the simulation went on after the health monitor stopped it");
}

void sim_spi_pend(unsigned int intid)
{
	if (intid >= 32 && intid < TN_IRQ_MAX)
		sim.spi[intid].pending = true;
}

int arch_restart(void)
{
	return -ENOSYS; /* a run of the simulator is one incarnation */
}

void arch_report(const char *line)
{
	fprintf(stderr, "%s\n", line);
}

void arch_console_write(const char *text, size_t len)
{
	fwrite(text, 1, len, sim.console);
}

void arch_panic(const char *why)
{
	fprintf(stderr, "tenon-sim: panic on cpu%d at %lld ns: %s\n", sim.cur,
		(long long)sim.now, why);
	fflush(stderr);
	abort();
}

static void idle_entry(void)
{
	tn_cpu_main();
}

static bool cpu_can_run(const struct sim_cpu *c)
{
	switch (c->state) {
	case CPU_RUN:
		return true;
	case CPU_WFI:
		return next_irq((int)(c - sim.cpu)) >= 0;
	case CPU_BUSY:
		return next_irq((int)(c - sim.cpu)) >= 0 ||
		       sim.now >= c->busy_until;
	}
	return false;
}

/* Moves the clock to the next event; false when there is none in time. */
static bool advance_clock(enum tn_sim_status *status)
{
	tn_time_t next = TN_INFINITE;

	for (int i = 0; i < sim.ncpus; i++) {
		struct sim_cpu *c = &sim.cpu[i];

		if (c->timer_at < next)
			next = c->timer_at;
		if (c->state == CPU_BUSY && c->busy_until < next)
			next = c->busy_until;
	}
	if (sim_hm_next() < next)
		next = sim_hm_next();
	if (next == TN_INFINITE) {
		*status = TN_SIM_STALLED;
		return false;
	}
	if (next > sim.time_limit) {
		sim.now = sim.time_limit;
		*status = TN_SIM_TIME_LIMIT;
		return false;
	}
	sim.now = next;
	for (int i = 0; i < sim.ncpus; i++) {
		struct sim_cpu *c = &sim.cpu[i];

		if (c->timer_at <= sim.now) {
			c->timer_at = TN_INFINITE;
			c->pending |= 1u << IRQ_TIMER;
		}
	}
	sim_hm_clock(sim.now);
	return true;
}

static enum tn_sim_status run_loop(void)
{
	enum tn_sim_status status = TN_SIM_DONE;
	int runnable[TN_MAX_CPUS];

	while (!sim.done) {
		int n = 0;

		for (int i = 0; i < sim.ncpus; i++)
			if (cpu_can_run(&sim.cpu[i]))
				runnable[n++] = i;
		if (!n) {
			if (!advance_clock(&status))
				break;
			continue;
		}
		sim.cur = runnable[n > 1 ? (rng_next() >> 32) % n : 0];
		sim.events++;
		hash_bytes(&sim.cur, sizeof(sim.cur));
		ctx_switch(&sim.loop, sim.cpu[sim.cur].ctx, false);
	}
	return sim.hm_stopped ? TN_SIM_HM_STOPPED : status;
}

void tn_sim_config_init(struct tn_sim_config *config)
{
	memset(config, 0, sizeof(*config));
	config->cpus = 2;
	config->seed = 1;
	config->time_limit = TN_INFINITE;
	config->main_priority = TN_PRIO_MIN;
}

const char *tn_sim_status_name(enum tn_sim_status status)
{
	switch (status) {
	case TN_SIM_DONE:
		return "done";
	case TN_SIM_STALLED:
		return "stalled";
	case TN_SIM_TIME_LIMIT:
		return "time limit";
	case TN_SIM_HM_STOPPED:
		return "stopped by the health monitor";
	}
	return "?";
}

int tn_sim_run(const struct tn_sim_config *config, int (*main)(void *arg),
	       void *arg, struct tn_sim_result *result)
{
	struct tn_boot boot = {
	    .main = main,
	    .arg = arg,
	    .main_priority = config->main_priority,
	};
	enum tn_sim_status status;

	if (config->cpus < 1 || config->cpus > TN_MAX_CPUS || !main ||
	    config->main_priority < TN_PRIO_MIN ||
	    config->main_priority > TN_PRIO_MAX || config->time_limit < 0)
		return -EINVAL;

	memset(&sim, 0, sizeof(sim));
	sim.ncpus = config->cpus;
	sim.time_limit = config->time_limit;
	sim.rng = config->seed ? config->seed : 0x9e3779b97f4a7c15ull;
	sim.trace = config->trace;
	sim.console = config->console ? config->console : stdout;
	sim.hash = 0xcbf29ce484222325ull;
	sim.running = &sim.loop;
	sim_hm_run_start();

	tn_kernel_init(&boot);
	for (int i = 0; i < sim.ncpus; i++) {
		struct sim_cpu *c = &sim.cpu[i];

		c->timer_at = TN_INFINITE;
		c->enabled = CORE_IRQS;
		c->idle_stack = arch_stack_alloc(IDLE_STACK_SIZE);
		if (!c->idle_stack)
			arch_panic("no memory for an idle stack");
		c->ctx = ctx_make(c->idle_stack, IDLE_STACK_SIZE, idle_entry);
		tn_cpu_idle_thread(i)->arch = c->ctx;
	}

	status = run_loop();

	tn_kernel_release();
	for (int i = 0; i < sim.ncpus; i++)
		arch_stack_free(sim.cpu[i].idle_stack, IDLE_STACK_SIZE);
	if (result) {
		result->status = status;
		result->exit_code = sim.exit_code;
		result->end_time = sim.now;
		result->events = sim.events;
		result->trace_hash = sim.hash;
	}
	return 0;
}
