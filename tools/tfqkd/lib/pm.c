// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Phase-matching QKD (Ma, Zeng, Zhou, PRX 8, 031043 (2018)) with decoy states and the same
 * finite-key machinery as SNS. Documentation/tfqkd/theory.rst states each step; the comments
 * below use its labels (P1-P5).
 */
#include <math.h>
#include <string.h>

#include <tfqkd/estimate.h>
#include <tfqkd/theory.h>

#include "rate_internal.h"

#define SLACK (1.0 + 1e-9)

static enum tfqkd_status pm_validate(const struct tfqkd_pm_settings *s,
				     const struct tfqkd_pm_counts *c,
				     const struct tfqkd_security *sec, struct tfqkd_key_result *res)
{
	const double *w[3] = { &c->vac_windows, &c->nu_windows, &c->mu_windows };
	const double *d[3] = { c->vac_det, c->nu_det, c->mu_det };
	static const char *const name[3] = { "vacuum", "nu", "mu" };

	if (!(s->nu > 0.0 && s->mu > s->nu && isfinite(s->mu)))
		return result_refuse(res, TFQKD_REFUSE_INVALID,
				     "intensities need 0 < nu < mu (nu=%g, mu=%g)", s->nu, s->mu);
	if (sec && !tfqkd_security_valid(sec))
		return result_refuse(res, TFQKD_REFUSE_INVALID,
				     "security parameters must lie in (0, 1)");
	for (int i = 0; i < 3; i++) {
		if (!count_ok(*w[i]) || !count_ok(d[i][0]) || !count_ok(d[i][1]))
			return result_refuse(res, TFQKD_REFUSE_INVALID,
					     "%s count is negative or not finite", name[i]);
		if (d[i][0] + d[i][1] > *w[i] * SLACK)
			return result_refuse(res, TFQKD_REFUSE_INVALID,
					     "%s windows: %g effective events in %g windows", name[i],
					     d[i][0] + d[i][1], *w[i]);
	}
	if (isnan(c->bit_errors))
		return result_refuse(res, TFQKD_REFUSE_INVALID, "bit-error count is NaN");
	return TFQKD_KEY_OK;
}

enum tfqkd_status tfqkd_pm_estimate(const struct tfqkd_pm_settings *s,
				    const struct tfqkd_pm_counts *c,
				    const struct tfqkd_security *sec, double leak_bits,
				    struct tfqkd_key_result *res)
{
	struct fluct fl = { .sec = sec };
	double mu, nu, n0, nn, nm, Y0U, QnL, QmU, Y1L, n1, ex;

	if (!res)
		return TFQKD_REFUSE_INVALID;
	result_init(res);
	if (!s || !c)
		return result_refuse(res, TFQKD_REFUSE_INVALID, "no settings or counts");
	if (pm_validate(s, c, sec, res) != TFQKD_KEY_OK)
		return res->status;
	mu = s->mu;
	nu = s->nu;
	if (c->vac_windows <= 0.0 || c->nu_windows <= 0.0 || c->mu_windows <= 0.0)
		return result_refuse(res, TFQKD_REFUSE_FEW_EVENTS,
				     "missing vacuum, decoy or signal windows");
	n0 = c->vac_det[0] + c->vac_det[1];
	nn = c->nu_det[0] + c->nu_det[1];
	nm = c->mu_det[0] + c->mu_det[1];
	if (nn <= 0.0 || nm <= 0.0)
		return result_refuse(res, TFQKD_REFUSE_FEW_EVENTS,
				     "no effective events in the %s windows", nn <= 0.0 ? "decoy" : "signal");

	/* P5: expected gains; P2: decoy lower bound of the single-photon yield */
	Y0U = fl_mean_upper(&fl, n0) / c->vac_windows;
	QnL = fl_mean_lower(&fl, nn) / c->nu_windows;
	QmU = fl_mean_upper(&fl, nm) / c->mu_windows;
	Y1L = mu / (mu * nu - nu * nu) *
	      (QnL * exp(nu) - QmU * exp(mu) * nu * nu / (mu * mu) -
	       (mu * mu - nu * nu) / (mu * mu) * Y0U);
	res->yield1_lower = Y1L;
	if (!(Y1L > 0.0))
		return result_refuse(res, TFQKD_REFUSE_DECOY,
				     "single-photon yield lower bound %.4g is not positive "
				     "(decoy gain %.4g, signal gain %.4g, vacuum yield %.4g)",
				     Y1L, QnL, QmU, Y0U);

