/*
 * The health monitor: each event that happens to a partition is decided
 * by the partition's table (the system description's `health` node, with
 * the defaults of tenon/hm.h), written to the HM log, and acted on. Also
 * each partition's watchdog, the requests of the manager partition and
 * the HM hypercalls. docs/health.md describes it for users.
 *
 * Where things run. An event found in an exit of a partition's vCPU (a
 * fault, a trap, a hypercall, a PSCI call) is acted on there, on that
 * CPU. An event found elsewhere (a watchdog expiry, a manager's request)
 * is left for the partition's vCPU 0, which serves it at its next exit
 * (hm_service), so that a partition's restart always runs on one of its
 * own CPUs and costs the others nothing: the manager's CPU only asks.
 */
#include <errno.h>

#include "hyp.h"
#include "core/hm.h"
#include "tenon/hypercall.h"

/* The HM log: a ring, the newest entries kept. */
static struct tn_hm_entry ring[TN_HM_LOG_DEPTH];
static uint64_t ring_next;
static struct spinlock ring_lock;

void hm_reset_partition(struct partition *p)
{
	struct hm_part *h = &p->hm;

	h->wd_period = 0;
	h->wd_deadline = 0;
	h->wd_expired = false;
	h->pending_head = 0;
	h->pending_count = 0;
}

static uint64_t now_ns(void)
{
	uint64_t t = arch_counter(), f = arch_counter_freq();

	/* In two parts: t * 10^9 would overflow after minutes. */
	return t / f * 1000000000ull + t % f * 1000000000ull / f;
}

void hm_log(const struct partition *p, const struct vcpu *v,
	    enum tn_hm_event ev, uint64_t detail, enum tn_hm_action action,
	    uint32_t flags)
{
	struct hm_part *h = &partitions[p->index].hm;
	struct tn_hm_entry *e;
	uint64_t t = now_ns();

	spin_lock(&ring_lock);
	/* The manager's acts are always logged; a partition's own events
	 * at most TN_HM_LOG_BURST a second. */
	if (ev != TN_HM_EV_MANAGER) {
		if (!h->log_count || t - h->log_window > 1000000000ull) {
			h->log_window = t;
			h->log_count = 0;
		}
		if (h->log_count == TN_HM_LOG_BURST) {
			h->log_dropped++;
			h->events++;
			spin_unlock(&ring_lock);
			return;
		}
		h->log_count++;
	}
	if (h->log_dropped) {
		flags |= (h->log_dropped > 0xffff ? 0xffffu : h->log_dropped)
			 << TN_HM_F_DROPPED_SHIFT;
		h->log_dropped = 0;
	}
	h->events++;
	e = &ring[ring_next % TN_HM_LOG_DEPTH];
	e->seq = ring_next++;
	e->time_ns = t;
	e->detail = detail;
	e->partition = (uint8_t)p->index;
	e->vcpu = v ? (uint8_t)v->index : TN_HM_VCPU_NONE;
	e->event = (uint8_t)ev;
	e->action = (uint8_t)action;
	e->flags = flags;
	spin_unlock(&ring_lock);
}

bool hm_log_read(uint64_t seq, struct tn_hm_entry *out)
{
	bool there;

	spin_lock(&ring_lock);
	there = seq < ring_next;
	if (there) {
		if (ring_next - seq > TN_HM_LOG_DEPTH)
			seq = ring_next - TN_HM_LOG_DEPTH;
		*out = ring[seq % TN_HM_LOG_DEPTH];
	}
	spin_unlock(&ring_lock);
	return there;
}

uint64_t hm_log_next(void)
{
	uint64_t n;

	spin_lock(&ring_lock);
	n = ring_next;
	spin_unlock(&ring_lock);
	return n;
}

enum tn_hm_action hm_action_for(const struct partition *p, enum tn_hm_event ev)
{
	unsigned int a = ev < sizeof(p->cfg->hm_actions)
			     ? p->cfg->hm_actions[ev]
			     : TN_HM_ACT_DEFAULT;

	if (a == TN_HM_ACT_DEFAULT || a >= TN_HM_NR_ACTIONS)
		a = tn_hm_default_action(ev, p->cfg->kind);
	return (enum tn_hm_action)a;
}

