// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The built-in TF-QKD protocols behind one interface: parameter tables, validation and
 * evaluation of the key rate of one parameter vector.
 */
#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <tfqkd/plan.h>

#include "rate_internal.h"

static const struct tfqkd_param_desc sns_params[SNS_NPARAM] = {
	[SNS_MU_Z] = { "mu_z", "Z-window sending intensity", 0, 10, 1, 0, 0.02, 1.5, 0.4,
		       TFQKD_PARAM_LOG },
	[SNS_EPS] = { "eps", "Z-window sending probability", 0, 1, 1, 1, 1e-3, 0.6, 0.1,
		      TFQKD_PARAM_LOG },
	[SNS_MU1] = { "mu1", "weak decoy intensity (X windows)", 0, 10, 1, 0, 1e-3, 0.5, 0.1,
		      TFQKD_PARAM_LOG },
	[SNS_MU2] = { "mu2", "strong decoy intensity (X windows)", 0, 10, 1, 0, 0.01, 2.0, 0.4,
		      TFQKD_PARAM_LOG },
	[SNS_P_Z] = { "p_z", "probability of a Z window (each side)", 0, 1, 1, 0, 0.05, 0.995,
		      0.8, TFQKD_PARAM_ASYM_ONE },
	[SNS_P0] = { "p0", "X-window probability of vacuum", 0, 1, 1, 1, 0.01, 0.9, 0.25,
		     TFQKD_PARAM_FINITE },
	[SNS_P1] = { "p1", "X-window probability of mu1", 0, 1, 1, 1, 0.01, 0.95, 0.5,
		     TFQKD_PARAM_FINITE },
	[SNS_X1_FRAC] = { "x1_frac",
			  "share of mu1-mu1 X windows passing the phase test", 0,
			  1, 1, 0, 0.125, 0.125, 0.125, TFQKD_PARAM_SETTING | TFQKD_PARAM_FINITE },
};

static const struct tfqkd_param_desc pm_params[PM_NPARAM] = {
	[PM_MU] = { "mu", "signal intensity (sum of both sides)", 0, 10, 1, 0, 1e-3, 2.0, 0.1,
		    TFQKD_PARAM_LOG },
	[PM_NU] = { "nu", "decoy intensity (sum of both sides)", 0, 10, 1, 0, 1e-4, 1.0, 0.02,
		    TFQKD_PARAM_LOG },
	[PM_P_MU] = { "p_mu", "probability of the signal intensity (each side)", 0, 1, 1, 0, 0.05,
		      0.995, 0.8, TFQKD_PARAM_ASYM_ONE },
	[PM_P_NU] = { "p_nu", "probability of the decoy intensity (each side)", 0, 1, 1, 1, 0.005,
		      0.9, 0.1, TFQKD_PARAM_FINITE },
	[PM_M] = { "M", "number of phase slices (even)", 2, 4096, 0, 0, 16, 16, 16,
		   TFQKD_PARAM_SETTING | TFQKD_PARAM_INTEGER },
};

