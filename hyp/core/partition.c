/*
 * Partitions: built from the compiled system description at boot, each
 * with its vCPUs pinned to its physical CPUs, its stage-2 map and its
 * virtual GIC and UART; stopped alone when it powers off or fails, the
 * others running on. Also the boot of every CPU.
 */
#include "hyp.h"
#include "plat/qemu-virt/platform.h"

struct partition partitions[TN_CFG_MAX_PARTITIONS];
int hyp_ncpus;
static struct vcpu vcpus[HYP_MAX_CPUS];
static volatile int cpus_up;

void hyp_cpu_main(uint64_t cpu, uint64_t el);
void vcpu_start(struct vcpu *v);

uint64_t partition_ipa_to_pa(struct partition *p, uint64_t ipa, uint64_t len)
{
	const struct tn_cfg_partition *c = p->cfg;

	if (ipa < c->ram_ipa || len > c->ram_size ||
	    ipa - c->ram_ipa > c->ram_size - len)
		return 0;
	return c->ram_pa + (ipa - c->ram_ipa);
}

void partition_stop(struct partition *p, const char *why)
{
	bool all = true;

	spin_lock(&p->lock);
	if (p->stopped) {
		spin_unlock(&p->lock);
		return;
	}
	p->stopped = true;
	for (uint32_t i = 0; i < p->cfg->ncpus; i++) {
		struct vcpu *v = p->vcpus[i];

		v->state = VCPU_STOPPED;
		if (v != this_vcpu())
			gic_kick(v->pcpu);
	}
	spin_unlock(&p->lock);
	hyp_log("partition %s: %s; it is stopped, the others run on",
		p->cfg->name, why);
	for (uint32_t i = 0; i < tn_sysconfig.npartitions; i++)
		all = all && partitions[i].stopped;
	if (all) {
		hyp_log("every partition is stopped: powering the machine off");
		psci_fw_system_off();
	}
}

/* Cleans a range to the point of coherency: the guest starts uncached. */
static void clean_to_poc(uint64_t pa, uint64_t size)
{
	for (uint64_t a = pa & ~63ul; a < pa + size; a += 64)
		__asm__ volatile("dc cvac, %0" ::"r"(a) : "memory");
	dsb(sy);
}

void partition_restart(struct partition *p, struct vcpu *caller,
		       const char *why)
{
	const struct tn_cfg_partition *c = p->cfg;
	struct vcpu *first = p->vcpus[0];

	if (!c->copies[1].pa) {
		partition_stop(p, why);
		return;
	}
	spin_lock(&p->lock);
	if (p->restarting || p->stopped) {
		spin_unlock(&p->lock);
		return;
	}
	p->restarting = true;
	p->stopped = true;
	for (uint32_t i = 0; i < c->ncpus; i++) {
		p->vcpus[i]->state = VCPU_STOPPED;
		if (p->vcpus[i] != caller)
			gic_kick(p->vcpus[i]->pcpu);
	}
	spin_unlock(&p->lock);
	hyp_log("partition %s: %s; restarting it, the others run on", c->name,
		why);

	/* Every vCPU leaves its CPU clean before anything is reset. */
	vcpu_halt(caller);
	for (uint32_t i = 0; i < c->ncpus; i++)
		while (!__atomic_load_n(&p->vcpus[i]->halted, __ATOMIC_ACQUIRE))
			__asm__ volatile("yield");

	for (int k = 0; k < TN_CFG_COPIES; k++) {
		const struct tn_cfg_copy *copy = &c->copies[k];
		uint64_t to;

		if (!copy->pa)
			continue;
		to = partition_ipa_to_pa(p, copy->ipa, copy->size);
		if (!to)
			hyp_panic("partition %s: a copy lies outside its RAM",
				  c->name);
		__builtin_memcpy((void *)to, (const void *)copy->pa,
				 copy->size);
		clean_to_poc(to, copy->size);
	}
	__asm__ volatile("ic ialluis\n\tdsb ish\n\tisb" ::: "memory");

	spin_lock(&p->lock);
	vgic_init_partition(p);
	for (uint32_t d = 0; d < c->ndevices; d++) {
		uint32_t irq = c->devices[d].irq;

		if (!irq)
			continue;
		vgic_own_spi(p, irq);
		gic_deactivate_spi(irq);
		gic_route_spi(irq, first->pcpu);
	}
	for (uint32_t i = 0; i < c->ncpus; i++)
		vgic_init_vcpu(p->vcpus[i]);
	__builtin_memset(&p->uart, 0, sizeof(p->uart));
	p->faults = 0;
	p->restarts++;
	p->stopped = false;
	p->restarting = false;
	for (uint32_t i = 0; i < c->ncpus; i++)
		p->vcpus[i]->state = VCPU_OFF;
	first->entry = c->entry_ipa;
	first->context = c->dtb_ipa;
	first->state = VCPU_ON_PENDING;
	if (first != caller)
		gic_kick(first->pcpu);
	spin_unlock(&p->lock);
	hyp_log("partition %s: restarted (%lu time%s)", c->name,
		(unsigned long)p->restarts, p->restarts == 1 ? "" : "s");
}

