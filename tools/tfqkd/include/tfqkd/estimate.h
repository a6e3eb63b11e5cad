/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tfqkd/estimate.h - parameter estimation: from the counts of one key block to the secure
 * key length, or a refusal with its reason.
 *
 * The same functions serve the daemon (observed integer counts) and the planner (expected
 * counts from the channel model), so a plan and a real block are judged by identical bounds.
 * Passing sec == NULL gives the asymptotic bounds (no statistical fluctuations and no
 * security terms); the counts are then only used through their ratios.
 *
 * Formulas and sources: Documentation/tfqkd/theory.rst.
 */
#ifndef TFQKD_ESTIMATE_H
#define TFQKD_ESTIMATE_H

#include <stdint.h>

#include <tfqkd/finite.h>

/* Detector indices at the relay. */
enum { TFQKD_DET_L = 0, TFQKD_DET_R = 1 };

/* SNS X-window intensity indices. */
enum { TFQKD_SNS_VAC = 0, TFQKD_SNS_MU1 = 1, TFQKD_SNS_MU2 = 2 };

/**
 * enum tfqkd_status - outcome of a key-length computation
 * @TFQKD_KEY_OK: a positive key length
 * @TFQKD_REFUSE_INVALID: counts or settings are inconsistent (negative, NaN, clicks > windows ...)
 * @TFQKD_REFUSE_FEW_EVENTS: a count that a bound needs is zero or too small
 * @TFQKD_REFUSE_DECOY: the decoy-state lower bound of the single-photon yield is not positive
 * @TFQKD_REFUSE_PHASE_ERROR: the phase-error upper bound reaches 1/2 (no privacy left)
 * @TFQKD_REFUSE_NO_KEY: the key length is not positive after error-correction leak and the
 *                       security terms
 */
enum tfqkd_status {
	TFQKD_KEY_OK = 0,
	TFQKD_REFUSE_INVALID,
	TFQKD_REFUSE_FEW_EVENTS,
	TFQKD_REFUSE_DECOY,
	TFQKD_REFUSE_PHASE_ERROR,
	TFQKD_REFUSE_NO_KEY,
};

/**
 * tfqkd_status_name() - short name of a status ("ok", "invalid", "few-events", "decoy",
 * "phase-error", "no-key")
 * @st: the status
 */
const char *tfqkd_status_name(enum tfqkd_status st);

/**
 * struct tfqkd_key_result - secure key length of one block and the bounds behind it
 * @status: TFQKD_KEY_OK or the refusal reason
 * @message: one line saying why (also filled on success)
 * @key_length: key length in bits before rounding; may be <= 0 (then @status is a refusal)
 * @key_bits: floor(@key_length) when @status is OK, else 0
 * @yield1_lower: lower bound of the single-photon yield (SNS s1; PM Y1), expected value
 * @n1_lower: lower bound of the number of untagged bits the key is drawn from
 *            (SNS: untagged Z bits; SNS-AOPP: untagged pairs after AOPP; PM: single-photon events)
 * @e1ph_upper: upper bound of the phase-flip error rate of those bits (PM: of all key bits)
 * @n_key: number of bits that enter error correction (SNS: n_t; AOPP: n_t'; PM: signal events)
 * @e_bit: their bit error rate (from @bit_errors in the counts), NAN if not known
 * @leak_ec: bits charged for error correction
 * @security_bits: bits charged for the security terms (0 asymptotically)
 * @eps_pe_total: sum of the failure probabilities of all fluctuation bounds used
 */
struct tfqkd_key_result {
	enum tfqkd_status status;
	char message[192];
	double key_length;
	uint64_t key_bits;
	double yield1_lower;
	double n1_lower;
	double e1ph_upper;
	double n_key;
	double e_bit;
	double leak_ec;
	double security_bits;
	double eps_pe_total;
};

/**
 * struct tfqkd_sns_settings - the source settings of an SNS block
 * @mu_z: Z-window "send" intensity
 * @eps: probability of "send" in a Z window
 * @mu1: weak decoy intensity of X windows
 * @mu2: strong decoy intensity of X windows (mu2 > mu1)
 * @aopp: non-zero: actively odd-parity pairing was run on the Z bits
 * @ec_f: error-correction efficiency used when the leak is modelled (leak_bits < 0)
 */
