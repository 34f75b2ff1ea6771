/*
 * The generated text files: the hypervisor's table (sysconfig.c), QEMU's
 * loader arguments (qemu-loads) and the summary of the layout.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tenon-config.h"
#include "tenon/channel_abi.h"
#include "tenon/hm.h"

static const char *kind_name(enum tn_cfg_kind kind)
{
	return kind == TN_CFG_KIND_LINUX ? "linux" : "rtos";
}

static unsigned long long u(uint64_t v)
{
	return (unsigned long long)v;
}

/*
 * The file of a partition's copy `c` (see copies.c): its directory (out
 * for the device tree, which may be NULL, else the build directory) into
 * *dir, its name, to be freed, returned.
 */
static char *copy_file(const struct sys *sys, const struct part *p, int c,
		       const char *out, const char **dir)
{
	*dir = c == COPY_DTB ? out : sys->build;
	return c == COPY_DTB	 ? xasprintf("%s.dtb", p->name)
	       : c == COPY_IMAGE ? xstrdup(p->image)
				 : xstrdup(p->initrd);
}

/* One initializer line, its comment (if any) in a column. */
static void field(FILE *f, int indent, const char *comment, const char *fmt,
		  ...) __attribute__((format(printf, 4, 5)));

static void field(FILE *f, int indent, const char *comment, const char *fmt,
		  ...)
{
	char text[256];
	va_list ap;
	int col = 8 * indent;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	for (int i = 0; i < indent; i++)
		fputc('\t', f);
	fputs(text, f);
	if (comment) {
		col += (int)strlen(text);
		do
			fputc('\t', f), col = (col / 8 + 1) * 8;
		while (col < 48);
		fprintf(f, "/* %s */", comment);
	}
	fputc('\n', f);
}

/* A partition's health table, the image room and its manager function. */
static void write_health(FILE *f, const struct part *p)
{
	char s1[32], s2[64];
	bool any = false;

	for (unsigned e = 0; e < TN_HM_NR_EVENTS; e++)
		any |= p->hm_actions[e] != 0;
	if (!any) {
		field(f, 3, "every event: the default", ".hm_actions = {0},");
	} else {
		field(f, 3, "by event; the others: the default",
		      ".hm_actions = {");
		for (unsigned e = 0; e < TN_HM_NR_EVENTS; e++) {
			if (!p->hm_actions[e])
				continue;
			snprintf(s2, sizeof(s2), "%s: %s", tn_hm_event_name(e),
				 tn_hm_action_name(p->hm_actions[e]));
			field(f, 4, s2, "[%u] = %u,", e, p->hm_actions[e]);
		}
		field(f, 3, NULL, "},");
	}
	if (p->restart_max) {
		snprintf(s2, sizeof(s2), "restarts in %u ms, then stopped",
			 p->restart_window_ms);
		field(f, 3, s2, ".restart_max = %u,", p->restart_max);
		field(f, 3, NULL, ".restart_window_ms = %u,",
		      p->restart_window_ms);
	} else {
		field(f, 3, "no restart limit", ".restart_max = 0,");
		field(f, 3, NULL, ".restart_window_ms = 0,");
	}
	snprintf(s2, sizeof(s2), "a loaded image's most, running: %s",
		 fmt_size(s1, sizeof(s1), p->image_room));
	field(f, 3, s2, ".image_room = 0x%llx,", u(p->image_room));
	snprintf(s2, sizeof(s2), "its manager function, 00:%02x.0",
		 TN_MGR_PCI_SLOT);
	if (p->kind == TN_CFG_KIND_LINUX)
		field(f, 3, s2, ".mgr_bar0_ipa = 0x%08llx,",
		      u(p->mgr_bar0_ipa));
	field(f, 3,
	      p->irq_delivery == TN_CFG_IRQ_DIRECT
		  ? "direct: the CPU interface is its own"
		  : "through the virtual GIC",
	      ".irq_delivery = %u,", p->irq_delivery);
}

