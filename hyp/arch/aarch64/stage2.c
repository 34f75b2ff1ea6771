/*
 * Translation: the hypervisor's own (EL2 stage 1) and each partition's
 * stage 2, 4 KiB granule, from level 1, as many address bits as the
 * machine's RAM needs (the table's pa_bits, at most 39), the output size
 * from what the CPU implements (ID_AA64MMFR0_EL1.PARange).
 *
 * EL2 maps only what it touches, identity: its image write-xor-execute
 * (text read-only executable, rodata read-only, data and BSS read-write,
 * never executable), with an unmapped page under each CPU's stack; each
 * partition's RAM and the pristine copies read-write, never executable;
 * the GIC and the UART as Device-nGnRE. A stray pointer, a stack overflow
 * or a jump into data faults instead of going on.
 *
 * Stage 2 maps a partition's RAM, in 1 GiB or 2 MiB blocks, at the IPA
 * where the platform has RAM, and the devices it owns, page by page, at
 * their own addresses; nothing else. Every other access (devices the
 * hypervisor emulates, other partitions' memory, the hypervisor's)
 * faults to EL2.
 */
#include "hyp.h"

#define PAGE 4096ul
#define BLOCK_2M (2ul << 20)
#define GIB (1ul << 30)
#define ENTRIES 512

#define DESC_TABLE 0x3ul
#define DESC_BLOCK 0x1ul
#define DESC_PAGE 0x3ul
#define DESC_AF (1ul << 10)
#define DESC_SH_INNER (3ul << 8)
#define DESC_XN (1ul << 54)
#define DESC_ADDR 0x0000fffffffff000ul

/* EL2 stage 1: MAIR_EL2 attr0 Normal write-back, attr1 Device-nGnRE. */
#define MAIR_EL2_VALUE 0x04fful
#define S1_NORMAL (0ul << 2 | DESC_SH_INNER | DESC_AF)
#define S1_DEVICE (1ul << 2 | DESC_AF | DESC_XN)
#define S1_AP_RW (1ul << 6) /* AP[1] is RES1 at EL2 */
#define S1_AP_RO (3ul << 6)
#define S1_TEXT (S1_NORMAL | S1_AP_RO)
#define S1_RODATA (S1_NORMAL | S1_AP_RO | DESC_XN)
#define S1_DATA (S1_NORMAL | S1_AP_RW | DESC_XN)

/* Stage 2: Normal write-back RW, or Device-nGnRE RW execute-never. */
#define S2_NORMAL (0xful << 2 | 3ul << 6 | DESC_SH_INNER | DESC_AF)
/*
 * Partition RAM no incarnation has written since its last scrub (or boot):
 * read-only, S2_CLEAN (a bit for software) set; DBM too with FEAT_HAFDBS
 * (stage2_ram_mark() below).
 */
#define S2_DBM (1ul << 51)
#define S2_CLEAN (1ul << 55)
#define S2_RAM_CLEAN \
	(0xful << 2 | 1ul << 6 | DESC_SH_INNER | DESC_AF | S2_CLEAN)
#define S2_DEVICE (0x1ul << 2 | 3ul << 6 | DESC_AF | DESC_XN)
/*
 * A channel's region: MemAttr 0b0101, Normal outer and inner
 * non-cacheable, whatever the guest's own tables say (the stage-1 and
 * stage-2 attributes combine to the weaker), so both ends agree without
 * depending on each other; outer shareable, as non-cacheable memory is;
 * S2AP read-only or read-write.
 */
#define S2_SHARED_RO (0x5ul << 2 | 1ul << 6 | 2ul << 8 | DESC_AF | DESC_XN)
#define S2_SHARED_RW (0x5ul << 2 | 3ul << 6 | 2ul << 8 | DESC_AF | DESC_XN)

extern char _start[], __text_end[], __rodata_end[], __image_end[];

/*
 * Every table below level 1 comes from one pool: what a system needs
 * depends on where its RAM is, not on how many partitions it has.
 */
#define POOL_TABLES 64
static uint64_t pool[POOL_TABLES][ENTRIES] __attribute__((aligned(PAGE)));
static int pool_used;
static uint64_t el2_l1[ENTRIES] __attribute__((aligned(PAGE)));
static uint64_t s2_l1[TN_CFG_MAX_PARTITIONS][ENTRIES]
    __attribute__((aligned(PAGE)));

