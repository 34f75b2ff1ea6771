/*
 * Reads, from the flattened device tree the loader left in memory, the
 * few facts the core needs: its bootargs, its RAM and its CPUs, the
 * GIC's and the UART's addresses, and its channels' ends (nodes under
 * /tenon-channels; one without a region, name or doorbell is left out,
 * and the kernel checks the rest when it is opened), and the health
 * monitor's interrupt (/tenon-health, compatible "tenon,health-v1": one
 * without the compatible or with an interrupt that is no SPI is left
 * out, and the partition has no HM interrupt). A blob
 * that is not a device tree is refused; nothing is read past its size.
 */
#include <string.h>

#include "arch/aarch64/aarch64.h"
#include "plat/qemu-virt/platform.h"

#define FDT_MAGIC 0xd00dfeedu
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define FDT_END 9

static uint32_t be32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | b[3];
}

static uint64_t cells(const uint8_t *p, uint32_t n)
{
	uint64_t v = 0;

	for (uint32_t i = 0; i < n; i++)
		v = v << 32 | be32(p + 4 * i);
	return v;
}

/* Whether a compatible list (NUL-separated strings) names `what`. */
static bool is_compatible(const uint8_t *val, uint32_t len, const char *what)
{
	const char *s = (const char *)val, *end = s + len;

	while (s < end) {
		size_t n = strnlen(s, (size_t)(end - s));

		if (!strncmp(s, what, n) && !what[n])
			return true;
		s += n + 1;
	}
	return false;
}

/* An `interrupts` triple, <type number flags>, as an INTID; 0: none. */
static unsigned int intid_of(const uint8_t *val, uint32_t len)
{
	uint32_t type, num;

	if (len < 12)
		return 0;
	type = be32(val), num = be32(val + 4);
	if (type == 0 && num < 988)
		return 32 + num;
	if (type == 1 && num < 16)
		return 16 + num;
	return 0;
}

/* "tenon-health", with or without a unit address. */
static bool is_health_node(const char *name)
{
	return !strncmp(name, "tenon-health", 12) &&
	       (name[12] == '\0' || name[12] == '@');
}

static bool in_channels(const char *const node[4])
{
	return !strcmp(node[1], "tenon-channels") &&
	       !strncmp(node[2], "channel@", 8);
}

static uint32_t be32_or0(const uint8_t *val, uint32_t len)
{
	return len >= 4 ? be32(val) : 0;
}

/* A property of a channel node (under /tenon-channels); see partition-dt. */
static void channel_prop(struct tn_channel_desc *c, const char *pname,
			 const uint8_t *val, uint32_t len, uint32_t acells,
			 uint32_t scells, bool *has_reg)
{
	if (!strcmp(pname, "reg") && len >= 4 * (acells + scells) &&
	    acells <= 2 && scells <= 2) {
		c->region = (volatile void *)(uintptr_t)cells(val, acells);
		c->size = cells(val + 4 * acells, scells);
		*has_reg = true;
	} else if (!strcmp(pname, "tenon,name") && len) {
		size_t n = strnlen((const char *)val, len);

		if (n < TN_CHAN_NAME_MAX)
			memcpy(c->name, val, n);
	} else if (!strcmp(pname, "tenon,peer") && len) {
		size_t n = strnlen((const char *)val, len);

		if (n < TN_CHAN_NAME_MAX)
			memcpy(c->peer, val, n);
	} else if (!strcmp(pname, "tenon,id")) {
		c->id = be32_or0(val, len);
	} else if (!strcmp(pname, "tenon,kind")) {
		c->kind = be32_or0(val, len);
	} else if (!strcmp(pname, "tenon,role")) {
		c->role = be32_or0(val, len);
	} else if (!strcmp(pname, "tenon,msg-size")) {
		c->msg_size = be32_or0(val, len);
	} else if (!strcmp(pname, "tenon,depth")) {
		c->depth = be32_or0(val, len);
	} else if (!strcmp(pname, "tenon,validity-us")) {
		c->validity_us = be32_or0(val, len);
	} else if (!strcmp(pname, "interrupts")) {
		c->intid = intid_of(val, len);
	}
}

