/*
 * tenon ps: the real-time partition's threads, as evl ps lists EVL's:
 * read from the sample channel the real-time core publishes its thread
 * table on (abi/tenon/ps.h, channel "tenon-ps"). The table is checked
 * before any of it is shown: a partition can publish anything there.
 *
 *   tenon ps [-w]    -w: wait for a table newer than the one there now
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <tenon/ps.h>

#include "tenon.h"
#include "tenon-cmd.h"

static const char *state_name(uint32_t s)
{
	static const char *const names[] = {"?",    "run",   "ready",
					    "wait", "sleep", "ended"};

	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

static const char *policy_name(uint32_t p)
{
	return p == TN_PS_FIFO	  ? "fifo"
	       : p == TN_PS_RR	  ? "rr"
	       : p == TN_PS_IDLE  ? "idle"
	       : p == TN_PS_QUOTA ? "quota"
	       : p == TN_PS_TP	  ? "tp"
				  : "?";
}

/* Prints the table in buf (len bytes), or says what is wrong with it. */
static int show(const unsigned char *buf, size_t len,
		const struct tn_sample_meta *meta)
{
	struct tn_ps_header h;
	const struct tn_ps_entry *e;

	if (len < sizeof(h)) {
		fprintf(stderr,
			"tenon ps: the thread table is %zu bytes, "
			"shorter than its header\n",
			len);
		return 1;
	}
	memcpy(&h, buf, sizeof(h));
	if (h.magic != TN_PS_MAGIC || h.version != TN_PS_VERSION) {
		fprintf(stderr,
			"tenon ps: not a thread table of version %d "
			"(magic %#x, version %u)\n",
			TN_PS_VERSION, h.magic, h.version);
		return 1;
	}
	if (h.count > (len - sizeof(h)) / sizeof(*e)) {
		fprintf(stderr,
			"tenon ps: the thread table says %u threads "
			"but holds %zu\n",
			h.count, (len - sizeof(h)) / sizeof(*e));
		return 1;
	}
	printf("%u threads on %u CPU%s, uptime %.3f s, table %.0f ms old\n",
	       h.total, h.ncpus, h.ncpus == 1 ? "" : "s",
	       (double)h.uptime_ns / 1e9, (double)meta->age_ns / 1e6);
	printf("%-3s %-24s %-6s %-5s %4s %4s %12s %14s %9s\n", "CPU", "NAME",
	       "STATE", "SCHED", "PRIO", "BASE", "SWITCHES", "RUN TIME (s)",
	       "TIMEOUTS");
	for (uint32_t i = 0; i < h.count; i++) {
		struct tn_ps_entry t;

		memcpy(&t, buf + sizeof(h) + i * sizeof(t), sizeof(t));
		t.name[sizeof(t.name) - 1] = 0;
		for (char *c = t.name; *c; c++)
			if (*c < 0x20 || *c > 0x7e)
				*c = '?'; /* nothing raw to the terminal */
		printf(
		    "%-3d %-24s %-6s %-5s %4d %4d %12llu %14.6f %9llu\n", t.cpu,
		    t.name, state_name(t.state), policy_name(t.policy),
		    t.priority, t.base_priority, (unsigned long long)t.switches,
		    (double)t.runtime_ns / 1e9, (unsigned long long)t.timeouts);
	}
	if (h.total > h.count)
		printf("(%u more threads: the table is cut)\n",
		       h.total - h.count);
	return 0;
}

int tenon_cmd_ps(int argc, char **argv)
{
	static unsigned char buf[65536];
	struct tn_sample_meta meta;
	struct tn_channel *ch;
	int c, ret, wait = 0;

	optind = 1;
	while ((c = getopt(argc, argv, "wh")) != -1) {
		switch (c) {
		case 'w':
			wait = 1;
			break;
		case 'h':
			printf("usage: tenon ps [-w]\n"
			       "Lists the real-time partition's threads "
			       "(channel %s); -w waits for a fresh table.\n",
			       TN_PS_CHANNEL);
			return 0;
		default:
			fprintf(stderr, "usage: tenon ps [-w]\n");
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tenon ps: unexpected argument '%s'\n",
			argv[optind]);
		return 2;
	}
	ret = tn_channel_open(TN_PS_CHANNEL, &ch);
	if (ret) {
		fprintf(stderr, "tenon ps: %s%s\n", tn_last_error(),
			ret == -ENOENT ? " (the system description declares "
					 "no tenon-ps channel)"
				       : "");
		return 1;
	}
	if (wait) {
		struct timespec deadline = tn_deadline_in(2000000000);

		ret = tn_sample_get(ch, buf, sizeof(buf), &meta);
		if (ret >= 0 || ret == -ENODATA)
			ret = tn_sample_wait(ch, buf, sizeof(buf), &meta,
					     &deadline);
	} else {
		ret = tn_sample_get(ch, buf, sizeof(buf), &meta);
		if (ret == -ENODATA) {
			struct timespec deadline = tn_deadline_in(2000000000);

			ret = tn_sample_wait(ch, buf, sizeof(buf), &meta,
					     &deadline);
		}
	}
	if (ret < 0) {
		fprintf(stderr, "tenon ps: %s\n",
			ret == -ETIMEDOUT ? "no thread table came within 2 s "
					    "(is the real-time partition "
					    "running?)"
					  : tn_last_error());
		tn_channel_close(ch);
		return 1;
	}
	ret = show(buf, (size_t)ret, &meta);
	tn_channel_close(ch);
	return ret;
}
