/*
 * The thread table a real-time partition publishes for `tenon ps`: the
 * value of a sample channel named TN_PS_CHANNEL that the partition
 * writes (the system description declares it), refreshed every
 * period_ms by the core itself at the lowest priority. A header, then
 * count entries; a reader checks magic, version and that count entries
 * fit in what it read before it trusts any.
 */
#ifndef TENON_ABI_PS_H
#define TENON_ABI_PS_H

#include <stdint.h>

#define TN_PS_CHANNEL "tenon-ps"
#define TN_PS_MAGIC 0x53505354u /* "TSPS" */
#define TN_PS_VERSION 1
#define TN_PS_NAME_MAX 24

struct tn_ps_header {
	uint32_t magic;
	uint32_t version;
	uint32_t count;	    /* entries that follow */
	uint32_t total;	    /* threads there are (more than count: cut) */
	uint64_t uptime_ns; /* the partition's clock at the snapshot */
	uint32_t ncpus;
	uint32_t period_ms; /* how often the table is refreshed */
};

enum tn_ps_state {
	TN_PS_RUNNING = 1,
	TN_PS_READY = 2,
	TN_PS_WAITING = 3,
	TN_PS_SLEEPING = 4,
	TN_PS_ENDED = 5,
};

enum tn_ps_policy {
	TN_PS_FIFO = 1,
	TN_PS_RR = 2,
	TN_PS_IDLE = 3,
	/* EVL's temporal classes; a reader older than these shows "?". */
	TN_PS_QUOTA = 4,
	TN_PS_TP = 5,
};

struct tn_ps_entry {
	char name[TN_PS_NAME_MAX]; /* NUL-terminated, cut if longer */
	uint32_t state;		   /* enum tn_ps_state */
	int32_t cpu;
	uint32_t policy;       /* enum tn_ps_policy */
	int32_t base_priority; /* as set */
	int32_t priority;      /* in force (PI/PP boosts) */
	/* Of its period, saturated; an older core left 0 here (reserved). */
	uint32_t deadline_misses;
	uint64_t switches;   /* times switched in */
	uint64_t runtime_ns; /* time spent running */
	uint64_t timeouts;   /* waits that ended by timeout */
};

#endif
