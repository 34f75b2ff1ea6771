/*
 * The console's output: the hypervisor owns the physical UART, and no
 * exit path ever touches it. Each partition's output goes into a ring of
 * its own (filled under the partition's own lock, from its emulated PL011
 * or the console hypercall), the hypervisor's own lines into a ring of
 * lines (filled under a lock held only to copy one line). One CPU, the
 * system description's console CPU, drains them (single consumer: the
 * drain lock), from its EL2 timer (CNTHP) and the UART's transmit
 * interrupt, writing to the UART only while its FIFO has room.
 *
 * What leaves is whole lines, each prefixed with its writer's name
 * ("[linux] "); a partition's control characters are shown escaped (^[
 * for ESC, ^? for DEL, \xNN for bytes 0x80-0xff; \r\n ends a line as \n
 * does), so that none can forge another's line or move the cursor. A
 * line without its newline (a prompt) is shown after PARTIAL_MS, once,
 * and what follows it goes on the same screen line until another line
 * must be shown. Each partition's output is rate-limited (a token bucket
 * of BURST bytes refilled at RATE bytes per second); what is refused is
 * counted and reported. A hypervisor line is shown after what the
 * partitions had written when it was logged. At power-off and at a
 * panic, everything buffered is written out first.
 */
#include <stdarg.h>

#include "hyp.h"
#include "core/hm.h"
#include "plat/qemu-virt/platform.h"

#define UART_DR 0x00
#define UART_FR 0x18
#define UART_FR_TXFF (1u << 5)
#define UART_IMSC 0x38
#define UART_MIS 0x40
#define UART_ICR 0x44
#define UART_TXIM (1u << 5)

#define RING_SIZE 16384	 /* per partition, a power of two */
#define HYP_LINES 64	 /* the hypervisor's own lines waiting */
#define RATE 8192	 /* bytes per second a partition may write... */
#define BURST 32768	 /* ...after a burst of this many */
#define TICK_US 5000	 /* while there is output, the drain runs this often */
#define WAKE_US 1000	 /* after new output: lets a line gather */
#define TICK_BUDGET 1024 /* bytes written per run at the most */
#define PARTIAL_MS 250	 /* a line without its newline is shown after */
#define REPORT_MS 1000	 /* dropped output is reported at most this often */
#define HYP_SRC TN_CFG_MAX_PARTITIONS /* the hypervisor, as a source */

/* One partition's output: single producer (its CPUs, under its lock). */
struct ring {
	uint32_t head;	  /* bytes written (producer, release) */
	uint32_t tail;	  /* bytes taken (drainer, release) */
	uint32_t dropped; /* bytes refused: over the rate, or no room */
	uint32_t tokens;  /* the bucket */
	bool skipping;	  /* refusing up to the end of a line cut short */
	uint64_t refilled;
	uint8_t buf[RING_SIZE];
};

/* A line of the hypervisor's, after the partitions' bytes before it. */
struct hyp_line {
	uint32_t after[TN_CFG_MAX_PARTITIONS]; /* their heads when logged */
	uint32_t len;
	char text[CONSOLE_LINE];
};

/* The drainer's view of a source: the line it is assembling. */
struct line {
	char text[CONSOLE_LINE + 8]; /* escaped, not yet on the screen */
	unsigned int len;
	unsigned int shown; /* of this screen line, already written */
	bool cr;	    /* a \r, which is a line end if \n follows */
	bool open;	    /* its line is on the screen, unfinished, last */
	uint64_t since;	    /* when its first character came */
	uint32_t reported;  /* dropped bytes reported so far */
	uint64_t drop_seen; /* when unreported drops were first seen */
};

static struct ring rings[TN_CFG_MAX_PARTITIONS];
static struct hyp_line hyp_lines[HYP_LINES];
static uint32_t hyp_head, hyp_tail, hyp_dropped;
static struct spinlock hyp_lock;

/* The drainer's: under drain_lock. */
static struct spinlock drain_lock;
static struct line lines[TN_CFG_MAX_PARTITIONS + 1];
static char tx[2 * CONSOLE_LINE + 64];
static unsigned int tx_len, tx_pos;
static int screen_open = -1; /* the source whose line is open, or -1 */
static unsigned int next_rr;
static uint64_t freq;
/*
 * The final flush writes what was there when it began, no more: at a
 * panic the other CPUs may still be writing, faster than a UART goes.
 */
