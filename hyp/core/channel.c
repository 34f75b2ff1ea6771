/*
 * Channels between partitions (tenon/channel_abi.h): the hypervisor's
 * part is small and never reads the region. At boot it zeroes each
 * region (a channel then survives either end's restart: its indices are
 * in the region) and maps it into every end, Normal non-cacheable, each
 * page writable only by the end that writes it: the writer's control
 * page and the data for the writer, the reader's control page for the
 * reader (a sample's readers write nothing). What crosses from one end
 * to the other otherwise is a doorbell: a real-time end rings with
 * TN_HC_CHANNEL_NOTIFY and is rung with an edge on its own SPI; a Linux
 * end is a PCI function (pci.c) whose BAR0 registers ring, and whose
 * INTx is rung, ISR & IMR & !(its command's Interrupt Disable).
 *
 * Locks: a channel's lock covers its ends' registers. A doorbell into
 * Linux takes no lock of Linux's: its INTx level is posted to Linux's
 * virtual GIC (vgic_post_level), so a real-time CPU never waits for a
 * Linux CPU that holds it; one into a real-time partition with direct
 * delivery takes none either. One into a real-time partition with a
 * virtual GIC takes that partition's lock, inside the channel's, never
 * the other way round.
 */
#include <errno.h>

#include "core/channel.h"
#include "core/mmio.h"
#include "tenon/channel_abi.h"

#define PCI_COMMAND_INTX_DISABLE (1u << 10)
#define PCI_BUS_DEVICES 32

static struct channel channels[TN_CFG_MAX_CHANNELS];
static uint32_t nchannels; /* set up so far */
static struct chan_end *pci_ends[TN_CFG_MAX_PARTITIONS][PCI_BUS_DEVICES];
/* Per partition, per channel: the end it rings from, or NULL. */
static struct chan_end *own_ends[TN_CFG_MAX_PARTITIONS][TN_CFG_MAX_CHANNELS];

static bool is_linux(const struct chan_end *e)
{
	return e->linux_end;
}

void channel_update_intx(struct chan_end *e)
{
	bool level = e->isr & e->imr & TN_CHAN_ISR_DOORBELL &&
		     !(e->pci.command & PCI_COMMAND_INTX_DISABLE);

	vgic_post_level(e->part, e->cfg->intid, level);
}

/* Under to's channel lock. */
static void ring_end(struct chan_end *to)
{
	to->rung++;
	if (is_linux(to)) {
		to->isr |= TN_CHAN_ISR_DOORBELL;
		channel_update_intx(to);
		return;
	}
	/* Direct delivery: the physical distributor, which needs no lock. */
	if (to->part->direct) {
		direct_raise(to->part, to->cfg->intid);
		return;
	}
	spin_lock(&to->part->lock);
	vgic_raise_edge(to->part, to->cfg->intid);
	spin_unlock(&to->part->lock);
}

/* The writer rings its readers; a reader, the writer. */
static void ring(struct chan_end *from)
{
	struct channel *ch = from->ch;

	from->rang++;
	if (from->cfg->role == TN_CHAN_WRITER)
		for (uint32_t i = 1; i < ch->cfg->nends; i++)
			ring_end(&ch->ends[i]);
	else
		ring_end(&ch->ends[0]);
}

int64_t channel_notify(struct vcpu *v, uint64_t id)
{
	struct chan_end *e;

	if (id >= nchannels)
		return -EINVAL;
	e = own_ends[v->part->index][id];
	if (!e)
		return -EINVAL;
	spin_lock(&e->ch->lock);
	ring(e);
	spin_unlock(&e->ch->lock);
	return 0;
}

/* The end the registers of e call "the peer". */
static const struct chan_end *peer_of(const struct chan_end *e)
{
	return e->cfg->role == TN_CHAN_WRITER ? &e->ch->ends[1]
					      : &e->ch->ends[0];
}

