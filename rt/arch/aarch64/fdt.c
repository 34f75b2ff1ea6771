/*
 * Reads, from the flattened device tree the loader left in memory, the
 * few facts the core needs: its bootargs, its RAM and its CPUs. A blob
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

int fdt_read(const void *blob, struct fdt_info *info)
{
	const uint8_t *base = blob;
	uint32_t total, off_struct, off_strings, size_struct;
	uint32_t root_addr = 2, root_size = 1, cpu_addr = 1;
	const char *node[4] = {"", "", "", ""};
	uint32_t pos, depth = 0, reg_len = 0;
	const uint8_t *reg = NULL; /* of the node being read, below the root */
	bool gic = false, uart = false;

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
			if (depth == 2)
				reg = NULL, gic = uart = false;
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
