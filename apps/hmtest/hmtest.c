/*
 * hmtest: the real-time core's side of the health monitor, for the
 * system tests. A periodic thread (1 ms) prints, at its first wake-up,
 * the partition's incarnation and the time on the system counter:
 *
 *   hmtest: incarnation N first wake-up at T ns
 *
 * then, D ms later (-t), does what the options say: a fault (-f), a
 * runaway thread against the watchdog (-w with -s), missed deadlines
 * (-d). The tests compare the hypervisor's HM log time of the event with
 * the next incarnation's first wake-up.
 *
 * Times are tn_clock_read(): CNTVCT_EL0 in ns. The hypervisor keeps
 * CNTVOFF_EL2 at 0 for every partition (hyp/arch/aarch64/el2.c), so this
 * is the system counter the HM log's time_ns counts too.
 *
 * Options:
 *   -t MS      when to act, in ms after the first wake-up (default 100)
 *   -f KIND    access (a load nothing is mapped at), undefined (an
 *              undefined instruction), overflow (a thread's stack into
 *              its guard page), fatal (tn_health_fatal(0x4854))
 *   -w MS      arm the watchdog, that period, kicked by a thread at
 *              priority 2
 *   -s         at -t, a thread at priority 99 spins for ever on the
 *              kicker's CPU: the watchdog expires
 *   -M         with -s, the spinner first masks every interrupt it
 *              can: DAIF, and the priority mask closed; only the
 *              hypervisor's own interrupts can still end it
 *   -A         with -s, with direct delivery, the spinner also sets every
 *              group 1 active priority (ICC_AP1R0_EL1, a write the GIC
 *              architecture makes UNPREDICTABLE): not even those come
 *   -d         at -t, -n jobs (default 20) of 1.5 periods each, under
 *              TN_DEADLINE_NOTIFY | TN_DEADLINE_ESCALATE
 *   -n N       jobs for -d
 *   -r S       every S seconds: "hmtest: N periods, M missed" (the soak
 *              of the system tests and make bench-health)
 *
 * It also says which incarnation first wrote its initialised data
 * (`hmtest: data written by incarnation K`): its own after a cold restart
 * (the image put back), an earlier one after a warm restart (RAM kept).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tenon/hm.h>
#include <tenon/tenon.h>

#define PERIOD TN_MSEC(1)
#define KICK_PRIORITY 2
#define PERIODIC_PRIORITY 50
#define FATAL_CODE 0x4854 /* "HT" */

static struct {
	long at_ms;
	const char *fault;
	long watchdog_ms;
	bool spin;
	bool mask_all;
	bool active_all;
	bool deadlines;
	long jobs;
	long report_s;
} opt = {.at_ms = 100, .jobs = 20};

static struct tn_thread periodic, deep, spinner;
/* Initialised data: only a cold restart puts it back as it was built. */
static volatile uint64_t written_in = ~0ull;
/*
 * Until the watchdog's expiry is notified (a table with watchdog =
 * "notify"): then the handler stops it, as an application would stop its
 * runaway thread, and what was printed meanwhile can be written out.
 */
static volatile bool stop_spinning;
static volatile int depth;

static void on_health(enum tn_health_event event, struct tn_thread *t,
		      const void *object)
{
	const struct tn_health_info *info = object;

	if (event == TN_HEALTH_WATCHDOG)
		stop_spinning = true;

	if (event < TN_HEALTH_DEADLINE_MISS) {
		printf("hmtest: health event '%s' in thread '%s'\n",
		       tn_health_event_name(event), t ? tn_thread_name(t) : "");
		return;
	}
	printf("hmtest: health event '%s' thread '%s' detail %#llx "
	       "action %d at %lld ns\n",
	       tn_health_event_name(event), t ? tn_thread_name(t) : "-",
	       (unsigned long long)info->detail, info->action,
	       (long long)tn_clock_read());
}

