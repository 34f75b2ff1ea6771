/*
 * The PL011 each partition sees at the platform's UART address: enough of
 * the ARM PrimeCell UART for Linux's amba-pl011 driver and for the
 * real-time core's polling console. Transmission never waits (the FIFO is
 * always empty); received characters come from the console when the
 * partition has the focus. Its interrupt (SPI 33) is a level line: raised
 * while an enabled interrupt condition holds. Called with the partition's
 * lock held.
 */
#include "hyp.h"
#include "plat/qemu-virt/platform.h"

#define DR 0x000
#define RSR 0x004
#define FR 0x018
#define ILPR 0x020
#define IBRD 0x024
#define FBRD 0x028
#define LCR_H 0x02c
#define CR 0x030
#define IFLS 0x034
#define IMSC 0x038
#define RIS 0x03c
#define MIS 0x040
#define ICR 0x044
#define DMACR 0x048

#define FR_RXFE (1u << 4)
#define FR_RXFF (1u << 6)
#define FR_TXFE (1u << 7)
#define INT_RX (1u << 4)
#define INT_TX (1u << 5)
#define INT_RT (1u << 6)

/* PrimeCell identification: a PL011 r1p5, as QEMU's. */
static const uint8_t periph_id[8] = {0x11, 0x10, 0x14, 0x00,
				     0x0d, 0xf0, 0x05, 0xb1};

/* A plain read-write register. */
static uint32_t rw(uint32_t *reg, bool write, uint32_t v)
{
	if (write)
		*reg = v;
	return *reg;
}

static uint32_t raw_status(const struct vuart *u)
{
	return INT_TX | (u->rx_count ? INT_RX | INT_RT : 0);
}

static void update_line(struct partition *p)
{
	vgic_set_level(p, PLAT_UART_IRQ, raw_status(&p->uart) & p->uart.imsc);
}

bool vuart_receive(struct partition *p, char c)
{
	struct vuart *u = &p->uart;

	if (u->rx_count == VUART_FIFO)
		return false; /* not read: dropped, as a UART would */
	u->rx[(u->rx_head + u->rx_count) % VUART_FIFO] = (uint8_t)c;
	u->rx_count++;
	update_line(p);
	return true;
}

bool vuart_access(struct partition *p, uint64_t off, bool write,
		  uint64_t *value)
{
	struct vuart *u = &p->uart;
	uint32_t v = (uint32_t)*value, r = 0;

	if (off >= 0xfe0 && off < 0x1000) {
		if (!write)
			*value = periph_id[(off - 0xfe0) / 4];
		return true;
	}
	switch (off) {
	case DR:
		if (write) {
			console_partition_putc(p, (char)v);
		} else if (u->rx_count) {
			r = u->rx[u->rx_head];
			u->rx_head = (u->rx_head + 1) % VUART_FIFO;
			u->rx_count--;
		}
		break;
	case FR:
		r = FR_TXFE | (u->rx_count ? 0 : FR_RXFE) |
		    (u->rx_count == VUART_FIFO ? FR_RXFF : 0);
		break;
	case IBRD:
		r = rw(&u->ibrd, write, v);
		break;
	case FBRD:
		r = rw(&u->fbrd, write, v);
		break;
	case LCR_H:
		r = rw(&u->lcr_h, write, v);
		break;
	case CR:
		r = rw(&u->cr, write, v);
		break;
	case IFLS:
		r = rw(&u->ifls, write, v);
		break;
	case IMSC:
		r = rw(&u->imsc, write, v & 0x7ff);
		break;
	case RIS:
		r = raw_status(u);
		break;
	case MIS:
		r = raw_status(u) & u->imsc;
		break;
	case RSR:
	case ILPR:
	case ICR:
	case DMACR:
		break; /* nothing to clear: the conditions are recomputed */
	default:
		break;
	}
	if (!write)
		*value = r;
	update_line(p);
	return true;
}
