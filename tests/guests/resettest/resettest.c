/*
 * resettest: a bare guest (no real-time core under it, so that it owns
 * every EL1 register and boots in microseconds) that checks a partition
 * restart is a reset. It runs in config/reset-stress.dts, whose first
 * partition ("a", two vCPUs) does the restarts and whose second ("b", one
 * vCPU) must not notice them. Which incarnation it is comes from
 * TN_HC_PARTITION_INFO (x4, the restart count).
 *
 * a, incarnation 0: leaves values in its RAM and in EL1 system registers,
 *   FP/SIMD, PMU, debug, timers and the GIC CPU interface (an interrupt
 *   acknowledged, never ended), then PSCI SYSTEM_RESET.
 * a, incarnation 1: checks that none of them survived ("resettest: ok
 *   NAME" or "resettest: FAILED NAME: ..."), then the stress:
 * a, every incarnation from 1: starts vCPU 1 (which turns itself off,
 *   spins, or resets the partition itself), races more CPU_ONs against it
 *   and resets, until STRESS_RESETS resets are done and the counter is
 *   past STRESS_UNTIL_S; then shows vCPU 1 still starts, and powers off.
 * b: checks PSCI CPU_SUSPEND and SMCCC discovery, then beats every
 *   BEAT_MS for BEATS beats, each time checking it was never restarted and
 *   its RAM is as it left it, then powers off (while a still restarts).
 */
#include <stdbool.h>
#include <stdint.h>

#include "tenon/hypercall.h"

#define RAM_BASE 0x40000000ul
/* 5 MiB in: above the image (at 2 MiB) and the device tree (at 4 MiB). */
#define RAM_MARK (RAM_BASE + 0x500000ul)
#define RAM_LAST (RAM_BASE + 0x600000ul - 64)
#define MARK 0x5a5aa5a5c3c33c3cul
#define GICR_SGI_BASE (0x080a0000ul + 0x10000ul)
#define SGI_PLANTED 3
#define PPI_VTIMER 27

#define PSCI_CPU_SUSPEND 0xc4000001ul
#define PSCI_CPU_OFF 0x84000002ul
#define PSCI_CPU_ON 0xc4000003ul
#define PSCI_AFFINITY_INFO 0xc4000004ul
#define PSCI_SYSTEM_OFF 0x84000008ul
#define PSCI_SYSTEM_RESET 0x84000009ul
#define PSCI_FEATURES 0x8400000aul
#define SMCCC_VERSION 0x80000000ul
#define SMCCC_ARCH_FEATURES 0x80000001ul
#define SMCCC_ARCH_WORKAROUND_1 0x80008000ul

#define STRESS_RESETS 1000
#define STRESS_UNTIL_S 4
#define BEATS 10
#define BEAT_MS 200
#define FINAL_CONTEXT 0xf1a1ul

enum snap_reg {
	S_SCTLR,
	S_TTBR0,
	S_TTBR1,
	S_TCR,
	S_MAIR,
	S_VBAR,
	S_CONTEXTIDR,
	S_TPIDR_EL1,
	S_TPIDR_EL0,
	S_TPIDRRO,
	S_CPACR,
	S_CNTKCTL,
	S_CNTV_CTL,
	S_CNTP_CTL,
	S_MDSCR,
	S_PMCR,
	S_PMCNTENSET,
	S_PMINTENSET,
	S_PMUSERENR,
	S_FAR,
	S_ESR,
	S_ELR,
	S_SPSR,
	S_SP_EL0,
	S_AFSR0,
	S_PAR,
	S_ICC_PMR,
	S_ICC_AP1R0,
	S_ICC_IGRPEN1,
	S_DBGBCR0,
	S_DBGWCR0,
	S_PMSELR,
	S_CSSELR,
	S_AMAIR,
	S_FPCR,
	S_FPSR,
	S_COUNT
};