static uint64_t hyp_ttbr, hyp_tcr, hyp_vtcr;

/* FEAT_HAFDBS with dirty state (ID_AA64MMFR1_EL1.HAFDBS 2): stage2_ram_mark().
 */
bool stage2_hw_dirty(void)
{
	return (read_sysreg(id_aa64mmfr1_el1) & 0xf) >= 2;
}

void hyp_mmu_switch(uint64_t ttbr, uint64_t tcr, uint64_t mair);

static uint64_t *new_table(const char *what)
{
	if (pool_used == POOL_TABLES)
		hyp_panic("no page table left for %s (%d in all): give "
			  "partitions RAM in fewer pieces",
			  what, POOL_TABLES);
	return pool[pool_used++];
}

/* The table an entry points to, made if it is empty. */
static uint64_t *next_level(uint64_t *entry, const char *what)
{
	if (!*entry)
		*entry = (uint64_t)(uintptr_t)new_table(what) | DESC_TABLE;
	else if ((*entry & 3) != DESC_TABLE)
		hyp_panic("%s: a range is mapped twice", what);
	return (uint64_t *)(uintptr_t)(*entry & DESC_ADDR);
}

/*
 * Maps [va, va + size) to pa with `attr`, in the largest blocks both
 * addresses allow; every address and size is a multiple of 4 KiB.
 * Ranges given twice must agree in their attributes: they are mapped
 * again, not merged.
 */
static void map(uint64_t *l1, uint64_t va, uint64_t pa, uint64_t size,
		uint64_t attr, const char *what)
{
	while (size) {
		uint64_t *l1e = &l1[va / GIB % ENTRIES], *l2, *l2e, *l3;

		if (va % GIB == 0 && pa % GIB == 0 && size >= GIB && !*l1e) {
			*l1e = pa | attr | DESC_BLOCK;
			va += GIB, pa += GIB, size -= GIB;
			continue;
		}
		l2 = next_level(l1e, what);
		l2e = &l2[va % GIB / BLOCK_2M];
		if (va % BLOCK_2M == 0 && pa % BLOCK_2M == 0 &&
		    size >= BLOCK_2M && !*l2e) {
			*l2e = pa | attr | DESC_BLOCK;
			va += BLOCK_2M, pa += BLOCK_2M, size -= BLOCK_2M;
			continue;
		}
		l3 = next_level(l2e, what);
		l3[va % BLOCK_2M / PAGE] = pa | attr | DESC_PAGE;
		va += PAGE, pa += PAGE, size -= PAGE;
	}
}

static uint64_t round_down(uint64_t v, uint64_t a)
{
	return v & ~(a - 1);
}

static uint64_t round_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static void map_el2(uint64_t base, uint64_t end, uint64_t attr,
		    const char *what)
{
	base = round_down(base, PAGE);
	end = round_up(end, PAGE);
	if (end > base)
		map(el2_l1, base, base, end - base, attr, what);
}

/* The PA size TCR_EL2.PS / VTCR_EL2.PS give: PARange, at most 48 bits. */
static uint64_t output_size(uint32_t pa_bits)
{
	static const uint8_t bits[] = {32, 36, 40, 42, 44, 48};
	uint64_t parange = read_sysreg(id_aa64mmfr0_el1) & 0xf;

	if (parange >= sizeof(bits))
		parange = sizeof(bits) - 1;
	if (bits[parange] < pa_bits)
		hyp_panic("the system needs %u-bit physical addresses; this "
			  "CPU has %u",
			  pa_bits, bits[parange]);
	return parange;
}

