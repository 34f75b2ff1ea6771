/*
 * The three kinds of channel on an open end: queue send/receive, sample
 * write/get/wait, stream write/read, each blocking until an absolute
 * deadline or not at all (TN_NOWAIT). The shared region is read and
 * written by <tenon/channel_abi.h>'s functions alone, which validate
 * every value the peer wrote; here are the waits and the doorbells.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

static const char *kind_name(uint32_t kind)
{
	switch (kind) {
	case TN_CHAN_QUEUE:
		return "queue";
	case TN_CHAN_SAMPLE:
		return "sample";
	case TN_CHAN_STREAM:
		return "stream";
	}
	return "channel of unknown kind";
}

/* -EINVAL, said, unless the end is kind's and role's. */
static int check(struct tn_channel *ch, uint32_t kind, uint32_t role)
{
	if (!ch)
		return tn_fail(-EINVAL, "no channel (NULL)");
	if (ch->ring.kind != kind)
		return tn_fail(-EINVAL, "channel %s is a %s, not a %s",
			       ch->name, kind_name(ch->ring.kind),
			       kind_name(kind));
	if (ch->ring.role != role)
		return tn_fail(
		    -EINVAL, "channel %s: this end is its %s", ch->name,
		    ch->ring.role == TN_CHAN_WRITER ? "writer" : "reader");
	return 0;
}

/* The words for an -EIO from the protocol. */
static int corrupt(struct tn_channel *ch, int err)
{
	if (err == -EIO)
		return tn_fail(-EIO,
			       "channel %s: the peer left a corrupt index or "
			       "length (%llu so far)",
			       ch->name, (unsigned long long)ch->ring.errors);
	return err;
}

/* After an operation: the wait flag down if an arm left it up. */
static void settle(struct tn_channel *ch)
{
	uint32_t off =
	    ch->ring.role == TN_CHAN_WRITER ? TN_CHAN_WWAIT : TN_CHAN_RWAIT;

	if (ch->ring.kind != TN_CHAN_SAMPLE &&
	    tn_chan_load32(ch->ring.region + off))
		tn_chan_set_waiting(&ch->ring, 0);
}

int tn_queue_send(struct tn_channel *ch, const void *msg, size_t len,
		  const struct timespec *deadline)
{
	int r = check(ch, TN_CHAN_QUEUE, TN_CHAN_WRITER);

	if (r)
		return r;
	if (len > ch->ring.msg_size)
		return tn_fail(-EMSGSIZE,
			       "channel %s: a message of %zu bytes, its "
			       "msg-size is %u",
			       ch->name, len, ch->ring.msg_size);
	for (;;) {
		r = tn_chan_queue_send(&ch->ring, msg, (uint32_t)len);
		if (!r) {
			tn_channel_kick(ch);
			settle(ch);
			return 0;
		}
		if (r != -EAGAIN)
			return corrupt(ch, r);
		r = tn_channel_wait(ch, deadline);
		if (r < 0)
			return corrupt(ch, r);
	}
}

int tn_queue_receive(struct tn_channel *ch, void *buf, size_t size,
		     const struct timespec *deadline)
{
	int r = check(ch, TN_CHAN_QUEUE, TN_CHAN_READER);
	uint32_t sz = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;

	if (r)
		return r;
	for (;;) {
		r = tn_chan_queue_receive(&ch->ring, buf, sz);
		if (r >= 0 || r == -EIO) {
			/* A slot was given back (a corrupt one too). */
			tn_channel_kick(ch);
			settle(ch);
			return corrupt(ch, r);
		}
		if (r == -EMSGSIZE)
			return tn_fail(r,
				       "channel %s: the next message has %d "
				       "bytes, the buffer %zu",
				       ch->name, tn_chan_queue_peek(&ch->ring),
				       size);
		if (r != -EAGAIN)
			return corrupt(ch, r);
		r = tn_channel_wait(ch, deadline);
		if (r < 0)
			return corrupt(ch, r);
	}
}

