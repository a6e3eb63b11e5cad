// SPDX-License-Identifier: GPL-2.0-only
/*
 * Parameter estimation from the counts of one block: key lengths against a naive
 * re-implementation of the documented finite-key formulas, the measured-leak input, the
 * asymptotic limit, and refusals with the right reason.
 */
#include <math.h>
#include <string.h>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop

#include <tfqkd/estimate.h>
#include <tfqkd/finite.h>

#include "rate_test.h"

static const struct tfqkd_security sec = { 1e-10, 1e-10, 1e-10, 1e-10 };

/*
 * A plausible block: N = 1e12 windows, p_z = 0.9, X probabilities 0.25 / 0.65 / 0.10,
 * mu1 = 0.1, mu2 = 0.4, 300 km at 0.2 dB/km, eta_d 0.6, pd 1e-8, 3% misalignment. Counts
 * were estimated by hand from the channel model and rounded; they only need to be plausible.
 */
static void block_plain(struct tfqkd_sns_counts *c, struct tfqkd_sns_settings *s)
{
	memset(c, 0, sizeof(*c));
	*s = (struct tfqkd_sns_settings){ .mu_z = 0.45, .eps = 0.04, .mu1 = 0.1, .mu2 = 0.4,
					  .aopp = 0, .ec_f = 1.1 };
	c->x_sent[0][0] = 625000000;
	c->x_det[0][0][0] = 7;
	c->x_det[0][0][1] = 5;
	c->x_sent[0][1] = 1625012345;
	c->x_sent[1][0] = 1624987655;
	c->x_det[0][1][0] = 48710;
	c->x_det[0][1][1] = 48770;
	c->x_det[1][0][0] = 48820;
	c->x_det[1][0][1] = 48791;
	c->x_sent[0][2] = 250003000;
	c->x_sent[2][0] = 249997000;
	c->x_det[0][2][0] = 29990;
	c->x_det[0][2][1] = 30050;
	c->x_det[2][0][0] = 30011;
	c->x_det[2][0][1] = 29930;
	c->x1_windows[0] = 264060000;
	c->x1_windows[1] = 263990000;
	c->x1_det[0][0] = 30730;
	c->x1_det[0][1] = 951;
	c->x1_det[1][0] = 944;
	c->x1_det[1][1] = 30750;
	c->z_windows = 810000000000.0;
	c->z_det[0] = 8751234;
	c->z_det[1] = 8749876;
	c->z_bob[0] = 9100000;
	c->z_bob[1] = 8401110;
	c->bit_errors = 700321;
}

/* the same link with eps = 0.28 and AOPP */
static void block_aopp(struct tfqkd_sns_counts *c, struct tfqkd_sns_settings *s)
{
	block_plain(c, s);
	s->eps = 0.28;
	s->aopp = 1;
	c->z_det[0] = 61240000;
	c->z_det[1] = 61260000;
	c->z_bob[0] = 78400000;
	c->z_bob[1] = 44100000;
	c->aopp_pairs = 44100000;
	c->aopp_kept = 24830000;
	c->bit_errors = 3664;
}

