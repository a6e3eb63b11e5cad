// SPDX-License-Identifier: GPL-2.0-only
/*
 * qkdctl comb set DEV [pump UA] [on|off] [lock-loop on|off]   (server cards)
 */
#include <string.h>

#include "qkdctl.h"

static int comb_set(struct qkdctl *c, int argc, char **argv)
{
	struct qkd_config cfg = { 0 };
	uint64_t seen = 0;
	const char *v;
	int64_t n;
	int i;

	if (argc < 2)
		return usage_err(c, "missing DEV");
	for (i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "pump")) {
			if (kw_once(c, &seen, 0, a) || !(v = kw_value(c, &i, argc, argv)) ||
			    parse_value(c, "pump current", v, U_CURRENT, 0, QKD_COMB_PUMP_MAX_UA, &n))
				return QKDCTL_USAGE;
			cfg.set |= QKD_SET_COMB_PUMP;
			cfg.comb_pump_ua = (uint32_t)n;
		} else if (!strcmp(a, "on") || !strcmp(a, "off")) {
			if (kw_once(c, &seen, 1, "on/off"))
				return QKDCTL_USAGE;
			cfg.set |= QKD_SET_COMB_ON;
			cfg.comb_on = !strcmp(a, "on");
		} else if (!strcmp(a, "lock-loop")) {
			if (kw_once(c, &seen, 2, a) || !(v = kw_value(c, &i, argc, argv)) ||
			    parse_onoff(c, "lock-loop", v, &cfg.comb_lock_loop))
				return QKDCTL_USAGE;
			cfg.set |= QKD_SET_COMB_LOCK_LOOP;
		} else {
			return usage_err(c, "unknown argument '%s' (pump, on, off or lock-loop)", a);
		}
	}
	if (!cfg.set)
		return usage_err(c, "nothing to set (pump, on, off or lock-loop)");
	return apply_config(c, argv[1], &cfg);
}

static const struct cmd comb_cmds[] = {
	{ "set", comb_set, "DEV [pump UA] [on|off] [lock-loop on|off]",
	  "Set a server card's microcomb: pump laser current (0..500 mA; uA, or with a\n"
	  "unit: 300mA), on or off, and the comb lock loop.\n" },
};

int do_comb(struct qkdctl *c, int argc, char **argv)
{
	return dispatch(c, "comb", comb_cmds, sizeof(comb_cmds) / sizeof(comb_cmds[0]), NULL,
			argc, argv);
}
