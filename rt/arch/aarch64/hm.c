/*
 * The port's side of the health monitor: its hypercalls (tenon/hypercall.h)
 * and the HM interrupt the partition's device tree names (/tenon-health).
 * Alone on the machine there is no hypervisor to call: -ENODEV, and no
 * hypercall is made. Entered at EL1 with no Tenon hypervisor above (QEMU
 * without EL2 answers HVC as its PSCI firmware: -1, SMCCC's "not
 * supported", for every other call) or under one older than the health
 * monitor (ABI version 4), the calls say -ENODEV too: the version is
 * asked once, at boot.
 */
#include <tenon/hypercall.h>

#include "arch/aarch64/aarch64.h"

#define HM_ABI 4       /* TN_HC_HM_RAISE and the rest */
#define RESTARTS_ABI 2 /* TN_HC_PARTITION_INFO's x4 */

static unsigned int hm_intid;
static int64_t abi; /* the hypervisor's TN_HC_VERSION; 0: none */

struct hvc_ret {
	int64_t x0;
	uint64_t x1, x2, x3, x4;
};

static struct hvc_ret hvc(uint64_t fn, uint64_t a1, uint64_t a2)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = 0;
	register uint64_t x4 __asm__("x4") = 0;

	__asm__ volatile("hvc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4)
			 :
			 : "memory");
	return (struct hvc_ret){(int64_t)x0, x1, x2, x3, x4};
}

void aarch64_hm_init(const struct fdt_info *fdt)
{
	abi = 0;
	hm_intid = 0;
	if (aarch64_native)
		return;
	abi = hvc(TN_HC_VERSION, 0, 0).x0;
	if (abi < 0)
		abi = 0;
	if (abi >= HM_ABI)
		hm_intid = fdt->hm_intid;
}

static bool has_hm(void)
{
	return !aarch64_native && abi >= HM_ABI;
}

/* An answer outside int's range is no errno or action we know. */
static int result(int64_t x0)
{
	return x0 < -4095 || x0 > 0x7fffffff ? -EIO : (int)x0;
}

int arch_hm_raise(unsigned int event, uint64_t detail)
{
	if (!has_hm())
		return -ENODEV;
	return result(hvc(TN_HC_HM_RAISE, event, detail).x0);
}

int arch_watchdog_set(uint64_t period_us)
{
	if (!has_hm())
		return -ENODEV;
	return result(hvc(TN_HC_WATCHDOG_SET, period_us, 0).x0);
}

int arch_watchdog_kick(void)
{
	if (!has_hm())
		return -ENODEV;
	return result(hvc(TN_HC_WATCHDOG_KICK, 0, 0).x0);
}

int arch_hm_pending(unsigned int *event, uint64_t *detail)
{
	struct hvc_ret r;

	if (!has_hm())
		return -ENODEV;
	r = hvc(TN_HC_HM_PENDING, 0, 0);
	if (r.x0)
		return r.x0 < 0 ? result(r.x0) : -EIO;
	/* Not one we know: passed on as a notice all the same. */
	*event = r.x1 > 0xffffu ? 0 : (unsigned int)r.x1;
	*detail = r.x2;
	return 0;
}

unsigned int arch_hm_intid(void)
{
	return hm_intid;
}

int arch_partition_info(struct tn_partition_info *info)
{
	struct hvc_ret r;

	if (aarch64_native || abi < 1)
		return -ENODEV;
	r = hvc(TN_HC_PARTITION_INFO, 0, 0);
	if (r.x0)
		return r.x0 < 0 ? result(r.x0) : -EIO;
	info->index = (unsigned int)r.x1;
	info->partitions = (unsigned int)r.x2;
	info->vcpus = (unsigned int)r.x3;
	info->restarts = abi >= RESTARTS_ABI ? r.x4 : 0;
	return 0;
}
