/*
 * Reads a system description and checks it against schema version 1
 * (docs/system-description.md). Every error is reported, with the node
 * and the property, what is wrong and what to do; reading goes on after
 * one, so that a single run lists them all.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libfdt.h>

#include "tenon-config.h"

#define SYSTEM_COMPATIBLE "tenon,system-v1"
#define BOOTARGS_MAX 512 /* with its NUL: the real-time core's buffer */
#define RTOS_VA_LIMIT (4ull << 30) /* what the real-time core translates */

/* A node being read: the blob, its offset, its path for messages. */
struct node {
	const struct sys *sys;
	const void *fdt;
	int off;
	const char *path;
};

enum { BAD = -1, ABSENT = 0, GOOD = 1 };

static const char *const root_props[] = {
    "compatible", "platform", "#address-cells", "#size-cells", "cpus",
    "memory",	  NULL,
};
static const char *const root_nodes[] = {"hypervisor", "partitions", "channels",
					 NULL};
static const char *const hyp_props[] = {"memory", "console-cpu", NULL};
static const char *const part_props[] = {
    "kind",	"cpus",	   "memory",  "image",	 "initrd",
    "bootargs", "console", "devices", "manager", "interrupt-delivery",
    NULL,
};
static const char *const part_nodes[] = {"health", NULL};
static const char *const no_names[] = {NULL};

static bool in_list(const char *const *list, const char *name)
{
	for (; *list; list++)
		if (!strcmp(*list, name))
			return true;
	return false;
}

/* "a, b, c" into buf. */
static const char *join(char *buf, size_t size, const char *const *list)
{
	size_t len = 0;

	buf[0] = '\0';
	for (; *list && len < size; list++)
		len += snprintf(buf + len, size - len, "%s%s", len ? ", " : "",
				*list);
	return buf;
}

/* Whether a value is one or more printable NUL-terminated strings. */
bool is_strings(const char *val, int len)
{
	if (len < 1 || val[len - 1] || !val[0])
		return false;
	for (int i = 0; i < len; i++) {
		if (!val[i] && i + 1 < len && !val[i + 1])
			return false;
		if (val[i] && (val[i] < 0x20 || val[i] == 0x7f))
			return false;
	}
	return true;
}

const char *describe(const void *val, int len, char *buf, size_t size)
{
	if (len == 0)
		return "no value";
	if (is_strings(val, len)) {
		if (strlen(val) + 1 == (size_t)len)
			snprintf(buf, size, "the string \"%.40s%s\"",
				 (const char *)val, len > 41 ? "..." : "");
		else
			snprintf(buf, size, "a list of strings");
	} else if (len % 4 == 0) {
		snprintf(buf, size, "%d cell%s", len / 4, len == 4 ? "" : "s");
	} else {
		snprintf(buf, size, "%d bytes", len);
	}
	return buf;
}

static void missing(const struct node *n, const char *name, const char *example)
{
	cfg_error(n->sys, n->path, "missing property '%s'; add %s", name,
		  example);
}

/* The property as one string (possibly empty). */
static int get_string(const struct node *n, const char *name,
		      const char *example, const char **out)
{
	const char *val;
	char got[80];
	int len;

	val = fdt_getprop(n->fdt, n->off, name, &len);
	if (!val)
		return ABSENT;
	if (len < 1 || val[len - 1] || strlen(val) + 1 != (size_t)len) {
		cfg_error(n->sys, n->path,
			  "%s must be one string, e.g. %s (got %s)", name,
			  example, describe(val, len, got, sizeof(got)));
		return BAD;
	}
	*out = val;
	return GOOD;
}

/* The property as `want` cells, or as one or more cells if want is 0. */
static int get_cells(const struct node *n, const char *name, int want,
		     const char *form, const char *example,
		     const fdt32_t **cells, int *count)
{
	const void *val;
	char got[80];
	int len;

	val = fdt_getprop(n->fdt, n->off, name, &len);
	if (!val)
		return ABSENT;
	if (len % 4 || (want ? len != 4 * want : len == 0)) {
		cfg_error(n->sys, n->path, "%s must be %s, e.g. %s (got %s)",
			  name, form, example,
			  describe(val, len, got, sizeof(got)));
		return BAD;
	}
	*cells = val;
	*count = len / 4;
	return GOOD;
}

