/*
 * The hypervisor's first instructions on each CPU (CPU 0 from the loader,
 * the others from PSCI CPU_ON with their number as context), its exception
 * vectors, and the way in and out of a guest. A guest exit saves the
 * guest's general registers in its struct vcpu (TPIDR_EL2 points to it),
 * runs the C handler on the CPU's hypervisor stack, and enters the guest
 * again from the same struct. Each CPU boots on a coarse identity map
 * (hyp_l1), until C has built the real one (stage2.c) and switches to it
 * here (hyp_mmu_switch). Every offset into struct vcpu and every stack
 * size here comes from the C definitions (asm-offsets.h).
 */
#include "asm-offsets.h"	/* generated from asm-offsets.c */

#define SCTLR_EL2_ON 0x30c5183d /* RES1 bits, M, C, SA, I, WXN off */

	.section .text.boot, "ax"
	.global _start
_start:
	mov	x19, #0
	b	cpu_entry

	.global hyp_secondary_entry
hyp_secondary_entry:
	mov	x19, x0

cpu_entry:
	msr	daifset, #0xf
	ldr	x0, =hyp_stacks
	mov	x2, #HYP_STACK_SLOT
	madd	x0, x19, x2, x0
	add	x0, x0, #HYP_STACK_TOP
	mov	sp, x0
	mrs	x20, CurrentEL
	lsr	x20, x20, #2
	cmp	x20, #2
	b.ne	enter_c			/* C says why it cannot go on */

	ldr	x0, =hyp_vectors
	msr	vbar_el2, x0
	cbnz	x19, 2f
	ldr	x0, =__bss_start
	ldr	x1, =__bss_end
1:	cmp	x0, x1
	b.hs	2f
	stp	xzr, xzr, [x0], #16
	b	1b
2:	mov	x0, #0x04ff		/* attr0 normal WB, attr1 Device-nGnRE */
	msr	mair_el2, x0
	ldr	x0, =0x80803520		/* 4 GiB VA, 4 KiB, WB inner shareable */
	msr	tcr_el2, x0
	ldr	x0, =hyp_l1
	msr	ttbr0_el2, x0
	isb
	tlbi	alle2
	dsb	nsh
	isb
	ldr	x0, =SCTLR_EL2_ON
	msr	sctlr_el2, x0
	isb
enter_c:
	mov	x0, x19
	mov	x1, x20
	bl	hyp_cpu_main
3:	wfe
	b	3b

	/*
	 * What this file assumes of the C layouts beyond their offsets:
	 * elr and spsr move as one pair, the guard pages and stacks are
	 * whole pages (stage2.c maps them page by page), and a CPU number
	 * is masked to the count of CPUs.
	 */
	.if	VCPU_SPSR != VCPU_ELR + 8
	.error	"struct vcpu: spsr must follow elr"
	.endif
	.if	HYP_STACK_SLOT % 4096 || HYP_STACK_BASE % 4096
	.error	"struct hyp_stack: the guard page and stack must be whole pages"
	.endif
	.if	HYP_MAX_CPUS & (HYP_MAX_CPUS - 1)
	.error	"HYP_MAX_CPUS must be a power of two"
	.endif

	.text
	/*
	 * hyp_mmu_switch(ttbr, tcr, mair): onto new tables, with the MMU off
	 * in between, so that no TLB entry of the old map meets the new
	 * (no break-before-make needed). Nothing is read from memory while
	 * it is off. WXN from then on: nothing writable is executable.
	 */
	.global hyp_mmu_switch
hyp_mmu_switch:
	dsb	ish
	mrs	x3, sctlr_el2
	bic	x4, x3, #1
	msr	sctlr_el2, x4
	isb
	msr	mair_el2, x2
	msr	tcr_el2, x1
	msr	ttbr0_el2, x0
	isb
	tlbi	alle2
	dsb	nsh
	isb
	orr	x3, x3, #(1 << 19)
	msr	sctlr_el2, x3
	isb
	ret

	/* Leaves for the guest described by x0; never returns. */
	.global guest_enter
