/*
 * What the hypervisor's files share: system registers, spinlocks, the
 * per-CPU and per-vCPU state, partitions, and the functions between the
 * generic core and the aarch64 code. Today one vCPU is pinned to each
 * physical CPU for good, so guest EL1 state never has to be switched: it
 * stays in the CPU, and an exit saves only the general registers.
 */
#ifndef TENON_HYP_H
#define TENON_HYP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tenon/sysconfig.h"

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

#define HYP_MAX_CPUS TN_CFG_MAX_CPUS
/* What EL2 and stage 2 translate: 4 KiB pages from level 1. */
#define HYP_PA_BITS_MAX 39
#define VGIC_NR_IRQS 64 /* SGIs, PPIs and SPIs 32..63 */
#define VUART_FIFO 64
#define CONSOLE_LINE 200

struct spinlock {
	uint32_t next, owner;
};
void spin_lock(struct spinlock *l);
/* Takes l if it is free, else returns false at once. */
bool spin_trylock(struct spinlock *l);
void spin_unlock(struct spinlock *l);

/*
 * SGI 15: the hypervisor's "look at your vCPU" kick between CPUs (group
 * 0 where the GIC allows, gic.c). A partition with direct delivery has
 * SGIs 0-14; with the virtual GIC, all 16 (they are emulated).
 */
#define SGI_KICK 15
/* Physical priorities: the hypervisor's own interrupts above any guest's. */
#define GIC_HYP_PRIORITY 0x40
#define GIC_DIRECT_RESET_PRIORITY 0x80 /* a direct guest's priority 0 */
#define ICH_HCR_TC (1u << 10)

static inline uint32_t mmio_read32(uintptr_t a)
{
	return *(volatile uint32_t *)a;
}
static inline uint64_t mmio_read64(uintptr_t a)
{
	return *(volatile uint64_t *)a;
}
static inline void mmio_write32(uintptr_t a, uint32_t v)
{
	*(volatile uint32_t *)a = v;
}
static inline void mmio_write64(uintptr_t a, uint64_t v)
{
	*(volatile uint64_t *)a = v;
}

/* One interrupt as a partition's virtual GIC knows it. */
struct virq {
	uint8_t priority;
	bool enabled;
	bool pending; /* pending, not yet handed to a list register */
	bool active;  /* active, not in a list register (guest's ISACTIVER) */
	bool in_lr;   /* handed to the CPU interface, not yet done */
	uint8_t lr_vcpu;  /* whose list register holds it */
	uint8_t lr_state; /* that register's state at its vCPU's last exit */
	/* State another vCPU cleared while the holder ran: applied at its exit
	 */
	uint8_t lr_clear;
	bool level; /* level-sensitive line driven by an emulated device */
	bool line;  /* its current level */
	bool hw;    /* linked to the physical interrupt of the same number */
	bool group1;
	uint8_t edge_cfg; /* ICFGR bits */
	uint8_t target;	  /* SPIs: the vCPU it goes to */
	uint64_t router;  /* SPIs: IROUTER as written */
};

/* The vCPU lifecycle: hyp/core/vcpu.c says what each state means. */
enum vcpu_state {
	VCPU_OFF,
	VCPU_ON_PENDING,
	VCPU_RUNNING,
	VCPU_STOPPING,
	VCPU_HALTED,
};

/* A partition's own lifecycle (hyp/core/partition.c). */
enum partition_state {
	PARTITION_RUNNING,
	PARTITION_RESETTING, /* being reset by one of its CPUs */
	PARTITION_OFF,	     /* SYSTEM_OFF, or stopped on a fault */
	PARTITION_PARKED,    /* could not be stopped cleanly: left alone */
};

struct partition;

#include "core/hm.h"

/* entry.S saves and loads x[], elr and spsr (asm-offsets.c). */
struct vcpu {
	uint64_t x[31];
	uint64_t elr, spsr; /* adjacent: entry.S moves them as a pair */
	struct partition *part;
	int index; /* within the partition; also its Aff0 */
	int pcpu;
	volatile int state; /* enum vcpu_state, changed under part->lock */
	uint64_t entry, context;
	uint64_t last_vector; /* where the last injected abort went */
	struct virq priv[32]; /* SGIs and PPIs */
	uint32_t waker;
	int8_t lr_irq[16]; /* which INTID each list register holds */
	/* Its SGIs and PPIs that may be pending or active outside an LR. */
	uint32_t priv_waiting;
	uint8_t direct_pmr; /* direct delivery: its priority mask, as set */
};

