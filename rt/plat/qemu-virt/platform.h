/*
 * The QEMU virt machine as the real-time core sees it, natively or inside
 * a partition (the hypervisor keeps these addresses through stage 2). The
 * GIC and the UART are where the device tree says (boot.c reads them
 * into aarch64_plat); the PLAT_DEFAULT_* addresses are QEMU virt's, for
 * a core started without a device tree.
 */
#ifndef TENON_PLAT_QEMU_VIRT_H
#define TENON_PLAT_QEMU_VIRT_H

#include <stdint.h>

struct aarch64_plat {
	uintptr_t gicd, gicr, uart;
};
extern struct aarch64_plat aarch64_plat;

#define PLAT_DEFAULT_GICD_BASE 0x08000000ul
#define PLAT_DEFAULT_GICR_BASE 0x080a0000ul
#define PLAT_DEFAULT_UART_BASE 0x09000000ul
#define PLAT_GICD_BASE (aarch64_plat.gicd)
#define PLAT_GICR_BASE (aarch64_plat.gicr)
#define PLAT_GICR_STRIDE 0x20000ul /* RD_base + SGI_base per CPU (GICv3) */
#define PLAT_UART_BASE (aarch64_plat.uart)
#define PLAT_RAM_BASE 0x40000000ul
/* Where QEMU leaves the device tree for an ELF image: the start of RAM. */
#define PLAT_DTB_BASE PLAT_RAM_BASE
#define PLAT_DTB_MAX (2ul << 20)
#define PLAT_TIMER_PPI 27 /* the EL1 virtual timer */

#endif
