/*
 * The health monitor's part of the description (tenon/hm.h): each
 * partition's table, its optional `health` node, one property per event
 * naming the action, and restart-limit; the manager partition (the one
 * with `manager;`, else the first Linux one); every Linux partition's
 * manager PCI function, and the load window, the RAM given to nobody that
 * the manager fills with an image for another partition. What an action
 * can do depends on the partition: a table is refused what the
 * hypervisor could not carry out, rather than failing when it happens.
 */
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "tenon-config.h"
#include "tenon/hm.h"

#define RESTART_WINDOW_MAX_MS 3600000u

/*
 * Whether `notify` can reach the partition's own handler for the event.
 * Linux has a handler only for what the CPU raises (the fault is injected
 * as the CPU would raise it); the real-time core has one for everything it
 * can go on after: not a failed stop, nor a reset or power-off it asked
 * for itself.
 */
static bool notify_delivered(enum tn_cfg_kind kind, unsigned event)
{
	if (kind == TN_CFG_KIND_LINUX)
		return event == TN_HM_EV_MEM_FAULT || event == TN_HM_EV_TRAP ||
		       event == TN_HM_EV_ASYNC_ABORT;
	return event != TN_HM_EV_STOP_FAILED && event != TN_HM_EV_RESET &&
	       event != TN_HM_EV_POWER_OFF;
}

unsigned hm_action_of(const struct part *p, unsigned event)
{
	return p->hm_actions[event] ? p->hm_actions[event]
				    : tn_hm_default_action(event, p->kind);
}

/* The event named s (one a table may name), or 0. */
static unsigned event_named(const char *s)
{
	for (unsigned e = 1; e < TN_HM_NR_EVENTS; e++)
		if (e != TN_HM_EV_MANAGER && tn_hm_event_name(e) &&
		    !strcmp(tn_hm_event_name(e), s))
			return e;
	return 0;
}

static unsigned action_named(const char *s)
{
	for (unsigned a = 1; a < TN_HM_NR_ACTIONS; a++)
		if (!strcmp(tn_hm_action_name(a), s))
			return a;
	return 0;
}

/* "mem-fault, trap, ...": the events a table may name. */
static const char *event_list(char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned e = 1; e < TN_HM_NR_EVENTS && len < size; e++)
		if (e != TN_HM_EV_MANAGER && tn_hm_event_name(e))
			len += snprintf(buf + len, size - len, "%s%s",
					len ? ", " : "", tn_hm_event_name(e));
	return buf;
}

static const char *action_list(char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned a = 1; a < TN_HM_NR_ACTIONS && len < size; a++)
		len += snprintf(buf + len, size - len, "%s%s", len ? ", " : "",
				tn_hm_action_name(a));
	return buf;
}

static void read_restart_limit(const struct sys *sys, const char *path,
			       struct part *p, const void *val, int len)
{
	uint32_t n, ms;
	char got[80];

	if (len != 8) {
		cfg_error(sys, path,
			  "restart-limit must be two cells, <RESTARTS "
			  "WINDOW_MS>, e.g. restart-limit = <3 60000>; (got "
			  "%s)",
			  describe(val, len, got, sizeof(got)));
		return;
	}
	n = fdt32_ld((const fdt32_t *)val);
	ms = fdt32_ld((const fdt32_t *)val + 1);
	if (n < 1)
		cfg_error(sys, path,
			  "restart-limit <%u %u>: the restarts must be at "
			  "least 1 (no limit: remove the property)",
			  n, ms);
	else if (ms < 1 || ms > RESTART_WINDOW_MAX_MS)
		cfg_error(sys, path,
			  "restart-limit <%u %u>: the window must be 1 to "
			  "%u ms",
			  n, ms, RESTART_WINDOW_MAX_MS);
	else
		p->restart_max = n, p->restart_window_ms = ms;
}

/* One event's property: its action, checked against what p can do. */
static void read_event(const struct sys *sys, const char *path, struct part *p,
		       const char *name, const char *val, int len)
{
	unsigned event = event_named(name), action;
	char buf[160];

	if (!is_strings(val, len) || strlen(val) + 1 != (size_t)len) {
		cfg_error(sys, path,
			  "%s must be one string, an action, e.g. %s = "
			  "\"cold-restart\"; (got %s)",
			  name, name, describe(val, len, buf, sizeof(buf)));
		return;
	}
	action = action_named(val);
	if (!action) {
		cfg_error(sys, path, "%s = \"%s\": unknown action (known: %s)",
			  name, val, action_list(buf, sizeof(buf)));
		return;
	}
	if (event == TN_HM_EV_STOP_FAILED && action != TN_HM_ACT_LOG &&
	    action != TN_HM_ACT_STOP && action != TN_HM_ACT_MACHINE_RESET) {
		cfg_error(sys, path,
			  "stop-failed = \"%s\": a partition whose vCPUs did "
			  "not stop can be neither restarted nor notified; "
			  "give \"log\", \"stop\" or \"machine-reset\"",
			  val);
		return;
	}
	if (action == TN_HM_ACT_NOTIFY && !notify_delivered(p->kind, event)) {
		cfg_error(sys, path,
			  "%s = \"notify\": %s partition has no handler "
			  "to take it (%s); give another action",
			  name,
			  p->kind == TN_CFG_KIND_LINUX ? "a Linux"
						       : "a real-time",
			  p->kind == TN_CFG_KIND_LINUX
			      ? "Linux is notified only of mem-fault, trap "
				"and async-abort"
			      : "the real-time core is not notified of "
				"stop-failed, reset or power-off");
		return;
	}
	p->hm_actions[event] = (uint8_t)action;
}

