/*
 * Heaps: a random torture run against a reference, alignment and usable
 * sizes, merging of neighbours, exhaustion, refused frees (double, bad
 * pointers, destroyed heap), init arguments, usage figures, good fit,
 * corruption found by the check, and threads on several CPUs sharing one
 * heap. Heap calls take the kernel lock, so every test runs its body as
 * main on the simulator.
 */
#include "simtest.h"

#define ARENA_SIZE (1 << 20)

static char arena[ARENA_SIZE] __attribute__((aligned(16)));
static struct tn_heap heap;

/* A small xorshift generator: fixed seeds give the same run every time. */
static uint64_t rnd_next(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}

static void fill(unsigned char *p, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(seed + i * 7);
}

static bool intact(const unsigned char *p, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (unsigned char)(seed + i * 7))
			return false;
	return true;
}

static struct tn_heap_usage usage_of(struct tn_heap *h)
{
	struct tn_heap_usage u;

	EXPECT_EQ(tn_heap_usage(h, &u), 0);
	return u;
}

static void run(int (*body)(void *))
{
	sim_run_main(1, 1, 50, body, NULL);
}

#define TORTURE_SLOTS 256
#define TORTURE_OPS 60000
#define TORTURE_CHECK_EVERY 128

struct slot {
	unsigned char *p;
	size_t size;
	unsigned int seed;
};

static int torture_main(void *arg)
{
	static struct slot slots[TORTURE_SLOTS];
	struct tn_heap_usage u0, u;
	uint64_t rng = 0x2545f4914f6cdd1dull;
	size_t used = 0;
	unsigned long live = 0, allocs = 0, refusals = 0;

	(void)arg;
	/* 320 KiB: about half the slots full at 2 KiB each nearly fills it. */
	EXPECT_EQ(tn_heap_init(&heap, arena, 320 * 1024), 0);
	u0 = usage_of(&heap);
	for (long op = 0; op < TORTURE_OPS; op++) {
		struct slot *s = &slots[rnd_next(&rng) % TORTURE_SLOTS];

		if (s->p) {
			EXPECT(intact(s->p, s->size, s->seed));
			used -= tn_heap_usable_size(&heap, s->p);
			EXPECT_EQ(tn_heap_free(&heap, s->p), 0);
			s->p = NULL;
			live--;
		} else {
			size_t size = 1 + rnd_next(&rng) % 4096, usable;

			s->p = tn_heap_alloc(&heap, size);
			if (!s->p) {
				/* Refused only when no free block is that big.
				 */
				EXPECT(usage_of(&heap).largest_free < size);
				refusals++;
				continue;
			}
			allocs++;
			EXPECT_EQ((uintptr_t)s->p % 16, 0);
			usable = tn_heap_usable_size(&heap, s->p);
			EXPECT(usable >= size);
			used += usable;
			live++;
			s->size = size;
			s->seed = (unsigned int)rnd_next(&rng);
			fill(s->p, size, s->seed);
		}
		if (op % TORTURE_CHECK_EVERY == 0) {
			EXPECT_EQ(tn_heap_check(&heap), 0);
			u = usage_of(&heap);
			EXPECT_EQ(u.used, used);
			EXPECT_EQ(u.blocks_used, live);
			EXPECT(u.used + u.free <= u.total);
			EXPECT(u.largest_free <= u.free);
		}
	}
	/* Both paths ran: plenty of allocations, and some refused. */
	EXPECT(allocs > TORTURE_OPS / 4);
	EXPECT(refusals > 0);
	for (int i = 0; i < TORTURE_SLOTS; i++) {
		if (!slots[i].p)
			continue;
		EXPECT(intact(slots[i].p, slots[i].size, slots[i].seed));
		EXPECT_EQ(tn_heap_free(&heap, slots[i].p), 0);
	}
	EXPECT_EQ(tn_heap_check(&heap), 0);
	u = usage_of(&heap);
	EXPECT_EQ(u.used, 0);
	EXPECT_EQ(u.blocks_used, 0);
	EXPECT_EQ(u.blocks_free, 1);
	EXPECT_EQ(u.free, u0.free);
	EXPECT_EQ(u.largest_free, u0.free);
	return 0;
}

TEST(heap_torture)
{
	run(torture_main);
}

#define ALIGNED_COUNT 400