static bool is_restart(enum tn_hm_action a)
{
	return a == TN_HM_ACT_COLD_RESTART || a == TN_HM_ACT_WARM_RESTART;
}

/* Whether one more restart stays within p's limit; counts it if so. */
static bool restart_allowed(struct partition *p)
{
	const struct tn_cfg_partition *c = p->cfg;
	struct hm_part *h = &p->hm;
	uint64_t now = arch_counter();
	uint64_t window = arch_counter_freq() / 1000 * c->restart_window_ms;

	if (!c->restart_max)
		return true;
	if (!h->window_restarts || now - h->window_start > window) {
		h->window_start = now;
		h->window_restarts = 0;
	}
	if (h->window_restarts >= c->restart_max)
		return false;
	h->window_restarts++;
	return true;
}

/* The first ten lines of a partition's events, then one in a thousand. */
static bool loud(struct partition *p)
{
	p->faults++;
	if (p->faults == 11)
		hyp_log("partition %s: more events: logging one in 1000 now",
			p->cfg->name);
	return p->faults <= 10 || p->faults % 1000 == 0;
}

/* What a partition's own handler is given, for the console. */
static const char *notified(enum tn_hm_event ev)
{
	switch (ev) {
	case TN_HM_EV_MEM_FAULT:
		return "abort injected";
	case TN_HM_EV_TRAP:
		return "undefined instruction injected";
	case TN_HM_EV_ASYNC_ABORT:
		return "SError injected";
	case TN_HM_EV_WATCHDOG:
		return "the partition is told (its HM interrupt)";
	default:
		return "left to the partition's own handler";
	}
}

static void act(struct partition *p, struct vcpu *v, enum tn_hm_action a,
		const char *why)
{
	/* No vCPU to blame (a watchdog): this CPU's, vCPU 0's (hm_service). */
	if (!v)
		v = this_vcpu();
	if (is_restart(a) && (!v || v->part != p)) {
		/* A restart runs on one of its own CPUs only. */
		a = TN_HM_ACT_STOP;
	}
	switch (a) {
	case TN_HM_ACT_STOP:
		partition_stop(p, why);
		break;
	case TN_HM_ACT_COLD_RESTART:
	case TN_HM_ACT_WARM_RESTART:
		partition_restart_as(
		    p, v, a == TN_HM_ACT_COLD_RESTART ? RESET_COLD : RESET_WARM,
		    0, why);
		break;
	case TN_HM_ACT_MACHINE_RESET:
		hyp_log("partition %s: %s: resetting the machine, as its "
			"table says",
			p->cfg->name, why);
		console_flush(false);
		psci_fw_system_reset();
	default:
		break;
	}
}

/* Takes action a for ev, flags said; `what` for the console. */
static enum tn_hm_action decide(struct partition *p, struct vcpu *v,
				enum tn_hm_event ev, uint64_t detail,
				const char *what, enum tn_hm_action a,
				uint32_t flags)
{
	char why[160];

	if (is_restart(a) && !p->cfg->copies[1].pa) {
		a = TN_HM_ACT_STOP; /* nothing to restart it from */
		flags |= TN_HM_F_FAILED;
	}
	if (is_restart(a) && !restart_allowed(p)) {
		a = TN_HM_ACT_STOP;
		flags |= TN_HM_F_LIMIT;
	}
	if (a == TN_HM_ACT_IGNORE)
		return a;
	hm_log(p, v, ev, detail, a, flags);
	if (a == TN_HM_ACT_LOG || a == TN_HM_ACT_NOTIFY) {
		if (loud(p))
			hyp_log("partition %s: %s; %s", p->cfg->name, what,
				a == TN_HM_ACT_NOTIFY ? notified(ev)
				: ev == TN_HM_EV_MEM_FAULT ||
					ev == TN_HM_EV_TRAP
				    ? "logged, the instruction skipped"
				    : "logged");
		return a;
	}
	hyp_snprintf(why, sizeof(why), "%s%s", what,
		     flags & TN_HM_F_LIMIT ? " (its restart limit is reached)"
					   : "");
	act(p, v, a, why);
	return a;
}

enum tn_hm_action hm_event(struct partition *p, struct vcpu *v,
			   enum tn_hm_event ev, uint64_t detail,
			   const char *what)
{
	return decide(p, v, ev, detail, what, hm_action_for(p, ev), 0);
}

