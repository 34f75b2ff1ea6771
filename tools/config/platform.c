/*
 * QEMU virt, the one description of it: its RAM, the devices the
 * hypervisor keeps (the GIC, the timer, the UART, which it emulates as a
 * PL011 for the partitions with the console) and the devices a partition
 * can have for itself (devices = "NAME", ...), passed through at their
 * own addresses with their interrupts. Their nodes are as QEMU describes
 * them, clocked by the apb-pclk fixed clock. Everything else (the
 * hypervisor through the compiled table, partitions through their device
 * trees) learns the machine from here.
 */
#include <string.h>

#include "tenon-config.h"

const struct platform plat = {
    .ram_base = 0x40000000,
    /* QEMU refuses more: "cannot model more than 255GB RAM". */
    .ram_max = 255ull << 30,
    /* RAM + 2 MiB: QEMU puts its own device tree at the start of RAM. */
    .hyp_image = 0x40200000,
    /* hyp/arch/aarch64/link.ld refuses to link a bigger image. */
    .hyp_image_max = 2 * MIB,
    .gicd_base = 0x08000000,
    .gicd_size = 0x10000,
    .gicr_base = 0x080a0000,
    .gicr_stride = 0x20000,
    .uart_base = 0x09000000,
    .uart_size = 0x1000,
    .uart_spi = 1,
    .uart_clock = 24000000,
    .maintenance_ppi = 25,
    .vtimer_ppi = 27,
    .pmu_ppi = 23,
    .timer_ppis = {13, 14, 11, 10},
    .pa_bits_min = 32,
    .pa_bits_max = 39,
    .pci_ecam_base = 0x3f000000,
    .pci_ecam_size = 0x100000, /* bus 0: 32 devices of 8 functions */
    .pci_bar0_base = 0x10000000,
    .pci_bar0_size = 0x10000000,
    /* 64 KiB apart: past a function's 4 KiB of registers, nothing. */
    .pci_bar0_stride = 0x10000,
    .chan_ipa_base = 0x20000000,
    .chan_ipa_size = 0x1e000000,
    /* QEMU's virtio-mmio SPIs, which no partition is given. */
    .chan_spi_base = 16,
    .chan_spis = 16,
    /* Below the channels' and above every device's: the UART's (1), the
     * devices' below (2, 7), QEMU's PCIe INTx (3-6) and secure UART (8). */
    .hm_spi = 15,
};

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