void hyp_mmu_init(void)
{
	const struct tn_sysconfig *t = &tn_sysconfig;
	const struct tn_cfg_platform *m = &t->platform;
	uint64_t start = (uint64_t)(uintptr_t)_start;
	uint64_t stacks = (uint64_t)(uintptr_t)hyp_stacks;
	uint64_t stacks_end = (uint64_t)(uintptr_t)(hyp_stacks + HYP_MAX_CPUS);
	uint64_t ps = output_size(m->pa_bits), t0sz = 64 - m->pa_bits;

	map_el2(start, (uint64_t)(uintptr_t)__text_end, S1_TEXT,
		"the hypervisor's text");
	map_el2((uint64_t)(uintptr_t)__text_end,
		(uint64_t)(uintptr_t)__rodata_end, S1_RODATA,
		"the hypervisor's rodata");
	map_el2((uint64_t)(uintptr_t)__rodata_end, stacks, S1_DATA,
		"the hypervisor's data");
	/* Each CPU's stack, above its guard page (hyp.h). */
	for (int cpu = 0; cpu < HYP_MAX_CPUS; cpu++) {
		uint64_t base = (uint64_t)(uintptr_t)hyp_stacks[cpu].stack;

		map_el2(base, base + sizeof(hyp_stacks[cpu].stack), S1_DATA,
			"the hypervisor's stacks");
	}
	map_el2(stacks_end, (uint64_t)(uintptr_t)__image_end, S1_DATA,
		"the hypervisor's data");

	map_el2(m->gicd_base, m->gicd_base + m->gicd_size, S1_DEVICE,
		"the GIC distributor");
	map_el2(m->gicr_base, m->gicr_base + m->gicr_stride * t->ncpus,
		S1_DEVICE, "the GIC redistributors");
	map_el2(m->uart_base, m->uart_base + m->uart_size, S1_DEVICE,
		"the UART");
	/* Only to zero them at boot: EL2 never reads them. */
	for (uint32_t i = 0; i < t->nchannels; i++)
		map_el2(t->channels[i].region_pa,
			t->channels[i].region_pa + t->channels[i].region_size,
			S1_DATA, "a channel's region");
	/* Read to check a loaded image, and copied from. */
	if (t->load_size)
		map_el2(t->load_pa, t->load_pa + t->load_size, S1_DATA,
			"the load window");
	for (uint32_t i = 0; i < t->npartitions; i++) {
		const struct tn_cfg_partition *c = &t->partitions[i];

		map_el2(c->ram_pa, c->ram_pa + c->ram_size, S1_DATA, c->name);
		for (int k = 0; k < TN_CFG_COPIES; k++)
			if (c->copies[k].pa)
				map_el2(round_down(c->copies[k].pa, BLOCK_2M),
					c->copies[k].pa + c->copies[k].size,
					S1_DATA, "a pristine copy");
	}
	dsb(ishst);

	hyp_ttbr = (uint64_t)(uintptr_t)el2_l1;
	/* RES1 bits 31 and 23; 4 KiB; inner shareable, write-back walks. */
	hyp_tcr = 1ul << 31 | 1ul << 23 | ps << 16 | 3ul << 12 | 1ul << 10 |
		  1ul << 8 | t0sz;
	/* RES1 bit 31; start at level 1 (SL0 1); the rest as TCR_EL2. */
	hyp_vtcr = 1ul << 31 | ps << 16 | 3ul << 12 | 1ul << 10 | 1ul << 8 |
		   1ul << 6 | t0sz;
	/*
	 * FEAT_HAFDBS (ID_AA64MMFR1_EL1.HAFDBS 2): the CPU marks a block
	 * with DBM set writable on its first write, no fault (VTCR_EL2.HA
	 * and HD; every descriptor has AF set already).
	 */
	if (stage2_hw_dirty())
		hyp_vtcr |= 1ul << 21 | 1ul << 22;
}

void hyp_mmu_enable(void)
{
	hyp_mmu_switch(hyp_ttbr, hyp_tcr, MAIR_EL2_VALUE);
}

uint64_t stage2_vtcr(void)
{
	return hyp_vtcr;
}

