/*
 * libtenon on the host, against the fake device of fake.h: finding and
 * opening ends, every kind in both directions, full and empty, deadlines,
 * doorbells and poll(), and a peer that leaves corrupt indices and
 * lengths (-EIO and an error count, never a crash).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "fake.h"
#include "harness.h"
#include "tenon.h"

static struct fake fk;

static int64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static struct tn_channel *open_ok(const char *name)
{
	struct tn_channel *ch = NULL;
	int err = tn_channel_open(name, &ch);

	if (err)
		test_fail(__FILE__, __LINE__, "open %s: %d: %s", name, err,
			  tn_last_error());
	return ch;
}

/* A peer thread that runs fn(e) after ms milliseconds. */
struct later {
	pthread_t t;
	struct fake_end *e;
	void (*fn)(struct fake_end *e);
	int ms;
};

static void *later_main(void *arg)
{
	struct later *l = arg;

	usleep((useconds_t)l->ms * 1000);
	l->fn(l->e);
	return NULL;
}

static void later(struct later *l, struct fake_end *e,
		  void (*fn)(struct fake_end *e), int ms)
{
	l->e = e;
	l->fn = fn;
	l->ms = ms;
	if (pthread_create(&l->t, NULL, later_main, l))
		abort();
}

static void peer_send(struct fake_end *e)
{
	if (tn_chan_queue_send(&e->peer, "late", 4))
		abort();
	fake_kick(e);
}

static void peer_take(struct fake_end *e)
{
	char buf[64];

	if (tn_chan_queue_receive(&e->peer, buf, sizeof(buf)) < 0)
		abort();
	fake_kick(e);
}

TEST(open_unknown_channel_gives_enoent)
{
	struct tn_channel *ch;

	fake_init(&fk, 1);
	fake_add(&fk, "setpoint", TN_CHAN_QUEUE, TN_CHAN_WRITER, 64, 16, 0, 1);
	EXPECT_EQ(tn_channel_open("nosuch", &ch), -ENOENT);
	EXPECT(strstr(tn_last_error(), "nosuch"));
	EXPECT(ch == NULL);
	fake_fini(&fk);
}

TEST(open_bad_name_gives_einval)
{
	struct tn_channel *ch;

	fake_init(&fk, 1);
	EXPECT_EQ(tn_channel_open("Bad/Name", &ch), -EINVAL);
	EXPECT_EQ(tn_channel_open("", &ch), -EINVAL);
	EXPECT_EQ(tn_channel_open("a-name-too-long-x", &ch), -EINVAL);
	fake_fini(&fk);
}

TEST(open_without_uio_driver_says_to_load_it)
{
	struct tn_channel *ch;

	fake_init(&fk, 0);
	fake_add(&fk, "setpoint", TN_CHAN_QUEUE, TN_CHAN_WRITER, 64, 16, 0, 0);
	EXPECT_EQ(tn_channel_open("setpoint", &ch), -ENODEV);
	EXPECT(strstr(tn_last_error(), "modprobe uio_pci_generic"));
	fake_fini(&fk);
}

TEST(open_of_other_register_version_gives_eproto)
{
	struct tn_channel *ch;
	struct fake_end *e;

	fake_init(&fk, 1);
	e = fake_add(&fk, "setpoint", TN_CHAN_QUEUE, TN_CHAN_WRITER, 64, 16, 0,
		     1);
	/* The list skips a function it cannot read: it is not found. */
	*(volatile uint32_t *)(e->bar0 + TN_CHAN_REG_VERSION) = 99;
	EXPECT_EQ(tn_channel_open("setpoint", &ch), -ENOENT);
	EXPECT_EQ(tn_channel_list(NULL, 0), 0);
	fake_fini(&fk);
}

