/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tfqkd/plan.h - key rate versus distance: protocols behind one interface, and the optimiser
 * that picks intensities and probabilities per distance.
 *
 * A protocol is described by a table of named parameters (intensities, probabilities,
 * settings). tfqkd_eval() turns a link and one parameter vector into the key rate per pulse
 * by building the expected counts of a block and running the same estimator a real block
 * uses (tfqkd/estimate.h). tfqkd_plan_point() maximises that rate over the parameters that
 * are not pinned. See Documentation/tfqkd/theory.rst and Documentation/tfqkd/plan.rst.
 */
#ifndef TFQKD_PLAN_H
#define TFQKD_PLAN_H

#include <stddef.h>

#include <tfqkd/estimate.h>
#include <tfqkd/finite.h>
#include <tfqkd/theory.h>

#define TFQKD_MAX_PARAMS 8

/* struct tfqkd_param_desc.flags */
#define TFQKD_PARAM_LOG		0x1u	/* searched on a log scale (intensities) */
#define TFQKD_PARAM_SETTING	0x2u	/* never optimised: default unless pinned */
#define TFQKD_PARAM_ASYM_ONE	0x4u	/* asymptotic rate: 1 (the limit) unless pinned */
#define TFQKD_PARAM_FINITE	0x8u	/* only used by the finite-key rate */
#define TFQKD_PARAM_INTEGER	0x10u	/* must be an even integer (phase slices) */

/**
 * struct tfqkd_param_desc - one parameter of a protocol
 * @name: name used by --fix and in JSON (e.g. "mu_z")
 * @help: one-line description
 * @min: smallest valid value (exclusive if @min_open)
 * @max: largest valid value (exclusive if @max_open)
 * @min_open: @min itself is not valid
 * @max_open: @max itself is not valid
 * @lo: lower end of the optimiser's search box
 * @hi: upper end of the optimiser's search box
 * @dflt: start value of the optimiser; the value used for settings
 * @flags: TFQKD_PARAM_*
 */
struct tfqkd_param_desc {
	const char *name;
	const char *help;
	double min, max;
	int min_open, max_open;
	double lo, hi;
	double dflt;
	unsigned int flags;
};

/**
 * struct tfqkd_protocol - a TF-QKD protocol behind the common interface
 * @name: command-line name ("sns", "sns-aopp", "pm")
 * @title: one-line description
 * @nparam: number of parameters
 * @param: parameter table
 */
struct tfqkd_protocol {
	const char *name;
	const char *title;
	unsigned int nparam;
	const struct tfqkd_param_desc *param;
	/* private */
	int (*check)(const double *v, int finite, char *msg, size_t msglen);
	double (*eval)(const struct tfqkd_protocol *p, const struct tfqkd_link *link,
		       const double *n_pulses, const struct tfqkd_security *sec, const double *v,
		       struct tfqkd_key_result *res);
	int variant;
};

/**
 * tfqkd_protocol_count() - number of built-in protocols
 */
unsigned int tfqkd_protocol_count(void);

/**
 * tfqkd_protocol_at() - built-in protocol by index
 * @i: index < tfqkd_protocol_count()
 * Return: the protocol, or NULL if @i is out of range.
 */
const struct tfqkd_protocol *tfqkd_protocol_at(unsigned int i);

/**
 * tfqkd_protocol_find() - built-in protocol by name
 * @name: e.g. "sns-aopp"
 * Return: the protocol, or NULL if unknown.
 */
const struct tfqkd_protocol *tfqkd_protocol_find(const char *name);

/**
 * tfqkd_param_index() - index of a parameter by name
 * @p: protocol
 * @name: parameter name
 * Return: index, or -1 if @p has no such parameter.
 */
int tfqkd_param_index(const struct tfqkd_protocol *p, const char *name);

/**
 * tfqkd_param_check() - check one value against a parameter's valid range
 * @p: protocol
 * @i: parameter index
 * @value: value
 * @msg: receives a one-line reason on failure (may be NULL)
 * @msglen: size of @msg
 * Return: 0 if valid, -EINVAL if not.
 */
int tfqkd_param_check(const struct tfqkd_protocol *p, unsigned int i, double value,
		      char *msg, size_t msglen);

/**
 * tfqkd_params_check() - check a full parameter vector, including cross constraints
 * (mu1 < mu2, probabilities summing below 1, ...)
 * @p: protocol
 * @v: values
 * @finite: non-zero for a finite block (more parameters matter, e.g. p_z < 1)
 * @msg: receives a one-line reason on failure (may be NULL)
 * @msglen: size of @msg
 * Return: 0 if valid, -EINVAL if not.
 */
