/*
 * hyptest: checks, from inside a partition, that the hypervisor answers
 * every call with the right result and every bad argument with an error
 * (Tenon's hypercalls and PSCI), and survives them all. Runs only in a
 * partition (alone on the machine, HVC has nobody to go to).
 *
 *   hyptest -m RAM_MIB    the partition's RAM size, to aim just past it
 *
 * Prints "hyptest: ok NAME" or "hyptest: FAILED NAME: ..." per check and
 * "hyptest: N passed, N failed".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tenon/tenon.h>

#include "tenon/hypercall.h"

#define RAM_BASE 0x40000000ul
#define PSCI_VERSION 0x84000000ul
#define PSCI_CPU_ON 0xc4000003ul
#define PSCI_AFFINITY_INFO 0xc4000004ul

struct ret {
	long x0, x1, x2, x3;
};

static int passed, failed;

static struct ret hvc(unsigned long fid, unsigned long a1, unsigned long a2,
		      unsigned long a3)
{
	register unsigned long x0 __asm__("x0") = fid;
	register unsigned long x1 __asm__("x1") = a1;
	register unsigned long x2 __asm__("x2") = a2;
	register unsigned long x3 __asm__("x3") = a3;

	__asm__ volatile("hvc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
			 :
			 : "memory");
	return (struct ret){(long)x0, (long)x1, (long)x2, (long)x3};
}

static void check(const char *name, long got, long want)
{
	if (got == want) {
		printf("hyptest: ok %s\n", name);
		passed++;
	} else {
		printf("hyptest: FAILED %s: got %ld, expected %ld\n", name, got,
		       want);
		failed++;
	}
}

static void entry_never_run(void)
{
}

int tn_main(int argc, char *argv[])
{
	static const char hello[] = "hyptest: hello through the hypercall\n";
	unsigned long ram_end;
	long ram_mib = 0;
	struct ret r;
	int opt;

	while ((opt = getopt(argc, argv, "m:")) != -1)
		if (opt == 'm')
			ram_mib = strtol(optarg, NULL, 0);
	if (ram_mib <= 0) {
		fprintf(stderr, "usage: hyptest -m RAM_MIB\n");
		return 2;
	}
	ram_end = RAM_BASE + ((unsigned long)ram_mib << 20);

	check("version", hvc(TN_HC_VERSION, 0, 0, 0).x0, TN_HC_ABI_VERSION);
	r = hvc(TN_HC_PARTITION_INFO, 0, 0, 0);
	check("partition-info-result", r.x0, 0);
	check("partition-info-vcpus", r.x3, tn_cpu_count());
	check(
	    "console-write",
	    hvc(TN_HC_CONSOLE_WRITE, (unsigned long)hello, strlen(hello), 0).x0,
	    (long)strlen(hello));
	check("console-write-empty",
	      hvc(TN_HC_CONSOLE_WRITE, (unsigned long)hello, 0, 0).x0, -EINVAL);
	check("console-write-too-long",
	      hvc(TN_HC_CONSOLE_WRITE, (unsigned long)hello,
		  TN_HC_CONSOLE_MAX + 1, 0)
		  .x0,
	      -EINVAL);
	check("console-write-outside-ram",
	      hvc(TN_HC_CONSOLE_WRITE, 0x10000000ul, 16, 0).x0, -EFAULT);
	check("console-write-across-ram-end",
	      hvc(TN_HC_CONSOLE_WRITE, ram_end - 8, 16, 0).x0, -EFAULT);
	check("console-write-address-wraps",
	      hvc(TN_HC_CONSOLE_WRITE, ~0ul - 7, 16, 0).x0, -EFAULT);
	check("unknown-hypercall", hvc(TN_HC_BASE + 0x99, 1, 2, 3).x0, -ENOSYS);
	check("psci-version", hvc(PSCI_VERSION, 0, 0, 0).x0, 0x10000);
	check("psci-cpu-on-no-such-vcpu",
	      hvc(PSCI_CPU_ON, 7, (unsigned long)entry_never_run, 0).x0, -2);
	check("psci-cpu-on-other-cluster",
	      hvc(PSCI_CPU_ON, 0x100, (unsigned long)entry_never_run, 0).x0,
	      -2);
	check("psci-cpu-on-entry-outside-ram",
	      hvc(PSCI_CPU_ON, (unsigned long)tn_cpu_count() - 1, 0x1000, 0).x0,
	      -2);
	check("psci-cpu-on-self",
	      hvc(PSCI_CPU_ON, 0, (unsigned long)entry_never_run, 0).x0, -4);
	check("psci-affinity-info-self", hvc(PSCI_AFFINITY_INFO, 0, 0, 0).x0,
	      0);
	check("psci-affinity-info-bad-level",
	      hvc(PSCI_AFFINITY_INFO, 0, 3, 0).x0, -2);
	check("psci-unknown-function", hvc(0x8400001ful, 0, 0, 0).x0, -1);
	check("smccc-unknown-owner", hvc(0xc3000000ul, 0, 0, 0).x0, -1);
	printf("hyptest: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
