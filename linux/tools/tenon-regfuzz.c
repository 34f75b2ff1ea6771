/*
 * tenon-regfuzz: a hostile program at channel ends' registers, for the
 * whole-system test of "bad input, nothing lost". For each end named
 * (a channel's name, or its sysfs directory) it maps BAR0 (resource0),
 * the 60 KiB after it (through /dev/mem: nothing is there), BAR2
 * (resource2_wc) and config space (the sysfs config file), then makes N
 * random accesses, reproducible from the seed: 8-, 16-, 32- and 64-bit
 * loads and stores and load/store pairs at random offsets, aligned or
 * not, random config-space reads and writes of 1, 2 and 4 bytes (the
 * command register and the BARs included), and stores into every page of
 * the region, its own and its peer's, some of them plausible lies (an
 * index just past the peer's). An access the hypervisor refuses arrives
 * as SIGBUS (or SIGSEGV): it is caught, counted, and the next one made.
 *
 * Each outcome is checked against the device's rules (docs/channels.md):
 * BAR0 takes aligned 32-bit accesses only, and writes only to DOORBELL,
 * ISR and IMR; its identity registers always read the same; nothing
 * answers past its 4 KiB; a region page takes stores only from its
 * writer; config space never fails and keeps its IDs. An outcome against
 * these rules is counted as unexpected, and makes the exit status 1.
 *
 * At the end each end is left as a crashed user would leave it, masked
 * (IMR clear, INTx disabled in the command register), so that the next
 * user must re-arm it; its BARs are written back (a sizing write leaves
 * a BAR reading its size), and its own index in the region is made the
 * peer's again (what it had in flight is dropped), so that the channel
 * can go on.
 *
 *   usage: tenon-regfuzz [-n ROUNDS] [-s SEED] END...
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tenon/channel_abi.h"

#define SYSFS_PCI "/sys/bus/pci/devices"
#define PCI_COMMAND 0x04
#define PCI_COMMAND_INTX_DISABLE 0x400
#define PCI_BAR0 0x10
#define PCI_BAR2 0x18
#define PCI_INTERRUPT_LINE 0x3c
#define CONFIG_SIZE 256
/* BAR0 is 4 KiB; the next function's is 64 KiB on, nothing between. */
#define PAST_SIZE 0xf000u
#define MAX_ENDS 8

enum kind {
	K_BAR0_LOAD,
	K_BAR0_STORE,
	K_BAR0_PAIR,
	K_PAST,
	K_BAR2_LOAD,
	K_BAR2_OWN,
	K_BAR2_PEER,
	K_CFG_READ,
	K_CFG_WRITE,
	NKINDS
};

static const char *const kind_names[NKINDS] = {
    "bar0-load",      "bar0-store",  "bar0-pair",
    "past-bar0",      "bar2-load",   "bar2-own-page",
    "bar2-peer-page", "config-read", "config-write",
};

struct count {
	unsigned long done, refused, unexpected;
};

struct end {
	char arg[64], dir[PATH_MAX];
	volatile uint8_t *bar0, *past, *bar2;
	uint32_t region, kind, role, depth;
	int config;
	uint32_t regs[TN_CHAN_BAR0_SIZE / 4]; /* BAR0 as it read at start */
	uint8_t cfg[CONFIG_SIZE];	      /* config space, likewise */
	uint64_t peer_start;		      /* the peer's index, likewise */
	struct count counts[NKINDS];
};

static struct end ends[MAX_ENDS];
static int nends;
static uint64_t rng_state;

static sigjmp_buf fault_jump;
static volatile sig_atomic_t fault_armed;

static void on_fault(int sig)
{
	if (fault_armed) {
		fault_armed = 0;
		siglongjmp(fault_jump, sig);
	}
	/* A fault outside an access of ours: a defect here, not refused. */
	signal(sig, SIG_DFL);
	raise(sig);
}

