/*
 * hectic: a context-switch stress in the spirit of EVL's hectic. On every
 * CPU, two pairs of threads hand a token back and forth through two
 * semaphores as fast as they can, each handoff being one context switch:
 *
 *   pair 0, priorities 10 and 11: both threads use the FPU; runs all along;
 *   pair 1, priorities 20 and 21: no FPU; every BURST handoffs its first
 *           thread sleeps, holding the token, as long as the burst took,
 *           so that pair 0 runs meanwhile and is preempted when it wakes.
 *
 * Within a pair the second thread has the higher priority, so handing it
 * the token preempts the giver at once, while handing it back switches
 * when the giver blocks. A sampler per CPU, priority 90, wakes every
 * millisecond from a timer and preempts whichever thread runs.
 *
 * The FPU users (pair 0 and the samplers) keep eight doubles, loaded with
 * a pattern of their own, live across every blocking call and every
 * preemptible stretch, and check them afterwards; a mismatch prints
 * "hectic: FPU corruption in thread NAME: expected X got Y" and makes the
 * run fail. The pattern is recomputed from a volatile seed, so the
 * compiler must keep the loaded values (in callee-saved FP registers where
 * the ABI has them, as on Arm64) rather than fold the comparison away.
 * After each stretch of work they also run a short FP computation with no
 * call in it, which only an interrupt can preempt, and compare its result,
 * to the bit, with the one they got at the start.
 *
 * Each thread spins for -s ns per round: it models the work between two
 * switches and, on the simulator, where code takes no virtual time, it is
 * what moves the clock (a round with no spin would take no time at all).
 *
 * Every second the main thread prints the switches of the last second per
 * CPU and in all, with the running total; at the end a summary, with the
 * switches into the test's threads the kernel counted beside. The threads
 * count their own switches: one per handoff, two (away and back) per pause
 * of pair 1 and per wake-up of a sampler.
 *
 * Options:
 *   -T SECONDS   duration, 1..86400 (default 10)
 *   -c CPU       load only CPU and the ones after it (default 0: all), so
 *                that a latency test can keep the CPUs before to itself
 *   -s NS        work per round, 1..1000000 ns (default 2000)
 *   -q           quiet: the summary only
 *   -h           this help
 *
 * Exit status: 0 no corruption, 1 corruption or a refused call, 2 usage.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tenon/tenon.h>

#define PAIRS 2
#define WORKERS (PAIRS * 2)
#define BURST 50 /* handoffs of pair 1's first thread between its pauses */
#define SAMPLER_PERIOD TN_MSEC(1)
#define SAMPLER_PRIO 90
#define MAIN_PRIO TN_PRIO_MAX
#define MAX_MESSAGES 20 /* corruption lines printed at most */
#define HEADER_EVERY 21

struct pair {
	struct tn_sem sem[2]; /* one per thread: the token comes through it */
	volatile bool done;
};

struct worker {
	struct tn_thread thread;
	char name[TN_THREAD_NAME_MAX];
	struct pair *pair;
	struct tn_sem *mine, *peer;
	bool fpu;
	bool pauses;
	bool started;
	volatile unsigned int seed;    /* of the FPU pattern */
	volatile uint64_t switches;    /* counted by the thread itself */
	volatile uint64_t fpu_checks;  /* checks of all eight values */
	volatile uint64_t corruptions; /* checks that found a difference */
	double grind_ref;	       /* fpu_grind(seed) at the start */
};

static struct pair pairs[TN_MAX_CPUS][PAIRS];
static struct worker workers[TN_MAX_CPUS][WORKERS];
static struct worker samplers[TN_MAX_CPUS];

static long duration_s = 10;
static long spin_ns = 2000;
static bool quiet;
static int first_cpu;
static tn_time_t end_date;
static volatile unsigned int messages;