/* theory.rst SNS steps F1-F6 (and A1-A3 with AOPP), written out naively */
static long double ref_sns_length(const struct tfqkd_sns_counts *c,
				  const struct tfqkd_sns_settings *s, long double leak)
{
	long double e = 1e-10L, mu1 = s->mu1, mu2 = s->mu2;
	long double n00 = c->x_det[0][0][0] + c->x_det[0][0][1];
	long double n01 = c->x_det[0][1][0] + c->x_det[0][1][1] + c->x_det[1][0][0] + c->x_det[1][0][1];
	long double n02 = c->x_det[0][2][0] + c->x_det[0][2][1] + c->x_det[2][0][0] + c->x_det[2][0][1];
	long double N01 = fmax(c->x_sent[0][1], c->x_sent[1][0]);
	long double N02 = fmin(c->x_sent[0][2], c->x_sent[2][0]);
	long double S00U = ref_mean_upper(n00, e) / c->x_sent[0][0];
	long double S00L = ref_mean_lower(n00, e) / c->x_sent[0][0];
	long double S1L = ref_mean_lower(n01, e) / (2 * N01);
	long double S2U = ref_mean_upper(n02, e) / (2 * N02);
	long double s1 = (mu2 * mu2 * expl(mu1) * S1L - mu1 * mu1 * expl(mu2) * S2U -
			  (mu2 * mu2 - mu1 * mu1) * S00U) / (mu1 * mu2 * (mu2 - mu1));
	long double W = c->x1_windows[0] + c->x1_windows[1];
	long double TU = ref_mean_upper(c->x1_det[0][1] + c->x1_det[1][0], e) / W;
	long double se = (TU - expl(-2 * mu1) * S00L / 2) / (2 * mu1 * expl(-2 * mu1));
	long double g = c->z_windows * s->eps * (1 - s->eps) * s->mu_z * expl(-s->mu_z);
	long double M = ref_obs_upper(2 * g * se, e);
	long double cost = log2l(2 / 1e-10L) + 2 * log2l(1 / (sqrtl(2) * 1e-10L * 1e-10L));
	long double n1, e1, nkey;

	if (!s->aopp) {
		n1 = ref_obs_lower(2 * g * s1, e);
		e1 = M / n1;
		nkey = c->z_det[0] + c->z_det[1];
	} else {
		long double na = ref_obs_lower(g * s1, e);
		long double k = ref_obs_lower(c->aopp_pairs * na / c->z_bob[0], e);

		n1 = ref_obs_lower(k * na / c->z_bob[1], e);
		e1 = ref_obs_upper(n1 * M / na, e) / n1;
		nkey = c->aopp_kept;
	}
	if (leak < 0)
		leak = s->ec_f * nkey * ref_h(c->bit_errors / nkey);
	return n1 * (1 - ref_h(e1)) - leak - cost;
}

TEST(sns_plain_matches_naive_reference)
{
	struct tfqkd_sns_counts c;
	struct tfqkd_sns_settings s;
	struct tfqkd_key_result r;
	long double ref;

	block_plain(&c, &s);
	ref = ref_sns_length(&c, &s, -1);
	ASSERT_GT((double)ref, 1e4);	/* the block has a key */
	EXPECT_EQ(TFQKD_KEY_OK, (int)tfqkd_sns_estimate(&s, &c, &sec, -1, &r));
	EXPECT_REL((double)ref, r.key_length, 1e-8);
	EXPECT_EQ((uint64_t)floor(r.key_length), r.key_bits);
	EXPECT_REL(700321.0 / 17501110.0, r.e_bit, 1e-12);
	EXPECT_GT(r.e1ph_upper, 0.03);
	EXPECT_LT(r.e1ph_upper, 0.1);
	EXPECT_GT(r.eps_pe_total, 0.0);
	EXPECT_NE(NULL, strstr(r.message, "bits"));
}

TEST(sns_aopp_matches_naive_reference)
{
	struct tfqkd_sns_counts c;
	struct tfqkd_sns_settings s;
	struct tfqkd_key_result r, plain;
	long double ref;

	block_aopp(&c, &s);
	ref = ref_sns_length(&c, &s, -1);
	ASSERT_GT((double)ref, 1e4);
	EXPECT_EQ(TFQKD_KEY_OK, (int)tfqkd_sns_estimate(&s, &c, &sec, -1, &r));
	EXPECT_REL((double)ref, r.key_length, 1e-8);
	EXPECT_EQ(24830000.0, r.n_key);
	/* the same counts without AOPP: eps = 0.28 leaves far too many bit errors */
	s.aopp = 0;
	c.bit_errors = 0.26 * (c.z_det[0] + c.z_det[1]);
	EXPECT_EQ(TFQKD_REFUSE_NO_KEY, (int)tfqkd_sns_estimate(&s, &c, &sec, -1, &plain));
}

