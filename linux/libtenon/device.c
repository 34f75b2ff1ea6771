/*
 * A channel end's PCI function: finding it among /sys/bus/pci/devices by
 * its IDs and the name in its registers, binding the stock
 * uio_pci_generic to it, mapping BAR0 (resource0) and BAR2
 * (resource2_wc, which Linux maps Normal non-cacheable, as the
 * hypervisor maps the region for every end), and waiting for its
 * doorbell on /dev/uioN.
 *
 * The sysfs and /dev trees are TENON_SYSFS and TENON_DEV when set (the
 * host tests build fake ones), /sys and /dev otherwise.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* Bits of the PCI command register. */
#define PCI_COMMAND 0x04
#define PCI_COMMAND_INTX_DISABLE 0x400

const struct timespec tn_nowait;

static __thread char last_error[256];

int tn_fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	return err;
}

const char *tn_last_error(void)
{
	return last_error;
}

uint64_t tn_counter(void)
{
#if defined(__aarch64__)
	uint64_t v;

	/* The ISB keeps the read from being taken early. */
	__asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(v)::"memory");
	return v;
#else
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
#endif
}

uint64_t tn_counter_freq(void)
{
#if defined(__aarch64__)
	uint64_t v;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
	return v ? v : 1;
#else
	return 1000000000u;
#endif
}

struct timespec tn_deadline_in(int64_t ns)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	if (ns < 0)
		ns = 0;
	t.tv_sec += ns / 1000000000;
	t.tv_nsec += ns % 1000000000;
	if (t.tv_nsec >= 1000000000) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000;
	}
	return t;
}

static const char *sysfs_root(void)
{
	const char *s = getenv("TENON_SYSFS");

	return s && *s ? s : "/sys";
}

static const char *dev_root(void)
{
	const char *s = getenv("TENON_DEV");

	return s && *s ? s : "/dev";
}

/*
 * The accesses with side effects in the device: registers with meaning
 * on write (ISR, IMR, DOORBELL) and config space. Weak, so that the host
 * tests can put a model of the device behind them.
 */
__attribute__((weak)) uint32_t tn_reg_read(const struct tn_channel *ch,
					   uint32_t off)
{
	return *(const volatile uint32_t *)(ch->bar0 + off);
}

__attribute__((weak)) void tn_reg_write(struct tn_channel *ch, uint32_t off,
					uint32_t v)
{
	*(volatile uint32_t *)(ch->bar0 + off) = v;
}

__attribute__((weak)) int tn_config_write16(struct tn_channel *ch, uint32_t off,
					    uint16_t v)
{
	return pwrite(ch->config_fd, &v, 2, off) == 2 ? 0 : -errno;
}

/* Reads the small text file dir/name into buf; -errno. */
static int read_text(const char *dir, const char *name, char *buf, size_t size)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return 0;
}

static int read_hex(const char *dir, const char *name, unsigned long *v)
{
	char buf[32], *end;
	int err = read_text(dir, name, buf, sizeof(buf));

	if (err)
		return err;
	*v = strtoul(buf, &end, 16);
	return end == buf ? -EINVAL : 0;
}

static int write_text(const char *path, const char *text)
{
	size_t len = strlen(text);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, len);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	return (size_t)n == len ? 0 : -EIO;
}

/* Whether dir is a channel end's function, by its four IDs. */
static int is_channel(const char *dir)
{
	unsigned long v, d, sv, sd;

	return !read_hex(dir, "vendor", &v) && !read_hex(dir, "device", &d) &&
	       !read_hex(dir, "subsystem_vendor", &sv) &&
	       !read_hex(dir, "subsystem_device", &sd) &&
	       v == TN_CHAN_PCI_VENDOR && d == TN_CHAN_PCI_DEVICE &&
	       sv == TN_CHAN_PCI_SUBVENDOR && sd == TN_CHAN_PCI_SUBDEVICE;
}

