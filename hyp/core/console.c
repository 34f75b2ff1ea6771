/*
 * The console: the hypervisor owns the physical UART. Each partition's
 * output arrives a character at a time (from its emulated PL011 or the
 * console hypercall) and leaves a whole line at a time, prefixed with the
 * partition's name, so lines of different partitions never mix. The
 * focused partition's line is shown as it is typed (a shell's prompt has
 * no newline); a line of another partition then goes above it, and the
 * unfinished line is shown again below. Input
 * goes to one partition, the focused one; Ctrl-] then 'n' moves the
 * focus to the next partition, Ctrl-] twice sends a Ctrl-] (Ctrl-A is
 * QEMU's own escape).
 */
#include <stdarg.h>

#include "hyp.h"
#include "plat/qemu-virt/platform.h"

#define UART_DR 0x00
#define UART_FR 0x18
#define UART_FR_RXFE (1u << 4)
#define UART_FR_TXFF (1u << 5)
#define UART_LCR_H 0x2c
#define UART_CR 0x30
#define UART_IMSC 0x38
#define UART_ICR 0x44
#define UART_RXIM (1u << 4)
#define UART_RTIM (1u << 6)
#define ESCAPE 0x1d /* Ctrl-] */

static struct spinlock console_lock;
static int focus;
static bool escape;

void spin_lock(struct spinlock *l)
{
	uint32_t ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != ticket)
		__asm__ volatile("yield");
}

void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->owner, l->owner + 1, __ATOMIC_RELEASE);
}

void console_init(void)
{
	focus = 0;
}

void console_putc_raw(char c)
{
	while (mmio_read32(PLAT_UART_BASE + UART_FR) & UART_FR_TXFF)
		;
	mmio_write32(PLAT_UART_BASE + UART_DR, (uint8_t)c);
}

/* The focused partition's unfinished line, when it is on the screen. */
static struct partition *shown;

static void put_text(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++)
		console_putc_raw(text[i]);
}

static void put_prefix(const char *name)
{
	console_putc_raw('[');
	put_text(name, __builtin_strlen(name));
	put_text("] ", 2);
}

/* Called with console_lock held: the unfinished line goes, for a while. */
static void hide_partial(void)
{
	if (shown)
		put_text("\r\n", 2);
}

static void show_partial(void)
{
	if (shown) {
		put_prefix(shown->cfg->name);
		put_text(shown->uart.line, shown->uart.line_len);
	}
}

static void put_line(const char *name, const char *text, size_t len)
{
	spin_lock(&console_lock);
	hide_partial();
	put_prefix(name);
	put_text(text, len);
	put_text("\r\n", 2);
	show_partial();
	spin_unlock(&console_lock);
}

/* A minimal formatter: %s %c %d %i %u %x %p %%, flags '#' '0', width, l/ll/z.
 */
int hyp_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	size_t n = 0;

#define EMIT(ch)                       \
	do {                           \
		if (n + 1 < size)      \
			buf[n] = (ch); \
		n++;                   \
	} while (0)

	for (; *fmt; fmt++) {
		char digits[24];
		int width = 0, nd = 0, lng = 0;
		bool alt = false, zero = false, neg = false;
		unsigned long long u = 0;
		unsigned int base = 10;

		if (*fmt != '%') {
			EMIT(*fmt);
			continue;
		}
		for (fmt++; *fmt == '#' || *fmt == '0'; fmt++)
			*fmt == '#' ? (alt = true) : (zero = true);
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z')
			lng++, fmt++;
		switch (*fmt) {
		case 's': {
			const char *s = va_arg(ap, const char *);

			for (s = s ? s : "(null)"; *s; s++)
				EMIT(*s);
			continue;
		}
		case 'c':
			EMIT((char)va_arg(ap, int));
			continue;
		case '%':
			EMIT('%');
			continue;
		case 'd':
		case 'i': {
			long long sv =
			    lng ? va_arg(ap, long long) : va_arg(ap, int);

			neg = sv < 0;
			u = neg ? -(unsigned long long)sv
				: (unsigned long long)sv;
			break;
		}
		case 'p':
			alt = true;
			lng = 2;
			/* fall through */
		case 'x':
			base = 16;
			/* fall through */
		case 'u':
			u = lng ? va_arg(ap, unsigned long long)
				: va_arg(ap, unsigned int);
			break;
		default:
			EMIT('?');
			continue;
		}
		do {
			digits[nd++] = "0123456789abcdef"[u % base];
			u /= base;
		} while (u);
		if (neg)
			EMIT('-');
		if (alt && base == 16) {
			EMIT('0');
			EMIT('x');
		}
		for (int pad = width - nd - neg; pad > 0; pad--)
			EMIT(zero ? '0' : ' ');
		while (nd)
			EMIT(digits[--nd]);
	}
	if (size)
		buf[n < size ? n : size - 1] = '\0';
