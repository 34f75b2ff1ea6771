/*
 * The final translation tables: the low 1 GiB as devices, RAM as normal
 * memory in 2 MiB blocks, and at the top of RAM an arena of 4 KiB pages
 * where thread stacks live, each above an unmapped guard page so that an
 * overflow faults at once instead of corrupting its neighbour. Addresses
 * are identity-mapped; anything outside RAM and devices faults.
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

extern uint64_t aarch64_ttbr0;

static uint64_t l1[512] __attribute__((aligned(4096)));
static uint64_t l2[L1_ENTRIES][512] __attribute__((aligned(4096)));
static uint64_t l3[ARENA_MAX / BLOCK_2M][512] __attribute__((aligned(4096)));

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