struct vuart {
	uint32_t ibrd, fbrd, lcr_h, cr, ifls, imsc;
	uint8_t rx[VUART_FIFO];
	unsigned int rx_head, rx_count;
};

struct partition {
	const struct tn_cfg_partition *cfg;
	int index;
	/* Its virtual GIC and UART, its state and its vCPUs' states. */
	struct spinlock lock;
	struct vcpu *vcpus[HYP_MAX_CPUS];
	struct virq spi[VGIC_NR_IRQS - 32];
	uint32_t spi_waiting; /* as vcpu.priv_waiting, for spi[] */
	/*
	 * Posted by any CPU, lock-free (vgic_post_level): bit n is SPI
	 * 32 + n. The level each posted line was last given; the lines
	 * that changed since vgic_sync() last applied them.
	 */
	uint32_t posted_level, posted_changed;
	uint32_t gicd_ctlr;
	struct vuart uart;
	uint64_t vttbr;
	volatile int state; /* enum partition_state */
	uint64_t faults;
	uint64_t restarts;
	bool ram_tracked;      /* its RAM's blocks say if written (stage2.c) */
	uint64_t scrubbed;     /* bytes its last cold restart zeroed */
	uint64_t first_writes; /* blocks its incarnation wrote, trapped */
	struct hm_part hm;     /* its health monitor's state (core/hm.h) */
	bool direct;	       /* direct interrupt delivery (direct.c) */
	volatile bool revoked; /* its stage 2 taken away (stage2.c) */
	uint32_t direct_spis;  /* the SPIs 32..63 it then owns, by bit */
};

/*
 * A CPU's hypervisor stack, above a guard page that stage2.c leaves
 * unmapped so that an overflow faults rather than runs into the next
 * CPU's stack. entry.S reserves hyp_stacks[] and sets each CPU's SP from
 * this layout (asm-offsets.c).
 */
#define HYP_PAGE_SIZE 4096
#define HYP_STACK_SIZE 16384
struct hyp_stack {
	uint8_t guard[HYP_PAGE_SIZE];
	uint8_t stack[HYP_STACK_SIZE];
};
extern struct hyp_stack hyp_stacks[HYP_MAX_CPUS];

extern const struct tn_sysconfig tn_sysconfig;
extern struct partition partitions[TN_CFG_MAX_PARTITIONS];
extern int hyp_ncpus;

static inline struct vcpu *this_vcpu(void)
{
	return (struct vcpu *)read_sysreg(tpidr_el2);
}

/* console.c: output, through per-partition rings, drained on one CPU */
void console_init(void);
/* printf-like, a line of the hypervisor's own: "[tenon] ...". */
void hyp_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A partition's output, under its lock: never waits for the UART. */
void console_partition_putc(struct partition *p, char c);
void console_partition_write(struct partition *p, const char *buf, size_t len);
/* Once every CPU is up: the console CPU starts draining, takes input. */
void console_start(void);
/* The console CPU's interrupts: its EL2 timer, a kick, the UART's. */
void console_timer_irq(void);
void console_kicked(void);
void console_uart_irq(void);
/* Writes out everything buffered, on this CPU: power-off, panic. */
void console_flush(bool panic);
__attribute__((noreturn)) void hyp_panic(const char *fmt, ...);

/* console_input.c */
void console_enable_input(int cpu);
void console_input_irq(void);

/* Little- and big-endian fields of images and device trees, by bytes. */
static inline uint64_t get_le64(const uint8_t *b)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

static inline uint32_t get_be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | b[3];
}

#define ARM64_IMAGE_MAGIC 0x644d5241u /* "ARM\x64", at 0x38 */

/* format.c */
int hyp_vsnprintf(char *buf, size_t size, const char *fmt,
		  __builtin_va_list ap);
int hyp_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* vuart.c */
bool vuart_access(struct partition *p, uint64_t offset, bool write,
		  uint64_t *value);
/* A character typed to p; false if its FIFO is full (it reads none). */
bool vuart_receive(struct partition *p, char c);

