/*
 * tenon-config: checks a system description (config/<system>.dts, compiled
 * to a .dtb) against docs/system-description.md and generates what the
 * system is built and booted with. This is what its parts share: the
 * machine as read from the description, and the platform's addresses.
 */
#ifndef TENON_CONFIG_H
#define TENON_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tenon/sysconfig.h"

#define MIB (1ull << 20)

/* The one platform, QEMU virt: its RAM and the devices partitions see. */
#define PLATFORM "qemu-virt"
#define VIRT_RAM_BASE 0x40000000ull
#define VIRT_GICD_BASE 0x08000000ull
#define VIRT_GICD_SIZE 0x10000ull
#define VIRT_GICR_BASE 0x080a0000ull
#define VIRT_GICR_STRIDE 0x20000ull /* RD_base + SGI_base per CPU */
#define VIRT_UART_BASE 0x09000000ull
#define VIRT_UART_SIZE 0x1000ull
#define VIRT_UART_SPI 1		 /* INTID 33 */
#define VIRT_PMU_PPI 7		 /* INTID 23 */
#define VIRT_UART_CLOCK 24000000 /* the APB clock, apb-pclk */
#define GIC_SPI_INTID(spi) (32 + (spi))

/*
 * A device of the platform a partition can have for itself (its property
 * devices = "NAME", ...): mapped at its own address, its interrupt routed
 * to it, described in its device tree. The table is in platform.c.
 */
struct plat_device {
	const char *name;	   /* as in devices = "..." */
	const char *what;	   /* for people */
	const char *model;	   /* its node is MODEL@BASE */
	const char *compatible[3]; /* NULL-terminated */
	uint64_t base, size;	   /* size: a multiple of 4 KiB */
	uint32_t spi;		   /* its interrupt: SPI n = INTID 32 + n */
	uint32_t gpio_cells;	   /* a GPIO controller: #gpio-cells; or 0 */
};

/*
 * Where things are in a partition's RAM: its device tree at the start, its
 * image 2 MiB on (where it is entered), a Linux initrd half-way.
 */
#define PART_ALIGN (2 * MIB)
#define PART_DTB_OFFSET 0
#define PART_IMAGE_OFFSET (2 * MIB)
#define PART_DTB_MAX (2 * MIB)

/* One partition as the description gives it. */
struct part {
	char *path;			/* its node, "/partitions/<name>" */
	char name[TN_CFG_NAME_MAX];	/* valid when there is no error */
	enum tn_cfg_kind kind;		/* 0 if not (validly) given */
	uint32_t ncpus;			/* its vCPUs... */
	uint32_t cpus[TN_CFG_MAX_CPUS]; /* ...and their physical CPUs */
	bool mem_ok;			/* ram_pa and ram_size were read */
	uint64_t ram_pa, ram_size;
	const char *image, *initrd;	/* as given: relative to --build */
	char *image_file, *initrd_file; /* joined with --build */
	uint64_t image_size;		/* the file's size */
	uint64_t image_span;		/* what it takes once running */
	uint64_t initrd_size;
	const char *bootargs; /* NULL if none */
	bool console;
	uint32_t ndevices; /* the platform devices it has, as given */
	const struct plat_device *devices[TN_CFG_MAX_DEVICES];
	void *dtb; /* generated */
	size_t dtb_size;
	/* Its pristine copies (device tree, image, initrd), for restarts. */
	struct tn_cfg_copy copies[TN_CFG_COPIES];
};

/*
 * The pristine copies of what a partition loads, kept in RAM that no
 * partition (and not the hypervisor) has, so that the hypervisor can put
 * them back and restart it: copies[COPY_DTB] and so on, each 2 MiB-aligned
 * and taking whole 2 MiB blocks. A copy of size 0 is none (no initrd).
 */
enum { COPY_DTB, COPY_IMAGE, COPY_INITRD };
extern const char *const copy_what[TN_CFG_COPIES]; /* "device tree", ... */
#define COPY_EXTENT(size) (((size) + PART_ALIGN - 1) & ~(PART_ALIGN - 1))

/* The whole system. */
struct sys {
	const char *source; /* the .dts, named in messages */
	const char *build;  /* the build directory images are in */
	uint32_t ncpus;	    /* physical CPUs; 0 if not (validly) given */
	bool ram_ok;
	uint64_t ram_base, ram_size;
	bool hyp_ok;
	uint64_t hyp_pa, hyp_size;
	unsigned nparts;
	struct part *parts;
};

/* main.c: messages. */
void cfg_error(const struct sys *sys, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
unsigned cfg_errors(void);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "0x60000000+0x04000000", "64 MiB": into buf, which is returned. */
const char *fmt_range(char *buf, size_t size, uint64_t base, uint64_t len);
const char *fmt_size(char *buf, size_t size, uint64_t bytes);

/* platform.c: the devices partitions can have, NULL-terminated. */
extern const struct plat_device plat_devices[];
const struct plat_device *plat_device(const char *name); /* or NULL */

/* check.c: reads and checks the blob into sys, reporting every error. */
void cfg_read(const void *fdt, struct sys *sys);

/* partition-dt.c: builds each partition's device tree (p->dtb). */
int cfg_partition_dtb(struct part *p);

/*
 * copies.c: places every partition's pristine copies in the RAM given to
 * nobody, first fit from the lowest address, reporting a partition whose
 * copies find no room. cfg_free_ram: the first piece of RAM given to
 * nobody (nor to a copy) at or after `at`: its base, its size in *size
 * (0: there is none).
 */
void cfg_place_copies(struct sys *sys);
uint64_t cfg_free_ram(const struct sys *sys, uint64_t at, uint64_t *size);

/* output.c: the generated files, as text. */
void cfg_write_sysconfig(FILE *f, const struct sys *sys);
void cfg_write_loads(FILE *f, const struct sys *sys, const char *out);
void cfg_write_machine(FILE *f, const struct sys *sys, const char *out);
void cfg_write_summary(FILE *f, const struct sys *sys, const char *out);

#endif
