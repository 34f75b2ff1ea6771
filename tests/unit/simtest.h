/*
 * Helpers for tests that run the real-time core on the simulator: run a
 * body as the "main" thread and insist the run ends normally, and a small
 * event log that turns "who ran when" into a string to compare.
 */
#ifndef TENON_TESTS_SIMTEST_H
#define TENON_TESTS_SIMTEST_H

#include <tenon/sim.h>
#include <tenon/tenon.h>

#include "harness.h"

#define LOG_MAX 256

struct event_log {
	char text[LOG_MAX * 16];
	size_t len;
};

/* Appends a word (and a space) to the log. */
void log_add(struct event_log *log, const char *word);
/* Appends "word@ms" with the current virtual time in whole milliseconds. */
void log_add_time(struct event_log *log, const char *word);
/* The log without its trailing space. */
const char *log_str(struct event_log *log);

/* Runs body as main at main_priority; the run must end with main's return. */
struct tn_sim_result sim_run_main(int cpus, uint64_t seed, int main_priority,
				  int (*body)(void *), void *arg);

/* Creates a thread with the given name, policy, priority and CPU mask. */
void spawn(struct tn_thread *t, const char *name, int policy, int prio,
	   tn_cpumask_t cpus, void *(*fn)(void *), void *arg);

#endif
