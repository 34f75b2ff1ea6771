/*
 * The EL2 side of running a guest on this CPU: the controls that route
 * its interrupts and traps to the hypervisor, what of the CPU's timers
 * and PMU it gets, its stage-2 context, the identity it sees; and the
 * hypervisor's own calls to the firmware (PSCI by SMC).
 */
#include "hyp.h"

/*
 * VM (stage 2), SWIO, FMO/IMO/AMO (interrupts and aborts to EL2), BSU
 * inner shareable, TSC (SMC traps), RW (EL1 is AArch64). No FB: vCPUs never
 * move between CPUs, so a guest's local TLB maintenance may stay local.
 */
#define HCR_EL2_VALUE                                                     \
	((1ul << 0) | (1ul << 1) | (1ul << 3) | (1ul << 4) | (1ul << 5) | \
	 (1ul << 10) | (1ul << 19) | (1ul << 31))

#define HCR_IMO (1ul << 4)

static uint64_t pmu_counters(void)
{
	uint64_t ver = read_sysreg(id_aa64dfr0_el1) >> 8 & 0xf;

	return ver && ver != 0xf ? read_sysreg(pmcr_el0) >> 11 & 0x1f : 0;
}

void arch_cpu_setup_el2(struct vcpu *v)
{
	static bool mapped;

	/* CPU 0 comes first, and starts the others once it is done. */
	if (!mapped) {
		hyp_mmu_init();
		mapped = true;
	}
	hyp_mmu_enable();
	/* Direct delivery: group 1 is signalled to EL1 (direct.c). */
	write_sysreg(hcr_el2, v && v->part->direct ? HCR_EL2_VALUE & ~HCR_IMO
						   : HCR_EL2_VALUE);
	write_sysreg(cptr_el2, 0x33ff); /* FP/SIMD: the guest's own */
	write_sysreg(hstr_el2, 0);
	/*
	 * HPMN: the guest has every event counter (0 is not a valid value
	 * before FEAT_HPMN0); no PMU or debug trap.
	 */
	write_sysreg(mdcr_el2, pmu_counters());
	/* EL1PCTEN, EL1PCEN: the counters and the physical timer are EL1's. */
	write_sysreg(cnthctl_el2, 3);
	write_sysreg(cntvoff_el2, 0);
	/* The EL2 timer is the console's (on its CPU): off until armed. */
	write_sysreg(cnthp_ctl_el2, 0);
	write_sysreg(vpidr_el2, read_sysreg(midr_el1));
	if (v) {
		/* The guest sees its vCPUs as Aff0 0..n-1 of one cluster. */
		write_sysreg(vmpidr_el2, (1ul << 31) | (uint64_t)v->index);
		write_sysreg(vttbr_el2, v->part->vttbr);
		write_sysreg(vtcr_el2, stage2_vtcr());
		isb();
		__asm__ volatile("tlbi vmalls12e1\n\tdsb nsh" ::: "memory");
	}
	write_sysreg(sctlr_el1, 0x30d00800);
	isb();
}

void arch_cpu_stop_guest_devices(void)
{
	write_sysreg(cntv_ctl_el0, 0);
	write_sysreg(cntp_ctl_el0, 0);
	write_sysreg(pmcr_el0, 0);
	write_sysreg(pmcntenclr_el0, ~0ul);
	write_sysreg(pmintenclr_el1, ~0ul);
	write_sysreg(pmovsclr_el0, ~0ul);
	/* A virtual SError the last guest did not take. */
	write_sysreg(hcr_el2, read_sysreg(hcr_el2) & ~HCR_VSE);
	isb();
}

#define FW_PSCI_CPU_ON 0xc4000003u
#define FW_PSCI_SYSTEM_OFF 0x84000008u
#define FW_PSCI_SYSTEM_RESET 0x84000009u

int64_t smccc_fw_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	__asm__ volatile("smc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
			 :
			 : "memory");
	return (int64_t)x0;
}

int64_t psci_fw_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t context)
{
	return smccc_fw_call(FW_PSCI_CPU_ON, mpidr, entry, context);
}

void psci_fw_system_off(void)
{
	smccc_fw_call(FW_PSCI_SYSTEM_OFF, 0, 0, 0);
	for (;;)
		__asm__ volatile("wfi");
}

void psci_fw_system_reset(void)
{
	smccc_fw_call(FW_PSCI_SYSTEM_RESET, 0, 0, 0);
	/* A firmware without it: off rather than on in a broken state. */
	psci_fw_system_off();
}