TEST(open_of_disagreeing_sizes_gives_eproto)
{
	struct tn_channel *ch;
	struct fake_end *e;

	fake_init(&fk, 1);
	e = fake_add(&fk, "setpoint", TN_CHAN_QUEUE, TN_CHAN_WRITER, 64, 16, 0,
		     1);
	*(volatile uint32_t *)(e->bar0 + TN_CHAN_REG_DEPTH) = 100000;
	EXPECT_EQ(tn_channel_open("setpoint", &ch), -EPROTO);
	EXPECT(strstr(tn_last_error(), "depth 100000"));
	fake_fini(&fk);
}

TEST(second_open_of_an_end_gives_ebusy_until_closed)
{
	struct tn_channel *a, *b;

	fake_init(&fk, 1);
	fake_add(&fk, "setpoint", TN_CHAN_QUEUE, TN_CHAN_WRITER, 64, 16, 0, 1);
	a = open_ok("setpoint");
	/* flock is per open file: a second open in this process conflicts
	 * as another process's would. */
	EXPECT_EQ(tn_channel_open("setpoint", &b), -EBUSY);
	tn_channel_close(a);
	b = open_ok("setpoint");
	tn_channel_close(b);
	fake_fini(&fk);
}

TEST(list_shows_every_channel_end)
{
	struct tn_channel_info info[4];
	struct fake_end *q;

	fake_init(&fk, 1);
	q = fake_add(&fk, "setpoint", TN_CHAN_QUEUE, TN_CHAN_WRITER, 64, 16, 0,
		     1);
	fake_add(&fk, "state", TN_CHAN_SAMPLE, TN_CHAN_READER, 256, 0, 100000,
		 1);
	fake_add(&fk, "log", TN_CHAN_STREAM, TN_CHAN_READER, 0, 65536, 0, 1);
	tn_chan_publish(&q->peer, 0);
	EXPECT_EQ(tn_channel_list(info, 4), 3);
	EXPECT_STREQ(info[0].name, "setpoint");
	EXPECT_EQ(info[0].kind, TN_KIND_QUEUE);
	EXPECT_EQ(info[0].role, TN_ROLE_WRITER);
	EXPECT_EQ(info[0].msg_size, 64);
	EXPECT_EQ(info[0].depth, 16);
	EXPECT_STREQ(info[0].peer, "rt");
	EXPECT_EQ(info[0].uio, 0);
	EXPECT_EQ(info[0].in_flight, 0);
	EXPECT_STREQ(info[1].name, "state");
	EXPECT_EQ(info[1].validity_us, 100000);
	EXPECT_STREQ(info[2].name, "log");
	EXPECT_EQ(info[2].depth, 65536);
	EXPECT_STREQ(info[2].device, "0000:00:03.0");
	fake_fini(&fk);
}

TEST(queue_messages_from_linux_arrive_in_order_and_ring)
{
	struct tn_channel *ch;
	struct fake_end *e;
	char buf[64];

	fake_init(&fk, 1);
	e = fake_add(&fk, "setpoint", TN_CHAN_QUEUE, TN_CHAN_WRITER, 64, 16, 0,
		     1);
	ch = open_ok("setpoint");
	tn_chan_set_waiting(&e->peer, 1);
	for (int i = 0; i < 40; i++) {
		int len = snprintf(buf, sizeof(buf), "msg %d", i);

		EXPECT_EQ(tn_queue_send(ch, buf, (size_t)len, TN_NOWAIT), 0);
		EXPECT_EQ(tn_chan_queue_receive(&e->peer, buf, sizeof(buf)),
			  len);
		buf[len] = 0;
		char want[16];
		snprintf(want, sizeof(want), "msg %d", i);
		EXPECT_STREQ(buf, want);
	}
	EXPECT_EQ(fake_linux_rang(e), 40);
	tn_channel_close(ch);
	fake_fini(&fk);
}

