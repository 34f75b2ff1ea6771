/*
 * The tenon command's subcommands that live in their own files.
 */
#ifndef TENON_LINUX_CMD_H
#define TENON_LINUX_CMD_H

/* tenon ps: the real-time partition's threads (argv[0] is "ps"). */
int tenon_cmd_ps(int argc, char **argv);
/* tenon bench: round trips through an echoing peer (apps/echo). */
int tenon_cmd_bench(int argc, char **argv);

/* tenon partition: list, stop, start, restart, load (manager.c). */
int tenon_cmd_partition(int argc, char **argv);
/* tenon hm: the health monitor's log. */
int tenon_cmd_hm(int argc, char **argv);

#endif
