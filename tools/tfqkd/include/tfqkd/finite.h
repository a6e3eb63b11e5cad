/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tfqkd/finite.h - finite-key security parameters and multiplicative Chernoff bounds.
 *
 * The Chernoff bounds follow Zhang et al., Phys. Rev. A 95, 012333 (2017), in the form used by
 * the finite-key SNS analysis of Jiang et al., Phys. Rev. Applied 12, 024061 (2019). Each
 * one-sided bound fails with probability at most eps_pe/2. See Documentation/tfqkd/theory.rst.
 */
#ifndef TFQKD_FINITE_H
#define TFQKD_FINITE_H

/**
 * struct tfqkd_security - security parameters of one key block
 * @eps_cor: correctness: probability that the keys differ after verification
 * @eps_pa: privacy-amplification (leftover-hash) term
 * @eps_smooth: smoothing parameter of the min-entropy (the "eps hat" of the SNS papers)
 * @eps_pe: parameter estimation: each one-sided fluctuation bound fails with probability
 *          at most eps_pe/2
 *
 * All must lie in (0, 1). The key length charges
 * log2(2/eps_cor) + 2 log2(1/(sqrt2 eps_pa eps_smooth)).
 */
struct tfqkd_security {
	double eps_cor;
	double eps_pa;
	double eps_smooth;
	double eps_pe;
};

/**
 * tfqkd_security_valid() - check that all parameters are in (0, 1)
 * @sec: parameters
 * Return: 1 if valid, 0 if not.
 */
int tfqkd_security_valid(const struct tfqkd_security *sec);

/**
 * tfqkd_security_cost() - bits charged by the security terms:
 * log2(2/eps_cor) + 2 log2(1/(sqrt(2) eps_pa eps_smooth))
 * @sec: parameters
 */
double tfqkd_security_cost(const struct tfqkd_security *sec);

/**
 * tfqkd_mean_lower() - lower bound E^L(x) on the expectation of a sum of independent
 * Bernoulli variables whose observed value is @x
 * @x: observed value, >= 0
 * @eps: failure probability parameter; the bound fails with probability <= eps/2
 *
 * E^L = x/(1+d) with (e^d/(1+d)^(1+d))^(x/(1+d)) = eps/2. Return: E^L (0 for x = 0);
 * NAN for invalid arguments.
 */
double tfqkd_mean_lower(double x, double eps);

/**
 * tfqkd_mean_upper() - upper bound E^U(x) on the expectation given the observed value @x
 * @x: observed value, >= 0
 * @eps: failure probability parameter; the bound fails with probability <= eps/2
 *
 * E^U = x/(1-d) with (e^(-d)/(1-d)^(1-d))^(x/(1-d)) = eps/2; E^U(0) = ln(2/eps).
 */
double tfqkd_mean_upper(double x, double eps);

/**
 * tfqkd_obs_lower() - lower bound on the realised value of a sum of independent Bernoulli
 * variables (or a hypergeometric count) with expectation @mean
 * @mean: expectation, >= 0
 * @eps: the bound fails with probability <= eps/2
 *
 * (1-d) mean with (e^(-d)/(1-d)^(1-d))^mean = eps/2; 0 when mean <= ln(2/eps).
 */
double tfqkd_obs_lower(double mean, double eps);

/**
 * tfqkd_obs_upper() - upper bound on the realised value given the expectation @mean
 * @mean: expectation, >= 0
 * @eps: the bound fails with probability <= eps/2
 *
 * (1+d) mean with (e^d/(1+d)^(1+d))^mean = eps/2.
 */
double tfqkd_obs_upper(double mean, double eps);

#endif /* TFQKD_FINITE_H */
