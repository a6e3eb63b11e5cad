// SPDX-License-Identifier: GPL-2.0-only
/*
 * qkdctl tec set DEV [setpoint MC] [on|off]   (client cards)
 */
#include <string.h>

#include "qkdctl.h"

static int tec_set(struct qkdctl *c, int argc, char **argv)
{
	struct qkd_config cfg = { 0 };
	uint64_t seen = 0;
	int64_t n;
	int i;

	if (argc < 2)
		return usage_err(c, "missing DEV");
	for (i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "setpoint")) {
			if (kw_once(c, &seen, 0, a) ||
			    kw_number(c, &i, argc, argv, "set point", U_TEMP,
				      QKD_TEC_SETPOINT_MIN_MC, QKD_TEC_SETPOINT_MAX_MC, &n))
				return QKDCTL_USAGE;
			cfg.set |= QKD_SET_TEC_SETPOINT;
			cfg.tec_setpoint_mc = (int32_t)n;
		} else if (!strcmp(a, "on") || !strcmp(a, "off")) {
			if (kw_once(c, &seen, 1, "on/off"))
				return QKDCTL_USAGE;
			cfg.set |= QKD_SET_TEC_ON;
			cfg.tec_on = !strcmp(a, "on");
		} else {
			return usage_err(c, "unknown argument '%s' (setpoint, on or off)", a);
		}
	}
	if (!cfg.set)
		return usage_err(c, "nothing to set (setpoint, on or off)");
	return apply_config(c, argv[1], &cfg);
}

static const struct cmd tec_cmds[] = {
	{ "set", tec_set, "DEV [setpoint MC] [on|off]",
	  "Set a client card's thermo-electric cooler: the chip's set point, 15000..45000\n"
	  "milli-degrees Celsius (mC, or with a unit: 25C, 25.5C), and on or off.\n" },
};

int do_tec(struct qkdctl *c, int argc, char **argv)
{
	return dispatch(c, "tec", tec_cmds, sizeof(tec_cmds) / sizeof(tec_cmds[0]), NULL, argc,
			argv);
}
