/*
 * Channels (see tenon/channel.h): this partition's end of a channel the
 * system description declares, over the region the port maps (Normal
 * non-cacheable, as the hypervisor maps it for every end). The protocol
 * on the region is channel_abi.h's, shared with the other ends; this
 * file adds what a real-time thread needs around it: serialising the
 * threads that share an end (a mutex, so a long copy never holds the
 * kernel lock), blocking with timeouts on the peer's doorbell, poll.
 *
 * A wait cannot miss a doorbell: the waiter notes the doorbell count
 * under the kernel lock, raises its wait flag in the region, looks at
 * the region once more, and blocks only if no doorbell came since the
 * count was noted; the peer rings after publishing whenever the flag is
 * up (the region's barriers make one of the two see the other).
 */
#include <string.h>
#include <tenon/channel.h>

#include "kernel/internal.h"

#define TN_CHANNEL_MAGIC 0x7e7e740cu

static bool is_channel(const struct tn_channel *ch)
{
	return ch && ch->magic == TN_CHANNEL_MAGIC;
}

/* Which descriptors are open (by index in the port's table). */
static struct tn_channel *open_ends[TN_CHANNELS_MAX];

void channel_reset(void)
{
	memset(open_ends, 0, sizeof(open_ends));
}

static const struct tn_channel_desc *find(const char *name, unsigned int *at)
{
	unsigned int n;
	const struct tn_channel_desc *table = arch_channels(&n);

	for (unsigned int i = 0; i < n && i < TN_CHANNELS_MAX; i++) {
		if (!strncmp(table[i].name, name, TN_CHAN_NAME_MAX)) {
			*at = i;
			return &table[i];
		}
	}
	return NULL;
}

int tn_channel_name(unsigned int i, char name[TN_CHAN_NAME_MAX])
{
	unsigned int n;
	const struct tn_channel_desc *table = arch_channels(&n);

	if (!name)
		return -EINVAL;
	if (i >= n || i >= TN_CHANNELS_MAX)
		return -ENOENT;
	memcpy(name, table[i].name, TN_CHAN_NAME_MAX);
	name[TN_CHAN_NAME_MAX - 1] = 0;
	return 0;
}

/* The wait flag in the region is up while anyone waits or polls. */
static void watch(struct tn_channel *ch, int delta)
{
	int before = ch->watchers;

	ch->watchers += delta;
	if (!before != !ch->watchers)
		tn_chan_set_waiting(&ch->ring, ch->watchers > 0);
}

void channel_poll_watch(struct tn_channel *ch, int delta)
{
	if (is_channel(ch))
		watch(ch, delta);
}

bool channel_poll_ready(const struct tn_channel *ch)
{
	/* A corrupt state is ready too: the call returns -EIO at once. */
	return tn_chan_ready(&ch->ring) != 0;
}

struct tn_poll_head *channel_poll_head(struct tn_channel *ch)
{
	return is_channel(ch) ? &ch->poll : NULL;
}

static void doorbell(struct tn_irq *irq)
{
	struct tn_channel *ch = tn_irq_data(irq);
	unsigned long flags = tn_lock();

	if (is_channel(ch)) {
		ch->bells++;
		wq_wake_all(&ch->waiters, 0);
		poll_notify(&ch->poll);
		sched_run();
	}
	tn_unlock(flags);
}

void tn_channel_attr_init(struct tn_channel_attr *attr)
{
	if (attr) {
		attr->irq_priority = 0;
		attr->affinity = 0;
	}
}

