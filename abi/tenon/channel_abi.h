/*
 * Channels between partitions: the contract both ends and the hypervisor
 * keep. One channel has one writer partition and one reader partition
 * (a sample channel may have several readers) and one region of shared
 * memory, which the hypervisor maps into each end with stage-2
 * attributes that make it Normal non-cacheable whatever the partition's
 * own tables say, so that no end depends on the other's cacheability.
 *
 * The region is laid out in 4 KiB pages with one writer each, and the
 * hypervisor maps every page writable only for the end that writes it:
 *   page 0       the writer's control page (its index, its wait flag)
 *   page 1       the reader's control page (queue and stream only)
 *   page 2 ...   the data, written by the writer alone
 * So a reader can never change what it reads, and the only values an end
 * takes from the other are the other's index and the data. Every such
 * value is read once into a local, checked, and only then used: a peer
 * that writes garbage costs the other end an error count and an -EIO
 * return on that channel, never an access out of the region or a hang.
 *
 * The protocol needs no atomic instruction on the region: one end writes
 * each word, aligned 32- and 64-bit loads and stores are single-copy
 * atomic, and barriers order the data against the indices. Indices are
 * free-running 64-bit counters (messages for a queue, bytes for a
 * stream, writes for a sample), which never wrap in practice; their
 * difference is what is in flight, and slot n of a queue is n % depth.
 *
 * Doorbells: an end that waits sets its wait flag, then looks again; an
 * end that publishes looks at the peer's flag after publishing and rings
 * the peer's doorbell if it is set (both with a full barrier between the
 * store and the load, so one of them always sees the other). A sample
 * writer rings after every write (its readers have no page to say they
 * wait). How a doorbell is rung and arrives is the hypervisor's: see
 * TN_CHAN_REG_DOORBELL for Linux, TN_HC_CHANNEL_NOTIFY for the real-time
 * core.
 *
 * Everything here is the same on the real-time core, in Linux user space
 * and on the host (tests, fuzzing): static inline functions on a view of
 * the region that the caller keeps in its own memory.
 */
#ifndef TENON_ABI_CHANNEL_ABI_H
#define TENON_ABI_CHANNEL_ABI_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define TN_CHAN_ABI_VERSION 1

enum tn_chan_kind {
	TN_CHAN_QUEUE = 1,  /* bounded FIFO of messages of at most msg_size */
	TN_CHAN_SAMPLE = 2, /* the latest value, with sequence and time */
	TN_CHAN_STREAM = 3, /* a byte stream through a buffer of depth bytes */
};

enum tn_chan_role {
	TN_CHAN_WRITER = 1,
	TN_CHAN_READER = 2,
};

/* Limits the system-description compiler enforces. */
#define TN_CHAN_NAME_MAX 16	       /* with its NUL */
#define TN_CHAN_MSG_MAX 65536u	       /* queue and sample message bytes */
#define TN_CHAN_DEPTH_MAX 65536u       /* queue slots */
#define TN_CHAN_STREAM_MAX (16u << 20) /* stream buffer bytes */
#define TN_CHAN_REGION_MAX (32u << 20) /* region bytes */

/* ---- The shared region ---- */

#define TN_CHAN_PAGE 4096u
#define TN_CHAN_WRITER_PAGE 0x0000u
#define TN_CHAN_READER_PAGE 0x1000u
#define TN_CHAN_DATA 0x2000u

/* Page 0, written by the writer only. */
struct tn_chan_writer_ctl {
	uint64_t head; /* queue: messages sent; stream: bytes written;
			  sample: the last sequence number written (0: none) */
	/* Nonzero: the writer waits for room (queue, stream). */
	uint32_t waiting;
	uint32_t reserved;
};

/* Page 1, written by the reader only (queue, stream). */
struct tn_chan_reader_ctl {
	uint64_t tail;	  /* queue: messages received; stream: bytes read */
	uint32_t waiting; /* nonzero: the reader waits for data */
	uint32_t reserved;
};

/* A queue slot: the message's length, then its bytes. */
struct tn_chan_slot {
	uint32_t len;
	uint32_t reserved;
	/* uint8_t data[msg_size rounded up to 8] */
};

/*
 * A sample slot. The writer alternates between two; it writes seq_begin,
 * then the value, then seq_end, then the control page's head. A reader
 * takes slot (head & 1) and trusts its copy only if seq_end read before
 * and seq_begin read after the copy are both head.
 */
