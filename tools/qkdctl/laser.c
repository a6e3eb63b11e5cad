// SPDX-License-Identifier: GPL-2.0-only
/*
 * qkdctl laser set DEV [current UA] [on|off] [lock-loop on|off]   (client cards)
 * qkdctl comb set DEV [pump UA] [on|off] [lock-loop on|off]       (server cards)
 *
 * The client's injection-locked laser and the server's comb pump are the same kind of
 * source: a drive current, on or off, and a lock loop (config_set() tables).
 */
#include <stddef.h>
#include <string.h>

#include "qkdctl.h"

static const struct kw_set laser_keywords = {
	.known = "current, on, off or lock-loop",
	.nothing = "current, on, off or lock-loop",
	.n = 3,
	.f = {
		{ "current", KW_NUMBER, "current", U_CURRENT, 0, QKD_LASER_CURRENT_MAX_UA,
		  QKD_SET_LASER_CURRENT, offsetof(struct qkd_config, laser_current_ua) },
		{ "on", KW_SWITCH, .set = QKD_SET_LASER_ON,
		  .off = offsetof(struct qkd_config, laser_on) },
		{ "lock-loop", KW_ONOFF, "lock-loop", .set = QKD_SET_LASER_LOCK_LOOP,
		  .off = offsetof(struct qkd_config, laser_lock_loop) },
	},
};

static const struct kw_set comb_keywords = {
	.known = "pump, on, off or lock-loop",
	.nothing = "pump, on, off or lock-loop",
	.n = 3,
	.f = {
		{ "pump", KW_NUMBER, "pump current", U_CURRENT, 0, QKD_COMB_PUMP_MAX_UA,
		  QKD_SET_COMB_PUMP, offsetof(struct qkd_config, comb_pump_ua) },
		{ "on", KW_SWITCH, .set = QKD_SET_COMB_ON,
		  .off = offsetof(struct qkd_config, comb_on) },
		{ "lock-loop", KW_ONOFF, "lock-loop", .set = QKD_SET_COMB_LOCK_LOOP,
		  .off = offsetof(struct qkd_config, comb_lock_loop) },
	},
};

static int laser_set(struct qkdctl *c, int argc, char **argv)
{
	return config_set(c, &laser_keywords, argc, argv);
}

static int comb_set(struct qkdctl *c, int argc, char **argv)
{
	return config_set(c, &comb_keywords, argc, argv);
}

static const struct cmd laser_cmds[] = {
	{ "set", laser_set, "DEV [current UA] [on|off] [lock-loop on|off]",
	  "Set a client card's laser: injection current (0..200 mA; a number in uA or with\n"
	  "a unit: 75mA, 0.075A), on or off, and the injection lock loop.\n" },
};

static const struct cmd comb_cmds[] = {
	{ "set", comb_set, "DEV [pump UA] [on|off] [lock-loop on|off]",
	  "Set a server card's microcomb: pump laser current (0..500 mA; uA, or with a\n"
	  "unit: 300mA), on or off, and the comb lock loop.\n" },
};

int do_laser(struct qkdctl *c, int argc, char **argv)
{
	return dispatch(c, "laser", laser_cmds, sizeof(laser_cmds) / sizeof(laser_cmds[0]), NULL,
			argc, argv);
}

int do_comb(struct qkdctl *c, int argc, char **argv)
{
	return dispatch(c, "comb", comb_cmds, sizeof(comb_cmds) / sizeof(comb_cmds[0]), NULL,
			argc, argv);
}
