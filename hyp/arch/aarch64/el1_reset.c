/*
 * A vCPU's EL1 context brought to its architectural reset state, on the
 * CPU that is to run it: what a restart (or a CPU_ON) must not let
 * survive from the previous run. EL1 system registers, timers, FP/SIMD,
 * PMU, debug, the GIC's virtual CPU interface and the VMID's TLB entries;
 * and the cache maintenance that lets a guest start with its MMU off on
 * RAM the hypervisor wrote through its cacheable map.
 */
#include "hyp.h"

#define SCTLR_EL1_RESET 0x30d00800ul /* RES1 bits; MMU and caches off */

/* ID_AA64DFR0_EL1 */
#define DFR0_PMUVER(r) ((r) >> 8 & 0xf)
#define DFR0_BRPS(r) ((r) >> 12 & 0xf)
#define DFR0_WRPS(r) ((r) >> 20 & 0xf)

#define ICH_VTR_EL2 S3_4_C12_C11_1
#define ICH_VMCR_EL2 S3_4_C12_C11_7

static void reset_sysregs(void)
{
	write_sysreg(sctlr_el1, SCTLR_EL1_RESET);
	isb();
	write_sysreg(cpacr_el1, 0);
	write_sysreg(ttbr0_el1, 0);
	write_sysreg(ttbr1_el1, 0);
	write_sysreg(tcr_el1, 0);
	write_sysreg(mair_el1, 0);
	write_sysreg(amair_el1, 0);
	write_sysreg(vbar_el1, 0);
	write_sysreg(contextidr_el1, 0);
	write_sysreg(tpidr_el1, 0);
	write_sysreg(tpidr_el0, 0);
	write_sysreg(tpidrro_el0, 0);
	write_sysreg(esr_el1, 0);
	write_sysreg(far_el1, 0);
	write_sysreg(afsr0_el1, 0);
	write_sysreg(afsr1_el1, 0);
	write_sysreg(par_el1, 0);
	write_sysreg(elr_el1, 0);
	write_sysreg(spsr_el1, 0);
	write_sysreg(sp_el0, 0);
	write_sysreg(sp_el1, 0);
	write_sysreg(csselr_el1, 0);
	write_sysreg(cntkctl_el1, 0);
	write_sysreg(cntv_ctl_el0, 0);
	write_sysreg(cntv_cval_el0, 0);
	write_sysreg(cntp_ctl_el0, 0);
	write_sysreg(cntp_cval_el0, 0);
}

/*
 * The hypervisor is built without FP/SIMD registers, so these are the
 * guest's alone; CPTR_EL2 lets EL2 use them here.
 */
static void reset_fp(void)
{
	__asm__ volatile(
	    ".irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,"
	    "22,23,24,25,26,27,28,29,30,31\n\t"
	    "movi v\\n\\().2d, #0\n\t"
	    ".endr\n\t"
	    "msr fpcr, xzr\n\t"
	    "msr fpsr, xzr" ::
		: "memory");
}

static void reset_pmu(uint64_t dfr0)
{
	uint64_t n;

	if (DFR0_PMUVER(dfr0) == 0 || DFR0_PMUVER(dfr0) == 0xf)
		return;
	/* Counters stopped, all of them (and the cycle counter) zeroed. */
	write_sysreg(pmcr_el0, 1u << 1 | 1u << 2);
	write_sysreg(pmcntenclr_el0, ~0ul);
	write_sysreg(pmintenclr_el1, ~0ul);
	write_sysreg(pmovsclr_el0, ~0ul);
	write_sysreg(pmuserenr_el0, 0);
	write_sysreg(pmccfiltr_el0, 0);
	n = read_sysreg(pmcr_el0) >> 11 & 0x1f;
	for (uint64_t i = 0; i < n; i++) {
		write_sysreg(pmselr_el0, i);
		isb();
		write_sysreg(pmxevtyper_el0, 0);
	}
	write_sysreg(pmselr_el0, 0);
}

