// SPDX-License-Identifier: GPL-2.0-only
/*
 * qkdctl laser set DEV [current UA] [on|off] [lock-loop on|off]   (client cards)
 * qkdctl comb set DEV [pump UA] [on|off] [lock-loop on|off]       (server cards)
 *
 * The client's injection-locked laser and the server's comb pump are the same kind of
 * source: a drive current, on or off, and a lock loop. One setter serves both.
 */
#include <stddef.h>
#include <string.h>

#include "qkdctl.h"

/* One kind of source: its keyword, bound, the QKD_SET_* bits and its struct qkd_config fields. */
struct source {
	const char *current_kw;		/* keyword of the current: "current", "pump" */
	const char *current_what;	/* for messages: "current", "pump current" */
	int64_t current_max_ua;
	uint32_t set_current, set_on, set_lock_loop;
	size_t current_off, on_off, lock_loop_off;	/* offsetof in struct qkd_config */
};

static const struct source laser_source = {
	.current_kw = "current",
	.current_what = "current",
	.current_max_ua = QKD_LASER_CURRENT_MAX_UA,
	.set_current = QKD_SET_LASER_CURRENT,
	.set_on = QKD_SET_LASER_ON,
	.set_lock_loop = QKD_SET_LASER_LOCK_LOOP,
	.current_off = offsetof(struct qkd_config, laser_current_ua),
	.on_off = offsetof(struct qkd_config, laser_on),
	.lock_loop_off = offsetof(struct qkd_config, laser_lock_loop),
};

static const struct source comb_source = {
	.current_kw = "pump",
	.current_what = "pump current",
	.current_max_ua = QKD_COMB_PUMP_MAX_UA,
	.set_current = QKD_SET_COMB_PUMP,
	.set_on = QKD_SET_COMB_ON,
	.set_lock_loop = QKD_SET_COMB_LOCK_LOOP,
	.current_off = offsetof(struct qkd_config, comb_pump_ua),
	.on_off = offsetof(struct qkd_config, comb_on),
	.lock_loop_off = offsetof(struct qkd_config, comb_lock_loop),
};

static int source_set(struct qkdctl *c, const struct source *s, int argc, char **argv)
{
	struct qkd_config cfg = { 0 };
	char *base = (char *)&cfg;
	uint64_t seen = 0;
	const char *v;
	int64_t n;
	int i;

	if (argc < 2)
		return usage_err(c, "missing DEV");
	for (i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, s->current_kw)) {
			if (kw_once(c, &seen, 0, a) ||
			    kw_number(c, &i, argc, argv, s->current_what, U_CURRENT, 0,
				      s->current_max_ua, &n))
				return QKDCTL_USAGE;
			cfg.set |= s->set_current;
			*(uint32_t *)(base + s->current_off) = (uint32_t)n;
		} else if (!strcmp(a, "on") || !strcmp(a, "off")) {
			if (kw_once(c, &seen, 1, "on/off"))
				return QKDCTL_USAGE;
			cfg.set |= s->set_on;
			*(bool *)(base + s->on_off) = !strcmp(a, "on");
		} else if (!strcmp(a, "lock-loop")) {
			if (kw_once(c, &seen, 2, a) || !(v = kw_value(c, &i, argc, argv)) ||
			    parse_onoff(c, "lock-loop", v, (bool *)(base + s->lock_loop_off)))
				return QKDCTL_USAGE;
			cfg.set |= s->set_lock_loop;
		} else {
			return usage_err(c, "unknown argument '%s' (%s, on, off or lock-loop)", a,
					 s->current_kw);
		}
	}
	if (!cfg.set)
		return usage_err(c, "nothing to set (%s, on, off or lock-loop)", s->current_kw);
	return apply_config(c, argv[1], &cfg);
}

static int laser_set(struct qkdctl *c, int argc, char **argv)
{
	return source_set(c, &laser_source, argc, argv);
}

static int comb_set(struct qkdctl *c, int argc, char **argv)
{
	return source_set(c, &comb_source, argc, argv);
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