static int get_u32(const struct node *n, const char *name, const char *example,
		   uint32_t *out)
{
	const fdt32_t *cells;
	int count, r;

	r = get_cells(n, name, 1, "one cell", example, &cells, &count);
	if (r == GOOD)
		*out = fdt32_ld(cells);
	return r;
}

/* memory = <addr-hi addr-lo size-hi size-lo>. */
static int get_range(const struct node *n, const char *example, uint64_t *base,
		     uint64_t *size)
{
	const fdt32_t *c;
	int count, r;

	r = get_cells(n, "memory", 4, "<addr-hi addr-lo size-hi size-lo>",
		      example, &c, &count);
	if (r == GOOD) {
		*base = (uint64_t)fdt32_ld(&c[0]) << 32 | fdt32_ld(&c[1]);
		*size = (uint64_t)fdt32_ld(&c[2]) << 32 | fdt32_ld(&c[3]);
	}
	return r;
}

/* Unknown properties and sub-nodes (unless nodes is NULL) are errors. */
static void check_names(const struct node *n, const char *const *props,
			const char *const *nodes, const char *nodes_hint)
{
	char known[256];
	int off;

	fdt_for_each_property_offset(off, n->fdt, n->off)
	{
		const char *name;

		if (!fdt_getprop_by_offset(n->fdt, off, &name, NULL))
			continue;
		if (!*props)
			cfg_error(n->sys, n->path,
				  "unknown property '%s' (this node has none)",
				  name);
		else if (!in_list(props, name))
			cfg_error(n->sys, n->path,
				  "unknown property '%s' (known: %s)", name,
				  join(known, sizeof(known), props));
	}
	if (!nodes)
		return;
	fdt_for_each_subnode(off, n->fdt, n->off)
	{
		const char *name = fdt_get_name(n->fdt, off, NULL);

		if (name && !in_list(nodes, name))
			cfg_error(n->sys, n->path, "unknown node '%s' (%s)",
				  name, nodes_hint);
	}
}

static bool overlap(uint64_t a, uint64_t a_size, uint64_t b, uint64_t b_size)
{
	return a < b + b_size && b < a + a_size;
}

/*
 * A memory region (the hypervisor's or a partition's): 2 MiB-aligned, not
 * empty, inside the physical RAM. Returns whether base and size are
 * usable for the overlap checks.
 */
static bool check_region(const struct node *n, const char *example,
			 bool required, uint64_t *base, uint64_t *size)
{
	const struct sys *sys = n->sys;
	char r1[48], r2[48];
	int r;

	r = get_range(n, example, base, size);
	if (r == ABSENT && required)
		missing(n, "memory", example);
	if (r != GOOD)
		return false;
	if (*size == 0) {
		cfg_error(sys, n->path, "memory size is 0; give it some RAM");
		return false;
	}
	if (*base % PART_ALIGN)
		cfg_error(sys, n->path,
			  "memory base 0x%08llx is not 2 MiB-aligned; use a "
			  "multiple of 0x200000",
			  (unsigned long long)*base);
	if (*size % PART_ALIGN)
		cfg_error(sys, n->path,
			  "memory size 0x%08llx is not a multiple of 2 MiB "
			  "(0x200000)",
			  (unsigned long long)*size);
	if (*size > UINT64_MAX - *base) {
		cfg_error(sys, n->path, "memory %s goes past 2^64",
			  fmt_range(r1, sizeof(r1), *base, *size));
		return false;
	}
	if (sys->ram_ok && (*base < sys->ram_base ||
			    *base + *size > sys->ram_base + sys->ram_size))
		cfg_error(
		    sys, n->path,
		    "memory %s is not inside the physical RAM %s (the "
		    "root's memory); move it inside",
		    fmt_range(r1, sizeof(r1), *base, *size),
		    fmt_range(r2, sizeof(r2), sys->ram_base, sys->ram_size));
	return true;
}

