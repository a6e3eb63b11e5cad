// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Key-rate theory building blocks: PLOB bound, binary entropy, scaled Bessel I0 and the
 * detection probabilities of the symmetric twin-field channel model.
 * Documentation/tfqkd/theory.rst gives the formulas and their sources.
 */
#include <math.h>

#include <tfqkd/theory.h>

double tfqkd_plob(double eta)
{
	if (!(eta >= 0.0 && eta <= 1.0))
		return NAN;
	if (eta == 1.0)
		return INFINITY;
	/* -log2(1 - eta) without the cancellation of 1 - eta for small eta */
	return -log1p(-eta) / M_LN2;
}

double tfqkd_fibre_transmittance(double length_km, double loss_db_km)
{
	return exp(-loss_db_km * length_km * (M_LN10 / 10.0));
}

double tfqkd_link_plob(const struct tfqkd_link *link)
{
	return tfqkd_plob(tfqkd_fibre_transmittance(link->distance_km, link->loss_db_km));
}

double tfqkd_arm_transmittance(const struct tfqkd_link *link)
{
	return link->eta_d * tfqkd_fibre_transmittance(0.5 * link->distance_km, link->loss_db_km);
}

double tfqkd_h2(double x)
{
	if (!(x > 0.0 && x < 1.0))
		return 0.0;
	return (-x * log(x) - (1.0 - x) * log1p(-x)) / M_LN2;
}

/* I0(x) - 1 by its power series; all terms positive. For |x| <= 20. */
static double i0m1_series(double x)
{
	double q = 0.25 * x * x, term = 1.0, sum = 0.0;

	for (int k = 1; k < 200; k++) {
		term *= q / ((double)k * (double)k);
		sum += term;
		if (term < 1e-17 * sum)
			break;
	}
	return sum;
}

/* exp(-x) I0(x) for x > 20 by the asymptotic expansion (A&S 9.7.1). */
static double i0e_asymptotic(double x)
{
	double term = 1.0, sum = 1.0;

	for (int k = 1; k < 60; k++) {
		double t = term * (2.0 * k - 1.0) * (2.0 * k - 1.0) / (8.0 * x * k);

		if (t > term)	/* the series starts to diverge: stop at the smallest term */
			break;
		term = t;
		sum += term;
		if (term < 1e-17 * sum)
			break;
	}
	return sum / sqrt(2.0 * M_PI * x);
}

double tfqkd_i0e(double x)
{
	x = fabs(x);
	if (x <= 20.0)
		return exp(-x) * (1.0 + i0m1_series(x));
	return i0e_asymptotic(x);
}

/* 1 - (1-pd) exp(-m): probability that a detector with mean photon number m clicks */
static double click(double m, double pd)
{
	return -expm1(log1p(-pd) - m);
}

double tfqkd_yield_one(double eta, double mu, double pd)
{
	double a = (1.0 - pd) * exp(-0.5 * eta * mu);

	return 2.0 * a * click(0.5 * eta * mu, pd);
}

double tfqkd_yield_two(double eta, double mu_a, double mu_b, double pd)
{
	double s = 0.5 * eta * (mu_a + mu_b);	/* mean photon number per detector */
	double x = eta * sqrt(mu_a * mu_b);	/* interference amplitude, x <= s */

	if (x <= 20.0) {
		/* I0(x) - (1-pd) e^-s = (I0(x) - 1) + (1 - e^-s) + pd e^-s, all >= 0 */
		double inner = i0m1_series(x) - expm1(-s) + pd * exp(-s);

		return 2.0 * (1.0 - pd) * exp(-s) * inner;
	}
	return 2.0 * (1.0 - pd) *
	       (exp(x - s) * i0e_asymptotic(x) - (1.0 - pd) * exp(-2.0 * s));
}

double tfqkd_yield_matched(double eta, double mu_total, double wrong, double pd, double *err)
{
	double mc = eta * mu_total * (1.0 - wrong);	/* right output port */
	double mw = eta * mu_total * wrong;		/* wrong output port */
	double nc = (1.0 - pd) * exp(-mc), nw = (1.0 - pd) * exp(-mw);
	double right = click(mc, pd) * nw, error = click(mw, pd) * nc;

	if (err)
		*err = error;
	return right + error;
}
