/*
 * Intrusive doubly linked lists. Objects of the real-time API embed them,
 * so the kernel links objects without allocating.
 */
#ifndef TENON_LIST_H
#define TENON_LIST_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct tn_list {
	struct tn_list *next, *prev;
};

#define tn_container_of(ptr, type, member) \
	((type *)((char *)(ptr)-offsetof(type, member)))

#define tn_list_entry(ptr, type, member) tn_container_of(ptr, type, member)

#define tn_list_for_each(pos, head) \
	for ((pos) = (head)->next; (pos) != (head); (pos) = (pos)->next)

static inline void tn_list_init(struct tn_list *l)
{
	l->next = l;
	l->prev = l;
}

static inline bool tn_list_empty(const struct tn_list *l)
{
	return l->next == l;
}

static inline void tn_list_insert(struct tn_list *node, struct tn_list *prev,
				  struct tn_list *next)
{
	node->prev = prev;
	node->next = next;
	prev->next = node;
	next->prev = node;
}

/* Inserts node just before pos (at the tail when pos is the list head). */
static inline void tn_list_add_before(struct tn_list *node, struct tn_list *pos)
{
	tn_list_insert(node, pos->prev, pos);
}

static inline void tn_list_add_tail(struct tn_list *node, struct tn_list *head)
{
	tn_list_insert(node, head->prev, head);
}

static inline void tn_list_add_head(struct tn_list *node, struct tn_list *head)
{
	tn_list_insert(node, head, head->next);
}

/* Unlinks node and leaves it self-linked, so that unlinking twice is safe. */
static inline void tn_list_del(struct tn_list *node)
{
	node->prev->next = node->next;
	node->next->prev = node->prev;
	tn_list_init(node);
}

#ifdef __cplusplus
}
#endif

#endif
