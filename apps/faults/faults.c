/*
 * Faults on purpose, to show how the core reports them; each stops the
 * machine. "faults overflow" recurses in a thread until its stack runs into
 * its guard page; "faults access" reads an address nothing is mapped at;
 * "faults undefined" executes an undefined instruction.
 */
#include <stdio.h>
#include <string.h>

#include <tenon/tenon.h>

static volatile int depth;

static int recurse(int n)
{
	volatile char frame[512];

	frame[0] = (char)n;
	depth = n;
	if (n > 1000000) /* far past any stack: never reached */
		return 0;
	return recurse(n + 1) + frame[0];
}

static void *overflow(void *arg)
{
	(void)arg;
	return (void *)(long)recurse(0);
}

int tn_main(int argc, char *argv[])
{
	const char *what = argc > 1 ? argv[1] : "";
	struct tn_thread_attr attr;
	struct tn_thread t;

	if (!strcmp(what, "overflow")) {
		tn_thread_attr_init(&attr);
		attr.name = "deep";
		attr.sched.priority = 10;
		attr.stack_size = TN_STACK_SIZE_MIN;
		tn_thread_create(&t, &attr, overflow, NULL);
		tn_thread_join(&t, NULL);
	} else if (!strcmp(what, "access")) {
		printf("faults: reading 0xf0000000\n");
		printf("%d\n", *(volatile int *)0xf0000000ul);
	} else if (!strcmp(what, "undefined")) {
		__asm__ volatile(".word 0x00000000");
	} else {
		printf("usage: faults overflow|access|undefined\n");
		return 2;
	}
	printf("faults: '%s' did not fault\n", what);
	return 1;
}
