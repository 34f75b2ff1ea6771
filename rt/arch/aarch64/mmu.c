/*
 * The final translation tables: the low 1 GiB as devices, RAM as normal
 * memory in 2 MiB blocks, and at the top of RAM an arena of 4 KiB pages
 * where thread stacks live, each above an unmapped guard page so that an
 * overflow faults at once instead of corrupting its neighbour; channels'
 * regions Normal non-cacheable, in 2 MiB blocks or 4 KiB pages as their
 * size and alignment allow. Addresses are identity-mapped; anything
 * outside RAM, devices and channels faults.
 */
#include "arch/aarch64/aarch64.h"

#define L1_ENTRIES 4 /* 4 GiB of VA */
#define GIB (1ul << 30)
#define BLOCK_2M (2ul << 20)
#define ARENA_MAX (16ul << 20)
#define ARENA_PAGES (ARENA_MAX / PAGE_SIZE)

#define DESC_TABLE 0x3ul
#define DESC_BLOCK 0x1ul
#define DESC_PAGE 0x3ul
#define ATTR_NORMAL 0x700ul		 /* AttrIndx 0, inner shareable, AF */
#define ATTR_DEVICE 0x0060000000000404ul /* AttrIndx 1, AF, XN */
#define ATTR_NC 0x0060000000000708ul /* AttrIndx 2, inner shareable, AF, XN */
#define NC_TABLES 8		     /* 4 KiB-page tables for channels */

extern uint64_t aarch64_ttbr0;

static uint64_t l1[512] __attribute__((aligned(4096)));
static uint64_t l2[L1_ENTRIES][512] __attribute__((aligned(4096)));
static uint64_t l3[ARENA_MAX / BLOCK_2M][512] __attribute__((aligned(4096)));

/* The low 1 GiB once a channel's region lies in it; tables for pages. */
static uint64_t l2_low[512] __attribute__((aligned(4096)));
static uint64_t l3_nc[NC_TABLES][512] __attribute__((aligned(4096)));
static int l3_nc_used;

/* Channels' regions, mapped by mmu_init() once RAM is. */
static struct {
	uintptr_t base;
	size_t size;
} nc_regions[TN_CHANNELS_MAX];
static int nc_count;

static uintptr_t arena_base;
static size_t arena_pages;
static uint64_t arena_used[ARENA_PAGES / 64];
static struct {
	uint32_t next, owner;
} arena_lock;

static unsigned long lock_arena(void)
{
	unsigned long flags = arch_irq_save();
	uint32_t ticket =
	    __atomic_fetch_add(&arena_lock.next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&arena_lock.owner, __ATOMIC_ACQUIRE) != ticket)
		__asm__ volatile("yield");
	return flags;
}

static void unlock_arena(unsigned long flags)
{
	__atomic_store_n(&arena_lock.owner, arena_lock.owner + 1,
			 __ATOMIC_RELEASE);
	arch_irq_restore(flags);
}

static uint64_t *arena_pte(size_t page)
{
	return &l3[page / 512][page % 512];
}

int mmu_map_nc(uintptr_t base, size_t size)
{
	size_t pages_needed = 0;

	if ((base | size) & (PAGE_SIZE - 1) || !size ||
	    base + size > L1_ENTRIES * GIB || base + size < base)
		return -EINVAL;
	if (nc_count == TN_CHANNELS_MAX)
		return -ENOMEM;
	/* Every 2 MiB block it covers only in part takes a page table. */
	for (uintptr_t a = base & ~(BLOCK_2M - 1); a < base + size;
	     a += BLOCK_2M)
		if (a < base || a + BLOCK_2M > base + size)
			pages_needed++;
	for (int i = 0; i < nc_count; i++)
		for (uintptr_t a = nc_regions[i].base & ~(BLOCK_2M - 1);
		     a < nc_regions[i].base + nc_regions[i].size; a += BLOCK_2M)
			if (a < nc_regions[i].base ||
			    a + BLOCK_2M >
				nc_regions[i].base + nc_regions[i].size)
				pages_needed++;
	if (pages_needed > NC_TABLES)
		return -ENOMEM;
	nc_regions[nc_count].base = base;
	nc_regions[nc_count].size = size;
	nc_count++;
	return 0;
}

/* The level-2 table of GiB g, made from its block mapping if need be. */
static uint64_t *table_of_gib(size_t g)
{
	if (g == 0) {
		if ((l1[0] & 3) != DESC_TABLE) {
			for (size_t i = 0; i < 512; i++)
				l2_low[i] =
				    (i * BLOCK_2M) | DESC_BLOCK | ATTR_DEVICE;
			l1[0] = (uint64_t)(uintptr_t)l2_low | DESC_TABLE;
		}
		return l2_low;
	}
	if ((l1[g] & 3) != DESC_TABLE)
		l1[g] = (uint64_t)(uintptr_t)l2[g] | DESC_TABLE;
	return l2[g];
}

/* The page table of the 2 MiB block at a, split from its block. */
static uint64_t *table_of_block(uint64_t *l2e, uintptr_t a)
{
	uint64_t old = *l2e, *t;

	if ((old & 3) == DESC_TABLE)
		return (uint64_t *)(uintptr_t)(old & 0x0000fffffffff000ul);
	t = l3_nc[l3_nc_used++]; /* counted by mmu_map_nc() */
	for (size_t p = 0; p < 512; p++)
		t[p] = (old & 1) ? (a + p * PAGE_SIZE) | DESC_PAGE |
				       (old & 0xfff0000000000ffcul)
				 : 0;
	*l2e = (uint64_t)(uintptr_t)t | DESC_TABLE;
	return t;
}

