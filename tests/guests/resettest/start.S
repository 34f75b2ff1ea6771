/*
 * resettest's first instructions. vCPU 0 records, before it touches any
 * of them, the EL1 registers a reset must have cleared (into snap[], in
 * the order of enum snap_reg in resettest.c), so that the C code can see
 * what the previous incarnation left. Every other vCPU enters at
 * secondary_entry, started by PSCI CPU_ON.
 */
#define SNAP_SYSREGS 36

	.section .text.boot, "ax"
	/* An arm64 Image header: the loader learns the RAM it takes. */
	.global _start
_start:
	b	first
	.long	0
	.quad	0			/* text_offset: at a 2 MiB boundary */
	.quad	__image_size		/* from _start to the top of the stacks */
	.quad	0x2			/* little-endian, 4 KiB pages, low in RAM */
	.quad	0, 0, 0
	.ascii	"ARM\x64"
	.long	0

first:
	ldr	x1, =snap
	mrs	x2, sctlr_el1
	mrs	x3, ttbr0_el1
	mrs	x4, ttbr1_el1
	mrs	x5, tcr_el1
	mrs	x6, mair_el1
	mrs	x7, vbar_el1
	stp	x2, x3, [x1, #0]
	stp	x4, x5, [x1, #16]
	stp	x6, x7, [x1, #32]
	mrs	x2, contextidr_el1
	mrs	x3, tpidr_el1
	mrs	x4, tpidr_el0
	mrs	x5, tpidrro_el0
	mrs	x6, cpacr_el1
	mrs	x7, cntkctl_el1
	stp	x2, x3, [x1, #48]
	stp	x4, x5, [x1, #64]
	stp	x6, x7, [x1, #80]
	mrs	x2, cntv_ctl_el0
	mrs	x3, cntp_ctl_el0
	mrs	x4, mdscr_el1
	mrs	x5, pmcr_el0
	mrs	x6, pmcntenset_el0
	mrs	x7, pmintenset_el1
	stp	x2, x3, [x1, #96]
	stp	x4, x5, [x1, #112]
	stp	x6, x7, [x1, #128]
	mrs	x2, pmuserenr_el0
	mrs	x3, far_el1
	mrs	x4, esr_el1
	mrs	x5, elr_el1
	mrs	x6, spsr_el1
	mrs	x7, sp_el0
	stp	x2, x3, [x1, #144]
	stp	x4, x5, [x1, #160]
	stp	x6, x7, [x1, #176]
	mrs	x2, afsr0_el1
	mrs	x3, par_el1
	mrs	x4, S3_0_C4_C6_0	/* ICC_PMR_EL1 */
	mrs	x5, S3_0_C12_C9_0	/* ICC_AP1R0_EL1 */
	mrs	x6, S3_0_C12_C12_7	/* ICC_IGRPEN1_EL1 */
	mrs	x7, dbgbcr0_el1
	stp	x2, x3, [x1, #192]
	stp	x4, x5, [x1, #208]
	stp	x6, x7, [x1, #224]
	mrs	x2, dbgwcr0_el1
	mrs	x3, pmselr_el0
	mrs	x4, csselr_el1
	mrs	x5, amair_el1
	stp	x2, x3, [x1, #240]
	stp	x4, x5, [x1, #256]
	/* FP/SIMD: usable only once CPACR_EL1 lets EL1 have it. */
	mov	x2, #(3 << 20)
	msr	cpacr_el1, x2
	isb
	mrs	x2, fpcr
	mrs	x3, fpsr
	stp	x2, x3, [x1, #272]
	ldr	x1, =snap_fp
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	str	q\n, [x1], #16
	.endr
	mov	x19, x0			/* the device tree */
	ldr	x0, =__bss_start
	ldr	x1, =__bss_end
1:	cmp	x0, x1
	b.hs	2f
	str	xzr, [x0], #8
	b	1b
2:	ldr	x0, =__stack0_top
	mov	sp, x0
	mov	x0, x19
	bl	main0
3:	wfi
	b	3b

	.global secondary_entry
secondary_entry:
	mov	x2, #(3 << 20)
	msr	cpacr_el1, x2
	isb
	ldr	x1, =__stack1_top
	mov	sp, x1
	bl	main1
4:	wfi
	b	4b

	/* Leaves a pattern in every FP/SIMD register, FPCR and FPSR. */
	.global plant_fp
plant_fp:
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	dup	v\n\().2d, x0
	.endr
	mov	x1, #(3 << 22)		/* RMode: towards zero */
	msr	fpcr, x1
	mov	x1, #0x1f		/* cumulative exception flags */
	msr	fpsr, x1
	ret

	/* Not .bss: that is cleared only after the snapshot is taken. */
	.data
	.balign	16
	.global	snap, snap_fp
snap:
	.space	8 * SNAP_SYSREGS
snap_fp:
	.space	16 * 32
