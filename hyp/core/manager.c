/*
 * The manager's PCI function: how a Linux partition lists, stops, starts,
 * restarts and loads the others and reads the HM log, with Debian's own
 * uio_pci_generic and no driver of ours (tenon/hm.h has the registers).
 * Every Linux partition has the function; only the one the system
 * description names manager may use it: the others read what any
 * partition may know of itself (magic, version, its own index, whether it
 * is the manager) and get -EPERM for every command.
 *
 * A load. The manager writes an image into the load window (BAR2), then
 * TN_MGR_OP_LOAD. Here, on the manager's CPU, the window is made
 * read-only for the manager first (so what is checked is what will be
 * copied: the manager cannot change it between the two), the image's
 * header and size are checked, and a bad image is refused with the old
 * one running on. A good one is copied over the target's pristine image
 * by the target's own CPU as it restarts (hm.c, partition.c), and the
 * window is the manager's again.
 */
#include <errno.h>

#include "hyp.h"
#include "core/channel.h"
#include "core/hm.h"
#include "core/mmio.h"

struct mgr {
	struct partition *part; /* the Linux partition it is in */
	struct spinlock lock;
	struct pci_func pci;
	uint32_t part_select;
	uint32_t log_select_lo;
	struct tn_hm_entry entry; /* latched by LOG_SELECT_HI */
	uint32_t load_size;
	int32_t result;
	uint32_t cmd; /* commands taken: the number of the latest */
	char what[48];
};

static struct mgr mgrs[TN_CFG_MAX_PARTITIONS];
/* The load window is being checked or copied: not the manager's. */
static bool loading;
static struct spinlock load_lock;

#define TEXT_ALIGN (2ull << 20)

struct pci_func *mgr_pci_state(struct mgr *m)
{
	return &m->pci;
}

struct spinlock *mgr_lock(struct mgr *m)
{
	return &m->lock;
}

struct mgr *mgr_pci_function(struct partition *p, uint32_t dev)
{
	if (dev != TN_MGR_PCI_SLOT || !p->cfg->mgr_bar0_ipa)
		return NULL;
	return &mgrs[p->index];
}

static bool permitted(const struct mgr *m)
{
	return tn_sysconfig.manager == (uint32_t)m->part->index;
}

static struct partition *manager(void)
{
	uint32_t i = tn_sysconfig.manager;

	return i < tn_sysconfig.npartitions ? &partitions[i] : NULL;
}

void mgr_done(struct mgr *m, uint32_t cmd, int result)
{
	spin_lock(&m->lock);
	if (cmd == m->cmd)
		m->result = result;
	spin_unlock(&m->lock);
}

void mgr_load_window_release(void)
{
	struct partition *mp = manager();

	spin_lock(&load_lock);
	if (loading && mp)
		stage2_set_writable(mp, tn_sysconfig.load_ipa,
				    tn_sysconfig.load_size, true);
	loading = false;
	spin_unlock(&load_lock);
}

/* The most bytes a load may bring to t; 0: it cannot be loaded. */
static uint64_t image_max(const struct partition *t)
{
	const struct tn_cfg_copy *slot = &t->cfg->copies[1];
	uint64_t max = slot->size;

	if (!slot->pa || !tn_sysconfig.load_size)
		return 0;
	return max < tn_sysconfig.load_size ? max : tn_sysconfig.load_size;
}

/* The image in the window, now read-only for the manager: 0 or why not. */
static int check_image(const struct partition *t, uint32_t size,
		       const char **why)
{
	const struct tn_cfg_partition *c = t->cfg;
	uint8_t h[64];
	uint64_t text_offset, image_size, room;

	arch_clean_inval_to_poc(tn_sysconfig.load_pa, size);
	__builtin_memcpy(h, (const void *)(uintptr_t)tn_sysconfig.load_pa,
			 sizeof(h));
	text_offset = get_le64(h + 0x08);
	image_size = get_le64(h + 0x10);
	room = c->image_room ? c->image_room : c->copies[1].size;
	if ((uint32_t)get_le64(h + 0x38) != ARM64_IMAGE_MAGIC) {
		*why = "no arm64 Image header (magic ARM\\x64 at 0x38)";
		return -ENOEXEC;
	}
	if (get_le64(h + 0x18) & 1) {
		*why = "a big-endian image";
		return -ENOEXEC;
	}
	if (text_offset % TEXT_ALIGN !=
	    (c->entry_ipa - c->ram_ipa) % TEXT_ALIGN) {
		*why = "another text offset than the partition's entry";
		return -ENOEXEC;
	}
	if (image_size < size) {
		*why = "its header's image size is smaller than the file";
		return -ENOEXEC;
	}
	if (image_size > room) {
		*why = "it takes more RAM running than the partition has room "
		       "for below its device tree";
		return -EFBIG;
	}
	return 0;
}

