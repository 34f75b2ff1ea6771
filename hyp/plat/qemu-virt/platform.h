/*
 * The machine as the hypervisor drives it: its GIC, its UART and the
 * interrupts it uses. They are not written here but read from the
 * compiled system description, where tools/config (platform.c) puts the
 * one description of the platform; these names only keep the code that
 * uses them short.
 */
#ifndef TENON_HYP_PLAT_QEMU_VIRT_H
#define TENON_HYP_PLAT_QEMU_VIRT_H

#include "tenon/sysconfig.h"

extern const struct tn_sysconfig tn_sysconfig;

#define PLAT_GICD_BASE ((uintptr_t)tn_sysconfig.platform.gicd_base)
#define PLAT_GICD_SIZE ((uintptr_t)tn_sysconfig.platform.gicd_size)
#define PLAT_GICR_BASE ((uintptr_t)tn_sysconfig.platform.gicr_base)
#define PLAT_GICR_STRIDE ((uintptr_t)tn_sysconfig.platform.gicr_stride)
#define PLAT_UART_BASE ((uintptr_t)tn_sysconfig.platform.uart_base)
#define PLAT_UART_SIZE ((uintptr_t)tn_sysconfig.platform.uart_size)
#define PLAT_UART_IRQ (tn_sysconfig.platform.uart_intid)
#define PLAT_PPI_MAINTENANCE (tn_sysconfig.platform.maintenance_ppi)
#define PLAT_PPI_VTIMER (tn_sysconfig.platform.vtimer_ppi)
#define PLAT_PPI_PTIMER (tn_sysconfig.platform.ptimer_ppi)
#define PLAT_PPI_PMU (tn_sysconfig.platform.pmu_ppi)
#define PLAT_PPI_HYPTIMER (tn_sysconfig.platform.hyptimer_ppi)

#endif
