/*
 * Helpers for tests that run the real-time core on the simulator: run a
 * body as the "main" thread and insist the run ends normally, and a small
 * event log that turns "who ran when" into a string to compare.
 */
#ifndef TENON_TESTS_SIMTEST_H
#define TENON_TESTS_SIMTEST_H

#include <tenon/tenon.h>

#include "harness.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LOG_MAX 256

struct event_log {
	char text[LOG_MAX * 16];
	size_t len;
};

/*
 * Time in tests is counted from the start of the run (test_t0): on the
 * simulator that is 0 and code takes no time, so times are exact; on a
 * machine, code takes time, and a time may exceed what the simulator would
 * give by up to test_time_slack.
 */
extern tn_time_t test_t0;
extern const tn_time_t test_time_slack;
#define AT(t) (test_t0 + (t))
#define NOW() (tn_clock_read() - test_t0)
/* Checks that now is t after the start (within the slack). */
#define EXPECT_TIME(t) expect_time(__FILE__, __LINE__, (t), NOW())
/* Checks a measured duration against the expected one (same slack). */
#define EXPECT_DURATION(d, t) expect_time(__FILE__, __LINE__, (t), (d))
void expect_time(const char *file, int line, tn_time_t expected,
		 tn_time_t actual);

/* Appends a word (and a space) to the log. */
void log_add(struct event_log *log, const char *word);
/* Appends "word@ms": the time since the start in whole milliseconds. */
void log_add_time(struct event_log *log, const char *word);
/* The log without its trailing space. */
const char *log_str(struct event_log *log);

/*
 * Runs body as a "main" thread at main_priority and waits for it; the run
 * must end with its return of 0. On the simulator, a fresh run with the
 * given CPUs and seed; on a machine, a thread on the CPUs there are.
 */
void sim_run_main(int cpus, uint64_t seed, int main_priority,
		  int (*body)(void *), void *arg);

/* Creates a thread with the given name, policy, priority and CPU mask. */
void spawn(struct tn_thread *t, const char *name, int policy, int prio,
	   tn_cpumask_t cpus, void *(*fn)(void *), void *arg);

#ifdef __cplusplus
}
#endif

#endif
