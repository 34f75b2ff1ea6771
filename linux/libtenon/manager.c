/*
 * The manager function (tenon-manager.h): found among the PCI functions
 * by its subsystem device, bound to uio_pci_generic as a channel end is,
 * its registers mapped from resource0 and the load window from
 * resource2_wc. Every value the registers give is checked before it is
 * used: they are the hypervisor's, but a wrong one must give an error,
 * not an index out of bounds. A select register and what it latches are
 * read under an flock on resource0, so that two processes (a `tenon hm
 * -f` and a `tenon partition list`) do not mix their selections.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include <tenon/sysconfig.h>

#define IMAGE_MAGIC_OFF 0x38
#define ENTRY_WORDS 8 /* struct tn_hm_entry, 32 bytes */

__attribute__((weak)) uint32_t tn_mgr_read(const struct tn_manager *m,
					   uint32_t off)
{
	return *(const volatile uint32_t *)(m->bar0 + off);
}

__attribute__((weak)) void tn_mgr_write(struct tn_manager *m, uint32_t off,
					uint32_t v)
{
	*(volatile uint32_t *)(m->bar0 + off) = v;
}

static void lock(struct tn_manager *m)
{
	while (flock(m->bar0_fd, LOCK_EX) && errno == EINTR)
		;
}

static void unlock(struct tn_manager *m)
{
	flock(m->bar0_fd, LOCK_UN);
}

/* Whether dir is a manager function: the channels' IDs, its subdevice. */
static int is_manager(const char *dir)
{
	unsigned long v, d, sv, sd;

	return !tn_read_hex(dir, "vendor", &v) &&
	       !tn_read_hex(dir, "device", &d) &&
	       !tn_read_hex(dir, "subsystem_vendor", &sv) &&
	       !tn_read_hex(dir, "subsystem_device", &sd) &&
	       v == TN_CHAN_PCI_VENDOR && d == TN_CHAN_PCI_DEVICE &&
	       sv == TN_CHAN_PCI_SUBVENDOR && sd == TN_MGR_PCI_SUBDEVICE;
}

/* The first manager function's directory and address; -ENOENT. */
static int find_function(char *dir, size_t size, char *dev, size_t dev_size)
{
	char base[PATH_MAX];
	struct dirent **list;
	int n, found = -ENOENT;

	snprintf(base, sizeof(base), "%s/bus/pci/devices", tn_sysfs_root());
	n = scandir(base, &list, NULL, alphasort);
	if (n < 0)
		return -ENOENT;
	for (int i = 0; i < n; i++) {
		if (found && list[i]->d_name[0] != '.') {
			snprintf(dir, size, "%.*s/%.200s", (int)(size - 202),
				 base, list[i]->d_name);
			if (is_manager(dir)) {
				snprintf(dev, dev_size, "%.*s",
					 (int)dev_size - 1, list[i]->d_name);
				found = 0;
			}
		}
		free(list[i]);
	}
	free(list);
	return found;
}

void tn_manager_close(struct tn_manager *m)
{
	if (!m)
		return;
	if (m->bar0)
		munmap((void *)m->bar0, TN_MGR_BAR0_SIZE);
	if (m->bar0_fd >= 0)
		close(m->bar0_fd);
	free(m);
}

