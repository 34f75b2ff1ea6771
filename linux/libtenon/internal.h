/*
 * libtenon's own declarations: an open end, and what device.c (finding,
 * binding and mapping the PCI function, waiting for its doorbell) gives
 * channel.c (the kinds' operations).
 */
#ifndef TENON_LINUX_INTERNAL_H
#define TENON_LINUX_INTERNAL_H

#include <limits.h>
#include <stdint.h>

#include "tenon-manager.h"
#include "tenon.h"
#include <tenon/channel_abi.h>

struct tn_channel {
	struct tn_chan_ring ring;
	volatile uint8_t *bar0; /* the registers, 32-bit accesses only */
	void *region;		/* BAR2, mapped write-combining */
	size_t region_size;
	int region_fd;	  /* resource2_wc: the end's lock is on it */
	int config_fd;	  /* config space: INTx unmasking */
	int uio_fd;	  /* /dev/uioN, non-blocking */
	uint16_t command; /* the command register, Interrupt Disable clear */
	uint32_t validity_us;
	char name[TN_NAME_LEN];
	char device[32];
	char path[PATH_MAX]; /* the function's sysfs directory */
	int uio;
};

uint32_t tn_reg_read(const struct tn_channel *ch, uint32_t off);
void tn_reg_write(struct tn_channel *ch, uint32_t off, uint32_t v);
int tn_config_write16(struct tn_channel *ch, uint32_t off, uint16_t v);

/* Rings the peer if it asked for a doorbell (after publishing). */
void tn_channel_kick(struct tn_channel *ch);

/*
 * Waits for the end to be ready (tn_chan_ready() nonzero) or the
 * deadline: 1 ready, -ETIMEDOUT, -EAGAIN (TN_NOWAIT), -EIO, -EINTR.
 */
int tn_channel_wait(struct tn_channel *ch, const struct timespec *deadline);

/* device.c's sysfs look-ups, for manager.c. what: "channel NAME", ... */
const char *tn_sysfs_root(void);
int tn_read_hex(const char *dir, const char *name, unsigned long *v);
int tn_bind_uio(const char *dir, const char *dev, const char *what);
void *tn_map_file(const char *dir, const char *file, size_t size, int prot,
		  int *fd_out);

/* An open manager function (manager.c). */
struct tn_manager {
	volatile uint8_t *bar0; /* the registers, 32-bit accesses only */
	int bar0_fd;		/* resource0: flock()ed around a select */
	struct tn_manager_info info;
	char path[PATH_MAX]; /* the function's sysfs directory */
};

/* The manager's register accesses; weak, for the host tests' model. */
uint32_t tn_mgr_read(const struct tn_manager *m, uint32_t off);
void tn_mgr_write(struct tn_manager *m, uint32_t off, uint32_t v);

/* Records the words tn_last_error() gives, returns err. */
int tn_fail(int err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
