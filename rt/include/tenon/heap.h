/*
 * Heaps: a bounded-time allocator over memory the caller provides (TLSF,
 * two-level segregated fit). Allocation and release take constant time
 * whatever the heap holds; blocks are 16-byte aligned and each costs a
 * 16-byte header. A heap manages less than 4 GiB. Releasing a pointer that
 * is not a live block of the heap (a double free included) is refused,
 * not crashed on. Destroying a heap makes every later call fail; the
 * memory stays the caller's.
 */
#ifndef TENON_HEAP_H
#define TENON_HEAP_H

#include <tenon/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Second level: each power-of-two size range is split in 16 lists. */
#define TN_HEAP_SL_SHIFT 4
#define TN_HEAP_SL_COUNT (1 << TN_HEAP_SL_SHIFT)
/* First level: sizes below 256 bytes, then one list per power of two. */
#define TN_HEAP_FL_COUNT 25
/* The smallest memory a heap accepts. */
#define TN_HEAP_MIN_SIZE 1024

struct tn_heap_block;

struct tn_heap {
	/* private */
	uint32_t fl_map;		   /* bit f: sl_map[f] not 0 */
	uint32_t sl_map[TN_HEAP_FL_COUNT]; /* bit s: lists[f][s] not empty */
	struct tn_heap_block *lists[TN_HEAP_FL_COUNT][TN_HEAP_SL_COUNT];
	struct tn_heap_block *first;	/* the lowest block */
	struct tn_heap_block *sentinel; /* the used, empty last block */
	size_t total;			/* bytes given to init */
	size_t used;			/* payload bytes of used blocks */
	size_t free;			/* payload bytes of free blocks */
	unsigned long blocks_used;
	unsigned long blocks_free;
	unsigned int magic;
};

struct tn_heap_usage {
	size_t total;	     /* bytes given to tn_heap_init() */
	size_t used;	     /* payload bytes of the blocks allocated */
	size_t free;	     /* payload bytes of the free blocks */
	size_t largest_free; /* an alloc of this many bytes or fewer succeeds */
	unsigned long blocks_used;
	unsigned long blocks_free;
};

/*
 * Makes a heap of size bytes at mem (any alignment). -EINVAL: heap or mem
 * NULL, size below TN_HEAP_MIN_SIZE, or 4 GiB or more.
 */
int tn_heap_init(struct tn_heap *heap, void *mem, size_t size);
/* Every later call on heap fails (-EINVAL, NULL or 0). */
int tn_heap_destroy(struct tn_heap *heap);
/* NULL when size is 0 or no free block fits; else 16-byte aligned. */
void *tn_heap_alloc(struct tn_heap *heap, size_t size);
/* NULL is ignored; -EINVAL: ptr is not a live block of heap. */
int tn_heap_free(struct tn_heap *heap, void *ptr);
/* The bytes ptr may use (at least what was asked), 0 for a bad pointer. */
size_t tn_heap_usable_size(struct tn_heap *heap, void *ptr);
/*
 * The heap's figures. largest_free is read from the bitmaps: the first
 * block of the highest non-empty list, within 1/16 of the largest free
 * block and exact when that list holds one block.
 */
int tn_heap_usage(struct tn_heap *heap, struct tn_heap_usage *usage);
/*
 * Walks every block (linear time: for tests and diagnostics) and checks
 * headers, neighbours, free lists, bitmaps and figures: -EUCLEAN if the
 * heap is corrupt.
 */
int tn_heap_check(struct tn_heap *heap);

#ifdef __cplusplus
}
#endif

#endif