TEST(measured_leak_is_charged_exactly)
{
	struct tfqkd_sns_counts c;
	struct tfqkd_sns_settings s;
	struct tfqkd_key_result a, b;

	block_plain(&c, &s);
	c.bit_errors = -1;	/* unknown: the leak must come from the EC code */
	EXPECT_EQ(TFQKD_KEY_OK, (int)tfqkd_sns_estimate(&s, &c, &sec, 1e6, &a));
	EXPECT_EQ(TFQKD_KEY_OK, (int)tfqkd_sns_estimate(&s, &c, &sec, 2e6, &b));
	EXPECT_EQ(1e6, a.leak_ec);
	EXPECT_REL(1e6, a.key_length - b.key_length, 1e-9);
	EXPECT_REL((double)ref_sns_length(&c, &s, 1e6L), a.key_length, 1e-8);
	EXPECT_TRUE(isnan(a.e_bit));
	/* no leak and no error count: refused, not guessed */
	EXPECT_EQ(TFQKD_REFUSE_INVALID, (int)tfqkd_sns_estimate(&s, &c, &sec, -1, &a));
}

/* scaling a block up: key length per window grows towards the asymptotic value */
TEST(finite_tends_to_asymptotic)
{
	struct tfqkd_sns_counts c0, c;
	struct tfqkd_sns_settings s;
	struct tfqkd_key_result r;
	double prev = 0, asym;

	block_aopp(&c0, &s);
	ASSERT_EQ(TFQKD_KEY_OK, (int)tfqkd_sns_estimate(&s, &c0, NULL, -1, &r));
	asym = r.key_length;
	EXPECT_EQ(0.0, r.security_bits);
	for (double k = 1; k <= 1e6; k *= 10) {
		double *v = (double *)&c;

		c = c0;
		for (size_t i = 0; i < sizeof(c) / sizeof(double); i++)
			v[i] *= k;
		ASSERT_EQ(TFQKD_KEY_OK, (int)tfqkd_sns_estimate(&s, &c, &sec, -1, &r));
		EXPECT_LT(r.key_length / k, asym);
		EXPECT_GT(r.key_length / k, prev);
		prev = r.key_length / k;
	}
	EXPECT_GT(prev, 0.99 * asym);
}

TEST(refuses_invalid_counts)
{
	struct tfqkd_sns_counts c0, c;
	struct tfqkd_sns_settings s0, s;
	struct tfqkd_key_result r;

	block_aopp(&c0, &s0);
	c = c0, s = s0;
	c.x_det[0][1][0] = -1;
	EXPECT_EQ(TFQKD_REFUSE_INVALID, (int)tfqkd_sns_estimate(&s, &c, &sec, -1, &r));
	c = c0;
	c.x_det[0][2][0] = c.x_sent[0][2] + 1;	/* more clicks than windows */
	EXPECT_EQ(TFQKD_REFUSE_INVALID, (int)tfqkd_sns_estimate(&s, &c, &sec, -1, &r));
	EXPECT_NE(NULL, strstr(r.message, "effective events"));
	c = c0;
	c.z_windows = NAN;
	EXPECT_EQ(TFQKD_REFUSE_INVALID, (int)tfqkd_sns_estimate(&s, &c, &sec, -1, &r));
	c = c0;
	c.z_bob[0] += 1000;	/* Bob's classes must add up to n_t */
	EXPECT_EQ(TFQKD_REFUSE_INVALID, (int)tfqkd_sns_estimate(&s, &c, &sec, -1, &r));
	c = c0;
	c.aopp_pairs = c.z_bob[1] + 10;
	EXPECT_EQ(TFQKD_REFUSE_INVALID, (int)tfqkd_sns_estimate(&s, &c, &sec, -1, &r));
	c = c0;
	s.mu2 = 0.05;	/* below mu1 */
	EXPECT_EQ(TFQKD_REFUSE_INVALID, (int)tfqkd_sns_estimate(&s, &c, &sec, -1, &r));
	EXPECT_NE(NULL, strstr(r.message, "mu1"));
	s = s0;
	{
		struct tfqkd_security bad = sec;

		bad.eps_pa = 0;
		EXPECT_EQ(TFQKD_REFUSE_INVALID, (int)tfqkd_sns_estimate(&s, &c, &bad, -1, &r));
	}
	EXPECT_EQ(TFQKD_REFUSE_INVALID, (int)tfqkd_sns_estimate(&s, NULL, &sec, -1, &r));
	EXPECT_EQ(TFQKD_REFUSE_INVALID, (int)tfqkd_sns_estimate(&s, &c, &sec, -1, NULL));
}

