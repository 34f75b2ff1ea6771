/*
 * Prints a generated system table (sysconfig.c, linked with this file)
 * one line per partition, then one per device it has ("device PART NAME
 * BASE+SIZE irq INTID pad PAD"), for tests/config/run.sh to compare with
 * what the test expects. Exit status 1 if the table's magic or version is
 * wrong, a name is not terminated or a partition has too many devices.
 */
#include <stdio.h>
#include <string.h>

#include "tenon/sysconfig.h"

extern const struct tn_sysconfig tn_sysconfig;

static unsigned long long u(uint64_t v)
{
	return (unsigned long long)v;
}

int main(void)
{
	const struct tn_sysconfig *c = &tn_sysconfig;

	if (c->magic != TN_SYSCONFIG_MAGIC ||
	    c->version != TN_SYSCONFIG_VERSION) {
		printf("bad magic %#x or version %u\n", c->magic, c->version);
		return 1;
	}
	printf("cpus %u\n", c->ncpus);
	printf("hypervisor 0x%llx+0x%llx\n", u(c->hyp_pa), u(c->hyp_size));
	printf("partitions %u\n", c->npartitions);
	for (uint32_t i = 0; i < c->npartitions; i++) {
		const struct tn_cfg_partition *p = &c->partitions[i];

		if (!memchr(p->name, '\0', sizeof(p->name))) {
			printf("partition %u: name not terminated\n", i);
			return 1;
		}
		printf("partition %s %s cpus", p->name,
		       p->kind == TN_CFG_KIND_RTOS    ? "rtos"
		       : p->kind == TN_CFG_KIND_LINUX ? "linux"
						      : "?");
		for (uint32_t j = 0; j < p->ncpus; j++)
			printf(" %u", p->cpus[j]);
		printf(" ram 0x%llx+0x%llx ipa 0x%llx entry 0x%llx dtb 0x%llx "
		       "console %u devices %u\n",
		       u(p->ram_pa), u(p->ram_size), u(p->ram_ipa),
		       u(p->entry_ipa), u(p->dtb_ipa), p->console, p->ndevices);
		if (p->ndevices > TN_CFG_MAX_DEVICES) {
			printf("partition %s: %u devices\n", p->name,
			       p->ndevices);
			return 1;
		}
		for (uint32_t j = 0; j < p->ndevices; j++) {
			const struct tn_cfg_device *d = &p->devices[j];

			if (!memchr(d->name, '\0', sizeof(d->name))) {
				printf("partition %s: device %u: name not "
				       "terminated\n",
				       p->name, j);
				return 1;
			}
			printf("device %s %s 0x%llx+0x%llx irq %u pad %u\n",
			       p->name, d->name, u(d->base), u(d->size), d->irq,
			       d->pad);
		}
	}
	return 0;
}
