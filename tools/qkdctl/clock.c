// SPDX-License-Identifier: GPL-2.0-only
/*
 * qkdctl clock set DEV source internal|ext-10m-pps
 */
#include <string.h>

#include "qkdctl.h"

static int clock_set(struct qkdctl *c, int argc, char **argv)
{
	struct qkd_config cfg = { 0 };
	const char *v;
	int i;

	if (argc < 2)
		return usage_err(c, "missing DEV");
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "source"))
			return usage_err(c, "unknown argument '%s' (source)", argv[i]);
		if (cfg.set & QKD_SET_CLOCK_SOURCE)
			return usage_err(c, "'source' given twice");
		if (!(v = kw_value(c, &i, argc, argv)))
			return QKDCTL_USAGE;
		if (!strcmp(v, "internal"))
			cfg.clock_source = QKDCHIP_CLOCK_SOURCE_INTERNAL;
		else if (!strcmp(v, "ext-10m-pps"))
			cfg.clock_source = QKDCHIP_CLOCK_SOURCE_EXT_10M_PPS;
		else
			return usage_err(c, "unknown clock source '%s' (internal or ext-10m-pps)", v);
		cfg.set |= QKD_SET_CLOCK_SOURCE;
	}
	if (!cfg.set)
		return usage_err(c, "nothing to set (source internal|ext-10m-pps)");
	return apply_config(c, argv[1], &cfg);
}

static const struct cmd clock_cmds[] = {
	{ "set", clock_set, "DEV source internal|ext-10m-pps",
	  "Choose the slot clock: the card's internal oscillator, or an external 10 MHz\n"
	  "reference with a PPS input.\n" },
};

int do_clock(struct qkdctl *c, int argc, char **argv)
{
	return dispatch(c, "clock", clock_cmds, sizeof(clock_cmds) / sizeof(clock_cmds[0]), NULL,
			argc, argv);
}