/* gic.c: the physical GIC and the list registers */
void gic_init_global(void);
/* Whether the hypervisor's own interrupts are group 0 (FIQs). */
extern bool gic_group0;
/* direct: the CPU of a partition with direct delivery (direct.c). */
void gic_init_cpu(int cpu, bool direct);
uint64_t gic_cpu_mpidr(int pcpu);
uintptr_t gic_cpu_redistributor(int pcpu);
/* The private INTIDs the hypervisor keeps on every CPU, as a mask. */
uint32_t gic_hyp_private(void);
uint32_t gic_ack(void);
void gic_eoi(uint32_t intid, bool deactivate);
uint32_t gic_ack0(void);
void gic_eoi0(uint32_t intid);
void gic_kick(int pcpu);
/* A group 1 SGI, from EL2, to CPU pcpu. */
void gic_send_sgi(int pcpu, uint32_t intid);
void gic_set_spi_group(uint32_t intid, bool group1);
void gic_set_spi_edge(uint32_t intid, bool edge);
/* One of the hypervisor's own SPIs (the UART's), to CPU pcpu. */
void gic_enable_hyp_spi(uint32_t intid, int pcpu);
void gic_enable_spi(uint32_t intid, int pcpu);
void gic_route_spi(uint32_t intid, int pcpu);
void gic_deactivate_spi(uint32_t intid);
void gic_deactivate_ppi(int cpu, uint32_t intid);
bool gic_line_pending(uint32_t intid, int cpu);
int gic_nr_lrs(void);
uint64_t gic_read_lr(int n);
void gic_write_lr(int n, uint64_t v);

/* vgic.c */
void vgic_init_partition(struct partition *p);
void vgic_init_vcpu(struct vcpu *v);
/* Registers p's distributor and redistributors as MMIO regions. */
void vgic_register_mmio(struct partition *p);
/*
 * An edge on SPI intid of p (an emulated device's, a doorbell): pending
 * for its vCPU. Costs no kick when it is pending already, disabled, or
 * its vCPU is not running. Under p->lock.
 */
void vgic_raise_edge(struct partition *p, uint32_t intid);
/*
 * A physical PPI of v's CPU came: false if it is not one of the CPU's own
 * devices the guest drives (timers, PMU), else it is pending for v.
 */
bool vgic_hw_ppi(struct vcpu *v, uint32_t intid);
/* Ends those PPIs on v's CPU, which a guest gone may have left active. */
void vgic_end_hw_ppis(struct vcpu *v);
/* A device's interrupt is p's: routed to its vCPU's CPU, hardware-linked. */
void vgic_own_spi(struct partition *p, uint32_t intid);
/* Routes and enables them; once every CPU's GIC is up. */
void vgic_enable_owned_spis(void);
/* A physical SPI arrived on v's CPU; false if it is not v's partition's. */
bool vgic_hw_spi(struct vcpu *v, uint32_t intid);
void vgic_set_level(struct partition *p, uint32_t intid, bool level);
/*
 * The same for a level line, from any CPU and without p->lock (a Linux
 * end's INTx): the level is posted in p and, if it rose, p's vCPU is
 * kicked; p's next vgic_sync() applies it under the lock. A CPU that
 * rings Linux never waits for Linux's lock. Every change of a posted
 * line goes through here, its own partition's too.
 */
void vgic_post_level(struct partition *p, uint32_t intid, bool level);
/*
 * The vCPUs of v's partition an ICC_SGI1R_EL1 value of v's names (its
 * range selector counted), those running or starting: a mask by index.
 */
uint32_t vgic_sgi_targets(struct vcpu *v, uint64_t sgi1r);
void vgic_send_sgi(struct vcpu *v, uint64_t sgi1r);
/* Before entering the guest: fold done LRs back, load pending ones. */
void vgic_sync(struct vcpu *v);
/* Empties this CPU's list registers of v: v leaves its CPU. */
void vgic_drop_lrs(struct vcpu *v);

/* The GIC's bit-per-interrupt registers: IGROUPR at 0x080, one each 0x080. */
enum bitreg {
	GROUP,
	SET_ENABLE,
	CLEAR_ENABLE,
	SET_PENDING,
	CLEAR_PENDING,
	SET_ACTIVE,
	CLEAR_ACTIVE
};

