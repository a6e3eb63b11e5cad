// SPDX-License-Identifier: GPL-2.0-only
/*
 * qkdctl: dispatch, messages, exit statuses and parsing of values with units.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qkdctl.h"

bool is_help(const char *arg)
{
	return !strcmp(arg, "help") || !strcmp(arg, "--help") || !strcmp(arg, "-h");
}

void print_cmd_usage(FILE *f, const char *object, const struct cmd *cmd)
{
	fprintf(f, "usage: qkdctl [OPTIONS] %s%s%s %s\n", object, cmd->name[0] ? " " : "",
		cmd->name, cmd->args);
	if (cmd->help)
		fprintf(f, "\n%s", cmd->help);
}

static void print_object_usage(FILE *f, const char *object, const struct cmd *cmds, size_t n)
{
	size_t i;

	fprintf(f, "usage: qkdctl [OPTIONS] %s COMMAND [ARGS]\n\ncommands:\n", object);
	for (i = 0; i < n; i++)
		fprintf(f, "  %s %s %s\n", object, cmds[i].name, cmds[i].args);
	fprintf(f, "\n'qkdctl %s COMMAND --help' describes a command.\n", object);
}

bool want_help(struct qkdctl *c, const char *object, const struct cmd *cmd, int argc,
	       char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h") ||
		    (i == 1 && !strcmp(argv[i], "help"))) {
			print_cmd_usage(stdout, object, cmd);
			return true;
		}
	}
	return false;
}

int dispatch(struct qkdctl *c, const char *object, const struct cmd *cmds, size_t n,
	     const char *dflt, int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : dflt;
	size_t i;

	snprintf(c->cmd, sizeof(c->cmd), "%s", object);
	if (!name)
		return usage_err(c, "missing command (try 'qkdctl %s help')", object);
	if (is_help(name)) {
		print_object_usage(stdout, object, cmds, n);
		return QKDCTL_OK;
	}
	for (i = 0; i < n; i++) {
		if (strcmp(name, cmds[i].name))
			continue;
		snprintf(c->cmd, sizeof(c->cmd), "%s %s", object, cmds[i].name);
		if (want_help(c, object, &cmds[i], argc - 1, argv + 1))
			return QKDCTL_OK;
		if (argc > 1)
			return cmds[i].run(c, argc - 1, argv + 1);
		return cmds[i].run(c, 1, (char *[]){ (char *)cmds[i].name, NULL });
	}
	return usage_err(c, "unknown command '%s' (try 'qkdctl %s help')", name, object);
}

int usage_err(struct qkdctl *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "qkdctl: %s%s", c->cmd, c->cmd[0] ? ": " : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return QKDCTL_USAGE;
}

int exit_status(int err)
{
	switch (err) {
	case 0:
		return QKDCTL_OK;
	case -EPERM:
	case -EACCES:
		return QKDCTL_PERM;
	case -ENODEV:
	case -ENXIO:
		return QKDCTL_NODEV;
	default:
		return QKDCTL_FAIL;
	}
}

int fail(struct qkdctl *c, int err, const char *fmt, ...)
{
	va_list ap;

	fputs("qkdctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return exit_status(err);
}

void verbose(struct qkdctl *c, const char *fmt, ...)
{
	va_list ap;

	if (!c->verbose)
		return;
	fputs("qkdctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int need_nl(struct qkdctl *c)
{
	char msg[QKD_ERRMSG_LEN];
	int err;

	if (c->nl)
		return 0;
	err = qkd_nl_open(&c->nl, msg, sizeof(msg));
	if (err)	/* a missing family means a missing driver */
		return fail(c, err == -ENOENT ? -ENODEV : err, "%s", msg);
	return 0;
}

int resolve_dev(struct qkdctl *c, const char *spec, unsigned int *index)
{
	char msg[QKD_ERRMSG_LEN];
	int err = qkd_dev_lookup(spec, index, msg, sizeof(msg));

	if (err == -EINVAL)
		return usage_err(c, "%s", msg);
	if (err)
		return fail(c, err, "%s", msg);
	return 0;
}

struct suffix {
	const char *name;
	int64_t mult;
};

