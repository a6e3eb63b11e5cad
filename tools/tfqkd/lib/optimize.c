// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The planner's optimiser: maximise log(key rate) over the free parameters of a protocol
 * with Nelder-Mead searches in transformed coordinates.
 *
 * Each free parameter x in its search box [lo, hi] is written x = lo + (hi-lo) s(u) (or the
 * same on log x for intensities) with s the logistic function, so the search over u is
 * unconstrained and the box is never left. The objective is ln R where R > 0; where no key
 * is left it is a large negative number that still prefers "almost a key" (a less negative
 * key length, a lower phase-error bound) so a search that starts in the zero-rate region
 * can walk out of it. Several deterministic starts (the warm start, the defaults and points
 * of a Halton sequence) and a restart of each search guard against local optima.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <tfqkd/plan.h>

#include "rate_internal.h"

struct objective {
	const struct tfqkd_plan_request *rq;
	struct tfqkd_link link;
	double base[TFQKD_MAX_PARAMS];
	unsigned int idx[TFQKD_MAX_PARAMS];	/* free parameter indices */
	unsigned int n;				/* number of free parameters */
	unsigned long evals;
	/* best point seen */
	double best_f;
	double best_v[TFQKD_MAX_PARAMS];
	double best_rate;
	struct tfqkd_key_result best_res;
};

static double logistic(double u)
{
	return 1.0 / (1.0 + exp(-u));
}

static double to_value(const struct tfqkd_param_desc *d, double u)
{
	double s = logistic(u);

	if (d->flags & TFQKD_PARAM_LOG)
		return exp(log(d->lo) + (log(d->hi) - log(d->lo)) * s);
	return d->lo + (d->hi - d->lo) * s;
}

static double to_coord(const struct tfqkd_param_desc *d, double x)
{
	double s;

	if (d->flags & TFQKD_PARAM_LOG)
		s = (log(x) - log(d->lo)) / (log(d->hi) - log(d->lo));
	else
		s = (x - d->lo) / (d->hi - d->lo);
	s = fmin(fmax(s, 1e-6), 1.0 - 1e-6);
	return log(s / (1.0 - s));
}

static void fill(const struct objective *o, const double *u, double *v)
{
	memcpy(v, o->base, sizeof(o->base));
	for (unsigned int k = 0; k < o->n; k++)
		v[o->idx[k]] = to_value(&o->rq->proto->param[o->idx[k]], u[k]);
}

/* score of a parameter vector: ln R, or a negative "how far from a key" below -999 */
static double score(struct objective *o, const double *v)
{
	const struct tfqkd_protocol *p = o->rq->proto;
	const double *np = o->rq->finite ? &o->rq->n_pulses : NULL;
	struct tfqkd_key_result res;
	double rate, f;

	o->evals++;
	if (p->check(v, o->rq->finite, NULL, 0))
		return -1400.0;
	rate = p->eval(p, &o->link, np, &o->rq->sec, v, &res);
	switch (res.status) {
	case TFQKD_KEY_OK:
		f = rate > 0.0 ? log(rate) : -999.0;
		break;
	case TFQKD_REFUSE_NO_KEY:
		/* key length per pulse in [-1, 0] mapped to [-1007, -1000] */
		f = -1000.0 - 0.1 * log1p(-fmin(0.0, res.key_length / (np ? *np : 1.0)) * 1e30);
		break;
	case TFQKD_REFUSE_PHASE_ERROR:
		f = -1100.0 - fmin(res.e1ph_upper, 50.0);
		break;
	case TFQKD_REFUSE_DECOY:
		f = -1200.0;
		break;
	default:
		f = -1300.0;
		break;
	}
	if (f > o->best_f) {
		o->best_f = f;
		memcpy(o->best_v, v, sizeof(o->best_v));
		o->best_rate = res.status == TFQKD_KEY_OK ? rate : 0.0;
		o->best_res = res;
	}
	return f;
}

