/*
 * tenon: the shell's way to Tenon's channels, on libtenon.
 *   tenon channels | send | recv | sample | write | cat | ps | bench |
 *         partition | hm
 * Exit status: 0 done, 1 the operation failed (the message says why),
 * 2 a usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tenon.h"
#include "tenon-cmd.h"

#define BUF_MAX 65536

static const char *prog = "tenon";

static int usage_error(const char *cmd, const char *fmt, const char *arg)
{
	fprintf(stderr, "%s %s: ", prog, cmd);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (%s %s -h shows its usage)\n", prog, cmd);
	return 2;
}

static int fail(const char *cmd, int err)
{
	const char *why = tn_last_error();

	fprintf(stderr, "%s %s: %s\n", prog, cmd, *why ? why : strerror(-err));
	return 1;
}

static const char *kind_name(uint32_t kind)
{
	static const char *names[] = {"?", "queue", "sample", "stream"};

	return kind < 4 ? names[kind] : "?";
}

static const char *role_name(uint32_t role)
{
	return role == TN_ROLE_WRITER	? "writer"
	       : role == TN_ROLE_READER ? "reader"
					: "?";
}

static const char *peer_state(uint32_t state)
{
	static const char *names[] = {"?", "running", "restarting", "stopped"};

	return state < 4 ? names[state] : "?";
}

/* Parses -t MS into a deadline; *dl NULL for none. */
static int parse_timeout(const char *cmd, const char *arg, struct timespec *ts,
			 const struct timespec **dl)
{
	char *end;
	long ms = strtol(arg, &end, 10);

	if (end == arg || *end || ms < 0)
		return usage_error(cmd, "-t '%s': not a number of milliseconds",
				   arg);
	*ts = tn_deadline_in((int64_t)ms * 1000000);
	*dl = ts;
	return 0;
}

/* Opens NAME for cmd; prints why not. */
static struct tn_channel *open_end(const char *cmd, const char *name)
{
	struct tn_channel *ch;
	int err = tn_channel_open(name, &ch);

	if (err) {
		fail(cmd, err);
		return NULL;
	}
	return ch;
}

/* Writes a value as text if it is printable, else as hex bytes. */
static void print_value(const uint8_t *p, int len)
{
	int text = 1;

	for (int i = 0; i < len; i++)
		if ((p[i] < 0x20 && p[i] != '\n' && p[i] != '\t') ||
		    p[i] > 0x7e)
			text = 0;
	if (text) {
		fwrite(p, 1, (size_t)len, stdout);
		if (!len || p[len - 1] != '\n')
			putchar('\n');
	} else {
		for (int i = 0; i < len; i++)
			printf("%s%02x", i ? " " : "", p[i]);
		putchar('\n');
	}
}

static int cmd_channels(int argc, char **argv)
{
	struct tn_channel_info info[64];
	int n;

	if (argc > 1 && !strcmp(argv[1], "-h")) {
		printf(
		    "usage: %s channels\n"
		    "Lists this Linux's channel ends: name, kind, this end's "
		    "role, peer\n(and its state), sizes, doorbells rang "
		    "and rung, what is in flight.\n",
		    prog);
		return 0;
	}
	if (argc > 1)
		return usage_error("channels", "unexpected argument '%s'",
				   argv[1]);
	n = tn_channel_list(info, 64);
	if (!n) {
		printf("no channels (this Linux has no Tenon channel "
		       "function on its PCI bus)\n");
		return 0;
	}
	printf("%-15s %-6s %-6s %-15s %-7s %6s %7s %8s %7s %7s %9s %s\n",
	       "NAME", "KIND", "ROLE", "PEER", "PEER-ST", "MSG", "DEPTH",
	       "REGION", "RANG", "RUNG", "IN-FLIGHT", "DEVICE");
	for (int i = 0; i < n && i < 64; i++) {
		char flight[24];

		if (info[i].in_flight == -EIO)
			snprintf(flight, sizeof(flight), "corrupt");
		else if (info[i].in_flight < 0)
			snprintf(flight, sizeof(flight), "?");
		else if (info[i].kind == TN_KIND_SAMPLE)
			snprintf(flight, sizeof(flight), "seq %" PRId64,
				 info[i].in_flight);
		else
			snprintf(flight, sizeof(flight), "%" PRId64,
				 info[i].in_flight);
		printf(
		    "%-15s %-6s %-6s %-15s %-7s %6u %7u %8u %7u %7u %9s %s\n",
		    info[i].name, kind_name(info[i].kind),
		    role_name(info[i].role), info[i].peer,
		    peer_state(info[i].peer_state), info[i].msg_size,
		    info[i].depth, info[i].region_size, info[i].rang,
		    info[i].rung, flight, info[i].device);
	}
	return 0;
}

