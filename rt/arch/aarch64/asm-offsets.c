/*
 * The structure offsets and sizes the port's assembly uses (vectors.S,
 * switch.S), taken from the C definitions in aarch64.h so that they
 * cannot drift apart. The build compiles this file to assembly only: each
 * DEFINE() leaves a "->NAME value" line, which mk/aarch64.mk turns into a
 * #define of the generated asm-offsets.h.
 */
#include "arch/aarch64/aarch64.h"

#define DEFINE(sym, val) __asm__ volatile("\n->" #sym " %0 " #val ::"i"(val))
#define OFFSET(sym, type, member) DEFINE(sym, offsetof(type, member))

void asm_offsets(void);

void asm_offsets(void)
{
	/* An exception frame, on the stack an exception arrived on. */
	OFFSET(FRAME_X, struct aarch64_frame, x);
	OFFSET(FRAME_ELR, struct aarch64_frame, elr);
	OFFSET(FRAME_SPSR, struct aarch64_frame, spsr);
	OFFSET(FRAME_SP, struct aarch64_frame, sp);
	DEFINE(FRAME_SIZE, sizeof(struct aarch64_frame));

	/* A thread's switched context. */
	OFFSET(CTX_X19, struct aarch64_ctx, x19_x30);
	OFFSET(CTX_SP, struct aarch64_ctx, sp);
	OFFSET(CTX_FPU, struct aarch64_ctx, fpu);

	/*
	 * The FP/SIMD state: a thread's, and the one saved around a handler
	 * in interrupt context.
	 */
	OFFSET(FPU_Q, struct aarch64_fpu, q);
	OFFSET(FPU_FPCR, struct aarch64_fpu, fpcr);
	OFFSET(FPU_FPSR, struct aarch64_fpu, fpsr);
}
