/*
 * Partitions: their lifecycle (running, being reset, off, parked), the
 * one reset that boot and restart share, and their memory as the
 * hypervisor reaches it. A partition stops or restarts alone; the others
 * run on. The machine powers off only once no partition can run again.
 */
#include <errno.h>

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
	/* Its vCPUs leave even if they hold the kick off (force_halt()). */
	if (p->direct)
		stage2_revoke(p);
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

/*
 * Zeroes the blocks of p's RAM its incarnation wrote (stage2.c keeps
 * track; the others are zero since the last scrub), seeing to this CPU's
 * interrupts between blocks, and marks them clean. Returns how many bytes
 * it zeroed.
 */
static uint64_t scrub(struct partition *p, struct vcpu *self)
{
	const uint64_t block = 2ul << 20;
	const struct tn_cfg_partition *c = p->cfg;
	uint64_t done = 0;

	for (uint64_t off = 0; off < c->ram_size; off += block) {
		uint64_t n =
		    c->ram_size - off < block ? c->ram_size - off : block;

		if (!stage2_ram_written(p, off))
			continue;
		arch_zero_to_poc(c->ram_pa + off, n);
		stage2_ram_mark(p, off, n, true);
		done += n;
		trap_irqs(self);
	}
	return done;
}

/*
 * Cleans and invalidates to the point of coherency what p wrote of its
 * RAM (a clean block was cleaned when it was zeroed, and has not been
 * written since), in blocks.
 */
static void flush_ram(struct partition *p, struct vcpu *self)
{
	const uint64_t block = 2ul << 20;
	const struct tn_cfg_partition *c = p->cfg;

	for (uint64_t off = 0; off < c->ram_size; off += block) {
		if (!stage2_ram_written(p, off))
			continue;
		arch_clean_inval_to_poc(
		    c->ram_pa + off,
		    c->ram_size - off < block ? c->ram_size - off : block);
		trap_irqs(self);
	}
}

/*
 * How much of a copy's room holds what it is a copy of: a device tree's
 * totalsize, an arm64 Image's image_size (BSS in, which the room holds
 * as zeros), else the whole room. A copy's room runs to the end of its
 * last 2 MiB block, zero past the file: after a scrub, copying the zeros
 * too would only cost time. The copies are the hypervisor's (no
 * partition reaches them), and what their headers say is bounded by the
 * room anyway.
 */
static uint64_t copy_bytes(int k, const struct tn_cfg_copy *copy)
{
	const uint8_t *b = (const uint8_t *)(uintptr_t)copy->pa;
	uint64_t n = copy->size;

	if (k == 0 && copy->size >= 8 && get_be32(b) == 0xd00dfeedu)
		n = get_be32(b + 4);
	else if (k == 1 && copy->size >= 64 &&
		 (uint32_t)get_le64(b + 0x38) == ARM64_IMAGE_MAGIC &&
		 get_le64(b + 0x10))
		n = get_le64(b + 0x10);
	n = (n + 63) & ~63ull;
	return n && n < copy->size ? n : copy->size;
}

/*
 * Puts back p's pristine copies (all, or its device tree alone): after a
 * scrub only what they hold (the rest is zero already), else whole rooms.
 */
static void reload(struct partition *p, bool dtb_only, bool scrubbed)
{
	const struct tn_cfg_partition *c = p->cfg;

	for (int k = 0; k < (dtb_only ? 1 : TN_CFG_COPIES); k++) {
		const struct tn_cfg_copy *copy = &c->copies[k];
		uint64_t to, n;

		if (!copy->pa)
			continue;
		to = partition_ipa_to_pa(p, copy->ipa, copy->size);
		if (!to)
			hyp_panic("partition %s: a copy lies outside its RAM",
				  c->name);
		n = scrubbed ? copy_bytes(k, copy) : copy->size;
		arch_copy(to, copy->pa, n);
		stage2_ram_mark(p, to - c->ram_pa, n, false);
		/* The guest starts with its MMU off: uncached. */
		arch_clean_inval_to_poc(to, n);
	}
	/* Its code may be new (a load), or stale in the caches (warm). */
	__asm__ volatile("ic ialluis\n\tdsb ish\n\tisb" ::: "memory");
}

/*
 * A new image, checked by the manager's function (manager.c) in the load
 * window, which the manager cannot write meanwhile: it becomes p's
 * pristine image, the rest of the copy's room zeroed.
 */
