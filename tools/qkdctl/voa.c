// SPDX-License-Identifier: GPL-2.0-only
/*
 * qkdctl voa set DEV atten MDB   (client cards)
 */
#include <stddef.h>
#include <string.h>

#include "qkdctl.h"

static const struct kw_set voa_keywords = {
	.known = "atten",
	.nothing = "atten MDB",
	.n = 1,
	.f = {
		{ "atten", KW_NUMBER, "attenuation", U_ATTEN, 0, QKD_VOA_MAX_MDB, QKD_SET_VOA,
		  offsetof(struct qkd_config, voa_mdb) },
	},
};

static int voa_set(struct qkdctl *c, int argc, char **argv)
{
	return config_set(c, &voa_keywords, argc, argv);
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
