// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Sending-or-not-sending TF-QKD (Wang, Yu, Hu, PRA 98, 062323 (2018)), with the finite-key
 * bounds of Jiang et al., PR Applied 12, 024061 (2019), and actively odd-parity pairing
 * (Xu et al., PRA 101, 042330 (2020)). Documentation/tfqkd/theory.rst states each step; the
 * comments below use its labels (F1-F6 finite SNS, A1-A4 AOPP, S4 for the model).
 */
#include <math.h>
#include <string.h>

#include <tfqkd/estimate.h>
#include <tfqkd/theory.h>

#include "rate_internal.h"

/* relative slack when comparing sums of (expected, floating) counts */
#define SLACK (1.0 + 1e-9)

static enum tfqkd_status sns_validate(const struct tfqkd_sns_settings *s,
				      const struct tfqkd_sns_counts *c,
				      const struct tfqkd_security *sec, struct tfqkd_key_result *res)
{
	if (!(s->mu_z > 0.0 && isfinite(s->mu_z)))
		return result_refuse(res, TFQKD_REFUSE_INVALID, "mu_z=%g is not a positive intensity",
				     s->mu_z);
	if (!(s->eps > 0.0 && s->eps < 1.0))
		return result_refuse(res, TFQKD_REFUSE_INVALID, "eps=%g is not in (0, 1)", s->eps);
	if (!(s->mu1 > 0.0 && s->mu2 > s->mu1 && isfinite(s->mu2)))
		return result_refuse(res, TFQKD_REFUSE_INVALID,
				     "decoy intensities need 0 < mu1 < mu2 (mu1=%g, mu2=%g)", s->mu1,
				     s->mu2);
	if (sec && !tfqkd_security_valid(sec))
		return result_refuse(res, TFQKD_REFUSE_INVALID,
				     "security parameters must lie in (0, 1)");

	for (int a = 0; a < 3; a++)
		for (int b = 0; b < 3; b++) {
			double d0 = c->x_det[a][b][0], d1 = c->x_det[a][b][1];

			if (!count_ok(c->x_sent[a][b]) || !count_ok(d0) || !count_ok(d1))
				return result_refuse(res, TFQKD_REFUSE_INVALID,
						     "X-window count (%d,%d) is negative or not finite",
						     a, b);
			if (d0 + d1 > c->x_sent[a][b] * SLACK)
				return result_refuse(res, TFQKD_REFUSE_INVALID,
						     "X windows (%d,%d): %g effective events in %g windows",
						     a, b, d0 + d1, c->x_sent[a][b]);
		}
	for (int k = 0; k < 2; k++) {
		double d = c->x1_det[k][0] + c->x1_det[k][1];

		if (!count_ok(c->x1_windows[k]) || !count_ok(c->x1_det[k][0]) ||
		    !count_ok(c->x1_det[k][1]))
			return result_refuse(res, TFQKD_REFUSE_INVALID,
					     "X1 count is negative or not finite");
		if (d > c->x1_windows[k] * SLACK)
			return result_refuse(res, TFQKD_REFUSE_INVALID,
					     "X1 windows: %g effective events in %g windows", d,
					     c->x1_windows[k]);
	}
	if (!count_ok(c->z_windows) || !count_ok(c->z_det[0]) || !count_ok(c->z_det[1]))
		return result_refuse(res, TFQKD_REFUSE_INVALID, "Z count is negative or not finite");
	if (c->z_det[0] + c->z_det[1] > c->z_windows * SLACK)
		return result_refuse(res, TFQKD_REFUSE_INVALID,
				     "Z windows: %g effective events in %g windows",
				     c->z_det[0] + c->z_det[1], c->z_windows);
	if (s->aopp) {
		double nt = c->z_det[0] + c->z_det[1];

		if (!count_ok(c->z_bob[0]) || !count_ok(c->z_bob[1]) || !count_ok(c->aopp_pairs) ||
		    !count_ok(c->aopp_kept))
			return result_refuse(res, TFQKD_REFUSE_INVALID,
					     "AOPP count is negative or not finite");
		if (fabs(c->z_bob[0] + c->z_bob[1] - nt) > 1e-9 * nt + 0.5)
			return result_refuse(res, TFQKD_REFUSE_INVALID,
					     "Bob's bit-0 and bit-1 counts (%g + %g) differ from the "
					     "%g Z effective events", c->z_bob[0], c->z_bob[1], nt);
		if (c->aopp_pairs > fmin(c->z_bob[0], c->z_bob[1]) * SLACK)
			return result_refuse(res, TFQKD_REFUSE_INVALID,
					     "%g AOPP pairs but only %g bit-0 and %g bit-1 bits",
					     c->aopp_pairs, c->z_bob[0], c->z_bob[1]);
		if (c->aopp_kept > c->aopp_pairs * SLACK)
			return result_refuse(res, TFQKD_REFUSE_INVALID,
					     "%g kept pairs out of %g AOPP pairs", c->aopp_kept,
					     c->aopp_pairs);
	}
	if (isnan(c->bit_errors))
		return result_refuse(res, TFQKD_REFUSE_INVALID, "bit-error count is NaN");
	return TFQKD_KEY_OK;
}

