// SPDX-License-Identifier: GPL-2.0-only
/*
 * Rate theory: PLOB bound, entropy, Bessel function, channel yields, and the asymptotic key
 * rates of SNS, SNS-AOPP and PM-QKD against independent computations.
 */
#include <math.h>
#include <string.h>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop

#include <tfqkd/plan.h>
#include <tfqkd/theory.h>

#include "rate_test.h"

/*
 * PLOB known answers. Reference values computed once with Python's decimal module at 60
 * digits: eta = 10**(-alpha*L/10), plob = -ln(1 - eta)/ln 2, i.e. with no floating-point
 * cancellation at all.
 */
TEST(plob_known_answers)
{
	static const struct { double alpha, L, plob; } kat[] = {
		{ 0.2, 100, 1.44995696951150770e-02 },
		{ 0.2, 300, 1.44269576223696472e-06 },
		{ 0.2, 600, 1.44269504088968484e-12 },
		{ 0.2, 1000, 1.44269504088896334e-20 },
		{ 0.16, 1002, 1.34021519935995281e-16 },
		{ 0.2, 0.5, 5.45717948676478848e+00 },
	};

	for (size_t i = 0; i < sizeof(kat) / sizeof(kat[0]); i++) {
		struct tfqkd_link l = { .distance_km = kat[i].L, .loss_db_km = kat[i].alpha,
					.eta_d = 0.5, .p_dark = 0, .e_d = 0, .ec_f = 1 };

		EXPECT_REL(kat[i].plob, tfqkd_link_plob(&l), 1e-12);
	}
	/* by hand: -log2(1/2) = 1, -log2(1/4) = 2, -log2(1) = 0 */
	EXPECT_REL(1.0, tfqkd_plob(0.5), 1e-15);
	EXPECT_REL(2.0, tfqkd_plob(0.75), 1e-15);
	EXPECT_EQ(0.0, tfqkd_plob(0.0));
	EXPECT_TRUE(isinf(tfqkd_plob(1.0)));
	EXPECT_TRUE(isnan(tfqkd_plob(-0.1)));
	EXPECT_TRUE(isnan(tfqkd_plob(1.1)));
}

/* the naive formula collapses at 1000 km; the library must not */
TEST(plob_no_cancellation)
{
	double eta = tfqkd_fibre_transmittance(1000, 0.2);
	volatile double one_minus = 1.0 - eta;

	EXPECT_EQ(0.0, -log2(one_minus));	/* what the naive formula returns */
	EXPECT_REL(eta / M_LN2, tfqkd_plob(eta), 1e-15);
	EXPECT_GT(tfqkd_plob(eta), 0.0);
	/* small-eta limit eta/ln2 down to the smallest normal doubles */
	EXPECT_REL(1e-300 / M_LN2, tfqkd_plob(1e-300), 1e-15);
}

TEST(arm_transmittance_conventions)
{
	struct tfqkd_link l = { .distance_km = 300, .loss_db_km = 0.2, .eta_d = 0.6,
				.p_dark = 0, .e_d = 0, .ec_f = 1 };

	/* arm: L/2 = 150 km -> 30 dB -> 1e-3, times eta_d */
	EXPECT_REL(0.6e-3, tfqkd_arm_transmittance(&l), 1e-13);
	/* PLOB: whole 300 km, detectors excluded: eta = 1e-6 */
	EXPECT_REL(-log1pl(-1e-6L) / logl(2), tfqkd_link_plob(&l), 1e-12);
}

TEST(binary_entropy)
{
	/* by hand: h(1/4) = 1/2 + (3/4) log2(4/3) = 0.8112781244591328 */
	EXPECT_REL(0.8112781244591328, tfqkd_h2(0.25), 1e-14);
	EXPECT_REL(1.0, tfqkd_h2(0.5), 1e-15);
	EXPECT_REL((double)ref_h(1e-9L), tfqkd_h2(1e-9), 1e-12);
	EXPECT_REL(tfqkd_h2(0.03), tfqkd_h2(0.97), 1e-14);
	EXPECT_EQ(0.0, tfqkd_h2(0.0));
	EXPECT_EQ(0.0, tfqkd_h2(1.0));
	EXPECT_EQ(0.0, tfqkd_h2(-1.0));
}

