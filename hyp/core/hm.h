/*
 * The health monitor (hm.c): what happens to a partition when something
 * goes wrong in it, as its table in the system description says; the HM
 * log; each partition's watchdog; and the manager's requests to stop,
 * start, restart or load another partition (manager.c is the Linux
 * manager's PCI function). docs/health.md describes it for users.
 *
 * Locks: the log's own lock is a leaf. hm_event() and hm_service() are
 * called without any lock held: the actions they take (stop, restart)
 * take the partition's lock themselves.
 */
#ifndef TENON_HYP_HM_H
#define TENON_HYP_HM_H

#include <stdbool.h>
#include <stdint.h>

#include "tenon/hm.h"

struct partition;
struct vcpu;
struct mgr;
struct pci_func;

#define HM_PENDING_MAX 8 /* notified events a partition has not taken */

/* Per partition. */
struct hm_part {
	/* The restart limit's window: its start and the restarts in it. */
	uint64_t window_start;
	uint32_t window_restarts;
	uint32_t events; /* happened (logged or dropped), for the manager */
	/* The log's rate limit: this second's start, entries, dropped. */
	uint64_t log_window;
	uint32_t log_count, log_dropped;
	/* Its watchdog, in counter ticks: 0 when not armed. */
	volatile uint64_t wd_period, wd_deadline;
	volatile bool wd_expired; /* noticed by vCPU 0's CPU, not yet acted */
	/*
	 * A manager's request, served by vCPU 0's CPU (hm_service): the op
	 * (enum tn_mgr_op, 0: none), the image's bytes for a load, the
	 * manager's function to tell the result (NULL: a hypercall) and the
	 * command's number there.
	 */
	volatile uint32_t req_op;
	uint32_t req_size;
	struct mgr *req_mgr;
	uint32_t req_cmd;
	/* Events notified by interrupt, not yet taken (TN_HC_HM_PENDING). */
	struct {
		uint32_t event;
		uint64_t detail;
	} pending[HM_PENDING_MAX];
	uint32_t pending_head, pending_count;
	uint64_t image_size; /* the last loaded image's bytes; 0: the
				system's own */
};

/* A partition is reset: its watchdog is disarmed, its notices dropped. */
void hm_reset_partition(struct partition *p);

/*
 * Event ev happened to p (on its vCPU v, or NULL): decides by p's table,
 * logs, and takes a stop, restart or machine reset itself (a restart only
 * on one of p's own CPUs: v must then be p's and this CPU's). The action
 * is returned for the caller to do the rest of ignore, log and notify (a
 * fault skipped or injected). `what` says, for the console, what happened.
 */
enum tn_hm_action hm_event(struct partition *p, struct vcpu *v,
			   enum tn_hm_event ev, uint64_t detail,
			   const char *what);
/*
 * A notify that could not be delivered (a fault in the partition's own
 * vector): the table's action for a fatal error is taken instead.
 */
void hm_undeliverable(struct partition *p, struct vcpu *v, enum tn_hm_event ev,
		      uint64_t detail, const char *what);
/* The action p's table gives for ev, defaults resolved. */
enum tn_hm_action hm_action_for(const struct partition *p, enum tn_hm_event ev);
/* Adds to the log; time now. */
void hm_log(const struct partition *p, const struct vcpu *v,
	    enum tn_hm_event ev, uint64_t detail, enum tn_hm_action action,
	    uint32_t flags);
/* The entry numbered seq, or the oldest kept; false if none has it yet. */
bool hm_log_read(uint64_t seq, struct tn_hm_entry *out);
uint64_t hm_log_next(void);

/*
 * A manager's request for partition t (enum tn_mgr_op). 0: queued or done
 * (a stop is done at once); else a negative errno (tenon/hm.h). For
 * TN_MGR_OP_LOAD the image is checked already (manager.c).
 */
int hm_request(struct partition *t, uint32_t op, uint32_t size, struct mgr *m,
	       uint32_t cmd);
/* Whether p has something for its vCPU 0 to serve; and serving it. */
static inline bool hm_due(const struct partition *p, const struct hm_part *h)
{
	(void)p;
	return h->req_op || h->wd_expired;
}
void hm_service(struct vcpu *v);
/* p's state as the manager sees it (enum tn_part_state). */
uint32_t hm_part_state(const struct partition *p);

/* Tenon's HM hypercalls (tenon/hypercall.h): true if fid was one. */
bool hm_hypercall(struct vcpu *v, uint32_t fid, int64_t *ret);

/* This CPU's watchdog timer fired, or it was kicked: look again. */
void hm_watchdog_check(void);

/* manager.c */
void mgr_init(void);
/* The outcome of a request the function made (its command `cmd`). */
void mgr_done(struct mgr *m, uint32_t cmd, int result);
/* A load is over (or given up): the window is the manager's again. */
void mgr_load_window_release(void);
/* The manager function on device `dev` of p's bus, for pci.c. */
struct mgr *mgr_pci_function(struct partition *p, uint32_t dev);
struct pci_func *mgr_pci_state(struct mgr *m);
struct spinlock *mgr_lock(struct mgr *m);

/* hyptimer.c: this CPU's EL2 timer, shared by its users. */
enum hyptimer_user { HT_CONSOLE, HT_WATCHDOG, HT_USERS };
/* Due at `when` (counter ticks; 0: not at all), for this CPU. */
void hyptimer_set(enum hyptimer_user u, uint64_t when);
/* As hyptimer_set, unless it is due earlier already. */
void hyptimer_set_earliest(enum hyptimer_user u, uint64_t when);
/* The timer's interrupt, on this CPU: the users due are called. */
void hyptimer_irq(void);

#endif
