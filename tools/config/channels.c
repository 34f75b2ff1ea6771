/*
 * The channels between partitions (/channels): each node is one channel,
 * named by the node, of one kind (queue, sample or stream), with one
 * writer partition and its reader (a sample: one or more readers), and
 * its sizes, held to the limits of tenon/channel_abi.h. Every error names
 * the channel's node. Then each channel's shared region is placed: its
 * PA in RAM given to nobody (nor to a pristine copy), page-aligned; its
 * IPA, the same in every end, in the platform's channel window, aligned
 * to its size (Linux sees it as a PCI BAR, which is). Each Linux end is
 * a function on its partition's emulated PCI bus 0, numbered in the
 * order of the channels.
 */
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "tenon-config.h"
#include "tenon/channel_abi.h"

#define PAGE 4096ull

static const char *const chan_props[] = {
    "kind", "writer", "reader", "msg-size", "depth", "validity-us", NULL,
};

const char *chan_kind_name(uint32_t kind)
{
	return kind == TN_CHAN_QUEUE	? "queue"
	       : kind == TN_CHAN_SAMPLE ? "sample"
	       : kind == TN_CHAN_STREAM ? "stream"
					: "?";
}

uint32_t chan_spi(const struct sys *sys, const struct chan *c)
{
	return plat.chan_spi_base + (uint32_t)(c - sys->chans);
}

static bool known_prop(const char *name)
{
	for (const char *const *p = chan_props; *p; p++)
		if (!strcmp(*p, name))
			return true;
	return false;
}

/* The partition named s, or -1. */
static int partition_named(const struct sys *sys, const char *s)
{
	for (unsigned i = 0; i < sys->nparts; i++)
		if (!strcmp(sys->parts[i].name, s))
			return (int)i;
	return -1;
}

/* "rt, linux": the partitions, for messages. */
static const char *partition_names(const struct sys *sys, char *buf,
				   size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < sys->nparts && len < size; i++)
		len += snprintf(buf + len, size - len, "%s%s", i ? ", " : "",
				sys->parts[i].name);
	return buf;
}

/*
 * A property of one cell; ABSENT (0), GOOD (1) or BAD (-1), reported. The
 * sizes are 32-bit in the region's layout, so one cell is what they take.
 */
static int read_u32(const struct sys *sys, const void *fdt, int off,
		    const struct chan *c, const char *name, const char *example,
		    uint32_t *out)
{
	int len;
	const fdt32_t *val = fdt_getprop(fdt, off, name, &len);

	if (!val)
		return 0;
	if (len != 4) {
		cfg_error(sys, c->path,
			  "%s must be one cell, e.g. %s (got %d "
			  "bytes)",
			  name, example, len);
		return -1;
	}
	*out = fdt32_ld(val);
	return 1;
}

static void add_end(struct chan *c, int part, uint32_t role)
{
	if (c->nends < TN_CFG_MAX_PARTITIONS)
		c->ends[c->nends++] = (struct chan_end){part, role, 0, 0};
}

/* writer = "..."; reader = "..." (a sample: "...", "..."). */
/*
 * Each end's doorbell is the same SPI in its own partition; with direct
 * interrupt delivery that SPI is the physical one, which two partitions
 * cannot both have.
 */
static void check_direct_ends(const struct sys *sys, const struct chan *c)
{
	int first = -1;

	for (unsigned i = 0; i < c->nends; i++) {
		const struct part *p = &sys->parts[c->ends[i].part];

		if (p->irq_delivery != TN_CFG_IRQ_DIRECT)
			continue;
		if (first < 0) {
			first = c->ends[i].part;
			continue;
		}
		cfg_error(sys, c->path,
			  "joins %s and %s, which both have "
			  "interrupt-delivery \"direct\": their doorbells "
			  "would be one physical SPI; give one of them "
			  "\"virtual\"",
			  sys->parts[first].name, p->name);
		return;
	}
}