extern uint64_t snap[S_COUNT];
extern uint64_t snap_fp[64];
void secondary_entry(void);
void plant_fp(uint64_t pattern);
void main0(uint64_t dtb);
void main1(uint64_t context);

#define read_sysreg(r)                                      \
	({                                                  \
		uint64_t v_;                                \
		__asm__ volatile("mrs %0, " #r : "=r"(v_)); \
		v_;                                         \
	})
#define write_sysreg(r, v) \
	__asm__ volatile("msr " #r ", %0" ::"r"((uint64_t)(v)) : "memory")

struct ret {
	int64_t x0;
	uint64_t x1, x2, x3, x4;
};

static struct ret hvc(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fid;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;
	register uint64_t x4 __asm__("x4") = 0;

	__asm__ volatile("hvc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4)
			 :
			 : "memory");
	return (struct ret){(int64_t)x0, x1, x2, x3, x4};
}

/* Output: one line built in a buffer, written by the console hypercall. */
static char line[200];
static unsigned int len;

static void put(const char *s)
{
	while (*s && len < sizeof(line) - 1)
		line[len++] = *s++;
}

static void put_hex(uint64_t v)
{
	char d[19];
	int n = 0;

	d[n++] = '0';
	d[n++] = 'x';
	for (int shift = 60; shift >= 0; shift -= 4)
		if ((v >> shift) || shift == 0 || n > 2)
			d[n++] = "0123456789abcdef"[v >> shift & 0xf];
	d[n] = 0;
	put(d);
}

static void put_dec(uint64_t v)
{
	char d[21];
	int n = 20;

	d[n] = 0;
	do
		d[--n] = (char)('0' + v % 10);
	while ((v /= 10) && n > 0);
	put(d + n);
}

static void flush(void)
{
	line[len++] = '\n';
	hvc(TN_HC_CONSOLE_WRITE, (uint64_t)line, len, 0);
	len = 0;
}

static uint64_t restarts(void)
{
	return hvc(TN_HC_PARTITION_INFO, 0, 0, 0).x4;
}

static uint64_t now_ms(void)
{
	__asm__ volatile("isb" ::: "memory");
	return read_sysreg(cntvct_el0) * 1000 / read_sysreg(cntfrq_el0);
}

static int failures;

static void verdict(const char *name, bool ok)
{
	if (!ok)
		failures++;
	put(ok ? "resettest: ok " : "resettest: FAILED ");
	put(name);
	flush();
}

/* Checks the listed snapshot registers are zero, naming those that are not.
 */
static void expect_zero(const char *name, const int *regs, int n,
			const char *const *names)
{
	bool ok = true;
	char why[160];
	unsigned int w = 0;

	for (int i = 0; i < n; i++) {
		uint64_t v = snap[regs[i]];

		if (regs[i] == S_CNTV_CTL || regs[i] == S_CNTP_CTL ||
		    regs[i] == S_PMCR)
			v &= 1; /* ENABLE / E: the other bits are status */
		if (!v)
			continue;
		ok = false;
		for (const char *s = names[i]; *s && w < sizeof(why) - 24; s++)
			why[w++] = *s;
		if (w < sizeof(why) - 22) {
			why[w++] = '=';
			uint64_t x = snap[regs[i]];
			char d[17];
			int k = 16;

			d[k] = 0;
			do
				d[--k] = "0123456789abcdef"[x & 0xf];
			while ((x >>= 4) && k > 0);
			for (const char *s = d + k; *s; s++)
				why[w++] = *s;
			why[w++] = ' ';
		}
	}
	why[w] = 0;
	if (ok) {
		verdict(name, true);
		return;
	}
	failures++;
	put("resettest: FAILED ");
	put(name);
	put(": survived the reset: ");
	put(why);
	flush();
}

static void gic_enable_sgi(void)
{
	*(volatile uint32_t *)(GICR_SGI_BASE + 0x100) = 1u << SGI_PLANTED;
	write_sysreg(S3_0_C4_C6_0, 0xff); /* ICC_PMR_EL1 */
	write_sysreg(S3_0_C12_C12_7, 1);  /* ICC_IGRPEN1_EL1 */
	__asm__ volatile("isb" ::: "memory");
}

static void gic_send_self_sgi(void)
{
	/* ICC_SGI1R_EL1: this vCPU (Aff0 0, target list bit 0). */
	write_sysreg(S3_0_C12_C11_5, (uint64_t)SGI_PLANTED << 24 | 1);
	__asm__ volatile("isb" ::: "memory");
}

static uint64_t gic_ack(void)
{
	/* Interrupts stay masked: the interrupt is polled, not taken. */
	uint64_t id = 1023;

	for (int i = 0; i < 1000 && id >= 1020; i++)
		id = read_sysreg(S3_0_C12_C12_0); /* ICC_IAR1_EL1 */
	return id;
}

static void plant(void)
{
	uint64_t t = read_sysreg(cntvct_el0) + (1ul << 40);

	for (int i = 0; i < 8; i++) {
		((volatile uint64_t *)RAM_MARK)[i] = MARK;
		((volatile uint64_t *)RAM_LAST)[i] = MARK;
	}
	gic_enable_sgi();
	gic_send_self_sgi();
	if (gic_ack() != SGI_PLANTED) {
		put("resettest: FAILED plant-acknowledged-interrupt: the SGI "
		    "never came");
		flush();
	}
	write_sysreg(S3_0_C4_C6_0, 0xf0); /* ICC_PMR_EL1 */
	plant_fp(0x0123456789abcdeful);
	write_sysreg(ttbr0_el1, 0x12340000);
	write_sysreg(ttbr1_el1, 0x56780000);
	write_sysreg(tcr_el1, 0x19);
	write_sysreg(mair_el1, 0xff44);
	write_sysreg(vbar_el1, 0x40000800);
	write_sysreg(contextidr_el1, 0x77);
	write_sysreg(tpidr_el1, 0x1111);
	write_sysreg(tpidr_el0, 0x2222);
	write_sysreg(tpidrro_el0, 0x3333);
	write_sysreg(cntkctl_el1, 3);
	write_sysreg(far_el1, 0xdead);
	write_sysreg(esr_el1, 0x96000010);
	write_sysreg(elr_el1, 0x40201234);
	write_sysreg(spsr_el1, 0x3c5);
	write_sysreg(sp_el0, 0x40300000);
	write_sysreg(par_el1, 0x800);
	write_sysreg(csselr_el1, 2);
	write_sysreg(amair_el1, 0xff);
	write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) | 1u << 12);
	write_sysreg(cntv_cval_el0, t);
	write_sysreg(cntv_ctl_el0, 1);
	write_sysreg(cntp_cval_el0, t);
	write_sysreg(cntp_ctl_el0, 1);
	write_sysreg(pmcr_el0, 1);
	write_sysreg(pmcntenset_el0, 1ul << 31);
	write_sysreg(pmintenset_el1, 1ul << 31);
	write_sysreg(pmuserenr_el0, 0xf);
	write_sysreg(pmselr_el0, 31);
	write_sysreg(mdscr_el1, 1u << 15);
	write_sysreg(dbgbcr0_el1, 0x1e0);
	write_sysreg(dbgwcr0_el1, 0x1e0);
	__asm__ volatile("isb" ::: "memory");
}

