/*
 * Runs the registered tests, each in its own child process with a time
 * limit, and prints one line per test and a closing "N passed, N failed,
 * N skipped".
 * What a test prints is kept and shown only if it fails (sanitizer
 * reports included). Arguments, if any, are substrings: only tests whose
 * name holds one run; -v shows every test's output.
 */
#include "harness.h"

#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define TEST_TIME_LIMIT_S 60
/* The exit status of a test child that skipped (as automake's is). */
#define TEST_SKIPPED 77

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

	fprintf(stderr, "  skipped: ");
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

static void show_output(FILE *out)
{
	char buf[4096];
	size_t n;

	rewind(out);
	while ((n = fread(buf, 1, sizeof(buf), out)) > 0)
		fwrite(buf, 1, n, stderr);
}

enum outcome { FAILED, PASSED, SKIPPED };

static enum outcome run_one(struct test_case *tc)
{
	FILE *out = tmpfile();
	enum outcome result = FAILED;
	int status;
	pid_t pid;

	if (!out) {
		perror("tmpfile");
		return FAILED;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		perror("fork");
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
	if (waitpid(pid, &status, 0) == pid && WIFEXITED(status))
		result = WEXITSTATUS(status) == 0	       ? PASSED
			 : WEXITSTATUS(status) == TEST_SKIPPED ? SKIPPED
							       : FAILED;
	if (result != PASSED || verbose)
		show_output(out);
	if (result == FAILED && WIFSIGNALED(status))
		fprintf(stderr, "  killed by signal %d%s\n", WTERMSIG(status),
			WTERMSIG(status) == SIGALRM ? " (time limit)" : "");
	fclose(out);
	return result;
}

int main(int argc, char **argv)
{
	static const char *const label[] = {"FAILED", "ok    ", "skip  "};
	int count[3] = {0, 0, 0};

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "-v")) {
		verbose = 1;
		argv[1] = argv[0];
		argc--;
		argv++;
	}
	for (struct test_case *tc = tests_head; tc; tc = tc->next) {
		enum outcome r;

		if (!selected(tc->name, argc, argv))
			continue;
		r = run_one(tc);
		printf("%s %s\n", label[r], tc->name);
		count[r]++;
	}
	printf("%d passed, %d failed, %d skipped\n", count[PASSED],
	       count[FAILED], count[SKIPPED]);
	return count[FAILED] ? 1 : 0;
}
