/*
 * The QEMU virt machine as the real-time core sees it, natively or inside
 * a partition (the hypervisor keeps these addresses through stage 2).
 */
#ifndef TENON_PLAT_QEMU_VIRT_H
#define TENON_PLAT_QEMU_VIRT_H

#define PLAT_GICD_BASE 0x08000000ul
#define PLAT_GICR_BASE 0x080a0000ul
#define PLAT_GICR_STRIDE 0x20000ul /* RD_base + SGI_base per CPU */
#define PLAT_UART_BASE 0x09000000ul
#define PLAT_RAM_BASE 0x40000000ul
/* Where QEMU leaves the device tree for an ELF image: the start of RAM. */
#define PLAT_DTB_BASE PLAT_RAM_BASE
#define PLAT_DTB_MAX (2ul << 20)
#define PLAT_TIMER_PPI 27 /* the EL1 virtual timer */

#endif
