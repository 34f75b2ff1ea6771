/*
 * Fuzzes the channel protocol of <tenon/channel_abi.h>, which every end
 * runs (the real-time core, libtenon, the tests). Each case is a fresh
 * channel of random kind and sizes, in a region followed by an
 * inaccessible page, and 64 random steps of one of two games:
 *   hostile: one end of ours against a peer that writes random values
 *     into every word it may write (its index, slots, lengths, sequence
 *     numbers): every return is one the contract allows, no length
 *     exceeds the limits, no access leaves the region or the buffers
 *     (the guard page and the sanitizers catch those), our own index
 *     moves only as our successful calls say;
 *   intact: both ends ours, with restarts of either end and writers
 *     killed mid-write: every queue message arrives exactly once and in
 *     order, every stream byte likewise, every sample read is a value
 *     the writer wrote whole, with sequence numbers that never go back.
 *   usage: chan-fuzz [-n CASES] [-s SEED]
 * Prints its result line, the cases run and "fuzz: N passed, N failed,
 * N skipped".
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <tenon/channel_abi.h>

static uint64_t rng_state;
static long failures;
static const char *game;
static unsigned long long case_no;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static uint32_t below(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "    case %llu (%s): %s:%d: %s\n", \
				case_no, game, __FILE__, __LINE__, #cond); \
			failures++;                                        \
			return;                                            \
		}                                                          \
	} while (0)

struct chan {
	uint8_t *map;
	size_t map_size;
	volatile uint8_t *region;
	uint64_t size;
	uint32_t kind, msg_size, depth;
};

static void chan_make(struct chan *c)
{
	long page = sysconf(_SC_PAGESIZE);

	c->kind = 1 + below(3);
	c->msg_size = 1 + below(below(4) ? 64 : 4096);
	c->depth = c->kind == TN_CHAN_STREAM ? 1 + below(below(4) ? 300 : 9000)
					     : 1 + below(below(4) ? 8 : 300);
	c->size = tn_chan_region_size(c->kind, c->msg_size, c->depth);
	c->map_size = (size_t)c->size + (size_t)page;
	c->map = mmap(NULL, c->map_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c->map == MAP_FAILED || !c->size) {
		perror("mmap");
		exit(1);
	}
	/* Anything past the region faults. */
	mprotect(c->map + c->size, (size_t)page, PROT_NONE);
	c->region = c->map;
}

static void chan_free(struct chan *c)
{
	munmap(c->map, c->map_size);
}

/* A random 64-bit value, often near old (the likeliest lies). */
static uint64_t lie64(uint64_t old)
{
	switch (below(4)) {
	case 0:
		return rnd();
	case 1:
		return old + below(64) - 32;
	case 2:
		return (uint64_t)0 - below(4);
	}
	return old + (1u << below(31));
}

static uint32_t lie32(void)
{
	switch (below(4)) {
	case 0:
		return (uint32_t)rnd();
	case 1:
		return below(200);
	case 2:
		return 1u << below(32);
	}
	return 0xffffffffu - below(4);
}

/* The peer, hostile: scribbles on what it may write. */
static void scribble(struct chan *c, uint32_t our_role)
{
	uint32_t idx = our_role == TN_CHAN_WRITER ? TN_CHAN_TAIL : TN_CHAN_HEAD;
	uint64_t data = c->size - TN_CHAN_DATA;

	switch (below(4)) {
	case 0:
		tn_chan_store64(c->region + idx,
				lie64(tn_chan_load64(c->region + idx)));
		break;
	case 1:
		tn_chan_store32(c->region + idx + 8, lie32());
		break;
	default:
		if (our_role == TN_CHAN_READER) {
			/* Data is the writer's: any aligned word of it, or
			 * a slot's header (lengths, sequence numbers). */
			uint64_t off = (rnd() % data) & ~7ull;
			uint32_t slot = tn_chan_slot_size(c->kind, c->msg_size);

			if (c->kind != TN_CHAN_STREAM && below(2)) {
				uint32_t n =
				    c->kind == TN_CHAN_QUEUE ? c->depth : 2;

				off =
				    (uint64_t)below(n) * slot +
				    8 * below(c->kind == TN_CHAN_QUEUE ? 1 : 4);
			}

			if (below(2))
				tn_chan_store64(c->region + TN_CHAN_DATA + off,
						lie64(0));
			else
				tn_chan_store32(c->region + TN_CHAN_DATA + off,
						lie32());
		}
	}
}

