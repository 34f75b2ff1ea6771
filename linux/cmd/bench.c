/*
 * tenon bench: round trips through a real-time peer that sends back what
 * it gets (apps/echo): a message of SIZE bytes on queue NAME-in, the same
 * back on NAME-out, timed with the system counter from before the send
 * to after the answer is in, N times. Blocking waits on /dev/uioN for
 * the answer's doorbell; -p spins on the queue instead (no doorbell is
 * asked for). Prints min, avg and max in microseconds, and the counter's
 * resolution. -S BYTES instead streams that many bytes into stream
 * NAME-in and reads them back from NAME-out, and prints the rate.
 *
 *   tenon bench [-n N] [-s SIZE] [-p] NAME
 *   tenon bench -S BYTES NAME
 *   tenon bench -F SECONDS [-s SIZE] QUEUE   floods QUEUE itself: sends
 *                     without waiting, as fast as it can, for SECONDS
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
		   "       tenon bench -S BYTES NAME\n"
		   "       tenon bench -F SECONDS [-s SIZE] QUEUE\n"
		   "Round trips through queues NAME-in and NAME-out and a "
		   "real-time peer that\nechoes (apps/echo): -n trips "
		   "(default 10000), -s message bytes (default 1),\n-p spin "
		   "for the answer instead of waiting for its doorbell; -S: "
		   "BYTES through\nstreams NAME-in and NAME-out, the rate; "
		   "-F: QUEUE itself written as fast as it\ntakes messages "
		   "(none waited for) for SECONDS.\n");
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

/* The byte at offset k of the -S stream. */
static unsigned char pattern(long k)
{
	return (unsigned char)(k * 7 + (k >> 8));
}

/* -S: bytes into NAME-in, the same back from NAME-out, timed. */
static int stream_rate(struct tn_channel *in_ch, struct tn_channel *out_ch,
		       const char *name, long total)
{
	static unsigned char chunk[16384], back[16384];
	long sent = 0, got = 0, len = 0;
	uint64_t t0 = tn_counter(), dt;

	while (got < total) {
		long n;

		if (sent < total && !len) {
			len = total - sent < (long)sizeof(chunk)
				  ? total - sent
				  : (long)sizeof(chunk);
			for (long i = 0; i < len; i++)
				chunk[i] = pattern(sent + i);
		}
		if (len) {
			n = tn_stream_write(in_ch, chunk, (size_t)len,
					    TN_NOWAIT);
			if (n > 0) {
				sent += n;
				len -= n;
				memmove(chunk, chunk + n, (size_t)len);
			} else if (n != -EAGAIN && n != -ETIMEDOUT) {
				goto fail;
			}
		}
		n = tn_stream_read(out_ch, back, sizeof(back),
				   sent < total ? TN_NOWAIT : NULL);
		if (n > 0) {
			for (long i = 0; i < n; i++)
				if (back[i] != pattern(got + i)) {
					fprintf(stderr,
						"tenon bench: byte "
						"%ld came back wrong\n",
						got + i);
					return 1;
				}
			got += n;
		} else if (n != -EAGAIN) {
			goto fail;
		}
	}
	dt = tn_counter() - t0;
	printf("bench %s: %ld bytes through the streams and back in %.3f ms: "
	       "%.2f MB/s\n",
	       name, total, (double)dt * 1e3 / (double)tn_counter_freq(),
	       (double)total / ((double)dt / (double)tn_counter_freq()) / 1e6);
	return 0;
fail:
	fprintf(stderr, "tenon bench: %s\n", tn_last_error());
	return 1;
}

/* -F: sends on queue name for seconds, never waiting; counts. */
static int flood(const char *name, long seconds, long size)
{
	static unsigned char msg[65536];
	struct tn_channel *ch;
	uint64_t end, sent = 0, full = 0;
	int ret = tn_channel_open(name, &ch);

	if (ret) {
		fprintf(stderr, "tenon bench: %s\n", tn_last_error());
		return 1;
	}
	memset(msg, '4', sizeof(msg));
	end = tn_counter() + (uint64_t)seconds * tn_counter_freq();
	while (tn_counter() < end) {
		ret = tn_queue_send(ch, msg, (size_t)size, TN_NOWAIT);
		if (!ret)
			sent++;
		else if (ret == -EAGAIN)
			full++;
		else
			break;
	}
	tn_channel_close(ch);
	if (ret && ret != -EAGAIN) {
		fprintf(stderr, "tenon bench: %s\n", tn_last_error());
		return 1;
	}
	printf("bench %s: flooded for %ld s: %llu messages of %ld bytes "
	       "sent, %llu tries found it full\n",
	       name, seconds, (unsigned long long)sent, size,
	       (unsigned long long)full);
	return 0;
}

int tenon_cmd_bench(int argc, char **argv)
{
	static unsigned char out[65536], back[65536];
	struct tn_channel *in_ch, *out_ch;
	long trips = 10000, size = 1, stream = 0, flood_s = 0;
	uint64_t min = UINT64_MAX, max = 0, sum = 0, freq;
	int c, spin = 0, status = 0;
	char *end;

	optind = 1;
	while ((c = getopt(argc, argv, "n:s:pS:F:h")) != -1) {
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
		case 'F':
			flood_s = strtol(optarg, &end, 10);
			if (*end || flood_s < 1 || flood_s > 86400) {
				fprintf(stderr,
					"tenon bench: -F %s: seconds, "
					"from 1\n",
					optarg);
				return 2;
			}
			break;
		case 'S':
			stream = strtol(optarg, &end, 10);
			if (*end || stream < 1 || stream > (1L << 30)) {
				fprintf(stderr,
					"tenon bench: -S %s: a number "
					"of bytes from 1 to 2^30\n",
					optarg);
				return 2;
			}
			break;
		case 'h':
			return bench_usage(stdout, 0);
		default:
			return bench_usage(stderr, 2);
		}
	}
	if (optind != argc - 1)
		return bench_usage(stderr, 2);
	if (flood_s)
		return flood(argv[optind], flood_s, size);
	if (open_end(argv[optind], "in", &in_ch))
		return 1;
	if (open_end(argv[optind], "out", &out_ch)) {
		tn_channel_close(in_ch);
		return 1;
	}
	if (stream) {
		status = stream_rate(in_ch, out_ch, argv[optind], stream);
		tn_channel_close(in_ch);
		tn_channel_close(out_ch);
		return status;
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