static const struct suffix *unit_suffixes(enum unit unit, const char **names)
{
	static const struct suffix current[] = { { "uA", 1 }, { "\u00b5A", 1 }, { "mA", 1000 },
						 { "A", 1000000 }, { NULL, 0 } };
	static const struct suffix voltage[] = { { "mV", 1 }, { "V", 1000 }, { NULL, 0 } };
	static const struct suffix atten[] = { { "mdB", 1 }, { "dB", 1000 }, { NULL, 0 } };
	static const struct suffix temp[] = { { "mC", 1 }, { "C", 1000 }, { NULL, 0 } };
	static const struct suffix ps[] = { { "ps", 1 }, { "ns", 1000 }, { "us", 1000000 },
					    { NULL, 0 } };
	static const struct suffix ns[] = { { "ns", 1 }, { "us", 1000 }, { "ms", 1000000 },
					    { NULL, 0 } };
	static const struct suffix us[] = { { "us", 1 }, { "ms", 1000 }, { "s", 1000000 },
					    { NULL, 0 } };
	static const struct suffix secs[] = { { "s", 1000 }, { "ms", 1 }, { NULL, 0 } };
	static const struct suffix bytes[] = { { "K", 1024 }, { "M", 1 << 20 },
					       { "G", 1 << 30 }, { NULL, 0 } };
	static const struct suffix none[] = { { NULL, 0 } };

	switch (unit) {
	case U_CURRENT:
		*names = "uA, mA or A";
		return current;
	case U_VOLTAGE:
		*names = "mV or V";
		return voltage;
	case U_ATTEN:
		*names = "mdB or dB";
		return atten;
	case U_TEMP:
		*names = "mC (milli-degrees Celsius) or C";
		return temp;
	case U_PS:
		*names = "ps, ns or us";
		return ps;
	case U_NS:
		*names = "ns, us or ms";
		return ns;
	case U_US:
		*names = "us, ms or s";
		return us;
	case U_SECONDS:
		*names = "s or ms";
		return secs;
	case U_BYTES:
		*names = "K, M or G";
		return bytes;
	default:
		*names = NULL;
		return none;
	}
}

/* The base unit's name, for messages */
static const char *base_name(enum unit unit)
{
	static const char *const names[] = {
		[U_NONE] = "", [U_CURRENT] = " uA", [U_VOLTAGE] = " mV", [U_ATTEN] = " mdB",
		[U_TEMP] = " mC", [U_PS] = " ps", [U_NS] = " ns", [U_US] = " us",
		[U_SECONDS] = " ms", [U_BYTES] = " bytes",
	};

	return names[unit];
}

int parse_value(struct qkdctl *c, const char *what, const char *arg, enum unit unit,
		int64_t lo, int64_t hi, int64_t *out)
{
	const struct suffix *sfx, *s = NULL;
	const char *p = arg, *names, *end;
	int64_t ip = 0, frac = 0, fdiv = 1, mult = 1, v;
	bool neg = false, digits = false;

	sfx = unit_suffixes(unit, &names);
	if (*p == '-' || *p == '+') {
		neg = *p == '-';
		p++;
	}
	for (; *p >= '0' && *p <= '9'; p++) {
		digits = true;
		if (ip > (INT64_MAX - 9) / 10)
			goto range;
		ip = ip * 10 + (*p - '0');
	}
	if (*p == '.' && unit != U_NONE) {
		for (p++; *p >= '0' && *p <= '9'; p++) {
			digits = true;
			if (fdiv > INT64_MAX / 10)
				goto bad;
			frac = frac * 10 + (*p - '0');
			fdiv *= 10;
		}
	}
	end = p;
	if (!digits)
		goto bad;
	if (*end) {
		for (s = sfx; s->name; s++)
			if (!strcmp(end, s->name))
				break;
		if (!s->name)
			goto bad;
		mult = s->mult;
	} else if (unit == U_SECONDS) {
		mult = 1000;	/* seconds by default, counted in ms */
	}
	if (ip > INT64_MAX / mult)
		goto range;
	v = ip * mult;
	if (frac) {
		/* the fraction must give a whole number of the base unit */
		if (frac > INT64_MAX / mult || (frac * mult) % fdiv)
			return usage_err(c, "%s '%s' is not a whole number of%s", what, arg,
					 base_name(unit));
		v += frac * mult / fdiv;
	}
	if (neg)
		v = -v;
	if (neg && lo >= 0 && v)
		return usage_err(c, "%s '%s' cannot be negative", what, arg);
	if (v < lo || v > hi)
		goto range;
	*out = v;
	return 0;

range:
	return usage_err(c, "%s '%s' is out of range (%lld..%lld%s)", what, arg, (long long)lo,
			 (long long)hi, base_name(unit));
bad:
	if (names)
		return usage_err(c, "%s '%s' is not a number with an optional unit (%s)", what, arg,
				 names);
	return usage_err(c, "%s '%s' is not a number", what, arg);
}

