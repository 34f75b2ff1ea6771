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

/* A BAR's value: its address, or its size mask while being sized. */
static uint32_t bar(const struct chan_end *e, int n, uint64_t base,
		    uint64_t size, uint32_t flags)
{
	if (e->pci.sizing & 1u << n)
		return (uint32_t) ~(size - 1) | flags;
	return (uint32_t)base | flags;
}

static uint32_t config_read(const struct chan_end *e, uint32_t reg)
{
	const struct tn_cfg_channel *c = e->ch->cfg;
	uint32_t status;

	switch (reg) {
	case PCI_VENDOR_ID:
		return TN_CHAN_PCI_DEVICE << 16 | TN_CHAN_PCI_VENDOR;
	case PCI_COMMAND:
		status = e->isr & e->imr & TN_CHAN_ISR_DOORBELL
			     ? PCI_STATUS_INTERRUPT
			     : 0;
		return status << 16 | e->pci.command;
	case PCI_CLASS_REVISION:
		return TN_CHAN_PCI_CLASS << 8 | PCI_REVISION;
	case PCI_BAR0:
		return bar(e, 0, e->cfg->bar0_ipa, TN_CHAN_BAR0_SIZE, 0);
	case PCI_BAR2:
		return bar(e, 2, c->region_ipa, c->region_size,
			   PCI_BAR_PREFETCH);
	case PCI_SUBSYSTEM:
		return TN_CHAN_PCI_SUBDEVICE << 16 | TN_CHAN_PCI_SUBVENDOR;
	case PCI_INTERRUPT:
		return PCI_INTA << 8 | e->pci.intr_line;
	}
	return 0; /* header type 0, single function, nothing else */
}

/* A write of the bytes `mask` selects of the word at reg. */
static void config_write(struct chan_end *e, uint32_t reg, uint32_t value,
			 uint32_t mask)
{
	uint32_t word = (config_read(e, reg) & ~mask) | (value & mask);
	int n = reg == PCI_BAR0 ? 0 : 2;

	switch (reg) {
	case PCI_COMMAND:
		if (!(mask & 0xffff))
			return; /* status: nothing in it to clear */
		e->pci.command = (uint16_t)(word & PCI_COMMAND_WRITABLE);
		channel_update_intx(e);
		return;
	case PCI_BAR0:
	case PCI_BAR2: {
		uint32_t size = reg == PCI_BAR0
				    ? TN_CHAN_BAR0_SIZE
				    : (uint32_t)e->ch->cfg->region_size;
		uint32_t addr_bits = ~(size - 1);

		/* All the address bits set: sizing. Anything else: done. */
		if ((word & addr_bits) == addr_bits)
			e->pci.sizing |= (uint8_t)(1u << n);
		else
			e->pci.sizing &= (uint8_t) ~(1u << n);
		return;
	}
	case PCI_INTERRUPT:
		if (mask & 0xff)
			e->pci.intr_line = (uint8_t)word;
		return;
	}
}

static enum mmio_result ecam_mmio(struct vcpu *v, void *arg, uint64_t off,
				  bool write, int size, uint64_t *value)
{
	struct partition *p = arg;
	struct chan_end *e;
	uint32_t reg = ECAM_REG(off), shift = 8 * (reg & 3);
	uint32_t mask = size == 4 ? ~0u : ((1u << (8 * size)) - 1) << shift;

	(void)v;
	if (size == 8 || off & (uint64_t)(size - 1))
		return MMIO_BAD_SIZE;
	e = ECAM_FN(off) ? NULL : channel_pci_end(p, ECAM_DEV(off));
	if (!e) {
		if (!write)
			*value = ~0ull; /* no function there */
		return MMIO_DONE;
	}
	spin_lock(&e->ch->lock);
	if (write)
		config_write(e, reg & ~3u, (uint32_t)*value << shift, mask);
	else
		*value = (config_read(e, reg & ~3u) & mask) >> shift;
	spin_unlock(&e->ch->lock);
	return MMIO_DONE;
}

void pci_register(struct partition *p)
{
	mmio_region_register(p, tn_sysconfig.platform.pci_ecam_base,
			     tn_sysconfig.platform.pci_ecam_size, ecam_mmio, p,
			     NULL, "the PCI host bridge");
}
