/*
 * Helpers shared by the simulator tests (see simtest.h).
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
		 (long long)(tn_clock_read() / TN_MSEC(1)));
	log_add(log, buf);
}

const char *log_str(struct event_log *log)
{
	if (log->len && log->text[log->len - 1] == ' ')
		log->text[--log->len] = '\0';
	return log->text;
}

struct tn_sim_result sim_run_main(int cpus, uint64_t seed, int main_priority,
				  int (*body)(void *), void *arg)
{
	struct tn_sim_config config;
	struct tn_sim_result result;

	tn_sim_config_init(&config);
	config.cpus = cpus;
	config.seed = seed;
	config.main_priority = main_priority;
	config.time_limit = TN_SEC(3600);
	EXPECT_EQ(tn_sim_run(&config, body, arg, &result), 0);
	if (result.status != TN_SIM_DONE)
		test_fail(__FILE__, __LINE__, "simulation ended %s at %lld ns",
			  tn_sim_status_name(result.status),
			  (long long)result.end_time);
	EXPECT_EQ(result.exit_code, 0);
	return result;
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
