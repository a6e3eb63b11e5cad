/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Subcommands of the tfqkd program. Each takes argv with argv[0] = the subcommand name and
 * returns the process exit status (0 success, 1 runtime failure, 2 bad usage).
 */
#ifndef TFQKD_CMD_COMMANDS_H
#define TFQKD_CMD_COMMANDS_H

int cmd_plan(int argc, char **argv);

#endif /* TFQKD_CMD_COMMANDS_H */
