// SPDX-License-Identifier: GPL-2.0-only
/*
 * qkdctl laser set DEV [current UA] [on|off] [lock-loop on|off]   (client cards)
 */
#include <string.h>

#include "qkdctl.h"

static int laser_set(struct qkdctl *c, int argc, char **argv)
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

		if (!strcmp(a, "current")) {
			if (kw_once(c, &seen, 0, a) || !(v = kw_value(c, &i, argc, argv)) ||
			    parse_value(c, "current", v, U_CURRENT, 0, QKD_LASER_CURRENT_MAX_UA, &n))
				return QKDCTL_USAGE;
			cfg.set |= QKD_SET_LASER_CURRENT;
			cfg.laser_current_ua = (uint32_t)n;
		} else if (!strcmp(a, "on") || !strcmp(a, "off")) {
			if (kw_once(c, &seen, 1, "on/off"))
				return QKDCTL_USAGE;
			cfg.set |= QKD_SET_LASER_ON;
			cfg.laser_on = !strcmp(a, "on");
		} else if (!strcmp(a, "lock-loop")) {
			if (kw_once(c, &seen, 2, a) || !(v = kw_value(c, &i, argc, argv)) ||
			    parse_onoff(c, "lock-loop", v, &cfg.laser_lock_loop))
				return QKDCTL_USAGE;
			cfg.set |= QKD_SET_LASER_LOCK_LOOP;
		} else {
			return usage_err(c, "unknown argument '%s' (current, on, off or lock-loop)", a);
		}
	}
	if (!cfg.set)
		return usage_err(c, "nothing to set (current, on, off or lock-loop)");
	return apply_config(c, argv[1], &cfg);
}

static const struct cmd laser_cmds[] = {
	{ "set", laser_set, "DEV [current UA] [on|off] [lock-loop on|off]",
	  "Set a client card's laser: injection current (0..200 mA; a number in uA or with\n"
	  "a unit: 75mA, 0.075A), on or off, and the injection lock loop.\n" },
};

int do_laser(struct qkdctl *c, int argc, char **argv)
{
	return dispatch(c, "laser", laser_cmds, sizeof(laser_cmds) / sizeof(laser_cmds[0]), NULL,
			argc, argv);
}
