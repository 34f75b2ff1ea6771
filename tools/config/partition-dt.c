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

#define PHANDLE_GIC 1
#define PHANDLE_CLK 2

/* dt-bindings/interrupt-controller/arm-gic.h and irq.h */
#define GIC_SPI 0
#define GIC_PPI 1
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

static void node_chosen(struct dt *d, const struct part *p)
{
	begin(d, "chosen");
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

static int build(struct dt *d, int size, const struct part *p)
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
	end(d);
	if (!d->err)
		d->err = fdt_finish(d->fdt);
	return d->err;
}

int cfg_partition_dtb(struct part *p)
{
	struct dt d = {NULL, 0};

	for (int size = 4096; size <= (int)PART_DTB_MAX; size *= 2) {
		d.fdt = malloc(size);
		if (!d.fdt) {
			fprintf(stderr, "tenon-config: out of memory\n");
			return -1;
		}
		if (!build(&d, size, p)) {
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