TEST(queue_send_rings_only_a_waiting_reader)
{
	struct tn_channel *ch;
	struct fake_end *e;

	fake_init(&fk, 1);
	e = fake_add(&fk, "setpoint", TN_CHAN_QUEUE, TN_CHAN_WRITER, 64, 16, 0,
		     1);
	ch = open_ok("setpoint");
	EXPECT_EQ(tn_queue_send(ch, "x", 1, TN_NOWAIT), 0);
	EXPECT_EQ(fake_linux_rang(e), 0);
	tn_chan_set_waiting(&e->peer, 1);
	EXPECT_EQ(tn_queue_send(ch, "y", 1, TN_NOWAIT), 0);
	EXPECT_EQ(fake_linux_rang(e), 1);
	tn_channel_close(ch);
	fake_fini(&fk);
}

TEST(queue_full_gives_eagain_now_and_etimedout_at_the_deadline)
{
	struct tn_channel *ch;
	struct timespec dl;
	int64_t t0;

	fake_init(&fk, 1);
	fake_add(&fk, "setpoint", TN_CHAN_QUEUE, TN_CHAN_WRITER, 8, 4, 0, 1);
	ch = open_ok("setpoint");
	for (int i = 0; i < 4; i++)
		EXPECT_EQ(tn_queue_send(ch, "abc", 3, TN_NOWAIT), 0);
	EXPECT_EQ(tn_queue_send(ch, "abc", 3, TN_NOWAIT), -EAGAIN);
	t0 = now_ns();
	dl = tn_deadline_in(50000000);
	EXPECT_EQ(tn_queue_send(ch, "abc", 3, &dl), -ETIMEDOUT);
	EXPECT(now_ns() - t0 >= 50000000);
	tn_channel_close(ch);
	fake_fini(&fk);
}

TEST(queue_empty_receive_times_out)
{
	struct tn_channel *ch;
	struct timespec dl;
	char buf[8];
	int64_t t0;

	fake_init(&fk, 1);
	fake_add(&fk, "cmd", TN_CHAN_QUEUE, TN_CHAN_READER, 8, 4, 0, 1);
	ch = open_ok("cmd");
	EXPECT_EQ(tn_queue_receive(ch, buf, sizeof(buf), TN_NOWAIT), -EAGAIN);
	t0 = now_ns();
	dl = tn_deadline_in(30000000);
	EXPECT_EQ(tn_queue_receive(ch, buf, sizeof(buf), &dl), -ETIMEDOUT);
	EXPECT(now_ns() - t0 >= 30000000);
	tn_channel_close(ch);
	fake_fini(&fk);
}

TEST(queue_blocking_receive_wakes_on_the_doorbell)
{
	struct tn_channel *ch;
	struct fake_end *e;
	struct timespec dl;
	struct later l;
	char buf[8];

	fake_init(&fk, 1);
	e = fake_add(&fk, "cmd", TN_CHAN_QUEUE, TN_CHAN_READER, 8, 4, 0, 1);
	ch = open_ok("cmd");
	later(&l, e, peer_send, 50);
	dl = tn_deadline_in(5000000000);
	EXPECT_EQ(tn_queue_receive(ch, buf, sizeof(buf), &dl), 4);
	EXPECT(!memcmp(buf, "late", 4));
	pthread_join(l.t, NULL);
	EXPECT_EQ(e->rung, 1);
	/* Its wait flag is down again: the next send rings nobody. */
	EXPECT(!tn_chan_peer_waiting(&e->peer));
	tn_channel_close(ch);
	fake_fini(&fk);
}

TEST(queue_blocking_send_wakes_when_the_peer_makes_room)
{
	struct tn_channel *ch;
	struct fake_end *e;
	struct timespec dl;
	struct later l;

	fake_init(&fk, 1);
	e = fake_add(&fk, "setpoint", TN_CHAN_QUEUE, TN_CHAN_WRITER, 8, 2, 0,
		     1);
	ch = open_ok("setpoint");
	EXPECT_EQ(tn_queue_send(ch, "1", 1, NULL), 0);
	EXPECT_EQ(tn_queue_send(ch, "2", 1, NULL), 0);
	later(&l, e, peer_take, 50);
	dl = tn_deadline_in(5000000000);
	EXPECT_EQ(tn_queue_send(ch, "3", 1, &dl), 0);
	pthread_join(l.t, NULL);
	EXPECT_EQ(e->rung, 1);
	tn_channel_close(ch);
	fake_fini(&fk);
}

