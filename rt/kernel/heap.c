/*
 * Heaps (see tenon/heap.h): TLSF, two-level segregated fit, chosen because
 * both alloc and free take a bounded number of steps whatever the heap
 * holds, so the kernel lock is held for a bounded time.
 *
 * The memory is tiled by blocks, each a 16-byte header (the physical
 * predecessor and the payload size, whose low bits are flags) followed by
 * its payload; an empty, used sentinel block closes the range. A free
 * block keeps its free-list links in its payload and is never next to
 * another free block: release merges neighbours at once.
 *
 * Free blocks sit in lists by size class: the first level is the power of
 * two (all sizes below 256 bytes share level 0, one list per 16 bytes), the
 * second splits each power of two in 16. One bit per list says it is not
 * empty and one bit per level says some list of it is, so finding a list
 * is a couple of find-first-set instructions. An alloc rounds the request
 * up to the next class boundary, so the first block of any list found
 * fits (good fit, no walk); failing that, the first block of the request's
 * own class is tried, so that any request up to the largest free block
 * reported by tn_heap_usage() succeeds.
 */
#include <string.h>
#include <tenon/heap.h>

#include "kernel/internal.h"

#define TN_HEAP_MAGIC 0x7e7e7405u

#define ALIGN_SHIFT 4
#define ALIGN ((size_t)1 << ALIGN_SHIFT)
/* Sizes below this share first level 0, with one list per ALIGN bytes. */
#define SMALL ((size_t)1 << (TN_HEAP_SL_SHIFT + ALIGN_SHIFT))
/* A free block's payload holds its list links. */
#define MIN_PAYLOAD ALIGN

/* Flags in the low bits of a header's size. */
#define BLK_FREE ((size_t)1)
#define BLK_MARK ((size_t)2) /* seen by tn_heap_check(), never left set */
#define BLK_FLAGS (ALIGN - 1)

struct tn_heap_block {
	struct tn_heap_block *prev_phys; /* NULL for the first block */
	size_t size;			 /* payload bytes | flags */
} __attribute__((aligned(16)));

#define HDR sizeof(struct tn_heap_block)

/* What a free block keeps at the start of its payload. */
struct free_links {
	struct tn_heap_block *next;
	struct tn_heap_block *prev;
};

_Static_assert(sizeof(struct tn_heap_block) == ALIGN, "header size");
_Static_assert(sizeof(struct free_links) <= MIN_PAYLOAD, "links size");
_Static_assert(TN_HEAP_SL_COUNT <= 32 && TN_HEAP_FL_COUNT <= 32, "bitmaps");
/* Payloads stay below 4 GiB: the highest class is that of 2^31. */
_Static_assert(TN_HEAP_FL_COUNT == 31 - (TN_HEAP_SL_SHIFT + ALIGN_SHIFT) + 2,
	       "first level count");

static bool is_heap(const struct tn_heap *heap)
{
	return heap && heap->magic == TN_HEAP_MAGIC;
}

static size_t blk_size(const struct tn_heap_block *b)
{
	return b->size & ~BLK_FLAGS;
}

static bool blk_free(const struct tn_heap_block *b)
{
	return b->size & BLK_FREE;
}

static void *blk_payload(struct tn_heap_block *b)
{
	return (char *)b + HDR;
}

static struct tn_heap_block *blk_next(struct tn_heap_block *b)
{
	return (struct tn_heap_block *)((char *)blk_payload(b) + blk_size(b));
}

static struct free_links *blk_links(struct tn_heap_block *b)
{
	return blk_payload(b);
}

/* Index of the highest bit set in x (not 0). */
static unsigned int msb(size_t x)
{
	return 63 - (unsigned int)__builtin_clzll((unsigned long long)x);
}

/* The class (list) of a free block of the given payload size. */
static void mapping(size_t size, unsigned int *fl, unsigned int *sl)
{
	unsigned int m;

	if (size < SMALL) {
		*fl = 0;
		*sl = (unsigned int)(size >> ALIGN_SHIFT);
		return;
	}
	m = msb(size);
	*fl = m - (TN_HEAP_SL_SHIFT + ALIGN_SHIFT) + 1;
	*sl = (unsigned int)(size >> (m - TN_HEAP_SL_SHIFT)) - TN_HEAP_SL_COUNT;
}

