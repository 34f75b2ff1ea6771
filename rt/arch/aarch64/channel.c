/*
 * The port's side of channels: the ends the partition's device tree
 * gives (read at boot, their regions mapped non-cacheable before the MMU
 * is on), and the doorbell to the peer, the hypervisor's
 * TN_HC_CHANNEL_NOTIFY. Alone on the machine there is no hypervisor and
 * no channel.
 */
#include <stdio.h>
#include <string.h>
#include <tenon/channel.h>
#include <tenon/hypercall.h>

#include "arch/aarch64/aarch64.h"

static struct tn_channel_desc channels[TN_CHANNELS_MAX];
static unsigned int nchannels;

void aarch64_channels_init(const struct fdt_info *fdt)
{
	nchannels = 0;
	if (aarch64_native)
		return;
	for (unsigned int i = 0; i < fdt->nchannels; i++) {
		const struct tn_channel_desc *c = &fdt->channels[i];
		int ret = mmu_map_nc((uintptr_t)c->region, c->size);

		if (ret) {
			printf("tenon: channel %s: region %#lx, %lu bytes, "
			       "cannot be mapped (%d): left out\n",
			       c->name, (unsigned long)(uintptr_t)c->region,
			       (unsigned long)c->size, ret);
			continue;
		}
		channels[nchannels++] = *c;
	}
}

const struct tn_channel_desc *arch_channels(unsigned int *count)
{
	*count = nchannels;
	return channels;
}

void arch_channel_notify(uint32_t id)
{
	register uint64_t x0 __asm__("x0") = TN_HC_CHANNEL_NOTIFY;
	register uint64_t x1 __asm__("x1") = id;

	/* The ring's barriers ordered the data before this call. */
	__asm__ volatile("hvc #0"
			 : "+r"(x0), "+r"(x1)
			 :
			 : "x2", "x3", "memory");
}