/* The peer publishes and rings just before the ack: a reordering of the
 * wait (looking before acking) would lose it and time out. */
static void ring_now(struct fake_end *e)
{
	e->before_ack = NULL;
	peer_send(e);
}

TEST(doorbell_just_before_the_ack_is_not_lost)
{
	struct tn_channel *ch;
	struct fake_end *e;
	struct timespec dl;
	char buf[8];
	int64_t t0;

	fake_init(&fk, 1);
	e = fake_add(&fk, "cmd", TN_CHAN_QUEUE, TN_CHAN_READER, 8, 4, 0, 1);
	ch = open_ok("cmd");
	e->before_ack = ring_now;
	t0 = now_ns();
	dl = tn_deadline_in(2000000000);
	EXPECT_EQ(tn_queue_receive(ch, buf, sizeof(buf), &dl), 4);
	/* At once, not by a look after the deadline's poll ran out. */
	EXPECT(now_ns() - t0 < 1000000000);
	tn_channel_close(ch);
	fake_fini(&fk);
}

static void ring_at_unmask(struct fake_end *e)
{
	e->before_unmask = NULL;
	peer_send(e);
}

TEST(doorbell_just_before_the_unmask_is_not_lost)
{
	struct tn_channel *ch;
	struct fake_end *e;
	struct timespec dl;
	char buf[8];
	int64_t t0;

	fake_init(&fk, 1);
	e = fake_add(&fk, "cmd", TN_CHAN_QUEUE, TN_CHAN_READER, 8, 4, 0, 1);
	ch = open_ok("cmd");
	e->before_unmask = ring_at_unmask;
	t0 = now_ns();
	dl = tn_deadline_in(2000000000);
	EXPECT_EQ(tn_queue_receive(ch, buf, sizeof(buf), &dl), 4);
	/* At once, not by a look after the deadline's poll ran out. */
	EXPECT(now_ns() - t0 < 1000000000);
	tn_channel_close(ch);
	fake_fini(&fk);
}

TEST(poll_on_the_fd_sees_the_doorbell)
{
	struct tn_channel *ch;
	struct fake_end *e;
	struct pollfd pfd;
	struct later l;
	char buf[8];

	fake_init(&fk, 1);
	e = fake_add(&fk, "cmd", TN_CHAN_QUEUE, TN_CHAN_READER, 8, 4, 0, 1);
	ch = open_ok("cmd");
	EXPECT_EQ(tn_channel_arm(ch), 0);
	pfd.fd = tn_channel_fd(ch);
	pfd.events = POLLIN;
	EXPECT_EQ(poll(&pfd, 1, 0), 0);
	later(&l, e, peer_send, 20);
	EXPECT_EQ(poll(&pfd, 1, 5000), 1);
	EXPECT(pfd.revents & POLLIN);
	EXPECT_EQ(tn_queue_receive(ch, buf, sizeof(buf), TN_NOWAIT), 4);
	pthread_join(l.t, NULL);
	/* Armed when data is there: ready at once. */
	peer_send(e);
	EXPECT_EQ(tn_channel_arm(ch), 1);
	tn_channel_close(ch);
	fake_fini(&fk);
}

TEST(queue_message_larger_than_msg_size_gives_emsgsize)
{
	struct tn_channel *ch;
	char big[65] = {0};

	fake_init(&fk, 1);
	fake_add(&fk, "setpoint", TN_CHAN_QUEUE, TN_CHAN_WRITER, 64, 16, 0, 1);
	ch = open_ok("setpoint");
	EXPECT_EQ(tn_queue_send(ch, big, 65, TN_NOWAIT), -EMSGSIZE);
	EXPECT_EQ(tn_queue_send(ch, big, 64, TN_NOWAIT), 0);
	tn_channel_close(ch);
	fake_fini(&fk);
}