#undef EMIT
	return (int)n;
}

int hyp_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = hyp_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

void hyp_log(const char *fmt, ...)
{
	char line[CONSOLE_LINE];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = hyp_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	put_line("tenon", line,
		 n < (int)sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

void hyp_panic(const char *fmt, ...)
{
	char line[CONSOLE_LINE];
	va_list ap;

	va_start(ap, fmt);
	hyp_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	hyp_log("panic: %s", line);
	psci_fw_system_off();
}

/* Called with the partition's lock held. */
void console_partition_putc(struct partition *p, char c)
{
	struct vuart *u = &p->uart;
	bool focused = p == &partitions[focus];

	if (c == '\r')
		return;
	if (c != '\n' && u->line_len < sizeof(u->line)) {
		u->line[u->line_len++] = c;
		if (focused) {
			/* Typed, or a prompt: on the screen at once. */
			spin_lock(&console_lock);
			if (shown != p) {
				hide_partial();
				shown = p;
				put_prefix(p->cfg->name);
				put_text(u->line, u->line_len - 1);
			}
			console_putc_raw(c);
			spin_unlock(&console_lock);
		}
		if (u->line_len < sizeof(u->line))
			return;
	}
	spin_lock(&console_lock);
	if (shown == p) {
		/* Already on the screen: just end it. */
		shown = NULL;
		put_text("\r\n", 2);
		spin_unlock(&console_lock);
	} else {
		spin_unlock(&console_lock);
		put_line(p->cfg->name, u->line, u->line_len);
	}
	u->line_len = 0;
}

void console_enable_input(void)
{
	/* The partition a person types to: Linux's, where there is one. */
	for (uint32_t i = 0; i < tn_sysconfig.npartitions; i++)
		if (tn_sysconfig.partitions[i].kind == TN_CFG_KIND_LINUX &&
		    tn_sysconfig.partitions[i].console) {
			focus = (int)i;
			break;
		}
	mmio_write32(PLAT_UART_BASE + UART_LCR_H, 0x70); /* 8 bits, FIFOs */
	mmio_write32(PLAT_UART_BASE + UART_CR, 0x301);	 /* on, TX, RX */
	mmio_write32(PLAT_UART_BASE + UART_IMSC, UART_RXIM | UART_RTIM);
	gic_enable_spi(PLAT_UART_IRQ, 0);
	hyp_log("console input goes to %s (Ctrl-] n: next partition)",
		partitions[focus].cfg->name);
}

static void deliver(char c)
{
	struct partition *p = &partitions[focus];

	spin_lock(&p->lock);
	vuart_receive(p, c);
	spin_unlock(&p->lock);
}

void console_input_irq(void)
{
	while (!(mmio_read32(PLAT_UART_BASE + UART_FR) & UART_FR_RXFE)) {
		char c = (char)mmio_read32(PLAT_UART_BASE + UART_DR);

		if (escape) {
			escape = false;
			if (c == 'n') {
				focus =
				    (focus + 1) % (int)tn_sysconfig.npartitions;
				hyp_log("console input goes to %s",
					partitions[focus].cfg->name);
				continue;
			}
			if (c != ESCAPE)
				continue;
		} else if (c == ESCAPE) {
			escape = true;
			continue;
		}
		deliver(c);
	}
	mmio_write32(PLAT_UART_BASE + UART_ICR, UART_RXIM | UART_RTIM);
}