int tn_channel_open(struct tn_channel *ch, const char *name,
		    const struct tn_channel_attr *attr)
{
	struct tn_channel_attr defaults;
	struct tn_irq_attr ia;
	const struct tn_channel_desc *d;
	unsigned long flags;
	unsigned int at;
	int ret;

	if (!ch || !name)
		return -EINVAL;
	if (in_handler())
		return -EPERM;
	if (!attr) {
		tn_channel_attr_init(&defaults);
		attr = &defaults;
	}
	d = find(name, &at);
	if (!d)
		return -ENOENT;

	flags = tn_lock();
	if (open_ends[at] || is_channel(ch)) {
		tn_unlock(flags);
		return -EBUSY;
	}
	open_ends[at] = ch;
	tn_unlock(flags);

	memset(ch, 0, sizeof(*ch));
	ret = tn_chan_ring_init(&ch->ring, d->region, d->size, d->kind, d->role,
				d->msg_size, d->depth);
	if (!ret)
		ret = tn_mutex_init(&ch->lock, TN_MUTEX_PI, 0, 0);
	if (ret)
		goto fail;
	ch->desc = d;
	wq_init(&ch->waiters);
	poll_head_init(&ch->poll);
	ch->magic = TN_CHANNEL_MAGIC;

	tn_irq_attr_init(&ia);
	ia.name = d->name;
	ia.priority = attr->irq_priority;
	ia.affinity = attr->affinity;
	ret = tn_irq_attach(&ch->irq, d->intid, &ia, doorbell, ch);
	if (ret) {
		ch->magic = 0;
		tn_mutex_destroy(&ch->lock);
		goto fail;
	}
	return 0;
fail:
	flags = tn_lock();
	open_ends[at] = NULL;
	tn_unlock(flags);
	return ret;
}

int tn_channel_close(struct tn_channel *ch)
{
	unsigned long flags;

	if (in_handler())
		return -EPERM;
	flags = tn_lock();
	if (!is_channel(ch)) {
		tn_unlock(flags);
		return -EINVAL;
	}
	ch->magic = 0;
	wq_wake_all(&ch->waiters, -EIDRM);
	poll_source_gone(&ch->poll);
	if (ch->watchers)
		tn_chan_set_waiting(&ch->ring, 0);
	for (unsigned int i = 0; i < TN_CHANNELS_MAX; i++)
		if (open_ends[i] == ch)
			open_ends[i] = NULL;
	sched_run();
	tn_unlock(flags);
	tn_irq_detach(&ch->irq);
	/*
	 * The threads that have the mutex or wait for it leave at once
	 * with -EIDRM (each operation under it is short); then it goes.
	 */
	if (!tn_mutex_lock(&ch->lock))
		tn_mutex_unlock(&ch->lock);
	while (tn_mutex_destroy(&ch->lock) == -EBUSY)
		tn_sleep(TN_MSEC(1));
	return 0;
}

/* One operation on the ring: returns as the protocol function does. */
struct chan_op {
	int (*fn)(struct tn_chan_ring *r, void *buf, uint32_t len);
	void *buf;
	uint32_t len;
};

static int op_send(struct tn_chan_ring *r, void *buf, uint32_t len)
{
	return tn_chan_queue_send(r, buf, len);
}

static int op_receive(struct tn_chan_ring *r, void *buf, uint32_t len)
{
	return tn_chan_queue_receive(r, buf, len);
}

static int op_write(struct tn_chan_ring *r, void *buf, uint32_t len)
{
	return tn_chan_stream_write(r, buf, len);
}

static int op_read(struct tn_chan_ring *r, void *buf, uint32_t len)
{
	return tn_chan_stream_read(r, buf, len);
}

static void ring_peer(struct tn_channel *ch)
{
	if (tn_chan_peer_waiting(&ch->ring)) {
		arch_channel_notify(ch->desc->id);
		ch->rang++;
	}
}

enum lock_mode {
	TRY,   /* never block: -EAGAIN if another thread has the end */
	BRIEF, /* wait for the other thread's operation, which is short */
	WAIT,  /* and wait for the peer's doorbell until the timeout */
};

static int lock_end(struct tn_channel *ch, enum lock_mode mode,
		    tn_time_t timeout)
{
	int ret;

	if (mode == TRY)
		ret = tn_mutex_trylock(&ch->lock);
	else if (mode == BRIEF)
		ret = tn_mutex_lock(&ch->lock);
	else
		ret = tn_mutex_timedlock(&ch->lock, timeout);
	if (ret == -EBUSY)
		return -EAGAIN;
	if (ret == -EINVAL || (!ret && !is_channel(ch))) {
		if (!ret)
			tn_mutex_unlock(&ch->lock);
		return -EIDRM; /* closed meanwhile */
	}
	return ret;
}

