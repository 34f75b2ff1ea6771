/*
 * tenon partition list | stop | start | restart | warm-restart | load, and
 * tenon hm: the partitions and the health monitor's log, through the
 * manager function (tenon-manager.h). Listing and the log work from any
 * Linux partition; the commands only from the manager (the hypervisor
 * says -EPERM to the others).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tenon-cmd.h"
#include "tenon-manager.h"
#include <tenon/sysconfig.h>

#define LOG_BATCH 64

static int usage_error(const char *cmd, const char *fmt, const char *arg)
{
	fprintf(stderr, "tenon %s: ", cmd);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (tenon %s -h shows its usage)\n", cmd);
	return 2;
}

static int fail(const char *cmd, int err)
{
	const char *why = tn_last_error();

	fprintf(stderr, "tenon %s: %s\n", cmd, *why ? why : strerror(-err));
	return 1;
}

static struct tn_manager *open_manager(const char *cmd)
{
	struct tn_manager_info mi;
	struct tn_manager *m;
	int err = tn_manager_open(&m);

	if (err) {
		fail(cmd, err);
		return NULL;
	}
	if (tn_manager_info(m, &mi) == 0 && !mi.permitted) {
		/* The hypervisor would say -EPERM to everything: say why. */
		fprintf(stderr,
			"tenon %s: this partition (%u) is not the manager: the "
			"system description gives that right to another "
			"partition\n",
			cmd, mi.self);
		tn_manager_close(m);
		return NULL;
	}
	return m;
}

static const char *kind_name(uint32_t kind)
{
	return kind == 1 ? "rtos" : kind == 2 ? "linux" : "?";
}

/* A CPU mask as "1-3" or "0,2". */
static const char *cpu_list(uint32_t mask, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = 0;
	for (int c = 0; c < 32 && len < size; c++) {
		int end = c;

		if (!(mask & 1u << c))
			continue;
		while (end + 1 < 32 && mask & 1u << (end + 1))
			end++;
		len += (size_t)snprintf(buf + len, size - len,
					end > c + 1 ? "%s%d-%d" : "%s%d",
					len ? "," : "", c, end);
		if (end == c + 1)
			len +=
			    (size_t)snprintf(buf + len, size - len, ",%d", end);
		c = end;
	}
	return len ? buf : "-";
}

static const char *watchdog(uint32_t us, char *buf, size_t size)
{
	if (!us)
		return "off";
	if (us % 1000)
		snprintf(buf, size, "%u us", us);
	else
		snprintf(buf, size, "%u ms", us / 1000);
	return buf;
}

static int partition_list(struct tn_manager *m)
{
	struct tn_manager_info mi;
	int status = 0;

	tn_manager_info(m, &mi);
	printf("%-5s %-15s %-5s %-9s %-7s %8s %6s %6s %8s %10s\n", "INDEX",
	       "NAME", "KIND", "STATE", "CPUS", "RESTARTS", "FAULTS", "EVENTS",
	       "WATCHDOG", "IMAGE");
	for (uint32_t i = 0; i < mi.npartitions; i++) {
		struct tn_partition_info p;
		char cpus[64], wd[32];
		int err = tn_manager_partition(m, i, &p);

		if (err) {
			printf("%-5u (%s)\n", i, tn_last_error());
			status = 1;
			continue;
		}
		printf("%-5u %-15s %-5s %-9s %-7s %8u %6u %6u %8s %10u%s\n", i,
		       p.name, kind_name(p.kind), tn_part_state_name(p.state),
		       cpu_list(p.cpus, cpus, sizeof(cpus)), p.restarts,
		       p.faults, p.events,
		       watchdog(p.watchdog_us, wd, sizeof(wd)), p.image_size,
		       i == mi.self ? "  (this one)" : "");
	}
	printf("this partition %s the manager\n",
	       mi.permitted ? "is" : "is not");
	return status;
}

