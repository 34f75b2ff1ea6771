/*
 * The compiled system description: what tools/tenon-config generates from
 * config/<system>.dts and the hypervisor is built with (as a constant
 * struct tn_sysconfig named tn_sysconfig). Addresses are physical (PA) or
 * the partition's intermediate physical addresses (IPA). Versioned: the
 * hypervisor refuses a table of another version.
 */
#ifndef TENON_ABI_SYSCONFIG_H
#define TENON_ABI_SYSCONFIG_H

#include <stdint.h>

#define TN_SYSCONFIG_MAGIC 0x54434647u /* "TCFG" */
#define TN_SYSCONFIG_VERSION 6

#define TN_CFG_MAX_CPUS 8
#define TN_CFG_MAX_PARTITIONS 4
#define TN_CFG_MAX_DEVICES 8
#define TN_CFG_NAME_MAX 16
#define TN_CFG_MAX_CHANNELS 16

enum tn_cfg_kind {
	TN_CFG_KIND_RTOS = 1,  /* the Tenon real-time core */
	TN_CFG_KIND_LINUX = 2, /* an unmodified Linux kernel */
};

/* A device region passed through: the partition sees it at the same IPA. */
struct tn_cfg_device {
	char name[TN_CFG_NAME_MAX];
	uint64_t base; /* PA = IPA */
	uint64_t size; /* multiple of 4 KiB */
	uint32_t irq;  /* its SPI (INTID 32..), the partition's; 0: none */
	uint32_t pad;
};

/*
 * A pristine copy of something a partition loads (device tree, image,
 * initrd), kept where no partition can reach it, so that the hypervisor
 * can put it back and restart the partition.
 */
struct tn_cfg_copy {
	uint64_t pa;   /* the copy (in RAM no partition owns); 0: none */
	uint64_t ipa;  /* where the partition finds it */
	uint64_t size; /* bytes */
};

#define TN_CFG_COPIES 3 /* device tree, image, initrd */

/*
 * The machine, as the compiler's one description of the platform gives
 * it: the hypervisor drives these and shows partitions the same
 * addresses. INTIDs are the GIC's numbers (SPI n is INTID 32 + n).
 */
struct tn_cfg_platform {
	uint64_t ram_base;  /* where the machine's RAM starts */
	uint64_t ram_size;  /* how much of it the system has */
	uint64_t gicd_base; /* GICv3 distributor */
	uint64_t gicd_size;
	uint64_t gicr_base; /* redistributors, one frame pair per CPU */
	uint64_t gicr_stride;
	uint64_t uart_base; /* the PL011 the hypervisor owns */
	uint64_t uart_size;
	uint32_t uart_intid;
	uint32_t maintenance_ppi; /* the GIC's virtual-interface interrupt */
	uint32_t vtimer_ppi;	  /* the EL1 virtual timer */
	uint32_t ptimer_ppi;	  /* the EL1 physical timer */
	uint32_t pmu_ppi;	  /* the PMU's overflow interrupt */
	uint32_t pa_bits;	  /* physical addresses the system needs */
	/*
	 * Channels (since version 4). Linux ends are functions on an
	 * emulated PCI host bridge: its ECAM (bus 0 only), the window of
	 * their registers (BAR0s) and that of the shared regions (BAR2s,
	 * which every end sees at the same IPA). Each end's doorbell (or
	 * INTx) is SPI INTID chan_intid_base + the channel's index, in its
	 * own partition's virtual GIC.
	 */
	uint64_t pci_ecam_base;
	uint64_t pci_ecam_size;
	uint64_t pci_bar0_base;
	uint64_t pci_bar0_size;
	uint64_t chan_ipa_base;
	uint64_t chan_ipa_size;
	uint32_t chan_intid_base;
	uint32_t chan_intids;
	uint32_t hyptimer_ppi; /* the EL2 physical timer (CNTHP) */
	/* Since version 5: the health monitor's notification, an SPI INTID
	 * of each partition's virtual GIC (tenon/hm.h). */
	uint32_t hm_intid;
};

