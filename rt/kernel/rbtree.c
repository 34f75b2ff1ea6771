/*
 * Red-black tree rebalancing, kept free of allocation and of libc so the
 * timer queue can use it from any kernel context. Nil leaves are NULL and
 * count as black.
 */
#include <tenon/rbtree.h>

/*
 * A valid tree is at most 2 * log2(n + 1) deep, which for any n that fits
 * in memory stays below this; deeper means a cycle or a broken tree, and
 * the bound keeps tn_rb_check() from recursing forever on one.
 */
#define TN_RB_MAX_DEPTH 130

static inline bool is_red(const struct tn_rb_node *node)
{
	return node && node->red;
}

void tn_rb_init(struct tn_rb_root *root)
{
	root->root = NULL;
	root->leftmost = NULL;
}

/*
 * A self-pointing parent cannot occur in a linked node (the root's parent
 * is NULL), so it marks "unlinked" without an extra field.
 */
void tn_rb_node_init(struct tn_rb_node *node)
{
	node->parent = node;
	node->left = NULL;
	node->right = NULL;
	node->red = 0;
}

static void replace_child(struct tn_rb_root *root, struct tn_rb_node *parent,
			  struct tn_rb_node *old, struct tn_rb_node *new)
{
	if (!parent)
		root->root = new;
	else if (parent->left == old)
		parent->left = new;
	else
		parent->right = new;
}

static void rotate_left(struct tn_rb_root *root, struct tn_rb_node *x)
{
	struct tn_rb_node *y = x->right;

	x->right = y->left;
	if (y->left)
		y->left->parent = x;
	y->parent = x->parent;
	replace_child(root, x->parent, x, y);
	y->left = x;
	x->parent = y;
}

static void rotate_right(struct tn_rb_root *root, struct tn_rb_node *x)
{
	struct tn_rb_node *y = x->left;

	x->left = y->right;
	if (y->right)
		y->right->parent = x;
	y->parent = x->parent;
	replace_child(root, x->parent, x, y);
	y->right = x;
	x->parent = y;
}

static void insert_fixup(struct tn_rb_root *root, struct tn_rb_node *node)
{
	struct tn_rb_node *p, *g, *u;

	while ((p = node->parent) && p->red) {
		/* p is red, so it is not the root and g exists. */
		g = p->parent;
		if (p == g->left) {
			u = g->right;
			if (is_red(u)) {
				/* Recolouring pushes the red-red problem up two
				 * levels. */
				p->red = 0;
				u->red = 0;
				g->red = 1;
				node = g;
				continue;
			}
			if (node == p->right) {
				/* Straighten the zig-zag so one rotation at g
				 * finishes. */
				rotate_left(root, p);
				node = p;
				p = node->parent;
			}
			p->red = 0;
			g->red = 1;
			rotate_right(root, g);
		} else {
			u = g->left;
			if (is_red(u)) {
				p->red = 0;
				u->red = 0;
				g->red = 1;
				node = g;
				continue;
			}
			if (node == p->left) {
				rotate_right(root, p);
				node = p;
				p = node->parent;
			}
			p->red = 0;
			g->red = 1;
			rotate_left(root, g);
		}
		/* A rotation case leaves a black subtree top: done. */
		break;
	}
	root->root->red = 0;
}

void tn_rb_insert(struct tn_rb_root *root, struct tn_rb_node *node,
		  tn_rb_less_fn less)
{
	struct tn_rb_node **link = &root->root, *parent = NULL;
	bool leftmost = true;

	while (*link) {
		parent = *link;
		/* Ties go right so equal keys keep their insertion order. */
		if (less(node, parent)) {
			link = &parent->left;
		} else {
			link = &parent->right;
			leftmost = false;
		}
	}

	node->parent = parent;
	node->left = NULL;
	node->right = NULL;
	node->red = 1;
	*link = node;
	if (leftmost)
		root->leftmost = node;

	insert_fixup(root, node);
}

/*
 * x carries an extra black; it may be NULL, which is why its parent is
 * passed separately.
 */
static void erase_fixup(struct tn_rb_root *root, struct tn_rb_node *x,
			struct tn_rb_node *parent)
{
	struct tn_rb_node *w;

