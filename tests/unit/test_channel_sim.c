/*
 * Channels on the simulator (host only): the test declares the ends and
 * plays the peer partition itself, with channel_abi.h's functions on the
 * same region and the doorbell as an edge on the end's SPI. Blocking,
 * timeouts, poll, doorbells only when the peer waits, and a peer that
 * lies in its index or lengths.
 */
#include <string.h>
#include <tenon/channel.h>
#include <tenon/poll.h>
#include <tenon/sim.h>

#include "simtest.h"

#define BELL 50 /* the core's end's doorbell */
#define MSG 32
#define DEPTH 4

static _Alignas(4096) uint8_t region[64 * 1024];
static struct tn_chan_ring peer;
static struct tn_channel ch;
static struct event_log ev;
static int notified; /* doorbells the core rang */

static void on_notify(uint32_t id, void *arg)
{
	(void)arg;
	if (id == 7)
		notified++;
}

/* Declares one end "ch" of the given kind and role for the core. */
static void declare(uint32_t kind, uint32_t role, uint32_t depth,
		    uint32_t validity_us)
{
	struct tn_channel_desc d;

	memset(region, 0, sizeof(region));
	memset(&d, 0, sizeof(d));
	strcpy(d.name, "ch");
	strcpy(d.peer, "linux");
	d.id = 7;
	d.kind = kind;
	d.role = role;
	d.msg_size = kind == TN_CHAN_STREAM ? 0 : MSG;
	d.depth = depth;
	d.validity_us = validity_us;
	d.intid = BELL;
	d.region = region;
	d.size = sizeof(region);
	tn_sim_channel_clear();
	EXPECT_EQ(tn_sim_channel_add(&d), 0);
	tn_sim_channel_on_notify(on_notify, NULL);
	notified = 0;
	EXPECT_EQ(tn_chan_ring_init(&peer, region, sizeof(region), kind,
				    role == TN_CHAN_WRITER ? TN_CHAN_READER
							   : TN_CHAN_WRITER,
				    d.msg_size, depth),
		  0);
}

/* The peer rings the core's end when its wait flag says so. */
static void peer_ring(void)
{
	if (tn_chan_peer_waiting(&peer))
		tn_sim_irq_raise(BELL);
}

static void *peer_sends_later(void *arg)
{
	(void)arg;
	tn_sleep(TN_MSEC(2));
	EXPECT_EQ(tn_chan_queue_send(&peer, "hello", 5), 0);
	peer_ring();
	return NULL;
}

static int open_undeclared_main(void *arg)
{
	(void)arg;
	declare(TN_CHAN_QUEUE, TN_CHAN_READER, DEPTH, 0);
	EXPECT_EQ(tn_channel_open(&ch, "nosuch", NULL), -ENOENT);
	EXPECT_EQ(tn_channel_open(&ch, "ch", NULL), 0);
	EXPECT_EQ(tn_channel_open(&ch, "ch", NULL), -EBUSY);
	/* A reader's end cannot send, nor a queue be read as a stream. */
	EXPECT_EQ(tn_channel_trysend(&ch, "x", 1), -EINVAL);
	EXPECT_EQ(tn_channel_tryread(&ch, region, 1), -EINVAL);
	EXPECT_EQ(tn_channel_close(&ch), 0);
	EXPECT_EQ(tn_channel_tryreceive(&ch, region, 1), -EINVAL);
	EXPECT_EQ(tn_channel_open(&ch, "ch", NULL), 0);
	EXPECT_EQ(tn_channel_close(&ch), 0);
	return 0;
}

TEST(channel_open_undeclared_enoent_and_twice_ebusy)
{
	sim_run_main(1, 1, 50, open_undeclared_main, NULL);
}

static int receive_blocks_main(void *arg)
{
	struct tn_thread t;
	char buf[MSG];

	(void)arg;
	declare(TN_CHAN_QUEUE, TN_CHAN_READER, DEPTH, 0);
	EXPECT_EQ(tn_channel_open(&ch, "ch", NULL), 0);
	EXPECT_EQ(tn_channel_tryreceive(&ch, buf, sizeof(buf)), -EAGAIN);
	spawn(&t, "peer", TN_SCHED_FIFO, 20, TN_CPU(1), peer_sends_later, NULL);
	EXPECT_EQ(tn_channel_receive(&ch, buf, sizeof(buf), TN_INFINITE), 5);
	EXPECT_TIME(TN_MSEC(2));
	EXPECT(!memcmp(buf, "hello", 5));
	tn_thread_join(&t, NULL);
	/* The wait flag is down again: the peer would not ring. */
	EXPECT(!tn_chan_peer_waiting(&peer));
	EXPECT_EQ(tn_channel_receive(&ch, buf, sizeof(buf), AT(TN_MSEC(5))),
		  -ETIMEDOUT);
	EXPECT_TIME(TN_MSEC(5));
	EXPECT_EQ(tn_channel_close(&ch), 0);
	return 0;
}

