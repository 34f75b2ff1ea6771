/*
 * The health monitor and the partitions' lifecycle: the contract between
 * the hypervisor, the partitions and the tools (docs/health.md).
 *
 * Events happen to a partition; the partition's table in the system
 * description (its `health` node) says what the hypervisor does about
 * each. Every event, and what was done, goes into the HM log, a bounded
 * ring in the hypervisor that the manager partition reads.
 *
 * The manager (the system description's choice; by default the first
 * Linux partition) may list, stop, start, restart and load the others.
 * A Linux manager does it through a PCI function of its emulated host
 * bridge (registers TN_MGR_REG_*, used through uio_pci_generic); a
 * real-time manager through hypercalls (tenon/hypercall.h). Any other
 * partition gets -EPERM.
 */
#ifndef TENON_ABI_HM_H
#define TENON_ABI_HM_H

#include <stdint.h>

#define TN_HM_ABI_VERSION 1

/* Events. Their names in the system description are in brackets. */
enum tn_hm_event {
	TN_HM_EV_MEM_FAULT = 1,	   /* [mem-fault] an access outside its memory,
				      or one its memory does not take */
	TN_HM_EV_TRAP = 2,	   /* [trap] an undefined or unexpected trap */
	TN_HM_EV_FATAL = 3,	   /* [fatal] it reported a fatal error */
	TN_HM_EV_WATCHDOG = 4,	   /* [watchdog] its watchdog expired */
	TN_HM_EV_STOP_FAILED = 5,  /* [stop-failed] its vCPUs did not stop in
				      time for a stop or a reset */
	TN_HM_EV_DEADLINE = 6,	   /* [deadline] (real-time core) a periodic
				      thread overran its period */
	TN_HM_EV_STACK = 7,	   /* [stack-overflow] (real-time core) */
	TN_HM_EV_EXCEPTION = 8,	   /* [exception] (real-time core) an exception
				      it could not handle */
	TN_HM_EV_RESET = 9,	   /* [reset] it asked to be reset (PSCI
				      SYSTEM_RESET, a Linux panic with panic=N) */
	TN_HM_EV_POWER_OFF = 10,   /* [power-off] it powered off (PSCI
				      SYSTEM_OFF) */
	TN_HM_EV_MANAGER = 11,	   /* the manager acted on it: detail is the
				      TN_MGR_OP_*; not in a table */
	TN_HM_EV_ASYNC_ABORT = 12, /* [async-abort] an SError */
	TN_HM_NR_EVENTS = 13,
};

/* Actions. 0 in a table: the default for that event and kind. */
enum tn_hm_action {
	TN_HM_ACT_DEFAULT = 0,
	TN_HM_ACT_IGNORE = 1, /* [ignore] nothing; not even logged; a
				 faulting access is skipped, reads 0 */
	TN_HM_ACT_LOG = 2,    /* [log] logged; a faulting access is
				 skipped, reads 0 */
	TN_HM_ACT_NOTIFY = 3, /* [notify] logged, and the partition's own
				 handler gets it: a fault is injected as
				 the CPU would raise it; an event the
				 core raised returns to it; a watchdog
				 expiry is a virtual interrupt */
	TN_HM_ACT_STOP = 4,   /* [stop] parked until the manager starts it */
	TN_HM_ACT_COLD_RESTART = 5, /* [cold-restart] RAM scrubbed, images put
				       back, started again */
	TN_HM_ACT_WARM_RESTART = 6, /* [warm-restart] started again at its entry
				       with its RAM kept (its device tree put
				       back) */
	TN_HM_ACT_MACHINE_RESET = 7, /* [machine-reset] the whole machine */
	TN_HM_NR_ACTIONS = 8,
};

/* A partition's state, as the manager sees it. */
enum tn_part_state {
	TN_PART_RUNNING = 1,
	TN_PART_RESETTING = 2, /* being stopped, restarted or loaded */
	TN_PART_OFF = 3,       /* stopped cleanly: can be started */
	TN_PART_PARKED = 4,    /* its vCPUs did not stop: only a restart (which
				  tries again) or a machine reset recovers it */
};

/* What the manager asks. */
enum tn_mgr_op {
	TN_MGR_OP_STOP = 1,
	TN_MGR_OP_START = 2,
	TN_MGR_OP_RESTART = 3, /* cold */
	TN_MGR_OP_LOAD = 4,    /* a new image from the load window, then a
				  cold start */
	TN_MGR_OP_WARM_RESTART = 5,
};

