/*
 * APPNAME: a real-time application. A periodic thread wakes every period
 * on CPU 0 and counts how late it woke; the run ends after a number of
 * periods with a summary. Start your own work from here.
 *
 * Options: -p PERIOD_US (default 1000), -n PERIODS (default 1000).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <tenon/tenon.h>

static tn_time_t period = TN_USEC(1000);
static long periods = 1000;

struct result {
	tn_time_t worst;
	uint64_t overruns;
	int error;
};

static void *cycle(void *arg)
{
	struct result *r = arg;
	struct tn_timer timer;
	tn_time_t due;
	uint64_t ticks;

	tn_timer_init(&timer, NULL, NULL);
	due = tn_clock_read() + period;
	r->error = tn_timer_set(&timer, due, period);
	for (long i = 0; i < periods && !r->error; i++) {
		r->error = tn_timer_wait(&timer, &ticks, TN_INFINITE);
		if (r->error)
			break;
		due += (tn_time_t)(ticks - 1) * period;
		r->overruns += ticks - 1;
		/* The work of each period goes here. */
		tn_time_t late = tn_clock_read() - due;
		if (late > r->worst)
			r->worst = late;
		due += period;
	}
	tn_timer_destroy(&timer);
	return NULL;
}

static int parse_args(int argc, char *argv[])
{
	int opt;

	while ((opt = getopt(argc, argv, "p:n:")) != -1) {
		char *end = NULL;
		long v = optarg ? strtol(optarg, &end, 10) : 0;
		bool number = optarg && *optarg && !*end;

		if (opt == 'p' && number && v >= 10 && v <= 1000000) {
			period = TN_USEC(v);
		} else if (opt == 'n' && number && v >= 1) {
			periods = v;
		} else {
			fprintf(stderr,
				"usage: APPNAME [-p PERIOD_US (10..1000000)] "
				"[-n PERIODS (1 or more)]\n");
			return -EINVAL;
		}
	}
	return 0;
}

int tn_main(int argc, char *argv[])
{
	struct tn_thread thread;
	struct tn_thread_attr attr;
	struct result r = {0, 0, 0};
	int err;

	if (parse_args(argc, argv))
		return 2;
	tn_thread_attr_init(&attr);
	attr.name = "cycle";
	attr.sched.policy = TN_SCHED_FIFO;
	attr.sched.priority = 80;
	attr.affinity = TN_CPU(0);
	err = tn_thread_create(&thread, &attr, cycle, &r);
	if (err) {
		fprintf(stderr, "APPNAME: cannot start its thread: error %d\n",
			err);
		return 1;
	}
	tn_thread_join(&thread, NULL);
	if (r.error) {
		fprintf(stderr, "APPNAME: timer error %d\n", r.error);
		return 1;
	}
	printf("APPNAME: %ld periods of %lld us, worst wake-up %lld ns late, "
	       "%llu overruns\n",
	       periods, (long long)(period / 1000), (long long)r.worst,
	       (unsigned long long)r.overruns);
	return 0;
}