static void read_ends(const struct sys *sys, const void *fdt, int off,
		      struct chan *c)
{
	char names[TN_CFG_MAX_PARTITIONS * (TN_CFG_NAME_MAX + 2)];
	const char *val, *s, *end;
	int len, count = 0, w = -1;

	partition_names(sys, names, sizeof(names));
	val = fdt_getprop(fdt, off, "writer", &len);
	if (!val) {
		cfg_error(sys, c->path,
			  "missing property 'writer'; add "
			  "writer = \"PARTITION\"; (one of %s)",
			  names);
	} else if (!is_strings(val, len) || strlen(val) + 1 != (size_t)len) {
		cfg_error(sys, c->path,
			  "writer must be one partition's name, "
			  "e.g. writer = \"rt\";");
	} else if ((w = partition_named(sys, val)) < 0) {
		cfg_error(sys, c->path,
			  "writer \"%s\" is not a partition; "
			  "give one of %s",
			  val, names);
	} else {
		add_end(c, w, TN_CHAN_WRITER);
	}

	val = fdt_getprop(fdt, off, "reader", &len);
	if (!val) {
		cfg_error(sys, c->path,
			  "missing property 'reader'; add "
			  "reader = \"PARTITION\"; (one of %s)",
			  names);
		return;
	}
	if (!is_strings(val, len)) {
		cfg_error(sys, c->path,
			  "reader must be a partition's name "
			  "(a sample: one or more), e.g. reader = \"linux\";");
		return;
	}
	end = val + len;
	for (s = val; s < end; s += strlen(s) + 1)
		count++;
	if (count > 1 && c->kind && c->kind != TN_CHAN_SAMPLE) {
		cfg_error(sys, c->path,
			  "reader names %d partitions; a %s has "
			  "one reader (only a sample may have several)",
			  count, chan_kind_name(c->kind));
		return;
	}
	for (s = val; s < end; s += strlen(s) + 1) {
		int r = partition_named(sys, s);
		bool twice = false;

		for (unsigned i = 1; i < c->nends; i++)
			twice |= c->ends[i].part == r;
		if (r < 0)
			cfg_error(sys, c->path,
				  "reader \"%s\" is not a "
				  "partition; give one of %s",
				  s, names);
		else if (r == w)
			cfg_error(sys, c->path,
				  "reader \"%s\" is also the "
				  "writer; a channel joins two partitions, "
				  "give it another reader",
				  s);
		else if (twice)
			cfg_error(sys, c->path,
				  "reader \"%s\" is given twice; "
				  "give each reader once",
				  s);
		else
			add_end(c, r, TN_CHAN_READER);
	}
	check_direct_ends(sys, c);
}

/* The sizes each kind takes, in the limits of channel_abi.h. */
static void read_sizes(const struct sys *sys, const void *fdt, int off,
		       struct chan *c)
{
	bool has_msg = c->kind != TN_CHAN_STREAM,
	     has_depth = c->kind != TN_CHAN_SAMPLE;
	const char *kind = chan_kind_name(c->kind);
	int m, d, v;

