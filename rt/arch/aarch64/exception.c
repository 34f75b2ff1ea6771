/*
 * Reports exceptions that should not happen — a stack overflow into a
 * guard page, a bad access, an undefined instruction — with the decoded
 * syndrome, the faulting address, the thread and its registers, then
 * stops the machine (or the partition) in a way a test can see.
 */
#include <stdio.h>

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
		aarch64_power_off();
	}
	aarch64_report_exception("unexpected exception", f);
	aarch64_power_off();
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
	aarch64_power_off();
}
