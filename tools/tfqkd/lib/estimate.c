// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Helpers shared by the estimators: fluctuation bookkeeping, refusals and the final
 * key-length formula.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <tfqkd/finite.h>
#include <tfqkd/theory.h>

#include "rate_internal.h"

const char *tfqkd_status_name(enum tfqkd_status st)
{
	switch (st) {
	case TFQKD_KEY_OK:
		return "ok";
	case TFQKD_REFUSE_INVALID:
		return "invalid";
	case TFQKD_REFUSE_FEW_EVENTS:
		return "few-events";
	case TFQKD_REFUSE_DECOY:
		return "decoy";
	case TFQKD_REFUSE_PHASE_ERROR:
		return "phase-error";
	case TFQKD_REFUSE_NO_KEY:
		return "no-key";
	}
	return "unknown";
}

double fl_mean_lower(struct fluct *f, double x)
{
	if (!f->sec)
		return x;
	f->used++;
	return tfqkd_mean_lower(x, f->sec->eps_pe);
}

double fl_mean_upper(struct fluct *f, double x)
{
	if (!f->sec)
		return x;
	f->used++;
	return tfqkd_mean_upper(x, f->sec->eps_pe);
}

double fl_obs_lower(struct fluct *f, double mean)
{
	if (!f->sec)
		return mean;
	f->used++;
	return tfqkd_obs_lower(mean, f->sec->eps_pe);
}

double fl_obs_upper(struct fluct *f, double mean)
{
	if (!f->sec)
		return mean;
	f->used++;
	return tfqkd_obs_upper(mean, f->sec->eps_pe);
}

int count_ok(double x)
{
	return x >= 0.0 && isfinite(x);
}

void result_init(struct tfqkd_key_result *res)
{
	memset(res, 0, sizeof(*res));
	res->key_length = -INFINITY;
	res->yield1_lower = NAN;
	res->n1_lower = NAN;
	res->e1ph_upper = NAN;
	res->n_key = NAN;
	res->e_bit = NAN;
	res->leak_ec = NAN;
}

enum tfqkd_status result_refuse(struct tfqkd_key_result *res, enum tfqkd_status st,
				const char *fmt, ...)
{
	va_list ap;

	res->status = st;
	res->key_bits = 0;
	va_start(ap, fmt);
	vsnprintf(res->message, sizeof(res->message), fmt, ap);
	va_end(ap);
	return st;
}

enum tfqkd_status finish_key(struct tfqkd_key_result *res, const struct fluct *fl,
			     double n1, double e1, double n_key, double bit_errors,
			     double leak_bits, double ec_f)
{
	double leak;

	res->n1_lower = n1;
	res->e1ph_upper = e1;
	res->n_key = n_key;
	res->eps_pe_total = fl->sec ? fl->used * 0.5 * fl->sec->eps_pe : 0.0;
	res->security_bits = fl->sec ? tfqkd_security_cost(fl->sec) : 0.0;
	if (bit_errors >= 0.0 && n_key > 0.0)
		res->e_bit = bit_errors / n_key;

	if (leak_bits >= 0.0) {
		leak = leak_bits;
	} else {
		if (!(bit_errors >= 0.0))
			return result_refuse(res, TFQKD_REFUSE_INVALID,
					     "neither a measured leak nor a bit-error count was given");
		if (!(ec_f >= 1.0 && isfinite(ec_f)))
			return result_refuse(res, TFQKD_REFUSE_INVALID,
					     "error-correction efficiency f=%g is not >= 1", ec_f);
		leak = ec_f * n_key * tfqkd_h2(res->e_bit);
	}
	res->leak_ec = leak;

	if (!(e1 < 0.5)) {
		res->key_length = -n_key;
		return result_refuse(res, TFQKD_REFUSE_PHASE_ERROR,
				     "phase-error upper bound %.4g is not below 1/2", e1);
	}
	res->key_length = n1 * (1.0 - tfqkd_h2(e1)) - leak - res->security_bits;
	/* a finite block needs at least one bit; asymptotic counts are per pulse */
	if (!(fl->sec ? res->key_length >= 1.0 : res->key_length > 0.0))
		return result_refuse(res, TFQKD_REFUSE_NO_KEY,
				     "no key: %.4g key-candidate bits with phase-error bound %.4g give "
				     "%.4g bits, less than EC leak %.4g + security %.4g",
				     n1, e1, n1 * (1.0 - tfqkd_h2(e1)), leak, res->security_bits);
	res->status = TFQKD_KEY_OK;
	res->key_bits = (uint64_t)floor(fmin(res->key_length, 1.8e19));
	if (fl->sec)
		snprintf(res->message, sizeof(res->message),
			 "%.0f bits from %.4g key-candidate bits, phase-error bound %.4g, EC leak %.4g",
			 floor(res->key_length), n1, e1, leak);
	else
		snprintf(res->message, sizeof(res->message),
			 "asymptotic: %.4g bits per window, phase-error bound %.4g", res->key_length, e1);
	return TFQKD_KEY_OK;
}