__attribute__((format(printf, 3, 4)))
static int fail(char *msg, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (msg && len) {
		va_start(ap, fmt);
		vsnprintf(msg, len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int sns_check(const double *v, int finite, char *msg, size_t len)
{
	if (!(v[SNS_MU1] < v[SNS_MU2]))
		return fail(msg, len, "mu1 (%g) must be below mu2 (%g)", v[SNS_MU1], v[SNS_MU2]);
	if (finite && !(v[SNS_P0] + v[SNS_P1] < 1.0))
		return fail(msg, len, "p0 + p1 (%g) must be below 1 (p2 = 1 - p0 - p1)",
			    v[SNS_P0] + v[SNS_P1]);
	if (finite && !(v[SNS_P_Z] < 1.0))
		return fail(msg, len, "p_z must be below 1 for a finite block (X windows are needed)");
	return 0;
}

static int pm_check(const double *v, int finite, char *msg, size_t len)
{
	if (!(v[PM_NU] < v[PM_MU]))
		return fail(msg, len, "nu (%g) must be below mu (%g)", v[PM_NU], v[PM_MU]);
	if (finite && !(v[PM_P_MU] + v[PM_P_NU] < 1.0))
		return fail(msg, len, "p_mu + p_nu (%g) must be below 1 (vacuum windows are needed)",
			    v[PM_P_MU] + v[PM_P_NU]);
	return 0;
}

static const struct tfqkd_protocol protocols[] = {
	{
		.name = "sns",
		.title = "sending-or-not-sending TF-QKD, 3-intensity decoys (Wang-Yu-Hu 2018)",
		.nparam = SNS_NPARAM, .param = sns_params,
		.check = sns_check, .eval = sns_eval, .variant = 0,
	},
	{
		.name = "sns-aopp",
		.title = "SNS TF-QKD with actively odd-parity pairing (Xu et al. 2020)",
		.nparam = SNS_NPARAM, .param = sns_params,
		.check = sns_check, .eval = sns_eval, .variant = 1,
	},
	{
		.name = "pm",
		.title = "phase-matching QKD with vacuum + one decoy (Ma-Zeng-Zhou 2018)",
		.nparam = PM_NPARAM, .param = pm_params,
		.check = pm_check, .eval = pm_eval, .variant = 0,
	},
};

unsigned int tfqkd_protocol_count(void)
{
	return sizeof(protocols) / sizeof(protocols[0]);
}

const struct tfqkd_protocol *tfqkd_protocol_at(unsigned int i)
{
	return i < tfqkd_protocol_count() ? &protocols[i] : NULL;
}

const struct tfqkd_protocol *tfqkd_protocol_find(const char *name)
{
	for (unsigned int i = 0; name && i < tfqkd_protocol_count(); i++)
		if (!strcmp(protocols[i].name, name))
			return &protocols[i];
	return NULL;
}

int tfqkd_param_index(const struct tfqkd_protocol *p, const char *name)
{
	for (unsigned int i = 0; name && i < p->nparam; i++)
		if (!strcmp(p->param[i].name, name))
			return (int)i;
	return -1;
}

int tfqkd_param_check(const struct tfqkd_protocol *p, unsigned int i, double value,
		      char *msg, size_t msglen)
{
	const struct tfqkd_param_desc *d;

	if (i >= p->nparam)
		return fail(msg, msglen, "no parameter %u", i);
	d = &p->param[i];
	if (!isfinite(value) || value < d->min || value > d->max ||
	    (d->min_open && value == d->min) || (d->max_open && value == d->max))
		return fail(msg, msglen, "%s=%g is out of range: must be in %c%g, %g%c", d->name,
			    value, d->min_open ? '(' : '[', d->min, d->max, d->max_open ? ')' : ']');
	if ((d->flags & TFQKD_PARAM_INTEGER) &&
	    (value != floor(value) || fmod(value, 2.0) != 0.0))
		return fail(msg, msglen, "%s=%g must be an even integer", d->name, value);
	return 0;
}

int tfqkd_params_check(const struct tfqkd_protocol *p, const double *v, int finite, char *msg,
		       size_t msglen)
{
	for (unsigned int i = 0; i < p->nparam; i++)
		if (tfqkd_param_check(p, i, v[i], msg, msglen))
			return -EINVAL;
	return p->check(v, finite, msg, msglen);
}

int tfqkd_link_check(const struct tfqkd_link *l, char *msg, size_t msglen)
{
	if (!(l->distance_km >= 0.0 && isfinite(l->distance_km)))
		return fail(msg, msglen, "distance %g km is not a non-negative number", l->distance_km);
	if (!(l->loss_db_km >= 0.0 && isfinite(l->loss_db_km)))
		return fail(msg, msglen, "fibre loss %g dB/km is not a non-negative number",
			    l->loss_db_km);
	if (!(l->eta_d > 0.0 && l->eta_d <= 1.0))
		return fail(msg, msglen, "detector efficiency %g is not in (0, 1]", l->eta_d);
	if (!(l->p_dark >= 0.0 && l->p_dark < 1.0))
		return fail(msg, msglen, "dark-count probability %g is not in [0, 1)", l->p_dark);
	if (!(l->e_d >= 0.0 && l->e_d < 0.5))
		return fail(msg, msglen, "misalignment %g is not in [0, 0.5)", l->e_d);
	if (!(l->ec_f >= 1.0 && l->ec_f <= 10.0))
		return fail(msg, msglen, "error-correction efficiency f=%g is not in [1, 10]",
			    l->ec_f);
	return 0;
}

double tfqkd_eval(const struct tfqkd_protocol *p, const struct tfqkd_link *link,
		  const double *n_pulses, const struct tfqkd_security *sec, const double *v,
		  struct tfqkd_key_result *res)
{
	struct tfqkd_key_result tmp;
	char msg[128];

	if (!res)
		res = &tmp;
	result_init(res);
	if (tfqkd_link_check(link, msg, sizeof(msg)) ||
	    tfqkd_params_check(p, v, n_pulses != NULL, msg, sizeof(msg))) {
		result_refuse(res, TFQKD_REFUSE_INVALID, "%s", msg);
		return 0.0;
	}
	if (n_pulses && (!(*n_pulses >= 1.0 && isfinite(*n_pulses)) || !sec ||
			 !tfqkd_security_valid(sec))) {
		result_refuse(res, TFQKD_REFUSE_INVALID,
			      "a finite block needs N >= 1 and security parameters in (0, 1)");
		return 0.0;
	}
	return p->eval(p, link, n_pulses, sec, v, res);
}