static void read_root(const struct node *root, struct sys *sys)
{
	const char *s;
	uint32_t v;
	uint64_t base, size;
	char r1[48];

	check_names(root, root_props, root_nodes,
		    "known: hypervisor, partitions, channels");

	switch (get_string(root, "compatible",
			   "compatible = \"" SYSTEM_COMPATIBLE "\";", &s)) {
	case ABSENT:
		missing(root, "compatible",
			"compatible = \"" SYSTEM_COMPATIBLE "\";");
		break;
	case GOOD:
		if (strcmp(s, SYSTEM_COMPATIBLE))
			cfg_error(sys, root->path,
				  "compatible is \"%s\"; this tool reads "
				  "\"" SYSTEM_COMPATIBLE
				  "\" (schema version 1)",
				  s);
		break;
	}

	switch (
	    get_string(root, "platform", "platform = \"" PLATFORM "\";", &s)) {
	case ABSENT:
		missing(root, "platform", "platform = \"" PLATFORM "\";");
		break;
	case GOOD:
		if (strcmp(s, PLATFORM))
			cfg_error(sys, root->path,
				  "platform \"%s\" is unknown; the only "
				  "platform is \"" PLATFORM "\"",
				  s);
		break;
	}

	static const char *const cells_props[] = {"#address-cells",
						  "#size-cells"};
	for (int i = 0; i < 2; i++) {
		const char *name = cells_props[i];
		char example[40];

		snprintf(example, sizeof(example), "%s = <2>;", name);
		switch (get_u32(root, name, example, &v)) {
		case ABSENT:
			missing(root, name, example);
			break;
		case GOOD:
			if (v != 2)
				cfg_error(sys, root->path,
					  "%s is <%u>; addresses and sizes "
					  "are 64-bit, write %s",
					  name, v, example);
			break;
		}
	}

	switch (get_u32(root, "cpus", "cpus = <4>;", &v)) {
	case ABSENT:
		missing(root, "cpus", "cpus = <4>; (the physical CPUs)");
		break;
	case GOOD:
		if (v < 1 || v > TN_CFG_MAX_CPUS)
			cfg_error(sys, root->path,
				  "cpus <%u> is out of range; the machine has "
				  "1 to %d CPUs",
				  v, TN_CFG_MAX_CPUS);
		else
			sys->ncpus = v;
		break;
	}

	static const char ram_example[] =
	    "memory = <0x0 0x40000000 0x0 0x80000000>;";
	switch (get_range(root, ram_example, &base, &size)) {
	case ABSENT:
		missing(root, "memory", ram_example);
		break;
	case GOOD:
		if (base != plat.ram_base) {
			cfg_error(sys, root->path,
				  "memory starts at 0x%08llx; " PLATFORM
				  "'s RAM starts at 0x%08llx",
				  (unsigned long long)base,
				  (unsigned long long)plat.ram_base);
		} else if (size == 0 || size % PART_ALIGN ||
			   size > UINT64_MAX - base) {
			cfg_error(sys, root->path,
				  "memory %s: the size must be a non-zero "
				  "multiple of 2 MiB (0x200000)",
				  fmt_range(r1, sizeof(r1), base, size));
		} else if (size > plat.ram_max) {
			char s1[32], s2[32];

			cfg_error(sys, root->path,
				  "memory %s is %s; " PLATFORM " has at most "
				  "%s of RAM",
				  fmt_range(r1, sizeof(r1), base, size),
				  fmt_size(s1, sizeof(s1), size),
				  fmt_size(s2, sizeof(s2), plat.ram_max));
		} else {
			sys->ram_ok = true;
			sys->ram_base = base;
			sys->ram_size = size;
		}
		break;
	}
}