void hm_undeliverable(struct partition *p, struct vcpu *v, enum tn_hm_event ev,
		      uint64_t detail, const char *what)
{
	enum tn_hm_action a = hm_action_for(p, TN_HM_EV_FATAL);

	/* Nothing in it can take it: ignoring it would loop. */
	if (a == TN_HM_ACT_IGNORE || a == TN_HM_ACT_LOG ||
	    a == TN_HM_ACT_NOTIFY)
		a = TN_HM_ACT_STOP;
	decide(p, v, ev, detail, what, a, TN_HM_F_FAILED);
}

/* ---- The watchdog ---- */

static int this_pcpu(void)
{
	return (int)(read_sysreg(mpidr_el1) & 0xff);
}

void hm_watchdog_check(void)
{
	uint64_t now = arch_counter(), next = 0;
	int cpu = this_pcpu();

	for (uint32_t i = 0; i < tn_sysconfig.npartitions; i++) {
		struct partition *p = &partitions[i];
		struct hm_part *h = &p->hm;
		uint64_t deadline;

		if (!p->vcpus[0] || p->vcpus[0]->pcpu != cpu ||
		    !__atomic_load_n(&h->wd_period, __ATOMIC_ACQUIRE))
			continue;
		deadline = __atomic_load_n(&h->wd_deadline, __ATOMIC_ACQUIRE);
		if (now >= deadline) {
			/* Acted on at vCPU 0's next exit, this one's. */
			h->wd_expired = true;
			continue;
		}
		if (!next || deadline < next)
			next = deadline;
	}
	hyptimer_set(HT_WATCHDOG, next);
}

static int64_t watchdog_set(struct vcpu *v, uint64_t us)
{
	struct partition *p = v->part;
	struct hm_part *h = &p->hm;
	uint64_t f = arch_counter_freq();

	if (us && (us < TN_HM_WATCHDOG_MIN_US || us > TN_HM_WATCHDOG_MAX_US))
		return -EINVAL;
	spin_lock(&p->lock);
	__atomic_store_n(&h->wd_period, 0, __ATOMIC_RELEASE);
	h->wd_expired = false;
	if (us) {
		uint64_t period = us / 1000000 * f + us % 1000000 * f / 1000000;

		__atomic_store_n(&h->wd_deadline, arch_counter() + period,
				 __ATOMIC_RELEASE);
		__atomic_store_n(&h->wd_period, period, __ATOMIC_RELEASE);
	}
	spin_unlock(&p->lock);
	/* vCPU 0's CPU watches it: it sets its timer. */
	if (p->vcpus[0]->pcpu == v->pcpu)
		hm_watchdog_check();
	else
		gic_kick(p->vcpus[0]->pcpu);
	return 0;
}

static int64_t watchdog_kick(struct vcpu *v)
{
	struct hm_part *h = &v->part->hm;
	uint64_t period = __atomic_load_n(&h->wd_period, __ATOMIC_ACQUIRE);

	if (!period)
		return -ENODEV;
	/* Later only: the timer, set for the old date, looks again then. */
	__atomic_store_n(&h->wd_deadline, arch_counter() + period,
			 __ATOMIC_RELEASE);
	return 0;
}

/* Under p->lock: an event for the partition's own handler, by interrupt. */
static void notify_by_irq(struct partition *p, enum tn_hm_event ev,
			  uint64_t detail)
{
	struct hm_part *h = &p->hm;
	uint32_t intid = tn_sysconfig.platform.hm_intid;

	if (h->pending_count < HM_PENDING_MAX) {
		uint32_t at =
		    (h->pending_head + h->pending_count) % HM_PENDING_MAX;

		h->pending[at].event = ev;
		h->pending[at].detail = detail;
		h->pending_count++;
	}
	if (intid >= 32 && intid < VGIC_NR_IRQS)
		vgic_raise_edge(p, intid);
}

/* ---- The manager's requests ---- */

static const char *const op_words[] = {
    [TN_MGR_OP_STOP] = "stop",
    [TN_MGR_OP_START] = "start",
    [TN_MGR_OP_RESTART] = "restart",
    [TN_MGR_OP_LOAD] = "load of a new image",
    [TN_MGR_OP_WARM_RESTART] = "warm restart",
};