/* splitmix64: the same sequence from the same seed, on every machine. */
static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t below(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

/* One load or store instruction each, with a syndrome the hypervisor can
 * decode (no writeback); a pair is the kind it cannot, and refuses. */
static uint64_t load(volatile void *p, int size)
{
	uint64_t v;

	switch (size) {
	case 1:
		__asm__ volatile("ldrb %w0, [%1]"
				 : "=r"(v)
				 : "r"(p)
				 : "memory");
		break;
	case 2:
		__asm__ volatile("ldrh %w0, [%1]"
				 : "=r"(v)
				 : "r"(p)
				 : "memory");
		break;
	case 4:
		__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(p) : "memory");
		break;
	default:
		__asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(p) : "memory");
	}
	return v;
}

static void store(volatile void *p, int size, uint64_t v)
{
	switch (size) {
	case 1:
		__asm__ volatile("strb %w0, [%1]"
				 :
				 : "r"(v), "r"(p)
				 : "memory");
		break;
	case 2:
		__asm__ volatile("strh %w0, [%1]"
				 :
				 : "r"(v), "r"(p)
				 : "memory");
		break;
	case 4:
		__asm__ volatile("str %w0, [%1]" : : "r"(v), "r"(p) : "memory");
		break;
	default:
		__asm__ volatile("str %0, [%1]" : : "r"(v), "r"(p) : "memory");
	}
}

static void pair(volatile void *p, int write, uint64_t v)
{
	uint32_t a, b;

	if (write)
		__asm__ volatile("stp %w0, %w1, [%2]"
				 :
				 : "r"(v), "r"(v >> 32), "r"(p)
				 : "memory");
	else
		__asm__ volatile("ldp %w0, %w1, [%2]"
				 : "=r"(a), "=r"(b)
				 : "r"(p)
				 : "memory");
}

enum op { OP_LOAD, OP_STORE, OP_LOAD_PAIR, OP_STORE_PAIR };

/* Makes one access; 0 if it completed, else the signal it raised. */
static int try_access(volatile void *p, enum op op, int size, uint64_t *v)
{
	int sig = sigsetjmp(fault_jump, 1);

	if (sig)
		return sig;
	fault_armed = 1;
	switch (op) {
	case OP_LOAD:
		*v = load(p, size);
		break;
	case OP_STORE:
		store(p, size, *v);
		break;
	default:
		pair(p, op == OP_STORE_PAIR, *v);
	}
	fault_armed = 0;
	return 0;
}

/* Records an outcome: refused or not, and whether the rules said so. */
static void outcome(struct end *e, enum kind k, int refused, int expect)
{
	struct count *c = &e->counts[k];

	c->done++;
	c->refused += refused != 0;
	if ((refused != 0) != (expect != 0)) {
		if (c->unexpected < 5)
			printf("tenon-regfuzz: %s: %s %s, against the rules\n",
			       e->arg, kind_names[k],
			       refused ? "refused" : "allowed");
		c->unexpected++;
	}
}

static int random_size(void)
{
	return 1 << below(4);
}

/* BAR0's registers that change on their own; the others never do. */
static int reg_changes(uint32_t off)
{
	switch (off) {
	case TN_CHAN_REG_PEER_STATE:
	case TN_CHAN_REG_PEER_RESTARTS:
	case TN_CHAN_REG_ISR:
	case TN_CHAN_REG_IMR:
	case TN_CHAN_REG_COUNTER_LO:
	case TN_CHAN_REG_COUNTER_HI:
	case TN_CHAN_REG_RANG:
	case TN_CHAN_REG_RUNG:
		return 1;
	}
	return 0;
}