static void take_image(struct partition *p, uint32_t size)
{
	const struct tn_cfg_copy *copy = &p->cfg->copies[1];

	arch_clean_inval_to_poc(tn_sysconfig.load_pa, size);
	arch_copy(copy->pa, tn_sysconfig.load_pa, size);
	if (copy->size > size)
		arch_zero_to_poc(copy->pa + size, copy->size - size);
	arch_clean_inval_to_poc(copy->pa, size);
	p->hm.image_size = size;
}

void partition_reset(struct partition *p, enum reset_kind kind)
{
	const struct tn_cfg_partition *c = p->cfg;
	struct vcpu *first = p->vcpus[0];
	bool again = kind != RESET_BOOT;

	/* Its memory back, if a halt had to take it (force_halt()). */
	stage2_restore(p);
	if (kind == RESET_COLD) {
		p->scrubbed = scrub(p, this_vcpu());
		reload(p, false, true);
	} else if (kind == RESET_WARM) {
		/*
		 * What the guest wrote through its caches must be in memory
		 * before it runs again with them off; and what it reads then
		 * must not hit a line from before.
		 */
		flush_ram(p, this_vcpu());
		reload(p, true, false);
	}
	if (again)
		arch_tlb_flush_vmid(p);
	/* Its ends' registers, not the regions: a channel outlives a reset. */
	channel_reset_partition(p);
	hm_reset_partition(p);
	spin_lock(&p->lock);
	vgic_init_partition(p);
	for (uint32_t d = 0; d < c->ndevices; d++) {
		uint32_t irq = c->devices[d].irq;

		if (!irq)
			continue;
		vgic_own_spi(p, irq);
		/* At boot, vgic_enable_owned_spis() routes them, later. */
		if (again) {
			gic_deactivate_spi(irq);
			gic_route_spi(irq, first->pcpu);
		}
	}
	for (uint32_t i = 0; i < c->ncpus; i++) {
		vgic_init_vcpu(p->vcpus[i]);
		p->vcpus[i]->state = VCPU_OFF;
	}
	if (p->direct)
		direct_reset(p);
	__builtin_memset(&p->uart, 0, sizeof(p->uart));
	p->faults = 0;
	first->entry = c->entry_ipa;
	first->context = c->dtb_ipa;
	first->state = VCPU_ON_PENDING;
	__atomic_store_n(&p->state, PARTITION_RUNNING, __ATOMIC_RELEASE);
	if (again && first != this_vcpu())
		gic_kick(first->pcpu);
	spin_unlock(&p->lock);
}

/* Some vCPU did not halt in time: p is left parked, as it is. */
static void park(struct partition *p)
{
	char late[4 * TN_CFG_MAX_CPUS + 1] = "";
	size_t n = 0;
	enum tn_hm_action act = hm_action_for(p, TN_HM_EV_STOP_FAILED);

	for (uint32_t i = 0; i < p->cfg->ncpus && n + 5 < sizeof(late); i++)
		if (p->vcpus[i]->state != VCPU_HALTED)
			n += (size_t)hyp_snprintf(late + n, sizeof(late) - n,
						  " %u", i);
	hm_log(p, NULL, TN_HM_EV_STOP_FAILED, 0,
	       act == TN_HM_ACT_MACHINE_RESET ? act : TN_HM_ACT_STOP, 0);
	hyp_log("partition %s: not every vCPU left its CPU within %d ms "
		"(still running:%s): %s",
		p->cfg->name, HALT_TIMEOUT_MS, n ? late : " none by now",
		act == TN_HM_ACT_MACHINE_RESET
		    ? "resetting the machine, as its table says"
		    : "the partition is parked, the others run on");
	if (act == TN_HM_ACT_MACHINE_RESET) {
		console_flush(false);
		psci_fw_system_reset();
	}
	__atomic_store_n(&p->state, PARTITION_PARKED, __ATOMIC_RELEASE);
	power_off_if_all_down();
}

/*
 * A vCPU with direct delivery can hold off the hypervisor's kick
 * (docs/hypervisor.md, "Direct interrupt delivery"): its partition's
 * memory is taken away, so that its next access exits, and the wait
 * goes on once more.
 */