#define BP(n)                                     \
	case n:                                   \
		write_sysreg(dbgbcr##n##_el1, 0); \
		write_sysreg(dbgbvr##n##_el1, 0); \
		break
#define WP(n)                                     \
	case n:                                   \
		write_sysreg(dbgwcr##n##_el1, 0); \
		write_sysreg(dbgwvr##n##_el1, 0); \
		break

static void reset_debug(uint64_t dfr0)
{
	write_sysreg(mdscr_el1, 0);
	for (uint64_t i = 0; i <= DFR0_BRPS(dfr0); i++) {
		switch (i) {
			BP(0);
			BP(1);
			BP(2);
			BP(3);
			BP(4);
			BP(5);
			BP(6);
			BP(7);
			BP(8);
			BP(9);
			BP(10);
			BP(11);
			BP(12);
			BP(13);
			BP(14);
			BP(15);
		}
	}
	for (uint64_t i = 0; i <= DFR0_WRPS(dfr0); i++) {
		switch (i) {
			WP(0);
			WP(1);
			WP(2);
			WP(3);
			WP(4);
			WP(5);
			WP(6);
			WP(7);
			WP(8);
			WP(9);
			WP(10);
			WP(11);
			WP(12);
			WP(13);
			WP(14);
			WP(15);
		}
	}
	/* The OS lock is set out of a cold reset; the guest clears it. */
	write_sysreg(oslar_el1, 1);
}

/*
 * The virtual CPU interface: no active priority left (an interrupt the
 * previous run acknowledged and never ended would mask every interrupt of
 * its priority and below for good), VMCR as out of reset (PMR 0, groups
 * disabled). The list registers were emptied when the vCPU stopped.
 */
static void reset_gic_cpu_interface(void)
{
	uint64_t pre = (read_sysreg(ICH_VTR_EL2) >> 26 & 7) + 1;

	write_sysreg(S3_4_C12_C8_0, 0); /* ICH_AP0R0_EL2 */
	write_sysreg(S3_4_C12_C9_0, 0); /* ICH_AP1R0_EL2 */
	if (pre >= 6) {
		write_sysreg(S3_4_C12_C8_1, 0);
		write_sysreg(S3_4_C12_C9_1, 0);
	}
	if (pre >= 7) {
		write_sysreg(S3_4_C12_C8_2, 0);
		write_sysreg(S3_4_C12_C8_3, 0);
		write_sysreg(S3_4_C12_C9_2, 0);
		write_sysreg(S3_4_C12_C9_3, 0);
	}
	write_sysreg(ICH_VMCR_EL2, 0);
}

void arch_vcpu_reset(struct vcpu *v)
{
	uint64_t dfr0 = read_sysreg(id_aa64dfr0_el1);

	reset_sysregs();
	reset_fp();
	reset_pmu(dfr0);
	reset_debug(dfr0);
	reset_gic_cpu_interface();
	/* What this CPU cached of v's VMID before (the reset did all CPUs). */
	if (read_sysreg(vttbr_el2) != v->part->vttbr) {
		write_sysreg(vttbr_el2, v->part->vttbr);
		isb();
	}
	__asm__ volatile("tlbi vmalls12e1\n\tdsb nsh\n\tisb" ::: "memory");
}

void arch_tlb_flush_vmid(struct partition *p)
{
	uint64_t was = read_sysreg(vttbr_el2);

	/* TLBI by VMID acts on the VMID of the current VTTBR_EL2. */
	write_sysreg(vttbr_el2, p->vttbr);
	isb();
	__asm__ volatile("tlbi vmalls12e1is\n\tdsb ish" ::: "memory");
	write_sysreg(vttbr_el2, was);
	isb();
}

static uint64_t cache_line(void)
{
	/* CTR_EL0.DminLine: log2 of words in the smallest data cache line. */
	return 4ul << (read_sysreg(ctr_el0) >> 16 & 0xf);
}

void arch_clean_inval_to_poc(uint64_t pa, uint64_t size)
{
	uint64_t line = cache_line();

	for (uint64_t a = pa & ~(line - 1); a < pa + size; a += line)
		__asm__ volatile("dc civac, %0" ::"r"(a) : "memory");
	dsb(sy);
}

/*
 * Zeroes with DC ZVA and cleans each block as it goes, when a zeroing
 * block is a cache line (Cortex-A72's: 64 bytes): two instructions per
 * line, four lines per turn, so a partition's scrub costs its CPU about
 * three instructions per 64 bytes. A DC CIVAC is ordered after the DC ZVA
 * (a store) to the same line, and the final DSB completes them all. Else
 * (DC ZVA prohibited, another block size, a ragged start or end) plain
 * stores, then a clean.
 */
void arch_zero_to_poc(uint64_t pa, uint64_t size)
{
	uint64_t dczid = read_sysreg(dczid_el0);
	uint64_t zva = 4ul << (dczid & 0xf), line = cache_line();
	uint64_t a = pa, end = pa + size;

	if (!(dczid & 0x10) && zva == line && !(pa & (4 * zva - 1))) {
		for (; a + 4 * zva <= end; a += 4 * zva)
			__asm__ volatile("dc zva, %0\n\t"
					 "dc civac, %0\n\t"
					 "dc zva, %1\n\t"
					 "dc civac, %1\n\t"
					 "dc zva, %2\n\t"
					 "dc civac, %2\n\t"
					 "dc zva, %3\n\t"
					 "dc civac, %3" ::"r"(a),
					 "r"(a + zva), "r"(a + 2 * zva),
					 "r"(a + 3 * zva)
					 : "memory");
		dsb(sy);
		if (a == end)
			return;
		pa = a;
		size = end - a;
	}
	for (; a + 64 <= end; a += 64)
		__asm__ volatile("stp xzr, xzr, [%0]\n\t"
				 "stp xzr, xzr, [%0, #16]\n\t"
				 "stp xzr, xzr, [%0, #32]\n\t"
				 "stp xzr, xzr, [%0, #48]" ::"r"(a)
				 : "memory");
	for (; a < end; a++)
		*(volatile uint8_t *)a = 0;
	dsb(ish);
	arch_clean_inval_to_poc(pa, size);
}

void arch_copy(uint64_t to, uint64_t from, uint64_t size)
{
	if ((to | from | size) & 63) {
		__builtin_memcpy((void *)to, (const void *)from, size);
		return;
	}
	for (uint64_t off = 0; off < size; off += 64)
		__asm__ volatile("ldp x2, x3, [%1]\n\t"
				 "ldp x4, x5, [%1, #16]\n\t"
				 "ldp x6, x7, [%1, #32]\n\t"
				 "ldp x8, x9, [%1, #48]\n\t"
				 "stp x2, x3, [%0]\n\t"
				 "stp x4, x5, [%0, #16]\n\t"
				 "stp x6, x7, [%0, #32]\n\t"
				 "stp x8, x9, [%0, #48]" ::"r"(to + off),
				 "r"(from + off)
				 : "x2", "x3", "x4", "x5", "x6", "x7", "x8",
				   "x9", "memory");
}

uint64_t arch_counter_freq(void)
{
	return read_sysreg(cntfrq_el0);
}