static void fuzz_bar0(struct end *e)
{
	int size = random_size(), write = below(2), refused;
	/* Half of them aligned to their size, half anywhere. */
	uint32_t off = below(TN_CHAN_BAR0_SIZE - (uint32_t)size + 1);
	uint64_t v = rnd() >> (8 * below(8));

	if (below(2))
		off &= ~(uint32_t)(size - 1);
	/* The registers that take writes, more often than chance. */
	if (below(8) == 0) {
		size = 4;
		off = TN_CHAN_REG_DOORBELL + 4 * below(3);
	}
	if (below(4) == 0) {
		/* A pair of words, which no register takes. */
		off = below(TN_CHAN_BAR0_SIZE / 8) * 8;
		refused = try_access(
		    e->bar0 + off, write ? OP_STORE_PAIR : OP_LOAD_PAIR, 4, &v);
		outcome(e, K_BAR0_PAIR, refused, 1);
		return;
	}
	refused =
	    try_access(e->bar0 + off, write ? OP_STORE : OP_LOAD, size, &v);
	if (size != 4 || off & 3) {
		outcome(e, write ? K_BAR0_STORE : K_BAR0_LOAD, refused, 1);
		return;
	}
	if (write) {
		outcome(e, K_BAR0_STORE, refused,
			off != TN_CHAN_REG_DOORBELL && off != TN_CHAN_REG_ISR &&
			    off != TN_CHAN_REG_IMR);
		return;
	}
	outcome(e, K_BAR0_LOAD, refused, 0);
	if (refused)
		return;
	if ((off == TN_CHAN_REG_ISR || off == TN_CHAN_REG_IMR) &&
	    (uint32_t)v > 1) {
		printf("tenon-regfuzz: %s: register %#x reads %#x\n", e->arg,
		       off, (uint32_t)v);
		e->counts[K_BAR0_LOAD].unexpected++;
	} else if (!reg_changes(off) && (uint32_t)v != e->regs[off / 4]) {
		printf("tenon-regfuzz: %s: register %#x reads %#x, was %#x\n",
		       e->arg, off, (uint32_t)v, e->regs[off / 4]);
		e->counts[K_BAR0_LOAD].unexpected++;
	}
}

static void fuzz_past(struct end *e)
{
	int size = random_size();
	uint32_t off = below(PAST_SIZE - (uint32_t)size + 1);
	uint64_t v = rnd();

	if (!e->past)
		return;
	outcome(
	    e, K_PAST,
	    try_access(e->past + off, below(2) ? OP_STORE : OP_LOAD, size, &v),
	    1);
}

static int page_writable(const struct end *e, uint32_t page)
{
	if (e->role == TN_CHAN_WRITER)
		return page != 1;
	return page == 1 && e->kind != TN_CHAN_SAMPLE;
}

/* The offsets of this end's index and the peer's in the region. */
static uint32_t own_index(const struct end *e)
{
	return e->role == TN_CHAN_WRITER ? TN_CHAN_HEAD : TN_CHAN_TAIL;
}

static uint32_t peer_index(const struct end *e)
{
	return e->role == TN_CHAN_WRITER ? TN_CHAN_TAIL : TN_CHAN_HEAD;
}

/*
 * A value to store: random bits, a small number, or (for this end's own
 * index) a lie the peer may believe, just around its own index.
 */
static uint64_t lie(struct end *e, uint32_t off)
{
	uint64_t peer = tn_chan_load64(e->bar2 + peer_index(e));

	if (off == own_index(e) && below(2))
		return peer + (uint64_t)below(e->depth + 8) - 4;
	switch (below(3)) {
	case 0:
		return rnd();
	case 1:
		return below(600);
	}
	return peer + below(8);
}

static void fuzz_bar2(struct end *e, uint32_t page, int must_store)
{
	int size = random_size();
	uint32_t off =
	    page * TN_CHAN_PAGE + below(TN_CHAN_PAGE - (uint32_t)size + 1);
	uint64_t v;
	int refused;

	if (!must_store && below(6) == 0) {
		outcome(e, K_BAR2_LOAD,
			try_access(e->bar2 + off, OP_LOAD, size, &v), 0);
		return;
	}
	/* Often the words the peer reads: the indices, flags, lengths. */
	if (below(2))
		off = (off & ~(uint32_t)15) & ~(uint32_t)(size - 1);
	if (page < 2 && below(2)) {
		size = below(2) ? 8 : 4;
		off = page * TN_CHAN_PAGE + 8 * below(2);
	}
	v = lie(e, off);
	refused = try_access(e->bar2 + off, OP_STORE, size, &v);
	outcome(e, page_writable(e, page) ? K_BAR2_OWN : K_BAR2_PEER, refused,
		!page_writable(e, page));
	/* Half the time, rung as if published: the peer looks at once. */
	if (page_writable(e, page) && below(2))
		tn_chan_store32(e->bar0 + TN_CHAN_REG_DOORBELL, 1);
}

/* The config bytes that identify the function: never to change. */
static int cfg_fixed(uint32_t off)
{
	return off < 4 || (off >= 8 && off < 12) ||
	       (off >= 0x2c && off < 0x30) || off == 0x3d;
}