void cfg_write_sysconfig(FILE *f, const struct sys *sys)
{
	char s1[32], s2[160];

	fprintf(f,
		"/*\n"
		" * The hypervisor's table of the system: generated from %s\n"
		" * by tools/tenon-config; do not edit.\n"
		" */\n"
		"#include \"tenon/sysconfig.h\"\n\n"
		"const struct tn_sysconfig tn_sysconfig = {\n",
		sys->source);
	field(f, 1, NULL, ".magic = TN_SYSCONFIG_MAGIC,");
	field(f, 1, NULL, ".version = TN_SYSCONFIG_VERSION,");
	field(f, 1, "physical CPUs", ".ncpus = %u,", sys->ncpus);
	field(f, 1, NULL, ".npartitions = %u,", sys->nparts);
	field(f, 1, "drains the console, takes its input", ".console_cpu = %u,",
	      sys->console_cpu);
	snprintf(s2, sizeof(s2), "the hypervisor's RAM: %s",
		 fmt_size(s1, sizeof(s1), sys->hyp_size));
	field(f, 1, s2, ".hyp_pa = 0x%08llx,", u(sys->hyp_pa));
	field(f, 1, NULL, ".hyp_size = 0x%08llx,", u(sys->hyp_size));
	field(f, 1, "the machine: " PLATFORM, ".platform = {");
	field(f, 2, NULL, ".ram_base = 0x%08llx,", u(sys->ram_base));
	field(f, 2, NULL, ".ram_size = 0x%08llx,", u(sys->ram_size));
	field(f, 2, NULL, ".gicd_base = 0x%08llx,", u(plat.gicd_base));
	field(f, 2, NULL, ".gicd_size = 0x%08llx,", u(plat.gicd_size));
	field(f, 2, NULL, ".gicr_base = 0x%08llx,", u(plat.gicr_base));
	field(f, 2, NULL, ".gicr_stride = 0x%08llx,", u(plat.gicr_stride));
	field(f, 2, NULL, ".uart_base = 0x%08llx,", u(plat.uart_base));
	field(f, 2, NULL, ".uart_size = 0x%08llx,", u(plat.uart_size));
	snprintf(s2, sizeof(s2), "SPI %u", plat.uart_spi);
	field(f, 2, s2, ".uart_intid = %u,", GIC_SPI_INTID(plat.uart_spi));
	field(f, 2, NULL, ".maintenance_ppi = %u,", plat.maintenance_ppi);
	field(f, 2, NULL, ".vtimer_ppi = %u,", plat.vtimer_ppi);
	field(f, 2, NULL, ".ptimer_ppi = %u,", 16 + plat.timer_ppis[1]);
	field(f, 2, NULL, ".pmu_ppi = %u,", plat.pmu_ppi);
	field(f, 2, "RAM and devices below 2^pa_bits", ".pa_bits = %u,",
	      cfg_pa_bits(sys));
	field(f, 2, "the emulated PCI host bridge, bus 0",
	      ".pci_ecam_base = 0x%08llx,", u(plat.pci_ecam_base));
	field(f, 2, NULL, ".pci_ecam_size = 0x%08llx,", u(plat.pci_ecam_size));
	field(f, 2, "its functions' registers (BAR0)",
	      ".pci_bar0_base = 0x%08llx,", u(plat.pci_bar0_base));
	field(f, 2, NULL, ".pci_bar0_size = 0x%08llx,", u(plat.pci_bar0_size));
	field(f, 2, "the channels' regions (BAR2)",
	      ".chan_ipa_base = 0x%08llx,", u(plat.chan_ipa_base));
	field(f, 2, NULL, ".chan_ipa_size = 0x%08llx,", u(plat.chan_ipa_size));
	snprintf(s2, sizeof(s2), "SPI %u + the channel's index",
		 plat.chan_spi_base);
	field(f, 2, s2, ".chan_intid_base = %u,",
	      GIC_SPI_INTID(plat.chan_spi_base));
	field(f, 2, NULL, ".chan_intids = %u,", plat.chan_spis);
	field(f, 2, "CNTHP, the console's", ".hyptimer_ppi = %u,",
	      16 + plat.timer_ppis[3]);
	snprintf(s2, sizeof(s2), "SPI %u: the health monitor's", plat.hm_spi);
	field(f, 2, s2, ".hm_intid = %u,", GIC_SPI_INTID(plat.hm_spi));
	field(f, 1, NULL, "},");
	field(f, 1, NULL, ".partitions = {");
	for (unsigned i = 0; i < sys->nparts; i++) {
		const struct part *p = &sys->parts[i];
		char cpus[8 * 12] = "";
		size_t len = 0;

		for (uint32_t c = 0; c < p->ncpus; c++)
			len += snprintf(cpus + len, sizeof(cpus) - len, "%s%u",
					c ? ", " : "", p->cpus[c]);
		fprintf(f, "\t\t/* %s: %s, %s on CPU%s %s, image %s */\n",
			p->name, kind_name(p->kind),
			fmt_size(s1, sizeof(s1), p->ram_size),
			p->ncpus > 1 ? "s" : "", cpus, p->image);
		field(f, 2, NULL, "[%u] = {", i);
		field(f, 3, NULL, ".name = \"%s\",", p->name);
		field(f, 3, NULL, ".kind = TN_CFG_KIND_%s,",
		      p->kind == TN_CFG_KIND_LINUX ? "LINUX" : "RTOS");
		field(f, 3, NULL, ".ncpus = %u,", p->ncpus);
		field(f, 3, "physical CPU of each vCPU", ".cpus = {%s},", cpus);
		field(f, 3, "where its RAM is", ".ram_pa = 0x%08llx,",
		      u(p->ram_pa));
		field(f, 3, "where it sees it", ".ram_ipa = 0x%08llx,",
		      u(plat.ram_base));
		field(f, 3, NULL, ".ram_size = 0x%08llx,", u(p->ram_size));
		snprintf(s2, sizeof(s2), "the image, at RAM + 0x%llx",
			 u(p->image_off));
		field(f, 3, s2, ".entry_ipa = 0x%08llx,",
		      u(plat.ram_base + p->image_off));
		/* Whole blocks: a variant may swap images, not the table. */
		field(f, 3, "its 2 MiB blocks' end, running (BSS in)",
		      ".image_end_ipa = 0x%08llx,",
		      u(plat.ram_base + COPY_EXTENT(p->image_end)));
		snprintf(s2, sizeof(s2), "%s.dtb, at RAM + 0x%llx", p->name,
			 u(p->dtb_off));
		field(f, 3, s2, ".dtb_ipa = 0x%08llx,",
		      u(plat.ram_base + p->dtb_off));
		/* Its room, not its size: bootargs may change, not the table.
		 */
		field(f, 3, NULL, ".dtb_room = 0x%llx,", u(PART_DTB_MAX));
		field(f, 3, p->console ? "the emulated PL011" : "none",
		      ".console = %d,", p->console);
		if (!p->ndevices) {
			field(f, 3, "no device passed through",
			      ".ndevices = 0,");
		} else {
			field(f, 3, "passed through: PA = IPA",
			      ".ndevices = %u,", p->ndevices);
			field(f, 3, NULL, ".devices = {");
		}
		for (uint32_t d = 0; d < p->ndevices; d++) {
			const struct plat_device *dev = p->devices[d];

			field(f, 4, NULL, "[%u] = {", d);
			field(f, 5, dev->what, ".name = \"%s\",", dev->name);
			field(f, 5, NULL, ".base = 0x%08llx,", u(dev->base));
			field(f, 5, NULL, ".size = 0x%08llx,", u(dev->size));
			snprintf(s2, sizeof(s2), "SPI %u", dev->spi);
			field(f, 5, s2, ".irq = %u,", GIC_SPI_INTID(dev->spi));
			field(f, 5, NULL, ".pad = 0,");
			field(f, 4, NULL, "},");
		}
		if (p->ndevices)
			field(f, 3, NULL, "},");
		/*
		 * Sizes to the end of a 2 MiB block: what lies after the file
		 * there is zero and nothing else of the partition's is loaded
		 * in that block, so copying it back does no harm, and the
		 * table stays the same when only a file's length changes.
		 */
		field(f, 3, "pristine copies, for restarts: {pa, ipa, size}",
		      ".copies = {");
		for (int c = 0; c < TN_CFG_COPIES; c++) {
			const struct tn_cfg_copy *copy = &p->copies[c];
			const char *dir;
			char *name;

			if (!copy->size) {
				snprintf(s2, sizeof(s2), "no %s", copy_what[c]);
				field(f, 4, s2, "{0, 0, 0},");
				continue;
			}
			name = copy_file(sys, p, c, NULL, &dir);
			snprintf(s2, sizeof(s2), "%s %s", copy_what[c], name);
			free(name);
			field(f, 4, s2, "{0x%08llx, 0x%08llx, 0x%08llx},",
			      u(copy->pa), u(copy->ipa), u(copy->size));
		}
		field(f, 3, NULL, "},");
		write_health(f, p);
		field(f, 2, NULL, "},");
	}
	field(f, 1, NULL, "},");
	field(f, 1, NULL, ".nchannels = %u,", sys->nchans);
	if (sys->manager == TN_CFG_NO_MANAGER)
		field(f, 1, "no manager", ".manager = TN_CFG_NO_MANAGER,");
	else
		field(f, 1, sys->parts[sys->manager].name, ".manager = %u,",
		      sys->manager);
	if (sys->nchans)
		field(f, 1, NULL, ".channels = {");
	for (unsigned i = 0; i < sys->nchans; i++) {
		const struct chan *c = &sys->chans[i];

		fprintf(f, "\t\t/* %s: %s, %s writes, %s */\n", c->name,
			chan_kind_name(c->kind),
			sys->parts[c->ends[0].part].name,
			fmt_size(s1, sizeof(s1), c->size));
		field(f, 2, NULL, "[%u] = {", i);
		field(f, 3, NULL, ".name = \"%s\",", c->name);
		field(f, 3, chan_kind_name(c->kind), ".kind = %u,", c->kind);
		field(f, 3, NULL, ".msg_size = %u,", c->msg_size);
		field(f, 3, NULL, ".depth = %u,", c->depth);
		field(f, 3, NULL, ".validity_us = %u,", c->validity_us);
		field(f, 3, "in RAM nobody has", ".region_pa = 0x%08llx,",
		      u(c->pa));
		field(f, 3, "the same in every end", ".region_ipa = 0x%08llx,",
		      u(c->ipa));
		field(f, 3, NULL, ".region_size = 0x%08llx,", u(c->size));
		field(f, 3, "the writer, then the readers", ".nends = %u,",
		      c->nends);
		field(f, 3, NULL, ".ends = {");
		for (unsigned e = 0; e < c->nends; e++) {
			const struct chan_end *end = &c->ends[e];
			const struct part *p = &sys->parts[end->part];
			bool pci = p->kind == TN_CFG_KIND_LINUX;

			snprintf(s2, sizeof(s2), "%s, %s%s", p->name,
				 end->role == TN_CHAN_WRITER ? "writer"
							     : "reader",
				 pci ? ": PCI function, INTx" : ": doorbell");
			field(f, 4, s2,
			      "{.partition = %d, .role = %u, .intid = %u, "
			      ".pci_dev = %u, .bar0_ipa = 0x%08llx},",
			      end->part, end->role,
			      GIC_SPI_INTID(chan_spi(sys, c)), end->pci_dev,
			      u(end->bar0_ipa));
		}
		field(f, 3, NULL, "},");
		field(f, 2, NULL, "},");
	}
	if (sys->nchans)
		field(f, 1, NULL, "},");
	if (sys->load_size) {
		snprintf(s2, sizeof(s2),
			 "the load window, %s: BAR2 of the manager's function",
			 fmt_size(s1, sizeof(s1), sys->load_size));
		field(f, 1, s2, ".load_pa = 0x%08llx,", u(sys->load_pa));
		field(f, 1, NULL, ".load_ipa = 0x%08llx,", u(sys->load_ipa));
		field(f, 1, NULL, ".load_size = 0x%08llx,", u(sys->load_size));
	}
	fputs("};\n", f);
}