static void usage(FILE *f)
{
	fprintf(f, "usage: hectic [-T SECONDS] [-c CPU] [-s NS] [-q] [-h]\n"
		   "  -T SECONDS   duration, 1..86400 (default 10)\n"
		   "  -c CPU       load CPU and the ones after it only "
		   "(default 0)\n"
		   "  -s NS        work per round, 1..1000000 ns "
		   "(default 2000)\n"
		   "  -q           quiet: the summary only\n"
		   "  -h           this help\n");
}

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
	fprintf(stderr, "hectic: -%c %s: %s\n", o, value, what);
	usage(stderr);
	return 2;
}

/* 0 to go on, else the exit status (help or bad usage). */
static int parse_args(int argc, char *argv[])
{
	long first;
	int o;

	while ((o = getopt(argc, argv, ":T:c:s:qh")) != -1) {
		switch (o) {
		case 'T':
			if (!parse_long(optarg, 1, 86400, &duration_s))
				return bad_value(o, optarg,
						 "duration must be 1 to 86400 "
						 "seconds");
			break;
		case 'c':
			if (!parse_long(optarg, 0, tn_cpu_count() - 1, &first))
				return bad_value(o, optarg,
						 "there is no such CPU");
			first_cpu = (int)first;
			break;
		case 's':
			if (!parse_long(optarg, 1, 1000000, &spin_ns))
				return bad_value(o, optarg,
						 "work per round must be 1 to "
						 "1000000 nanoseconds");
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			fprintf(stderr, "hectic: -%c needs a value\n", optopt);
			usage(stderr);
			return 2;
		default:
			fprintf(stderr, "hectic: unknown option -%c\n", optopt);
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "hectic: unexpected argument '%s'\n",
			argv[optind]);
		usage(stderr);
		return 2;
	}
	return -1;
}

static bool over(void)
{
	return tn_clock_read() >= end_date;
}

/*
 * Value i of a thread's pattern in a given round: exact in a double
 * (under 2^53), different for every thread, round and register.
 */
static double pattern(unsigned int seed, uint64_t round, int i)
{
	return (double)seed * 1099511627776.0 /* 2^40 */ +
	       (double)(round & 0xffffffffu) * 16.0 + (double)i;
}

static void corrupted(struct worker *w, double want, double got)
{
	if (messages++ < MAX_MESSAGES)
		printf("hectic: FPU corruption in thread %s: expected %.16e "
		       "got %.16e\n",
		       w->name, want, got);
}

/* Checks the eight values against the pattern of round. */
static void fpu_check(struct worker *w, uint64_t round, double v0, double v1,
		      double v2, double v3, double v4, double v5, double v6,
		      double v7)
{
	const double got[8] = {v0, v1, v2, v3, v4, v5, v6, v7};
	unsigned int seed = w->seed; /* a fresh read: not known to match */
	bool bad = false;

	for (int i = 0; i < 8; i++) {
		double want = pattern(seed, round, i);

		if (got[i] != want) {
			corrupted(w, want, got[i]);
			bad = true;
		}
	}
	w->fpu_checks++;
	if (bad)
		w->corruptions++;
}

/*
 * Asks for v in an FP register at this point (an empty asm, no code): on
 * Arm64 and x86-64 the compiler then keeps the eight values in registers
 * rather than in one vector in memory, in callee-saved d8..d15 across
 * calls on Arm64. Elsewhere the values may live in memory, still checked.
 */
#if defined(__aarch64__)
#define FPU_PIN(v) __asm__ volatile("" : "+w"(v))
#elif defined(__x86_64__)
#define FPU_PIN(v) __asm__ volatile("" : "+x"(v))
#else
#define FPU_PIN(v) __asm__ volatile("" : "+m"(v))
#endif

/*
 * The eight values live in locals f0..f7 of the thread function, loaded
 * before a blocking or preemptible call and checked after it.
 */
