/*
 * Running a test body on the simulator: a fresh core per run, on the
 * given CPUs and seed, with time starting at 0 and taking no time.
 */
#include <tenon/sim.h>

#include "simtest.h"

tn_time_t test_t0;
const tn_time_t test_time_slack;

void sim_run_main(int cpus, uint64_t seed, int main_priority,
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
}