static void read_hypervisor(const void *fdt, struct sys *sys)
{
	struct node n = {sys, fdt, 0, "/hypervisor"};

	n.off = fdt_subnode_offset(fdt, 0, "hypervisor");
	if (n.off < 0) {
		cfg_error(sys, "/",
			  "missing node 'hypervisor'; add hypervisor { memory "
			  "= <0x0 0x40000000 0x0 0x01000000>; };");
		return;
	}
	check_names(&n, hyp_props, no_names, "the hypervisor has no nodes");
	sys->hyp_ok =
	    check_region(&n, "memory = <0x0 0x40000000 0x0 0x01000000>;", true,
			 &sys->hyp_pa, &sys->hyp_size);
	/*
	 * QEMU loads the hypervisor's image where it is linked and its own
	 * device tree at the start of RAM: both must be in the
	 * hypervisor's RAM, or they overlap what partitions load there.
	 */
	if (sys->hyp_ok && (sys->hyp_pa > plat.ram_base ||
			    sys->hyp_pa + sys->hyp_size <
				plat.hyp_image + plat.hyp_image_max)) {
		char r1[48], r2[48], r3[48];

		cfg_error(sys, n.path,
			  "memory %s does not hold the hypervisor: its image "
			  "is loaded at 0x%08llx and takes up to %s, the "
			  "loader's device tree is below it; give it at least "
			  "%s",
			  fmt_range(r1, sizeof(r1), sys->hyp_pa, sys->hyp_size),
			  (unsigned long long)plat.hyp_image,
			  fmt_size(r2, sizeof(r2), plat.hyp_image_max),
			  fmt_range(r3, sizeof(r3), plat.ram_base,
				    plat.hyp_image + plat.hyp_image_max -
					plat.ram_base));
	}
	if (get_u32(&n, "console-cpu", "console-cpu = <1>;",
		    &sys->console_cpu) == GOOD) {
		if (sys->ncpus && sys->console_cpu >= sys->ncpus)
			cfg_error(sys, n.path,
				  "console-cpu <%u> is out of range; the "
				  "machine has CPUs 0 to %u (the root's cpus)",
				  sys->console_cpu, sys->ncpus - 1);
		else
			sys->console_cpu_given = true;
	}
}

/*
 * The CPU that drains the console and takes its input, unless
 * console-cpu names one: the first CPU of the Linux partition, which is
 * not real-time; without Linux, a CPU no partition has, else the
 * machine's last CPU (real-time partitions usually start from CPU 0).
 */
static void default_console_cpu(struct sys *sys)
{
	uint32_t taken = 0;

	if (sys->console_cpu_given || !sys->ncpus)
		return;
	for (unsigned i = 0; i < sys->nparts; i++) {
		const struct part *p = &sys->parts[i];

		if (p->kind == TN_CFG_KIND_LINUX && p->ncpus) {
			sys->console_cpu = p->cpus[0];
			return;
		}
		for (uint32_t c = 0; c < p->ncpus; c++)
			taken |= 1u << p->cpus[c];
	}
	for (uint32_t c = 0; c < sys->ncpus; c++)
		if (!(taken & 1u << c)) {
			sys->console_cpu = c;
			return;
		}
	sys->console_cpu = sys->ncpus - 1;
}

static void check_name(const struct node *n, struct part *p, const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len >= TN_CFG_NAME_MAX) {
		cfg_error(n->sys, n->path,
			  "the partition name '%s' is %zu characters; give "
			  "it 1 to %d",
			  name, len, TN_CFG_NAME_MAX - 1);
		return;
	}
	if (strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_-") != len) {
		cfg_error(n->sys, n->path,
			  "the partition name '%s' has other characters than "
			  "a-z, 0-9, '_' and '-'; rename the node",
			  name);
		return;
	}
	memcpy(p->name, name, len + 1);
}

static void read_kind(const struct node *n, struct part *p)
{
	static const char example[] = "kind = \"rtos\"; or kind = \"linux\";";
	const char *s;

	switch (get_string(n, "kind", example, &s)) {
	case ABSENT:
		missing(n, "kind", example);
		break;
	case GOOD:
		if (!strcmp(s, "rtos"))
			p->kind = TN_CFG_KIND_RTOS;
		else if (!strcmp(s, "linux"))
			p->kind = TN_CFG_KIND_LINUX;
		else
			cfg_error(n->sys, n->path,
				  "kind \"%s\" is unknown; use \"rtos\" (the "
				  "real-time core) or \"linux\"",
				  s);
		break;
	}
}

