/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers for the rate-theory unit tests: floating-point comparisons on top of
 * kselftest_harness.h, and deliberately naive reference formulas that the tests compare the
 * library against. The references follow Documentation/tfqkd/theory.rst literally, in long
 * double, without the numerical care of the library (no log1p/expm1, no Bessel function:
 * phase averages are plain numerical integrals).
 */
#ifndef TFQKD_RATE_TEST_H
#define TFQKD_RATE_TEST_H

#include <math.h>

#define EXPECT_REL(ref, val, tol) do { \
	double ref_ = (ref), val_ = (val), tol_ = (tol); \
	int ok_ = fabs(val_ - ref_) <= tol_ * fabs(ref_); \
	if (!ok_) \
		TH_LOG("%s = %.12g, expected %.12g (relative tolerance %g)", #val, val_, ref_, tol_); \
	EXPECT_TRUE(ok_); \
} while (0)

#define EXPECT_DLT(a, b) do { \
	double a_ = (a), b_ = (b); \
	if (!(a_ < b_)) \
		TH_LOG("expected %s (%.12g) < %s (%.12g)", #a, a_, #b, b_); \
	EXPECT_TRUE(a_ < b_); \
} while (0)

/* status of a struct tfqkd_key_result, with its message on failure */
#define EXPECT_STATUS(st, res) do { \
	if ((int)(res).status != (int)(st)) \
		TH_LOG("status %d (%s), expected %d: %s", (int)(res).status, \
		       tfqkd_status_name((res).status), (int)(st), (res).message); \
	EXPECT_EQ((int)(st), (int)(res).status); \
} while (0)

/* naive binary entropy */
static inline long double ref_h(long double x)
{
	if (x <= 0 || x >= 1)
		return 0;
	return -x * log2l(x) - (1 - x) * log2l(1 - x);
}

/*
 * Exactly-one-click probability of two phase-randomised coherent states (intensities a, b
 * after the arm transmittance), averaged over the relative phase by a midpoint rule; the
 * detectors see a/2 + b/2 +- sqrt(ab) cos(theta).
 */
static inline long double ref_yield_pair(long double a, long double b, long double pd)
{
	const int n = 4000;
	long double sum = 0;

	for (int i = 0; i < n; i++) {
		long double th = M_PI * (i + 0.5L) / n;
		long double mL = a / 2 + b / 2 + sqrtl(a * b) * cosl(th);
		long double mR = a / 2 + b / 2 - sqrtl(a * b) * cosl(th);
		long double nL = (1 - pd) * expl(-mL), nR = (1 - pd) * expl(-mR);

		sum += (1 - nL) * nR + (1 - nR) * nL;
	}
	return sum / n;
}

/* right-port and wrong-port events of phase-matched light of total mean m */
static inline long double ref_matched(long double m, long double wrong, long double pd,
				      long double *err)
{
	long double nc = (1 - pd) * expl(-m * (1 - wrong)), nw = (1 - pd) * expl(-m * wrong);

	*err = (1 - nw) * nc;
	return (1 - nc) * nw + (1 - nw) * nc;
}

/* bisection of f(d) = target on (lo, hi), f decreasing */
static inline long double bisect(long double (*f)(long double, long double), long double arg,
			  long double target, long double lo, long double hi)
{
	for (int i = 0; i < 300; i++) {
		long double mid = (lo + hi) / 2;

		if (f(mid, arg) > target)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

/* (x/(1+d)) [d - (1+d) ln(1+d)]: log of (e^d/(1+d)^(1+d))^(x/(1+d)) */
static inline long double f_el(long double d, long double x)
{
	return x / (1 + d) * (d - (1 + d) * logl(1 + d));
}

/* (x/(1-d)) [-d - (1-d) ln(1-d)] */
static inline long double f_eu(long double d, long double x)
{
	return x / (1 - d) * (-d - (1 - d) * logl(1 - d));
}

/* m [d - (1+d) ln(1+d)] */
static inline long double f_ou(long double d, long double m)
{
	return m * (d - (1 + d) * logl(1 + d));
}

/* m [-d - (1-d) ln(1-d)] */
static inline long double f_ol(long double d, long double m)
{
	return m * (-d - (1 - d) * logl(1 - d));
}

/* the four bounds by naive bisection of Zhang et al.'s equations, eps/2 per side */
static inline long double ref_mean_lower(long double x, long double eps)
{
	return x / (1 + bisect(f_el, x, logl(eps / 2), 0, 1e6));
}

static inline long double ref_mean_upper(long double x, long double eps)
{
	return x / (1 - bisect(f_eu, x, logl(eps / 2), 0, 1 - 1e-18L));
}

static inline long double ref_obs_upper(long double m, long double eps)
{
	return (1 + bisect(f_ou, m, logl(eps / 2), 0, 1e6)) * m;
}

static inline long double ref_obs_lower(long double m, long double eps)
{
	if (-m >= logl(eps / 2))
		return 0;
	return (1 - bisect(f_ol, m, logl(eps / 2), 0, 1)) * m;
}

#endif /* TFQKD_RATE_TEST_H */