static double eval_u(struct objective *o, const double *u)
{
	double v[TFQKD_MAX_PARAMS];

	fill(o, u, v);
	return score(o, v);
}

/* Nelder-Mead maximisation from u0; returns the best value, u0 receives the best point */
static double nelder_mead(struct objective *o, double *u0, double step, unsigned long max_evals)
{
	const unsigned int n = o->n;
	double s[TFQKD_MAX_PARAMS + 1][TFQKD_MAX_PARAMS], f[TFQKD_MAX_PARAMS + 1];
	double c[TFQKD_MAX_PARAMS], xr[TFQKD_MAX_PARAMS], xe[TFQKD_MAX_PARAMS];
	unsigned long start = o->evals;

	for (unsigned int i = 0; i <= n; i++) {
		memcpy(s[i], u0, n * sizeof(double));
		if (i > 0)
			s[i][i - 1] += step;
		f[i] = eval_u(o, s[i]);
	}
	while (o->evals - start < max_evals) {
		unsigned int hi = 0, lo = 0, nh = 0;	/* best, worst, second worst */
		double fr, fe, size = 0.0;

		for (unsigned int i = 1; i <= n; i++) {
			if (f[i] > f[hi])
				hi = i;
			if (f[i] < f[lo])
				lo = i;
		}
		nh = hi;
		for (unsigned int i = 0; i <= n; i++)
			if (i != lo && f[i] <= f[nh])
				nh = i;
		for (unsigned int i = 0; i <= n; i++)
			for (unsigned int k = 0; k < n; k++)
				size = fmax(size, fabs(s[i][k] - s[hi][k]));
		if (size < 1e-7 || (f[hi] - f[lo] <= 1e-11 * (1.0 + fabs(f[hi])) && size < 1e-3))
			break;

		for (unsigned int k = 0; k < n; k++) {
			c[k] = 0.0;
			for (unsigned int i = 0; i <= n; i++)
				if (i != lo)
					c[k] += s[i][k];
			c[k] /= n;
			xr[k] = c[k] + (c[k] - s[lo][k]);
		}
		fr = eval_u(o, xr);
		if (fr > f[hi]) {
			for (unsigned int k = 0; k < n; k++)
				xe[k] = c[k] + 2.0 * (c[k] - s[lo][k]);
			fe = eval_u(o, xe);
			if (fe > fr) {
				memcpy(s[lo], xe, n * sizeof(double));
				f[lo] = fe;
			} else {
				memcpy(s[lo], xr, n * sizeof(double));
				f[lo] = fr;
			}
		} else if (fr > f[nh]) {
			memcpy(s[lo], xr, n * sizeof(double));
			f[lo] = fr;
		} else {
			/* contraction: outside if the reflection helped the worst, else inside */
			int outside = fr > f[lo];

			for (unsigned int k = 0; k < n; k++)
				xe[k] = outside ? c[k] + 0.5 * (xr[k] - c[k]) : c[k] + 0.5 * (s[lo][k] - c[k]);
			fe = eval_u(o, xe);
			if (fe > (outside ? fr : f[lo])) {
				memcpy(s[lo], xe, n * sizeof(double));
				f[lo] = fe;
			} else {
				for (unsigned int i = 0; i <= n; i++) {
					if (i == hi)
						continue;
					for (unsigned int k = 0; k < n; k++)
						s[i][k] = s[hi][k] + 0.5 * (s[i][k] - s[hi][k]);
					f[i] = eval_u(o, s[i]);
				}
			}
		}
	}
	{
		unsigned int hi = 0;

		for (unsigned int i = 1; i <= n; i++)
			if (f[i] > f[hi])
				hi = i;
		memcpy(u0, s[hi], n * sizeof(double));
		return f[hi];
	}
}

/* radical inverse in base b: the Halton sequence */
static double halton(unsigned int i, unsigned int b)
{
	double f = 1.0, r = 0.0;

	for (; i; i /= b) {
		f /= b;
		r += f * (i % b);
	}
	return r;
}