static void check_reset(void)
{
	static const int el1[] = {
	    S_TTBR0,	  S_TTBR1,     S_TCR,	    S_MAIR,    S_VBAR,
	    S_CONTEXTIDR, S_TPIDR_EL1, S_TPIDR_EL0, S_TPIDRRO, S_CPACR,
	    S_CNTKCTL,	  S_FAR,       S_ESR,	    S_ELR,     S_SPSR,
	    S_SP_EL0,	  S_AFSR0,     S_PAR,	    S_CSSELR,  S_AMAIR};
	static const char *const el1_names[] = {
	    "TTBR0_EL1",   "TTBR1_EL1",	     "TCR_EL1",	    "MAIR_EL1",
	    "VBAR_EL1",	   "CONTEXTIDR_EL1", "TPIDR_EL1",   "TPIDR_EL0",
	    "TPIDRRO_EL0", "CPACR_EL1",	     "CNTKCTL_EL1", "FAR_EL1",
	    "ESR_EL1",	   "ELR_EL1",	     "SPSR_EL1",    "SP_EL0",
	    "AFSR0_EL1",   "PAR_EL1",	     "CSSELR_EL1",  "AMAIR_EL1"};
	static const int pmu[] = {S_PMCR, S_PMCNTENSET, S_PMINTENSET,
				  S_PMUSERENR, S_PMSELR};
	static const char *const pmu_names[] = {"PMCR_EL0.E", "PMCNTENSET_EL0",
						"PMINTENSET_EL1",
						"PMUSERENR_EL0", "PMSELR_EL0"};
	static const int dbg[] = {S_MDSCR, S_DBGBCR0, S_DBGWCR0};
	static const char *const dbg_names[] = {"MDSCR_EL1", "DBGBCR0_EL1",
						"DBGWCR0_EL1"};
	static const int tmr[] = {S_CNTV_CTL, S_CNTP_CTL};
	static const char *const tmr_names[] = {"CNTV_CTL_EL0.ENABLE",
						"CNTP_CTL_EL0.ENABLE"};
	static const int gic[] = {S_ICC_PMR, S_ICC_AP1R0, S_ICC_IGRPEN1};
	static const char *const gic_names[] = {"ICC_PMR_EL1", "ICC_AP1R0_EL1",
						"ICC_IGRPEN1_EL1"};
	static const int fpc[] = {S_FPCR, S_FPSR};
	static const char *const fpc_names[] = {"FPCR", "FPSR"};
	bool fp_zero = true, ram_zero = true;
	uint64_t id;

	verdict("reset-leaves-sctlr-el1-mmu-off-at-reset-value",
		snap[S_SCTLR] == 0x30d00800);
	if (snap[S_SCTLR] != 0x30d00800) {
		put("    SCTLR_EL1 was ");
		put_hex(snap[S_SCTLR]);
		flush();
	}
	expect_zero("reset-clears-el1-system-registers", el1,
		    sizeof(el1) / sizeof(el1[0]), el1_names);
	expect_zero("reset-disables-timers", tmr, 2, tmr_names);
	expect_zero("reset-disables-pmu", pmu, sizeof(pmu) / sizeof(pmu[0]),
		    pmu_names);
	expect_zero("reset-clears-debug-registers", dbg, 3, dbg_names);
	expect_zero("reset-clears-fpcr-fpsr", fpc, 2, fpc_names);
	for (int i = 0; i < 64; i++)
		fp_zero = fp_zero && !snap_fp[i];
	verdict("reset-clears-fp-simd-registers", fp_zero);
	expect_zero("reset-clears-gic-cpu-interface", gic, 3, gic_names);
	gic_enable_sgi();
	gic_send_self_sgi();
	id = gic_ack();
	verdict("reset-leaves-vcpu-taking-interrupts", id == SGI_PLANTED);
	if (id == SGI_PLANTED)
		write_sysreg(S3_0_C12_C12_1, id); /* ICC_EOIR1_EL1 */
	write_sysreg(S3_0_C12_C12_7, 0);
	for (int i = 0; i < 8; i++)
		ram_zero = ram_zero && !((volatile uint64_t *)RAM_MARK)[i] &&
			   !((volatile uint64_t *)RAM_LAST)[i];
	verdict("reset-scrubs-partition-ram", ram_zero);
}

