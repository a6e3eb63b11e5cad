/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Private helpers shared by the rate-theory files of libtfqkd.
 */
#ifndef TFQKD_RATE_INTERNAL_H
#define TFQKD_RATE_INTERNAL_H

#include <stddef.h>

#include <tfqkd/estimate.h>
#include <tfqkd/plan.h>

/*
 * Fluctuation bounds of one estimate. With sec == NULL (asymptotic) every bound is the
 * identity; otherwise each call counts one one-sided bound of failure probability eps_pe/2.
 */
struct fluct {
	const struct tfqkd_security *sec;
	unsigned int used;
};

double fl_mean_lower(struct fluct *f, double x);
double fl_mean_upper(struct fluct *f, double x);
double fl_obs_lower(struct fluct *f, double mean);
double fl_obs_upper(struct fluct *f, double mean);

/* is x a usable count: finite and >= 0 */
int count_ok(double x);

/* result helpers */
void result_init(struct tfqkd_key_result *res);
enum tfqkd_status result_refuse(struct tfqkd_key_result *res, enum tfqkd_status st,
				const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Last step shared by all protocols: key length = n1 (1 - h(e1)) - leak - security terms.
 * Fills the result and returns its status.
 */
enum tfqkd_status finish_key(struct tfqkd_key_result *res, const struct fluct *fl,
			     double n1, double e1, double n_key, double bit_errors,
			     double leak_bits, double ec_f);

/* parameter indices */
enum { SNS_MU_Z, SNS_EPS, SNS_MU1, SNS_MU2, SNS_P_Z, SNS_P0, SNS_P1, SNS_X1_FRAC, SNS_NPARAM };
enum { PM_MU, PM_NU, PM_P_MU, PM_P_NU, PM_M, PM_NPARAM };

/* expected counts of a block under the channel model (n_pulses == NULL: asymptotic) */
void sns_model_counts(const struct tfqkd_link *link, const double *v, int aopp,
		      const double *n_pulses, struct tfqkd_sns_counts *c);
void pm_model_counts(const struct tfqkd_link *link, const double *v, const double *n_pulses,
		     struct tfqkd_pm_counts *c);

double sns_eval(const struct tfqkd_protocol *p, const struct tfqkd_link *link,
		const double *n_pulses, const struct tfqkd_security *sec, const double *v,
		struct tfqkd_key_result *res);
double pm_eval(const struct tfqkd_protocol *p, const struct tfqkd_link *link,
	       const double *n_pulses, const struct tfqkd_security *sec, const double *v,
	       struct tfqkd_key_result *res);

#endif /* TFQKD_RATE_INTERNAL_H */