#define FPU_LOAD(w, round)                   \
	do {                                 \
		unsigned int s_ = (w)->seed; \
		f0 = pattern(s_, round, 0);  \
		f1 = pattern(s_, round, 1);  \
		f2 = pattern(s_, round, 2);  \
		f3 = pattern(s_, round, 3);  \
		f4 = pattern(s_, round, 4);  \
		f5 = pattern(s_, round, 5);  \
		f6 = pattern(s_, round, 6);  \
		f7 = pattern(s_, round, 7);  \
		FPU_PIN(f0);                 \
		FPU_PIN(f1);                 \
		FPU_PIN(f2);                 \
		FPU_PIN(f3);                 \
		FPU_PIN(f4);                 \
		FPU_PIN(f5);                 \
		FPU_PIN(f6);                 \
		FPU_PIN(f7);                 \
	} while (0)

#define FPU_CHECK(w, round)                                          \
	do {                                                         \
		FPU_PIN(f0);                                         \
		FPU_PIN(f1);                                         \
		FPU_PIN(f2);                                         \
		FPU_PIN(f3);                                         \
		FPU_PIN(f4);                                         \
		FPU_PIN(f5);                                         \
		FPU_PIN(f6);                                         \
		FPU_PIN(f7);                                         \
		fpu_check(w, round, f0, f1, f2, f3, f4, f5, f6, f7); \
	} while (0)

/*
 * A stretch of FP work with no call in it, so that only an interrupt can
 * preempt it (on a machine; on the simulator it takes no time): its result
 * must be the same, to the bit, as when the thread started.
 */
static double fpu_grind(unsigned int seed)
{
	double a = seed, b = seed + 0.5, c = seed + 0.25, d = seed + 0.125;

	for (int i = 0; i < 64; i++) {
		a = a * 0.9990234375 + b * 0.0009765625;
		b = b * 0.998046875 + c * 0.001953125;
		c = c * 0.99609375 + d * 0.00390625;
		d = d * 0.9921875 + a * 0.0078125;
	}
	return a + b + c + d;
}

static void fpu_grind_check(struct worker *w)
{
	double got = fpu_grind(w->seed);

	w->fpu_checks++;
	if (got != w->grind_ref) {
		corrupted(w, w->grind_ref, got);
		w->corruptions++;
	}
}

/*
 * A ping-pong thread: wait for the token, check the FPU values loaded
 * before giving it away last time, load new ones, work, check again, give
 * the token to the peer. Whoever holds the token when time is up ends the
 * pair: it marks it done and hands the token over one last time.
 */
static void *player(void *arg)
{
	struct worker *w = arg;
	struct pair *p = w->pair;
	double f0 = 0, f1 = 0, f2 = 0, f3 = 0, f4 = 0, f5 = 0, f6 = 0, f7 = 0;
	uint64_t round = 0;
	unsigned long burst = 0;

	if (w->fpu)
		w->grind_ref = fpu_grind(w->seed);
	for (;;) {
		if (tn_sem_get(w->mine) || p->done)
			break;
		if (w->fpu && round)
			FPU_CHECK(w, round);
		if (w->pauses && ++burst % BURST == 0) {
			/*
			 * The pair stops: lower priorities run, and lose
			 * the CPU when the sleep ends.
			 */
			tn_sleep(TN_NSEC(2 * BURST * spin_ns));
			w->switches += 2;
		}
		if (w->fpu) {
			round++;
			FPU_LOAD(w, round);
		}
		/* The work between two switches; may be preempted. */
		tn_spin(TN_NSEC(spin_ns));
		if (w->fpu) {
			fpu_grind_check(w);
			FPU_CHECK(w, round);
		}
		if (over()) {
			p->done = true;
			tn_sem_put(w->peer);
			break;
		}
		w->switches++;
		tn_sem_put(w->peer);
	}
	return NULL;
}

/*
 * The sampler: loads its values, waits for its timer, checks them; each
 * wake-up preempts a ping-pong thread and is switched back out of.
 */