static enum tn_hm_action op_action(uint32_t op)
{
	return op == TN_MGR_OP_STOP	      ? TN_HM_ACT_STOP
	       : op == TN_MGR_OP_WARM_RESTART ? TN_HM_ACT_WARM_RESTART
					      : TN_HM_ACT_COLD_RESTART;
}

int hm_request(struct partition *t, uint32_t op, uint32_t size, struct mgr *m,
	       uint32_t cmd)
{
	struct hm_part *h = &t->hm;
	int state;

	if (op < TN_MGR_OP_STOP || op > TN_MGR_OP_WARM_RESTART)
		return -EINVAL;
	if (op != TN_MGR_OP_STOP && !t->cfg->copies[1].pa)
		return -EOPNOTSUPP; /* no pristine image to start it from */
	spin_lock(&t->lock);
	state = t->state;
	if (h->req_op || state == PARTITION_RESETTING) {
		spin_unlock(&t->lock);
		return -EBUSY;
	}
	if (op == TN_MGR_OP_STOP) {
		spin_unlock(&t->lock);
		if (state != PARTITION_RUNNING)
			return -EALREADY;
		hm_log(t, NULL, TN_HM_EV_MANAGER, op, TN_HM_ACT_STOP, 0);
		partition_stop(t, "stopped by the manager");
		return 0;
	}
	if (op == TN_MGR_OP_START && state != PARTITION_OFF) {
		spin_unlock(&t->lock);
		return state == PARTITION_RUNNING ? -EALREADY : -EBUSY;
	}
	h->req_size = size;
	h->req_mgr = m;
	h->req_cmd = cmd;
	__atomic_store_n(&h->req_op, op, __ATOMIC_RELEASE);
	/*
	 * A CPU with direct delivery may hold the kick off: its next access
	 * brings it instead. Revoked under the lock, so that it is done
	 * before the request's reset can begin (that takes the lock), and
	 * the reset puts the memory back (halt_and_reset()).
	 */
	if (t->direct)
		stage2_revoke(t);
	spin_unlock(&t->lock);
	gic_kick(t->vcpus[0]->pcpu);
	return 1; /* queued: vCPU 0's CPU does it */
}

void hm_service(struct vcpu *v)
{
	struct partition *p = v->part;
	struct hm_part *h = &p->hm;
	uint32_t op, size, cmd;
	enum tn_hm_action a;
	struct mgr *m;
	int r = 0;
	char why[64];

	if (h->wd_expired) {
		char what[64];
		uint64_t us = h->wd_period * 1000000 / arch_counter_freq();

		h->wd_expired = false;
		hyp_snprintf(what, sizeof(what),
			     "its watchdog expired (period %lu us)",
			     (unsigned long)us);
		a = hm_event(p, NULL, TN_HM_EV_WATCHDOG, us, what);
		if (a == TN_HM_ACT_IGNORE || a == TN_HM_ACT_LOG ||
		    a == TN_HM_ACT_NOTIFY) {
			/* It runs on: watched again, a period from now. */
			spin_lock(&p->lock);
			if (a == TN_HM_ACT_NOTIFY)
				notify_by_irq(p, TN_HM_EV_WATCHDOG, us);
			if (h->wd_period)
				__atomic_store_n(&h->wd_deadline,
						 arch_counter() + h->wd_period,
						 __ATOMIC_RELEASE);
			spin_unlock(&p->lock);
			hm_watchdog_check();
		}
	}
	spin_lock(&p->lock);
	op = h->req_op;
	size = h->req_size;
	m = h->req_mgr;
	cmd = h->req_cmd;
	h->req_op = 0;
	spin_unlock(&p->lock);
	if (!op)
		return;
	hm_log(p, NULL, TN_HM_EV_MANAGER, op, op_action(op), 0);
	hyp_snprintf(why, sizeof(why), "the manager asked for a %s",
		     op_words[op]);
	switch (op) {
	case TN_MGR_OP_START:
		r = partition_start(p, v);
		break;
	case TN_MGR_OP_RESTART:
	case TN_MGR_OP_WARM_RESTART:
	case TN_MGR_OP_LOAD:
		if (!partition_restart_as(
			p, v,
			op == TN_MGR_OP_WARM_RESTART ? RESET_WARM : RESET_COLD,
			op == TN_MGR_OP_LOAD ? size : 0, why))
			r = -EBUSY;
		break;
	default:
		r = -EINVAL;
		break;
	}
	if (op == TN_MGR_OP_LOAD)
		mgr_load_window_release();
	if (m)
		mgr_done(m, cmd, r);
}