struct tn_chan_sample_slot {
	uint64_t seq_begin;
	uint64_t stamp; /* the writer's system counter (CNTVCT) at the write */
	uint64_t seq_end;
	uint32_t len;
	uint32_t reserved;
	/* uint8_t data[msg_size rounded up to 8] */
};

static inline uint32_t tn_chan_align8(uint32_t n)
{
	return (n + 7u) & ~7u;
}

static inline uint32_t tn_chan_slot_size(uint32_t kind, uint32_t msg_size)
{
	if (kind == TN_CHAN_QUEUE)
		return (uint32_t)sizeof(struct tn_chan_slot) +
		       tn_chan_align8(msg_size);
	if (kind == TN_CHAN_SAMPLE)
		return (uint32_t)sizeof(struct tn_chan_sample_slot) +
		       tn_chan_align8(msg_size);
	return 1;
}

/*
 * The bytes a channel's data takes past TN_CHAN_DATA, and the whole
 * region rounded up to a power of two (a PCI BAR is one); 0 for sizes
 * out of the limits above.
 */
static inline uint64_t tn_chan_data_size(uint32_t kind, uint32_t msg_size,
					 uint32_t depth)
{
	switch (kind) {
	case TN_CHAN_QUEUE:
		if (!msg_size || msg_size > TN_CHAN_MSG_MAX || !depth ||
		    depth > TN_CHAN_DEPTH_MAX)
			return 0;
		return (uint64_t)depth * tn_chan_slot_size(kind, msg_size);
	case TN_CHAN_SAMPLE:
		if (!msg_size || msg_size > TN_CHAN_MSG_MAX)
			return 0;
		return 2ull * tn_chan_slot_size(kind, msg_size);
	case TN_CHAN_STREAM:
		if (!depth || depth > TN_CHAN_STREAM_MAX)
			return 0;
		return depth;
	}
	return 0;
}

static inline uint64_t tn_chan_region_size(uint32_t kind, uint32_t msg_size,
					   uint32_t depth)
{
	uint64_t need = tn_chan_data_size(kind, msg_size, depth);
	uint64_t size = TN_CHAN_PAGE;

	if (!need)
		return 0;
	need += TN_CHAN_DATA;
	while (size < need)
		size <<= 1;
	return size <= TN_CHAN_REGION_MAX ? size : 0;
}

/* ---- The Linux end's PCI function (emulated by the hypervisor) ---- */

/*
 * Each channel end Linux has is one function on the emulated PCI host
 * bridge's bus 0: BAR0 its registers (4 KiB, 32-bit accesses only), BAR2
 * the shared region (prefetchable, mapped by user space through sysfs
 * resource2_wc), interrupt pin INTA, with INTx masking (the command
 * register's Interrupt Disable, the status register's Interrupt Status),
 * as Linux's uio_pci_generic needs.
 */
#define TN_CHAN_PCI_VENDOR 0x1af4 /* the inter-VM shared memory device's */
#define TN_CHAN_PCI_DEVICE 0x1110
#define TN_CHAN_PCI_SUBVENDOR 0x1af4
#define TN_CHAN_PCI_SUBDEVICE 0x5443 /* "TC": a Tenon channel */
#define TN_CHAN_PCI_CLASS 0x050000   /* memory controller, RAM */
#define TN_CHAN_BAR0_SIZE 0x1000u

