/*
 * The test runner on a machine: the same registered tests as on the host,
 * run one after the other in one image (no processes to isolate them), each
 * printed "ok NAME", "SKIP NAME: why" (more CPUs than the machine has, say)
 * or "FAILED NAME: why", then the closing "N passed, N failed, N skipped".
 * A failed check ends the run at once: the test's threads may be left in
 * any state, so nothing after it could be trusted in this image. The
 * runner then says which test broke and where a fresh start goes on
 * ("-s K"), and the script that booted the machine boots it again from
 * there (tests/suite-run.py).
 * Each test starts with its file's variables as they were at boot, as in
 * the fresh process it gets on the host.
 *   arguments: [-l] [-s K] [-w MS] [SUBSTRING...]
 *   -l     list the selected tests, numbered, and run none
 *   -s K   start from the K-th selected test (the first is 1)
 *   -w MS  wait that long first: in a partition beside a Linux that is
 *          still booting, so that the timing tests do not measure the
 *          emulator running Linux's busy vCPUs before the waking one
 *   SUBSTRING: only tests whose name holds one are selected
 */
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#include <tenon/tenon.h>

#include "harness.h"

static struct test_case *tests_head, **tests_tail = &tests_head;
/* The tests' variables (see the linker script) and their first values. */
extern char __testdata_start[], __testdata_end[], __testdata_copy[];
static const char *current;
static int passed, skipped, current_index, selected_count;
/*
 * Where a skipped test returns to: the runner's own frame, reached only
 * from the runner's thread before the test started any thread, so no
 * thread is left behind (__builtin_setjmp: the compiler saves what the
 * frame needs, no C library support is required).
 */
static void *skip_return[5];
static struct tn_thread *runner;

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

	if (argc < 1)
		return true;
	for (const char *p = name; *p && n + 1 < sizeof(spoken); p++)
		spoken[n++] = *p == '_' ? '-' : *p;
	spoken[n] = '\0';
	for (int i = 0; i < argc; i++)
		if (strstr(spoken, argv[i]))
			return true;
	return false;
}

static void print_counts(int failed)
{
	printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("FAILED ");
	print_name(current ? current : "?");
	printf(": %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (current_index < selected_count)
		printf("tenon: test %d of %d broke; tests %d to %d did not "
		       "run in this image (a fresh start goes on: -s %d)\n",
		       current_index, selected_count, current_index + 1,
		       selected_count, current_index + 1);
	else
		printf("tenon: test %d of %d broke\n", current_index,
		       selected_count);
	print_counts(1);
	exit(1);
}

void test_skip(const char *fmt, ...)
{
	va_list ap;

	/*
	 * From any other thread, or after the test started threads, there
	 * is no clean way back: that is a broken test, not a skipped one.
	 */
	if (tn_thread_self() != runner)
		test_fail(__FILE__, __LINE__,
			  "test_skip() called from a thread of the test");
	printf("SKIP ");
	print_name(current);
	printf(": ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	skipped++;
	__builtin_longjmp(skip_return, 1);
}

/* Runs one test; a skip comes back here from test_skip(). */
static void run_one(struct test_case *tc)
{
	if (__builtin_setjmp(skip_return))
		return;
	tc->fn();
	printf("ok ");
	print_name(tc->name);
	putchar('\n');
	passed++;
}

static int usage(const char *why)
{
	printf("testsuite: %s\n  usage: testsuite [-l] [-s K] [-w MS] "
	       "[SUBSTRING...]\n",
	       why);
	return 2;
}

int tn_main(int argc, char *argv[])
{
	size_t data_size = (size_t)(__testdata_end - __testdata_start);
	bool list = false;
	long from = 1, wait_ms = 0;
	char *end;
	int opt;

	while ((opt = getopt(argc, argv, "ls:w:")) != -1) {
		switch (opt) {
		case 'l':
			list = true;
			break;
		case 's':
			from = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || from < 1)
				return usage("-s takes a test number, 1 or "
					     "more");
			break;
		case 'w':
			wait_ms = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || wait_ms < 0)
				return usage("-w takes milliseconds, 0 or "
					     "more");
			break;
		default:
			return usage("unknown option");
		}
	}
	argc -= optind;
	argv += optind;
	for (struct test_case *tc = tests_head; tc; tc = tc->next)
		if (selected(tc->name, argc, argv))
			selected_count++;
	if (list) {
		int k = 0;

		for (struct test_case *tc = tests_head; tc; tc = tc->next) {
			if (!selected(tc->name, argc, argv))
				continue;
			printf("TEST   %d ", ++k);
			print_name(tc->name);
			putchar('\n');
		}
		printf("tenon: %d tests\n", selected_count);
		return 0;
	}
	if (from > selected_count && selected_count > 0)
		return usage("-s is past the last test");
	if (wait_ms)
		tn_sleep(TN_MSEC(wait_ms));
	printf("tenon: on-target tests on %d CPUs", tn_cpu_count());
	if (from > 1)
		printf(", from test %ld of %d", from, selected_count);
	putchar('\n');
	runner = tn_thread_self();
	memcpy(__testdata_copy, __testdata_start, data_size);
	for (struct test_case *tc = tests_head; tc; tc = tc->next) {
		if (!selected(tc->name, argc, argv))
			continue;
		if (++current_index < from)
			continue;
		current = tc->name;
		memcpy(__testdata_start, __testdata_copy, data_size);
		run_one(tc);
	}
	print_counts(0);
	return 0;
}
