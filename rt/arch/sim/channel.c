/*
 * Channels on the host simulator: the ends a test declares (their
 * regions in host memory), and a hook that sees the doorbells the core
 * rings, so that a test can play the peer partition with the protocol
 * functions of channel_abi.h and ring back with tn_sim_irq_raise().
 */
#include <string.h>
#include <tenon/channel.h>
#include <tenon/sim.h>

#include "kernel/internal.h"

static struct tn_channel_desc channels[TN_CHANNELS_MAX];
static unsigned int nchannels;
static void (*notify_fn)(uint32_t id, void *arg);
static void *notify_arg;

int tn_sim_channel_add(const struct tn_channel_desc *desc)
{
	if (!desc)
		return -EINVAL;
	if (nchannels == TN_CHANNELS_MAX)
		return -ENOSPC;
	channels[nchannels++] = *desc;
	return 0;
}

void tn_sim_channel_clear(void)
{
	nchannels = 0;
	notify_fn = NULL;
	notify_arg = NULL;
}

void tn_sim_channel_on_notify(void (*fn)(uint32_t id, void *arg), void *arg)
{
	notify_fn = fn;
	notify_arg = arg;
}

const struct tn_channel_desc *arch_channels(unsigned int *count)
{
	*count = nchannels;
	return channels;
}

void arch_channel_notify(uint32_t id)
{
	if (notify_fn)
		notify_fn(id, notify_arg);
}

/* The simulated counter is the virtual clock itself. */
uint64_t arch_counter_read(void)
{
	return (uint64_t)arch_clock_read();
}

tn_time_t arch_counter_to_time(uint64_t ticks)
{
	return (tn_time_t)ticks;
}
