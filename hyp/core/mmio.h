/*
 * Emulated devices, registered per partition as MMIO regions: an access
 * to an IPA that stage 2 leaves unmapped is looked up among the
 * partition's regions and handed to the one that holds it, under the
 * region's own lock, with the offset into it. Nothing else decides which
 * device an address is: the vGIC's distributor and redistributors, the
 * emulated UART, the PCI host bridge's configuration space and each
 * channel's registers are all regions.
 */
#ifndef TENON_HYP_MMIO_H
#define TENON_HYP_MMIO_H

#include <stdbool.h>
#include <stdint.h>

struct partition;
struct spinlock;
struct vcpu;

enum mmio_result {
	MMIO_NOT_MINE, /* no region holds the address */
	MMIO_DONE,
	MMIO_BAD_SIZE,	/* an access size (or alignment) the register refuses */
	MMIO_READ_ONLY, /* a write to a register that takes none */
};

/*
 * An access of `size` bytes (1, 2, 4, 8) at `off` into the region: a
 * load fills *value (the low `size` bytes count), a store takes it.
 */
typedef enum mmio_result (*mmio_handler)(struct vcpu *v, void *arg,
					 uint64_t off, bool write, int size,
					 uint64_t *value);

struct mmio_region {
	uint64_t base, size;
	mmio_handler handler;
	void *arg;
	struct spinlock *lock; /* NULL: the handler takes its own */
	const char *what;      /* for the log: "the GIC distributor" */
};

/* At boot, before the partition runs; panics when the table is full. */
void mmio_region_register(struct partition *p, uint64_t base, uint64_t size,
			  mmio_handler handler, void *arg,
			  struct spinlock *lock, const char *what);
/*
 * The access of v at ipa, to the region that holds it. *what is the
 * region's name (NULL if none holds it), for the log.
 */
enum mmio_result mmio_dispatch(struct vcpu *v, uint64_t ipa, bool write,
			       int size, uint64_t *value, const char **what);

#endif