/* A path for a QEMU option value: commas doubled. */
static void qemu_path(FILE *f, const char *dir, const char *name)
{
	char *path = xasprintf("%s%s%s", dir, *dir ? "/" : "", name);

	for (const char *c = path; *c; c++) {
		if (*c == ',')
			fputc(',', f);
		fputc(*c, f);
	}
	free(path);
}

static void loader(FILE *f, const char *dir, const char *name, uint64_t pa)
{
	fputs("-device loader,file=", f);
	qemu_path(f, dir, name);
	fprintf(f, ",addr=0x%llx,force-raw=on\n", u(pa));
}

void cfg_write_loads(FILE *f, const struct sys *sys, const char *out)
{
	for (unsigned i = 0; i < sys->nparts; i++) {
		const struct part *p = &sys->parts[i];
		char *dtb = xasprintf("%s.dtb", p->name);

		loader(f, out, dtb, p->ram_pa + p->dtb_off);
		loader(f, sys->build, p->image, p->ram_pa + p->image_off);
		if (p->initrd)
			loader(f, sys->build, p->initrd,
			       p->ram_pa + p->initrd_off);
		free(dtb);
	}
	/* The pristine copies, for restarts: the same files again. */
	for (unsigned i = 0; i < sys->nparts; i++) {
		const struct part *p = &sys->parts[i];

		for (int c = 0; c < TN_CFG_COPIES; c++) {
			const char *dir;
			char *name;

			if (!p->copies[c].size)
				continue;
			name = copy_file(sys, p, c, out, &dir);
			loader(f, dir, name, p->copies[c].pa);
			free(name);
		}
	}
}