int tn_manager_open(struct tn_manager **out)
{
	struct tn_manager_info *in;
	struct tn_manager *m;
	char dev[64];
	uint32_t magic, version;
	int err;

	*out = NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return tn_fail(-ENOMEM, "out of memory");
	m->bar0_fd = -1;
	in = &m->info;
	if (find_function(m->path, sizeof(m->path), dev, sizeof(dev))) {
		free(m);
		return tn_fail(-ENOENT,
			       "no manager function on the PCI bus "
			       "(this is not a Tenon partition, or "
			       "its hypervisor has no health monitor)");
	}
	snprintf(in->device, sizeof(in->device), "%.31s", dev);
	err = tn_bind_uio(m->path, in->device, "the manager function");
	if (err)
		goto fail;
	m->bar0 = tn_map_file(m->path, "resource0", TN_MGR_BAR0_SIZE,
			      PROT_READ | PROT_WRITE, &m->bar0_fd);
	if (!m->bar0) {
		err = tn_fail(-errno,
			      "the manager function (%s): cannot map "
			      "resource0: %s",
			      in->device, strerror(errno));
		goto fail;
	}
	magic = tn_mgr_read(m, TN_MGR_REG_MAGIC);
	version = tn_mgr_read(m, TN_MGR_REG_VERSION);
	if (magic != TN_MGR_MAGIC || version != TN_HM_ABI_VERSION) {
		err = tn_fail(-EPROTO,
			      "the manager function (%s): magic 0x%08x "
			      "version %u; this library knows magic 0x%08x "
			      "version %u",
			      in->device, magic, version, TN_MGR_MAGIC,
			      TN_HM_ABI_VERSION);
		goto fail;
	}
	in->self = tn_mgr_read(m, TN_MGR_REG_SELF);
	in->npartitions = tn_mgr_read(m, TN_MGR_REG_NPARTITIONS);
	in->permitted = tn_mgr_read(m, TN_MGR_REG_PERMITTED);
	in->freq = tn_mgr_read(m, TN_MGR_REG_FREQ);
	in->log_depth = tn_mgr_read(m, TN_MGR_REG_LOG_DEPTH);
	in->load_max = tn_mgr_read(m, TN_MGR_REG_LOAD_MAX);
	if (!in->npartitions || in->npartitions > TN_CFG_MAX_PARTITIONS ||
	    in->self >= in->npartitions || in->permitted > 1 || !in->freq ||
	    (in->permitted && (!in->log_depth || in->log_depth > 65536))) {
		err = tn_fail(-EPROTO,
			      "the manager function (%s): its registers say "
			      "partition %u of %u, permitted %u, counter %u "
			      "Hz, a log of %u entries, which cannot be",
			      in->device, in->self, in->npartitions,
			      in->permitted, in->freq, in->log_depth);
		goto fail;
	}
	*out = m;
	return 0;
fail:
	tn_manager_close(m);
	return err;
}

int tn_manager_info(struct tn_manager *m, struct tn_manager_info *info)
{
	*info = m->info;
	return 0;
}

const char *tn_part_state_name(uint32_t state)
{
	static const char *const names[] = {"?", "running", "resetting", "off",
					    "parked"};

	return state < sizeof(names) / sizeof(names[0]) ? names[state] : "?";
}

/* The name register: NUL-terminated, of the characters names have. */
static int read_name(struct tn_manager *m, char *out)
{
	int end = -1;

	for (int i = 0; i < 4; i++) {
		uint32_t w = tn_mgr_read(m, TN_MGR_REG_PART_NAME + 4 * i);

		memcpy(out + 4 * i, &w, 4);
	}
	for (int i = 0; i < TN_NAME_LEN && end < 0; i++)
		if (!out[i])
			end = i;
	if (end <= 0)
		return -1;
	for (int i = 0; i < end; i++)
		if (!((out[i] >= 'a' && out[i] <= 'z') ||
		      (out[i] >= '0' && out[i] <= '9') || out[i] == '_' ||
		      out[i] == '-'))
			return -1;
	memset(out + end, 0, TN_NAME_LEN - end);
	return 0;
}

int tn_manager_partition(struct tn_manager *m, uint32_t index,
			 struct tn_partition_info *p)
{
	int bad_name;