/*
 * interrupt-delivery: "virtual" (the default) or "direct", for the
 * real-time core only: a Linux partition needs the virtual GIC's LPIs
 * and group handling, and its CPUs' interrupts are what the hypervisor
 * keeps for itself beside it.
 */
static void read_delivery(const struct node *n, struct part *p)
{
	static const char example[] =
	    "interrupt-delivery = \"direct\"; or \"virtual\"";
	const char *s;

	if (get_string(n, "interrupt-delivery", example, &s) != GOOD)
		return;
	if (!strcmp(s, "virtual")) {
		p->irq_delivery = TN_CFG_IRQ_VIRTUAL;
	} else if (!strcmp(s, "direct")) {
		p->irq_delivery = TN_CFG_IRQ_DIRECT;
		if (p->kind == TN_CFG_KIND_LINUX)
			cfg_error(n->sys, n->path,
				  "interrupt-delivery \"direct\" is for a "
				  "partition of kind \"rtos\"; a Linux "
				  "partition takes its interrupts through "
				  "the virtual GIC (remove the property)");
	} else {
		cfg_error(n->sys, n->path,
			  "interrupt-delivery \"%s\" is unknown; use "
			  "\"direct\" (the CPU interface is the "
			  "partition's) or \"virtual\" (the virtual GIC)",
			  s);
	}
}

static void read_cpus(const struct node *n, struct sys *sys, struct part *p)
{
	static const char example[] = "cpus = <1 2>;";
	const fdt32_t *cells;
	int count;

	switch (get_cells(n, "cpus", 0, "a list of one or more CPUs", example,
			  &cells, &count)) {
	case ABSENT:
		missing(n, "cpus", "cpus = <1>; (its physical CPUs)");
		return;
	case BAD:
		return;
	}
	if (count > TN_CFG_MAX_CPUS)
		cfg_error(sys, n->path,
			  "cpus has %d CPUs; a partition has at most %d", count,
			  TN_CFG_MAX_CPUS);
	for (int i = 0; i < count; i++) {
		uint32_t cpu = fdt32_ld(&cells[i]);
		const struct part *owner = NULL;
		bool twice = false;

		if (sys->ncpus && cpu >= sys->ncpus) {
			cfg_error(sys, n->path,
				  "cpus <%u> is out of range; the machine has "
				  "CPUs 0 to %u (the root's cpus)",
				  cpu, sys->ncpus - 1);
			continue;
		}
		for (int j = 0; j < i; j++)
			twice |= fdt32_ld(&cells[j]) == cpu;
		if (twice) {
			cfg_error(sys, n->path,
				  "cpus <%u> is given twice; give each CPU "
				  "once",
				  cpu);
			continue;
		}
		for (const struct part *o = sys->parts; o < p && !owner; o++)
			for (uint32_t j = 0; j < o->ncpus; j++)
				if (o->cpus[j] == cpu)
					owner = o;
		if (owner) {
			cfg_error(sys, n->path,
				  "cpus <%u> is already given to %s", cpu,
				  owner->path);
			continue;
		}
		if (p->ncpus < TN_CFG_MAX_CPUS)
			p->cpus[p->ncpus++] = cpu;
	}
}