/* QEMU's machine size: its CPUs, and RAM from the virt RAM base. */
void cfg_write_machine(FILE *f, const struct sys *sys, const char *out)
{
	(void)out;
	fprintf(f, "-smp %u\n-m %lluM\n", sys->ncpus,
		u((sys->ram_base + sys->ram_size - plat.ram_base) >> 20));
}

/* A table of strings, its columns as wide as their widest cell. */
#define COLS 11
/* A heading, then per partition its loads (3) or its devices. */
#define ROWS                         \
	(1 + TN_CFG_MAX_PARTITIONS * \
		 (TN_CFG_MAX_DEVICES > 3 ? TN_CFG_MAX_DEVICES : 3))
struct table {
	char *cell[ROWS][COLS];
	int rows, cols;
};

static void print_table(FILE *f, struct table *t, const char *indent)
{
	int width[COLS] = {0};

	for (int r = 0; r < t->rows; r++)
		for (int c = 0; c < t->cols; c++)
			if ((int)strlen(t->cell[r][c]) > width[c])
				width[c] = (int)strlen(t->cell[r][c]);
	for (int r = 0; r < t->rows; r++) {
		fputs(indent, f);
		for (int c = 0; c < t->cols; c++) {
			if (c + 1 < t->cols)
				fprintf(f, "%-*s  ", width[c], t->cell[r][c]);
			else
				fprintf(f, "%s\n", t->cell[r][c]);
			free(t->cell[r][c]);
		}
	}
	t->rows = 0;
}