static void game_hostile(void)
{
	struct tn_chan_ring r;
	struct chan c;
	uint32_t role = 1 + below(2);

	game = "hostile";
	chan_make(&c);
	/* Start from random state too: the peer may have lied before. */
	for (int i = 0; i < 4; i++)
		scribble(&c, role);
	if (tn_chan_ring_init(&r, c.region, c.size, c.kind, role, c.msg_size,
			      c.depth)) {
		failures++;
		chan_free(&c);
		return;
	}
	for (int step = 0; step < 64; step++) {
		uint32_t size =
		    below(2) ? c.msg_size : 1 + below(c.msg_size + 8);
		/* buf to send from; rbuf of exactly size to receive into,
		 * so that a copy past size is caught. */
		uint8_t *buf = malloc(c.msg_size + 16), *rbuf = malloc(size);
		uint64_t before = r.index, seq = 0, stamp = 0, errs = r.errors;
		int ret;

		memset(buf, 0xa5, c.msg_size + 16);
		scribble(&c, role);
		if (c.kind == TN_CHAN_QUEUE && role == TN_CHAN_WRITER) {
			ret =
			    tn_chan_queue_send(&r, buf, below(c.msg_size + 2));
			CHECK(ret == 0 || ret == -EAGAIN || ret == -EIO ||
			      ret == -EMSGSIZE);
			CHECK(r.index == before + (ret == 0));
		} else if (c.kind == TN_CHAN_QUEUE) {
			ret = below(4) ? tn_chan_queue_receive(&r, rbuf, size)
				       : tn_chan_queue_peek(&r);
			CHECK(ret == -EAGAIN || ret == -EIO ||
			      ret == -EMSGSIZE ||
			      (ret >= 0 && (uint32_t)ret <= c.msg_size));
			CHECK(r.index - before <= 1);
		} else if (c.kind == TN_CHAN_STREAM && role == TN_CHAN_WRITER) {
			ret = tn_chan_stream_write(&r, buf, size);
			CHECK(ret == -EAGAIN || ret == -EIO ||
			      (ret > 0 && (uint32_t)ret <= size) ||
			      (ret == 0 && size == 0));
			CHECK(r.index ==
			      before + (ret > 0 ? (uint64_t)ret : 0));
		} else if (c.kind == TN_CHAN_STREAM) {
			ret = tn_chan_stream_read(&r, rbuf, size);
			CHECK(ret == -EAGAIN || ret == -EIO ||
			      (ret > 0 && (uint32_t)ret <= size));
			CHECK(r.index ==
			      before + (ret > 0 ? (uint64_t)ret : 0));
		} else if (role == TN_CHAN_WRITER) {
			ret = tn_chan_sample_write(&r, buf,
						   below(c.msg_size + 2), 1);
			CHECK(ret == 0 || ret == -EMSGSIZE);
		} else {
			ret = tn_chan_sample_read(&r, rbuf, size, &seq, &stamp);
			CHECK(ret == -ENODATA || ret == -EMSGSIZE ||
			      ret == -EAGAIN || ret == -EIO ||
			      (ret >= 0 && (uint32_t)ret <= c.msg_size &&
			       (uint32_t)ret <= size && seq != 0));
		}
		CHECK(ret != -EIO || r.errors > errs);
		ret = tn_chan_ready(&r);
		CHECK(ret == 0 || ret == 1 || ret == -EIO);
		if (c.kind != TN_CHAN_SAMPLE) {
			int64_t n = tn_chan_in_flight(&r);

			CHECK(n == -EIO || (n >= 0 && (uint64_t)n <= c.depth));
		}
		free(buf);
		free(rbuf);
	}
	chan_free(&c);
}