static void spin(uint64_t n)
{
	for (volatile uint64_t i = 0; i < n; i++)
		;
}

/* vCPU 0 of partition a: one incarnation. */
/*
 * A word near the end of one of a's three 2 MiB blocks, a different one
 * each incarnation: the hypervisor scrubs only the blocks an incarnation
 * wrote (it tracks the first write to each), so each must find the word
 * its predecessor wrote zero. Block 0 holds nothing else, so that write
 * is the block's first.
 */
static volatile uint64_t *block_word(uint64_t n)
{
	return (volatile uint64_t *)(RAM_BASE + n % 3 * 0x200000ul +
				     0x1ff000ul);
}

static void stress(uint64_t n)
{
	struct ret r;

	if (*block_word(n - 1)) {
		put("resettest: FAILED restart-scrubs-every-block-written: "
		    "incarnation ");
		put_dec(n);
		put(" found its predecessor's word");
		flush();
	}
	*block_word(n) = MARK;
	if (n >= STRESS_RESETS && now_ms() >= STRESS_UNTIL_S * 1000) {
		put("resettest: a: stress done: ");
		put_dec(n);
		put(" resets, alive");
		flush();
		verdict("restart-scrubs-every-block-written",
			*block_word(n - 1) == 0);
		do
			r = hvc(PSCI_CPU_ON, 1, (uint64_t)secondary_entry,
				FINAL_CONTEXT);
		while (r.x0 == -5 || r.x0 == -4); /* ON_PENDING, ALREADY_ON */
		for (int i = 0; i < 1000000; i++)
			if (hvc(PSCI_AFFINITY_INFO, 1, 0, 0).x0 == 1)
				break;
		put("resettest: a: ");
		put_dec((uint64_t)failures);
		put(" failed; powering off");
		flush();
		hvc(PSCI_SYSTEM_OFF, 0, 0, 0);
		return;
	}
	if (n % 500 == 0) {
		put("resettest: a: ");
		put_dec(n);
		put(" resets");
		flush();
	}
	for (uint64_t i = 0; i <= n % 8; i++) {
		hvc(PSCI_CPU_ON, 1, (uint64_t)secondary_entry, n);
		spin(n * 37 % 200);
	}
	hvc(PSCI_SYSTEM_RESET, 0, 0, 0);
}