static void insert_free(struct tn_heap *heap, struct tn_heap_block *b)
{
	struct free_links *l = blk_links(b);
	struct tn_heap_block **head;
	unsigned int fl, sl;

	mapping(blk_size(b), &fl, &sl);
	head = &heap->lists[fl][sl];
	l->prev = NULL;
	l->next = *head;
	if (*head)
		blk_links(*head)->prev = b;
	*head = b;
	heap->sl_map[fl] |= 1u << sl;
	heap->fl_map |= 1u << fl;
	heap->free += blk_size(b);
	heap->blocks_free++;
}

static void remove_free(struct tn_heap *heap, struct tn_heap_block *b)
{
	struct free_links *l = blk_links(b);
	unsigned int fl, sl;

	mapping(blk_size(b), &fl, &sl);
	if (l->prev)
		blk_links(l->prev)->next = l->next;
	else
		heap->lists[fl][sl] = l->next;
	if (l->next)
		blk_links(l->next)->prev = l->prev;
	if (!heap->lists[fl][sl]) {
		heap->sl_map[fl] &= ~(1u << sl);
		if (!heap->sl_map[fl])
			heap->fl_map &= ~(1u << fl);
	}
	heap->free -= blk_size(b);
	heap->blocks_free--;
}

/* The first block of the first non-empty list at or above (fl, sl). */
static struct tn_heap_block *find_from(struct tn_heap *heap, unsigned int fl,
				       unsigned int sl)
{
	uint32_t map = heap->sl_map[fl] & (~0u << sl);

	if (!map) {
		map = fl + 1 < 32 ? heap->fl_map & (~0u << (fl + 1)) : 0;
		if (!map)
			return NULL;
		fl = (unsigned int)__builtin_ctz(map);
		map = heap->sl_map[fl];
	}
	return heap->lists[fl][__builtin_ctz(map)];
}

/* Unlinks and returns a free block of need payload bytes or more. */
static struct tn_heap_block *take_block(struct tn_heap *heap, size_t need)
{
	struct tn_heap_block *b = NULL;
	size_t want = need;
	unsigned int fl, sl;

	/* Past the class boundary, every block of the list fits. */
	if (need >= SMALL)
		want += ((size_t)1 << (msb(need) - TN_HEAP_SL_SHIFT)) - 1;
	mapping(want, &fl, &sl);
	if (fl < TN_HEAP_FL_COUNT)
		b = find_from(heap, fl, sl);
	if (!b) {
		/* Nothing above: the first block of need's own class. */
		mapping(need, &fl, &sl);
		b = heap->lists[fl][sl];
		if (b && blk_size(b) < need)
			b = NULL;
	}
	if (b)
		remove_free(heap, b);
	return b;
}

/* Cuts an unlinked block to need bytes, freeing the rest if it is big. */
static void split(struct tn_heap *heap, struct tn_heap_block *b, size_t need)
{
	size_t have = blk_size(b);
	struct tn_heap_block *rest;

	if (have - need < HDR + MIN_PAYLOAD)
		return;
	rest = (struct tn_heap_block *)((char *)blk_payload(b) + need);
	rest->prev_phys = b;
	rest->size = (have - need - HDR) | BLK_FREE;
	b->size = need | (b->size & BLK_FLAGS);
	/* b's old neighbour is used: free blocks are never adjacent. */
	blk_next(rest)->prev_phys = rest;
	insert_free(heap, rest);
}

/* Makes next, the free neighbour after b, part of b. */
static void absorb(struct tn_heap_block *b, struct tn_heap_block *next)
{
	b->size += HDR + blk_size(next);
	blk_next(b)->prev_phys = b;
}

/* Frees a used block, merging it with its free neighbours. */
static void release(struct tn_heap *heap, struct tn_heap_block *b)
{
	struct tn_heap_block *next = blk_next(b), *prev = b->prev_phys;

	heap->used -= blk_size(b);
	heap->blocks_used--;
	/* A header merged away keeps the flag: freeing it again is refused. */
	b->size |= BLK_FREE;
	if (blk_free(next)) {
		remove_free(heap, next);
		absorb(b, next);
	}
	if (prev && blk_free(prev)) {
		remove_free(heap, prev);
		absorb(prev, b);
		b = prev;
	}
	insert_free(heap, b);
}

/* The block whose payload ptr is if it is a used block of heap, or NULL. */
static struct tn_heap_block *live_block(struct tn_heap *heap, void *ptr)
{
	uintptr_t p = (uintptr_t)ptr, first = (uintptr_t)heap->first;
	uintptr_t end = (uintptr_t)heap->sentinel, q;
	struct tn_heap_block *b, *prev;