static void map_nc(uintptr_t base, size_t size)
{
	for (uintptr_t a = base & ~(BLOCK_2M - 1); a < base + size;
	     a += BLOCK_2M) {
		uint64_t *l2t = table_of_gib(a / GIB);
		uint64_t *l2e = &l2t[a % GIB / BLOCK_2M];

		if (a >= base && a + BLOCK_2M <= base + size) {
			*l2e = a | DESC_BLOCK | ATTR_NC;
			continue;
		}
		uint64_t *t = table_of_block(l2e, a);

		for (uintptr_t p = a; p < a + BLOCK_2M; p += PAGE_SIZE)
			if (p >= base && p < base + size)
				t[(p - a) / PAGE_SIZE] =
				    p | DESC_PAGE | ATTR_NC;
	}
}

void mmu_init(uintptr_t ram_base, size_t ram_size)
{
	uintptr_t ram_end = (ram_base + ram_size) & ~(BLOCK_2M - 1);
	size_t arena_size = ram_size / 4 & ~(BLOCK_2M - 1);

	if (arena_size > ARENA_MAX)
		arena_size = ARENA_MAX;
	if (arena_size < BLOCK_2M)
		arena_size = BLOCK_2M;
	arena_base = ram_end - arena_size;
	arena_pages = arena_size / PAGE_SIZE;

	l1[0] = 0 | DESC_BLOCK | ATTR_DEVICE;
	for (uintptr_t a = ram_base & ~(BLOCK_2M - 1); a < ram_end;
	     a += BLOCK_2M) {
		size_t g = a / GIB, i = a % GIB / BLOCK_2M;

		if (g == 0 || g >= L1_ENTRIES)
			continue;
		l1[g] = (uint64_t)(uintptr_t)l2[g] | DESC_TABLE;
		if (a >= arena_base) {
			size_t t = (a - arena_base) / BLOCK_2M;

			for (size_t p = 0; p < 512; p++)
				l3[t][p] = (a + p * PAGE_SIZE) | DESC_PAGE |
					   ATTR_NORMAL;
			l2[g][i] = (uint64_t)(uintptr_t)l3[t] | DESC_TABLE;
		} else {
			l2[g][i] = a | DESC_BLOCK | ATTR_NORMAL;
		}
	}

	for (int i = 0; i < nc_count; i++)
		map_nc(nc_regions[i].base, nc_regions[i].size);

	dsb(ish);
	write_sysreg(ttbr0_el1, (uintptr_t)l1);
	isb();
	__asm__ volatile("tlbi vmalle1is" ::: "memory");
	dsb(ish);
	isb();
	/* Secondaries read this with their MMU and caches still off. */
	aarch64_ttbr0 = (uintptr_t)l1;
	__asm__ volatile("dc civac, %0" ::"r"(&aarch64_ttbr0) : "memory");
	dsb(sy);
}

static void set_pte(size_t page, uint64_t value)
{
	uintptr_t va = arena_base + page * PAGE_SIZE;

	*arena_pte(page) = value;
	dsb(ishst);
	__asm__ volatile("tlbi vaae1is, %0" ::"r"(va >> 12) : "memory");
	dsb(ish);
	isb();
}

static bool page_used(size_t p)
{
	return arena_used[p / 64] >> (p % 64) & 1;
}

static void mark(size_t first, size_t n, bool used)
{
	for (size_t p = first; p < first + n; p++) {
		if (used)
			arena_used[p / 64] |= 1ul << (p % 64);
		else
			arena_used[p / 64] &= ~(1ul << (p % 64));
	}
}

void *mmu_stack_alloc(size_t size)
{
	size_t need = (size + PAGE_SIZE - 1) / PAGE_SIZE + 1; /* + guard */
	unsigned long flags = lock_arena();
	size_t run = 0;

	/* Creation time only: a first fit over the arena's pages. */
	for (size_t p = 0; p < arena_pages; p++) {
		run = page_used(p) ? 0 : run + 1;
		if (run == need) {
			size_t first = p + 1 - need;

			mark(first, need, true);
			set_pte(first, 0);
			unlock_arena(flags);
			return (void *)(arena_base + (first + 1) * PAGE_SIZE);
		}
	}
	unlock_arena(flags);
	return NULL;
}

void mmu_stack_free(void *stack, size_t size)
{
	size_t need = (size + PAGE_SIZE - 1) / PAGE_SIZE + 1;
	size_t first = ((uintptr_t)stack - arena_base) / PAGE_SIZE - 1;
	unsigned long flags = lock_arena();

	set_pte(first,
		(arena_base + first * PAGE_SIZE) | DESC_PAGE | ATTR_NORMAL);
	mark(first, need, false);
	unlock_arena(flags);
}

bool mmu_in_guard(uintptr_t addr)
{
	size_t page;

	if (addr < arena_base || addr >= arena_base + arena_pages * PAGE_SIZE)
		return false;
	page = (addr - arena_base) / PAGE_SIZE;
	return page_used(page) && *arena_pte(page) == 0;
}
