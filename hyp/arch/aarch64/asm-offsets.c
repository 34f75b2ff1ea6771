/*
 * The structure offsets and sizes entry.S uses, taken from the C
 * definitions so that they cannot drift apart. The build compiles this
 * file to assembly only, never to an object: each DEFINE() leaves a
 * "->NAME value" line in it, which mk/hyp.mk turns into a #define of the
 * generated asm-offsets.h.
 */
#include "hyp.h"

#define DEFINE(sym, val) __asm__ volatile("\n->" #sym " %0 " #val ::"i"(val))
#define OFFSET(sym, type, member) DEFINE(sym, offsetof(type, member))

void asm_offsets(void);

void asm_offsets(void)
{
	/* A guest's registers, saved at its exits and loaded to enter it. */
	OFFSET(VCPU_X, struct vcpu, x);
	OFFSET(VCPU_ELR, struct vcpu, elr);
	OFFSET(VCPU_SPSR, struct vcpu, spsr);

	/* The per-CPU stacks: CPU n starts at hyp_stacks[n] + HYP_STACK_TOP. */
	DEFINE(HYP_MAX_CPUS, HYP_MAX_CPUS);
	DEFINE(HYP_STACK_SLOT, sizeof(struct hyp_stack));
	OFFSET(HYP_STACK_BASE, struct hyp_stack, stack);
	DEFINE(HYP_STACK_TOP, offsetof(struct hyp_stack, stack) +
				  sizeof(((struct hyp_stack *)0)->stack));
}