static bool flushing;
static uint32_t flush_heads[TN_CFG_MAX_PARTITIONS], flush_hyp_head;

/* The console CPU's: its timer and whether producers must wake it. */
static int console_cpu = -1;
static uint32_t asleep;

static unsigned int nparts(void)
{
	uint32_t n = tn_sysconfig.npartitions;

	return n < TN_CFG_MAX_PARTITIONS ? n : TN_CFG_MAX_PARTITIONS;
}

static int this_cpu(void)
{
	return (int)(read_sysreg(mpidr_el1) & 0xff);
}

static uint64_t us_ticks(uint64_t us)
{
	return freq / 1000000 * us;
}

/* The console CPU's EL2 timer, which it shares (hyptimer.c). */
static void arm(uint64_t when)
{
	hyptimer_set_earliest(HT_CONSOLE, when);
}

/*
 * After new output: a drainer gone to sleep is woken. The fence orders
 * the output before the look at `asleep`, as the drainer orders its
 * `asleep` before its last look at the rings.
 */
static void wake(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&asleep, __ATOMIC_RELAXED) ||
	    !__atomic_exchange_n(&asleep, 0, __ATOMIC_ACQ_REL))
		return;
	if (this_cpu() == console_cpu)
		arm(arch_counter() + us_ticks(WAKE_US));
	else
		gic_kick(console_cpu);
}

void console_init(void)
{
	freq = arch_counter_freq();
}

/*
 * One byte of p's, under p's lock: false if refused (rate, room). A line
 * cut by a refusal is refused to its end and ended there, so what is
 * shown after a refusal starts with a whole line, not with a fragment
 * (a carriage return or the tail of a line).
 */
static bool put_byte(struct ring *r, char c)
{
	uint32_t head = r->head;

	if (!r->tokens) {
		uint64_t now = arch_counter(), per_byte = freq / RATE;
		uint64_t n = (now - r->refilled) / per_byte;

		if (!r->refilled || n >= BURST) {
			r->tokens = BURST;
			r->refilled = now;
		} else {
			r->tokens = (uint32_t)n;
			r->refilled += n * per_byte;
		}
	}
	if ((r->skipping && c != '\n') || !r->tokens ||
	    head - __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE) >= RING_SIZE) {
		__atomic_store_n(&r->dropped, r->dropped + 1, __ATOMIC_RELAXED);
		r->skipping = true;
		return false;
	}
	r->skipping = false;
	r->tokens--;
	r->buf[head % RING_SIZE] = (uint8_t)c;
	__atomic_store_n(&r->head, head + 1, __ATOMIC_RELEASE);
	return true;
}

void console_partition_putc(struct partition *p, char c)
{
	if (put_byte(&rings[p->index], c))
		wake();
}

void console_partition_write(struct partition *p, const char *buf, size_t len)
{
	bool any = false;

	for (size_t i = 0; i < len; i++)
		any |= put_byte(&rings[p->index], buf[i]);
	if (any)
		wake();
}

static void queue_line(const char *text, size_t len)
{
	struct hyp_line *h;

	spin_lock(&hyp_lock);
	if (hyp_head - __atomic_load_n(&hyp_tail, __ATOMIC_ACQUIRE) >=
	    HYP_LINES) {
		__atomic_store_n(&hyp_dropped, hyp_dropped + 1,
				 __ATOMIC_RELAXED);
	} else {
		h = &hyp_lines[hyp_head % HYP_LINES];
		for (unsigned int i = 0; i < TN_CFG_MAX_PARTITIONS; i++)
			h->after[i] =
			    __atomic_load_n(&rings[i].head, __ATOMIC_ACQUIRE);
		h->len = (uint32_t)len;
		__builtin_memcpy(h->text, text, len);
		__atomic_store_n(&hyp_head, hyp_head + 1, __ATOMIC_RELEASE);
	}
	spin_unlock(&hyp_lock);
	wake();
}

void hyp_log(const char *fmt, ...)
{
	char text[CONSOLE_LINE];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = hyp_vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	queue_line(text, n < (int)sizeof(text) ? (size_t)n : sizeof(text) - 1);
}