/* A redistributor's RD_base registers for vCPU t; false: not one. */
bool vgic_rd_frame(struct vcpu *t, uint64_t off, bool write, int size,
		   uint64_t *value);

/* direct.c: direct interrupt delivery */
/* At boot: p's choice from its table, and what it then owns. */
void direct_init_partition(struct partition *p);
/* On each CPU, its GIC up: what the CPU interface implements. */
void direct_init_cpu(void);
/* The emulated distributor and a redistributor (vCPU t's) of p. */
void direct_distributor(struct vcpu *v, uint64_t off, bool write, int size,
			uint64_t *value);
void direct_redistributor(struct vcpu *t, uint64_t off, bool write, int size,
			  uint64_t *value);
/* p's interrupts as out of reset; p is not running. */
void direct_reset(struct partition *p);
/* This CPU's interface as out of reset, v arriving or leaving. */
void direct_clear_cpu(struct vcpu *v);
/* An edge on SPI intid of p: a doorbell, a health notification. */
void direct_raise(struct partition *p, uint32_t intid);
/* A trapped access to a shared CPU interface register; false: not one. */
bool direct_sysreg(struct vcpu *v, unsigned int crn, unsigned int crm,
		   unsigned int op2, bool read, uint64_t *value);

/* psci.c */
void psci_guest_call(struct vcpu *v);
/* Once per CPU at boot: asks the firmware what the CPU needs (SMCCC). */
void psci_probe_firmware(int cpu);

/* el2.c */
#define HCR_VSE (1ul << 8) /* a virtual SError is pending */
/* Sets this CPU's EL2 controls for v (NULL: a CPU no partition has). */
void arch_cpu_setup_el2(struct vcpu *v);
/* Stops the timers and PMU counters a guest left running on this CPU. */
void arch_cpu_stop_guest_devices(void);
int64_t psci_fw_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t context);
__attribute__((noreturn)) void psci_fw_system_off(void);
__attribute__((noreturn)) void psci_fw_system_reset(void);
/* Any SMCCC call to the firmware; x0 back. */
int64_t smccc_fw_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3);

/* el1_reset.c */
/* Puts this CPU's EL1 context (v's) in its architectural reset state. */
void arch_vcpu_reset(struct vcpu *v);
/* Leaves no TLB entry of p's VMID on any CPU. */
void arch_tlb_flush_vmid(struct partition *p);
/* Zeroes a range of RAM and writes it back to the point of coherency. */
void arch_zero_to_poc(uint64_t pa, uint64_t size);
/* Writes a range back to memory and drops it from the caches. */
void arch_clean_inval_to_poc(uint64_t pa, uint64_t size);
/* Copies RAM to RAM, 64 bytes at a time when both sides allow it. */
void arch_copy(uint64_t to, uint64_t from, uint64_t size);
/*
 * The physical counter, read in order with what precedes it (inline:
 * every exit reads it twice), and its ticks per second.
 */
static inline uint64_t arch_counter(void)
{
	isb();
	return read_sysreg(cntpct_el0);
}
uint64_t arch_counter_freq(void);

/* hypercall.c */
void hypercall(struct vcpu *v);

/* table.c: panics, saying why, unless the table is one it can run. */
void table_check(const struct tn_sysconfig *t);

/* partition.c */
/* Stops p for good (SYSTEM_OFF, a fault); the machine when all are. */
void partition_stop(struct partition *p, const char *why);
/*
 * Resets p and starts it again, on one of its vCPUs (caller). Without
 * pristine copies of its images, only stops it.
 */
void partition_restart(struct partition *p, struct vcpu *caller,
		       const char *why);
/*
 * The same, and how: a cold restart (RAM scrubbed, images put back) or a
 * warm one (its device tree put back, RAM kept); `load` bytes of a new
 * image to copy in from the load window first (0: none). False if p was
 * not running (another reset or stop won) or could not be halted.
 */
enum reset_kind { RESET_BOOT, RESET_COLD, RESET_WARM };
bool partition_restart_as(struct partition *p, struct vcpu *caller,
			  enum reset_kind kind, uint32_t load, const char *why);
/* Starts p, stopped (OFF), from its images: on vCPU 0's CPU (caller). */
int partition_start(struct partition *p, struct vcpu *caller);
/*
 * Puts p in its state out of reset and makes vCPU 0 ON_PENDING at the
 * entry: at boot (the loader has just put the images in place) and at
 * every restart (scrub: RAM zeroed and images copied back first).
 */
