/*
 * The boot-time check of the compiled system description: the hypervisor
 * trusts nothing it was built with before any partition runs. Its own
 * image inside its RAM, that RAM and every partition's inside the
 * machine's and disjoint, every pristine copy in RAM nobody has, every
 * CPU in range and given once, every device clear of RAM and of what the
 * hypervisor keeps, every address the hypervisor and stage 2 can map,
 * every channel's region in RAM nobody has and its ends well formed.
 * tools/tenon-config refuses all of this already; a table it did not
 * make, or that was changed after it, must still not start.
 */
#include "hyp.h"

extern char _start[], __image_end[];

#define BLOCK_2M (2ul << 20)
#define PAGE 4096ul

static bool overlap(uint64_t a, uint64_t a_size, uint64_t b, uint64_t b_size)
{
	return a < b + b_size && b < a + a_size;
}

/* [base, base + size) non-empty, not wrapping, inside [lo, lo + len). */
static bool inside(uint64_t base, uint64_t size, uint64_t lo, uint64_t len)
{
	return size && base >= lo && base - lo <= len &&
	       size <= len - (base - lo);
}

#define refuse(fmt, ...)                                                       \
	hyp_panic("the built-in system table is wrong: " fmt "; not starting", \
		  ##__VA_ARGS__)

static void check_platform(const struct tn_sysconfig *t)
{
	const struct tn_cfg_platform *m = &t->platform;

	if (m->pa_bits < 32 || m->pa_bits > HYP_PA_BITS_MAX)
		refuse("pa_bits %u: the hypervisor maps 32 to %u bits",
		       m->pa_bits, HYP_PA_BITS_MAX);
	if (!inside(m->ram_base, m->ram_size, 0, 1ul << m->pa_bits) ||
	    m->ram_base % BLOCK_2M || m->ram_size % BLOCK_2M)
		refuse("RAM %#lx+%#lx is not 2 MiB blocks below 2^%u",
		       (unsigned long)m->ram_base, (unsigned long)m->ram_size,
		       m->pa_bits);
	if (m->gicd_size % PAGE || m->uart_size % PAGE || !m->gicr_stride ||
	    overlap(m->gicd_base, m->gicd_size, m->ram_base, m->ram_size) ||
	    overlap(m->gicr_base, m->gicr_stride * HYP_MAX_CPUS, m->ram_base,
		    m->ram_size) ||
	    overlap(m->uart_base, m->uart_size, m->ram_base, m->ram_size))
		refuse("the GIC or the UART is not in whole pages outside RAM");
	if (m->uart_intid < 32 || m->uart_intid >= VGIC_NR_IRQS ||
	    m->maintenance_ppi < 16 || m->maintenance_ppi >= 32 ||
	    m->vtimer_ppi < 16 || m->vtimer_ppi >= 32 || m->ptimer_ppi < 16 ||
	    m->ptimer_ppi >= 32 || m->pmu_ppi < 16 || m->pmu_ppi >= 32 ||
	    m->hyptimer_ppi < 16 || m->hyptimer_ppi >= 32)
		refuse("an interrupt of the platform is out of range");
}

static void check_hypervisor(const struct tn_sysconfig *t)
{
	const struct tn_cfg_platform *m = &t->platform;
	uint64_t start = (uint64_t)(uintptr_t)_start;
	uint64_t end = (uint64_t)(uintptr_t)__image_end;

	if (!inside(t->hyp_pa, t->hyp_size, m->ram_base, m->ram_size))
		refuse("the hypervisor's RAM %#lx+%#lx is not inside RAM",
		       (unsigned long)t->hyp_pa, (unsigned long)t->hyp_size);
	if (!inside(start, end - start, t->hyp_pa, t->hyp_size))
		refuse("the hypervisor's image %#lx-%#lx is not inside its RAM "
		       "%#lx+%#lx",
		       (unsigned long)start, (unsigned long)end,
		       (unsigned long)t->hyp_pa, (unsigned long)t->hyp_size);
	if (t->ncpus < 1 || t->ncpus > HYP_MAX_CPUS)
		refuse("%u CPUs: 1 to %d", t->ncpus, HYP_MAX_CPUS);
	if (t->console_cpu >= t->ncpus)
		refuse("console CPU %u, the machine has %u", t->console_cpu,
		       t->ncpus);
	if (t->npartitions < 1 || t->npartitions > TN_CFG_MAX_PARTITIONS)
		refuse("%u partitions: 1 to %d", t->npartitions,
		       TN_CFG_MAX_PARTITIONS);
}

/* Whether [pa, pa + size) is taken by the hypervisor or a partition. */
static const char *taken_by(const struct tn_sysconfig *t, uint64_t pa,
			    uint64_t size, uint32_t skip)
{
	if (overlap(pa, size, t->hyp_pa, t->hyp_size))
		return "the hypervisor";
	for (uint32_t i = 0; i < t->npartitions; i++)
		if (i != skip && overlap(pa, size, t->partitions[i].ram_pa,
					 t->partitions[i].ram_size))
			return t->partitions[i].name;
	return NULL;
}

static void check_partition(const struct tn_sysconfig *t, uint32_t i,
			    uint32_t *cpus_seen)
{
	const struct tn_cfg_partition *c = &t->partitions[i];
	const struct tn_cfg_platform *m = &t->platform;
	uint64_t ipa_limit = 1ul << m->pa_bits;
	const char *other;
	bool named = false;

	for (int k = 0; k < TN_CFG_NAME_MAX; k++)
		named |= c->name[k] == '\0';
	if (!named || !c->name[0])
		refuse("partition %u has no name", i);
	if (c->kind != TN_CFG_KIND_RTOS && c->kind != TN_CFG_KIND_LINUX)
		refuse("partition %s: kind %u", c->name, c->kind);
	if (c->ncpus < 1 || c->ncpus > TN_CFG_MAX_CPUS)
		refuse("partition %s: %u vCPUs", c->name, c->ncpus);
	for (uint32_t n = 0; n < c->ncpus; n++) {
		uint32_t cpu = c->cpus[n];

		if (cpu >= t->ncpus)
			refuse("partition %s: CPU %u, the machine has %u",
			       c->name, cpu, t->ncpus);
		if (*cpus_seen & 1u << cpu)
			refuse("partition %s: CPU %u is given twice", c->name,
			       cpu);
		*cpus_seen |= 1u << cpu;
	}

	if (!inside(c->ram_pa, c->ram_size, m->ram_base, m->ram_size) ||
	    c->ram_pa % BLOCK_2M || c->ram_size % BLOCK_2M)
		refuse("partition %s: RAM %#lx+%#lx is not 2 MiB blocks inside "
		       "RAM",
		       c->name, (unsigned long)c->ram_pa,
		       (unsigned long)c->ram_size);
	other = taken_by(t, c->ram_pa, c->ram_size, i);
	if (other)
		refuse("partition %s: RAM %#lx+%#lx overlaps %s's", c->name,
		       (unsigned long)c->ram_pa, (unsigned long)c->ram_size,
		       other);
	if (!inside(c->ram_ipa, c->ram_size, 0, ipa_limit) ||
	    c->ram_ipa % BLOCK_2M)
		refuse("partition %s: RAM seen at %#lx is beyond stage 2's "
		       "2^%u",
		       c->name, (unsigned long)c->ram_ipa, m->pa_bits);
	if (!inside(c->entry_ipa, 4, c->ram_ipa, c->ram_size) ||
	    !inside(c->dtb_ipa, c->dtb_room, c->ram_ipa, c->ram_size))
		refuse("partition %s: its entry or device tree is outside its "
		       "RAM",
		       c->name);

	if (c->ndevices > TN_CFG_MAX_DEVICES)
		refuse("partition %s: %u devices", c->name, c->ndevices);
	for (uint32_t d = 0; d < c->ndevices; d++) {
		const struct tn_cfg_device *dev = &c->devices[d];

		if (!inside(dev->base, dev->size, 0, ipa_limit) ||
		    dev->base % PAGE || dev->size % PAGE ||
		    overlap(dev->base, dev->size, m->ram_base, m->ram_size) ||
		    overlap(dev->base, dev->size, m->uart_base, m->uart_size) ||
		    overlap(dev->base, dev->size, m->gicd_base, m->gicd_size) ||
		    overlap(dev->base, dev->size, m->gicr_base,
			    m->gicr_stride * HYP_MAX_CPUS))
			refuse("partition %s: device %u at %#lx+%#lx is not "
			       "whole pages clear of RAM, the GIC and the UART",
			       c->name, d, (unsigned long)dev->base,
			       (unsigned long)dev->size);
		if (dev->irq && (dev->irq < 32 || dev->irq >= VGIC_NR_IRQS ||
				 dev->irq == m->uart_intid))
			refuse("partition %s: device %u has interrupt %u",
			       c->name, d, dev->irq);
	}

	for (int k = 0; k < TN_CFG_COPIES; k++) {
		const struct tn_cfg_copy *copy = &c->copies[k];

		if (!copy->pa)
			continue;
		if (!inside(copy->pa, copy->size, m->ram_base, m->ram_size) ||
		    !inside(copy->ipa, copy->size, c->ram_ipa, c->ram_size))
			refuse("partition %s: copy %d is outside RAM or "
			       "outside where it goes",
			       c->name, k);
		other =
		    taken_by(t, copy->pa, copy->size, TN_CFG_MAX_PARTITIONS);
		if (other)
			refuse("partition %s: copy %d at %#lx is in %s's RAM",
			       c->name, k, (unsigned long)copy->pa, other);
		for (uint32_t j = 0; j <= i; j++)
			for (int l = 0; l < TN_CFG_COPIES; l++) {
				const struct tn_cfg_copy *o =
				    &t->partitions[j].copies[l];

				if ((j < i || l < k) && o->pa &&
				    overlap(copy->pa, copy->size, o->pa,
					    o->size))
					refuse("partition %s: copy %d "
					       "overlaps another",
					       c->name, k);
			}
	}
}

/*
 * Channel i: its region a power of two of at least three pages in RAM
 * nobody has (nor another region), seen at an IPA aligned to it in the
 * platform's window; a writer then readers, each a partition once, its
 * doorbell an SPI the virtual GIC has, a Linux end's registers in the
 * BAR0 window, its own device number.
 */
static void check_channel(const struct tn_sysconfig *t, uint32_t i)
{
	const struct tn_cfg_channel *c = &t->channels[i];
	const struct tn_cfg_platform *m = &t->platform;
	uint64_t size = c->region_size;
	uint32_t seen = 0;

	if (!__builtin_memchr(c->name, 0, sizeof(c->name)))
		refuse("channel %u: its name is not terminated", i);
	if (size < 3 * PAGE || size & (size - 1) || size > (32ul << 20) ||
	    c->region_pa % PAGE || c->region_ipa % size ||
	    !inside(c->region_pa, size, m->ram_base, m->ram_size) ||
	    !inside(c->region_ipa, size, m->chan_ipa_base, m->chan_ipa_size) ||
	    taken_by(t, c->region_pa, size, ~0u))
		refuse("channel %s: region %#lx+%#lx at IPA %#lx is not a "
		       "power of two in RAM nobody has, aligned in the window",
		       c->name, (unsigned long)c->region_pa,
		       (unsigned long)size, (unsigned long)c->region_ipa);
	for (uint32_t j = 0; j < t->npartitions; j++)
		for (int k = 0; k < TN_CFG_COPIES; k++)
			if (t->partitions[j].copies[k].pa &&
			    overlap(c->region_pa, size,
				    t->partitions[j].copies[k].pa,
				    t->partitions[j].copies[k].size))
				refuse("channel %s: region overlaps a copy of "
				       "%s's",
				       c->name, t->partitions[j].name);
	for (uint32_t j = 0; j < i; j++)
		if (overlap(c->region_pa, size, t->channels[j].region_pa,
			    t->channels[j].region_size) ||
		    overlap(c->region_ipa, size, t->channels[j].region_ipa,
			    t->channels[j].region_size))
			refuse("channel %s: region overlaps %s's", c->name,
			       t->channels[j].name);
	if (c->nends < 2 || c->nends > TN_CFG_MAX_PARTITIONS)
		refuse("channel %s: %u ends", c->name, c->nends);
	for (uint32_t k = 0; k < c->nends; k++) {
		const struct tn_cfg_chan_end *e = &c->ends[k];

		if (e->partition >= t->npartitions ||
		    seen & 1u << e->partition || e->role != (k ? 2u : 1u) ||
		    e->intid < 32 || e->intid >= VGIC_NR_IRQS)
			refuse("channel %s: end %u is not a partition's once, "
			       "a writer first, with an SPI of 32..%d",
			       c->name, k, VGIC_NR_IRQS - 1);
		seen |= 1u << e->partition;
		if (t->partitions[e->partition].kind == TN_CFG_KIND_LINUX &&
		    (e->pci_dev >= 32 ||
		     !inside(e->bar0_ipa, PAGE, m->pci_bar0_base,
			     m->pci_bar0_size) ||
		     e->bar0_ipa % PAGE))
			refuse(
			    "channel %s: end %u: PCI device %u, registers at "
			    "%#lx, outside the bridge's",
			    c->name, k, e->pci_dev, (unsigned long)e->bar0_ipa);
	}
}

void table_check(const struct tn_sysconfig *t)
{
	uint32_t cpus_seen = 0;

	if (t->magic != TN_SYSCONFIG_MAGIC ||
	    t->version != TN_SYSCONFIG_VERSION)
		refuse("version %u, not %u: rebuild it", t->version,
		       TN_SYSCONFIG_VERSION);
	check_platform(t);
	check_hypervisor(t);
	for (uint32_t i = 0; i < t->npartitions; i++)
		check_partition(t, i, &cpus_seen);
	if (t->nchannels > TN_CFG_MAX_CHANNELS)
		refuse("%u channels: at most %d", t->nchannels,
		       TN_CFG_MAX_CHANNELS);
	for (uint32_t i = 0; i < t->nchannels; i++)
		check_channel(t, i);
}
