/*
 * Channels as the hypervisor keeps them (channel.c): each channel's
 * shared region, mapped into its ends, and each end's doorbell state.
 * A Linux end is also a PCI function (pci.c), whose configuration state
 * lives here beside its registers, under the same lock.
 */
#ifndef TENON_HYP_CHANNEL_H
#define TENON_HYP_CHANNEL_H

#include "hyp.h"

struct channel;

/* What a PCI function's configuration space holds that can change. */
struct pci_func {
	uint16_t command;  /* memory space, bus master, interrupt disable */
	uint8_t sizing;	   /* bit n: BARn was written all-ones */
	uint8_t intr_line; /* the interrupt line register, as written */
};

struct chan_end {
	struct channel *ch;
	struct partition *part;
	const struct tn_cfg_chan_end *cfg;
	bool linux_end;	     /* its partition is Linux: a PCI function */
	uint32_t isr, imr;   /* a Linux end's TN_CHAN_REG_ISR and IMR */
	uint32_t rang, rung; /* doorbells it rang; doorbells rung for it */
	uint32_t counter_hi; /* latched by a read of TN_CHAN_REG_COUNTER_LO */
	struct pci_func pci;
	char what[40]; /* "channel NAME's registers", for the log */
};

struct channel {
	const struct tn_cfg_channel *cfg;
	struct spinlock lock; /* its ends' state; taken before a partition's */
	struct chan_end ends[TN_CFG_MAX_PARTITIONS];
};

/*
 * At boot, once every partition is built and before any runs: zeroes
 * every region, maps it into its ends, registers each Linux end's
 * registers and the PCI host bridge.
 */
void channel_init(void);
/* p is reset (boot, restart): its ends' registers are as out of reset. */
void channel_reset_partition(struct partition *p);
/* TN_HC_CHANNEL_NOTIFY of v: 0, or -EINVAL. */
int64_t channel_notify(struct vcpu *v, uint64_t id);
/* The Linux end on device `dev` of p's PCI bus, or NULL. */
struct chan_end *channel_pci_end(struct partition *p, uint32_t dev);
/* Under the end's channel lock: its INTx line follows its state. */
void channel_update_intx(struct chan_end *e);

/* pci.c: p's emulated host bridge, if it has Linux ends. */
void pci_register(struct partition *p);

#endif