int tn_sample_write(struct tn_channel *ch, const void *value, size_t len)
{
	int r = check(ch, TN_CHAN_SAMPLE, TN_CHAN_WRITER);

	if (r)
		return r;
	if (len > ch->ring.msg_size)
		return tn_fail(-EMSGSIZE,
			       "channel %s: a value of %zu bytes, its "
			       "msg-size is %u",
			       ch->name, len, ch->ring.msg_size);
	r = tn_chan_sample_write(&ch->ring, value, (uint32_t)len, tn_counter());
	if (!r)
		tn_channel_kick(ch);
	return r;
}

/* A writer rewriting the slot during every try: give up after these. */
#define SAMPLE_ROUNDS 64

int tn_sample_get(struct tn_channel *ch, void *buf, size_t size,
		  struct tn_sample_meta *meta)
{
	int r = check(ch, TN_CHAN_SAMPLE, TN_CHAN_READER);
	uint32_t sz = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;
	uint64_t seq = 0, stamp = 0;

	if (r)
		return r;
	for (int i = 0; i < SAMPLE_ROUNDS; i++) {
		r = tn_chan_sample_read(&ch->ring, buf, sz, &seq, &stamp);
		if (r != -EAGAIN)
			break;
	}
	if (r == -ENODATA)
		return tn_fail(r, "channel %s: no value written yet", ch->name);
	if (r == -EAGAIN)
		return tn_fail(r,
			       "channel %s: the writer rewrote the value "
			       "during every read",
			       ch->name);
	if (r == -EMSGSIZE)
		return tn_fail(r,
			       "channel %s: the buffer of %zu bytes is too "
			       "small",
			       ch->name, size);
	if (r < 0)
		return corrupt(ch, r);
	if (meta) {
		uint64_t now = tn_counter();
		int64_t ticks = (int64_t)(now - stamp);

		meta->seq = seq;
		meta->stamp = stamp;
		meta->age_ns = (int64_t)((__int128)ticks * 1000000000 /
					 (__int128)tn_counter_freq());
		meta->fresh = meta->age_ns >= 0 &&
			      (!ch->validity_us ||
			       meta->age_ns <= (int64_t)ch->validity_us * 1000);
	}
	return r;
}

int tn_sample_wait(struct tn_channel *ch, void *buf, size_t size,
		   struct tn_sample_meta *meta, const struct timespec *deadline)
{
	int r = check(ch, TN_CHAN_SAMPLE, TN_CHAN_READER);

	if (r)
		return r;
	r = tn_channel_wait(ch, deadline);
	if (r < 0)
		return r;
	return tn_sample_get(ch, buf, size, meta);
}

long tn_stream_write(struct tn_channel *ch, const void *buf, size_t len,
		     const struct timespec *deadline)
{
	int r = check(ch, TN_CHAN_STREAM, TN_CHAN_WRITER);
	const uint8_t *p = buf;
	size_t done = 0;

	if (r)
		return r;
	while (done < len) {
		size_t chunk = len - done;

		if (chunk > 0x7fffffff)
			chunk = 0x7fffffff;
		r = tn_chan_stream_write(&ch->ring, p + done, (uint32_t)chunk);
		if (r > 0) {
			done += (size_t)r;
			tn_channel_kick(ch);
			continue;
		}
		if (r == -EAGAIN)
			r = tn_channel_wait(ch, deadline);
		if (r < 0) {
			settle(ch);
			return done ? (long)done : corrupt(ch, r);
		}
	}
	settle(ch);
	return (long)done;
}

long tn_stream_read(struct tn_channel *ch, void *buf, size_t size,
		    const struct timespec *deadline)
{
	int r = check(ch, TN_CHAN_STREAM, TN_CHAN_READER);
	uint32_t sz = size > 0x7fffffff ? 0x7fffffff : (uint32_t)size;

	if (r)
		return r;
	if (!size)
		return 0;
	for (;;) {
		r = tn_chan_stream_read(&ch->ring, buf, sz);
		if (r > 0) {
			tn_channel_kick(ch);
			settle(ch);
			return r;
		}
		if (r != -EAGAIN)
			return corrupt(ch, r);
		r = tn_channel_wait(ch, deadline);
		if (r < 0)
			return corrupt(ch, r);
	}
}
