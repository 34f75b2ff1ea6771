/*
 * Reports exceptions that should not happen — a stack overflow into a
 * guard page, a bad access, an undefined instruction — with the decoded
 * syndrome, the faulting address, the thread and its registers, then
 * stops the machine in a way a test can see.
 *
 * In a partition the fault also goes to the hypervisor's health monitor
 * (TN_HC_HM_RAISE: TN_HM_EV_STACK with the faulting address, or
 * TN_HM_EV_EXCEPTION with the syndrome), whose table decides. A stop or
 * a restart does not return. If the call returns (ignore, log, notify),
 * the faulting thread is ended and the others run on: the exception
 * returns into health_fault_end() on the thread's own stack, started
 * again from its top (what was on it is of no use to a thread that
 * ends), which tells the health handler for a notify and ends the
 * thread. A fault the core cannot survive — in a handler, in interrupt
 * context, with the kernel lock held, in an idle thread or at boot —
 * still stops the partition.
 */
#include <stdio.h>
#include <tenon/hm.h>

#include "arch/aarch64/aarch64.h"

void aarch64_sync(struct aarch64_frame *f);
void aarch64_unexpected(uint64_t kind, struct aarch64_frame *f);

static const char *ec_name(uint32_t ec)
{
	switch (ec) {
	case 0x00:
		return "undefined instruction (or unknown reason)";
	case 0x01:
		return "WFI/WFE trap";
	case 0x07:
		return "FP/SIMD access trap";
	case 0x0e:
		return "illegal execution state";
	case 0x15:
		return "SVC";
	case 0x16:
		return "HVC";
	case 0x17:
		return "SMC";
	case 0x18:
		return "system register trap";
	case 0x20:
	case 0x21:
		return "instruction abort";
	case 0x22:
		return "PC alignment fault";
	case 0x24:
	case 0x25:
		return "data abort";
	case 0x26:
		return "SP alignment fault";
	case 0x2c:
		return "floating-point exception";
	case 0x2f:
		return "SError";
	case 0x3c:
		return "BRK instruction";
	}
	return "other";
}

static const char *thread_name(void)
{
	struct tn_thread *t = this_cpu()->curr;

	return t ? t->name : "(boot)";
}

static void dump_registers(const struct aarch64_frame *f)
{
	for (int i = 0; i < 31; i += 2)
		if (i < 30)
			printf("  x%-2d %016lx  x%-2d %016lx\n", i,
			       (unsigned long)f->x[i], i + 1,
			       (unsigned long)f->x[i + 1]);
		else
			printf("  x30 %016lx  sp  %016lx\n",
			       (unsigned long)f->x[30], (unsigned long)f->sp);
}

void aarch64_report_exception(const char *what, struct aarch64_frame *f)
{
	uint64_t esr = read_sysreg(esr_el1), far = read_sysreg(far_el1);
	uint32_t ec = (uint32_t)(esr >> 26) & 0x3f;

	printf("tenon: %s on cpu%d in thread '%s': %s\n", what, arch_cpu_id(),
	       thread_name(), ec_name(ec));
	printf("  ESR %#lx (EC %#x, ISS %#lx) FAR %#lx\n", (unsigned long)esr,
	       ec, (unsigned long)(esr & 0x1ffffff), (unsigned long)far);
	printf("  ELR %#lx SPSR %#lx\n", (unsigned long)f->elr,
	       (unsigned long)f->spsr);
	dump_registers(f);
}

/* Where the exception returns to for a thread that is to end. */
static void fault_exit(uint64_t event, uint64_t detail, uint64_t action)
{
	health_fault_end((unsigned int)event, detail, (int)action);
}

/*
 * Whether the faulting code is a thread the core can end: an
 * application thread running in EL1t, outside the kernel lock and any
 * handler (whose state the thread's end would leave half changed).
 */
static bool can_end_thread(const struct aarch64_frame *f)
{
	struct tn_thread *t = this_cpu()->curr;

	return t && thread_is_live(t) && t->stack && (f->spsr & 0xf) == 0x4 &&
	       !aarch64_holds_kernel_lock() && !in_handler();
}

static void end_thread(struct aarch64_frame *f, unsigned int event,
		       uint64_t detail, int action)
{
	struct tn_thread *t = this_cpu()->curr;
	uintptr_t top = ((uintptr_t)t->stack + t->stack_size) & ~(uintptr_t)15;

	printf("tenon: thread '%s' ended by its fault (hypervisor: %s)\n",
	       t->name, tn_hm_action_name((unsigned int)action));
	f->x[0] = event;
	f->x[1] = detail;
	f->x[2] = (uint64_t)action;
	f->x[29] = 0; /* no frame to unwind into */
	f->x[30] = 0;
	f->elr = (uint64_t)(uintptr_t)fault_exit;
	f->sp = top;
	/* EL1t, IRQs masked until the thread's end takes the kernel. */
	f->spsr = (f->spsr & 0x340) | 0x80 | 0x4;
	/* Back to queued output: the real-time threads run on. */
	log_start();
}

/* Returns when the thread is to end (f changed); else stops. */
static void forward(struct aarch64_frame *f, unsigned int event,
		    uint64_t detail)
{
	int action;

	action = arch_hm_raise(event, detail);
	if (action == -ENODEV)
		aarch64_power_off(); /* nobody to ask: as alone */
	if (action < 0) {
		printf("tenon: the health monitor refused the fault (%d)\n",
		       action);
		aarch64_power_off();
	}
	if (!can_end_thread(f)) {
		printf("tenon: the fault is the core's, not a thread's: "
		       "stopping\n");
		aarch64_power_off();
	}
	end_thread(f, event, detail, action);
}

void aarch64_sync(struct aarch64_frame *f)
{
	uint64_t esr = read_sysreg(esr_el1), far = read_sysreg(far_el1);
	uint32_t ec = (uint32_t)(esr >> 26) & 0x3f;

	/* A fault report goes out at once, after what was queued before. */
	log_go_direct(true);
	if ((ec == 0x24 || ec == 0x25) && mmu_in_guard(far)) {
		printf("tenon: stack overflow in thread '%s' on cpu%d "
		       "(access at %#lx, in its guard page)\n",
		       thread_name(), arch_cpu_id(), (unsigned long)far);
		forward(f, TN_HM_EV_STACK, far);
		return;
	}
	aarch64_report_exception("unexpected exception", f);
	forward(f, TN_HM_EV_EXCEPTION, esr);
}

void aarch64_unexpected(uint64_t kind, struct aarch64_frame *f)
{
	static const char *const vector[] = {
	    "sync (EL1t)",	"IRQ (EL1t)",	 "FIQ (EL1t)",
	    "SError (EL1t)",	"sync (EL1h)",	 "IRQ (EL1h)",
	    "FIQ (EL1h)",	"SError (EL1h)", "sync (EL0)",
	    "IRQ (EL0)",	"FIQ (EL0)",	 "SError (EL0)",
	    "sync (AArch32)",	"IRQ (AArch32)", "FIQ (AArch32)",
	    "SError (AArch32)",
	};

	log_go_direct(true);
	printf("tenon: exception through the unexpected vector %s\n",
	       vector[kind & 15]);
	aarch64_report_exception("unexpected exception", f);
	/* No thread to end here: whatever the table says, the core stops. */
	arch_hm_raise(TN_HM_EV_EXCEPTION, read_sysreg(esr_el1));
	aarch64_power_off();
}