TEST(queue_receive_into_a_small_buffer_keeps_the_message)
{
	struct tn_channel *ch;
	struct fake_end *e;
	char buf[8];

	fake_init(&fk, 1);
	e = fake_add(&fk, "cmd", TN_CHAN_QUEUE, TN_CHAN_READER, 8, 4, 0, 1);
	ch = open_ok("cmd");
	EXPECT_EQ(tn_chan_queue_send(&e->peer, "12345678", 8), 0);
	EXPECT_EQ(tn_queue_receive(ch, buf, 4, TN_NOWAIT), -EMSGSIZE);
	EXPECT_EQ(tn_queue_receive(ch, buf, 8, TN_NOWAIT), 8);
	tn_channel_close(ch);
	fake_fini(&fk);
}

TEST(queue_corrupt_head_gives_eio_and_counts_never_waits)
{
	struct tn_channel_info info;
	struct tn_channel *ch;
	struct fake_end *e;
	char buf[8];

	fake_init(&fk, 1);
	e = fake_add(&fk, "cmd", TN_CHAN_QUEUE, TN_CHAN_READER, 8, 4, 0, 1);
	ch = open_ok("cmd");
	tn_chan_store64(e->region + TN_CHAN_HEAD, 1000);
	EXPECT_EQ(tn_queue_receive(ch, buf, sizeof(buf), TN_NOWAIT), -EIO);
	EXPECT_EQ(tn_queue_receive(ch, buf, sizeof(buf), NULL), -EIO);
	EXPECT(strstr(tn_last_error(), "corrupt"));
	tn_channel_info(ch, &info);
	EXPECT(info.errors >= 2);
	EXPECT_EQ(info.in_flight, -EIO);
	/* An intact head again: the channel works. */
	tn_chan_store64(e->region + TN_CHAN_HEAD, 0);
	EXPECT_EQ(tn_chan_queue_send(&e->peer, "ok", 2), 0);
	EXPECT_EQ(tn_queue_receive(ch, buf, sizeof(buf), TN_NOWAIT), 2);
	tn_channel_close(ch);
	fake_fini(&fk);
}

TEST(queue_corrupt_length_skips_that_message_only)
{
	struct tn_channel *ch;
	struct fake_end *e;
	char buf[8];

	fake_init(&fk, 1);
	e = fake_add(&fk, "cmd", TN_CHAN_QUEUE, TN_CHAN_READER, 8, 4, 0, 1);
	ch = open_ok("cmd");
	EXPECT_EQ(tn_chan_queue_send(&e->peer, "first", 5), 0);
	EXPECT_EQ(tn_chan_queue_send(&e->peer, "second", 6), 0);
	tn_chan_store32(e->region + TN_CHAN_DATA, 0xffffffffu);
	EXPECT_EQ(tn_queue_receive(ch, buf, sizeof(buf), TN_NOWAIT), -EIO);
	EXPECT_EQ(tn_queue_receive(ch, buf, sizeof(buf), TN_NOWAIT), 6);
	EXPECT(!memcmp(buf, "second", 6));
	tn_channel_close(ch);
	fake_fini(&fk);
}

TEST(queue_corrupt_tail_from_the_reader_gives_eio_on_send)
{
	struct tn_channel *ch;
	struct fake_end *e;

	fake_init(&fk, 1);
	e = fake_add(&fk, "setpoint", TN_CHAN_QUEUE, TN_CHAN_WRITER, 8, 4, 0,
		     1);
	ch = open_ok("setpoint");
	tn_chan_store64(e->region + TN_CHAN_TAIL, 77);
	EXPECT_EQ(tn_queue_send(ch, "x", 1, NULL), -EIO);
	tn_channel_close(ch);
	fake_fini(&fk);
}

