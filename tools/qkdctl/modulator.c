// SPDX-License-Identifier: GPL-2.0-only
/*
 * qkdctl modulator set DEV channel CH bias MV [channel CH bias MV]...   (client cards)
 */
#include <string.h>

#include "qkdctl.h"

static int modulator_set(struct qkdctl *c, int argc, char **argv)
{
	struct qkd_config cfg = { 0 };
	const char *v;
	int64_t n;
	int i;

	if (argc < 2)
		return usage_err(c, "missing DEV");
	for (i = 2; i < argc; i++) {
		unsigned int k = cfg.n_modulators, j;
		uint32_t ch;

		if (strcmp(argv[i], "channel"))
			return usage_err(c, "expected 'channel CH bias MV', not '%s'", argv[i]);
		if (!(v = kw_value(c, &i, argc, argv)) || parse_modulator(c, v, &ch))
			return QKDCTL_USAGE;
		for (j = 0; j < k; j++)
			if (cfg.modulator[j].channel == ch)
				return usage_err(c, "channel %u given twice", ch);
		if (i + 1 >= argc || strcmp(argv[i + 1], "bias"))
			return usage_err(c, "channel %s: expected 'bias MV'", v);
		i++;
		if (kw_number(c, &i, argc, argv, "bias", U_VOLTAGE, QKD_BIAS_MIN_MV,
			      QKD_BIAS_MAX_MV, &n))
			return QKDCTL_USAGE;
		cfg.modulator[k].channel = ch;
		cfg.modulator[k].bias_mv = (int32_t)n;
		cfg.n_modulators++;
	}
	if (!cfg.n_modulators)
		return usage_err(c, "nothing to set (channel CH bias MV)");
	return apply_config(c, argv[1], &cfg);
}

static const struct cmd modulator_cmds[] = {
	{ "set", modulator_set, "DEV channel CH bias MV [channel CH bias MV]...",
	  "Set the DC bias of client modulator channels. CH is 0..7 or a name: im1, im2,\n"
	  "im3 (intensity modulators I-III), pm1 (encoding phase), pmref (reference\n"
	  "phase). MV is -10000..10000 mV (mV, or with a unit: -2.5V).\n" },
};

int do_modulator(struct qkdctl *c, int argc, char **argv)
{
	return dispatch(c, "modulator", modulator_cmds,
			sizeof(modulator_cmds) / sizeof(modulator_cmds[0]), NULL, argc, argv);
}