struct tn_cfg_partition {
	char name[TN_CFG_NAME_MAX];
	uint32_t kind; /* enum tn_cfg_kind */
	uint32_t ncpus;
	uint32_t cpus[TN_CFG_MAX_CPUS]; /* physical CPU of each vCPU */
	uint64_t ram_pa;		/* where its RAM really is */
	uint64_t ram_ipa; /* where it sees it: the platform's RAM base */
	uint64_t ram_size;
	uint64_t entry_ipa; /* its image: vCPU 0 starts here, MMU off */
	/* The end of the 2 MiB blocks its image takes, running. */
	uint64_t image_end_ipa;
	uint64_t dtb_ipa;  /* x0 at entry: its device tree, above */
	uint64_t dtb_room; /* the image and the initrd; its room */
	uint32_t console;  /* 1: an emulated PL011 at the platform's UART */
	uint32_t ndevices;
	struct tn_cfg_device devices[TN_CFG_MAX_DEVICES];
	struct tn_cfg_copy copies[TN_CFG_COPIES];
	/*
	 * Since version 5. The health monitor's table: the action for each
	 * event (enum tn_hm_action by enum tn_hm_event of tenon/hm.h; 0:
	 * the default), and the restart limit: at most restart_max restarts
	 * within restart_window_ms, then it is stopped (0: no limit).
	 */
	uint8_t hm_actions[16];
	uint32_t restart_max;
	uint32_t restart_window_ms;
	/*
	 * The most its image may take running, from entry_ipa (BSS in; up
	 * to its initrd or device tree): what a loaded image is held to,
	 * with the file no larger than its pristine copy's room.
	 */
	uint64_t image_room;
	/* A Linux partition: the manager's PCI function's BAR0 (every Linux
	 * partition has one; only the manager's answers with rights). */
	uint64_t mgr_bar0_ipa;
	/*
	 * Since version 6. How its interrupts reach it (enum
	 * tn_cfg_irq_delivery): through the virtual GIC, or straight from
	 * the physical CPU interface with no exit (docs/hypervisor.md,
	 * "Direct interrupt delivery").
	 */
	uint32_t irq_delivery;
	uint32_t pad2;
};

enum tn_cfg_irq_delivery {
	TN_CFG_IRQ_VIRTUAL = 0,
	TN_CFG_IRQ_DIRECT = 1,
};

/*
 * One end of a channel: a partition, what it does (enum tn_chan_role of
 * tenon/channel_abi.h) and how it is told that the other end rang.
 */
struct tn_cfg_chan_end {
	uint32_t partition; /* index in partitions[] */
	uint32_t role;	    /* TN_CHAN_WRITER or TN_CHAN_READER */
	uint32_t intid;	    /* rtos: its doorbell SPI; linux: its INTx SPI */
	uint32_t pci_dev;   /* linux: its device number on bus 0; else 0 */
	uint64_t bar0_ipa;  /* linux: its registers (BAR0); else 0 */
};

/*
 * A channel: its shared region, in RAM no partition owns, mapped at the
 * same IPA into each end; ends[0] is the writer, then the readers.
 */
struct tn_cfg_channel {
	char name[TN_CFG_NAME_MAX];
	uint32_t kind;	      /* enum tn_chan_kind */
	uint32_t msg_size;    /* queue, sample: bytes; else 0 */
	uint32_t depth;	      /* queue: messages; stream: bytes; else 0 */
	uint32_t validity_us; /* sample: 0 for none */
	uint64_t region_pa;   /* page-aligned */
	uint64_t region_ipa;  /* aligned to its size */
	uint64_t region_size; /* tn_chan_region_size(): a power of two */
	uint32_t nends;
	uint32_t pad;
	struct tn_cfg_chan_end ends[TN_CFG_MAX_PARTITIONS];
};

struct tn_sysconfig {
	uint32_t magic;
	uint32_t version;
	uint32_t ncpus; /* physical CPUs of the machine */
	uint32_t npartitions;
	uint32_t console_cpu; /* drains the console and takes its input */
	uint32_t pad;
	uint64_t hyp_pa;   /* the hypervisor's own RAM, which holds */
	uint64_t hyp_size; /* its image */
	struct tn_cfg_platform platform;
	struct tn_cfg_partition partitions[TN_CFG_MAX_PARTITIONS];
	uint32_t nchannels; /* since version 4 */
	/* Since version 5: the manager partition's index, or
	 * TN_CFG_NO_MANAGER. */
	uint32_t manager;
	struct tn_cfg_channel channels[TN_CFG_MAX_CHANNELS];
	/* Since version 5: the load window (BAR2 of the manager's function),
	 * in RAM no partition owns: a power of two, aligned to its size in
	 * the channel window (platform.chan_ipa_*); 0 if no manager. */
	uint64_t load_pa;
	uint64_t load_ipa;
	uint64_t load_size;
};

#define TN_CFG_NO_MANAGER 0xffffffffu

#endif
