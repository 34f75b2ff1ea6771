/*
 * Prints a generated system table (sysconfig.c, linked with this file)
 * one line per partition, then one per device it has ("device PART NAME
 * BASE+SIZE irq INTID pad PAD") and one per pristine copy ("copy PART
 * dtb|image|initrd pa PA ipa IPA size SIZE", or "... none"), for
 * tests/config/run.sh to compare with what the test expects. Exit status
 * 1 if the table's magic or version is wrong, the machine's RAM is not
 * below 2^pa_bits (printed as "pa-bits N"), a name is not terminated, a
 * partition has too many devices, its device tree is not where the arm64
 * boot protocol wants it (above the image and any initrd, 8-byte aligned,
 * not across 2 MiB, within 512 MiB of the image, in its RAM), or a copy
 * is misplaced: not at its IPA's offset from 2 MiB, not running to a
 * block's end, not outside the hypervisor's and every partition's RAM
 * (and inside the physical RAM, if its end is given), overlapping
 * another, not where the partition finds it (its device tree, its image,
 * an initrd above the image) or missing. Then one line per channel
 * ("channel NAME kind K msg M depth D validity V ipa IPA size SIZE ends
 * N") and per end ("end NAME PARTITION role R intid I pci D bar0 B"),
 * exit status 1 if a region is not a power of two, its IPA not aligned
 * to it or its PA not to a page, or it lies outside the RAM or overlaps
 * the hypervisor's, a partition's, a copy or another region. Then the
 * health monitor: "hm-intid I", per partition "health NAME actions A1 ..
 * A12 restart MAX WINDOW room ROOM bar0 B" (its table by event 1..12),
 * "manager N" and "load pa PA ipa IPA size SIZE" (or "load none"), exit
 * status 1 if a table has an action out of range or an entry past the
 * events, a restart limit half given, the manager is not a partition,
 * or the load window is not a power of two of at least 2 MiB aligned to
 * it in the channels' window, overlaps a region there, or lies outside
 * the RAM or over the hypervisor's, a partition's, a copy or a region.
 *   usage: dump [RAM_END]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenon/sysconfig.h"

extern const struct tn_sysconfig tn_sysconfig;

static unsigned long long u(uint64_t v)
{
	return (unsigned long long)v;
}

static const char *const copy_name[TN_CFG_COPIES] = {"dtb", "image", "initrd"};

static int overlap(uint64_t a, uint64_t a_size, uint64_t b, uint64_t b_size)
{
	return a < b + b_size && b < a + a_size;
}

/* Whether copy k of partition i is where it should be; says why not. */
static int check_copy(const struct tn_sysconfig *c, uint32_t i, int k,
		      uint64_t ram_end)
{
	const struct tn_cfg_partition *p = &c->partitions[i];
	const struct tn_cfg_copy *copy = &p->copies[k];
	const uint64_t ipa[TN_CFG_COPIES] = {p->dtb_ipa, p->entry_ipa,
					     copy->ipa};
	const char *what = copy_name[k];
	uint64_t block = 0x200000;

	if (!copy->pa && !copy->ipa && !copy->size) {
		if (k == 2)
			return 1;
		printf("partition %s: no copy of its %s\n", p->name, what);
		return 0;
	}
	if (!copy->size || copy->pa % block != copy->ipa % block ||
	    (copy->pa + copy->size) % block) {
		printf("partition %s: copy of its %s at 0x%llx, size 0x%llx: "
		       "empty, or not in whole 2 MiB blocks as it is loaded\n",
		       p->name, what, u(copy->pa), u(copy->size));
		return 0;
	}
	if (k == 2 && (copy->ipa < p->image_end_ipa ||
		       copy->ipa + copy->size > p->dtb_ipa)) {
		printf("partition %s: its initrd at 0x%llx is not between its "
		       "image and its device tree\n",
		       p->name, u(copy->ipa));
		return 0;
	}
	if (copy->ipa != ipa[k]) {
		printf("partition %s: copy of its %s for IPA 0x%llx, not "
		       "0x%llx\n",
		       p->name, what, u(copy->ipa), u(ipa[k]));
		return 0;
	}
	if (overlap(copy->pa, copy->size, c->hyp_pa, c->hyp_size)) {
		printf("partition %s: copy of its %s in the hypervisor's RAM\n",
		       p->name, what);
		return 0;
	}
	if (ram_end && (copy->pa < 0x40000000 || copy->pa >= ram_end ||
			copy->size > ram_end - copy->pa)) {
		printf("partition %s: copy of its %s outside the RAM "
		       "0x40000000..0x%llx\n",
		       p->name, what, u(ram_end));
		return 0;
	}
	for (uint32_t j = 0; j < c->npartitions; j++) {
		const struct tn_cfg_partition *o = &c->partitions[j];

		if (overlap(copy->pa, copy->size, o->ram_pa, o->ram_size)) {
			printf("partition %s: copy of its %s in the RAM of "
			       "%s\n",
			       p->name, what, o->name);
			return 0;
		}
		for (int l = 0; l < TN_CFG_COPIES; l++) {
			const struct tn_cfg_copy *other = &o->copies[l];

			if ((j != i || l != k) &&
			    overlap(copy->pa, copy->size, other->pa,
				    other->size)) {
				printf("partition %s: copy of its %s overlaps "
				       "that of %s's %s\n",
				       p->name, what, o->name, copy_name[l]);
				return 0;
			}
		}
	}
	return 1;
}

