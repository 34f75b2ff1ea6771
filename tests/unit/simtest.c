/*
 * Helpers shared by the real-time tests, on the simulator and on a
 * machine alike (see simtest.h).
 */
#include "simtest.h"

void log_add(struct event_log *log, const char *word)
{
	size_t n = strlen(word);

	if (log->len + n + 2 > sizeof(log->text))
		test_fail(__FILE__, __LINE__, "event log full");
	memcpy(log->text + log->len, word, n);
	log->len += n;
	log->text[log->len++] = ' ';
	log->text[log->len] = '\0';
}

void log_add_time(struct event_log *log, const char *word)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%s@%lld", word,
		 (long long)(NOW() / TN_MSEC(1)));
	log_add(log, buf);
}

void expect_time(const char *file, int line, tn_time_t expected,
		 tn_time_t actual)
{
	if (actual < expected || actual > expected + test_time_slack)
		test_fail(file, line,
			  "expected a time of %lld ns (up to %lld ns later), "
			  "got %lld ns",
			  (long long)expected, (long long)test_time_slack,
			  (long long)actual);
}

const char *log_str(struct event_log *log)
{
	if (log->len && log->text[log->len - 1] == ' ')
		log->text[--log->len] = '\0';
	return log->text;
}

void spawn(struct tn_thread *t, const char *name, int policy, int prio,
	   tn_cpumask_t cpus, void *(*fn)(void *), void *arg)
{
	struct tn_thread_attr attr;

	tn_thread_attr_init(&attr);
	attr.name = name;
	attr.sched.policy = policy;
	attr.sched.priority = prio;
	attr.affinity = cpus;
	EXPECT_EQ(tn_thread_create(t, &attr, fn, arg), 0);
}
