/*
 * latmus: measures timer latency the way EVL's latmus does in its
 * timer-responder (user) mode. A periodic thread, driven by a tn_timer,
 * reads the clock at each wake-up; its latency is how late it woke after
 * the ideal date of the expiry (the first expiry plus whole periods, so an
 * early wake-up gives a negative latency). Every second the main thread
 * prints one RTD line (min, avg, max over that second, overruns and mode
 * switches so far, best and worst over the run), at the end an RTS line
 * over the whole run and, with -H, a histogram.
 *
 * Options:
 *   -p PERIOD_US   sampling period, 10..1000000 us (default 1000)
 *   -P PRIORITY    SCHED_FIFO priority of the sampler, 1..99 (default 90)
 *   -c CPU         CPU the sampler runs on (default 0)
 *   -T SECONDS     duration, 1..86400, or 0: until stopped (default 10)
 *   -H             print a histogram of the latencies at the end
 *   -B BUCKET_NS   histogram bucket size, 1..1000000 ns (default 1000)
 *   -q             quiet: print the RTS summary (and histogram) only
 *   -h             this help
 *
 * Mode switches (msw) only exist on a dual-kernel system: always 0 here.
 * Exit status: 0 done, 1 the real-time core refused a call, 2 bad usage.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tenon/tenon.h>

#define HIST_BUCKETS 200
#define RING_SIZE 16	/* one-second batches the sampler may run ahead */
#define HEADER_EVERY 21 /* RTD lines between two headers, as latmus */

/* What the sampler measured over one second of ideal dates. */
struct batch {
	tn_time_t min, max, sum;
	long samples;
	uint64_t overruns; /* since the start */
	long second;	   /* ends at this many seconds into the run */
	bool last;
	int error; /* a failed tn_timer call, negative errno */
};

static struct {
	long period_us;
	int priority;
	int cpu;
	long duration_s;
	bool histogram;
	long bucket_ns;
	bool quiet;
} opt = {
    .period_us = 1000,
    .priority = 90,
    .cpu = 0,
    .duration_s = 10,
    .bucket_ns = 1000,
};

/* Sampler to main: batches in a ring, one semaphore unit per batch. */
static struct batch ring[RING_SIZE];
static struct tn_sem ready;

/* Filled by the sampler, read by main once it has joined it. */
static uint64_t hist[HIST_BUCKETS];
static uint64_t hist_below_zero;

static void usage(FILE *f)
{
	fprintf(f, "usage: latmus [-p PERIOD_US] [-P PRIORITY] [-c CPU] "
		   "[-T SECONDS] [-H] [-B BUCKET_NS] [-q] [-h]\n"
		   "  -p PERIOD_US   sampling period, 10..1000000 us "
		   "(default 1000)\n"
		   "  -P PRIORITY    SCHED_FIFO priority, 1..99 (default 90)\n"
		   "  -c CPU         CPU to sample on, 0..N-1 (default 0)\n"
		   "  -T SECONDS     duration, 1..86400, or 0: until stopped "
		   "(default 10)\n"
		   "  -H             print a latency histogram at the end\n"
		   "  -B BUCKET_NS   histogram bucket, 1..1000000 ns "
		   "(default 1000)\n"
		   "  -q             quiet: the summary only\n"
		   "  -h             this help\n");
}