static void fuzz_config(struct end *e)
{
	int size = random_size();
	uint32_t off;
	uint8_t buf[8];
	uint64_t v = rnd();

	if (size == 8)
		size = 4;
	off = below(CONFIG_SIZE - (uint32_t)size + 1);
	/* The command register and the BARs, more often than chance. */
	if (below(3) == 0)
		off = (uint32_t[]){PCI_COMMAND, PCI_COMMAND + 1, PCI_BAR0,
				   PCI_BAR2}[below(4)];
	if (below(2)) {
		memcpy(buf, &v, sizeof(v));
		outcome(e, K_CFG_WRITE,
			pwrite(e->config, buf, (size_t)size, off) != size, 0);
		return;
	}
	outcome(e, K_CFG_READ, pread(e->config, buf, (size_t)size, off) != size,
		0);
	for (int i = 0; i < size; i++) {
		if (!cfg_fixed(off + (uint32_t)i) ||
		    buf[i] == e->cfg[off + (uint32_t)i])
			continue;
		printf("tenon-regfuzz: %s: config byte %#x reads %#x, was "
		       "%#x\n",
		       e->arg, off + (uint32_t)i, buf[i],
		       e->cfg[off + (uint32_t)i]);
		e->counts[K_CFG_READ].unexpected++;
	}
}

static void *map(const char *dir, const char *file, size_t size, off_t at)
{
	char path[PATH_MAX + 32];
	void *p;
	int fd;

	snprintf(path, sizeof(path), "%s%s", dir, file);
	fd = open(path, O_RDWR | O_SYNC | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, at);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

static int is_channel(const char *dir)
{
	char path[PATH_MAX + 32], buf[16] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/subsystem_device", dir);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return strtoul(buf, NULL, 16) == TN_CHAN_PCI_SUBDEVICE;
}

/* The channel's name, from a mapped BAR0. */
static void reg_name(volatile uint8_t *bar0, char *out)
{
	for (int i = 0; i < 4; i++) {
		uint32_t w = tn_chan_load32(bar0 + TN_CHAN_REG_NAME + 4 * i);

		memcpy(out + 4 * i, &w, 4);
	}
	out[TN_CHAN_NAME_MAX - 1] = 0;
}

/* arg: a sysfs directory, or the name of a channel this Linux has. */
static int find_dir(const char *arg, char *dir)
{
	DIR *d;
	struct dirent *de;
	int found = 0;

	if (strchr(arg, '/')) {
		snprintf(dir, PATH_MAX, "%s", arg);
		return is_channel(dir) ? 0 : -1;
	}
	d = opendir(SYSFS_PCI);
	if (!d)
		return -1;
	while (!found && (de = readdir(d))) {
		char name[TN_CHAN_NAME_MAX];
		volatile uint8_t *bar0;

		if (de->d_name[0] == '.')
			continue;
		snprintf(dir, PATH_MAX, "%s/%s", SYSFS_PCI, de->d_name);
		if (!is_channel(dir) ||
		    !(bar0 = map(dir, "/resource0", TN_CHAN_BAR0_SIZE, 0)))
			continue;
		reg_name(bar0, name);
		found = !strcmp(name, arg);
		munmap((void *)bar0, TN_CHAN_BAR0_SIZE);
	}
	closedir(d);
	return found ? 0 : -1;
}

static uint64_t bar0_address(const char *dir)
{
	char path[PATH_MAX + 32];
	unsigned long long start = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/resource", dir);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%llx", &start) != 1)
		start = 0;
	fclose(f);
	return start;
}

