/*
 * Thread context switch: callee-saved registers and the stack pointer,
 * in one struct aarch64_ctx, and the FP/SIMD state (a thread preempted
 * by an interrupt may have live values in any vector register) only when
 * the CPU's registers change hands (cpu.c, arch_switch, says when). The
 * same save and load serve around a handler run in interrupt context.
 */
	/* Unwind tables for debuggers only: not loaded with the image. */
	.cfi_sections .debug_frame

#include "asm-offsets.h"	/* generated from asm-offsets.c */

	/*
	 * What this file assumes of the C layouts beyond their offsets:
	 * fpcr and fpsr move as a pair; the q registers are 16-byte aligned.
	 */
	.if	FPU_FPSR != FPU_FPCR + 8
	.error	"struct aarch64_fpu: fpcr and fpsr are split"
	.endif
	.if	(CTX_FPU + FPU_Q) % 16 || FPU_Q % 16
	.error	"struct aarch64_ctx or aarch64_fpu: q[] is not 16-byte aligned"
	.endif

	/* Every FP/SIMD register to the struct aarch64_fpu at \base. */
	.macro	fpu_store base
	stp	q0, q1, [\base, #(FPU_Q + 0 * 16)]
	stp	q2, q3, [\base, #(FPU_Q + 2 * 16)]
	stp	q4, q5, [\base, #(FPU_Q + 4 * 16)]
	stp	q6, q7, [\base, #(FPU_Q + 6 * 16)]
	stp	q8, q9, [\base, #(FPU_Q + 8 * 16)]
	stp	q10, q11, [\base, #(FPU_Q + 10 * 16)]
	stp	q12, q13, [\base, #(FPU_Q + 12 * 16)]
	stp	q14, q15, [\base, #(FPU_Q + 14 * 16)]
	stp	q16, q17, [\base, #(FPU_Q + 16 * 16)]
	stp	q18, q19, [\base, #(FPU_Q + 18 * 16)]
	stp	q20, q21, [\base, #(FPU_Q + 20 * 16)]
	stp	q22, q23, [\base, #(FPU_Q + 22 * 16)]
	stp	q24, q25, [\base, #(FPU_Q + 24 * 16)]
	stp	q26, q27, [\base, #(FPU_Q + 26 * 16)]
	stp	q28, q29, [\base, #(FPU_Q + 28 * 16)]
	stp	q30, q31, [\base, #(FPU_Q + 30 * 16)]
	mrs	x9, fpcr
	mrs	x10, fpsr
	add	x11, \base, #FPU_FPCR
	stp	x9, x10, [x11]
	.endm

	/* And back from it. */
	.macro	fpu_load base
	ldp	q0, q1, [\base, #(FPU_Q + 0 * 16)]
	ldp	q2, q3, [\base, #(FPU_Q + 2 * 16)]
	ldp	q4, q5, [\base, #(FPU_Q + 4 * 16)]
	ldp	q6, q7, [\base, #(FPU_Q + 6 * 16)]
	ldp	q8, q9, [\base, #(FPU_Q + 8 * 16)]
	ldp	q10, q11, [\base, #(FPU_Q + 10 * 16)]
	ldp	q12, q13, [\base, #(FPU_Q + 12 * 16)]
	ldp	q14, q15, [\base, #(FPU_Q + 14 * 16)]
	ldp	q16, q17, [\base, #(FPU_Q + 16 * 16)]
	ldp	q18, q19, [\base, #(FPU_Q + 18 * 16)]
	ldp	q20, q21, [\base, #(FPU_Q + 20 * 16)]
	ldp	q22, q23, [\base, #(FPU_Q + 22 * 16)]
	ldp	q24, q25, [\base, #(FPU_Q + 24 * 16)]
	ldp	q26, q27, [\base, #(FPU_Q + 26 * 16)]
	ldp	q28, q29, [\base, #(FPU_Q + 28 * 16)]
	ldp	q30, q31, [\base, #(FPU_Q + 30 * 16)]
	add	x11, \base, #FPU_FPCR
	ldp	x9, x10, [x11]
	msr	fpcr, x9
	msr	fpsr, x10
	.endm

	/*
	 * x0: prev's context, x1: next's; x2: NULL when the FP/SIMD
	 * registers stay as they are, else the CPU's owner slot (a struct
	 * aarch64_ctx *): its owner's state is saved (none if it holds
	 * NULL), next's loaded, and next becomes the owner.
	 */
	.text
	.global	aarch64_context_switch
aarch64_context_switch:
	cbz	x2, 2f
	ldr	x3, [x2]
	str	x1, [x2]
	cbz	x3, 1f
	add	x3, x3, #CTX_FPU
	fpu_store x3
1:	add	x3, x1, #CTX_FPU
	fpu_load x3
2:	stp	x19, x20, [x0, #(CTX_X19 + 0 * 8)]
	stp	x21, x22, [x0, #(CTX_X19 + 2 * 8)]
	stp	x23, x24, [x0, #(CTX_X19 + 4 * 8)]
	stp	x25, x26, [x0, #(CTX_X19 + 6 * 8)]
	stp	x27, x28, [x0, #(CTX_X19 + 8 * 8)]
	stp	x29, x30, [x0, #(CTX_X19 + 10 * 8)]
	mov	x9, sp
	str	x9, [x0, #CTX_SP]

	ldr	x9, [x1, #CTX_SP]
	mov	sp, x9
	ldp	x19, x20, [x1, #(CTX_X19 + 0 * 8)]
	ldp	x21, x22, [x1, #(CTX_X19 + 2 * 8)]
	ldp	x23, x24, [x1, #(CTX_X19 + 4 * 8)]
	ldp	x25, x26, [x1, #(CTX_X19 + 6 * 8)]
	ldp	x27, x28, [x1, #(CTX_X19 + 8 * 8)]
	ldp	x29, x30, [x1, #(CTX_X19 + 10 * 8)]
	ret

	/* A new thread's first instructions: x19 holds the kernel's entry. */
	.global	aarch64_thread_start
aarch64_thread_start:
	.cfi_startproc
	.cfi_undefined x30	/* the outermost frame: a debugger stops here */
	mov	x29, #0
	blr	x19
	b	.
	.cfi_endproc

	/* x0: a struct aarch64_fpu, 16-byte aligned. */
	.global	aarch64_fpu_save
aarch64_fpu_save:
	fpu_store x0
	ret

	.global	aarch64_fpu_restore
aarch64_fpu_restore:
	fpu_load x0
	ret