/* BAR0 registers, read-only unless said. */
#define TN_CHAN_REG_MAGIC 0x00	    /* TN_CHAN_MAGIC */
#define TN_CHAN_REG_VERSION 0x04    /* TN_CHAN_ABI_VERSION */
#define TN_CHAN_REG_ID 0x08	    /* the channel's index in the system */
#define TN_CHAN_REG_KIND 0x0c	    /* enum tn_chan_kind */
#define TN_CHAN_REG_ROLE 0x10	    /* enum tn_chan_role: this end's */
#define TN_CHAN_REG_MSG_SIZE 0x14   /* queue, sample: max message bytes */
#define TN_CHAN_REG_DEPTH 0x18	    /* queue: slots; stream: buffer bytes */
#define TN_CHAN_REG_REGION 0x1c	    /* the region's (BAR2's) bytes */
#define TN_CHAN_REG_VALIDITY 0x20   /* sample: validity period, us (0: none) */
#define TN_CHAN_REG_PEER_STATE 0x24 /* the peer partition: TN_CHAN_PEER_* */
#define TN_CHAN_REG_PEER_RESTARTS 0x28 /* times the peer was restarted */
#define TN_CHAN_REG_DOORBELL 0x40      /* write: ring the peer's doorbell */
#define TN_CHAN_REG_ISR 0x44	    /* bit 0: the peer rang; write 1 to clear */
#define TN_CHAN_REG_IMR 0x48	    /* bit 0: the doorbell interrupts (r/w) */
#define TN_CHAN_REG_FENCE 0x4c	    /* read: 0, after a full barrier */
#define TN_CHAN_REG_COUNTER_LO 0x50 /* the system counter (CNTVCT); */
#define TN_CHAN_REG_COUNTER_HI 0x54 /* reading LO latches HI */
#define TN_CHAN_REG_FREQ 0x58	    /* its frequency, Hz */
#define TN_CHAN_REG_RANG 0x60	    /* doorbells this end rang */
#define TN_CHAN_REG_RUNG 0x64	    /* doorbells the peer rang here */
#define TN_CHAN_REG_NAME 0x80 /* 16 bytes: the channel's name, NUL-padded */
#define TN_CHAN_REG_PEER_NAME 0x90 /* 16 bytes: the peer partition's name */

#define TN_CHAN_MAGIC 0x48434e54u /* "TNCH" */
#define TN_CHAN_ISR_DOORBELL 1u

enum tn_chan_peer_state {
	TN_CHAN_PEER_RUNNING = 1,
	TN_CHAN_PEER_RESTARTING = 2,
	TN_CHAN_PEER_STOPPED = 3,
};

/* ---- The protocol ---- */

#if defined(__aarch64__)
/*
 * The region is Normal non-cacheable, hence outer shareable: barriers
 * over the outer-shareable domain order it for every observer.
 */
#define tn_chan_rmb() __asm__ volatile("dmb oshld" ::: "memory")
#define tn_chan_wmb() __asm__ volatile("dmb oshst" ::: "memory")
#define tn_chan_mb() __asm__ volatile("dmb osh" ::: "memory")
#else
#define tn_chan_rmb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define tn_chan_wmb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define tn_chan_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#endif

/* An end's view of a channel, kept in the end's own memory. */
struct tn_chan_ring {
	volatile uint8_t *region; /* the shared region, mapped */
	uint32_t kind;		  /* enum tn_chan_kind */
	uint32_t role;		  /* enum tn_chan_role */
	uint32_t msg_size;	  /* queue, sample */
	uint32_t depth;		  /* queue: slots; stream: bytes */
	uint32_t slot_size;
	uint64_t index;	 /* this end's own index, as last written */
	uint64_t errors; /* corrupt states seen from the peer */
};

static inline uint32_t tn_chan_load32(const volatile uint8_t *p)
{
	return *(const volatile uint32_t *)p;
}

static inline void tn_chan_store32(volatile uint8_t *p, uint32_t v)
{
	*(volatile uint32_t *)p = v;
}

static inline uint64_t tn_chan_load64(const volatile uint8_t *p)
{
	return *(const volatile uint64_t *)p;
}

static inline void tn_chan_store64(volatile uint8_t *p, uint64_t v)
{
	*(volatile uint64_t *)p = v;
}

#define TN_CHAN_HEAD (TN_CHAN_WRITER_PAGE + 0)
#define TN_CHAN_WWAIT (TN_CHAN_WRITER_PAGE + 8)
#define TN_CHAN_TAIL (TN_CHAN_READER_PAGE + 0)
#define TN_CHAN_RWAIT (TN_CHAN_READER_PAGE + 8)

/*
 * Sets up a view of a region of size bytes. This end's index is taken
 * from the region, where it survives this end's restart; a peer cannot
 * change it (the page is this end's alone). -EINVAL: sizes the region
 * cannot hold, a role or kind out of range.
 */