	if (p % ALIGN || p < first + HDR || p >= end)
		return NULL;
	b = (struct tn_heap_block *)(p - HDR);
	/* Free (or junk in the flag bits), too small, or past the end. */
	if ((b->size & BLK_FLAGS) || b->size < MIN_PAYLOAD || b->size > end - p)
		return NULL;
	if (blk_next(b)->prev_phys != b)
		return NULL;
	prev = b->prev_phys;
	if (!prev)
		return (uintptr_t)b == first ? b : NULL;
	q = (uintptr_t)prev;
	if (q % ALIGN || q < first || q >= (uintptr_t)b)
		return NULL;
	return blk_next(prev) == b ? b : NULL;
}

int tn_heap_init(struct tn_heap *heap, void *mem, size_t size)
{
	uintptr_t lo, hi;
	unsigned long flags;
	struct tn_heap_block *first, *sentinel;

	if (!heap || !mem || size < TN_HEAP_MIN_SIZE ||
	    (uint64_t)size >= (uint64_t)1 << 32 ||
	    (uintptr_t)mem > UINTPTR_MAX - size)
		return -EINVAL;
	lo = ((uintptr_t)mem + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1);
	hi = ((uintptr_t)mem + size) & ~(uintptr_t)(ALIGN - 1);
	first = (struct tn_heap_block *)lo;
	sentinel = (struct tn_heap_block *)(hi - HDR);

	flags = tn_lock();
	memset(heap, 0, sizeof(*heap));
	heap->first = first;
	heap->sentinel = sentinel;
	heap->total = size;
	first->prev_phys = NULL;
	first->size = ((hi - HDR) - (lo + HDR)) | BLK_FREE;
	sentinel->prev_phys = first;
	sentinel->size = 0;
	insert_free(heap, first);
	heap->magic = TN_HEAP_MAGIC;
	tn_unlock(flags);
	return 0;
}

int tn_heap_destroy(struct tn_heap *heap)
{
	unsigned long flags = tn_lock();
	int ret = 0;

	if (!is_heap(heap))
		ret = -EINVAL;
	else
		heap->magic = 0;
	tn_unlock(flags);
	return ret;
}

void *tn_heap_alloc(struct tn_heap *heap, size_t size)
{
	unsigned long flags = tn_lock();
	struct tn_heap_block *b;
	void *ret = NULL;
	size_t need;

	if (!is_heap(heap) || !size ||
	    size > (size_t)((char *)heap->sentinel - (char *)heap->first))
		goto out;
	need = (size + ALIGN - 1) & ~(ALIGN - 1);
	b = take_block(heap, need);
	if (!b)
		goto out;
	split(heap, b, need);
	b->size &= ~BLK_FREE;
	heap->used += blk_size(b);
	heap->blocks_used++;
	ret = blk_payload(b);
out:
	tn_unlock(flags);
	return ret;
}

int tn_heap_free(struct tn_heap *heap, void *ptr)
{
	unsigned long flags = tn_lock();
	struct tn_heap_block *b;
	int ret = 0;

	if (!is_heap(heap))
		ret = -EINVAL;
	else if (!ptr)
		ret = 0;
	else if (!(b = live_block(heap, ptr)))
		ret = -EINVAL;
	else
		release(heap, b);
	tn_unlock(flags);
	return ret;
}

size_t tn_heap_usable_size(struct tn_heap *heap, void *ptr)
{
	unsigned long flags = tn_lock();
	struct tn_heap_block *b;
	size_t ret = 0;

	if (is_heap(heap) && ptr && (b = live_block(heap, ptr)))
		ret = blk_size(b);
	tn_unlock(flags);
	return ret;
}

int tn_heap_usage(struct tn_heap *heap, struct tn_heap_usage *usage)
{
	unsigned long flags = tn_lock();
	unsigned int fl, sl;
	int ret = 0;

	if (!is_heap(heap) || !usage) {
		ret = -EINVAL;
		goto out;
	}
	usage->total = heap->total;
	usage->used = heap->used;
	usage->free = heap->free;
	usage->blocks_used = heap->blocks_used;
	usage->blocks_free = heap->blocks_free;
	usage->largest_free = 0;
	if (heap->fl_map) {
		fl = 31 - (unsigned int)__builtin_clz(heap->fl_map);
		sl = 31 - (unsigned int)__builtin_clz(heap->sl_map[fl]);
		usage->largest_free = blk_size(heap->lists[fl][sl]);
	}
out:
	tn_unlock(flags);
	return ret;
}