	while (x != root->root && !is_red(x)) {
		/*
		 * The sibling w is never NULL: its side must hold at least
		 * one more black than x's side, which has lost one.
		 */
		if (x == parent->left) {
			w = parent->right;
			if (w->red) {
				/* Turn a red sibling into a black one. */
				w->red = 0;
				parent->red = 1;
				rotate_left(root, parent);
				w = parent->right;
			}
			if (!is_red(w->left) && !is_red(w->right)) {
				/* Move the extra black up a level. */
				w->red = 1;
				x = parent;
				parent = x->parent;
				continue;
			}
			if (!is_red(w->right)) {
				w->left->red = 0;
				w->red = 1;
				rotate_right(root, w);
				w = parent->right;
			}
			w->red = parent->red;
			parent->red = 0;
			w->right->red = 0;
			rotate_left(root, parent);
		} else {
			w = parent->left;
			if (w->red) {
				w->red = 0;
				parent->red = 1;
				rotate_right(root, parent);
				w = parent->left;
			}
			if (!is_red(w->left) && !is_red(w->right)) {
				w->red = 1;
				x = parent;
				parent = x->parent;
				continue;
			}
			if (!is_red(w->left)) {
				w->right->red = 0;
				w->red = 1;
				rotate_left(root, w);
				w = parent->left;
			}
			w->red = parent->red;
			parent->red = 0;
			w->left->red = 0;
			rotate_right(root, parent);
		}
		/* The final rotation absorbs the extra black: done. */
		x = root->root;
		break;
	}
	if (x)
		x->red = 0;
}

void tn_rb_erase(struct tn_rb_root *root, struct tn_rb_node *node)
{
	struct tn_rb_node *child, *parent, *succ;
	bool removed_red;

	/* Taken before unlinking, while the successor is still reachable. */
	if (root->leftmost == node)
		root->leftmost = tn_rb_next(node);

	if (!node->left || !node->right) {
		child = node->left ? node->left : node->right;
		parent = node->parent;
		removed_red = node->red;
		replace_child(root, parent, node, child);
		if (child)
			child->parent = parent;
	} else {
		/*
		 * Two children: the successor (which has no left child) is
		 * unlinked from its place and takes over node's position and
		 * colour, so the colour lost is the successor's.
		 */
		succ = node->right;
		while (succ->left)
			succ = succ->left;
		removed_red = succ->red;
		child = succ->right;
		if (succ->parent == node) {
			parent = succ;
		} else {
			parent = succ->parent;
			parent->left = child;
			if (child)
				child->parent = parent;
			succ->right = node->right;
			succ->right->parent = succ;
		}
		replace_child(root, node->parent, node, succ);
		succ->parent = node->parent;
		succ->left = node->left;
		succ->left->parent = succ;
		succ->red = node->red;
	}

	if (!removed_red)
		erase_fixup(root, child, parent);

	tn_rb_node_init(node);
}

struct tn_rb_node *tn_rb_next(const struct tn_rb_node *node)
{
	const struct tn_rb_node *p;

	if (node->right) {
		node = node->right;
		while (node->left)
			node = node->left;
		return (struct tn_rb_node *)node;
	}
	/* Climb until we come up from a left child. */
	while ((p = node->parent) && node == p->right)
		node = p;
	return (struct tn_rb_node *)p;
}

/* Returns the black height of the subtree (nil leaves count 1), or -1. */
static long check_subtree(const struct tn_rb_node *node,
			  const struct tn_rb_node *parent, int depth,
			  long *count)
{
	long lh, rh;

	if (!node)
		return 1;
	if (depth > TN_RB_MAX_DEPTH)
		return -1;
	if (node->parent != parent)
		return -1;
	if (node->red && parent && parent->red)
		return -1;
	lh = check_subtree(node->left, node, depth + 1, count);
	if (lh < 0)
		return -1;
	rh = check_subtree(node->right, node, depth + 1, count);
	if (rh < 0 || lh != rh)
		return -1;
	(*count)++;
	return lh + !node->red;
}

long tn_rb_check(const struct tn_rb_root *root, tn_rb_less_fn less)
{
	const struct tn_rb_node *min, *prev, *cur;
	long count = 0, walked;

	if (!root->root)
		return root->leftmost ? -1 : 0;
	if (root->root->red)
		return -1;
	/* Structure first: the in-order walk below trusts the parent links. */
	if (check_subtree(root->root, NULL, 0, &count) < 0)
		return -1;

	min = root->root;
	while (min->left)
		min = min->left;
	if (root->leftmost != min)
		return -1;

	/* In-order sequence must never step backwards under less. */
	prev = min;
	walked = 1;
	for (cur = tn_rb_next(min); cur; cur = tn_rb_next(cur)) {
		if (less(cur, prev))
			return -1;
		prev = cur;
		if (++walked > count)
			return -1;
	}
	if (walked != count)
		return -1;
	return count;
}