static int aligned_main(void *arg)
{
	static unsigned char *p[ALIGNED_COUNT + 1];
	static size_t usable[ALIGNED_COUNT + 1];

	(void)arg;
	/* Memory that is not aligned itself. */
	EXPECT_EQ(tn_heap_init(&heap, arena + 3, 128 * 1024 - 3), 0);
	for (size_t size = 1; size <= ALIGNED_COUNT; size++) {
		p[size] = tn_heap_alloc(&heap, size);
		EXPECT(p[size] != NULL);
		EXPECT_EQ((uintptr_t)p[size] % 16, 0);
		EXPECT((char *)p[size] >= arena + 3);
		usable[size] = tn_heap_usable_size(&heap, p[size]);
		/* At least what was asked, and no more than a split leaves. */
		EXPECT(usable[size] >= size);
		EXPECT(usable[size] <= size + 31);
		/* The whole usable size is the caller's. */
		memset(p[size], (int)size, usable[size]);
	}
	for (size_t size = 1; size <= ALIGNED_COUNT; size++) {
		for (size_t i = 0; i < usable[size]; i++)
			EXPECT_EQ(p[size][i], (unsigned char)size);
		EXPECT_EQ(tn_heap_free(&heap, p[size]), 0);
	}
	EXPECT_EQ(tn_heap_check(&heap), 0);
	return 0;
}

TEST(heap_alloc_aligned_and_usable)
{
	run(aligned_main);
}