static void search_from(struct objective *o, const double *v_start)
{
	double u[TFQKD_MAX_PARAMS];
	const unsigned long budget = 150ul * (o->n + 1);

	for (unsigned int k = 0; k < o->n; k++)
		u[k] = to_coord(&o->rq->proto->param[o->idx[k]], v_start[o->idx[k]]);
	nelder_mead(o, u, 1.0, budget);
	/* restart from the result with a fresh, smaller simplex */
	nelder_mead(o, u, 0.3, budget);
}

/* the vector of a request with every unpinned parameter at its default (asymptotic: the
 * ASYM_ONE parameters at 1); *free receives the mask of the parameters the optimiser moves */
static void default_vector(const struct tfqkd_plan_request *rq, double *v, unsigned int *free)
{
	const struct tfqkd_protocol *p = rq->proto;

	*free = 0;
	for (unsigned int i = 0; i < p->nparam; i++) {
		const struct tfqkd_param_desc *d = &p->param[i];

		v[i] = d->dflt;
		if (rq->pinned & (1u << i))
			v[i] = rq->value[i];
		else if (!rq->finite && (d->flags & TFQKD_PARAM_ASYM_ONE))
			v[i] = 1.0;
		else if (!(d->flags & TFQKD_PARAM_SETTING) &&
			 !(!rq->finite && (d->flags & TFQKD_PARAM_FINITE)))
			*free |= 1u << i;
	}
}

/*
 * Is there a choice of the free parameters that meets the protocol's cross constraints?
 * Tries every combination of {default, low end, high end, middle} of the search boxes
 * (at most 4^8 cheap checks). On success v holds a feasible vector; on failure v holds
 * the defaults, for the error message.
 */
static int feasible_exists(const struct tfqkd_plan_request *rq, double *v)
{
	const struct tfqkd_protocol *p = rq->proto;
	unsigned int free, idx[TFQKD_MAX_PARAMS], n = 0;
	double base[TFQKD_MAX_PARAMS];
	unsigned long combos = 1;

	default_vector(rq, base, &free);
	memcpy(v, base, sizeof(base));
	if (!p->check(v, rq->finite, NULL, 0))
		return 1;
	for (unsigned int i = 0; i < p->nparam; i++)
		if (free & (1u << i)) {
			idx[n++] = i;
			combos *= 4;
		}
	for (unsigned long c = 1; c < combos; c++) {
		unsigned long r = c;

		for (unsigned int k = 0; k < n; k++, r /= 4) {
			const struct tfqkd_param_desc *d = &p->param[idx[k]];
			const double choice[4] = { d->dflt, d->lo, d->hi, 0.5 * (d->lo + d->hi) };

			v[idx[k]] = choice[r % 4];
		}
		if (!p->check(v, rq->finite, NULL, 0))
			return 1;
	}
	memcpy(v, base, sizeof(base));
	return 0;
}

int tfqkd_plan_check(const struct tfqkd_plan_request *rq, char *msg, size_t msglen)
{
	double v[TFQKD_MAX_PARAMS];
	const struct tfqkd_protocol *p = rq ? rq->proto : NULL;
	struct tfqkd_link l;

	if (!p) {
		if (msg && msglen)
			snprintf(msg, msglen, "no protocol");
		return -EINVAL;
	}
	l = rq->link;
	if (!(l.distance_km >= 0.0))
		l.distance_km = 0.0;
	if (tfqkd_link_check(&l, msg, msglen))
		return -EINVAL;
	if (rq->finite) {
		if (!(rq->n_pulses >= 1.0 && isfinite(rq->n_pulses))) {
			if (msg && msglen)
				snprintf(msg, msglen, "number of pulses %g is not >= 1", rq->n_pulses);
			return -EINVAL;
		}
		if (!tfqkd_security_valid(&rq->sec)) {
			if (msg && msglen)
				snprintf(msg, msglen, "security parameters must lie in (0, 1)");
			return -EINVAL;
		}
	}
	for (unsigned int i = 0; i < p->nparam; i++) {
		if (!(rq->pinned & (1u << i)))
			continue;
		if (tfqkd_param_check(p, i, rq->value[i], msg, msglen))
			return -EINVAL;
	}
	/* cross constraints: some choice of the free parameters must satisfy them */
	if (!feasible_exists(rq, v)) {
		p->check(v, rq->finite, msg, msglen);
		return -EINVAL;
	}
	return 0;
}

