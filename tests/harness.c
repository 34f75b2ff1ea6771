/*
 * Runs the registered tests, each in its own child process with a time
 * limit, and prints one line per test and a closing "N passed, N failed".
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

static int run_one(struct test_case *tc)
{
	FILE *out = tmpfile();
	int status, ok = 0;
	pid_t pid;

	if (!out) {
		perror("tmpfile");
		return 0;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		fclose(out);
		return 0;
	}
	if (pid == 0) {
		dup2(fileno(out), STDOUT_FILENO);
		dup2(fileno(out), STDERR_FILENO);
		alarm(TEST_TIME_LIMIT_S);
		tc->fn();
		exit(0);
	}
	if (waitpid(pid, &status, 0) == pid)
		ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	if (!ok || verbose)
		show_output(out);
	if (!ok && WIFSIGNALED(status))
		fprintf(stderr, "  killed by signal %d%s\n", WTERMSIG(status),
			WTERMSIG(status) == SIGALRM ? " (time limit)" : "");
	fclose(out);
	return ok;
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;

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
		if (run_one(tc)) {
			printf("ok     %s\n", tc->name);
			passed++;
		} else {
			printf("FAILED %s\n", tc->name);
			failed++;
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
