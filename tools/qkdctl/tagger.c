// SPDX-License-Identifier: GPL-2.0-only
/*
 * qkdctl tagger set DEV [deadtime NS] [ref-window LOG2]   (server cards)
 */
#include <string.h>

#include "qkdctl.h"

static int tagger_set(struct qkdctl *c, int argc, char **argv)
{
	struct qkd_config cfg = { 0 };
	uint64_t seen = 0;
	int64_t n;
	int i;

	if (argc < 2)
		return usage_err(c, "missing DEV");
	for (i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "deadtime")) {
			if (kw_once(c, &seen, 0, a) ||
			    kw_number(c, &i, argc, argv, "dead time", U_NS, QKD_DEADTIME_MIN_NS,
				      QKD_DEADTIME_MAX_NS, &n))
				return QKDCTL_USAGE;
			cfg.set |= QKD_SET_TAGGER_DEADTIME;
			cfg.tagger_deadtime_ns = (uint32_t)n;
		} else if (!strcmp(a, "ref-window")) {
			if (kw_once(c, &seen, 1, a) ||
			    kw_number(c, &i, argc, argv, "ref-window (log2 slots)", U_NONE,
				      QKD_REF_WINDOW_MIN_LOG2, QKD_REF_WINDOW_MAX_LOG2, &n))
				return QKDCTL_USAGE;
			cfg.set |= QKD_SET_TAGGER_REF_WINDOW;
			cfg.tagger_ref_window_log2 = (uint32_t)n;
		} else {
			return usage_err(c, "unknown argument '%s' (deadtime or ref-window)", a);
		}
	}
	if (!cfg.set)
		return usage_err(c, "nothing to set (deadtime or ref-window)");
	return apply_config(c, argv[1], &cfg);
}

static const struct cmd tagger_cmds[] = {
	{ "set", tagger_set, "DEV [deadtime NS] [ref-window LOG2]",
	  "Set a server card's time tagger: the dead time per channel (10..100000 ns; ns,\n"
	  "or with a unit: 1.5us) and the reference window, log2 of slots (10..24).\n" },
};

int do_tagger(struct qkdctl *c, int argc, char **argv)
{
	return dispatch(c, "tagger", tagger_cmds, sizeof(tagger_cmds) / sizeof(tagger_cmds[0]),
			NULL, argc, argv);
}
