// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * rng.c - deterministic pseudo-random numbers (see rng.h).
 */
#include <math.h>

#include "rng.h"

uint64_t splitmix64_next(uint64_t *state)
{
	*state += 0x9e3779b97f4a7c15ULL;
	return mix64(*state);
}

uint64_t rng_derive(uint64_t seed, uint64_t a, uint64_t b)
{
	uint64_t s = seed;

	s = splitmix64_next(&s) ^ mix64(a + 0x632be59bd9b4e019ULL);
	s = splitmix64_next(&s) ^ mix64(b + 0x8cb92ba72f3d8dd7ULL);
	return splitmix64_next(&s);
}

void rng_init(struct rng *r, uint64_t seed)
{
	uint64_t s = seed;
	unsigned int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64_next(&s);
	if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3]))
		r->s[0] = 1;	/* the all-zero state is a fixed point */
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

double rng_uniform(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

double rng_uniform_pos(struct rng *r)
{
	return (double)((rng_next(r) >> 11) + 1) * 0x1.0p-53;
}

double rng_exp(struct rng *r)
{
	return -log(rng_uniform_pos(r));
}

double rng_normal(struct rng *r)
{
	double u = rng_uniform_pos(r), v = rng_uniform(r);

	return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

/* PTRS: W. Hormann, "The transformed rejection method for generating Poisson random
 * variables", Insurance: Mathematics and Economics 12 (1993) 39-45. */
static uint64_t poisson_ptrs(struct rng *r, double mu)
{
	double smu = sqrt(mu), b = 0.931 + 2.53 * smu, a = -0.059 + 0.02483 * b;
	double inv_alpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2);
	double log_mu = log(mu);

	for (;;) {
		double u = rng_uniform(r) - 0.5, v = rng_uniform_pos(r);
		double us = 0.5 - fabs(u), k = floor((2 * a / us + b) * u + mu + 0.43);

		if (us >= 0.07 && v <= vr)
			return (uint64_t)k;
		if (k < 0 || (us < 0.013 && v > us))
			continue;
		if (log(v) + log(inv_alpha) - log(a / (us * us) + b) <=
		    -mu + k * log_mu - lgamma(k + 1))
			return (uint64_t)k;
	}
}

uint64_t rng_poisson(struct rng *r, double mean)
{
	double limit, prod;
	uint64_t k = 0;

	if (!(mean > 0))
		return 0;
	if (mean > 1e12)
		mean = 1e12;
	if (mean >= 12)
		return poisson_ptrs(r, mean);
	limit = exp(-mean);
	prod = rng_uniform_pos(r);
	while (prod > limit) {
		prod *= rng_uniform_pos(r);
		k++;
	}
	return k;
}
