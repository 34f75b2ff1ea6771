/*
 * getopt() of the freestanding C library, as POSIX has it: the first
 * argument that is not an option, or "--", ends the options.
 */
#ifndef TENON_LIBC_UNISTD_H
#define TENON_LIBC_UNISTD_H

/*
 * The state is global, as POSIX wants: optind is the next argument to
 * look at. To parse another argument vector (the next run of an
 * application, say), set optind = 1 first; optind = 0 does the same and
 * also forgets an option group ("-abc") left half parsed.
 */
extern char *optarg;
extern int optind, opterr, optopt;

int getopt(int argc, char *const argv[], const char *optstring);

#endif
