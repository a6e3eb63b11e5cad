// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multiplicative Chernoff bounds: against a naive bisection of the equations as Zhang et al.
 * (PRA 95, 012333) write them, and against exact Poisson and binomial tails (the bounds
 * must hold: a bound that fails more often than eps/2 is a security bug).
 */
#include <math.h>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop

#include <tfqkd/estimate.h>
#include <tfqkd/finite.h>

#include "rate_test.h"

TEST(naive_zhang_form)
{
	static const double xs[] = { 3, 50, 1e3, 1e6, 1e10 };
	static const double epss[] = { 1e-10, 1e-3 };

	for (size_t i = 0; i < 5; i++)
		for (size_t j = 0; j < 2; j++) {
			long double x = xs[i], t = logl(epss[j] / 2);
			long double del, d_u, d_ou, d_ol;

			del = bisect(f_el, x, t, 0, 1e6);
			EXPECT_REL((double)(x / (1 + del)), tfqkd_mean_lower(x, epss[j]), 1e-9);
			d_u = bisect(f_eu, x, t, 0, 1 - 1e-18L);
			EXPECT_REL((double)(x / (1 - d_u)), tfqkd_mean_upper(x, epss[j]), 1e-9);
			d_ou = bisect(f_ou, x, t, 0, 1e6);
			EXPECT_REL((double)((1 + d_ou) * x), tfqkd_obs_upper(x, epss[j]), 1e-9);
			if (-x < t) {	/* a lower observation bound exists */
				d_ol = bisect(f_ol, x, t, 0, 1);
				EXPECT_REL((double)((1 - d_ol) * x), tfqkd_obs_lower(x, epss[j]), 1e-9);
			} else {
				EXPECT_EQ(0.0, tfqkd_obs_lower(x, epss[j]));
			}
		}
}

TEST(ordering_and_edges)
{
	double c = log(2 / 1e-10);

	for (double x = 1; x < 1e15; x *= 7.3) {
		EXPECT_DLT(tfqkd_mean_lower(x, 1e-10), x);
		EXPECT_DLT(x, tfqkd_mean_upper(x, 1e-10));
		EXPECT_DLT(x, tfqkd_obs_upper(x, 1e-10));
		EXPECT_TRUE(tfqkd_obs_lower(x, 1e-10) < x);
		/* a smaller failure probability widens the interval */
		EXPECT_DLT(tfqkd_mean_lower(x, 1e-10), tfqkd_mean_lower(x, 1e-3));
		EXPECT_DLT(tfqkd_mean_upper(x, 1e-3), tfqkd_mean_upper(x, 1e-10));
	}
	/* relative width shrinks like 1/sqrt(x): at 1e12 about sqrt(2 ln(2/eps)/x) */
	EXPECT_REL(sqrt(2 * c / 1e12), tfqkd_mean_upper(1e12, 1e-10) / 1e12 - 1, 1e-3);
	EXPECT_EQ(0.0, tfqkd_mean_lower(0, 1e-10));
	EXPECT_REL(c, tfqkd_mean_upper(0, 1e-10), 1e-15);
	EXPECT_EQ(0.0, tfqkd_obs_lower(c * 0.99, 1e-10));
	EXPECT_EQ(0.0, tfqkd_obs_upper(0, 1e-10));
	EXPECT_TRUE(isnan(tfqkd_mean_lower(-1, 1e-10)));
	EXPECT_TRUE(isnan(tfqkd_mean_upper(NAN, 1e-10)));
	EXPECT_TRUE(isnan(tfqkd_obs_upper(5, 0)));
	EXPECT_TRUE(isnan(tfqkd_obs_lower(5, 1)));
	/* a tiny observation gives an expectation lower bound of about zero */
	EXPECT_LT(tfqkd_mean_lower(1e-3, 1e-10), 1e-300);
}

static long double poisson_pmf(long k, long double m)
{
	return expl(k * logl(m) - m - lgammal(k + 1.0L));
}

/* the bounds hold with probability >= 1 - eps/2 for Poisson counts */
TEST(poisson_coverage)
{
	static const double ms[] = { 20, 100, 1000 };
	static const double epss[] = { 1e-2, 1e-6 };

	for (size_t i = 0; i < 3; i++)
		for (size_t j = 0; j < 2; j++) {
			long double m = ms[i], up = 0, lo = 0, mu_lo = 0, mu_up = 0, mid = 0;
			double eps = epss[j], ou = tfqkd_obs_upper(m, eps), ol = tfqkd_obs_lower(m, eps);

			for (long k = 0; k < 20 * (long)m + 200; k++) {
				long double p = poisson_pmf(k, m);

				if (k >= ou)
					up += p;
				if (k <= ol)
					lo += p;
				/* defining property of E^L, E^U as confidence bounds on m */
				if (tfqkd_mean_upper((double)k, eps) < m)
					mu_up += p;
				if (tfqkd_mean_lower((double)k, eps) > m)
					mu_lo += p;
			}
			/* and not absurdly loose: a third of the way out the tail is still likely */
			for (long k = (long)ceil(m + (ou - m) / 3); k < 20 * (long)m + 200; k++)
				mid += poisson_pmf(k, m);
			EXPECT_LE((double)up, eps / 2);
			EXPECT_LE((double)lo, eps / 2);
			EXPECT_LE((double)mu_up, eps / 2);
			EXPECT_LE((double)mu_lo, eps / 2);
			EXPECT_GT((double)mid, eps / 2);
		}
}

/* sums of independent Bernoulli variables: binomial(n, p) */
TEST(binomial_coverage)
{
	const long n = 4000;
	const long double p = 0.025L, m = n * p;
	const double eps = 1e-4;
	double ou = tfqkd_obs_upper((double)m, eps), ol = tfqkd_obs_lower((double)m, eps);
	long double up = 0, lo = 0;

	for (long k = 0; k <= n; k++) {
		long double pk = expl(lgammal(n + 1.0L) - lgammal(k + 1.0L) - lgammal(n - k + 1.0L) +
				      k * logl(p) + (n - k) * log1pl(-p));

		if (k >= ou)
			up += pk;
		if (k <= ol)
			lo += pk;
	}
	EXPECT_LE((double)up, eps / 2);
	EXPECT_LE((double)lo, eps / 2);
}

TEST(security_terms)
{
	struct tfqkd_security s = { 1e-10, 1e-10, 1e-10, 1e-10 };

	/* by hand: log2(2e10) + 2 (log2(1e20) - 1/2) = 34.21928094887362 + 131.87712379549449 */
	EXPECT_REL(166.0964047443681, tfqkd_security_cost(&s), 1e-14);
	EXPECT_TRUE(tfqkd_security_valid(&s));
	s.eps_pe = 0;
	EXPECT_FALSE(tfqkd_security_valid(&s));
	s.eps_pe = 1e-10;
	s.eps_cor = 1.0;
	EXPECT_FALSE(tfqkd_security_valid(&s));
	s.eps_cor = NAN;
	EXPECT_FALSE(tfqkd_security_valid(&s));
}

TEST_HARNESS_MAIN