static inline int tn_chan_ring_init(struct tn_chan_ring *r,
				    volatile void *region, uint64_t size,
				    uint32_t kind, uint32_t role,
				    uint32_t msg_size, uint32_t depth)
{
	uint64_t need = tn_chan_data_size(kind, msg_size, depth);

	if (!region || !need || need + TN_CHAN_DATA > size ||
	    (role != TN_CHAN_WRITER && role != TN_CHAN_READER))
		return -EINVAL;
	r->region = (volatile uint8_t *)region;
	r->kind = kind;
	r->role = role;
	r->msg_size = kind == TN_CHAN_STREAM ? 0 : msg_size;
	r->depth = kind == TN_CHAN_SAMPLE ? 0 : depth;
	r->slot_size = tn_chan_slot_size(kind, msg_size);
	r->errors = 0;
	r->index = tn_chan_load64(
	    r->region + (role == TN_CHAN_WRITER ? TN_CHAN_HEAD : TN_CHAN_TAIL));
	return 0;
}

static inline int tn_chan_corrupt(struct tn_chan_ring *r)
{
	r->errors++;
	return -EIO;
}

static inline volatile uint8_t *tn_chan_slot(const struct tn_chan_ring *r,
					     uint32_t n)
{
	return r->region + TN_CHAN_DATA + (size_t)n * r->slot_size;
}

/*
 * What is in flight, from this end's index and the peer's: queue
 * messages or stream bytes; -EIO if the peer's index says more than the
 * buffer holds (or that it passed ours). tn_chan_span() only looks;
 * tn_chan_in_flight() also counts the error.
 */
static inline int64_t tn_chan_span(const struct tn_chan_ring *r)
{
	uint64_t head, tail, n;

	if (r->role == TN_CHAN_WRITER) {
		head = r->index;
		tail = tn_chan_load64(r->region + TN_CHAN_TAIL);
	} else {
		head = tn_chan_load64(r->region + TN_CHAN_HEAD);
		tail = r->index;
	}
	n = head - tail;
	return n > r->depth ? -EIO : (int64_t)n;
}

static inline int64_t tn_chan_in_flight(struct tn_chan_ring *r)
{
	int64_t n = tn_chan_span(r);

	return n < 0 ? tn_chan_corrupt(r) : n;
}

/*
 * This end waits (on) or not (off) for the peer's doorbell. A sample's
 * ends have no flag (its readers have no page to write, its writer
 * never waits): its writer rings after every write.
 */
static inline void tn_chan_set_waiting(struct tn_chan_ring *r, int on)
{
	if (r->kind == TN_CHAN_SAMPLE) {
		tn_chan_mb();
		return;
	}
	tn_chan_store32(r->region + (r->role == TN_CHAN_WRITER ? TN_CHAN_WWAIT
							       : TN_CHAN_RWAIT),
			on ? 1u : 0u);
	tn_chan_mb();
}

/* After publishing: whether the peer asked for a doorbell. */
static inline int tn_chan_peer_waiting(const struct tn_chan_ring *r)
{
	if (r->kind == TN_CHAN_SAMPLE)
		return 1;
	tn_chan_mb();
	return tn_chan_load32(r->region + (r->role == TN_CHAN_WRITER
					       ? TN_CHAN_RWAIT
					       : TN_CHAN_WWAIT)) != 0;
}

static inline void tn_chan_publish(struct tn_chan_ring *r, uint64_t index)
{
	r->index = index;
	tn_chan_store64(r->region + (r->role == TN_CHAN_WRITER ? TN_CHAN_HEAD
							       : TN_CHAN_TAIL),
			index);
}

/*
 * Queue. send: 0, -EAGAIN (full), -EMSGSIZE (len > msg_size), -EIO (the
 * reader's index is corrupt). receive: the message's length, -EAGAIN
 * (empty), -EMSGSIZE (size too small: the message stays), -EIO (the
 * writer's index is corrupt, or the message's length: that message is
 * skipped, the next one is intact).
 */
static inline int tn_chan_queue_send(struct tn_chan_ring *r, const void *buf,
				     uint32_t len)
{
	volatile uint8_t *slot;
	int64_t n;

	if (r->kind != TN_CHAN_QUEUE || r->role != TN_CHAN_WRITER)
		return -EINVAL;
	if (len > r->msg_size)
		return -EMSGSIZE;
	n = tn_chan_in_flight(r);
	if (n < 0)
		return (int)n;
	if (n == r->depth)
		return -EAGAIN;
	/* The reader's tail was read before the slot is overwritten. */
	tn_chan_mb();
	slot = tn_chan_slot(r, r->index % r->depth);
	tn_chan_store32(slot, len);
	memcpy((void *)(slot + sizeof(struct tn_chan_slot)), buf, len);
	tn_chan_wmb();
	tn_chan_publish(r, r->index + 1);
	return 0;
}