/* The HM log. */
#define TN_HM_LOG_DEPTH 128 /* entries the hypervisor keeps */

/* One entry, as the manager reads it. */
struct tn_hm_entry {
	uint64_t seq;	   /* 0, 1, ...: the n-th event since boot */
	uint64_t time_ns;  /* on the system counter, since it started */
	uint64_t detail;   /* the faulting address, the trap's syndrome, the
			      value the partition passed, the operation */
	uint8_t partition; /* its index */
	uint8_t vcpu;	   /* 0xff: not one vCPU's */
	uint8_t event;	   /* enum tn_hm_event */
	uint8_t action;	   /* enum tn_hm_action taken (STOP also when a
			      restart limit was reached: see flags) */
	uint32_t flags;	   /* TN_HM_F_* */
};

#define TN_HM_F_LIMIT                                      \
	1u /* a restart was due, but the restart limit was \
	      reached: stopped instead */
#define TN_HM_F_FAILED                                     \
	2u /* the action could not be taken (a notify with \
	      no handler to take it: the fatal action      \
	      followed) */
/*
 * Bits 16-31: how many entries of this partition the log dropped just
 * before this one (saturating): each partition may add at most
 * TN_HM_LOG_BURST entries a second, so that one partition's flood of
 * events cannot push the others' out of the ring.
 */
#define TN_HM_F_DROPPED_SHIFT 16
#define TN_HM_LOG_BURST 32
#define TN_HM_VCPU_NONE 0xffu

/* Watchdog periods a partition may arm (TN_HC_WATCHDOG_SET). */
#define TN_HM_WATCHDOG_MIN_US 1000u
#define TN_HM_WATCHDOG_MAX_US 60000000u

/*
 * ---- The manager's PCI function (a Linux manager) ----
 * On bus 0 of the emulated host bridge, device TN_MGR_PCI_SLOT, with the
 * channels' IDs but its own subsystem device. BAR0: these registers
 * (32-bit accesses only). BAR2: the load window, TN_MGR_REG_LOAD_MAX
 * bytes of RAM no partition owns, mapped Normal non-cacheable, which the
 * manager fills with an image before TN_MGR_OP_LOAD. While a load is in
 * progress the window is not mapped: a write to it faults.
 */
#define TN_MGR_PCI_SLOT 31
#define TN_MGR_PCI_SUBDEVICE 0x544d /* "TM" */
#define TN_MGR_BAR0_SIZE 0x1000u
#define TN_MGR_MAGIC 0x474d4e54u /* "TNMG" */

#define TN_MGR_REG_MAGIC 0x000	     /* TN_MGR_MAGIC */
#define TN_MGR_REG_VERSION 0x004     /* TN_HM_ABI_VERSION */
#define TN_MGR_REG_SELF 0x008	     /* this partition's index */
#define TN_MGR_REG_NPARTITIONS 0x00c /* partitions in the system */
#define TN_MGR_REG_PERMITTED 0x010   /* 1: this partition is the manager */
#define TN_MGR_REG_FREQ 0x014	     /* the system counter's Hz */
/*
 * Write op | target << 8 (enum tn_mgr_op, a partition's index): the
 * command starts; RESULT says -EINPROGRESS until it is done, then 0 or a
 * negative errno (-EPERM not the manager, -EINVAL a bad op or index or
 * asking it of itself, -EBUSY another command or reset in progress,
 * -ENOEXEC a loaded image without an arm64 Image header or another
 * text offset, -EFBIG one larger than the partition can take, -EALREADY
 * nothing to do: start of a running partition, stop of a stopped one).
 */
#define TN_MGR_REG_CMD 0x020
#define TN_MGR_REG_RESULT 0x024	   /* int32 */
#define TN_MGR_REG_LOAD_SIZE 0x028 /* r/w: the image's bytes in BAR2 */
#define TN_MGR_REG_LOAD_MAX 0x02c  /* BAR2's size */
/*
 * The HM log: NEXT is the sequence number the next event will get (so
 * events NEXT - DEPTH .. NEXT - 1 may be read). Writing LOG_SELECT latches
 * the entry with that sequence number, or, when it was overwritten, the
 * oldest one kept, into the ENTRY registers; ENTRY_SEQ tells which, and
 * is all-ones if nothing has that number yet.
 */
