/*
 * Partitions: their lifecycle (running, being reset, off, parked), the
 * one reset that boot and restart share, and their memory as the
 * hypervisor reaches it. A partition stops or restarts alone; the others
 * run on. The machine powers off only once no partition can run again.
 */
#include "hyp.h"
#include "core/channel.h"

struct partition partitions[TN_CFG_MAX_PARTITIONS];

/*
 * How long the vCPUs of a partition being reset have to leave their CPUs:
 * microseconds on hardware, but an emulator on a loaded host may leave a
 * vCPU unscheduled for a good part of a second.
 */
#define HALT_TIMEOUT_MS 2000

uint64_t partition_ipa_to_pa(struct partition *p, uint64_t ipa, uint64_t len)
{
	const struct tn_cfg_partition *c = p->cfg;

	if (ipa < c->ram_ipa || len > c->ram_size ||
	    ipa - c->ram_ipa > c->ram_size - len)
		return 0;
	return c->ram_pa + (ipa - c->ram_ipa);
}

/* Off or parked: nothing of it will run again. */
static bool is_down(const struct partition *p)
{
	int s = __atomic_load_n(&p->state, __ATOMIC_ACQUIRE);

	return s == PARTITION_OFF || s == PARTITION_PARKED;
}

static void power_off_if_all_down(void)
{
	for (uint32_t i = 0; i < tn_sysconfig.npartitions; i++)
		if (!is_down(&partitions[i]))
			return;
	exit_stats_log();
	hyp_log("every partition is stopped: powering the machine off");
	/* Nothing logged so far may be lost: written out here, first. */
	console_flush(false);
	psci_fw_system_off();
}

void partition_stop(struct partition *p, const char *why)
{
	spin_lock(&p->lock);
	if (p->state != PARTITION_RUNNING) {
		/* Already going down, or being reset: that wins. */
		spin_unlock(&p->lock);
		return;
	}
	vcpu_stop_all(p);
	__atomic_store_n(&p->state, PARTITION_OFF, __ATOMIC_RELEASE);
	spin_unlock(&p->lock);
	hyp_log("partition %s: %s; it is stopped, the others run on",
		p->cfg->name, why);
	power_off_if_all_down();
}

/* A restart is logged ten times, then once in a thousand. */
static bool log_restart(const struct partition *p)
{
	if (p->restarts == 10)
		hyp_log("partition %s: more restarts: logging one in 1000 now",
			p->cfg->name);
	return p->restarts < 10 || (p->restarts + 1) % 1000 == 0;
}

/* Zeroes p's RAM, a block at a time, seeing to this CPU's interrupts. */
static void scrub(struct partition *p, struct vcpu *self)
{
	const uint64_t block = 2ul << 20;
	const struct tn_cfg_partition *c = p->cfg;

	for (uint64_t off = 0; off < c->ram_size; off += block) {
		arch_zero_to_poc(c->ram_pa + off, c->ram_size - off < block
						      ? c->ram_size - off
						      : block);
		trap_irqs(self);
	}
}

static void reload(struct partition *p)
{
	const struct tn_cfg_partition *c = p->cfg;

	for (int k = 0; k < TN_CFG_COPIES; k++) {
		const struct tn_cfg_copy *copy = &c->copies[k];
		uint64_t to;

		if (!copy->pa)
			continue;
		to = partition_ipa_to_pa(p, copy->ipa, copy->size);
		if (!to)
			hyp_panic("partition %s: a copy lies outside its RAM",
				  c->name);
		arch_copy(to, copy->pa, copy->size);
		/* The guest starts with its MMU off: uncached. */
		arch_clean_inval_to_poc(to, copy->size);
	}
	__asm__ volatile("ic ialluis\n\tdsb ish\n\tisb" ::: "memory");
}

void partition_reset(struct partition *p, bool wipe)
{
	const struct tn_cfg_partition *c = p->cfg;
	struct vcpu *first = p->vcpus[0];

	if (wipe) {
		scrub(p, this_vcpu());
		reload(p);
		arch_tlb_flush_vmid(p);
	}
	/* Its ends' registers, not the regions: a channel outlives a reset. */
	channel_reset_partition(p);
	spin_lock(&p->lock);
	vgic_init_partition(p);
	for (uint32_t d = 0; d < c->ndevices; d++) {
		uint32_t irq = c->devices[d].irq;

		if (!irq)
			continue;
		vgic_own_spi(p, irq);
		/* At boot, vgic_enable_owned_spis() routes them, later. */
		if (wipe) {
			gic_deactivate_spi(irq);
			gic_route_spi(irq, first->pcpu);
		}
	}
	for (uint32_t i = 0; i < c->ncpus; i++) {
		vgic_init_vcpu(p->vcpus[i]);
		p->vcpus[i]->state = VCPU_OFF;
	}
	__builtin_memset(&p->uart, 0, sizeof(p->uart));
	p->faults = 0;
	first->entry = c->entry_ipa;
	first->context = c->dtb_ipa;
	first->state = VCPU_ON_PENDING;
	__atomic_store_n(&p->state, PARTITION_RUNNING, __ATOMIC_RELEASE);
	if (wipe && first != this_vcpu())
		gic_kick(first->pcpu);
	spin_unlock(&p->lock);
}

/* Some vCPU did not halt in time: p is left parked, as it is. */
static void park(struct partition *p)
{
	char late[4 * TN_CFG_MAX_CPUS + 1] = "";
	size_t n = 0;

	for (uint32_t i = 0; i < p->cfg->ncpus && n + 5 < sizeof(late); i++)
		if (p->vcpus[i]->state != VCPU_HALTED)
			n += (size_t)hyp_snprintf(late + n, sizeof(late) - n,
						  " %u", i);
	hyp_log("partition %s: not every vCPU left its CPU within %d ms "
		"(still running:%s): the partition is parked, the others "
		"run on",
		p->cfg->name, HALT_TIMEOUT_MS, n ? late : " none by now");
	__atomic_store_n(&p->state, PARTITION_PARKED, __ATOMIC_RELEASE);
	power_off_if_all_down();
}

void partition_restart(struct partition *p, struct vcpu *caller,
		       const char *why)
{
	const struct tn_cfg_partition *c = p->cfg;
	uint64_t t0, t1;
	bool loud;

	if (!c->copies[1].pa) {
		partition_stop(p, why);
		return;
	}
	spin_lock(&p->lock);
	if (p->state != PARTITION_RUNNING) {
		spin_unlock(&p->lock);
		return; /* another of its vCPUs resets or stops it */
	}
	p->state = PARTITION_RESETTING;
	vcpu_stop_all(p);
	spin_unlock(&p->lock);
	loud = log_restart(p);
	if (loud)
		hyp_log("partition %s: %s; restarting it, the others run on",
			c->name, why);

	/* Every vCPU leaves its CPU clean before anything is reset. */
	vcpu_halt(caller);
	if (!vcpu_wait_halted(p, HALT_TIMEOUT_MS)) {
		park(p);
		return;
	}
	t0 = arch_counter();
	p->restarts++;
	partition_reset(p, true);
	t1 = arch_counter();
	if (loud)
		hyp_log(
		    "partition %s: restarted (%lu time%s; %lu MiB of RAM "
		    "scrubbed and images reloaded in %lu us)",
		    c->name, (unsigned long)p->restarts,
		    p->restarts == 1 ? "" : "s",
		    (unsigned long)(c->ram_size >> 20),
		    (unsigned long)((t1 - t0) * 1000000 / arch_counter_freq()));
}