TEST(channel_receive_blocks_until_peer_sends_then_times_out)
{
	sim_run_main(2, 1, 50, receive_blocks_main, NULL);
}

static void *peer_drains_later(void *arg)
{
	char buf[MSG];

	(void)arg;
	tn_sleep(TN_MSEC(3));
	EXPECT_EQ(tn_chan_queue_receive(&peer, buf, sizeof(buf)), 1);
	EXPECT_EQ(buf[0], '0');
	peer_ring();
	return NULL;
}

static int send_full_main(void *arg)
{
	struct tn_thread t;
	char buf[MSG];

	(void)arg;
	declare(TN_CHAN_QUEUE, TN_CHAN_WRITER, DEPTH, 0);
	EXPECT_EQ(tn_channel_open(&ch, "ch", NULL), 0);
	for (int i = 0; i < DEPTH; i++)
		EXPECT_EQ(tn_channel_trysend(&ch, (char[]){(char)('0' + i)}, 1),
			  0);
	/* Nobody waits on the other side: no doorbell was rung. */
	EXPECT_EQ(notified, 0);
	EXPECT_EQ(tn_channel_trysend(&ch, "x", 1), -EAGAIN);
	EXPECT_EQ(tn_channel_send(&ch, buf, MSG + 1, TN_INFINITE), -EMSGSIZE);
	spawn(&t, "peer", TN_SCHED_FIFO, 20, TN_CPU(1), peer_drains_later,
	      NULL);
	EXPECT_EQ(tn_channel_send(&ch, "4", 1, TN_INFINITE), 0);
	EXPECT_TIME(TN_MSEC(3));
	tn_thread_join(&t, NULL);
	/* Everything arrives once, in order. */
	for (int i = 1; i <= DEPTH; i++) {
		EXPECT_EQ(tn_chan_queue_receive(&peer, buf, sizeof(buf)), 1);
		EXPECT_EQ(buf[0], '0' + i);
	}
	EXPECT_EQ(tn_chan_queue_receive(&peer, buf, sizeof(buf)), -EAGAIN);
	EXPECT_EQ(tn_channel_close(&ch), 0);
	return 0;
}

TEST(channel_send_waits_for_room_and_delivers_in_order_once)
{
	sim_run_main(2, 1, 50, send_full_main, NULL);
}

static int doorbell_main(void *arg)
{
	(void)arg;
	declare(TN_CHAN_QUEUE, TN_CHAN_WRITER, DEPTH, 0);
	EXPECT_EQ(tn_channel_open(&ch, "ch", NULL), 0);
	EXPECT_EQ(tn_channel_trysend(&ch, "a", 1), 0);
	EXPECT_EQ(notified, 0);
	tn_chan_set_waiting(&peer, 1); /* the peer is about to sleep */
	EXPECT_EQ(tn_channel_trysend(&ch, "b", 1), 0);
	EXPECT_EQ(notified, 1);
	EXPECT_EQ(tn_channel_close(&ch), 0);
	return 0;
}

TEST(channel_rings_peer_only_when_it_waits)
{
	sim_run_main(1, 1, 50, doorbell_main, NULL);
}

static int corrupt_index_main(void *arg)
{
	struct tn_channel_info info;
	char buf[MSG];

	(void)arg;
	declare(TN_CHAN_QUEUE, TN_CHAN_READER, DEPTH, 0);
	EXPECT_EQ(tn_channel_open(&ch, "ch", NULL), 0);
	/* The writer claims more messages than the queue holds. */
	tn_chan_store64(region + TN_CHAN_HEAD, DEPTH + 9);
	EXPECT_EQ(tn_channel_tryreceive(&ch, buf, sizeof(buf)), -EIO);
	EXPECT_EQ(tn_channel_receive(&ch, buf, sizeof(buf), TN_INFINITE), -EIO);
	EXPECT_EQ(tn_channel_info(&ch, &info), 0);
	EXPECT_EQ(info.errors, 2);
	EXPECT_EQ(info.in_flight, -EIO);
	/* Back to sense: the channel works on. */
	tn_chan_store64(region + TN_CHAN_HEAD, 0);
	EXPECT_EQ(tn_chan_queue_send(&peer, "ok", 2), 0);
	EXPECT_EQ(tn_channel_tryreceive(&ch, buf, sizeof(buf)), 2);
	EXPECT_EQ(tn_channel_close(&ch), 0);
	return 0;
}

