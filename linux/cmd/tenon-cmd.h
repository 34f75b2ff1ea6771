/*
 * The tenon command's subcommands that live in their own files.
 */
#ifndef TENON_LINUX_CMD_H
#define TENON_LINUX_CMD_H

/* tenon ps: the real-time partition's threads (argv[0] is "ps"). */
int tenon_cmd_ps(int argc, char **argv);
/* tenon bench: round trips through an echoing peer (apps/echo). */
int tenon_cmd_bench(int argc, char **argv);

#endif
