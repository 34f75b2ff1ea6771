/*
 * The thread table for `tenon ps` (tenon/ps.h): when the system gives
 * this partition a sample channel named TN_PS_CHANNEL to write, a thread
 * at the lowest priority publishes every thread's state, CPU, policy,
 * priorities, switches and run time on it, every TN_PS_PERIOD. It runs
 * only when nothing else wants a CPU, so it takes no time from the
 * application's threads beyond its own short switches.
 */
#include <stdio.h>
#include <string.h>
#include <tenon/channel.h>
#include <tenon/ps.h>
#include <tenon/tenon.h>

#include "kernel/internal.h"

#define TN_PS_PERIOD TN_MSEC(250)
#define PS_MAX_THREADS 64

static struct tn_channel ps_channel;
static struct tn_thread ps_thread;
static struct tn_thread_info infos[PS_MAX_THREADS];
static uint8_t table[sizeof(struct tn_ps_header) +
		     PS_MAX_THREADS * sizeof(struct tn_ps_entry)];

static uint32_t ps_state(unsigned int s)
{
	if (s & TN_THREAD_RUNNING)
		return TN_PS_RUNNING;
	if (s & TN_THREAD_WAITING)
		return TN_PS_WAITING;
	if (s & TN_THREAD_SLEEPING)
		return TN_PS_SLEEPING;
	if (s & TN_THREAD_ENDED)
		return TN_PS_ENDED;
	return TN_PS_READY;
}

uint32_t ps_policy(int policy)
{
	switch (policy) {
	case TN_SCHED_RR:
		return TN_PS_RR;
	case TN_SCHED_IDLE:
		return TN_PS_IDLE;
	case TN_SCHED_QUOTA:
		return TN_PS_QUOTA;
	case TN_SCHED_TP:
		return TN_PS_TP;
	default:
		return TN_PS_FIFO;
	}
}

/* Fills the table with at most fit entries; returns its length. */
static size_t snapshot(size_t fit)
{
	struct tn_ps_header *h = (struct tn_ps_header *)table;
	struct tn_ps_entry *e = (struct tn_ps_entry *)(h + 1);
	int total = tn_thread_list(infos, PS_MAX_THREADS);
	int n = total < PS_MAX_THREADS ? total : PS_MAX_THREADS;

	if ((size_t)n > fit)
		n = (int)fit;
	memset(table, 0, sizeof(table));
	h->magic = TN_PS_MAGIC;
	h->version = TN_PS_VERSION;
	h->count = (uint32_t)n;
	h->total = (uint32_t)total;
	h->uptime_ns = (uint64_t)tn_clock_read();
	h->ncpus = (uint32_t)tn_cpu_count();
	h->period_ms = (uint32_t)(TN_PS_PERIOD / TN_MSEC(1));
	for (int i = 0; i < n; i++) {
		const struct tn_thread_info *t = &infos[i];

		snprintf(e[i].name, sizeof(e[i].name), "%s", t->name);
		e[i].state = ps_state(t->state);
		e[i].cpu = t->cpu;
		e[i].policy = ps_policy(t->policy);
		e[i].base_priority = t->base_priority;
		e[i].priority = t->priority;
		e[i].switches = t->stats.switches;
		e[i].runtime_ns = (uint64_t)t->stats.runtime;
		e[i].timeouts = t->stats.timeouts;
		e[i].deadline_misses = t->stats.deadline_misses > UINT32_MAX
					   ? UINT32_MAX
					   : (uint32_t)t->stats.deadline_misses;
	}
	return sizeof(*h) + (size_t)n * sizeof(*e);
}

static void *ps_main(void *arg)
{
	struct tn_channel_info info;
	size_t fit;

	(void)arg;
	if (tn_channel_info(&ps_channel, &info))
		return NULL;
	fit = (info.msg_size - sizeof(struct tn_ps_header)) /
	      sizeof(struct tn_ps_entry);
	for (tn_time_t next = tn_clock_read();; next += TN_PS_PERIOD) {
		tn_channel_publish(&ps_channel, table, snapshot(fit));
		tn_sleep_until(next + TN_PS_PERIOD);
	}
	return NULL;
}

void ps_start(void)
{
	struct tn_thread_attr attr;
	struct tn_channel_info info;

	if (tn_channel_open(&ps_channel, TN_PS_CHANNEL, NULL))
		return;
	if (tn_channel_info(&ps_channel, &info) ||
	    info.kind != TN_CHAN_SAMPLE || info.role != TN_CHAN_WRITER ||
	    info.msg_size <
		sizeof(struct tn_ps_header) + sizeof(struct tn_ps_entry)) {
		printf("tenon: channel %s: not a sample this partition writes, "
		       "of at least %zu bytes: no thread table\n",
		       TN_PS_CHANNEL,
		       sizeof(struct tn_ps_header) +
			   sizeof(struct tn_ps_entry));
		tn_channel_close(&ps_channel);
		return;
	}
	tn_thread_attr_init(&attr);
	attr.name = "tenon-ps";
	attr.sched.priority = TN_PRIO_MIN;
	attr.affinity = TN_CPU(0);
	if (tn_thread_create(&ps_thread, &attr, ps_main, NULL))
		tn_channel_close(&ps_channel);
}