TEST(channel_corrupt_peer_index_gives_eio_and_counts)
{
	sim_run_main(1, 1, 50, corrupt_index_main, NULL);
}

static int corrupt_length_main(void *arg)
{
	char buf[MSG];

	(void)arg;
	declare(TN_CHAN_QUEUE, TN_CHAN_READER, DEPTH, 0);
	EXPECT_EQ(tn_channel_open(&ch, "ch", NULL), 0);
	EXPECT_EQ(tn_chan_queue_send(&peer, "first", 5), 0);
	EXPECT_EQ(tn_chan_queue_send(&peer, "second", 6), 0);
	/* The first message's length is past the channel's size. */
	tn_chan_store32(region + TN_CHAN_DATA, 0xffffff00u);
	EXPECT_EQ(tn_channel_tryreceive(&ch, buf, sizeof(buf)), -EIO);
	EXPECT_EQ(tn_channel_tryreceive(&ch, buf, sizeof(buf)), 6);
	EXPECT(!memcmp(buf, "second", 6));
	/* A buffer too small keeps the message for a larger one. */
	EXPECT_EQ(tn_chan_queue_send(&peer, "third", 5), 0);
	EXPECT_EQ(tn_channel_tryreceive(&ch, buf, 2), -EMSGSIZE);
	EXPECT_EQ(tn_channel_tryreceive(&ch, buf, sizeof(buf)), 5);
	EXPECT_EQ(tn_channel_close(&ch), 0);
	return 0;
}

TEST(channel_corrupt_length_drops_that_message_only)
{
	sim_run_main(1, 1, 50, corrupt_length_main, NULL);
}

static int sample_main(void *arg)
{
	struct tn_channel_sample s;
	char buf[MSG];

	(void)arg;
	declare(TN_CHAN_SAMPLE, TN_CHAN_READER, 0, 1000);
	EXPECT_EQ(tn_channel_open(&ch, "ch", NULL), 0);
	EXPECT_EQ(tn_channel_read_sample(&ch, buf, sizeof(buf), &s), -ENODATA);
	tn_sleep(TN_MSEC(1));
	EXPECT_EQ(
	    tn_chan_sample_write(&peer, "v1", 2, (uint64_t)tn_clock_read()), 0);
	EXPECT_EQ(
	    tn_chan_sample_write(&peer, "v2", 2, (uint64_t)tn_clock_read()), 0);
	tn_sleep(TN_USEC(500));
	EXPECT_EQ(tn_channel_read_sample(&ch, buf, sizeof(buf), &s), 2);
	EXPECT(!memcmp(buf, "v2", 2));
	EXPECT_EQ(s.seq, 2);
	EXPECT_EQ(s.age, TN_USEC(500));
	EXPECT(s.fresh);
	tn_sleep(TN_MSEC(1));
	EXPECT_EQ(tn_channel_read_sample(&ch, buf, sizeof(buf), &s), 2);
	EXPECT(!s.fresh);
	/* Nothing newer than what was read: read_new waits, then times out. */
	EXPECT_EQ(tn_channel_read_new_sample(&ch, buf, sizeof(buf), &s,
					     AT(TN_MSEC(4))),
		  -ETIMEDOUT);
	EXPECT_EQ(tn_channel_close(&ch), 0);
	return 0;
}

TEST(channel_sample_latest_value_with_age_and_freshness)
{
	sim_run_main(1, 1, 50, sample_main, NULL);
}

static void *peer_publishes_later(void *arg)
{
	(void)arg;
	tn_sleep(TN_MSEC(2));
	EXPECT_EQ(tn_chan_sample_write(&peer, "new", 3, 0), 0);
	peer_ring(); /* a sample's writer always rings */
	return NULL;
}

static int sample_new_main(void *arg)
{
	struct tn_channel_sample s;
	struct tn_thread t;
	char buf[MSG];

	(void)arg;
	declare(TN_CHAN_SAMPLE, TN_CHAN_READER, 0, 0);
	EXPECT_EQ(tn_channel_open(&ch, "ch", NULL), 0);
	spawn(&t, "peer", TN_SCHED_FIFO, 20, TN_CPU(1), peer_publishes_later,
	      NULL);
	EXPECT_EQ(
	    tn_channel_read_new_sample(&ch, buf, sizeof(buf), &s, TN_INFINITE),
	    3);
	EXPECT_TIME(TN_MSEC(2));
	EXPECT(s.fresh); /* no validity period: always fresh */
	tn_thread_join(&t, NULL);
	EXPECT_EQ(tn_channel_close(&ch), 0);
	return 0;
}