/* A partition's load `c` and its pristine copy. */
static void load_row(struct table *t, const struct sys *sys,
		     const struct part *p, int c, const char *out)
{
	const struct tn_cfg_copy *copy = &p->copies[c];
	char **row = t->cell[t->rows++];
	const char *dir;
	char *name = copy_file(sys, p, c, out, &dir);
	char s[32];

	row[0] =
	    xasprintf("0x%08llx", u(p->ram_pa + copy->ipa - plat.ram_base));
	row[1] = xasprintf("0x%08llx", u(copy->ipa));
	row[2] = xstrdup(fmt_size(s, sizeof(s), copy->size));
	row[3] = xasprintf("0x%08llx", u(copy->pa));
	row[4] = xasprintf("%s %s", p->name, copy_what[c]);
	row[5] = dir ? xasprintf("%s/%s", dir, name) : xstrdup(name);
	free(name);
}

/* The RAM no one has (nor a pristine copy), in address order. */
static void print_free_ram(FILE *f, const struct sys *sys)
{
	uint64_t at = sys->ram_base, size;
	bool any = false;
	char s1[48], s2[32];

	fputs("RAM given to nobody:", f);
	for (;;) {
		at = cfg_free_ram(sys, at, &size);
		if (!size)
			break;
		fprintf(f, "%s %s (%s)", any ? "," : "",
			fmt_range(s1, sizeof(s1), at, size),
			fmt_size(s2, sizeof(s2), size));
		any = true;
		at += size;
	}
	fputs(any ? "\n" : " none\n", f);
}

