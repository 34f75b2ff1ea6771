/*
 * echo: sends back what another partition sends, on every pair of
 * channels the system gives this partition for it, each pair served by
 * its own thread blocked on the incoming channel:
 *
 *   queue  NAME-in  -> queue  NAME-out    each message, as it came
 *   stream NAME-in  -> stream NAME-out    the bytes, in order
 *   sample NAME-in  -> sample NAME-out    each new value, as it came
 *
 * for every NAME with both channels (the tests' and the channel
 * benchmark's peer on the real-time side). Options:
 *   -P PRIORITY   the threads' priority, 1..99 (default 50)
 *   -i PRIORITY   the doorbells' handler threads' priority; 0: interrupt
 *                 context (default)
 *   -q            quiet: no line per pair at the start
 *   -r COUNT      restart the partition after COUNT echoes (the tests'
 *                 way to restart the real-time end of a channel)
 *   -x WORD       end when a queue brings WORD (the benchmark's way to
 *                 end its run), instead of sending it back
 * Runs until stopped; a thread whose channel fails says why and ends.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tenon/channel.h>
#include <tenon/tenon.h>

#define MAX_PAIRS 8
#define BUF_SIZE 4096

struct pair {
	char name[TN_CHAN_NAME_MAX];
	struct tn_channel in, out;
	uint32_t kind;
	struct tn_thread thread;
	uint8_t buf[BUF_SIZE];
	uint64_t echoed;
};

static struct pair pairs[MAX_PAIRS];
static int npairs;
static int priority = 50;
static struct tn_channel_attr bell;
static bool quiet;
static long restart_after;    /* echoes; 0: never */
static long echoes;	      /* of every pair, for restart_after */
static const char *quit_word; /* -x */

/* Sends all of buf on a stream, waiting for room as long as it takes. */
static int write_all(struct tn_channel *ch, const uint8_t *buf, size_t len)
{
	while (len) {
		int n = tn_channel_write(ch, buf, len, TN_INFINITE);

		if (n < 0)
			return n;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int echo_once(struct pair *p)
{
	struct tn_channel_sample s;
	int n;

	switch (p->kind) {
	case TN_CHAN_QUEUE:
		n = tn_channel_receive(&p->in, p->buf, BUF_SIZE, TN_INFINITE);
		if (quit_word && n == (int)strlen(quit_word) &&
		    !memcmp(p->buf, quit_word, (size_t)n)) {
			printf("echo: %s: '%s' came: ending\n", p->name,
			       quit_word);
			exit(0);
		}
		return n < 0 ? n
			     : tn_channel_send(&p->out, p->buf, (size_t)n,
					       TN_INFINITE);
	case TN_CHAN_STREAM:
		n = tn_channel_read(&p->in, p->buf, BUF_SIZE, TN_INFINITE);
		return n < 0 ? n : write_all(&p->out, p->buf, (size_t)n);
	default:
		n = tn_channel_read_new_sample(&p->in, p->buf, BUF_SIZE, &s,
					       TN_INFINITE);
		return n < 0 ? n
			     : tn_channel_publish(&p->out, p->buf, (size_t)n);
	}
}

static void *serve(void *arg)
{
	struct pair *p = arg;

	for (;;) {
		int ret = echo_once(p);

		/*
		 * A corrupt message was dropped and counted: go on. A
		 * corrupt index stays until the peer mends it, and every
		 * call fails at once meanwhile: look again a little later
		 * rather than spin, so the other pairs at this priority run.
		 */
		if (ret == -EIO) {
			tn_sleep(TN_MSEC(1));
			continue;
		}
		if (ret == -EMSGSIZE)
			continue;
		if (ret < 0) {
			printf("echo: %s: stopped (error %d)\n", p->name, ret);
			return NULL;
		}
		p->echoed++;
		if (restart_after &&
		    __atomic_add_fetch(&echoes, 1, __ATOMIC_RELAXED) ==
			restart_after) {
			printf("echo: %ld echoed: restarting the partition\n",
			       restart_after);
			tn_restart();
		}
	}
}

/* Opens NAME-in and NAME-out if both are there and of one kind. */
static void add_pair(const char *in_name)
{
	struct pair *p = &pairs[npairs];
	struct tn_channel_info in, out;
	char out_name[TN_CHAN_NAME_MAX];
	size_t len = strlen(in_name) - 3;

	if (npairs == MAX_PAIRS)
		return;
	memcpy(p->name, in_name, len);
	p->name[len] = 0;
	snprintf(out_name, sizeof(out_name), "%s-out", p->name);
	if (tn_channel_open(&p->in, in_name, &bell))
		return;
	if (tn_channel_open(&p->out, out_name, &bell)) {
		tn_channel_close(&p->in);
		return;
	}
	tn_channel_info(&p->in, &in);
	tn_channel_info(&p->out, &out);
	if (in.kind != out.kind || in.role != TN_CHAN_READER ||
	    out.role != TN_CHAN_WRITER) {
		printf("echo: %s: %s and %s are not one kind, read and "
		       "written here: left alone\n",
		       p->name, in_name, out_name);
		tn_channel_close(&p->in);
		tn_channel_close(&p->out);
		return;
	}
	p->kind = in.kind;
	npairs++;
	if (!quiet)
		printf("echo: %s: %s from %s back to %s\n", p->name,
		       in.kind == TN_CHAN_QUEUE	   ? "messages"
		       : in.kind == TN_CHAN_STREAM ? "bytes"
						   : "samples",
		       in.peer, out.peer);
}

static int usage(int status)
{
	fprintf(status ? stderr : stdout,
		"usage: echo [-P PRIORITY] [-i PRIORITY] [-q] [-r COUNT] "
		"[-x WORD]\n");
	return status;
}

int tn_main(int argc, char *argv[])
{
	struct tn_thread_attr attr;
	char name[TN_CHAN_NAME_MAX];
	int c;

	tn_channel_attr_init(&bell);
	while ((c = getopt(argc, argv, "P:i:qr:x:h")) != -1) {
		switch (c) {
		case 'P':
			priority = atoi(optarg);
			if (priority < TN_PRIO_MIN || priority > TN_PRIO_MAX)
				return usage(2);
			break;
		case 'i':
			bell.irq_priority = atoi(optarg);
			if (bell.irq_priority < 0 ||
			    bell.irq_priority > TN_PRIO_MAX)
				return usage(2);
			break;
		case 'q':
			quiet = true;
			break;
		case 'x':
			quit_word = optarg;
			break;
		case 'r':
			restart_after = atol(optarg);
			if (restart_after < 1)
				return usage(2);
			break;
		case 'h':
			return usage(0);
		default:
			return usage(2);
		}
	}
	for (unsigned int i = 0; !tn_channel_name(i, name); i++) {
		size_t n = strlen(name);

		if (n > 3 && !strcmp(name + n - 3, "-in"))
			add_pair(name);
	}
	if (!npairs) {
		printf("echo: no NAME-in/NAME-out channel pair here\n");
		return 1;
	}
	for (int i = 0; i < npairs; i++) {
		tn_thread_attr_init(&attr);
		attr.name = pairs[i].name;
		attr.sched.priority = priority;
		if (tn_thread_create(&pairs[i].thread, &attr, serve,
				     &pairs[i])) {
			printf("echo: %s: no thread\n", pairs[i].name);
			return 1;
		}
	}
	printf("echo: %d pair%s served\n", npairs, npairs > 1 ? "s" : "");
	for (int i = 0; i < npairs; i++)
		tn_thread_join(&pairs[i].thread, NULL);
	return 0;
}