static const struct {
	const char *name;
	uint32_t op;
} ops[] = {
    {"stop", TN_MGR_OP_STOP},
    {"start", TN_MGR_OP_START},
    {"restart", TN_MGR_OP_RESTART},
    {"warm-restart", TN_MGR_OP_WARM_RESTART},
};

static const char partition_usage[] =
    "usage: tenon partition list\n"
    "       tenon partition stop|start|restart|warm-restart NAME\n"
    "       tenon partition load NAME FILE\n"
    "Lists the partitions (index, name, kind, state, CPUs, restarts, "
    "faults,\nHM events, watchdog, image bytes), or, from the manager "
    "partition, stops,\nstarts, restarts (cold, or warm: its RAM kept) "
    "or loads a new arm64 Image\ninto one, NAME its name or index. "
    "-t MS: wait at most MS for the hypervisor.\n";

int tenon_cmd_partition(int argc, char **argv)
{
	int opt, timeout = TN_MANAGER_TIMEOUT_MS, target, err;
	struct tn_manager *m;
	const char *sub;
	uint32_t op = 0;
	char *end;

	optind = 1;
	while ((opt = getopt(argc, argv, "+ht:")) != -1) {
		switch (opt) {
		case 'h':
			fputs(partition_usage, stdout);
			return 0;
		case 't':
			timeout = (int)strtol(optarg, &end, 10);
			if (end == optarg || *end || timeout <= 0)
				return usage_error(
				    "partition",
				    "-t '%s': not a number of milliseconds",
				    optarg);
			break;
		default:
			return usage_error("partition", "bad option%s", "");
		}
	}
	if (optind >= argc)
		return usage_error("partition",
				   "needs list, stop, start, restart, "
				   "warm-restart or load%s",
				   "");
	sub = argv[optind++];
	if (!strcmp(sub, "list")) {
		if (optind < argc)
			return usage_error("partition",
					   "list: unexpected argument '%s'",
					   argv[optind]);
		m = open_manager("partition");
		if (!m)
			return 1;
		err = partition_list(m);
		tn_manager_close(m);
		return err;
	}
	if (!strcmp(sub, "load")) {
		if (argc - optind != 2)
			return usage_error("partition",
					   "load needs NAME and FILE%s", "");
		/* What can be told without the hypervisor, first. */
		err = tn_manager_check_image(argv[optind + 1], 0);
		if (err)
			return fail("partition load", err);
		op = TN_MGR_OP_LOAD;
	}
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]) && !op; i++)
		if (!strcmp(sub, ops[i].name))
			op = ops[i].op;
	if (!op)
		return usage_error("partition", "unknown subcommand '%s'", sub);
	if (op != TN_MGR_OP_LOAD && argc - optind != 1)
		return usage_error("partition", "%s needs NAME", sub);
	m = open_manager("partition");
	if (!m)
		return 1;
	target = tn_manager_find(m, argv[optind]);
	if (target < 0) {
		tn_manager_close(m);
		return fail("partition", target);
	}
	err = op == TN_MGR_OP_LOAD
		  ? tn_manager_load(m, (uint32_t)target, argv[optind + 1],
				    timeout)
		  : tn_manager_command(m, op, (uint32_t)target, timeout);
	tn_manager_close(m);
	if (err) {
		fprintf(stderr, "tenon partition %s %s: %s\n", sub,
			argv[optind],
			*tn_last_error() ? tn_last_error()
					 : tn_manager_strerror(err));
		return 1;
	}
	printf("%s: %s done\n", argv[optind], sub);
	return 0;
}

