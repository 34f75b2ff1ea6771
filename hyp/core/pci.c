/*
 * The emulated PCI host bridge a Linux partition with channel ends sees:
 * ECAM configuration space (pci-host-ecam-generic), bus 0 only, one
 * function per channel end (device n, function 0), as Linux's
 * uio_pci_generic needs it: IDs and class, BAR0 (its registers, 32-bit
 * memory) and BAR2 (the region, 32-bit prefetchable memory), both where
 * the hypervisor put them (the device tree tells Linux to keep them:
 * linux,pci-probe-only) and sized the usual way (a write of all-ones
 * reads back the size mask until the next write), the command register's
 * memory, bus master and Interrupt Disable bits, the status register's
 * Interrupt Status (ISR & IMR), interrupt pin INTA and a line register.
 * Byte, halfword and word accesses, aligned; what a function does not
 * implement reads as zero and ignores writes; an absent function reads
 * as all-ones. The BARs always decode: their addresses cannot move.
 */
#include "core/channel.h"
#include "core/hm.h"
#include "core/mmio.h"
#include "tenon/channel_abi.h"

#define PCI_VENDOR_ID 0x00
#define PCI_COMMAND 0x04
#define PCI_CLASS_REVISION 0x08
#define PCI_HEADER 0x0c
#define PCI_BAR0 0x10
#define PCI_BAR2 0x18
#define PCI_SUBSYSTEM 0x2c
#define PCI_INTERRUPT 0x3c

#define PCI_COMMAND_MEMORY (1u << 1)
#define PCI_COMMAND_MASTER (1u << 2)
#define PCI_COMMAND_INTX_DISABLE (1u << 10)
#define PCI_COMMAND_WRITABLE \
	(PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE)
#define PCI_STATUS_INTERRUPT (1u << 3)
#define PCI_BAR_PREFETCH (1u << 3)
#define PCI_INTA 1
#define PCI_REVISION 1

/* ECAM: bus 20 bits up, device 15, function 12, register below. */
#define ECAM_DEV(off) ((uint32_t)((off) >> 15) & 31)
#define ECAM_FN(off) ((uint32_t)((off) >> 12) & 7)
#define ECAM_REG(off) ((uint32_t)(off)&0xfff)

/*
 * What configuration space shows of one function: a channel end's or the
 * manager's (manager.c). Its state (command, BAR sizing, line) is f.
 */
struct pci_view {
	struct pci_func *f;
	uint16_t subdevice;
	bool intx;	 /* it has INTA */
	bool irq_status; /* its interrupt is asserted (ISR & IMR) */
	uint64_t bar0, bar0_size, bar2, bar2_size;
};

/* A BAR's value: its address, or its size mask while being sized. */
static uint32_t bar(const struct pci_func *f, int n, uint64_t base,
		    uint64_t size, uint32_t flags)
{
	if (f->sizing & 1u << n)
		return (uint32_t) ~(size - 1) | flags;
	return (uint32_t)base | flags;
}

static uint32_t config_read(const struct pci_view *d, uint32_t reg)
{
	uint32_t status;

	switch (reg) {
	case PCI_VENDOR_ID:
		return TN_CHAN_PCI_DEVICE << 16 | TN_CHAN_PCI_VENDOR;
	case PCI_COMMAND:
		status = d->irq_status ? PCI_STATUS_INTERRUPT : 0;
		return status << 16 | d->f->command;
	case PCI_CLASS_REVISION:
		return TN_CHAN_PCI_CLASS << 8 | PCI_REVISION;
	case PCI_BAR0:
		return bar(d->f, 0, d->bar0, d->bar0_size, 0);
	case PCI_BAR2:
		return bar(d->f, 2, d->bar2, d->bar2_size, PCI_BAR_PREFETCH);
	case PCI_SUBSYSTEM:
		return (uint32_t)d->subdevice << 16 | TN_CHAN_PCI_SUBVENDOR;
	case PCI_INTERRUPT:
		return d->intx ? PCI_INTA << 8 | d->f->intr_line : 0;
	}
	return 0; /* header type 0, single function, nothing else */
}

