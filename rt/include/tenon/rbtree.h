/*
 * Intrusive red-black tree with a cached leftmost node, owned by the kernel
 * for ordered queues (the timer queue first): no allocation, O(log n) insert
 * and erase, O(1) access to the first node.
 */
#ifndef TENON_RBTREE_H
#define TENON_RBTREE_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct tn_rb_node {
	struct tn_rb_node *parent, *left, *right;
	int red;
};

struct tn_rb_root {
	struct tn_rb_node *root;
	struct tn_rb_node *leftmost; /* cached, O(1) first */
};

/* Strict weak order: returns nonzero when a sorts before b. */
typedef int (*tn_rb_less_fn)(const struct tn_rb_node *a,
			     const struct tn_rb_node *b);

void tn_rb_init(struct tn_rb_root *root);
/* Marks the node unlinked. */
void tn_rb_node_init(struct tn_rb_node *node);
/*
 * False after tn_rb_node_init() or tn_rb_erase(), which point an unlinked
 * node's parent at itself. Inline: every armed-timer test on the wake-up
 * path asks it.
 */
static inline bool tn_rb_linked(const struct tn_rb_node *node)
{
	return node->parent != node;
}
/*
 * Equal keys: the new node goes AFTER all nodes it does not sort before
 * (FIFO among equals).
 */
void tn_rb_insert(struct tn_rb_root *root, struct tn_rb_node *node,
		  tn_rb_less_fn less);
/* The node must be linked; it is left unlinked. */
void tn_rb_erase(struct tn_rb_root *root, struct tn_rb_node *node);

static inline struct tn_rb_node *tn_rb_first(const struct tn_rb_root *root)
{
	return root->leftmost;
}

static inline bool tn_rb_empty(const struct tn_rb_root *root)
{
	return root->root == NULL;
}

/* In-order successor, or NULL. */
struct tn_rb_node *tn_rb_next(const struct tn_rb_node *node);

/*
 * Checks every invariant (BST order under less, parent links, no red-red,
 * equal black height, leftmost cache). Returns the number of nodes, or a
 * negative number when something is wrong. Used by tests; O(n).
 */
long tn_rb_check(const struct tn_rb_root *root, tn_rb_less_fn less);

#define tn_rb_entry(ptr, type, member) \
	((type *)((char *)(ptr)-offsetof(type, member)))

#ifdef __cplusplus
}
#endif

#endif