TEST(refuses_with_the_right_reason)
{
	struct tfqkd_sns_counts c0, c;
	struct tfqkd_sns_settings s;
	struct tfqkd_key_result r;

	block_plain(&c0, &s);

	/* no X1 windows: no phase-error estimate */
	c = c0;
	memset(c.x1_windows, 0, sizeof(c.x1_windows));
	memset(c.x1_det, 0, sizeof(c.x1_det));
	EXPECT_EQ(TFQKD_REFUSE_FEW_EVENTS, (int)tfqkd_sns_estimate(&s, &c, &sec, -1, &r));
	EXPECT_NE(NULL, strstr(r.message, "X1"));

	/* few Z windows: the untagged-bit lower bound is zero */
	c = c0;
	c.z_windows = 1e5;
	c.z_det[0] = c.z_det[1] = 1;
	c.z_bob[0] = c.z_bob[1] = 1;
	c.bit_errors = 0;
	EXPECT_EQ(TFQKD_REFUSE_FEW_EVENTS, (int)tfqkd_sns_estimate(&s, &c, &sec, -1, &r));
	EXPECT_NE(NULL, strstr(r.message, "untagged"));

	/* 1e7 Z windows: about 130 untagged bits expected, whose phase-error count can
	 * fluctuate so much that the bound passes 1/2 */
	c.z_windows = 1e7;
	c.z_det[0] = c.z_det[1] = 100;
	c.bit_errors = 8;
	EXPECT_EQ(TFQKD_REFUSE_PHASE_ERROR, (int)tfqkd_sns_estimate(&s, &c, &sec, -1, &r));
	EXPECT_GT(r.n1_lower, 0.0);

	/* the strong decoy clicks far too often for the weak one: no single-photon bound */
	c = c0;
	for (int d = 0; d < 2; d++) {
		c.x_det[0][2][d] *= 4;
		c.x_det[2][0][d] *= 4;
	}
	EXPECT_EQ(TFQKD_REFUSE_DECOY, (int)tfqkd_sns_estimate(&s, &c, &sec, -1, &r));
	EXPECT_LE(r.yield1_lower, 0.0);

	/* X1 windows with 40% errors: the phase-error bound passes 1/2 */
	c = c0;
	c.x1_det[0][1] = c.x1_det[1][0] = 0.4 * 31700;
	c.x1_det[0][0] = c.x1_det[1][1] = 0.6 * 31700;
	EXPECT_EQ(TFQKD_REFUSE_PHASE_ERROR, (int)tfqkd_sns_estimate(&s, &c, &sec, -1, &r));
	EXPECT_GE(r.e1ph_upper, 0.5);

	/* 15% errors: a bound below 1/2, but no key is left */
	c = c0;
	c.x1_det[0][1] = c.x1_det[1][0] = 0.15 * 31700;
	c.x1_det[0][0] = c.x1_det[1][1] = 0.85 * 31700;
	EXPECT_EQ(TFQKD_REFUSE_NO_KEY, (int)tfqkd_sns_estimate(&s, &c, &sec, -1, &r));
	EXPECT_LT(r.e1ph_upper, 0.5);
	EXPECT_LT(r.key_length, 1.0);
	EXPECT_EQ(0u, r.key_bits);

	/* a measured EC leak larger than what privacy amplification can afford */
	EXPECT_EQ(TFQKD_REFUSE_NO_KEY, (int)tfqkd_sns_estimate(&s, &c0, &sec, 1e9, &r));
	EXPECT_NE(NULL, strstr(r.message, "no key"));
}