/* Message number n's bytes: its length and contents follow from n. */
static uint32_t msg_len(uint64_t n, uint32_t max)
{
	return (uint32_t)((n * 2654435761u) % (max + 1));
}

static uint8_t msg_byte(uint64_t n, uint32_t i)
{
	return (uint8_t)(n * 31 + i * 7 + (n >> 8));
}

static void game_intact(void)
{
	struct tn_chan_ring w, rd;
	struct chan c;
	uint64_t sent = 0, got = 0, last_seq = 0;
	uint8_t *buf;

	game = "intact";
	chan_make(&c);
	/* Room for a message, or a stream write of up to depth + 50. */
	buf = malloc(c.msg_size + c.depth + 64);
	if (tn_chan_ring_init(&w, c.region, c.size, c.kind, TN_CHAN_WRITER,
			      c.msg_size, c.depth) ||
	    tn_chan_ring_init(&rd, c.region, c.size, c.kind, TN_CHAN_READER,
			      c.msg_size, c.depth)) {
		failures++;
		goto out;
	}
	for (int step = 0; step < 64; step++) {
		uint32_t what = below(16);
		int ret;

		if (what == 0) { /* the writer restarts */
			CHECK(!tn_chan_ring_init(&w, c.region, c.size, c.kind,
						 TN_CHAN_WRITER, c.msg_size,
						 c.depth));
			continue;
		}
		if (what == 1) { /* the reader restarts */
			uint64_t seen = rd.index;

			CHECK(!tn_chan_ring_init(&rd, c.region, c.size, c.kind,
						 TN_CHAN_READER, c.msg_size,
						 c.depth));
			if (c.kind == TN_CHAN_SAMPLE)
				rd.index = seen; /* its own memory, kept */
			continue;
		}
		if (what == 2) { /* the writer dies mid-write, then restarts */
			if (c.kind == TN_CHAN_QUEUE) {
				volatile uint8_t *slot =
				    tn_chan_slot(&w, w.index % c.depth);

				if (tn_chan_in_flight(&w) < c.depth) {
					tn_chan_store32(slot, lie32());
					memset((void *)(slot + 8), 0xee,
					       c.msg_size);
				}
			} else if (c.kind == TN_CHAN_SAMPLE) {
				volatile uint8_t *slot = tn_chan_slot(
				    &w, (uint32_t)((w.index + 1) & 1));

				tn_chan_store64(slot, w.index + 1);
				tn_chan_store32(slot + 24, lie32());
				memset((void *)(slot + 32), 0xee, c.msg_size);
			}
			CHECK(!tn_chan_ring_init(&w, c.region, c.size, c.kind,
						 TN_CHAN_WRITER, c.msg_size,
						 c.depth));
			continue;
		}
		if (what < 9) { /* write */
			if (c.kind == TN_CHAN_QUEUE) {
				uint32_t len = msg_len(sent, c.msg_size);

				for (uint32_t i = 0; i < len; i++)
					buf[i] = msg_byte(sent, i);
				ret = tn_chan_queue_send(&w, buf, len);
				CHECK(ret == 0 || ret == -EAGAIN);
				CHECK(ret == 0 || sent - got == c.depth);
				sent += ret == 0;
			} else if (c.kind == TN_CHAN_STREAM) {
				uint32_t len = 1 + below(c.depth + 50);

				for (uint32_t i = 0; i < len; i++)
					buf[i] = msg_byte(sent + i, 0);
				ret = tn_chan_stream_write(&w, buf, len);
				CHECK(ret == -EAGAIN ||
				      (ret > 0 && (uint32_t)ret <= len));
				CHECK(ret != -EAGAIN || sent - got == c.depth);
				sent += ret > 0 ? (uint64_t)ret : 0;
			} else {
				uint64_t seq = w.index + 1;
				uint32_t len = msg_len(seq, c.msg_size);

				for (uint32_t i = 0; i < len; i++)
					buf[i] = msg_byte(seq, i);
				CHECK(!tn_chan_sample_write(&w, buf, len, seq));
			}
			continue;
		}
		/* read */
		if (c.kind == TN_CHAN_QUEUE) {
			ret = tn_chan_queue_receive(&rd, buf, c.msg_size);
			CHECK(ret == -EAGAIN ? got == sent : ret >= 0);
			if (ret < 0)
				continue;
			CHECK((uint32_t)ret == msg_len(got, c.msg_size));
			for (int i = 0; i < ret; i++)
				CHECK(buf[i] == msg_byte(got, (uint32_t)i));
			got++;
		} else if (c.kind == TN_CHAN_STREAM) {
			uint32_t size = 1 + below(c.depth + 50);

			ret = tn_chan_stream_read(&rd, buf, size);
			CHECK(ret == -EAGAIN ? got == sent : ret > 0);
			if (ret < 0)
				continue;
			for (int i = 0; i < ret; i++)
				CHECK(buf[i] == msg_byte(got + (uint64_t)i, 0));
			got += (uint64_t)ret;
		} else {
			uint64_t seq, stamp;

			ret = tn_chan_sample_read(&rd, buf, c.msg_size, &seq,
						  &stamp);
			CHECK(ret >= 0 || ret == -ENODATA);
			if (ret < 0)
				continue;
			CHECK(seq >= last_seq && seq == stamp);
			CHECK((uint32_t)ret == msg_len(seq, c.msg_size));
			for (int i = 0; i < ret; i++)
				CHECK(buf[i] == msg_byte(seq, (uint32_t)i));
			last_seq = seq;
		}
	}
	/* Whatever is left arrives, whole and in order. */
	while (c.kind == TN_CHAN_QUEUE && got < sent) {
		int ret = tn_chan_queue_receive(&rd, buf, c.msg_size);

		CHECK(ret >= 0 && (uint32_t)ret == msg_len(got, c.msg_size));
		got++;
	}
	CHECK(c.kind != TN_CHAN_QUEUE ||
	      tn_chan_queue_receive(&rd, buf, c.msg_size) == -EAGAIN);
out:
	free(buf);
	chan_free(&c);
}