static void read_memory(const struct node *n, struct sys *sys, struct part *p)
{
	char r1[48], r2[48];

	p->mem_ok = check_region(n, "memory = <0x0 0x60000000 0x0 0x04000000>;",
				 true, &p->ram_pa, &p->ram_size);
	if (!p->mem_ok)
		return;
	fmt_range(r1, sizeof(r1), p->ram_pa, p->ram_size);
	/* The real-time core translates 4 GiB of addresses, RAM from the base.
	 */
	if (p->kind == TN_CFG_KIND_RTOS &&
	    p->ram_size > RTOS_VA_LIMIT - plat.ram_base) {
		char s1[32], s2[32];

		cfg_error(
		    sys, n->path,
		    "memory %s is %s; a real-time partition has at most "
		    "%s (the core maps 4 GiB of addresses, its RAM seen "
		    "from 0x%08llx)",
		    r1, fmt_size(s1, sizeof(s1), p->ram_size),
		    fmt_size(s2, sizeof(s2), RTOS_VA_LIMIT - plat.ram_base),
		    (unsigned long long)plat.ram_base);
	}
	if (sys->hyp_ok &&
	    overlap(p->ram_pa, p->ram_size, sys->hyp_pa, sys->hyp_size))
		cfg_error(
		    sys, n->path, "memory %s overlaps /hypervisor (%s)", r1,
		    fmt_range(r2, sizeof(r2), sys->hyp_pa, sys->hyp_size));
	for (const struct part *o = sys->parts; o < p; o++)
		if (o->mem_ok &&
		    overlap(p->ram_pa, p->ram_size, o->ram_pa, o->ram_size))
			cfg_error(
			    sys, n->path, "memory %s overlaps %s (%s)", r1,
			    o->path,
			    fmt_range(r2, sizeof(r2), o->ram_pa, o->ram_size));
}

/*
 * A file the partition loads (image or initrd), relative to the build
 * directory: it must exist. Returns its name joined with the build
 * directory, or NULL.
 */
static char *find_file(const struct node *n, const char *prop, const char *rel,
		       uint64_t *size)
{
	const struct sys *sys = n->sys;
	struct stat st;
	char *file;

	if (!*rel) {
		cfg_error(sys, n->path,
			  "%s is empty; give a file relative to the build "
			  "directory (%s)",
			  prop, sys->build);
		return NULL;
	}
	if (rel[0] == '/') {
		cfg_error(sys, n->path,
			  "%s \"%s\" is an absolute path; give it relative to "
			  "the build directory (%s)",
			  prop, rel, sys->build);
		return NULL;
	}
	file = xasprintf("%s%s%s", sys->build,
			 sys->build[strlen(sys->build) - 1] == '/' ? "" : "/",
			 rel);
	if (stat(file, &st)) {
		if (errno == ENOENT)
			cfg_error(sys, n->path,
				  "%s \"%s\" not found: there is no %s; build "
				  "it, or correct the path (relative to the "
				  "build directory)",
				  prop, rel, file);
		else
			cfg_error(sys, n->path, "%s \"%s\": %s: %s", prop, rel,
				  file, strerror(errno));
	} else if (!S_ISREG(st.st_mode)) {
		cfg_error(sys, n->path, "%s \"%s\": %s is not a file", prop,
			  rel, file);
	} else if (st.st_size == 0) {
		cfg_error(sys, n->path, "%s \"%s\": %s is empty", prop, rel,
			  file);
	} else {
		*size = (uint64_t)st.st_size;
		return file;
	}
	free(file);
	return NULL;
}

static uint64_t le64(const unsigned char *b)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

/*
 * Every image is an arm64 Image (Documentation/arch/arm64/booting.rst),
 * the real-time core's as Linux's: its header gives the size it takes
 * once running, BSS included, so that what is loaded above it is not
 * overwritten, and the offset from a 2 MiB boundary it wants.
 */
static void check_image_header(const struct node *n, struct part *p)
{
	unsigned char h[64];
	FILE *f = fopen(p->image_file, "rb");
	size_t len = f ? fread(h, 1, sizeof(h), f) : 0;
	const char *what = NULL;

	if (f)
		fclose(f);
	if (len == sizeof(h) && !memcmp(h + 56, "ARM\x64", 4)) {
		uint64_t text_offset = le64(h + 8), span = le64(h + 16);

		if (text_offset % 4096 || text_offset >= PART_ALIGN)
			cfg_error(
			    n->sys, n->path,
			    "image \"%s\" has text_offset 0x%llx; it must "
			    "be a multiple of 4 KiB below 2 MiB",
			    p->image, (unsigned long long)text_offset);
		else
			p->text_offset = text_offset;
		if (span > p->image_span)
			p->image_span = span;
		return;
	}
	if (len >= 2 && h[0] == 0x1f && h[1] == 0x8b)
		what = "is gzip-compressed";
	else if (len >= 4 && !memcmp(h, "\177ELF", 4))
		what = p->kind == TN_CFG_KIND_LINUX
			   ? "is an ELF file (vmlinux?)"
			   : "is an ELF file";
	else
		what = "is not an arm64 Image (no \"ARM\\x64\" magic at "
		       "offset 56)";
	if (p->kind == TN_CFG_KIND_LINUX)
		cfg_error(n->sys, n->path,
			  "image \"%s\" %s; give the uncompressed "
			  "arch/arm64/boot/Image",
			  p->image, what);
	else
		cfg_error(n->sys, n->path,
			  "image \"%s\" %s, so the RAM it takes once running "
			  "is unknown; give the real-time image as the build "
			  "makes it (a64/bin/NAME.bin)",
			  p->image, what);
}

