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

/*
 * The one platform, QEMU virt, described once (platform.c): what the
 * checker holds a system to, what partitions' device trees show, and what
 * the compiled table gives the hypervisor.
 */
#define PLATFORM "qemu-virt"
struct platform {
	uint64_t ram_base;	/* where its RAM starts */
	uint64_t ram_max;	/* the most RAM it can have */
	uint64_t hyp_image;	/* where the hypervisor's image is linked */
	uint64_t hyp_image_max; /* the most it takes, BSS and stacks in */
	uint64_t gicd_base, gicd_size;
	uint64_t gicr_base, gicr_stride; /* RD_base + SGI_base per CPU */
	uint64_t uart_base, uart_size;
	uint32_t uart_spi;	  /* SPI n: INTID 32 + n */
	uint32_t uart_clock;	  /* the APB clock, apb-pclk */
	uint32_t maintenance_ppi; /* INTIDs */
	uint32_t vtimer_ppi;
	uint32_t pmu_ppi; /* the PMU's overflow interrupt, an INTID */
	/* The generic timer's, as PPI numbers (INTID 16 + n) in device
	 * trees: secure and non-secure physical, virtual, hyp. */
	uint32_t timer_ppis[4];
	uint32_t pa_bits_min; /* what the hypervisor maps at the least */
	uint32_t pa_bits_max; /* and at the most (39: 4 KiB pages from
				 level 1) */
	/*
	 * Channels: where partitions see the emulated PCI host bridge (its
	 * ECAM, bus 0 only), the window of its functions' registers (BAR0,
	 * one every pci_bar0_stride) and the window of the shared regions
	 * (BAR2, the same IPA for every end); the SPIs of the doorbells and
	 * INTx lines, SPI chan_spi_base + the channel's index. QEMU virt's
	 * own PCIe addresses: no partition has the physical PCIe.
	 */
	uint64_t pci_ecam_base, pci_ecam_size;
	uint64_t pci_bar0_base, pci_bar0_size, pci_bar0_stride;
	uint64_t chan_ipa_base, chan_ipa_size;
	uint32_t chan_spi_base, chan_spis;
	/* The health monitor's notification, the same SPI in every
	 * partition's virtual GIC (tenon/hm.h). */
	uint32_t hm_spi;
};
extern const struct platform plat;
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
 * A partition's RAM is laid out by the arm64 boot protocol (layout.c):
 * its image at a 2 MiB-aligned base plus the image's text_offset, the
 * initrd above it, the device tree above both.
 */
#define PART_ALIGN (2 * MIB)
#define PART_IMAGE_BASE (2 * MIB)  /* where real-time images are linked */
#define PART_DTB_MAX (2 * MIB)	   /* the protocol's limit */
#define PART_DTB_REACH (512 * MIB) /* the DTB within this of the image */

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
	uint64_t text_offset;		/* from its arm64 Image header */
	uint64_t initrd_size;
	/* Its layout (layout.c): offsets into its RAM. */
	bool laid_out; /* image and initrd placed */
	uint64_t image_off, image_end, initrd_off, dtb_off;
	const char *bootargs; /* NULL if none */
	bool console;
	uint32_t irq_delivery; /* enum tn_cfg_irq_delivery */
	uint32_t ndevices;     /* the platform devices it has, as given */
	const struct plat_device *devices[TN_CFG_MAX_DEVICES];
	void *dtb; /* generated */
	size_t dtb_size;
	/* Its pristine copies (device tree, image, initrd), for restarts. */
	struct tn_cfg_copy copies[TN_CFG_COPIES];
	/* Its health table (health.c): enum tn_hm_action by event, 0 the
	 * default; at most restart_max restarts in restart_window_ms. */
	uint8_t hm_actions[16];
	uint32_t restart_max, restart_window_ms;
	bool manager;	       /* it has the property manager; */
	uint64_t image_room;   /* from its entry to its initrd or dtb */
	uint64_t mgr_bar0_ipa; /* Linux: its manager function's BAR0 */
};

/*
 * The pristine copies of what a partition loads, kept in RAM that no
 * partition (and not the hypervisor) has, so that the hypervisor can put
 * them back and restart it: copies[COPY_DTB] and so on, each in whole 2 MiB
 * blocks of its own, at the offset from 2 MiB of where it goes, its size
 * running to its last block's end. A copy of size 0 is none (no initrd).
 */
