/*
 * Runs the registered tests, each in its own child process with a time
 * limit, and prints one line per test, "ok NAME", "FAILED NAME: why" or
 * "SKIP NAME: why", and a closing "N passed, N failed, N skipped".
 * What a test prints is kept and shown, indented, only if it did not pass
 * (sanitizer reports included); the reason is its first failed check, its
 * skip's reason, or how it ended. Arguments, if any, are substrings: only
 * tests whose name holds one run; -v shows every test's output.
 */
#include "harness.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define TEST_TIME_LIMIT_S 60
/* The exit status of a test child that skipped (as automake's is). */
#define TEST_SKIPPED 77
/* How a skip's reason starts in the test's output. */
#define SKIP_MARK "  skipped: "

static struct test_case *tests_head, **tests_tail = &tests_head;

void test_register(struct test_case *tc)
{
	/* Names are written with dashes, as test names are spoken. */
	char *n = strdup(tc->name);

	if (!n)
		abort();
	for (char *p = n; *p; p++)
		if (*p == '_')
			*p = '-';
	tc->name = n;
	*tests_tail = tc;
	tests_tail = &tc->next;
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "  %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
	_exit(1);
}

void test_skip(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, SKIP_MARK);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
	_exit(TEST_SKIPPED);
}

static int selected(const char *name, int argc, char **argv)
{
	if (argc < 2)
		return 1;
	for (int i = 1; i < argc; i++)
		if (strstr(name, argv[i]))
			return 1;
	return 0;
}

static int verbose;

/* The test's output, indented, each line whole. */
static void show_output(FILE *out)
{
	char line[1024];
	bool start = true;

	rewind(out);
	while (fgets(line, sizeof(line), out)) {
		if (start)
			fputs("    | ", stdout);
		fputs(line, stdout);
		start = strchr(line, '\n') != NULL;
	}
	if (!start)
		putchar('\n');
}

/*
 * The reason a test did not pass, from its output: the first failed
 * check's "  FILE:LINE: ..." line or the skip's reason, into why.
 */
static bool find_reason(FILE *out, bool skip, char *why, size_t size)
{
	char line[1024];
	size_t n = strlen(SKIP_MARK);

	rewind(out);
	while (fgets(line, sizeof(line), out)) {
		char *p = line;
		unsigned long number;

		line[strcspn(line, "\n")] = '\0';
		if (skip) {
			if (strncmp(p, SKIP_MARK, n))
				continue;
			p += n;
		} else {
			char *colon;

			while (*p == ' ')
				p++;
			colon = strchr(p, ':');
			if (p != line + 2 || !colon ||
			    sscanf(colon, ":%lu:", &number) != 1)
				continue;
		}
		snprintf(why, size, "%s", p);
		return true;
	}
	return false;
}

enum outcome { FAILED, PASSED, SKIPPED };

/* Runs one test, prints its result line and, if need be, its output. */
static enum outcome run_one(struct test_case *tc)
{
	FILE *out = tmpfile();
	enum outcome result = FAILED;
	char why[512];
	int status = 0;
	pid_t pid;

	if (!out) {
		printf("FAILED %s: tmpfile: %s\n", tc->name, strerror(errno));
		return FAILED;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		printf("FAILED %s: fork: %s\n", tc->name, strerror(errno));
		fclose(out);
		return FAILED;
	}
	if (pid == 0) {
		dup2(fileno(out), STDOUT_FILENO);
		dup2(fileno(out), STDERR_FILENO);
		alarm(TEST_TIME_LIMIT_S);
		tc->fn();
		exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		snprintf(why, sizeof(why), "waitpid: %s", strerror(errno));
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		result = PASSED;
	else if (WIFEXITED(status) && WEXITSTATUS(status) == TEST_SKIPPED)
		result = SKIPPED;
	if (result == SKIPPED && !find_reason(out, true, why, sizeof(why)))
		snprintf(why, sizeof(why), "no reason given");
	if (result == FAILED && WIFSIGNALED(status))
		snprintf(why, sizeof(why), "killed by signal %d%s",
			 WTERMSIG(status),
			 WTERMSIG(status) == SIGALRM ? " (time limit)" : "");
	else if (result == FAILED && !find_reason(out, false, why, sizeof(why)))
		snprintf(why, sizeof(why), "exited with status %d",
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	if (result == PASSED)
		printf("ok %s\n", tc->name);
	else
		printf("%s %s: %s\n", result == SKIPPED ? "SKIP" : "FAILED",
		       tc->name, why);
	if (result == FAILED || verbose)
		show_output(out);
	fclose(out);
	return result;
}

int main(int argc, char **argv)
{
	int count[3] = {0, 0, 0};

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "-v")) {
		verbose = 1;
		argv[1] = argv[0];
		argc--;
		argv++;
	}
	for (struct test_case *tc = tests_head; tc; tc = tc->next) {
		if (!selected(tc->name, argc, argv))
			continue;
		count[run_one(tc)]++;
	}
	printf("%d passed, %d failed, %d skipped\n", count[PASSED],
	       count[FAILED], count[SKIPPED]);
	return count[FAILED] ? 1 : 0;
}