/* The RAM the pristine copies take, in 2 MiB blocks. */
static uint64_t copies_ram(const struct sys *sys)
{
	uint64_t total = 0;

	for (unsigned i = 0; i < sys->nparts; i++)
		for (int c = 0; c < TN_CFG_COPIES; c++)
			total += COPY_EXTENT(sys->parts[i].copies[c].pa %
						 PART_ALIGN +
					     sys->parts[i].copies[c].size);
	return total;
}

/* A partition's devices, "rtc,gpio", or "-". */
static const char *devices(char *buf, size_t size, const struct part *p)
{
	size_t len = 0;

	snprintf(buf, size, "-");
	for (uint32_t d = 0; d < p->ndevices && len < size; d++)
		len += snprintf(buf + len, size - len, "%s%s", d ? "," : "",
				p->devices[d]->name);
	return buf;
}

static bool any_devices(const struct sys *sys)
{
	for (unsigned i = 0; i < sys->nparts; i++)
		if (sys->parts[i].ndevices)
			return true;
	return false;
}

/*
 * The health monitor: each partition's table as the hypervisor applies
 * it (what its health node gives marked *, the rest the defaults), its
 * restart limit and image room, then the manager and the load window.
 */
static void write_health_summary(FILE *f, const struct sys *sys,
				 struct table *t)
{
	char s1[48], s2[32];
	bool given = false;

	fprintf(f,
		"\nHealth monitor (notifications: INTID %u, SPI %u); "
		"actions by event:\n",
		GIC_SPI_INTID(plat.hm_spi), plat.hm_spi);
	t->cols = 1 + (int)sys->nparts;
	t->cell[0][0] = xstrdup("event");
	for (unsigned i = 0; i < sys->nparts; i++)
		t->cell[0][1 + i] = xstrdup(sys->parts[i].name);
	t->rows = 1;
	for (unsigned e = 1; e < TN_HM_NR_EVENTS; e++) {
		char **row;

		if (e == TN_HM_EV_MANAGER)
			continue;
		row = t->cell[t->rows++];
		row[0] = xstrdup(tn_hm_event_name(e));
		for (unsigned i = 0; i < sys->nparts; i++) {
			const struct part *p = &sys->parts[i];

			row[1 + i] = xasprintf(
			    "%s%s", tn_hm_action_name(hm_action_of(p, e)),
			    p->hm_actions[e] ? " *" : "");
			given |= p->hm_actions[e] != 0;
		}
	}
	{
		char **row = t->cell[t->rows++];
		char **room = t->cell[t->rows++];

		row[0] = xstrdup("restart limit");
		room[0] = xstrdup("image room");
		for (unsigned i = 0; i < sys->nparts; i++) {
			const struct part *p = &sys->parts[i];

			row[1 + i] =
			    p->restart_max
				? xasprintf("%u in %u ms", p->restart_max,
					    p->restart_window_ms)
				: xstrdup("none");
			room[1 + i] =
			    xstrdup(fmt_size(s2, sizeof(s2), p->image_room));
		}
	}
	print_table(f, t, "  ");
	if (given)
		fputs("  (* given in its health node; the others are the "
		      "defaults)\n",
		      f);
	if (sys->manager == TN_CFG_NO_MANAGER) {
		fputs("Manager: none (no partition has manager; and none is "
		      "Linux)\n",
		      f);
	} else {
		const struct part *m = &sys->parts[sys->manager];

		fprintf(f, "Manager: %s%s\n", m->name,
			m->manager ? ""
				   : " (the default: the first Linux "
				     "partition)");
		if (!sys->load_size)
			fputs(m->kind == TN_CFG_KIND_LINUX
				  ? "Load window: none (no other partition)\n"
				  : "Load window: none (the manager is not "
				    "Linux: it loads nothing)\n",
			      f);
		else
			fprintf(
			    f,
			    "Load window: PA %s (%s), IPA 0x%08llx, not loaded "
			    "by QEMU\n",
			    fmt_range(s1, sizeof(s1), sys->load_pa,
				      sys->load_size),
			    fmt_size(s2, sizeof(s2), sys->load_size),
			    u(sys->load_ipa));
	}
	for (unsigned i = 0; i < sys->nparts; i++)
		if (sys->parts[i].kind == TN_CFG_KIND_LINUX)
			fprintf(f,
				"Manager function of %s: 00:%02x.0, BAR0 "
				"0x%08llx%s\n",
				sys->parts[i].name, TN_MGR_PCI_SLOT,
				u(sys->parts[i].mgr_bar0_ipa),
				i == sys->manager ? ", BAR2 the load window"
						  : "");
}