/* A whole decimal number from min to max, nothing else around it. */
static bool parse_long(const char *text, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (end == text || *end || errno || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static int bad_value(int o, const char *value, const char *what)
{
	fprintf(stderr, "latmus: -%c %s: %s\n", o, value, what);
	usage(stderr);
	return 2;
}

/* 0 to go on, else the exit status (help or bad usage). */
static int parse_args(int argc, char *argv[])
{
	int o, ncpus = tn_cpu_count();
	long v;
	char what[64];

	while ((o = getopt(argc, argv, ":p:P:c:T:HB:qh")) != -1) {
		switch (o) {
		case 'p':
			if (!parse_long(optarg, 10, 1000000, &v))
				return bad_value(o, optarg,
						 "period must be 10 to 1000000 "
						 "microseconds");
			opt.period_us = v;
			break;
		case 'P':
			if (!parse_long(optarg, TN_PRIO_MIN, TN_PRIO_MAX, &v))
				return bad_value(o, optarg,
						 "priority must be 1 to 99");
			opt.priority = (int)v;
			break;
		case 'c':
			if (!parse_long(optarg, 0, ncpus - 1, &v)) {
				snprintf(what, sizeof(what),
					 "CPU must be 0 to %d", ncpus - 1);
				return bad_value(o, optarg, what);
			}
			opt.cpu = (int)v;
			break;
		case 'T':
			if (!parse_long(optarg, 0, 86400, &v))
				return bad_value(o, optarg,
						 "duration must be 1 to 86400 "
						 "seconds, or 0 for no end");
			opt.duration_s = v;
			break;
		case 'H':
			opt.histogram = true;
			break;
		case 'B':
			if (!parse_long(optarg, 1, 1000000, &v))
				return bad_value(o, optarg,
						 "bucket size must be 1 to "
						 "1000000 nanoseconds");
			opt.bucket_ns = v;
			break;
		case 'q':
			opt.quiet = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			fprintf(stderr, "latmus: -%c needs a value\n", optopt);
			usage(stderr);
			return 2;
		default:
			fprintf(stderr, "latmus: unknown option -%c\n", optopt);
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "latmus: unexpected argument '%s'\n",
			argv[optind]);
		usage(stderr);
		return 2;
	}
	return -1;
}

static void hist_add(tn_time_t lat)
{
	tn_time_t b;

	if (lat < 0) {
		hist_below_zero++;
		lat = 0;
	}
	b = lat / opt.bucket_ns;
	hist[b < HIST_BUCKETS ? b : HIST_BUCKETS - 1]++;
}

static void batch_reset(struct batch *b)
{
	b->min = INT64_MAX;
	b->max = INT64_MIN;
	b->sum = 0;
	b->samples = 0;
}

static void post(struct batch *b, unsigned long *seq)
{
	ring[*seq % RING_SIZE] = *b;
	(*seq)++;
	tn_sem_put(&ready);
}

/*
 * The sampler's clock read after each wake-up, in a function of its own so
 * that its address has a name: the latency plugin (tools/plugins/p0.c)
 * ends its count of the wake-up's instructions at this symbol.
 */
static __attribute__((noinline, noipa)) tn_time_t latmus_woken(void)
{
	return tn_clock_read();
}

/*
 * The periodic thread: wait for the next expiry, read the clock, account
 * the latency against the ideal date. Only this thread runs at its
 * priority; printing is main's job, below it.
 */
/* When the sampler first woke, on the machine's clock (for the logs). */
static tn_time_t first_wakeup;

static void *sampler(void *arg)
{
	const tn_time_t period = TN_USEC(opt.period_us);
	struct tn_timer timer;
	struct batch b = {0};
	unsigned long seq = 0;
	tn_time_t t0, ideal, boundary, end, lat;
	uint64_t ticks, overruns = 0;
	int ret;

	(void)arg;
	batch_reset(&b);
	/* The timer belongs to the CPU that initialises it: this one. */
	ret = tn_timer_init(&timer, NULL, NULL);
	if (ret)
		goto report;
	t0 = tn_clock_read();
	ideal = t0 + period;
	boundary = t0 + TN_SEC(1);
	end = opt.duration_s ? t0 + TN_SEC(opt.duration_s) : TN_INFINITE;
	ret = tn_timer_set(&timer, ideal, period);
	if (ret)
		goto fail;
	for (;;) {
		ret = tn_timer_wait(&timer, &ticks, TN_INFINITE);
		if (ret)
			goto fail;
		/* Late by whole periods: they are overruns, the phase stays. */
		if (ticks > 1) {
			overruns += ticks - 1;
			ideal += (tn_time_t)(ticks - 1) * period;
		}
		lat = latmus_woken() - ideal;
		if (!first_wakeup)
			first_wakeup = ideal + lat;
		if (lat < b.min)
			b.min = lat;
		if (lat > b.max)
			b.max = lat;
		b.sum += lat;
		b.samples++;
		hist_add(lat);
		ideal += period;
		/* The next sample belongs to a later second: report this one.
		 */
		if (ideal > boundary) {
			b.overruns = overruns;
			b.second = (long)((boundary - t0) / TN_SEC(1));
			b.last = ideal > end;
			post(&b, &seq);
			if (b.last)
				break;
			batch_reset(&b);
			while (boundary < ideal)
				boundary += TN_SEC(1);
			if (boundary > end)
				boundary = end;
		}
	}
	tn_timer_destroy(&timer);
	return NULL;
fail:
	tn_timer_destroy(&timer);
report:
	b.error = ret;
	b.last = true;
	post(&b, &seq);
	return NULL;
}

static double usec(tn_time_t ns)
{
	return (double)ns / 1000.0;
}

static void format_hms(char *buf, size_t size, long s)
{
	snprintf(buf, size, "%02ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
}

static void print_header(long second)
{
	char hms[32];

	format_hms(hms, sizeof(hms), second);
	if (second <= 1)
		printf(
		    "# first wake-up at %lld.%06lld s of the machine's clock\n",
		    (long long)(first_wakeup / TN_SEC(1)),
		    (long long)(first_wakeup % TN_SEC(1) / 1000));
	printf("RTT|  %s  (user, %ld us period, priority %d, CPU%d)\n", hms,
	       opt.period_us, opt.priority, opt.cpu);
	printf("RTH|%11s|%11s|%11s|%8s|%6s|%11s|%11s\n", "----lat min",
	       "----lat avg", "----lat max", "-overrun", "---msw",
	       "---lat best", "--lat worst");
}

static void print_histogram(void)
{
	printf("# histogram: latency bucket (us, lower bound) and sample "
	       "count; the last bucket counts everything above\n");
	if (hist_below_zero)
		printf("# %llu samples below 0 us are counted in the first "
		       "bucket\n",
		       (unsigned long long)hist_below_zero);
	for (int i = 0; i < HIST_BUCKETS; i++) {
		long long lo = (long long)i * opt.bucket_ns;

		if (!hist[i])
			continue;
		if (opt.bucket_ns % 1000 == 0)
			printf("%lld %llu\n", lo / 1000,
			       (unsigned long long)hist[i]);
		else
			printf("%.3f %llu\n", (double)lo / 1000.0,
			       (unsigned long long)hist[i]);
	}
}

int tn_main(int argc, char *argv[])
{
	struct tn_thread thread;
	struct tn_thread_attr attr;
	tn_time_t best = INT64_MAX, worst = INT64_MIN, sum = 0, t0;
	uint64_t overruns = 0;
	unsigned long seq = 0;
	long samples = 0, lines = 0;
	char elapsed[32], requested[32];
	int ret, error = 0;

	ret = parse_args(argc, argv);
	if (ret >= 0)
		return ret;
	ret = tn_sem_init(&ready, 0);
	if (ret) {
		fprintf(stderr, "latmus: tn_sem_init: error %d\n", ret);
		return 1;
	}

	tn_thread_attr_init(&attr);
	attr.name = "latmus-sampler";
	attr.sched.policy = TN_SCHED_FIFO;
	attr.sched.priority = opt.priority;
	attr.affinity = TN_CPU(opt.cpu);
	t0 = tn_clock_read();
	ret = tn_thread_create(&thread, &attr, sampler, NULL);
	if (ret) {
		fprintf(stderr, "latmus: cannot start the sampler: error %d\n",
			ret);
		tn_sem_destroy(&ready);
		return 1;
	}

	for (;;) {
		struct batch *b;

		ret = tn_sem_get(&ready);
		if (ret) {
			error = ret;
			break;
		}
		b = &ring[seq++ % RING_SIZE];
		if (b->error) {
			error = b->error;
			break;
		}
		overruns = b->overruns;
		if (b->samples) {
			if (b->min < best)
				best = b->min;
			if (b->max > worst)
				worst = b->max;
			sum += b->sum;
			samples += b->samples;
		}
		if (!opt.quiet && b->samples) {
			if (lines++ % HEADER_EVERY == 0)
				print_header(b->second);
			printf("RTD|%11.3f|%11.3f|%11.3f|%8llu|%6u|%11.3f|"
			       "%11.3f\n",
			       usec(b->min), usec(b->sum) / b->samples,
			       usec(b->max), (unsigned long long)overruns, 0u,
			       usec(best), usec(worst));
		}
		if (b->last)
			break;
	}
	tn_thread_join(&thread, NULL);
	tn_sem_destroy(&ready);
	if (error) {
		fprintf(stderr, "latmus: sampling failed: error %d\n", error);
		return 1;
	}

	/* The last sample may fall short of the end by up to a period. */
	format_hms(elapsed, sizeof(elapsed),
		   (long)((tn_clock_read() - t0 + TN_MSEC(500)) / TN_SEC(1)));
	format_hms(requested, sizeof(requested), opt.duration_s);
	if (!opt.quiet)
		printf(
		    "---|-----------|-----------|-----------|--------|------|"
		    "-------------------------\n");
	printf("RTS|%11.3f|%11.3f|%11.3f|%8llu|%6u|    %s/%s\n", usec(best),
	       samples ? usec(sum) / samples : 0.0, usec(worst),
	       (unsigned long long)overruns, 0u, elapsed, requested);
	if (opt.histogram)
		print_histogram();
	return 0;
}
