/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tfqkd/theory.h - key-rate theory building blocks: the repeaterless (PLOB) bound, entropy,
 * and the channel model of a symmetric twin-field link.
 *
 * All functions are pure (no global state) and thread-safe. The formulas, their sources and
 * the channel-model conventions are documented in Documentation/tfqkd/theory.rst.
 */
#ifndef TFQKD_THEORY_H
#define TFQKD_THEORY_H

/**
 * struct tfqkd_link - a symmetric twin-field link and its detectors (planning model)
 * @distance_km: total Alice-Bob fibre length L; each arm (to the relay) is L/2
 * @loss_db_km: fibre attenuation alpha in dB/km
 * @eta_d: detector efficiency, 0 < eta_d <= 1 (counted in the arm transmittance)
 * @p_dark: dark-count probability per detector per pulse, 0 <= p_dark < 1
 * @e_d: misalignment: effective interference error of phase-matched windows, 0 <= e_d < 1/2
 * @ec_f: error-correction efficiency f >= 1 (leak = f * n * h(E) when planning)
 */
struct tfqkd_link {
	double distance_km;
	double loss_db_km;
	double eta_d;
	double p_dark;
	double e_d;
	double ec_f;
};

/**
 * tfqkd_plob() - repeaterless secret-key capacity -log2(1 - eta), bits per channel use
 * @eta: channel transmittance, 0 <= eta <= 1
 *
 * Computed as -log1p(-eta)/ln 2, which stays accurate for eta down to the smallest
 * doubles (the naive form returns 0 below eta ~ 1e-16).
 * Return: the bound; +INFINITY for eta == 1; NAN for eta outside [0, 1].
 */
double tfqkd_plob(double eta);

/**
 * tfqkd_fibre_transmittance() - transmittance 10^(-alpha*L/10) of a fibre
 * @length_km: fibre length, >= 0
 * @loss_db_km: attenuation in dB/km, >= 0
 */
double tfqkd_fibre_transmittance(double length_km, double loss_db_km);

/**
 * tfqkd_link_plob() - PLOB bound of a link: the fibre of the whole distance, detectors excluded
 * @link: the link
 */
double tfqkd_link_plob(const struct tfqkd_link *link);

/**
 * tfqkd_arm_transmittance() - transmittance of one arm (L/2 of fibre) times eta_d
 * @link: the link
 */
double tfqkd_arm_transmittance(const struct tfqkd_link *link);

/**
 * tfqkd_h2() - binary entropy h(x) = -x log2 x - (1-x) log2(1-x)
 * @x: probability; values outside (0, 1) give 0 (x <= 0 or x >= 1)
 */
double tfqkd_h2(double x);

/**
 * tfqkd_i0e() - exponentially scaled modified Bessel function exp(-|x|) * I0(x)
 * @x: argument (any finite value)
 *
 * Relative error below 1e-14 for all x (power series for |x| <= 20, asymptotic series above).
 */
double tfqkd_i0e(double x);

/**
 * tfqkd_yield_one() - probability of an effective event (exactly one of the two detectors
 * clicks) when one side sends a phase-randomised coherent state and the other vacuum
 * @eta: arm transmittance (eta_d included)
 * @mu: intensity sent
 * @pd: dark-count probability per detector
 *
 * 2a(1-a) with a = (1-pd) exp(-eta*mu/2). mu = 0 gives the vacuum yield 2 pd (1-pd).
 */
double tfqkd_yield_one(double eta, double mu, double pd);

/**
 * tfqkd_yield_two() - effective-event probability when both sides send phase-randomised
 * coherent states with independent random phases
 * @eta: arm transmittance
 * @mu_a: Alice's intensity
 * @mu_b: Bob's intensity
 * @pd: dark-count probability per detector
 *
 * 2(1-pd) exp(-eta(mu_a+mu_b)/2) I0(eta sqrt(mu_a mu_b)) - 2(1-pd)^2 exp(-eta(mu_a+mu_b)),
 * evaluated without cancellation.
 */
double tfqkd_yield_two(double eta, double mu_a, double mu_b, double pd);

/**
 * tfqkd_yield_matched() - phase-matched coherent states: effective events and error events
 * @eta: arm transmittance
 * @mu_total: total intensity arriving at the beam splitter before loss (sum of both sides)
 * @wrong: fraction of the light that leaves through the wrong output port, 0 <= wrong <= 1
 * @pd: dark-count probability per detector
 * @err: if not NULL, receives the probability of an effective event in the wrong detector
 *
 * Return: probability of an effective event (right or wrong detector).
 */
double tfqkd_yield_matched(double eta, double mu_total, double wrong, double pd, double *err);

#endif /* TFQKD_THEORY_H */