static bool force_halt(struct partition *p)
{
	if (!p->direct)
		return false;
	hyp_log("partition %s: a vCPU held off its kick for %d ms: its "
		"memory is revoked, so that its next access comes to the "
		"hypervisor",
		p->cfg->name, HALT_TIMEOUT_MS);
	stage2_revoke(p);
	return vcpu_wait_halted(p, HALT_TIMEOUT_MS);
}

void partition_give_back_memory(struct partition *p)
{
	spin_lock(&p->lock);
	if (p->state == PARTITION_RUNNING &&
	    !__atomic_load_n(&p->hm.req_op, __ATOMIC_ACQUIRE))
		stage2_restore(p);
	spin_unlock(&p->lock);
}

static const char *const kind_words[] = {
    [RESET_BOOT] = "started",
    [RESET_COLD] = "restarted",
    [RESET_WARM] = "warm-restarted",
};

/*
 * Every vCPU of p leaves its CPU, then p is reset: on caller's CPU (one
 * of p's), from a state `from` (RUNNING, or OFF / PARKED for a start or
 * a manager's restart).
 */
static bool halt_and_reset(struct partition *p, struct vcpu *caller,
			   enum reset_kind kind, uint32_t load, bool loud)
{
	const struct tn_cfg_partition *c = p->cfg;
	uint64_t t0, t1, first_writes;

	vcpu_halt(caller);
	if (!vcpu_wait_halted(p, HALT_TIMEOUT_MS) && !force_halt(p)) {
		park(p);
		return false;
	}
	/* Every vCPU is out: its memory back before the tables are walked. */
	stage2_restore(p);
	t0 = arch_counter();
	first_writes = p->first_writes;
	p->first_writes = 0;
	if (load)
		take_image(p, load);
	partition_reset(p, kind);
	t1 = arch_counter();
	if (loud)
		hyp_log(
		    "partition %s: %s (%lu restart%s; %s in %lu us)", c->name,
		    kind_words[kind], (unsigned long)p->restarts,
		    p->restarts == 1 ? "" : "s",
		    kind == RESET_COLD ? "RAM scrubbed and images reloaded"
				       : "its device tree put back",
		    (unsigned long)((t1 - t0) * 1000000 / arch_counter_freq()));
	if (loud && kind == RESET_COLD)
		hyp_log("partition %s: the scrub zeroed %lu KiB of %lu, the "
			"blocks its last incarnation wrote (%lu first writes "
			"trapped)",
			c->name, (unsigned long)(p->scrubbed >> 10),
			(unsigned long)(c->ram_size >> 10),
			(unsigned long)first_writes);
	return true;
}

bool partition_restart_as(struct partition *p, struct vcpu *caller,
			  enum reset_kind kind, uint32_t load, const char *why)
{
	const struct tn_cfg_partition *c = p->cfg;
	bool loud;

	if (!c->copies[1].pa) {
		partition_stop(p, why);
		return false;
	}
	spin_lock(&p->lock);
	/* A parked partition is tried again: its vCPUs may halt by now. */
	if (p->state != PARTITION_RUNNING && p->state != PARTITION_PARKED &&
	    p->state != PARTITION_OFF) {
		spin_unlock(&p->lock);
		return false; /* another of its vCPUs resets it */
	}
	p->state = PARTITION_RESETTING;
	vcpu_stop_all(p);
	spin_unlock(&p->lock);
	loud = log_restart(p);
	if (loud)
		hyp_log("partition %s: %s; restarting it, the others run on",
			c->name, why);
	p->restarts++;
	return halt_and_reset(p, caller, kind, load, loud);
}

void partition_restart(struct partition *p, struct vcpu *caller,
		       const char *why)
{
	partition_restart_as(p, caller, RESET_COLD, 0, why);
}

int partition_start(struct partition *p, struct vcpu *caller)
{
	spin_lock(&p->lock);
	if (p->state != PARTITION_OFF) {
		int s = p->state;

		spin_unlock(&p->lock);
		return s == PARTITION_RUNNING ? -EALREADY : -EBUSY;
	}
	p->state = PARTITION_RESETTING;
	vcpu_stop_all(p);
	spin_unlock(&p->lock);
	hyp_log("partition %s: started by the manager", p->cfg->name);
	return halt_and_reset(p, caller, RESET_COLD, 0, true) ? 0 : -EBUSY;
}
