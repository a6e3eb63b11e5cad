/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rng.h - deterministic pseudo-random numbers for the card model.
 *
 * Every random process of an emulated card draws from its own stream, derived from the
 * process seed (--seed), the card index and a stream number, so that one process's
 * draws never shift another's (Documentation/qkdemu/index.rst, "Determinism").
 * The generator is xoshiro256** seeded through SplitMix64; neither is cryptographic.
 */
#ifndef QKDEMU_RNG_H
#define QKDEMU_RNG_H

#include <stdint.h>

/** struct rng - state of one xoshiro256** stream */
struct rng {
	uint64_t s[4];
};

/**
 * mix64() - the SplitMix64 output function (a bijective 64-bit mixer)
 * @z: input
 */
static inline uint64_t mix64(uint64_t z)
{
	z ^= z >> 30;
	z *= 0xbf58476d1ce4e5b9ULL;
	z ^= z >> 27;
	z *= 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/**
 * splitmix64_next() - advance a SplitMix64 state by 0x9e3779b97f4a7c15 and mix it
 * @state: the state, updated
 */
uint64_t splitmix64_next(uint64_t *state);

/**
 * rng_derive() - a 64-bit value derived from a seed and up to three labels
 * @seed: the process seed
 * @a:    first label (e.g. the card index)
 * @b:    second label (e.g. a stream number)
 *
 * Different (seed, a, b) give unrelated values.
 */
uint64_t rng_derive(uint64_t seed, uint64_t a, uint64_t b);

/**
 * rng_init() - seed a stream from a derived 64-bit value
 * @r:    the stream
 * @seed: any value (rng_derive() output)
 */
void rng_init(struct rng *r, uint64_t seed);

/** rng_next() - next 64 random bits */
uint64_t rng_next(struct rng *r);

/** rng_uniform() - uniform double in [0, 1) with 53 random bits */
double rng_uniform(struct rng *r);

/** rng_uniform_pos() - uniform double in (0, 1] (safe for log()) */
double rng_uniform_pos(struct rng *r);

/** rng_exp() - exponential variate with mean 1 */
double rng_exp(struct rng *r);

/** rng_normal() - standard normal variate (Box-Muller, no state kept between calls) */
double rng_normal(struct rng *r);

/**
 * rng_poisson() - Poisson variate
 * @r:    the stream
 * @mean: the mean, >= 0 (values above 1e12 are clamped)
 *
 * Inversion by multiplication below mean 12, else Hormann's transformed rejection
 * with squeeze (PTRS, 1993): exact, constant expected cost.
 */
uint64_t rng_poisson(struct rng *r, double mean);

#endif /* QKDEMU_RNG_H */