#define TN_MGR_REG_LOG_NEXT_LO 0x030
#define TN_MGR_REG_LOG_NEXT_HI 0x034
#define TN_MGR_REG_LOG_DEPTH 0x038
#define TN_MGR_REG_LOG_SELECT_LO 0x040 /* write LO, then HI: HI latches */
#define TN_MGR_REG_LOG_SELECT_HI 0x044
#define TN_MGR_REG_ENTRY 0x080 /* struct tn_hm_entry, 32 bytes */
/*
 * Partition PART_SELECT (write its index) as it is now: name, state
 * (enum tn_part_state), kind (enum tn_cfg_kind), vCPUs, their physical
 * CPUs as a mask, restarts, faults, RAM in KiB, the watchdog's period in
 * us (0: not armed), the image's bytes (as loaded), HM events logged.
 */
#define TN_MGR_REG_PART_SELECT 0x100
#define TN_MGR_REG_PART_NAME 0x110 /* 16 bytes, NUL-padded */
#define TN_MGR_REG_PART_STATE 0x120
#define TN_MGR_REG_PART_KIND 0x124
#define TN_MGR_REG_PART_NCPUS 0x128
#define TN_MGR_REG_PART_CPUS 0x12c
#define TN_MGR_REG_PART_RESTARTS 0x130
#define TN_MGR_REG_PART_FAULTS 0x134
#define TN_MGR_REG_PART_RAM_KIB 0x138
#define TN_MGR_REG_PART_WATCHDOG_US 0x13c
#define TN_MGR_REG_PART_IMAGE_SIZE 0x140
#define TN_MGR_REG_PART_EVENTS 0x144
#define TN_MGR_REG_PART_IMAGE_MAX 0x148 /* the most a load may bring */

/*
 * What a table that does not name an event does about it, by partition
 * kind (enum tn_cfg_kind: 1 the real-time core, 2 Linux). Faults go to
 * the partition's own handler, as they would on bare metal; what leaves a
 * partition unable to go on restarts it; a power-off stops it. One table,
 * for the compiler (which prints it), the hypervisor and the tools.
 */
static inline enum tn_hm_action tn_hm_default_action(unsigned int event,
						     unsigned int kind)
{
	(void)kind; /* the same for both kinds today */
	switch (event) {
	case TN_HM_EV_MEM_FAULT:
	case TN_HM_EV_TRAP:
		return TN_HM_ACT_NOTIFY;
	case TN_HM_EV_DEADLINE:
		return TN_HM_ACT_LOG;
	case TN_HM_EV_STOP_FAILED:
	case TN_HM_EV_POWER_OFF:
		return TN_HM_ACT_STOP;
	case TN_HM_EV_MANAGER:
		return TN_HM_ACT_LOG;
	default:
		return TN_HM_ACT_COLD_RESTART;
	}
}

/*
 * The names the system description and the tools use; NULL if none.
 * Switches, not tables: C++ has no designated array initialisers.
 */
static inline const char *tn_hm_event_name(unsigned int event)
{
	switch (event) {
	case TN_HM_EV_MEM_FAULT:
		return "mem-fault";
	case TN_HM_EV_TRAP:
		return "trap";
	case TN_HM_EV_FATAL:
		return "fatal";
	case TN_HM_EV_WATCHDOG:
		return "watchdog";
	case TN_HM_EV_STOP_FAILED:
		return "stop-failed";
	case TN_HM_EV_DEADLINE:
		return "deadline";
	case TN_HM_EV_STACK:
		return "stack-overflow";
	case TN_HM_EV_EXCEPTION:
		return "exception";
	case TN_HM_EV_RESET:
		return "reset";
	case TN_HM_EV_POWER_OFF:
		return "power-off";
	case TN_HM_EV_MANAGER:
		return "manager";
	case TN_HM_EV_ASYNC_ABORT:
		return "async-abort";
	default:
		return 0;
	}
}

static inline const char *tn_hm_action_name(unsigned int action)
{
	switch (action) {
	case TN_HM_ACT_DEFAULT:
		return "default";
	case TN_HM_ACT_IGNORE:
		return "ignore";
	case TN_HM_ACT_LOG:
		return "log";
	case TN_HM_ACT_NOTIFY:
		return "notify";
	case TN_HM_ACT_STOP:
		return "stop";
	case TN_HM_ACT_COLD_RESTART:
		return "cold-restart";
	case TN_HM_ACT_WARM_RESTART:
		return "warm-restart";
	case TN_HM_ACT_MACHINE_RESET:
		return "machine-reset";
	default:
		return 0;
	}
}

#endif
