/*
 * The wait queue every blocking element embeds: threads wait on it in
 * priority order (FIFO among equal priorities), each with its own timeout.
 * Only the kernel links threads into it; applications never touch its fields.
 */
#ifndef TENON_WAIT_H
#define TENON_WAIT_H

#include <tenon/list.h>

struct tn_wait_queue {
	struct tn_list waiters; /* highest priority first */
};

#endif
