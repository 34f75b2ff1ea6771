/*
 * The host program around a real-time application: parses the
 * simulator's own options (all spelled --sim-*), passes every other
 * argument to tn_main(), and exits with its status.
 */
#include <stdlib.h>
#include <string.h>

#include <tenon/sim.h>
#include <tenon/tenon.h>

struct app_args {
	int argc;
	char **argv;
};

static int app_main(void *arg)
{
	struct app_args *a = arg;

	return tn_main(a->argc, a->argv);
}

static int parse_number(const char *opt, const char *text, long long min,
			long long max, long long *out)
{
	char *end;
	long long v = strtoll(text, &end, 0);

	if (!*text || *end || v < min || v > max) {
		fprintf(stderr, "%s: '%s' is not a number from %lld to %lld\n",
			opt, text, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s [--sim-cpus=N] [--sim-seed=N] [--sim-time=SECONDS]\n"
		"          [--sim-trace] [application arguments]\n"
		"Runs the application on the Tenon simulator: N CPUs (default "
		"2),\nthe interleaving named by the seed, virtual time limited "
		"to SECONDS.\n",
		prog);
}

int main(int argc, char **argv)
{
	struct tn_sim_config config;
	struct tn_sim_result result;
	struct app_args args = {.argc = 1,
				.argv = calloc(argc + 1, sizeof(char *))};
	long long v;

	if (!args.argv)
		return 1;
	args.argv[0] = argv[0];
	tn_sim_config_init(&config);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strncmp(a, "--sim-cpus=", 11)) {
			if (parse_number("--sim-cpus", a + 11, 1, TN_MAX_CPUS,
					 &v))
				goto bad;
			config.cpus = (int)v;
		} else if (!strncmp(a, "--sim-seed=", 11)) {
			if (parse_number("--sim-seed", a + 11, 0, INT64_MAX,
					 &v))
				goto bad;
			config.seed = (uint64_t)v;
		} else if (!strncmp(a, "--sim-time=", 11)) {
			if (parse_number("--sim-time", a + 11, 1, 1000000, &v))
				goto bad;
			config.time_limit = TN_SEC(v);
		} else if (!strcmp(a, "--sim-trace")) {
			config.trace = stderr;
		} else if (!strcmp(a, "--sim-help")) {
			usage(stdout, argv[0]);
			free(args.argv);
			return 0;
		} else if (!strncmp(a, "--sim-", 6)) {
			fprintf(stderr, "%s: unknown simulator option '%s'\n",
				argv[0], a);
			goto bad;
		} else {
			args.argv[args.argc++] = argv[i];
		}
	}
	if (tn_sim_run(&config, app_main, &args, &result)) {
		free(args.argv);
		return 1;
	}
	free(args.argv);
	if (result.status != TN_SIM_DONE) {
		fprintf(stderr, "%s: simulation stopped (%s) at %lld ns\n",
			argv[0], tn_sim_status_name(result.status),
			(long long)result.end_time);
		return result.status == TN_SIM_TIME_LIMIT ? 0 : 1;
	}
	return result.exit_code;
bad:
	usage(stderr, argv[0]);
	free(args.argv);
	return 2;
}