TEST(queue_index_survives_reopening_the_end)
{
	struct tn_channel *ch;
	struct fake_end *e;
	char buf[8];

	fake_init(&fk, 1);
	e = fake_add(&fk, "setpoint", TN_CHAN_QUEUE, TN_CHAN_WRITER, 8, 4, 0,
		     1);
	ch = open_ok("setpoint");
	EXPECT_EQ(tn_queue_send(ch, "a", 1, NULL), 0);
	tn_channel_close(ch);
	ch = open_ok("setpoint");
	EXPECT_EQ(tn_queue_send(ch, "b", 1, NULL), 0);
	EXPECT_EQ(tn_chan_queue_receive(&e->peer, buf, 8), 1);
	EXPECT_EQ(buf[0], 'a');
	EXPECT_EQ(tn_chan_queue_receive(&e->peer, buf, 8), 1);
	EXPECT_EQ(buf[0], 'b');
	EXPECT_EQ(tn_chan_queue_receive(&e->peer, buf, 8), -EAGAIN);
	tn_channel_close(ch);
	fake_fini(&fk);
}

TEST(sample_before_any_write_gives_enodata)
{
	struct tn_channel *ch;
	char buf[16];

	fake_init(&fk, 1);
	fake_add(&fk, "state", TN_CHAN_SAMPLE, TN_CHAN_READER, 16, 0, 0, 1);
	ch = open_ok("state");
	EXPECT_EQ(tn_sample_get(ch, buf, sizeof(buf), NULL), -ENODATA);
	tn_channel_close(ch);
	fake_fini(&fk);
}

TEST(sample_get_gives_the_latest_value_with_its_sequence_and_freshness)
{
	struct tn_sample_meta m;
	struct tn_channel *ch;
	struct fake_end *e;
	char buf[16];

	fake_init(&fk, 1);
	e = fake_add(&fk, "state", TN_CHAN_SAMPLE, TN_CHAN_READER, 16, 0,
		     1000000, 1);
	ch = open_ok("state");
	EXPECT_EQ(tn_chan_sample_write(&e->peer, "one", 3, tn_counter()), 0);
	EXPECT_EQ(tn_chan_sample_write(&e->peer, "two", 3, tn_counter()), 0);
	EXPECT_EQ(tn_sample_get(ch, buf, sizeof(buf), &m), 3);
	EXPECT(!memcmp(buf, "two", 3));
	EXPECT_EQ(m.seq, 2);
	EXPECT(m.fresh);
	EXPECT(m.age_ns >= 0 && m.age_ns < 1000000000);
	/* Again: the same value, no newer one to wait for. */
	EXPECT_EQ(tn_sample_get(ch, buf, sizeof(buf), &m), 3);
	EXPECT_EQ(tn_channel_ready(ch), 0);
	tn_channel_close(ch);
	fake_fini(&fk);
}

TEST(sample_older_than_its_validity_is_stale)
{
	struct tn_sample_meta m;
	struct tn_channel *ch;
	struct fake_end *e;
	char buf[16];

	fake_init(&fk, 1);
	e = fake_add(&fk, "state", TN_CHAN_SAMPLE, TN_CHAN_READER, 16, 0, 1000,
		     1);
	ch = open_ok("state");
	EXPECT_EQ(
	    tn_chan_sample_write(&e->peer, "old", 3, tn_counter() - 2000000),
	    0);
	EXPECT_EQ(tn_sample_get(ch, buf, sizeof(buf), &m), 3);
	EXPECT(!m.fresh);
	EXPECT(m.age_ns >= 2000000);
	/* A stamp from the future is not fresh either. */
	EXPECT_EQ(
	    tn_chan_sample_write(&e->peer, "new", 3, tn_counter() + 1000000000),
	    0);
	EXPECT_EQ(tn_sample_get(ch, buf, sizeof(buf), &m), 3);
	EXPECT(!m.fresh);
	tn_channel_close(ch);
	fake_fini(&fk);
}

static void peer_sample(struct fake_end *e)
{
	if (tn_chan_sample_write(&e->peer, "fresh", 5, tn_counter()))
		abort();
	fake_kick(e);
}

