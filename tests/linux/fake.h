/*
 * A fake channel device for the host tests of libtenon: a sysfs tree
 * (TENON_SYSFS) with one PCI function per channel end, whose resource0,
 * resource2_wc and config are plain files, and a /dev (TENON_DEV) whose
 * uioN is a FIFO. Behind libtenon's register and config-space accessors
 * sits a model of the hypervisor's function: ISR, IMR, the doorbell, and
 * INTx as the level ISR & IMR & !Interrupt Disable, taken by a model of
 * uio_pci_generic's handler (mask INTx, count an event on /dev/uioN).
 * The test itself is the peer, with its own view of the region.
 */
#ifndef TENON_TESTS_LINUX_FAKE_H
#define TENON_TESTS_LINUX_FAKE_H

#include <limits.h>
#include <stdint.h>

#include <tenon/channel_abi.h>
#include <tenon/hm.h>

#define FAKE_ENDS 8

struct fake_end {
	char name[16];
	char dev[16];	    /* "0000:00:0N.0" */
	char dir[PATH_MAX]; /* its sysfs directory */
	volatile uint8_t *bar0;
	volatile uint8_t *region;
	uint64_t size;
	int fifo;		  /* the write side of its /dev/uioN */
	struct tn_chan_ring peer; /* the peer's view */
	/* The model, under the fake's lock. */
	uint32_t isr, imr, intx_disabled, events, linux_rang, rung;
	/* Called (unlocked) just before the model applies an ISR ack or an
	 * INTx unmask: a test's chance to ring at the worst moment. */
	void (*before_ack)(struct fake_end *e);
	void (*before_unmask)(struct fake_end *e);
};

struct fake {
	char root[256];
	int n;
	struct fake_end ends[FAKE_ENDS];
	struct fake_mgr *mgr;
};

/* Makes the trees in a new temporary directory and points libtenon at
 * them; driver: whether uio_pci_generic is "loaded". */
void fake_init(struct fake *f, int driver);
/* Adds the function of Linux's end (role) of a channel; bound: with
 * uio_pci_generic bound to it. */
struct fake_end *fake_add(struct fake *f, const char *name, uint32_t kind,
			  uint32_t role, uint32_t msg_size, uint32_t depth,
			  uint32_t validity_us, int bound);
/* The peer rings Linux's end: ISR set, INTx evaluated. */
void fake_ring(struct fake_end *e);
/* The peer rings if Linux's end waits (as a peer does after publishing). */
void fake_kick(struct fake_end *e);
/* Doorbells Linux rang so far. */
uint32_t fake_linux_rang(struct fake_end *e);
void fake_fini(struct fake *f);

/*
 * A fake manager function (tenon/hm.h's registers): the partitions it
 * shows, a script of what RESULT says after each command (-EINPROGRESS
 * a few times, then the outcome), the commands written, and the HM log:
 * a ring of `depth` entries in which fake_mgr_event() logs, latched by
 * LOG_SELECT as the hypervisor does (the oldest kept one when the asked
 * one was overwritten, all-ones when it is not there yet).
 */
#define FAKE_MGR_LOG_MAX 256
struct fake_part {
	char name[16];
	uint32_t state, kind, ncpus, cpus, restarts, faults, ram_kib;
	uint32_t watchdog_us, image_size, events, image_max;
};
struct fake_mgr {
	char dir[PATH_MAX];
	volatile uint8_t *bar0;
	volatile uint8_t *window;
	uint32_t window_size;
	uint32_t nparts;
	struct fake_part parts[4];
	int32_t script[8]; /* RESULT after a command, one per read */
	int nscript, at;
	uint32_t cmds, last_cmd, load_size;
	uint64_t next;
	uint32_t depth;
	struct tn_hm_entry log[FAKE_MGR_LOG_MAX];
	uint32_t select_lo;
	/* Called (unlocked) as LOG_SELECT_HI latches seq: a test's chance to
	 * log more at the worst moment. */
	void (*before_latch)(struct fake_mgr *m, uint64_t seq);
};

/* Adds the manager function (0000:00:1f.0) with n partitions, this one
 * self; permitted: whether it is the manager (a load window if so). */
struct fake_mgr *fake_add_manager(struct fake *f, uint32_t n, uint32_t self,
				  int permitted, uint32_t depth);
/* Logs an event, as the hypervisor would. */
void fake_mgr_event(struct fake_mgr *m, uint8_t part, uint8_t vcpu,
		    uint8_t event, uint8_t action, uint32_t flags,
		    uint64_t detail);

#endif