void partition_reset(struct partition *p, enum reset_kind kind);
/*
 * p's memory, revoked to bring a vCPU here (force_halt(), a manager's
 * request, a stop), back if p runs on with nothing more to do.
 */
void partition_give_back_memory(struct partition *p);
/* Guest memory: the PA behind an IPA range of p's RAM, or 0. */
uint64_t partition_ipa_to_pa(struct partition *p, uint64_t ipa, uint64_t len);

/* vcpu.c: the vCPU lifecycle */
/* Runs v on this CPU for good: waits for it to be started, enters it. */
__attribute__((noreturn)) void vcpu_run(struct vcpu *v);
/* At the end of an exit: waits there while v is not RUNNING. */
void vcpu_wait(struct vcpu *v);
/* PSCI CPU_ON of t by a vCPU of its partition: a PSCI result. */
int64_t vcpu_cpu_on(struct vcpu *t, uint64_t entry, uint64_t context);
/* PSCI CPU_OFF of v, by itself: it leaves at the end of the exit. */
void vcpu_cpu_off(struct vcpu *v);
/* PSCI AFFINITY_INFO of t: 0 on, 1 off, 2 on pending. */
int64_t vcpu_affinity(struct vcpu *t);
/* PSCI CPU_SUSPEND (standby): waits for an interrupt, or returns early. */
void vcpu_suspend(struct vcpu *v);
/* Under p->lock: every vCPU of p is to leave its CPU (STOPPING). */
void vcpu_stop_all(struct partition *p);
/* v, on its own CPU, leaves it clean: HALTED. Takes p->lock. */
void vcpu_halt(struct vcpu *v);
/* Waits, at most timeout_ms, for every vCPU of p to be HALTED. */
bool vcpu_wait_halted(struct partition *p, uint64_t timeout_ms);

/* stage2.c */
void stage2_build(struct partition *p);
/*
 * Maps a range of a channel's region into p, Normal non-cacheable, never
 * executable, writable or read-only. At boot, before p runs.
 */
void stage2_map_shared(struct partition *p, uint64_t ipa, uint64_t pa,
		       uint64_t size, bool writable);
/*
 * Makes a range mapped by stage2_map_shared() writable or read-only for
 * p, while p runs: every CPU's TLB is rid of the old permission before
 * it returns.
 */
void stage2_set_writable(struct partition *p, uint64_t ipa, uint64_t size,
			 bool writable);
/*
 * Which blocks of p's RAM its incarnation may have written, so that a
 * restart scrubs only those (off: from the start of p's RAM). Without
 * tracking (RAM not in 2 MiB blocks), every block counts as written.
 */
bool stage2_ram_written(struct partition *p, uint64_t off);
/* Marks blocks clean (just scrubbed) or written, p not running. */
void stage2_ram_mark(struct partition *p, uint64_t off, uint64_t size,
		     bool clean);
/*
 * Takes p's memory away from every vCPU, so that each exits at its next
 * access (a CPU no kick reaches); stage2_restore() puts it back, p not
 * running.
 */
void stage2_revoke(struct partition *p);
void stage2_restore(struct partition *p);
/* Whether the CPU marks blocks written itself (FEAT_HAFDBS). */
bool stage2_hw_dirty(void);
/* A write fault at ipa: true if it was a clean block's first write. */
bool stage2_note_write(struct vcpu *v, uint64_t ipa);
/* EL2's own tables, once the table is checked; then on each CPU. */
void hyp_mmu_init(void);
void hyp_mmu_enable(void);
uint64_t stage2_vtcr(void); /* VTCR_EL2, set by hyp_mmu_init */

/* traps.c */
void inject_abort(struct vcpu *v, bool instruction, uint64_t far);
/* Takes and handles the physical interrupts pending on this CPU. */
void trap_irqs(struct vcpu *v);
/* This CPU's exit waited (idle, not cost); the figures, logged. */
/* At boot, before any exit: the counter's frequency read once. */
void exit_stats_init(void);
void exit_stats_idle(int cpu);
void exit_stats_log(void);

/* entry.S */
__attribute__((noreturn)) void guest_enter(struct vcpu *v);
void hyp_secondary_entry(void);

#endif
