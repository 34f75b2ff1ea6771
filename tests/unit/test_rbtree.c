/*
 * Tests for the intrusive red-black tree behind the timer queue: ordering,
 * FIFO among equal keys, the cached first node, linked state, and that
 * tn_rb_check() holds through long random insert/erase runs.
 */
#include "harness.h"
#include <tenon/rbtree.h>

struct item {
	int key;
	unsigned seq; /* insertion order, to tell equal keys apart */
	struct tn_rb_node node;
};

static int item_less(const struct tn_rb_node *a, const struct tn_rb_node *b)
{
	return tn_rb_entry(a, struct item, node)->key <
	       tn_rb_entry(b, struct item, node)->key;
}

static struct item *item_of(struct tn_rb_node *n)
{
	return n ? tn_rb_entry(n, struct item, node) : NULL;
}

/* Fixed-seed xorshift32 so every run exercises the same sequence. */
static uint32_t rng_state;

static void rng_seed(uint32_t seed)
{
	rng_state = seed ? seed : 1;
}

static uint32_t rng_next(void)
{
	uint32_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	rng_state = x;
	return x;
}

static unsigned insert_seq;

static void insert_item(struct tn_rb_root *root, struct item *it, int key)
{
	it->key = key;
	it->seq = insert_seq++;
	tn_rb_insert(root, &it->node, item_less);
}

/*
 * Walks the tree in order and fails unless (key, seq) strictly increases,
 * which is ordering plus FIFO among equal keys. Returns the node count.
 */
static long expect_sorted_fifo(const struct tn_rb_root *root)
{
	struct item *prev = NULL;
	long n = 0;

	for (struct tn_rb_node *c = tn_rb_first(root); c; c = tn_rb_next(c)) {
		struct item *it = item_of(c);

		if (prev) {
			EXPECT(prev->key <= it->key);
			if (prev->key == it->key)
				EXPECT(prev->seq < it->seq);
		}
		prev = it;
		n++;
	}
	return n;
}

#define SMALL_N 200

TEST(rbtree_insert_keeps_order)
{
	static struct item items[SMALL_N];
	struct tn_rb_root root;
	int k = 0;

	tn_rb_init(&root);
	rng_seed(12345);
	for (int i = 0; i < SMALL_N; i++) {
		tn_rb_node_init(&items[i].node);
		insert_item(&root, &items[i], (int)(rng_next() % 100000));
		EXPECT_EQ(tn_rb_check(&root, item_less), i + 1);
	}
	EXPECT_EQ(expect_sorted_fifo(&root), SMALL_N);

	/* Ascending and descending inserts hit the rotation cases hardest. */
	tn_rb_init(&root);
	for (int i = 0; i < SMALL_N; i++) {
		tn_rb_node_init(&items[i].node);
		insert_item(&root, &items[i],
			    i < SMALL_N / 2 ? i : SMALL_N - i);
		EXPECT_EQ(tn_rb_check(&root, item_less), i + 1);
	}
	EXPECT_EQ(expect_sorted_fifo(&root), SMALL_N);
	for (struct tn_rb_node *c = tn_rb_first(&root); c; c = tn_rb_next(c))
		k++;
	EXPECT_EQ(k, SMALL_N);
}

TEST(rbtree_equal_keys_fifo)
{
	static struct item items[SMALL_N];
	struct tn_rb_root root;
	struct tn_rb_node *c;
	int i;

	tn_rb_init(&root);
	/* Three keys interleaved, so equal runs are built out of order. */
	for (i = 0; i < SMALL_N; i++) {
		tn_rb_node_init(&items[i].node);
		insert_item(&root, &items[i], (i * 7) % 3);
	}
	EXPECT_EQ(tn_rb_check(&root, item_less), SMALL_N);
	EXPECT_EQ(expect_sorted_fifo(&root), SMALL_N);

	/* Draining from the front must give insertion order within a key. */
	for (int key = 0; key < 3; key++) {
		for (i = 0; i < SMALL_N; i++) {
			if ((i * 7) % 3 != key)
				continue;
			c = tn_rb_first(&root);
			EXPECT(c == &items[i].node);
			tn_rb_erase(&root, c);
			EXPECT(tn_rb_check(&root, item_less) >= 0);
		}
	}
	EXPECT(tn_rb_empty(&root));
}

