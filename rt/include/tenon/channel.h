/*
 * Channels to other partitions, as the system description declares them
 * (docs/channels.md): a queue of messages, a sample (the latest value,
 * with its sequence number and the writer's time) or a byte stream, of
 * which this partition is the writer or a reader. A channel is opened by
 * its name; one the system does not declare gives -ENOENT.
 *
 * Blocking calls take an absolute timeout on the monotonic clock
 * (TN_INFINITE: none) and return -ETIMEDOUT when it passes; the try forms
 * never block and return -EAGAIN instead. The peer's doorbell is an
 * interrupt handled at the priority the opener chooses (as tn_irq's
 * handlers are), so a peer ringing at any rate never preempts a thread
 * above that priority. Threads of this partition may share an open
 * channel: their calls on it are serialised.
 *
 * Nothing the peer writes is trusted: a peer whose indices or lengths are
 * impossible makes a call return -EIO and counts an error (see
 * tn_channel_info), never more; the next intact message goes through.
 */
#ifndef TENON_CHANNEL_H
#define TENON_CHANNEL_H

#include <tenon/channel_abi.h>
#include <tenon/irq.h>
#include <tenon/mutex.h>
#include <tenon/types.h>
#include <tenon/wait.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The most channel ends a partition has. */
#define TN_CHANNELS_MAX 32

/*
 * A channel end as the port found it in the partition's description
 * (its device tree): read-only for applications.
 */
struct tn_channel_desc {
	char name[TN_CHAN_NAME_MAX];
	char peer[TN_CHAN_NAME_MAX]; /* the other end's partition */
	uint32_t id;		     /* the channel's index in the system */
	uint32_t kind, role, msg_size, depth, validity_us;
	unsigned int intid;    /* the doorbell's interrupt */
	volatile void *region; /* the shared region, mapped */
	uint64_t size;
};

struct tn_channel_attr {
	/* The doorbell's handler: 0 in interrupt context, else a thread
	   at this priority (see struct tn_irq_attr). */
	int irq_priority;
	tn_cpumask_t
	    affinity; /* the CPU taking the doorbell; 0: the caller's */
};

/* All fields are private to the kernel. */
struct tn_channel {
	struct tn_chan_ring ring;
	const struct tn_channel_desc *desc;
	struct tn_mutex lock; /* one operation at a time on the ring */
	struct tn_wait_queue waiters;
	struct tn_poll_head poll;
	struct tn_irq irq;
	uint64_t bells; /* doorbells taken */
	uint64_t rang;	/* doorbells rung */
	int watchers;	/* threads waiting and poll items watching */
	unsigned int magic;
};

struct tn_channel_info {
	char name[TN_CHAN_NAME_MAX];
	char peer[TN_CHAN_NAME_MAX]; /* the other end's partition */
	uint32_t kind;		     /* enum tn_chan_kind */
	uint32_t role;		     /* enum tn_chan_role: this end's */
	uint32_t msg_size;	     /* queue, sample: max message bytes */
	uint32_t depth;		     /* queue: slots; stream: bytes */
	tn_time_t validity;	     /* sample: how long a value is fresh; 0 */
	int64_t in_flight;	     /* queue: messages; stream: bytes; -EIO */
	uint64_t errors;	     /* corrupt states the peer left */
	uint64_t rang, rung;	     /* doorbells rung to the peer, taken */
};

/* A sample as read: its sequence number (1 for the first value written,
   then one more per write), when it was written, and how old it is. */
struct tn_channel_sample {
	uint64_t seq;
	tn_time_t written; /* the writer's time, on this partition's clock */
	tn_time_t age;	   /* now - written */
	bool fresh;	   /* age within the channel's validity (or none) */
};

/* Fills attr with defaults: the doorbell in interrupt context, this CPU. */
void tn_channel_attr_init(struct tn_channel_attr *attr);
/*
 * Opens this partition's end of the channel called name (attr NULL:
 * defaults). -ENOENT: the system declares no such channel for this
 * partition; -EBUSY: it is open already; -EINVAL: a NULL channel or name,
 * or a bad attribute; -EPERM: called in interrupt context.
 */
int tn_channel_open(struct tn_channel *ch, const char *name,
		    const struct tn_channel_attr *attr);
/* Waiters return -EIDRM; every later call on ch returns -EINVAL. */
int tn_channel_close(struct tn_channel *ch);

/*
 * Queue. send: 0, -EMSGSIZE (longer than the channel's messages),
 * -EAGAIN / -ETIMEDOUT (full), -EIO. receive: the message's length,
 * -EMSGSIZE (size too small: the message stays for a larger buffer),
 * -EAGAIN / -ETIMEDOUT (empty), -EIO (a corrupt message was dropped, or
 * the peer's index is impossible).
 */
int tn_channel_send(struct tn_channel *ch, const void *msg, size_t len,
		    tn_time_t timeout);
int tn_channel_trysend(struct tn_channel *ch, const void *msg, size_t len);
int tn_channel_receive(struct tn_channel *ch, void *buf, size_t size,
		       tn_time_t timeout);
int tn_channel_tryreceive(struct tn_channel *ch, void *buf, size_t size);

/*
 * Stream: write takes as many bytes as there is room for (at least one)
 * and returns how many; read returns what is there (at least one byte),
 * up to size. -EAGAIN / -ETIMEDOUT: full (write), empty (read); -EIO.
 */
int tn_channel_write(struct tn_channel *ch, const void *buf, size_t len,
		     tn_time_t timeout);
int tn_channel_trywrite(struct tn_channel *ch, const void *buf, size_t len);
int tn_channel_read(struct tn_channel *ch, void *buf, size_t size,
		    tn_time_t timeout);
int tn_channel_tryread(struct tn_channel *ch, void *buf, size_t size);

/*
 * Sample: publish replaces the value (0, -EMSGSIZE); read gets the
 * latest one with its sequence number and age (info may be NULL): its
 * length, -ENODATA (never written), -EMSGSIZE, -EAGAIN (the writer kept
 * rewriting it meanwhile), -EIO. read_new waits until timeout for a value
 * newer than the last one this end read.
 */
int tn_channel_publish(struct tn_channel *ch, const void *value, size_t len);
int tn_channel_read_sample(struct tn_channel *ch, void *buf, size_t size,
			   struct tn_channel_sample *info);
int tn_channel_read_new_sample(struct tn_channel *ch, void *buf, size_t size,
			       struct tn_channel_sample *info,
			       tn_time_t timeout);

/* What the channel is and its counters. */
int tn_channel_info(struct tn_channel *ch, struct tn_channel_info *info);

/*
 * The channels this partition has, in the system's order: fills the
 * name of the i-th (0..) and returns 0, or -ENOENT past the last.
 */
int tn_channel_name(unsigned int i, char name[TN_CHAN_NAME_MAX]);

#ifdef __cplusplus
}
#endif

#endif
