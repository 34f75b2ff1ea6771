/*
 * libtenon's manager API: Linux user space's view of the partitions and
 * the health monitor's log (abi/tenon/hm.h).
 *
 * Every Linux partition has a manager PCI function on the hypervisor's
 * emulated host bridge (device TN_MGR_PCI_SLOT, the channels' IDs but
 * subsystem device TN_MGR_PCI_SUBDEVICE), bound to uio_pci_generic like
 * a channel end: its registers (BAR0) say what every partition is doing
 * and take commands; BAR2, the load window, takes an image to load. Only
 * the manager partition's function carries out commands; the others may
 * read (a command gives -EPERM).
 *
 * Every call returns 0 or a negative errno, and tn_last_error() says in
 * words what went wrong; a register that says something impossible (an
 * index out of range, a name without its NUL) gives -EPROTO.
 */
#ifndef TENON_LINUX_TENON_MANAGER_H
#define TENON_LINUX_TENON_MANAGER_H

#include <stdint.h>

#include "tenon.h"
#include <tenon/hm.h>

#ifdef __cplusplus
extern "C" {
#endif

struct tn_manager;

/* What the function says about the system. */
struct tn_manager_info {
	uint32_t self;	      /* this partition's index */
	uint32_t npartitions; /* partitions in the system */
	uint32_t permitted;   /* 1: this partition is the manager */
	uint32_t freq;	      /* the system counter's Hz */
	uint32_t log_depth;   /* entries the HM log keeps */
	uint32_t load_max;    /* the load window's bytes (0: none) */
	char device[32];      /* the PCI function, "0000:00:1f.0" */
};

/* One partition as it is now (TN_MGR_REG_PART_*). */
struct tn_partition_info {
	uint32_t index;
	char name[TN_NAME_LEN];
	uint32_t state; /* enum tn_part_state */
	uint32_t kind;	/* 1 the real-time core, 2 Linux */
	uint32_t ncpus;
	uint32_t cpus; /* their physical CPUs, a mask */
	uint32_t restarts;
	uint32_t faults;
	uint32_t ram_kib;
	uint32_t watchdog_us; /* 0: not armed */
	uint32_t image_size;  /* the image's bytes, as loaded */
	uint32_t events;      /* HM events logged */
	uint32_t image_max;   /* the most a load may bring */
};

/* The longest a command waits for the hypervisor by default. */
#define TN_MANAGER_TIMEOUT_MS 10000

/* Finds, binds (root only, if unbound) and maps the manager function. */
int tn_manager_open(struct tn_manager **out);
void tn_manager_close(struct tn_manager *m);
int tn_manager_info(struct tn_manager *m, struct tn_manager_info *info);

/* Partition `index` (below npartitions) as it is now. */
int tn_manager_partition(struct tn_manager *m, uint32_t index,
			 struct tn_partition_info *out);
/* The index of the partition named, or given by its number; -ENOENT. */
int tn_manager_find(struct tn_manager *m, const char *name_or_index);

/*
 * Runs op (enum tn_mgr_op) on partition target and waits for its end,
 * at most timeout_ms: 0, or the hypervisor's negative errno (see
 * TN_MGR_REG_CMD), or -ETIMEDOUT. tn_manager_strerror() says it in words.
 */
int tn_manager_command(struct tn_manager *m, uint32_t op, uint32_t target,
		       int timeout_ms);
const char *tn_manager_strerror(int err);

/*
 * Checks an image file before it is loaded: that it exists and is a
 * regular file, has the arm64 Image magic "ARM\x64" at 0x38, and is at
 * most max bytes (0: no limit). 0, -ENOENT (or another open errno),
 * -ENOEXEC, -EFBIG.
 */
int tn_manager_check_image(const char *file, uint32_t max);
/* Checks file (against target's image_max), copies it into the load
 * window and loads it into target: as tn_manager_command. */
int tn_manager_load(struct tn_manager *m, uint32_t target, const char *file,
		    int timeout_ms);

/* The sequence number the next HM event will get. */
int tn_manager_log_next(struct tn_manager *m, uint64_t *next);
/*
 * The log entries from *cursor on, at most max into out, oldest first;
 * returns how many. *cursor moves past them; events that were
 * overwritten before they could be read are added to *lost (and skipped).
 * Starting from 0 reads everything the log still has.
 */
int tn_manager_log_fetch(struct tn_manager *m, uint64_t *cursor,
			 struct tn_hm_entry *out, int max, uint64_t *lost);

/* The names of the ABI's values, "?" when unknown. */
const char *tn_part_state_name(uint32_t state);

#ifdef __cplusplus
}
#endif

#endif
