/*
 * QEMU virt's power key as a real-time device: line 3 of the PL061 GPIO
 * controller, which QEMU raises when its monitor is told system_powerdown,
 * interrupts through SPI 7 (INTID 39). Each press is handled in interrupt
 * context, or by a handler thread at the priority -p gives, and reported
 * by the main thread; the application ends after -n presses (default 1).
 * It runs alone on the machine or in a partition the device is passed to.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tenon/tenon.h>

#define PL061_BASE 0x09030000ul
#define PL061_INTID 39
#define GPIODIR 0x400
#define GPIOIS 0x404
#define GPIOIBE 0x408
#define GPIOIEV 0x40c
#define GPIOIE 0x410
#define GPIOMIS 0x418
#define GPIOIC 0x41c
#define KEY_LINE (1u << 3)
#define HANDLER_NAME "powerkey-irq"

static struct tn_sem presses;
static volatile int handled_on, spurious;
static volatile bool in_own_thread;

static uint32_t gpio_read(unsigned long off)
{
	return *(volatile uint32_t *)(PL061_BASE + off);
}

static void gpio_write(unsigned long off, uint32_t v)
{
	*(volatile uint32_t *)(PL061_BASE + off) = v;
}

static void key_handler(struct tn_irq *irq)
{
	uint32_t mis = gpio_read(GPIOMIS);

	(void)irq;
	if (!(mis & KEY_LINE)) {
		spurious++;
		return;
	}
	/* Cleared before anyone is told, so the next press is not lost. */
	gpio_write(GPIOIC, mis);
	handled_on = tn_cpu_self();
	in_own_thread = !strcmp(tn_thread_name(tn_thread_self()), HANDLER_NAME);
	tn_sem_put(&presses);
}

static void usage(void)
{
	printf("usage: powerkey [-n PRESSES] [-p HANDLER_PRIORITY]\n"
	       "  -p 0 (the default) handles the key in interrupt context\n");
}

int tn_main(int argc, char *argv[])
{
	struct tn_irq_attr attr;
	struct tn_irq irq;
	int presses_wanted = 1, opt, ret;

	tn_irq_attr_init(&attr);
	attr.name = HANDLER_NAME;
	while ((opt = getopt(argc, argv, "n:p:h")) != -1) {
		switch (opt) {
		case 'n':
			presses_wanted = atoi(optarg);
			break;
		case 'p':
			attr.priority = atoi(optarg);
			break;
		default:
			usage();
			return opt == 'h' ? 0 : 2;
		}
	}
	if (presses_wanted < 1) {
		printf("powerkey: -n wants a number of presses from 1\n");
		return 2;
	}
	tn_sem_init(&presses, 0);
	/* Rising edge of the key's line, nothing else. */
	gpio_write(GPIOIE, 0);
	gpio_write(GPIODIR, gpio_read(GPIODIR) & ~KEY_LINE);
	gpio_write(GPIOIS, gpio_read(GPIOIS) & ~KEY_LINE);
	gpio_write(GPIOIBE, gpio_read(GPIOIBE) & ~KEY_LINE);
	gpio_write(GPIOIEV, gpio_read(GPIOIEV) | KEY_LINE);
	gpio_write(GPIOIC, 0xff);
	ret = tn_irq_attach(&irq, PL061_INTID, &attr, key_handler, NULL);
	if (ret) {
		printf("powerkey: cannot attach to interrupt %d: error %d\n",
		       PL061_INTID, ret);
		return 1;
	}
	gpio_write(GPIOIE, KEY_LINE);
	if (attr.priority)
		printf("powerkey: waiting for %d press%s, handled by thread "
		       "'%s' at priority %d\n",
		       presses_wanted, presses_wanted > 1 ? "es" : "",
		       HANDLER_NAME, attr.priority);
	else
		printf("powerkey: waiting for %d press%s, handled in interrupt "
		       "context\n",
		       presses_wanted, presses_wanted > 1 ? "es" : "");
	for (int i = 1; i <= presses_wanted; i++) {
		tn_sem_get(&presses);
		printf(
		    "powerkey: press %d handled on cpu%d %s\n", i, handled_on,
		    in_own_thread ? "by its thread" : "in interrupt context");
	}
	gpio_write(GPIOIE, 0);
	tn_irq_detach(&irq);
	if (spurious)
		printf("powerkey: %d spurious interrupt%s\n", spurious,
		       spurious > 1 ? "s" : "");
	return 0;
}
