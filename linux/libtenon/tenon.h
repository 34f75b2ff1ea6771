/*
 * libtenon: Linux user space's end of Tenon's channels.
 *
 * Each channel end Linux has is a PCI function of the hypervisor's
 * emulated host bridge, bound to the kernel's stock uio_pci_generic: its
 * registers (BAR0) and the shared region (BAR2) are mapped from sysfs,
 * its doorbell arrives as a read() on /dev/uioN. The protocol on the
 * region is <tenon/channel_abi.h>'s, the same code the real-time core
 * runs.
 *
 * Every call returns a negative errno on failure: -ENOENT for a channel
 * the system does not have, -EBUSY for an end another process holds,
 * -EIO when the peer left something corrupt in the region (counted in
 * the end's errors), -ETIMEDOUT when an absolute deadline passed,
 * -EAGAIN when a TN_NOWAIT call would have waited. tn_last_error() says
 * in words what the last failure in this thread was.
 *
 * Deadlines are absolute CLOCK_MONOTONIC times; NULL waits for ever,
 * TN_NOWAIT not at all. One process at a time holds an end (an exclusive
 * flock on it); a thread-safe use of one end from several threads is the
 * caller's (one lock around the calls).
 */
#ifndef TENON_LINUX_TENON_H
#define TENON_LINUX_TENON_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TN_NAME_LEN 16 /* names, with their NUL */

/* enum tn_chan_kind and tn_chan_role of <tenon/channel_abi.h>. */
#define TN_KIND_QUEUE 1
#define TN_KIND_SAMPLE 2
#define TN_KIND_STREAM 3
#define TN_ROLE_WRITER 1
#define TN_ROLE_READER 2

struct tn_channel;

/* What a channel end is, and its counters, as tn_channel_list() and
 * tn_channel_info() see them. */
struct tn_channel_info {
	char name[TN_NAME_LEN];
	char peer[TN_NAME_LEN]; /* the peer partition */
	char device[32];	/* the PCI function, "0000:00:01.0" */
	uint32_t id;		/* the channel's index in the system */
	uint32_t kind;		/* TN_KIND_* */
	uint32_t role;		/* this end's, TN_ROLE_* */
	uint32_t msg_size;	/* queue, sample: max message bytes */
	uint32_t depth;		/* queue: messages; stream: bytes */
	uint32_t region_size;	/* the shared region's bytes */
	uint32_t validity_us;	/* sample: validity period (0: none) */
	uint32_t peer_state;	/* 1 running, 2 restarting, 3 stopped */
	uint32_t peer_restarts; /* times the peer was restarted */
	uint32_t rang;		/* doorbells this end rang */
	uint32_t rung;		/* doorbells the peer rang here */
	int64_t in_flight;	/* queue: messages; stream: bytes; sample:
				   the last sequence number; -EIO: corrupt */
	uint64_t errors;	/* corrupt states this process saw */
	int uio;		/* N of /dev/uioN, -1 if not bound */
};

/* A sample's metadata. */
struct tn_sample_meta {
	uint64_t seq;	/* its sequence number, from 1 */
	uint64_t stamp; /* the writer's system counter at the write */
	int64_t age_ns; /* now - stamp (negative: a stamp from the future) */
	int fresh;	/* 0 <= age within the validity period (or none) */
};

extern const struct timespec tn_nowait;
#define TN_NOWAIT (&tn_nowait)

/*
 * Lists the channel ends this Linux has, up to max of them into out
 * (which may be NULL with max 0); returns how many there are. Needs no
 * driver bound and takes no end.
 */
int tn_channel_list(struct tn_channel_info *out, int max);

/*
 * Opens this Linux's end of channel name: finds its PCI function, binds
 * uio_pci_generic to it if no driver is (root only), maps its registers
 * and region, opens its /dev/uioN and takes the end (-EBUSY if another
 * process has it).
 */
int tn_channel_open(const char *name, struct tn_channel **out);
void tn_channel_close(struct tn_channel *ch);
int tn_channel_info(struct tn_channel *ch, struct tn_channel_info *info);

/*
 * For poll()/select(): the end's file descriptor, readable when a
 * doorbell arrived. tn_channel_arm() prepares a wait: it returns 1 if
 * the operation the end does (receive, read, or for a writer send,
 * write) would proceed now, 0 once armed (then poll the descriptor for
 * POLLIN and try the operation with TN_NOWAIT), or -EIO. A sample writer
 * is always ready; a sample reader is when a new sample is there.
 */
int tn_channel_fd(struct tn_channel *ch);
int tn_channel_arm(struct tn_channel *ch);
/* 1 ready, 0 not, -EIO corrupt; without arming. */
int tn_channel_ready(struct tn_channel *ch);

/* Queue: 0 or -errno; receive returns the message's length. */
int tn_queue_send(struct tn_channel *ch, const void *msg, size_t len,
		  const struct timespec *deadline);
int tn_queue_receive(struct tn_channel *ch, void *buf, size_t size,
		     const struct timespec *deadline);

/*
 * Sample: write never waits. get returns the latest value (-ENODATA:
 * none yet); wait returns the first value newer than the last one this
 * end got. Both return its length, with meta filled in if not NULL.
 */
int tn_sample_write(struct tn_channel *ch, const void *value, size_t len);
int tn_sample_get(struct tn_channel *ch, void *buf, size_t size,
		  struct tn_sample_meta *meta);
int tn_sample_wait(struct tn_channel *ch, void *buf, size_t size,
		   struct tn_sample_meta *meta,
		   const struct timespec *deadline);

/*
 * Stream: write waits until all len bytes went in, or the deadline
 * (returning what went in, or -ETIMEDOUT/-EAGAIN if nothing did); read
 * waits for at least one byte and returns what is there, up to size.
 */
long tn_stream_write(struct tn_channel *ch, const void *buf, size_t len,
		     const struct timespec *deadline);
long tn_stream_read(struct tn_channel *ch, void *buf, size_t size,
		    const struct timespec *deadline);

/* The system counter the sample stamps use, and its frequency (Hz). */
uint64_t tn_counter(void);
uint64_t tn_counter_freq(void);

/* The last failure of this thread, in words ("" if none). */
const char *tn_last_error(void);

/* A deadline ns nanoseconds from now. */
struct timespec tn_deadline_in(int64_t ns);

#ifdef __cplusplus
}
#endif

#endif
