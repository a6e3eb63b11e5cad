// SPDX-License-Identifier: GPL-2.0-only
/*
 * qkdctl tec set DEV [setpoint MC] [on|off]   (client cards)
 */
#include <stddef.h>
#include <string.h>

#include "qkdctl.h"

static const struct kw_set tec_keywords = {
	.known = "setpoint, on or off",
	.nothing = "setpoint, on or off",
	.n = 2,
	.f = {
		{ "setpoint", KW_NUMBER, "set point", U_TEMP, QKD_TEC_SETPOINT_MIN_MC,
		  QKD_TEC_SETPOINT_MAX_MC, QKD_SET_TEC_SETPOINT,
		  offsetof(struct qkd_config, tec_setpoint_mc) },
		{ "on", KW_SWITCH, .set = QKD_SET_TEC_ON, .off = offsetof(struct qkd_config, tec_on) },
	},
};

static int tec_set(struct qkdctl *c, int argc, char **argv)
{
	return config_set(c, &tec_keywords, argc, argv);
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