static int cmd_send(int argc, char **argv)
{
	const struct timespec *dl = NULL;
	struct timespec ts;
	struct tn_channel *ch;
	int opt, err;

	optind = 1;
	while ((opt = getopt(argc, argv, "+hnt:")) != -1) {
		switch (opt) {
		case 'h':
			printf("usage: %s send [-n] [-t MS] NAME MSG\n"
			       "Queues MSG's bytes on queue NAME, waiting for "
			       "room (-n: not at all, -t: MS at most).\n",
			       prog);
			return 0;
		case 'n':
			dl = TN_NOWAIT;
			break;
		case 't':
			if (parse_timeout("send", optarg, &ts, &dl))
				return 2;
			break;
		default:
			return usage_error("send", "bad option%s", "");
		}
	}
	if (argc - optind != 2)
		return usage_error("send", "needs NAME and MSG%s", "");
	ch = open_end("send", argv[optind]);
	if (!ch)
		return 1;
	err = tn_queue_send(ch, argv[optind + 1], strlen(argv[optind + 1]), dl);
	if (err == -EAGAIN)
		fprintf(stderr, "%s send: queue %s is full\n", prog,
			argv[optind]);
	else if (err == -ETIMEDOUT)
		fprintf(stderr, "%s send: queue %s stayed full\n", prog,
			argv[optind]);
	else if (err)
		fail("send", err);
	tn_channel_close(ch);
	return err ? 1 : 0;
}

static int cmd_recv(int argc, char **argv)
{
	const struct timespec *dl = NULL;
	static uint8_t buf[BUF_MAX];
	int opt, follow = 0, n, status = 0;
	struct tn_channel *ch;
	struct timespec ts;

	optind = 1;
	while ((opt = getopt(argc, argv, "+fhnt:")) != -1) {
		switch (opt) {
		case 'h':
			printf("usage: %s recv [-f] [-n] [-t MS] NAME\n"
			       "Prints the next message of queue NAME, "
			       "waiting for it (-n: not at all, -t: MS at "
			       "most);\n-f: every message, as they come.\n",
			       prog);
			return 0;
		case 'f':
			follow = 1;
			break;
		case 'n':
			dl = TN_NOWAIT;
			break;
		case 't':
			if (parse_timeout("recv", optarg, &ts, &dl))
				return 2;
			break;
		default:
			return usage_error("recv", "bad option%s", "");
		}
	}
	if (argc - optind != 1)
		return usage_error("recv", "needs NAME%s", "");
	ch = open_end("recv", argv[optind]);
	if (!ch)
		return 1;
	do {
		n = tn_queue_receive(ch, buf, sizeof(buf), follow ? NULL : dl);
		if (n >= 0) {
			print_value(buf, n);
			fflush(stdout);
		} else if (n == -EAGAIN || n == -ETIMEDOUT) {
			fprintf(stderr, "%s recv: queue %s is empty\n", prog,
				argv[optind]);
			status = 1;
		} else {
			fail("recv", n);
			status = 1;
			/* A corrupt message was skipped: go on with -f. */
			if (n != -EIO)
				break;
		}
	} while (follow);
	tn_channel_close(ch);
	return status;
}

static int cmd_sample(int argc, char **argv)
{
	const struct timespec *dl = NULL;
	static uint8_t buf[BUF_MAX];
	struct tn_channel_info info;
	struct tn_sample_meta meta;
	int opt, wait = 0, n;
	struct tn_channel *ch;
	struct timespec ts;

	optind = 1;
	while ((opt = getopt(argc, argv, "+hwt:")) != -1) {
		switch (opt) {
		case 'h':
			printf(
			    "usage: %s sample [-w] [-t MS] NAME [VALUE]\n"
			    "Prints sample NAME's latest value, its "
			    "sequence number, age and freshness\n(-w: waits "
			    "for a new one, -t: MS at most); on the writer's "
			    "end, writes VALUE.\n",
			    prog);
			return 0;
		case 'w':
			wait = 1;
			break;
		case 't':
			if (parse_timeout("sample", optarg, &ts, &dl))
				return 2;
			wait = 1;
			break;
		default:
			return usage_error("sample", "bad option%s", "");
		}
	}
	if (argc - optind < 1 || argc - optind > 2)
		return usage_error("sample", "needs NAME [VALUE]%s", "");
	ch = open_end("sample", argv[optind]);
	if (!ch)
		return 1;
	tn_channel_info(ch, &info);
	if (argc - optind == 2) {
		const char *v = argv[optind + 1];

		n = info.role == TN_ROLE_WRITER
			? tn_sample_write(ch, v, strlen(v))
			: (fprintf(stderr,
				   "%s sample: this end of %s is its "
				   "reader: it cannot write VALUE\n",
				   prog, argv[optind]),
			   -EINVAL);
		tn_channel_close(ch);
		if (n && n != -EINVAL)
			return fail("sample", n);
		return n ? 1 : 0;
	}
	n = wait ? tn_sample_wait(ch, buf, sizeof(buf), &meta, dl)
		 : tn_sample_get(ch, buf, sizeof(buf), &meta);
	if (n == -ETIMEDOUT)
		fprintf(stderr, "%s sample: no new value of %s in time\n", prog,
			argv[optind]);
	else if (n < 0)
		fail("sample", n);
	else {
		print_value(buf, n);
		printf("seq %" PRIu64 ", age %" PRId64 ".%03" PRId64
		       " ms, %s\n",
		       meta.seq, meta.age_ns / 1000000,
		       (meta.age_ns < 0 ? -meta.age_ns : meta.age_ns) / 1000 %
			   1000,
		       meta.fresh ? "fresh" : "stale");
	}
	tn_channel_close(ch);
	return n < 0 ? 1 : 0;
}