TEST(sample_wait_wakes_on_a_new_value)
{
	struct tn_sample_meta m;
	struct tn_channel *ch;
	struct fake_end *e;
	struct timespec dl;
	struct later l;
	char buf[16];

	fake_init(&fk, 1);
	e = fake_add(&fk, "state", TN_CHAN_SAMPLE, TN_CHAN_READER, 16, 0, 0, 1);
	ch = open_ok("state");
	later(&l, e, peer_sample, 50);
	dl = tn_deadline_in(5000000000);
	EXPECT_EQ(tn_sample_wait(ch, buf, sizeof(buf), &m, &dl), 5);
	EXPECT_EQ(m.seq, 1);
	pthread_join(l.t, NULL);
	dl = tn_deadline_in(20000000);
	EXPECT_EQ(tn_sample_wait(ch, buf, sizeof(buf), &m, &dl), -ETIMEDOUT);
	tn_channel_close(ch);
	fake_fini(&fk);
}

TEST(sample_write_from_linux_rings_every_time)
{
	struct tn_channel *ch;
	struct fake_end *e;
	uint64_t seq, stamp;
	char buf[16];

	fake_init(&fk, 1);
	e = fake_add(&fk, "cmdval", TN_CHAN_SAMPLE, TN_CHAN_WRITER, 16, 0, 0,
		     1);
	ch = open_ok("cmdval");
	EXPECT_EQ(tn_sample_write(ch, "a", 1), 0);
	EXPECT_EQ(tn_sample_write(ch, "bb", 2), 0);
	EXPECT_EQ(tn_sample_write(ch, "x", 17), -EMSGSIZE);
	EXPECT_EQ(fake_linux_rang(e), 2);
	EXPECT_EQ(tn_chan_sample_read(&e->peer, buf, 16, &seq, &stamp), 2);
	EXPECT_EQ(seq, 2);
	tn_channel_close(ch);
	fake_fini(&fk);
}

TEST(sample_corrupt_length_gives_eio)
{
	struct tn_channel *ch;
	struct fake_end *e;
	char buf[16];

	fake_init(&fk, 1);
	e = fake_add(&fk, "state", TN_CHAN_SAMPLE, TN_CHAN_READER, 16, 0, 0, 1);
	ch = open_ok("state");
	EXPECT_EQ(tn_chan_sample_write(&e->peer, "v", 1, 0), 0);
	tn_chan_store32(e->region + TN_CHAN_DATA + TN_CHAN_PAGE * 0 +
			    tn_chan_slot_size(TN_CHAN_SAMPLE, 16) +
			    offsetof(struct tn_chan_sample_slot, len),
			1u << 30);
	EXPECT_EQ(tn_sample_get(ch, buf, sizeof(buf), NULL), -EIO);
	tn_channel_close(ch);
	fake_fini(&fk);
}

TEST(sample_wrong_end_gives_einval)
{
	struct tn_channel *ch;
	char buf[4];

	fake_init(&fk, 1);
	fake_add(&fk, "state", TN_CHAN_SAMPLE, TN_CHAN_READER, 16, 0, 0, 1);
	ch = open_ok("state");
	EXPECT_EQ(tn_sample_write(ch, "v", 1), -EINVAL);
	EXPECT_EQ(tn_queue_receive(ch, buf, 4, TN_NOWAIT), -EINVAL);
	EXPECT(strstr(tn_last_error(), "is a sample, not a queue"));
	tn_channel_close(ch);
	fake_fini(&fk);
}

TEST(stream_bytes_arrive_in_order_across_the_wrap)
{
	struct tn_channel *ch;
	struct fake_end *e;
	uint8_t out[700], in[700];
	uint32_t sent = 0, got = 0;

	fake_init(&fk, 1);
	e = fake_add(&fk, "log", TN_CHAN_STREAM, TN_CHAN_READER, 0, 256, 0, 1);
	ch = open_ok("log");
	for (int i = 0; i < 700; i++)
		out[i] = (uint8_t)(i * 7);
	while (got < 700) {
		int w = tn_chan_stream_write(
		    &e->peer, out + sent, sent + 100 > 700 ? 700 - sent : 100);
		long r;

		if (w > 0)
			sent += (uint32_t)w;
		r = tn_stream_read(ch, in + got, 700 - got, TN_NOWAIT);
		EXPECT(r > 0);
		got += (uint32_t)r;
	}
	EXPECT(!memcmp(in, out, 700));
	EXPECT_EQ(tn_stream_read(ch, in, 10, TN_NOWAIT), -EAGAIN);
	tn_channel_close(ch);
	fake_fini(&fk);
}

