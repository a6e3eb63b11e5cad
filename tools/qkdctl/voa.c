// SPDX-License-Identifier: GPL-2.0-only
/*
 * qkdctl voa set DEV atten MDB   (client cards)
 */
#include <string.h>

#include "qkdctl.h"

static int voa_set(struct qkdctl *c, int argc, char **argv)
{
	struct qkd_config cfg = { 0 };
	int64_t n;
	int i;

	if (argc < 2)
		return usage_err(c, "missing DEV");
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "atten"))
			return usage_err(c, "unknown argument '%s' (atten)", argv[i]);
		if (cfg.set & QKD_SET_VOA)
			return usage_err(c, "'atten' given twice");
		if (kw_number(c, &i, argc, argv, "attenuation", U_ATTEN, 0, QKD_VOA_MAX_MDB, &n))
			return QKDCTL_USAGE;
		cfg.set |= QKD_SET_VOA;
		cfg.voa_mdb = (uint32_t)n;
	}
	if (!cfg.set)
		return usage_err(c, "nothing to set (atten MDB)");
	return apply_config(c, argv[1], &cfg);
}

static const struct cmd voa_cmds[] = {
	{ "set", voa_set, "DEV atten MDB",
	  "Set a client card's variable optical attenuator: 0..60000 milli-dB (mdB, or with\n"
	  "a unit: 12.5dB).\n" },
};

int do_voa(struct qkdctl *c, int argc, char **argv)
{
	return dispatch(c, "voa", voa_cmds, sizeof(voa_cmds) / sizeof(voa_cmds[0]), NULL, argc,
			argv);
}
