/*
 * First instructions of every CPU: leave EL2 for EL1 when entered there
 * (running alone on the machine), set up the exception and thread stacks,
 * turn the MMU on and enter C. CPU 0 comes from the loader at _start;
 * the others from PSCI CPU_ON at aarch64_secondary_entry, with their
 * logical number as context.
 *
 * Threads run at EL1 on SP_EL0 ("EL1t"); exceptions arrive on SP_EL1, a
 * small per-CPU stack, so a thread that overflows into its guard page
 * still gets its fault reported.
 */
#include "asm.h"

	/* Unwind tables for debuggers only: not loaded with the image. */
	.cfi_sections .debug_frame
	.section .text.boot, "ax"
	/*
	 * An arm64 Image header (Linux's Documentation/arch/arm64/
	 * booting.rst), so that whoever loads the image knows how much RAM
	 * it takes running (BSS included) and places the device tree above.
	 */
	.global _start
_start:
	b	primary_entry
	.long	0
	.quad	0			/* text_offset: at a 2 MiB boundary */
	.quad	__image_size		/* from _start to the end of BSS */
	.quad	0x2			/* little-endian, 4 KiB pages, low in RAM */
	.quad	0, 0, 0
	.ascii	"ARM\x64"
	.long	0

primary_entry:
	mov	x21, x0			/* the device tree, by the protocol */
	mov	x19, #0
	b	cpu_entry

	.global aarch64_secondary_entry
aarch64_secondary_entry:
	mov	x19, x0
	mov	x21, #0

cpu_entry:
	msr	daifset, #0xf
	mov	x20, #0			/* 1: entered at EL2, no hypervisor */
	mrs	x0, CurrentEL
	cmp	x0, #(2 << 2)
	b.ne	at_el1

	mov	x0, #(1 << 31)		/* HCR_EL2.RW: EL1 runs AArch64 */
	msr	hcr_el2, x0
	mov	x0, #3			/* EL1 may read the counters */
	msr	cnthctl_el2, x0
	msr	cntvoff_el2, xzr
	mrs	x0, ICC_SRE_EL2
	orr	x0, x0, #0xf		/* EL1 may use the GIC registers */
	msr	ICC_SRE_EL2, x0
	isb
	mov	x0, #0x33ff		/* no FP/SIMD traps to EL2 */
	msr	cptr_el2, x0
	msr	hstr_el2, xzr
	mrs	x0, midr_el1
	msr	vpidr_el2, x0
	mrs	x0, mpidr_el1
	msr	vmpidr_el2, x0
	ldr	x0, =SCTLR_EL1_RES1
	msr	sctlr_el1, x0
	mov	x0, #0x3c5		/* EL1h, all exceptions masked */
	msr	spsr_el2, x0
	adr	x0, at_el1
	msr	elr_el2, x0
	mov	x20, #1
	eret

at_el1:
	msr	tpidr_el1, x19
	mov	x0, #(3 << 20)		/* FP/SIMD usable at EL1 */
	msr	cpacr_el1, x0
	isb
	ldr	x0, =aarch64_vectors
	msr	vbar_el1, x0

	/* SP_EL1: this CPU's exception stack. */
	ldr	x0, =exception_stacks
	add	x1, x19, #1
	mov	x2, #EXCEPTION_STACK_SIZE
	madd	x0, x1, x2, x0
	mov	sp, x0

	cbnz	x19, mmu_on
	/*
	 * CPU 0 builds the final tables again: what an earlier run of the
	 * image published is gone with its BSS (a warm restart keeps the
	 * data, not what it pointed to).
	 */
	ldr	x0, =aarch64_ttbr0
	str	xzr, [x0]
	ldr	x0, =__bss_start
	ldr	x1, =__bss_end
1:	cmp	x0, x1
	b.hs	mmu_on
	stp	xzr, xzr, [x0], #16
	b	1b

mmu_on:
	ldr	x0, =MAIR_VALUE
	msr	mair_el1, x0
	ldr	x0, =TCR_VALUE
	msr	tcr_el1, x0
	/* Secondaries take the final tables CPU 0 published. */
	ldr	x0, =aarch64_ttbr0
	ldr	x0, [x0]
	cbnz	x0, 2f
	ldr	x0, =boot_l1
2:	msr	ttbr0_el1, x0
	isb
	tlbi	vmalle1
	dsb	nsh
	isb
	mrs	x0, sctlr_el1
	ldr	x1, =SCTLR_EL1_ON
	orr	x0, x0, x1
	msr	sctlr_el1, x0
	isb

	/* SP_EL0: the stack this CPU's boot and idle thread runs on. */
	ldr	x0, =idle_stacks
	add	x1, x19, #1
	mov	x2, #IDLE_STACK_SIZE
	madd	x0, x1, x2, x0
	msr	sp_el0, x0
	msr	spsel, #0
	.cfi_startproc
	.cfi_undefined x30	/* the outermost frame: a debugger stops here */
	mov	x0, x19
	mov	x1, x20
	mov	x2, x21
	bl	aarch64_cpu_boot
3:	wfe
	b	3b
	.cfi_endproc

	.section .data
	.balign	8
	.global aarch64_ttbr0
aarch64_ttbr0:
	.quad	0

	/* Identity map of the low 4 GiB in 1 GiB blocks: devices, then RAM. */
	.balign	4096
boot_l1:
	.quad	0x0060000000000405
	.quad	0x0000000040000701
	.quad	0x0000000080000701
	.quad	0x00000000c0000701

	.section .bss
	.balign	16
	.global exception_stacks
exception_stacks:
	.space	EXCEPTION_STACK_SIZE * MAX_CPUS
	.global idle_stacks
idle_stacks:
	.space	IDLE_STACK_SIZE * MAX_CPUS