/* Whether the device tree is where the arm64 boot protocol wants it. */
static int check_dtb(const struct tn_cfg_partition *p)
{
	uint64_t block = 0x200000, at = p->dtb_ipa, end = at + p->dtb_room;

	if (!p->dtb_room || p->dtb_room > block || at % 8 ||
	    at / block != (end - 1) / block || at < p->image_end_ipa ||
	    p->entry_ipa > p->image_end_ipa || p->entry_ipa < p->ram_ipa ||
	    end - p->entry_ipa > 512u << 20 || at < p->ram_ipa ||
	    end > p->ram_ipa + p->ram_size) {
		printf("partition %s: device tree at 0x%llx+0x%llx, image at "
		       "0x%llx..0x%llx: not as the boot protocol says\n",
		       p->name, u(at), u(p->dtb_room), u(p->entry_ipa),
		       u(p->image_end_ipa));
		return 0;
	}
	return 1;
}

/* Prints channel i; whether its region is where it may be. */
static int dump_channel(const struct tn_sysconfig *c, uint32_t i,
			uint64_t ram_end)
{
	const struct tn_cfg_channel *ch = &c->channels[i];
	uint64_t pa = ch->region_pa, size = ch->region_size;

	if (!memchr(ch->name, '\0', sizeof(ch->name)) || !ch->nends ||
	    ch->nends > TN_CFG_MAX_PARTITIONS) {
		printf("channel %u: name not terminated or %u ends\n", i,
		       ch->nends);
		return 0;
	}
	printf("channel %s kind %u msg %u depth %u validity %u ipa 0x%llx "
	       "size 0x%llx ends %u\n",
	       ch->name, ch->kind, ch->msg_size, ch->depth, ch->validity_us,
	       u(ch->region_ipa), u(size), ch->nends);
	for (uint32_t e = 0; e < ch->nends; e++) {
		const struct tn_cfg_chan_end *end = &ch->ends[e];

		if (end->partition >= c->npartitions)
			return 0;
		printf("end %s %s role %u intid %u pci %u bar0 0x%llx\n",
		       ch->name, c->partitions[end->partition].name, end->role,
		       end->intid, end->pci_dev, u(end->bar0_ipa));
	}
	if (size < 0x4000 || size & (size - 1) || ch->region_ipa % size ||
	    pa % 4096 || pa < 0x40000000 || (ram_end && pa + size > ram_end) ||
	    overlap(pa, size, c->hyp_pa, c->hyp_size)) {
		printf("channel %s: region 0x%llx+0x%llx at IPA 0x%llx: "
		       "misplaced\n",
		       ch->name, u(pa), u(size), u(ch->region_ipa));
		return 0;
	}
	for (uint32_t j = 0; j < c->npartitions; j++) {
		const struct tn_cfg_partition *o = &c->partitions[j];

		for (int k = 0; k < TN_CFG_COPIES; k++)
			if (o->copies[k].size &&
			    overlap(pa, size, o->copies[k].pa & ~0x1fffffull,
				    o->copies[k].size +
					(o->copies[k].pa & 0x1fffff))) {
				printf("channel %s: region in a copy of %s\n",
				       ch->name, o->name);
				return 0;
			}
		if (overlap(pa, size, o->ram_pa, o->ram_size)) {
			printf("channel %s: region in the RAM of %s\n",
			       ch->name, o->name);
			return 0;
		}
	}
	for (uint32_t j = 0; j < i; j++)
		if (overlap(pa, size, c->channels[j].region_pa,
			    c->channels[j].region_size) ||
		    overlap(ch->region_ipa, size, c->channels[j].region_ipa,
			    c->channels[j].region_size)) {
			printf("channel %s: region overlaps that of %s\n",
			       ch->name, c->channels[j].name);
			return 0;
		}
	return 1;
}

