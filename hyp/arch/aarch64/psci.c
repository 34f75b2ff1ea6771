/*
 * PSCI 1.0 and SMCCC 1.1 for the guests, by HVC (or SMC): each partition
 * may start, stop, suspend and query only its own vCPUs, and SYSTEM_OFF
 * or SYSTEM_RESET stop or restart only the calling partition.
 *
 * CPU_SUSPEND: a standby is a wait for an interrupt; a powerdown state is
 * treated as standby and returns success, as PSCI allows (the vCPU keeps
 * its context, so the return is a valid wake-up from any state).
 *
 * The Spectre workarounds (SMCCC_ARCH_WORKAROUND_1/2/3) are answered for
 * the CPU the vCPU runs on: not needed when ID_AA64PFR0_EL1.CSV2 (or, for
 * 3, CSV2 >= 3 or ID_AA64MMFR1_EL1.ECBHB) says so; otherwise what the
 * firmware answers for that CPU, asked once at boot (only when the
 * firmware itself says it is SMCCC 1.1 or later), the guest's calls then
 * going on to the firmware. Workaround 2 is kept on by the hypervisor on
 * every CPU whose firmware has it, and the guest told it need not ask.
 */
#include "hyp.h"

#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_SUSPEND_32 0x84000001u
#define PSCI_CPU_SUSPEND 0xc4000001u
#define PSCI_CPU_OFF 0x84000002u
#define PSCI_CPU_ON_32 0x84000003u
#define PSCI_CPU_ON 0xc4000003u
#define PSCI_AFFINITY_INFO_32 0x84000004u
#define PSCI_AFFINITY_INFO 0xc4000004u
#define PSCI_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u
#define PSCI_FEATURES 0x8400000au
#define SMCCC_VERSION 0x80000000u
#define SMCCC_ARCH_FEATURES 0x80000001u
#define SMCCC_ARCH_WORKAROUND_1 0x80008000u
#define SMCCC_ARCH_WORKAROUND_2 0x80007fffu
#define SMCCC_ARCH_WORKAROUND_3 0x80003fffu

#define PSCI_SUCCESS 0
#define PSCI_NOT_SUPPORTED (-1)
#define PSCI_INVALID_PARAMS (-2)
#define SMCCC_NOT_REQUIRED (-2)
#define SMCCC_UNAFFECTED 1

/* power_state, original format: StateID [15:0], StateType [16], level. */
#define POWER_STATE_RESERVED 0xfcfe0000u

/* What the firmware answered for each CPU, asked once at boot. */
static int64_t fw_workaround[HYP_MAX_CPUS][3];

static uint32_t csv2(void)
{
	return (uint32_t)(read_sysreg(id_aa64pfr0_el1) >> 56 & 0xf);
}

static bool ecbhb(void)
{
	return (read_sysreg(id_aa64mmfr1_el1) >> 60 & 0xf) != 0;
}

void psci_probe_firmware(int cpu)
{
	static const uint32_t ids[3] = {SMCCC_ARCH_WORKAROUND_1,
					SMCCC_ARCH_WORKAROUND_2,
					SMCCC_ARCH_WORKAROUND_3};
	int64_t version = PSCI_NOT_SUPPORTED;

	/* SMCCC_VERSION may be called only if PSCI_FEATURES lists it. */
	if (smccc_fw_call(PSCI_FEATURES, SMCCC_VERSION, 0, 0) >= 0)
		version = smccc_fw_call(SMCCC_VERSION, 0, 0, 0);
	for (int k = 0; k < 3; k++)
		fw_workaround[cpu][k] =
		    version >= 0x10001
			? smccc_fw_call(SMCCC_ARCH_FEATURES, ids[k], 0, 0)
			: PSCI_NOT_SUPPORTED;
	/* Workaround 2 on for good: the guest need not toggle it. */
	if (fw_workaround[cpu][1] == 0)
		smccc_fw_call(SMCCC_ARCH_WORKAROUND_2, 1, 0, 0);
}

static int64_t workaround_feature(struct vcpu *v, int k)
{
	int64_t fw = fw_workaround[v->pcpu][k];

	switch (k) {
	case 0:
		if (csv2())
			return SMCCC_UNAFFECTED;
		return fw == 0 ? 0 : fw == 1 ? SMCCC_UNAFFECTED : fw;
	case 1:
		if (fw == 0)
			return SMCCC_NOT_REQUIRED;
		return fw == 1 || fw == SMCCC_NOT_REQUIRED ? fw
							   : PSCI_NOT_SUPPORTED;
	default:
		if (csv2() >= 3 || ecbhb())
			return SMCCC_UNAFFECTED;
		return fw == 0 ? 0 : fw == 1 ? SMCCC_UNAFFECTED : fw;
	}
}

static int64_t arch_features(struct vcpu *v, uint32_t fn)
{
	switch (fn) {
	case SMCCC_VERSION:
	case SMCCC_ARCH_FEATURES:
		return PSCI_SUCCESS;
	case SMCCC_ARCH_WORKAROUND_1:
		return workaround_feature(v, 0);
	case SMCCC_ARCH_WORKAROUND_2:
		return workaround_feature(v, 1);
	case SMCCC_ARCH_WORKAROUND_3:
		return workaround_feature(v, 2);
	default:
		return PSCI_NOT_SUPPORTED;
	}
}