static int cmd_write(int argc, char **argv)
{
	static uint8_t buf[BUF_MAX];
	struct tn_channel *ch;
	ssize_t n;

	if (argc == 2 && !strcmp(argv[1], "-h")) {
		printf("usage: %s write NAME\n"
		       "Copies standard input into stream NAME, waiting for "
		       "room as it goes.\n",
		       prog);
		return 0;
	}
	if (argc == 2 && argv[1][0] == '-')
		return usage_error("write", "bad option '%s'", argv[1]);
	if (argc != 2)
		return usage_error("write", "needs NAME%s", "");
	ch = open_end("write", argv[1]);
	if (!ch)
		return 1;
	while ((n = read(0, buf, sizeof(buf))) > 0) {
		long w = tn_stream_write(ch, buf, (size_t)n, NULL);

		if (w < n) {
			tn_channel_close(ch);
			return fail("write", w < 0 ? (int)w : -EIO);
		}
	}
	tn_channel_close(ch);
	if (n < 0) {
		fprintf(stderr, "%s write: standard input: %s\n", prog,
			strerror(errno));
		return 1;
	}
	return 0;
}

static int cmd_cat(int argc, char **argv)
{
	static uint8_t buf[BUF_MAX];
	int opt, follow = 0, status = 0;
	struct tn_channel *ch;
	long n;

	optind = 1;
	while ((opt = getopt(argc, argv, "+fh")) != -1) {
		switch (opt) {
		case 'h':
			printf("usage: %s cat [-f] NAME\n"
			       "Prints what stream NAME holds; -f: and what "
			       "comes after, for ever.\n",
			       prog);
			return 0;
		case 'f':
			follow = 1;
			break;
		default:
			return usage_error("cat", "bad option%s", "");
		}
	}
	if (argc - optind != 1)
		return usage_error("cat", "needs NAME%s", "");
	ch = open_end("cat", argv[optind]);
	if (!ch)
		return 1;
	for (;;) {
		n = tn_stream_read(ch, buf, sizeof(buf),
				   follow ? NULL : TN_NOWAIT);
		if (n > 0) {
			if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
				break;
			if (follow)
				fflush(stdout);
			continue;
		}
		if (n != -EAGAIN) {
			fail("cat", (int)n);
			status = 1;
			if (follow && n == -EIO)
				continue;
		}
		break;
	}
	tn_channel_close(ch);
	return status;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *what;
} commands[] = {
    {"channels", cmd_channels, "list this Linux's channel ends"},
    {"send", cmd_send, "queue a message"},
    {"recv", cmd_recv, "print a queue's messages"},
    {"sample", cmd_sample, "print (or write) a sample's value"},
    {"write", cmd_write, "copy standard input into a stream"},
    {"cat", cmd_cat, "print a stream's bytes"},
    {"ps", tenon_cmd_ps, "list the real-time partition's threads"},
    {"bench", tenon_cmd_bench, "time round trips through an echoing peer"},
    {"partition", tenon_cmd_partition,
     "list the partitions; stop, start, restart or load one"},
    {"hm", tenon_cmd_hm, "print (-f: follow) the health monitor's log"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: %s COMMAND [ARGS] (%s COMMAND -h: its usage)\n",
		prog, prog);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].what);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "%s: unknown command '%s'\n", prog, argv[1]);
	usage(stderr);
	return 2;
}
