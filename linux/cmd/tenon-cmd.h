/*
 * The tenon command's subcommands that live in their own files.
 */
#ifndef TENON_LINUX_CMD_H
#define TENON_LINUX_CMD_H

/* tenon ps: the real-time partition's threads (argv[0] is "ps"). */
int tenon_cmd_ps(int argc, char **argv);

#endif