	m = read_u32(sys, fdt, off, c, "msg-size", "msg-size = <64>;",
		     &c->msg_size);
	d = read_u32(sys, fdt, off, c, "depth", "depth = <16>;", &c->depth);
	v = read_u32(sys, fdt, off, c, "validity-us", "validity-us = <100000>;",
		     &c->validity_us);
	if (!c->kind)
		return;
	if (has_msg && !m)
		cfg_error(sys, c->path,
			  "missing property 'msg-size'; add "
			  "msg-size = <BYTES>; (a %s's largest message, 1 to "
			  "%u)",
			  kind, TN_CHAN_MSG_MAX);
	else if (!has_msg && m)
		cfg_error(sys, c->path,
			  "msg-size is not for a stream (it "
			  "has no messages); remove it");
	else if (m > 0 && (!c->msg_size || c->msg_size > TN_CHAN_MSG_MAX))
		cfg_error(sys, c->path,
			  "msg-size <%u> is out of range; give "
			  "1 to %u bytes",
			  c->msg_size, TN_CHAN_MSG_MAX);
	if (has_depth && !d)
		cfg_error(sys, c->path,
			  "missing property 'depth'; add "
			  "depth = <N>; (%s)",
			  c->kind == TN_CHAN_QUEUE ? "a queue's messages"
						   : "a stream's bytes");
	else if (!has_depth && d)
		cfg_error(sys, c->path,
			  "depth is not for a sample (it holds "
			  "the latest value only); remove it");
	else if (d > 0 && c->kind == TN_CHAN_QUEUE &&
		 (!c->depth || c->depth > TN_CHAN_DEPTH_MAX))
		cfg_error(sys, c->path,
			  "depth <%u> is out of range; a queue "
			  "holds 1 to %u messages",
			  c->depth, TN_CHAN_DEPTH_MAX);
	else if (d > 0 && c->kind == TN_CHAN_STREAM &&
		 (!c->depth || c->depth > TN_CHAN_STREAM_MAX))
		cfg_error(sys, c->path,
			  "depth <%u> is out of range; a "
			  "stream's buffer is 1 to %u bytes",
			  c->depth, TN_CHAN_STREAM_MAX);
	if (v && c->kind != TN_CHAN_SAMPLE)
		cfg_error(sys, c->path,
			  "validity-us is for a sample only; "
			  "remove it");
	if (c->kind != TN_CHAN_SAMPLE)
		c->validity_us = 0;
	if (!has_msg)
		c->msg_size = 0;
	if (!has_depth)
		c->depth = 0;
	if ((!has_msg || m > 0) && (!has_depth || d > 0) &&
	    tn_chan_data_size(c->kind, c->msg_size, c->depth)) {
		c->size = tn_chan_region_size(c->kind, c->msg_size, c->depth);
		if (!c->size)
			cfg_error(sys, c->path,
				  "its region would be more "
				  "than %u MiB; make msg-size or depth "
				  "smaller",
				  TN_CHAN_REGION_MAX >> 20);
	}
}

static void read_channel(const struct sys *sys, const void *fdt, int off,
			 struct chan *c)
{
	const char *name = fdt_get_name(fdt, off, NULL), *val;
	size_t len = strlen(name);
	int plen, sub;

