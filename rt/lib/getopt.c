/*
 * getopt() as POSIX describes it (see unistd.h): options are parsed up to
 * the first argument that is not one, or "--"; arguments are never moved.
 * Errors are told on stderr unless opterr is 0 or optstring starts with ':'.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

char *optarg;
int optind = 1, opterr = 1, optopt;

/*
 * Inside a group of options ("-abc"), the index in argv[optind] of the next
 * letter, else 0; with the optind and argument it was found for, so that a
 * caller who moves optind starts afresh.
 */
static int pos;
static int pos_optind;
static const char *pos_arg;

static const char *prog_name(int argc, char *const argv[])
{
	return argc > 0 && argv[0] ? argv[0] : "?";
}

int getopt(int argc, char *const argv[], const char *optstring)
{
	const char *arg, *spec;
	int c, colon;

	optarg = NULL;
	if (optind <= 0) {
		optind = 1;
		pos = 0;
	}
	if (pos &&
	    (optind != pos_optind || optind >= argc || argv[optind] != pos_arg))
		pos = 0;
	if (!pos) {
		arg = optind < argc ? argv[optind] : NULL;
		if (!arg || arg[0] != '-' || !arg[1])
			return -1;
		if (arg[1] == '-' && !arg[2]) {
			optind++;
			return -1;
		}
		pos = 1;
	}
	/* A leading '+' (GNU's "do not permute") is what we do anyway. */
	if (*optstring == '+')
		optstring++;
	colon = *optstring == ':';
	arg = argv[optind];
	c = (unsigned char)arg[pos++];
	if (arg[pos]) {
		pos_optind = optind;
		pos_arg = arg;
	} else {
		optind++;
		pos = 0;
	}
	spec = c == ':' ? NULL : strchr(optstring + colon, c);
	if (!spec) {
		optopt = c;
		if (opterr && !colon)
			fprintf(stderr, "%s: unknown option -%c\n",
				prog_name(argc, argv), c);
		return '?';
	}
	if (spec[1] != ':')
		return c;
	if (pos) {
		/* The rest of the argument: "-ofile". */
		optarg = (char *)&arg[pos];
		optind++;
		pos = 0;
	} else if (optind < argc) {
		/* The next argument: "-o file". */
		optarg = argv[optind++];
	} else {
		optopt = c;
		if (opterr && !colon)
			fprintf(stderr, "%s: option -%c needs an argument\n",
				prog_name(argc, argv), c);
		return colon ? ':' : '?';
	}
	return c;
}
