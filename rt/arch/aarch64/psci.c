/*
 * PSCI calls: to the firmware (SMC) when running alone on the machine,
 * to the hypervisor (HVC) inside a partition.
 */
#include "arch/aarch64/aarch64.h"

#define PSCI_CPU_ON 0xc4000003ul
#define PSCI_SYSTEM_OFF 0x84000008ul
#define PSCI_SYSTEM_RESET 0x84000009ul

static int64_t psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	if (aarch64_native)
		__asm__ volatile("smc #0"
				 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
				 :
				 : "memory");
	else
		__asm__ volatile("hvc #0"
				 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
				 :
				 : "memory");
	return (int64_t)x0;
}

int psci_cpu_on(uint64_t mpidr, uintptr_t entry, uint64_t context)
{
	return (int)psci_call(PSCI_CPU_ON, mpidr, entry, context);
}

int arch_restart(void)
{
	psci_call(PSCI_SYSTEM_RESET, 0, 0, 0);
	/* The firmware or hypervisor refused: say so, stop here. */
	arch_panic("PSCI SYSTEM_RESET did not restart");
}

void psci_system_off(void)
{
	psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
	for (;;)
		__asm__ volatile("wfi");
}
