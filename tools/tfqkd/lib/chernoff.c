// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Multiplicative Chernoff bounds (Zhang et al., PRA 95, 012333 (2017)) and the security terms
 * of the finite-key length.
 *
 * All four bounds solve the same equation. With D(o, m) = m - o + o ln(o/m) (the relative
 * entropy of Poisson laws), the Chernoff tails read P(X >= o) <= exp(-D(o, m)) for o > m and
 * P(X <= o) <= exp(-D(o, m)) for o < m. Setting exp(-D) = eps/2:
 *   E^L(x), E^U(x): solve D(x, m) = ln(2/eps) for m below / above the observed x;
 *   O^L(m), O^U(m): solve D(o, m) = ln(2/eps) for o below / above the expectation m.
 * Zhang et al. write the first pair with delta: m = x/(1+delta) (lower) and x/(1-delta)
 * (upper); substituting gives exactly D(x, m) = ln(2/eps).
 */
#include <math.h>

#include <tfqkd/finite.h>

int tfqkd_security_valid(const struct tfqkd_security *sec)
{
	const double v[4] = { sec->eps_cor, sec->eps_pa, sec->eps_smooth, sec->eps_pe };

	for (int i = 0; i < 4; i++)
		if (!(v[i] > 0.0 && v[i] < 1.0))
			return 0;
	return 1;
}

double tfqkd_security_cost(const struct tfqkd_security *sec)
{
	return log2(2.0 / sec->eps_cor) +
	       2.0 * log2(1.0 / (M_SQRT2 * sec->eps_pa * sec->eps_smooth));
}

/* phi(w) = e^w - 1 - w, accurate for small |w| */
static double phi(double w)
{
	if (fabs(w) < 1e-3)
		return w * w * (0.5 + w * (1.0 / 6 + w * (1.0 / 24 + w * (1.0 / 120))));
	return expm1(w) - w;
}

/* psi(t) = e^t (t - 1) + 1 = sum_{k>=2} (k-1) t^k / k!, accurate for small |t| */
static double psi(double t)
{
	if (fabs(t) < 1e-3)
		return t * t * (0.5 + t * (1.0 / 3 + t * (1.0 / 8 + t * (1.0 / 30))));
	return t * expm1(t) - phi(t);
}

/*
 * Solve g(t) = c for t in (a, b) where g is monotone on the interval, with g(a) - c and
 * g(b) - c of opposite signs. Safeguarded Newton (falls back to bisection).
 */
static double solve(double (*g)(double), double (*dg)(double), double scale, double c,
		    double a, double b)
{
	double fa = scale * g(a) - c;
	double t = 0.5 * (a + b);

	for (int it = 0; it < 200; it++) {
		double f = scale * g(t) - c, d = scale * dg(t), tn;

		if (f == 0.0)
			return t;
		if ((f < 0) == (fa < 0)) {
			a = t;
			fa = f;
		} else {
			b = t;
		}
		tn = t - f / d;
		if (!(tn > a && tn < b) || d == 0.0)
			tn = 0.5 * (a + b);
		if (fabs(tn - t) <= 1e-15 * fmax(1.0, fabs(tn)) || b - a <= 1e-15 * fmax(1.0, fabs(a)))
			return tn;
		t = tn;
	}
	return t;
}

static double dphi(double w)
{
	return expm1(w);
}

static double dpsi(double t)
{
	return t * exp(t);
}

/* bracket end for an increasing branch: smallest 2^k * start with scale*g > c */
static double bracket_up(double (*g)(double), double scale, double c, double start)
{
	double b = start;

	while (scale * g(b) <= c && b < 1e3)
		b *= 2.0;
	return b;
}

static double bracket_down(double (*g)(double), double scale, double c, double start)
{
	double a = start;

	while (scale * g(a) <= c && a > -1e7)
		a *= 2.0;
	return a;
}

static int bad(double x, double eps)
{
	return !(x >= 0.0 && isfinite(x) && eps > 0.0 && eps < 1.0);
}

double tfqkd_mean_lower(double x, double eps)
{
	double c, w0, a;

	if (bad(x, eps))
		return NAN;
	if (x == 0.0)
		return 0.0;
	c = log(2.0 / eps);
	/* m = x e^w, w < 0: x phi(w) = c; phi(w) <= w^2/2 for w < 0, so the root is left of w0 */
	w0 = -sqrt(2.0 * c / x);
	a = bracket_down(phi, x, c, w0);
	if (x * phi(a) <= c)	/* root below -1e7: m = x e^w is 0 in double precision */
		return 0.0;
	return x * exp(solve(phi, dphi, x, c, a, w0));
}

double tfqkd_mean_upper(double x, double eps)
{
	double c, w0;

	if (bad(x, eps))
		return NAN;
	c = log(2.0 / eps);
	if (x == 0.0)
		return c;
	/* m = x e^w, w > 0: x phi(w) = c; phi(w) >= w^2/2 for w > 0, so the root is left of w0 */
	w0 = sqrt(2.0 * c / x);
	if (x * phi(w0) - c == 0.0)
		return x * exp(w0);
	return x * exp(solve(phi, dphi, x, c, 0.0, bracket_up(phi, x, c, w0)));
}

double tfqkd_obs_lower(double mean, double eps)
{
	double c, t0;

	if (bad(mean, eps))
		return NAN;
	c = log(2.0 / eps);
	/* o = m e^t, t < 0: m psi(t) = c; psi -> 1 as t -> -inf, so no root when m <= c */
	if (mean <= c)
		return 0.0;
	t0 = -sqrt(2.0 * c / mean);
	if (mean * psi(t0) < c)
		return mean * exp(solve(psi, dpsi, mean, c, bracket_down(psi, mean, c, t0), t0));
	return mean * exp(solve(psi, dpsi, mean, c, t0, 0.0));
}

double tfqkd_obs_upper(double mean, double eps)
{
	double c, t0;

	if (bad(mean, eps))
		return NAN;
	c = log(2.0 / eps);
	if (mean == 0.0)
		return 0.0;
	t0 = sqrt(2.0 * c / mean);
	if (mean * psi(t0) < c)
		return mean * exp(solve(psi, dpsi, mean, c, t0, bracket_up(psi, mean, c, t0)));
	return mean * exp(solve(psi, dpsi, mean, c, 0.0, t0));
}