static int load_check(struct mgr *m, struct partition *t, uint32_t size)
{
	const char *why = NULL;
	int r;

	if (!image_max(t))
		return -EOPNOTSUPP;
	if (size < 64) {
		why = "smaller than an arm64 Image header";
		r = -ENOEXEC;
	} else if (size > image_max(t)) {
		why = "larger than the room for its image";
		r = -EFBIG;
	} else {
		spin_lock(&load_lock);
		if (loading) {
			spin_unlock(&load_lock);
			return -EBUSY;
		}
		loading = true;
		spin_unlock(&load_lock);
		stage2_set_writable(m->part, tn_sysconfig.load_ipa,
				    tn_sysconfig.load_size, false);
		r = check_image(t, size, &why);
		if (r)
			mgr_load_window_release();
	}
	if (r)
		hyp_log("partition %s: the manager's image of %u bytes is "
			"refused: %s; the running one goes on",
			t->cfg->name, size, why);
	return r;
}

/* A write of CMD: op | target << 8. */
static void command(struct mgr *m, uint32_t value)
{
	uint32_t op = value & 0xff, index = value >> 8 & 0xff;
	struct partition *t =
	    index < tn_sysconfig.npartitions ? &partitions[index] : NULL;
	int r;

	if (!permitted(m)) {
		m->result = -EPERM;
		return;
	}
	if (m->result == -EINPROGRESS)
		return; /* one at a time: this one is ignored */
	m->cmd++;
	if (!t || t == m->part || op < TN_MGR_OP_STOP ||
	    op > TN_MGR_OP_WARM_RESTART || value >> 16) {
		m->result = -EINVAL;
		return;
	}
	if (op == TN_MGR_OP_LOAD) {
		r = load_check(m, t, m->load_size);
		if (r) {
			m->result = r;
			return;
		}
	}
	/* Before the request: its CPU may be done before this one. */
	m->result = -EINPROGRESS;
	r = hm_request(t, op, m->load_size, m, m->cmd);
	if (r <= 0) {
		m->result = r;
		if (op == TN_MGR_OP_LOAD)
			mgr_load_window_release();
	}
}

static uint32_t name_word(const char *name, uint64_t off)
{
	uint32_t w = 0;

	for (int i = 3; i >= 0; i--)
		w = w << 8 | (uint8_t)name[off + (uint64_t)i];
	return w;
}

static uint32_t part_reg(const struct mgr *m, uint64_t off)
{
	const struct partition *t;
	const struct tn_cfg_partition *c;
	uint32_t cpus = 0;

	if (m->part_select >= tn_sysconfig.npartitions)
		return 0;
	t = &partitions[m->part_select];
	c = t->cfg;
	if (off >= TN_MGR_REG_PART_NAME && off < TN_MGR_REG_PART_NAME + 16)
		return name_word(c->name, off - TN_MGR_REG_PART_NAME);
	switch (off) {
	case TN_MGR_REG_PART_SELECT:
		return m->part_select;
	case TN_MGR_REG_PART_STATE:
		return hm_part_state(t);
	case TN_MGR_REG_PART_KIND:
		return c->kind;
	case TN_MGR_REG_PART_NCPUS:
		return c->ncpus;
	case TN_MGR_REG_PART_CPUS:
		for (uint32_t i = 0; i < c->ncpus && i < TN_CFG_MAX_CPUS; i++)
			cpus |= 1u << (c->cpus[i] & 31);
		return cpus;
	case TN_MGR_REG_PART_RESTARTS:
		return (uint32_t)t->restarts;
	case TN_MGR_REG_PART_FAULTS:
		return (uint32_t)t->faults;
	case TN_MGR_REG_PART_RAM_KIB:
		return (uint32_t)(c->ram_size >> 10);
	case TN_MGR_REG_PART_WATCHDOG_US:
		return (uint32_t)(t->hm.wd_period * 1000000 /
				  arch_counter_freq());
	case TN_MGR_REG_PART_IMAGE_SIZE:
		return (uint32_t)t->hm.image_size;
	case TN_MGR_REG_PART_EVENTS:
		return t->hm.events;
	case TN_MGR_REG_PART_IMAGE_MAX:
		return (uint32_t)image_max(t);
	}
	return 0;
}