TEST(channel_read_new_sample_waits_for_the_next_write)
{
	sim_run_main(2, 1, 50, sample_new_main, NULL);
}

static int poll_main(void *arg)
{
	struct tn_poll_set set;
	struct tn_poll_item item;
	struct tn_poll_event e;
	struct tn_thread t;
	char buf[MSG];

	(void)arg;
	declare(TN_CHAN_QUEUE, TN_CHAN_READER, DEPTH, 0);
	EXPECT_EQ(tn_channel_open(&ch, "ch", NULL), 0);
	EXPECT_EQ(tn_poll_init(&set), 0);
	EXPECT_EQ(tn_poll_add(&set, &item, TN_POLL_CHANNEL, &ch, &ch), 0);
	/* While watched, the end asks for doorbells. */
	EXPECT(tn_chan_peer_waiting(&peer));
	spawn(&t, "peer", TN_SCHED_FIFO, 20, TN_CPU(1), peer_sends_later, NULL);
	EXPECT_EQ(tn_poll_wait(&set, &e, 1, TN_INFINITE), 1);
	EXPECT_TIME(TN_MSEC(2));
	EXPECT(e.data == &ch && e.type == TN_POLL_CHANNEL);
	EXPECT_EQ(tn_channel_tryreceive(&ch, buf, sizeof(buf)), 5);
	tn_thread_join(&t, NULL);
	EXPECT_EQ(tn_poll_del(&set, &item), 0);
	EXPECT(!tn_chan_peer_waiting(&peer));
	EXPECT_EQ(tn_poll_destroy(&set), 0);
	EXPECT_EQ(tn_channel_close(&ch), 0);
	return 0;
}

TEST(channel_poll_wakes_on_peer_doorbell)
{
	sim_run_main(2, 1, 50, poll_main, NULL);
}

static void *receiver(void *arg)
{
	char buf[MSG];
	int ret = tn_channel_receive(&ch, buf, sizeof(buf), TN_INFINITE);

	(void)arg;
	log_add_time(&ev, ret == -EIDRM ? "removed" : "other");
	return NULL;
}

static int close_main(void *arg)
{
	struct tn_thread t;

	(void)arg;
	declare(TN_CHAN_QUEUE, TN_CHAN_READER, DEPTH, 0);
	EXPECT_EQ(tn_channel_open(&ch, "ch", NULL), 0);
	spawn(&t, "receiver", TN_SCHED_FIFO, 20, TN_CPU(1), receiver, NULL);
	tn_sleep(TN_MSEC(1));
	EXPECT_EQ(tn_channel_close(&ch), 0);
	tn_thread_join(&t, NULL);
	return 0;
}

TEST(channel_close_releases_waiters_with_eidrm)
{
	memset(&ev, 0, sizeof(ev));
	sim_run_main(2, 1, 50, close_main, NULL);
	EXPECT_STREQ(log_str(&ev), "removed@1");
}

static void *stream_peer(void *arg)
{
	uint8_t buf[16];
	size_t got = 0;

	(void)arg;
	while (got < 40) {
		int n = tn_chan_stream_read(&peer, buf, sizeof(buf));

		if (n == -EAGAIN) {
			tn_sleep(TN_MSEC(1));
			continue;
		}
		EXPECT(n > 0);
		for (int i = 0; i < n; i++)
			EXPECT_EQ(buf[i], (uint8_t)(got + (size_t)i));
		got += (size_t)n;
		peer_ring();
	}
	return NULL;
}

static int stream_main(void *arg)
{
	uint8_t data[40];
	struct tn_thread t;
	size_t sent = 0;

	(void)arg;
	for (int i = 0; i < 40; i++)
		data[i] = (uint8_t)i;
	declare(TN_CHAN_STREAM, TN_CHAN_WRITER, 10, 0);
	EXPECT_EQ(tn_channel_open(&ch, "ch", NULL), 0);
	EXPECT_EQ(tn_channel_trywrite(&ch, data, 40), 10);
	EXPECT_EQ(tn_channel_trywrite(&ch, data, 40), -EAGAIN);
	sent = 10;
	spawn(&t, "peer", TN_SCHED_FIFO, 20, TN_CPU(1), stream_peer, NULL);
	while (sent < 40) {
		int n = tn_channel_write(&ch, data + sent, 40 - sent,
					 AT(TN_MSEC(100)));

		EXPECT(n > 0);
		if (n <= 0)
			break;
		sent += (size_t)n;
	}
	tn_thread_join(&t, NULL);
	EXPECT_EQ(tn_channel_close(&ch), 0);
	return 0;
}

TEST(channel_stream_carries_bytes_in_order_through_a_small_buffer)
{
	sim_run_main(2, 1, 50, stream_main, NULL);
}