int tfqkd_params_check(const struct tfqkd_protocol *p, const double *v, int finite, char *msg,
		       size_t msglen);

/**
 * tfqkd_link_check() - validate a link
 * @link: the link
 * @msg: receives a one-line reason on failure (may be NULL)
 * @msglen: size of @msg
 * Return: 0 if valid, -EINVAL if not.
 */
int tfqkd_link_check(const struct tfqkd_link *link, char *msg, size_t msglen);

/**
 * tfqkd_eval() - key rate of one parameter vector
 * @p: protocol
 * @link: the link
 * @n_pulses: pulses (time windows) per block; NULL for the asymptotic rate
 * @sec: security parameters (ignored when @n_pulses is NULL; required otherwise)
 * @v: parameter values (all of them; see struct tfqkd_protocol.param)
 * @res: if not NULL, receives the bounds behind the rate
 *
 * Return: key rate in bits per pulse (>= 0). Invalid parameters give 0 with
 * @res->status == TFQKD_REFUSE_INVALID.
 */
double tfqkd_eval(const struct tfqkd_protocol *p, const struct tfqkd_link *link,
		  const double *n_pulses, const struct tfqkd_security *sec, const double *v,
		  struct tfqkd_key_result *res);

/**
 * struct tfqkd_plan_request - what to plan
 * @proto: protocol
 * @link: link model; @link.distance_km is overwritten per point
 * @finite: non-zero for a finite block of @n_pulses pulses, zero for the asymptotic rate
 * @n_pulses: pulses per block (finite only)
 * @sec: security parameters (finite only)
 * @pinned: bit i set: parameter i is pinned to @value[i]
 * @value: pinned values
 * @starts: number of optimiser starts per point besides the warm start (0: default 4)
 */
struct tfqkd_plan_request {
	const struct tfqkd_protocol *proto;
	struct tfqkd_link link;
	int finite;
	double n_pulses;
	struct tfqkd_security sec;
	unsigned int pinned;
	double value[TFQKD_MAX_PARAMS];
	unsigned int starts;
};

/**
 * struct tfqkd_plan_point - the optimum at one distance
 * @distance_km: distance
 * @key_rate: best key rate found, bits per pulse (0 past the cut-off)
 * @plob: PLOB bound of the link
 * @param: parameter values used (pinned or optimised)
 * @used: bit i set: parameter i matters for this rate (asymptotic rates ignore some)
 * @detail: bounds behind @key_rate
 * @evaluations: rate evaluations the optimiser spent on this point
 */
struct tfqkd_plan_point {
	double distance_km;
	double key_rate;
	double plob;
	double param[TFQKD_MAX_PARAMS];
	unsigned int used;
	struct tfqkd_key_result detail;
	unsigned long evaluations;
};

/**
 * tfqkd_plan_check() - validate a request (link, security parameters, pinned values)
 * @rq: request
 * @msg: receives a one-line reason on failure (may be NULL)
 * @msglen: size of @msg
 * Return: 0 if valid, -EINVAL if not.
 */
int tfqkd_plan_check(const struct tfqkd_plan_request *rq, char *msg, size_t msglen);

/**
 * tfqkd_plan_point() - optimise the key rate at one distance
 * @rq: request (validated with tfqkd_plan_check())
 * @distance_km: distance
 * @warm: a parameter vector to start from (e.g. the optimum of the neighbouring distance),
 *        or NULL
 * @out: result
 *
 * Maximises the logarithm of the key rate with Nelder-Mead searches in transformed
 * coordinates (log for intensities, logit for probabilities) from several deterministic
 * starts. Return: 0, or -EINVAL for an invalid request.
 */
int tfqkd_plan_point(const struct tfqkd_plan_request *rq, double distance_km,
		     const double *warm, struct tfqkd_plan_point *out);

/**
 * tfqkd_plan_sweep() - tfqkd_plan_point() for a list of distances, each point warm-started
 * from the previous optimum
 * @rq: request
 * @distance_km: distances
 * @n: number of distances
 * @out: @n results
 * Return: 0, or -EINVAL for an invalid request.
 */
int tfqkd_plan_sweep(const struct tfqkd_plan_request *rq, const double *distance_km, size_t n,
		     struct tfqkd_plan_point *out);

#endif /* TFQKD_PLAN_H */