static void read_files(const struct node *n, struct part *p)
{
	static const char example[] = "image = \"a64/bin/latmus.bin\";";
	const char *s;

	switch (get_string(n, "image", example, &s)) {
	case ABSENT:
		missing(n, "image", example);
		break;
	case GOOD:
		p->image = s;
		p->image_file = find_file(n, "image", s, &p->image_size);
		p->image_span = p->image_size;
		if (p->image_file && p->kind)
			check_image_header(n, p);
		break;
	}

	if (get_string(n, "initrd", "initrd = \"linux/initramfs.cpio.gz\";",
		       &s) == GOOD) {
		p->initrd = s;
		p->initrd_file = find_file(n, "initrd", s, &p->initrd_size);
	}
	cfg_layout_images(n->sys, p);
}

/* The next string of a list of strings that ends at end, or NULL. */
static const char *next_string(const char *s, const char *end)
{
	s += strlen(s) + 1;
	return s < end ? s : NULL;
}

/*
 * devices = "rtc", ...: platform devices the partition has for itself,
 * each known, passable (not the UART), given once and to one partition.
 */
static void read_devices(const struct node *n, struct sys *sys, struct part *p)
{
	const char *val, *end, *s, *t;
	char got[80], known[128];
	size_t len = 0;
	int size, count = 0;

	val = fdt_getprop(n->fdt, n->off, "devices", &size);
	if (!val)
		return;
	if (!is_strings(val, size)) {
		bool empty = size > 0 && !val[size - 1];

		/* Strings, but one of them empty: say so. */
		for (int i = 0; i < size && empty; i++)
			empty =
			    val[i] == 0 || (val[i] >= 0x20 && val[i] != 0x7f);
		if (empty)
			snprintf(got, sizeof(got), "an empty name");
		else
			describe(val, size, got, sizeof(got));
		cfg_error(sys, n->path,
			  "devices must be one or more device names (non-empty "
			  "strings), e.g. devices = \"rtc\"; or devices = "
			  "\"rtc\", \"gpio\"; (got %s)",
			  got);
		return;
	}
	end = val + size;
	for (s = val; s; s = next_string(s, end))
		count++;
	if (count > TN_CFG_MAX_DEVICES)
		cfg_error(sys, n->path,
			  "devices has %d devices; a partition has at most %d",
			  count, TN_CFG_MAX_DEVICES);
	known[0] = '\0';
	for (const struct plat_device *d = plat_devices; d->name; d++)
		len += snprintf(known + len, sizeof(known) - len, "%s%s",
				len ? ", " : "", d->name);

	for (s = val; s; s = next_string(s, end)) {
		const struct plat_device *dev;
		const struct part *owner = NULL;
		int times = 0;

		/* Each name once: the first time it is given. */
		for (t = val; t != s && strcmp(t, s); t = next_string(t, end))
			;
		if (t != s)
			continue;
		for (t = s; t; t = next_string(t, end))
			times += !strcmp(t, s);

		if (!strcmp(s, "uart")) {
			cfg_error(sys, n->path,
				  "devices \"uart\": the UART is the "
				  "hypervisor's, it cannot be passed through; "
				  "write 'console;' to give the partition the "
				  "console (an emulated PL011 there)");
			continue;
		}
		dev = plat_device(s);
		if (!dev) {
			cfg_error(sys, n->path,
				  "devices \"%s\" is unknown; give one of "
				  "%s's: %s",
				  s, PLATFORM, known);
			continue;
		}
		if (times == 2)
			cfg_error(sys, n->path,
				  "devices \"%s\" is given twice; give each "
				  "device once",
				  s);
		else if (times > 2)
			cfg_error(sys, n->path,
				  "devices \"%s\" is given %d times; give "
				  "each device once",
				  s, times);
		for (const struct part *o = sys->parts; o < p && !owner; o++)
			for (uint32_t j = 0; j < o->ndevices; j++)
				if (o->devices[j] == dev)
					owner = o;
		if (owner) {
			cfg_error(sys, n->path,
				  "devices \"%s\" is already given to %s; "
				  "give each device to one partition",
				  s, owner->path);
			continue;
		}
		if (p->ndevices < TN_CFG_MAX_DEVICES)
			p->devices[p->ndevices++] = dev;
	}
}