/* ---- Hypercalls ---- */

static uint32_t part_state(const struct partition *p)
{
	switch (__atomic_load_n(&p->state, __ATOMIC_ACQUIRE)) {
	case PARTITION_RUNNING:
		return TN_PART_RUNNING;
	case PARTITION_RESETTING:
		return TN_PART_RESETTING;
	case PARTITION_OFF:
		return TN_PART_OFF;
	default:
		return TN_PART_PARKED;
	}
}

uint32_t hm_part_state(const struct partition *p)
{
	return p->hm.req_op ? TN_PART_RESETTING : part_state(p);
}

static int64_t raise_event(struct vcpu *v, uint64_t ev, uint64_t detail)
{
	char what[80];

	if (ev != TN_HM_EV_FATAL && ev != TN_HM_EV_DEADLINE &&
	    ev != TN_HM_EV_STACK && ev != TN_HM_EV_EXCEPTION)
		return -EINVAL;
	hyp_snprintf(what, sizeof(what), "vCPU %d reports %s (detail %#lx)",
		     v->index, tn_hm_event_name((unsigned int)ev),
		     (unsigned long)detail);
	return hm_event(v->part, v, (enum tn_hm_event)ev, detail, what);
}

static int64_t pending(struct vcpu *v)
{
	struct partition *p = v->part;
	struct hm_part *h = &p->hm;
	int64_t ret = -ENOENT;

	spin_lock(&p->lock);
	if (h->pending_count) {
		v->x[1] = h->pending[h->pending_head].event;
		v->x[2] = h->pending[h->pending_head].detail;
		h->pending_head = (h->pending_head + 1) % HM_PENDING_MAX;
		h->pending_count--;
		ret = 0;
	}
	spin_unlock(&p->lock);
	return ret;
}

static bool is_manager(const struct partition *p)
{
	return tn_sysconfig.manager == (uint32_t)p->index;
}

static struct partition *target(uint64_t index)
{
	return index < tn_sysconfig.npartitions ? &partitions[index] : NULL;
}

static int64_t manager_call(struct vcpu *v, uint32_t fid)
{
	struct partition *t = target(v->x[1]);
	struct tn_hm_entry e;
	uint64_t op = v->x[2];
	int r;

	if (!is_manager(v->part))
		return -EPERM;
	switch (fid) {
	case TN_HC_PARTITION_CTL:
		if (!t || t == v->part || op == TN_MGR_OP_LOAD)
			return -EINVAL;
		r = hm_request(t, (uint32_t)op, 0, NULL, 0);
		return r > 0 ? 0 : r;
	case TN_HC_PARTITION_STATE:
		if (!t)
			return -EINVAL;
		v->x[1] = hm_part_state(t);
		v->x[2] = t->restarts;
		v->x[3] = t->hm.events;
		return 0;
	default: /* TN_HC_HM_LOG_READ */
		if (!hm_log_read(v->x[1], &e))
			return -ENOENT;
		v->x[1] = e.seq;
		v->x[2] = e.time_ns;
		v->x[3] = e.detail;
		v->x[4] = (uint64_t)e.partition | (uint64_t)e.vcpu << 8 |
			  (uint64_t)e.event << 16 | (uint64_t)e.action << 24 |
			  (uint64_t)e.flags << 32;
		return 0;
	}
}

bool hm_hypercall(struct vcpu *v, uint32_t fid, int64_t *ret)
{
	switch (fid) {
	case TN_HC_HM_RAISE:
		*ret = raise_event(v, v->x[1], v->x[2]);
		return true;
	case TN_HC_WATCHDOG_SET:
		*ret = watchdog_set(v, v->x[1]);
		return true;
	case TN_HC_WATCHDOG_KICK:
		*ret = watchdog_kick(v);
		return true;
	case TN_HC_HM_PENDING:
		*ret = pending(v);
		return true;
	case TN_HC_PARTITION_CTL:
	case TN_HC_PARTITION_STATE:
	case TN_HC_HM_LOG_READ:
		*ret = manager_call(v, fid);
		return true;
	default:
		return false;
	}
}