const char *kw_value(struct qkdctl *c, int *i, int argc, char **argv)
{
	if (*i + 1 >= argc) {
		usage_err(c, "'%s' needs a value", argv[*i]);
		return NULL;
	}
	return argv[++*i];
}

int kw_number(struct qkdctl *c, int *i, int argc, char **argv, const char *what,
	      enum unit unit, int64_t lo, int64_t hi, int64_t *out)
{
	const char *v = kw_value(c, i, argc, argv);

	return v ? parse_value(c, what, v, unit, lo, hi, out) : QKDCTL_USAGE;
}

int kw_once(struct qkdctl *c, uint64_t *seen, unsigned int bit, const char *kw)
{
	if (*seen & (1ULL << bit))
		return usage_err(c, "'%s' given twice", kw);
	*seen |= 1ULL << bit;
	return 0;
}

int parse_onoff(struct qkdctl *c, const char *what, const char *arg, bool *out)
{
	if (!strcmp(arg, "on")) {
		*out = true;
		return 0;
	}
	if (!strcmp(arg, "off")) {
		*out = false;
		return 0;
	}
	return usage_err(c, "%s must be 'on' or 'off', not '%s'", what, arg);
}

int config_set(struct qkdctl *c, const struct kw_set *s, int argc, char **argv)
{
	struct qkd_config cfg = { 0 };
	char *base = (char *)&cfg;
	uint64_t seen = 0;
	int i;

	if (argc < 2)
		return usage_err(c, "missing DEV");
	for (i = 2; i < argc; i++) {
		const char *a = argv[i], *v;
		const struct kw_field *f = NULL;
		unsigned int k;
		uint32_t u;
		int64_t n;

		for (k = 0; k < s->n && !f; k++)
			if (!strcmp(a, s->f[k].kw) ||
			    (s->f[k].kind == KW_SWITCH && !strcmp(a, "off")))
				f = &s->f[k];
		if (!f)
			return usage_err(c, "unknown argument '%s' (%s)", a, s->known);
		k = (unsigned int)(f - s->f);
		switch (f->kind) {
		case KW_NUMBER:
			if (kw_once(c, &seen, k, a) ||
			    kw_number(c, &i, argc, argv, f->what, f->unit, f->lo, f->hi, &n))
				return QKDCTL_USAGE;
			u = (uint32_t)n;	/* the int32_t fields too: in range, same bits */
			memcpy(base + f->off, &u, sizeof(u));
			break;
		case KW_SWITCH:
			if (kw_once(c, &seen, k, "on/off"))
				return QKDCTL_USAGE;
			*(bool *)(base + f->off) = !strcmp(a, "on");
			break;
		case KW_ONOFF:
			if (kw_once(c, &seen, k, a) || !(v = kw_value(c, &i, argc, argv)) ||
			    parse_onoff(c, f->what, v, (bool *)(base + f->off)))
				return QKDCTL_USAGE;
			break;
		}
		cfg.set |= f->set;
	}
	if (!cfg.set)
		return usage_err(c, "nothing to set (%s)", s->nothing);
	return apply_config(c, argv[1], &cfg);
}

int parse_modulator(struct qkdctl *c, const char *arg, uint32_t *ch)
{
	unsigned int i;
	int64_t v;

	for (i = 0; i < QKD_MAX_CHANNELS; i++) {
		const char *name = qkd_modulator_name(i);

		if (name && !strcmp(arg, name)) {
			*ch = i;
			return 0;
		}
	}
	if (arg[0] < '0' || arg[0] > '9')
		return usage_err(c, "unknown modulator channel '%s' (0..%u, im1, im2, im3, pm1 or pmref)",
				 arg, QKD_MAX_CHANNELS - 1);
	if (parse_value(c, "modulator channel", arg, U_NONE, 0, QKD_MAX_CHANNELS - 1, &v))
		return QKDCTL_USAGE;
	*ch = (uint32_t)v;
	return 0;
}

int apply_config(struct qkdctl *c, const char *spec, const struct qkd_config *cfg)
{
	char msg[QKD_ERRMSG_LEN];
	unsigned int index;
	int err;

	if (qkd_config_check(cfg, msg, sizeof(msg)))
		return usage_err(c, "%s", msg);
	err = resolve_dev(c, spec, &index);
	if (err)
		return err;
	err = need_nl(c);
	if (err)
		return err;
	verbose(c, "qkdchip%u: sending the change", index);
	err = qkd_nl_set(c->nl, index, cfg);
	if (err)
		return fail(c, err, "%s", qkd_nl_error(c->nl));
	return QKDCTL_OK;
}