static inline int tn_chan_queue_receive(struct tn_chan_ring *r, void *buf,
					uint32_t size)
{
	volatile uint8_t *slot;
	uint32_t len;
	int64_t n;

	if (r->kind != TN_CHAN_QUEUE || r->role != TN_CHAN_READER)
		return -EINVAL;
	n = tn_chan_in_flight(r);
	if (n <= 0)
		return n < 0 ? (int)n : -EAGAIN;
	tn_chan_rmb(); /* the head before the slot it covers */
	slot = tn_chan_slot(r, r->index % r->depth);
	len = tn_chan_load32(slot);
	if (len > r->msg_size) {
		tn_chan_mb();
		tn_chan_publish(r, r->index + 1);
		return tn_chan_corrupt(r);
	}
	if (len > size)
		return -EMSGSIZE;
	memcpy(buf, (const void *)(slot + sizeof(struct tn_chan_slot)), len);
	tn_chan_mb(); /* the copy is done before the slot is given back */
	tn_chan_publish(r, r->index + 1);
	return (int)len;
}

/* The length of the next message, -EAGAIN (empty) or -EIO. */
static inline int tn_chan_queue_peek(struct tn_chan_ring *r)
{
	int64_t n = tn_chan_in_flight(r);
	uint32_t len;

	if (n <= 0)
		return n < 0 ? (int)n : -EAGAIN;
	tn_chan_rmb();
	len = tn_chan_load32(tn_chan_slot(r, r->index % r->depth));
	return len > r->msg_size ? tn_chan_corrupt(r) : (int)len;
}

/*
 * Stream. write: the bytes taken (at least 1), -EAGAIN (full), -EIO.
 * read: the bytes read (at least 1), -EAGAIN (empty), -EIO.
 */
static inline void tn_chan_copy_in(struct tn_chan_ring *r, uint64_t at,
				   const uint8_t *src, uint32_t len)
{
	uint32_t off = (uint32_t)(at % r->depth), first = r->depth - off;

	if (first > len)
		first = len;
	memcpy((void *)(r->region + TN_CHAN_DATA + off), src, first);
	memcpy((void *)(r->region + TN_CHAN_DATA), src + first, len - first);
}

static inline void tn_chan_copy_out(const struct tn_chan_ring *r, uint64_t at,
				    uint8_t *dst, uint32_t len)
{
	uint32_t off = (uint32_t)(at % r->depth), first = r->depth - off;

	if (first > len)
		first = len;
	memcpy(dst, (const void *)(r->region + TN_CHAN_DATA + off), first);
	memcpy(dst + first, (const void *)(r->region + TN_CHAN_DATA),
	       len - first);
}

static inline int tn_chan_stream_write(struct tn_chan_ring *r, const void *buf,
				       uint32_t len)
{
	int64_t n;
	uint32_t room;

	if (r->kind != TN_CHAN_STREAM || r->role != TN_CHAN_WRITER)
		return -EINVAL;
	n = tn_chan_in_flight(r);
	if (n < 0)
		return (int)n;
	room = r->depth - (uint32_t)n;
	if (!room)
		return len ? -EAGAIN : 0;
	if (len > room)
		len = room;
	if (len > 0x7fffffffu)
		len = 0x7fffffffu;
	tn_chan_mb();
	tn_chan_copy_in(r, r->index, (const uint8_t *)buf, len);
	tn_chan_wmb();
	tn_chan_publish(r, r->index + len);
	return (int)len;
}

static inline int tn_chan_stream_read(struct tn_chan_ring *r, void *buf,
				      uint32_t size)
{
	int64_t n;
	uint32_t len;

	if (r->kind != TN_CHAN_STREAM || r->role != TN_CHAN_READER)
		return -EINVAL;
	n = tn_chan_in_flight(r);
	if (n <= 0)
		return n < 0 ? (int)n : -EAGAIN;
	len = (uint32_t)n < size ? (uint32_t)n : size;
	if (len > 0x7fffffffu)
		len = 0x7fffffffu;
	if (!len)
		return 0;
	tn_chan_rmb();
	tn_chan_copy_out(r, r->index, (uint8_t *)buf, len);
	tn_chan_mb();
	tn_chan_publish(r, r->index + len);
	return (int)len;
}

