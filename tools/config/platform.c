/*
 * The devices of QEMU virt a partition can have for itself (devices =
 * "NAME", ...): the one table of them. The hypervisor keeps the GIC, the
 * timer and the UART (which it emulates as a PL011 for the partitions with
 * the console); these it passes through, at their own addresses, with
 * their interrupts. Their nodes are as QEMU describes them, clocked by the
 * apb-pclk fixed clock.
 */
#include <string.h>

#include "tenon-config.h"

const struct plat_device plat_devices[] = {
    {
	.name = "rtc",
	.what = "ARM PL031 real-time clock",
	.model = "pl031",
	.compatible = {"arm,pl031", "arm,primecell", NULL},
	.base = 0x09010000,
	.size = 0x1000,
	.spi = 2,
    },
    {
	.name = "gpio",
	.what = "ARM PL061 GPIO",
	.model = "pl061",
	.compatible = {"arm,pl061", "arm,primecell", NULL},
	.base = 0x09030000,
	.size = 0x1000,
	.spi = 7,
	.gpio_cells = 2,
    },
    {.name = NULL},
};

const struct plat_device *plat_device(const char *name)
{
	for (const struct plat_device *d = plat_devices; d->name; d++)
		if (!strcmp(d->name, name))
			return d;
	return NULL;
}
