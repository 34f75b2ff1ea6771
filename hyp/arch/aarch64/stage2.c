/*
 * Stage-2 translation: each partition's RAM mapped, in 2 MiB blocks, at
 * the IPA where the platform has RAM; nothing else. Every other access
 * (devices it is given to emulate, other partitions' memory, the
 * hypervisor's) faults to EL2.
 */
#include "hyp.h"

#define BLOCK_2M (2ul << 20)
#define GIB (1ul << 30)
#define S2_TABLE 0x3ul
#define S2_BLOCK_NORMAL 0x7fdul /* block, normal WB, RW, inner shareable, AF */

static uint64_t l1[TN_CFG_MAX_PARTITIONS][512] __attribute__((aligned(4096)));
static uint64_t l2[TN_CFG_MAX_PARTITIONS][4][512] __attribute__((aligned(4096)));

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
	dsb(ish);
	p->vttbr = (uint64_t)(uintptr_t)l1[i] | (uint64_t)(i + 1) << 48;
}