/* ---- The drainer, under drain_lock. ---- */

static void put(const char *s, size_t n)
{
	for (size_t i = 0; i < n && tx_len < sizeof(tx); i++)
		tx[tx_len++] = s[i];
}

/* What is staged, while the UART takes it (or waiting, when told). */
static bool push(bool wait)
{
	while (tx_pos < tx_len) {
		if (mmio_read32(PLAT_UART_BASE + UART_FR) & UART_FR_TXFF) {
			if (!wait)
				return false;
			continue;
		}
		mmio_write32(PLAT_UART_BASE + UART_DR, (uint8_t)tx[tx_pos++]);
	}
	tx_pos = tx_len = 0;
	return true;
}

static const char *source_name(int i)
{
	return i == HYP_SRC ? "tenon" : tn_sysconfig.partitions[i].name;
}

static void put_prefix(int i)
{
	const char *name = source_name(i);
	size_t n = 0;

	while (n < TN_CFG_NAME_MAX - 1 && name[n])
		n++;
	put("[", 1);
	put(name, n);
	put("] ", 2);
}

/* The open line, if any, is ended: something else goes on the screen. */
static void end_open(void)
{
	if (screen_open >= 0) {
		put("\r\n", 2);
		lines[screen_open].open = false;
		lines[screen_open].shown = 0;
		screen_open = -1;
	}
}

/* Source i's line goes out: whole (ended), or open (to be continued). */
static void stage_line(int i, bool whole)
{
	struct line *l = &lines[i];

	if (!l->open) {
		end_open();
		put_prefix(i);
	}
	put(l->text, l->len);
	l->shown += l->len;
	l->len = 0;
	if (whole) {
		put("\r\n", 2);
		l->open = false;
		l->shown = 0;
		screen_open = -1;
	} else {
		l->open = true;
		screen_open = i;
	}
}

static void add(struct line *l, char c)
{
	l->text[l->len++] = c;
}

static void add_escaped(struct line *l, uint8_t c)
{
	if (c == '\t' || (c >= 0x20 && c < 0x7f)) {
		add(l, (char)c);
	} else if (c < 0x20 || c == 0x7f) {
		add(l, '^');
		add(l, c == 0x7f ? '?' : (char)(c + 0x40));
	} else {
		add(l, '\\');
		add(l, 'x');
		add(l, "0123456789abcdef"[c >> 4]);
		add(l, "0123456789abcdef"[c & 15]);
	}
}

/* One byte into source i's line: true when the line is complete. */
static bool take(int i, uint8_t c, uint64_t now)
{
	struct line *l = &lines[i];

	if (!l->len && !l->cr && !l->open)
		l->since = now;
	if (l->cr) {
		l->cr = false;
		if (c == '\n')
			return true;
		add_escaped(l, '\r');
	}
	if (c == '\r') {
		l->cr = true;
		return false;
	}
	if (c == '\n')
		return true;
	add_escaped(l, c);
	/* Full: what follows goes on the next line. */
	return l->shown + l->len + 6 > CONSOLE_LINE;
}

/* Bytes of partition i's ring before `limit`: true at a complete line. */
static bool fill(int i, uint32_t limit, uint64_t now)
{
	struct ring *r = &rings[i];
	uint32_t tail = r->tail;
	bool done = false;

	while (!done && (int32_t)(limit - tail) > 0)
		done = take(i, r->buf[tail++ % RING_SIZE], now);
	__atomic_store_n(&r->tail, tail, __ATOMIC_RELEASE);
	return done;
}

static uint32_t ring_head(int i)
{
	return flushing ? flush_heads[i]
			: __atomic_load_n(&rings[i].head, __ATOMIC_ACQUIRE);
}

static uint32_t hyp_ring_head(void)
{
	return flushing ? flush_hyp_head
			: __atomic_load_n(&hyp_head, __ATOMIC_ACQUIRE);
}