	if (len == 0 || len >= TN_CHAN_NAME_MAX)
		cfg_error(sys, c->path,
			  "the channel name '%s' is %zu "
			  "characters; give it 1 to %d",
			  name, len, TN_CHAN_NAME_MAX - 1);
	else if (strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_-") != len)
		cfg_error(sys, c->path,
			  "the channel name '%s' has other "
			  "characters than a-z, 0-9, '_' and '-'; rename the "
			  "node",
			  name);
	else
		memcpy(c->name, name, len + 1);

	fdt_for_each_property_offset(plen, fdt, off)
	{
		const char *pname;

		if (fdt_getprop_by_offset(fdt, plen, &pname, NULL) &&
		    !known_prop(pname))
			cfg_error(sys, c->path,
				  "unknown property '%s' "
				  "(known: kind, writer, reader, msg-size, "
				  "depth, validity-us)",
				  pname);
	}
	fdt_for_each_subnode(sub, fdt, off)
	    cfg_error(sys, c->path,
		      "unknown node '%s' (a channel has no "
		      "nodes)",
		      fdt_get_name(fdt, sub, NULL));

	val = fdt_getprop(fdt, off, "kind", &plen);
	if (!val)
		cfg_error(sys, c->path,
			  "missing property 'kind'; add kind = "
			  "\"queue\"; (or \"sample\", \"stream\")");
	else if (!is_strings(val, plen) || strlen(val) + 1 != (size_t)plen)
		cfg_error(sys, c->path,
			  "kind must be one string: \"queue\", "
			  "\"sample\" or \"stream\"");
	else if (!strcmp(val, "queue"))
		c->kind = TN_CHAN_QUEUE;
	else if (!strcmp(val, "sample"))
		c->kind = TN_CHAN_SAMPLE;
	else if (!strcmp(val, "stream"))
		c->kind = TN_CHAN_STREAM;
	else
		cfg_error(sys, c->path,
			  "kind \"%s\" is unknown; use "
			  "\"queue\", \"sample\" or \"stream\"",
			  val);
	read_ends(sys, fdt, off, c);
	read_sizes(sys, fdt, off, c);
}

void cfg_read_channels(const void *fdt, struct sys *sys)
{
	int top = fdt_subnode_offset(fdt, 0, "channels"), off, prop;
	unsigned count = 0, i = 0;

	if (top < 0)
		return;
	fdt_for_each_property_offset(prop, fdt, top)
	{
		const char *name;

		if (fdt_getprop_by_offset(fdt, prop, &name, NULL))
			cfg_error(sys, "/channels",
				  "unknown property '%s' "
				  "(this node has none: each channel is a node "
				  "of its own)",
				  name);
	}
	fdt_for_each_subnode(off, fdt, top) count++;
	if (count > TN_CFG_MAX_CHANNELS) {
		cfg_error(sys, "/channels", "%u channels; at most %d", count,
			  TN_CFG_MAX_CHANNELS);
		return;
	}
	if (!count)
		return;
	sys->chans = calloc(count, sizeof(*sys->chans));
	if (!sys->chans) {
		fprintf(stderr, "tenon-config: out of memory\n");
		exit(1);
	}
	fdt_for_each_subnode(off, fdt, top)
	{
		struct chan *c = &sys->chans[i++];

		c->path =
		    xasprintf("/channels/%s", fdt_get_name(fdt, off, NULL));
		sys->nchans = i;
		read_channel(sys, fdt, off, c);
	}
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* IPAs and PCI functions: what the partitions' device trees show. */
void cfg_place_channels(struct sys *sys)
{
	uint64_t ipa = plat.chan_ipa_base;
	uint32_t next_dev[TN_CFG_MAX_PARTITIONS] = {0};
	char s1[32], s2[48];

	for (unsigned i = 0; i < sys->nchans; i++) {
		struct chan *c = &sys->chans[i];

		/* In the window, aligned to its size: a PCI BAR is. */
		ipa = align_up(ipa, c->size);
		if (ipa + c->size > plat.chan_ipa_base + plat.chan_ipa_size) {
			cfg_error(sys, c->path,
				  "its region (%s) does not fit "
				  "in the channels' window %s, which the "
				  "channels before it fill; make the channels "
				  "smaller",
				  fmt_size(s1, sizeof(s1), c->size),
				  fmt_range(s2, sizeof(s2), plat.chan_ipa_base,
					    plat.chan_ipa_size));
			continue;
		}
		c->ipa = ipa;
		ipa += c->size;
		for (unsigned e = 0; e < c->nends; e++) {
			struct chan_end *end = &c->ends[e];
			const struct part *p = &sys->parts[end->part];

			if (p->kind != TN_CFG_KIND_LINUX)
				continue;
			end->pci_dev = next_dev[end->part]++;
			end->bar0_ipa = plat.pci_bar0_base +
					end->pci_dev * plat.pci_bar0_stride;
		}
	}
}

/* PAs, once the pristine copies have theirs: first fit, page-aligned. */
void cfg_place_channel_ram(struct sys *sys)
{
	char s1[32];

	for (unsigned i = 0; i < sys->nchans; i++) {
		struct chan *c = &sys->chans[i];
		uint64_t at = sys->ram_base, piece = 0;

		for (;;) {
			uint64_t start;

			at = cfg_free_ram(sys, at, &piece);
			if (!piece)
				break;
			start = align_up(at, PAGE);
			if (start - at < piece &&
			    piece - (start - at) >= c->size) {
				at = start;
				break;
			}
			at += piece;
		}
		if (!piece) {
			cfg_error(sys, c->path,
				  "no room for its region (%s) in "
				  "RAM that no partition, nor the hypervisor, "
				  "has; give the machine more RAM in / memory, "
				  "or leave RAM unassigned",
				  fmt_size(s1, sizeof(s1), c->size));
			continue;
		}
		c->pa = at;
	}
}