/* a start vector of the Halton sequence (index s >= 1) in the middle 80% of the boxes */
static void halton_start(const struct objective *o, unsigned int s, double *v)
{
	static const unsigned int primes[TFQKD_MAX_PARAMS] = { 2, 3, 5, 7, 11, 13, 17, 19 };

	memcpy(v, o->base, sizeof(o->base));
	for (unsigned int k = 0; k < o->n; k++) {
		double h = 0.1 + 0.8 * halton(s, primes[k]);

		v[o->idx[k]] = to_value(&o->rq->proto->param[o->idx[k]], log(h / (1.0 - h)));
	}
}

/* move an infeasible start (e.g. pinned mu1 above the default mu2) to a feasible one */
static void make_feasible(const struct objective *o, double *v)
{
	const struct tfqkd_protocol *p = o->rq->proto;

	if (!p->check(v, o->rq->finite, NULL, 0))
		return;
	for (unsigned int s = 101; s < 400; s++) {
		halton_start(o, s, v);
		if (!p->check(v, o->rq->finite, NULL, 0))
			return;
	}
	feasible_exists(o->rq, v);
}

int tfqkd_plan_point(const struct tfqkd_plan_request *rq, double distance_km,
		     const double *warm, struct tfqkd_plan_point *out)
{
	const struct tfqkd_protocol *p;
	struct objective o;
	double v[TFQKD_MAX_PARAMS];
	unsigned int free;

	if (!out || tfqkd_plan_check(rq, NULL, 0))
		return -EINVAL;
	p = rq->proto;
	memset(&o, 0, sizeof(o));
	memset(out, 0, sizeof(*out));
	o.rq = rq;
	o.link = rq->link;
	o.link.distance_km = distance_km;
	if (tfqkd_link_check(&o.link, NULL, 0))
		return -EINVAL;
	o.best_f = -INFINITY;

	default_vector(rq, o.base, &free);
	for (unsigned int i = 0; i < p->nparam; i++) {
		if (!((p->param[i].flags & TFQKD_PARAM_FINITE) && !rq->finite))
			out->used |= 1u << i;
		if (free & (1u << i))
			o.idx[o.n++] = i;
	}

	if (o.n == 0) {
		score(&o, o.base);
	} else {
		unsigned int starts = rq->starts ? rq->starts : 4;

		if (warm) {
			memcpy(v, o.base, sizeof(v));
			for (unsigned int k = 0; k < o.n; k++)
				v[o.idx[k]] = warm[o.idx[k]];
			make_feasible(&o, v);
			search_from(&o, v);
		}
		memcpy(v, o.base, sizeof(v));
		make_feasible(&o, v);
		search_from(&o, v);
		for (unsigned int s = 1; s <= starts; s++) {
			halton_start(&o, s, v);
			make_feasible(&o, v);
			search_from(&o, v);
		}
	}

	out->distance_km = distance_km;
	out->plob = tfqkd_link_plob(&o.link);
	out->key_rate = o.best_rate;
	memcpy(out->param, o.best_v, sizeof(out->param));
	out->detail = o.best_res;
	out->evaluations = o.evals;
	return 0;
}

int tfqkd_plan_sweep(const struct tfqkd_plan_request *rq, const double *distance_km, size_t n,
		     struct tfqkd_plan_point *out)
{
	const double *warm = NULL;

	if (tfqkd_plan_check(rq, NULL, 0))
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		int err = tfqkd_plan_point(rq, distance_km[i], warm, &out[i]);

		if (err)
			return err;
		warm = out[i].key_rate > 0.0 ? out[i].param : warm;
	}
	return 0;
}