static void arm_timer(void)
{
	write_sysreg(cntv_tval_el0, read_sysreg(cntfrq_el0) / 200);
	write_sysreg(cntv_ctl_el0, 1);
	__asm__ volatile("isb" ::: "memory");
}

/* Ends the timer's interrupt, if it came, and stops the timer. */
static void end_timer(void)
{
	uint64_t id = gic_ack();

	write_sysreg(cntv_ctl_el0, 0);
	__asm__ volatile("isb" ::: "memory");
	if (id < 1020)
		write_sysreg(S3_0_C12_C12_1, id); /* ICC_EOIR1_EL1 */
}

static void partition_b(void)
{
	int64_t r;

	for (int i = 0; i < 8; i++)
		((volatile uint64_t *)RAM_MARK)[i] = MARK;
	/*
	 * What wakes the standby: the virtual timer, 5 ms on, enabled in the
	 * GIC as a wake-up source must be; taken with interrupts masked.
	 */
	*(volatile uint32_t *)(GICR_SGI_BASE + 0x100) = 1u << PPI_VTIMER;
	gic_enable_sgi();
	arm_timer();
	r = hvc(PSCI_CPU_SUSPEND, 0, 0, 0).x0;
	verdict("psci-cpu-suspend-standby-returns-success", r == 0);
	end_timer();
	arm_timer();
	r = hvc(PSCI_CPU_SUSPEND, 1u << 16, (uint64_t)secondary_entry, 0).x0;
	verdict("psci-cpu-suspend-powerdown-returns-success", r == 0);
	end_timer();
	verdict("psci-features-lists-cpu-suspend",
		hvc(PSCI_FEATURES, PSCI_CPU_SUSPEND, 0, 0).x0 >= 0);
	verdict("psci-features-lists-smccc-version",
		hvc(PSCI_FEATURES, SMCCC_VERSION, 0, 0).x0 == 0);
	verdict("smccc-arch-features-knows-itself",
		hvc(SMCCC_ARCH_FEATURES, SMCCC_ARCH_FEATURES, 0, 0).x0 == 0);
	/* CSV2: this CPU needs no branch-predictor workaround at all. */
	r = hvc(SMCCC_ARCH_FEATURES, SMCCC_ARCH_WORKAROUND_1, 0, 0).x0;
	put("    ID_AA64PFR0_EL1.CSV2 ");
	put_dec(read_sysreg(id_aa64pfr0_el1) >> 56 & 0xf);
	put(", ARCH_WORKAROUND_1 answered ");
	put(r < 0 ? "-" : "");
	put_dec((uint64_t)(r < 0 ? -r : r));
	flush();
	verdict("smccc-workaround-1-answer-matches-csv2",
		(read_sysreg(id_aa64pfr0_el1) >> 56 & 0xf) ? r == 1
							   : r == 0 || r == -1);

	for (int beat = 1; beat <= BEATS; beat++) {
		uint64_t until = now_ms() + BEAT_MS;
		bool intact = true;

		while (now_ms() < until)
			spin(1000);
		for (int i = 0; i < 8; i++)
			intact = intact &&
				 ((volatile uint64_t *)RAM_MARK)[i] == MARK;
		put("resettest: b: beat ");
		put_dec((uint64_t)beat);
		put(intact && restarts() == 0 ? ", untouched"
					      : ", DISTURBED (restarted or "
						"RAM changed)");
		flush();
	}
	put("resettest: b: powering off");
	flush();
	hvc(PSCI_SYSTEM_OFF, 0, 0, 0);
}