void cfg_write_summary(FILE *f, const struct sys *sys, const char *out)
{
	struct table t = {.rows = 0, .cols = 11};
	uint32_t used = 0;
	char s1[48], s2[32];
	bool any = false;

	fprintf(f, "System %s: %s, %u CPUs, RAM %s (%s)\n", sys->source,
		PLATFORM, sys->ncpus,
		fmt_range(s1, sizeof(s1), sys->ram_base, sys->ram_size),
		fmt_size(s2, sizeof(s2), sys->ram_size));
	fprintf(f, "Hypervisor: RAM %s (%s), console on CPU %u%s\n\n",
		fmt_range(s1, sizeof(s1), sys->hyp_pa, sys->hyp_size),
		fmt_size(s2, sizeof(s2), sys->hyp_size), sys->console_cpu,
		sys->console_cpu_given ? "" : " (the default)");

	static const char *const head[] = {
	    "partition", "kind",       "CPUs",	  "RAM PA", "RAM IPA",	 "size",
	    "console",	 "interrupts", "devices", "image",  "entry IPA",
	};
	for (int c = 0; c < t.cols; c++)
		t.cell[0][c] = xstrdup(head[c]);
	t.rows = 1;
	for (unsigned i = 0; i < sys->nparts; i++) {
		const struct part *p = &sys->parts[i];
		char **row = t.cell[t.rows++];
		char cpus[8 * 12] = "", devs[TN_CFG_MAX_DEVICES * 17];
		size_t len = 0;

		for (uint32_t c = 0; c < p->ncpus; c++) {
			len += snprintf(cpus + len, sizeof(cpus) - len, "%s%u",
					c ? "," : "", p->cpus[c]);
			used |= 1u << p->cpus[c];
		}
		row[0] = xstrdup(p->name);
		row[1] = xstrdup(kind_name(p->kind));
		row[2] = xstrdup(cpus);
		row[3] = xasprintf("0x%08llx", u(p->ram_pa));
		row[4] = xasprintf("0x%08llx", u(plat.ram_base));
		row[5] = xstrdup(fmt_size(s2, sizeof(s2), p->ram_size));
		row[6] = xstrdup(p->console ? "yes" : "no");
		row[7] =
		    xstrdup(p->irq_delivery == TN_CFG_IRQ_DIRECT ? "direct"
								 : "virtual");
		row[8] = xstrdup(devices(devs, sizeof(devs), p));
		row[9] = xstrdup(p->image);
		row[10] =
		    xasprintf("0x%08llx", u(plat.ram_base + p->image_off));
	}
	print_table(f, &t, "");

	fputs("\nLoads, each also at copy PA (its pristine copy, for "
	      "restarts):\n",
	      f);
	t.cols = 6;
	static const char *const load_head[] = {"PA",	   "IPA",  "size",
						"copy PA", "what", "file"};
	for (int c = 0; c < t.cols; c++)
		t.cell[0][c] = xstrdup(load_head[c]);
	t.rows = 1;
	for (unsigned i = 0; i < sys->nparts; i++)
		for (int c = 0; c < TN_CFG_COPIES; c++)
			if (sys->parts[i].copies[c].size)
				load_row(&t, sys, &sys->parts[i], c, out);
	print_table(f, &t, "  ");

	if (any_devices(sys)) {
		fputs("\nDevices passed through (PA = IPA):\n", f);
		t.cols = 5;
		static const char *const dev_head[] = {
		    "partition", "device", "region", "interrupt", "what"};
		for (int c = 0; c < t.cols; c++)
			t.cell[0][c] = xstrdup(dev_head[c]);
		t.rows = 1;
		for (unsigned i = 0; i < sys->nparts; i++) {
			const struct part *p = &sys->parts[i];

			for (uint32_t d = 0; d < p->ndevices; d++) {
				const struct plat_device *dev = p->devices[d];
				char **row = t.cell[t.rows++];

				row[0] = xstrdup(p->name);
				row[1] = xstrdup(dev->name);
				row[2] = xstrdup(fmt_range(
				    s1, sizeof(s1), dev->base, dev->size));
				row[3] = xasprintf("INTID %u (SPI %u)",
						   GIC_SPI_INTID(dev->spi),
						   dev->spi);
				row[4] = xstrdup(dev->what);
			}
		}
		print_table(f, &t, "  ");
	}

	if (sys->nchans) {
		fputs("\nChannels (regions Normal non-cacheable, the same IPA "
		      "in every end):\n",
		      f);
		t.cols = 8;
		static const char *const chan_head[] = {
		    "channel", "kind",	 "writer", "readers",
		    "sizes",   "region", "PA",	   "doorbell"};
		for (int c = 0; c < t.cols; c++)
			t.cell[0][c] = xstrdup(chan_head[c]);
		t.rows = 1;
		for (unsigned i = 0; i < sys->nchans; i++) {
			const struct chan *c = &sys->chans[i];
			char **row = t.cell[t.rows++];
			char readers[TN_CFG_MAX_PARTITIONS * 40] = "";
			size_t len = 0;

			for (unsigned e = 1; e < c->nends; e++) {
				const struct part *p =
				    &sys->parts[c->ends[e].part];

				len += snprintf(readers + len,
						sizeof(readers) - len, "%s%s",
						e > 1 ? "," : "", p->name);
				if (p->kind == TN_CFG_KIND_LINUX)
					len += snprintf(readers + len,
							sizeof(readers) - len,
							"(00:%02x.0)",
							c->ends[e].pci_dev);
			}
			row[0] = xstrdup(c->name);
			row[1] = xstrdup(chan_kind_name(c->kind));
			row[2] =
			    sys->parts[c->ends[0].part].kind ==
				    TN_CFG_KIND_LINUX
				? xasprintf("%s(00:%02x.0)",
					    sys->parts[c->ends[0].part].name,
					    c->ends[0].pci_dev)
				: xstrdup(sys->parts[c->ends[0].part].name);
			row[3] = xstrdup(readers);
			if (c->kind == TN_CHAN_STREAM)
				row[4] = xasprintf("%u bytes", c->depth);
			else if (c->kind == TN_CHAN_QUEUE)
				row[4] = xasprintf("%u x %u bytes", c->depth,
						   c->msg_size);
			else if (c->validity_us)
				row[4] = xasprintf("%u bytes, valid %u us",
						   c->msg_size, c->validity_us);
			else
				row[4] = xasprintf("%u bytes", c->msg_size);
			row[5] =
			    xstrdup(fmt_range(s1, sizeof(s1), c->ipa, c->size));
			row[6] = xasprintf("0x%08llx", u(c->pa));
			row[7] = xasprintf("SPI %u", chan_spi(sys, c));
		}
		print_table(f, &t, "  ");
	}

	write_health_summary(f, sys, &t);

	fputs("\nBoot arguments:\n", f);
	for (unsigned i = 0; i < sys->nparts; i++) {
		const struct part *p = &sys->parts[i];

		fprintf(f, "  %s: %s%s%s\n", p->name, p->bootargs ? "\"" : "",
			p->bootargs ? p->bootargs : "(none)",
			p->bootargs ? "\"" : "");
	}

	fputs("\nCPUs given to nobody:", f);
	for (uint32_t c = 0; c < sys->ncpus; c++)
		if (!(used & 1u << c)) {
			fprintf(f, "%s %u", any ? "," : "", c);
			any = true;
		}
	fputs(any ? "\n" : " none\n", f);
	fprintf(f, "RAM of the pristine copies: %s\n",
		fmt_size(s2, sizeof(s2), copies_ram(sys)));
	print_free_ram(f, sys);
}