static int coalesce_main(void *arg)
{
	static const int orders[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
					 {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
	struct tn_heap_usage u0, u;

	(void)arg;
	EXPECT_EQ(tn_heap_init(&heap, arena, 64 * 1024), 0);
	u0 = usage_of(&heap);
	EXPECT_EQ(u0.largest_free, u0.free);
	for (int o = 0; o < 6; o++) {
		void *b[3], *guard;
		bool freed[3] = {false, false, false};

		/* A fresh heap carves blocks in address order. */
		for (int i = 0; i < 3; i++)
			b[i] = tn_heap_alloc(&heap, 200);
		guard = tn_heap_alloc(&heap, 200);
		EXPECT(b[0] && b[1] && b[2] && guard);
		EXPECT((uintptr_t)b[0] < (uintptr_t)b[1]);
		EXPECT((uintptr_t)b[1] < (uintptr_t)b[2]);
		EXPECT((uintptr_t)b[2] < (uintptr_t)guard);
		for (int k = 0; k < 3; k++) {
			unsigned long runs = 0;

			EXPECT_EQ(tn_heap_free(&heap, b[orders[o][k]]), 0);
			EXPECT_EQ(tn_heap_check(&heap), 0);
			freed[orders[o][k]] = true;
			/* One free block per run of neighbours, and the tail.
			 */
			for (int i = 0; i < 3; i++)
				if (freed[i] && (i == 0 || !freed[i - 1]))
					runs++;
			EXPECT_EQ(usage_of(&heap).blocks_free, runs + 1);
		}
		EXPECT_EQ(tn_heap_free(&heap, guard), 0);
		u = usage_of(&heap);
		EXPECT_EQ(u.blocks_free, 1);
		EXPECT_EQ(u.blocks_used, 0);
		EXPECT_EQ(u.largest_free, u0.largest_free);
		EXPECT_EQ(u.free, u0.free);
	}
	EXPECT_EQ(tn_heap_check(&heap), 0);
	return 0;
}

TEST(heap_coalesces_neighbours)
{
	run(coalesce_main);
}

static int exhaustion_main(void *arg)
{
	static void *p[128];
	struct tn_heap_usage u;
	int n = 0;
	void *last;

	(void)arg;
	EXPECT_EQ(tn_heap_init(&heap, arena, 4096), 0);
	EXPECT(tn_heap_alloc(&heap, 0) == NULL);
	EXPECT(tn_heap_alloc(&heap, 4096) == NULL);
	EXPECT(tn_heap_alloc(&heap, SIZE_MAX) == NULL);
	while ((p[n] = tn_heap_alloc(&heap, 64)) != NULL)
		n++;
	EXPECT(n > 20 && n < 128);
	u = usage_of(&heap);
	EXPECT(u.largest_free < 64);
	/* What is left, if anything, is still there to take. */
	last = NULL;
	if (u.largest_free) {
		last = tn_heap_alloc(&heap, u.largest_free);
		EXPECT(last != NULL);
	}
	EXPECT(tn_heap_alloc(&heap, 1) == NULL);
	u = usage_of(&heap);
	EXPECT_EQ(u.blocks_free, 0);
	EXPECT_EQ(u.free, 0);
	EXPECT_EQ(u.largest_free, 0);
	EXPECT_EQ(tn_heap_check(&heap), 0);
	/* A block given back is found again. */
	EXPECT_EQ(tn_heap_free(&heap, p[n / 2]), 0);
	EXPECT(tn_heap_alloc(&heap, 64) == p[n / 2]);
	for (int i = 0; i < n; i++)
		EXPECT_EQ(tn_heap_free(&heap, p[i]), 0);
	EXPECT_EQ(tn_heap_free(&heap, last), 0);
	u = usage_of(&heap);
	EXPECT_EQ(u.blocks_free, 1);
	EXPECT(tn_heap_alloc(&heap, u.largest_free) != NULL);
	EXPECT_EQ(tn_heap_check(&heap), 0);
	return 0;
}

TEST(heap_exhaustion_returns_null)
{
	run(exhaustion_main);
}

static int double_free_main(void *arg)
{
	struct tn_heap_usage before, after;
	void *a, *b, *c;

	(void)arg;
	EXPECT_EQ(tn_heap_init(&heap, arena, 64 * 1024), 0);
	a = tn_heap_alloc(&heap, 100);
	b = tn_heap_alloc(&heap, 100);
	c = tn_heap_alloc(&heap, 100);
	EXPECT(a && b && c);
	EXPECT_EQ(tn_heap_free(&heap, b), 0);
	before = usage_of(&heap);
	EXPECT_EQ(tn_heap_free(&heap, b), -EINVAL);
	after = usage_of(&heap);
	EXPECT_EQ(memcmp(&before, &after, sizeof(before)), 0);
	EXPECT_EQ(tn_heap_check(&heap), 0);
	/* b merged into a: both refused a second time. */
	EXPECT_EQ(tn_heap_free(&heap, a), 0);
	EXPECT_EQ(tn_heap_free(&heap, b), -EINVAL);
	EXPECT_EQ(tn_heap_free(&heap, a), -EINVAL);
	EXPECT_EQ(tn_heap_usable_size(&heap, a), 0);
	EXPECT_EQ(tn_heap_check(&heap), 0);
	/* Everything merged, the tail too. */
	EXPECT_EQ(tn_heap_free(&heap, c), 0);
	EXPECT_EQ(tn_heap_free(&heap, c), -EINVAL);
	EXPECT_EQ(tn_heap_free(&heap, a), -EINVAL);
	EXPECT_EQ(tn_heap_check(&heap), 0);
	after = usage_of(&heap);
	EXPECT_EQ(after.blocks_used, 0);
	EXPECT_EQ(after.blocks_free, 1);
	return 0;
}

TEST(heap_double_free_detected)
{
	run(double_free_main);
}

static int bad_pointer_main(void *arg)
{
	static struct tn_heap other;
	unsigned char *p, *q, *r;
	int local = 0;
	void *bad[16];
	size_t forged = 32;
	int nbad = 0;

	(void)arg;
	EXPECT_EQ(tn_heap_init(&heap, arena, 64 * 1024), 0);
	EXPECT_EQ(tn_heap_init(&other, arena + 64 * 1024, 64 * 1024), 0);
	p = tn_heap_alloc(&heap, 256);
	q = tn_heap_alloc(&heap, 256);
	r = tn_heap_alloc(&other, 256);
	EXPECT(p && q && r);
	memset(p, 0, 256);
	memset(q, 0xff, 256);
	/* Bytes inside p that look like the header of a 32-byte block. */
	memcpy(p + 64 + sizeof(void *), &forged, sizeof(forged));
	bad[nbad++] = &local;		      /* elsewhere */
	bad[nbad++] = arena;		      /* the first header */
	bad[nbad++] = r;		      /* the other heap's */
	bad[nbad++] = arena + 64 * 1024 - 16; /* the end */
	bad[nbad++] = p + 1;		      /* misaligned */
	bad[nbad++] = p + 8;		      /* misaligned */
	bad[nbad++] = p + 16;		      /* inside, zeros */
	bad[nbad++] = p + 128;		      /* inside, zeros */
	bad[nbad++] = q + 16;		      /* inside, ones */
	bad[nbad++] = q + 240;		      /* inside, ones */
	bad[nbad++] = p + 80;		      /* inside, forged header */
	bad[nbad++] = (char *)tn_heap_alloc(&heap, 64) + 4096; /* free */
	for (int i = 0; i < nbad; i++) {
		EXPECT_EQ(tn_heap_free(&heap, bad[i]), -EINVAL);
		EXPECT_EQ(tn_heap_usable_size(&heap, bad[i]), 0);
	}
	EXPECT_EQ(tn_heap_free(&heap, NULL), 0);
	EXPECT_EQ(tn_heap_usable_size(&heap, NULL), 0);
	EXPECT_EQ(tn_heap_check(&heap), 0);
	EXPECT_EQ(tn_heap_check(&other), 0);
	EXPECT_EQ(usage_of(&heap).blocks_used, 3);
	EXPECT_EQ(tn_heap_free(&heap, p), 0);
	EXPECT_EQ(tn_heap_free(&heap, q), 0);
	EXPECT_EQ(tn_heap_free(&other, r), 0);
	EXPECT_EQ(tn_heap_check(&heap), 0);
	return 0;
}

TEST(heap_bad_pointer_rejected)
{
	run(bad_pointer_main);
}

static int init_main(void *arg)
{
	static struct tn_heap h;
	struct tn_heap_usage u;
	void *p;

	(void)arg;
	EXPECT_EQ(tn_heap_init(NULL, arena, 4096), -EINVAL);
	EXPECT_EQ(tn_heap_init(&h, NULL, 4096), -EINVAL);
	EXPECT_EQ(tn_heap_init(&h, arena, 0), -EINVAL);
	EXPECT_EQ(tn_heap_init(&h, arena, TN_HEAP_MIN_SIZE - 1), -EINVAL);
	/* Too big for the lists (the memory is not touched). */
	if (sizeof(size_t) > 4)
		EXPECT_EQ(tn_heap_init(&h, arena, (size_t)1 << 32), -EINVAL);
	EXPECT_EQ(tn_heap_init(&h, arena, SIZE_MAX), -EINVAL);
	/* A range that would wrap around the address space. */
	EXPECT_EQ(tn_heap_init(&h, (void *)(UINTPTR_MAX - 2047), 4096),
		  -EINVAL);
	/* None of these made h a heap. */
	EXPECT(tn_heap_alloc(&h, 16) == NULL);
	EXPECT_EQ(tn_heap_check(&h), -EINVAL);
	EXPECT_EQ(tn_heap_usage(&h, &u), -EINVAL);
	/* The smallest size, misaligned, is fine. */
	EXPECT_EQ(tn_heap_init(&h, arena + 1, TN_HEAP_MIN_SIZE), 0);
	u = usage_of(&h);
	EXPECT_EQ(u.total, TN_HEAP_MIN_SIZE);
	EXPECT(u.free > 0);
	p = tn_heap_alloc(&h, 100);
	EXPECT(p != NULL);
	EXPECT_EQ((uintptr_t)p % 16, 0);
	EXPECT((char *)p > arena && (char *)p + 100 <= arena + 1 + 1024);
	EXPECT_EQ(tn_heap_check(&h), 0);
	return 0;
}

TEST(heap_init_rejects_bad_memory)
{
	run(init_main);
}

static int usage_main(void *arg)
{
	struct tn_heap_usage u0, u1, u2, u3;
	size_t up, uq;
	void *p, *q;

	(void)arg;
	EXPECT_EQ(tn_heap_init(&heap, arena, 64 * 1024), 0);
	EXPECT_EQ(tn_heap_usage(NULL, &u0), -EINVAL);
	EXPECT_EQ(tn_heap_usage(&heap, NULL), -EINVAL);
	u0 = usage_of(&heap);
	EXPECT_EQ(u0.total, 64 * 1024);
	EXPECT_EQ(u0.used, 0);
	EXPECT_EQ(u0.blocks_used, 0);
	EXPECT_EQ(u0.blocks_free, 1);
	EXPECT_EQ(u0.largest_free, u0.free);
	/* One block's worth of bookkeeping, and the rest is free. */
	EXPECT(u0.free < u0.total && u0.free >= u0.total - 64);

	p = tn_heap_alloc(&heap, 100);
	up = tn_heap_usable_size(&heap, p);
	EXPECT_EQ(up, 112);
	u1 = usage_of(&heap);
	EXPECT_EQ(u1.used, up);
	EXPECT_EQ(u1.blocks_used, 1);
	EXPECT_EQ(u1.blocks_free, 1);
	/* The block and its 16-byte header came off the free space. */
	EXPECT_EQ(u1.free, u0.free - up - 16);
	EXPECT_EQ(u1.largest_free, u1.free);

	q = tn_heap_alloc(&heap, 1000);
	uq = tn_heap_usable_size(&heap, q);
	u2 = usage_of(&heap);
	EXPECT_EQ(u2.used, up + uq);
	EXPECT_EQ(u2.blocks_used, 2);
	EXPECT_EQ(u2.free, u1.free - uq - 16);

	/* A hole before q: two free blocks, the tail the largest. */
	EXPECT_EQ(tn_heap_free(&heap, p), 0);
	u3 = usage_of(&heap);
	EXPECT_EQ(u3.used, uq);
	EXPECT_EQ(u3.blocks_used, 1);
	EXPECT_EQ(u3.blocks_free, 2);
	EXPECT_EQ(u3.free, u2.free + up);
	EXPECT_EQ(u3.largest_free, u2.largest_free);
	EXPECT_EQ(u3.total, u0.total);

	EXPECT_EQ(tn_heap_free(&heap, q), 0);
	u3 = usage_of(&heap);
	EXPECT_EQ(u3.free, u0.free);
	EXPECT_EQ(u3.blocks_free, 1);
	return 0;
}

TEST(heap_usage_figures)
{
	run(usage_main);
}

static int destroyed_main(void *arg)
{
	struct tn_heap_usage u;
	void *p;

	(void)arg;
	EXPECT_EQ(tn_heap_init(&heap, arena, 64 * 1024), 0);
	p = tn_heap_alloc(&heap, 100);
	EXPECT(p != NULL);
	EXPECT_EQ(tn_heap_destroy(&heap), 0);
	EXPECT(tn_heap_alloc(&heap, 100) == NULL);
	EXPECT_EQ(tn_heap_free(&heap, p), -EINVAL);
	EXPECT_EQ(tn_heap_free(&heap, NULL), -EINVAL);
	EXPECT_EQ(tn_heap_usable_size(&heap, p), 0);
	EXPECT_EQ(tn_heap_usage(&heap, &u), -EINVAL);
	EXPECT_EQ(tn_heap_check(&heap), -EINVAL);
	EXPECT_EQ(tn_heap_destroy(&heap), -EINVAL);
	EXPECT_EQ(tn_heap_destroy(NULL), -EINVAL);
	/* The memory can make a new heap. */
	EXPECT_EQ(tn_heap_init(&heap, arena, 64 * 1024), 0);
	EXPECT(tn_heap_alloc(&heap, 100) == p);
	EXPECT_EQ(tn_heap_check(&heap), 0);
	return 0;
}

TEST(heap_destroyed_rejects_calls)
{
	run(destroyed_main);
}

#define SMALL_BLOCKS 2000

static int good_fit_main(void *arg)
{
	static void *small[SMALL_BLOCKS];
	struct tn_heap_usage u;
	void *big, *guard, *tail, *p, *q;

	(void)arg;
	EXPECT_EQ(tn_heap_init(&heap, arena, ARENA_SIZE), 0);
	for (int i = 0; i < SMALL_BLOCKS; i++) {
		small[i] = tn_heap_alloc(&heap, 32);
		EXPECT(small[i] != NULL);
	}
	big = tn_heap_alloc(&heap, 64 * 1024);
	guard = tn_heap_alloc(&heap, 32);
	EXPECT(big && guard);
	/* Take the tail: from here on nothing is free but what we free. */
	tail = tn_heap_alloc(&heap, usage_of(&heap).largest_free);
	EXPECT(tail != NULL);
	EXPECT_EQ(usage_of(&heap).blocks_free, 0);
	/* 1000 small free blocks between used ones, then the big one. */
	for (int i = 0; i < SMALL_BLOCKS; i += 2)
		EXPECT_EQ(tn_heap_free(&heap, small[i]), 0);
	EXPECT_EQ(tn_heap_free(&heap, big), 0);
	u = usage_of(&heap);
	EXPECT_EQ(u.blocks_free, SMALL_BLOCKS / 2 + 1);
	EXPECT_EQ(u.largest_free, 64 * 1024);
	/* Only the big block fits, and it is the one taken. */
	p = tn_heap_alloc(&heap, 60 * 1024);
	EXPECT(p == big);
	/* A small request takes a small hole, not the big block's rest. */
	q = tn_heap_alloc(&heap, 32);
	EXPECT(q != NULL && (uintptr_t)q < (uintptr_t)big);
	EXPECT_EQ(tn_heap_usable_size(&heap, q), 32);
	EXPECT_EQ(tn_heap_check(&heap), 0);
	return 0;
}

TEST(heap_good_fit_skips_small_blocks)
{
	run(good_fit_main);
}

static int corruption_main(void *arg)
{
	unsigned char *a, *b, *c, saved[16];

	(void)arg;
	EXPECT_EQ(tn_heap_init(&heap, arena, 64 * 1024), 0);
	a = tn_heap_alloc(&heap, 64);
	b = tn_heap_alloc(&heap, 64);
	c = tn_heap_alloc(&heap, 64);
	EXPECT(a && b && c);
	EXPECT_EQ(tn_heap_free(&heap, b), 0);
	EXPECT_EQ(tn_heap_check(&heap), 0);
	/* An overrun of a into b's header. */
	memcpy(saved, b - 16, 16);
	memset(a, 0x5a, 64 + 16);
	EXPECT_EQ(tn_heap_check(&heap), -EUCLEAN);
	memcpy(b - 16, saved, 16);
	EXPECT_EQ(tn_heap_check(&heap), 0);
	/* A write after free into b's list links. */
	memcpy(saved, b, 16);
	memcpy(b, &c, sizeof(c));
	EXPECT_EQ(tn_heap_check(&heap), -EUCLEAN);
	memcpy(b, saved, 16);
	/* The failed checks left the heap as they found it. */
	EXPECT_EQ(tn_heap_check(&heap), 0);
	EXPECT_EQ(tn_heap_free(&heap, a), 0);
	EXPECT_EQ(tn_heap_free(&heap, c), 0);
	EXPECT_EQ(tn_heap_check(&heap), 0);
	EXPECT_EQ(usage_of(&heap).blocks_free, 1);
	return 0;
}

TEST(heap_check_detects_corruption)
{
	run(corruption_main);
}

#define CHURN_THREADS 4
#define CHURN_SLOTS 24
#define CHURN_OPS 3000

static void *churn(void *arg)
{
	struct slot slots[CHURN_SLOTS];
	uint64_t rng = 0x9e3779b97f4a7c15ull * (uintptr_t)arg;

	memset(slots, 0, sizeof(slots));
	for (int op = 0; op < CHURN_OPS; op++) {
		struct slot *s = &slots[rnd_next(&rng) % CHURN_SLOTS];

		if (s->p) {
			EXPECT(intact(s->p, s->size, s->seed));
			EXPECT_EQ(tn_heap_free(&heap, s->p), 0);
			s->p = NULL;
		} else {
			s->size = 1 + rnd_next(&rng) % 2048;
			s->seed = (unsigned int)rnd_next(&rng);
			s->p = tn_heap_alloc(&heap, s->size);
			EXPECT(s->p != NULL);
			fill(s->p, s->size, s->seed);
		}
	}
	for (int i = 0; i < CHURN_SLOTS; i++) {
		if (!slots[i].p)
			continue;
		EXPECT(intact(slots[i].p, slots[i].size, slots[i].seed));
		EXPECT_EQ(tn_heap_free(&heap, slots[i].p), 0);
	}
	return NULL;
}

static int shared_main(void *arg)
{
	static struct tn_thread t[CHURN_THREADS];
	/* Spread over the CPUs there are: two show sharing, more show more. */
	int cpus = tn_cpu_count();
	struct tn_heap_usage u;

	(void)arg;
	/* Room for every slot of every thread at its biggest. */
	EXPECT_EQ(tn_heap_init(&heap, arena, ARENA_SIZE), 0);
	for (int i = 0; i < CHURN_THREADS; i++)
		spawn(&t[i], "churn", TN_SCHED_FIFO, 10, TN_CPU(i % cpus),
		      churn, (void *)(uintptr_t)(i + 1));
	for (int i = 0; i < CHURN_THREADS; i++)
		EXPECT_EQ(tn_thread_join(&t[i], NULL), 0);
	EXPECT_EQ(tn_heap_check(&heap), 0);
	u = usage_of(&heap);
	EXPECT_EQ(u.blocks_used, 0);
	EXPECT_EQ(u.blocks_free, 1);
	return 0;
}

TEST(heap_shared_across_cpus)
{
	sim_run_main(2, 7, 50, shared_main, NULL);
}