int fdt_read(const void *blob, struct fdt_info *info)
{
	const uint8_t *base = blob;
	uint32_t total, off_struct, off_strings, size_struct;
	uint32_t root_addr = 2, root_size = 1, cpu_addr = 1;
	const char *node[4] = {"", "", "", ""};
	uint32_t pos, depth = 0, reg_len = 0;
	const uint8_t *reg = NULL; /* of the node being read, below the root */
	bool gic = false, uart = false;
	uint32_t chan_addr = 2, chan_size = 2;
	struct tn_channel_desc chan;
	bool chan_reg = false;
	bool hm_compat = false;
	unsigned int hm_irq = 0;

	memset(info, 0, sizeof(*info));
	if (be32(base) != FDT_MAGIC)
		return -EINVAL;
	total = be32(base + 4);
	off_struct = be32(base + 8);
	off_strings = be32(base + 12);
	size_struct = be32(base + 36);
	if (total > PLAT_DTB_MAX || off_struct + size_struct > total ||
	    off_strings > total)
		return -EINVAL;

	for (pos = off_struct; pos + 4 <= off_struct + size_struct;) {
		uint32_t token = be32(base + pos);

		pos += 4;
		if (token == FDT_BEGIN_NODE) {
			const char *name = (const char *)base + pos;
			size_t len = strnlen(name, total - pos);

			if (depth < 4)
				node[depth] = name;
			if (depth == 2) {
				memset(&chan, 0, sizeof(chan));
				chan_reg = false;
			}
			depth++;
			pos += ((uint32_t)len + 4) & ~3u;
		} else if (token == FDT_END_NODE) {
			if (!depth)
				return -EINVAL;
			/* A node's reg and compatible come in either order. */
			if (depth == 2 && reg && gic && !info->gicd &&
			    reg_len >= 8 * (root_addr + root_size)) {
				info->gicd = cells(reg, root_addr);
				info->gicr =
				    cells(reg + 4 * (root_addr + root_size),
					  root_addr);
			} else if (depth == 2 && reg && uart && !info->uart) {
				info->uart = cells(reg, root_addr);
			}
			/* The HM interrupt is an SPI the hypervisor raises. */
			if (depth == 2 && is_health_node(node[1]) &&
			    hm_compat && hm_irq >= 32 && !info->hm_intid)
				info->hm_intid = hm_irq;
			if (depth == 2)
				reg = NULL, gic = uart = false,
				hm_compat = false, hm_irq = 0;
			if (depth == 3 && in_channels(node) && chan_reg &&
			    chan.name[0] && chan.intid &&
			    info->nchannels < TN_CHANNELS_MAX)
				info->channels[info->nchannels++] = chan;
			depth--;
		} else if (token == FDT_PROP) {
			uint32_t len = be32(base + pos);
			const char *pname = (const char *)base + off_strings +
					    be32(base + pos + 4);
			const uint8_t *val = base + pos + 8;

			if (pos + 8 + len > total)
				return -EINVAL;
			pos += 8 + ((len + 3) & ~3u);
			if (depth == 2 && !strcmp(pname, "reg") &&
			    len >= 4 * (root_addr + root_size))
				reg = val, reg_len = len;
			if (depth == 2 && !strcmp(node[1], "tenon-channels") &&
			    !strcmp(pname, "#address-cells"))
				chan_addr = be32_or0(val, len);
			else if (depth == 2 &&
				 !strcmp(node[1], "tenon-channels") &&
				 !strcmp(pname, "#size-cells"))
				chan_size = be32_or0(val, len);
			else if (depth == 2 && is_health_node(node[1]) &&
				 !strcmp(pname, "compatible"))
				hm_compat =
				    is_compatible(val, len, "tenon,health-v1");
			else if (depth == 2 && is_health_node(node[1]) &&
				 !strcmp(pname, "interrupts"))
				hm_irq = intid_of(val, len);
			else if (depth == 3 && in_channels(node))
				channel_prop(&chan, pname, val, len, chan_addr,
					     chan_size, &chan_reg);
			if (depth == 1 && !strcmp(pname, "#address-cells"))
				root_addr = be32(val);
			else if (depth == 1 && !strcmp(pname, "#size-cells"))
				root_size = be32(val);
			else if (depth == 2 && !strcmp(node[1], "chosen") &&
				 !strcmp(pname, "bootargs") && len)
				info->bootargs = (const char *)val;
			else if (depth == 2 && !strcmp(node[1], "chosen") &&
				 !strcmp(pname, "stdout-path"))
				info->console = true;
			else if (depth == 2 && !strcmp(pname, "compatible") &&
				 is_compatible(val, len, "arm,gic-v3"))
				gic = true;
			else if (depth == 2 && !strcmp(pname, "compatible") &&
				 is_compatible(val, len, "arm,pl011"))
				uart = true;
			else if (depth == 2 && !strncmp(node[1], "memory", 6) &&
				 !strcmp(pname, "reg") &&
				 len >= 4 * (root_addr + root_size) &&
				 !info->ram_size) {
				info->ram_base = cells(val, root_addr);
				info->ram_size =
				    cells(val + 4 * root_addr, root_size);
			} else if (depth == 2 && !strcmp(node[1], "cpus") &&
				   !strcmp(pname, "#address-cells"))
				cpu_addr = be32(val);
			else if (depth == 3 && !strcmp(node[1], "cpus") &&
				 !strncmp(node[2], "cpu@", 4) &&
				 !strcmp(pname, "reg") && len >= 4 * cpu_addr &&
				 info->ncpus < TN_MAX_CPUS)
				info->mpidr[info->ncpus++] =
				    cells(val, cpu_addr);
		} else if (token == FDT_END) {
			return 0;
		} else if (token != FDT_NOP) {
			return -EINVAL;
		}
	}
	return -EINVAL;
}
