/*
 * The fake channel device of fake.h, and the model behind libtenon's
 * weak register and config-space accessors.
 */
#define _GNU_SOURCE
#include "fake.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../linux/libtenon/internal.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct fake *current;

static void die(const char *what)
{
	perror(what);
	abort();
}

static void put(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX + 64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f))
		die(path);
}

static void mkdirs(const char *path)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			mkdir(buf, 0755);
			*p = '/';
		}
	if (mkdir(buf, 0755) && errno != EEXIST)
		die(buf);
}

/* A file of size bytes, mapped shared. */
static volatile uint8_t *make_mapped(const char *dir, const char *name,
				     uint64_t size)
{
	char path[PATH_MAX + 64];
	void *p;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)size))
		die(path);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap");
	close(fd);
	return p;
}

void fake_init(struct fake *f, int driver)
{
	char path[PATH_MAX + 64];

	memset(f, 0, sizeof(*f));
	snprintf(f->root, sizeof(f->root), "/tmp/tenon-fake-XXXXXX");
	if (!mkdtemp(f->root))
		die("mkdtemp");
	snprintf(path, sizeof(path), "%s/sys/bus/pci/devices", f->root);
	mkdirs(path);
	if (driver) {
		snprintf(path, sizeof(path),
			 "%s/sys/bus/pci/drivers/uio_pci_generic", f->root);
		mkdirs(path);
		put(path, "new_id", "");
		put(path, "bind", "");
	}
	snprintf(path, sizeof(path), "%s/dev", f->root);
	mkdirs(path);
	setenv("TENON_DEV", path, 1);
	snprintf(path, sizeof(path), "%s/sys", f->root);
	setenv("TENON_SYSFS", path, 1);
	current = f;
}

struct fake_end *fake_add(struct fake *f, const char *name, uint32_t kind,
			  uint32_t role, uint32_t msg_size, uint32_t depth,
			  uint32_t validity_us, int bound)
{
	struct fake_end *e = &f->ends[f->n];
	char path[PATH_MAX];
	uint8_t config[256] = {0};
	uint32_t peer_role =
	    role == TN_CHAN_WRITER ? TN_CHAN_READER : TN_CHAN_WRITER;
	int fd, n = f->n++;

	if (n >= FAKE_ENDS)
		abort();
	snprintf(e->name, sizeof(e->name), "%s", name);
	snprintf(e->dev, sizeof(e->dev), "0000:00:%02x.0", n + 1);
	snprintf(path, sizeof(path), "%s/sys/bus/pci/devices/%s", f->root,
		 e->dev);
	memcpy(e->dir, path, sizeof(e->dir));
	mkdirs(e->dir);
	put(e->dir, "vendor", "0x1af4\n");
	put(e->dir, "device", "0x1110\n");
	put(e->dir, "subsystem_vendor", "0x1af4\n");
	put(e->dir, "subsystem_device", "0x5443\n");
	e->size = tn_chan_region_size(kind, msg_size, depth);
	if (!e->size)
		abort();
	e->bar0 = make_mapped(e->dir, "resource0", TN_CHAN_BAR0_SIZE);
	e->region = make_mapped(e->dir, "resource2_wc", e->size);
#define SET(off, v) (*(volatile uint32_t *)(e->bar0 + (off)) = (v))
	SET(TN_CHAN_REG_MAGIC, TN_CHAN_MAGIC);
	SET(TN_CHAN_REG_VERSION, TN_CHAN_ABI_VERSION);
	SET(TN_CHAN_REG_ID, (uint32_t)n);
	SET(TN_CHAN_REG_KIND, kind);
	SET(TN_CHAN_REG_ROLE, role);
	SET(TN_CHAN_REG_MSG_SIZE, kind == TN_CHAN_STREAM ? 0 : msg_size);
	SET(TN_CHAN_REG_DEPTH, kind == TN_CHAN_SAMPLE ? 0 : depth);
	SET(TN_CHAN_REG_REGION, (uint32_t)e->size);
	SET(TN_CHAN_REG_VALIDITY, validity_us);
	SET(TN_CHAN_REG_PEER_STATE, TN_CHAN_PEER_RUNNING);
	SET(TN_CHAN_REG_FREQ, 1000000000u);
#undef SET
	memcpy((void *)(e->bar0 + TN_CHAN_REG_NAME), name, strlen(name));
	memcpy((void *)(e->bar0 + TN_CHAN_REG_PEER_NAME), "rt", 2);
	/* Memory decoding on, INTx masked as the kernel leaves it. */
	config[4] = 0x02;
	config[5] = 0x04;
	snprintf(path, sizeof(path), "%s/config", e->dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, config, sizeof(config)) != sizeof(config))
		die(path);
	close(fd);
	e->imr = 0;
	e->intx_disabled = 1;
	if (bound) {
		snprintf(path, sizeof(path), "%s/driver", e->dir);
		if (symlink("../../drivers/uio_pci_generic", path))
			die(path);
		snprintf(path, sizeof(path), "%s/uio/uio%d", e->dir, n);
		mkdirs(path);
		snprintf(path, sizeof(path), "%s/dev/uio%d", f->root, n);
		if (mkfifo(path, 0600))
			die(path);
		e->fifo = open(path, O_RDWR | O_NONBLOCK);
		if (e->fifo < 0)
			die(path);
	} else {
		e->fifo = -1;
	}
	if (tn_chan_ring_init(&e->peer, e->region, e->size, kind, peer_role,
			      msg_size, depth))
		abort();
	return e;
}