/*
 * Runs op under the end's mutex, and while it says -EAGAIN (mode WAIT)
 * waits for the peer's doorbell until timeout, without the mutex, so
 * that the other threads sharing the end are never held up by a wait.
 */
static int channel_call(struct tn_channel *ch, uint32_t kind, uint32_t role,
			const struct chan_op *op, tn_time_t timeout,
			enum lock_mode mode)
{
	int ret;

	if (in_handler())
		return -EPERM;
	if (!is_channel(ch))
		return -EINVAL;
	if (ch->ring.kind != kind || ch->ring.role != role)
		return -EINVAL;
	for (;;) {
		unsigned long flags;
		uint64_t bells;
		int woke = 0;

		ret = lock_end(ch, mode, timeout);
		if (ret)
			return ret;
		ret = op->fn(&ch->ring, op->buf, op->len);
		if (ret == -EAGAIN && mode == WAIT) {
			flags = tn_lock();
			bells = ch->bells;
			watch(ch, 1);
			tn_unlock(flags);
			ret = op->fn(&ch->ring, op->buf, op->len);
		} else {
			mode = TRY; /* no wait flag was raised */
		}
		if (ret >= 0)
			ring_peer(ch);
		tn_mutex_unlock(&ch->lock);
		if (mode != WAIT)
			return ret;

		flags = tn_lock();
		if (ret == -EAGAIN && ch->bells == bells)
			woke = wq_wait(&ch->waiters, timeout);
		if (is_channel(ch))
			watch(ch, -1);
		else if (!woke)
			woke = -EIDRM;
		tn_unlock(flags);
		if (ret != -EAGAIN)
			return ret;
		if (woke)
			return woke; /* -ETIMEDOUT, -EIDRM */
	}
}

static uint32_t clamp_len(size_t len)
{
	return len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
}

static int queue_send(struct tn_channel *ch, const void *msg, size_t len,
		      tn_time_t timeout, bool wait)
{
	struct chan_op op = {op_send, (void *)msg, clamp_len(len)};

	if (!msg && len)
		return -EINVAL;
	return channel_call(ch, TN_CHAN_QUEUE, TN_CHAN_WRITER, &op, timeout,
			    wait ? WAIT : TRY);
}

int tn_channel_send(struct tn_channel *ch, const void *msg, size_t len,
		    tn_time_t timeout)
{
	return queue_send(ch, msg, len, timeout, true);
}

int tn_channel_trysend(struct tn_channel *ch, const void *msg, size_t len)
{
	return queue_send(ch, msg, len, 0, false);
}

static int queue_receive(struct tn_channel *ch, void *buf, size_t size,
			 tn_time_t timeout, bool wait)
{
	struct chan_op op = {op_receive, buf, clamp_len(size)};

	if (!buf && size)
		return -EINVAL;
	return channel_call(ch, TN_CHAN_QUEUE, TN_CHAN_READER, &op, timeout,
			    wait ? WAIT : TRY);
}

int tn_channel_receive(struct tn_channel *ch, void *buf, size_t size,
		       tn_time_t timeout)
{
	return queue_receive(ch, buf, size, timeout, true);
}

int tn_channel_tryreceive(struct tn_channel *ch, void *buf, size_t size)
{
	return queue_receive(ch, buf, size, 0, false);
}

static int stream_io(struct tn_channel *ch, void *buf, size_t len,
		     tn_time_t timeout, bool wait, bool write)
{
	struct chan_op op = {write ? op_write : op_read, buf,
			     len > 0x7fffffff ? 0x7fffffffu : (uint32_t)len};

	if (!buf || !len)
		return -EINVAL;
	return channel_call(ch, TN_CHAN_STREAM,
			    write ? TN_CHAN_WRITER : TN_CHAN_READER, &op,
			    timeout, wait ? WAIT : TRY);
}

int tn_channel_write(struct tn_channel *ch, const void *buf, size_t len,
		     tn_time_t timeout)
{
	return stream_io(ch, (void *)buf, len, timeout, true, true);
}

