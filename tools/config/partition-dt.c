/*
 * Each partition's device tree: exactly what the partition sees, built
 * with libfdt's sequential-write calls. Its RAM at the platform's RAM
 * base, one CPU node per vCPU (reg = the vCPU number, which is what the
 * vCPU reads in MPIDR_EL1 and what PSCI CPU_ON takes), PSCI through HVC,
 * and the devices as the hypervisor emulates them at QEMU virt's
 * addresses: the GICv3 (one redistributor per vCPU), the generic timer,
 * the PMU, and the PL011 if the partition has the console; then the platform
 * devices it has for itself (devices = "..."), as QEMU describes them,
 * and the APB clock they and the PL011 name. Linux needs them all;
 * the real-time core reads its RAM, CPUs, bootargs, the GIC's and the
 * PL011's addresses and whether it has a stdout-path, but sees the same
 * devices, and its tree stays complete (the PL011's interrupt has
 * its controller).
 */
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "tenon-config.h"
#include "tenon/channel_abi.h"
#include "tenon/hm.h"

#define PHANDLE_GIC 1
#define PHANDLE_CLK 2

/* dt-bindings/interrupt-controller/arm-gic.h and irq.h */
#define GIC_SPI 0
#define GIC_PPI 1
#define IRQ_TYPE_EDGE_RISING 1
#define IRQ_TYPE_LEVEL_HIGH 4
#define GIC_CPU_MASK_SIMPLE(n) ((((1u << (n)) - 1) & 0xff) << 8)

/* A tree being written; the first libfdt error sticks. */
struct dt {
	void *fdt;
	int err;
};

static void begin(struct dt *d, const char *name)
{
	if (!d->err)
		d->err = fdt_begin_node(d->fdt, name);
}

static void end(struct dt *d)
{
	if (!d->err)
		d->err = fdt_end_node(d->fdt);
}

static void prop(struct dt *d, const char *name, const void *val, int len)
{
	if (!d->err)
		d->err = fdt_property(d->fdt, name, val, len);
}

static void prop_empty(struct dt *d, const char *name)
{
	prop(d, name, NULL, 0);
}

static void prop_str(struct dt *d, const char *name, const char *s)
{
	prop(d, name, s, (int)strlen(s) + 1);
}

/* A list of strings, NULL-terminated. */
static void prop_strs(struct dt *d, const char *name, const char *const *list)
{
	char buf[256];
	size_t len = 0;

	for (; *list; list++) {
		size_t n = strlen(*list) + 1;

		if (len + n > sizeof(buf))
			abort();
		memcpy(buf + len, *list, n);
		len += n;
	}
	prop(d, name, buf, (int)len);
}

static void prop_cells(struct dt *d, const char *name, const uint32_t *cells,
		       int n)
{
	fdt32_t be[16];

	if (n > 16)
		abort();
	for (int i = 0; i < n; i++)
		be[i] = cpu_to_fdt32(cells[i]);
	prop(d, name, be, 4 * n);
}

static void prop_u32(struct dt *d, const char *name, uint32_t v)
{
	prop_cells(d, name, &v, 1);
}

static void prop_u64(struct dt *d, const char *name, uint64_t v)
{
	fdt64_t be = cpu_to_fdt64(v);

	prop(d, name, &be, sizeof(be));
}

/* reg = <addr-hi addr-lo size-hi size-lo>... for n (address, size) pairs. */
static void prop_reg(struct dt *d, const uint64_t *pairs, int n)
{
	uint32_t cells[16];

	for (int i = 0; i < 2 * n; i++) {
		cells[2 * i] = (uint32_t)(pairs[i] >> 32);
		cells[2 * i + 1] = (uint32_t)pairs[i];
	}
	prop_cells(d, "reg", cells, 4 * n);
}