/* exp(-x) I0(x) against (1/pi) int_0^pi exp(x (cos t - 1)) dt by the trapezoid rule */
TEST(bessel_i0e)
{
	static const double xs[] = { 0, 1e-3, 0.5, 3, 19.9, 20.1, 50, 700, 1e5 };

	for (size_t i = 0; i < sizeof(xs) / sizeof(xs[0]); i++) {
		const int n = 200000;
		long double s = 0;

		for (int k = 0; k <= n; k++) {
			long double t = M_PI * (long double)k / n, f = expl(xs[i] * (cosl(t) - 1));

			s += (k == 0 || k == n) ? f / 2 : f;
		}
		EXPECT_REL((double)(s / n), tfqkd_i0e(xs[i]), 1e-12);
		EXPECT_REL(tfqkd_i0e(xs[i]), tfqkd_i0e(-xs[i]), 1e-15);
	}
}

TEST(channel_yields)
{
	static const double etas[] = { 0.6, 1e-3, 1e-9 };
	static const double pds[] = { 0, 1e-10, 1e-6 };

	/*
	 * The naive reference computes 1 - (1-pd) e^-m in long double, which loses about
	 * 1e-19 in absolute terms: the tolerance allows for that at tiny yields.
	 */
#define TOL(ref) (1e-9 + 1e-18 / (double)(ref))
	for (size_t i = 0; i < 3; i++)
		for (size_t j = 0; j < 3; j++) {
			double eta = etas[i], pd = pds[j];
			long double err;

			/* one side sends: the pair formula with b = 0 */
			long double r1 = ref_yield_pair(eta * 0.3L, 0, pd);
			long double r2 = ref_yield_pair(eta * 0.45L, eta * 0.45L, pd);
			long double r3 = ref_yield_pair(eta * 0.1L, eta * 0.4L, pd);

			EXPECT_REL((double)r1, tfqkd_yield_one(eta, 0.3, pd), TOL(r1));
			EXPECT_REL((double)r2, tfqkd_yield_two(eta, 0.45, 0.45, pd), TOL(r2));
			EXPECT_REL((double)r3, tfqkd_yield_two(eta, 0.1, 0.4, pd), TOL(r3));
			{
				double e, y = tfqkd_yield_matched(eta, 0.2, 0.03, pd, &e);
				long double r = ref_matched(eta * 0.2L, 0.03L, pd, &err);

				EXPECT_REL((double)r, y, TOL(r));
				EXPECT_REL((double)err, e, TOL(err));
			}
		}
	/* vacuum: 2 pd (1 - pd), by hand */
	EXPECT_REL(2e-6 * (1 - 1e-6), tfqkd_yield_one(0.5, 0.0, 1e-6), 1e-14);
	/* large arguments (short link, bright pulses) stay accurate */
	EXPECT_REL((double)ref_yield_pair(40.0L, 40.0L, 1e-7L), tfqkd_yield_two(1.0, 40, 40, 1e-7),
		   1e-9);
#undef TOL
}

/* Documented asymptotic SNS formula (theory.rst S1-S4, AOPP A1-A3), naive */
static long double ref_sns(const struct tfqkd_link *l, const double *v, int aopp)
{
	long double eta = l->eta_d * powl(10, -l->loss_db_km * l->distance_km / 20);
	long double pd = l->p_dark, muz = v[0], eps = v[1], mu1 = v[2], mu2 = v[3], pz = v[4];
	long double S00 = 2 * pd * (1 - pd);
	long double S1 = ref_yield_pair(eta * mu1, 0, pd), S2 = ref_yield_pair(eta * mu2, 0, pd);
	long double S0z = ref_yield_pair(eta * muz, 0, pd);
	long double Szz = ref_yield_pair(eta * muz, eta * muz, pd);
	long double T, SX1 = ref_matched(2 * eta * mu1, l->e_d, pd, &T);
	long double s1 = (mu2 * mu2 * expl(mu1) * S1 - mu1 * mu1 * expl(mu2) * S2 -
			  (mu2 * mu2 - mu1 * mu1) * S00) / (mu1 * mu2 * (mu2 - mu1));
	long double e1 = (T - expl(-2 * mu1) * S00 / 2) / (2 * mu1 * expl(-2 * mu1) * s1);
	long double n1 = 2 * eps * (1 - eps) * muz * expl(-muz) * s1;
	long double SZ = (1 - eps) * (1 - eps) * S00 + 2 * eps * (1 - eps) * S0z + eps * eps * Szz;
	long double EZ = ((1 - eps) * (1 - eps) * S00 + eps * eps * Szz) / SZ;

	(void)SX1;
	if (!aopp)
		return pz * pz * (n1 * (1 - ref_h(e1)) - l->ec_f * SZ * ref_h(EZ));
	{
		long double B0 = eps * (1 - eps) * S0z + eps * eps * Szz;
		long double B1 = eps * (1 - eps) * S0z + (1 - eps) * (1 - eps) * S00;
		long double ng = B0 < B1 ? B0 : B1, e0 = eps * eps * Szz / B0;
		long double eb = (1 - eps) * (1 - eps) * S00 / B1;
		long double nt = ng * ((1 - e0) * (1 - eb) + e0 * eb), Ep = ng * e0 * eb / nt;
		long double n1p = ng * (n1 / 2 / B0) * (n1 / 2 / B1), e1p = 2 * e1;

		return pz * pz * (n1p * (1 - ref_h(e1p)) - l->ec_f * nt * ref_h(Ep));
	}
}

