/*
 * The QEMU virt machine as the hypervisor drives it: the physical GIC,
 * UART and the interrupts it uses.
 */
#ifndef TENON_HYP_PLAT_QEMU_VIRT_H
#define TENON_HYP_PLAT_QEMU_VIRT_H

#define PLAT_GICD_BASE 0x08000000ul
#define PLAT_GICD_SIZE 0x10000ul
#define PLAT_GICR_BASE 0x080a0000ul
#define PLAT_GICR_STRIDE 0x20000ul
#define PLAT_UART_BASE 0x09000000ul
#define PLAT_UART_SIZE 0x1000ul
#define PLAT_UART_IRQ 33 /* SPI 1 */
#define PLAT_RAM_BASE 0x40000000ul
#define PLAT_DTB_BASE 0x40000000ul

#define PLAT_PPI_PMU 23 /* the PMU's overflow interrupt */
#define PLAT_PPI_MAINTENANCE 25
#define PLAT_PPI_VTIMER 27
#define PLAT_PPI_PTIMER 30 /* the EL1 physical timer */

#endif