enum { COPY_DTB, COPY_IMAGE, COPY_INITRD };
extern const char *const copy_what[TN_CFG_COPIES]; /* "device tree", ... */
#define COPY_EXTENT(size) (((size) + PART_ALIGN - 1) & ~(PART_ALIGN - 1))
#define COPY_BLOCK(pa) ((pa) & ~(PART_ALIGN - 1)) /* where its blocks start */

/* A channel as the description gives it (channels.c). */
struct chan_end {
	int part;	   /* index in sys->parts */
	uint32_t role;	   /* TN_CHAN_WRITER, TN_CHAN_READER */
	uint32_t pci_dev;  /* a linux end: its device on bus 0 */
	uint64_t bar0_ipa; /* a linux end: its registers */
};
struct chan {
	char *path;		    /* "/channels/<name>" */
	char name[TN_CFG_NAME_MAX]; /* valid when there is no error */
	uint32_t kind;		    /* enum tn_chan_kind; 0 if not given */
	uint32_t msg_size, depth, validity_us;
	unsigned nends; /* ends[0] the writer, then the readers */
	struct chan_end ends[TN_CFG_MAX_PARTITIONS];
	uint64_t size; /* tn_chan_region_size() */
	uint64_t pa, ipa;
};

/* The whole system. */
struct sys {
	const char *source; /* the .dts, named in messages */
	const char *build;  /* the build directory images are in */
	uint32_t ncpus;	    /* physical CPUs; 0 if not (validly) given */
	bool ram_ok;
	uint64_t ram_base, ram_size;
	bool hyp_ok;
	uint64_t hyp_pa, hyp_size;
	bool console_cpu_given; /* /hypervisor's console-cpu */
	uint32_t console_cpu;	/* given, or the default */
	unsigned nparts;
	struct part *parts;
	unsigned nchans;
	struct chan *chans;
	/* The manager partition's index, or TN_CFG_NO_MANAGER; the load
	 * window (BAR2 of its manager function), size 0 if none. */
	uint32_t manager;
	uint64_t load_pa, load_ipa, load_size;
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
/* Whether a property's value is one or more printable strings. */
bool is_strings(const char *val, int len);
/* What a value looks like, for "(got ...)": into buf, returned. */
const char *describe(const void *val, int len, char *buf, size_t size);

/* platform.c: the devices partitions can have, NULL-terminated. */
extern const struct plat_device plat_devices[];
const struct plat_device *plat_device(const char *name); /* or NULL */

/* check.c: reads and checks the blob into sys, reporting every error. */
void cfg_read(const void *fdt, struct sys *sys);

/*
 * layout.c: where a partition's image and initrd go in its RAM, reporting
 * what does not fit (cfg_layout_images, once they are read); then where
 * its device tree goes, once built (cfg_layout_dtbs). The IPA of an
 * offset: plat.ram_base + offset.
 */
void cfg_layout_images(const struct sys *sys, struct part *p);
void cfg_layout_dtbs(struct sys *sys);
/* The physical address bits the system needs (RAM and devices). */
uint32_t cfg_pa_bits(const struct sys *sys);

/*
 * channels.c: reads and checks /channels (after the partitions), then
 * places each region's IPA in the platform's window and numbers the
 * Linux ends on their partition's PCI bus (cfg_place_channels, before
 * the device trees are built), and its PA in RAM given to nobody
 * (cfg_place_channel_ram, after the pristine copies).
 */
void cfg_read_channels(const void *fdt, struct sys *sys);
void cfg_place_channels(struct sys *sys);
void cfg_place_channel_ram(struct sys *sys);
const char *chan_kind_name(uint32_t kind);
/* The SPI of channel c's doorbell (or INTx) in each end's partition. */
uint32_t chan_spi(const struct sys *sys, const struct chan *c);

/*
 * health.c: reads a partition's health node into its table and its
 * manager property (cfg_read_health, with the partition); then picks the
 * manager (cfg_pick_manager, once all are read). cfg_place_manager gives
 * every Linux partition its manager function and each its image room
 * (before the device trees are built); cfg_place_load_window, the load
 * window's IPA and its PA in RAM given to nobody (after the channels'
 * regions). hm_action_of: what a partition does about an event, its
 * default resolved.
 */
void cfg_read_health(const struct sys *sys, const void *fdt, int off,
		     struct part *p);
void cfg_pick_manager(struct sys *sys);
void cfg_place_manager(struct sys *sys);
void cfg_place_load_window(struct sys *sys);
unsigned hm_action_of(const struct part *p, unsigned event);

/* partition-dt.c: builds each partition's device tree (p->dtb). */
int cfg_partition_dtb(const struct sys *sys, struct part *p);

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
