/*
 * The MMIO registry (mmio.h): each partition's emulated devices as
 * regions, registered at boot and never removed, so a lookup needs no
 * lock of its own; each access is made under the region's lock. A
 * partition has few regions (the GIC's two, the UART, the PCI host
 * bridge, a channel's registers each), so the lookup is a scan.
 */
#include "hyp.h"
#include "core/mmio.h"

/* GICD, GICR, UART, the ECAM, and one BAR0 per channel end. */
#define MMIO_MAX (4 + TN_CFG_MAX_CHANNELS)

static struct mmio_region regions[TN_CFG_MAX_PARTITIONS][MMIO_MAX];
static int nregions[TN_CFG_MAX_PARTITIONS];

void mmio_region_register(struct partition *p, uint64_t base, uint64_t size,
			  mmio_handler handler, void *arg,
			  struct spinlock *lock, const char *what)
{
	int n = nregions[p->index];

	for (int i = 0; i < n; i++) {
		const struct mmio_region *r = &regions[p->index][i];

		if (base < r->base + r->size && r->base < base + size)
			hyp_panic("partition %s: %s at %#lx overlaps %s",
				  p->cfg->name, what, (unsigned long)base,
				  r->what);
	}
	if (n == MMIO_MAX)
		hyp_panic("partition %s: more than %d emulated devices",
			  p->cfg->name, MMIO_MAX);
	regions[p->index][n] = (struct mmio_region){
	    .base = base,
	    .size = size,
	    .handler = handler,
	    .arg = arg,
	    .lock = lock,
	    .what = what,
	};
	nregions[p->index] = n + 1;
}

enum mmio_result mmio_dispatch(struct vcpu *v, uint64_t ipa, bool write,
			       int size, uint64_t *value, const char **what)
{
	struct partition *p = v->part;
	enum mmio_result ret;

	for (int i = 0; i < nregions[p->index]; i++) {
		const struct mmio_region *r = &regions[p->index][i];

		if (ipa < r->base || ipa - r->base >= r->size)
			continue;
		*what = r->what;
		if (r->lock)
			spin_lock(r->lock);
		ret = r->handler(v, r->arg, ipa - r->base, write, size, value);
		if (r->lock)
			spin_unlock(r->lock);
		return ret;
	}
	*what = NULL;
	return MMIO_NOT_MINE;
}