/* The end partition `pi` has of channel c, or NULL. */
static const struct chan_end *end_of(const struct chan *c, int pi)
{
	for (unsigned e = 0; e < c->nends; e++)
		if (c->ends[e].part == pi)
			return &c->ends[e];
	return NULL;
}

static bool has_ends(const struct sys *sys, const struct part *p)
{
	for (unsigned i = 0; i < sys->nchans; i++)
		if (end_of(&sys->chans[i], (int)(p - sys->parts)))
			return true;
	return false;
}

static void node_chosen(struct dt *d, const struct part *p)
{
	begin(d, "chosen");
	/*
	 * Linux keeps the BARs where the hypervisor put them. Every Linux
	 * partition has a bus: its manager function is on it.
	 */
	if (p->kind == TN_CFG_KIND_LINUX)
		prop_u32(d, "linux,pci-probe-only", 1);
	if (p->bootargs)
		prop_str(d, "bootargs", p->bootargs);
	if (p->console)
		prop_str(d, "stdout-path", "/pl011@9000000");
	if (p->initrd) {
		uint64_t start = plat.ram_base + p->initrd_off;

		prop_u64(d, "linux,initrd-start", start);
		prop_u64(d, "linux,initrd-end", start + p->initrd_size);
	}
	end(d);
}

static void node_memory(struct dt *d, const struct part *p)
{
	const uint64_t reg[] = {plat.ram_base, p->ram_size};
	char name[32];

	snprintf(name, sizeof(name), "memory@%llx",
		 (unsigned long long)plat.ram_base);
	begin(d, name);
	prop_str(d, "device_type", "memory");
	prop_reg(d, reg, 1);
	end(d);
}

static void node_cpus(struct dt *d, const struct part *p)
{
	begin(d, "cpus");
	prop_u32(d, "#address-cells", 1);
	prop_u32(d, "#size-cells", 0);
	for (uint32_t i = 0; i < p->ncpus; i++) {
		char name[16];

		snprintf(name, sizeof(name), "cpu@%u", i);
		begin(d, name);
		prop_str(d, "device_type", "cpu");
		prop_str(d, "compatible", "arm,cortex-a72");
		prop_u32(d, "reg", i);
		prop_str(d, "enable-method", "psci");
		end(d);
	}
	end(d);
}

static void node_psci(struct dt *d)
{
	static const char *const compatible[] = {"arm,psci-1.0", "arm,psci-0.2",
						 NULL};

	begin(d, "psci");
	prop_strs(d, "compatible", compatible);
	prop_str(d, "method", "hvc");
	end(d);
}

static void node_gic(struct dt *d, const struct part *p)
{
	const uint64_t reg[] = {plat.gicd_base, plat.gicd_size, plat.gicr_base,
				plat.gicr_stride * p->ncpus};

	begin(d, "intc@8000000");
	prop_str(d, "compatible", "arm,gic-v3");
	prop_u32(d, "#interrupt-cells", 3);
	prop_empty(d, "interrupt-controller");
	prop_u32(d, "#address-cells", 2);
	prop_u32(d, "#size-cells", 2);
	prop_empty(d, "ranges");
	prop_reg(d, reg, 2);
	prop_u32(d, "phandle", PHANDLE_GIC);
	end(d);
}

static void node_timer(struct dt *d, const struct part *p)
{
	uint32_t cells[3 * 4];

	for (int i = 0; i < 4; i++) {
		cells[3 * i] = GIC_PPI;
		cells[3 * i + 1] = plat.timer_ppis[i];
		cells[3 * i + 2] =
		    GIC_CPU_MASK_SIMPLE(p->ncpus) | IRQ_TYPE_LEVEL_HIGH;
	}
	begin(d, "timer");
	prop_str(d, "compatible", "arm,armv8-timer");
	prop_cells(d, "interrupts", cells, 12);
	prop_empty(d, "always-on");
	end(d);
}