static void setup_partitions(void)
{
	for (uint32_t i = 0; i < tn_sysconfig.npartitions; i++) {
		struct partition *p = &partitions[i];
		const struct tn_cfg_partition *c = &tn_sysconfig.partitions[i];

		p->cfg = c;
		p->index = (int)i;
		vgic_init_partition(p);
		stage2_build(p);
		for (uint32_t n = 0; n < c->ncpus; n++) {
			struct vcpu *v = &vcpus[c->cpus[n]];

			v->part = p;
			v->index = (int)n;
			v->pcpu = (int)c->cpus[n];
			v->state = VCPU_OFF;
			vgic_init_vcpu(v);
			p->vcpus[n] = v;
		}
		for (uint32_t d = 0; d < c->ndevices; d++)
			vgic_own_spi(p, c->devices[d].irq);
		/* vCPU 0 starts at the image's entry with its device tree. */
		p->vcpus[0]->entry = c->entry_ipa;
		p->vcpus[0]->context = c->dtb_ipa;
		p->vcpus[0]->state = VCPU_ON_PENDING;
		char cpus[3 * TN_CFG_MAX_CPUS + 1];
		size_t n = 0;

		for (uint32_t k = 0; k < c->ncpus && n + 4 < sizeof(cpus); k++)
			n += (size_t)hyp_snprintf(cpus + n, sizeof(cpus) - n,
						  k ? ",%u" : "%u", c->cpus[k]);
		hyp_log("partition %s: %s, CPU%s %s, RAM %#lx-%#lx seen at "
			"%#lx, entry %#lx, %u device%s",
			c->name,
			c->kind == TN_CFG_KIND_LINUX ? "linux" : "rtos",
			c->ncpus > 1 ? "s" : "", cpus, (unsigned long)c->ram_pa,
			(unsigned long)(c->ram_pa + c->ram_size - 1),
			(unsigned long)c->ram_ipa, (unsigned long)c->entry_ipa,
			c->ndevices, c->ndevices == 1 ? "" : "s");
	}
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
		hyp_log("hypervisor: %d CPUs, %u partitions", hyp_ncpus,
			tn_sysconfig.npartitions);
		gic_init_global();
		setup_partitions();
	}
	v = vcpus[cpu].part ? &vcpus[cpu] : NULL;
	arch_cpu_setup_el2(v);
	gic_init_cpu((int)cpu);
	write_sysreg(tpidr_el2, (uint64_t)v);
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
		console_enable_input();
	}
	if (!v) {
		/* A CPU no partition has: nothing to run here. */
		for (;;)
			__asm__ volatile("wfi");
	}
	vcpu_start(v);
}