int main(int argc, char **argv)
{
	unsigned long long cases = 20000;
	uint64_t seed = 0x7e40c4a11u;
	int opt;

	while ((opt = getopt(argc, argv, "n:s:")) != -1) {
		if (opt == 'n')
			cases = strtoull(optarg, NULL, 0);
		else if (opt == 's')
			seed = strtoull(optarg, NULL, 0);
		else {
			fprintf(stderr,
				"usage: chan-fuzz [-n CASES] [-s SEED]\n");
			return 2;
		}
	}
	rng_state = seed ? seed : 1;
	for (case_no = 0; case_no < cases; case_no++) {
		if (case_no & 1)
			game_intact();
		else
			game_hostile();
		if (failures > 20)
			break;
	}
	if (failures)
		printf(
		    "FAILED channel-protocol-fuzz: %ld failing of %llu cases "
		    "(seed %#llx)\n",
		    failures, case_no, (unsigned long long)seed);
	else
		printf("ok channel-protocol-fuzz\n");
	printf("    %llu cases (seed %#llx), %ld failing\n", case_no,
	       (unsigned long long)seed, failures);
	printf("fuzz: %d passed, %d failed, 0 skipped\n", failures ? 0 : 1,
	       failures ? 1 : 0);
	return failures ? 1 : 0;
}