static int open_end(struct end *e, const char *arg)
{
	char path[PATH_MAX + 32];
	uint64_t pa;

	snprintf(e->arg, sizeof(e->arg), "%s", arg);
	if (find_dir(arg, e->dir)) {
		fprintf(stderr, "tenon-regfuzz: %s: no such channel function\n",
			arg);
		return -1;
	}
	e->bar0 = map(e->dir, "/resource0", TN_CHAN_BAR0_SIZE, 0);
	if (!e->bar0) {
		fprintf(stderr,
			"tenon-regfuzz: %s: cannot map %s/resource0: "
			"%s\n",
			arg, e->dir, strerror(errno));
		return -1;
	}
	for (uint32_t i = 0; i < TN_CHAN_BAR0_SIZE / 4; i++)
		e->regs[i] = tn_chan_load32(e->bar0 + 4 * i);
	if (e->regs[0] != TN_CHAN_MAGIC) {
		fprintf(stderr,
			"tenon-regfuzz: %s: BAR0 reads %#x, not the "
			"channel magic\n",
			arg, e->regs[0]);
		return -1;
	}
	e->region = e->regs[TN_CHAN_REG_REGION / 4];
	e->kind = e->regs[TN_CHAN_REG_KIND / 4];
	e->role = e->regs[TN_CHAN_REG_ROLE / 4];
	e->depth = e->regs[TN_CHAN_REG_DEPTH / 4];
	e->bar2 = map(e->dir, "/resource2_wc", e->region, 0);
	if (!e->bar2) {
		fprintf(stderr,
			"tenon-regfuzz: %s: cannot map %s/resource2_wc"
			" (%u bytes): %s\n",
			arg, e->dir, e->region, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/config", e->dir);
	e->config = open(path, O_RDWR | O_CLOEXEC);
	if (e->config < 0 ||
	    pread(e->config, e->cfg, CONFIG_SIZE, 0) != CONFIG_SIZE) {
		fprintf(stderr, "tenon-regfuzz: %s: cannot read %s: %s\n", arg,
			path, strerror(errno));
		return -1;
	}
	e->peer_start = tn_chan_load64(e->bar2 + peer_index(e));
	pa = bar0_address(e->dir);
	e->past =
	    pa ? map("/dev/mem", "", PAST_SIZE, (off_t)(pa + TN_CHAN_BAR0_SIZE))
	       : NULL;
	if (!e->past)
		printf("tenon-regfuzz: %s: cannot map what follows BAR0 "
		       "through /dev/mem: not tried\n",
		       arg);
	return 0;
}

static void config_write32(struct end *e, uint32_t off, uint32_t v)
{
	if (pwrite(e->config, &v, 4, off) != 4)
		printf("tenon-regfuzz: %s: cannot write config %#x: %s\n",
		       e->arg, off, strerror(errno));
}

/*
 * Leaves e masked but usable (see the top comment). The peer may be
 * taking a message on a lie told just before: its index moves once
 * more, so this end's follows it until both stay still.
 */
static void leave(struct end *e)
{
	uint16_t command;
	uint64_t peer;
	int still = 0;

	config_write32(e, PCI_BAR0,
		       e->cfg[PCI_BAR0] | (uint32_t)e->cfg[PCI_BAR0 + 1] << 8 |
			   (uint32_t)e->cfg[PCI_BAR0 + 2] << 16 |
			   (uint32_t)e->cfg[PCI_BAR0 + 3] << 24);
	config_write32(e, PCI_BAR2,
		       e->cfg[PCI_BAR2] | (uint32_t)e->cfg[PCI_BAR2 + 1] << 8 |
			   (uint32_t)e->cfg[PCI_BAR2 + 2] << 16 |
			   (uint32_t)e->cfg[PCI_BAR2 + 3] << 24);
	if (pwrite(e->config, &e->cfg[PCI_INTERRUPT_LINE], 1,
		   PCI_INTERRUPT_LINE) != 1)
		printf("tenon-regfuzz: %s: cannot write the interrupt line\n",
		       e->arg);
	command =
	    (uint16_t)(e->cfg[PCI_COMMAND] | e->cfg[PCI_COMMAND + 1] << 8 |
		       PCI_COMMAND_INTX_DISABLE);
	if (pwrite(e->config, &command, 2, PCI_COMMAND) != 2)
		printf("tenon-regfuzz: %s: cannot write the command register\n",
		       e->arg);
	tn_chan_store32(e->bar0 + TN_CHAN_REG_IMR, 0);
	/* What the peer did with the lies: taken or answered. */
	printf("tenon-regfuzz: %s: the peer's index went from %llu to %llu\n",
	       e->arg, (unsigned long long)e->peer_start,
	       (unsigned long long)tn_chan_load64(e->bar2 + peer_index(e)));
	if (e->kind == TN_CHAN_SAMPLE) {
		/* A sample's writer goes on from any sequence number. */
		if (e->role == TN_CHAN_WRITER)
			tn_chan_store32(e->bar2 + TN_CHAN_WWAIT, 0);
		still = 3;
	} else {
		tn_chan_store32(e->bar2 + own_index(e) + 8, 0);
		tn_chan_store32(e->bar2 + own_index(e) + 12, 0);
	}
	for (int i = 0; i < 200 && still < 3; i++) {
		peer = tn_chan_load64(e->bar2 + peer_index(e));
		if (tn_chan_load64(e->bar2 + own_index(e)) == peer) {
			still++;
		} else {
			still = 0;
			tn_chan_store64(e->bar2 + own_index(e), peer);
		}
		/* A peer waiting for room or data looks again. */
		tn_chan_mb();
		tn_chan_store32(e->bar0 + TN_CHAN_REG_DOORBELL, 1);
		usleep(20000);
	}
	if (still < 3)
		printf("tenon-regfuzz: %s: the peer's index does not stay "
		       "still\n",
		       e->arg);
	if (pread(e->config, &command, 2, PCI_COMMAND) != 2)
		command = 0;
	printf("tenon-regfuzz: %s left masked: IMR %u, INTx %s\n", e->arg,
	       tn_chan_load32(e->bar0 + TN_CHAN_REG_IMR),
	       command & PCI_COMMAND_INTX_DISABLE ? "disabled" : "enabled");
}

static int usage(FILE *f, int status)
{
	fprintf(f, "usage: tenon-regfuzz [-n ROUNDS] [-s SEED] END...\n"
		   "  random accesses to each END's (a channel's name, or its\n"
		   "  PCI function's sysfs directory) registers, config space\n"
		   "  and region, checked against the device's rules\n");
	return status;
}

int main(int argc, char **argv)
{
	unsigned long rounds = 10000, unexpected = 0;
	unsigned long long seed = 1;
	struct sigaction sa;
	char *endp;
	int opt;

	while ((opt = getopt(argc, argv, "n:s:h")) != -1) {
		switch (opt) {
		case 'n':
			rounds = strtoul(optarg, &endp, 0);
			if (*endp || !*optarg) {
				fprintf(stderr,
					"tenon-regfuzz: -n %s: a number "
					"of rounds\n",
					optarg);
				return 2;
			}
			break;
		case 's':
			seed = strtoull(optarg, &endp, 0);
			if (*endp || !*optarg) {
				fprintf(stderr,
					"tenon-regfuzz: -s %s: a number "
					"to seed with\n",
					optarg);
				return 2;
			}
			break;
		case 'h':
			return usage(stdout, 0);
		default:
			return usage(stderr, 2);
		}
	}
	if (optind == argc || argc - optind > MAX_ENDS)
		return usage(stderr, 2);
	for (int i = optind; i < argc; i++)
		if (open_end(&ends[nends++], argv[i]))
			return 1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fault;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	rng_state = seed;
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* Every page of every region once, then the random rounds. */
	for (int i = 0; i < nends; i++)
		for (uint32_t page = 0; page < ends[i].region / TN_CHAN_PAGE;
		     page++)
			fuzz_bar2(&ends[i], page, 1);
	for (unsigned long r = 0; r < rounds; r++) {
		struct end *e = &ends[below((uint32_t)nends)];
		uint32_t what = below(20);

		if (what < 7)
			fuzz_bar0(e);
		else if (what < 9)
			fuzz_past(e);
		else if (what < 15)
			fuzz_bar2(e, below(e->region / TN_CHAN_PAGE), 0);
		else
			fuzz_config(e);
	}
	for (int i = 0; i < nends; i++)
		leave(&ends[i]);
	for (int i = 0; i < nends; i++) {
		struct end *e = &ends[i];

		for (int k = 0; k < NKINDS; k++) {
			printf("tenon-regfuzz: %s %s: %lu, refused %lu, "
			       "unexpected %lu\n",
			       e->arg, kind_names[k], e->counts[k].done,
			       e->counts[k].refused, e->counts[k].unexpected);
			unexpected += e->counts[k].unexpected;
		}
	}
	printf("tenon-regfuzz: %lu rounds, seed %llu: %lu unexpected\n", rounds,
	       seed, unexpected);
	return unexpected ? 1 : 0;
}