void cfg_read_health(const struct sys *sys, const void *fdt, int off,
		     struct part *p)
{
	char buf[200], *path;
	const void *val;
	int len, node, prop, sub;

	val = fdt_getprop(fdt, off, "manager", &len);
	if (val && len)
		cfg_error(sys, p->path,
			  "manager takes no value (got %s); write 'manager;' "
			  "to make this partition the manager, or remove it",
			  describe(val, len, buf, sizeof(buf)));
	p->manager = val != NULL;

	node = fdt_subnode_offset(fdt, off, "health");
	if (node < 0)
		return;
	path = xasprintf("%s/health", p->path);
	fdt_for_each_property_offset(prop, fdt, node)
	{
		const char *name;

		val = fdt_getprop_by_offset(fdt, prop, &name, &len);
		if (!val)
			continue;
		if (!strcmp(name, "restart-limit"))
			read_restart_limit(sys, path, p, val, len);
		else if (!strcmp(name, tn_hm_event_name(TN_HM_EV_MANAGER)))
			cfg_error(sys, path,
				  "manager is not an event a table names: "
				  "what the manager does to a partition is "
				  "always logged; remove it");
		else if (event_named(name))
			read_event(sys, path, p, name, val, len);
		else
			cfg_error(sys, path,
				  "unknown property '%s' (known: %s, "
				  "restart-limit)",
				  name, event_list(buf, sizeof(buf)));
	}
	fdt_for_each_subnode(sub, fdt, node)
	    cfg_error(sys, path, "unknown node '%s' (health has no nodes)",
		      fdt_get_name(fdt, sub, NULL));
	free(path);
}

void cfg_pick_manager(struct sys *sys)
{
	const struct part *first = NULL;

	sys->manager = TN_CFG_NO_MANAGER;
	for (unsigned i = 0; i < sys->nparts; i++) {
		const struct part *p = &sys->parts[i];

		if (!p->manager)
			continue;
		if (first)
			cfg_error(sys, p->path,
				  "manager is given here and in %s; one "
				  "partition is the manager, remove one",
				  first->path);
		else
			first = p, sys->manager = i;
	}
	if (first)
		return;
	for (unsigned i = 0; i < sys->nparts; i++)
		if (sys->parts[i].kind == TN_CFG_KIND_LINUX) {
			sys->manager = i;
			return;
		}
}

void cfg_place_manager(struct sys *sys)
{
	for (unsigned i = 0; i < sys->nparts; i++) {
		struct part *p = &sys->parts[i];

		/*
		 * Up to what is loaded above the image: a loaded image may
		 * take, running, what this one's blocks and the gap leave.
		 */
		p->image_room =
		    (p->initrd ? p->initrd_off : p->dtb_off) - p->image_off;
		/* At its slot's place in the window: past any channel's. */
		if (p->kind == TN_CFG_KIND_LINUX)
			p->mgr_bar0_ipa =
			    plat.pci_bar0_base +
			    (uint64_t)TN_MGR_PCI_SLOT * plat.pci_bar0_stride;
	}
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

void cfg_place_load_window(struct sys *sys)
{
	uint64_t size = PART_ALIGN, want = 0, ipa = plat.chan_ipa_base;
	uint64_t at = sys->ram_base, piece = 0;
	const char *path;
	char s1[32], s2[48];

	/*
	 * The window is BAR2 of a Linux manager's function; a real-time
	 * manager has none (its hypercalls load nothing), and a manager
	 * alone has nothing to load.
	 */
	if (sys->manager == TN_CFG_NO_MANAGER || sys->nparts < 2 ||
	    sys->parts[sys->manager].kind != TN_CFG_KIND_LINUX)
		return;
	path = sys->parts[sys->manager].path;
	for (unsigned i = 0; i < sys->nparts; i++)
		if (i != sys->manager &&
		    sys->parts[i].copies[COPY_IMAGE].size > want)
			want = sys->parts[i].copies[COPY_IMAGE].size;
	while (size < want)
		size <<= 1;

	/* Above the channels' regions, aligned to its size: a BAR is. */
	for (unsigned i = 0; i < sys->nchans; i++)
		if (sys->chans[i].ipa + sys->chans[i].size > ipa)
			ipa = sys->chans[i].ipa + sys->chans[i].size;
	ipa = align_up(ipa, size);
	if (ipa + size > plat.chan_ipa_base + plat.chan_ipa_size) {
		cfg_error(sys, path,
			  "the manager's load window (%s, the largest "
			  "image of another partition) does not fit in the "
			  "channels' window %s after their regions; make the "
			  "channels or the images smaller",
			  fmt_size(s1, sizeof(s1), size),
			  fmt_range(s2, sizeof(s2), plat.chan_ipa_base,
				    plat.chan_ipa_size));
		return;
	}

	/* First fit, in 2 MiB blocks: the hypervisor maps it in blocks. */
	for (;;) {
		uint64_t start;

		at = cfg_free_ram(sys, at, &piece);
		if (!piece)
			break;
		start = align_up(at, PART_ALIGN);
		if (start - at < piece && piece - (start - at) >= size) {
			at = start;
			break;
		}
		at += piece;
	}
	if (!piece) {
		cfg_error(sys, path,
			  "no room for the manager's load window (%s, the "
			  "largest image of another partition) in RAM that "
			  "no partition, nor the hypervisor, has; give the "
			  "machine more RAM in / memory, or leave RAM "
			  "unassigned",
			  fmt_size(s1, sizeof(s1), size));
		return;
	}
	sys->load_pa = at;
	sys->load_ipa = ipa;
	sys->load_size = size;
}