static void *sampler(void *arg)
{
	struct worker *w = arg;
	struct tn_timer timer;
	double f0 = 0, f1 = 0, f2 = 0, f3 = 0, f4 = 0, f5 = 0, f6 = 0, f7 = 0;
	uint64_t round = 0;

	w->grind_ref = fpu_grind(w->seed);
	if (tn_timer_init(&timer, NULL, NULL))
		return NULL;
	if (tn_timer_set(&timer, tn_clock_read() + SAMPLER_PERIOD,
			 SAMPLER_PERIOD))
		goto out;
	while (!over()) {
		round++;
		FPU_LOAD(w, round);
		if (tn_timer_wait(&timer, NULL, end_date))
			break;
		FPU_CHECK(w, round);
		fpu_grind_check(w);
		w->switches += 2;
	}
out:
	tn_timer_destroy(&timer);
	return NULL;
}

static int start(struct worker *w, const char *name, int cpu, int prio,
		 void *(*entry)(void *))
{
	struct tn_thread_attr attr;
	int ret;

	snprintf(w->name, sizeof(w->name), "%s-%d", name, cpu);
	tn_thread_attr_init(&attr);
	attr.name = w->name;
	attr.sched.policy = TN_SCHED_FIFO;
	attr.sched.priority = prio;
	attr.affinity = TN_CPU(cpu);
	ret = tn_thread_create(&w->thread, &attr, entry, w);
	if (ret)
		fprintf(stderr, "hectic: cannot start %s: error %d\n", w->name,
			ret);
	else
		w->started = true;
	return ret;
}

static int start_cpu(int cpu)
{
	static const char *const names[WORKERS] = {"fpp0a", "fpp0b", "pp1a",
						   "pp1b"};
	unsigned int seed = (unsigned int)cpu * (WORKERS + 1) + 1;

	for (int i = 0; i < PAIRS; i++) {
		struct pair *p = &pairs[cpu][i];

		/* The token starts with the first thread. */
		if (tn_sem_init(&p->sem[0], 1) || tn_sem_init(&p->sem[1], 0))
			return -EINVAL;
		for (int j = 0; j < 2; j++) {
			struct worker *w = &workers[cpu][i * 2 + j];

			w->pair = p;
			w->mine = &p->sem[j];
			w->peer = &p->sem[!j];
			w->fpu = i == 0;
			w->pauses = i == 1 && j == 0;
			w->seed = seed++;
		}
	}
	samplers[cpu].fpu = true;
	samplers[cpu].seed = seed;
	for (int i = 0; i < WORKERS; i++) {
		int ret = start(&workers[cpu][i], names[i], cpu,
				10 * (i / 2 + 1) + i % 2, player);

		if (ret)
			return ret;
	}
	return start(&samplers[cpu], "fsampler", cpu, SAMPLER_PRIO, sampler);
}

/* Ends everything started, whatever state it is in. */
static void stop_all(int ncpus)
{
	end_date = 0;
	for (int c = first_cpu; c < ncpus; c++)
		for (int i = 0; i < PAIRS; i++) {
			pairs[c][i].done = true;
			tn_sem_destroy(&pairs[c][i].sem[0]);
			tn_sem_destroy(&pairs[c][i].sem[1]);
		}
}

static uint64_t cpu_switches(int cpu)
{
	uint64_t n = samplers[cpu].switches;

	for (int i = 0; i < WORKERS; i++)
		n += workers[cpu][i].switches;
	return n;
}

/* What the kernel counted: switches into the test's threads. */
static uint64_t kernel_switches(int ncpus)
{
	struct tn_thread_stats st;
	uint64_t n = 0;

	for (int c = first_cpu; c < ncpus; c++) {
		for (int i = 0; i < WORKERS; i++)
			if (!tn_thread_get_stats(&workers[c][i].thread, &st))
				n += st.switches;
		if (!tn_thread_get_stats(&samplers[c].thread, &st))
			n += st.switches;
	}
	return n;
}

