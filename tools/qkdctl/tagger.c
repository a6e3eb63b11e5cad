// SPDX-License-Identifier: GPL-2.0-only
/*
 * qkdctl tagger set DEV [deadtime NS] [ref-window LOG2]   (server cards)
 */
#include <stddef.h>
#include <string.h>

#include "qkdctl.h"

static const struct kw_set tagger_keywords = {
	.known = "deadtime or ref-window",
	.nothing = "deadtime or ref-window",
	.n = 2,
	.f = {
		{ "deadtime", KW_NUMBER, "dead time", U_NS, QKD_DEADTIME_MIN_NS,
		  QKD_DEADTIME_MAX_NS, QKD_SET_TAGGER_DEADTIME,
		  offsetof(struct qkd_config, tagger_deadtime_ns) },
		{ "ref-window", KW_NUMBER, "ref-window (log2 slots)", U_NONE,
		  QKD_REF_WINDOW_MIN_LOG2, QKD_REF_WINDOW_MAX_LOG2, QKD_SET_TAGGER_REF_WINDOW,
		  offsetof(struct qkd_config, tagger_ref_window_log2) },
	},
};

static int tagger_set(struct qkdctl *c, int argc, char **argv)
{
	return config_set(c, &tagger_keywords, argc, argv);
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