static void peer_drain(struct fake_end *e)
{
	uint8_t buf[512];

	if (tn_chan_stream_read(&e->peer, buf, sizeof(buf)) <= 0)
		abort();
	fake_kick(e);
}

TEST(stream_write_waits_for_room_then_writes_it_all)
{
	struct tn_channel *ch;
	struct fake_end *e;
	struct timespec dl;
	struct later l;
	uint8_t buf[300] = {1};

	fake_init(&fk, 1);
	e = fake_add(&fk, "up", TN_CHAN_STREAM, TN_CHAN_WRITER, 0, 256, 0, 1);
	ch = open_ok("up");
	EXPECT_EQ(tn_stream_write(ch, buf, 300, TN_NOWAIT), 256);
	EXPECT_EQ(tn_stream_write(ch, buf, 1, TN_NOWAIT), -EAGAIN);
	later(&l, e, peer_drain, 30);
	dl = tn_deadline_in(5000000000);
	EXPECT_EQ(tn_stream_write(ch, buf, 44, &dl), 44);
	pthread_join(l.t, NULL);
	tn_channel_close(ch);
	fake_fini(&fk);
}

TEST(stream_corrupt_head_gives_eio)
{
	struct tn_channel *ch;
	struct fake_end *e;
	uint8_t buf[16];

	fake_init(&fk, 1);
	e = fake_add(&fk, "log", TN_CHAN_STREAM, TN_CHAN_READER, 0, 256, 0, 1);
	ch = open_ok("log");
	tn_chan_store64(e->region + TN_CHAN_HEAD, 257);
	EXPECT_EQ(tn_stream_read(ch, buf, sizeof(buf), NULL), -EIO);
	tn_chan_store64(e->region + TN_CHAN_HEAD, (uint64_t)-1);
	EXPECT_EQ(tn_stream_read(ch, buf, sizeof(buf), NULL), -EIO);
	tn_channel_close(ch);
	fake_fini(&fk);
}

TEST(peer_killed_mid_write_costs_nothing_and_its_restart_goes_on)
{
	struct tn_chan_ring restarted;
	struct tn_channel *ch;
	struct fake_end *e;
	char buf[8];

	fake_init(&fk, 1);
	e = fake_add(&fk, "cmd", TN_CHAN_QUEUE, TN_CHAN_READER, 8, 4, 0, 1);
	ch = open_ok("cmd");
	EXPECT_EQ(tn_chan_queue_send(&e->peer, "one", 3), 0);
	/* Killed after writing the next slot, before publishing it. */
	tn_chan_store32(e->region + TN_CHAN_DATA + 16, 8);
	memcpy((void *)(e->region + TN_CHAN_DATA + 24), "garbage!", 8);
	EXPECT_EQ(tn_queue_receive(ch, buf, 8, TN_NOWAIT), 3);
	EXPECT_EQ(tn_queue_receive(ch, buf, 8, TN_NOWAIT), -EAGAIN);
	/* The restarted writer takes its index from its page. */
	EXPECT_EQ(tn_chan_ring_init(&restarted, e->region, e->size,
				    TN_CHAN_QUEUE, TN_CHAN_WRITER, 8, 4),
		  0);
	EXPECT_EQ(tn_chan_queue_send(&restarted, "two", 3), 0);
	EXPECT_EQ(tn_queue_receive(ch, buf, 8, TN_NOWAIT), 3);
	EXPECT(!memcmp(buf, "two", 3));
	tn_channel_close(ch);
	fake_fini(&fk);
}