/* Prints the health monitor's part; whether it holds up. */
static int dump_health(const struct tn_sysconfig *c, uint64_t ram_end)
{
	uint64_t pa = c->load_pa, size = c->load_size, ipa = c->load_ipa;

	printf("hm-intid %u\n", c->platform.hm_intid);
	for (uint32_t i = 0; i < c->npartitions; i++) {
		const struct tn_cfg_partition *p = &c->partitions[i];

		printf("health %s actions", p->name);
		for (int e = 1; e <= 12; e++)
			printf(" %u", p->hm_actions[e]);
		printf(" restart %u %u room 0x%llx bar0 0x%llx\n",
		       p->restart_max, p->restart_window_ms, u(p->image_room),
		       u(p->mgr_bar0_ipa));
		for (int e = 0; e < 16; e++)
			if (p->hm_actions[e] > 7 ||
			    (p->hm_actions[e] && (e == 0 || e > 12))) {
				printf("partition %s: action %u for event %d\n",
				       p->name, p->hm_actions[e], e);
				return 0;
			}
		if (!p->restart_max != !p->restart_window_ms ||
		    !p->image_room ||
		    p->entry_ipa + p->image_room > p->dtb_ipa) {
			printf("partition %s: restart limit or image room "
			       "wrong\n",
			       p->name);
			return 0;
		}
	}
	if (c->manager == 0xffffffffu)
		printf("manager none\n");
	else
		printf("manager %u\n", c->manager);
	if (c->manager != 0xffffffffu && c->manager >= c->npartitions)
		return 0;
	if (!size) {
		printf("load none\n");
		return !pa && !ipa;
	}
	printf("load pa 0x%llx ipa 0x%llx size 0x%llx\n", u(pa), u(ipa),
	       u(size));
	if (size < 0x200000 || size & (size - 1) || ipa % size ||
	    pa % 0x200000 || ipa < c->platform.chan_ipa_base ||
	    ipa + size >
		c->platform.chan_ipa_base + c->platform.chan_ipa_size ||
	    pa < 0x40000000 || (ram_end && pa + size > ram_end) ||
	    overlap(pa, size, c->hyp_pa, c->hyp_size)) {
		printf("load window misplaced\n");
		return 0;
	}
	for (uint32_t j = 0; j < c->npartitions; j++) {
		const struct tn_cfg_partition *o = &c->partitions[j];

		for (int k = 0; k < TN_CFG_COPIES; k++)
			if (o->copies[k].size &&
			    overlap(pa, size, o->copies[k].pa & ~0x1fffffull,
				    o->copies[k].size +
					(o->copies[k].pa & 0x1fffff))) {
				printf("load window in a copy of %s\n",
				       o->name);
				return 0;
			}
		if (overlap(pa, size, o->ram_pa, o->ram_size)) {
			printf("load window in the RAM of %s\n", o->name);
			return 0;
		}
	}
	for (uint32_t j = 0; j < c->nchannels; j++)
		if (overlap(pa, size, c->channels[j].region_pa,
			    c->channels[j].region_size) ||
		    overlap(ipa, size, c->channels[j].region_ipa,
			    c->channels[j].region_size)) {
			printf("load window overlaps channel %s\n",
			       c->channels[j].name);
			return 0;
		}
	return 1;
}