	memset(p, 0, sizeof(*p));
	if (index >= m->info.npartitions)
		return tn_fail(-EINVAL,
			       "partition %u: the system has partitions 0 to "
			       "%u",
			       index, m->info.npartitions - 1);
	lock(m);
	tn_mgr_write(m, TN_MGR_REG_PART_SELECT, index);
	bad_name = read_name(m, p->name);
	p->index = index;
	p->state = tn_mgr_read(m, TN_MGR_REG_PART_STATE);
	p->kind = tn_mgr_read(m, TN_MGR_REG_PART_KIND);
	p->ncpus = tn_mgr_read(m, TN_MGR_REG_PART_NCPUS);
	p->cpus = tn_mgr_read(m, TN_MGR_REG_PART_CPUS);
	p->restarts = tn_mgr_read(m, TN_MGR_REG_PART_RESTARTS);
	p->faults = tn_mgr_read(m, TN_MGR_REG_PART_FAULTS);
	p->ram_kib = tn_mgr_read(m, TN_MGR_REG_PART_RAM_KIB);
	p->watchdog_us = tn_mgr_read(m, TN_MGR_REG_PART_WATCHDOG_US);
	p->image_size = tn_mgr_read(m, TN_MGR_REG_PART_IMAGE_SIZE);
	p->events = tn_mgr_read(m, TN_MGR_REG_PART_EVENTS);
	p->image_max = tn_mgr_read(m, TN_MGR_REG_PART_IMAGE_MAX);
	unlock(m);
	if (bad_name) {
		memset(p->name, 0, sizeof(p->name));
		return tn_fail(-EPROTO,
			       "partition %u: its name register holds no "
			       "partition name",
			       index);
	}
	if (p->state < TN_PART_RUNNING || p->state > TN_PART_PARKED ||
	    (p->kind != TN_CFG_KIND_RTOS && p->kind != TN_CFG_KIND_LINUX) ||
	    !p->ncpus || p->ncpus > TN_CFG_MAX_CPUS ||
	    (uint32_t)__builtin_popcount(p->cpus) != p->ncpus ||
	    p->cpus >> TN_CFG_MAX_CPUS)
		return tn_fail(-EPROTO,
			       "partition %u (%s): its registers say state "
			       "%u, kind %u, %u vCPUs on CPUs 0x%x, which "
			       "cannot be",
			       index, p->name, p->state, p->kind, p->ncpus,
			       p->cpus);
	return 0;
}

int tn_manager_find(struct tn_manager *m, const char *what)
{
	struct tn_partition_info p;
	char *end;
	unsigned long n;
	int err;

	if (*what >= '0' && *what <= '9') {
		n = strtoul(what, &end, 10);
		if (!*end) {
			if (n >= m->info.npartitions)
				return tn_fail(-ENOENT,
					       "no partition %s: the system "
					       "has partitions 0 to %u",
					       what, m->info.npartitions - 1);
			return (int)n;
		}
	}
	for (uint32_t i = 0; i < m->info.npartitions; i++) {
		err = tn_manager_partition(m, i, &p);
		if (err)
			return err;
		if (!strcmp(p.name, what))
			return (int)i;
	}
	return tn_fail(-ENOENT,
		       "no partition '%s' in this system (tenon partition "
		       "list lists them)",
		       what);
}

const char *tn_manager_strerror(int err)
{
	switch (err) {
	case 0:
		return "done";
	case -EPERM:
		return "this partition is not the manager";
	case -EINVAL:
		return "the hypervisor refused it: a bad operation or "
		       "partition, or one a partition cannot ask of itself";
	case -EBUSY:
		return "another command or a reset is in progress";
	case -ENOEXEC:
		return "the image has no arm64 Image header, or another "
		       "text offset than the partition's";
	case -EFBIG:
		return "the image is larger than the partition can take";
	case -EALREADY:
		return "nothing to do: it is already so";
	case -ETIMEDOUT:
		return "the hypervisor did not finish it in time";
	case -EPROTO:
		return "the manager function answered something impossible";
	default:
		return strerror(-err);
	}
}

static void sleep_ms(int ms)
{
	struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000};

	while (nanosleep(&t, &t) && errno == EINTR)
		;
}

