// SPDX-License-Identifier: GPL-2.0-only
/*
 * qkdctl - control qkdchip QKD cards (Documentation/admin-guide/qkdctl.rst).
 *
 *   qkdctl [OPTIONS] OBJECT COMMAND [ARGS]
 *
 * The grammar follows iproute2: global options, then an object, then its command and
 * keyword arguments. Objects are dispatched here; each has its own file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qkdctl.h"

#ifndef QKDCTL_VERSION
#define QKDCTL_VERSION "unknown"
#endif

static const struct object {
	const char *name;
	int (*run)(struct qkdctl *c, int argc, char **argv);
	const char *summary;
} objects[] = {
	{ "dev", do_dev, "list cards, show their state, set frame, heartbeat, temp-crit" },
	{ "laser", do_laser, "client laser: current, on/off, lock loop" },
	{ "modulator", do_modulator, "client modulator biases" },
	{ "voa", do_voa, "client variable optical attenuator" },
	{ "tec", do_tec, "client TEC: set point, on/off" },
	{ "comb", do_comb, "server comb: pump current, on/off, lock loop" },
	{ "detector", do_detector, "server detectors: bias, tagger channel delay" },
	{ "tagger", do_tagger, "server time tagger: dead time, reference window" },
	{ "clock", do_clock, "clock source" },
	{ "table", do_table, "waveform tables: check, show, load" },
	{ "tags", do_tags, "stream records from a card to stdout" },
	{ "decode", do_decode, "decode a binary record capture" },
	{ "monitor", do_monitor, "print the cards' events as they happen" },
	{ "stats", do_stats, "a card's counters" },
	{ "stream", do_stream, "stop a card's stream (operator override)" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: qkdctl [OPTIONS] OBJECT COMMAND [ARGS]\n\n"
		   "options:\n"
		   "  -j, --json      JSON output (read commands)\n"
		   "  -p, --pretty    indented JSON\n"
		   "  -v, --verbose   say what is done, on stderr\n"
		   "  -V, --version   print the version\n"
		   "  -h, --help      this text\n\n"
		   "objects:\n");
	for (i = 0; i < sizeof(objects) / sizeof(objects[0]); i++)
		fprintf(f, "  %-10s %s\n", objects[i].name, objects[i].summary);
	fprintf(f, "\n'qkdctl OBJECT help' lists an object's commands; DEV is qkdchipN, N or a\n"
		   "PCI address. Exit status: 0 done, 1 failed, 2 bad usage or input, 3 no such\n"
		   "card or no driver, 4 not permitted.\n");
}

int main(int argc, char **argv)
{
	struct qkdctl c = { 0 };
	int i, ret;
	size_t k;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-j") || !strcmp(a, "--json")) {
			c.json = true;
		} else if (!strcmp(a, "-p") || !strcmp(a, "--pretty")) {
			c.pretty = true;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			c.verbose = true;
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf("qkdctl %s\n", QKDCTL_VERSION);
			return QKDCTL_OK;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return QKDCTL_OK;
		} else if (a[1] != '-' && a[2] && strspn(a + 1, "jpv") == strlen(a + 1)) {
			c.json |= strchr(a, 'j') != NULL;	/* bundled: -jp */
			c.pretty |= strchr(a, 'p') != NULL;
			c.verbose |= strchr(a, 'v') != NULL;
		} else {
			fprintf(stderr, "qkdctl: unknown option '%s' (try 'qkdctl --help')\n", a);
			return QKDCTL_USAGE;
		}
	}
	if (c.pretty)
		c.json = true;
	if (i == argc) {
		fprintf(stderr, "qkdctl: missing object (try 'qkdctl help')\n");
		return QKDCTL_USAGE;
	}
	if (!strcmp(argv[i], "help")) {
		usage(stdout);
		return QKDCTL_OK;
	}
	for (k = 0; k < sizeof(objects) / sizeof(objects[0]); k++) {
		if (strcmp(argv[i], objects[k].name))
			continue;
		ret = objects[k].run(&c, argc - i, argv + i);
		qkd_nl_close(c.nl);
		if (fflush(stdout) && !ret) {
			fprintf(stderr, "qkdctl: writing the output: %s\n", strerror(errno));
			ret = QKDCTL_FAIL;
		}
		return ret;
	}
	fprintf(stderr, "qkdctl: unknown object '%s' (try 'qkdctl help')\n", argv[i]);
	return QKDCTL_USAGE;
}
