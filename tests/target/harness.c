/*
 * The test runner on a machine: the same registered tests as on the host,
 * run one after the other in one image (no processes to isolate them), each
 * printed with OK, then the closing "N passed, N failed". A failed check
 * prints BROKEN and ends the run at once: the test's threads may be left
 * in any state, so nothing after it could be trusted.
 * Each test starts with its file's variables as they were at boot, as in
 * the fresh process it gets on the host.
 * Arguments, if any, are substrings: only tests whose name holds one run.
 */
#include <stdarg.h>
#include <stdlib.h>

#include <tenon/tenon.h>

#include "harness.h"

static struct test_case *tests_head, **tests_tail = &tests_head;
/* The tests' variables (see the linker script) and their first values. */
extern char __testdata_start[], __testdata_end[], __testdata_copy[];
static const char *current;
static int passed;

void test_register(struct test_case *tc)
{
	*tests_tail = tc;
	tests_tail = &tc->next;
}

/* Test names are identifiers; they are spoken with dashes. */
static void print_name(const char *name)
{
	for (const char *p = name; *p; p++)
		putchar(*p == '_' ? '-' : *p);
}

static bool selected(const char *name, int argc, char **argv)
{
	char spoken[128];
	size_t n = 0;

	if (argc < 2)
		return true;
	for (const char *p = name; *p && n + 1 < sizeof(spoken); p++)
		spoken[n++] = *p == '_' ? '-' : *p;
	spoken[n] = '\0';
	for (int i = 1; i < argc; i++)
		if (strstr(spoken, argv[i]))
			return true;
	return false;
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("  %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\nBROKEN ");
	print_name(current ? current : "?");
	printf("\n%d passed, 1 failed\n", passed);
	exit(1);
}

int tn_main(int argc, char *argv[])
{
	size_t data_size = (size_t)(__testdata_end - __testdata_start);

	printf("tenon: on-target tests on %d CPUs\n", tn_cpu_count());
	memcpy(__testdata_copy, __testdata_start, data_size);
	for (struct test_case *tc = tests_head; tc; tc = tc->next) {
		if (!selected(tc->name, argc, argv))
			continue;
		current = tc->name;
		memcpy(__testdata_start, __testdata_copy, data_size);
		tc->fn();
		printf("OK     ");
		print_name(tc->name);
		putchar('\n');
		passed++;
	}
	printf("%d passed, 0 failed\n", passed);
	return 0;
}
