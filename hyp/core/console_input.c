/*
 * The console's input: the UART's receive interrupt, taken on the console
 * CPU (never a real-time one unless the system has nothing else), hands
 * each character to the focused partition's emulated PL011 under that
 * partition's own lock. Ctrl-] then 'n' moves the focus to the next
 * partition, Ctrl-] then 's' starts the focused partition again when it
 * is stopped (powered off, or stopped by its health monitor), Ctrl-]
 * twice sends one Ctrl-] (Ctrl-A is QEMU's own escape).
 * An escape sequence arriving between Ctrl-] and 'n' (a terminal's answer
 * to a query, ESC [ 50 ; 24 R) is swallowed whole: it neither cancels the
 * switch nor reaches the partition.
 */
#include <errno.h>

#include "hyp.h"
#include "plat/qemu-virt/platform.h"

#define UART_DR 0x00
#define UART_FR 0x18
#define UART_FR_RXFE (1u << 4)
#define UART_LCR_H 0x2c
#define UART_CR 0x30
#define UART_IMSC 0x38
#define UART_ICR 0x44
#define UART_RXIM (1u << 4)
#define UART_RTIM (1u << 6)
#define ESCAPE 0x1d /* Ctrl-] */
#define ESC 0x1b

enum input_state {
	INPUT_PLAIN,   /* characters go to the focused partition */
	INPUT_ESCAPED, /* after Ctrl-]: 'n', another Ctrl-], or nothing */
	INPUT_SEQ,     /* after Ctrl-] and ESC: a sequence begins */
	INPUT_CSI,     /* within ESC [ ...: until its final byte */
	INPUT_SS3,     /* ESC O: one more byte */
};

static int focus;
static enum input_state state;
/* Characters typed to the focused partition that it did not take. */
static unsigned long dropped;

/*
 * What is typed to a partition that takes none (stopped, or not reading
 * its UART: a full FIFO) is said, once, not lost silently; the count when
 * the focus moves on or the partition reads again.
 */
static void deliver(char c)
{
	struct partition *p = &partitions[focus];
	bool running, taken;

	spin_lock(&p->lock);
	running =
	    __atomic_load_n(&p->state, __ATOMIC_ACQUIRE) == PARTITION_RUNNING;
	taken = running && vuart_receive(p, c);
	spin_unlock(&p->lock);
	if (!taken && !dropped++)
		hyp_log("partition %s takes no console input (%s): what is "
			"typed to it is dropped; Ctrl-] n moves the focus%s",
			p->cfg->name, running ? "it reads none" : "stopped",
			running ? "" : ", Ctrl-] s starts it");
	else if (taken && dropped) {
		hyp_log("partition %s reads its console input again, %lu "
			"characters typed to it were dropped",
			p->cfg->name, dropped);
		dropped = 0;
	}
}

/* The person at the console starts the partition it types to. */
static void start_focused(void)
{
	struct partition *p = &partitions[focus];
	int r = hm_request(p, TN_MGR_OP_START, 0, NULL, 0);

	if (r > 0)
		hyp_log("partition %s: starting it, as asked at the console",
			p->cfg->name);
	else
		hyp_log("partition %s: not started from the console: %s",
			p->cfg->name,
			r == -EALREADY ? "it is running"
			: r == -EOPNOTSUPP
			    ? "it has no pristine image to start "
			      "from"
			    : "it is being reset or is parked");
}

static void input(char c)
{
	switch (state) {
	case INPUT_PLAIN:
		if (c == ESCAPE)
			state = INPUT_ESCAPED;
		else
			deliver(c);
		return;
	case INPUT_ESCAPED:
		state = INPUT_PLAIN;
		if (c == 'n') {
			if (dropped)
				hyp_log("partition %s took none of the %lu "
					"characters typed to it",
					partitions[focus].cfg->name, dropped);
			dropped = 0;
			focus = (focus + 1) % (int)tn_sysconfig.npartitions;
			hyp_log("console input goes to %s",
				partitions[focus].cfg->name);
		} else if (c == 's') {
			start_focused();
		} else if (c == ESCAPE) {
			deliver(c);
		} else if (c == ESC) {
			state = INPUT_SEQ;
		}
		/* Anything else cancels the escape, and is dropped. */
		return;
	case INPUT_SEQ:
		state = c == '['   ? INPUT_CSI
			: c == 'O' ? INPUT_SS3
				   : INPUT_ESCAPED;
		return;
	case INPUT_CSI:
		/* Parameters and intermediates 0x20-0x3f; a final byte ends it.
		 */
		if (c < 0x20 || c > 0x3f)
			state = INPUT_ESCAPED;
		return;
	case INPUT_SS3:
		state = INPUT_ESCAPED;
		return;
	}
}

void console_input_irq(void)
{
	while (!(mmio_read32(PLAT_UART_BASE + UART_FR) & UART_FR_RXFE))
		input((char)mmio_read32(PLAT_UART_BASE + UART_DR));
	mmio_write32(PLAT_UART_BASE + UART_ICR, UART_RXIM | UART_RTIM);
}

void console_enable_input(int cpu)
{
	/* The partition a person types to: Linux's, where there is one. */
	focus = 0;
	for (uint32_t i = 0; i < tn_sysconfig.npartitions; i++)
		if (tn_sysconfig.partitions[i].kind == TN_CFG_KIND_LINUX &&
		    tn_sysconfig.partitions[i].console) {
			focus = (int)i;
			break;
		}
	mmio_write32(PLAT_UART_BASE + UART_LCR_H, 0x70); /* 8 bits, FIFOs */
	mmio_write32(PLAT_UART_BASE + UART_CR, 0x301);	 /* on, TX, RX */
	mmio_write32(PLAT_UART_BASE + UART_IMSC, UART_RXIM | UART_RTIM);
	gic_enable_hyp_spi(PLAT_UART_IRQ, cpu);
	hyp_log("console on CPU %d; input goes to %s (Ctrl-] n: next "
		"partition, Ctrl-] s: start it when stopped)",
		cpu, partitions[focus].cfg->name);
}
