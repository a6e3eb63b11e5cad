// SPDX-License-Identifier: GPL-2.0-only
/*
 * qkdctl detector set DEV channel CH [bias UA] [delay PS] [channel CH ...]   (server)
 */
#include <string.h>

#include "qkdctl.h"

static int detector_set(struct qkdctl *c, int argc, char **argv)
{
	struct qkd_config cfg = { 0 };
	int64_t n;
	int i;

	if (argc < 2)
		return usage_err(c, "missing DEV");
	for (i = 2; i < argc; i++) {
		unsigned int k = cfg.n_detectors, j;

		if (strcmp(argv[i], "channel"))
			return usage_err(c, "expected 'channel CH [bias UA] [delay PS]', not '%s'",
					 argv[i]);
		if (kw_number(c, &i, argc, argv, "detector channel", U_NONE, 0,
			      QKD_MAX_CHANNELS - 1, &n))
			return QKDCTL_USAGE;
		for (j = 0; j < k; j++)
			if (cfg.detector[j].channel == (uint32_t)n)
				return usage_err(c, "channel %lld given twice", (long long)n);
		cfg.detector[k].channel = (uint32_t)n;
		while (i + 1 < argc && strcmp(argv[i + 1], "channel")) {
			const char *a = argv[++i];

			if (!strcmp(a, "bias")) {
				if (cfg.detector[k].set & QKD_SET_DET_BIAS)
					return usage_err(c, "'bias' given twice for channel %u",
							 cfg.detector[k].channel);
				if (kw_number(c, &i, argc, argv, "bias", U_CURRENT, 0,
					      QKD_DET_BIAS_MAX_UA, &n))
					return QKDCTL_USAGE;
				cfg.detector[k].set |= QKD_SET_DET_BIAS;
				cfg.detector[k].bias_ua = (uint32_t)n;
			} else if (!strcmp(a, "delay")) {
				if (cfg.detector[k].set & QKD_SET_DET_DELAY)
					return usage_err(c, "'delay' given twice for channel %u",
							 cfg.detector[k].channel);
				if (kw_number(c, &i, argc, argv, "delay", U_PS, QKD_DELAY_MIN_PS,
					      QKD_DELAY_MAX_PS, &n))
					return QKDCTL_USAGE;
				cfg.detector[k].set |= QKD_SET_DET_DELAY;
				cfg.detector[k].delay_ps = (int32_t)n;
			} else {
				return usage_err(c, "unknown argument '%s' (bias, delay or channel)", a);
			}
		}
		if (!cfg.detector[k].set)
			return usage_err(c, "channel %u: nothing to set (bias UA, delay PS)",
					 cfg.detector[k].channel);
		cfg.n_detectors++;
	}
	if (!cfg.n_detectors)
		return usage_err(c, "nothing to set (channel CH [bias UA] [delay PS])");
	return apply_config(c, argv[1], &cfg);
}

static const struct cmd detector_cmds[] = {
	{ "set", detector_set, "DEV channel CH [bias UA] [delay PS] [channel CH ...]",
	  "Set a server card's detector channels: the SNSPD bias current (0..30 uA) and the\n"
	  "time tagger's channel delay (-2000000..2000000 ps; ps, or with a unit: 1.5ns).\n"
	  "Channel 2u is the left and 2u+1 the right detector of measurement unit u.\n" },
};

int do_detector(struct qkdctl *c, int argc, char **argv)
{
	return dispatch(c, "detector", detector_cmds,
			sizeof(detector_cmds) / sizeof(detector_cmds[0]), NULL, argc, argv);
}