/* The name of the driver bound to dir, "" if none. */
static void driver_of(const char *dir, char *out, size_t size)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/driver", dir);
	n = readlink(path, link, sizeof(link) - 1);
	out[0] = 0;
	if (n <= 0)
		return;
	link[n] = 0;
	base = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
	if (strlen(base) < size)
		memcpy(out, base, strlen(base) + 1);
}

/*
 * Binds uio_pci_generic to function dev (dir its sysfs directory) unless
 * it is bound already; -EBUSY if another driver has it.
 */
static int bind_uio(const char *dir, const char *dev, const char *what)
{
	char drv[64], path[PATH_MAX];
	const char *uio = "uio_pci_generic";
	int err;

	driver_of(dir, drv, sizeof(drv));
	if (!strcmp(drv, uio))
		return 0;
	if (drv[0])
		return tn_fail(-EBUSY, "%s (%s): driver %s has it, not %s",
			       what, dev, drv, uio);
	snprintf(path, sizeof(path), "%s/bus/pci/drivers/%s", sysfs_root(),
		 uio);
	if (access(path, F_OK))
		return tn_fail(-ENODEV,
			       "%s (%s): %s is not loaded "
			       "(modprobe %s)",
			       what, dev, uio, uio);
	/* new_id binds every function with these IDs that has no driver;
	 * once the IDs are known (EEXIST), bind names the function. */
	snprintf(path, sizeof(path), "%s/bus/pci/drivers/%s/new_id",
		 sysfs_root(), uio);
	err = write_text(path, "1af4 1110");
	driver_of(dir, drv, sizeof(drv));
	if (strcmp(drv, uio)) {
		snprintf(path, sizeof(path), "%s/bus/pci/drivers/%s/bind",
			 sysfs_root(), uio);
		err = write_text(path, dev);
		driver_of(dir, drv, sizeof(drv));
	}
	if (!strcmp(drv, uio))
		return 0;
	if (err == -EACCES || err == -EPERM)
		return tn_fail(-EACCES,
			       "%s (%s): not bound to %s, and binding "
			       "it needs root (or the udev rule of "
			       "docs/channels.md)",
			       what, dev, uio);
	return tn_fail(err ? err : -ENODEV, "%s (%s): cannot bind %s", what,
		       dev, uio);
}

/* Maps resource file dir/file of at least size bytes; NULL, errno set. */
static void *map_file(const char *dir, const char *file, size_t size, int prot,
		      int *fd_out)
{
	char path[PATH_MAX];
	struct stat st;
	void *p;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, (prot & PROT_WRITE ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || (st.st_size && (uint64_t)st.st_size < size)) {
		close(fd);
		errno = EIO;
		return NULL;
	}
	p = mmap(NULL, size, prot, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		int e = errno;

		close(fd);
		errno = e;
		return NULL;
	}
	if (fd_out)
		*fd_out = fd;
	else
		close(fd);
	return p;
}

/* For the manager API (manager.c): the same look-ups. */
const char *tn_sysfs_root(void)
{
	return sysfs_root();
}

int tn_read_hex(const char *dir, const char *name, unsigned long *v)
{
	return read_hex(dir, name, v);
}

int tn_bind_uio(const char *dir, const char *dev, const char *what)
{
	return bind_uio(dir, dev, what);
}

void *tn_map_file(const char *dir, const char *file, size_t size, int prot,
		  int *fd_out)
{
	return map_file(dir, file, size, prot, fd_out);
}

/* The 16-byte name register at off, made a printable C string. */
static void reg_name(const volatile uint8_t *bar0, uint32_t off, char *out)
{
	for (int i = 0; i < 4; i++) {
		uint32_t w = *(const volatile uint32_t *)(bar0 + off + 4 * i);

		memcpy(out + 4 * i, &w, 4);
	}
	out[TN_NAME_LEN - 1] = 0;
	for (char *p = out; *p; p++)
		if (*p < 0x21 || *p > 0x7e)
			*p = '?';
}

