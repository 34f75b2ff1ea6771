/*
 * The log (see tenon/log.h): one ring of text per CPU. Only its own CPU
 * writes into a ring (interrupts masked, so threads and handlers there
 * take turns), and the text leaves it one character at a time, through a
 * per-ring claim that the CPU's idle thread and a flush take in turn; the
 * indexes are published with release and read with acquire ordering, so
 * the scheme holds on a weakly ordered machine. The console itself is the
 * port's synchronous arch_console_write().
 */
#include <tenon/log.h>

#include "kernel/internal.h"

struct log_ring {
	char buf[TN_LOG_SIZE];
	size_t head;	    /* written by the CPU: total bytes queued */
	size_t tail;	    /* written under the claim: total bytes out */
	uint64_t dropped;   /* lines dropped, not yet reported */
	bool claimed;	    /* a consumer is moving a character out */
	bool at_line_start; /* consumer side: the last byte out was '\n' */
};

static struct log_ring rings[TN_MAX_CPUS];
/* Until the core runs, and once it stops or faults: straight out. */
static bool log_direct = true;

void log_reset(void)
{
	for (int i = 0; i < TN_MAX_CPUS; i++) {
		rings[i].head = rings[i].tail = 0;
		rings[i].dropped = 0;
		rings[i].claimed = false;
		rings[i].at_line_start = true;
	}
	__atomic_store_n(&log_direct, true, __ATOMIC_RELEASE);
}

void log_start(void)
{
	__atomic_store_n(&log_direct, false, __ATOMIC_RELEASE);
}

static size_t lines_in(const char *text, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += text[i] == '\n';
	return n ? n : 1;
}

int tn_log_write(const char *text, size_t len)
{
	struct log_ring *r;
	unsigned long flags;
	size_t head, tail;
	int ret = (int)len;

	if (!text || len > (size_t)__INT_MAX__)
		return -EINVAL;
	if (__atomic_load_n(&log_direct, __ATOMIC_ACQUIRE)) {
		arch_console_write(text, len);
		return ret;
	}
	flags = arch_irq_save();
	r = &rings[arch_cpu_id()];
	head = r->head;
	tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
	if (len > TN_LOG_SIZE - (head - tail)) {
		__atomic_add_fetch(&r->dropped, lines_in(text, len),
				   __ATOMIC_RELAXED);
		ret = -ENOSPC;
	} else {
		for (size_t i = 0; i < len; i++)
			r->buf[(head + i) % TN_LOG_SIZE] = text[i];
		/* The text is in place before a consumer may see it. */
		__atomic_store_n(&r->head, head + len, __ATOMIC_RELEASE);
	}
	arch_irq_restore(flags);
	return ret;
}

/* Reports dropped lines once the ring is empty and at a line's start. */
static void report_dropped(struct log_ring *r)
{
	uint64_t n = __atomic_exchange_n(&r->dropped, 0, __ATOMIC_RELAXED);
	char line[40], digits[24];
	size_t len = 0, d = 0;

	if (!n)
		return;
	do
		digits[d++] = (char)('0' + n % 10);
	while ((n /= 10) != 0);
	line[len++] = '[';
	while (d)
		line[len++] = digits[--d];
	for (const char *s = " lines dropped]\n"; *s; s++)
		line[len++] = *s;
	arch_console_write(line, len);
}

/*
 * Moves one character of r to the console; false once r is empty (or
 * another consumer holds it). Interrupts are masked only for that one
 * character, so the CPU's own interrupts wait at most that long.
 */
static bool drain_one(struct log_ring *r)
{
	unsigned long flags = arch_irq_save();
	bool moved = false;
	size_t tail;

	if (__atomic_exchange_n(&r->claimed, true, __ATOMIC_ACQUIRE)) {
		arch_irq_restore(flags);
		return false;
	}
	tail = r->tail;
	if (tail != __atomic_load_n(&r->head, __ATOMIC_ACQUIRE)) {
		char c = r->buf[tail % TN_LOG_SIZE];

		arch_console_write(&c, 1);
		r->at_line_start = c == '\n';
		/* The slot may be reused once the character is out. */
		__atomic_store_n(&r->tail, tail + 1, __ATOMIC_RELEASE);
		moved = true;
	} else if (r->at_line_start) {
		report_dropped(r);
	}
	__atomic_store_n(&r->claimed, false, __ATOMIC_RELEASE);
	arch_irq_restore(flags);
	return moved;
}

void log_drain_cpu(int cpu)
{
	while (drain_one(&rings[cpu]))
		;
}

/*
 * Every CPU's ring, waiting for a claim another consumer holds (for one
 * character: not long). A fault report may come from inside a claim of
 * its own CPU, so it waits a bounded number of times only.
 */
static void drain_all(bool bounded)
{
	for (int i = 0; i < arch_cpu_count(); i++) {
		struct log_ring *r = &rings[i];
		unsigned long waits = 0;

		for (;;) {
			if (drain_one(r))
				continue;
			if (!__atomic_load_n(&r->claimed, __ATOMIC_ACQUIRE))
				break;
			if (bounded && ++waits > 1000000)
				break;
		}
	}
}

int tn_log_flush(void)
{
	if (in_handler())
		return -EPERM;
	drain_all(false);
	return 0;
}

void log_go_direct(bool fault)
{
	drain_all(fault);
	__atomic_store_n(&log_direct, true, __ATOMIC_RELEASE);
	/* What was queued while the switch was made. */
	drain_all(fault);
}