/* A write of the bytes `mask` selects; true if the command changed. */
static bool config_write(const struct pci_view *d, uint32_t reg, uint32_t value,
			 uint32_t mask)
{
	uint32_t word = (config_read(d, reg) & ~mask) | (value & mask);
	int n = reg == PCI_BAR0 ? 0 : 2;

	switch (reg) {
	case PCI_COMMAND:
		if (!(mask & 0xffff))
			return false; /* status: nothing in it to clear */
		d->f->command = (uint16_t)(word & PCI_COMMAND_WRITABLE);
		return true;
	case PCI_BAR0:
	case PCI_BAR2: {
		uint64_t size = reg == PCI_BAR0 ? d->bar0_size : d->bar2_size;
		uint32_t addr_bits = (uint32_t) ~(size - 1);

		/* All the address bits set: sizing. Anything else: done. */
		if ((word & addr_bits) == addr_bits)
			d->f->sizing |= (uint8_t)(1u << n);
		else
			d->f->sizing &= (uint8_t) ~(1u << n);
		return false;
	}
	case PCI_INTERRUPT:
		if (mask & 0xff && d->intx)
			d->f->intr_line = (uint8_t)word;
		return false;
	}
	return false;
}

static void view_of_end(struct chan_end *e, struct pci_view *d)
{
	const struct tn_cfg_channel *c = e->ch->cfg;

	*d = (struct pci_view){
	    .f = &e->pci,
	    .subdevice = TN_CHAN_PCI_SUBDEVICE,
	    .intx = true,
	    .irq_status = e->isr & e->imr & TN_CHAN_ISR_DOORBELL,
	    .bar0 = e->cfg->bar0_ipa,
	    .bar0_size = TN_CHAN_BAR0_SIZE,
	    .bar2 = c->region_ipa,
	    .bar2_size = c->region_size,
	};
}

static void view_of_manager(struct mgr *m, struct partition *p,
			    struct pci_view *d)
{
	*d = (struct pci_view){
	    .f = mgr_pci_state(m),
	    .subdevice = TN_MGR_PCI_SUBDEVICE,
	    .bar0 = p->cfg->mgr_bar0_ipa,
	    .bar0_size = TN_MGR_BAR0_SIZE,
	    .bar2 = tn_sysconfig.load_ipa,
	    .bar2_size = tn_sysconfig.load_size,
	};
}

static enum mmio_result ecam_mmio(struct vcpu *v, void *arg, uint64_t off,
				  bool write, int size, uint64_t *value)
{
	struct partition *p = arg;
	struct chan_end *e = NULL;
	struct mgr *m = NULL;
	struct spinlock *lock;
	struct pci_view d;
	uint32_t reg = ECAM_REG(off), shift = 8 * (reg & 3);
	uint32_t mask = size == 4 ? ~0u : ((1u << (8 * size)) - 1) << shift;

	(void)v;
	if (size == 8 || off & (uint64_t)(size - 1))
		return MMIO_BAD_SIZE;
	if (!ECAM_FN(off)) {
		m = mgr_pci_function(p, ECAM_DEV(off));
		if (!m)
			e = channel_pci_end(p, ECAM_DEV(off));
	}
	if (!e && !m) {
		if (!write)
			*value = ~0ull; /* no function there */
		return MMIO_DONE;
	}
	lock = m ? mgr_lock(m) : &e->ch->lock;
	spin_lock(lock);
	if (m)
		view_of_manager(m, p, &d);
	else
		view_of_end(e, &d);
	if (!write)
		*value = (config_read(&d, reg & ~3u) & mask) >> shift;
	else if (config_write(&d, reg & ~3u, (uint32_t)*value << shift, mask) &&
		 e)
		channel_update_intx(e);
	spin_unlock(lock);
	return MMIO_DONE;
}

void pci_register(struct partition *p)
{
	mmio_region_register(p, tn_sysconfig.platform.pci_ecam_base,
			     tn_sysconfig.platform.pci_ecam_size, ecam_mmio, p,
			     NULL, "the PCI host bridge");
}