/* Fills info from the registers; -EPROTO if they are not a channel's. */
static int info_from_regs(const volatile uint8_t *bar0,
			  struct tn_channel_info *info)
{
#define REG(off) (*(const volatile uint32_t *)(bar0 + (off)))
	if (REG(TN_CHAN_REG_MAGIC) != TN_CHAN_MAGIC ||
	    REG(TN_CHAN_REG_VERSION) != TN_CHAN_ABI_VERSION)
		return -EPROTO;
	reg_name(bar0, TN_CHAN_REG_NAME, info->name);
	reg_name(bar0, TN_CHAN_REG_PEER_NAME, info->peer);
	info->id = REG(TN_CHAN_REG_ID);
	info->kind = REG(TN_CHAN_REG_KIND);
	info->role = REG(TN_CHAN_REG_ROLE);
	info->msg_size = REG(TN_CHAN_REG_MSG_SIZE);
	info->depth = REG(TN_CHAN_REG_DEPTH);
	info->region_size = REG(TN_CHAN_REG_REGION);
	info->validity_us = REG(TN_CHAN_REG_VALIDITY);
	info->peer_state = REG(TN_CHAN_REG_PEER_STATE);
	info->peer_restarts = REG(TN_CHAN_REG_PEER_RESTARTS);
	info->rang = REG(TN_CHAN_REG_RANG);
	info->rung = REG(TN_CHAN_REG_RUNG);
#undef REG
	return 0;
}

static void uio_of(const char *dir, int *uio)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d;

	*uio = -1;
	snprintf(path, sizeof(path), "%s/uio", dir);
	d = opendir(path);
	if (!d)
		return;
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, "uio", 3) && e->d_name[3] >= '0' &&
		    e->d_name[3] <= '9') {
			*uio = atoi(e->d_name + 3);
			break;
		}
	closedir(d);
}

/* What is in flight, from a read-only look at the region. */
static void peek_region(const char *dir, struct tn_channel_info *info)
{
	uint64_t size =
	    tn_chan_region_size(info->kind, info->msg_size, info->depth);
	struct tn_chan_ring ring;
	void *p;

	if (!size || size != info->region_size) {
		info->in_flight = -EIO;
		return;
	}
	p = map_file(dir, "resource2_wc", size, PROT_READ, NULL);
	if (!p) {
		info->in_flight = -errno;
		return;
	}
	if (tn_chan_ring_init(&ring, p, size, info->kind, info->role,
			      info->msg_size, info->depth))
		info->in_flight = -EIO;
	else if (info->kind == TN_CHAN_SAMPLE)
		info->in_flight =
		    (int64_t)tn_chan_load64(ring.region + TN_CHAN_HEAD);
	else
		info->in_flight = tn_chan_in_flight(&ring);
	munmap(p, size);
}

typedef int (*each_fn)(const char *dir, const char *dev,
		       struct tn_channel_info *info, void *arg);

/*
 * Calls fn for every channel function (sorted by PCI address); stops
 * when it returns nonzero and returns that. Binds uio_pci_generic to an
 * unbound one when it can (a function may not decode its BARs before a
 * driver enables it).
 */
static int for_each_channel(each_fn fn, void *arg)
{
	char base[PATH_MAX], dir[PATH_MAX + 256];
	struct dirent **list;
	int n, ret = 0;

	snprintf(base, sizeof(base), "%s/bus/pci/devices", sysfs_root());
	n = scandir(base, &list, NULL, alphasort);
	if (n < 0)
		return 0; /* no PCI at all: no channels */
	for (int i = 0; i < n; i++) {
		struct tn_channel_info info;
		volatile uint8_t *bar0;
		int err;

		if (ret || list[i]->d_name[0] == '.')
			goto next;
		snprintf(dir, sizeof(dir), "%s/%s", base, list[i]->d_name);
		if (!is_channel(dir))
			goto next;
		memset(&info, 0, sizeof(info));
		err = bind_uio(dir, list[i]->d_name, "channel ?");
		(void)err; /* still look: it may decode without a driver */
		bar0 = map_file(dir, "resource0", TN_CHAN_BAR0_SIZE, PROT_READ,
				NULL);
		if (!bar0)
			goto next;
		err = info_from_regs(bar0, &info);
		munmap((void *)bar0, TN_CHAN_BAR0_SIZE);
		if (err)
			goto next;
		snprintf(info.device, sizeof(info.device), "%.31s",
			 list[i]->d_name);
		uio_of(dir, &info.uio);
		ret = fn(dir, list[i]->d_name, &info, arg);
	next:
		free(list[i]);
	}
	free(list);
	return ret;
}

