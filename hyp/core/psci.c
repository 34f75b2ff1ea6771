/*
 * PSCI for the guests, by HVC (or SMC): each partition may start, stop
 * and query only its own vCPUs, and SYSTEM_OFF or SYSTEM_RESET stop only
 * the calling partition.
 */
#include "hyp.h"

#define PSCI_VERSION 0x84000000u
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

#define PSCI_SUCCESS 0
#define PSCI_NOT_SUPPORTED (-1)
#define PSCI_INVALID_PARAMS (-2)

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
		partition_stop(v->part, "powered off (PSCI SYSTEM_OFF)");
		ret = PSCI_SUCCESS;
		break;
	case PSCI_SYSTEM_RESET:
		partition_restart(v->part, v,
				  "asked for a reset (PSCI "
				  "SYSTEM_RESET)");
		ret = PSCI_SUCCESS;
		break;
	case PSCI_FEATURES:
		switch ((uint32_t)v->x[1]) {
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
			ret = PSCI_SUCCESS;
			break;
		}
		break;
	}
	v->x[0] = (uint64_t)ret;
}