int main(int argc, char *argv[])
{
	const struct tn_sysconfig *c = &tn_sysconfig;
	uint64_t ram_end = argc > 1 ? strtoull(argv[1], NULL, 0) : 0;

	if (c->magic != TN_SYSCONFIG_MAGIC ||
	    c->version != TN_SYSCONFIG_VERSION) {
		printf("bad magic %#x or version %u\n", c->magic, c->version);
		return 1;
	}
	printf("cpus %u\n", c->ncpus);
	printf("console-cpu %u\n", c->console_cpu);
	if (c->console_cpu >= c->ncpus) {
		printf("console-cpu %u is not a CPU of the machine\n",
		       c->console_cpu);
		return 1;
	}
	printf("pa-bits %u\n", c->platform.pa_bits);
	if (c->platform.pa_bits < 32 || c->platform.pa_bits > 48 ||
	    c->platform.ram_base + c->platform.ram_size >
		1ull << c->platform.pa_bits) {
		printf("RAM 0x%llx+0x%llx is not below 2^%u\n",
		       u(c->platform.ram_base), u(c->platform.ram_size),
		       c->platform.pa_bits);
		return 1;
	}
	printf("hypervisor 0x%llx+0x%llx\n", u(c->hyp_pa), u(c->hyp_size));
	printf("partitions %u\n", c->npartitions);
	if (c->npartitions > TN_CFG_MAX_PARTITIONS) {
		printf("%u partitions\n", c->npartitions);
		return 1;
	}
	for (uint32_t i = 0; i < c->npartitions; i++) {
		const struct tn_cfg_partition *p = &c->partitions[i];

		if (!memchr(p->name, '\0', sizeof(p->name))) {
			printf("partition %u: name not terminated\n", i);
			return 1;
		}
		printf("partition %s %s cpus", p->name,
		       p->kind == TN_CFG_KIND_RTOS    ? "rtos"
		       : p->kind == TN_CFG_KIND_LINUX ? "linux"
						      : "?");
		for (uint32_t j = 0; j < p->ncpus; j++)
			printf(" %u", p->cpus[j]);
		printf(" ram 0x%llx+0x%llx ipa 0x%llx entry 0x%llx dtb 0x%llx "
		       "console %u devices %u\n",
		       u(p->ram_pa), u(p->ram_size), u(p->ram_ipa),
		       u(p->entry_ipa), u(p->dtb_ipa), p->console, p->ndevices);
		printf("interrupts %s %s\n", p->name,
		       p->irq_delivery == TN_CFG_IRQ_DIRECT    ? "direct"
		       : p->irq_delivery == TN_CFG_IRQ_VIRTUAL ? "virtual"
							       : "?");
		if (p->ndevices > TN_CFG_MAX_DEVICES) {
			printf("partition %s: %u devices\n", p->name,
			       p->ndevices);
			return 1;
		}
		for (uint32_t j = 0; j < p->ndevices; j++) {
			const struct tn_cfg_device *d = &p->devices[j];

			if (!memchr(d->name, '\0', sizeof(d->name))) {
				printf("partition %s: device %u: name not "
				       "terminated\n",
				       p->name, j);
				return 1;
			}
			printf("device %s %s 0x%llx+0x%llx irq %u pad %u\n",
			       p->name, d->name, u(d->base), u(d->size), d->irq,
			       d->pad);
		}
		for (int k = 0; k < TN_CFG_COPIES; k++) {
			const struct tn_cfg_copy *copy = &p->copies[k];

			if (copy->size)
				printf("copy %s %s pa 0x%llx ipa 0x%llx size "
				       "0x%llx\n",
				       p->name, copy_name[k], u(copy->pa),
				       u(copy->ipa), u(copy->size));
			else
				printf("copy %s %s none\n", p->name,
				       copy_name[k]);
		}
	}
	for (uint32_t i = 0; i < c->npartitions; i++) {
		if (!check_dtb(&c->partitions[i]))
			return 1;
		for (int k = 0; k < TN_CFG_COPIES; k++)
			if (!check_copy(c, i, k, ram_end))
				return 1;
	}
	printf("channels %u\n", c->nchannels);
	if (c->nchannels > TN_CFG_MAX_CHANNELS)
		return 1;
	for (uint32_t i = 0; i < c->nchannels; i++)
		if (!dump_channel(c, i, ram_end))
			return 1;
	return dump_health(c, ram_end) ? 0 : 1;
}