void main0(uint64_t dtb)
{
	struct ret info = hvc(TN_HC_PARTITION_INFO, 0, 0, 0);

	(void)dtb;
	if (info.x1 == 1) {
		partition_b();
		return;
	}
	if (info.x4 == 0) {
		put("resettest: a: planting, then SYSTEM_RESET");
		flush();
		plant();
		hvc(PSCI_SYSTEM_RESET, 0, 0, 0);
		put("resettest: FAILED system-reset-returned");
		flush();
		return;
	}
	if (info.x4 == 1) {
		check_reset();
		/* Into blocks the restart left clean: a first write each. */
		put("resettest: a: planting again, then SYSTEM_RESET");
		flush();
		for (int i = 0; i < 8; i++) {
			((volatile uint64_t *)RAM_MARK)[i] = MARK;
			((volatile uint64_t *)RAM_LAST)[i] = MARK;
		}
		hvc(PSCI_SYSTEM_RESET, 0, 0, 0);
		return;
	}
	if (info.x4 == 2) {
		bool zero = true;

		for (int i = 0; i < 8; i++)
			zero = zero && !((volatile uint64_t *)RAM_MARK)[i] &&
			       !((volatile uint64_t *)RAM_LAST)[i];
		verdict("reset-scrubs-ram-written-after-a-restart", zero);
	}
	stress(info.x4);
}

void main1(uint64_t context)
{
	uint64_t n = context;

	if (context == FINAL_CONTEXT) {
		put("resettest: a: vCPU 1 up after the stress");
		flush();
		hvc(PSCI_CPU_OFF, 0, 0, 0);
		return;
	}
	switch (n % 4) {
	case 0:
		hvc(PSCI_CPU_OFF, 0, 0, 0);
		break;
	case 1:
		for (;;)
			hvc(TN_HC_PARTITION_INFO, 0, 0, 0);
	case 2:
		spin(n % 300);
		hvc(PSCI_SYSTEM_RESET, 0, 0, 0);
		break;
	default:
		spin(n % 500);
		hvc(PSCI_CPU_OFF, 0, 0, 0);
		break;
	}
	for (;;)
		__asm__ volatile("wfi");
}