/* Sets or clears the mark of every free block (the walk is known sound). */
static void mark_free_blocks(struct tn_heap *heap, bool on)
{
	struct tn_heap_block *b;

	for (b = heap->first; b != heap->sentinel; b = blk_next(b)) {
		if (!blk_free(b))
			continue;
		if (on)
			b->size |= BLK_MARK;
		else
			b->size &= ~BLK_MARK;
	}
}

/* Walks the blocks in address order: tiling, links, flags, figures. */
static int check_blocks(struct tn_heap *heap)
{
	uintptr_t first = (uintptr_t)heap->first;
	uintptr_t end = (uintptr_t)heap->sentinel;
	struct tn_heap_block *b = heap->first, *prev = NULL;
	size_t used = 0, free_bytes = 0, size, span;
	unsigned long nused = 0, nfree = 0;
	bool prev_free = false;

	if (first % ALIGN || end % ALIGN || end <= first)
		return -EUCLEAN;
	span = end + HDR - first;
	if (span > heap->total || heap->total - span >= 2 * ALIGN)
		return -EUCLEAN;
	while (b != heap->sentinel) {
		size = blk_size(b);
		if (b->prev_phys != prev || (b->size & BLK_FLAGS & ~BLK_FREE) ||
		    size < MIN_PAYLOAD ||
		    size > end - (uintptr_t)blk_payload(b))
			return -EUCLEAN;
		if (blk_free(b)) {
			if (prev_free)
				return -EUCLEAN; /* should have merged */
			free_bytes += size;
			nfree++;
		} else {
			used += size;
			nused++;
		}
		prev_free = blk_free(b);
		prev = b;
		b = blk_next(b);
	}
	if (heap->sentinel->size != 0 || heap->sentinel->prev_phys != prev)
		return -EUCLEAN;
	if (used != heap->used || free_bytes != heap->free ||
	    nused != heap->blocks_used || nfree != heap->blocks_free ||
	    used + free_bytes + (nused + nfree + 1) * HDR != span)
		return -EUCLEAN;
	return 0;
}

/*
 * Walks every list, with every free block marked: a listed block must be
 * marked (a real free block, not listed before), is unmarked, and must be
 * in the list of its class, doubly linked; the bitmaps must match.
 */
static int check_lists(struct tn_heap *heap)
{
	uintptr_t first = (uintptr_t)heap->first;
	uintptr_t end = (uintptr_t)heap->sentinel;
	struct tn_heap_block *b, *prev;
	unsigned long seen = 0;
	unsigned int fl, sl, f, s;
	uintptr_t p;

	if (heap->fl_map >> TN_HEAP_FL_COUNT)
		return -EUCLEAN;
	for (fl = 0; fl < TN_HEAP_FL_COUNT; fl++) {
		uint32_t map = heap->sl_map[fl];

		if (!(heap->fl_map & (1u << fl)) != !map ||
		    (uint64_t)map >> TN_HEAP_SL_COUNT)
			return -EUCLEAN;
		for (sl = 0; sl < TN_HEAP_SL_COUNT; sl++) {
			if (!(map & (1u << sl)) != !heap->lists[fl][sl])
				return -EUCLEAN;
			prev = NULL;
			for (b = heap->lists[fl][sl]; b;
			     prev = b, b = blk_links(b)->next) {
				p = (uintptr_t)b;
				if (p % ALIGN || p < first || p >= end ||
				    !blk_free(b) || !(b->size & BLK_MARK))
					return -EUCLEAN;
				b->size &= ~BLK_MARK;
				if (++seen > heap->blocks_free ||
				    blk_links(b)->prev != prev)
					return -EUCLEAN;
				mapping(blk_size(b), &f, &s);
				if (f != fl || s != sl)
					return -EUCLEAN;
			}
		}
	}
	return seen == heap->blocks_free ? 0 : -EUCLEAN;
}

int tn_heap_check(struct tn_heap *heap)
{
	unsigned long flags = tn_lock();
	int ret;

	if (!is_heap(heap)) {
		ret = -EINVAL;
	} else {
		ret = check_blocks(heap);
		if (!ret) {
			mark_free_blocks(heap, true);
			ret = check_lists(heap);
			if (ret)
				mark_free_blocks(heap, false);
		}
	}
	tn_unlock(flags);
	return ret;
}
