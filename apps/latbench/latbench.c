/*
 * latmus on CPU 0, optionally with hectic loading every other CPU: the
 * image behind `make bench-latency`. Both applications are linked in
 * unchanged, their entry points renamed latmus_main and hectic_main.
 *
 *   latbench [load] [latmus options]
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <tenon/tenon.h>

int latmus_main(int argc, char *argv[]);
int hectic_main(int argc, char *argv[]);

static char seconds[16] = "10";
static int load_status;

static void *load(void *arg)
{
	char *argv[] = {"hectic", "-q", "-c", "1", "-T", seconds, NULL};

	(void)arg;
	load_status = hectic_main(6, argv);
	return NULL;
}

int tn_main(int argc, char *argv[])
{
	struct tn_thread_attr attr;
	struct tn_thread loader;
	bool loaded = argc > 1 && !strcmp(argv[1], "load");
	int ret;

	if (loaded) {
		argv[1] = argv[0];
		argc--;
		argv++;
		/* The load runs as long as the measure: take latmus's -T. */
		for (int i = 1; i + 1 < argc; i++)
			if (!strcmp(argv[i], "-T"))
				snprintf(seconds, sizeof(seconds), "%s",
					 argv[i + 1]);
		if (tn_cpu_count() < 2) {
			fprintf(stderr, "latbench: load needs a second CPU\n");
			return 2;
		}
		tn_thread_attr_init(&attr);
		attr.name = "hectic";
		attr.sched.priority = TN_PRIO_MAX;
		attr.affinity = TN_CPU(1);
		tn_thread_create(&loader, &attr, load, NULL);
		/* hectic has read its options: getopt is latmus's now. */
		tn_sleep(TN_MSEC(1));
		optind = 1;
	}
	ret = latmus_main(argc, argv);
	if (loaded) {
		tn_thread_join(&loader, NULL);
		printf("latbench: load on CPUs 1-%d: hectic status %d\n",
		       tn_cpu_count() - 1, load_status);
		if (!ret)
			ret = load_status;
	}
	return ret;
}