/* The PMU: the guest has every event counter, its overflow PPI. */
static void node_pmu(struct dt *d, const struct part *p)
{
	const uint32_t irq[] = {GIC_PPI, plat.pmu_ppi - 16,
				GIC_CPU_MASK_SIMPLE(p->ncpus) |
				    IRQ_TYPE_LEVEL_HIGH};

	begin(d, "pmu");
	prop_str(d, "compatible", "arm,armv8-pmuv3");
	prop_cells(d, "interrupts", irq, 3);
	end(d);
}

/* The APB clock the PL011 and the primecell devices name, apb_pclk. */
static void node_clock(struct dt *d)
{
	begin(d, "apb-pclk");
	prop_str(d, "compatible", "fixed-clock");
	prop_u32(d, "#clock-cells", 0);
	prop_u32(d, "clock-frequency", plat.uart_clock);
	prop_str(d, "clock-output-names", "clk24mhz");
	prop_u32(d, "phandle", PHANDLE_CLK);
	end(d);
}

static void node_console(struct dt *d)
{
	static const char *const uart_compatible[] = {"arm,pl011",
						      "arm,primecell", NULL};
	static const char *const clock_names[] = {"uartclk", "apb_pclk", NULL};
	const uint32_t irq[] = {GIC_SPI, plat.uart_spi, IRQ_TYPE_LEVEL_HIGH};
	const uint32_t clocks[] = {PHANDLE_CLK, PHANDLE_CLK};
	const uint64_t reg[] = {plat.uart_base, plat.uart_size};

	begin(d, "pl011@9000000");
	prop_strs(d, "compatible", uart_compatible);
	prop_reg(d, reg, 1);
	prop_cells(d, "interrupts", irq, 3);
	prop_strs(d, "clock-names", clock_names);
	prop_cells(d, "clocks", clocks, 2);
	end(d);
}

/* A platform device passed through: at its own address, its own SPI. */
static void node_device(struct dt *d, const struct plat_device *dev)
{
	const uint32_t irq[] = {GIC_SPI, dev->spi, IRQ_TYPE_LEVEL_HIGH};
	const uint64_t reg[] = {dev->base, dev->size};
	char name[48];

	snprintf(name, sizeof(name), "%s@%llx", dev->model,
		 (unsigned long long)dev->base);
	begin(d, name);
	prop_strs(d, "compatible", dev->compatible);
	prop_reg(d, reg, 1);
	prop_cells(d, "interrupts", irq, 3);
	if (dev->gpio_cells) {
		prop_empty(d, "gpio-controller");
		prop_u32(d, "#gpio-cells", dev->gpio_cells);
	}
	prop_u32(d, "clocks", PHANDLE_CLK);
	prop_str(d, "clock-names", "apb_pclk");
	end(d);
}

/* The other end of c from `self` (a sample writer's: its first reader). */
static const char *peer_name(const struct sys *sys, const struct chan *c,
			     const struct chan_end *self)
{
	const struct chan_end *peer =
	    self->role == TN_CHAN_WRITER ? &c->ends[1] : &c->ends[0];

	return c->nends > 1 ? sys->parts[peer->part].name : "";
}

/*
 * A real-time end: one node per channel, its region, what it is, and its
 * doorbell, an edge SPI of its own virtual GIC.
 */