TEST(sns_asymptotic_matches_naive_formula)
{
	const struct tfqkd_protocol *sns = tfqkd_protocol_find("sns");
	const struct tfqkd_protocol *aopp = tfqkd_protocol_find("sns-aopp");
	static const struct tfqkd_link links[] = {
		{ 50, 0.2, 0.6, 1e-10, 0.03, 1.1 },
		{ 250, 0.17, 0.8, 1e-8, 0.05, 1.15 },
		{ 550, 0.16, 0.7, 1e-9, 0.12, 1.05 },
	};
	static const double params[][8] = {
		{ 0.45, 0.04, 0.1, 0.4, 1, 0.3, 0.5, 0.125 },
		{ 0.3, 0.07, 0.05, 0.3, 0.9, 0.3, 0.5, 0.125 },
		{ 0.3, 0.2, 0.05, 0.3, 0.9, 0.3, 0.5, 0.125 },
		{ 0.6, 0.3, 0.02, 0.15, 1, 0.3, 0.5, 0.125 },
	};

	int positive = 0, positive_aopp = 0;

	ASSERT_NE(NULL, sns);
	ASSERT_NE(NULL, aopp);
	for (size_t i = 0; i < 3; i++)
		for (size_t j = 0; j < 4; j++) {
			long double r = ref_sns(&links[i], params[j], 0);
			long double ra = ref_sns(&links[i], params[j], 1);
			double got = tfqkd_eval(sns, &links[i], NULL, NULL, params[j], NULL);
			double gota = tfqkd_eval(aopp, &links[i], NULL, NULL, params[j], NULL);

			if (r > 0)
				EXPECT_REL((double)r, got, 1e-7);
			else
				EXPECT_EQ(0.0, got);
			if (ra > 0)
				EXPECT_REL((double)ra, gota, 1e-7);
			else
				EXPECT_EQ(0.0, gota);
			positive += r > 0;
			positive_aopp += ra > 0;
		}
	/*
	 * The comparison must not be vacuous. Plain SNS has no key at large eps (bit errors)
	 * nor on the 12%-misalignment link; AOPP has a key everywhere.
	 */
	EXPECT_EQ(4, positive);
	EXPECT_EQ(12, positive_aopp);
}

/*
 * Regression values of tfqkd.md section 3.4 (the research notes' own evaluation of the
 * asymptotic SNS model, 3 significant digits): alpha 0.2, eta_d 0.6, pd 1e-10, e_d 3%,
 * f 1.1, mu1 0.1, mu2 0.4, p_z 1, eps 0.04, mu_z 0.45.
 */
TEST(sns_regression_table)
{
	static const struct { double L, R, s1, e1, EZ, SZ; } tab[] = {
		{ 100, 4.40e-4, 5.87e-2, 0.0370, 0.0395, 2.12e-3 },
		{ 200, 4.19e-5, 5.86e-3, 0.0375, 0.0399, 2.16e-4 },
		{ 300, 4.17e-6, 5.86e-4, 0.0375, 0.0400, 2.16e-5 },
		{ 400, 4.16e-7, 5.86e-5, 0.0375, 0.0401, 2.16e-6 },
		{ 500, 4.08e-8, 5.86e-6, 0.0375, 0.0408, 2.16e-7 },
		{ 600, 3.25e-9, 5.86e-7, 0.0377, 0.0481, 2.18e-8 },
	};
	const struct tfqkd_protocol *sns = tfqkd_protocol_find("sns");
	const double v[8] = { 0.45, 0.04, 0.1, 0.4, 1, 0.3, 0.5, 0.125 };

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		struct tfqkd_link l = { tab[i].L, 0.2, 0.6, 1e-10, 0.03, 1.1 };
		struct tfqkd_key_result r;
		double rate = tfqkd_eval(sns, &l, NULL, NULL, v, &r);

		EXPECT_STATUS(TFQKD_KEY_OK, r);
		/* half a unit in the last printed digit */
		EXPECT_REL(tab[i].R, rate, 0.005 / 4.0);
		EXPECT_REL(tab[i].s1, r.yield1_lower, 0.005 / 5.8);
		EXPECT_REL(tab[i].e1, r.e1ph_upper, 0.00005 / 0.037);
		EXPECT_REL(tab[i].EZ, r.e_bit, 0.00005 / 0.039);
		EXPECT_REL(tab[i].SZ, r.n_key, 0.005 / 2.1);
	}
}