struct list_arg {
	struct tn_channel_info *out;
	int max, n;
};

static int list_one(const char *dir, const char *dev,
		    struct tn_channel_info *info, void *arg)
{
	struct list_arg *a = arg;

	(void)dev;
	if (a->n < a->max) {
		peek_region(dir, info);
		a->out[a->n] = *info;
	}
	a->n++;
	return 0;
}

int tn_channel_list(struct tn_channel_info *out, int max)
{
	struct list_arg a = {.out = out, .max = out ? max : 0, .n = 0};

	last_error[0] = 0;
	for_each_channel(list_one, &a);
	last_error[0] = 0; /* a bind that failed there is no failure here */
	return a.n;
}

struct find_arg {
	const char *name;
	char dir[PATH_MAX];
	char dev[64];
};

static int find_one(const char *dir, const char *dev,
		    struct tn_channel_info *info, void *arg)
{
	struct find_arg *a = arg;

	if (strcmp(info->name, a->name))
		return 0;
	snprintf(a->dir, sizeof(a->dir), "%s", dir);
	snprintf(a->dev, sizeof(a->dev), "%s", dev);
	return 1;
}

static int valid_name(const char *name)
{
	size_t n = strlen(name);

	if (!n || n >= TN_NAME_LEN)
		return 0;
	for (; *name; name++)
		if (!((*name >= 'a' && *name <= 'z') ||
		      (*name >= '0' && *name <= '9') || *name == '_' ||
		      *name == '-'))
			return 0;
	return 1;
}

void tn_channel_close(struct tn_channel *ch)
{
	if (!ch)
		return;
	if (ch->bar0) {
		tn_reg_write(ch, TN_CHAN_REG_IMR, 0);
		munmap((void *)ch->bar0, TN_CHAN_BAR0_SIZE);
	}
	if (ch->region)
		munmap(ch->region, ch->region_size);
	if (ch->region_fd >= 0)
		close(ch->region_fd); /* and the end's lock with it */
	if (ch->config_fd >= 0)
		close(ch->config_fd);
	if (ch->uio_fd >= 0)
		close(ch->uio_fd);
	free(ch);
}