static void node_rt_channels(struct dt *d, const struct sys *sys,
			     const struct part *p)
{
	int pi = (int)(p - sys->parts);

	begin(d, "tenon-channels");
	prop_str(d, "compatible", "tenon,channels");
	prop_u32(d, "#address-cells", 2);
	prop_u32(d, "#size-cells", 2);
	for (unsigned i = 0; i < sys->nchans; i++) {
		const struct chan *c = &sys->chans[i];
		const struct chan_end *e = end_of(c, pi);
		const uint64_t reg[] = {c->ipa, c->size};
		const uint32_t irq[] = {GIC_SPI, chan_spi(sys, c),
					IRQ_TYPE_EDGE_RISING};
		char name[32];

		if (!e)
			continue;
		snprintf(name, sizeof(name), "channel@%llx",
			 (unsigned long long)c->ipa);
		begin(d, name);
		prop_str(d, "compatible", "tenon,channel");
		prop_reg(d, reg, 1);
		prop_str(d, "tenon,name", c->name);
		prop_u32(d, "tenon,id", i);
		prop_u32(d, "tenon,kind", c->kind);
		prop_u32(d, "tenon,role", e->role);
		prop_u32(d, "tenon,msg-size", c->msg_size);
		prop_u32(d, "tenon,depth", c->depth);
		prop_u32(d, "tenon,validity-us", c->validity_us);
		prop_str(d, "tenon,peer", peer_name(sys, c, e));
		prop_cells(d, "interrupts", irq, 3);
		end(d);
	}
	end(d);
}

/* PCI addresses (IEEE 1275 PCI binding): phys.hi's space code. */
#define PCI_SPACE_MEM32 0x02000000u
#define PCI_PREFETCHABLE 0x40000000u
#define PCI_DEV_SHIFT 11

/*
 * A Linux end: a function on an emulated ECAM host bridge, bus 0 only,
 * its BARs in the two windows (registers, then the regions, prefetchable),
 * INTA of each function its own level SPI. The manager function
 * (TN_MGR_PCI_SLOT, every Linux partition has one) raises no interrupt:
 * it has no entry in the map, so Linux gives it none (and uio_pci_generic
 * does not ask for INTx masking it would not need).
 */
static void node_pci(struct dt *d, const struct sys *sys, const struct part *p)
{
	int pi = (int)(p - sys->parts);
	const uint64_t reg[] = {plat.pci_ecam_base, plat.pci_ecam_size};
	const uint32_t bus_range[] = {0, 0};
	const uint32_t ranges[] = {
	    PCI_SPACE_MEM32,
	    (uint32_t)(plat.pci_bar0_base >> 32),
	    (uint32_t)plat.pci_bar0_base,
	    (uint32_t)(plat.pci_bar0_base >> 32),
	    (uint32_t)plat.pci_bar0_base,
	    (uint32_t)(plat.pci_bar0_size >> 32),
	    (uint32_t)plat.pci_bar0_size,
	    PCI_SPACE_MEM32 | PCI_PREFETCHABLE,
	    (uint32_t)(plat.chan_ipa_base >> 32),
	    (uint32_t)plat.chan_ipa_base,
	    (uint32_t)(plat.chan_ipa_base >> 32),
	    (uint32_t)plat.chan_ipa_base,
	    (uint32_t)(plat.chan_ipa_size >> 32),
	    (uint32_t)plat.chan_ipa_size,
	};
	const uint32_t map_mask[] = {0x1f << PCI_DEV_SHIFT, 0, 0, 7};
	/* Child unit address (3), INTA, GIC phandle, its address (2), IRQ. */
	fdt32_t map[TN_CFG_MAX_CHANNELS * 10];
	int n = 0;
	char name[32];

	for (unsigned i = 0; i < sys->nchans; i++) {
		const struct chan_end *e = end_of(&sys->chans[i], pi);
		const uint32_t entry[] = {
		    e ? e->pci_dev << PCI_DEV_SHIFT : 0,
		    0,
		    0,
		    1,
		    PHANDLE_GIC,
		    0,
		    0,
		    GIC_SPI,
		    chan_spi(sys, &sys->chans[i]),
		    IRQ_TYPE_LEVEL_HIGH,
		};

		if (!e)
			continue;
		for (int k = 0; k < 10; k++)
			map[n++] = cpu_to_fdt32(entry[k]);
	}
	snprintf(name, sizeof(name), "pcie@%llx",
		 (unsigned long long)plat.pci_ecam_base);
	begin(d, name);
	prop_str(d, "compatible", "pci-host-ecam-generic");
	prop_str(d, "device_type", "pci");
	prop_u32(d, "#address-cells", 3);
	prop_u32(d, "#size-cells", 2);
	prop_u32(d, "#interrupt-cells", 1);
	prop_reg(d, reg, 1);
	prop_cells(d, "bus-range", bus_range, 2);
	prop_u32(d, "linux,pci-domain", 0);
	prop_cells(d, "ranges", ranges, 14);
	/* Only the manager function: no interrupt to map. */
	if (n) {
		prop_cells(d, "interrupt-map-mask", map_mask, 4);
		prop(d, "interrupt-map", map, 4 * n);
	}
	end(d);
}