static void print_header(long second, int ncpus)
{
	char col[16];

	printf("RTT|  %02ld:%02ld:%02ld\nRTH", second / 3600, second / 60 % 60,
	       second % 60);
	for (int c = first_cpu; c < ncpus; c++) {
		int len = snprintf(col, sizeof(col), "cpu%d", c);

		printf("|%.*s%s", 9 - len, "---------", col);
	}
	printf("|ctx switches|-------total\n");
}

static void print_threads(int ncpus)
{
	printf("== hectic: %d CPU%s, %d s, %ld ns of work per round\n",
	       ncpus - first_cpu, ncpus - first_cpu > 1 ? "s" : "",
	       (int)duration_s, spin_ns);
	for (int c = first_cpu; c < ncpus; c++) {
		printf("== cpu%d:", c);
		for (int i = 0; i < WORKERS; i++)
			printf(" %s(%d)", workers[c][i].name,
			       tn_thread_get_priority(&workers[c][i].thread));
		printf(" %s(%d)\n", samplers[c].name, SAMPLER_PRIO);
	}
	printf("== f: uses the FPU; ppNa hands to ppNb and back\n");
}

int tn_main(int argc, char *argv[])
{
	int ncpus = tn_cpu_count();
	uint64_t last[TN_MAX_CPUS] = {0}, total = 0, checks = 0, bad = 0;
	uint64_t kernel;
	tn_time_t t0;
	int ret;

	ret = parse_args(argc, argv);
	if (ret >= 0)
		return ret;
	/* Above everything on CPU 0, so that reports come on time. */
	tn_thread_set_priority(tn_thread_self(), MAIN_PRIO);

	t0 = tn_clock_read();
	end_date = t0 + TN_SEC(duration_s);
	for (int c = first_cpu; c < ncpus; c++) {
		ret = start_cpu(c);
		if (ret) {
			stop_all(ncpus);
			break;
		}
	}
	if (!ret && !quiet)
		print_threads(ncpus);

	for (long s = 1; !ret && s <= duration_s; s++) {
		uint64_t sum = 0;

		tn_sleep_until(t0 + TN_SEC(s));
		if (quiet)
			continue;
		if ((s - 1) % HEADER_EVERY == 0)
			print_header(s, ncpus);
		printf("RTD");
		for (int c = first_cpu; c < ncpus; c++) {
			uint64_t now = cpu_switches(c);

			printf("|%9llu", (unsigned long long)(now - last[c]));
			sum += now - last[c];
			last[c] = now;
		}
		total += sum;
		printf("|%12llu|%12llu\n", (unsigned long long)sum,
		       (unsigned long long)total);
	}

	/* Every thread ends by itself once time is up. */
	kernel = kernel_switches(ncpus);
	total = 0;
	for (int c = first_cpu; c < ncpus; c++) {
		for (int i = 0; i < WORKERS; i++) {
			struct worker *w = &workers[c][i];

			if (w->started)
				tn_thread_join(&w->thread, NULL);
			checks += w->fpu_checks;
			bad += w->corruptions;
		}
		if (samplers[c].started)
			tn_thread_join(&samplers[c].thread, NULL);
		checks += samplers[c].fpu_checks;
		bad += samplers[c].corruptions;
		total += cpu_switches(c);
		if (!ret)
			for (int i = 0; i < PAIRS; i++) {
				tn_sem_destroy(&pairs[c][i].sem[0]);
				tn_sem_destroy(&pairs[c][i].sem[1]);
			}
	}
	if (ret)
		return 1;

	printf("hectic: %llu context switches in %ld s, %llu per second "
	       "(the kernel counted %llu)\n",
	       (unsigned long long)total, duration_s,
	       (unsigned long long)(total / (uint64_t)duration_s),
	       (unsigned long long)kernel);
	printf("hectic: %llu FPU checks, %llu corruptions\n",
	       (unsigned long long)checks, (unsigned long long)bad);
	return bad ? 1 : 0;
}