enum tfqkd_status tfqkd_sns_estimate(const struct tfqkd_sns_settings *s,
				     const struct tfqkd_sns_counts *c,
				     const struct tfqkd_security *sec, double leak_bits,
				     struct tfqkd_key_result *res)
{
	struct fluct fl = { .sec = sec };
	double mu1, mu2, n00, n01, n02, N01max, N02min, S00U, S00L, S1L, S2U, s1L;
	double W, m, TU, seU, pz1, half, n1, e1, n_key, M_U;

	if (!res)
		return TFQKD_REFUSE_INVALID;
	result_init(res);
	if (!s || !c)
		return result_refuse(res, TFQKD_REFUSE_INVALID, "no settings or counts");
	if (sns_validate(s, c, sec, res) != TFQKD_KEY_OK)
		return res->status;
	mu1 = s->mu1;
	mu2 = s->mu2;

	/* F1: expected counting rates of the decoy windows */
	if (c->x_sent[0][0] <= 0.0)
		return result_refuse(res, TFQKD_REFUSE_FEW_EVENTS, "no vacuum-vacuum X windows");
	if (fmin(c->x_sent[0][1], c->x_sent[1][0]) <= 0.0 ||
	    fmin(c->x_sent[0][2], c->x_sent[2][0]) <= 0.0)
		return result_refuse(res, TFQKD_REFUSE_FEW_EVENTS,
				     "missing one-sided decoy windows (vacuum with mu1 or mu2)");
	n00 = c->x_det[0][0][0] + c->x_det[0][0][1];
	n01 = c->x_det[0][1][0] + c->x_det[0][1][1] + c->x_det[1][0][0] + c->x_det[1][0][1];
	n02 = c->x_det[0][2][0] + c->x_det[0][2][1] + c->x_det[2][0][0] + c->x_det[2][0][1];
	if (n01 <= 0.0)
		return result_refuse(res, TFQKD_REFUSE_FEW_EVENTS,
				     "no effective events in the one-sided mu1 windows");
	N01max = fmax(c->x_sent[0][1], c->x_sent[1][0]);
	N02min = fmin(c->x_sent[0][2], c->x_sent[2][0]);
	S00U = fl_mean_upper(&fl, n00) / c->x_sent[0][0];
	S00L = fl_mean_lower(&fl, n00) / c->x_sent[0][0];
	/* <S_mu1> = (S01 + S10)/2 >= E^L(n01 + n10) / (2 max(N01, N10)); upper analogue */
	S1L = fl_mean_lower(&fl, n01) / (2.0 * N01max);
	S2U = fl_mean_upper(&fl, n02) / (2.0 * N02min);