/*
 * A real-time partition's view of the health monitor: the notification
 * (an edge SPI of its virtual GIC, as the doorbells), its own index and
 * every partition's name by index (what TN_HC_PARTITION_CTL and the HM
 * log's entries take), and whether it is the manager.
 */
static void node_health(struct dt *d, const struct sys *sys,
			const struct part *p)
{
	const uint32_t irq[] = {GIC_SPI, plat.hm_spi, IRQ_TYPE_EDGE_RISING};
	const char *names[TN_CFG_MAX_PARTITIONS + 1];
	unsigned i;

	for (i = 0; i < sys->nparts && i < TN_CFG_MAX_PARTITIONS; i++)
		names[i] = sys->parts[i].name;
	names[i] = NULL;
	begin(d, "tenon-health");
	prop_str(d, "compatible", "tenon,health-v1");
	prop_cells(d, "interrupts", irq, 3);
	prop_u32(d, "tenon,index", (uint32_t)(p - sys->parts));
	prop_strs(d, "tenon,partitions", names);
	if (sys->manager == (uint32_t)(p - sys->parts))
		prop_empty(d, "tenon,manager");
	end(d);
}

static int build(struct dt *d, int size, const struct sys *sys,
		 const struct part *p)
{
	d->err = fdt_create(d->fdt, size);
	if (!d->err)
		d->err = fdt_finish_reservemap(d->fdt);
	begin(d, "");
	prop_u32(d, "#address-cells", 2);
	prop_u32(d, "#size-cells", 2);
	prop_str(d, "compatible", "tenon,partition");
	prop_u32(d, "interrupt-parent", PHANDLE_GIC);
	node_chosen(d, p);
	node_memory(d, p);
	node_cpus(d, p);
	node_psci(d);
	node_gic(d, p);
	node_timer(d, p);
	node_pmu(d, p);
	if (p->console || p->ndevices)
		node_clock(d);
	if (p->console)
		node_console(d);
	for (uint32_t i = 0; i < p->ndevices; i++)
		node_device(d, p->devices[i]);
	if (p->kind == TN_CFG_KIND_LINUX)
		node_pci(d, sys, p);
	else if (has_ends(sys, p))
		node_rt_channels(d, sys, p);
	if (p->kind == TN_CFG_KIND_RTOS)
		node_health(d, sys, p);
	end(d);
	if (!d->err)
		d->err = fdt_finish(d->fdt);
	return d->err;
}

int cfg_partition_dtb(const struct sys *sys, struct part *p)
{
	struct dt d = {NULL, 0};

	for (int size = 4096; size <= (int)PART_DTB_MAX; size *= 2) {
		d.fdt = malloc(size);
		if (!d.fdt) {
			fprintf(stderr, "tenon-config: out of memory\n");
			return -1;
		}
		if (!build(&d, size, sys, p)) {
			p->dtb = d.fdt;
			p->dtb_size = fdt_totalsize(d.fdt);
			return 0;
		}
		free(d.fdt);
		if (d.err != -FDT_ERR_NOSPACE)
			break;
	}
	fprintf(stderr, "tenon-config: %s: cannot build its device tree: %s\n",
		p->path, fdt_strerror(d.err));
	return -1;
}