int tn_channel_trywrite(struct tn_channel *ch, const void *buf, size_t len)
{
	return stream_io(ch, (void *)buf, len, 0, false, true);
}

int tn_channel_read(struct tn_channel *ch, void *buf, size_t size,
		    tn_time_t timeout)
{
	return stream_io(ch, buf, size, timeout, true, false);
}

int tn_channel_tryread(struct tn_channel *ch, void *buf, size_t size)
{
	return stream_io(ch, buf, size, 0, false, false);
}

/* Samples: the op's buffer is a struct sample_io. */
struct sample_io {
	void *buf;
	uint32_t size;
	uint64_t seq, stamp;
};

static int op_publish(struct tn_chan_ring *r, void *arg, uint32_t len)
{
	return tn_chan_sample_write(r, arg, len, arch_counter_read());
}

static int op_read_sample(struct tn_chan_ring *r, void *arg, uint32_t len)
{
	struct sample_io *io = arg;

	(void)len;
	return tn_chan_sample_read(r, io->buf, io->size, &io->seq, &io->stamp);
}

/* The next value, for read_new: -EAGAIN until one newer than the last. */
static int op_read_new(struct tn_chan_ring *r, void *arg, uint32_t len)
{
	if (!tn_chan_sample_new(r))
		return -EAGAIN;
	return op_read_sample(r, arg, len);
}

int tn_channel_publish(struct tn_channel *ch, const void *value, size_t len)
{
	struct chan_op op = {op_publish, (void *)value, clamp_len(len)};

	if (!value && len)
		return -EINVAL;
	return channel_call(ch, TN_CHAN_SAMPLE, TN_CHAN_WRITER, &op, 0, BRIEF);
}

static void sample_info(const struct tn_channel *ch, const struct sample_io *io,
			struct tn_channel_sample *info)
{
	tn_time_t now, validity;

	if (!info)
		return;
	now = arch_clock_read();
	validity = (tn_time_t)ch->desc->validity_us * 1000;
	info->seq = io->seq;
	info->written = arch_counter_to_time(io->stamp);
	info->age = now - info->written;
	info->fresh = !validity || info->age <= validity;
}

static int read_sample(struct tn_channel *ch, void *buf, size_t size,
		       struct tn_channel_sample *info, tn_time_t timeout,
		       bool newer)
{
	struct sample_io io = {buf, clamp_len(size), 0, 0};
	struct chan_op op = {newer ? op_read_new : op_read_sample, &io, 0};
	int ret;

	if (!buf && size)
		return -EINVAL;
	ret = channel_call(ch, TN_CHAN_SAMPLE, TN_CHAN_READER, &op, timeout,
			   newer ? WAIT : BRIEF);
	if (ret >= 0)
		sample_info(ch, &io, info);
	return ret;
}

int tn_channel_read_sample(struct tn_channel *ch, void *buf, size_t size,
			   struct tn_channel_sample *info)
{
	return read_sample(ch, buf, size, info, 0, false);
}

int tn_channel_read_new_sample(struct tn_channel *ch, void *buf, size_t size,
			       struct tn_channel_sample *info,
			       tn_time_t timeout)
{
	return read_sample(ch, buf, size, info, timeout, true);
}

int tn_channel_info(struct tn_channel *ch, struct tn_channel_info *info)
{
	const struct tn_channel_desc *d;

	if (!is_channel(ch) || !info)
		return -EINVAL;
	d = ch->desc;
	memset(info, 0, sizeof(*info));
	memcpy(info->name, d->name, TN_CHAN_NAME_MAX - 1);
	memcpy(info->peer, d->peer, TN_CHAN_NAME_MAX - 1);
	info->kind = d->kind;
	info->role = d->role;
	info->msg_size = d->msg_size;
	info->depth = d->depth;
	info->validity = (tn_time_t)d->validity_us * 1000;
	info->in_flight =
	    d->kind == TN_CHAN_SAMPLE ? 0 : tn_chan_span(&ch->ring);
	info->errors = ch->ring.errors;
	info->rang = ch->rang;
	info->rung = ch->bells;
	return 0;
}