static int64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static const char *op_name(uint32_t op)
{
	static const char *const names[] = {
	    "?", "stop", "start", "restart", "load", "warm-restart",
	};

	return op < sizeof(names) / sizeof(names[0]) ? names[op] : "?";
}

int tn_manager_command(struct tn_manager *m, uint32_t op, uint32_t target,
		       int timeout_ms)
{
	int64_t deadline;
	int32_t r;
	int wait = 1;

	if (op < TN_MGR_OP_STOP || op > TN_MGR_OP_WARM_RESTART)
		return tn_fail(-EINVAL, "operation %u is not one of tenon/hm.h",
			       op);
	if (target >= m->info.npartitions)
		return tn_fail(-EINVAL,
			       "partition %u: the system has partitions 0 to "
			       "%u",
			       target, m->info.npartitions - 1);
	if (timeout_ms <= 0)
		timeout_ms = TN_MANAGER_TIMEOUT_MS;
	deadline = now_ms() + timeout_ms;
	lock(m);
	tn_mgr_write(m, TN_MGR_REG_CMD, op | target << 8);
	/* Polled, 1 ms then more: a restart takes milliseconds to
	 * seconds, and the function raises no interrupt. */
	while ((r = (int32_t)tn_mgr_read(m, TN_MGR_REG_RESULT)) ==
	       -EINPROGRESS) {
		if (now_ms() >= deadline) {
			unlock(m);
			return tn_fail(-ETIMEDOUT,
				       "%s of partition %u: still in "
				       "progress after %d ms",
				       op_name(op), target, timeout_ms);
		}
		sleep_ms(wait);
		if (wait < 20)
			wait *= 2;
	}
	unlock(m);
	if (r > 0 || r < -4095)
		return tn_fail(-EPROTO,
			       "%s of partition %u: the hypervisor's result "
			       "%d is no errno",
			       op_name(op), target, r);
	if (r)
		return tn_fail(r, "%s", tn_manager_strerror(r));
	return 0;
}

int tn_manager_check_image(const char *file, uint32_t max)
{
	unsigned char magic[4];
	struct stat st;
	int fd = open(file, O_RDONLY | O_CLOEXEC), err;

	if (fd < 0) {
		err = -errno;
		return tn_fail(err, "%s: %s", file, strerror(-err));
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return tn_fail(-EINVAL, "%s: not a regular file", file);
	}
	if (pread(fd, magic, 4, IMAGE_MAGIC_OFF) != 4 ||
	    memcmp(magic, "ARM\x64", 4)) {
		close(fd);
		return tn_fail(-ENOEXEC,
			       "%s: not an arm64 Image (no \"ARM\\x64\" magic "
			       "at offset 0x38); give an uncompressed Image "
			       "or a real-time image as the build makes it",
			       file);
	}
	close(fd);
	if (max && (uint64_t)st.st_size > max)
		return tn_fail(-EFBIG,
			       "%s: %lld bytes, more than the %u the partition "
			       "can take",
			       file, (long long)st.st_size, max);
	return 0;
}

int tn_manager_load(struct tn_manager *m, uint32_t target, const char *file,
		    int timeout_ms)
{
	struct tn_partition_info p;
	uint32_t max = m->info.load_max;
	ssize_t n, done = 0;
	uint8_t *window;
	struct stat st;
	int err, fd;

	err = tn_manager_partition(m, target, &p);
	if (err)
		return err;
	if (p.image_max && p.image_max < max)
		max = p.image_max;
	if (!m->info.load_max)
		return tn_fail(-EPERM, "this partition has no load window: it "
				       "is not the manager");
	err = tn_manager_check_image(file, max);
	if (err)
		return err;
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		err = -errno;
		if (fd >= 0)
			close(fd);
		return tn_fail(err, "%s: %s", file, strerror(-err));
	}
	window = tn_map_file(m->path, "resource2_wc", m->info.load_max,
			     PROT_READ | PROT_WRITE, NULL);
	if (!window) {
		err = -errno;
		close(fd);
		return tn_fail(err,
			       "the manager function (%s): cannot map its "
			       "load window (resource2_wc): %s",
			       m->info.device, strerror(-err));
	}
	while (done < st.st_size &&
	       (n = read(fd, window + done, (size_t)(st.st_size - done))) > 0)
		done += n;
	err = done == st.st_size ? 0 : -EIO;
	close(fd);
	/* Unmapped before the load: the window is gone while it runs. */
	munmap(window, m->info.load_max);
	if (err)
		return tn_fail(err, "%s: could not read it all", file);
	lock(m);
	tn_mgr_write(m, TN_MGR_REG_LOAD_SIZE, (uint32_t)st.st_size);
	unlock(m);
	return tn_manager_command(m, TN_MGR_OP_LOAD, target, timeout_ms);
}