static int recurse(int n)
{
	volatile char frame[512];

	frame[0] = (char)n;
	depth = n;
	if (n > 1000000) /* far past any stack: never reached */
		return 0;
	return recurse(n + 1) + frame[0];
}

static void *overflow(void *arg)
{
	(void)arg;
	return (void *)(long)recurse(0);
}

static void *spin_for_ever(void *arg)
{
	(void)arg;
	if (opt.mask_all) {
		__asm__ volatile("msr daifset, #0xf\n\t"
				 "msr S3_0_C4_C6_0, xzr\n\t" /* ICC_PMR_EL1 */
				 "isb" ::
				     : "memory");
	}
	if (opt.active_all)
		__asm__ volatile("msr S3_0_C12_C9_0, %0\n\t" /* ICC_AP1R0_EL1 */
				 "isb" ::"r"(~0ul)
				 : "memory");
	while (!stop_spinning)
		__asm__ volatile("" ::: "memory");
	return NULL;
}

static void start(struct tn_thread *t, const char *name, int prio, size_t stack,
		  void *(*fn)(void *))
{
	struct tn_thread_attr attr;
	int ret;

	tn_thread_attr_init(&attr);
	attr.name = name;
	attr.sched.priority = prio;
	attr.stack_size = stack;
	ret = tn_thread_create(t, &attr, fn, NULL);
	if (ret)
		printf("hmtest: cannot start '%s' (%d)\n", name, ret);
}

static void fault(void)
{
	const char *kind = opt.fault;
	int ret;

	printf("hmtest: fault %s at %lld ns\n", kind,
	       (long long)tn_clock_read());
	tn_log_flush();
	if (!strcmp(kind, "access")) {
		/* Past the 4 GiB the core maps: a translation fault at EL1. */
		printf("%d\n", *(volatile int *)0x8000000000ul);
	} else if (!strcmp(kind, "undefined")) {
		__asm__ volatile(".word 0x00000000");
	} else if (!strcmp(kind, "overflow")) {
		void *ret_deep = NULL;

		start(&deep, "deep", PERIODIC_PRIORITY + 1, TN_STACK_SIZE_MIN,
		      overflow);
		tn_thread_join(&deep, &ret_deep);
		printf("hmtest: thread 'deep' %s\n",
		       ret_deep == TN_THREAD_FAULTED ? "ended by its fault"
						     : "returned");
		return;
	} else if (!strcmp(kind, "fatal")) {
		ret = tn_health_fatal(FATAL_CODE);
		printf("hmtest: tn_health_fatal returned %d (%s)\n", ret,
		       ret >= 0 && tn_hm_action_name((unsigned int)ret)
			   ? tn_hm_action_name((unsigned int)ret)
			   : "error");
		return;
	}
	printf("hmtest: the %s fault did not fault\n", kind);
}

static void miss_deadlines(void)
{
	uint64_t over, total = 0;
	int ret = 0, timeouts = 0;

	printf("hmtest: missing deadlines from %lld ns\n",
	       (long long)tn_clock_read());
	tn_thread_set_deadline_policy(
	    tn_thread_self(), TN_DEADLINE_NOTIFY | TN_DEADLINE_ESCALATE);
	for (long i = 0; i < opt.jobs; i++) {
		tn_spin(PERIOD + PERIOD / 2);
		ret = tn_thread_wait_period(&over);
		total += over;
		timeouts += ret == -ETIMEDOUT;
	}
	/* On time from here: what a loaded host makes late is only counted. */
	tn_thread_set_deadline_policy(tn_thread_self(), 0);
	printf("hmtest: %llu deadlines missed, %d late waits timed out\n",
	       (unsigned long long)total, timeouts);
}