/* PM: theory.rst steps P1-P5, naive */
TEST(pm_matches_naive_reference)
{
	struct tfqkd_pm_settings s = { .mu = 0.1, .nu = 0.02, .ec_f = 1.15 };
	struct tfqkd_pm_counts c = {
		.vac_windows = 4e9, .vac_det = { 41, 37 },
		.nu_windows = 1.25e9, .nu_det = { 8011, 7990 },
		.mu_windows = 7.8e10, .mu_det = { 2340010, 2339950 },
		.bit_errors = 168470,
	};
	struct tfqkd_key_result r;
	long double e = 1e-10L, mu = s.mu, nu = s.nu;
	long double Y0 = ref_mean_upper(78, e) / c.vac_windows;
	long double Qn = ref_mean_lower(16001, e) / c.nu_windows;
	long double Qm = ref_mean_upper(4679960, e) / c.mu_windows;
	long double Y1 = mu / (mu * nu - nu * nu) *
			 (Qn * expl(nu) - Qm * expl(mu) * nu * nu / (mu * mu) -
			  (mu * mu - nu * nu) / (mu * mu) * Y0);
	long double n1 = ref_obs_lower(c.mu_windows * mu * expl(-mu) * Y1, e);
	long double ex = 1 - n1 / 4679960.0L;
	long double cost = log2l(2 / 1e-10L) + 2 * log2l(1 / (sqrtl(2) * 1e-10L * 1e-10L));
	long double ref = 4679960.0L * (1 - ref_h(ex)) -
			  1.15L * 4679960.0L * ref_h(168470 / 4679960.0L) - cost;

	ASSERT_GT((double)ref, 1e4);
	EXPECT_EQ(TFQKD_KEY_OK, (int)tfqkd_pm_estimate(&s, &c, &sec, -1, &r));
	EXPECT_REL((double)ref, r.key_length, 1e-8);
	EXPECT_REL((double)Y1, r.yield1_lower, 1e-9);
	EXPECT_REL((double)ex, r.e1ph_upper, 1e-9);

	/* refusals */
	c.nu_det[0] = c.nu_det[1] = 0;
	EXPECT_EQ(TFQKD_REFUSE_FEW_EVENTS, (int)tfqkd_pm_estimate(&s, &c, &sec, -1, &r));
	c.nu_det[0] = c.nu_det[1] = 1000;	/* too few decoy clicks for the signal gain */
	EXPECT_EQ(TFQKD_REFUSE_DECOY, (int)tfqkd_pm_estimate(&s, &c, &sec, -1, &r));
	c.nu_det[0] = 8011;
	c.nu_det[1] = 7990;
	c.mu_det[0] = c.mu_windows;	/* more clicks than windows */
	EXPECT_EQ(TFQKD_REFUSE_INVALID, (int)tfqkd_pm_estimate(&s, &c, &sec, -1, &r));
	c.mu_det[0] = 2340010;
	s.nu = 0.2;	/* decoy above signal */
	EXPECT_EQ(TFQKD_REFUSE_INVALID, (int)tfqkd_pm_estimate(&s, &c, &sec, -1, &r));
	s.nu = 0.02;
	EXPECT_EQ(TFQKD_REFUSE_NO_KEY, (int)tfqkd_pm_estimate(&s, &c, &sec, 4e6, &r));
}

TEST(status_names)
{
	EXPECT_STREQ("ok", tfqkd_status_name(TFQKD_KEY_OK));
	EXPECT_STREQ("few-events", tfqkd_status_name(TFQKD_REFUSE_FEW_EVENTS));
	EXPECT_STREQ("decoy", tfqkd_status_name(TFQKD_REFUSE_DECOY));
	EXPECT_STREQ("phase-error", tfqkd_status_name(TFQKD_REFUSE_PHASE_ERROR));
	EXPECT_STREQ("no-key", tfqkd_status_name(TFQKD_REFUSE_NO_KEY));
	EXPECT_STREQ("invalid", tfqkd_status_name(TFQKD_REFUSE_INVALID));
}

TEST_HARNESS_MAIN