	/* P5: single-photon events among the key windows; P3: phase errors <= the rest */
	n1 = fmin(fl_obs_lower(&fl, c->mu_windows * mu * exp(-mu) * Y1L), nm);
	if (!(n1 > 0.0))
		return result_refuse(res, TFQKD_REFUSE_FEW_EVENTS,
				     "single-photon event lower bound is zero: block too small");
	ex = 1.0 - n1 / nm;
	/* P4, K3: all nm raw-key bits carry the key, with phase-error rate <= ex */
	finish_key(res, &fl, nm, ex, nm, c->bit_errors, leak_bits, s->ec_f);
	res->n1_lower = n1;
	return res->status;
}

/* P1: average over the relative phase delta of two phases drawn in the same slice of width
 * w = 2 pi / M: triangular density (w - |delta|)/w^2 on [-w, w]; composite Simpson */
static double pm_slice_yield(double eta, double mu, double e_d, double pd, unsigned int M,
			     double *err)
{
	const int n = 32;
	double w = 2.0 * M_PI / M, h = w / n, q = 0.0, e = 0.0;
	double vis = 1.0 - 2.0 * e_d;

	for (int i = 0; i <= n; i++) {
		double d = i * h, wt = (i == 0 || i == n) ? 1.0 : (i % 2 ? 4.0 : 2.0);
		double dens = 2.0 * (w - d) / (w * w);	/* both signs of delta */
		double wrong = 0.5 * (1.0 - vis * cos(d)), er;
		double y = tfqkd_yield_matched(eta, mu, wrong, pd, &er);

		q += wt * dens * y;
		e += wt * dens * er;
	}
	*err = e * h / 3.0;
	return q * h / 3.0;
}

void pm_model_counts(const struct tfqkd_link *link, const double *v, const double *n_pulses,
		     struct tfqkd_pm_counts *c)
{
	double eta = tfqkd_arm_transmittance(link), pd = link->p_dark;
	unsigned int M = (unsigned int)v[PM_M];
	double sift = 2.0 / M, y, err;

	memset(c, 0, sizeof(*c));
	if (n_pulses) {
		double p0 = 1.0 - v[PM_P_MU] - v[PM_P_NU];

		c->vac_windows = *n_pulses * p0 * p0;
		c->nu_windows = *n_pulses * v[PM_P_NU] * v[PM_P_NU] * sift;
		c->mu_windows = *n_pulses * v[PM_P_MU] * v[PM_P_MU] * sift;
	} else {
		c->vac_windows = 1.0;
		c->nu_windows = 1.0;
		c->mu_windows = v[PM_P_MU] * v[PM_P_MU] * sift;
	}
	y = tfqkd_yield_one(eta, 0.0, pd);
	c->vac_det[0] = c->vac_det[1] = 0.5 * c->vac_windows * y;
	y = pm_slice_yield(eta, v[PM_NU], link->e_d, pd, M, &err);
	c->nu_det[0] = c->nu_det[1] = 0.5 * c->nu_windows * y;
	y = pm_slice_yield(eta, v[PM_MU], link->e_d, pd, M, &err);
	c->mu_det[0] = c->mu_det[1] = 0.5 * c->mu_windows * y;
	c->bit_errors = c->mu_windows * err;
}

double pm_eval(const struct tfqkd_protocol *p, const struct tfqkd_link *link,
	       const double *n_pulses, const struct tfqkd_security *sec, const double *v,
	       struct tfqkd_key_result *res)
{
	struct tfqkd_pm_counts c;
	struct tfqkd_pm_settings s = { .mu = v[PM_MU], .nu = v[PM_NU], .ec_f = link->ec_f };

	(void)p;
	pm_model_counts(link, v, n_pulses, &c);
	if (tfqkd_pm_estimate(&s, &c, n_pulses ? sec : NULL, -1.0, res) != TFQKD_KEY_OK)
		return 0.0;
	return res->key_length / (n_pulses ? *n_pulses : 1.0);
}