int tn_channel_open(const char *name, struct tn_channel **out)
{
	struct find_arg find = {.name = name};
	struct tn_channel_info info;
	struct tn_channel *ch;
	char path[PATH_MAX + 64];
	uint16_t cmd;
	uint64_t size;
	int err, prot;

	*out = NULL;
	last_error[0] = 0;
	if (!valid_name(name))
		return tn_fail(-EINVAL,
			       "'%s' is not a channel name (1 to 15 of "
			       "a-z 0-9 _ -)",
			       name);
	if (!for_each_channel(find_one, &find))
		return tn_fail(-ENOENT,
			       "no channel '%s' in this system (tenon "
			       "channels lists them)",
			       name);
	ch = calloc(1, sizeof(*ch));
	if (!ch)
		return tn_fail(-ENOMEM, "out of memory");
	ch->region_fd = ch->config_fd = ch->uio_fd = -1;
	snprintf(ch->name, sizeof(ch->name), "%s", name);
	snprintf(ch->device, sizeof(ch->device), "%.31s", find.dev);
	snprintf(ch->path, sizeof(ch->path), "%s", find.dir);

	snprintf(path, sizeof(path), "channel %s", name);
	err = bind_uio(ch->path, ch->device, path);
	if (err)
		goto fail;
	ch->bar0 = map_file(ch->path, "resource0", TN_CHAN_BAR0_SIZE,
			    PROT_READ | PROT_WRITE, NULL);
	if (!ch->bar0) {
		err =
		    tn_fail(-errno, "channel %s (%s): cannot map resource0: %s",
			    name, ch->device, strerror(errno));
		goto fail;
	}
	memset(&info, 0, sizeof(info));
	if (info_from_regs(ch->bar0, &info)) {
		err = tn_fail(-EPROTO,
			      "channel %s (%s): registers of version %u, "
			      "this library knows version %u",
			      name, ch->device,
			      tn_reg_read(ch, TN_CHAN_REG_VERSION),
			      TN_CHAN_ABI_VERSION);
		goto fail;
	}
	size = tn_chan_region_size(info.kind, info.msg_size, info.depth);
	if (!size || size != info.region_size ||
	    (info.role != TN_CHAN_WRITER && info.role != TN_CHAN_READER)) {
		err = tn_fail(-EPROTO,
			      "channel %s (%s): its registers say kind %u, "
			      "role %u, msg-size %u, depth %u in a region of "
			      "%u bytes, which do not agree",
			      name, ch->device, info.kind, info.role,
			      info.msg_size, info.depth, info.region_size);
		goto fail;
	}
	ch->region_size = size;
	ch->validity_us = info.validity_us;
	/* A sample reader writes nothing in the region. */
	prot = info.kind == TN_CHAN_SAMPLE && info.role == TN_CHAN_READER
		   ? PROT_READ
		   : PROT_READ | PROT_WRITE;
	ch->region =
	    map_file(ch->path, "resource2_wc", size, prot, &ch->region_fd);
	if (!ch->region) {
		err = tn_fail(-errno,
			      "channel %s (%s): cannot map resource2_wc: %s",
			      name, ch->device, strerror(errno));
		goto fail;
	}
	if (flock(ch->region_fd, LOCK_EX | LOCK_NB)) {
		err = errno == EWOULDBLOCK
			  ? tn_fail(-EBUSY,
				    "channel %s: another process holds "
				    "this end",
				    name)
			  : tn_fail(-errno, "channel %s: flock: %s", name,
				    strerror(errno));
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/config", ch->path);
	ch->config_fd = open(path, O_RDWR | O_CLOEXEC);
	if (ch->config_fd < 0 ||
	    pread(ch->config_fd, &cmd, 2, PCI_COMMAND) != 2) {
		err = tn_fail(-errno, "channel %s (%s): config space: %s", name,
			      ch->device, strerror(errno));
		goto fail;
	}
	ch->command = cmd & ~PCI_COMMAND_INTX_DISABLE;
	uio_of(ch->path, &ch->uio);
	if (ch->uio < 0) {
		err = tn_fail(-ENODEV,
			      "channel %s (%s): bound, but no uio device", name,
			      ch->device);
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/uio%d", dev_root(), ch->uio);
	ch->uio_fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (ch->uio_fd < 0) {
		err = tn_fail(-errno, "channel %s: %s: %s", name, path,
			      strerror(errno));
		goto fail;
	}
	if (tn_chan_ring_init(&ch->ring, ch->region, size, info.kind, info.role,
			      info.msg_size, info.depth)) {
		err = tn_fail(-EPROTO,
			      "channel %s: sizes the region cannot hold", name);
		goto fail;
	}
	tn_reg_write(ch, TN_CHAN_REG_IMR, 1);
	*out = ch;
	return 0;
fail:
	tn_channel_close(ch);
	return err;
}

int tn_channel_info(struct tn_channel *ch, struct tn_channel_info *info)
{
	memset(info, 0, sizeof(*info));
	info_from_regs(ch->bar0, info);
	info->rang = tn_reg_read(ch, TN_CHAN_REG_RANG);
	info->rung = tn_reg_read(ch, TN_CHAN_REG_RUNG);
	info->peer_state = tn_reg_read(ch, TN_CHAN_REG_PEER_STATE);
	snprintf(info->device, sizeof(info->device), "%s", ch->device);
	info->uio = ch->uio;
	if (ch->ring.kind == TN_CHAN_SAMPLE)
		info->in_flight =
		    (int64_t)tn_chan_load64(ch->ring.region + TN_CHAN_HEAD);
	else
		info->in_flight = tn_chan_in_flight(&ch->ring);
	info->errors = ch->ring.errors;
	return 0;
}

int tn_channel_fd(struct tn_channel *ch)
{
	return ch->uio_fd;
}

int tn_channel_ready(struct tn_channel *ch)
{
	return tn_chan_ready(&ch->ring);
}

void tn_channel_kick(struct tn_channel *ch)
{
	if (tn_chan_peer_waiting(&ch->ring))
		tn_reg_write(ch, TN_CHAN_REG_DOORBELL, 1);
}

/*
 * The order that loses no doorbell. The peer publishes, then rings if
 * our wait flag is set; each side has a full barrier between its store
 * and its load, so once the flag is set either our next look sees what
 * the peer published or the peer sees the flag and rings. A ring sets
 * ISR, and INTx is ISR & IMR & !Interrupt Disable, a level. So:
 *   1. consume the events already counted on /dev/uioN (stale ones);
 *   2. set the wait flag, and look;
 *   3. ack ISR: doorbells before this were for data the looks see;
 *   4. unmask INTx (uio_pci_generic's handler masked it at the last
 *      interrupt): a ring after 3 keeps ISR set, so the line rises now
 *      or at its ring, and the handler counts an event on /dev/uioN;
 *   5. look again, for what was published before the ack;
 *   6. wait in poll() for the event.
 * The registers are trapped by the hypervisor and emulated before the
 * access completes, so the ack is done before the unmask is written.
 * A spurious event (a ring for data already taken) costs one more turn.
 */
int tn_channel_arm(struct tn_channel *ch)
{
	uint32_t events;
	int r;

	while (read(ch->uio_fd, &events, sizeof(events)) == sizeof(events))
		;
	if (ch->ring.kind != TN_CHAN_SAMPLE)
		tn_chan_set_waiting(&ch->ring, 1);
	r = tn_chan_ready(&ch->ring);
	if (r)
		return r < 0 ? r : 1;
	tn_reg_write(ch, TN_CHAN_REG_ISR, TN_CHAN_ISR_DOORBELL);
	r = tn_config_write16(ch, PCI_COMMAND, ch->command);
	if (r)
		return tn_fail(r, "channel %s: unmasking INTx: %s", ch->name,
			       strerror(-r));
	r = tn_chan_ready(&ch->ring);
	return r ? (r < 0 ? r : 1) : 0;
}

/* Nanoseconds until deadline, at least 0. */
static int64_t ns_until(const struct timespec *deadline)
{
	struct timespec now;
	int64_t ns;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ns = (int64_t)(deadline->tv_sec - now.tv_sec) * 1000000000 +
	     (deadline->tv_nsec - now.tv_nsec);
	return ns > 0 ? ns : 0;
}

int tn_channel_wait(struct tn_channel *ch, const struct timespec *deadline)
{
	struct pollfd pfd = {.fd = ch->uio_fd, .events = POLLIN};
	int r = tn_chan_ready(&ch->ring);

	if (r)
		return r < 0 ? r : 1;
	if (deadline == TN_NOWAIT)
		return -EAGAIN;
	for (;;) {
		struct timespec rel;
		int64_t ns = 0;

		r = tn_channel_arm(ch);
		if (r)
			break;
		if (deadline) {
			ns = ns_until(deadline);
			if (!ns) {
				r = -ETIMEDOUT;
				break;
			}
			rel.tv_sec = ns / 1000000000;
			rel.tv_nsec = ns % 1000000000;
		}
		if (ppoll(&pfd, 1, deadline ? &rel : NULL, NULL) < 0) {
			r = errno == EINTR ? -EINTR : -errno;
			break;
		}
		/* An unbound or removed device: no doorbell will come. */
		if (pfd.revents & (POLLERR | POLLHUP | POLLNVAL)) {
			r = tn_fail(-ENODEV, "channel %s: /dev/uio%d is gone",
				    ch->name, ch->uio);
			break;
		}
	}
	if (ch->ring.kind != TN_CHAN_SAMPLE)
		tn_chan_set_waiting(&ch->ring, 0);
	return r;
}