static void read_partition(const struct node *n, struct sys *sys,
			   struct part *p)
{
	const char *s;
	const void *val;
	char got[80];
	int len;

	check_names(n, part_props, part_nodes, "a partition has one: health");
	check_name(n, p, fdt_get_name(n->fdt, n->off, NULL));
	read_kind(n, p);
	read_delivery(n, p);
	read_cpus(n, sys, p);
	read_memory(n, sys, p);
	read_files(n, p);

	if (get_string(n, "bootargs", "bootargs = \"-T 10\";", &s) == GOOD) {
		if (strlen(s) >= BOOTARGS_MAX)
			cfg_error(sys, n->path,
				  "bootargs is %zu characters long; at most "
				  "%d",
				  strlen(s), BOOTARGS_MAX - 1);
		else
			p->bootargs = s;
	}

	val = fdt_getprop(n->fdt, n->off, "console", &len);
	if (val && len)
		cfg_error(sys, n->path,
			  "console takes no value (got %s); write 'console;' "
			  "to give the partition the console, or remove it",
			  describe(val, len, got, sizeof(got)));
	p->console = val != NULL;
	read_devices(n, sys, p);
	cfg_read_health(sys, n->fdt, n->off, p);
}

static void read_partitions(const void *fdt, struct sys *sys)
{
	struct node n = {sys, fdt, 0, "/partitions"};
	unsigned count = 0, i = 0;
	int off;

	n.off = fdt_subnode_offset(fdt, 0, "partitions");
	if (n.off < 0) {
		cfg_error(sys, "/",
			  "missing node 'partitions'; add partitions { NAME "
			  "{ kind = ...; }; };");
		return;
	}
	check_names(&n, no_names, NULL, NULL);
	fdt_for_each_subnode(off, fdt, n.off) count++;
	if (count == 0) {
		cfg_error(sys, n.path,
			  "no partition; add at least one, e.g. rt { kind = "
			  "\"rtos\"; cpus = <0>; ... };");
		return;
	}
	if (count > TN_CFG_MAX_PARTITIONS)
		cfg_error(sys, n.path, "%u partitions; at most %d", count,
			  TN_CFG_MAX_PARTITIONS);
	sys->parts = calloc(count, sizeof(*sys->parts));
	if (!sys->parts) {
		fprintf(stderr, "tenon-config: out of memory\n");
		exit(1);
	}
	fdt_for_each_subnode(off, fdt, n.off)
	{
		struct part *p = &sys->parts[i++];
		struct node pn = {sys, fdt, off, NULL};

		p->path =
		    xasprintf("/partitions/%s", fdt_get_name(fdt, off, NULL));
		pn.path = p->path;
		sys->nparts = i;
		read_partition(&pn, sys, p);
	}
}

void cfg_read(const void *fdt, struct sys *sys)
{
	struct node root = {sys, fdt, 0, "/"};

	read_root(&root, sys);
	read_hypervisor(fdt, sys);
	read_partitions(fdt, sys);
	cfg_read_channels(fdt, sys);
	default_console_cpu(sys);
	cfg_pick_manager(sys);
}