/* INTx: a level; the handler masks it and counts one event. */
static void evaluate(struct fake_end *e)
{
	if (e->isr & e->imr && !e->intx_disabled) {
		e->intx_disabled = 1;
		e->events++;
		if (e->fifo >= 0 && write(e->fifo, &e->events, 4) != 4 &&
		    errno != EAGAIN)
			die("fifo");
	}
}

void fake_ring(struct fake_end *e)
{
	pthread_mutex_lock(&lock);
	e->isr |= TN_CHAN_ISR_DOORBELL;
	e->rung++;
	evaluate(e);
	pthread_mutex_unlock(&lock);
}

void fake_kick(struct fake_end *e)
{
	if (tn_chan_peer_waiting(&e->peer))
		fake_ring(e);
}

uint32_t fake_linux_rang(struct fake_end *e)
{
	uint32_t n;

	pthread_mutex_lock(&lock);
	n = e->linux_rang;
	pthread_mutex_unlock(&lock);
	return n;
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

struct fake_mgr *fake_add_manager(struct fake *f, uint32_t n, uint32_t self,
				  int permitted, uint32_t depth)
{
	struct fake_mgr *m = calloc(1, sizeof(*m));
	char path[PATH_MAX + 64];

	if (!m || n > 4 || depth > FAKE_MGR_LOG_MAX)
		abort();
	snprintf(m->dir, sizeof(m->dir), "%s/sys/bus/pci/devices/0000:00:1f.0",
		 f->root);
	mkdirs(m->dir);
	put(m->dir, "vendor", "0x1af4\n");
	put(m->dir, "device", "0x1110\n");
	put(m->dir, "subsystem_vendor", "0x1af4\n");
	put(m->dir, "subsystem_device", "0x544d\n");
	snprintf(path, sizeof(path), "%s/driver", m->dir);
	if (symlink("../../drivers/uio_pci_generic", path))
		die(path);
	m->bar0 = make_mapped(m->dir, "resource0", TN_MGR_BAR0_SIZE);
	m->window_size = permitted ? 4u << 20 : 0;
	if (permitted)
		m->window = make_mapped(m->dir, "resource2_wc", m->window_size);
#define SET(off, v) (*(volatile uint32_t *)(m->bar0 + (off)) = (v))
	SET(TN_MGR_REG_MAGIC, TN_MGR_MAGIC);
	SET(TN_MGR_REG_VERSION, TN_HM_ABI_VERSION);
	SET(TN_MGR_REG_SELF, self);
	SET(TN_MGR_REG_NPARTITIONS, n);
	SET(TN_MGR_REG_PERMITTED, (uint32_t)permitted);
	SET(TN_MGR_REG_FREQ, 62500000);
	SET(TN_MGR_REG_LOG_DEPTH, depth);
	SET(TN_MGR_REG_LOAD_MAX, m->window_size);
#undef SET
	m->nparts = n;
	m->depth = depth;
	for (uint32_t i = 0; i < n; i++) {
		struct fake_part *p = &m->parts[i];

		snprintf(p->name, sizeof(p->name), "part%u", i);
		p->state = TN_PART_RUNNING;
		p->kind = i == self ? 2 : 1;
		p->ncpus = 1;
		p->cpus = 1u << i;
		p->image_max = 2u << 20;
	}
	f->mgr = m;
	return m;
}

void fake_mgr_event(struct fake_mgr *m, uint8_t part, uint8_t vcpu,
		    uint8_t event, uint8_t action, uint32_t flags,
		    uint64_t detail)
{
	struct tn_hm_entry *e;

	pthread_mutex_lock(&lock);
	e = &m->log[m->next % m->depth];
	*e = (struct tn_hm_entry){
	    .seq = m->next,
	    .time_ns = m->next * 1500000 + 1000000000,
	    .detail = detail,
	    .partition = part,
	    .vcpu = vcpu,
	    .event = event,
	    .action = action,
	    .flags = flags,
	};
	m->next++;
	pthread_mutex_unlock(&lock);
}

void fake_fini(struct fake *f)
{
	for (int i = 0; i < f->n; i++)
		if (f->ends[i].fifo >= 0)
			close(f->ends[i].fifo);
	nftw(f->root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(f->mgr);
	current = NULL;
}

static struct fake_end *end_of(const struct tn_channel *ch)
{
	for (int i = 0; current && i < current->n; i++)
		if (!strcmp(current->ends[i].dev, ch->device))
			return &current->ends[i];
	abort();
}

uint32_t tn_reg_read(const struct tn_channel *ch, uint32_t off)
{
	struct fake_end *e = end_of(ch);
	uint32_t v;

	pthread_mutex_lock(&lock);
	switch (off) {
	case TN_CHAN_REG_ISR:
		v = e->isr;
		break;
	case TN_CHAN_REG_IMR:
		v = e->imr;
		break;
	case TN_CHAN_REG_RANG:
		v = e->linux_rang;
		break;
	case TN_CHAN_REG_RUNG:
		v = e->rung;
		break;
	default:
		v = *(volatile uint32_t *)(e->bar0 + off);
	}
	pthread_mutex_unlock(&lock);
	return v;
}

void tn_reg_write(struct tn_channel *ch, uint32_t off, uint32_t v)
{
	struct fake_end *e = end_of(ch);

	if (off == TN_CHAN_REG_ISR && e->before_ack)
		e->before_ack(e);
	pthread_mutex_lock(&lock);
	switch (off) {
	case TN_CHAN_REG_ISR:
		e->isr &= ~v;
		break;
	case TN_CHAN_REG_IMR:
		e->imr = v & 1;
		break;
	case TN_CHAN_REG_DOORBELL:
		e->linux_rang++;
		break;
	}
	evaluate(e);
	pthread_mutex_unlock(&lock);
}

int tn_config_write16(struct tn_channel *ch, uint32_t off, uint16_t v)
{
	struct fake_end *e = end_of(ch);

	if (off != 4)
		return -EINVAL;
	if (e->before_unmask)
		e->before_unmask(e);
	pthread_mutex_lock(&lock);
	e->intx_disabled = !!(v & 0x400);
	evaluate(e);
	pthread_mutex_unlock(&lock);
	return 0;
}

/* The manager function's model. */
uint32_t tn_mgr_read(const struct tn_manager *mm, uint32_t off)
{
	struct fake_mgr *m = current ? current->mgr : NULL;
	uint32_t v;

	(void)mm;
	if (!m)
		abort();
	pthread_mutex_lock(&lock);
	switch (off) {
	case TN_MGR_REG_RESULT:
		v = m->at < m->nscript ? (uint32_t)m->script[m->at++]
		    : m->nscript       ? (uint32_t)m->script[m->nscript - 1]
				       : 0;
		break;
	case TN_MGR_REG_LOG_NEXT_LO:
		v = (uint32_t)m->next;
		break;
	case TN_MGR_REG_LOG_NEXT_HI:
		v = (uint32_t)(m->next >> 32);
		break;
	default:
		v = *(volatile uint32_t *)(m->bar0 + off);
	}
	pthread_mutex_unlock(&lock);
	return v;
}

/* Puts partition i's registers in place, as PART_SELECT does. */
static void select_part(struct fake_mgr *m, uint32_t i)
{
	const struct fake_part *p = &m->parts[i < 4 ? i : 0];
	volatile uint8_t *r = m->bar0;

	memset((void *)(r + TN_MGR_REG_PART_NAME), 0, 16);
	memcpy((void *)(r + TN_MGR_REG_PART_NAME), p->name, 16);
#define SET(off, v) (*(volatile uint32_t *)(r + (off)) = (v))
	SET(TN_MGR_REG_PART_STATE, p->state);
	SET(TN_MGR_REG_PART_KIND, p->kind);
	SET(TN_MGR_REG_PART_NCPUS, p->ncpus);
	SET(TN_MGR_REG_PART_CPUS, p->cpus);
	SET(TN_MGR_REG_PART_RESTARTS, p->restarts);
	SET(TN_MGR_REG_PART_FAULTS, p->faults);
	SET(TN_MGR_REG_PART_RAM_KIB, p->ram_kib);
	SET(TN_MGR_REG_PART_WATCHDOG_US, p->watchdog_us);
	SET(TN_MGR_REG_PART_IMAGE_SIZE, p->image_size);
	SET(TN_MGR_REG_PART_EVENTS, p->events);
	SET(TN_MGR_REG_PART_IMAGE_MAX, p->image_max);
#undef SET
}

/* Latches entry seq, or the oldest kept, or all-ones. */
static void latch(struct fake_mgr *m, uint64_t seq)
{
	uint64_t oldest = m->next > m->depth ? m->next - m->depth : 0;
	struct tn_hm_entry e;

	if (seq >= m->next) {
		memset(&e, 0, sizeof(e));
		e.seq = UINT64_MAX;
	} else {
		e = m->log[(seq < oldest ? oldest : seq) % m->depth];
	}
	memcpy((void *)(m->bar0 + TN_MGR_REG_ENTRY), &e, sizeof(e));
}

void tn_mgr_write(struct tn_manager *mm, uint32_t off, uint32_t v)
{
	struct fake_mgr *m = current ? current->mgr : NULL;

	(void)mm;
	if (!m)
		abort();
	if (off == TN_MGR_REG_LOG_SELECT_HI && m->before_latch)
		m->before_latch(m, (uint64_t)v << 32 | m->select_lo);
	pthread_mutex_lock(&lock);
	switch (off) {
	case TN_MGR_REG_CMD:
		m->cmds++;
		m->last_cmd = v;
		m->at = 0;
		break;
	case TN_MGR_REG_LOAD_SIZE:
		m->load_size = v;
		break;
	case TN_MGR_REG_PART_SELECT:
		select_part(m, v);
		break;
	case TN_MGR_REG_LOG_SELECT_LO:
		m->select_lo = v;
		break;
	case TN_MGR_REG_LOG_SELECT_HI:
		latch(m, (uint64_t)v << 32 | m->select_lo);
		break;
	}
	pthread_mutex_unlock(&lock);
}