TEST(rbtree_erase_any_node)
{
	static struct item items[SMALL_N];
	int order[SMALL_N];
	struct tn_rb_root root;

	tn_rb_init(&root);
	rng_seed(777);
	for (int i = 0; i < SMALL_N; i++) {
		tn_rb_node_init(&items[i].node);
		insert_item(&root, &items[i], (int)(rng_next() % 50));
		order[i] = i;
	}
	/* Fisher-Yates so erases land on roots, inner nodes and leaves. */
	for (int i = SMALL_N - 1; i > 0; i--) {
		int j = (int)(rng_next() % (uint32_t)(i + 1));
		int t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (int i = 0; i < SMALL_N; i++) {
		struct item *it = &items[order[i]];

		tn_rb_erase(&root, &it->node);
		EXPECT(!tn_rb_linked(&it->node));
		EXPECT_EQ(tn_rb_check(&root, item_less), SMALL_N - i - 1);
		EXPECT_EQ(expect_sorted_fifo(&root), SMALL_N - i - 1);
	}
	EXPECT(tn_rb_empty(&root));
	EXPECT(tn_rb_first(&root) == NULL);
}

#define TORTURE_POOL 512
#define TORTURE_OPS 40000

TEST(rbtree_random_torture)
{
	static struct item items[TORTURE_POOL];
	struct tn_rb_root root;
	long count = 0;

	tn_rb_init(&root);
	rng_seed(0xC0FFEEu);
	for (int i = 0; i < TORTURE_POOL; i++)
		tn_rb_node_init(&items[i].node);

	for (int op = 0; op < TORTURE_OPS; op++) {
		struct item *it = &items[rng_next() % TORTURE_POOL];
		struct item *min = NULL;

		if (tn_rb_linked(&it->node)) {
			tn_rb_erase(&root, &it->node);
			count--;
		} else {
			/* A narrow key range makes equal keys common. */
			insert_item(&root, it, (int)(rng_next() % 64));
			count++;
		}
		EXPECT_EQ(tn_rb_check(&root, item_less), count);

		/* The first node is the smallest key, earliest among equals. */
		for (int i = 0; i < TORTURE_POOL; i++) {
			struct item *c = &items[i];

			if (!tn_rb_linked(&c->node))
				continue;
			if (!min || c->key < min->key ||
			    (c->key == min->key && c->seq < min->seq))
				min = c;
		}
		EXPECT(item_of(tn_rb_first(&root)) == min);
		if (op % 1000 == 0)
			EXPECT_EQ(expect_sorted_fifo(&root), count);
	}
	EXPECT_EQ(expect_sorted_fifo(&root), count);
}

TEST(rbtree_first_is_cached_min)
{
	struct item a, b, c, d;
	struct tn_rb_root root;

	tn_rb_init(&root);
	EXPECT(tn_rb_first(&root) == NULL);
	EXPECT(tn_rb_empty(&root));

	tn_rb_node_init(&a.node);
	tn_rb_node_init(&b.node);
	tn_rb_node_init(&c.node);
	tn_rb_node_init(&d.node);
	insert_item(&root, &a, 50);
	EXPECT(tn_rb_first(&root) == &a.node);
	insert_item(&root, &b, 70);
	EXPECT(tn_rb_first(&root) == &a.node);
	insert_item(&root, &c, 10);
	EXPECT(tn_rb_first(&root) == &c.node);
	/* An equal key goes behind, so the cached first must not move. */
	insert_item(&root, &d, 10);
	EXPECT(tn_rb_first(&root) == &c.node);
	EXPECT(!tn_rb_empty(&root));
	EXPECT_EQ(tn_rb_check(&root, item_less), 4);

	tn_rb_erase(&root, &c.node);
	EXPECT(tn_rb_first(&root) == &d.node);
	/* Erasing a non-first node leaves the cache alone. */
	tn_rb_erase(&root, &b.node);
	EXPECT(tn_rb_first(&root) == &d.node);
	tn_rb_erase(&root, &d.node);
	EXPECT(tn_rb_first(&root) == &a.node);
	tn_rb_erase(&root, &a.node);
	EXPECT(tn_rb_first(&root) == NULL);
	EXPECT(tn_rb_empty(&root));
	EXPECT_EQ(tn_rb_check(&root, item_less), 0);
}

TEST(rbtree_linked_state)
{
	struct item a, b;
	struct tn_rb_root root;

	tn_rb_init(&root);
	tn_rb_node_init(&a.node);
	tn_rb_node_init(&b.node);
	EXPECT(!tn_rb_linked(&a.node));

	/* The root has a NULL parent and must still read as linked. */
	insert_item(&root, &a, 1);
	EXPECT(tn_rb_linked(&a.node));
	insert_item(&root, &b, 2);
	EXPECT(tn_rb_linked(&b.node));

	tn_rb_erase(&root, &a.node);
	EXPECT(!tn_rb_linked(&a.node));
	EXPECT(tn_rb_linked(&b.node));

	/* Re-inserting an erased node must work like a fresh one. */
	insert_item(&root, &a, 0);
	EXPECT(tn_rb_linked(&a.node));
	EXPECT(tn_rb_first(&root) == &a.node);
	EXPECT_EQ(tn_rb_check(&root, item_less), 2);

	tn_rb_erase(&root, &b.node);
	tn_rb_erase(&root, &a.node);
	EXPECT(!tn_rb_linked(&a.node));
	EXPECT(!tn_rb_linked(&b.node));
}

static int is_red_node(const struct tn_rb_node *n)
{
	return n && n->red;
}

TEST(rbtree_check_detects_corruption)
{
	static struct item items[16];
	struct tn_rb_root root;
	struct tn_rb_node *n, *leftmost;

	tn_rb_init(&root);
	for (int i = 0; i < 16; i++) {
		tn_rb_node_init(&items[i].node);
		insert_item(&root, &items[i], i);
	}
	EXPECT_EQ(tn_rb_check(&root, item_less), 16);

	/*
	 * Red-red alone, black heights intact: a colour flip (black node with
	 * two red children turns red, children black) under a red parent.
	 */
	n = NULL;
	for (int i = 0; i < 16; i++) {
		struct tn_rb_node *p = &items[i].node;

		if (!p->red && is_red_node(p->left) && is_red_node(p->right) &&
		    is_red_node(p->parent)) {
			n = p;
			break;
		}
	}
	EXPECT(n != NULL);
	n->red = 1;
	n->left->red = 0;
	n->right->red = 0;
	EXPECT(tn_rb_check(&root, item_less) < 0);
	n->red = 0;
	n->left->red = 1;
	n->right->red = 1;
	EXPECT_EQ(tn_rb_check(&root, item_less), 16);

	/* Flipping one colour changes a black height. */
	root.root->left->red ^= 1;
	EXPECT(tn_rb_check(&root, item_less) < 0);
	root.root->left->red ^= 1;
	EXPECT_EQ(tn_rb_check(&root, item_less), 16);

	/* A stale leftmost cache. */
	leftmost = root.leftmost;
	root.leftmost = tn_rb_next(leftmost);
	EXPECT(tn_rb_check(&root, item_less) < 0);
	root.leftmost = leftmost;

	/* A key changed behind the tree's back breaks BST order. */
	items[0].key = 100;
	EXPECT(tn_rb_check(&root, item_less) < 0);
	items[0].key = 0;
	EXPECT_EQ(tn_rb_check(&root, item_less), 16);
}