static uint32_t peer_state(const struct partition *p)
{
	switch (__atomic_load_n(&p->state, __ATOMIC_ACQUIRE)) {
	case PARTITION_RUNNING:
		return TN_CHAN_PEER_RUNNING;
	case PARTITION_RESETTING:
		return TN_CHAN_PEER_RESTARTING;
	default:
		return TN_CHAN_PEER_STOPPED;
	}
}

/* Word n (0..3) of a 16-byte name, little-endian as the bytes lie. */
static uint32_t name_word(const char *name, uint64_t n)
{
	const uint8_t *b = (const uint8_t *)name + 4 * n;

	return b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

static uint32_t bar0_read(struct chan_end *e, uint64_t off)
{
	const struct tn_cfg_channel *c = e->ch->cfg;
	const struct chan_end *peer = peer_of(e);
	uint64_t count;

	if (off >= TN_CHAN_REG_NAME && off < TN_CHAN_REG_NAME + 16)
		return name_word(c->name, (off - TN_CHAN_REG_NAME) / 4);
	if (off >= TN_CHAN_REG_PEER_NAME && off < TN_CHAN_REG_PEER_NAME + 16)
		return name_word(peer->part->cfg->name,
				 (off - TN_CHAN_REG_PEER_NAME) / 4);
	switch (off) {
	case TN_CHAN_REG_MAGIC:
		return TN_CHAN_MAGIC;
	case TN_CHAN_REG_VERSION:
		return TN_CHAN_ABI_VERSION;
	case TN_CHAN_REG_ID:
		return (uint32_t)(e->ch - channels);
	case TN_CHAN_REG_KIND:
		return c->kind;
	case TN_CHAN_REG_ROLE:
		return e->cfg->role;
	case TN_CHAN_REG_MSG_SIZE:
		return c->msg_size;
	case TN_CHAN_REG_DEPTH:
		return c->depth;
	case TN_CHAN_REG_REGION:
		return (uint32_t)c->region_size;
	case TN_CHAN_REG_VALIDITY:
		return c->validity_us;
	case TN_CHAN_REG_PEER_STATE:
		return peer_state(peer->part);
	case TN_CHAN_REG_PEER_RESTARTS:
		return (uint32_t)peer->part->restarts;
	case TN_CHAN_REG_ISR:
		return e->isr;
	case TN_CHAN_REG_IMR:
		return e->imr;
	case TN_CHAN_REG_FENCE:
		/*
		 * The caller's accesses before this load are complete, for
		 * every observer, before it gets its answer: what a user
		 * program without barrier instructions orders itself with.
		 */
		dsb(sy);
		return 0;
	case TN_CHAN_REG_COUNTER_LO:
		/* The virtual counter: CNTVOFF_EL2 is 0 for every partition. */
		isb();
		count = read_sysreg(cntvct_el0);
		e->counter_hi = (uint32_t)(count >> 32);
		return (uint32_t)count;
	case TN_CHAN_REG_COUNTER_HI:
		return e->counter_hi;
	case TN_CHAN_REG_FREQ:
		return (uint32_t)read_sysreg(cntfrq_el0);
	case TN_CHAN_REG_RANG:
		return e->rang;
	case TN_CHAN_REG_RUNG:
		return e->rung;
	}
	return 0; /* reserved: reads as zero */
}

/*
 * A Linux end's BAR0: 32-bit accesses only, within its 4 KiB (the next
 * BAR0 is 64 KiB on: nothing lies between). Writes only to the doorbell,
 * ISR and IMR; any other is refused and has no effect.
 */
static enum mmio_result bar0_mmio(struct vcpu *v, void *arg, uint64_t off,
				  bool write, int size, uint64_t *value)
{
	struct chan_end *e = arg;

	(void)v;
	if (size != 4 || off & 3)
		return MMIO_BAD_SIZE;
	if (!write) {
		*value = bar0_read(e, off);
		return MMIO_DONE;
	}
	switch (off) {
	case TN_CHAN_REG_DOORBELL:
		ring(e);
		return MMIO_DONE;
	case TN_CHAN_REG_ISR:
		e->isr &= ~((uint32_t)*value & TN_CHAN_ISR_DOORBELL);
		channel_update_intx(e);
		return MMIO_DONE;
	case TN_CHAN_REG_IMR:
		e->imr = (uint32_t)*value & TN_CHAN_ISR_DOORBELL;
		channel_update_intx(e);
		return MMIO_DONE;
	}
	return MMIO_READ_ONLY;
}

struct chan_end *channel_pci_end(struct partition *p, uint32_t dev)
{
	return dev < PCI_BUS_DEVICES ? pci_ends[p->index][dev] : NULL;
}

void channel_reset_partition(struct partition *p)
{
	for (uint32_t i = 0; i < nchannels; i++) {
		struct channel *ch = &channels[i];

		for (uint32_t k = 0; k < ch->cfg->nends; k++) {
			struct chan_end *e = &ch->ends[k];

			if (e->part != p)
				continue;
			spin_lock(&ch->lock);
			e->isr = e->imr = 0;
			e->rang = e->rung = 0;
			e->counter_hi = 0;
			e->pci = (struct pci_func){0};
			spin_unlock(&ch->lock);
		}
	}
}

/* Maps c's region into p, page 0 and the data writable iff `writer`. */
static void map_region(struct partition *p, const struct tn_cfg_channel *c,
		       uint32_t role)
{
	bool writer = role == TN_CHAN_WRITER;
	/* A sample's readers have no page to write. */
	bool reader_page = role == TN_CHAN_READER && c->kind != TN_CHAN_SAMPLE;

	stage2_map_shared(p, c->region_ipa + TN_CHAN_WRITER_PAGE,
			  c->region_pa + TN_CHAN_WRITER_PAGE, TN_CHAN_PAGE,
			  writer);
	stage2_map_shared(p, c->region_ipa + TN_CHAN_READER_PAGE,
			  c->region_pa + TN_CHAN_READER_PAGE, TN_CHAN_PAGE,
			  reader_page);
	stage2_map_shared(p, c->region_ipa + TN_CHAN_DATA,
			  c->region_pa + TN_CHAN_DATA,
			  c->region_size - TN_CHAN_DATA, writer);
}

void channel_init(void)
{
	bool has_pci[TN_CFG_MAX_PARTITIONS] = {false};

	for (uint32_t i = 0; i < tn_sysconfig.nchannels; i++) {
		const struct tn_cfg_channel *c = &tn_sysconfig.channels[i];
		struct channel *ch = &channels[i];

		ch->cfg = c;
		/* Once, at boot: neither end's restart clears it. */
		arch_zero_to_poc(c->region_pa, c->region_size);
		for (uint32_t k = 0; k < c->nends; k++) {
			struct chan_end *e = &ch->ends[k];
			struct partition *p = &partitions[c->ends[k].partition];

			e->ch = ch;
			e->part = p;
			e->cfg = &c->ends[k];
			e->linux_end = p->cfg->kind == TN_CFG_KIND_LINUX;
			if (!own_ends[p->index][i])
				own_ends[p->index][i] = e;
			map_region(p, c, e->cfg->role);
			if (!is_linux(e))
				continue;
			hyp_snprintf(e->what, sizeof(e->what),
				     "channel %s's registers", c->name);
			mmio_region_register(p, e->cfg->bar0_ipa,
					     TN_CHAN_BAR0_SIZE, bar0_mmio, e,
					     &ch->lock, e->what);
			pci_ends[p->index][e->cfg->pci_dev] = e;
			has_pci[p->index] = true;
		}
		nchannels = i + 1;
	}
	for (uint32_t i = 0; i < tn_sysconfig.npartitions; i++)
		if (has_pci[i] || partitions[i].cfg->mgr_bar0_ipa)
			pci_register(&partitions[i]);
}