	/* F2 (S2): decoy-state lower bound of the single-photon yield */
	s1L = (mu2 * mu2 * exp(mu1) * S1L - mu1 * mu1 * exp(mu2) * S2U -
	       (mu2 * mu2 - mu1 * mu1) * S00U) / (mu1 * mu2 * (mu2 - mu1));
	res->yield1_lower = s1L;
	if (!(s1L > 0.0))
		return result_refuse(res, TFQKD_REFUSE_DECOY,
				     "single-photon yield lower bound %.4g is not positive "
				     "(one-sided mu1 rate %.4g, mu2 rate %.4g, vacuum rate %.4g)",
				     s1L, S1L, S2U, S00U);

	/* F3 (S3): X1 windows, upper bound of s1 * e1 (single-photon yield x phase-flip rate) */
	W = c->x1_windows[0] + c->x1_windows[1];
	if (W <= 0.0)
		return result_refuse(res, TFQKD_REFUSE_FEW_EVENTS,
				     "no X1 windows (phase-matched mu1-mu1 windows)");
	m = c->x1_det[0][1] + c->x1_det[1][0];
	TU = fl_mean_upper(&fl, m) / W;
	seU = (TU - exp(-2.0 * mu1) * S00L / 2.0) / (2.0 * mu1 * exp(-2.0 * mu1));
	if (seU < 0.0)
		seU = 0.0;

	/* F4: untagged Z bits and their phase errors */
	if (c->z_windows <= 0.0)
		return result_refuse(res, TFQKD_REFUSE_FEW_EVENTS, "no Z windows");
	n_key = c->z_det[0] + c->z_det[1];
	if (n_key <= 0.0)
		return result_refuse(res, TFQKD_REFUSE_FEW_EVENTS, "no effective events in Z windows");
	pz1 = s->mu_z * exp(-s->mu_z);
	/* expected untagged bits of one kind (Alice sent a single photon and Bob nothing, or
	 * the reverse) */
	half = c->z_windows * s->eps * (1.0 - s->eps) * pz1 * s1L;
	M_U = fl_obs_upper(&fl, 2.0 * c->z_windows * s->eps * (1.0 - s->eps) * pz1 * seU);

	if (!s->aopp) {
		n1 = fmin(fl_obs_lower(&fl, 2.0 * half), n_key);
		if (!(n1 > 0.0))
			return result_refuse(res, TFQKD_REFUSE_FEW_EVENTS,
					     "untagged-bit lower bound is zero (expected %.4g): "
					     "block too small", 2.0 * half);
		e1 = M_U / n1;	/* F5 */
	} else {
		/* A2, A3: AOPP untagged pairs and their phase-flip rate */
		double B0 = c->z_bob[0], B1 = c->z_bob[1], ng = c->aopp_pairs, na, nb, k, r;

		if (ng <= 0.0 || B0 <= 0.0 || B1 <= 0.0)
			return result_refuse(res, TFQKD_REFUSE_FEW_EVENTS, "no AOPP pairs");
		na = fmin(fl_obs_lower(&fl, half), B0);
		nb = fmin(fl_obs_lower(&fl, half), B1);
		if (!(na > 0.0 && nb > 0.0))
			return result_refuse(res, TFQKD_REFUSE_FEW_EVENTS,
					     "untagged-bit lower bound is zero (expected %.4g per "
					     "kind): block too small", half);
		k = fl_obs_lower(&fl, ng * na / B0);
		n1 = fl_obs_lower(&fl, k * nb / B1);
		if (!(n1 > 0.0))
			return result_refuse(res, TFQKD_REFUSE_FEW_EVENTS,
					     "untagged-pair lower bound is zero (expected %.4g)",
					     ng * (na / B0) * (nb / B1));
		n_key = c->aopp_kept;
		if (n_key <= 0.0)
			return result_refuse(res, TFQKD_REFUSE_FEW_EVENTS, "no pairs kept by AOPP");
		/* untagged pairs always have odd parity, so all of them are kept */
		n1 = fmin(n1, n_key);
		r = M_U / fmin(na, nb);
		e1 = fl_obs_upper(&fl, n1 * fmin(r, 1.0)) / n1;
	}
	/* F6, A4 */
	return finish_key(res, &fl, n1, e1, n_key, c->bit_errors, leak_bits, s->ec_f);
}