/* A workaround call: on to the firmware when it is what does the work. */
static int64_t workaround_call(struct vcpu *v, int k, uint32_t fn, uint64_t arg)
{
	int64_t f = workaround_feature(v, k);

	if (f == PSCI_NOT_SUPPORTED)
		return PSCI_NOT_SUPPORTED;
	if (f == 0 && k != 1)
		smccc_fw_call(fn, arg, 0, 0);
	return PSCI_SUCCESS;
}

static int64_t psci_features(uint32_t fn)
{
	switch (fn) {
	case PSCI_CPU_SUSPEND:
	case PSCI_CPU_SUSPEND_32:
		return 0; /* original power_state format, no OS-initiated */
	case PSCI_VERSION:
	case PSCI_CPU_ON:
	case PSCI_CPU_ON_32:
	case PSCI_CPU_OFF:
	case PSCI_AFFINITY_INFO:
	case PSCI_AFFINITY_INFO_32:
	case PSCI_MIGRATE_INFO_TYPE:
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET:
	case PSCI_FEATURES:
	case SMCCC_VERSION:
		return PSCI_SUCCESS;
	default:
		return PSCI_NOT_SUPPORTED;
	}
}

/* The vCPU of v's partition with that MPIDR (Aff0 = index), or NULL. */
static struct vcpu *vcpu_by_mpidr(struct vcpu *v, uint64_t mpidr)
{
	if (mpidr & ~0xfful || mpidr >= v->part->cfg->ncpus)
		return NULL;
	return v->part->vcpus[mpidr];
}

static int64_t cpu_on(struct vcpu *v, uint64_t mpidr, uint64_t entry,
		      uint64_t context)
{
	struct vcpu *t = vcpu_by_mpidr(v, mpidr);

	if (!t || (entry & 3) || !partition_ipa_to_pa(v->part, entry, 4))
		return PSCI_INVALID_PARAMS;
	return vcpu_cpu_on(t, entry, context);
}

static int64_t cpu_suspend(struct vcpu *v, uint64_t power_state)
{
	if (power_state & POWER_STATE_RESERVED)
		return PSCI_INVALID_PARAMS;
	vcpu_suspend(v);
	return PSCI_SUCCESS;
}

void psci_guest_call(struct vcpu *v)
{
	uint32_t fn = (uint32_t)v->x[0];
	int64_t ret = PSCI_NOT_SUPPORTED;

	switch (fn) {
	case PSCI_VERSION:
		ret = 0x10000; /* 1.0 */
		break;
	case SMCCC_VERSION:
		ret = 0x10001; /* 1.1 */
		break;
	case SMCCC_ARCH_FEATURES:
		ret = arch_features(v, (uint32_t)v->x[1]);
		break;
	case SMCCC_ARCH_WORKAROUND_1:
		ret = workaround_call(v, 0, fn, 0);
		break;
	case SMCCC_ARCH_WORKAROUND_2:
		ret = workaround_call(v, 1, fn, v->x[1]);
		break;
	case SMCCC_ARCH_WORKAROUND_3:
		ret = workaround_call(v, 2, fn, 0);
		break;
	case PSCI_CPU_SUSPEND:
	case PSCI_CPU_SUSPEND_32:
		ret = cpu_suspend(v, (uint32_t)v->x[1]);
		break;
	case PSCI_CPU_ON:
	case PSCI_CPU_ON_32:
		ret = cpu_on(v, v->x[1], v->x[2], v->x[3]);
		break;
	case PSCI_CPU_OFF:
		vcpu_cpu_off(v);
		ret = PSCI_SUCCESS;
		break;
	case PSCI_AFFINITY_INFO:
	case PSCI_AFFINITY_INFO_32: {
		struct vcpu *t = vcpu_by_mpidr(v, v->x[1]);

		ret = !t || v->x[2] ? PSCI_INVALID_PARAMS : vcpu_affinity(t);
		break;
	}
	case PSCI_MIGRATE_INFO_TYPE:
		ret = 2; /* no trusted OS to migrate */
		break;
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET: {
		/* Its table decides; one that says ignore or log refuses. */
		bool off = fn == PSCI_SYSTEM_OFF;
		enum tn_hm_action a = hm_event(
		    v->part, v, off ? TN_HM_EV_POWER_OFF : TN_HM_EV_RESET, 0,
		    off ? "powered off (PSCI SYSTEM_OFF)"
			: "asked for a reset (PSCI SYSTEM_RESET)");

		ret = a == TN_HM_ACT_IGNORE || a == TN_HM_ACT_LOG ||
			      a == TN_HM_ACT_NOTIFY
			  ? PSCI_NOT_SUPPORTED
			  : PSCI_SUCCESS;
		break;
	}
	case PSCI_FEATURES:
		ret = psci_features((uint32_t)v->x[1]);
		break;
	}
	v->x[0] = (uint64_t)ret;
}
