/*
 * The wait queue every blocking element embeds: threads wait on it in
 * priority order (FIFO among equal priorities), each with its own timeout.
 * Only the kernel links threads into it; applications never touch its fields.
 * Elements a poll set can watch also embed a poll head.
 */
#ifndef TENON_WAIT_H
#define TENON_WAIT_H

#include <tenon/list.h>

#ifdef __cplusplus
extern "C" {
#endif

struct tn_wait_queue {
	struct tn_list waiters; /* highest priority first */
};

/* What a pollable element embeds: the poll items watching it. */
struct tn_poll_head {
	struct tn_list watchers;
};

#ifdef __cplusplus
}
#endif

#endif
