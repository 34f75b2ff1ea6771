/*
 * tenon ps: the real-time partition's threads, from the system channel
 * the real-time core serves them on. Until that channel exists this says
 * so and fails.
 */
#include <stdio.h>
#include <string.h>

#include "tenon-cmd.h"

int tenon_cmd_ps(int argc, char **argv)
{
	(void)argv;
	if (argc > 1 && !strcmp(argv[1], "-h")) {
		printf("usage: tenon ps\n"
		       "Lists the real-time partition's threads.\n");
		return 0;
	}
	fprintf(stderr, "tenon ps: this system's real-time core serves no "
			"thread list yet\n");
	return 1;
}