struct tfqkd_sns_settings {
	double mu_z;
	double eps;
	double mu1;
	double mu2;
	int aopp;
	double ec_f;
};

/**
 * struct tfqkd_sns_counts - what one SNS block observed
 *
 * Counts are doubles so that the planner can pass expected values; a real block passes
 * integers. Windows are time windows (pulse pairs). An effective event is exactly one click.
 *
 * @x_sent: X-X windows by (Alice, Bob) intensity index (TFQKD_SNS_VAC/MU1/MU2)
 * @x_det: effective events of those windows by clicked detector; used: [0][0], [0][1],
 *         [1][0], [0][2], [2][0] (the others may be zero)
 * @x1_windows: X1 windows (both sent mu1 and the compensated phase difference passed the
 *              acceptance test), by the detector that the phase difference says should click
 * @x1_det: effective events of X1 windows, [expected detector][clicked detector]
 * @z_windows: Z-Z windows (both chose Z)
 * @z_det: effective events of Z-Z windows by detector (their sum is n_t)
 * @z_bob: the n_t bits split by Bob's bit value 0 / 1 (AOPP only)
 * @aopp_pairs: pairs formed by AOPP (at most min(z_bob[0], z_bob[1]))
 * @aopp_kept: pairs kept (odd parity): n_t'
 * @bit_errors: bit errors of the bits that enter error correction (n_t, or n_t' with AOPP),
 *              as found by error correction; < 0 if not known (then leak_bits is required)
 */
struct tfqkd_sns_counts {
	double x_sent[3][3];
	double x_det[3][3][2];
	double x1_windows[2];
	double x1_det[2][2];
	double z_windows;
	double z_det[2];
	double z_bob[2];
	double aopp_pairs;
	double aopp_kept;
	double bit_errors;
};

/**
 * tfqkd_sns_estimate() - SNS (optionally with AOPP) key length of one block
 * @set: source settings of the block
 * @cnt: observed (or expected) counts
 * @sec: security parameters, or NULL for the asymptotic bounds
 * @leak_bits: measured error-correction leak in bits (syndrome and any other disclosed
 *             parity bits; the verification hash is in the eps_cor term). Pass a negative
 *             value to charge ec_f * n * h(E) from @cnt->bit_errors instead.
 * @res: result (always filled)
 *
 * Return: @res->status.
 */
enum tfqkd_status tfqkd_sns_estimate(const struct tfqkd_sns_settings *set,
				     const struct tfqkd_sns_counts *cnt,
				     const struct tfqkd_security *sec, double leak_bits,
				     struct tfqkd_key_result *res);

/**
 * struct tfqkd_pm_settings - source settings of a phase-matching (PM) QKD block
 * @mu: signal intensity, total of both sides (each sends mu/2)
 * @nu: decoy intensity, total of both sides (0 < nu < mu)
 * @ec_f: error-correction efficiency used when the leak is modelled
 */
struct tfqkd_pm_settings {
	double mu;
	double nu;
	double ec_f;
};

/**
 * struct tfqkd_pm_counts - what one PM block observed
 * @vac_windows: windows in which both sent vacuum
 * @vac_det: their effective events by detector
 * @nu_windows: windows in which both sent nu and the phase slices matched (equal or opposite)
 * @nu_det: their effective events by detector
 * @mu_windows: windows in which both sent mu and the phase slices matched: the key windows
 * @mu_det: their effective events by detector (the raw key)
 * @bit_errors: bit errors of the raw key found by error correction; < 0 if not known
 */
struct tfqkd_pm_counts {
	double vac_windows;
	double vac_det[2];
	double nu_windows;
	double nu_det[2];
	double mu_windows;
	double mu_det[2];
	double bit_errors;
};

/**
 * tfqkd_pm_estimate() - PM-QKD key length of one block
 * @set: source settings
 * @cnt: observed (or expected) counts
 * @sec: security parameters, or NULL for the asymptotic bounds
 * @leak_bits: measured error-correction leak, or < 0 for ec_f * n * h(E)
 * @res: result (always filled)
 *
 * Return: @res->status.
 */
enum tfqkd_status tfqkd_pm_estimate(const struct tfqkd_pm_settings *set,
				    const struct tfqkd_pm_counts *cnt,
				    const struct tfqkd_security *sec, double leak_bits,
				    struct tfqkd_key_result *res);

#endif /* TFQKD_ESTIMATE_H */
