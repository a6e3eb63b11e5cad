// SPDX-License-Identifier: GPL-2.0-only
/*
 * tfqkd - the TF-QKD protocol stack command. Dispatches to one subcommand per file
 * (cmd/<name>.c, declared in cmd/commands.h).
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "plan", cmd_plan, "key rate versus distance with the PLOB bound (asymptotic or finite key)" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: tfqkd <command> [options]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "  %-8s %s\n", "help", "this text");
	fprintf(f, "\n'tfqkd <command> --help' describes a command.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "tfqkd: unknown command '%s' (try 'tfqkd help')\n", argv[1]);
	return 2;
}
