/*
 * What the aarch64 port's files share: system register access, the
 * exception frame, per-CPU data and the port's internal functions.
 */
#ifndef TENON_ARCH_AARCH64_H
#define TENON_ARCH_AARCH64_H

#include <stddef.h>
#include <stdint.h>

#include <tenon/channel.h>

#include "arch/aarch64/asm.h"
#include "kernel/internal.h"

#define read_sysreg(r)                                      \
	({                                                  \
		uint64_t v_;                                \
		__asm__ volatile("mrs %0, " #r : "=r"(v_)); \
		v_;                                         \
	})
#define write_sysreg(r, v) \
	__asm__ volatile("msr " #r ", %0" ::"r"((uint64_t)(v)) : "memory")
#define isb() __asm__ volatile("isb" ::: "memory")
#define dsb(opt) __asm__ volatile("dsb " #opt ::: "memory")

/*
 * Device register access, one plain load or store each: a hypervisor can
 * only emulate an access whose syndrome it gets, which rules out the
 * pair and writeback forms a compiler may choose for a volatile pointer.
 */
static inline uint32_t mmio_read32(uintptr_t addr)
{
	uint32_t v;

	__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline uint64_t mmio_read64(uintptr_t addr)
{
	uint64_t v;

	__asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline void mmio_write32(uintptr_t addr, uint32_t v)
{
	__asm__ volatile("str %w0, [%1]" ::"rZ"(v), "r"(addr) : "memory");
}

static inline void mmio_write64(uintptr_t addr, uint64_t v)
{
	__asm__ volatile("str %0, [%1]" ::"rZ"(v), "r"(addr) : "memory");
}

/* Saved by the exception entry (vectors.S, through asm-offsets.c). */
struct aarch64_frame {
	uint64_t x[31];
	uint64_t elr;
	uint64_t spsr;
	uint64_t sp; /* the interrupted SP_EL0 */
};

#define PAGE_SIZE 4096ul

/* boot.c */
extern bool aarch64_native; /* entered at EL2, with no hypervisor below */
void aarch64_console_write(const char *s, size_t len);
__attribute__((noreturn)) void aarch64_power_off(void);

/* gic.c */
void gic_init_global(void);
void gic_init_cpu(int cpu);
/* The interrupt being taken, or 1023 for none. */
uint32_t gic_ack(void);
void gic_eoi(uint32_t intid);
void gic_send_sgi(int cpu, unsigned int sgi);
void gic_set_cpu_affinity(int cpu, uint64_t mpidr);

/* mmu.c */
void mmu_init(uintptr_t ram_base, size_t ram_size);
/*
 * Before mmu_init(): maps [base, base + size) Normal non-cacheable (a
 * channel's region, as the hypervisor maps it). -EINVAL: not page
 * aligned or beyond the 4 GiB mapped; -ENOMEM: out of page tables.
 */
int mmu_map_nc(uintptr_t base, size_t size);
void mmu_enable_secondary(void);
/* Stacks with an unmapped guard page below them. */
void *mmu_stack_alloc(size_t size);
void mmu_stack_free(void *stack, size_t size);
/* Whether addr lies in a guard page. */
bool mmu_in_guard(uintptr_t addr);

/* psci.c */
int psci_cpu_on(uint64_t mpidr, uintptr_t entry, uint64_t context);
__attribute__((noreturn)) void psci_system_off(void);

/* fdt.c */
struct fdt_info {
	const char *bootargs;
	bool console; /* /chosen has a stdout-path: there is a UART */
	uint64_t gicd, gicr, uart; /* the GICv3's and PL011's reg; or 0 */
	uint64_t ram_base, ram_size;
	int ncpus;
	uint64_t mpidr[TN_MAX_CPUS];
	unsigned int nchannels;
	struct tn_channel_desc channels[TN_CHANNELS_MAX];
	unsigned int hm_intid; /* /tenon-health's SPI, as an INTID; 0: none */
};
int fdt_read(const void *blob, struct fdt_info *info);
/* channel.c: keeps the channels fdt gives and has their regions mapped. */
void aarch64_channels_init(const struct fdt_info *fdt);
/* hm.c: keeps the HM interrupt fdt gives (none alone on the machine). */
void aarch64_hm_init(const struct fdt_info *fdt);

/* What aarch64_fpu_save() keeps (switch.S, through asm-offsets.c). */
struct aarch64_fpu {
	__uint128_t q[32];
	uint64_t fpcr, fpsr;
};

/*
 * What arch_switch() saves: the callee-saved registers and the stack
 * pointer on every switch (switch.S, through asm-offsets.c), the FP/SIMD
 * state only when another thread's must be loaded (cpu.c).
 */
struct aarch64_ctx {
	uint64_t x19_x30[12];
	uint64_t sp, pad;
	struct aarch64_fpu fpu;
};

/* cpu.c */
extern int aarch64_ncpus;
/* Whether the calling CPU holds the kernel lock (for the fault path). */
bool aarch64_holds_kernel_lock(void);
void aarch64_set_idle_context(int cpu);

/* switch.S */
/* fp_owner: NULL, or the CPU's FP/SIMD owner slot to hand over to next. */
void aarch64_context_switch(struct aarch64_ctx *prev, struct aarch64_ctx *next,
			    struct aarch64_ctx **fp_owner);
void aarch64_fpu_save(struct aarch64_fpu *fpu);
void aarch64_fpu_restore(const struct aarch64_fpu *fpu);
void aarch64_thread_start(void);

/* exception.c */
void aarch64_report_exception(const char *what, struct aarch64_frame *f);

#endif
