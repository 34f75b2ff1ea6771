/*
 * tenon bench: round trips through a real-time peer that sends back what
 * it gets (apps/echo): a message of SIZE bytes on queue NAME-in, the same
 * back on NAME-out, timed with the system counter from before the send
 * to after the answer is in, N times. Blocking waits on /dev/uioN for
 * the answer's doorbell; -p spins on the queue instead (no doorbell is
 * asked for). Prints min, avg and max in microseconds, and the counter's
 * resolution.
 *
 *   tenon bench [-n N] [-s SIZE] [-p] NAME
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenon-cmd.h"
#include "tenon.h"

#define WARMUP 100

static int bench_usage(FILE *f, int status)
{
	fprintf(f, "usage: tenon bench [-n TRIPS] [-s SIZE] [-p] NAME\n"
		   "Round trips through queues NAME-in and NAME-out and a "
		   "real-time peer that\nechoes (apps/echo): -n trips "
		   "(default 10000), -s message bytes (default 1),\n-p spin "
		   "for the answer instead of waiting for its doorbell.\n");
	return status;
}

static int open_end(const char *base, const char *suffix,
		    struct tn_channel **ch)
{
	char name[TN_NAME_LEN + 8];
	int ret;

	snprintf(name, sizeof(name), "%s-%s", base, suffix);
	ret = tn_channel_open(name, ch);
	if (ret)
		fprintf(stderr, "tenon bench: %s\n", tn_last_error());
	return ret;
}

int tenon_cmd_bench(int argc, char **argv)
{
	static unsigned char out[65536], back[65536];
	struct tn_channel *in_ch, *out_ch;
	long trips = 10000, size = 1;
	uint64_t min = UINT64_MAX, max = 0, sum = 0, freq;
	int c, spin = 0, status = 0;
	char *end;

	optind = 1;
	while ((c = getopt(argc, argv, "n:s:ph")) != -1) {
		switch (c) {
		case 'n':
			trips = strtol(optarg, &end, 10);
			if (*end || trips < 1 || trips > 100000000) {
				fprintf(stderr,
					"tenon bench: -n %s: a number "
					"of trips from 1\n",
					optarg);
				return 2;
			}
			break;
		case 's':
			size = strtol(optarg, &end, 10);
			if (*end || size < 0 || size > 65536) {
				fprintf(stderr,
					"tenon bench: -s %s: a size "
					"from 0 to 65536 bytes\n",
					optarg);
				return 2;
			}
			break;
		case 'p':
			spin = 1;
			break;
		case 'h':
			return bench_usage(stdout, 0);
		default:
			return bench_usage(stderr, 2);
		}
	}
	if (optind != argc - 1)
		return bench_usage(stderr, 2);
	if (open_end(argv[optind], "in", &in_ch))
		return 1;
	if (open_end(argv[optind], "out", &out_ch)) {
		tn_channel_close(in_ch);
		return 1;
	}
	for (long i = 0; i < size; i++)
		out[i] = (unsigned char)i;
	freq = tn_counter_freq();
	for (long i = -WARMUP; i < trips; i++) {
		uint64_t t0, dt;
		int n;

		out[0] = (unsigned char)i;
		t0 = tn_counter();
		n = tn_queue_send(in_ch, out, (size_t)size, NULL);
		if (n) {
			fprintf(stderr, "tenon bench: send: %s\n",
				tn_last_error());
			status = 1;
			break;
		}
		do
			n = tn_queue_receive(out_ch, back, sizeof(back),
					     spin ? TN_NOWAIT : NULL);
		while (spin && n == -EAGAIN);
		dt = tn_counter() - t0;
		if (n != size || memcmp(out, back, (size_t)size)) {
			fprintf(stderr, "tenon bench: trip %ld: %s\n", i,
				n < 0 ? tn_last_error()
				      : "the answer is not what was sent");
			status = 1;
			break;
		}
		if (i < 0)
			continue;
		sum += dt;
		if (dt < min)
			min = dt;
		if (dt > max)
			max = dt;
	}
	if (!status)
		printf("bench %s: %ld round trips of %ld bytes, %s: min %.3f "
		       "avg %.3f max %.3f us (counter %.1f ns a tick)\n",
		       argv[optind], trips, size,
		       spin ? "spinning" : "blocking on /dev/uio",
		       (double)min * 1e6 / (double)freq,
		       (double)sum / (double)trips * 1e6 / (double)freq,
		       (double)max * 1e6 / (double)freq, 1e9 / (double)freq);
	tn_channel_close(in_ch);
	tn_channel_close(out_ch);
	return status;
}
