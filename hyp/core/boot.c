/*
 * The boot of every CPU: CPU 0 checks the built-in system description,
 * brings up the GIC, builds every partition and starts the other CPUs;
 * then each CPU runs the vCPU the description gives it, if any.
 */
#include "hyp.h"
#include "core/channel.h"
#include "core/mmio.h"
#include "plat/qemu-virt/platform.h"

int hyp_ncpus;
static struct vcpu vcpus[HYP_MAX_CPUS];
static volatile int cpus_up;

void hyp_cpu_main(uint64_t cpu, uint64_t el);

static void log_partition(const struct tn_cfg_partition *c)
{
	char cpus[3 * TN_CFG_MAX_CPUS + 1];
	size_t n = 0;

	for (uint32_t k = 0; k < c->ncpus && n + 4 < sizeof(cpus); k++)
		n += (size_t)hyp_snprintf(cpus + n, sizeof(cpus) - n,
					  k ? ",%u" : "%u", c->cpus[k]);
	hyp_log("partition %s: %s, CPU%s %s, RAM %#lx-%#lx seen at "
		"%#lx, entry %#lx, %u device%s",
		c->name, c->kind == TN_CFG_KIND_LINUX ? "linux" : "rtos",
		c->ncpus > 1 ? "s" : "", cpus, (unsigned long)c->ram_pa,
		(unsigned long)(c->ram_pa + c->ram_size - 1),
		(unsigned long)c->ram_ipa, (unsigned long)c->entry_ipa,
		c->ndevices, c->ndevices == 1 ? "" : "s");
}

/* The emulated PL011, as an MMIO region (vuart.c). */
static enum mmio_result uart_mmio(struct vcpu *v, void *arg, uint64_t off,
				  bool write, int size, uint64_t *value)
{
	(void)v;
	(void)size;
	return vuart_access(arg, off, write, value) ? MMIO_DONE : MMIO_NOT_MINE;
}

static void setup_partitions(void)
{
	for (uint32_t i = 0; i < tn_sysconfig.npartitions; i++) {
		struct partition *p = &partitions[i];
		const struct tn_cfg_partition *c = &tn_sysconfig.partitions[i];

		p->cfg = c;
		p->index = (int)i;
		stage2_build(p);
		direct_init_partition(p);
		vgic_register_mmio(p);
		if (c->console)
			mmio_region_register(p, PLAT_UART_BASE, PLAT_UART_SIZE,
					     uart_mmio, p, &p->lock,
					     "the UART");
		for (uint32_t n = 0; n < c->ncpus; n++) {
			struct vcpu *v = &vcpus[c->cpus[n]];

			v->part = p;
			v->index = (int)n;
			v->pcpu = (int)c->cpus[n];
			p->vcpus[n] = v;
		}
		/* The loader has just put its images in place. */
		partition_reset(p, RESET_BOOT);
		log_partition(c);
	}
	channel_init();
	mgr_init();
}

void hyp_cpu_main(uint64_t cpu, uint64_t el)
{
	struct vcpu *v;

	if (cpu == 0) {
		console_init();
		if (el != 2)
			hyp_panic("entered at EL%lu: the hypervisor needs EL2 "
				  "(QEMU: -M virt,virtualization=on)",
				  (unsigned long)el);
		if (tn_sysconfig.magic != TN_SYSCONFIG_MAGIC ||
		    tn_sysconfig.version != TN_SYSCONFIG_VERSION)
			hyp_panic("the built-in system description is of "
				  "version %u, not %u: rebuild it",
				  tn_sysconfig.version, TN_SYSCONFIG_VERSION);
		table_check(&tn_sysconfig);
		hyp_ncpus = (int)tn_sysconfig.ncpus;
		hyp_log("hypervisor: %d CPUs, %u partitions; a restart "
			"zeroes the RAM blocks written, %s",
			hyp_ncpus, tn_sysconfig.npartitions,
			stage2_hw_dirty() ? "which the CPU marks (FEAT_HAFDBS)"
					  : "each noted at its first write");
		exit_stats_init();
		gic_init_global();
		setup_partitions();
	}
	v = vcpus[cpu].part ? &vcpus[cpu] : NULL;
	arch_cpu_setup_el2(v);
	gic_init_cpu((int)cpu, v && v->part->direct);
	write_sysreg(tpidr_el2, (uint64_t)v);
	psci_probe_firmware((int)cpu);
	__atomic_add_fetch(&cpus_up, 1, __ATOMIC_RELEASE);
	if (cpu == 0) {
		for (int c = 1; c < hyp_ncpus; c++) {
			int64_t ret = psci_fw_cpu_on(
			    (uint64_t)c, (uint64_t)hyp_secondary_entry,
			    (uint64_t)c);

			if (ret)
				hyp_panic("CPU %d did not start (PSCI %ld)", c,
					  (long)ret);
		}
		while (__atomic_load_n(&cpus_up, __ATOMIC_ACQUIRE) < hyp_ncpus)
			__asm__ volatile(
			    "yield"); /* lets an emulator run them */
		vgic_enable_owned_spis();
		console_start();
	}
	/*
	 * Every CPU's GIC is up before any guest runs: a guest may route an
	 * interrupt to any CPU of its own (direct.c needs its affinity).
	 */
	while (__atomic_load_n(&cpus_up, __ATOMIC_ACQUIRE) < hyp_ncpus)
		__asm__ volatile("yield");
	if (!v) {
		/* A CPU no partition has: the console's, if anything. */
		for (;;) {
			__asm__ volatile("wfi");
			trap_irqs(NULL);
		}
	}
	vcpu_run(v);
}
