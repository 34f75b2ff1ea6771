/*
 * The demo: a periodic thread measures how late it wakes up (its jitter)
 * while a higher-priority thread on the same CPU now and then computes for
 * a while, and two round-robin threads share another CPU. Each report line
 * gives the jitter seen over the last 100 periods.
 *
 * Options: -p PERIOD_US (default 1000), -d SECONDS (default 1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <tenon/tenon.h>

static tn_time_t period = TN_USEC(1000);
static tn_time_t duration = TN_SEC(1);
static volatile bool stopping;

static void *sampler(void *arg)
{
	struct tn_timer timer;
	tn_time_t start, expected, lat, min = TN_INFINITE, max = 0, sum = 0;
	tn_time_t all_min = TN_INFINITE, all_max = 0;
	uint64_t ticks, overruns = 0;
	long n = 0, loops = duration / period;

	(void)arg;
	tn_timer_init(&timer, NULL, NULL);
	start = tn_clock_read() + period;
	expected = start;
	tn_timer_set(&timer, start, period);
	printf("demo: sampling every %lld us on cpu%d for %lld s\n",
	       (long long)(period / 1000), tn_cpu_self(),
	       (long long)(duration / TN_SEC(1)));
	printf("%-10s %10s %10s %10s %9s\n", "time(ms)", "lat min", "lat avg",
	       "lat max", "overruns");
	for (long i = 0; i < loops; i++) {
		if (tn_timer_wait(&timer, &ticks, TN_INFINITE))
			break;
		expected += (tn_time_t)(ticks - 1) * period;
		overruns += ticks - 1;
		lat = tn_clock_read() - expected;
		expected += period;
		min = lat < min ? lat : min;
		max = lat > max ? lat : max;
		sum += lat;
		if (++n == 100) {
			printf("%-10lld %8.3fus %8.3fus %8.3fus %9llu\n",
			       (long long)(tn_clock_read() / TN_MSEC(1)),
			       min / 1e3, sum / 1e3 / n, max / 1e3,
			       (unsigned long long)overruns);
			all_min = min < all_min ? min : all_min;
			all_max = max > all_max ? max : all_max;
			min = TN_INFINITE;
			max = sum = n = 0;
		}
	}
	tn_timer_destroy(&timer);
	printf("demo: jitter over the run: min %.3f us, max %.3f us, "
	       "overruns %llu\n",
	       all_min / 1e3, all_max / 1e3, (unsigned long long)overruns);
	return NULL;
}

/* Computes 300 us every 7 ms: the sampler, below it, waits meanwhile. */
static void *disturber(void *arg)
{
	tn_time_t next = tn_clock_read() + TN_USEC(6900);

	(void)arg;
	while (!stopping) {
		tn_sleep_until(next);
		tn_spin(TN_USEC(300));
		next += TN_MSEC(7);
	}
	return NULL;
}

/* Round-robin workers sharing the other CPU in 2 ms slices. */
static void *worker(void *arg)
{
	long *rounds = arg;

	while (!stopping) {
		tn_spin(TN_USEC(500));
		(*rounds)++;
	}
	return NULL;
}

static int parse_args(int argc, char *argv[])
{
	int opt;

	while ((opt = getopt(argc, argv, "p:d:")) != -1) {
		long v = optarg ? strtol(optarg, NULL, 10) : 0;

		if (opt == 'p' && v >= 10 && v <= 1000000) {
			period = TN_USEC(v);
		} else if (opt == 'd' && v >= 1 && v <= 3600) {
			duration = TN_SEC(v);
		} else {
			fprintf(stderr,
				"usage: demo [-p PERIOD_US (10..1000000)] "
				"[-d SECONDS (1..3600)]\n");
			return -EINVAL;
		}
	}
	return 0;
}

int tn_main(int argc, char *argv[])
{
	struct tn_thread sampler_t, disturber_t, workers[2];
	struct tn_thread_attr attr;
	long rounds[2] = {0, 0};
	int other = tn_cpu_count() > 1 ? 1 : 0;

	if (parse_args(argc, argv))
		return 2;
	tn_thread_set_priority(tn_thread_self(), TN_PRIO_MAX);

	tn_thread_attr_init(&attr);
	attr.name = "sampler";
	attr.sched.priority = 80;
	attr.affinity = TN_CPU(0);
	tn_thread_create(&sampler_t, &attr, sampler, NULL);
	attr.name = "disturber";
	attr.sched.priority = 90;
	tn_thread_create(&disturber_t, &attr, disturber, NULL);
	for (int i = 0; i < 2; i++) {
		attr.name = i ? "worker1" : "worker0";
		attr.sched.priority = 10;
		attr.sched.policy = TN_SCHED_RR;
		attr.sched.rr_quantum = TN_MSEC(2);
		attr.affinity = TN_CPU(other);
		tn_thread_create(&workers[i], &attr, worker, &rounds[i]);
	}

	tn_thread_join(&sampler_t, NULL);
	stopping = true;
	tn_thread_join(&disturber_t, NULL);
	tn_thread_join(&workers[0], NULL);
	tn_thread_join(&workers[1], NULL);
	printf("demo: round-robin workers on cpu%d ran %ld and %ld rounds\n",
	       other, rounds[0], rounds[1]);
	return 0;
}