int tn_manager_log_next(struct tn_manager *m, uint64_t *next)
{
	uint64_t hi;

	/* HI, LO, HI again: a carry between the halves is seen. */
	lock(m);
	do {
		hi = tn_mgr_read(m, TN_MGR_REG_LOG_NEXT_HI);
		*next = tn_mgr_read(m, TN_MGR_REG_LOG_NEXT_LO) | hi << 32;
	} while (tn_mgr_read(m, TN_MGR_REG_LOG_NEXT_HI) != hi);
	unlock(m);
	return 0;
}

/* Latches entry seq (or the oldest kept) and reads it. */
static void read_entry(struct tn_manager *m, uint64_t seq,
		       struct tn_hm_entry *e)
{
	uint32_t w[ENTRY_WORDS];

	lock(m);
	tn_mgr_write(m, TN_MGR_REG_LOG_SELECT_LO, (uint32_t)seq);
	tn_mgr_write(m, TN_MGR_REG_LOG_SELECT_HI, (uint32_t)(seq >> 32));
	for (int i = 0; i < ENTRY_WORDS; i++)
		w[i] = tn_mgr_read(m, TN_MGR_REG_ENTRY + 4 * i);
	unlock(m);
	memcpy(e, w, sizeof(*e));
}

int tn_manager_log_fetch(struct tn_manager *m, uint64_t *cursor,
			 struct tn_hm_entry *out, int max, uint64_t *lost)
{
	uint64_t next;
	int n = 0;

	tn_manager_log_next(m, &next);
	/* Older than what the log keeps: lost, without asking. */
	if (next > m->info.log_depth && *cursor < next - m->info.log_depth) {
		*lost += next - m->info.log_depth - *cursor;
		*cursor = next - m->info.log_depth;
	}
	while (n < max) {
		struct tn_hm_entry *e = &out[n];

		/* Events logged while reading (past an overrun) too. */
		if (*cursor >= next)
			tn_manager_log_next(m, &next);
		if (*cursor >= next)
			break;

		read_entry(m, *cursor, e);
		if (e->seq == UINT64_MAX)
			break; /* not there yet */
		if (e->seq < *cursor)
			return tn_fail(-EPROTO,
				       "HM log: asked for event %llu, got "
				       "the older %llu",
				       (unsigned long long)*cursor,
				       (unsigned long long)e->seq);
		if (e->partition >= m->info.npartitions || !e->event ||
		    e->event >= TN_HM_NR_EVENTS || !e->action ||
		    e->action >= TN_HM_NR_ACTIONS ||
		    (e->vcpu >= TN_CFG_MAX_CPUS && e->vcpu != TN_HM_VCPU_NONE))
			return tn_fail(-EPROTO,
				       "HM log: event %llu says partition "
				       "%u, vCPU %u, event %u, action %u, "
				       "which cannot be",
				       (unsigned long long)e->seq, e->partition,
				       e->vcpu, e->event, e->action);
		/* Overwritten while we read: the oldest kept instead. */
		*lost += e->seq - *cursor;
		*cursor = e->seq + 1;
		n++;
	}
	return n;
}