/* One log entry as a line. */
static void print_entry(const struct tn_hm_entry *e, char names[][TN_NAME_LEN],
			uint32_t nparts)
{
	const char *ev = tn_hm_event_name(e->event);
	const char *act = tn_hm_action_name(e->action);
	char vcpu[8], part[TN_NAME_LEN + 8], dropped[64] = "";
	uint32_t n = e->flags >> TN_HM_F_DROPPED_SHIFT;

	if (e->vcpu == TN_HM_VCPU_NONE)
		snprintf(vcpu, sizeof(vcpu), "-");
	else
		snprintf(vcpu, sizeof(vcpu), "%u", e->vcpu);
	if (e->partition < nparts && names[e->partition][0])
		snprintf(part, sizeof(part), "%s", names[e->partition]);
	else
		snprintf(part, sizeof(part), "#%u", e->partition);
	if (n)
		snprintf(dropped, sizeof(dropped),
			 " (%u%s earlier events of it not logged)", n,
			 n == 0xffff ? " or more" : "");
	printf("%6" PRIu64 " %6" PRIu64 ".%06" PRIu64 " %-15s %4s %-14s "
	       "0x%-16" PRIx64 " %s%s%s%s\n",
	       e->seq, e->time_ns / 1000000000, e->time_ns / 1000 % 1000000,
	       part, vcpu, ev ? ev : "?", e->detail, act ? act : "?",
	       e->flags & TN_HM_F_LIMIT ? " (restart limit reached)" : "",
	       e->flags & TN_HM_F_FAILED ? " (no handler: fatal action)" : "",
	       dropped);
}

static void sleep_100ms(void)
{
	struct timespec t = {0, 100000000};

	nanosleep(&t, NULL);
}

static const char hm_usage[] =
    "usage: tenon hm [-f] [-n N]\n"
    "Prints the health monitor's log: sequence number, time (s.us since "
    "the\nsystem counter started), partition, vCPU, event, detail, the "
    "action taken.\n-n N: the last N events only; -f: then follows it, "
    "saying when events\nwere lost (overwritten before they were read).\n";

int tenon_cmd_hm(int argc, char **argv)
{
	static struct tn_hm_entry batch[LOG_BATCH];
	char names[TN_CFG_MAX_PARTITIONS][TN_NAME_LEN];
	int opt, follow = 0, status = 0, n;
	uint64_t cursor = 0, lost = 0, next, last = UINT64_MAX;
	struct tn_manager_info mi;
	struct tn_manager *m;
	char *end;

	optind = 1;
	while ((opt = getopt(argc, argv, "+fhn:")) != -1) {
		switch (opt) {
		case 'h':
			fputs(hm_usage, stdout);
			return 0;
		case 'f':
			follow = 1;
			break;
		case 'n':
			last = strtoull(optarg, &end, 10);
			if (end == optarg || *end || optarg[0] == '-')
				return usage_error("hm",
						   "-n '%s': not a number of "
						   "events",
						   optarg);
			break;
		default:
			return usage_error("hm", "bad option%s", "");
		}
	}
	if (optind < argc)
		return usage_error("hm", "unexpected argument '%s'",
				   argv[optind]);
	m = open_manager("hm");
	if (!m)
		return 1;
	tn_manager_info(m, &mi);
	memset(names, 0, sizeof(names));
	for (uint32_t i = 0; i < mi.npartitions; i++) {
		struct tn_partition_info p;

		if (!tn_manager_partition(m, i, &p))
			memcpy(names[i], p.name, TN_NAME_LEN);
	}
	tn_manager_log_next(m, &next);
	/* What the log still keeps, or the last N of it: nothing lost. */
	cursor = next > mi.log_depth ? next - mi.log_depth : 0;
	if (last != UINT64_MAX && next - cursor > last)
		cursor = next - last;
	for (;;) {
		uint64_t before = lost;

		n = tn_manager_log_fetch(m, &cursor, batch, LOG_BATCH, &lost);
		if (n < 0) {
			status = fail("hm", n);
			break;
		}
		if (lost > before)
			printf("%" PRIu64 " events lost\n", lost - before);
		for (int i = 0; i < n; i++)
			print_entry(&batch[i], names, mi.npartitions);
		if (n == LOG_BATCH)
			continue;
		if (!follow)
			break;
		fflush(stdout);
		sleep_100ms();
	}
	tn_manager_close(m);
	return status;
}