static uint32_t reg_read(const struct mgr *m, uint64_t off)
{
	uint32_t words[sizeof(struct tn_hm_entry) / 4];

	switch (off) {
	case TN_MGR_REG_MAGIC:
		return TN_MGR_MAGIC;
	case TN_MGR_REG_VERSION:
		return TN_HM_ABI_VERSION;
	case TN_MGR_REG_SELF:
		return (uint32_t)m->part->index;
	case TN_MGR_REG_NPARTITIONS:
		return tn_sysconfig.npartitions;
	case TN_MGR_REG_PERMITTED:
		return permitted(m);
	case TN_MGR_REG_FREQ:
		return (uint32_t)arch_counter_freq();
	case TN_MGR_REG_RESULT:
		return (uint32_t)m->result;
	}
	if (!permitted(m))
		return 0;
	if (off >= TN_MGR_REG_ENTRY &&
	    off < TN_MGR_REG_ENTRY + sizeof(struct tn_hm_entry)) {
		__builtin_memcpy(words, &m->entry, sizeof(words));
		return words[(off - TN_MGR_REG_ENTRY) / 4];
	}
	if (off >= TN_MGR_REG_PART_SELECT)
		return part_reg(m, off);
	switch (off) {
	case TN_MGR_REG_LOAD_SIZE:
		return m->load_size;
	case TN_MGR_REG_LOAD_MAX:
		return (uint32_t)tn_sysconfig.load_size;
	case TN_MGR_REG_LOG_NEXT_LO:
		return (uint32_t)hm_log_next();
	case TN_MGR_REG_LOG_NEXT_HI:
		return (uint32_t)(hm_log_next() >> 32);
	case TN_MGR_REG_LOG_DEPTH:
		return TN_HM_LOG_DEPTH;
	case TN_MGR_REG_LOG_SELECT_LO:
		return m->log_select_lo;
	}
	return 0;
}

static void reg_write(struct mgr *m, uint64_t off, uint32_t value)
{
	uint64_t seq;

	switch (off) {
	case TN_MGR_REG_CMD:
		command(m, value);
		return;
	}
	if (!permitted(m))
		return;
	switch (off) {
	case TN_MGR_REG_LOAD_SIZE:
		m->load_size = value;
		break;
	case TN_MGR_REG_LOG_SELECT_LO:
		m->log_select_lo = value;
		break;
	case TN_MGR_REG_LOG_SELECT_HI:
		seq = (uint64_t)value << 32 | m->log_select_lo;
		if (!hm_log_read(seq, &m->entry)) {
			__builtin_memset(&m->entry, 0, sizeof(m->entry));
			m->entry.seq = ~0ull;
		}
		break;
	case TN_MGR_REG_PART_SELECT:
		m->part_select = value;
		break;
	}
}

static enum mmio_result bar0_mmio(struct vcpu *v, void *arg, uint64_t off,
				  bool write, int size, uint64_t *value)
{
	struct mgr *m = arg;

	(void)v;
	if (size != 4 || off & 3)
		return MMIO_BAD_SIZE;
	spin_lock(&m->lock);
	if (write)
		reg_write(m, off, (uint32_t)*value);
	else
		*value = reg_read(m, off);
	spin_unlock(&m->lock);
	return MMIO_DONE;
}

void mgr_init(void)
{
	struct partition *mp = manager();

	for (uint32_t i = 0; i < tn_sysconfig.npartitions; i++) {
		struct partition *p = &partitions[i];
		struct mgr *m = &mgrs[i];

		if (!p->cfg->mgr_bar0_ipa)
			continue;
		m->part = p;
		hyp_snprintf(m->what, sizeof(m->what),
			     "the manager function's registers");
		mmio_region_register(p, p->cfg->mgr_bar0_ipa, TN_MGR_BAR0_SIZE,
				     bar0_mmio, m, NULL, m->what);
	}
	/* The load window: the manager's, writable, until a load. */
	if (mp && mp->cfg->mgr_bar0_ipa && tn_sysconfig.load_size)
		stage2_map_shared(mp, tn_sysconfig.load_ipa,
				  tn_sysconfig.load_pa, tn_sysconfig.load_size,
				  true);
}