void sns_model_counts(const struct tfqkd_link *link, const double *v, int aopp,
		      const double *n_pulses, struct tfqkd_sns_counts *c)
{
	double eta = tfqkd_arm_transmittance(link), pd = link->p_dark;
	double mu[3] = { 0.0, v[SNS_MU1], v[SNS_MU2] };
	double p[3] = { v[SNS_P0], v[SNS_P1], 1.0 - v[SNS_P0] - v[SNS_P1] };
	double eps = v[SNS_EPS], pz = v[SNS_P_Z];
	double nx, w1, nz, S, err, A, B, C;

	memset(c, 0, sizeof(*c));
	if (n_pulses) {
		nx = *n_pulses * (1.0 - pz) * (1.0 - pz);
		w1 = nx * p[1] * p[1] * v[SNS_X1_FRAC];
		nz = *n_pulses * pz * pz;
	} else {
		/* asymptotic: only rates matter; one nominal window per X class */
		nx = 1.0;
		p[0] = p[1] = p[2] = 1.0;
		w1 = 1.0;
		nz = pz * pz;
	}
	for (int a = 0; a < 3; a++)
		for (int b = 0; b < 3; b++) {
			c->x_sent[a][b] = nx * p[a] * p[b];
			if (a == 0 || b == 0)
				S = tfqkd_yield_one(eta, mu[a] + mu[b], pd);
			else
				S = tfqkd_yield_two(eta, mu[a], mu[b], pd);
			c->x_det[a][b][0] = c->x_det[a][b][1] = 0.5 * c->x_sent[a][b] * S;
		}
	/* X1 (C5): both send mu1 with matched phases; e_d of the light leaves by the wrong port */
	S = tfqkd_yield_matched(eta, 2.0 * mu[1], link->e_d, pd, &err);
	for (int k = 0; k < 2; k++) {
		c->x1_windows[k] = 0.5 * w1;
		c->x1_det[k][k] = 0.5 * w1 * (S - err);
		c->x1_det[k][1 - k] = 0.5 * w1 * err;
	}
	/* Z (S4): neither sends (A), one sends (B, each way), both send (C) */
	A = (1.0 - eps) * (1.0 - eps) * tfqkd_yield_one(eta, 0.0, pd);
	B = eps * (1.0 - eps) * tfqkd_yield_one(eta, v[SNS_MU_Z], pd);
	C = eps * eps * tfqkd_yield_two(eta, v[SNS_MU_Z], v[SNS_MU_Z], pd);
	c->z_windows = nz;
	c->z_det[0] = c->z_det[1] = 0.5 * nz * (A + 2.0 * B + C);
	/* Bob's bit 0: Bob sent (right if Alice did not); bit 1: Bob did not send */
	c->z_bob[0] = nz * (B + C);
	c->z_bob[1] = nz * (B + A);
	if (aopp) {	/* A1 */
		double e0 = C / (B + C), e1 = A / (B + A);

		c->aopp_pairs = fmin(c->z_bob[0], c->z_bob[1]);
		c->aopp_kept = c->aopp_pairs * ((1.0 - e0) * (1.0 - e1) + e0 * e1);
		c->bit_errors = c->aopp_pairs * e0 * e1;
	} else {
		c->bit_errors = nz * (A + C);
	}
}

double sns_eval(const struct tfqkd_protocol *p, const struct tfqkd_link *link,
		const double *n_pulses, const struct tfqkd_security *sec, const double *v,
		struct tfqkd_key_result *res)
{
	struct tfqkd_sns_counts c;
	struct tfqkd_sns_settings s = {
		.mu_z = v[SNS_MU_Z], .eps = v[SNS_EPS], .mu1 = v[SNS_MU1], .mu2 = v[SNS_MU2],
		.aopp = p->variant, .ec_f = link->ec_f,
	};

	sns_model_counts(link, v, p->variant, n_pulses, &c);
	if (tfqkd_sns_estimate(&s, &c, n_pulses ? sec : NULL, -1.0, res) != TFQKD_KEY_OK)
		return 0.0;
	return res->key_length / (n_pulses ? *n_pulses : 1.0);
}
