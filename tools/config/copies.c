/*
 * The pristine copies of what each partition loads: its device tree, its
 * image and its initrd, kept in physical RAM that neither a partition nor
 * the hypervisor has, so that the hypervisor can put them back when it
 * restarts the partition (PSCI SYSTEM_RESET, the health monitor). QEMU
 * loads them there too (qemu-loads). Each is 2 MiB-aligned and takes
 * whole 2 MiB blocks; they are placed first fit from the lowest address,
 * partition by partition, device tree, image, then initrd.
 */
#include "tenon-config.h"

const char *const copy_what[TN_CFG_COPIES] = {"device tree", "image", "initrd"};

/* The RAM region taken that holds `at`, its end in *end; or false. */
static bool taken(const struct sys *sys, uint64_t at, uint64_t *end)
{
	if (at >= sys->hyp_pa && at - sys->hyp_pa < sys->hyp_size) {
		*end = sys->hyp_pa + sys->hyp_size;
		return true;
	}
	for (unsigned i = 0; i < sys->nparts; i++) {
		const struct part *p = &sys->parts[i];

		if (at >= p->ram_pa && at - p->ram_pa < p->ram_size) {
			*end = p->ram_pa + p->ram_size;
			return true;
		}
		for (int c = 0; c < TN_CFG_COPIES; c++) {
			const struct tn_cfg_copy *copy = &p->copies[c];

			if (copy->size && at >= COPY_BLOCK(copy->pa) &&
			    at < copy->pa + copy->size) {
				*end = copy->pa + copy->size;
				return true;
			}
		}
	}
	/* The channels' regions (channels.c), once placed. */
	for (unsigned i = 0; i < sys->nchans; i++) {
		const struct chan *c = &sys->chans[i];

		if (c->pa && at >= c->pa && at - c->pa < c->size) {
			*end = c->pa + c->size;
			return true;
		}
	}
	/* The manager's load window (health.c), once placed. */
	if (sys->load_size && at >= sys->load_pa &&
	    at - sys->load_pa < sys->load_size) {
		*end = sys->load_pa + sys->load_size;
		return true;
	}
	return false;
}

/* The lowest start of a taken region above `at`, or `limit`. */
static uint64_t next_taken(const struct sys *sys, uint64_t at, uint64_t limit)
{
	uint64_t next = limit;

	if (sys->hyp_pa > at && sys->hyp_pa < next)
		next = sys->hyp_pa;
	for (unsigned i = 0; i < sys->nparts; i++) {
		const struct part *p = &sys->parts[i];

		if (p->ram_pa > at && p->ram_pa < next)
			next = p->ram_pa;
		for (int c = 0; c < TN_CFG_COPIES; c++)
			if (p->copies[c].size &&
			    COPY_BLOCK(p->copies[c].pa) > at &&
			    COPY_BLOCK(p->copies[c].pa) < next)
				next = COPY_BLOCK(p->copies[c].pa);
	}
	for (unsigned i = 0; i < sys->nchans; i++)
		if (sys->chans[i].pa > at && sys->chans[i].pa < next)
			next = sys->chans[i].pa;
	if (sys->load_size && sys->load_pa > at && sys->load_pa < next)
		next = sys->load_pa;
	return next;
}

uint64_t cfg_free_ram(const struct sys *sys, uint64_t at, uint64_t *size)
{
	uint64_t end = sys->ram_base + sys->ram_size, skip;

	if (at < sys->ram_base)
		at = sys->ram_base;
	while (at < end && taken(sys, at, &skip))
		at = skip;
	if (at >= end) {
		*size = 0;
		return end;
	}
	*size = next_taken(sys, at, end) - at;
	return at;
}

/*
 * Places one copy of `size` bytes, first fit; false if there is no room.
 * It keeps the offset from 2 MiB of where it goes (an image's
 * text_offset) and runs to the end of its last block: putting it back
 * writes zeros there, never into what lies in the next block.
 */
static bool place(const struct sys *sys, struct tn_cfg_copy *copy, uint64_t ipa,
		  uint64_t size)
{
	uint64_t at = sys->ram_base, piece, offset = ipa % PART_ALIGN;

	size = COPY_EXTENT(offset + size);
	for (;;) {
		at = cfg_free_ram(sys, at, &piece);
		if (!piece)
			return false;
		/* Everything taken is 2 MiB-aligned, so is every piece. */
		if (piece >= size)
			break;
		at += piece;
	}
	copy->pa = at + offset;
	copy->ipa = ipa;
	copy->size = size - offset;
	return true;
}

/* The RAM given to nobody, in all. */
static uint64_t free_total(const struct sys *sys)
{
	uint64_t at = sys->ram_base, piece, total = 0;

	for (;;) {
		at = cfg_free_ram(sys, at, &piece);
		if (!piece)
			return total;
		total += piece;
		at += piece;
	}
}

void cfg_place_copies(struct sys *sys)
{
	for (unsigned i = 0; i < sys->nparts; i++) {
		struct part *p = &sys->parts[i];
		uint64_t size[TN_CFG_COPIES] = {p->dtb_size, p->image_size,
						p->initrd ? p->initrd_size : 0};
		uint64_t ipa[TN_CFG_COPIES] = {
		    plat.ram_base + p->dtb_off,
		    plat.ram_base + p->image_off,
		    plat.ram_base + p->initrd_off,
		};
		uint64_t left = free_total(sys), need = 0;
		char what[160], s1[32], s2[64];
		size_t len = 0;
		bool room = true;

		for (int c = 0; c < TN_CFG_COPIES && room; c++)
			room = !size[c] ||
			       place(sys, &p->copies[c], ipa[c], size[c]);
		if (room)
			continue;

		/* None of its copies, then: say what they all need. */
		for (int c = 0; c < TN_CFG_COPIES; c++) {
			uint64_t extent =
			    COPY_EXTENT(ipa[c] % PART_ALIGN + size[c]);

			p->copies[c] = (struct tn_cfg_copy){0, 0, 0};
			if (!size[c])
				continue;
			need += extent;
			len +=
			    snprintf(what + len, sizeof(what) - len, "%s%s %s",
				     len ? ", " : "", copy_what[c],
				     fmt_size(s1, sizeof(s1), extent));
		}
		if (!left)
			snprintf(s2, sizeof(s2), "none is left");
		else if (left < need)
			snprintf(s2, sizeof(s2), "only %s is left",
				 fmt_size(s1, sizeof(s1), left));
		else
			snprintf(s2, sizeof(s2),
				 "the %s left is not in pieces that fit them",
				 fmt_size(s1, sizeof(s1), left));
		cfg_error(sys, p->path,
			  "no room for the pristine copies of what it loads, "
			  "kept for restarts in RAM that no partition (nor the "
			  "hypervisor) has: they need %s in 2 MiB blocks (%s), "
			  "and %s; give the machine more RAM in / memory, or "
			  "leave RAM unassigned",
			  fmt_size(s1, sizeof(s1), need), what, s2);
	}
}