/*
 * Sample. write: 0 or -EMSGSIZE; stamp is the caller's system counter.
 * read: the value's length, with its sequence number and stamp;
 * -ENODATA (never written), -EMSGSIZE (size too small), -EAGAIN (the
 * writer rewrote the slot during each of a few tries: call again), -EIO
 * (the length is corrupt).
 */
#define TN_CHAN_SAMPLE_TRIES 4

static inline int tn_chan_sample_write(struct tn_chan_ring *r, const void *buf,
				       uint32_t len, uint64_t stamp)
{
	volatile uint8_t *slot;
	uint64_t seq = r->index + 1;

	if (r->kind != TN_CHAN_SAMPLE || r->role != TN_CHAN_WRITER)
		return -EINVAL;
	if (len > r->msg_size)
		return -EMSGSIZE;
	slot = tn_chan_slot(r, (uint32_t)(seq & 1));
	tn_chan_store64(slot + offsetof(struct tn_chan_sample_slot, seq_begin),
			seq);
	tn_chan_wmb();
	tn_chan_store32(slot + offsetof(struct tn_chan_sample_slot, len), len);
	tn_chan_store64(slot + offsetof(struct tn_chan_sample_slot, stamp),
			stamp);
	memcpy((void *)(slot + sizeof(struct tn_chan_sample_slot)), buf, len);
	tn_chan_wmb();
	tn_chan_store64(slot + offsetof(struct tn_chan_sample_slot, seq_end),
			seq);
	tn_chan_wmb();
	tn_chan_publish(r, seq);
	return 0;
}

static inline int tn_chan_sample_read(struct tn_chan_ring *r, void *buf,
				      uint32_t size, uint64_t *seq_out,
				      uint64_t *stamp_out)
{
	if (r->kind != TN_CHAN_SAMPLE || r->role != TN_CHAN_READER)
		return -EINVAL;
	for (int i = 0; i < TN_CHAN_SAMPLE_TRIES; i++) {
		uint64_t seq = tn_chan_load64(r->region + TN_CHAN_HEAD);
		volatile uint8_t *slot = tn_chan_slot(r, (uint32_t)(seq & 1));
		uint64_t end, begin;
		uint32_t len;
		uint64_t stamp;

		if (!seq)
			return -ENODATA;
		tn_chan_rmb();
		end = tn_chan_load64(
		    slot + offsetof(struct tn_chan_sample_slot, seq_end));
		tn_chan_rmb();
		len = tn_chan_load32(slot +
				     offsetof(struct tn_chan_sample_slot, len));
		stamp = tn_chan_load64(
		    slot + offsetof(struct tn_chan_sample_slot, stamp));
		if (end == seq && len <= r->msg_size && len <= size)
			memcpy(
			    buf,
			    (const void *)(slot +
					   sizeof(struct tn_chan_sample_slot)),
			    len);
		tn_chan_rmb();
		begin = tn_chan_load64(
		    slot + offsetof(struct tn_chan_sample_slot, seq_begin));
		if (end != seq || begin != seq)
			continue; /* being rewritten: look again */
		if (len > r->msg_size)
			return tn_chan_corrupt(r);
		if (len > size)
			return -EMSGSIZE;
		r->index = seq;
		if (seq_out)
			*seq_out = seq;
		if (stamp_out)
			*stamp_out = stamp;
		return (int)len;
	}
	return -EAGAIN;
}

/* Whether a sample newer than the last one read is there. */
static inline int tn_chan_sample_new(const struct tn_chan_ring *r)
{
	uint64_t seq = tn_chan_load64(r->region + TN_CHAN_HEAD);

	return seq && seq != r->index;
}

/*
 * For poll: whether a receive/read (reader) or a send/write (writer)
 * would proceed now: 1 yes, 0 no, -EIO (corrupt: it would return that).
 * It only looks (counts nothing), so it may run beside an operation.
 */
static inline int tn_chan_ready(const struct tn_chan_ring *r)
{
	int64_t n;

	if (r->kind == TN_CHAN_SAMPLE)
		return r->role == TN_CHAN_WRITER ? 1 : tn_chan_sample_new(r);
	n = tn_chan_span(r);
	if (n < 0)
		return (int)n;
	if (r->role == TN_CHAN_READER)
		return n > 0;
	return (uint32_t)n < r->depth;
}

#endif