void stage2_build(struct partition *p)
{
	const struct tn_cfg_partition *c = p->cfg;
	uint64_t *l1 = s2_l1[p->index];

	/*
	 * RAM in 2 MiB blocks, each its own descriptor, so that a restart
	 * can tell which it must scrub (below). At boot a block is clean but
	 * where the loader put an image: no incarnation has written it yet
	 * (it holds what the machine started with).
	 */
	p->ram_tracked = !(c->ram_ipa % BLOCK_2M) && !(c->ram_pa % BLOCK_2M) &&
			 !(c->ram_size % BLOCK_2M);
	if (p->ram_tracked) {
		for (uint64_t off = 0; off < c->ram_size; off += BLOCK_2M)
			map(l1, c->ram_ipa + off, c->ram_pa + off, BLOCK_2M,
			    S2_RAM_CLEAN | (stage2_hw_dirty() ? S2_DBM : 0),
			    c->name);
		for (int k = 0; k < TN_CFG_COPIES; k++)
			if (c->copies[k].pa &&
			    c->copies[k].ipa - c->ram_ipa < c->ram_size)
				stage2_ram_mark(p,
						c->copies[k].ipa - c->ram_ipa,
						c->copies[k].size, false);
	} else {
		map(l1, c->ram_ipa, c->ram_pa, c->ram_size, S2_NORMAL, c->name);
	}
	for (uint32_t d = 0; d < c->ndevices; d++)
		map(l1, c->devices[d].base, c->devices[d].base,
		    c->devices[d].size, S2_DEVICE, c->name);
	dsb(ish);
	p->vttbr = (uint64_t)(uintptr_t)l1 | (uint64_t)(p->index + 1) << 48;
}

void stage2_map_shared(struct partition *p, uint64_t ipa, uint64_t pa,
		       uint64_t size, bool writable)
{
	map(s2_l1[p->index], ipa, pa, size,
	    writable ? S2_SHARED_RW : S2_SHARED_RO, p->cfg->name);
	dsb(ish);
}

/* S2AP[1]: the guest may write. */
#define S2_AP_WRITE (2ul << 6)

static uint64_t *leaf(uint64_t *l1, uint64_t va, uint64_t *span)
{
	uint64_t *e = &l1[va / GIB % ENTRIES];

	*span = GIB;
	if ((*e & 3) == DESC_TABLE) {
		e = (uint64_t *)(uintptr_t)(*e & DESC_ADDR) +
		    va % GIB / BLOCK_2M;
		*span = BLOCK_2M;
		if ((*e & 3) == DESC_TABLE) {
			e = (uint64_t *)(uintptr_t)(*e & DESC_ADDR) +
			    va % BLOCK_2M / PAGE;
			*span = PAGE;
		}
	}
	return e;
}

/*
 * A partition's CPU that no interrupt reaches any more (direct delivery:
 * direct.c says how) is taken back through its memory: its root table's
 * entries go (kept here), and once every TLB has forgotten them its next
 * instruction fetch or access faults to EL2, where hyp_guest_exit() sees
 * the partition revoked and lets the vCPU halt. The reset puts them
 * back, before anything walks the tables again.
 */
static uint64_t revoked_root[TN_CFG_MAX_PARTITIONS][ENTRIES];

void stage2_revoke(struct partition *p)
{
	uint64_t *l1 = s2_l1[p->index];

	if (p->revoked)
		return;
	__atomic_store_n(&p->revoked, true, __ATOMIC_RELEASE);
	for (int i = 0; i < ENTRIES; i++) {
		revoked_root[p->index][i] = l1[i];
		__atomic_store_n(&l1[i], 0, __ATOMIC_RELAXED);
	}
	dsb(ishst);
	arch_tlb_flush_vmid(p);
}

void stage2_restore(struct partition *p)
{
	uint64_t *l1 = s2_l1[p->index];

	if (!p->revoked)
		return;
	/* From invalid to valid: no TLB holds an invalid entry. */
	for (int i = 0; i < ENTRIES; i++)
		__atomic_store_n(&l1[i], revoked_root[p->index][i],
				 __ATOMIC_RELAXED);
	dsb(ish);
	isb();
	__atomic_store_n(&p->revoked, false, __ATOMIC_RELEASE);
}

void stage2_set_writable(struct partition *p, uint64_t ipa, uint64_t size,
			 bool writable)
{
	uint64_t va = ipa, end = ipa + size, span;

	while (va < end) {
		uint64_t *e = leaf(s2_l1[p->index], va, &span);

		if (*e & 1) {
			uint64_t d =
			    writable ? *e | S2_AP_WRITE : *e & ~S2_AP_WRITE;

			/* A permission change alone needs no break first. */
			__atomic_store_n(e, d, __ATOMIC_RELAXED);
		}
		va = (va & ~(span - 1)) + span;
	}
	dsb(ishst);
	arch_tlb_flush_vmid(p);
}