static void report_drops(int i, uint32_t dropped)
{
	char text[CONSOLE_LINE];
	int n;

	if (i == HYP_SRC)
		n = hyp_snprintf(text, sizeof(text),
				 "[tenon] %u lines of the hypervisor's own "
				 "dropped\r\n",
				 dropped - lines[i].reported);
	else
		n = hyp_snprintf(text, sizeof(text),
				 "[tenon] partition %s: %u bytes of console "
				 "output dropped\r\n",
				 source_name(i), dropped - lines[i].reported);
	end_open();
	put(text, n < (int)sizeof(text) ? (size_t)n : sizeof(text) - 1);
	lines[i].reported = dropped;
	lines[i].drop_seen = 0;
}

static uint32_t dropped_of(int i)
{
	return __atomic_load_n(i == HYP_SRC ? &hyp_dropped : &rings[i].dropped,
			       __ATOMIC_RELAXED);
}

/* Stages the next thing to show, if there is one now. */
static bool stage_next(uint64_t now, bool final)
{
	unsigned int n = nparts();

	/* The hypervisor's lines, each after the partitions' bytes before. */
	if (hyp_tail != hyp_ring_head()) {
		const struct hyp_line *h = &hyp_lines[hyp_tail % HYP_LINES];

		for (unsigned int i = 0; i < n; i++)
			if (fill((int)i, h->after[i], now)) {
				stage_line((int)i, true);
				return true;
			}
		end_open();
		put("[tenon] ", 8);
		put(h->text, h->len);
		put("\r\n", 2);
		__atomic_store_n(&hyp_tail, hyp_tail + 1, __ATOMIC_RELEASE);
		return true;
	}
	/* Whole lines of the partitions, in turn. */
	for (unsigned int k = 0; k < n; k++) {
		int i = (int)((next_rr + k) % n);

		if (fill(i, ring_head(i), now)) {
			stage_line(i, true);
			next_rr = (unsigned int)i + 1;
			return true;
		}
	}
	/* Lines without their newline yet: due, continued, or the end. */
	for (unsigned int i = 0; i < n; i++) {
		struct line *l = &lines[i];

		if (l->len && (l->open || final ||
			       now - l->since >= us_ticks(PARTIAL_MS * 1000))) {
			stage_line((int)i, final);
			return true;
		}
	}
	for (int i = 0; i <= HYP_SRC; i++) {
		uint32_t d = dropped_of(i);

		if (i < HYP_SRC && (unsigned int)i >= n)
			continue;
		if (d == lines[i].reported)
			continue;
		if (!lines[i].drop_seen)
			lines[i].drop_seen = now;
		else if (flushing && lines[i].drop_seen == ~0ull)
			continue; /* reported once in this flush */
		if (final ||
		    now - lines[i].drop_seen >= us_ticks(REPORT_MS * 1000)) {
			report_drops(i, d);
			if (flushing)
				lines[i].drop_seen = ~0ull;
			return true;
		}
	}
	return false;
}

/*
 * Writes what the UART takes now, TICK_BUDGET bytes at most, or, when
 * final, everything (waiting for the UART: the machine is stopping).
 * False if it stopped at a full FIFO.
 */
static bool drain(uint64_t now, bool final)
{
	unsigned int sent = 0;

	for (;;) {
		if (!push(final))
			return false;
		if (!final && sent >= TICK_BUDGET)
			return true;
		if (!stage_next(now, final))
			return true;
		sent += tx_len;
	}
}

/* Whether anything waits in a ring or to be reported. */
static bool pending(void)
{
	if (hyp_tail != __atomic_load_n(&hyp_head, __ATOMIC_ACQUIRE) ||
	    dropped_of(HYP_SRC) != lines[HYP_SRC].reported)
		return true;
	for (unsigned int i = 0; i < nparts(); i++)
		if (rings[i].tail != ring_head((int)i) ||
		    dropped_of((int)i) != lines[i].reported)
			return true;
	return false;
}

/* When the drain must run next, or 0: only when woken. */
static uint64_t next_run(uint64_t now, bool fifo_full)
{
	uint64_t when = 0;

	if (fifo_full || pending())
		return now + us_ticks(TICK_US);
	for (unsigned int i = 0; i <= HYP_SRC; i++) {
		uint64_t t = 0;

		if (i < HYP_SRC && i >= nparts())
			continue;
		if (i < HYP_SRC && lines[i].len)
			t = lines[i].open
				? now + us_ticks(TICK_US)
				: lines[i].since + us_ticks(PARTIAL_MS * 1000);
		if (lines[i].drop_seen) {
			uint64_t r =
			    lines[i].drop_seen + us_ticks(REPORT_MS * 1000);

			t = t && t < r ? t : r;
		}
		if (t && (!when || t < when))
			when = t;
	}
	return when;
}

