/*
 * Exception vectors. Threads run in EL1t, so everything normal arrives
 * through the "current EL, SP_EL0" entries, on the CPU's exception stack.
 * An IRQ moves the interrupted registers onto the thread's own stack and
 * continues there, so that the handler may switch threads like any
 * blocking call; a synchronous exception is an error, reported from the
 * exception stack (which a thread's stack overflow cannot have damaged),
 * and returns only to end the faulting thread (exception.c).
 * Any other entry is unexpected and reported.
 */
#include "asm.h"
#include "asm-offsets.h"	/* generated from asm-offsets.c */

	/*
	 * What this file assumes of struct aarch64_frame beyond its
	 * offsets: elr and spsr move as one pair, and a frame keeps the
	 * stack 16-byte aligned.
	 */
	.if	FRAME_SPSR != FRAME_ELR + 8
	.error	"struct aarch64_frame: spsr must follow elr"
	.endif
	.if	FRAME_SIZE % 16
	.error	"struct aarch64_frame: its size must be a multiple of 16"
	.endif

	/* Unwind tables for debuggers only: not loaded with the image. */
	.cfi_sections .debug_frame

	.macro	ventry target
	.balign	0x80
	b	\target
	.endm

	.macro	vunexpected kind
	.balign	0x80
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #FRAME_X]
	mov	x0, #\kind
	b	unexpected
	.endm

	.text
	.balign	2048
	.global	aarch64_vectors