guest_enter:
	msr	tpidr_el2, x0
	ldp	x1, x2, [x0, #VCPU_ELR]
	msr	elr_el2, x1
	msr	spsr_el2, x2
	ldp	x2, x3, [x0, #(VCPU_X + 2 * 8)]
	ldp	x4, x5, [x0, #(VCPU_X + 4 * 8)]
	ldp	x6, x7, [x0, #(VCPU_X + 6 * 8)]
	ldp	x8, x9, [x0, #(VCPU_X + 8 * 8)]
	ldp	x10, x11, [x0, #(VCPU_X + 10 * 8)]
	ldp	x12, x13, [x0, #(VCPU_X + 12 * 8)]
	ldp	x14, x15, [x0, #(VCPU_X + 14 * 8)]
	ldp	x16, x17, [x0, #(VCPU_X + 16 * 8)]
	ldp	x18, x19, [x0, #(VCPU_X + 18 * 8)]
	ldp	x20, x21, [x0, #(VCPU_X + 20 * 8)]
	ldp	x22, x23, [x0, #(VCPU_X + 22 * 8)]
	ldp	x24, x25, [x0, #(VCPU_X + 24 * 8)]
	ldp	x26, x27, [x0, #(VCPU_X + 26 * 8)]
	ldp	x28, x29, [x0, #(VCPU_X + 28 * 8)]
	ldr	x30, [x0, #(VCPU_X + 30 * 8)]
	ldp	x0, x1, [x0, #VCPU_X]
	eret

	/* A guest exit of the given kind (0 sync, 1 IRQ, 2 FIQ, 3 SError). */
	.macro	guest_exit kind
	.balign	0x80
	stp	x0, x1, [sp, #-16]!
	mrs	x0, tpidr_el2
	mov	x1, #\kind
	b	save_guest
	.endm

	.macro	hyp_fault kind
	.balign	0x80
	mov	x0, #\kind
	b	hyp_fault_report
	.endm

	.balign	2048
hyp_vectors:
	hyp_fault 0	/* current EL, SP0 */
	hyp_fault 1
	hyp_fault 2
	hyp_fault 3
	hyp_fault 4	/* current EL, SPx: the hypervisor itself */
	hyp_fault 5
	hyp_fault 6
	hyp_fault 7
	guest_exit 0	/* lower EL, AArch64: the guests */
	guest_exit 1
	guest_exit 2
	guest_exit 3
	hyp_fault 12	/* lower EL, AArch32: not supported */
	hyp_fault 13
	hyp_fault 14
	hyp_fault 15

	/*
	 * A fault in the hypervisor is the end; it is reported from the top
	 * of this CPU's stack, which may be what overflowed into its guard
	 * page. The CPU number is MPIDR's Aff0, as PSCI CPU_ON was given.
	 */
hyp_fault_report:
	mrs	x1, esr_el2
	mrs	x2, elr_el2
	mrs	x3, far_el2
	mrs	x4, mpidr_el1
	and	x4, x4, #(HYP_MAX_CPUS - 1)
	mov	x5, #HYP_STACK_SLOT
	ldr	x6, =hyp_stacks
	madd	x6, x4, x5, x6
	add	x6, x6, #HYP_STACK_TOP
	mov	sp, x6
	b	hyp_exception

save_guest:
	stp	x2, x3, [x0, #(VCPU_X + 2 * 8)]
	stp	x4, x5, [x0, #(VCPU_X + 4 * 8)]
	stp	x6, x7, [x0, #(VCPU_X + 6 * 8)]
	stp	x8, x9, [x0, #(VCPU_X + 8 * 8)]
	stp	x10, x11, [x0, #(VCPU_X + 10 * 8)]
	stp	x12, x13, [x0, #(VCPU_X + 12 * 8)]
	stp	x14, x15, [x0, #(VCPU_X + 14 * 8)]
	stp	x16, x17, [x0, #(VCPU_X + 16 * 8)]
	stp	x18, x19, [x0, #(VCPU_X + 18 * 8)]
	stp	x20, x21, [x0, #(VCPU_X + 20 * 8)]
	stp	x22, x23, [x0, #(VCPU_X + 22 * 8)]
	stp	x24, x25, [x0, #(VCPU_X + 24 * 8)]
	stp	x26, x27, [x0, #(VCPU_X + 26 * 8)]
	stp	x28, x29, [x0, #(VCPU_X + 28 * 8)]
	str	x30, [x0, #(VCPU_X + 30 * 8)]
	ldp	x2, x3, [sp], #16
	stp	x2, x3, [x0, #VCPU_X]
	mrs	x2, elr_el2
	mrs	x3, spsr_el2
	stp	x2, x3, [x0, #VCPU_ELR]
	/* The stack is empty again: each exit starts from its top. */
	bl	hyp_guest_exit
	mrs	x0, tpidr_el2
	b	guest_enter

	.section .data
	/* The hypervisor's identity map: devices, then RAM, 1 GiB blocks. */
	.balign	4096
hyp_l1:
	.quad	0x0040000000000405
	.quad	0x0000000040000701
	.quad	0x0000000080000701
	.quad	0x00000000c0000701

	/* Per CPU: a guard page, then its stack (which grows down to it). */
	.section .bss
	.balign	4096
	.global hyp_stacks
hyp_stacks:
	.space	HYP_STACK_SLOT * HYP_MAX_CPUS