/* On the console CPU: its timer, a wake-up, or room in the UART. */
static void run(void)
{
	uint64_t now = arch_counter(), when;
	bool full;

	if (!spin_trylock(&drain_lock)) {
		/* The final flush has it, on the CPU powering off. */
		arm(now + us_ticks(TICK_US));
		return;
	}
	full = !drain(now, false);
	if (full) {
		/* The transmit interrupt says when it has room again. */
		uint32_t imsc = mmio_read32(PLAT_UART_BASE + UART_IMSC);

		mmio_write32(PLAT_UART_BASE + UART_IMSC, imsc | UART_TXIM);
	}
	when = next_run(now, full);
	if (!when) {
		__atomic_store_n(&asleep, 1, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (pending() &&
		    __atomic_exchange_n(&asleep, 0, __ATOMIC_ACQ_REL))
			when = now + us_ticks(WAKE_US);
	}
	spin_unlock(&drain_lock);
	if (when)
		arm(when);
}

void console_timer_irq(void)
{
	run();
}

void console_kicked(void)
{
	if (this_cpu() == console_cpu &&
	    !__atomic_load_n(&asleep, __ATOMIC_RELAXED))
		arm(arch_counter() + us_ticks(WAKE_US));
}

void console_uart_irq(void)
{
	uint32_t mis = mmio_read32(PLAT_UART_BASE + UART_MIS);

	if (mis & UART_TXIM) {
		mmio_write32(PLAT_UART_BASE + UART_IMSC,
			     mmio_read32(PLAT_UART_BASE + UART_IMSC) &
				 ~UART_TXIM);
		mmio_write32(PLAT_UART_BASE + UART_ICR, UART_TXIM);
		run();
	}
	console_input_irq();
}

void console_start(void)
{
	console_cpu = (int)tn_sysconfig.console_cpu;
	console_enable_input(console_cpu);
	/* Its first run drains what boot logged, then it sleeps. */
	if (this_cpu() == console_cpu)
		arm(arch_counter() + us_ticks(WAKE_US));
	else
		gic_kick(console_cpu);
}

/*
 * Everything buffered goes out, on this CPU, waiting for the UART: at
 * power-off (every partition stopped, the last line queued) and at a
 * panic. The drain lock keeps it the only reader of the rings; a panic
 * does not wait for it for ever (its holder may be what failed).
 */
void console_flush(bool panic)
{
	bool locked = !panic;

	if (panic) {
		for (int tries = 0; !locked && tries < 100000; tries++) {
			locked = spin_trylock(&drain_lock);
			if (!locked)
				__asm__ volatile("yield");
		}
	} else {
		spin_lock(&drain_lock);
	}
	if (!freq)
		freq = arch_counter_freq();
	for (unsigned int i = 0; i < TN_CFG_MAX_PARTITIONS; i++)
		flush_heads[i] =
		    __atomic_load_n(&rings[i].head, __ATOMIC_ACQUIRE);
	flush_hyp_head = __atomic_load_n(&hyp_head, __ATOMIC_ACQUIRE);
	flushing = true;
	drain(arch_counter(), true);
	flushing = false;
	for (int i = 0; i <= HYP_SRC; i++)
		if (lines[i].drop_seen == ~0ull)
			lines[i].drop_seen = 0;
	if (locked)
		spin_unlock(&drain_lock);
}

void hyp_panic(const char *fmt, ...)
{
	char line[CONSOLE_LINE];
	uint32_t before = hyp_dropped;
	va_list ap;

	va_start(ap, fmt);
	hyp_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	hyp_log("panic: %s", line);
	console_flush(true);
	if (hyp_dropped != before) {
		/* Its line found no room: written as it is. */
		for (const char *s = "[tenon] panic: "; *s; s++)
			put(s, 1);
		put(line, __builtin_strlen(line));
		put("\r\n", 2);
		push(true);
	}
	psci_fw_system_off();
}