static void *periodic_body(void *arg)
{
	struct tn_partition_info info;
	uint64_t incarnation = 1;
	tn_time_t first;
	long n = 0, report = 0;
	uint64_t missed = 0, overruns;

	(void)arg;
	if (!tn_partition_info(&info))
		incarnation = info.restarts + 1;
	/* The first release at once: the incarnation's first job runs now. */
	tn_thread_set_periodic(tn_clock_read(), PERIOD);
	tn_thread_wait_period(NULL);
	first = tn_clock_read();
	printf("hmtest: incarnation %llu first wake-up at %lld ns\n",
	       (unsigned long long)incarnation, (long long)first);
	if (written_in == ~0ull)
		written_in = incarnation;
	printf("hmtest: data written by incarnation %llu\n",
	       (unsigned long long)written_in);
	for (;;) {
		overruns = 0;
		tn_thread_wait_period(&overruns);
		missed += overruns;
		if (opt.report_s && ++report == opt.report_s * 1000) {
			report = 0;
			printf("hmtest: %ld periods, %llu missed\n", n + 1,
			       (unsigned long long)missed);
		}
		if (++n != opt.at_ms)
			continue;
		if (opt.fault)
			fault();
		if (opt.spin) {
			printf("hmtest: spinning at priority %d from %lld ns\n",
			       TN_PRIO_MAX, (long long)tn_clock_read());
			tn_log_flush();
			start(&spinner, "spinner", TN_PRIO_MAX, 0,
			      spin_for_ever);
		}
		if (opt.deadlines)
			miss_deadlines();
	}
	return NULL;
}

static long number(const char *text, long min, long max, char flag)
{
	char *end;
	long v = strtol(text, &end, 10);

	if (!*text || *end || v < min || v > max) {
		printf("hmtest: -%c %s: not a number from %ld to %ld\n", flag,
		       text, min, max);
		exit(2);
	}
	return v;
}

static void usage(void)
{
	printf("usage: hmtest [-t MS] [-f access|undefined|overflow|fatal] "
	       "[-w MS [-s [-M] [-A]]] [-d [-n N]] [-r S]\n");
	exit(2);
}

int tn_main(int argc, char *argv[])
{
	void *ret = NULL;
	int c, err;

	while ((c = getopt(argc, argv, "t:f:w:sMAdn:r:")) != -1) {
		switch (c) {
		case 't':
			opt.at_ms = number(optarg, 1, 3600000, 't');
			break;
		case 'f':
			opt.fault = optarg;
			if (strcmp(optarg, "access") &&
			    strcmp(optarg, "undefined") &&
			    strcmp(optarg, "overflow") &&
			    strcmp(optarg, "fatal")) {
				printf("hmtest: -f %s: not a fault this "
				       "knows\n",
				       optarg);
				usage();
			}
			break;
		case 'w':
			opt.watchdog_ms =
			    number(optarg, TN_HM_WATCHDOG_MIN_US / 1000,
				   TN_HM_WATCHDOG_MAX_US / 1000, 'w');
			break;
		case 's':
			opt.spin = true;
			break;
		case 'M':
			opt.mask_all = true;
			break;
		case 'A':
			opt.active_all = true;
			break;
		case 'd':
			opt.deadlines = true;
			break;
		case 'n':
			opt.jobs = number(optarg, 1, 1000000, 'n');
			break;
		case 'r':
			opt.report_s = number(optarg, 1, 3600, 'r');
			break;
		default:
			usage();
		}
	}
	if (optind < argc)
		usage();
	tn_health_set_handler(on_health);
	if (opt.watchdog_ms) {
		err =
		    tn_watchdog_start(TN_MSEC(opt.watchdog_ms), KICK_PRIORITY);
		if (err)
			printf("hmtest: watchdog not armed (%d)\n", err);
		else
			printf("hmtest: watchdog armed, period %ld ms\n",
			       opt.watchdog_ms);
	}
	start(&periodic, "periodic", PERIODIC_PRIORITY, 0, periodic_body);
	tn_thread_join(&periodic, &ret);
	printf("hmtest: thread 'periodic' %s\n",
	       ret == TN_THREAD_FAULTED ? "ended by its fault" : "returned");
	/* The partition stays up: what comes next is the monitor's call. */
	tn_sleep_until(TN_INFINITE);
	return 0;
}