aarch64_vectors:
	ventry	el1t_sync
	ventry	el1t_irq
	vunexpected 2
	vunexpected 3
	vunexpected 4
	vunexpected 5
	vunexpected 6
	vunexpected 7
	vunexpected 8
	vunexpected 9
	vunexpected 10
	vunexpected 11
	vunexpected 12
	vunexpected 13
	vunexpected 14
	vunexpected 15

	/* Stores x2-x30 at \base; x0 and x1 are the caller's business. */
	.macro	save_x2_x30 base
	stp	x2, x3, [\base, #(FRAME_X + 2 * 8)]
	stp	x4, x5, [\base, #(FRAME_X + 4 * 8)]
	stp	x6, x7, [\base, #(FRAME_X + 6 * 8)]
	stp	x8, x9, [\base, #(FRAME_X + 8 * 8)]
	stp	x10, x11, [\base, #(FRAME_X + 10 * 8)]
	stp	x12, x13, [\base, #(FRAME_X + 12 * 8)]
	stp	x14, x15, [\base, #(FRAME_X + 14 * 8)]
	stp	x16, x17, [\base, #(FRAME_X + 16 * 8)]
	stp	x18, x19, [\base, #(FRAME_X + 18 * 8)]
	stp	x20, x21, [\base, #(FRAME_X + 20 * 8)]
	stp	x22, x23, [\base, #(FRAME_X + 22 * 8)]
	stp	x24, x25, [\base, #(FRAME_X + 24 * 8)]
	stp	x26, x27, [\base, #(FRAME_X + 26 * 8)]
	stp	x28, x29, [\base, #(FRAME_X + 28 * 8)]
	str	x30, [\base, #(FRAME_X + 30 * 8)]
	.endm

	/* The rest of a frame at sp, whose x0 and x1 are already there. */
	.macro	finish_frame
	save_x2_x30 sp
	mrs	x2, elr_el1
	mrs	x3, spsr_el1
	stp	x2, x3, [sp, #FRAME_ELR]
	mrs	x2, sp_el0
	str	x2, [sp, #FRAME_SP]
	.endm

	/*
	 * Unwind information for a debugger, valid from here to the call
	 * that follows: sp points at a frame, the interrupted code's stack
	 * pointer is its saved SP_EL0, its pc the saved ELR and its
	 * registers the saved ones, so a backtrace taken in the handler goes
	 * on into the interrupted thread. DWARF has no directive for "the
	 * CFA is loaded from memory", hence the raw expressions:
	 * DW_CFA_def_cfa_expression (breg31 FRAME_SP; deref) and, per
	 * register, DW_CFA_expression (breg31 offset), every offset in two
	 * bytes of SLEB128.
	 */
	.macro	cfi_saved reg, off
	.cfi_escape 0x10, \reg, 3, 0x8f, ((\off) & 0x7f) | 0x80, ((\off) >> 7) & 0x3f
	.endm
	.macro	frame_cfi
	.cfi_escape 0x0f, 4, 0x8f, (FRAME_SP & 0x7f) | 0x80, (FRAME_SP >> 7) & 0x3f, 0x06
	.irp	r, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30
	cfi_saved \r, FRAME_X + \r * 8
	.endr
	cfi_saved 32, FRAME_ELR	/* DWARF 32: the pc */
	.endm

	/* The entries are signal-like frames whose return address is the pc. */
	.macro	frame_proc
	.cfi_startproc
	.cfi_signal_frame
	.cfi_return_column 32
	.endm

unexpected:
	frame_proc
	finish_frame
	mov	x1, sp
	frame_cfi
	bl	aarch64_unexpected
	b	.
	.cfi_endproc

el1t_sync:
	frame_proc
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #FRAME_X]
	finish_frame
	mov	x0, sp
	frame_cfi
	bl	aarch64_sync
	/*
	 * It returns only for a thread to end (exception.c): into the
	 * frame it rewrote, the thread's own stack started again.
	 */
	ldp	x2, x3, [sp, #FRAME_ELR]
	msr	elr_el1, x2
	msr	spsr_el1, x3
	ldr	x2, [sp, #FRAME_SP]
	msr	sp_el0, x2
	ldp	x29, x30, [sp, #(FRAME_X + 29 * 8)]
	ldr	x2, [sp, #(FRAME_X + 2 * 8)]
	ldp	x0, x1, [sp, #FRAME_X]
	add	sp, sp, #FRAME_SIZE
	eret
	.cfi_endproc

el1t_irq:
	frame_proc
	stp	x0, x1, [sp, #-16]!
	mrs	x0, sp_el0
	sub	x0, x0, #FRAME_SIZE
	/* A fault here is a stack overflow: reported by el1t_sync. */
	save_x2_x30 x0
	ldp	x2, x3, [sp], #16
	stp	x2, x3, [x0, #FRAME_X]
	mrs	x2, elr_el1
	mrs	x3, spsr_el1
	stp	x2, x3, [x0, #FRAME_ELR]
	mrs	x2, sp_el0
	str	x2, [x0, #FRAME_SP]
	msr	sp_el0, x0
	msr	spsel, #0
	frame_cfi
	bl	aarch64_irq

	/* Interrupts are still masked: nothing can come between here and eret. */
	ldp	x2, x3, [sp, #FRAME_ELR]
	msr	elr_el1, x2
	msr	spsr_el1, x3
	ldp	x2, x3, [sp, #(FRAME_X + 2 * 8)]
	ldp	x4, x5, [sp, #(FRAME_X + 4 * 8)]
	ldp	x6, x7, [sp, #(FRAME_X + 6 * 8)]
	ldp	x8, x9, [sp, #(FRAME_X + 8 * 8)]
	ldp	x10, x11, [sp, #(FRAME_X + 10 * 8)]
	ldp	x12, x13, [sp, #(FRAME_X + 12 * 8)]
	ldp	x14, x15, [sp, #(FRAME_X + 14 * 8)]
	ldp	x16, x17, [sp, #(FRAME_X + 16 * 8)]
	ldp	x18, x19, [sp, #(FRAME_X + 18 * 8)]
	ldp	x20, x21, [sp, #(FRAME_X + 20 * 8)]
	ldp	x22, x23, [sp, #(FRAME_X + 22 * 8)]
	ldp	x24, x25, [sp, #(FRAME_X + 24 * 8)]
	ldp	x26, x27, [sp, #(FRAME_X + 26 * 8)]
	ldp	x28, x29, [sp, #(FRAME_X + 28 * 8)]
	ldr	x30, [sp, #(FRAME_X + 30 * 8)]
	ldp	x0, x1, [sp, #FRAME_X]
	add	sp, sp, #FRAME_SIZE
	eret
	.cfi_endproc