/* Documented asymptotic PM-QKD formula (theory.rst, PM P1-P5), naive */
static long double ref_pm(const struct tfqkd_link *l, double mu, double nu, int M)
{
	long double eta = l->eta_d * powl(10, -l->loss_db_km * l->distance_km / 20);
	long double pd = l->p_dark, w = 2 * M_PI / M, Y0 = 2 * pd * (1 - pd);
	long double Q[2] = { 0, 0 }, E = 0, ints[2] = { nu, mu };
	const int n = 20000;

	for (int k = 0; k < 2; k++)
		for (int i = 0; i < n; i++) {	/* midpoint rule over delta in [-w, w] */
			long double d = -w + 2 * w * (i + 0.5L) / n, dens = (w - fabsl(d)) / (w * w);
			long double err, q = ref_matched(eta * ints[k], (1 - (1 - 2 * l->e_d) * cosl(d)) / 2,
							 pd, &err);

			Q[k] += q * dens * 2 * w / n;
			if (k == 1)
				E += err * dens * 2 * w / n;
		}
	{
		long double Y1 = mu / (mu * nu - nu * nu) *
				 (Q[0] * expl(nu) - Q[1] * expl(mu) * nu * nu / (mu * mu) -
				  (mu * mu - nu * nu) / (mu * mu) * Y0);
		long double EX = 1 - mu * expl(-mu) * Y1 / Q[1], EZ = E / Q[1];

		return 2.0L / M * (Q[1] * (1 - ref_h(EX)) - l->ec_f * Q[1] * ref_h(EZ));
	}
}

TEST(pm_asymptotic_matches_naive_formula)
{
	const struct tfqkd_protocol *pm = tfqkd_protocol_find("pm");
	static const struct tfqkd_link links[] = {
		{ 100, 0.2, 0.6, 1e-10, 0.03, 1.1 },
		{ 400, 0.16, 0.145, 8e-8, 0.015, 1.15 },
	};
	static const double mus[][2] = { { 0.1, 0.02 }, { 0.05, 0.005 }, { 0.3, 0.1 } };
	static const int Ms[] = { 16, 8, 32 };

	int positive = 0;

	ASSERT_NE(NULL, pm);
	for (size_t i = 0; i < 2; i++)
		for (size_t j = 0; j < 3; j++) {
			double v[5] = { mus[j][0], mus[j][1], 1, 0.1, Ms[j] };
			long double r = ref_pm(&links[i], mus[j][0], mus[j][1], Ms[j]);
			double got = tfqkd_eval(pm, &links[i], NULL, NULL, v, NULL);

			if (r > 0)
				EXPECT_REL((double)r, got, 1e-6);
			else
				EXPECT_EQ(0.0, got);
			positive += r > 0;
		}
	EXPECT_GE(positive, 4);
}

TEST(invalid_parameters_give_zero)
{
	const struct tfqkd_protocol *sns = tfqkd_protocol_find("sns");
	struct tfqkd_link l = { 100, 0.2, 0.6, 1e-10, 0.03, 1.1 };
	double v[8] = { 0.45, 0.04, 0.4, 0.1, 1, 0.3, 0.5, 0.125 };	/* mu1 > mu2 */
	struct tfqkd_key_result r;

	EXPECT_EQ(0.0, tfqkd_eval(sns, &l, NULL, NULL, v, &r));
	EXPECT_STATUS(TFQKD_REFUSE_INVALID, r);
	EXPECT_NE(NULL, strstr(r.message, "mu1"));
	v[2] = 0.1;
	v[3] = 0.4;
	l.eta_d = 1.5;
	EXPECT_EQ(0.0, tfqkd_eval(sns, &l, NULL, NULL, v, &r));
	EXPECT_STATUS(TFQKD_REFUSE_INVALID, r);
}

TEST_HARNESS_MAIN