/*
 * What a partition's RAM holds that its incarnation wrote, block by
 * block, in the blocks' descriptors themselves:
 * - clean: zeroed and cleaned to the point of coherency at the last
 *   scrub, mapped read-only with S2_CLEAN (a bit for software) set. Its
 *   first write faults to EL2, which makes the block writable
 *   (stage2_note_write()); with FEAT_HAFDBS, DBM is set as well and the
 *   CPU makes the block writable itself, without a fault.
 * - written: anything else (writable, or read-only for another reason).
 * Only the hypervisor writes a partition's RAM otherwise (a restart's
 * copies), and it marks what it writes. A device that writes memory by
 * DMA would bypass stage 2: no partition is given one (the platform's
 * devices are a clock and a GPIO).
 */
/* Changes bits of a live descriptor that others may change too. */
static void desc_update(uint64_t *e, uint64_t clear, uint64_t set)
{
	uint64_t old = __atomic_load_n(e, __ATOMIC_RELAXED);

	while (!__atomic_compare_exchange_n(e, &old, (old & ~clear) | set, true,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

/* The descriptor of p's RAM block at off, or NULL if it is not one. */
static uint64_t *find_ram_block(struct partition *p, uint64_t off)
{
	uint64_t span, *e = leaf(s2_l1[p->index], p->cfg->ram_ipa + off, &span);

	return span == BLOCK_2M && (*e & 3) == DESC_BLOCK ? e : NULL;
}

static uint64_t *ram_block(struct partition *p, uint64_t off)
{
	uint64_t *e = find_ram_block(p, off);

	if (!e)
		hyp_panic("partition %s: RAM at +%#lx is not a 2 MiB block",
			  p->cfg->name, (unsigned long)off);
	return e;
}

bool stage2_ram_written(struct partition *p, uint64_t off)
{
	uint64_t d;

	if (!p->ram_tracked)
		return true;
	d = __atomic_load_n(ram_block(p, off), __ATOMIC_RELAXED);
	return (d & S2_AP_WRITE) || !(d & S2_CLEAN);
}

void stage2_ram_mark(struct partition *p, uint64_t off, uint64_t size,
		     bool clean)
{
	if (!p->ram_tracked)
		return;
	for (uint64_t b = round_down(off, BLOCK_2M); b < off + size;
	     b += BLOCK_2M) {
		if (clean)
			desc_update(ram_block(p, b), S2_AP_WRITE,
				    S2_CLEAN |
					(stage2_hw_dirty() ? S2_DBM : 0));
		else
			desc_update(ram_block(p, b), S2_CLEAN | S2_DBM,
				    S2_AP_WRITE);
	}
	/* The caller flushes the VMID's TLB entries before it runs again. */
	dsb(ishst);
}

bool stage2_note_write(struct vcpu *v, uint64_t ipa)
{
	struct partition *p = v->part;
	const struct tn_cfg_partition *c = p->cfg;
	uint64_t d, *e;

	if (!p->ram_tracked || ipa < c->ram_ipa ||
	    ipa - c->ram_ipa >= c->ram_size)
		return false;
	/* Not found: its memory is being revoked (stage2_revoke()) now. */
	e = find_ram_block(p, round_down(ipa - c->ram_ipa, BLOCK_2M));
	if (!e)
		return false;
	d = __atomic_load_n(e, __ATOMIC_RELAXED);
	if (d & S2_CLEAN) {
		desc_update(e, S2_CLEAN | S2_DBM, S2_AP_WRITE);
		__atomic_add_fetch(&p->first_writes, 1, __ATOMIC_RELAXED);
	} else if (!(d & S2_AP_WRITE))
		return false; /* read-only for a reason of its own */
	/*
	 * Writable now (by this CPU, or another of p's first): this CPU's
	 * TLB may still hold the read-only entry, stage 2 alone or combined
	 * with stage 1. A permission made wider needs no broadcast: another
	 * CPU that faults on its own stale entry comes here too.
	 */
	__asm__ volatile("dsb ishst\n\t"
			 "tlbi ipas2e1, %0\n\t"
			 "dsb nsh\n\t"
			 "tlbi vmalle1\n\t"
			 "dsb nsh\n\t"
			 "isb" ::"r"(ipa >> 12)
			 : "memory");
	return true;
}
