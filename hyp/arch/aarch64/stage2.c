/*
 * Stage-2 translation: each partition's RAM mapped, in 2 MiB blocks, at
 * the IPA where the platform has RAM, and the devices it owns, page by
 * page, at their own addresses; nothing else. Every other access (devices
 * the hypervisor emulates, other partitions' memory, the hypervisor's)
 * faults to EL2.
 */
#include "hyp.h"

#define BLOCK_2M (2ul << 20)
#define GIB (1ul << 30)
#define S2_TABLE 0x3ul
#define S2_BLOCK_NORMAL                                      \
	0x7fdul /* block, normal WB, RW, inner shareable, AF \
		 */
/* Page, Device-nGnRE, RW, AF, execute-never. */
#define S2_PAGE_DEVICE (0x3ul | 0x1ul << 2 | 0x3ul << 6 | 1ul << 10 | 1ul << 54)
#define PAGE 4096ul

static uint64_t l1[TN_CFG_MAX_PARTITIONS][512] __attribute__((aligned(4096)));
static uint64_t l2[TN_CFG_MAX_PARTITIONS][4][512]
    __attribute__((aligned(4096)));
/* Devices: one page table per 2 MiB that holds one of them. */
static uint64_t l3[TN_CFG_MAX_PARTITIONS][TN_CFG_MAX_DEVICES][512]
    __attribute__((aligned(4096)));
static int l3_used[TN_CFG_MAX_PARTITIONS];

static void map_device(struct partition *p, const struct tn_cfg_device *d)
{
	int i = p->index;

	for (uint64_t pa = d->base; pa < d->base + d->size; pa += PAGE) {
		uint64_t g = pa / GIB, block = pa % GIB / BLOCK_2M, *entry;
		int t;

		if (g >= 4)
			hyp_panic("partition %s: device %s above 4 GiB",
				  p->cfg->name, d->name);
		l1[i][g] = (uint64_t)(uintptr_t)l2[i][g] | S2_TABLE;
		entry = &l2[i][g][block];
		if (!*entry) {
			t = l3_used[i]++;
			if (t >= TN_CFG_MAX_DEVICES)
				hyp_panic(
				    "partition %s: too many device regions",
				    p->cfg->name);
			*entry = (uint64_t)(uintptr_t)l3[i][t] | S2_TABLE;
		}
		((uint64_t *)(uintptr_t)(*entry &
					 ~0xffful))[pa % BLOCK_2M / PAGE] =
		    pa | S2_PAGE_DEVICE;
	}
}

void stage2_build(struct partition *p)
{
	const struct tn_cfg_partition *c = p->cfg;
	int i = p->index;

	for (uint64_t off = 0; off < c->ram_size; off += BLOCK_2M) {
		uint64_t ipa = c->ram_ipa + off, pa = c->ram_pa + off;
		uint64_t g = ipa / GIB;

		if (g >= 4)
			hyp_panic("partition %s: RAM above 4 GiB of IPA",
				  c->name);
		l1[i][g] = (uint64_t)(uintptr_t)l2[i][g] | S2_TABLE;
		l2[i][g][ipa % GIB / BLOCK_2M] = pa | S2_BLOCK_NORMAL;
	}
	for (uint32_t d = 0; d < c->ndevices; d++)
		map_device(p, &c->devices[d]);
	dsb(ish);
	p->vttbr = (uint64_t)(uintptr_t)l1[i] | (uint64_t)(i + 1) << 48;
}
